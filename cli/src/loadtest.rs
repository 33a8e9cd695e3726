//! `runsheet loadtest`: a benchmark (not a test) of the sync path under many couriers.
//!
//! N simulated couriers on loopback, each with its own core ([`runsheet_core::Runsheet`]) and
//! its own SQLite file, run a shift workload against several server replicas sharing one
//! PostgreSQL database. Each round, the dispatcher assigns a task to the courier while the
//! courier's long-poll is open (mostly on the *other* replica, so LISTEN/NOTIFY between replicas
//! is what wakes it), then the courier syncs, accepts, arrives, picks up, arrives and delivers,
//! syncing after each action as the app does.
//!
//! Printed: mutations/s, push/pull latency (of the core's `sync()` calls), notification delay,
//! an end-of-run check that no mutation was lost or applied twice (cores' counts against the
//! server's `mutations` table, read directly), and a pgbench baseline on the same cluster.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use runsheet_core::{Config, Runsheet, SystemClock, Token};
use runsheet_protocol::{StopDoc, TaskKind};
use runsheet_server::{DbConfig, Dispatcher, PoolLimits, RunningServer, ServerConfig};

mod cpu;
mod statements;

/// The admin token of the servers the load test starts (loopback only, never printed).
const ADMIN: &str = "loadtest-admin";

/// Push p99 target, ms.
const PUSH_P99_TARGET_MS: f64 = 250.0;
/// Notification delay p99 target, ms.
const NOTIFY_P99_TARGET_MS: f64 = 1000.0;
/// Couriers target.
const COURIERS_TARGET: usize = 2000;

/// Flags of `runsheet loadtest`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Simulated couriers, each with its own core and SQLite file.
    #[arg(long, default_value_t = 2000)]
    pub couriers: usize,
    /// Length of the measured window, seconds (longer than one round of a courier at the
    /// default pace, so that it sees the steady state).
    #[arg(long, default_value_t = 90)]
    pub duration_s: u64,
    /// Admin URL of a PostgreSQL server: a fresh database is created on it for the run. With
    /// `--phones-only`: the URL of the database the running servers use (read at the end for
    /// the exactly-once check; its postmaster's CPU is measured when it runs on this machine).
    #[arg(long, hide_env_values = true)]
    pub postgres: String,
    /// Run only the simulated phones, against servers already running (`--server`), so that on
    /// real hardware the phones run on other machines than the servers and the database.
    #[arg(long, requires = "server")]
    pub phones_only: bool,
    /// With `--phones-only`: the base URL of a running server replica (repeat the flag for each;
    /// couriers are spread over them, the dispatcher calls the other ones).
    #[arg(long = "server", value_name = "URL")]
    pub server: Vec<String>,
    /// With `--phones-only`: the admin token the running servers were started with.
    #[arg(long, env = "RUNSHEET_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// With `--phones-only`: the process id of a server replica running on this machine (repeat
    /// for each), whose CPU time is then measured.
    #[arg(long = "server-pid", value_name = "PID")]
    pub server_pid: Vec<i32>,
    /// The pgbench binary of the same PostgreSQL installation (the baseline); without it the
    /// baseline is skipped.
    #[arg(long)]
    pub pgbench: Option<PathBuf>,
    /// Server replicas sharing the database.
    #[arg(long, default_value_t = 2)]
    pub replicas: usize,
    /// Most PostgreSQL connections per replica.
    #[arg(long, default_value_t = 16)]
    pub pool: u32,
    /// Also print the results as one JSON object (last line).
    #[arg(long)]
    pub json: bool,
    /// Worker threads of the runtime that drives the couriers' cores. The cores do their SQLite
    /// work (with fsync) on these threads, so too few of them add the harness's own queueing to
    /// the measured latencies.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// Mean courier think time between two actions, ms (uniform in 0.5x..1.5x). The default,
    /// an action every 12 s, is a lunch peak compressed about twentyfold (a courier at the
    /// peak acts every few minutes: accept, arrive, pick up, arrive, deliver over a 20–30
    /// minute delivery). Lower it to find the saturation point (`--think-ms 2000`).
    #[arg(long, default_value_t = 12000)]
    pub think_ms: u64,
    /// Length of the pgbench run, seconds.
    #[arg(long, default_value_t = 15)]
    pub pgbench_s: u64,
    /// Also run the same workload on one server over SQLite (a second baseline).
    #[arg(long)]
    pub sqlite_baseline: bool,
    /// Random seed of the think times.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// One simulated courier: their core and what it queued.
struct Courier {
    id: String,
    client_id: String,
    core: Arc<Runsheet>,
    replica: usize,
    /// Actions this courier's core queued (its mutation ids are 1..n).
    queued: AtomicU64,
}

/// What one courier measured.
#[derive(Default)]
struct Stats {
    /// `sync()` after an action (push of one mutation, then pull), microseconds.
    push_us: Vec<u64>,
    /// `sync()` after a notification (nothing to push: pull only), microseconds.
    pull_us: Vec<u64>,
    /// Notification delay, long-poll on the replica that did not commit, microseconds.
    notify_cross_us: Vec<u64>,
    /// Notification delay, long-poll on the replica that committed, microseconds.
    notify_same_us: Vec<u64>,
    /// Dispatch HTTP call (task creation), microseconds.
    dispatch_us: Vec<u64>,
    /// Mutations the server applied in syncs that ended inside the window.
    applied_in_window: u64,
    /// Mutations the server applied, whole run.
    applied: u64,
    /// Mutations the server refused.
    rejected: u64,
    /// Actions the core refused locally (not mutations), by error kind.
    refusals: HashMap<String, u64>,
    sync_failures: u64,
    dispatch_failures: u64,
    /// The long-poll returned before the dispatch call started (sample dropped).
    early_wakes: u64,
    /// The long-poll failed or did not return within 10 s of the dispatch.
    poll_failures: u64,
    rounds: u64,
    /// Actions queued by the core (its mutation ids), and the last id it returned.
    queued: u64,
    last_id: i64,
    /// Failed syncs by error kind (kinds only, no personal data).
    sync_errors: HashMap<String, u64>,
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        self.push_us.extend(o.push_us);
        self.pull_us.extend(o.pull_us);
        self.notify_cross_us.extend(o.notify_cross_us);
        self.notify_same_us.extend(o.notify_same_us);
        self.dispatch_us.extend(o.dispatch_us);
        self.applied_in_window += o.applied_in_window;
        self.applied += o.applied;
        self.rejected += o.rejected;
        for (k, v) in o.refusals {
            *self.refusals.entry(k).or_default() += v;
        }
        for (k, v) in o.sync_errors {
            *self.sync_errors.entry(k).or_default() += v;
        }
        self.sync_failures += o.sync_failures;
        self.dispatch_failures += o.dispatch_failures;
        self.early_wakes += o.early_wakes;
        self.poll_failures += o.poll_failures;
        self.rounds += o.rounds;
        self.queued += o.queued;
        self.last_id = self.last_id.max(o.last_id);
    }

    fn refused(&mut self, e: &runsheet_core::Error) {
        *self.refusals.entry(kind(e)).or_default() += 1;
    }

    fn queued(&mut self, id: i64) {
        self.queued += 1;
        self.last_id = id;
    }
}

/// The error's variant name only: messages may quote stop names or addresses.
fn kind(e: &runsheet_core::Error) -> String {
    let dbg = format!("{e:?}");
    dbg.split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("Error")
        .to_owned()
}

/// Percentile of sorted microsecond samples, in ms.
fn pct_ms(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
}

/// "p50 X ms, p99 Y ms (N samples)" of sorted microsecond samples, or "no samples".
fn spread(sorted: &[u64]) -> String {
    if sorted.is_empty() {
        return "no samples".into();
    }
    format!(
        "p50 {:.1} ms, p99 {:.1} ms ({} samples)",
        pct_ms(sorted, 0.5),
        pct_ms(sorted, 0.99),
        sorted.len()
    )
}

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u128::from(u64::MAX)) as u64
}

fn stop_doc(name: &str, lat: f64, lon: f64) -> StopDoc {
    StopDoc::new(name, "1 Load Test Road", lat, lon)
}

fn think(rng: &mut StdRng, mean: Duration) -> Duration {
    let m = micros(mean).max(2);
    Duration::from_micros(rng.gen_range(m / 2..=m + m / 2))
}

/// What the server recorded: per client id (count, min id, max id), and the mutations applied
/// with a `received_at` inside the measured window.
struct ServerCounts {
    per_client: HashMap<String, (i64, i64, i64)>,
    applied_in_window: i64,
}

/// The measured window, Unix seconds, `[from, to)`.
type Window = (i64, i64);

/// The results of one workload run (PostgreSQL replicas or the SQLite baseline).
struct Outcome {
    label: String,
    couriers: usize,
    open_s: f64,
    window_s: f64,
    stats: Stats,
    lost: u64,
    duplicated: u64,
    pending_left: u64,
    mismatched_couriers: u64,
    server_rows: i64,
    /// Mutations the server applied with a `received_at` in the window's whole seconds.
    server_in_window: i64,
    /// Those whole seconds.
    server_window_s: f64,
    /// CPU spent over the window, per process.
    cpu: cpu::Spent,
    /// The machine's load averages at the window's end.
    load_average: Option<String>,
    /// PostgreSQL's costliest statements over the window (`None`: not measured).
    statements: Option<Vec<statements::Statement>>,
}

impl Outcome {
    /// Mutations/s: applied by the server in the window (its own record).
    fn rate(&self) -> f64 {
        self.server_in_window as f64 / self.server_window_s
    }

    /// CPU milliseconds per mutation synced in the window, from CPU seconds spent over it.
    fn per_mutation_ms(&self, cpu_s: Option<f64>) -> Option<f64> {
        let synced = self.rate() * self.cpu.wall_s;
        cpu_s.filter(|_| synced > 0.0).map(|c| c * 1000.0 / synced)
    }
}

/// Runs the load test; exit status 0 unless a mutation was lost or duplicated (or the run could
/// not be set up). Missed latency targets are reported, not failures.
pub fn run(opts: Options) -> ExitCode {
    match run_inner(&opts) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("runsheet loadtest: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(opts: &Options) -> Result<bool, String> {
    if opts.couriers == 0 || opts.replicas == 0 || opts.duration_s == 0 {
        return Err("--couriers, --replicas and --duration-s must be at least 1".into());
    }
    if opts.phones_only {
        return run_phones_only(opts);
    }
    let started = Instant::now();
    let suffix = uuid_suffix();
    println!(
        "runsheet loadtest: {} couriers, {} replica(s) x pool {}, window {} s, think {} ms, {} worker threads",
        opts.couriers, opts.replicas, opts.pool, opts.duration_s, opts.think_ms, opts.workers
    );

    // Baseline first, on the idle cluster.
    let pgbench = match &opts.pgbench {
        Some(path) => {
            let name = format!("rs_pgbench_{suffix}");
            let url = runsheet_server::db::create_database(&opts.postgres, &name)
                .map_err(|e| format!("cannot create the pgbench database: {e}"))?;
            let tps = run_pgbench(path, &url, opts.pgbench_s)?;
            println!(
                "baseline: pgbench -c 8 -j 2 -T {} -N (scale 10) on the same cluster: tps = {tps:.0}",
                opts.pgbench_s
            );
            Some(tps)
        }
        None => {
            println!("baseline: pgbench skipped (no --pgbench)");
            None
        }
    };

    let name = format!("rs_loadtest_{suffix}");
    let db_url = runsheet_server::db::create_database(&opts.postgres, &name)
        .map_err(|e| format!("cannot create the load test database: {e}"))?;
    let db = DbConfig::Postgres {
        url: db_url.clone(),
        pool: PoolLimits {
            max_connections: opts.pool,
            ..PoolLimits::default()
        },
    };
    let servers = (0..opts.replicas)
        .map(|_| start_server(db.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let urls: Vec<String> = servers.iter().map(RunningServer::url).collect();
    let pg = workload(
        opts,
        &format!("PostgreSQL, {} replica(s)", opts.replicas),
        &urls,
        ADMIN,
        (in_process_servers(), postmaster(&db_url)),
        Some(&db_url),
        |ids| pg_counts(&db_url, ids),
    )?;
    drop(servers);

    let sqlite = if opts.sqlite_baseline {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let path = dir.path().join("server.db");
        let server = start_server(DbConfig::Sqlite(path.clone()))?;
        let out = workload(
            opts,
            "SQLite, 1 server",
            &[server.url()],
            ADMIN,
            (in_process_servers(), None),
            None,
            |ids| sqlite_counts(&path, ids),
        )?;
        drop(server);
        Some(out)
    } else {
        None
    };

    print_outcome(&pg);
    let rate = pg.rate();
    if let Some(tps) = pgbench {
        println!(
            "  saturation ratio mutations/s / pgbench tps (same run): {:.3} ({rate:.0} / {tps:.0})",
            rate / tps
        );
    }
    if let Some(s) = &sqlite {
        print_outcome(s);
        println!(
            "  ratio PostgreSQL mutations/s / SQLite mutations/s: {:.2}",
            rate / s.rate().max(1e-9)
        );
    }
    let push_p99 = pct_ms(&sorted(&pg.stats.push_us), 0.99);
    let mut all_notify = pg.stats.notify_cross_us.clone();
    all_notify.extend(&pg.stats.notify_same_us);
    all_notify.sort_unstable();
    let notify_p99 = pct_ms(&all_notify, 0.99);
    let met = |b: bool| if b { "met" } else { "MISSED" };
    println!("targets:");
    println!(
        "  couriers >= {COURIERS_TARGET}: {} ({})",
        met(pg.couriers >= COURIERS_TARGET),
        pg.couriers
    );
    println!(
        "  push p99 < {PUSH_P99_TARGET_MS:.0} ms: {} ({push_p99:.1} ms)",
        met(push_p99 < PUSH_P99_TARGET_MS)
    );
    println!(
        "  notification p99 < {NOTIFY_P99_TARGET_MS:.0} ms: {} ({notify_p99:.1} ms)",
        met(notify_p99 < NOTIFY_P99_TARGET_MS)
    );
    let cross_share = pg.stats.notify_cross_us.len() as f64 / all_notify.len().max(1) as f64;
    println!(
        "  long-poll on the replica that did not commit for >= half the samples: {} ({:.0}%)",
        met(cross_share >= 0.5 || opts.replicas == 1),
        cross_share * 100.0
    );
    let ok = pg.lost == 0
        && pg.duplicated == 0
        && pg.pending_left == 0
        && pg.mismatched_couriers == 0
        && sqlite
            .as_ref()
            .is_none_or(|s| s.lost == 0 && s.duplicated == 0 && s.pending_left == 0);
    println!(
        "total run time {:.0} s; {}",
        started.elapsed().as_secs_f64(),
        if ok {
            "exactly-once check passed"
        } else {
            "EXACTLY-ONCE CHECK FAILED"
        }
    );
    if opts.json {
        let mut j = outcome_json(&pg);
        j["pgbench_tps"] = serde_json::json!(pgbench);
        j["ratio_to_pgbench"] = serde_json::json!(pgbench.map(|t| rate / t));
        j["targets"] = serde_json::json!({
            "couriers_2000": pg.couriers >= COURIERS_TARGET,
            "push_p99_lt_250ms": push_p99 < PUSH_P99_TARGET_MS,
            "notification_p99_lt_1s": notify_p99 < NOTIFY_P99_TARGET_MS,
            "cross_replica_share": cross_share,
        });
        j["replicas"] = serde_json::json!(opts.replicas);
        j["pool_per_replica"] = serde_json::json!(opts.pool);
        j["think_ms"] = serde_json::json!(opts.think_ms);
        j["workers"] = serde_json::json!(opts.workers);
        if let Some(s) = &sqlite {
            j["sqlite_baseline"] = outcome_json(s);
        }
        j["ok"] = serde_json::json!(ok);
        println!("{j}");
    }
    Ok(ok)
}

/// `--phones-only`: the simulated phones against servers already running; the servers' and
/// PostgreSQL's CPU are measured when they run on this machine (`--server-pid`; the postmaster
/// is found from a backend of `--postgres`).
fn run_phones_only(opts: &Options) -> Result<bool, String> {
    let admin = opts
        .admin_token
        .clone()
        .ok_or("--phones-only needs --admin-token (or RUNSHEET_ADMIN_TOKEN)")?;
    let started = Instant::now();
    println!(
        "runsheet loadtest --phones-only: {} couriers against {} running server(s), window {} s, think {} ms, {} worker threads",
        opts.couriers,
        opts.server.len(),
        opts.duration_s,
        opts.think_ms,
        opts.workers
    );
    if opts.pgbench.is_some() {
        println!("baseline: pgbench is not run with --phones-only (run it on the database's host)");
    }
    let servers = if opts.server_pid.is_empty() {
        cpu::Servers::Elsewhere
    } else {
        cpu::Servers::Processes(opts.server_pid.clone())
    };
    let urls: Vec<String> = opts
        .server
        .iter()
        .map(|u| u.trim_end_matches('/').to_owned())
        .collect();
    let out = workload(
        opts,
        &format!("PostgreSQL, {} running server(s)", urls.len()),
        &urls,
        &admin,
        (servers, postmaster(&opts.postgres)),
        Some(&opts.postgres),
        |ids| pg_counts(&opts.postgres, ids),
    )?;
    print_outcome(&out);
    let ok = out.lost == 0
        && out.duplicated == 0
        && out.pending_left == 0
        && out.mismatched_couriers == 0;
    println!(
        "total run time {:.0} s; {}",
        started.elapsed().as_secs_f64(),
        if ok {
            "exactly-once check passed"
        } else {
            "EXACTLY-ONCE CHECK FAILED"
        }
    );
    if opts.json {
        let mut j = outcome_json(&out);
        j["phones_only"] = serde_json::json!(true);
        j["think_ms"] = serde_json::json!(opts.think_ms);
        j["ok"] = serde_json::json!(ok);
        println!("{j}");
    }
    Ok(ok)
}

/// The threads of replicas started inside the load test: their runtime's workers and blocking
/// threads (which run the store's statements), and the change listener.
fn in_process_servers() -> cpu::Servers {
    cpu::Servers::Threads(vec!["runsheet-server", "runsheet-pg-"])
}

/// The postmaster of the cluster at `url`, when it runs on this machine.
fn postmaster(url: &str) -> Option<i32> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).ok()?;
    let backend: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .ok()?
        .try_get(0)
        .ok()?;
    cpu::postmaster_of(backend)
}

fn sorted(v: &[u64]) -> Vec<u64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

fn uuid_suffix() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| char::from(b'a' + rng.gen_range(0..26u8)))
        .collect()
}

fn start_server(db: DbConfig) -> Result<RunningServer, String> {
    runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0"
            .parse()
            .map_err(|e| format!("loopback address: {e}"))?,
        db,
        admin_token: Some(ADMIN.into()),
        clock: None,
    })
    .map_err(|e| format!("cannot start a server replica: {e}"))
}

/// `pgbench -i -s 10`, then `pgbench -c 8 -j 2 -T secs -N`; returns the tps.
fn run_pgbench(pgbench: &std::path::Path, url: &str, secs: u64) -> Result<f64, String> {
    let init = std::process::Command::new(pgbench)
        .args(["-i", "-s", "10", "-q", url])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", pgbench.display()))?;
    if !init.status.success() {
        return Err(format!(
            "pgbench -i failed: {}",
            String::from_utf8_lossy(&init.stderr).trim()
        ));
    }
    let secs = secs.max(1).to_string();
    let out = std::process::Command::new(pgbench)
        .args(["-c", "8", "-j", "2", "-T", &secs, "-N", url])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", pgbench.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "pgbench failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    text.lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix("tps = ")?;
            rest.split_whitespace().next()?.parse::<f64>().ok()
        })
        .ok_or_else(|| format!("no `tps = ` line in pgbench's output:\n{text}"))
}

/// The server's mutation counts per client id, read from PostgreSQL directly.
fn pg_counts(url: &str, window: Window) -> Result<ServerCounts, String> {
    let mut client = postgres::Client::connect(url, postgres::NoTls)
        .map_err(|e| format!("cannot connect to the load test database: {e}"))?;
    let rows = client
        .query(
            "SELECT client_id, count(*), min(mutation_id)::BIGINT, max(mutation_id)::BIGINT \
             FROM mutations GROUP BY client_id",
            &[],
        )
        .map_err(|e| format!("mutation count query: {e}"))?;
    let mut out = HashMap::new();
    for r in rows {
        let id: String = r.try_get(0).map_err(|e| e.to_string())?;
        let n: i64 = r.try_get(1).map_err(|e| e.to_string())?;
        let min: i64 = r.try_get(2).map_err(|e| e.to_string())?;
        let max: i64 = r.try_get(3).map_err(|e| e.to_string())?;
        out.insert(id, (n, min, max));
    }
    let in_window: i64 = client
        .query_one(
            "SELECT count(*) FROM mutations WHERE outcome = 'applied' \
             AND received_at >= $1 AND received_at < $2",
            &[&window.0, &window.1],
        )
        .and_then(|r| r.try_get(0))
        .map_err(|e| format!("window count query: {e}"))?;
    Ok(ServerCounts {
        per_client: out,
        applied_in_window: in_window,
    })
}

/// The same counts from the SQLite baseline's server file.
fn sqlite_counts(path: &std::path::Path, window: Window) -> Result<ServerCounts, String> {
    let c = rusqlite::Connection::open(path).map_err(|e| format!("server db: {e}"))?;
    let mut st = c
        .prepare(
            "SELECT client_id, count(*), min(mutation_id), max(mutation_id) \
             FROM mutations GROUP BY client_id",
        )
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ),
            ))
        })
        .map_err(|e| e.to_string())?;
    let per_client = rows
        .collect::<Result<HashMap<_, _>, _>>()
        .map_err(|e| e.to_string())?;
    let applied_in_window = c
        .query_row(
            "SELECT count(*) FROM mutations WHERE outcome = 'applied' \
             AND received_at >= ?1 AND received_at < ?2",
            [window.0, window.1],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    Ok(ServerCounts {
        per_client,
        applied_in_window,
    })
}

/// Sets up the couriers, runs the measured window, drains the outboxes and checks exactly-once.
fn workload(
    opts: &Options,
    label: &str,
    urls: &[String],
    admin: &str,
    measured: (cpu::Servers, Option<i32>),
    statements_of: Option<&str>,
    counts: impl FnOnce(Window) -> Result<ServerCounts, String>,
) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(opts.workers.max(1))
        .enable_all()
        .thread_name("loadtest")
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    println!("[{label}] setting up {} couriers...", opts.couriers);
    let opened = Instant::now();
    let (couriers, setup_stats) = rt.block_on(setup(opts, urls, admin, dir.path()))?;
    let open_s = opened.elapsed().as_secs_f64();
    println!(
        "[{label}] {} couriers created, cores opened, shifts started in {open_s:.1} s; measuring {} s...",
        couriers.len(),
        opts.duration_s
    );
    let couriers: Arc<Vec<Courier>> = Arc::new(couriers);
    let dispatchers: Arc<Vec<Dispatcher>> =
        Arc::new(urls.iter().map(|u| Dispatcher::new(u, admin)).collect());
    let window = Duration::from_secs(opts.duration_s);
    // PostgreSQL's per-statement figures start with the window too.
    let statements_kept = statements_of.is_some_and(statements::reset);
    // CPU is measured over the window exactly (the couriers' last think times run past it).
    let meter = cpu::Meter::start(measured.0, measured.1);
    let metered = std::thread::spawn(move || {
        std::thread::sleep(window);
        let load = cpu::load_average();
        (meter.stop(), load)
    });
    let (mut stats, unix_start) = rt.block_on(async {
        let start = Instant::now();
        let deadline = start + window;
        // Whole seconds, as the server stamps `received_at`: the window starts at the next one.
        let unix_start = chrono::Utc::now().timestamp() + 1;
        let mut set = tokio::task::JoinSet::new();
        for i in 0..couriers.len() {
            let (couriers, dispatchers) = (couriers.clone(), dispatchers.clone());
            let seed = opts.seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
            let mean = Duration::from_millis(opts.think_ms);
            set.spawn(async move {
                courier_loop(&couriers[i], i, &dispatchers, deadline, mean, seed).await
            });
        }
        let mut total = Stats::default();
        while let Some(r) = set.join_next().await {
            match r {
                Ok(s) => total.merge(s),
                Err(e) => eprintln!("a courier task failed: {e}"),
            }
        }
        (total, unix_start)
    });
    let (cpu, load_average) = metered
        .join()
        .map_err(|_| "the CPU meter panicked".to_owned())?;
    let statements = match statements_of {
        Some(url) if statements_kept => Some(statements::top(url, TOP_STATEMENTS)),
        _ => None,
    };
    let window_s = window.as_secs_f64();
    let unix_window = (unix_start, unix_start + window.as_secs() as i64 - 1);
    println!(
        "[{label}] window over after {:.1} s; draining outboxes...",
        window_s
    );
    // Drain: every courier syncs until its outbox is empty (a few tries).
    let pending = rt.block_on(drain(&couriers, &mut stats));
    stats.merge(setup_stats);
    let ids: Vec<String> = couriers.iter().map(|c| c.client_id.clone()).collect();
    let server = counts(unix_window)?;
    let server_in_window = server.applied_in_window;
    let server = server.per_client;
    let mut lost = 0u64;
    let mut duplicated = 0u64;
    let mut mismatched = 0u64;
    let mut server_rows = 0i64;
    for (c, &queued) in couriers.iter().zip(pending.queued.iter()) {
        let (n, min, max) = server.get(&c.client_id).copied().unwrap_or((0, 0, 0));
        server_rows += n;
        let n = n.max(0) as u64;
        lost += queued.saturating_sub(n);
        duplicated += n.saturating_sub(queued);
        if n > 0 && (min != 1 || max as u64 != n) || (n == 0 && queued > 0) {
            mismatched += 1;
        }
    }
    let known: std::collections::HashSet<&String> = ids.iter().collect();
    for (id, (n, _, _)) in &server {
        if !known.contains(id) {
            duplicated += n.max(&0).unsigned_abs();
            server_rows += n;
        }
    }
    // Close the cores before their folder goes.
    drop(couriers);
    drop(rt);
    drop(dir);
    Ok(Outcome {
        label: label.to_owned(),
        couriers: opts.couriers,
        open_s,
        window_s,
        stats,
        lost,
        duplicated,
        pending_left: pending.left,
        mismatched_couriers: mismatched,
        server_rows,
        server_in_window,
        server_window_s: (unix_window.1 - unix_window.0).max(1) as f64,
        cpu,
        load_average,
        statements,
    })
}

/// What the drain found: per courier, the mutations its core queued (its last mutation id,
/// ids being 1..n), and the actions still pending in all outboxes.
struct Drained {
    queued: Vec<u64>,
    left: u64,
}

async fn drain(couriers: &Arc<Vec<Courier>>, stats: &mut Stats) -> Drained {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..couriers.len() {
        let couriers = couriers.clone();
        set.spawn(async move {
            let c = &couriers[i];
            let mut applied = 0;
            let mut pending = u64::MAX;
            for attempt in 0..10u64 {
                if let Ok(r) = c.core.sync().await {
                    applied += r.pushed;
                }
                pending = c.core.sync_status().map(|s| s.pending).unwrap_or(u64::MAX);
                if pending == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
            }
            (i, applied, pending)
        });
    }
    let mut pending_by = vec![0u64; couriers.len()];
    while let Some(r) = set.join_next().await {
        if let Ok((i, applied, pending)) = r {
            stats.applied += applied;
            pending_by[i] = pending;
        }
    }
    let queued = couriers
        .iter()
        .map(|c| c.queued.load(Ordering::Relaxed))
        .collect();
    Drained {
        queued,
        left: pending_by.iter().map(|p| p.min(&1_000_000)).sum(),
    }
}

async fn setup(
    opts: &Options,
    urls: &[String],
    admin: &str,
    dir: &std::path::Path,
) -> Result<(Vec<Courier>, Stats), String> {
    let dispatchers: Vec<Dispatcher> = urls.iter().map(|u| Dispatcher::new(u, admin)).collect();
    // Courier ids of their own per run: servers that outlive a run (`--phones-only`) keep the
    // couriers of the previous ones.
    let run = uuid_suffix();
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..opts.couriers {
        let replica = i % urls.len();
        let d = dispatchers[replica].clone();
        let url = urls[replica].clone();
        let path = dir.join(format!("courier-{i:05}.db"));
        let sem = sem.clone();
        let run = run.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await.map_err(|e| e.to_string())?;
            let id = format!("lt{run}{i:05}");
            let token = d
                .create_courier(&id, "Load Test Courier")
                .await
                .map_err(|e| format!("create courier: {e}"))?;
            let core = tokio::task::spawn_blocking(move || {
                Runsheet::open(Config {
                    db_path: path,
                    db_key: None,
                    server_url: url,
                    token: Token::new(token),
                    clock: Arc::new(SystemClock),
                })
            })
            .await
            .map_err(|e| format!("open core: {e}"))?
            .map_err(|e| format!("open core: {e}"))?;
            let mut stats = Stats::default();
            let client_id = core.client_id().map_err(|e| format!("client id: {e}"))?;
            match core.start_shift() {
                Ok(id) => stats.queued(id),
                Err(e) => stats.refused(&e),
            }
            let r = core.sync().await.map_err(|e| format!("first sync: {e}"))?;
            stats.applied += r.pushed;
            let c = Courier {
                id,
                client_id,
                core: Arc::new(core),
                replica,
                queued: AtomicU64::new(stats.queued),
            };
            Ok::<_, String>((i, c, stats))
        });
    }
    let mut out: Vec<Option<Courier>> = (0..opts.couriers).map(|_| None).collect();
    let mut total = Stats::default();
    while let Some(r) = set.join_next().await {
        let (i, c, s) = r.map_err(|e| format!("setup task: {e}"))??;
        out[i] = Some(c);
        total.merge(s);
    }
    Ok((out.into_iter().flatten().collect(), total))
}

/// Opens a long-poll and returns when it says there is something new (the instant), or fails.
async fn long_poll(core: Arc<Runsheet>) -> Result<Instant, String> {
    loop {
        match core.wait_for_changes(Duration::from_secs(25)).await {
            Ok(true) => return Ok(Instant::now()),
            Ok(false) => continue,
            Err(e) => return Err(kind(&e)),
        }
    }
}

enum Step {
    Accept,
    Arrive,
    PickUp,
    Deliver,
}

async fn courier_loop(
    c: &Courier,
    i: usize,
    dispatchers: &[Dispatcher],
    deadline: Instant,
    mean: Duration,
    seed: u64,
) -> Stats {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut s = Stats::default();
    // Spread the couriers' starts over one round, or 10 s if a round is longer (the window
    // then measures the steady state rather than the ramp).
    let spread = (mean * 6).min(Duration::from_secs(10));
    tokio::time::sleep(Duration::from_micros(rng.gen_range(0..=micros(spread)))).await;
    let n = dispatchers.len();
    let mut k: usize = 0;
    'rounds: while Instant::now() < deadline {
        // The app keeps a long-poll open while the courier waits for work.
        let poll = tokio::spawn(long_poll(c.core.clone()));
        // The dispatcher decides (and the long-poll reaches its replica meanwhile).
        tokio::time::sleep(think(&mut rng, mean / 2)).await;
        // Three samples in four: the dispatcher talks to a replica other than the courier's.
        let cross = n > 1 && (i + k) % 4 != 3;
        let dr = if cross {
            (c.replica + 1 + (k % (n - 1))) % n
        } else {
            c.replica
        };
        let task_id = format!("{}-{k}", c.id);
        k += 1;
        let t0 = Instant::now();
        let assigned = dispatchers[dr]
            .assign_task(
                &task_id,
                &c.id,
                TaskKind::Food,
                Some(stop_doc("Load Test Kitchen", 30.27, 120.15)),
                stop_doc("Load Test Customer", 30.28, 120.16),
            )
            .await;
        s.dispatch_us.push(micros(t0.elapsed()));
        if assigned.is_err() {
            s.dispatch_failures += 1;
            poll.abort();
            continue;
        }
        match tokio::time::timeout(Duration::from_secs(10), poll).await {
            Ok(Ok(Ok(at))) if at >= t0 => {
                let d = micros(at - t0);
                if cross {
                    s.notify_cross_us.push(d);
                } else {
                    s.notify_same_us.push(d);
                }
            }
            Ok(Ok(Ok(_))) => s.early_wakes += 1,
            _ => s.poll_failures += 1,
        }
        // The app syncs the new task in: the long-poll's page is its first page (no request
        // when nothing is queued; a page with more behind it is followed by pulls).
        let t = Instant::now();
        match c.core.sync().await {
            Ok(r) => {
                s.pull_us.push(micros(t.elapsed()));
                s.count(&r, deadline);
            }
            Err(e) => s.sync_failed(&e),
        }
        for step in [
            Step::Accept,
            Step::Arrive,
            Step::PickUp,
            Step::Arrive,
            Step::Deliver,
        ] {
            tokio::time::sleep(think(&mut rng, mean)).await;
            if Instant::now() >= deadline {
                break 'rounds;
            }
            let r = match step {
                Step::Accept => c.core.accept(&task_id),
                Step::Arrive => c.core.arrive_manually(&task_id, "load test: at the stop"),
                Step::PickUp => c.core.pick_up(&task_id),
                Step::Deliver => c.core.mark_delivered(&task_id),
            };
            match r {
                Ok(id) => {
                    s.queued(id);
                    c.queued.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    s.refused(&e);
                    continue 'rounds;
                }
            }
            let t = Instant::now();
            match c.core.sync().await {
                Ok(r) => {
                    s.push_us.push(micros(t.elapsed()));
                    s.count(&r, deadline);
                }
                Err(e) => s.sync_failed(&e),
            }
        }
        s.rounds += 1;
    }
    s
}

impl Stats {
    fn count(&mut self, r: &runsheet_core::SyncReport, deadline: Instant) {
        self.applied += r.pushed;
        self.rejected += r.rejected;
        if Instant::now() <= deadline {
            self.applied_in_window += r.pushed;
        }
    }

    fn sync_failed(&mut self, e: &runsheet_core::Error) {
        self.sync_failures += 1;
        *self.sync_errors.entry(kind(e)).or_default() += 1;
    }
}

fn print_outcome(o: &Outcome) {
    let s = &o.stats;
    let push = sorted(&s.push_us);
    let pull = sorted(&s.pull_us);
    let cross = sorted(&s.notify_cross_us);
    let same = sorted(&s.notify_same_us);
    let mut all = cross.clone();
    all.extend(&same);
    all.sort_unstable();
    let disp = sorted(&s.dispatch_us);
    println!("== {} ==", o.label);
    println!(
        "  couriers {} (set-up: create, open core, start shift: {:.1} s); window {:.1} s; rounds completed {}",
        o.couriers, o.open_s, o.window_s, s.rounds
    );
    println!(
        "  mutations/s {:.0} ({} applied by the server in {:.0} s of the window, its received_at; \
         {} acknowledged to cores in syncs that succeeded within it)",
        o.rate(),
        o.server_in_window,
        o.server_window_s,
        s.applied_in_window,
    );
    println!(
        "  total mutations {} queued by the cores, {} recorded by the server ({} acknowledged in \
         syncs that succeeded, {} rejected by the server)",
        s.queued, o.server_rows, s.applied, s.rejected
    );
    println!(
        "  push latency (core sync() with one queued action: push + pull) {}",
        spread(&push)
    );
    println!(
        "  pull latency (core sync() after a notification: pull only) {}",
        spread(&pull)
    );
    println!(
        "  notification delay (dispatch call start -> long-poll returns) {}",
        spread(&all)
    );
    println!(
        "    long-poll on the other replica: {}; same replica: {}",
        spread(&cross),
        spread(&same)
    );
    println!(
        "  dispatch call (POST /v1/dispatch/tasks) {}",
        spread(&disp)
    );
    let mut refusals: Vec<_> = s.refusals.iter().collect();
    refusals.sort();
    let mut errors: Vec<_> = s.sync_errors.iter().collect();
    errors.sort();
    println!(
        "  local refusals {} {:?}; sync failures {} {:?}; dispatch failures {}; long-poll failures {}; early wake-ups {}",
        s.refusals.values().sum::<u64>(),
        refusals,
        s.sync_failures,
        errors,
        s.dispatch_failures,
        s.poll_failures,
        s.early_wakes
    );
    println!(
        "  lost {}, duplicated {} (server rows {}, still pending on phones {}, couriers whose server ids are not 1..n {})",
        o.lost, o.duplicated, o.server_rows, o.pending_left, o.mismatched_couriers
    );
    let ms = |v: Option<f64>| v.map_or("not measured".to_owned(), |v| format!("{v:.2} ms"));
    let secs = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1} s"));
    println!(
        "  CPU per synced mutation: replicas {}, PostgreSQL {} (CPU over the {:.0} s window: replicas {}, PostgreSQL {}, this process {:.1} s; load average {})",
        ms(o.per_mutation_ms(o.cpu.servers_s)),
        ms(o.per_mutation_ms(o.cpu.postgres_s)),
        o.cpu.wall_s,
        secs(o.cpu.servers_s),
        secs(o.cpu.postgres_s),
        o.cpu.this_process_s,
        o.load_average.as_deref().unwrap_or("-"),
    );
    print_statements(o);
}

/// How many of PostgreSQL's statements the load test lists.
const TOP_STATEMENTS: i64 = 8;

/// PostgreSQL's costliest statements over the window, per synced mutation.
fn print_statements(o: &Outcome) {
    let Some(list) = &o.statements else {
        if o.label.starts_with("PostgreSQL") {
            println!("  PostgreSQL's statements: not measured (pg_stat_statements is not loaded)");
        }
        return;
    };
    let synced = (o.rate() * o.cpu.wall_s).max(1.0);
    println!(
        "  PostgreSQL's statements by execution time over the window (pg_stat_statements; ms and calls per synced mutation; * ran inside a function):"
    );
    for st in list {
        println!(
            "    {:>6.3} ms {:>5.2} calls {}{}",
            st.total_ms / synced,
            st.calls as f64 / synced,
            if st.top_level { " " } else { "*" },
            st.text
        );
    }
}

fn outcome_json(o: &Outcome) -> serde_json::Value {
    let s = &o.stats;
    let push = sorted(&s.push_us);
    let pull = sorted(&s.pull_us);
    let cross = sorted(&s.notify_cross_us);
    let same = sorted(&s.notify_same_us);
    let mut all = cross.clone();
    all.extend(&same);
    all.sort_unstable();
    let ms = |v: f64| if v.is_finite() { Some(v) } else { None };
    serde_json::json!({
        "label": o.label,
        "couriers": o.couriers,
        "setup_s": o.open_s,
        "window_s": o.window_s,
        "mutations_per_s": o.rate(),
        "mutations_applied_in_window": o.server_in_window,
        "mutations_acknowledged_in_window": s.applied_in_window,
        "mutations_queued": s.queued,
        "mutations_applied": s.applied,
        "mutations_rejected": s.rejected,
        "push_ms": {"p50": ms(pct_ms(&push, 0.5)), "p99": ms(pct_ms(&push, 0.99)), "samples": push.len(), "measured": "core sync() with one queued action"},
        "pull_ms": {"p50": ms(pct_ms(&pull, 0.5)), "p99": ms(pct_ms(&pull, 0.99)), "samples": pull.len(), "measured": "core sync() after a notification"},
        "notification_ms": {"p50": ms(pct_ms(&all, 0.5)), "p99": ms(pct_ms(&all, 0.99)), "samples": all.len(),
            "other_replica": {"p50": ms(pct_ms(&cross, 0.5)), "p99": ms(pct_ms(&cross, 0.99)), "samples": cross.len()},
            "same_replica": {"p50": ms(pct_ms(&same, 0.5)), "p99": ms(pct_ms(&same, 0.99)), "samples": same.len()}},
        "local_refusals": s.refusals.values().sum::<u64>(),
        "sync_failures": s.sync_failures,
        "dispatch_failures": s.dispatch_failures,
        "long_poll_failures": s.poll_failures,
        "early_wakes": s.early_wakes,
        "rounds": s.rounds,
        "lost": o.lost,
        "duplicated": o.duplicated,
        "pending_left": o.pending_left,
        "couriers_with_id_gaps": o.mismatched_couriers,
        "server_rows": o.server_rows,
        "cpu": {
            "window_s": o.cpu.wall_s,
            "replicas_s": o.cpu.servers_s,
            "postgres_s": o.cpu.postgres_s,
            "this_process_s": o.cpu.this_process_s,
            "replicas_ms_per_mutation": o.per_mutation_ms(o.cpu.servers_s),
            "postgres_ms_per_mutation": o.per_mutation_ms(o.cpu.postgres_s),
            "load_average": o.load_average,
        },
    })
}
