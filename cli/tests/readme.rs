//! The README's command lines run: every command of its ```sh blocks, read at test time, is
//! either run against the built binaries or skipped by [`SKIPPED`] with its reason; a README
//! naming a subcommand or flag the binary rejects fails this test with the README's line.
//!
//! How a line becomes a run:
//! - `cargo run [--release] --bin B -- ARGS` and a bare `B ARGS` run the binary `B` of this
//!   build (`runsheet` is this crate's; `runsheet-server` is looked up beside it in
//!   `target/<profile>/` and skipped with a message when it is not built). Leading
//!   `NAME=value` words are its environment; every other `RUNSHEET_*` variable is removed.
//! - Placeholders: `$TOKEN` becomes a generated token; `INSTANCE.json` a route instance the test
//!   writes; the value of `--addr` becomes `127.0.0.1:0` (the README's ports may be taken); a
//!   relative path that exists in the repository becomes its absolute path (commands run in a
//!   temporary directory, so the files they write land there). Any other capitalised
//!   placeholder (`PATH`, `URL`, `FILE.json`) or `$VARIABLE` fails the test until it gets a
//!   substitution here. A path outside the repository (`../shared/...`) that is absent is
//!   skipped with a message.
//! - [`LONG_RUNNING`] subcommands (`serve`) are started, must print `listening on http://...`
//!   as their first line, and are stopped; the others must exit 0.
//! - A command that needs what this test does not have is skipped only by [`SKIPPED`]; a
//!   skipped invocation of a binary still has its subcommand and flags checked against
//!   `--help`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Commands not run here, matched by their first words (or, for invocations of a binary, by a
/// word they contain), with the reason.
const SKIPPED: &[(&str, &str)] = &[
    (
        "cargo xtask test",
        "the whole suite: it is what runs this test",
    ),
    (
        "cargo xtask loadtest",
        "needs a PostgreSQL cluster and a release build; docs/scaling.md has its figures",
    ),
    (
        "cargo xtask postgres",
        "starts a PostgreSQL cluster and waits for Enter",
    ),
    (
        "cargo xtask bindings",
        "run by `cargo xtask test` (its bindings step)",
    ),
    (
        "cargo xtask kotlin",
        "run by `cargo xtask test` (its Kotlin JVM suite)",
    ),
    (
        "cargo xtask swift",
        "run by `cargo xtask test` (its Swift parse)",
    ),
    (
        "cargo xtask benches",
        "run by `cargo xtask test` (its benchmark step)",
    ),
    (
        "cargo bench",
        "a release build; `cargo xtask test` runs every benchmark at RUNSHEET_BENCH_SCALE=small",
    ),
    (
        "cargo run --release --bin runsheet -- app",
        "the courier app in a terminal: it needs a terminal and someone at its keys (its loop \
         runs headless in the cli's own tests, app::tests)",
    ),
    (
        "postgres://",
        "needs a PostgreSQL server (the server's suites run on one under `cargo xtask test`)",
    ),
];

/// Subcommands that serve until stopped.
const LONG_RUNNING: &[&str] = &["serve"];

/// How long a command may take (debug build, shared CI machine).
const TIMEOUT: Duration = Duration::from_secs(300);

/// A route instance in the spec's format (runsheet-route-v1) for `INSTANCE.json`.
const INSTANCE: &str = r#"{"format": "runsheet-route-v1", "name": "readme-2o",
 "start": {"lat": 30.2741, "lon": 120.155}, "start_time": 1795406400,
 "speed_mps": 4.0, "detour_factor": 1.3, "lateness_weight": 10, "capacity": 1, "onboard": ["A"],
 "stops": [
  {"id": "A-d", "order": "A", "kind": "dropoff", "lat": 30.2801, "lon": 120.1602, "due_by": 1795406700, "service_s": 90},
  {"id": "B-p", "order": "B", "kind": "pickup", "lat": 30.2712, "lon": 120.1648, "ready_at": 1795407300, "service_s": 120},
  {"id": "B-d", "order": "B", "kind": "dropoff", "lat": 30.2655, "lon": 120.1801, "due_by": 1795407900, "service_s": 60}]}"#;

/// One command of a ```sh block.
#[derive(Debug, Clone)]
struct Line {
    /// 1-based line in the markdown file where the command starts.
    line: usize,
    /// Its text, as written (continuations joined).
    text: String,
    /// Its words, unquoted.
    words: Vec<String>,
}

/// A command that runs one of the project's binaries.
#[derive(Debug)]
struct Invocation {
    bin: String,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

/// The commands of every ```sh (or ```bash, ```shell) block of `markdown`.
fn sh_commands(markdown: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    let mut in_block: Option<(usize, bool)> = None; // (fence length, is shell)
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in markdown.lines().enumerate() {
        let fence = {
            let t = raw.trim_start();
            let n = t.len() - t.trim_start_matches('`').len();
            let info = &t[n..];
            (n >= 3 && !info.contains('`')).then(|| (n, info.trim()))
        };
        match (in_block, fence) {
            (None, Some((n, info))) => {
                let lang = info.split_whitespace().next().unwrap_or("");
                in_block = Some((n, matches!(lang, "sh" | "bash" | "shell" | "console")));
            }
            (None, None) => {}
            (Some((n, _)), Some((m, info))) if m >= n && info.is_empty() => {
                if let Some((line, text)) = pending.take() {
                    return Err(format!(
                        "README.md:{line}: the block ends inside a continued command: {text}"
                    ));
                }
                in_block = None;
            }
            (Some((_, false)), _) => {}
            (Some((_, true)), _) => {
                let (line, mut text) = pending.take().unwrap_or((i + 1, String::new()));
                let body = raw.trim_end();
                if let Some(head) = body.strip_suffix('\\') {
                    text.push_str(head);
                    text.push(' ');
                    pending = Some((line, text));
                    continue;
                }
                text.push_str(body);
                let words = split_words(&text).map_err(|e| format!("README.md:{line}: {e}"))?;
                if !words.is_empty() {
                    out.push(Line {
                        line,
                        text: text.trim().to_owned(),
                        words,
                    });
                }
            }
        }
    }
    if in_block.is_some() {
        return Err("README.md: a code block is never closed".into());
    }
    Ok(out)
}

/// Splits a shell command into words: quotes, backslash escapes, `#` comments. `$NAME` is kept
/// as written (outside single quotes) for [`substitute`].
fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '#' if word.is_none() => break,
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        // `$` inside single quotes is literal: mark it so it is not expanded.
                        Some('$') => w.push('\u{0}'),
                        Some(c) => w.push(c),
                        None => return Err(format!("unclosed ' in: {s}")),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => w.push(c),
                            None => return Err(format!("unclosed \" in: {s}")),
                        },
                        Some(c) => w.push(c),
                        None => return Err(format!("unclosed \" in: {s}")),
                    }
                }
            }
            '\\' => {
                if let Some(c) = chars.next() {
                    word.get_or_insert_with(String::new).push(c);
                }
            }
            '|' | ';' | '&' | '>' | '<' => {
                return Err(format!(
                    "pipes, redirections and lists are not supported in README commands: {s}"
                ))
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word {
        words.push(w);
    }
    Ok(words)
}

/// The invocation of a binary of the project this command is, if it is one.
fn invocation(words: &[String]) -> Option<Invocation> {
    let mut env = Vec::new();
    let mut rest = words;
    while let Some((first, tail)) = rest.split_first() {
        match first.split_once('=') {
            Some((name, value))
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
            {
                env.push((name.to_owned(), value.to_owned()));
                rest = tail;
            }
            _ => break,
        }
    }
    let (first, tail) = rest.split_first()?;
    if first == "cargo" && tail.first().is_some_and(|w| w == "run") {
        let sep = tail.iter().position(|w| w == "--");
        let opts = &tail[..sep.unwrap_or(tail.len())];
        let bin = opts
            .windows(2)
            .find(|w| w[0] == "--bin")
            .map(|w| w[1].clone())?;
        let args = sep.map(|i| tail[i + 1..].to_vec()).unwrap_or_default();
        return Some(Invocation { bin, env, args });
    }
    let name = Path::new(first).file_name()?.to_str()?;
    if name == "runsheet" || name.starts_with("runsheet-") {
        return Some(Invocation {
            bin: name.to_owned(),
            env,
            args: tail.to_vec(),
        });
    }
    None
}

/// Why a command is skipped, if [`SKIPPED`] says so.
fn skipped(l: &Line) -> Option<&'static str> {
    // The command's own words, after its `NAME=value` environment.
    let command = l
        .words
        .iter()
        .skip_while(|w| {
            w.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
        })
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let joined = l.words.join(" ");
    SKIPPED
        .iter()
        .find(|(pattern, _)| {
            if pattern.contains(' ') {
                command == *pattern || command.starts_with(&format!("{pattern} "))
            } else {
                joined.contains(pattern)
            }
        })
        .map(|(_, why)| *why)
}

/// The binary `bin` of this build, if it is built.
fn binary(bin: &str) -> Option<PathBuf> {
    let runsheet = PathBuf::from(env!("CARGO_BIN_EXE_runsheet"));
    if bin == "runsheet" {
        return Some(runsheet);
    }
    let p = runsheet.with_file_name(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    p.exists().then_some(p)
}

/// The repository's root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli crate is in the workspace")
        .to_path_buf()
}

/// Everything a run needs: where it runs, the files and values placeholders stand for.
struct Fixture {
    dir: tempfile::TempDir,
    token: String,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("INSTANCE.json"), INSTANCE).expect("instance written");
        let token: String = (0..16)
            .map(|_| format!("{:02x}", rand::random::<u8>()))
            .collect();
        Fixture { dir, token }
    }

    /// One word with its placeholders substituted; `Err` names an unknown placeholder.
    fn substitute(&self, word: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = word;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, tail) = match after.strip_prefix('{') {
                Some(braced) => {
                    let end = braced.find('}').ok_or(format!("unclosed ${{ in {word}"))?;
                    (&braced[..end], &braced[end + 1..])
                }
                None => {
                    let end = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            match name {
                "TOKEN" => out.push_str(&self.token),
                other => return Err(format!("${other} has no substitution in this test")),
            }
            rest = tail;
        }
        out.push_str(rest);
        let out = out.replace('\u{0}', "$");
        if out == "INSTANCE.json" {
            return Ok(self.dir.path().join(&out).display().to_string());
        }
        if is_placeholder(&out) {
            return Err(format!(
                "placeholder {out} has no substitution in this test"
            ));
        }
        if !out.starts_with('-') && out.contains('/') && !out.contains("://") {
            let in_repo = repo().join(&out);
            if in_repo.exists() {
                return Ok(in_repo.display().to_string());
            }
        }
        Ok(out)
    }
}

/// `PATH`, `URL`, `FILE.json`, `ADDR`: a word in capitals standing for something.
fn is_placeholder(word: &str) -> bool {
    let stem = word.split('.').next().unwrap_or(word);
    stem.len() >= 3
        && stem
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && stem.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// The result of checking one command.
#[derive(Debug, PartialEq)]
enum Checked {
    Ran,
    Skipped(String),
}

/// Checks one command; `Err` says what is wrong (without the line, added by the caller).
fn check_line(l: &Line, fx: &Fixture) -> Result<Checked, String> {
    let inv = invocation(&l.words);
    if let Some(why) = skipped(l) {
        if let Some(inv) = &inv {
            if let Some(path) = binary(&inv.bin) {
                check_flags(&path, &inv.args)?;
            }
        }
        return Ok(Checked::Skipped(why.to_owned()));
    }
    let Some(inv) = inv else {
        return Err(
            "neither a run of the project's binaries nor in SKIPPED (cli/tests/readme.rs): \
             add it there with the reason"
                .into(),
        );
    };
    let Some(path) = binary(&inv.bin) else {
        return Ok(Checked::Skipped(format!(
            "{} is not built in this profile (target/<profile>/{})",
            inv.bin, inv.bin
        )));
    };
    let mut args = Vec::new();
    let mut words = inv.args.iter();
    while let Some(w) = words.next() {
        if w == "--addr" {
            words.next();
            args.extend(["--addr".to_owned(), "127.0.0.1:0".to_owned()]);
            continue;
        }
        let a = fx.substitute(w)?;
        if a.starts_with("../") && !Path::new(&a).is_absolute() && !repo().join(&a).exists() {
            return Ok(Checked::Skipped(format!(
                "{a} is outside the repository and absent here"
            )));
        }
        args.push(a);
    }
    let mut cmd = Command::new(&path);
    cmd.args(&args).current_dir(fx.dir.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("RUNSHEET_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in &inv.env {
        cmd.env(k, fx.substitute(v)?);
    }
    // Shown in failures with the generated token put back as `$TOKEN`.
    let shown = format!("{} {}", inv.bin, args.join(" ")).replace(&fx.token, "$TOKEN");
    let long_running = inv.bin != "runsheet"
        || args
            .first()
            .is_some_and(|a| LONG_RUNNING.contains(&a.as_str()));
    if long_running {
        serve_then_stop(cmd, &shown)?;
    } else {
        run_to_end(cmd, &shown)?;
    }
    Ok(Checked::Ran)
}

/// Starts a server, waits for `listening on http://` as its first line, stops it.
fn serve_then_stop(mut cmd: Command, shown: &str) -> Result<(), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("`{shown}` does not start: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    let first = rx.recv_timeout(Duration::from_secs(60));
    let exited = child.try_wait().ok().flatten();
    let _ = child.kill();
    let output = child.wait_with_output();
    let stderr = output
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .unwrap_or_default();
    match first {
        Ok(line) if line.starts_with("listening on http://") => Ok(()),
        Ok(line) => Err(format!(
            "`{shown}` printed {line:?} first, not `listening on http://...` (exit: {exited:?}); \
             stderr: {stderr}"
        )),
        Err(_) => Err(format!(
            "`{shown}` printed nothing in 60 s; stderr: {stderr}"
        )),
    }
}

/// Runs a command to its end; it must exit 0 within [`TIMEOUT`].
fn run_to_end(mut cmd: Command, shown: &str) -> Result<(), String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("`{shown}` does not start: {e}"))?;
    let (tx, rx) = mpsc::channel();
    let id = child.id();
    let waiter = std::thread::spawn(move || {
        let out = child.wait_with_output();
        let _ = tx.send(());
        out
    });
    if rx.recv_timeout(TIMEOUT).is_err() {
        // Stop only the child this test started, by its id.
        let _ = Command::new("kill").arg(id.to_string()).status();
        return Err(format!("`{shown}` did not finish in {TIMEOUT:?}"));
    }
    let out = waiter
        .join()
        .map_err(|_| "waiter panicked".to_owned())?
        .map_err(|e| format!("`{shown}`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{shown}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `bin WORDS --help`, if it succeeds.
fn help_of(path: &Path, words: &[&str]) -> Result<Option<String>, String> {
    let out = Command::new(path)
        .args(words)
        .arg("--help")
        .output()
        .map_err(|e| format!("`{}` does not start: {e}", path.display()))?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// For a command not run: its subcommands exist and its flags are in their `--help`.
fn check_flags(path: &Path, args: &[String]) -> Result<(), String> {
    let bin = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut path_words: Vec<&str> = Vec::new();
    let mut help = help_of(path, &[])?.ok_or(format!("`{bin} --help` fails"))?;
    for a in args {
        if a.starts_with('-') {
            break;
        }
        let mut try_words = path_words.clone();
        try_words.push(a);
        match help_of(path, &try_words)? {
            Some(h) => {
                path_words = try_words;
                help = h;
            }
            None if path_words.is_empty() => {
                return Err(format!("`{bin}` has no subcommand {a:?}"));
            }
            None => break, // a positional argument
        }
    }
    for a in args.iter().filter(|a| a.starts_with("--")) {
        let flag = a.split('=').next().unwrap_or(a);
        let known = help
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '=')
            .any(|w| w == flag);
        if !known {
            let shown = std::iter::once(bin.as_str())
                .chain(path_words.iter().copied())
                .collect::<Vec<_>>()
                .join(" ");
            return Err(format!("`{shown}` has no flag {flag}"));
        }
    }
    Ok(())
}

/// Checks every command of `markdown`: the failures with their line, and what was skipped.
fn check_readme(markdown: &str) -> (Vec<String>, Vec<String>, usize) {
    let lines = match sh_commands(markdown) {
        Ok(l) => l,
        Err(e) => return (vec![e], Vec::new(), 0),
    };
    let fx = Fixture::new();
    let (mut failures, mut skips, mut ran) = (Vec::new(), Vec::new(), 0);
    for l in &lines {
        match check_line(l, &fx) {
            Ok(Checked::Ran) => ran += 1,
            Ok(Checked::Skipped(why)) => {
                skips.push(format!("README.md:{}: {} ({why})", l.line, l.text))
            }
            Err(e) => failures.push(format!("README.md:{}: `{}`: {e}", l.line, l.text)),
        }
    }
    (failures, skips, ran)
}

#[test]
fn every_command_of_the_readme_runs() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let (failures, skips, ran) = check_readme(&readme);
    for s in &skips {
        println!("skipped {s}");
    }
    assert!(
        failures.is_empty(),
        "{} README command(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        ran >= 3,
        "only {ran} README commands ran; skipped: {skips:#?}"
    );
}

#[test]
fn a_rejected_subcommand_or_flag_fails_with_its_line() {
    let readme = "# Title\n\n```sh\n\
        cargo run --release --bin runsheet -- geo convert --from wgs84 --to gcj02 30.2741 120.1551\n\
        cargo run --bin runsheet -- geo convert --form wgs84 --to gcj02 1 2   # a typo\n\
        runsheet teleport --now\n\
        cargo frobnicate\n\
        RUNSHEET_DB=postgres://x@127.0.0.1/y cargo run --bin runsheet -- serve \\\n  --db-pools 4\n\
        runsheet route plan SOMEWHERE.json\n\
        RUNSHEET_BENCH_SCALE=small cargo bench -p runsheet-core --bench scan\n\
        RUNSHEET_DB=postgres://x@127.0.0.1/y runsheet --listen-everywhere\n\
        RUNSHEET_DB=postgres://x@127.0.0.1/y runsheet serve --addr 127.0.0.1:8081 --db-pool 16\n\
        ```\n";
    let (failures, skips, ran) = check_readme(readme);
    assert_eq!(ran, 1, "{failures:#?}");
    assert_eq!(skips.len(), 2, "{skips:#?}");
    assert!(skips[0].starts_with("README.md:11: "), "{}", skips[0]);
    assert_eq!(failures.len(), 6, "{failures:#?}");
    assert!(
        failures[0].starts_with("README.md:5: ") && failures[0].contains("--form"),
        "{}",
        failures[0]
    );
    assert!(failures[1].starts_with("README.md:6: "), "{}", failures[1]);
    assert!(
        failures[2].starts_with("README.md:7: ") && failures[2].contains("SKIPPED"),
        "{}",
        failures[2]
    );
    // Skipped for PostgreSQL, but its flags are still checked.
    assert!(
        failures[3].starts_with("README.md:8: ") && failures[3].contains("--db-pools"),
        "{}",
        failures[3]
    );
    assert!(
        failures[4].starts_with("README.md:10: ") && failures[4].contains("SOMEWHERE.json"),
        "{}",
        failures[4]
    );
    // Flags of the binary itself (no subcommand), as `runsheet-server --addr ...` will have.
    assert!(
        failures[5].starts_with("README.md:12: ")
            && failures[5].contains("`runsheet` has no flag --listen-everywhere"),
        "{}",
        failures[5]
    );
}

#[test]
fn serve_must_announce_where_it_listens() {
    let readme = "```sh\nrunsheet serve --addr 127.0.0.1:8080 --db runsheet-server.db --admin-token \"$TOKEN\"\n```\n";
    let (failures, _, ran) = check_readme(readme);
    assert_eq!((failures.len(), ran), (0, 1), "{failures:#?}");
    // A server that never announces itself fails (here: a bad flag makes it exit at once).
    let readme = "```sh\nrunsheet serve --addr 127.0.0.1:8080 --no-such-flag\n```\n";
    let (failures, _, _) = check_readme(readme);
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].contains("not `listening on http://...`")
            || failures[0].contains("printed nothing"),
        "{}",
        failures[0]
    );
}
