//! Sync and store benchmarks, each printed with a baseline measured in the same run:
//!
//! - pull 1,000 tasks into an empty store (target < 1 s), against inserting the same rows bare;
//! - one courier action (state + outbox in one transaction; target p99 < 2 ms), against a bare
//!   rusqlite insert transaction with the same pragmas. The actions are a real offline round:
//!   2,000 food orders walked through the workflow (accept, arrive at the merchant, pick up,
//!   arrive at the door, delivered), five actions each, as the courier's guards allow them;
//! - push the 10,000-mutation backlog that round left to the reference server on loopback
//!   (target >= 5,000/s), against the bare storage floor: the same rows inserted with plain
//!   rusqlite. Every mutation must be applied: a refused one fails the benchmark.
//!
//! `cargo bench -p runsheet-core --bench sync` (release). `RUNSHEET_BENCH_SCALE=small` runs it
//! at a tiny size (a debug build in seconds; `cargo xtask test` does so, so the benchmark cannot
//! rot); a number (`0.1`) scales the full size.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use runsheet_core::{Config, Runsheet, SystemClock, Token};
use runsheet_protocol::{StopDoc, TaskKind};
use runsheet_server::{Dispatcher, ServerConfig};

/// The size factor from `RUNSHEET_BENCH_SCALE`: unset is 1 (the documented figures), `small`
/// is the tiny size of `cargo xtask test`, a number scales the full size.
fn scale() -> f64 {
    match std::env::var("RUNSHEET_BENCH_SCALE") {
        Err(_) => 1.0,
        Ok(v) if v == "small" => 0.0,
        Ok(v) => match v.parse::<f64>() {
            Ok(x) if x > 0.0 && x.is_finite() => x,
            _ => panic!("RUNSHEET_BENCH_SCALE must be `small` or a positive number, not {v:?}"),
        },
    }
}

/// Actions of one food order.
const ACTIONS_PER_ORDER: usize = 5;

fn stop(name: &str, address: &str) -> StopDoc {
    StopDoc {
        due_by: Some(1_795_410_000),
        ..StopDoc::new(name, address, 30.27, 120.15)
    }
}

fn open(db: &Path, url: &str, token: &str) -> Runsheet {
    Runsheet::open(Config {
        db_path: db.to_path_buf(),
        db_key: None,
        server_url: url.into(),
        token: Token::new(token),
        clock: Arc::new(SystemClock),
    })
    .expect("core opens")
}

/// Creates a courier with `n` tasks `{prefix}00000...` (food orders with a pickup when `food`,
/// else parcels loaded at the depot); returns the courier's token.
async fn courier_with_tasks(
    d: &Dispatcher,
    courier: &str,
    prefix: &str,
    n: usize,
    food: bool,
) -> String {
    let token = d.create_courier(courier, "Bench").await.expect("courier");
    let mut pending = Vec::new();
    for i in 0..n {
        let (d, c, id) = (d.clone(), courier.to_owned(), format!("{prefix}{i:05}"));
        pending.push(tokio::spawn(async move {
            let (kind, pickup) = if food {
                (TaskKind::Food, Some(stop("Noodle House", "12 Wensan Rd")))
            } else {
                (TaskKind::Parcel, None)
            };
            d.assign_task(&id, &c, kind, pickup, stop("Customer", "1 Bench Road"))
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

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

/// The workflow of one food order, in the courier's order.
const ORDER_STEPS: [&str; ACTIONS_PER_ORDER] = [
    "accept",
    "arrive at the merchant",
    "pick up",
    "arrive at the door",
    "deliver",
];

/// Walks one food order through the workflow, timing each action (state + outbox, one
/// transaction each).
fn walk_order(core: &Runsheet, id: &str, samples: &mut Vec<Duration>) {
    for what in ORDER_STEPS {
        let t = Instant::now();
        let done = match what {
            "accept" => core.accept(id),
            "pick up" => core.pick_up(id),
            "deliver" => core.mark_delivered(id),
            _ => core.arrive_manually(id, "benchmark"),
        };
        samples.push(t.elapsed());
        if let Err(e) = done {
            panic!("{what} {id}: refused by the courier's workflow: {e}");
        }
    }
}

fn main() {
    let scale = scale();
    let orders = ((2_000.0 * scale) as usize).max(10);
    let backlog = orders * ACTIONS_PER_ORDER;
    let pull_n = ((1_000.0 * scale) as usize).max(20);
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
    println!(
        "runsheet sync benchmark (pull {pull_n} tasks; {orders} orders x {ACTIONS_PER_ORDER} \
         actions = backlog {backlog})"
    );

    // 1. Pull into an empty store.
    let pull_token = rt.block_on(courier_with_tasks(&d, "puller", "L", pull_n, false));
    let core = open(&dir.path().join("pull.db"), &server.url(), &pull_token);
    let started = Instant::now();
    let r = rt.block_on(core.sync()).expect("pull");
    let pull_time = started.elapsed();
    assert_eq!(r.pulled_changes as usize, pull_n, "every task pulled");
    assert_eq!(
        core.tasks().expect("tasks").len(),
        pull_n,
        "every task stored"
    );
    let floor = bare_inserts(&dir.path().join("bare-pull.db"), pull_n * 2, pull_n * 2);
    println!(
        "pull {pull_n} tasks into an empty store: {:.3} s (target < 1 s: {}); bare insert of the \
         rows {:.3} s, ratio {:.1}x",
        pull_time.as_secs_f64(),
        verdict(pull_time < Duration::from_secs(1)),
        floor.as_secs_f64(),
        pull_time.as_secs_f64() / floor.as_secs_f64()
    );

    // 2. Courier actions: an offline round through the whole workflow, each action timed.
    let token = rt.block_on(courier_with_tasks(&d, "rider", "F", orders, true));
    let core = open(&dir.path().join("rider.db"), &server.url(), &token);
    rt.block_on(core.sync()).expect("the round's tasks pulled");
    let mut samples = Vec::with_capacity(backlog);
    for i in 0..orders {
        walk_order(&core, &format!("F{i:05}"), &mut samples);
    }
    samples.sort();
    let mut conn = bare_connection(&dir.path().join("bare-action.db"));
    let mut bare = Vec::with_capacity(backlog);
    for i in 0..backlog {
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
        "courier action ({backlog} actions): p50 {:.3} ms, p99 {:.3} ms (target p99 < 2 ms: {}); \
         bare rusqlite insert transaction p50 {:.3} ms, p99 {:.3} ms; ratio p99 {:.2}x",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        verdict(p99 < Duration::from_millis(2)),
        b50.as_secs_f64() * 1e3,
        b99.as_secs_f64() * 1e3,
        p99.as_secs_f64() / b99.as_secs_f64()
    );

    // 3. Push the backlog the round left.
    let started = Instant::now();
    let report = rt.block_on(core.sync()).expect("push sync");
    let push_time = started.elapsed();
    let refused: Vec<String> = core
        .rejections()
        .expect("rejections")
        .into_iter()
        .take(3)
        .map(|r| format!("{} {}: {}", r.task_id, r.code, r.reason))
        .collect();
    assert_eq!(
        (report.pushed as usize, report.rejected),
        (backlog, 0),
        "every mutation of the backlog applied; refused, e.g.: {refused:?}"
    );
    assert_eq!(report.pending, 0, "nothing left on the phone");
    let floor = bare_inserts(&dir.path().join("bare-push.db"), backlog, 500);
    let rate = backlog as f64 / push_time.as_secs_f64();
    println!(
        "push backlog: {backlog} mutations in {:.3} s = {rate:.0} mutations/s (target >= 5000: {}); \
         bare rusqlite floor {:.3} s, ratio {:.1}x",
        push_time.as_secs_f64(),
        verdict(rate >= 5000.0),
        floor.as_secs_f64(),
        push_time.as_secs_f64() / floor.as_secs_f64()
    );
    server.shutdown();
}
