//! The courier's tasks over FFI: the list (flat and grouped), one task and its primary action,
//! the actions with their guards, exceptions, customer contact, the timeline, the evidence
//! bundle and the task-list listener. The types are the core's and the protocol's; the logic
//! stays in the core.

use std::sync::Arc;

use runsheet_protocol::{ContactChannel, ExceptionReason, MessageTemplate};

use crate::{Inner, ListenerBridge, RunsheetError, Subscription, Task, TaskListener};

pub use runsheet_core::evidence::*;
pub use runsheet_core::{Blocker, NextAction, Step, TaskList};
pub use runsheet_core::{Entry as TaskListEntry, Group as TaskGroup};

/// One entry of a task's timeline: the core's own record.
pub use runsheet_core::Event as TimelineEvent;

/// The courier's task list and what they do on each task.
#[derive(uniffi::Object)]
pub struct Tasks {
    inner: Arc<Inner>,
}

impl Tasks {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Tasks {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Tasks {
    /// The courier's tasks: open ones by promised time, then finished ones.
    pub async fn all(&self) -> Result<Vec<Task>, RunsheetError> {
        self.inner.run(|c| c.tasks()).await
    }

    /// The grouped task list (now, next, later, done today) in planned order.
    pub async fn grouped(&self) -> Result<TaskList, RunsheetError> {
        self.inner.run(|c| c.task_list()).await
    }

    /// One task.
    pub async fn task(&self, task_id: String) -> Result<Task, RunsheetError> {
        self.inner.run(move |c| c.task(&task_id)).await
    }

    /// The task's primary action and its blockers (`None` once finished).
    pub async fn next_action(&self, task_id: String) -> Result<Option<NextAction>, RunsheetError> {
        self.inner.run(move |c| c.next_action(&task_id)).await
    }

    /// Subscribes to task-list changes; `listener` gets the whole list at once, then what
    /// each saved change touched.
    pub async fn subscribe(
        &self,
        listener: Arc<dyn TaskListener>,
    ) -> Result<Arc<Subscription>, RunsheetError> {
        let sub = self
            .inner
            .run(move |c| c.subscribe(Arc::new(ListenerBridge(listener))))
            .await?;
        Ok(Subscription::wrap(sub))
    }

    /// Accepts a task.
    pub async fn accept(&self, task_id: String) -> Result<(), RunsheetError> {
        self.inner.run(move |c| c.accept(&task_id).map(drop)).await
    }

    /// Confirms arrival at the task's current stop by hand, with a reason (GPS arrivals are
    /// recorded by the core from the location feed).
    pub async fn arrive_manually(
        &self,
        task_id: String,
        reason: String,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.arrive_manually(&task_id, &reason).map(drop))
            .await
    }

    /// The goods are in the box.
    pub async fn pick_up(&self, task_id: String) -> Result<(), RunsheetError> {
        self.inner.run(move |c| c.pick_up(&task_id).map(drop)).await
    }

    /// Marks the task delivered (the courier must be at the drop-off). Saved on the phone
    /// before this returns; sent on the next sync.
    pub async fn mark_delivered(&self, task_id: String) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.mark_delivered(&task_id).map(drop))
            .await
    }

    /// Marks the task delivered with proof attachments (hashes from `Scans.attach_file`);
    /// saved at once, files sent later.
    pub async fn mark_delivered_with_proof(
        &self,
        task_id: String,
        attachment_hashes: Vec<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| {
                c.mark_delivered_with_proof(&task_id, attachment_hashes)
                    .map(drop)
            })
            .await
    }

    /// Reports an exception with a note and photo hashes (from `Scans.attach_file`); a
    /// merchant delay carries the new ready time. Reasons that end the delivery start the
    /// return leg.
    pub async fn report_exception(
        &self,
        task_id: String,
        reason: ExceptionReason,
        note: Option<String>,
        photo_hashes: Vec<String>,
        new_ready_at: Option<i64>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| {
                c.report_exception(&task_id, reason, note, photo_hashes, new_ready_at)
                    .map(drop)
            })
            .await
    }

    /// The merchant needs `ready_in_minutes` more minutes: the pickup's ready time moves to that
    /// many minutes from now by the core's clock.
    pub async fn report_merchant_delay(
        &self,
        task_id: String,
        note: Option<String>,
        photo_hashes: Vec<String>,
        ready_in_minutes: u32,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| {
                c.report_merchant_delay(&task_id, note, photo_hashes, ready_in_minutes)
                    .map(drop)
            })
            .await
    }

    /// The failed goods are back at the merchant or depot.
    pub async fn mark_returned(&self, task_id: String) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.mark_returned(&task_id).map(drop))
            .await
    }

    /// Moves the drop-off pin to the real door (WGS-84), for the next courier too.
    pub async fn correct_pin(
        &self,
        task_id: String,
        lat: f64,
        lon: f64,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.correct_pin(&task_id, lat, lon).map(drop))
            .await
    }

    /// Records a call or message to the masked number.
    pub async fn record_contact_attempt(
        &self,
        task_id: String,
        channel: ContactChannel,
        answered: bool,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| {
                c.record_contact_attempt(&task_id, channel, answered)
                    .map(drop)
            })
            .await
    }

    /// The template's text filled now (preview before sending).
    pub async fn message_text(
        &self,
        task_id: String,
        template: MessageTemplate,
    ) -> Result<String, RunsheetError> {
        self.inner
            .run(move |c| c.message_text(&task_id, template))
            .await
    }

    /// Queues the filled message; the server sends it through the masked channel.
    pub async fn send_message(
        &self,
        task_id: String,
        template: MessageTemplate,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.send_message(&task_id, template).map(drop))
            .await
    }

    /// The task's timeline (arrivals, actions, contact attempts, exceptions), oldest first.
    pub async fn timeline(&self, task_id: String) -> Result<Vec<TimelineEvent>, RunsheetError> {
        self.inner.run(move |c| c.timeline(&task_id)).await
    }

    /// The task's evidence bundle: its facts, timeline, scans, answers and attachments.
    pub async fn evidence_bundle(&self, task_id: String) -> Result<EvidenceBundle, RunsheetError> {
        self.inner.run(move |c| c.evidence_bundle(&task_id)).await
    }

    /// Wipes customer data of tasks ended longer ago than the platform's retention; returns how
    /// many were purged (it also runs on open and after each sync).
    pub async fn purge_customer_data(&self) -> Result<u32, RunsheetError> {
        self.inner.run(|c| c.purge_customer_data()).await
    }
}
