//! The UniFFI surface of Runsheet: what the Kotlin and Swift shells call.
//!
//! A thin layer over [`runsheet_core::Runsheet`], split by concern the way the shells think
//! about a shift. [`open_runsheet`] (an async factory: opening the encrypted store runs on a
//! blocking thread) returns the small root object [`Runsheet`], which hands out one exported
//! object per concern, all over one shared core:
//!
//! - [`Session`]: the token and token provider, the install's client id, foreground and
//!   background, push payloads, the platform's settings;
//! - [`Shift`]: going on and off duty, breaks, the shift's state, figures and primary action;
//! - [`Tasks`]: the list, one task, its primary action, the courier's actions on it, exceptions,
//!   customer contact, the timeline and evidence, and the task-list listener;
//! - [`Syncing`]: sync now, status, refusals, auto-sync, connectivity and the sync listener;
//! - [`Scans`]: barcode scans, handoff progress and codes, manual confirmation, photo files;
//! - [`Checklists`]: SOP checklists and their answers;
//! - [`Ratings`]: ratings received, rating a stop, appeals, KPIs;
//! - [`Cases`]: after-sales cases about the courier's deliveries, answering them, the figures;
//! - [`Handovers`]: handing a task over to another courier, and taking one over bag by bag;
//! - [`Earnings`]: the day's and week's pay, expected and confirmed, incentive progress, appeals;
//! - [`Training`]: training modules, quizzes taken offline, qualifications, the review;
//! - [`Door`]: cash on delivery (collected, change, the hand-in) and locker drop-offs;
//! - [`Navigation`]: the route, the next-stop hint with map links, the location request and
//!   GPS fixes;
//! - [`Offers`]: offers of work, what accepting one would do to the plan, accept or decline.
//!
//! Each exported method is a one-line delegation to the core: the rules are all the core's.
//! Every method that touches the store, a file or the network is `async` (Kotlin `suspend`,
//! Swift `async`) and runs the core's blocking call on tokio's blocking pool, so a shell may
//! call it from its UI thread; only instant, in-memory calls (setting a token, the foreground
//! flag, cancelling a subscription) stay synchronous.
//!
//! The records and enums it passes are the protocol's and the core's own: each crate declares
//! them once and derives UniFFI's traits under its `uniffi` feature, in its own namespace
//! (Kotlin packages `app.runsheet.protocol`, `app.runsheet.core`, and `app.runsheet.ffi` for
//! this crate; one Swift module). This crate adds only the exported objects, its error, the
//! foreign traits and a few adapters. Errors cross as the small [`RunsheetError`] enum; each
//! variant is one thing a shell can act on, and its text is a sentence a courier can read (no
//! personal data, no token).

#![deny(missing_docs)]

mod capacity;
mod cases;
mod checklists;
mod door;
mod earnings;
mod handover;
mod log;
mod navigation;
mod offers;
mod ratings;
mod scans;
mod screens;
mod session;
mod shift;
mod sync;
mod tasks;
mod training;

/// The platform's settings as the phone last received them (the protocol's `Settings`).
pub use runsheet_protocol::Settings as PlatformSettings;
use std::sync::{Arc, Mutex};

use runsheet_core as core;

/// The stop sequencer, map datums and barcode parser, re-exported for the command line.
pub use runsheet_core::{geo, plan, scan};

pub use capacity::*;
pub use cases::*;
pub use checklists::*;
pub use door::*;
pub use earnings::*;
pub use handover::*;
pub use log::{set_log_sink, LogLevel, LogRecord, LogSink};
pub use navigation::*;
pub use offers::*;
pub use ratings::*;
pub use runsheet_core::earnings::EarningsPeriod;
pub use runsheet_core::rating::Period as KpiPeriod;
pub use runsheet_core::{
    Attachment, PushPlatform, Rejection, Stop, SyncEvent, SyncReport, SyncStatus, Task,
    Task as CourierTask, TaskListUpdate, UploadState,
};
/// The protocol's types the API takes and returns, under the names the shells know.
pub use runsheet_protocol::{
    Action, ActionLocation, AppealStatus, ChecklistStage, ContactChannel, ExceptionReason,
    ItemDoc as Item, MessageTemplate, ProofPolicy, RatingSource, TaskKind, TaskStatus,
    TemperatureClass,
};
pub use runsheet_protocol::{Kpis, RatingDoc as Rating, RatingTarget};
pub use scans::*;
pub use screens::{ScreenListener, ScreenSubscription, Screens};
pub use session::*;
pub use shift::*;
pub use sync::*;
pub use tasks::*;
pub use training::*;

uniffi::setup_scaffolding!();

/// Errors a shell can act on.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum RunsheetError {
    /// The task is not on the courier's list (wrong id, or reassigned away).
    #[error("{sentence}")]
    NotFound {
        /// The id asked for.
        task_id: String,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The action is not allowed now.
    #[error("{sentence}")]
    NotAllowed {
        /// Why, in the courier's language.
        sentence: String,
    },
    /// The workflow needs something done first; the sentence lists what (the screens show the
    /// same blockers on the action's offer).
    #[error("{sentence}")]
    Blocked {
        /// What is missing, in the courier's language.
        sentence: String,
    },
    /// A caller passed something unusable.
    #[error("{sentence}")]
    InvalidArgument {
        /// What was wrong, for developers (English, no personal data).
        reason: String,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The server could not be reached; actions stay saved on the phone.
    #[error("{sentence}")]
    Offline {
        /// Technical detail for logs.
        detail: String,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The token was refused: the shell signs the courier in again (`Session.set_token`).
    #[error("{sentence}")]
    AuthRequired {
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The server failed or answered something unusable; actions stay saved.
    #[error("{sentence}")]
    SyncFailed {
        /// Technical detail (status and code).
        detail: String,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The database on the phone failed.
    #[error("{sentence}")]
    Storage {
        /// Technical detail.
        detail: String,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The database was written by a newer app version; update the app.
    #[error("{sentence}")]
    IncompatibleVersion {
        /// Schema version found.
        found: i64,
        /// Highest version this build reads.
        supported: i64,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// No after-sales case with this number is on the phone.
    #[error("{sentence}")]
    CaseNotFound {
        /// The case asked for.
        case_id: i64,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The case is settled: it takes no statement any more.
    #[error("{sentence}")]
    CaseSettled {
        /// The case.
        case_id: i64,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The database key does not open the task store (a key lost from the Keystore or
    /// Keychain, or a store copied from another phone). The store is left as it was.
    #[error("{sentence}")]
    WrongKey {
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// No offer with this number is on the phone.
    #[error("{sentence}")]
    OfferNotFound {
        /// The offer asked for.
        offer_id: i64,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The offer's time is up: it takes no answer any more.
    #[error("{sentence}")]
    OfferExpired {
        /// The offer.
        offer_id: i64,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The offer was already answered, or settled by dispatch.
    #[error("{sentence}")]
    OfferAnswered {
        /// The offer.
        offer_id: i64,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// No training module with this id is on the phone.
    #[error("{sentence}")]
    ModuleNotFound {
        /// The module asked for.
        module_id: String,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The quiz answered is for a replaced version of the module; nothing was recorded.
    #[error("{sentence}")]
    ModuleReplaced {
        /// The module.
        module_id: String,
        /// Its current version (take that quiz).
        current: i64,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// A cash amount cannot be recorded (more decimals than the currency allows, not a
    /// number, ...); nothing was recorded.
    #[error("{sentence}")]
    InvalidAmount {
        /// Why.
        problem: runsheet_protocol::AmountProblem,
        /// What to tell the courier, in their language.
        sentence: String,
    },
    /// The scanned code is not the task's locker's label; nothing was recorded.
    #[error("{sentence}")]
    WrongLocker {
        /// The task.
        task_id: String,
        /// What to tell the courier, in their language.
        sentence: String,
    },
}

impl RunsheetError {
    /// The core's error for the shell: its variant, and its sentence in `words` (the app's
    /// language). The one place that also decides what is logged.
    pub(crate) fn localised(e: core::Error, words: &runsheet_words::Words) -> Self {
        use core::Error as E;
        let sentence = e.sentence(words);
        match e {
            E::TaskNotFound { task_id } => RunsheetError::NotFound { task_id, sentence },
            E::InvalidTransition { .. } => RunsheetError::NotAllowed { sentence },
            E::Blocked { .. } => RunsheetError::Blocked { sentence },
            E::CaseNotFound { case_id } => RunsheetError::CaseNotFound { case_id, sentence },
            E::CaseSettled { case_id, .. } => RunsheetError::CaseSettled { case_id, sentence },
            E::OfferNotFound { offer_id } => RunsheetError::OfferNotFound { offer_id, sentence },
            E::OfferExpired { offer_id } => RunsheetError::OfferExpired { offer_id, sentence },
            E::OfferAnswered { offer_id } => RunsheetError::OfferAnswered { offer_id, sentence },
            E::ModuleNotFound { module_id } => RunsheetError::ModuleNotFound {
                module_id,
                sentence,
            },
            E::ModuleReplaced {
                module_id, current, ..
            } => RunsheetError::ModuleReplaced {
                module_id,
                current,
                sentence,
            },
            E::InvalidArgument(reason) => {
                // Developer text (what the call got wrong), never personal data: for the log.
                tracing::warn!(reason = %reason, "a call was refused as invalid");
                RunsheetError::InvalidArgument { reason, sentence }
            }
            E::Offline(detail) => RunsheetError::Offline { detail, sentence },
            E::AuthRequired => RunsheetError::AuthRequired { sentence },
            E::Server { .. } | E::BadResponse(_) | E::Protocol(_) => RunsheetError::SyncFailed {
                detail: e.to_string(),
                sentence,
            },
            E::IncompatibleVersion { found, supported } => RunsheetError::IncompatibleVersion {
                found,
                supported,
                sentence,
            },
            E::WrongKey => {
                tracing::error!("the database key does not open the store");
                RunsheetError::WrongKey { sentence }
            }
            E::InvalidAmount { problem } => RunsheetError::InvalidAmount { problem, sentence },
            E::WrongLocker { task_id } => RunsheetError::WrongLocker { task_id, sentence },
            E::Sqlite(_) | E::Corrupt(_) => {
                tracing::error!(error = %e, "storage failure");
                RunsheetError::Storage {
                    detail: e.to_string(),
                    sentence,
                }
            }
        }
    }
}

impl From<core::Error> for RunsheetError {
    /// In English, for calls made before any app exists (opening the store).
    fn from(e: core::Error) -> Self {
        RunsheetError::localised(e, &runsheet_words::Words::of(runsheet_words::Language::En))
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
    /// The device's locale (a BCP 47 tag such as `zh-CN`); the screens' words are in it.
    /// Anything unknown, or none, means English.
    #[uniffi(default = None)]
    pub locale: Option<String>,
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

/// Opens (or creates) the courier's store at `config.db_path` and returns the app's root
/// object. Does no network I/O; opening and migrating the encrypted store runs on a blocking
/// thread. `clock` is the device's clock by default; the QA harness and simulations pass a
/// clock of their own.
#[uniffi::export(async_runtime = "tokio", default(clock = None))]
pub async fn open_runsheet(
    config: RunsheetConfig,
    clock: Option<Arc<dyn DeviceClock>>,
) -> Result<Arc<Runsheet>, RunsheetError> {
    let clock: Arc<dyn core::Clock> = match clock {
        Some(c) => Arc::new(ClockBridge(c)),
        None => Arc::new(core::SystemClock),
    };
    let db_key = config
        .db_key
        .as_deref()
        .map(core::DbKey::from_hex)
        .transpose()?;
    let config_token_empty = config.token.trim().is_empty();
    let core_config = core::Config {
        db_path: config.db_path.into(),
        db_key,
        server_url: config.server_url,
        token: core::Token::new(config.token),
        clock,
    };
    let signed_in = !config_token_empty;
    let locale = config.locale.unwrap_or_default();
    let (core, app) = tokio::task::spawn_blocking(move || {
        let core = Arc::new(core::Runsheet::open(core_config)?);
        let app = runsheet_screens::CourierApp::new(core.clone(), &locale, signed_in)?;
        Ok::<_, core::Error>((core, Arc::new(app)))
    })
    .await
    .map_err(|e| worker_stopped(e, &runsheet_words::Words::of(runsheet_words::Language::En)))??;
    Ok(Arc::new(Runsheet {
        inner: Arc::new(Inner { core, app }),
    }))
}

/// One courier's Runsheet: the root the shell keeps for the app's lifetime. It holds no
/// method of its own beyond handing out the objects of each concern, which share its core.
#[derive(uniffi::Object)]
pub struct Runsheet {
    inner: Arc<Inner>,
}

#[uniffi::export]
impl Runsheet {
    /// Sign-in, the token, foreground and background, push payloads, settings.
    pub fn session(&self) -> Arc<Session> {
        Arc::new(Session::over(&self.inner))
    }

    /// Going on and off duty, breaks, the shift's figures.
    pub fn shift(&self) -> Arc<Shift> {
        Arc::new(Shift::over(&self.inner))
    }

    /// The task list and the courier's actions on each task.
    pub fn tasks(&self) -> Arc<Tasks> {
        Arc::new(Tasks::over(&self.inner))
    }

    /// Sending actions and fetching the dispatcher's changes.
    pub fn sync(&self) -> Arc<Syncing> {
        Arc::new(Syncing::over(&self.inner))
    }

    /// Barcode scans, handoff codes and photo files.
    pub fn scans(&self) -> Arc<Scans> {
        Arc::new(Scans::over(&self.inner))
    }

    /// SOP checklists.
    pub fn checklists(&self) -> Arc<Checklists> {
        Arc::new(Checklists::over(&self.inner))
    }

    /// Ratings, appeals and KPIs.
    pub fn ratings(&self) -> Arc<Ratings> {
        Arc::new(Ratings::over(&self.inner))
    }

    /// After-sales cases about the courier's deliveries.
    pub fn cases(&self) -> Arc<Cases> {
        Arc::new(Cases::over(&self.inner))
    }

    /// Handovers between couriers.
    pub fn handovers(&self) -> Arc<Handovers> {
        Arc::new(Handovers::over(&self.inner))
    }

    /// The courier's vehicle and box.
    pub fn capacity(&self) -> Arc<Capacity> {
        Arc::new(Capacity::over(&self.inner))
    }

    /// Earnings, incentive progress and appeals of pay lines.
    pub fn earnings(&self) -> Arc<Earnings> {
        Arc::new(Earnings::over(&self.inner))
    }

    /// Training modules, quizzes and qualifications.
    pub fn training(&self) -> Arc<Training> {
        Arc::new(Training::over(&self.inner))
    }

    /// Cash on delivery and locker drop-offs.
    pub fn door(&self) -> Arc<Door> {
        Arc::new(Door::over(&self.inner))
    }

    /// The route, the next stop and the location feed.
    pub fn navigation(&self) -> Arc<Navigation> {
        Arc::new(Navigation::over(&self.inner))
    }

    /// Offers of work: their time left, their impact on the plan, the courier's answer.
    pub fn offers(&self) -> Arc<Offers> {
        Arc::new(Offers::over(&self.inner))
    }

    /// What the courier sees and taps: the screens, in the courier's language, and the
    /// platform work the core asks for. A shell renders these and offers exactly their actions.
    pub fn screens(&self) -> Arc<Screens> {
        Screens::new(self.inner.app.clone())
    }
}

/// The one core every concern object shares.
struct Inner {
    core: Arc<core::Runsheet>,
    /// The screens over that core (one app state: the open page, staged photos, permissions).
    app: Arc<runsheet_screens::CourierApp>,
}

impl Inner {
    /// Runs a blocking core call (SQLite, files) on tokio's blocking pool, off the caller's
    /// thread, and converts its error at the boundary.
    async fn run<T, F>(&self, call: F) -> Result<T, RunsheetError>
    where
        T: Send + 'static,
        F: FnOnce(&core::Runsheet) -> core::Result<T> + Send + 'static,
    {
        let core = Arc::clone(&self.core);
        let words = self.app.words();
        tokio::task::spawn_blocking(move || call(&core))
            .await
            .map_err(|e| worker_stopped(e, &words))?
            .map_err(|e| RunsheetError::localised(e, &words))
    }
}

/// A blocking call that never returned (its thread panicked or the runtime shut down): the
/// store's state is whatever its last committed transaction left, so it is reported as a
/// storage failure the shell can show, never as a crash.
fn worker_stopped(e: tokio::task::JoinError, words: &runsheet_words::Words) -> RunsheetError {
    tracing::error!(
        panicked = e.is_panic(),
        "a core call stopped before returning"
    );
    RunsheetError::Storage {
        detail: "the call was interrupted before it finished".into(),
        sentence: words.text("error-storage", &runsheet_words::Args::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open_in(dir: &tempfile::TempDir) -> Arc<Runsheet> {
        let config = RunsheetConfig {
            db_path: dir.path().join("phone.db").to_string_lossy().into_owned(),
            server_url: "http://127.0.0.1:9".into(),
            token: "t".into(),
            db_key: None,
            locale: None,
        };
        open_runsheet(config, None).await.expect("the store opens")
    }

    #[tokio::test]
    async fn a_core_call_that_panics_is_a_storage_error_and_the_core_goes_on() {
        let dir = tempfile::tempdir().expect("dir");
        let app = open_in(&dir).await;
        let r: Result<(), RunsheetError> = app.inner.run(|_| panic!("a bug in a core call")).await;
        assert!(matches!(r, Err(RunsheetError::Storage { .. })), "{r:?}");
        assert!(app.tasks().all().await.expect("tasks").is_empty());
    }

    #[tokio::test]
    async fn every_concern_shares_the_one_core() {
        let dir = tempfile::tempdir().expect("dir");
        let app = open_in(&dir).await;
        let id = app.session().client_id().await.expect("client id");
        assert_eq!(app.session().client_id().await.expect("again"), id);
        app.shift().start().await.expect("on duty");
        // The shift started through one object is the state another object reads.
        assert_eq!(
            app.shift().state().await.expect("state"),
            ShiftState::OnDuty
        );
        assert_eq!(app.sync().status().await.expect("status").pending, 1);
        match app.tasks().mark_delivered("nope".into()).await {
            Err(RunsheetError::NotFound { task_id, .. }) => assert_eq!(task_id, "nope"),
            other => panic!("expected NotFound, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_bad_key_is_refused_by_the_factory() {
        let dir = tempfile::tempdir().expect("dir");
        let config = RunsheetConfig {
            db_path: dir.path().join("phone.db").to_string_lossy().into_owned(),
            server_url: "http://127.0.0.1:9".into(),
            token: "t".into(),
            db_key: Some("not hex".into()),
            locale: None,
        };
        assert!(matches!(
            open_runsheet(config, None).await,
            Err(RunsheetError::InvalidArgument { .. })
        ));
    }
}
