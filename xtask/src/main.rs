//! `cargo xtask`: the project's build and test driver.
//!
//! - `cargo xtask test [--long] [--no-postgres]`: every test: formatting, clippy, the Rust
//!   tests, the bindings, the C header check, the Kotlin JVM suite against the real library, the
//!   Swift check (the parse and the calls into the bindings; see `swift.rs`). Installs what it
//!   needs (kotlinc from npm, JNA/JUnit and PostgreSQL from Debian, tree-sitter from npm). The Rust tests get a throwaway PostgreSQL cluster, its URL in
//!   `RUNSHEET_TEST_POSTGRES` (see `postgres.rs`); `--no-postgres` skips it (and the tests that
//!   need it skip themselves). `--long` sizes the seeded fault and crash loops for a long local
//!   run.
//! - `cargo xtask bindings`: builds the library and generates the Kotlin and Swift bindings
//!   into `target/bindings/{kotlin,swift}` (and the Swift file into the iOS package).
//! - `cargo xtask imports [DIR]`: the import-cycle check of the core's modules (`core/src` by
//!   default; see `imports.rs` for what counts), also one step of `cargo xtask test`.
//! - `cargo xtask postgres [--standby]`: a throwaway PostgreSQL cluster (and a streaming
//!   standby of it) until Enter or Ctrl-C; prints its URL.
//! - `cargo xtask loadtest [ARGS...]`: `runsheet loadtest --postgres URL --pgbench PATH ARGS...`
//!   (release build) against a throwaway cluster.

mod android;
mod benches;
mod imports;
#[cfg(test)]
mod mobile;
mod postgres;
mod shells;
mod swift;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

const KOTLIN_VERSION: &str = "2.4.20";
const DEBIAN_JARS: &[(&str, &str)] = &[
    ("jna.jar", "libjna-java"),
    ("junit4.jar", "junit4"),
    ("hamcrest-core.jar", "libhamcrest-java"),
];

type Result<T, E = String> = std::result::Result<T, E>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str);
    let result = match command {
        Some("test") => test(
            args.iter().any(|a| a == "--long"),
            args.iter().any(|a| a == "--no-postgres"),
        ),
        Some("bindings") => bindings().map(|_| ()),
        // Only the Kotlin JVM suite (after the bindings): the quick loop for binding work.
        Some("kotlin") => bindings().and_then(|b| kotlin_suite(&b)).map(|_| ()),
        // Only the tree-sitter parse of the hand-written Swift.
        Some("swift") => swift::check().map(|(_, _, s)| println!("{s}")),
        // Only the thin-shell check of the Kotlin and Swift apps.
        Some("shells") => shells::check_step(&root()).and_then(|(_, f, note)| {
            println!("thin shells: {note}");
            if f == 0 {
                Ok(())
            } else {
                Err("domain decisions in the shells (listed above)".into())
            }
        }),
        // Only the Android checks (string keys per locale, run-time permissions, service types).
        Some("android") => android::check_step(&root()).and_then(|(_, f, note)| {
            println!("android checks: {note}");
            if f == 0 {
                Ok(())
            } else {
                Err("Android problems (listed above)".into())
            }
        }),
        // Only the import-cycle check of the core's modules (or of another crate's src).
        Some("imports") => imports::run(&root(), args.get(1).map(String::as_str)),
        // Only the benchmarks at the small scale (the step of `test`).
        Some("benches") => benches::run_all().and_then(|(p, f, note)| {
            println!("benchmarks: {p} passed, {f} failed ({note})");
            if f == 0 {
                Ok(())
            } else {
                Err(note)
            }
        }),
        Some("postgres") => postgres::serve(args[1..].iter().any(|a| a == "--standby")),
        Some("loadtest") => postgres::loadtest(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask test [--long] [--no-postgres] | cargo xtask bindings | cargo xtask kotlin | cargo xtask swift | cargo xtask benches\n       cargo xtask imports [DIR] | cargo xtask shells | cargo xtask android | cargo xtask postgres [--standby] | cargo xtask loadtest [ARGS...]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A `cargo` command at the workspace root. Incremental compilation is off unless the caller
/// set `CARGO_INCREMENTAL`: the suite builds each crate once, and the incremental caches of a
/// whole run were 5 GB of a disk a CI machine may not have (Cargo.toml, `[profile.dev]`).
fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    if std::env::var_os("CARGO_INCREMENTAL").is_none() {
        c.env("CARGO_INCREMENTAL", "0");
    }
    c
}

fn run(what: &str, cmd: &mut Command) -> Result<()> {
    println!("==> {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: {status}"))
    }
}

/// Runs `cmd`, echoing its stdout, and returns the stdout lines.
fn run_capture(what: &str, cmd: &mut Command) -> Result<(bool, Vec<String>)> {
    println!("==> {what}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    let mut lines = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.map_err(|e| e.to_string())?;
            println!("{line}");
            lines.push(line);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status.success(), lines))
}

/// Paths the Kotlin and Swift steps need.
struct Bindings {
    /// The generated Kotlin sources (one package per namespace).
    kotlin: PathBuf,
    swift_dir: PathBuf,
    /// The generated C headers in `swift_dir`, one per namespace.
    headers: Vec<String>,
    lib_dir: PathBuf,
}

fn bindings() -> Result<Bindings> {
    let root = root();
    // Separate invocations: building uniffi-bindgen (uniffi's `cli` feature) together with the
    // library would unify features into the cdylib.
    run(
        "build runsheet-ffi (cdylib)",
        cargo().args(["build", "-p", "runsheet-ffi"]),
    )?;
    run(
        "build uniffi-bindgen",
        cargo().args(["build", "-p", "uniffi-bindgen"]),
    )?;
    let target = target_dir();
    let lib = target.join("debug").join(cdylib_name());
    let out = target.join("bindings");
    for (lang, dir) in [("kotlin", "kotlin"), ("swift", "swift")] {
        let dir = out.join(dir);
        let _ = std::fs::remove_dir_all(&dir);
        run(
            &format!("generate {lang} bindings"),
            Command::new(target.join("debug").join("uniffi-bindgen"))
                .current_dir(&root)
                .args(["generate", "--no-format", "--library"])
                .arg(&lib)
                .args(["--language", lang, "--out-dir"])
                .arg(&dir),
        )?;
    }
    // One namespace per crate that declares FFI types (runsheet-protocol, runsheet-core,
    // runsheet-ffi), each with its own uniffi.toml. Kotlin: one package per crate. Swift: every
    // generated file goes into the one `RunsheetCore` Swift module (UniFFI's Swift bindings
    // need external types in the same module) and every header into the one `RunsheetFFI` C
    // module, whose module map is written here.
    let swift_dir = out.join("swift");
    let headers = files_with_extension(&swift_dir, "h")?;
    if headers.is_empty() {
        return Err("uniffi-bindgen wrote no C header".into());
    }
    let mut modulemap = String::from("module RunsheetFFI {\n");
    for h in &headers {
        modulemap.push_str(&format!("    header \"{h}\"\n"));
    }
    modulemap.push_str(
        "    export *\n    use \"Darwin\"\n    use \"_Builtin_stdbool\"\n    use \"_Builtin_stdint\"\n}\n",
    );
    std::fs::write(swift_dir.join("RunsheetFFI.modulemap"), modulemap)
        .map_err(|e| format!("write the module map: {e}"))?;
    let ios_generated = root.join("ios/Sources/RunsheetCore/Generated");
    let _ = std::fs::remove_dir_all(&ios_generated);
    std::fs::create_dir_all(&ios_generated).map_err(|e| e.to_string())?;
    for f in files_with_extension(&swift_dir, "swift")? {
        std::fs::copy(swift_dir.join(&f), ios_generated.join(&f))
            .map_err(|e| format!("copy Swift bindings into ios/: {e}"))?;
    }
    Ok(Bindings {
        kotlin: out.join("kotlin"),
        swift_dir,
        headers,
        lib_dir: target.join("debug"),
    })
}

/// Names of the files in `dir` ending in `.ext`, sorted.
fn files_with_extension(dir: &Path, ext: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.extension().is_some_and(|x| x == ext) {
            out.push(
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    out.sort();
    Ok(out)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn cdylib_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "librunsheet_ffi.dylib"
    } else {
        "librunsheet_ffi.so"
    }
}

/// Outcome of one step of `cargo xtask test`.
struct Step {
    name: &'static str,
    ok: bool,
    passed: u64,
    failed: u64,
    secs: f64,
    note: String,
}

fn test(long: bool, no_postgres: bool) -> Result<()> {
    let started = Instant::now();
    let mut steps: Vec<Step> = Vec::new();
    let mut record = |name: &'static str, t: Instant, r: Result<(u64, u64, String)>| {
        let (ok, passed, failed, note) = match r {
            Ok((p, f, note)) => (f == 0, p, f, note),
            Err(e) => {
                eprintln!("xtask: {name} failed: {e}");
                (false, 0, 0, e)
            }
        };
        steps.push(Step {
            name,
            ok,
            passed,
            failed,
            secs: t.elapsed().as_secs_f64(),
            note,
        });
    };

    let t = Instant::now();
    record(
        "cargo fmt --check",
        t,
        run(
            "cargo fmt --all --check",
            cargo().args(["fmt", "--all", "--check"]),
        )
        .map(|_| (0, 0, String::new())),
    );

    let t = Instant::now();
    record("core import cycles", t, imports::check_step(&root()));

    let t = Instant::now();
    record("thin shells", t, shells::check_step(&root()));

    let t = Instant::now();
    record("android checks", t, android::check_step(&root()));

    let t = Instant::now();
    record(
        "cargo clippy",
        t,
        run(
            "cargo clippy --workspace --all-targets -- -D warnings",
            cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        )
        .map(|_| (0, 0, String::new())),
    );

    let t = Instant::now();
    let mut rust = cargo();
    // Every failing test binary reported in one run, not only the first one cargo meets.
    rust.args([
        "test",
        "--no-fail-fast",
        "--workspace",
        "--exclude",
        "uniffi-bindgen",
    ]);
    if long {
        rust.env("RUNSHEET_LONG", "1");
    }
    // A throwaway PostgreSQL cluster for the Postgres-backed tests, stopped when dropped.
    rust.env_remove(postgres::ENV_VAR);
    rust.env_remove("RUNSHEET_REQUIRE_POSTGRES");
    let cluster = if no_postgres {
        None
    } else {
        // Without --no-postgres the PostgreSQL runs must run: a cluster that failed to start
        // fails them instead of letting them skip.
        rust.env("RUNSHEET_REQUIRE_POSTGRES", "1");
        let mut c = postgres::Cluster::start();
        if let Ok(c) = &mut c {
            rust.env(postgres::ENV_VAR, c.url());
            // A streaming standby beside it, for the read-replica tests.
            rust.env_remove(postgres::STANDBY_ENV_VAR);
            match c.start_standby() {
                Ok(url) => {
                    rust.env(postgres::STANDBY_ENV_VAR, url);
                }
                Err(e) => eprintln!("xtask: the standby did not start: {e}"),
            }
        }
        record(
            "postgres",
            t,
            c.as_ref()
                .map(|c| (0, 0, c.url().to_string()))
                .map_err(Clone::clone),
        );
        c.ok()
    };
    if let Some(sig) = postgres::interrupted() {
        return Err(format!("interrupted (signal {sig})"));
    }
    let t = Instant::now();
    record("rust tests", t, rust_tests(&mut rust));
    drop(cluster);
    if let Some(sig) = postgres::interrupted() {
        return Err(format!("interrupted (signal {sig})"));
    }

    // Every bench target at a small scale, on the debug build the tests just made.
    let t = Instant::now();
    record("benchmarks", t, benches::run_all());

    let t = Instant::now();
    record("qa scenarios", t, qa_scenarios());

    let t = Instant::now();
    let b = bindings();
    record(
        "bindings",
        t,
        b.as_ref()
            .map(|_| (0, 0, String::new()))
            .map_err(Clone::clone),
    );

    if let Ok(b) = &b {
        let t = Instant::now();
        record("C header", t, check_header(b));

        let t = Instant::now();
        record("kotlin jvm suite", t, kotlin_suite(b));
    }

    let t = Instant::now();
    record("swift check", t, swift::check());

    println!("\n==> summary ({:.0} s)", started.elapsed().as_secs_f64());
    let (mut passed, mut failed) = (0, 0);
    let mut all_ok = true;
    for s in &steps {
        println!(
            "  {:<4} {:<18} {:>5} passed {:>3} failed  {:>6.1} s  {}",
            if s.ok { "ok" } else { "FAIL" },
            s.name,
            s.passed,
            s.failed,
            s.secs,
            s.note
        );
        passed += s.passed;
        failed += s.failed;
        all_ok &= s.ok;
    }
    if !all_ok && failed == 0 {
        failed = steps.iter().filter(|s| !s.ok).count() as u64;
    }
    println!("{passed} passed, {failed} failed");
    if all_ok {
        Ok(())
    } else {
        Err("some steps failed (see the summary)".into())
    }
}

/// Runs cargo test and adds up its `test result:` lines.
fn rust_tests(cmd: &mut Command) -> Result<(u64, u64, String)> {
    let (ok, lines) = run_capture("cargo test --workspace", cmd)?;
    let (mut passed, mut failed) = (0, 0);
    for l in &lines {
        if let Some(rest) = l.strip_prefix("test result: ") {
            passed += number_before(rest, " passed");
            failed += number_before(rest, " failed");
        }
    }
    if !ok && failed == 0 {
        return Err("cargo test failed (build error?)".into());
    }
    Ok((passed, failed, String::new()))
}

fn number_before(s: &str, word: &str) -> u64 {
    s.find(word)
        .and_then(|i| s[..i].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `runsheet qa run tests/scenarios`, as a QA engineer runs it, with a JUnit report.
fn qa_scenarios() -> Result<(u64, u64, String)> {
    run(
        "build runsheet",
        cargo().args(["build", "-p", "runsheet-cli"]),
    )?;
    let junit = target_dir().join("qa-junit.xml");
    let (_, lines) = run_capture(
        "runsheet qa run tests/scenarios",
        Command::new(target_dir().join("debug/runsheet"))
            .current_dir(root())
            .args(["qa", "run", "tests/scenarios", "--junit"])
            .arg(&junit),
    )?;
    let summary = lines
        .iter()
        .rev()
        .find(|l| l.contains(" scenarios: "))
        .ok_or("runsheet qa printed no summary")?;
    let passed = number_before(summary, " passed");
    let failed = number_before(summary, " failed");
    Ok((passed, failed, format!("JUnit XML in {}", junit.display())))
}

fn check_header(b: &Bindings) -> Result<(u64, u64, String)> {
    // Included from a C file, as a consumer would. The header is written for Clang (Swift's
    // importer): its nullability qualifiers are Clang-only, so for gcc they are defined away;
    // everything else is checked as C11 with warnings as errors.
    let probe = b.swift_dir.join("header-check.c");
    let includes: String = b
        .headers
        .iter()
        .map(|h| format!("#include \"{h}\"\n"))
        .collect();
    std::fs::write(
        &probe,
        format!("{includes}int main(void) {{ return (int)sizeof(RustBuffer) > 0 ? 0 : 1; }}\n"),
    )
    .map_err(|e| e.to_string())?;
    run(
        "gcc -fsyntax-only (every generated header)",
        Command::new("gcc")
            .args([
                "-fsyntax-only",
                "-std=c11",
                "-Wall",
                "-Werror",
                "-D_Nonnull=",
                "-D_Nullable=",
                "-D_Null_unspecified=",
                "-I",
            ])
            .arg(&b.swift_dir)
            .arg(&probe),
    )?;
    Ok((
        b.headers.len() as u64,
        0,
        format!("{} headers compile together", b.headers.len()),
    ))
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn npm_install(prefix: &Path, packages: &[&str]) -> Result<()> {
    if !have("npm") {
        return Err("npm is needed to install the Kotlin compiler and tree-sitter".into());
    }
    std::fs::create_dir_all(prefix).map_err(|e| e.to_string())?;
    run(
        &format!("npm install {}", packages.join(" ")),
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(prefix)
            .args([
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ])
            .args(packages),
    )
}

fn kotlin_home() -> Result<PathBuf> {
    let prefix = target_dir().join("tools/kotlin");
    let home = prefix.join("node_modules/kotlin-compiler");
    if !home.join("bin/kotlinc").exists() {
        npm_install(&prefix, &[&format!("kotlin-compiler@{KOTLIN_VERSION}")])?;
    }
    Ok(home)
}

fn debian_jars() -> Result<PathBuf> {
    let dir = PathBuf::from("/usr/share/java");
    let missing: Vec<&str> = DEBIAN_JARS
        .iter()
        .filter(|(jar, _)| !dir.join(jar).exists())
        .map(|(_, pkg)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(dir);
    }
    let mut pkgs = missing.clone();
    pkgs.push("libjna-jni");
    apt_install(&pkgs)?;
    Ok(dir)
}

/// `apt-get install` of Debian packages (through `sudo -n` when not root).
fn apt_install(pkgs: &[&str]) -> Result<()> {
    let sudo = if is_root() { "" } else { "sudo -n " };
    let script = format!(
        "{sudo}apt-get update -qq && DEBIAN_FRONTEND=noninteractive {sudo}apt-get install -y -qq {}",
        pkgs.join(" ")
    );
    run(
        &format!("install Debian packages {}", pkgs.join(" ")),
        Command::new("sh").args(["-c", &script]),
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

fn kotlin_suite(b: &Bindings) -> Result<(u64, u64, String)> {
    let root = root();
    let home = kotlin_home()?;
    let java = debian_jars()?;
    run(
        "build runsheet (server binary for the suite)",
        cargo().args(["build", "-p", "runsheet-cli"]),
    )?;
    let lib = home.join("lib");
    let sep = if cfg!(windows) { ";" } else { ":" };
    let cp = [
        lib.join("kotlinx-coroutines-core-jvm.jar"),
        lib.join("kotlin-test.jar"),
        lib.join("kotlin-test-junit.jar"),
        java.join("jna.jar"),
        java.join("junit4.jar"),
        java.join("hamcrest-core.jar"),
    ]
    .iter()
    .map(|p| p.display().to_string())
    .collect::<Vec<_>>()
    .join(sep);
    let tests = root.join("android/runsheet/src/test/kotlin");
    // The app's code that runs on a JVM (session restore, capture journal, wake outcome,
    // screen updates): no Android imports, compiled here with its tests.
    let shell_core = root.join("android/shell-core/src/main/kotlin");
    let shell_tests = root.join("android/shell-core/src/test/kotlin");
    let classes = target_dir().join("kotlin-tests/classes");
    let _ = std::fs::remove_dir_all(&classes);
    run(
        "kotlinc (bindings + shell-core + JVM suite)",
        Command::new(home.join("bin/kotlinc"))
            .arg(&b.kotlin)
            .arg(&tests)
            .arg(&shell_core)
            .arg(&shell_tests)
            .args(["-cp", &cp, "-nowarn", "-d"])
            .arg(&classes),
    )?;
    let mut test_classes = find_test_classes(&tests)?;
    test_classes.extend(find_test_classes(&shell_tests)?);
    if test_classes.is_empty() {
        return Err("no Kotlin test classes found".into());
    }
    let runtime_cp = format!(
        "{}{sep}{cp}{sep}{}",
        classes.display(),
        lib.join("kotlin-stdlib.jar").display()
    );
    let bin = target_dir().join("debug/runsheet");
    let (_, lines) = run_capture(
        "JUnit (Kotlin bindings over the real library)",
        Command::new("java")
            .current_dir(&root)
            .arg("-cp")
            .arg(&runtime_cp)
            .arg(format!("-Djna.library.path={}", b.lib_dir.display()))
            .arg(format!("-Drunsheet.bin={}", bin.display()))
            .arg("org.junit.runner.JUnitCore")
            .args(&test_classes),
    )?;
    // JUnit prints `OK (N tests)` or `Tests run: N,  Failures: F`.
    let mut result = None;
    for l in &lines {
        if let Some(rest) = l.strip_prefix("OK (") {
            result = Some((number_before(rest, " test"), 0));
        } else if let Some(rest) = l.strip_prefix("Tests run: ") {
            let mut parts = rest.split(',');
            let run: u64 = parts
                .next()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            let failed: u64 = parts
                .next()
                .and_then(|s| s.trim().strip_prefix("Failures:"))
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(1);
            result = Some((run.saturating_sub(failed), failed));
        }
    }
    let (passed, failed) = result.ok_or("JUnit printed no summary")?;
    println!("kotlin: {passed} passed, {failed} failed");
    Ok((passed, failed, format!("{} classes", test_classes.len())))
}

fn find_test_classes(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "kt")
                && p.file_stem()
                    .is_some_and(|s| s.to_string_lossy().ends_with("Test"))
            {
                let src = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                let pkg = src
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("package "))
                    .map(|p| format!("{}.", p.trim()))
                    .unwrap_or_default();
                let stem = p.file_stem().unwrap_or_default().to_string_lossy();
                out.push(format!("{pkg}{stem}"));
            }
        }
    }
    out.sort();
    Ok(out)
}
