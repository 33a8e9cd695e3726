//! The courier's workflow over FFI: actions with their guards, the primary action per task and
//! for the shift, the grouped task list, exceptions, customer contact, the shift, the route and
//! navigation hints. Types mirror the core's; the logic stays in the core.

use runsheet_core as core;

use crate::{CourierTask, Runsheet, RunsheetError};

/// Which stop of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StopRole {
    /// Merchant, depot, or (return pickups) the customer.
    Pickup,
    /// Where the goods go.
    Dropoff,
    /// Where failed goods go back.
    Return,
}

impl From<core::StopRole> for StopRole {
    fn from(r: core::StopRole) -> Self {
        match r {
            core::StopRole::Pickup => StopRole::Pickup,
            core::StopRole::Dropoff => StopRole::Dropoff,
            core::StopRole::Return => StopRole::Return,
        }
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Step {
    /// Go on duty.
    StartShift,
    /// End the break.
    EndBreak,
    /// Accept the task.
    Accept,
    /// Arrive at the pickup (GPS detects it; blocked arrivals can be confirmed by hand).
    ArrivePickup,
    /// Arrive at the drop-off.
    ArriveDropoff,
    /// Arrive at the return stop.
    ArriveReturn,
    /// Take the goods.
    PickUp,
    /// Hand them over.
    Deliver,
    /// Bring failed goods back.
    Return,
    /// Nothing open: go off duty.
    EndShift,
    /// Nothing to do until dispatch assigns work.
    WaitForTasks,
}

impl From<core::Step> for Step {
    fn from(s: core::Step) -> Self {
        use core::Step as S;
        match s {
            S::StartShift => Step::StartShift,
            S::EndBreak => Step::EndBreak,
            S::Accept => Step::Accept,
            S::Arrive(core::StopRole::Pickup) => Step::ArrivePickup,
            S::Arrive(core::StopRole::Dropoff) => Step::ArriveDropoff,
            S::Arrive(core::StopRole::Return) => Step::ArriveReturn,
            S::PickUp => Step::PickUp,
            S::Deliver => Step::Deliver,
            S::Return => Step::Return,
            S::EndShift => Step::EndShift,
            S::WaitForTasks => Step::WaitForTasks,
        }
    }
}

/// Something that must happen first.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Blocker {
    /// Stable code (`not_arrived`, `contact_attempts_needed`, `wait_at_door`, ...).
    pub code: String,
    /// What to do, in words for the courier.
    pub text: String,
}

impl From<core::Blocker> for Blocker {
    fn from(b: core::Blocker) -> Self {
        Blocker {
            code: b.code().into(),
            text: b.message(),
        }
    }
}

/// The one primary action: the shell shows one button with `label`, disabled while `blockers`
/// is not empty (an `ArrivePickup`/`ArriveDropoff` blocked by `not_arrived` offers a manual
/// arrival with a reason instead).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NextAction {
    /// The task (`None` for shift steps).
    pub task_id: Option<String>,
    /// What to do.
    pub step: Step,
    /// The button's words.
    pub label: String,
    /// Why it is disabled.
    pub blockers: Vec<Blocker>,
}

impl From<core::NextAction> for NextAction {
    fn from(n: core::NextAction) -> Self {
        NextAction {
            task_id: n.task_id,
            label: n.step.label().into(),
            step: n.step.into(),
            blockers: n.blockers.into_iter().map(Into::into).collect(),
        }
    }
}

/// Groups of the task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TaskGroup {
    /// Act now.
    Now,
    /// The following stops.
    Next,
    /// The rest of the open work.
    Later,
    /// Finished today.
    DoneToday,
}

/// One line of the grouped list.
#[derive(Clone, uniffi::Record)]
pub struct TaskListEntry {
    /// The task, with its primary action.
    pub task: CourierTask,
    /// Its group.
    pub group: TaskGroup,
    /// Position of its next stop on the planned route (0: the next stop).
    pub route_position: Option<u32>,
}

/// The grouped task list.
#[derive(Clone, uniffi::Record)]
pub struct TaskList {
    /// Now, next, later, done today; by planned order within a group.
    pub entries: Vec<TaskListEntry>,
    /// How many in "now".
    pub now_count: u32,
    /// How many in "next".
    pub next_count: u32,
    /// How many in "later".
    pub later_count: u32,
    /// How many done today.
    pub done_today_count: u32,
}

/// Why a delivery or pickup did not go as planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ExceptionReason {
    /// Contact attempts made and the wait timer ran out (fails the delivery).
    CustomerUnreachable,
    /// Wrong or incomplete address (fails the delivery).
    WrongAddress,
    /// The customer refused (fails the delivery).
    CustomerRefused,
    /// Damaged goods, with a photo (fails the delivery).
    GoodsDamaged,
    /// Food not ready: give the new ready time.
    MerchantDelay,
    /// The vehicle broke down.
    VehicleBreakdown,
    /// An accident or safety issue, with a photo.
    Accident,
    /// A checklist answer outside the procedure (raised by the core itself).
    ChecklistBreach,
}

impl From<ExceptionReason> for core::ExceptionReason {
    fn from(r: ExceptionReason) -> Self {
        use core::ExceptionReason as R;
        match r {
            ExceptionReason::CustomerUnreachable => R::CustomerUnreachable,
            ExceptionReason::WrongAddress => R::WrongAddress,
            ExceptionReason::CustomerRefused => R::CustomerRefused,
            ExceptionReason::GoodsDamaged => R::GoodsDamaged,
            ExceptionReason::MerchantDelay => R::MerchantDelay,
            ExceptionReason::VehicleBreakdown => R::VehicleBreakdown,
            ExceptionReason::Accident => R::Accident,
            ExceptionReason::ChecklistBreach => R::ChecklistBreach,
        }
    }
}

/// How the courier tried to reach the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ContactChannel {
    /// A call to the masked number.
    Call,
    /// A message.
    Message,
}

/// Messages to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MessageTemplate {
    /// "Arriving in about N min" (the live ETA).
    ArrivingIn,
    /// "At your door".
    AtTheDoor,
    /// "Left at reception".
    LeftAtReception,
    /// "Left at your door".
    LeftAtDoor,
}

impl From<MessageTemplate> for core::MessageTemplate {
    fn from(t: MessageTemplate) -> Self {
        match t {
            MessageTemplate::ArrivingIn => core::MessageTemplate::ArrivingIn,
            MessageTemplate::AtTheDoor => core::MessageTemplate::AtTheDoor,
            MessageTemplate::LeftAtReception => core::MessageTemplate::LeftAtReception,
            MessageTemplate::LeftAtDoor => core::MessageTemplate::LeftAtDoor,
        }
    }
}

/// Shift state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ShiftState {
    /// Not working.
    OffDuty,
    /// Working.
    OnDuty,
    /// On a break.
    OnBreak,
}

impl From<core::ShiftState> for ShiftState {
    fn from(s: core::ShiftState) -> Self {
        match s {
            core::ShiftState::OffDuty => ShiftState::OffDuty,
            core::ShiftState::OnDuty => ShiftState::OnDuty,
            core::ShiftState::OnBreak => ShiftState::OnBreak,
        }
    }
}

/// Start- and end-of-shift figures.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ShiftSummary {
    /// State now.
    pub state: ShiftState,
    /// Shift start, Unix seconds.
    pub started_at: Option<i64>,
    /// Shift end, once ended.
    pub ended_at: Option<i64>,
    /// Tasks open now.
    pub open_tasks: u32,
    /// Projected end of the open work, Unix seconds.
    pub expected_finish: Option<i64>,
    /// Delivered this shift.
    pub delivered: u32,
    /// Of which on time.
    pub delivered_on_time: u32,
    /// Failed deliveries.
    pub failed: u32,
    /// Cancelled by dispatch.
    pub cancelled: u32,
    /// Metres ridden.
    pub distance_m: f64,
    /// Breaks taken.
    pub breaks: u32,
    /// Seconds on breaks.
    pub break_seconds: i64,
    /// Order-error events at handoffs (wrong bag, foreign item, expired goods offered).
    pub order_errors: u32,
    /// Share of required checklist items done within the procedure before their stage's
    /// transition (0..1; `None` before any checklist applied).
    pub sop_compliance: Option<f64>,
}

/// Lateness risk against a promised time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Risk {
    /// With margin.
    OnTime,
    /// Within 5 minutes of the promise.
    AtRisk,
    /// After it.
    Late,
}

impl From<core::hint::Risk> for Risk {
    fn from(r: core::hint::Risk) -> Self {
        match r {
            core::hint::Risk::OnTime => Risk::OnTime,
            core::hint::Risk::AtRisk => Risk::AtRisk,
            core::hint::Risk::Late => Risk::Late,
        }
    }
}

/// A stop on the planned route.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PlannedStop {
    /// The task.
    pub task_id: String,
    /// Which of its stops.
    pub role: StopRole,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// Projected start of service, Unix seconds.
    pub eta: i64,
    /// Promised time.
    pub due_by: Option<i64>,
    /// Projected risk.
    pub risk: Option<Risk>,
}

impl From<core::PlannedStop> for PlannedStop {
    fn from(s: core::PlannedStop) -> Self {
        PlannedStop {
            task_id: s.task_id,
            role: s.role.into(),
            lat: s.lat,
            lon: s.lon,
            eta: s.eta,
            due_by: s.due_by,
            risk: s.risk.map(Into::into),
        }
    }
}

/// The planned route and the shift's projection.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RoutePlan {
    /// Stops in order.
    pub stops: Vec<PlannedStop>,
    /// Projected finish of the open work, Unix seconds.
    pub projected_finish: Option<i64>,
    /// Stops projected late or at risk.
    pub at_risk: u32,
}

/// A deep link that opens a maps app at the stop, in the datum that app expects.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NavigationLink {
    /// `google`, `apple`, `waze`, `amap` or `baidu`.
    pub app: String,
    /// The URL to open.
    pub url: String,
}

/// The hint for the stop the courier is heading to.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NextStopHint {
    /// The stop.
    pub stop: PlannedStop,
    /// Straight-line distance from the last fix, metres.
    pub distance_m: Option<f64>,
    /// Bearing, degrees from north.
    pub bearing_deg: Option<f64>,
    /// Bearing in words ("north-east").
    pub compass: Option<String>,
    /// ETA from the last fix, Unix seconds.
    pub eta: Option<i64>,
    /// Risk against the promise from that ETA.
    pub risk: Option<Risk>,
    /// Maps apps to hand the navigation to.
    pub links: Vec<NavigationLink>,
}

/// How precise the location must be now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LocationAccuracy {
    /// Stop location updates.
    Off,
    /// Cell/Wi-Fi, slow.
    Coarse,
    /// Balanced power.
    Balanced,
    /// GPS, fast.
    Fine,
}

/// The location request the shell applies to its provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct LocationRequest {
    /// Accuracy class.
    pub accuracy: LocationAccuracy,
    /// Seconds between fixes (0 when off).
    pub interval_seconds: u32,
}

/// One entry of a task's timeline.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TimelineEvent {
    /// `accept`, `arrive`, `pick_up`, `delivered`, `fail`, `contact_attempt`, ...
    pub kind: String,
    /// Device time, Unix seconds.
    pub at: i64,
    /// The action as JSON.
    pub detail_json: String,
    /// Server minus device clock when recorded.
    pub clock_offset_seconds: Option<i64>,
    /// Latitude, if known.
    pub lat: Option<f64>,
    /// Longitude, if known.
    pub lon: Option<f64>,
}

fn converted<T>(r: core::Result<T>) -> Result<T, RunsheetError> {
    r.map_err(Into::into)
}

#[uniffi::export]
impl Runsheet {
    /// Accepts a task.
    pub fn accept(&self, task_id: String) -> Result<(), RunsheetError> {
        converted(self.inner.accept(&task_id)).map(drop)
    }

    /// Confirms arrival at the task's current stop by hand, with a reason (GPS arrivals are
    /// recorded by the core from `record_location`).
    pub fn arrive_manually(&self, task_id: String, reason: String) -> Result<(), RunsheetError> {
        converted(self.inner.arrive_manually(&task_id, &reason)).map(drop)
    }

    /// The goods are in the box.
    pub fn pick_up(&self, task_id: String) -> Result<(), RunsheetError> {
        converted(self.inner.pick_up(&task_id)).map(drop)
    }

    /// Reports an exception with a note and photo hashes (from `attach_file`); a merchant
    /// delay carries the new ready time. Reasons that end the delivery start the return leg.
    pub fn report_exception(
        &self,
        task_id: String,
        reason: ExceptionReason,
        note: Option<String>,
        photo_hashes: Vec<String>,
        new_ready_at: Option<i64>,
    ) -> Result<(), RunsheetError> {
        converted(self.inner.report_exception(
            &task_id,
            reason.into(),
            note,
            photo_hashes,
            new_ready_at,
        ))
        .map(drop)
    }

    /// The failed goods are back at the merchant or depot.
    pub fn mark_returned(&self, task_id: String) -> Result<(), RunsheetError> {
        converted(self.inner.mark_returned(&task_id)).map(drop)
    }

    /// Moves the drop-off pin to the real door (WGS-84), for the next courier too.
    pub fn correct_pin(&self, task_id: String, lat: f64, lon: f64) -> Result<(), RunsheetError> {
        converted(self.inner.correct_pin(&task_id, lat, lon)).map(drop)
    }

    /// Records a call or message to the masked number.
    pub fn record_contact_attempt(
        &self,
        task_id: String,
        channel: ContactChannel,
        answered: bool,
    ) -> Result<(), RunsheetError> {
        let channel = match channel {
            ContactChannel::Call => core::ContactChannel::Call,
            ContactChannel::Message => core::ContactChannel::Message,
        };
        converted(
            self.inner
                .record_contact_attempt(&task_id, channel, answered),
        )
        .map(drop)
    }

    /// The template's text filled now (preview before sending).
    pub fn message_text(
        &self,
        task_id: String,
        template: MessageTemplate,
    ) -> Result<String, RunsheetError> {
        converted(self.inner.message_text(&task_id, template.into()))
    }

    /// Queues the filled message; the server sends it through the masked channel.
    pub fn send_message(
        &self,
        task_id: String,
        template: MessageTemplate,
    ) -> Result<(), RunsheetError> {
        converted(self.inner.send_message(&task_id, template.into())).map(drop)
    }

    /// The task's primary action (`None` once finished).
    pub fn next_action(&self, task_id: String) -> Result<Option<NextAction>, RunsheetError> {
        Ok(converted(self.inner.next_action(&task_id))?.map(Into::into))
    }

    /// The shift's primary action (start shift, end break, the next stop's action, end shift).
    pub fn shift_next_action(&self) -> Result<NextAction, RunsheetError> {
        Ok(converted(self.inner.shift_next_action())?.into())
    }

    /// The grouped task list (now, next, later, done today) in planned order.
    pub fn task_list(&self) -> Result<TaskList, RunsheetError> {
        let l = converted(self.inner.task_list())?;
        Ok(TaskList {
            now_count: l.now,
            next_count: l.next,
            later_count: l.later,
            done_today_count: l.done_today,
            entries: l
                .entries
                .into_iter()
                .map(|e| TaskListEntry {
                    group: match e.group {
                        core::Group::Now => TaskGroup::Now,
                        core::Group::Next => TaskGroup::Next,
                        core::Group::Later => TaskGroup::Later,
                        core::Group::DoneToday => TaskGroup::DoneToday,
                    },
                    route_position: e.route_position,
                    task: CourierTask::with_next(e.task, e.next),
                })
                .collect(),
        })
    }

    /// The task's timeline (arrivals, actions, contact attempts, exceptions), oldest first.
    pub fn timeline(&self, task_id: String) -> Result<Vec<TimelineEvent>, RunsheetError> {
        Ok(converted(self.inner.timeline(&task_id))?
            .into_iter()
            .map(|e| TimelineEvent {
                kind: e.kind,
                at: e.at,
                detail_json: e.detail,
                clock_offset_seconds: e.clock_offset_s,
                lat: e.location.map(|l| l.lat),
                lon: e.location.map(|l| l.lon),
            })
            .collect())
    }

    /// Goes on duty.
    pub fn start_shift(&self) -> Result<(), RunsheetError> {
        converted(self.inner.start_shift()).map(drop)
    }

    /// Starts a break.
    pub fn start_break(&self) -> Result<(), RunsheetError> {
        converted(self.inner.start_break()).map(drop)
    }

    /// Ends the break.
    pub fn end_break(&self) -> Result<(), RunsheetError> {
        converted(self.inner.end_break()).map(drop)
    }

    /// Goes off duty (refused while goods are in the box).
    pub fn end_shift(&self) -> Result<(), RunsheetError> {
        converted(self.inner.end_shift()).map(drop)
    }

    /// The shift's figures.
    pub fn shift_summary(&self) -> Result<ShiftSummary, RunsheetError> {
        let s = converted(self.inner.shift_summary())?;
        Ok(ShiftSummary {
            state: s.state.into(),
            started_at: s.started_at,
            ended_at: s.ended_at,
            open_tasks: s.open_tasks,
            expected_finish: s.expected_finish,
            delivered: s.delivered,
            delivered_on_time: s.delivered_on_time,
            failed: s.failed,
            cancelled: s.cancelled,
            distance_m: s.distance_m,
            breaks: s.breaks,
            break_seconds: s.break_s,
            order_errors: s.order_errors,
            sop_compliance: s.sop_compliance,
        })
    }

    /// The planned route with projected times and risks.
    pub fn route(&self) -> Result<RoutePlan, RunsheetError> {
        let r = converted(self.inner.route())?;
        Ok(RoutePlan {
            at_risk: r.at_risk().len() as u32,
            projected_finish: r.finish,
            stops: r.stops.into_iter().map(Into::into).collect(),
        })
    }

    /// Distance, direction, ETA and risk to the next stop, with maps deep links.
    pub fn next_stop_hint(&self) -> Result<Option<NextStopHint>, RunsheetError> {
        let Some(h) = converted(self.inner.next_stop_hint())? else {
            return Ok(None);
        };
        let label = format!("{} {}", h.stop.task_id, h.stop.role.as_str());
        let links = core::geo::MapApp::ALL
            .iter()
            .map(|&app| NavigationLink {
                app: format!("{app:?}").to_lowercase(),
                url: core::geo::navigation_link(app, h.stop.lat, h.stop.lon, &label),
            })
            .collect();
        Ok(Some(NextStopHint {
            distance_m: h.hint.as_ref().map(|x| x.distance_m),
            bearing_deg: h.hint.as_ref().map(|x| x.bearing_deg),
            compass: h.hint.as_ref().map(|x| x.compass.to_owned()),
            eta: h.hint.as_ref().map(|x| x.eta),
            risk: h.hint.as_ref().and_then(|x| x.risk).map(Into::into),
            stop: h.stop.into(),
            links,
        }))
    }

    /// The location accuracy and interval to request now (saves battery far from stops).
    pub fn location_request(&self) -> Result<LocationRequest, RunsheetError> {
        let r = converted(self.inner.location_request())?;
        Ok(LocationRequest {
            accuracy: match r.accuracy {
                core::LocationAccuracy::Off => LocationAccuracy::Off,
                core::LocationAccuracy::Coarse => LocationAccuracy::Coarse,
                core::LocationAccuracy::Balanced => LocationAccuracy::Balanced,
                core::LocationAccuracy::Fine => LocationAccuracy::Fine,
            },
            interval_seconds: r.interval_s,
        })
    }

    /// Wipes customer data of tasks ended longer ago than the platform's retention; returns how
    /// many were purged (it also runs on open and after each sync).
    pub fn purge_customer_data(&self) -> Result<u32, RunsheetError> {
        converted(self.inner.purge_customer_data())
    }
}
