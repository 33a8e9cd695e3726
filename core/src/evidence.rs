//! The evidence bundle of a task: everything that happened to it, for appeals and after-sales.
//! Shells receive it as a record; an appeal sends it to the server as JSON
//! (`runsheet-evidence-v1`, [`EvidenceBundle::to_json`]).

use runsheet_protocol::{
    Action, AnswerValue, ChecklistStage, ProofPolicy, StopRole, TaskKind, TaskStatus,
    TemperatureClass,
};
use serde::Serialize;

use crate::attachment::UploadState;
use crate::error::{Error, Result};

/// The format name every bundle carries.
pub const FORMAT: &str = "runsheet-evidence-v1";

/// Everything that happened to a task: its facts (no customer name, phone or address), its
/// timeline, scans, checklist answers with the template versions, and its attachments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceBundle {
    /// Always [`FORMAT`].
    pub format: String,
    /// When it was put together, device time, Unix seconds.
    pub exported_at: i64,
    /// The task's facts.
    pub task: EvidenceTask,
    /// The checklist templates (and versions) the task started with.
    pub checklists: Vec<PinnedChecklist>,
    /// Arrivals, actions, contact attempts and exceptions, oldest first.
    pub timeline: Vec<EvidenceEvent>,
    /// Every scan at a handoff, in order.
    pub scans: Vec<EvidenceScan>,
    /// Checklist answers, in order.
    pub answers: Vec<EvidenceAnswer>,
    /// Attachments the actions refer to, with their upload state.
    pub attachments: Vec<EvidenceAttachment>,
    /// The task's handovers between couriers as the server recorded them, oldest first: who
    /// handed it to whom, why, when it was asked for, assigned and received, and the bags the
    /// receiving courier scanned (the chain of custody; empty when it never changed hands).
    pub custody: Vec<runsheet_protocol::HandoverDoc>,
}

impl EvidenceBundle {
    /// The bundle as the pretty-printed JSON an appeal carries (keys in the same order as the
    /// JSON object they are collected in).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_value(self)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .map_err(|e| Error::InvalidArgument(format!("bundle cannot be encoded: {e}")))
    }
}

/// A task's facts in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceTask {
    /// The dispatcher's id.
    pub id: String,
    /// What kind of work.
    pub kind: TaskKind,
    /// Status on the phone.
    pub status: TaskStatus,
    /// When the customer ordered, Unix seconds.
    pub ordered_at: Option<i64>,
    /// The promised time at the drop-off, Unix seconds.
    pub promised_by: Option<i64>,
    /// When the task ended on the phone, Unix seconds.
    pub ended_at: Option<i64>,
    /// The customer asked for a contactless handover.
    pub contactless: bool,
    /// How the delivery had to be proven.
    pub proof_policy: ProofPolicy,
    /// Whether the customer's handoff code matched.
    pub handoff_code_verified: bool,
    /// The goods.
    pub items: Vec<EvidenceItem>,
}

/// One item of the goods in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceItem {
    /// The code on its label.
    pub code: String,
    /// What it is.
    pub name: String,
    /// How it had to be kept.
    pub temperature: TemperatureClass,
}

/// A checklist template version a task started with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PinnedChecklist {
    /// Which checklist.
    pub stage: ChecklistStage,
    /// The template's id.
    pub template: String,
    /// Its version.
    pub version: i64,
}

/// One timeline entry in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceEvent {
    /// The action's name (`accept`, `arrive`, `delivered`, ...).
    pub kind: String,
    /// Device time, Unix seconds.
    pub at: i64,
    /// Server time minus device time when it was recorded.
    pub clock_offset_s: Option<i64>,
    /// Where the phone was, if known.
    pub location: Option<EvidenceLocation>,
    /// The action recorded (`None` if its record cannot be read).
    pub action: Option<Action>,
}

/// Where the phone was when the courier acted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceLocation {
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// Reported accuracy, metres.
    pub accuracy_m: f64,
}

/// One scan in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceScan {
    /// At which handoff.
    pub stage: StopRole,
    /// The code scanned (normalised).
    pub code: String,
    /// The manifest item it matched.
    pub item: Option<String>,
    /// The outcome's stable code (`confirmed`, `manual`, `other_task`, ...).
    pub outcome: String,
    /// Device time, Unix seconds.
    pub at: i64,
}

/// One checklist answer in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceAnswer {
    /// Which checklist.
    pub stage: ChecklistStage,
    /// The item's id.
    pub item: String,
    /// The answer (`None` if its record cannot be read).
    pub value: Option<AnswerValue>,
    /// Whether it was outside the procedure.
    pub out_of_range: bool,
    /// Device time, Unix seconds.
    pub at: i64,
}

/// An attachment in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EvidenceAttachment {
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// Upload state.
    pub state: UploadState,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> EvidenceBundle {
        EvidenceBundle {
            format: FORMAT.into(),
            exported_at: 1_000,
            task: EvidenceTask {
                id: "F1".into(),
                kind: TaskKind::Food,
                status: TaskStatus::Delivered,
                ordered_at: Some(10),
                promised_by: None,
                ended_at: Some(900),
                contactless: false,
                proof_policy: ProofPolicy::Photo,
                handoff_code_verified: true,
                items: vec![EvidenceItem {
                    code: "RS1:F1:1/1:A".into(),
                    name: "Bag".into(),
                    temperature: TemperatureClass::Hot,
                }],
            },
            checklists: vec![PinnedChecklist {
                stage: ChecklistStage::Dropoff,
                template: "food-dropoff".into(),
                version: 2,
            }],
            timeline: vec![EvidenceEvent {
                kind: "delivered".into(),
                at: 800,
                clock_offset_s: Some(-3),
                location: Some(EvidenceLocation {
                    lat: 30.0,
                    lon: 120.0,
                    accuracy_m: 8.0,
                }),
                action: Some(Action::delivered("F1")),
            }],
            scans: vec![EvidenceScan {
                stage: StopRole::Dropoff,
                code: "RS1:F1:1/1:A".into(),
                item: Some("RS1:F1:1/1:A".into()),
                outcome: "confirmed".into(),
                at: 790,
            }],
            answers: vec![EvidenceAnswer {
                stage: ChecklistStage::Dropoff,
                item: "temp".into(),
                value: Some(AnswerValue::Number(3.5)),
                out_of_range: false,
                at: 795,
            }],
            attachments: vec![EvidenceAttachment {
                sha256: "ab".into(),
                size: 3,
                state: UploadState::Uploaded,
            }],
            custody: Vec::new(),
        }
    }

    #[test]
    fn the_json_an_appeal_carries_keeps_the_v1_format() {
        let json: serde_json::Value =
            serde_json::from_str(&bundle().to_json().expect("encodes")).expect("JSON");
        assert_eq!(json["format"], "runsheet-evidence-v1");
        assert_eq!(json["task"]["kind"], "food");
        assert_eq!(json["task"]["status"], "delivered");
        assert_eq!(json["task"]["proof_policy"], "photo");
        assert_eq!(json["task"]["promised_by"], serde_json::Value::Null);
        assert_eq!(json["task"]["items"][0]["temperature"], "hot");
        assert_eq!(json["checklists"][0]["stage"], "dropoff");
        assert_eq!(json["timeline"][0]["action"]["type"], "delivered");
        assert_eq!(json["timeline"][0]["location"]["accuracy_m"], 8.0);
        assert_eq!(json["scans"][0]["stage"], "dropoff");
        assert_eq!(json["answers"][0]["value"]["type"], "number");
        assert_eq!(json["attachments"][0]["state"], "uploaded");
        // Only the position and its accuracy go into a bundle, not the fix's age or source.
        assert!(json["timeline"][0]["location"].get("age_s").is_none());
    }
}
