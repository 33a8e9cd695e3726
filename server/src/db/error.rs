//! The store's one error type. It knows nothing of HTTP: the server's edge turns it into an
//! answer (`From<StoreError> for ApiError` in `error.rs`).

use runsheet_protocol::{CaseStatus, CaseStep, TaskStatus};

/// Errors of the store: the engine failed, or the store refused a change that breaks a rule of
/// its data (a [`Refusal`]). Either way the transaction is rolled back.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (its result code is in the error).
    #[error("server database (SQLite): {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (its SQLSTATE is in the error).
    #[error("server database (PostgreSQL): {0}")]
    Postgres(#[from] ::postgres::Error),
    /// No pooled connection became free in time.
    #[error("server database: no connection free: {0}")]
    Busy(String),
    /// A row did not have the shape the query expected.
    #[error("server database: {0}")]
    Query(String),
    /// A stored document (JSON column) could not be read or written.
    #[error("server database: a stored document is unreadable: {0}")]
    Document(String),
    /// The store was written by a newer server.
    #[error("server database has schema version {found}, this build supports up to {supported}")]
    IncompatibleVersion {
        /// Found.
        found: i64,
        /// Supported.
        supported: i64,
    },
    /// The thread running the transaction stopped before it finished.
    #[error("server database: the transaction's worker stopped: {0}")]
    Worker(String),
    /// The change breaks a rule of the data; nothing was written.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

impl StoreError {
    /// A PostgreSQL serialization failure or deadlock: the transaction may simply be retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Postgres(e) => e.code().is_some_and(|c| {
                *c == ::postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == ::postgres::error::SqlState::T_R_DEADLOCK_DETECTED
            }),
            _ => false,
        }
    }

    /// The failure comes from the data of the change itself, and would come again on every
    /// retry: a refusal, a document that does not encode, a value the engine refuses
    /// (PostgreSQL's data exceptions, class 22, a NOT NULL or CHECK violation, a value too large
    /// for an index; SQLite's equivalents). A unique or foreign-key violation may be a race with
    /// a concurrent transaction and is not one.
    pub fn is_about_the_data(&self) -> bool {
        match self {
            StoreError::Refused(_) | StoreError::Document(_) => true,
            StoreError::Postgres(e) => e.code().is_some_and(|c| {
                let code = c.code();
                code.starts_with("22") || matches!(code, "23502" | "23514" | "54000")
            }),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                matches!(
                    e.code,
                    rusqlite::ErrorCode::TooBig | rusqlite::ErrorCode::TypeMismatch
                ) || matches!(
                    e.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_NOTNULL
                        | rusqlite::ffi::SQLITE_CONSTRAINT_CHECK
                        | rusqlite::ffi::SQLITE_CONSTRAINT_DATATYPE
                )
            }
            StoreError::Sqlite(
                rusqlite::Error::ToSqlConversionFailure(_)
                | rusqlite::Error::IntegralValueOutOfRange(..),
            ) => true,
            _ => false,
        }
    }

    /// The engine's own code for the failure: PostgreSQL's SQLSTATE (`40001`), or SQLite's
    /// extended result code (`2067`). `None` when the engine gave none.
    pub fn engine_code(&self) -> Option<String> {
        match self {
            StoreError::Postgres(e) => e.code().map(|c| c.code().to_owned()),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                Some(e.extended_code.to_string())
            }
            _ => None,
        }
    }

    /// A stored document that does not decode (or a value that does not encode).
    pub(crate) fn document(e: impl std::fmt::Display) -> Self {
        StoreError::Document(e.to_string())
    }
}

/// A change the store refuses because of what it already holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A courier with this id exists.
    #[error("a courier with this id exists")]
    CourierExists,
    /// No courier has this id.
    #[error("no courier with this id")]
    NoSuchCourier,
    /// A task with this id exists.
    #[error("a task with this id already exists")]
    TaskExists,
    /// No task has this id.
    #[error("no task with this id")]
    NoSuchTask,
    /// No task with this id is assigned to a courier.
    #[error("no assigned task with this id")]
    NoAssignedTask,
    /// The task is delivered, failed or cancelled: nothing changes it any more.
    #[error("the task is already {}", .0.as_str())]
    TaskFinal(TaskStatus),
    /// A reassignment to the courier who already holds the task.
    #[error("the task is already assigned to this courier")]
    SameCourier,
    /// The install (client id) was registered by another courier.
    #[error("this client id belongs to another courier")]
    ClientOfAnotherCourier,
    /// A push skipped mutation ids: `arrived` came when `expected` was due.
    #[error("mutation {arrived} arrived but {expected} was expected next")]
    MutationGap {
        /// The id that arrived.
        arrived: i64,
        /// The id the server expected next.
        expected: i64,
    },
    /// A pushed mutation id the server already applied from this install arrived with other
    /// content: another install (a restored backup, a copied database) uses the same client id.
    #[error("mutation {mutation_id} of this client id was already applied with other content")]
    MutationIdReused {
        /// The reused id.
        mutation_id: i64,
    },
    /// The phone is ahead of the server (its pull cursor is past the server's change feed): the
    /// server lost acknowledged commits (a restored backup). `expected` is the id the server
    /// expects next from this install (its last applied + 1).
    #[error("the server is behind this device (it restored an older state); it expects mutation {expected} next")]
    ServerBehind {
        /// The id the server expects next.
        expected: i64,
    },
    /// A rating with this id exists.
    #[error("a rating with this id exists")]
    RatingExists,
    /// No rating has this id.
    #[error("no rating with this id")]
    NoSuchRating,
    /// The rating was not appealed, or its appeal is decided.
    #[error("the rating has no pending appeal")]
    NoPendingAppeal,
    /// No pin correction has this id.
    #[error("no pin correction with this id")]
    NoSuchPinCorrection,
    /// The pin correction was already accepted or rejected.
    #[error("the pin correction is already decided")]
    PinCorrectionDecided,
    /// No after-sales case has this id.
    #[error("no case with this id")]
    NoSuchCase,
    /// The lifecycle table does not allow the step from the case's status.
    #[error("the case is {}; {} is not allowed from there", .status.as_str(), crate::db::after_sales::step_name(*.step))]
    CaseStepRefused {
        /// Where the case stands.
        status: CaseStatus,
        /// The step refused.
        step: CaseStep,
    },
    /// The team asked for a courier's statement on a case no courier delivered.
    #[error("no courier delivered or holds the case's task")]
    CaseWithoutCourier,
    /// A time in the command (a follow-up's promised time) is already past.
    #[error("{0} is in the past")]
    DeadlinePast(&'static str),
    /// A return pickup for a task with no merchant or return stop to bring the goods to.
    #[error("the task has no merchant or return stop to bring the goods back to")]
    NoReturnStop,
    /// No recall has this id.
    #[error("no recall with this id")]
    NoSuchRecall,
    /// The recall was already lifted.
    #[error("the recall is already lifted")]
    RecallLifted,
    /// No offer has this id.
    #[error("no offer with this id")]
    NoSuchOffer,
    /// An offer names no task, more than three, or one twice.
    #[error("an offer is one task or a stack of two or three different tasks")]
    OfferSize,
    /// A task offered is assigned to a courier already, under way or finished.
    #[error("the task is not waiting for a courier (it is assigned, under way or finished)")]
    TaskNotOfferable,
    /// A task offered is on another open offer.
    #[error("the task is on another open offer")]
    TaskOnOffer,
    /// The offer cannot be withdrawn: it is no longer open (its status named).
    #[error("the offer is {0}, no longer open")]
    OfferNotOpen(&'static str),
    /// Dispatch cannot name this receiving courier for the task's handover.
    #[error("{}", handover_refusal_text(*.0))]
    Handover(runsheet_protocol::HandoverRefusal),
    /// An earning line with this id exists.
    #[error("an earning line with this id exists")]
    EarningLineExists,
    /// No earning line has this id.
    #[error("no earning line with this id")]
    NoSuchEarningLine,
    /// An amount in another currency than the pay rates' (given).
    #[error("couriers are paid in {0}; the amount is in another currency")]
    OtherCurrency(String),
    /// The courier does not hold a qualification the task needs (never passed, or expired).
    #[error("the courier does not hold the {module_id} qualification the task needs{}", if .expired_at.is_some() { " (it has expired)" } else { "" })]
    NotQualified {
        /// The module whose pass the task needs.
        module_id: String,
        /// When the courier's earlier pass expired, if it did.
        expired_at: Option<i64>,
    },
}

fn handover_refusal_text(r: runsheet_protocol::HandoverRefusal) -> &'static str {
    use runsheet_protocol::HandoverRefusal::*;
    match r {
        NoHandoverRequested => "the task has no open handover request",
        HandoverToSelf => "a courier cannot hand a task over to themselves",
        CourierOffDuty => "the receiving courier is not on duty",
        HandoverAlreadyAssigned => "a receiving courier is already named for this handover",
    }
}
