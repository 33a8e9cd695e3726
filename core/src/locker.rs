//! Lockers and pickup points on the phone: a drop-off that is a parcel locker or a staffed
//! pickup point is proven by scanning the locker's label and the compartment's code (instead of
//! a photo or the customer's code). The phone checks the label against the task's locker
//! offline; a wrong one is refused and nothing is recorded.

use runsheet_protocol::{compartment_problem, Action};
use rusqlite::{params, Connection, OptionalExtension};

use crate::device::Device;
use crate::error::{Error, Result};

/// The codes scanned at a locker drop-off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LockerDrop {
    /// The locker's label as scanned.
    pub locker_code: String,
    /// The compartment (or shelf) the goods went into.
    pub compartment: String,
    /// When, device time.
    pub at: i64,
}

/// The drop-off recorded for a task, if any.
pub fn drop_of(conn: &Connection, task_id: &str) -> Result<Option<LockerDrop>> {
    Ok(conn
        .query_row(
            "SELECT locker_code, compartment, at FROM locker_drops WHERE task_id = ?1",
            [task_id],
            |r| {
                Ok(LockerDrop {
                    locker_code: r.get(0)?,
                    compartment: r.get(1)?,
                    at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Records that the goods went into the task's locker: its label and the compartment, both
/// scanned. The label must be the task's locker's ([`Error::WrongLocker`] otherwise).
pub(crate) fn drop_off(
    dev: &Device,
    task_id: &str,
    locker_code: &str,
    compartment: &str,
) -> Result<i64> {
    let t = dev.task(task_id)?;
    let locker = t.locker.ok_or_else(|| {
        Error::InvalidArgument(format!("task {task_id} is not a locker drop-off"))
    })?;
    if let Some(p) = compartment_problem(compartment) {
        return Err(Error::InvalidArgument(p.to_owned()));
    }
    if !locker.matches(locker_code) {
        tracing::info!("a locker label that is not the task's was scanned");
        return Err(Error::WrongLocker {
            task_id: task_id.to_owned(),
        });
    }
    let (code, compartment) = (locker_code.trim().to_owned(), compartment.trim().to_owned());
    let now = dev.now();
    let row = (task_id.to_owned(), code.clone(), compartment.clone());
    dev.act_with(
        Action::LockerDrop {
            task_id: task_id.to_owned(),
            locker_code: code,
            compartment,
        },
        &mut move |tx| {
            let (task, code, compartment) = &row;
            tx.execute(
                "INSERT OR REPLACE INTO locker_drops (task_id, locker_code, compartment, at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![task, code, compartment, now],
            )?;
            Ok(())
        },
    )
}
