//! A task's handover between couriers: who holds the goods, the latest handover with its times,
//! and what the courier can do: ask to hand the task over (one offer per reason, blocked with
//! the rulebook's reasons) or, as the receiving courier, scan every bag with a verdict per scan.

use runsheet_core::{Custody, HandoverReason, Result};
use runsheet_words::Args;

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::HandoverPage;
use crate::task_page::item_view;
use crate::view::View;
use crate::wording::t;

/// The page of `task_id`.
pub fn build(v: &View<'_>, task_id: &str) -> Result<HandoverPage> {
    let w = v.words;
    let p = v.core.handover(task_id)?;
    let mut history = Vec::new();
    let mut status = None;
    let mut reason = None;
    if let Some(h) = &p.handover {
        status = Some(runsheet_core::wording::handover_status(w, h.status));
        reason = Some(w.text(
            "handover-reason-line",
            &Args::new().str(
                "reason",
                runsheet_core::wording::handover_reason(w, h.reason),
            ),
        ));
        if h.requested_at > 0 {
            history.push(w.text(
                "handover-requested-at",
                &Args::new().str("time", v.time(h.requested_at)),
            ));
        }
        if let Some(at) = h.assigned_at {
            history.push(w.text("handover-assigned-at", &Args::new().str("time", v.time(at))));
        }
        if let Some(at) = h.completed_at {
            history.push(
                w.text(
                    "handover-completed-at",
                    &Args::new()
                        .str("time", v.time(at))
                        .str("scanned", v.time(h.scanned_at.unwrap_or(at))),
                ),
            );
        }
        if let Some(at) = h.voided_at {
            history.push(w.text("handover-voided-at", &Args::new().str("time", v.time(at))));
        }
        if p.pending {
            history.push(t(w, "handover-pending-sync"));
        }
    }
    let bags = p
        .bags
        .iter()
        .map(|b| {
            let mut view = item_view(w, &b.item, b.scanned);
            view.state_text = t(
                w,
                if b.scanned {
                    "handover-bag-scanned"
                } else {
                    "handover-bag-waiting"
                },
            );
            view
        })
        .collect();
    let mut offers = Vec::new();
    match p.custody {
        Custody::Mine => {
            for r in HandoverReason::ALL {
                let probe = runsheet_core::Action::RequestHandover {
                    task_id: task_id.to_owned(),
                    reason: r,
                    note: Some("-".into()),
                };
                let Some(mut blockers) = v.core.would_block(&probe)? else {
                    continue; // the goods are not on board, or the task is finished
                };
                blockers.retain(|b| *b != runsheet_core::Blocker::ReasonRequired);
                offers.push(
                    Offer::new(
                        Tap::RequestHandover {
                            task_id: task_id.to_owned(),
                            reason: r,
                            note: String::new(),
                        },
                        runsheet_core::wording::handover_reason(w, r),
                        OfferStyle::Secondary,
                    )
                    .blocked_by(blockers, w)
                    .with_inputs(vec![InputSpec {
                        field: "note".into(),
                        label: t(w, "input-handover-note"),
                        kind: InputKind::Text,
                        required: r == HandoverReason::Other,
                        min: None,
                        max: None,
                    }]),
                );
            }
        }
        Custody::Incoming => offers.push(
            Offer::new(
                Tap::ScanHandoverBag {
                    task_id: task_id.to_owned(),
                    code: String::new(),
                    symbology: runsheet_gs1::Symbology::Unknown,
                },
                t(w, "offer-scan-bag"),
                OfferStyle::Primary,
            )
            .with_inputs(vec![InputSpec {
                field: "code".into(),
                label: t(w, "input-code"),
                kind: InputKind::Text,
                required: true,
                min: None,
                max: None,
            }]),
        ),
        Custody::HandedOver => {}
    }
    offers.push(Offer::new(
        Tap::ShowTask {
            task_id: task_id.to_owned(),
        },
        t(w, "offer-done-scanning"),
        OfferStyle::Navigation,
    ));
    let receiving = !p.bags.is_empty();
    Ok(HandoverPage {
        task_id: task_id.to_owned(),
        title: w.text("handover-title", &Args::new().str("task", task_id)),
        custody: p.custody,
        custody_text: crate::wording::custody(w, p.custody),
        status,
        reason,
        history,
        progress: receiving.then(|| {
            w.text(
                "handover-progress",
                &Args::new()
                    .num("scanned", i64::from(p.scanned))
                    .num("expected", i64::from(p.expected)),
            )
        }),
        scanned: p.scanned,
        expected: p.expected,
        bags,
        last_verdict: v.state.verdicts.get(task_id).cloned(),
        offers,
    })
}
