//! The server's HTTP error type: every failure becomes a JSON [`ErrorBody`] with a 4xx/5xx
//! status. The store's errors become answers here, at the edge ([`From<StoreError>`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use runsheet_protocol::ErrorBody;

use crate::db::{Refusal, StoreError};

/// An error answered to the caller.
#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {reason}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code.
    pub code: &'static str,
    /// A sentence for people (no personal data, no tokens).
    pub reason: String,
    /// For `mutation_gap` and `server_behind`: the id expected next.
    pub expected_mutation_id: Option<i64>,
    /// For `mutation_id_reused`: the reused id.
    pub mutation_id: Option<i64>,
    /// For `invalid` (422): the field at fault, a path into the body.
    pub field: Option<String>,
    /// For `not_qualified` (409): the training module whose pass is missing (boxed: the error
    /// stays small).
    pub qualification: Option<Box<str>>,
}

impl ApiError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, reason: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            reason: reason.into(),
            expected_mutation_id: None,
            mutation_id: None,
            field: None,
            qualification: None,
        }
    }

    /// 400 bad_request.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", reason)
    }

    /// 401 unauthorized.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    /// 403 forbidden.
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", reason)
    }

    /// 404 not_found.
    pub fn not_found(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", reason)
    }

    /// 405 method_not_allowed: the path exists, not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this path does not take this method",
        )
    }

    /// 409 conflict with a code.
    pub fn conflict(code: &'static str, reason: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, reason)
    }

    /// 503: the server cannot take the request now (no database connection free, shutting
    /// down, a conflicting concurrent transaction); the client retries later.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", reason)
    }

    /// 500 internal: logged here, answered without detail.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; retry later",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(r) => r.into(),
            StoreError::Busy(detail) => {
                tracing::warn!(error = %detail, "no database connection free");
                ApiError::unavailable("the server is busy; retry later")
            }
            e if e.is_retryable() => {
                let sqlstate = crate::ops::sqlstate(&e);
                tracing::warn!(error = %e, %sqlstate, "transaction conflict; the client retries");
                ApiError::unavailable("a concurrent update conflicted; retry")
            }
            e => {
                let sqlstate = crate::ops::sqlstate(&e);
                tracing::error!(error = %e, %sqlstate, "store failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server failed; retry later",
                )
            }
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let reason = r.to_string();
        match r {
            Refusal::CourierExists => ApiError::conflict("courier_exists", reason),
            Refusal::TaskExists => ApiError::conflict("task_exists", reason),
            Refusal::RatingExists => ApiError::conflict("rating_exists", reason),
            Refusal::TaskFinal(_) => ApiError::conflict("task_final", reason),
            Refusal::SameCourier => ApiError::conflict("same_courier", reason),
            Refusal::NoPendingAppeal => ApiError::conflict("no_pending_appeal", reason),
            Refusal::PinCorrectionDecided => ApiError::conflict("pin_correction_decided", reason),
            Refusal::CaseStepRefused { .. } => ApiError::conflict("case_step_refused", reason),
            Refusal::CaseWithoutCourier => ApiError::conflict("case_without_courier", reason),
            Refusal::NoReturnStop => ApiError::conflict("no_return_stop", reason),
            Refusal::RecallLifted => ApiError::conflict("recall_lifted", reason),
            Refusal::TaskNotOfferable => ApiError::conflict("task_not_offerable", reason),
            Refusal::TaskOnOffer => ApiError::conflict("task_on_offer", reason),
            Refusal::OfferNotOpen(_) => ApiError::conflict("offer_not_open", reason),
            Refusal::OfferSize => {
                let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", reason);
                e.field = Some("task_ids".into());
                e
            }
            Refusal::Handover(h) => ApiError::conflict(h.as_str(), reason),
            Refusal::EarningLineExists => ApiError::conflict("earning_line_exists", reason),
            Refusal::OtherCurrency(_) => ApiError::conflict("other_currency", reason),
            Refusal::NotQualified { module_id, .. } => {
                let mut e = ApiError::conflict("not_qualified", reason);
                e.qualification = Some(module_id.into_boxed_str());
                e
            }
            Refusal::DeadlinePast(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "deadline_past", reason)
            }
            Refusal::MutationGap { expected, .. } => {
                let mut e = ApiError::conflict("mutation_gap", reason);
                e.expected_mutation_id = Some(expected);
                e
            }
            Refusal::ServerBehind { expected } => {
                let mut e = ApiError::conflict("server_behind", reason);
                e.expected_mutation_id = Some(expected);
                e
            }
            Refusal::MutationIdReused { mutation_id } => {
                let mut e = ApiError::conflict("mutation_id_reused", reason);
                e.mutation_id = Some(mutation_id);
                e
            }
            Refusal::NoSuchCourier
            | Refusal::NoSuchTask
            | Refusal::NoAssignedTask
            | Refusal::NoSuchRating
            | Refusal::NoSuchPinCorrection
            | Refusal::NoSuchCase
            | Refusal::NoSuchRecall
            | Refusal::NoSuchOffer
            | Refusal::NoSuchEarningLine => ApiError::not_found(reason),
            Refusal::ClientOfAnotherCourier => ApiError::forbidden(reason),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::bad_request(r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            reason: self.reason,
            expected_mutation_id: self.expected_mutation_id,
            mutation_id: self.mutation_id,
            field: self.field,
            qualification: self.qualification.map(String::from),
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runsheet_protocol::TaskStatus;

    #[test]
    fn store_refusals_become_the_documented_answers() {
        let cases = [
            (Refusal::CourierExists, 409, "courier_exists"),
            (Refusal::TaskExists, 409, "task_exists"),
            (Refusal::RatingExists, 409, "rating_exists"),
            (Refusal::TaskFinal(TaskStatus::Delivered), 409, "task_final"),
            (Refusal::SameCourier, 409, "same_courier"),
            (Refusal::NoPendingAppeal, 409, "no_pending_appeal"),
            (Refusal::NoSuchCourier, 404, "not_found"),
            (Refusal::NoSuchTask, 404, "not_found"),
            (Refusal::NoAssignedTask, 404, "not_found"),
            (Refusal::NoSuchRating, 404, "not_found"),
            (Refusal::ClientOfAnotherCourier, 403, "forbidden"),
        ];
        for (refusal, status, code) in cases {
            let reason = refusal.to_string();
            let e = ApiError::from(StoreError::from(refusal));
            assert_eq!((e.status.as_u16(), e.code), (status, code));
            assert_eq!(e.reason, reason);
            assert_eq!(e.expected_mutation_id, None);
        }
        let gap = ApiError::from(StoreError::from(Refusal::MutationGap {
            arrived: 7,
            expected: 5,
        }));
        assert_eq!((gap.status.as_u16(), gap.code), (409, "mutation_gap"));
        assert_eq!(gap.expected_mutation_id, Some(5));
        assert_eq!(gap.reason, "mutation 7 arrived but 5 was expected next");
        let behind = ApiError::from(StoreError::from(Refusal::ServerBehind { expected: 4 }));
        assert_eq!(
            (behind.status.as_u16(), behind.code),
            (409, "server_behind")
        );
        assert_eq!(behind.expected_mutation_id, Some(4));
        let reused = ApiError::from(StoreError::from(Refusal::MutationIdReused {
            mutation_id: 3,
        }));
        assert_eq!(
            (reused.status.as_u16(), reused.code),
            (409, "mutation_id_reused")
        );
        assert_eq!(
            (reused.mutation_id, reused.expected_mutation_id),
            (Some(3), None)
        );
        let final_task =
            ApiError::from(StoreError::from(Refusal::TaskFinal(TaskStatus::Cancelled)));
        assert_eq!(final_task.reason, "the task is already cancelled");
    }

    #[test]
    fn engine_failures_are_answered_without_their_detail() {
        let busy = ApiError::from(StoreError::Busy("pool timed out".into()));
        assert_eq!((busy.status.as_u16(), busy.code), (503, "unavailable"));
        let broken = ApiError::from(StoreError::Query("column 3 holds text".into()));
        assert_eq!((broken.status.as_u16(), broken.code), (500, "internal"));
        assert!(!broken.reason.contains("column"));
    }
}
