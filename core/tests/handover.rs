//! Handovers between couriers on the phone, without a socket: a scripted in-memory server
//! (like `after_sales.rs`'s) serves each change of the task as a new copy and records what the
//! phone pushes. The giver's side: a request with a reason through the outbox, blocked when one
//! is open or "other" has no note, and the task done for them once the receiver took it (no
//! goods on board, its chain of custody in the evidence bundle). The receiver's side: nothing
//! of an incoming task is theirs until every bag is scanned; per-bag verdicts; the last bag
//! queues the receipt with the bags scanned.

use runsheet_core::scan::Symbology;
use runsheet_core::{Action, Blocker, Custody, Error, HandoverReason};
use runsheet_protocol::{HandoverDoc, HandoverSide, HandoverStatus, TaskDoc};

mod scripted;
use scripted::{phone, Server, NOW};

const BAG1: &str = "(01)09506000134352(21)BAG1";
const BAG2: &str = "(01)09506000134352(21)BAG2";

fn task(id: &str, handovers: Vec<HandoverDoc>) -> TaskDoc {
    let stop = |name: &str| serde_json::json!({"name": name, "address": "1 Test Road", "lat": 30.27, "lon": 120.15});
    let mut doc: TaskDoc = serde_json::from_value(serde_json::json!({
        "id": id,
        "kind": "food",
        "status": "picked_up",
        "pickup": stop("shop"),
        "dropoff": stop("customer"),
        "items": [{"code": BAG1, "name": "bag one"}, {"code": BAG2, "name": "bag two"}],
        "revision": 3,
    }))
    .unwrap();
    doc.handovers = handovers;
    doc
}

fn handover(status: HandoverStatus, side: HandoverSide) -> HandoverDoc {
    HandoverDoc {
        seq: 1,
        from_courier: "ann".into(),
        to_courier: (status != HandoverStatus::Requested).then(|| "bob".into()),
        reason: HandoverReason::VehicleBreakdown,
        note: None,
        status,
        requested_at: NOW - 600,
        assigned_at: (status != HandoverStatus::Requested).then_some(NOW - 300),
        completed_at: (status == HandoverStatus::Completed).then_some(NOW - 60),
        scanned_at: (status == HandoverStatus::Completed).then_some(NOW - 70),
        bags: if status == HandoverStatus::Completed {
            vec![BAG1.into(), BAG2.into()]
        } else {
            Vec::new()
        },
        voided_at: None,
        side: Some(side),
    }
}

fn blocked_by(e: Error) -> Vec<&'static str> {
    match e {
        Error::Blocked { blockers, .. } => blockers.iter().map(Blocker::code).collect(),
        other => panic!("not blocked: {other:?}"),
    }
}

#[tokio::test]
async fn the_giver_asks_with_a_reason_and_is_done_once_the_receiver_took_the_goods() {
    let server = Server::default();
    server.state().tasks.push(task("P1", Vec::new()));
    let (core, _dir) = phone(&server);
    core.sync().await.unwrap();
    core.start_shift().unwrap();

    // "Other" needs a note; a note too long is refused outright.
    let other = core
        .request_handover("P1", HandoverReason::Other, None)
        .unwrap_err();
    assert_eq!(blocked_by(other), vec!["reason_required"]);
    let long = core.request_handover("P1", HandoverReason::Other, Some("x".repeat(501)));
    assert!(matches!(long, Err(Error::InvalidArgument(_))), "{long:?}");
    assert!(
        core.handover("P1").unwrap().handover.is_none(),
        "nothing saved"
    );

    core.request_handover(
        "P1",
        HandoverReason::VehicleBreakdown,
        Some(" flat tyre ".into()),
    )
    .unwrap();
    let p = core.handover("P1").unwrap();
    let h = p.handover.expect("the request shows at once");
    assert!(p.pending);
    assert_eq!(p.custody, Custody::Mine);
    assert_eq!(
        (h.status, h.reason),
        (HandoverStatus::Requested, HandoverReason::VehicleBreakdown)
    );
    assert_eq!(h.note.as_deref(), Some("flat tyre"));
    assert_eq!(h.requested_at, NOW);
    let again = core
        .request_handover("P1", HandoverReason::Overload, None)
        .unwrap_err();
    assert_eq!(blocked_by(again), vec!["handover_pending"]);

    core.sync().await.unwrap();
    assert!(server.state().pushed.iter().any(|a| matches!(
        a,
        Action::RequestHandover { task_id, reason: HandoverReason::VehicleBreakdown, note }
            if task_id == "P1" && note.as_deref() == Some("flat tyre")
    )));
    // The task is still the giver's: they may still deliver it.
    assert!(core.next_action("P1").unwrap().is_some());
    assert!(core.task("P1").unwrap().goods_on_board());

    // The receiver scanned every bag: the server's copy says so.
    server.state().tasks.push(task(
        "P1",
        vec![handover(HandoverStatus::Completed, HandoverSide::Giver)],
    ));
    core.sync().await.unwrap();
    let t = core.task("P1").unwrap();
    assert_eq!(t.custody, Custody::HandedOver);
    assert!(!t.goods_on_board());
    assert!(
        core.next_action("P1").unwrap().is_none(),
        "nothing left to do"
    );
    let late = core.arrive_manually("P1", "indoor").unwrap_err();
    assert!(matches!(late, Error::InvalidTransition { .. }), "{late:?}");
    // No goods on board: the shift can end.
    core.end_shift().unwrap();
    let bundle = core.evidence_bundle("P1").unwrap();
    assert_eq!(bundle.custody.len(), 1);
    assert_eq!(bundle.custody[0].to_courier.as_deref(), Some("bob"));
    assert_eq!(bundle.custody[0].completed_at, Some(NOW - 60));
    let json = bundle.to_json().unwrap();
    assert!(json.contains("\"custody\""), "{json}");
}

#[tokio::test]
async fn the_receiver_takes_over_only_when_every_bag_is_scanned() {
    let server = Server::default();
    server.state().tasks.push(task(
        "P1",
        vec![handover(HandoverStatus::Assigned, HandoverSide::Receiver)],
    ));
    let (core, _dir) = phone(&server);
    core.sync().await.unwrap();
    core.start_shift().unwrap();
    let t = core.task("P1").unwrap();
    assert_eq!(t.custody, Custody::Incoming);
    assert!(!t.goods_on_board(), "the goods are still with ann");
    let next = core.next_action("P1").unwrap().expect("a step, blocked");
    assert_eq!(
        next.blockers,
        vec![Blocker::HandoverIncoming {
            scanned: 0,
            expected: 2
        }]
    );
    let early = core.arrive_manually("P1", "indoor").unwrap_err();
    assert_eq!(blocked_by(early), vec!["handover_incoming"]);
    let own = core.request_handover("P1", HandoverReason::Overload, None);
    assert!(
        matches!(own, Err(Error::InvalidTransition { .. })),
        "{own:?}"
    );

    let (o, p) = core
        .scan_handover_bag("P1", BAG1, Symbology::Unknown)
        .unwrap();
    assert_eq!(o.code(), "confirmed");
    assert_eq!(
        (p.scanned, p.expected, p.custody),
        (1, 2, Custody::Incoming)
    );
    let (o, _) = core
        .scan_handover_bag("P1", "4006381333931", Symbology::Unknown)
        .unwrap();
    assert_eq!(o.code(), "not_mine");
    core.sync().await.unwrap();
    assert!(
        !server
            .state()
            .pushed
            .iter()
            .any(|a| matches!(a, Action::ReceiveHandover { .. })),
        "nothing received before every bag is scanned"
    );
    let (o, p) = core
        .scan_handover_bag("P1", BAG2, Symbology::Unknown)
        .unwrap();
    assert_eq!(o.code(), "confirmed");
    assert_eq!((p.scanned, p.expected), (2, 2));
    assert_eq!(
        p.custody,
        Custody::Mine,
        "the goods are in this courier's hands"
    );
    assert!(p.pending);
    core.arrive_manually("P1", "indoor").unwrap();
    core.sync().await.unwrap();
    let pushed = server.state().pushed.clone();
    let received = pushed
        .iter()
        .position(|a| {
            matches!(a, Action::ReceiveHandover { seq: 1, bags, scanned_at, .. }
            if bags == &vec![BAG1.to_owned(), BAG2.to_owned()] && *scanned_at == NOW)
        })
        .expect("the receipt with every bag");
    let arrived = pushed
        .iter()
        .position(|a| matches!(a, Action::Arrive { .. }))
        .unwrap();
    assert!(received < arrived, "the receipt goes first");
    // A scan once the task is theirs is refused.
    server.state().tasks.push(task(
        "P1",
        vec![handover(HandoverStatus::Completed, HandoverSide::Receiver)],
    ));
    core.sync().await.unwrap();
    assert_eq!(core.task("P1").unwrap().custody, Custody::Mine);
    let after = core.scan_handover_bag("P1", BAG1, Symbology::Unknown);
    assert!(
        matches!(after, Err(Error::InvalidTransition { .. })),
        "{after:?}"
    );
}
