//! Runsheet's reference dispatch and sync server.
//!
//! Platforms implement protocol v1 (`docs/protocol.md`) against their own dispatch systems;
//! this server is the reference they test against, and what the demo, the QA harness and the
//! Kotlin suite run on loopback. axum over one SQLite file (WAL) or a PostgreSQL database
//! shared by replicas.
//!
//! Layers, each importing only the ones below it: the handlers (`*_api`, `ops`) parse,
//! authorise with the [`auth`] extractors, call one function of the store ([`db`], a module per
//! courier concept) inside [`Db::run`], and shape the answer; the store knows nothing of HTTP
//! and fails with [`StoreError`], which [`ApiError`] turns into an answer. [`launch`] is the
//! command line of the `runsheet-server` binary (and of `runsheet serve`). At the edge,
//! [`connections`] accepts and times out connections and [`limits`] holds the timeouts, the
//! connection cap and the rate limits (`docs/security.md`).

#![deny(missing_docs)]

pub mod attachment_api;
pub mod auth;
pub mod case_api;
pub mod cash_api;
pub mod client;
pub mod clock;
pub mod connections;
pub mod db;
pub mod device_api;
pub mod dispatch_api;
pub mod earnings_api;
pub mod error;
pub mod handover_api;
pub mod input;
pub mod launch;
pub mod limits;
pub mod location_api;
pub mod nearby_handover_api;
pub mod offer_api;
pub mod ops;
pub mod rating_api;
pub mod sync_api;
pub mod training_api;
pub mod vehicle_api;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post, put, MethodRouter};
use axum::Router;
use tokio::sync::oneshot;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

pub use client::{DispatchError, Dispatcher};
pub use clock::Clock;
pub use db::{test_postgres, Db, DbConfig, PoolLimits, Refusal, StoreError};
pub use dispatch_api::{CourierCreated, DispatchTask, MutationRecord};
pub use error::ApiError;
pub use limits::Limits;

/// Largest request body accepted, bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub use input::ApiJson;

/// Shared handler state.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// Token for the dispatch API; `None` disables it.
    pub admin_token: Option<String>,
    /// Prometheus metrics.
    pub metrics: Arc<ops::Metrics>,
    /// Draining or not.
    pub lifecycle: Arc<ops::Lifecycle>,
    /// Courier tokens verified recently.
    pub tokens: Arc<auth::TokenCache>,
    /// The clock every time the server records or answers is read from.
    pub clock: Clock,
    /// How long a courier token the dispatch API issues is accepted, seconds.
    pub token_lifetime_s: i64,
    /// Timeouts, the connection cap and the rate limits.
    pub limits: Arc<Limits>,
    /// The per-token and per-address rate limiters.
    pub rate_limits: Arc<limits::RateLimits>,
}

impl AppState {
    /// State over `db`, with fresh metrics, on the system clock.
    pub fn new(db: Db, admin_token: Option<String>) -> Self {
        AppState {
            db,
            admin_token,
            metrics: Arc::new(ops::Metrics::default()),
            lifecycle: Arc::new(ops::Lifecycle::default()),
            tokens: Arc::new(auth::TokenCache::default()),
            clock: Clock::system(),
            token_lifetime_s: DEFAULT_TOKEN_LIFETIME_S,
            limits: Arc::new(Limits::default()),
            rate_limits: Arc::new(limits::RateLimits::new(&Limits::default())),
        }
    }

    /// The same state issuing courier tokens that last `seconds`.
    pub fn with_token_lifetime(mut self, seconds: i64) -> Self {
        self.token_lifetime_s = seconds;
        self
    }

    /// The same state under `limits` (fresh rate limiters with its quotas).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.rate_limits = Arc::new(limits::RateLimits::new(&limits));
        self.limits = Arc::new(limits);
        self
    }

    /// The same state on `clock` (the QA harness's virtual time).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}

/// How to run the server.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free one.
    pub addr: SocketAddr,
    /// The store: a SQLite file, or a PostgreSQL database shared with other replicas.
    pub db: DbConfig,
    /// Token for the dispatch API; `None` disables it.
    pub admin_token: Option<String>,
    /// A virtual clock (Unix seconds) the server reads instead of the system clock: the QA
    /// harness runs a shift's hours in seconds, and the server's times must follow.
    pub clock: Option<std::sync::Arc<std::sync::atomic::AtomicI64>>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("addr", &self.addr)
            .field("db", &self.db)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened.
    #[error(transparent)]
    Db(#[from] StoreError),
    /// The address could not be bound, or the runtime not started.
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
}

/// How long a courier token lasts unless the replica is told otherwise: a 12-hour shift, 12 h.
pub const DEFAULT_TOKEN_LIFETIME_S: i64 = 12 * 3600;

/// Every route: method, path and handler. The router and [`route_table`] are both built from
/// this list, and a test checks `docs/openapi.json` against [`route_table`].
fn routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("GET", "/healthz", get(ops::healthz)),
        ("GET", "/readyz", get(ops::readyz)),
        ("GET", "/metrics", get(ops::metrics)),
        ("POST", "/v1/sync/push", post(sync_api::push)),
        ("GET", "/v1/sync/pull", get(sync_api::pull)),
        (
            "POST",
            "/v1/dispatch/couriers",
            post(dispatch_api::create_courier),
        ),
        (
            "POST",
            "/v1/dispatch/couriers/{id}/tokens",
            post(dispatch_api::issue_token),
        ),
        (
            "POST",
            "/v1/dispatch/couriers/{id}/revoke-tokens",
            post(dispatch_api::revoke_tokens),
        ),
        (
            "POST",
            "/v1/dispatch/tasks",
            post(dispatch_api::create_task),
        ),
        (
            "GET",
            "/v1/dispatch/tasks/{id}",
            get(dispatch_api::get_task),
        ),
        (
            "PATCH",
            "/v1/dispatch/tasks/{id}",
            patch(dispatch_api::update_task),
        ),
        (
            "POST",
            "/v1/dispatch/tasks/{id}/cancel",
            post(dispatch_api::cancel_task),
        ),
        (
            "GET",
            "/v1/dispatch/mutations",
            get(dispatch_api::list_mutations),
        ),
        (
            "PUT",
            "/v1/attachments/{sha256}",
            put(attachment_api::put)
                .layer(DefaultBodyLimit::max(attachment_api::MAX_ATTACHMENT_BYTES)),
        ),
        (
            "GET",
            "/v1/dispatch/attachments/{sha256}",
            get(attachment_api::get),
        ),
        ("POST", "/v1/sync/locations", post(location_api::push)),
        ("PUT", "/v1/sync/push-token", put(device_api::register)),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/devices",
            get(device_api::list),
        ),
        (
            "POST",
            "/v1/dispatch/tasks/{id}/reassign",
            post(dispatch_api::reassign_task),
        ),
        (
            "POST",
            "/v1/dispatch/tasks/{id}/handover",
            post(handover_api::assign),
        ),
        (
            "GET",
            "/v1/dispatch/after-sales",
            get(dispatch_api::after_sales),
        ),
        (
            "PUT",
            "/v1/dispatch/settings",
            put(dispatch_api::put_settings),
        ),
        (
            "GET",
            "/v1/dispatch/settings",
            get(dispatch_api::get_settings),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/locations",
            get(location_api::track),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/status",
            get(dispatch_api::courier_status),
        ),
        (
            "GET",
            "/v1/dispatch/tasks/{id}/messages",
            get(dispatch_api::task_messages),
        ),
        (
            "PUT",
            "/v1/dispatch/checklists",
            put(dispatch_api::put_checklist),
        ),
        ("POST", "/v1/dispatch/ratings", post(rating_api::create)),
        (
            "POST",
            "/v1/dispatch/ratings/{id}/decision",
            post(rating_api::decide),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/ratings",
            get(rating_api::list),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/kpis",
            get(rating_api::kpis),
        ),
        ("POST", "/v1/dispatch/cases", post(case_api::create)),
        ("GET", "/v1/dispatch/cases", get(case_api::list)),
        ("GET", "/v1/dispatch/cases/{id}", get(case_api::get)),
        (
            "POST",
            "/v1/dispatch/cases/{id}/steps",
            post(case_api::step),
        ),
        (
            "POST",
            "/v1/dispatch/recalls",
            post(case_api::create_recall),
        ),
        (
            "GET",
            "/v1/dispatch/recalls/{id}",
            get(case_api::get_recall),
        ),
        (
            "POST",
            "/v1/dispatch/recalls/{id}/lift",
            post(case_api::lift_recall),
        ),
        ("GET", "/v1/dispatch/case-figures", get(case_api::figures)),
        (
            "GET",
            "/v1/dispatch/pin-corrections",
            get(dispatch_api::pin_corrections),
        ),
        (
            "POST",
            "/v1/dispatch/pin-corrections/{id}/accept",
            post(dispatch_api::accept_pin_correction),
        ),
        (
            "POST",
            "/v1/dispatch/pin-corrections/{id}/reject",
            post(dispatch_api::reject_pin_correction),
        ),
        ("POST", "/v1/dispatch/offers", post(offer_api::create)),
        ("GET", "/v1/dispatch/offers", get(offer_api::list)),
        ("GET", "/v1/dispatch/offers/{id}", get(offer_api::get)),
        (
            "POST",
            "/v1/dispatch/offers/{id}/withdraw",
            post(offer_api::withdraw),
        ),
        ("GET", "/v1/dispatch/offer-figures", get(offer_api::figures)),
        (
            "PUT",
            "/v1/dispatch/couriers/{id}/vehicle",
            put(vehicle_api::put),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/vehicle",
            get(vehicle_api::get),
        ),
        ("POST", "/v1/dispatch/earnings", post(earnings_api::add)),
        (
            "POST",
            "/v1/dispatch/earnings/{id}/decision",
            post(earnings_api::decide),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/earnings",
            get(earnings_api::statement),
        ),
        ("PUT", "/v1/dispatch/training", put(training_api::publish)),
        ("GET", "/v1/dispatch/training", get(training_api::list)),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/training",
            get(training_api::record),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/review",
            get(training_api::review),
        ),
        (
            "GET",
            "/v1/dispatch/couriers/{id}/cash",
            get(cash_api::report),
        ),
        (
            "GET",
            "/v1/dispatch/tasks/{id}/locker-drop",
            get(cash_api::locker_drop),
        ),
        (
            "GET",
            "/v1/handovers/nearby",
            get(nearby_handover_api::near),
        ),
        (
            "POST",
            "/v1/handovers/{task_id}/take",
            post(nearby_handover_api::take),
        ),
    ]
}

/// The (method, path) of every route the server serves, in OpenAPI path syntax.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    routes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// The router, for tests that call it without a socket.
pub fn app(state: AppState) -> Router {
    // Routes sharing a path (GET and PATCH of a task) are merged into one method router.
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for (_, path, handler) in routes() {
        match by_path.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(handler),
            None => by_path.push((path, handler)),
        }
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(path, handler);
    }
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    router
        .route_layer(axum::middleware::from_fn(input::screen_uri))
        .route_layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            ops::track,
        ))
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // A body that pauses longer than the limit fails its read (and the request).
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.limits.body_timeout,
        ))
        // Rate limits run before routing, so before any body is read.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::throttle,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.limits.request_timeout,
            limits::deadline,
        ))
        // Outermost last: a request id is set (or kept from the caller), logged on the request's
        // span with method and path only (no query, no headers: no tokens), and echoed back.
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %req.method(),
                        path = %req.uri().path()
                    )
                },
            ),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` resolves, then drains: readiness fails, waiting
/// long-polls answer at once, no new connection is accepted, and requests in flight (a push
/// half-way through its transaction among them) finish before this returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let lifecycle = state.lifecycle.clone();
    let db = state.db.clone();
    let limits = state.limits.clone();
    // Addresses and tokens whose allowance is full again are forgotten now and then.
    let rate_limits = state.rate_limits.clone();
    let forget = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            rate_limits.forget_idle();
        }
    });
    // After-sales deadlines passed are recorded every half minute (and before every dispatch
    // answer about cases and every metrics scrape), not on the couriers' pulls: a pull stays
    // one read. A replica that loses the race finds the flags taken and records nothing.
    let sweeper = {
        let (db, clock, metrics) = (state.db.clone(), state.clock.clone(), state.metrics.clone());
        tokio::spawn(async move {
            // The first sweep half a minute after start, not at once: a replica starting (or a
            // test's server restarted over a restored database) does not write before serving.
            let half_minute = std::time::Duration::from_secs(30);
            let mut every =
                tokio::time::interval_at(tokio::time::Instant::now() + half_minute, half_minute);
            loop {
                every.tick().await;
                let now = clock.now();
                match db.run(move |tx| db::after_sales::sweep(tx, now)).await {
                    Ok(recorded) => {
                        metrics.case_breaches.inc_by(u64::from(recorded));
                    }
                    Err(e) => tracing::warn!(error = %e, "after-sales deadline sweep failed"),
                }
            }
        })
    };
    connections::serve(listener, app(state), &limits, async move {
        shutdown.await;
        tracing::info!("draining: finishing requests in flight");
        lifecycle.begin_drain();
    })
    .await;
    forget.abort();
    sweeper.abort();
    db.close();
    Ok(())
}

/// A server running on its own thread and runtime, so that [`RunningServer::kill`] can drop
/// every connection at once, as a crashed process would.
pub struct RunningServer {
    /// The bound address.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops gracefully: in-flight requests finish.
    pub fn shutdown(mut self) {
        self.stop_with(true);
    }

    /// Stops at once: open connections are cut mid-request, as if the process died.
    pub fn kill(mut self) {
        self.stop_with(false);
    }

    fn stop_with(&mut self, graceful: bool) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(graceful);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop_with(false);
    }
}

/// Opens the database, binds `config.addr` and serves on a new thread under the default
/// [`Limits`]. Returns once the socket is bound.
pub fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    start_limited(config, Limits::default())
}

/// Most threads a server's runtime starts for blocking work, for a store over `pool_connections`
/// connections: the store's statements run there, so one thread per pooled connection (and
/// as many for a standby's pool), plus a few for the handoff code's slow hash and for requests
/// giving up their wait. More would only wait for a connection, each on a thread of its own
/// (its stack faulted in when created, reaped after a quiet while: under the load test the
/// replicas created hundreds, and zeroing their pages was two fifths of their CPU); past it a
/// request waits in the runtime's queue, and still gets its 503 when the acquire timeout runs
/// out first.
pub fn blocking_threads(pool_connections: u32) -> usize {
    2 * pool_connections.max(1) as usize + 8
}

/// How long an idle blocking thread is kept (tokio's default is 10 s): long enough that a load
/// that comes and goes reuses its threads.
pub const BLOCKING_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(120);

/// [`start`] under `limits`.
pub fn start_limited(config: ServerConfig, limits: Limits) -> Result<RunningServer, ServerError> {
    // On a thread of its own: the PostgreSQL client blocks on a runtime of its own, which
    // tokio forbids on a thread that drives async tasks (the caller may be one).
    let db_config = config.db.clone();
    let db = std::thread::spawn(move || Db::open(&db_config))
        .join()
        .map_err(|_| std::io::Error::other("opening the store panicked"))??;
    let pool_connections = match &config.db {
        DbConfig::Sqlite(_) => 1,
        DbConfig::Postgres { pool, .. } => pool.max_connections,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(blocking_threads(pool_connections))
        .thread_keep_alive(BLOCKING_KEEP_ALIVE)
        .enable_all()
        .thread_name("runsheet-server")
        .build()?;
    // Bound with std so that `start` works from inside another runtime too.
    let listener = std::net::TcpListener::bind(config.addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = oneshot::channel::<bool>();
    let state = AppState::new(db, config.admin_token)
        .with_clock(Clock::new(config.clock))
        .with_limits(limits);
    let thread = std::thread::Builder::new()
        .name("runsheet-server".into())
        .spawn(move || {
            let (graceful_tx, graceful_rx) = oneshot::channel::<()>();
            rt.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot register the listener");
                        return;
                    }
                };
                let server = tokio::spawn(serve(listener, state, async move {
                    let _ = graceful_rx.await;
                }));
                let graceful = stop_rx.await.unwrap_or(false);
                if graceful {
                    let _ = graceful_tx.send(());
                    let _ = server.await;
                }
            });
            // Killed or not, the runtime's tasks are dropped (every connection cut) and its
            // blocking threads given up to 5 s, so the database is closed before `kill` returns:
            // a crashed process leaves no thread that would touch its files after the crash
            // (a late close would checkpoint and delete a write-ahead log copied in meanwhile).
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        })?;
    tracing::info!(%addr, "runsheet server listening");
    Ok(RunningServer {
        addr,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}
