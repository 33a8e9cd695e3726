//! The SQLite engine: one file in WAL mode, one connection behind a mutex (SQLite has one
//! writer at a time anyway), every transaction `BEGIN IMMEDIATE`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use super::{Row, StoreError, Tx, TxInner, Value, MIGRATIONS};
// Built together with the core (the workspace, the QA harness), this SQLite is the core's
// SQLCipher (Cargo unifies libsqlite3-sys's features), compiled to call runsheet-cipher's
// crypto provider: this links it. Built alone, the server's SQLite has no codec and no use for it.
use runsheet_cipher as _;

#[derive(Clone)]
pub(super) struct Sqlite {
    conn: Arc<Mutex<Connection>>,
}

impl Sqlite {
    pub(super) fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if found > supported {
            return Err(StoreError::IncompatibleVersion { found, supported });
        }
        for sql in MIGRATIONS.iter().skip(found as usize) {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", supported)?;
        tx.commit()?;
        Ok(Sqlite {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` in one immediate transaction; returns its value and the couriers it announced.
    pub(super) fn transaction<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<(T, Vec<String>), StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut t = Tx {
            inner: TxInner::Sqlite(tx),
            announced: Vec::new(),
        };
        let value = f(&mut t)?;
        let Tx { inner, announced } = t;
        if let TxInner::Sqlite(tx) = inner {
            tx.commit()?;
        }
        Ok((value, announced))
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

pub(super) fn execute(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    values: &[Value],
) -> Result<u64, StoreError> {
    let mut stmt = tx.prepare_cached(sql)?;
    Ok(stmt.execute(rusqlite::params_from_iter(values.iter()))? as u64)
}

pub(super) fn query(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    values: &[Value],
) -> Result<Vec<Row>, StoreError> {
    let mut stmt = tx.prepare_cached(sql)?;
    let n = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(match r.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::Int(i),
                ValueRef::Real(f) => Value::Real(f),
                ValueRef::Text(t) => Value::Text(
                    std::str::from_utf8(t)
                        .map_err(|e| StoreError::Query(format!("column {i} is not UTF-8: {e}")))?
                        .to_owned(),
                ),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(Row { values });
    }
    Ok(out)
}
