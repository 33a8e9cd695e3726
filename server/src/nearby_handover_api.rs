//! A nearby courier takes a handover: `GET /v1/handovers/nearby?lat=&lon=` lists the open
//! handover requests near the asking courier, and `POST /v1/handovers/{task_id}/take` names them
//! the receiving courier (the same rules as dispatch naming one). The goods change hands only when
//! the taker has scanned every bag (`receive_handover`, pushed like every courier step).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use runsheet_protocol::{valid_position, NearbyHandovers, TakenHandover};
use serde::Deserialize;

use crate::auth::Courier;
use crate::db::nearby_handovers;
use crate::error::ApiError;
use crate::AppState;

/// Where the asking courier is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Latitude, degrees (WGS 84).
    pub lat: f64,
    /// Longitude, degrees (WGS 84).
    pub lon: f64,
}

/// `GET /v1/handovers/nearby?lat=&lon=`: open handover requests of other couriers within
/// 3 km, nearest first, without any customer's name, phone or address. 400 for a position off
/// the globe or missing.
pub async fn near(
    State(state): State<AppState>,
    Courier(courier): Courier,
    query: Result<Query<Position>, QueryRejection>,
) -> Result<Json<NearbyHandovers>, ApiError> {
    let Query(at) = query?;
    if !valid_position(at.lat, at.lon) {
        return Err(ApiError::bad_request(
            "lat must be within -90..90 and lon within -180..180",
        ));
    }
    let clock = state.clock.clone();
    let handovers = state
        .db
        .run(move |tx| nearby_handovers::near(tx, &courier, at.lat, at.lon, clock.now()))
        .await?;
    Ok(Json(NearbyHandovers { handovers }))
}

/// `POST /v1/handovers/{task_id}/take`: the courier takes the task's open handover request and
/// becomes its receiving courier; their next pull brings the task as incoming. 409 with a typed
/// code when refused (`handover_to_self`, `courier_off_duty`, `handover_already_assigned`,
/// `no_handover_requested`, `task_final`), 404 for an unknown task.
pub async fn take(
    State(state): State<AppState>,
    Courier(courier): Courier,
    Path(task_id): Path<String>,
) -> Result<Json<TakenHandover>, ApiError> {
    let clock = state.clock.clone();
    let taken = state
        .db
        .run(move |tx| nearby_handovers::take(tx, &courier, &task_id, clock.now()))
        .await?;
    Ok(Json(taken))
}
