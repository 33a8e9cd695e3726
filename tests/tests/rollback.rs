//! Exactly-once when ids are reused and when the server goes back in time, end to end: the real
//! core against the real server on loopback. A phone database restored from a backup (or
//! copied to a second phone) sends other actions under the ids it shares with its twin; a server
//! restored from a backup has lost mutations the phone had deleted after their acknowledgement.
//! Either way every action the couriers took ends up on the server exactly once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use runsheet_core::{Config, Runsheet, SystemClock, Token};
use runsheet_server::MutationRecord;
use runsheet_tests::World;

fn open(w: &World, name: &str, token: &str) -> Runsheet {
    Runsheet::open(Config {
        db_path: w.device_db(name),
        db_key: None,
        server_url: w.url(),
        token: Token::new(token),
        clock: Arc::new(SystemClock),
    })
    .expect("core opens")
}

/// Each recorded action as `type task`, in the order the server received them.
fn actions(recorded: &[MutationRecord]) -> Vec<String> {
    recorded
        .iter()
        .map(|m| format!("{} {}", m.action["type"].as_str().unwrap_or("?"), m.task_id))
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The SQLite file and its write-ahead log, if any.
fn db_files(db: &Path) -> [PathBuf; 3] {
    let with = |ext: &str| PathBuf::from(format!("{}{ext}", db.display()));
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

fn copy_db(from: &Path, to: &Path) {
    for (f, t) in db_files(from).iter().zip(db_files(to).iter()) {
        let _ = std::fs::remove_file(t);
        if f.exists() {
            std::fs::copy(f, t).expect("database file copied");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_restored_from_one_backup_each_get_their_actions_applied_once() {
    let w = World::new();
    let token = w.courier("c1", &["T1", "T2", "T3"]).await;
    {
        let a = open(&w, "a", &token);
        a.sync().await.unwrap();
        a.accept("T1").unwrap();
        a.arrive_manually("T1", "test: at the door").unwrap();
        a.sync().await.unwrap();
        // Queued when the backup is taken: both copies hold it.
        a.accept("T2").unwrap();
    }
    copy_db(&w.device_db("a"), &w.device_db("b"));
    let a = open(&w, "a", &token);
    let b = open(&w, "b", &token);
    assert_eq!(a.client_id().unwrap(), b.client_id().unwrap());
    // Each phone goes on differently, under the same ids (4, then 5).
    assert_eq!(a.mark_delivered("T1").unwrap(), 4);
    assert_eq!(b.accept("T3").unwrap(), 4);
    b.arrive_manually("T3", "test: at the door").unwrap();

    a.sync().await.unwrap();
    let r = b.sync().await.unwrap();
    assert_eq!(r.pending, 0);
    assert_ne!(
        a.client_id().unwrap(),
        b.client_id().unwrap(),
        "the restored copy took a new client id"
    );
    // A later action of each still goes through.
    b.mark_delivered("T3").unwrap();
    a.arrive_manually("T2", "test: at the door").unwrap();
    b.sync().await.unwrap();
    a.sync().await.unwrap();
    assert_eq!(a.sync_status().unwrap().pending, 0);
    assert_eq!(b.sync_status().unwrap().pending, 0);

    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert!(recorded.iter().all(|m| m.outcome == "applied"));
    assert_eq!(
        sorted(actions(&recorded)),
        sorted(
            [
                "accept T1",
                "arrive T1",
                "accept T2",
                "delivered T1",
                "accept T3",
                "arrive T3",
                "delivered T3",
                "arrive T2",
            ]
            .map(String::from)
            .to_vec()
        ),
        "every action of both phones on the server exactly once"
    );
    for (task, status) in [
        ("T1", runsheet_protocol::TaskStatus::Delivered),
        ("T2", runsheet_protocol::TaskStatus::AtDropoff),
        ("T3", runsheet_protocol::TaskStatus::Delivered),
    ] {
        assert_eq!(w.dispatch.task(task).await.unwrap().task.status, status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_server_is_restored_from_a_backup_the_phone_sends_what_it_lost() {
    let mut w = World::new();
    let token = w.courier("c1", &["T1", "T2", "T3"]).await;
    let p = open(&w, "phone", &token);
    p.sync().await.unwrap();
    p.accept("T1").unwrap();
    p.arrive_manually("T1", "test: at the door").unwrap();
    p.sync().await.unwrap();

    // The server's backup.
    let server_db = w.dir.path().join("server.db");
    let backup = w.dir.path().join("backup.db");
    w.kill_server();
    copy_db(&server_db, &backup);
    w.restart_server();

    // Acknowledged after the backup: the phone deletes them from its queue.
    p.accept("T2").unwrap();
    p.arrive_manually("T2", "test: at the door").unwrap();
    p.sync().await.unwrap();
    p.mark_delivered("T1").unwrap();
    p.sync().await.unwrap();
    assert_eq!(p.sync_status().unwrap().pending, 0);

    // The server comes back from its backup.
    w.kill_server();
    copy_db(&backup, &server_db);
    w.restart_server();
    assert_eq!(w.dispatch.mutations(Some("c1")).await.unwrap().len(), 2);

    // Nothing pending: the pull finds the server behind, and the phone sends what it lost.
    p.sync().await.unwrap();
    assert_eq!(w.dispatch.mutations(Some("c1")).await.unwrap().len(), 5);
    // A new action after the rollback goes through too.
    p.mark_delivered("T2").unwrap();
    let r = p.sync().await.unwrap();
    assert_eq!((r.pushed, r.pending), (1, 0));

    let recorded = w.dispatch.mutations(Some("c1")).await.unwrap();
    assert!(recorded.iter().all(|m| m.outcome == "applied"));
    assert_eq!(
        actions(&recorded),
        [
            "accept T1",
            "arrive T1",
            "accept T2",
            "arrive T2",
            "delivered T1",
            "delivered T2"
        ],
        "every action exactly once, in the courier's order"
    );
    let ids: Vec<i64> = recorded.iter().map(|m| m.mutation_id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    for task in ["T1", "T2"] {
        assert_eq!(
            w.dispatch.task(task).await.unwrap().task.status,
            runsheet_protocol::TaskStatus::Delivered
        );
        assert_eq!(
            p.task(task).unwrap().status,
            runsheet_core::TaskStatus::Delivered
        );
    }
    assert_eq!(p.sync_status().unwrap().pending, 0);
}
