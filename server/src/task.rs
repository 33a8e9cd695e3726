//! Tasks as the server stores them, and the per-courier change log that pull reads.

use runsheet_protocol::{StopDoc, TaskDoc, TaskKind, TaskStatus};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::ApiError;

/// Loads a task and the courier it is assigned to.
pub fn load_task(c: &Connection, id: &str) -> Result<Option<(TaskDoc, Option<String>)>, ApiError> {
    struct Row {
        kind: String,
        status: String,
        pickup: Option<String>,
        dropoff: String,
        revision: i64,
        courier: Option<String>,
    }
    let row = c
        .query_row(
            "SELECT kind, status, pickup, dropoff, revision, courier_id FROM tasks WHERE id = ?1",
            [id],
            |r| {
                Ok(Row {
                    kind: r.get(0)?,
                    status: r.get(1)?,
                    pickup: r.get(2)?,
                    dropoff: r.get(3)?,
                    revision: r.get(4)?,
                    courier: r.get(5)?,
                })
            },
        )
        .optional()?;
    let Some(Row {
        kind,
        status,
        pickup,
        dropoff,
        revision,
        courier,
    }) = row
    else {
        return Ok(None);
    };
    let kind = TaskKind::parse(&kind).ok_or_else(|| ApiError::internal("bad kind in store"))?;
    let status =
        TaskStatus::parse(&status).ok_or_else(|| ApiError::internal("bad status in store"))?;
    let pickup: Option<StopDoc> = match pickup {
        Some(j) => Some(serde_json::from_str(&j).map_err(ApiError::internal)?),
        None => None,
    };
    let dropoff: StopDoc = serde_json::from_str(&dropoff).map_err(ApiError::internal)?;
    Ok(Some((
        TaskDoc {
            id: id.to_owned(),
            kind,
            status,
            pickup,
            dropoff,
            revision,
        },
        courier,
    )))
}

/// Appends to a courier's change log (what their next pull returns).
pub fn record_change(
    c: &Connection,
    courier: &str,
    task_id: &str,
    op: &str,
) -> Result<(), ApiError> {
    c.execute(
        "INSERT INTO changes (courier_id, task_id, op) VALUES (?1, ?2, ?3)",
        params![courier, task_id, op],
    )?;
    Ok(())
}

/// Inserts a new task (revision 1) or fails with 409 if the id exists.
pub fn insert_task(
    c: &Connection,
    doc: &TaskDoc,
    courier: Option<&str>,
    now: i64,
) -> Result<(), ApiError> {
    let pickup = match &doc.pickup {
        Some(p) => Some(serde_json::to_string(p).map_err(ApiError::internal)?),
        None => None,
    };
    let dropoff = serde_json::to_string(&doc.dropoff).map_err(ApiError::internal)?;
    let inserted = c.execute(
        "INSERT INTO tasks (id, courier_id, kind, status, pickup, dropoff, revision, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO NOTHING",
        params![
            doc.id,
            courier,
            doc.kind.as_str(),
            doc.status.as_str(),
            pickup,
            dropoff,
            doc.revision,
            now
        ],
    )?;
    if inserted == 0 {
        return Err(ApiError::conflict(
            "task_exists",
            "a task with this id already exists",
        ));
    }
    if let Some(courier) = courier {
        record_change(c, courier, &doc.id, "upsert")?;
    }
    Ok(())
}
