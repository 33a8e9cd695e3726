//! The couriers' earnings in the store: the lines of a delivered task's pay (computed with the
//! protocol crate's pay function when the delivery is applied: the confirmed lines), tips and
//! adjustments entered by dispatch, incentive bonuses awarded when a week's KPIs meet a
//! programme, and the courier's appeals of lines with dispatch's decisions.

use runsheet_protocol::{
    bonus_line_id, compute_kpis, crow_distance_m, day_start, incentive_progress, pay_for,
    pay_line_id, total, week_start, Action, AppealStatus, EarningLineDoc, IncentiveProgress, Money,
    PayFacts, PayLineKind, Settings, StopRole,
};
use serde::{Deserialize, Serialize};

use super::{ratings, settings, tasks, Refusal, Row, StoreError, Tx};
use crate::params;

/// The columns [`row_to_doc`] reads, in its order.
pub(crate) const COLUMNS: &str =
    "id, task_id, kind, amount_minor, currency, note, earned_at, appeal, appeal_note, seq";

/// A line from a row of [`COLUMNS`].
pub(crate) fn row_to_doc(r: &Row) -> Result<EarningLineDoc, StoreError> {
    let kind: String = r.get(2)?;
    let appeal: Option<String> = r.get(7)?;
    Ok(EarningLineDoc {
        id: r.get(0)?,
        task_id: r.get(1)?,
        kind: PayLineKind::parse(&kind)
            .ok_or_else(|| StoreError::Query(format!("unknown pay line kind {kind:?}")))?,
        amount: Money::new(r.get(3)?, r.get::<String>(4)?),
        note: r.get(5)?,
        earned_at: r.get(6)?,
        appeal: appeal.as_deref().map(appeal_status),
        appeal_note: r.get(8)?,
        seq: r.get(9)?,
    })
}

fn appeal_status(s: &str) -> AppealStatus {
    match s {
        "upheld" => AppealStatus::Upheld,
        "rejected" => AppealStatus::Rejected,
        _ => AppealStatus::Pending,
    }
}

/// The next earnings sequence number, for a line of `courier` written in this transaction:
/// taken under the courier's lock (their lines commit in sequence order) and announced to
/// their waiting pulls.
fn next_seq(tx: &mut Tx<'_>, courier: &str) -> Result<i64, StoreError> {
    tx.lock_courier(courier)?;
    tx.announce(courier)?;
    tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM earning_lines",
        params![],
        |r| r.get(0),
    )
}

/// Stores a new line of `courier`; false when a line with its id exists.
fn insert(tx: &mut Tx<'_>, courier: &str, line: &EarningLineDoc) -> Result<bool, StoreError> {
    let seq = next_seq(tx, courier)?;
    let n = tx.execute(
        "INSERT INTO earning_lines (id, courier_id, task_id, kind, amount_minor, currency, note,
             earned_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO NOTHING",
        params![
            line.id,
            courier,
            line.task_id,
            line.kind.as_str(),
            line.amount.minor,
            line.amount.currency,
            line.note,
            line.earned_at,
            seq
        ],
    )?;
    Ok(n > 0)
}

fn by_id(tx: &mut Tx<'_>, id: &str) -> Result<Option<(String, EarningLineDoc)>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS}, courier_id FROM earning_lines WHERE id = ?1"),
        params![id],
        |r| Ok((r.get(10)?, row_to_doc(r)?)),
    )
}

/// The courier's lines changed after `seq`, in order (what a pull carries).
pub fn after(tx: &mut Tx<'_>, courier: &str, seq: i64) -> Result<Vec<EarningLineDoc>, StoreError> {
    tx.query_map(
        &format!(
            "SELECT {COLUMNS} FROM earning_lines WHERE courier_id = ?1 AND seq > ?2 ORDER BY seq"
        ),
        params![courier, seq],
        row_to_doc,
    )
}

/// The pay facts of a task `courier` delivered, from the applied mutations' bounded times:
/// when it was handed over, and how long the courier waited at the pickup.
fn pay_facts(
    tx: &mut Tx<'_>,
    courier: &str,
    doc: &runsheet_protocol::TaskDoc,
) -> Result<Option<PayFacts>, StoreError> {
    let rows: Vec<(i64, String)> = tx.query_map(
        "SELECT COALESCE(bounded_time, device_time), action FROM mutations
         WHERE courier_id = ?1 AND task_id = ?2 AND outcome = 'applied'
         ORDER BY received_at, mutation_id",
        params![courier, doc.id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(facts_from(
        doc,
        rows.iter()
            .filter_map(|(at, action)| Some((*at, serde_json::from_str(action).ok()?))),
    ))
}

/// The pay facts of task `doc` from its applied mutations as (bounded time, action), in the
/// order the server received them: the last delivery is when it was handed over, the last
/// arrival at the pickup and pick-up give the wait. None when it holds no delivery.
pub(crate) fn facts_from(
    doc: &runsheet_protocol::TaskDoc,
    applied: impl IntoIterator<Item = (i64, Action)>,
) -> Option<PayFacts> {
    let (mut arrived, mut picked, mut delivered) = (None, None, None);
    for (at, action) in applied {
        match action {
            Action::Arrive {
                stop: StopRole::Pickup,
                ..
            } => arrived = Some(at),
            Action::PickUp { .. } => picked = Some(at),
            Action::Delivered { .. } => delivered = Some(at),
            _ => {}
        }
    }
    delivered.map(|delivered_at| PayFacts {
        kind: doc.kind,
        distance_m: crow_distance_m(
            doc.pickup.as_ref().map(|p| (p.lat, p.lon)),
            (doc.dropoff.lat, doc.dropoff.lon),
        ),
        delivered_at,
        waited_s: match (arrived, picked) {
            (Some(a), Some(p)) => (p - a).max(0),
            _ => 0,
        },
    })
}

/// The lines of task `task_id`'s pay, from its facts and the platform's rates.
pub(crate) fn task_lines(
    task_id: &str,
    facts: &PayFacts,
    settings: &Settings,
) -> Vec<EarningLineDoc> {
    let rates = &settings.pay;
    pay_for(facts, rates, &settings.kpi_targets, settings.utc_offset_min)
        .into_iter()
        .map(|line| EarningLineDoc {
            id: pay_line_id(task_id, line.kind),
            task_id: Some(task_id.to_owned()),
            kind: line.kind,
            amount: Money::new(line.minor, &rates.currency),
            note: None,
            earned_at: facts.delivered_at,
            appeal: None,
            appeal_note: None,
            seq: 0,
        })
        .collect()
}

/// Whether a delivery's pay is its task's lines alone: no incentive programme runs, so no
/// week's bonus can be completed by it (see [`on_delivered`]).
pub(crate) fn pays_task_lines_only(settings: &Settings) -> bool {
    settings.pay.incentives.is_empty()
}

/// Computes and stores the pay of a task `courier` has just delivered (inside the push
/// transaction, after the delivery is recorded), then awards the week's incentive bonuses
/// the delivery completes.
pub fn on_delivered(tx: &mut Tx<'_>, courier: &str, task_id: &str) -> Result<(), StoreError> {
    let settings = settings::load(tx)?.unwrap_or_default();
    let Some((doc, _)) = tasks::load(tx, task_id)? else {
        return Ok(());
    };
    let Some(facts) = pay_facts(tx, courier, &doc)? else {
        return Ok(());
    };
    for line in task_lines(task_id, &facts, &settings) {
        insert(tx, courier, &line)?;
    }
    tracing::info!("task pay computed");
    award_bonuses(tx, courier, facts.delivered_at, &settings)
}

/// Pays every delivery of `courier` the store holds no pay for yet: those the one-statement
/// push applied (it records status steps only, docs/scaling.md), and any a crash left between
/// a delivery's commit and its pay. Returns how many were paid now.
pub fn settle(tx: &mut Tx<'_>, courier: &str) -> Result<u32, StoreError> {
    let rows: Vec<(String, String)> = tx.query_map(
        "SELECT m.task_id, m.action FROM mutations m
         WHERE m.courier_id = ?1 AND m.outcome = 'applied' AND m.action LIKE '%delivered%'
           AND NOT EXISTS (SELECT 1 FROM earning_lines e
                           WHERE e.id = 'pay:' || m.task_id || ':base')
         ORDER BY m.received_at, m.mutation_id",
        params![courier],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut paid = 0;
    for (task_id, action) in rows {
        if matches!(
            serde_json::from_str::<Action>(&action),
            Ok(Action::Delivered { .. })
        ) {
            on_delivered(tx, courier, &task_id)?;
            paid += 1;
        }
    }
    Ok(paid)
}

/// The progress of every incentive programme in the week holding `at`, from the week's KPIs.
fn progress(
    tx: &mut Tx<'_>,
    courier: &str,
    at: i64,
    settings: &Settings,
) -> Result<Vec<IncentiveProgress>, StoreError> {
    if settings.pay.incentives.is_empty() {
        return Ok(Vec::new());
    }
    let week = week_start(at, settings.utc_offset_min);
    let mut facts = ratings::facts(tx, courier, week)?;
    let end = week + 7 * 86_400;
    facts.deliveries.retain(|d| d.delivered_at < end);
    let kpis = compute_kpis(&facts, &settings.kpi_targets, settings.utc_offset_min);
    Ok(settings
        .pay
        .incentives
        .iter()
        .map(|i| incentive_progress(&kpis, i, &settings.pay.currency))
        .collect())
}

fn award_bonuses(
    tx: &mut Tx<'_>,
    courier: &str,
    at: i64,
    settings: &Settings,
) -> Result<(), StoreError> {
    let week = week_start(at, settings.utc_offset_min);
    for p in progress(tx, courier, at, settings)? {
        if !p.met {
            continue;
        }
        let line = EarningLineDoc {
            id: bonus_line_id(&p.id, week),
            task_id: None,
            kind: PayLineKind::Bonus,
            amount: p.bonus.clone(),
            note: None,
            earned_at: at,
            appeal: None,
            appeal_note: None,
            seq: 0,
        };
        if insert(tx, courier, &line)? {
            tracing::info!(incentive = %p.id, "incentive bonus awarded");
        }
    }
    Ok(())
}

/// What dispatch may add to a courier's earnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualKind {
    /// The customer's tip (above zero).
    Tip,
    /// A correction, positive or negative (never zero).
    Adjustment,
}

/// `POST /v1/dispatch/earnings` body: a tip or an adjustment on a task's courier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEarningLine {
    /// The line's id (unique; a retry with the same id adds nothing).
    pub id: String,
    /// The task it is about (its courier is paid).
    pub task_id: String,
    /// A tip or an adjustment.
    pub kind: ManualKind,
    /// The amount as a decimal text in the currency ("5.00", "-3.5"): no more decimals than the
    /// currency's minor unit.
    pub amount: String,
    /// ISO 4217 code; must be the pay rates' currency.
    pub currency: String,
    /// Why (shown to the courier).
    #[serde(default)]
    pub note: Option<String>,
}

/// Adds a tip or an adjustment (its amount already read exactly by the edge) to the courier
/// of a task; refused when the task has no courier, the currency is not the rates', or the
/// id is taken.
pub fn add(
    tx: &mut Tx<'_>,
    body: &NewEarningLine,
    amount: Money,
    now: i64,
) -> Result<EarningLineDoc, StoreError> {
    let courier: Option<Option<String>> = tx.query_opt(
        "SELECT courier_id FROM tasks WHERE id = ?1",
        params![&body.task_id],
        |r| r.get(0),
    )?;
    let courier = courier.flatten().ok_or(Refusal::NoAssignedTask)?;
    let currency = settings::load(tx)?.unwrap_or_default().pay.currency;
    if amount.currency != currency {
        return Err(Refusal::OtherCurrency(currency).into());
    }
    let line = EarningLineDoc {
        id: body.id.clone(),
        task_id: Some(body.task_id.clone()),
        kind: match body.kind {
            ManualKind::Tip => PayLineKind::Tip,
            ManualKind::Adjustment => PayLineKind::Adjustment,
        },
        amount,
        note: body.note.clone(),
        earned_at: now,
        appeal: None,
        appeal_note: None,
        seq: 0,
    };
    if !insert(tx, &courier, &line)? {
        return Err(Refusal::EarningLineExists.into());
    }
    tracing::info!(kind = line.kind.as_str(), "earning line added");
    by_id(tx, &line.id)?
        .map(|(_, l)| l)
        .ok_or_else(|| StoreError::Query("the line just added vanished".into()))
}

/// Applies a courier's appeal of a line (inside the push transaction): `Some(reason)` when it
/// is rejected (not theirs, already appealed, past the appeal window).
pub fn appeal(
    tx: &mut Tx<'_>,
    courier: &str,
    line_id: &str,
    reason: &str,
    appeal_window_h: u32,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let Some((owner, line)) = by_id(tx, line_id)? else {
        return Ok(Some("no such earning line".into()));
    };
    if owner != courier {
        return Ok(Some("the earning line is not this courier's".into()));
    }
    if line.appeal.is_some() {
        return Ok(Some("the earning line was already appealed".into()));
    }
    if now
        > line
            .earned_at
            .saturating_add(i64::from(appeal_window_h) * 3600)
    {
        return Ok(Some(format!(
            "the appeal window ({appeal_window_h} h) has passed"
        )));
    }
    let seq = next_seq(tx, courier)?;
    tx.execute(
        "UPDATE earning_lines SET appeal = 'pending', appeal_reason = ?2, seq = ?3 WHERE id = ?1",
        params![line_id, reason, seq],
    )?;
    tracing::info!("earning line appealed");
    Ok(None)
}

/// Decides a pending appeal of a line. Upheld with a `correction`, an adjustment line with it
/// is added for the courier (`<line>:correction`).
pub fn decide(
    tx: &mut Tx<'_>,
    id: &str,
    upheld: bool,
    note: Option<&str>,
    correction: Option<Money>,
    now: i64,
) -> Result<EarningLineDoc, StoreError> {
    let (courier, line) = by_id(tx, id)?.ok_or(Refusal::NoSuchEarningLine)?;
    if line.appeal != Some(AppealStatus::Pending) {
        return Err(Refusal::NoPendingAppeal.into());
    }
    let currency = settings::load(tx)?.unwrap_or_default().pay.currency;
    if correction.as_ref().is_some_and(|c| c.currency != currency) {
        return Err(Refusal::OtherCurrency(currency).into());
    }
    let seq = next_seq(tx, &courier)?;
    tx.execute(
        "UPDATE earning_lines SET appeal = ?2, appeal_note = ?3, seq = ?4 WHERE id = ?1",
        params![id, if upheld { "upheld" } else { "rejected" }, note, seq],
    )?;
    if let (true, Some(amount)) = (upheld, correction) {
        insert(
            tx,
            &courier,
            &EarningLineDoc {
                id: format!("{id}:correction"),
                task_id: line.task_id.clone(),
                kind: PayLineKind::Adjustment,
                amount,
                note: note.map(str::to_owned),
                earned_at: now,
                appeal: None,
                appeal_note: None,
                seq: 0,
            },
        )?;
    }
    tracing::info!(upheld, "earning line appeal decided");
    by_id(tx, id)?
        .map(|(_, l)| l)
        .ok_or_else(|| Refusal::NoSuchEarningLine.into())
}

/// The period of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementPeriod {
    /// The local day (the city's offset) holding the time asked about.
    Day,
    /// The local week, Monday to Monday.
    Week,
}

/// A line as dispatch reviews it, with the courier's appeal reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewedLine {
    /// The line.
    pub line: EarningLineDoc,
    /// The courier's reason, if appealed.
    pub appeal_reason: Option<String>,
}

/// A courier's earnings for a day or a week (`GET /v1/dispatch/couriers/{id}/earnings`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EarningsStatement {
    /// The period.
    pub period: StatementPeriod,
    /// Its first second, Unix seconds.
    pub from: i64,
    /// The second after its last.
    pub to: i64,
    /// The lines earned in it, oldest first.
    pub lines: Vec<ReviewedLine>,
    /// Their sum in the rates' currency.
    pub total: Money,
    /// The incentive programmes' progress in the week holding the period.
    pub incentives: Vec<IncentiveProgress>,
}

/// The courier's statement for the day or week holding `at`.
pub fn statement(
    tx: &mut Tx<'_>,
    courier: &str,
    period: StatementPeriod,
    at: i64,
) -> Result<EarningsStatement, StoreError> {
    super::couriers::must_exist(tx, courier)?;
    let settings = settings::load(tx)?.unwrap_or_default();
    let (from, to) = match period {
        StatementPeriod::Day => {
            let d = day_start(at, settings.utc_offset_min);
            (d, d + 86_400)
        }
        StatementPeriod::Week => {
            let w = week_start(at, settings.utc_offset_min);
            (w, w + 7 * 86_400)
        }
    };
    let lines = tx.query_map(
        &format!(
            "SELECT {COLUMNS}, appeal_reason FROM earning_lines
             WHERE courier_id = ?1 AND earned_at >= ?2 AND earned_at < ?3
             ORDER BY earned_at, id"
        ),
        params![courier, from, to],
        |r| {
            Ok(ReviewedLine {
                line: row_to_doc(r)?,
                appeal_reason: r.get(10)?,
            })
        },
    )?;
    let total = total(
        lines.iter().map(|l| l.line.amount.clone()),
        &settings.pay.currency,
    );
    let incentives = progress(tx, courier, from, &settings)?;
    Ok(EarningsStatement {
        period,
        from,
        to,
        lines,
        total,
        incentives,
    })
}
