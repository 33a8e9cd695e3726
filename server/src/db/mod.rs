//! The server's store: one interface, two engines. SQLite (one file, one writer connection) is
//! the embedded default for the demo, QA and a fresh clone; PostgreSQL (a pooled connection per
//! request, row locks, LISTEN/NOTIFY) lets several stateless replicas share one primary.
//!
//! Handlers see only [`Db::run`] and the store's modules, one per courier concept (tasks,
//! sync, ratings, ...): each handler runs one of their functions in one transaction, committed
//! when it returns `Ok`, rolled back otherwise. Every SQL text lives in those modules, the same
//! text on both engines. Nothing here knows HTTP: failures are [`StoreError`]s.

mod error;
mod postgres;
mod schema;
mod sql;
mod sqlite;

pub mod after_sales;
pub mod attachments;
pub mod cash;
pub mod checklists;
pub mod clients;
pub mod couriers;
pub mod device_time;
pub mod devices;
pub mod earnings;
pub mod feed;
pub mod handoff_codes;
pub mod handovers;
pub mod locations;
pub mod lockers;
pub mod messages;
pub mod mutations;
pub mod nearby_handovers;
pub mod offers;
pub mod pin_corrections;
pub mod push_batch;
pub mod push_memory;
pub mod ratings;
pub mod recalls;
pub mod settings;
pub mod standby;
pub mod sync;
pub mod task_creation;
pub mod tasks;
pub mod training;
pub mod vehicles;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use self::postgres::create_database;
pub use error::{Refusal, StoreError};
pub use feed::ChangeFeed;
pub use sql::{dollar_placeholders, postgres_dialect, FromValue, Param, Row, Value};

pub(crate) use schema::MIGRATIONS;

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

/// Round trips to the database server, counted by the replica.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundTrips {
    /// Statements executed, each a wait on the server (`BEGIN`, `COMMIT` and savepoints
    /// included).
    pub executed: u64,
    /// Statements prepared, each a wait on the server once per statement per pooled
    /// connection (then kept for the connection's life).
    pub prepared: u64,
}

impl std::ops::Sub for RoundTrips {
    type Output = RoundTrips;
    fn sub(self, earlier: RoundTrips) -> RoundTrips {
        RoundTrips {
            executed: self.executed.saturating_sub(earlier.executed),
            prepared: self.prepared.saturating_sub(earlier.prepared),
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
    feed: Arc<ChangeFeed>,
    /// A read-only standby that may serve pulls (PostgreSQL only).
    standby: Option<postgres::Postgres>,
    standby_reads: Arc<StandbyReads>,
    /// What this replica remembers of each install's last push.
    push_memory: Arc<push_memory::PushMemory>,
}

/// How the pulls that could go to the standby went.
#[derive(Debug, Default)]
pub struct StandbyReads {
    /// Served by the standby.
    pub served: std::sync::atomic::AtomicU64,
    /// Served by the primary: the standby had not replayed the phone's last push, or its page
    /// brought nothing new (the primary confirms a quiet page), or it failed.
    pub by_primary: std::sync::atomic::AtomicU64,
}

impl Db {
    /// Opens (or creates) the store and applies migrations. With PostgreSQL, also starts the
    /// thread that listens for other replicas' change notifications.
    pub fn open(config: &DbConfig) -> Result<Self, StoreError> {
        let feed = Arc::new(ChangeFeed::default());
        let engine = match config {
            DbConfig::Sqlite(path) => {
                feed.set_alone();
                Engine::Sqlite(sqlite::Sqlite::open(path)?)
            }
            DbConfig::Postgres { url, pool } => {
                Engine::Postgres(postgres::Postgres::open(url, *pool, feed.clone())?)
            }
        };
        Ok(Db {
            engine,
            feed,
            standby: None,
            standby_reads: Arc::default(),
            push_memory: Arc::default(),
        })
    }

    /// Serves pulls from the read-only standby at `url` (a streaming replica of this
    /// PostgreSQL primary) when it has replayed the phone's last push; see [`standby`].
    /// Refused on SQLite.
    pub fn with_standby(mut self, url: &str) -> Result<Self, StoreError> {
        let limits = match &self.engine {
            Engine::Postgres(_) => PoolLimits::default(),
            Engine::Sqlite(_) => {
                return Err(StoreError::Query(
                    "a read replica needs a PostgreSQL store".into(),
                ))
            }
        };
        self.standby = Some(postgres::Postgres::open_standby(url, limits)?);
        Ok(self)
    }

    /// Whether pulls may be served by a standby.
    pub fn has_standby(&self) -> bool {
        self.standby.is_some()
    }

    /// How the pulls that could go to the standby went.
    pub fn standby_reads(&self) -> &StandbyReads {
        &self.standby_reads
    }

    /// Runs `f` on the standby, each statement on its own (it is read-only); `Ok(None)` when
    /// there is none.
    pub async fn run_on_standby<T, F>(&self, f: F) -> Result<Option<T>, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let Some(standby) = self.standby.clone() else {
            return Ok(None);
        };
        let asked = std::time::Instant::now();
        tokio::task::spawn_blocking(move || standby.autocommit(asked, f).map(|(v, _)| Some(v)))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    /// Opens a SQLite file (the embedded default).
    pub fn open_sqlite(path: &std::path::Path) -> Result<Self, StoreError> {
        Db::open(&DbConfig::Sqlite(path.to_owned()))
    }

    /// `sqlite` or `postgres`.
    pub fn engine_name(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// What this replica remembers of each install's last push ([`push_memory`]).
    pub fn push_memory(&self) -> &Arc<push_memory::PushMemory> {
        &self.push_memory
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
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let engine = self.engine.clone();
        let feed = self.feed.clone();
        let asked = std::time::Instant::now();
        tokio::task::spawn_blocking(move || {
            let (value, announced) = match &engine {
                Engine::Sqlite(s) => s.transaction(f)?,
                Engine::Postgres(p) => p.transaction(asked, f)?,
            };
            for courier in &announced {
                feed.notify(courier);
            }
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    /// Runs `f` outside any transaction on PostgreSQL, each statement committing on its own: for
    /// work that one statement reads or applies whole (a pull; a push's batch, which its
    /// statement checks and applies atomically), which then costs that one round trip, without
    /// `BEGIN` and `COMMIT`. On SQLite (in-process, where round trips cost nothing) it is one
    /// transaction, as [`Db::run`].
    pub async fn run_autocommit<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let engine = self.engine.clone();
        let feed = self.feed.clone();
        let asked = std::time::Instant::now();
        tokio::task::spawn_blocking(move || {
            let (value, announced) = match &engine {
                Engine::Sqlite(s) => s.transaction(f)?,
                Engine::Postgres(p) => p.autocommit(asked, f)?,
            };
            for courier in &announced {
                feed.notify(courier);
            }
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    /// Round trips this replica's store has made to PostgreSQL so far (all zero on SQLite,
    /// which runs in-process). Tests and the load test read the difference over some work.
    pub fn round_trips(&self) -> RoundTrips {
        match &self.engine {
            Engine::Sqlite(_) => RoundTrips::default(),
            Engine::Postgres(p) => p.round_trips(),
        }
    }

    /// The store answers a trivial query (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
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
    Postgres(postgres::PgTx<'a>),
}

/// One open transaction. Every method takes the same SQL text (`?N` placeholders) on both
/// engines.
pub struct Tx<'a> {
    pub(crate) inner: TxInner<'a>,
    pub(crate) announced: Vec<String>,
}

impl Tx<'_> {
    /// Runs a statement; the number of rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<u64, StoreError> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::execute(tx, sql, &values),
            TxInner::Postgres(tx) => postgres::execute(tx, sql, &values),
        }
    }

    /// Every row of a query, each mapped by `f`.
    pub fn query_map<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        mut f: impl FnMut(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        let rows = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::query(tx, sql, &values)?,
            TxInner::Postgres(tx) => postgres::query(tx, sql, &values)?,
        };
        rows.iter().map(&mut f).collect()
    }

    /// The first row of a query, if any, mapped by `f`.
    pub fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        let rows = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlite::query(tx, sql, &values)?,
            TxInner::Postgres(tx) => postgres::query(tx, sql, &values)?,
        };
        rows.first().map(f).transpose()
    }

    /// The first row of a query, which must exist.
    pub fn query_row<T>(
        &mut self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| StoreError::Query("the query returned no row".into()))
    }

    /// Runs `f` under a savepoint: when it fails, what it wrote is undone (its announcements
    /// too) and the transaction goes on, so that a push can reject one mutation the store
    /// refuses and apply the rest.
    pub fn attempt<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.batch("SAVEPOINT attempt")?;
        let announced = self.announced.len();
        match f(self) {
            Ok(v) => {
                self.batch("RELEASE SAVEPOINT attempt")?;
                Ok(v)
            }
            Err(e) => {
                self.batch("ROLLBACK TO SAVEPOINT attempt")?;
                self.batch("RELEASE SAVEPOINT attempt")?;
                self.announced.truncate(announced);
                Err(e)
            }
        }
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => tx.execute_batch(sql)?,
            TxInner::Postgres(tx) => tx.batch(sql)?,
        }
        Ok(())
    }

    /// Whether the store is PostgreSQL (some work has a one-statement form there).
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.inner, TxInner::Postgres(..))
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
    pub fn lock_courier(&mut self, courier: &str) -> Result<(), StoreError> {
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
    pub fn lock_global(&mut self, name: &str) -> Result<(), StoreError> {
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
    pub fn announce(&mut self, courier: &str) -> Result<(), StoreError> {
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

    /// Tells every replica, at commit, that `courier`'s tokens were revoked, so that their
    /// caches of verified tokens forget them at once (PostgreSQL's NOTIFY; one process on
    /// SQLite, whose cache the caller empties).
    pub fn announce_revocation(&mut self, courier: &str) -> Result<(), StoreError> {
        if let TxInner::Postgres(..) = self.inner {
            self.execute(
                &format!("SELECT pg_notify('{}', ?1)", postgres::REVOCATIONS),
                crate::params![courier],
            )?;
        }
        Ok(())
    }
}
