//! What every page is computed from: the core, the words, the clock, and the app's own state
//! (which page is open, photos taken for a report not yet sent, permissions).

use std::collections::HashMap;

use runsheet_core::{Runsheet, Settings};
use runsheet_protocol::ChecklistStage;
use runsheet_words::Words;

use crate::effect::{Permission, PermissionState};
use crate::screen::Verdict;

/// The page open in the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The task list.
    Tasks,
    /// One task.
    Task {
        /// Which.
        task_id: String,
    },
    /// Scanning a task's current handoff.
    Scan {
        /// Which task.
        task_id: String,
    },
    /// A checklist.
    Checklist {
        /// Which task, if any.
        task_id: Option<String>,
        /// Which stage.
        stage: ChecklistStage,
    },
    /// Reporting a problem.
    Problem {
        /// Which task.
        task_id: String,
    },
    /// Ratings and appeals.
    Ratings,
    /// The KPI screen.
    Kpis,
    /// The after-sales cases.
    Cases,
    /// One case.
    Case {
        /// Which.
        case_id: i64,
    },
    /// The offers of work.
    Offers,
    /// A task's handover between couriers.
    Handover {
        /// Which task.
        task_id: String,
    },
    /// The courier's earnings.
    Earnings {
        /// Today or this week.
        period: runsheet_core::earnings::EarningsPeriod,
    },
    /// The training modules and qualifications.
    Training,
    /// One training module.
    Module {
        /// Which.
        module_id: String,
    },
    /// A module's quiz, with the answers chosen so far.
    Quiz {
        /// Which module.
        module_id: String,
        /// The version being answered.
        version: i64,
        /// One per question, `None` until chosen.
        answers: Vec<Option<u32>>,
    },
    /// The six-monthly performance review.
    Review,
    /// Other couriers' open handover requests near this courier.
    NearbyHandovers,
}

/// The nearby handovers as the app last fetched them from the server (the list needs the
/// network, so it is held here between fetches).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NearbyState {
    /// The last list fetched: when (the core's clock) and the requests, nearest first.
    pub list: Option<NearbyList>,
    /// Where the current fetch stands.
    pub fetch: NearbyFetch,
    /// The task whose handover is being taken, while the take is with the server.
    pub taking: Option<String>,
    /// Counts the fetches started: a fetch's answer is kept only if no later one started.
    pub generation: u64,
}

/// A list of nearby handovers fetched from the server.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyList {
    /// When it was fetched, Unix seconds by the core's clock.
    pub at: i64,
    /// The open requests, nearest first.
    pub entries: Vec<runsheet_protocol::NearbyHandover>,
}

/// Where fetching the nearby handovers stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum NearbyFetch {
    /// Not fetched since the page opened (or nothing asked yet).
    #[default]
    Idle,
    /// Asked; waiting for the server.
    Fetching,
    /// The last fetch failed.
    Failed {
        /// What went wrong, as one sentence in the courier's words when it failed.
        sentence: String,
        /// Whether it failed for want of a network (the page then says so in its own words).
        offline: bool,
    },
}

/// The app's own state, beside what the store holds.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The words in use.
    pub words: Words,
    /// The open page.
    pub page: Page,
    /// Pages to go back to.
    pub history: Vec<Page>,
    /// Whether the courier is signed in (a token was given and not refused).
    pub signed_in: bool,
    /// What the platform said about each permission.
    pub permissions: HashMap<Permission, PermissionState>,
    /// Tasks whose scan page has the camera on.
    pub camera_on: Vec<String>,
    /// The last scan's verdict, per task.
    pub verdicts: HashMap<String, Verdict>,
    /// Proof taken for a delivery not yet recorded (attachment hashes), per task.
    pub proof: HashMap<String, Vec<String>>,
    /// Photos taken for a problem report not yet sent, per task.
    pub problem_photos: HashMap<String, Vec<String>>,
    /// Photos of items to confirm by hand, per (task, item).
    pub item_photos: HashMap<(String, String), Vec<String>>,
    /// The nearby handovers fetched so far.
    pub nearby: NearbyState,
}

impl AppState {
    /// A fresh state in `words`, on the task list.
    pub fn new(words: Words, signed_in: bool) -> Self {
        AppState {
            words,
            page: Page::Tasks,
            history: Vec::new(),
            signed_in,
            permissions: HashMap::new(),
            camera_on: Vec::new(),
            verdicts: HashMap::new(),
            proof: HashMap::new(),
            problem_photos: HashMap::new(),
            item_photos: HashMap::new(),
            nearby: NearbyState::default(),
        }
    }

    /// What the platform said about `p`.
    pub fn permission(&self, p: Permission) -> PermissionState {
        self.permissions
            .get(&p)
            .copied()
            .unwrap_or(PermissionState::Unknown)
    }
}

/// One computation's inputs.
pub struct View<'a> {
    /// The core.
    pub core: &'a Runsheet,
    /// The app's state.
    pub state: &'a AppState,
    /// The words.
    pub words: &'a Words,
    /// Now, by the core's clock.
    pub now: i64,
    /// The platform's settings.
    pub settings: Settings,
}

impl View<'_> {
    /// A local time of day.
    pub fn time(&self, unix: i64) -> String {
        self.words
            .clock_time(unix, local_offset_min(&self.settings, unix))
    }
}

/// The offset from UTC the courier's times are shown in: the city's, as the platform publishes
/// it; until it has published settings, the phone's own time zone.
pub fn local_offset_min(settings: &Settings, unix: i64) -> i32 {
    use chrono::{Offset, TimeZone};
    if settings.version > 0 {
        return settings.utc_offset_min;
    }
    chrono::Local
        .timestamp_opt(unix, 0)
        .single()
        .map_or(0, |t| t.offset().fix().local_minus_utc() / 60)
}
