//! The server's clock: what stamps every time the server records and answers. The system clock
//! in production; a virtual one (Unix seconds the QA harness advances) when a test runs a
//! shift's hours in seconds. Passed to whatever needs the time; nothing reads a global.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The system clock, or a virtual one. Cloning is cheap (clones share a virtual clock).
#[derive(Clone, Default)]
pub struct Clock {
    virtual_now: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock { virtual_now: None }
    }

    /// A clock that reads `now` (Unix seconds) when given, the system clock otherwise
    /// (the shape of [`crate::ServerConfig::clock`]).
    pub fn new(now: Option<Arc<AtomicI64>>) -> Self {
        Clock { virtual_now: now }
    }

    /// Now, Unix seconds.
    pub fn now(&self) -> i64 {
        match &self.virtual_now {
            Some(t) => t.load(Ordering::SeqCst),
            None => chrono::Utc::now().timestamp(),
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.virtual_now {
            Some(_) => f.write_str("Clock(virtual)"),
            None => f.write_str("Clock(system)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_clock_reads_what_its_owner_sets() {
        let t = Arc::new(AtomicI64::new(1_800_000_000));
        let clock = Clock::new(Some(t.clone()));
        assert_eq!(clock.now(), 1_800_000_000);
        t.store(1_800_003_600, Ordering::SeqCst);
        assert_eq!(clock.clone().now(), 1_800_003_600);
    }

    #[test]
    fn the_system_clock_reads_the_time_of_day() {
        let before = chrono::Utc::now().timestamp();
        let now = Clock::system().now();
        assert!(now >= before && now <= chrono::Utc::now().timestamp());
    }
}
