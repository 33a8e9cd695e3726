//! The courier's box on the phone, without a socket: a scripted in-memory server serves tasks
//! with sized items and the courier's vehicle (when newer than the phone's), and records what
//! the phone pushes. A pickup that would overflow the box or the chilled compartment is
//! refused offline with its blocker and nothing is queued; the plan keeps the box within its
//! room; a vehicle out of range from a broken server is ignored and the old one kept.

use runsheet_core::scan::Symbology;
use runsheet_core::{
    Action, Blocker, Compartment, Error, Load, Runsheet, StopRole, VehicleDoc, VehicleKind,
};
use runsheet_protocol::TaskDoc;

mod scripted;
use scripted::{phone, Server};

/// A grocery task from the shop next door to a customer 2 km north, with one line of `size`
/// units per piece.
fn task(id: &str, code: &str, temperature: &str, quantity: u32, size: i64) -> TaskDoc {
    let stop = |name: &str, lat: f64| serde_json::json!({"name": name, "address": "1 Test Road", "lat": lat, "lon": 120.15});
    serde_json::from_value(serde_json::json!({
        "id": id,
        "kind": "grocery",
        "status": "assigned",
        "pickup": stop("shop", 30.2701),
        "dropoff": stop("customer", 30.29),
        "items": [{"code": code, "name": "goods", "temperature": temperature,
                   "quantity": quantity, "size": size}],
        "revision": 1,
    }))
    .unwrap()
}

fn van(version: i64, box_units: i64, chilled_units: i64) -> VehicleDoc {
    VehicleDoc {
        version,
        kind: VehicleKind::Van,
        box_units,
        chilled_units,
    }
}

const MILK: &str = "(01)09506000134352";
const DUMPLINGS: &str = "(01)04006381333931";

/// Accepts, arrives at the pickup and scans the task's one line.
fn to_the_counter(core: &Runsheet, id: &str, code: &str) {
    core.accept(id).unwrap();
    core.arrive_manually(id, "inside the shop").unwrap();
    let (o, _) = core.scan(id, code, Symbology::Unknown).unwrap();
    assert_eq!(o.code(), "confirmed");
}

#[tokio::test]
async fn a_pickup_overflowing_the_chilled_compartment_is_refused_offline_and_queues_nothing() {
    let server = Server::default();
    server.state().vehicle = Some(van(1, 20, 2));
    server.state().tasks.push(task("G1", MILK, "chilled", 2, 1));
    server
        .state()
        .tasks
        .push(task("G2", DUMPLINGS, "frozen", 1, 1));
    let (core, _dir) = phone(&server);
    let report = core.sync().await.unwrap();
    assert!(report.vehicle_changed);
    assert_eq!(core.vehicle().unwrap(), Some(van(1, 20, 2)));
    core.start_shift().unwrap();
    to_the_counter(&core, "G1", MILK);
    to_the_counter(&core, "G2", DUMPLINGS);
    core.pick_up("G1").unwrap();
    let state = core.box_state().unwrap();
    assert_eq!(
        state.load,
        Load {
            box_units: 0,
            chilled_units: 2
        }
    );
    assert_eq!(state.vehicle, Some(VehicleKind::Van));

    // The box has room, the chilled compartment does not: 3 of 2.
    let full = Blocker::BoxFull {
        compartment: Compartment::Chilled,
        units: 3,
        capacity: 2,
    };
    let next = core.next_action("G2").unwrap().unwrap();
    assert_eq!(next.blockers, vec![full.clone()]);
    let pending = core.sync_status().unwrap().pending;
    match core.pick_up("G2") {
        Err(Error::Blocked { blockers, .. }) => assert_eq!(blockers, vec![full]),
        other => panic!("the overflowing pickup was not blocked: {other:?}"),
    }
    assert_eq!(
        core.sync_status().unwrap().pending,
        pending,
        "nothing queued"
    );
    core.sync().await.unwrap();
    assert!(!server
        .state()
        .pushed
        .iter()
        .any(|a| matches!(a, Action::PickUp { task_id } if task_id == "G2")));

    // The milk delivered, the dumplings fit.
    core.arrive_manually("G1", "at the door").unwrap();
    core.scan("G1", MILK, Symbology::Unknown).unwrap();
    core.mark_delivered("G1").unwrap();
    assert_eq!(core.box_state().unwrap().load, Load::ZERO);
    core.pick_up("G2").unwrap();
    assert_eq!(core.box_state().unwrap().load.chilled_units, 1);
}

#[tokio::test]
async fn the_route_keeps_the_box_within_its_room_and_a_bad_vehicle_is_ignored() {
    let server = Server::default();
    server
        .state()
        .tasks
        .push(task("A", "RS1:A:1/1:0", "ambient", 1, 6));
    server
        .state()
        .tasks
        .push(task("B", "RS1:B:1/1:0", "ambient", 1, 5));
    let (core, _dir) = phone(&server);
    core.sync().await.unwrap();
    // No vehicle yet: nothing limits the plan; both bags are picked up first.
    let roles = |core: &Runsheet| -> Vec<StopRole> {
        core.route().unwrap().stops.iter().map(|s| s.role).collect()
    };
    assert_eq!(roles(&core)[..2], [StopRole::Pickup, StopRole::Pickup]);
    assert_eq!(core.box_state().unwrap().capacity, None);

    // A box of 10: 6 + 5 units do not fit together; one order at a time.
    server.state().vehicle = Some(van(1, 10, 0));
    core.sync().await.unwrap();
    assert_eq!(
        roles(&core),
        [
            StopRole::Pickup,
            StopRole::Dropoff,
            StopRole::Pickup,
            StopRole::Dropoff
        ]
    );

    // A broken server sends a negative box: the phone keeps the box of 10, and asks again
    // from version 1.
    server.state().vehicle = Some(van(2, -5, 0));
    let report = core.sync().await.unwrap();
    assert!(!report.vehicle_changed);
    assert_eq!(core.vehicle().unwrap(), Some(van(1, 10, 0)));
    core.sync().await.unwrap();
    assert_eq!(server.state().pulls.last().unwrap().vehicle_version, 1);
}
