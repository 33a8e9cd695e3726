//! At the door: cash on delivery (the amount due, what was collected and given back, the
//! hand-in at the end of the shift) and lockers and pickup points (scan the locker's label and
//! the compartment). Notes and offers for the task page and the shift bar; the rules are the
//! core's (`runsheet_core::cash`, `runsheet_core::locker`).

use runsheet_core::{Blocker, Result, Task};
use runsheet_protocol::{LockerKind, Money};
use runsheet_words::{Args, Words};

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::view::View;
use crate::wording::{money, t};

fn input(field: &str, label: String, kind: InputKind, required: bool) -> InputSpec {
    InputSpec {
        field: field.into(),
        label,
        kind,
        required,
        min: None,
        max: None,
    }
}

/// What the task page says about the task's cash and locker: the amount to collect or what was
/// recorded (with a discrepancy), the locker or pickup point and what was scanned there, and
/// the customer's pickup code while the task is open.
pub fn notes(v: &View<'_>, task: &Task) -> Result<Vec<String>> {
    let w = v.words;
    let mut notes = Vec::new();
    if let Some(due) = &task.cash_due {
        match v.core.cash_collection(&task.id)? {
            None => notes.push(w.text("note-cash-due", &Args::new().str("due", money(w, due)))),
            Some(c) => {
                notes.push(
                    w.text(
                        "note-cash-collected",
                        &Args::new()
                            .str("collected", money(w, &c.collected))
                            .str("change", money(w, &c.change))
                            .str("due", money(w, &c.due)),
                    ),
                );
                if c.discrepancy() != 0 {
                    notes.push(w.text(
                        "note-cash-discrepancy",
                        &Args::new().str(
                            "difference",
                            money(w, &Money::new(c.discrepancy(), c.due.currency.clone())),
                        ),
                    ));
                }
            }
        }
    }
    if let Some(l) = &task.locker {
        let kind = t(
            w,
            match l.kind {
                LockerKind::Locker => "locker-kind-locker",
                LockerKind::PickupPoint => "locker-kind-pickup-point",
            },
        );
        match v.core.locker_drop_of(&task.id)? {
            None => notes.push(
                w.text(
                    "note-locker",
                    &Args::new()
                        .str("kind", kind)
                        .str("locker", l.locker_id.clone()),
                ),
            ),
            Some(d) => notes.push(
                w.text(
                    "note-locker-dropped",
                    &Args::new()
                        .str("kind", kind)
                        .str("locker", l.locker_id.clone())
                        .str("compartment", d.compartment),
                ),
            ),
        }
        if let Some(code) = l.pickup_code.as_ref().filter(|_| !task.status.is_final()) {
            notes.push(w.text("note-pickup-code", &Args::new().str("code", code.clone())));
        }
    }
    Ok(notes)
}

/// The offers at the handover of a cash-on-delivery or locker task: record the cash (the
/// amounts typed; a reason when they do not add up to the amount due) and scan the locker.
pub fn offers(w: &Words, task: &Task) -> Vec<Offer> {
    let mut offers = Vec::new();
    if let Some(due) = &task.cash_due {
        offers.push(
            Offer::new(
                Tap::CollectCash {
                    task_id: task.id.clone(),
                    collected: String::new(),
                    change: String::new(),
                    reason: String::new(),
                },
                w.text("offer-collect-cash", &Args::new().str("due", money(w, due))),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![
                input(
                    "collected",
                    t(w, "input-cash-collected"),
                    InputKind::Number,
                    true,
                ),
                input(
                    "change",
                    t(w, "input-cash-change"),
                    InputKind::Number,
                    false,
                ),
                input("reason", t(w, "input-cash-reason"), InputKind::Text, false),
            ]),
        );
    }
    if task.locker.is_some() {
        offers.push(
            Offer::new(
                Tap::LockerDrop {
                    task_id: task.id.clone(),
                    locker_code: String::new(),
                    compartment: String::new(),
                },
                t(w, "offer-locker-drop"),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![
                input(
                    "locker_code",
                    t(w, "input-locker-code"),
                    InputKind::Text,
                    true,
                ),
                input(
                    "compartment",
                    t(w, "input-compartment"),
                    InputKind::Text,
                    true,
                ),
            ]),
        );
    }
    offers
}

/// The shift bar's hand-in offers: one per currency of the cash held.
pub fn hand_in_offers(v: &View<'_>) -> Result<Vec<Offer>> {
    let w = v.words;
    Ok(v.core
        .cash_held()?
        .iter()
        .map(|held| {
            Offer::new(
                Tap::HandInCash {
                    handed: String::new(),
                },
                w.text(
                    "offer-hand-in-cash",
                    &Args::new().str("held", money(w, held)),
                ),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![input(
                "handed",
                t(w, "input-cash-handed"),
                InputKind::Number,
                true,
            )])
        })
        .take(1)
        .collect())
}

/// What blocks going off duty because of cash: the cash still held.
pub fn cash_blockers(v: &View<'_>) -> Result<Vec<Blocker>> {
    Ok(v.core
        .cash_held()?
        .into_iter()
        .map(|held| Blocker::CashNotHandedIn { held })
        .collect())
}

/// The notice after a hand-in: balanced, or short or over by how much.
pub fn hand_in_notice(w: &Words, h: &runsheet_core::cash::HandIn) -> (String, crate::screen::Tone) {
    use runsheet_protocol::CashBalance;
    let diff = Money::new(h.handed.minor - h.held.minor, h.held.currency.clone());
    match h.balance {
        CashBalance::Balanced => (
            w.text(
                "notice-cash-balanced",
                &Args::new().str("handed", money(w, &h.handed)),
            ),
            crate::screen::Tone::Good,
        ),
        CashBalance::Short | CashBalance::Over => (
            w.text(
                if h.balance == CashBalance::Short {
                    "notice-cash-short"
                } else {
                    "notice-cash-over"
                },
                &Args::new()
                    .str("handed", money(w, &h.handed))
                    .str("held", money(w, &h.held))
                    .str(
                        "difference",
                        money(w, &Money::new(diff.minor.abs(), diff.currency)),
                    ),
            ),
            crate::screen::Tone::Bad,
        ),
    }
}
