//! Handovers between couriers over real HTTP on loopback: the request through the push,
//! dispatch naming the receiving courier (refused to oneself, to a courier off duty, twice, or
//! without a request), the task staying the first courier's until the receiving courier's scan
//! of every bag, custody passing with the chain on both couriers' copies, and a delivery by the
//! first courier voiding the handover. Every test runs on SQLite (`sqlite::`) and on PostgreSQL
//! (`postgres::`, on the cluster `cargo xtask test` starts).

use runsheet_protocol::{HandoverSide, HandoverStatus, RejectCode};
use serde_json::{json, Value};

mod loopback;

use loopback::*;

fn request(task: &str, reason: &str) -> Value {
    json!({"type": "request_handover", "task_id": task, "reason": reason})
}

fn receive(task: &str, bags: &[&str], at: i64) -> Value {
    json!({"type": "receive_handover", "task_id": task, "seq": 1, "bags": bags, "scanned_at": at})
}

async fn custody_passes_only_when_every_bag_is_scanned(engine: Engine) {
    let Some(e) = env_on(engine, "handover_custody_passes").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let bob = e.dispatch.create_courier("bob", "Bob").await.unwrap();
    e.dispatch.create_courier("cat", "Cat").await.unwrap();
    e.food_task("P1", "ann", &["B1", "B2"]).await;
    e.picked_up(&ann, "ann-phone", "P1", &["B1", "B2"]).await;
    let r = e
        .push(
            &bob,
            "bob-phone",
            vec![json!({"type": "shift", "event": "start"})],
        )
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));

    let r = e
        .push(&ann, "ann-phone", vec![request("P1", "vehicle_breakdown")])
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));
    let asked = task_in(&e.pull(&ann, "ann-phone", "").await, "P1").expect("ann holds P1");
    let h = asked.handovers.last().expect("the request is on the task");
    assert_eq!(h.status, HandoverStatus::Requested);
    assert_eq!(h.from_courier, "ann");
    assert_eq!(h.side, Some(HandoverSide::Giver));
    assert_eq!(h.requested_at, T0);

    // Dispatch names a receiver: never the giver, never a courier off duty or unknown.
    let to_self = e
        .dispatch
        .assign_handover("P1", "ann")
        .await
        .err()
        .expect("refused");
    assert_eq!(status_of(to_self), (409, "handover_to_self".into()));
    let off_duty = e
        .dispatch
        .assign_handover("P1", "cat")
        .await
        .err()
        .expect("refused");
    assert_eq!(status_of(off_duty), (409, "courier_off_duty".into()));
    let unknown = e
        .dispatch
        .assign_handover("P1", "zed")
        .await
        .err()
        .expect("refused");
    assert_eq!(status_of(unknown).0, 404);
    assert_eq!(e.holder("P1").await.as_deref(), Some("ann"));

    e.advance(60);
    let assigned = e.dispatch.assign_handover("P1", "bob").await.unwrap();
    assert_eq!(assigned.courier_id.as_deref(), Some("ann"), "still ann's");
    let again = e
        .dispatch
        .assign_handover("P1", "bob")
        .await
        .err()
        .expect("refused");
    assert_eq!(status_of(again), (409, "handover_already_assigned".into()));

    // The receiver sees the task as incoming; it is not theirs to work yet.
    let incoming = task_in(&e.pull(&bob, "bob-phone", "").await, "P1").expect("bob sees P1");
    let h = incoming.handovers.last().unwrap();
    assert_eq!(h.status, HandoverStatus::Assigned);
    assert_eq!(h.to_courier.as_deref(), Some("bob"));
    assert_eq!(h.side, Some(HandoverSide::Receiver));
    assert_eq!(h.assigned_at, Some(T0 + 60));
    let early = e
        .push(
            &bob,
            "bob-phone",
            vec![
                json!({"type": "arrive", "task_id": "P1", "stop": "dropoff", "method": "gps"}),
                receive("P1", &["B1"], T0 + 100),
                receive("P1", &["B1", "B2", "X9"], T0 + 100),
            ],
        )
        .await;
    assert_eq!(outcome(&early, 0), Err(RejectCode::NotYourTask));
    assert_eq!(
        outcome(&early, 1),
        Err(RejectCode::Invalid),
        "a bag missing"
    );
    assert_eq!(
        outcome(&early, 2),
        Err(RejectCode::Invalid),
        "a foreign bag"
    );
    assert_eq!(e.holder("P1").await.as_deref(), Some("ann"));

    // Every bag scanned: custody passes.
    e.advance(60);
    let r = e
        .push(
            &bob,
            "bob-phone",
            vec![receive("P1", &["B2", "B1"], T0 + 110)],
        )
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));
    assert_eq!(e.holder("P1").await.as_deref(), Some("bob"));
    let mine = task_in(&e.pull(&bob, "bob-phone", "").await, "P1").expect("bob holds P1");
    let h = mine.handovers.last().unwrap();
    assert_eq!(h.status, HandoverStatus::Completed);
    assert_eq!(h.completed_at, Some(T0 + 120));
    assert_eq!(h.scanned_at, Some(T0 + 110));
    assert_eq!(h.bags, vec!["B1".to_owned(), "B2".to_owned()]);
    assert_eq!(mine.status, runsheet_protocol::TaskStatus::PickedUp);
    // The giver keeps the task with the completed handover: their record of it.
    let given = task_in(&e.pull(&ann, "ann-phone", "").await, "P1").expect("ann's record");
    assert_eq!(
        given.handovers.last().unwrap().side,
        Some(HandoverSide::Giver)
    );
    assert_eq!(
        given.handovers.last().unwrap().status,
        HandoverStatus::Completed
    );
    let late = e
        .push(
            &ann,
            "ann-phone",
            vec![json!({"type": "arrive", "task_id": "P1", "stop": "dropoff", "method": "gps"})],
        )
        .await;
    assert_eq!(outcome(&late, 0), Err(RejectCode::NotYourTask));
    let r = e
        .push(
            &bob,
            "bob-phone",
            vec![
                json!({"type": "arrive", "task_id": "P1", "stop": "dropoff", "method": "gps"}),
                json!({"type": "delivered", "task_id": "P1"}),
            ],
        )
        .await;
    assert_eq!((outcome(&r, 0), outcome(&r, 1)), (Ok(()), Ok(())));
    // Both timelines on the server: ann asked, bob received.
    let ann_log = e.dispatch.mutations(Some("ann")).await.unwrap();
    assert!(ann_log
        .iter()
        .any(|m| m.task_id == "P1" && m.action["type"] == "request_handover"));
    let bob_log = e.dispatch.mutations(Some("bob")).await.unwrap();
    assert!(bob_log
        .iter()
        .any(|m| m.task_id == "P1" && m.action["type"] == "receive_handover"));
}

async fn the_first_courier_delivering_voids_the_handover(engine: Engine) {
    let Some(e) = env_on(engine, "handover_void_on_delivery").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let bob = e.dispatch.create_courier("bob", "Bob").await.unwrap();
    e.food_task("P2", "ann", &["B1"]).await;
    e.picked_up(&ann, "ann-phone", "P2", &["B1"]).await;
    e.push(
        &bob,
        "bob-phone",
        vec![json!({"type": "shift", "event": "start"})],
    )
    .await;
    let none = e
        .dispatch
        .assign_handover("P2", "bob")
        .await
        .err()
        .expect("refused");
    assert_eq!(status_of(none), (409, "no_handover_requested".into()));
    let r = e
        .push(
            &ann,
            "ann-phone",
            vec![request("P2", "too_far"), request("P2", "overload")],
        )
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));
    assert_eq!(
        outcome(&r, 1),
        Err(RejectCode::InvalidState),
        "one at a time"
    );
    e.dispatch.assign_handover("P2", "bob").await.unwrap();
    assert!(task_in(&e.pull(&bob, "bob-phone", "").await, "P2").is_some());
    // Until the receiving scan the task is ann's: she delivers it after all.
    let r = e
        .push(
            &ann,
            "ann-phone",
            vec![
                json!({"type": "arrive", "task_id": "P2", "stop": "dropoff", "method": "gps"}),
                json!({"type": "delivered", "task_id": "P2"}),
            ],
        )
        .await;
    assert_eq!((outcome(&r, 0), outcome(&r, 1)), (Ok(()), Ok(())));
    let pulled = e.pull(&bob, "bob-phone", "").await;
    assert!(task_in(&pulled, "P2").is_none(), "the receiver's copy goes");
    let r = e
        .push(&bob, "bob-phone", vec![receive("P2", &["B1"], T0)])
        .await;
    assert_eq!(outcome(&r, 0), Err(RejectCode::InvalidState));
    let task = e.dispatch.task("P2").await.unwrap();
    assert_eq!(task.courier_id.as_deref(), Some("ann"));
    assert_eq!(task.task.handovers[0].status, HandoverStatus::Void);
    assert_eq!(task.task.status, runsheet_protocol::TaskStatus::Delivered);
}

on_both_stores!(
    custody_passes_only_when_every_bag_is_scanned,
    the_first_courier_delivering_voids_the_handover,
);
