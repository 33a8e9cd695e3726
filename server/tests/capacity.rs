//! Box capacity over real HTTP on loopback: dispatch sets a courier's vehicle and box, the
//! courier's phone (and only theirs) receives it with the pull when newer than what it holds,
//! and bad input (a negative box, a negative item size, an unknown courier) is refused with a
//! typed JSON error that changes nothing. Every test runs on SQLite (`sqlite::`) and on
//! PostgreSQL (`postgres::`, on the cluster `cargo xtask test` starts).

use runsheet_protocol::{PullResponse, VehicleDoc, VehicleKind};
use serde_json::json;

mod loopback;
use loopback::*;

fn scooter(box_units: i64, chilled_units: i64) -> VehicleDoc {
    VehicleDoc {
        version: 0,
        kind: VehicleKind::Scooter,
        box_units,
        chilled_units,
    }
}

fn answer(err: DispatchError) -> (u16, String, String) {
    match err {
        DispatchError::Status {
            status,
            code,
            reason,
        } => (status, code, reason),
        other => panic!("not an answer: {other}"),
    }
}

impl Env {
    /// `client`'s pull with the vehicle at `version` on the phone.
    async fn vehicle_from(&self, token: &str, client: &str, version: i64) -> PullResponse {
        self.pull(token, client, &format!("vehicle_version={version}"))
            .await
    }
}

async fn a_couriers_vehicle_reaches_only_their_phone_when_newer(engine: Engine) {
    let Some(e) = env_with_clock(engine, "vehicle_reaches_phone", None).await else {
        return;
    };
    let eve = e.dispatch.create_courier("eve", "Eve").await.unwrap();
    let bob = e.dispatch.create_courier("bob", "Bob").await.unwrap();
    // Nothing set yet: the pull carries no vehicle, and the dispatch GET says so.
    assert_eq!(e.vehicle_from(&eve, "eve-phone", 0).await.vehicle, None);
    let (status, body) = e
        .admin("GET", "/v1/dispatch/couriers/eve/vehicle", None)
        .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    let v1 = e
        .dispatch
        .set_vehicle("eve", &scooter(10, 2))
        .await
        .unwrap();
    assert_eq!((v1.version, v1.box_units, v1.chilled_units), (1, 10, 2));
    let pulled = e.vehicle_from(&eve, "eve-phone", 0).await.vehicle.unwrap();
    assert_eq!(pulled, v1);
    // The phone holds version 1: nothing again until dispatch changes it.
    assert_eq!(e.vehicle_from(&eve, "eve-phone", 1).await.vehicle, None);
    let v2 = e
        .dispatch
        .set_vehicle(
            "eve",
            &VehicleDoc {
                kind: VehicleKind::Van,
                ..scooter(40, 0)
            },
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let pulled = e.vehicle_from(&eve, "eve-phone", 1).await.vehicle.unwrap();
    assert_eq!(
        (pulled.kind, pulled.box_units, pulled.version),
        (VehicleKind::Van, 40, 2)
    );
    // Bob's phone never sees Eve's box.
    assert_eq!(e.vehicle_from(&bob, "bob-phone", 0).await.vehicle, None);
    let (status, body) = e
        .admin("GET", "/v1/dispatch/couriers/eve/vehicle", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["box_units"], 40);
    assert_eq!(body["kind"], "van");
}

async fn bad_boxes_and_sizes_are_refused_with_a_reason_and_change_nothing(engine: Engine) {
    let Some(e) = env_with_clock(engine, "bad_boxes_and_sizes", None).await else {
        return;
    };
    let eve = e.dispatch.create_courier("eve", "Eve").await.unwrap();
    e.dispatch
        .set_vehicle("eve", &scooter(10, 0))
        .await
        .unwrap();

    // A negative box: 422 with the field, and the stored box is still the old one.
    let (status, body) = e
        .admin(
            "PUT",
            "/v1/dispatch/couriers/eve/vehicle",
            Some(json!({"kind": "scooter", "box_units": -1})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["field"], "box_units");
    let (_, body) = e
        .admin(
            "PUT",
            "/v1/dispatch/couriers/eve/vehicle",
            Some(json!({"kind": "scooter", "box_units": 5, "chilled_units": -2})),
        )
        .await;
    assert_eq!(body["field"], "chilled_units");
    let (_, body) = e
        .admin(
            "PUT",
            "/v1/dispatch/couriers/eve/vehicle",
            Some(json!({"kind": "rocket", "box_units": 5})),
        )
        .await;
    assert_eq!(body["error"], "invalid");
    let held = e.vehicle_from(&eve, "eve-phone", 0).await.vehicle.unwrap();
    assert_eq!((held.version, held.box_units), (1, 10));

    // An unknown courier.
    let (status, code, _) = answer(
        e.dispatch
            .set_vehicle("nobody", &scooter(10, 0))
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code.as_str()), (404, "not_found"));

    // An item of negative size: the task is refused whole, with the field, and not created.
    let task = |size: i64| {
        json!({
            "id": "F1", "courier_id": "eve", "kind": "food",
            "pickup": {"name": "Noodle Bar", "address": "1 Test Road", "lat": 30.27, "lon": 120.15},
            "dropoff": {"name": "Customer", "address": "2 Test Road", "lat": 30.28, "lon": 120.16},
            "items": [{"code": "BAG1", "name": "bag", "size": size}],
        })
    };
    let (status, body) = e.admin("POST", "/v1/dispatch/tasks", Some(task(-3))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["field"], "items[0].size");
    assert!(
        body["reason"].as_str().unwrap().contains("not -3"),
        "{body}"
    );
    let (status, _) = e.admin("GET", "/v1/dispatch/tasks/F1", None).await;
    assert_eq!(status, 404);
    assert!(e
        .vehicle_from(&eve, "eve-phone", 1)
        .await
        .changes
        .is_empty());

    // A size in range travels with the task to the phone.
    let (status, body) = e.admin("POST", "/v1/dispatch/tasks", Some(task(4))).await;
    assert_eq!(status, 201, "{body}");
    let pulled = e.vehicle_from(&eve, "eve-phone", 1).await;
    let runsheet_protocol::Change::UpsertTask { task } = &pulled.changes[0] else {
        panic!("{:?}", pulled.changes);
    };
    assert_eq!(task.items[0].size, Some(4));
    assert_eq!(task.items[0].load().box_units, 4);
}

on_both_stores!(
    a_couriers_vehicle_reaches_only_their_phone_when_newer,
    bad_boxes_and_sizes_are_refused_with_a_reason_and_change_nothing,
);
