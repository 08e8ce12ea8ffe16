//! Fuzzes the docker command line of the image side: any bytes, taken as SCRIPT lines (split
//! as the oracle's recorder splits them, `docker` prepended) and replayed on a host with an
//! empty registry and store. Every outcome is a transcript; a panic or a hang is a bug.
//! Run: `cargo +nightly fuzz run docker_argv` (from the repository root); without nightly,
//! `cargo +stable fuzz run -s none docker_argv`.
#![no_main]

use layerlab::docker::{script, Docker, Registry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let loader: layerlab::docker::commands::Loader = Box::new(|p: &str| Err(format!("{p}: no such file")));
    let mut docker = Docker::new(Registry::default(), loader);
    let lines: String = text.lines().take(16).map(|l| format!("docker {l}\n")).collect();
    let _ = script::replay(&lines, &mut docker);
});
