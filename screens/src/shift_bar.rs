//! The shift bar: the shift's state, its figures, and its one action.

use runsheet_core::{Result, ShiftState, Step, VehicleKind};
use runsheet_words::Args;

use crate::offer::{Offer, OfferStyle, Tap};
use crate::screen::{ShiftBar, Tone};
use crate::view::View;
use crate::wording::t;

/// The words of a step's button.
pub fn step_label(w: &runsheet_words::Words, step: Step) -> String {
    use runsheet_protocol::StopRole;
    t(
        w,
        match step {
            Step::StartShift => "step-start-shift",
            Step::EndBreak => "step-end-break",
            Step::Accept => "step-accept",
            Step::Arrive(StopRole::Pickup) => "step-arrive-pickup",
            Step::Arrive(StopRole::Dropoff) => "step-arrive-dropoff",
            Step::Arrive(StopRole::Return) => "step-arrive-return",
            Step::PickUp => "step-pick-up",
            Step::Deliver => "step-deliver",
            Step::Return => "step-return",
            Step::EndShift => "step-end-shift",
            Step::WaitForTasks => "step-wait-for-tasks",
        },
    )
}

/// The bar.
pub fn build(v: &View<'_>) -> Result<ShiftBar> {
    let w = v.words;
    let summary = v.core.shift_summary()?;
    let on_for = summary
        .started_at
        .filter(|_| summary.state != ShiftState::OffDuty)
        .map(|s| v.now - s);
    let figures = match on_for {
        Some(secs) => w.text(
            "shift-figures",
            &Args::new()
                .str("duration", w.duration(secs))
                .str("distance", w.distance(summary.distance_m))
                .num("delivered", i64::from(summary.delivered)),
        ),
        None => t(w, "shift-figures-off"),
    };
    let (primary, secondary) = match summary.state {
        ShiftState::OffDuty => {
            let next = v.core.shift_next_action()?;
            let offer = Offer::new(
                Tap::StartShift,
                step_label(w, Step::StartShift),
                OfferStyle::Primary,
            )
            .blocked_by(next.blockers, w);
            let mut secondary = Vec::new();
            if v.core
                .checklist(None, runsheet_protocol::ChecklistStage::StartOfShift)?
                .is_some()
            {
                secondary.push(Offer::new(
                    Tap::ShowChecklist {
                        task_id: None,
                        stage: runsheet_protocol::ChecklistStage::StartOfShift,
                    },
                    t(w, "offer-start-of-shift-checklist"),
                    OfferStyle::Navigation,
                ));
            }
            (Some(offer), secondary)
        }
        ShiftState::OnBreak => (
            Some(Offer::new(
                Tap::EndBreak,
                step_label(w, Step::EndBreak),
                OfferStyle::Primary,
            )),
            Vec::new(),
        ),
        ShiftState::OnDuty => (
            // Ending the shift is always on offer on duty; goods still in the box block it.
            Some(
                Offer::new(
                    Tap::EndShift,
                    step_label(w, Step::EndShift),
                    OfferStyle::Destructive,
                )
                .blocked_by(goods_on_board(v)?, w),
            ),
            {
                let mut secondary = vec![Offer::new(
                    Tap::StartBreak,
                    t(w, "offer-start-break"),
                    OfferStyle::Secondary,
                )];
                secondary.extend(crate::door::hand_in_offers(v)?);
                secondary
            },
        ),
    };
    Ok(ShiftBar {
        state: summary.state.in_words(w),
        figures,
        tone: match summary.state {
            ShiftState::OnDuty => Tone::Good,
            ShiftState::OnBreak => Tone::Warning,
            ShiftState::OffDuty => Tone::Neutral,
        },
        primary,
        secondary,
        box_load: box_load(v)?,
    })
}

/// The box's load against its room, when dispatch set a vehicle (the chilled compartment too
/// when it has one or holds goods).
fn box_load(v: &View<'_>) -> Result<Option<String>> {
    let b = v.core.box_state()?;
    let Some(room) = b.capacity else {
        return Ok(None);
    };
    let vehicle = b.vehicle.map(|k| {
        v.words.text(
            match k {
                VehicleKind::OnFoot => "vehicle-on-foot",
                VehicleKind::Bicycle => "vehicle-bicycle",
                VehicleKind::Scooter => "vehicle-scooter",
                VehicleKind::Motorbike => "vehicle-motorbike",
                VehicleKind::Car => "vehicle-car",
                VehicleKind::Van => "vehicle-van",
            },
            &Args::new(),
        )
    });
    let args = Args::new()
        .str("vehicle", vehicle.unwrap_or_default())
        .num("units", b.load.box_units)
        .num("capacity", room.box_units)
        .num("chilled", b.load.chilled_units)
        .num("chilled_capacity", room.chilled_units);
    let id = if room.chilled_units > 0 || b.load.chilled_units > 0 {
        "box-load-with-chilled"
    } else {
        "box-load"
    };
    Ok(Some(v.words.text(id, &args)))
}

fn goods_on_board(v: &View<'_>) -> Result<Vec<runsheet_core::Blocker>> {
    let n = v
        .core
        .tasks()?
        .iter()
        .filter(|t| t.goods_on_board())
        .count() as u32;
    let mut blockers = if n > 0 {
        vec![runsheet_core::Blocker::GoodsOnBoard { tasks: n }]
    } else {
        Vec::new()
    };
    blockers.extend(crate::door::cash_blockers(v)?);
    Ok(blockers)
}
