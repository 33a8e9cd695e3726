//! A handover between couriers: the courier holding a task asks to hand it over (with a
//! reason), dispatch names the receiving courier, and the goods change hands when the receiving
//! courier has scanned every bag. Until that scan the task stays the first courier's. Each
//! handover travels with its task ([`crate::TaskDoc::handovers`]): the completed ones are the
//! task's chain of custody.

use serde::{Deserialize, Serialize};

/// Why a courier asks to hand a task over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HandoverReason {
    /// The vehicle broke down.
    VehicleBreakdown,
    /// The drop-off is too far for this courier.
    TooFar,
    /// The courier carries more than they can deliver in time.
    Overload,
    /// The courier's shift is ending.
    EndingShift,
    /// The courier does not feel safe going on.
    Safety,
    /// Another reason (the note says which).
    Other,
}

impl HandoverReason {
    /// Every reason, in the order a courier is offered them.
    pub const ALL: [HandoverReason; 6] = [
        HandoverReason::VehicleBreakdown,
        HandoverReason::TooFar,
        HandoverReason::Overload,
        HandoverReason::EndingShift,
        HandoverReason::Safety,
        HandoverReason::Other,
    ];

    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoverReason::VehicleBreakdown => "vehicle_breakdown",
            HandoverReason::TooFar => "too_far",
            HandoverReason::Overload => "overload",
            HandoverReason::EndingShift => "ending_shift",
            HandoverReason::Safety => "safety",
            HandoverReason::Other => "other",
        }
    }

    /// Parses a name written by [`HandoverReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        HandoverReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Where a handover stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HandoverStatus {
    /// Asked for; no receiving courier yet.
    Requested,
    /// Dispatch named the receiving courier; the goods are still with the first courier.
    Assigned,
    /// The receiving courier scanned every bag: the task is theirs.
    Completed,
    /// It did not happen: the first courier finished the task (delivered, failed) or dispatch
    /// cancelled or reassigned it first.
    Void,
}

impl HandoverStatus {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoverStatus::Requested => "requested",
            HandoverStatus::Assigned => "assigned",
            HandoverStatus::Completed => "completed",
            HandoverStatus::Void => "void",
        }
    }

    /// Parses a name written by [`HandoverStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "requested" => HandoverStatus::Requested,
            "assigned" => HandoverStatus::Assigned,
            "completed" => HandoverStatus::Completed,
            "void" => HandoverStatus::Void,
            _ => return None,
        })
    }

    /// Whether the handover may still happen.
    pub fn is_open(self) -> bool {
        matches!(self, HandoverStatus::Requested | HandoverStatus::Assigned)
    }
}

/// Which side of a handover the courier reading the task is on (set by the server for the
/// courier it sends the task to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HandoverSide {
    /// The courier handing the goods over.
    Giver,
    /// The courier taking them.
    Receiver,
}

/// One handover of a task, as the server records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "Handover"))]
pub struct HandoverDoc {
    /// Its number within the task (1 for the first handover of the task).
    pub seq: i64,
    /// The courier handing over.
    pub from_courier: String,
    /// The receiving courier, once dispatch named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_courier: Option<String>,
    /// Why.
    pub reason: HandoverReason,
    /// The first courier's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where it stands.
    pub status: HandoverStatus,
    /// When the request reached the server, Unix seconds.
    pub requested_at: i64,
    /// When dispatch named the receiving courier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<i64>,
    /// When the receiving courier's scan of every bag reached the server (custody passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<i64>,
    /// When the receiving courier scanned the last bag, by their phone's clock corrected to
    /// server time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_at: Option<i64>,
    /// The bags (item codes) the receiving courier scanned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bags: Vec<String>,
    /// When it became void.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_at: Option<i64>,
    /// The side of the courier this copy was sent to (absent in the server's own record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<HandoverSide>,
}

/// Longest note on a handover request, in characters.
pub const MAX_HANDOVER_NOTE_CHARS: usize = 500;

/// `POST /v1/dispatch/tasks/{id}/handover` body: dispatch names the receiving courier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignHandoverRequest {
    /// The receiving courier (on duty, not the one handing over).
    pub courier_id: String,
}

/// Why the server refuses to name a receiving courier (the `code` of the 409 body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverRefusal {
    /// The task has no open handover request.
    NoHandoverRequested,
    /// The receiving courier is the one handing over.
    HandoverToSelf,
    /// The receiving courier is not on duty (off duty or on a break).
    CourierOffDuty,
    /// A receiving courier is already named.
    HandoverAlreadyAssigned,
}

impl HandoverRefusal {
    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoverRefusal::NoHandoverRequested => "no_handover_requested",
            HandoverRefusal::HandoverToSelf => "handover_to_self",
            HandoverRefusal::CourierOffDuty => "courier_off_duty",
            HandoverRefusal::HandoverAlreadyAssigned => "handover_already_assigned",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_by_name() {
        for r in HandoverReason::ALL {
            assert_eq!(HandoverReason::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(HandoverReason::parse("bored"), None);
    }

    #[test]
    fn only_requested_and_assigned_are_open() {
        assert!(HandoverStatus::Requested.is_open());
        assert!(HandoverStatus::Assigned.is_open());
        assert!(!HandoverStatus::Completed.is_open());
        assert!(!HandoverStatus::Void.is_open());
        for s in ["requested", "assigned", "completed", "void"] {
            assert_eq!(HandoverStatus::parse(s).map(|s| s.as_str()), Some(s));
        }
    }
}
