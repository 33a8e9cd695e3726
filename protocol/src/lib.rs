//! Runsheet sync protocol v1.
//!
//! The JSON documents that travel between the courier's device (`runsheet-core`) and the
//! dispatch server (`runsheet-server`). Both sides depend on this crate, so a field renamed on
//! one side is a compile error on the other; `docs/protocol.md` and `docs/openapi.yaml` describe
//! the same documents for platform engineers who implement the server themselves.
//!
//! Times are Unix seconds (UTC). Ids are opaque strings chosen by the dispatcher, except the
//! client id (a UUID chosen by each install) and mutation ids (consecutive integers per client,
//! starting at 1).

#![deny(missing_docs)]

use serde::{Deserialize, Serialize};

mod action;
mod after_sales;
mod capacity;
mod cash;
mod checklist;
mod device;
mod earnings;
mod handoff;
mod handover;
mod id_check;
mod locker;
mod money;
mod nearby_handover;
mod offer;
mod rating;
mod training;
pub use action::*;
pub use after_sales::*;
pub use capacity::*;
pub use cash::*;
pub use checklist::*;
pub use device::*;
pub use earnings::*;
pub use handoff::*;
pub use handover::*;
pub use id_check::*;
pub use locker::*;
pub use money::*;
pub use nearby_handover::*;
pub use offer::*;
pub use rating::*;
pub use training::*;

// The protocol's types that cross the FFI unchanged are declared here once (Kotlin package
// `app.runsheet.protocol`, see uniffi.toml); runsheet-ffi enables the feature.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

/// The version segment of every sync URL (`/v1/...`).
pub const PROTOCOL_VERSION: u32 = 1;

/// Most mutations the server accepts in one push request.
pub const MAX_PUSH_BATCH: usize = 500;

/// Most changes the server returns in one pull page.
pub const MAX_PULL_PAGE: usize = 500;

/// What kind of work a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TaskKind {
    /// Restaurant pickup, customer drop-off.
    Food,
    /// Grocery pickup with cold-chain items, customer drop-off in a slot.
    Grocery,
    /// Parcel drop-off, loaded at a depot.
    Parcel,
    /// Collect from a customer, bring back to a merchant or depot.
    ReturnPickup,
}

impl TaskKind {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Food => "food",
            TaskKind::Grocery => "grocery",
            TaskKind::Parcel => "parcel",
            TaskKind::ReturnPickup => "return_pickup",
        }
    }

    /// Parses a storage name written by [`TaskKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "food" => TaskKind::Food,
            "grocery" => TaskKind::Grocery,
            "parcel" => TaskKind::Parcel,
            "return_pickup" => TaskKind::ReturnPickup,
            _ => return None,
        })
    }
}

/// Where a task is in its life. The courier moves it forward with [`Action`]s along
/// [`TaskStatus::after`]; only the dispatcher cancels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TaskStatus {
    /// Given to the courier, not yet accepted.
    Assigned,
    /// Accepted by the courier; heading to the pickup (or, for parcels, the round has started).
    Accepted,
    /// At the merchant, depot or (for return pickups) the customer.
    AtPickup,
    /// The goods are in the courier's box.
    PickedUp,
    /// At the drop-off.
    AtDropoff,
    /// Handed over to the customer.
    Delivered,
    /// The delivery failed (see the exception report); the goods go back on a return leg.
    Failed,
    /// The goods are back at the merchant or depot (or there were none to bring back).
    Returned,
    /// Withdrawn by the dispatcher.
    Cancelled,
}

impl TaskStatus {
    /// Every status, in workflow order.
    pub const ALL: [TaskStatus; 9] = [
        TaskStatus::Assigned,
        TaskStatus::Accepted,
        TaskStatus::AtPickup,
        TaskStatus::PickedUp,
        TaskStatus::AtDropoff,
        TaskStatus::Delivered,
        TaskStatus::Failed,
        TaskStatus::Returned,
        TaskStatus::Cancelled,
    ];

    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Assigned => "assigned",
            TaskStatus::Accepted => "accepted",
            TaskStatus::AtPickup => "at_pickup",
            TaskStatus::PickedUp => "picked_up",
            TaskStatus::AtDropoff => "at_dropoff",
            TaskStatus::Delivered => "delivered",
            TaskStatus::Failed => "failed",
            TaskStatus::Returned => "returned",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Words a shell can show ("at the drop-off").
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Assigned => "new",
            TaskStatus::Accepted => "accepted",
            TaskStatus::AtPickup => "at the pickup",
            TaskStatus::PickedUp => "picked up",
            TaskStatus::AtDropoff => "at the drop-off",
            TaskStatus::Delivered => "delivered",
            TaskStatus::Failed => "failed, returning",
            TaskStatus::Returned => "returned",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a storage name written by [`TaskStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// True once nothing more can happen to the task on the courier's side.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Delivered | TaskStatus::Returned | TaskStatus::Cancelled
        )
    }

    /// True while the goods are in the courier's box (for a task with a pickup stop).
    pub fn goods_on_board(self) -> bool {
        matches!(
            self,
            TaskStatus::PickedUp | TaskStatus::AtDropoff | TaskStatus::Failed
        )
    }

    /// The status a task with this status moves to when the courier does `action`, or `None`
    /// when the workflow does not allow it. `has_pickup` says whether the task has a pickup
    /// stop (parcels loaded at a depot have none: accepting them starts the round). Actions that
    /// do not move the task (reports, contact, pin corrections) keep the status on any task
    /// that is not finished. Both the device and the server decide with this one table.
    pub fn after(self, action: &Action, has_pickup: bool) -> Option<TaskStatus> {
        use TaskStatus::*;
        let next = match (action, self) {
            (Action::Accept { .. }, Assigned) => Accepted,
            (Action::Arrive { stop, .. }, s) => match (stop, s) {
                (StopRole::Pickup, Accepted) if has_pickup => AtPickup,
                (StopRole::Dropoff, PickedUp) => AtDropoff,
                (StopRole::Dropoff, Accepted) if !has_pickup => AtDropoff,
                (StopRole::Return, Failed) => Failed,
                _ => return None,
            },
            (Action::PickUp { .. }, AtPickup) => PickedUp,
            (Action::Delivered { .. }, AtDropoff) => Delivered,
            (Action::Fail { .. }, PickedUp | AtDropoff) => Failed,
            (Action::Fail { .. }, Accepted) if !has_pickup => Failed,
            (Action::Fail { .. }, AtPickup) => Failed,
            (Action::Returned { .. }, Failed) => Returned,
            (Action::CorrectPin { .. }, s) if s != Cancelled => s,
            // Cash and the locker's codes are recorded at the drop-off, before the handover.
            (Action::CollectCash { .. } | Action::LockerDrop { .. }, AtDropoff) => AtDropoff,
            // Ratings and appeals are about tasks already done.
            (Action::RateStop { .. } | Action::Appeal { .. }, s) => s,
            // Offers are about tasks not yet the courier's: no task moves with them.
            (Action::AcceptOffer { .. } | Action::DeclineOffer { .. }, _) => return None,
            (
                Action::ReportException { .. }
                | Action::ContactAttempt { .. }
                | Action::SendMessage { .. }
                | Action::Scan { .. }
                | Action::ConfirmItem { .. }
                | Action::HandoffCode { .. }
                | Action::Answer { .. }
                | Action::RequestHandover { .. }
                | Action::ReceiveHandover { .. },
                s,
            ) if !s.is_final() => s,
            _ => return None,
        };
        Some(next)
    }
}

/// A place the courier must go: a merchant, a depot or a customer's door.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "Stop"))]
pub struct StopDoc {
    /// Merchant or customer name shown to the courier (personal data for customers).
    pub name: String,
    /// Street address (personal data for customers).
    pub address: String,
    /// Contact phone, masked by the platform where it is a customer's (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// WGS-84 latitude, degrees.
    pub lat: f64,
    /// WGS-84 longitude, degrees.
    pub lon: f64,
    /// When the goods are ready (pickups), Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<i64>,
    /// The time promised for this stop (the customer's promised delivery time), Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_by: Option<i64>,
    /// Start of the customer's delivery slot (groceries): not before this, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<i64>,
    /// True when the coordinates come from a courier's correction of the map pin.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pin_corrected: bool,
}

impl StopDoc {
    /// A stop with a name, an address and a location, and nothing else: no phone, no time
    /// window, coordinates as given (not a courier's correction). Set the other fields with
    /// struct update syntax: `StopDoc { due_by: Some(t), ..StopDoc::new(...) }`.
    pub fn new(name: impl Into<String>, address: impl Into<String>, lat: f64, lon: f64) -> Self {
        StopDoc {
            name: name.into(),
            address: address.into(),
            phone: None,
            lat,
            lon,
            ready_at: None,
            due_by: None,
            not_before: None,
            pin_corrected: false,
        }
    }
}

impl std::fmt::Debug for StopDoc {
    /// Prints the coordinates and times only: names, addresses and phones never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopDoc")
            .field("lat", &self.lat)
            .field("lon", &self.lon)
            .field("ready_at", &self.ready_at)
            .field("due_by", &self.due_by)
            .field("not_before", &self.not_before)
            .finish_non_exhaustive()
    }
}

/// A task as the server sends it to the courier it is assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskDoc {
    /// The dispatcher's task id.
    pub id: String,
    /// What kind of work it is.
    pub kind: TaskKind,
    /// Its status on the server.
    pub status: TaskStatus,
    /// Where the goods are collected; `None` for parcels loaded at the depot before the round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup: Option<StopDoc>,
    /// Where the goods go.
    pub dropoff: StopDoc,
    /// Server revision of the task; grows with every change the server makes to it.
    pub revision: i64,
    /// When the customer ordered, Unix seconds (delivery time is measured from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_at: Option<i64>,
    /// The goods, with their temperature class (fresh groceries) and codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemDoc>,
    /// Where the goods go back if the delivery fails; the pickup stop when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_to: Option<StopDoc>,
    /// The customer's handoff code (PIN or QR), as a slow salted hash the phone checks offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_code: Option<HandoffCodeDoc>,
    /// The customer asked for a contactless handover (photo at the door).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contactless: bool,
    /// How the delivery must be proven.
    #[serde(default, skip_serializing_if = "is_default_proof")]
    pub proof: ProofPolicy,
    /// The customer's language as a BCP 47 tag ("zh-CN", "en"): the messages the courier sends
    /// go out in it. Absent: the platform's default, Simplified Chinese (docs/i18n.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_locale: Option<String>,
    /// The after-sales case this task was created for (a redelivery, a return pickup or an
    /// exchange ordered by the case's resolution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<i64>,
    /// Items the courier takes back from the customer at the drop-off (an exchange: the new
    /// items are in `items`, the old ones here); scanned at the door like the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub take_back: Vec<ItemDoc>,
    /// The task's handovers between couriers, oldest first: the completed ones are its chain
    /// of custody, the last may be open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handovers: Vec<HandoverDoc>,
    /// Cash on delivery: what the courier collects from the customer at the door (absent: the
    /// order is paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_due: Option<Money>,
    /// The drop-off is a parcel locker or a pickup point: the courier scans its code and the
    /// compartment's as the proof of delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locker: Option<LockerDoc>,
}

fn is_default_proof(p: &ProofPolicy) -> bool {
    *p == ProofPolicy::None
}

/// How an item must be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TemperatureClass {
    /// Room temperature.
    #[default]
    Ambient,
    /// 0 to 4 °C.
    Chilled,
    /// -18 °C or colder.
    Frozen,
    /// Hot food, kept apart from cold.
    Hot,
}

impl TemperatureClass {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TemperatureClass::Ambient => "ambient",
            TemperatureClass::Chilled => "chilled",
            TemperatureClass::Frozen => "frozen",
            TemperatureClass::Hot => "hot",
        }
    }
}

/// One item (a bag, a parcel, a line of a grocery order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "Item"))]
pub struct ItemDoc {
    /// The code on its label (order label, GTIN or SSCC).
    pub code: String,
    /// What it is ("2 x milk 1 l").
    pub name: String,
    /// How it must be kept.
    #[serde(default)]
    pub temperature: TemperatureClass,
    /// How many.
    #[serde(default = "ItemDoc::one")]
    pub quantity: u32,
    /// Volume of one piece, units of the courier's box (0 or more; absent: 1, see
    /// [`DEFAULT_ITEM_SIZE`]). Chilled and frozen items count against the chilled compartment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// Restricted goods (alcohol, tobacco, medicine): handed over only after an age or ID
    /// check (the checklist fact `restricted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted: Option<Restriction>,
}

impl ItemDoc {
    fn one() -> u32 {
        1
    }
}

/// One entry of a pull answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// The task is new to the courier or changed: store it as given.
    UpsertTask {
        /// The task as it now is on the server.
        task: Box<TaskDoc>,
    },
    /// The task is no longer the courier's (reassigned or deleted): drop it.
    RemoveTask {
        /// The task's id.
        task_id: String,
    },
}

/// `GET /v1/sync/pull` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Changes after the cursor the client sent, oldest first.
    pub changes: Vec<Change>,
    /// Cursor to send next time; store it only once `has_more` is false and all pages are applied.
    pub cursor: i64,
    /// True when more changes wait beyond this page.
    pub has_more: bool,
    /// The highest mutation id of this client the server has processed (0 if none).
    pub last_mutation_id: i64,
    /// Server clock, Unix seconds, so the device can measure its own clock's offset.
    pub server_time: i64,
    /// The platform's settings, present when newer than the `settings_version` the client sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// Checklist templates published after the `checklists_after` sequence the client sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklists: Vec<ChecklistTemplate>,
    /// Ratings of this courier new or changed (appeal decided) after the `ratings_after`
    /// sequence the client sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<RatingDoc>,
    /// After-sales cases about this courier's deliveries new or changed after the
    /// `cases_after` sequence the client sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseDoc>,
    /// Recalls issued or lifted after the `recalls_after` sequence the client sent (every
    /// courier receives every recall).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recalls: Vec<RecallDoc>,
    /// Offers to this courier new or changed (accepted, declined, refused as expired) after the
    /// `offers_after` sequence the client sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offers: Vec<OfferDoc>,
    /// This courier's vehicle and box, present when newer than the `vehicle_version` the
    /// client sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle: Option<VehicleDoc>,
    /// The courier's earning lines new or changed (an appeal filed or decided) after the
    /// `earnings_after` sequence the client sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earnings: Vec<EarningLineDoc>,
    /// Training modules published after the `training_after` sequence the client sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub training: Vec<TrainingModule>,
    /// This courier's qualifications earned or renewed after the `qualifications_after`
    /// sequence the client sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qualifications: Vec<QualificationDoc>,
}

impl PullResponse {
    /// Whether this page brings the phone nothing new in any feed (a long-poll waits on while
    /// it does not). Every feed a page carries is asked here, so that a feed added later is
    /// added in one place for the server's long-poll and the phone's.
    pub fn is_quiet(&self) -> bool {
        self.changes.is_empty()
            && self.settings.is_none()
            && self.checklists.is_empty()
            && self.ratings.is_empty()
            && self.cases.is_empty()
            && self.recalls.is_empty()
            && self.offers.is_empty()
            && self.vehicle.is_none()
            && self.earnings.is_empty()
            && self.training.is_empty()
            && self.qualifications.is_empty()
    }
}

/// Settings the platform publishes to every courier's phone. Unknown keys from a newer server
/// are ignored, and absent ones take their defaults, so both sides can evolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "PlatformSettings"))]
pub struct Settings {
    /// Grows with every change; 0 means the defaults (never published).
    #[serde(default)]
    pub version: i64,
    /// Seconds between automatic syncs while all is well (10 to 3600).
    #[serde(default = "Settings::default_interval")]
    pub auto_sync_interval_s: u32,
    /// Most GPS fixes kept on a phone (100 to 1,000,000).
    #[serde(default = "Settings::default_cap")]
    pub location_buffer_cap: u64,
    /// Hours a finished task's customer data stays on the phone (1 to 720).
    #[serde(default = "Settings::default_retention")]
    pub customer_data_retention_h: u32,
    /// Seconds a courier waits at the door, after reaching the drop-off, before the customer
    /// counts as unreachable (60 to 3600).
    #[serde(default = "Settings::default_unreachable_wait")]
    pub unreachable_wait_s: u32,
    /// Unanswered contact attempts needed before the customer counts as unreachable (1 to 10).
    #[serde(default = "Settings::default_unreachable_attempts")]
    pub unreachable_min_attempts: u32,
    /// Riding speed by local hour of day, metres per second (24 values, 0 to 40; slower at the
    /// lunch and dinner peaks). Empty: the planner's offline default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speed_by_hour_mps: Vec<f64>,
    /// The city's offset from UTC, minutes (for the local hour of `speed_by_hour_mps`).
    #[serde(default)]
    pub utc_offset_min: i32,
    /// The courier KPIs' targets, peak windows and appeal window.
    #[serde(default)]
    pub kpi_targets: KpiTargets,
    /// Customers' handoff codes: their least length and the cost of the hash phones get.
    #[serde(default)]
    pub handoff_code: HandoffCodePolicy,
    /// Minutes before a stop's promised time at which the phone warns the courier that the
    /// stop is at risk of being late (1 to 120; default 10).
    #[serde(default = "Settings::default_late_warning")]
    pub late_warning_lead_min: u32,
    /// After-sales routing and deadlines per kind of case, and the courier's time to answer.
    #[serde(default)]
    pub after_sales: AfterSalesPolicy,
    /// Seconds a courier has to answer an offer when dispatch names no expiry (5 to 600;
    /// default 30).
    #[serde(default = "Settings::default_offer_expiry")]
    pub offer_expiry_s: u32,
    /// How couriers are paid: rates of the pay function and incentive programmes.
    #[serde(default)]
    pub pay: PayRates,
}

impl Settings {
    fn default_interval() -> u32 {
        60
    }
    fn default_cap() -> u64 {
        10_000
    }
    fn default_retention() -> u32 {
        24
    }
    fn default_unreachable_wait() -> u32 {
        600
    }
    fn default_unreachable_attempts() -> u32 {
        2
    }
    fn default_late_warning() -> u32 {
        10
    }
    fn default_offer_expiry() -> u32 {
        30
    }

    /// The riding speed at `unix_seconds` from the hourly profile, if one is published.
    pub fn speed_at(&self, unix_seconds: i64) -> Option<f64> {
        if self.speed_by_hour_mps.len() != 24 {
            return None;
        }
        let local = unix_seconds + i64::from(self.utc_offset_min) * 60;
        let hour = local.rem_euclid(86_400) / 3600;
        self.speed_by_hour_mps.get(hour as usize).copied()
    }

    /// Why these settings cannot be applied, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if !(10..=3600).contains(&self.auto_sync_interval_s) {
            return Some("auto_sync_interval_s must be 10 to 3600".into());
        }
        if !(100..=1_000_000).contains(&self.location_buffer_cap) {
            return Some("location_buffer_cap must be 100 to 1000000".into());
        }
        if !(1..=720).contains(&self.customer_data_retention_h) {
            return Some("customer_data_retention_h must be 1 to 720".into());
        }
        if !(60..=3600).contains(&self.unreachable_wait_s) {
            return Some("unreachable_wait_s must be 60 to 3600".into());
        }
        if !(1..=10).contains(&self.unreachable_min_attempts) {
            return Some("unreachable_min_attempts must be 1 to 10".into());
        }
        if !self.speed_by_hour_mps.is_empty()
            && (self.speed_by_hour_mps.len() != 24
                || self
                    .speed_by_hour_mps
                    .iter()
                    .any(|v| !(v.is_finite() && *v > 0.0 && *v <= 40.0)))
        {
            return Some("speed_by_hour_mps must be 24 speeds above 0 and at most 40 m/s".into());
        }
        if !(-720..=840).contains(&self.utc_offset_min) {
            return Some("utc_offset_min must be -720 to 840".into());
        }
        if let Some(p) = self.handoff_code.problem() {
            return Some(p);
        }
        if !(1..=120).contains(&self.late_warning_lead_min) {
            return Some("late_warning_lead_min must be 1 to 120".into());
        }
        if let Some(p) = self.after_sales.problem() {
            return Some(p);
        }
        if !(5..=600).contains(&self.offer_expiry_s) {
            return Some("offer_expiry_s must be 5 to 600".into());
        }
        if let Some(p) = self.pay.problem() {
            return Some(p);
        }
        None
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: 0,
            auto_sync_interval_s: Self::default_interval(),
            location_buffer_cap: Self::default_cap(),
            customer_data_retention_h: Self::default_retention(),
            unreachable_wait_s: Self::default_unreachable_wait(),
            unreachable_min_attempts: Self::default_unreachable_attempts(),
            speed_by_hour_mps: Vec::new(),
            utc_offset_min: 0,
            kpi_targets: KpiTargets::default(),
            handoff_code: HandoffCodePolicy::default(),
            late_warning_lead_min: Self::default_late_warning(),
            after_sales: AfterSalesPolicy::default(),
            offer_expiry_s: Self::default_offer_expiry(),
            pay: PayRates::default(),
        }
    }
}

/// One courier action on its way to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Consecutive per client, starting at 1; the idempotency key with the client id.
    pub mutation_id: i64,
    /// When the courier did it, by the device clock, Unix seconds.
    pub device_time: i64,
    /// What was done.
    pub action: Action,
    /// Where and with what clock the courier did it (absent from older clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<ActionContext>,
}

/// `POST /v1/sync/push` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The install's id (a UUID made when its database was created).
    pub client_id: String,
    /// Pending mutations in id order, at most [`MAX_PUSH_BATCH`].
    pub mutations: Vec<Mutation>,
    /// The device clock when the push was sent, Unix seconds: the server measures the device
    /// clock's offset from it (absent from older clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
    /// Where the phone's pull would start: when present, the server answers the pull's first
    /// page too, read after this push (`PushResponse::pulled`), so that a sync after one action
    /// is one request rather than a push and a pull. Absent, the push answers no page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<PullPosition>,
}

/// What the phone already holds of each server feed: where its next pull starts. A pull's
/// query sends these fields one by one; a push carries them whole (`PushRequest::pull`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PullPosition {
    /// Task change cursor.
    pub cursor: i64,
    /// Settings version.
    pub settings_version: i64,
    /// Highest checklist publication.
    pub checklists_after: i64,
    /// Highest rating sequence.
    pub ratings_after: i64,
    /// Highest after-sales case sequence.
    pub cases_after: i64,
    /// Highest recall sequence.
    pub recalls_after: i64,
    /// Highest offer sequence.
    pub offers_after: i64,
    /// Version of the courier's vehicle held.
    pub vehicle_version: i64,
    /// Highest earnings sequence.
    pub earnings_after: i64,
    /// Highest training module publication.
    pub training_after: i64,
    /// Highest qualification sequence.
    pub qualifications_after: i64,
}

/// The server's verdict on one pushed mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MutationOutcome {
    /// Applied now.
    Applied,
    /// Applied by an earlier request (a retry); not applied again.
    Duplicate,
    /// Recorded but not applied; the client keeps a notice and moves on.
    Rejected {
        /// Machine-readable reason, see [`RejectCode`].
        code: RejectCode,
        /// A sentence for people (contains no personal data).
        reason: String,
    },
}

/// Why a mutation was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// No task with that id exists.
    UnknownTask,
    /// The task belongs to another courier.
    NotYourTask,
    /// The task's state does not allow the action.
    InvalidState,
    /// The mutation itself is not valid (a field out of range, a control character in a text,
    /// an action this server does not know), or the store refused its data: it can never apply,
    /// so it is recorded and answered rather than blocking the courier's queue.
    Invalid,
    /// An offer's acceptance made or received after the offer expired (by the server's clock):
    /// nothing changed, the tasks are not the courier's.
    OfferExpired,
    /// An offer's acceptance (or decline) for an offer withdrawn before it reached the server
    /// (by dispatch, or because a task of it went elsewhere): nothing changed, the tasks are
    /// not the courier's.
    OfferWithdrawn,
    /// A quiz answered for a training module version that has since been replaced: nothing
    /// is recorded; the courier takes the new version.
    ModuleReplaced,
}

impl RejectCode {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::UnknownTask => "unknown_task",
            RejectCode::NotYourTask => "not_your_task",
            RejectCode::InvalidState => "invalid_state",
            RejectCode::Invalid => "invalid",
            RejectCode::OfferExpired => "offer_expired",
            RejectCode::OfferWithdrawn => "offer_withdrawn",
            RejectCode::ModuleReplaced => "module_replaced",
        }
    }
}

/// Result of one mutation in a push answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    /// The mutation's id.
    pub mutation_id: i64,
    /// What happened to it.
    #[serde(flatten)]
    pub outcome: MutationOutcome,
}

/// `POST /v1/sync/push` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per pushed mutation, in the order sent.
    pub results: Vec<MutationResult>,
    /// The highest mutation id of this client the server has processed.
    pub last_mutation_id: i64,
    /// The primary database's WAL position once this push committed (PostgreSQL's
    /// `pg_current_wal_insert_lsn()`, as `16/B374D848`), from a server that serves pulls from
    /// read replicas. The phone sends it back with its next pull (`min_lsn`): a replica serves
    /// that pull only when it has replayed this far, so the pull sees this push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal_lsn: Option<String>,
    /// The pull's first page from the position the push carried (`PushRequest::pull`), read
    /// from the primary after the push committed; absent when the push carried none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulled: Option<Box<PullResponse>>,
}

/// One GPS fix from the courier's phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationFix {
    /// Consecutive per client (the idempotency key with the client id).
    pub seq: i64,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// Reported horizontal accuracy, metres.
    pub accuracy_m: f64,
    /// When the fix was taken, device clock, Unix seconds.
    pub recorded_at: i64,
}

/// `POST /v1/sync/locations` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationBatch {
    /// The install.
    pub client_id: String,
    /// Fixes, oldest first, at most [`MAX_LOCATION_BATCH`].
    pub fixes: Vec<LocationFix>,
    /// Fixes the phone dropped (its buffer was full) since its previous batch.
    #[serde(default)]
    pub dropped: u64,
}

/// `POST /v1/sync/locations` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationAck {
    /// Fixes stored now (a retried batch stores none again).
    pub stored: u64,
}

/// Most fixes in one location batch.
pub const MAX_LOCATION_BATCH: usize = 1000;

/// Body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable error code (`unauthorized`, `mutation_gap`, `bad_request`, ...).
    pub error: String,
    /// A sentence for people.
    pub reason: String,
    /// For `mutation_gap` and `server_behind`: the mutation id the server expects next (its
    /// last applied from this install + 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_mutation_id: Option<i64>,
    /// For `mutation_id_reused`: the mutation id the server already applied with other content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation_id: Option<i64>,
    /// For `invalid` (422): the field at fault, as a path into the body (`fixes[2].lat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `not_qualified` (409): the training module whose pass the task needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_result_wire_shape_is_flat() {
        let r = MutationResult {
            mutation_id: 3,
            outcome: MutationOutcome::Rejected {
                code: RejectCode::NotYourTask,
                reason: "no".into(),
            },
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"mutation_id": 3, "outcome": "rejected", "code": "not_your_task", "reason": "no"})
        );
        let back: MutationResult = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn unknown_action_is_refused() {
        let bad = serde_json::json!({"mutation_id": 1, "device_time": 0, "action": {"type": "teleported", "task_id": "t"}});
        assert!(serde_json::from_value::<Mutation>(bad).is_err());
    }

    #[test]
    fn stop_debug_hides_personal_data() {
        let s = StopDoc {
            phone: Some("+8613800000000".into()),
            due_by: Some(5),
            ..StopDoc::new("Alice Example", "1 Secret Lane", 30.0, 120.0)
        };
        let d = format!("{s:?}");
        assert!(!d.contains("Alice") && !d.contains("Secret") && !d.contains("138"));
    }

    #[test]
    fn settings_tolerate_unknown_and_missing_keys() {
        let s: Settings = serde_json::from_str(
            r#"{"version": 3, "auto_sync_interval_s": 30, "from_the_future": true}"#,
        )
        .unwrap();
        assert_eq!(s.version, 3);
        assert_eq!(s.auto_sync_interval_s, 30);
        assert_eq!(
            s.location_buffer_cap,
            Settings::default().location_buffer_cap
        );
        assert!(s.problem().is_none());
        let bad = Settings {
            auto_sync_interval_s: 1,
            ..Settings::default()
        };
        assert!(bad.problem().is_some());
        // An hourly speed profile: slower at the peaks, read in the city's local time.
        let mut speeds = vec![5.0; 24];
        speeds[12] = 3.0; // lunch peak
        let china = Settings {
            speed_by_hour_mps: speeds,
            utc_offset_min: 480,
            ..Settings::default()
        };
        assert!(china.problem().is_none());
        // 2026-11-23 04:30 UTC is 12:30 in Beijing; 00:30 UTC is 08:30 there.
        assert_eq!(china.speed_at(1_795_406_400 + 1800), Some(3.0));
        assert_eq!(china.speed_at(1_795_406_400 - 4 * 3600 + 1800), Some(5.0));
        assert_eq!(Settings::default().speed_at(0), None);
        let short = Settings {
            speed_by_hour_mps: vec![4.0; 23],
            ..Settings::default()
        };
        assert!(short.problem().is_some());
    }

    #[test]
    fn the_workflow_table() {
        use TaskStatus::*;
        let t = || "t".to_string();
        let arrive = |stop| Action::Arrive {
            task_id: t(),
            stop,
            method: ArrivalMethod::Gps,
            reason: None,
        };
        let fail = Action::Fail {
            task_id: t(),
            reason: ExceptionReason::CustomerRefused,
            note: None,
            photos: vec![],
        };
        // Food: the full happy path.
        let path = [
            (Action::Accept { task_id: t() }, Accepted),
            (arrive(StopRole::Pickup), AtPickup),
            (Action::PickUp { task_id: t() }, PickedUp),
            (arrive(StopRole::Dropoff), AtDropoff),
            (Action::delivered("t"), Delivered),
        ];
        let mut s = Assigned;
        for (a, want) in &path {
            s = s
                .after(a, true)
                .unwrap_or_else(|| panic!("{} from {s:?}", a.name()));
            assert_eq!(s, *want);
        }
        // Skipping a step is refused.
        assert_eq!(Assigned.after(&Action::delivered("t"), true), None);
        assert_eq!(Accepted.after(&arrive(StopRole::Dropoff), true), None);
        assert_eq!(Accepted.after(&Action::PickUp { task_id: t() }, true), None);
        // Parcels (no pickup stop): accepted means loaded.
        assert_eq!(
            Accepted.after(&arrive(StopRole::Dropoff), false),
            Some(AtDropoff)
        );
        assert_eq!(Accepted.after(&arrive(StopRole::Pickup), false), None);
        // Failure and the return leg.
        assert_eq!(AtDropoff.after(&fail, true), Some(Failed));
        assert_eq!(
            Failed.after(&Action::Returned { task_id: t() }, true),
            Some(Returned)
        );
        assert_eq!(Delivered.after(&fail, true), None);
        // Nothing moves a finished task, except a pin correction on a delivered one.
        let pin = Action::CorrectPin {
            task_id: t(),
            lat: 1.0,
            lon: 2.0,
        };
        assert_eq!(Delivered.after(&pin, true), Some(Delivered));
        assert_eq!(Cancelled.after(&pin, true), None);
        for s in TaskStatus::ALL.into_iter().filter(|s| s.is_final()) {
            for a in path.iter().map(|(a, _)| a) {
                assert_eq!(s.after(a, true), None, "{} on {s:?}", a.name());
            }
        }
    }

    #[test]
    fn actions_round_trip_on_the_wire() {
        let m = Mutation {
            mutation_id: 4,
            device_time: 100,
            action: Action::ReportException {
                task_id: "t".into(),
                reason: ExceptionReason::MerchantDelay,
                note: Some("kitchen backed up".into()),
                photos: vec![],
                ready_at: Some(700),
            },
            context: Some(ActionContext {
                clock_offset_s: Some(-3),
                location: Some(ActionLocation {
                    lat: 30.0,
                    lon: 120.0,
                    accuracy_m: 8.0,
                    age_s: 5,
                    source: LocationSource::Gps,
                }),
            }),
        };
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["action"]["type"], "report_exception");
        assert_eq!(v["action"]["reason"], "merchant_delay");
        assert_eq!(v["context"]["location"]["source"], "gps");
        assert_eq!(serde_json::from_value::<Mutation>(v).unwrap(), m);
        let shift = serde_json::to_value(Action::Shift {
            event: ShiftEvent::BreakStart,
        })
        .unwrap();
        assert_eq!(
            shift,
            serde_json::json!({"type": "shift", "event": "break_start"})
        );
    }

    #[test]
    fn names_round_trip() {
        for k in [
            TaskKind::Food,
            TaskKind::Grocery,
            TaskKind::Parcel,
            TaskKind::ReturnPickup,
        ] {
            assert_eq!(TaskKind::parse(k.as_str()), Some(k));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
        }
        for r in ExceptionReason::ALL {
            assert_eq!(ExceptionReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(TaskStatus::parse("teleported"), None);
    }
}
