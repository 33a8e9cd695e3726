//! Store failures are logged with the engine's code in a `sqlstate` field (PostgreSQL's
//! SQLSTATE, SQLite's extended result code), so that an operator can tell a constraint violation
//! from a lost connection without reading the message. Run on SQLite and, when configured, on
//! PostgreSQL.

use std::io::Write;
use std::sync::{Arc, Mutex};

use runsheet_server::{params, ApiError, Db, DbConfig, StoreError};

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A store error of the engine's own: the same primary key inserted twice.
async fn duplicate_key(db: &Db) -> StoreError {
    db.run(|tx| {
        tx.execute(
            "CREATE TEMPORARY TABLE dup (id BIGINT PRIMARY KEY)",
            params![],
        )?;
        tx.execute("INSERT INTO dup (id) VALUES (1)", params![])?;
        tx.execute("INSERT INTO dup (id) VALUES (1)", params![])?;
        Ok(())
    })
    .await
    .expect_err("a duplicate primary key fails")
}

async fn store_failure_is_logged_with_its_code(config: Option<DbConfig>, expected: &str) {
    let Some(config) = config else {
        return;
    };
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
    let err = duplicate_key(&db).await;
    assert_eq!(err.engine_code().as_deref(), Some(expected));
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let answer = tracing::subscriber::with_default(subscriber, || ApiError::from(err));
    assert_eq!(answer.status.as_u16(), 500);
    assert!(!answer.reason.contains("dup"), "the answer holds no detail");
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains(&format!("sqlstate={expected}")),
        "the log line lacks the engine code: {logs}"
    );
    db.close();
}

#[tokio::test]
async fn a_store_failure_is_logged_with_its_code_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    // SQLITE_CONSTRAINT_PRIMARYKEY.
    store_failure_is_logged_with_its_code(Some(DbConfig::Sqlite(dir.path().join("s.db"))), "1555")
        .await;
}

#[tokio::test]
async fn a_store_failure_is_logged_with_its_code_postgres() {
    let config = tokio::task::spawn_blocking(|| runsheet_server::test_postgres("sqlstate_log"))
        .await
        .unwrap();
    // unique_violation.
    store_failure_is_logged_with_its_code(config, "23505").await;
}
