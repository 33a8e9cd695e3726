//! Navigation hints for the stop the courier is heading to: straight-line distance, compass
//! direction, expected arrival and the risk of missing the promised time.

use crate::travel::{bearing_deg, compass, distance_m};

/// Whether the courier will make the promised time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Risk {
    /// Arrives with a margin.
    OnTime,
    /// Arrives within the margin of the promised time.
    AtRisk,
    /// Arrives after it.
    Late,
}

/// What the shell shows for the next stop.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// Straight-line distance, metres.
    pub distance_m: f64,
    /// Bearing, degrees from north.
    pub bearing_deg: f64,
    /// Bearing in words ("north-east").
    pub compass: &'static str,
    /// Expected arrival, Unix seconds.
    pub eta: i64,
    /// Against the stop's promised time, if it has one.
    pub risk: Option<Risk>,
}

/// Margin under which an arrival counts as at risk: 5 minutes.
pub const AT_RISK_MARGIN_S: i64 = 300;

/// A hint from `from` to `to` at `now`, riding at `speed_mps` on roads `detour` times longer
/// than the straight line.
pub fn hint(
    from: (f64, f64),
    to: (f64, f64),
    now: i64,
    due_by: Option<i64>,
    speed_mps: f64,
    detour: f64,
) -> Hint {
    let d = distance_m(from, to);
    let b = bearing_deg(from, to);
    let eta = now.saturating_add((d * detour / speed_mps.max(0.1)).round() as i64);
    let risk = risk(eta, due_by);
    Hint {
        distance_m: d,
        bearing_deg: b,
        compass: compass(b),
        eta,
        risk,
    }
}

/// The risk of arriving at `eta` against a promised time `due_by`.
pub fn risk(eta: i64, due_by: Option<i64>) -> Option<Risk> {
    due_by.map(|due| {
        if eta > due {
            Risk::Late
        } else if eta > due.saturating_sub(AT_RISK_MARGIN_S) {
            Risk::AtRisk
        } else {
            Risk::OnTime
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOP: (f64, f64) = (30.2745, 120.1620);

    #[test]
    fn hints_give_distance_direction_eta_and_risk() {
        let from = (30.2700, 120.1620);
        let h = hint(from, STOP, 1000, Some(1000 + 3600), 4.0, 1.0);
        assert!((h.distance_m - 500.4).abs() < 1.0, "{}", h.distance_m);
        assert_eq!(h.compass, "north");
        assert_eq!(h.eta, 1000 + 125);
        assert_eq!(h.risk, Some(Risk::OnTime));
        assert_eq!(
            hint(from, STOP, 1000, Some(1000 + 200), 4.0, 1.0).risk,
            Some(Risk::AtRisk)
        );
        assert_eq!(
            hint(from, STOP, 1000, Some(1000 + 60), 4.0, 1.0).risk,
            Some(Risk::Late)
        );
        assert_eq!(hint(from, STOP, 1000, None, 4.0, 1.0).risk, None);
        // Times at the ends of the range saturate instead of overflowing.
        assert_eq!(risk(i64::MAX, Some(i64::MIN)), Some(Risk::Late));
        assert_eq!(hint(from, STOP, i64::MAX, None, 4.0, 1.0).eta, i64::MAX);
        assert_eq!(compass(bearing_deg(STOP, (30.2745, 120.17))), "east");
        assert_eq!(compass(bearing_deg(STOP, (30.27, 120.157))), "south-west");
        assert_eq!(compass(359.0), "north");
    }
}
