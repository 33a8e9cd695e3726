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
//!
//! The concept modules (workflow, checklists, scans, ratings, the shift, the task list) are
//! functions over the phone's state (`device.rs`: store, clock, position, route planner); the
//! action transaction is `action.rs`. No module reaches back to this facade: each method of
//! [`Runsheet`] delegates to one of them, and `cargo xtask imports` fails on any import cycle.

#![deny(missing_docs)]

mod action;
// The core's types that cross the FFI unchanged are declared here once (Kotlin package
// `app.runsheet.core`, see uniffi.toml); runsheet-ffi enables the feature.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod attachment;
pub mod autosync;
pub mod blocker;
pub mod capacity;
pub mod cases;
pub mod cash;
pub mod checklist;
pub mod clock;
pub mod contact;
pub mod custody;
mod device;
pub mod earnings;
pub mod error;
pub mod evidence;
pub mod geo;
pub mod handover;
pub mod hint;
pub mod listener;
pub mod location;
pub mod locker;
mod nearby_handover;
pub mod offer;
pub mod offer_impact;
pub mod outbox;
pub mod plan;
mod push_token;
pub use push_token::PushPlatform;
pub mod rating;
pub mod recall;
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
pub mod training;
pub mod wording;
pub mod workflow;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use attachment::{Attachment, UploadState};
pub use autosync::AutoSyncPolicy;
pub use capacity::BoxState;
pub use cases::CourierCase;
pub use clock::{Clock, SystemClock};
pub use custody::Custody;
pub use error::{Error, Result};
pub use handover::{HandoverBag, HandoverProgress};
pub use listener::{Subscription, SyncEvent, SyncListener, TaskListUpdate, TaskListener};
pub use offer::{CourierOffer, OfferState, OfferedTask};
pub use offer_impact::{OfferImpact, StopAtRisk};
pub use outbox::Rejection;
pub use recall::RecalledItem;
pub use route::{LocationAccuracy, LocationRequest, NextStopHint, PlannedStop, Route};
pub use runsheet_protocol::{
    box_overflow, order_load, Compartment, Load, Overflow, VehicleDoc, VehicleKind,
};
pub use runsheet_protocol::{
    Action, ActionContext, ActionLocation, AnswerValue, AppealStatus, ArrivalMethod,
    ChecklistItemDef, ChecklistStage, ChecklistTemplate, Condition, ContactChannel,
    ExceptionReason, HandoverDoc, HandoverReason, HandoverSide, HandoverStatus, ItemDoc, ItemKind,
    Kpis, LocationSource, MessageTemplate, ProofPolicy, RatingDoc, RatingSource, RatingTarget,
    Settings, ShiftEvent, StopRole, TaskKind, TaskStatus, TemperatureClass,
};
pub use runsheet_protocol::{DeclineReason, OfferStatus};
pub use runsheet_protocol::{QualificationDoc, QuizGrade, TrainingModule};
pub use runsheet_words::{Args, Language, Words};
pub use shift::{ShiftState, ShiftSummary};
pub use store::DbKey;
pub use sync::http::HttpRemote;
pub use sync::{PullPosition, Remote, SyncReport, SyncStatus, Token, TokenProvider};
pub use task::{Stop, Task};
pub use tasklist::{Entry, Group, TaskList};
pub use timeline::Event;
pub use training::{CourierModule, QuizAttempt, TrainingState};
pub use workflow::{Blocker, NextAction, Step};

use autosync::AutoSync;
use checklist::Checklist;
use device::{change, Device};
use listener::{Listeners, SyncListeners};
use rating::Period;
use scan::confirm::{Progress, ScanOutcome};
use scan::handoff::HandoffCheck;
use scan::Symbology;
use store::{meta_get, Store};

/// How to open a core.
#[derive(Clone)]
pub struct Config {
    /// The SQLite file (created if missing).
    pub db_path: PathBuf,
    /// The key the file is encrypted under (the phone always gives one; `None`: unencrypted,
    /// for tools and tests).
    pub db_key: Option<DbKey>,
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
            .field("db_key", &self.db_key)
            .field("server_url", &self.server_url)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// One courier's device: the store, the sync client and the listeners. Each method delegates
/// to the concept module it belongs to; what is left here is telling listeners and auto-sync
/// what a call changed.
pub struct Runsheet {
    dev: Device,
    remote: Arc<dyn Remote>,
    listeners: Arc<Listeners>,
    sync_listeners: Arc<SyncListeners>,
    token_provider: Mutex<Option<Arc<dyn TokenProvider>>>,
    sync_lock: tokio::sync::Mutex<()>,
    last_error: Mutex<Option<String>>,
    online: Mutex<Option<bool>>,
    auto_sync: Mutex<Option<AutoSync>>,
    /// The shell says the app is in the foreground: auto-sync long-polls for changes.
    foreground: Arc<AtomicBool>,
    /// Syncs started since the core opened: a long-poll's page is kept only for the next sync
    /// when no sync started while it waited.
    syncs_started: AtomicU64,
    /// The page the last long-poll brought (see [`Runsheet::wait_for_changes`]): the syncs
    /// started when it began, the position it asked from, the page.
    prefetched: Mutex<Option<(u64, sync::Page)>>,
}

impl Runsheet {
    /// Opens the store (creating or migrating it) and prepares the sync client over HTTP to
    /// `config.server_url`. No network.
    pub fn open(config: Config) -> Result<Self> {
        let remote = HttpRemote::new(&config.server_url, config.token.clone())?;
        Self::open_with_remote(config, Arc::new(remote))
    }

    /// Opens the store like [`Runsheet::open`], syncing through `remote` instead of HTTP: a
    /// platform's own transport, or a scripted server in tests. `config.server_url` is not
    /// used; `config.token` is handed to the remote ([`Remote::set_token`]).
    pub fn open_with_remote(config: Config, remote: Arc<dyn Remote>) -> Result<Self> {
        remote.set_token(config.token);
        let store = match &config.db_key {
            Some(key) => Store::open_encrypted(&config.db_path, key)?,
            None => Store::open(&config.db_path)?,
        };
        let settings = store.read(settings::load)?;
        let now = config.clock.now();
        store.write(|tx| {
            task::mark_ended(tx, now)?;
            retention::purge(tx, now, settings.customer_data_retention_h)
        })?;
        let dev = Device::new(
            store,
            config.clock,
            action::record,
            settings.location_buffer_cap,
        );
        Ok(Runsheet {
            dev,
            remote,
            listeners: Arc::new(Listeners::default()),
            sync_listeners: Arc::new(SyncListeners::default()),
            token_provider: Mutex::new(None),
            sync_lock: tokio::sync::Mutex::new(()),
            last_error: Mutex::new(None),
            online: Mutex::new(None),
            auto_sync: Mutex::new(None),
            foreground: Arc::new(AtomicBool::new(false)),
            syncs_started: AtomicU64::new(0),
            prefetched: Mutex::new(None),
        })
    }

    /// Now, by the core's clock (Unix seconds): what every rule and screen uses.
    pub fn now(&self) -> i64 {
        self.dev.now()
    }

    /// The install's client id (made when the database was created).
    pub fn client_id(&self) -> Result<String> {
        self.dev.store.read(|c| {
            meta_get(c, "client_id")?.ok_or_else(|| Error::Corrupt("store has no client id".into()))
        })
    }

    /// The courier's tasks: open ones first by promised time, then finished ones.
    pub fn tasks(&self) -> Result<Vec<Task>> {
        self.dev.tasks()
    }

    /// One task.
    pub fn task(&self, task_id: &str) -> Result<Task> {
        self.dev.task(task_id)
    }

    /// Marks the task delivered: the new state and its outbox mutation are saved in one
    /// transaction before this returns. Returns the mutation id.
    pub fn mark_delivered(&self, task_id: &str) -> Result<i64> {
        self.told(self.dev.act(Action::delivered(task_id.to_owned())))
    }

    /// Marks the task delivered with proof attachments (recorded with
    /// [`Runsheet::attach_file`]). The delivery is saved at once; the files follow when the
    /// network allows.
    pub fn mark_delivered_with_proof(&self, task_id: &str, proof: Vec<String>) -> Result<i64> {
        self.told(self.dev.act(Action::Delivered {
            task_id: task_id.to_owned(),
            proof,
        }))
    }

    /// Records a file the shell wrote (photo, signature) for upload and returns it with its
    /// SHA-256, the id actions refer to.
    pub fn attach_file(&self, path: &std::path::Path) -> Result<Attachment> {
        let now = self.dev.now();
        let a = self
            .dev
            .store
            .write(|tx| attachment::record(tx, path, now))?;
        self.dev.note(change::SYNC_STATE);
        self.told(Ok(a))
    }

    /// Buffers a GPS fix for dispatch (sent after everything else); returns how many old fixes
    /// were dropped to stay within the buffer cap.
    ///
    /// The fix also drives the shift's odometer (fixes worse than 50 m or implying more than
    /// 40 m/s are ignored) and arrival detection: when the courier has stayed inside the radius
    /// of a stop they are heading to, the arrival is recorded for them (method `gps`).
    pub fn record_location(&self, lat: f64, lon: f64, accuracy_m: f64) -> Result<u64> {
        self.told(workflow::record_location(&self.dev, lat, lon, accuracy_m))
    }

    /// Most GPS fixes kept on the phone (default [`location::DEFAULT_BUFFER_CAP`]).
    pub fn set_location_buffer_cap(&self, cap: u64) {
        self.dev.tracker.set_cap(cap);
    }

    /// Every attachment and its upload state.
    pub fn attachments(&self) -> Result<Vec<Attachment>> {
        self.dev.store.read(attachment::list)
    }

    /// Pushes pending actions and pulls the server's changes. Safe to call at any time: one
    /// sync runs at a time, and a failed sync changes nothing and keeps every action queued.
    /// When the server refuses the token, the token provider (if any) is asked for a fresh one
    /// and the sync is retried once.
    pub async fn sync(&self) -> Result<SyncReport> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let store = &self.dev.store;
        // The long-poll's page, if no other sync started since it began (sync checks the rest:
        // nothing pushed, the store still where the long-poll asked from).
        let started = self.syncs_started.fetch_add(1, Ordering::SeqCst);
        let prefetched = lock(&self.prefetched)
            .take()
            .and_then(|(syncs, page)| (syncs == started).then_some(page));
        let mut result = sync::run(store, self.remote.as_ref(), self.dev.now(), prefetched).await;
        if matches!(result, Err(Error::AuthRequired)) {
            let provider = lock(&self.token_provider).clone();
            let mut fresh = None;
            if let Some(p) = provider {
                listener::guard("token provider", || fresh = p.fresh_token());
            }
            if let Some(token) = fresh {
                tracing::info!("token refused; retrying once with a fresh token");
                self.remote.set_token(token);
                result = sync::run(store, self.remote.as_ref(), self.dev.now(), None).await;
            }
        }
        *lock(&self.online) = Some(!matches!(result, Err(Error::Offline(_))));
        let (touched, rejected_ids, new_ratings, cases_asking, withdrawn, pay_appeals) =
            match &result {
                Ok(report) => {
                    *lock(&self.last_error) = None;
                    tracing::info!(
                        pushed = report.pushed,
                        duplicates = report.duplicates,
                        rejected = report.rejected,
                        pulled = report.pulled_changes,
                        pending = report.pending,
                        "sync done"
                    );
                    (
                        // A recall can block a task's handoff, a new box a pickup: the task list
                        // shows it.
                        !report.changed_task_ids.is_empty()
                            || !report.changed_recalls.is_empty()
                            || report.vehicle_changed,
                        report.rejected_ids.clone(),
                        report.new_ratings.clone(),
                        report.cases_asking.clone(),
                        report.withdrawn_offers.clone(),
                        report.decided_pay_appeals.clone(),
                    )
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sync failed; actions stay queued");
                    *lock(&self.last_error) = Some(e.to_string());
                    (
                        false,
                        Vec::new(),
                        Vec::new(),
                        Vec::new(),
                        Vec::new(),
                        Vec::new(),
                    )
                }
            };
        if result.is_ok() {
            if let Err(e) = retention::purge_customer_data(&self.dev) {
                tracing::error!(error = %e, "customer data purge failed");
            }
        }
        let changes = self.dev.take_changes();
        if touched || changes & change::TASKS != 0 {
            self.notify();
        }
        if changes & change::TO_SEND != 0 {
            self.kick_auto_sync();
        }
        if let Ok(r) = &result {
            if r.settings_changed {
                self.apply_settings();
            }
        }
        self.notify_sync(SyncNews {
            rejected_ids,
            auth_required: matches!(result, Err(Error::AuthRequired)),
            rating_ids: new_ratings,
            case_ids: cases_asking,
            withdrawn_offers: withdrawn,
            pay_appeal_ids: pay_appeals,
        });
        result
    }

    /// Starts syncing on its own: now, after each action, on [`Runsheet::network_available`]
    /// and every `policy.interval`, backing off on failures. Replaces a running loop.
    pub fn start_auto_sync(self: &Arc<Self>, policy: AutoSyncPolicy) -> Result<()> {
        let a = AutoSync::start(Arc::downgrade(self), policy, self.foreground.clone())
            .map_err(|e| Error::InvalidArgument(format!("cannot start auto-sync: {e}")))?;
        *lock(&self.auto_sync) = Some(a);
        Ok(())
    }

    /// Stops automatic sync (explicit `sync()` calls still work).
    pub fn stop_auto_sync(&self) {
        lock(&self.auto_sync).take();
    }

    /// The shell's hint that the network is back: with auto-sync on, sync now and forget the
    /// backoff.
    pub fn network_available(&self) {
        if let Some(a) = lock(&self.auto_sync).as_ref() {
            a.network_available();
        }
    }

    /// The shell's report that the app is in the foreground (`true`) or not. In the foreground,
    /// auto-sync keeps a long-poll open, so a new or changed task reaches the courier within
    /// about a second of its commit on the server; in the background it falls back to the
    /// periodic sync (and push notifications, see [`Runsheet::handle_push`]).
    pub fn set_foreground(&self, foreground: bool) {
        let was = self.foreground.swap(foreground, Ordering::SeqCst);
        if was != foreground {
            tracing::debug!(foreground, "app foreground state changed");
            self.kick_auto_sync();
        }
    }

    /// Whether the shell last said the app is in the foreground.
    pub fn is_foreground(&self) -> bool {
        self.foreground.load(Ordering::SeqCst)
    }

    /// Waits up to `wait` (at most 30 s) for the server to have something new for this phone;
    /// true if it has (then [`Runsheet::sync`] applies it). Nothing is applied here, so this
    /// never contends with a sync; the page the server answered is kept in memory, and the
    /// next sync takes it as its first page instead of pulling it again, when nothing is
    /// queued and no other sync moved the phone on meanwhile.
    pub async fn wait_for_changes(&self, wait: Duration) -> Result<bool> {
        // The position is read with no sync running (else the page is not kept: that sync may
        // acknowledge what the page predates), and the next sync keeps the page only if no
        // other sync started since.
        let (syncs, at) = {
            let idle = self.sync_lock.try_lock().ok();
            let syncs = idle
                .as_ref()
                .map(|_| self.syncs_started.load(Ordering::SeqCst));
            (syncs, sync::position(&self.dev.store)?)
        };
        let client_id = self.client_id()?;
        let page = self
            .remote
            .wait_for_change(&client_id, &at, wait)
            .await?
            .filter(|p| !p.is_quiet());
        let news = page.is_some();
        if let (Some(syncs), Some(page)) = (syncs, page) {
            *lock(&self.prefetched) = Some((syncs, (at, page)));
        }
        Ok(news)
    }

    /// A push notification's data payload (FCM `data` or APNs user info, as JSON). Returns
    /// true when it is Runsheet's sync hint (`{"runsheet": "sync"}`, at the top level or under
    /// `data`): auto-sync then syncs now, backoff forgotten. A payload for something else is
    /// false; one that is not a JSON object is an [`Error::InvalidArgument`].
    pub fn handle_push(&self, payload: &str) -> Result<bool> {
        let ours = autosync::is_sync_hint(payload)?;
        if ours {
            tracing::info!("push notification: sync hint");
            self.network_available();
        }
        Ok(ours)
    }

    /// Keeps the token `platform`'s push service issued to this install (FCM's `onNewToken`,
    /// APNs' device token as hex), so that dispatch can wake the phone with the sync hint of
    /// [`Runsheet::handle_push`]. Works offline: the next sync sends it to the server, once, and
    /// again only when it changes. An empty token, one over
    /// [`runsheet_protocol::MAX_PUSH_TOKEN_CHARS`] characters or with a character outside
    /// printable ASCII is an [`Error::InvalidArgument`].
    pub fn register_push_token(&self, token: &str, platform: PushPlatform) -> Result<()> {
        self.dev
            .store
            .write(|tx| push_token::register(tx, token, platform))?;
        tracing::info!(
            platform = platform.as_str(),
            "push token kept for the next sync"
        );
        self.network_available();
        Ok(())
    }

    /// The platform's settings as last received (the defaults, version 0, until then).
    pub fn settings(&self) -> Result<Settings> {
        self.dev.settings()
    }

    fn apply_settings(&self) {
        match self.settings() {
            Ok(s) => {
                tracing::info!(version = s.version, "platform settings applied");
                self.dev.tracker.set_cap(s.location_buffer_cap);
            }
            Err(e) => tracing::error!(error = %e, "settings unreadable"),
        }
    }

    /// Sets (or clears) the shell's token provider, asked once for a fresh token on a 401.
    pub fn set_token_provider(&self, provider: Option<Arc<dyn TokenProvider>>) {
        *lock(&self.token_provider) = provider;
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
            cases_asking: Vec::new(),
            withdrawn_offers: Vec::new(),
            decided_pay_appeals: Vec::new(),
        };
        listener::guard("sync listener", || listener.on_sync_event(first));
        let weak = Arc::downgrade(&self.sync_listeners);
        Ok(Subscription::new(move || {
            if let Some(l) = weak.upgrade() {
                l.remove(id);
            }
        }))
    }

    /// Replaces the bearer token (after the courier signs in again).
    pub fn set_token(&self, token: Token) {
        self.remote.set_token(token);
    }

    /// Pending actions, their age and the last sync's outcome.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        sync::status(
            &self.dev.store,
            *lock(&self.online),
            lock(&self.last_error).clone(),
        )
    }

    /// Actions the server refused, newest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>> {
        self.dev.store.read(outbox::rejections)
    }

    /// Subscribes to task-list updates; the listener gets the current list at once.
    pub fn subscribe(&self, listener: Arc<dyn TaskListener>) -> Result<Subscription> {
        let tasks = self.tasks()?;
        let id = self.listeners.add(listener, &tasks);
        Ok(Subscription::for_tasks(Arc::downgrade(&self.listeners), id))
    }

    // Checklists (`checklist.rs`).

    /// The checklist of a task's stage (`task_id` `None`: the start-of-shift checklist).
    pub fn checklist(
        &self,
        task_id: Option<&str>,
        stage: ChecklistStage,
    ) -> Result<Option<Checklist>> {
        checklist::for_stage(&self.dev, task_id, stage)
    }

    /// Answers a checklist item. The answer is checked against the item's kind; one outside
    /// what the procedure allows (a chilled box at 9 °C) is recorded and also raises an
    /// exception report. Returns whether the answer was within the procedure.
    pub fn answer(
        &self,
        task_id: Option<&str>,
        stage: ChecklistStage,
        item_id: &str,
        value: AnswerValue,
    ) -> Result<bool> {
        self.told(checklist::answer(&self.dev, task_id, stage, item_id, value))
    }

    /// Everything that happened to a task, for appeals and after-sales: the task's
    /// facts (no customer name, phone or address), its timeline (arrivals, actions, contact
    /// attempts, exceptions, with time, clock offset and location), its scans, its checklist
    /// answers with the template versions, and its attachments with their upload state.
    pub fn evidence_bundle(&self, task_id: &str) -> Result<evidence::EvidenceBundle> {
        checklist::evidence_bundle(&self.dev, task_id)
    }

    // Ratings and KPIs (`rating.rs`).

    /// The ratings received, newest first.
    pub fn ratings(&self) -> Result<Vec<RatingDoc>> {
        self.dev.store.read(rating::list)
    }

    /// The courier's figures for a period, against the platform's targets.
    pub fn kpis(&self, period: Period) -> Result<Kpis> {
        rating::kpis(&self.dev, period)
    }

    /// Rates the merchant or the drop-off of a task (1–5 stars, tags, a note such as access
    /// notes for the next courier). Queued offline; rating again within
    /// [`rating::RATE_WINDOW_H`] hours after the task ended replaces the earlier rating.
    pub fn rate_stop(
        &self,
        task_id: &str,
        target: RatingTarget,
        stars: u8,
        tags: Vec<String>,
        note: Option<String>,
    ) -> Result<i64> {
        self.told(rating::rate_stop(
            &self.dev, task_id, target, stars, tags, note,
        ))
    }

    /// Appeals a rating or penalty with a reason, within the platform's window (72 h by
    /// default) after it was given; the task's evidence bundle goes with it. The decision comes
    /// back with a later pull; an upheld appeal takes the rating out of the KPIs.
    pub fn appeal(&self, rating_id: &str, reason: &str) -> Result<i64> {
        self.told(rating::appeal(&self.dev, rating_id, reason))
    }

    // After-sales cases (`cases.rs`).

    /// The after-sales cases about the courier's deliveries: those waiting for the courier
    /// first, then the others newest first.
    pub fn cases(&self) -> Result<Vec<CourierCase>> {
        self.dev.store.read(cases::list)
    }

    /// One case, or [`Error::CaseNotFound`].
    pub fn case(&self, case_id: i64) -> Result<CourierCase> {
        self.dev.store.read(|c| cases::get(c, case_id))
    }

    /// The cases about a task, and the case a follow-up task was created for.
    pub fn cases_for_task(&self, task_id: &str) -> Result<Vec<CourierCase>> {
        self.dev.store.read(|c| cases::for_task(c, task_id))
    }

    /// Answers a case with a statement (1 to [`cases::MAX_STATEMENT_CHARS`] characters); the
    /// task's evidence bundle goes with it. Refused with [`Error::CaseNotFound`] or
    /// [`Error::CaseSettled`]; queued offline, shown as answered until the server confirms.
    pub fn answer_case(&self, case_id: i64, statement: &str) -> Result<i64> {
        self.told(cases::answer(&self.dev, case_id, statement))
    }

    /// The courier's after-sales figures for a period (the function the server uses).
    pub fn case_figures(&self, period: Period) -> Result<runsheet_protocol::CaseFigures> {
        cases::figures(&self.dev, period)
    }

    // Earnings (`earnings.rs`).

    /// The courier's earnings for the day or week holding `at` (server clock; `None`: now):
    /// the server's confirmed lines, the lines the phone expects for deliveries and bonuses
    /// not yet confirmed, their totals, and the week's incentive progress.
    pub fn earnings(
        &self,
        period: earnings::EarningsPeriod,
        at: Option<i64>,
    ) -> Result<earnings::Earnings> {
        earnings::earnings(&self.dev, period, at)
    }

    /// Appeals a confirmed earning line with a reason, within the appeal window. Queued
    /// offline; the decision comes back with a later pull.
    pub fn appeal_pay(&self, line_id: &str, reason: &str) -> Result<i64> {
        self.told(earnings::appeal_pay(&self.dev, line_id, reason))
    }

    // Recalls (`recall.rs`).

    /// The recalls on the phone, lifted ones included.
    pub fn recalls(&self) -> Result<Vec<runsheet_protocol::RecallDoc>> {
        self.dev.store.read(recall::list)
    }

    /// The task's items a recall in force covers and that are still to be set aside.
    pub fn recalled_items(&self, task_id: &str) -> Result<Vec<RecalledItem>> {
        let t = self.dev.task(task_id)?;
        self.dev.store.read(|c| recall::recalled_items(c, &t))
    }

    /// The task's items set aside because of a recall.
    pub fn set_aside_items(&self, task_id: &str) -> Result<Vec<String>> {
        self.dev.store.read(|c| recall::set_aside_items(c, task_id))
    }

    /// Sets a recalled item of the task aside: it is not handed over and the handoff no longer
    /// waits for it. Queued offline like every action.
    pub fn set_aside(&self, task_id: &str, item_code: &str) -> Result<i64> {
        self.told(recall::set_aside(&self.dev, task_id, item_code))
    }

    // Offers of work (`offer.rs`, `offer_impact.rs`).

    /// The offers on the phone, newest first, with their state and the seconds left to answer
    /// (counted on the server's clock).
    pub fn offers(&self) -> Result<Vec<CourierOffer>> {
        let now = self.server_now()?;
        self.dev.store.read(|c| offer::list(c, now))
    }

    /// One offer, or [`Error::OfferNotFound`].
    pub fn offer(&self, offer_id: i64) -> Result<CourierOffer> {
        let now = self.server_now()?;
        self.dev.store.read(|c| offer::get(c, offer_id, now))
    }

    /// What accepting the offer would do to the current plan: extra time and distance, and
    /// the promised times it puts at risk.
    pub fn offer_impact(&self, offer_id: i64) -> Result<OfferImpact> {
        let o = self.offer(offer_id)?;
        let tasks = self.dev.tasks()?;
        let route = self.dev.route_for(&tasks)?;
        let now = self.dev.now();
        let room = self
            .dev
            .store
            .read(capacity::vehicle)?
            .map(|v| v.capacity());
        Ok(offer_impact::impact(
            &tasks,
            &route,
            &o.tasks,
            room,
            self.dev.last_position(),
            now,
            self.dev.speed_now(now)?,
        ))
    }

    /// Accepts an offer: queued offline, shown as sent until the server confirms it (the tasks
    /// then arrive with the pull) or refuses it as too late. [`Error::OfferExpired`] once its
    /// time is up; [`Error::OfferAnswered`] when already answered.
    pub fn accept_offer(&self, offer_id: i64) -> Result<i64> {
        self.told(offer::accept(&self.dev, offer_id))
    }

    /// Declines an offer with a reason (and an optional note of at most 500 characters).
    pub fn decline_offer(
        &self,
        offer_id: i64,
        reason: runsheet_protocol::DeclineReason,
        note: Option<&str>,
    ) -> Result<i64> {
        self.told(offer::decline(&self.dev, offer_id, reason, note))
    }

    /// Now by the server's clock: the device clock plus the offset measured at the last sync.
    pub fn server_now(&self) -> Result<i64> {
        Ok(self.dev.now() + self.dev.clock_offset()?.unwrap_or(0))
    }

    // Training and qualifications (`training.rs`).

    /// Every training module on the phone with where the courier stands (qualified, expiring
    /// soon, expired, failed, passed and waiting for the server, never taken).
    pub fn training(&self) -> Result<Vec<training::CourierModule>> {
        let now = self.dev.now();
        self.dev.store.read(|c| training::courier_modules(c, now))
    }

    /// One module with where the courier stands, or [`Error::ModuleNotFound`].
    pub fn training_module(&self, module_id: &str) -> Result<training::CourierModule> {
        self.training()?
            .into_iter()
            .find(|m| m.module.id == module_id)
            .ok_or_else(|| Error::ModuleNotFound {
                module_id: module_id.to_owned(),
            })
    }

    /// Answers a module's quiz offline (one choice index per question): graded on the phone
    /// with the server's function, queued for the server, which records the qualification.
    /// Refused with [`Error::ModuleReplaced`] when the version answered is no longer the
    /// module's, and nothing is recorded.
    pub fn take_quiz(&self, module_id: &str, version: i64, answers: Vec<u32>) -> Result<QuizGrade> {
        self.told(training::take_quiz(&self.dev, module_id, version, answers))
    }

    /// The reminders of qualifications about to expire that are due now and were not given
    /// yet, recorded as given in the store (so a restart does not repeat them): the screens
    /// notify each once ([`training::due_reminders`]: within
    /// [`training::EXPIRY_REMINDER_DAYS`] days of the expiry, and again on its day in the
    /// city's time).
    pub fn take_qualification_reminders(&self) -> Result<Vec<training::QualificationReminder>> {
        let now = self.dev.now();
        let offset = self.settings()?.utc_offset_min;
        self.dev.store.write(|tx| {
            let due = training::due_reminders(tx, now, offset)?;
            for r in &due {
                training::mark_reminded(tx, r, now)?;
            }
            Ok(due)
        })
    }

    /// The qualifications the server confirmed.
    pub fn qualifications(&self) -> Result<Vec<QualificationDoc>> {
        self.dev.store.read(training::qualifications)
    }

    // Cash on delivery (`cash.rs`) and lockers (`locker.rs`).

    /// Records the cash collected at the door of a cash-on-delivery task and the change given,
    /// as typed ("50", "4.50", in the amount due's currency). An amount with more decimals than
    /// the currency allows is refused ([`Error::InvalidAmount`]) and nothing is recorded; when
    /// collected minus change is not the amount due, `reason` says why (it is reported).
    pub fn collect_cash(
        &self,
        task_id: &str,
        collected: &str,
        change: &str,
        reason: Option<String>,
    ) -> Result<i64> {
        self.told(cash::collect(&self.dev, task_id, collected, change, reason))
    }

    /// What was recorded at a task's door, if anything.
    pub fn cash_collection(
        &self,
        task_id: &str,
    ) -> Result<Option<runsheet_protocol::CashCollection>> {
        self.dev.store.read(|c| cash::collection(c, task_id))
    }

    /// The cash the courier holds (collected minus change since the last hand-in), one amount
    /// per currency.
    pub fn cash_held(&self) -> Result<Vec<runsheet_protocol::Money>> {
        self.dev.store.read(cash::held)
    }

    /// Hands in the cash held, as the courier counted it out (typed); returns the balance
    /// against what the phone counted. The server reconciles it and reports a discrepancy.
    pub fn hand_in_cash(&self, handed: &str) -> Result<cash::HandIn> {
        self.told(cash::hand_in(&self.dev, handed))
    }

    /// The latest hand-in, if any.
    pub fn last_hand_in(&self) -> Result<Option<cash::HandIn>> {
        self.dev.store.read(cash::last_hand_in)
    }

    /// Records a locker or pickup-point drop-off: the locker's label and the compartment, both
    /// scanned. A label that is not the task's locker's is refused ([`Error::WrongLocker`]).
    pub fn locker_drop(&self, task_id: &str, locker_code: &str, compartment: &str) -> Result<i64> {
        self.told(locker::drop_off(
            &self.dev,
            task_id,
            locker_code,
            compartment,
        ))
    }

    /// The locker drop-off recorded for a task, if any.
    pub fn locker_drop_of(&self, task_id: &str) -> Result<Option<locker::LockerDrop>> {
        self.dev.store.read(|c| locker::drop_of(c, task_id))
    }

    // Customer data retention (`retention.rs`).

    /// Wipes the customer data of tasks that ended longer ago than the platform's retention
    /// (24 h by default) and checkpoints the write-ahead log so the old bytes leave the disk.
    /// Runs on open and after every sync; returns how many tasks were purged now.
    pub fn purge_customer_data(&self) -> Result<u32> {
        self.told(retention::purge_customer_data(&self.dev))
    }

    // The shift (`shift.rs`).

    /// Goes on duty.
    pub fn start_shift(&self) -> Result<i64> {
        self.told(shift::change(&self.dev, ShiftEvent::Start))
    }

    /// Starts a break (new tasks cannot be accepted during it).
    pub fn start_break(&self) -> Result<i64> {
        self.told(shift::change(&self.dev, ShiftEvent::BreakStart))
    }

    /// Ends the break.
    pub fn end_break(&self) -> Result<i64> {
        self.told(shift::change(&self.dev, ShiftEvent::BreakEnd))
    }

    /// Goes off duty; refused while goods are in the box.
    pub fn end_shift(&self) -> Result<i64> {
        self.told(shift::change(&self.dev, ShiftEvent::End))
    }

    /// The shift's state.
    pub fn shift_state(&self) -> Result<ShiftState> {
        self.dev.store.read(shift::state)
    }

    /// The shift's summary: at the start, the open tasks and the projected finish; at the
    /// end, what was done, failed, on time, and the distance ridden.
    pub fn shift_summary(&self) -> Result<ShiftSummary> {
        shift::shift_summary(&self.dev)
    }

    // The route and the task list (`device.rs`, `tasklist.rs`).

    /// The open tasks' stops in the planned order, with projected times and risks.
    pub fn route(&self) -> Result<Route> {
        self.dev.route()
    }

    /// The vehicle and box dispatch set for the courier, as last received (`None` until then).
    pub fn vehicle(&self) -> Result<Option<VehicleDoc>> {
        self.dev.store.read(capacity::vehicle)
    }

    /// The box now: the load of the goods on board and the room.
    pub fn box_state(&self) -> Result<capacity::BoxState> {
        self.dev.store.read(capacity::box_state)
    }

    /// The riding speed the plan and the hints use now: the platform's for this hour when it
    /// publishes a profile, else [`route::SPEED_MPS`].
    pub fn speed_now(&self, now: i64) -> Result<f64> {
        self.dev.speed_now(now)
    }

    /// The grouped task list with each task's primary action.
    pub fn task_list(&self) -> Result<TaskList> {
        tasklist::task_list(&self.dev)
    }

    /// The task list and the route it follows, from one read of the tasks (what a screen of the
    /// list needs).
    pub fn task_list_and_route(&self) -> Result<(TaskList, Route)> {
        tasklist::task_list_and_route(&self.dev)
    }

    /// The shift's one primary action: start the shift, end the break, the next planned
    /// stop's action, or end the shift when nothing is open.
    pub fn shift_next_action(&self) -> Result<NextAction> {
        tasklist::shift_next_action(&self.dev)
    }

    /// The stop the courier is heading to, with distance, direction, ETA and risk.
    pub fn next_stop_hint(&self) -> Result<Option<NextStopHint>> {
        tasklist::next_stop_hint(&self.dev)
    }

    /// The location accuracy and interval the shell should request now (fine near the next
    /// stop, coarse far from it, off when off duty).
    pub fn location_request(&self) -> Result<LocationRequest> {
        tasklist::location_request(&self.dev)
    }

    // The task workflow (`workflow.rs`).

    /// Accepts a task.
    pub fn accept(&self, task_id: &str) -> Result<i64> {
        self.told(workflow::accept(&self.dev, task_id))
    }

    /// Confirms by hand that the courier is at the task's current stop, with a reason (GPS
    /// failed, indoor, wrong pin). Arrivals GPS detects are recorded without it.
    pub fn arrive_manually(&self, task_id: &str, reason: &str) -> Result<i64> {
        self.told(workflow::arrive_manually(&self.dev, task_id, reason))
    }

    /// The goods are in the box.
    pub fn pick_up(&self, task_id: &str) -> Result<i64> {
        self.told(workflow::pick_up(&self.dev, task_id))
    }

    /// Reports an exception. Reasons that end the delivery (customer unreachable, wrong
    /// address, refused, damaged goods) fail it and start the return leg; the others (merchant
    /// delay with its new ready time, breakdown, accident) are reported and the task goes on.
    /// Photos are attachments recorded with [`Runsheet::attach_file`].
    pub fn report_exception(
        &self,
        task_id: &str,
        reason: ExceptionReason,
        note: Option<String>,
        photos: Vec<String>,
        ready_at: Option<i64>,
    ) -> Result<i64> {
        self.told(workflow::report_exception(
            &self.dev, task_id, reason, note, photos, ready_at,
        ))
    }

    /// Reports that the merchant needs `ready_in_min` more minutes: the pickup's ready time moves
    /// to that many minutes from now by the core's clock (no shell reads the clock for it).
    pub fn report_merchant_delay(
        &self,
        task_id: &str,
        note: Option<String>,
        photos: Vec<String>,
        ready_in_min: u32,
    ) -> Result<i64> {
        let ready_at = self.dev.now().saturating_add(i64::from(ready_in_min) * 60);
        self.report_exception(
            task_id,
            ExceptionReason::MerchantDelay,
            note,
            photos,
            Some(ready_at),
        )
    }

    /// The goods of a failed delivery are back at the merchant or depot.
    pub fn mark_returned(&self, task_id: &str) -> Result<i64> {
        self.told(workflow::mark_returned(&self.dev, task_id))
    }

    /// Moves the drop-off's map pin to where the door really is (WGS-84); the correction syncs
    /// and the next courier to this address gets it.
    pub fn correct_pin(&self, task_id: &str, lat: f64, lon: f64) -> Result<i64> {
        self.told(workflow::correct_pin(&self.dev, task_id, lat, lon))
    }

    /// Records a call or message to the customer's masked number and whether they answered.
    pub fn record_contact_attempt(
        &self,
        task_id: &str,
        channel: ContactChannel,
        answered: bool,
    ) -> Result<i64> {
        self.told(workflow::record_contact_attempt(
            &self.dev, task_id, channel, answered,
        ))
    }

    /// The message `template` filled for the task now (with the live ETA to the drop-off).
    pub fn message_text(&self, task_id: &str, template: MessageTemplate) -> Result<String> {
        workflow::message_text(&self.dev, task_id, template)
    }

    /// Fills `template` and queues it; the server sends it to the customer through the
    /// platform's masked channel when the phone next syncs.
    pub fn send_message(&self, task_id: &str, template: MessageTemplate) -> Result<i64> {
        self.told(workflow::send_message(&self.dev, task_id, template))
    }

    /// The task's primary action and its blockers (`None` once the task is finished).
    pub fn next_action(&self, task_id: &str) -> Result<Option<NextAction>> {
        workflow::next_action(&self.dev, task_id)
    }

    /// The task's primary action and its blockers, counting `proof` (attachment hashes taken
    /// for the delivery and not yet recorded) as given: what the screens show before the tap.
    pub fn next_action_given(&self, task_id: &str, proof: &[String]) -> Result<Option<NextAction>> {
        workflow::next_action_given(&self.dev, task_id, proof)
    }

    /// What would block `action` now (`Some(vec![])`: it would be recorded; `None`: the
    /// workflow does not allow it at all). Runs the action transaction's guards without
    /// writing: the problem sheet shows each reason's blockers this way.
    pub fn would_block(&self, action: &Action) -> Result<Option<Vec<Blocker>>> {
        workflow::would_block(&self.dev, action)
    }

    /// The task's timeline, oldest first.
    pub fn timeline(&self, task_id: &str) -> Result<Vec<timeline::Event>> {
        workflow::timeline(&self.dev, task_id)
    }

    // Scans and handoff codes (`scan/confirm.rs`, `scan/handoff.rs`).

    /// Classifies a scan the shell's camera read for the task's current handoff, records it
    /// (repeats within the window count once) and queues it for the server. Returns the outcome
    /// and the stage's progress.
    pub fn scan(
        &self,
        task_id: &str,
        raw: &str,
        symbology: Symbology,
    ) -> Result<(ScanOutcome, Progress)> {
        self.told(scan::confirm::scan(&self.dev, task_id, raw, symbology))
    }

    /// The current handoff's progress ("3 of 4 items") and what is missing.
    pub fn scan_progress(&self, task_id: &str) -> Result<Progress> {
        scan::confirm::scan_progress(&self.dev, task_id)
    }

    // Handovers between couriers (`handover.rs`, `custody.rs`).

    /// Asks to hand the task over to another courier, with a reason (a note is required for
    /// "other"); queued offline. The task stays this courier's until the receiving courier has
    /// scanned every bag.
    pub fn request_handover(
        &self,
        task_id: &str,
        reason: runsheet_protocol::HandoverReason,
        note: Option<String>,
    ) -> Result<i64> {
        self.told(handover::request(&self.dev, task_id, reason, note))
    }

    /// The task's handover as this courier sees it: who holds the goods, the latest handover,
    /// and the receiving courier's bag scans.
    pub fn handover(&self, task_id: &str) -> Result<HandoverProgress> {
        handover::progress(&self.dev, task_id)
    }

    /// The receiving courier scans a bag of a task handed over to them; the scan that
    /// completes the set queues the receipt (custody passes when the server applies it).
    pub fn scan_handover_bag(
        &self,
        task_id: &str,
        raw: &str,
        symbology: Symbology,
    ) -> Result<(ScanOutcome, HandoverProgress)> {
        self.told(handover::scan_bag(&self.dev, task_id, raw, symbology))
    }

    /// Confirms an item by hand (damaged label): a reason and at least one photo (recorded
    /// with [`Runsheet::attach_file`]) are required.
    pub fn confirm_item_manually(
        &self,
        task_id: &str,
        item_code: &str,
        reason: &str,
        photos: Vec<String>,
    ) -> Result<i64> {
        self.told(scan::confirm::confirm_item_manually(
            &self.dev, task_id, item_code, reason, photos,
        ))
    }

    /// Checks the code the customer shows against the task's salted hash, offline. Each check
    /// is recorded and synced (without the code); after [`scan::handoff::MAX_ATTEMPTS`] wrong
    /// codes the check is locked.
    pub fn verify_handoff_code(&self, task_id: &str, code: &str) -> Result<HandoffCheck> {
        self.told(scan::handoff::verify_handoff_code(&self.dev, task_id, code))
    }

    // Telling listeners.

    /// Tells listeners what the call that produced `result` changed (the task list, the
    /// outbox) and wakes auto-sync for a new action; passes `result` through. Changes are told
    /// even when the call failed after saving something (an answer saved, its exception report
    /// refused).
    fn told<T>(&self, result: Result<T>) -> Result<T> {
        let changes = self.dev.take_changes();
        if changes & change::TASKS != 0 {
            self.notify();
        }
        if changes & change::SYNC_STATE != 0 {
            self.notify_sync(SyncNews::none());
        }
        if changes & change::TO_SEND != 0 {
            self.kick_auto_sync();
        }
        result
    }

    /// Asks a running auto-sync loop to sync soon.
    fn kick_auto_sync(&self) {
        if let Some(a) = lock(&self.auto_sync).as_ref() {
            a.kick();
        }
    }

    fn notify_sync(&self, news: SyncNews) {
        let SyncNews {
            rejected_ids,
            auth_required,
            rating_ids,
            case_ids,
            withdrawn_offers,
            pay_appeal_ids,
        } = news;
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
            let cases_asking = if case_ids.is_empty() {
                Vec::new()
            } else {
                self.cases()?
                    .into_iter()
                    .filter(|c| case_ids.contains(&c.doc.id))
                    .collect()
            };
            let decided_pay_appeals = if pay_appeal_ids.is_empty() {
                Vec::new()
            } else {
                self.dev
                    .store
                    .read(earnings::confirmed)?
                    .into_iter()
                    .filter(|l| pay_appeal_ids.contains(&l.id))
                    .collect()
            };
            Ok(SyncEvent {
                status,
                new_rejections,
                auth_required,
                new_ratings,
                cases_asking,
                withdrawn_offers,
                decided_pay_appeals,
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

impl autosync::Host for Runsheet {
    async fn sync_now(&self) -> Result<()> {
        self.sync().await.map(|_| ())
    }

    fn published_interval(&self) -> Option<Duration> {
        self.settings()
            .ok()
            .filter(|s| s.version > 0)
            .map(|s| Duration::from_secs(u64::from(s.auto_sync_interval_s)))
    }

    async fn wait_for_changes(&self, wait: Duration) -> Result<bool> {
        Runsheet::wait_for_changes(self, wait).await
    }
}

/// What one sync brought that sync listeners hear of (ids, read back for the event).
struct SyncNews {
    rejected_ids: Vec<i64>,
    auth_required: bool,
    rating_ids: Vec<String>,
    case_ids: Vec<i64>,
    withdrawn_offers: Vec<i64>,
    pay_appeal_ids: Vec<String>,
}

impl SyncNews {
    /// Nothing but the outbox's state.
    fn none() -> Self {
        SyncNews {
            rejected_ids: Vec::new(),
            auth_required: false,
            rating_ids: Vec::new(),
            case_ids: Vec::new(),
            withdrawn_offers: Vec::new(),
            pay_appeal_ids: Vec::new(),
        }
    }
}

/// Locks a mutex, carrying on past a panic in another holder (the data is plain state).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
