//! The standard procedure on the phone: checklist templates from the platform (synced,
//! versioned), chosen by stage and task kind, pinned to the version a task started with, the
//! courier's answers (with time and location on the timeline), the gate they put on the
//! workflow, out-of-range answers raising an exception report, the evidence bundle a dispute is
//! settled with, and the courier's SOP-compliance figure.

use runsheet_protocol::{
    Action, AnswerValue, ChecklistItemDef, ChecklistStage, ChecklistTemplate, Condition,
    ExceptionReason, ItemKind, ProofPolicy, StopRole, TaskKind, TemperatureClass,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::device::Device;
use crate::error::{Error, Result};
use crate::evidence::{
    EvidenceAnswer, EvidenceAttachment, EvidenceBundle, EvidenceEvent, EvidenceItem,
    EvidenceLocation, EvidenceScan, EvidenceTask, PinnedChecklist,
};
use crate::store::{meta_get, meta_set};
use crate::task::Task;
use crate::{attachment, timeline};

/// The key answers of the start-of-shift checklist are stored under (no task).
pub const SHIFT_KEY: &str = "";

/// The highest template publication sequence the phone holds (the pull cursor for templates).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "checklists_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Stores a published template (every version is kept: tasks keep theirs).
pub fn store_template(conn: &Connection, t: &ChecklistTemplate) -> Result<()> {
    if let Some(problem) = t.problem() {
        tracing::warn!(problem, "checklist template refused");
        return Ok(());
    }
    let body = serde_json::to_string(t)
        .map_err(|e| Error::InvalidArgument(format!("template cannot be encoded: {e}")))?;
    conn.execute(
        "INSERT OR REPLACE INTO checklist_templates (id, version, seq, body) VALUES (?1, ?2, ?3, ?4)",
        params![t.id, t.version, t.seq, body],
    )?;
    if t.seq > last_seq(conn)? {
        meta_set(conn, "checklists_seq", &t.seq.to_string())?;
    }
    Ok(())
}

fn load(conn: &Connection, id: &str, version: i64) -> Result<Option<ChecklistTemplate>> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM checklist_templates WHERE id = ?1 AND version = ?2",
            params![id, version],
            |r| r.get(0),
        )
        .optional()?;
    body.map(|b| {
        serde_json::from_str(&b).map_err(|e| Error::Corrupt(format!("unreadable template: {e}")))
    })
    .transpose()
}

/// The newest template for a stage and task kind (`None`: any kind, the shift's checklist).
fn newest(
    conn: &Connection,
    stage: ChecklistStage,
    kind: Option<TaskKind>,
) -> Result<Option<ChecklistTemplate>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM checklist_templates ORDER BY seq DESC")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for body in rows {
        let Ok(t) = serde_json::from_str::<ChecklistTemplate>(&body?) else {
            continue;
        };
        if t.stage == stage && kind.is_none_or(|k| t.kinds.is_empty() || t.kinds.contains(&k)) {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// The template a task (or the shift) answers for a stage: the version pinned when it started,
/// or the newest one now, pinned from here on.
pub fn template_for(
    conn: &Connection,
    task: Option<&Task>,
    stage: ChecklistStage,
) -> Result<Option<ChecklistTemplate>> {
    let key = task.map_or(SHIFT_KEY, |t| t.id.as_str());
    let pinned: Option<(String, i64)> = conn
        .query_row(
            "SELECT template_id, version FROM task_checklists WHERE task_id = ?1 AND stage = ?2",
            params![key, stage.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, version)) = pinned {
        return load(conn, &id, version);
    }
    let Some(t) = newest(conn, stage, task.map(|t| t.kind))? else {
        return Ok(None);
    };
    conn.execute(
        "INSERT OR IGNORE INTO task_checklists (task_id, stage, template_id, version)
         VALUES (?1, ?2, ?3, ?4)",
        params![key, stage.as_str(), t.id, t.version],
    )?;
    Ok(Some(t))
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "RecordedAnswer"))]
pub struct Answer {
    /// The answer.
    pub value: AnswerValue,
    /// Outside what the procedure allows.
    pub out_of_range: bool,
    /// When, device time.
    pub at: i64,
}

/// The answers of a task's (or the shift's) stage, by item id.
pub fn answers(
    conn: &Connection,
    key: &str,
    stage: ChecklistStage,
) -> Result<std::collections::HashMap<String, Answer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item_id, value, out_of_range, at FROM answers WHERE task_id = ?1 AND stage = ?2",
    )?;
    let rows = stmt.query_map(params![key, stage.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = std::collections::HashMap::new();
    for row in rows {
        let (item, value, oor, at) = row?;
        if let Ok(value) = serde_json::from_str(&value) {
            out.insert(
                item,
                Answer {
                    value,
                    out_of_range: oor != 0,
                    at,
                },
            );
        }
    }
    Ok(out)
}

/// Whether a fact holds for the task.
fn fact(task: Option<&Task>, f: &str) -> bool {
    let Some(t) = task else { return false };
    match f {
        "contactless" => t.contactless,
        "fresh" => t.items.iter().any(|i| {
            matches!(
                i.temperature,
                TemperatureClass::Chilled | TemperatureClass::Frozen
            )
        }),
        "hot" => t
            .items
            .iter()
            .any(|i| i.temperature == TemperatureClass::Hot),
        // Alcohol, tobacco or medicine on the task: an age or ID check applies.
        "restricted" => t.items.iter().any(|i| i.restricted.is_some()),
        other => other
            .strip_prefix("kind:")
            .is_some_and(|k| k == t.kind.as_str()),
    }
}

/// Whether an item applies, given the task and the answers so far.
pub fn applies(
    item: &ChecklistItemDef,
    task: Option<&Task>,
    answers: &std::collections::HashMap<String, Answer>,
) -> bool {
    match &item.when {
        None => true,
        Some(Condition::Fact { fact: f }) => fact(task, f),
        Some(Condition::Answer { item, equals }) => answers
            .get(item)
            .is_some_and(|a| a.value.as_text().eq_ignore_ascii_case(equals)),
    }
}

/// Whether an answer fits the item's kind, and whether it is within what the procedure allows.
/// `Err` for an answer of the wrong type; `Ok(false)` for a valid but out-of-range one.
pub fn judge(item: &ChecklistItemDef, value: &AnswerValue) -> Result<bool> {
    let wrong = || {
        Error::InvalidArgument(format!(
            "item {} takes {}, not {}",
            item.id,
            kind_name(&item.kind),
            value.as_text()
        ))
    };
    Ok(match (&item.kind, value) {
        (ItemKind::Confirm, AnswerValue::Confirmed) => true,
        (ItemKind::YesNo { required }, AnswerValue::YesNo(b)) => required.is_none_or(|r| r == *b),
        (ItemKind::Number { min, max, .. }, AnswerValue::Number(n)) => {
            if !n.is_finite() {
                return Err(wrong());
            }
            min.is_none_or(|m| *n >= m) && max.is_none_or(|m| *n <= m)
        }
        (ItemKind::Choice { options }, AnswerValue::Choice(c)) => {
            if !options.contains(c) {
                return Err(Error::InvalidArgument(format!(
                    "item {}: {c:?} is not one of its options",
                    item.id
                )));
            }
            true
        }
        (ItemKind::Text, AnswerValue::Text(t)) => {
            if t.trim().is_empty() {
                return Err(Error::InvalidArgument("the answer is empty".into()));
            }
            true
        }
        (ItemKind::Photo { min_count }, AnswerValue::Photos(p)) => {
            if (p.len() as u32) < *min_count {
                return Err(Error::InvalidArgument(format!(
                    "item {} needs at least {min_count} photo(s)",
                    item.id
                )));
            }
            true
        }
        (ItemKind::Signature, AnswerValue::Signature(_)) => true,
        (ItemKind::Scan, AnswerValue::Scan(c)) => !c.trim().is_empty(),
        // A refused check is within the item's kind but not the procedure: the goods go back.
        (ItemKind::IdCheck, AnswerValue::IdCheck(c)) => {
            if let Some(problem) = c.problem() {
                return Err(Error::InvalidArgument(format!(
                    "item {}: {problem}",
                    item.id
                )));
            }
            !c.outcome.refused()
        }
        _ => return Err(wrong()),
    })
}

fn kind_name(k: &ItemKind) -> &'static str {
    match k {
        ItemKind::Confirm => "a confirmation",
        ItemKind::YesNo { .. } => "yes or no",
        ItemKind::Number { .. } => "a number",
        ItemKind::Choice { .. } => "a choice",
        ItemKind::Text => "text",
        ItemKind::Photo { .. } => "photos",
        ItemKind::Signature => "a signature",
        ItemKind::Scan => "a scan",
        ItemKind::IdCheck => "an ID check",
    }
}

/// One item as the courier sees it now.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "ChecklistItem"))]
pub struct ItemState {
    /// The template's item.
    pub def: ChecklistItemDef,
    /// Whether it applies now (its condition holds).
    pub applies: bool,
    /// The answer, if given.
    pub answer: Option<Answer>,
    /// Whether the answer satisfies the procedure (answered, and within range; a required
    /// yes/no answered as required).
    pub satisfied: bool,
}

/// A checklist as the courier sees it now.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Checklist {
    /// Which one.
    pub stage: ChecklistStage,
    /// The template.
    pub template_id: String,
    /// Its version (the one the task started with).
    pub version: i64,
    /// The items, in order.
    pub items: Vec<ItemState>,
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Checklist {
    /// Labels of the required items that apply and are not satisfied.
    pub fn missing(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.applies && i.def.required && !i.satisfied)
            .map(|i| i.def.label.clone())
            .collect()
    }
}

/// The stage's checklist for a task (or the shift), `None` when the platform has none.
pub fn checklist(
    conn: &Connection,
    task: Option<&Task>,
    stage: ChecklistStage,
) -> Result<Option<Checklist>> {
    let Some(t) = template_for(conn, task, stage)? else {
        return Ok(None);
    };
    let key = task.map_or(SHIFT_KEY, |t| t.id.as_str());
    let given = answers(conn, key, stage)?;
    let items = t
        .items
        .iter()
        .map(|def| {
            let answer = given.get(&def.id).cloned();
            let satisfied = answer.as_ref().is_some_and(|a| match &def.kind {
                // A reading out of range is recorded and reported; the item is answered.
                ItemKind::Number { .. } => true,
                _ => !a.out_of_range,
            });
            ItemState {
                applies: applies(def, task, &given),
                def: def.clone(),
                answer,
                satisfied,
            }
        })
        .collect();
    Ok(Some(Checklist {
        stage,
        template_id: t.id,
        version: t.version,
        items,
    }))
}

/// The outcome of a refused age or ID check answered for the task's stage, if one was
/// refused (the latest answer counts: a check redone with a valid document passes).
pub fn refused_id_check(
    conn: &Connection,
    task_id: &str,
    stage: ChecklistStage,
) -> Result<Option<runsheet_protocol::IdCheckOutcome>> {
    Ok(answers(conn, task_id, stage)?
        .into_values()
        .find_map(|a| match a.value {
            AnswerValue::IdCheck(c) if c.outcome.refused() => Some(c.outcome),
            _ => None,
        }))
}

/// What is missing for the proof of delivery the task's policy asks for.
pub fn proof_missing(
    conn: &Connection,
    task: &Task,
    delivered_proof: &[String],
) -> Result<Option<ProofPolicy>> {
    let given = answers(conn, &task.id, ChecklistStage::Dropoff)?;
    let photo = !delivered_proof.is_empty()
        || given
            .values()
            .any(|a| matches!(&a.value, AnswerValue::Photos(p) if !p.is_empty()));
    let signed = given
        .values()
        .any(|a| matches!(a.value, AnswerValue::Signature(_)));
    Ok(match task.proof {
        ProofPolicy::None => None,
        ProofPolicy::Photo if !photo => Some(ProofPolicy::Photo),
        // The signature image may come with the delivery itself, as its proof.
        ProofPolicy::Signature if !signed && delivered_proof.is_empty() => {
            Some(ProofPolicy::Signature)
        }
        ProofPolicy::Code if !task.handoff_verified => Some(ProofPolicy::Code),
        _ => None,
    })
}

/// The checklist of a task's stage (`task_id` `None`: the start-of-shift checklist).
pub(crate) fn for_stage(
    dev: &Device,
    task_id: Option<&str>,
    stage: ChecklistStage,
) -> Result<Option<Checklist>> {
    let task = task_id.map(|id| dev.task(id)).transpose()?;
    dev.store.write(|tx| checklist(tx, task.as_ref(), stage))
}

/// Answers a checklist item. The answer is checked against the item's kind; one outside
/// what the procedure allows (a chilled box at 9 °C) is recorded and also raises an
/// exception report. Returns whether the answer was within the procedure.
pub(crate) fn answer(
    dev: &Device,
    task_id: Option<&str>,
    stage: ChecklistStage,
    item_id: &str,
    value: AnswerValue,
) -> Result<bool> {
    let task = task_id.map(|id| dev.task(id)).transpose()?;
    let list = dev
        .store
        .write(|tx| checklist(tx, task.as_ref(), stage))?
        .ok_or_else(|| {
            Error::InvalidArgument(format!("there is no {} checklist", stage.as_str()))
        })?;
    let item = list
        .items
        .iter()
        .find(|i| i.def.id == item_id)
        .ok_or_else(|| Error::InvalidArgument(format!("the checklist has no item {item_id}")))?;
    let within = judge(&item.def, &value)?;
    let key = task_id.unwrap_or(SHIFT_KEY).to_owned();
    let now = dev.now();
    let stored = serde_json::to_string(&value)
        .map_err(|e| Error::InvalidArgument(format!("answer cannot be encoded: {e}")))?;
    let id = item_id.to_owned();
    dev.act_with(
        Action::Answer {
            task_id: task_id.map(str::to_owned),
            stage,
            template_id: list.template_id.clone(),
            template_version: list.version,
            item_id: item_id.to_owned(),
            value: value.clone(),
            out_of_range: !within,
        },
        &mut move |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO answers (task_id, stage, item_id, value, out_of_range, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![key, stage.as_str(), id, stored, !within as i64, now],
            )?;
            Ok(())
        },
    )?;
    if let (false, Some(t), AnswerValue::IdCheck(check)) = (within, &task, &value) {
        // A refused age or ID check: the goods are not handed over, the delivery fails and
        // they go back. When the failure waits for something (its own checklist), the refusal
        // stays recorded, blocks the handover, and the courier reports the failure.
        tracing::info!(stage = stage.as_str(), "ID check refused");
        match dev.act(Action::Fail {
            task_id: t.id.clone(),
            reason: ExceptionReason::IdCheckRefused,
            note: Some(check.outcome.as_str().to_owned()),
            photos: Vec::new(),
        }) {
            Ok(_) | Err(Error::Blocked { .. }) | Err(Error::InvalidTransition { .. }) => {}
            Err(e) => return Err(e),
        }
        return Ok(within);
    }
    if !within {
        if let Some(t) = &task {
            let note = format!("{}: {}", item.def.label, value.as_text());
            tracing::info!(stage = stage.as_str(), "checklist answer out of range");
            // A breach is reported and the task goes on (it does not fail the delivery).
            dev.act(Action::ReportException {
                task_id: t.id.clone(),
                reason: ExceptionReason::ChecklistBreach,
                note: Some(note),
                photos: Vec::new(),
                ready_at: None,
            })?;
        }
    }
    Ok(within)
}

/// Everything that happened to a task, for appeals and after-sales: the task's facts (no
/// customer name, phone or address), its timeline (arrivals, actions, contact attempts,
/// exceptions, with time, clock offset and location), its scans, its checklist answers with
/// the template versions, and its attachments with their upload state.
pub(crate) fn evidence_bundle(dev: &Device, task_id: &str) -> Result<EvidenceBundle> {
    let t = dev.task(task_id)?;
    let now = dev.now();
    let events = dev.store.read(|c| timeline::for_task(c, task_id))?;
    let custody = dev.store.read(|c| crate::custody::recorded(c, task_id))?;
    let (scans, answers, checklists) = dev.store.read(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT stage, key, item_code, outcome, at FROM scans WHERE task_id = ?1 ORDER BY id",
        )?;
        let scans = stmt
            .query_map([task_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(stage, code, item, outcome, at)| {
                Ok(EvidenceScan {
                    stage: scan_stage(&stage)?,
                    code,
                    item,
                    outcome,
                    at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut stmt = c.prepare_cached(
            "SELECT stage, item_id, value, out_of_range, at FROM answers
             WHERE task_id = ?1 ORDER BY at, item_id",
        )?;
        let answers = stmt
            .query_map([task_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)? != 0,
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(stage, item, value, out_of_range, at)| {
                Ok(EvidenceAnswer {
                    stage: checklist_stage(&stage)?,
                    item,
                    value: serde_json::from_str(&value).ok(),
                    out_of_range,
                    at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut stmt = c.prepare_cached(
            "SELECT stage, template_id, version FROM task_checklists WHERE task_id = ?1",
        )?;
        let checklists = stmt
            .query_map([task_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(stage, template, version)| {
                Ok(PinnedChecklist {
                    stage: checklist_stage(&stage)?,
                    template,
                    version,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((scans, answers, checklists))
    })?;
    let actions: Vec<Option<runsheet_protocol::Action>> =
        events.iter().map(|e| e.action()).collect();
    let referenced: Vec<&str> = actions
        .iter()
        .flatten()
        .flat_map(|a| a.attachments())
        .collect();
    let attachments = dev
        .store
        .read(attachment::list)?
        .into_iter()
        .filter(|a| referenced.contains(&a.sha256.as_str()))
        .map(|a| EvidenceAttachment {
            sha256: a.sha256,
            size: a.size,
            state: a.state,
        })
        .collect();
    let timeline = events
        .into_iter()
        .zip(actions.iter().cloned())
        .map(|(e, action)| EvidenceEvent {
            kind: e.kind,
            at: e.at,
            clock_offset_s: e.clock_offset_s,
            location: e.location.map(|l| EvidenceLocation {
                lat: l.lat,
                lon: l.lon,
                accuracy_m: l.accuracy_m,
            }),
            action,
        })
        .collect();
    Ok(EvidenceBundle {
        format: crate::evidence::FORMAT.into(),
        exported_at: now,
        task: EvidenceTask {
            promised_by: t.dropoff.due_by,
            items: t
                .items
                .iter()
                .map(|i| EvidenceItem {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    temperature: i.temperature,
                })
                .collect(),
            id: t.id,
            kind: t.kind,
            status: t.status,
            ordered_at: t.ordered_at,
            ended_at: t.ended_at,
            contactless: t.contactless,
            proof_policy: t.proof,
            handoff_code_verified: t.handoff_verified,
        },
        checklists,
        timeline,
        scans,
        answers,
        attachments,
        custody,
    })
}

fn scan_stage(s: &str) -> Result<StopRole> {
    [StopRole::Pickup, StopRole::Dropoff, StopRole::Return]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| Error::Corrupt(format!("unknown scan stage {s:?}")))
}

fn checklist_stage(s: &str) -> Result<ChecklistStage> {
    ChecklistStage::parse(s).ok_or_else(|| Error::Corrupt(format!("unknown checklist stage {s:?}")))
}

/// SOP compliance since `since`: of the required checklist items of the stages completed
/// (pickups and deliveries) in that time, the share answered within the procedure before the
/// stage's transition. `None` when no checklist applied.
pub fn compliance_since(conn: &Connection, since: i64) -> Result<Option<f64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT task_id, kind, at FROM task_events
         WHERE at >= ?1 AND kind IN ('pick_up', 'delivered') ORDER BY id",
    )?;
    let done: Vec<(String, String, i64)> = stmt
        .query_map([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let (mut required, mut on_time) = (0u32, 0u32);
    for (task_id, kind, at) in done {
        let stage = if kind == "pick_up" {
            ChecklistStage::Pickup
        } else {
            ChecklistStage::Dropoff
        };
        let Some(task) = crate::task::get(conn, &task_id)? else {
            continue;
        };
        let Some(list) = checklist(conn, Some(&task), stage)? else {
            continue;
        };
        for i in list.items.iter().filter(|i| i.applies && i.def.required) {
            required += 1;
            if i.satisfied && i.answer.as_ref().is_some_and(|a| a.at <= at) {
                on_time += 1;
            }
        }
    }
    Ok((required > 0).then(|| f64::from(on_time) / f64::from(required)))
}
