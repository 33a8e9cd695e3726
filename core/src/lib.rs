//! Runsheet's offline-first courier core.
//!
//! Everything a courier does is saved on the device first, in one SQLite transaction with its
//! outbox row, then sent to the dispatch server when the network allows: never lost, never
//! applied twice. [`Runsheet`] is the one entry point; the FFI crate wraps it for Kotlin and
//! Swift, the CLI and the QA harness drive it directly.
//!
//! Modules are named after courier concepts: [`task`] (tasks, stops and actions), [`outbox`]
//! (actions waiting for the server), [`sync`] (push and pull), [`listener`] (task-list updates),
//! [`store`] and [`schema`] (the SQLite file).

#![deny(missing_docs)]

// The core's types that cross the FFI unchanged are declared here once (Kotlin package
// `app.runsheet.core`, see uniffi.toml); runsheet-ffi enables the feature.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod attachment;
pub mod autosync;
pub mod checklist;
pub mod contact;
pub mod error;
pub mod evidence;
pub mod geo;
pub mod hint;
pub mod listener;
pub mod location;
pub mod outbox;
pub mod plan;
pub mod rating;
pub mod retention;
pub mod route;
pub mod scan;
pub mod schema;
pub mod settings;
pub mod shift;
pub mod store;
pub mod sync;
pub mod task;
pub mod tasklist;
pub mod timeline;
pub mod workflow;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use attachment::{Attachment, UploadState};
pub use autosync::AutoSyncPolicy;
pub use error::{Error, Result};
pub use listener::{Subscription, SyncEvent, SyncListener, TaskListUpdate, TaskListener};
pub use outbox::Rejection;
pub use route::{LocationAccuracy, LocationRequest, NextStopHint, PlannedStop, Route};
pub use runsheet_protocol::{
    Action, ActionContext, ActionLocation, AnswerValue, AppealStatus, ArrivalMethod,
    ChecklistItemDef, ChecklistStage, ChecklistTemplate, Condition, ContactChannel,
    ExceptionReason, ItemDoc, ItemKind, Kpis, LocationSource, MessageTemplate, ProofPolicy,
    RatingDoc, RatingSource, RatingTarget, Settings, ShiftEvent, StopRole, TaskKind, TaskStatus,
    TemperatureClass,
};
pub use shift::{ShiftState, ShiftSummary};
pub use sync::{SyncReport, Token, TokenProvider};
pub use task::{Stop, Task};
pub use tasklist::{Entry, Group, TaskList};
pub use timeline::Event;
pub use workflow::{Blocker, NextAction, Step};

use autosync::AutoSync;
use listener::{Listeners, SyncListeners};
use store::{meta_get, Store};
use sync::Remote;

/// The time source. Production uses [`SystemClock`]; the QA harness supplies a virtual clock.
pub trait Clock: Send + Sync {
    /// Now, as Unix seconds.
    fn now(&self) -> i64;
}

/// The device's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// How to open a core.
#[derive(Clone)]
pub struct Config {
    /// The SQLite file (created if missing).
    pub db_path: PathBuf,
    /// The dispatch server, `http(s)://host:port`.
    pub server_url: String,
    /// The courier's bearer token (kept in memory only).
    pub token: Token,
    /// Time source.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("db_path", &self.db_path)
            .field("server_url", &self.server_url)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Whether the courier's actions have left the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    /// Actions saved on the device and not yet acknowledged by the server.
    pub pending: u64,
    /// Device time of the oldest pending action, Unix seconds.
    pub oldest_pending_at: Option<i64>,
    /// When a sync last completed, Unix seconds.
    pub last_success_at: Option<i64>,
    /// Why the last sync failed, if it did (no personal data).
    pub last_error: Option<String>,
    /// Server time minus device time at the last pull, seconds (positive: the device clock is
    /// behind). Lets the shell warn about a wrong clock and the server order events.
    pub clock_offset_seconds: Option<i64>,
    /// Proof attachments not yet uploaded.
    pub pending_uploads: u64,
    /// GPS fixes buffered on the phone.
    pub pending_fixes: u64,
    /// GPS fixes dropped (buffer full) and not yet reported to the server.
    pub dropped_fixes: u64,
    /// Whether the last sync attempt reached the server (`None` before the first attempt).
    pub online: Option<bool>,
}

/// One courier's device: the store, the sync client and the listeners.
pub struct Runsheet {
    store: Store,
    remote: Remote,
    listeners: Arc<Listeners>,
    sync_listeners: Arc<SyncListeners>,
    token_provider: Mutex<Option<Arc<dyn TokenProvider>>>,
    sync_lock: tokio::sync::Mutex<()>,
    last_error: Mutex<Option<String>>,
    online: Mutex<Option<bool>>,
    clock: Arc<dyn Clock>,
    auto_sync: Mutex<Option<AutoSync>>,
    /// The shell says the app is in the foreground: auto-sync long-polls for changes.
    foreground: Arc<std::sync::atomic::AtomicBool>,
    fix_cap: std::sync::atomic::AtomicU64,
    /// The last GPS fix the shell reported (any accuracy).
    last_fix: Mutex<Option<hint::Fix>>,
    /// The last fix the odometer accepted.
    odometer: Mutex<Option<hint::Fix>>,
    /// Arrival detectors per (task, stop) the courier is heading to.
    detectors: Mutex<std::collections::HashMap<(String, StopRole), hint::ArrivalDetector>>,
    planner: Mutex<route::Planner>,
}

impl Runsheet {
    /// Opens the store (creating or migrating it) and prepares the sync client. No network.
    pub fn open(config: Config) -> Result<Self> {
        let remote = Remote::new(&config.server_url, config.token)?;
        let store = Store::open(&config.db_path)?;
        let settings = store.read(settings::load)?;
        let cap = settings.location_buffer_cap;
        let now = config.clock.now();
        store.write(|tx| {
            task::mark_ended(tx, now)?;
            retention::purge(tx, now, settings.customer_data_retention_h)
        })?;
        Ok(Runsheet {
            store,
            remote,
            listeners: Arc::new(Listeners::default()),
            sync_listeners: Arc::new(SyncListeners::default()),
            token_provider: Mutex::new(None),
            sync_lock: tokio::sync::Mutex::new(()),
            last_error: Mutex::new(None),
            online: Mutex::new(None),
            clock: config.clock,
            auto_sync: Mutex::new(None),
            foreground: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            fix_cap: std::sync::atomic::AtomicU64::new(cap),
            last_fix: Mutex::new(None),
            odometer: Mutex::new(None),
            detectors: Mutex::new(std::collections::HashMap::new()),
            planner: Mutex::new(route::Planner::default()),
        })
    }

    /// The install's client id (made when the database was created).
    pub fn client_id(&self) -> Result<String> {
        self.store.read(|c| {
            meta_get(c, "client_id")?.ok_or_else(|| Error::Corrupt("store has no client id".into()))
        })
    }

    /// The courier's tasks: open ones first by promised time, then finished ones.
    pub fn tasks(&self) -> Result<Vec<Task>> {
        self.store.read(task::list)
    }

    /// One task.
    pub fn task(&self, task_id: &str) -> Result<Task> {
        self.store
            .read(|c| task::get(c, task_id))?
            .ok_or_else(|| Error::TaskNotFound {
                task_id: task_id.to_owned(),
            })
    }

    /// Marks the task delivered: the new state and its outbox mutation are saved in one
    /// transaction before this returns. Returns the mutation id.
    pub fn mark_delivered(&self, task_id: &str) -> Result<i64> {
        self.act(Action::delivered(task_id.to_owned()))
    }

    /// Marks the task delivered with proof attachments (recorded with
    /// [`Runsheet::attach_file`]). The delivery is saved at once; the files follow when the
    /// network allows.
    pub fn mark_delivered_with_proof(&self, task_id: &str, proof: Vec<String>) -> Result<i64> {
        self.act(Action::Delivered {
            task_id: task_id.to_owned(),
            proof,
        })
    }

    /// Records a file the shell wrote (photo, signature) for upload and returns it with its
    /// SHA-256, the id actions refer to.
    pub fn attach_file(&self, path: &std::path::Path) -> Result<Attachment> {
        let now = self.clock.now();
        let a = self.store.write(|tx| attachment::record(tx, path, now))?;
        self.notify_sync(Vec::new(), false, Vec::new());
        Ok(a)
    }

    /// Buffers a GPS fix for dispatch (sent after everything else); returns how many old fixes
    /// were dropped to stay within the buffer cap.
    ///
    /// The fix also drives the shift's odometer (fixes worse than 50 m or implying more than
    /// 40 m/s are ignored) and arrival detection: when the courier has stayed inside the radius
    /// of a stop they are heading to, the arrival is recorded for them (method `gps`).
    pub fn record_location(&self, lat: f64, lon: f64, accuracy_m: f64) -> Result<u64> {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(Error::InvalidArgument(
                "location coordinates are out of range".into(),
            ));
        }
        let now = self.clock.now();
        let fix = hint::Fix {
            lat,
            lon,
            accuracy_m,
            at: now,
        };
        *self.last_fix.lock().unwrap_or_else(|p| p.into_inner()) = Some(fix);
        let ridden = self.odometer_step(fix);
        let cap = self.fix_cap.load(std::sync::atomic::Ordering::Relaxed);
        let dropped = self.store.write(|tx| {
            shift::add_distance(tx, ridden)?;
            location::record(tx, lat, lon, accuracy_m, now, cap)
        })?;
        self.detect_arrivals(fix)?;
        Ok(dropped)
    }

    fn odometer_step(&self, fix: hint::Fix) -> f64 {
        if !fix.accuracy_m.is_finite() || fix.accuracy_m > hint::MAX_FIX_ACCURACY_M {
            return 0.0;
        }
        let mut last = self.odometer.lock().unwrap_or_else(|p| p.into_inner());
        let ridden = match *last {
            Some(l) if fix.at >= l.at => {
                let d = hint::distance_m((l.lat, l.lon), (fix.lat, fix.lon));
                if d / ((fix.at - l.at).max(1) as f64) > hint::MAX_RIDE_SPEED_MPS {
                    return 0.0; // a GPS jump
                }
                d
            }
            Some(_) => return 0.0,
            None => 0.0,
        };
        *last = Some(fix);
        ridden
    }

    /// Most GPS fixes kept on the phone (default [`location::DEFAULT_BUFFER_CAP`]).
    pub fn set_location_buffer_cap(&self, cap: u64) {
        self.fix_cap
            .store(cap.max(1), std::sync::atomic::Ordering::Relaxed);
    }

    /// Every attachment and its upload state.
    pub fn attachments(&self) -> Result<Vec<Attachment>> {
        self.store.read(attachment::list)
    }

    /// Where and with what clock an action happens now.
    fn context(&self, now: i64) -> Result<ActionContext> {
        let offset = self
            .store
            .read(|c| Ok(meta_get(c, "clock_offset")?.and_then(|v| v.parse().ok())))?;
        let location = self
            .last_fix
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|f| {
                let age_s = (now - f.at).max(0);
                ActionLocation {
                    lat: f.lat,
                    lon: f.lon,
                    accuracy_m: f.accuracy_m,
                    age_s,
                    source: if age_s <= 60 {
                        LocationSource::Gps
                    } else {
                        LocationSource::LastKnown
                    },
                }
            });
        Ok(ActionContext {
            clock_offset_s: offset,
            location,
        })
    }

    /// Checks the workflow's guards, applies the action, records it on the timeline and queues
    /// it for the server, all in one transaction.
    fn act(&self, action: Action) -> Result<i64> {
        self.act_with(action, |_| Ok(()))
    }

    /// [`Runsheet::act`] with `also` run in the same transaction (a scan's own row).
    fn act_with(
        &self,
        action: Action,
        also: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<i64> {
        let now = self.clock.now();
        let ctx = self.context(now)?;
        let settings = self.settings()?;
        let id = self.store.write(|tx| {
            // Every file the action refers to must have been recorded with `attach_file`.
            for sha in action.attachments() {
                if attachment::get(tx, sha)?.is_none() {
                    return Err(Error::InvalidArgument(format!(
                        "attachment {sha} was not recorded on this phone"
                    )));
                }
            }
            let shift_state = shift::state(tx)?;
            workflow::check(tx, &action, &settings, shift_state, now)?;
            task::apply_action(tx, &action)?;
            if let Action::Shift { event } = &action {
                shift::apply(tx, *event, now)?;
            }
            task::mark_ended(tx, now)?;
            timeline::record(tx, &action, now, &ctx)?;
            // Arriving starts the stage: its checklist's version is pinned for this task now.
            if let Action::Arrive { task_id, stop, .. } = &action {
                let stage = match stop {
                    StopRole::Pickup => Some(ChecklistStage::Pickup),
                    StopRole::Dropoff => Some(ChecklistStage::Dropoff),
                    StopRole::Return => None,
                };
                if let (Some(stage), Some(t)) = (stage, task::get(tx, task_id)?) {
                    checklist::template_for(tx, Some(&t), stage)?;
                }
            }
            also(tx)?;
            outbox::enqueue(tx, &action, now, Some(&ctx))
        })?;
        tracing::info!(
            mutation_id = id,
            action = action.name(),
            "courier action saved"
        );
        self.notify();
        self.notify_sync(Vec::new(), false, Vec::new());
        self.kick_auto_sync();
        Ok(id)
    }

    /// Asks a running auto-sync loop to sync soon.
    fn kick_auto_sync(&self) {
        if let Some(a) = self
            .auto_sync
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            a.kick();
        }
    }

    /// Pushes pending actions and pulls the server's changes. Safe to call at any time: one
    /// sync runs at a time, and a failed sync changes nothing and keeps every action queued.
    /// When the server refuses the token, the token provider (if any) is asked for a fresh one
    /// and the sync is retried once.
    pub async fn sync(&self) -> Result<SyncReport> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let mut result = sync::run(&self.store, &self.remote, self.clock.now()).await;
        if matches!(result, Err(Error::AuthRequired)) {
            let provider = self
                .token_provider
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            let mut fresh = None;
            if let Some(p) = provider {
                listener::guard("token provider", || fresh = p.fresh_token());
            }
            if let Some(token) = fresh {
                tracing::info!("token refused; retrying once with a fresh token");
                self.remote.set_token(token);
                result = sync::run(&self.store, &self.remote, self.clock.now()).await;
            }
        }
        *self.online.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(!matches!(result, Err(Error::Offline(_))));
        let new_ratings = result
            .as_ref()
            .map(|r| r.new_ratings.clone())
            .unwrap_or_default();
        let (touched, rejected_ids) = match &result {
            Ok(report) => {
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
                tracing::info!(
                    pushed = report.pushed,
                    duplicates = report.duplicates,
                    rejected = report.rejected,
                    pulled = report.pulled_changes,
                    pending = report.pending,
                    "sync done"
                );
                (
                    !report.changed_task_ids.is_empty(),
                    report.rejected_ids.clone(),
                )
            }
            Err(e) => {
                tracing::warn!(error = %e, "sync failed; actions stay queued");
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                (false, Vec::new())
            }
        };
        if result.is_ok() {
            if let Err(e) = self.purge_customer_data() {
                tracing::error!(error = %e, "customer data purge failed");
            }
        }
        if touched {
            self.notify();
        }
        if let Ok(r) = &result {
            if r.settings_changed {
                self.apply_settings();
            }
        }
        self.notify_sync(
            rejected_ids,
            matches!(result, Err(Error::AuthRequired)),
            new_ratings,
        );
        result
    }

    /// Starts syncing on its own: now, after each action, on [`Runsheet::network_available`]
    /// and every `policy.interval`, backing off on failures. Replaces a running loop.
    pub fn start_auto_sync(self: &Arc<Self>, policy: AutoSyncPolicy) -> Result<()> {
        let a = AutoSync::start(Arc::downgrade(self), policy, self.foreground.clone())
            .map_err(|e| Error::InvalidArgument(format!("cannot start auto-sync: {e}")))?;
        *self.auto_sync.lock().unwrap_or_else(|p| p.into_inner()) = Some(a);
        Ok(())
    }

    /// Stops automatic sync (explicit `sync()` calls still work).
    pub fn stop_auto_sync(&self) {
        self.auto_sync
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }

    /// The shell's hint that the network is back: with auto-sync on, sync now and forget the
    /// backoff.
    pub fn network_available(&self) {
        if let Some(a) = self
            .auto_sync
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            a.network_available();
        }
    }

    /// The shell's report that the app is in the foreground (`true`) or not. In the foreground,
    /// auto-sync keeps a long-poll open, so a new or changed task reaches the courier within
    /// about a second of its commit on the server; in the background it falls back to the
    /// periodic sync (and push notifications, see [`Runsheet::handle_push`]).
    pub fn set_foreground(&self, foreground: bool) {
        let was = self
            .foreground
            .swap(foreground, std::sync::atomic::Ordering::SeqCst);
        if was != foreground {
            tracing::debug!(foreground, "app foreground state changed");
            self.kick_auto_sync();
        }
    }

    /// Whether the shell last said the app is in the foreground.
    pub fn is_foreground(&self) -> bool {
        self.foreground.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits up to `wait` (at most 30 s) for the server to have something new for this phone;
    /// true if it has (then [`Runsheet::sync`] fetches it). Nothing is applied here, so this
    /// never contends with a sync.
    pub async fn wait_for_changes(&self, wait: std::time::Duration) -> Result<bool> {
        let at = sync::position(&self.store)?;
        let client_id = self.client_id()?;
        self.remote.wait_for_change(&client_id, &at, wait).await
    }

    /// A push notification's data payload (FCM `data` or APNs user info, as JSON). Returns
    /// true when it is Runsheet's sync hint (`{"runsheet": "sync"}`, at the top level or under
    /// `data`): auto-sync then syncs now, backoff forgotten. A payload for something else is
    /// false; one that is not a JSON object is an [`Error::InvalidArgument`].
    pub fn handle_push(&self, payload: &str) -> Result<bool> {
        let v: serde_json::Value = serde_json::from_str(payload)
            .map_err(|e| Error::InvalidArgument(format!("push payload is not JSON: {e}")))?;
        if !v.is_object() {
            return Err(Error::InvalidArgument(
                "push payload is not a JSON object".into(),
            ));
        }
        let hint =
            |o: &serde_json::Value| o.get("runsheet").and_then(|h| h.as_str()) == Some("sync");
        let ours = hint(&v) || v.get("data").is_some_and(hint);
        if ours {
            tracing::info!("push notification: sync hint");
            self.network_available();
        }
        Ok(ours)
    }

    /// The platform's settings as last received (the defaults, version 0, until then).
    pub fn settings(&self) -> Result<Settings> {
        self.store.read(settings::load)
    }

    fn apply_settings(&self) {
        match self.settings() {
            Ok(s) => {
                tracing::info!(version = s.version, "platform settings applied");
                self.fix_cap
                    .store(s.location_buffer_cap, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => tracing::error!(error = %e, "settings unreadable"),
        }
    }

    /// Sets (or clears) the shell's token provider, asked once for a fresh token on a 401.
    pub fn set_token_provider(&self, provider: Option<Arc<dyn TokenProvider>>) {
        *self
            .token_provider
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = provider;
    }

    /// Subscribes to sync events (outbox state, rejections, sign-in needed); the listener gets
    /// the current state at once.
    pub fn subscribe_sync(&self, listener: Arc<dyn SyncListener>) -> Result<Subscription> {
        let status = self.sync_status()?;
        let id = self.sync_listeners.add(listener.clone());
        let first = SyncEvent {
            status,
            new_rejections: Vec::new(),
            auth_required: false,
            new_ratings: Vec::new(),
        };
        listener::guard("sync listener", || listener.on_sync_event(first));
        let weak = Arc::downgrade(&self.sync_listeners);
        Ok(Subscription::new(move || {
            if let Some(l) = weak.upgrade() {
                l.remove(id);
            }
        }))
    }

    fn notify_sync(&self, rejected_ids: Vec<i64>, auth_required: bool, rating_ids: Vec<String>) {
        let listeners = self.sync_listeners.snapshot();
        if listeners.is_empty() {
            return;
        }
        let event = self.sync_status().and_then(|status| {
            let new_rejections = if rejected_ids.is_empty() {
                Vec::new()
            } else {
                self.rejections()?
                    .into_iter()
                    .filter(|r| rejected_ids.contains(&r.mutation_id))
                    .collect()
            };
            let new_ratings = if rating_ids.is_empty() {
                Vec::new()
            } else {
                self.ratings()?
                    .into_iter()
                    .filter(|r| rating_ids.contains(&r.id))
                    .collect()
            };
            Ok(SyncEvent {
                status,
                new_rejections,
                auth_required,
                new_ratings,
            })
        });
        match event {
            Ok(event) => {
                for l in listeners {
                    let e = event.clone();
                    listener::guard("sync listener", || l.on_sync_event(e));
                }
            }
            Err(e) => tracing::error!(error = %e, "sync state unreadable for listeners"),
        }
    }

    /// Replaces the bearer token (after the courier signs in again).
    pub fn set_token(&self, token: Token) {
        self.remote.set_token(token);
    }

    /// Pending actions, their age and the last sync's outcome.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (pending, oldest_pending_at, last_ok, offset, uploads, fixes) =
            self.store.read(|c| {
                let (n, oldest) = outbox::stats(c)?;
                let last = meta_get(c, "last_sync_ok")?.and_then(|v| v.parse().ok());
                let offset = meta_get(c, "clock_offset")?.and_then(|v| v.parse().ok());
                let uploads = attachment::pending(c)?.len() as u64;
                Ok((n, oldest, last, offset, uploads, location::stats(c)?))
            })?;
        Ok(SyncStatus {
            pending,
            oldest_pending_at,
            last_success_at: last_ok,
            clock_offset_seconds: offset,
            pending_uploads: uploads,
            pending_fixes: fixes.0,
            dropped_fixes: fixes.1,
            online: *self.online.lock().unwrap_or_else(|p| p.into_inner()),
            last_error: self
                .last_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        })
    }

    /// Actions the server refused, newest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>> {
        self.store.read(outbox::rejections)
    }

    /// Subscribes to task-list updates; the listener gets the current list at once.
    pub fn subscribe(&self, listener: Arc<dyn TaskListener>) -> Result<Subscription> {
        let tasks = self.tasks()?;
        let id = self.listeners.add(listener, &tasks);
        Ok(Subscription::for_tasks(Arc::downgrade(&self.listeners), id))
    }

    fn notify(&self) {
        if self.listeners.is_empty() {
            return;
        }
        match self.tasks() {
            Ok(tasks) => self.listeners.notify(&tasks),
            Err(e) => tracing::error!(error = %e, "task list unreadable for listeners"),
        }
    }
}
