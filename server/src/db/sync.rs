//! Sync protocol v1 in the store: a push applies each mutation at most once, in order; a pull
//! reads a page of the courier's changes with what else is new for the phone.

use std::sync::OnceLock;

use runsheet_protocol::{
    Action, CaseActor, CaseKind, Change, ExceptionReason, Mutation, MutationOutcome,
    MutationResult, PullResponse, PushResponse, RejectCode,
};

use super::after_sales::{self, Opening};
use super::messages::{self, SentMessage};
use super::mutations::{self, RefusedMutation};
use super::sql::rows_from_json;
use super::{
    cash, checklists, clients, couriers, device_time, earnings, handoff_codes, handovers, lockers,
    offers, pin_corrections, ratings, recalls, settings, tasks, training, vehicles,
};
use super::{Refusal, Row, StoreError, Tx};
use crate::clock::Clock;

/// One mutation of a push as the edge read it: a valid [`Mutation`], or one that can never
/// apply and is recorded `rejected` as received.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    /// A valid mutation (its texts and numbers checked).
    Valid(Mutation),
    /// A mutation that is not valid, with why.
    Invalid(RefusedMutation),
}

impl Pushed {
    /// The mutation's id.
    pub fn mutation_id(&self) -> i64 {
        match self {
            Pushed::Valid(m) => m.mutation_id,
            Pushed::Invalid(r) => r.mutation_id,
        }
    }
}

/// Applies a push from `courier`'s install `client_id` (validated by the caller: consecutive
/// ids from 1), sent at `sent_at` by the device's clock. A mutation that fails for a reason of its own (not valid, or its data refused
/// by the store) is rejected, recorded, and the rest of the batch goes on; only a failure of
/// the engine fails the push.
pub fn push(
    tx: &mut Tx<'_>,
    clock: &Clock,
    courier: &str,
    client_id: &str,
    items: &[Pushed],
    sent_at: Option<i64>,
) -> Result<PushResponse, StoreError> {
    let received = clock.now();
    let mut last = clients::lock_for_push(tx, client_id, courier, received)?;
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let mutation_id = item.mutation_id();
        if mutation_id <= last {
            if let Pushed::Valid(m) = item {
                if !mutations::same_content(tx, client_id, m)? {
                    // Another install under this client id (a restored backup, a copied
                    // database): refuse the whole push so the phone keeps everything and
                    // re-keys.
                    tracing::warn!(mutation_id, "mutation id reused with other content");
                    return Err(Refusal::MutationIdReused { mutation_id }.into());
                }
            }
            results.push(MutationResult {
                mutation_id,
                outcome: MutationOutcome::Duplicate,
            });
            continue;
        }
        let expected = last.saturating_add(1);
        if mutation_id != expected {
            return Err(Refusal::MutationGap {
                arrived: mutation_id,
                expected,
            }
            .into());
        }
        let outcome = match item {
            Pushed::Valid(m) => apply_one(tx, clock, courier, client_id, m, sent_at, received)?,
            Pushed::Invalid(bad) => {
                mutations::record_refused(tx, courier, client_id, bad, received)?;
                tracing::info!(mutation_id, "invalid mutation rejected");
                reject(RejectCode::Invalid, bad.reason.clone())
            }
        };
        last = mutation_id;
        results.push(MutationResult {
            mutation_id,
            outcome,
        });
    }
    clients::set_last_applied(tx, client_id, last)?;
    let applied = results
        .iter()
        .filter(|r| r.outcome == MutationOutcome::Applied)
        .count();
    tracing::info!(mutations = items.len(), applied, last, "push processed");
    Ok(PushResponse {
        results,
        last_mutation_id: last,
        wal_lsn: None,
        pulled: None,
    })
}

/// Applies and records one valid mutation under a savepoint. When the store refuses it for a
/// reason of its own data, what it wrote is undone and it is recorded `rejected` instead.
fn apply_one(
    tx: &mut Tx<'_>,
    clock: &Clock,
    courier: &str,
    client_id: &str,
    m: &Mutation,
    sent_at: Option<i64>,
    received: i64,
) -> Result<MutationOutcome, StoreError> {
    let attempt = tx.attempt(|tx| {
        let outcome = apply_action(tx, clock, courier, client_id, m)?;
        if let MutationOutcome::Rejected { code, reason } = &outcome {
            flag_for_after_sales(tx, courier, client_id, m, *code, reason, received)?;
        }
        let offset = device_time::offset(m, sent_at, received);
        let bounded = device_time::bound(tx, courier, m, offset, received)?;
        mutations::record(tx, courier, client_id, m, &outcome, received, bounded)?;
        // A delivery is paid once it is applied: its pay lines use the recorded bounded times.
        if let (Action::Delivered { task_id, .. }, MutationOutcome::Applied) = (&m.action, &outcome)
        {
            earnings::on_delivered(tx, courier, task_id)?;
        }
        Ok(outcome)
    });
    match attempt {
        Ok(outcome) => Ok(outcome),
        Err(e) if e.is_about_the_data() => {
            tracing::warn!(
                mutation_id = m.mutation_id,
                engine_code = e.engine_code().as_deref().unwrap_or("-"),
                "the store refused a mutation's data; rejected"
            );
            let reason = match &e {
                StoreError::Refused(r) => r.to_string(),
                _ => "the server cannot store this mutation's data".to_owned(),
            };
            let refused = RefusedMutation {
                mutation_id: m.mutation_id,
                device_time: m.device_time,
                // Shortened: an over-long id may be what the store refused (an index entry).
                task_id: m.action.task_id().chars().take(128).collect(),
                action: serde_json::to_string(&m.action.redacted())
                    .map_err(StoreError::document)?,
                reason: reason.clone(),
            };
            mutations::record_refused(tx, courier, client_id, &refused, received)?;
            Ok(reject(RejectCode::Invalid, reason))
        }
        Err(e) => Err(e),
    }
}

/// A physical fact the server could not apply (the task was cancelled, or reassigned away from
/// this courier, while the phone was offline) is never discarded: besides the mutation record, it
/// opens an after-sales case (a `conflict`) for a person to settle. Facts about tasks the courier
/// never held open none (they are mistakes or abuse, and are only recorded; a handoff code locked
/// by wrong codes opens its case where it is checked), and neither does a
/// statement on a case (it is no fact about the goods).
fn flag_for_after_sales(
    tx: &mut Tx<'_>,
    courier: &str,
    client_id: &str,
    m: &Mutation,
    code: RejectCode,
    reason: &str,
    now: i64,
) -> Result<(), StoreError> {
    let task_id = m.action.task_id();
    // A statement on a case, an appeal of a pay line or a request to hand a task over are no
    // facts about the goods; an offer's answer is about tasks not yet the courier's (a late
    // acceptance is told to the courier, and counted).
    if matches!(
        m.action,
        Action::AnswerCase { .. }
            | Action::AppealPay { .. }
            | Action::RequestHandover { .. }
            | Action::AcceptOffer { .. }
            | Action::DeclineOffer { .. }
    ) {
        return Ok(());
    }
    // A wrong handoff code is no fact to settle, unless the phone claimed it matched.
    if let Action::HandoffCode { verified, .. } = &m.action {
        if !*verified || code != RejectCode::InvalidState {
            return Ok(());
        }
        let line = format!("{}: {reason} (the phone said it matched)", m.action.name());
        after_sales::open(
            tx,
            &Opening {
                task_id,
                courier_id: Some(courier),
                source: Some((client_id, m.mutation_id)),
                kind: CaseKind::HandoffCodeFailed,
                cause: "handoff_code_disputed",
                summary: &line,
                actor: CaseActor::System,
                recall_id: None,
            },
            now,
        )?;
        return Ok(());
    }
    let cause = match code {
        RejectCode::InvalidState => "fact_on_closed_task",
        RejectCode::NotYourTask => {
            if !tasks::ever_held(tx, courier, task_id)? {
                return Ok(());
            }
            "fact_on_reassigned_task"
        }
        RejectCode::UnknownTask
        | RejectCode::Invalid
        | RejectCode::OfferExpired
        | RejectCode::OfferWithdrawn
        | RejectCode::ModuleReplaced => return Ok(()),
    };
    // Several facts on the same closed task (the whole walk done offline) are one case.
    let line = format!("{}: {reason}", m.action.name());
    if after_sales::append(tx, task_id, courier, cause, &line, now)? {
        return Ok(());
    }
    after_sales::open(
        tx,
        &Opening {
            task_id,
            courier_id: Some(courier),
            source: Some((client_id, m.mutation_id)),
            kind: CaseKind::Conflict,
            cause,
            summary: &line,
            actor: CaseActor::System,
            recall_id: None,
        },
        now,
    )?;
    tracing::info!(
        mutation_id = m.mutation_id,
        cause,
        "after-sales case opened"
    );
    Ok(())
}

/// Opens the courier's case about a task (a cold-chain breach reported twice, by the
/// checklist's answer and by the exception report that follows it, is one case).
fn open_courier_case(
    tx: &mut Tx<'_>,
    courier: &str,
    client_id: &str,
    m: &Mutation,
    (kind, cause): (CaseKind, &str),
    detail: &str,
    now: i64,
) -> Result<(), StoreError> {
    let task_id = m.action.task_id();
    if kind == CaseKind::ColdChainBreach
        && after_sales::append(tx, task_id, courier, cause, detail, now)?
    {
        return Ok(());
    }
    after_sales::open(
        tx,
        &Opening {
            task_id,
            courier_id: Some(courier),
            source: Some((client_id, m.mutation_id)),
            kind,
            cause,
            summary: detail,
            actor: CaseActor::System,
            recall_id: None,
        },
        now,
    )?;
    Ok(())
}

fn reject(code: RejectCode, reason: impl Into<String>) -> MutationOutcome {
    MutationOutcome::Rejected {
        code,
        reason: reason.into(),
    }
}

fn apply_action(
    tx: &mut Tx<'_>,
    clock: &Clock,
    courier: &str,
    client_id: &str,
    m: &Mutation,
) -> Result<MutationOutcome, StoreError> {
    let action = &m.action;
    if action.offer().is_some() {
        return offers::answer(tx, courier, m, clock.now());
    }
    if let Action::AppealPay { line_id, reason } = action {
        let window = settings::load(tx)?
            .unwrap_or_default()
            .kpi_targets
            .appeal_window_h;
        return Ok(
            match earnings::appeal(tx, courier, line_id, reason, window, clock.now())? {
                Some(reason) => reject(RejectCode::InvalidState, reason),
                None => MutationOutcome::Applied,
            },
        );
    }
    let Some(task_id) = action.task() else {
        if let Action::Shift { event } = action {
            couriers::record_shift(tx, courier, *event, clock.now())?;
            tracing::info!(event = event.as_str(), "shift event");
        }
        if let Action::TakeQuiz {
            module_id,
            module_version,
            answers,
        } = action
        {
            let quiz = (module_id.as_str(), *module_version, answers.as_slice());
            let source = (client_id, m.mutation_id);
            if let Some((code, reason)) = training::attempt(tx, courier, source, quiz, clock.now())?
            {
                return Ok(reject(code, reason));
            }
        }
        if let Action::HandInCash { held, handed } = action {
            if held.currency != handed.currency {
                return Ok(reject(
                    RejectCode::Invalid,
                    "the amounts held and handed in are in different currencies",
                ));
            }
            cash::hand_in(
                tx,
                &cash::HandedIn {
                    courier_id: courier,
                    source: (client_id, m.mutation_id),
                    held_on_phone: held,
                    handed,
                },
                clock.now(),
            )?;
        }
        return Ok(MutationOutcome::Applied);
    };
    if let Action::AnswerCase {
        case_id,
        statement,
        evidence,
        ..
    } = action
    {
        // The case's courier answers, even when the task has moved to another since.
        return Ok(
            match after_sales::answer(
                tx,
                courier,
                *case_id,
                task_id,
                statement,
                evidence,
                clock.now(),
            )? {
                Some((code, reason)) => reject(code, reason),
                None => MutationOutcome::Applied,
            },
        );
    }
    if let Action::ReceiveHandover {
        seq,
        bags,
        scanned_at,
        ..
    } = action
    {
        // The receiving courier is not the task's holder until this scan is applied.
        let t = clock.now();
        // The phone's clock corrected by the offset it recorded with the action.
        let scanned_at = scanned_at.saturating_add(
            m.context
                .as_ref()
                .and_then(|c| c.clock_offset_s)
                .unwrap_or(0),
        );
        return Ok(
            match handovers::receive(tx, courier, task_id, *seq, bags, scanned_at, t)? {
                Ok(()) => MutationOutcome::Applied,
                Err(handovers::ReceiveRefusal::NotYours(r)) => reject(RejectCode::NotYourTask, r),
                Err(handovers::ReceiveRefusal::NotOpen(r)) => reject(RejectCode::InvalidState, r),
                Err(handovers::ReceiveRefusal::WrongBags(r)) => reject(RejectCode::Invalid, r),
            },
        );
    }
    let Some((doc, owner)) = tasks::load(tx, task_id)? else {
        return Ok(reject(RejectCode::UnknownTask, "no such task"));
    };
    if owner.as_deref() != Some(courier) {
        return Ok(reject(
            RejectCode::NotYourTask,
            "the task is not assigned to this courier",
        ));
    }
    if matches!(action, Action::RateStop { .. } | Action::Appeal { .. }) {
        let window = settings::load(tx)?
            .unwrap_or_default()
            .kpi_targets
            .appeal_window_h;
        return Ok(
            match ratings::apply(tx, courier, action, window, clock.now())? {
                Some(reason) => reject(RejectCode::InvalidState, reason),
                None => MutationOutcome::Applied,
            },
        );
    }
    if let Action::SetAside {
        item_code,
        recall_id,
        ..
    } = action
    {
        // Recorded as the task's event (the mutation record); the goods stay with the courier.
        if doc.status.is_final() {
            return Ok(reject(
                RejectCode::InvalidState,
                format!("the task is {} on the server", doc.status.as_str()),
            ));
        }
        if recalls::doc(tx, *recall_id)?.is_none() {
            return Ok(reject(RejectCode::Invalid, "no such recall"));
        }
        if !doc
            .items
            .iter()
            .chain(doc.take_back.iter())
            .any(|i| &i.code == item_code)
        {
            return Ok(reject(RejectCode::Invalid, "no such item on the task"));
        }
        tracing::info!(recall_id, "recalled item set aside");
        return Ok(MutationOutcome::Applied);
    }
    let Some(next) = doc.status.after(action, doc.pickup.is_some()) else {
        return Ok(reject(
            RejectCode::InvalidState,
            format!(
                "the task is {} on the server; {} is not allowed",
                doc.status.as_str(),
                action.name()
            ),
        ));
    };
    let t = clock.now();
    let mut changed = next != doc.status;
    match action {
        Action::Fail {
            reason,
            note,
            photos,
            ..
        }
        | Action::ReportException {
            reason,
            note,
            photos,
            ..
        } => {
            let mut detail = format!("{}: {}", action.name(), reason.as_str());
            if let Some(n) = note {
                detail.push_str(&format!(" - {n}"));
            }
            if !photos.is_empty() {
                detail.push_str(&format!(" ({} photos)", photos.len()));
            }
            let (kind, cause) = if *reason == ExceptionReason::ChecklistBreach {
                (
                    CaseKind::ColdChainBreach,
                    "exception:checklist_breach".to_owned(),
                )
            } else {
                (
                    CaseKind::DeliveryException,
                    format!("exception:{}", reason.as_str()),
                )
            };
            open_courier_case(tx, courier, client_id, m, (kind, &cause), &detail, t)?;
            tracing::info!(
                mutation_id = m.mutation_id,
                reason = reason.as_str(),
                "exception reported"
            );
            if let Action::ReportException {
                ready_at: Some(ready),
                ..
            } = action
            {
                if let Some(mut p) = doc.pickup.clone() {
                    p.ready_at = Some(*ready);
                    tasks::set_pickup(tx, &doc.id, &p)?;
                    changed = true;
                }
            }
        }
        // A refused age or ID check is no breach: the delivery's failure that follows it
        // opens its case.
        Action::Answer {
            item_id,
            value,
            out_of_range: true,
            ..
        } if !matches!(value, runsheet_protocol::AnswerValue::IdCheck(_)) => {
            let detail = format!("{}: {item_id} = {}", action.name(), value.as_text());
            open_courier_case(
                tx,
                courier,
                client_id,
                m,
                (CaseKind::ColdChainBreach, "exception:checklist_breach"),
                &detail,
                t,
            )?;
        }
        Action::CorrectPin { lat, lon, .. } => {
            if !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon) {
                return Ok(reject(
                    RejectCode::InvalidState,
                    "the corrected pin is out of range",
                ));
            }
            let mut d = doc.dropoff.clone();
            d.lat = *lat;
            d.lon = *lon;
            d.pin_corrected = true;
            tasks::set_dropoff(tx, &doc.id, &d)?;
            pin_corrections::record(tx, &doc, courier, *lat, *lon, t)?;
            changed = true;
        }
        Action::HandoffCode { code, .. } => {
            let code = code.as_ref().map(|c| c.0.as_str());
            let refused = match handoff_codes::check(tx, &doc.id, code, t)? {
                handoff_codes::Verdict::Matched => None,
                handoff_codes::Verdict::Wrong => Some("the handoff code does not match"),
                handoff_codes::Verdict::Locked => {
                    Some("the handoff code is locked after too many wrong codes")
                }
                handoff_codes::Verdict::LockedNow => {
                    // The handoff failed: the customer's code could not be confirmed.
                    let detail = format!(
                        "{}: {} wrong handoff codes, the code is locked",
                        action.name(),
                        handoff_codes::MAX_WRONG
                    );
                    open_courier_case(
                        tx,
                        courier,
                        client_id,
                        m,
                        (CaseKind::HandoffCodeFailed, "handoff_code_locked"),
                        &detail,
                        t,
                    )?;
                    Some("the handoff code does not match, and is now locked after too many wrong codes")
                }
                handoff_codes::Verdict::NoCode => {
                    Some("the check carries no code, so the server cannot confirm it")
                }
                handoff_codes::Verdict::NoRecord => Some("the task has no handoff code"),
            };
            if let Some(reason) = refused {
                tracing::info!(mutation_id = m.mutation_id, "handoff code check rejected");
                return Ok(reject(RejectCode::InvalidState, reason));
            }
        }
        Action::RequestHandover { reason, note, .. } => {
            return Ok(
                match handovers::request(tx, doc, courier, *reason, note.as_deref(), t)? {
                    Ok(()) => MutationOutcome::Applied,
                    Err(r) => reject(RejectCode::InvalidState, r),
                },
            );
        }
        Action::CollectCash {
            collected,
            change,
            reason,
            ..
        } => {
            let Some(due) = &doc.cash_due else {
                return Ok(reject(
                    RejectCode::Invalid,
                    "the task is not cash on delivery",
                ));
            };
            if let Err(problem) = runsheet_protocol::check_collection(due, collected, change) {
                return Ok(reject(RejectCode::Invalid, problem.to_string()));
            }
            let collection = runsheet_protocol::CashCollection {
                due: due.clone(),
                collected: collected.clone(),
                change: change.clone(),
                reason: reason.clone(),
            };
            cash::record(
                tx,
                &cash::Collected {
                    courier_id: courier,
                    source: (client_id, m.mutation_id),
                    task_id: &doc.id,
                    collection: &collection,
                },
                t,
            )?;
        }
        Action::LockerDrop {
            locker_code,
            compartment,
            ..
        } => {
            if let Some(refused) = lockers::refusal(doc.locker.as_ref(), locker_code) {
                // The goods are in some locker: a person finds out which.
                let detail = format!("{}: {refused}", action.name());
                open_courier_case(
                    tx,
                    courier,
                    client_id,
                    m,
                    (CaseKind::DeliveryException, "locker_mismatch"),
                    &detail,
                    t,
                )?;
                return Ok(reject(RejectCode::Invalid, refused));
            }
            if let Some(locker) = &doc.locker {
                lockers::record(tx, &doc.id, courier, locker, compartment, t)?;
            }
        }
        Action::SendMessage { template, text, .. } => {
            // The reference server "sends" by recording: a platform forwards the text to the
            // customer through its masked SMS or in-app channel here.
            messages::record(
                tx,
                &SentMessage {
                    task_id: doc.id.clone(),
                    courier_id: courier.to_owned(),
                    template: template.as_str().to_owned(),
                    body: text.clone(),
                    sent_at: t,
                },
            )?;
        }
        _ => {}
    }
    if changed {
        if next.is_final() {
            // The first courier finished the task: a handover not yet received is void.
            handovers::void_open(tx, &doc.id, t)?;
        }
        tasks::set_status(tx, &doc.id, next, t)?;
        tasks::record_change(tx, courier, &doc.id, "upsert")?;
    }
    Ok(MutationOutcome::Applied)
}

/// Where a phone's pull starts: its install, its change cursor, and the newest settings,
/// checklist publication and rating it holds.
#[derive(Debug, Clone)]
pub struct PullPosition {
    /// The install asking.
    pub client_id: String,
    /// The cursor from the previous pull (0 for the first).
    pub cursor: i64,
    /// Most changes in the page.
    pub limit: usize,
    /// Version of the settings the phone has (0: none).
    pub settings_version: i64,
    /// The highest checklist publication sequence the phone holds.
    pub checklists_after: i64,
    /// The highest rating sequence the phone holds.
    pub ratings_after: i64,
    /// The highest case sequence the phone holds.
    pub cases_after: i64,
    /// The highest recall sequence the phone holds.
    pub recalls_after: i64,
    /// The highest offer sequence the phone holds.
    pub offers_after: i64,
    /// Version of the courier's vehicle the phone holds (0: none).
    pub vehicle_version: i64,
    /// The highest earnings sequence the phone holds.
    pub earnings_after: i64,
    /// The highest training module publication the phone holds.
    pub training_after: i64,
    /// The highest qualification sequence the phone holds.
    pub qualifications_after: i64,
}

/// A page of the courier's changes after the position, with newer settings, checklists,
/// ratings, cases about the courier's deliveries and recalls; refused when the install is another courier's.
pub fn pull(
    tx: &mut Tx<'_>,
    clock: &Clock,
    courier: &str,
    at: &PullPosition,
) -> Result<PullResponse, StoreError> {
    if tx.is_postgres() {
        return pull_in_one(tx, clock, courier, at, None)?
            .ok_or_else(|| StoreError::Query("the pull statement returned no row".into()));
    }
    let last_mutation_id = clients::last_applied(tx, &at.client_id, courier)?;
    if at.cursor > tasks::last_change_seq(tx)? {
        // The phone has seen changes this server no longer has: it restored an older state.
        return Err(Refusal::ServerBehind {
            expected: last_mutation_id + 1,
        }
        .into());
    }
    let rows = tasks::changes_after(tx, courier, at.cursor, at.limit + 1)?;
    let has_more = rows.len() > at.limit;
    let mut changes = Vec::new();
    let mut next = at.cursor;
    for (seq, task_id, op) in rows.into_iter().take(at.limit) {
        next = seq;
        if op == "remove" {
            changes.push(Change::RemoveTask { task_id });
            continue;
        }
        if let Some((mut doc, owner)) = tasks::load(tx, &task_id)? {
            // Reassigned since: a later 'remove' change for this courier follows.
            if handovers::visible_to(&mut doc, owner.as_deref(), courier) {
                changes.push(Change::UpsertTask {
                    task: Box::new(doc),
                });
            }
        }
    }
    let server_time = clock.now();
    Ok(PullResponse {
        changes,
        cursor: next,
        has_more,
        last_mutation_id,
        server_time,
        settings: settings::load(tx)?.filter(|s| s.version > at.settings_version),
        checklists: checklists::after(tx, at.checklists_after)?,
        ratings: ratings::after(tx, courier, at.ratings_after)?,
        cases: after_sales::after(tx, courier, at.cases_after)?,
        recalls: recalls::after(tx, at.recalls_after)?,
        offers: offers::after(tx, courier, at.offers_after)?,
        vehicle: vehicles::newer(tx, courier, at.vehicle_version)?,
        earnings: earnings::after(tx, courier, at.earnings_after)?,
        training: training::after(tx, at.training_after)?,
        qualifications: training::qualifications_after(tx, courier, at.qualifications_after)?,
    })
}

/// [`pull`] on a read-only standby, in its one statement: `None` (no page) unless the standby
/// has replayed the primary's WAL to `min_lsn` (the phone's last push committed there) and
/// holds the courier's changes up to the phone's cursor (its previous page, wherever it was
/// read); then the page is the one the primary would give or an earlier one.
pub fn pull_on_standby(
    tx: &mut Tx<'_>,
    clock: &Clock,
    courier: &str,
    at: &PullPosition,
    min_lsn: &str,
) -> Result<Option<PullResponse>, StoreError> {
    pull_in_one(tx, clock, courier, at, Some(min_lsn))
}

/// The columns of the pull's one row on PostgreSQL: the install's owner and last applied id,
/// the newest change number, the page of changes with their tasks, the settings, the newer
/// checklists, ratings, cases and recalls, the courier's offers, vehicle (when newer), pay
/// lines, the newer training modules and qualifications (the lists as JSON). Parameters `?1`
/// to `?14` as [`pull_in_one`] binds them.
fn pull_columns() -> String {
    format!(
        "(SELECT courier_id FROM clients WHERE client_id = ?1),
       (SELECT last_mutation_id FROM clients WHERE client_id = ?1),
       (SELECT COALESCE(MAX(seq), 0) FROM changes),
       (SELECT COALESCE(json_agg(json_build_array(c.seq, c.task_id, c.op, t.kind, t.status,
                                                  t.pickup, t.dropoff, t.revision,
                                                  t.courier_id, t.details)
                                 ORDER BY c.seq), '[]')::TEXT
          FROM (SELECT seq, task_id, op FROM changes WHERE courier_id = ?2 AND seq > ?3
                ORDER BY seq LIMIT ?4) c
          LEFT JOIN tasks t ON t.id = c.task_id AND c.op = 'upsert'),
       (SELECT json_build_array(json_build_array(version, body))::TEXT
          FROM settings WHERE id = 1 AND version > ?5),
       (SELECT COALESCE(json_agg(json_build_array(body) ORDER BY seq), '[]')::TEXT
          FROM checklist_templates WHERE seq > ?6),
       (SELECT COALESCE(json_agg(json_build_array({}) ORDER BY seq), '[]')::TEXT
          FROM ratings WHERE courier_id = ?2 AND seq > ?7),
       (SELECT COALESCE(json_agg(json_build_array({}) ORDER BY seq), '[]')::TEXT
          FROM cases WHERE courier_id = ?2 AND seq > ?8),
       (SELECT COALESCE(json_agg(json_build_array({}) ORDER BY seq), '[]')::TEXT
          FROM recalls WHERE seq > ?9),
       (SELECT COALESCE(json_agg(json_build_array({}) ORDER BY seq), '[]')::TEXT
          FROM offers WHERE courier_id = ?2 AND seq > ?10),
       (SELECT json_build_array(json_build_array(version, body))::TEXT
          FROM vehicles WHERE courier_id = ?2 AND version > ?11),
       (SELECT COALESCE(json_agg(json_build_array({}) ORDER BY seq), '[]')::TEXT
          FROM earning_lines WHERE courier_id = ?2 AND seq > ?12),
       (SELECT COALESCE(json_agg(json_build_array(body) ORDER BY seq), '[]')::TEXT
          FROM training_modules WHERE seq > ?13),
       (SELECT COALESCE(json_agg(json_build_array({}) ORDER BY seq), '[]')::TEXT
          FROM qualifications WHERE courier_id = ?2 AND seq > ?14)",
        ratings::COLUMNS,
        after_sales::COLUMNS,
        recalls::COLUMNS,
        offers::COLUMNS,
        earnings::COLUMNS,
        training::QUALIFICATION_COLUMNS,
    )
}

/// The pull's one statement on PostgreSQL ([`pull_columns`]): one snapshot, one round trip.
/// On a standby (`guarded`), no row unless it has replayed to `?15` and holds the courier's
/// changes to the cursor.
fn pull_statement(guarded: bool) -> &'static str {
    static PLAIN: OnceLock<String> = OnceLock::new();
    static GUARDED: OnceLock<String> = OnceLock::new();
    if guarded {
        GUARDED.get_or_init(|| {
            format!(
                "SELECT {}
 WHERE pg_last_wal_replay_lsn() >= CAST(?15 AS TEXT)::pg_lsn
   AND (SELECT COALESCE(MAX(seq), 0) FROM changes WHERE courier_id = ?2) >= ?3",
                pull_columns()
            )
        })
    } else {
        PLAIN.get_or_init(|| format!("SELECT {}", pull_columns()))
    }
}

/// The PostgreSQL function answering a pull's page as the JSON array of the pull statement's
/// row ([`pull_columns`], the same parameters in the same order), for a statement that reads
/// the page after its own writes (the push's, [`super::push_batch`]). Installed, replaced, by
/// every replica at start; its name carries its version.
pub(crate) fn page_function() -> String {
    format!(
        "CREATE OR REPLACE FUNCTION runsheet_page_v1(TEXT, TEXT, BIGINT, BIGINT, BIGINT, BIGINT,
     BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT) RETURNS TEXT
LANGUAGE plpgsql AS $fn$
BEGIN
    RETURN (SELECT json_build_array({})::TEXT);
END
$fn$;",
        super::dollar_placeholders(&pull_columns())
    )
}

/// [`pull`] in one statement (PostgreSQL): the same answer and refusals; `None` only on a
/// standby that is not far enough (`min_lsn`, see [`pull_on_standby`]).
fn pull_in_one(
    tx: &mut Tx<'_>,
    clock: &Clock,
    courier: &str,
    at: &PullPosition,
    min_lsn: Option<&str>,
) -> Result<Option<PullResponse>, StoreError> {
    let limit = at.limit.saturating_add(1);
    let sql = pull_statement(min_lsn.is_some());
    let read = |r: &Row| Ok(r.clone());
    let position = crate::params![
        at.client_id,
        courier,
        at.cursor,
        limit,
        at.settings_version,
        at.checklists_after,
        at.ratings_after,
        at.cases_after,
        at.recalls_after,
        at.offers_after,
        at.vehicle_version,
        at.earnings_after,
        at.training_after,
        at.qualifications_after
    ];
    let row = match min_lsn {
        None => tx.query_opt(sql, position, read)?,
        Some(lsn) => {
            let guarded: Vec<&dyn crate::db::Param> =
                position.iter().copied().chain([&lsn as _]).collect();
            tx.query_opt(sql, &guarded, read)?
        }
    };
    let Some(row) = row else {
        return Ok(None);
    };
    page_from_row(&row, clock, courier, at).map(Some)
}

/// The page a pull answers, from the row of [`pull_columns`] (the statement's, or the JSON
/// array [`page_function`] returns, read as a row).
pub(crate) fn page_from_row(
    row: &Row,
    clock: &Clock,
    courier: &str,
    at: &PullPosition,
) -> Result<PullResponse, StoreError> {
    let owner: Option<String> = row.get(0)?;
    if owner.as_deref().is_some_and(|o| o != courier) {
        return Err(Refusal::ClientOfAnotherCourier.into());
    }
    let last_mutation_id = row.get::<Option<i64>>(1)?.unwrap_or(0);
    if at.cursor > row.get::<i64>(2)? {
        return Err(Refusal::ServerBehind {
            expected: last_mutation_id + 1,
        }
        .into());
    }
    let rows = rows_from_json(&row.get::<String>(3)?)?;
    let has_more = rows.len() > at.limit;
    let mut changes = Vec::new();
    let mut next = at.cursor;
    for r in rows.iter().take(at.limit) {
        next = r.get(0)?;
        let task_id: String = r.get(1)?;
        let op: String = r.get(2)?;
        if op == "remove" {
            changes.push(Change::RemoveTask { task_id });
            continue;
        }
        if r.get::<Option<String>>(3)?.is_none() {
            continue;
        }
        let task = Row {
            values: r.values.get(3..).unwrap_or_default().to_vec(),
        };
        let (mut doc, owner) = tasks::from_row(&task_id, &task)?;
        // Reassigned since: a later 'remove' change for this courier follows.
        if handovers::visible_to(&mut doc, owner.as_deref(), courier) {
            changes.push(Change::UpsertTask {
                task: Box::new(doc),
            });
        }
    }
    let settings = match row.get::<Option<String>>(4)? {
        Some(text) => match rows_from_json(&text)?.first() {
            Some(s) => Some(settings::from_row(s.get(0)?, &s.get::<String>(1)?)?),
            None => None,
        },
        None => None,
    };
    let checklists = rows_from_json(&row.get::<String>(5)?)?
        .iter()
        .map(|r| {
            let body: String = r.get(0)?;
            serde_json::from_str(&body).map_err(StoreError::document)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ratings = rows_from_json(&row.get::<String>(6)?)?
        .iter()
        .map(ratings::row_to_doc)
        .collect::<Result<Vec<_>, _>>()?;
    let cases = rows_from_json(&row.get::<String>(7)?)?
        .iter()
        .map(|r| after_sales::row_to_record(r).map(|c| c.case))
        .collect::<Result<Vec<_>, _>>()?;
    let recalls = rows_from_json(&row.get::<String>(8)?)?
        .iter()
        .map(recalls::row_to_doc)
        .collect::<Result<Vec<_>, _>>()?;
    let offers = rows_from_json(&row.get::<String>(9)?)?
        .iter()
        .map(|r| offers::row_to_record(r).map(|rec| rec.offer))
        .collect::<Result<Vec<_>, _>>()?;
    let vehicle = match row.get::<Option<String>>(10)? {
        Some(text) => match rows_from_json(&text)?.first() {
            Some(v) => Some(vehicles::from_row(v.get(0)?, &v.get::<String>(1)?)?),
            None => None,
        },
        None => None,
    };
    let earnings = rows_from_json(&row.get::<String>(11)?)?
        .iter()
        .map(earnings::row_to_doc)
        .collect::<Result<Vec<_>, _>>()?;
    let training = rows_from_json(&row.get::<String>(12)?)?
        .iter()
        .map(|r| {
            let body: String = r.get(0)?;
            serde_json::from_str(&body).map_err(StoreError::document)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let qualifications = rows_from_json(&row.get::<String>(13)?)?
        .iter()
        .map(training::row_to_qualification)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PullResponse {
        changes,
        cursor: next,
        has_more,
        last_mutation_id,
        server_time: clock.now(),
        settings,
        checklists,
        ratings,
        cases,
        recalls,
        offers,
        vehicle,
        earnings,
        training,
        qualifications,
    })
}
