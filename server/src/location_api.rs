//! Courier locations: `POST /v1/sync/locations` (batches from phones, lowest priority, stored
//! once per client and sequence number) and `GET /v1/dispatch/couriers/{id}/locations` for
//! dispatch monitoring.

use axum::extract::{Path, Query, State};
use axum::Json;
use runsheet_protocol::{LocationAck, LocationBatch, MAX_LOCATION_BATCH};
use serde::Deserialize;

use crate::auth::{Admin, Courier};
use crate::db::locations;
use crate::error::ApiError;
use crate::{ApiJson, AppState};

pub use crate::db::locations::Track;

/// `POST /v1/sync/locations`.
pub async fn push(
    State(state): State<AppState>,
    Courier(courier): Courier,
    ApiJson(batch): ApiJson<LocationBatch>,
) -> Result<Json<LocationAck>, ApiError> {
    if batch.client_id.is_empty() || batch.client_id.len() > 64 {
        return Err(ApiError::bad_request(
            "client_id must be 1 to 64 characters",
        ));
    }
    if batch.fixes.len() > MAX_LOCATION_BATCH {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_LOCATION_BATCH} fixes per batch"
        )));
    }
    if let Some(f) = batch.fixes.iter().find(|f| {
        !(-90.0..=90.0).contains(&f.lat)
            || !(-180.0..=180.0).contains(&f.lon)
            || !f.accuracy_m.is_finite()
            || f.accuracy_m < 0.0
    }) {
        return Err(ApiError::bad_request(format!(
            "fix {} has coordinates or accuracy out of range",
            f.seq
        )));
    }
    let clock = state.clock.clone();
    let stored = state
        .db
        .run(move |tx| locations::store_batch(tx, &courier, &batch, clock.now()))
        .await?;
    Ok(Json(LocationAck { stored }))
}

/// Filter of the dispatch read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Since {
    /// Only fixes recorded at or after this time.
    #[serde(default)]
    pub since: i64,
}

/// `GET /v1/dispatch/couriers/{id}/locations`.
pub async fn track(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
    query: Result<Query<Since>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Track>, ApiError> {
    let Query(q) = query?;
    let track = state
        .db
        .run(move |tx| locations::track(tx, &courier, q.since))
        .await?;
    Ok(Json(track))
}
