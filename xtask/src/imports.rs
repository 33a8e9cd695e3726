//! `cargo xtask imports [DIR]`: fails when the core's modules import each other in a loop.
//!
//! Reads every `.rs` file under `DIR` (default `core/src`), collects which module refers to
//! which, and finds the strongly connected components of that graph (Tarjan). A component of
//! more than one module is an import cycle; each is listed with one reference per edge
//! (file and line) so the loop can be cut where it is cheapest.
//!
//! What counts, decided here once:
//!
//! - **Nodes** are the crate root (`lib.rs`, shown as `crate`), every top-level module, and
//!   every submodule of a directory module (`scan/confirm.rs` is `scan::confirm`). Deeper
//!   files and inline modules (`mod tests { .. }`) belong to the file module they sit in.
//! - **Edges** are paths in code: `crate::a::..`, `super::..` (resolved from the file and any
//!   inline module it is in, so `use super::*` in `mod tests` is the file itself), `self::..`,
//!   and paths starting with a child module the file declares (`store::meta_get` in `lib.rs`,
//!   `gs1::Ctx` in `scan/mod.rs`). `use` trees are expanded (`crate::{outbox, task::Task}` is two
//!   edges). A path to an item that is not a module (`crate::Error`, a re-export in `lib.rs`)
//!   is an edge to the root: reaching back to the facade is exactly the loop this check exists
//!   for.
//! - **Not edges**: `mod x;` declarations (the parent owns the child, it does not use it),
//!   anything inside comments, doc comments and intra-doc links (`[`crate::plan`]` creates no
//!   dependency in the compiled code), string and character literals, paths into other crates,
//!   and a module's references to itself.
//! - Test code (`#[cfg(test)]` modules) counts like the rest: a loop only tests close is still a
//!   loop in the source.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Result<T, E = String> = std::result::Result<T, E>;

/// A module of the crate: `[]` is the root, `["scan", "confirm"]` a submodule.
type ModPath = Vec<String>;

/// One reference from a file to a module, kept to show where an edge comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    /// File, relative to the scanned directory.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// The module graph: node names (`crate`, `task`, `scan::confirm`) and, per edge, where it
/// was first seen.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every node, even one without edges.
    pub nodes: BTreeSet<String>,
    /// `(from, to)` to the first reference found.
    pub edges: BTreeMap<(String, String), Site>,
}

/// An import cycle: the modules of one strongly connected component and the references that
/// tie them.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The modules, sorted.
    pub modules: Vec<String>,
    /// The edges inside the component, each with one reference.
    pub edges: Vec<(String, String, Site)>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "import cycle among {}:", self.modules.join(", "))?;
        for (from, to, site) in &self.edges {
            writeln!(f, "    {from} -> {to}   ({}:{})", site.file, site.line)?;
        }
        Ok(())
    }
}

/// Cycles tolerated for now, each as the set of modules it may span, with why. A cycle is
/// tolerated only when all its modules are in one set; a set that no longer holds any cycle
/// fails the check too, so an exception is removed as soon as its reason goes. Empty: the core
/// has no import cycle (the last one, the barcode parsers' `scan` ↔ `scan::gs1`/`label`, went
/// with their move into `runsheet-gs1`).
pub const TOLERATED: &[&[&str]] = &[];

/// What the check found: cycles that fail it, tolerated ones, and stale tolerances.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Cycles outside every tolerated set.
    pub failing: Vec<Cycle>,
    /// Cycles inside a tolerated set.
    pub tolerated: Vec<Cycle>,
    /// Tolerated sets that hold no cycle any more.
    pub stale: Vec<String>,
}

impl Verdict {
    /// Whether the check passes.
    pub fn ok(&self) -> bool {
        self.failing.is_empty() && self.stale.is_empty()
    }
}

/// Sorts a graph's cycles against the tolerated sets.
pub fn judge(graph: &Graph, tolerated: &[&[&str]]) -> Verdict {
    let mut v = Verdict::default();
    let mut used = vec![false; tolerated.len()];
    for c in cycles(graph) {
        let within = tolerated
            .iter()
            .position(|set| c.modules.iter().all(|m| set.contains(&m.as_str())));
        match within {
            Some(k) => {
                used[k] = true;
                v.tolerated.push(c);
            }
            None => v.failing.push(c),
        }
    }
    for (set, used) in tolerated.iter().zip(used) {
        if !used {
            v.stale.push(format!(
                "the tolerated cycle among {} is gone: remove it from TOLERATED in xtask/src/imports.rs",
                set.join(", ")
            ));
        }
    }
    v
}

/// The step of `cargo xtask test`: one check, passed or failed.
pub fn check_step(root: &Path) -> Result<(u64, u64, String)> {
    let dir = root.join("core/src");
    let graph = read_tree(&dir)?;
    let v = judge(&graph, TOLERATED);
    for c in &v.failing {
        eprint!("{c}");
    }
    for s in &v.stale {
        eprintln!("{s}");
    }
    let note = format!(
        "{} modules, {} edges, {} cycles ({} tolerated)",
        graph.nodes.len(),
        graph.edges.len(),
        v.failing.len() + v.tolerated.len(),
        v.tolerated.len()
    );
    Ok(if v.ok() { (1, 0, note) } else { (0, 1, note) })
}

/// `cargo xtask imports [DIR]`: the check on `DIR` (default `core/src`) with the core's
/// tolerated cycles.
pub fn run(root: &Path, dir: Option<&str>) -> Result<()> {
    let dir = dir.map_or_else(|| root.join("core/src"), PathBuf::from);
    let graph = read_tree(&dir)?;
    let v = judge(&graph, TOLERATED);
    for c in &v.failing {
        print!("{c}");
    }
    for c in &v.tolerated {
        print!("(tolerated) {c}");
    }
    for s in &v.stale {
        println!("{s}");
    }
    println!(
        "{}: {} modules, {} edges, {} import cycles, {} of them tolerated",
        dir.display(),
        graph.nodes.len(),
        graph.edges.len(),
        v.failing.len() + v.tolerated.len(),
        v.tolerated.len()
    );
    if v.ok() {
        Ok(())
    } else {
        Err(format!(
            "{} import cycles, {} stale tolerances in {}",
            v.failing.len(),
            v.stale.len(),
            dir.display()
        ))
    }
}

/// Reads `dir/**/*.rs` (the crate root is `dir/lib.rs`) into a module graph.
pub fn read_tree(dir: &Path) -> Result<Graph> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let sources = files
        .into_iter()
        .map(|rel| {
            std::fs::read_to_string(dir.join(&rel))
                .map(|text| (rel.clone(), text))
                .map_err(|e| format!("cannot read {rel}: {e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(graph(&sources))
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(base, &path, out)?;
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path
                .strip_prefix(base)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
    Ok(())
}

/// The module a file defines: `lib.rs` is the root, `a/mod.rs` and `a.rs` are `a`.
fn module_of(rel: &str) -> Option<ModPath> {
    let stem = rel.strip_suffix(".rs")?;
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    match parts.last().map(String::as_str) {
        Some("lib") if parts.len() == 1 => return Some(Vec::new()),
        Some("main") if parts.len() == 1 => return Some(Vec::new()),
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(parts)
}

/// The module graph of a set of files `(path relative to the crate's src, text)`.
pub fn graph(sources: &[(String, String)]) -> Graph {
    let modules: BTreeSet<ModPath> = sources.iter().filter_map(|(f, _)| module_of(f)).collect();
    let mut g = Graph::default();
    for m in &modules {
        g.nodes.insert(node_name(&node(&modules, m)));
    }
    for (file, text) in sources {
        let Some(module) = module_of(file) else {
            continue;
        };
        let from = node_name(&node(&modules, &module));
        for (target, line) in references(&module, text) {
            let to = node_name(&node(&modules, &target));
            if to != from {
                g.edges.entry((from.clone(), to)).or_insert_with(|| Site {
                    file: file.clone(),
                    line,
                });
            }
        }
    }
    g
}

/// The graph node a path falls in: the longest prefix that is a module, cut to two levels.
fn node(modules: &BTreeSet<ModPath>, path: &[String]) -> ModPath {
    let mut best = Vec::new();
    for n in 1..=path.len().min(2) {
        if modules.contains(&path[..n].to_vec()) {
            best = path[..n].to_vec();
        } else {
            break;
        }
    }
    best
}

fn node_name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".to_owned()
    } else {
        m.join("::")
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Star,
    Semi,
    Other(char),
}

/// Splits Rust source into the tokens that matter for paths, dropping comments and literals.
fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(&c, i + 1, 0, &mut line);
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                // An escaped character literal: up to the closing quote.
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3; // 'x'
            } else {
                i += 1; // a lifetime or label
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            // Raw and byte strings: r"..", r#".."#, b"..", br#".."#.
            if matches!(word.as_str(), "r" | "br" | "b" | "c" | "cr") {
                let mut hashes = 0;
                let mut j = i;
                if word.ends_with('r') {
                    while at(j) == '#' {
                        hashes += 1;
                        j += 1;
                    }
                }
                if at(j) == '"' {
                    i = skip_string(
                        &c,
                        j + 1,
                        if word.ends_with('r') { hashes + 1 } else { 0 },
                        &mut line,
                    );
                    continue;
                }
            }
            out.push((Tok::Ident(word), line));
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
        } else {
            let tok = match ch {
                ':' if at(i + 1) == ':' => {
                    i += 1;
                    Tok::PathSep
                }
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                '*' => Tok::Star,
                ';' => Tok::Semi,
                other => Tok::Other(other),
            };
            out.push((tok, line));
            i += 1;
        }
    }
    out
}

/// Skips a string body starting after its opening quote. `raw` is 0 for an escaped string,
/// else 1 + the number of `#`s of a raw string.
fn skip_string(c: &[char], mut i: usize, raw: usize, line: &mut usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\n' => *line += 1,
            '\\' if raw == 0 => i += 1,
            '"' => {
                let hashes = raw.saturating_sub(1);
                if (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
                    return i + 1 + hashes;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// Every module path `module`'s source refers to, with its line.
fn references(module: &[String], text: &str) -> Vec<(ModPath, usize)> {
    let toks = tokens(text);
    let ident = |i: usize| match toks.get(i) {
        Some((Tok::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    };
    let is = |i: usize, t: &Tok| toks.get(i).is_some_and(|(x, _)| x == t);

    // Children this file declares (`mod x;` or `mod x {`), at any depth of inline modules;
    // the ones at the top level are the file module's own children.
    let mut children = BTreeSet::new();
    let mut depth = 0usize;
    // Inline modules open: (name, brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(w) if w == "mod" => {
                if let Some(name) = ident(i + 1) {
                    if inline.is_empty() && (is(i + 2, &Tok::Semi) || is(i + 2, &Tok::Open)) {
                        children.insert(name.to_owned());
                    }
                    if is(i + 2, &Tok::Open) {
                        inline.push((name.to_owned(), depth + 1));
                    }
                    i += 2;
                    continue;
                }
            }
            Tok::Ident(w) => {
                let starts_path = is(i + 1, &Tok::PathSep)
                    && !(i > 0 && is(i - 1, &Tok::PathSep))
                    && !(i > 0 && is(i - 1, &Tok::Other('$')) && w != "crate");
                if starts_path {
                    let here: ModPath = module
                        .iter()
                        .cloned()
                        .chain(inline.iter().map(|(n, _)| n.clone()))
                        .collect();
                    let base = match w.as_str() {
                        "crate" => Some(Vec::new()),
                        "self" => Some(here.clone()),
                        "super" => here.split_last().map(|(_, p)| p.to_vec()),
                        // A child module of the file module (not of an inline module).
                        other if inline.is_empty() && children.contains(other) => {
                            Some(module.to_vec())
                        }
                        _ => None,
                    };
                    if let Some(base) = base {
                        let line = toks[i].1;
                        let start = if matches!(w.as_str(), "crate" | "self" | "super") {
                            i + 2
                        } else {
                            i
                        };
                        let mut paths = Vec::new();
                        let end = expand(&toks, start, base, &mut paths);
                        out.extend(paths.into_iter().map(|p| (p, line)));
                        i = end.max(i + 1);
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads the path (or `use` tree) starting at token `i` under `prefix`, pushing each full path;
/// returns the index after it.
fn expand(
    toks: &[(Tok, usize)],
    mut i: usize,
    mut prefix: ModPath,
    out: &mut Vec<ModPath>,
) -> usize {
    loop {
        match toks.get(i).map(|t| &t.0) {
            Some(Tok::Ident(w)) if w == "super" => {
                prefix.pop();
            }
            Some(Tok::Ident(w)) if w == "self" => {}
            Some(Tok::Ident(w)) => prefix.push(w.clone()),
            Some(Tok::Open) => {
                i += 1;
                loop {
                    match toks.get(i).map(|t| &t.0) {
                        Some(Tok::Close) => return i + 1,
                        Some(Tok::Comma) => i += 1,
                        None => return i,
                        Some(_) => {
                            let next = expand(toks, i, prefix.clone(), out);
                            i = next.max(i + 1);
                        }
                    }
                }
            }
            Some(Tok::Star) => {
                out.push(prefix);
                return i + 1;
            }
            _ => {
                out.push(prefix);
                return i;
            }
        }
        i += 1;
        if toks.get(i).map(|t| &t.0) == Some(&Tok::PathSep) {
            i += 1;
        } else {
            // `a::b as c`, `a::b;`, `a::b,` or `a::b(..)`: the path ends here.
            out.push(prefix);
            return i;
        }
    }
}

/// The graph's cycles: every strongly connected component of more than one node (Tarjan).
pub fn cycles(g: &Graph) -> Vec<Cycle> {
    let names: Vec<&String> = g.nodes.iter().collect();
    let index_of: BTreeMap<&String, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut adj = vec![Vec::new(); names.len()];
    for (from, to) in g.edges.keys() {
        if let (Some(&a), Some(&b)) = (index_of.get(from), index_of.get(to)) {
            adj[a].push(b);
        }
    }
    let components = tarjan(&adj);
    let mut out: Vec<Cycle> = components
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let set: BTreeSet<usize> = c.iter().copied().collect();
            let modules: Vec<String> = set.iter().map(|&i| names[i].clone()).collect();
            let edges = g
                .edges
                .iter()
                .filter(|((f, t), _)| {
                    index_of.get(f).is_some_and(|i| set.contains(i))
                        && index_of.get(t).is_some_and(|i| set.contains(i))
                })
                .map(|((f, t), s)| (f.clone(), t.clone(), s.clone()))
                .collect();
            Cycle { modules, edges }
        })
        .collect();
    out.sort_by(|a, b| a.modules.cmp(&b.modules));
    out
}

/// Tarjan's strongly connected components, iterative (no recursion depth limit).
fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = adj.len();
    let (mut index, mut low) = (vec![UNSEEN; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let (mut stack, mut out) = (Vec::new(), Vec::new());
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if let Some(&w) = adj[v].get(*e) {
                *e += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Graph {
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
            .collect();
        graph(&sources)
    }

    fn edge(g: &Graph, from: &str, to: &str) -> bool {
        g.edges.contains_key(&(from.to_owned(), to.to_owned()))
    }

    #[test]
    fn a_two_module_loop_is_found_with_where_it_comes_from() {
        let g = tree(&[
            ("lib.rs", "pub mod error;\npub mod workflow;\n"),
            ("error.rs", "use crate::workflow::Blocker;\n"),
            (
                "workflow.rs",
                "use crate::error::{Error, Result};\npub struct Blocker;\n",
            ),
        ]);
        let c = cycles(&g);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].modules, ["error", "workflow"]);
        assert!(c[0].edges.contains(&(
            "error".into(),
            "workflow".into(),
            Site {
                file: "error.rs".into(),
                line: 1
            }
        )));
        assert!(c[0]
            .to_string()
            .contains("error -> workflow   (error.rs:1)"));
    }

    #[test]
    fn a_layered_tree_has_no_cycle() {
        let g = tree(&[
            (
                "lib.rs",
                "pub mod a;\npub mod b;\npub mod c;\npub use a::A;\nuse c::run;\n",
            ),
            ("a.rs", "pub struct A;\n"),
            ("b.rs", "use crate::a::A;\n"),
            ("c.rs", "use crate::{a, b::B};\nfn run() { a::f(); }\n"),
        ]);
        assert!(edge(&g, "crate", "a") && edge(&g, "crate", "c"));
        assert!(edge(&g, "c", "a") && edge(&g, "c", "b") && edge(&g, "b", "a"));
        assert!(cycles(&g).is_empty(), "{:?}", cycles(&g));
    }

    #[test]
    fn reaching_back_to_the_facade_is_a_loop() {
        let g = tree(&[
            (
                "lib.rs",
                "pub mod rating;\npub struct Runsheet;\nfn f() { rating::list(); }\n",
            ),
            (
                "rating.rs",
                "impl crate::Runsheet { pub fn ratings(&self) {} }\npub fn list() {}\n",
            ),
        ]);
        assert_eq!(cycles(&g)[0].modules, ["crate", "rating"]);
    }

    #[test]
    fn comments_doc_links_and_strings_are_not_references() {
        let g = tree(&[
            ("lib.rs", "pub mod a;\npub mod b;\nuse a::X;\n"),
            ("a.rs", "pub struct X;\n"),
            (
                "b.rs",
                concat!(
                    "//! Uses [`crate::a::X`] in a doc link.\n",
                    "/* crate::a::X in a /* nested */ block comment */\n",
                    "/// See [`crate::a`].\n",
                    "const S: &str = \"crate::a::X\";\n",
                    "const R: &str = r#\"crate::a \"quoted\" X\"#;\n",
                    "const C: char = '\"';\n",
                    "fn f<'a>(x: &'a str) -> &'a str { x }\n",
                ),
            ),
        ]);
        assert!(!edge(&g, "b", "a"), "{:?}", g.edges);
        // And a real path after all that is still seen.
        let g = tree(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "pub fn f() {}\n"),
            (
                "b.rs",
                "const C: char = '\\'';\n// crate::x\nfn g() { crate::a::f() }\n",
            ),
        ]);
        assert_eq!(
            g.edges.get(&("b".into(), "a".into())).map(|s| s.line),
            Some(3)
        );
    }

    #[test]
    fn super_in_an_inline_test_module_is_the_file_itself() {
        let g = tree(&[
            ("lib.rs", "pub mod scan;\npub mod task;\n"),
            ("task.rs", "use crate::scan::confirm::progress;\n"),
            ("scan/mod.rs", "pub mod confirm;\npub struct Code;\n"),
            (
                "scan/confirm.rs",
                "use super::Code;\npub fn progress() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::Code as C;\n}\n",
            ),
        ]);
        assert!(edge(&g, "task", "scan::confirm"));
        assert!(edge(&g, "scan::confirm", "scan"));
        assert!(!edge(&g, "scan::confirm", "crate"), "{:?}", g.edges);
        assert!(cycles(&g).is_empty());
    }

    #[test]
    fn a_parent_using_its_child_that_uses_the_parent_is_a_loop() {
        let g = tree(&[
            ("lib.rs", "pub mod scan;\n"),
            (
                "scan/mod.rs",
                "mod gs1;\npub use gs1::check_digit;\npub struct Element;\n",
            ),
            (
                "scan/gs1.rs",
                "use super::Element;\npub fn check_digit() {}\n",
            ),
        ]);
        assert_eq!(cycles(&g)[0].modules, ["scan", "scan::gs1"]);
    }

    #[test]
    fn a_declaration_alone_is_not_a_use() {
        let g = tree(&[
            ("lib.rs", "pub mod a;\nmod b;\n"),
            ("a.rs", "use crate::b::f;\n"),
            ("b.rs", "pub fn f() {}\n"),
        ]);
        assert!(!edge(&g, "crate", "a") && !edge(&g, "crate", "b"));
        assert!(cycles(&g).is_empty());
    }

    #[test]
    fn a_three_module_loop_and_a_separate_pair_are_two_cycles() {
        let g = tree(&[
            ("lib.rs", "mod a; mod b; mod c; mod d; mod e;\n"),
            ("a.rs", "use crate::b::X;\n"),
            ("b.rs", "fn f() { crate::c::g() }\n"),
            ("c.rs", "use crate::{a::Y, d};\n"),
            ("d.rs", "use crate::e::Z;\n"),
            ("e.rs", "use crate::d::W;\n"),
        ]);
        let c = cycles(&g);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].modules, ["a", "b", "c"]);
        assert_eq!(c[1].modules, ["d", "e"]);
    }

    #[test]
    fn a_tolerated_cycle_passes_a_wider_one_fails_a_stale_one_fails() {
        let pair = tree(&[
            ("lib.rs", "mod a; mod b; mod c;\n"),
            ("a.rs", "use crate::b::X;\n"),
            ("b.rs", "use crate::a::Y;\n"),
        ]);
        let v = judge(&pair, &[&["a", "b"]]);
        assert!(v.ok() && v.tolerated.len() == 1 && v.failing.is_empty());
        // The loop grows past the tolerated set: it fails.
        let wider = tree(&[
            ("lib.rs", "mod a; mod b; mod c;\n"),
            ("a.rs", "use crate::b::X;\n"),
            ("b.rs", "use crate::c::Y;\n"),
            ("c.rs", "use crate::a::Z;\n"),
        ]);
        assert!(!judge(&wider, &[&["a", "b"]]).ok());
        // The loop is gone but still tolerated: stale, fails until the entry goes.
        let layered = tree(&[
            ("lib.rs", "mod a; mod b;\n"),
            ("a.rs", "use crate::b::X;\n"),
        ]);
        let v = judge(&layered, &[&["a", "b"]]);
        assert!(!v.ok() && v.stale.len() == 1, "{v:?}");
    }

    #[test]
    fn deep_chains_do_not_overflow() {
        // 5,000 modules in one long loop: the iterative Tarjan finds it.
        let n = 5000;
        let mut g = Graph::default();
        for i in 0..n {
            g.nodes.insert(format!("m{i}"));
            g.edges.insert(
                (format!("m{i}"), format!("m{}", (i + 1) % n)),
                Site {
                    file: String::new(),
                    line: 1,
                },
            );
        }
        let c = cycles(&g);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].modules.len(), n);
    }
}
