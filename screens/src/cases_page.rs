//! After-sales cases about the courier's deliveries: each with its kind, status and deadlines
//! in words, the statement and the resolution, and the answer offer (disabled with the reason
//! once the case is settled, by the core's lifecycle table).

use runsheet_core::{CourierCase, Result};
use runsheet_protocol::CaseStatus;
use runsheet_words::{Args, Words};

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{CasePage, CaseView, CasesPage, Tone};
use crate::view::View;
use crate::wording::t;

/// The page.
pub fn build(v: &View<'_>) -> Result<CasesPage> {
    let offset = clock_offset(v)?;
    let cases: Vec<CaseView> = v
        .core
        .cases()?
        .iter()
        .map(|c| view(v, c, offset, true))
        .collect();
    Ok(CasesPage {
        empty_text: cases.is_empty().then(|| t(v.words, "cases-empty")),
        cases,
    })
}

/// The page of one case.
pub fn build_one(v: &View<'_>, case_id: i64) -> Result<CasePage> {
    let offset = clock_offset(v)?;
    let c = v.core.case(case_id)?;
    let task = v.core.task(&c.doc.task_id).ok().map(|task| {
        Offer::new(
            Tap::ShowTask {
                task_id: task.id.clone(),
            },
            crate::task_list::title(v.words, &task),
            OfferStyle::Navigation,
        )
    });
    Ok(CasePage {
        detail: view(v, &c, offset, false),
        task,
    })
}

/// Server time minus device time: cases are dated by the server.
fn clock_offset(v: &View<'_>) -> Result<i64> {
    Ok(v.core.sync_status()?.clock_offset_seconds.unwrap_or(0))
}

/// "due in 1 h 20 min" or "overdue".
fn left(w: &Words, due: i64, now: i64) -> String {
    if now > due {
        t(w, "case-overdue")
    } else {
        w.text(
            "case-due-in",
            &Args::new().str("duration", w.duration(due - now)),
        )
    }
}

/// The answer offer of a case: enabled while the lifecycle table takes a statement, else
/// disabled with the core's sentence for a settled case.
pub fn answer_offer(w: &Words, c: &CourierCase) -> Offer {
    let mut offer = Offer::new(
        Tap::AnswerCase {
            case_id: c.doc.id,
            statement: String::new(),
        },
        t(w, "offer-answer-case"),
        OfferStyle::Primary,
    )
    .with_inputs(vec![InputSpec {
        field: "statement".into(),
        label: t(w, "input-statement"),
        kind: InputKind::Text,
        required: true,
        min: None,
        max: None,
    }]);
    if !c.can_answer {
        offer.enabled = false;
        offer.why = vec![runsheet_core::Error::CaseSettled {
            case_id: c.doc.id,
            status: c.doc.status,
        }
        .sentence(w)];
    }
    offer
}

fn view(v: &View<'_>, c: &CourierCase, offset: i64, listed: bool) -> CaseView {
    let w = v.words;
    let doc = &c.doc;
    let server_now = v.now + offset;
    let local = |server: i64| v.time(server - offset);
    let mut deadlines = Vec::new();
    if let Some(by) = doc
        .answer_by
        .filter(|_| doc.status == CaseStatus::WaitingForCourier)
    {
        deadlines.push(
            w.text(
                "case-answer-by",
                &Args::new()
                    .str("time", local(by))
                    .str("left", left(w, by, server_now)),
            ),
        );
    }
    if !doc.status.is_settled() {
        deadlines.push(
            w.text(
                "case-settle-by",
                &Args::new()
                    .str("time", local(doc.resolve_by))
                    .str("left", left(w, doc.resolve_by, server_now)),
            ),
        );
    }
    if doc.breached {
        deadlines.push(t(w, "case-breached"));
    }
    let statement = doc.courier_statement.as_ref().map(|s| {
        let mut text = w.text("case-statement", &Args::new().str("text", s.clone()));
        if c.answer_pending {
            text = format!("{text} {}", t(w, "case-statement-pending"));
        }
        text
    });
    let follow_up = doc.follow_up_task_id.as_ref().map(|task_id| {
        Offer::new(
            Tap::ShowTask {
                task_id: task_id.clone(),
            },
            w.text("case-follow-up", &Args::new().str("task", task_id.clone())),
            OfferStyle::Navigation,
        )
    });
    // A follow-up task not on this phone cannot be opened.
    let follow_up = follow_up.filter(|o| match &o.tap {
        Tap::ShowTask { task_id } => v.core.task(task_id).is_ok(),
        _ => false,
    });
    let mut offers = Vec::new();
    if listed {
        offers.push(Offer::new(
            Tap::ShowCase { case_id: doc.id },
            t(w, "offer-show-case"),
            OfferStyle::Navigation,
        ));
    }
    offers.push(answer_offer(w, c));
    let overdue = doc.breached
        || doc
            .answer_by
            .is_some_and(|by| doc.status == CaseStatus::WaitingForCourier && server_now > by);
    CaseView {
        case_id: doc.id,
        task_id: doc.task_id.clone(),
        title: w.text(
            "case-title",
            &Args::new()
                .str("case", doc.id.to_string())
                .str("kind", runsheet_core::wording::case_kind(w, doc.kind)),
        ),
        about: w.text(
            "case-about-task",
            &Args::new().str("task", doc.task_id.clone()),
        ),
        status: runsheet_core::wording::case_status(w, doc.status),
        tone: if overdue {
            Tone::Bad
        } else if c.can_answer && doc.status == CaseStatus::WaitingForCourier {
            Tone::Warning
        } else if doc.status.is_settled() {
            Tone::Neutral
        } else {
            Tone::Good
        },
        summary: doc.summary.clone(),
        opened: w.text(
            "case-opened",
            &Args::new().str("time", local(doc.opened_at)),
        ),
        deadlines,
        statement,
        resolution: doc
            .resolution_note
            .as_ref()
            .map(|n| w.text("case-resolution", &Args::new().str("text", n.clone()))),
        fault: doc.fault.map(|f| runsheet_core::wording::fault(w, f)),
        follow_up,
        offers,
    }
}

/// The links of a task's page to its cases, and the note of the case it was created for.
pub fn task_links(v: &View<'_>, task: &runsheet_core::Task) -> Result<(Vec<Offer>, Vec<String>)> {
    let w = v.words;
    let mut links = Vec::new();
    let mut notes = Vec::new();
    for c in v.core.cases_for_task(&task.id)? {
        let kind = runsheet_core::wording::case_kind(w, c.doc.kind);
        if c.doc.follow_up_task_id.as_deref() == Some(task.id.as_str()) && c.doc.task_id != task.id
        {
            notes.push(
                w.text(
                    "note-created-by-case",
                    &Args::new()
                        .str("case", c.doc.id.to_string())
                        .str("kind", kind.clone()),
                ),
            );
        }
        links.push(Offer::new(
            Tap::ShowCase { case_id: c.doc.id },
            w.text(
                "task-case-link",
                &Args::new()
                    .str("case", c.doc.id.to_string())
                    .str("kind", kind)
                    .str(
                        "status",
                        runsheet_core::wording::case_status(w, c.doc.status),
                    ),
            ),
            OfferStyle::Navigation,
        ));
    }
    if let Some(case_id) = task.case_id {
        if !v
            .core
            .cases_for_task(&task.id)?
            .iter()
            .any(|c| c.doc.id == case_id)
        {
            // The case itself is not on this phone (it is about another courier's delivery):
            // the task still says which case it serves.
            notes.push(
                w.text(
                    "note-created-by-case",
                    &Args::new()
                        .str("case", case_id.to_string())
                        .str("kind", "—"),
                ),
            );
        }
    }
    Ok((links, notes))
}
