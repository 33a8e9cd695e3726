//! What one client may take of a replica: how long it may take to send a request, how many
//! connections stay open, how long a request may run, and how often one courier token or one
//! address presenting unverified credentials may ask. Connections are closed by
//! [`crate::connections`]; the rate limits are the [`throttle`] middleware, answered 429 with
//! `Retry-After` and a JSON error body. Every limit is a flag of [`crate::launch::Args`].

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;
use crate::AppState;

/// The limits of one replica. [`Limits::default`] is what `runsheet-server` runs with when no
/// flag changes them (see `docs/security.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest wait for a request's header, from when the server starts reading it. A kept-alive
    /// connection waiting for its next request is closed after the same time.
    pub header_timeout: Duration,
    /// Longest pause while a request's body arrives (between two pieces of it).
    pub body_timeout: Duration,
    /// Longest a request may run, a long-poll's wait included; then 503.
    pub request_timeout: Duration,
    /// Most connections open at once; further clients wait in the listen queue.
    pub max_connections: usize,
    /// Requests per second one courier token may make once verified (sustained).
    pub token_per_second: NonZeroU32,
    /// Requests one courier token may make in a burst.
    pub token_burst: NonZeroU32,
    /// Requests per second one address may make with a missing, wrong or not yet verified
    /// token (sustained).
    pub address_per_second: NonZeroU32,
    /// Such requests one address may make in a burst.
    pub address_burst: NonZeroU32,
}

const fn nz(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_connections: 4096,
            token_per_second: nz(20),
            token_burst: nz(200),
            address_per_second: nz(10),
            address_burst: nz(200),
        }
    }
}

/// The rate limiters of a replica (one state per courier token digest, one per address).
pub struct RateLimits {
    per_token: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl RateLimits {
    /// Limiters with the quotas of `limits`.
    pub fn new(limits: &Limits) -> Self {
        RateLimits {
            per_token: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(limits.token_per_second).allow_burst(limits.token_burst),
            ),
            per_address: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(limits.address_per_second).allow_burst(limits.address_burst),
            ),
            clock: DefaultClock::default(),
        }
    }

    /// Forgets the tokens and addresses whose allowance is full again (memory stays bounded by
    /// the clients active recently).
    pub fn forget_idle(&self) {
        self.per_token.retain_recent();
        self.per_token.shrink_to_fit();
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
    }

    fn token(&self, digest: &str) -> Result<(), Duration> {
        self.per_token
            .check_key(&digest.to_owned())
            .map_err(|n| n.wait_time_from(self.clock.now()))
    }

    fn address(&self, ip: IpAddr) -> Result<(), Duration> {
        self.per_address
            .check_key(&ip)
            .map_err(|n| n.wait_time_from(self.clock.now()))
    }
}

/// Routes no limit applies to: the load balancer's probes and the scraper.
const UNLIMITED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Middleware: a verified courier token is held to its own rate; a request whose credentials
/// are missing, wrong or not yet verified (each costing a store lookup) is held to its address's
/// rate, so that guessing tokens from one address meets 429s. The dispatch (admin) token is not
/// limited. Runs before routing, so before any body is read.
pub async fn throttle(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if UNLIMITED.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let verdict = match crate::auth::bearer(req.headers()) {
        Some(token) if crate::auth::is_admin(state.admin_token.as_deref(), token) => Ok(()),
        Some(token) => {
            let digest = crate::auth::digest(token);
            if state.tokens.knows(&digest) {
                state.rate_limits.token(&digest)
            } else {
                by_address(&state, &req)
            }
        }
        None => by_address(&state, &req),
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            state.metrics.rate_limited.inc();
            too_many(wait)
        }
    }
}

fn by_address(state: &AppState, req: &Request) -> Result<(), Duration> {
    match req.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => state.rate_limits.address(peer.ip()),
        // Called without a socket (tests driving the router directly): no address to limit.
        None => Ok(()),
    }
}

/// 429 with `Retry-After` (whole seconds, at least 1) and a JSON error body.
pub fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut resp = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many requests; retry after the time in Retry-After",
    )
    .into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    resp
}

/// Middleware: a request running longer than [`Limits::request_timeout`] is answered 503 (its
/// work is dropped; a store transaction already started finishes or rolls back on its own).
pub async fn deadline(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took too long; retry later",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let h = |d| {
            too_many(d)
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(h(Duration::from_millis(1)).as_deref(), Some("1"));
        assert_eq!(h(Duration::from_millis(1500)).as_deref(), Some("2"));
        assert_eq!(h(Duration::from_secs(3)).as_deref(), Some("3"));
        assert_eq!(too_many(Duration::ZERO).status(), 429);
    }

    #[test]
    fn an_address_meets_its_burst_then_waits() {
        let limits = Limits {
            address_per_second: nz(1),
            address_burst: nz(3),
            ..Limits::default()
        };
        let rl = RateLimits::new(&limits);
        let ip: IpAddr = "192.0.2.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let other: IpAddr = "192.0.2.8".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        for _ in 0..3 {
            assert_eq!(rl.address(ip), Ok(()));
        }
        let wait = rl.address(ip).expect_err("the fourth is over the burst");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert_eq!(
            rl.address(other),
            Ok(()),
            "another address has its own allowance"
        );
    }
}
