//! The dispatch API: what a platform's dispatcher (and the tests, the demo and QA) use to create
//! couriers, assign and cancel tasks, and read what couriers' devices sent.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use runsheet_protocol::{HandoffCodeDoc, Settings, StopDoc, TaskDoc, TaskKind, TaskStatus};
use serde::{Deserialize, Serialize};

use crate::auth::{self, Admin};
use crate::db::{
    after_sales, checklists, couriers, messages, mutations, pin_corrections, settings,
    task_creation, tasks,
};
use crate::error::ApiError;
use crate::input::Invalid;
use crate::{ApiJson, AppState};

pub use crate::db::after_sales::AfterSalesCase;
pub use crate::db::couriers::CourierStatus;
pub use crate::db::messages::SentMessage;
pub use crate::db::mutations::MutationRecord;
pub use crate::db::pin_corrections::{PinCorrection, PinCorrectionStatus};

/// `POST /v1/dispatch/couriers` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCourier {
    /// The courier's id (unique).
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A created courier and their bearer token (shown once; only its digest is stored).
#[derive(Serialize, Deserialize)]
pub struct CourierCreated {
    /// The courier's id.
    pub id: String,
    /// Their bearer token for the sync API.
    pub token: String,
    /// When the token stops being accepted (Unix seconds); then the sync API answers 401
    /// `token_expired` and the phone asks its shell for a fresh one.
    pub expires_at: i64,
}

/// `POST /v1/dispatch/couriers`.
pub async fn create_courier(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<NewCourier>,
) -> Result<(StatusCode, Json<CourierCreated>), ApiError> {
    let token = auth::new_token();
    let digest = auth::digest(&token);
    let id = body.id.clone();
    let now = state.clock.now();
    let expires_at = now.saturating_add(state.token_lifetime_s);
    state
        .db
        .run(move |tx| {
            couriers::create_with_token_until(tx, &body.id, &body.name, &digest, now, expires_at)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CourierCreated {
            id,
            token,
            expires_at,
        }),
    ))
}

/// `POST /v1/dispatch/couriers/{id}/tokens`: issues the courier a new token (what a login
/// backend calls when the phone's token provider asks for a fresh one). Earlier tokens stay
/// valid until they expire or are revoked.
pub async fn issue_token(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<CourierCreated>), ApiError> {
    let token = auth::new_token();
    let digest = auth::digest(&token);
    let now = state.clock.now();
    let expires_at = now.saturating_add(state.token_lifetime_s);
    let courier = id.clone();
    state
        .db
        .run(move |tx| couriers::add_token(tx, &courier, &digest, now, expires_at))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CourierCreated {
            id,
            token,
            expires_at,
        }),
    ))
}

/// What `POST /v1/dispatch/couriers/{id}/revoke-tokens` answers.
#[derive(Debug, Serialize, Deserialize)]
pub struct TokensRevoked {
    /// The courier.
    pub id: String,
    /// How many of their tokens were still unrevoked (expired ones included).
    pub revoked: u64,
}

/// `POST /v1/dispatch/couriers/{id}/revoke-tokens`: every token of the courier is refused from
/// now on (a lost phone, a courier who left). On this replica at once, on the others as soon as
/// the revocation's notice reaches them (or, while their listener is away, after at most
/// [`auth::TokenCache::TTL`]).
pub async fn revoke_tokens(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<TokensRevoked>, ApiError> {
    let now = state.clock.now();
    let courier = id.clone();
    let revoked = state
        .db
        .run(move |tx| couriers::revoke_tokens(tx, &courier, now))
        .await?;
    // A request that verified one of these tokens before the commit must not keep it.
    state.db.feed().tokens_revoked();
    state.tokens.forget_courier(&id);
    tracing::info!(courier = %id, revoked, "courier tokens revoked");
    Ok(Json(TokensRevoked { id, revoked }))
}

/// `POST /v1/dispatch/tasks` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// The task's id (unique).
    pub id: String,
    /// The courier to assign it to, if any.
    #[serde(default)]
    pub courier_id: Option<String>,
    /// What kind of task.
    pub kind: TaskKind,
    /// Pickup stop, absent for depot-loaded parcels.
    #[serde(default)]
    pub pickup: Option<StopDoc>,
    /// Drop-off stop.
    pub dropoff: StopDoc,
    /// When the customer ordered.
    #[serde(default)]
    pub ordered_at: Option<i64>,
    /// The goods.
    #[serde(default)]
    pub items: Vec<runsheet_protocol::ItemDoc>,
    /// Where the goods go back if the delivery fails (the pickup when absent).
    #[serde(default)]
    pub return_to: Option<StopDoc>,
    /// The code the platform gave the customer to show at the handoff (4 to 12 characters);
    /// stored and sent to the phone only as a salted hash.
    #[serde(default)]
    pub handoff_code: Option<String>,
    /// The customer asked for a contactless handover.
    #[serde(default)]
    pub contactless: bool,
    /// How the delivery must be proven (none, photo, signature, code).
    #[serde(default)]
    pub proof: runsheet_protocol::ProofPolicy,
    /// The customer's language (BCP 47, "zh-CN", "en"); the courier's messages to the customer
    /// go out in it. Absent: Simplified Chinese.
    #[serde(default)]
    pub customer_locale: Option<String>,
    /// Cash on delivery: what the courier collects at the door (integer minor units of an
    /// ISO 4217 currency). Absent: the order is paid.
    #[serde(default)]
    pub cash_due: Option<runsheet_protocol::Money>,
    /// The drop-off is a parcel locker or a pickup point (its label's code is the proof the
    /// courier scans; the customer's pickup code, if the platform gives one, is shown to them).
    #[serde(default)]
    pub locker: Option<runsheet_protocol::LockerDoc>,
}

/// `POST /v1/dispatch/tasks`: creates a task, assigned if `courier_id` is given. A handoff code
/// must be as long as the platform's settings ask; the server keeps it, and the phone gets only
/// its slow salted hash. On PostgreSQL the store creates it in two round trips (see
/// [`task_creation`]).
pub async fn create_task(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<TaskDoc>), ApiError> {
    let code = body.handoff_code.as_deref().map(|c| c.trim().to_owned());
    let handoff = match &code {
        None => None,
        Some(c) => {
            let policy = state
                .db
                .run(settings::load)
                .await?
                .unwrap_or_default()
                .handoff_code;
            if (c.chars().count() as u64) < u64::from(policy.min_length) {
                return Err(Invalid::new(
                    "handoff_code",
                    format!(
                        "must be at least {} characters (the platform's settings)",
                        policy.min_length
                    ),
                )
                .into());
            }
            // The slow hash runs off the async workers and outside the store's transaction.
            let c = c.clone();
            Some(
                tokio::task::spawn_blocking(move || hash_handoff_code(&c, policy.kdf_iterations))
                    .await
                    .map_err(ApiError::internal)?,
            )
        }
    };
    let doc = TaskDoc {
        id: body.id,
        kind: body.kind,
        status: TaskStatus::Assigned,
        pickup: body.pickup,
        dropoff: body.dropoff,
        revision: 1,
        ordered_at: body.ordered_at,
        items: body.items,
        return_to: body.return_to,
        handoff_code: handoff,
        contactless: body.contactless,
        proof: body.proof,
        customer_locale: body.customer_locale,
        case_id: None,
        take_back: Vec::new(),
        handovers: Vec::new(),
        cash_due: body.cash_due,
        locker: body.locker,
    };
    let courier = body.courier_id;
    let clock = state.clock.clone();
    let out = task_creation::create_fewest_trips(&state.db, clock, doc, courier, code).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// The slow salted hash of a customer's handoff code: the phone gets this, never the code.
fn hash_handoff_code(code: &str, iterations: u32) -> HandoffCodeDoc {
    use rand::RngCore;
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    HandoffCodeDoc::derive(code, &hex::encode(salt), iterations)
}

/// A task with its assignment, as the dispatcher sees it.
#[derive(Serialize, Deserialize)]
pub struct DispatchTask {
    /// The task.
    pub task: TaskDoc,
    /// Assigned courier.
    pub courier_id: Option<String>,
}

/// `GET /v1/dispatch/tasks/{id}`.
pub async fn get_task(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<DispatchTask>, ApiError> {
    let found = state.db.run(move |tx| tasks::load(tx, &id)).await?;
    let (task, courier_id) = found.ok_or_else(|| ApiError::not_found("no task with this id"))?;
    Ok(Json(DispatchTask { task, courier_id }))
}

/// `POST /v1/dispatch/tasks/{id}/cancel`.
pub async fn cancel_task(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<DispatchTask>, ApiError> {
    let clock = state.clock.clone();
    let (task, courier_id) = state
        .db
        .run(move |tx| tasks::cancel(tx, &id, clock.now()))
        .await?;
    Ok(Json(DispatchTask { task, courier_id }))
}

/// Filter of `GET /v1/dispatch/mutations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationFilter {
    /// Only this courier's.
    #[serde(default)]
    pub courier_id: Option<String>,
    /// Only this task's.
    #[serde(default)]
    pub task_id: Option<String>,
}

/// `GET /v1/dispatch/mutations`: every mutation recorded, oldest first.
pub async fn list_mutations(
    State(state): State<AppState>,
    _: Admin,
    query: Result<Query<MutationFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<MutationRecord>>, ApiError> {
    let Query(f) = query?;
    let rows = state
        .db
        .run(move |tx| mutations::list(tx, f.courier_id.as_deref(), f.task_id.as_deref()))
        .await?;
    Ok(Json(rows))
}

/// `POST /v1/dispatch/tasks/{id}/reassign` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reassign {
    /// The courier who takes the task over.
    pub courier_id: String,
}

/// `POST /v1/dispatch/tasks/{id}/reassign`: the old courier's next pull removes the task, the
/// new courier's adds it. A fact the old courier records meanwhile opens an after-sales case.
pub async fn reassign_task(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reassign>,
) -> Result<Json<DispatchTask>, ApiError> {
    let clock = state.clock.clone();
    let (task, courier_id) = state
        .db
        .run(move |tx| tasks::reassign(tx, &id, &body.courier_id, clock.now()))
        .await?;
    Ok(Json(DispatchTask { task, courier_id }))
}

/// `PATCH /v1/dispatch/tasks/{id}` body: order details the platform owns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskUpdate {
    /// New pickup stop (ready time, merchant), if it changed.
    #[serde(default)]
    pub pickup: Option<StopDoc>,
    /// New drop-off stop (address correction, promised time), if it changed.
    #[serde(default)]
    pub dropoff: Option<StopDoc>,
}

/// `PATCH /v1/dispatch/tasks/{id}`: changes order details; the courier sees them on the next pull.
pub async fn update_task(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TaskUpdate>,
) -> Result<Json<DispatchTask>, ApiError> {
    let clock = state.clock.clone();
    let (task, courier_id) = state
        .db
        .run(move |tx| {
            tasks::change_stops(
                tx,
                &id,
                body.pickup.as_ref(),
                body.dropoff.as_ref(),
                clock.now(),
            )
        })
        .await?;
    Ok(Json(DispatchTask { task, courier_id }))
}

/// `GET /v1/dispatch/after-sales`: open cases, oldest first.
pub async fn after_sales(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<AfterSalesCase>>, ApiError> {
    Ok(Json(state.db.run(after_sales::list).await?))
}

/// `PUT /v1/dispatch/settings`: publishes new settings to every phone (version + 1).
pub async fn put_settings(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(
        state.db.run(move |tx| settings::publish(tx, body)).await?,
    ))
}

/// `GET /v1/dispatch/settings`: the published settings (the defaults, version 0, if none).
pub async fn get_settings(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Settings>, ApiError> {
    let s = state.db.run(settings::load).await?;
    Ok(Json(s.unwrap_or_default()))
}

/// `GET /v1/dispatch/couriers/{id}/status`.
pub async fn courier_status(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<CourierStatus>, ApiError> {
    Ok(Json(
        state.db.run(move |tx| couriers::status(tx, &id)).await?,
    ))
}

/// `GET /v1/dispatch/tasks/{id}/messages`: messages sent to the task's customer, oldest first.
pub async fn task_messages(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<Vec<SentMessage>>, ApiError> {
    Ok(Json(
        state.db.run(move |tx| messages::for_task(tx, &id)).await?,
    ))
}

/// `PUT /v1/dispatch/checklists`: publishes a checklist template (a new version of its id);
/// every phone gets it on its next pull. Tasks already started keep the version they began with.
pub async fn put_checklist(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<runsheet_protocol::ChecklistTemplate>,
) -> Result<Json<runsheet_protocol::ChecklistTemplate>, ApiError> {
    Ok(Json(
        state
            .db
            .run(move |tx| checklists::publish(tx, body))
            .await?,
    ))
}

/// `GET /v1/dispatch/pin-corrections` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinCorrectionQuery {
    /// Which corrections (`pending` when absent).
    #[serde(default)]
    pub status: Option<PinCorrectionStatus>,
}

/// `GET /v1/dispatch/pin-corrections?status=pending`: couriers' corrections of drop-off pins
/// (pending ones apply only to their courier's later tasks), oldest first.
pub async fn pin_corrections(
    State(state): State<AppState>,
    _: Admin,
    query: Result<Query<PinCorrectionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<PinCorrection>>, ApiError> {
    let Query(q) = query?;
    let status = q.status.unwrap_or(PinCorrectionStatus::Pending);
    Ok(Json(
        state
            .db
            .run(move |tx| pin_corrections::list(tx, status))
            .await?,
    ))
}

/// `POST /v1/dispatch/pin-corrections/{id}/accept`: every later task to the address gets the
/// corrected pin.
pub async fn accept_pin_correction(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
) -> Result<Json<PinCorrection>, ApiError> {
    decide_pin_correction(state, admin, id, true).await
}

/// `POST /v1/dispatch/pin-corrections/{id}/reject`: no later task gets the corrected pin, not
/// even the correcting courier's.
pub async fn reject_pin_correction(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
) -> Result<Json<PinCorrection>, ApiError> {
    decide_pin_correction(state, admin, id, false).await
}

async fn decide_pin_correction(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    accept: bool,
) -> Result<Json<PinCorrection>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found("no pin correction with this id"))?;
    let clock = state.clock.clone();
    Ok(Json(
        state
            .db
            .run(move |tx| pin_corrections::decide(tx, id, accept, clock.now()))
            .await?,
    ))
}
