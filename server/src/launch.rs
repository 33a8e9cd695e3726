//! One replica as a process: its command line (flags, each also read from an environment
//! variable) and [`run`], which serves until SIGTERM or Ctrl-C and then drains. The
//! `runsheet-server` binary and `runsheet serve` both use these, so they behave the same.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use std::num::NonZeroU32;

use crate::{AppState, Db, DbConfig, Limits};

/// Refuses an admin token too short or too uniform to stand against guessing (the message says
/// how to make one, never the token).
pub fn check_admin_token(token: &str) -> Result<(), String> {
    let chars = token.chars().count();
    let mut distinct: Vec<char> = token.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if chars < MIN_ADMIN_TOKEN_CHARS || distinct.len() < MIN_ADMIN_TOKEN_DISTINCT {
        return Err(format!(
            "the admin token is too weak: it needs at least {MIN_ADMIN_TOKEN_CHARS} characters \
             with at least {MIN_ADMIN_TOKEN_DISTINCT} different ones (this one has {chars} \
             characters, {} different); make one with `openssl rand -hex 32`",
            distinct.len()
        ));
    }
    Ok(())
}

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
    /// Token that unlocks the dispatch API; without it the dispatch API is off. At least 32
    /// characters of some variety. Prefer the environment variable or `--admin-token-file`: a
    /// flag's value is visible to every user of the machine (`ps`).
    #[arg(long, env = "RUNSHEET_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// A file holding the dispatch API's token (its first line; surrounding white space is
    /// ignored). Not together with `--admin-token`.
    #[arg(
        long,
        env = "RUNSHEET_ADMIN_TOKEN_FILE",
        conflicts_with = "admin_token"
    )]
    pub admin_token_file: Option<std::path::PathBuf>,
    /// A read-only standby of the PostgreSQL primary (a streaming replica) that serves pulls
    /// once it has replayed the phone's last push (`postgres://…`, same database).
    #[arg(long, env = "RUNSHEET_REPLICA_URL", hide_env_values = true)]
    pub replica_url: Option<String>,
    /// Most PostgreSQL connections this replica opens.
    #[arg(long, env = "RUNSHEET_DB_POOL", default_value_t = 16)]
    pub db_pool: u32,
    /// How long a request waits for a free PostgreSQL connection before a 503, ms.
    #[arg(long, env = "RUNSHEET_DB_POOL_TIMEOUT_MS", default_value_t = 5000)]
    pub db_pool_timeout_ms: u64,
    /// After SIGTERM or Ctrl-C, how long requests in flight may take to finish, seconds.
    #[arg(long, env = "RUNSHEET_SHUTDOWN_GRACE_S", default_value_t = 30)]
    pub shutdown_grace_s: u64,
    /// Longest wait for a request's header, seconds; a kept-alive connection with no next
    /// request is closed after the same time.
    #[arg(long, env = "RUNSHEET_HEADER_TIMEOUT_S", default_value_t = 10)]
    pub header_timeout_s: u64,
    /// Longest pause while a request's body arrives, seconds.
    #[arg(long, env = "RUNSHEET_BODY_TIMEOUT_S", default_value_t = 30)]
    pub body_timeout_s: u64,
    /// Longest a request may run (a long-poll's wait included, at most 30 s), seconds; then 503.
    #[arg(long, env = "RUNSHEET_REQUEST_TIMEOUT_S", default_value_t = 60)]
    pub request_timeout_s: u64,
    /// Most connections open at once; further clients wait. Lowered at start to fit the
    /// process's file-descriptor limit (`ulimit -n`) less 64 kept for the store.
    #[arg(long, env = "RUNSHEET_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Requests per second one verified courier token may make (sustained).
    #[arg(long, env = "RUNSHEET_TOKEN_RATE", default_value_t = nz(20))]
    pub token_rate: NonZeroU32,
    /// Requests one courier token may make in a burst.
    #[arg(long, env = "RUNSHEET_TOKEN_BURST", default_value_t = nz(200))]
    pub token_burst: NonZeroU32,
    /// Failed authentications (401) per second one address may have (sustained); beyond them
    /// its requests without a verified token are answered 429.
    #[arg(long, env = "RUNSHEET_ADDRESS_RATE", default_value_t = nz(20))]
    pub address_rate: NonZeroU32,
    /// Failed authentications one address may have in a burst.
    #[arg(long, env = "RUNSHEET_ADDRESS_BURST", default_value_t = nz(100))]
    pub address_burst: NonZeroU32,
    /// How long a courier token issued by the dispatch API is accepted, seconds (then the
    /// phone's token provider is asked for a fresh one).
    #[arg(long, env = "RUNSHEET_TOKEN_LIFETIME_S", default_value_t = crate::DEFAULT_TOKEN_LIFETIME_S,
          value_parser = clap::value_parser!(i64).range(60..=30 * 24 * 3600))]
    pub token_lifetime_s: i64,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// Shortest admin token accepted, characters.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 32;
/// Fewest distinct characters an admin token must hold.
pub const MIN_ADMIN_TOKEN_DISTINCT: usize = 8;

impl Args {
    /// The limits the flags set.
    pub fn limits(&self) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(self.header_timeout_s),
            body_timeout: Duration::from_secs(self.body_timeout_s),
            request_timeout: Duration::from_secs(self.request_timeout_s),
            max_connections: self.max_connections,
            token_per_second: self.token_rate,
            token_burst: self.token_burst,
            address_per_second: self.address_rate,
            address_burst: self.address_burst,
        }
    }

    /// The dispatch API's token, from `--admin-token` (or its environment variable) or the file
    /// `--admin-token-file` names; `None` when neither is set. Refused when too weak to stand
    /// against guessing: shorter than [`MIN_ADMIN_TOKEN_CHARS`] or with fewer than
    /// [`MIN_ADMIN_TOKEN_DISTINCT`] distinct characters.
    pub fn admin_token(&self) -> Result<Option<String>, String> {
        let token = match (&self.admin_token, &self.admin_token_file) {
            (Some(_), Some(_)) => {
                return Err("give the admin token once: --admin-token or --admin-token-file".into())
            }
            (Some(t), None) => t.trim().to_owned(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the admin token file {}: {e}", path.display()))?
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned(),
            (None, None) => return Ok(None),
        };
        check_admin_token(&token)?;
        Ok(Some(token))
    }

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
        .max_blocking_threads(crate::blocking_threads(args.db_pool))
        .thread_keep_alive(crate::BLOCKING_KEEP_ALIVE)
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
    let admin_token = args.admin_token()?;
    let config = args.db_config();
    let addr = args.addr;
    let standby = args.replica_url.clone();
    let db = tokio::task::spawn_blocking(move || match standby {
        Some(url) => Db::open(&config)?.with_standby(&url),
        None => Db::open(&config),
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| {
        let sqlstate = crate::ops::sqlstate(&e);
        tracing::error!(error = %e, %sqlstate, "cannot open the store");
        format!("{e} (sqlstate {sqlstate})")
    })?;
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
    let state = AppState::new(db, admin_token)
        .with_limits(args.limits())
        .with_token_lifetime(args.token_lifetime_s);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_admin_tokens_are_refused_strong_ones_kept() {
        for weak in [
            "",
            "secret-admin",
            "0123456789abcdef0123456789abcde",      // 31 characters
            "abababababababababababababababababab", // two different
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            let refused = check_admin_token(weak).expect_err(weak);
            assert!(refused.contains("too weak"));
            assert!(
                weak.is_empty() || !refused.contains(weak),
                "the token is echoed"
            );
        }
        for strong in [
            "0123456789abcdef0123456789abcdef",
            "4f1c9a7e2b6d8053c1e9f7a2d4b6c8e04f1c9a7e2b6d8053c1e9f7a2d4b6c8e0",
            "admin-3f2b8c1e-9d47-4a6b-8e2f-1c5d7a9b3e60",
        ] {
            assert_eq!(check_admin_token(strong), Ok(()), "{strong}");
        }
    }

    #[test]
    fn the_admin_token_comes_from_a_file_or_a_flag_never_both() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("token");
        std::fs::write(&file, "  0123456789abcdef0123456789abcdef\n").expect("written");
        let parse = |extra: &[&str]| {
            let mut argv = vec!["x", "--db", "s.db"];
            argv.extend_from_slice(extra);
            Cli::try_parse_from(argv).map(|c| c.args)
        };
        let from_file =
            parse(&["--admin-token-file", file.to_str().unwrap_or("")]).expect("flags parse");
        assert_eq!(
            from_file.admin_token().as_ref().map(Option::as_deref),
            Ok(Some("0123456789abcdef0123456789abcdef"))
        );
        assert!(parse(&[
            "--admin-token",
            "x",
            "--admin-token-file",
            file.to_str().unwrap_or("")
        ])
        .is_err());
        let missing =
            parse(&["--admin-token-file", "/nonexistent/runsheet-token"]).expect("flags parse");
        assert!(missing
            .admin_token()
            .expect_err("a missing file")
            .contains("cannot read"));
        let defaults = parse(&[]).expect("flags parse");
        assert_eq!(defaults.limits(), Limits::default());
        assert_eq!(defaults.admin_token(), Ok(None));
    }
}
