//! Proof attachments (photos, signatures), stored once by their SHA-256.

use super::{StoreError, Tx};
use crate::params;

/// Stores an upload's bytes under their hash; false when the store already had them.
pub fn put(
    tx: &mut Tx<'_>,
    sha256: &str,
    courier: &str,
    content: &[u8],
    now: i64,
) -> Result<bool, StoreError> {
    let n = tx.execute(
        "INSERT INTO attachments (sha256, courier_id, size, content, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(sha256) DO NOTHING",
        params![sha256, courier, content.len() as i64, content, now],
    )?;
    Ok(n == 1)
}

/// The bytes stored under `sha256`, if any.
pub fn get(tx: &mut Tx<'_>, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
    tx.query_opt(
        "SELECT content FROM attachments WHERE sha256 = ?1",
        params![sha256],
        |r| r.get(0),
    )
}
