//! Standard-procedure checklists: templates the platform publishes (synced, versioned), chosen by
//! stage and task kind, and the answers couriers give.

use serde::{Deserialize, Serialize};

use crate::TaskKind;

/// When a checklist applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ChecklistStage {
    /// Before going on duty (vehicle, helmet, clean insulated box).
    StartOfShift,
    /// At the pickup, before "picked up".
    Pickup,
    /// At the drop-off, before "delivered".
    Dropoff,
    /// When a delivery fails, with the report.
    Failure,
}

impl ChecklistStage {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecklistStage::StartOfShift => "start_of_shift",
            ChecklistStage::Pickup => "pickup",
            ChecklistStage::Dropoff => "dropoff",
            ChecklistStage::Failure => "failure",
        }
    }

    /// Parses [`ChecklistStage::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            ChecklistStage::StartOfShift,
            ChecklistStage::Pickup,
            ChecklistStage::Dropoff,
            ChecklistStage::Failure,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// What an item asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi(name = "ChecklistItemKind"))]
pub enum ItemKind {
    /// A tick: "hot and cold separated".
    Confirm,
    /// Yes or no; when `required` is set, only that answer satisfies the item ("seal intact?").
    YesNo {
        /// The answer the procedure needs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        required: Option<bool>,
    },
    /// A number with a unit and an allowed range ("box temperature", °C, 0 to 4).
    Number {
        /// The unit shown.
        unit: String,
        /// Lowest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Highest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// One of a list.
    Choice {
        /// The options.
        options: Vec<String>,
    },
    /// Free text.
    Text,
    /// Photos (files the shell wrote, recorded as attachments).
    Photo {
        /// At least this many.
        #[serde(default = "one")]
        min_count: u32,
    },
    /// The customer's signature (an image file).
    Signature,
    /// A barcode scanned.
    Scan,
    /// An age or ID check for restricted goods (alcohol, tobacco, medicine): the kind of
    /// document checked and the outcome, never the document's number or the birth date. A
    /// refused check blocks the handover and fails the delivery.
    IdCheck,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// When an item applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "if", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi(name = "ChecklistCondition"))]
pub enum Condition {
    /// A fact of the task: `contactless`, `fresh` (chilled or frozen goods), `kind:food`, ...
    Fact {
        /// The fact.
        fact: String,
    },
    /// Another item's answer, as text (`"yes"`, `"no"`, a choice, a number).
    Answer {
        /// The other item's id.
        item: String,
        /// The answer that makes this item apply.
        equals: String,
    },
}

/// One item of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChecklistItemDef {
    /// Stable id within the template.
    pub id: String,
    /// What the courier reads.
    pub label: String,
    /// What it asks for.
    pub kind: ItemKind,
    /// Whether the stage's transition waits for it (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// When it applies (always when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

/// A checklist template as the platform publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistTemplate {
    /// Stable id ("food-pickup").
    pub id: String,
    /// Grows with each publication of this id (set by the server).
    #[serde(default)]
    pub version: i64,
    /// Publication order across all templates (set by the server; the pull cursor).
    #[serde(default)]
    pub seq: i64,
    /// When it applies.
    pub stage: ChecklistStage,
    /// Task kinds it applies to (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<TaskKind>,
    /// The items, in order.
    pub items: Vec<ChecklistItemDef>,
}

impl ChecklistTemplate {
    /// Why the template cannot be published, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.id.is_empty() || self.id.len() > 64 {
            return Some("id must be 1 to 64 characters".into());
        }
        if self.items.is_empty() {
            return Some("a template needs at least one item".into());
        }
        let mut seen = std::collections::HashSet::new();
        for i in &self.items {
            if i.id.is_empty() || !seen.insert(i.id.as_str()) {
                return Some(format!("item id {:?} is empty or repeated", i.id));
            }
            match &i.kind {
                ItemKind::Number {
                    min: Some(a),
                    max: Some(b),
                    ..
                } if a > b => return Some(format!("item {}: min is above max", i.id)),
                ItemKind::Choice { options } if options.is_empty() => {
                    return Some(format!("item {}: a choice needs options", i.id))
                }
                _ => {}
            }
            if let Some(Condition::Answer { item, .. }) = &i.when {
                if !self.items.iter().any(|o| &o.id == item) {
                    return Some(format!("item {}: its condition names no item {item}", i.id));
                }
            }
        }
        None
    }
}

/// A courier's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi(name = "ChecklistAnswer"))]
pub enum AnswerValue {
    /// Ticked.
    Confirmed,
    /// Yes or no.
    YesNo(#[cfg_attr(feature = "uniffi", uniffi(name = "yes"))] bool),
    /// A number in the item's unit.
    Number(#[cfg_attr(feature = "uniffi", uniffi(name = "value"))] f64),
    /// The option chosen.
    Choice(#[cfg_attr(feature = "uniffi", uniffi(name = "option"))] String),
    /// Free text.
    Text(#[cfg_attr(feature = "uniffi", uniffi(name = "text"))] String),
    /// SHA-256 of photo attachments.
    Photos(#[cfg_attr(feature = "uniffi", uniffi(name = "hashes"))] Vec<String>),
    /// SHA-256 of the signature image.
    Signature(#[cfg_attr(feature = "uniffi", uniffi(name = "hash"))] String),
    /// The scanned code's text.
    Scan(#[cfg_attr(feature = "uniffi", uniffi(name = "code"))] String),
    /// An age or ID check: the document's kind and the outcome.
    IdCheck(#[cfg_attr(feature = "uniffi", uniffi(name = "check"))] crate::IdCheckResult),
}

impl AnswerValue {
    /// The answer as text, for conditions ("yes", "no", "4.5", the choice).
    pub fn as_text(&self) -> String {
        match self {
            AnswerValue::Confirmed => "confirmed".into(),
            AnswerValue::YesNo(b) => if *b { "yes" } else { "no" }.into(),
            AnswerValue::Number(n) => format!("{n}"),
            AnswerValue::Choice(c) | AnswerValue::Text(c) | AnswerValue::Scan(c) => c.clone(),
            AnswerValue::Photos(p) => format!("{} photos", p.len()),
            AnswerValue::Signature(_) => "signed".into(),
            AnswerValue::IdCheck(c) => c.as_text(),
        }
    }
}

/// How the platform wants a delivery proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ProofPolicy {
    /// No proof beyond the courier's tap.
    #[default]
    None,
    /// A photo of the goods at the door.
    Photo,
    /// The customer's signature.
    Signature,
    /// The customer's handoff code.
    Code,
}
