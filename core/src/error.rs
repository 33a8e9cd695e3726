//! The core's internal error: detailed, with sources. The FFI crate maps it to the small public
//! enum a shell can act on; nothing here carries a customer's name, phone or address, or a token.

use runsheet_protocol::TaskStatus;

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
