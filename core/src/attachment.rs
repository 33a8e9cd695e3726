//! Proof attachments (photos, signatures): files the shell wrote, recorded by SHA-256 and
//! uploaded from a persisted queue after the actions that refer to them. An upload never blocks
//! a delivery: the mutation carries the hash and can reach the server first.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Largest attachment the core accepts (the reference server's limit).
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// Where an attachment is on its way to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum UploadState {
    /// Waiting for the network.
    Pending,
    /// On the server.
    Uploaded,
    /// The file disappeared before it could be sent (evidence lost: shown to the courier).
    Missing,
}

impl UploadState {
    fn as_str(self) -> &'static str {
        match self {
            UploadState::Pending => "pending",
            UploadState::Uploaded => "uploaded",
            UploadState::Missing => "missing",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => UploadState::Pending,
            "uploaded" => UploadState::Uploaded,
            "missing" => UploadState::Missing,
            other => return Err(Error::Corrupt(format!("unknown upload state {other:?}"))),
        })
    }
}

/// An attachment as the device records it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Attachment {
    /// SHA-256 of the bytes, lowercase hex: its id everywhere.
    pub sha256: String,
    /// The file the shell wrote.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// Upload state.
    pub state: UploadState,
    /// Failed upload attempts.
    pub attempts: u32,
}

/// Hashes the file and records it for upload; a file already recorded is not added twice.
pub fn record(conn: &Connection, path: &Path, now: i64) -> Result<Attachment> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::InvalidArgument(format!("cannot read the attachment file: {e}")))?;
    if bytes.is_empty() {
        return Err(Error::InvalidArgument(
            "the attachment file is empty".into(),
        ));
    }
    let size = bytes.len() as u64;
    if size > MAX_ATTACHMENT_BYTES {
        return Err(Error::InvalidArgument(format!(
            "the attachment is {size} bytes; at most {MAX_ATTACHMENT_BYTES} are accepted"
        )));
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    let path = path.to_string_lossy().into_owned();
    conn.execute(
        "INSERT INTO attachments (sha256, path, size, state, created_at)
         VALUES (?1, ?2, ?3, 'pending', ?4) ON CONFLICT(sha256) DO NOTHING",
        params![sha, path, size as i64, now],
    )?;
    get(conn, &sha)?.ok_or_else(|| Error::Corrupt("attachment vanished".into()))
}

/// One attachment by hash.
pub fn get(conn: &Connection, sha: &str) -> Result<Option<Attachment>> {
    let row = conn
        .query_row(
            "SELECT sha256, path, size, state, attempts FROM attachments WHERE sha256 = ?1",
            [sha],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                ))
            },
        )
        .optional()?;
    row.map(|(sha256, path, size, state, attempts)| {
        Ok(Attachment {
            sha256,
            path,
            size: size as u64,
            state: UploadState::parse(&state)?,
            attempts,
        })
    })
    .transpose()
}

/// Every attachment, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<Attachment>> {
    let mut stmt =
        conn.prepare_cached("SELECT sha256 FROM attachments ORDER BY created_at, sha256")?;
    let shas: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    shas.iter()
        .filter_map(|s| get(conn, s).transpose())
        .collect()
}

/// Attachments waiting for upload, oldest first.
pub fn pending(conn: &Connection) -> Result<Vec<Attachment>> {
    Ok(list(conn)?
        .into_iter()
        .filter(|a| a.state == UploadState::Pending)
        .collect())
}

/// Records the outcome of one upload attempt.
pub fn set_state(
    conn: &Connection,
    sha: &str,
    state: UploadState,
    error: Option<&str>,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE attachments SET state = ?2, last_error = ?3,
             attempts = attempts + (?3 IS NOT NULL),
             uploaded_at = CASE WHEN ?2 = 'uploaded' THEN ?4 ELSE uploaded_at END
         WHERE sha256 = ?1",
        params![sha, state.as_str(), error, now],
    )?;
    Ok(())
}
