//! At the door on the phone, without a socket: a scripted in-memory server serves the tasks
//! (and a drop-off checklist) and records what the phone pushes. Cash on delivery: a typed
//! amount with more decimals than the currency allows is refused with its reason and nothing
//! is recorded or queued; a discrepancy needs a reason; the handover waits for the cash; going
//! off duty waits for the hand-in. Lockers: another locker's label is refused, the scan is the
//! proof. An age check refused fails the delivery, and the evidence carries it. The customer's
//! pickup code leaves the phone with the customer's data.

use runsheet_core::{Action, AnswerValue, Blocker, ChecklistStage, Error, Runsheet};
use runsheet_protocol::{
    AmountProblem, CashBalance, ChecklistItemDef, ChecklistTemplate, IdCheckOutcome, IdCheckResult,
    IdDocument, ItemDoc, ItemKind, LockerDoc, LockerKind, Money, Restriction, StopDoc, TaskDoc,
    TaskKind, TaskStatus,
};

mod scripted;
use scripted::{phone_in, Server, NOW};

fn task(id: &str) -> TaskDoc {
    TaskDoc {
        id: id.into(),
        kind: TaskKind::Parcel,
        status: TaskStatus::Assigned,
        pickup: None,
        dropoff: StopDoc::new("Customer", "1 Test Road", 30.0, 120.0),
        revision: 1,
        ordered_at: None,
        items: Vec::new(),
        return_to: None,
        handoff_code: None,
        contactless: false,
        proof: Default::default(),
        customer_locale: None,
        case_id: None,
        take_back: Vec::new(),
        cash_due: None,
        locker: None,
        handovers: Vec::new(),
    }
}

fn at_door(core: &Runsheet, id: &str) {
    core.accept(id).unwrap();
    core.arrive_manually(id, "gate").unwrap();
}

fn blockers(e: Error) -> Vec<&'static str> {
    match e {
        Error::Blocked { blockers, .. } => blockers.iter().map(Blocker::code).collect(),
        other => panic!("not blocked: {other}"),
    }
}

#[tokio::test]
async fn cash_is_typed_checked_recorded_and_handed_in() {
    let server = Server::default();
    let mut c1 = task("C1");
    c1.cash_due = Some(Money::new(4550, "CNY"));
    server.state().tasks.push(c1);
    let dir = tempfile::tempdir().unwrap();
    let core = phone_in(&server, &dir, NOW);
    core.sync().await.unwrap();
    core.start_shift().unwrap();
    at_door(&core, "C1");
    let queued = core.sync_status().unwrap().pending;

    assert_eq!(
        blockers(core.mark_delivered("C1").unwrap_err()),
        ["cash_not_collected"]
    );
    // More decimals than yuan have: refused with the reason, nothing recorded or queued.
    match core.collect_cash("C1", "50.005", "4.5", None) {
        Err(Error::InvalidAmount { problem }) => assert_eq!(
            problem,
            AmountProblem::TooManyDecimals {
                currency: "CNY".into(),
                allowed: 2
            }
        ),
        other => panic!("three decimals accepted: {other:?}"),
    }
    assert!(matches!(
        core.collect_cash("C1", "fifty", "", None),
        Err(Error::InvalidAmount {
            problem: AmountProblem::NotANumber
        })
    ));
    assert!(matches!(
        core.collect_cash("C1", "5", "10", None),
        Err(Error::InvalidAmount {
            problem: AmountProblem::Negative
        })
    ));
    assert_eq!(core.cash_collection("C1").unwrap(), None);
    assert_eq!(core.sync_status().unwrap().pending, queued);

    // 45.00 kept of 45.50: a reason is needed, then it is recorded.
    assert_eq!(
        blockers(
            core.collect_cash("C1", "50", "5", Some(" ".into()))
                .unwrap_err()
        ),
        ["cash_reason_required"]
    );
    core.collect_cash("C1", "50", "5", Some("no coins".into()))
        .unwrap();
    let c = core.cash_collection("C1").unwrap().unwrap();
    assert_eq!((c.kept(), c.discrepancy()), (4500, -50));
    core.mark_delivered("C1").unwrap();
    assert_eq!(core.cash_held().unwrap(), [Money::new(4500, "CNY")]);

    assert_eq!(
        blockers(core.end_shift().unwrap_err()),
        ["cash_not_handed_in"]
    );
    assert!(matches!(
        core.hand_in_cash("44.999"),
        Err(Error::InvalidAmount { .. })
    ));
    let h = core.hand_in_cash("44").unwrap();
    assert_eq!(h.balance, CashBalance::Short);
    assert_eq!((h.held.minor, h.handed.minor), (4500, 4400));
    assert!(core.cash_held().unwrap().is_empty());
    core.end_shift().unwrap();

    core.sync().await.unwrap();
    let pushed = server.state().pushed.clone();
    assert!(pushed.contains(&Action::CollectCash {
        task_id: "C1".into(),
        collected: Money::new(5000, "CNY"),
        change: Money::new(500, "CNY"),
        reason: Some("no coins".into()),
    }));
    assert!(pushed.contains(&Action::HandInCash {
        held: Money::new(4500, "CNY"),
        handed: Money::new(4400, "CNY"),
    }));
}

#[tokio::test]
async fn a_locker_drop_is_proven_by_its_label_and_the_pickup_code_is_purged() {
    let server = Server::default();
    let mut l1 = task("L1");
    l1.proof = runsheet_protocol::ProofPolicy::Photo;
    l1.locker = Some(LockerDoc {
        kind: LockerKind::Locker,
        locker_id: "L-17".into(),
        code: "LOCKER-L17".into(),
        pickup_code: Some("884213".into()),
    });
    server.state().tasks.push(l1);
    let dir = tempfile::tempdir().unwrap();
    let core = phone_in(&server, &dir, NOW);
    core.sync().await.unwrap();
    at_door(&core, "L1");
    // The locker's scan replaces the photo the platform asks for at a door.
    assert_eq!(
        blockers(core.mark_delivered("L1").unwrap_err()),
        ["locker_not_scanned"]
    );
    assert!(matches!(
        core.locker_drop("L1", "LOCKER-L18", "B07"),
        Err(Error::WrongLocker { .. })
    ));
    assert!(matches!(
        core.locker_drop("L1", "LOCKER-L17", "  "),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(core.locker_drop_of("L1").unwrap(), None);
    core.locker_drop("L1", "LOCKER-L17", "B07").unwrap();
    assert_eq!(
        core.locker_drop_of("L1").unwrap().unwrap().compartment,
        "B07"
    );
    core.mark_delivered("L1").unwrap();
    let t = core.task("L1").unwrap();
    assert_eq!(t.status, TaskStatus::Delivered);
    assert!(!format!("{t:?}").contains("884213"));
    assert_eq!(
        t.locker.as_ref().unwrap().pickup_code.as_deref(),
        Some("884213")
    );
    // A day later the customer's data goes, the pickup code with it.
    let later = phone_in(&server, &dir, NOW + 2 * 86_400);
    drop(core);
    later.purge_customer_data().unwrap();
    assert_eq!(later.task("L1").unwrap().locker.unwrap().pickup_code, None);
}

#[tokio::test]
async fn a_refused_age_check_fails_the_delivery_and_is_in_the_evidence() {
    let server = Server::default();
    let mut a1 = task("A1");
    a1.items = vec![ItemDoc {
        code: "WINE".into(),
        name: "Red wine".into(),
        temperature: Default::default(),
        quantity: 1,
        restricted: Some(Restriction::Alcohol),
        size: None,
    }];
    let a2 = task("A2");
    {
        let mut s = server.state();
        s.tasks.push(a1);
        s.tasks.push(a2);
        s.checklists.push(ChecklistTemplate {
            id: "dropoff".into(),
            version: 1,
            seq: 1,
            stage: ChecklistStage::Dropoff,
            kinds: Vec::new(),
            items: vec![ChecklistItemDef {
                id: "age".into(),
                label: "Age check".into(),
                kind: ItemKind::IdCheck,
                required: true,
                when: Some(runsheet_protocol::Condition::Fact {
                    fact: "restricted".into(),
                }),
            }],
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let core = phone_in(&server, &dir, NOW);
    core.sync().await.unwrap();
    at_door(&core, "A1");
    at_door(&core, "A2");
    // Only the wine needs the check (and its scan).
    assert_eq!(
        blockers(core.mark_delivered("A1").unwrap_err()),
        ["checklist_incomplete", "items_not_confirmed"]
    );
    let stage = ChecklistStage::Dropoff;
    assert!(core
        .checklist(Some("A2"), stage)
        .unwrap()
        .unwrap()
        .missing()
        .is_empty());
    // A pass without a document does not hold together.
    assert!(matches!(
        core.answer(
            Some("A1"),
            stage,
            "age",
            AnswerValue::IdCheck(IdCheckResult {
                document: IdDocument::NotShown,
                outcome: IdCheckOutcome::Passed,
            }),
        ),
        Err(Error::InvalidArgument(_))
    ));
    let within = core
        .answer(
            Some("A1"),
            stage,
            "age",
            AnswerValue::IdCheck(IdCheckResult {
                document: IdDocument::IdCard,
                outcome: IdCheckOutcome::Underage,
            }),
        )
        .unwrap();
    assert!(!within);
    assert_eq!(core.task("A1").unwrap().status, TaskStatus::Failed);
    let bundle = core.evidence_bundle("A1").unwrap();
    let json = serde_json::to_string(&bundle).unwrap();
    assert!(json.contains("\"underage\""), "{json}");
    assert!(json.contains("id_check_refused"), "{json}");
    core.sync().await.unwrap();
    let pushed = server.state().pushed.clone();
    assert!(pushed.iter().any(|a| matches!(
        a,
        Action::Fail {
            reason: runsheet_protocol::ExceptionReason::IdCheckRefused,
            ..
        }
    )));
    core.mark_delivered("A2").unwrap();
}
