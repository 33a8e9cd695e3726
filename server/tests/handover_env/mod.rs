//! The loopback world both handover suites (`handover.rs`, `nearby_handover.rs`) run in: a
//! server on SQLite or PostgreSQL with a settable clock, dispatch, and a courier's push and pull.

#![allow(dead_code)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use runsheet_protocol::{
    Change, ItemDoc, MutationOutcome, PullResponse, PushResponse, RejectCode, StopDoc, TaskDoc,
    TemperatureClass,
};
use runsheet_server::{DbConfig, DispatchError, Dispatcher, RunningServer, ServerConfig};
use serde_json::{json, Value};

pub const ADMIN: &str = "test-admin-token";
pub const T0: i64 = 1_795_400_000;

pub struct Env {
    pub _dir: tempfile::TempDir,
    pub server: RunningServer,
    pub dispatch: Dispatcher,
    pub http: reqwest::Client,
    pub clock: Arc<AtomicI64>,
    pub next: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub async fn env_on(engine: Engine, label: &str) -> Option<Env> {
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

pub fn stop(name: &str) -> StopDoc {
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

pub fn item(code: &str) -> ItemDoc {
    ItemDoc {
        code: code.into(),
        name: format!("bag {code}"),
        temperature: TemperatureClass::default(),
        quantity: 1,
        restricted: None,
        size: None,
    }
}

pub fn status_of(err: DispatchError) -> (u16, String) {
    match err {
        DispatchError::Status { status, code, .. } => (status, code),
        other => panic!("not an answer: {other}"),
    }
}

pub fn outcome(r: &PushResponse, i: usize) -> Result<(), RejectCode> {
    match &r.results[i].outcome {
        MutationOutcome::Applied => Ok(()),
        MutationOutcome::Rejected { code, .. } => Err(*code),
        other => panic!("unexpected outcome {other:?}"),
    }
}

/// The task as the pull's last change about it leaves it (`None`: removed or never sent).
pub fn task_in(p: &PullResponse, id: &str) -> Option<TaskDoc> {
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
    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    pub async fn food_task(&self, id: &str, courier: &str, items: &[&str]) {
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

    pub async fn push(&self, token: &str, client: &str, actions: Vec<Value>) -> PushResponse {
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

    pub async fn pull(&self, token: &str, client: &str) -> PullResponse {
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
    pub async fn picked_up(&self, token: &str, client: &str, task: &str, bags: &[&str]) {
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

    pub async fn holder(&self, task: &str) -> Option<String> {
        self.dispatch.task(task).await.unwrap().courier_id
    }
}
