//! The terminal's location source: the courier "rides" to a stop by key, and GPS fixes at the
//! stop's coordinates are fed to the core, a few over half a minute, so the core's own arrival
//! detection (which wants the courier to stay a while) records the arrival.

use std::sync::Arc;
use std::thread::JoinHandle;

use runsheet_core::Runsheet;

/// Fixes fed at a stop, and seconds between them (the core's dwell is 20 s).
const FIXES: u32 = 4;
const FIX_INTERVAL_S: u64 = 10;
/// A phone's good GPS accuracy, metres.
const ACCURACY_M: f64 = 5.0;

/// How time passes between fixes.
pub trait Pace: Send + Sync {
    /// Lets `seconds` go by.
    fn wait(&self, seconds: u64);
}

/// Real time.
pub struct WallPace;

impl Pace for WallPace {
    fn wait(&self, seconds: u64) {
        std::thread::sleep(std::time::Duration::from_secs(seconds));
    }
}

/// Feeds fixes to the core.
pub struct LocationSource {
    pace: Arc<dyn Pace>,
    /// Ride on a thread of its own (the terminal stays live), or before returning.
    background: bool,
    ride: Option<JoinHandle<()>>,
}

impl LocationSource {
    /// A source whose time passes by `pace`; `background`: rides do not block the caller.
    pub fn new(pace: Arc<dyn Pace>, background: bool) -> Self {
        LocationSource {
            pace,
            background,
            ride: None,
        }
    }

    /// Whether a ride is still under way.
    pub fn riding(&self) -> bool {
        self.ride.as_ref().is_some_and(|r| !r.is_finished())
    }

    /// Rides to (`lat`, `lon`): fixes there, `FIX_INTERVAL_S` apart.
    pub fn ride_to(&mut self, core: Arc<Runsheet>, lat: f64, lon: f64) {
        if self.riding() {
            return;
        }
        let pace = self.pace.clone();
        let ride = move || {
            for i in 0..FIXES {
                if i > 0 {
                    pace.wait(FIX_INTERVAL_S);
                }
                if let Err(e) = core.record_location(lat, lon, ACCURACY_M) {
                    tracing::warn!(error = %e, "a location fix was not recorded");
                    return;
                }
            }
        };
        if self.background {
            self.ride = Some(std::thread::spawn(ride));
        } else {
            ride();
        }
    }
}
