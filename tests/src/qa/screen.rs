//! What the courier sees, for scenarios: the screen listener a phone subscribes (the updates
//! and effects the core delivers, stamped with the scenario's virtual time), the choice of the
//! action a `tap` step taps among those the current screen offers, and the expectations on
//! screens (labels, blockers, banner, verdict, notice, notifications), in the scenario's
//! locale.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use runsheet_protocol::AnswerValue;
use runsheet_screens::{Body, Effect, Offer, Permission, Screen, ScreenUpdate, Tap};

use super::scenario::{ExpectSpec, StepSpec};

/// The phone's screen listener: every effect the core asked for, with the virtual time it was
/// asked at. (The screen itself the harness reads afresh when a step needs it.)
pub struct ScreenLog {
    now: Arc<AtomicI64>,
    /// Effects in arrival order, with their virtual time (Unix seconds).
    pub effects: Mutex<Vec<(i64, Effect)>>,
}

impl ScreenLog {
    /// A log stamping effects with `now`.
    pub fn new(now: Arc<AtomicI64>) -> Self {
        ScreenLog {
            now,
            effects: Mutex::new(Vec::new()),
        }
    }

    /// The effects recorded from index `from` on.
    pub fn effects_since(&self, from: usize) -> Vec<(i64, Effect)> {
        let all = self.effects.lock().unwrap_or_else(|p| p.into_inner());
        all.get(from..).map(<[_]>::to_vec).unwrap_or_default()
    }

    /// How many effects were recorded.
    pub fn effect_count(&self) -> usize {
        self.effects.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl runsheet_ffi::ScreenListener for ScreenLog {
    fn on_screen(&self, _update: ScreenUpdate) {}

    fn on_effect(&self, effect: Effect) {
        let at = self.now.load(Ordering::SeqCst);
        self.effects
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((at, effect));
    }
}

/// The kind of an offer (the first part of its key: `deliver`, `show_task`, ...).
pub fn kind(tap: &Tap) -> String {
    let key = tap.offer_key();
    key.split('/').next().unwrap_or_default().to_owned()
}

/// The task a tap acts on, if any.
pub fn task_of(tap: &Tap) -> Option<&str> {
    use Tap::*;
    match tap {
        ShowTask { task_id }
        | ShowScan { task_id }
        | ShowProblem { task_id }
        | Accept { task_id }
        | ArriveManually { task_id, .. }
        | PickUp { task_id }
        | Deliver { task_id }
        | Return { task_id }
        | TakeProofPhoto { task_id }
        | TakeSignature { task_id }
        | EnterHandoffCode { task_id, .. }
        | CallCustomer { task_id }
        | RecordCall { task_id, .. }
        | MessageCustomer { task_id, .. }
        | OpenMap { task_id, .. }
        | TakeProblemPhoto { task_id }
        | ReportProblem { task_id, .. }
        | StartCamera { task_id }
        | Scan { task_id, .. }
        | TakeItemPhoto { task_id, .. }
        | ConfirmItemByHand { task_id, .. }
        | SetAside { task_id, .. }
        | RateStop { task_id, .. } => Some(task_id),
        ShowChecklist { task_id, .. }
        | Answer { task_id, .. }
        | TakeChecklistPhoto { task_id, .. } => task_id.as_deref(),
        ShowHandover { task_id }
        | RequestHandover { task_id, .. }
        | ScanHandoverBag { task_id, .. }
        | TakeHandover { task_id } => Some(task_id),
        _ => None,
    }
}

/// The workflow step a primary action's tap takes, if it is one.
pub fn step_of(tap: &Tap) -> Option<runsheet_ffi::Step> {
    use runsheet_ffi::Step;
    Some(match tap {
        Tap::StartShift => Step::StartShift,
        Tap::EndBreak => Step::EndBreak,
        Tap::EndShift => Step::EndShift,
        Tap::Accept { .. } => Step::Accept,
        Tap::PickUp { .. } => Step::PickUp,
        Tap::Deliver { .. } => Step::Deliver,
        Tap::Return { .. } => Step::Return,
        _ => return None,
    })
}

/// What a `tap` step picked.
pub enum Choice {
    /// An offer on the screen (its tap, with the step's inputs filled in).
    Offered {
        /// The offer as the screen shows it.
        offer: Box<Offer>,
        /// The tap to send.
        tap: Box<Tap>,
    },
    /// Nothing on the screen matches; this is the tap a shell would have sent (built from the
    /// offer kind and the task), to show the core refuses it.
    NotOffered(Option<Box<Tap>>),
}

/// Picks the offer a `tap` step names among those the screen offers: by label (`tap`), by
/// kind (`offer`), and by the task, item or reason the step names.
pub fn choose(screen: &Screen, step: &StepSpec) -> Choice {
    let label = step.tap.as_ref().map(|t| t.get_ref().trim());
    let want_kind = step.offer.as_ref().map(|k| k.get_ref().as_str());
    let task = step.task.as_ref().map(|t| t.get_ref().as_str());
    let item = step.item.as_deref();
    let reason = step.reason.as_ref().map(|r| r.get_ref().as_str());
    let found = screen.offers().into_iter().find(|o| {
        label.is_none_or(|l| o.label.trim() == l)
            && want_kind.is_none_or(|k| kind(&o.tap) == k)
            && task.is_none_or(|t| task_of(&o.tap).is_none_or(|ot| ot == t))
            && item.is_none_or(|i| match &o.tap {
                Tap::ConfirmItemByHand { item_code, .. }
                | Tap::TakeItemPhoto { item_code, .. }
                | Tap::SetAside { item_code, .. } => item_code == i,
                Tap::Answer { item_id, .. } | Tap::TakeChecklistPhoto { item_id, .. } => {
                    item_id == i
                }
                _ => true,
            })
            && step.rating.as_deref().is_none_or(|r| match &o.tap {
                Tap::Appeal { rating_id, .. } => rating_id == r,
                _ => true,
            })
            && step.line.as_deref().is_none_or(|l| match &o.tap {
                Tap::AppealPay { line_id, .. } => line_id == l,
                _ => true,
            })
            && match (&o.tap, reason, want_kind) {
                // By kind, a report names its reason's code.
                (Tap::ReportProblem { reason: r, .. }, Some(want), Some(_)) => r.as_str() == want,
                // A decline names its reason's code too.
                (Tap::DeclineOffer { reason: r, .. }, Some(want), Some(_)) => r.as_str() == want,
                _ => true,
            }
    });
    match found {
        Some(o) => Choice::Offered {
            tap: Box::new(fill(o.tap.clone(), step)),
            offer: Box::new(o.clone()),
        },
        None => Choice::NotOffered(
            want_kind
                .and_then(|k| unoffered(k, task.unwrap_or_default()))
                .map(|t| Box::new(fill(t, step))),
        ),
    }
}

/// The tap of a kind the screen does not offer, as a shell with a stale screen would send it.
fn unoffered(kind: &str, task: &str) -> Option<Tap> {
    let task_id = task.to_owned();
    Some(match kind {
        "show_tasks" => Tap::ShowTasks,
        "back" => Tap::Back,
        "sync_now" => Tap::SyncNow,
        "start_shift" => Tap::StartShift,
        "start_break" => Tap::StartBreak,
        "end_break" => Tap::EndBreak,
        "end_shift" => Tap::EndShift,
        "show_ratings" => Tap::ShowRatings,
        "show_kpis" => Tap::ShowKpis,
        "open_nearby_handovers" => Tap::OpenNearbyHandovers,
        "refresh_nearby_handovers" => Tap::RefreshNearbyHandovers,
        _ if task.is_empty() => return None,
        "show_task" => Tap::ShowTask { task_id },
        "show_scan" => Tap::ShowScan { task_id },
        "show_problem" => Tap::ShowProblem { task_id },
        "accept" => Tap::Accept { task_id },
        "arrive_manually" => Tap::ArriveManually {
            task_id,
            reason: String::new(),
        },
        "pick_up" => Tap::PickUp { task_id },
        "deliver" => Tap::Deliver { task_id },
        "return" => Tap::Return { task_id },
        "proof_photo" => Tap::TakeProofPhoto { task_id },
        "signature" => Tap::TakeSignature { task_id },
        "handoff_code" => Tap::EnterHandoffCode {
            task_id,
            code: String::new(),
        },
        "camera" => Tap::StartCamera { task_id },
        "take_handover" => Tap::TakeHandover { task_id },
        "scan" => Tap::Scan {
            task_id,
            code: String::new(),
            symbology: runsheet_ffi::ScanSymbology::Unknown,
        },
        _ => return None,
    })
}

/// The tap with the inputs the step gives (reason, code, note, minutes, stars, ...).
fn fill(tap: Tap, step: &StepSpec) -> Tap {
    let reason = step.reason.as_ref().map(|r| r.get_ref().clone());
    match tap {
        Tap::ArriveManually { task_id, .. } => Tap::ArriveManually {
            task_id,
            reason: reason.unwrap_or_default(),
        },
        Tap::ConfirmItemByHand {
            task_id, item_code, ..
        } => Tap::ConfirmItemByHand {
            task_id,
            item_code,
            reason: reason.unwrap_or_default(),
        },
        Tap::Appeal { rating_id, .. } => Tap::Appeal {
            rating_id,
            reason: reason.unwrap_or_default(),
        },
        Tap::AppealPay { line_id, .. } => Tap::AppealPay {
            line_id,
            reason: reason.unwrap_or_default(),
        },
        Tap::AnswerCase { case_id, .. } => Tap::AnswerCase {
            case_id,
            statement: step.note.clone().unwrap_or_default(),
        },
        Tap::DeclineOffer {
            offer_id, reason, ..
        } => Tap::DeclineOffer {
            offer_id,
            reason,
            note: step.note.clone().unwrap_or_default(),
        },
        Tap::ReportProblem {
            task_id, reason, ..
        } => Tap::ReportProblem {
            task_id,
            reason,
            note: step.note.clone().unwrap_or_default(),
            ready_in_min: step.ready_in_min,
        },
        Tap::RequestHandover {
            task_id, reason, ..
        } => Tap::RequestHandover {
            task_id,
            reason,
            note: step.note.clone().unwrap_or_default(),
        },
        Tap::ScanHandoverBag { task_id, .. } => Tap::ScanHandoverBag {
            task_id,
            code: step.code.clone().unwrap_or_default(),
            symbology: super::run::symbology(step.symbology.as_ref().map_or("", |s| s.get_ref())),
        },
        Tap::EnterHandoffCode { task_id, .. } => Tap::EnterHandoffCode {
            task_id,
            code: step.code.clone().unwrap_or_default(),
        },
        Tap::Scan { task_id, .. } => Tap::Scan {
            task_id,
            code: step.code.clone().unwrap_or_default(),
            symbology: super::run::symbology(step.symbology.as_ref().map_or("", |s| s.get_ref())),
        },
        Tap::RecordCall { task_id, .. } => Tap::RecordCall {
            task_id,
            answered: step.answered.unwrap_or(false),
        },
        Tap::RateStop {
            task_id, target, ..
        } => Tap::RateStop {
            task_id,
            target,
            stars: step.stars.unwrap_or(0),
            comment: step.note.clone().unwrap_or_default(),
        },
        Tap::CollectCash { task_id, .. } => Tap::CollectCash {
            task_id,
            collected: step.collected.clone().unwrap_or_default(),
            change: step.change.clone().unwrap_or_default(),
            reason: reason.unwrap_or_default(),
        },
        Tap::HandInCash { .. } => Tap::HandInCash {
            handed: step.handed.clone().unwrap_or_default(),
        },
        Tap::LockerDrop { task_id, .. } => Tap::LockerDrop {
            task_id,
            locker_code: step.code.clone().unwrap_or_default(),
            compartment: step.compartment.clone().unwrap_or_default(),
        },
        Tap::Answer {
            task_id,
            stage,
            item_id,
            value,
        } => Tap::Answer {
            task_id,
            stage,
            item_id,
            value: answer(value, step.value.as_ref()),
        },
        other => other,
    }
}

/// An answer of the offer's kind with the step's value.
fn answer(offered: AnswerValue, value: Option<&toml::Value>) -> AnswerValue {
    use toml::Value as V;
    match (offered, value) {
        (AnswerValue::Number(_), Some(V::Float(f))) => AnswerValue::Number(*f),
        (AnswerValue::Number(_), Some(V::Integer(i))) => AnswerValue::Number(*i as f64),
        (AnswerValue::Choice(_), Some(V::String(s))) => AnswerValue::Choice(s.clone()),
        (AnswerValue::Text(_), Some(V::String(s))) => AnswerValue::Text(s.clone()),
        (AnswerValue::Scan(_), Some(V::String(s))) => AnswerValue::Scan(s.clone()),
        // The document checked, by its stable name ("passport"); the outcome is the offer's.
        (AnswerValue::IdCheck(c), Some(V::String(s))) => {
            match runsheet_protocol::IdDocument::parse(s) {
                Some(document) => AnswerValue::IdCheck(runsheet_protocol::IdCheckResult {
                    document,
                    outcome: c.outcome,
                }),
                None => AnswerValue::IdCheck(c),
            }
        }
        (offered, _) => offered,
    }
}

/// The scenario name of a permission.
pub fn permission_name(p: Permission) -> &'static str {
    match p {
        Permission::Camera => "camera",
        Permission::Location => "location",
        Permission::BackgroundLocation => "background_location",
        Permission::Notifications => "notifications",
    }
}

/// The permission a scenario names (checked at load).
pub fn permission(name: &str) -> Permission {
    match name {
        "camera" => Permission::Camera,
        "location" => Permission::Location,
        "background_location" => Permission::BackgroundLocation,
        _ => Permission::Notifications,
    }
}

/// A short description of the screen for a report: the page's title and what it offers.
pub fn describe(screen: &Screen) -> String {
    let offers: Vec<String> = screen
        .offers()
        .into_iter()
        .map(|o| match task_of(&o.tap) {
            Some(t) => format!("{:?} ({t})", o.label),
            None => format!("{:?}", o.label),
        })
        .collect();
    format!(
        "the screen {:?} offers {}",
        screen.header.title,
        offers.join(", ")
    )
}

/// The primary action of a task where the courier sees it: its row on the task list, or the
/// open task page. `Err` says what the screen shows instead.
fn task_primary<'a>(
    screen: &'a Screen,
    task: &str,
) -> Result<(Option<&'a Offer>, &'a str), String> {
    match &screen.body {
        Body::Tasks { page } => page
            .rows
            .iter()
            .find(|r| r.task_id == task)
            .map(|r| (r.primary.as_ref(), r.status.as_str()))
            .ok_or_else(|| format!("no row of {task} on the task list")),
        Body::Task { page } if page.task_id == task => {
            Ok((page.primary.as_ref(), page.status.as_str()))
        }
        _ => Err(format!(
            "the page {:?}, neither the task list nor {task}'s page",
            screen.header.title
        )),
    }
}

type Mismatch = (String, String, String);

fn contains(what: String, found: &str, want: &str) -> Result<(), Mismatch> {
    let ok = if want.is_empty() {
        found.is_empty()
    } else {
        found.contains(want)
    };
    if ok {
        Ok(())
    } else {
        Err((
            what,
            if want.is_empty() {
                "nothing".into()
            } else {
                format!("text containing {want:?}")
            },
            format!("{found:?}"),
        ))
    }
}

/// Checks the screen expectations of `x` against `screen` and the effects the core asked for
/// since the previous `expect` step (`effects`, with their virtual time; `start` for offsets).
pub fn check(
    screen: &Screen,
    effects: &[(i64, Effect)],
    start: i64,
    x: &ExpectSpec,
) -> Result<(), Mismatch> {
    for (id, want) in &x.primary {
        let (offer, _) =
            task_primary(screen, id).map_err(|e| (format!("primary.{id}"), want.clone(), e))?;
        let found = offer.map_or("none", |o| o.label.as_str());
        if found != want {
            return Err((format!("primary.{id}"), want.clone(), found.into()));
        }
    }
    for (id, want) in &x.enabled {
        let (offer, _) =
            task_primary(screen, id).map_err(|e| (format!("enabled.{id}"), want.to_string(), e))?;
        let found = offer.map(|o| o.enabled);
        if found != Some(*want) {
            return Err((
                format!("enabled.{id}"),
                want.to_string(),
                found.map_or("no primary action".into(), |f| {
                    format!(
                        "{f} ({:?}{})",
                        offer.map(|o| o.label.as_str()).unwrap_or_default(),
                        offer
                            .filter(|o| !o.why.is_empty())
                            .map(|o| format!(": {}", o.why.join(" / ")))
                            .unwrap_or_default()
                    )
                }),
            ));
        }
    }
    for (id, want) in &x.why {
        let (offer, _) =
            task_primary(screen, id).map_err(|e| (format!("why.{id}"), want.clone(), e))?;
        let found = offer.map(|o| o.why.join(" / ")).unwrap_or_default();
        contains(format!("why.{id}"), &found, want)?;
    }
    for (id, want) in &x.status_text {
        let (_, found) =
            task_primary(screen, id).map_err(|e| (format!("status_text.{id}"), want.clone(), e))?;
        if found != want {
            return Err((format!("status_text.{id}"), want.clone(), found.into()));
        }
    }
    for (id, want) in &x.lateness {
        let Body::Tasks { page } = &screen.body else {
            return Err((
                format!("lateness.{id}"),
                want.clone(),
                format!("the page {:?}, not the task list", screen.header.title),
            ));
        };
        let found = page
            .rows
            .iter()
            .find(|r| &r.task_id == id)
            .map(|r| r.lateness_text.clone().unwrap_or_default())
            .ok_or_else(|| {
                (
                    format!("lateness.{id}"),
                    want.clone(),
                    "no such row".to_string(),
                )
            })?;
        contains(format!("lateness.{id}"), &found, want)?;
    }
    if let Some(want) = &x.title {
        if &screen.header.title != want {
            return Err(("title".into(), want.clone(), screen.header.title.clone()));
        }
    }
    if let Some(want) = &x.shift_bar {
        if &screen.shift_bar.state != want {
            return Err((
                "shift_bar".into(),
                want.clone(),
                screen.shift_bar.state.clone(),
            ));
        }
    }
    if let Some(want) = &x.box_load {
        contains(
            "box_load".into(),
            screen.shift_bar.box_load.as_deref().unwrap_or_default(),
            want,
        )?;
    }
    if let Some(want) = &x.shift_button {
        let found = screen
            .shift_bar
            .primary
            .as_ref()
            .map_or("none", |o| o.label.as_str());
        if found != want {
            return Err(("shift_button".into(), want.clone(), found.into()));
        }
    }
    if let Some(want) = x.banner_visible {
        if screen.sync_banner.visible != want {
            return Err((
                "banner_visible".into(),
                want.to_string(),
                format!(
                    "{} ({:?})",
                    screen.sync_banner.visible, screen.sync_banner.text
                ),
            ));
        }
    }
    if let Some(want) = &x.banner {
        if !screen.sync_banner.visible {
            return Err((
                "banner".into(),
                format!("a banner containing {want:?}"),
                "no banner shown".into(),
            ));
        }
        contains("banner".into(), &screen.sync_banner.text, want)?;
    }
    if let (Body::Handover { page }, None) = (&screen.body, &x.camera_text) {
        // The receiving courier's bag scans: the same verdict and progress as a handoff's.
        if let Some(want) = &x.verdict {
            let found = page
                .last_verdict
                .as_ref()
                .map(|v| v.text.clone())
                .unwrap_or_default();
            contains("verdict".into(), &found, want)?;
        }
        if let Some(want) = &x.progress {
            contains(
                "progress".into(),
                page.progress.as_deref().unwrap_or_default(),
                want,
            )?;
        }
    } else if x.verdict.is_some() || x.progress.is_some() || x.camera_text.is_some() {
        let Body::Scan { page } = &screen.body else {
            return Err((
                "verdict".into(),
                "the scan page".into(),
                format!("the page {:?}", screen.header.title),
            ));
        };
        if let Some(want) = &x.verdict {
            let found = page
                .last_verdict
                .as_ref()
                .map(|v| v.text.clone())
                .unwrap_or_default();
            contains("verdict".into(), &found, want)?;
        }
        if let Some(want) = &x.progress {
            contains("progress".into(), &page.progress, want)?;
        }
        if let Some(want) = &x.camera_text {
            contains(
                "camera_text".into(),
                page.camera_text.as_deref().unwrap_or_default(),
                want,
            )?;
        }
    }
    if let Some(want) = &x.notice {
        let found = screen
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default();
        contains("notice".into(), &found, want)?;
    }
    if let Some(want) = &x.notified {
        let shown: Vec<String> = effects
            .iter()
            .filter_map(|(at, e)| match e {
                Effect::Notify { title, body, .. } => Some(format!(
                    "{} {title}: {body}",
                    super::run::offset(*at - start)
                )),
                _ => None,
            })
            .collect();
        let missing = want
            .iter()
            .find(|w| !shown.iter().any(|s| s.contains(w.as_str())));
        if missing.is_some() || (want.is_empty() && !shown.is_empty()) {
            return Err(("notified".into(), format!("{want:?}"), format!("{shown:?}")));
        }
    }
    if let Some(want) = &x.asked {
        let found: Vec<String> = effects
            .iter()
            .filter_map(|(_, e)| match e {
                Effect::RequestPermission { permission, .. } => {
                    Some(permission_name(*permission).to_owned())
                }
                _ => None,
            })
            .collect();
        if &found != want {
            return Err(("asked".into(), format!("{want:?}"), format!("{found:?}")));
        }
    }
    if let Some(want) = &x.reasons {
        let Body::Problem { page } = &screen.body else {
            return Err((
                "reasons".into(),
                format!("{want:?}"),
                format!("the page {:?}, not the problem sheet", screen.header.title),
            ));
        };
        let found: Vec<String> = page.reasons.iter().map(|r| r.label.clone()).collect();
        if &found != want {
            return Err(("reasons".into(), format!("{want:?}"), format!("{found:?}")));
        }
    }
    if !x.kpi_verdicts.is_empty() {
        let Body::Kpis { page } = &screen.body else {
            return Err((
                "kpi_verdicts".into(),
                "the KPI page".into(),
                format!("the page {:?}", screen.header.title),
            ));
        };
        for (name, want) in &x.kpi_verdicts {
            let found = page
                .figures
                .iter()
                .find(|f| &f.name == name)
                .map(|f| f.verdict.clone())
                .unwrap_or_else(|| {
                    let names: Vec<&str> = page.figures.iter().map(|f| f.name.as_str()).collect();
                    format!("no figure of that name (figures: {names:?})")
                });
            if &found != want {
                return Err((format!("kpi_verdicts.{name}"), want.clone(), found));
            }
        }
    }
    if !x.earnings_shows.is_empty() {
        let Body::Earnings { page } = &screen.body else {
            return Err((
                "earnings_shows".into(),
                "the earnings page".into(),
                screen.header.title.clone(),
            ));
        };
        let mut texts = vec![
            page.period.clone(),
            page.total.clone(),
            page.confirmed.clone(),
        ];
        texts.extend(page.expected.clone());
        texts.extend(page.empty_text.clone());
        for l in &page.lines {
            texts.push(format!("{} {} {}", l.title, l.amount, l.state_text));
            texts.extend(l.appeal.clone());
            texts.extend(l.detail.clone());
        }
        for i in &page.incentives {
            texts.extend([i.title.clone(), i.progress.clone(), i.verdict.clone()]);
        }
        for want in &x.earnings_shows {
            if !texts.iter().any(|t| t.contains(want.as_str())) {
                return Err(("earnings_shows".into(), want.clone(), texts.join(" | ")));
            }
        }
    }
    let labels: Vec<&str> = screen.offers().iter().map(|o| o.label.as_str()).collect();
    for want in &x.offered {
        if !labels.contains(&want.as_str()) {
            return Err((
                format!("offered.{want}"),
                "on the screen".into(),
                describe(screen),
            ));
        }
    }
    for want in &x.not_offered {
        if labels.contains(&want.as_str()) {
            return Err((
                format!("not_offered.{want}"),
                "not on the screen".into(),
                describe(screen),
            ));
        }
    }
    Ok(())
}
