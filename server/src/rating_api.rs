//! Ratings of couriers, their appeals, the courier's ratings of stops, and the KPIs the server
//! computes from its own facts with the protocol crate's arithmetic (the same as the phone's).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use runsheet_protocol::{Kpis, RatingDoc};
use serde::Deserialize;

use crate::auth::Admin;
use crate::db::ratings;
use crate::error::ApiError;
use crate::{ApiJson, AppState};

pub use crate::db::ratings::{NewRating, ReviewedRating};

/// `POST /v1/dispatch/ratings`: rates the courier of a task; their phone gets it on the next pull.
pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<NewRating>,
) -> Result<(StatusCode, Json<RatingDoc>), ApiError> {
    let clock = state.clock.clone();
    let out = state
        .db
        .run(move |tx| ratings::create(tx, &body, clock.now()))
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
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Decision>,
) -> Result<Json<RatingDoc>, ApiError> {
    let out = state
        .db
        .run(move |tx| ratings::decide(tx, &id, body.upheld, body.note.as_deref()))
        .await?;
    Ok(Json(out))
}

/// `GET /v1/dispatch/couriers/{id}/ratings`: a courier's ratings with appeals and evidence.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
) -> Result<Json<Vec<ReviewedRating>>, ApiError> {
    Ok(Json(
        state.db.run(move |tx| ratings::list(tx, &courier)).await?,
    ))
}

/// `GET /v1/dispatch/couriers/{id}/kpis` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiQuery {
    /// Facts from this time on, Unix seconds.
    pub since: i64,
}

/// `GET /v1/dispatch/couriers/{id}/kpis?since=T`: the courier's figures as the server computes
/// them.
pub async fn kpis(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
    query: Result<Query<KpiQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Kpis>, ApiError> {
    let Query(q) = query?;
    let out = state
        .db
        .run(move |tx| ratings::kpis(tx, &courier, q.since))
        .await?;
    Ok(Json(out))
}
