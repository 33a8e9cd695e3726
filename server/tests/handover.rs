//! Handovers between couriers over real HTTP on loopback: the request through the push,
//! dispatch naming the receiving courier (refused to oneself, to a courier off duty, twice, or
//! without a request), the task staying the first courier's until the receiving courier's scan
//! of every bag, custody passing with the chain on both couriers' copies, and a delivery by the
//! first courier voiding the handover. Every test runs on SQLite (`sqlite::`) and on PostgreSQL
//! (`postgres::`, on the cluster `cargo xtask test` starts).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use runsheet_protocol::{
    Change, HandoverSide, HandoverStatus, ItemDoc, MutationOutcome, PullResponse, PushResponse,
    RejectCode, StopDoc, TaskDoc, TemperatureClass,
};
use runsheet_server::{DbConfig, DispatchError, Dispatcher, RunningServer, ServerConfig};
use serde_json::{json, Value};

const ADMIN: &str = "test-admin-token";
const T0: i64 = 1_795_400_000;

struct Env {
    _dir: tempfile::TempDir,
    server: RunningServer,
    dispatch: Dispatcher,
    http: reqwest::Client,
    clock: Arc<AtomicI64>,
    next: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

#[derive(Debug, Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

async fn env_on(engine: Engine, label: &str) -> Option<Env> {
    let dir = tempfile::tempdir().unwrap();
    let db = match engine {
        Engine::Sqlite => DbConfig::Sqlite(dir.path().join("s.db")),
        Engine::Postgres => {
            let label = label.to_owned();
            tokio::task::spawn_blocking(move || runsheet_server::test_postgres(&label))
                .await
                .unwrap()?
        }
    };
    let clock = Arc::new(AtomicI64::new(T0));
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db,
        admin_token: Some(ADMIN.into()),
        clock: Some(clock.clone()),
    })
    .unwrap();
    let dispatch = Dispatcher::new(&server.url(), ADMIN);
    Some(Env {
        _dir: dir,
        server,
        dispatch,
        http: reqwest::Client::new(),
        clock,
        next: Default::default(),
    })
}

fn stop(name: &str) -> StopDoc {
    StopDoc {
        name: name.into(),
        address: "1 Test Road".into(),
        phone: None,
        lat: 30.27,
        lon: 120.15,
        ready_at: None,
        due_by: None,
        not_before: None,
        pin_corrected: false,
    }
}

fn item(code: &str) -> ItemDoc {
    ItemDoc {
        code: code.into(),
        name: format!("bag {code}"),
        temperature: TemperatureClass::default(),
        quantity: 1,
    }
}

fn status_of(err: DispatchError) -> (u16, String) {
    match err {
        DispatchError::Status { status, code, .. } => (status, code),
        other => panic!("not an answer: {other}"),
    }
}

fn outcome(r: &PushResponse, i: usize) -> Result<(), RejectCode> {
    match &r.results[i].outcome {
        MutationOutcome::Applied => Ok(()),
        MutationOutcome::Rejected { code, .. } => Err(*code),
        other => panic!("unexpected outcome {other:?}"),
    }
}

/// The task as the pull's last change about it leaves it (`None`: removed or never sent).
fn task_in(p: &PullResponse, id: &str) -> Option<TaskDoc> {
    let mut out = None;
    for c in &p.changes {
        match c {
            Change::UpsertTask { task } if task.id == id => out = Some((**task).clone()),
            Change::RemoveTask { task_id } if task_id == id => out = None,
            _ => {}
        }
    }
    out
}

impl Env {
    fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    async fn food_task(&self, id: &str, courier: &str, items: &[&str]) {
        let items: Vec<ItemDoc> = items.iter().map(|c| item(c)).collect();
        self.dispatch
            .create_task(&json!({
                "id": id, "courier_id": courier, "kind": "food",
                "pickup": stop("Noodle Bar"), "dropoff": stop("Customer"),
                "items": items,
            }))
            .await
            .unwrap();
    }

    async fn push(&self, token: &str, client: &str, actions: Vec<Value>) -> PushResponse {
        let first = self.next.lock().unwrap().get(client).copied().unwrap_or(1);
        let mutations: Vec<Value> = actions
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                json!({"mutation_id": first + i as i64, "device_time": self.now(), "action": a})
            })
            .collect();
        let r = self
            .http
            .post(format!("{}/v1/sync/push", self.server.url()))
            .bearer_auth(token)
            .json(&json!({"client_id": client, "mutations": mutations}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let resp: PushResponse = r.json().await.unwrap();
        self.next
            .lock()
            .unwrap()
            .insert(client.to_owned(), resp.last_mutation_id + 1);
        resp
    }

    async fn pull(&self, token: &str, client: &str) -> PullResponse {
        let r = self
            .http
            .get(format!(
                "{}/v1/sync/pull?client_id={client}",
                self.server.url()
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// The courier goes on duty, takes the task and picks the goods up (scanning each bag).
    async fn picked_up(&self, token: &str, client: &str, task: &str, bags: &[&str]) {
        let mut actions = vec![
            json!({"type": "shift", "event": "start"}),
            json!({"type": "accept", "task_id": task}),
            json!({"type": "arrive", "task_id": task, "stop": "pickup", "method": "gps"}),
        ];
        actions.extend(bags.iter().map(|c| {
            json!({"type": "scan", "task_id": task, "stage": "pickup",
                   "code": format!("raw:{c}"), "outcome": "confirmed", "item_code": c})
        }));
        actions.push(json!({"type": "pick_up", "task_id": task}));
        let r = self.push(token, client, actions).await;
        for i in 0..r.results.len() {
            assert_eq!(outcome(&r, i), Ok(()), "{:?}", r.results[i]);
        }
    }

    async fn holder(&self, task: &str) -> Option<String> {
        self.dispatch.task(task).await.unwrap().courier_id
    }
}

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
    let asked = task_in(&e.pull(&ann, "ann-phone").await, "P1").expect("ann holds P1");
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

    e.clock.fetch_add(60, Ordering::SeqCst);
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
    let incoming = task_in(&e.pull(&bob, "bob-phone").await, "P1").expect("bob sees P1");
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
    e.clock.fetch_add(60, Ordering::SeqCst);
    let r = e
        .push(
            &bob,
            "bob-phone",
            vec![receive("P1", &["B2", "B1"], T0 + 110)],
        )
        .await;
    assert_eq!(outcome(&r, 0), Ok(()));
    assert_eq!(e.holder("P1").await.as_deref(), Some("bob"));
    let mine = task_in(&e.pull(&bob, "bob-phone").await, "P1").expect("bob holds P1");
    let h = mine.handovers.last().unwrap();
    assert_eq!(h.status, HandoverStatus::Completed);
    assert_eq!(h.completed_at, Some(T0 + 120));
    assert_eq!(h.scanned_at, Some(T0 + 110));
    assert_eq!(h.bags, vec!["B1".to_owned(), "B2".to_owned()]);
    assert_eq!(mine.status, runsheet_protocol::TaskStatus::PickedUp);
    // The giver keeps the task with the completed handover: their record of it.
    let given = task_in(&e.pull(&ann, "ann-phone").await, "P1").expect("ann's record");
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
    assert!(task_in(&e.pull(&bob, "bob-phone").await, "P2").is_some());
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
    let pulled = e.pull(&bob, "bob-phone").await;
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

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Engine::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Engine::Postgres).await
            })*
        }
    };
}

on_both_stores!(
    custody_passes_only_when_every_bag_is_scanned,
    the_first_courier_delivering_voids_the_handover,
);
