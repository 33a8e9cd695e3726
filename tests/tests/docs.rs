//! The docs cannot rot: every ```toml block of `docs/*.md` runs as a QA scenario against the real
//! reference server, as `runsheet qa run` would run it from a file. A block marked
//! ```toml fragment is a piece of a scenario (a step, an expectation): it is checked by the
//! scenario parser after the preamble of [`FRAGMENT_PREAMBLE`] (docs/scenarios.md, "Examples in
//! the docs"). A block that fails is reported with its file and line.

use std::path::{Path, PathBuf};

use runsheet_tests::qa;

/// What a ```toml fragment block is appended to before it is parsed: a scenario with courier
/// `ann` and her food order `F1`, the names the docs' fragments use.
const FRAGMENT_PREAMBLE: &str = r#"[scenario]
name = "A fragment of the docs"
start = "2026-11-24T12:00:00+08:00"

[[courier]]
id = "ann"

[[task]]
id = "F1"
courier = "ann"
kind = "food"
pickup = { name = "Noodle House", lat = 30.2790, lon = 120.1410 }
dropoff = { name = "Li Wei", lat = 30.2745, lon = 120.1620 }

"#;

/// One ```toml block of a markdown file.
#[derive(Debug)]
struct Block {
    /// The markdown file, as reported.
    file: PathBuf,
    /// 1-based line of the block's first line of TOML.
    first_line: usize,
    /// Marked ```toml fragment.
    fragment: bool,
    /// The TOML.
    text: String,
}

impl Block {
    /// Where line `line` of the block (1-based; 0 when unknown) is in the markdown file.
    fn at(&self, line: usize) -> String {
        format!(
            "{}:{}",
            self.file.display(),
            self.first_line + line.saturating_sub(1)
        )
    }
}

/// A fence line (CommonMark): three or more backticks, then an info string without backticks.
/// Returns the fence's length and the info string.
fn fence(line: &str) -> Option<(usize, &str)> {
    let line = line.trim_start();
    let n = line.len() - line.trim_start_matches('`').len();
    let info = &line[n..];
    (n >= 3 && !info.contains('`')).then_some((n, info.trim()))
}

/// Every ```toml block of `markdown`; an unknown word after `toml` is an error with its line.
fn toml_blocks(file: &Path, markdown: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    // The open code block: its fence's length, and the block itself if it is TOML.
    let mut open: Option<(usize, Option<Block>)> = None;
    for (i, line) in markdown.lines().enumerate() {
        match &mut open {
            None => {
                let Some((n, info)) = fence(line) else {
                    continue;
                };
                let mut words = info.split_whitespace();
                let block = match words.next() {
                    Some("toml") => {
                        let fragment = match words.next() {
                            None => false,
                            Some("fragment") => true,
                            Some(other) => {
                                return Err(format!(
                                    "{}:{}: unknown mark {other:?} on a ```toml block \
                                     (whole scenarios are ```toml, pieces ```toml fragment)",
                                    file.display(),
                                    i + 1
                                ))
                            }
                        };
                        Some(Block {
                            file: file.to_path_buf(),
                            first_line: i + 2,
                            fragment,
                            text: String::new(),
                        })
                    }
                    _ => None,
                };
                open = Some((n, block));
            }
            Some((n, block)) => {
                if fence(line).is_some_and(|(m, info)| m >= *n && info.is_empty()) {
                    if let Some(b) = block.take() {
                        blocks.push(b);
                    }
                    open = None;
                } else if let Some(b) = block {
                    b.text.push_str(line);
                    b.text.push('\n');
                }
            }
        }
    }
    if open.is_some() {
        return Err(format!("{}: a code block is never closed", file.display()));
    }
    Ok(blocks)
}

/// Parses a fragment after the preamble; `Err` names the block's line.
fn check_fragment(b: &Block) -> Result<(), String> {
    let preamble_lines = FRAGMENT_PREAMBLE.lines().count();
    let source = format!("{FRAGMENT_PREAMBLE}{}", b.text);
    qa::parse(&b.file, source).map(|_| ()).map_err(|e| {
        let line = e.line.saturating_sub(preamble_lines);
        format!("{}: fragment: {}", b.at(line.max(1)), e.message)
    })
}

/// Parses and runs a whole scenario against the real server; `Err` names the block's line.
async fn run_scenario(b: &Block) -> Result<(), String> {
    let scenario = qa::parse(&b.file, b.text.clone())
        .map_err(|e| format!("{}: {}", b.at(e.line.max(1)), e.message))?;
    let outcome = qa::run_on(&scenario, None, &qa::Store::Sqlite).await;
    match outcome.failure {
        None => Ok(()),
        Some(f) => Err(format!(
            "{}: scenario {:?}, step {} (at {}): {}: expected {}, found {}",
            b.at(f.line.max(1)),
            outcome.name,
            f.step,
            f.at,
            f.expectation,
            f.expected,
            f.found
        )),
    }
}

/// Checks every block of `blocks`: the failures, each with its file and line.
async fn check(blocks: &[Block]) -> Vec<String> {
    let mut failures = Vec::new();
    for b in blocks {
        let r = if b.fragment {
            check_fragment(b)
        } else {
            run_scenario(b).await
        };
        if let Err(e) = r {
            failures.push(e);
        }
    }
    failures
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_toml_example_in_the_docs_runs() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(docs_dir())
        .expect("docs/ is readable")
        .map(|e| e.expect("a docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut blocks = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("a doc is readable");
        let shown = Path::new("docs").join(f.file_name().expect("a file name"));
        blocks.extend(toml_blocks(&shown, &text).unwrap_or_else(|e| panic!("{e}")));
    }
    let whole = blocks.iter().filter(|b| !b.fragment).count();
    assert!(
        whole >= 1,
        "docs/scenarios.md's complete example is gone: {blocks:?}"
    );
    let failures = check(&blocks).await;
    assert!(
        failures.is_empty(),
        "{} of {} TOML examples in docs/ fail:\n{}",
        failures.len(),
        blocks.len(),
        failures.join("\n")
    );
}

/// The checker itself: a failing whole scenario and a wrong fragment are reported at their
/// lines in the markdown file; an unknown mark is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_example_is_reported_with_its_file_and_line() {
    let markdown = r#"# A doc

Some words.

```toml
[scenario]
name = "Delivered too early"
start = "2026-11-24T12:00:00+08:00"

[[courier]]
id = "ann"

[[task]]
id = "F1"
courier = "ann"
kind = "parcel"
dropoff = { name = "Li Wei", lat = 30.2745, lon = 120.1620 }

[[step]]
at = "+0m"
do = "sync"

[[step]]
at = "+1m"
do = "deliver"
task = "F1"
```

```` ```toml ```` in running text is no block.

````sh
echo not toml
```
````

```toml fragment
[[step]]
at = "+1m"
do = "accept"
task = "F1"
```

```toml fragment
[[step]]
at = "+1m"
do = "teleport"
```
"#;
    let blocks = toml_blocks(Path::new("docs/x.md"), markdown).unwrap();
    assert_eq!(blocks.len(), 3, "{blocks:?}");
    assert_eq!(
        blocks.iter().map(|b| b.first_line).collect::<Vec<_>>(),
        [6, 37, 44]
    );
    let failures = check(&blocks).await;
    assert_eq!(failures.len(), 2, "{failures:#?}");
    // The refused delivery: its step's `do` is at line 25 of the markdown.
    assert!(
        failures[0].starts_with("docs/x.md:25: scenario \"Delivered too early\", step 2"),
        "{}",
        failures[0]
    );
    assert!(failures[0].contains("deliver"), "{}", failures[0]);
    assert!(
        failures[1].starts_with("docs/x.md:46: fragment: ")
            && failures[1].contains("unknown action \"teleport\""),
        "{}",
        failures[1]
    );

    let e = toml_blocks(Path::new("docs/y.md"), "text\n```toml scenario\n[x]\n```\n").unwrap_err();
    assert!(
        e.starts_with("docs/y.md:2: unknown mark \"scenario\""),
        "{e}"
    );
}
