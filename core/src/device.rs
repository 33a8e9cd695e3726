//! The courier's phone as the concept modules see it: the store, the clock, where the courier
//! is, the route planner, and the one way to record an action. Concept modules (workflow,
//! checklists, scans, ratings, the shift) are functions over a [`Device`]; the `Runsheet` facade
//! owns one and delegates to them.
//!
//! Recording an action runs the workflow's guards, which read checklists and scans, whose own
//! commands record actions: to keep that from being an import loop, the device holds the
//! recording transaction as a function pointer ([`Record`]), set once by the facade to
//! `action::record`. Concept modules call [`Device::act`]; only the facade knows `action`.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use runsheet_protocol::{Action, Settings};
use rusqlite::Transaction;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::location::Tracker;
use crate::route::{self, Planner, Route};
use crate::settings;
use crate::store::{meta_get, Store};
use crate::task::{self, Task};

/// Extra writes an action makes in its own transaction (a scan's row, a checklist answer).
pub(crate) type Also<'a> = &'a mut dyn FnMut(&Transaction<'_>) -> Result<()>;

/// The action transaction: guards, state change, timeline and outbox row, all or nothing.
/// Returns the mutation id.
pub(crate) type Record = fn(&Device, &Action, Also<'_>) -> Result<i64>;

/// What changed since the facade last told its listeners (bits of [`Device::note`]).
pub(crate) mod change {
    /// The task list (tasks, their stops or state).
    pub const TASKS: u8 = 1;
    /// What sync listeners see: the outbox, uploads.
    pub const SYNC_STATE: u8 = 2;
    /// Something new to send: auto-sync should sync soon.
    pub const TO_SEND: u8 = 4;
    /// A courier action: all of the above.
    pub const ACTION: u8 = TASKS | SYNC_STATE | TO_SEND;
}

/// One courier's phone: what every concept module works with.
pub(crate) struct Device {
    /// The SQLite store.
    pub(crate) store: Store,
    /// The time source.
    pub(crate) clock: Arc<dyn Clock>,
    /// Where the courier is.
    pub(crate) tracker: Tracker,
    planner: Mutex<Planner>,
    record: Record,
    changes: AtomicU8,
}

impl Device {
    /// A device over `store`, recording actions with `record`.
    pub(crate) fn new(store: Store, clock: Arc<dyn Clock>, record: Record, fix_cap: u64) -> Self {
        Device {
            store,
            clock,
            tracker: Tracker::new(fix_cap),
            planner: Mutex::new(Planner::default()),
            record,
            changes: AtomicU8::new(0),
        }
    }

    /// Now, by the core's clock.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The platform's settings as last received.
    pub(crate) fn settings(&self) -> Result<Settings> {
        self.store.read(settings::load)
    }

    /// Server time minus device time at the last pull, seconds.
    pub(crate) fn clock_offset(&self) -> Result<Option<i64>> {
        self.store
            .read(|c| Ok(meta_get(c, "clock_offset")?.and_then(|v| v.parse().ok())))
    }

    /// The courier's tasks.
    pub(crate) fn tasks(&self) -> Result<Vec<Task>> {
        self.store.read(task::list)
    }

    /// One task, or [`Error::TaskNotFound`].
    pub(crate) fn task(&self, task_id: &str) -> Result<Task> {
        self.store
            .read(|c| task::get(c, task_id))?
            .ok_or_else(|| Error::TaskNotFound {
                task_id: task_id.to_owned(),
            })
    }

    /// The last reported position.
    pub(crate) fn last_position(&self) -> Option<(f64, f64)> {
        self.tracker.last_position()
    }

    /// The riding speed the plan and the hints use now: the platform's for this hour when it
    /// publishes a profile, else [`route::SPEED_MPS`].
    pub(crate) fn speed_now(&self, now: i64) -> Result<f64> {
        Ok(self.settings()?.speed_at(now).unwrap_or(route::SPEED_MPS))
    }

    /// The open tasks' stops in the planned order, with projected times and risks.
    pub(crate) fn route(&self) -> Result<Route> {
        self.route_for(&self.tasks()?)
    }

    /// The route for `tasks` (the courier's tasks just read).
    pub(crate) fn route_for(&self, tasks: &[Task]) -> Result<Route> {
        let now = self.now();
        let position = self.last_position();
        let speed = self.speed_now(now)?;
        let room = self
            .store
            .read(crate::capacity::vehicle)?
            .map(|v| v.capacity());
        Ok(self
            .planner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .plan_with(tasks, position, now, speed, room))
    }

    /// Records a courier action (see [`Record`]); returns its mutation id.
    pub(crate) fn act(&self, action: Action) -> Result<i64> {
        self.act_with(action, &mut |_| Ok(()))
    }

    /// [`Device::act`] with `also` run in the same transaction.
    pub(crate) fn act_with(&self, action: Action, also: Also<'_>) -> Result<i64> {
        let id = (self.record)(self, &action, also)?;
        self.note(change::ACTION);
        Ok(id)
    }

    /// Notes a change for the facade's listeners.
    pub(crate) fn note(&self, what: u8) {
        self.changes.fetch_or(what, Ordering::SeqCst);
    }

    /// The changes noted since the last call, cleared.
    pub(crate) fn take_changes(&self) -> u8 {
        self.changes.swap(0, Ordering::SeqCst)
    }
}
