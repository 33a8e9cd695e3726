//! The screens concern: what the courier sees, what they tap, the effects the core asks for.
//! One-line delegations to `runsheet_screens::CourierApp`; every call that touches the store
//! is async (it runs on a blocking thread of the FFI's tokio runtime).

use std::sync::Arc;

use runsheet_screens as screens;
use screens::{CourierApp, Effect, EffectResult, Screen, ScreenUpdate, Tap, TapError};

/// Receives the screen (whole first, then what changed) and the platform work the core asks
/// for. Called on a background thread: hand the value to the UI thread and return.
#[uniffi::export(with_foreign)]
pub trait ScreenListener: Send + Sync {
    /// The screen changed (or this is the first, whole screen).
    fn on_screen(&self, update: ScreenUpdate);
    /// Carry out this platform work, then answer with `Screens.resolve` where it has an answer.
    fn on_effect(&self, effect: Effect);
}

struct Relay(Arc<dyn ScreenListener>);

impl screens::ScreenListener for Relay {
    fn on_screen(&self, update: ScreenUpdate) {
        self.0.on_screen(update);
    }
    fn on_effect(&self, effect: Effect) {
        self.0.on_effect(effect);
    }
}

/// Keeps a screen listener subscribed until `cancel()` or until it is dropped.
#[derive(uniffi::Object)]
pub struct ScreenSubscription {
    app: Arc<CourierApp>,
    id: u64,
}

#[uniffi::export]
impl ScreenSubscription {
    /// Stops updates to this listener. Safe to call more than once.
    pub fn cancel(&self) {
        self.app.unsubscribe(self.id);
    }
}

impl Drop for ScreenSubscription {
    fn drop(&mut self) {
        self.app.unsubscribe(self.id);
    }
}

/// What the courier sees and may tap.
#[derive(uniffi::Object)]
pub struct Screens {
    app: Arc<CourierApp>,
}

impl Screens {
    /// The screens of `app`.
    pub fn new(app: Arc<CourierApp>) -> Arc<Self> {
        Arc::new(Screens { app })
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, TapError> + Send + 'static,
) -> Result<T, TapError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|_| {
        tracing::error!("a screen call panicked");
        Err(TapError::Refused {
            sentence: "Internal error. / 内部错误。".into(),
        })
    })
}

#[uniffi::export(async_runtime = "tokio")]
impl Screens {
    /// The screen as it is now.
    pub async fn screen(&self) -> Result<Screen, TapError> {
        let app = self.app.clone();
        blocking(move || {
            app.screen().map_err(|e| TapError::Refused {
                sentence: e.to_string(),
            })
        })
        .await
    }

    /// The courier taps an action the screen offers (with the inputs its offer asks for).
    /// Refused, with a sentence in the screen's language and nothing changed, when the screen
    /// does not offer it or something blocks it.
    pub async fn tap(&self, tap: Tap) -> Result<(), TapError> {
        let app = self.app.clone();
        blocking(move || app.tap(tap)).await
    }

    /// The shell's answer to an effect: a permission, a photo or a signature taken.
    pub async fn resolve(&self, result: EffectResult) -> Result<(), TapError> {
        let app = self.app.clone();
        blocking(move || app.resolve(result)).await
    }

    /// Recomputes the screen for the time that passed (call when the app comes to the front
    /// and once a minute while it is there).
    pub async fn refresh(&self) {
        let app = self.app.clone();
        let _ = blocking(move || {
            app.refresh();
            Ok(())
        })
        .await;
    }

    /// The courier tapped the notification `id` (a `Notify` effect's): the core opens the page
    /// it is about (the training page for a qualification about to expire, ...).
    pub async fn open_notification(&self, id: String) {
        let app = self.app.clone();
        let _ = blocking(move || {
            app.open_notification(&id);
            Ok(())
        })
        .await;
    }

    /// The device's locale changed (a BCP 47 tag; anything unknown means English).
    pub async fn set_locale(&self, locale: String) {
        let app = self.app.clone();
        let _ = blocking(move || {
            app.set_locale(&locale);
            Ok(())
        })
        .await;
    }

    /// Subscribes `listener`: the whole screen now, then what changed after every commit, and
    /// the effects the core asks for.
    pub async fn subscribe(&self, listener: Arc<dyn ScreenListener>) -> Arc<ScreenSubscription> {
        let app = self.app.clone();
        let relay = Arc::new(Relay(listener));
        let id = tokio::task::spawn_blocking({
            let app = app.clone();
            move || app.subscribe(relay)
        })
        .await
        .unwrap_or(0);
        Arc::new(ScreenSubscription { app, id })
    }
}
