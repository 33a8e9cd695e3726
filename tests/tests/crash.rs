//! Crashes: a child process runs a courier workload through the shells' API and is SIGKILLed at
//! a random moment, again and again on the same phone database. After every kill the store opens
//! cleanly and passes SQLite's integrity check, and no action the API had acknowledged is
//! missing; after the final sync the server holds every delivery exactly once.
//!
//! `RUNSHEET_LONG=1` runs 1,000 kills instead of 100; `RUNSHEET_SEED` changes the seeds.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use runsheet_ffi::TaskStatus;
use runsheet_tests::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_the_phone_loses_nothing_and_sends_each_action_once() {
    let long = std::env::var_os("RUNSHEET_LONG").is_some();
    let kills = if long { 1000 } else { 100 };
    let first: u64 = std::env::var("RUNSHEET_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0xC0FFEE);
    let w = World::new();
    let tasks: Vec<String> = (0..kills * 3).map(|i| format!("T{i:04}")).collect();
    let refs: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let token = w.courier("crashy", &refs).await;
    let db = w.device_db("crashy-phone");
    // The phone is installed and has its tasks before the kills begin: the kills land on the
    // courier's actions and syncs, not always on the first install's schema creation (which is
    // one transaction, and on a loaded machine can outlast every kill deadline).
    w.open_core("crashy-phone", &token)
        .await
        .sync()
        .now()
        .await
        .expect("first sync");
    let bin = env!("CARGO_BIN_EXE_courier-workload");
    // (task id, what was acknowledged: accepted, arrived or delivered)
    let mut acked: BTreeSet<(String, String)> = BTreeSet::new();

    for k in 0..kills {
        let seed = first + k as u64;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut child = Command::new(bin)
            .arg(&db)
            .arg(w.url())
            .arg(&token)
            .arg(seed.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("workload starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Kill after a random number of lines (actions, syncs), or a random time, whichever
        // comes first: some kills land mid-transaction, some mid-sync. Half the kills count
        // the time from the start, so some land while the store opens; the other half from the
        // moment it is open (`OPEN`), so that the workload acts however slowly a loaded machine
        // opens the store (on two busy cores opening took most of the time allowed).
        // One kill in four waits for its lines however long the machine takes to print them
        // (30 s at most): those kills always land after actions, so the run acts whatever the
        // load, and the check below that it did is no race against the clock.
        let by_lines_only = k % 4 == 3;
        let after_lines = rng.gen_range(1..8);
        let deadline = if by_lines_only {
            Duration::from_secs(30)
        } else {
            Duration::from_millis(rng.gen_range(5..150))
        };
        let mut started = std::time::Instant::now();
        let mut lines = 0;
        if k % 2 == 1 {
            // (The first line is `OPEN`; it is not one of the lines counted before the kill.)
            let _ = rx.recv_timeout(Duration::from_secs(30));
            started = std::time::Instant::now();
        }
        while lines < after_lines {
            let left = deadline.saturating_sub(started.elapsed());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    lines += 1;
                    if let Some(ack) = parse_ack(&line) {
                        acked.insert(ack);
                    }
                }
                Err(_) => break,
            }
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        // Lines written before the kill still count as acknowledged; the reader ends when the
        // dead child's pipe closes.
        let _ = reader.join();
        for line in rx.try_iter() {
            if let Some(ack) = parse_ack(&line) {
                acked.insert(ack);
            }
        }

        // The file is sound and every acknowledged action is there.
        let conn = rusqlite::Connection::open(&db).expect("store file opens");
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity check runs");
        assert_eq!(check, "ok", "kill {k} (seed {seed}) damaged the store");
        drop(conn);
        let core = w.open_core("crashy-phone", &token).await;
        for (id, what) in &acked {
            let t = core.tasks().task(id.clone()).await.unwrap_or_else(|e| {
                panic!("kill {k} (seed {seed}): acknowledged task {id} is gone: {e}")
            });
            // Each acknowledged step is there (the task is at it or past it).
            let reached = match what.as_str() {
                "accepted" => t.status != TaskStatus::Assigned,
                "arrived" => matches!(t.status, TaskStatus::AtDropoff | TaskStatus::Delivered),
                _ => t.status == TaskStatus::Delivered,
            };
            assert!(
                reached,
                "kill {k} (seed {seed}): acknowledged {what} of {id} is missing ({:?})",
                t.status
            );
        }
    }

    // Final sync: the server holds each delivery exactly once.
    let core = w.open_core("crashy-phone", &token).await;
    let report = core.sync().now().await.expect("final sync");
    assert_eq!(report.pending, 0);
    let delivered: BTreeSet<String> = core
        .tasks()
        .all()
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.status == TaskStatus::Delivered)
        .map(|t| t.id)
        .collect();
    let acked_deliveries: BTreeSet<String> = acked
        .iter()
        .filter(|(_, what)| what == "delivered")
        .map(|(id, _)| id.clone())
        .collect();
    assert!(acked_deliveries.is_subset(&delivered));
    // The kills by lines alone (a quarter) see about three actions each.
    assert!(
        acked.len() >= kills / 4,
        "the workload barely ran: {} acks",
        acked.len()
    );
    let recorded = w.dispatch.mutations(Some("crashy")).await.unwrap();
    let mut on_server: Vec<String> = recorded
        .iter()
        .filter(|m| m.action["type"] == "delivered")
        .map(|m| m.task_id.clone())
        .collect();
    on_server.sort();
    let unique: BTreeSet<String> = on_server.iter().cloned().collect();
    assert_eq!(
        on_server.len(),
        unique.len(),
        "a delivery was applied twice"
    );
    assert_eq!(unique, delivered, "server and phone disagree");
    assert!(recorded.iter().all(|m| m.outcome == "applied"));
    let mut ids: Vec<i64> = recorded.iter().map(|m| m.mutation_id).collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>());
    println!(
        "{kills} kills, {} acknowledged actions ({} deliveries), {} deliveries on the server",
        acked.len(),
        acked_deliveries.len(),
        unique.len()
    );
}

/// `ACK <task> <accepted|arrived|delivered>` from the workload.
fn parse_ack(line: &str) -> Option<(String, String)> {
    let mut parts = line.strip_prefix("ACK ")?.split(' ');
    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
}
