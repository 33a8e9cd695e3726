//! The task list as the courier sees it: grouped into now, next, later and done today, ordered
//! by the planned stop sequence, each task with its one primary action.

use chrono::{Local, TimeZone};

use crate::blocker::Blocker;
use crate::checklist;
use crate::device::Device;
use crate::error::Result;
use crate::route::Route;
use crate::shift::ShiftState;
use crate::task::Task;
use crate::workflow::{self, NextAction};

/// Where a task sits on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi(name = "TaskGroup"))]
pub enum Group {
    /// Act on it now: a new task to accept, a stop the courier is at, or the next stop.
    Now,
    /// The following stops of the plan.
    Next,
    /// Everything else still open.
    Later,
    /// Finished since local midnight.
    DoneToday,
}

/// Tasks of the route's first stops (beyond the first) that count as "next".
pub const NEXT_STOPS: usize = 2;

/// One line of the list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "TaskListEntry"))]
pub struct Entry {
    /// The task.
    pub task: Task,
    /// Its group.
    pub group: Group,
    /// Position of its first stop on the route (0 = next stop).
    pub route_position: Option<u32>,
    /// Its primary action (`None` once finished).
    #[cfg_attr(feature = "uniffi", uniffi(name = "next_action"))]
    pub next: Option<NextAction>,
}

/// The grouped list with counts.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskList {
    /// Entries: now, next, later, done today; by route position within a group (done: latest
    /// first).
    pub entries: Vec<Entry>,
    /// Entries in "now".
    #[cfg_attr(feature = "uniffi", uniffi(name = "now_count"))]
    pub now: u32,
    /// Entries in "next".
    #[cfg_attr(feature = "uniffi", uniffi(name = "next_count"))]
    pub next: u32,
    /// Entries in "later".
    #[cfg_attr(feature = "uniffi", uniffi(name = "later_count"))]
    pub later: u32,
    /// Entries in "done today".
    #[cfg_attr(feature = "uniffi", uniffi(name = "done_today_count"))]
    pub done_today: u32,
}

/// Local midnight before `now` (device time zone).
pub fn local_midnight(now: i64) -> i64 {
    Local
        .timestamp_opt(now, 0)
        .single()
        .and_then(|t| t.date_naive().and_hms_opt(0, 0, 0))
        .and_then(|m| Local.from_local_datetime(&m).earliest())
        .map(|m| m.timestamp())
        .unwrap_or(now - now.rem_euclid(86_400))
}

/// Groups `tasks` along `route`; each entry's next step comes without blockers (the rulebook
/// adds them from the store: [`task_list`]).
pub fn build(tasks: Vec<Task>, route: &Route, now: i64) -> TaskList {
    let midnight = local_midnight(now);
    let first = route.stops.first().map(|s| s.task_id.as_str());
    let next_ids: Vec<&str> = route
        .stops
        .iter()
        .skip(1)
        .take(NEXT_STOPS)
        .map(|s| s.task_id.as_str())
        .collect();
    let mut entries: Vec<Entry> = Vec::with_capacity(tasks.len());
    for t in tasks {
        let pos = route.position(&t.id).map(|p| p as u32);
        let group = if t.is_done() {
            if t.ended_at.is_none_or(|e| e >= midnight) {
                Group::DoneToday
            } else {
                continue; // finished before today: not on the list
            }
        } else if t.status == runsheet_protocol::TaskStatus::Assigned
            || matches!(
                t.status,
                runsheet_protocol::TaskStatus::AtPickup | runsheet_protocol::TaskStatus::AtDropoff
            )
            || first == Some(t.id.as_str())
        {
            Group::Now
        } else if next_ids.contains(&t.id.as_str()) {
            Group::Next
        } else {
            Group::Later
        };
        let next = workflow::step_for(&t).map(|step| NextAction {
            task_id: Some(t.id.clone()),
            step,
            blockers: Vec::new(),
        });
        entries.push(Entry {
            task: t,
            group,
            route_position: pos,
            next,
        });
    }
    let rank = |g: Group| match g {
        Group::Now => 0,
        Group::Next => 1,
        Group::Later => 2,
        Group::DoneToday => 3,
    };
    entries.sort_by(|a, b| {
        rank(a.group).cmp(&rank(b.group)).then_with(|| {
            if a.group == Group::DoneToday {
                b.task.ended_at.cmp(&a.task.ended_at)
            } else {
                a.route_position
                    .unwrap_or(u32::MAX)
                    .cmp(&b.route_position.unwrap_or(u32::MAX))
            }
        })
    });
    let count = |g| entries.iter().filter(|e| e.group == g).count() as u32;
    TaskList {
        now: count(Group::Now),
        next: count(Group::Next),
        later: count(Group::Later),
        done_today: count(Group::DoneToday),
        entries,
    }
}

/// The grouped task list with each task's primary action.
pub(crate) fn task_list(dev: &Device) -> Result<TaskList> {
    task_list_and_route(dev).map(|(list, _)| list)
}

/// The grouped task list and the route it follows, from one read of the tasks.
pub(crate) fn task_list_and_route(dev: &Device) -> Result<(TaskList, Route)> {
    let tasks = dev.tasks()?;
    let route = dev.route_for(&tasks)?;
    let shift = dev.store.read(crate::shift::state)?;
    let position = dev.last_position();
    let now = dev.now();
    let mut list = build(tasks, &route, now);
    dev.store.read(|c| {
        for e in &mut list.entries {
            e.next = crate::workflow::next_action_in(c, &e.task, shift, position, &[], now)?;
        }
        Ok(())
    })?;
    Ok((list, route))
}

/// The shift's one primary action: start the shift, end the break, the next planned
/// stop's action, or end the shift when nothing is open.
pub(crate) fn shift_next_action(dev: &Device) -> Result<NextAction> {
    use crate::workflow::Step;
    let shift = dev.store.read(crate::shift::state)?;
    let single = |step| NextAction {
        task_id: None,
        step,
        blockers: Vec::new(),
    };
    match shift {
        ShiftState::OffDuty => {
            let stage = runsheet_protocol::ChecklistStage::StartOfShift;
            let mut next = single(Step::StartShift);
            if let Some(list) = checklist::for_stage(dev, None, stage)? {
                let missing = list.missing();
                if !missing.is_empty() {
                    next.blockers
                        .push(Blocker::ChecklistIncomplete { stage, missing });
                }
            }
            return Ok(next);
        }
        ShiftState::OnBreak => return Ok(single(Step::EndBreak)),
        ShiftState::OnDuty => {}
    }
    let list = task_list(dev)?;
    if let Some(n) = list
        .entries
        .iter()
        .filter(|e| e.group != Group::DoneToday)
        .find_map(|e| e.next.clone())
    {
        return Ok(n);
    }
    Ok(single(if list.entries.is_empty() {
        Step::WaitForTasks
    } else {
        Step::EndShift
    }))
}

/// The stop the courier is heading to, with distance, direction, ETA and risk.
pub(crate) fn next_stop_hint(dev: &Device) -> Result<Option<crate::route::NextStopHint>> {
    let route = dev.route()?;
    let now = dev.now();
    Ok(crate::route::next_stop_hint(
        &route,
        dev.last_position(),
        now,
        dev.speed_now(now)?,
    ))
}

/// The location accuracy and interval the shell should request now (fine near the next
/// stop, coarse far from it, off when off duty).
pub(crate) fn location_request(dev: &Device) -> Result<crate::route::LocationRequest> {
    let shift = dev.store.read(crate::shift::state)?;
    let route = dev.route()?;
    Ok(crate::route::location_request(
        shift != ShiftState::OffDuty,
        &route,
        dev.last_position(),
    ))
}
