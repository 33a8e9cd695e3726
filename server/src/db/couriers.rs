//! Couriers: who they are (only a digest of their token is kept) and their duty status.

use runsheet_protocol::ShiftEvent;
use serde::{Deserialize, Serialize};

use super::{Refusal, StoreError, Tx};
use crate::params;

/// Registers a courier with their first token (its SHA-256 digest), valid for
/// [`crate::DEFAULT_TOKEN_LIFETIME_S`] from `now`; refused if the id exists.
pub fn create(
    tx: &mut Tx<'_>,
    id: &str,
    name: &str,
    token_sha256: &str,
    now: i64,
) -> Result<(), StoreError> {
    let expires_at = now.saturating_add(crate::DEFAULT_TOKEN_LIFETIME_S);
    create_with_token_until(tx, id, name, token_sha256, now, expires_at)
}

/// Registers a courier with their first token (its SHA-256 digest, valid until `expires_at`);
/// refused if the id exists.
pub fn create_with_token_until(
    tx: &mut Tx<'_>,
    id: &str,
    name: &str,
    token_sha256: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "INSERT INTO couriers (id, name, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO NOTHING",
        params![id, name, token_sha256, now],
    )?;
    if n == 0 {
        return Err(Refusal::CourierExists.into());
    }
    add_token(tx, id, token_sha256, now, expires_at)
}

/// Issues the courier another token (its digest), valid from `now` until `expires_at`. Their
/// other tokens stay valid until they expire or are revoked.
pub fn add_token(
    tx: &mut Tx<'_>,
    courier: &str,
    token_sha256: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    must_exist(tx, courier)?;
    tx.execute(
        "INSERT INTO courier_tokens (token_sha256, courier_id, issued_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![token_sha256, courier, now, expires_at],
    )?;
    Ok(())
}

/// Revokes every token of the courier not revoked yet, from `now`; returns how many.
pub fn revoke_tokens(tx: &mut Tx<'_>, courier: &str, now: i64) -> Result<u64, StoreError> {
    must_exist(tx, courier)?;
    let n = tx.execute(
        "UPDATE courier_tokens SET revoked_at = ?2 WHERE courier_id = ?1 AND revoked_at IS NULL",
        params![courier, now],
    )?;
    tx.announce_revocation(courier)?;
    Ok(n)
}

/// A stored token, as the authentication of a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// Whose token it is.
    pub courier: String,
    /// When it stops being accepted, Unix seconds.
    pub expires_at: i64,
    /// Whether dispatch revoked it.
    pub revoked: bool,
}

/// The token with this SHA-256 digest, if one was ever issued.
pub fn by_token(tx: &mut Tx<'_>, token_sha256: &str) -> Result<Option<TokenGrant>, StoreError> {
    tx.query_opt(
        "SELECT courier_id, expires_at, revoked_at IS NOT NULL FROM courier_tokens
         WHERE token_sha256 = ?1",
        params![token_sha256],
        |r| {
            Ok(TokenGrant {
                courier: r.get::<String>(0)?,
                expires_at: r.get(1)?,
                revoked: r.get(2)?,
            })
        },
    )
}

/// Refused with [`Refusal::NoSuchCourier`] unless the courier exists.
pub fn must_exist(tx: &mut Tx<'_>, id: &str) -> Result<(), StoreError> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM couriers WHERE id = ?1)",
        params![id],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(Refusal::NoSuchCourier.into())
    }
}

/// A courier's duty status, as dispatch monitoring sees it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CourierStatus {
    /// The courier.
    pub courier_id: String,
    /// `on_duty`, `on_break` or `off_duty`.
    pub state: String,
    /// Since when, by the server clock (0: never reported).
    pub since: i64,
}

/// The courier's duty status (off duty since 0 when they never reported one).
pub fn status(tx: &mut Tx<'_>, id: &str) -> Result<CourierStatus, StoreError> {
    must_exist(tx, id)?;
    let row: Option<(String, i64)> = tx.query_opt(
        "SELECT state, since FROM courier_status WHERE courier_id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (state, since) = row.unwrap_or_else(|| ("off_duty".into(), 0));
    Ok(CourierStatus {
        courier_id: id.to_owned(),
        state,
        since,
    })
}

/// Records a shift event as the courier's duty status from `now`.
pub fn record_shift(
    tx: &mut Tx<'_>,
    courier: &str,
    event: ShiftEvent,
    now: i64,
) -> Result<(), StoreError> {
    let state = match event {
        ShiftEvent::Start | ShiftEvent::BreakEnd => "on_duty",
        ShiftEvent::BreakStart => "on_break",
        ShiftEvent::End => "off_duty",
    };
    tx.execute(
        "INSERT INTO courier_status (courier_id, state, since) VALUES (?1, ?2, ?3)
         ON CONFLICT(courier_id) DO UPDATE SET state = excluded.state, since = excluded.since",
        params![courier, state, now],
    )?;
    Ok(())
}
