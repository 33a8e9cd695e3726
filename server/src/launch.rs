//! One replica as a process: its command line (flags, each also read from an environment
//! variable) and [`run`], which serves until SIGTERM or Ctrl-C and then drains. The
//! `runsheet-server` binary and `runsheet serve` both use these, so they behave the same.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use crate::{AppState, Db, DbConfig};

/// The flags of a server replica. Every flag can also be set by its environment variable.
#[derive(Clone, clap::Args)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port (the chosen one is printed).
    #[arg(long, env = "RUNSHEET_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The store: a SQLite file (created if missing), or `postgres://user@host:port/db`
    /// shared by several replicas.
    #[arg(long, env = "RUNSHEET_DB", hide_env_values = true)]
    pub db: String,
    /// Token that unlocks the dispatch API; without it the dispatch API is off.
    #[arg(long, env = "RUNSHEET_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Most PostgreSQL connections this replica opens.
    #[arg(long, env = "RUNSHEET_DB_POOL", default_value_t = 16)]
    pub db_pool: u32,
    /// How long a request waits for a free PostgreSQL connection before a 503, ms.
    #[arg(long, env = "RUNSHEET_DB_POOL_TIMEOUT_MS", default_value_t = 5000)]
    pub db_pool_timeout_ms: u64,
    /// After SIGTERM or Ctrl-C, how long requests in flight may take to finish, seconds.
    #[arg(long, env = "RUNSHEET_SHUTDOWN_GRACE_S", default_value_t = 30)]
    pub shutdown_grace_s: u64,
    /// How long a courier token issued by the dispatch API is accepted, seconds (then the
    /// phone's token provider is asked for a fresh one).
    #[arg(long, env = "RUNSHEET_TOKEN_LIFETIME_S", default_value_t = crate::DEFAULT_TOKEN_LIFETIME_S,
          value_parser = clap::value_parser!(i64).range(60..=30 * 24 * 3600))]
    pub token_lifetime_s: i64,
}

impl Args {
    /// The store the flags name, with the pool limits applied to PostgreSQL.
    pub fn db_config(&self) -> DbConfig {
        let mut db = DbConfig::parse(&self.db);
        if let DbConfig::Postgres { pool, .. } = &mut db {
            pool.max_connections = self.db_pool;
            pool.acquire_timeout = Duration::from_millis(self.db_pool_timeout_ms);
        }
        db
    }
}

/// Opens the store, binds, prints `listening on http://ADDR` as the first line of stdout (scripts
/// and tests read it), then the store's engine, and serves until SIGTERM or Ctrl-C; then drains
/// for at most the grace period. Failures go to stderr with a non-zero exit.
pub fn run(args: Args) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runsheet server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(serve_until_signal(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runsheet server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_until_signal(args: Args) -> Result<(), String> {
    let grace = Duration::from_secs(args.shutdown_grace_s);
    let config = args.db_config();
    let addr = args.addr;
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
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
    if args.admin_token.is_none() {
        println!("dispatch API off (no --admin-token)");
    }
    let state = AppState::new(db, args.admin_token).with_token_lifetime(args.token_lifetime_s);
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let server = crate::serve(listener, state, async move {
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
