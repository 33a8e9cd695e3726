//! Handovers between couriers in the store. A handover lives in its task's document
//! ([`TaskDoc::handovers`], stored in the task's `details`), so it travels with the task through
//! the change feed on both databases with no statement of its own. The task stays the first
//! courier's until the receiving courier's scan of every bag arrives; then it moves.

use std::collections::BTreeSet;

use runsheet_protocol::{
    HandoverDoc, HandoverReason, HandoverRefusal, HandoverSide, HandoverStatus, TaskDoc,
};

use super::{couriers, tasks, Refusal, StoreError, Tx};
use crate::params;

/// The task's handover that may still happen, if any (only the last one can be open).
pub fn open(doc: &TaskDoc) -> Option<&HandoverDoc> {
    doc.handovers.last().filter(|h| h.status.is_open())
}

fn open_mut(doc: &mut TaskDoc) -> Option<&mut HandoverDoc> {
    doc.handovers.last_mut().filter(|h| h.status.is_open())
}

/// Writes the task's handovers back and bumps its revision.
fn save(tx: &mut Tx<'_>, doc: &TaskDoc, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE tasks SET details = ?2, revision = revision + 1, updated_at = ?3 WHERE id = ?1",
        params![doc.id, tasks::details_json(doc)?, now],
    )?;
    Ok(())
}

/// The courier holding `doc` asks to hand it over. `Err(reason)` (a sentence) when a handover of
/// the task is already open.
pub fn request(
    tx: &mut Tx<'_>,
    mut doc: TaskDoc,
    courier: &str,
    reason: HandoverReason,
    note: Option<&str>,
    now: i64,
) -> Result<Result<(), String>, StoreError> {
    if open(&doc).is_some() {
        return Ok(Err("a handover of this task is already open".into()));
    }
    let seq = doc.handovers.len() as i64 + 1;
    doc.handovers.push(HandoverDoc {
        seq,
        from_courier: courier.to_owned(),
        to_courier: None,
        reason,
        note: note.map(str::to_owned),
        status: HandoverStatus::Requested,
        requested_at: now,
        assigned_at: None,
        completed_at: None,
        scanned_at: None,
        bags: Vec::new(),
        voided_at: None,
        side: None,
    });
    save(tx, &doc, now)?;
    tasks::record_change(tx, courier, &doc.id, "upsert")?;
    tracing::info!(seq, reason = reason.as_str(), "handover requested");
    Ok(Ok(()))
}

/// Dispatch names the receiving courier of the task's open handover: both couriers' next pulls
/// bring the task (the receiver's as an incoming handover). Refused when there is no open
/// request, a receiver is already named, the receiver is the one handing over, or the receiver
/// is not on duty.
pub fn assign(tx: &mut Tx<'_>, task_id: &str, to: &str, now: i64) -> Result<TaskDoc, StoreError> {
    let (mut doc, _) = tasks::load(tx, task_id)?.ok_or(Refusal::NoSuchTask)?;
    if doc.status.is_final() {
        return Err(Refusal::TaskFinal(doc.status).into());
    }
    couriers::must_exist(tx, to)?;
    let Some(h) = open_mut(&mut doc) else {
        return Err(Refusal::Handover(HandoverRefusal::NoHandoverRequested).into());
    };
    if h.status == HandoverStatus::Assigned {
        return Err(Refusal::Handover(HandoverRefusal::HandoverAlreadyAssigned).into());
    }
    if h.from_courier == to {
        return Err(Refusal::Handover(HandoverRefusal::HandoverToSelf).into());
    }
    let from = h.from_courier.clone();
    if couriers::status(tx, to)?.state != "on_duty" {
        return Err(Refusal::Handover(HandoverRefusal::CourierOffDuty).into());
    }
    h.to_courier = Some(to.to_owned());
    h.status = HandoverStatus::Assigned;
    h.assigned_at = Some(now);
    let seq = h.seq;
    save(tx, &doc, now)?;
    tasks::record_change(tx, &from, task_id, "upsert")?;
    tasks::record_change(tx, to, task_id, "upsert")?;
    tracing::info!(seq, "handover assigned");
    tasks::load(tx, task_id)?
        .map(|(d, _)| d)
        .ok_or_else(|| StoreError::Query("the task vanished".into()))
}

/// Why a receiving scan is refused: the push's reject code and a sentence.
pub enum ReceiveRefusal {
    /// The handover is not this courier's to receive (another courier is named, or none).
    NotYours(String),
    /// The handover is no longer open (void, completed) or the task is finished.
    NotOpen(String),
    /// The bags scanned are not the task's manifest.
    WrongBags(String),
}

/// The receiving courier scanned every bag (`bags`, item codes) of handover `seq`: the task
/// becomes theirs. The giver's next pull brings the task with the handover completed (their
/// record of it); the receiver's brings the task as theirs.
pub fn receive(
    tx: &mut Tx<'_>,
    courier: &str,
    task_id: &str,
    seq: i64,
    bags: &[String],
    scanned_at: i64,
    now: i64,
) -> Result<Result<(), ReceiveRefusal>, StoreError> {
    let Some((mut doc, _owner)) = tasks::load(tx, task_id)? else {
        return Ok(Err(ReceiveRefusal::NotYours("no such task".into())));
    };
    let status = doc.status;
    let manifest: BTreeSet<&str> = doc.items.iter().map(|i| i.code.as_str()).collect();
    let scanned: BTreeSet<&str> = bags.iter().map(String::as_str).collect();
    let missing = manifest.difference(&scanned).count();
    let foreign = scanned.difference(&manifest).count();
    let manifest_ok = missing == 0 && foreign == 0;
    let Some(h) = doc.handovers.iter_mut().find(|h| h.seq == seq) else {
        return Ok(Err(ReceiveRefusal::NotYours(
            "no such handover of this task".into(),
        )));
    };
    if h.to_courier.as_deref() != Some(courier) {
        return Ok(Err(ReceiveRefusal::NotYours(
            "the handover is not to this courier".into(),
        )));
    }
    if h.status != HandoverStatus::Assigned || status.is_final() {
        return Ok(Err(ReceiveRefusal::NotOpen(format!(
            "the handover is {} and the task {} on the server",
            h.status.as_str(),
            status.as_str()
        ))));
    }
    if !manifest_ok {
        return Ok(Err(ReceiveRefusal::WrongBags(format!(
            "the scan misses {missing} bags of the task and has {foreign} that are not on it"
        ))));
    }
    h.status = HandoverStatus::Completed;
    h.completed_at = Some(now);
    h.scanned_at = Some(scanned_at);
    h.bags = scanned.iter().map(|s| (*s).to_owned()).collect();
    let from = h.from_courier.clone();
    save(tx, &doc, now)?;
    tx.execute(
        "UPDATE tasks SET courier_id = ?2 WHERE id = ?1",
        params![task_id, courier],
    )?;
    tasks::record_change(tx, &from, task_id, "upsert")?;
    tasks::record_change(tx, courier, task_id, "upsert")?;
    tracing::info!(seq, bags = bags.len(), "handover completed: custody passed");
    Ok(Ok(()))
}

/// Voids the task's open handover (the first courier finished the task, or dispatch cancelled
/// or reassigned it). A named receiver's next pull drops the task. Returns whether one was open.
pub fn void_open(tx: &mut Tx<'_>, task_id: &str, now: i64) -> Result<bool, StoreError> {
    let Some((mut doc, _)) = tasks::load(tx, task_id)? else {
        return Ok(false);
    };
    let Some(h) = open_mut(&mut doc) else {
        return Ok(false);
    };
    h.status = HandoverStatus::Void;
    h.voided_at = Some(now);
    let receiver = h.to_courier.clone();
    let seq = h.seq;
    tx.execute(
        "UPDATE tasks SET details = ?2, updated_at = ?3 WHERE id = ?1",
        params![doc.id, tasks::details_json(&doc)?, now],
    )?;
    if let Some(r) = receiver {
        tasks::record_change(tx, &r, task_id, "remove")?;
    }
    tracing::info!(seq, "handover void");
    Ok(true)
}

/// Whether the task goes to `courier` in a pull, with each handover's [`HandoverSide`] set for
/// them: the holder gets it, a named receiver of the open handover gets it (goods not yet
/// theirs), and a courier who handed it over keeps getting it (their record of the handover).
pub fn visible_to(doc: &mut TaskDoc, owner: Option<&str>, courier: &str) -> bool {
    for h in doc.handovers.iter_mut() {
        h.side = if h.from_courier == courier {
            Some(HandoverSide::Giver)
        } else if h.to_courier.as_deref() == Some(courier) {
            Some(HandoverSide::Receiver)
        } else {
            None
        };
    }
    if owner == Some(courier) {
        return true;
    }
    let incoming = doc.handovers.last().is_some_and(|h| {
        h.status == HandoverStatus::Assigned && h.to_courier.as_deref() == Some(courier)
    });
    let handed_over = doc
        .handovers
        .iter()
        .any(|h| h.status == HandoverStatus::Completed && h.from_courier == courier);
    incoming || handed_over
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(handovers: Vec<HandoverDoc>) -> TaskDoc {
        let mut d: TaskDoc = serde_json::from_value(serde_json::json!({
            "id": "P1", "kind": "parcel", "status": "picked_up", "revision": 1,
            "dropoff": {"name": "c", "address": "a", "lat": 31.2, "lon": 121.4}
        }))
        .unwrap();
        d.handovers = handovers;
        d
    }

    fn handover(status: HandoverStatus, to: Option<&str>) -> HandoverDoc {
        HandoverDoc {
            seq: 1,
            from_courier: "ann".into(),
            to_courier: to.map(str::to_owned),
            reason: HandoverReason::Overload,
            note: None,
            status,
            requested_at: 1,
            assigned_at: None,
            completed_at: None,
            scanned_at: None,
            bags: Vec::new(),
            voided_at: None,
            side: None,
        }
    }

    #[test]
    fn a_named_receiver_sees_the_task_before_custody_passes() {
        let mut d = doc(vec![handover(HandoverStatus::Assigned, Some("bob"))]);
        assert!(visible_to(&mut d, Some("ann"), "bob"));
        assert_eq!(d.handovers[0].side, Some(HandoverSide::Receiver));
        assert!(!visible_to(&mut d, Some("ann"), "cat"));
        assert_eq!(d.handovers[0].side, None);
        assert!(visible_to(&mut d, Some("ann"), "ann"));
        assert_eq!(d.handovers[0].side, Some(HandoverSide::Giver));
    }

    #[test]
    fn the_giver_keeps_a_completed_handover_and_a_void_one_leaves_the_receiver() {
        let mut d = doc(vec![handover(HandoverStatus::Completed, Some("bob"))]);
        assert!(visible_to(&mut d, Some("bob"), "ann"));
        assert_eq!(d.handovers[0].side, Some(HandoverSide::Giver));
        let mut v = doc(vec![handover(HandoverStatus::Void, Some("bob"))]);
        assert!(!visible_to(&mut v, Some("ann"), "bob"));
    }
}
