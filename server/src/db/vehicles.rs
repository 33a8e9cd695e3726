//! Each courier's vehicle and box, as dispatch sets them, versioned per courier: the pull
//! hands the courier's phone the vehicle when it is newer than the one the phone holds.

use runsheet_protocol::VehicleDoc;

use super::{couriers, StoreError, Tx};
use crate::params;

/// The courier's vehicle, if dispatch ever set one.
pub fn load(tx: &mut Tx<'_>, courier: &str) -> Result<Option<VehicleDoc>, StoreError> {
    let row: Option<(i64, String)> = tx.query_opt(
        "SELECT version, body FROM vehicles WHERE courier_id = ?1",
        params![courier],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    row.map(|(version, body)| from_row(version, &body))
        .transpose()
}

/// The vehicle stored as `body` at `version`.
pub(crate) fn from_row(version: i64, body: &str) -> Result<VehicleDoc, StoreError> {
    let mut v: VehicleDoc = serde_json::from_str(body).map_err(StoreError::document)?;
    v.version = version;
    Ok(v)
}

/// The courier's vehicle when newer than `version` (what the phone holds).
pub fn newer(
    tx: &mut Tx<'_>,
    courier: &str,
    version: i64,
) -> Result<Option<VehicleDoc>, StoreError> {
    Ok(load(tx, courier)?.filter(|v| v.version > version))
}

/// Sets the courier's vehicle (version + 1) and wakes the courier's waiting pulls; refused
/// when no courier has this id.
pub fn set(tx: &mut Tx<'_>, courier: &str, vehicle: VehicleDoc) -> Result<VehicleDoc, StoreError> {
    couriers::must_exist(tx, courier)?;
    tx.lock_courier(courier)?;
    tx.announce(courier)?;
    let version: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM vehicles WHERE courier_id = ?1",
        params![courier],
        |r| r.get(0),
    )?;
    let stored = VehicleDoc {
        version: 0,
        ..vehicle
    };
    let json = serde_json::to_string(&stored).map_err(StoreError::document)?;
    tx.execute(
        "INSERT INTO vehicles (courier_id, version, body) VALUES (?1, ?2, ?3)
         ON CONFLICT(courier_id) DO UPDATE SET version = excluded.version, body = excluded.body",
        params![courier, version, json],
    )?;
    Ok(VehicleDoc { version, ..stored })
}
