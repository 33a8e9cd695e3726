//! Pulls from a read replica. A push answers the primary's WAL position once it committed; the
//! phone sends it back with its next pull (`min_lsn`); a server given a standby
//! (`--replica-url`, a streaming replica of the primary) serves that pull from the standby when
//! the standby has replayed that far and holds the courier's changes up to the phone's cursor,
//! else from the primary. A page from the standby that brings nothing new is read again from
//! the primary (a change may have woken the phone that the standby has not replayed yet), and
//! so is a pull whose standby read fails. Long-polls always wait on the primary.

use std::sync::atomic::Ordering;

use runsheet_protocol::PullResponse;

use super::sync::{self, PullPosition};
use super::{Db, StoreError};
use crate::clock::Clock;

/// Whether `lsn` is written as PostgreSQL writes a WAL position: two hexadecimal numbers of
/// at most eight digits, `16/B374D848`.
pub fn is_lsn(lsn: &str) -> bool {
    let hex = |p: &str| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_hexdigit());
    lsn.split_once('/').is_some_and(|(a, b)| hex(a) && hex(b))
}

/// The primary's WAL position now (after a push committed), when pulls may be served by a
/// standby: what the push answers as `wal_lsn`. `None` without a standby (one round trip
/// saved).
pub async fn wal_position(db: &Db) -> Result<Option<String>, StoreError> {
    if !db.has_standby() {
        return Ok(None);
    }
    db.run_autocommit(|tx| {
        tx.query_row(
            "SELECT pg_current_wal_insert_lsn()::TEXT",
            crate::params![],
            |r| r.get::<String>(0),
        )
    })
    .await
    .map(Some)
}

/// A pull at once (no wait): from the standby when it can serve it (see the module's
/// description), else from the primary.
pub async fn pull(
    db: &Db,
    clock: Clock,
    courier: String,
    at: PullPosition,
    min_lsn: Option<String>,
) -> Result<PullResponse, StoreError> {
    if let Some(lsn) = min_lsn.filter(|l| db.has_standby() && is_lsn(l)) {
        let (c, who, pos) = (clock.clone(), courier.clone(), at.clone());
        let read = db
            .run_on_standby(move |tx| sync::pull_on_standby(tx, &c, &who, &pos, &lsn))
            .await;
        match read {
            Ok(Some(Some(page))) if !nothing_new(&page) => {
                db.standby_reads().served.fetch_add(1, Ordering::Relaxed);
                return Ok(page);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(
                error = %e,
                engine_code = e.engine_code().as_deref().unwrap_or("-"),
                "the standby could not serve a pull; the primary does"
            ),
        }
        db.standby_reads()
            .by_primary
            .fetch_add(1, Ordering::Relaxed);
    }
    db.run_autocommit(move |tx| sync::pull(tx, &clock, &courier, &at))
        .await
}

fn nothing_new(p: &PullResponse) -> bool {
    p.changes.is_empty() && p.settings.is_none() && p.checklists.is_empty() && p.ratings.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_positions_are_recognised_as_postgres_writes_them() {
        assert!(is_lsn("16/B374D848"));
        assert!(is_lsn("0/0"));
        assert!(!is_lsn("16/B374D848'"));
        assert!(!is_lsn("16"));
        assert!(!is_lsn("/1"));
        assert!(!is_lsn("123456789/1"));
    }
}
