//! A nearby courier takes a handover: the open handover requests (asked for, no receiving
//! courier named yet) near a courier, as `GET /v1/handovers/nearby?lat=&lon=` lists them, and
//! what `POST /v1/handovers/{task_id}/take` answers. Taking one names the taker as the receiving
//! courier by the same rules as dispatch naming one; the goods still change hands only when the
//! taker has scanned every bag.

use serde::{Deserialize, Serialize};

use crate::HandoverReason;

/// How far from the asking courier an open handover request is listed, in metres.
pub const NEARBY_HANDOVER_RADIUS_M: u32 = 3_000;

/// One open handover request near the asking courier. It carries no customer's name, phone
/// or address: only what a courier needs to decide to take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NearbyHandover {
    /// The task to be handed over.
    pub task_id: String,
    /// The handover's number within the task.
    pub seq: i64,
    /// Why the courier holding it asks to hand it over.
    pub reason: HandoverReason,
    /// Their note, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How many bags change hands.
    pub bags: u32,
    /// Metres from the asking courier to the courier handing over (their last location fix the
    /// server holds, else the task's pickup, else its drop-off), as the crow flies.
    pub distance_m: u32,
    /// When the request reached the server, Unix seconds.
    pub requested_at: i64,
}

/// `GET /v1/handovers/nearby` answer: open requests within
/// [`NEARBY_HANDOVER_RADIUS_M`], nearest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NearbyHandovers {
    /// The requests, nearest first.
    pub handovers: Vec<NearbyHandover>,
}

/// `POST /v1/handovers/{task_id}/take` answer: the taker is the receiving courier; their next
/// pull brings the task as an incoming handover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakenHandover {
    /// The task.
    pub task_id: String,
    /// The handover taken.
    pub seq: i64,
}

/// Whether (`lat`, `lon`) is a position on Earth (degrees, WGS 84).
pub fn valid_position(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_off_the_globe_are_not_valid() {
        assert!(valid_position(31.23, 121.47));
        assert!(!valid_position(91.0, 0.0));
        assert!(!valid_position(0.0, -180.5));
        assert!(!valid_position(f64::NAN, 0.0));
    }
}
