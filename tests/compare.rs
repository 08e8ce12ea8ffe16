//! Issue 13, item 3: two images compared (`layerlab diff`, `layerlab::compare`), on the
//! fixtures with expectations worked out by hand from `../shared/fixtures/README.md` and the
//! kernel goldens (`goldens/layered.merged.txt` against `goldens/sibling.merged.txt`), plus
//! in-memory images for the timestamp-only case and hostile input.

#[path = "support/tarkit.rs"]
mod tarkit;

use layerlab::compare::{compare, Options, Side, Verdict};
use layerlab::image::{Archive, Image, LoadOptions, Selector};
use layerlab::source::MemSource;
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;
use tarkit::*;

const F: &str = "../shared/fixtures/generated";

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_layerlab")).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn fx(name: &str) -> String {
    format!("{F}/{name}")
}

fn diff_json(args: &[&str]) -> (i32, Value) {
    let mut a = vec!["diff", "--json"];
    a.extend_from_slice(args);
    let (code, out, err) = run(&a);
    assert!(!err.contains("panicked"), "{err}");
    (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\n{err}")))
}

fn paths(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap().to_string()).collect()
}

/// path -> list of changes, for the modified entries.
fn modified(v: &Value) -> BTreeMap<String, Vec<String>> {
    v["files"]["modified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let ch = m["changes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
            (m["path"].as_str().unwrap().to_string(), ch)
        })
        .collect()
}

// The golden listings differ in these paths (hand-read from the two goldens):
const ADDED: &[&str] = &[
    "/etc/app.conf/main.conf",
    "/etc/b-only.conf",
    "/etc/motd",
    "/etc/to-delete.txt",
    "/opt/olddir/a.txt",
    "/opt/olddir/sub",
    "/opt/olddir/sub/c.txt",
    "/srv/www/img",
    "/srv/www/img/logo.bin",
    "/srv/www/old.css",
];
const DELETED: &[&str] = &[
    "/data",
    "/data/big.bin",
    "/docs",
    "/docs/dir\\x20with\\x20space",
    "/docs/dir\\x20with\\x20space/日本語.md",
    "/docs/file\\x20with\\x20spaces.txt",
    "/docs/héllo\\x20wörld\\x20✓.txt",
    "/opt/olddir/new.txt",
    "/srv/www/css",
    "/srv/www/css/site.css",
    "/usr/lib/v1/lib.so",
    "/usr/share/doc/app/README.md",
];
/// The modifications other than mtimes: type, content, mode, owner, symlink target.
fn semantic_modified() -> BTreeMap<String, Vec<String>> {
    [
        ("/etc/app.conf", &["type", "mode"][..]),        // file 0644 -> dir 0755
        ("/etc/config.txt", &["content"]),               // 35 -> 20 bytes
        ("/etc/hostname", &["content", "owner"]),        // layered chowned it 1000:1000; sibling rewrote it
        ("/etc/perm.sh", &["mode"]),                     // layered's chmod 0755
        ("/srv/www/index.html", &["content"]),           // layered's opaque /srv/www rewrote it
        ("/usr/bin/tool-link", &["type", "mode"]),       // symlink 0777 -> file 0644
        ("/usr/lib/current", &["target"]),               // v2 -> v1
        ("/usr/lib/v1", &["type", "mode"]),              // dir 0755 -> file 0644
    ]
    .iter()
    .map(|(p, c)| (p.to_string(), c.iter().map(|s| s.to_string()).collect()))
    .collect()
}

#[test]
fn layered_vs_sibling_semantic() {
    let (code, v) = diff_json(&["--semantic", &fx("layered.oci.tar"), &fx("sibling.oci.tar")]);
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "different");
    assert_eq!(v["same_content"], false);
    assert_eq!(paths(&v["files"]["added"]), ADDED);
    assert_eq!(paths(&v["files"]["deleted"]), DELETED);
    assert_eq!(modified(&v), semantic_modified());
    // Both sizes and both content digests where the content differs.
    let m = v["files"]["modified"].as_array().unwrap().iter().find(|m| m["path"] == "/etc/config.txt").unwrap();
    assert_eq!((m["a"]["size"].as_u64(), m["b"]["size"].as_u64()), (Some(35), Some(20)));
    assert!(m["a"]["digest"].as_str().unwrap().starts_with("sha256:0faeee48c9e9114a"), "{m}");
    assert!(m["b"]["digest"].as_str().unwrap().starts_with("sha256:a15c981b2f746669"), "{m}");
    // A mode-only change carries no digest.
    let perm = v["files"]["modified"].as_array().unwrap().iter().find(|m| m["path"] == "/etc/perm.sh").unwrap();
    assert_eq!((perm["a"]["mode"].as_str(), perm["b"]["mode"].as_str(), &perm["a"]["digest"]), (Some("0755"), Some("0644"), &Value::Null));
    // Deleted entries: a file's bytes and digest, a directory's total.
    let big = v["files"]["deleted"].as_array().unwrap().iter().find(|e| e["path"] == "/data/big.bin").unwrap();
    assert_eq!((big["size"].as_u64(), big["layer"].as_u64(), big["kind"].as_str()), (Some(5242880), Some(5), Some("f")));
    assert!(big["digest"].as_str().unwrap().starts_with("sha256:6fa3862eda9b3e20"));
    assert_eq!(v["files"]["deleted"][0]["size"], 5242880, "/data holds big.bin");
    // Config: layered's Cmd and WorkingDir; `created` is a timestamp, ignored.
    let cfg: Vec<(String, Value, Value)> = v["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["field"].as_str().unwrap().to_string(), d["a"].clone(), d["b"].clone()))
        .collect();
    assert_eq!(
        cfg,
        vec![
            ("Cmd".to_string(), serde_json::json!(["/usr/bin/tool"]), Value::Null),
            ("WorkingDir".to_string(), serde_json::json!("/srv/www"), Value::Null),
        ]
    );
    assert_eq!(v["history"]["compared"], false);
    // Layers 0-1 are the same blobs (README: sibling reuses them).
    assert_eq!(v["layers"]["shared"], 2);
    assert_eq!(v["layers"]["diverge_at"], 2);
    assert_eq!(v["layers"]["rows"].as_array().unwrap().len(), 8);
    assert_eq!(v["layers"]["rows"][7]["b"], Value::Null);
}

#[test]
fn layered_vs_sibling_strict_adds_mtimes_created_and_history() {
    let (code, v) = diff_json(&[&fx("layered.docker.tar"), &fx("sibling.oci.tar")]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v["files"]["added"]), ADDED);
    assert_eq!(paths(&v["files"]["deleted"]), DELETED);
    let sem = semantic_modified();
    for (p, ch) in modified(&v) {
        let mut without: Vec<String> = ch.iter().filter(|c| *c != "mtime").cloned().collect();
        match sem.get(&p) {
            Some(want) => assert_eq!(&without, want, "{p}"),
            None => {
                assert_eq!(ch, vec!["mtime"], "{p}: only an mtime may differ beyond the semantic changes");
                without.clear();
            }
        }
    }
    for p in sem.keys() {
        assert!(modified(&v).contains_key(p), "{p}");
    }
    // layer 3 rewrote /etc/config.txt at 03:00, sibling's comes from layer 1 (01:00).
    let m = v["files"]["modified"].as_array().unwrap().iter().find(|m| m["path"] == "/etc/config.txt").unwrap();
    assert_eq!((m["a"]["mtime"].as_i64(), m["b"]["mtime"].as_i64()), (Some(1577847600), Some(1577840400)));
    let created = v["config"].as_array().unwrap().iter().find(|d| d["field"] == "created").unwrap();
    assert_eq!((created["a"].as_str(), created["b"].as_str()), (Some("2020-01-01T09:00:00Z"), Some("2020-01-01T05:00:00Z")));
    // The first two history lines are shared; layered has 7 more, sibling 2.
    assert_eq!(v["history"]["compared"], true);
    assert_eq!(v["history"]["only_in_a"].as_array().unwrap().len(), 7);
    assert_eq!(
        v["history"]["only_in_b"],
        serde_json::json!([
            "umoci: sibling: modify hostname, add b-only.conf, delete README.md",
            "umoci: sibling: type changes (symlink->file, file->dir, dir->file)"
        ])
    );
    assert_eq!(v["history"]["changed"], serde_json::json!([]));
    // Layers 2 and 3 differ entry by entry; whiteouts and the opaque marker keep their tar names.
    let entries = v["layers"]["entries"].as_array().unwrap();
    assert_eq!(entries.iter().map(|e| e["layer"].as_u64().unwrap()).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(paths_of(&entries[0]["only_in_a"]), ["/etc/.wh.to-delete.txt", "/etc/config.txt", "/opt", "/opt/.wh.olddir"]);
    assert_eq!(paths_of(&entries[0]["only_in_b"]), ["/etc/b-only.conf", "/etc/hostname", "/usr/share/doc/app", "/usr/share/doc/app/.wh.README.md"]);
    assert!(paths_of(&entries[1]["only_in_a"]).contains(&"/srv/www/.wh..wh..opq".to_string()));
    assert!(paths_of(&entries[1]["only_in_b"]).contains(&"/usr/lib/v1/.wh.lib.so".to_string()));
}

fn paths_of(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

#[test]
fn text_report_uses_container_diff_words() {
    let (code, out, _) = run(&["diff", &fx("layered.oci.tar"), &fx("sibling.oci.tar")]);
    assert_eq!(code, 1);
    for want in [
        "-----File-----",
        "These entries have been added to sibling.oci.tar:",
        "These entries have been deleted from layered.oci.tar:",
        "These entries have been changed between layered.oci.tar and sibling.oci.tar:",
        "/data/big.bin                       5.243MB", // go-units HumanSize, as container-diff prints
        "-----Metadata-----",
        "-Cmd: [\"/usr/bin/tool\"] -> (none)",
        "Docker history lines found only in sibling.oci.tar:",
        "Shared by ChainID: layers 0-1 (2 of 8 and 4); the stacks diverge at layer 2.",
        "/etc/config.txt       35B       20B       content sha256:0faeee48c9e9 -> sha256:a15c981b2f74, mtime 2020-01-01T03:00:00Z -> 2020-01-01T01:00:00Z",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn same_image_id_other_compression_is_identical_content_exit_0() {
    let (code, v) = diff_json(&[&fx("layered.oci.tar"), &fx("layered-zstd.oci-archive.tar")]);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "identical_content_different_compression");
    assert_eq!(v["same_content"], true);
    assert_eq!(v["a"]["id"], v["b"]["id"]);
    assert_eq!(v["a"]["id"], "sha256:6cb47c63a8e802eac9e38630f27a522b66ce392518e040a46520b0072bf3d4ca");
    let rows = v["layers"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    for r in rows {
        assert_eq!((r["shared"].as_bool(), r["different_compression"].as_bool()), (Some(true), Some(true)), "{r}");
        assert_eq!((r["a"]["compression"].as_str(), r["b"]["compression"].as_str()), (Some("gzip"), Some("zstd")));
        assert_ne!(r["a"]["blob_digest"], r["b"]["blob_digest"]);
    }
    // layered-zstd.layers.txt: layer 4's zstd blob.
    assert_eq!(rows[4]["b"]["blob_digest"], "sha256:f454a1aacc27c2bfeb0f04247670f24e7ee6a82c0f62233fc5010178c000ec5b");
    assert!(v["files"]["added"].as_array().unwrap().is_empty());
    assert!(v["files"]["modified"].as_array().unwrap().is_empty());
    assert!(v["config"].as_array().unwrap().is_empty());
    let (code, out, _) = run(&["diff", &fx("layered.oci.tar"), &fx("layered-zstd.oci-archive.tar")]);
    assert_eq!(code, 0);
    assert!(out.contains("Result: identical content, different compression"), "{out}");
    // docker save keeps layers uncompressed: the same content again.
    let (code, v) = diff_json(&[&fx("layered.docker.tar"), &fx("layered.oci.tar")]);
    assert_eq!((code, v["verdict"].as_str()), (0, Some("identical_content_different_compression")));
    assert_eq!((v["layers"]["rows"][0]["a"]["compression"].as_str(), v["layers"]["rows"][0]["b"]["compression"].as_str()), (Some("none"), Some("gzip")));
}

#[test]
fn archive_colon_image_picks_one_image() {
    // both.oci.tar stores the same blobs as layered.oci.tar (README: one layout, both tags).
    let (code, v) = diff_json(&[&format!("{}:layered", fx("both.oci.tar")), &fx("layered.oci.tar")]);
    assert_eq!((code, v["verdict"].as_str()), (0, Some("identical")));
    let (code, v) = diff_json(&["--semantic", &format!("{}:0", fx("both.oci.tar")), &format!("{}:1", fx("both.oci.tar"))]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v["files"]["added"]), ADDED);
    let (code, out, err) = run(&["diff", &format!("{}:nosuch", fx("both.oci.tar")), &fx("layered.oci.tar")]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("both.oci.tar") && err.contains("nosuch"), "{err}");
}

#[test]
fn json_shape() {
    let (_, v) = diff_json(&[&fx("layered.oci.tar"), &fx("sibling.oci.tar")]);
    for k in ["a", "b", "semantic", "verdict", "same_content", "summary", "notes", "layers", "files", "config", "history"] {
        assert!(v.get(k).is_some(), "no {k}");
    }
    for k in ["name", "label", "id", "layers"] {
        assert!(v["a"].get(k).is_some(), "a.{k}");
    }
    for k in ["shared", "diverge_at", "rows", "entries"] {
        assert!(v["layers"].get(k).is_some(), "layers {k}");
    }
    for k in ["layer", "count_a", "count_b", "only_in_a", "only_in_b", "differ"] {
        assert!(v["layers"]["entries"][0].get(k).is_some(), "layer entries {k}");
    }
    for k in ["index", "shared", "same_diff_id", "different_compression", "a", "b"] {
        assert!(v["layers"]["rows"][0].get(k).is_some(), "row {k}");
    }
    for k in ["diff_id", "chain_id", "blob_digest", "media_type", "compression", "compressed_size", "uncompressed_size", "created_by"] {
        assert!(v["layers"]["rows"][0]["a"].get(k).is_some(), "layer {k}");
    }
    let added = &v["files"]["added"][0];
    for k in ["path", "layer", "kind", "size", "mode", "uid", "gid", "mtime", "digest", "target", "rdev"] {
        assert!(added.get(k).is_some(), "added {k}: {added}");
    }
    let m = &v["files"]["modified"][0];
    for k in ["path", "changes", "a", "b"] {
        assert!(m.get(k).is_some(), "modified {k}");
    }
    for k in ["field", "key", "a", "b"] {
        assert!(v["config"][0].get(k).is_some(), "config {k}");
    }
    for k in ["compared", "only_in_a", "only_in_b", "changed"] {
        assert!(v["history"].get(k).is_some(), "history {k}");
    }
}

#[test]
fn same_archive_is_identical() {
    let (code, v) = diff_json(&[&fx("sibling.oci.tar"), &fx("sibling.oci.tar")]);
    assert_eq!((code, v["verdict"].as_str(), v["layers"]["diverge_at"].clone()), (0, Some("identical"), Value::Null));
}

// --- a timestamp-only difference, built in memory ---

/// A ustar header with a chosen mtime (tarkit's headers all say 2020-01-01).
fn header_at(name: &str, typeflag: u8, size: usize, mode: u32, mtime: u64) -> [u8; 512] {
    let mut h = header(name.as_bytes(), typeflag, size as u64, b"", mode);
    let s = format!("{mtime:011o}\0");
    h[136..148].copy_from_slice(s.as_bytes());
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn layer_at(mtime: u64) -> Vec<u8> {
    let body = b"hello\n";
    let mut data = body.to_vec();
    data.resize(512, 0);
    Tar::new().dir("etc/", 0o755).raw(header_at("etc/motd", b'0', body.len(), 0o644, mtime), &data).finish()
}

fn config_at(layers: &[Vec<u8>], created: &str) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(l)).collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": created,
        "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": created, "created_by": "COPY motd /etc/"}],
    }))
    .unwrap()
}

fn image_at(mtime: u64, created: &str) -> Vec<u8> {
    let layers = vec![layer_at(mtime)];
    docker_save_with(&layers, &config_at(&layers, created), "t:1")
}

fn load(bytes: Vec<u8>, name: &str) -> Image {
    let ar = Archive::open(MemSource::shared(bytes), name, true, None).unwrap();
    ar.load(&Selector::Default, &LoadOptions::default(), &mut |_| true).unwrap()
}

#[test]
fn semantic_ignores_a_timestamp_only_difference() {
    let a = load(image_at(1_577_836_800, "2020-01-01T00:00:00Z"), "a.tar");
    let b = load(image_at(1_600_000_000, "2020-09-13T12:26:40Z"), "b.tar");
    let (sa, sb) = (Side::image(&a, "a.tar"), Side::image(&b, "b.tar"));

    let strict = compare(&sa, &sb, &Options { semantic: false }).unwrap();
    assert_eq!(strict.verdict, Verdict::Different);
    assert!(!strict.same_content);
    let ch: Vec<(&str, Vec<layerlab::compare::Change>)> = strict.files.modified.iter().map(|m| (m.path.as_str(), m.changes.clone())).collect();
    assert_eq!(ch, vec![("/etc/motd", vec![layerlab::compare::Change::Mtime])]);
    assert_eq!(strict.config.iter().map(|d| d.field.as_str()).collect::<Vec<_>>(), vec!["created"]);
    assert_eq!(strict.history.changed.len(), 1);
    assert_eq!(strict.history.changed[0].fields, vec!["created".to_string()]);
    assert_eq!(strict.layers.diverge_at, Some(0), "the mtime changes the diff_id");
    // The layers side by side, tar entry by tar entry (diffoci's tar-entry mismatch).
    assert_eq!(strict.layers.entries.len(), 1);
    let le = &strict.layers.entries[0];
    assert_eq!((le.layer, le.count_a, le.count_b, le.only_in_a.len(), le.only_in_b.len()), (0, 2, 2, 0, 0));
    assert_eq!(le.differ.iter().map(|d| (d.path.as_str(), d.changes.clone())).collect::<Vec<_>>(), vec![("/etc/motd", vec![layerlab::compare::Change::Mtime])]);

    let sem = compare(&sa, &sb, &Options { semantic: true }).unwrap();
    assert_eq!(sem.verdict, Verdict::SameContent, "{:?}", sem);
    assert!(sem.same_content);
    assert!(sem.files.is_empty() && sem.config.is_empty() && !sem.history.compared && sem.layers.entries.is_empty());

    // The same through the command line: exit 1, then 0 with --semantic.
    let dir = std::env::temp_dir().join(format!("layerlab-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pa, pb) = (dir.join("a.tar"), dir.join("b.tar"));
    std::fs::write(&pa, image_at(1_577_836_800, "2020-01-01T00:00:00Z")).unwrap();
    std::fs::write(&pb, image_at(1_600_000_000, "2020-09-13T12:26:40Z")).unwrap();
    let (pa, pb) = (pa.to_str().unwrap(), pb.to_str().unwrap());
    assert_eq!(run(&["diff", pa, pb]).0, 1);
    let (code, out, _) = run(&["diff", "--semantic", pa, pb]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Result: same content"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stacks_compare_like_images() {
    // Two stacks of loaded layers (the page's custom stacks): layered's first two layers
    // against sibling's.
    let la = load(std::fs::read(fx("layered.oci.tar")).unwrap(), "layered.oci.tar");
    let lb = load(std::fs::read(fx("sibling.oci.tar")).unwrap(), "sibling.oci.tar");
    let sa = Side::stack("layered L0-1", "layered.oci.tar", la.layers[..2].iter().collect());
    let sb = Side::stack("sibling L0-1", "sibling.oci.tar", lb.layers[..2].iter().collect());
    let c = compare(&sa, &sb, &Options::default()).unwrap();
    assert_eq!((c.verdict, c.layers.shared, c.layers.diverge_at), (Verdict::Identical, 2, None));
    let sb = Side::stack("sibling L0-2", "sibling.oci.tar", lb.layers[..3].iter().collect());
    let c = compare(&sa, &sb, &Options::default()).unwrap();
    assert_eq!((c.verdict, c.layers.shared, c.layers.diverge_at), (Verdict::Different, 2, Some(2)));
    // Sibling's layer 2 adds /etc/b-only.conf, deletes README.md, modifies /etc/hostname.
    assert_eq!(c.files.added.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), vec!["/etc/b-only.conf"]);
    assert_eq!(c.files.deleted.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), vec!["/usr/share/doc/app/README.md"]);
    assert!(c.files.modified.iter().any(|m| m.path == "/etc/hostname"));
}

// --- hostile input: one sentence naming file, layer and entry, exit 2, never a panic ---

fn temp(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("layerlab-compare-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

fn expect_exit_2(args: &[&str], needles: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "stdout {out}\nstderr {err}");
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.contains(": warning: ")).collect();
    assert_eq!(lines.len(), 1, "one sentence: {err}");
    assert!(lines[0].starts_with("layerlab: "), "{err}");
    for n in needles {
        assert!(lines[0].contains(n), "{err:?} does not name {n:?}");
    }
    lines[0].to_string()
}

#[test]
fn hostile_archives_exit_2_with_one_sentence() {
    let good = fx("layered.oci.tar");
    let bytes = std::fs::read(&good).unwrap();
    // Cut inside the archive: the member it was reading is named.
    let cut = temp("cut.oci.tar", &bytes[..bytes.len() / 2]);
    expect_exit_2(&["diff", &cut, &good], &["cut.oci.tar"]);
    expect_exit_2(&["diff", &good, &cut], &["cut.oci.tar"]);
    // Garbage is a bare "layer" that is not a tar.
    let junk = temp("junk.tar", &[0x5a; 3000]);
    expect_exit_2(&["diff", &junk, &good], &["junk.tar"]);
    let empty = temp("empty.tar", b"");
    expect_exit_2(&["diff", &good, &empty], &["empty.tar"]);
    expect_exit_2(&["diff", "/nonexistent/x.tar", &good], &["/nonexistent/x.tar"]);
    // A layer cut inside a file's content: archive, layer and entry are named.
    let layer = Tar::new().dir("etc/", 0o755).file("etc/motd", &[b'x'; 3000]).finish();
    let short = layer[..layer.len() - 1024 - 700].to_vec();
    let evil = temp("evil.tar", &docker_save(std::slice::from_ref(&short), "t:1"));
    let line = expect_exit_2(&["diff", &evil, &good], &["evil.tar", "layer 0", "motd"]);
    assert!(!line.contains('\n'));
    // Usage errors are exit 2 as well (clap's).
    assert_eq!(run(&["diff", &good]).0, 2);
}

#[test]
fn bare_layers_without_verification_compare_by_files() {
    // Bare layers read with --no-verify have no diff_id: the same file is still the same.
    let l0 = Tar::new().dir("etc/", 0o755).file("etc/motd", b"hi\n").finish();
    let l1 = Tar::new().dir("etc/", 0o755).file("etc/motd", b"bye\n").finish();
    let (p0, p1) = (temp("bare0.tar", &l0), temp("bare1.tar", &gzip(&l1)));
    let (code, out, err) = run(&["diff", "--no-verify", "--json", &p0, &p0]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "same_content");
    assert!(v["notes"].to_string().contains("no known diff_id"), "{}", v["notes"]);
    let (code, out, _) = run(&["diff", "--no-verify", "--json", &p0, &p1]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(modified(&v).get("/etc/motd"), Some(&vec!["content".to_string()]));
    // Verified, the diff_ids are known: the same bare layer is identical.
    let (code, out, _) = run(&["diff", "--json", &p0, &p0]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["verdict"], "identical");
}
