//! `runsheet`: the courier core's command line.
//!
//! - `runsheet demo`: a courier shift against an embedded reference server, narrated.
//! - `runsheet serve`: the reference dispatch and sync server.
//! - `runsheet qa run PATH...`: QA scenario files against the real core and server.

mod demo;
mod loadtest;
mod qa;
mod route;
mod scan;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "runsheet",
    version,
    about = "Runsheet courier core: demo and reference server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a narrated courier shift against an embedded server on loopback (no set-up).
    Demo,
    /// Headless QA: run scenario files against the real core and server on loopback.
    Qa {
        #[command(subcommand)]
        command: QaCommand,
    },
    /// Coordinates: convert between WGS-84, GCJ-02 and BD-09.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Barcodes: what the core reads in a scan.
    Scan {
        #[command(subcommand)]
        command: ScanCommand,
    },
    /// Stop sequencing on runsheet-route-v1 instances.
    Route {
        #[command(subcommand)]
        command: RouteCommand,
    },
    /// Benchmark: N couriers, each with its own core, against server replicas sharing one
    /// PostgreSQL; prints throughput, latencies, notification delay and a pgbench baseline.
    Loadtest(loadtest::Options),
    /// Run the reference dispatch and sync server (one replica). Every flag can also be set
    /// by its environment variable.
    Serve {
        /// Address to listen on; port 0 picks a free port (the chosen one is printed).
        #[arg(long, env = "RUNSHEET_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The store: a SQLite file (created if missing), or `postgres://user@host:port/db`
        /// shared by several replicas.
        #[arg(long, env = "RUNSHEET_DB", hide_env_values = true)]
        db: String,
        /// Token that unlocks the dispatch API; without it the dispatch API is off.
        #[arg(long, env = "RUNSHEET_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Most PostgreSQL connections this replica opens.
        #[arg(long, env = "RUNSHEET_DB_POOL", default_value_t = 16)]
        db_pool: u32,
        /// How long a request waits for a free PostgreSQL connection before a 503, ms.
        #[arg(long, env = "RUNSHEET_DB_POOL_TIMEOUT_MS", default_value_t = 5000)]
        db_pool_timeout_ms: u64,
        /// After SIGTERM or Ctrl-C, how long requests in flight may take to finish, seconds.
        #[arg(long, env = "RUNSHEET_SHUTDOWN_GRACE_S", default_value_t = 30)]
        shutdown_grace_s: u64,
    },
}

#[derive(Subcommand)]
enum GeoCommand {
    /// Print {"lat":..,"lon":..} of a point converted from one datum to another.
    Convert {
        /// wgs84, gcj02 or bd09.
        #[arg(long)]
        from: String,
        /// wgs84, gcj02 or bd09.
        #[arg(long)]
        to: String,
        /// Latitude, degrees.
        #[arg(allow_hyphen_values = true)]
        lat: f64,
        /// Longitude, degrees.
        #[arg(allow_hyphen_values = true)]
        lon: f64,
    },
}

#[derive(Subcommand)]
enum ScanCommand {
    /// Print one JSON object: {"ok":true,"kind":..,"gtin":..,"expiry":..,"expired":..} with the
    /// fields present, or {"ok":false,"code":..,"message":..}. Exit 0 when it parsed, 1 when not.
    Parse {
        /// The date expiry is judged against (and the century window of two-digit years):
        /// YYYY-MM-DD; default: today.
        #[arg(long)]
        today: Option<String>,
        /// The scanner's text (GS1 element strings may hold GS, ASCII 29, as FNC1).
        #[arg(allow_hyphen_values = true)]
        raw: String,
    },
}

#[derive(Subcommand)]
enum RouteCommand {
    /// Print the best visiting order found for an instance, as {"instance", "sequence"}.
    Plan {
        /// A runsheet-route-v1 instance (JSON).
        instance: PathBuf,
    },
    /// Solve every instance of a folder and compare with its reference.json.
    Bench {
        /// Folder of instances (e.g. ../shared/bench/route/public).
        dir: PathBuf,
        /// Also write each solution to this folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum QaCommand {
    /// Run scenario files or folders of them (*.toml); see docs/scenarios.md.
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Use this seed for every scenario instead of each file's own.
        #[arg(long)]
        seed: Option<u64>,
        /// How many scenarios run at once.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Run each scenario's server on a fresh database of this PostgreSQL server (a role that
        /// may create databases) instead of a SQLite file.
        #[arg(long, env = "RUNSHEET_QA_POSTGRES", hide_env_values = true)]
        postgres: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo and QA runs provoke failures on purpose; their output says what matters, so the
    // core's own warnings stay out of it unless RUST_LOG asks for them.
    let default_level = match cli.command {
        Command::Qa { .. } | Command::Demo => "error",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .init();
    match cli.command {
        Command::Demo => demo::run(),
        Command::Loadtest(opts) => loadtest::run(opts),
        Command::Geo {
            command: GeoCommand::Convert { from, to, lat, lon },
        } => geo_convert(&from, &to, lat, lon),
        Command::Scan {
            command: ScanCommand::Parse { today, raw },
        } => scan::parse(today.as_deref(), &raw),
        Command::Route {
            command: RouteCommand::Plan { instance },
        } => route::plan_file(&instance),
        Command::Route {
            command: RouteCommand::Bench { dir, out },
        } => route::bench(&dir, out.as_ref()),
        Command::Qa {
            command:
                QaCommand::Run {
                    paths,
                    junit,
                    seed,
                    jobs,
                    postgres,
                },
        } => qa::run(qa::QaRun {
            paths,
            junit,
            seed,
            jobs,
            store: match postgres {
                Some(admin_url) => runsheet_tests::Store::Postgres { admin_url },
                None => runsheet_tests::Store::Sqlite,
            },
        }),
        Command::Serve {
            addr,
            db,
            admin_token,
            db_pool,
            db_pool_timeout_ms,
            shutdown_grace_s,
        } => {
            let mut db = runsheet_server::DbConfig::parse(&db);
            if let runsheet_server::DbConfig::Postgres { pool, .. } = &mut db {
                pool.max_connections = db_pool;
                pool.acquire_timeout = std::time::Duration::from_millis(db_pool_timeout_ms);
            }
            serve(
                addr,
                db,
                admin_token,
                std::time::Duration::from_secs(shutdown_grace_s),
            )
        }
    }
}

fn geo_convert(from: &str, to: &str, lat: f64, lon: f64) -> ExitCode {
    use runsheet_route::datum::{convert, Datum};
    let (Some(f), Some(t)) = (Datum::parse(from), Datum::parse(to)) else {
        eprintln!("runsheet geo convert: datums are wgs84, gcj02 or bd09");
        return ExitCode::from(2);
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        eprintln!("runsheet geo convert: latitude must be -90..90 and longitude -180..180");
        return ExitCode::from(2);
    }
    let (la, lo) = convert(lat, lon, f, t);
    println!("{}", serde_json::json!({ "lat": la, "lon": lo }));
    ExitCode::SUCCESS
}

fn serve(
    addr: SocketAddr,
    db: runsheet_server::DbConfig,
    admin_token: Option<String>,
    grace: std::time::Duration,
) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runsheet serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        let db = tokio::task::spawn_blocking(move || runsheet_server::Db::open(&db))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let engine = db.engine_name();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        // The first stdout line is the address: scripts and tests read it.
        println!("listening on http://{bound}");
        println!("store: {engine}");
        if admin_token.is_none() {
            println!("dispatch API off (no --admin-token)");
        }
        let state = runsheet_server::AppState::new(db, admin_token);
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let server = runsheet_server::serve(listener, state, async move {
            shutdown_signal().await;
            let _ = stopping_tx.send(());
        });
        tokio::pin!(server);
        tokio::select! {
            r = &mut server => return r.map_err(|e| e.to_string()),
            _ = stopping_rx => {}
        }
        // Draining: requests in flight get `grace` to finish.
        match tokio::time::timeout(grace, server).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "requests still running after {} s; stopping anyway",
                grace.as_secs()
            )),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runsheet serve: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM (what an orchestrator sends before it kills a replica).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
