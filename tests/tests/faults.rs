//! Network faults between the core and the server: over many seeded random courier workloads,
//! every action the core accepted is applied on the server exactly once and in order, and the
//! phone and the server end in the same state.
//!
//! `RUNSHEET_SEED=N RUNSHEET_RUNS=1 cargo test -p runsheet-tests --test faults` replays one seed;
//! `RUNSHEET_LONG=1` (set by `cargo xtask test --long`) runs ten times as many.

use std::collections::HashMap;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use runsheet_ffi::{open_runsheet, DeviceClock, Runsheet, RunsheetConfig, Step};
use runsheet_tests::faults::{Fault, FaultProxy};
use runsheet_tests::World;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_accepted_action_lands_exactly_once_through_a_faulty_network() {
    let long = std::env::var_os("RUNSHEET_LONG").is_some();
    let runs = env_u64("RUNSHEET_RUNS").unwrap_or(if long { 5000 } else { 500 });
    let first = env_u64("RUNSHEET_SEED").unwrap_or(0x5EED_0000);
    let w = World::new();
    let mut faults_seen: HashMap<String, u64> = HashMap::new();
    for seed in first..first + runs {
        match one_run(&w, seed).await {
            Ok(faults) => {
                for f in faults {
                    *faults_seen.entry(format!("{f:?}")).or_default() += 1;
                }
            }
            Err(msg) => panic!(
                "seed {seed} failed: {msg}\nreplay: RUNSHEET_SEED={seed} RUNSHEET_RUNS=1 cargo test -p runsheet-tests --test faults"
            ),
        }
    }
    // The runs really exercised every kind of fault.
    for kind in [
        "DropRequest",
        "DropResponse",
        "Duplicate",
        "Delay",
        "ServerError",
        "TruncateResponse",
        "Reset",
    ] {
        assert!(
            faults_seen.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} fault was injected: {faults_seen:?}"
        );
    }
    println!("{runs} seeded runs, faults injected: {faults_seen:?}");
}

/// The phone's clock in these runs: virtual, so a seed replays with the same device times.
struct VirtualClock(AtomicI64);

impl DeviceClock for VirtualClock {
    fn now_unix_seconds(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

async fn open_phone(
    w: &World,
    phone: &str,
    token: &str,
    url: &str,
    clock: &Arc<VirtualClock>,
) -> Arc<Runsheet> {
    let config = RunsheetConfig {
        db_path: w.device_db(phone).to_string_lossy().into_owned(),
        db_key: None,
        locale: None,
        server_url: url.into(),
        token: token.into(),
    };
    let clock: Arc<dyn DeviceClock> = clock.clone();
    open_runsheet(config, Some(clock))
        .await
        .expect("core opens")
}

async fn one_run(w: &World, seed: u64) -> Result<Vec<Fault>, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let courier = format!("c{seed}");
    let n_tasks = rng.gen_range(2..7);
    let ids: Vec<String> = (0..n_tasks).map(|i| format!("{courier}-T{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let token = w.courier(&courier, &refs).await;
    let proxy = FaultProxy::start(w.addr(), seed, rng.gen_range(0.2..0.6))
        .await
        .map_err(|e| e.to_string())?;
    let phone = format!("phone-{seed}");
    let clock = Arc::new(VirtualClock(AtomicI64::new(1_795_400_000)));
    let mut core = open_phone(w, &phone, &token, &proxy.url(), &clock).await;
    let mut accepted: Vec<String> = Vec::new();

    for _ in 0..rng.gen_range(4..12) {
        clock.0.fetch_add(rng.gen_range(1..120), Ordering::SeqCst);
        match rng.gen_range(0..10) {
            // Do a task's primary action (accept, confirm arrival by hand, deliver).
            0..=3 => {
                let open: Vec<(String, Step)> = core
                    .tasks()
                    .all()
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .filter_map(|t| runsheet_core::workflow::step_for(&t).map(|step| (t.id, step)))
                    .collect();
                if !open.is_empty() {
                    let (id, step) = open[rng.gen_range(0..open.len())].clone();
                    let r = match step {
                        Step::Accept => core.tasks().accept(id.clone()).await,
                        Step::Arrive(
                            runsheet_ffi::StopRole::Pickup | runsheet_ffi::StopRole::Dropoff,
                        ) => {
                            core.tasks()
                                .arrive_manually(id.clone(), "fault test".into())
                                .await
                        }
                        Step::Deliver => core.tasks().mark_delivered(id.clone()).await,
                        other => return Err(format!("unexpected step {other:?} for a parcel")),
                    };
                    r.map_err(|e| format!("the primary action {step:?} was refused: {e}"))?;
                    accepted.push(id);
                }
            }
            // The app is killed and reopened.
            4 => {
                drop(core);
                core = open_phone(w, &phone, &token, &proxy.url(), &clock).await;
            }
            // Sync over the faulty network; failures are expected and must change nothing.
            _ => {
                let before = core
                    .sync()
                    .status()
                    .await
                    .map_err(|e| e.to_string())?
                    .pending;
                if core.sync().now().await.is_err() {
                    let after = core
                        .sync()
                        .status()
                        .await
                        .map_err(|e| e.to_string())?
                        .pending;
                    if after > before {
                        return Err(format!("a failed sync grew the queue {before} -> {after}"));
                    }
                }
            }
        }
    }

    // The network heals: the queue must drain.
    proxy.set_fault_rate(0.0);
    let report = core
        .sync()
        .now()
        .await
        .map_err(|e| format!("clean sync failed: {e}"))?;
    if report.pending != 0
        || core
            .sync()
            .status()
            .await
            .map_err(|e| e.to_string())?
            .pending
            != 0
    {
        return Err(format!(
            "{} actions still pending after a clean sync",
            report.pending
        ));
    }

    // Exactly once, in order, all applied.
    let recorded = w
        .dispatch
        .mutations(Some(&courier))
        .await
        .map_err(|e| e.to_string())?;
    let mut recorded: Vec<_> = recorded.into_iter().collect();
    recorded.sort_by_key(|m| m.mutation_id);
    let server_ids: Vec<i64> = recorded.iter().map(|m| m.mutation_id).collect();
    let expected_ids: Vec<i64> = (1..=accepted.len() as i64).collect();
    if server_ids != expected_ids {
        return Err(format!(
            "server mutation ids {server_ids:?}, expected {expected_ids:?}"
        ));
    }
    let server_tasks: Vec<&str> = recorded.iter().map(|m| m.task_id.as_str()).collect();
    if server_tasks != accepted.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(format!(
            "server applied {server_tasks:?}, the phone accepted {accepted:?}"
        ));
    }
    if let Some(m) = recorded.iter().find(|m| m.outcome != "applied") {
        return Err(format!("mutation {} was {}", m.mutation_id, m.outcome));
    }
    // Device times are the virtual clock's, non-decreasing in mutation order.
    if recorded
        .windows(2)
        .any(|p| p[0].device_time > p[1].device_time)
    {
        return Err("device times went backwards".into());
    }

    // Phone and server agree on every task.
    for t in core.tasks().all().await.map_err(|e| e.to_string())? {
        let server = w.dispatch.task(&t.id).await.map_err(|e| e.to_string())?;
        let same = runsheet_tests::qa::status_name(t.status) == server.task.status.as_str();
        if !same || t.pending_actions != 0 {
            return Err(format!(
                "task {} is {:?} on the phone, {:?} on the server",
                t.id, t.status, server.task.status
            ));
        }
    }
    Ok(proxy.faults())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_replays_the_same_faults() {
    let mut injected = 0;
    for seed in [7, 0x5EED_0042, 123_456_789] {
        let first = one_run(&World::new(), seed).await.unwrap();
        let again = one_run(&World::new(), seed).await.unwrap();
        assert_eq!(first, again, "seed {seed} did not replay");
        injected += first.iter().filter(|f| **f != Fault::None).count();
    }
    assert!(
        injected > 0,
        "the seeds injected no fault: the replay proved nothing"
    );
}
