//! The outbox: courier actions waiting for the server's acknowledgement.
//!
//! A row is written in the same transaction as the state change it describes, and removed only
//! when the server has acknowledged (applied, already applied, or rejected) that mutation id.

use runsheet_protocol::{Action, ActionContext, Mutation};
use rusqlite::{params, Connection};

use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};

/// Appends `action` and returns its mutation id. Ids are consecutive per install and never
/// reused, even after acknowledged rows are deleted.
pub fn enqueue(
    conn: &Connection,
    action: &Action,
    device_time: i64,
    context: Option<&ActionContext>,
) -> Result<i64> {
    let last: i64 = match meta_get(conn, "last_issued_mutation_id")? {
        Some(v) => v
            .parse()
            .map_err(|_| Error::Corrupt("bad last_issued_mutation_id in the store".into()))?,
        None => 0,
    };
    let id = last + 1;
    let json = serde_json::to_string(action)
        .map_err(|e| Error::InvalidArgument(format!("action cannot be encoded: {e}")))?;
    let context = match context {
        Some(c) => Some(
            serde_json::to_string(c)
                .map_err(|e| Error::InvalidArgument(format!("context cannot be encoded: {e}")))?,
        ),
        None => None,
    };
    conn.execute(
        "INSERT INTO outbox (mutation_id, task_id, action, device_time, context)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, action.task_id(), json, device_time, context],
    )?;
    meta_set(conn, "last_issued_mutation_id", &id.to_string())?;
    Ok(id)
}

/// The oldest `limit` pending mutations, in id order.
pub fn pending(conn: &Connection, limit: usize) -> Result<Vec<Mutation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT mutation_id, action, device_time, context FROM outbox
         ORDER BY mutation_id LIMIT ?1",
    )?;
    let mut rows = stmt.query([limit as i64])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let json: String = r.get(1)?;
        let action: Action = serde_json::from_str(&json)
            .map_err(|e| Error::Corrupt(format!("unreadable outbox action: {e}")))?;
        let context: Option<String> = r.get(3)?;
        // A context that cannot be read is dropped rather than blocking the queue: the action
        // itself is the fact that must reach the server.
        let context = context.and_then(|c| serde_json::from_str(&c).ok());
        out.push(Mutation {
            mutation_id: r.get(0)?,
            device_time: r.get(2)?,
            action,
            context,
        });
    }
    Ok(out)
}

/// Pending actions for one task, in id order (for rebasing after a pull).
pub fn pending_for_task(conn: &Connection, task_id: &str) -> Result<Vec<Action>> {
    let mut stmt =
        conn.prepare_cached("SELECT action FROM outbox WHERE task_id = ?1 ORDER BY mutation_id")?;
    let mut rows = stmt.query([task_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let json: String = r.get(0)?;
        out.push(
            serde_json::from_str(&json)
                .map_err(|e| Error::Corrupt(format!("unreadable outbox action: {e}")))?,
        );
    }
    Ok(out)
}

/// Number of pending mutations and the device time of the oldest.
pub fn stats(conn: &Connection) -> Result<(u64, Option<i64>)> {
    Ok(
        conn.query_row("SELECT COUNT(*), MIN(device_time) FROM outbox", [], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
        })?,
    )
}

/// Deletes every mutation the server has processed (ids up to and including `last`).
/// Returns the ids removed.
pub fn acknowledge_through(conn: &Connection, last: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "DELETE FROM outbox WHERE mutation_id <= ?1 RETURNING mutation_id, task_id",
    )?;
    let rows = stmt.query_map([last], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Moves a rejected mutation to the rejections table (a notice for the courier) and out of the
/// queue, so it does not block the actions behind it.
pub fn reject(
    conn: &Connection,
    mutation_id: i64,
    code: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO rejections (mutation_id, task_id, action, code, reason, rejected_at)
         SELECT mutation_id, task_id, action, ?2, ?3, ?4 FROM outbox WHERE mutation_id = ?1",
        params![mutation_id, code, reason, now],
    )?;
    conn.execute("DELETE FROM outbox WHERE mutation_id = ?1", [mutation_id])?;
    Ok(())
}

/// Records a failed attempt on every pending row (for status display).
pub fn note_attempt(conn: &Connection, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?1",
        [error],
    )?;
    Ok(())
}

/// A mutation the server refused, kept so the courier sees why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Rejection {
    /// The refused mutation.
    pub mutation_id: i64,
    /// Its task.
    pub task_id: String,
    /// The server's code.
    pub code: String,
    /// The server's sentence.
    pub reason: String,
    /// When the device learned of it, Unix seconds.
    pub rejected_at: i64,
}

/// All rejection notices, newest first.
pub fn rejections(conn: &Connection) -> Result<Vec<Rejection>> {
    let mut stmt = conn.prepare_cached(
        "SELECT mutation_id, task_id, code, reason, rejected_at FROM rejections
         ORDER BY mutation_id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Rejection {
            mutation_id: r.get(0)?,
            task_id: r.get(1)?,
            code: r.get(2)?,
            reason: r.get(3)?,
            rejected_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
