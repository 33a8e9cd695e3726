//! The dispatch API of offers: make an offer to a courier (one task or a stack of two or
//! three, with an expiry), read offers, and the offer figures (acceptance rate and decline
//! reasons, per courier and for the platform) (`docs/offers.md`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use runsheet_protocol::{NewOffer, OfferFigures, OfferRecord, WithdrawOffer};
use serde::Deserialize;

use crate::auth::Admin;
use crate::db::{offers, settings};
use crate::error::ApiError;
use crate::{ApiJson, AppState};

/// `POST /v1/dispatch/offers`: offers the courier the tasks until `expires_in_s` (else the
/// platform's `offer_expiry_s`, 30 s by default) from now by the server's clock. The offer
/// reaches the phone with its next pull. 404 for an unknown courier or task, 409
/// `task_not_offerable` for a task already assigned, under way or finished, 409
/// `task_on_offer` for one on another open offer.
pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<NewOffer>,
) -> Result<(StatusCode, Json<OfferRecord>), ApiError> {
    let now = state.clock.now();
    let record = state
        .db
        .run(move |tx| {
            let expiry = settings::load(tx)?.unwrap_or_default().offer_expiry_s;
            offers::create(tx, &body, expiry, now)
        })
        .await?;
    state.metrics.offers_made.inc();
    Ok((StatusCode::CREATED, Json(record)))
}

/// `GET /v1/dispatch/offers?courier=` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferFilter {
    /// Only this courier's offers.
    #[serde(default)]
    pub courier: Option<String>,
}

/// `GET /v1/dispatch/offers?courier=`: the offers, oldest first, each with its status as of now
/// (an open offer past its expiry is `expired`).
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
    query: Result<Query<OfferFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<OfferRecord>>, ApiError> {
    let Query(f) = query?;
    let now = state.clock.now();
    Ok(Json(
        state
            .db
            .run(move |tx| offers::list(tx, f.courier.as_deref(), now))
            .await?,
    ))
}

/// `GET /v1/dispatch/offers/{id}`: one offer, its status as of now.
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Json<OfferRecord>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found("no offer with this id"))?;
    let now = state.clock.now();
    Ok(Json(
        state.db.run(move |tx| offers::find(tx, id, now)).await?,
    ))
}

/// `POST /v1/dispatch/offers/{id}/withdraw`: dispatch takes back an open offer, with its
/// reason. The offer is `withdrawn` (its tasks free to be offered again) and the courier's next
/// pull carries it: the phone drops it from the offers page and tells the courier. An
/// acceptance that reaches the server afterwards is refused `offer_withdrawn`. 404 for an
/// unknown offer, 409 `offer_not_open` for one accepted, declined, expired or withdrawn
/// already.
pub async fn withdraw(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WithdrawOffer>,
) -> Result<Json<OfferRecord>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found("no offer with this id"))?;
    let now = state.clock.now();
    Ok(Json(
        state
            .db
            .run(move |tx| offers::withdraw(tx, id, body.reason.trim(), now))
            .await?,
    ))
}

/// `GET /v1/dispatch/offer-figures?since=` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// Count offers made at or after this time (Unix seconds; default: all).
    #[serde(default)]
    pub since: Option<i64>,
}

/// `GET /v1/dispatch/offer-figures?since=`: offers made, accepted, declined, expired, the
/// acceptance rate and the decline reasons, per courier and for the platform.
pub async fn figures(
    State(state): State<AppState>,
    _: Admin,
    query: Result<Query<FiguresQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OfferFigures>, ApiError> {
    let Query(q) = query?;
    let now = state.clock.now();
    let since = q.since.unwrap_or(0);
    Ok(Json(
        state
            .db
            .run(move |tx| offers::figures(tx, since, now))
            .await?,
    ))
}
