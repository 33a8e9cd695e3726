//! The dispatch API of after-sales: customers' complaints opened as cases, the team's steps
//! through the lifecycle table, recalls of a product batch, and the case figures
//! (`docs/after-sales.md`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use runsheet_protocol::{
    compute_case_figures, CaseActor, CaseCommand, CaseFigures, CaseRecord, Fault, NewCase,
    NewRecall, RecallDoc, RecallReport,
};
use serde::{Deserialize, Serialize};

use crate::auth::Admin;
use crate::db::after_sales::{self, CaseFilter, Opening, OrderError};
use crate::db::{recalls, tasks, Refusal, StoreError, Tx};
use crate::error::ApiError;
use crate::{ApiJson, AppState};

/// A case id from the path; anything but a number names no case.
fn case_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found("no case with this id"))
}

/// Runs the breach sweep first, so that what is answered shows every deadline passed, and
/// counts the breaches it recorded.
async fn swept<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Tx<'_>, i64) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let now = state.clock.now();
    let (value, breaches) = state
        .db
        .run(move |tx| {
            let breaches = after_sales::sweep(tx, now)?;
            Ok((f(tx, now)?, breaches))
        })
        .await?;
    state.metrics.case_breaches.inc_by(u64::from(breaches));
    Ok(value)
}

/// `POST /v1/dispatch/cases`: a customer's complaint, enquiry, return or exchange request
/// about a task, routed to its team with the platform's deadlines.
pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<NewCase>,
) -> Result<(StatusCode, Json<CaseRecord>), ApiError> {
    let record = swept(&state, move |tx, now| {
        let (_, courier) = tasks::load(tx, &body.task_id)?.ok_or(Refusal::NoSuchTask)?;
        let id = after_sales::open(
            tx,
            &Opening {
                task_id: &body.task_id,
                courier_id: courier.as_deref(),
                source: None,
                kind: body.kind,
                cause: "customer",
                summary: &body.summary,
                actor: CaseActor::Customer,
                recall_id: None,
            },
            now,
        )?;
        after_sales::get(tx, id)?.ok_or_else(|| StoreError::Query("the case vanished".into()))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// `GET /v1/dispatch/cases?status=&team=&kind=&courier=&breached=`: the cases selected, oldest
/// first, each with its history.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
    query: Result<Query<CaseFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<CaseRecord>>, ApiError> {
    let Query(f) = query?;
    Ok(Json(
        swept(&state, move |tx, _| after_sales::list_cases(tx, &f)).await?,
    ))
}

/// `GET /v1/dispatch/cases/{id}`: the case with its history.
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<CaseRecord>, ApiError> {
    let id = case_id(&id)?;
    let found = swept(&state, move |tx, _| after_sales::get(tx, id)).await?;
    Ok(Json(found.ok_or_else(|| {
        ApiError::from(StoreError::from(Refusal::NoSuchCase))
    })?))
}

/// `POST /v1/dispatch/cases/{id}/steps`: the team moves the case on; a step the lifecycle
/// table refuses is a 409 `case_step_refused`, a follow-up promised for a past time a 400
/// `deadline_past`.
pub async fn step(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(cmd): ApiJson<CaseCommand>,
) -> Result<Json<CaseRecord>, ApiError> {
    let id = case_id(&id)?;
    Ok(Json(
        swept(&state, move |tx, now| after_sales::step(tx, id, &cmd, now)).await?,
    ))
}

/// `POST /v1/dispatch/recalls`: recalls a product batch; answers every delivery that carried
/// it, with the cases opened for the customers who received it.
pub async fn create_recall(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<NewRecall>,
) -> Result<(StatusCode, Json<RecallReport>), ApiError> {
    let report = swept(&state, move |tx, now| recalls::create(tx, &body, now)).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

fn recall_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found("no recall with this id"))
}

/// `GET /v1/dispatch/recalls/{id}`: the recall and every delivery that carried its batch.
pub async fn get_recall(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<RecallReport>, ApiError> {
    let id = recall_id(&id)?;
    Ok(Json(state.db.run(move |tx| recalls::report(tx, id)).await?))
}

/// `POST /v1/dispatch/recalls/{id}/lift`: scans of the batch are accepted again after the
/// phones' next pull.
pub async fn lift_recall(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<RecallDoc>, ApiError> {
    let id = recall_id(&id)?;
    let now = state.clock.now();
    Ok(Json(
        state.db.run(move |tx| recalls::lift(tx, id, now)).await?,
    ))
}

/// `GET /v1/dispatch/case-figures` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// Only this courier's figures (the platform's are always answered).
    #[serde(default)]
    pub courier: Option<String>,
    /// Cases opened at or after this time, Unix seconds (default: all).
    #[serde(default)]
    pub from: Option<i64>,
    /// Cases opened at or before this time, Unix seconds (default: now).
    #[serde(default)]
    pub to: Option<i64>,
}

/// One courier's case figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourierCaseFigures {
    /// The courier.
    pub courier_id: String,
    /// Figures of the cases about their deliveries.
    pub figures: CaseFigures,
    /// Wrong or missing items confirmed after the door and counted against them.
    pub order_errors: Vec<OrderError>,
}

/// `GET /v1/dispatch/case-figures` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFiguresReport {
    /// Period start, Unix seconds.
    pub from: i64,
    /// Period end, Unix seconds.
    pub to: i64,
    /// The platform's figures.
    pub platform: CaseFigures,
    /// Per courier (only the one asked for, when one is).
    pub couriers: Vec<CourierCaseFigures>,
    /// Wrong or missing items confirmed after the door that count against the merchant (every
    /// item was confirmed at both handoffs).
    pub merchant_order_errors: Vec<OrderError>,
}

/// Deliveries in the period (only `courier`'s when given).
fn deliveries(
    tx: &mut Tx<'_>,
    courier: Option<&str>,
    from: i64,
    to: i64,
) -> Result<u32, StoreError> {
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM tasks WHERE status = 'delivered'
           AND updated_at >= ?1 AND updated_at <= ?2
           AND (CAST(?3 AS TEXT) IS NULL OR courier_id = ?3)",
        crate::params![from, to, courier],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// `GET /v1/dispatch/case-figures?courier=&from=&to=`: first-response and resolution times per
/// kind, share within deadline, complaints per 100 deliveries, return turnaround, satisfaction,
/// breaches, per courier and for the platform (by [`compute_case_figures`], the function the
/// phone uses too).
pub async fn figures(
    State(state): State<AppState>,
    _: Admin,
    query: Result<Query<FiguresQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CaseFiguresReport>, ApiError> {
    let Query(q) = query?;
    let now = state.clock.now();
    let from = q.from.unwrap_or(0);
    let to = q.to.unwrap_or(now);
    if from > to {
        return Err(ApiError::bad_request("from must not be after to"));
    }
    Ok(Json(
        swept(&state, move |tx, now| {
            let platform = compute_case_figures(
                &after_sales::facts(tx, None, from, to)?,
                deliveries(tx, None, from, to)?,
                now,
            );
            let ids = match &q.courier {
                Some(c) => vec![c.clone()],
                None => after_sales::couriers_with_cases(tx, from, to)?,
            };
            let mut couriers = Vec::with_capacity(ids.len());
            for id in ids {
                let facts = after_sales::facts(tx, Some(&id), from, to)?;
                let n = deliveries(tx, Some(&id), from, to)?;
                couriers.push(CourierCaseFigures {
                    figures: compute_case_figures(&facts, n, now),
                    order_errors: after_sales::order_errors(
                        tx,
                        Fault::Courier,
                        Some(&id),
                        from,
                        to,
                    )?,
                    courier_id: id,
                });
            }
            Ok(CaseFiguresReport {
                from,
                to,
                platform,
                couriers,
                merchant_order_errors: after_sales::order_errors(
                    tx,
                    Fault::Merchant,
                    None,
                    from,
                    to,
                )?,
            })
        })
        .await?,
    ))
}
