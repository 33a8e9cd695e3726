//! The dispatch side of a handover between couriers: dispatch names the receiving courier of a
//! task's open handover request (the couriers' own steps travel as pushed mutations:
//! `request_handover` from the courier holding the task, `receive_handover` from the receiver
//! once every bag is scanned).

use axum::extract::{Path, State};
use axum::Json;
use runsheet_protocol::AssignHandoverRequest;

use crate::auth::Admin;
use crate::db::handovers;
use crate::dispatch_api::DispatchTask;
use crate::error::ApiError;
use crate::{ApiJson, AppState};

/// `POST /v1/dispatch/tasks/{id}/handover`: names the receiving courier of the task's open
/// handover. Both couriers' next pulls bring the task; it stays the first courier's until the
/// receiver's scan of every bag arrives. 409 with a typed code when refused
/// (`no_handover_requested`, `handover_to_self`, `courier_off_duty`,
/// `handover_already_assigned`, `task_final`), 404 for an unknown task or courier.
pub async fn assign(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignHandoverRequest>,
) -> Result<Json<DispatchTask>, ApiError> {
    let clock = state.clock.clone();
    let (task, courier_id) = state
        .db
        .run(move |tx| {
            handovers::assign(tx, &id, &body.courier_id, clock.now())?;
            crate::db::tasks::load(tx, &id)?.ok_or_else(|| crate::db::Refusal::NoSuchTask.into())
        })
        .await?;
    Ok(Json(DispatchTask { task, courier_id }))
}
