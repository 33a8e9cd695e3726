//! The courier's workflow over FFI: actions with their guards, the primary action per task and
//! for the shift, the grouped task list, exceptions, customer contact, the shift, the route and
//! navigation hints. The types are the core's and the protocol's; the logic stays in the core.

use runsheet_core as core;
use runsheet_protocol::{ContactChannel, ExceptionReason, MessageTemplate};

use crate::{Runsheet, RunsheetError};

pub use runsheet_core::hint::Risk;
pub use runsheet_core::{
    Blocker, LocationAccuracy, LocationRequest, NextAction, PlannedStop, Route, ShiftState,
    ShiftSummary, Step, TaskList,
};
pub use runsheet_core::{Entry as TaskListEntry, Group as TaskGroup};
pub use runsheet_protocol::StopRole;

/// A deep link to a maps app, in the datum that app expects: the route crate's record.
pub use runsheet_core::geo::NavigationLink;
/// The hint for the stop ahead, with its map links: the core's record.
pub use runsheet_core::NextStopHint;

/// One entry of a task's timeline: the core's own record.
pub use runsheet_core::Event as TimelineEvent;

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
        converted(
            self.inner
                .report_exception(&task_id, reason, note, photo_hashes, new_ready_at),
        )
        .map(drop)
    }

    /// The merchant needs `ready_in_minutes` more minutes: the pickup's ready time moves to that
    /// many minutes from now by the core's clock.
    pub fn report_merchant_delay(
        &self,
        task_id: String,
        note: Option<String>,
        photo_hashes: Vec<String>,
        ready_in_minutes: u32,
    ) -> Result<(), RunsheetError> {
        converted(
            self.inner
                .report_merchant_delay(&task_id, note, photo_hashes, ready_in_minutes),
        )
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
        converted(self.inner.message_text(&task_id, template))
    }

    /// Queues the filled message; the server sends it through the masked channel.
    pub fn send_message(
        &self,
        task_id: String,
        template: MessageTemplate,
    ) -> Result<(), RunsheetError> {
        converted(self.inner.send_message(&task_id, template)).map(drop)
    }

    /// The task's primary action (`None` once finished).
    pub fn next_action(&self, task_id: String) -> Result<Option<NextAction>, RunsheetError> {
        converted(self.inner.next_action(&task_id))
    }

    /// The shift's primary action (start shift, end break, the next stop's action, end shift).
    pub fn shift_next_action(&self) -> Result<NextAction, RunsheetError> {
        converted(self.inner.shift_next_action())
    }

    /// The grouped task list (now, next, later, done today) in planned order.
    pub fn task_list(&self) -> Result<TaskList, RunsheetError> {
        converted(self.inner.task_list())
    }

    /// The task's timeline (arrivals, actions, contact attempts, exceptions), oldest first.
    pub fn timeline(&self, task_id: String) -> Result<Vec<TimelineEvent>, RunsheetError> {
        converted(self.inner.timeline(&task_id))
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
        converted(self.inner.shift_summary())
    }

    /// The planned route with projected times and risks.
    pub fn route(&self) -> Result<Route, RunsheetError> {
        converted(self.inner.route())
    }

    /// Distance, direction, ETA and risk to the next stop, with maps deep links.
    pub fn next_stop_hint(&self) -> Result<Option<NextStopHint>, RunsheetError> {
        converted(self.inner.next_stop_hint())
    }

    /// The location accuracy and interval to request now (saves battery far from stops).
    pub fn location_request(&self) -> Result<LocationRequest, RunsheetError> {
        converted(self.inner.location_request())
    }

    /// Wipes customer data of tasks ended longer ago than the platform's retention; returns how
    /// many were purged (it also runs on open and after each sync).
    pub fn purge_customer_data(&self) -> Result<u32, RunsheetError> {
        converted(self.inner.purge_customer_data())
    }
}
