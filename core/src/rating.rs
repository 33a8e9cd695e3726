//! Ratings both ways and the courier's KPIs, offline. Inbound ratings (customers, merchants,
//! platform compliments and penalties) arrive with the pull and are kept on the phone; the
//! courier rates merchants and drop-offs (queued offline, editable within a window); appeals go
//! out with the task's evidence bundle and their decisions come back. The KPIs are computed on
//! the phone from its own facts with the protocol crate's arithmetic, the same the server uses.

use chrono::TimeZone;
use runsheet_protocol::{
    compute_kpis, Action, AppealStatus, DeliveryFact, KpiFacts, Kpis, RatingDoc, RatingTarget,
};
use rusqlite::{params, Connection};

use crate::blocker::Blocker;
use crate::checklist;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set};

/// Hours after a task ends during which the courier can rate (or re-rate) its stops.
pub const RATE_WINDOW_H: i64 = 24;

/// The highest rating sequence the phone holds (the pull cursor for ratings).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, "ratings_seq")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Stores a rating the server sent (new, or changed by an appeal decision).
pub fn store(conn: &Connection, r: &RatingDoc) -> Result<()> {
    let body = serde_json::to_string(r)
        .map_err(|e| Error::InvalidArgument(format!("rating cannot be encoded: {e}")))?;
    conn.execute(
        "INSERT OR REPLACE INTO ratings (id, task_id, body, created_at, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![r.id, r.task_id, body, r.created_at, r.seq],
    )?;
    if r.seq > last_seq(conn)? {
        meta_set(conn, "ratings_seq", &r.seq.to_string())?;
    }
    Ok(())
}

/// Every rating on the phone, newest first.
pub fn list(conn: &Connection) -> Result<Vec<RatingDoc>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM ratings ORDER BY created_at DESC, id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        if let Ok(r) = serde_json::from_str(&body?) {
            out.push(r);
        }
    }
    Ok(out)
}

/// A period of the KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "uniffi", uniffi(name = "KpiPeriod"))]
pub enum Period {
    /// Since local midnight.
    Today,
    /// The last 7 days.
    Week,
    /// The last 30 days.
    Month,
    /// The six calendar months of the performance review.
    SixMonths,
}

impl Period {
    /// When the period starts, by the device clock.
    pub fn since(self, now: i64) -> i64 {
        match self {
            Period::Today => crate::tasklist::local_midnight(now),
            Period::Week => now - 7 * 86_400,
            Period::Month => now - 30 * 86_400,
            Period::SixMonths => {
                runsheet_protocol::months_before(now, runsheet_protocol::REVIEW_MONTHS)
            }
        }
    }
}

/// The phone's facts since `since`: deliveries with their order and promised times and the
/// handover time corrected by the clock offset recorded with it, tasks handled and those with
/// an order error, and the stars of the ratings that count.
pub fn facts(conn: &Connection, since: i64) -> Result<KpiFacts> {
    let mut f = KpiFacts::default();
    for e in crate::timeline::since(conn, since)? {
        match e.kind.as_str() {
            "delivered" => {
                let t = crate::task::get(conn, &e.task_id)?;
                f.deliveries.push(DeliveryFact {
                    ordered_at: t.as_ref().and_then(|t| t.ordered_at),
                    due_by: t.as_ref().and_then(|t| t.dropoff.due_by),
                    delivered_at: e.at + e.clock_offset_s.unwrap_or(0),
                });
                f.tasks_handled += 1;
            }
            "fail" => f.tasks_handled += 1,
            _ => {}
        }
    }
    // Ratings and cases are dated by the server; the device's `since` is moved onto the
    // server clock.
    let offset: i64 = meta_get(conn, "clock_offset")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // A task is an order error when a scan at a handoff was one, or when an after-sales case
    // confirmed a wrong or missing item against the courier.
    f.tasks_with_errors = conn.query_row(
        "SELECT COUNT(DISTINCT task_id) FROM (
             SELECT task_id FROM scans
             WHERE at >= ?1
               AND outcome IN ('other_task', 'not_mine', 'expired', 'wrong_temperature')
             UNION
             SELECT task_id FROM cases WHERE fault = 'courier' AND opened_at >= ?2
         )",
        params![since, since + offset],
        |r| r.get(0),
    )?;
    let mut ratings = list(conn)?;
    ratings.sort_by(|a, b| a.id.cmp(&b.id));
    f.stars = ratings
        .iter()
        .filter(|r| r.created_at >= since + offset && r.appeal != Some(AppealStatus::Upheld))
        .filter_map(|r| r.stars)
        .collect();
    Ok(f)
}

/// The courier's figures for a period, against the platform's targets.
pub(crate) fn kpis(dev: &Device, period: Period) -> Result<Kpis> {
    let now = dev.now();
    let settings = dev.settings()?;
    let facts = dev.store.read(|c| facts(c, period.since(now)))?;
    Ok(compute_kpis(
        &facts,
        &settings.kpi_targets,
        settings.utc_offset_min,
    ))
}

/// Rates the merchant or the drop-off of a task (1–5 stars, tags, a note such as access
/// notes for the next courier). Queued offline; rating again within [`RATE_WINDOW_H`] hours
/// after the task ended replaces the earlier rating.
/// Until when the courier may rate the stops of `t` (Unix seconds, by the core's clock), or
/// `None` when it may not be rated at all (not delivered). The one rule the screens and
/// [`rate_stop`] share.
pub fn rate_until(t: &crate::task::Task) -> Option<i64> {
    if t.status != runsheet_protocol::TaskStatus::Delivered {
        return None;
    }
    Some(t.ended_at.unwrap_or(i64::MAX - RATE_WINDOW_H * 3600) + RATE_WINDOW_H * 3600)
}

/// Until when `rating` may be appealed (Unix seconds by the server's clock), or `None` once
/// it has been appealed. The one rule the screens and [`appeal`] share.
pub fn appeal_until(rating: &RatingDoc, appeal_window_h: u32) -> Option<i64> {
    if rating.appeal.is_some() {
        return None;
    }
    Some(rating.created_at + i64::from(appeal_window_h) * 3600)
}

pub(crate) fn rate_stop(
    dev: &Device,
    task_id: &str,
    target: RatingTarget,
    stars: u8,
    tags: Vec<String>,
    note: Option<String>,
) -> Result<i64> {
    if !(1..=5).contains(&stars) {
        return Err(Error::InvalidArgument("stars must be 1 to 5".into()));
    }
    let t = dev.task(task_id)?;
    let now = dev.now();
    if rate_until(&t).is_some_and(|until| now > until) {
        return Err(Error::Blocked {
            task_id: task_id.to_owned(),
            action: "rate_stop",
            blockers: vec![Blocker::RatingWindowClosed {
                hours: RATE_WINDOW_H as u32,
            }],
        });
    }
    let id = task_id.to_owned();
    let note_db = note.clone();
    dev.act_with(
        Action::RateStop {
            task_id: task_id.to_owned(),
            target,
            stars,
            tags,
            note,
        },
        &mut move |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO stop_ratings (task_id, target, stars, note, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, target.as_str(), stars, note_db, now],
            )?;
            Ok(())
        },
    )
}

/// Appeals a rating or penalty with a reason, within the platform's window (72 h by
/// default) after it was given; the task's evidence bundle goes with it. The decision comes
/// back with a later pull; an upheld appeal takes the rating out of the KPIs.
pub(crate) fn appeal(dev: &Device, rating_id: &str, reason: &str) -> Result<i64> {
    let rating = dev
        .store
        .read(list)?
        .into_iter()
        .find(|r| r.id == rating_id)
        .ok_or_else(|| Error::InvalidArgument(format!("no rating {rating_id} on this phone")))?;
    if reason.trim().is_empty() {
        return Err(Error::Blocked {
            task_id: rating.task_id.clone(),
            action: "appeal",
            blockers: vec![Blocker::ReasonRequired],
        });
    }
    if rating.appeal.is_some() {
        return Err(Error::InvalidArgument(format!(
            "rating {rating_id} was already appealed"
        )));
    }
    let settings = dev.settings()?;
    let offset: i64 = dev
        .store
        .read(|c| Ok(meta_get(c, "clock_offset")?.and_then(|v| v.parse().ok())))?
        .unwrap_or(0);
    let server_now = dev.now() + offset;
    let window = settings.kpi_targets.appeal_window_h;
    if appeal_until(&rating, window).is_some_and(|until| server_now > until) {
        return Err(Error::Blocked {
            task_id: rating.task_id.clone(),
            action: "appeal",
            blockers: vec![Blocker::AppealWindowClosed { hours: window }],
        });
    }
    let evidence = checklist::evidence_bundle(dev, &rating.task_id)?.to_json()?;
    let rid = rating_id.to_owned();
    let mut pending = rating.clone();
    pending.appeal = Some(AppealStatus::Pending);
    dev.act_with(
        Action::Appeal {
            rating_id: rating_id.to_owned(),
            task_id: rating.task_id.clone(),
            reason: reason.trim().to_owned(),
            evidence,
        },
        &mut move |tx| {
            let body = serde_json::to_string(&pending)
                .map_err(|e| Error::InvalidArgument(format!("rating cannot be encoded: {e}")))?;
            tx.execute(
                "UPDATE ratings SET body = ?2 WHERE id = ?1",
                params![rid, body],
            )?;
            Ok(())
        },
    )
}

/// The device's local date of a timestamp (for "today").
pub fn local_date(ts: i64) -> Option<chrono::NaiveDate> {
    chrono::Local
        .timestamp_opt(ts, 0)
        .single()
        .map(|t| t.date_naive())
}
