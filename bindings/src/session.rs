//! The courier's session over FFI: the bearer token and who refreshes it, the install's client
//! id, the app's foreground state, push payloads and push tokens, and the platform's settings.

use std::sync::Arc;

use runsheet_core as core;

use crate::{Inner, PlatformSettings, RunsheetError, TokenProvider, TokenProviderBridge};

/// Sign-in and the app's lifecycle, as the core needs to know them.
#[derive(uniffi::Object)]
pub struct Session {
    inner: Arc<Inner>,
}

impl Session {
    pub(crate) fn over(inner: &Arc<Inner>) -> Self {
        Session {
            inner: Arc::clone(inner),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Replaces the courier's token after they sign in again (held in memory only).
    pub fn set_token(&self, token: String) {
        self.inner.app.signed_in(&token);
        // The screens leave the sign-in page; computing them reads the store: off this thread.
        let app = Arc::clone(&self.inner.app);
        std::thread::spawn(move || app.refresh());
    }

    /// Sets the provider asked for a fresh token when the server refuses the current one;
    /// without one, a refused token ends the sync with `AuthRequired`.
    pub fn set_token_provider(&self, provider: Option<Arc<dyn TokenProvider>>) {
        self.inner
            .core
            .set_token_provider(provider.map(|p| Arc::new(TokenProviderBridge(p)) as _));
    }

    /// The app came to the foreground (`true`) or left it. In the foreground, auto-sync holds
    /// a long-poll open so a new or changed task shows within about a second; in the
    /// background it falls back to the periodic sync and push notifications. Call from
    /// `onStart`/`onStop` (Android) or the scene phase (iOS).
    pub fn set_foreground(&self, foreground: bool) {
        self.inner.core.set_foreground(foreground);
    }

    /// A push notification's data payload as JSON (FCM `RemoteMessage.data`, APNs user info).
    /// True when it is Runsheet's sync hint: auto-sync syncs now. False for other payloads.
    pub fn handle_push(&self, payload_json: String) -> Result<bool, RunsheetError> {
        Ok(self.inner.core.handle_push(&payload_json)?)
    }

    /// Keeps the token the platform's push service issued to this install: FCM's token from
    /// `FirebaseMessaging.getInstance().token` and every `onNewToken` (`PushPlatform.FCM`), or
    /// the APNs device token from `didRegisterForRemoteNotificationsWithDeviceToken` as lowercase
    /// hex (`.apns`). Works offline: the next sync sends it to the server once, and again only
    /// when it changes, so call it with every token the platform hands over. An empty token, one
    /// over 4,096 characters or with a character outside printable ASCII is `InvalidArgument`.
    pub async fn register_push_token(
        &self,
        token: String,
        platform: core::PushPlatform,
    ) -> Result<(), RunsheetError> {
        self.inner
            .run(move |c| c.register_push_token(&token, platform))
            .await
    }

    /// This install's client id.
    pub async fn client_id(&self) -> Result<String, RunsheetError> {
        self.inner.run(|c| c.client_id()).await
    }

    /// The platform's settings as last received.
    pub async fn settings(&self) -> Result<PlatformSettings, RunsheetError> {
        self.inner.run(|c| c.settings()).await
    }
}
