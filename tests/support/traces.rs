//! Shared by the integration tests that read `../shared`: where it is, and the sections of a
//! recorded kernel TRACE (SPEC §4).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared` beside the crate, or `$LAYERLAB_SHARED`.
pub fn shared() -> PathBuf {
    std::env::var_os("LAYERLAB_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The lines of the TRACE section whose header starts with `name` (e.g. `== DIFF`).
pub fn section(trace: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in trace.lines() {
        if l.starts_with("== ") {
            inside = l.starts_with(name);
            continue;
        }
        if inside {
            out.push(l.to_string());
        }
    }
    out
}

/// The result line of each op (`OK …` or an errno name), in order.
pub fn op_results(trace: &str) -> Vec<String> {
    let lines: Vec<&str> = trace.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("== OP ") {
            out.push(lines.get(i + 1).map(|s| s.to_string()).unwrap_or_default());
        }
    }
    out
}

/// The upper dir after each op, path (escaped, as listed) to listing line; `None` where the
/// trace says `unchanged`.
pub fn uppers(trace: &str) -> Vec<Option<std::collections::HashMap<String, String>>> {
    let mut out = Vec::new();
    let mut cur: Option<std::collections::HashMap<String, String>> = None;
    let mut first = true;
    for l in trace.lines() {
        if let Some(rest) = l.strip_prefix("== UPPER ") {
            if let Some(c) = cur.take() {
                if !first {
                    out.push(Some(c));
                }
            }
            if rest.ends_with(" unchanged") {
                out.push(None);
            } else {
                first = rest == "0";
                cur = Some(Default::default());
            }
            continue;
        }
        if l.starts_with("== ") {
            if let Some(c) = cur.take() {
                if !first {
                    out.push(Some(c));
                }
            }
            continue;
        }
        if let Some(c) = cur.as_mut() {
            c.insert(l.split(' ').nth(5).unwrap_or("").to_string(), l.to_string());
        }
    }
    out
}
