//! The action transaction: a courier action is checked against the workflow's guards, applied
//! to the task, recorded on the timeline with where and by what clock it happened, and queued
//! for the server, all in one SQLite transaction. [`record`] is the
//! [`Record`](crate::device::Record) every [`Device`] uses.

use runsheet_protocol::{
    Action, ActionContext, ActionLocation, ChecklistStage, LocationSource, StopRole,
};

use crate::device::{Also, Device};
use crate::error::{Error, Result};
use crate::{attachment, checklist, outbox, shift, task, timeline, workflow};

/// Where and with what clock an action happens now.
pub(crate) fn context(dev: &Device, now: i64) -> Result<ActionContext> {
    let location = dev.tracker.last_fix().map(|f| {
        let age_s = (now - f.at).max(0);
        ActionLocation {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
            age_s,
            source: if age_s <= 60 {
                LocationSource::Gps
            } else {
                LocationSource::LastKnown
            },
        }
    });
    Ok(ActionContext {
        clock_offset_s: dev.clock_offset()?,
        location,
    })
}

/// Checks the workflow's guards, applies the action, records it on the timeline and queues it
/// for the server, with `also` (a scan's own row), all in one transaction. Returns the
/// mutation id.
pub(crate) fn record(dev: &Device, action: &Action, also: Also<'_>) -> Result<i64> {
    let now = dev.now();
    let ctx = context(dev, now)?;
    let settings = dev.settings()?;
    let id = dev.store.write(|tx| {
        // Every file the action refers to must have been recorded with `attach_file`.
        for sha in action.attachments() {
            if attachment::get(tx, sha)?.is_none() {
                return Err(Error::InvalidArgument(format!(
                    "attachment {sha} was not recorded on this phone"
                )));
            }
        }
        let shift_state = shift::state(tx)?;
        workflow::check(tx, action, &settings, shift_state, now)?;
        task::apply_action(tx, action)?;
        if let Action::Shift { event } = action {
            shift::apply(tx, *event, now)?;
        }
        task::mark_ended(tx, now)?;
        timeline::record(tx, action, now, &ctx)?;
        // Arriving starts the stage: its checklist's version is pinned for this task now.
        if let Action::Arrive { task_id, stop, .. } = action {
            let stage = match stop {
                StopRole::Pickup => Some(ChecklistStage::Pickup),
                StopRole::Dropoff => Some(ChecklistStage::Dropoff),
                StopRole::Return => None,
            };
            if let (Some(stage), Some(t)) = (stage, task::get(tx, task_id)?) {
                checklist::template_for(tx, Some(&t), stage)?;
            }
        }
        also(tx)?;
        outbox::enqueue(tx, action, now, Some(&ctx))
    })?;
    tracing::info!(
        mutation_id = id,
        action = action.name(),
        "courier action saved"
    );
    Ok(id)
}
