//! A courier workload for the crash test: opens the core through the shells' API, walks tasks through
//! their workflow (accept, arrive, deliver) and syncs at random until killed. After each action returns it prints `ACK <task id> <accepted|arrived|delivered>`: from
//! that moment the action must survive anything.
//!
//! Usage: courier-workload DB_PATH SERVER_URL TOKEN SEED

use std::io::Write;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use runsheet_ffi::{open_runsheet, RunsheetConfig, Step};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, url, token, seed] = &args[..] else {
        eprintln!("usage: courier-workload DB_PATH SERVER_URL TOKEN SEED");
        std::process::exit(2);
    };
    let seed: u64 = seed.parse().unwrap_or(0);
    let config = RunsheetConfig {
        db_path: db.clone(),
        db_key: None,
        locale: None,
        server_url: url.clone(),
        token: token.clone(),
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(work(config, StdRng::seed_from_u64(seed)));
}

/// Acts and syncs at random until the process is killed.
async fn work(config: RunsheetConfig, mut rng: StdRng) {
    let core = open_runsheet(config, None).await.expect("core opens");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "OPEN");
    let _ = out.flush();
    loop {
        if rng.gen_bool(0.3) {
            let _ = core.sync().now().await;
            let _ = writeln!(out, "SYNCED");
            let _ = out.flush();
        }
        // Any task's primary action: accept, confirm the arrival by hand, or deliver.
        let open: Vec<(String, Step)> = core
            .tasks()
            .all()
            .await
            .expect("tasks")
            .into_iter()
            .filter_map(|t| runsheet_core::workflow::step_for(&t).map(|step| (t.id, step)))
            .collect();
        if open.is_empty() {
            let _ = writeln!(out, "IDLE");
            let _ = out.flush();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            continue;
        }
        let (id, step) = open[rng.gen_range(0..open.len())].clone();
        let name = match step {
            Step::Accept => {
                core.tasks().accept(id.clone()).await.expect("accept");
                "accepted"
            }
            Step::Arrive(runsheet_ffi::StopRole::Dropoff | runsheet_ffi::StopRole::Pickup) => {
                core.tasks()
                    .arrive_manually(id.clone(), "workload".into())
                    .await
                    .expect("arrival");
                "arrived"
            }
            Step::Deliver => {
                core.tasks()
                    .mark_delivered(id.clone())
                    .await
                    .expect("deliverable task accepted");
                "delivered"
            }
            _ => continue,
        };
        let _ = writeln!(out, "ACK {id} {name}");
        let _ = out.flush();
    }
}
