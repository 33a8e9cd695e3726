//! The dispatch API of cash on delivery and lockers: a courier's cash reconciliation (hand-ins
//! against collections, door discrepancies) and the proof of a locker drop-off
//! (`docs/door.md`).

use axum::extract::{Path, State};
use axum::Json;
use runsheet_protocol::{CashReport, LockerDrop};

use crate::auth::Admin;
use crate::db::{cash, couriers, lockers, tasks, Refusal};
use crate::error::ApiError;
use crate::AppState;

/// `GET /v1/dispatch/couriers/{id}/cash`: the courier's hand-ins reconciled against their
/// collections (newest first), the collections not handed in yet, and every door discrepancy.
pub async fn report(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
) -> Result<Json<CashReport>, ApiError> {
    let out = state
        .db
        .run(move |tx| {
            couriers::must_exist(tx, &courier)?;
            cash::report(tx, &courier)
        })
        .await?;
    Ok(Json(out))
}

/// `GET /v1/dispatch/tasks/{id}/locker-drop`: the locker's label and the compartment the
/// courier scanned at a locker or pickup-point drop-off; 404 when the task is unknown or has
/// no drop-off recorded.
pub async fn locker_drop(
    State(state): State<AppState>,
    _: Admin,
    Path(task_id): Path<String>,
) -> Result<Json<LockerDrop>, ApiError> {
    let found = state
        .db
        .run(move |tx| {
            tasks::load(tx, &task_id)?.ok_or(Refusal::NoSuchTask)?;
            lockers::get(tx, &task_id)
        })
        .await?;
    found
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no locker drop-off is recorded for this task"))
}
