//! Pulls from a read replica: a real streaming standby of the throwaway primary (`cargo xtask
//! test` starts both; `RUNSHEET_TEST_POSTGRES_STANDBY` names the standby). A pull that carries
//! the push's WAL position is served by the standby once it has replayed that far; while the
//! standby lags (its replay paused), the primary serves it, with the push in it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use runsheet_protocol::{
    Action, Change, Mutation, PullResponse, PushRequest, PushResponse, StopDoc, StopRole, TaskKind,
    TaskStatus,
};
use runsheet_server::{AppState, Db, DbConfig, Dispatcher};

const STANDBY_VAR: &str = "RUNSHEET_TEST_POSTGRES_STANDBY";
const ADMIN: &str = "standby-test-admin-token-0123456789abcdef";

fn stop(name: &str) -> StopDoc {
    StopDoc::new(name, "1 Standby Road", 31.2, 121.4)
}

/// The same database on the standby: the primary's URL with the standby's host and port.
fn on_standby(primary_db: &str, standby_admin: &str) -> String {
    let name = primary_db.rsplit('/').next().unwrap_or_default();
    let base = standby_admin
        .rsplit_once('/')
        .map_or(standby_admin, |(b, _)| b);
    format!("{base}/{name}")
}

/// Runs `sql` (one boolean) on `url` until it is true; panics after a minute.
fn wait_until(url: &str, sql: &str, param: Option<&str>) {
    let mut tries = 0;
    loop {
        let ok = postgres::Client::connect(url, postgres::NoTls)
            .and_then(|mut c| match param {
                Some(p) => c.query_one(sql, &[&p]),
                None => c.query_one(sql, &[]),
            })
            .and_then(|r| r.try_get::<_, bool>(0))
            .unwrap_or(false);
        if ok {
            return;
        }
        tries += 1;
        assert!(tries < 600, "the standby never got there: {sql}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn push(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    id: i64,
    action: Action,
) -> PushResponse {
    let req = PushRequest {
        pull: None,
        client_id: "standby-phone".into(),
        mutations: vec![Mutation {
            mutation_id: id,
            device_time: 1_795_400_000 + id,
            action,
            context: None,
        }],
        sent_at: None,
    };
    let r = http
        .post(format!("{url}/v1/sync/push"))
        .bearer_auth(token)
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn pull(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    cursor: i64,
    min_lsn: Option<&str>,
) -> reqwest::Response {
    let mut q = vec![
        ("client_id", "standby-phone".to_owned()),
        ("cursor", cursor.to_string()),
    ];
    if let Some(l) = min_lsn {
        q.push(("min_lsn", l.to_owned()));
    }
    http.get(format!("{url}/v1/sync/pull"))
        .bearer_auth(token)
        .query(&q)
        .send()
        .await
        .unwrap()
}

fn status_of(page: &PullResponse, task: &str) -> Option<TaskStatus> {
    page.changes.iter().rev().find_map(|c| match c {
        Change::UpsertTask { task: t } if t.id == task => Some(t.status),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_goes_to_the_standby_once_it_has_replayed_the_push_else_to_the_primary() {
    let Ok(standby_admin) = std::env::var(STANDBY_VAR) else {
        assert!(
            std::env::var_os(runsheet_server::db::REQUIRE_POSTGRES_VAR).is_none(),
            "{STANDBY_VAR} is unset: the standby did not start"
        );
        eprintln!("skipped: {STANDBY_VAR} unset (`cargo xtask test` sets it)");
        return;
    };
    let Some(DbConfig::Postgres { url: primary, .. }) =
        tokio::task::spawn_blocking(|| runsheet_server::test_postgres("standby"))
            .await
            .unwrap()
    else {
        return;
    };
    let config = DbConfig::parse(&primary);
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
    // The new database and its schema reach the standby.
    let standby = on_standby(&primary, &standby_admin);
    let s = standby.clone();
    tokio::task::spawn_blocking(move || {
        wait_until(
            &s,
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'runsheet_schema')",
            None,
        )
    })
    .await
    .unwrap();
    let s = standby.clone();
    let db = tokio::task::spawn_blocking(move || db.with_standby(&s))
        .await
        .unwrap()
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(runsheet_server::serve(
        listener,
        AppState::new(db.clone(), Some(ADMIN.into())),
        async move {
            let _ = stop_rx.await;
        },
    ));
    let dispatch = Dispatcher::new(&url, ADMIN);
    let token = dispatch.create_courier("c1", "C").await.unwrap();
    dispatch
        .assign_task("t1", "c1", TaskKind::Food, Some(stop("shop")), stop("door"))
        .await
        .unwrap();
    let http = reqwest::Client::new();

    // Caught up: the standby serves the pull, and it holds the push.
    let first = push(
        &http,
        &url,
        &token,
        1,
        Action::Accept {
            task_id: "t1".into(),
        },
    )
    .await;
    let lsn = first
        .wal_lsn
        .clone()
        .expect("a server with a standby answers its WAL position");
    let (s, l) = (standby.clone(), lsn.clone());
    tokio::task::spawn_blocking(move || {
        wait_until(
            &s,
            "SELECT pg_last_wal_replay_lsn() >= CAST($1 AS TEXT)::pg_lsn",
            Some(&l),
        )
    })
    .await
    .unwrap();
    let reads = db.standby_reads();
    let r = pull(&http, &url, &token, 0, Some(&lsn)).await;
    assert_eq!(r.status(), 200);
    let page: PullResponse = r.json().await.unwrap();
    assert_eq!(reads.served.load(Ordering::Relaxed), 1);
    assert_eq!(reads.by_primary.load(Ordering::Relaxed), 0);
    assert_eq!(page.last_mutation_id, 1);
    assert_eq!(status_of(&page, "t1"), Some(TaskStatus::Accepted));

    // Lagging: with its replay paused, the standby cannot serve a pull that carries a newer
    // push's position; the primary serves it, with that push.
    let s = standby.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&s, postgres::NoTls).unwrap();
        c.execute("SELECT pg_wal_replay_pause()", &[]).unwrap();
        c.query_one("SELECT pg_get_wal_replay_pause_state()", &[])
            .unwrap()
            .get::<_, String>(0)
    })
    .await
    .unwrap();
    let second = push(
        &http,
        &url,
        &token,
        2,
        Action::Arrive {
            task_id: "t1".into(),
            stop: StopRole::Pickup,
            method: runsheet_protocol::ArrivalMethod::Gps,
            reason: None,
        },
    )
    .await;
    let newer = second.wal_lsn.clone().unwrap();
    let r = pull(&http, &url, &token, page.cursor, Some(&newer)).await;
    assert_eq!(r.status(), 200);
    let lagging: PullResponse = r.json().await.unwrap();
    assert_eq!(reads.served.load(Ordering::Relaxed), 1);
    assert_eq!(reads.by_primary.load(Ordering::Relaxed), 1);
    assert_eq!(lagging.last_mutation_id, 2);
    assert_eq!(status_of(&lagging, "t1"), Some(TaskStatus::AtPickup));

    // Without a position, or with one that is not one, the standby is not asked.
    let r = pull(&http, &url, &token, 0, None).await;
    assert_eq!(r.status(), 200);
    let r = pull(&http, &url, &token, 0, Some("0/0'; --")).await;
    assert_eq!(r.status(), 400);
    assert_eq!(reads.served.load(Ordering::Relaxed), 1);
    assert_eq!(reads.by_primary.load(Ordering::Relaxed), 1);

    let s = standby.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&s, postgres::NoTls).unwrap();
        c.execute("SELECT pg_wal_replay_resume()", &[]).unwrap();
    })
    .await
    .unwrap();
    let _ = stop_tx.send(());
    server.await.unwrap().unwrap();
    db.close();
}
