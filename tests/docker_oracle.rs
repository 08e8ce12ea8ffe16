//! The docker oracle (`../shared/docker-oracle`) as an integration test: the scenarios the
//! docker host's image side fully covers, each replayed by `layerlab host` in a scratch
//! directory set up as `check.sh` sets it up (`fixtures/` and `images/`, the latter built by
//! `make-images.py --check`), its stdout compared with `expected.txt` byte for byte, with the
//! `# disk:` lines (true bytes on disk, the storage-driver issue) dropped as `check.sh -x` does.
//!
//! shared/ is found as ../shared next to the crate, or at $LAYERLAB_SHARED. Every public
//! scenario runs, its `context*` build contexts staged as the recorder stages them.

use layerlab::docker::argv::split;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Every scenario of a set (a directory per scenario, with a `script`).
fn scenarios(set: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(set)
        .map(|d| d.filter_map(|e| e.ok()).filter(|e| e.path().join("script").is_file()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A `context*` entry staged as the recorder stages it: directories 0755, files 0755 when
/// user-executable else 0644 (mtimes do not reach the transcripts: the builder takes the
/// recorder's fixed one).
fn stage(src: &Path, dst: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let md = std::fs::symlink_metadata(src).unwrap();
    if md.file_type().is_symlink() {
        std::os::unix::fs::symlink(std::fs::read_link(src).unwrap(), dst).unwrap();
    } else if md.is_dir() {
        std::fs::create_dir_all(dst).unwrap();
        for e in std::fs::read_dir(src).unwrap() {
            let e = e.unwrap();
            stage(&e.path(), &dst.join(e.file_name()));
        }
        std::fs::set_permissions(dst, std::fs::Permissions::from_mode(0o755)).unwrap();
    } else {
        std::fs::copy(src, dst).unwrap();
        let mode = if md.permissions().mode() & 0o100 != 0 { 0o755 } else { 0o644 };
        std::fs::set_permissions(dst, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

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

fn run_scenario(set: &Path, name: &str) -> Result<(), String> {
    let dir = set.join(name);
    let script = std::fs::read_to_string(dir.join("script")).map_err(|e| format!("{name}: {e}"))?;
    let expected = std::fs::read_to_string(dir.join("expected.txt")).map_err(|e| format!("{name}: {e}"))?;
    let expected: String = expected.split_inclusive('\n').filter(|l| !l.starts_with("# disk:")).collect();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("docker-oracle-{}-{name}", set.file_name().unwrap_or_default().to_string_lossy()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    std::os::unix::fs::symlink(shared().join("fixtures"), scratch.join("fixtures")).unwrap();
    std::os::unix::fs::symlink(built_images(), scratch.join("images")).unwrap();
    for e in std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()) {
        if e.file_name().to_string_lossy().starts_with("context") {
            stage(&e.path(), &scratch.join(e.file_name()));
        }
    }
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
fn every_public_scenario_prints_the_recorded_transcript() {
    let set = shared().join("docker-oracle/scenarios");
    assert!(set.is_dir(), "docker-oracle scenarios not found at {} (set LAYERLAB_SHARED)", set.display());
    let all = scenarios(&set);
    assert!(all.len() >= 31, "only {} scenarios found in {}", all.len(), set.display());
    let failures: Vec<String> = all.iter().filter_map(|n| run_scenario(&set, n).err()).collect();
    assert!(failures.is_empty(), "{} of {} scenarios differ:\n{}", failures.len(), all.len(), failures.join("\n"));
}

#[test]
fn our_recorded_scenarios_print_their_transcripts() {
    // tests/docker-scenarios: cases the shared set does not cover, recorded with the same
    // recorder from Docker 20.10.24 (see its README).
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docker-scenarios");
    let all = scenarios(&set);
    assert!(!all.is_empty(), "no scenarios in {}", set.display());
    let failures: Vec<String> = all.iter().filter_map(|n| run_scenario(&set, n).err()).collect();
    assert!(failures.is_empty(), "{} of {} scenarios differ:\n{}", failures.len(), all.len(), failures.join("\n"));
}
