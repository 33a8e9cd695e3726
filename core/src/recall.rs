//! Recalls of a product batch, offline. Dispatch recalls a GTIN with its batch (and maybe an
//! expiry range); every phone receives the recall with its next pull and keeps it. A scan of
//! the batch is refused with the verdict `recalled` ([`crate::scan::confirm::ScanOutcome`]),
//! and the handoff of a task carrying a recalled item is blocked until the courier sets the
//! item aside ([`set_aside`]): it is then no longer part of the handoff.
//!
//! The rule is computed, never remembered: a task's recalled items are its manifest items and
//! scanned goods (with the GTIN, batch and expiry each scan recorded) that a live recall
//! covers now. So a recall that reaches the phone after the bag was picked up blocks its
//! drop-off, and a lifted recall frees it again.

use runsheet_protocol::{Action, RecallDoc};
use rusqlite::{params, Connection};

use crate::device::Device;
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};
use crate::task::Task;

/// The highest recall sequence the phone holds (the pull cursor for recalls).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "recalls_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Stores a recall the server sent (new, or lifted).
pub fn store(conn: &Connection, r: &RecallDoc) -> Result<()> {
    let body = serde_json::to_string(r)
        .map_err(|e| Error::InvalidArgument(format!("recall cannot be encoded: {e}")))?;
    conn.execute(
        "INSERT OR REPLACE INTO recalls (id, body, seq) VALUES (?1, ?2, ?3)",
        params![r.id, body, r.seq],
    )?;
    if r.seq > last_seq(conn)? {
        meta_set(conn, "recalls_seq", &r.seq.to_string())?;
    }
    tracing::info!(recall = r.id, lifted = r.lifted, "recall stored");
    Ok(())
}

/// Every recall on the phone, lifted ones included, by number.
pub fn list(conn: &Connection) -> Result<Vec<RecallDoc>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM recalls ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        if let Ok(r) = serde_json::from_str(&body?) {
            out.push(r);
        }
    }
    Ok(out)
}

/// The recalls in force (not lifted).
pub fn live(conn: &Connection) -> Result<Vec<RecallDoc>> {
    Ok(list(conn)?.into_iter().filter(|r| !r.lifted).collect())
}

/// The first recall of `recalls` that covers goods with this GTIN, batch and expiry
/// (`YYYY-MM-DD`), if any.
pub fn covering<'a>(
    recalls: &'a [RecallDoc],
    gtin: &str,
    batch: &str,
    expiry: Option<&str>,
) -> Option<&'a RecallDoc> {
    recalls.iter().find(|r| r.covers(gtin, batch, expiry))
}

/// An item of a task that a recall in force covers and that is not set aside yet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RecalledItem {
    /// The item's code in the manifest.
    pub item_code: String,
    /// The item's name.
    pub name: String,
    /// The recall that covers it.
    pub recall_id: i64,
    /// Why it was recalled (dispatch's words).
    pub reason: String,
}

/// Item codes of the task set aside because of a recall.
pub fn set_aside_items(conn: &Connection, task_id: &str) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT item_code FROM set_aside WHERE task_id = ?1 ORDER BY at")?;
    let rows = stmt.query_map([task_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// The task's items a recall in force covers and that are still to be set aside: manifest
/// items whose code carries a covered GTIN and batch, and items whose recorded scans (at any
/// handoff, before or after the recall arrived) read a covered GTIN, batch and expiry.
pub fn recalled_items(conn: &Connection, t: &Task) -> Result<Vec<RecalledItem>> {
    let recalls = live(conn)?;
    if recalls.is_empty() || t.items.is_empty() {
        return Ok(Vec::new());
    }
    let aside = set_aside_items(conn, &t.id)?;
    let mut out: Vec<RecalledItem> = Vec::new();
    let mut add = |item_code: &str, r: &RecallDoc| {
        if aside.iter().any(|a| a == item_code) || out.iter().any(|o| o.item_code == item_code) {
            return;
        }
        let Some(item) = t.items.iter().find(|i| i.code == item_code) else {
            return;
        };
        out.push(RecalledItem {
            item_code: item.code.clone(),
            name: item.name.clone(),
            recall_id: r.id,
            reason: r.reason.clone(),
        });
    };
    for item in &t.items {
        let Ok(parsed) = crate::scan::parse(&item.code) else {
            continue;
        };
        if let (Some(gtin), Some(batch)) = (&parsed.gtin, &parsed.batch) {
            let expiry = parsed.expiry.map(|d| d.format("%Y-%m-%d").to_string());
            if let Some(r) = covering(&recalls, gtin, batch, expiry.as_deref()) {
                add(&item.code, r);
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT item_code, gtin, batch, expiry FROM scans
         WHERE task_id = ?1 AND item_code IS NOT NULL AND gtin IS NOT NULL
           AND batch IS NOT NULL
         ORDER BY id",
    )?;
    let rows = stmt
        .query_map([&t.id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (item_code, gtin, batch, expiry) in rows {
        if let Some(r) = covering(&recalls, &gtin, &batch, expiry.as_deref()) {
            add(&item_code, r);
        }
    }
    Ok(out)
}

/// Sets a recalled item of the task aside: it is not handed over, the handoff no longer
/// waits for it, and dispatch hears of it ([`Action::SetAside`], queued offline like every
/// action). An item no recall in force covers is an [`Error::InvalidArgument`].
pub(crate) fn set_aside(dev: &Device, task_id: &str, item_code: &str) -> Result<i64> {
    let t = dev.task(task_id)?;
    let recalled = dev.store.read(|c| recalled_items(c, &t))?;
    let Some(item) = recalled.into_iter().find(|i| i.item_code == item_code) else {
        return Err(Error::InvalidArgument(format!(
            "item {item_code} of task {task_id} is not recalled (or already set aside)"
        )));
    };
    let now = dev.now();
    let (id, code, recall_id) = (task_id.to_owned(), item.item_code.clone(), item.recall_id);
    dev.act_with(
        Action::SetAside {
            task_id: task_id.to_owned(),
            item_code: item.item_code.clone(),
            recall_id: item.recall_id,
        },
        &mut move |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO set_aside (task_id, item_code, recall_id, at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, code, recall_id, now],
            )?;
            Ok(())
        },
    )
}
