//! Runs a checked scenario: the real core, through the API the shells use (`runsheet_ffi`),
//! against the real reference server on loopback, on a virtual clock. Each courier's phone
//! reaches the server through its own proxy, which is how the scenario cuts or degrades the
//! network.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use runsheet_ffi::{
    open_runsheet, ContactChannel, DeviceClock, ExceptionReason, MessageTemplate, Runsheet,
    RunsheetConfig, RunsheetError, ScanOutcome, ScanSymbology, Step, StopRole, Subscription,
    TaskGroup, TaskStatus,
};

use super::scenario::{parse_offset, stop_doc, ExpectSpec, NetworkSpec, Scenario, StepSpec};
use super::screen::{self as seen, Choice, ScreenLog};
use crate::faults::FaultProxy;
use crate::{Recorder, Store, World};

/// Why a scenario failed: where, what was expected, what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 1-based step number (0: set-up).
    pub step: usize,
    /// The step's line in the file.
    pub line: usize,
    /// The step's `at`.
    pub at: String,
    /// The expectation or action that failed (`task_status.F1`, `deliver`, ...).
    pub expectation: String,
    /// What the scenario expected.
    pub expected: String,
    /// What was found instead (with a diff for lists).
    pub found: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {} (line {}, at {}): {}: expected {}, found {}",
            self.step, self.line, self.at, self.expectation, self.expected, self.found
        )
    }
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The file.
    pub file: std::path::PathBuf,
    /// The scenario's name.
    pub name: String,
    /// Steps run.
    pub steps: usize,
    /// Wall time.
    pub seconds: f64,
    /// `None` when it passed.
    pub failure: Option<Failure>,
}

/// The device clock of one phone: the scenario's virtual time plus the phone's skew.
struct PhoneClock {
    now: Arc<AtomicI64>,
    skew: AtomicI64,
}

impl DeviceClock for PhoneClock {
    fn now_unix_seconds(&self) -> i64 {
        self.now.load(Ordering::SeqCst) + self.skew.load(Ordering::SeqCst)
    }
}

struct Phone {
    /// Where the courier is (for `move`).
    position: (f64, f64),
    rng: rand::rngs::StdRng,
    db: String,
    token: String,
    proxy: FaultProxy,
    clock: Arc<PhoneClock>,
    recorder: Arc<Recorder>,
    core: Option<Arc<Runsheet>>,
    sub: Option<Arc<Subscription>>,
    seen: usize,
    /// The language the screens are in.
    locale: String,
    /// What the core delivered to the phone's screen listener.
    screens: Arc<ScreenLog>,
    screen_sub: Option<Arc<runsheet_ffi::ScreenSubscription>>,
    /// Effects already looked at by an `expect` step.
    effects_seen: usize,
    /// Effects up to here were looked at by a `resolve` step's `take`.
    captures_answered: usize,
    /// What the last `tap` step tapped (its label, as the courier read it) and, if refused,
    /// the sentence the courier read.
    last_tap: Option<(String, Option<String>)>,
}

impl Phone {
    async fn open(&mut self) -> Result<(), String> {
        let config = RunsheetConfig {
            db_path: self.db.clone(),
            db_key: None,
            locale: Some(self.locale.clone()),
            server_url: self.proxy.url(),
            token: self.token.clone(),
        };
        let core = open_runsheet(config, Some(self.clock.clone()))
            .await
            .map_err(|e| format!("the core did not open: {e}"))?;
        self.sub = Some(
            core.tasks()
                .subscribe(self.recorder.clone())
                .await
                .map_err(|e| e.to_string())?,
        );
        self.screen_sub = Some(core.screens().subscribe(self.screens.clone()).await);
        self.core = Some(core);
        Ok(())
    }

    /// The folder of the phone's store, where the harness writes the files it photographs.
    fn files(&self) -> &Path {
        Path::new(&self.db).parent().unwrap_or(Path::new("."))
    }

    fn core(&self) -> &Runsheet {
        self.core
            .as_deref()
            .expect("a phone's core is open between steps")
    }
}

fn error_name(e: &RunsheetError) -> &'static str {
    match e {
        RunsheetError::NotFound { .. } => "NotFound",
        RunsheetError::NotAllowed { .. } => "NotAllowed",
        RunsheetError::Blocked { .. } => "Blocked",
        RunsheetError::InvalidArgument { .. } => "InvalidArgument",
        RunsheetError::Offline { .. } => "Offline",
        RunsheetError::AuthRequired { .. } => "AuthRequired",
        RunsheetError::SyncFailed { .. } => "SyncFailed",
        RunsheetError::Storage { .. } => "Storage",
        RunsheetError::IncompatibleVersion { .. } => "IncompatibleVersion",
        RunsheetError::WrongKey { .. } => "WrongKey",
        RunsheetError::CaseNotFound { .. } => "CaseNotFound",
        RunsheetError::CaseSettled { .. } => "CaseSettled",
        RunsheetError::OfferNotFound { .. } => "OfferNotFound",
        RunsheetError::OfferExpired { .. } => "OfferExpired",
        RunsheetError::OfferAnswered { .. } => "OfferAnswered",
        RunsheetError::ModuleNotFound { .. } => "ModuleNotFound",
        RunsheetError::ModuleReplaced { .. } => "ModuleReplaced",
        RunsheetError::InvalidAmount { .. } => "InvalidAmount",
        RunsheetError::WrongLocker { .. } => "WrongLocker",
    }
}

/// The status name the scenario format (and the wire) uses.
pub fn status_name(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Assigned => "assigned",
        TaskStatus::Accepted => "accepted",
        TaskStatus::AtPickup => "at_pickup",
        TaskStatus::PickedUp => "picked_up",
        TaskStatus::AtDropoff => "at_dropoff",
        TaskStatus::Delivered => "delivered",
        TaskStatus::Failed => "failed",
        TaskStatus::Returned => "returned",
        TaskStatus::Cancelled => "cancelled",
    }
}

/// The step code the scenario format uses (the core's `Step::code`).
pub fn step_name(s: Step) -> &'static str {
    match s {
        Step::StartShift => "start_shift",
        Step::EndBreak => "end_break",
        Step::Accept => "accept",
        Step::Arrive(StopRole::Pickup) => "arrive_pickup",
        Step::Arrive(StopRole::Dropoff) => "arrive_dropoff",
        Step::Arrive(StopRole::Return) => "arrive_return",
        Step::PickUp => "pick_up",
        Step::Deliver => "deliver",
        Step::Return => "return",
        Step::EndShift => "end_shift",
        Step::WaitForTasks => "wait_for_tasks",
    }
}

fn group_name(g: TaskGroup) -> &'static str {
    match g {
        TaskGroup::Now => "now",
        TaskGroup::Next => "next",
        TaskGroup::Later => "later",
        TaskGroup::DoneToday => "done_today",
    }
}

fn reason(s: &str) -> ExceptionReason {
    match s {
        "customer_unreachable" => ExceptionReason::CustomerUnreachable,
        "wrong_address" => ExceptionReason::WrongAddress,
        "customer_refused" => ExceptionReason::CustomerRefused,
        "goods_damaged" => ExceptionReason::GoodsDamaged,
        "merchant_delay" => ExceptionReason::MerchantDelay,
        "vehicle_breakdown" => ExceptionReason::VehicleBreakdown,
        _ => ExceptionReason::Accident,
    }
}

fn template(s: &str) -> MessageTemplate {
    match s {
        "arriving_in" => MessageTemplate::ArrivingIn,
        "at_the_door" => MessageTemplate::AtTheDoor,
        "left_at_reception" => MessageTemplate::LeftAtReception,
        _ => MessageTemplate::LeftAtDoor,
    }
}

pub(crate) fn symbology(s: &str) -> ScanSymbology {
    match s {
        "ean8" => ScanSymbology::Ean8,
        "ean13" => ScanSymbology::Ean13,
        "upc_a" => ScanSymbology::UpcA,
        "upc_e" => ScanSymbology::UpcE,
        "itf" => ScanSymbology::Itf,
        "code128" => ScanSymbology::Code128,
        "gs1_128" => ScanSymbology::Gs1_128,
        "code39" => ScanSymbology::Code39,
        "data_matrix" => ScanSymbology::DataMatrix,
        "gs1_data_matrix" => ScanSymbology::Gs1DataMatrix,
        "qr_code" => ScanSymbology::QrCode,
        "gs1_qr" => ScanSymbology::Gs1Qr,
        "gs1_data_bar" => ScanSymbology::Gs1DataBar,
        "pdf417" => ScanSymbology::Pdf417,
        "aztec" => ScanSymbology::Aztec,
        _ => ScanSymbology::Unknown,
    }
}

/// An offset from the start as a scenario writes it (`+25m`, `+1h5m`, `+90s`).
pub fn offset(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "+" };
    let s = seconds.abs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = sign.to_owned();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 || (h == 0 && sec == 0) {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 {
        out.push_str(&format!("{sec}s"));
    }
    out
}

/// The scenario name of a scan outcome (the core's stable code).
pub fn outcome_name(o: &ScanOutcome) -> &'static str {
    o.code()
}

/// Writes `n` photo files for a task and records them on the phone; returns their hashes.
async fn attach_files(
    core: &Runsheet,
    files: &Path,
    task: &str,
    what: &str,
    n: u32,
) -> Result<Vec<String>, ActError> {
    let mut hashes = Vec::new();
    for k in 0..n {
        let file = harness_file(files, task, &format!("{what}{k}")).map_err(ActError::Typed)?;
        let attached = core.scans().attach_file(file).await;
        hashes.push(attached.map_err(ActError::Typed)?.sha256);
    }
    Ok(hashes)
}

/// Records a file the harness wrote on the phone; returns its hash.
async fn attach(core: &Runsheet, path: String) -> Result<String, ActError> {
    let attached = core.scans().attach_file(path).await;
    Ok(attached.map_err(ActError::Typed)?.sha256)
}

/// Writes a photo file for `task` in `files` (the folder of the phone's store, removed with the
/// run's world), as a camera would in the app's own folder; returns its path.
fn harness_file(files: &Path, task: &str, what: &str) -> Result<String, RunsheetError> {
    let path = files.join(format!(
        "runsheet-qa-{}-{task}-{what}-{}.jpg",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::write(&path, format!("{what} of {task}")).map_err(|e| RunsheetError::Storage {
        sentence: format!("the harness could not write a photo file: {e}"),
        detail: e.to_string(),
    })?;
    Ok(path.to_string_lossy().into_owned())
}

/// Answers every required item of a task's checklist that is still missing, the way the
/// procedure wants it (for `complete`).
async fn fill_checklist(
    core: &Runsheet,
    files: &Path,
    task: &str,
    stage: runsheet_ffi::ChecklistStage,
) -> Result<(), RunsheetError> {
    use runsheet_ffi::{ChecklistAnswer as A, ChecklistItemKind as K};
    for _ in 0..4 {
        let Some(list) = core
            .checklists()
            .checklist(Some(task.to_owned()), stage)
            .await?
        else {
            return Ok(());
        };
        let todo: Vec<_> = list
            .items
            .into_iter()
            .filter(|i| i.applies && i.def.required && !i.satisfied)
            .collect();
        if todo.is_empty() {
            return Ok(());
        }
        for i in todo {
            let answer = match &i.def.kind {
                K::Confirm => A::Confirmed,
                K::YesNo { required } => A::YesNo(required.unwrap_or(true)),
                K::Number { min, max, .. } => A::Number(match (min, max) {
                    (Some(a), Some(b)) => (a + b) / 2.0,
                    (Some(a), None) => *a,
                    (None, Some(b)) => *b,
                    _ => 0.0,
                }),
                K::Choice { options } => A::Choice(options.first().cloned().unwrap_or_default()),
                K::Text => A::Text("ok".into()),
                K::Photo { min_count } => {
                    let mut photos = Vec::new();
                    for k in 0..*min_count {
                        let f = harness_file(files, task, &format!("{}-{k}", i.def.id))?;
                        photos.push(core.scans().attach_file(f).await?.sha256);
                    }
                    A::Photos(photos)
                }
                K::Signature => A::Signature(
                    core.scans()
                        .attach_file(harness_file(files, task, "signature")?)
                        .await?
                        .sha256,
                ),
                K::Scan => A::Scan("scanned".into()),
                K::IdCheck => A::IdCheck(runsheet_protocol::IdCheckResult {
                    document: runsheet_protocol::IdDocument::IdCard,
                    outcome: runsheet_protocol::IdCheckOutcome::Passed,
                }),
            };
            core.checklists()
                .answer(Some(task.to_owned()), stage, i.def.id, answer)
                .await?;
        }
    }
    Ok(())
}

/// Walks a task through every remaining step of its workflow by hand (accept, manual
/// arrivals, scanning every item of each handoff, pick up) and delivers it: what `complete`
/// does in a scenario.
pub async fn complete(core: &Runsheet, files: &Path, task: &str) -> Result<(), RunsheetError> {
    for _ in 0..8 {
        let Some(next) = core.tasks().next_action(task.to_owned()).await? else {
            return Ok(());
        };
        if matches!(next.step, Step::PickUp | Step::Deliver) {
            for item in core.scans().progress(task.to_owned()).await?.missing {
                core.scans()
                    .scan(task.to_owned(), item.code, ScanSymbology::Unknown)
                    .await?;
            }
            let stage = if next.step == Step::PickUp {
                runsheet_ffi::ChecklistStage::Pickup
            } else {
                runsheet_ffi::ChecklistStage::Dropoff
            };
            fill_checklist(core, files, task, stage).await?;
        }
        if next.step == Step::Deliver {
            // At the door: the exact cash of a cash-on-delivery task, the locker's label and a
            // compartment of a locker drop-off.
            let t = core.tasks().task(task.to_owned()).await?;
            if let Some(due) = &t.cash_due {
                if core
                    .door()
                    .cash_collection(task.to_owned())
                    .await?
                    .is_none()
                {
                    core.door()
                        .collect_cash(task.to_owned(), due.decimal(), String::new(), None)
                        .await?;
                }
            }
            if let Some(l) = &t.locker {
                if core.door().locker_drop_of(task.to_owned()).await?.is_none() {
                    core.door()
                        .locker_drop(task.to_owned(), l.code.clone(), "A01".into())
                        .await?;
                }
            }
        }
        if next.step == Step::Deliver
            && next.blockers.iter().any(|b| b.code() == "proof_missing")
            && runsheet_core::workflow::step_for(&core.tasks().task(task.to_owned()).await?)
                .is_some()
        {
            let photo = harness_file(files, task, "proof")?;
            let sha = core.scans().attach_file(photo).await?.sha256;
            return core
                .tasks()
                .mark_delivered_with_proof(task.to_owned(), vec![sha])
                .await;
        }
        match next.step {
            Step::Accept => core.tasks().accept(task.to_owned()).await?,
            Step::Arrive { .. } => {
                core.tasks()
                    .arrive_manually(task.to_owned(), "walked by the QA harness".into())
                    .await?
            }
            Step::PickUp => core.tasks().pick_up(task.to_owned()).await?,
            Step::Deliver => return core.tasks().mark_delivered(task.to_owned()).await,
            Step::Return => return core.tasks().mark_returned(task.to_owned()).await,
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// The ids in order of first appearance.
fn distinct(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    ids.filter(|id| seen.insert(id.clone())).collect()
}

/// What differs between two lists, for a report.
pub fn list_diff(expected: &[String], found: &[String]) -> String {
    let e: BTreeSet<&String> = expected.iter().collect();
    let f: BTreeSet<&String> = found.iter().collect();
    let missing: Vec<&&String> = e.difference(&f).collect();
    let extra: Vec<&&String> = f.difference(&e).collect();
    let mut parts = vec![format!("{found:?}")];
    if !missing.is_empty() {
        parts.push(format!("missing {missing:?}"));
    }
    if !extra.is_empty() {
        parts.push(format!("unexpected {extra:?}"));
    }
    if missing.is_empty() && extra.is_empty() {
        if expected.len() != found.len() {
            parts.push("some ids repeated".into());
        } else {
            parts.push("same ids in another order".into());
        }
    }
    parts.join("; ")
}

/// What a narrated run reports after each step (the demo prints it).
#[derive(Debug, Clone)]
pub struct Narration {
    /// 1-based step number.
    pub step: usize,
    /// The step's `at`.
    pub at: String,
    /// The action.
    pub action: String,
    /// The courier whose phone acted.
    pub courier: String,
    /// The action's task, if any.
    pub task: Option<String>,
    /// The typed error the action returned, as the courier would read it.
    pub error: Option<String>,
    /// For a `tap` step: the label the courier tapped, as the screen showed it.
    pub tapped: Option<String>,
    /// For a tap the screen refused: the sentence the courier read.
    pub refusal: Option<String>,
    /// The screen the courier sees after the step, in the scenario's language.
    pub screen: Option<runsheet_screens::Screen>,
    /// Notifications the core asked the phone to show during the step: (title, body).
    pub notified: Vec<(String, String)>,
    /// Actions waiting on the phone.
    pub pending: u64,
}

/// Receives a [`Narration`] after each step.
pub type Narrator<'a> = &'a (dyn Fn(&Narration) + Sync);

/// Runs `s`; `seed` overrides the file's.
pub async fn run(s: &Scenario, seed: Option<u64>) -> Outcome {
    run_on(s, seed, &Store::Sqlite).await
}

/// Runs `s` against a server on `store`.
pub async fn run_on(s: &Scenario, seed: Option<u64>, store: &Store) -> Outcome {
    run_narrated_on(s, seed, None, store).await
}

/// Runs `s`, telling `narrator` what the phone shows after each step.
pub async fn run_narrated(
    s: &Scenario,
    seed: Option<u64>,
    narrator: Option<Narrator<'_>>,
) -> Outcome {
    run_narrated_on(s, seed, narrator, &Store::Sqlite).await
}

/// [`run_narrated`] against a server on `store`.
pub async fn run_narrated_on(
    s: &Scenario,
    seed: Option<u64>,
    narrator: Option<Narrator<'_>>,
    store: &Store,
) -> Outcome {
    let started = Instant::now();
    let mut steps = 0;
    let failure = execute(
        s,
        seed.unwrap_or(s.doc.scenario.seed),
        &mut steps,
        narrator,
        store,
    )
    .await
    .err();
    Outcome {
        file: s.file.clone(),
        name: s.doc.scenario.name.clone(),
        steps,
        seconds: started.elapsed().as_secs_f64(),
        failure,
    }
}

async fn execute(
    s: &Scenario,
    seed: u64,
    steps_run: &mut usize,
    narrator: Option<Narrator<'_>>,
    store: &Store,
) -> Result<(), Failure> {
    let setup = |what: &str, e: String| Failure {
        step: 0,
        line: 0,
        at: "set-up".into(),
        expectation: what.into(),
        expected: "success".into(),
        found: e,
    };
    // The server reads the scenario's virtual clock too: hours of a shift pass in seconds, and
    // server-side times (ratings, receipts) must stay on the same clock as the phones'.
    let now = Arc::new(AtomicI64::new(s.start));
    let mut world = World::on_store(Some(now.clone()), store);
    let mut phones: HashMap<String, Phone> = HashMap::new();
    for (i, c) in s.doc.courier.iter().enumerate() {
        let token = world
            .dispatch
            .create_courier(&c.id, &c.name)
            .await
            .map_err(|e| setup("create courier", e.to_string()))?;
        if let Some(v) = &c.vehicle {
            world
                .dispatch
                .set_vehicle(&c.id, v)
                .await
                .map_err(|e| setup("set the courier's vehicle", e.to_string()))?;
        }
        let proxy = FaultProxy::start(world.addr(), seed.wrapping_add(i as u64), 0.0)
            .await
            .map_err(|e| setup("start network", e.to_string()))?;
        let position = match (c.lat, c.lon) {
            (Some(lat), Some(lon)) => (lat, lon),
            _ => s
                .doc
                .task
                .iter()
                .find(|t| t.courier.get_ref() == &c.id)
                .map(|t| {
                    let stop = t.pickup.as_ref().unwrap_or(&t.dropoff);
                    (stop.lat, stop.lon)
                })
                .unwrap_or((0.0, 0.0)),
        };
        let mut phone = Phone {
            position,
            rng: rand::SeedableRng::seed_from_u64(seed.wrapping_add(1000 + i as u64)),
            db: world
                .device_db(&format!("phone-{}", c.id))
                .to_string_lossy()
                .into_owned(),
            token,
            proxy,
            clock: Arc::new(PhoneClock {
                now: now.clone(),
                skew: AtomicI64::new(0),
            }),
            recorder: Arc::new(Recorder::default()),
            core: None,
            sub: None,
            seen: 0,
            locale: s.locale.clone(),
            screens: Arc::new(ScreenLog::new(now.clone())),
            screen_sub: None,
            effects_seen: 0,
            captures_answered: 0,
            last_tap: None,
        };
        phone.open().await.map_err(|e| setup("open phone", e))?;
        phones.insert(c.id.clone(), phone);
    }
    for t in s.doc.task.iter().filter(|t| !t.later) {
        assign(&world, s, t)
            .await
            .map_err(|e| setup("assign task", e))?;
    }
    let only = s
        .doc
        .courier
        .first()
        .map(|c| c.id.clone())
        .unwrap_or_default();

    for (i, step) in s.doc.step.iter().enumerate() {
        *steps_run = i + 1;
        // A ride may have carried the clock past this step's time; it never goes back.
        let before = now.fetch_max(s.start + s.step_offsets[i], Ordering::SeqCst);
        if before < s.start + s.step_offsets[i] {
            // Time passed: the screens are recomputed as a shell does once a minute (a stop now
            // at risk asks for its notification at this time).
            for phone in phones.values() {
                phone.core().screens().refresh().await;
            }
        }
        let fail = |expectation: String, expected: String, found: String| Failure {
            step: i + 1,
            line: s.line_of(step.action.span().start),
            at: step.at.get_ref().clone(),
            expectation,
            expected,
            found,
        };
        let courier = step
            .courier
            .as_ref()
            .map(|c| c.get_ref().clone())
            .unwrap_or_else(|| only.clone());
        let action = step.action.get_ref().as_str();
        let effects_before = phones.get(&courier).map_or(0, |p| p.screens.effect_count());
        let result = act(&mut world, s, &mut phones, &courier, step, &now).await;
        if let Some(narrate) = narrator {
            let phone = phones.get(&courier).expect("validated courier");
            let core = phone.core();
            let (tapped, refusal) = match (action, &phone.last_tap) {
                ("tap", Some((label, refusal))) => (Some(label.clone()), refusal.clone()),
                _ => (None, None),
            };
            narrate(&Narration {
                step: i + 1,
                at: step.at.get_ref().clone(),
                action: action.to_owned(),
                courier: courier.clone(),
                task: step.task.as_ref().map(|t| t.get_ref().clone()),
                error: match &result {
                    Err(ActError::Typed(e)) => Some(e.to_string()),
                    Err(ActError::Harness(m)) => Some(m.clone()),
                    Err(ActError::Screen { found, .. }) => Some(found.clone()),
                    Ok(()) => None,
                },
                tapped,
                refusal,
                screen: core.screens().screen().await.ok(),
                notified: phone
                    .screens
                    .effects_since(effects_before)
                    .into_iter()
                    .filter_map(|(_, e)| match e {
                        runsheet_screens::Effect::Notify { title, body, .. } => Some((title, body)),
                        _ => None,
                    })
                    .collect(),
                pending: core.sync().status().await.map(|st| st.pending).unwrap_or(0),
            });
        }
        match (result, &step.expect_error) {
            (Ok(()), Some(want)) => {
                return Err(fail(
                    action.into(),
                    format!("error {}", want.get_ref()),
                    "success".into(),
                ))
            }
            (Err(ActError::Typed(e)), Some(want)) if error_name(&e) != want.get_ref() => {
                return Err(fail(
                    action.into(),
                    format!("error {}", want.get_ref()),
                    format!("error {} ({e})", error_name(&e)),
                ))
            }
            (Err(ActError::Typed(e)), None) if !step.allow_error => {
                return Err(fail(
                    action.into(),
                    "success".into(),
                    format!("error {} ({e})", error_name(&e)),
                ))
            }
            (Err(ActError::Harness(msg)), _) => {
                return Err(fail(action.into(), "success".into(), msg))
            }
            (Err(ActError::Screen { expected, found }), _) => {
                return Err(fail(action.into(), expected, found))
            }
            _ => {}
        }
        if let Some(expect) = &step.expect {
            let phone = phones.get_mut(&courier).expect("validated courier");
            check(&world, &courier, phone, expect, s.start)
                .await
                .map_err(|(what, expected, found)| fail(what, expected, found))?;
            let screen = phone.core().screens().screen().await.map_err(|e| {
                fail(
                    "screen".into(),
                    "the screen".into(),
                    format!("refused: {e}"),
                )
            })?;
            let effects = phone.screens.effects_since(phone.effects_seen);
            phone.effects_seen += effects.len();
            seen::check(&screen, &effects, s.start, expect)
                .map_err(|(what, expected, found)| fail(what, expected, found))?;
        }
    }
    Ok(())
}

/// An action's failure: a typed error of the core (which a step may expect), or a problem of
/// the harness or the dispatcher (which always fails the scenario).
enum ActError {
    Typed(RunsheetError),
    Harness(String),
    /// What the courier saw was not what the step expected.
    Screen {
        expected: String,
        found: String,
    },
}

async fn assign(world: &World, s: &Scenario, t: &super::scenario::TaskSpec) -> Result<(), String> {
    let body = serde_json::json!({
        "id": t.id.get_ref(),
        // An offered task waits unassigned for the `offer` step.
        "courier_id": (!t.offered).then(|| t.courier.get_ref()),
        "kind": t.kind,
        "pickup": t.pickup.as_ref().map(|p| stop_doc(p, s.start)),
        "dropoff": stop_doc(&t.dropoff, s.start),
        "items": t.items,
        "return_to": t.return_to.as_ref().map(|r| stop_doc(r, s.start)),
        "ordered_at": s.start
            + t.ordered_at.as_ref().and_then(|o| parse_offset(o.get_ref())).unwrap_or(0),
        "handoff_code": t.handoff_code,
        "contactless": t.contactless,
        "proof": t.proof.unwrap_or_default(),
        "cash_due": t.cash_due,
        "locker": t.locker,
    });
    world
        .dispatch
        .create_task(&body)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Creates the task as `assign` does, for a step that expects the dispatcher's refusal.
async fn assign_refusal(
    world: &World,
    s: &Scenario,
    task: &str,
) -> Result<runsheet_protocol::TaskDoc, runsheet_server::DispatchError> {
    let t = task_spec(s, task);
    world
        .dispatch
        .create_task(&serde_json::json!({
            "id": t.id.get_ref(),
            "courier_id": t.courier.get_ref(),
            "kind": t.kind,
            "pickup": t.pickup.as_ref().map(|p| stop_doc(p, s.start)),
            "dropoff": stop_doc(&t.dropoff, s.start),
            "items": t.items,
            "ordered_at": s.start,
        }))
        .await
}

/// A dispatcher call that must be refused with `code` (`not_qualified`): success, or another
/// answer, fails the step.
fn refused_by_dispatch<T>(
    r: Result<T, runsheet_server::DispatchError>,
    code: &toml::Spanned<String>,
) -> Result<(), ActError> {
    match r {
        Err(runsheet_server::DispatchError::Status { code: found, .. })
            if &found == code.get_ref() =>
        {
            Ok(())
        }
        Err(e) => Err(ActError::Harness(format!(
            "the dispatcher was to be refused with {}, and got: {e}",
            code.get_ref()
        ))),
        Ok(_) => Err(ActError::Harness(format!(
            "the dispatcher was to be refused with {}, and the server accepted",
            code.get_ref()
        ))),
    }
}

/// The task a step names (checked to exist when the file was loaded).
fn task_spec<'a>(s: &'a Scenario, id: &str) -> &'a super::scenario::TaskSpec {
    s.doc
        .task
        .iter()
        .find(|t| t.id.get_ref() == id)
        .expect("steps name only tasks the file defines (checked at load)")
}

/// A dispatcher call's outcome as a step result: its failures are the harness's, never a
/// typed error the scenario could expect.
fn dispatched<T>(r: Result<T, runsheet_server::DispatchError>) -> Result<(), ActError> {
    r.map(|_| ()).map_err(|e| ActError::Harness(e.to_string()))
}

/// The case kind a step names (validated when the file was read).
fn case_kind(step: &StepSpec) -> Result<runsheet_protocol::CaseKind, ActError> {
    step.kind
        .as_ref()
        .and_then(|k| runsheet_protocol::CaseKind::parse(k.get_ref()))
        .ok_or_else(|| ActError::Harness("the step names no case kind".into()))
}

/// The newest case of `kind` about `task` on the server.
async fn server_case(
    world: &World,
    task: &str,
    kind: &str,
) -> Result<runsheet_protocol::CaseRecord, String> {
    world
        .dispatch
        .cases(&[("kind", kind)])
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|c| c.case.task_id == task)
        .max_by_key(|c| c.case.id)
        .ok_or_else(|| format!("no {kind} case about {task} on the server"))
}

/// The dispatch command of a `case` step.
fn case_command(s: &Scenario, step: &StepSpec) -> Result<runsheet_protocol::CaseCommand, ActError> {
    use runsheet_protocol::CaseCommand as C;
    let note = step.note.clone().unwrap_or_default();
    Ok(
        match step.case.as_ref().map_or("", |c| c.get_ref().as_str()) {
            "acknowledge" => C::Acknowledge {
                note: step.note.clone(),
            },
            "ask_courier" => C::AskCourier { note },
            "resolve" => C::Resolve {
                note,
                follow_up: step
                    .follow_up
                    .as_ref()
                    .map(|f| runsheet_protocol::FollowUp {
                        kind: f.kind,
                        task_id: f.task.clone(),
                        courier_id: f.courier.clone(),
                        items: f.items.clone(),
                        take_back: f.take_back.clone(),
                        due_by: f.due.as_deref().and_then(parse_offset).map(|o| s.start + o),
                    }),
            },
            "reject" => C::Reject { note },
            "close" => C::Close {
                satisfaction: step.stars,
            },
            "reopen" => C::Reopen { note },
            other => return Err(ActError::Harness(format!("no case step {other:?}"))),
        },
    )
}

/// The phone's name of an offer's state (the scenario's words).
fn offer_state_name(s: runsheet_ffi::OfferState) -> &'static str {
    use runsheet_ffi::OfferState as S;
    match s {
        S::Open => "open",
        S::AcceptSent => "accept_sent",
        S::DeclineSent => "decline_sent",
        S::Accepted => "accepted",
        S::Declined => "declined",
        S::Expired => "expired",
        S::Refused => "refused",
        S::Withdrawn => "withdrawn",
    }
}

/// The offer expectations: the server's status of each offer, the phone's state, what
/// accepting would put at risk, and the platform's figures.
async fn check_offers(world: &World, core: &Runsheet, x: &ExpectSpec) -> Result<(), Mismatch> {
    let unreachable = |what: String, e: String| (what, "the server to answer".to_string(), e);
    if !x.offer_status.is_empty() {
        let offers = world
            .dispatch
            .offers(None)
            .await
            .map_err(|e| unreachable("offer_status".into(), e.to_string()))?;
        for (task, want) in &x.offer_status {
            let found = offers
                .iter()
                .filter(|o| o.offer.tasks.first().is_some_and(|t| &t.id == task))
                .max_by_key(|o| o.offer.id)
                .map_or("none", |o| o.offer.status.as_str());
            if found != want {
                return Err((format!("offer_status.{task}"), want.clone(), found.into()));
            }
        }
    }
    if !x.phone_offer.is_empty() || !x.offer_at_risk.is_empty() {
        let offers = core.offers().list().await.map_err(|e| {
            (
                "phone offers".to_string(),
                "the list".to_string(),
                e.to_string(),
            )
        })?;
        let by_task = |task: &str| {
            offers
                .iter()
                .filter(|o| o.tasks.first().is_some_and(|t| t.task_id == task))
                .max_by_key(|o| o.offer_id)
        };
        for (task, want) in &x.phone_offer {
            let found = by_task(task).map_or("none", |o| offer_state_name(o.state));
            if found != want {
                return Err((format!("phone_offer.{task}"), want.clone(), found.into()));
            }
        }
        for (task, want) in &x.offer_at_risk {
            let what = format!("offer_at_risk.{task}");
            let id = by_task(task)
                .map(|o| o.offer_id)
                .ok_or_else(|| (what.clone(), format!("{want:?}"), "no such offer".into()))?;
            let impact = core
                .offers()
                .impact(id)
                .await
                .map_err(|e| (what.clone(), format!("{want:?}"), e.to_string()))?;
            let found: Vec<String> = impact
                .at_risk
                .iter()
                .map(|s| format!("{}.{}", s.task_id, s.role.as_str()))
                .collect();
            same(what, want, &found)?;
        }
    }
    if !x.offer_figures.is_empty() {
        let f = world
            .dispatch
            .offer_figures(None)
            .await
            .map_err(|e| unreachable("offer_figures".into(), e.to_string()))?
            .platform;
        for (key, want) in &x.offer_figures {
            let found = match key.as_str() {
                "offered" => Some(f64::from(f.offered)),
                "accepted" => Some(f64::from(f.accepted)),
                "declined" => Some(f64::from(f.declined)),
                "expired" => Some(f64::from(f.expired)),
                "withdrawn" => Some(f64::from(f.withdrawn)),
                "open" => Some(f64::from(f.open)),
                "acceptance_rate" => f.acceptance_rate,
                k => k.strip_prefix("decline.").map(|r| {
                    f64::from(
                        f.decline_reasons
                            .iter()
                            .find(|d| d.reason.as_str() == r)
                            .map_or(0, |d| d.count),
                    )
                }),
            };
            if found.is_none_or(|v| (v - want).abs() > 1e-9) {
                return Err((
                    format!("offer_figures.{key}"),
                    want.to_string(),
                    format!("{found:?}"),
                ));
            }
        }
    }
    Ok(())
}

/// The training expectations: where the courier stands on the phone, and the qualifications
/// the server records.
async fn check_training(
    world: &World,
    courier: &str,
    core: &Runsheet,
    x: &ExpectSpec,
) -> Result<(), Mismatch> {
    if !x.training_state.is_empty() {
        let modules = core
            .training()
            .modules()
            .await
            .map_err(|e| ("training_state".to_string(), String::new(), e.to_string()))?;
        for (id, want) in &x.training_state {
            let found = modules
                .iter()
                .find(|m| &m.module.id == id)
                .map_or("none", |m| m.state.as_str());
            if found != want {
                return Err((format!("training_state.{id}"), want.clone(), found.into()));
            }
        }
    }
    if let Some(want) = &x.server_qualifications {
        let record = world.dispatch.training_record(courier).await.map_err(|e| {
            (
                "server_qualifications".to_string(),
                String::new(),
                e.to_string(),
            )
        })?;
        let found: Vec<String> = record
            .qualifications
            .into_iter()
            .map(|q| q.module_id)
            .collect();
        if &found != want {
            return Err((
                "server_qualifications".into(),
                format!("{want:?}"),
                format!("{found:?}"),
            ));
        }
    }
    Ok(())
}

/// Splits a `task.kind` key of a case expectation.
fn case_key(key: &str) -> (&str, &str) {
    key.rsplit_once('.').unwrap_or((key, ""))
}

/// The after-sales expectations: cases, figures, order errors, recalls, on the server and
/// on the phone.
async fn check_cases(world: &World, core: &Runsheet, x: &ExpectSpec) -> Result<(), Mismatch> {
    let unreachable = |what: String, e: String| (what, "the server to answer".to_string(), e);
    let keys: BTreeSet<&String> = x
        .case_status
        .keys()
        .chain(x.case_team.keys())
        .chain(x.case_fault.keys())
        .chain(x.case_breached.keys())
        .chain(x.case_events.keys())
        .chain(x.case_follow_up.keys())
        .collect();
    for key in keys {
        let (task, kind) = case_key(key);
        let case = server_case(world, task, kind)
            .await
            .map_err(|e| (format!("case {key}"), "a case".to_string(), e))?;
        let found_fault = match case.case.fault {
            Some(runsheet_protocol::Fault::Courier) => "courier",
            Some(runsheet_protocol::Fault::Merchant) => "merchant",
            None => "none",
        };
        let checks: [(&str, Option<String>, String); 5] = [
            (
                "case_status",
                x.case_status.get(key).cloned(),
                case.case.status.as_str().to_owned(),
            ),
            (
                "case_team",
                x.case_team.get(key).cloned(),
                case.case.team.as_str().to_owned(),
            ),
            (
                "case_fault",
                x.case_fault.get(key).cloned(),
                found_fault.to_owned(),
            ),
            (
                "case_breached",
                x.case_breached.get(key).map(|b| b.to_string()),
                case.case.breached.to_string(),
            ),
            (
                "case_follow_up",
                x.case_follow_up.get(key).cloned(),
                case.case
                    .follow_up_task_id
                    .clone()
                    .unwrap_or_else(|| "none".into()),
            ),
        ];
        for (what, want, found) in checks {
            if let Some(want) = want {
                if want != found {
                    return Err((format!("{what}.{key}"), want, found));
                }
            }
        }
        if let Some(want) = x.case_events.get(key) {
            let found: Vec<String> = case.history.iter().map(|h| h.event.clone()).collect();
            same(format!("case_events.{key}"), want, &found)?;
        }
    }
    let figures_needed = !x.case_figures.is_empty()
        || !x.courier_order_errors.is_empty()
        || x.merchant_order_errors.is_some();
    if figures_needed {
        let f = world
            .dispatch
            .case_figures(None, None, None)
            .await
            .map_err(|e| unreachable("case_figures".into(), e.to_string()))?;
        let p = &f.platform;
        let opt = |v: Option<f64>| v.unwrap_or(-1.0);
        let found: BTreeMap<&str, f64> = [
            ("cases", f64::from(p.cases)),
            ("breached", f64::from(p.breached)),
            ("complaints_per_100", opt(p.complaints_per_100)),
            ("within_deadline", opt(p.within_deadline)),
            ("satisfaction", opt(p.satisfaction)),
            (
                "return_turnaround_p50_s",
                opt(p.return_turnaround_p50_s.map(|s| s as f64)),
            ),
        ]
        .into_iter()
        .collect();
        for (k, want) in &x.case_figures {
            match found.get(k.as_str()) {
                Some(v) if (v - want).abs() < 1e-3 => {}
                other => {
                    return Err((
                        format!("case_figures.{k}"),
                        want.to_string(),
                        other.map_or("not a figure".into(), |v| v.to_string()),
                    ))
                }
            }
        }
        for (courier, want) in &x.courier_order_errors {
            let found = f
                .couriers
                .iter()
                .find(|c| &c.courier_id == courier)
                .map_or(0, |c| c.order_errors.len() as u64);
            if found != *want {
                return Err((
                    format!("courier_order_errors.{courier}"),
                    want.to_string(),
                    found.to_string(),
                ));
            }
        }
        if let Some(want) = &x.merchant_order_errors {
            let found: Vec<String> = f
                .merchant_order_errors
                .iter()
                .map(|e| e.task_id.clone())
                .collect();
            same("merchant_order_errors".into(), want, &found)?;
        }
    }
    for (id, want) in &x.server_kind {
        let found = world
            .dispatch
            .task(id)
            .await
            .map(|t| t.task.kind.as_str().to_owned())
            .map_err(|e| unreachable(format!("server_kind.{id}"), e.to_string()))?;
        if &found != want {
            return Err((format!("server_kind.{id}"), want.clone(), found));
        }
    }
    if let Some(want) = &x.recalled {
        // The newest recall: recalls are numbered from 1.
        let mut report = None;
        for id in 1.. {
            match world.dispatch.recall_report(id).await {
                Ok(r) => report = Some(r),
                Err(_) => break,
            }
        }
        let found: BTreeMap<String, bool> = report
            .map(|r| {
                r.deliveries
                    .into_iter()
                    .map(|d| (d.task_id, d.delivered))
                    .collect()
            })
            .unwrap_or_default();
        if &found != want {
            return Err(("recalled".into(), format!("{want:?}"), format!("{found:?}")));
        }
    }
    for (key, want) in &x.phone_case_status {
        let (task, kind) = case_key(key);
        let found = core
            .cases()
            .for_task(task.to_owned())
            .await
            .map_err(|e| {
                (
                    format!("phone_case_status.{key}"),
                    want.clone(),
                    e.to_string(),
                )
            })?
            .into_iter()
            .filter(|c| c.doc.kind.as_str() == kind)
            .max_by_key(|c| c.doc.id)
            .map_or_else(|| "none".to_owned(), |c| c.doc.status.as_str().to_owned());
        if &found != want {
            return Err((format!("phone_case_status.{key}"), want.clone(), found));
        }
    }
    if let Some(want) = x.phone_recalls {
        let found = core
            .scans()
            .recalls()
            .await
            .map_err(|e| ("phone_recalls".to_string(), want.to_string(), e.to_string()))?
            .len() as u64;
        if found != want {
            return Err(("phone_recalls".into(), want.to_string(), found.to_string()));
        }
    }
    Ok(())
}

/// The handover expectations: who holds each task on the server, the phone's custody, and the
/// chain of custody the phone holds.
async fn check_handovers(world: &World, core: &Runsheet, x: &ExpectSpec) -> Result<(), Mismatch> {
    for (id, want) in &x.holder {
        let found = world
            .dispatch
            .task(id)
            .await
            .map_err(|e| (format!("holder.{id}"), want.clone(), e.to_string()))?
            .courier_id
            .unwrap_or_default();
        if &found != want {
            return Err((format!("holder.{id}"), want.clone(), found));
        }
    }
    for (id, want) in &x.custody {
        let found = core
            .tasks()
            .task(id.clone())
            .await
            .map_err(|e| (format!("custody.{id}"), want.clone(), e.to_string()))?
            .custody
            .as_str()
            .to_owned();
        if &found != want {
            return Err((format!("custody.{id}"), want.clone(), found));
        }
    }
    for (id, want) in &x.chain_of_custody {
        let found: Vec<String> = core
            .tasks()
            .evidence_bundle(id.clone())
            .await
            .map_err(|e| {
                (
                    format!("chain_of_custody.{id}"),
                    format!("{want:?}"),
                    e.to_string(),
                )
            })?
            .custody
            .iter()
            .map(|h| format!("{}:{}", h.seq, h.status.as_str()))
            .collect();
        same(format!("chain_of_custody.{id}"), want, &found)?;
    }
    Ok(())
}

/// Rides from the phone's position to `to` at `speed` m/s, recording a GPS fix every 5 s of
/// virtual time (with seeded noise of up to `noise` metres), and leaves the clock at arrival.
/// Rides from the phone's position to `to` at `speed`, one fix every 5 s with `noise` metres
/// of seeded jitter and `jumps` wild fixes (2 km off, as GPS multipath in a city gives), then
/// stays `dwell` seconds at the stop, still reporting fixes.
async fn ride(
    phone: &mut Phone,
    now: &AtomicI64,
    to: (f64, f64),
    speed: f64,
    noise: f64,
    jumps: u32,
    dwell: i64,
) -> Result<(), ActError> {
    use rand::Rng;
    let from = phone.position;
    let seconds = (runsheet_route::travel::distance_m(from, to) / speed)
        .ceil()
        .max(1.0) as i64;
    let metres_per_degree = 111_320.0;
    let total = seconds + dwell;
    let fixes = (total / 5).max(1);
    let mut jump_at: Vec<i64> = (0..jumps).map(|_| phone.rng.gen_range(0..fixes)).collect();
    jump_at.sort_unstable();
    let mut t = 0;
    let mut k = 0;
    while t < total {
        let before = t;
        t = (t + 5).min(total);
        now.fetch_add(t - before, Ordering::SeqCst);
        let f = (t as f64 / seconds as f64).min(1.0);
        let jitter = |rng: &mut rand::rngs::StdRng| {
            if noise > 0.0 {
                rng.gen_range(-noise..=noise) / metres_per_degree
            } else {
                0.0
            }
        };
        let mut lat = from.0 + (to.0 - from.0) * f + jitter(&mut phone.rng);
        let lon = from.1 + (to.1 - from.1) * f + jitter(&mut phone.rng);
        if jump_at.contains(&k) {
            lat += 2000.0 / metres_per_degree;
        }
        k += 1;
        phone
            .core()
            .navigation()
            .record_location(lat, lon, noise.max(5.0))
            .await
            .map_err(ActError::Typed)?;
    }
    phone.position = to;
    Ok(())
}

async fn act(
    world: &mut World,
    s: &Scenario,
    phones: &mut HashMap<String, Phone>,
    courier: &str,
    step: &StepSpec,
    now: &AtomicI64,
) -> Result<(), ActError> {
    let task = step
        .task
        .as_ref()
        .map(|t| t.get_ref().clone())
        .unwrap_or_default();
    let phone = phones.get_mut(courier).expect("validated courier");
    match step.action.get_ref().as_str() {
        "sync" => phone
            .core()
            .sync()
            .now()
            .await
            .map(|_| ())
            .map_err(ActError::Typed),
        "deliver" => phone
            .core()
            .tasks()
            .mark_delivered(task)
            .await
            .map_err(ActError::Typed),
        "accept" => phone
            .core()
            .tasks()
            .accept(task)
            .await
            .map_err(ActError::Typed),
        "arrive" => {
            let why = step
                .reason
                .as_ref()
                .map(|r| r.get_ref().clone())
                .unwrap_or_default();
            phone
                .core()
                .tasks()
                .arrive_manually(task, why)
                .await
                .map_err(ActError::Typed)
        }
        "pick_up" => phone
            .core()
            .tasks()
            .pick_up(task)
            .await
            .map_err(ActError::Typed),
        "complete" => complete(phone.core(), phone.files(), &task)
            .await
            .map_err(ActError::Typed),
        "return" => phone
            .core()
            .tasks()
            .mark_returned(task)
            .await
            .map_err(ActError::Typed),
        "report" => {
            let photos = attach_files(
                phone.core(),
                phone.files(),
                &task,
                "photo",
                step.photos.unwrap_or(0),
            )
            .await?;
            let ready_at = step
                .ready_at
                .as_ref()
                .and_then(|r| parse_offset(r.get_ref()))
                .map(|o| s.start + o);
            let why = step
                .reason
                .as_ref()
                .map(|r| r.get_ref().as_str())
                .unwrap_or("");
            phone
                .core()
                .tasks()
                .report_exception(task, reason(why), step.note.clone(), photos, ready_at)
                .await
                .map_err(ActError::Typed)
        }
        "contact" => {
            let channel = match step.channel.as_ref().map(|c| c.get_ref().as_str()) {
                Some("message") => ContactChannel::Message,
                _ => ContactChannel::Call,
            };
            phone
                .core()
                .tasks()
                .record_contact_attempt(task, channel, step.answered.unwrap_or(false))
                .await
                .map_err(ActError::Typed)
        }
        "message" => {
            let t = step
                .template
                .as_ref()
                .map(|t| t.get_ref().as_str())
                .unwrap_or("");
            phone
                .core()
                .tasks()
                .send_message(task, template(t))
                .await
                .map_err(ActError::Typed)
        }
        "correct_pin" => phone
            .core()
            .tasks()
            .correct_pin(task, step.lat.unwrap_or(0.0), step.lon.unwrap_or(0.0))
            .await
            .map_err(ActError::Typed),
        "shift" => {
            let core = phone.core();
            match step.event.as_ref().map(|e| e.get_ref().as_str()) {
                Some("start") => core.shift().start().await,
                Some("break_start") => core.shift().start_break().await,
                Some("break_end") => core.shift().end_break().await,
                _ => core.shift().end().await,
            }
            .map_err(ActError::Typed)
        }
        "purge" => phone
            .core()
            .tasks()
            .purge_customer_data()
            .await
            .map(drop)
            .map_err(ActError::Typed),
        "scan" => {
            let raw = step.code.clone().unwrap_or_default();
            let sym = symbology(step.symbology.as_ref().map_or("", |s| s.get_ref()));
            let mut first = None;
            for _ in 0..step.burst.unwrap_or(1).max(1) {
                let r = phone
                    .core()
                    .scans()
                    .scan(task.clone(), raw.clone(), sym)
                    .await
                    .map_err(ActError::Typed)?;
                first.get_or_insert(r.outcome);
            }
            match (&step.outcome, first) {
                (Some(want), Some(got)) if want.get_ref() != outcome_name(&got) => {
                    Err(ActError::Harness(format!(
                        "scan outcome: expected {}, found {}",
                        want.get_ref(),
                        outcome_name(&got)
                    )))
                }
                _ => Ok(()),
            }
        }
        "publish_settings" => match &step.settings {
            Some(settings) => dispatched(world.dispatch.publish_settings(settings).await),
            None => Ok(()),
        },
        "rate_courier" => dispatched(
            world
                .dispatch
                .rate(&serde_json::json!({
                    "id": step.rating,
                    "task_id": task,
                    "source": step.source.as_ref().map(|s| s.get_ref().clone()),
                    "stars": step.stars,
                    "tags": step.tags,
                    "comment": step.note,
                }))
                .await,
        ),
        "decide_appeal" => dispatched(
            world
                .dispatch
                .decide_appeal(
                    step.rating.as_deref().unwrap_or(""),
                    step.upheld.unwrap_or(false),
                )
                .await,
        ),
        "rate" => {
            let target = match step.source.as_ref().map(|s| s.get_ref().as_str()) {
                Some("merchant") => runsheet_ffi::RatingTarget::Merchant,
                _ => runsheet_ffi::RatingTarget::Dropoff,
            };
            phone
                .core()
                .ratings()
                .rate_stop(
                    task,
                    target,
                    step.stars.unwrap_or(0),
                    step.tags.clone(),
                    step.note.clone(),
                )
                .await
                .map_err(ActError::Typed)
        }
        "tip" => {
            let body = serde_json::json!({
                "id": step.line.clone().unwrap_or_else(|| format!("tip-{task}")),
                "task_id": task,
                "kind": step.kind.as_ref().map_or("tip".to_owned(), |k| k.get_ref().clone()),
                "amount": step.amount,
                "currency": "CNY",
                "note": step.note,
            });
            match (world.dispatch.add_earning(&body).await, &step.refused_with) {
                (Ok(_), None) => Ok(()),
                (Err(runsheet_server::DispatchError::Status { code, .. }), Some(want))
                    if &code == want =>
                {
                    Ok(())
                }
                (Ok(_), Some(want)) => Err(ActError::Harness(format!(
                    "dispatch accepted the amount; expected a refusal {want}"
                ))),
                (Err(e), _) => Err(ActError::Harness(e.to_string())),
            }
        }
        "decide_pay_appeal" => dispatched(
            world
                .dispatch
                .decide_pay_appeal(
                    step.line.as_deref().unwrap_or(""),
                    step.upheld.unwrap_or(false),
                    step.note.as_deref(),
                    None,
                )
                .await,
        ),
        "appeal" => phone
            .core()
            .ratings()
            .appeal(
                step.rating.clone().unwrap_or_default(),
                step.reason
                    .as_ref()
                    .map(|r| r.get_ref().clone())
                    .unwrap_or_default(),
            )
            .await
            .map_err(ActError::Typed),
        "complain" => dispatched(
            world
                .dispatch
                .open_case(&runsheet_protocol::NewCase {
                    task_id: task,
                    kind: case_kind(step)?,
                    summary: step.note.clone().unwrap_or_default(),
                })
                .await,
        ),
        "case" => {
            let kind = case_kind(step)?;
            let case = server_case(world, &task, kind.as_str())
                .await
                .map_err(ActError::Harness)?;
            let command = case_command(s, step)?;
            dispatched(world.dispatch.case_step(case.case.id, &command).await)
        }
        "offer" => {
            let courier = step
                .courier
                .as_ref()
                .map(|c| c.get_ref().clone())
                .unwrap_or_else(|| courier.to_owned());
            let mut task_ids = vec![task.clone()];
            task_ids.extend(step.stack.iter().map(|t| t.get_ref().clone()));
            let made = world
                .dispatch
                .offer(&runsheet_protocol::NewOffer {
                    courier_id: courier,
                    task_ids,
                    expires_in_s: step.expires_in_s,
                })
                .await;
            match &step.dispatch_refusal {
                None => dispatched(made),
                Some(code) => refused_by_dispatch(made, code),
            }
        }
        "withdraw_offer" => {
            // The newest offer whose first task is `task`.
            let offers = world
                .dispatch
                .offers(None)
                .await
                .map_err(|e| ActError::Harness(e.to_string()))?;
            let id = offers
                .iter()
                .filter(|o| o.offer.tasks.first().is_some_and(|t| t.id == task))
                .map(|o| o.offer.id)
                .max()
                .ok_or_else(|| ActError::Harness(format!("no offer of {task} to withdraw")))?;
            let made = world
                .dispatch
                .withdraw_offer(id, step.note.as_deref().unwrap_or("withdrawn by dispatch"))
                .await;
            match &step.dispatch_refusal {
                None => dispatched(made),
                Some(code) => refused_by_dispatch(made, code),
            }
        }
        "recall" => match &step.recall {
            Some(r) => dispatched(world.dispatch.recall(r).await),
            None => Ok(()),
        },
        "answer_case" => {
            let kind = case_kind(step)?;
            let case_id = phone
                .core()
                .cases()
                .for_task(task.clone())
                .await
                .map_err(ActError::Typed)?
                .into_iter()
                .filter(|c| c.doc.kind == kind)
                .map(|c| c.doc.id)
                .max()
                .ok_or_else(|| {
                    ActError::Harness(format!(
                        "no {} case about {task} on the phone",
                        kind.as_str()
                    ))
                })?;
            phone
                .core()
                .cases()
                .answer(case_id, step.note.clone().unwrap_or_default())
                .await
                .map_err(ActError::Typed)
        }
        "set_aside" => phone
            .core()
            .scans()
            .set_aside(task, step.item.clone().unwrap_or_default())
            .await
            .map_err(ActError::Typed),
        "accept_pin_corrections" => {
            let pending = world
                .dispatch
                .pin_corrections(runsheet_server::dispatch_api::PinCorrectionStatus::Pending)
                .await
                .map_err(|e| ActError::Harness(e.to_string()))?;
            for c in pending {
                dispatched(world.dispatch.decide_pin_correction(c.id, true).await)?;
            }
            Ok(())
        }
        "publish_training" => match &step.training {
            Some(m) => dispatched(world.dispatch.publish_training(m).await),
            None => Ok(()),
        },
        "take_quiz" => {
            let module_id = step
                .module
                .as_ref()
                .map(|m| m.get_ref().clone())
                .unwrap_or_default();
            let version = match step.version {
                Some(v) => v,
                None => {
                    phone
                        .core()
                        .training()
                        .module(module_id.clone())
                        .await
                        .map_err(ActError::Typed)?
                        .module
                        .version
                }
            };
            phone
                .core()
                .training()
                .take_quiz(module_id, version, step.answers.clone().unwrap_or_default())
                .await
                .map(drop)
                .map_err(ActError::Typed)
        }
        "nearby_handovers" => {
            let listed = phone
                .core()
                .handovers()
                .nearby(step.lat.unwrap_or_default(), step.lon.unwrap_or_default())
                .await
                .map_err(ActError::Typed)?;
            let found: Vec<String> = listed.into_iter().map(|h| h.task_id).collect();
            let want = step.nearby.clone().unwrap_or_default();
            if found == want {
                Ok(())
            } else {
                Err(ActError::Harness(format!(
                    "nearby handovers {found:?}; expected {want:?}"
                )))
            }
        }
        "take_handover" => match (
            phone.core().handovers().take(task.clone()).await,
            &step.refusal,
        ) {
            (Ok(()), None) => Ok(()),
            (Err(e), Some(want)) => {
                let detail = match &e {
                    RunsheetError::SyncFailed { detail, .. } => detail.clone(),
                    other => format!("{other:?}"),
                };
                // The server's code reaches the phone, told to the courier in their words.
                if detail.contains(&format!("({})", want.get_ref()))
                    && !e.to_string().contains(want.get_ref().as_str())
                {
                    Ok(())
                } else {
                    Err(ActError::Harness(format!(
                        "the take was refused with {detail} ({e}); expected {}",
                        want.get_ref()
                    )))
                }
            }
            (Ok(()), Some(want)) => Err(ActError::Harness(format!(
                "the handover was taken; expected the refusal {}",
                want.get_ref()
            ))),
            (Err(e), None) => Err(ActError::Typed(e)),
        },
        "publish_checklist" => match &step.checklist {
            Some(t) => dispatched(world.dispatch.publish_checklist(t).await),
            None => Ok(()),
        },
        "answer" => {
            let stage = match step.stage.as_ref().map_or("", |s| s.get_ref().as_str()) {
                "start_of_shift" => runsheet_ffi::ChecklistStage::StartOfShift,
                "pickup" => runsheet_ffi::ChecklistStage::Pickup,
                "dropoff" => runsheet_ffi::ChecklistStage::Dropoff,
                _ => runsheet_ffi::ChecklistStage::Failure,
            };
            let task_id = (!task.is_empty()).then(|| task.clone());
            let item_id = step.item.clone().unwrap_or_default();
            let list = phone
                .core()
                .checklists()
                .checklist(task_id.clone(), stage)
                .await
                .map_err(ActError::Typed)?
                .ok_or_else(|| ActError::Harness("no checklist for that stage".into()))?;
            let kind = list
                .items
                .iter()
                .find(|i| i.def.id == item_id)
                .map(|i| i.def.kind.clone())
                .ok_or_else(|| ActError::Harness(format!("no checklist item {item_id}")))?;
            let file = |what: &str| -> Result<String, ActError> {
                let path = std::path::Path::new(&phone.db).with_extension(format!(
                    "{task}-{item_id}-{what}-{}.jpg",
                    now.load(Ordering::SeqCst)
                ));
                std::fs::write(&path, format!("{what} for {item_id}"))
                    .map_err(|e| ActError::Harness(format!("cannot write a file: {e}")))?;
                Ok(path.to_string_lossy().into_owned())
            };
            use runsheet_ffi::{ChecklistAnswer as A, ChecklistItemKind as K};
            let v = step.value.clone();
            let answer = match (kind, v) {
                (K::Photo { .. }, _) => {
                    let mut photos = Vec::new();
                    for k in 0..step.photos.unwrap_or(1) {
                        let path = file(&format!("photo{k}"))?;
                        photos.push(attach(phone.core(), path).await?);
                    }
                    A::Photos(photos)
                }
                (K::Signature, _) => {
                    let path = file("signature")?;
                    A::Signature(attach(phone.core(), path).await?)
                }
                (K::Confirm, _) => A::Confirmed,
                (K::YesNo { .. }, Some(toml::Value::Boolean(b))) => A::YesNo(b),
                (K::Number { .. }, Some(toml::Value::Float(f))) => A::Number(f),
                (K::Number { .. }, Some(toml::Value::Integer(i))) => A::Number(i as f64),
                (K::Choice { .. }, Some(toml::Value::String(o))) => A::Choice(o),
                (K::Scan, Some(toml::Value::String(c))) => A::Scan(c),
                (_, Some(toml::Value::String(t))) => A::Text(t),
                (k, v) => {
                    return Err(ActError::Harness(format!(
                        "answer {v:?} does not fit item kind {k:?}"
                    )))
                }
            };
            phone
                .core()
                .checklists()
                .answer(task_id, stage, item_id, answer)
                .await
                .map(drop)
                .map_err(ActError::Typed)
        }
        "handoff" => {
            let r = phone
                .core()
                .scans()
                .verify_handoff_code(task, step.code.clone().unwrap_or_default())
                .await
                .map_err(ActError::Typed)?;
            let found = match r {
                runsheet_ffi::HandoffCheck::Verified => "verified",
                runsheet_ffi::HandoffCheck::Wrong { .. } => "wrong",
                runsheet_ffi::HandoffCheck::Locked => "locked",
            };
            match &step.result {
                Some(want) if want.get_ref() != found => Err(ActError::Harness(format!(
                    "handoff check: expected {}, found {found}",
                    want.get_ref()
                ))),
                _ => Ok(()),
            }
        }
        "confirm_item" => {
            let photos = attach_files(
                phone.core(),
                phone.files(),
                &task,
                "label",
                step.photos.unwrap_or(0),
            )
            .await?;
            phone
                .core()
                .scans()
                .confirm_item_manually(
                    task,
                    step.item.clone().unwrap_or_default(),
                    step.reason
                        .as_ref()
                        .map(|r| r.get_ref().clone())
                        .unwrap_or_default(),
                    photos,
                )
                .await
                .map_err(ActError::Typed)
        }
        "kill_app" => {
            phone.screen_sub.take();
            phone.sub.take();
            phone.core.take();
            phone.open().await.map_err(ActError::Harness)
        }
        "network" => {
            match step.network.as_ref().map(|n| n.get_ref()) {
                Some(NetworkSpec::Mode(m)) if m == "offline" => phone.proxy.set_offline(true),
                Some(NetworkSpec::Mode(_)) => {
                    phone.proxy.set_offline(false);
                    phone.proxy.set_fault_rate(0.0);
                }
                Some(NetworkSpec::Flaky { flaky }) => {
                    phone.proxy.set_offline(false);
                    phone.proxy.set_fault_rate(*flaky);
                }
                None => {}
            }
            Ok(())
        }
        "set_token" => {
            let which = step.token.as_ref().map_or("", |t| t.get_ref().as_str());
            let token = match which {
                "valid" => phone.token.clone(),
                // A new shift's sign-in: dispatch issues the courier a fresh token.
                "fresh" => {
                    let fresh = world
                        .dispatch
                        .issue_token(courier)
                        .await
                        .map_err(|e| ActError::Harness(e.to_string()))?;
                    phone.token = fresh.clone();
                    fresh
                }
                _ => "expired-or-revoked".into(),
            };
            phone.core().session().set_token(token);
            Ok(())
        }
        "skew" => {
            let skew = step
                .skew
                .as_ref()
                .and_then(|k| parse_offset(k.get_ref()))
                .unwrap_or(0);
            phone.clock.skew.store(skew, Ordering::SeqCst);
            Ok(())
        }
        "kill_server" => {
            world.kill_server();
            Ok(())
        }
        "restart_server" => {
            world.restart_server();
            Ok(())
        }
        "assign" => match &step.dispatch_refusal {
            None => assign(world, s, task_spec(s, &task))
                .await
                .map_err(ActError::Harness),
            Some(code) => refused_by_dispatch(assign_refusal(world, s, &task).await, code),
        },
        "cancel" => dispatched(world.dispatch.cancel_task(&task).await),
        "reassign" => {
            let to = step
                .to
                .as_ref()
                .map(|t| t.get_ref().clone())
                .unwrap_or_default();
            match &step.dispatch_refusal {
                None => dispatched(world.dispatch.reassign_task(&task, &to).await),
                Some(code) => {
                    refused_by_dispatch(world.dispatch.reassign_task(&task, &to).await, code)
                }
            }
        }
        "assign_handover" => {
            let to = step
                .to
                .as_ref()
                .map(|t| t.get_ref().clone())
                .unwrap_or_default();
            match (
                world.dispatch.assign_handover(&task, &to).await,
                &step.refusal,
            ) {
                (Ok(_), None) => Ok(()),
                (Err(runsheet_server::DispatchError::Status { code, .. }), Some(want))
                    if &code == want.get_ref() =>
                {
                    Ok(())
                }
                (Ok(_), Some(want)) => Err(ActError::Harness(format!(
                    "dispatch named the receiver; expected the refusal {}",
                    want.get_ref()
                ))),
                (Err(e), _) => Err(ActError::Harness(e.to_string())),
            }
        }
        "update" => dispatched(
            world
                .dispatch
                .update_task(
                    &task,
                    step.pickup.as_ref().map(|p| stop_doc(p, s.start)),
                    step.dropoff.as_ref().map(|d| stop_doc(d, s.start)),
                )
                .await,
        ),
        "move" => {
            let spec = task_spec(s, &task);
            let stop = match step.stop.as_ref().map(|x| x.get_ref().as_str()) {
                Some("pickup") => spec.pickup.as_ref().expect("validated pickup"),
                _ => &spec.dropoff,
            };
            ride(
                phone,
                now,
                (stop.lat, stop.lon),
                step.speed_mps.unwrap_or(4.0),
                step.noise_m.unwrap_or(0.0),
                step.jumps.unwrap_or(0),
                step.dwell_s.unwrap_or(30),
            )
            .await
        }
        "tap" => tap(phone, step).await,
        "resolve" => resolve(phone, step, &task).await,
        "refresh" => {
            phone.core().screens().refresh().await;
            Ok(())
        }
        _ => Ok(()), // "expect": checked by the caller
    }
}

/// A `tap` step: taps the action the current screen offers (by label or kind, on the task the
/// step names), with the step's inputs; a refusal is a failure unless the step expects one.
async fn tap(phone: &mut Phone, step: &StepSpec) -> Result<(), ActError> {
    let screens = phone.core().screens();
    let screen = screens
        .screen()
        .await
        .map_err(|e| ActError::Harness(format!("the screen could not be computed: {e}")))?;
    let expect_refusal = step.refused || step.refusal.is_some();
    let what = match (&step.tap, &step.offer) {
        (Some(l), _) => format!("tap {:?}", l.get_ref()),
        (None, Some(k)) => format!("tap an offer of kind {}", k.get_ref()),
        _ => "tap".into(),
    };
    let on = step
        .task
        .as_ref()
        .map(|t| format!(" on {}", t.get_ref()))
        .unwrap_or_default();
    let (label, sent) = match seen::choose(&screen, step) {
        Choice::Offered { offer, tap } => match *tap {
            // The token the courier types: the phone's own (`valid`), a revoked one, or as given.
            runsheet_screens::Tap::SignIn { .. } => {
                let token = match step.token.as_ref().map(|t| t.get_ref().as_str()) {
                    Some("valid") | None => phone.token.clone(),
                    Some("invalid") => "expired-or-revoked".to_owned(),
                    Some(other) => other.to_owned(),
                };
                (
                    offer.label.clone(),
                    Some(runsheet_screens::Tap::SignIn { token }),
                )
            }
            tap => (offer.label.clone(), Some(tap)),
        },
        // Not on the screen: the label the courier knows the action by.
        Choice::NotOffered(tap) => (
            step.tap
                .as_ref()
                .map(|t| t.get_ref().clone())
                .or_else(|| {
                    tap.as_deref().and_then(seen::step_of).map(|s| {
                        runsheet_screens::shift_bar::step_label(
                            &runsheet_words::Words::new(&phone.locale),
                            s,
                        )
                    })
                })
                .or_else(|| step.offer.as_ref().map(|k| k.get_ref().clone()))
                .unwrap_or_default(),
            tap.map(|t| *t),
        ),
    };
    // A tap the screen does not offer still goes to the core when the harness can build it:
    // the core must refuse it with its own sentence.
    let outcome = match sent {
        Some(t) => screens.tap(t).await.map_err(|e| e.to_string()),
        None => Err(format!("not on the screen ({})", seen::describe(&screen))),
    };
    if outcome.is_ok() {
        settle(&screens).await?;
    }
    phone.last_tap = Some((label, outcome.as_ref().err().cloned()));
    match (outcome, expect_refusal) {
        (Ok(()), false) => Ok(()),
        (Ok(()), true) => Err(ActError::Screen {
            expected: format!("{what}{on} refused"),
            found: "the screen took it".into(),
        }),
        (Err(sentence), false) => Err(ActError::Screen {
            expected: format!("{what}{on} taken"),
            found: format!("refused: {sentence}"),
        }),
        (Err(sentence), true) => match &step.refusal {
            Some(want) if !sentence.contains(want.get_ref().as_str()) => Err(ActError::Screen {
                expected: format!("a refusal saying {:?}", want.get_ref()),
                found: sentence,
            }),
            _ => Ok(()),
        },
    }
}

/// Waits until the network work a tap started on its own (the nearby handovers' fetch or
/// take) has answered: the page stops saying it is busy. Real time, at most 20 s.
async fn settle(screens: &runsheet_ffi::Screens) -> Result<(), ActError> {
    for _ in 0..400 {
        let busy = match screens.screen().await {
            Ok(s) => {
                matches!(&s.body, runsheet_screens::Body::NearbyHandovers { page } if page.busy)
            }
            Err(_) => false,
        };
        if !busy {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(ActError::Harness(
        "the nearby handovers page stayed busy for 20 s".into(),
    ))
}

/// A `resolve` step: the shell's answer to the platform work the core asked for (a permission
/// granted or refused, the last photo or signature asked for taken or cancelled).
async fn resolve(phone: &mut Phone, step: &StepSpec, task: &str) -> Result<(), ActError> {
    use runsheet_screens::{Effect, EffectResult};
    let result = if let Some(p) = step.grant.as_ref().or(step.deny.as_ref()) {
        EffectResult::Permission {
            permission: seen::permission(p.get_ref()),
            granted: step.grant.is_some(),
        }
    } else {
        let take = step.take.as_ref().map_or("", |t| t.get_ref().as_str());
        let asked = phone.screens.effects_since(phone.captures_answered);
        let Some((k, (_, capture))) = asked.iter().enumerate().rev().find(|(_, (_, e))| {
            matches!(
                e,
                Effect::CapturePhoto { .. } | Effect::CaptureSignature { .. }
            )
        }) else {
            return Err(ActError::Screen {
                expected: format!("a capture to answer with {take}"),
                found: "the core asked for no photo or signature".into(),
            });
        };
        phone.captures_answered += k + 1;
        let file = |what: &str| -> Result<String, ActError> {
            harness_file(
                phone.files(),
                if task.is_empty() { "shift" } else { task },
                what,
            )
            .map_err(ActError::Typed)
        };
        match (take, capture) {
            ("cancel", _) => EffectResult::Cancelled,
            (_, Effect::CapturePhoto { purpose, .. }) => EffectResult::PhotoTaken {
                purpose: purpose.clone(),
                path: file("photo")?,
            },
            (_, Effect::CaptureSignature { task_id, .. }) => EffectResult::SignatureTaken {
                task_id: task_id.clone(),
                path: file("signature")?,
            },
            _ => EffectResult::Cancelled,
        }
    };
    phone
        .core()
        .screens()
        .resolve(result)
        .await
        .map_err(|e| ActError::Screen {
            expected: "the answer taken".into(),
            found: format!("refused: {e}"),
        })
}

type Mismatch = (String, String, String);

/// The earnings expectations: the phone's totals and lines of the day and week holding now,
/// its incentive progress, and the server's statement.
async fn check_earnings(
    world: &World,
    courier: &str,
    core: &Runsheet,
    x: &ExpectSpec,
) -> Result<(), Mismatch> {
    use runsheet_ffi::EarningsPeriod;
    use runsheet_server::earnings_api::StatementPeriod;
    let period = |name: &str| match name {
        "day" => Some((EarningsPeriod::Day, StatementPeriod::Day)),
        "week" => Some((EarningsPeriod::Week, StatementPeriod::Week)),
        _ => None,
    };
    let bad = |what: String, want: String| move |e: String| (what, want, e);
    for (name, want, expected_only) in x
        .earnings_total
        .iter()
        .map(|(k, v)| (k, v, false))
        .chain(x.earnings_expected.iter().map(|(k, v)| (k, v, true)))
    {
        let what = if expected_only {
            format!("earnings_expected.{name}")
        } else {
            format!("earnings_total.{name}")
        };
        let (p, _) = period(name).ok_or_else(|| {
            (
                what.clone(),
                want.to_string(),
                "a period: day or week".to_string(),
            )
        })?;
        let e = core
            .earnings()
            .statement(p, None)
            .await
            .map_err(|e| bad(what.clone(), want.to_string())(e.to_string()))?;
        let found = if expected_only {
            e.expected.minor
        } else {
            e.total.minor
        };
        if found != *want {
            return Err((what, want.to_string(), found.to_string()));
        }
    }
    for (name, want) in &x.server_earnings_total {
        let what = format!("server_earnings_total.{name}");
        let (_, p) = period(name).ok_or_else(|| {
            (
                what.clone(),
                want.to_string(),
                "a period: day or week".to_string(),
            )
        })?;
        let s = world
            .dispatch
            .earnings(courier, p, None)
            .await
            .map_err(|e| bad(what.clone(), want.to_string())(e.to_string()))?;
        if s.total.minor != *want {
            return Err((what, want.to_string(), s.total.minor.to_string()));
        }
    }
    if x.incentive_met.is_empty() && x.pay_line.is_empty() {
        return Ok(());
    }
    let week = core
        .earnings()
        .statement(EarningsPeriod::Week, None)
        .await
        .map_err(|e| {
            (
                "earnings".to_string(),
                "the week".to_string(),
                e.to_string(),
            )
        })?;
    for (id, want) in &x.incentive_met {
        let found = week
            .incentives
            .iter()
            .find(|p| &p.id == id)
            .map_or("no such programme".to_string(), |p| p.met.to_string());
        if found != want.to_string() {
            return Err((format!("incentive_met.{id}"), want.to_string(), found));
        }
    }
    for (id, want) in &x.pay_line {
        let found = week
            .lines
            .iter()
            .find(|l| &l.line.id == id)
            .map_or("none".to_string(), |l| match (l.line.appeal, l.state) {
                (Some(runsheet_ffi::AppealStatus::Pending), _) => "pending".into(),
                (Some(runsheet_ffi::AppealStatus::Upheld), _) => "upheld".into(),
                (Some(runsheet_ffi::AppealStatus::Rejected), _) => "rejected".into(),
                (None, runsheet_protocol::PayLineState::Expected) => "expected".into(),
                (None, runsheet_protocol::PayLineState::Confirmed) => "confirmed".into(),
            });
        if &found != want {
            return Err((format!("pay_line.{id}"), want.clone(), found));
        }
    }
    Ok(())
}

fn same(what: String, expected: &[String], found: &[String]) -> Result<(), Mismatch> {
    if expected == found {
        Ok(())
    } else {
        Err((what, format!("{expected:?}"), list_diff(expected, found)))
    }
}

fn same_set(what: &str, expected: &[String], found: BTreeSet<String>) -> Result<(), Mismatch> {
    let e: BTreeSet<String> = expected.iter().cloned().collect();
    if e == found {
        Ok(())
    } else {
        let found: Vec<String> = found.into_iter().collect();
        let expected: Vec<String> = e.into_iter().collect();
        Err((
            what.into(),
            format!("{expected:?}"),
            list_diff(&expected, &found),
        ))
    }
}

async fn check(
    world: &World,
    courier: &str,
    phone: &mut Phone,
    x: &ExpectSpec,
    start: i64,
) -> Result<(), Mismatch> {
    let core = phone.core();
    check_cases(world, core, x).await?;
    check_offers(world, core, x).await?;
    check_earnings(world, courier, core, x).await?;
    check_training(world, courier, core, x).await?;
    check_handovers(world, core, x).await?;
    let tasks = core.tasks().all().await.map_err(|e| {
        (
            "tasks".to_string(),
            "the task list".to_string(),
            e.to_string(),
        )
    })?;
    for (id, want) in &x.task_status {
        let found = tasks
            .iter()
            .find(|t| &t.id == id)
            .map(|t| status_name(t.status).to_string())
            .unwrap_or_else(|| "not on the list".into());
        if &found != want {
            return Err((format!("task_status.{id}"), want.clone(), found));
        }
    }
    if let Some(want) = &x.tasks {
        let found: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
        same("tasks".into(), want, &found)?;
    }
    for (id, want) in &x.dropoff_address {
        let found = tasks
            .iter()
            .find(|t| &t.id == id)
            .map(|t| t.dropoff.address.clone())
            .unwrap_or_else(|| "not on the list".into());
        if &found != want {
            return Err((format!("dropoff_address.{id}"), want.clone(), found));
        }
    }
    if let Some(want) = x.pending_fixes {
        let found = core
            .sync()
            .status()
            .await
            .map_err(|e| ("pending_fixes".to_string(), want.to_string(), e.to_string()))?
            .pending_fixes;
        if found != want {
            return Err(("pending_fixes".into(), want.to_string(), found.to_string()));
        }
    }
    if let Some(want) = x.pending {
        let found = core
            .sync()
            .status()
            .await
            .map_err(|e| ("pending".to_string(), want.to_string(), e.to_string()))?
            .pending;
        if found != want {
            return Err(("pending".into(), want.to_string(), found.to_string()));
        }
    }
    if let Some(want) = &x.rejections {
        let mut found: Vec<String> = core
            .sync()
            .rejections()
            .await
            .map_err(|e| ("rejections".to_string(), format!("{want:?}"), e.to_string()))?
            .into_iter()
            .map(|r| r.task_id)
            .collect();
        found.reverse(); // oldest first, like the file
        same("rejections".into(), want, &distinct(found.into_iter()))?;
    }
    let failed = |what: String, want: String| move |e: RunsheetError| (what, want, e.to_string());
    for (id, want) in &x.next_action {
        let found = core
            .tasks()
            .next_action(id.clone())
            .await
            .map_err(failed(format!("next_action.{id}"), want.clone()))?
            .map_or("none", |n| step_name(n.step));
        if found != want {
            return Err((format!("next_action.{id}"), want.clone(), found.into()));
        }
    }
    for (id, want) in &x.blockers {
        let found: Vec<String> = core
            .tasks()
            .next_action(id.clone())
            .await
            .map_err(failed(format!("blockers.{id}"), format!("{want:?}")))?
            .map(|n| n.blockers.iter().map(|b| b.code().to_owned()).collect())
            .unwrap_or_default();
        same(format!("blockers.{id}"), want, &found)?;
    }
    if let Some(want) = &x.shift_next {
        let found = core
            .shift()
            .next_action()
            .await
            .map_err(failed("shift_next".into(), want.clone()))?;
        if step_name(found.step) != want {
            return Err((
                "shift_next".into(),
                want.clone(),
                step_name(found.step).into(),
            ));
        }
    }
    if !x.group.is_empty() || x.now.is_some() {
        let list = core
            .tasks()
            .grouped()
            .await
            .map_err(failed("group".into(), "the task list".into()))?;
        for (id, want) in &x.group {
            let found = list
                .entries
                .iter()
                .find(|e| &e.task.id == id)
                .map_or("not on the list", |e| group_name(e.group));
            if found != want {
                return Err((format!("group.{id}"), want.clone(), found.into()));
            }
        }
        if let Some(want) = &x.now {
            let found: Vec<String> = list
                .entries
                .iter()
                .filter(|e| e.group == TaskGroup::Now)
                .map(|e| e.task.id.clone())
                .collect();
            same("now".into(), want, &found)?;
        }
    }
    if let Some(want) = &x.route {
        let found: Vec<String> = core
            .navigation()
            .route()
            .await
            .map_err(failed("route".into(), format!("{want:?}")))?
            .stops
            .into_iter()
            .map(|s| s.task_id)
            .collect();
        same("route".into(), want, &found)?;
    }
    if let Some(want) = &x.shift_state {
        let found = match core
            .shift()
            .summary()
            .await
            .map_err(failed("shift_state".into(), want.clone()))?
            .state
        {
            runsheet_ffi::ShiftState::OffDuty => "off_duty",
            runsheet_ffi::ShiftState::OnDuty => "on_duty",
            runsheet_ffi::ShiftState::OnBreak => "on_break",
        };
        if found != want {
            return Err(("shift_state".into(), want.clone(), found.into()));
        }
    }
    if !x.shift_summary.is_empty() {
        let sum = core
            .shift()
            .summary()
            .await
            .map_err(failed("shift_summary".into(), "a summary".into()))?;
        for (k, want) in &x.shift_summary {
            let found = match k.as_str() {
                "delivered" => f64::from(sum.delivered),
                "delivered_on_time" => f64::from(sum.delivered_on_time),
                "failed" => f64::from(sum.failed),
                "cancelled" => f64::from(sum.cancelled),
                "open_tasks" => f64::from(sum.open_tasks),
                "breaks" => f64::from(sum.breaks),
                "break_seconds" => sum.break_s as f64,
                "distance_m" => sum.distance_m.round(),
                "order_errors" => f64::from(sum.order_errors),
                "sop_compliance" => sum.sop_compliance.unwrap_or(-1.0),
                other => {
                    return Err((
                        format!("shift_summary.{other}"),
                        "a known figure (delivered, delivered_on_time, failed, cancelled, open_tasks, breaks, break_seconds, distance_m, order_errors)".into(),
                        other.into(),
                    ))
                }
            };
            // distance is checked to within 10%, counts exactly.
            let ok = if k == "distance_m" {
                (found - want).abs() <= want.abs() * 0.1 + 1.0
            } else {
                found == *want
            };
            if !ok {
                return Err((
                    format!("shift_summary.{k}"),
                    want.to_string(),
                    found.to_string(),
                ));
            }
        }
    }
    for (id, want) in &x.customer_data_purged {
        let found = tasks
            .iter()
            .find(|t| &t.id == id)
            .map(|t| t.customer_data_purged);
        if found != Some(*want) {
            return Err((
                format!("customer_data_purged.{id}"),
                want.to_string(),
                found.map_or("not on the list".into(), |f| f.to_string()),
            ));
        }
    }
    for (id, want) in &x.pickup_ready_at {
        let want_t = parse_offset(want).map(|o| start + o);
        let found = tasks
            .iter()
            .find(|t| &t.id == id)
            .and_then(|t| t.pickup.as_ref().and_then(|p| p.ready_at));
        if found != want_t {
            return Err((
                format!("pickup_ready_at.{id}"),
                format!("{want} ({want_t:?})"),
                format!("{found:?}"),
            ));
        }
    }
    for (id, want) in &x.scan_progress {
        let p = core
            .scans()
            .progress(id.clone())
            .await
            .map_err(failed(format!("scan_progress.{id}"), want.clone()))?;
        let found = format!("{}/{}", p.confirmed, p.expected);
        if &found != want {
            return Err((format!("scan_progress.{id}"), want.clone(), found));
        }
    }
    for (id, want) in &x.missing_items {
        let found: Vec<String> = core
            .scans()
            .progress(id.clone())
            .await
            .map_err(failed(format!("missing_items.{id}"), format!("{want:?}")))?
            .missing
            .into_iter()
            .map(|i| i.name)
            .collect();
        same(format!("missing_items.{id}"), want, &found)?;
    }
    let stage_of = |key: &str| -> (Option<String>, runsheet_ffi::ChecklistStage) {
        let (task, stage) = key.split_once('.').unwrap_or((key, "pickup"));
        let stage = match stage {
            "start_of_shift" => runsheet_ffi::ChecklistStage::StartOfShift,
            "dropoff" => runsheet_ffi::ChecklistStage::Dropoff,
            "failure" => runsheet_ffi::ChecklistStage::Failure,
            _ => runsheet_ffi::ChecklistStage::Pickup,
        };
        ((task != "shift").then(|| task.to_owned()), stage)
    };
    for (key, want) in &x.checklist_missing {
        let (task, stage) = stage_of(key);
        let found = core
            .checklists()
            .checklist(task, stage)
            .await
            .map_err(failed(
                format!("checklist_missing.{key}"),
                format!("{want:?}"),
            ))?
            .map(|c| c.missing())
            .unwrap_or_default();
        same(format!("checklist_missing.{key}"), want, &found)?;
    }
    for (key, want) in &x.checklist_version {
        let (task, stage) = stage_of(key);
        let found = core
            .checklists()
            .checklist(task, stage)
            .await
            .map_err(failed(format!("checklist_version.{key}"), want.to_string()))?
            .map_or(0, |c| c.version);
        if found != *want {
            return Err((
                format!("checklist_version.{key}"),
                want.to_string(),
                found.to_string(),
            ));
        }
    }
    let kpi_map = |k: &runsheet_ffi::Kpis| -> BTreeMap<String, f64> {
        let f = |v: Option<f64>| v.map_or(-1.0, |x| (x * 10_000.0).round() / 10_000.0);
        BTreeMap::from([
            ("deliveries".to_string(), f64::from(k.deliveries)),
            ("on_time_rate".to_string(), f(k.on_time_rate)),
            (
                "avg_delivery_min_peak".to_string(),
                f(k.avg_delivery_min_peak),
            ),
            (
                "avg_delivery_min_off_peak".to_string(),
                f(k.avg_delivery_min_off_peak),
            ),
            ("order_error_rate".to_string(), f(k.order_error_rate)),
            ("delay_rate".to_string(), f(k.delay_rate)),
            ("satisfaction".to_string(), f(k.satisfaction)),
        ])
    };
    let phone_kpis = if !x.kpi.is_empty() || x.kpi_agree.is_some() {
        Some(kpi_map(
            &core
                .ratings()
                .kpis(runsheet_ffi::KpiPeriod::Month)
                .await
                .map_err(failed("kpi".into(), "the KPIs".into()))?,
        ))
    } else {
        None
    };
    let compare = |what: &str, want: &BTreeMap<String, f64>, found: &BTreeMap<String, f64>| {
        for (k, v) in want {
            match found.get(k) {
                Some(f) if (f - v).abs() < 1e-3 => {}
                other => {
                    return Err((
                        format!("{what}.{k}"),
                        v.to_string(),
                        other.map_or("not a KPI".into(), |f| f.to_string()),
                    ))
                }
            }
        }
        Ok(())
    };
    if let Some(found) = &phone_kpis {
        compare("kpi", &x.kpi, found)?;
    }
    if !x.server_kpi.is_empty() || x.kpi_agree.is_some() {
        let since = phone.clock.now.load(Ordering::SeqCst) - 30 * 86_400;
        let server = world.dispatch.kpis(courier, since).await.map_err(|e| {
            (
                "server_kpi".to_string(),
                "the server's KPIs".to_string(),
                e.to_string(),
            )
        })?;
        let server = kpi_map(&runsheet_ffi::Kpis {
            deliveries: server.deliveries,
            on_time_rate: server.on_time_rate,
            avg_delivery_min_peak: server.avg_delivery_min_peak,
            avg_delivery_min_off_peak: server.avg_delivery_min_off_peak,
            order_error_rate: server.order_error_rate,
            delay_rate: server.delay_rate,
            satisfaction: server.satisfaction,
            below_target: server.below_target,
        });
        compare("server_kpi", &x.server_kpi, &server)?;
        if x.kpi_agree == Some(true) {
            if let Some(phone) = &phone_kpis {
                if phone != &server {
                    return Err((
                        "kpi_agree".into(),
                        format!("{phone:?}"),
                        format!("{server:?}"),
                    ));
                }
            }
        }
    }
    if let Some(want) = &x.ratings {
        let found: Vec<String> = core
            .ratings()
            .received()
            .await
            .map_err(failed("ratings".into(), format!("{want:?}")))?
            .into_iter()
            .map(|r| r.id)
            .collect();
        same("ratings".into(), want, &found)?;
    }
    for (id, want) in &x.appeal {
        let found = core
            .ratings()
            .received()
            .await
            .map_err(failed(format!("appeal.{id}"), want.clone()))?
            .into_iter()
            .find(|r| &r.id == id)
            .map_or("not on the phone".to_string(), |r| match r.appeal {
                None => "none".into(),
                Some(runsheet_ffi::AppealStatus::Pending) => "pending".into(),
                Some(runsheet_ffi::AppealStatus::Upheld) => "upheld".into(),
                Some(runsheet_ffi::AppealStatus::Rejected) => "rejected".into(),
            });
        if &found != want {
            return Err((format!("appeal.{id}"), want.clone(), found));
        }
    }
    for (id, parts) in &x.evidence_has {
        let bundle = core
            .tasks()
            .evidence_bundle(id.clone())
            .await
            .map_err(failed(format!("evidence_has.{id}"), format!("{parts:?}")))?;
        for part in parts {
            let n = match part.as_str() {
                "checklists" => bundle.checklists.len(),
                "timeline" => bundle.timeline.len(),
                "scans" => bundle.scans.len(),
                "answers" => bundle.answers.len(),
                "attachments" => bundle.attachments.len(),
                "items" => bundle.task.items.len(),
                _ => 0,
            };
            if n == 0 {
                return Err((
                    format!("evidence_has.{id}.{part}"),
                    "entries".into(),
                    "none".into(),
                ));
            }
        }
    }
    let updates = phone.recorder.updates.lock().expect("recorder").clone();
    let since = &updates[phone.seen.min(updates.len())..];
    let collect = |pick: fn(&crate::UpdateIds) -> &Vec<String>| -> BTreeSet<String> {
        since.iter().flat_map(|u| pick(u).iter().cloned()).collect()
    };
    if let Some(want) = &x.listener_added {
        same_set("listener_added", want, collect(|u| &u.0))?;
    }
    if let Some(want) = &x.listener_updated {
        same_set("listener_updated", want, collect(|u| &u.1))?;
    }
    if let Some(want) = &x.listener_removed {
        same_set("listener_removed", want, collect(|u| &u.2))?;
    }
    phone.seen = updates.len();

    if let Some(want) = x.server_fixes {
        let found = world
            .dispatch
            .track(courier, 0)
            .await
            .map_err(|e| ("server_fixes".to_string(), want.to_string(), e.to_string()))?
            .fixes
            .len() as u64;
        if found != want {
            return Err(("server_fixes".into(), want.to_string(), found.to_string()));
        }
    }
    let needs_server = x.server_applied.is_some()
        || x.server_actions.is_some()
        || x.server_rejected.is_some()
        || !x.server_status.is_empty()
        || x.after_sales.is_some()
        || x.after_sales_kinds.is_some()
        || x.courier_status.is_some()
        || !x.server_messages.is_empty()
        || !x.server_pin_corrected.is_empty()
        || x.cash_hand_ins.is_some()
        || x.door_discrepancies.is_some()
        || !x.locker_compartment.is_empty();
    if needs_server {
        let unreachable =
            |what: &str, e: String| (what.to_string(), "the server to answer".to_string(), e);
        let recorded = world
            .dispatch
            .mutations(Some(courier))
            .await
            .map_err(|e| unreachable("server_applied", e.to_string()))?;
        // Deliveries the server applied, in order (each exactly once).
        let applied: Vec<String> = recorded
            .iter()
            .filter(|m| m.outcome == "applied" && m.action["type"] == "delivered")
            .map(|m| m.task_id.clone())
            .collect();
        if let Some(want) = &x.server_applied {
            same("server_applied".into(), want, &applied)?;
        }
        if let Some(want) = &x.server_actions {
            let found: Vec<String> = recorded
                .iter()
                .filter(|m| m.outcome == "applied")
                .map(|m| {
                    let kind = m.action["type"].as_str().unwrap_or("?");
                    if m.task_id.is_empty() {
                        kind.to_owned()
                    } else {
                        format!("{}:{kind}", m.task_id)
                    }
                })
                .collect();
            same("server_actions".into(), want, &found)?;
        }
        if let Some(want) = &x.server_rejected {
            same(
                "server_rejected".into(),
                want,
                &distinct(
                    recorded
                        .iter()
                        .filter(|m| m.outcome == "rejected")
                        .map(|m| m.task_id.clone()),
                ),
            )?;
        }
        for (id, want) in &x.server_status {
            let found = world
                .dispatch
                .task(id)
                .await
                .map(|t| t.task.status.as_str().to_string())
                .map_err(|e| unreachable(&format!("server_status.{id}"), e.to_string()))?;
            if &found != want {
                return Err((format!("server_status.{id}"), want.clone(), found));
            }
        }
        if let Some(want) = &x.after_sales {
            let found: Vec<String> = world
                .dispatch
                .after_sales()
                .await
                .map_err(|e| unreachable("after_sales", e.to_string()))?
                .into_iter()
                .map(|c| c.task_id)
                .collect();
            same("after_sales".into(), want, &found)?;
        }
        if let Some(want) = &x.after_sales_kinds {
            let found: Vec<String> = world
                .dispatch
                .after_sales()
                .await
                .map_err(|e| unreachable("after_sales_kinds", e.to_string()))?
                .into_iter()
                .map(|c| c.kind)
                .collect();
            same("after_sales_kinds".into(), want, &found)?;
        }
        if let Some(want) = &x.courier_status {
            let found = world
                .dispatch
                .courier_status(courier)
                .await
                .map_err(|e| unreachable("courier_status", e.to_string()))?
                .state;
            if &found != want {
                return Err(("courier_status".into(), want.clone(), found));
            }
        }
        for (id, want) in &x.server_messages {
            let found: Vec<String> = world
                .dispatch
                .messages(id)
                .await
                .map_err(|e| unreachable(&format!("server_messages.{id}"), e.to_string()))?
                .into_iter()
                .map(|m| m.body)
                .collect();
            same(format!("server_messages.{id}"), want, &found)?;
        }
        if x.cash_hand_ins.is_some() || x.door_discrepancies.is_some() {
            let report = world
                .dispatch
                .cash(courier)
                .await
                .map_err(|e| unreachable("cash_hand_ins", e.to_string()))?;
            if let Some(want) = &x.cash_hand_ins {
                let found: Vec<String> = report
                    .hand_ins
                    .iter()
                    .map(|h| {
                        format!(
                            "{} {} {}",
                            h.balance.as_str(),
                            runsheet_protocol::Money::new(h.difference, h.handed.currency.clone())
                                .decimal(),
                            h.handed.currency
                        )
                    })
                    .collect();
                same("cash_hand_ins".into(), want, &found)?;
            }
            if let Some(want) = &x.door_discrepancies {
                let found: Vec<String> = report
                    .door_discrepancies
                    .iter()
                    .map(|l| l.task_id.clone())
                    .collect();
                same("door_discrepancies".into(), want, &found)?;
            }
        }
        for (id, want) in &x.locker_compartment {
            let found = world
                .dispatch
                .locker_drop(id)
                .await
                .map(|d| d.compartment)
                .map_err(|e| unreachable(&format!("locker_compartment.{id}"), e.to_string()))?;
            if &found != want {
                return Err((format!("locker_compartment.{id}"), want.clone(), found));
            }
        }
        for (id, want) in &x.server_pin_corrected {
            let found = world
                .dispatch
                .task(id)
                .await
                .map_err(|e| unreachable(&format!("server_pin_corrected.{id}"), e.to_string()))?
                .task
                .dropoff
                .pin_corrected;
            if found != *want {
                return Err((
                    format!("server_pin_corrected.{id}"),
                    want.to_string(),
                    found.to_string(),
                ));
            }
        }
    }
    Ok(())
}
