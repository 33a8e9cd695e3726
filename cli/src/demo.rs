//! `runsheet demo`: one courier's shift, end to end, on loopback, narrated.
//!
//! The shift is a QA scenario (`tests/scenarios/demo-shift.toml`, built into the binary) run by
//! the same engine as `runsheet qa run`: the real reference server with a temporary database,
//! and the courier's core opened through the API the Kotlin and Swift shells use. Midway the
//! server dies; the delivery made meanwhile waits on the phone and reaches the restarted server
//! exactly once. The scenario's own expectations check that; the demo exits 0 only if they hold.

use std::path::Path;
use std::process::ExitCode;

use runsheet_tests::qa::{self, Narration};

const SHIFT: &str = include_str!("../../tests/scenarios/demo-shift.toml");

fn describe(n: &Narration) -> String {
    let task = n.task.as_deref().unwrap_or("");
    match n.action.as_str() {
        "sync" => "the app syncs with the dispatch server".into(),
        "deliver" => format!("the courier taps Delivered on {task}"),
        "kill_server" => "the dispatch server dies (the courier is in a basement, say)".into(),
        "restart_server" => "the dispatch server is back".into(),
        "kill_app" => "the phone kills the app; it reopens from its database".into(),
        "expect" => "check what the phone and the server hold".into(),
        other => other.replace('_', " "),
    }
}

fn narrate(n: &Narration) {
    println!("{:>5}  {}", n.at, describe(n));
    if let Some(e) = &n.error {
        println!("       -> {e}");
    }
    if matches!(n.action.as_str(), "sync" | "deliver") && n.error.is_none() || n.step == 1 {
        for (id, status, to, can_deliver, unsent) in &n.tasks {
            let button = if *can_deliver { "  [Delivered]" } else { "" };
            let waiting = if *unsent > 0 {
                format!("  ({unsent} not sent yet)")
            } else {
                String::new()
            };
            println!("         {id:<6} {status:<10} to {to}{button}{waiting}");
        }
    }
    if n.pending > 0 {
        println!(
            "         {} action(s) saved on the phone, waiting for the network",
            n.pending
        );
    }
}

/// Runs the demo; exit status 0 when every delivery reached the server exactly once.
pub fn run() -> ExitCode {
    let scenario = match qa::parse(Path::new("demo-shift.toml"), SHIFT.to_owned()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::FAILURE;
        }
    };
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
    println!("Runsheet demo: a courier shift against the reference server on loopback");
    println!("(the same scenario engine as `runsheet qa run`; times are minutes into the shift)\n");
    let outcome = rt.block_on(qa::run_narrated(&scenario, None, Some(&narrate)));
    match outcome.failure {
        None => {
            println!(
                "\nevery delivery reached the server exactly once; nothing is left on the phone"
            );
            ExitCode::SUCCESS
        }
        Some(f) => {
            eprintln!("\ndemo failed: {f}");
            ExitCode::FAILURE
        }
    }
}
