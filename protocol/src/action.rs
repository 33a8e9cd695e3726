//! What the courier did: the actions a device pushes, and the context each carries.

use serde::{Deserialize, Serialize};

use crate::{AnswerValue, ChecklistStage, DeclineReason, HandoffCodeEntry, RatingTarget};

/// Which stop of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum StopRole {
    /// The merchant, depot or (return pickups) customer where the goods are collected.
    Pickup,
    /// Where the goods go.
    Dropoff,
    /// Where the goods go back after a failed delivery.
    Return,
}

impl StopRole {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            StopRole::Pickup => "pickup",
            StopRole::Dropoff => "dropoff",
            StopRole::Return => "return",
        }
    }

    /// Words for a shell ("the drop-off").
    pub fn label(self) -> &'static str {
        match self {
            StopRole::Pickup => "the pickup",
            StopRole::Dropoff => "the drop-off",
            StopRole::Return => "the return stop",
        }
    }
}

/// How an arrival was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ArrivalMethod {
    /// Detected from GPS fixes (inside the stop's radius for the dwell time).
    Gps,
    /// Confirmed by the courier, with a reason (GPS failed, indoor, wrong pin).
    Manual,
}

/// Why a delivery or pickup did not go as planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ExceptionReason {
    /// Contact attempts made and the wait timer ran out.
    CustomerUnreachable,
    /// The address is wrong or incomplete.
    WrongAddress,
    /// The customer refused the goods.
    CustomerRefused,
    /// The goods are damaged.
    GoodsDamaged,
    /// The merchant has not got the goods ready.
    MerchantDelay,
    /// The courier's vehicle broke down.
    VehicleBreakdown,
    /// An accident or a safety issue.
    Accident,
    /// A checklist answer outside the procedure (a chilled box at 9 °C, a broken seal).
    ChecklistBreach,
}

impl ExceptionReason {
    /// Every reason.
    pub const ALL: [ExceptionReason; 8] = [
        ExceptionReason::CustomerUnreachable,
        ExceptionReason::WrongAddress,
        ExceptionReason::CustomerRefused,
        ExceptionReason::GoodsDamaged,
        ExceptionReason::MerchantDelay,
        ExceptionReason::VehicleBreakdown,
        ExceptionReason::Accident,
        ExceptionReason::ChecklistBreach,
    ];

    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionReason::CustomerUnreachable => "customer_unreachable",
            ExceptionReason::WrongAddress => "wrong_address",
            ExceptionReason::CustomerRefused => "customer_refused",
            ExceptionReason::GoodsDamaged => "goods_damaged",
            ExceptionReason::MerchantDelay => "merchant_delay",
            ExceptionReason::VehicleBreakdown => "vehicle_breakdown",
            ExceptionReason::Accident => "accident",
            ExceptionReason::ChecklistBreach => "checklist_breach",
        }
    }

    /// Parses [`ExceptionReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        ExceptionReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// True when the reason ends the delivery (the goods go back): the customer could not be
    /// reached, the address is wrong, the customer refused, or the goods arrived damaged.
    pub fn fails_delivery(self) -> bool {
        matches!(
            self,
            ExceptionReason::CustomerUnreachable
                | ExceptionReason::WrongAddress
                | ExceptionReason::CustomerRefused
                | ExceptionReason::GoodsDamaged
        )
    }
}

/// How the courier tried to reach the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ContactChannel {
    /// A call to the masked number.
    Call,
    /// A message through the platform.
    Message,
}

/// A message the courier sends the customer through the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MessageTemplate {
    /// "Your courier is arriving in N min".
    ArrivingIn,
    /// "Your courier is at the door".
    AtTheDoor,
    /// "Your order was left at reception".
    LeftAtReception,
    /// "Your order was left at your door".
    LeftAtDoor,
}

impl MessageTemplate {
    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageTemplate::ArrivingIn => "arriving_in",
            MessageTemplate::AtTheDoor => "at_the_door",
            MessageTemplate::LeftAtReception => "left_at_reception",
            MessageTemplate::LeftAtDoor => "left_at_door",
        }
    }
}

/// A shift event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ShiftEvent {
    /// The courier goes on duty.
    Start,
    /// The courier starts a break.
    BreakStart,
    /// The break is over.
    BreakEnd,
    /// The courier goes off duty.
    End,
}

impl ShiftEvent {
    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftEvent::Start => "start",
            ShiftEvent::BreakStart => "break_start",
            ShiftEvent::BreakEnd => "break_end",
            ShiftEvent::End => "end",
        }
    }
}

/// What the courier did. The courier owns these physical facts; the server records each one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Action {
    /// The courier takes the task.
    Accept {
        /// The task.
        task_id: String,
    },
    /// The courier is at a stop of the task.
    Arrive {
        /// The task.
        task_id: String,
        /// Which stop.
        stop: StopRole,
        /// Detected or confirmed by hand.
        method: ArrivalMethod,
        /// Why it was confirmed by hand (required for [`ArrivalMethod::Manual`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The goods are in the box.
    PickUp {
        /// The task.
        task_id: String,
    },
    /// The goods were handed over at the drop-off.
    Delivered {
        /// The task.
        task_id: String,
        /// SHA-256 (lowercase hex) of proof attachments (photos, signature), uploaded separately
        /// with `PUT /v1/attachments/{sha256}`, before or after this mutation.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        proof: Vec<String>,
    },
    /// The delivery failed; the goods go back. Opens an after-sales case.
    Fail {
        /// The task.
        task_id: String,
        /// Why (one for which [`ExceptionReason::fails_delivery`] holds).
        reason: ExceptionReason,
        /// The courier's note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// SHA-256 of photo attachments.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<String>,
    },
    /// The goods of a failed delivery are back at the merchant or depot.
    Returned {
        /// The task.
        task_id: String,
    },
    /// Something went wrong that does not end the delivery (merchant delay, breakdown,
    /// accident). Opens an after-sales case.
    ReportException {
        /// The task.
        task_id: String,
        /// What happened.
        reason: ExceptionReason,
        /// The courier's note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// SHA-256 of photo attachments.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<String>,
        /// For a merchant delay: when the merchant now says the goods will be ready.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ready_at: Option<i64>,
    },
    /// The drop-off's map pin is wrong; the door is here (WGS-84). The next courier to this
    /// address gets the corrected pin.
    CorrectPin {
        /// The task.
        task_id: String,
        /// Latitude of the door.
        lat: f64,
        /// Longitude of the door.
        lon: f64,
    },
    /// The courier tried to reach the customer.
    ContactAttempt {
        /// The task.
        task_id: String,
        /// How.
        channel: ContactChannel,
        /// Whether the customer answered.
        answered: bool,
    },
    /// A message to the customer, sent by the server through the platform's masked channel.
    SendMessage {
        /// The task.
        task_id: String,
        /// Which template.
        template: MessageTemplate,
        /// The text as filled on the device (with the live ETA).
        text: String,
    },
    /// A barcode scanned at a handoff, as the phone classified it against the manifests.
    Scan {
        /// The task scanned for.
        task_id: String,
        /// Which handoff.
        stage: StopRole,
        /// The canonical key of the code (`order:F1:1/2`, `sscc:…`, `gtin:…`); no personal data.
        code: String,
        /// `confirmed`, `duplicate`, `other_task`, `not_mine`, `unreadable`, `expired` or
        /// `recalled` (a batch dispatch recalled: the handoff is blocked until it is set aside).
        outcome: String,
        /// The manifest item it matched, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item_code: Option<String>,
    },
    /// An item confirmed by hand (damaged label), with a reason and a photo.
    ConfirmItem {
        /// The task.
        task_id: String,
        /// Which handoff.
        stage: StopRole,
        /// The manifest item.
        item_code: String,
        /// Why it could not be scanned.
        reason: String,
        /// SHA-256 of the photo attachments.
        photos: Vec<String>,
    },
    /// The customer showed a handoff code; the phone checked it offline against the slow hash
    /// and sends the code with its verdict, for the server to check against its own record (a
    /// wrong code is `rejected`). The server stores only whether it matched.
    HandoffCode {
        /// The task.
        task_id: String,
        /// Whether it matched on the phone.
        verified: bool,
        /// The code the customer gave (never logged; absent from older phones, whose checks
        /// the server cannot confirm).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<HandoffCodeEntry>,
    },
    /// An answer to a checklist item.
    Answer {
        /// The task (`None` for the start-of-shift checklist).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        task_id: Option<String>,
        /// Which checklist.
        stage: ChecklistStage,
        /// The template answered.
        template_id: String,
        /// Its version (a task keeps the version it started with).
        template_version: i64,
        /// The item.
        item_id: String,
        /// The answer.
        value: AnswerValue,
        /// True when the answer is outside what the procedure allows.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        out_of_range: bool,
    },
    /// The courier rates the merchant or the drop-off of a task (a later one replaces it).
    RateStop {
        /// The task.
        task_id: String,
        /// What is rated.
        target: RatingTarget,
        /// 1 to 5 stars.
        stars: u8,
        /// Tags (`food_ready_on_time`, `good_packaging`, `easy_to_find`, ...).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
        /// A note (access notes for the next courier).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The courier appeals a rating or penalty, with the task's evidence bundle.
    Appeal {
        /// The rating appealed.
        rating_id: String,
        /// Its task.
        task_id: String,
        /// Why it is unfair.
        reason: String,
        /// The evidence bundle (JSON, `runsheet-evidence-v1`).
        evidence: String,
    },
    /// The courier's statement on an after-sales case about one of their deliveries, with the
    /// task's evidence bundle attached by the core.
    AnswerCase {
        /// The case.
        case_id: i64,
        /// Its task.
        task_id: String,
        /// What the courier says happened (1 to 2,000 characters).
        statement: String,
        /// The evidence bundle (JSON, `runsheet-evidence-v1`).
        evidence: String,
    },
    /// An item of a recalled batch was taken out of the delivery and set aside (it is not
    /// handed over; the rest of the order may be).
    SetAside {
        /// The task.
        task_id: String,
        /// The manifest item set aside.
        item_code: String,
        /// The recall that covers it.
        recall_id: i64,
    },
    /// Start or end of the shift or a break.
    Shift {
        /// What happened.
        event: ShiftEvent,
    },
    /// The courier takes an offer (its tasks become theirs, accepted) — refused with
    /// `offer_expired` when it is made or reaches the server after the offer's expiry.
    AcceptOffer {
        /// The offer.
        offer_id: i64,
    },
    /// The courier turns an offer down, with a reason.
    DeclineOffer {
        /// The offer.
        offer_id: i64,
        /// Why.
        reason: DeclineReason,
        /// The courier's note (at most 500 characters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

impl Action {
    /// "Delivered" without proof attachments.
    pub fn delivered(task_id: impl Into<String>) -> Self {
        Action::Delivered {
            task_id: task_id.into(),
            proof: Vec::new(),
        }
    }

    /// The task the action is about (`None` for shift events).
    pub fn task(&self) -> Option<&str> {
        match self {
            Action::Accept { task_id }
            | Action::Arrive { task_id, .. }
            | Action::PickUp { task_id }
            | Action::Delivered { task_id, .. }
            | Action::Fail { task_id, .. }
            | Action::Returned { task_id }
            | Action::ReportException { task_id, .. }
            | Action::CorrectPin { task_id, .. }
            | Action::ContactAttempt { task_id, .. }
            | Action::SendMessage { task_id, .. }
            | Action::Scan { task_id, .. }
            | Action::ConfirmItem { task_id, .. }
            | Action::HandoffCode { task_id, .. } => Some(task_id),
            Action::Answer { task_id, .. } => task_id.as_deref(),
            Action::RateStop { task_id, .. }
            | Action::Appeal { task_id, .. }
            | Action::AnswerCase { task_id, .. }
            | Action::SetAside { task_id, .. } => Some(task_id),
            Action::Shift { .. } | Action::AcceptOffer { .. } | Action::DeclineOffer { .. } => None,
        }
    }

    /// The offer the action answers, if it answers one.
    pub fn offer(&self) -> Option<i64> {
        match self {
            Action::AcceptOffer { offer_id } | Action::DeclineOffer { offer_id, .. } => {
                Some(*offer_id)
            }
            _ => None,
        }
    }

    /// The task id, or "" for shift events and offers (the storage key).
    pub fn task_id(&self) -> &str {
        self.task().unwrap_or("")
    }

    /// A short stable name for logs and storage.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Accept { .. } => "accept",
            Action::Arrive { .. } => "arrive",
            Action::PickUp { .. } => "pick_up",
            Action::Delivered { .. } => "delivered",
            Action::Fail { .. } => "fail",
            Action::Returned { .. } => "returned",
            Action::ReportException { .. } => "report_exception",
            Action::CorrectPin { .. } => "correct_pin",
            Action::ContactAttempt { .. } => "contact_attempt",
            Action::SendMessage { .. } => "send_message",
            Action::Scan { .. } => "scan",
            Action::ConfirmItem { .. } => "confirm_item",
            Action::HandoffCode { .. } => "handoff_code",
            Action::Answer { .. } => "answer",
            Action::RateStop { .. } => "rate_stop",
            Action::Appeal { .. } => "appeal",
            Action::AnswerCase { .. } => "answer_case",
            Action::SetAside { .. } => "set_aside",
            Action::Shift { .. } => "shift",
            Action::AcceptOffer { .. } => "accept_offer",
            Action::DeclineOffer { .. } => "decline_offer",
        }
    }

    /// The action as the server records it: without the handoff code the customer gave (only
    /// whether it matched is kept).
    pub fn redacted(&self) -> Action {
        match self {
            Action::HandoffCode {
                task_id, verified, ..
            } => Action::HandoffCode {
                task_id: task_id.clone(),
                verified: *verified,
                code: None,
            },
            other => other.clone(),
        }
    }

    /// Attachments (SHA-256) the action refers to: proof, report and item photos, checklist
    /// photos and signatures.
    pub fn attachments(&self) -> Vec<&str> {
        match self {
            Action::Delivered { proof, .. } => proof.iter().map(String::as_str).collect(),
            Action::Fail { photos, .. }
            | Action::ReportException { photos, .. }
            | Action::ConfirmItem { photos, .. } => photos.iter().map(String::as_str).collect(),
            Action::Answer { value, .. } => match value {
                AnswerValue::Photos(p) => p.iter().map(String::as_str).collect(),
                AnswerValue::Signature(s) => vec![s.as_str()],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

/// Where a device location came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LocationSource {
    /// A GPS fix taken within the last minute.
    Gps,
    /// The last fix known, older than a minute.
    LastKnown,
}

/// The device's location when the courier acted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ActionLocation {
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// Reported accuracy of the fix, metres.
    pub accuracy_m: f64,
    /// Age of the fix when the courier acted, seconds.
    pub age_s: i64,
    /// Where it came from.
    pub source: LocationSource,
}

/// Recorded with every action: the device clock's offset from server time and the location.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionContext {
    /// Server time minus device time at the last sync, seconds (`None` before any sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_s: Option<i64>,
    /// The location, if one was known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<ActionLocation>,
}
