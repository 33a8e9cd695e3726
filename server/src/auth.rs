//! Bearer tokens: couriers for the sync API, one admin token for the dispatch API, checked by
//! the [`Courier`] and [`Admin`] extractors before a handler runs (and before its body is read).
//! Only SHA-256 digests of courier tokens are stored; no token is ever logged.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use sha2::{Digest, Sha256};

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::{couriers, ChangeFeed};
use crate::error::ApiError;
use crate::AppState;

/// The SHA-256 of a token, hex.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random courier token (256 bits, hex).
pub fn new_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The bearer token of a request, if it carries one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A verified token as the cache keeps it.
struct Verified {
    courier: String,
    expires_at: i64,
    checked: Instant,
    /// The store's revocation count when it was checked ([`ChangeFeed::revocation_count`]).
    revocations: u64,
}

/// Courier tokens this replica has verified, by digest, so that a phone's every request does not
/// cost a database query. An entry is trusted until the token expires (by the server clock), and
/// only while no revocation has been heard of since it was checked: every replica announces a
/// revocation to the others as it commits (PostgreSQL's NOTIFY, [`ChangeFeed`]), so a revoked
/// token is refused at once everywhere. While a replica's listener is away (a revocation may go
/// unheard) an entry is trusted for at most [`TokenCache::TTL`], and on reconnecting it trusts
/// none it verified before; even when all is well it is checked again after
/// [`TokenCache::HEARD_TTL`].
#[derive(Default)]
pub struct TokenCache {
    known: Mutex<HashMap<String, Verified>>,
}

impl TokenCache {
    /// How long a verified token is trusted without asking the store again while this
    /// replica's listener is not connected: the longest a token revoked on another replica may
    /// still be accepted here.
    pub const TTL: Duration = Duration::from_secs(5);
    /// How long a verified token is trusted while every revocation reaches this replica.
    pub const HEARD_TTL: Duration = Duration::from_secs(600);
    /// Most entries kept (a full cache is emptied: the cost is one query per courier).
    pub const MAX: usize = 200_000;

    fn get(&self, digest: &str, now: i64, feed: &ChangeFeed) -> Option<String> {
        let ttl = if feed.hears_every_revocation() {
            Self::HEARD_TTL
        } else {
            Self::TTL
        };
        let revocations = feed.revocation_count();
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known
            .get(digest)
            .filter(|v| {
                v.revocations == revocations && v.checked.elapsed() < ttl && now < v.expires_at
            })
            .map(|v| v.courier.clone())
    }

    /// Whether the store has vouched for the token with this digest and it has not expired by
    /// `now`, however long ago that was and whatever was heard since: the rate limiter's
    /// question (is this a guess?), not authentication's. A request it lets through is still
    /// authenticated, and asks the store again when the cache no longer trusts the entry; so a
    /// courier whose entry a reconnecting listener or its age distrusted is not answered 429
    /// for the guesses of a neighbour on the same address. A revoked token is forgotten
    /// ([`TokenCache::forget_courier`]) and, on another replica, answered 401 by the store,
    /// which counts against its address like any failure.
    pub fn vouched_for(&self, digest: &str, now: i64) -> bool {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.get(digest).is_some_and(|v| now < v.expires_at)
    }

    /// Keeps a token verified by the store, read under the revocation count `revocations`
    /// (taken before the store was asked, so that a revocation heard meanwhile is not lost).
    fn put(&self, digest: String, courier: String, expires_at: i64, revocations: u64) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= Self::MAX {
            known.clear();
        }
        known.insert(
            digest,
            Verified {
                courier,
                expires_at,
                checked: Instant::now(),
                revocations,
            },
        );
    }

    /// Forgets every token of `courier` (their tokens were revoked).
    pub fn forget_courier(&self, courier: &str) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.retain(|_, v| v.courier != courier);
    }
}

/// The courier a request is authenticated as: its bearer token's courier, or a 401 JSON answer
/// (`token_expired` for a token past its expiry, `unauthorized` for an unknown or revoked one).
/// A parts extractor: put it before the body extractor, so that a request without a valid
/// token is refused before its body is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Courier(pub String);

impl FromRequestParts<AppState> for Courier {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let d = digest(token);
        let now = state.clock.now();
        let feed = state.db.feed();
        if let Some(c) = state.tokens.get(&d, now, feed) {
            return Ok(Courier(c));
        }
        let revocations = feed.revocation_count();
        let key = d.clone();
        // One statement: no transaction to open and commit around it.
        let grant = state
            .db
            .run_autocommit(move |tx| couriers::by_token(tx, &key))
            .await?
            .filter(|g| !g.revoked)
            .ok_or_else(ApiError::unauthorized)?;
        if now >= grant.expires_at {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "the bearer token has expired; get a fresh one",
            ));
        }
        state
            .tokens
            .put(d, grant.courier.clone(), grant.expires_at, revocations);
        Ok(Courier(grant.courier))
    }
}

/// A request carrying the dispatch (admin) token, checked in constant time: 401 when absent or
/// wrong, 403 when the server runs without a dispatch API. A parts extractor, like [`Courier`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        admin(state.admin_token.as_deref(), &parts.headers).map(|()| Admin)
    }
}

fn admin(expected: Option<&str>, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = expected.ok_or_else(|| {
        ApiError::forbidden("this server runs without a dispatch API (no admin token set)")
    })?;
    let given = bearer(headers).ok_or_else(ApiError::unauthorized)?;
    if is_admin(Some(expected), given) {
        Ok(())
    } else {
        Err(ApiError::unauthorized())
    }
}

/// Whether `given` is the admin token, compared in constant time (of their digests).
pub(crate) fn is_admin(expected: Option<&str>, given: &str) -> bool {
    let Some(expected) = expected else {
        return false;
    };
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_distrusted_by_a_reconnecting_listener_is_still_known_to_the_rate_limiter() {
        let feed = ChangeFeed::default();
        feed.set_listening(false);
        let cache = TokenCache::default();
        cache.put("d".into(), "c-1".into(), 100, feed.revocation_count());
        assert!(cache.get("d", 10, &feed).is_some());
        // The listener connects after the token was verified: a revocation may have been
        // missed, so authentication asks the store again...
        feed.set_listening(true);
        assert!(cache.get("d", 10, &feed).is_none());
        // ...but the token is no guess, and the address's failures do not apply to it.
        assert!(cache.vouched_for("d", 10));
        assert!(
            !cache.vouched_for("d", 100),
            "an expired token is not vouched for"
        );
        assert!(
            !cache.vouched_for("other", 10),
            "a guess is not vouched for"
        );
        cache.forget_courier("c-1");
        assert!(!cache.vouched_for("d", 10), "a revoked token is forgotten");
    }
}
