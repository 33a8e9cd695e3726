//! The courier's shift: on duty, on a break, off duty; synced for dispatch monitoring; with a
//! start-of-shift and an end-of-shift summary computed on the phone.

use runsheet_protocol::{Action, ShiftEvent, TaskStatus};
use rusqlite::Connection;

use crate::device::Device;
use crate::error::Result;
use crate::store::{meta_get, meta_set};
use crate::task;
use crate::timeline;

/// Where the courier is in their shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ShiftState {
    /// Not working.
    OffDuty,
    /// Working.
    OnDuty,
    /// On a break.
    OnBreak,
}

impl ShiftState {
    /// The stable storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftState::OffDuty => "off_duty",
            ShiftState::OnDuty => "on_duty",
            ShiftState::OnBreak => "on_break",
        }
    }

    /// The state in the courier's language ("上班中", "On duty"; `shift-*` in nouns.ftl).
    pub fn in_words(self, words: &runsheet_words::Words) -> String {
        crate::wording::noun(words, "shift", self.as_str())
    }

    /// The state after `event`.
    pub fn after(event: ShiftEvent) -> Self {
        match event {
            ShiftEvent::Start | ShiftEvent::BreakEnd => ShiftState::OnDuty,
            ShiftEvent::BreakStart => ShiftState::OnBreak,
            ShiftEvent::End => ShiftState::OffDuty,
        }
    }
}

/// The stored shift state.
pub fn state(conn: &Connection) -> Result<ShiftState> {
    Ok(match meta_get(conn, "shift_state")?.as_deref() {
        Some("on_duty") => ShiftState::OnDuty,
        Some("on_break") => ShiftState::OnBreak,
        _ => ShiftState::OffDuty,
    })
}

/// When the current (or last) shift started.
pub fn started_at(conn: &Connection) -> Result<Option<i64>> {
    Ok(meta_get(conn, "shift_started_at")?.and_then(|v| v.parse().ok()))
}

/// Applies a shift event to the stored state.
pub fn apply(conn: &Connection, event: ShiftEvent, now: i64) -> Result<()> {
    meta_set(conn, "shift_state", ShiftState::after(event).as_str())?;
    if event == ShiftEvent::Start {
        meta_set(conn, "shift_started_at", &now.to_string())?;
        meta_set(conn, "shift_distance_m", "0")?;
        conn.execute("DELETE FROM meta WHERE key = 'shift_ended_at'", [])?;
    }
    if event == ShiftEvent::End {
        meta_set(conn, "shift_ended_at", &now.to_string())?;
        // The next shift answers the start-of-shift checklist afresh, on the newest template.
        conn.execute("DELETE FROM answers WHERE task_id = ''", [])?;
        conn.execute("DELETE FROM task_checklists WHERE task_id = ''", [])?;
    }
    Ok(())
}

/// Adds ridden metres to the shift's odometer (only while on duty or on a break).
pub fn add_distance(conn: &Connection, metres: f64) -> Result<()> {
    if state(conn)? == ShiftState::OffDuty || !metres.is_finite() || metres <= 0.0 {
        return Ok(());
    }
    let d: f64 = meta_get(conn, "shift_distance_m")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    meta_set(conn, "shift_distance_m", &format!("{:.1}", d + metres))
}

/// The shift's figures so far (or, after the end, for the whole shift).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ShiftSummary {
    /// Current state.
    pub state: ShiftState,
    /// Start, Unix seconds (`None` before the first shift).
    pub started_at: Option<i64>,
    /// End, once ended.
    pub ended_at: Option<i64>,
    /// Tasks open now (not delivered, returned or cancelled).
    pub open_tasks: u32,
    /// When the open work is projected to be done, Unix seconds (from the stop plan).
    pub expected_finish: Option<i64>,
    /// Delivered during the shift.
    pub delivered: u32,
    /// Of which by the promised time.
    pub delivered_on_time: u32,
    /// Failed deliveries during the shift.
    pub failed: u32,
    /// Tasks cancelled by dispatch while open on this phone.
    pub cancelled: u32,
    /// Metres ridden (accepted GPS fixes).
    pub distance_m: f64,
    /// Breaks taken.
    pub breaks: u32,
    /// Seconds spent on breaks.
    #[cfg_attr(feature = "uniffi", uniffi(name = "break_seconds"))]
    pub break_s: i64,
    /// Order-error events at handoffs (wrong bag, foreign item, expired goods offered).
    pub order_errors: u32,
    /// Share of required checklist items answered within the procedure before their stage's
    /// transition (`None` when no checklist applied).
    pub sop_compliance: Option<f64>,
}

impl ShiftSummary {
    /// Share of deliveries on time, 0..1 (`None` before the first delivery).
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.delivered > 0).then(|| f64::from(self.delivered_on_time) / f64::from(self.delivered))
    }
}

/// Computes the summary from the timeline and the task list.
pub fn summary(conn: &Connection, now: i64, expected_finish: Option<i64>) -> Result<ShiftSummary> {
    let state = state(conn)?;
    let started = started_at(conn)?;
    let ended = if state == ShiftState::OffDuty {
        meta_get(conn, "shift_ended_at")?.and_then(|v| v.parse().ok())
    } else {
        None
    };
    let tasks = task::list(conn)?;
    let open_tasks = tasks.iter().filter(|t| !t.is_done()).count() as u32;
    let mut s = ShiftSummary {
        state,
        started_at: started,
        ended_at: ended,
        open_tasks,
        expected_finish,
        delivered: 0,
        delivered_on_time: 0,
        failed: 0,
        cancelled: 0,
        distance_m: meta_get(conn, "shift_distance_m")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
        breaks: 0,
        break_s: 0,
        order_errors: 0,
        sop_compliance: None,
    };
    let Some(start) = started else {
        return Ok(s);
    };
    let until = ended.unwrap_or(now);
    let mut break_from = None;
    for e in timeline::since(conn, start)? {
        if e.at > until {
            break;
        }
        match e.action() {
            Some(Action::Delivered { task_id, .. }) => {
                s.delivered += 1;
                let due = tasks
                    .iter()
                    .find(|t| t.id == task_id)
                    .and_then(|t| t.dropoff.due_by);
                if due.is_none_or(|d| e.at <= d) {
                    s.delivered_on_time += 1;
                }
            }
            Some(Action::Fail { .. }) => s.failed += 1,
            Some(Action::Shift {
                event: ShiftEvent::BreakStart,
            }) => {
                s.breaks += 1;
                break_from = Some(e.at);
            }
            Some(Action::Shift {
                event: ShiftEvent::BreakEnd,
            }) => {
                if let Some(b) = break_from.take() {
                    s.break_s += e.at - b;
                }
            }
            _ => {}
        }
    }
    if let Some(b) = break_from {
        s.break_s += until - b;
    }
    s.order_errors = crate::scan::confirm::mismatches_since(conn, start)?;
    s.sop_compliance = crate::checklist::compliance_since(conn, start)?;
    s.cancelled = tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Cancelled && t.ended_at.is_some_and(|e| e >= start))
        .count() as u32;
    Ok(s)
}

/// Goes on duty, starts or ends a break, or goes off duty (refused while goods are in the
/// box).
pub(crate) fn change(dev: &Device, event: ShiftEvent) -> Result<i64> {
    dev.act(Action::Shift { event })
}

/// The shift's summary: at the start, the open tasks and the projected finish; at the
/// end, what was done, failed, on time, and the distance ridden.
pub(crate) fn shift_summary(dev: &Device) -> Result<ShiftSummary> {
    let now = dev.now();
    let finish = dev.route()?.finish;
    dev.store.read(|c| summary(c, now, finish))
}
