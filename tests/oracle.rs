//! The oracle corpus as an integration test: every scenario of shared/oracle/scenarios (and of
//! tests/scenarios, recorded on the kernel by us) in all three configs, replayed through the
//! library without root or mounts, compared byte for byte with the recorded kernel trace.
//! Our scenarios use ops the shared oracle lacks; their recorders extend it in tests/oracle:
//! `pwrite` (overlay_oracle_pwrite.py) and descriptors kept open across ops, `fd-open`,
//! `fd-read`, `fd-write`, `fd-close` (overlay_oracle_fd.py, scenarios fd-*).
//!
//! shared/ is found as ../shared next to the crate, or at $LAYERLAB_SHARED.

use layerlab::cli::trace as trace_cmd;

use layerlab::container::{ops, trace, Config};
use std::path::{Path, PathBuf};

fn scenario_dirs(set: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(set) {
        Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.join("ops").is_file()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

fn run_set(set: &Path) -> (usize, Vec<String>) {
    let mut pass = 0;
    let mut fails = Vec::new();
    for dir in scenario_dirs(set) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let stack = match trace_cmd::load_layers_dir(&dir.join("layers")) {
            Ok(s) => s,
            Err(e) => {
                fails.push(format!("{name}: cannot load layers: {e}"));
                continue;
            }
        };
        let script = ops::parse(&std::fs::read(dir.join("ops")).unwrap()).unwrap();
        for cfg in ["default", "redirect", "metacopy"] {
            let expected_path = dir.join(format!("expected.{cfg}.txt"));
            let Ok(expected) = std::fs::read_to_string(&expected_path) else { continue };
            let got = trace::trace(stack.clone(), &script, Config::parse(cfg).unwrap()).unwrap();
            if got == expected {
                pass += 1;
            } else {
                let first = got
                    .lines()
                    .zip(expected.lines())
                    .enumerate()
                    .find(|(_, (a, b))| a != b)
                    .map(|(i, (a, b))| format!("line {}: got `{a}`, kernel `{b}`", i + 1))
                    .unwrap_or_else(|| "length differs".into());
                fails.push(format!("{name} [{cfg}]: {first}"));
            }
        }
    }
    (pass, fails)
}

#[test]
fn oracle_public_scenarios() {
    let shared = std::env::var_os("LAYERLAB_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let set = shared.join("oracle/scenarios");
    assert!(set.is_dir(), "oracle scenarios not found at {} (set LAYERLAB_SHARED)", set.display());
    let (pass, fails) = run_set(&set);
    println!("oracle public scenarios: {pass} passed, {} failed", fails.len());
    for f in &fails {
        println!("FAIL {f}");
    }
    assert!(pass >= 300, "expected the whole public corpus, ran {pass}");
    assert!(fails.is_empty(), "{} oracle traces differ", fails.len());
}

#[test]
fn oracle_own_scenarios() {
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let (pass, fails) = run_set(&set);
    println!("own kernel-recorded scenarios: {pass} passed, {} failed", fails.len());
    for f in &fails {
        println!("FAIL {f}");
    }
    assert!(fails.is_empty(), "{} recorded traces differ", fails.len());
}
