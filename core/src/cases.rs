//! After-sales cases about the courier's own deliveries, offline. The server owns a case's
//! lifecycle; the phone receives the cases about its courier's deliveries with each pull
//! ([`CaseDoc`]) and keeps them. The courier answers a case with a statement; the core attaches
//! the task's evidence bundle and queues [`Action::AnswerCase`] like every action, and shows the
//! case as answered until the server's next document confirms it. Whether a statement is taken
//! is the protocol's one lifecycle table ([`CaseStatus::after`] with
//! [`CaseStep::CourierAnswer`]), the same the server enforces.
//!
//! The courier's after-sales figures come from [`compute_case_figures`], the function the
//! server uses, over the cases the phone holds; a confirmed order error the case puts on the
//! courier ([`Fault::Courier`]) counts in the KPIs' order errors ([`crate::rating::facts`]).

use runsheet_protocol::{
    compute_case_figures, Action, CaseDoc, CaseFact, CaseFigures, CaseStatus, CaseStep, Fault,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::blocker::Blocker;
use crate::checklist;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};

/// Most characters of a courier's statement (the server's limit).
pub const MAX_STATEMENT_CHARS: usize = 2000;

/// A case as the courier's phone shows it: the server's document, with the courier's own
/// statement applied while the server has not confirmed it yet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CourierCase {
    /// The case (status and statement as the courier's answer leaves them).
    pub doc: CaseDoc,
    /// True while the courier's statement is on the phone and not yet confirmed by the server.
    pub answer_pending: bool,
    /// Whether the case takes a statement now (the lifecycle table allows the courier's
    /// answer): the screens offer it only then.
    pub can_answer: bool,
}

/// Whether `case` takes a courier's statement: the one rule the screens and [`answer`] share.
pub fn takes_statement(case: &CaseDoc) -> bool {
    case.status.after(CaseStep::CourierAnswer).is_some()
}

/// The highest case sequence the phone holds (the pull cursor for cases).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "cases_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

fn fault_name(f: Option<Fault>) -> Option<&'static str> {
    f.map(|f| match f {
        Fault::Courier => "courier",
        Fault::Merchant => "merchant",
    })
}

/// Stores a case the server sent (new, or changed). Returns true when the case asks the
/// courier now: it is new, or it has just started waiting for the courier's statement (the
/// phone announces it). The first response and the settlement are the server's times.
pub fn store(conn: &Connection, c: &CaseDoc) -> Result<bool> {
    let body = serde_json::to_string(c)
        .map_err(|e| Error::InvalidArgument(format!("case cannot be encoded: {e}")))?;
    type Before = (String, Option<i64>);
    let before: Option<Before> = conn
        .query_row(
            "SELECT body, answered_seq FROM cases WHERE id = ?1",
            [c.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let old: Option<CaseDoc> = before
        .as_ref()
        .and_then(|(b, ..)| serde_json::from_str(b).ok());
    // The courier's statement stays shown until the server has moved the case on past it.
    let answered_seq = before.as_ref().and_then(|b| b.1);
    let keep_answer = answered_seq.is_some_and(|s| c.seq <= s);
    conn.execute(
        "INSERT INTO cases (id, task_id, body, seq, kind, fault, opened_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET task_id = ?2, body = ?3, seq = ?4, kind = ?5,
             fault = ?6, opened_at = ?7",
        params![
            c.id,
            c.task_id,
            body,
            c.seq,
            c.kind.as_str(),
            fault_name(c.fault),
            c.opened_at
        ],
    )?;
    if !keep_answer {
        conn.execute(
            "UPDATE cases SET statement = NULL, answered_at = NULL, answered_seq = NULL
             WHERE id = ?1",
            [c.id],
        )?;
    }
    if c.seq > last_seq(conn)? {
        meta_set(conn, "cases_seq", &c.seq.to_string())?;
    }
    let waiting = c.status == CaseStatus::WaitingForCourier;
    let asks = match &old {
        None => !c.status.is_settled(),
        Some(o) => waiting && o.status != CaseStatus::WaitingForCourier,
    };
    tracing::info!(case = c.id, status = c.status.as_str(), asks, "case stored");
    Ok(asks)
}

/// Forgets the courier's statement shown on a case (the server refused it: the rejection
/// notice says why).
pub fn drop_answer(conn: &Connection, case_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE cases SET statement = NULL, answered_at = NULL, answered_seq = NULL
         WHERE id = ?1",
        [case_id],
    )?;
    Ok(())
}

fn row_to_case(body: &str, statement: Option<String>) -> Option<CourierCase> {
    let mut case: CaseDoc = serde_json::from_str(body).ok()?;
    let answer_pending = statement.is_some();
    if let Some(s) = statement {
        if let Some(next) = case.status.after(CaseStep::CourierAnswer) {
            case.status = next;
        }
        case.courier_statement = Some(s);
    }
    let can_answer = takes_statement(&case);
    Some(CourierCase {
        doc: case,
        answer_pending,
        can_answer,
    })
}

/// Every case on the phone: those waiting for the courier first, then the others newest
/// first.
pub fn list(conn: &Connection) -> Result<Vec<CourierCase>> {
    let mut stmt =
        conn.prepare_cached("SELECT body, statement FROM cases ORDER BY opened_at DESC, id DESC")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out: Vec<CourierCase> = rows
        .into_iter()
        .filter_map(|(b, s)| row_to_case(&b, s))
        .collect();
    out.sort_by_key(|c| c.doc.status != CaseStatus::WaitingForCourier);
    Ok(out)
}

/// One case, or [`Error::CaseNotFound`].
pub fn get(conn: &Connection, case_id: i64) -> Result<CourierCase> {
    let row: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT body, statement FROM cases WHERE id = ?1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.and_then(|(b, s)| row_to_case(&b, s))
        .ok_or(Error::CaseNotFound { case_id })
}

/// The cases about a task, and the case a task was created for (a redelivery, a return
/// pickup, an exchange) when that case is on the phone.
pub fn for_task(conn: &Connection, task_id: &str) -> Result<Vec<CourierCase>> {
    Ok(list(conn)?
        .into_iter()
        .filter(|c| c.doc.task_id == task_id || c.doc.follow_up_task_id.as_deref() == Some(task_id))
        .collect())
}

/// Answers a case with a statement (1 to [`MAX_STATEMENT_CHARS`] characters); the task's
/// evidence bundle goes with it. Refused with [`Error::CaseNotFound`] for a case not on the
/// phone and [`Error::CaseSettled`] for one the lifecycle table takes no statement for. Queued
/// offline; the case shows the statement (and the status the answer leads to) until the
/// server's next document about it.
pub(crate) fn answer(dev: &Device, case_id: i64, statement: &str) -> Result<i64> {
    let current = dev.store.read(|c| get(c, case_id))?;
    let case = current.doc;
    if !takes_statement(&case) {
        return Err(Error::CaseSettled {
            case_id,
            status: case.status,
        });
    }
    let statement = statement.trim();
    if statement.is_empty() {
        return Err(Error::Blocked {
            task_id: case.task_id.clone(),
            action: "answer_case",
            blockers: vec![Blocker::ReasonRequired],
        });
    }
    if statement.chars().count() > MAX_STATEMENT_CHARS {
        return Err(Error::Blocked {
            task_id: case.task_id.clone(),
            action: "answer_case",
            blockers: vec![Blocker::StatementTooLong {
                max_chars: MAX_STATEMENT_CHARS as u32,
            }],
        });
    }
    let evidence = checklist::evidence_bundle(dev, &case.task_id)?.to_json()?;
    let now = dev.now();
    let (text, seq) = (statement.to_owned(), case.seq);
    let id = dev.act_with(
        Action::AnswerCase {
            case_id,
            task_id: case.task_id.clone(),
            statement: statement.to_owned(),
            evidence,
        },
        &mut move |tx| {
            tx.execute(
                "UPDATE cases SET statement = ?2, answered_at = ?3, answered_seq = ?4
                 WHERE id = ?1",
                params![case_id, text, now, seq],
            )?;
            Ok(())
        },
    )?;
    tracing::info!(case = case_id, mutation_id = id, "case answered");
    Ok(id)
}

/// The figures' view of each case opened since `since` (server clock), from the server's own
/// times, as the server's figures see it ([`CaseDoc::fact`]).
pub fn facts(conn: &Connection, since: i64) -> Result<Vec<CaseFact>> {
    let mut stmt =
        conn.prepare_cached("SELECT body FROM cases WHERE opened_at >= ?1 ORDER BY id")?;
    let bodies = stmt
        .query_map([since], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(bodies
        .iter()
        .filter_map(|body| serde_json::from_str::<CaseDoc>(body).ok())
        .map(|c| c.fact())
        .collect())
}

/// The courier's after-sales figures for a period: [`compute_case_figures`] over the cases
/// opened in it and the deliveries made in it.
pub(crate) fn figures(dev: &Device, period: crate::rating::Period) -> Result<CaseFigures> {
    let now = dev.now();
    let since = period.since(now);
    let offset: i64 = dev
        .store
        .read(|c| Ok(meta_get(c, "clock_offset")?.and_then(|v| v.parse().ok())))?
        .unwrap_or(0);
    let (facts, deliveries) = dev.store.read(|c| {
        let facts = facts(c, since + offset)?;
        let deliveries = crate::rating::facts(c, since)?.deliveries.len();
        Ok((facts, deliveries))
    })?;
    Ok(compute_case_figures(
        &facts,
        u32::try_from(deliveries).unwrap_or(u32::MAX),
        now + offset,
    ))
}
