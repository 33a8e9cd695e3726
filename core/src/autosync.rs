//! Automatic sync: after each courier action, when the shell says the network is back, and
//! periodically; failures back off exponentially with jitter and honour the server's
//! `Retry-After`. The policy lives here so that no shell re-implements it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;

use crate::error::Error;

/// What the loop drives: the core, seen only through what auto-sync needs, so this module
/// does not know the facade (which implements it).
pub(crate) trait Host: Send + Sync + 'static {
    /// Pushes and pulls now (one sync at a time; a failure changes nothing).
    async fn sync_now(&self) -> Result<(), Error>;
    /// The platform's sync interval, once it has published settings.
    fn published_interval(&self) -> Option<Duration>;
    /// Waits up to `wait` for the server to have something new; true if it has.
    async fn wait_for_changes(&self, wait: Duration) -> Result<bool, Error>;
}

/// When to sync on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoSyncPolicy {
    /// Sync at least this often while all is well.
    pub interval: Duration,
    /// First retry delay after a failure (doubled each further failure).
    pub base_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
}

impl Default for AutoSyncPolicy {
    fn default() -> Self {
        AutoSyncPolicy {
            interval: Duration::from_secs(60),
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
        }
    }
}

impl AutoSyncPolicy {
    /// The wait after `failures` consecutive failures (0 = none): half the exponential step plus
    /// a random part of the other half ("equal jitter", so phones that lost the network together
    /// do not retry together), never less than the server's `Retry-After`, never more than
    /// `max_backoff` unless the server asked for longer.
    pub fn delay(&self, failures: u32, retry_after: Option<u64>, rng: &mut impl Rng) -> Duration {
        let base = if failures == 0 {
            self.interval
        } else {
            let exp = self
                .base_backoff
                .saturating_mul(1u32 << (failures - 1).min(20));
            let step = exp.min(self.max_backoff);
            let half = step / 2;
            half + rng.gen_range(Duration::ZERO..=half)
        };
        match retry_after {
            Some(s) => base.max(Duration::from_secs(s)),
            None => base,
        }
    }
}

/// Whether a push notification's data payload (FCM `data` or APNs user info, as JSON) is
/// Runsheet's sync hint: `{"runsheet": "sync"}` at the top level or under `data`. A payload
/// that is not a JSON object is an [`Error::InvalidArgument`].
pub(crate) fn is_sync_hint(payload: &str) -> Result<bool, Error> {
    let v: serde_json::Value = serde_json::from_str(payload)
        .map_err(|e| Error::InvalidArgument(format!("push payload is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(Error::InvalidArgument(
            "push payload is not a JSON object".into(),
        ));
    }
    let hint = |o: &serde_json::Value| o.get("runsheet").and_then(|h| h.as_str()) == Some("sync");
    Ok(hint(&v) || v.get("data").is_some_and(hint))
}

/// How long one foreground long-poll waits for a change before the loop syncs and asks again.
pub const LONG_POLL: Duration = Duration::from_secs(25);

/// The running loop's controls, kept by the core.
pub(crate) struct AutoSync {
    kick: Arc<Notify>,
    reset: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl AutoSync {
    /// Starts the loop on its own thread. It holds only a weak reference to the core, so
    /// dropping the core ends it.
    pub(crate) fn start<H: Host>(
        core: Weak<H>,
        policy: AutoSyncPolicy,
        foreground: Arc<AtomicBool>,
    ) -> std::io::Result<Self> {
        let kick = Arc::new(Notify::new());
        let reset = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (k, r, s) = (kick.clone(), reset.clone(), stop.clone());
        std::thread::Builder::new()
            .name("runsheet-autosync".into())
            .spawn(move || rt.block_on(run(core, policy, k, r, s, foreground)))?;
        Ok(AutoSync { kick, reset, stop })
    }

    /// Sync soon (after an action).
    pub(crate) fn kick(&self) {
        self.kick.notify_one();
    }

    /// The network is back: forget the backoff and sync now.
    pub(crate) fn network_available(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.kick.notify_one();
    }
}

impl Drop for AutoSync {
    fn drop(&mut self) {
        // Not joined: the loop may be the one dropping the core.
        self.stop.store(true, Ordering::SeqCst);
        self.kick.notify_one();
    }
}

async fn run<H: Host>(
    weak: Weak<H>,
    policy: AutoSyncPolicy,
    kick: Arc<Notify>,
    reset: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    foreground: Arc<AtomicBool>,
) {
    let mut rng = rand::thread_rng();
    let mut failures: u32 = 0;
    // Sync once at start: the app was just opened or the loop just enabled.
    let mut wait = Duration::ZERO;
    loop {
        if wait > Duration::ZERO {
            tokio::select! {
                _ = kick.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if reset.swap(false, Ordering::SeqCst) {
            failures = 0;
        }
        let Some(core) = weak.upgrade() else { break };
        let outcome = core.sync_now().await;
        // The platform's interval, once published, replaces the shell's.
        let interval = core.published_interval().unwrap_or(policy.interval);
        drop(core);
        let retry_after = match outcome {
            Ok(_) => {
                failures = 0;
                None
            }
            Err(Error::AuthRequired) => {
                // Retrying cannot help until the courier signs in; wait for a kick.
                tracing::info!("auto-sync paused until the courier signs in again");
                kick.notified().await;
                continue;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                e.retry_after()
            }
        };
        wait = AutoSyncPolicy { interval, ..policy }.delay(failures, retry_after, &mut rng);
        // In the foreground, and while all is well, wait for the server's next change with a
        // long-poll instead of the interval: a new task shows within about a second. A courier
        // action (kick) or leaving the foreground ends the wait.
        // A long-poll that runs out quietly is asked again without a sync until the interval is
        // due, so a foreground phone costs the server one cheap request per 25 s.
        if failures == 0 && foreground.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
            let synced_at = tokio::time::Instant::now();
            let waited = loop {
                let Some(core) = weak.upgrade() else {
                    return;
                };
                let r = tokio::select! {
                    _ = kick.notified() => Ok(true),
                    r = core.wait_for_changes(LONG_POLL) => r,
                };
                drop(core);
                let quiet = matches!(r, Ok(false));
                if quiet
                    && synced_at.elapsed() < interval
                    && foreground.load(Ordering::SeqCst)
                    && !stop.load(Ordering::SeqCst)
                {
                    continue;
                }
                break r;
            };
            match waited {
                Ok(_) => wait = Duration::ZERO,
                Err(e) => {
                    tracing::debug!(error = %e, "long-poll failed; backing off");
                    failures = 1;
                    wait = policy.delay(failures, e.retry_after(), &mut rng);
                }
            }
            continue;
        }
        tracing::debug!(
            failures,
            wait_ms = wait.as_millis() as u64,
            "auto-sync waiting"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = AutoSyncPolicy {
            interval: Duration::from_secs(60),
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
        };
        let mut rng = StdRng::seed_from_u64(7);
        assert_eq!(p.delay(0, None, &mut rng), Duration::from_secs(60));
        for failures in 1..=12u32 {
            let step = (Duration::from_secs(2) * 2u32.pow(failures - 1)).min(p.max_backoff);
            for _ in 0..50 {
                let d = p.delay(failures, None, &mut rng);
                assert!(
                    d >= step / 2 && d <= step,
                    "{failures}: {d:?} not in [{:?}, {step:?}]",
                    step / 2
                );
            }
        }
        // Jitter really varies.
        let a: Vec<Duration> = (0..10).map(|_| p.delay(5, None, &mut rng)).collect();
        assert!(a.iter().any(|d| *d != a[0]));
        // No overflow at absurd failure counts.
        assert!(p.delay(u32::MAX, None, &mut rng) <= p.max_backoff);
    }

    #[test]
    fn retry_after_is_a_floor() {
        let p = AutoSyncPolicy::default();
        let mut rng = StdRng::seed_from_u64(1);
        assert!(p.delay(1, Some(120), &mut rng) >= Duration::from_secs(120));
        assert!(p.delay(0, Some(600), &mut rng) >= Duration::from_secs(600));
        assert!(p.delay(1, Some(0), &mut rng) <= Duration::from_secs(2));
    }
}
