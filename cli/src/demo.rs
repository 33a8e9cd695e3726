//! `runsheet demo`: one courier's shift, end to end, on loopback.
//!
//! Starts the reference server with a temporary database, has the dispatcher assign a small
//! shift, and runs the courier through it with the same API the Kotlin and Swift shells use
//! (`runsheet_ffi::Runsheet`). Midway the server is killed: the delivery made meanwhile stays
//! queued on the phone and reaches the restarted server exactly once.

use std::process::ExitCode;
use std::sync::Arc;

use runsheet_ffi::{
    CourierTask, Runsheet, RunsheetConfig, RunsheetError, TaskListUpdate, TaskListener,
};
use runsheet_protocol::{StopDoc, TaskKind};
use runsheet_server::{Dispatcher, RunningServer, ServerConfig};

const COURIER: &str = "courier-demo";

struct Narrator;

impl TaskListener for Narrator {
    fn on_update(&self, u: TaskListUpdate) {
        let mut parts = Vec::new();
        if !u.added.is_empty() {
            parts.push(format!("added {}", u.added.join(", ")));
        }
        if !u.updated.is_empty() {
            parts.push(format!("updated {}", u.updated.join(", ")));
        }
        if !u.removed.is_empty() {
            parts.push(format!("removed {}", u.removed.join(", ")));
        }
        if parts.is_empty() {
            parts.push("empty list".into());
        }
        println!("    [listener] {}", parts.join("; "));
    }
}

fn stop(
    name: &str,
    address: &str,
    lat: f64,
    lon: f64,
    ready_at: Option<i64>,
    due_by: Option<i64>,
) -> StopDoc {
    StopDoc {
        name: name.into(),
        address: address.into(),
        phone: None,
        lat,
        lon,
        ready_at,
        due_by,
    }
}

fn show(tasks: &[CourierTask]) {
    for t in tasks {
        let action = if t.can_deliver {
            "  -> [Delivered]"
        } else {
            ""
        };
        let pending = if t.pending_actions > 0 {
            format!("  ({} action(s) not yet sent)", t.pending_actions)
        } else {
            String::new()
        };
        let (kind, status) = (format!("{:?}", t.kind), format!("{:?}", t.status));
        println!(
            "    {:<8} {kind:<8} {status:<10} to {}{action}{pending}",
            t.id, t.dropoff.name
        );
    }
}

fn start_server(cfg: &ServerConfig) -> Result<RunningServer, String> {
    runsheet_server::start(cfg.clone()).map_err(|e| e.to_string())
}

/// Runs the demo; exit status 0 when every delivery reached the server exactly once.
pub fn run() -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("demo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(shift()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shift() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let admin = format!("demo-admin-{}", std::process::id());
    let mut cfg = ServerConfig {
        addr: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        db_path: dir.path().join("server.db"),
        admin_token: Some(admin.clone()),
    };
    println!("Runsheet demo: one courier shift against the reference server on loopback\n");
    let server = start_server(&cfg)?;
    cfg.addr = server.addr; // restart on the same port later
    println!("1. Reference server started at {}", server.url());

    let dispatch = Dispatcher::new(&server.url(), &admin);
    let token = dispatch
        .create_courier(COURIER, "Demo Courier")
        .await
        .map_err(|e| e.to_string())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let shift = [
        (
            "F-101",
            TaskKind::Food,
            Some(stop(
                "Noodle House",
                "12 Wensan Rd",
                30.2790,
                120.1410,
                Some(now + 300),
                None,
            )),
            stop(
                "Customer A",
                "Block 3, Huanglong Garden",
                30.2702,
                120.1305,
                None,
                Some(now + 1800),
            ),
        ),
        (
            "G-202",
            TaskKind::Grocery,
            Some(stop(
                "FreshMart Wulin",
                "88 Wulin Sq",
                30.2745,
                120.1620,
                Some(now + 600),
                None,
            )),
            stop(
                "Customer B",
                "Unit 1201, Qinghe Tower",
                30.2571,
                120.1700,
                None,
                Some(now + 2700),
            ),
        ),
        (
            "P-303",
            TaskKind::Parcel,
            None,
            stop(
                "Customer C",
                "5 Gongshu Lane",
                30.2900,
                120.1500,
                None,
                Some(now + 3600),
            ),
        ),
    ];
    for (id, kind, pickup, dropoff) in shift {
        dispatch
            .assign_task(id, COURIER, kind, pickup, dropoff)
            .await
            .map_err(|e| e.to_string())?;
    }
    println!("2. Dispatcher assigned 3 tasks to {COURIER}");

    let core = Runsheet::new(RunsheetConfig {
        db_path: dir.path().join("courier.db").to_string_lossy().into_owned(),
        server_url: server.url(),
        token,
    })
    .map_err(|e| e.to_string())?;
    let _sub = core
        .subscribe_tasks(Arc::new(Narrator))
        .map_err(|e| e.to_string())?;
    println!("3. Courier app opened on a fresh store, first sync:");
    let r = core.sync().await.map_err(|e| e.to_string())?;
    println!("    pulled {} change(s)", r.pulled_changes);
    show(&core.tasks().map_err(|e| e.to_string())?);

    println!("4. Courier delivers F-101 and the app syncs:");
    core.mark_delivered("F-101".into())
        .map_err(|e| e.to_string())?;
    let r = core.sync().await.map_err(|e| e.to_string())?;
    println!(
        "    server applied {} action(s), {} pending",
        r.pushed, r.pending
    );

    println!("5. The server dies (the courier is in a lift); courier delivers G-202:");
    server.kill();
    core.mark_delivered("G-202".into())
        .map_err(|e| e.to_string())?;
    match core.sync().await {
        Err(e @ RunsheetError::Offline { .. }) => println!("    sync: {e}"),
        other => return Err(format!("expected an offline error, got {other:?}")),
    }
    let status = core.sync_status().map_err(|e| e.to_string())?;
    println!(
        "    {} action(s) saved on the phone, waiting",
        status.pending
    );
    show(&core.tasks().map_err(|e| e.to_string())?);

    println!("6. Trying to deliver F-101 again is refused:");
    match core.mark_delivered("F-101".into()) {
        Err(e) => println!("    {e}"),
        Ok(()) => return Err("a second delivery of F-101 was accepted".into()),
    }

    println!("7. Server back on the same address; the queued delivery goes out:");
    let server = start_server(&cfg)?;
    let r = core.sync().await.map_err(|e| e.to_string())?;
    println!(
        "    server applied {} action(s), {} pending",
        r.pushed, r.pending
    );

    println!("8. Courier delivers P-303 and the shift ends:");
    core.mark_delivered("P-303".into())
        .map_err(|e| e.to_string())?;
    core.sync().await.map_err(|e| e.to_string())?;
    show(&core.tasks().map_err(|e| e.to_string())?);

    let applied = dispatch
        .mutations(Some(COURIER))
        .await
        .map_err(|e| e.to_string())?;
    let status = core.sync_status().map_err(|e| e.to_string())?;
    println!("\nFinal sync state:");
    println!("    pending on phone: {}", status.pending);
    for m in &applied {
        println!(
            "    server: mutation {} {} {} ({})",
            m.mutation_id,
            m.action["type"].as_str().unwrap_or("?"),
            m.task_id,
            m.outcome
        );
    }
    server.shutdown();
    let mut ids: Vec<&str> = applied.iter().map(|m| m.task_id.as_str()).collect();
    ids.sort_unstable();
    if status.pending != 0
        || ids != ["F-101", "G-202", "P-303"]
        || applied.iter().any(|m| m.outcome != "applied")
    {
        return Err("the server does not hold each delivery exactly once".into());
    }
    println!("    every delivery reached the server exactly once");
    Ok(())
}
