//! `runsheet qa run PATH...`: runs scenario files (docs/scenarios.md) against the real core and
//! server on loopback, prints a line per scenario and a summary, and writes JUnit XML.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use runsheet_tests::qa;

/// Options of `runsheet qa run`.
pub struct QaRun {
    /// Files and folders of scenarios.
    pub paths: Vec<PathBuf>,
    /// Write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// Override every scenario's seed.
    pub seed: Option<u64>,
    /// Scenarios run at once.
    pub jobs: usize,
    /// The store each scenario's server runs on.
    pub store: runsheet_tests::Store,
}

/// Exit status: 0 all passed, 1 a scenario failed, 2 a file is invalid or unreadable.
pub fn run(opts: QaRun) -> ExitCode {
    let files = match qa::collect_files(&opts.paths) {
        Ok(f) if f.is_empty() => {
            eprintln!("runsheet qa: no scenario files (*.toml) found");
            return ExitCode::from(2);
        }
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runsheet qa: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let done = Arc::new(AtomicUsize::new(0));
    let total = files.len();
    let counter = done.clone();
    let report = rt.block_on(qa::run_all_on(
        &files,
        opts.seed,
        opts.jobs,
        &opts.store,
        move |o| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            println!("[{n}/{total}] {}", qa::report::progress_line(o));
        },
    ));
    let report = match report {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!(
                "runsheet qa: {} invalid scenario file(s); nothing was run",
                errors.len()
            );
            return ExitCode::from(2);
        }
    };
    println!(
        "\n{} scenarios: {} passed, {} failed",
        report.outcomes.len(),
        report.passed(),
        report.failed()
    );
    for o in report.outcomes.iter().filter(|o| o.failure.is_some()) {
        if let Some(f) = &o.failure {
            println!("  {}: {} — {f}", o.file.display(), o.name);
        }
    }
    println!("{} passed, {} failed", report.passed(), report.failed());
    if let Some(path) = &opts.junit {
        if let Err(e) = std::fs::write(path, qa::junit_xml(&report)) {
            eprintln!("runsheet qa: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
