//! Tasks and their stops as the courier's device holds them, and the courier actions that
//! change them.

use runsheet_protocol::{Action, StopDoc, TaskDoc, TaskKind, TaskStatus};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::{Error, Result};

/// A place on the task: merchant, depot or customer door.
#[derive(Clone, PartialEq)]
pub struct Stop {
    /// Merchant or customer name (personal data for customers).
    pub name: String,
    /// Street address (personal data for customers).
    pub address: String,
    /// Masked contact phone, when the platform gives one.
    pub phone: Option<String>,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// When the goods are ready, Unix seconds.
    pub ready_at: Option<i64>,
    /// Promised time at this stop, Unix seconds.
    pub due_by: Option<i64>,
}

impl std::fmt::Debug for Stop {
    /// Coordinates and times only: names, addresses and phones never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stop")
            .field("lat", &self.lat)
            .field("lon", &self.lon)
            .field("ready_at", &self.ready_at)
            .field("due_by", &self.due_by)
            .finish_non_exhaustive()
    }
}

impl From<StopDoc> for Stop {
    fn from(d: StopDoc) -> Self {
        Stop {
            name: d.name,
            address: d.address,
            phone: d.phone,
            lat: d.lat,
            lon: d.lon,
            ready_at: d.ready_at,
            due_by: d.due_by,
        }
    }
}

/// A task on the courier's list.
#[derive(Debug, Clone, PartialEq)]
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
}

const TASK_COLUMNS: &str = "t.id, t.kind, t.status, t.server_revision, t.local_rev,
    (SELECT COUNT(*) FROM outbox o WHERE o.task_id = t.id)";

fn task_from_row(conn: &Connection, row: &Row<'_>) -> Result<Task> {
    let id: String = row.get(0)?;
    let kind: String = row.get(1)?;
    let status: String = row.get(2)?;
    let kind = TaskKind::parse(&kind)
        .ok_or_else(|| Error::Corrupt(format!("unknown task kind {kind:?} in the store")))?;
    let status = TaskStatus::parse(&status)
        .ok_or_else(|| Error::Corrupt(format!("unknown task status {status:?} in the store")))?;
    let (pickup, dropoff) = load_stops(conn, &id)?;
    let dropoff =
        dropoff.ok_or_else(|| Error::Corrupt(format!("task {id} has no drop-off stop")))?;
    Ok(Task {
        id,
        kind,
        status,
        pickup,
        dropoff,
        server_revision: row.get(3)?,
        local_rev: row.get(4)?,
        pending_actions: row.get(5)?,
    })
}

fn load_stops(conn: &Connection, task_id: &str) -> Result<(Option<Stop>, Option<Stop>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT role, name, address, phone, lat, lon, ready_at, due_by
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
         ORDER BY (t.status != 'assigned'), d.due_by IS NULL, d.due_by, t.id"
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
    conn.execute(
        "INSERT INTO tasks (id, kind, status, server_revision, local_rev) VALUES (?1, ?2, ?3, ?4, 1)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, status = excluded.status,
             server_revision = excluded.server_revision, local_rev = tasks.local_rev + 1",
        params![doc.id, doc.kind.as_str(), doc.status.as_str(), doc.revision],
    )?;
    conn.execute("DELETE FROM stops WHERE task_id = ?1", [&doc.id])?;
    if let Some(p) = &doc.pickup {
        insert_stop(conn, &doc.id, "pickup", p)?;
    }
    insert_stop(conn, &doc.id, "dropoff", &doc.dropoff)?;
    Ok(())
}

fn insert_stop(conn: &Connection, task_id: &str, role: &str, s: &StopDoc) -> Result<()> {
    conn.execute(
        "INSERT INTO stops (task_id, role, name, address, phone, lat, lon, ready_at, due_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![task_id, role, s.name, s.address, s.phone, s.lat, s.lon, s.ready_at, s.due_by],
    )?;
    Ok(())
}

/// Drops a task the courier no longer holds. Its pending actions stay in the outbox: they are
/// physical facts the server must still receive.
pub fn remove(conn: &Connection, task_id: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM tasks WHERE id = ?1", [task_id])? > 0)
}

/// Checks that `action` is allowed on the task as stored and applies it to the local state.
/// Used both when the courier acts and when pending actions are replayed after a pull.
pub fn apply_action(conn: &Connection, action: &Action) -> Result<()> {
    let task_id = action.task_id();
    let status: Option<String> = conn
        .query_row("SELECT status FROM tasks WHERE id = ?1", [task_id], |r| {
            r.get(0)
        })
        .optional()?;
    let status = status.ok_or_else(|| Error::TaskNotFound {
        task_id: task_id.to_owned(),
    })?;
    let status = TaskStatus::parse(&status)
        .ok_or_else(|| Error::Corrupt(format!("unknown task status {status:?} in the store")))?;
    let next = match (action, status) {
        (Action::Delivered { .. }, TaskStatus::Assigned) => TaskStatus::Delivered,
        (Action::Delivered { .. }, _) => {
            return Err(Error::InvalidTransition {
                task_id: task_id.to_owned(),
                status,
                action: action.name(),
            })
        }
    };
    conn.execute(
        "UPDATE tasks SET status = ?2, local_rev = local_rev + 1 WHERE id = ?1",
        params![task_id, next.as_str()],
    )?;
    Ok(())
}
