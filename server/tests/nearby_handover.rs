//! A nearby courier takes a handover, over real HTTP on loopback: the open requests near a
//! courier (`GET /v1/handovers/nearby`: others' only, within 3 km of the giver's last fix or the
//! task's pickup, nearest first, no customer data), the take (`POST /v1/handovers/{id}/take`,
//! refused to the giver, to a courier off duty, to a second taker, for an unknown task) and the
//! task staying the giver's until the taker's scan of every bag. Every test runs on SQLite
//! (`sqlite::`) and on PostgreSQL (`postgres::`, on the cluster `cargo xtask test` starts).

#![allow(dead_code)]

use runsheet_protocol::{HandoverSide, HandoverStatus, NearbyHandovers, TakenHandover};
use serde_json::{json, Value};

mod loopback;

use loopback::*;

impl Env {
    async fn nearby(&self, token: &str, lat: f64, lon: f64) -> (u16, Value) {
        let r = self
            .http
            .get(format!(
                "{}/v1/handovers/nearby?lat={lat}&lon={lon}",
                self.server.url()
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn near(&self, token: &str, lat: f64, lon: f64) -> NearbyHandovers {
        let (status, body) = self.nearby(token, lat, lon).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).unwrap()
    }

    async fn take(&self, token: &str, task: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/v1/handovers/{task}/take", self.server.url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }
}

fn code(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or(""))
}

async fn a_nearby_courier_takes_an_open_request(engine: Engine) {
    let Some(e) = env_on(engine, "nearby_handover_take").await else {
        return;
    };
    let ann = e.dispatch.create_courier("ann", "Ann").await.unwrap();
    let bob = e.dispatch.create_courier("bob", "Bob").await.unwrap();
    let cat = e.dispatch.create_courier("cat", "Cat").await.unwrap();
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

    // Nothing asked for yet: nothing listed.
    assert!(e.near(&bob, 30.275, 120.15).await.handovers.is_empty());
    let r = e
        .push(&ann, "ann-phone", vec![request("P1", "vehicle_breakdown")])
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));

    // Without a fix from ann, the task's pickup (30.27, 120.15) places her: ~556 m away.
    let near = e.near(&bob, 30.275, 120.15).await;
    assert_eq!(near.handovers.len(), 1);
    let h = &near.handovers[0];
    assert_eq!((h.task_id.as_str(), h.seq, h.bags), ("P1", 1, 2));
    assert_eq!(
        h.reason,
        runsheet_protocol::HandoverReason::VehicleBreakdown
    );
    assert!((540..=570).contains(&h.distance_m), "{}", h.distance_m);
    assert_eq!(h.requested_at, T0);
    let (_, raw) = e.nearby(&bob, 30.275, 120.15).await;
    let text = raw.to_string();
    assert!(
        !text.contains("Customer") && !text.contains("Test Road"),
        "{text}"
    );
    // Farther than 3 km: not listed; the giver does not see her own request.
    assert!(e.near(&bob, 30.31, 120.15).await.handovers.is_empty());
    assert!(e.near(&ann, 30.27, 120.15).await.handovers.is_empty());
    // Ann's fresh fix places her instead: 30.30 is ~2.8 km from bob.
    let fix = json!({"client_id": "ann-phone", "dropped": 0, "fixes": [
        {"seq": 1, "lat": 30.30, "lon": 120.15, "accuracy_m": 5.0, "recorded_at": T0}]});
    let r = e
        .http
        .post(format!("{}/v1/sync/locations", e.server.url()))
        .bearer_auth(&ann)
        .json(&fix)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let near = e.near(&bob, 30.275, 120.15).await;
    assert!(
        (2_700..=2_850).contains(&near.handovers[0].distance_m),
        "{}",
        near.handovers[0].distance_m
    );
    assert!(
        e.near(&bob, 30.265, 120.15).await.handovers.is_empty(),
        "3.9 km from the fix"
    );
    // Bad positions are typed 400s.
    assert_eq!(e.nearby(&bob, 91.0, 0.0).await.0, 400);
    assert_eq!(code(&e.nearby(&bob, 91.0, 0.0).await).1, "bad_request");

    // Taking: never one's own, never off duty, never an unknown task.
    assert_eq!(code(&e.take(&ann, "P1").await), (409, "handover_to_self"));
    assert_eq!(code(&e.take(&cat, "P1").await), (409, "courier_off_duty"));
    assert_eq!(e.take(&bob, "ZZ").await.0, 404);
    assert_eq!(e.holder("P1").await.as_deref(), Some("ann"));

    e.advance(60);
    let (status, body) = e.take(&bob, "P1").await;
    assert_eq!(status, 200, "{body}");
    let taken: TakenHandover = serde_json::from_value(body).unwrap();
    assert_eq!((taken.task_id.as_str(), taken.seq), ("P1", 1));
    assert_eq!(e.holder("P1").await.as_deref(), Some("ann"), "still ann's");
    // Taken: listed to nobody, and a second taker is refused.
    let r = e
        .push(
            &cat,
            "cat-phone",
            vec![json!({"type": "shift", "event": "start"})],
        )
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));
    assert!(e.near(&cat, 30.30, 120.15).await.handovers.is_empty());
    assert_eq!(
        code(&e.take(&cat, "P1").await),
        (409, "handover_already_assigned")
    );

    // The taker's pull brings the task as incoming; every bag scanned passes custody.
    let incoming = task_in(&e.pull(&bob, "bob-phone", "").await, "P1").expect("bob sees P1");
    let h = incoming.handovers.last().unwrap();
    assert_eq!(h.status, HandoverStatus::Assigned);
    assert_eq!(h.to_courier.as_deref(), Some("bob"));
    assert_eq!(h.side, Some(HandoverSide::Receiver));
    assert_eq!(h.assigned_at, Some(T0 + 60));
    let r = e
        .push(
            &bob,
            "bob-phone",
            vec![
                json!({"type": "receive_handover", "task_id": "P1", "seq": 1,
                        "bags": ["B1", "B2"], "scanned_at": T0 + 90}),
            ],
        )
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));
    assert_eq!(e.holder("P1").await.as_deref(), Some("bob"));
    let given = task_in(&e.pull(&ann, "ann-phone", "").await, "P1").expect("ann's record");
    assert_eq!(given.handovers[0].status, HandoverStatus::Completed);
    assert_eq!(given.handovers[0].side, Some(HandoverSide::Giver));
    // A completed handover is no longer open.
    assert_eq!(
        code(&e.take(&cat, "P1").await),
        (409, "no_handover_requested")
    );
}

on_both_stores!(a_nearby_courier_takes_an_open_request);

fn request(task: &str, reason: &str) -> Value {
    json!({"type": "request_handover", "task_id": task, "reason": reason})
}
