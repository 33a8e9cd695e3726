//! Reporting a problem: the reasons that apply to the task now, per reason the inputs it needs
//! with their ranges, and what blocks it (from the action transaction's own guards).

use runsheet_core::workflow::exception_action;
use runsheet_core::Result;
use runsheet_protocol::ExceptionReason;
use runsheet_words::{Args, Words};

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{ProblemPage, ProblemReason};
use crate::view::View;
use crate::wording::{self, t};

/// Longest merchant delay a courier can report, minutes.
pub const MAX_READY_IN_MIN: u32 = 180;

/// The sheet of `task_id`.
pub fn build(v: &View<'_>, task_id: &str) -> Result<ProblemPage> {
    let w = v.words;
    let photos = v
        .state
        .problem_photos
        .get(task_id)
        .cloned()
        .unwrap_or_default();
    let mut reasons = Vec::new();
    // Every reason a courier reports (a checklist breach is the core's own, never the courier's).
    for reason in ExceptionReason::ALL
        .into_iter()
        .filter(|r| *r != ExceptionReason::ChecklistBreach)
    {
        let ready_at = (reason == ExceptionReason::MerchantDelay).then_some(v.now + 60);
        let probe = exception_action(task_id, reason, None, photos.clone(), ready_at);
        let Some(blockers) = v.core.would_block(&probe)? else {
            continue; // does not apply to the task now
        };
        if blockers.contains(&runsheet_core::Blocker::AlreadyPickedUp) {
            continue; // can never apply again once the goods are in the box
        }
        reasons.push(ProblemReason {
            reason,
            label: wording::reason(w, reason),
            ends_delivery: reason.fails_delivery(),
            effect: t(
                w,
                if reason.fails_delivery() {
                    "problem-ends-delivery"
                } else {
                    "problem-goes-on"
                },
            ),
            report: Offer::new(
                Tap::ReportProblem {
                    task_id: task_id.to_owned(),
                    reason,
                    note: String::new(),
                    ready_in_min: None,
                },
                wording::reason(w, reason),
                if reason.fails_delivery() {
                    OfferStyle::Destructive
                } else {
                    OfferStyle::Secondary
                },
            )
            .blocked_by(blockers, w)
            .with_inputs(inputs(w, reason)),
        });
    }
    Ok(ProblemPage {
        task_id: task_id.to_owned(),
        photos: w.text("problem-photos", &Args::new().num("n", photos.len() as i64)),
        take_photo: Offer::new(
            Tap::TakeProblemPhoto {
                task_id: task_id.to_owned(),
            },
            t(w, "offer-problem-photo"),
            OfferStyle::Secondary,
        ),
        reasons,
    })
}

fn inputs(w: &Words, reason: ExceptionReason) -> Vec<InputSpec> {
    let mut out = vec![InputSpec {
        field: "note".into(),
        label: t(w, "input-note"),
        kind: InputKind::Text,
        required: false,
        min: None,
        max: None,
    }];
    if reason == ExceptionReason::MerchantDelay {
        out.push(InputSpec {
            field: "ready_in_min".into(),
            label: t(w, "input-ready-in"),
            kind: InputKind::Number,
            required: true,
            min: Some(1),
            max: Some(i64::from(MAX_READY_IN_MIN)),
        });
    }
    out
}
