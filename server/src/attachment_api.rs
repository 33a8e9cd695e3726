//! Proof attachments (photos, signatures): `PUT /v1/attachments/{sha256}` stores the bytes once,
//! verified against their hash; a retry of the same upload is a no-op. Mutations refer to
//! attachments by hash, and may arrive before or after the upload.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{Admin, Courier};
use crate::db::attachments;
use crate::error::ApiError;
use crate::AppState;

/// Largest attachment accepted, bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Answer of a successful upload.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AttachmentStored {
    /// The hash, lowercase hex.
    pub sha256: String,
    /// Bytes stored.
    pub size: u64,
    /// False when the server already had it (a retried upload).
    pub created: bool,
}

fn check_hash(sha: &str) -> Result<(), ApiError> {
    if sha.len() != 64
        || !sha
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    {
        return Err(ApiError::bad_request(
            "the attachment id must be a lowercase hex SHA-256 (64 characters)",
        ));
    }
    Ok(())
}

/// `PUT /v1/attachments/{sha256}`.
pub async fn put(
    State(state): State<AppState>,
    Courier(courier): Courier,
    Path(sha): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentStored>), ApiError> {
    check_hash(&sha)?;
    if body.is_empty() {
        return Err(ApiError::bad_request("an attachment cannot be empty"));
    }
    let actual = hex::encode(Sha256::digest(&body));
    if actual != sha {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            "the bytes received do not have the SHA-256 in the URL (damaged upload?)",
        ));
    }
    let size = body.len() as u64;
    let clock = state.clock.clone();
    let created = state
        .db
        .run(move |tx| attachments::put(tx, &sha, &courier, &body, clock.now()))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(AttachmentStored {
            sha256: actual,
            size,
            created,
        }),
    ))
}

/// `GET /v1/dispatch/attachments/{sha256}`: the bytes, for after-sales and appeals.
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    Path(sha): Path<String>,
) -> Result<Bytes, ApiError> {
    check_hash(&sha)?;
    let found = state.db.run(move |tx| attachments::get(tx, &sha)).await?;
    found
        .map(Bytes::from)
        .ok_or_else(|| ApiError::not_found("no attachment with this hash"))
}
