//! What one client may take of a replica: how long it may take to send a request, how many
//! connections stay open, how long a request may run, how often one courier token may ask, and
//! how often one address may fail to authenticate. Connections are closed by
//! [`crate::connections`]; the rate limits are the [`throttle`] middleware, answered 429 with
//! `Retry-After` and a JSON error body. Every limit is a flag of [`crate::launch::Args`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

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
    /// Failed authentications (401) per second one address may have (sustained); beyond them,
    /// its requests without a verified token are answered 429 before any lookup.
    pub address_per_second: NonZeroU32,
    /// Failed authentications one address may have in a burst.
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
            address_per_second: nz(20),
            address_burst: nz(100),
        }
    }
}

/// The rate limiters of a replica: one state per verified courier token (its digest), one per
/// address for failed authentications, and the addresses the latter turned away, until when.
pub struct RateLimits {
    per_token: DefaultKeyedRateLimiter<String>,
    failures: DefaultKeyedRateLimiter<IpAddr>,
    turned_away: Mutex<HashMap<IpAddr, Instant>>,
    clock: DefaultClock,
}

impl RateLimits {
    /// Limiters with the quotas of `limits`.
    pub fn new(limits: &Limits) -> Self {
        RateLimits {
            per_token: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(limits.token_per_second).allow_burst(limits.token_burst),
            ),
            failures: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(limits.address_per_second).allow_burst(limits.address_burst),
            ),
            turned_away: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// Forgets the tokens and addresses whose allowance is full again (memory stays bounded by
    /// the clients active recently).
    pub fn forget_idle(&self) {
        self.per_token.retain_recent();
        self.per_token.shrink_to_fit();
        self.failures.retain_recent();
        self.failures.shrink_to_fit();
        let now = Instant::now();
        self.turned_away().retain(|_, until| *until > now);
    }

    fn turned_away(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Instant>> {
        self.turned_away.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn token(&self, digest: &str) -> Result<(), Duration> {
        self.per_token
            .check_key(&digest.to_owned())
            .map_err(|n| n.wait_time_from(self.clock.now()))
    }

    /// `Err(wait)` while `ip` is over its failed authentications.
    fn address(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut turned_away = self.turned_away();
        match turned_away.get(&ip) {
            Some(until) if *until > now => Err(*until - now),
            Some(_) => {
                turned_away.remove(&ip);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a failed authentication from `ip`; over the quota, the address is turned away for
    /// as long as the quota says.
    fn failed(&self, ip: IpAddr) {
        if let Err(not_until) = self.failures.check_key(&ip) {
            let wait = not_until.wait_time_from(self.clock.now());
            self.turned_away().insert(ip, Instant::now() + wait);
        }
    }
}

/// Routes no limit applies to: the load balancer's probes and the scraper.
const UNLIMITED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Middleware: a courier token the store vouched for ([`crate::auth::TokenCache::vouched_for`],
/// whether or not authentication still trusts that check) is held to its own rate; an address whose requests
/// failed authentication (401) more often than its quota is answered 429 for its requests
/// without a verified token (before the store is asked), so that guessing tokens from one
/// address meets 429s while couriers who authenticate are never slowed by their neighbours on
/// the same address. The dispatch (admin) token and the probes are not limited. Runs before
/// routing, so before any body is read.
pub async fn throttle(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if UNLIMITED.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let verdict = match crate::auth::bearer(req.headers()) {
        Some(token) if crate::auth::is_admin(state.admin_token.as_deref(), token) => Ok(()),
        Some(token)
            if state
                .tokens
                .vouched_for(&crate::auth::digest(token), state.clock.now()) =>
        {
            state.rate_limits.token(&crate::auth::digest(token))
        }
        // Missing, wrong or not yet verified: the address's record of failures decides.
        // Without a socket (tests driving the router directly) there is no address to limit.
        _ => peer.map_or(Ok(()), |ip| state.rate_limits.address(ip)),
    };
    if let Err(wait) = verdict {
        state.metrics.rate_limited.inc();
        return too_many(wait);
    }
    let resp = next.run(req).await;
    if resp.status() == StatusCode::UNAUTHORIZED {
        if let Some(ip) = peer {
            state.rate_limits.failed(ip);
        }
    }
    resp
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
    fn an_address_is_turned_away_after_its_burst_of_failures() {
        let limits = Limits {
            address_per_second: nz(1),
            address_burst: nz(3),
            ..Limits::default()
        };
        let rl = RateLimits::new(&limits);
        let ip = IpAddr::from([192, 0, 2, 7]);
        let other = IpAddr::from([192, 0, 2, 8]);
        for _ in 0..3 {
            assert_eq!(rl.address(ip), Ok(()));
            rl.failed(ip);
        }
        assert_eq!(rl.address(ip), Ok(()), "the burst is not used up yet");
        rl.failed(ip);
        let wait = rl.address(ip).expect_err("over the burst of failures");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert_eq!(
            rl.address(other),
            Ok(()),
            "another address has its own record"
        );
        rl.forget_idle();
        assert!(
            rl.address(ip).is_err(),
            "a turned-away address is remembered"
        );
    }
}
