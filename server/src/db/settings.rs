//! The settings dispatch publishes to every phone, versioned.

use runsheet_protocol::Settings;

use super::{StoreError, Tx};
use crate::params;

/// The published settings, if any were ever published.
pub fn load(tx: &mut Tx<'_>) -> Result<Option<Settings>, StoreError> {
    let row: Option<(i64, String)> = tx.query_opt(
        "SELECT version, body FROM settings WHERE id = 1",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    row.map(|(version, body)| from_row(version, &body))
        .transpose()
}

/// The settings stored as `body` at `version`.
pub(crate) fn from_row(version: i64, body: &str) -> Result<Settings, StoreError> {
    let mut s: Settings = serde_json::from_str(body).map_err(StoreError::document)?;
    s.version = version;
    Ok(s)
}

/// Publishes new settings (version + 1) and wakes every waiting pull.
pub fn publish(tx: &mut Tx<'_>, settings: Settings) -> Result<Settings, StoreError> {
    tx.lock_global("settings")?;
    tx.announce("*")?;
    let version = load(tx)?.map(|s| s.version).unwrap_or(0) + 1;
    let json = serde_json::to_string(&settings).map_err(StoreError::document)?;
    tx.execute(
        "INSERT INTO settings (id, version, body) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body",
        params![version, json],
    )?;
    Ok(Settings {
        version,
        ..settings
    })
}
