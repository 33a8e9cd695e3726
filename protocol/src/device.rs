//! An install's push token: how the platform's push service (FCM on Android, APNs on iOS) reaches
//! the phone to wake it for a sync (`PUT /v1/sync/push-token`), and how dispatch lists them
//! (`GET /v1/dispatch/couriers/{id}/devices`).

use serde::{Deserialize, Serialize};

/// Longest push token accepted, characters. FCM registration tokens are about 160 characters
/// and APNs device tokens 64 hexadecimal digits; the bound leaves room for either to grow.
pub const MAX_PUSH_TOKEN_CHARS: usize = 4096;

/// The push service that delivers to an install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushPlatform {
    /// Firebase Cloud Messaging (Android).
    Fcm,
    /// Apple Push Notification service (iOS).
    Apns,
}

impl PushPlatform {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            PushPlatform::Fcm => "fcm",
            PushPlatform::Apns => "apns",
        }
    }

    /// The platform of a wire or storage name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fcm" => Some(PushPlatform::Fcm),
            "apns" => Some(PushPlatform::Apns),
            _ => None,
        }
    }
}

/// Why a push token cannot be registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushTokenProblem {
    /// No characters.
    Empty,
    /// More than [`MAX_PUSH_TOKEN_CHARS`] characters.
    TooLong,
    /// A character outside printable ASCII (a space, a control character, non-ASCII).
    NotPrintable,
}

impl std::fmt::Display for PushTokenProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PushTokenProblem::Empty => f.write_str("the push token is empty"),
            PushTokenProblem::TooLong => write!(
                f,
                "the push token is longer than {MAX_PUSH_TOKEN_CHARS} characters"
            ),
            PushTokenProblem::NotPrintable => {
                f.write_str("the push token may hold printable ASCII characters only, no spaces")
            }
        }
    }
}

/// Checks the shape of a push token (both push services issue printable ASCII tokens, without
/// spaces). The same rule on the phone and the server.
pub fn check_push_token(token: &str) -> Result<(), PushTokenProblem> {
    if token.is_empty() {
        return Err(PushTokenProblem::Empty);
    }
    if token.len() > MAX_PUSH_TOKEN_CHARS {
        return Err(PushTokenProblem::TooLong);
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(PushTokenProblem::NotPrintable);
    }
    Ok(())
}

/// `PUT /v1/sync/push-token` body: the install's current push token. It replaces the install's
/// previous one (and any other install's registration of the same token).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushTokenRegistration {
    /// The install.
    pub client_id: String,
    /// The push service that issued the token.
    pub platform: PushPlatform,
    /// The token the push service issued to this install.
    pub token: String,
}

impl std::fmt::Debug for PushTokenRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushTokenRegistration")
            .field("client_id", &self.client_id)
            .field("platform", &self.platform)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// `PUT /v1/sync/push-token` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushTokenAck {
    /// When the server recorded the token, server clock, Unix seconds.
    pub registered_at: i64,
}

/// One install's registration, as dispatch reads it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDevice {
    /// The install.
    pub client_id: String,
    /// The push service that issued the token.
    pub platform: PushPlatform,
    /// The token to address pushes to.
    pub token: String,
    /// When the install last registered it, server clock, Unix seconds.
    pub registered_at: i64,
}

impl std::fmt::Debug for PushDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushDevice")
            .field("client_id", &self.client_id)
            .field("platform", &self.platform)
            .field("token", &"<redacted>")
            .field("registered_at", &self.registered_at)
            .finish()
    }
}

/// `GET /v1/dispatch/couriers/{id}/devices` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDevices {
    /// The courier's installs with a push token, most recently registered first.
    pub devices: Vec<PushDevice>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_have_stable_wire_names() {
        for p in [PushPlatform::Fcm, PushPlatform::Apns] {
            let wire = serde_json::to_value(p).unwrap();
            assert_eq!(wire, serde_json::Value::String(p.as_str().into()));
            assert_eq!(PushPlatform::parse(p.as_str()), Some(p));
        }
        assert_eq!(PushPlatform::parse("gcm"), None);
    }

    #[test]
    fn token_shapes() {
        assert_eq!(check_push_token(""), Err(PushTokenProblem::Empty));
        assert_eq!(
            check_push_token(&"a".repeat(MAX_PUSH_TOKEN_CHARS + 1)),
            Err(PushTokenProblem::TooLong)
        );
        assert_eq!(
            check_push_token("ab cd"),
            Err(PushTokenProblem::NotPrintable)
        );
        assert_eq!(
            check_push_token("令牌"),
            Err(PushTokenProblem::NotPrintable)
        );
        assert_eq!(
            check_push_token("a\nb"),
            Err(PushTokenProblem::NotPrintable)
        );
        assert!(check_push_token(&"f".repeat(64)).is_ok());
        assert!(check_push_token("cX3b:APA91bH-9_x").is_ok());
        assert!(check_push_token(&"a".repeat(MAX_PUSH_TOKEN_CHARS)).is_ok());
    }

    #[test]
    fn debug_never_prints_the_token() {
        let r = PushTokenRegistration {
            client_id: "c".into(),
            platform: PushPlatform::Fcm,
            token: "secret-push-token".into(),
        };
        assert!(!format!("{r:?}").contains("secret-push-token"));
    }
}
