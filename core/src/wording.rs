//! The core's nouns in the courier's language: task statuses, stops, checklists, proofs,
//! problem reasons, contact channels, message templates and actions (the shift state's is
//! `ShiftState::in_words`, beside its type). Screens and sentences call these. Labels
//! (statuses, kinds, reasons, shift states, template names) live in
//! `words/locales/*/screens.ftl`; nouns used inside sentences (stops, checklists, proofs,
//! channels, actions) in `words/locales/*/nouns.ftl`.

use runsheet_protocol::{
    CaseKind, CaseStatus, CaseTeam, ChecklistStage, ContactChannel, ExceptionReason, Fault,
    MessageTemplate, ProofPolicy, StopRole, TaskKind, TaskStatus,
};
use runsheet_words::{Args, Words};

/// The language customers get when their task does not name one: the platforms this serves
/// are Chinese (docs/i18n.md).
pub const DEFAULT_CUSTOMER_LOCALE: &str = "zh-CN";

/// The noun `<prefix>-<stable name>` of nouns.ftl (`_` in the name read as `-`).
pub(crate) fn noun(words: &Words, prefix: &str, stable_name: &str) -> String {
    let id = format!("{prefix}-{}", stable_name.replace('_', "-"));
    words.text(&id, &Args::new())
}

/// A task's status as the list shows it ("配送中", "Picked up").
pub fn status(words: &Words, status: TaskStatus) -> String {
    noun(words, "status", status.as_str())
}

/// What kind of work a task is ("外卖", "Food").
pub fn task_kind(words: &Words, kind: TaskKind) -> String {
    noun(words, "kind", kind.as_str())
}

/// A stop of a task, as it reads inside a sentence ("取货点", "the pickup").
pub fn stop_role(words: &Words, role: StopRole) -> String {
    noun(words, "stop-name", role.as_str())
}

/// A checklist, as it reads inside a sentence ("取货检查", "pickup checklist").
pub fn checklist_stage(words: &Words, stage: ChecklistStage) -> String {
    noun(words, "checklist-name", stage.as_str())
}

/// How the delivery must be proven ("顾客签名", "Customer's signature").
pub fn proof(words: &Words, policy: ProofPolicy) -> String {
    let name = match policy {
        ProofPolicy::None => "none",
        ProofPolicy::Photo => "photo",
        ProofPolicy::Signature => "signature",
        ProofPolicy::Code => "code",
    };
    noun(words, "proof", name)
}

/// A reason of the problem sheet ("联系不上顾客", "Customer unreachable").
pub fn reason(words: &Words, reason: ExceptionReason) -> String {
    noun(words, "reason", reason.as_str())
}

/// A way to reach the customer ("电话", "Call").
pub fn channel(words: &Words, channel: ContactChannel) -> String {
    let name = match channel {
        ContactChannel::Call => "call",
        ContactChannel::Message => "message",
    };
    noun(words, "channel", name)
}

/// The name of a message the courier can send the customer ("已到门口", "At the door"); the
/// message itself is [`crate::contact::fill`]'s, in the customer's language.
pub fn template_name(words: &Words, template: MessageTemplate) -> String {
    noun(words, "template", template.as_str())
}

/// What an after-sales case is about ("送错商品", "Wrong item").
pub fn case_kind(words: &Words, kind: CaseKind) -> String {
    noun(words, "case-kind", kind.as_str())
}

/// Where a case stands ("等待您的说明", "waiting for your statement").
pub fn case_status(words: &Words, status: CaseStatus) -> String {
    noun(words, "case-status", status.as_str())
}

/// The team that owns a case ("投诉组", "Complaints").
pub fn case_team(words: &Words, team: CaseTeam) -> String {
    noun(words, "case-team", team.as_str())
}

/// Whom a confirmed order error counts against, as a sentence.
pub fn fault(words: &Words, fault: Fault) -> String {
    noun(
        words,
        "fault",
        match fault {
            Fault::Courier => "courier",
            Fault::Merchant => "merchant",
        },
    )
}

/// A courier action as a noun ("确认送达", "delivering"), from its stable name
/// ([`runsheet_protocol::Action::name`]); an unknown name is returned as it is.
pub fn action(words: &Words, action: &str) -> String {
    if !KNOWN_ACTIONS.contains(&action) {
        return action.to_owned();
    }
    noun(words, "action", action)
}

/// Why a courier hands a task over, in the courier's language.
pub fn handover_reason(words: &Words, reason: runsheet_protocol::HandoverReason) -> String {
    noun(words, "handover-reason", reason.as_str())
}

/// Where a handover stands, in the courier's language.
pub fn handover_status(words: &Words, status: runsheet_protocol::HandoverStatus) -> String {
    noun(words, "handover-status", status.as_str())
}

/// Every action name [`runsheet_protocol::Action::name`] gives.
pub const KNOWN_ACTIONS: [&str; 28] = [
    "accept",
    "arrive",
    "pick_up",
    "delivered",
    "fail",
    "returned",
    "report_exception",
    "correct_pin",
    "contact_attempt",
    "send_message",
    "scan",
    "confirm_item",
    "handoff_code",
    "answer",
    "rate_stop",
    "answer_case",
    "set_aside",
    "appeal",
    "shift",
    "accept_offer",
    "decline_offer",
    "request_handover",
    "receive_handover",
    "appeal_pay",
    "take_quiz",
    "collect_cash",
    "hand_in_cash",
    "locker_drop",
];

/// Why a courier declined an offer.
pub fn decline_reason(words: &Words, reason: runsheet_protocol::DeclineReason) -> String {
    noun(words, "decline-reason", reason.as_str())
}

/// An amount of money as the courier reads it ("¥45.50", "CN¥45.50"): the currency's digits
/// from its ISO 4217 exponent, grouping and symbol from the words crate.
pub fn money(words: &Words, m: &runsheet_protocol::Money) -> String {
    words.money(m.minor, m.exponent().unwrap_or(0), &m.currency)
}

/// Why a typed amount was refused, as a sentence fragment ("CNY allows at most 2 decimals").
pub fn amount_problem(words: &Words, p: &runsheet_protocol::AmountProblem) -> String {
    use runsheet_protocol::AmountProblem as P;
    match p {
        P::Empty => words.text("amount-empty", &Args::new()),
        P::NotANumber => words.text("amount-not-a-number", &Args::new()),
        P::TooManyDecimals { currency, allowed } => words.text(
            "amount-too-many-decimals",
            &Args::new()
                .str("currency", currency.clone())
                .num("allowed", i64::from(*allowed)),
        ),
        P::Negative => words.text("amount-negative", &Args::new()),
        P::TooLarge => words.text("amount-too-large", &Args::new()),
        P::UnknownCurrency { currency } => words.text(
            "amount-unknown-currency",
            &Args::new().str("currency", currency.clone()),
        ),
        P::CurrencyMismatch { expected, found } => words.text(
            "amount-currency-mismatch",
            &Args::new()
                .str("expected", expected.clone())
                .str("found", found.clone()),
        ),
    }
}

/// The outcome of an age or ID check ("未成年", "Underage").
pub fn id_check_outcome(words: &Words, o: runsheet_protocol::IdCheckOutcome) -> String {
    noun(words, "id-outcome", o.as_str())
}

/// The kind of document checked ("身份证", "ID card").
pub fn id_document(words: &Words, d: runsheet_protocol::IdDocument) -> String {
    noun(words, "id-document", d.as_str())
}

/// The words a customer reads: their task's language, else [`DEFAULT_CUSTOMER_LOCALE`].
pub fn customer_words(customer_locale: Option<&str>) -> Words {
    Words::new(customer_locale.unwrap_or(DEFAULT_CUSTOMER_LOCALE))
}

#[cfg(test)]
mod tests {
    use runsheet_words::Language;

    use super::*;

    #[test]
    fn every_noun_exists_in_both_languages() {
        let zh = Words::of(Language::ZhCn);
        let en = Words::of(Language::En);
        let mut all: Vec<(String, String)> = Vec::new();
        for w in [zh, en] {
            let mut words = Vec::new();
            words.extend(TaskStatus::ALL.map(|s| status(&w, s)));
            words.extend(
                [
                    TaskKind::Food,
                    TaskKind::Grocery,
                    TaskKind::Parcel,
                    TaskKind::ReturnPickup,
                ]
                .map(|k| task_kind(&w, k)),
            );
            words.extend(
                [StopRole::Pickup, StopRole::Dropoff, StopRole::Return].map(|r| stop_role(&w, r)),
            );
            words.extend(
                [
                    ChecklistStage::StartOfShift,
                    ChecklistStage::Pickup,
                    ChecklistStage::Dropoff,
                    ChecklistStage::Failure,
                ]
                .map(|s| checklist_stage(&w, s)),
            );
            words.extend(
                [
                    ProofPolicy::None,
                    ProofPolicy::Photo,
                    ProofPolicy::Signature,
                    ProofPolicy::Code,
                ]
                .map(|p| proof(&w, p)),
            );
            words.extend(ExceptionReason::ALL.map(|r| reason(&w, r)));
            words.extend([ContactChannel::Call, ContactChannel::Message].map(|c| channel(&w, c)));
            words.extend(
                [
                    MessageTemplate::ArrivingIn,
                    MessageTemplate::AtTheDoor,
                    MessageTemplate::LeftAtReception,
                    MessageTemplate::LeftAtDoor,
                ]
                .map(|t| template_name(&w, t)),
            );
            words.extend(KNOWN_ACTIONS.map(|a| action(&w, a)));
            words.extend(CaseKind::ALL.map(|k| case_kind(&w, k)));
            words.extend(
                [
                    CaseStatus::Open,
                    CaseStatus::Acknowledged,
                    CaseStatus::WaitingForCourier,
                    CaseStatus::Resolved,
                    CaseStatus::Rejected,
                    CaseStatus::Closed,
                    CaseStatus::Reopened,
                ]
                .map(|s| case_status(&w, s)),
            );
            words.extend(
                [
                    CaseTeam::Enquiries,
                    CaseTeam::Complaints,
                    CaseTeam::Returns,
                    CaseTeam::DeliveryProblems,
                ]
                .map(|t| case_team(&w, t)),
            );
            words.extend([Fault::Courier, Fault::Merchant].map(|f| fault(&w, f)));
            for text in &words {
                // A missing message comes back as its id ("status-…"): none may.
                assert!(!text.contains('-') || text.contains(' '), "{text}");
                assert!(!text.is_empty());
            }
            all.push((w.language().tag().to_owned(), words.join("|")));
        }
        assert_ne!(all[0].1, all[1].1);
        assert_eq!(status(&zh, TaskStatus::PickedUp), "配送中");
        assert_eq!(status(&en, TaskStatus::AtDropoff), "At the drop-off");
        assert_eq!(
            reason(&zh, ExceptionReason::CustomerUnreachable),
            "联系不上顾客"
        );
        assert_eq!(action(&zh, "delivered"), "确认送达");
        assert_eq!(action(&zh, "teleport"), "teleport");
    }

    #[test]
    fn customers_without_a_language_get_chinese() {
        assert_eq!(customer_words(None).language(), Language::ZhCn);
        assert_eq!(customer_words(Some("en-GB")).language(), Language::En);
        assert_eq!(customer_words(Some("%%")).language(), Language::En);
    }
}
