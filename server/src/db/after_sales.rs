//! After-sales cases with a lifecycle: opened from a courier's fact (an exception report, a
//! fact the server could not apply, a checklist breach, a disputed handoff code), a low rating,
//! a customer's complaint through the dispatch API, or a recall; owned by the team the
//! platform's settings route the kind to; moved on by the one lifecycle table
//! ([`CaseStatus::after`]); flagged once when a deadline passes; answered by the courier from
//! the phone. `docs/after-sales.md` has the rules.

use runsheet_protocol::{
    order_error_fault, AfterSalesPolicy, CaseActor, CaseCommand, CaseDoc, CaseEvent, CaseFact,
    CaseKind, CaseRecord, CaseStatus, CaseStep, CaseTeam, Fault, FollowUp, FollowUpKind,
    HandoffEvidence, RejectCode, TaskDoc, TaskKind, TaskStatus,
};
use serde::{Deserialize, Serialize};

use super::{settings, tasks, Refusal, Row, StoreError, Tx};
use crate::params;

/// One case as the legacy `GET /v1/dispatch/after-sales` lists it: the cases opened from a
/// courier's fact, with the cause the server gave them.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AfterSalesCase {
    /// Case number.
    pub id: i64,
    /// The task.
    pub task_id: String,
    /// The courier who recorded the fact.
    pub courier_id: String,
    /// The phone it came from.
    pub client_id: String,
    /// Its mutation id.
    pub mutation_id: i64,
    /// `fact_on_closed_task`, `fact_on_reassigned_task`, `handoff_code_disputed`, or
    /// `exception:<reason>` for a courier's exception report (a failed delivery, a merchant
    /// delay, a checklist breach...).
    pub kind: String,
    /// What the fact was and why it was not applied.
    pub detail: String,
    /// When the server opened the case.
    pub created_at: i64,
}

/// A new case.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    /// The task it is about.
    pub task_id: &'a str,
    /// The courier who delivered or holds the task.
    pub courier_id: Option<&'a str>,
    /// The install and mutation it came from, for a courier's fact.
    pub source: Option<(&'a str, i64)>,
    /// Its kind.
    pub kind: CaseKind,
    /// Finer than the kind: `exception:<reason>`, `fact_on_closed_task`, `complaint`, ...
    pub cause: &'a str,
    /// What was reported.
    pub summary: &'a str,
    /// Who opened it.
    pub actor: CaseActor,
    /// The recall that opened it.
    pub recall_id: Option<i64>,
}

/// The wire name of a step (as in the history).
pub fn step_name(step: CaseStep) -> &'static str {
    match step {
        CaseStep::Acknowledge => "acknowledge",
        CaseStep::AskCourier => "ask_courier",
        CaseStep::CourierAnswer => "courier_answer",
        CaseStep::Resolve => "resolve",
        CaseStep::Reject => "reject",
        CaseStep::Close => "close",
        CaseStep::Reopen => "reopen",
    }
}

fn actor_str(a: CaseActor) -> &'static str {
    match a {
        CaseActor::System => "system",
        CaseActor::Dispatch => "dispatch",
        CaseActor::Customer => "customer",
        CaseActor::Courier => "courier",
    }
}

fn actor_parse(s: &str) -> CaseActor {
    match s {
        "dispatch" => CaseActor::Dispatch,
        "customer" => CaseActor::Customer,
        "courier" => CaseActor::Courier,
        _ => CaseActor::System,
    }
}

fn fault_str(f: Fault) -> &'static str {
    match f {
        Fault::Courier => "courier",
        Fault::Merchant => "merchant",
    }
}

fn policy(tx: &mut Tx<'_>) -> Result<AfterSalesPolicy, StoreError> {
    Ok(settings::load(tx)?.unwrap_or_default().after_sales)
}

/// The next case sequence number (the phones' pull cursor for cases), for a change of a case
/// of `courier` written in this transaction; announced to their waiting pulls.
fn next_seq(tx: &mut Tx<'_>, courier: Option<&str>) -> Result<i64, StoreError> {
    tx.lock_global("cases")?;
    if let Some(c) = courier {
        tx.announce(c)?;
    }
    tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM cases",
        params![],
        |r| r.get(0),
    )
}

fn note_event(
    tx: &mut Tx<'_>,
    case_id: i64,
    at: i64,
    actor: CaseActor,
    event: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO case_events (case_id, at, actor, event, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![case_id, at, actor_str(actor), event, note],
    )?;
    Ok(())
}

/// Opens a case routed and timed by the platform's policy; its number.
pub fn open(tx: &mut Tx<'_>, o: &Opening<'_>, now: i64) -> Result<i64, StoreError> {
    let policy = policy(tx)?;
    let team = policy.team_for(o.kind);
    let deadlines = policy.deadlines_for(o.kind);
    let seq = next_seq(tx, o.courier_id)?;
    let (client, mutation) = match o.source {
        Some((c, m)) => (Some(c), Some(m)),
        None => (None, None),
    };
    let id: i64 = tx.query_row(
        "INSERT INTO cases (task_id, courier_id, client_id, mutation_id, kind, cause, team,
             status, summary, opened_at, respond_by, resolve_by, recall_id, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
        params![
            o.task_id,
            o.courier_id,
            client,
            mutation,
            o.kind.as_str(),
            o.cause,
            team.as_str(),
            o.summary,
            now,
            now.saturating_add(i64::from(deadlines.first_response_min) * 60),
            now.saturating_add(i64::from(deadlines.resolution_min) * 60),
            o.recall_id,
            seq
        ],
        |r| r.get(0),
    )?;
    note_event(tx, id, now, o.actor, "opened", Some(o.cause))?;
    tracing::info!(
        case_id = id,
        kind = o.kind.as_str(),
        team = team.as_str(),
        "case opened"
    );
    Ok(id)
}

/// Appends `line` to the newest case with this cause about the courier's task, if there is
/// one that is not settled; false when there is none.
pub fn append(
    tx: &mut Tx<'_>,
    task_id: &str,
    courier: &str,
    cause: &str,
    line: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let found: Option<i64> = tx.query_opt(
        "SELECT id FROM cases WHERE task_id = ?1 AND courier_id = ?2 AND cause = ?3
           AND status NOT IN ('resolved', 'rejected', 'closed')
         ORDER BY id DESC LIMIT 1",
        params![task_id, courier, cause],
        |r| r.get(0),
    )?;
    let Some(id) = found else {
        return Ok(false);
    };
    let seq = next_seq(tx, Some(courier))?;
    tx.execute(
        "UPDATE cases SET summary = summary || '; ' || ?2, seq = ?3 WHERE id = ?1",
        params![id, line, seq],
    )?;
    note_event(tx, id, now, CaseActor::System, "noted", Some(line))?;
    Ok(true)
}

/// The cases opened from a courier's fact, oldest first (`GET /v1/dispatch/after-sales`).
pub fn list(tx: &mut Tx<'_>) -> Result<Vec<AfterSalesCase>, StoreError> {
    tx.query_map(
        "SELECT id, task_id, courier_id, client_id, mutation_id, cause, summary, opened_at
         FROM cases WHERE client_id IS NOT NULL ORDER BY id",
        params![],
        |r| {
            Ok(AfterSalesCase {
                id: r.get(0)?,
                task_id: r.get(1)?,
                courier_id: r.get::<Option<String>>(2)?.unwrap_or_default(),
                client_id: r.get::<Option<String>>(3)?.unwrap_or_default(),
                mutation_id: r.get::<Option<i64>>(4)?.unwrap_or_default(),
                kind: r.get(5)?,
                detail: r.get(6)?,
                created_at: r.get(7)?,
            })
        },
    )
}

/// The columns [`row_to_record`] / [`row_to_doc`] read, in order.
pub(crate) const COLUMNS: &str = "id, task_id, kind, status, team, summary, opened_at, answer_by,
    resolve_by, courier_statement, resolution_note, fault, follow_up_task_id, breached, seq,
    courier_id, first_response_at, respond_by, settled_at, closed_at, satisfaction";

/// A case from a row of [`COLUMNS`].
pub(crate) fn row_to_record(r: &Row) -> Result<CaseRecord, StoreError> {
    let kind: String = r.get(2)?;
    let status: String = r.get(3)?;
    let team: String = r.get(4)?;
    let fault: Option<String> = r.get(11)?;
    Ok(CaseRecord {
        case: CaseDoc {
            id: r.get(0)?,
            task_id: r.get(1)?,
            kind: CaseKind::parse(&kind).ok_or_else(|| StoreError::document("bad case kind"))?,
            status: CaseStatus::parse(&status)
                .ok_or_else(|| StoreError::document("bad case status"))?,
            team: CaseTeam::parse(&team).ok_or_else(|| StoreError::document("bad case team"))?,
            summary: r.get(5)?,
            opened_at: r.get(6)?,
            answer_by: r.get(7)?,
            resolve_by: r.get(8)?,
            courier_statement: r.get(9)?,
            resolution_note: r.get(10)?,
            fault: match fault.as_deref() {
                Some("courier") => Some(Fault::Courier),
                Some("merchant") => Some(Fault::Merchant),
                _ => None,
            },
            follow_up_task_id: r.get(12)?,
            breached: r.get::<i64>(13)? != 0,
            seq: r.get(14)?,
            first_response_at: r.get(16)?,
            respond_by: r.get(17)?,
            settled_at: r.get(18)?,
            closed_at: r.get(19)?,
            satisfaction: r.get::<Option<i64>>(20)?.map(|s| s.clamp(0, 5) as u8),
        },
        courier_id: r.get(15)?,
        history: Vec::new(),
    })
}

fn history(tx: &mut Tx<'_>, case_id: i64) -> Result<Vec<CaseEvent>, StoreError> {
    tx.query_map(
        "SELECT at, actor, event, note FROM case_events WHERE case_id = ?1 ORDER BY id",
        params![case_id],
        |r| {
            let actor: String = r.get(1)?;
            Ok(CaseEvent {
                at: r.get(0)?,
                actor: actor_parse(&actor),
                event: r.get(2)?,
                note: r.get(3)?,
            })
        },
    )
}

/// A case with its history.
pub fn get(tx: &mut Tx<'_>, id: i64) -> Result<Option<CaseRecord>, StoreError> {
    let found = tx.query_opt(
        &format!("SELECT {COLUMNS} FROM cases WHERE id = ?1"),
        params![id],
        row_to_record,
    )?;
    let Some(mut record) = found else {
        return Ok(None);
    };
    record.history = history(tx, id)?;
    Ok(Some(record))
}

/// Locks the case's row until commit (PostgreSQL), so that two steps on one case apply one
/// after the other, each checked against the status the other left.
fn lock(tx: &mut Tx<'_>, id: i64) -> Result<(), StoreError> {
    let sql = format!("SELECT id FROM cases WHERE id = ?1{}", tx.for_update());
    tx.query_opt(&sql, params![id], |_| Ok(()))?;
    Ok(())
}

fn must_get(tx: &mut Tx<'_>, id: i64) -> Result<CaseRecord, StoreError> {
    get(tx, id)?.ok_or_else(|| Refusal::NoSuchCase.into())
}

/// Which cases `GET /v1/dispatch/cases` lists.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFilter {
    /// Only cases in this status.
    #[serde(default)]
    pub status: Option<CaseStatus>,
    /// Only this team's.
    #[serde(default)]
    pub team: Option<CaseTeam>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<CaseKind>,
    /// Only about this courier's deliveries.
    #[serde(default)]
    pub courier: Option<String>,
    /// Only breached (`true`) or only not breached (`false`) cases.
    #[serde(default)]
    pub breached: Option<bool>,
}

/// The cases the filter selects, oldest first, each with its history.
pub fn list_cases(tx: &mut Tx<'_>, f: &CaseFilter) -> Result<Vec<CaseRecord>, StoreError> {
    let mut records = tx.query_map(
        &format!(
            "SELECT {COLUMNS} FROM cases
             WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
               AND (CAST(?2 AS TEXT) IS NULL OR team = ?2)
               AND (CAST(?3 AS TEXT) IS NULL OR kind = ?3)
               AND (CAST(?4 AS TEXT) IS NULL OR courier_id = ?4)
               AND (CAST(?5 AS INTEGER) IS NULL OR breached = ?5)
             ORDER BY id"
        ),
        params![
            f.status.map(CaseStatus::as_str),
            f.team.map(CaseTeam::as_str),
            f.kind.map(CaseKind::as_str),
            f.courier,
            f.breached.map(i64::from)
        ],
        row_to_record,
    )?;
    for r in &mut records {
        r.history = history(tx, r.case.id)?;
    }
    Ok(records)
}

/// The cases about the courier's deliveries changed after `seq`, in order (what a pull
/// carries).
pub fn after(tx: &mut Tx<'_>, courier: &str, seq: i64) -> Result<Vec<CaseDoc>, StoreError> {
    tx.query_map(
        &format!("SELECT {COLUMNS} FROM cases WHERE courier_id = ?1 AND seq > ?2 ORDER BY seq"),
        params![courier, seq],
        |r| Ok(row_to_record(r)?.case),
    )
}

/// Records every deadline that passed by `now` and was not recorded yet: once per case and
/// deadline, in the history (`breached_first_response`, `breached_resolution`), and the case
/// is flagged `breached`. A courier's answer overdue is noted (`courier_answer_overdue`) but is
/// no breach of the team's deadlines. Returns how many breaches were recorded now.
pub fn sweep(tx: &mut Tx<'_>, now: i64) -> Result<u32, StoreError> {
    struct Due {
        id: i64,
        courier: Option<String>,
        first_late: bool,
        settle_late: bool,
        answer_late: bool,
    }
    let due = tx.query_map(
        "SELECT id, courier_id,
             response_noted = 0 AND respond_by < ?1
                 AND (first_response_at IS NULL OR first_response_at > respond_by),
             resolution_noted = 0 AND resolve_by < ?1
                 AND (settled_at IS NULL OR settled_at > resolve_by),
             answer_noted = 0 AND status = 'waiting_for_courier' AND answer_by < ?1
         FROM cases
         WHERE (response_noted = 0 AND respond_by < ?1
                 AND (first_response_at IS NULL OR first_response_at > respond_by))
            OR (resolution_noted = 0 AND resolve_by < ?1
                 AND (settled_at IS NULL OR settled_at > resolve_by))
            OR (answer_noted = 0 AND status = 'waiting_for_courier' AND answer_by < ?1)
         ORDER BY id",
        params![now],
        |r| {
            Ok(Due {
                id: r.get(0)?,
                courier: r.get(1)?,
                first_late: r.get(2)?,
                settle_late: r.get(3)?,
                answer_late: r.get(4)?,
            })
        },
    )?;
    let mut breaches = 0u32;
    for d in due {
        // Each flag is taken by a conditional update, so that two transactions sweeping at
        // once (pulls on two replicas) record a breach once: the second finds it taken.
        let take = |tx: &mut Tx<'_>, flag: &str, breach: bool| -> Result<bool, StoreError> {
            let breached = if breach { ", breached = 1" } else { "" };
            Ok(tx.execute(
                &format!("UPDATE cases SET {flag} = 1{breached} WHERE id = ?1 AND {flag} = 0"),
                params![d.id],
            )? > 0)
        };
        let mut events = Vec::new();
        if d.first_late && take(tx, "response_noted", true)? {
            events.push("breached_first_response");
        }
        if d.settle_late && take(tx, "resolution_noted", true)? {
            events.push("breached_resolution");
        }
        if d.answer_late && take(tx, "answer_noted", false)? {
            events.push("courier_answer_overdue");
        }
        if events.is_empty() {
            continue;
        }
        for event in &events {
            note_event(tx, d.id, now, CaseActor::System, event, None)?;
            if event.starts_with("breached") {
                breaches += 1;
                tracing::info!(case_id = d.id, event, "case deadline breached");
            }
        }
        let seq = next_seq(tx, d.courier.as_deref())?;
        tx.execute(
            "UPDATE cases SET seq = ?2 WHERE id = ?1",
            params![d.id, seq],
        )?;
    }
    Ok(breaches)
}

/// How many cases have a deadline breached (the metric).
pub fn breached_count(tx: &mut Tx<'_>) -> Result<i64, StoreError> {
    tx.query_row(
        "SELECT COUNT(*) FROM cases WHERE breached = 1",
        params![],
        |r| r.get(0),
    )
}

/// What the task's stored scans show about its handoffs: every manifest item confirmed (a
/// `confirmed` scan or a confirmation by hand) at the pickup, and at the drop-off. A task
/// without items shows nothing.
pub fn handoff_evidence(tx: &mut Tx<'_>, doc: &TaskDoc) -> Result<HandoffEvidence, StoreError> {
    let actions: Vec<String> = tx.query_map(
        "SELECT action FROM mutations WHERE task_id = ?1 AND outcome = 'applied'
         ORDER BY received_at, mutation_id",
        params![doc.id],
        |r| r.get(0),
    )?;
    let mut at_pickup = std::collections::BTreeSet::<String>::new();
    let mut at_dropoff = std::collections::BTreeSet::<String>::new();
    for a in actions {
        let v: serde_json::Value = serde_json::from_str(&a).unwrap_or_default();
        let confirmed = match v["type"].as_str() {
            Some("scan") => v["outcome"].as_str() == Some("confirmed"),
            Some("confirm_item") => true,
            _ => false,
        };
        let Some(item) = v["item_code"].as_str().filter(|_| confirmed) else {
            continue;
        };
        match v["stage"].as_str() {
            Some("pickup") => at_pickup.insert(item.to_owned()),
            Some("dropoff") => at_dropoff.insert(item.to_owned()),
            _ => false,
        };
    }
    let all = |seen: &std::collections::BTreeSet<String>| {
        !doc.items.is_empty() && doc.items.iter().all(|i| seen.contains(&i.code))
    };
    Ok(HandoffEvidence {
        all_confirmed_at_pickup: all(&at_pickup),
        all_confirmed_at_dropoff: all(&at_dropoff),
    })
}

/// Checks a command against the clock before anything is written: a follow-up promised for a
/// time already past is refused.
fn check_times(cmd: &CaseCommand, now: i64) -> Result<(), StoreError> {
    if let CaseCommand::Resolve {
        follow_up: Some(FollowUp {
            due_by: Some(due), ..
        }),
        ..
    } = cmd
    {
        if *due < now {
            return Err(Refusal::DeadlinePast("follow_up.due_by").into());
        }
    }
    Ok(())
}

/// Creates the task a resolution orders, linked to the case; its id.
fn create_follow_up(
    tx: &mut Tx<'_>,
    case_id: i64,
    original: &TaskDoc,
    f: &FollowUp,
    now: i64,
) -> Result<String, StoreError> {
    let items = if f.items.is_empty() {
        original.items.clone()
    } else {
        f.items.clone()
    };
    let mut doc = TaskDoc {
        id: f.task_id.clone(),
        kind: original.kind,
        status: TaskStatus::Assigned,
        pickup: original.pickup.clone(),
        dropoff: original.dropoff.clone(),
        revision: 1,
        ordered_at: Some(now),
        items,
        return_to: original.return_to.clone(),
        handoff_code: None,
        contactless: original.contactless,
        proof: original.proof,
        customer_locale: original.customer_locale.clone(),
        case_id: Some(case_id),
        take_back: Vec::new(),
        handovers: Vec::new(),
        cash_due: None,
        locker: None,
    };
    match f.kind {
        FollowUpKind::Redelivery => {}
        FollowUpKind::ReturnPickup => {
            // From the customer's door back to the merchant (or where returns go).
            let back = original
                .return_to
                .clone()
                .or_else(|| original.pickup.clone())
                .ok_or(Refusal::NoReturnStop)?;
            let mut from = original.dropoff.clone();
            from.ready_at = None;
            from.due_by = None;
            from.not_before = None;
            doc.kind = TaskKind::ReturnPickup;
            doc.pickup = Some(from);
            doc.dropoff = back;
            doc.return_to = None;
        }
        FollowUpKind::Exchange => {
            doc.take_back = if f.take_back.is_empty() {
                original.items.clone()
            } else {
                f.take_back.clone()
            };
        }
    }
    doc.dropoff.due_by = f.due_by;
    if let Some(p) = &mut doc.pickup {
        p.due_by = None;
    }
    let created = tasks::create(tx, doc, f.courier_id.as_deref(), now)?;
    Ok(created.id)
}

/// Takes a dispatch step on case `id` at `now`; refused when the case is unknown, the table
/// does not allow the step, or a time in the command is past.
pub fn step(
    tx: &mut Tx<'_>,
    id: i64,
    cmd: &CaseCommand,
    now: i64,
) -> Result<CaseRecord, StoreError> {
    check_times(cmd, now)?;
    sweep(tx, now)?;
    lock(tx, id)?;
    let case = must_get(tx, id)?;
    let from = case.case.status;
    let step = cmd.step();
    let to = from
        .after(step)
        .ok_or(Refusal::CaseStepRefused { status: from, step })?;
    let courier = case.courier_id.clone();
    let policy = policy(tx)?;
    let first = |tx: &mut Tx<'_>| -> Result<(), StoreError> {
        tx.execute(
            "UPDATE cases SET first_response_at = COALESCE(first_response_at, ?2) WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    };
    let (actor, note): (CaseActor, Option<String>) = match cmd {
        CaseCommand::Acknowledge { note } => {
            first(tx)?;
            (CaseActor::Dispatch, note.clone())
        }
        CaseCommand::AskCourier { note } => {
            if courier.is_none() {
                return Err(Refusal::CaseWithoutCourier.into());
            }
            first(tx)?;
            let answer_by = now.saturating_add(i64::from(policy.courier_answer_min) * 60);
            tx.execute(
                "UPDATE cases SET answer_by = ?2, answer_noted = 0 WHERE id = ?1",
                params![id, answer_by],
            )?;
            (CaseActor::Dispatch, Some(note.clone()))
        }
        CaseCommand::Resolve { note, follow_up } => {
            first(tx)?;
            let (doc, _) = tasks::load(tx, &case.case.task_id)?.ok_or(Refusal::NoSuchTask)?;
            let fault = if case.case.kind.is_order_error() {
                let evidence = handoff_evidence(tx, &doc)?;
                order_error_fault(case.case.kind, evidence)
            } else {
                None
            };
            let follow = match follow_up {
                Some(f) => Some(create_follow_up(tx, id, &doc, f, now)?),
                None => case.case.follow_up_task_id.clone(),
            };
            tx.execute(
                "UPDATE cases SET settled_at = ?2, resolution_note = ?3, answer_by = NULL,
                     fault = ?4, follow_up_task_id = ?5
                 WHERE id = ?1",
                params![id, now, note, fault.map(fault_str), follow],
            )?;
            let mut line = note.clone();
            if let Some(f) = fault {
                line.push_str(&format!(" (order error: {})", fault_str(f)));
            }
            if let (Some(f), Some(t)) = (follow_up, &follow) {
                line.push_str(&format!(" (follow-up {:?} task {t})", f.kind));
            }
            (CaseActor::Dispatch, Some(line))
        }
        CaseCommand::Reject { note } => {
            first(tx)?;
            tx.execute(
                "UPDATE cases SET settled_at = ?2, resolution_note = ?3, answer_by = NULL,
                     fault = NULL
                 WHERE id = ?1",
                params![id, now, note],
            )?;
            (CaseActor::Dispatch, Some(note.clone()))
        }
        CaseCommand::Close { satisfaction } => {
            tx.execute(
                "UPDATE cases SET closed_at = ?2, satisfaction = ?3 WHERE id = ?1",
                params![id, now, satisfaction.map(i64::from)],
            )?;
            (
                CaseActor::Dispatch,
                satisfaction.map(|s| format!("satisfaction {s}")),
            )
        }
        CaseCommand::Reopen { note } => {
            // The customer disagrees: the resolution deadline starts again.
            let resolution = policy.deadlines_for(case.case.kind).resolution_min;
            tx.execute(
                "UPDATE cases SET settled_at = NULL, closed_at = NULL, fault = NULL,
                     resolve_by = ?2, resolution_noted = 0
                 WHERE id = ?1",
                params![id, now.saturating_add(i64::from(resolution) * 60)],
            )?;
            (CaseActor::Customer, Some(note.clone()))
        }
    };
    let seq = next_seq(tx, courier.as_deref())?;
    tx.execute(
        "UPDATE cases SET status = ?2, seq = ?3 WHERE id = ?1",
        params![id, to.as_str(), seq],
    )?;
    note_event(tx, id, now, actor, step_name(step), note.as_deref())?;
    tracing::info!(
        case_id = id,
        from = from.as_str(),
        to = to.as_str(),
        "case step"
    );
    must_get(tx, id)
}

/// Applies a courier's statement on a case (inside the push transaction): `Some((code,
/// reason))` when it is rejected (no such case for the task, another courier's case, a case
/// already settled).
pub fn answer(
    tx: &mut Tx<'_>,
    courier: &str,
    case_id: i64,
    task_id: &str,
    statement: &str,
    evidence: &str,
    now: i64,
) -> Result<Option<(RejectCode, String)>, StoreError> {
    lock(tx, case_id)?;
    let Some(case) = get(tx, case_id)? else {
        return Ok(Some((RejectCode::Invalid, "no such case".into())));
    };
    if case.case.task_id != task_id {
        return Ok(Some((
            RejectCode::Invalid,
            "the case is about another task".into(),
        )));
    }
    if case.courier_id.as_deref() != Some(courier) {
        return Ok(Some((
            RejectCode::NotYourTask,
            "the case is about another courier's delivery".into(),
        )));
    }
    let from = case.case.status;
    let Some(to) = from.after(CaseStep::CourierAnswer) else {
        return Ok(Some((
            RejectCode::InvalidState,
            format!("the case is {}; it takes no statement", from.as_str()),
        )));
    };
    let seq = next_seq(tx, Some(courier))?;
    tx.execute(
        "UPDATE cases SET status = ?2, courier_statement = ?3, evidence = ?4, answer_by = NULL,
             seq = ?5
         WHERE id = ?1",
        params![case_id, to.as_str(), statement, evidence, seq],
    )?;
    note_event(
        tx,
        case_id,
        now,
        CaseActor::Courier,
        step_name(CaseStep::CourierAnswer),
        Some(statement),
    )?;
    tracing::info!(case_id, "courier answered a case");
    Ok(None)
}

/// The evidence bundle the courier's phone attached to their statement (JSON text).
pub fn evidence(tx: &mut Tx<'_>, case_id: i64) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT evidence FROM cases WHERE id = ?1",
            params![case_id],
            |r| r.get::<Option<String>>(0),
        )?
        .flatten())
}

/// The figures' facts of the cases opened in `from..=to` (only `courier`'s when given).
pub fn facts(
    tx: &mut Tx<'_>,
    courier: Option<&str>,
    from: i64,
    to: i64,
) -> Result<Vec<CaseFact>, StoreError> {
    tx.query_map(
        "SELECT kind, opened_at, first_response_at, respond_by, settled_at, resolve_by,
                closed_at, satisfaction
         FROM cases
         WHERE opened_at >= ?1 AND opened_at <= ?2
           AND (CAST(?3 AS TEXT) IS NULL OR courier_id = ?3)
         ORDER BY id",
        params![from, to, courier],
        |r| {
            let kind: String = r.get(0)?;
            Ok(CaseFact {
                kind: CaseKind::parse(&kind)
                    .ok_or_else(|| StoreError::document("bad case kind"))?,
                opened_at: r.get(1)?,
                first_response_at: r.get(2)?,
                respond_by: r.get(3)?,
                settled_at: r.get(4)?,
                resolve_by: r.get(5)?,
                closed_at: r.get(6)?,
                satisfaction: r.get::<Option<i64>>(7)?.map(|s| s.clamp(0, 5) as u8),
            })
        },
    )
}

/// The couriers with cases opened in `from..=to`, sorted.
pub fn couriers_with_cases(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<Vec<String>, StoreError> {
    tx.query_map(
        "SELECT DISTINCT courier_id FROM cases
         WHERE courier_id IS NOT NULL AND opened_at >= ?1 AND opened_at <= ?2
         ORDER BY courier_id",
        params![from, to],
        |r| r.get(0),
    )
}

/// A confirmed order error: the case, its task, and (merchant's faults) the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderError {
    /// The case.
    pub case_id: i64,
    /// The task delivered.
    pub task_id: String,
    /// The courier who delivered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_id: Option<String>,
    /// The merchant (the task's pickup stop), for errors that count against the merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
}

/// Confirmed order errors of cases opened in `from..=to` with this fault.
pub fn order_errors(
    tx: &mut Tx<'_>,
    fault: Fault,
    courier: Option<&str>,
    from: i64,
    to: i64,
) -> Result<Vec<OrderError>, StoreError> {
    let rows: Vec<(i64, String, Option<String>)> = tx.query_map(
        "SELECT id, task_id, courier_id FROM cases
         WHERE fault = ?1 AND opened_at >= ?2 AND opened_at <= ?3
           AND (CAST(?4 AS TEXT) IS NULL OR courier_id = ?4)
         ORDER BY id",
        params![fault_str(fault), from, to, courier],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (case_id, task_id, courier_id) in rows {
        let merchant = match fault {
            Fault::Merchant => {
                tasks::load(tx, &task_id)?.and_then(|(doc, _)| doc.pickup.map(|p| p.name))
            }
            Fault::Courier => None,
        };
        out.push(OrderError {
            case_id,
            task_id,
            courier_id,
            merchant,
        });
    }
    Ok(out)
}

/// The tasks of `courier` with a confirmed order error counted against them.
pub fn courier_fault_tasks(tx: &mut Tx<'_>, courier: &str) -> Result<Vec<String>, StoreError> {
    tx.query_map(
        "SELECT DISTINCT task_id FROM cases WHERE courier_id = ?1 AND fault = 'courier'
         ORDER BY task_id",
        params![courier],
        |r| r.get(0),
    )
}
