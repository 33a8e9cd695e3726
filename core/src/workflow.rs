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

use crate::custody::Custody;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::hint::{distance_m, Fix};
use crate::shift::{self, ShiftState};
use crate::task::{self, Task};
use crate::{location, timeline};

pub use crate::blocker::{join, what, Blocker};

/// The next step of a task or of the shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Step {
    /// Go on duty.
    StartShift,
    /// End the break.
    EndBreak,
    /// Accept the task.
    Accept,
    /// Arrive at a stop (GPS detects it; a blocked arrival can be confirmed by hand).
    Arrive(#[cfg_attr(feature = "uniffi", uniffi(name = "stop"))] StopRole),
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

#[cfg(feature = "uniffi")]
#[uniffi::export]
impl Step {
    /// The button's words (what [`Step::label`] says).
    #[uniffi::method(name = "label")]
    pub fn button_label(&self) -> String {
        self.label().to_owned()
    }
}

/// The checklist stage a task's procedure is at: the pickup's until the goods are picked up, the
/// failure's once the delivery failed, the drop-off's otherwise. The checklist screen opens this
/// stage; no shell decides it from the status.
pub fn checklist_stage(task: &Task) -> runsheet_protocol::ChecklistStage {
    use runsheet_protocol::ChecklistStage;
    match task.status {
        TaskStatus::Assigned | TaskStatus::Accepted | TaskStatus::AtPickup => {
            ChecklistStage::Pickup
        }
        TaskStatus::Failed => ChecklistStage::Failure,
        _ => ChecklistStage::Dropoff,
    }
}

/// The one primary action a shell shows as its button, with what blocks it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NextAction {
    /// The task it is about (`None` for shift steps).
    pub task_id: Option<String>,
    /// What to do.
    pub step: Step,
    /// Why the button is disabled, if it is.
    pub blockers: Vec<Blocker>,
}

/// The task's next step by its status alone, `None` when the task is finished.
pub fn step_for(t: &Task) -> Option<Step> {
    use TaskStatus::*;
    if t.custody == Custody::HandedOver {
        return None; // another courier holds it now
    }
    let step = match t.status {
        Assigned => Step::Accept,
        Accepted if t.pickup.is_some() => Step::Arrive(StopRole::Pickup),
        Accepted | PickedUp => Step::Arrive(StopRole::Dropoff),
        AtPickup => Step::PickUp,
        AtDropoff => Step::Deliver,
        Failed => Step::Return,
        Delivered | Returned | Cancelled => return None,
    };
    Some(step)
}

/// The rulebook: what blocks `step` of task `t` now, from the stored checklists, scans and the
/// proof given (`proof`: attachment hashes). The screens show these blockers and the action
/// transaction ([`check`]) refuses with the same ones: one function decides both.
pub fn step_blockers(
    conn: &Connection,
    t: &Task,
    step: Step,
    shift: ShiftState,
    proof: &[String],
) -> Result<Vec<Blocker>> {
    let mut blockers = Vec::new();
    if t.custody == Custody::Incoming {
        // Nothing of the task is the courier's until every bag is scanned.
        blockers.push(incoming_blocker(conn, t)?);
        return Ok(blockers);
    }
    if step == Step::Accept && shift == ShiftState::OnBreak {
        blockers.push(Blocker::OnBreak);
    }
    let stage = match step {
        Step::PickUp => runsheet_protocol::ChecklistStage::Pickup,
        Step::Deliver => runsheet_protocol::ChecklistStage::Dropoff,
        _ => return Ok(blockers),
    };
    let refused = crate::checklist::refused_id_check(conn, &t.id, stage)?;
    if let Some(list) = crate::checklist::checklist(conn, Some(t), stage)? {
        // A refused ID check is its own blocker (the goods go back), not a missing item.
        let missing: Vec<String> = list
            .items
            .iter()
            .filter(|i| i.applies && i.def.required && !i.satisfied)
            .filter(|i| !matches!(&i.answer, Some(a) if a.out_of_range && matches!(a.value, runsheet_protocol::AnswerValue::IdCheck(_))))
            .map(|i| i.def.label.clone())
            .collect();
        if !missing.is_empty() {
            blockers.push(Blocker::ChecklistIncomplete { stage, missing });
        }
    }
    if let Some(outcome) = refused {
        blockers.push(Blocker::IdCheckRefused { outcome });
    }
    if step == Step::Deliver {
        match &t.locker {
            // At a locker the scanned label and compartment are the proof.
            Some(_) => {
                if crate::locker::drop_of(conn, &t.id)?.is_none() {
                    blockers.push(Blocker::LockerNotScanned);
                }
            }
            None => {
                if let Some(policy) = crate::checklist::proof_missing(conn, t, proof)? {
                    blockers.push(Blocker::ProofMissing { policy });
                }
            }
        }
        if let Some(due) = &t.cash_due {
            if crate::cash::collection(conn, &t.id)?.is_none() {
                blockers.push(Blocker::CashNotCollected { due: due.clone() });
            }
        }
    }
    if step == Step::PickUp {
        blockers.extend(crate::capacity::pickup_blocker(conn, t)?);
    }
    let recalled = crate::recall::recalled_items(conn, t)?;
    if !recalled.is_empty() {
        blockers.push(Blocker::RecalledItems {
            items: recalled.into_iter().map(|i| i.name).collect(),
        });
    }
    let p = crate::scan::confirm::progress(conn, t, crate::scan::confirm::stage_of(t))?;
    if !p.complete() {
        blockers.push(Blocker::ItemsNotConfirmed {
            confirmed: p.confirmed,
            expected: p.expected,
            missing: p.missing.iter().map(|i| i.name.clone()).collect(),
        });
    }
    Ok(blockers)
}

/// The task's primary action with every blocker of the rulebook ([`step_blockers`], with the
/// proof given so far) and, for an arrival GPS has not detected, how far the stop is.
pub fn next_action_in(
    conn: &Connection,
    t: &Task,
    shift: ShiftState,
    last_fix: Option<(f64, f64)>,
    proof: &[String],
    now: i64,
) -> Result<Option<NextAction>> {
    let Some(step) = step_for(t) else {
        return Ok(None);
    };
    let mut next = NextAction {
        task_id: Some(t.id.clone()),
        step,
        blockers: step_blockers(conn, t, step, shift, proof)?,
    };
    if matches!(step, Step::Accept | Step::PickUp) {
        next.blockers
            .extend(crate::training::blocker(conn, t, now)?);
    }
    if let (Step::Arrive(role), Custody::Mine) = (next.step, t.custody) {
        let stop = if role == StopRole::Pickup {
            t.pickup.as_ref()
        } else {
            Some(&t.dropoff)
        };
        next.blockers.push(Blocker::NotArrived {
            stop: role,
            distance_m: stop
                .zip(last_fix)
                .map(|(s, f)| distance_m(f, (s.lat, s.lon))),
        });
    }
    Ok(Some(next))
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
                for held in crate::cash::held(conn)? {
                    blockers.push(Blocker::CashNotHandedIn { held });
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
    if action.offer().is_some() {
        return Ok(()); // an offer's own rules (time left, answered once) are `offer.rs`'s
    }
    if let Action::AppealPay { .. } = action {
        return Ok(()); // about an earning line, checked by the earnings module
    }
    if let Action::TakeQuiz { .. } = action {
        return Ok(()); // graded by the training module's own rule (`training::take_quiz`)
    }
    if let Action::HandInCash { held, handed } = action {
        // The cash held is counted from the stored collections; the hand-in takes any amount
        // (a short or over hand-in is recorded and reconciled by the server).
        if let Some(problem) = handed.problem().or_else(|| held.problem()) {
            return Err(Error::InvalidAmount { problem });
        }
        if held.currency != handed.currency {
            return Err(Error::InvalidAmount {
                problem: runsheet_protocol::AmountProblem::CurrencyMismatch {
                    expected: held.currency.clone(),
                    found: handed.currency.clone(),
                },
            });
        }
        if !crate::cash::held(conn)?.contains(held) {
            return Err(Error::InvalidArgument(
                "the cash held is not what the phone counts".into(),
            ));
        }
        return Ok(());
    }
    let task_id = action.task_id();
    if task_id.is_empty() {
        return Err(Error::InvalidArgument("empty task id".into()));
    }
    let t = task::get(conn, task_id)?.ok_or_else(|| Error::TaskNotFound {
        task_id: task_id.to_owned(),
    })?;
    match action {
        // The case's own rules (its lifecycle table) are the cases module's; a statement may
        // be given about a task in any state.
        Action::AnswerCase { .. } => return Ok(()),
        // Setting a recalled item aside is possible until the task is finished.
        Action::SetAside { .. } if !t.status.is_final() => return Ok(()),
        Action::SetAside { .. } => {
            return Err(Error::InvalidTransition {
                task_id: task_id.to_owned(),
                status: t.status,
                action: action.name(),
            })
        }
        _ => {}
    }
    let not_allowed = || Error::InvalidTransition {
        task_id: task_id.to_owned(),
        status: t.status,
        action: action.name(),
    };
    match (action, t.custody) {
        (Action::RequestHandover { reason, note, .. }, Custody::Mine) => {
            if t.status.is_final() || !t.goods_on_board() {
                return Err(not_allowed()); // nothing in the box to hand over
            }
            if crate::custody::latest(conn, task_id)?.is_some_and(|(h, _)| h.status.is_open()) {
                blockers.push(Blocker::HandoverPending);
            }
            if *reason == runsheet_protocol::HandoverReason::Other
                && note.as_deref().is_none_or(|n| n.trim().is_empty())
            {
                blockers.push(Blocker::ReasonRequired);
            }
            return blocked(task_id, action, blockers);
        }
        (Action::ReceiveHandover { .. }, Custody::Incoming) => {
            let b = incoming_blocker(conn, &t)?;
            if !matches!(b, Blocker::HandoverIncoming { scanned, expected } if scanned >= expected)
            {
                blockers.push(b);
            }
            return blocked(task_id, action, blockers);
        }
        (Action::RequestHandover { .. } | Action::ReceiveHandover { .. }, _) => {
            return Err(not_allowed())
        }
        // A statement, a rating or an appeal is about what the courier did, whoever holds the
        // task now.
        (Action::RateStop { .. } | Action::Appeal { .. }, _) => {}
        (_, Custody::HandedOver) => return Err(not_allowed()),
        (_, Custody::Incoming) => {
            return blocked(task_id, action, vec![incoming_blocker(conn, &t)?]);
        }
        (_, Custody::Mine) => {}
    }
    if t.status.after(action, t.pickup.is_some()).is_none() {
        return Err(Error::InvalidTransition {
            task_id: task_id.to_owned(),
            status: t.status,
            action: action.name(),
        });
    }
    match action {
        Action::Accept { .. } => {
            blockers.extend(step_blockers(conn, &t, Step::Accept, shift, &[])?);
            blockers.extend(crate::training::blocker(conn, &t, now)?);
        }
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
            if *reason == ExceptionReason::IdCheckRefused
                && crate::checklist::refused_id_check(conn, task_id, checklist_stage(&t))?.is_none()
            {
                return Err(Error::InvalidArgument(
                    "no refused ID check is recorded for the task".into(),
                ));
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
        Action::PickUp { .. } => {
            blockers.extend(step_blockers(conn, &t, Step::PickUp, shift, &[])?);
            blockers.extend(crate::training::blocker(conn, &t, now)?);
        }
        Action::Delivered { proof, .. } => {
            blockers.extend(step_blockers(conn, &t, Step::Deliver, shift, proof)?);
        }
        Action::CollectCash {
            collected,
            change,
            reason,
            ..
        } => {
            let due = t.cash_due.as_ref().ok_or_else(|| {
                Error::InvalidArgument(format!("task {task_id} is not cash on delivery"))
            })?;
            runsheet_protocol::check_collection(due, collected, change)
                .map_err(|problem| Error::InvalidAmount { problem })?;
            if runsheet_protocol::cash_reason_needed(due, collected, change)
                && reason.as_deref().is_none_or(|r| r.trim().is_empty())
            {
                blockers.push(Blocker::CashReasonRequired {
                    due: due.clone(),
                    kept: runsheet_protocol::Money::new(
                        collected.minor - change.minor,
                        due.currency.clone(),
                    ),
                });
            }
        }
        Action::LockerDrop {
            locker_code,
            compartment,
            ..
        } => {
            let locker = t.locker.as_ref().ok_or_else(|| {
                Error::InvalidArgument(format!("task {task_id} is not a locker drop-off"))
            })?;
            if let Some(p) = runsheet_protocol::compartment_problem(compartment) {
                return Err(Error::InvalidArgument(p.to_owned()));
            }
            if !locker.matches(locker_code) {
                return Err(Error::WrongLocker {
                    task_id: task_id.to_owned(),
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

/// What stands between the receiving courier and an incoming task: the bags not yet scanned.
fn incoming_blocker(conn: &Connection, t: &Task) -> Result<Blocker> {
    let scanned = match crate::custody::latest(conn, &t.id)? {
        Some((h, _)) => crate::custody::scanned_bags(conn, &t.id, h.seq)?
            .iter()
            .filter(|code| t.items.iter().any(|i| &i.code == *code))
            .count() as u32,
        None => 0,
    };
    Ok(Blocker::HandoverIncoming {
        scanned,
        expected: t.items.len() as u32,
    })
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

/// Accepts a task.
pub(crate) fn accept(dev: &Device, task_id: &str) -> Result<i64> {
    dev.act(Action::Accept {
        task_id: task_id.to_owned(),
    })
}

/// Confirms by hand that the courier is at the task's current stop, with a reason (GPS
/// failed, indoor, wrong pin). Arrivals GPS detects are recorded without it.
pub(crate) fn arrive_manually(dev: &Device, task_id: &str, reason: &str) -> Result<i64> {
    let t = dev.task(task_id)?;
    let stop = match t.current_stop() {
        Some((role, _)) if t.status != TaskStatus::Failed => role,
        _ => StopRole::Dropoff, // refused by the workflow table with the task's status
    };
    dev.act(Action::Arrive {
        task_id: task_id.to_owned(),
        stop,
        method: ArrivalMethod::Manual,
        reason: Some(reason.trim().to_owned()),
    })
}

/// The goods are in the box.
pub(crate) fn pick_up(dev: &Device, task_id: &str) -> Result<i64> {
    dev.act(Action::PickUp {
        task_id: task_id.to_owned(),
    })
}

/// The action a report of `reason` records: a failure for the reasons that end the delivery,
/// an exception report for the others (with the merchant's new ready time, if any).
pub fn exception_action(
    task_id: &str,
    reason: ExceptionReason,
    note: Option<String>,
    photos: Vec<String>,
    ready_at: Option<i64>,
) -> Action {
    if reason.fails_delivery() {
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
    }
}

/// Reports an exception. Reasons that end the delivery (customer unreachable, wrong
/// address, refused, damaged goods) fail it and start the return leg; the others (merchant
/// delay with its new ready time, breakdown, accident) are reported and the task goes on.
/// Photos are attachments recorded with [`crate::Runsheet::attach_file`].
pub(crate) fn report_exception(
    dev: &Device,
    task_id: &str,
    reason: ExceptionReason,
    note: Option<String>,
    photos: Vec<String>,
    ready_at: Option<i64>,
) -> Result<i64> {
    let note = note.filter(|n| !n.trim().is_empty());
    let id = dev.act(exception_action(task_id, reason, note, photos, ready_at))?;
    // Nothing to bring back: a return pickup that failed at the customer's door before
    // anything was collected closes at once.
    let t = dev.task(task_id)?;
    let collected = timeline(dev, task_id)?.iter().any(|e| e.kind == "pick_up");
    if t.status == TaskStatus::Failed
        && t.kind == runsheet_protocol::TaskKind::ReturnPickup
        && !collected
    {
        return mark_returned(dev, task_id);
    }
    Ok(id)
}

/// The goods of a failed delivery are back at the merchant or depot.
pub(crate) fn mark_returned(dev: &Device, task_id: &str) -> Result<i64> {
    dev.act(Action::Returned {
        task_id: task_id.to_owned(),
    })
}

/// Moves the drop-off's map pin to where the door really is (WGS-84); the correction syncs
/// and the next courier to this address gets it.
pub(crate) fn correct_pin(dev: &Device, task_id: &str, lat: f64, lon: f64) -> Result<i64> {
    dev.act(Action::CorrectPin {
        task_id: task_id.to_owned(),
        lat,
        lon,
    })
}

/// Records a call or message to the customer's masked number and whether they answered.
pub(crate) fn record_contact_attempt(
    dev: &Device,
    task_id: &str,
    channel: ContactChannel,
    answered: bool,
) -> Result<i64> {
    dev.act(Action::ContactAttempt {
        task_id: task_id.to_owned(),
        channel,
        answered,
    })
}

/// The message `template` filled for the task now (with the live ETA to the drop-off).
pub(crate) fn message_text(
    dev: &Device,
    task_id: &str,
    template: MessageTemplate,
) -> Result<String> {
    let t = dev.task(task_id)?;
    let now = dev.now();
    let eta = dev
        .route()?
        .stops
        .iter()
        .find(|s| s.task_id == t.id && s.role == StopRole::Dropoff)
        .map(|s| s.eta);
    let speed = dev.speed_now(now)?;
    let eta = eta.or_else(|| {
        dev.last_position().map(|p| {
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
    // In the customer's language (their task's, else the platform's default).
    Ok(crate::contact::fill(
        &crate::wording::customer_words(t.customer_locale.as_deref()),
        template,
        eta.map(|e| crate::contact::minutes_until(now, e)),
    ))
}

/// Fills `template` and queues it; the server sends it to the customer through the
/// platform's masked channel when the phone next syncs.
pub(crate) fn send_message(dev: &Device, task_id: &str, template: MessageTemplate) -> Result<i64> {
    let text = message_text(dev, task_id, template)?;
    dev.act(Action::SendMessage {
        task_id: task_id.to_owned(),
        template,
        text,
    })
}

/// The task's primary action and its blockers (`None` once the task is finished).
pub(crate) fn next_action(dev: &Device, task_id: &str) -> Result<Option<NextAction>> {
    next_action_given(dev, task_id, &[])
}

/// The task's primary action and its blockers with `proof` counted as given.
pub(crate) fn next_action_given(
    dev: &Device,
    task_id: &str,
    proof: &[String],
) -> Result<Option<NextAction>> {
    let t = dev.task(task_id)?;
    let shift = dev.store.read(crate::shift::state)?;
    dev.store
        .read(|c| next_action_in(c, &t, shift, dev.last_position(), proof, dev.now()))
}

/// What would block `action` if the courier took it now: `Some(blockers)` (empty when it
/// would be recorded), `None` when the workflow does not allow it at all (wrong status, a
/// reason that does not apply). The same guards as the action transaction, nothing written.
pub(crate) fn would_block(dev: &Device, action: &Action) -> Result<Option<Vec<Blocker>>> {
    let settings = dev.settings()?;
    let now = dev.now();
    let outcome = dev.store.read(|c| {
        let shift = crate::shift::state(c)?;
        Ok(check(c, action, &settings, shift, now))
    })?;
    match outcome {
        Ok(()) => Ok(Some(Vec::new())),
        Err(Error::Blocked { blockers, .. }) => Ok(Some(blockers)),
        Err(Error::InvalidTransition { .. } | Error::InvalidArgument(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The task's timeline, oldest first.
pub(crate) fn timeline(dev: &Device, task_id: &str) -> Result<Vec<timeline::Event>> {
    dev.store.read(|c| timeline::for_task(c, task_id))
}

/// Takes a GPS fix: buffers it for dispatch (sent after everything else) and returns how
/// many old fixes were dropped to stay within the buffer cap. The fix also drives the shift's
/// odometer and arrival detection: when the courier has stayed inside the radius of a stop
/// they are heading to, the arrival is recorded for them (method `gps`).
pub(crate) fn record_location(dev: &Device, lat: f64, lon: f64, accuracy_m: f64) -> Result<u64> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(Error::InvalidArgument(
            "location coordinates are out of range".into(),
        ));
    }
    let now = dev.now();
    let fix = Fix {
        lat,
        lon,
        accuracy_m,
        at: now,
    };
    let ridden = dev.tracker.observe(fix);
    let cap = dev.tracker.cap();
    let dropped = dev.store.write(|tx| {
        shift::add_distance(tx, ridden)?;
        location::record(tx, lat, lon, accuracy_m, now, cap)
    })?;
    let tasks = dev.tasks()?;
    for (task_id, stop) in dev.tracker.arrivals(&tasks, fix) {
        tracing::info!(stop = stop.as_str(), "arrival detected by GPS");
        match dev.act(Action::Arrive {
            task_id,
            stop,
            method: ArrivalMethod::Gps,
            reason: None,
        }) {
            Ok(_) | Err(Error::InvalidTransition { .. }) | Err(Error::Blocked { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(dropped)
}
