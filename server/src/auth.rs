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

use crate::db::couriers;
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
}

/// Courier tokens this replica has verified, by digest, so that a phone's every request does not
/// cost a database transaction. An entry is trusted until the token expires (by the server
/// clock) and for at most [`TokenCache::TTL`] after it was checked: a revocation on this replica
/// forgets the courier's entries at once, and one on another replica sharing the PostgreSQL
/// store is seen here within the TTL.
#[derive(Default)]
pub struct TokenCache {
    known: Mutex<HashMap<String, Verified>>,
}

impl TokenCache {
    /// How long a verified token is trusted without asking the store again: the longest a
    /// token revoked on another replica may still be accepted here.
    pub const TTL: Duration = Duration::from_secs(5);
    /// Most entries kept (a full cache is emptied: the cost is one query per courier).
    pub const MAX: usize = 200_000;

    fn get(&self, digest: &str, now: i64) -> Option<String> {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known
            .get(digest)
            .filter(|v| v.checked.elapsed() < Self::TTL && now < v.expires_at)
            .map(|v| v.courier.clone())
    }

    /// Whether the token with this digest was verified recently and has not expired by `now`
    /// (a cheap request to answer).
    pub fn knows(&self, digest: &str, now: i64) -> bool {
        self.get(digest, now).is_some()
    }

    fn put(&self, digest: String, courier: String, expires_at: i64) {
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
        if let Some(c) = state.tokens.get(&d, now) {
            return Ok(Courier(c));
        }
        let key = d.clone();
        let grant = state
            .db
            .run(move |tx| couriers::by_token(tx, &key))
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
        state.tokens.put(d, grant.courier.clone(), grant.expires_at);
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
