//! Ratings of couriers, their appeals, the courier's ratings of stops, and the facts the KPIs
//! are computed from.

use runsheet_protocol::{
    compute_kpis, Action, AppealStatus, DeliveryFact, KpiFacts, Kpis, RatingDoc, RatingSource,
};
use serde::{Deserialize, Serialize};

use super::after_sales::{self, Opening};
use super::{mutations, settings, tasks, Refusal, Row, StoreError, Tx};
use crate::params;

/// A customer's, merchant's or the platform's rating (`POST /v1/dispatch/ratings` body).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    /// The rating's id (unique).
    pub id: String,
    /// The task rated (its courier is the one rated).
    pub task_id: String,
    /// Who rates.
    pub source: RatingSource,
    /// 1 to 5 stars.
    #[serde(default)]
    pub stars: Option<u8>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A rating as dispatch reviews it, with the courier's appeal.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReviewedRating {
    /// The rating.
    pub rating: RatingDoc,
    /// The courier's reason, if appealed.
    pub appeal_reason: Option<String>,
    /// The evidence bundle the courier's phone attached (JSON text).
    pub evidence: Option<String>,
}

/// The next rating sequence number, for a rating of `courier` written in this transaction.
/// Taken under the courier's lock (so that their ratings commit in sequence order) and
/// announced to their waiting pulls.
fn next_seq(tx: &mut Tx<'_>, courier: &str) -> Result<i64, StoreError> {
    tx.lock_courier(courier)?;
    tx.announce(courier)?;
    tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM ratings",
        params![],
        |r| r.get(0),
    )
}

fn source_str(s: RatingSource) -> &'static str {
    match s {
        RatingSource::Customer => "customer",
        RatingSource::Merchant => "merchant",
        RatingSource::Platform => "platform",
    }
}

fn appeal_str(a: AppealStatus) -> &'static str {
    match a {
        AppealStatus::Pending => "pending",
        AppealStatus::Upheld => "upheld",
        AppealStatus::Rejected => "rejected",
    }
}

/// A rating from a row of [`COLUMNS`].
pub(crate) fn row_to_doc(r: &Row) -> Result<RatingDoc, StoreError> {
    let source: String = r.get(2)?;
    let tags: String = r.get(4)?;
    let appeal: Option<String> = r.get(7)?;
    Ok(RatingDoc {
        id: r.get(0)?,
        task_id: r.get(1)?,
        source: match source.as_str() {
            "merchant" => RatingSource::Merchant,
            "platform" => RatingSource::Platform,
            _ => RatingSource::Customer,
        },
        stars: r.get::<Option<i64>>(3)?.map(|s| s as u8),
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        comment: r.get(5)?,
        created_at: r.get(6)?,
        appeal: appeal.as_deref().map(|a| match a {
            "upheld" => AppealStatus::Upheld,
            "rejected" => AppealStatus::Rejected,
            _ => AppealStatus::Pending,
        }),
        appeal_note: r.get(8)?,
        seq: r.get(9)?,
    })
}

/// The columns [`row_to_doc`] reads, in its order.
pub(crate) const COLUMNS: &str =
    "id, task_id, source, stars, tags, comment, created_at, appeal, appeal_note, seq";

fn by_id(tx: &mut Tx<'_>, id: &str) -> Result<RatingDoc, StoreError> {
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM ratings WHERE id = ?1"),
        params![id],
        row_to_doc,
    )
}

/// The courier's ratings changed after `seq`, in order (what a pull carries).
pub fn after(tx: &mut Tx<'_>, courier: &str, seq: i64) -> Result<Vec<RatingDoc>, StoreError> {
    tx.query_map(
        &format!("SELECT {COLUMNS} FROM ratings WHERE courier_id = ?1 AND seq > ?2 ORDER BY seq"),
        params![courier, seq],
        row_to_doc,
    )
}

/// Rates the courier of a task; refused when the task is unknown or unassigned, or the id is
/// taken.
pub fn create(tx: &mut Tx<'_>, rating: &NewRating, now: i64) -> Result<RatingDoc, StoreError> {
    let courier: Option<Option<String>> = tx.query_opt(
        "SELECT courier_id FROM tasks WHERE id = ?1",
        params![&rating.task_id],
        |r| r.get(0),
    )?;
    let courier = courier.flatten().ok_or(Refusal::NoAssignedTask)?;
    let seq = next_seq(tx, &courier)?;
    let tags = serde_json::to_string(&rating.tags).map_err(StoreError::document)?;
    let inserted = tx.execute(
        "INSERT INTO ratings (id, courier_id, task_id, source, stars, tags, comment,
             created_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO NOTHING",
        params![
            rating.id,
            courier,
            rating.task_id,
            source_str(rating.source),
            rating.stars,
            tags,
            rating.comment,
            now,
            seq
        ],
    )?;
    if inserted == 0 {
        return Err(Refusal::RatingExists.into());
    }
    if let Some(stars @ 0..=2) = rating.stars {
        // A rating of two stars or less is a case for the complaints team.
        let mut summary = format!("{stars}-star rating from the {}", source_str(rating.source));
        if !rating.tags.is_empty() {
            summary.push_str(&format!(" ({})", rating.tags.join(", ")));
        }
        after_sales::open(
            tx,
            &Opening {
                task_id: &rating.task_id,
                courier_id: Some(&courier),
                source: None,
                kind: runsheet_protocol::CaseKind::LowRating,
                cause: "low_rating",
                summary: &summary,
                actor: runsheet_protocol::CaseActor::System,
                recall_id: None,
            },
            now,
        )?;
    }
    by_id(tx, &rating.id)
}

/// Decides a pending appeal (`upheld`: the rating no longer counts).
pub fn decide(
    tx: &mut Tx<'_>,
    id: &str,
    upheld: bool,
    note: Option<&str>,
) -> Result<RatingDoc, StoreError> {
    let row: Option<(String, Option<String>)> = tx.query_opt(
        "SELECT courier_id, appeal FROM ratings WHERE id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let courier = match row {
        None => return Err(Refusal::NoSuchRating.into()),
        Some((_, a)) if a.as_deref() != Some("pending") => {
            return Err(Refusal::NoPendingAppeal.into())
        }
        Some((courier, _)) => courier,
    };
    let status = if upheld {
        AppealStatus::Upheld
    } else {
        AppealStatus::Rejected
    };
    let seq = next_seq(tx, &courier)?;
    tx.execute(
        "UPDATE ratings SET appeal = ?2, appeal_note = ?3, seq = ?4 WHERE id = ?1",
        params![id, appeal_str(status), note, seq],
    )?;
    by_id(tx, id)
}

/// A courier's ratings with appeals and evidence, oldest first.
pub fn list(tx: &mut Tx<'_>, courier: &str) -> Result<Vec<ReviewedRating>, StoreError> {
    tx.query_map(
        &format!(
            "SELECT {COLUMNS}, appeal_reason, evidence FROM ratings WHERE courier_id = ?1
                 ORDER BY created_at, id"
        ),
        params![courier],
        |r| {
            Ok(ReviewedRating {
                rating: row_to_doc(r)?,
                appeal_reason: r.get(10)?,
                evidence: r.get(11)?,
            })
        },
    )
}

/// Applies a courier's rating of a stop or appeal (inside the push transaction). `Some(reason)`
/// when the action is rejected.
pub fn apply(
    tx: &mut Tx<'_>,
    courier: &str,
    action: &Action,
    appeal_window_h: u32,
    now: i64,
) -> Result<Option<String>, StoreError> {
    match action {
        Action::RateStop {
            task_id,
            target,
            stars,
            tags,
            note,
        } => {
            if !(1..=5).contains(stars) {
                return Ok(Some("stars must be 1 to 5".into()));
            }
            tx.execute(
                "INSERT INTO stop_ratings (task_id, target, courier_id, stars, tags, note, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(task_id, target) DO UPDATE SET stars = excluded.stars,
                     tags = excluded.tags, note = excluded.note, updated_at = excluded.updated_at",
                params![
                    task_id,
                    target.as_str(),
                    courier,
                    stars,
                    serde_json::to_string(tags).map_err(StoreError::document)?,
                    note,
                    now
                ],
            )?;
            Ok(None)
        }
        Action::Appeal {
            rating_id,
            reason,
            evidence,
            ..
        } => {
            let row: Option<(String, i64, Option<String>)> = tx.query_opt(
                "SELECT courier_id, created_at, appeal FROM ratings WHERE id = ?1",
                params![rating_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let Some((owner, created, appeal)) = row else {
                return Ok(Some("no such rating".into()));
            };
            if owner != courier {
                return Ok(Some("the rating is not this courier's".into()));
            }
            if appeal.is_some() {
                return Ok(Some("the rating was already appealed".into()));
            }
            if now > created.saturating_add(i64::from(appeal_window_h) * 3600) {
                return Ok(Some(format!(
                    "the appeal window ({appeal_window_h} h) has passed"
                )));
            }
            let seq = next_seq(tx, courier)?;
            tx.execute(
                "UPDATE ratings SET appeal = 'pending', appeal_reason = ?2, evidence = ?3, seq = ?4
                 WHERE id = ?1",
                params![rating_id, reason, evidence, seq],
            )?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// The server's facts for a courier since `since` (the same facts the phone holds).
pub fn facts(tx: &mut Tx<'_>, courier: &str, since: i64) -> Result<KpiFacts, StoreError> {
    let rows = mutations::applied_since(tx, courier, since)?;
    let mut f = KpiFacts::default();
    let mut error_tasks = std::collections::BTreeSet::<String>::new();
    let mut delivered = std::collections::BTreeSet::<String>::new();
    for mutations::AppliedMutation {
        task_id,
        at,
        action,
        ..
    } in rows
    {
        let action: serde_json::Value = serde_json::from_str(&action).unwrap_or_default();
        match action["type"].as_str() {
            Some("delivered") => {
                let (doc, _) = tasks::load(tx, &task_id)?
                    .ok_or_else(|| StoreError::Query("a delivered task vanished".into()))?;
                delivered.insert(task_id.clone());
                f.deliveries.push(DeliveryFact {
                    ordered_at: doc.ordered_at,
                    due_by: doc.dropoff.due_by,
                    delivered_at: at,
                });
                f.tasks_handled += 1;
            }
            Some("fail") => f.tasks_handled += 1,
            Some("scan")
                if matches!(
                    action["outcome"].as_str(),
                    Some("other_task" | "not_mine" | "expired" | "wrong_temperature")
                ) =>
            {
                error_tasks.insert(task_id);
            }
            _ => {}
        }
    }
    // A wrong or missing item confirmed after the door, counted against the courier, is an
    // order error of the delivery it was about.
    for task_id in after_sales::courier_fault_tasks(tx, courier)? {
        if delivered.contains(&task_id) {
            error_tasks.insert(task_id);
        }
    }
    f.tasks_with_errors = error_tasks.len() as u32;
    f.stars = tx.query_map(
        "SELECT stars FROM ratings WHERE courier_id = ?1 AND created_at >= ?2
           AND stars IS NOT NULL AND (appeal IS NULL OR appeal != 'upheld') ORDER BY id",
        params![courier, since],
        |r| r.get::<u8>(0),
    )?;
    Ok(f)
}

/// The courier's KPIs since `since`, computed with the published settings' targets.
pub fn kpis(tx: &mut Tx<'_>, courier: &str, since: i64) -> Result<Kpis, StoreError> {
    let settings = settings::load(tx)?.unwrap_or_default();
    let f = facts(tx, courier, since)?;
    Ok(compute_kpis(
        &f,
        &settings.kpi_targets,
        settings.utc_offset_min,
    ))
}
