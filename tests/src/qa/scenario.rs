//! Scenario files: a courier shift as TOML (format in docs/scenarios.md), parsed and checked
//! before anything runs, with the line of every mistake.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use runsheet_protocol::{StopDoc, TaskKind};
use serde::Deserialize;
use toml::Spanned;

/// A scenario file that cannot run, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ScenarioError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// What is wrong, for a QA engineer.
    pub message: String,
}

/// `[scenario]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Shown in reports.
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Seeds the network's flakiness.
    #[serde(default)]
    pub seed: u64,
    /// Virtual start time: RFC 3339 (`2026-11-24T11:30:00+08:00`) or Unix seconds.
    pub start: Spanned<toml::Value>,
    /// The language the phones show their screens in (`zh-CN` or `en`; default `en`): screen
    /// expectations and tap labels are in it.
    #[serde(default)]
    pub locale: Option<Spanned<String>>,
}

/// `[[courier]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourierDoc {
    /// Courier id (also the dispatch id).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Where the courier starts (default: the first stop of their first task).
    #[serde(default)]
    pub lat: Option<f64>,
    /// Where the courier starts.
    #[serde(default)]
    pub lon: Option<f64>,
    /// The courier's vehicle and box, set by dispatch before the shift:
    /// `{ kind = "scooter", box_units = 10, chilled_units = 2 }`.
    #[serde(default)]
    pub vehicle: Option<runsheet_protocol::VehicleDoc>,
}

/// A stop in a scenario file; times are offsets from the start (`"+25m"`) or Unix seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopSpec {
    /// Merchant or customer name.
    pub name: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// Masked phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Ready time.
    #[serde(default)]
    pub ready_at: Option<Spanned<String>>,
    /// Promised time.
    #[serde(default)]
    pub due_by: Option<Spanned<String>>,
    /// Start of the delivery slot (groceries).
    #[serde(default)]
    pub not_before: Option<Spanned<String>>,
}

/// `[[task]]` (also the body of an `assign` step).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    /// Task id.
    pub id: Spanned<String>,
    /// The courier it is (or will be) assigned to.
    pub courier: Spanned<String>,
    /// food, grocery, parcel or return_pickup.
    pub kind: TaskKind,
    /// Pickup stop.
    #[serde(default)]
    pub pickup: Option<StopSpec>,
    /// Drop-off stop.
    pub dropoff: StopSpec,
    /// Create it only when a step assigns it (`do = "assign"`), not at the start.
    #[serde(default)]
    pub later: bool,
    /// The code the platform gives the customer to show at the door.
    #[serde(default)]
    pub handoff_code: Option<String>,
    /// The customer asked for a contactless handover.
    #[serde(default)]
    pub contactless: bool,
    /// When the customer ordered, an offset from the start (default: the start).
    #[serde(default)]
    pub ordered_at: Option<Spanned<String>>,
    /// The proof of delivery the platform wants: `none`, `photo`, `signature`, `code`.
    #[serde(default)]
    pub proof: Option<runsheet_protocol::ProofPolicy>,
    /// The goods (bags, parcels, grocery lines with their temperature class).
    #[serde(default)]
    pub items: Vec<runsheet_protocol::ItemDoc>,
    /// Where failed goods go back (default: the pickup).
    #[serde(default)]
    pub return_to: Option<StopSpec>,
    /// Created unassigned (at the start, or at an `assign` step with `later`), for an `offer`
    /// step to offer to `courier`.
    #[serde(default)]
    pub offered: bool,
    /// Cash on delivery: `{ minor = 4550, currency = "CNY" }`.
    #[serde(default)]
    pub cash_due: Option<runsheet_protocol::Money>,
    /// The drop-off is a locker or pickup point: `{ kind = "locker", locker_id = "L-17",
    /// code = "LOCKER-17", pickup_code = "884213" }`.
    #[serde(default)]
    pub locker: Option<runsheet_protocol::LockerDoc>,
}

/// What a step's `network` sets.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NetworkSpec {
    /// `"offline"` or `"online"`.
    Mode(String),
    /// `{ flaky = 0.3 }`: that share of requests fail (seeded).
    Flaky {
        /// Share of requests that fail, 0 to 1.
        flaky: f64,
    },
}

/// Expectations checked at an `expect` step (all optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    /// Status of tasks on the phone: `{ F1 = "delivered" }`.
    #[serde(default)]
    pub task_status: BTreeMap<String, String>,
    /// The ids on the phone's task list, in order.
    #[serde(default)]
    pub tasks: Option<Vec<String>>,
    /// The label of a task's primary action as the courier sees it, on the task list's row
    /// or on the open task page: `{ F1 = "确认送达" }` (`"none"`: no primary action).
    #[serde(default)]
    pub primary: BTreeMap<String, String>,
    /// Whether that primary action can be tapped: `{ F1 = false }`.
    #[serde(default)]
    pub enabled: BTreeMap<String, bool>,
    /// Text the sentences saying why the primary action is blocked contain:
    /// `{ F1 = "扫码" }` (`""`: nothing blocks it).
    #[serde(default)]
    pub why: BTreeMap<String, String>,
    /// A task's status in words on its row or page: `{ F1 = "已送达" }`.
    #[serde(default)]
    pub status_text: BTreeMap<String, String>,
    /// Text a task row's lateness contains: `{ F1 = "At risk" }` (`""`: none shown).
    #[serde(default)]
    pub lateness: BTreeMap<String, String>,
    /// The open page's title.
    #[serde(default)]
    pub title: Option<String>,
    /// The shift bar's state in words (`"上班中"`).
    #[serde(default)]
    pub shift_bar: Option<String>,
    /// The label of the shift bar's primary action (`"下班"`; `"none"`).
    #[serde(default)]
    pub shift_button: Option<String>,
    /// Text the sync banner shows (it must be visible).
    #[serde(default)]
    pub banner: Option<String>,
    /// Whether the sync banner is shown.
    #[serde(default)]
    pub banner_visible: Option<bool>,
    /// Text the scan page's last verdict contains (the scan page must be open).
    #[serde(default)]
    pub verdict: Option<String>,
    /// Text the scan page's progress line contains (the scan page must be open).
    #[serde(default)]
    pub progress: Option<String>,
    /// Text the scan page says about the camera contains (`""`: nothing said).
    #[serde(default)]
    pub camera_text: Option<String>,
    /// Text the notice of the last tap contains (`""`: no notice).
    #[serde(default)]
    pub notice: Option<String>,
    /// Notifications the core asked the phone to show since the previous `expect` step: each
    /// text is found in one notification's title or body (`[]`: none asked for).
    #[serde(default)]
    pub notified: Option<Vec<String>>,
    /// Permissions the core asked for since the previous `expect` step, in order (`camera`,
    /// `location`, `background_location`, `notifications`).
    #[serde(default)]
    pub asked: Option<Vec<String>>,
    /// The labels of the reasons the open problem sheet offers, in order.
    #[serde(default)]
    pub reasons: Option<Vec<String>>,
    /// The verdict of figures on the open KPI page, by the figure's name:
    /// `{ "On-time rate" = "Below target" }`.
    #[serde(default)]
    pub kpi_verdicts: BTreeMap<String, String>,
    /// Labels the screen offers (enabled or not).
    #[serde(default)]
    pub offered: Vec<String>,
    /// Labels the screen does not offer.
    #[serde(default)]
    pub not_offered: Vec<String>,
    /// Actions waiting on the phone.
    #[serde(default)]
    pub pending: Option<u64>,
    /// Task ids of the courier's deliveries the server applied, in order (exactly once each).
    #[serde(default)]
    pub server_applied: Option<Vec<String>>,
    /// Every action of the courier the server applied, in order, as `task:action`
    /// (`F1:accept`, `F1:arrive`, ..., or `shift` for shift events).
    #[serde(default)]
    pub server_actions: Option<Vec<String>>,
    /// Task ids (each once, by first rejection) of the courier's mutations the server recorded
    /// but rejected.
    #[serde(default)]
    pub server_rejected: Option<Vec<String>>,
    /// Task ids (each once, oldest first) of rejection notices shown on the phone.
    #[serde(default)]
    pub rejections: Option<Vec<String>>,
    /// Status of tasks on the server: `{ F1 = "cancelled" }`.
    #[serde(default)]
    pub server_status: BTreeMap<String, String>,
    /// Ids the task listener reported added since the previous expect step.
    #[serde(default)]
    pub listener_added: Option<Vec<String>>,
    /// Ids reported updated since the previous expect step.
    #[serde(default)]
    pub listener_updated: Option<Vec<String>>,
    /// Ids reported removed since the previous expect step.
    #[serde(default)]
    pub listener_removed: Option<Vec<String>>,
    /// After-sales cases open on the server (task ids).
    #[serde(default)]
    pub after_sales: Option<Vec<String>>,
    /// The drop-off address the phone shows: `{ F1 = "Gate 2, ..." }`.
    #[serde(default)]
    pub dropoff_address: BTreeMap<String, String>,
    /// GPS fixes buffered on the phone.
    #[serde(default)]
    pub pending_fixes: Option<u64>,
    /// GPS fixes of this courier the server holds.
    #[serde(default)]
    pub server_fixes: Option<u64>,
    /// The primary action's step code per task: `{ F1 = "deliver" }` (`"none"` once finished).
    #[serde(default)]
    pub next_action: BTreeMap<String, String>,
    /// The primary action's blocker codes per task: `{ F1 = ["not_arrived"] }`.
    #[serde(default)]
    pub blockers: BTreeMap<String, Vec<String>>,
    /// The shift's primary action step code (`"start_shift"`, `"accept"`, `"end_shift"`...).
    #[serde(default)]
    pub shift_next: Option<String>,
    /// Group of tasks on the list: `{ F1 = "now" }` (now, next, later, done_today).
    #[serde(default)]
    pub group: BTreeMap<String, String>,
    /// Tasks of the list's "now" group, in order.
    #[serde(default)]
    pub now: Option<Vec<String>>,
    /// The phone's shift state: `on_duty`, `on_break`, `off_duty`.
    #[serde(default)]
    pub shift_state: Option<String>,
    /// The courier's duty status as dispatch sees it.
    #[serde(default)]
    pub courier_status: Option<String>,
    /// Figures of the shift summary: `{ delivered = 2, failed = 1, delivered_on_time = 2 }`.
    #[serde(default)]
    pub shift_summary: BTreeMap<String, f64>,
    /// Kinds of after-sales cases on the server, in order (`exception:merchant_delay`, ...).
    #[serde(default)]
    pub after_sales_kinds: Option<Vec<String>>,
    /// Texts the server sent to a task's customer: `{ F1 = ["您的骑手已到达门口。"] }`.
    #[serde(default)]
    pub server_messages: BTreeMap<String, Vec<String>>,
    /// Whether the task's customer data is wiped from the phone: `{ F1 = true }`.
    #[serde(default)]
    pub customer_data_purged: BTreeMap<String, bool>,
    /// Whether the server's drop-off pin of a task is a courier's correction: `{ F2 = true }`.
    #[serde(default)]
    pub server_pin_corrected: BTreeMap<String, bool>,
    /// The pickup ready time the phone shows, as an offset from the start: `{ F1 = "+40m" }`.
    #[serde(default)]
    pub pickup_ready_at: BTreeMap<String, String>,
    /// Order of task ids of the planned route's stops (a task appears once per stop).
    #[serde(default)]
    pub route: Option<Vec<String>>,
    /// A handoff's progress as `confirmed/expected`: `{ G1 = "1/2" }`.
    #[serde(default)]
    pub scan_progress: BTreeMap<String, String>,
    /// Names of the items still to confirm at a task's current handoff.
    #[serde(default)]
    pub missing_items: BTreeMap<String, Vec<String>>,
    /// Labels of required checklist items still to do: `{ "F1.pickup" = ["Seal intact"] }`
    /// (`shift.start_of_shift` for the shift's checklist).
    #[serde(default)]
    pub checklist_missing: BTreeMap<String, Vec<String>>,
    /// The template version a task's checklist uses: `{ "F1.dropoff" = 1 }`.
    #[serde(default)]
    pub checklist_version: BTreeMap<String, i64>,
    /// The phone's KPIs over the last 30 days: `{ on_time_rate = 0.5, deliveries = 4 }` (a
    /// figure that is not computed is -1).
    #[serde(default)]
    pub kpi: BTreeMap<String, f64>,
    /// The same figures as the server computes them over the same 30 days.
    #[serde(default)]
    pub server_kpi: BTreeMap<String, f64>,
    /// Whether the phone's and the server's 30-day KPIs are identical.
    #[serde(default)]
    pub kpi_agree: Option<bool>,
    /// Ratings on the phone (ids, newest first).
    #[serde(default)]
    pub ratings: Option<Vec<String>>,
    /// Appeal status of ratings on the phone: `{ R1 = "upheld" }` (`none` if not appealed).
    #[serde(default)]
    pub appeal: BTreeMap<String, String>,
    /// Parts of a task's evidence bundle that must not be empty: `{ F1 = ["answers", "scans"] }`
    /// (`timeline`, `scans`, `answers`, `attachments`, `checklists`).
    #[serde(default)]
    pub evidence_has: BTreeMap<String, Vec<String>>,
    /// Status of after-sales cases on the server, keyed `task.kind` (the newest case of that
    /// kind about the task): `{ "F1.late" = "waiting_for_courier" }`.
    #[serde(default)]
    pub case_status: BTreeMap<String, String>,
    /// The team that owns a case: `{ "F1.late" = "complaints" }`.
    #[serde(default)]
    pub case_team: BTreeMap<String, String>,
    /// Whom a confirmed order error counts against: `{ "F1.wrong_item" = "courier" }`
    /// (`merchant`, or `none`).
    #[serde(default)]
    pub case_fault: BTreeMap<String, String>,
    /// Whether a case missed a deadline: `{ "F1.late" = true }`.
    #[serde(default)]
    pub case_breached: BTreeMap<String, bool>,
    /// The events of a case's history, in order: `{ "F1.late" = ["opened", "ask_courier"] }`.
    #[serde(default)]
    pub case_events: BTreeMap<String, Vec<String>>,
    /// The task a case's resolution created: `{ "F1.return_request" = "F1-R" }` (`none`).
    #[serde(default)]
    pub case_follow_up: BTreeMap<String, String>,
    /// The platform's case figures: `{ cases = 2, breached = 1, complaints_per_100 = 50 }`
    /// (`cases`, `breached`, `complaints_per_100`, `within_deadline`, `satisfaction`,
    /// `return_turnaround_p50_s`; a figure that is not computed is -1).
    #[serde(default)]
    pub case_figures: BTreeMap<String, f64>,
    /// Order errors confirmed after the door counted against each courier: `{ ann = 1 }`.
    #[serde(default)]
    pub courier_order_errors: BTreeMap<String, u64>,
    /// Tasks whose confirmed order error counts against the merchant, in order.
    #[serde(default)]
    pub merchant_order_errors: Option<Vec<String>>,
    /// The kind of tasks on the server: `{ "F1-R" = "return_pickup" }`.
    #[serde(default)]
    pub server_kind: BTreeMap<String, String>,
    /// Deliveries that carried the newest recall's batch, as the server lists them, and
    /// whether each was delivered: `{ M1 = true, M2 = false }` (exactly these).
    #[serde(default)]
    pub recalled: Option<BTreeMap<String, bool>>,
    /// Status of cases on the courier's phone, keyed `task.kind`: `{ "F1.late" = "acknowledged" }`
    /// (`none`: the phone does not have it).
    #[serde(default)]
    pub phone_case_status: BTreeMap<String, String>,
    /// Recalls on the phone (lifted ones included).
    #[serde(default)]
    pub phone_recalls: Option<u64>,
    /// The server's status of the offer whose first task is the key (`open`, `accepted`,
    /// `declined`, `expired`, `withdrawn`), as of the step's time.
    #[serde(default)]
    pub offer_status: BTreeMap<String, String>,
    /// The phone's state of the offer whose first task is the key (`open`, `accept_sent`,
    /// `decline_sent`, `accepted`, `declined`, `expired`, `refused`, `withdrawn`; `none` when
    /// the phone does not hold it).
    #[serde(default)]
    pub phone_offer: BTreeMap<String, String>,
    /// The promised times accepting the offer (by its first task) would put at risk on the
    /// phone, as `task.role` (`["A1.dropoff", "S1.dropoff"]`), in visiting order.
    #[serde(default)]
    pub offer_at_risk: BTreeMap<String, Vec<String>>,
    /// The platform's offer figures: `offered`, `accepted`, `declined`, `expired`,
    /// `withdrawn`, `open`, `acceptance_rate`, and `decline.<reason>` counts.
    #[serde(default)]
    pub offer_figures: BTreeMap<String, f64>,
    /// Text the shift bar's box line contains (`"box 7/10"`; `""`: no box shown).
    #[serde(default)]
    pub box_load: Option<String>,
    /// The phone's earnings total of the day or week holding now, minor units, confirmed and
    /// expected together: `{ day = 1761, week = 9132 }`.
    #[serde(default)]
    pub earnings_total: BTreeMap<String, i64>,
    /// Of which still expected (computed on the phone, not yet confirmed): `{ week = 0 }`.
    #[serde(default)]
    pub earnings_expected: BTreeMap<String, i64>,
    /// The server's statement total of the day or week holding now: `{ week = 9132 }`.
    #[serde(default)]
    pub server_earnings_total: BTreeMap<String, i64>,
    /// Whether an incentive programme is met this week, by the phone's progress:
    /// `{ week5 = true }`.
    #[serde(default)]
    pub incentive_met: BTreeMap<String, bool>,
    /// A pay line on the phone this week: `{ "pay:F1:base" = "confirmed" }` (`expected`,
    /// `confirmed`, `pending`, `upheld`, `rejected` for an appealed one, `none`).
    #[serde(default)]
    pub pay_line: BTreeMap<String, String>,
    /// Texts the open earnings page shows (its period, totals, lines, incentive progress and
    /// verdicts): each is found in one of them.
    #[serde(default)]
    pub earnings_shows: Vec<String>,
    /// Where the courier stands with training modules on the phone: `{ cold-chain =
    /// "qualified" }` (`not_taken`, `failed`, `passed_awaiting_sync`, `qualified`,
    /// `expires_soon`, `expired`, `replaced`; `none`: the module is not on the phone).
    #[serde(default)]
    pub training_state: BTreeMap<String, String>,
    /// The modules the server records a pass of the courier for, in order.
    #[serde(default)]
    pub server_qualifications: Option<Vec<String>>,
    /// The step's courier's cash hand-ins as the server reconciled them, newest first:
    /// `"<balance> <difference> <currency>"` (`"short -5.00 CNY"`).
    #[serde(default)]
    pub cash_hand_ins: Option<Vec<String>>,
    /// The tasks of the step's courier whose cash at the door was not the amount due, on the
    /// server.
    #[serde(default)]
    pub door_discrepancies: Option<Vec<String>>,
    /// The compartment of each task's locker drop-off on the server: `{ P1 = "B07" }`.
    #[serde(default)]
    pub locker_compartment: BTreeMap<String, String>,
    /// Who holds a task on the server: `{ P1 = "bob" }`.
    #[serde(default)]
    pub holder: BTreeMap<String, String>,
    /// Who holds a task's goods as the phone knows it (`mine`, `incoming`, `handed_over`):
    /// `{ P1 = "incoming" }`.
    #[serde(default)]
    pub custody: BTreeMap<String, String>,
    /// The task's handovers on the phone, `seq:status`, oldest first as the evidence bundle
    /// carries them: `{ P1 = ["1:completed"] }`.
    #[serde(default)]
    pub chain_of_custody: BTreeMap<String, Vec<String>>,
}

/// A follow-up a `case` step's resolution orders (`[step.follow_up]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpSpec {
    /// `redelivery`, `return_pickup` or `exchange`.
    pub kind: runsheet_protocol::FollowUpKind,
    /// The new task's id.
    pub task: String,
    /// Its courier (absent: unassigned).
    #[serde(default)]
    pub courier: Option<String>,
    /// Items to deliver (empty: the original task's).
    #[serde(default)]
    pub items: Vec<runsheet_protocol::ItemDoc>,
    /// Exchange: items taken back (empty: the original task's).
    #[serde(default)]
    pub take_back: Vec<runsheet_protocol::ItemDoc>,
    /// The promised time, an offset from the start (`"+3h"`).
    #[serde(default)]
    pub due: Option<String>,
}

/// `[[step]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// When, as an offset from the start (`"+12m"`, `"+90s"`, `"+1h30m"`); non-decreasing.
    pub at: Spanned<String>,
    /// The action (see docs/scenarios.md).
    #[serde(rename = "do")]
    pub action: Spanned<String>,
    /// Whose phone (default: the only courier).
    #[serde(default)]
    pub courier: Option<Spanned<String>>,
    /// The task acted on.
    #[serde(default)]
    pub task: Option<Spanned<String>>,
    /// For `network`.
    #[serde(default)]
    pub network: Option<Spanned<NetworkSpec>>,
    /// For `set_token`: `"valid"` (the phone's own token again), `"fresh"` (a new token
    /// dispatch issues, as at a new shift's sign-in) or `"invalid"`.
    #[serde(default)]
    pub token: Option<Spanned<String>>,
    /// For `skew`: the device clock's offset, `"-2h"`.
    #[serde(default)]
    pub skew: Option<Spanned<String>>,
    /// For `reassign`: the courier who takes the task.
    #[serde(default)]
    pub to: Option<Spanned<String>>,
    /// For `move`: which stop of `task` to ride to, `"pickup"` or `"dropoff"`.
    #[serde(default)]
    pub stop: Option<Spanned<String>>,
    /// For `move`: speed in metres per second (default 4, an e-bike).
    #[serde(default)]
    pub speed_mps: Option<f64>,
    /// For `move`: GPS noise, metres (seeded; default 0).
    #[serde(default)]
    pub noise_m: Option<f64>,
    /// For `move`: wild fixes 2 km off the track (GPS multipath; default 0).
    #[serde(default)]
    pub jumps: Option<u32>,
    /// For `move`: seconds spent at the stop after arriving, still reporting fixes (default 30).
    #[serde(default)]
    pub dwell_s: Option<i64>,
    /// For `arrive`: why the arrival is confirmed by hand. For `report`: the exception reason
    /// (`customer_unreachable`, `merchant_delay`, ...).
    #[serde(default)]
    pub reason: Option<Spanned<String>>,
    /// For `report`: the courier's note. For `withdraw_offer`: dispatch's reason.
    #[serde(default)]
    pub note: Option<String>,
    /// For `report`: how many photos to attach (files the harness writes).
    #[serde(default)]
    pub photos: Option<u32>,
    /// For `report` (merchant delay): the new ready time, an offset from the start.
    #[serde(default)]
    pub ready_at: Option<Spanned<String>>,
    /// For `tap`: the label of the action on the current screen (`"确认送达"`), in the
    /// scenario's locale; with `task`, the action must act on that task.
    #[serde(default)]
    pub tap: Option<Spanned<String>>,
    /// For `tap`: the kind of action instead of its label (`deliver`, `accept`, `show_task`,
    /// ...: see docs/scenarios.md), language-neutral.
    #[serde(default)]
    pub offer: Option<Spanned<String>>,
    /// For `tap`: the screen must refuse the tap (not offered, or blocked); nothing changes.
    #[serde(default)]
    pub refused: bool,
    /// For `tap`: the refusal's sentence contains this (implies `refused`). For
    /// `assign_handover` and `take_handover`: the server's refusal code (`handover_to_self`,
    /// ...).
    #[serde(default)]
    pub refusal: Option<Spanned<String>>,
    /// For `tap` on a merchant delay report: minutes until the goods are ready.
    #[serde(default)]
    pub ready_in_min: Option<u32>,
    /// For `resolve`: the permission the courier grants (`camera`, `location`,
    /// `background_location`, `notifications`).
    #[serde(default)]
    pub grant: Option<Spanned<String>>,
    /// For `resolve`: the permission the courier refuses.
    #[serde(default)]
    pub deny: Option<Spanned<String>>,
    /// For `resolve`: answer the last capture the core asked for: `photo` (the harness writes
    /// a small image file), `signature`, or `cancel`.
    #[serde(default)]
    pub take: Option<Spanned<String>>,
    /// For `contact`: whether the customer answered (default false).
    #[serde(default)]
    pub answered: Option<bool>,
    /// For `contact`: `call` (default) or `message`.
    #[serde(default)]
    pub channel: Option<Spanned<String>>,
    /// For `message`: `arriving_in`, `at_the_door`, `left_at_reception`, `left_at_door`.
    #[serde(default)]
    pub template: Option<Spanned<String>>,
    /// For `correct_pin`: the door's latitude.
    #[serde(default)]
    pub lat: Option<f64>,
    /// For `correct_pin`: the door's longitude.
    #[serde(default)]
    pub lon: Option<f64>,
    /// For `shift`: `start`, `break_start`, `break_end` or `end`.
    #[serde(default)]
    pub event: Option<Spanned<String>>,
    /// For `scan`: the scanner's text (`\u001d` for FNC1).
    #[serde(default)]
    pub code: Option<String>,
    /// For `scan`: the symbology the scanner reported (`gs1_128`, `qr_code`, ...; default
    /// unknown).
    #[serde(default)]
    pub symbology: Option<Spanned<String>>,
    /// For `scan`: the outcome it must have (`confirmed`, `duplicate`, `repeat`, `other_task`,
    /// `not_mine`, `unreadable`, `expired`); for a burst, the first scan's.
    #[serde(default)]
    pub outcome: Option<Spanned<String>>,
    /// For `publish_settings`: the platform's settings (keys left out take their defaults).
    #[serde(default)]
    pub settings: Option<runsheet_protocol::Settings>,
    /// For `publish_checklist`: the template (id, stage, kinds, items).
    #[serde(default)]
    pub checklist: Option<runsheet_protocol::ChecklistTemplate>,
    /// For `answer`: which checklist (`start_of_shift`, `pickup`, `dropoff`, `failure`).
    #[serde(default)]
    pub stage: Option<Spanned<String>>,
    /// For `answer`: the answer (true/false, a number, a choice or text); photos and
    /// signatures are files the harness writes (`photos = 1`, `value = "signed"`).
    #[serde(default)]
    pub value: Option<toml::Value>,
    /// For `rate_courier`, `appeal`, `decide_appeal`: the rating's id.
    #[serde(default)]
    pub rating: Option<String>,
    /// For `rate_courier` (`customer`, `merchant`, `platform`) and `rate` (`merchant`,
    /// `dropoff`): who rates / what is rated.
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    /// For `rate_courier` and `rate`: 1 to 5 stars.
    #[serde(default)]
    pub stars: Option<u8>,
    /// For `rate_courier` and `rate`: tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// For `decide_appeal`: whether the appeal is upheld.
    #[serde(default)]
    pub upheld: Option<bool>,
    /// For `handoff`: what the check must say (`verified`, `wrong`, `locked`).
    #[serde(default)]
    pub result: Option<Spanned<String>>,
    /// For `scan`: how many times the camera reports the code at once (default 1).
    #[serde(default)]
    pub burst: Option<u32>,
    /// For `confirm_item`: the manifest item's code.
    #[serde(default)]
    pub item: Option<String>,
    /// For `update`: the task's new pickup stop.
    #[serde(default)]
    pub pickup: Option<StopSpec>,
    /// For `update`: the task's new drop-off stop.
    #[serde(default)]
    pub dropoff: Option<StopSpec>,
    /// For `complain`, `case` and `answer_case`: the case's kind (`late`, `wrong_item`, ...;
    /// `complain` takes only the kinds a customer opens).
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    /// For `case`: the step dispatch takes (`acknowledge`, `ask_courier`, `resolve`, `reject`,
    /// `close`, `reopen`); `note` is its note, `stars` the customer's rating on `close`.
    #[serde(default)]
    pub case: Option<Spanned<String>>,
    /// For `case` with `case = "resolve"`: the work the resolution creates.
    #[serde(default)]
    pub follow_up: Option<FollowUpSpec>,
    /// For `recall`: the batch dispatch recalls (`gtin`, `batch`, `expiry_from`, `expiry_to`,
    /// `reason`).
    #[serde(default)]
    pub recall: Option<runsheet_protocol::NewRecall>,
    /// The typed error the action must return (`"Offline"`, `"NotAllowed"`, ...).
    #[serde(default)]
    pub expect_error: Option<Spanned<String>>,
    /// The action may fail without failing the scenario (flaky networks).
    #[serde(default)]
    pub allow_error: bool,
    /// For `expect`.
    #[serde(default)]
    pub expect: Option<ExpectSpec>,
    /// For `offer`: the other tasks of a stack (`task` is the first).
    #[serde(default)]
    pub stack: Vec<Spanned<String>>,
    /// For `offer`: seconds the courier has to answer (default: the platform's, 30).
    #[serde(default)]
    pub expires_in_s: Option<u32>,
    /// For `tip`: the amount as dispatch types it, a decimal text (`"5.50"`; `kind` is `tip`
    /// or `adjustment`, default `tip`).
    #[serde(default)]
    pub amount: Option<String>,
    /// For `tip`: the line's id (default `tip-<task>`).
    #[serde(default)]
    pub line: Option<String>,
    /// For `tip`: the error code dispatch must refuse it with (`invalid`, `other_currency`).
    #[serde(default)]
    pub refused_with: Option<String>,
    /// For `publish_training`: the module (id, title, pages, quiz, pass mark, what it gates,
    /// validity).
    #[serde(default)]
    pub training: Option<runsheet_protocol::TrainingModule>,
    /// For `take_quiz`: the module's id.
    #[serde(default)]
    pub module: Option<Spanned<String>>,
    /// For `take_quiz`: one choice index per question, from 0.
    #[serde(default)]
    pub answers: Option<Vec<u32>>,
    /// For `take_quiz`: the version answered (default: the one on the phone).
    #[serde(default)]
    pub version: Option<i64>,
    /// For `assign`, `reassign`, `offer` and `withdraw_offer`: the dispatcher's refusal the
    /// server must answer (`not_qualified`, `offer_not_open`); nothing is assigned, offered or
    /// withdrawn.
    #[serde(default)]
    pub dispatch_refusal: Option<Spanned<String>>,
    /// For a `tap` of `collect_cash`: the cash collected, as the courier types it ("50").
    #[serde(default)]
    pub collected: Option<String>,
    /// For a `tap` of `collect_cash`: the change given, as typed.
    #[serde(default)]
    pub change: Option<String>,
    /// For a `tap` of `hand_in_cash`: the cash handed in, as typed.
    #[serde(default)]
    pub handed: Option<String>,
    /// For a `tap` of `locker_drop`: the compartment scanned (the locker's label is `code`).
    #[serde(default)]
    pub compartment: Option<String>,
    /// For `nearby_handovers`: the tasks of the open handover requests listed near (`lat`,
    /// `lon`), nearest first (empty: none).
    #[serde(default)]
    pub nearby: Option<Vec<String>>,
}

/// A whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    /// `[scenario]`.
    pub scenario: Header,
    /// `[[courier]]`.
    #[serde(default)]
    pub courier: Vec<CourierDoc>,
    /// `[[task]]`.
    #[serde(default)]
    pub task: Vec<TaskSpec>,
    /// `[[step]]`.
    #[serde(default)]
    pub step: Vec<StepSpec>,
}

/// The actions a step can take.
pub const ACTIONS: &[&str] = &[
    "sync",
    "deliver",
    "kill_app",
    "network",
    "set_token",
    "skew",
    "kill_server",
    "restart_server",
    "assign",
    "cancel",
    "reassign",
    "update",
    "move",
    "accept",
    "arrive",
    "pick_up",
    "complete",
    "report",
    "return",
    "contact",
    "message",
    "correct_pin",
    "shift",
    "purge",
    "scan",
    "confirm_item",
    "handoff",
    "publish_checklist",
    "accept_pin_corrections",
    "publish_settings",
    "answer",
    "rate_courier",
    "decide_appeal",
    "rate",
    "appeal",
    "tap",
    "resolve",
    "refresh",
    "complain",
    "case",
    "recall",
    "answer_case",
    "set_aside",
    "expect",
    "offer",
    "withdraw_offer",
    "tip",
    "decide_pay_appeal",
    "publish_training",
    "take_quiz",
    "assign_handover",
    "nearby_handovers",
    "take_handover",
];

/// The kinds of action a `tap` step can name with `offer` (an offer's kind on the screen).
pub const OFFER_KINDS: &[&str] = &[
    "show_tasks",
    "show_task",
    "show_scan",
    "show_checklist",
    "show_problem",
    "show_ratings",
    "show_kpis",
    "back",
    "sign_in",
    "sync_now",
    "set_language",
    "start_shift",
    "start_break",
    "end_break",
    "end_shift",
    "accept",
    "arrive_manually",
    "pick_up",
    "deliver",
    "return",
    "proof_photo",
    "signature",
    "handoff_code",
    "call",
    "record_call",
    "message",
    "map",
    "problem_photo",
    "report",
    "camera",
    "scan",
    "item_photo",
    "confirm_item",
    "answer",
    "checklist_photo",
    "rate",
    "appeal",
    "show_cases",
    "show_case",
    "answer_case",
    "set_aside",
    "show_offers",
    "accept_offer",
    "decline_offer",
    "show_earnings",
    "appeal_pay",
    "show_training",
    "show_module",
    "start_quiz",
    "choose",
    "submit_quiz",
    "show_review",
    "collect_cash",
    "hand_in_cash",
    "locker_drop",
    "open_nearby_handovers",
    "refresh_nearby_handovers",
    "take_handover",
    "allow_location",
];

/// The steps a `case` step takes (`CaseCommand`'s).
pub const CASE_STEPS: &[&str] = &[
    "acknowledge",
    "ask_courier",
    "resolve",
    "reject",
    "close",
    "reopen",
];

/// Permissions a `resolve` step grants or denies.
pub const PERMISSIONS: &[&str] = &["camera", "location", "background_location", "notifications"];

/// What a `resolve` step's `take` answers a capture with.
pub const TAKES: &[&str] = &["photo", "signature", "cancel"];

/// The languages a scenario's screens can be in.
pub const LOCALES: &[&str] = &["en", "zh-CN"];

/// Scan outcomes a `scan` step can expect.
pub const OUTCOMES: &[&str] = &[
    "confirmed",
    "duplicate",
    "repeat",
    "other_task",
    "not_mine",
    "unreadable",
    "expired",
    "wrong_temperature",
    "recalled",
];

/// Symbologies a `scan` step can name.
pub const SYMBOLOGIES: &[&str] = &[
    "unknown",
    "ean8",
    "ean13",
    "upc_a",
    "upc_e",
    "itf",
    "code128",
    "gs1_128",
    "code39",
    "data_matrix",
    "gs1_data_matrix",
    "qr_code",
    "gs1_qr",
    "gs1_data_bar",
    "pdf417",
    "aztec",
];

/// Exception reasons a `report` step takes.
pub const REASONS: &[&str] = &[
    "customer_unreachable",
    "wrong_address",
    "customer_refused",
    "goods_damaged",
    "merchant_delay",
    "vehicle_breakdown",
    "accident",
];

/// Message templates a `message` step takes.
pub const TEMPLATES: &[&str] = &[
    "arriving_in",
    "at_the_door",
    "left_at_reception",
    "left_at_door",
];

/// Shift events a `shift` step takes.
pub const SHIFT_EVENTS: &[&str] = &["start", "break_start", "break_end", "end"];

/// The typed errors an action can return (the FFI's `RunsheetError` variants).
pub const ERRORS: &[&str] = &[
    "NotFound",
    "NotAllowed",
    "Blocked",
    "InvalidArgument",
    "Offline",
    "AuthRequired",
    "SyncFailed",
    "Storage",
    "IncompatibleVersion",
    "CaseNotFound",
    "CaseSettled",
    "ModuleNotFound",
    "ModuleReplaced",
];

/// A checked scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its file.
    pub file: PathBuf,
    /// The file's text (for line numbers in reports).
    pub source: String,
    /// The parsed document.
    pub doc: ScenarioDoc,
    /// Start time, Unix seconds.
    pub start: i64,
    /// Each step's time, seconds from the start.
    pub step_offsets: Vec<i64>,
    /// The phones' language (`en` unless the file says otherwise).
    pub locale: String,
}

impl Scenario {
    /// The 1-based line of a byte offset in the file.
    pub fn line_of(&self, offset: usize) -> usize {
        line_of(&self.source, offset)
    }
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// Parses a duration offset: `+12m`, `90s`, `+1h30m`, `-2h` (seconds).
pub fn parse_offset(s: &str) -> Option<i64> {
    let t = s.trim();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
    }
    if !num.is_empty() {
        return None;
    }
    Some(sign * total)
}

/// Reads and checks one scenario file.
pub fn load(file: &Path) -> Result<Scenario, ScenarioError> {
    let source = std::fs::read_to_string(file).map_err(|e| ScenarioError {
        file: file.to_path_buf(),
        line: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(file, source)
}

/// Checks a scenario given as text (`file` names it in reports).
pub fn parse(file: &Path, source: String) -> Result<Scenario, ScenarioError> {
    let err = |line: usize, message: String| ScenarioError {
        file: file.to_path_buf(),
        line,
        message,
    };
    let doc: ScenarioDoc = toml::from_str(&source).map_err(|e| {
        let line = e.span().map(|s| line_of(&source, s.start)).unwrap_or(0);
        err(line, e.message().trim().to_owned())
    })?;
    let at = |sp: std::ops::Range<usize>| line_of(&source, sp.start);

    let start = match doc.scenario.start.get_ref() {
        toml::Value::Integer(i) => *i,
        toml::Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.timestamp())
            .map_err(|e| {
                err(
                    at(doc.scenario.start.span()),
                    format!("start {s:?} is not an RFC 3339 time: {e}"),
                )
            })?,
        toml::Value::Datetime(d) => chrono::DateTime::parse_from_rfc3339(&d.to_string())
            .map(|d| d.timestamp())
            .map_err(|e| {
                err(
                    at(doc.scenario.start.span()),
                    format!("start needs a date, a time and a UTC offset: {e}"),
                )
            })?,
        _ => {
            return Err(err(
                at(doc.scenario.start.span()),
                "start must be an RFC 3339 time or Unix seconds".into(),
            ))
        }
    };

    let locale = match &doc.scenario.locale {
        Some(l) if !LOCALES.contains(&l.get_ref().as_str()) => {
            return Err(err(
                at(l.span()),
                format!(
                    "unknown locale {:?} (known: {})",
                    l.get_ref(),
                    LOCALES.join(", ")
                ),
            ))
        }
        Some(l) => l.get_ref().clone(),
        None => "en".to_owned(),
    };

    let couriers: HashSet<&str> = doc.courier.iter().map(|c| c.id.as_str()).collect();
    if couriers.is_empty() {
        return Err(err(0, "a scenario needs at least one [[courier]]".into()));
    }
    let mut tasks: HashSet<&str> = HashSet::new();
    for t in &doc.task {
        if !tasks.insert(t.id.get_ref()) {
            return Err(err(
                at(t.id.span()),
                format!("task {:?} is defined twice", t.id.get_ref()),
            ));
        }
        if !couriers.contains(t.courier.get_ref().as_str()) {
            return Err(err(
                at(t.courier.span()),
                format!("no courier {:?} is defined", t.courier.get_ref()),
            ));
        }
        if t.kind != TaskKind::Parcel && t.pickup.is_none() {
            return Err(err(
                at(t.id.span()),
                format!(
                    "task {:?}: a {} task needs a pickup stop",
                    t.id.get_ref(),
                    t.kind.as_str()
                ),
            ));
        }
        for stop in t
            .pickup
            .iter()
            .chain(std::iter::once(&t.dropoff))
            .chain(t.return_to.iter())
        {
            for time in stop
                .ready_at
                .iter()
                .chain(stop.due_by.iter())
                .chain(stop.not_before.iter())
            {
                if parse_offset(time.get_ref()).is_none() {
                    return Err(err(
                        at(time.span()),
                        format!("{:?} is not a time offset like \"+25m\"", time.get_ref()),
                    ));
                }
            }
        }
    }

    // Tasks a case's resolution creates are the file's tasks too (steps may act on them).
    for f in doc.step.iter().filter_map(|s| s.follow_up.as_ref()) {
        tasks.insert(f.task.as_str());
    }

    let mut step_offsets = Vec::with_capacity(doc.step.len());
    let mut last = i64::MIN;
    for (i, step) in doc.step.iter().enumerate() {
        let n = i + 1;
        let off = parse_offset(step.at.get_ref()).ok_or_else(|| {
            err(
                at(step.at.span()),
                format!(
                    "step {n}: {:?} is not a time offset like \"+12m\"",
                    step.at.get_ref()
                ),
            )
        })?;
        if off < last {
            return Err(err(
                at(step.at.span()),
                format!(
                    "step {n}: time goes backwards ({} is earlier than the step before it)",
                    step.at.get_ref()
                ),
            ));
        }
        last = off;
        step_offsets.push(off);
        let action = step.action.get_ref().as_str();
        if !ACTIONS.contains(&action) {
            return Err(err(
                at(step.action.span()),
                format!(
                    "step {n}: unknown action {action:?} (known: {})",
                    ACTIONS.join(", ")
                ),
            ));
        }
        if let Some(c) = &step.courier {
            if !couriers.contains(c.get_ref().as_str()) {
                return Err(err(
                    at(c.span()),
                    format!("step {n}: no courier {:?} is defined", c.get_ref()),
                ));
            }
        } else if couriers.len() > 1
            && !matches!(
                action,
                "kill_server"
                    | "restart_server"
                    | "expect"
                    | "cancel"
                    | "reassign"
                    | "assign"
                    | "accept_pin_corrections"
                    | "complain"
                    | "case"
                    | "recall"
                    | "offer"
                    | "withdraw_offer"
                    | "publish_training"
                    | "assign_handover"
            )
        {
            return Err(err(
                at(step.action.span()),
                format!("step {n}: several couriers are defined; say whose phone with courier = \"...\""),
            ));
        }
        let needs_task = matches!(
            action,
            "deliver"
                | "assign"
                | "cancel"
                | "reassign"
                | "update"
                | "move"
                | "accept"
                | "arrive"
                | "pick_up"
                | "complete"
                | "report"
                | "return"
                | "contact"
                | "message"
                | "correct_pin"
                | "scan"
                | "confirm_item"
                | "handoff"
                | "rate_courier"
                | "rate"
                | "complain"
                | "case"
                | "answer_case"
                | "set_aside"
                | "offer"
                | "withdraw_offer"
                | "tip"
                | "assign_handover"
                | "take_handover"
        );
        match (&step.task, needs_task) {
            (Some(t), _) if !tasks.contains(t.get_ref().as_str()) => {
                return Err(err(
                    at(t.span()),
                    format!("step {n}: no task {:?} is defined", t.get_ref()),
                ))
            }
            (None, true) => {
                return Err(err(
                    at(step.action.span()),
                    format!("step {n}: {action} needs task = \"...\""),
                ))
            }
            _ => {}
        }
        let one_of = |v: &Option<Spanned<String>>,
                      known: &[&str],
                      what: &str|
         -> Result<(), ScenarioError> {
            match v {
                Some(x) if !known.contains(&x.get_ref().as_str()) => Err(err(
                    at(x.span()),
                    format!(
                        "step {n}: unknown {what} {:?} (known: {})",
                        x.get_ref(),
                        known.join(", ")
                    ),
                )),
                _ => Ok(()),
            }
        };
        let need = |field: bool, what: &str| -> Result<(), ScenarioError> {
            if field {
                Ok(())
            } else {
                Err(err(
                    at(step.action.span()),
                    format!("step {n}: {action} needs {what}"),
                ))
            }
        };
        match action {
            "network" => {
                need(
                    step.network.is_some(),
                    "network = \"offline\", \"online\" or { flaky = 0.3 }",
                )?;
                if let Some(nw) = &step.network {
                    let ok = match nw.get_ref() {
                        NetworkSpec::Mode(m) => m == "offline" || m == "online",
                        NetworkSpec::Flaky { flaky } => (0.0..=1.0).contains(flaky),
                    };
                    if !ok {
                        return Err(err(at(nw.span()), format!("step {n}: network must be \"offline\", \"online\" or {{ flaky = 0..1 }}")));
                    }
                }
            }
            "set_token" => {
                need(
                    step.token.is_some(),
                    "token = \"valid\", \"fresh\" or \"invalid\"",
                )?;
                if let Some(t) = &step.token {
                    if !["valid", "fresh", "invalid"].contains(&t.get_ref().as_str()) {
                        return Err(err(
                            at(t.span()),
                            format!("step {n}: token must be \"valid\", \"fresh\" or \"invalid\""),
                        ));
                    }
                }
            }
            "skew" => {
                need(step.skew.is_some(), "skew = \"-2h\"")?;
                if let Some(s) = &step.skew {
                    if parse_offset(s.get_ref()).is_none() {
                        return Err(err(
                            at(s.span()),
                            format!("step {n}: {:?} is not an offset like \"-2h\"", s.get_ref()),
                        ));
                    }
                }
            }
            "reassign" | "assign_handover" => {
                need(step.to.is_some(), "to = \"courier id\"")?;
                if let Some(to) = &step.to {
                    if !couriers.contains(to.get_ref().as_str()) {
                        return Err(err(
                            at(to.span()),
                            format!("step {n}: no courier {:?} is defined", to.get_ref()),
                        ));
                    }
                }
            }
            "expect" => need(step.expect.is_some(), "an [step.expect] table")?,
            "arrive" => need(
                step.reason.is_some(),
                "reason = \"why GPS did not detect it\"",
            )?,
            "report" => {
                need(
                    step.reason.is_some(),
                    "reason = \"customer_unreachable\" (or another)",
                )?;
                one_of(&step.reason, REASONS, "reason")?;
                if let Some(r) = &step.ready_at {
                    if parse_offset(r.get_ref()).is_none() {
                        return Err(err(
                            at(r.span()),
                            format!(
                                "step {n}: {:?} is not a time offset like \"+40m\"",
                                r.get_ref()
                            ),
                        ));
                    }
                }
            }
            "contact" => one_of(&step.channel, &["call", "message"], "channel")?,
            "message" => {
                need(
                    step.template.is_some(),
                    "template = \"arriving_in\" (or another)",
                )?;
                one_of(&step.template, TEMPLATES, "template")?;
            }
            "correct_pin" => need(
                step.lat.is_some() && step.lon.is_some(),
                "lat = .. and lon = ..",
            )?,
            "shift" => {
                need(
                    step.event.is_some(),
                    "event = \"start\" (or break_start, break_end, end)",
                )?;
                one_of(&step.event, SHIFT_EVENTS, "event")?;
            }
            "update" => need(
                step.pickup.is_some() || step.dropoff.is_some(),
                "pickup = {...} or dropoff = {...}",
            )?,
            "move" => {
                need(step.stop.is_some(), "stop = \"pickup\" or \"dropoff\"")?;
                let task = doc
                    .task
                    .iter()
                    .find(|t| Some(t.id.get_ref()) == step.task.as_ref().map(|x| x.get_ref()));
                if let (Some(stop), Some(task)) = (&step.stop, task) {
                    let ok = match stop.get_ref().as_str() {
                        "dropoff" => true,
                        "pickup" => task.pickup.is_some(),
                        _ => false,
                    };
                    if !ok {
                        return Err(err(
                            at(stop.span()),
                            format!("step {n}: stop must be \"dropoff\" or a pickup the task has"),
                        ));
                    }
                }
                if step.speed_mps.is_some_and(|v| !(v > 0.0 && v < 100.0)) {
                    return Err(err(
                        at(step.action.span()),
                        format!("step {n}: speed_mps must be between 0 and 100"),
                    ));
                }
                if step.noise_m.is_some_and(|v| !(0.0..1000.0).contains(&v)) {
                    return Err(err(
                        at(step.action.span()),
                        format!("step {n}: noise_m must be 0 to 1000"),
                    ));
                }
            }
            "tap" => {
                need(
                    step.tap.is_some() || step.offer.is_some(),
                    "tap = \"the label on the screen\" or offer = \"deliver\" (or another kind)",
                )?;
                one_of(&step.offer, OFFER_KINDS, "offer kind")?;
                if let Some(t) = step.tap.as_ref().filter(|t| t.get_ref().trim().is_empty()) {
                    return Err(err(
                        at(t.span()),
                        format!(
                            "step {n}: tap needs the label the screen shows, not an empty text"
                        ),
                    ));
                }
            }
            "complain" | "case" | "answer_case" => {
                need(step.kind.is_some(), "kind = \"late\" (the case's kind)")?;
                if let Some(k) = &step.kind {
                    let kind = runsheet_protocol::CaseKind::parse(k.get_ref());
                    let ok = match action {
                        "complain" => kind.is_some_and(|k| k.opened_by_customer()),
                        _ => kind.is_some(),
                    };
                    if !ok {
                        return Err(err(
                            at(k.span()),
                            format!("step {n}: {:?} is no case kind {action} takes", k.get_ref()),
                        ));
                    }
                }
                match action {
                    "case" => {
                        need(step.case.is_some(), "case = \"resolve\" (or another step)")?;
                        one_of(&step.case, CASE_STEPS, "case step")?;
                        if step.follow_up.is_some()
                            && step.case.as_ref().map(|c| c.get_ref().as_str()) != Some("resolve")
                        {
                            return Err(err(
                                at(step.action.span()),
                                format!("step {n}: follow_up belongs to case = \"resolve\""),
                            ));
                        }
                        if let Some(due) = step.follow_up.as_ref().and_then(|f| f.due.as_ref()) {
                            if parse_offset(due).is_none() {
                                return Err(err(
                                    at(step.action.span()),
                                    format!("step {n}: follow_up.due {due:?} is not an offset like \"+3h\""),
                                ));
                            }
                        }
                    }
                    _ => need(
                        step.note.as_ref().is_some_and(|t| !t.trim().is_empty()),
                        "note = \"what the customer or the courier says\"",
                    )?,
                }
            }
            "recall" => need(
                step.recall.is_some(),
                "recall = { gtin = \"...\", batch = \"...\", reason = \"...\" }",
            )?,
            "set_aside" => need(step.item.is_some(), "item = \"the manifest item's code\"")?,
            "offer" => {
                for t in &step.stack {
                    if !tasks.contains(t.get_ref().as_str()) {
                        return Err(err(
                            at(t.span()),
                            format!("step {n}: no task {:?} is defined", t.get_ref()),
                        ));
                    }
                }
                if step.stack.len() > 2 {
                    return Err(err(
                        at(step.action.span()),
                        format!("step {n}: an offer is one task or a stack of two or three"),
                    ));
                }
            }
            "tip" => need(
                step.amount.is_some(),
                "amount = \"5.50\" (a decimal text in the platform's currency)",
            )?,
            "decide_pay_appeal" => need(
                step.line.is_some() && step.upheld.is_some(),
                "line = \"pay:F1:distance\" and upheld = true or false",
            )?,
            "publish_training" => need(
                step.training.is_some(),
                "training = { id = \"cold-chain\", title = \"...\", pages = [...], quiz = [...], pass_mark_pct = 75 }",
            )?,
            "take_quiz" => need(
                step.module.is_some() && step.answers.is_some(),
                "module = \"cold-chain\" and answers = [0, 1, 2]",
            )?,
            "nearby_handovers" => need(
                step.lat.is_some() && step.lon.is_some() && step.nearby.is_some(),
                "lat = 30.27, lon = 120.15 and nearby = [\"F1\"]",
            )?,
            "resolve" => {
                let given = [&step.grant, &step.deny, &step.take]
                    .iter()
                    .filter(|f| f.is_some())
                    .count();
                if given != 1 {
                    return Err(err(
                        at(step.action.span()),
                        format!("step {n}: resolve needs exactly one of grant = \"camera\", deny = \"camera\" or take = \"photo\""),
                    ));
                }
                one_of(&step.grant, PERMISSIONS, "permission")?;
                one_of(&step.deny, PERMISSIONS, "permission")?;
                one_of(&step.take, TAKES, "capture answer")?;
            }
            _ => {}
        }
        if action != "tap" {
            let stray = [
                (&step.tap, "tap"),
                (&step.offer, "offer"),
                (
                    if action == "assign_handover" || action == "take_handover" {
                        &None
                    } else {
                        &step.refusal
                    },
                    "refusal",
                ),
            ]
            .into_iter()
            .find_map(|(f, name)| f.as_ref().map(|f| (f.span(), name)));
            if let Some((span, name)) = stray {
                return Err(err(
                    at(span),
                    format!("step {n}: {name} belongs to a tap step (do = \"tap\")"),
                ));
            }
            if step.refused {
                return Err(err(
                    at(step.action.span()),
                    format!("step {n}: refused belongs to a tap step (do = \"tap\")"),
                ));
            }
        }
        if let Some(r) = &step.dispatch_refusal {
            if !matches!(action, "assign" | "reassign" | "offer" | "withdraw_offer") {
                return Err(err(
                    at(r.span()),
                    format!(
                        "step {n}: dispatch_refusal belongs to an assign, reassign, offer or \
                         withdraw_offer step"
                    ),
                ));
            }
        }
        if action != "resolve" {
            let stray = [
                (&step.grant, "grant"),
                (&step.deny, "deny"),
                (&step.take, "take"),
            ]
            .into_iter()
            .find_map(|(f, name)| f.as_ref().map(|f| (f.span(), name)));
            if let Some((span, name)) = stray {
                return Err(err(
                    at(span),
                    format!("step {n}: {name} belongs to a resolve step (do = \"resolve\")"),
                ));
            }
        }
        if let Some(x) = &step.expect {
            let named = x
                .primary
                .keys()
                .chain(x.enabled.keys())
                .chain(x.why.keys())
                .chain(x.status_text.keys())
                .chain(x.lateness.keys());
            for id in named {
                if !tasks.contains(id.as_str()) {
                    return Err(err(
                        at(step.action.span()),
                        format!("step {n}: the expectation names no task {id:?} the file defines"),
                    ));
                }
            }
            for p in x.asked.iter().flatten() {
                if !PERMISSIONS.contains(&p.as_str()) {
                    return Err(err(
                        at(step.action.span()),
                        format!(
                            "step {n}: asked names an unknown permission {p:?} (known: {})",
                            PERMISSIONS.join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some(e) = &step.expect_error {
            if !ERRORS.contains(&e.get_ref().as_str()) {
                return Err(err(
                    at(e.span()),
                    format!(
                        "step {n}: unknown error {:?} (known: {})",
                        e.get_ref(),
                        ERRORS.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(Scenario {
        file: file.to_path_buf(),
        source,
        doc,
        start,
        step_offsets,
        locale,
    })
}

/// Turns a stop of the file into a protocol stop, resolving time offsets against `start`.
pub fn stop_doc(s: &StopSpec, start: i64) -> StopDoc {
    let time = |t: &Option<Spanned<String>>| {
        t.as_ref()
            .and_then(|t| parse_offset(t.get_ref()))
            .map(|o| start + o)
    };
    StopDoc {
        name: s.name.clone(),
        address: s.address.clone(),
        phone: s.phone.clone(),
        lat: s.lat,
        lon: s.lon,
        ready_at: time(&s.ready_at),
        due_by: time(&s.due_by),
        not_before: time(&s.not_before),
        pin_corrected: false,
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, parse_offset};

    const HEAD: &str = "[scenario]\nname = \"x\"\nstart = 0\n\n[[courier]]\nid = \"a\"\n\n[[task]]\nid = \"T1\"\ncourier = \"a\"\nkind = \"parcel\"\ndropoff = { name = \"c\", lat = 1.0, lon = 2.0 }\n\n";

    /// The line and message of the error `text` gives.
    fn refused(text: &str) -> (usize, String) {
        let e = parse(std::path::Path::new("bad.toml"), text.to_owned()).expect_err(text);
        assert!(e.to_string().starts_with(&format!("bad.toml:{}:", e.line)));
        (e.line, e.message)
    }

    #[test]
    fn screen_steps_and_expectations_parse() {
        let text = format!(
            "{HEAD}[[step]]\nat = \"+1m\"\ndo = \"tap\"\ntap = \"确认送达\"\ntask = \"T1\"\n\n[[step]]\nat = \"+1m\"\ndo = \"tap\"\noffer = \"deliver\"\ntask = \"T1\"\nrefusal = \"当前页面\"\n\n[[step]]\nat = \"+2m\"\ndo = \"resolve\"\ngrant = \"camera\"\n\n[[step]]\nat = \"+2m\"\ndo = \"resolve\"\ntake = \"photo\"\n\n[[step]]\nat = \"+25m\"\ndo = \"expect\"\n[step.expect]\nprimary = {{ T1 = \"确认送达\" }}\nenabled = {{ T1 = true }}\nnotified = [\"站点可能超时\"]\nbanner = \"无网络\"\nverdict = \"核对成功\"\nasked = [\"camera\"]\n"
        );
        let s = parse(std::path::Path::new("ok.toml"), text).unwrap();
        assert_eq!(s.locale, "en", "English unless the file says");
        let x = s.doc.step[4].expect.as_ref().unwrap();
        assert_eq!(x.primary["T1"], "确认送达");
        assert_eq!(
            x.notified.as_deref(),
            Some(&["站点可能超时".to_string()][..])
        );
        let zh = HEAD.replace("start = 0\n", "start = 0\nlocale = \"zh-CN\"\n");
        assert_eq!(
            parse(std::path::Path::new("zh.toml"), zh).unwrap().locale,
            "zh-CN"
        );
    }

    #[test]
    fn bad_screen_steps_are_refused_with_their_line() {
        let step = |body: &str| format!("{HEAD}[[step]]\nat = \"+1m\"\n{body}");
        // The step's `do` is on line 16 of these files.
        let cases: Vec<(&str, String, usize, &str)> = vec![
            (
                "unknown locale",
                HEAD.replace("start = 0\n", "start = 0\nlocale = \"fr\"\n"),
                4,
                "unknown locale \"fr\" (known: en, zh-CN)",
            ),
            (
                "tap without a label or kind",
                step("do = \"tap\"\ntask = \"T1\"\n"),
                16,
                "tap needs tap = ",
            ),
            (
                "empty label",
                step("do = \"tap\"\ntap = \" \"\n"),
                17,
                "not an empty text",
            ),
            (
                "unknown offer kind",
                step("do = \"tap\"\noffer = \"teleport\"\n"),
                17,
                "unknown offer kind \"teleport\"",
            ),
            (
                "tap on an unknown task",
                step("do = \"tap\"\ntap = \"接单\"\ntask = \"T9\"\n"),
                18,
                "no task \"T9\"",
            ),
            (
                "refusal on a sync step",
                step("do = \"sync\"\nrefusal = \"no\"\n"),
                17,
                "refusal belongs to a tap step",
            ),
            (
                "refused on a sync step",
                step("do = \"sync\"\nrefused = true\n"),
                16,
                "refused belongs to a tap step",
            ),
            (
                "label on a sync step",
                step("do = \"sync\"\ntap = \"接单\"\n"),
                17,
                "tap belongs to a tap step",
            ),
            (
                "resolve with nothing",
                step("do = \"resolve\"\n"),
                16,
                "exactly one of grant",
            ),
            (
                "resolve with two answers",
                step("do = \"resolve\"\ngrant = \"camera\"\ndeny = \"camera\"\n"),
                16,
                "exactly one of grant",
            ),
            (
                "unknown permission",
                step("do = \"resolve\"\ngrant = \"telepathy\"\n"),
                17,
                "unknown permission \"telepathy\"",
            ),
            (
                "unknown capture answer",
                step("do = \"resolve\"\ntake = \"video\"\n"),
                17,
                "unknown capture answer \"video\"",
            ),
            (
                "grant on a tap step",
                step("do = \"tap\"\ntap = \"接单\"\ngrant = \"camera\"\n"),
                18,
                "grant belongs to a resolve step",
            ),
            (
                "screen expectation on an unknown task",
                step("do = \"expect\"\n[step.expect]\nprimary = { T9 = \"接单\" }\n"),
                16,
                "no task \"T9\"",
            ),
            (
                "unknown permission asked",
                step("do = \"expect\"\n[step.expect]\nasked = [\"camera\", \"microphone\"]\n"),
                16,
                "unknown permission \"microphone\"",
            ),
            (
                "the old can_deliver",
                step("do = \"expect\"\n[step.expect]\ncan_deliver = { T1 = false }\n"),
                18,
                "unknown field `can_deliver`",
            ),
            (
                "enabled not a boolean",
                step("do = \"expect\"\n[step.expect]\nenabled = { T1 = \"yes\" }\n"),
                18,
                "invalid type",
            ),
            (
                "minutes not a number",
                step("do = \"tap\"\ntap = \"商家出餐慢\"\nready_in_min = \"soon\"\n"),
                18,
                "invalid type",
            ),
        ];
        for (what, text, line, needle) in cases {
            let (l, message) = refused(&text);
            assert_eq!(l, line, "{what}: {message}");
            assert!(message.contains(needle), "{what}: {message}");
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+12m"), Some(720));
        assert_eq!(parse_offset("90s"), Some(90));
        assert_eq!(parse_offset("+1h30m"), Some(5400));
        assert_eq!(parse_offset("-2h"), Some(-7200));
        assert_eq!(parse_offset("+0m"), Some(0));
        for bad in ["", "+", "12", "5x", "m", "+1h30", "tomorrow"] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }
}
