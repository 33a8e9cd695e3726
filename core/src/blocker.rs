//! What must happen before the workflow allows an action, in words a shell can show. Low in the
//! core: the error type carries blockers, and the workflow, ratings and task list make them.

use runsheet_protocol::StopRole;

/// Something that must happen before an action is allowed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi::export(Display))]
pub enum Blocker {
    /// GPS has not detected the arrival; the courier can confirm it by hand with a reason.
    NotArrived {
        /// Which stop.
        stop: StopRole,
        /// Straight-line distance from the last fix, metres, if one is known.
        distance_m: Option<f64>,
    },
    /// The courier is on a break.
    OnBreak,
    /// The shift has not started.
    ShiftNotStarted,
    /// Not enough unanswered contact attempts to call the customer unreachable.
    ContactAttemptsNeeded {
        /// Attempts made.
        made: u32,
        /// Attempts needed.
        needed: u32,
    },
    /// The wait timer at the door is still running.
    WaitAtDoor {
        /// When it runs out, Unix seconds.
        until: i64,
        /// Seconds left.
        seconds_left: i64,
    },
    /// The report needs at least one photo.
    PhotoRequired,
    /// The report or manual confirmation needs a reason or note.
    ReasonRequired,
    /// The courier must be at the drop-off first.
    NotAtDropoff,
    /// Goods are still in the box.
    GoodsOnBoard {
        /// Tasks with goods on board.
        tasks: u32,
    },
    /// The new ready time is not in the future.
    ReadyTimeNotInFuture,
    /// A merchant delay can only be reported before the goods are picked up.
    AlreadyPickedUp,
    /// Items of the handoff are not confirmed yet (scan them, or confirm by hand).
    ItemsNotConfirmed {
        /// Confirmed so far.
        confirmed: u32,
        /// Expected.
        expected: u32,
        /// Names of the missing items.
        missing: Vec<String>,
    },
    /// A manual confirmation needs a photo of the item (damaged label).
    PhotoOfItemRequired,
    /// Required checklist items of the stage are not done.
    ChecklistIncomplete {
        /// Which checklist.
        stage: runsheet_protocol::ChecklistStage,
        /// Labels of the missing items.
        missing: Vec<String>,
    },
    /// The window to appeal this rating has passed.
    AppealWindowClosed {
        /// Its length, hours.
        hours: u32,
    },
    /// The window to rate this task's stops has passed.
    RatingWindowClosed {
        /// Its length, hours.
        hours: u32,
    },
    /// The platform's proof of delivery is missing.
    ProofMissing {
        /// What it asks for.
        policy: runsheet_protocol::ProofPolicy,
    },
}

impl Blocker {
    /// A stable code for shells and QA scenarios.
    pub fn code(&self) -> &'static str {
        match self {
            Blocker::NotArrived { .. } => "not_arrived",
            Blocker::OnBreak => "on_break",
            Blocker::ShiftNotStarted => "shift_not_started",
            Blocker::ContactAttemptsNeeded { .. } => "contact_attempts_needed",
            Blocker::WaitAtDoor { .. } => "wait_at_door",
            Blocker::PhotoRequired => "photo_required",
            Blocker::ReasonRequired => "reason_required",
            Blocker::NotAtDropoff => "not_at_dropoff",
            Blocker::GoodsOnBoard { .. } => "goods_on_board",
            Blocker::ReadyTimeNotInFuture => "ready_time_not_in_future",
            Blocker::AlreadyPickedUp => "already_picked_up",
            Blocker::ItemsNotConfirmed { .. } => "items_not_confirmed",
            Blocker::PhotoOfItemRequired => "photo_of_item_required",
            Blocker::ChecklistIncomplete { .. } => "checklist_incomplete",
            Blocker::ProofMissing { .. } => "proof_missing",
            Blocker::AppealWindowClosed { .. } => "appeal_window_closed",
            Blocker::RatingWindowClosed { .. } => "rating_window_closed",
        }
    }

    /// What to do, in words a shell can show (no personal data).
    pub fn message(&self) -> String {
        match self {
            Blocker::NotArrived { stop, distance_m } => match distance_m {
                Some(d) => format!(
                    "GPS has not detected your arrival at {} ({} away); confirm it by hand with a reason",
                    stop.label(),
                    format_distance(*d)
                ),
                None => format!(
                    "GPS has not detected your arrival at {}; confirm it by hand with a reason",
                    stop.label()
                ),
            },
            Blocker::OnBreak => "you are on a break; end it first".into(),
            Blocker::ShiftNotStarted => "start your shift first".into(),
            Blocker::ContactAttemptsNeeded { made, needed } => format!(
                "try to reach the customer {needed} times first ({made} unanswered so far)"
            ),
            Blocker::WaitAtDoor { seconds_left, .. } => format!(
                "wait at the door {} more before reporting the customer unreachable",
                format_duration(*seconds_left)
            ),
            Blocker::PhotoRequired => "add at least one photo".into(),
            Blocker::ReasonRequired => "give a reason".into(),
            Blocker::NotAtDropoff => "get to the drop-off first".into(),
            Blocker::GoodsOnBoard { tasks } => format!(
                "{tasks} task(s) still have goods in your box; deliver or return them first"
            ),
            Blocker::ReadyTimeNotInFuture => "the new ready time must be in the future".into(),
            Blocker::AlreadyPickedUp => {
                "the goods are already picked up; a merchant delay no longer applies".into()
            }
            Blocker::ItemsNotConfirmed {
                confirmed,
                expected,
                missing,
            } => format!(
                "scan every item first: {confirmed} of {expected} confirmed, missing {}",
                missing.join(", ")
            ),
            Blocker::PhotoOfItemRequired => "add a photo of the item".into(),
            Blocker::ChecklistIncomplete { stage, missing } => format!(
                "complete the {} checklist: {}",
                stage.as_str().replace('_', " "),
                missing.join(", ")
            ),
            Blocker::AppealWindowClosed { hours } => {
                format!("ratings can be appealed within {hours} hours; this one is older")
            }
            Blocker::RatingWindowClosed { hours } => {
                format!("stops can be rated within {hours} hours after the task")
            }
            Blocker::ProofMissing { policy } => match policy {
                runsheet_protocol::ProofPolicy::Photo => "take a photo of the goods at the door",
                runsheet_protocol::ProofPolicy::Signature => "get the customer's signature",
                runsheet_protocol::ProofPolicy::Code => "check the customer's handoff code",
                runsheet_protocol::ProofPolicy::None => "give proof of delivery",
            }
            .into(),
        }
    }
}

impl std::fmt::Display for Blocker {
    /// The sentence of [`Blocker::message`] (shells show it; the CLI and logs print it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// What a refused action was, in words ("deliver task F1", "end the shift").
pub fn what(action: &str, task_id: &str) -> String {
    let verb = match action {
        "accept" => "accept",
        "arrive" => "confirm the arrival for",
        "pick_up" => "pick up",
        "delivered" => "deliver",
        "fail" | "report_exception" => "report this for",
        "returned" => "close the return of",
        "correct_pin" => "move the pin of",
        "confirm_item" => "confirm the item of",
        "shift" => return "change the shift".into(),
        "appeal" => "appeal the rating of",
        "rate_stop" => "rate the stops of",
        other => other,
    };
    format!("{verb} task {task_id}")
}

/// The blockers' messages joined for an error line.
pub fn join(blockers: &[Blocker]) -> String {
    blockers
        .iter()
        .map(Blocker::message)
        .collect::<Vec<_>>()
        .join("; ")
}

fn format_distance(m: f64) -> String {
    if m >= 1000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{} m", m.round() as i64)
    }
}

fn format_duration(s: i64) -> String {
    let s = s.max(0);
    if s >= 60 {
        format!("{} min", (s + 59) / 60)
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocker_messages_are_sentences_without_codes() {
        let b = Blocker::NotArrived {
            stop: StopRole::Dropoff,
            distance_m: Some(1840.0),
        };
        assert!(b.message().contains("1.8 km"), "{}", b.message());
        let w = Blocker::WaitAtDoor {
            until: 0,
            seconds_left: 125,
        };
        assert!(w.message().contains("3 min"), "{}", w.message());
        let c = Blocker::ContactAttemptsNeeded { made: 1, needed: 2 };
        assert!(c.message().contains("2 times"));
        assert_eq!(
            join(&[Blocker::PhotoRequired, Blocker::ReasonRequired]),
            "add at least one photo; give a reason"
        );
    }
}
