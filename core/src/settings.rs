//! The platform's settings as the phone last received them (defaults until it has), kept in the
//! store so they apply offline and after a restart.

use runsheet_protocol::Settings;
use rusqlite::Connection;

use crate::error::Result;
use crate::store::{meta_get, meta_set};

/// The stored settings, or the defaults (version 0). Unreadable stored settings fall back to
/// the defaults with a log line rather than blocking the courier.
pub fn load(conn: &Connection) -> Result<Settings> {
    Ok(match meta_get(conn, "settings")? {
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored settings unreadable; using defaults");
            Settings::default()
        }),
        None => Settings::default(),
    })
}

/// Stores settings received from the server, unless they are out of range (then the previous
/// ones stay, with a log line: a bad publish must not break phones).
pub fn store(conn: &Connection, settings: &Settings) -> Result<()> {
    if let Some(problem) = settings.problem() {
        tracing::warn!(problem, "server settings refused");
        return Ok(());
    }
    let json = serde_json::to_string(settings)
        .map_err(|e| crate::error::Error::Corrupt(format!("settings cannot be encoded: {e}")))?;
    meta_set(conn, "settings", &json)
}
