//! The UniFFI surface of Runsheet: what the Kotlin and Swift shells call.
//!
//! A thin layer: each exported method delegates to [`runsheet_core::Runsheet`] and converts
//! types. Errors cross as the small [`RunsheetError`] enum; each variant is one thing a shell
//! can act on, and its text is a sentence a courier can read (no personal data, no token).

#![deny(missing_docs)]

mod checklist;
mod handoff;
mod log;
mod ratings;
mod workflow;

use std::sync::{Arc, Mutex};

use runsheet_core as core;

/// The stop sequencer, map datums and barcode parser, re-exported for the command line.
pub use runsheet_core::{geo, plan, scan};

pub use checklist::*;
pub use handoff::*;
pub use log::{set_log_sink, LogLevel, LogRecord, LogSink};
pub use ratings::*;
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

/// What kind of work a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TaskKind {
    /// Restaurant to customer.
    Food,
    /// Grocery with cold chain.
    Grocery,
    /// Depot-loaded parcel.
    Parcel,
    /// Customer back to merchant or depot.
    ReturnPickup,
}

impl From<core::TaskKind> for TaskKind {
    fn from(k: core::TaskKind) -> Self {
        match k {
            core::TaskKind::Food => TaskKind::Food,
            core::TaskKind::Grocery => TaskKind::Grocery,
            core::TaskKind::Parcel => TaskKind::Parcel,
            core::TaskKind::ReturnPickup => TaskKind::ReturnPickup,
        }
    }
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TaskStatus {
    /// New, not yet accepted.
    Assigned,
    /// Accepted, heading to the pickup.
    Accepted,
    /// At the pickup.
    AtPickup,
    /// Goods in the box.
    PickedUp,
    /// At the drop-off.
    AtDropoff,
    /// Handed over.
    Delivered,
    /// Delivery failed; goods going back.
    Failed,
    /// Goods back at the merchant or depot.
    Returned,
    /// Withdrawn by the dispatcher.
    Cancelled,
}

impl From<core::TaskStatus> for TaskStatus {
    fn from(s: core::TaskStatus) -> Self {
        use core::TaskStatus as S;
        match s {
            S::Assigned => TaskStatus::Assigned,
            S::Accepted => TaskStatus::Accepted,
            S::AtPickup => TaskStatus::AtPickup,
            S::PickedUp => TaskStatus::PickedUp,
            S::AtDropoff => TaskStatus::AtDropoff,
            S::Delivered => TaskStatus::Delivered,
            S::Failed => TaskStatus::Failed,
            S::Returned => TaskStatus::Returned,
            S::Cancelled => TaskStatus::Cancelled,
        }
    }
}

/// How an item must be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TemperatureClass {
    /// Room temperature.
    Ambient,
    /// 0 to 4 °C.
    Chilled,
    /// -18 °C or colder.
    Frozen,
    /// Hot food.
    Hot,
}

/// One item of a task (a bag, a parcel, a grocery line).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Item {
    /// The code on its label.
    pub code: String,
    /// What it is.
    pub name: String,
    /// How it must be kept.
    pub temperature: TemperatureClass,
    /// How many.
    pub quantity: u32,
}

impl From<core::ItemDoc> for Item {
    fn from(i: core::ItemDoc) -> Self {
        Item {
            code: i.code,
            name: i.name,
            temperature: match i.temperature {
                core::TemperatureClass::Ambient => TemperatureClass::Ambient,
                core::TemperatureClass::Chilled => TemperatureClass::Chilled,
                core::TemperatureClass::Frozen => TemperatureClass::Frozen,
                core::TemperatureClass::Hot => TemperatureClass::Hot,
            },
            quantity: i.quantity,
        }
    }
}

/// A place on a task.
#[derive(Clone, uniffi::Record)]
pub struct Stop {
    /// Merchant or customer name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// Masked contact phone.
    pub phone: Option<String>,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lon: f64,
    /// Goods ready at, Unix seconds.
    pub ready_at: Option<i64>,
    /// Promised time, Unix seconds.
    pub due_by: Option<i64>,
    /// Start of the delivery slot, Unix seconds.
    pub not_before: Option<i64>,
    /// True when a courier corrected the pin to the real door.
    pub pin_corrected: bool,
}

impl From<core::Stop> for Stop {
    fn from(s: core::Stop) -> Self {
        Stop {
            name: s.name,
            address: s.address,
            phone: s.phone,
            lat: s.lat,
            lon: s.lon,
            ready_at: s.ready_at,
            due_by: s.due_by,
            not_before: s.not_before,
            pin_corrected: s.pin_corrected,
        }
    }
}

/// A task on the courier's list, with what the courier can do next. (Not `Task`: that name
/// would shadow Swift concurrency's `Task` in the shells.)
#[derive(Clone, uniffi::Record)]
pub struct CourierTask {
    /// The dispatcher's id.
    pub id: String,
    /// Kind of work.
    pub kind: TaskKind,
    /// Status, including the courier's unsynced actions.
    pub status: TaskStatus,
    /// Pickup stop, if any.
    pub pickup: Option<Stop>,
    /// Drop-off stop.
    pub dropoff: Stop,
    /// Actions on this task still waiting for the server.
    pub pending_actions: u32,
    /// Whether "delivered" is allowed now (the courier is at the drop-off).
    pub can_deliver: bool,
    /// The status in words ("at the drop-off").
    pub status_label: String,
    /// The one primary action and its blockers (`None` once finished).
    pub next_action: Option<NextAction>,
    /// When the customer ordered, Unix seconds.
    pub ordered_at: Option<i64>,
    /// The goods.
    pub items: Vec<Item>,
    /// Where failed goods go back (the pickup when absent).
    pub return_to: Option<Stop>,
    /// True once the customer's name, phone and address were wiped from the phone.
    pub customer_data_purged: bool,
    /// Whether the customer will show a handoff code (PIN or QR) to check.
    pub has_handoff_code: bool,
    /// True once the customer's code matched.
    pub handoff_verified: bool,
    /// The customer asked for a contactless handover.
    pub contactless: bool,
}

impl CourierTask {
    fn with_next(t: core::Task, next: Option<core::NextAction>) -> Self {
        CourierTask {
            can_deliver: t.status == core::TaskStatus::AtDropoff,
            status_label: t.status.label().into(),
            next_action: next.map(Into::into),
            id: t.id,
            kind: t.kind.into(),
            status: t.status.into(),
            pickup: t.pickup.map(Into::into),
            dropoff: t.dropoff.into(),
            pending_actions: t.pending_actions,
            ordered_at: t.ordered_at,
            items: t.items.into_iter().map(Into::into).collect(),
            return_to: t.return_to.map(Into::into),
            customer_data_purged: t.customer_data_purged,
            has_handoff_code: t.handoff_code.is_some(),
            handoff_verified: t.handoff_verified,
            contactless: t.contactless,
        }
    }
}

impl From<core::Task> for CourierTask {
    /// Without the shift and position context, the primary action is the on-duty one without
    /// distances; `task_list()` gives it with both.
    fn from(t: core::Task) -> Self {
        let next = core::workflow::next_for_task(&t, core::ShiftState::OnDuty, None);
        CourierTask::with_next(t, next)
    }
}

/// The task list after a change, with what changed.
#[derive(uniffi::Record)]
pub struct TaskListUpdate {
    /// The whole list in display order.
    pub tasks: Vec<CourierTask>,
    /// Ids new to this listener (all of them on the first update).
    pub added: Vec<String>,
    /// Ids whose content changed.
    pub updated: Vec<String>,
    /// Ids no longer on the list.
    pub removed: Vec<String>,
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
    fn on_update(&self, u: core::TaskListUpdate) {
        self.0.on_update(TaskListUpdate {
            tasks: u.tasks.into_iter().map(Into::into).collect(),
            added: u.added,
            updated: u.updated,
            removed: u.removed,
        });
    }
}

/// What one sync did.
#[derive(Debug, uniffi::Record)]
pub struct SyncReport {
    /// Actions the server applied now.
    pub pushed: u64,
    /// Actions it already had (an earlier answer was lost); not applied again.
    pub duplicates: u64,
    /// Actions it refused (see `rejections()`).
    pub rejected: u64,
    /// Changes pulled from the server.
    pub pulled_changes: u64,
    /// Actions still waiting.
    pub pending: u64,
    /// Attachments uploaded in this sync.
    pub uploaded: u64,
}

/// Whether the courier's actions have left the phone.
#[derive(Debug, uniffi::Record)]
pub struct SyncStatus {
    /// Actions saved and not yet acknowledged.
    pub pending: u64,
    /// Device time of the oldest pending action, Unix seconds.
    pub oldest_pending_at: Option<i64>,
    /// Last successful sync, Unix seconds.
    pub last_success_at: Option<i64>,
    /// Why the last sync failed, if it did.
    pub last_error: Option<String>,
    /// Server time minus device time at the last pull, seconds (warn the courier when large).
    pub clock_offset_seconds: Option<i64>,
    /// Proof attachments not yet uploaded.
    pub pending_uploads: u64,
    /// GPS fixes buffered on the phone.
    pub pending_fixes: u64,
    /// GPS fixes dropped (buffer full) and not yet reported.
    pub dropped_fixes: u64,
    /// Whether the last sync attempt reached the server (`None` before the first).
    pub online: Option<bool>,
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(s: core::SyncStatus) -> Self {
        SyncStatus {
            pending: s.pending,
            oldest_pending_at: s.oldest_pending_at,
            last_success_at: s.last_success_at,
            last_error: s.last_error,
            clock_offset_seconds: s.clock_offset_seconds,
            pending_uploads: s.pending_uploads,
            pending_fixes: s.pending_fixes,
            dropped_fixes: s.dropped_fixes,
            online: s.online,
        }
    }
}

/// An action the server refused.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Rejection {
    /// The task.
    pub task_id: String,
    /// Machine code (`unknown_task`, `not_your_task`, `invalid_state`).
    pub code: String,
    /// The server's sentence.
    pub reason: String,
    /// When the phone learned of it, Unix seconds.
    pub rejected_at: i64,
}

impl From<core::Rejection> for Rejection {
    fn from(r: core::Rejection) -> Self {
        Rejection {
            task_id: r.task_id,
            code: r.code,
            reason: r.reason,
            rejected_at: r.rejected_at,
        }
    }
}

/// What a sync listener hears after every action and every sync attempt.
#[derive(Debug, uniffi::Record)]
pub struct SyncEvent {
    /// Pending actions, their age, the last outcome.
    pub status: SyncStatus,
    /// Actions the server refused in this sync: show each to the courier.
    pub new_rejections: Vec<Rejection>,
    /// The token was refused and no fresh one could be had: ask the courier to sign in.
    pub auth_required: bool,
    /// Ratings received or changed (appeal decided) in this sync: announce them.
    pub new_ratings: Vec<Rating>,
}

/// Implemented by the shell to show whether actions have left the phone, and refusals.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// Called on a background thread: hand it to the UI thread.
    fn on_sync_event(&self, event: SyncEvent);
}

struct SyncListenerBridge(Arc<dyn SyncListener>);

impl core::SyncListener for SyncListenerBridge {
    fn on_sync_event(&self, e: core::SyncEvent) {
        self.0.on_sync_event(SyncEvent {
            status: e.status.into(),
            new_rejections: e.new_rejections.into_iter().map(Into::into).collect(),
            auth_required: e.auth_required,
            new_ratings: e.new_ratings.into_iter().map(Into::into).collect(),
        });
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

/// Where a proof attachment is on its way to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UploadState {
    /// Waiting for the network.
    Pending,
    /// On the server.
    Uploaded,
    /// The file disappeared or changed before it was sent: tell the courier.
    Missing,
}

/// A proof attachment (photo, signature) recorded on the phone.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Attachment {
    /// SHA-256 of the bytes, lowercase hex: what actions refer to.
    pub sha256: String,
    /// The file.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// Upload state.
    pub state: UploadState,
    /// Failed upload attempts so far.
    pub attempts: u32,
}

impl From<core::Attachment> for Attachment {
    fn from(a: core::Attachment) -> Self {
        Attachment {
            sha256: a.sha256,
            path: a.path,
            size: a.size,
            state: match a.state {
                core::UploadState::Pending => UploadState::Pending,
                core::UploadState::Uploaded => UploadState::Uploaded,
                core::UploadState::Missing => UploadState::Missing,
            },
            attempts: a.attempts,
        }
    }
}

/// The platform's settings as the phone last received them.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PlatformSettings {
    /// 0 until the platform publishes any (the defaults apply).
    pub version: i64,
    /// Seconds between automatic syncs.
    pub auto_sync_interval_s: u32,
    /// Most GPS fixes kept on the phone.
    pub location_buffer_cap: u64,
    /// Hours a finished task's customer data stays on the phone.
    pub customer_data_retention_h: u32,
    /// Seconds to wait at the door before a customer counts as unreachable.
    pub unreachable_wait_s: u32,
    /// Unanswered contact attempts needed before that.
    pub unreachable_min_attempts: u32,
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
    pub fn tasks(&self) -> Result<Vec<CourierTask>, RunsheetError> {
        Ok(self.inner.tasks()?.into_iter().map(Into::into).collect())
    }

    /// One task.
    pub fn task(&self, task_id: String) -> Result<CourierTask, RunsheetError> {
        Ok(self.inner.task(&task_id)?.into())
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
        Ok(self.inner.attach_file(std::path::Path::new(&path))?.into())
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
        let s = self.inner.settings()?;
        Ok(PlatformSettings {
            version: s.version,
            auto_sync_interval_s: s.auto_sync_interval_s,
            location_buffer_cap: s.location_buffer_cap,
            customer_data_retention_h: s.customer_data_retention_h,
            unreachable_wait_s: s.unreachable_wait_s,
            unreachable_min_attempts: s.unreachable_min_attempts,
        })
    }

    /// Every attachment with its upload state (for an upload progress view).
    pub fn attachments(&self) -> Result<Vec<Attachment>, RunsheetError> {
        Ok(self
            .inner
            .attachments()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Sends saved actions and fetches the dispatcher's changes. Call it after each action, when
    /// the network comes back, and periodically; a failure keeps every action saved.
    pub async fn sync(&self) -> Result<SyncReport, RunsheetError> {
        let r = self.inner.sync().await?;
        Ok(SyncReport {
            pushed: r.pushed,
            duplicates: r.duplicates,
            rejected: r.rejected,
            pulled_changes: r.pulled_changes,
            pending: r.pending,
            uploaded: r.uploaded,
        })
    }

    /// Pending actions and the last sync's outcome.
    pub fn sync_status(&self) -> Result<SyncStatus, RunsheetError> {
        Ok(self.inner.sync_status()?.into())
    }

    /// Actions the server refused, newest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>, RunsheetError> {
        Ok(self
            .inner
            .rejections()?
            .into_iter()
            .map(Into::into)
            .collect())
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
