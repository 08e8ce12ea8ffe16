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

/// Runs `script` (a scenario's script, or one derived from it) with `layerlab host` in a
/// scratch directory staged as check.sh stages it; returns the transcript, stderr and the
/// scratch directory.
fn host_run(set: &Path, name: &str, tag: &str, script: &str) -> Result<(String, String, PathBuf), String> {
    let dir = set.join(name);
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("docker-oracle-{}-{name}{tag}", set.file_name().unwrap_or_default().to_string_lossy()));
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
    std::fs::write(&tsv, images_tsv(script)).unwrap();
    let script_path = scratch.join("script.run");
    std::fs::write(&script_path, script).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_layerlab"))
        .current_dir(&scratch)
        .arg("host")
        .arg("--script")
        .arg(&script_path)
        .arg("--images")
        .arg(&tsv)
        .arg("--registry")
        .arg(dir.join("registry.txt"))
        .output()
        .map_err(|e| format!("{name}: {e}"))?;
    Ok((String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned(), scratch))
}

fn run_scenario(set: &Path, name: &str) -> Result<(), String> {
    let dir = set.join(name);
    let script = std::fs::read_to_string(dir.join("script")).map_err(|e| format!("{name}: {e}"))?;
    let expected = std::fs::read_to_string(dir.join("expected.txt")).map_err(|e| format!("{name}: {e}"))?;
    let expected: String = expected.split_inclusive('\n').filter(|l| !l.starts_with("# disk:")).collect();
    let (got, stderr, _) = host_run(set, name, "", &script)?;
    if got != expected {
        let first = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(got.lines().count().min(expected.lines().count()));
        return Err(format!(
            "{name}: transcript differs at line {}:\n  got:      {:?}\n  expected: {:?}\n(stderr: {stderr})",
            first + 1,
            got.lines().nth(first),
            expected.lines().nth(first),
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

/// From 2023 on, an mtime is the build run's own (tests/built-layers/record.py).
const RUN_EPOCH: u64 = 1_672_531_200;

/// One saved image's layers as tests/built-layers/record.py lists them (see its header for
/// the format); `seen` holds the reproducible diff IDs listed before in the file.
fn image_listing(archive: &[u8], seen: &mut std::collections::BTreeSet<String>) -> Vec<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let members = tar_members(archive);
    let manifest: serde_json::Value = serde_json::from_slice(&members["manifest.json"]).unwrap();
    let mut out = Vec::new();
    for (i, name) in manifest[0]["Layers"].as_array().unwrap().iter().enumerate() {
        let data = &members[name.as_str().unwrap()];
        let mut lines = Vec::new();
        let mut run_time = false;
        let mut ar = tar::Archive::new(&data[..]);
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let mtime = h.mtime().unwrap();
            let mt = if mtime >= RUN_EPOCH {
                run_time = true;
                "<time>".to_string()
            } else {
                layerlab::docker::names::rfc3339(mtime as i64).trim_end_matches('Z').to_string()
            };
            let kind = match h.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => '-',
                tar::EntryType::Directory => 'd',
                tar::EntryType::Symlink => 'l',
                tar::EntryType::Link => 'h',
                tar::EntryType::Char => 'c',
                tar::EntryType::Block => 'b',
                tar::EntryType::Fifo => 'p',
                _ => '?',
            };
            let mut xattrs = Vec::new();
            if let Ok(Some(pax)) = e.pax_extensions() {
                for x in pax.flatten() {
                    if let Some(k) = x.key().ok().and_then(|k| k.strip_prefix("SCHILY.xattr.")) {
                        xattrs.push(format!(" {k}={}", x.value_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>()));
                    }
                }
            }
            xattrs.sort();
            let path = String::from_utf8_lossy(&e.path_bytes()).trim_end_matches('/').to_string();
            let link = e.link_name_bytes().map(|l| format!(" -> {}", String::from_utf8_lossy(&l)));
            let mut hash = "-".to_string();
            if kind == '-' {
                let mut body = Vec::new();
                e.read_to_end(&mut body).unwrap();
                hash = layerlab::digest::hex(&Sha256::digest(&body))[..12].to_string();
            }
            lines.push(format!(
                "{kind} {:04o} {}/{} {} {mt} {hash} {path}{}{}",
                h.mode().unwrap(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.size().unwrap(),
                link.unwrap_or_default(),
                xattrs.concat()
            ));
        }
        let diff = if run_time { "<diff>".to_string() } else { format!("sha256:{}", layerlab::digest::hex(&Sha256::digest(data))) };
        if seen.contains(&diff) {
            out.push(format!("# layer {i} {diff} (as above)"));
            continue;
        }
        if !run_time {
            seen.insert(diff.clone());
        }
        out.push(format!("# layer {i} {diff}"));
        out.extend(lines);
    }
    out
}

fn tar_members(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut ar = tar::Archive::new(bytes);
    let mut m = std::collections::BTreeMap::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let mut v = Vec::new();
        e.read_to_end(&mut v).unwrap();
        m.insert(name, v);
    }
    m
}

/// Issue 11: the images `docker build` makes hold, layer by layer and entry by entry, what
/// Docker 20.10's classic builder put in them from the same Dockerfile and context: names,
/// types, modes as the tar header holds them (Go writes the type bits), owners, sizes,
/// content, link targets, xattrs, and the mtimes that do not come from the build's clock.
/// Recorded by tests/built-layers/record.py for every scenario with a `docker build`.
#[test]
fn built_layers_equal_dockers_entry_for_entry() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut recorded: Vec<PathBuf> = std::fs::read_dir(here.join("tests/built-layers")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    recorded.sort();
    assert!(recorded.len() >= 10, "recorded listings: {recorded:?}");
    for rec in recorded {
        let name = rec.file_stem().unwrap().to_string_lossy().into_owned();
        let set = if shared().join("docker-oracle/scenarios").join(&name).is_dir() { shared().join("docker-oracle/scenarios") } else { here.join("tests/docker-scenarios") };
        let script = std::fs::read_to_string(set.join(&name).join("script")).unwrap();
        // after every build, save its tag (a failed build's save fails and is not listed)
        let mut derived = String::new();
        let mut tags = Vec::new();
        for line in script.split('\n') {
            derived.push_str(line);
            derived.push('\n');
            if line.starts_with("docker build ") {
                let w = split(line).unwrap();
                let t = w.iter().position(|a| a == "-t").map(|i| w[i + 1].clone()).expect("scenario builds are tagged");
                derived.push_str(&format!("docker save -o built-layers-{}.tar {t}\n", tags.len()));
                tags.push(t);
            }
        }
        let (out, stderr, scratch) = host_run(&set, &name, "-layers", &derived).unwrap();
        let mut got = vec![format!("# {name}: the layers Docker 20.10 built (tests/built-layers/record.py)")];
        let mut seen = Default::default();
        let mut n = 0;
        for (k, t) in tags.iter().enumerate() {
            // the build's own output: from its `$ docker build` line to its save's
            let save = format!("$ docker save -o built-layers-{k}.tar {t}\n");
            let end = out.find(&save).unwrap_or_else(|| panic!("{name}: {save:?} not in the transcript:\n{out}\n{stderr}"));
            let start = out[..end].rfind("$ docker build ").unwrap();
            // a tag without one is `:latest`, as Docker prints it (and the recorder lists it)
            let full = if t.rsplit('/').next().unwrap_or(t).contains(':') { t.clone() } else { format!("{t}:latest") };
            if !out[start..end].contains(&format!("\nSuccessfully tagged {full}\n")) {
                continue;
            }
            n += 1;
            got.push(format!("## build {n} {full}"));
            got.extend(image_listing(&std::fs::read(scratch.join(format!("built-layers-{k}.tar"))).unwrap(), &mut seen));
        }
        let want = std::fs::read_to_string(&rec).unwrap();
        let got = got.join("\n") + "\n";
        checked += n;
        if got != want {
            let first = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(got.lines().count().min(want.lines().count()));
            failures.push(format!("{name}: line {}:\n  layerlab: {:?}\n  docker:   {:?}", first + 1, got.lines().nth(first), want.lines().nth(first)));
        }
    }
    assert!(checked >= 25, "only {checked} built images compared");
    assert!(failures.is_empty(), "{} listings differ:\n{}", failures.len(), failures.join("\n"));
}
