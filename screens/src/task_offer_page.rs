//! Offers of work: each offer still waiting for the courier with its tasks, the time left as
//! data (seconds, counted by the core on the server's clock) and in words, what accepting it
//! would do to the current plan (extra time and distance, the promised times it puts at risk),
//! and its answers: accept, or decline with one of the reasons. An answered offer shows as sent
//! until the server confirms; an acceptance the server refused (too late, or the offer
//! withdrawn by dispatch meanwhile) shows as refused. An expired or withdrawn offer is gone
//! from the page.

use runsheet_core::{CourierOffer, OfferImpact, OfferState, Result, StopAtRisk};
use runsheet_protocol::{DeclineReason, StopRole};
use runsheet_route::hint::Risk;
use runsheet_words::{Args, Words};

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{TaskOfferView, TaskOffersPage, Tone};
use crate::view::View;
use crate::wording::{kind, role, t};

/// Whether the page shows the offer: those waiting for an answer or for the server's word,
/// and refused acceptances (the courier must see them).
pub fn shown(o: &CourierOffer) -> bool {
    matches!(
        o.state,
        OfferState::Open | OfferState::AcceptSent | OfferState::DeclineSent | OfferState::Refused
    )
}

/// The page.
pub fn build(v: &View<'_>) -> Result<TaskOffersPage> {
    let offers: Vec<TaskOfferView> = v
        .core
        .offers()?
        .iter()
        .filter(|o| shown(o))
        .map(|o| view(v, o))
        .collect::<Result<_>>()?;
    Ok(TaskOffersPage {
        nearby_handovers: crate::nearby_handovers_page::open_offer(v)?,
        empty_text: offers.is_empty().then(|| t(v.words, "offers-empty")),
        offers,
    })
}

/// "Offer 3: a stack of 2 tasks".
pub fn title(w: &Words, o: &CourierOffer) -> String {
    w.text(
        "offer-title",
        &Args::new()
            .str("offer", o.offer_id.to_string())
            .num("count", o.tasks.len() as i64),
    )
}

fn state_text(w: &Words, o: &CourierOffer) -> (String, Tone) {
    let withdrawn =
        o.refusal_code.as_deref() == Some(runsheet_protocol::RejectCode::OfferWithdrawn.as_str());
    let (id, tone) = match o.state {
        OfferState::Refused if withdrawn => ("offer-state-refused-withdrawn", Tone::Bad),
        OfferState::Open => ("offer-state-open", Tone::Warning),
        OfferState::AcceptSent => ("offer-state-accept-sent", Tone::Neutral),
        OfferState::DeclineSent => ("offer-state-decline-sent", Tone::Neutral),
        OfferState::Refused => ("offer-state-refused", Tone::Bad),
        // Not shown on the page; worded for completeness.
        OfferState::Accepted => ("offer-state-accept-sent", Tone::Good),
        OfferState::Declined | OfferState::Expired | OfferState::Withdrawn => {
            ("offer-state-decline-sent", Tone::Neutral)
        }
    };
    (t(w, id), tone)
}

fn risk_line(v: &View<'_>, s: &StopAtRisk) -> String {
    let w = v.words;
    let what = w.text(
        if s.offered {
            "offer-risk-offered"
        } else {
            "offer-risk-own"
        },
        &Args::new()
            .str("task", s.task_id.clone())
            .str("role", role(w, s.role).to_lowercase()),
    );
    let risk = t(
        w,
        match s.risk {
            Risk::Late => "offer-risk-late",
            _ => "offer-risk-at-risk",
        },
    );
    w.text(
        "offer-risk-line",
        &Args::new()
            .str("risk", risk)
            .str("what", what)
            .str("due", v.time(s.due_by))
            .str("eta", v.time(s.eta)),
    )
}

/// The impact in lines, and how it reads (a promise put at risk: bad).
fn impact_lines(v: &View<'_>, i: &OfferImpact) -> (Vec<String>, Tone) {
    let w = v.words;
    if !i.plannable {
        return (vec![t(w, "offer-impact-unplannable")], Tone::Bad);
    }
    let mut lines = vec![w.text(
        "offer-impact",
        &Args::new()
            .str("duration", w.duration(i.extra_seconds.max(0)))
            .str("distance", w.distance(i.extra_metres.max(0) as f64)),
    )];
    if let Some(after) = i.finish_after {
        lines.push(match i.finish_before {
            Some(before) => w.text(
                "offer-impact-finish",
                &Args::new()
                    .str("time", v.time(after))
                    .str("before", v.time(before)),
            ),
            None => w.text(
                "offer-impact-finish-new",
                &Args::new().str("time", v.time(after)),
            ),
        });
    }
    let overflows = i.overflows_box == Some(true);
    if overflows {
        lines.push(t(w, "offer-impact-box-full"));
    }
    if i.at_risk.is_empty() {
        if !overflows {
            lines.push(t(w, "offer-impact-safe"));
        }
        return (lines, if overflows { Tone::Bad } else { Tone::Neutral });
    }
    lines.extend(i.at_risk.iter().map(|s| risk_line(v, s)));
    (lines, Tone::Bad)
}

fn task_lines(v: &View<'_>, o: &CourierOffer) -> Vec<String> {
    let w = v.words;
    o.tasks
        .iter()
        .map(|task| {
            let from = task
                .pickup
                .as_ref()
                .map(|p| p.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| role(w, StopRole::Pickup));
            let mut line = w.text(
                "offer-task-line",
                &Args::new()
                    .str("kind", kind(w, task.kind))
                    .str("from", from)
                    .str("to", task.dropoff.address.clone()),
            );
            if let Some(ready) = task.pickup.as_ref().and_then(|p| p.ready_at) {
                line.push_str(&t(w, "list-separator"));
                line.push_str(&w.text(
                    "offer-task-pickup-ready",
                    &Args::new().str("time", v.time(ready)),
                ));
            }
            if let Some(due) = task.dropoff.due_by {
                line.push_str(&t(w, "list-separator"));
                line.push_str(&w.text("offer-task-due", &Args::new().str("time", v.time(due))));
            }
            line
        })
        .collect()
}

/// The decline offers: one per reason, with an optional note.
fn decline_offers(w: &Words, offer_id: i64) -> Vec<Offer> {
    DeclineReason::ALL
        .into_iter()
        .map(|reason| {
            Offer::new(
                Tap::DeclineOffer {
                    offer_id,
                    reason,
                    note: String::new(),
                },
                w.text(
                    "offer-decline",
                    &Args::new().str("reason", runsheet_core::wording::decline_reason(w, reason)),
                ),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![InputSpec {
                field: "note".into(),
                label: t(w, "input-decline-note"),
                kind: InputKind::Text,
                required: reason == DeclineReason::Other,
                min: None,
                max: None,
            }])
        })
        .collect()
}

fn view(v: &View<'_>, o: &CourierOffer) -> Result<TaskOfferView> {
    let w = v.words;
    let offset = v.core.sync_status()?.clock_offset_seconds.unwrap_or(0);
    let (state, tone) = state_text(w, o);
    let open = o.state.answerable();
    let (impact, impact_tone) = if open {
        impact_lines(v, &v.core.offer_impact(o.offer_id)?)
    } else {
        (Vec::new(), Tone::Neutral)
    };
    let time_left = open.then(|| {
        w.text(
            "offer-left",
            &Args::new().str("duration", w.duration(o.remaining_s)),
        )
    });
    let expiry_local = o.expires_at - offset;
    Ok(TaskOfferView {
        offer_id: o.offer_id,
        title: title(w, o),
        state,
        tone,
        remaining_s: o.remaining_s,
        time_left,
        answer_by: open.then(|| {
            w.text(
                "offer-answer-by",
                &Args::new().str("time", v.time(expiry_local)),
            )
        }),
        tasks: task_lines(v, o),
        impact,
        impact_tone,
        accept: open.then(|| {
            Offer::new(
                Tap::AcceptOffer {
                    offer_id: o.offer_id,
                },
                t(w, "offer-accept"),
                OfferStyle::Primary,
            )
        }),
        decline: if open {
            decline_offers(w, o.offer_id)
        } else {
            Vec::new()
        },
    })
}
