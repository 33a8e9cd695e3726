//! After-sales: cases with a kind, an owning team, a status, deadlines and a history; the
//! courier's side of each; recalls of a product batch; and the figures both sides compute with
//! the same code (like the KPIs in [`crate::compute_kpis`]).
//!
//! The server owns a case's lifecycle (`docs/after-sales.md`); the phone receives the cases about
//! its courier's own deliveries with each pull ([`CaseDoc`]), answers them offline with
//! [`crate::Action::AnswerCase`], and refuses scans of a recalled batch ([`RecallDoc`]).

use serde::{Deserialize, Serialize};

use crate::ItemDoc;

/// What a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CaseKind {
    /// A customer's question (where is my order, can I change the address).
    Enquiry,
    /// Complaint: the delivery was late.
    Late,
    /// Complaint: the goods arrived damaged (or fresh goods warm).
    Damaged,
    /// Complaint: a wrong item was delivered.
    WrongItem,
    /// Complaint: an item was missing.
    MissingItem,
    /// Complaint: the order was marked delivered but not received.
    NotReceived,
    /// Complaint: the courier's conduct.
    Conduct,
    /// Complaint: anything else.
    Other,
    /// The customer asks to return goods (reviewed, then picked up).
    ReturnRequest,
    /// The customer asks to exchange goods (the new item delivered, the old one taken back).
    ExchangeRequest,
    /// The courier reported an exception (failed delivery, merchant delay, accident...).
    DeliveryException,
    /// A courier's fact the server could not apply (a task closed or reassigned meanwhile).
    Conflict,
    /// A checklist answer outside the procedure (a cold box too warm).
    ColdChainBreach,
    /// A rating of two stars or less.
    LowRating,
    /// A customer's handoff code did not match.
    HandoffCodeFailed,
    /// The customer received goods of a recalled batch.
    Recall,
}

impl CaseKind {
    /// Every kind, in the order above.
    pub const ALL: [CaseKind; 16] = [
        CaseKind::Enquiry,
        CaseKind::Late,
        CaseKind::Damaged,
        CaseKind::WrongItem,
        CaseKind::MissingItem,
        CaseKind::NotReceived,
        CaseKind::Conduct,
        CaseKind::Other,
        CaseKind::ReturnRequest,
        CaseKind::ExchangeRequest,
        CaseKind::DeliveryException,
        CaseKind::Conflict,
        CaseKind::ColdChainBreach,
        CaseKind::LowRating,
        CaseKind::HandoffCodeFailed,
        CaseKind::Recall,
    ];

    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Enquiry => "enquiry",
            CaseKind::Late => "late",
            CaseKind::Damaged => "damaged",
            CaseKind::WrongItem => "wrong_item",
            CaseKind::MissingItem => "missing_item",
            CaseKind::NotReceived => "not_received",
            CaseKind::Conduct => "conduct",
            CaseKind::Other => "other",
            CaseKind::ReturnRequest => "return_request",
            CaseKind::ExchangeRequest => "exchange_request",
            CaseKind::DeliveryException => "delivery_exception",
            CaseKind::Conflict => "conflict",
            CaseKind::ColdChainBreach => "cold_chain_breach",
            CaseKind::LowRating => "low_rating",
            CaseKind::HandoffCodeFailed => "handoff_code_failed",
            CaseKind::Recall => "recall",
        }
    }

    /// The kind with this wire name.
    pub fn parse(s: &str) -> Option<Self> {
        CaseKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds a customer complaint entered through the dispatch API may have.
    pub fn is_customer_complaint(self) -> bool {
        matches!(
            self,
            CaseKind::Late
                | CaseKind::Damaged
                | CaseKind::WrongItem
                | CaseKind::MissingItem
                | CaseKind::NotReceived
                | CaseKind::Conduct
                | CaseKind::Other
        )
    }

    /// Kinds the dispatch API may open for a customer: complaints, enquiries, returns and
    /// exchanges. The others are opened by the server from a courier's fact or a recall.
    pub fn opened_by_customer(self) -> bool {
        self.is_customer_complaint()
            || matches!(
                self,
                CaseKind::Enquiry | CaseKind::ReturnRequest | CaseKind::ExchangeRequest
            )
    }

    /// Whether a confirmed case of this kind can be an order error (wrong or missing item).
    pub fn is_order_error(self) -> bool {
        matches!(self, CaseKind::WrongItem | CaseKind::MissingItem)
    }

    /// The team that owns the kind unless the platform routes it elsewhere.
    pub fn default_team(self) -> CaseTeam {
        match self {
            CaseKind::Enquiry => CaseTeam::Enquiries,
            CaseKind::Late
            | CaseKind::Damaged
            | CaseKind::WrongItem
            | CaseKind::MissingItem
            | CaseKind::NotReceived
            | CaseKind::Conduct
            | CaseKind::Other
            | CaseKind::LowRating
            | CaseKind::Recall => CaseTeam::Complaints,
            CaseKind::ReturnRequest | CaseKind::ExchangeRequest => CaseTeam::Returns,
            CaseKind::DeliveryException
            | CaseKind::Conflict
            | CaseKind::ColdChainBreach
            | CaseKind::HandoffCodeFailed => CaseTeam::DeliveryProblems,
        }
    }

    /// The deadlines of the kind unless the platform sets its own: first response 30 minutes
    /// for complaints (60 otherwise); resolution 24 hours, returns and exchanges reviewed
    /// within 48 hours.
    pub fn default_deadlines(self) -> CaseDeadlines {
        let first_response_min = if self.is_customer_complaint() || self == CaseKind::Recall {
            30
        } else {
            60
        };
        let resolution_min = match self {
            CaseKind::ReturnRequest | CaseKind::ExchangeRequest => 48 * 60,
            _ => 24 * 60,
        };
        CaseDeadlines {
            first_response_min,
            resolution_min,
        }
    }
}

/// The team that owns a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CaseTeam {
    /// Customers' questions.
    Enquiries,
    /// Complaints.
    Complaints,
    /// Returns and exchanges.
    Returns,
    /// Problems during the delivery (exceptions, conflicts, cold chain, handoff codes).
    DeliveryProblems,
}

impl CaseTeam {
    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseTeam::Enquiries => "enquiries",
            CaseTeam::Complaints => "complaints",
            CaseTeam::Returns => "returns",
            CaseTeam::DeliveryProblems => "delivery_problems",
        }
    }

    /// The team with this wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            CaseTeam::Enquiries,
            CaseTeam::Complaints,
            CaseTeam::Returns,
            CaseTeam::DeliveryProblems,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CaseStatus {
    /// Opened, nobody has answered yet.
    Open,
    /// The owning team answered (the first response).
    Acknowledged,
    /// The team asked the courier for a statement.
    WaitingForCourier,
    /// Settled in the customer's favour (possibly with follow-up work).
    Resolved,
    /// Settled against the claim.
    Rejected,
    /// Closed after the resolution (the customer may have rated it).
    Closed,
    /// Reopened because the customer disagrees with the resolution.
    Reopened,
}

impl CaseStatus {
    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Acknowledged => "acknowledged",
            CaseStatus::WaitingForCourier => "waiting_for_courier",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Rejected => "rejected",
            CaseStatus::Closed => "closed",
            CaseStatus::Reopened => "reopened",
        }
    }

    /// The status with this wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            CaseStatus::Open,
            CaseStatus::Acknowledged,
            CaseStatus::WaitingForCourier,
            CaseStatus::Resolved,
            CaseStatus::Rejected,
            CaseStatus::Closed,
            CaseStatus::Reopened,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// True once settled (resolved, rejected or closed): no statement is taken any more.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            CaseStatus::Resolved | CaseStatus::Rejected | CaseStatus::Closed
        )
    }

    /// The status after `step`, or `None` when the step is not allowed from this status. The
    /// one transition table: the server enforces it, the phone offers only what it allows.
    pub fn after(self, step: CaseStep) -> Option<CaseStatus> {
        use CaseStatus::*;
        let live = matches!(self, Open | Acknowledged | WaitingForCourier | Reopened);
        match step {
            CaseStep::Acknowledge => matches!(self, Open | Reopened).then_some(Acknowledged),
            CaseStep::AskCourier => live.then_some(WaitingForCourier),
            CaseStep::CourierAnswer => match self {
                WaitingForCourier => Some(Acknowledged),
                Open | Acknowledged | Reopened => Some(self),
                _ => None,
            },
            CaseStep::Resolve => live.then_some(Resolved),
            CaseStep::Reject => live.then_some(Rejected),
            CaseStep::Close => matches!(self, Resolved | Rejected).then_some(Closed),
            CaseStep::Reopen => matches!(self, Resolved | Rejected | Closed).then_some(Reopened),
        }
    }
}

/// One step of a case's lifecycle (who took it is in the history).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CaseStep {
    /// The owning team's first response.
    Acknowledge,
    /// The team asks the courier for a statement.
    AskCourier,
    /// The courier's statement arrived.
    CourierAnswer,
    /// Settled for the customer.
    Resolve,
    /// Settled against the claim.
    Reject,
    /// Closed (with the customer's rating of the resolution, if given).
    Close,
    /// The customer disagrees.
    Reopen,
}

/// The deadlines of a kind of case, minutes from its opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CaseDeadlines {
    /// The first response (acknowledge, ask the courier, or settle) is due within this.
    pub first_response_min: u32,
    /// The case is settled (resolved or rejected) within this.
    pub resolution_min: u32,
}

/// A platform's rule for one kind: which team owns it and its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CaseRule {
    /// The kind.
    pub kind: CaseKind,
    /// The owning team.
    pub team: CaseTeam,
    /// Its deadlines.
    pub deadlines: CaseDeadlines,
}

/// The after-sales part of the platform settings: routing and deadlines per kind (kinds not
/// listed keep [`CaseKind::default_team`] and [`CaseKind::default_deadlines`]), and how long a
/// courier has to answer when asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AfterSalesPolicy {
    /// The platform's rules, at most one per kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<CaseRule>,
    /// Minutes a courier has to answer a case once asked (5 to 10,080; default 120).
    #[serde(default = "AfterSalesPolicy::default_answer")]
    pub courier_answer_min: u32,
}

impl AfterSalesPolicy {
    fn default_answer() -> u32 {
        120
    }

    /// The team that owns `kind`.
    pub fn team_for(&self, kind: CaseKind) -> CaseTeam {
        self.rules
            .iter()
            .find(|r| r.kind == kind)
            .map_or_else(|| kind.default_team(), |r| r.team)
    }

    /// The deadlines of `kind`.
    pub fn deadlines_for(&self, kind: CaseKind) -> CaseDeadlines {
        self.rules
            .iter()
            .find(|r| r.kind == kind)
            .map_or_else(|| kind.default_deadlines(), |r| r.deadlines)
    }

    /// Why the policy cannot be published, if it cannot: a kind listed twice, a deadline of
    /// zero, a resolution due before the first response, or an answer time out of range.
    pub fn problem(&self) -> Option<String> {
        for (i, r) in self.rules.iter().enumerate() {
            if self.rules[..i].iter().any(|o| o.kind == r.kind) {
                return Some(format!("kind {} listed twice", r.kind.as_str()));
            }
            if r.deadlines.first_response_min == 0 || r.deadlines.resolution_min == 0 {
                return Some(format!("deadline of {} is zero", r.kind.as_str()));
            }
            if r.deadlines.resolution_min < r.deadlines.first_response_min {
                return Some(format!(
                    "resolution of {} due before its first response",
                    r.kind.as_str()
                ));
            }
        }
        if !(5..=10_080).contains(&self.courier_answer_min) {
            return Some("courier_answer_min must be 5 to 10080".into());
        }
        None
    }
}

impl Default for AfterSalesPolicy {
    fn default() -> Self {
        AfterSalesPolicy {
            rules: Vec::new(),
            courier_answer_min: Self::default_answer(),
        }
    }
}

/// Who an order error counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Fault {
    /// The courier who delivered it: counted in the courier's order-error rate.
    Courier,
    /// The merchant: every item was scanned and confirmed at pickup and at the drop-off, so
    /// the error happened before the pickup.
    Merchant,
}

/// What the task's scans show about its handoffs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HandoffEvidence {
    /// Every manifest item was scanned (or confirmed by hand with a photo) at the pickup.
    pub all_confirmed_at_pickup: bool,
    /// Every manifest item was scanned (or confirmed by hand) at the drop-off.
    pub all_confirmed_at_dropoff: bool,
}

/// The order-error rule for a case the team confirmed (resolved in the customer's favour):
/// a wrong or missing item counts against the courier who delivered it, unless the evidence
/// shows every item was confirmed at both handoffs, in which case it counts against the
/// merchant. `None` for kinds that are not order errors.
pub fn order_error_fault(kind: CaseKind, evidence: HandoffEvidence) -> Option<Fault> {
    if !kind.is_order_error() {
        return None;
    }
    if evidence.all_confirmed_at_pickup && evidence.all_confirmed_at_dropoff {
        Some(Fault::Merchant)
    } else {
        Some(Fault::Courier)
    }
}

/// A case as the courier's phone receives it: only cases about the courier's own deliveries,
/// with no customer's personal data beyond what the complaint says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "Case"))]
pub struct CaseDoc {
    /// The case number.
    pub id: i64,
    /// The task it is about.
    pub task_id: String,
    /// What it is about.
    pub kind: CaseKind,
    /// Where it stands.
    pub status: CaseStatus,
    /// The owning team.
    pub team: CaseTeam,
    /// What was reported (the complaint's words, or the server's description).
    pub summary: String,
    /// When it was opened, Unix seconds.
    pub opened_at: i64,
    /// When the courier must answer by (set while the team waits for the courier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_by: Option<i64>,
    /// When the case must be settled by.
    pub resolve_by: i64,
    /// When the first response was due.
    #[serde(default)]
    pub respond_by: i64,
    /// When the owning team first responded (server clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_at: Option<i64>,
    /// When it was resolved or rejected (the last time, after a reopen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<i64>,
    /// When it was closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<i64>,
    /// The customer's rating of the resolution, 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<u8>,
    /// The courier's statement, once the server has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_statement: Option<String>,
    /// The team's note with its resolution or rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_note: Option<String>,
    /// Whom a confirmed order error counts against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// The task created by the resolution (a redelivery, return pickup or exchange).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_task_id: Option<String>,
    /// True when a deadline passed before the step it asked for.
    #[serde(default)]
    pub breached: bool,
    /// Server sequence of the last change (the pull cursor for cases).
    #[serde(default)]
    pub seq: i64,
}

impl CaseDoc {
    /// The case as the figures see it: the same facts on the phone and on the server.
    pub fn fact(&self) -> CaseFact {
        CaseFact {
            kind: self.kind,
            opened_at: self.opened_at,
            first_response_at: self.first_response_at,
            respond_by: self.respond_by,
            settled_at: self.settled_at,
            resolve_by: self.resolve_by,
            closed_at: self.closed_at,
            satisfaction: self.satisfaction,
        }
    }
}

/// The work a resolution creates, arriving on a courier's phone as a task linked to its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum FollowUpKind {
    /// The goods again, from the merchant to the customer.
    Redelivery,
    /// The goods collected from the customer and brought back.
    ReturnPickup,
    /// The new item delivered and the old one taken back at the same door.
    Exchange,
}

/// A follow-up the team orders with a resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// What kind of work.
    pub kind: FollowUpKind,
    /// The new task's id (chosen by dispatch, like every task id).
    pub task_id: String,
    /// The courier to assign it to (absent: left unassigned for dispatch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_id: Option<String>,
    /// The items to deliver (redelivery, exchange) or collect (return pickup); empty: the
    /// original task's items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemDoc>,
    /// The items taken back at the door in an exchange; empty: the original task's items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub take_back: Vec<ItemDoc>,
    /// The promised time, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_by: Option<i64>,
}

/// `POST /v1/dispatch/cases`: a customer's complaint, enquiry, return or exchange request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// The task it is about.
    pub task_id: String,
    /// One of the kinds for which [`CaseKind::opened_by_customer`] holds.
    pub kind: CaseKind,
    /// The customer's words (at most 2,000 characters).
    pub summary: String,
}

/// `POST /v1/dispatch/cases/{id}/steps`: the team moves a case on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseCommand {
    /// The first response.
    Acknowledge {
        /// The team's note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Ask the courier who delivered it for a statement.
    AskCourier {
        /// The question.
        note: String,
    },
    /// Settle for the customer.
    Resolve {
        /// The resolution.
        note: String,
        /// Work it creates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        follow_up: Option<FollowUp>,
    },
    /// Settle against the claim.
    Reject {
        /// Why.
        note: String,
    },
    /// Close a settled case.
    Close {
        /// The customer's rating of the resolution, 1 to 5.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        satisfaction: Option<u8>,
    },
    /// The customer disagrees with the settlement.
    Reopen {
        /// What the customer said.
        note: String,
    },
}

impl CaseCommand {
    /// The lifecycle step this command takes.
    pub fn step(&self) -> CaseStep {
        match self {
            CaseCommand::Acknowledge { .. } => CaseStep::Acknowledge,
            CaseCommand::AskCourier { .. } => CaseStep::AskCourier,
            CaseCommand::Resolve { .. } => CaseStep::Resolve,
            CaseCommand::Reject { .. } => CaseStep::Reject,
            CaseCommand::Close { .. } => CaseStep::Close,
            CaseCommand::Reopen { .. } => CaseStep::Reopen,
        }
    }
}

/// Who took a step of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseActor {
    /// The server itself (opened from a courier's fact, a recall, a breach).
    System,
    /// A person of the owning team, through the dispatch API.
    Dispatch,
    /// The customer (through the platform).
    Customer,
    /// The courier, from the phone.
    Courier,
}

/// One line of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// When, Unix seconds (server clock).
    pub at: i64,
    /// Who.
    pub actor: CaseActor,
    /// `opened`, a [`CaseStep`] wire name, or `breached_first_response` /
    /// `breached_resolution`.
    pub event: String,
    /// The note, statement or detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A case as the dispatch API shows it: everything on [`CaseDoc`] plus its courier and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// The case as the courier sees it.
    #[serde(flatten)]
    pub case: CaseDoc,
    /// The courier who delivered (or held) the task, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_id: Option<String>,
    /// Every step, oldest first.
    pub history: Vec<CaseEvent>,
}

/// A recall of a product batch, as every phone receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "Recall"))]
pub struct RecallDoc {
    /// The recall's number.
    pub id: i64,
    /// The product's GTIN, 14 digits (shorter GTINs padded with zeros on the left).
    pub gtin: String,
    /// The batch or lot (GS1 AI 10), exactly as printed.
    pub batch: String,
    /// First expiry date recalled, `YYYY-MM-DD` (absent: no lower bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_from: Option<String>,
    /// Last expiry date recalled, `YYYY-MM-DD` (absent: no upper bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_to: Option<String>,
    /// Why (shown to the courier).
    pub reason: String,
    /// When dispatch issued it, Unix seconds.
    pub issued_at: i64,
    /// True once dispatch lifted it: scans of the batch are accepted again.
    #[serde(default)]
    pub lifted: bool,
    /// Server sequence of the last change (the pull cursor for recalls).
    #[serde(default)]
    pub seq: i64,
}

impl RecallDoc {
    /// Whether an item with this GTIN (any length, zero-padded to 14), batch and expiry
    /// (`YYYY-MM-DD`) falls under the recall. An item without an expiry date matches a recall
    /// with an expiry range: without the date nobody can tell it is safe.
    pub fn covers(&self, gtin: &str, batch: &str, expiry: Option<&str>) -> bool {
        if self.lifted || gtin14(gtin).as_deref() != Some(self.gtin.as_str()) {
            return false;
        }
        if batch.trim() != self.batch.trim() {
            return false;
        }
        match expiry {
            None => true,
            Some(day) => {
                self.expiry_from.as_deref().is_none_or(|from| day >= from)
                    && self.expiry_to.as_deref().is_none_or(|to| day <= to)
            }
        }
    }
}

/// A GTIN of 8, 12, 13 or 14 digits as 14 digits; `None` for anything else (the check digit is
/// the caller's business: the scan parser and the server check it).
pub fn gtin14(gtin: &str) -> Option<String> {
    let g = gtin.trim();
    (matches!(g.len(), 8 | 12 | 13 | 14) && g.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{g:0>14}"))
}

/// `POST /v1/dispatch/recalls`: dispatch recalls a product batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecall {
    /// The product's GTIN (8, 12, 13 or 14 digits, with a valid check digit).
    pub gtin: String,
    /// The batch or lot, 1 to 20 characters of GS1's character set 82.
    pub batch: String,
    /// First expiry date recalled, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_from: Option<String>,
    /// Last expiry date recalled, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_to: Option<String>,
    /// Why (1 to 500 characters).
    pub reason: String,
}

/// One delivery that carried a recalled batch, as the server found it in the scans it stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecalledDelivery {
    /// The task.
    pub task_id: String,
    /// Its courier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_id: Option<String>,
    /// True when the goods were delivered (a case was opened for the customer).
    pub delivered: bool,
    /// The case opened for the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<i64>,
}

/// `POST /v1/dispatch/recalls` answer and `GET /v1/dispatch/recalls/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallReport {
    /// The recall.
    pub recall: RecallDoc,
    /// Every delivery that carried the batch.
    pub deliveries: Vec<RecalledDelivery>,
}

/// One case as the figures see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFact {
    /// Its kind.
    pub kind: CaseKind,
    /// Opened at.
    pub opened_at: i64,
    /// First response at.
    pub first_response_at: Option<i64>,
    /// Due first response.
    pub respond_by: i64,
    /// Settled at (resolved or rejected, the last time).
    pub settled_at: Option<i64>,
    /// Due settlement.
    pub resolve_by: i64,
    /// Closed at.
    pub closed_at: Option<i64>,
    /// The customer's rating of the resolution.
    pub satisfaction: Option<u8>,
}

/// Figures for one kind of case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KindFigures {
    /// The kind.
    pub kind: CaseKind,
    /// Cases of the kind.
    pub cases: u32,
    /// Median seconds to the first response (answered cases).
    pub first_response_p50_s: Option<i64>,
    /// 90th percentile seconds to the first response.
    pub first_response_p90_s: Option<i64>,
    /// Median seconds to the settlement (settled cases).
    pub resolution_p50_s: Option<i64>,
    /// 90th percentile seconds to the settlement.
    pub resolution_p90_s: Option<i64>,
    /// Share of the cases whose deadlines are over (met or missed) that met both.
    pub within_deadline: Option<f64>,
}

/// After-sales figures for a courier or the platform over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CaseFigures {
    /// Cases counted.
    pub cases: u32,
    /// Per kind, the kinds with cases, most cases first (the causes ranked).
    pub by_kind: Vec<KindFigures>,
    /// Customer complaints per 100 deliveries (`None` without deliveries).
    pub complaints_per_100: Option<f64>,
    /// Median seconds from a return or exchange request to its settlement.
    pub return_turnaround_p50_s: Option<i64>,
    /// Share of rated resolutions rated 4 or 5.
    pub satisfaction: Option<f64>,
    /// Cases with a deadline missed (the breach metric).
    pub breached: u32,
    /// Share of the cases whose deadlines are over that met them all.
    pub within_deadline: Option<f64>,
}

/// Nearest-rank percentile of sorted values (`q` in 0..=100).
fn percentile(sorted: &[i64], q: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

impl CaseFact {
    /// Whether a deadline was missed by `now`: no first response by its due time, or not
    /// settled by its due time.
    pub fn breached(&self, now: i64) -> bool {
        let late = |done: Option<i64>, due: i64| done.map_or(now > due, |at| at > due);
        late(self.first_response_at, self.respond_by) || late(self.settled_at, self.resolve_by)
    }

    /// Whether both deadlines are over (met or missed) by `now`, so the case counts in
    /// "within deadline".
    fn decided(&self, now: i64) -> bool {
        self.settled_at.is_some() || now > self.resolve_by || self.breached(now)
    }
}

/// The after-sales figures from the cases of a period and the deliveries made in it; one
/// function for the phone (its courier's cases) and the server (per courier and platform).
pub fn compute_case_figures(facts: &[CaseFact], deliveries: u32, now: i64) -> CaseFigures {
    let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
    let mut kinds: Vec<CaseKind> = facts.iter().map(|f| f.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut by_kind: Vec<KindFigures> = kinds
        .into_iter()
        .map(|kind| {
            let of: Vec<&CaseFact> = facts.iter().filter(|f| f.kind == kind).collect();
            let mut first: Vec<i64> = of
                .iter()
                .filter_map(|f| f.first_response_at.map(|at| at - f.opened_at))
                .collect();
            first.sort_unstable();
            let mut settle: Vec<i64> = of
                .iter()
                .filter_map(|f| f.settled_at.map(|at| at - f.opened_at))
                .collect();
            settle.sort_unstable();
            let decided: Vec<&&CaseFact> = of.iter().filter(|f| f.decided(now)).collect();
            let met = decided.iter().filter(|f| !f.breached(now)).count();
            KindFigures {
                kind,
                cases: u32::try_from(of.len()).unwrap_or(u32::MAX),
                first_response_p50_s: percentile(&first, 50),
                first_response_p90_s: percentile(&first, 90),
                resolution_p50_s: percentile(&settle, 50),
                resolution_p90_s: percentile(&settle, 90),
                within_deadline: ratio(met, decided.len()),
            }
        })
        .collect();
    by_kind.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.kind.cmp(&b.kind)));
    let complaints = facts
        .iter()
        .filter(|f| f.kind.is_customer_complaint())
        .count();
    let mut returns: Vec<i64> = facts
        .iter()
        .filter(|f| matches!(f.kind, CaseKind::ReturnRequest | CaseKind::ExchangeRequest))
        .filter_map(|f| f.settled_at.map(|at| at - f.opened_at))
        .collect();
    returns.sort_unstable();
    let rated: Vec<u8> = facts.iter().filter_map(|f| f.satisfaction).collect();
    let decided: Vec<&CaseFact> = facts.iter().filter(|f| f.decided(now)).collect();
    CaseFigures {
        cases: u32::try_from(facts.len()).unwrap_or(u32::MAX),
        by_kind,
        complaints_per_100: (deliveries > 0)
            .then(|| complaints as f64 * 100.0 / f64::from(deliveries)),
        return_turnaround_p50_s: percentile(&returns, 50),
        satisfaction: ratio(rated.iter().filter(|s| **s >= 4).count(), rated.len()),
        breached: u32::try_from(facts.iter().filter(|f| f.breached(now)).count())
            .unwrap_or(u32::MAX),
        within_deadline: ratio(
            decided.iter().filter(|f| !f.breached(now)).count(),
            decided.len(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_route() {
        for k in CaseKind::ALL {
            assert_eq!(CaseKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(CaseKind::parse("nope"), None);
        assert_eq!(CaseKind::Late.default_deadlines().first_response_min, 30);
        assert_eq!(CaseKind::Late.default_deadlines().resolution_min, 24 * 60);
        assert_eq!(
            CaseKind::ReturnRequest.default_deadlines().resolution_min,
            48 * 60
        );
        let policy = AfterSalesPolicy {
            rules: vec![CaseRule {
                kind: CaseKind::Late,
                team: CaseTeam::DeliveryProblems,
                deadlines: CaseDeadlines {
                    first_response_min: 10,
                    resolution_min: 60,
                },
            }],
            ..AfterSalesPolicy::default()
        };
        assert_eq!(policy.team_for(CaseKind::Late), CaseTeam::DeliveryProblems);
        assert_eq!(policy.team_for(CaseKind::Damaged), CaseTeam::Complaints);
        assert_eq!(policy.deadlines_for(CaseKind::Late).resolution_min, 60);
        assert!(policy.problem().is_none());
        let mut twice = policy.clone();
        twice.rules.push(twice.rules[0]);
        assert!(twice.problem().is_some());
    }

    #[test]
    fn the_lifecycle_table() {
        use CaseStatus::*;
        assert_eq!(Open.after(CaseStep::Acknowledge), Some(Acknowledged));
        assert_eq!(
            Acknowledged.after(CaseStep::AskCourier),
            Some(WaitingForCourier)
        );
        assert_eq!(
            WaitingForCourier.after(CaseStep::CourierAnswer),
            Some(Acknowledged)
        );
        assert_eq!(Open.after(CaseStep::CourierAnswer), Some(Open));
        assert_eq!(Closed.after(CaseStep::CourierAnswer), None);
        assert_eq!(Resolved.after(CaseStep::Close), Some(Closed));
        assert_eq!(Open.after(CaseStep::Close), None);
        assert_eq!(Closed.after(CaseStep::Reopen), Some(Reopened));
        assert_eq!(Reopened.after(CaseStep::Resolve), Some(Resolved));
        assert_eq!(Acknowledged.after(CaseStep::Acknowledge), None);
        assert!(Rejected.is_settled() && !Reopened.is_settled());
    }

    #[test]
    fn order_errors_count_against_the_courier_unless_every_scan_was_made() {
        let all = HandoffEvidence {
            all_confirmed_at_pickup: true,
            all_confirmed_at_dropoff: true,
        };
        let half = HandoffEvidence {
            all_confirmed_at_pickup: true,
            all_confirmed_at_dropoff: false,
        };
        assert_eq!(
            order_error_fault(CaseKind::WrongItem, all),
            Some(Fault::Merchant)
        );
        assert_eq!(
            order_error_fault(CaseKind::MissingItem, half),
            Some(Fault::Courier)
        );
        assert_eq!(order_error_fault(CaseKind::Late, half), None);
    }

    #[test]
    fn recalls_cover_the_batch_and_the_expiry_range() {
        let r = RecallDoc {
            id: 1,
            gtin: "09506000134352".into(),
            batch: "L42".into(),
            expiry_from: Some("2026-12-01".into()),
            expiry_to: Some("2026-12-31".into()),
            reason: "listeria".into(),
            issued_at: 0,
            lifted: false,
            seq: 1,
        };
        assert!(r.covers("9506000134352", "L42", Some("2026-12-10")));
        assert!(r.covers("09506000134352", "L42", None));
        assert!(!r.covers("09506000134352", "L43", Some("2026-12-10")));
        assert!(!r.covers("09506000134352", "L42", Some("2027-01-01")));
        assert!(!r.covers("9506000134353", "L42", None));
        let lifted = RecallDoc { lifted: true, ..r };
        assert!(!lifted.covers("09506000134352", "L42", None));
        assert_eq!(gtin14("abc"), None);
    }

    #[test]
    fn figures_rank_causes_and_count_breaches() {
        let h = 3600;
        let late = |opened: i64, first: Option<i64>, settled: Option<i64>| CaseFact {
            kind: CaseKind::Late,
            opened_at: opened,
            first_response_at: first,
            respond_by: opened + 30 * 60,
            settled_at: settled,
            resolve_by: opened + 24 * h,
            closed_at: None,
            satisfaction: Some(5),
        };
        let facts = vec![
            late(0, Some(600), Some(2 * h)),
            late(0, Some(1200), Some(30 * h)),
            late(0, None, None),
            CaseFact {
                kind: CaseKind::ReturnRequest,
                opened_at: 0,
                first_response_at: Some(60),
                respond_by: 3600,
                settled_at: Some(10 * h),
                resolve_by: 48 * h,
                closed_at: Some(11 * h),
                satisfaction: Some(2),
            },
        ];
        let f = compute_case_figures(&facts, 200, 2 * h);
        assert_eq!(f.cases, 4);
        assert_eq!(f.by_kind[0].kind, CaseKind::Late);
        assert_eq!(f.by_kind[0].cases, 3);
        assert_eq!(f.by_kind[0].first_response_p50_s, Some(600));
        assert_eq!(f.by_kind[0].first_response_p90_s, Some(1200));
        // The third late case missed its first response; the second missed its settlement.
        assert_eq!(f.breached, 2);
        assert_eq!(f.complaints_per_100, Some(1.5));
        assert_eq!(f.return_turnaround_p50_s, Some(10 * h));
        assert_eq!(f.satisfaction, Some(0.75));
        assert_eq!(compute_case_figures(&[], 0, 0).complaints_per_100, None);
    }
}
