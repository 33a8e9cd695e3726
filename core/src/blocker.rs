//! What must happen before the workflow allows an action, in words a shell can show. Low in the
//! core: the error type carries blockers, and the workflow, ratings and task list make them.

use runsheet_protocol::{ProofPolicy, StopRole};
use runsheet_words::{Args, Language, Words};

use crate::wording;

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
        policy: ProofPolicy,
    },
    /// Items of a recalled batch are in the order: set them aside before the handoff.
    RecalledItems {
        /// Names of the recalled items not yet set aside.
        items: Vec<String>,
    },
    /// The statement on a case is longer than the server takes.
    StatementTooLong {
        /// Most characters allowed.
        max_chars: u32,
    },
    /// The task is being handed over to this courier: the goods are still with the other
    /// courier until every bag is scanned.
    HandoverIncoming {
        /// Bags scanned so far.
        scanned: u32,
        /// Bags of the task.
        expected: u32,
    },
    /// A handover of this task is already asked for.
    HandoverPending,
    /// The goods of this pickup do not fit: the box (or the chilled compartment) would hold
    /// more than its room.
    BoxFull {
        /// Which compartment overflows.
        compartment: runsheet_protocol::Compartment,
        /// Units it would hold with this pickup.
        units: i64,
        /// Units it has room for.
        capacity: i64,
    },
    /// The earning line is expected (computed on the phone): it can be appealed once the
    /// server has confirmed it.
    PayNotConfirmed,
    /// The task needs a qualification the courier does not hold in force (fresh and chilled
    /// goods: the cold-chain training, passed within its validity).
    NotQualified {
        /// Titles of the training modules to pass.
        modules: Vec<String>,
    },
    /// The age or ID check for restricted goods was refused: the goods are not handed over
    /// (the delivery fails and they go back).
    IdCheckRefused {
        /// What the check found.
        outcome: runsheet_protocol::IdCheckOutcome,
    },
    /// A cash-on-delivery task: record the cash collected (and the change) first.
    CashNotCollected {
        /// The amount due.
        due: runsheet_protocol::Money,
    },
    /// Collected minus change is not the amount due: say why (it is reported).
    CashReasonRequired {
        /// The amount due.
        due: runsheet_protocol::Money,
        /// Collected minus change.
        kept: runsheet_protocol::Money,
    },
    /// The drop-off is a locker or pickup point: scan its code and the compartment's first.
    LockerNotScanned,
    /// The courier still holds cash collected on delivery: hand it in before going off duty.
    CashNotHandedIn {
        /// The cash held.
        held: runsheet_protocol::Money,
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
            Blocker::RecalledItems { .. } => "recalled_items",
            Blocker::StatementTooLong { .. } => "statement_too_long",
            Blocker::HandoverIncoming { .. } => "handover_incoming",
            Blocker::HandoverPending => "handover_pending",
            Blocker::BoxFull { .. } => "box_full",
            Blocker::PayNotConfirmed => "pay_not_confirmed",
            Blocker::NotQualified { .. } => "not_qualified",
            Blocker::IdCheckRefused { .. } => "id_check_refused",
            Blocker::CashNotCollected { .. } => "cash_not_collected",
            Blocker::CashReasonRequired { .. } => "cash_reason_required",
            Blocker::LockerNotScanned => "locker_not_scanned",
            Blocker::CashNotHandedIn { .. } => "cash_not_handed_in",
        }
    }

    /// What to do, in English (logs, the CLI): [`Blocker::sentence`] in English.
    pub fn message(&self) -> String {
        self.sentence(&Words::of(Language::En))
    }

    /// What to do, in the courier's language (no personal data: item and checklist labels
    /// are the merchant's and the platform's).
    pub fn sentence(&self, words: &Words) -> String {
        let plain = |id: &str| words.text(id, &Args::new());
        match self {
            Blocker::NotArrived { stop, distance_m } => {
                let args = Args::new().str("stop", wording::stop_role(words, *stop));
                match distance_m {
                    Some(d) => words.text(
                        "blocker-not-arrived-at-distance",
                        &args.str("distance", words.distance(*d)),
                    ),
                    None => words.text("blocker-not-arrived", &args),
                }
            }
            Blocker::OnBreak => plain("blocker-on-break"),
            Blocker::ShiftNotStarted => plain("blocker-shift-not-started"),
            Blocker::ContactAttemptsNeeded { made, needed } => words.text(
                "blocker-contact-attempts-needed",
                &Args::new()
                    .num("made", i64::from(*made))
                    .num("needed", i64::from(*needed)),
            ),
            Blocker::WaitAtDoor { seconds_left, .. } => words.text(
                "blocker-wait-at-door",
                &Args::new().str("duration", words.duration(*seconds_left)),
            ),
            Blocker::PhotoRequired => plain("blocker-photo-required"),
            Blocker::ReasonRequired => plain("blocker-reason-required"),
            Blocker::NotAtDropoff => plain("blocker-not-at-dropoff"),
            Blocker::GoodsOnBoard { tasks } => words.text(
                "blocker-goods-on-board",
                &Args::new().num("tasks", i64::from(*tasks)),
            ),
            Blocker::ReadyTimeNotInFuture => plain("blocker-ready-time-not-in-future"),
            Blocker::AlreadyPickedUp => plain("blocker-already-picked-up"),
            Blocker::ItemsNotConfirmed {
                confirmed,
                expected,
                missing,
            } => words.text(
                "blocker-items-not-confirmed",
                &Args::new()
                    .num("confirmed", i64::from(*confirmed))
                    .num("expected", i64::from(*expected))
                    .str("missing", words.list(missing)),
            ),
            Blocker::PhotoOfItemRequired => plain("blocker-photo-of-item-required"),
            Blocker::ChecklistIncomplete { stage, missing } => words.text(
                "blocker-checklist-incomplete",
                &Args::new()
                    .str("stage", wording::checklist_stage(words, *stage))
                    .str("missing", words.list(missing)),
            ),
            Blocker::AppealWindowClosed { hours } => words.text(
                "blocker-appeal-window-closed",
                &Args::new().num("hours", i64::from(*hours)),
            ),
            Blocker::RatingWindowClosed { hours } => words.text(
                "blocker-rating-window-closed",
                &Args::new().num("hours", i64::from(*hours)),
            ),
            Blocker::ProofMissing { policy } => plain(match policy {
                ProofPolicy::Photo => "blocker-proof-photo",
                ProofPolicy::Signature => "blocker-proof-signature",
                ProofPolicy::Code => "blocker-proof-code",
                ProofPolicy::None => "blocker-proof-none",
            }),
            Blocker::RecalledItems { items } => words.text(
                "blocker-recalled-items",
                &Args::new().str("items", words.list(items)),
            ),
            Blocker::StatementTooLong { max_chars } => words.text(
                "blocker-statement-too-long",
                &Args::new().num("max", i64::from(*max_chars)),
            ),
            Blocker::HandoverIncoming { scanned, expected } => words.text(
                "blocker-handover-incoming",
                &Args::new()
                    .num("scanned", i64::from(*scanned))
                    .num("expected", i64::from(*expected)),
            ),
            Blocker::HandoverPending => plain("blocker-handover-pending"),
            Blocker::BoxFull {
                compartment,
                units,
                capacity,
            } => words.text(
                match compartment {
                    runsheet_protocol::Compartment::Box => "blocker-box-full",
                    runsheet_protocol::Compartment::Chilled => "blocker-chilled-full",
                },
                &Args::new().num("units", *units).num("capacity", *capacity),
            ),
            Blocker::PayNotConfirmed => plain("blocker-pay-not-confirmed"),
            Blocker::NotQualified { modules } => words.text(
                "blocker-not-qualified",
                &Args::new().str("modules", words.list(modules)),
            ),
            Blocker::IdCheckRefused { outcome } => words.text(
                "blocker-id-check-refused",
                &Args::new().str("outcome", wording::id_check_outcome(words, *outcome)),
            ),
            Blocker::CashNotCollected { due } => words.text(
                "blocker-cash-not-collected",
                &Args::new().str("due", wording::money(words, due)),
            ),
            Blocker::CashReasonRequired { due, kept } => words.text(
                "blocker-cash-reason-required",
                &Args::new()
                    .str("due", wording::money(words, due))
                    .str("kept", wording::money(words, kept)),
            ),
            Blocker::LockerNotScanned => plain("blocker-locker-not-scanned"),
            Blocker::CashNotHandedIn { held } => words.text(
                "blocker-cash-not-handed-in",
                &Args::new().str("held", wording::money(words, held)),
            ),
        }
    }
}

impl std::fmt::Display for Blocker {
    /// The sentence of [`Blocker::message`] (shells show it; the CLI and logs print it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// What a refused action was, in English ("deliver task F1", "change the shift").
pub fn what(action: &str, task_id: &str) -> String {
    what_in(&Words::of(Language::En), action, task_id)
}

/// What a refused action was, in the courier's language ("确认订单F1送达").
pub fn what_in(words: &Words, action: &str, task_id: &str) -> String {
    let id = match action {
        "accept" => "what-accept",
        "arrive" => "what-arrive",
        "pick_up" => "what-pick-up",
        "delivered" => "what-delivered",
        "fail" | "report_exception" => "what-report",
        "returned" => "what-returned",
        "correct_pin" => "what-correct-pin",
        "confirm_item" => "what-confirm-item",
        "shift" => return words.text("what-shift", &Args::new()),
        "appeal" => "what-appeal",
        "rate_stop" => "what-rate-stop",
        "answer_case" => "what-answer-case",
        "set_aside" => "what-set-aside",
        "request_handover" => "what-request-handover",
        "receive_handover" => "what-receive-handover",
        "appeal_pay" => return words.text("what-appeal-pay", &Args::new()),
        "collect_cash" => "what-collect-cash",
        "locker_drop" => "what-locker-drop",
        "hand_in_cash" => return words.text("what-hand-in-cash", &Args::new()),
        other => {
            return words.text(
                "what-other",
                &Args::new()
                    .str("action", wording::action(words, other))
                    .str("task", task_id),
            )
        }
    };
    words.text(id, &Args::new().str("task", task_id))
}

/// The blockers' English messages joined for an error line (logs).
pub fn join(blockers: &[Blocker]) -> String {
    join_in(&Words::of(Language::En), blockers)
}

/// The blockers' sentences in the courier's language, joined for one line.
pub fn join_in(words: &Words, blockers: &[Blocker]) -> String {
    let separator = words.text("blockers-separator", &Args::new());
    blockers
        .iter()
        .map(|b| b.sentence(words))
        .collect::<Vec<_>>()
        .join(&separator)
}

#[cfg(test)]
mod tests {
    use runsheet_protocol::ChecklistStage;

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

    #[test]
    fn blockers_read_in_chinese() {
        let zh = Words::of(Language::ZhCn);
        let b = Blocker::NotArrived {
            stop: StopRole::Dropoff,
            distance_m: Some(1840.0),
        };
        assert_eq!(
            b.sentence(&zh),
            "GPS未检测到您已到达送货点（相距1.8公里），请手动确认到达并填写原因"
        );
        let w = Blocker::WaitAtDoor {
            until: 0,
            seconds_left: 125,
        };
        assert_eq!(w.sentence(&zh), "请在门口再等候3分钟，才能上报联系不上顾客");
        let c = Blocker::ContactAttemptsNeeded { made: 0, needed: 2 };
        assert_eq!(c.sentence(&zh), "请先联系顾客2次（目前0次无人应答）");
        let items = Blocker::ItemsNotConfirmed {
            confirmed: 1,
            expected: 4,
            missing: vec!["牛奶".into(), "鸡蛋".into(), "面包".into()],
        };
        assert_eq!(
            items.sentence(&zh),
            "请先扫描全部商品：已确认1/4件，还缺牛奶、鸡蛋和面包"
        );
        let checklist = Blocker::ChecklistIncomplete {
            stage: ChecklistStage::Pickup,
            missing: vec!["冷热分装".into()],
        };
        assert_eq!(checklist.sentence(&zh), "请完成取货检查：冷热分装");
        assert_eq!(
            join_in(&zh, &[Blocker::PhotoRequired, Blocker::ReasonRequired]),
            "请至少上传一张照片；请填写原因"
        );
        assert_eq!(
            Blocker::ProofMissing {
                policy: ProofPolicy::Code
            }
            .sentence(&zh),
            "请核对顾客的收货码"
        );
        assert_eq!(what_in(&zh, "delivered", "F1"), "确认订单F1送达");
        assert_eq!(what_in(&zh, "shift", ""), "变更班次");
        assert_eq!(what_in(&zh, "scan", "F1"), "对订单F1执行扫码");
    }

    #[test]
    fn english_counts_are_plural_aware() {
        let en = Words::of(Language::En);
        let one = Blocker::GoodsOnBoard { tasks: 1 };
        assert_eq!(
            one.sentence(&en),
            "1 task still has goods in your box; deliver or return it first"
        );
        let two = Blocker::GoodsOnBoard { tasks: 2 };
        assert!(two.sentence(&en).starts_with("2 tasks still have goods"));
        let once = Blocker::ContactAttemptsNeeded { made: 0, needed: 1 };
        assert!(
            once.sentence(&en).contains("customer once first"),
            "{}",
            once.sentence(&en)
        );
        let items = Blocker::ItemsNotConfirmed {
            confirmed: 1,
            expected: 3,
            missing: vec!["milk".into(), "eggs".into()],
        };
        assert_eq!(
            items.message(),
            "scan every item first: 1 of 3 confirmed, missing milk and eggs"
        );
        assert_eq!(
            Blocker::AppealWindowClosed { hours: 1 }.message(),
            "ratings can be appealed within 1 hour; this one is older"
        );
    }

    #[test]
    fn a_full_box_says_how_full_in_both_languages() {
        let b = Blocker::BoxFull {
            compartment: runsheet_protocol::Compartment::Box,
            units: 12,
            capacity: 10,
        };
        assert_eq!(
            b.message(),
            "the box is full: 12 units with this pickup, room for 10"
        );
        assert_eq!(
            b.sentence(&Words::of(Language::ZhCn)),
            "配送箱已满：取这单后共12个单位，容量只有10个单位"
        );
        let c = Blocker::BoxFull {
            compartment: runsheet_protocol::Compartment::Chilled,
            units: 1,
            capacity: 0,
        };
        assert_eq!(
            c.message(),
            "the chilled compartment is full: 1 unit with this pickup, room for 0"
        );
    }

    #[test]
    fn every_blocker_has_a_sentence_in_both_languages() {
        let all = [
            Blocker::NotArrived {
                stop: StopRole::Pickup,
                distance_m: None,
            },
            Blocker::NotArrived {
                stop: StopRole::Return,
                distance_m: Some(3.0),
            },
            Blocker::OnBreak,
            Blocker::ShiftNotStarted,
            Blocker::ContactAttemptsNeeded { made: 1, needed: 3 },
            Blocker::WaitAtDoor {
                until: 0,
                seconds_left: 30,
            },
            Blocker::PhotoRequired,
            Blocker::ReasonRequired,
            Blocker::NotAtDropoff,
            Blocker::GoodsOnBoard { tasks: 3 },
            Blocker::ReadyTimeNotInFuture,
            Blocker::AlreadyPickedUp,
            Blocker::ItemsNotConfirmed {
                confirmed: 0,
                expected: 1,
                missing: vec!["x".into()],
            },
            Blocker::PhotoOfItemRequired,
            Blocker::ChecklistIncomplete {
                stage: ChecklistStage::StartOfShift,
                missing: vec!["helmet".into()],
            },
            Blocker::AppealWindowClosed { hours: 72 },
            Blocker::RatingWindowClosed { hours: 24 },
            Blocker::ProofMissing {
                policy: ProofPolicy::Photo,
            },
            Blocker::ProofMissing {
                policy: ProofPolicy::Signature,
            },
            Blocker::ProofMissing {
                policy: ProofPolicy::None,
            },
            Blocker::RecalledItems {
                items: vec!["milk".into()],
            },
            Blocker::StatementTooLong { max_chars: 2000 },
            Blocker::BoxFull {
                compartment: runsheet_protocol::Compartment::Box,
                units: 12,
                capacity: 10,
            },
            Blocker::BoxFull {
                compartment: runsheet_protocol::Compartment::Chilled,
                units: 3,
                capacity: 2,
            },
            Blocker::NotQualified {
                modules: vec!["Cold chain".into()],
            },
            Blocker::IdCheckRefused {
                outcome: runsheet_protocol::IdCheckOutcome::Underage,
            },
            Blocker::CashNotCollected {
                due: runsheet_protocol::Money::new(4550, "CNY"),
            },
            Blocker::CashReasonRequired {
                due: runsheet_protocol::Money::new(4550, "CNY"),
                kept: runsheet_protocol::Money::new(4500, "CNY"),
            },
            Blocker::LockerNotScanned,
            Blocker::CashNotHandedIn {
                held: runsheet_protocol::Money::new(9100, "CNY"),
            },
        ];
        let zh = Words::of(Language::ZhCn);
        for b in &all {
            let (en, cn) = (b.message(), b.sentence(&zh));
            assert!(
                !en.starts_with("blocker-") && !cn.starts_with("blocker-"),
                "{en}"
            );
            assert_ne!(en, cn);
            // Chinese sentences are Chinese: at least one CJK character each.
            assert!(
                cn.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{cn}"
            );
        }
    }
}
