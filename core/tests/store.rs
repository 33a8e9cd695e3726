//! The device store: creation, migrations from every shipped schema, refusal of newer and
//! damaged files, and the one-transaction rule for courier actions.

use std::path::Path;

use runsheet_core::schema::{CURRENT_VERSION, MIGRATIONS};
use runsheet_core::store::Store;
use runsheet_core::{outbox, task, Action, Error, TaskStatus};
use runsheet_protocol::{StopDoc, TaskDoc, TaskKind};

fn schema_of(path: &Path) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut s = c
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    let rows = s
        .query_map([], |r| {
            let sql: String = r.get(1)?;
            Ok((
                r.get(0)?,
                sql.split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn doc(id: &str) -> TaskDoc {
    TaskDoc {
        id: id.into(),
        kind: TaskKind::Parcel,
        // At the door: "delivered" is the next step.
        status: runsheet_protocol::TaskStatus::AtDropoff,
        pickup: None,
        dropoff: StopDoc {
            due_by: Some(100),
            ..StopDoc::new("Customer", "Somewhere", 30.0, 120.0)
        },
        revision: 1,
        ordered_at: None,
        items: Vec::new(),
        return_to: None,
        handoff_code: None,
        contactless: false,
        proof: Default::default(),
        customer_locale: None,
        case_id: None,
        take_back: Vec::new(),
        handovers: Vec::new(),
        cash_due: None,
        locker: None,
    }
}

#[test]
fn a_new_file_gets_the_current_schema_and_a_client_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(&path), CURRENT_VERSION);
    let mode: String = store
        .read(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(fk, 1);
    drop(store);
    // Reopening changes nothing.
    let before = schema_of(&path);
    Store::open(&path).unwrap();
    assert_eq!(schema_of(&path), before);
}

#[test]
fn a_recreated_database_gets_a_new_client_id() {
    let dir = tempfile::tempdir().unwrap();
    let id = |p: &Path| -> String {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row("SELECT value FROM meta WHERE key = 'client_id'", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let a = dir.path().join("a.db");
    Store::open(&a).unwrap();
    let first = id(&a);
    std::fs::remove_file(&a).unwrap();
    Store::open(&a).unwrap();
    assert_ne!(first, id(&a));
}

#[test]
fn every_shipped_schema_upgrades_to_the_fresh_schema_keeping_its_data() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    Store::open(&fresh).unwrap();
    // One frozen file per shipped version below the current one.
    for version in 1..CURRENT_VERSION {
        let sql = std::fs::read_to_string(fixtures.join(format!("schema-v{version}.sql")))
            .unwrap_or_else(|_| panic!("missing fixture for shipped schema v{version}"));
        let old = dir.path().join(format!("v{version}.db"));
        rusqlite::Connection::open(&old)
            .unwrap()
            .execute_batch(&sql)
            .unwrap();
        assert_eq!(user_version(&old), version);
        let store = Store::open(&old).unwrap();
        assert_eq!(user_version(&old), CURRENT_VERSION);
        assert_eq!(
            schema_of(&old),
            schema_of(&fresh),
            "v{version} upgraded != fresh"
        );
        // The data written by the old version is all still there and readable.
        let tasks = store.read(task::list).unwrap();
        assert_eq!(tasks.len(), 2);
        let t1 = tasks.iter().find(|t| t.id == "T-1").unwrap();
        assert_eq!(t1.status, TaskStatus::Delivered);
        assert_eq!(t1.pending_actions, 1);
        assert!(t1.pickup.is_some());
        let pending = store.read(|c| outbox::pending(c, 10)).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].mutation_id, 1);
        // New mutation ids continue after the old ones.
        store
            .write(|tx| {
                let accept = Action::Accept {
                    task_id: "T-2".into(),
                };
                task::apply_action(tx, &accept)?;
                outbox::enqueue(tx, &accept, 5, None)
            })
            .map(|id| assert_eq!(id, 2))
            .unwrap();
    }
    assert_eq!(MIGRATIONS.len() as i64, CURRENT_VERSION);
}

#[test]
fn a_database_from_a_newer_build_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    Store::open(&path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", CURRENT_VERSION + 5)
        .unwrap();
    let before = schema_of(&path);
    match Store::open(&path) {
        Err(Error::IncompatibleVersion { found, supported }) => {
            assert_eq!(found, CURRENT_VERSION + 5);
            assert_eq!(supported, CURRENT_VERSION);
        }
        other => panic!("expected IncompatibleVersion, got {:?}", other.err()),
    }
    assert_eq!(user_version(&path), CURRENT_VERSION + 5);
    assert_eq!(schema_of(&path), before);
}

#[test]
fn a_damaged_file_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    let junk = b"this is not a sqlite database, it is a courier's lunch order".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    match Store::open(&path) {
        Err(Error::Corrupt(_)) => {}
        other => panic!("expected Corrupt, got {:?}", other.err()),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        junk,
        "the file must not be touched"
    );
}

#[test]
fn an_action_writes_state_and_outbox_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let store = Store::open(&path).unwrap();
    store
        .write(|tx| task::upsert_from_server(tx, &doc("A")))
        .unwrap();
    let deliver = Action::delivered("A");

    // A failure after the state change rolls the state change back too.
    let r: Result<(), Error> = store.write(|tx| {
        task::apply_action(tx, &deliver)?;
        Err(Error::InvalidArgument(
            "simulated crash before the outbox row".into(),
        ))
    });
    assert!(r.is_err());
    let a = store.read(|c| task::get(c, "A")).unwrap().unwrap();
    assert_eq!(a.status, TaskStatus::AtDropoff);
    assert_eq!(store.read(outbox::stats).unwrap().0, 0);

    let id = store
        .write(|tx| {
            task::apply_action(tx, &deliver)?;
            outbox::enqueue(tx, &deliver, 42, None)
        })
        .unwrap();
    assert_eq!(id, 1);
    drop(store);

    // Survives a reopen (the app killed right after the action returned).
    let store = Store::open(&path).unwrap();
    let a = store.read(|c| task::get(c, "A")).unwrap().unwrap();
    assert_eq!(a.status, TaskStatus::Delivered);
    assert_eq!(a.pending_actions, 1);
    let pending = store.read(|c| outbox::pending(c, 10)).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].action, deliver);
    assert_eq!(pending[0].device_time, 42);

    // A second delivery is refused with the reason, and queues nothing.
    match store.write(|tx| task::apply_action(tx, &deliver)) {
        Err(Error::InvalidTransition { status, .. }) => assert_eq!(status, TaskStatus::Delivered),
        other => panic!("expected InvalidTransition, got {other:?}"),
    }
    match store.write(|tx| task::apply_action(tx, &Action::delivered("nope"))) {
        Err(Error::TaskNotFound { task_id }) => assert_eq!(task_id, "nope"),
        other => panic!("expected TaskNotFound, got {other:?}"),
    }
    assert_eq!(store.read(outbox::stats).unwrap().0, 1);
}

#[test]
fn mutation_ids_are_never_reused_after_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.db")).unwrap();
    for id in ["A", "B", "C"] {
        store
            .write(|tx| task::upsert_from_server(tx, &doc(id)))
            .unwrap();
    }
    let act = |id: &str| {
        store
            .write(|tx| outbox::enqueue(tx, &Action::delivered(id), 0, None))
            .unwrap()
    };
    assert_eq!(act("A"), 1);
    assert_eq!(act("B"), 2);
    store
        .write(|tx| outbox::acknowledge_through(tx, 2, 0))
        .unwrap();
    assert_eq!(store.read(outbox::stats).unwrap().0, 0);
    assert_eq!(act("C"), 3);
}

#[test]
fn acknowledged_mutations_are_kept_to_be_sent_again_until_the_retention_purge() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.db")).unwrap();
    for id in ["A", "B", "C"] {
        store
            .write(|tx| task::upsert_from_server(tx, &doc(id)))
            .unwrap();
    }
    let act = |id: &str| {
        store
            .write(|tx| outbox::enqueue(tx, &Action::delivered(id), 0, None))
            .unwrap()
    };
    act("A");
    act("B");
    act("C");
    store
        .write(|tx| outbox::acknowledge_through(tx, 2, 1_000))
        .unwrap();
    assert_eq!(store.read(outbox::acknowledged_up_to).unwrap(), 2);
    // The server lost mutation 2: it goes back in the queue ahead of 3.
    assert!(store.write(|tx| outbox::requeue_acked(tx, 1)).unwrap());
    let ids: Vec<i64> = store
        .read(|c| outbox::pending(c, 10))
        .unwrap()
        .iter()
        .map(|m| m.mutation_id)
        .collect();
    assert_eq!(ids, [2, 3]);
    // A new client id: the queue from 1, in the same order.
    assert_eq!(store.write(|tx| outbox::renumber(tx)).unwrap(), 2);
    let tasks: Vec<(i64, String)> = store
        .read(|c| outbox::pending(c, 10))
        .unwrap()
        .into_iter()
        .map(|m| (m.mutation_id, m.action.task_id().to_owned()))
        .collect();
    assert_eq!(tasks, [(1, "B".to_owned()), (2, "C".to_owned())]);
    assert_eq!(act("A"), 3);
    // Acknowledged history goes with the retention purge; a server that lost it then cannot
    // get it back from here (the caller re-keys).
    store
        .write(|tx| outbox::acknowledge_through(tx, 3, 1_000))
        .unwrap();
    store
        .write(|tx| runsheet_core::retention::purge(tx, 1_000 + 3600, 1))
        .unwrap();
    assert!(!store.write(|tx| outbox::requeue_acked(tx, 0)).unwrap());
}

#[test]
fn a_task_removed_by_the_server_keeps_its_pending_actions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.db")).unwrap();
    store
        .write(|tx| task::upsert_from_server(tx, &doc("A")))
        .unwrap();
    let deliver = Action::delivered("A");
    store
        .write(|tx| {
            task::apply_action(tx, &deliver)?;
            outbox::enqueue(tx, &deliver, 1, None)
        })
        .unwrap();
    assert!(store.write(|tx| task::remove(tx, "A")).unwrap());
    assert!(store.read(|c| task::get(c, "A")).unwrap().is_none());
    assert_eq!(store.read(|c| outbox::pending(c, 10)).unwrap().len(), 1);
}

#[test]
fn a_full_disk_refuses_the_action_and_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.db")).unwrap();
    store
        .write(|tx| task::upsert_from_server(tx, &doc("A")))
        .unwrap();
    // Cap the file at its current size: the next write that needs a page fails as on a full disk.
    store
        .read(|c| {
            let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            c.pragma_update(None, "max_page_count", pages)?;
            Ok(())
        })
        .unwrap();
    let deliver = Action::delivered("A");
    let big = Action::delivered("A".repeat(200_000));
    let r = store.write(|tx| {
        task::apply_action(tx, &deliver)?;
        outbox::enqueue(tx, &big, 1, None)
    });
    match r {
        Err(Error::Sqlite(e)) => assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DiskFull),
            "{e}"
        ),
        other => panic!("expected a full-disk error, got {other:?}"),
    }
    let a = store.read(|c| task::get(c, "A")).unwrap().unwrap();
    assert_eq!(a.status, TaskStatus::AtDropoff, "half an action was saved");
    assert_eq!(store.read(outbox::stats).unwrap().0, 0);
    // Room again: the same action goes through.
    store
        .read(|c| Ok(c.pragma_update(None, "max_page_count", 1_000_000)?))
        .unwrap();
    store
        .write(|tx| {
            task::apply_action(tx, &deliver)?;
            outbox::enqueue(tx, &deliver, 1, None)
        })
        .unwrap();
    assert_eq!(store.read(outbox::stats).unwrap().0, 1);
}

#[test]
fn the_customers_language_is_stored_with_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.db")).unwrap();
    let english = TaskDoc {
        customer_locale: Some("en".into()),
        ..doc("A")
    };
    store
        .write(|tx| task::upsert_from_server(tx, &english))
        .unwrap();
    let t = store.read(|c| task::get(c, "A")).unwrap().unwrap();
    assert_eq!(t.customer_locale.as_deref(), Some("en"));
    // The server's next version without one clears it.
    store
        .write(|tx| task::upsert_from_server(tx, &doc("A")))
        .unwrap();
    let t = store.read(|c| task::get(c, "A")).unwrap().unwrap();
    assert_eq!(t.customer_locale, None);
}
