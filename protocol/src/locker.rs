//! Lockers and pickup points: a drop-off that is a parcel locker or a staffed pickup point
//! instead of the customer's door. The courier proves the drop-off by scanning the locker's
//! code and the compartment's code; the customer collects with a pickup code the platform gives
//! them (the courier sees it only to pass on at a staffed point; it is never logged).

use serde::{Deserialize, Serialize};

/// Whether the drop-off is a machine or a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LockerKind {
    /// A parcel locker bank with compartments.
    Locker,
    /// A staffed pickup point (a shop's counter) with numbered shelves.
    PickupPoint,
}

impl LockerKind {
    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LockerKind::Locker => "locker",
            LockerKind::PickupPoint => "pickup_point",
        }
    }
}

/// The locker or pickup point a task's drop-off is, as the platform sends it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LockerDoc {
    /// A locker bank or a counter.
    pub kind: LockerKind,
    /// The platform's id of the locker bank or point.
    pub locker_id: String,
    /// The code on the locker's (or the point's) label, which the courier scans there: the
    /// proof that the goods went into this locker.
    pub code: String,
    /// The customer's pickup code, from the platform (the courier passes it on at a staffed
    /// point; personal data, never logged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_code: Option<String>,
}

impl std::fmt::Debug for LockerDoc {
    /// Without the customer's pickup code.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockerDoc")
            .field("kind", &self.kind)
            .field("locker_id", &self.locker_id)
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

impl LockerDoc {
    /// Why the platform's locker cannot be stored, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        if self.locker_id.trim().is_empty() || self.code.trim().is_empty() {
            return Some("a locker needs its id and the code on its label");
        }
        if self.code.len() > 256 || self.locker_id.len() > 256 {
            return Some("a locker's id and code are at most 256 characters");
        }
        None
    }

    /// Whether a scanned code is this locker's label (surrounding blanks ignored).
    pub fn matches(&self, scanned: &str) -> bool {
        scanned.trim() == self.code.trim()
    }
}

/// Whether a compartment code is usable: 1 to 64 printable characters.
pub fn compartment_problem(compartment: &str) -> Option<&'static str> {
    let c = compartment.trim();
    if c.is_empty() {
        return Some("the compartment code is empty");
    }
    if c.chars().count() > 64 || c.chars().any(char::is_control) {
        return Some("the compartment code is at most 64 printable characters");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locker_matches_its_label_and_never_prints_the_pickup_code() {
        let l = LockerDoc {
            kind: LockerKind::Locker,
            locker_id: "L-17".into(),
            code: "LOCKER-17-A".into(),
            pickup_code: Some("884213".into()),
        };
        assert!(l.matches(" LOCKER-17-A "));
        assert!(!l.matches("LOCKER-18-A"));
        assert!(!format!("{l:?}").contains("884213"));
        assert_eq!(l.problem(), None);
        assert_eq!(
            compartment_problem(" "),
            Some("the compartment code is empty")
        );
        assert_eq!(compartment_problem("B07"), None);
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(serde_json::from_str::<LockerDoc>(&json).unwrap(), l);
    }
}

/// `GET /v1/dispatch/tasks/{id}/locker-drop`: the proof of a locker drop-off as the server
/// recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockerDrop {
    /// The task.
    pub task_id: String,
    /// The courier who dropped it.
    pub courier_id: String,
    /// The platform's id of the locker bank or point.
    pub locker_id: String,
    /// The locker's label as scanned (it matched the task's locker).
    pub locker_code: String,
    /// The compartment or shelf the goods went into.
    pub compartment: String,
    /// When the server received it, Unix seconds.
    pub dropped_at: i64,
}
