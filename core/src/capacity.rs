//! The courier's box: the vehicle dispatch set for them (kept on the phone so it applies
//! offline), the load of the goods on board, and the rule that a pickup must fit. The
//! arithmetic is the protocol's ([`runsheet_protocol::box_overflow`]), shared with the server.

use runsheet_protocol::{box_overflow, order_load, Load, Overflow, VehicleDoc, VehicleKind};
use rusqlite::Connection;

use crate::blocker::Blocker;
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};
use crate::task::{self, Task};

/// The box as the courier sees it now: what is on board and the room (none when dispatch set
/// no vehicle: then nothing is limited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BoxState {
    /// The vehicle, if dispatch set one.
    pub vehicle: Option<VehicleKind>,
    /// Units of the goods on board, in the box and in the chilled compartment.
    pub load: Load,
    /// The room, if dispatch set a vehicle.
    pub capacity: Option<Load>,
}

/// The stored vehicle, if the server ever sent one. An unreadable one counts as none, with a
/// log line (the planner then plans without a limit rather than blocking the courier).
pub fn vehicle(conn: &Connection) -> Result<Option<VehicleDoc>> {
    Ok(match meta_get(conn, "vehicle")? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| tracing::warn!(error = %e, "stored vehicle unreadable; ignored"))
            .ok(),
        None => None,
    })
}

/// The version of the stored vehicle (0: none), for the pull.
pub fn vehicle_version(conn: &Connection) -> Result<i64> {
    Ok(vehicle(conn)?.map_or(0, |v| v.version))
}

/// Stores the vehicle the server sent, unless it is out of range (then the previous one
/// stays, with a log line: a bad setting must not break the phone). True when stored.
pub fn store_vehicle(conn: &Connection, v: &VehicleDoc) -> Result<bool> {
    if let Some((field, problem)) = v.problem() {
        tracing::warn!(field, problem, "server vehicle refused");
        return Ok(false);
    }
    let json = serde_json::to_string(v)
        .map_err(|e| Error::Corrupt(format!("vehicle cannot be encoded: {e}")))?;
    meta_set(conn, "vehicle", &json)?;
    Ok(true)
}

/// The load of the goods on board among `tasks`, leaving out the task `except` (the one about
/// to be picked up).
pub fn on_board(tasks: &[Task], except: Option<&str>) -> Load {
    tasks
        .iter()
        .filter(|t| t.goods_on_board() && Some(t.id.as_str()) != except)
        .fold(Load::ZERO, |l, t| l.plus(order_load(&t.items)))
}

/// The box now, from the stored tasks and vehicle.
pub fn box_state(conn: &Connection) -> Result<BoxState> {
    let v = vehicle(conn)?;
    Ok(box_state_of(&task::list(conn)?, v.as_ref()))
}

/// The box for `tasks` (just read) and vehicle `v`.
pub fn box_state_of(tasks: &[Task], v: Option<&VehicleDoc>) -> BoxState {
    BoxState {
        vehicle: v.map(|v| v.kind),
        load: on_board(tasks, None),
        capacity: v.map(VehicleDoc::capacity),
    }
}

/// Whether picking up task `t` would overflow the box or the chilled compartment, given the
/// goods already on board: the overflow, or `None` when it fits or no vehicle is set.
pub fn pickup_overflow(conn: &Connection, t: &Task) -> Result<Option<Overflow>> {
    let Some(v) = vehicle(conn)? else {
        return Ok(None);
    };
    let now = on_board(&task::list(conn)?, Some(&t.id));
    Ok(box_overflow(now, &t.items, v.capacity()))
}

/// The blocker of a pickup that would overflow the box (see [`pickup_overflow`]).
pub fn pickup_blocker(conn: &Connection, t: &Task) -> Result<Option<Blocker>> {
    Ok(pickup_overflow(conn, t)?.map(|o| Blocker::BoxFull {
        compartment: o.compartment,
        units: o.units,
        capacity: o.capacity,
    }))
}
