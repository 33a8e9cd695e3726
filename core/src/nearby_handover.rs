//! A nearby courier takes a handover: the open handover requests of other couriers near this
//! courier, and the take, which makes this courier the receiving courier. Both need the server
//! (a take must be decided there, first come first served); the taken task then arrives through
//! the pull as an incoming handover, and the goods change hands bag by bag as for any handover
//! ([`crate::handover`]).

use runsheet_protocol::{valid_position, NearbyHandover, TakenHandover};

use crate::error::{Error, Result};
use crate::Runsheet;

impl Runsheet {
    /// The courier's last reported position (`lat`, `lon`), if the shell reported a fix since
    /// the app started: where the nearby handovers are looked for.
    pub fn last_position(&self) -> Option<(f64, f64)> {
        self.dev.last_position()
    }

    /// The open handover requests (asked for, no receiving courier named) of other couriers
    /// within 3 km of (`lat`, `lon`), nearest first, without any customer's details. Asks the
    /// server: [`Error::Offline`] without a network.
    pub async fn nearby_handovers(&self, lat: f64, lon: f64) -> Result<Vec<NearbyHandover>> {
        if !valid_position(lat, lon) {
            return Err(Error::InvalidArgument(
                "lat must be within -90..90 and lon within -180..180".into(),
            ));
        }
        Ok(self.remote.nearby_handovers(lat, lon).await?.handovers)
    }

    /// Takes the task's open handover request: this courier becomes its receiving courier. The
    /// phone syncs first (the server must know the shift started) and after (the task arrives as
    /// an incoming handover: scan every bag to take the goods). Refused by the server with a
    /// typed 409 ([`Error::Server`] with `handover_to_self`, `courier_off_duty`,
    /// `handover_already_assigned`, `no_handover_requested`, `task_final`), told in words.
    pub async fn take_handover(&self, task_id: &str) -> Result<TakenHandover> {
        if task_id.trim().is_empty() {
            return Err(Error::InvalidArgument("a task id is required".into()));
        }
        self.sync().await?;
        let taken = self.remote.take_handover(task_id).await?;
        tracing::info!(seq = taken.seq, "took a nearby courier's handover");
        if let Err(e) = self.sync().await {
            // The take stands on the server; the next sync brings the task.
            tracing::warn!(error = %e, "sync after taking a handover failed");
        }
        Ok(taken)
    }
}

#[cfg(test)]
mod tests {
    use runsheet_words::Words;

    use super::*;

    fn refused(code: &str) -> Error {
        Error::Server {
            status: 409,
            code: code.into(),
            reason: "refused".into(),
            retry_after: None,
            mutation_id: None,
        }
    }

    #[test]
    fn every_take_refusal_has_its_own_sentence_in_both_languages() {
        for locale in ["zh-CN", "en"] {
            let words = Words::new(locale);
            let generic = refused("same_courier").sentence(&words);
            let mut seen = Vec::new();
            for code in crate::error::TAKE_REFUSALS {
                let s = refused(code).sentence(&words);
                assert!(
                    !s.is_empty() && !s.contains("error-take"),
                    "{locale} {code}: {s}"
                );
                assert_ne!(s, generic, "{locale} {code}");
                assert!(!seen.contains(&s), "{locale} {code}: {s} twice");
                seen.push(s);
            }
        }
        let zh = Words::new("zh-CN");
        assert!(refused("courier_off_duty").sentence(&zh).contains("未在岗"));
    }
}
