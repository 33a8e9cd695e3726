//! Couriers: who they are (only a digest of their token is kept) and their duty status.

use runsheet_protocol::ShiftEvent;
use serde::{Deserialize, Serialize};

use super::{Refusal, StoreError, Tx};
use crate::params;

/// Registers a courier with the SHA-256 digest of their token; refused if the id exists.
pub fn create(
    tx: &mut Tx<'_>,
    id: &str,
    name: &str,
    token_sha256: &str,
    now: i64,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "INSERT INTO couriers (id, name, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO NOTHING",
        params![id, name, token_sha256, now],
    )?;
    if n == 0 {
        return Err(Refusal::CourierExists.into());
    }
    Ok(())
}

/// The courier whose token has this SHA-256 digest, if any.
pub fn by_token(tx: &mut Tx<'_>, token_sha256: &str) -> Result<Option<String>, StoreError> {
    tx.query_opt(
        "SELECT id FROM couriers WHERE token_sha256 = ?1",
        params![token_sha256],
        |r| r.get::<String>(0),
    )
}

/// Refused with [`Refusal::NoSuchCourier`] unless the courier exists.
pub fn must_exist(tx: &mut Tx<'_>, id: &str) -> Result<(), StoreError> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM couriers WHERE id = ?1)",
        params![id],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(Refusal::NoSuchCourier.into())
    }
}

/// A courier's duty status, as dispatch monitoring sees it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CourierStatus {
    /// The courier.
    pub courier_id: String,
    /// `on_duty`, `on_break` or `off_duty`.
    pub state: String,
    /// Since when, by the server clock (0: never reported).
    pub since: i64,
}

/// The courier's duty status (off duty since 0 when they never reported one).
pub fn status(tx: &mut Tx<'_>, id: &str) -> Result<CourierStatus, StoreError> {
    must_exist(tx, id)?;
    let row: Option<(String, i64)> = tx.query_opt(
        "SELECT state, since FROM courier_status WHERE courier_id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (state, since) = row.unwrap_or_else(|| ("off_duty".into(), 0));
    Ok(CourierStatus {
        courier_id: id.to_owned(),
        state,
        since,
    })
}

/// Records a shift event as the courier's duty status from `now`.
pub fn record_shift(
    tx: &mut Tx<'_>,
    courier: &str,
    event: ShiftEvent,
    now: i64,
) -> Result<(), StoreError> {
    let state = match event {
        ShiftEvent::Start | ShiftEvent::BreakEnd => "on_duty",
        ShiftEvent::BreakStart => "on_break",
        ShiftEvent::End => "off_duty",
    };
    tx.execute(
        "INSERT INTO courier_status (courier_id, state, since) VALUES (?1, ?2, ?3)
         ON CONFLICT(courier_id) DO UPDATE SET state = excluded.state, since = excluded.since",
        params![courier, state, now],
    )?;
    Ok(())
}
