//! Fuzzes whole `docker ...` command lines on a host over a small in-memory image (see
//! `common`): any bytes, taken as up to 24 SCRIPT lines with `docker ` prepended, replayed
//! (the argv splitter of `src/docker/argv.rs`, then the dispatch and flag parsing of every
//! command in `src/docker/commands.rs`, and the containers they run) after a `docker pull` of
//! the fixture image, so `run`/`exec`/`diff`/`rm`/`rmi`/... have something to act on.
//! Every outcome is a transcript; a panic, a hang or runaway memory is a bug.
//! Run: `scripts/fuzz.sh` (or `cargo fuzz run -s none docker_cmd` in `fuzz/`).
#![no_main]

mod common;

use layerlab::docker::script;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut docker = common::docker();
    let mut lines = String::from("docker pull 127.0.0.1:5000/bb-work:1\n");
    for l in text.split('\n').take(24) {
        lines.push_str("docker ");
        lines.push_str(l);
        lines.push('\n');
    }
    let _ = script::replay(&lines, &mut docker);
});
