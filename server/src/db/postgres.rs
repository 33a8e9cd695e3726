//! The PostgreSQL engine: a pool of connections per replica (r2d2), READ COMMITTED transactions
//! with explicit row locks where order matters, migrations under an advisory lock (replicas may
//! start together), and a listener thread that turns other replicas' `NOTIFY runsheet_changes`
//! into wake-ups of this replica's waiting pulls.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use super::{postgres_dialect, ChangeFeed, PoolLimits, Row, StoreError, Tx, TxInner, Value};
use super::{sql::dollar_placeholders, MIGRATIONS};

type Pool = r2d2::Pool<Manager>;

/// A pooled connection with the statements it has prepared, by SQL text: a statement is parsed
/// and planned once per connection, then each use is one round trip (bind and execute).
pub(crate) struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// Opens pooled connections (r2d2).
struct Manager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.config.connect(NoTls)?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

/// The channel replicas announce committed changes on; the payload is a courier id or `*`.
const CHANNEL: &str = "runsheet_changes";

/// The channel replicas announce token revocations on (the payload is the courier's id), so
/// that every replica's token cache forgets them at once.
pub(super) const REVOCATIONS: &str = "runsheet_revocations";

/// Key of the advisory lock held while migrating.
const MIGRATION_LOCK: i64 = 0x5255_4e53_4845_4554; // "RUNSHEET"

#[derive(Clone)]
pub(super) struct Postgres {
    pool: Arc<PoolOwner>,
    trips: Arc<Trips>,
    /// Longest a request waits for a connection, counted from when it asked for the store
    /// (its wait for a thread to run it included): then it is answered busy (503).
    acquire_timeout: Duration,
}

/// What this replica's requests cost PostgreSQL in waits on the server: statements executed
/// (each a round trip: bind, execute, wait for the answer; `BEGIN`, `COMMIT` and savepoints
/// included) and statements prepared (a round trip each, once per statement per connection).
#[derive(Debug, Default)]
pub(super) struct Trips {
    executed: AtomicU64,
    prepared: AtomicU64,
}

impl Trips {
    fn executed(&self) {
        self.executed.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn read(&self) -> super::RoundTrips {
        super::RoundTrips {
            executed: self.executed.load(Ordering::Relaxed),
            prepared: self.prepared.load(Ordering::Relaxed),
        }
    }
}

/// The connection statements go to: an open transaction, or the bare connection, where each
/// statement commits on its own (for work that one statement does whole).
pub(crate) enum PgConn<'a> {
    /// Inside `BEGIN` … `COMMIT`.
    Tx(postgres::Transaction<'a>),
    /// Each statement its own transaction.
    Auto(&'a mut Client),
}

/// A connection in use by one [`Tx`], with its prepared statements and the replica's
/// round-trip counter.
pub(crate) struct PgTx<'a> {
    conn: PgConn<'a>,
    statements: &'a mut HashMap<String, Statement>,
    trips: &'a Trips,
}

impl PgTx<'_> {
    /// Runs SQL text without parameters (savepoints).
    pub(super) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.trips.executed();
        match &mut self.conn {
            PgConn::Tx(tx) => tx.batch_execute(sql)?,
            PgConn::Auto(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }
}

/// Owns the pool and the listener's stop flag. When the last handle goes, the listener stops
/// (a killed server must not leave it reconnecting), and the pool is dropped on a thread of its
/// own: a `postgres::Client` blocks on a runtime of its own when dropped, which tokio forbids
/// on a thread driving async tasks, where the server's state may well be dropped.
struct PoolOwner {
    pool: Option<Pool>,
    stop: Arc<AtomicBool>,
}

impl std::ops::Deref for PoolOwner {
    type Target = Pool;
    fn deref(&self) -> &Pool {
        self.pool
            .as_ref()
            .expect("the pool lives until the owner drops")
    }
}

impl Drop for PoolOwner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::Builder::new()
                .name("runsheet-pg-close".into())
                .spawn(move || drop(pool));
        }
    }
}

impl Postgres {
    pub(super) fn open(
        url: &str,
        limits: PoolLimits,
        feed: Arc<ChangeFeed>,
    ) -> Result<Self, StoreError> {
        let config: postgres::Config = url.parse()?;
        migrate(&mut config.connect(NoTls)?)?;
        let manager = Manager {
            config: config.clone(),
        };
        let pool = r2d2::Pool::builder()
            .max_size(limits.max_connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(limits.acquire_timeout)
            // A broken connection is noticed when used; checking each checkout would cost a
            // round trip per request.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| StoreError::Busy(e.to_string()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        std::thread::Builder::new()
            .name("runsheet-pg-listen".into())
            .spawn(move || listen(config, feed, s))
            .map_err(|e| StoreError::Query(format!("cannot start the listener: {e}")))?;
        Ok(Postgres {
            pool: Arc::new(PoolOwner {
                pool: Some(pool),
                stop,
            }),
            trips: Arc::new(Trips::default()),
            acquire_timeout: limits.acquire_timeout,
        })
    }

    /// A pool on a read-only standby (a streaming replica of the primary): no migrations (the
    /// primary's are replicated), no listener (notifications come from the primary).
    pub(super) fn open_standby(url: &str, limits: PoolLimits) -> Result<Self, StoreError> {
        let config: postgres::Config = url.parse()?;
        let pool = r2d2::Pool::builder()
            .max_size(limits.max_connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(limits.acquire_timeout)
            .test_on_check_out(false)
            .build(Manager { config })
            .map_err(|e| StoreError::Busy(e.to_string()))?;
        Ok(Postgres {
            pool: Arc::new(PoolOwner {
                pool: Some(pool),
                stop: Arc::new(AtomicBool::new(true)),
            }),
            trips: Arc::new(Trips::default()),
            acquire_timeout: limits.acquire_timeout,
        })
    }

    pub(super) fn round_trips(&self) -> super::RoundTrips {
        self.trips.read()
    }

    pub(super) fn pool_state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }

    pub(super) fn close(&self) {
        self.pool.stop.store(true, Ordering::SeqCst);
    }

    /// A pooled connection for a request that asked for the store at `asked`: busy when none
    /// frees within what is left of the acquire timeout.
    fn connection(&self, asked: Instant) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        let left = self.acquire_timeout.saturating_sub(asked.elapsed());
        if left.is_zero() {
            return Err(StoreError::Busy(
                "waited past the acquire timeout for a database connection".into(),
            ));
        }
        self.pool
            .get_timeout(left)
            .map_err(|e| StoreError::Busy(e.to_string()))
    }

    /// Runs `f` in one READ COMMITTED transaction on a pooled connection (`asked`: when the
    /// request asked for the store).
    pub(super) fn transaction<T>(
        &self,
        asked: Instant,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<(T, Vec<String>), StoreError> {
        let mut conn = self.connection(asked)?;
        let Conn { client, statements } = &mut *conn;
        self.trips.executed();
        let tx = client.transaction()?;
        let mut t = Tx {
            inner: TxInner::Postgres(PgTx {
                conn: PgConn::Tx(tx),
                statements,
                trips: &self.trips,
            }),
            announced: Vec::new(),
        };
        let value = f(&mut t)?;
        let Tx { inner, announced } = t;
        if let TxInner::Postgres(PgTx {
            conn: PgConn::Tx(tx),
            ..
        }) = inner
        {
            self.trips.executed();
            tx.commit()?;
        }
        Ok((value, announced))
    }

    /// Runs `f` on a pooled connection outside any transaction: each statement commits on its
    /// own, so work that one statement does whole costs that statement's round trip only.
    pub(super) fn autocommit<T>(
        &self,
        asked: Instant,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<(T, Vec<String>), StoreError> {
        let mut conn = self.connection(asked)?;
        let Conn { client, statements } = &mut *conn;
        let mut t = Tx {
            inner: TxInner::Postgres(PgTx {
                conn: PgConn::Auto(client),
                statements,
                trips: &self.trips,
            }),
            announced: Vec::new(),
        };
        let value = f(&mut t)?;
        Ok((value, t.announced))
    }
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = (|| {
        let mut tx = client.transaction()?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS runsheet_schema (version BIGINT NOT NULL);
             INSERT INTO runsheet_schema (version)
                 SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM runsheet_schema);",
        )?;
        let found: i64 = tx
            .query_one("SELECT version FROM runsheet_schema", &[])?
            .get(0);
        let supported = MIGRATIONS.len() as i64;
        if found > supported {
            return Err(StoreError::IncompatibleVersion { found, supported });
        }
        for sql in MIGRATIONS.iter().skip(found as usize) {
            tx.batch_execute(&postgres_dialect(sql))?;
        }
        tx.execute("UPDATE runsheet_schema SET version = $1", &[&supported])?;
        // Functions are no part of the shared schema: each replica installs its own version.
        tx.batch_execute(&super::sync::page_function())?;
        tx.batch_execute(super::push_batch::APPLY_FUNCTION)?;
        tx.batch_execute(super::task_creation::CREATE_FUNCTION)?;
        tx.commit()?;
        Ok(())
    })();
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    result
}

/// Listens on [`CHANNEL`] until `stop`, reconnecting after failures. After a reconnect every
/// waiter is woken (a notification may have been missed while disconnected; a pull that wakes
/// for nothing just waits again).
fn listen(config: postgres::Config, feed: Arc<ChangeFeed>, stop: Arc<AtomicBool>) {
    let mut backoff = Duration::from_millis(100);
    while !stop.load(Ordering::SeqCst) {
        let mut client = match config.connect(NoTls) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, sqlstate = e.code().map_or("-", |c| c.code()), "change listener cannot connect; retrying");
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}; LISTEN {REVOCATIONS}")) {
            tracing::warn!(error = %e, sqlstate = e.code().map_or("-", |c| c.code()), "LISTEN failed; retrying");
            std::thread::sleep(backoff);
            continue;
        }
        backoff = Duration::from_millis(100);
        feed.notify("*");
        feed.set_listening(true);
        'connected: while !stop.load(Ordering::SeqCst) {
            {
                let mut notifications = client.notifications();
                let mut iter = notifications.timeout_iter(Duration::from_millis(500));
                loop {
                    match postgres::fallible_iterator::FallibleIterator::next(&mut iter) {
                        Ok(Some(n)) if n.channel() == REVOCATIONS => feed.tokens_revoked(),
                        Ok(Some(n)) => feed.notify(n.payload()),
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, sqlstate = e.code().map_or("-", |c| c.code()), "change listener lost its connection");
                            break 'connected;
                        }
                    }
                }
            }
            if client.is_closed() {
                break;
            }
        }
        feed.set_listening(false);
    }
}

/// The connection's prepared statement for `sql`, preparing it on first use. (Prepared
/// statements belong to the session, not the transaction: a rollback keeps them.)
fn statement(tx: &mut PgTx<'_>, sql: &str) -> Result<Statement, StoreError> {
    if let Some(s) = tx.statements.get(sql) {
        return Ok(s.clone());
    }
    tx.trips.prepared.fetch_add(1, Ordering::Relaxed);
    let text = dollar_placeholders(sql);
    let s = match &mut tx.conn {
        PgConn::Tx(t) => t.prepare(&text)?,
        PgConn::Auto(c) => c.prepare(&text)?,
    };
    tx.statements.insert(sql.to_owned(), s.clone());
    Ok(s)
}

pub(super) fn execute(tx: &mut PgTx<'_>, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
    let stmt = statement(tx, sql)?;
    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
    tx.trips.executed();
    Ok(match &mut tx.conn {
        PgConn::Tx(t) => t.execute(&stmt, &refs)?,
        PgConn::Auto(c) => c.execute(&stmt, &refs)?,
    })
}

pub(super) fn query(
    tx: &mut PgTx<'_>,
    sql: &str,
    values: &[Value],
) -> Result<Vec<Row>, StoreError> {
    let stmt = statement(tx, sql)?;
    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
    tx.trips.executed();
    let rows = match &mut tx.conn {
        PgConn::Tx(t) => t.query(&stmt, &refs)?,
        PgConn::Auto(c) => c.query(&stmt, &refs)?,
    };
    rows.iter()
        .map(|r| {
            let values = (0..r.len())
                .map(|i| r.try_get::<_, Value>(i))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Row { values })
        })
        .collect()
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::FLOAT4 => (*i as f32).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                _ => i.to_string().as_str().to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_string().as_str().to_sql(ty, out),
            },
            Value::Text(s) => match *ty {
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => s.as_str().to_sql(ty, out),
            },
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(match *ty {
            Type::BOOL => Value::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::BYTEA => Value::Blob(<&[u8]>::from_sql(ty, raw)?.to_vec()),
            _ if <&str as FromSql>::accepts(ty) => Value::Text(<&str>::from_sql(ty, raw)?.into()),
            _ => {
                return Err(format!("column type {ty} is not read by the server (cast it)").into())
            }
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Creates a new empty database named `name` on the server at `admin_url` (a role that may
/// create databases) and returns the URL of the new database. For tests and the load test,
/// which each want a database of their own on one throwaway cluster.
pub fn create_database(admin_url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Query(format!("bad database name {name:?}")));
    }
    let mut client = admin_url.parse::<postgres::Config>()?.connect(NoTls)?;
    client.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let base = match admin_url.rfind('/') {
        Some(i) if i > "postgres://".len() => &admin_url[..i],
        _ => admin_url,
    };
    let (base, query) = match admin_url.find('?') {
        Some(q) => (&base[..base.len().min(q)], &admin_url[q..]),
        None => (base, ""),
    };
    Ok(format!("{base}/{name}{query}"))
}
