//! The docker oracle (`../shared/docker-oracle`) as an integration test: the scenarios the
//! docker host's image side fully covers, each replayed by `layerlab host` in a scratch
//! directory set up as `check.sh` sets it up (`fixtures/` and `images/`, the latter built by
//! `make-images.py --check`), its stdout compared with `expected.txt` byte for byte, with the
//! `# disk:` lines (true bytes on disk, the storage-driver issue) dropped as `check.sh -x` does.
//!
//! shared/ is found as ../shared next to the crate, or at $LAYERLAB_SHARED. Scenarios are listed
//! by name: one that starts failing is a regression; the rest of the oracle's scenarios need
//! `docker build` (see `check.sh` for the whole set).

use layerlab::docker::argv::split;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The scenarios the docker host prints exactly (no build yet).
const COVERED: &[&str] = &[
    "pull-shared-base",
    "pull-tags-and-errors",
    "pull-different-parent",
    "pull-after-load",
    "pull-refused-layer",
    "inspect-bb-layered",
    "inspect-dive",
    "inspect-small-archives",
    "containers-isolation",
    "rmi-shared-layers",
    "container-rm",
    "copyup-append-big",
    "copyup-metadata",
    "mv-dir-exdev",
    "whiteouts",
    "errors-commands",
    "driver-overlay2",
    "driver-vfs",
    "driver-btrfs",
    "commit-history",
    "commit-save",
    "opaque-dirs",
];

fn shared() -> PathBuf {
    std::env::var_os("LAYERLAB_SHARED").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// make-images.py's output, built once (deterministic; checked against images/SHA256SUMS).
fn built_images() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docker-oracle-images");
        let st = Command::new("python3")
            .arg(shared().join("docker-oracle/make-images.py"))
            .arg("--check")
            .arg(&dir)
            .status()
            .expect("python3 runs make-images.py");
        assert!(st.success(), "make-images.py --check {} failed", dir.display());
        dir
    })
}

/// The `{images}` TSV check.sh writes for a script.
fn images_tsv(script: &str) -> String {
    let mut out = String::new();
    for line in script.split('\n') {
        let Some(d) = line.strip_prefix("#%") else { continue };
        let w = split(d).expect("a directive splits");
        if w.len() < 3 || !(w[0] == "image" || w[0] == "oci") {
            continue;
        }
        let p = match w[2].strip_prefix("make-images:") {
            Some(name) => built_images().join(format!("{name}.docker.tar")),
            None => shared().join(&w[2]),
        };
        let sel = w.get(3).map_or("0", String::as_str);
        let kind = if w[0] == "image" { "docker" } else { "oci" };
        out.push_str(&format!("{kind}\t{}\t{}\t{sel}\n", w[1], p.display()));
    }
    out
}

fn run_scenario(name: &str) -> Result<(), String> {
    let dir = shared().join("docker-oracle/scenarios").join(name);
    let script = std::fs::read_to_string(dir.join("script")).map_err(|e| format!("{name}: {e}"))?;
    let expected = std::fs::read_to_string(dir.join("expected.txt")).map_err(|e| format!("{name}: {e}"))?;
    let expected: String = expected.split_inclusive('\n').filter(|l| !l.starts_with("# disk:")).collect();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("docker-oracle-{name}"));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    std::os::unix::fs::symlink(shared().join("fixtures"), scratch.join("fixtures")).unwrap();
    std::os::unix::fs::symlink(built_images(), scratch.join("images")).unwrap();
    let tsv = scratch.join("images.tsv");
    std::fs::write(&tsv, images_tsv(&script)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_layerlab"))
        .current_dir(&scratch)
        .arg("host")
        .arg("--script")
        .arg(dir.join("script"))
        .arg("--images")
        .arg(&tsv)
        .arg("--registry")
        .arg(dir.join("registry.txt"))
        .output()
        .map_err(|e| format!("{name}: {e}"))?;
    let got = String::from_utf8_lossy(&out.stdout);
    if got != expected {
        let first = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(got.lines().count().min(expected.lines().count()));
        return Err(format!(
            "{name}: transcript differs at line {}:\n  got:      {:?}\n  expected: {:?}\n(stderr: {})",
            first + 1,
            got.lines().nth(first),
            expected.lines().nth(first),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

#[test]
fn covered_scenarios_print_the_recorded_transcripts() {
    let set = shared().join("docker-oracle/scenarios");
    assert!(set.is_dir(), "docker-oracle scenarios not found at {} (set LAYERLAB_SHARED)", set.display());
    let failures: Vec<String> = COVERED.iter().filter_map(|n| run_scenario(n).err()).collect();
    assert!(failures.is_empty(), "{} of {} scenarios differ:\n{}", failures.len(), COVERED.len(), failures.join("\n"));
}
