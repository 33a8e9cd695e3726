//! Pin corrections: a courier who finds the door away from the map pin moves it. The correction
//! is that courier's own until dispatch accepts it: their later tasks to the same address get the
//! corrected pin at once, everyone else's only once dispatch has accepted it (a wrong or
//! malicious correction never moves other couriers' pins by itself).

use runsheet_protocol::{StopDoc, TaskDoc};
use serde::{Deserialize, Serialize};

use super::{Refusal, StoreError, Tx};
use crate::params;

/// Where a correction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinCorrectionStatus {
    /// Awaiting dispatch: only the correcting courier's later tasks use it.
    Pending,
    /// Accepted by dispatch: every later task to the address uses it.
    Accepted,
    /// Rejected by dispatch: no later task uses it.
    Rejected,
}

impl PinCorrectionStatus {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            PinCorrectionStatus::Pending => "pending",
            PinCorrectionStatus::Accepted => "accepted",
            PinCorrectionStatus::Rejected => "rejected",
        }
    }

    /// Parses [`PinCorrectionStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Rejected]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A courier's correction of a drop-off pin, as dispatch reviews it (no address: the task id
/// leads to it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinCorrection {
    /// The correction's id.
    pub id: i64,
    /// The task whose drop-off was corrected.
    pub task_id: String,
    /// The courier who corrected it.
    pub courier_id: String,
    /// The corrected latitude (WGS-84).
    pub lat: f64,
    /// The corrected longitude.
    pub lon: f64,
    /// The pin's latitude before the correction.
    pub original_lat: f64,
    /// The pin's longitude before the correction.
    pub original_lon: f64,
    /// When the server applied it, Unix seconds.
    pub corrected_at: i64,
    /// Pending, accepted or rejected.
    pub status: PinCorrectionStatus,
    /// When dispatch decided, Unix seconds.
    pub decided_at: Option<i64>,
}

/// The key under which a drop-off address's pin correction is kept: the address with case and
/// spacing folded, hashed (the key itself carries no address).
pub fn address_key(address: &str) -> String {
    use sha2::{Digest, Sha256};
    let folded: String = address
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    hex::encode(Sha256::digest(folded.as_bytes()))
}

/// The courier's (`?2`) newest pending correction of the address keyed `?1`: its latitude and
/// longitude.
pub(crate) const OWN_PENDING_PIN: &str = "SELECT lat, lon FROM pin_corrections
             WHERE address_key = ?1 AND courier_id = ?2 AND status = 'pending'
             ORDER BY id DESC LIMIT 1";

/// The pin dispatch accepted last for the address keyed `?1`: its latitude and longitude.
pub(crate) const ACCEPTED_PIN: &str = "SELECT lat, lon FROM address_pins WHERE address_key = ?1";

/// Gives a new task's drop-off the corrected pin of the same address that `courier` may use:
/// their own newest pending correction, else the one dispatch accepted last, if any.
pub fn apply(
    tx: &mut Tx<'_>,
    dropoff: &mut StopDoc,
    courier: Option<&str>,
) -> Result<(), StoreError> {
    let key = address_key(&dropoff.address);
    let own: Option<(f64, f64)> = match courier {
        Some(c) => tx.query_opt(OWN_PENDING_PIN, params![key, c], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?,
        None => None,
    };
    let accepted = match own {
        Some(_) => None,
        None => tx.query_opt(ACCEPTED_PIN, params![key], |r| Ok((r.get(0)?, r.get(1)?)))?,
    };
    place(dropoff, own, accepted);
    Ok(())
}

/// The rule of [`apply`] on what it reads: `own`, the courier's newest pending correction of
/// the drop-off's address, else `accepted`, the one dispatch accepted last, moves the pin.
pub(crate) fn place(dropoff: &mut StopDoc, own: Option<(f64, f64)>, accepted: Option<(f64, f64)>) {
    if let Some((lat, lon)) = own.or(accepted) {
        dropoff.lat = lat;
        dropoff.lon = lon;
        dropoff.pin_corrected = true;
    }
}

/// Records `courier`'s correction of the task's drop-off pin (`doc` as it was before), pending
/// until dispatch decides.
pub fn record(
    tx: &mut Tx<'_>,
    doc: &TaskDoc,
    courier: &str,
    lat: f64,
    lon: f64,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO pin_corrections (address_key, courier_id, task_id, lat, lon, original_lat,
             original_lon, corrected_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
        params![
            address_key(&doc.dropoff.address),
            courier,
            doc.id,
            lat,
            lon,
            doc.dropoff.lat,
            doc.dropoff.lon,
            now
        ],
    )?;
    Ok(())
}

const COLUMNS: &str = "id, task_id, courier_id, lat, lon, original_lat, original_lon, \
                       corrected_at, status, decided_at";

fn from_row(r: &super::Row) -> Result<PinCorrection, StoreError> {
    let status: String = r.get(8)?;
    Ok(PinCorrection {
        id: r.get(0)?,
        task_id: r.get(1)?,
        courier_id: r.get(2)?,
        lat: r.get(3)?,
        lon: r.get(4)?,
        original_lat: r.get(5)?,
        original_lon: r.get(6)?,
        corrected_at: r.get(7)?,
        status: PinCorrectionStatus::parse(&status)
            .ok_or_else(|| StoreError::Query(format!("unknown pin correction status {status}")))?,
        decided_at: r.get(9)?,
    })
}

/// Corrections in `status`, oldest first.
pub fn list(
    tx: &mut Tx<'_>,
    status: PinCorrectionStatus,
) -> Result<Vec<PinCorrection>, StoreError> {
    tx.query_map(
        &format!("SELECT {COLUMNS} FROM pin_corrections WHERE status = ?1 ORDER BY id"),
        params![status.as_str()],
        from_row,
    )
}

/// Dispatch accepts (every later task to the address gets the pin) or rejects (none does) a
/// pending correction.
pub fn decide(
    tx: &mut Tx<'_>,
    id: i64,
    accept: bool,
    now: i64,
) -> Result<PinCorrection, StoreError> {
    let select = format!("SELECT {COLUMNS} FROM pin_corrections WHERE id = ?1");
    let Some(c) = tx.query_opt(&select, params![id], from_row)? else {
        return Err(Refusal::NoSuchPinCorrection.into());
    };
    if c.status != PinCorrectionStatus::Pending {
        return Err(Refusal::PinCorrectionDecided.into());
    }
    let status = if accept {
        PinCorrectionStatus::Accepted
    } else {
        PinCorrectionStatus::Rejected
    };
    tx.execute(
        "UPDATE pin_corrections SET status = ?2, decided_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), now],
    )?;
    if accept {
        tx.execute(
            "INSERT INTO address_pins (address_key, lat, lon, courier_id, task_id, corrected_at)
             SELECT address_key, lat, lon, courier_id, task_id, corrected_at
             FROM pin_corrections WHERE id = ?1
             ON CONFLICT(address_key) DO UPDATE SET lat = excluded.lat, lon = excluded.lon,
                 courier_id = excluded.courier_id, task_id = excluded.task_id,
                 corrected_at = excluded.corrected_at",
            params![id],
        )?;
    }
    tracing::info!(
        correction = id,
        status = status.as_str(),
        "pin correction decided"
    );
    tx.query_opt(&select, params![id], from_row)?
        .ok_or_else(|| StoreError::Query("a decided pin correction vanished".into()))
}
