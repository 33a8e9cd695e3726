//! Offers: dispatch offers a courier a task, or a stack of two or three, for a limited time
//! (`docs/offers.md`). The offer reaches the phone with its next pull ([`OfferDoc`]); the
//! courier accepts ([`crate::Action::AcceptOffer`]) or declines with a reason
//! ([`crate::Action::DeclineOffer`]) through the outbox like every action. The offer expires on
//! the server's clock: an acceptance that reaches the server after [`OfferDoc::expires_at`], or
//! that the phone made after it (by the phone's clock corrected with its measured offset), is
//! refused with [`crate::RejectCode::OfferExpired`] and changes nothing.
//!
//! The figures (acceptance rate, decline reasons) are computed by [`compute_offer_figures`],
//! over each offer's [`OfferFact`].

use serde::{Deserialize, Serialize};

use crate::TaskDoc;

/// Most tasks in one offer (a stack).
pub const MAX_OFFER_TASKS: usize = 3;

/// Why the courier turned an offer down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DeclineReason {
    /// The pickup or the drop-off is too far.
    TooFar,
    /// The courier's box is full.
    BoxFull,
    /// It goes the wrong way for the courier's current plan.
    WrongDirection,
    /// The courier is about to end the shift.
    EndingShift,
    /// Anything else (the note says what).
    Other,
}

impl DeclineReason {
    /// Every reason, in the order the phone offers them.
    pub const ALL: [DeclineReason; 5] = [
        DeclineReason::TooFar,
        DeclineReason::BoxFull,
        DeclineReason::WrongDirection,
        DeclineReason::EndingShift,
        DeclineReason::Other,
    ];

    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::TooFar => "too_far",
            DeclineReason::BoxFull => "box_full",
            DeclineReason::WrongDirection => "wrong_direction",
            DeclineReason::EndingShift => "ending_shift",
            DeclineReason::Other => "other",
        }
    }

    /// Parses [`DeclineReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        DeclineReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Where an offer stands on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum OfferStatus {
    /// Waiting for the courier's answer (until it expires).
    Open,
    /// Accepted in time: the tasks are the courier's.
    Accepted,
    /// Declined by the courier.
    Declined,
    /// No answer in time, or an acceptance that came too late.
    Expired,
    /// Withdrawn before an answer: by dispatch (`POST /v1/dispatch/offers/{id}/withdraw`), or
    /// because a task of the offer went to someone else or was cancelled meanwhile. An
    /// acceptance of it is refused with [`crate::RejectCode::OfferWithdrawn`].
    Withdrawn,
}

impl OfferStatus {
    /// Every status.
    pub const ALL: [OfferStatus; 5] = [
        OfferStatus::Open,
        OfferStatus::Accepted,
        OfferStatus::Declined,
        OfferStatus::Expired,
        OfferStatus::Withdrawn,
    ];

    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Open => "open",
            OfferStatus::Accepted => "accepted",
            OfferStatus::Declined => "declined",
            OfferStatus::Expired => "expired",
            OfferStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses [`OfferStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        OfferStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The status an offer stored as `self` has at `now` (server clock): an open offer past
    /// its expiry is expired, whether or not anything has recorded it yet.
    pub fn at(self, expires_at: i64, now: i64) -> OfferStatus {
        if self == OfferStatus::Open && now > expires_at {
            OfferStatus::Expired
        } else {
            self
        }
    }
}

/// An offer as the courier's phone receives it with a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferDoc {
    /// The server's offer id.
    pub id: i64,
    /// The tasks offered (one, or a stack of two or three), as they were when offered. The
    /// customer's name and phone are left out: the courier gets them with the task once the
    /// offer is accepted.
    pub tasks: Vec<TaskDoc>,
    /// When it was made, server clock, Unix seconds.
    pub offered_at: i64,
    /// When it expires, server clock, Unix seconds: an acceptance after it is refused.
    pub expires_at: i64,
    /// Where it stands (an open offer past its expiry is expired).
    pub status: OfferStatus,
    /// Why it was declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<DeclineReason>,
    /// Grows with every change to any of the courier's offers (the pull cursor `offers_after`).
    pub seq: i64,
}

/// `POST /v1/dispatch/offers` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOffer {
    /// The courier offered the tasks.
    pub courier_id: String,
    /// One task, or a stack of up to [`MAX_OFFER_TASKS`]; each created unassigned and open.
    pub task_ids: Vec<String>,
    /// Seconds the courier has to answer (5 to 600); the platform's `offer_expiry_s` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_s: Option<u32>,
}

/// An offer as dispatch sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferRecord {
    /// The offer as the phone gets it (its status as of the answer's time).
    #[serde(flatten)]
    pub offer: OfferDoc,
    /// The courier offered it.
    pub courier_id: String,
    /// When the courier's answer (or the late acceptance) reached the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<i64>,
    /// The courier's note on a decline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_note: Option<String>,
    /// Acceptances refused because they came after the expiry.
    #[serde(default)]
    pub late_acceptances: u32,
    /// Why dispatch withdrew the offer (`None` unless withdrawn by dispatch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdraw_reason: Option<String>,
}

/// Longest reason dispatch gives when it withdraws an offer, characters.
pub const MAX_WITHDRAW_REASON_CHARS: usize = 500;

/// `POST /v1/dispatch/offers/{id}/withdraw` body: dispatch takes back an open offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawOffer {
    /// Why (1 to [`MAX_WITHDRAW_REASON_CHARS`] characters), kept with the offer for dispatch;
    /// the courier is told the offer was withdrawn, in their language.
    pub reason: String,
}

/// What the figures need of one offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferFact {
    /// Its status at the time of the figures.
    pub status: OfferStatus,
    /// Why it was declined.
    pub decline_reason: Option<DeclineReason>,
}

/// How often one decline reason was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineCount {
    /// The reason.
    pub reason: DeclineReason,
    /// How many declines gave it.
    pub count: u32,
}

/// Offer figures of one courier, or of the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferCounts {
    /// Offers made.
    pub offered: u32,
    /// Accepted in time.
    pub accepted: u32,
    /// Declined.
    pub declined: u32,
    /// Expired unanswered (late acceptances included).
    pub expired: u32,
    /// Withdrawn before an answer.
    pub withdrawn: u32,
    /// Still open.
    pub open: u32,
    /// Accepted over those the courier could answer and that are decided (accepted, declined
    /// or expired); `None` before any.
    pub acceptance_rate: Option<f64>,
    /// Declines by reason, most given first (ties in [`DeclineReason::ALL`] order).
    pub decline_reasons: Vec<DeclineCount>,
}

/// Offer figures for one courier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourierOfferFigures {
    /// The courier.
    pub courier_id: String,
    /// Their figures.
    #[serde(flatten)]
    pub counts: OfferCounts,
}

/// `GET /v1/dispatch/offer-figures` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferFigures {
    /// Since when (server clock, Unix seconds) offers were counted.
    pub since: i64,
    /// The whole platform.
    pub platform: OfferCounts,
    /// Each courier offered anything, by id.
    pub couriers: Vec<CourierOfferFigures>,
}

/// The figures of a set of offers: counts by status, the acceptance rate and the decline
/// reasons. The server's figures and the phone's come from this one function.
pub fn compute_offer_figures(facts: &[OfferFact]) -> OfferCounts {
    let count = |s: OfferStatus| facts.iter().filter(|f| f.status == s).count() as u32;
    let (accepted, declined, expired) = (
        count(OfferStatus::Accepted),
        count(OfferStatus::Declined),
        count(OfferStatus::Expired),
    );
    let decided = accepted + declined + expired;
    let mut decline_reasons: Vec<DeclineCount> = DeclineReason::ALL
        .into_iter()
        .map(|reason| DeclineCount {
            reason,
            count: facts
                .iter()
                .filter(|f| f.status == OfferStatus::Declined && f.decline_reason == Some(reason))
                .count() as u32,
        })
        .filter(|c| c.count > 0)
        .collect();
    // Stable: ties keep the order of ALL.
    decline_reasons.sort_by_key(|c| std::cmp::Reverse(c.count));
    OfferCounts {
        offered: facts.len() as u32,
        accepted,
        declined,
        expired,
        withdrawn: count(OfferStatus::Withdrawn),
        open: count(OfferStatus::Open),
        acceptance_rate: (decided > 0).then(|| f64::from(accepted) / f64::from(decided)),
        decline_reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_count_rates_and_reasons() {
        let f = |status, decline_reason| OfferFact {
            status,
            decline_reason,
        };
        let facts = [
            f(OfferStatus::Accepted, None),
            f(OfferStatus::Accepted, None),
            f(OfferStatus::Declined, Some(DeclineReason::BoxFull)),
            f(OfferStatus::Declined, Some(DeclineReason::TooFar)),
            f(OfferStatus::Declined, Some(DeclineReason::TooFar)),
            f(OfferStatus::Expired, None),
            f(OfferStatus::Open, None),
            f(OfferStatus::Withdrawn, None),
            f(OfferStatus::Withdrawn, None),
        ];
        let c = compute_offer_figures(&facts);
        assert_eq!(
            (
                c.offered,
                c.accepted,
                c.declined,
                c.expired,
                c.open,
                c.withdrawn
            ),
            (9, 2, 3, 1, 1, 2)
        );
        // A withdrawn offer is neither accepted nor declined: the rate leaves it out.
        assert_eq!(c.acceptance_rate, Some(2.0 / 6.0));
        assert_eq!(
            c.decline_reasons,
            vec![
                DeclineCount {
                    reason: DeclineReason::TooFar,
                    count: 2
                },
                DeclineCount {
                    reason: DeclineReason::BoxFull,
                    count: 1
                }
            ]
        );
        assert_eq!(compute_offer_figures(&[]).acceptance_rate, None);
    }

    #[test]
    fn an_open_offer_past_its_expiry_is_expired() {
        assert_eq!(OfferStatus::Open.at(100, 100), OfferStatus::Open);
        assert_eq!(OfferStatus::Open.at(100, 101), OfferStatus::Expired);
        assert_eq!(OfferStatus::Accepted.at(100, 500), OfferStatus::Accepted);
        for s in OfferStatus::ALL {
            assert_eq!(OfferStatus::parse(s.as_str()), Some(s));
        }
        for r in DeclineReason::ALL {
            assert_eq!(DeclineReason::parse(r.as_str()), Some(r));
        }
    }
}
