//! The server's store: one interface, two engines. SQLite (one file, one writer connection) is
//! the embedded default for the demo, QA and a fresh clone; PostgreSQL (a pooled connection per
//! request, row locks, LISTEN/NOTIFY) lets several stateless replicas share one primary.
//!
//! Handlers see only [`Db::run`] and [`Tx`]: one transaction per call, committed when the
//! closure returns `Ok`, rolled back otherwise, with the same SQL text on both engines.

mod postgres;
mod sql;
mod sqlite;

pub mod feed;

use std::path::PathBuf;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

pub use self::postgres::create_database;
pub use feed::ChangeFeed;
pub use sql::{dollar_placeholders, postgres_dialect, FromValue, Param, Row, Value};

use crate::error::ApiError;

/// Migration `n` takes the server schema from version `n - 1` to `n`. Written in SQLite's
/// dialect; PostgreSQL runs [`postgres_dialect`] of the same text, so the versions match.
pub(crate) const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE couriers (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        token_sha256 TEXT NOT NULL UNIQUE,
        created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE tasks (
        id         TEXT PRIMARY KEY,
        courier_id TEXT REFERENCES couriers(id),
        kind       TEXT NOT NULL,
        status     TEXT NOT NULL,
        pickup     TEXT,
        dropoff    TEXT NOT NULL,
        revision   INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE changes (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        courier_id TEXT NOT NULL,
        task_id    TEXT NOT NULL,
        op         TEXT NOT NULL CHECK (op IN ('upsert', 'remove'))
    ) STRICT;
    CREATE INDEX changes_by_courier ON changes(courier_id, seq);
    CREATE TABLE clients (
        client_id        TEXT PRIMARY KEY,
        courier_id       TEXT NOT NULL REFERENCES couriers(id),
        last_mutation_id INTEGER NOT NULL DEFAULT 0,
        created_at       INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE mutations (
        client_id   TEXT NOT NULL,
        mutation_id INTEGER NOT NULL,
        courier_id  TEXT NOT NULL,
        task_id     TEXT NOT NULL,
        action      TEXT NOT NULL,
        device_time INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        outcome     TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected')),
        reject_code TEXT,
        reason      TEXT,
        PRIMARY KEY (client_id, mutation_id)
    ) STRICT;
    CREATE INDEX mutations_by_task ON mutations(task_id);
"#,
    r#"
    CREATE TABLE attachments (
        sha256      TEXT PRIMARY KEY,
        courier_id  TEXT NOT NULL REFERENCES couriers(id),
        size        INTEGER NOT NULL,
        content     BLOB NOT NULL,
        received_at INTEGER NOT NULL
    ) STRICT;
"#,
    r#"
    CREATE TABLE location_fixes (
        client_id   TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        courier_id  TEXT NOT NULL,
        lat         REAL NOT NULL,
        lon         REAL NOT NULL,
        accuracy_m  REAL NOT NULL,
        recorded_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (client_id, seq)
    ) STRICT;
    CREATE INDEX fixes_by_courier ON location_fixes(courier_id, recorded_at);
    CREATE TABLE location_drops (
        courier_id  TEXT NOT NULL,
        dropped     INTEGER NOT NULL,
        reported_at INTEGER NOT NULL
    ) STRICT;
"#,
    r#"
    CREATE TABLE after_sales (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id     TEXT NOT NULL,
        courier_id  TEXT NOT NULL,
        client_id   TEXT NOT NULL,
        mutation_id INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        detail      TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    ) STRICT;
"#,
    r#"
    CREATE TABLE settings (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL,
        body    TEXT NOT NULL
    ) STRICT;
"#,
    r#"
    ALTER TABLE tasks ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE mutations ADD COLUMN context TEXT;
    CREATE TABLE address_pins (
        address_key  TEXT PRIMARY KEY,
        lat          REAL NOT NULL,
        lon          REAL NOT NULL,
        courier_id   TEXT NOT NULL,
        task_id      TEXT NOT NULL,
        corrected_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE messages (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id    TEXT NOT NULL,
        courier_id TEXT NOT NULL,
        template   TEXT NOT NULL,
        body       TEXT NOT NULL,
        sent_at    INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE courier_status (
        courier_id TEXT PRIMARY KEY REFERENCES couriers(id),
        state      TEXT NOT NULL CHECK (state IN ('on_duty', 'on_break', 'off_duty')),
        since      INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE checklist_templates (
        id      TEXT NOT NULL,
        version INTEGER NOT NULL,
        seq     INTEGER NOT NULL UNIQUE,
        body    TEXT NOT NULL,
        PRIMARY KEY (id, version)
    ) STRICT;
    CREATE TABLE ratings (
        id            TEXT PRIMARY KEY,
        courier_id    TEXT NOT NULL,
        task_id       TEXT NOT NULL,
        source        TEXT NOT NULL,
        stars         INTEGER,
        tags          TEXT NOT NULL DEFAULT '[]',
        comment       TEXT,
        created_at    INTEGER NOT NULL,
        appeal        TEXT,
        appeal_note   TEXT,
        appeal_reason TEXT,
        evidence      TEXT,
        seq           INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX ratings_by_courier ON ratings(courier_id, seq);
    CREATE TABLE stop_ratings (
        task_id    TEXT NOT NULL,
        target     TEXT NOT NULL,
        courier_id TEXT NOT NULL,
        stars      INTEGER NOT NULL,
        tags       TEXT NOT NULL,
        note       TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, target)
    ) STRICT;
"#,
];

/// Where the store lives.
#[derive(Clone, PartialEq, Eq)]
pub enum DbConfig {
    /// One SQLite file (WAL).
    Sqlite(PathBuf),
    /// A PostgreSQL database, shared by any number of server replicas.
    Postgres {
        /// `postgres://user@host:port/db` (a password in it is never logged).
        url: String,
        /// Connection pool limits.
        pool: PoolLimits,
    },
}

impl std::fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbConfig::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            DbConfig::Postgres { pool, .. } => f
                .debug_struct("Postgres")
                .field("url", &"<redacted>")
                .field("pool", pool)
                .finish(),
        }
    }
}

impl DbConfig {
    /// `postgres://…` or `postgresql://…` is PostgreSQL with default pool limits; anything else
    /// is a SQLite file path.
    pub fn parse(spec: &str) -> DbConfig {
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            DbConfig::Postgres {
                url: spec.to_owned(),
                pool: PoolLimits::default(),
            }
        } else {
            DbConfig::Sqlite(PathBuf::from(spec))
        }
    }
}

/// The variable holding the URL of a PostgreSQL server the test suites may create databases
/// on (`cargo xtask test` starts a throwaway cluster and sets it).
pub const TEST_POSTGRES_VAR: &str = "RUNSHEET_TEST_POSTGRES";

/// Set (by `cargo xtask test`) when the PostgreSQL runs of the shared suites must not skip.
pub const REQUIRE_POSTGRES_VAR: &str = "RUNSHEET_REQUIRE_POSTGRES";

/// For test suites: a fresh, empty PostgreSQL database on the server named by
/// [`TEST_POSTGRES_VAR`], or `None` (with a note on stderr) when the variable is unset. Panics
/// when it is unset but [`REQUIRE_POSTGRES_VAR`] is, or when the database cannot be created:
/// a suite that was meant to run against PostgreSQL must not pass by skipping.
pub fn test_postgres(label: &str) -> Option<DbConfig> {
    let Ok(admin) = std::env::var(TEST_POSTGRES_VAR) else {
        assert!(
            std::env::var_os(REQUIRE_POSTGRES_VAR).is_none(),
            "{REQUIRE_POSTGRES_VAR} is set but {TEST_POSTGRES_VAR} is not"
        );
        eprintln!("{label}: skipped on PostgreSQL ({TEST_POSTGRES_VAR} unset; `cargo xtask test` sets it)");
        return None;
    };
    let name = format!(
        "rs_{}_{}",
        label
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(30)
            .collect::<String>()
            .to_lowercase(),
        uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .get(..10)
            .unwrap_or("0")
    );
    let url = create_database(&admin, &name)
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    Some(DbConfig::Postgres {
        url,
        pool: PoolLimits::default(),
    })
}

/// Limits of the PostgreSQL connection pool (per replica).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    /// Most connections open at once; requests beyond wait for one.
    pub max_connections: u32,
    /// How long a request waits for a connection before it is answered 503.
    pub acquire_timeout: Duration,
}

impl Default for PoolLimits {
    fn default() -> Self {
        PoolLimits {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite failed.
    #[error("server database (SQLite): {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("server database (PostgreSQL): {0}")]
    Postgres(#[from] ::postgres::Error),
    /// No pooled connection became free in time.
    #[error("server database: no connection free: {0}")]
    Busy(String),
    /// A row did not have the shape the query expected.
    #[error("server database: {0}")]
    Query(String),
    /// The store was written by a newer server.
    #[error("server database has schema version {found}, this build supports up to {supported}")]
    IncompatibleVersion {
        /// Found.
        found: i64,
        /// Supported.
        supported: i64,
    },
}

impl DbError {
    /// A PostgreSQL serialization failure or deadlock: the transaction may simply be retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            DbError::Postgres(e) => e.code().is_some_and(|c| {
                *c == ::postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == ::postgres::error::SqlState::T_R_DEADLOCK_DETECTED
            }),
            _ => false,
        }
    }
}

#[derive(Clone)]
enum Engine {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// The store handlers share. Cloning is cheap.
#[derive(Clone)]
pub struct Db {
    engine: Engine,
    clock: Option<Arc<AtomicI64>>,
    feed: Arc<ChangeFeed>,
}

thread_local! {
    /// The clock [`now`] reads on this thread (set by [`Db::run`] for its closure).
    static CLOCK: std::cell::RefCell<Option<Arc<AtomicI64>>> =
        const { std::cell::RefCell::new(None) };
}

impl Db {
    /// Opens (or creates) the store and applies migrations. With PostgreSQL, also starts the
    /// thread that listens for other replicas' change notifications.
    pub fn open(config: &DbConfig) -> Result<Self, DbError> {
        let feed = Arc::new(ChangeFeed::default());
        let engine = match config {
            DbConfig::Sqlite(path) => Engine::Sqlite(sqlite::Sqlite::open(path)?),
            DbConfig::Postgres { url, pool } => {
                Engine::Postgres(postgres::Postgres::open(url, *pool, feed.clone())?)
            }
        };
        Ok(Db {
            engine,
            clock: None,
            feed,
        })
    }

    /// Opens a SQLite file (the embedded default).
    pub fn open_sqlite(path: &std::path::Path) -> Result<Self, DbError> {
        Db::open(&DbConfig::Sqlite(path.to_owned()))
    }

    /// Reads `clock` instead of the system clock (the QA harness's virtual time).
    pub fn with_clock(mut self, clock: Option<Arc<AtomicI64>>) -> Self {
        self.clock = clock;
        self
    }

    /// Now by this store's clock (the virtual one when set), outside a transaction.
    pub fn now(&self) -> i64 {
        match &self.clock {
            Some(c) => c.load(std::sync::atomic::Ordering::SeqCst),
            None => chrono::Utc::now().timestamp(),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn engine_name(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// Couriers' change announcements (what long-polling pulls wait on).
    pub fn feed(&self) -> &Arc<ChangeFeed> {
        &self.feed
    }

    /// Connections open and idle in the pool (SQLite: one, idle or not).
    pub fn pool_state(&self) -> (u32, u32) {
        match &self.engine {
            Engine::Sqlite(_) => (1, 1),
            Engine::Postgres(p) => p.pool_state(),
        }
    }

    /// Runs `f` in one transaction on tokio's blocking pool: committed if `f` returns `Ok`,
    /// rolled back otherwise. Couriers announced in it are woken after the commit.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let engine = self.engine.clone();
        let clock = self.clock.clone();
        let feed = self.feed.clone();
        tokio::task::spawn_blocking(move || {
            CLOCK.with(|c| *c.borrow_mut() = clock);
            let (value, announced) = match &engine {
                Engine::Sqlite(s) => s.transaction(f)?,
                Engine::Postgres(p) => p.transaction(f)?,
            };
            for courier in &announced {
                feed.notify(courier);
            }
            Ok(value)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// The store answers a trivial query (readiness).
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.run(|tx| {
            tx.query_row("SELECT 1", crate::params![], |r| r.get::<i64>(0))?;
            Ok(())
        })
        .await
    }

    /// Stops background work (the PostgreSQL notification listener).
    pub fn close(&self) {
        if let Engine::Postgres(p) = &self.engine {
            p.close();
        }
    }
}

pub(crate) enum TxInner<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres(
        ::postgres::Transaction<'a>,
        &'a mut std::collections::HashMap<String, ::postgres::Statement>,
    ),
}

/// One open transaction. Every method takes the same SQL text (`?N` placeholders) on both
/// engines.
pub struct Tx<'a> {
    pub(crate) inner: TxInner<'a>,
    pub(crate) announced: Vec<String>,
}

impl Tx<'_> {
    /// Runs a statement; the number of rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<u64, DbError> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::execute(tx, sql, &values),
            TxInner::Postgres(tx, st) => postgres::execute(tx, st, sql, &values),
        }
    }

    /// Every row of a query, each mapped by `f`.
    pub fn query_map<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        let rows = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::query(tx, sql, &values)?,
            TxInner::Postgres(tx, st) => postgres::query(tx, st, sql, &values)?,
        };
        rows.iter().map(&mut f).collect()
    }

    /// The first row of a query, if any, mapped by `f`.
    pub fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        let rows = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::query(tx, sql, &values)?,
            TxInner::Postgres(tx, st) => postgres::query(tx, st, sql, &values)?,
        };
        rows.first().map(f).transpose()
    }

    /// The first row of a query, which must exist.
    pub fn query_row<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| DbError::Query("the query returned no row".into()))
    }

    /// ` FOR UPDATE` on PostgreSQL (lock the rows read until commit), nothing on SQLite (whose
    /// write transaction already excludes every other writer).
    pub fn for_update(&self) -> &'static str {
        match self.inner {
            TxInner::Sqlite(_) => "",
            TxInner::Postgres(..) => " FOR UPDATE",
        }
    }

    /// Takes the courier's row lock until commit. Everything appended to a courier's feeds
    /// (changes, ratings) is appended under it, so that per courier the sequence numbers commit
    /// in order and a pull's cursor never skips a row that commits late.
    pub fn lock_courier(&mut self, courier: &str) -> Result<(), DbError> {
        if let TxInner::Postgres(..) = self.inner {
            self.query_opt(
                "SELECT id FROM couriers WHERE id = ?1 FOR UPDATE",
                crate::params![courier],
                |_| Ok(()),
            )?;
        }
        Ok(())
    }

    /// Takes a lock named `name` until commit (PostgreSQL: a transaction-scoped advisory lock;
    /// SQLite: its write transaction already is one). For sequences that are global rather than
    /// per courier, such as checklist publications and settings versions.
    pub fn lock_global(&mut self, name: &str) -> Result<(), DbError> {
        if let TxInner::Postgres(..) = self.inner {
            self.execute(
                "SELECT pg_advisory_xact_lock(hashtext(?1))",
                crate::params![name],
            )?;
        }
        Ok(())
    }

    /// Tells the courier's waiting pulls, on every replica, that something for them commits
    /// with this transaction (`*`: everyone). PostgreSQL delivers it with NOTIFY at commit.
    pub fn announce(&mut self, courier: &str) -> Result<(), DbError> {
        if self.announced.iter().any(|c| c == courier) {
            return Ok(());
        }
        if let TxInner::Postgres(..) = self.inner {
            self.execute(
                "SELECT pg_notify('runsheet_changes', ?1)",
                crate::params![courier],
            )?;
        }
        self.announced.push(courier.to_owned());
        Ok(())
    }
}

/// Now, Unix seconds, by the server's clock (the clock that orders events).
pub fn now() -> i64 {
    CLOCK
        .with(|c| {
            c.borrow()
                .as_ref()
                .map(|t| t.load(std::sync::atomic::Ordering::SeqCst))
        })
        .unwrap_or_else(|| chrono::Utc::now().timestamp())
}
