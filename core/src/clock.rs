//! The time source. Production uses [`SystemClock`]; the QA harness supplies a virtual clock.

/// The time source. Production uses [`SystemClock`]; the QA harness supplies a virtual clock.
pub trait Clock: Send + Sync {
    /// Now, as Unix seconds.
    fn now(&self) -> i64;
}

/// The device's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}
