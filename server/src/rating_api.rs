//! Ratings of couriers, their appeals, the courier's ratings of stops, and the KPIs the server
//! computes from its own facts with the protocol crate's arithmetic (the same as the phone's).

use crate::db::{DbError, Row, Tx};
use crate::params;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use runsheet_protocol::{
    compute_kpis, Action, AppealStatus, DeliveryFact, KpiFacts, Kpis, RatingDoc, RatingSource,
};
use serde::{Deserialize, Serialize};

use crate::db::now;
use crate::error::ApiError;
use crate::{auth, ApiJson, AppState};

/// `POST /v1/dispatch/ratings` body: a customer's, merchant's or the platform's rating.
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

/// The next rating sequence number, for a rating of `courier` written in this transaction.
/// Taken under the courier's lock (so that their ratings commit in sequence order) and
/// announced to their waiting pulls.
fn next_seq(c: &mut Tx<'_>, courier: &str) -> Result<i64, ApiError> {
    c.lock_courier(courier)?;
    c.announce(courier)?;
    Ok(c.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM ratings",
        params![],
        |r| r.get(0),
    )?)
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

fn row_to_doc(r: &Row) -> Result<RatingDoc, DbError> {
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

const COLUMNS: &str =
    "id, task_id, source, stars, tags, comment, created_at, appeal, appeal_note, seq";

/// The courier's ratings changed after `seq`, in order (what a pull carries).
pub fn ratings_after(c: &mut Tx<'_>, courier: &str, seq: i64) -> Result<Vec<RatingDoc>, ApiError> {
    Ok(c.query_map(
        &format!("SELECT {COLUMNS} FROM ratings WHERE courier_id = ?1 AND seq > ?2 ORDER BY seq"),
        params![courier, seq],
        row_to_doc,
    )?)
}

/// `POST /v1/dispatch/ratings`: rates the courier of a task; their phone gets it on the next pull.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewRating>,
) -> Result<(StatusCode, Json<RatingDoc>), ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    if body.id.is_empty() || body.id.len() > 128 {
        return Err(ApiError::bad_request("id must be 1 to 128 characters"));
    }
    if body.stars.is_some_and(|s| !(1..=5).contains(&s)) {
        return Err(ApiError::bad_request("stars must be 1 to 5"));
    }
    let out = state
        .db
        .run(move |c| {
            let tx = c;
            let courier: Option<Option<String>> = tx.query_opt(
                "SELECT courier_id FROM tasks WHERE id = ?1",
                params![&body.task_id],
                |r| r.get(0),
            )?;
            let courier = courier
                .flatten()
                .ok_or_else(|| ApiError::not_found("no assigned task with this id"))?;
            let seq = next_seq(tx, &courier)?;
            let tags = serde_json::to_string(&body.tags).map_err(ApiError::internal)?;
            let inserted = tx.execute(
                "INSERT INTO ratings (id, courier_id, task_id, source, stars, tags, comment,
                     created_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO NOTHING",
                params![
                    body.id,
                    courier,
                    body.task_id,
                    source_str(body.source),
                    body.stars,
                    tags,
                    body.comment,
                    now(),
                    seq
                ],
            )?;
            if inserted == 0 {
                return Err(ApiError::conflict(
                    "rating_exists",
                    "a rating with this id exists",
                ));
            }
            let doc = tx.query_row(
                &format!("SELECT {COLUMNS} FROM ratings WHERE id = ?1"),
                params![&body.id],
                row_to_doc,
            )?;
            Ok(doc)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// `POST /v1/dispatch/ratings/{id}/decision` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// True: the appeal is upheld and the rating no longer counts.
    pub upheld: bool,
    /// The decision's note for the courier.
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /v1/dispatch/ratings/{id}/decision`: decides a pending appeal; the courier's next pull
/// brings the decision.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Decision>,
) -> Result<Json<RatingDoc>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let out = state
        .db
        .run(move |c| {
            let tx = c;
            let row: Option<(String, Option<String>)> = tx.query_opt(
                "SELECT courier_id, appeal FROM ratings WHERE id = ?1",
                params![&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let courier = match row {
                None => return Err(ApiError::not_found("no rating with this id")),
                Some((_, a)) if a.as_deref() != Some("pending") => {
                    return Err(ApiError::conflict(
                        "no_pending_appeal",
                        "the rating has no pending appeal",
                    ))
                }
                Some((courier, _)) => courier,
            };
            let status = if body.upheld {
                AppealStatus::Upheld
            } else {
                AppealStatus::Rejected
            };
            let seq = next_seq(tx, &courier)?;
            tx.execute(
                "UPDATE ratings SET appeal = ?2, appeal_note = ?3, seq = ?4 WHERE id = ?1",
                params![id, appeal_str(status), body.note, seq],
            )?;
            let doc = tx.query_row(
                &format!("SELECT {COLUMNS} FROM ratings WHERE id = ?1"),
                params![&id],
                row_to_doc,
            )?;
            Ok(doc)
        })
        .await?;
    Ok(Json(out))
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

/// `GET /v1/dispatch/couriers/{id}/ratings`: a courier's ratings with appeals and evidence.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(courier): Path<String>,
) -> Result<Json<Vec<ReviewedRating>>, ApiError> {
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let out = state
        .db
        .run(move |c| {
            Ok(c.query_map(
                &format!(
                    "SELECT {COLUMNS}, appeal_reason, evidence FROM ratings WHERE courier_id = ?1
                 ORDER BY created_at, id"
                ),
                params![&courier],
                |r| {
                    Ok(ReviewedRating {
                        rating: row_to_doc(r)?,
                        appeal_reason: r.get(10)?,
                        evidence: r.get(11)?,
                    })
                },
            )?)
        })
        .await?;
    Ok(Json(out))
}

/// Applies a courier's rating of a stop or appeal (called inside the push transaction).
pub fn apply(
    tx: &mut Tx<'_>,
    courier: &str,
    action: &Action,
    appeal_window_h: u32,
) -> Result<Option<String>, ApiError> {
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
                    serde_json::to_string(tags).map_err(ApiError::internal)?,
                    note,
                    now()
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
            if now() > created + i64::from(appeal_window_h) * 3600 {
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

/// `GET /v1/dispatch/couriers/{id}/kpis` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiQuery {
    /// Facts from this time on, Unix seconds.
    pub since: i64,
}

/// The server's facts for a courier since `since` (the same facts the phone holds).
pub fn facts(c: &mut Tx<'_>, courier: &str, since: i64) -> Result<KpiFacts, ApiError> {
    let rows: Vec<(String, i64, Option<String>, String)> = c.query_map(
        "SELECT m.task_id, m.device_time, m.context, m.action FROM mutations m
         WHERE m.courier_id = ?1 AND m.outcome = 'applied' AND m.device_time >= ?2
         ORDER BY m.received_at, m.mutation_id",
        params![courier, since],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut f = KpiFacts::default();
    let mut error_tasks = std::collections::BTreeSet::<String>::new();
    for (task_id, device_time, context, action) in rows {
        let action: serde_json::Value = serde_json::from_str(&action).unwrap_or_default();
        match action["type"].as_str() {
            Some("delivered") => {
                let offset = context
                    .and_then(|c| serde_json::from_str::<serde_json::Value>(&c).ok())
                    .and_then(|c| c["clock_offset_s"].as_i64())
                    .unwrap_or(0);
                let (doc, _) = crate::task::load_task(c, &task_id)?
                    .ok_or_else(|| ApiError::internal("delivered task vanished"))?;
                f.deliveries.push(DeliveryFact {
                    ordered_at: doc.ordered_at,
                    due_by: doc.dropoff.due_by,
                    delivered_at: device_time + offset,
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
    f.tasks_with_errors = error_tasks.len() as u32;
    f.stars = c.query_map(
        "SELECT stars FROM ratings WHERE courier_id = ?1 AND created_at >= ?2
           AND stars IS NOT NULL AND (appeal IS NULL OR appeal != 'upheld') ORDER BY id",
        params![courier, since],
        |r| r.get::<u8>(0),
    )?;
    Ok(f)
}

/// `GET /v1/dispatch/couriers/{id}/kpis?since=T`: the courier's figures as the server computes
/// them.
pub async fn kpis(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(courier): Path<String>,
    query: Result<Query<KpiQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Kpis>, ApiError> {
    let Query(q) = query?;
    auth::admin(state.admin_token.as_deref(), &headers)?;
    let out = state
        .db
        .run(move |c| {
            let settings = crate::dispatch_api::load_settings(c)?.unwrap_or_default();
            let f = facts(c, &courier, q.since)?;
            Ok(compute_kpis(
                &f,
                &settings.kpi_targets,
                settings.utc_offset_min,
            ))
        })
        .await?;
    Ok(Json(out))
}
