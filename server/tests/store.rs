//! The server store's two engines: the same schema, column for column, at the same version;
//! migrations that refuse a database written by a newer server; and replicas that start
//! together migrate once.

use std::collections::BTreeSet;

use runsheet_server::{Db, DbConfig, StoreError};

/// (table, column) of every table the server created in a SQLite file.
fn sqlite_columns(path: &std::path::Path) -> BTreeSet<(String, String)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows
}

fn postgres_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

fn postgres_url(config: &DbConfig) -> String {
    match config {
        DbConfig::Postgres { url, .. } => url.clone(),
        DbConfig::Sqlite(_) => unreachable!("a PostgreSQL config"),
    }
}

#[test]
fn both_engines_build_the_same_schema_at_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.db");
    Db::open_sqlite(&file).unwrap();
    let sqlite = sqlite_columns(&file);
    assert!(sqlite.contains(&("mutations".into(), "context".into())));
    let Some(config) = runsheet_server::test_postgres("schema") else {
        return;
    };
    let url = postgres_url(&config);
    Db::open(&config).unwrap().close();
    let mut pg = postgres_client(&url);
    let columns: BTreeSet<(String, String)> = pg
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'runsheet_schema'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(columns, sqlite, "the engines' schemas differ");
    let version: i64 = pg
        .query_one("SELECT version FROM runsheet_schema", &[])
        .unwrap()
        .get(0);
    let user_version: i64 = rusqlite::Connection::open(&file)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, user_version);
}

#[test]
fn a_database_from_a_newer_server_is_refused_by_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.db");
    Db::open_sqlite(&file).unwrap();
    rusqlite::Connection::open(&file)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    assert!(matches!(
        Db::open_sqlite(&file),
        Err(StoreError::IncompatibleVersion { found: 999, .. })
    ));
    let Some(config) = runsheet_server::test_postgres("newer") else {
        return;
    };
    Db::open(&config).unwrap().close();
    postgres_client(&postgres_url(&config))
        .execute("UPDATE runsheet_schema SET version = 999", &[])
        .unwrap();
    assert!(matches!(
        Db::open(&config),
        Err(StoreError::IncompatibleVersion { found: 999, .. })
    ));
}

#[test]
fn replicas_starting_together_migrate_once() {
    let Some(config) = runsheet_server::test_postgres("together") else {
        return;
    };
    let opened: Vec<_> = (0..4)
        .map(|_| {
            let c = config.clone();
            std::thread::spawn(move || Db::open(&c).map(|db| db.close()))
        })
        .collect();
    for t in opened {
        t.join().unwrap().unwrap();
    }
    let rows: i64 = postgres_client(&postgres_url(&config))
        .query_one("SELECT count(*) FROM runsheet_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}
