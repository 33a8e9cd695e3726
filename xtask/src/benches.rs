//! The benchmark step of `cargo xtask test`: every bench target of the workspace, found with
//! `cargo metadata` (no names written here), built in the test profile, the debug build the
//! Rust tests just made, and run at `RUNSHEET_BENCH_SCALE=small` (the benchmarks' convention for
//! a tiny size), so that none can rot unnoticed. Each counts as one pass or one fail; figures
//! are printed, never judged (the machine is shared; the documented figures come from release
//! runs).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, Result};

/// How long one benchmark may take at the small scale in a debug build.
const TIMEOUT: Duration = Duration::from_secs(600);

/// The package selection of the Rust tests, so features resolve the same and nothing rebuilds.
const SELECTION: &[&str] = &["--workspace", "--exclude", "uniffi-bindgen"];

/// One bench target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Bench {
    package: String,
    name: String,
}

impl std::fmt::Display for Bench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.package, self.name)
    }
}

/// Every bench target of the workspace's members, with its package's directory.
fn discover() -> Result<BTreeMap<Bench, PathBuf>> {
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata: {}", out.status));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .ok_or("cargo metadata: no workspace_members")?
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    let mut benches = BTreeMap::new();
    for p in meta["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?
    {
        let (Some(id), Some(package), Some(manifest)) = (
            p["id"].as_str(),
            p["name"].as_str(),
            p["manifest_path"].as_str(),
        ) else {
            continue;
        };
        if !members.contains(&id) {
            continue;
        }
        let dir = PathBuf::from(manifest)
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        for t in p["targets"].as_array().into_iter().flatten() {
            let is_bench = t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bench"));
            if let (true, Some(name)) = (is_bench, t["name"].as_str()) {
                let bench = Bench {
                    package: package.to_owned(),
                    name: name.to_owned(),
                };
                benches.insert(bench, dir.clone());
            }
        }
    }
    Ok(benches)
}

/// `cargo test --no-run` of bench targets (`--bench NAME`, or all); the executables built,
/// and whether the build succeeded.
fn build(only: Option<&str>) -> Result<(bool, BTreeMap<Bench, PathBuf>)> {
    let mut cmd = cargo();
    cmd.arg("test")
        .args(SELECTION)
        .args(["--bench", only.unwrap_or("*")])
        .args(["--no-run", "--message-format=json-render-diagnostics"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let out = cmd
        .output()
        .map_err(|e| format!("cargo test --no-run: {e}"))?;
    let mut built = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let t = &msg["target"];
        let is_bench = t["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "bench"));
        let (Some(exe), Some(name), true) =
            (msg["executable"].as_str(), t["name"].as_str(), is_bench)
        else {
            continue;
        };
        // The package id names the package: `path+file:///...#name@version` or `...#version`.
        let package = package_name(msg["package_id"].as_str().unwrap_or_default());
        built.insert(
            Bench {
                package,
                name: name.to_owned(),
            },
            PathBuf::from(exe),
        );
    }
    Ok((out.status.success(), built))
}

/// The package name in a cargo package id (`path+file:///w/core#runsheet-core@0.1.0`, or
/// `path+file:///w/core#0.1.0` where the name is the directory's).
fn package_name(id: &str) -> String {
    let (path, frag) = id.rsplit_once('#').unwrap_or((id, ""));
    match frag.split_once('@') {
        Some((name, _)) => name.to_owned(),
        None => path.rsplit('/').next().unwrap_or(path).to_owned(),
    }
}

/// Runs one benchmark executable at the small scale; `Err` says why it failed.
fn run_one(exe: &PathBuf, dir: &PathBuf) -> Result<()> {
    let mut child = Command::new(exe)
        .current_dir(dir)
        .env("RUNSHEET_BENCH_SCALE", "small")
        .env("CARGO_MANIFEST_DIR", dir)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(status.to_string()),
            None if started.elapsed() > TIMEOUT => {
                let _ = child.kill(); // the child this step started
                let _ = child.wait();
                return Err(format!("still running after {TIMEOUT:?}"));
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The step: (passed, failed, note naming the failures).
pub fn run_all() -> Result<(u64, u64, String)> {
    let benches = discover()?;
    if benches.is_empty() {
        return Err("cargo metadata lists no bench targets".into());
    }
    let names: Vec<String> = benches.keys().map(ToString::to_string).collect();
    println!(
        "==> benchmarks at RUNSHEET_BENCH_SCALE=small: {}",
        names.join(", ")
    );
    let (ok, mut built) = build(None)?;
    if !ok {
        // Build each alone to tell which ones fail (the same selection: nothing else rebuilds).
        let alone: Vec<String> = benches.keys().map(|b| b.name.clone()).collect();
        for name in alone {
            if let Ok((_, b)) = build(Some(&name)) {
                built.extend(b);
            }
        }
    }
    let (mut passed, mut failed, mut notes) = (0, 0, Vec::new());
    for (bench, dir) in &benches {
        println!("==> bench {bench}");
        let result = match built.get(bench) {
            Some(exe) => run_one(exe, dir),
            None => Err("does not build".into()),
        };
        match result {
            Ok(()) => passed += 1,
            Err(e) => {
                eprintln!("xtask: bench {bench} failed: {e}");
                failed += 1;
                notes.push(format!("{bench}: {e}"));
            }
        }
    }
    let note = if notes.is_empty() {
        format!("{} benchmarks", benches.len())
    } else {
        notes.join("; ")
    };
    Ok((passed, failed, note))
}

#[cfg(test)]
mod tests {
    use super::package_name;

    #[test]
    fn package_ids_name_their_package() {
        assert_eq!(
            package_name("path+file:///w/core#runsheet-core@0.1.0"),
            "runsheet-core"
        );
        assert_eq!(package_name("path+file:///w/xtask#0.1.0"), "xtask");
    }
}
