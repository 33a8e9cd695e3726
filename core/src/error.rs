//! The core's internal error: detailed, with sources. The FFI crate maps it to the small public
//! enum a shell can act on; nothing here carries a customer's name, phone or address, or a token.

use runsheet_protocol::TaskStatus;
use runsheet_words::{Args, Words};

use crate::{blocker, wording};

/// The server's codes for a refused take of a nearby handover (`crate::nearby_handover`), each
/// told by the words `error-take-<code>` (dashes for underscores).
pub(crate) const TAKE_REFUSALS: [&str; 5] = [
    "handover_to_self",
    "courier_off_duty",
    "handover_already_assigned",
    "no_handover_requested",
    "task_final",
];

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer build of Runsheet; it is left untouched.
    #[error("the database has schema version {found}, this build supports up to {supported}")]
    IncompatibleVersion {
        /// Version found in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// The file is not a usable SQLite database. It is reported, never deleted: it may hold
    /// courier actions that have not reached the server.
    #[error("the database file is damaged or not a database ({0}); it has been left in place")]
    Corrupt(String),
    /// The database key does not open the encrypted database (or the file is damaged beyond
    /// telling). The file is left as it was: with the right key it opens again.
    #[error("the database key does not open the database; it has been left in place")]
    WrongKey,
    /// No task with this id is on the courier's list.
    #[error("task {task_id} is not on your list")]
    TaskNotFound {
        /// The id asked for.
        task_id: String,
    },
    /// The action is not allowed in the task's current state.
    #[error("task {task_id} is {}; {action} is not possible now", status.label())]
    InvalidTransition {
        /// The task.
        task_id: String,
        /// Its current status.
        status: TaskStatus,
        /// The action refused.
        action: &'static str,
    },
    /// The workflow refuses the action until something is done first; each blocker says what,
    /// in words a shell can show.
    #[error(
        "cannot {action} task {task_id} yet: {}",
        crate::blocker::join(blockers)
    )]
    Blocked {
        /// The task ("" for shift actions).
        task_id: String,
        /// The action refused.
        action: &'static str,
        /// What is missing.
        blockers: Vec<crate::blocker::Blocker>,
    },
    /// No after-sales case with this number is on the phone (it is not about the courier's
    /// deliveries, or it has not been pulled yet).
    #[error("case {case_id} is not on this phone")]
    CaseNotFound {
        /// The case asked for.
        case_id: i64,
    },
    /// The case is settled (resolved, rejected or closed): it takes no statement any more.
    #[error("case {case_id} is {}; it takes no statement any more", status.as_str())]
    CaseSettled {
        /// The case.
        case_id: i64,
        /// Its status.
        status: runsheet_protocol::CaseStatus,
    },
    /// No offer with this number is on the phone.
    #[error("offer {offer_id} is not on this phone")]
    OfferNotFound {
        /// The offer asked for.
        offer_id: i64,
    },
    /// The offer's time is up (by the server's clock): it takes no answer any more.
    #[error("offer {offer_id} has expired")]
    OfferExpired {
        /// The offer.
        offer_id: i64,
    },
    /// The offer was already answered, or settled by the server.
    #[error("offer {offer_id} was already answered")]
    OfferAnswered {
        /// The offer.
        offer_id: i64,
    },
    /// A caller passed something unusable (an empty id, a bad URL).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The server could not be reached (no network, refused, timed out).
    #[error("server unreachable: {0}")]
    Offline(String),
    /// The server refused the token.
    #[error("the server refused the courier's token")]
    AuthRequired,
    /// The server answered with an error status.
    #[error("server answered HTTP {status} ({code}): {reason}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's error code.
        code: String,
        /// The server's explanation.
        reason: String,
        /// Seconds the server asked the client to wait (`Retry-After`), if it did.
        retry_after: Option<u64>,
        /// The mutation id the answer names: the id the server expects next (`mutation_gap`,
        /// `server_behind`) or the id it found reused (`mutation_id_reused`).
        mutation_id: Option<i64>,
    },
    /// The server's answer could not be understood; nothing was applied.
    #[error("unreadable server answer: {0}")]
    BadResponse(String),
    /// The server and the device disagree about which mutations were sent; nothing was applied.
    #[error("sync protocol violation: {0}")]
    Protocol(String),
    /// No training module with this id is on the phone.
    #[error("training module {module_id} is not on this phone")]
    ModuleNotFound {
        /// The module asked for.
        module_id: String,
    },
    /// The quiz answered is for a version of the module that has been replaced; nothing was
    /// recorded: the courier takes the new version.
    #[error("the answers are for version {answered} of training module {module_id}; it is now version {current}")]
    ModuleReplaced {
        /// The module.
        module_id: String,
        /// The version answered.
        answered: i64,
        /// The module's current version.
        current: i64,
    },
    /// A cash amount the courier typed cannot be recorded (more decimals than the currency
    /// allows, not a number, ...); nothing was recorded.
    #[error("the amount was refused: {problem}")]
    InvalidAmount {
        /// Why.
        problem: runsheet_protocol::AmountProblem,
    },
    /// The code scanned at the drop-off is not the label of the task's locker or pickup point;
    /// nothing was recorded.
    #[error("the scanned code is not task {task_id}'s locker")]
    WrongLocker {
        /// The task.
        task_id: String,
    },
}

impl Error {
    /// True for failures that a later sync may get past without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Offline(_) | Error::BadResponse(_) => true,
            Error::Server { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

impl Error {
    /// What went wrong, in the courier's language: a sentence a shell can show as it is. It
    /// never carries a customer's data, a token or a developer's detail (those stay in the
    /// English `Display`, for logs).
    pub fn sentence(&self, words: &Words) -> String {
        let plain = |id: &str| words.text(id, &Args::new());
        match self {
            Error::Sqlite(_) => plain("error-storage"),
            Error::IncompatibleVersion { .. } => plain("error-newer-version"),
            Error::Corrupt(_) => plain("error-corrupt"),
            Error::WrongKey => plain("error-wrong-key"),
            Error::TaskNotFound { task_id } => {
                words.text("error-task-not-found", &Args::new().str("task", task_id))
            }
            Error::InvalidTransition {
                task_id,
                status,
                action,
            } => words.text(
                "error-invalid-transition",
                &Args::new()
                    .str("task", task_id)
                    .str("status", wording::status(words, *status))
                    .str("action", wording::action(words, action)),
            ),
            Error::Blocked {
                task_id,
                action,
                blockers,
            } => words.text(
                "error-blocked",
                &Args::new()
                    .str("what", blocker::what_in(words, action, task_id))
                    .str("blockers", blocker::join_in(words, blockers)),
            ),
            Error::CaseNotFound { case_id } => words.text(
                "error-case-not-found",
                &Args::new().str("case", case_id.to_string()),
            ),
            Error::CaseSettled { case_id, status } => words.text(
                "error-case-settled",
                &Args::new()
                    .str("case", case_id.to_string())
                    .str("status", wording::case_status(words, *status)),
            ),
            Error::OfferNotFound { offer_id } => words.text(
                "error-offer-not-found",
                &Args::new().str("offer", offer_id.to_string()),
            ),
            Error::OfferExpired { offer_id } => words.text(
                "error-offer-expired",
                &Args::new().str("offer", offer_id.to_string()),
            ),
            Error::OfferAnswered { offer_id } => words.text(
                "error-offer-answered",
                &Args::new().str("offer", offer_id.to_string()),
            ),
            Error::InvalidArgument(_) => plain("error-invalid-argument"),
            Error::Offline(_) => plain("error-offline"),
            Error::AuthRequired => plain("error-auth-required"),
            Error::Server {
                status,
                retry_after,
                ..
            } if *status >= 500 || *status == 429 => match retry_after {
                Some(s) => words.text(
                    "error-server-busy-retry",
                    &Args::new().str(
                        "duration",
                        words.duration(i64::try_from(*s).unwrap_or(i64::MAX)),
                    ),
                ),
                None => plain("error-server-busy"),
            },
            Error::Server {
                status: 409, code, ..
            } if TAKE_REFUSALS.contains(&code.as_str()) => {
                plain(&format!("error-take-{}", code.replace('_', "-")))
            }
            Error::Server { status, .. } => words.text(
                "error-server-refused",
                &Args::new().str("status", status.to_string()),
            ),
            Error::BadResponse(_) => plain("error-bad-response"),
            Error::Protocol(_) => plain("error-protocol"),
            Error::ModuleNotFound { .. } => plain("error-module-not-found"),
            Error::ModuleReplaced { current, .. } => words.text(
                "error-module-replaced",
                &Args::new().num("version", *current),
            ),
            Error::InvalidAmount { problem } => words.text(
                "error-invalid-amount",
                &Args::new().str("problem", wording::amount_problem(words, problem)),
            ),
            Error::WrongLocker { task_id } => {
                words.text("error-wrong-locker", &Args::new().str("task", task_id))
            }
        }
    }

    /// The wait the server asked for, if any.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use runsheet_words::Language;

    use super::*;
    use crate::blocker::Blocker;

    fn every_error() -> Vec<Error> {
        vec![
            Error::Sqlite(rusqlite::Error::InvalidQuery),
            Error::IncompatibleVersion {
                found: 9,
                supported: 7,
            },
            Error::Corrupt("task T9 has unreadable items: at line 1".into()),
            Error::WrongKey,
            Error::TaskNotFound {
                task_id: "F1".into(),
            },
            Error::InvalidTransition {
                task_id: "F1".into(),
                status: TaskStatus::Delivered,
                action: "pick_up",
            },
            Error::Blocked {
                task_id: "F1".into(),
                action: "delivered",
                blockers: vec![Blocker::PhotoRequired, Blocker::NotAtDropoff],
            },
            Error::InvalidArgument("phone 13800138000 is not a URL".into()),
            Error::Offline("connection refused (10.0.0.1)".into()),
            Error::AuthRequired,
            Error::Server {
                status: 503,
                code: "unavailable".into(),
                reason: "maintenance".into(),
                retry_after: Some(120),
                mutation_id: None,
            },
            Error::Server {
                status: 429,
                code: "rate_limited".into(),
                reason: "slow down".into(),
                retry_after: None,
                mutation_id: None,
            },
            Error::Server {
                status: 409,
                code: "mutation_gap".into(),
                reason: "expected 4".into(),
                retry_after: None,
                mutation_id: Some(4),
            },
            Error::BadResponse("expected value at line 1 column 1, token abc.def".into()),
            Error::Protocol("server acknowledged mutation 9 never sent".into()),
            Error::CaseNotFound { case_id: 7 },
            Error::CaseSettled {
                case_id: 7,
                status: runsheet_protocol::CaseStatus::Closed,
            },
            Error::OfferNotFound { offer_id: 3 },
            Error::OfferExpired { offer_id: 3 },
            Error::OfferAnswered { offer_id: 3 },
            Error::ModuleNotFound {
                module_id: "cold-chain".into(),
            },
            Error::ModuleReplaced {
                module_id: "cold-chain".into(),
                answered: 1,
                current: 2,
            },
            Error::InvalidAmount {
                problem: runsheet_protocol::AmountProblem::TooManyDecimals {
                    currency: "CNY".into(),
                    allowed: 2,
                },
            },
            Error::WrongLocker {
                task_id: "P1".into(),
            },
        ]
    }

    #[test]
    fn every_error_has_a_sentence_in_both_languages_without_details() {
        for language in Language::ALL {
            let words = Words::of(language);
            for e in every_error() {
                let s = e.sentence(&words);
                assert!(!s.is_empty() && !s.starts_with("error-"), "{s}");
                for secret in [
                    "13800138000",
                    "10.0.0.1",
                    "abc.def",
                    "unreadable",
                    "maintenance",
                ] {
                    assert!(!s.contains(secret), "{s}");
                }
            }
        }
    }

    #[test]
    fn errors_read_in_chinese() {
        let zh = Words::of(Language::ZhCn);
        let e = every_error();
        assert_eq!(e[4].sentence(&zh), "订单F1不在您的任务列表中。");
        assert_eq!(
            e[5].sentence(&zh),
            "订单F1当前为“已送达”，现在无法确认取货。"
        );
        assert_eq!(
            e[6].sentence(&zh),
            "暂时无法确认订单F1送达：请至少上传一张照片；请先到达送货点。"
        );
        assert_eq!(e[10].sentence(&zh), "服务器繁忙，2分钟后会自动重试。");
        assert_eq!(e[12].sentence(&zh), "服务器拒绝了此操作（HTTP 409）。");
        assert_eq!(
            e[16].sentence(&zh),
            "售后工单7当前为“已关闭”，不再接受说明。"
        );
        let amount = e
            .iter()
            .find(|x| matches!(x, Error::InvalidAmount { .. }))
            .expect("an amount refusal in every_error");
        assert_eq!(
            amount.sentence(&zh),
            "金额无法记录：CNY最多只能有2位小数。没有记录任何内容。"
        );
        let en = Words::of(Language::En);
        assert_eq!(
            e[6].sentence(&en),
            "Cannot deliver task F1 yet: add at least one photo; get to the drop-off first."
        );
        assert_eq!(
            e[5].sentence(&en),
            "Task F1 (Delivered): picking up is not possible now."
        );
        // Display stays the English line for logs.
        assert_eq!(
            e[6].to_string(),
            "cannot delivered task F1 yet: add at least one photo; get to the drop-off first"
        );
    }
}
