//! At the door over real HTTP on loopback: cash on delivery recorded, a door discrepancy
//! reported as a case, a hand-in reconciled short against the server's own record of the
//! collections; a locker drop-off checked against the task's locker and kept as the proof; bad
//! amounts and lockers refused with the field. Every test runs on SQLite (`sqlite::`) and on
//! PostgreSQL (`postgres::`, on the cluster `cargo xtask test` starts).

use runsheet_protocol::{CashBalance, MutationOutcome, PushResponse, RejectCode};
use serde_json::{json, Value};

mod loopback;
use loopback::*;

fn dropoff() -> Value {
    json!({"name": "Customer", "address": "1 Test Road", "lat": 30.27, "lon": 120.15})
}

impl Env {
    async fn parcel(&self, id: &str, courier: &str, extra: Value) {
        let mut body =
            json!({"id": id, "courier_id": courier, "kind": "parcel", "dropoff": dropoff()});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.dispatch.create_task(&body).await.unwrap();
    }
}

fn at_door(task: &str) -> Vec<Value> {
    vec![
        json!({"type": "accept", "task_id": task}),
        json!({"type": "arrive", "task_id": task, "stop": "dropoff", "method": "gps"}),
    ]
}

fn cny(minor: i64) -> Value {
    json!({"minor": minor, "currency": "CNY"})
}

fn rejected(r: &PushResponse, i: usize) -> RejectCode {
    match &r.results[i].outcome {
        MutationOutcome::Rejected { code, .. } => *code,
        other => panic!("mutation {i} was not rejected: {other:?}"),
    }
}

async fn cash_is_reconciled_against_the_collections(engine: Engine) {
    let Some(e) = env_on(engine, "door_cash").await else {
        return;
    };
    let token = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    e.parcel("C1", "ann", json!({"cash_due": cny(3200)})).await;
    e.parcel("C2", "ann", json!({"cash_due": cny(4550)})).await;
    e.parcel("C3", "ann", json!({})).await;
    let mut actions = at_door("C1");
    actions.push(json!({"type": "collect_cash", "task_id": "C1", "collected": cny(5000), "change": cny(1800)}));
    actions.push(json!({"type": "delivered", "task_id": "C1"}));
    actions.extend(at_door("C2"));
    // A foreign currency and more change than cash are refused; the count with a reason is kept.
    actions.push(json!({"type": "collect_cash", "task_id": "C2",
        "collected": {"minor": 5000, "currency": "HKD"}, "change": {"minor": 500, "currency": "HKD"}}));
    actions.push(
        json!({"type": "collect_cash", "task_id": "C2", "collected": cny(100), "change": cny(500)}),
    );
    actions.push(
        json!({"type": "collect_cash", "task_id": "C2", "collected": cny(5000),
        "change": cny(500), "reason": "no coins"}),
    );
    actions.push(json!({"type": "delivered", "task_id": "C2"}));
    actions.extend(at_door("C3"));
    // Cash on a paid order is no fact the server takes.
    actions.push(
        json!({"type": "collect_cash", "task_id": "C3", "collected": cny(100), "change": cny(0)}),
    );
    let r = e.push(&token, "phone-1", actions).await;
    assert_eq!(rejected(&r, 6), RejectCode::Invalid);
    assert_eq!(rejected(&r, 7), RejectCode::Invalid);
    assert_eq!(rejected(&r, 12), RejectCode::Invalid);
    for i in [0, 1, 2, 3, 4, 5, 8, 9, 10, 11] {
        assert_eq!(
            r.results[i].outcome,
            MutationOutcome::Applied,
            "{i}: {:?}",
            r.results[i]
        );
    }

    let report = e.dispatch.cash("ann").await.unwrap();
    assert!(report.hand_ins.is_empty());
    assert_eq!(report.outstanding.len(), 2);
    let off: Vec<&str> = report
        .door_discrepancies
        .iter()
        .map(|l| l.task_id.as_str())
        .collect();
    assert_eq!(off, ["C2"]);
    assert_eq!(report.door_discrepancies[0].collection.discrepancy(), -50);
    let kinds: Vec<String> = e
        .dispatch
        .after_sales()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds, ["cash_discrepancy"]);

    // 77.00 held by the server's reckoning; the phone says so too; 75.00 handed in.
    let r = e
        .push(
            &token,
            "phone-1",
            vec![json!({"type": "hand_in_cash", "held": cny(7700), "handed": cny(7500)})],
        )
        .await;
    assert_eq!(r.results[0].outcome, MutationOutcome::Applied);
    let report = e.dispatch.cash("ann").await.unwrap();
    assert_eq!(report.hand_ins.len(), 1);
    let h = &report.hand_ins[0];
    assert_eq!(
        (h.held.minor, h.handed.minor, h.difference),
        (7700, 7500, -200)
    );
    assert_eq!(h.balance, CashBalance::Short);
    let settled: Vec<&str> = h.tasks.iter().map(|l| l.task_id.as_str()).collect();
    assert_eq!(settled, ["C1", "C2"]);
    assert!(report.outstanding.is_empty());

    // A hand-in after it finds nothing held: over by all of it.
    e.push(
        &token,
        "phone-1",
        vec![json!({"type": "hand_in_cash", "held": cny(0), "handed": cny(100)})],
    )
    .await;
    let report = e.dispatch.cash("ann").await.unwrap();
    assert_eq!(report.hand_ins[0].balance, CashBalance::Over);
    assert_eq!(report.hand_ins[0].held.minor, 0);

    match e.dispatch.cash("nobody").await {
        Err(DispatchError::Status { status, .. }) => assert_eq!(status, 404),
        other => panic!("an unknown courier's cash: {other:?}"),
    }
}

async fn a_locker_drop_is_checked_and_kept_as_the_proof(engine: Engine) {
    let Some(e) = env_on(engine, "door_locker").await else {
        return;
    };
    let token = e.dispatch.create_courier("bo", "Bo").await.unwrap();
    let locker = json!({"kind": "locker", "locker_id": "L-17", "code": "LOCKER-L17", "pickup_code": "884213"});
    e.parcel("L1", "bo", json!({"locker": locker})).await;
    let task = e.dispatch.task("L1").await.unwrap().task;
    assert_eq!(task.locker.as_ref().unwrap().code, "LOCKER-L17");
    match e.dispatch.locker_drop("L1").await {
        Err(DispatchError::Status { status, .. }) => assert_eq!(status, 404),
        other => panic!("a drop-off before any: {other:?}"),
    }
    let mut actions = at_door("L1");
    actions.push(json!({"type": "locker_drop", "task_id": "L1", "locker_code": "LOCKER-L18", "compartment": "B07"}));
    actions.push(json!({"type": "locker_drop", "task_id": "L1", "locker_code": " LOCKER-L17 ", "compartment": "B07"}));
    actions.push(json!({"type": "delivered", "task_id": "L1"}));
    let r = e.push(&token, "phone-1", actions).await;
    assert_eq!(rejected(&r, 2), RejectCode::Invalid);
    assert_eq!(r.results[3].outcome, MutationOutcome::Applied);
    assert_eq!(r.results[4].outcome, MutationOutcome::Applied);
    let proof = e.dispatch.locker_drop("L1").await.unwrap();
    assert_eq!(
        (
            proof.locker_id.as_str(),
            proof.locker_code.as_str(),
            proof.compartment.as_str()
        ),
        ("L-17", "LOCKER-L17", "B07")
    );
    let kinds: Vec<String> = e
        .dispatch
        .after_sales()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds, ["locker_mismatch"]);
}

async fn bad_amounts_and_lockers_are_refused_with_the_field(engine: Engine) {
    let Some(e) = env_on(engine, "door_refused").await else {
        return;
    };
    e.dispatch.create_courier("cy", "Cy").await.unwrap();
    for (body, field) in [
        (
            json!({"cash_due": {"minor": 100, "currency": "XXX"}}),
            "cash_due",
        ),
        (
            json!({"cash_due": {"minor": -1, "currency": "CNY"}}),
            "cash_due",
        ),
        (
            json!({"locker": {"kind": "locker", "locker_id": "L-1", "code": " "}}),
            "locker",
        ),
    ] {
        let mut task =
            json!({"id": "X1", "courier_id": "cy", "kind": "parcel", "dropoff": dropoff()});
        for (k, v) in body.as_object().unwrap() {
            task[k] = v.clone();
        }
        match e.dispatch.create_task(&task).await {
            Err(DispatchError::Status { status, reason, .. }) => {
                assert_eq!(status, 422, "{body}");
                assert!(reason.contains(field), "{reason}");
            }
            other => panic!("{body} was accepted: {other:?}"),
        }
    }
    // A floating-point amount is no amount.
    let task = json!({"id": "X2", "courier_id": "cy", "kind": "parcel", "dropoff": dropoff(),
        "cash_due": {"minor": 45.5, "currency": "CNY"}});
    assert!(e.dispatch.create_task(&task).await.is_err());
}

on_both_stores!(
    cash_is_reconciled_against_the_collections,
    a_locker_drop_is_checked_and_kept_as_the_proof,
    bad_amounts_and_lockers_are_refused_with_the_field,
);
