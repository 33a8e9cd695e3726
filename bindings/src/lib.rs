//! The UniFFI surface of Runsheet: what the Kotlin and Swift shells call.
//!
//! A thin layer: each exported method delegates to [`runsheet_core::Runsheet`]. The records
//! and enums it passes are the protocol's and the core's own: each crate declares them once and
//! derives UniFFI's traits under its `uniffi` feature, in its own namespace (Kotlin packages
//! `app.runsheet.protocol`, `app.runsheet.core`, and `app.runsheet.ffi` for this crate; one
//! Swift module). This crate adds only the exported object, its error, the foreign traits and a
//! few adapters. Errors cross as the small [`RunsheetError`] enum; each variant is one thing a
//! shell can act on, and its text is a sentence a courier can read (no personal data, no token).

#![deny(missing_docs)]

mod checklist;
mod handoff;
mod log;
mod ratings;
mod screens;
mod workflow;

/// The platform's settings as the phone last received them (the protocol's `Settings`).
pub use runsheet_protocol::Settings as PlatformSettings;
use std::sync::{Arc, Mutex};

use runsheet_core as core;

/// The stop sequencer, map datums and barcode parser, re-exported for the command line.
pub use runsheet_core::{geo, plan, scan};

pub use checklist::*;
pub use handoff::*;
pub use log::{set_log_sink, LogLevel, LogRecord, LogSink};
pub use runsheet_core::rating::Period as KpiPeriod;
pub use runsheet_core::{
    Attachment, Rejection, Stop, SyncEvent, SyncReport, SyncStatus, Task, Task as CourierTask,
    TaskListUpdate, UploadState,
};
/// The protocol's types the API takes and returns, under the names the shells know.
pub use runsheet_protocol::{
    Action, ActionLocation, AppealStatus, ChecklistStage, ContactChannel, ExceptionReason,
    ItemDoc as Item, MessageTemplate, ProofPolicy, RatingSource, TaskKind, TaskStatus,
    TemperatureClass,
};
pub use runsheet_protocol::{Kpis, RatingDoc as Rating, RatingTarget};
pub use screens::{ScreenListener, ScreenSubscription, Screens};
pub use workflow::*;

uniffi::setup_scaffolding!();

/// Errors a shell can act on.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum RunsheetError {
    /// The task is not on the courier's list (wrong id, or reassigned away).
    #[error("Task {task_id} is not on your list.")]
    NotFound {
        /// The id asked for.
        task_id: String,
    },
    /// The action is not allowed now; the text says why.
    #[error("{reason}")]
    NotAllowed {
        /// Why, in words for the courier.
        reason: String,
    },
    /// The workflow needs something done first; the text lists what (the task's `next_action`
    /// carries the same blockers as codes).
    #[error("{reason}")]
    Blocked {
        /// What is missing, in words for the courier.
        reason: String,
    },
    /// A caller passed something unusable.
    #[error("Invalid request: {reason}")]
    InvalidArgument {
        /// What was wrong.
        reason: String,
    },
    /// The server could not be reached; actions stay saved on the phone.
    #[error("No connection to the server. Your actions are saved on this phone and will be sent when the network is back.")]
    Offline {
        /// Technical detail for logs.
        detail: String,
    },
    /// The token was refused; the shell should sign the courier in again and call `set_token`.
    #[error("Your session has expired. Please sign in again; your actions are kept.")]
    AuthRequired,
    /// The server failed or answered something unusable; actions stay saved.
    #[error("The server could not process the sync ({detail}). Your actions are kept and will be retried.")]
    SyncFailed {
        /// Technical detail (status and code).
        detail: String,
    },
    /// The database on the phone failed.
    #[error("The task store on this phone failed: {detail}")]
    Storage {
        /// Technical detail.
        detail: String,
    },
    /// The database was written by a newer app version; update the app.
    #[error("This task store was written by a newer version of the app (schema {found}, this version reads up to {supported}). Please update the app.")]
    IncompatibleVersion {
        /// Schema version found.
        found: i64,
        /// Highest version this build reads.
        supported: i64,
    },
    /// The database key does not open the task store (a key lost from the Keystore or
    /// Keychain, or a store copied from another phone). The store is left as it was.
    #[error("The task store on this phone cannot be unlocked with this app's key. It has been left in place.")]
    WrongKey,
}

impl From<core::Error> for RunsheetError {
    fn from(e: core::Error) -> Self {
        use core::Error as E;
        match e {
            E::TaskNotFound { task_id } => RunsheetError::NotFound { task_id },
            E::InvalidTransition { .. } => RunsheetError::NotAllowed {
                reason: capitalise(&e.to_string()),
            },
            E::Blocked { .. } => RunsheetError::Blocked {
                reason: capitalise(&e.to_string()),
            },
            E::InvalidArgument(reason) => RunsheetError::InvalidArgument { reason },
            E::Offline(detail) => RunsheetError::Offline { detail },
            E::AuthRequired => RunsheetError::AuthRequired,
            E::Server { .. } | E::BadResponse(_) | E::Protocol(_) => RunsheetError::SyncFailed {
                detail: e.to_string(),
            },
            E::IncompatibleVersion { found, supported } => {
                RunsheetError::IncompatibleVersion { found, supported }
            }
            E::WrongKey => {
                tracing::error!("the database key does not open the store");
                RunsheetError::WrongKey
            }
            E::Sqlite(_) | E::Corrupt(_) => {
                tracing::error!(error = %e, "storage failure");
                RunsheetError::Storage {
                    detail: e.to_string(),
                }
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

/// How to open the core.
#[derive(uniffi::Record)]
pub struct RunsheetConfig {
    /// Path of the SQLite file in the app's private storage (created if missing).
    pub db_path: String,
    /// The dispatch server, `https://host[:port]`.
    pub server_url: String,
    /// The courier's bearer token; held in memory only, never stored or logged.
    pub token: String,
    /// The key the store is encrypted under: 32 random bytes as 64 hex digits, which the shell
    /// makes once and keeps in the Android Keystore / iOS Keychain. `None` opens an
    /// unencrypted store (tools and tests only); an unencrypted store from an earlier version
    /// is encrypted on the first open with a key.
    #[uniffi(default = None)]
    pub db_key: Option<String>,
}

/// Implemented by the shell to hear about task-list changes.
#[uniffi::export(with_foreign)]
pub trait TaskListener: Send + Sync {
    /// Called after each change is saved (and once at subscription with the whole list), on a
    /// background thread: hand it to the UI thread.
    fn on_update(&self, update: TaskListUpdate);
}

struct ListenerBridge(Arc<dyn TaskListener>);

impl core::TaskListener for ListenerBridge {
    fn on_update(&self, update: TaskListUpdate) {
        self.0.on_update(update);
    }
}

/// Implemented by the shell to show whether actions have left the phone, and refusals.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// Called on a background thread: hand it to the UI thread.
    fn on_sync_event(&self, event: SyncEvent);
}

struct SyncListenerBridge(Arc<dyn SyncListener>);

impl core::SyncListener for SyncListenerBridge {
    fn on_sync_event(&self, event: SyncEvent) {
        self.0.on_sync_event(event);
    }
}

/// Implemented by the shell: a fresh bearer token when the server refuses the current one
/// (e.g. refreshed with the platform's auth service). Called off the main thread; may block.
#[uniffi::export(with_foreign)]
pub trait TokenProvider: Send + Sync {
    /// A new token, or `None` if the courier must sign in again.
    fn fresh_token(&self) -> Option<String>;
}

struct TokenProviderBridge(Arc<dyn TokenProvider>);

impl core::TokenProvider for TokenProviderBridge {
    fn fresh_token(&self) -> Option<core::Token> {
        self.0.fresh_token().map(core::Token::new)
    }
}

/// A live subscription; `cancel()` it (or let it be collected) to stop updates.
#[derive(uniffi::Object)]
pub struct Subscription {
    inner: Mutex<Option<core::Subscription>>,
}

#[uniffi::export]
impl Subscription {
    /// Stops updates. Safe to call more than once.
    pub fn cancel(&self) {
        if let Some(s) = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take() {
            s.cancel();
        }
    }
}

impl Subscription {
    fn wrap(s: core::Subscription) -> Arc<Self> {
        Arc::new(Subscription {
            inner: Mutex::new(Some(s)),
        })
    }
}

/// The device's clock as the core reads it. Apps use the system clock (the plain constructor);
/// the QA harness passes a virtual clock to replay a shift deterministically.
#[uniffi::export(with_foreign)]
pub trait DeviceClock: Send + Sync {
    /// Now, Unix seconds, by the device's clock (which may be wrong: the core allows for it).
    fn now_unix_seconds(&self) -> i64;
}

struct ClockBridge(Arc<dyn DeviceClock>);

impl core::Clock for ClockBridge {
    fn now(&self) -> i64 {
        self.0.now_unix_seconds()
    }
}

/// One courier's Runsheet: the task list, actions and sync.
#[derive(uniffi::Object)]
pub struct Runsheet {
    inner: Arc<core::Runsheet>,
}

impl Runsheet {
    fn open(
        config: RunsheetConfig,
        clock: Arc<dyn core::Clock>,
    ) -> Result<Arc<Self>, RunsheetError> {
        let inner = core::Runsheet::open(core::Config {
            db_path: config.db_path.into(),
            db_key: config
                .db_key
                .as_deref()
                .map(core::DbKey::from_hex)
                .transpose()?,
            server_url: config.server_url,
            token: core::Token::new(config.token),
            clock,
        })?;
        Ok(Arc::new(Runsheet {
            inner: Arc::new(inner),
        }))
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Runsheet {
    /// Opens (or creates) the store at `config.db_path`. Does no network I/O.
    #[uniffi::constructor]
    pub fn new(config: RunsheetConfig) -> Result<Arc<Self>, RunsheetError> {
        Self::open(config, Arc::new(core::SystemClock))
    }

    /// Like the plain constructor, with a clock of the caller's (QA harness, simulations).
    #[uniffi::constructor]
    pub fn with_clock(
        config: RunsheetConfig,
        clock: Arc<dyn DeviceClock>,
    ) -> Result<Arc<Self>, RunsheetError> {
        Self::open(config, Arc::new(ClockBridge(clock)))
    }

    /// This install's client id.
    pub fn client_id(&self) -> Result<String, RunsheetError> {
        Ok(self.inner.client_id()?)
    }

    /// The courier's tasks: open ones by promised time, then finished ones.
    pub fn tasks(&self) -> Result<Vec<Task>, RunsheetError> {
        Ok(self.inner.tasks()?)
    }

    /// One task.
    pub fn task(&self, task_id: String) -> Result<Task, RunsheetError> {
        Ok(self.inner.task(&task_id)?)
    }

    /// Marks the task delivered (the courier must be at the drop-off). Saved on the phone
    /// before this returns; sent on the next sync.
    pub fn mark_delivered(&self, task_id: String) -> Result<(), RunsheetError> {
        self.inner.mark_delivered(&task_id)?;
        Ok(())
    }

    /// Records a photo or signature file the app wrote (in its private storage) for upload;
    /// returns it with the SHA-256 that `mark_delivered_with_proof` takes.
    pub fn attach_file(&self, path: String) -> Result<Attachment, RunsheetError> {
        Ok(self.inner.attach_file(std::path::Path::new(&path))?)
    }

    /// Marks the task delivered with proof attachments; saved at once, files sent later.
    pub fn mark_delivered_with_proof(
        &self,
        task_id: String,
        attachment_hashes: Vec<String>,
    ) -> Result<(), RunsheetError> {
        self.inner
            .mark_delivered_with_proof(&task_id, attachment_hashes)?;
        Ok(())
    }

    /// Buffers a GPS fix (from the platform's location service) for dispatch; sent last, capped
    /// on the phone. Returns how many old fixes were dropped to make room.
    pub fn record_location(
        &self,
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    ) -> Result<u64, RunsheetError> {
        Ok(self.inner.record_location(lat, lon, accuracy_m)?)
    }

    /// The platform's settings as last received.
    pub fn settings(&self) -> Result<PlatformSettings, RunsheetError> {
        Ok(self.inner.settings()?)
    }

    /// Every attachment with its upload state (for an upload progress view).
    pub fn attachments(&self) -> Result<Vec<Attachment>, RunsheetError> {
        Ok(self.inner.attachments()?)
    }

    /// Sends saved actions and fetches the dispatcher's changes. Call it after each action, when
    /// the network comes back, and periodically; a failure keeps every action saved.
    pub async fn sync(&self) -> Result<SyncReport, RunsheetError> {
        Ok(self.inner.sync().await?)
    }

    /// Pending actions and the last sync's outcome.
    pub fn sync_status(&self) -> Result<SyncStatus, RunsheetError> {
        Ok(self.inner.sync_status()?)
    }

    /// Actions the server refused, newest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>, RunsheetError> {
        Ok(self.inner.rejections()?)
    }

    /// Replaces the courier's token after they sign in again.
    pub fn set_token(&self, token: String) {
        self.inner.set_token(core::Token::new(token));
    }

    /// Subscribes to task-list changes; `listener` gets the whole list at once.
    pub fn subscribe_tasks(
        &self,
        listener: Arc<dyn TaskListener>,
    ) -> Result<Arc<Subscription>, RunsheetError> {
        let sub = self.inner.subscribe(Arc::new(ListenerBridge(listener)))?;
        Ok(Subscription::wrap(sub))
    }

    /// Subscribes to sync events; `listener` gets the current state at once.
    pub fn subscribe_sync(
        &self,
        listener: Arc<dyn SyncListener>,
    ) -> Result<Arc<Subscription>, RunsheetError> {
        let sub = self
            .inner
            .subscribe_sync(Arc::new(SyncListenerBridge(listener)))?;
        Ok(Subscription::wrap(sub))
    }

    /// Syncs on its own from now on: at once, after each action, when `network_available()` is
    /// called, and every `interval_seconds`; failures back off exponentially with jitter.
    pub fn start_auto_sync(&self, interval_seconds: u32) -> Result<(), RunsheetError> {
        let policy = core::AutoSyncPolicy {
            interval: std::time::Duration::from_secs(u64::from(interval_seconds.max(1))),
            ..Default::default()
        };
        Ok(self.inner.start_auto_sync(policy)?)
    }

    /// Stops automatic sync.
    pub fn stop_auto_sync(&self) {
        self.inner.stop_auto_sync();
    }

    /// The platform reports connectivity (Android ConnectivityManager, iOS NWPathMonitor): with
    /// auto-sync on, sync now and forget the backoff.
    pub fn network_available(&self) {
        self.inner.network_available();
    }

    /// The app came to the foreground (`true`) or left it. In the foreground, auto-sync holds
    /// a long-poll open so a new or changed task shows within about a second; in the
    /// background it falls back to the periodic sync and push notifications. Call from
    /// `onStart`/`onStop` (Android) or the scene phase (iOS).
    pub fn set_foreground(&self, foreground: bool) {
        self.inner.set_foreground(foreground);
    }

    /// A push notification's data payload as JSON (FCM `RemoteMessage.data`, APNs user info).
    /// True when it is Runsheet's sync hint: auto-sync syncs now. False for other payloads.
    pub fn handle_push(&self, payload_json: String) -> Result<bool, RunsheetError> {
        Ok(self.inner.handle_push(&payload_json)?)
    }

    /// Waits up to `wait_seconds` (1 to 30) for the server to have something new for this
    /// phone; true if it has. Nothing is applied: call `sync()` next. Auto-sync does this by
    /// itself in the foreground; this is for shells and tests that drive sync by hand.
    pub async fn wait_for_changes(&self, wait_seconds: u32) -> Result<bool, RunsheetError> {
        Ok(self
            .inner
            .wait_for_changes(std::time::Duration::from_secs(u64::from(wait_seconds)))
            .await?)
    }

    /// Sets the provider asked for a fresh token when the server refuses the current one;
    /// without one, a refused token ends the sync with `AuthRequired`.
    pub fn set_token_provider(&self, provider: Option<Arc<dyn TokenProvider>>) {
        self.inner
            .set_token_provider(provider.map(|p| Arc::new(TokenProviderBridge(p)) as _));
    }
}
