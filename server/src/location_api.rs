//! Courier locations: `POST /v1/sync/locations` (batches from phones, lowest priority, stored
//! once per client and sequence number) and `GET /v1/dispatch/couriers/{id}/locations` for
//! dispatch monitoring.

use axum::extract::{Path, Query, State};
use axum::Json;
use runsheet_protocol::{LocationAck, LocationBatch};
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
