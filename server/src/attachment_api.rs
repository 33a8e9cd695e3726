//! Proof attachments (photos, signatures): `PUT /v1/attachments/{sha256}` stores the bytes once,
//! verified against their hash; a retry of the same upload is a no-op. Mutations refer to
//! attachments by hash, and may arrive before or after the upload.

use crate::params;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::now;
use crate::error::ApiError;
use crate::{auth, AppState};

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
    headers: HeaderMap,
    Path(sha): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentStored>), ApiError> {
    let courier = auth::courier(&state, &headers).await?;
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
    let created = state
        .db
        .run(move |c| {
            let n = c.execute(
                "INSERT INTO attachments (sha256, courier_id, size, content, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(sha256) DO NOTHING",
                params![sha, courier, size as i64, body.as_ref(), now()],
            )?;
            Ok(n == 1)
        })
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
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Result<Bytes, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    check_hash(&sha)?;
    let found: Option<Vec<u8>> = state
        .db
        .run(move |c| {
            Ok(c.query_opt(
                "SELECT content FROM attachments WHERE sha256 = ?1",
                params![sha],
                |r| r.get(0),
            )?)
        })
        .await?;
    found
        .map(Bytes::from)
        .ok_or_else(|| ApiError::not_found("no attachment with this hash"))
}
