//! The dispatch routes of a courier's vehicle and box: dispatch sets them per courier, and the
//! courier's phone receives them with its next pull (`PullResponse::vehicle`).

use axum::extract::{Path, State};
use axum::Json;
use runsheet_protocol::VehicleDoc;

use crate::auth::Admin;
use crate::db::{couriers, vehicles};
use crate::error::ApiError;
use crate::{ApiJson, AppState};

/// `PUT /v1/dispatch/couriers/{id}/vehicle`: sets the courier's vehicle and box (version + 1);
/// 404 for an unknown courier, 422 for a negative or oversized box.
pub async fn put(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VehicleDoc>,
) -> Result<Json<VehicleDoc>, ApiError> {
    let v = state.db.run(move |tx| vehicles::set(tx, &id, body)).await?;
    tracing::info!(
        version = v.version,
        kind = v.kind.as_str(),
        box_units = v.box_units,
        chilled_units = v.chilled_units,
        "courier vehicle set"
    );
    Ok(Json(v))
}

/// `GET /v1/dispatch/couriers/{id}/vehicle`: the courier's vehicle; 404 when the courier is
/// unknown or has none set.
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<VehicleDoc>, ApiError> {
    let v = state
        .db
        .run(move |tx| {
            couriers::must_exist(tx, &id)?;
            vehicles::load(tx, &id)
        })
        .await?;
    v.map(Json)
        .ok_or_else(|| ApiError::not_found("no vehicle is set for this courier"))
}
