//! The Swift check (`cargo xtask swift`, one step of `cargo xtask test`): `swift/check-swift.js`
//! parses the iOS shell's hand-written Swift with tree-sitter and checks its calls into the
//! generated bindings against their declarations, that no generated type is named like a type of
//! SwiftUI, UIKit, Foundation or the standard library that the app would see (bar a documented
//! few the app always qualifies), that the app's `.strings`/`.stringsdict` hold the same keys with
//! the same format specifiers in every language, and that `project.yml` declares the Info.plist
//! keys (usage descriptions, background modes, task identifiers) for what the Swift asks iOS for
//! (see the script for what it reads). There is no Swift compiler on the CI machines.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{npm_install, number_before, root, run_capture, target_dir, Result};

const TREE_SITTER: &str = "tree-sitter@0.22.4";
const TREE_SITTER_SWIFT: &str = "tree-sitter-swift@0.7.1";

/// Overrides where the tree-sitter node modules are (a `node_modules` folder holding
/// `tree-sitter` and `tree-sitter-swift`); by default they are installed under the target dir.
const MODULES_ENV: &str = "RUNSHEET_TREE_SITTER_MODULES";

/// What the script printed in its two summary lines.
#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    parsed: u64,
    with_errors: u64,
    calls_checked: u64,
    calls_mismatched: u64,
    calls_unknown: u64,
    resources_checked: u64,
    resources_failed: u64,
    text: String,
}

/// The check on `ios/`: (passed, failed, summary), counting files that parse and calls into the
/// bindings that match a declaration as passed.
pub(crate) fn check() -> Result<(u64, u64, String)> {
    let modules = modules()?;
    let (ok, s) = run(&modules, &root().join("ios"), &root())?;
    let failed = s.with_errors + s.calls_mismatched + s.resources_failed;
    if !ok && failed == 0 {
        return Err(s.text);
    }
    let passed = (s.parsed - s.with_errors.min(s.parsed))
        + (s.calls_checked - s.calls_mismatched.min(s.calls_checked))
        + (s.resources_checked - s.resources_failed.min(s.resources_checked));
    Ok((passed, failed, s.text))
}

/// Held while the tree-sitter modules are looked for and installed: the tests that need them
/// run on parallel threads, and one running the check while another's `npm install` rewrites
/// `node_modules` found no calls at all (a fresh clone's CI run failed so).
static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The tree-sitter node modules: `RUNSHEET_TREE_SITTER_MODULES`, or installed from npm under
/// `target/tools/tree-sitter` the first time.
fn modules() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(MODULES_ENV) {
        return Ok(PathBuf::from(dir));
    }
    let _installing = INSTALLING.lock().unwrap_or_else(|p| p.into_inner());
    let prefix = target_dir().join("tools/tree-sitter");
    let modules = prefix.join("node_modules");
    if !modules.join("tree-sitter-swift").exists() || !modules.join("tree-sitter").exists() {
        npm_install(&prefix, &[TREE_SITTER, TREE_SITTER_SWIFT])?;
    }
    Ok(modules)
}

/// Runs the script on `dir` from `cwd` (file names are printed relative to it).
fn run(modules: &Path, dir: &Path, cwd: &Path) -> Result<(bool, Summary)> {
    let (ok, lines) = run_capture(
        "tree-sitter check of hand-written Swift",
        Command::new("node")
            .current_dir(cwd)
            .arg(root().join("xtask/swift/check-swift.js"))
            .arg(modules)
            .arg(dir),
    )?;
    Ok((ok, summary(&lines)?))
}

fn summary(lines: &[String]) -> Result<Summary> {
    let files = lines
        .iter()
        .rev()
        .find(|l| l.contains("swift files parsed"))
        .ok_or("the Swift check printed no summary")?;
    let calls = lines
        .iter()
        .rev()
        .find(|l| l.contains("calls into the bindings checked"))
        .ok_or("the Swift check printed no summary of the calls")?;
    let resources = lines
        .iter()
        .rev()
        .find(|l| l.contains(" resource checks, "))
        .ok_or("the Swift check printed no summary of the resource checks")?;
    Ok(Summary {
        parsed: number_before(files, " swift files parsed"),
        with_errors: number_before(files, " with errors"),
        calls_checked: number_before(calls, " calls into the bindings checked"),
        calls_mismatched: number_before(calls, " mismatched"),
        calls_unknown: number_before(calls, " unknown"),
        resources_checked: number_before(resources, " resource checks"),
        resources_failed: number_before(resources, " failed"),
        text: format!("{files}; {calls}; {resources}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines_are_read() {
        let lines = [
            "App/X.swift:3: call a(b:) matches no generated declaration (have: a(c:))".to_string(),
            "4 swift files parsed, 1 with errors".to_string(),
            "14 calls into the bindings checked, 2 mismatched, 5 unknown".to_string(),
            "30 resource checks, 3 failed (allowed name collisions: Body)".to_string(),
        ];
        let s = summary(&lines).expect("the three lines are there");
        assert_eq!(
            (
                s.parsed,
                s.with_errors,
                s.calls_checked,
                s.calls_mismatched,
                s.calls_unknown,
                s.resources_checked,
                s.resources_failed
            ),
            (4, 1, 14, 2, 5, 30, 3)
        );
        assert!(summary(&lines[..2]).is_err());
        assert!(summary(&lines[..3]).is_err());
    }

    /// Runs the script on a fixture folder; None when node or the modules are missing here.
    fn run_fixture(name: &str) -> Option<(Vec<String>, bool)> {
        if std::env::var_os(MODULES_ENV).is_none() && !crate::have("npm") {
            eprintln!("skipped: no {MODULES_ENV} and no npm to install tree-sitter");
            return None;
        }
        if !crate::have("node") {
            eprintln!("skipped: no node");
            return None;
        }
        let modules = modules().expect("tree-sitter modules installed");
        let out = Command::new("node")
            .current_dir(root().join("xtask/swift/fixtures").join(name))
            .arg(root().join("xtask/swift/check-swift.js"))
            .arg(&modules)
            .arg(".")
            .output()
            .expect("node runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        Some((
            text.lines().map(str::to_string).collect(),
            out.status.success(),
        ))
    }

    /// The project fixture: generated types named like Apple's (two allowed, one not), bare
    /// uses of the allowed ones in the app (a qualified use and a use inside the module pass),
    /// strings tables with a missing key, a duplicate, swapped specifiers and a key the code
    /// uses but no table has, a fixed font size (and a custom font relative to a text style), and a project.yml missing what the code asks iOS for.
    #[test]
    fn names_strings_and_info_plist_are_checked() {
        let Some((lines, ok)) = run_fixture("project") else {
            return;
        };
        assert!(!ok, "the fixture's faults fail the check: {lines:?}");
        let expected = [
            "Sources/RunsheetCore/Generated/Bindings.swift: generated type Timer shares its name \
             with Foundation.Timer; rename it in the Rust (or list it in ALLOWED_COLLISIONS with \
             why it is safe)",
            "App/Views.swift:9: Body written bare is ambiguous with SwiftUI.Body; write \
             RunsheetCore.Body",
            "App/Views.swift:15: NavigationLink written bare is ambiguous with \
             SwiftUI.NavigationLink; write RunsheetCore.NavigationLink",
            "App/zh-Hans.lproj/InfoPlist.strings: key \"NSCameraUsageDescription\" missing \
             (present in another language)",
            "App/en.lproj/Localizable.strings:7: key \"a\" given twice",
            "App/zh-Hans.lproj/Localizable.strings: key \"b\" has format specifiers \
             [1:%@ 2:%lld], en.lproj has [1:%lld 2:%@]",
            "App/zh-Hans.lproj/Localizable.strings: key \"only.en\" missing (present in another \
             language)",
            "App/en.lproj/Localizable.stringsdict: key \"stops.count\" missing (present in \
             another language)",
            "App/Views.swift:18: a fixed font size; use a text style (Dynamic Type)",
            "App/Views.swift:16: ShellWords key \"missing.key\" is in no en.lproj Localizable table",
            "project.yml: App/Views.swift uses requestAlwaysAuthorization, so the target needs \
             NSLocationAlwaysAndWhenInUseUsageDescription",
            "project.yml: BGTaskSchedulerPermittedIdentifiers lacks app.test.sync (App/Views.swift)",
            "project.yml: App/Views.swift reads Info.plist key Server, which no target sets",
            "App/zh-Hans.lproj/InfoPlist.strings: NSCameraUsageDescription (in project.yml) is not \
             translated",
        ];
        let failures: Vec<&str> = lines
            .iter()
            .map(String::as_str)
            .filter(|l| {
                !l.contains(" swift files parsed")
                    && !l.contains(" checked, ")
                    && !l.contains(" resource checks, ")
            })
            .collect();
        assert_eq!(failures, expected, "{lines:?}");
        let s = summary(&lines).expect("summary printed");
        assert_eq!((s.parsed, s.with_errors), (2, 0), "{lines:?}");
        assert_eq!(s.resources_failed, 14, "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("(allowed name collisions: Body, NavigationLink)")),
            "{lines:?}"
        );
    }

    /// The fixtures: a tiny generated file and hand-written files making correct calls, a call
    /// with a wrong label, calls leaving defaulted arguments out, SwiftUI-like calls and a call
    /// of the shell's own closure named like a generated method.
    #[test]
    fn calls_into_the_bindings_are_checked_against_their_declarations() {
        if std::env::var_os(MODULES_ENV).is_none() && !crate::have("npm") {
            eprintln!("skipped: no {MODULES_ENV} and no npm to install tree-sitter");
            return;
        }
        if !crate::have("node") {
            eprintln!("skipped: no node");
            return;
        }
        let modules = modules().expect("tree-sitter modules installed");
        let fixtures = root().join("xtask/swift/fixtures/calls");
        let (lines, status) = {
            let out = Command::new("node")
                .current_dir(&fixtures)
                .arg(root().join("xtask/swift/check-swift.js"))
                .arg(&modules)
                .arg(".")
                .output()
                .expect("node runs");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            (
                text.lines().map(str::to_string).collect::<Vec<_>>(),
                out.status,
            )
        };
        assert!(
            !status.success(),
            "a wrong label fails the check: {lines:?}"
        );
        let mismatches: Vec<&String> = lines.iter().filter(|l| l.contains("matches no")).collect();
        assert_eq!(
            mismatches,
            [
                "App/WrongLabel.swift:3: call signIn(code:) matches no generated declaration \
                 (have: signIn(token:))"
            ],
            "{lines:?}"
        );
        let s = summary(&lines).expect("summary printed");
        assert_eq!((s.parsed, s.with_errors), (4, 0), "{lines:?}");
        // Correct: openRunsheet, Config, tap, signIn, tap, answer; WrongLabel: tap, signIn;
        // DefaultOmitted: refresh three times, Config; SwiftUILike: refresh twice, tap (the shell's
        // closure property).
        assert_eq!((s.calls_checked, s.calls_mismatched), (15, 1), "{lines:?}");
        // VStack, Text, padding, onAppear.
        assert_eq!(s.calls_unknown, 4, "{lines:?}");
    }
}
