//! Dispatch's side of the couriers' earnings: tips and adjustments (amounts read exactly, with
//! no more decimals than the currency allows), decisions on appealed lines, and a courier's
//! statement for a day or a week with the incentive programmes' progress.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use runsheet_protocol::{parse_amount, EarningLineDoc, Money};
use serde::Deserialize;

use crate::auth::Admin;
use crate::db::earnings;
use crate::error::ApiError;
use crate::input::Invalid;
use crate::{ApiJson, AppState};

pub use crate::db::earnings::{
    EarningsStatement, ManualKind, NewEarningLine, ReviewedLine, StatementPeriod,
};

/// An amount of a request read exactly, or the 422 that says why it cannot be.
pub(crate) fn amount(field: &str, text: &str, currency: &str) -> Result<Money, Invalid> {
    parse_amount(text, currency).map_err(|p| Invalid::new(field, p.reason(currency)))
}

/// `POST /v1/dispatch/earnings`: adds a tip or an adjustment to the courier of a task; their
/// phone gets it on the next pull.
pub async fn add(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<NewEarningLine>,
) -> Result<(StatusCode, Json<EarningLineDoc>), ApiError> {
    // Checked by the extractor already; read again for the value.
    let money = amount("amount", &body.amount, &body.currency)?;
    let clock = state.clock.clone();
    let out = state
        .db
        .run(move |tx| earnings::add(tx, &body, money, clock.now()))
        .await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// `POST /v1/dispatch/earnings/{id}/decision` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayDecision {
    /// True: the courier is right.
    pub upheld: bool,
    /// The decision's note for the courier.
    #[serde(default)]
    pub note: Option<String>,
    /// With an upheld appeal: the correction paid, a decimal text in `currency` (an
    /// adjustment line is added).
    #[serde(default)]
    pub correction: Option<String>,
    /// The correction's ISO 4217 code (required with `correction`).
    #[serde(default)]
    pub currency: Option<String>,
}

impl PayDecision {
    /// The correction as money, if one is given.
    pub(crate) fn correction(&self) -> Result<Option<Money>, Invalid> {
        match (&self.correction, &self.currency) {
            (None, _) => Ok(None),
            (Some(_), None) => Err(Invalid::new("currency", "a correction needs its currency")),
            (Some(text), Some(c)) => {
                let m = amount("correction", text, c)?;
                if m.minor == 0 {
                    return Err(Invalid::new("correction", "the amount must not be zero"));
                }
                if !self.upheld {
                    return Err(Invalid::new(
                        "correction",
                        "only an upheld appeal pays a correction",
                    ));
                }
                Ok(Some(m))
            }
        }
    }
}

/// `POST /v1/dispatch/earnings/{id}/decision`: decides a line's pending appeal; the courier's
/// next pull brings the decision (and the correction, if one is paid).
pub async fn decide(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PayDecision>,
) -> Result<Json<EarningLineDoc>, ApiError> {
    let correction = body.correction()?;
    let clock = state.clock.clone();
    let out = state
        .db
        .run(move |tx| {
            earnings::decide(
                tx,
                &id,
                body.upheld,
                body.note.as_deref(),
                correction.clone(),
                clock.now(),
            )
        })
        .await?;
    Ok(Json(out))
}

/// `GET /v1/dispatch/couriers/{id}/earnings` query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    /// `day` or `week`.
    pub period: StatementPeriod,
    /// A time inside the period, Unix seconds (default: now).
    #[serde(default)]
    pub at: Option<i64>,
}

/// `GET /v1/dispatch/couriers/{id}/earnings?period=day|week&at=T`: the courier's lines in the
/// day or week holding `at`, their total, and the incentive programmes' progress.
pub async fn statement(
    State(state): State<AppState>,
    _: Admin,
    Path(courier): Path<String>,
    query: Result<Query<StatementQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EarningsStatement>, ApiError> {
    let Query(q) = query?;
    let at = q.at.unwrap_or_else(|| state.clock.now());
    if !(0..=crate::input::MAX_UNIX_TIME).contains(&at) {
        return Err(ApiError::bad_request("at must be a Unix time"));
    }
    let out = state
        .db
        .run(move |tx| earnings::statement(tx, &courier, q.period, at))
        .await?;
    Ok(Json(out))
}
