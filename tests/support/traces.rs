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
