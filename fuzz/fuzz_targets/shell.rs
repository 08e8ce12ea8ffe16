//! Fuzzes the container shell (`src/container/shell.rs`): any bytes, as a `sh -c` script run
//! in a container over the fixture image (see `common`) in both userland flavours (busybox's
//! `run_script` through `Ctr::exec`, and coreutils' `run_as` line by line), then
//! `docker diff` and the merged listing of what it left. Every outcome is output and a
//! status; a panic, a hang or runaway memory is a bug.
//! Run: `scripts/fuzz.sh` (or `cargo fuzz run -s none shell` in `fuzz/`).
#![no_main]

mod common;

use layerlab::container::shell::{self, Flavor};
use layerlab::docker::containers::Ctr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else { return };
    let f = common::fixture();
    let mut c = Ctr::new("c1", "sha256:x", "bb", vec![], f.layers.clone(), vec!["sh".into()], 0);
    let _ = c.exec(&["sh".into(), "-c".into(), script.into()]);
    let _ = c.diff();
    let _ = c.fs.merged_listing();
    let mut c = Ctr::new("c2", "sha256:x", "bb", vec![], f.layers.clone(), vec!["sh".into()], 0);
    for line in script.lines().take(32) {
        let _ = shell::run_as(&mut c.fs, line, Flavor::Coreutils);
    }
    let _ = c.diff();
});
