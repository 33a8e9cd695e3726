//! Sync and store benchmarks, each printed with a baseline measured in the same run:
//!
//! - push a 10,000-mutation backlog to the reference server on loopback (target >= 5,000/s),
//!   against the bare storage floor: the same rows inserted with plain rusqlite;
//! - pull 1,000 tasks into an empty store (target < 1 s), against inserting the same rows bare;
//! - one courier action (state + outbox in one transaction; target p99 < 2 ms), against a bare
//!   rusqlite insert transaction with the same pragmas.
//!
//! `cargo bench -p runsheet-core --bench sync` (release). `RUNSHEET_BENCH_SCALE=0.1` for a quick run.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use runsheet_core::store::Store;
use runsheet_core::{outbox, task, Action, Config, Runsheet, SystemClock, Token};
use runsheet_protocol::{StopDoc, TaskDoc, TaskKind, TaskStatus};
use runsheet_server::{Dispatcher, ServerConfig};

fn stop() -> StopDoc {
    StopDoc {
        name: "Customer".into(),
        address: "1 Bench Road".into(),
        phone: None,
        lat: 30.27,
        lon: 120.15,
        ready_at: None,
        due_by: Some(1_795_410_000),
        not_before: None,
        pin_corrected: false,
    }
}

fn open(db: &Path, url: &str, token: &str) -> Runsheet {
    Runsheet::open(Config {
        db_path: db.to_path_buf(),
        server_url: url.into(),
        token: Token::new(token),
        clock: Arc::new(SystemClock),
    })
    .expect("core opens")
}

/// Creates a courier with `n` parcel tasks `{prefix}00000...`; returns the courier's token.
async fn courier_with_tasks(d: &Dispatcher, courier: &str, prefix: &str, n: usize) -> String {
    let token = d.create_courier(courier, "Bench").await.expect("courier");
    let mut pending = Vec::new();
    for i in 0..n {
        let (d, c, id) = (d.clone(), courier.to_owned(), format!("{prefix}{i:05}"));
        pending.push(tokio::spawn(async move {
            d.assign_task(&id, &c, TaskKind::Parcel, None, stop())
                .await
                .expect("assign")
        }));
        if pending.len() >= 16 {
            for p in pending.drain(..) {
                p.await.expect("join");
            }
        }
    }
    for p in pending {
        p.await.expect("join");
    }
    token
}

/// A bare rusqlite connection with the device store's pragmas and one table.
fn bare_connection(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).expect("open");
    let _: String = c
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .expect("wal");
    c.pragma_update(None, "synchronous", "FULL").expect("sync");
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, task TEXT NOT NULL, body TEXT NOT NULL)",
    )
    .expect("table");
    c
}

/// Bare rusqlite: `n` rows in transactions of `per_tx`, same pragmas as the device store.
fn bare_inserts(path: &Path, n: usize, per_tx: usize) -> Duration {
    let mut c = bare_connection(path);
    let started = Instant::now();
    let mut i = 0;
    while i < n {
        let tx = c.transaction().expect("tx");
        for _ in 0..per_tx.min(n - i) {
            tx.execute(
                "INSERT INTO t (task, body) VALUES (?1, ?2)",
                (format!("T{i}"), r#"{"type":"delivered","task_id":"T"}"#),
            )
            .expect("insert");
            i += 1;
        }
        tx.commit().expect("commit");
    }
    started.elapsed()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let scale: f64 = std::env::var("RUNSHEET_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let backlog = ((10_000.0 * scale) as usize).max(100);
    let pull_n = ((1_000.0 * scale) as usize).max(50);
    let actions = ((2_000.0 * scale) as usize).max(100);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tmp");
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        db: runsheet_server::DbConfig::Sqlite(dir.path().join("server.db")),
        admin_token: Some("bench".into()),
        clock: None,
    })
    .expect("server");
    let d = Dispatcher::new(&server.url(), "bench");
    println!("runsheet sync benchmark (backlog {backlog}, pull {pull_n}, actions {actions})");

    // 1. Push a backlog.
    let token = rt.block_on(courier_with_tasks(&d, "pusher", "P", backlog));
    let db = dir.path().join("pusher.db");
    {
        // Seed the phone: the tasks and a backlog of deliveries, as after a long offline round.
        let store = Store::open(&db).expect("store");
        store
            .write(|tx| {
                for i in 0..backlog {
                    let id = format!("P{i:05}");
                    task::upsert_from_server(
                        tx,
                        &TaskDoc {
                            id: id.clone(),
                            kind: TaskKind::Parcel,
                            status: TaskStatus::AtDropoff,
                            pickup: None,
                            dropoff: stop(),
                            revision: 1,
                            ordered_at: None,
                            items: Vec::new(),
                            return_to: None,
                            handoff_code: None,
                            contactless: false,
                            proof: Default::default(),
                        },
                    )?;
                    let a = Action::delivered(id);
                    task::apply_action(tx, &a)?;
                    outbox::enqueue(tx, &a, 0, None)?;
                }
                Ok(())
            })
            .expect("seed");
    }
    let core = open(&db, &server.url(), &token);
    let started = Instant::now();
    let report = rt.block_on(core.sync()).expect("push sync");
    let push_time = started.elapsed();
    assert_eq!(report.pushed as usize, backlog);
    let floor = bare_inserts(&dir.path().join("bare-push.db"), backlog, 500);
    let rate = backlog as f64 / push_time.as_secs_f64();
    println!(
        "push backlog: {backlog} mutations in {:.3} s = {rate:.0} mutations/s (target >= 5000: {}); \
         bare rusqlite floor {:.3} s, ratio {:.1}x",
        push_time.as_secs_f64(),
        if rate >= 5000.0 { "met" } else { "MISSED" },
        floor.as_secs_f64(),
        push_time.as_secs_f64() / floor.as_secs_f64()
    );

    // 2. Pull into an empty store.
    let pull_token = rt.block_on(courier_with_tasks(&d, "puller", "L", pull_n));
    let core = open(&dir.path().join("pull.db"), &server.url(), &pull_token);
    let started = Instant::now();
    let r = rt.block_on(core.sync()).expect("pull");
    let pull_time = started.elapsed();
    assert_eq!(r.pulled_changes as usize, pull_n);
    let floor = bare_inserts(&dir.path().join("bare-pull.db"), pull_n * 2, pull_n * 2);
    println!(
        "pull {pull_n} tasks into an empty store: {:.3} s (target < 1 s: {}); bare insert of the \
         rows {:.3} s, ratio {:.1}x",
        pull_time.as_secs_f64(),
        if pull_time < Duration::from_secs(1) {
            "met"
        } else {
            "MISSED"
        },
        floor.as_secs_f64(),
        pull_time.as_secs_f64() / floor.as_secs_f64()
    );

    // 3. One courier action, state + outbox in one transaction.
    let db = dir.path().join("actions.db");
    {
        let store = Store::open(&db).expect("store");
        store
            .write(|tx| {
                for i in 0..actions {
                    task::upsert_from_server(
                        tx,
                        &TaskDoc {
                            id: format!("A{i:05}"),
                            kind: TaskKind::Food,
                            status: TaskStatus::AtDropoff,
                            pickup: None,
                            dropoff: stop(),
                            revision: 1,
                            ordered_at: None,
                            items: Vec::new(),
                            return_to: None,
                            handoff_code: None,
                            contactless: false,
                            proof: Default::default(),
                        },
                    )?;
                }
                Ok(())
            })
            .expect("seed");
    }
    let core = open(&db, &server.url(), "unused");
    let mut samples = Vec::with_capacity(actions);
    for i in 0..actions {
        let t = Instant::now();
        core.mark_delivered(&format!("A{i:05}")).expect("action");
        samples.push(t.elapsed());
    }
    samples.sort();
    let mut conn = bare_connection(&dir.path().join("bare-action.db"));
    let mut bare = Vec::with_capacity(actions);
    for i in 0..actions {
        let t = Instant::now();
        let tx = conn.transaction().expect("tx");
        tx.execute(
            "INSERT INTO t (task, body) VALUES (?1, ?2)",
            (format!("A{i:05}"), r#"{"type":"delivered","task_id":"A"}"#),
        )
        .expect("insert");
        tx.commit().expect("commit");
        bare.push(t.elapsed());
    }
    bare.sort();
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    let (b50, b99) = (percentile(&bare, 0.5), percentile(&bare, 0.99));
    println!(
        "courier action: p50 {:.3} ms, p99 {:.3} ms (target p99 < 2 ms: {}); bare rusqlite insert \
         transaction p50 {:.3} ms, p99 {:.3} ms; ratio p99 {:.2}x",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        if p99 < Duration::from_millis(2) {
            "met"
        } else {
            "MISSED"
        },
        b50.as_secs_f64() * 1e3,
        b99.as_secs_f64() * 1e3,
        p99.as_secs_f64() / b99.as_secs_f64()
    );
    server.shutdown();
}
