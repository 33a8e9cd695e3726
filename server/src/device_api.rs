//! Push tokens: `PUT /v1/sync/push-token` (an install registers the token its platform's push
//! service issued it) and `GET /v1/dispatch/couriers/{id}/devices` (dispatch reads where to send
//! a courier's wake-up pushes). A token is never logged.

use axum::extract::{Path, State};
use axum::Json;
use runsheet_protocol::{PushDevices, PushTokenAck, PushTokenRegistration};

use crate::auth::{Admin, Courier};
use crate::db::devices;
use crate::error::ApiError;
use crate::{ApiJson, AppState};

/// `PUT /v1/sync/push-token`.
pub async fn register(
    State(state): State<AppState>,
    Courier(courier): Courier,
    ApiJson(reg): ApiJson<PushTokenRegistration>,
) -> Result<Json<PushTokenAck>, ApiError> {
    let now = state.clock.now();
    let platform = reg.platform;
    state
        .db
        .run(move |tx| devices::register(tx, &courier, &reg, now))
        .await?;
    tracing::info!(platform = platform.as_str(), "push token registered");
    Ok(Json(PushTokenAck { registered_at: now }))
}

/// `GET /v1/dispatch/couriers/{id}/devices`.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
) -> Result<Json<PushDevices>, ApiError> {
    let devices = state
        .db
        .run(move |tx| devices::for_courier(tx, &courier))
        .await?;
    Ok(Json(PushDevices { devices }))
}
