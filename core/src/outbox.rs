//! The outbox: courier actions waiting for the server's acknowledgement.
//!
//! A row is written in the same transaction as the state change it describes, and removed only
//! when the server has acknowledged (applied, already applied, or rejected) that mutation id.
//! An acknowledged row moves to the `acked` table for a while ([`ACKED_KEEP`] rows at most, and
//! the retention purge removes them with the customer data): a server that lost acknowledged
//! commits (restored a backup) gets them again from there ([`requeue_acked`]).

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

/// Most acknowledged mutations kept for a server that loses them (the newest).
pub const ACKED_KEEP: i64 = 5000;

/// Moves every mutation the server has processed (ids up to and including `last`) out of the
/// queue into the acknowledged history, stamped `now`. Returns the ids removed.
pub fn acknowledge_through(conn: &Connection, last: i64, now: i64) -> Result<Vec<(i64, String)>> {
    keep_acked(conn, "mutation_id <= ?1", last, now)?;
    let mut stmt = conn.prepare_cached(
        "DELETE FROM outbox WHERE mutation_id <= ?1 RETURNING mutation_id, task_id",
    )?;
    let rows = stmt.query_map([last], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Copies the outbox rows matching `filter` (on `?1`) to the acknowledged history and trims it
/// to its newest [`ACKED_KEEP`].
fn keep_acked(conn: &Connection, filter: &str, arg: i64, now: i64) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO acked (mutation_id, task_id, action, device_time, context, acked_at)
             SELECT mutation_id, task_id, action, device_time, context, ?2 FROM outbox WHERE {filter}"
        ),
        params![arg, now],
    )?;
    conn.execute(
        "DELETE FROM acked WHERE mutation_id <= (SELECT MAX(mutation_id) FROM acked) - ?1",
        [ACKED_KEEP],
    )?;
    Ok(())
}

/// The highest mutation id the server has acknowledged: every id issued before the first one
/// still queued (0 when none was).
pub fn acknowledged_up_to(conn: &Connection) -> Result<i64> {
    let first: Option<i64> =
        conn.query_row("SELECT MIN(mutation_id) FROM outbox", [], |r| r.get(0))?;
    match first {
        Some(id) => Ok(id - 1),
        None => last_issued(conn),
    }
}

fn last_issued(conn: &Connection) -> Result<i64> {
    match meta_get(conn, "last_issued_mutation_id")? {
        Some(v) => v
            .parse()
            .map_err(|_| Error::Corrupt("bad last_issued_mutation_id in the store".into())),
        None => Ok(0),
    }
}

/// Puts the acknowledged mutations after `server_last` back in the queue, for a server that
/// lost them. True when the history held every one of them (ids `server_last + 1` up to the
/// first still queued); false when some had already been purged.
pub fn requeue_acked(conn: &Connection, server_last: i64) -> Result<bool> {
    let acked = acknowledged_up_to(conn)?;
    let held: i64 = conn.query_row(
        "SELECT COUNT(*) FROM acked WHERE mutation_id > ?1 AND mutation_id <= ?2",
        params![server_last, acked],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT OR IGNORE INTO outbox (mutation_id, task_id, action, device_time, context)
         SELECT mutation_id, task_id, action, device_time, context FROM acked
         WHERE mutation_id > ?1 AND mutation_id <= ?2",
        params![server_last, acked],
    )?;
    conn.execute("DELETE FROM acked WHERE mutation_id > ?1", [server_last])?;
    Ok(held == (acked - server_last).max(0))
}

/// Gives the queue new ids from 1, in the same order (for a new client id), and forgets the
/// acknowledged history (it belongs to the old one). Returns how many are queued.
pub fn renumber(conn: &Connection) -> Result<i64> {
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare("SELECT mutation_id FROM outbox ORDER BY mutation_id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    // Out of the way first (negative), so no new id meets an old one.
    conn.execute("UPDATE outbox SET mutation_id = -mutation_id", [])?;
    for (i, old) in ids.iter().enumerate() {
        conn.execute(
            "UPDATE outbox SET mutation_id = ?1 WHERE mutation_id = ?2",
            params![i as i64 + 1, -old],
        )?;
    }
    let n = ids.len() as i64;
    conn.execute("DELETE FROM acked", [])?;
    meta_set(conn, "last_issued_mutation_id", &n.to_string())?;
    Ok(n)
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
    keep_acked(conn, "mutation_id = ?1", mutation_id, now)?;
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
