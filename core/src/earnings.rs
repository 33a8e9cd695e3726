//! The courier's earnings, offline. The server's lines (a delivered task's pay, tips,
//! adjustments, incentive bonuses) arrive with the pull and are kept on the phone: they are
//! confirmed. Until a delivered task's lines arrive, the phone computes them itself with the
//! protocol crate's pay function, from its own facts and the published rates: they are
//! expected. Incentive progress comes from the same KPI function the server uses, over the
//! week's facts. A disputed line is appealed through the outbox, like a rating.

use runsheet_protocol::{
    bonus_line_id, compute_kpis, crow_distance_m, day_start, incentive_progress, pay_for,
    pay_line_id, total, week_start, Action, AppealStatus, EarningLineDoc, IncentiveProgress, Money,
    PayFacts, PayLineKind, PayLineState, StopRole,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::blocker::Blocker;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};

/// Longest reason of an appeal, characters (what the server takes).
pub const MAX_APPEAL_CHARS: usize = 2_000;

/// The highest earnings sequence the phone holds (the pull cursor for earnings).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "earnings_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Whether an appeal stands decided (upheld or rejected).
fn decided(a: Option<AppealStatus>) -> bool {
    matches!(a, Some(AppealStatus::Upheld | AppealStatus::Rejected))
}

/// Stores a line the server sent (new, or changed by an appeal or its decision). Returns true
/// when it brings the decision of the courier's appeal of it (the phone held the line, its
/// appeal undecided): the screens tell the courier, once.
pub fn store(conn: &Connection, line: &EarningLineDoc) -> Result<bool> {
    let body = serde_json::to_string(line)
        .map_err(|e| Error::InvalidArgument(format!("earning line cannot be encoded: {e}")))?;
    let before: Option<String> = conn
        .query_row(
            "SELECT body FROM earning_lines WHERE id = ?1",
            [&line.id],
            |r| r.get(0),
        )
        .optional()?;
    // A line first seen decided (a new install) is not news: the courier learnt it elsewhere.
    let was_undecided = before
        .and_then(|b| serde_json::from_str::<EarningLineDoc>(&b).ok())
        .is_some_and(|b| !decided(b.appeal));
    let news = decided(line.appeal) && was_undecided;
    conn.execute(
        "INSERT OR REPLACE INTO earning_lines (id, task_id, body, earned_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![line.id, line.task_id, body, line.earned_at, line.seq],
    )?;
    if line.seq > last_seq(conn)? {
        meta_set(conn, "earnings_seq", &line.seq.to_string())?;
    }
    if news {
        tracing::info!(line = line.id.as_str(), "pay appeal decided");
    }
    Ok(news)
}

/// Every confirmed line on the phone, oldest first.
pub fn confirmed(conn: &Connection) -> Result<Vec<EarningLineDoc>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM earning_lines ORDER BY earned_at, id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        if let Ok(l) = serde_json::from_str(&body?) {
            out.push(l);
        }
    }
    Ok(out)
}

/// The period of the earnings view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum EarningsPeriod {
    /// The local day (the city's offset).
    Day,
    /// The local week, Monday to Monday.
    Week,
}

/// One line of the view: the line, and whether the server confirmed it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EarningEntry {
    /// The line (an expected one has `seq` 0 and no appeal).
    pub line: EarningLineDoc,
    /// Expected (computed on the phone) or confirmed (the server's).
    pub state: PayLineState,
}

/// The courier's earnings for a day or a week.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "EarningsStatement"))]
pub struct Earnings {
    /// The period.
    pub period: EarningsPeriod,
    /// Its first second (server clock), Unix seconds.
    pub from: i64,
    /// The second after its last.
    pub to: i64,
    /// The lines earned in it, oldest first.
    pub lines: Vec<EarningEntry>,
    /// The sum of the confirmed lines.
    pub confirmed: Money,
    /// The sum of the expected lines.
    pub expected: Money,
    /// Both together.
    pub total: Money,
    /// The incentive programmes' progress in the week holding the period.
    pub incentives: Vec<IncentiveProgress>,
}

/// The server's clock now, as the phone knows it (its own corrected by the last offset).
fn server_now(dev: &Device) -> Result<i64> {
    Ok(dev.now() + dev.clock_offset()?.unwrap_or(0))
}

/// The phone's pay facts of the tasks it delivered from `since` (device time): the handover
/// and the wait at the pickup, each corrected by the clock offset recorded with it.
fn delivered_facts(conn: &Connection, since: i64) -> Result<Vec<(String, PayFacts)>> {
    let mut out = Vec::new();
    for e in crate::timeline::since(conn, since)? {
        if e.kind != "delivered" {
            continue;
        }
        let Some(t) = crate::task::get(conn, &e.task_id)? else {
            continue;
        };
        let (mut arrived, mut picked) = (None, None);
        for ev in crate::timeline::for_task(conn, &e.task_id)? {
            let at = ev.at + ev.clock_offset_s.unwrap_or(0);
            match ev.action {
                Some(Action::Arrive {
                    stop: StopRole::Pickup,
                    ..
                }) => arrived = Some(at),
                Some(Action::PickUp { .. }) => picked = Some(at),
                _ => {}
            }
        }
        out.push((
            e.task_id.clone(),
            PayFacts {
                kind: t.kind,
                distance_m: crow_distance_m(
                    t.pickup.as_ref().map(|p| (p.lat, p.lon)),
                    (t.dropoff.lat, t.dropoff.lon),
                ),
                delivered_at: e.at + e.clock_offset_s.unwrap_or(0),
                waited_s: match (arrived, picked) {
                    (Some(a), Some(p)) => (p - a).max(0),
                    _ => 0,
                },
            },
        ));
    }
    Ok(out)
}

/// The incentive programmes' progress in the week starting at `week` (server clock), from the
/// week's facts with the KPI function the server uses; with the time of the week's last
/// delivery.
fn week_progress(dev: &Device, week: i64) -> Result<(Vec<IncentiveProgress>, Option<i64>)> {
    let settings = dev.settings()?;
    if settings.pay.incentives.is_empty() {
        return Ok((Vec::new(), None));
    }
    let offset = dev.clock_offset()?.unwrap_or(0);
    let mut facts = dev.store.read(|c| crate::rating::facts(c, week - offset))?;
    let end = week + 7 * 86_400;
    facts
        .deliveries
        .retain(|d| d.delivered_at >= week && d.delivered_at < end);
    let last = facts.deliveries.iter().map(|d| d.delivered_at).max();
    let kpis = compute_kpis(&facts, &settings.kpi_targets, settings.utc_offset_min);
    Ok((
        settings
            .pay
            .incentives
            .iter()
            .map(|i| incentive_progress(&kpis, i, &settings.pay.currency))
            .collect(),
        last,
    ))
}

/// The courier's earnings for the day or week holding `at` (server clock; `None`: now):
/// the confirmed lines, the expected lines of delivered tasks the server has not confirmed yet
/// and of incentive bonuses met but not yet awarded, their totals, and the week's incentive
/// progress.
pub(crate) fn earnings(dev: &Device, period: EarningsPeriod, at: Option<i64>) -> Result<Earnings> {
    let settings = dev.settings()?;
    let offset = dev.clock_offset()?.unwrap_or(0);
    let at = match at {
        Some(t) => t,
        None => server_now(dev)?,
    };
    let tz = settings.utc_offset_min;
    let (from, to) = match period {
        EarningsPeriod::Day => {
            let d = day_start(at, tz);
            (d, d + 86_400)
        }
        EarningsPeriod::Week => {
            let w = week_start(at, tz);
            (w, w + 7 * 86_400)
        }
    };
    let currency = settings.pay.currency.clone();
    let confirmed_lines = dev.store.read(confirmed)?;
    let known = |id: &str| confirmed_lines.iter().any(|l| l.id == id);
    let mut lines: Vec<EarningEntry> = confirmed_lines
        .iter()
        .filter(|l| l.earned_at >= from && l.earned_at < to)
        .map(|l| EarningEntry {
            line: l.clone(),
            state: PayLineState::Confirmed,
        })
        .collect();
    // A day of slack: the timeline is in device time, the period in server time.
    let delivered = dev
        .store
        .read(|c| delivered_facts(c, from - offset - 86_400))?;
    for (task_id, facts) in delivered {
        if facts.delivered_at < from
            || facts.delivered_at >= to
            || known(&pay_line_id(&task_id, PayLineKind::Base))
        {
            continue;
        }
        for l in pay_for(&facts, &settings.pay, &settings.kpi_targets, tz) {
            lines.push(expected(
                pay_line_id(&task_id, l.kind),
                Some(task_id.clone()),
                l.kind,
                Money::new(l.minor, &currency),
                facts.delivered_at,
                None,
            ));
        }
    }
    let week = week_start(from, tz);
    let (incentives, last_delivery) = week_progress(dev, week)?;
    if let Some(at) = last_delivery.filter(|t| *t >= from && *t < to) {
        for p in incentives.iter().filter(|p| p.met) {
            let id = bonus_line_id(&p.id, week);
            if !known(&id) {
                lines.push(expected(
                    id,
                    None,
                    PayLineKind::Bonus,
                    p.bonus.clone(),
                    at,
                    None,
                ));
            }
        }
    }
    // Oldest first; a bonus after the delivery that earned it.
    let key = |e: &EarningEntry| {
        (
            e.line.earned_at,
            e.line.kind == PayLineKind::Bonus,
            e.line.id.clone(),
        )
    };
    lines.sort_by_key(key);
    let sum = |state: PayLineState| {
        total(
            lines
                .iter()
                .filter(|l| l.state == state)
                .map(|l| l.line.amount.clone()),
            &currency,
        )
    };
    let confirmed = sum(PayLineState::Confirmed);
    let expected = sum(PayLineState::Expected);
    let total = Money::new(confirmed.minor.saturating_add(expected.minor), &currency);
    Ok(Earnings {
        period,
        from,
        to,
        lines,
        confirmed,
        expected,
        total,
        incentives,
    })
}

fn expected(
    id: String,
    task_id: Option<String>,
    kind: PayLineKind,
    amount: Money,
    earned_at: i64,
    note: Option<String>,
) -> EarningEntry {
    EarningEntry {
        line: EarningLineDoc {
            id,
            task_id,
            kind,
            amount,
            note,
            earned_at,
            appeal: None,
            appeal_note: None,
            seq: 0,
        },
        state: PayLineState::Expected,
    }
}

/// Until when a confirmed line may be appealed (Unix seconds by the server's clock), or `None`
/// once it has been appealed. The one rule the screens and [`appeal_pay`] share.
pub fn appeal_until(line: &EarningLineDoc, appeal_window_h: u32) -> Option<i64> {
    if line.appeal.is_some() {
        return None;
    }
    Some(line.earned_at + i64::from(appeal_window_h) * 3600)
}

/// Appeals a confirmed line with a reason, within the platform's appeal window after it was
/// earned. An expected line cannot be appealed until the server confirms it. Queued offline;
/// the decision (and any correction) comes back with a later pull.
pub(crate) fn appeal_pay(dev: &Device, line_id: &str, reason: &str) -> Result<i64> {
    let line = dev
        .store
        .read(confirmed)?
        .into_iter()
        .find(|l| l.id == line_id);
    let task_id = line
        .as_ref()
        .and_then(|l| l.task_id.clone())
        .unwrap_or_default();
    let Some(line) = line else {
        let is_expected = earnings(dev, EarningsPeriod::Week, None)?
            .lines
            .iter()
            .any(|l| l.line.id == line_id);
        if is_expected {
            return Err(Error::Blocked {
                task_id,
                action: "appeal_pay",
                blockers: vec![Blocker::PayNotConfirmed],
            });
        }
        return Err(Error::InvalidArgument(format!(
            "no earning line {line_id} on this phone"
        )));
    };
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::Blocked {
            task_id,
            action: "appeal_pay",
            blockers: vec![Blocker::ReasonRequired],
        });
    }
    if reason.chars().count() > MAX_APPEAL_CHARS {
        return Err(Error::Blocked {
            task_id,
            action: "appeal_pay",
            blockers: vec![Blocker::StatementTooLong {
                max_chars: MAX_APPEAL_CHARS as u32,
            }],
        });
    }
    if line.appeal.is_some() {
        return Err(Error::InvalidArgument(format!(
            "earning line {line_id} was already appealed"
        )));
    }
    let window = dev.settings()?.kpi_targets.appeal_window_h;
    if appeal_until(&line, window).is_some_and(|until| server_now(dev).is_ok_and(|n| n > until)) {
        return Err(Error::Blocked {
            task_id,
            action: "appeal_pay",
            blockers: vec![Blocker::AppealWindowClosed { hours: window }],
        });
    }
    let mut pending = line.clone();
    pending.appeal = Some(AppealStatus::Pending);
    dev.act_with(
        Action::AppealPay {
            line_id: line_id.to_owned(),
            reason: reason.to_owned(),
        },
        &mut move |tx| {
            let body = serde_json::to_string(&pending).map_err(|e| {
                Error::InvalidArgument(format!("earning line cannot be encoded: {e}"))
            })?;
            tx.execute(
                "UPDATE earning_lines SET body = ?2 WHERE id = ?1",
                params![pending.id, body],
            )?;
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, appeal: Option<AppealStatus>, seq: i64) -> EarningLineDoc {
        EarningLineDoc {
            id: id.into(),
            task_id: Some("F1".into()),
            kind: PayLineKind::Distance,
            amount: Money {
                minor: 111,
                currency: "CNY".into(),
            },
            note: None,
            earned_at: 100,
            appeal,
            appeal_note: None,
            seq,
        }
    }

    #[test]
    fn an_appeal_decided_is_news_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        // Confirmed, appealed, then decided (rejected): news once, on the decision.
        assert!(!store(&conn, &line("a", None, 1)).unwrap());
        assert!(!store(&conn, &line("a", Some(AppealStatus::Pending), 2)).unwrap());
        assert!(store(&conn, &line("a", Some(AppealStatus::Rejected), 3)).unwrap());
        assert!(!store(&conn, &line("a", Some(AppealStatus::Rejected), 3)).unwrap());
        // Upheld straight from confirmed (the pending step missed): news.
        store(&conn, &line("b", None, 4)).unwrap();
        assert!(store(&conn, &line("b", Some(AppealStatus::Upheld), 5)).unwrap());
        // First seen decided (a new install): not news.
        assert!(!store(&conn, &line("c", Some(AppealStatus::Upheld), 6)).unwrap());
        assert_eq!(last_seq(&conn).unwrap(), 6);
    }
}
