//! Handoff confirmation: each stop of a task has a manifest (the task's items: bags, parcels,
//! grocery lines), and every scan is classified against it — confirms an expected item, a
//! duplicate, an item of another of the courier's tasks (which one), not the courier's at all,
//! unreadable (rescan), or expired. The camera reports the same code many times a second:
//! repeats of a code within [`REPEAT_WINDOW_S`] count once. Picking up or delivering needs
//! every item confirmed, or confirmed by hand with a reason and a photo.

use chrono::NaiveDate;
use runsheet_protocol::{ItemDoc, StopRole, TaskStatus, TemperatureClass};
use rusqlite::{params, Connection, OptionalExtension};

use super::{parse_with_symbology_at, CodeKind, ParsedCode, ScanError, Symbology};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::task::Task;

/// Repeats of the same code within this many seconds are one scan.
pub const REPEAT_WINDOW_S: i64 = 3;

/// What a scan turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi::export(Display))]
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
    /// An expected item whose label states a storage temperature of another class than the
    /// manifest's (an ambient carton where chilled milk was ordered): do not hand it over.
    WrongTemperature {
        /// The item's code.
        item_code: String,
        /// The class the manifest expects.
        expected: TemperatureClass,
        /// The class the label's storage temperature implies.
        found: TemperatureClass,
    },
    /// An expected item whose expiry date has passed: do not hand it over.
    Expired {
        /// The item's code.
        item_code: String,
        /// Its expiry date.
        expiry: NaiveDate,
    },
    /// An expected item of a batch dispatch recalled: do not hand it over; set it aside
    /// (the handoff is blocked until it is).
    Recalled {
        /// The item's code.
        item_code: String,
        /// The recall that covers it.
        recall_id: i64,
        /// Why it was recalled (dispatch's words).
        reason: String,
    },
}

impl ScanOutcome {
    /// A stable code: `confirmed`, `duplicate`, `repeat`, `other_task`, `not_mine`,
    /// `unreadable`, `expired`, `wrong_temperature`, `recalled`.
    pub fn code(&self) -> &'static str {
        match self {
            ScanOutcome::Confirmed { .. } => "confirmed",
            ScanOutcome::Duplicate { .. } => "duplicate",
            ScanOutcome::Repeat => "repeat",
            ScanOutcome::OtherTask { .. } => "other_task",
            ScanOutcome::NotMine => "not_mine",
            ScanOutcome::Unreadable { .. } => "unreadable",
            ScanOutcome::Expired { .. } => "expired",
            ScanOutcome::WrongTemperature { .. } => "wrong_temperature",
            ScanOutcome::Recalled { .. } => "recalled",
        }
    }

    /// True for an order-error event: a wrong bag, a foreign item or expired goods offered
    /// for handover (they count in the courier's error figure).
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self,
            ScanOutcome::OtherTask { .. }
                | ScanOutcome::NotMine
                | ScanOutcome::Expired { .. }
                | ScanOutcome::WrongTemperature { .. }
        )
    }

    /// The item it concerns, if any.
    pub fn item_code(&self) -> Option<&str> {
        match self {
            ScanOutcome::Confirmed { item_code }
            | ScanOutcome::Duplicate { item_code }
            | ScanOutcome::OtherTask { item_code, .. }
            | ScanOutcome::Expired { item_code, .. }
            | ScanOutcome::WrongTemperature { item_code, .. }
            | ScanOutcome::Recalled { item_code, .. } => Some(item_code),
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
            ScanOutcome::WrongTemperature {
                expected, found, ..
            } => format!(
                "Wrong temperature class: the order needs {} goods, this label says {}; do not hand it over.",
                expected.as_str(),
                found.as_str()
            ),
            ScanOutcome::Recalled { reason, .. } => {
                format!("Recalled batch ({reason}): do not hand it over; set it aside.")
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

/// The stage a task's items are handed over at now.
pub fn stage_of(t: &Task) -> StopRole {
    use TaskStatus::*;
    match t.status {
        Assigned | Accepted | AtPickup => StopRole::Pickup,
        Failed => StopRole::Return,
        _ => StopRole::Dropoff,
    }
}

impl std::fmt::Display for ScanOutcome {
    /// The sentence of [`ScanOutcome::message`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

// An expiry date crosses the FFI as its ISO 8601 calendar date (`2026-12-31`).
#[cfg(feature = "uniffi")]
uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| Ok(NaiveDate::parse_from_str(&s, "%Y-%m-%d")?),
});

/// Progress of a stage: "3 of 4 bags".
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "ScanProgress"))]
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

/// The FFI's name of [`Progress`] (UniFFI names a record's methods after the type they are
/// written on, and a bare `Progress` would clash with Foundation's in Swift).
#[cfg(feature = "uniffi")]
pub type ScanProgress = Progress;

#[cfg(feature = "uniffi")]
#[uniffi::export]
impl ScanProgress {
    /// "3 of 4 items confirmed" ([`Progress::text`]).
    #[uniffi::method(name = "text")]
    pub fn progress_text(&self) -> String {
        self.text()
    }
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

/// The items of a task's handoff at `stage`: its goods, and at the drop-off of an exchange
/// also the items taken back from the customer (scanned at the door like the others).
pub fn handoff_items(t: &Task, stage: StopRole) -> Vec<&ItemDoc> {
    let mut items: Vec<&ItemDoc> = t.items.iter().collect();
    if stage == StopRole::Dropoff {
        items.extend(t.take_back.iter());
    }
    items
}

/// The stage's progress for a task. Items set aside because of a recall are no longer part
/// of any handoff.
pub fn progress(conn: &Connection, t: &Task, stage: StopRole) -> Result<Progress> {
    let done = confirmed_items(conn, &t.id, stage)?;
    let aside = crate::recall::set_aside_items(conn, &t.id)?;
    let handed: Vec<&ItemDoc> = handoff_items(t, stage)
        .into_iter()
        .filter(|i| !aside.contains(&i.code))
        .collect();
    let missing: Vec<ItemDoc> = handed
        .iter()
        .filter(|i| !done.contains(&i.code))
        .map(|i| (*i).clone())
        .collect();
    Ok(Progress {
        stage,
        confirmed: (handed.len() - missing.len()) as u32,
        expected: handed.len() as u32,
        missing,
    })
}

/// A handoff's manifest with each item's match key computed once.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    keys: std::collections::HashMap<String, String>,
    temperature: std::collections::HashMap<String, TemperatureClass>,
    /// GTIN (14 digits) to item code, for scans that carry a GTIN without the item's batch or
    /// serial (and the other way round).
    gtins: std::collections::HashMap<String, String>,
}

impl Manifest {
    /// The manifest of `items`, their codes parsed as of `today`.
    pub fn new(items: &[ItemDoc], today: NaiveDate) -> Self {
        let mut m = Manifest::default();
        for i in items {
            let key = item_key(&i.code, today);
            if let Some(g) = gtin_of(&key) {
                m.gtins
                    .entry(g.to_owned())
                    .or_insert_with(|| i.code.clone());
            }
            m.keys.insert(key, i.code.clone());
            m.temperature.insert(i.code.clone(), i.temperature);
        }
        m
    }

    /// The temperature class the manifest gives an item.
    pub fn temperature(&self, item_code: &str) -> TemperatureClass {
        self.temperature.get(item_code).copied().unwrap_or_default()
    }

    /// The item a scanned key matches.
    pub fn find(&self, key: &str) -> Option<&str> {
        if let Some(code) = self.keys.get(key) {
            return Some(code);
        }
        gtin_of(key)
            .and_then(|g| self.gtins.get(g))
            .map(String::as_str)
    }
}

fn gtin_of(key: &str) -> Option<&str> {
    key.strip_prefix("gtin:")
        .map(|r| r.split(':').next().unwrap_or(r))
}

/// Classifies a scan (pure: parse, key, manifest lookups). `confirmed` holds the item codes
/// already confirmed at this handoff, `others` the manifests of the courier's other open tasks,
/// `last_seen` when the same key was last scanned.
#[allow(clippy::too_many_arguments)]
pub fn classify_code(
    raw: &str,
    symbology: Symbology,
    today: NaiveDate,
    manifest: &Manifest,
    confirmed: &[String],
    others: &[(String, Manifest)],
    last_seen: impl FnOnce(&str) -> Option<i64>,
    now: i64,
) -> (ScanOutcome, String) {
    let parsed = match parse_with_symbology_at(raw, symbology, today) {
        Ok(p) => p,
        Err(e) => return (unreadable(&e), format!("raw:{}", raw.trim())),
    };
    let key = key_of(&parsed);
    if last_seen(&key).is_some_and(|at| now >= at && now - at < REPEAT_WINDOW_S) {
        return (ScanOutcome::Repeat, key);
    }
    if let Some(item) = manifest.find(&key) {
        let item_code = item.to_owned();
        if confirmed.contains(&item_code) {
            return (ScanOutcome::Duplicate { item_code }, key);
        }
        if let Some(expiry) = parsed.expiry.filter(|e| *e < today) {
            return (ScanOutcome::Expired { item_code, expiry }, key);
        }
        let expected = manifest.temperature(&item_code);
        if let Some(found) = label_class(&parsed) {
            let comparable = expected != TemperatureClass::Hot;
            if comparable && found != expected {
                return (
                    ScanOutcome::WrongTemperature {
                        item_code,
                        expected,
                        found,
                    },
                    key,
                );
            }
        }
        return (ScanOutcome::Confirmed { item_code }, key);
    }
    for (task_id, m) in others {
        if let Some(item) = m.find(&key) {
            return (
                ScanOutcome::OtherTask {
                    task_id: task_id.clone(),
                    item_code: item.to_owned(),
                },
                key,
            );
        }
    }
    (ScanOutcome::NotMine, key)
}

/// What a scanned GS1 code says about its lot: the GTIN (14 digits), batch and expiry date
/// (`YYYY-MM-DD`) a recall matches on. Recorded with the scan, so a recall that arrives later
/// still finds the goods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lot {
    /// GS1 AI (01) or a plain GTIN.
    pub gtin: Option<String>,
    /// AI (10).
    pub batch: Option<String>,
    /// AI (17).
    pub expiry: Option<String>,
}

impl Lot {
    /// The lot of a scanned code (empty when it cannot be read).
    pub fn of(raw: &str, symbology: Symbology, today: NaiveDate) -> Lot {
        match parse_with_symbology_at(raw, symbology, today) {
            Ok(p) => Lot {
                gtin: p.gtin,
                batch: p.batch,
                expiry: p.expiry.map(|d| d.format("%Y-%m-%d").to_string()),
            },
            Err(_) => Lot::default(),
        }
    }

    /// The recall of `recalls` that covers this lot, if any.
    pub fn recall<'a>(
        &self,
        recalls: &'a [runsheet_protocol::RecallDoc],
    ) -> Option<&'a runsheet_protocol::RecallDoc> {
        let (gtin, batch) = (self.gtin.as_deref()?, self.batch.as_deref()?);
        crate::recall::covering(recalls, gtin, batch, self.expiry.as_deref())
    }
}

/// A manifest item's verdict becomes `recalled` when a recall in force covers the scanned lot:
/// a recalled batch is refused before anything else is said about it.
pub fn apply_recalls(
    outcome: ScanOutcome,
    lot: &Lot,
    recalls: &[runsheet_protocol::RecallDoc],
) -> ScanOutcome {
    let item_code = match &outcome {
        ScanOutcome::Confirmed { item_code }
        | ScanOutcome::Duplicate { item_code }
        | ScanOutcome::Expired { item_code, .. }
        | ScanOutcome::WrongTemperature { item_code, .. } => item_code.clone(),
        _ => return outcome,
    };
    match lot.recall(recalls) {
        Some(r) => ScanOutcome::Recalled {
            item_code,
            recall_id: r.id,
            reason: r.reason.clone(),
        },
        None => outcome,
    }
}

/// Classifies a scan for `task` against the courier's open tasks and the recalls in force,
/// reading the stored scans. Does not store it; returns the verdict, the code's key and its
/// lot.
pub fn classify(
    conn: &Connection,
    task: &Task,
    others: &[Task],
    raw: &str,
    symbology: Symbology,
    now: i64,
    today: NaiveDate,
) -> Result<(ScanOutcome, String, Lot)> {
    let items: Vec<ItemDoc> = handoff_items(task, stage_of(task))
        .into_iter()
        .cloned()
        .collect();
    let manifest = Manifest::new(&items, today);
    let confirmed = confirmed_items(conn, &task.id, stage_of(task))?;
    let other: Vec<(String, Manifest)> = others
        .iter()
        .filter(|o| o.id != task.id && !o.status.is_final() && !o.items.is_empty())
        .map(|o| (o.id.clone(), Manifest::new(&o.items, today)))
        .collect();
    let mut failure = None;
    let result = classify_code(
        raw,
        symbology,
        today,
        &manifest,
        &confirmed,
        &other,
        |key| match conn
            .query_row(
                "SELECT at FROM scans WHERE key = ?1 AND task_id = ?2 AND stage = ?3
                 ORDER BY id DESC LIMIT 1",
                params![key, task.id, stage_of(task).as_str()],
                |r| r.get(0),
            )
            .optional()
        {
            Ok(at) => at,
            Err(e) => {
                failure = Some(e);
                None
            }
        },
        now,
    );
    if let Some(e) = failure {
        return Err(e.into());
    }
    let (outcome, key) = result;
    let lot = Lot::of(raw, symbology, today);
    let outcome = apply_recalls(outcome, &lot, &crate::recall::live(conn)?);
    Ok((outcome, key, lot))
}

/// The temperature class a label's maximum storage temperature implies (GS1 AI 4331 in
/// degrees Celsius, or 4330 in Fahrenheit, read by [`ParsedCode::max_storage_celsius`]): at
/// most -18 °C frozen, at most 8 °C chilled, above that ambient.
pub fn label_class(parsed: &ParsedCode) -> Option<TemperatureClass> {
    let celsius = parsed.max_storage_celsius()?;
    Some(if celsius <= -18.0 {
        TemperatureClass::Frozen
    } else if celsius <= 8.0 {
        TemperatureClass::Chilled
    } else {
        TemperatureClass::Ambient
    })
}

fn unreadable(e: &ScanError) -> ScanOutcome {
    ScanOutcome::Unreadable {
        code: e.code().into(),
        message: e.to_string(),
    }
}

/// Stores a classified scan with its lot (repeats are not stored).
pub fn record(
    conn: &Connection,
    task_id: &str,
    stage: StopRole,
    key: &str,
    outcome: &ScanOutcome,
    lot: &Lot,
    at: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO scans (task_id, stage, key, item_code, outcome, at, gtin, batch, expiry)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            task_id,
            stage.as_str(),
            key,
            outcome.item_code(),
            outcome.code(),
            at,
            lot.gtin,
            lot.batch,
            lot.expiry
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
         WHERE at >= ?1 AND outcome IN ('other_task', 'not_mine', 'expired', 'wrong_temperature')",
        [since],
        |r| r.get(0),
    )?)
}

/// Classifies a scan the shell's camera read for the task's current handoff, records it
/// (repeats within the window count once) and queues it for the server. Returns the outcome
/// and the stage's progress.
pub(crate) fn scan(
    dev: &Device,
    task_id: &str,
    raw: &str,
    symbology: Symbology,
) -> Result<(ScanOutcome, Progress)> {
    let now = dev.now();
    // "Today" by the core's clock in the device's time zone (the QA harness moves it).
    let today = {
        use chrono::TimeZone;
        chrono::Local
            .timestamp_opt(now, 0)
            .single()
            .map(|t| t.date_naive())
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    };
    let task = dev.task(task_id)?;
    if task.status.is_final() {
        return Err(Error::InvalidTransition {
            task_id: task_id.to_owned(),
            status: task.status,
            action: "scan",
        });
    }
    let others = dev.tasks()?;
    let stage = stage_of(&task);
    let (outcome, key, lot) = dev
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
        dev.act_with(action, &mut move |tx| {
            record(tx, task_id, stage, &key, &o, &lot, now)
        })?;
        tracing::info!(
            outcome = outcome.code(),
            stage = stage.as_str(),
            "scan classified"
        );
    }
    let task = dev.task(task_id)?;
    let p = dev.store.read(|c| progress(c, &task, stage))?;
    Ok((outcome, p))
}

/// The current handoff's progress ("3 of 4 items") and what is missing.
pub(crate) fn scan_progress(dev: &Device, task_id: &str) -> Result<Progress> {
    let task = dev.task(task_id)?;
    dev.store.read(|c| progress(c, &task, stage_of(&task)))
}

/// Confirms an item by hand (damaged label): a reason and at least one photo (recorded
/// with [`crate::Runsheet::attach_file`]) are required.
pub(crate) fn confirm_item_manually(
    dev: &Device,
    task_id: &str,
    item_code: &str,
    reason: &str,
    photos: Vec<String>,
) -> Result<i64> {
    let task = dev.task(task_id)?;
    if !handoff_items(&task, stage_of(&task))
        .iter()
        .any(|i| i.code == item_code)
    {
        return Err(Error::InvalidArgument(format!(
            "item {item_code} is not on task {task_id}'s manifest"
        )));
    }
    let stage = stage_of(&task);
    let now = dev.now();
    let action = runsheet_protocol::Action::ConfirmItem {
        task_id: task_id.to_owned(),
        stage,
        item_code: item_code.to_owned(),
        reason: reason.trim().to_owned(),
        photos,
    };
    let code = item_code.to_owned();
    dev.act_with(action, &mut move |tx| {
        record_manual(tx, task_id, stage, &code, now)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str) -> ItemDoc {
        ItemDoc {
            code: code.into(),
            name: code.into(),
            temperature: Default::default(),
            quantity: 1,
            size: None,
            restricted: None,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn run(raw: &str, m: &Manifest, confirmed: &[String], others: &[(String, Manifest)]) -> String {
        classify_code(
            raw,
            Symbology::Unknown,
            today(),
            m,
            confirmed,
            others,
            |_| None,
            0,
        )
        .0
        .code()
        .to_owned()
    }

    #[test]
    fn labels_gs1_codes_and_gtins_match_their_items() {
        let m = Manifest::new(
            &[
                item("RS1:F1:1/2:A"),
                item("(01)09506000134352(10)MILK7"),
                item("(00)106141411234567897"),
            ],
            today(),
        );
        assert_eq!(run("RS1:F1:1/2:A", &m, &[], &[]), "confirmed");
        // The same milk with its expiry and batch, in raw element-string form.
        assert_eq!(
            run("010950600013435217270101\u{1d}10MILK7", &m, &[], &[]),
            "confirmed"
        );
        // Only the GTIN (an EAN-13 on the carton): still that item.
        assert_eq!(run("9506000134352", &m, &[], &[]), "confirmed");
        assert_eq!(run("106141411234567897", &m, &[], &[]), "confirmed");
        assert_eq!(
            run("RS1:F1:1/2:A", &m, &["RS1:F1:1/2:A".into()], &[]),
            "duplicate"
        );
        assert_eq!(run("4006381333931", &m, &[], &[]), "not_mine");
        assert_eq!(run("4006381333932", &m, &[], &[]), "unreadable");
        let other = vec![(
            "F2".to_string(),
            Manifest::new(&[item("RS1:F2:1/1:H")], today()),
        )];
        assert_eq!(run("RS1:F2:1/1:H", &m, &[], &other), "other_task");
        // One digit off in the GTIN: the check digit catches it.
        assert_eq!(
            run("(01)09506000134353(10)MILK7", &m, &[], &[]),
            "unreadable"
        );
    }

    #[test]
    fn a_label_of_another_temperature_class_is_refused() {
        let chilled = ItemDoc {
            temperature: TemperatureClass::Chilled,
            ..item("(01)09506000134352")
        };
        let m = Manifest::new(&[chilled], today());
        // Max storage 4.00 °C: chilled, as ordered.
        assert_eq!(
            run("(01)09506000134352(4331)000400", &m, &[], &[]),
            "confirmed"
        );
        // Max storage 25.00 °C: an ambient carton where fresh milk was ordered.
        let (o, _) = classify_code(
            "(01)09506000134352(4331)002500",
            Symbology::Unknown,
            today(),
            &m,
            &[],
            &[],
            |_| None,
            0,
        );
        assert_eq!(
            o,
            ScanOutcome::WrongTemperature {
                item_code: "(01)09506000134352".into(),
                expected: TemperatureClass::Chilled,
                found: TemperatureClass::Ambient
            }
        );
        assert!(o.is_mismatch());
        // Frozen at -18.00 °C given in Fahrenheit (-0.4 °F), for a chilled line: wrong too.
        assert_eq!(
            run("(01)09506000134352(4330)000040-", &m, &[], &[]),
            "wrong_temperature"
        );
        // No temperature on the label: nothing to judge.
        assert_eq!(run("(01)09506000134352", &m, &[], &[]), "confirmed");
    }

    #[test]
    fn expired_goods_and_camera_bursts() {
        let m = Manifest::new(&[item("(01)09506000134352")], today());
        let (o, _) = classify_code(
            "(01)09506000134352(17)261123",
            Symbology::Unknown,
            today(),
            &m,
            &[],
            &[],
            |_| None,
            0,
        );
        assert_eq!(o.code(), "expired");
        assert!(o.is_mismatch());
        // Day 00 is the month's last day: still good on the 24th... of the same month.
        let (o, _) = classify_code(
            "(01)09506000134352(17)261100",
            Symbology::Unknown,
            today(),
            &m,
            &[],
            &[],
            |_| None,
            0,
        );
        assert_eq!(o.code(), "confirmed");
        // The same key seen 1 s ago is a repeat; 10 s ago it is not.
        let (o, _) = classify_code(
            "(01)09506000134352",
            Symbology::Unknown,
            today(),
            &m,
            &[],
            &[],
            |_| Some(99),
            100,
        );
        assert_eq!(o, ScanOutcome::Repeat);
        let (o, _) = classify_code(
            "(01)09506000134352",
            Symbology::Unknown,
            today(),
            &m,
            &[],
            &[],
            |_| Some(90),
            100,
        );
        assert_eq!(o.code(), "confirmed");
    }

    #[test]
    fn a_recalled_batch_is_refused_before_anything_else() {
        let recall = runsheet_protocol::RecallDoc {
            id: 4,
            gtin: "09506000134352".into(),
            batch: "L42".into(),
            expiry_from: Some("2026-12-01".into()),
            expiry_to: None,
            reason: "listeria".into(),
            issued_at: 0,
            lifted: false,
            seq: 1,
        };
        let m = Manifest::new(&[item("(01)09506000134352")], today());
        let verdict = |raw: &str, recalls: &[runsheet_protocol::RecallDoc]| {
            let (o, _) = classify_code(raw, Symbology::Unknown, today(), &m, &[], &[], |_| None, 0);
            apply_recalls(o, &Lot::of(raw, Symbology::Unknown, today()), recalls)
        };
        let ours = "(01)09506000134352(10)L42(17)261231";
        assert_eq!(
            verdict(ours, std::slice::from_ref(&recall)),
            ScanOutcome::Recalled {
                item_code: "(01)09506000134352".into(),
                recall_id: 4,
                reason: "listeria".into()
            }
        );
        assert_eq!(verdict(ours, &[]).code(), "confirmed");
        // Another batch, an expiry before the range, a lifted recall: not recalled.
        let other = "(01)09506000134352(10)L43(17)261231";
        assert_eq!(
            verdict(other, std::slice::from_ref(&recall)).code(),
            "confirmed"
        );
        let older = "(01)09506000134352(10)L42(17)261130";
        assert_eq!(
            verdict(older, std::slice::from_ref(&recall)).code(),
            "confirmed"
        );
        let lifted = runsheet_protocol::RecallDoc {
            lifted: true,
            ..recall
        };
        assert_eq!(verdict(ours, &[lifted]).code(), "confirmed");
        // A code on none of the manifests stays "not mine".
        let (o, _) = classify_code(
            "4006381333931",
            Symbology::Unknown,
            today(),
            &m,
            &[],
            &[],
            |_| None,
            0,
        );
        assert_eq!(apply_recalls(o, &Lot::default(), &[]).code(), "not_mine");
        assert!(!ScanOutcome::Recalled {
            item_code: "x".into(),
            recall_id: 1,
            reason: "r".into()
        }
        .is_mismatch());
    }
}
