//! Bearer tokens: couriers for the sync API, one admin token for the dispatch API, checked by
//! the [`Courier`] and [`Admin`] extractors before a handler runs (and before its body is read).
//! Only SHA-256 digests of courier tokens are stored; no token is ever logged.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
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

/// Courier tokens this replica has verified, by digest, so that a phone's every request does not
/// cost a database transaction. Tokens are never changed once issued (a revocation feature
/// would clear the entry, and other replicas' entries expire after [`TokenCache::TTL`]).
#[derive(Default)]
pub struct TokenCache {
    known: Mutex<HashMap<String, (String, Instant)>>,
}

impl TokenCache {
    /// How long a verified token is trusted without asking the store again.
    pub const TTL: Duration = Duration::from_secs(300);
    /// Most entries kept (a full cache is emptied: the cost is one query per courier).
    pub const MAX: usize = 200_000;

    fn get(&self, digest: &str) -> Option<String> {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known
            .get(digest)
            .filter(|(_, at)| at.elapsed() < Self::TTL)
            .map(|(c, _)| c.clone())
    }

    /// Whether the token with this digest was verified recently (a cheap request to answer).
    pub fn knows(&self, digest: &str) -> bool {
        self.get(digest).is_some()
    }

    fn put(&self, digest: String, courier: String) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= Self::MAX {
            known.clear();
        }
        known.insert(digest, (courier, Instant::now()));
    }
}

/// The courier a request is authenticated as: its bearer token's courier, or a 401 JSON answer.
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
        if let Some(c) = state.tokens.get(&d) {
            return Ok(Courier(c));
        }
        let key = d.clone();
        let courier = state
            .db
            .run(move |tx| couriers::by_token(tx, &key))
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        state.tokens.put(d, courier.clone());
        Ok(Courier(courier))
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
