//! A checklist of the stage the core chose: its items, their answers and what is wrong with
//! them, and how to answer each.

use runsheet_core::checklist::ItemState as Item;
use runsheet_core::Result;
use runsheet_protocol::{AnswerValue, ChecklistStage, ItemKind};
use runsheet_words::{Args, Words};

use crate::offer::{InputKind, InputSpec, Offer, OfferStyle, Tap};
use crate::screen::{ChecklistItemView, ChecklistPage};
use crate::view::View;
use crate::wording::{self, t};

/// The page of the `stage` checklist of `task_id` (none: the start of the shift).
pub fn build(v: &View<'_>, task_id: Option<&str>, stage: ChecklistStage) -> Result<ChecklistPage> {
    let w = v.words;
    let list = v.core.checklist(task_id, stage)?;
    let items: Vec<ChecklistItemView> = list
        .as_ref()
        .map(|l| {
            l.items
                .iter()
                .filter(|i| i.applies)
                .map(|i| item(w, task_id, stage, i))
                .collect()
        })
        .unwrap_or_default();
    let done = items.iter().filter(|i| i.done).count() as i64;
    let missing = list.as_ref().map_or(0, |l| l.missing().len());
    Ok(ChecklistPage {
        task_id: task_id.map(str::to_owned),
        stage,
        title: wording::stage(w, stage),
        summary: w.text(
            "checklist-summary",
            &Args::new()
                .num("done", done)
                .num("total", items.len() as i64),
        ),
        complete: missing == 0,
        items,
    })
}

fn item(w: &Words, task_id: Option<&str>, stage: ChecklistStage, i: &Item) -> ChecklistItemView {
    let answer_tap = |value: AnswerValue| Tap::Answer {
        task_id: task_id.map(str::to_owned),
        stage,
        item_id: i.def.id.clone(),
        value,
    };
    let mut offers = Vec::new();
    let input =
        |field: &str, label: String, kind: InputKind, min: Option<i64>, max: Option<i64>| {
            InputSpec {
                field: field.into(),
                label,
                kind,
                required: true,
                min,
                max,
            }
        };
    match &i.def.kind {
        ItemKind::Confirm => offers.push(Offer::new(
            answer_tap(AnswerValue::Confirmed),
            t(w, "answer-confirm"),
            OfferStyle::Secondary,
        )),
        ItemKind::YesNo { .. } => {
            offers.push(Offer::new(
                answer_tap(AnswerValue::YesNo(true)),
                t(w, "answer-yes"),
                OfferStyle::Secondary,
            ));
            offers.push(Offer::new(
                answer_tap(AnswerValue::YesNo(false)),
                t(w, "answer-no"),
                OfferStyle::Secondary,
            ));
        }
        ItemKind::Number { unit, min, max } => offers.push(
            Offer::new(
                answer_tap(AnswerValue::Number(0.0)),
                t(w, "answer-enter"),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![input(
                "value",
                w.text("input-number", &Args::new().str("unit", unit.clone())),
                InputKind::Number,
                min.map(|m| m.floor() as i64),
                max.map(|m| m.ceil() as i64),
            )]),
        ),
        ItemKind::Choice { options } => offers.push(
            Offer::new(
                answer_tap(AnswerValue::Choice(String::new())),
                t(w, "answer-choose"),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![input(
                "option",
                i.def.label.clone(),
                InputKind::Choice {
                    options: options.clone(),
                },
                None,
                None,
            )]),
        ),
        ItemKind::Text => offers.push(
            Offer::new(
                answer_tap(AnswerValue::Text(String::new())),
                t(w, "answer-enter"),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![input(
                "text",
                i.def.label.clone(),
                InputKind::Text,
                None,
                None,
            )]),
        ),
        ItemKind::Photo { .. } | ItemKind::Signature => offers.push(Offer::new(
            Tap::TakeChecklistPhoto {
                task_id: task_id.map(str::to_owned),
                stage,
                item_id: i.def.id.clone(),
            },
            t(w, "offer-checklist-photo"),
            OfferStyle::Secondary,
        )),
        ItemKind::IdCheck => offers.extend(id_check_offers(w, &answer_tap)),
        ItemKind::Scan => offers.push(
            Offer::new(
                answer_tap(AnswerValue::Scan(String::new())),
                t(w, "answer-scan"),
                OfferStyle::Secondary,
            )
            .with_inputs(vec![input(
                "code",
                t(w, "input-code"),
                InputKind::Text,
                None,
                None,
            )]),
        ),
    }
    let answer = i.answer.as_ref().map(|a| answer_text(w, &a.value));
    let problem = match (&i.answer, &i.def.kind) {
        (Some(a), ItemKind::Number { unit, min, max }) if a.out_of_range => Some(
            w.text(
                "checklist-out-of-range",
                &Args::new()
                    .str("min", min.map_or("—".into(), |m| format!("{m}")))
                    .str("max", max.map_or("—".into(), |m| format!("{m}")))
                    .str("unit", unit.clone()),
            ),
        ),
        (Some(a), ItemKind::IdCheck) if a.out_of_range => Some(t(w, "checklist-id-refused")),
        (Some(_), ItemKind::YesNo { required: Some(r) }) if !i.satisfied => Some(t(
            w,
            if *r {
                "checklist-needs-yes"
            } else {
                "checklist-needs-no"
            },
        )),
        _ => None,
    };
    ChecklistItemView {
        item_id: i.def.id.clone(),
        label: i.def.label.clone(),
        kind: i.def.kind.clone(),
        required: i.def.required,
        answer,
        done: i.satisfied,
        problem,
        offers,
    }
}

fn answer_text(w: &Words, v: &AnswerValue) -> String {
    match v {
        AnswerValue::Confirmed => t(w, "answer-confirmed"),
        AnswerValue::YesNo(true) => t(w, "answer-yes"),
        AnswerValue::YesNo(false) => t(w, "answer-no"),
        AnswerValue::Number(n) => format!("{n}"),
        AnswerValue::Choice(c) | AnswerValue::Text(c) | AnswerValue::Scan(c) => c.clone(),
        AnswerValue::Photos(p) => w.text("answer-photos", &Args::new().num("n", p.len() as i64)),
        AnswerValue::Signature(_) => t(w, "answer-signed"),
        AnswerValue::IdCheck(c) => w.text(
            "answer-id-check",
            &Args::new()
                .str("document", wording::id_document(w, c.document))
                .str("outcome", wording::id_check_outcome(w, c.outcome)),
        ),
    }
}

/// The offers of an age or ID check: passed, or refused for one of its reasons, each with the
/// kind of document checked (none for "no document"). Nothing else can be entered: no number,
/// no birth date.
fn id_check_offers(w: &Words, answer_tap: &dyn Fn(AnswerValue) -> Tap) -> Vec<Offer> {
    use runsheet_protocol::{IdCheckOutcome, IdCheckResult, IdDocument};
    let document = InputSpec {
        field: "document".into(),
        label: t(w, "input-id-document"),
        kind: InputKind::Choice {
            options: IdDocument::ALL
                .into_iter()
                .filter(|d| *d != IdDocument::NotShown)
                .map(|d| wording::id_document(w, d))
                .collect(),
        },
        required: true,
        min: None,
        max: None,
    };
    IdCheckOutcome::ALL
        .into_iter()
        .map(|outcome| {
            let shown = outcome != IdCheckOutcome::NoDocument;
            let check = IdCheckResult {
                document: if shown {
                    IdDocument::IdCard
                } else {
                    IdDocument::NotShown
                },
                outcome,
            };
            let offer = Offer::new(
                answer_tap(AnswerValue::IdCheck(check)),
                w.text(
                    "answer-id-outcome",
                    &Args::new().str("outcome", wording::id_check_outcome(w, outcome)),
                ),
                if outcome.refused() {
                    OfferStyle::Destructive
                } else {
                    OfferStyle::Secondary
                },
            );
            if shown {
                offer.with_inputs(vec![document.clone()])
            } else {
                offer
            }
        })
        .collect()
}
