//! Task-list listeners: each gets the whole list first, then what changed after every write.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::task::Task;

/// What changed in the courier's task list since the listener last heard.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskListUpdate {
    /// The whole list, in display order.
    pub tasks: Vec<Task>,
    /// Ids new to this listener (every id on the first update).
    pub added: Vec<String>,
    /// Ids whose content changed.
    pub updated: Vec<String>,
    /// Ids no longer on the list.
    pub removed: Vec<String>,
}

/// Receives task-list updates. Called on the thread that made the change, after it committed;
/// an implementation should hand the update to its UI thread and return quickly.
pub trait TaskListener: Send + Sync {
    /// The list changed (or this is the first snapshot).
    fn on_update(&self, update: TaskListUpdate);
}

struct Subscriber {
    listener: Arc<dyn TaskListener>,
    seen: Mutex<HashMap<String, i64>>,
}

impl Subscriber {
    fn deliver(&self, tasks: &[Task]) {
        let update = {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let now: HashMap<String, i64> =
                tasks.iter().map(|t| (t.id.clone(), t.local_rev)).collect();
            let mut added = Vec::new();
            let mut updated = Vec::new();
            for t in tasks {
                match seen.get(&t.id) {
                    None => added.push(t.id.clone()),
                    Some(rev) if *rev != t.local_rev => updated.push(t.id.clone()),
                    Some(_) => {}
                }
            }
            let mut removed: Vec<String> = seen
                .keys()
                .filter(|id| !now.contains_key(*id))
                .cloned()
                .collect();
            removed.sort();
            let first = seen.is_empty() && now.is_empty();
            *seen = now;
            if added.is_empty() && updated.is_empty() && removed.is_empty() && !first {
                return;
            }
            TaskListUpdate {
                tasks: tasks.to_vec(),
                added,
                updated,
                removed,
            }
        };
        let listener = &self.listener;
        guard("task listener", || listener.on_update(update));
    }
}

/// Calls a shell's callback so that one that throws or panics cannot take the core down with
/// it (the failure is logged; the core carries on).
pub(crate) fn guard(what: &str, f: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
        tracing::error!(callback = what, "a shell callback failed; ignored");
    }
}

/// The set of current subscribers.
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: AtomicU64,
    subs: Mutex<HashMap<u64, Arc<Subscriber>>>,
}

impl Listeners {
    pub(crate) fn add(&self, listener: Arc<dyn TaskListener>, tasks: &[Task]) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let sub = Arc::new(Subscriber {
            listener,
            seen: Mutex::new(HashMap::new()),
        });
        self.subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, sub.clone());
        sub.deliver(tasks);
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        self.subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    pub(crate) fn notify(&self, tasks: &[Task]) {
        let subs: Vec<Arc<Subscriber>> = self
            .subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        for s in subs {
            s.deliver(tasks);
        }
    }
}

/// Keeps a listener subscribed; dropping it or calling [`Subscription::cancel`] unsubscribes.
pub struct Subscription {
    cancel: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl Subscription {
    pub(crate) fn new(cancel: impl FnOnce() + Send + 'static) -> Self {
        Subscription {
            cancel: Mutex::new(Some(Box::new(cancel))),
        }
    }

    pub(crate) fn for_tasks(listeners: Weak<Listeners>, id: u64) -> Self {
        Self::new(move || {
            if let Some(l) = listeners.upgrade() {
                l.remove(id);
            }
        })
    }

    /// Stops updates to this listener. Safe to call more than once.
    pub fn cancel(&self) {
        let f = self.cancel.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(f) = f {
            f();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// What a sync listener hears: the outbox's state after every action and sync attempt, and the
/// actions the server refused in that sync.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncEvent {
    /// Pending actions, their age and the last outcome.
    pub status: crate::sync::SyncStatus,
    /// Actions the server refused in this sync (each reaches the shell once, here).
    pub new_rejections: Vec<crate::outbox::Rejection>,
    /// The server refused the token and no fresh one could be had: ask the courier to sign in.
    pub auth_required: bool,
    /// Ratings received or changed (appeal decided) in this sync: announce them.
    pub new_ratings: Vec<runsheet_protocol::RatingDoc>,
    /// After-sales cases that ask the courier now (new, or now waiting for a statement):
    /// announce them.
    pub cases_asking: Vec<crate::cases::CourierCase>,
    /// Offers withdrawn while they waited for the courier's answer (by dispatch, or a task
    /// gone elsewhere), by id: tell the courier (the offers page no longer shows them).
    pub withdrawn_offers: Vec<i64>,
    /// Pay lines whose appeal was decided (upheld or rejected) in this sync: announce them.
    pub decided_pay_appeals: Vec<runsheet_protocol::EarningLineDoc>,
}

/// Receives [`SyncEvent`]s. Called after the change is saved, on the thread that made it.
pub trait SyncListener: Send + Sync {
    /// The outbox or the sync state changed.
    fn on_sync_event(&self, event: SyncEvent);
}

/// The set of current sync listeners.
#[derive(Default)]
pub(crate) struct SyncListeners {
    next_id: AtomicU64,
    subs: Mutex<HashMap<u64, Arc<dyn SyncListener>>>,
}

impl SyncListeners {
    pub(crate) fn add(&self, l: Arc<dyn SyncListener>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, l);
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        self.subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    pub(crate) fn snapshot(&self) -> Vec<Arc<dyn SyncListener>> {
        self.subs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }
}
