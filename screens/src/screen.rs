//! The screen model: everything a shell draws, decided by the core in the courier's language.
//! A shell renders a [`Screen`] and offers exactly its [`Offer`]s.

use runsheet_core::Group;
use runsheet_protocol::{ChecklistStage, ExceptionReason, ItemKind, RatingTarget};
use runsheet_words::Language;

use crate::offer::Offer;

/// The whole screen: header, shift bar, sync banner and the page's body.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Screen {
    /// The language every word is in.
    pub language: Language,
    /// Title and navigation.
    pub header: Header,
    /// The shift: state, figures, its action.
    pub shift_bar: ShiftBar,
    /// Offline, pending actions, sign-in needed.
    pub sync_banner: SyncBanner,
    /// What the last tap did, when it needs saying ("Code verified", "Wrong code: 2 tries
    /// left", "Report sent"); cleared by the next tap.
    pub notice: Option<Verdict>,
    /// The page.
    pub body: Body,
}

/// The top of the screen.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Header {
    /// The page's title.
    pub title: String,
    /// Back, when there is somewhere to go back to.
    pub back: Option<Offer>,
    /// The app's sections (tasks, ratings, KPIs) and the language switch.
    pub tabs: Vec<Offer>,
}

/// How a state reads at a glance: shells pick an icon and colour from it, and always show the
/// words too (never colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Tone {
    /// Nothing to worry about.
    Neutral,
    /// Done, confirmed.
    Good,
    /// Needs attention soon.
    Warning,
    /// Wrong, late, refused.
    Bad,
}

/// The shift bar.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ShiftBar {
    /// "On duty", "On a break", "Off duty".
    pub state: String,
    /// Time on duty, distance, deliveries ("2 h 5 min · 12.3 km · 5 delivered").
    pub figures: String,
    /// How it reads.
    pub tone: Tone,
    /// The shift's one primary action (start, end the break, end), if any.
    pub primary: Option<Offer>,
    /// Other shift actions (start a break).
    pub secondary: Vec<Offer>,
    /// The box's load against its room ("Box 7/10 · Chilled 1/2"), when dispatch set the
    /// courier's vehicle.
    pub box_load: Option<String>,
}

/// The sync banner.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncBanner {
    /// Whether to show it at all.
    pub visible: bool,
    /// What it says ("Offline · 3 actions saved on this phone, oldest 12 min").
    pub text: String,
    /// How it reads.
    pub tone: Tone,
    /// The courier must sign in again before anything is sent.
    pub sign_in_needed: bool,
    /// Sync now, sign in.
    pub offers: Vec<Offer>,
}

/// The page under the bars.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Body {
    /// Sign in.
    SignIn {
        /// The page.
        page: SignInPage,
    },
    /// The task list.
    Tasks {
        /// The page.
        page: TaskListPage,
    },
    /// One task.
    Task {
        /// The page.
        page: TaskPage,
    },
    /// Scanning a handoff's items.
    Scan {
        /// The page.
        page: ScanPage,
    },
    /// A checklist.
    Checklist {
        /// The page.
        page: ChecklistPage,
    },
    /// Reporting a problem.
    Problem {
        /// The page.
        page: ProblemPage,
    },
    /// Ratings and appeals.
    Ratings {
        /// The page.
        page: RatingsPage,
    },
    /// The courier's figures against the platform's targets.
    Kpis {
        /// The page.
        page: KpiPage,
    },
    /// The after-sales cases about the courier's deliveries.
    Cases {
        /// The page.
        page: CasesPage,
    },
    /// One case.
    CaseDetail {
        /// The page.
        page: CasePage,
    },
    /// The offers of work waiting for the courier's answer.
    Offers {
        /// The page.
        page: TaskOffersPage,
    },
    /// A task's handover between couriers.
    Handover {
        /// The page.
        page: HandoverPage,
    },
    /// The courier's earnings for today or this week.
    Earnings {
        /// The page.
        page: EarningsPage,
    },
    /// Training modules and qualifications.
    Training {
        /// The page.
        page: crate::training_page::TrainingListPage,
    },
    /// One training module.
    Module {
        /// The page.
        page: crate::training_page::ModulePage,
    },
    /// A module's quiz.
    Quiz {
        /// The page.
        page: crate::training_page::QuizPage,
    },
    /// The six-monthly performance review.
    Review {
        /// The page.
        page: crate::training_page::ReviewPage,
    },
    /// Other couriers' open handover requests near this courier, to take one over.
    NearbyHandovers {
        /// The page.
        page: crate::nearby_handovers_page::NearbyHandoversPage,
    },
}

/// The sign-in page.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignInPage {
    /// Why signing in is needed.
    pub text: String,
    /// The sign-in action (its input: the token).
    pub sign_in: Offer,
}

/// The task list, in route order within its groups.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskListPage {
    /// "2 now · 3 next · 1 later · 5 done today".
    pub summary: String,
    /// What an empty list says.
    pub empty_text: Option<String>,
    /// The rows.
    pub rows: Vec<TaskRow>,
}

/// Lateness against the promised time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Lateness {
    /// No promise, or finished.
    Unknown,
    /// Projected on time.
    OnTime,
    /// Projected within the margin of the promise.
    AtRisk,
    /// Projected past the promise.
    Late,
}

/// One row of the task list.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskRow {
    /// The task.
    pub task_id: String,
    /// Where from and where to.
    pub title: String,
    /// Food, grocery, parcel, return pickup.
    pub kind: String,
    /// The status in words.
    pub status: String,
    /// Its group.
    pub group: Group,
    /// The group in words ("Now").
    pub group_label: String,
    /// "Due 12:30", if promised.
    pub promised: Option<String>,
    /// Lateness risk.
    pub lateness: Lateness,
    /// The risk in words ("At risk: ETA 12:34"), if any.
    pub lateness_text: Option<String>,
    /// Actions not yet sent to the server ("1 action not sent").
    pub unsent: Option<String>,
    /// How the row reads.
    pub tone: Tone,
    /// The primary action, with its blockers.
    pub primary: Option<Offer>,
    /// Open the task, and the like.
    pub secondary: Vec<Offer>,
}

/// A stop on the task page.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StopView {
    /// "Pickup", "Drop-off", "Return".
    pub role: String,
    /// The place's name.
    pub name: String,
    /// Its address.
    pub address: String,
    /// "Ready 12:10", "Due 12:40", "ETA 12:31".
    pub times: Vec<String>,
    /// Lateness of this stop.
    pub lateness: Lateness,
    /// Where it is, WGS-84 (a terminal or test location source rides there; map apps get
    /// links of their own).
    pub lat: f64,
    /// Where it is, WGS-84.
    pub lon: f64,
}

/// Whether an item is confirmed at the current handoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ItemState {
    /// Still to scan or confirm.
    Pending,
    /// Confirmed.
    Confirmed,
}

/// An item on the task and scan pages.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ItemView {
    /// The label's code.
    pub code: String,
    /// What it is, with the quantity.
    pub name: String,
    /// How it must be kept ("Chilled").
    pub temperature: String,
    /// Confirmed or not.
    pub state: ItemState,
    /// The state in words.
    pub state_text: String,
    /// Confirm it by hand, photo first (on the scan page).
    pub offers: Vec<Offer>,
}

/// One line of the task's timeline.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimelineLine {
    /// Local time ("12:31").
    pub time: String,
    /// What happened.
    pub text: String,
}

/// One task.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskPage {
    /// The task.
    pub task_id: String,
    /// Where from and where to.
    pub title: String,
    /// Kind in words.
    pub kind: String,
    /// Status in words.
    pub status: String,
    /// Contactless handover, handoff code, customer data removed.
    pub notes: Vec<String>,
    /// The stops.
    pub stops: Vec<StopView>,
    /// The items.
    pub items: Vec<ItemView>,
    /// Call and message the customer.
    pub contact: Vec<Offer>,
    /// The next stop in each maps app (with the apps' names).
    pub maps: Vec<Offer>,
    /// What happened so far, oldest first.
    pub timeline: Vec<TimelineLine>,
    /// The primary action with its blockers.
    pub primary: Option<Offer>,
    /// Arrive by hand, scan, checklist, proof, problem, set a recalled item aside.
    pub secondary: Vec<Offer>,
    /// The after-sales cases about this task, and the case it was created for: each opens
    /// the case ("Case 7: Late delivery (waiting for your statement)").
    pub cases: Vec<Offer>,
    /// Items taken back from the customer at the door (an exchange).
    pub take_back: Vec<ItemView>,
}

/// The last scan's verdict.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Verdict {
    /// As a sentence.
    pub text: String,
    /// How it reads (wrong bag: bad; confirmed: good).
    pub tone: Tone,
}

/// The camera, as far as scanning is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CameraState {
    /// Not turned on yet.
    Off,
    /// Permission asked; waiting for the answer.
    AskingPermission,
    /// On: scan.
    On,
    /// Permission refused: confirm by hand with a photo, or type the code.
    Denied,
}

/// Scanning a handoff's items.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScanPage {
    /// The task.
    pub task_id: String,
    /// "Pickup: 2 of 3 confirmed".
    pub progress: String,
    /// Confirmed so far.
    pub confirmed: u32,
    /// Expected.
    pub expected: u32,
    /// The items with their state.
    pub items: Vec<ItemView>,
    /// The last scan's verdict.
    pub last_verdict: Option<Verdict>,
    /// The camera.
    pub camera: CameraState,
    /// What the camera state means for the courier, if anything.
    pub camera_text: Option<String>,
    /// Turn the camera on; type a code.
    pub offers: Vec<Offer>,
}

/// A checklist item.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChecklistItemView {
    /// Its id.
    pub item_id: String,
    /// What the courier reads (the platform's words).
    pub label: String,
    /// What it asks for.
    pub kind: ItemKind,
    /// Whether the stage waits for it.
    pub required: bool,
    /// The answer in words, if answered.
    pub answer: Option<String>,
    /// Whether it is satisfied.
    pub done: bool,
    /// What is wrong with the answer ("4.5 °C is above the limit of 4 °C").
    pub problem: Option<String>,
    /// Answer it (inputs per kind), take its photo.
    pub offers: Vec<Offer>,
}

/// A checklist.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChecklistPage {
    /// The task, if any.
    pub task_id: Option<String>,
    /// The stage, chosen by the core.
    pub stage: ChecklistStage,
    /// The stage in words.
    pub title: String,
    /// "2 of 4 done".
    pub summary: String,
    /// Whether every required item is done.
    pub complete: bool,
    /// The items that apply.
    pub items: Vec<ChecklistItemView>,
}

/// A reason on the problem sheet.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProblemReason {
    /// The reason.
    pub reason: ExceptionReason,
    /// It in words.
    pub label: String,
    /// Whether it ends the delivery (the goods go back).
    pub ends_delivery: bool,
    /// What reporting it does, in words.
    pub effect: String,
    /// The report action (inputs: note, ready time) with its blockers.
    pub report: Offer,
}

/// Reporting a problem.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProblemPage {
    /// The task.
    pub task_id: String,
    /// "2 photos added".
    pub photos: String,
    /// Take a photo.
    pub take_photo: Offer,
    /// The reasons that apply now.
    pub reasons: Vec<ProblemReason>,
}

/// A rating of the courier.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RatingView {
    /// Its id.
    pub rating_id: String,
    /// The task.
    pub task_id: String,
    /// "★★★☆☆" and who gave it.
    pub title: String,
    /// Stars, if any.
    pub stars: Option<u8>,
    /// Tags and comment in words.
    pub detail: Option<String>,
    /// When.
    pub when: String,
    /// The appeal's state in words, if appealed.
    pub appeal: Option<String>,
    /// How it reads.
    pub tone: Tone,
    /// Appeal it (until the window closes; the offer says until when).
    pub offers: Vec<Offer>,
}

/// A delivered task whose stops may still be rated.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ToRate {
    /// The task.
    pub task_id: String,
    /// Where from and where to.
    pub title: String,
    /// "Until 18:30".
    pub until: String,
    /// Rate the pickup, rate the drop-off (inputs: stars 1 to 5, comment).
    pub offers: Vec<Offer>,
    /// Which stops may be rated.
    pub targets: Vec<RatingTarget>,
}

/// Ratings and appeals.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RatingsPage {
    /// Ratings received, newest first.
    pub ratings: Vec<RatingView>,
    /// Tasks whose stops the courier may rate.
    pub to_rate: Vec<ToRate>,
    /// What an empty page says.
    pub empty_text: Option<String>,
}

/// One figure against its target.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Figure {
    /// Its name.
    pub name: String,
    /// The courier's value, or "—".
    pub value: String,
    /// "Target ≥ 95%".
    pub target: String,
    /// Below the platform's target.
    pub below_target: bool,
    /// "Below target" / "On target" / "No data yet".
    pub verdict: String,
    /// How it reads.
    pub tone: Tone,
}

/// The courier's figures over the month.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KpiPage {
    /// "This month · 42 deliveries".
    pub period: String,
    /// The figures.
    pub figures: Vec<Figure>,
}

/// An after-sales case as the courier sees it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CaseView {
    /// The case number.
    pub case_id: i64,
    /// The task it is about.
    pub task_id: String,
    /// "Case 7 · Late delivery".
    pub title: String,
    /// "About task F1".
    pub about: String,
    /// The status in words.
    pub status: String,
    /// How it reads (waiting for the courier or past a deadline: bad; settled: neutral).
    pub tone: Tone,
    /// What was reported.
    pub summary: String,
    /// "Opened 12:31".
    pub opened: String,
    /// The deadlines still running or missed, as local times with "due in" or "overdue".
    pub deadlines: Vec<String>,
    /// The courier's statement, and whether it is still on the phone only.
    pub statement: Option<String>,
    /// The team's resolution.
    pub resolution: Option<String>,
    /// Whom a confirmed order error counts against, in words.
    pub fault: Option<String>,
    /// The task the resolution created (a redelivery, a return pickup, an exchange).
    pub follow_up: Option<Offer>,
    /// Open the case; answer it (input `statement`; disabled with the reason once settled).
    pub offers: Vec<Offer>,
}

/// The after-sales cases about the courier's deliveries.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CasesPage {
    /// Those waiting for the courier first, then the others newest first.
    pub cases: Vec<CaseView>,
    /// What an empty page says.
    pub empty_text: Option<String>,
}

/// One case.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CasePage {
    /// The case.
    pub detail: CaseView,
    /// Open the task it is about, when it is on the phone.
    pub task: Option<Offer>,
}

/// An offer of work (one task or a stack) as the courier sees it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskOfferView {
    /// The offer's number.
    pub offer_id: i64,
    /// "Offer 3: a stack of 2 tasks".
    pub title: String,
    /// Where it stands in words ("Waiting for your answer", "Accepted, waiting for dispatch to
    /// confirm", "Too late: ...").
    pub state: String,
    /// How it reads (a refused acceptance: bad).
    pub tone: Tone,
    /// Seconds left to answer, counted by the core on the server's clock (0 once answered):
    /// the countdown's value. The shell shows it and calls `refresh` every second while it runs.
    pub remaining_s: i64,
    /// The time left in words ("25 s left to answer"), while it can be answered.
    pub time_left: Option<String>,
    /// "Answer by 12:31", while it can be answered.
    pub answer_by: Option<String>,
    /// Each task: its kind, from where to where, when ready and promised.
    pub tasks: Vec<String>,
    /// What accepting it would do to the current plan: extra time and distance, the finish,
    /// and each promised time it puts at risk.
    pub impact: Vec<String>,
    /// How the impact reads (a promise put at risk: bad).
    pub impact_tone: Tone,
    /// Accept, while it can be answered.
    pub accept: Option<Offer>,
    /// Decline, one per reason (input `note`, required for "other").
    pub decline: Vec<Offer>,
}

/// The offers of work waiting for the courier, newest first.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TaskOffersPage {
    /// Open the nearby couriers' handover requests (more work, taken rather than offered);
    /// disabled with the reason off duty or on a break.
    pub nearby_handovers: Offer,
    /// The offers.
    pub offers: Vec<TaskOfferView>,
    /// What an empty page says.
    pub empty_text: Option<String>,
}

/// A task's handover between couriers.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HandoverPage {
    /// The task.
    pub task_id: String,
    /// "Handover of task P1".
    pub title: String,
    /// Who holds the goods.
    pub custody: runsheet_core::Custody,
    /// The same in words.
    pub custody_text: String,
    /// Where the latest handover stands, in words.
    pub status: Option<String>,
    /// "Reason: Vehicle breakdown".
    pub reason: Option<String>,
    /// The latest handover's times ("12:31 asked for the handover"), and whether it is still
    /// on the phone only.
    pub history: Vec<String>,
    /// "2 of 3 bags scanned" (the receiving courier's).
    pub progress: Option<String>,
    /// Bags scanned so far.
    pub scanned: u32,
    /// Bags of the task.
    pub expected: u32,
    /// The bags with their scan state (the receiving courier's).
    pub bags: Vec<ItemView>,
    /// The last bag scan's verdict.
    pub last_verdict: Option<Verdict>,
    /// Ask to hand over, one per reason (input `note`, required for "other"); type a bag code
    /// (input `code`); back to the task.
    pub offers: Vec<Offer>,
}

/// A line of the courier's earnings.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EarningLineView {
    /// Its id.
    pub line_id: String,
    /// The task it is about (absent for a bonus).
    pub task_id: Option<String>,
    /// "Base pay · task F1", "Incentive bonus".
    pub title: String,
    /// The amount in the currency ("¥5.00").
    pub amount: String,
    /// Expected (computed on this phone) or confirmed (the platform's).
    pub state: runsheet_protocol::PayLineState,
    /// The state in words.
    pub state_text: String,
    /// When it was earned, local time.
    pub when: String,
    /// Dispatch's note and the appeal decision's note.
    pub detail: Option<String>,
    /// The appeal's state in words, if appealed.
    pub appeal: Option<String>,
    /// How it reads (a deduction: bad; expected: neutral; confirmed: good).
    pub tone: Tone,
    /// Appeal it (a confirmed line, until the window closes; input `reason`).
    pub offers: Vec<Offer>,
}

/// An incentive programme's progress this week.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IncentiveView {
    /// The programme's id.
    pub id: String,
    /// Its terms ("50 deliveries at 95.0% on time or better: ¥200.00").
    pub title: String,
    /// How far ("32 of 50 deliveries · on time 96.9%").
    pub progress: String,
    /// Deliveries as a share of the target, basis points (0 to 10,000): the bar.
    pub progress_bp: u32,
    /// "Bonus earned", "18 more deliveries", "On-time rate below 95.0%".
    pub verdict: String,
    /// How it reads.
    pub tone: Tone,
}

/// The courier's earnings for a day or a week.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EarningsPage {
    /// "Today · Dec 6, 2026", "Week of Nov 30, 2026".
    pub period: String,
    /// Switch to the other period.
    pub switch_period: Offer,
    /// "Total ¥45.00".
    pub total: String,
    /// "Confirmed ¥33.00".
    pub confirmed: String,
    /// "Expected ¥12.00, not yet confirmed", when some lines are expected.
    pub expected: Option<String>,
    /// The lines, newest first.
    pub lines: Vec<EarningLineView>,
    /// The incentive programmes' progress this week.
    pub incentives: Vec<IncentiveView>,
    /// What an empty page says.
    pub empty_text: Option<String>,
}

impl Screen {
    /// Every offer on the screen, in reading order (the banner's last).
    pub fn offers(&self) -> Vec<&Offer> {
        let mut out: Vec<&Offer> = Vec::new();
        out.extend(self.header.back.iter());
        out.extend(self.header.tabs.iter());
        out.extend(self.shift_bar.primary.iter());
        out.extend(self.shift_bar.secondary.iter());
        match &self.body {
            Body::SignIn { page } => out.push(&page.sign_in),
            Body::Tasks { page } => {
                for r in &page.rows {
                    out.extend(r.primary.iter());
                    out.extend(r.secondary.iter());
                }
            }
            Body::Task { page } => {
                out.extend(page.contact.iter());
                out.extend(page.maps.iter());
                out.extend(page.primary.iter());
                out.extend(page.secondary.iter());
                for i in &page.items {
                    out.extend(i.offers.iter());
                }
                out.extend(page.cases.iter());
            }
            Body::Scan { page } => {
                for i in &page.items {
                    out.extend(i.offers.iter());
                }
                out.extend(page.offers.iter());
            }
            Body::Checklist { page } => {
                for i in &page.items {
                    out.extend(i.offers.iter());
                }
            }
            Body::Problem { page } => {
                out.push(&page.take_photo);
                out.extend(page.reasons.iter().map(|r| &r.report));
            }
            Body::Ratings { page } => {
                for r in &page.ratings {
                    out.extend(r.offers.iter());
                }
                for r in &page.to_rate {
                    out.extend(r.offers.iter());
                }
            }
            Body::Kpis { .. } => {}
            Body::Cases { page } => {
                for c in &page.cases {
                    out.extend(c.follow_up.iter());
                    out.extend(c.offers.iter());
                }
            }
            Body::CaseDetail { page } => {
                out.extend(page.task.iter());
                out.extend(page.detail.follow_up.iter());
                out.extend(page.detail.offers.iter());
            }
            Body::Offers { page } => {
                out.push(&page.nearby_handovers);
                for o in &page.offers {
                    out.extend(o.accept.iter());
                    out.extend(o.decline.iter());
                }
            }
            Body::Handover { page } => out.extend(page.offers.iter()),
            Body::Earnings { page } => {
                out.push(&page.switch_period);
                for l in &page.lines {
                    out.extend(l.offers.iter());
                }
            }
            Body::Training { page } => {
                for r in &page.rows {
                    out.extend(r.offers.iter());
                }
                out.push(&page.review);
            }
            Body::Module { page } => out.push(&page.start_quiz),
            Body::Quiz { page } => {
                for q in &page.questions {
                    out.extend(q.choices.iter());
                }
                out.push(&page.submit);
            }
            Body::Review { .. } => {}
            Body::NearbyHandovers { page } => {
                for e in &page.entries {
                    out.push(&e.take);
                }
                out.extend(page.offers.iter());
            }
        }
        // The banner comes and goes: its offers last, so the others keep their places.
        out.extend(self.sync_banner.offers.iter());
        out
    }

    /// The offer a tap answers, if the screen offers it.
    pub fn offer_for(&self, key: &str) -> Option<&Offer> {
        self.offers().into_iter().find(|o| o.tap.offer_key() == key)
    }
}
