//! Locker and pickup-point drop-offs on the server: the locker's label the courier scanned is
//! checked against the task's locker, and the label and compartment are kept as the proof.

use runsheet_protocol::{LockerDoc, LockerDrop};

use super::{StoreError, Tx};
use crate::params;

/// Why a drop-off cannot be recorded, if it cannot: the task has no locker, or the label
/// scanned is another locker's.
pub fn refusal(locker: Option<&LockerDoc>, locker_code: &str) -> Option<&'static str> {
    match locker {
        None => Some("the task's drop-off is not a locker or pickup point"),
        Some(l) if !l.matches(locker_code) => Some("the scanned code is not the task's locker"),
        Some(_) => None,
    }
}

/// Records the proof of a locker drop-off (a later scan of the same task replaces it).
pub fn record(
    tx: &mut Tx<'_>,
    task_id: &str,
    courier: &str,
    locker: &LockerDoc,
    compartment: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO locker_drops (task_id, courier_id, locker_id, locker_code, compartment,
             dropped_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (task_id) DO UPDATE SET courier_id = excluded.courier_id,
             locker_id = excluded.locker_id, locker_code = excluded.locker_code,
             compartment = excluded.compartment, dropped_at = excluded.dropped_at",
        params![
            task_id,
            courier,
            locker.locker_id,
            locker.code,
            compartment.trim(),
            now
        ],
    )?;
    Ok(())
}

/// The proof of a task's locker drop-off, if one was recorded.
pub fn get(tx: &mut Tx<'_>, task_id: &str) -> Result<Option<LockerDrop>, StoreError> {
    tx.query_opt(
        "SELECT task_id, courier_id, locker_id, locker_code, compartment, dropped_at
         FROM locker_drops WHERE task_id = ?1",
        params![task_id],
        |r| {
            Ok(LockerDrop {
                task_id: r.get(0)?,
                courier_id: r.get(1)?,
                locker_id: r.get(2)?,
                locker_code: r.get(3)?,
                compartment: r.get(4)?,
                dropped_at: r.get(5)?,
            })
        },
    )
}
