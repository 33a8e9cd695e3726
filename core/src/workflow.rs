//! The courier's workflow: which action comes next for each task and for the shift, and the
//! guards that refuse an action until what it needs is done, in words a shell can show.
//!
//! The status table itself ([`TaskStatus::after`]) lives in the protocol crate so the device and
//! the server agree on it; the guards here are the device's own (the server records facts, the
//! phone makes sure the courier followed the procedure before recording them).

use runsheet_protocol::{
    Action, ArrivalMethod, ContactChannel, ExceptionReason, MessageTemplate, Settings, ShiftEvent,
    StopRole, TaskStatus,
};
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::shift::ShiftState;
use crate::task::{self, Task};
use crate::timeline;
use runsheet_route::travel::distance_m;

/// Something that must happen before an action is allowed.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocker {
    /// GPS has not detected the arrival; the courier can confirm it by hand with a reason.
    NotArrived {
        /// Which stop.
        stop: StopRole,
        /// Straight-line distance from the last fix, metres, if one is known.
        distance_m: Option<f64>,
    },
    /// The courier is on a break.
    OnBreak,
    /// The shift has not started.
    ShiftNotStarted,
    /// Not enough unanswered contact attempts to call the customer unreachable.
    ContactAttemptsNeeded {
        /// Attempts made.
        made: u32,
        /// Attempts needed.
        needed: u32,
    },
    /// The wait timer at the door is still running.
    WaitAtDoor {
        /// When it runs out, Unix seconds.
        until: i64,
        /// Seconds left.
        seconds_left: i64,
    },
    /// The report needs at least one photo.
    PhotoRequired,
    /// The report or manual confirmation needs a reason or note.
    ReasonRequired,
    /// The courier must be at the drop-off first.
    NotAtDropoff,
    /// Goods are still in the box.
    GoodsOnBoard {
        /// Tasks with goods on board.
        tasks: u32,
    },
    /// The new ready time is not in the future.
    ReadyTimeNotInFuture,
    /// A merchant delay can only be reported before the goods are picked up.
    AlreadyPickedUp,
    /// Items of the handoff are not confirmed yet (scan them, or confirm by hand).
    ItemsNotConfirmed {
        /// Confirmed so far.
        confirmed: u32,
        /// Expected.
        expected: u32,
        /// Names of the missing items.
        missing: Vec<String>,
    },
    /// A manual confirmation needs a photo of the item (damaged label).
    PhotoOfItemRequired,
    /// Required checklist items of the stage are not done.
    ChecklistIncomplete {
        /// Which checklist.
        stage: runsheet_protocol::ChecklistStage,
        /// Labels of the missing items.
        missing: Vec<String>,
    },
    /// The window to appeal this rating has passed.
    AppealWindowClosed {
        /// Its length, hours.
        hours: u32,
    },
    /// The window to rate this task's stops has passed.
    RatingWindowClosed {
        /// Its length, hours.
        hours: u32,
    },
    /// The platform's proof of delivery is missing.
    ProofMissing {
        /// What it asks for.
        policy: runsheet_protocol::ProofPolicy,
    },
}

impl Blocker {
    /// A stable code for shells and QA scenarios.
    pub fn code(&self) -> &'static str {
        match self {
            Blocker::NotArrived { .. } => "not_arrived",
            Blocker::OnBreak => "on_break",
            Blocker::ShiftNotStarted => "shift_not_started",
            Blocker::ContactAttemptsNeeded { .. } => "contact_attempts_needed",
            Blocker::WaitAtDoor { .. } => "wait_at_door",
            Blocker::PhotoRequired => "photo_required",
            Blocker::ReasonRequired => "reason_required",
            Blocker::NotAtDropoff => "not_at_dropoff",
            Blocker::GoodsOnBoard { .. } => "goods_on_board",
            Blocker::ReadyTimeNotInFuture => "ready_time_not_in_future",
            Blocker::AlreadyPickedUp => "already_picked_up",
            Blocker::ItemsNotConfirmed { .. } => "items_not_confirmed",
            Blocker::PhotoOfItemRequired => "photo_of_item_required",
            Blocker::ChecklistIncomplete { .. } => "checklist_incomplete",
            Blocker::ProofMissing { .. } => "proof_missing",
            Blocker::AppealWindowClosed { .. } => "appeal_window_closed",
            Blocker::RatingWindowClosed { .. } => "rating_window_closed",
        }
    }

    /// What to do, in words a shell can show (no personal data).
    pub fn message(&self) -> String {
        match self {
            Blocker::NotArrived { stop, distance_m } => match distance_m {
                Some(d) => format!(
                    "GPS has not detected your arrival at {} ({} away); confirm it by hand with a reason",
                    stop.label(),
                    format_distance(*d)
                ),
                None => format!(
                    "GPS has not detected your arrival at {}; confirm it by hand with a reason",
                    stop.label()
                ),
            },
            Blocker::OnBreak => "you are on a break; end it first".into(),
            Blocker::ShiftNotStarted => "start your shift first".into(),
            Blocker::ContactAttemptsNeeded { made, needed } => format!(
                "try to reach the customer {needed} times first ({made} unanswered so far)"
            ),
            Blocker::WaitAtDoor { seconds_left, .. } => format!(
                "wait at the door {} more before reporting the customer unreachable",
                format_duration(*seconds_left)
            ),
            Blocker::PhotoRequired => "add at least one photo".into(),
            Blocker::ReasonRequired => "give a reason".into(),
            Blocker::NotAtDropoff => "get to the drop-off first".into(),
            Blocker::GoodsOnBoard { tasks } => format!(
                "{tasks} task(s) still have goods in your box; deliver or return them first"
            ),
            Blocker::ReadyTimeNotInFuture => "the new ready time must be in the future".into(),
            Blocker::AlreadyPickedUp => {
                "the goods are already picked up; a merchant delay no longer applies".into()
            }
            Blocker::ItemsNotConfirmed {
                confirmed,
                expected,
                missing,
            } => format!(
                "scan every item first: {confirmed} of {expected} confirmed, missing {}",
                missing.join(", ")
            ),
            Blocker::PhotoOfItemRequired => "add a photo of the item".into(),
            Blocker::ChecklistIncomplete { stage, missing } => format!(
                "complete the {} checklist: {}",
                stage.as_str().replace('_', " "),
                missing.join(", ")
            ),
            Blocker::AppealWindowClosed { hours } => {
                format!("ratings can be appealed within {hours} hours; this one is older")
            }
            Blocker::RatingWindowClosed { hours } => {
                format!("stops can be rated within {hours} hours after the task")
            }
            Blocker::ProofMissing { policy } => match policy {
                runsheet_protocol::ProofPolicy::Photo => "take a photo of the goods at the door",
                runsheet_protocol::ProofPolicy::Signature => "get the customer's signature",
                runsheet_protocol::ProofPolicy::Code => "check the customer's handoff code",
                runsheet_protocol::ProofPolicy::None => "give proof of delivery",
            }
            .into(),
        }
    }
}

/// What a refused action was, in words ("deliver task F1", "end the shift").
pub fn what(action: &str, task_id: &str) -> String {
    let verb = match action {
        "accept" => "accept",
        "arrive" => "confirm the arrival for",
        "pick_up" => "pick up",
        "delivered" => "deliver",
        "fail" | "report_exception" => "report this for",
        "returned" => "close the return of",
        "correct_pin" => "move the pin of",
        "confirm_item" => "confirm the item of",
        "shift" => return "change the shift".into(),
        "appeal" => "appeal the rating of",
        "rate_stop" => "rate the stops of",
        other => other,
    };
    format!("{verb} task {task_id}")
}

/// The blockers' messages joined for an error line.
pub fn join(blockers: &[Blocker]) -> String {
    blockers
        .iter()
        .map(Blocker::message)
        .collect::<Vec<_>>()
        .join("; ")
}

fn format_distance(m: f64) -> String {
    if m >= 1000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{} m", m.round() as i64)
    }
}

fn format_duration(s: i64) -> String {
    let s = s.max(0);
    if s >= 60 {
        format!("{} min", (s + 59) / 60)
    } else {
        format!("{s} s")
    }
}

/// The next step of a task or of the shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Go on duty.
    StartShift,
    /// End the break.
    EndBreak,
    /// Accept the task.
    Accept,
    /// Arrive at a stop (GPS detects it; a blocked arrival can be confirmed by hand).
    Arrive(StopRole),
    /// Take the goods.
    PickUp,
    /// Hand the goods over.
    Deliver,
    /// Bring the goods of a failed delivery back.
    Return,
    /// Nothing open: go off duty.
    EndShift,
    /// Nothing to do until dispatch assigns work.
    WaitForTasks,
}

impl Step {
    /// A stable code.
    pub fn code(self) -> &'static str {
        match self {
            Step::StartShift => "start_shift",
            Step::EndBreak => "end_break",
            Step::Accept => "accept",
            Step::Arrive(StopRole::Pickup) => "arrive_pickup",
            Step::Arrive(StopRole::Dropoff) => "arrive_dropoff",
            Step::Arrive(StopRole::Return) => "arrive_return",
            Step::PickUp => "pick_up",
            Step::Deliver => "deliver",
            Step::Return => "return",
            Step::EndShift => "end_shift",
            Step::WaitForTasks => "wait_for_tasks",
        }
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Step::StartShift => "Start shift",
            Step::EndBreak => "End break",
            Step::Accept => "Accept",
            Step::Arrive(StopRole::Pickup) => "Arrived at pickup",
            Step::Arrive(StopRole::Dropoff) => "Arrived at drop-off",
            Step::Arrive(StopRole::Return) => "Arrived at return stop",
            Step::PickUp => "Picked up",
            Step::Deliver => "Delivered",
            Step::Return => "Returned",
            Step::EndShift => "End shift",
            Step::WaitForTasks => "Waiting for orders",
        }
    }
}

/// The one primary action a shell shows as its button, with what blocks it.
#[derive(Debug, Clone, PartialEq)]
pub struct NextAction {
    /// The task it is about (`None` for shift steps).
    pub task_id: Option<String>,
    /// What to do.
    pub step: Step,
    /// Why the button is disabled, if it is.
    pub blockers: Vec<Blocker>,
}

/// The task's primary action, `None` when the task is finished. `last_fix` is the latest GPS
/// position, used to say how far an undetected arrival is.
pub fn next_for_task(
    t: &Task,
    shift: ShiftState,
    last_fix: Option<(f64, f64)>,
) -> Option<NextAction> {
    use TaskStatus::*;
    let step = match t.status {
        Assigned => Step::Accept,
        Accepted if t.pickup.is_some() => Step::Arrive(StopRole::Pickup),
        Accepted | PickedUp => Step::Arrive(StopRole::Dropoff),
        AtPickup => Step::PickUp,
        AtDropoff => Step::Deliver,
        Failed => Step::Return,
        Delivered | Returned | Cancelled => return None,
    };
    let mut blockers = Vec::new();
    if step == Step::Accept && shift == ShiftState::OnBreak {
        blockers.push(Blocker::OnBreak);
    }
    if let Step::Arrive(role) = step {
        let stop = if role == StopRole::Pickup {
            t.pickup.as_ref()
        } else {
            Some(&t.dropoff)
        };
        blockers.push(Blocker::NotArrived {
            stop: role,
            distance_m: stop
                .zip(last_fix)
                .map(|(s, f)| distance_m(f, (s.lat, s.lon))),
        });
    }
    Some(NextAction {
        task_id: Some(t.id.clone()),
        step,
        blockers,
    })
}

/// Adds what the stored scans and checklists say to a pick-up or delivery step: the items
/// still to confirm, the checklist items still to do, the proof still missing.
pub fn add_item_blockers(conn: &Connection, t: &Task, next: &mut NextAction) -> Result<()> {
    let stage = match next.step {
        Step::PickUp => Some(runsheet_protocol::ChecklistStage::Pickup),
        Step::Deliver => Some(runsheet_protocol::ChecklistStage::Dropoff),
        _ => None,
    };
    if let Some(stage) = stage {
        if let Some(list) = crate::checklist::checklist(conn, Some(t), stage)? {
            let missing = list.missing();
            if !missing.is_empty() {
                next.blockers
                    .push(Blocker::ChecklistIncomplete { stage, missing });
            }
        }
    }
    if next.step == Step::Deliver {
        if let Some(policy) = crate::checklist::proof_missing(conn, t, &[])? {
            next.blockers.push(Blocker::ProofMissing { policy });
        }
    }
    if matches!(next.step, Step::PickUp | Step::Deliver) {
        let p = crate::scan::confirm::progress(conn, t, crate::scan::confirm::stage_of(t))?;
        if !p.complete() {
            next.blockers.push(Blocker::ItemsNotConfirmed {
                confirmed: p.confirmed,
                expected: p.expected,
                missing: p.missing.iter().map(|i| i.name.clone()).collect(),
            });
        }
    }
    Ok(())
}

/// Checks the guards of `action` against the stored state; `Err(Blocked)` lists what is missing
/// and `Err(InvalidTransition)` says the workflow does not allow it at all.
pub fn check(
    conn: &Connection,
    action: &Action,
    settings: &Settings,
    shift: ShiftState,
    now: i64,
) -> Result<()> {
    let mut blockers = Vec::new();
    if let Action::Shift { event } = action {
        match (event, shift) {
            (ShiftEvent::Start, ShiftState::OffDuty) => {
                let stage = runsheet_protocol::ChecklistStage::StartOfShift;
                if let Some(list) = crate::checklist::checklist(conn, None, stage)? {
                    let missing = list.missing();
                    if !missing.is_empty() {
                        blockers.push(Blocker::ChecklistIncomplete { stage, missing });
                    }
                }
            }
            (ShiftEvent::BreakStart, ShiftState::OnDuty) => {}
            (ShiftEvent::BreakEnd, ShiftState::OnBreak) => {}
            (ShiftEvent::End, ShiftState::OnDuty | ShiftState::OnBreak) => {
                let on_board = task::list(conn)?
                    .iter()
                    .filter(|t| t.goods_on_board())
                    .count() as u32;
                if on_board > 0 {
                    blockers.push(Blocker::GoodsOnBoard { tasks: on_board });
                }
            }
            (_, ShiftState::OffDuty) => blockers.push(Blocker::ShiftNotStarted),
            (_, state) => {
                return Err(Error::InvalidArgument(format!(
                    "shift is {}; {} is not possible",
                    state.as_str(),
                    event.as_str()
                )))
            }
        }
        return blocked("", action, blockers);
    }
    if let Action::Answer { task_id: None, .. } = action {
        return Ok(()); // the start-of-shift checklist: no task to check against
    }
    let task_id = action.task_id();
    if task_id.is_empty() {
        return Err(Error::InvalidArgument("empty task id".into()));
    }
    let t = task::get(conn, task_id)?.ok_or_else(|| Error::TaskNotFound {
        task_id: task_id.to_owned(),
    })?;
    if t.status.after(action, t.pickup.is_some()).is_none() {
        return Err(Error::InvalidTransition {
            task_id: task_id.to_owned(),
            status: t.status,
            action: action.name(),
        });
    }
    match action {
        Action::Accept { .. } if shift == ShiftState::OnBreak => blockers.push(Blocker::OnBreak),
        Action::Arrive {
            method: ArrivalMethod::Manual,
            reason,
            ..
        } if reason.as_deref().is_none_or(|r| r.trim().is_empty()) => {
            blockers.push(Blocker::ReasonRequired)
        }
        Action::Fail { reason, photos, .. } | Action::ReportException { reason, photos, .. } => {
            if matches!(action, Action::Fail { .. }) {
                let stage = runsheet_protocol::ChecklistStage::Failure;
                if let Some(list) = crate::checklist::checklist(conn, Some(&t), stage)? {
                    let missing = list.missing();
                    if !missing.is_empty() {
                        blockers.push(Blocker::ChecklistIncomplete { stage, missing });
                    }
                }
            }
            if action.name() == "fail" && !reason.fails_delivery() {
                return Err(Error::InvalidArgument(format!(
                    "{} does not end a delivery; report it as an exception",
                    reason.as_str()
                )));
            }
            if action.name() == "report_exception" && reason.fails_delivery() {
                return Err(Error::InvalidArgument(format!(
                    "{} ends the delivery; report it as a failure",
                    reason.as_str()
                )));
            }
            match reason {
                ExceptionReason::CustomerUnreachable => {
                    if t.status != TaskStatus::AtDropoff
                        && !(t.kind == runsheet_protocol::TaskKind::ReturnPickup
                            && t.status == TaskStatus::AtPickup)
                    {
                        blockers.push(Blocker::NotAtDropoff);
                    } else {
                        let made = timeline::unanswered_attempts(conn, task_id)?;
                        let needed = settings.unreachable_min_attempts;
                        if made < needed {
                            blockers.push(Blocker::ContactAttemptsNeeded { made, needed });
                        }
                        let role = if t.status == TaskStatus::AtPickup {
                            "pickup"
                        } else {
                            "dropoff"
                        };
                        if let Some(arrived) = timeline::arrived_at(conn, task_id, role)? {
                            let until = arrived + i64::from(settings.unreachable_wait_s);
                            if now < until {
                                blockers.push(Blocker::WaitAtDoor {
                                    until,
                                    seconds_left: until - now,
                                });
                            }
                        }
                    }
                }
                ExceptionReason::GoodsDamaged | ExceptionReason::Accident if photos.is_empty() => {
                    blockers.push(Blocker::PhotoRequired)
                }
                ExceptionReason::MerchantDelay => {
                    if t.status.goods_on_board() || t.status == TaskStatus::Delivered {
                        blockers.push(Blocker::AlreadyPickedUp);
                    }
                    if let Action::ReportException { ready_at, .. } = action {
                        if ready_at.is_some_and(|r| r <= now) {
                            blockers.push(Blocker::ReadyTimeNotInFuture);
                        }
                    }
                }
                _ => {}
            }
        }
        Action::CorrectPin { lat, lon, .. } => {
            if !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon) {
                return Err(Error::InvalidArgument(
                    "the corrected pin's coordinates are out of range".into(),
                ));
            }
            if !matches!(t.status, TaskStatus::AtDropoff | TaskStatus::Delivered) {
                blockers.push(Blocker::NotAtDropoff);
            }
        }
        Action::SendMessage { text, .. } if text.trim().is_empty() => {
            return Err(Error::InvalidArgument("the message is empty".into()))
        }
        Action::PickUp { .. } | Action::Delivered { .. } => {
            let (cl_stage, proof) = match action {
                Action::Delivered { proof, .. } => {
                    (runsheet_protocol::ChecklistStage::Dropoff, Some(proof))
                }
                _ => (runsheet_protocol::ChecklistStage::Pickup, None),
            };
            if let Some(list) = crate::checklist::checklist(conn, Some(&t), cl_stage)? {
                let missing = list.missing();
                if !missing.is_empty() {
                    blockers.push(Blocker::ChecklistIncomplete {
                        stage: cl_stage,
                        missing,
                    });
                }
            }
            if let Some(proof) = proof {
                if let Some(policy) = crate::checklist::proof_missing(conn, &t, proof)? {
                    blockers.push(Blocker::ProofMissing { policy });
                }
            }
            let stage = crate::scan::confirm::stage_of(&t);
            let p = crate::scan::confirm::progress(conn, &t, stage)?;
            if !p.complete() {
                blockers.push(Blocker::ItemsNotConfirmed {
                    confirmed: p.confirmed,
                    expected: p.expected,
                    missing: p.missing.iter().map(|i| i.name.clone()).collect(),
                });
            }
        }
        Action::ConfirmItem { reason, photos, .. } => {
            if reason.trim().is_empty() {
                blockers.push(Blocker::ReasonRequired);
            }
            if photos.is_empty() {
                blockers.push(Blocker::PhotoOfItemRequired);
            }
        }
        _ => {}
    }
    blocked(task_id, action, blockers)
}

fn blocked(task_id: &str, action: &Action, blockers: Vec<Blocker>) -> Result<()> {
    if blockers.is_empty() {
        Ok(())
    } else {
        Err(Error::Blocked {
            task_id: task_id.to_owned(),
            action: action.name(),
            blockers,
        })
    }
}

impl crate::Runsheet {
    /// Accepts a task.
    pub fn accept(&self, task_id: &str) -> Result<i64> {
        self.act(Action::Accept {
            task_id: task_id.to_owned(),
        })
    }

    /// Confirms by hand that the courier is at the task's current stop, with a reason (GPS
    /// failed, indoor, wrong pin). Arrivals GPS detects are recorded without it.
    pub fn arrive_manually(&self, task_id: &str, reason: &str) -> Result<i64> {
        let t = self.task(task_id)?;
        let stop = match t.current_stop() {
            Some((role, _)) if t.status != TaskStatus::Failed => role,
            _ => StopRole::Dropoff, // refused by the workflow table with the task's status
        };
        self.act(Action::Arrive {
            task_id: task_id.to_owned(),
            stop,
            method: ArrivalMethod::Manual,
            reason: Some(reason.trim().to_owned()),
        })
    }

    /// The goods are in the box.
    pub fn pick_up(&self, task_id: &str) -> Result<i64> {
        self.act(Action::PickUp {
            task_id: task_id.to_owned(),
        })
    }

    /// Reports an exception. Reasons that end the delivery (customer unreachable, wrong
    /// address, refused, damaged goods) fail it and start the return leg; the others (merchant
    /// delay with its new ready time, breakdown, accident) are reported and the task goes on.
    /// Photos are attachments recorded with [`crate::Runsheet::attach_file`].
    pub fn report_exception(
        &self,
        task_id: &str,
        reason: ExceptionReason,
        note: Option<String>,
        photos: Vec<String>,
        ready_at: Option<i64>,
    ) -> Result<i64> {
        let note = note.filter(|n| !n.trim().is_empty());
        let action = if reason.fails_delivery() {
            Action::Fail {
                task_id: task_id.to_owned(),
                reason,
                note,
                photos,
            }
        } else {
            Action::ReportException {
                task_id: task_id.to_owned(),
                reason,
                note,
                photos,
                ready_at,
            }
        };
        let id = self.act(action)?;
        // Nothing to bring back: a return pickup that failed at the customer's door before
        // anything was collected closes at once.
        let t = self.task(task_id)?;
        let collected = self.timeline(task_id)?.iter().any(|e| e.kind == "pick_up");
        if t.status == TaskStatus::Failed
            && t.kind == runsheet_protocol::TaskKind::ReturnPickup
            && !collected
        {
            return self.mark_returned(task_id);
        }
        Ok(id)
    }

    /// The goods of a failed delivery are back at the merchant or depot.
    pub fn mark_returned(&self, task_id: &str) -> Result<i64> {
        self.act(Action::Returned {
            task_id: task_id.to_owned(),
        })
    }

    /// Moves the drop-off's map pin to where the door really is (WGS-84); the correction syncs
    /// and the next courier to this address gets it.
    pub fn correct_pin(&self, task_id: &str, lat: f64, lon: f64) -> Result<i64> {
        self.act(Action::CorrectPin {
            task_id: task_id.to_owned(),
            lat,
            lon,
        })
    }

    /// Records a call or message to the customer's masked number and whether they answered.
    pub fn record_contact_attempt(
        &self,
        task_id: &str,
        channel: ContactChannel,
        answered: bool,
    ) -> Result<i64> {
        self.act(Action::ContactAttempt {
            task_id: task_id.to_owned(),
            channel,
            answered,
        })
    }

    /// The message `template` filled for the task now (with the live ETA to the drop-off).
    pub fn message_text(&self, task_id: &str, template: MessageTemplate) -> Result<String> {
        let t = self.task(task_id)?;
        let now = self.clock.now();
        let eta = self
            .route()?
            .stops
            .iter()
            .find(|s| s.task_id == t.id && s.role == StopRole::Dropoff)
            .map(|s| s.eta);
        let speed = self.speed_now(now)?;
        let eta = eta.or_else(|| {
            self.last_position().map(|p| {
                crate::hint::hint(
                    p,
                    (t.dropoff.lat, t.dropoff.lon),
                    now,
                    None,
                    speed,
                    crate::route::DETOUR_FACTOR,
                )
                .eta
            })
        });
        Ok(crate::contact::fill(
            template,
            eta.map(|e| crate::contact::minutes_until(now, e)),
        ))
    }

    /// Fills `template` and queues it; the server sends it to the customer through the
    /// platform's masked channel when the phone next syncs.
    pub fn send_message(&self, task_id: &str, template: MessageTemplate) -> Result<i64> {
        let text = self.message_text(task_id, template)?;
        self.act(Action::SendMessage {
            task_id: task_id.to_owned(),
            template,
            text,
        })
    }

    /// The task's primary action and its blockers (`None` once the task is finished).
    pub fn next_action(&self, task_id: &str) -> Result<Option<NextAction>> {
        let t = self.task(task_id)?;
        let shift = self.store.read(crate::shift::state)?;
        let Some(mut next) = next_for_task(&t, shift, self.last_position()) else {
            return Ok(None);
        };
        self.store.read(|c| add_item_blockers(c, &t, &mut next))?;
        Ok(Some(next))
    }

    /// The task's timeline, oldest first.
    pub fn timeline(&self, task_id: &str) -> Result<Vec<timeline::Event>> {
        self.store.read(|c| timeline::for_task(c, task_id))
    }

    /// The last reported position.
    pub(crate) fn last_position(&self) -> Option<(f64, f64)> {
        self.last_fix
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|f| (f.lat, f.lon))
    }

    /// Feeds a fix to the detectors of the stops the courier is heading to and records the
    /// arrivals they complete.
    pub(crate) fn detect_arrivals(&self, fix: crate::hint::Fix) -> Result<()> {
        let tasks = self.tasks()?;
        let mut arrived = Vec::new();
        {
            let mut detectors = self.detectors.lock().unwrap_or_else(|p| p.into_inner());
            let mut live = std::collections::HashSet::new();
            for t in &tasks {
                let role = match t.status {
                    TaskStatus::Accepted if t.pickup.is_some() => StopRole::Pickup,
                    TaskStatus::Accepted | TaskStatus::PickedUp => StopRole::Dropoff,
                    _ => continue,
                };
                let stop = if role == StopRole::Pickup {
                    t.pickup.as_ref()
                } else {
                    Some(&t.dropoff)
                };
                let Some(stop) = stop else { continue };
                let key = (t.id.clone(), role);
                live.insert(key.clone());
                let radius = if role == StopRole::Pickup {
                    crate::hint::PICKUP_RADIUS_M
                } else {
                    crate::hint::DROPOFF_RADIUS_M
                };
                let d = detectors.entry(key).or_insert_with(|| {
                    crate::hint::ArrivalDetector::new((stop.lat, stop.lon), radius)
                });
                if d.feed(fix) == Some(crate::hint::Presence::Arrived) {
                    arrived.push((t.id.clone(), role));
                }
            }
            detectors.retain(|k, _| live.contains(k));
        }
        for (task_id, stop) in arrived {
            tracing::info!(stop = stop.as_str(), "arrival detected by GPS");
            match self.act(Action::Arrive {
                task_id,
                stop,
                method: ArrivalMethod::Gps,
                reason: None,
            }) {
                Ok(_) | Err(Error::InvalidTransition { .. }) | Err(Error::Blocked { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocker_messages_are_sentences_without_codes() {
        let b = Blocker::NotArrived {
            stop: StopRole::Dropoff,
            distance_m: Some(1840.0),
        };
        assert!(b.message().contains("1.8 km"), "{}", b.message());
        let w = Blocker::WaitAtDoor {
            until: 0,
            seconds_left: 125,
        };
        assert!(w.message().contains("3 min"), "{}", w.message());
        let c = Blocker::ContactAttemptsNeeded { made: 1, needed: 2 };
        assert!(c.message().contains("2 times"));
        assert_eq!(
            join(&[Blocker::PhotoRequired, Blocker::ReasonRequired]),
            "add at least one photo; give a reason"
        );
    }
}
