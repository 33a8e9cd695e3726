//! Who is waiting for what: long-polling pulls register here per courier, and a commit that
//! changes something for a courier (on this replica directly, on any replica through
//! PostgreSQL's NOTIFY) wakes them. Token revocations travel the same way, so that every
//! replica's cache of verified tokens forgets at once what any replica revoked.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Per-courier wake-ups for waiting pulls.
#[derive(Default)]
pub struct ChangeFeed {
    waiters: Mutex<HashMap<String, Arc<Notify>>>,
    waiting: AtomicI64,
    listening: AtomicBool,
    /// The only process on its store (SQLite): every revocation is made here.
    alone: AtomicBool,
    /// Counts the revocations heard of, and the listener's (re)connections (one may have been
    /// missed while it was away): a verified token is trusted only within one count.
    revocations: AtomicU64,
}

impl ChangeFeed {
    /// Registers a wait for `courier`'s next change. Create it, `enable()` a
    /// `notify().notified()` future, THEN read the store: a change committed in between is not
    /// missed.
    pub fn watch(self: &Arc<Self>, courier: &str) -> Watch {
        let notify = self
            .waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(courier.to_owned())
            .or_default()
            .clone();
        self.waiting.fetch_add(1, Ordering::SeqCst);
        Watch {
            feed: self.clone(),
            courier: courier.to_owned(),
            notify,
        }
    }

    /// Wakes `courier`'s waiting pulls (`*`: everyone's).
    pub fn notify(&self, courier: &str) {
        let waiters = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        if courier == "*" {
            for n in waiters.values() {
                n.notify_waiters();
            }
        } else if let Some(n) = waiters.get(courier) {
            n.notify_waiters();
        }
    }

    /// Pulls waiting right now.
    pub fn waiting(&self) -> i64 {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Whether changes committed by other replicas reach this one (PostgreSQL's listener is
    /// connected). Always false on SQLite, where there are no other replicas.
    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    pub(crate) fn set_listening(&self, on: bool) {
        if on {
            // Connected (again): a revocation may have been missed while away.
            self.revocations.fetch_add(1, Ordering::SeqCst);
        }
        self.listening.store(on, Ordering::SeqCst);
    }

    pub(crate) fn set_alone(&self) {
        self.alone.store(true, Ordering::SeqCst);
    }

    /// Some replica revoked tokens (heard through PostgreSQL's NOTIFY, or made here).
    pub fn tokens_revoked(&self) {
        self.revocations.fetch_add(1, Ordering::SeqCst);
    }

    /// The revocations heard of so far (see [`ChangeFeed::tokens_revoked`]); a token verified
    /// under an older count must be verified again.
    pub fn revocation_count(&self) -> u64 {
        self.revocations.load(Ordering::SeqCst)
    }

    /// Whether every revocation reaches this replica as it commits: it is alone on its store,
    /// or its listener is connected. When not, a verified token must be checked again soon.
    pub fn hears_every_revocation(&self) -> bool {
        self.alone.load(Ordering::SeqCst) || self.listening()
    }
}

/// A registered wait; dropping it unregisters.
pub struct Watch {
    feed: Arc<ChangeFeed>,
    courier: String,
    notify: Arc<Notify>,
}

impl Watch {
    /// The shared wake-up; call `notified()` on it and `enable()` the future before reading.
    pub fn notify(&self) -> &Notify {
        &self.notify
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.feed.waiting.fetch_sub(1, Ordering::SeqCst);
        let mut waiters = self.feed.waiters.lock().unwrap_or_else(|p| p.into_inner());
        // The map's reference and ours: nobody else waits for this courier.
        if Arc::strong_count(&self.notify) <= 2 {
            waiters.remove(&self.courier);
        }
    }
}
