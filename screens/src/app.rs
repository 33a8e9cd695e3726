//! The courier app as the core runs it: the open page, taps checked against what the screen
//! offers, effects asked of the shell, and one listener that gets the whole screen first and
//! then what changed after every commit.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use runsheet_core::listener::{SyncEvent, SyncListener, TaskListUpdate, TaskListener};
use runsheet_core::training::ReminderStage;
use runsheet_core::{LocationAccuracy, Runsheet, ShiftState, Subscription, Token};
use runsheet_protocol::{AppealStatus, ChecklistStage, ExceptionReason, TaskStatus};
use runsheet_route::hint::Risk;
use runsheet_route::map_link::navigation_link;
use runsheet_words::{Args, Words};

use crate::diff::{diff, ScreenUpdate};
use crate::effect::{Channel, Effect, EffectResult, Permission, PermissionState, PhotoPurpose};
use crate::offer::Tap;
use crate::screen::{Body, Header, Screen, Tone, Verdict};
use crate::view::{local_offset_min, AppState, NearbyFetch, NearbyList, Page, View};
use crate::wording::t;
use crate::{
    cases_page, checklist_page, handover_page, kpi_page, nearby_handovers_page, problem_page,
    ratings_page, scan_page, shift_bar, sync_banner, task_list, task_offer_page, task_page,
    training_page,
};

/// Why a tap was refused, in the screen's language. Nothing changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
pub enum TapError {
    /// The screen does not offer this action (any more).
    #[error("{sentence}")]
    NotOffered {
        /// Why, for the courier.
        sentence: String,
    },
    /// Something must happen first.
    #[error("{sentence}")]
    Blocked {
        /// What, as one sentence.
        sentence: String,
        /// What, item by item.
        blockers: Vec<runsheet_core::Blocker>,
    },
    /// An input is missing or out of range.
    #[error("{sentence}")]
    Invalid {
        /// What, for the courier.
        sentence: String,
    },
    /// The core refused or failed; the sentence says what to do.
    #[error("{sentence}")]
    Refused {
        /// What, for the courier.
        sentence: String,
    },
}

/// Receives what the courier should see and the platform work the core asks for. Called on
/// the thread that made the change, after it committed: hand the value to the UI thread and
/// return; do not tap from inside a callback.
pub trait ScreenListener: Send + Sync {
    /// The screen changed (or this is the first, whole screen).
    fn on_screen(&self, update: ScreenUpdate);
    /// Carry out this platform work.
    fn on_effect(&self, effect: Effect);
}

thread_local! {
    /// Set while this thread runs a tap: the core's own listener calls it triggers are left to
    /// the tap, which renders once at its end.
    static IN_TAP: Cell<bool> = const { Cell::new(false) };
}

struct TapScope;

impl TapScope {
    fn enter() -> Option<TapScope> {
        IN_TAP.with(|f| {
            if f.get() {
                None
            } else {
                f.set(true);
                Some(TapScope)
            }
        })
    }
}

impl Drop for TapScope {
    fn drop(&mut self) {
        IN_TAP.with(|f| f.set(false));
    }
}

/// What the last render left, to diff against and to remember what was already asked.
#[derive(Default)]
struct Rendered {
    last: Option<Screen>,
    listeners: Vec<(u64, Arc<dyn ScreenListener>)>,
    known_tasks: Option<HashSet<String>>,
    notified: HashSet<String>,
    location: Option<(LocationAccuracy, u32, bool)>,
    screen_on: Option<bool>,
    sync_scheduled: bool,
    /// Offers already announced.
    announced_offers: HashSet<i64>,
}

struct Inner {
    core: Arc<Runsheet>,
    state: Mutex<AppState>,
    notice: Mutex<Option<Verdict>>,
    rendered: Mutex<Rendered>,
    next_id: AtomicU64,
    /// Where network work the app starts itself runs when the tap's thread has no runtime.
    runtime: Mutex<Option<tokio::runtime::Handle>>,
}

/// The courier app over one core: screens, taps and effects.
pub struct CourierApp {
    inner: Arc<Inner>,
    _subs: Vec<Subscription>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

struct Relay(Weak<Inner>);

impl TaskListener for Relay {
    fn on_update(&self, _update: TaskListUpdate) {
        if IN_TAP.with(Cell::get) {
            return;
        }
        if let Some(inner) = self.0.upgrade() {
            if inner.watched() {
                inner.render(Vec::new());
            }
        }
    }
}

impl SyncListener for Relay {
    fn on_sync_event(&self, event: SyncEvent) {
        let Some(inner) = self.0.upgrade() else {
            return;
        };
        let effects = inner.sync_effects(&event);
        if !inner.watched() || IN_TAP.with(Cell::get) && effects.is_empty() {
            return;
        }
        inner.render(effects);
    }
}

impl CourierApp {
    /// The app over `core`, in the language of `locale` (a BCP 47 tag; English when unknown),
    /// signed in if the core was given a token.
    pub fn new(core: Arc<Runsheet>, locale: &str, signed_in: bool) -> runsheet_core::Result<Self> {
        let inner = Arc::new(Inner {
            core: core.clone(),
            state: Mutex::new(AppState::new(Words::new(locale), signed_in)),
            notice: Mutex::new(None),
            rendered: Mutex::new(Rendered::default()),
            next_id: AtomicU64::new(1),
            runtime: Mutex::new(None),
        });
        let relay = Arc::new(Relay(Arc::downgrade(&inner)));
        let subs = vec![core.subscribe(relay.clone())?, core.subscribe_sync(relay)?];
        Ok(CourierApp { inner, _subs: subs })
    }

    /// The runtime to run the app's own network work on (the nearby handovers' fetch and take)
    /// when a tap's thread runs none: a shell that taps from a plain thread (the terminal app)
    /// gives its runtime here. Taps from the FFI run on its runtime and need none.
    pub fn set_runtime(&self, handle: tokio::runtime::Handle) {
        *lock(&self.inner.runtime) = Some(handle);
    }

    /// The words the app speaks now (errors of other calls are worded in them too).
    pub fn words(&self) -> Words {
        lock(&self.inner.state).words
    }

    /// The core underneath.
    pub fn core(&self) -> &Arc<Runsheet> {
        &self.inner.core
    }

    /// The screen as it is now (computed afresh).
    pub fn screen(&self) -> runsheet_core::Result<Screen> {
        self.inner.compute()
    }

    /// Adds a listener: it gets the whole screen now, then what changed after every commit,
    /// and the effects the core asks for. Returns its id for [`CourierApp::unsubscribe`].
    pub fn subscribe(&self, listener: Arc<dyn ScreenListener>) -> u64 {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.inner.render(Vec::new());
        let mut r = lock(&self.inner.rendered);
        if let Some(screen) = r.last.clone() {
            crate::guard("screen listener", || {
                listener.on_screen(ScreenUpdate::Reset { screen })
            });
        }
        r.listeners.push((id, listener));
        id
    }

    /// Removes a listener.
    pub fn unsubscribe(&self, id: u64) {
        lock(&self.inner.rendered)
            .listeners
            .retain(|(i, _)| *i != id);
    }

    /// The courier tapped the notification `id` (an [`Effect::Notify`]'s): opens the page it
    /// is about — the training page for a qualification about to expire, the offers page for
    /// an offer, the earnings for a pay appeal, the case or the task it names — above the
    /// current page (back returns to it). An id the core does not know leaves the page as it
    /// is.
    pub fn open_notification(&self, id: &str) {
        let page = if id.starts_with("qualification-") {
            Some(Page::Training)
        } else if id.starts_with("offer-") {
            Some(Page::Offers)
        } else if id.starts_with("pay-appeal-") {
            Some(Page::Earnings {
                period: runsheet_core::earnings::EarningsPeriod::Day,
            })
        } else if let Some(case) = id.strip_prefix("case-") {
            case.parse().ok().map(|case_id| Page::Case { case_id })
        } else {
            id.strip_prefix("task-").map(|task_id| Page::Task {
                task_id: task_id.to_owned(),
            })
        };
        let Some(page) = page else {
            tracing::debug!("notification opened: nothing to show");
            return;
        };
        self.inner.go(page);
        self.inner.render(Vec::new());
    }

    /// Recomputes the screen for the time that passed (a stop now at risk, a wait at the door
    /// run out) and delivers what changed. Shells call it when the app comes to the front and
    /// once a minute while it is there.
    pub fn refresh(&self) {
        self.inner.render(Vec::new());
    }

    /// The courier taps an action. Refused, with a sentence and nothing changed, when the
    /// screen does not offer it or something blocks it; else carried out, the screen update
    /// and any effects delivered to the listeners before this returns.
    pub fn tap(&self, tap: Tap) -> Result<(), TapError> {
        let _scope = TapScope::enter();
        let inner = &self.inner;
        let words = lock(&inner.state).words;
        // What the courier sees: the last screen delivered, when a shell listens (changes keep
        // it current); else the screen as it is now.
        let delivered = if inner.watched() {
            lock(&inner.rendered).last.clone()
        } else {
            None
        };
        let screen = match delivered {
            Some(s) => s,
            None => inner.compute().map_err(|e| refused(&words, &e))?,
        };
        let offer =
            screen
                .offer_for(&tap.offer_key())
                .cloned()
                .ok_or_else(|| TapError::NotOffered {
                    sentence: t(&words, "tap-not-offered"),
                })?;
        if !offer.enabled {
            return Err(TapError::Blocked {
                sentence: offer.why.join(t(&words, "list-separator").as_str()),
                blockers: offer.blockers,
            });
        }
        *lock(&inner.notice) = None;
        let effects = inner.execute(&words, tap)?;
        inner.render(effects);
        Ok(())
    }

    /// The shell's answer to an effect (a permission, a photo taken).
    pub fn resolve(&self, result: EffectResult) -> Result<(), TapError> {
        let _scope = TapScope::enter();
        let inner = &self.inner;
        let words = lock(&inner.state).words;
        let effects = inner.resolve(&words, result)?;
        inner.render(effects);
        Ok(())
    }

    /// Switches the language (the device's locale changed): every listener gets the whole
    /// screen again in it.
    pub fn set_locale(&self, locale: &str) {
        lock(&self.inner.state).words = Words::new(locale);
        self.inner.render(Vec::new());
    }

    /// The courier signed in again: the shell gives the new token. Nothing is read here; the
    /// screens show it on their next computation (`refresh`, a tap, the next sync).
    pub fn signed_in(&self, token: &str) {
        self.inner.core.set_token(Token::new(token.to_owned()));
        lock(&self.inner.state).signed_in = !token.trim().is_empty();
    }
}

fn refused(words: &Words, e: &runsheet_core::Error) -> TapError {
    match e {
        runsheet_core::Error::Blocked { blockers, .. } => TapError::Blocked {
            sentence: blockers
                .iter()
                .map(|b| crate::wording::blocker(words, b))
                .collect::<Vec<_>>()
                .join(t(words, "list-separator").as_str()),
            blockers: blockers.clone(),
        },
        other => TapError::Refused {
            sentence: crate::wording::error(words, other),
        },
    }
}

impl Inner {
    /// Whether any shell listens: without one, nothing is computed on the core's changes (a
    /// tap or `screen()` still computes what it needs).
    fn watched(&self) -> bool {
        !lock(&self.rendered).listeners.is_empty()
    }

    fn compute(&self) -> runsheet_core::Result<Screen> {
        let state = lock(&self.state).clone();
        let notice = lock(&self.notice).clone();
        let words = state.words;
        let view = View {
            core: &self.core,
            state: &state,
            words: &words,
            now: self.core.now(),
            settings: self.core.settings()?,
        };
        build_screen(&view, notice)
    }

    /// Computes the screen and the effects it implies, and delivers both to every listener.
    fn render(&self, mut effects: Vec<Effect>) {
        let screen = match self.compute() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "screen could not be computed");
                return;
            }
        };
        let mut r = lock(&self.rendered);
        effects.extend(self.derived_effects(&mut r, &screen));
        let update = match &r.last {
            Some(old) if old.language == screen.language => {
                let changes = diff(old, &screen);
                (!changes.is_empty()).then_some(ScreenUpdate::Changed { changes })
            }
            _ => Some(ScreenUpdate::Reset {
                screen: screen.clone(),
            }),
        };
        r.last = Some(screen);
        for (_, l) in &r.listeners {
            if let Some(u) = &update {
                let u = u.clone();
                crate::guard("screen listener", || l.on_screen(u));
            }
            for e in &effects {
                let e = e.clone();
                crate::guard("screen listener", || l.on_effect(e));
            }
        }
    }

    /// Effects that follow from the state itself: notifications of new tasks and of stops at
    /// risk, the location mode, the screen kept on, a sync when the network returns.
    fn derived_effects(&self, r: &mut Rendered, screen: &Screen) -> Vec<Effect> {
        let mut out = Vec::new();
        let words = lock(&self.state).words;
        let page = lock(&self.state).page.clone();
        let Ok(tasks) = self.core.tasks() else {
            return out;
        };
        // New work.
        let open: HashSet<String> = tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Assigned)
            .map(|t| t.id.clone())
            .collect();
        if let Some(known) = &r.known_tasks {
            for t in tasks
                .iter()
                .filter(|t| open.contains(&t.id) && !known.contains(&t.id))
            {
                out.push(Effect::Notify {
                    id: format!("task-{}", t.id),
                    channel: Channel::NewTask,
                    title: crate::wording::t(&words, "notify-new-task-title"),
                    body: words.text(
                        "notify-new-task-body",
                        &Args::new().str("title", task_list::title(&words, t)),
                    ),
                });
            }
        }
        let mut known = r.known_tasks.take().unwrap_or_default();
        known.extend(tasks.iter().map(|t| t.id.clone()));
        r.known_tasks = Some(known);
        // Offers of work waiting for an answer, announced once each.
        if let Ok(offers) = self.core.offers() {
            for o in offers.iter().filter(|o| o.state.answerable()) {
                if !r.announced_offers.insert(o.offer_id) {
                    continue;
                }
                out.push(Effect::Notify {
                    id: format!("offer-{}", o.offer_id),
                    channel: Channel::Offers,
                    title: t(&words, "notify-offer-title"),
                    body: words.text(
                        "notify-offer-body",
                        &Args::new()
                            .str("title", task_offer_page::title(&words, o))
                            .str("duration", words.duration(o.remaining_s)),
                    ),
                });
            }
        }
        // Qualifications about to expire: each reminder once, remembered in the core's store
        // (a restart does not repeat it). Taken only when a shell listens to show it.
        if !r.listeners.is_empty() {
            match self.core.take_qualification_reminders() {
                Ok(due) => {
                    let settings = self.core.settings().unwrap_or_default();
                    for q in due {
                        let (title, body) = match q.stage {
                            ReminderStage::Soon => (
                                "notify-qualification-soon-title",
                                "notify-qualification-soon-body",
                            ),
                            ReminderStage::Today => (
                                "notify-qualification-today-title",
                                "notify-qualification-today-body",
                            ),
                        };
                        let date =
                            words.date(q.expires_at, local_offset_min(&settings, q.expires_at));
                        out.push(Effect::Notify {
                            id: format!("qualification-{}-{}", q.module_id, q.stage.as_str()),
                            channel: Channel::Training,
                            title: t(&words, title),
                            body: words
                                .text(body, &Args::new().str("module", q.title).str("date", date)),
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "qualification reminders unreadable"),
            }
        }
        // Stops at risk, within the platform's lead time of their promise.
        let now = self.core.now();
        if let (Ok(route), Ok(settings)) = (self.core.route(), self.core.settings()) {
            let lead = i64::from(settings.late_warning_lead_min) * 60;
            for s in &route.stops {
                let Some(due) = s.due_by else { continue };
                if !matches!(s.risk, Some(Risk::AtRisk | Risk::Late)) || due - now > lead {
                    continue;
                }
                let id = format!("late-{}-{}", s.task_id, s.role.as_str());
                if !r.notified.insert(id.clone()) {
                    continue;
                }
                let title = tasks
                    .iter()
                    .find(|t| t.id == s.task_id)
                    .map(|t| task_list::title(&words, t))
                    .unwrap_or_default();
                out.push(Effect::Notify {
                    id,
                    channel: Channel::Lateness,
                    title: t(&words, "notify-late-title"),
                    body: words.text(
                        "notify-late-body",
                        &Args::new()
                            .str("title", title)
                            .str("role", crate::wording::role(&words, s.role))
                            .str(
                                "due",
                                words.clock_time(due, local_offset_min(&settings, due)),
                            )
                            .str(
                                "eta",
                                words.clock_time(s.eta, local_offset_min(&settings, s.eta)),
                            ),
                    ),
                });
            }
        }
        // Location: what the route needs now; off when off duty or signed out.
        if let (Ok(req), Ok(shift)) = (self.core.location_request(), self.core.shift_state()) {
            let on = shift != ShiftState::OffDuty;
            let mode = if on {
                (req.accuracy, req.interval_s, true)
            } else {
                (LocationAccuracy::Off, 0, false)
            };
            if r.location != Some(mode) {
                r.location = Some(mode);
                out.push(Effect::SetLocationMode {
                    accuracy: mode.0,
                    interval_s: mode.1,
                    background: mode.2,
                });
            }
            // The screen stays on while the courier navigates to a stop on duty.
            let want = on && matches!(page, Page::Task { .. } | Page::Scan { .. });
            if r.screen_on != Some(want) {
                if r.screen_on.is_some() || want {
                    out.push(Effect::KeepScreenOn { on: want });
                }
                r.screen_on = Some(want);
            }
        }
        // Actions waiting while offline: sync as soon as the network is back.
        if let Ok(s) = self.core.sync_status() {
            let waiting = s.pending + s.pending_uploads > 0 && s.online == Some(false);
            if waiting && !r.sync_scheduled {
                out.push(Effect::ScheduleSync {
                    after_s: None,
                    on_network: true,
                });
            }
            r.sync_scheduled = waiting;
        }
        let _ = screen;
        out
    }

    /// What a sync's outcome asks the courier to know: refused actions, ratings and appeal
    /// decisions, a session that needs signing in again.
    fn sync_effects(&self, event: &SyncEvent) -> Vec<Effect> {
        let mut out = Vec::new();
        let words = {
            let mut state = lock(&self.state);
            if event.auth_required {
                state.signed_in = false;
            } else if event.status.last_error.is_none() && event.status.last_success_at.is_some() {
                // A sync went through (a fresh token from the shell's provider, say): signed in.
                state.signed_in = true;
            }
            state.words
        };
        let offers = if event.new_rejections.is_empty() && event.withdrawn_offers.is_empty() {
            Vec::new()
        } else {
            self.core.offers().unwrap_or_default()
        };
        for rej in &event.new_rejections {
            let expired = rej.code == runsheet_protocol::RejectCode::OfferExpired.as_str();
            let withdrawn = rej.code == runsheet_protocol::RejectCode::OfferWithdrawn.as_str();
            if expired || withdrawn {
                let Some(offer) = offers
                    .iter()
                    .find(|o| o.refused_mutation_id == Some(rej.mutation_id))
                else {
                    // A decline of an offer withdrawn meanwhile: the withdrawal was told.
                    continue;
                };
                // A late acceptance, or one for an offer dispatch withdrew: said on the screen
                // and in its own notification.
                let (notice, title, body) = if expired {
                    (
                        "notice-offer-refused",
                        "notify-offer-refused-title",
                        "notify-offer-refused-body",
                    )
                } else {
                    (
                        "notice-offer-withdrawn-refused",
                        "notify-offer-withdrawn-title",
                        "notify-offer-withdrawn-refused-body",
                    )
                };
                let args = Args::new().str("offer", offer.offer_id.to_string());
                *lock(&self.notice) = Some(Verdict {
                    text: words.text(notice, &args),
                    tone: Tone::Bad,
                });
                out.push(Effect::Notify {
                    id: format!("refused-{}", rej.mutation_id),
                    channel: Channel::Offers,
                    title: t(&words, title),
                    body: words.text(body, &args),
                });
                continue;
            }
            out.push(Effect::Notify {
                id: format!("refused-{}", rej.mutation_id),
                channel: Channel::Refusal,
                title: t(&words, "notify-refused-title"),
                body: words.text(
                    "notify-refused-body",
                    &Args::new().str("task", rej.task_id.clone()),
                ),
            });
        }
        // Offers withdrawn while they waited for an answer: gone from the page, told once.
        for id in &event.withdrawn_offers {
            let Some(o) = offers.iter().find(|o| o.offer_id == *id) else {
                continue;
            };
            out.push(Effect::Notify {
                id: format!("offer-{id}"),
                channel: Channel::Offers,
                title: t(&words, "notify-offer-withdrawn-title"),
                body: words.text(
                    "notify-offer-withdrawn-body",
                    &Args::new().str("title", task_offer_page::title(&words, o)),
                ),
            });
        }
        // A pay appeal decided, as a rating's.
        for line in &event.decided_pay_appeals {
            let title = match line.appeal {
                Some(AppealStatus::Upheld) => "notify-pay-appeal-upheld",
                _ => "notify-pay-appeal-rejected",
            };
            out.push(Effect::Notify {
                id: format!("pay-appeal-{}", line.id),
                channel: Channel::Ratings,
                title: t(&words, title),
                body: words.text(
                    "notify-pay-appeal-body",
                    &Args::new()
                        .str("line", crate::earnings_page::line_title(&words, line))
                        .str(
                            "amount",
                            runsheet_core::wording::money(&words, &line.amount),
                        ),
                ),
            });
        }
        for rating in &event.new_ratings {
            let (id, title) = match rating.appeal {
                Some(AppealStatus::Upheld) => ("appeal-upheld", "notify-appeal-upheld"),
                Some(AppealStatus::Rejected) => ("appeal-rejected", "notify-appeal-rejected"),
                _ => ("rating", "notify-rating"),
            };
            out.push(Effect::Notify {
                id: format!("{id}-{}", rating.id),
                channel: Channel::Ratings,
                title: t(&words, title),
                body: words.text(
                    "notify-rating-body",
                    &Args::new()
                        .str("task", rating.task_id.clone())
                        .num("stars", i64::from(rating.stars.unwrap_or(0))),
                ),
            });
        }
        for c in &event.cases_asking {
            let waiting = c.doc.status == runsheet_protocol::CaseStatus::WaitingForCourier;
            out.push(Effect::Notify {
                id: format!("case-{}", c.doc.id),
                channel: Channel::Cases,
                title: t(
                    &words,
                    if waiting {
                        "notify-case-waiting"
                    } else {
                        "notify-case-new"
                    },
                ),
                body: words.text(
                    "notify-case-body",
                    &Args::new()
                        .str(
                            "kind",
                            runsheet_core::wording::case_kind(&words, c.doc.kind),
                        )
                        .str("task", c.doc.task_id.clone()),
                ),
            });
        }
        out
    }

    fn go(&self, page: Page) {
        let mut s = lock(&self.state);
        if s.page != page {
            let old = std::mem::replace(&mut s.page, page);
            s.history.push(old);
        }
    }

    fn say(&self, text: String, tone: Tone) {
        *lock(&self.notice) = Some(Verdict { text, tone });
    }

    /// Runs `work` on the runtime of this thread, else on the one the shell gave; without
    /// either (a plain test), to its end on a small runtime of its own before returning.
    fn run_async(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(work);
            return;
        }
        let given = lock(&self.runtime).clone();
        if let Some(handle) = given {
            handle.spawn(work);
            return;
        }
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt.block_on(work),
            Err(e) => tracing::error!(error = %e, "no runtime for the app's network work"),
        }
    }

    /// Marks a fetch of the nearby handovers as started from the courier's last position:
    /// its number and the position, or `None` (nothing fetched) when no position is known.
    fn begin_nearby_fetch(&self) -> Option<(u64, f64, f64)> {
        let (lat, lon) = self.core.last_position()?;
        let mut s = lock(&self.state);
        s.nearby.generation += 1;
        s.nearby.fetch = NearbyFetch::Fetching;
        Some((s.nearby.generation, lat, lon))
    }

    /// Fetches the nearby handovers and keeps the answer (unless a later fetch started), then
    /// renders. A list fetched while the core believed itself offline syncs first, so that the
    /// connection state (and the take offers) follow.
    async fn fetch_nearby(&self, generation: u64, lat: f64, lon: f64) {
        let result = self.core.nearby_handovers(lat, lon).await;
        if result.is_ok()
            && self
                .core
                .sync_status()
                .is_ok_and(|s| s.online == Some(false))
        {
            if let Err(e) = self.core.sync().await {
                tracing::info!(error = %e, "sync after the nearby handovers did not complete");
            }
        }
        {
            let mut s = lock(&self.state);
            if s.nearby.generation != generation {
                return; // a later fetch answers instead
            }
            s.nearby.fetch = match result {
                Ok(entries) => {
                    s.nearby.list = Some(NearbyList {
                        at: self.core.now(),
                        entries,
                    });
                    NearbyFetch::Idle
                }
                Err(e) => {
                    tracing::info!(error = %e, "the nearby handovers could not be fetched");
                    NearbyFetch::Failed {
                        sentence: crate::wording::error(&s.words, &e),
                        offline: matches!(e, runsheet_core::Error::Offline(_)),
                    }
                }
            };
        }
        self.render(Vec::new());
    }

    /// Starts fetching the nearby handovers (see [`Inner::fetch_nearby`]); nothing without a
    /// position.
    fn refresh_nearby(self: &Arc<Self>) {
        if let Some((generation, lat, lon)) = self.begin_nearby_fetch() {
            let inner = self.clone();
            self.run_async(async move { inner.fetch_nearby(generation, lat, lon).await });
        }
    }

    /// Takes `task_id`'s handover on the server. Taken: the Handover page of the task opens
    /// (the phone synced, the task is incoming: scan every bag). Refused: the refusal in words
    /// as the notice, and the list fetched again.
    fn take_nearby(self: &Arc<Self>, task_id: String) {
        lock(&self.state).nearby.taking = Some(task_id.clone());
        let inner = self.clone();
        self.run_async(async move {
            let result = inner.core.take_handover(&task_id).await;
            let words = {
                let mut s = lock(&inner.state);
                s.nearby.taking = None;
                s.words
            };
            match result {
                Ok(_) => {
                    if let Some(l) = lock(&inner.state).nearby.list.as_mut() {
                        l.entries.retain(|e| e.task_id != task_id);
                    }
                    inner.say(
                        words.text(
                            "notice-handover-taken",
                            &Args::new().str("task", task_id.clone()),
                        ),
                        Tone::Good,
                    );
                    inner.go(Page::Handover { task_id });
                    inner.render(Vec::new());
                }
                Err(e) => {
                    inner.say(crate::wording::error(&words, &e), Tone::Bad);
                    let again = inner.begin_nearby_fetch();
                    inner.render(Vec::new());
                    if let Some((generation, lat, lon)) = again {
                        inner.fetch_nearby(generation, lat, lon).await;
                    }
                }
            }
        });
    }

    fn execute(self: &Arc<Self>, words: &Words, tap: Tap) -> Result<Vec<Effect>, TapError> {
        let core = &self.core;
        let err = |e: runsheet_core::Error| refused(words, &e);
        let mut effects = Vec::new();
        match tap {
            Tap::ShowTasks => {
                let mut s = lock(&self.state);
                s.page = Page::Tasks;
                s.history.clear();
            }
            Tap::ShowTask { task_id } => self.go(Page::Task { task_id }),
            Tap::ShowScan { task_id } => self.go(Page::Scan { task_id }),
            Tap::ShowChecklist { task_id, stage } => self.go(Page::Checklist { task_id, stage }),
            Tap::ShowProblem { task_id } => self.go(Page::Problem { task_id }),
            Tap::ShowRatings => self.go(Page::Ratings),
            Tap::ShowKpis => self.go(Page::Kpis),
            Tap::ShowCases => self.go(Page::Cases),
            Tap::ShowCase { case_id } => self.go(Page::Case { case_id }),
            Tap::AnswerCase { case_id, statement } => {
                core.answer_case(case_id, &statement).map_err(err)?;
                self.say(t(words, "notice-case-answered"), Tone::Good);
            }
            Tap::ShowOffers => self.go(Page::Offers),
            Tap::AcceptOffer { offer_id } => {
                core.accept_offer(offer_id).map_err(err)?;
                self.say(t(words, "notice-offer-accepted"), Tone::Good);
            }
            Tap::DeclineOffer {
                offer_id,
                reason,
                note,
            } => {
                if reason == runsheet_protocol::DeclineReason::Other && note.trim().is_empty() {
                    return Err(TapError::Invalid {
                        sentence: crate::wording::blocker(
                            words,
                            &runsheet_core::Blocker::ReasonRequired,
                        ),
                    });
                }
                core.decline_offer(offer_id, reason, Some(&note))
                    .map_err(err)?;
                self.say(t(words, "notice-offer-declined"), Tone::Neutral);
            }
            Tap::SetAside { task_id, item_code } => {
                core.set_aside(&task_id, &item_code).map_err(err)?;
                self.say(t(words, "notice-set-aside"), Tone::Neutral);
            }
            Tap::ShowHandover { task_id } => self.go(Page::Handover { task_id }),
            Tap::RequestHandover {
                task_id,
                reason,
                note,
            } => {
                let note = (!note.trim().is_empty()).then_some(note);
                core.request_handover(&task_id, reason, note).map_err(err)?;
                self.say(t(words, "notice-handover-requested"), Tone::Good);
            }
            Tap::ScanHandoverBag {
                task_id,
                code,
                symbology,
            } => {
                if code.trim().is_empty() {
                    return Err(TapError::Invalid {
                        sentence: t(words, "input-code-required"),
                    });
                }
                let (outcome, progress) = core
                    .scan_handover_bag(&task_id, &code, symbology)
                    .map_err(err)?;
                let verdict = if progress.custody == runsheet_core::Custody::Mine {
                    Verdict {
                        text: t(words, "verdict-handover-received"),
                        tone: Tone::Good,
                    }
                } else {
                    scan_page::verdict(words, &outcome)
                };
                lock(&self.state).verdicts.insert(task_id, verdict);
            }
            Tap::ShowTraining => self.go(Page::Training),
            Tap::ShowModule { module_id } => self.go(Page::Module { module_id }),
            Tap::ShowReview => self.go(Page::Review),
            Tap::StartQuiz { module_id } => {
                let m = core.training_module(&module_id).map_err(err)?.module;
                self.go(Page::Quiz {
                    module_id,
                    version: m.version,
                    answers: vec![None; m.quiz.len()],
                });
            }
            Tap::ChooseAnswer {
                module_id,
                question,
                choice,
            } => {
                let mut s = lock(&self.state);
                match &mut s.page {
                    Page::Quiz {
                        module_id: open,
                        answers,
                        ..
                    } if *open == module_id && (question as usize) < answers.len() => {
                        answers[question as usize] = Some(choice);
                    }
                    _ => {
                        return Err(TapError::Invalid {
                            sentence: t(words, "input-unknown-field"),
                        })
                    }
                }
            }
            Tap::SubmitQuiz { module_id, version } => {
                let answers = match &lock(&self.state).page {
                    Page::Quiz {
                        module_id: open,
                        answers,
                        ..
                    } if *open == module_id => answers.clone(),
                    _ => Vec::new(),
                };
                let missing = answers.iter().filter(|a| a.is_none()).count();
                let Some(answers) = answers
                    .into_iter()
                    .collect::<Option<Vec<u32>>>()
                    .filter(|a| !a.is_empty())
                else {
                    return Err(TapError::Invalid {
                        sentence: words.text(
                            "quiz-unanswered",
                            &Args::new().num("n", missing.max(1) as i64),
                        ),
                    });
                };
                let grade = core.take_quiz(&module_id, version, answers).map_err(err)?;
                let module = core.training_module(&module_id).map_err(err)?.module;
                let (text, tone) = crate::training_page::verdict(words, &module, &grade);
                self.say(text, tone);
                let mut s = lock(&self.state);
                s.page = s.history.pop().unwrap_or(Page::Module { module_id });
            }
            Tap::CollectCash {
                task_id,
                collected,
                change,
                reason,
            } => {
                core.collect_cash(&task_id, &collected, &change, Some(reason))
                    .map_err(err)?;
                self.say(t(words, "notice-cash-recorded"), Tone::Good);
            }
            Tap::HandInCash { handed } => {
                let receipt = core.hand_in_cash(&handed).map_err(err)?;
                let (text, tone) = crate::door::hand_in_notice(words, &receipt);
                self.say(text, tone);
            }
            Tap::LockerDrop {
                task_id,
                locker_code,
                compartment,
            } => {
                core.locker_drop(&task_id, &locker_code, &compartment)
                    .map_err(err)?;
                self.say(t(words, "notice-locker-dropped"), Tone::Good);
            }
            Tap::Back => {
                let mut s = lock(&self.state);
                s.page = s.history.pop().unwrap_or(Page::Tasks);
            }
            Tap::SignIn { token } => {
                if token.trim().is_empty() {
                    return Err(TapError::Invalid {
                        sentence: t(words, "input-token-required"),
                    });
                }
                core.set_token(Token::new(token.trim().to_owned()));
                lock(&self.state).signed_in = true;
                effects.push(self.sync_soon());
                if lock(&self.state).permission(Permission::Notifications)
                    == PermissionState::Unknown
                {
                    effects.push(self.ask(words, Permission::Notifications));
                }
            }
            Tap::SyncNow => effects.push(self.sync_soon()),
            Tap::SetLanguage { locale } => lock(&self.state).words = Words::new(&locale),
            Tap::StartShift => {
                core.start_shift().map_err(err)?;
                for p in [
                    Permission::Location,
                    Permission::BackgroundLocation,
                    Permission::Notifications,
                ] {
                    if lock(&self.state).permission(p) == PermissionState::Unknown {
                        effects.push(self.ask(words, p));
                    }
                }
            }
            Tap::StartBreak => {
                core.start_break().map_err(err)?;
            }
            Tap::EndBreak => {
                core.end_break().map_err(err)?;
            }
            Tap::EndShift => {
                core.end_shift().map_err(err)?;
            }
            Tap::Accept { task_id } => {
                core.accept(&task_id).map_err(err)?;
            }
            Tap::ArriveManually { task_id, reason } => {
                core.arrive_manually(&task_id, &reason).map_err(err)?;
            }
            Tap::PickUp { task_id } => {
                core.pick_up(&task_id).map_err(err)?;
                self.leave_scan(&task_id);
            }
            Tap::Deliver { task_id } => {
                let proof = lock(&self.state)
                    .proof
                    .get(&task_id)
                    .cloned()
                    .unwrap_or_default();
                core.mark_delivered_with_proof(&task_id, proof)
                    .map_err(err)?;
                lock(&self.state).proof.remove(&task_id);
                self.leave_scan(&task_id);
                self.say(t(words, "notice-delivered"), Tone::Good);
            }
            Tap::Return { task_id } => {
                core.mark_returned(&task_id).map_err(err)?;
            }
            Tap::TakeProofPhoto { task_id } => effects.push(Effect::CapturePhoto {
                purpose: PhotoPurpose::Proof { task_id },
                prompt: t(words, "prompt-proof-photo"),
            }),
            Tap::TakeSignature { task_id } => effects.push(Effect::CaptureSignature {
                task_id,
                prompt: t(words, "prompt-signature"),
            }),
            Tap::EnterHandoffCode { task_id, code } => {
                use runsheet_core::scan::handoff::HandoffCheck;
                match core.verify_handoff_code(&task_id, &code).map_err(err)? {
                    HandoffCheck::Verified => {
                        self.say(t(words, "notice-code-verified"), Tone::Good)
                    }
                    HandoffCheck::Wrong { attempts_left } => self.say(
                        words.text(
                            "notice-code-wrong",
                            &Args::new().num("left", i64::from(attempts_left)),
                        ),
                        Tone::Bad,
                    ),
                    HandoffCheck::Locked => self.say(t(words, "notice-code-locked"), Tone::Bad),
                }
            }
            Tap::CallCustomer { task_id } => {
                let task = core.task(&task_id).map_err(err)?;
                match task.dropoff.phone.filter(|p| !p.trim().is_empty()) {
                    Some(number) => effects.push(Effect::Dial { number }),
                    None => {
                        return Err(TapError::Refused {
                            sentence: t(words, "no-phone"),
                        })
                    }
                }
            }
            Tap::RecordCall { task_id, answered } => {
                core.record_contact_attempt(
                    &task_id,
                    runsheet_protocol::ContactChannel::Call,
                    answered,
                )
                .map_err(err)?;
            }
            Tap::MessageCustomer { task_id, template } => {
                core.send_message(&task_id, template).map_err(err)?;
                self.say(t(words, "notice-message-queued"), Tone::Good);
            }
            Tap::OpenMap { task_id, app } => {
                let task = core.task(&task_id).map_err(err)?;
                let Some((_, stop)) = task.current_stop() else {
                    return Err(TapError::Refused {
                        sentence: t(words, "tap-not-offered"),
                    });
                };
                effects.push(Effect::OpenLink {
                    url: navigation_link(app, stop.lat, stop.lon, &stop.name),
                });
            }
            Tap::TakeProblemPhoto { task_id } => effects.push(Effect::CapturePhoto {
                purpose: PhotoPurpose::Problem { task_id },
                prompt: t(words, "prompt-problem-photo"),
            }),
            Tap::ReportProblem {
                task_id,
                reason,
                note,
                ready_in_min,
            } => {
                let photos = lock(&self.state)
                    .problem_photos
                    .get(&task_id)
                    .cloned()
                    .unwrap_or_default();
                let note = Some(note).filter(|n| !n.trim().is_empty());
                if reason == ExceptionReason::MerchantDelay {
                    let minutes = ready_in_min
                        .filter(|m| (1..=problem_page::MAX_READY_IN_MIN).contains(m))
                        .ok_or_else(|| TapError::Invalid {
                            sentence: words.text(
                                "input-ready-in-range",
                                &Args::new().num("max", i64::from(problem_page::MAX_READY_IN_MIN)),
                            ),
                        })?;
                    core.report_merchant_delay(&task_id, note, photos, minutes)
                        .map_err(err)?;
                } else {
                    core.report_exception(&task_id, reason, note, photos, None)
                        .map_err(err)?;
                }
                lock(&self.state).problem_photos.remove(&task_id);
                let mut s = lock(&self.state);
                s.page = Page::Task { task_id };
                s.history.retain(|p| !matches!(p, Page::Problem { .. }));
                drop(s);
                self.say(t(words, "notice-report-sent"), Tone::Neutral);
            }
            Tap::StartCamera { task_id } => {
                let state = lock(&self.state).permission(Permission::Camera);
                if state == PermissionState::Granted {
                    let mut s = lock(&self.state);
                    if !s.camera_on.contains(&task_id) {
                        s.camera_on.push(task_id);
                    }
                } else {
                    effects.push(self.ask(words, Permission::Camera));
                }
            }
            Tap::Scan {
                task_id,
                code,
                symbology,
            } => {
                if code.trim().is_empty() {
                    return Err(TapError::Invalid {
                        sentence: t(words, "input-code-required"),
                    });
                }
                let (outcome, _) = core.scan(&task_id, &code, symbology).map_err(err)?;
                let verdict = scan_page::verdict(words, &outcome);
                lock(&self.state).verdicts.insert(task_id, verdict);
            }
            Tap::TakeItemPhoto { task_id, item_code } => effects.push(Effect::CapturePhoto {
                purpose: PhotoPurpose::Item { task_id, item_code },
                prompt: t(words, "prompt-item-photo"),
            }),
            Tap::ConfirmItemByHand {
                task_id,
                item_code,
                reason,
            } => {
                let key = (task_id.clone(), item_code.clone());
                let photos = lock(&self.state)
                    .item_photos
                    .get(&key)
                    .cloned()
                    .unwrap_or_default();
                core.confirm_item_manually(&task_id, &item_code, &reason, photos)
                    .map_err(err)?;
                lock(&self.state).item_photos.remove(&key);
            }
            Tap::Answer {
                task_id,
                stage,
                item_id,
                value,
            } => {
                let refused_id = matches!(&value, runsheet_protocol::AnswerValue::IdCheck(c) if c.outcome.refused());
                core.answer(task_id.as_deref(), stage, &item_id, value)
                    .map_err(err)?;
                if refused_id {
                    self.say(t(words, "notice-id-refused"), Tone::Bad);
                }
            }
            Tap::TakeChecklistPhoto {
                task_id,
                stage,
                item_id,
            } => effects.push(Effect::CapturePhoto {
                purpose: PhotoPurpose::ChecklistItem {
                    task_id,
                    stage,
                    item_id,
                },
                prompt: t(words, "prompt-checklist-photo"),
            }),
            Tap::RateStop {
                task_id,
                target,
                stars,
                comment,
            } => {
                if !(1..=5).contains(&stars) {
                    return Err(TapError::Invalid {
                        sentence: t(words, "input-stars-range"),
                    });
                }
                let note = Some(comment).filter(|c| !c.trim().is_empty());
                core.rate_stop(&task_id, target, stars, Vec::new(), note)
                    .map_err(err)?;
                self.say(t(words, "notice-rated"), Tone::Good);
            }
            Tap::Appeal { rating_id, reason } => {
                core.appeal(&rating_id, &reason).map_err(err)?;
                self.say(t(words, "notice-appealed"), Tone::Neutral);
            }
            Tap::ShowEarnings { period } => {
                // Switching between the day and the week replaces the page, not a step back.
                let mut s = lock(&self.state);
                if let Page::Earnings { .. } = s.page {
                    s.page = Page::Earnings { period };
                } else {
                    drop(s);
                    self.go(Page::Earnings { period });
                }
            }
            Tap::AppealPay { line_id, reason } => {
                core.appeal_pay(&line_id, &reason).map_err(err)?;
                self.say(t(words, "notice-pay-appealed"), Tone::Neutral);
            }
            Tap::OpenNearbyHandovers => {
                self.go(Page::NearbyHandovers);
                self.refresh_nearby();
            }
            Tap::RefreshNearbyHandovers => self.refresh_nearby(),
            Tap::TakeHandover { task_id } => self.take_nearby(task_id),
            Tap::AllowLocation => {
                effects.push(self.ask(words, Permission::Location));
                // The location mode again, for a shell that turned location off when refused.
                lock(&self.rendered).location = None;
            }
        }
        Ok(effects)
    }

    fn resolve(&self, words: &Words, result: EffectResult) -> Result<Vec<Effect>, TapError> {
        let core = &self.core;
        let err = |e: runsheet_core::Error| refused(words, &e);
        match result {
            EffectResult::Permission {
                permission,
                granted,
            } => {
                let mut s = lock(&self.state);
                s.permissions.insert(
                    permission,
                    if granted {
                        PermissionState::Granted
                    } else {
                        PermissionState::Denied
                    },
                );
                if permission == Permission::Camera && granted {
                    if let Page::Scan { task_id } = s.page.clone() {
                        if !s.camera_on.contains(&task_id) {
                            s.camera_on.push(task_id);
                        }
                    }
                }
                if permission == Permission::Camera && !granted {
                    s.camera_on.clear();
                }
            }
            EffectResult::PhotoTaken { purpose, path } => {
                let sha = core
                    .attach_file(std::path::Path::new(&path))
                    .map_err(err)?
                    .sha256;
                match purpose {
                    PhotoPurpose::Proof { task_id } => lock(&self.state)
                        .proof
                        .entry(task_id)
                        .or_default()
                        .push(sha),
                    PhotoPurpose::Problem { task_id } => lock(&self.state)
                        .problem_photos
                        .entry(task_id)
                        .or_default()
                        .push(sha),
                    PhotoPurpose::Item { task_id, item_code } => lock(&self.state)
                        .item_photos
                        .entry((task_id, item_code))
                        .or_default()
                        .push(sha),
                    PhotoPurpose::ChecklistItem {
                        task_id,
                        stage,
                        item_id,
                    } => {
                        let mut photos = existing_photos(core, task_id.as_deref(), stage, &item_id)
                            .map_err(err)?;
                        photos.push(sha);
                        core.answer(
                            task_id.as_deref(),
                            stage,
                            &item_id,
                            runsheet_protocol::AnswerValue::Photos(photos),
                        )
                        .map_err(err)?;
                    }
                }
            }
            EffectResult::SignatureTaken { task_id, path } => {
                let sha = core
                    .attach_file(std::path::Path::new(&path))
                    .map_err(err)?
                    .sha256;
                lock(&self.state)
                    .proof
                    .entry(task_id)
                    .or_default()
                    .push(sha);
            }
            EffectResult::Cancelled => {}
        }
        Ok(Vec::new())
    }

    fn leave_scan(&self, task_id: &str) {
        let mut s = lock(&self.state);
        s.camera_on.retain(|t| t != task_id);
        if matches!(&s.page, Page::Scan { task_id: t } if t == task_id) {
            s.page = Page::Task {
                task_id: task_id.to_owned(),
            };
        }
    }

    fn ask(&self, words: &Words, permission: Permission) -> Effect {
        lock(&self.state)
            .permissions
            .insert(permission, PermissionState::Asking);
        let id = match permission {
            Permission::Camera => "rationale-camera",
            Permission::Location => "rationale-location",
            Permission::BackgroundLocation => "rationale-background-location",
            Permission::Notifications => "rationale-notifications",
        };
        Effect::RequestPermission {
            permission,
            rationale: t(words, id),
        }
    }

    /// Starts a sync on the runtime this runs on, or asks the shell for one.
    fn sync_soon(&self) -> Effect {
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let core = self.core.clone();
            handle.spawn(async move {
                if let Err(e) = core.sync().await {
                    tracing::info!(error = %e, "sync asked by the courier did not complete");
                }
            });
        }
        Effect::ScheduleSync {
            after_s: Some(0),
            on_network: true,
        }
    }
}

fn existing_photos(
    core: &Runsheet,
    task_id: Option<&str>,
    stage: ChecklistStage,
    item_id: &str,
) -> runsheet_core::Result<Vec<String>> {
    let list = core.checklist(task_id, stage)?;
    Ok(list
        .and_then(|l| {
            l.items
                .into_iter()
                .find(|i| i.def.id == item_id)
                .and_then(|i| i.answer)
        })
        .and_then(|a| match a.value {
            runsheet_protocol::AnswerValue::Photos(p) => Some(p),
            _ => None,
        })
        .unwrap_or_default())
}

/// The whole screen for the open page.
fn build_screen(v: &View<'_>, notice: Option<Verdict>) -> runsheet_core::Result<Screen> {
    let w = v.words;
    let shift_bar = shift_bar::build(v)?;
    let sync_banner = sync_banner::build(v)?;
    if !v.state.signed_in {
        return Ok(Screen {
            language: w.language(),
            header: Header {
                title: t(w, "title-sign-in"),
                back: None,
                tabs: Vec::new(),
            },
            shift_bar,
            sync_banner,
            notice,
            body: Body::SignIn {
                page: crate::screen::SignInPage {
                    text: t(w, "sign-in-text"),
                    sign_in: sync_banner::sign_in_offer(w),
                },
            },
        });
    }
    // A page whose task is gone (reassigned, purged) falls back to the list.
    let page = match &v.state.page {
        Page::Task { task_id }
        | Page::Scan { task_id }
        | Page::Problem { task_id }
        | Page::Handover { task_id }
        | Page::Checklist {
            task_id: Some(task_id),
            ..
        } if v.core.task(task_id).is_err() => Page::Tasks,
        Page::Case { case_id } if v.core.case(*case_id).is_err() => Page::Cases,
        Page::Module { module_id } | Page::Quiz { module_id, .. }
            if v.core.training_module(module_id).is_err() =>
        {
            Page::Training
        }
        p => p.clone(),
    };
    let (title, body) = match &page {
        Page::Tasks => (
            t(w, "title-tasks"),
            Body::Tasks {
                page: task_list::build(v)?,
            },
        ),
        Page::Task { task_id } => {
            let p = task_page::build(v, task_id)?;
            (p.title.clone(), Body::Task { page: p })
        }
        Page::Scan { task_id } => (
            t(w, "title-scan"),
            Body::Scan {
                page: scan_page::build(v, task_id)?,
            },
        ),
        Page::Checklist { task_id, stage } => {
            let p = checklist_page::build(v, task_id.as_deref(), *stage)?;
            (p.title.clone(), Body::Checklist { page: p })
        }
        Page::Problem { task_id } => (
            t(w, "title-problem"),
            Body::Problem {
                page: problem_page::build(v, task_id)?,
            },
        ),
        Page::Ratings => (
            t(w, "title-ratings"),
            Body::Ratings {
                page: ratings_page::build(v)?,
            },
        ),
        Page::Kpis => (
            t(w, "title-kpis"),
            Body::Kpis {
                page: kpi_page::build(v)?,
            },
        ),
        Page::Cases => (
            t(w, "title-cases"),
            Body::Cases {
                page: cases_page::build(v)?,
            },
        ),
        Page::Case { case_id } => (
            w.text("title-case", &Args::new().str("case", case_id.to_string())),
            Body::CaseDetail {
                page: cases_page::build_one(v, *case_id)?,
            },
        ),
        Page::Offers => (
            t(w, "title-offers"),
            Body::Offers {
                page: task_offer_page::build(v)?,
            },
        ),
        Page::Handover { task_id } => {
            let p = handover_page::build(v, task_id)?;
            (p.title.clone(), Body::Handover { page: p })
        }
        Page::Earnings { period } => (
            t(w, "title-earnings"),
            Body::Earnings {
                page: crate::earnings_page::build(v, *period)?,
            },
        ),
        Page::Training => (
            t(w, "title-training"),
            Body::Training {
                page: training_page::build(v)?,
            },
        ),
        Page::Module { module_id } => {
            let p = training_page::build_module(v, module_id)?;
            (p.title.clone(), Body::Module { page: p })
        }
        Page::Quiz {
            module_id,
            version,
            answers,
        } => {
            let p = training_page::build_quiz(v, module_id, *version, answers)?;
            (p.title.clone(), Body::Quiz { page: p })
        }
        Page::Review => (
            t(w, "title-review"),
            Body::Review {
                page: training_page::build_review(v)?,
            },
        ),
        Page::NearbyHandovers => (
            t(w, "title-nearby-handovers"),
            Body::NearbyHandovers {
                page: nearby_handovers_page::build(v)?,
            },
        ),
    };
    use crate::offer::{Offer, OfferStyle};
    let back = (page != Page::Tasks)
        .then(|| Offer::new(Tap::Back, t(w, "offer-back"), OfferStyle::Navigation));
    let other = match w.language() {
        runsheet_words::Language::ZhCn => "en",
        runsheet_words::Language::En => "zh-CN",
    };
    let tabs = vec![
        Offer::new(Tap::ShowTasks, t(w, "tab-tasks"), OfferStyle::Navigation),
        Offer::new(Tap::ShowOffers, t(w, "tab-offers"), OfferStyle::Navigation),
        Offer::new(
            Tap::ShowEarnings {
                period: runsheet_core::earnings::EarningsPeriod::Day,
            },
            t(w, "tab-earnings"),
            OfferStyle::Navigation,
        ),
        Offer::new(
            Tap::ShowRatings,
            t(w, "tab-ratings"),
            OfferStyle::Navigation,
        ),
        Offer::new(Tap::ShowKpis, t(w, "tab-kpis"), OfferStyle::Navigation),
        Offer::new(Tap::ShowCases, t(w, "tab-cases"), OfferStyle::Navigation),
        Offer::new(
            Tap::ShowTraining,
            t(w, "tab-training"),
            OfferStyle::Navigation,
        ),
        Offer::new(
            Tap::SetLanguage {
                locale: other.into(),
            },
            t(w, "tab-language"),
            OfferStyle::Navigation,
        ),
    ];
    Ok(Screen {
        language: w.language(),
        header: Header { title, back, tabs },
        shift_bar,
        sync_banner,
        notice,
        body,
    })
}
