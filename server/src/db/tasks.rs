//! Tasks as the server stores them, the per-courier change log that pull reads, and the
//! dispatcher's changes to tasks (create, cancel, reassign, new stops).

use runsheet_protocol::{
    HandoffCodeDoc, HandoverDoc, ItemDoc, LockerDoc, Money, ProofPolicy, StopDoc, TaskDoc,
    TaskStatus,
};
use serde::{Deserialize, Serialize};

use super::{couriers, pin_corrections, Refusal, Row, StoreError, Tx};
use crate::params;

/// A task and the courier it is assigned to.
pub type Assigned = (TaskDoc, Option<String>);

/// The columns [`from_row`] reads, in its order.
pub(crate) const COLUMNS: &str = "kind, status, pickup, dropoff, revision, courier_id, details";

/// Loads a task and the courier it is assigned to.
pub fn load(tx: &mut Tx<'_>, id: &str) -> Result<Option<Assigned>, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {COLUMNS} FROM tasks WHERE id = ?1"),
        params![id],
        |r| Ok(r.clone()),
    )?;
    row.map(|r| from_row(id, &r)).transpose()
}

/// The task `id` from a row of [`COLUMNS`].
pub(crate) fn from_row(id: &str, r: &Row) -> Result<Assigned, StoreError> {
    let kind: String = r.get(0)?;
    let status: String = r.get(1)?;
    let pickup: Option<String> = r.get(2)?;
    let dropoff: String = r.get(3)?;
    let revision: i64 = r.get(4)?;
    let courier: Option<String> = r.get(5)?;
    let details: String = r.get(6)?;
    let kind = runsheet_protocol::TaskKind::parse(&kind)
        .ok_or_else(|| StoreError::document("bad kind in store"))?;
    let status =
        TaskStatus::parse(&status).ok_or_else(|| StoreError::document("bad status in store"))?;
    let pickup: Option<StopDoc> = match pickup {
        Some(j) => Some(serde_json::from_str(&j).map_err(StoreError::document)?),
        None => None,
    };
    let dropoff: StopDoc = serde_json::from_str(&dropoff).map_err(StoreError::document)?;
    let details: Details = serde_json::from_str(&details).map_err(StoreError::document)?;
    Ok((
        TaskDoc {
            id: id.to_owned(),
            kind,
            status,
            pickup,
            dropoff,
            revision,
            ordered_at: details.ordered_at,
            items: details.items,
            return_to: details.return_to,
            handoff_code: details.handoff_code,
            contactless: details.contactless,
            proof: details.proof,
            customer_locale: details.customer_locale,
            case_id: details.case_id,
            take_back: details.take_back,
            handovers: details.handovers,
            cash_due: details.cash_due,
            locker: details.locker,
        },
        courier,
    ))
}

/// Loads a task that must exist.
fn load_existing(tx: &mut Tx<'_>, id: &str) -> Result<Assigned, StoreError> {
    load(tx, id)?.ok_or_else(|| Refusal::NoSuchTask.into())
}

/// The parts of a task stored as one JSON column (they are read and written whole).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Details {
    #[serde(default)]
    ordered_at: Option<i64>,
    #[serde(default)]
    items: Vec<ItemDoc>,
    #[serde(default)]
    return_to: Option<StopDoc>,
    #[serde(default)]
    handoff_code: Option<HandoffCodeDoc>,
    #[serde(default)]
    contactless: bool,
    #[serde(default)]
    proof: ProofPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    case_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    take_back: Vec<ItemDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    handovers: Vec<HandoverDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cash_due: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locker: Option<LockerDoc>,
}

/// The task's `details` column: the parts of `doc` stored as one JSON document.
pub(crate) fn details_json(doc: &TaskDoc) -> Result<String, StoreError> {
    serde_json::to_string(&Details {
        ordered_at: doc.ordered_at,
        items: doc.items.clone(),
        return_to: doc.return_to.clone(),
        handoff_code: doc.handoff_code.clone(),
        contactless: doc.contactless,
        proof: doc.proof,
        customer_locale: doc.customer_locale.clone(),
        case_id: doc.case_id,
        take_back: doc.take_back.clone(),
        handovers: doc.handovers.clone(),
        cash_due: doc.cash_due.clone(),
        locker: doc.locker.clone(),
    })
    .map_err(StoreError::document)
}

/// A stop as the task's `pickup` and `dropoff` columns hold it.
pub(crate) fn stop_json(stop: &StopDoc) -> Result<String, StoreError> {
    serde_json::to_string(stop).map_err(StoreError::document)
}

/// Appends to a courier's change log (what their next pull returns).
pub fn record_change(
    tx: &mut Tx<'_>,
    courier: &str,
    task_id: &str,
    op: &str,
) -> Result<(), StoreError> {
    // Under the courier's lock: their changes commit in sequence order, so a pull's cursor
    // never passes a change that commits later with a smaller number.
    tx.lock_courier(courier)?;
    tx.announce(courier)?;
    tx.execute(
        "INSERT INTO changes (courier_id, task_id, op) VALUES (?1, ?2, ?3)",
        params![courier, task_id, op],
    )?;
    Ok(())
}

/// Whether the courier ever had the task in their change log (held it at some time).
pub fn ever_held(tx: &mut Tx<'_>, courier: &str, task_id: &str) -> Result<bool, StoreError> {
    tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM changes WHERE courier_id = ?1 AND task_id = ?2)",
        params![courier, task_id],
        |r| r.get(0),
    )
}

/// The courier's change log after `cursor`: `(seq, task_id, op)`, at most `limit` rows.
pub fn changes_after(
    tx: &mut Tx<'_>,
    courier: &str,
    cursor: i64,
    limit: usize,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    tx.query_map(
        "SELECT seq, task_id, op FROM changes WHERE courier_id = ?1 AND seq > ?2
         ORDER BY seq LIMIT ?3",
        params![courier, cursor, limit as i64],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// The newest sequence number in the change feed (every courier's), 0 when it is empty: no
/// phone's cursor can be past it unless the server lost commits.
pub fn last_change_seq(tx: &mut Tx<'_>) -> Result<i64, StoreError> {
    let seq: Option<Option<i64>> =
        tx.query_opt("SELECT MAX(seq) FROM changes", params![], |r| r.get(0))?;
    Ok(seq.flatten().unwrap_or(0))
}

/// Inserts a new task (revision 1); refused if the id exists.
pub fn insert(
    tx: &mut Tx<'_>,
    doc: &TaskDoc,
    courier: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let pickup = doc.pickup.as_ref().map(stop_json).transpose()?;
    let dropoff = stop_json(&doc.dropoff)?;
    let inserted = tx.execute(
        "INSERT INTO tasks (id, courier_id, kind, status, pickup, dropoff, revision, updated_at,
             details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO NOTHING",
        params![
            doc.id,
            courier,
            doc.kind.as_str(),
            doc.status.as_str(),
            pickup,
            dropoff,
            doc.revision,
            now,
            details_json(doc)?
        ],
    )?;
    if inserted == 0 {
        return Err(Refusal::TaskExists.into());
    }
    if let Some(courier) = courier {
        record_change(tx, courier, &doc.id, "upsert")?;
    }
    Ok(())
}

/// A dispatcher's new task: its drop-off takes a corrected pin of the same address (the
/// courier's own pending one, else one dispatch accepted), and it is assigned to `courier` (who must exist) when given.
/// (On PostgreSQL the dispatch API creates in two statements, [`super::task_creation`], by the
/// same rules, and falls back to this transaction, which stays the rule.)
pub fn create(
    tx: &mut Tx<'_>,
    mut doc: TaskDoc,
    courier: Option<&str>,
    now: i64,
) -> Result<TaskDoc, StoreError> {
    pin_corrections::apply(tx, &mut doc.dropoff, courier)?;
    if let Some(courier) = courier {
        couriers::must_exist(tx, courier)?;
        super::training::must_be_qualified(tx, courier, &doc, now)?;
    }
    insert(tx, &doc, courier, now)?;
    Ok(doc)
}

/// Cancels a task that is not final; its courier's next pull brings the cancellation.
pub fn cancel(tx: &mut Tx<'_>, id: &str, now: i64) -> Result<Assigned, StoreError> {
    let (doc, courier) = load_existing(tx, id)?;
    if doc.status.is_final() {
        return Err(Refusal::TaskFinal(doc.status).into());
    }
    super::handovers::void_open(tx, id, now)?;
    tx.execute(
        "UPDATE tasks SET status = 'cancelled', revision = revision + 1, updated_at = ?2
         WHERE id = ?1",
        params![id, now],
    )?;
    if let Some(courier) = &courier {
        record_change(tx, courier, id, "upsert")?;
    }
    load(tx, id)?.ok_or_else(|| StoreError::Query("the task vanished".into()))
}

/// Applies `change` to a task that is not final, bumps its revision, and returns it.
fn change_open_task(
    tx: &mut Tx<'_>,
    id: &str,
    now: i64,
    change: impl FnOnce(&mut Tx<'_>, &TaskDoc, Option<&str>) -> Result<(), StoreError>,
) -> Result<Assigned, StoreError> {
    let (doc, courier) = load_existing(tx, id)?;
    if doc.status.is_final() {
        return Err(Refusal::TaskFinal(doc.status).into());
    }
    change(tx, &doc, courier.as_deref())?;
    tx.execute(
        "UPDATE tasks SET revision = revision + 1, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    load(tx, id)?.ok_or_else(|| StoreError::Query("the task vanished".into()))
}

/// Gives an open task to courier `to`: the old courier's next pull removes it, the new
/// courier's adds it, and the new courier starts its workflow afresh.
pub fn reassign(tx: &mut Tx<'_>, id: &str, to: &str, now: i64) -> Result<Assigned, StoreError> {
    change_open_task(tx, id, now, |tx, doc, from| {
        couriers::must_exist(tx, to)?;
        if from == Some(to) {
            return Err(Refusal::SameCourier.into());
        }
        // Dispatch decided otherwise: a handover not yet received is void.
        super::handovers::void_open(tx, &doc.id, now)?;
        super::training::must_be_qualified(tx, to, doc, now)?;
        // The new courier starts the workflow afresh: they must accept it, and arrive
        // themselves (a handover of goods is recorded as the new courier's pickup).
        tx.execute(
            "UPDATE tasks SET courier_id = ?2, status = 'assigned' WHERE id = ?1",
            params![doc.id, to],
        )?;
        if let Some(from) = from {
            record_change(tx, from, &doc.id, "remove")?;
        }
        record_change(tx, to, &doc.id, "upsert")
    })
}

/// New stops for an open task (order details the platform owns); its courier's next pull
/// brings them.
pub fn change_stops(
    tx: &mut Tx<'_>,
    id: &str,
    pickup: Option<&StopDoc>,
    dropoff: Option<&StopDoc>,
    now: i64,
) -> Result<Assigned, StoreError> {
    change_open_task(tx, id, now, |tx, doc, courier| {
        if let Some(p) = pickup {
            set_pickup(tx, &doc.id, p)?;
        }
        if let Some(d) = dropoff {
            set_dropoff(tx, &doc.id, d)?;
        }
        match courier {
            Some(courier) => record_change(tx, courier, &doc.id, "upsert"),
            None => Ok(()),
        }
    })
}

/// Replaces a task's pickup stop (its revision is bumped by the caller).
pub fn set_pickup(tx: &mut Tx<'_>, id: &str, pickup: &StopDoc) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE tasks SET pickup = ?2 WHERE id = ?1",
        params![id, stop_json(pickup)?],
    )?;
    Ok(())
}

/// Replaces a task's drop-off stop (its revision is bumped by the caller).
pub fn set_dropoff(tx: &mut Tx<'_>, id: &str, dropoff: &StopDoc) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE tasks SET dropoff = ?2 WHERE id = ?1",
        params![id, stop_json(dropoff)?],
    )?;
    Ok(())
}

/// Moves a task to `status`, bumping its revision.
pub fn set_status(
    tx: &mut Tx<'_>,
    id: &str,
    status: TaskStatus,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE tasks SET status = ?3, revision = revision + 1, updated_at = ?2 WHERE id = ?1",
        params![id, now, status.as_str()],
    )?;
    Ok(())
}
