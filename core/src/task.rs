//! Tasks and their stops as the courier's device holds them, and the courier actions that
//! change them.

use runsheet_protocol::{
    Action, ItemDoc, LockerDoc, Money, ProofPolicy, StopDoc, StopRole, TaskDoc, TaskKind,
    TaskStatus,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::custody::Custody;
use crate::error::{Error, Result};

/// A place on the task: merchant, depot or customer door, as the protocol declares it (names,
/// addresses and phones are personal data; its `Debug` prints coordinates and times only).
pub type Stop = StopDoc;

/// A task on the courier's list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "CourierTask"))]
pub struct Task {
    /// The dispatcher's id.
    pub id: String,
    /// What kind of work.
    pub kind: TaskKind,
    /// Status as the courier sees it: the server's, with the courier's unsynced actions on top.
    pub status: TaskStatus,
    /// Where the goods are collected, if anywhere.
    pub pickup: Option<Stop>,
    /// Where the goods go.
    pub dropoff: Stop,
    /// The server's revision of the task last pulled.
    pub server_revision: i64,
    /// Courier actions on this task not yet acknowledged by the server.
    pub pending_actions: u32,
    /// Local revision: grows with every change stored for this task (used for listener diffs).
    pub local_rev: i64,
    /// When the customer ordered, Unix seconds.
    pub ordered_at: Option<i64>,
    /// The goods.
    pub items: Vec<ItemDoc>,
    /// Where the goods go back after a failed delivery (the pickup when absent).
    pub return_to: Option<Stop>,
    /// When the task reached a final status on this phone, Unix seconds.
    pub ended_at: Option<i64>,
    /// True once the customer's name, phone and address were removed from the phone.
    pub customer_data_purged: bool,
    /// Whether the customer will show a handoff code. Its hash stays inside the core (the
    /// shells never see it: see `scan::handoff`).
    pub handoff_code_required: bool,
    /// Wrong handoff codes entered so far.
    pub handoff_failures: u32,
    /// True once the customer's code matched.
    pub handoff_verified: bool,
    /// The customer asked for a contactless handover.
    pub contactless: bool,
    /// How the delivery must be proven.
    pub proof: ProofPolicy,
    /// The customer's language (BCP 47), if the platform gave one; messages to the customer go
    /// out in it, else in Chinese ([`crate::wording::customer_words`]).
    pub customer_locale: Option<String>,
    /// The after-sales case this task was created for (a redelivery, a return pickup or an
    /// exchange ordered by the case's resolution).
    pub case_id: Option<i64>,
    /// Items taken back from the customer at the drop-off (an exchange).
    pub take_back: Vec<ItemDoc>,
    /// Who holds the goods: this courier, the courier handing the task over to this one
    /// (incoming until every bag is scanned), or the courier this one handed it over to.
    pub custody: Custody,
    /// Cash on delivery: what the courier collects at the door (absent: paid).
    pub cash_due: Option<Money>,
    /// The parcel locker or pickup point the drop-off is, if it is one.
    pub locker: Option<LockerDoc>,
}

impl Task {
    /// The stop the courier is heading to or standing at for this task, if any.
    pub fn current_stop(&self) -> Option<(StopRole, &Stop)> {
        use TaskStatus::*;
        if self.custody != Custody::Mine {
            return None; // the goods are with another courier
        }
        match self.status {
            Assigned | Accepted | AtPickup => match &self.pickup {
                Some(p) => Some((StopRole::Pickup, p)),
                None => Some((StopRole::Dropoff, &self.dropoff)),
            },
            PickedUp | AtDropoff => Some((StopRole::Dropoff, &self.dropoff)),
            Failed => self.return_stop().map(|s| (StopRole::Return, s)),
            Delivered | Returned | Cancelled => None,
        }
    }

    /// Where failed goods go back: the return stop, else the pickup.
    pub fn return_stop(&self) -> Option<&Stop> {
        self.return_to.as_ref().or(self.pickup.as_ref())
    }

    /// True while the goods are in the courier's box (not while they are still with a
    /// courier handing the task over, nor after this courier handed them over).
    pub fn goods_on_board(&self) -> bool {
        self.custody == Custody::Mine
            && (self.status.goods_on_board()
                || (self.pickup.is_none() && self.status == TaskStatus::Accepted))
    }

    /// True once the task needs nothing more of this courier: a final status, or handed over
    /// to another courier.
    pub fn is_done(&self) -> bool {
        self.status.is_final() || self.custody == Custody::HandedOver
    }
}

const TASK_COLUMNS: &str = "t.id, t.kind, t.status, t.server_revision, t.local_rev,
    (SELECT COUNT(*) FROM outbox o WHERE o.task_id = t.id), t.ordered_at, t.items, t.return_to,
    t.ended_at, t.purged_at, t.handoff_code, t.handoff_failures, t.handoff_verified,
    t.contactless, t.proof, t.customer_locale, t.case_id, t.take_back, t.cash_due, t.locker";

fn task_from_row(conn: &Connection, row: &Row<'_>) -> Result<Task> {
    let id: String = row.get(0)?;
    let kind: String = row.get(1)?;
    let status: String = row.get(2)?;
    let kind = TaskKind::parse(&kind)
        .ok_or_else(|| Error::Corrupt(format!("unknown task kind {kind:?} in the store")))?;
    let status = TaskStatus::parse(&status)
        .ok_or_else(|| Error::Corrupt(format!("unknown task status {status:?} in the store")))?;
    let (pickup, dropoff) = load_stops(conn, &id)?;
    let custody = crate::custody::of(conn, &id)?;
    let cash_due = json_column(&id, "cash due", row.get(19)?)?;
    let locker = json_column(&id, "locker", row.get(20)?)?;
    let dropoff =
        dropoff.ok_or_else(|| Error::Corrupt(format!("task {id} has no drop-off stop")))?;
    let items: String = row.get(7)?;
    let items: Vec<ItemDoc> = serde_json::from_str(&items)
        .map_err(|e| Error::Corrupt(format!("task {id} has unreadable items: {e}")))?;
    let return_to: Option<String> = row.get(8)?;
    let return_to = match return_to {
        Some(j) => Some(serde_json::from_str::<StopDoc>(&j).map_err(|e| {
            Error::Corrupt(format!("task {id} has an unreadable return stop: {e}"))
        })?),
        None => None,
    };
    Ok(Task {
        id,
        kind,
        status,
        pickup,
        dropoff,
        server_revision: row.get(3)?,
        local_rev: row.get(4)?,
        pending_actions: row.get(5)?,
        ordered_at: row.get(6)?,
        items,
        return_to,
        ended_at: row.get(9)?,
        customer_data_purged: row.get::<_, Option<i64>>(10)?.is_some(),
        handoff_code_required: row.get::<_, Option<String>>(11)?.is_some(),
        handoff_failures: row.get(12)?,
        handoff_verified: row.get::<_, i64>(13)? != 0,
        contactless: row.get::<_, i64>(14)? != 0,
        proof: serde_json::from_value(serde_json::Value::String(row.get(15)?)).unwrap_or_default(),
        customer_locale: row.get(16)?,
        case_id: row.get(17)?,
        take_back: serde_json::from_str(&row.get::<_, String>(18)?).unwrap_or_default(),
        custody,
        cash_due,
        locker,
    })
}

/// A nullable JSON column: `None` when NULL, the error names the task and what is unreadable.
fn json_column<T: serde::de::DeserializeOwned>(
    task_id: &str,
    what: &str,
    value: Option<String>,
) -> Result<Option<T>> {
    value
        .map(|j| {
            serde_json::from_str(&j).map_err(|e| {
                Error::Corrupt(format!("task {task_id} has an unreadable {what}: {e}"))
            })
        })
        .transpose()
}

fn load_stops(conn: &Connection, task_id: &str) -> Result<(Option<Stop>, Option<Stop>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT role, name, address, phone, lat, lon, ready_at, due_by, not_before, pin_corrected
         FROM stops WHERE task_id = ?1",
    )?;
    let mut rows = stmt.query([task_id])?;
    let (mut pickup, mut dropoff) = (None, None);
    while let Some(r) = rows.next()? {
        let role: String = r.get(0)?;
        let stop = Stop {
            name: r.get(1)?,
            address: r.get(2)?,
            phone: r.get(3)?,
            lat: r.get(4)?,
            lon: r.get(5)?,
            ready_at: r.get(6)?,
            due_by: r.get(7)?,
            not_before: r.get(8)?,
            pin_corrected: r.get::<_, i64>(9)? != 0,
        };
        if role == "pickup" {
            pickup = Some(stop);
        } else {
            dropoff = Some(stop);
        }
    }
    Ok((pickup, dropoff))
}

/// All tasks on the list: open ones first by promised time, then finished ones.
pub fn list(conn: &Connection) -> Result<Vec<Task>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks t
         LEFT JOIN stops d ON d.task_id = t.id AND d.role = 'dropoff'
         ORDER BY (t.status IN ('delivered', 'returned', 'cancelled')), d.due_by IS NULL,
             d.due_by, t.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(task_from_row(conn, row)?);
    }
    Ok(out)
}

/// One task by id.
pub fn get(conn: &Connection, task_id: &str) -> Result<Option<Task>> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([task_id])?;
    match rows.next()? {
        Some(row) => Ok(Some(task_from_row(conn, row)?)),
        None => Ok(None),
    }
}

/// Stores the server's version of a task, replacing the local one (the caller rebases pending
/// actions on top afterwards).
pub fn upsert_from_server(conn: &Connection, doc: &TaskDoc) -> Result<()> {
    let items = serde_json::to_string(&doc.items)
        .map_err(|e| Error::InvalidArgument(format!("items cannot be encoded: {e}")))?;
    let take_back = serde_json::to_string(&doc.take_back)
        .map_err(|e| Error::InvalidArgument(format!("items cannot be encoded: {e}")))?;
    let return_to = match &doc.return_to {
        Some(r) => Some(
            serde_json::to_string(r)
                .map_err(|e| Error::InvalidArgument(format!("stop cannot be encoded: {e}")))?,
        ),
        None => None,
    };
    conn.execute(
        "INSERT INTO tasks (id, kind, status, server_revision, local_rev, ordered_at, items,
             return_to, handoff_code, contactless, proof, customer_locale, case_id, take_back,
             cash_due, locker)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, status = excluded.status,
             server_revision = excluded.server_revision, local_rev = tasks.local_rev + 1,
             ordered_at = excluded.ordered_at, items = excluded.items,
             return_to = excluded.return_to, handoff_code = excluded.handoff_code,
             contactless = excluded.contactless, proof = excluded.proof,
             customer_locale = excluded.customer_locale, case_id = excluded.case_id,
             take_back = excluded.take_back, cash_due = excluded.cash_due,
             locker = excluded.locker, purged_at = NULL",
        params![
            doc.id,
            doc.kind.as_str(),
            doc.status.as_str(),
            doc.revision,
            doc.ordered_at,
            items,
            return_to,
            doc.handoff_code
                .as_ref()
                .and_then(|h| serde_json::to_string(h).ok()),
            doc.contactless as i64,
            serde_json::to_value(doc.proof)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "none".into()),
            doc.customer_locale,
            doc.case_id,
            take_back,
            doc.cash_due
                .as_ref()
                .and_then(|m| serde_json::to_string(m).ok()),
            doc.locker
                .as_ref()
                .and_then(|l| serde_json::to_string(l).ok())
        ],
    )?;
    crate::custody::store(conn, doc)?;
    conn.execute("DELETE FROM stops WHERE task_id = ?1", [&doc.id])?;
    if let Some(p) = &doc.pickup {
        insert_stop(conn, &doc.id, "pickup", p)?;
    }
    insert_stop(conn, &doc.id, "dropoff", &doc.dropoff)?;
    Ok(())
}

fn insert_stop(conn: &Connection, task_id: &str, role: &str, s: &StopDoc) -> Result<()> {
    conn.execute(
        "INSERT INTO stops (task_id, role, name, address, phone, lat, lon, ready_at, due_by,
             not_before, pin_corrected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            task_id,
            role,
            s.name,
            s.address,
            s.phone,
            s.lat,
            s.lon,
            s.ready_at,
            s.due_by,
            s.not_before,
            s.pin_corrected as i64
        ],
    )?;
    Ok(())
}

/// Drops a task the courier no longer holds. Its pending actions stay in the outbox: they are
/// physical facts the server must still receive.
pub fn remove(conn: &Connection, task_id: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM tasks WHERE id = ?1", [task_id])? > 0)
}

/// Checks that `action` is allowed on the task as stored (the workflow table shared with the
/// server, [`TaskStatus::after`]) and applies it to the local state. Used both when the courier
/// acts and when pending actions are replayed after a pull. Guards beyond the table (arrival,
/// contact attempts, photos) are the workflow module's, checked only when the courier acts.
pub fn apply_action(conn: &Connection, action: &Action) -> Result<()> {
    let Some(task_id) = action.task() else {
        return Ok(()); // shift events change no task
    };
    let row: Option<(String, bool)> = conn
        .query_row(
            "SELECT status, EXISTS(SELECT 1 FROM stops WHERE task_id = ?1 AND role = 'pickup')
             FROM tasks WHERE id = ?1",
            [task_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (status, has_pickup) = row.ok_or_else(|| Error::TaskNotFound {
        task_id: task_id.to_owned(),
    })?;
    let status = TaskStatus::parse(&status)
        .ok_or_else(|| Error::Corrupt(format!("unknown task status {status:?} in the store")))?;
    // A statement on a case, a recalled item set aside and the steps of a handover leave the
    // task's status as it is (the workflow's guards decided whether they are allowed).
    if matches!(
        action,
        Action::AnswerCase { .. }
            | Action::SetAside { .. }
            | Action::RequestHandover { .. }
            | Action::ReceiveHandover { .. }
    ) {
        return Ok(());
    }
    let next = status
        .after(action, has_pickup)
        .ok_or_else(|| Error::InvalidTransition {
            task_id: task_id.to_owned(),
            status,
            action: action.name(),
        })?;
    conn.execute(
        "UPDATE tasks SET status = ?2, local_rev = local_rev + 1 WHERE id = ?1",
        params![task_id, next.as_str()],
    )?;
    match action {
        Action::ReportException {
            ready_at: Some(ready),
            ..
        } => {
            conn.execute(
                "UPDATE stops SET ready_at = ?2 WHERE task_id = ?1 AND role = 'pickup'",
                params![task_id, ready],
            )?;
        }
        Action::CorrectPin { lat, lon, .. } => {
            conn.execute(
                "UPDATE stops SET lat = ?2, lon = ?3, pin_corrected = 1
                 WHERE task_id = ?1 AND role = 'dropoff'",
                params![task_id, lat, lon],
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// Stamps `ended_at` on tasks that reached a final status and have none yet.
pub fn mark_ended(conn: &Connection, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE tasks SET ended_at = ?1
         WHERE ended_at IS NULL AND status IN ('delivered', 'returned', 'cancelled')",
        [now],
    )?;
    Ok(())
}
