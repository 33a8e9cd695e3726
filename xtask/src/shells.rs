//! The thin-shell check of `cargo xtask test`: the Kotlin and Swift apps render the core's
//! screens and carry out its effects, so their sources must not decide anything the core
//! decides. It fails on the three shapes a domain decision takes in a shell:
//!
//! - a status compared (`TaskStatus.AT_DROPOFF ->`, `task.status == .delivered`,
//!   `ShiftState.ON_DUTY`, a step compared);
//! - the clock read for a rule (`System.currentTimeMillis()`, `Instant.now()`, `Date()`,
//!   `Date.now`, `timeIntervalSince1970`, `Clock.System.now()`);
//! - a blocker or error code compared as a string (`code == "not_arrived"`, `.code()`).
//!
//! A line that compares a platform's own status (a network path's) carries the marker
//! `shell-check: platform` with its reason; the marked lines are counted in the step's note so
//! a reviewer sees them.

use std::path::{Path, PathBuf};

use crate::Result;

/// The shells' hand-written sources.
pub const DIRS: [&str; 3] = ["android/app/src", "android/shell-core/src", "ios/App"];

/// The marker that declares a line platform work.
pub const MARKER: &str = "shell-check: platform";

/// One domain decision found in a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// File and line.
    pub at: String,
    /// Which rule.
    pub rule: &'static str,
    /// The line.
    pub line: String,
}

struct Rule {
    name: &'static str,
    matches: fn(&str) -> bool,
}

fn compares(line: &str) -> bool {
    line.contains("==") || line.contains("!=") || line.contains("->") || line.contains("case ")
}

const RULES: &[Rule] = &[
    Rule {
        name: "status compared",
        matches: |l| {
            let named = ["TaskStatus.", "ShiftState.", "Step.", "TaskGroup."]
                .iter()
                .any(|t| l.contains(t));
            let field = [
                ".status ==",
                ".status !=",
                ".status==",
                ".step ==",
                ".step !=",
                "when (task.status",
                "switch task.status",
                "when (status",
                "switch status",
            ]
            .iter()
            .any(|t| l.contains(t));
            (named && compares(l)) || field
        },
    },
    Rule {
        name: "clock read",
        matches: |l| {
            [
                "currentTimeMillis",
                "Instant.now",
                "LocalDateTime.now",
                "LocalTime.now",
                "Clock.System",
                "Date()",
                "Date.now",
                "timeIntervalSince1970",
                "CFAbsoluteTimeGetCurrent",
                "SystemClock.",
            ]
            .iter()
            .any(|t| l.contains(t))
        },
    },
    Rule {
        name: "code compared as a string",
        matches: |l| {
            (l.contains(".code()") || l.contains(".code ==") || l.contains("code == \""))
                || (compares(l) && has_snake_literal(l))
        },
    },
];

/// A string literal like "not_arrived" (lower-case words joined by underscores): the shape of
/// the core's codes.
fn has_snake_literal(line: &str) -> bool {
    line.split('"').skip(1).step_by(2).any(|s| {
        s.contains('_')
            && !s.starts_with('_')
            && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    })
}

fn strip_comment(line: &str) -> &str {
    match line.find("//") {
        // A URL's "://" is not a comment.
        Some(i) if i == 0 || line.as_bytes()[i - 1] != b':' => &line[..i],
        _ => line,
    }
}

/// The findings in one source text, and how many lines carried the platform marker.
pub fn scan(name: &str, text: &str) -> (Vec<Finding>, usize) {
    let mut out = Vec::new();
    let mut marked = 0;
    for (i, raw) in text.lines().enumerate() {
        if raw.contains(MARKER) {
            marked += 1;
            continue;
        }
        let line = strip_comment(raw).trim();
        if line.is_empty() || line.starts_with("import ") || line.starts_with('*') {
            continue;
        }
        for r in RULES {
            if (r.matches)(line) {
                out.push(Finding {
                    at: format!("{name}:{}", i + 1),
                    rule: r.name,
                    line: line.to_owned(),
                });
            }
        }
    }
    (out, marked)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            sources(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "kt" || x == "swift") {
            out.push(p);
        }
    }
    Ok(())
}

/// The step: (passed, failed, note).
pub fn check_step(root: &Path) -> Result<(u64, u64, String)> {
    let mut files = Vec::new();
    for d in DIRS {
        sources(&root.join(d), &mut files)?;
    }
    files.sort();
    let mut findings = Vec::new();
    let mut marked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let name = f.strip_prefix(root).unwrap_or(f).display().to_string();
        let (found, m) = scan(&name, &text);
        findings.extend(found);
        marked += m;
    }
    for f in &findings {
        eprintln!("{}: {}: {}", f.at, f.rule, f.line);
    }
    let note = format!(
        "{} shell files, {} domain decisions, {marked} lines marked platform",
        files.len(),
        findings.len()
    );
    if files.is_empty() {
        return Err("no shell sources found under android/app/src or ios/App".into());
    }
    Ok(if findings.is_empty() {
        (1, 0, note)
    } else {
        (0, 1, note)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_hit(line: &str) -> Vec<&'static str> {
        scan("x", line).0.into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn status_comparisons_are_found_in_kotlin_and_swift() {
        assert_eq!(
            rules_hit("TaskStatus.AT_DROPOFF -> ChecklistStage.DROPOFF"),
            ["status compared"]
        );
        assert_eq!(
            rules_hit("if task.status == .delivered {"),
            ["status compared"]
        );
        assert_eq!(
            rules_hit("val onDuty = state == ShiftState.ON_DUTY"),
            ["status compared"]
        );
        assert_eq!(rules_hit("when (task.status) {"), ["status compared"]);
        assert!(rules_hit("Text(row.status)").is_empty());
    }

    #[test]
    fn clock_reads_are_found() {
        assert_eq!(
            rules_hit("val now = System.currentTimeMillis() / 1000"),
            ["clock read"]
        );
        assert_eq!(
            rules_hit("let now = Int64(Date().timeIntervalSince1970)"),
            ["clock read"]
        );
        assert_eq!(rules_hit("let t = Date.now"), ["clock read"]);
    }

    #[test]
    fn code_strings_are_found() {
        assert_eq!(
            rules_hit("if (b.code() == \"not_arrived\") {"),
            ["code compared as a string"]
        );
        assert_eq!(
            rules_hit("blockers.any { it == \"items_not_confirmed\" }"),
            ["code compared as a string"]
        );
        assert!(rules_hit("val url = \"https://example.com/a_b\"").is_empty());
    }

    #[test]
    fn comments_and_marked_lines_are_not_decisions() {
        assert!(rules_hit("// task.status == .delivered was the old way").is_empty());
        let (found, marked) =
            scan("x", "monitor.pathUpdateHandler = { p in online = p.status == .satisfied } // shell-check: platform (network path)");
        assert!(found.is_empty());
        assert_eq!(marked, 1);
    }
}
