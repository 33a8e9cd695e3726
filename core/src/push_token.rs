//! The install's push token: the token the platform's push service (FCM on Android, APNs on iOS)
//! issued to this install, so that dispatch can wake the phone for a sync. Registered offline
//! like everything else: the token is kept in the store and the next sync sends it
//! (`PUT /v1/sync/push-token`), once; it goes again only when it changes or the install's client
//! id does. Never logged.

use runsheet_protocol::{check_push_token, PushTokenRegistration};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};

/// The push service that issued an install's token (the FFI's `PushPlatform`: `FCM` in Kotlin,
/// `.apns` in Swift); the wire names are the protocol's [`runsheet_protocol::PushPlatform`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PushPlatform {
    /// Firebase Cloud Messaging (Android).
    Fcm,
    /// Apple Push Notification service (iOS).
    Apns,
}

impl From<PushPlatform> for runsheet_protocol::PushPlatform {
    fn from(p: PushPlatform) -> Self {
        match p {
            PushPlatform::Fcm => runsheet_protocol::PushPlatform::Fcm,
            PushPlatform::Apns => runsheet_protocol::PushPlatform::Apns,
        }
    }
}

impl PushPlatform {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        runsheet_protocol::PushPlatform::from(self).as_str()
    }
}

/// The meta key of the token the shell last gave.
const CURRENT: &str = "push_token";
/// The meta key of the registration the server last acknowledged, as it was sent.
const SENT: &str = "push_token_sent";

/// A token as the store keeps it.
#[derive(Serialize, Deserialize)]
struct Stored {
    platform: runsheet_protocol::PushPlatform,
    token: String,
}

/// Keeps `token` from `platform`'s push service as the install's token; the next sync sends it
/// unless the server already has exactly it. An empty, oversized or non-ASCII token is an
/// [`Error::InvalidArgument`] (which never quotes it).
pub(crate) fn register(conn: &Connection, token: &str, platform: PushPlatform) -> Result<()> {
    check_push_token(token).map_err(|problem| Error::InvalidArgument(problem.to_string()))?;
    let stored = Stored {
        platform: platform.into(),
        token: token.to_owned(),
    };
    let json =
        serde_json::to_string(&stored).map_err(|e| Error::Corrupt(format!("push token: {e}")))?;
    meta_set(conn, CURRENT, &json)
}

/// The registration to send for the install `client_id`: the current token, unless the server
/// already acknowledged this very registration.
pub(crate) fn unsent(conn: &Connection, client_id: &str) -> Result<Option<PushTokenRegistration>> {
    let Some(json) = meta_get(conn, CURRENT)? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_str(&json)
        .map_err(|e| Error::Corrupt(format!("stored push token: {e}")))?;
    let reg = PushTokenRegistration {
        client_id: client_id.to_owned(),
        platform: stored.platform,
        token: stored.token,
    };
    if meta_get(conn, SENT)?.as_deref() == Some(fingerprint(&reg)?.as_str()) {
        return Ok(None);
    }
    Ok(Some(reg))
}

/// Records that the server acknowledged `reg`. A token registered while it was in flight
/// differs from it, so it is still sent by the next sync.
pub(crate) fn acknowledge(conn: &Connection, reg: &PushTokenRegistration) -> Result<()> {
    meta_set(conn, SENT, &fingerprint(reg)?)
}

/// What identifies a registration as sent: its whole body.
fn fingerprint(reg: &PushTokenRegistration) -> Result<String> {
    serde_json::to_string(reg).map_err(|e| Error::Corrupt(format!("push token: {e}")))
}
