//! The task list: one row per task in route order within its group, each with its primary
//! action and the rulebook's blockers.

use runsheet_core::{NextAction, Result, Route, Step, Task};
use runsheet_protocol::StopRole;
use runsheet_route::hint::Risk;
use runsheet_words::{Args, Words};

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{Lateness, TaskListPage, TaskRow, Tone};
use crate::shift_bar::step_label;
use crate::view::View;
use crate::wording::{self, t};

/// The page.
pub fn build(v: &View<'_>) -> Result<TaskListPage> {
    let w = v.words;
    let (list, route) = v.core.task_list_and_route()?;
    let mut rows = Vec::with_capacity(list.entries.len());
    for e in list.entries {
        let next = match e.next.as_ref() {
            Some(n) if n.step == Step::Deliver => {
                let proof = v.state.proof.get(&e.task.id).cloned().unwrap_or_default();
                if proof.is_empty() {
                    e.next.clone()
                } else {
                    v.core.next_action_given(&e.task.id, &proof)?
                }
            }
            _ => e.next.clone(),
        };
        let (lateness, lateness_text) = lateness(v, &route, &e.task);
        let finished = e.task.status.is_final();
        rows.push(TaskRow {
            task_id: e.task.id.clone(),
            title: title(w, &e.task),
            kind: wording::kind(w, e.task.kind),
            status: wording::status(w, e.task.status),
            group: e.group,
            group_label: wording::group(w, e.group),
            promised: e
                .task
                .dropoff
                .due_by
                .filter(|_| !finished)
                .map(|d| w.text("row-due", &Args::new().str("time", v.time(d)))),
            lateness,
            lateness_text,
            unsent: (e.task.pending_actions > 0).then(|| {
                w.text(
                    "row-unsent",
                    &Args::new().num("n", i64::from(e.task.pending_actions)),
                )
            }),
            tone: match lateness {
                Lateness::Late => Tone::Bad,
                Lateness::AtRisk => Tone::Warning,
                _ if e.task.status == runsheet_protocol::TaskStatus::Delivered => Tone::Good,
                _ => Tone::Neutral,
            },
            primary: next.map(|n| primary_offer(w, &n)),
            secondary: vec![Offer::new(
                Tap::ShowTask {
                    task_id: e.task.id.clone(),
                },
                t(w, "offer-open-task"),
                OfferStyle::Navigation,
            )],
        });
    }
    let summary = w.text(
        "tasks-summary",
        &Args::new()
            .num("now", i64::from(list.now))
            .num("next", i64::from(list.next))
            .num("later", i64::from(list.later))
            .num("done", i64::from(list.done_today)),
    );
    Ok(TaskListPage {
        summary,
        empty_text: rows.is_empty().then(|| t(w, "tasks-empty")),
        rows,
    })
}

/// Where from and where to, as the courier knows the task.
pub fn title(w: &Words, task: &Task) -> String {
    let to = if task.customer_data_purged {
        t(w, "customer-removed")
    } else if task.dropoff.name.trim().is_empty() {
        task.dropoff.address.clone()
    } else {
        task.dropoff.name.clone()
    };
    match &task.pickup {
        Some(p) => w.text(
            "task-title",
            &Args::new().str("from", p.name.clone()).str("to", to),
        ),
        None => to,
    }
}

/// The task's primary action as an offer.
pub fn primary_offer(w: &Words, n: &NextAction) -> Offer {
    let task_id = n.task_id.clone().unwrap_or_default();
    let tap = match n.step {
        Step::Accept => Tap::Accept { task_id },
        // Arrivals are detected by GPS; the button stands for "I am here" and is blocked until
        // then (the task page offers the manual arrival with a reason).
        Step::Arrive(_) => Tap::ArriveManually {
            task_id,
            reason: String::new(),
        },
        Step::PickUp => Tap::PickUp { task_id },
        Step::Deliver => Tap::Deliver { task_id },
        Step::Return => Tap::Return { task_id },
        Step::StartShift => Tap::StartShift,
        Step::EndBreak => Tap::EndBreak,
        Step::EndShift | Step::WaitForTasks => Tap::EndShift,
    };
    let offer = Offer::new(tap, step_label(w, n.step), OfferStyle::Primary);
    if let Step::Arrive(_) = n.step {
        // GPS records the arrival by itself; until it does, the button confirms it by hand,
        // and the reason the courier types resolves the blocker it shows.
        let mut offer = offer
            .blocked_by(n.blockers.clone(), w)
            .with_inputs(vec![reason_input(w)]);
        offer.enabled = true;
        return offer;
    }
    offer.blocked_by(n.blockers.clone(), w)
}

/// A required free-text reason.
pub fn reason_input(w: &Words) -> InputSpec {
    InputSpec {
        field: "reason".into(),
        label: t(w, "input-reason"),
        kind: InputKind::Text,
        required: true,
        min: None,
        max: None,
    }
}

/// The lateness of the task's drop-off on the route.
pub fn lateness(v: &View<'_>, route: &Route, task: &Task) -> (Lateness, Option<String>) {
    if task.status.is_final() {
        return (Lateness::Unknown, None);
    }
    let Some(stop) = route
        .stops
        .iter()
        .find(|s| s.task_id == task.id && s.role == StopRole::Dropoff)
    else {
        return (Lateness::Unknown, None);
    };
    let eta = v.time(stop.eta);
    match stop.risk {
        Some(Risk::Late) => (
            Lateness::Late,
            Some(v.words.text("lateness-late", &Args::new().str("eta", eta))),
        ),
        Some(Risk::AtRisk) => (
            Lateness::AtRisk,
            Some(
                v.words
                    .text("lateness-at-risk", &Args::new().str("eta", eta)),
            ),
        ),
        Some(Risk::OnTime) => (
            Lateness::OnTime,
            Some(
                v.words
                    .text("lateness-on-time", &Args::new().str("eta", eta)),
            ),
        ),
        None => (Lateness::Unknown, None),
    }
}
