//! Several stateless server replicas over one PostgreSQL database (and, for comparison, the
//! single SQLite server): a retry racing its original on another replica is applied once and in
//! order; a change committed on one replica wakes a long-poll waiting on another, and a
//! foreground phone gets a new task that way; a draining replica answers its long-polls at once
//! and finishes what is in flight; readiness and metrics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use runsheet_protocol::{
    Action, Mutation, MutationOutcome, PullResponse, PushRequest, PushResponse, TaskKind,
};
use runsheet_server::{DbConfig, Dispatcher, RunningServer, ServerConfig};
use runsheet_tests::stop;

const ADMIN: &str = "replica-admin";

/// Replicas of one store: two servers on one PostgreSQL database, or one SQLite server
/// reached twice (SQLite has one writer; the race then runs inside one process).
struct Replicas {
    _dir: tempfile::TempDir,
    servers: Vec<RunningServer>,
}

impl Replicas {
    /// `None` when PostgreSQL is not configured here (see `runsheet_server::test_postgres`).
    async fn start(postgres: bool, label: &str) -> Option<Replicas> {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db, n) = if postgres {
            let label = label.to_owned();
            let db = tokio::task::spawn_blocking(move || runsheet_server::test_postgres(&label))
                .await
                .expect("join")?;
            (db, 2)
        } else {
            (DbConfig::Sqlite(dir.path().join("server.db")), 1)
        };
        let servers = (0..n)
            .map(|_| {
                runsheet_server::start(ServerConfig {
                    addr: "127.0.0.1:0".parse().expect("addr"),
                    db: db.clone(),
                    admin_token: Some(ADMIN.into()),
                    clock: None,
                })
                .expect("replica starts")
            })
            .collect();
        Some(Replicas { _dir: dir, servers })
    }

    /// Replica `i` (wrapping: with one server every index is that server).
    fn url(&self, i: usize) -> String {
        self.servers[i % self.servers.len()].url()
    }

    fn dispatch(&self, i: usize) -> Dispatcher {
        Dispatcher::new(&self.url(i), ADMIN)
    }
}

fn accept(id: i64, task: &str) -> Mutation {
    Mutation {
        mutation_id: id,
        device_time: 1_700_000_000 + id,
        action: Action::Accept {
            task_id: task.into(),
        },
        context: None,
    }
}

fn contact(id: i64, task: &str) -> Mutation {
    let mut m = accept(id, task);
    m.action = serde_json::from_value(serde_json::json!({
        "type": "contact_attempt", "task_id": task, "channel": "call", "answered": false
    }))
    .expect("contact attempt action");
    m
}

async fn push(http: &reqwest::Client, url: &str, token: &str, req: &PushRequest) -> PushResponse {
    let r = http
        .post(format!("{url}/v1/sync/push"))
        .bearer_auth(token)
        .json(req)
        .send()
        .await
        .expect("push sent");
    assert_eq!(r.status(), 200, "push answered {}", r.status());
    r.json().await.expect("push response")
}

async fn pull(http: &reqwest::Client, url: &str, token: &str, query: &str) -> PullResponse {
    let r = http
        .get(format!("{url}/v1/sync/pull?client_id=phone-1&{query}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("pull sent");
    assert_eq!(r.status(), 200, "pull answered {}", r.status());
    r.json().await.expect("pull response")
}

/// Replicas and courier `c1` (created through replica `via`) with its token; `None` when
/// PostgreSQL is not configured here.
async fn with_courier(postgres: bool, label: &str, via: usize) -> Option<(Replicas, String)> {
    let r = Replicas::start(postgres, label).await?;
    let token = r
        .dispatch(via)
        .create_courier("c1", "Courier")
        .await
        .expect("courier");
    Some((r, token))
}

/// Courier `c1` with task `T1`, created through replica 0.
async fn courier_with_task(r: &Replicas) -> (Dispatcher, String) {
    let d = r.dispatch(0);
    let token = d.create_courier("c1", "Courier").await.expect("courier");
    d.assign_task("T1", "c1", TaskKind::Parcel, None, stop("Customer"))
        .await
        .expect("task");
    (d, token)
}

/// Each round pushes the next batch to both replicas at the same instant, as a retry racing
/// its original. Every mutation must be applied exactly once (one answer says applied, the
/// other duplicate), and the server's record must hold ids 1..n once each, in order.
async fn a_retry_racing_its_original_on_another_replica_applies_once(postgres: bool) {
    let Some(r) = Replicas::start(postgres, "race").await else {
        return;
    };
    let (d, token) = courier_with_task(&r).await;
    let http = reqwest::Client::new();
    let rounds = 40;
    let mut next = 1;
    for round in 0..rounds {
        let batch = 1 + round % 4;
        let mutations: Vec<Mutation> = (next..next + batch)
            .map(|id| {
                if id == 1 {
                    accept(id, "T1")
                } else {
                    contact(id, "T1")
                }
            })
            .collect();
        let req = PushRequest {
            pull: None,
            client_id: "phone-1".into(),
            mutations,
            sent_at: None,
        };
        let (u0, u1) = (r.url(0), r.url(1));
        let (a, b) = tokio::join!(
            push(&http, &u0, &token, &req),
            push(&http, &u1, &token, &req)
        );
        assert_eq!(a.last_mutation_id, next + batch - 1);
        assert_eq!(b.last_mutation_id, next + batch - 1);
        for (x, y) in a.results.iter().zip(&b.results) {
            let applied = [x, y]
                .iter()
                .filter(|m| m.outcome == MutationOutcome::Applied)
                .count();
            let duplicate = [x, y]
                .iter()
                .filter(|m| m.outcome == MutationOutcome::Duplicate)
                .count();
            assert_eq!(
                (applied, duplicate),
                (1, 1),
                "mutation {} in round {round}: {:?} and {:?}",
                x.mutation_id,
                x.outcome,
                y.outcome
            );
        }
        next += batch;
    }
    let recorded = d.mutations(Some("c1")).await.expect("mutations");
    let ids: Vec<i64> = recorded.iter().map(|m| m.mutation_id).collect();
    assert_eq!(ids, (1..next).collect::<Vec<_>>(), "each id once, in order");
    assert!(recorded.iter().all(|m| m.outcome == "applied"));
}

/// A long-poll waiting on replica 0 answers with the task the dispatcher creates through
/// replica 1 (PostgreSQL NOTIFY between the replicas), well before its timeout; one with
/// nothing to wait for answers empty when its time is up.
async fn a_change_committed_on_one_replica_wakes_a_long_poll_on_another(postgres: bool) {
    let Some((r, token)) = with_courier(postgres, "wake", 1).await else {
        return;
    };
    let http = reqwest::Client::new();
    // Nothing happens: the wait runs out and the page is empty.
    let quiet = pull(&http, &r.url(0), &token, "cursor=0&wait_s=1").await;
    assert!(quiet.changes.is_empty());
    let mut cursor = quiet.cursor;
    for n in 0..3 {
        let waiting = {
            let (http, url, token) = (http.clone(), r.url(0), token.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                // 20 s: only a wake-up, not the timeout, can answer with the task in time.
                let page = pull(&http, &url, &token, &format!("cursor={cursor}&wait_s=20")).await;
                (page, started.elapsed())
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let id = format!("T{n}");
        r.dispatch(1)
            .assign_task(&id, "c1", TaskKind::Parcel, None, stop("Customer"))
            .await
            .expect("task");
        let (page, waited) = waiting.await.expect("join");
        assert!(
            waited < Duration::from_secs(20),
            "the long-poll ran to its timeout"
        );
        assert!(
            page.changes.iter().any(|c| matches!(
                c,
                runsheet_protocol::Change::UpsertTask { task } if task.id == id
            )),
            "the long-poll answered without the new task: {:?}",
            page.changes
        );
        // Cancel it again so the next round's cursor starts after everything.
        r.dispatch(0).cancel_task(&id).await.expect("cancel");
        let rest = pull(&http, &r.url(0), &token, &format!("cursor={}", page.cursor)).await;
        assert!(!rest.has_more);
        cursor = rest.cursor;
    }
}

/// A phone in the foreground, on replica 0, with a periodic sync of an hour: a task the
/// dispatcher creates through replica 1 still reaches its task list (only the long-poll can
/// have brought it). In the background it does not, until a push notification's sync hint.
async fn a_foreground_phone_gets_a_new_task_without_polling(postgres: bool) {
    let Some((r, token)) = with_courier(postgres, "foreground", 0).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let core = phone(&dir, &r.url(0), &token).await;
    core.session().set_foreground(true);
    core.sync().start_auto(3600).expect("auto-sync");
    // The first sync (at start) registers the install.
    wait_until(|| async {
        core.sync()
            .status()
            .await
            .map(|s| s.last_success_at.is_some())
            .unwrap_or(false)
    })
    .await;
    r.dispatch(1)
        .assign_task("LIVE", "c1", TaskKind::Parcel, None, stop("Customer"))
        .await
        .expect("task");
    wait_until(|| has_task(&core, "LIVE")).await;

    core.session().set_foreground(false);
    tokio::time::sleep(Duration::from_millis(500)).await;
    r.dispatch(1)
        .assign_task("LATER", "c1", TaskKind::Parcel, None, stop("Customer"))
        .await
        .expect("task");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !has_task(&core, "LATER").await,
        "in the background only the periodic sync or a push brings tasks"
    );
    assert!(core
        .session()
        .handle_push(r#"{"data":{"runsheet":"sync"}}"#.into())
        .expect("payload"));
    wait_until(|| has_task(&core, "LATER")).await;
    core.sync().stop_auto();
}

/// A phone's core with its store in `dir`.
async fn phone(dir: &tempfile::TempDir, url: &str, token: &str) -> Arc<runsheet_ffi::Runsheet> {
    let config = runsheet_ffi::RunsheetConfig {
        db_path: dir.path().join("phone.db").to_string_lossy().into_owned(),
        db_key: None,
        locale: None,
        server_url: url.into(),
        token: token.into(),
    };
    runsheet_ffi::open_runsheet(config, None)
        .await
        .expect("core")
}

async fn has_task(core: &Arc<runsheet_ffi::Runsheet>, id: &str) -> bool {
    core.tasks()
        .all()
        .await
        .map(|ts| ts.iter().any(|t| t.id == id))
        .unwrap_or(false)
}

/// Polls `cond` for up to 30 s (a bound for a loaded machine, not a latency claim).
async fn wait_until<F: std::future::Future<Output = bool>>(mut cond: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond().await {
        assert!(Instant::now() < deadline, "condition not met within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Shutting a replica down: readiness turns 503 at once, a waiting long-poll answers (empty)
/// instead of holding the shutdown for its whole wait, and the shutdown completes.
async fn a_draining_replica_releases_its_long_polls(postgres: bool) {
    let Some((mut r, token)) = with_courier(postgres, "drain", 0).await else {
        return;
    };
    let http = reqwest::Client::new();
    let url = r.url(0);
    let ready = http
        .get(format!("{url}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let waiting = {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tokio::spawn(async move { pull(&http, &url, &token, "cursor=0&wait_s=30").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let metrics = http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("runsheet_long_polls_pending 1"),
        "{metrics}"
    );
    let server = r.servers.remove(0);
    let started = Instant::now();
    tokio::task::spawn_blocking(move || server.shutdown())
        .await
        .expect("shutdown");
    let page = waiting.await.expect("join");
    assert!(page.changes.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "shutdown waited for the long-poll's whole wait"
    );
}

/// Metrics count pushes and mutations by outcome, in Prometheus text format.
async fn metrics_count_pushes_and_outcomes(postgres: bool) {
    let Some(r) = Replicas::start(postgres, "metrics").await else {
        return;
    };
    let (_, token) = courier_with_task(&r).await;
    let http = reqwest::Client::new();
    let req = PushRequest {
        pull: None,
        client_id: "phone-1".into(),
        mutations: vec![accept(1, "T1"), accept(2, "T1")],
        sent_at: None,
    };
    push(&http, &r.url(0), &token, &req).await;
    push(&http, &r.url(0), &token, &req).await;
    let text = http
        .get(format!("{}/metrics", r.url(0)))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for line in [
        "runsheet_pushes_total 2",
        "runsheet_mutations_total{outcome=\"applied\"} 1",
        "runsheet_mutations_total{outcome=\"rejected\"} 1",
        "runsheet_mutations_total{outcome=\"duplicate\"} 2",
    ] {
        assert!(text.contains(line), "no `{line}` in\n{text}");
    }
    assert!(text.contains("runsheet_http_request_duration_seconds_bucket{le="));
    assert!(text.contains("route=\"/v1/sync/push\""));
}

/// The requests the replica answered on `route` so far (every method and status), from its
/// metrics.
async fn requests_on(http: &reqwest::Client, url: &str, route: &str) -> u64 {
    let text = http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let label = format!("route=\"{route}\"");
    text.lines()
        .filter(|l| l.starts_with("runsheet_http_requests_total{") && l.contains(&label))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// A phone's sync after an action is one request: the push carries the pull's position and its
/// answer brings the page, which the phone applies (the task at the server's revision) without
/// a pull of its own.
async fn a_phones_sync_after_an_action_is_one_request(postgres: bool) {
    let Some(r) = Replicas::start(postgres, "one_request").await else {
        return;
    };
    let (_, token) = courier_with_task(&r).await;
    let dir = tempfile::tempdir().expect("dir");
    let core = phone(&dir, &r.url(0), &token).await;
    core.sync().now().await.expect("first sync");
    let http = reqwest::Client::new();
    let (pushes, pulls) = (
        requests_on(&http, &r.url(0), "/v1/sync/push").await,
        requests_on(&http, &r.url(0), "/v1/sync/pull").await,
    );
    core.tasks().accept("T1".into()).await.expect("accept");
    let report = core.sync().now().await.expect("sync");
    assert_eq!(report.pushed, 1);
    assert_eq!(
        requests_on(&http, &r.url(0), "/v1/sync/push").await,
        pushes + 1
    );
    assert_eq!(requests_on(&http, &r.url(0), "/v1/sync/pull").await, pulls);
    let task = core.tasks().task("T1".into()).await.expect("task");
    assert_eq!(task.status, runsheet_ffi::TaskStatus::Accepted);
    assert_eq!(core.sync().status().await.expect("status").pending, 0);
}

/// A phone's sync after a long-poll that brought a new task costs no request: the long-poll's
/// answer (a whole page) is the sync's first page, applied without a pull of its own. The task
/// is created through the other replica while the long-poll waits.
async fn a_phones_sync_after_a_long_poll_costs_no_request(postgres: bool) {
    let Some(r) = Replicas::start(postgres, "long_poll_page").await else {
        return;
    };
    let (_, token) = courier_with_task(&r).await;
    let dir = tempfile::tempdir().expect("dir");
    let core = phone(&dir, &r.url(0), &token).await;
    core.sync().now().await.expect("first sync");
    let waiting = {
        let core = Arc::clone(&core);
        tokio::spawn(async move { core.sync().wait_for_changes(20).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    r.dispatch(1)
        .assign_task("NEW", "c1", TaskKind::Parcel, None, stop("Customer"))
        .await
        .expect("task");
    let news = waiting.await.expect("join").expect("long-poll");
    assert!(news, "the long-poll found the new task");
    assert!(
        !has_task(&core, "NEW").await,
        "the long-poll applies nothing"
    );
    let http = reqwest::Client::new();
    let (pushes, pulls) = (
        requests_on(&http, &r.url(0), "/v1/sync/push").await,
        requests_on(&http, &r.url(0), "/v1/sync/pull").await,
    );
    let report = core.sync().now().await.expect("sync");
    assert_eq!(report.pulled_changes, 1);
    assert_eq!(requests_on(&http, &r.url(0), "/v1/sync/push").await, pushes);
    assert_eq!(requests_on(&http, &r.url(0), "/v1/sync/pull").await, pulls);
    assert!(has_task(&core, "NEW").await);
    // The page was used once: the next sync pulls (nothing new).
    let report = core.sync().now().await.expect("sync");
    assert_eq!(report.pulled_changes, 0);
    assert_eq!(
        requests_on(&http, &r.url(0), "/v1/sync/pull").await,
        pulls + 1
    );
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(false).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(true).await
            })*
        }
    };
}

on_both_stores!(
    a_retry_racing_its_original_on_another_replica_applies_once,
    a_change_committed_on_one_replica_wakes_a_long_poll_on_another,
    a_foreground_phone_gets_a_new_task_without_polling,
    a_draining_replica_releases_its_long_polls,
    metrics_count_pushes_and_outcomes,
    a_phones_sync_after_an_action_is_one_request,
    a_phones_sync_after_a_long_poll_costs_no_request,
);

/// Push payloads: Runsheet's sync hint at the top level (APNs user info) or under `data`
/// (FCM) is recognised; another feature's payload is not; a payload that is not a JSON object
/// is refused with a typed error. Nothing here needs the network.
#[tokio::test]
async fn push_payloads_are_recognised_or_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let core = phone(&dir, "http://127.0.0.1:9", "t").await;
    assert!(core
        .session()
        .handle_push(r#"{"aps":{"content-available":1},"runsheet":"sync"}"#.into())
        .expect("apns"));
    assert!(core
        .session()
        .handle_push(r#"{"data":{"runsheet":"sync"}}"#.into())
        .expect("fcm"));
    assert!(!core
        .session()
        .handle_push(r#"{"data":{"promo":"lunch"}}"#.into())
        .expect("other"));
    for bad in ["not json", "[1,2]", "\"sync\""] {
        assert!(
            matches!(
                core.session().handle_push(bad.into()),
                Err(runsheet_ffi::RunsheetError::InvalidArgument { .. })
            ),
            "{bad}"
        );
    }
}
