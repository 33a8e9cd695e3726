//! The task timeline: every courier action, arrival, contact attempt, exception and shift event
//! kept on the phone with its time, the device clock's offset from server time, and the
//! location if one was known. Shift summaries read it; evidence bundles and KPIs build on it.
//! Unlike the outbox, it is not emptied when the server acknowledges.

use runsheet_protocol::{Action, ActionContext, ActionLocation, LocationSource};
use rusqlite::{params, Connection, Row};

use crate::error::{Error, Result};

/// One entry of the timeline.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "TimelineEvent"))]
pub struct Event {
    /// Order of recording.
    pub id: i64,
    /// The task ("" for shift events).
    pub task_id: String,
    /// The action's name (`accept`, `arrive`, `delivered`, `shift`...).
    pub kind: String,
    /// The action recorded (`None` if its record cannot be read, e.g. written by a newer build).
    pub action: Option<Action>,
    /// Device time, Unix seconds.
    pub at: i64,
    /// Server time minus device time when it was recorded.
    pub clock_offset_s: Option<i64>,
    /// Where the phone was, if known.
    pub location: Option<ActionLocation>,
}

impl Event {
    /// The recorded action, if its record could be read.
    pub fn action(&self) -> Option<Action> {
        self.action.clone()
    }
}

/// Records a courier action.
pub fn record(conn: &Connection, action: &Action, at: i64, ctx: &ActionContext) -> Result<()> {
    let detail = serde_json::to_string(action)
        .map_err(|e| Error::InvalidArgument(format!("action cannot be encoded: {e}")))?;
    let loc = ctx.location;
    conn.execute(
        "INSERT INTO task_events (task_id, kind, detail, at, clock_offset_s, lat, lon, accuracy_m,
             source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            action.task_id(),
            action.name(),
            detail,
            at,
            ctx.clock_offset_s,
            loc.map(|l| l.lat),
            loc.map(|l| l.lon),
            loc.map(|l| l.accuracy_m),
            loc.map(|l| match l.source {
                LocationSource::Gps => "gps",
                LocationSource::LastKnown => "last_known",
            }),
        ],
    )?;
    Ok(())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    let lat: Option<f64> = r.get(5)?;
    let lon: Option<f64> = r.get(6)?;
    let acc: Option<f64> = r.get(7)?;
    let source: Option<String> = r.get(8)?;
    let at: i64 = r.get(4)?;
    let location = match (lat, lon) {
        (Some(lat), Some(lon)) => Some(ActionLocation {
            lat,
            lon,
            accuracy_m: acc.unwrap_or(f64::NAN),
            age_s: 0,
            source: if source.as_deref() == Some("gps") {
                LocationSource::Gps
            } else {
                LocationSource::LastKnown
            },
        }),
        _ => None,
    };
    Ok(Event {
        id: r.get(0)?,
        task_id: r.get(1)?,
        kind: r.get(2)?,
        action: serde_json::from_str(&r.get::<_, String>(3)?).ok(),
        at,
        clock_offset_s: r.get(9)?,
        location,
    })
}

const COLUMNS: &str = "id, task_id, kind, detail, at, lat, lon, accuracy_m, source, clock_offset_s";

/// A task's timeline, oldest first.
pub fn for_task(conn: &Connection, task_id: &str) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM task_events WHERE task_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([task_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every event recorded at or after `since` (device time), oldest first.
pub fn since(conn: &Connection, since: i64) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM task_events WHERE at >= ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([since], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// When the courier last arrived at `stop` of the task, if they did.
pub fn arrived_at(conn: &Connection, task_id: &str, stop: &str) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT MAX(at) FROM task_events
         WHERE task_id = ?1 AND kind = 'arrive' AND json_extract(detail, '$.stop') = ?2",
        params![task_id, stop],
        |r| r.get(0),
    )?)
}

/// Unanswered contact attempts on a task.
pub fn unanswered_attempts(conn: &Connection, task_id: &str) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM task_events
         WHERE task_id = ?1 AND kind = 'contact_attempt'
           AND json_extract(detail, '$.answered') = 0",
        [task_id],
        |r| r.get(0),
    )?)
}
