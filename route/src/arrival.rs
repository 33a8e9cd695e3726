//! Arrival detection from GPS fixes that does not flip on jitter: fixes too inaccurate or
//! implying an impossible ride are ignored, and arriving or leaving needs a dwell time on the
//! other side of a radius with hysteresis.

use crate::travel::distance_m;

/// Fixes reporting a worse accuracy than this are ignored for arrivals and distance, metres.
pub const MAX_FIX_ACCURACY_M: f64 = 50.0;
/// A fix implying a faster ride than this since the last accepted one is a GPS jump, m/s.
pub const MAX_RIDE_SPEED_MPS: f64 = 40.0;
/// Arrival radius at a pickup (merchants cluster in malls; the door is often off the pin).
pub const PICKUP_RADIUS_M: f64 = 60.0;
/// Arrival radius at a drop-off.
pub const DROPOFF_RADIUS_M: f64 = 50.0;

/// One GPS fix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Reported horizontal accuracy, metres.
    pub accuracy_m: f64,
    /// When, Unix seconds.
    pub at: i64,
}

/// A change of presence at the stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The courier has arrived (stayed inside the radius for the dwell time).
    Arrived,
    /// The courier has left (stayed beyond the exit radius for the dwell time).
    Left,
}

/// Arrival detection for one stop: fixes worse than `max_accuracy_m` are ignored, a fix that
/// implies riding faster than `max_speed_mps` since the last accepted one is a GPS jump and is
/// ignored, arrival needs `dwell_s` inside `radius_m`, and leaving needs `dwell_s` beyond a
/// larger exit radius, so jitter at the edge never flips the state.
#[derive(Debug, Clone)]
pub struct ArrivalDetector {
    stop: (f64, f64),
    radius_m: f64,
    exit_radius_m: f64,
    dwell_s: i64,
    max_accuracy_m: f64,
    max_speed_mps: f64,
    arrived: bool,
    /// Since when the fixes have been on the other side of the current state.
    crossing_since: Option<i64>,
    last: Option<Fix>,
    travelled_m: f64,
}

impl ArrivalDetector {
    /// A detector for a stop with the given radius (exit radius 1.5×, dwell 20 s, fixes up to
    /// 50 m accuracy, jumps above 40 m/s rejected).
    pub fn new(stop: (f64, f64), radius_m: f64) -> Self {
        ArrivalDetector {
            stop,
            radius_m,
            exit_radius_m: radius_m * 1.5,
            dwell_s: 20,
            max_accuracy_m: MAX_FIX_ACCURACY_M,
            max_speed_mps: MAX_RIDE_SPEED_MPS,
            arrived: false,
            crossing_since: None,
            last: None,
            travelled_m: 0.0,
        }
    }

    /// Whether the courier is at the stop.
    pub fn arrived(&self) -> bool {
        self.arrived
    }

    /// Metres ridden along the accepted fixes.
    pub fn travelled_m(&self) -> f64 {
        self.travelled_m
    }

    /// Feeds a fix; returns a presence change if this fix completes one.
    pub fn feed(&mut self, fix: Fix) -> Option<Presence> {
        let usable = fix.lat.is_finite() && fix.lon.is_finite() && fix.accuracy_m.is_finite();
        if !usable || fix.accuracy_m > self.max_accuracy_m {
            return None;
        }
        if let Some(last) = self.last {
            if fix.at < last.at {
                return None; // out of order
            }
            let moved = distance_m((last.lat, last.lon), (fix.lat, fix.lon));
            let dt = fix.at.saturating_sub(last.at).max(1) as f64;
            if moved / dt > self.max_speed_mps {
                return None; // a jump, not a ride
            }
            self.travelled_m += moved;
        }
        self.last = Some(fix);
        let d = distance_m(self.stop, (fix.lat, fix.lon));
        let crossing = if self.arrived {
            d > self.exit_radius_m
        } else {
            d <= self.radius_m
        };
        if !crossing {
            self.crossing_since = None;
            return None;
        }
        let since = *self.crossing_since.get_or_insert(fix.at);
        if fix.at.saturating_sub(since) < self.dwell_s {
            return None;
        }
        self.crossing_since = None;
        self.arrived = !self.arrived;
        Some(if self.arrived {
            Presence::Arrived
        } else {
            Presence::Left
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOP: (f64, f64) = (30.2745, 120.1620);

    /// A point `m` metres north of the stop.
    fn north(m: f64) -> (f64, f64) {
        (STOP.0 + m / 111_195.0, STOP.1)
    }

    fn fix(p: (f64, f64), at: i64, acc: f64) -> Fix {
        Fix {
            lat: p.0,
            lon: p.1,
            accuracy_m: acc,
            at,
        }
    }

    #[test]
    fn jitter_at_the_edge_never_flips_arrival() {
        let mut d = ArrivalDetector::new(STOP, 50.0);
        // Approach, then sit 45-75 m away for ten minutes: in and out of the radius by noise.
        let mut events = Vec::new();
        for t in 0..120 {
            let m = if t % 2 == 0 { 45.0 } else { 75.0 };
            if let Some(e) = d.feed(fix(north(m), t * 5, 8.0)) {
                events.push(e);
            }
        }
        assert!(events.is_empty(), "{events:?}");
        // Inside for the dwell time: arrived, once.
        for t in 120..130 {
            if let Some(e) = d.feed(fix(north(20.0), t * 5, 8.0)) {
                events.push(e);
            }
        }
        assert_eq!(events, [Presence::Arrived]);
        // Jitter between 40 and 70 m once arrived (inside the 75 m exit radius): stays arrived.
        for t in 130..200 {
            let m = if t % 2 == 0 { 40.0 } else { 70.0 };
            assert_eq!(d.feed(fix(north(m), t * 5, 8.0)), None);
        }
        assert!(d.arrived());
        // Riding away: left, once.
        let mut left = Vec::new();
        for t in 200..220 {
            if let Some(e) = d.feed(fix(north(80.0 + (t - 200) as f64 * 20.0), t * 5, 8.0)) {
                left.push(e);
            }
        }
        assert_eq!(left, [Presence::Left]);
    }

    #[test]
    fn inaccurate_fixes_and_jumps_are_ignored() {
        let mut d = ArrivalDetector::new(STOP, 50.0);
        d.feed(fix(north(2000.0), 0, 5.0));
        // A fix at the door but with 300 m accuracy, and a jump of 2 km in 5 s: both ignored.
        for t in 1..20 {
            assert_eq!(d.feed(fix(north(0.0), t, 300.0)), None);
        }
        for t in 20..40 {
            assert_eq!(
                d.feed(fix(north(0.0), t, 5.0)),
                None,
                "a 2 km jump must not count"
            );
        }
        assert!(!d.arrived());
        assert!(d.travelled_m() < 1.0);
        // Out-of-order fixes are ignored too.
        assert_eq!(d.feed(fix(north(1990.0), -5, 5.0)), None);
        // So are fixes that are not coordinates at all: they do not poison the odometer.
        assert_eq!(d.feed(fix((f64::NAN, STOP.1), 50, 5.0)), None);
        assert_eq!(d.feed(fix(STOP, 60, f64::INFINITY)), None);
        assert!(d.travelled_m() < 1.0);
    }
}
