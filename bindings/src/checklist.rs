//! SOP checklists over FFI: the shells render every item kind the core describes and send the
//! answers back; which items apply, what satisfies them and what the workflow waits for are
//! the core's.

use runsheet_core as core;
use runsheet_core::{AnswerValue, ChecklistStage as Stage, Condition, ItemKind};

use crate::{Runsheet, RunsheetError};

/// Which checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChecklistStage {
    /// Before going on duty.
    StartOfShift,
    /// At the pickup.
    Pickup,
    /// At the drop-off.
    Dropoff,
    /// With a failed delivery.
    Failure,
}

impl From<ChecklistStage> for Stage {
    fn from(s: ChecklistStage) -> Self {
        match s {
            ChecklistStage::StartOfShift => Stage::StartOfShift,
            ChecklistStage::Pickup => Stage::Pickup,
            ChecklistStage::Dropoff => Stage::Dropoff,
            ChecklistStage::Failure => Stage::Failure,
        }
    }
}

/// What an item asks for (the shell renders one control per kind).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ChecklistItemKind {
    /// A tick.
    Confirm,
    /// Yes or no; `required` is the answer the procedure needs, if any.
    YesNo {
        /// The answer needed.
        required: Option<bool>,
    },
    /// A number with its unit and allowed range.
    Number {
        /// Unit shown ("°C").
        unit: String,
        /// Lowest allowed.
        min: Option<f64>,
        /// Highest allowed.
        max: Option<f64>,
    },
    /// One of the options.
    Choice {
        /// The options.
        options: Vec<String>,
    },
    /// Free text.
    Text,
    /// Photos, at least `min_count`.
    Photo {
        /// The minimum.
        min_count: u32,
    },
    /// The customer's signature (an image the shell captures).
    Signature,
    /// A barcode.
    Scan,
}

impl From<&ItemKind> for ChecklistItemKind {
    fn from(k: &ItemKind) -> Self {
        match k {
            ItemKind::Confirm => ChecklistItemKind::Confirm,
            ItemKind::YesNo { required } => ChecklistItemKind::YesNo {
                required: *required,
            },
            ItemKind::Number { unit, min, max } => ChecklistItemKind::Number {
                unit: unit.clone(),
                min: *min,
                max: *max,
            },
            ItemKind::Choice { options } => ChecklistItemKind::Choice {
                options: options.clone(),
            },
            ItemKind::Text => ChecklistItemKind::Text,
            ItemKind::Photo { min_count } => ChecklistItemKind::Photo {
                min_count: *min_count,
            },
            ItemKind::Signature => ChecklistItemKind::Signature,
            ItemKind::Scan => ChecklistItemKind::Scan,
        }
    }
}

/// An answer.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ChecklistAnswer {
    /// Ticked.
    Confirmed,
    /// Yes or no.
    YesNo {
        /// The answer.
        yes: bool,
    },
    /// A number.
    Number {
        /// The value in the item's unit.
        value: f64,
    },
    /// An option.
    Choice {
        /// The option.
        option: String,
    },
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// Photos (hashes from `attach_file`).
    Photos {
        /// SHA-256 of each photo.
        hashes: Vec<String>,
    },
    /// A signature image (hash from `attach_file`).
    Signature {
        /// SHA-256 of the image.
        hash: String,
    },
    /// A scanned code.
    Scan {
        /// The scanner's text.
        code: String,
    },
}

impl From<ChecklistAnswer> for AnswerValue {
    fn from(a: ChecklistAnswer) -> Self {
        match a {
            ChecklistAnswer::Confirmed => AnswerValue::Confirmed,
            ChecklistAnswer::YesNo { yes } => AnswerValue::YesNo(yes),
            ChecklistAnswer::Number { value } => AnswerValue::Number(value),
            ChecklistAnswer::Choice { option } => AnswerValue::Choice(option),
            ChecklistAnswer::Text { text } => AnswerValue::Text(text),
            ChecklistAnswer::Photos { hashes } => AnswerValue::Photos(hashes),
            ChecklistAnswer::Signature { hash } => AnswerValue::Signature(hash),
            ChecklistAnswer::Scan { code } => AnswerValue::Scan(code),
        }
    }
}

impl From<&AnswerValue> for ChecklistAnswer {
    fn from(a: &AnswerValue) -> Self {
        match a.clone() {
            AnswerValue::Confirmed => ChecklistAnswer::Confirmed,
            AnswerValue::YesNo(yes) => ChecklistAnswer::YesNo { yes },
            AnswerValue::Number(value) => ChecklistAnswer::Number { value },
            AnswerValue::Choice(option) => ChecklistAnswer::Choice { option },
            AnswerValue::Text(text) => ChecklistAnswer::Text { text },
            AnswerValue::Photos(hashes) => ChecklistAnswer::Photos { hashes },
            AnswerValue::Signature(hash) => ChecklistAnswer::Signature { hash },
            AnswerValue::Scan(code) => ChecklistAnswer::Scan { code },
        }
    }
}

/// One item as the courier sees it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistItem {
    /// Its id (what `answer` takes).
    pub id: String,
    /// What the courier reads.
    pub label: String,
    /// The control to render.
    pub kind: ChecklistItemKind,
    /// Whether the workflow waits for it.
    pub required: bool,
    /// Whether it applies now (hide it when not).
    pub applies: bool,
    /// The answer given, if any.
    pub answer: Option<ChecklistAnswer>,
    /// Whether the answer satisfies the procedure.
    pub satisfied: bool,
    /// The answer was outside what the procedure allows (reported).
    pub out_of_range: bool,
    /// For a conditional item, what it depends on, in words.
    pub condition: Option<String>,
}

/// A checklist as the courier sees it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChecklistView {
    /// The template.
    pub template_id: String,
    /// The version the task started with.
    pub version: i64,
    /// The items, in order.
    pub items: Vec<ChecklistItem>,
    /// Labels of the required items still to do.
    pub missing: Vec<String>,
}

impl From<core::checklist::Checklist> for ChecklistView {
    fn from(c: core::checklist::Checklist) -> Self {
        ChecklistView {
            missing: c.missing(),
            template_id: c.template_id,
            version: c.version,
            items: c
                .items
                .into_iter()
                .map(|i| ChecklistItem {
                    id: i.def.id.clone(),
                    label: i.def.label.clone(),
                    kind: (&i.def.kind).into(),
                    required: i.def.required,
                    applies: i.applies,
                    out_of_range: i.answer.as_ref().is_some_and(|a| a.out_of_range),
                    answer: i.answer.as_ref().map(|a| (&a.value).into()),
                    satisfied: i.satisfied,
                    condition: i.def.when.as_ref().map(|w| match w {
                        Condition::Fact { fact } => format!("when {fact}"),
                        Condition::Answer { item, equals } => format!("when {item} is {equals}"),
                    }),
                })
                .collect(),
        }
    }
}

#[uniffi::export]
impl Runsheet {
    /// The checklist of a task's stage (`task_id` absent: the start-of-shift checklist), or
    /// `None` when the platform has none for it.
    pub fn checklist(
        &self,
        task_id: Option<String>,
        stage: ChecklistStage,
    ) -> Result<Option<ChecklistView>, RunsheetError> {
        Ok(self
            .inner
            .checklist(task_id.as_deref(), stage.into())?
            .map(Into::into))
    }

    /// Answers an item; returns whether the answer was within the procedure (one outside it
    /// is recorded and reported as an exception).
    pub fn answer_checklist_item(
        &self,
        task_id: Option<String>,
        stage: ChecklistStage,
        item_id: String,
        answer: ChecklistAnswer,
    ) -> Result<bool, RunsheetError> {
        Ok(self
            .inner
            .answer(task_id.as_deref(), stage.into(), &item_id, answer.into())?)
    }

    /// The task's evidence bundle (JSON): timeline, scans, answers, attachments.
    pub fn evidence_bundle(&self, task_id: String) -> Result<String, RunsheetError> {
        Ok(self.inner.evidence_bundle(&task_id)?)
    }
}
