//! Running many scenarios (in parallel where they can) and reporting: a progress line each, a
//! summary, and JUnit XML for CI systems.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::run::{run_on, Outcome};
use super::scenario::{load, ScenarioError};
use crate::Store;

/// Every `*.toml` under the given files and folders, sorted.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), ScenarioError> {
        let err = |e: std::io::Error| ScenarioError {
            file: p.to_path_buf(),
            line: 0,
            message: format!("cannot read: {e}"),
        };
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(err)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for e in entries {
                if e.is_dir() || e.extension().is_some_and(|x| x == "toml") {
                    walk(&e, out)?;
                }
            }
        } else if p.exists() {
            out.push(p.to_path_buf());
        } else {
            return Err(ScenarioError {
                file: p.to_path_buf(),
                line: 0,
                message: "no such file or folder".into(),
            });
        }
        Ok(())
    }
    for p in paths {
        walk(p, &mut out)?;
    }
    Ok(out)
}

/// What a run of many scenarios found.
#[derive(Debug, Default)]
pub struct Report {
    /// One per scenario, in file order.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// Scenarios that passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.failure.is_none()).count()
    }

    /// Scenarios that failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }
}

/// The progress line of one outcome.
pub fn progress_line(o: &Outcome) -> String {
    match &o.failure {
        None => format!("ok   {} ({} steps, {:.1} s)", o.name, o.steps, o.seconds),
        Some(f) => format!(
            "FAIL {} ({})\n     {}: {f}",
            o.name,
            o.file.display(),
            o.file.display()
        ),
    }
}

/// Loads every file first (all must be valid), then runs them, `jobs` at a time, calling
/// `progress` as each finishes.
pub async fn run_all(
    files: &[PathBuf],
    seed: Option<u64>,
    jobs: usize,
    progress: impl Fn(&Outcome) + Send + Sync + 'static,
) -> Result<Report, Vec<ScenarioError>> {
    run_all_on(files, seed, jobs, &Store::Sqlite, progress).await
}

/// [`run_all`] with every scenario's server on `store` (each on a fresh database).
pub async fn run_all_on(
    files: &[PathBuf],
    seed: Option<u64>,
    jobs: usize,
    store: &Store,
    progress: impl Fn(&Outcome) + Send + Sync + 'static,
) -> Result<Report, Vec<ScenarioError>> {
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match load(f) {
            Ok(s) => scenarios.push(Arc::new(s)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let progress = Arc::new(progress);
    let limit = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut handles = Vec::new();
    for s in scenarios {
        let (limit, progress, store) = (limit.clone(), progress.clone(), store.clone());
        handles.push(tokio::spawn(async move {
            let _slot = limit.acquire_owned().await.expect("semaphore open");
            let o = run_on(&s, seed, &store).await;
            progress(&o);
            o
        }));
    }
    let mut report = Report::default();
    for (h, s) in handles.into_iter().zip(files) {
        report.outcomes.push(h.await.unwrap_or_else(|e| Outcome {
            file: s.clone(),
            name: s.display().to_string(),
            steps: 0,
            seconds: 0.0,
            failure: Some(super::run::Failure {
                step: 0,
                line: 0,
                at: "-".into(),
                expectation: "the scenario runs".into(),
                expected: "completion".into(),
                found: format!("the runner crashed: {e}"),
            }),
        }));
    }
    Ok(report)
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite, one test case per scenario.
pub fn junit_xml(report: &Report) -> String {
    let total: f64 = report.outcomes.iter().map(|o| o.seconds).sum();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"{}\" failures=\"{}\" time=\"{total:.3}\">\n  <testsuite name=\"runsheet-qa\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{total:.3}\">\n",
        report.outcomes.len(),
        report.failed(),
        report.outcomes.len(),
        report.failed()
    );
    for o in &report.outcomes {
        x.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            xml_escape(&o.file.display().to_string()),
            xml_escape(&o.name),
            o.seconds
        ));
        match &o.failure {
            None => x.push_str("/>\n"),
            Some(f) => x.push_str(&format!(
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                xml_escape(&format!("step {}: {}", f.step, f.expectation)),
                xml_escape(&f.expectation),
                xml_escape(&f.to_string())
            )),
        }
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}
