//! Operations: liveness and readiness probes, Prometheus metrics, and the drain that lets a
//! replica leave a load balancer's pool without cutting a push in half.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tokio::sync::Notify;

use crate::AppState;

/// The engine's code of a store failure for the logs, as the `sqlstate` field of its line:
/// PostgreSQL's SQLSTATE (`23505`), SQLite's extended result code (`2067`), `-` when the engine
/// gave none. An operator searches the logs by it.
pub fn sqlstate(e: &crate::StoreError) -> String {
    e.engine_code().unwrap_or_else(|| "-".to_owned())
}

/// Whether the replica is shutting down; waiting pulls return at once when it starts.
#[derive(Default)]
pub struct Lifecycle {
    draining: AtomicBool,
    notify: Notify,
}

impl Lifecycle {
    /// Starts draining: readiness fails (the load balancer stops sending new requests) and
    /// waiting pulls answer now; requests in flight finish.
    pub fn begin_drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Whether draining started.
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Resolves when draining starts (at once if it has).
    pub async fn drained(&self) {
        let n = self.notify.notified();
        tokio::pin!(n);
        n.as_mut().enable();
        if self.draining() {
            return;
        }
        n.await;
    }
}

/// Labels of the per-route request metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The route's path template (`/v1/sync/push`), never the concrete path.
    pub route: String,
    /// The HTTP method.
    pub method: String,
    /// `2xx`, `4xx`, `5xx`.
    pub status: String,
}

/// Labels of per-outcome mutation counts.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `applied`, `duplicate` or `rejected`.
    pub outcome: String,
}

/// Labels of per-route latency histograms.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteOnly {
    /// The route's path template.
    pub route: String,
}

/// Labels of the offers gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OfferStatusLabels {
    /// `open`, `accepted`, `declined`, `expired` or `withdrawn`.
    pub status: String,
}

/// Labels of the offer declines gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeclineLabels {
    /// The courier's reason (`too_far`, `box_full`, ...).
    pub reason: String,
}

/// The server's Prometheus metrics.
pub struct Metrics {
    registry: Registry,
    /// Requests by route, method and status class.
    pub requests: Family<RouteLabels, Counter>,
    /// Request latency by route (a long-poll's wait included).
    pub latency: Family<RouteOnly, Histogram>,
    /// Mutations received, by outcome.
    pub mutations: Family<OutcomeLabels, Counter>,
    /// Pushes answered 2xx.
    pub pushes: Counter,
    /// Pulls answered 2xx.
    pub pulls: Counter,
    /// Pulls that waited for a change (long-polls), and those a change woke.
    pub long_polls: Counter,
    /// Long-polls a committed change woke before their timeout.
    pub long_poll_wakeups: Counter,
    /// Requests answered 429 by a rate limit.
    pub rate_limited: Counter,
    /// After-sales deadlines breached (each recorded once per case and deadline).
    pub case_breaches: Counter,
    /// Cases with a deadline breached, read at each scrape.
    pub cases_breached: Gauge,
    /// Offers made to couriers.
    pub offers_made: Counter,
    /// Offers by status, read at each scrape.
    pub offers: Family<OfferStatusLabels, Gauge>,
    /// Declined offers by reason, read at each scrape.
    pub offer_declines: Family<DeclineLabels, Gauge>,
    /// Accepted offers over decided ones, read at each scrape (NaN before any).
    pub offer_acceptance_rate: Gauge<f64, std::sync::atomic::AtomicU64>,
    pending_long_polls: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
    listening: Gauge,
    revocations_heard: Gauge,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~33 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("runsheet");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency = Family::<RouteOnly, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let mutations = Family::<OutcomeLabels, Counter>::default();
        let pushes = Counter::default();
        let pulls = Counter::default();
        let long_polls = Counter::default();
        let long_poll_wakeups = Counter::default();
        let rate_limited = Counter::default();
        let case_breaches = Counter::default();
        let cases_breached = Gauge::default();
        let offers_made = Counter::default();
        let offers = Family::<OfferStatusLabels, Gauge>::default();
        let offer_declines = Family::<DeclineLabels, Gauge>::default();
        let offer_acceptance_rate = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        let pending_long_polls = Gauge::default();
        let pool_connections = Gauge::default();
        let pool_idle = Gauge::default();
        let listening = Gauge::default();
        let revocations_heard = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status class",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route (long-poll waits included)",
            latency.clone(),
        );
        registry.register(
            "mutations",
            "Courier mutations received, by outcome (applied, duplicate, rejected)",
            mutations.clone(),
        );
        registry.register("pushes", "Pushes answered", pushes.clone());
        registry.register("pulls", "Pulls answered", pulls.clone());
        registry.register(
            "long_polls",
            "Pulls that waited for a change",
            long_polls.clone(),
        );
        registry.register(
            "long_poll_wakeups",
            "Waiting pulls a committed change woke before their timeout",
            long_poll_wakeups.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests answered 429 by a per-token or per-address rate limit",
            rate_limited.clone(),
        );
        registry.register(
            "case_breaches",
            "After-sales case deadlines breached (first response or resolution), once each",
            case_breaches.clone(),
        );
        registry.register(
            "cases_breached",
            "After-sales cases with a deadline breached",
            cases_breached.clone(),
        );
        registry.register(
            "offers_made",
            "Offers made to couriers",
            offers_made.clone(),
        );
        registry.register(
            "offers",
            "Offers by status (open, accepted, declined, expired, withdrawn)",
            offers.clone(),
        );
        registry.register(
            "offer_declines",
            "Declined offers by the courier's reason",
            offer_declines.clone(),
        );
        registry.register(
            "offer_acceptance_rate",
            "Accepted offers over those accepted, declined or expired",
            offer_acceptance_rate.clone(),
        );
        registry.register(
            "long_polls_pending",
            "Pulls waiting for a change now",
            pending_long_polls.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database connections open",
            pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Database connections idle",
            pool_idle.clone(),
        );
        registry.register(
            "change_listener_connected",
            "1 when other replicas' change notifications reach this one (PostgreSQL)",
            listening.clone(),
        );
        registry.register(
            "token_revocations_heard",
            "Token revocations this replica has heard of (any replica's), plus its listener's \
             connections; a courier token verified before the last one is verified again",
            revocations_heard.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            mutations,
            pushes,
            pulls,
            long_polls,
            long_poll_wakeups,
            rate_limited,
            case_breaches,
            cases_breached,
            offers_made,
            offers,
            offer_declines,
            offer_acceptance_rate,
            pending_long_polls,
            pool_connections,
            pool_idle,
            listening,
            revocations_heard,
        }
    }
}

impl Metrics {
    /// Sets the offer gauges from the platform's offer figures.
    pub fn set_offers(&self, c: &runsheet_protocol::OfferCounts) {
        use runsheet_protocol::{DeclineReason, OfferStatus};
        for (status, n) in [
            (OfferStatus::Open, c.open),
            (OfferStatus::Accepted, c.accepted),
            (OfferStatus::Declined, c.declined),
            (OfferStatus::Expired, c.expired),
            (OfferStatus::Withdrawn, c.withdrawn),
        ] {
            self.offers
                .get_or_create(&OfferStatusLabels {
                    status: status.as_str().to_owned(),
                })
                .set(i64::from(n));
        }
        for reason in DeclineReason::ALL {
            let n = c
                .decline_reasons
                .iter()
                .find(|d| d.reason == reason)
                .map_or(0, |d| d.count);
            self.offer_declines
                .get_or_create(&DeclineLabels {
                    reason: reason.as_str().to_owned(),
                })
                .set(i64::from(n));
        }
        self.offer_acceptance_rate
            .set(c.acceptance_rate.unwrap_or(f64::NAN));
    }

    /// Counts one mutation outcome.
    pub fn mutation(&self, outcome: &str) {
        self.mutations
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// The text exposition, with the gauges read now.
    pub fn render(&self, state: &AppState) -> String {
        self.pending_long_polls.set(state.db.feed().waiting());
        let (open, idle) = state.db.pool_state();
        self.pool_connections.set(i64::from(open));
        self.pool_idle.set(i64::from(idle));
        self.listening.set(i64::from(state.db.feed().listening()));
        self.revocations_heard
            .set(i64::try_from(state.db.feed().revocation_count()).unwrap_or(i64::MAX));
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        out
    }
}

/// Middleware: counts every request by route template and status class and times it.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let resp = next.run(req).await;
    let status = format!("{}xx", resp.status().as_u16() / 100);
    metrics
        .latency
        .get_or_create(&RouteOnly {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RouteLabels {
            route,
            method,
            status,
        })
        .inc();
    resp
}

/// `GET /healthz`: the process serves HTTP (liveness; never touches the store).
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the store answers and the replica is not draining (readiness). 503 otherwise,
/// so that the load balancer sends requests elsewhere.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.lifecycle.draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining").into_response();
    }
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    // Deadlines passed since the last look are recorded now, and the breached cases counted.
    let now = state.clock.now();
    let read = state
        .db
        .run(move |tx| {
            let recorded = crate::db::after_sales::sweep(tx, now)?;
            Ok((
                recorded,
                crate::db::after_sales::breached_count(tx)?,
                crate::db::offers::figures(tx, 0, now)?.platform,
            ))
        })
        .await;
    match read {
        Ok((recorded, breached, offers)) => {
            state.metrics.case_breaches.inc_by(u64::from(recorded));
            state.metrics.cases_breached.set(breached);
            state.metrics.set_offers(&offers);
        }
        Err(e) => tracing::warn!(error = %e, "case breaches not read for the metrics"),
    }
    let body = state.metrics.render(&state);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
