//! A nearby courier takes a handover: the open handover requests near a courier, and the take,
//! which names the taker as the receiving courier by the same rules as dispatch naming one
//! ([`handovers::assign`]).

use runsheet_protocol::{
    crow_distance_m, HandoverStatus, NearbyHandover, TakenHandover, TaskDoc,
    NEARBY_HANDOVER_RADIUS_M,
};

use super::{handovers, tasks, StoreError, Tx};
use crate::params;

/// How old a courier's last location fix may be to place them, in seconds; past it the task's
/// stops place them.
pub const FIX_FRESH_S: i64 = 1_800;

/// Where the courier handing `doc` over is: their last location fix of the last
/// [`FIX_FRESH_S`], else the task's pickup, else its drop-off (lat, lon).
fn giver_position(
    tx: &mut Tx<'_>,
    giver: &str,
    doc: &TaskDoc,
    now: i64,
) -> Result<(f64, f64), StoreError> {
    let fix = tx.query_opt(
        "SELECT lat, lon FROM location_fixes WHERE courier_id = ?1 AND recorded_at >= ?2
         ORDER BY recorded_at DESC, seq DESC LIMIT 1",
        params![giver, now - FIX_FRESH_S],
        |r| Ok((r.get::<f64>(0)?, r.get::<f64>(1)?)),
    )?;
    let stop = doc.pickup.as_ref().unwrap_or(&doc.dropoff);
    Ok(fix.unwrap_or((stop.lat, stop.lon)))
}

/// The open handover requests (asked for, no receiving courier named) of tasks other couriers
/// hold, within [`NEARBY_HANDOVER_RADIUS_M`] of (`lat`, `lon`), nearest first (then oldest
/// request first). `courier`'s own requests are not listed.
pub fn near(
    tx: &mut Tx<'_>,
    courier: &str,
    lat: f64,
    lon: f64,
    now: i64,
) -> Result<Vec<NearbyHandover>, StoreError> {
    // Handovers live in the task's details; only tasks that ever had one are read.
    let rows = tx.query_map(
        &format!(
            "SELECT id, {} FROM tasks WHERE courier_id IS NOT NULL AND courier_id <> ?1
             AND details LIKE ?2 ORDER BY id",
            tasks::COLUMNS
        ),
        params![courier, "%\"handovers\"%"],
        |r| Ok(r.clone()),
    )?;
    let mut found = Vec::new();
    for row in rows {
        let id: String = row.get(0)?;
        let rest = super::Row {
            values: row.values.get(1..).unwrap_or_default().to_vec(),
        };
        let (doc, _) = tasks::from_row(&id, &rest)?;
        if doc.status.is_final() {
            continue;
        }
        let Some(h) = handovers::open(&doc).filter(|h| h.status == HandoverStatus::Requested)
        else {
            continue;
        };
        let (h_seq, reason, note, requested_at) = (h.seq, h.reason, h.note.clone(), h.requested_at);
        let giver = h.from_courier.clone();
        let at = giver_position(tx, &giver, &doc, now)?;
        let distance_m = crow_distance_m(Some((lat, lon)), at);
        if distance_m > NEARBY_HANDOVER_RADIUS_M {
            continue;
        }
        found.push(NearbyHandover {
            task_id: doc.id.clone(),
            seq: h_seq,
            reason,
            note,
            bags: u32::try_from(doc.items.len()).unwrap_or(u32::MAX),
            distance_m,
            requested_at,
        });
    }
    found.sort_by(|a, b| {
        (a.distance_m, a.requested_at, &a.task_id).cmp(&(b.distance_m, b.requested_at, &b.task_id))
    });
    Ok(found)
}

/// `courier` takes the task's open handover request: they become its receiving courier, by the
/// rules of [`handovers::assign`] (refused `handover_to_self` for their own task,
/// `courier_off_duty` off duty or on a break, `handover_already_assigned` when another courier
/// or dispatch was first, `no_handover_requested`, `task_final`; unknown task: not found).
pub fn take(
    tx: &mut Tx<'_>,
    courier: &str,
    task_id: &str,
    now: i64,
) -> Result<TakenHandover, StoreError> {
    let doc = handovers::assign(tx, task_id, courier, now)?;
    let seq = doc.handovers.last().map_or(0, |h| h.seq);
    tracing::info!(seq, "handover taken by a nearby courier");
    Ok(TakenHandover {
        task_id: task_id.to_owned(),
        seq,
    })
}
