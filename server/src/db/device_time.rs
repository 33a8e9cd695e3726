//! When a courier acted, as far as the server can bound it. A phone's `device_time` is a claim:
//! its clock may be wrong, or set back on purpose. The server keeps the claim and beside it a
//! bounded time, which the KPIs use: the claim corrected by the device clock's offset (measured
//! by the server from the push's `sent_at`, else the offset the phone reports in the action's
//! context), never after the server received the action, and never before the previous action
//! of the same courier or of the same task.

use runsheet_protocol::Mutation;

use super::{StoreError, Tx};
use crate::params;

/// The device clock's offset from server time for a push received at `received`: measured from
/// the push's own send time when it carries one, else the offset the phone reported for the
/// action, else none.
pub fn offset(m: &Mutation, sent_at: Option<i64>, received: i64) -> i64 {
    match sent_at {
        Some(sent) => received.saturating_sub(sent),
        None => m.context.and_then(|c| c.clock_offset_s).unwrap_or(0),
    }
}

/// The bounded time of `m` pushed by `courier`, received at `received` with the device clock
/// `offset` seconds behind the server's.
pub fn bound(
    tx: &mut Tx<'_>,
    courier: &str,
    m: &Mutation,
    offset: i64,
    received: i64,
) -> Result<i64, StoreError> {
    let mut floor = i64::MIN;
    let by_courier: Option<Option<i64>> = tx.query_opt(
        "SELECT MAX(bounded_time) FROM mutations WHERE courier_id = ?1",
        params![courier],
        |r| r.get(0),
    )?;
    floor = floor.max(by_courier.flatten().unwrap_or(i64::MIN));
    if let Some(task) = m.action.task() {
        let by_task: Option<Option<i64>> = tx.query_opt(
            "SELECT MAX(bounded_time) FROM mutations WHERE task_id = ?1",
            params![task],
            |r| r.get(0),
        )?;
        floor = floor.max(by_task.flatten().unwrap_or(i64::MIN));
    }
    let corrected = m.device_time.saturating_add(offset);
    Ok(corrected.max(floor).min(received))
}
