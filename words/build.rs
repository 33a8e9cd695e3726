//! Reads the message files under `locales/<tag>/*.ftl` at build time: a file with a Fluent
//! syntax error fails the build (file:line and the parser's error), so a broken message never
//! reaches a courier's phone; every language must have the same files. The files are then
//! embedded in the library (`$OUT_DIR/locales.rs`), so a phone never reads them from disk.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(env("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut locales: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for dir in entries(&root) {
        if !dir.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", dir.display());
        let tag = file_name(&dir);
        let files = locales.entry(tag).or_default();
        for file in entries(&dir) {
            if file.extension().and_then(|e| e.to_str()) != Some("ftl") {
                continue;
            }
            println!("cargo:rerun-if-changed={}", file.display());
            check_syntax(&file);
            let stem = file_name(&file).trim_end_matches(".ftl").to_owned();
            files.insert(stem, file);
        }
    }
    let Some((first_tag, first)) = locales.iter().next() else {
        panic!("no message files under {}", root.display());
    };
    for (tag, files) in &locales {
        let missing: Vec<_> = first.keys().filter(|k| !files.contains_key(*k)).collect();
        let extra: Vec<_> = files.keys().filter(|k| !first.contains_key(*k)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            panic!(
                "locales/{tag} must have the same message files as locales/{first_tag}: \
                 missing {missing:?}, extra {extra:?}"
            );
        }
    }
    let mut out = String::from(
        "/// Every language's message files: (locale tag, [(file name, Fluent source)]).\n\
         pub const LOCALES: &[(&str, &[(&str, &str)])] = &[\n",
    );
    for (tag, files) in &locales {
        let _ = writeln!(out, "    ({tag:?}, &[");
        for (name, path) in files {
            let _ = writeln!(
                out,
                "        ({name:?}, include_str!({:?})),",
                path.display()
            );
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env("OUT_DIR")).join("locales.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo did not set {name}"))
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let read =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut out: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    out.sort();
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("{} is not a UTF-8 name", path.display()))
        .to_owned()
}

/// Panics with `file:line: error` for every Fluent syntax error in `file`.
fn check_syntax(file: &Path) {
    let source = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    if let Err((_, errors)) = fluent_syntax::parser::parse(source.as_str()) {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| {
                let line = line_of(&source, e.pos.start);
                match &e.slice {
                    Some(entry) => format!(
                        "{}:{line}: {} (in the entry starting on line {})",
                        file.display(),
                        e.kind,
                        line_of(&source, entry.start)
                    ),
                    None => format!("{}:{line}: {}", file.display(), e.kind),
                }
            })
            .collect();
        panic!("Fluent syntax errors:\n{}", lines.join("\n"));
    }
}

/// The 1-based line of byte offset `at` in `source`.
fn line_of(source: &str, at: usize) -> usize {
    let upto = &source.as_bytes()[..at.min(source.len())];
    upto.iter().filter(|b| **b == b'\n').count() + 1
}
