//! Handoff confirmation: each stop of a task has a manifest (the task's items: bags, parcels,
//! grocery lines), and every scan is classified against it — confirms an expected item, a
//! duplicate, an item of another of the courier's tasks (which one), not the courier's at all,
//! unreadable (rescan), or expired. The camera reports the same code many times a second:
//! repeats of a code within [`REPEAT_WINDOW_S`] count once. Picking up or delivering needs
//! every item confirmed, or confirmed by hand with a reason and a photo.

use chrono::NaiveDate;
use runsheet_protocol::{ItemDoc, StopRole, TaskStatus};
use rusqlite::{params, Connection, OptionalExtension};

use super::{parse_with_symbology_at, CodeKind, ParsedCode, ScanError, Symbology};
use crate::error::Result;
use crate::task::Task;

/// Repeats of the same code within this many seconds are one scan.
pub const REPEAT_WINDOW_S: i64 = 3;

/// What a scan turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    /// An expected item of this stop, now confirmed.
    Confirmed {
        /// The item's code in the manifest.
        item_code: String,
    },
    /// An item of this stop that was already confirmed.
    Duplicate {
        /// The item's code.
        item_code: String,
    },
    /// The same code again within the repeat window: ignored.
    Repeat,
    /// An item of another of the courier's tasks: wrong bag.
    OtherTask {
        /// The task it belongs to.
        task_id: String,
        /// The item's code.
        item_code: String,
    },
    /// On none of the courier's manifests.
    NotMine,
    /// The code could not be read: rescan.
    Unreadable {
        /// The parser's error code (`bad_check_digit`, ...).
        code: String,
        /// The parser's sentence.
        message: String,
    },
    /// An expected item whose expiry date has passed: do not hand it over.
    Expired {
        /// The item's code.
        item_code: String,
        /// Its expiry date.
        expiry: NaiveDate,
    },
}

impl ScanOutcome {
    /// A stable code: `confirmed`, `duplicate`, `repeat`, `other_task`, `not_mine`,
    /// `unreadable`, `expired`.
    pub fn code(&self) -> &'static str {
        match self {
            ScanOutcome::Confirmed { .. } => "confirmed",
            ScanOutcome::Duplicate { .. } => "duplicate",
            ScanOutcome::Repeat => "repeat",
            ScanOutcome::OtherTask { .. } => "other_task",
            ScanOutcome::NotMine => "not_mine",
            ScanOutcome::Unreadable { .. } => "unreadable",
            ScanOutcome::Expired { .. } => "expired",
        }
    }

    /// True for an order-error event: a wrong bag, a foreign item or expired goods offered
    /// for handover (they count in the courier's error figure).
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self,
            ScanOutcome::OtherTask { .. } | ScanOutcome::NotMine | ScanOutcome::Expired { .. }
        )
    }

    /// The item it concerns, if any.
    pub fn item_code(&self) -> Option<&str> {
        match self {
            ScanOutcome::Confirmed { item_code }
            | ScanOutcome::Duplicate { item_code }
            | ScanOutcome::OtherTask { item_code, .. }
            | ScanOutcome::Expired { item_code, .. } => Some(item_code),
            _ => None,
        }
    }

    /// Words for the courier.
    pub fn message(&self) -> String {
        match self {
            ScanOutcome::Confirmed { .. } => "Confirmed.".into(),
            ScanOutcome::Duplicate { .. } => "Already scanned.".into(),
            ScanOutcome::Repeat => "Already scanned.".into(),
            ScanOutcome::OtherTask { task_id, .. } => {
                format!("Wrong bag: this belongs to task {task_id}.")
            }
            ScanOutcome::NotMine => "Not one of your orders: do not take it.".into(),
            ScanOutcome::Unreadable { message, .. } => {
                format!("Could not read the code ({message}); scan it again.")
            }
            ScanOutcome::Expired { expiry, .. } => {
                format!("Expired on {expiry}: do not hand it over; report it.")
            }
        }
    }
}

/// The canonical key a code matches on: order labels by order and parcel, SSCCs, GTINs with
/// their serial or batch when present; anything unparsable as its trimmed text.
pub fn key_of(parsed: &ParsedCode) -> String {
    match parsed.kind {
        CodeKind::OrderLabel => format!(
            "order:{}:{}/{}",
            parsed.order_id.as_deref().unwrap_or(""),
            parsed.parcel.unwrap_or(0),
            parsed.parcel_count.unwrap_or(0)
        ),
        _ => {
            if let Some(sscc) = &parsed.sscc {
                format!("sscc:{sscc}")
            } else if let Some(gtin) = &parsed.gtin {
                match (&parsed.serial, &parsed.batch) {
                    (Some(s), _) => format!("gtin:{gtin}:s:{s}"),
                    (None, Some(b)) => format!("gtin:{gtin}:b:{b}"),
                    _ => format!("gtin:{gtin}"),
                }
            } else {
                format!("raw:{}", parsed.raw.trim())
            }
        }
    }
}

/// The key of a manifest item's code (the dispatcher writes it as a label, GS1 data, or
/// free text).
pub fn item_key(code: &str, today: NaiveDate) -> String {
    match parse_with_symbology_at(code, Symbology::Unknown, today) {
        Ok(p) => key_of(&p),
        Err(_) => format!("raw:{}", code.trim()),
    }
}

/// Whether a scanned key matches an item key: exact, or a GTIN scan without serial/batch
/// matching an item that has one (and the other way round).
fn matches(scan: &str, item: &str) -> bool {
    if scan == item {
        return true;
    }
    let gtin = |k: &str| {
        k.strip_prefix("gtin:")
            .map(|r| r.split(':').next().unwrap_or("").to_owned())
    };
    match (gtin(scan), gtin(item)) {
        (Some(a), Some(b)) => {
            a == b && (scan.matches(':').count() == 1 || item.matches(':').count() == 1)
        }
        _ => false,
    }
}

/// The stage a task's items are handed over at now.
pub fn stage_of(t: &Task) -> StopRole {
    use TaskStatus::*;
    match t.status {
        Assigned | Accepted | AtPickup => StopRole::Pickup,
        Failed => StopRole::Return,
        _ => StopRole::Dropoff,
    }
}

/// Progress of a stage: "3 of 4 bags".
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The stage.
    pub stage: StopRole,
    /// Items confirmed (scanned or by hand).
    pub confirmed: u32,
    /// Items expected.
    pub expected: u32,
    /// Items still to confirm.
    pub missing: Vec<ItemDoc>,
}

impl Progress {
    /// "3 of 4 items confirmed".
    pub fn text(&self) -> String {
        format!("{} of {} items confirmed", self.confirmed, self.expected)
    }

    /// True when nothing is missing.
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Item codes of the task confirmed at `stage`.
pub fn confirmed_items(conn: &Connection, task_id: &str, stage: StopRole) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT item_code FROM scans
         WHERE task_id = ?1 AND stage = ?2 AND outcome IN ('confirmed', 'manual')
           AND item_code IS NOT NULL",
    )?;
    let rows = stmt.query_map(params![task_id, stage.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// The stage's progress for a task.
pub fn progress(conn: &Connection, t: &Task, stage: StopRole) -> Result<Progress> {
    let done = confirmed_items(conn, &t.id, stage)?;
    let missing: Vec<ItemDoc> = t
        .items
        .iter()
        .filter(|i| !done.contains(&i.code))
        .cloned()
        .collect();
    Ok(Progress {
        stage,
        confirmed: (t.items.len() - missing.len()) as u32,
        expected: t.items.len() as u32,
        missing,
    })
}

/// Classifies a scan for `task` against the courier's open tasks. Does not store it.
pub fn classify(
    conn: &Connection,
    task: &Task,
    others: &[Task],
    raw: &str,
    symbology: Symbology,
    now: i64,
    today: NaiveDate,
) -> Result<(ScanOutcome, String)> {
    let parsed = match parse_with_symbology_at(raw, symbology, today) {
        Ok(p) => p,
        Err(e) => return Ok((unreadable(&e), format!("raw:{}", raw.trim()))),
    };
    let key = key_of(&parsed);
    let recent: Option<i64> = conn
        .query_row(
            "SELECT at FROM scans WHERE key = ?1 ORDER BY id DESC LIMIT 1",
            [&key],
            |r| r.get(0),
        )
        .optional()?;
    if recent.is_some_and(|at| now - at < REPEAT_WINDOW_S && now >= at) {
        return Ok((ScanOutcome::Repeat, key));
    }
    let stage = stage_of(task);
    if let Some(item) = task
        .items
        .iter()
        .find(|i| matches(&key, &item_key(&i.code, today)))
    {
        if confirmed_items(conn, &task.id, stage)?.contains(&item.code) {
            return Ok((
                ScanOutcome::Duplicate {
                    item_code: item.code.clone(),
                },
                key,
            ));
        }
        if let Some(expiry) = parsed.expiry.filter(|e| *e < today) {
            return Ok((
                ScanOutcome::Expired {
                    item_code: item.code.clone(),
                    expiry,
                },
                key,
            ));
        }
        return Ok((
            ScanOutcome::Confirmed {
                item_code: item.code.clone(),
            },
            key,
        ));
    }
    for o in others
        .iter()
        .filter(|o| o.id != task.id && !o.status.is_final())
    {
        if let Some(item) = o
            .items
            .iter()
            .find(|i| matches(&key, &item_key(&i.code, today)))
        {
            return Ok((
                ScanOutcome::OtherTask {
                    task_id: o.id.clone(),
                    item_code: item.code.clone(),
                },
                key,
            ));
        }
    }
    Ok((ScanOutcome::NotMine, key))
}

fn unreadable(e: &ScanError) -> ScanOutcome {
    ScanOutcome::Unreadable {
        code: e.code().into(),
        message: e.to_string(),
    }
}

/// Stores a classified scan (repeats are not stored).
pub fn record(
    conn: &Connection,
    task_id: &str,
    stage: StopRole,
    key: &str,
    outcome: &ScanOutcome,
    at: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO scans (task_id, stage, key, item_code, outcome, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            task_id,
            stage.as_str(),
            key,
            outcome.item_code(),
            outcome.code(),
            at
        ],
    )?;
    Ok(())
}

/// Stores an item confirmed by hand.
pub fn record_manual(
    conn: &Connection,
    task_id: &str,
    stage: StopRole,
    item_code: &str,
    at: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO scans (task_id, stage, key, item_code, outcome, at)
         VALUES (?1, ?2, ?3, ?4, 'manual', ?5)",
        params![
            task_id,
            stage.as_str(),
            format!("manual:{item_code}"),
            item_code,
            at
        ],
    )?;
    Ok(())
}

/// Order-error events (wrong bag, foreign item, expired goods) recorded since `since`.
pub fn mismatches_since(conn: &Connection, since: i64) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM scans
         WHERE at >= ?1 AND outcome IN ('other_task', 'not_mine', 'expired')",
        [since],
        |r| r.get(0),
    )?)
}

impl crate::Runsheet {
    /// Classifies a scan the shell's camera read for the task's current handoff, records it
    /// (repeats within the window count once) and queues it for the server. Returns the outcome
    /// and the stage's progress.
    pub fn scan(
        &self,
        task_id: &str,
        raw: &str,
        symbology: Symbology,
    ) -> Result<(ScanOutcome, Progress)> {
        let now = self.clock.now();
        // "Today" by the core's clock in the device's time zone (the QA harness moves it).
        let today = {
            use chrono::TimeZone;
            chrono::Local
                .timestamp_opt(now, 0)
                .single()
                .map(|t| t.date_naive())
                .unwrap_or_else(|| chrono::Local::now().date_naive())
        };
        let task = self.task(task_id)?;
        if task.status.is_final() {
            return Err(crate::Error::InvalidTransition {
                task_id: task_id.to_owned(),
                status: task.status,
                action: "scan",
            });
        }
        let others = self.tasks()?;
        let stage = stage_of(&task);
        let (outcome, key) = self
            .store
            .read(|c| classify(c, &task, &others, raw, symbology, now, today))?;
        if outcome != ScanOutcome::Repeat {
            let action = runsheet_protocol::Action::Scan {
                task_id: task_id.to_owned(),
                stage,
                code: key.clone(),
                outcome: outcome.code().into(),
                item_code: outcome.item_code().map(str::to_owned),
            };
            let o = outcome.clone();
            self.act_with(action, move |tx| record(tx, task_id, stage, &key, &o, now))?;
            tracing::info!(
                outcome = outcome.code(),
                stage = stage.as_str(),
                "scan classified"
            );
        }
        let task = self.task(task_id)?;
        let p = self.store.read(|c| progress(c, &task, stage))?;
        Ok((outcome, p))
    }

    /// The current handoff's progress ("3 of 4 items") and what is missing.
    pub fn scan_progress(&self, task_id: &str) -> Result<Progress> {
        let task = self.task(task_id)?;
        self.store.read(|c| progress(c, &task, stage_of(&task)))
    }

    /// Confirms an item by hand (damaged label): a reason and at least one photo (recorded
    /// with [`crate::Runsheet::attach_file`]) are required.
    pub fn confirm_item_manually(
        &self,
        task_id: &str,
        item_code: &str,
        reason: &str,
        photos: Vec<String>,
    ) -> Result<i64> {
        let task = self.task(task_id)?;
        if !task.items.iter().any(|i| i.code == item_code) {
            return Err(crate::Error::InvalidArgument(format!(
                "item {item_code} is not on task {task_id}'s manifest"
            )));
        }
        for sha in &photos {
            if self
                .store
                .read(|c| crate::attachment::get(c, sha))?
                .is_none()
            {
                return Err(crate::Error::InvalidArgument(format!(
                    "attachment {sha} was not recorded on this phone"
                )));
            }
        }
        let stage = stage_of(&task);
        let now = self.clock.now();
        let action = runsheet_protocol::Action::ConfirmItem {
            task_id: task_id.to_owned(),
            stage,
            item_code: item_code.to_owned(),
            reason: reason.trim().to_owned(),
            photos,
        };
        let code = item_code.to_owned();
        self.act_with(action, move |tx| {
            record_manual(tx, task_id, stage, &code, now)
        })
    }
}
