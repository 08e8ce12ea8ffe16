//! The shape of the portable core, checked from its source text.
//!
//! Rules (`../shared/STYLE.md`, "Architecture"; issue 9, "no cycles, one place per helper"):
//! - No two top-level modules of the core import each other. The core is `src/**/*.rs` minus
//!   `src/ui` (the web shell), `src/cli` and `src/bin` (the command line), which sit on top.
//!   A file `src/X.rs` or `src/X/**.rs` belongs to module `X`; it references module `Y` when
//!   its code names `crate::Y` (also inside `use crate::{Y, ...}` groups) or an item that
//!   `src/lib.rs` re-exports from `Y` (`crate::Error` is `error`).
//! - Inside one module folder, sibling submodules importing each other (`super::b` from `a`,
//!   `super::a` from `b`, or an item the parent re-exports from a sibling) are allowed only in
//!   the short list [`KNOWN_SIBLING_CYCLES`]; a new one fails.
//! - No core file names a browser or UI crate (`yew`, `web_sys`, `wasm_bindgen`, `js_sys`,
//!   `gloo`).
//!
//! Comment lines (`//`, `//!`, `///`) are left out: a doc link is not an import. The scan is
//! hand-written (a few lines of tokenising) rather than `syn`, so it adds no dependency and
//! needs no exact Rust grammar: it only looks for paths.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Sibling-submodule cycles that remain, as (module folder, a, b) with a < b.
const KNOWN_SIBLING_CYCLES: &[(&str, &str, &str)] = &[];

const SHELL: &[&str] = &["ui", "cli", "bin"];
const BROWSER_CRATES: &[&str] = &["yew", "web_sys", "wasm_bindgen", "js_sys", "gloo"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir`, as (path relative to `src/`, text).
fn files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(root).expect("below src").to_string_lossy().replace('\\', "/");
        if p.is_dir() {
            if !SHELL.contains(&rel.as_str()) {
                files(&p, root, out);
            }
        } else if rel.ends_with(".rs") && !SHELL.contains(&rel.trim_end_matches(".rs")) {
            out.push((rel, std::fs::read_to_string(&p).expect("read file")));
        }
    }
}

/// The core's files.
fn core_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    files(&src(), &src(), &mut out);
    out
}

/// The text without comment lines.
fn code(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The first names of every path that follows `prefix` (`crate::`, `super::`): `X` for
/// `prefix X::...`, and `X`, `Y` for `prefix {X::..., Y}` (nested groups looked through only at
/// the first level).
fn names_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(prefix) {
        let at = from + i;
        from = at + prefix.len();
        // `super::super::x` is counted once, from its last `super::`.
        if at > 0 && code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if depth == 0 && item_start && is_ident(c) => {
                        out.push(ident_at(&group[j..]).to_string());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident_at(rest);
            if !name.is_empty() && name != "super" {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// `pub use m::{A, B};` / `pub use m::A;` lines of a module file: item name -> submodule `m`.
fn reexports(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in code(text).lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else { continue };
        let rest = rest.strip_prefix("self::").unwrap_or(rest);
        if rest.starts_with("crate::") || rest.starts_with("super::") {
            continue;
        }
        let m = ident_at(rest);
        let Some(path) = rest[m.len()..].strip_prefix("::") else { continue };
        let items = path.trim_end_matches(';').trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let last = item.trim().rsplit("::").next().unwrap_or("").trim();
            let last = last.rsplit(" as ").next().unwrap_or(last).trim();
            if !last.is_empty() && last != "*" {
                map.insert(last.to_string(), m.to_string());
            }
        }
    }
    map
}

/// The top-level module a file under `src/` belongs to (`layer/tarindex.rs` -> `layer`).
fn top(rel: &str) -> &str {
    rel.split('/').next().unwrap_or(rel).trim_end_matches(".rs")
}

/// Which top-level module references which, with the files that do.
fn module_graph(files: &[(String, String)]) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let modules: BTreeSet<String> = files.iter().map(|(rel, _)| top(rel).to_string()).filter(|m| m != "lib").collect();
    let lib_items = reexports(&lib);
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (rel, text) in files {
        let from = top(rel);
        if from == "lib" {
            continue;
        }
        for name in names_after(&code(text), "crate::") {
            let to = if modules.contains(&name) { Some(name.clone()) } else { lib_items.get(&name).cloned() };
            if let Some(to) = to.filter(|t| t != from) {
                graph.entry(from.to_string()).or_default().entry(to).or_default().insert(rel.clone());
            }
        }
    }
    graph
}

/// Pairs of modules that reference each other, each with the files on both sides.
fn cycles(graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>) -> Vec<String> {
    let mut out = Vec::new();
    for (a, deps) in graph {
        for (b, files_ab) in deps {
            if a < b {
                if let Some(files_ba) = graph.get(b).and_then(|d| d.get(a)) {
                    out.push(format!("{a} <-> {b} ({a} in {files_ab:?}; {b} in {files_ba:?})"));
                }
            }
        }
    }
    out
}

/// Sibling-submodule cycles: (folder, a, b) for `src/folder/a.rs` and `src/folder/b.rs`
/// referencing each other.
fn sibling_cycles(files: &[(String, String)]) -> Vec<(String, String, String)> {
    let texts: BTreeMap<&str, &str> = files.iter().map(|(r, t)| (r.as_str(), t.as_str())).collect();
    // folder -> child -> siblings it names
    let mut refs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (rel, text) in files {
        let Some((folder, file)) = rel.rsplit_once('/') else { continue };
        let child = file.trim_end_matches(".rs");
        let siblings: BTreeSet<String> = files
            .iter()
            .filter_map(|(r, _)| r.strip_prefix(&format!("{folder}/")))
            .map(|f| f.split('/').next().unwrap_or(f).trim_end_matches(".rs").to_string())
            .collect();
        let parent = texts.get(format!("{folder}.rs").as_str()).map(|t| reexports(t)).unwrap_or_default();
        let crate_prefix = format!("crate::{}::", folder.replace('/', "::"));
        let code = code(text);
        let mut named = names_after(&code, "super::");
        named.extend(names_after(&code, &crate_prefix));
        for name in named {
            let sib = if siblings.contains(&name) { Some(name) } else { parent.get(&name).cloned() };
            if let Some(sib) = sib.filter(|s| s != child) {
                refs.entry(folder.to_string()).or_default().entry(child.to_string()).or_default().insert(sib);
            }
        }
    }
    let mut out = Vec::new();
    for (folder, children) in &refs {
        for (a, named) in children {
            for b in named {
                if a < b && children.get(b).is_some_and(|n| n.contains(a)) {
                    out.push((folder.clone(), a.clone(), b.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn no_two_core_modules_import_each_other() {
    let graph = module_graph(&core_files());
    for (m, deps) in &graph {
        eprintln!("{m} -> {}", deps.keys().cloned().collect::<Vec<_>>().join(", "));
    }
    let found = cycles(&graph);
    assert!(found.is_empty(), "modules that import each other:\n{}", found.join("\n"));
}

#[test]
fn sibling_submodule_cycles_are_only_the_known_ones() {
    let found = sibling_cycles(&core_files());
    let new: Vec<_> = found
        .iter()
        .filter(|(f, a, b)| !KNOWN_SIBLING_CYCLES.contains(&(f.as_str(), a.as_str(), b.as_str())))
        .map(|(f, a, b)| format!("src/{f}/: {a} <-> {b}"))
        .collect();
    assert!(new.is_empty(), "sibling submodules that import each other:\n{}", new.join("\n"));
    let gone: Vec<_> = KNOWN_SIBLING_CYCLES.iter().filter(|k| !found.iter().any(|(f, a, b)| (f.as_str(), a.as_str(), b.as_str()) == **k)).collect();
    assert!(gone.is_empty(), "cycles no longer there, drop them from KNOWN_SIBLING_CYCLES: {gone:?}");
}

#[test]
fn the_core_names_no_browser_crate() {
    let mut bad = Vec::new();
    for (rel, text) in core_files() {
        for (n, line) in code(&text).lines().enumerate() {
            for word in line.split(|c: char| !is_ident(c)) {
                if BROWSER_CRATES.contains(&word) {
                    bad.push(format!("src/{rel}: '{word}' in `{}`", line.trim()));
                }
            }
            let _ = n;
        }
    }
    assert!(bad.is_empty(), "the core names a browser crate:\n{}", bad.join("\n"));
}

/// The scanner itself: a cycle written into text is found, named by its pair.
#[test]
fn a_cycle_is_found_and_named() {
    let files = vec![
        ("a.rs".to_string(), "use crate::{b::{X, Y}, error::Result};\nfn f() { crate::c::g() }".to_string()),
        ("b/inner.rs".to_string(), "// crate::c is only mentioned\nuse crate::a::Z;".to_string()),
        ("c.rs".to_string(), "pub fn g() {}".to_string()),
    ];
    let graph = module_graph(&files);
    let found = cycles(&graph);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("a <-> b"), "{found:?}");
    assert!(!graph["b"].contains_key("c"), "a comment line is not an import");
    let sib = vec![
        ("m.rs".to_string(), "pub mod p;\npub mod q;\npub use q::Thing;".to_string()),
        ("m/p.rs".to_string(), "use super::Thing;".to_string()),
        ("m/q.rs".to_string(), "use super::p::f;".to_string()),
    ];
    assert_eq!(sibling_cycles(&sib), vec![("m".to_string(), "p".to_string(), "q".to_string())]);
}
