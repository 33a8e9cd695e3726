//! The server store's two engines: the same schema, column for column, at the same version;
//! migrations that refuse a database written by a newer server; and replicas that start
//! together migrate once.

use std::collections::BTreeSet;

use runsheet_server::db::couriers;
use runsheet_server::{Db, DbConfig, Refusal, StoreError};

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

/// A change the store refuses for its own data is undone alone under `Tx::attempt`, and the
/// transaction goes on: what a push relies on to reject one mutation and apply the rest.
async fn a_refused_change_is_undone_alone(db: Db, engine: &'static str) {
    let outcome = db
        .run(move |tx| {
            let refused = tx.attempt(|tx| {
                couriers::create(tx, "a", "A", "digest-a", 0)?;
                Err::<(), _>(Refusal::NoSuchTask.into())
            });
            assert!(refused.as_ref().is_err_and(StoreError::is_about_the_data));
            // A value the engine refuses (a text in an integer column; on PostgreSQL, a NUL in a
            // text too): about the data, never an engine failure, and the transaction goes on.
            let sql = if engine == "postgres" {
                "INSERT INTO couriers (id, name, token_sha256, created_at)
                 VALUES ('x', 'X', 'digest-x', CAST(CAST(?1 AS TEXT) AS BIGINT))"
            } else {
                // A STRICT table refuses a text in an INTEGER column.
                "INSERT INTO couriers (id, name, token_sha256, created_at)
                 VALUES ('x', 'X', 'digest-x', ?1)"
            };
            let wrong_type =
                tx.attempt(|tx| tx.execute(sql, runsheet_server::params!["not a number"]));
            let wrong = wrong_type.expect_err("a text is not an integer");
            assert!(
                wrong.is_about_the_data(),
                "{engine}: {wrong} {:?} {wrong:?}",
                wrong.engine_code()
            );
            if engine == "postgres" {
                let nul = tx.attempt(|tx| couriers::create(tx, "n", "N\u{0}", "digest-n", 0));
                let e = nul.expect_err("PostgreSQL refuses a NUL in a text");
                assert!(e.is_about_the_data(), "{e}");
                assert_eq!(e.engine_code().as_deref(), Some("22021"));
            }
            couriers::create(tx, "b", "B", "digest-b", 0)?;
            Ok(())
        })
        .await;
    assert!(outcome.is_ok(), "{engine}: {outcome:?}");
    let ids = db
        .run(|tx| {
            tx.query_map(
                "SELECT id FROM couriers ORDER BY id",
                runsheet_server::params![],
                |r| r.get::<String>(0),
            )
        })
        .await
        .unwrap();
    assert_eq!(ids, vec!["b".to_owned()], "{engine}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_change_is_undone_alone_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    a_refused_change_is_undone_alone(Db::open_sqlite(&dir.path().join("s.db")).unwrap(), "sqlite")
        .await;
    let Some(config) = tokio::task::spawn_blocking(|| runsheet_server::test_postgres("attempt"))
        .await
        .unwrap()
    else {
        return;
    };
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
    a_refused_change_is_undone_alone(db.clone(), "postgres").await;
    db.close();
}

/// In a push, a mutation whose data the store refuses (here an id too long for PostgreSQL's
/// index, which the edge would refuse first) is rejected alone and the next one applies.
async fn a_mutation_the_store_refuses_is_rejected_alone(db: Db, engine: &'static str) {
    use runsheet_protocol::{Action, Mutation, MutationOutcome, ShiftEvent};
    use runsheet_server::db::sync::{self, Pushed};
    let clock = runsheet_server::Clock::system();
    // Random hex, which does not compress below the index's limit.
    let long: String = (0..400)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect();
    let items = vec![
        Pushed::Valid(Mutation {
            mutation_id: 1,
            device_time: 1_795_400_000,
            action: Action::Accept { task_id: long },
            context: None,
        }),
        Pushed::Valid(Mutation {
            mutation_id: 2,
            device_time: 1_795_400_000,
            action: Action::Shift {
                event: ShiftEvent::Start,
            },
            context: None,
        }),
    ];
    let resp = db
        .run(move |tx| {
            couriers::create(tx, "c1", "C", "digest-c1", 0)?;
            sync::push(tx, &clock, "c1", "d", &items)
        })
        .await
        .unwrap_or_else(|e| panic!("{engine}: {e}"));
    assert_eq!(resp.last_mutation_id, 2, "{engine}");
    let want = if engine == "postgres" {
        "invalid"
    } else {
        "unknown_task"
    };
    assert!(
        matches!(&resp.results[0].outcome, MutationOutcome::Rejected { code, .. } if code.as_str() == want),
        "{engine}: {:?}",
        resp.results[0]
    );
    assert_eq!(
        resp.results[1].outcome,
        MutationOutcome::Applied,
        "{engine}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutation_the_store_refuses_is_rejected_alone_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::open_sqlite(&dir.path().join("s.db")).unwrap();
    a_mutation_the_store_refuses_is_rejected_alone(sqlite, "sqlite").await;
    let Some(config) = tokio::task::spawn_blocking(|| runsheet_server::test_postgres("refuses"))
        .await
        .unwrap()
    else {
        return;
    };
    let db = tokio::task::spawn_blocking(move || Db::open(&config))
        .await
        .unwrap()
        .unwrap();
    a_mutation_the_store_refuses_is_rejected_alone(db.clone(), "postgres").await;
    db.close();
}
