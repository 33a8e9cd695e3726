//! The loopback world the server's HTTP suites run in: a server on SQLite or PostgreSQL (the
//! cluster `cargo xtask test` starts) with a test clock, the dispatcher's client, a courier's
//! push and pull, and `on_both_stores!`, which runs each test once per store. Each suite adds
//! its own tasks and actions to `Env` in its own file.

#![allow(dead_code)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use runsheet_protocol::{
    Change, ItemDoc, MutationOutcome, PullResponse, PushResponse, RejectCode, StopDoc, TaskDoc,
    TemperatureClass,
};
pub use runsheet_server::DispatchError;
use runsheet_server::{DbConfig, Dispatcher, RunningServer, ServerConfig};
use serde_json::{json, Value};

/// The dispatcher's token of every loopback server.
pub const ADMIN: &str = "test-admin-token";
/// Where a test clock starts unless a suite says otherwise (`env_from`).
pub const T0: i64 = 1_795_400_000;

/// Which store a run of a suite uses.
#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A running server and the clients that talk to it.
pub struct Env {
    pub _dir: tempfile::TempDir,
    pub server: RunningServer,
    pub dispatch: Dispatcher,
    pub http: reqwest::Client,
    /// The server's clock, Unix seconds (`None`: the server reads the system clock).
    pub clock: Option<Arc<AtomicI64>>,
    /// The next mutation id of each install.
    pub next: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

/// A server on `engine` whose clock starts at `T0` and moves only when the test moves it, or
/// `None` when PostgreSQL is not configured here (the run skips).
pub async fn env_on(engine: Engine, label: &str) -> Option<Env> {
    env_from(engine, label, T0).await
}

/// `env_on` with the clock starting at `t0`.
pub async fn env_from(engine: Engine, label: &str, t0: i64) -> Option<Env> {
    env_with_clock(engine, label, Some(Arc::new(AtomicI64::new(t0)))).await
}

/// `env_on` with the server reading `clock` (`None`: the system clock).
pub async fn env_with_clock(
    engine: Engine,
    label: &str,
    clock: Option<Arc<AtomicI64>>,
) -> Option<Env> {
    let dir = tempfile::tempdir().unwrap();
    let db = store_on(engine, &dir, label).await?;
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db,
        admin_token: Some(ADMIN.into()),
        clock: clock.clone(),
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

/// The store of a server on `engine`: a file in `dir`, or a fresh database named after
/// `label` on the test cluster (`None` when PostgreSQL is not configured here).
pub async fn store_on(engine: Engine, dir: &tempfile::TempDir, label: &str) -> Option<DbConfig> {
    match engine {
        Engine::Sqlite => Some(DbConfig::Sqlite(dir.path().join("s.db"))),
        Engine::Postgres => {
            let label = label.to_owned();
            tokio::task::spawn_blocking(move || runsheet_server::test_postgres(&label))
                .await
                .unwrap()
        }
    }
}

/// Runs each named `async fn(Engine)` as a test on SQLite (`sqlite::`) and on PostgreSQL
/// (`postgres::`).
#[macro_export]
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

/// A stop at the test city's centre.
pub fn stop(name: &str) -> StopDoc {
    StopDoc::new(name, "1 Test Road", 30.27, 120.15)
}

/// One item of the default temperature class.
pub fn item(code: &str) -> ItemDoc {
    ItemDoc {
        code: code.into(),
        name: format!("item {code}"),
        temperature: TemperatureClass::default(),
        quantity: 1,
        restricted: None,
        size: None,
    }
}

/// The HTTP status and error code of a dispatcher's call the server refused.
pub fn status_of(err: DispatchError) -> (u16, String) {
    match err {
        DispatchError::Status { status, code, .. } => (status, code),
        other => panic!("not an answer: {other}"),
    }
}

/// The status and error code of a dispatcher's call that must have been refused.
pub fn refusal<T>(r: Result<T, DispatchError>) -> (u16, String) {
    match r {
        Ok(_) => panic!("accepted"),
        Err(e) => status_of(e),
    }
}

/// The `i`th mutation's outcome: applied, or the code it was rejected with.
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
    fn test_clock(&self) -> &AtomicI64 {
        self.clock
            .as_deref()
            .expect("this server reads the system clock, not a test clock")
    }

    /// The server's clock, Unix seconds.
    pub fn now(&self) -> i64 {
        self.test_clock().load(Ordering::SeqCst)
    }

    /// Moves the server's clock on.
    pub fn advance(&self, seconds: i64) {
        self.test_clock().fetch_add(seconds, Ordering::SeqCst);
    }

    /// Sets the server's clock.
    pub fn set_now(&self, t: i64) {
        self.test_clock().store(t, Ordering::SeqCst);
    }

    /// The next mutation id `client` would send.
    pub fn next_id(&self, client: &str) -> i64 {
        self.next.lock().unwrap().get(client).copied().unwrap_or(1)
    }

    /// `body` posted to `/v1/sync/push` with `token`, whatever the answer.
    pub async fn push_raw(&self, token: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/sync/push", self.server.url()))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Pushes `actions` as `client`'s next mutations, made now (the server's clock).
    pub async fn push(&self, token: &str, client: &str, actions: Vec<Value>) -> PushResponse {
        self.push_at(token, client, actions, self.now(), None).await
    }

    /// Pushes `actions` as `client`'s next mutations, made at `device_time` by a phone whose
    /// measured clock offset is `offset`; the push must be answered 200.
    pub async fn push_at(
        &self,
        token: &str,
        client: &str,
        actions: Vec<Value>,
        device_time: i64,
        offset: Option<i64>,
    ) -> PushResponse {
        let first = self.next_id(client);
        let mutations: Vec<Value> = actions
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let mut m = json!({"mutation_id": first + i as i64, "device_time": device_time,
                                   "action": a});
                if let Some(o) = offset {
                    m["context"] = json!({"clock_offset_s": o});
                }
                m
            })
            .collect();
        let r = self
            .push_raw(token, &json!({"client_id": client, "mutations": mutations}))
            .await;
        assert_eq!(r.status(), 200);
        let resp: PushResponse = r.json().await.unwrap();
        self.next
            .lock()
            .unwrap()
            .insert(client.to_owned(), resp.last_mutation_id + 1);
        resp
    }

    /// `client`'s pull from the start of each feed but those `query` positions
    /// (`cases_after=3&cursor=7`, or empty); it must be answered 200.
    pub async fn pull(&self, token: &str, client: &str, query: &str) -> PullResponse {
        let sep = if query.is_empty() { "" } else { "&" };
        let r = self
            .http
            .get(format!(
                "{}/v1/sync/pull?client_id={client}{sep}{query}",
                self.server.url()
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// `method` (`GET`, `POST`, `PUT` or `PATCH`) of `path` with `token` and a JSON body: the
    /// status and the JSON answer (`null` when it is not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.server.url());
        let req = match method {
            "POST" => self.http.post(url),
            "PUT" => self.http.put(url),
            "PATCH" => self.http.patch(url),
            "GET" => self.http.get(url),
            other => panic!("no such method in the tests: {other}"),
        };
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let r = req.bearer_auth(token).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// `call` as the dispatcher.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(method, path, ADMIN, body).await
    }

    /// A food task from "Noodle Bar" to "Customer" with these items, assigned to `courier`.
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

    /// The courier goes on duty, takes the task and picks the goods up, scanning each bag (the
    /// handover suites' start).
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

    /// The courier holding `task`, as dispatch sees it.
    pub async fn holder(&self, task: &str) -> Option<String> {
        self.dispatch.task(task).await.unwrap().courier_id
    }
}
