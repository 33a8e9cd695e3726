//! After-sales on the phone, without a socket: a scripted in-memory server (like
//! `sync_offline.rs`'s) serves tasks, cases and recalls from their sequences and records what
//! the phone pushes. Each test plays the courier's side through [`Runsheet`]: a case answered
//! offline and confirmed by the server, a settled case refused, a recall that reaches the
//! phone with the bag already in the box, and an order error a case puts on the courier.

use runsheet_core::rating::Period;
use runsheet_core::scan::Symbology;
use runsheet_core::{Action, Blocker, Error, Runsheet, Step};
use runsheet_protocol::{
    CaseDoc, CaseKind, CaseStatus, CaseTeam, Fault, MutationOutcome, RecallDoc, RejectCode, TaskDoc,
};

mod scripted;
use scripted::{phone, Server, NOW};

fn task(id: &str, status: &str, items: &[&str]) -> TaskDoc {
    let stop = |name: &str| serde_json::json!({"name": name, "address": "1 Test Road", "lat": 30.27, "lon": 120.15});
    serde_json::from_value(serde_json::json!({
        "id": id,
        "kind": "grocery",
        "status": status,
        "pickup": stop("shop"),
        "dropoff": stop("customer"),
        "items": items.iter().map(|c| serde_json::json!({"code": c, "name": "milk"})).collect::<Vec<_>>(),
        "revision": 1,
    }))
    .unwrap()
}

fn case(id: i64, task_id: &str, kind: CaseKind, status: CaseStatus, seq: i64) -> CaseDoc {
    CaseDoc {
        id,
        task_id: task_id.into(),
        kind,
        status,
        team: kind.default_team(),
        summary: "the customer says the order came late".into(),
        opened_at: NOW - 600,
        answer_by: Some(NOW + 7200),
        resolve_by: NOW + 86_400,
        respond_by: NOW - 600 + 1800,
        first_response_at: (status != CaseStatus::Open).then_some(NOW - 300),
        settled_at: status.is_settled().then_some(NOW - 60),
        closed_at: None,
        satisfaction: None,
        courier_statement: None,
        resolution_note: None,
        fault: None,
        follow_up_task_id: None,
        breached: false,
        seq,
    }
}

#[tokio::test]
async fn a_case_is_answered_offline_with_the_evidence_and_confirmed_by_the_server() {
    let server = Server::default();
    server.state().tasks.push(task("T1", "delivered", &[]));
    server.state().cases.push(case(
        7,
        "T1",
        CaseKind::Late,
        CaseStatus::WaitingForCourier,
        1,
    ));
    let (core, _dir) = phone(&server);
    let report = core.sync().await.unwrap();
    assert_eq!(report.cases_asking, vec![7]);
    assert_eq!(server.state().pulls[0].cases_after, 0);
    let cases = core.cases().unwrap();
    assert_eq!(cases.len(), 1);
    assert!(cases[0].can_answer && !cases[0].answer_pending);
    assert_eq!(core.cases_for_task("T1").unwrap().len(), 1);

    // Bad statements and unknown cases are refused, nothing queued.
    match core.answer_case(7, "   ") {
        Err(Error::Blocked { blockers, .. }) => assert_eq!(blockers, vec![Blocker::ReasonRequired]),
        other => panic!("expected a blocker, got {other:?}"),
    }
    match core.answer_case(7, &"x".repeat(2001)) {
        Err(Error::Blocked { blockers, .. }) => {
            assert_eq!(
                blockers,
                vec![Blocker::StatementTooLong { max_chars: 2000 }]
            )
        }
        other => panic!("expected a blocker, got {other:?}"),
    }
    assert!(matches!(
        core.answer_case(99, "hello"),
        Err(Error::CaseNotFound { case_id: 99 })
    ));
    assert_eq!(core.sync_status().unwrap().pending, 0);

    // Answered offline: shown answered, queued with the task's evidence bundle.
    core.answer_case(7, "Traffic on the bridge; I called the customer.")
        .unwrap();
    let shown = core.case(7).unwrap();
    assert!(shown.answer_pending);
    assert_eq!(shown.doc.status, CaseStatus::Acknowledged);
    assert_eq!(
        shown.doc.courier_statement.as_deref(),
        Some("Traffic on the bridge; I called the customer.")
    );
    assert_eq!(core.sync_status().unwrap().pending, 1);

    // A pull that does not move the case on keeps the statement shown.
    core.sync().await.unwrap();
    let pushed = server.state().pushed.clone();
    let Some(Action::AnswerCase {
        case_id,
        task_id,
        statement,
        evidence,
    }) = pushed.last()
    else {
        panic!("no answer pushed: {pushed:?}");
    };
    assert_eq!((*case_id, task_id.as_str()), (7, "T1"));
    assert!(statement.starts_with("Traffic"));
    let bundle: serde_json::Value = serde_json::from_str(evidence).unwrap();
    assert_eq!(bundle["task"]["id"], "T1", "{bundle}");
    assert!(core.case(7).unwrap().answer_pending);

    // The server records it: the phone shows the server's document.
    {
        let mut s = server.state();
        let c = &mut s.cases[0];
        c.status = CaseStatus::Acknowledged;
        c.courier_statement = Some(statement.clone());
        c.seq = 2;
    }
    let report = core.sync().await.unwrap();
    assert_eq!(report.changed_cases, vec![7]);
    assert!(report.cases_asking.is_empty());
    let confirmed = core.case(7).unwrap();
    assert!(!confirmed.answer_pending);
    assert_eq!(confirmed.doc.seq, 2);

    // Settled: no statement is taken any more, in words.
    {
        let mut s = server.state();
        let c = &mut s.cases[0];
        c.status = CaseStatus::Closed;
        c.resolution_note = Some("apologised, voucher sent".into());
        c.seq = 3;
    }
    core.sync().await.unwrap();
    assert!(!core.case(7).unwrap().can_answer);
    let refused = core.answer_case(7, "more").unwrap_err();
    assert!(matches!(
        refused,
        Error::CaseSettled {
            case_id: 7,
            status: CaseStatus::Closed
        }
    ));
    let en = runsheet_core::Words::of(runsheet_core::Language::En);
    assert_eq!(
        refused.sentence(&en),
        "Case 7 is closed: it takes no statement any more."
    );
    assert_eq!(core.sync_status().unwrap().pending, 0);
}

#[tokio::test]
async fn a_recall_reaching_the_phone_with_the_bag_in_the_box_blocks_the_drop_off_until_set_aside() {
    let server = Server::default();
    // The manifest names the product only; the pickup scan reads its batch and expiry.
    server
        .state()
        .tasks
        .push(task("G1", "assigned", &["(01)09506000134352"]));
    let (core, _dir) = phone(&server);
    core.sync().await.unwrap();
    core.start_shift().unwrap();
    core.accept("G1").unwrap();
    core.arrive_manually("G1", "indoor").unwrap();
    let (o, _) = core
        .scan(
            "G1",
            "(01)09506000134352(10)L42(17)271231",
            Symbology::Unknown,
        )
        .unwrap();
    assert_eq!(o.code(), "confirmed");
    core.pick_up("G1").unwrap();
    core.arrive_manually("G1", "indoor").unwrap();
    let codes = |core: &Runsheet| -> Vec<&'static str> {
        let next = core.next_action("G1").unwrap().unwrap();
        next.blockers.iter().map(|b| b.code()).collect()
    };
    assert_eq!(codes(&core), vec!["items_not_confirmed"]);

    // Dispatch recalls the batch while the bag is in the box.
    server.state().recalls.push(RecallDoc {
        id: 3,
        gtin: "09506000134352".into(),
        batch: "L42".into(),
        expiry_from: None,
        expiry_to: None,
        reason: "listeria".into(),
        issued_at: NOW,
        lifted: false,
        seq: 1,
    });
    let report = core.sync().await.unwrap();
    assert_eq!(report.changed_recalls, vec![3]);
    assert_eq!(core.next_action("G1").unwrap().unwrap().step, Step::Deliver);
    assert_eq!(codes(&core), vec!["recalled_items", "items_not_confirmed"]);
    assert!(matches!(
        core.mark_delivered("G1"),
        Err(Error::Blocked { .. })
    ));
    let recalled = core.recalled_items("G1").unwrap();
    assert_eq!(recalled.len(), 1);
    assert_eq!(recalled[0].recall_id, 3);

    // Scanning it at the door: refused with the verdict `recalled`.
    let (o, _) = core
        .scan(
            "G1",
            "(01)09506000134352(10)L42(17)271231",
            Symbology::Unknown,
        )
        .unwrap();
    assert_eq!(o.code(), "recalled");
    // Another batch of the same product is fine.
    let other = runsheet_core::scan::confirm::apply_recalls(
        o.clone(),
        &runsheet_core::scan::confirm::Lot {
            gtin: Some("09506000134352".into()),
            batch: Some("L43".into()),
            expiry: None,
        },
        &core.recalls().unwrap(),
    );
    assert_eq!(other, o, "a non-manifest verdict is left as it is");

    // Set aside: the handoff no longer waits for it, and dispatch hears of it.
    assert!(core.set_aside("G1", "nope").is_err());
    core.set_aside("G1", "(01)09506000134352").unwrap();
    assert!(core.recalled_items("G1").unwrap().is_empty());
    let next = core.next_action("G1").unwrap().unwrap();
    assert!(next.blockers.is_empty(), "{next:?}");
    core.mark_delivered("G1").unwrap();
    core.sync().await.unwrap();
    assert!(server.state().pushed.iter().any(|a| matches!(
        a,
        Action::SetAside { task_id, recall_id: 3, .. } if task_id == "G1"
    )));

    // A wrong-item case confirmed against the courier counts as an order error.
    assert_eq!(
        core.kpis(Period::Month).unwrap().order_error_rate,
        Some(0.0)
    );
    let mut wrong = case(8, "G1", CaseKind::WrongItem, CaseStatus::Resolved, 1);
    wrong.fault = Some(Fault::Courier);
    wrong.team = CaseTeam::Complaints;
    server.state().cases.push(wrong);
    let report = core.sync().await.unwrap();
    assert!(
        report.cases_asking.is_empty(),
        "a settled case asks nothing"
    );
    assert_eq!(
        core.kpis(Period::Month).unwrap().order_error_rate,
        Some(1.0)
    );
    let figures = core.case_figures(Period::Month).unwrap();
    assert_eq!(figures.cases, 1);
    assert_eq!(figures.by_kind[0].kind, CaseKind::WrongItem);
    assert_eq!(figures.complaints_per_100, Some(100.0));
    // The server's own times: first response 300 s after opening, settled 540 s after.
    assert_eq!(figures.by_kind[0].first_response_p50_s, Some(300));
    assert_eq!(figures.by_kind[0].resolution_p50_s, Some(540));
}

#[tokio::test]
async fn an_exchange_takes_the_old_item_back_at_the_door_and_names_its_case() {
    let server = Server::default();
    let mut doc = task("X1", "assigned", &["(01)09506000134352"]);
    doc.pickup = None;
    doc.case_id = Some(7);
    doc.take_back = vec![serde_json::from_value(
        serde_json::json!({"code": "4006381333931", "name": "old kettle"}),
    )
    .unwrap()];
    server.state().tasks.push(doc);
    let (core, _dir) = phone(&server);
    core.sync().await.unwrap();
    let t = core.task("X1").unwrap();
    assert_eq!(t.case_id, Some(7));
    assert_eq!(t.take_back.len(), 1);
    core.start_shift().unwrap();
    core.accept("X1").unwrap();
    core.arrive_manually("X1", "door").unwrap();
    let p = core.scan_progress("X1").unwrap();
    assert_eq!((p.confirmed, p.expected), (0, 2));
    let (o, p) = core
        .scan("X1", "4006381333931", Symbology::Unknown)
        .unwrap();
    assert_eq!(o.code(), "confirmed");
    assert_eq!((p.confirmed, p.expected), (1, 2));
    assert_eq!(p.missing[0].code, "(01)09506000134352");
}

#[tokio::test]
async fn a_statement_the_server_refuses_is_no_longer_shown_as_given() {
    let server = Server::default();
    server.state().tasks.push(task("T1", "delivered", &[]));
    server.state().cases.push(case(
        9,
        "T1",
        CaseKind::Damaged,
        CaseStatus::WaitingForCourier,
        1,
    ));
    server.state().refuse = Some(Box::new(|a| {
        matches!(a, Action::AnswerCase { .. }).then(|| MutationOutcome::Rejected {
            code: RejectCode::InvalidState,
            reason: "the case is settled".into(),
        })
    }));
    let (core, _dir) = phone(&server);
    core.sync().await.unwrap();
    core.answer_case(9, "The bag was sealed at pickup.")
        .unwrap();
    assert!(core.case(9).unwrap().answer_pending);
    let report = core.sync().await.unwrap();
    assert_eq!(report.rejected, 1);
    let c = core.case(9).unwrap();
    assert!(!c.answer_pending);
    assert_eq!(c.doc.status, CaseStatus::WaitingForCourier);
    assert_eq!(c.doc.courier_statement, None);
    assert_eq!(core.rejections().unwrap().len(), 1);
}

#[tokio::test]
async fn a_manifest_naming_a_recalled_batch_is_blocked_until_the_recall_is_lifted() {
    let server = Server::default();
    server
        .state()
        .tasks
        .push(task("G2", "assigned", &["(01)09506000134352(10)L42"]));
    server.state().recalls.push(RecallDoc {
        id: 5,
        gtin: "09506000134352".into(),
        batch: "L42".into(),
        expiry_from: Some("2027-01-01".into()),
        expiry_to: None,
        reason: "mislabelled allergen".into(),
        issued_at: NOW,
        lifted: false,
        seq: 4,
    });
    let (core, _dir) = phone(&server);
    core.sync().await.unwrap();
    // No expiry on the manifest: nobody can tell it is outside the range, so it is recalled.
    let recalled = core.recalled_items("G2").unwrap();
    assert_eq!(recalled.len(), 1);
    assert_eq!(recalled[0].reason, "mislabelled allergen");
    assert_eq!(server.state().pulls.last().unwrap().recalls_after, 0);

    // Lifted: the next pull (from the recall's sequence) frees the order.
    {
        let mut s = server.state();
        s.recalls[0].lifted = true;
        s.recalls[0].seq = 6;
    }
    core.sync().await.unwrap();
    assert_eq!(server.state().pulls.last().unwrap().recalls_after, 4);
    assert!(core.recalled_items("G2").unwrap().is_empty());
    assert!(core.recalls().unwrap()[0].lifted);
}
