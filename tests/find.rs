//! Issue 13, item 4: `layerlab find` on the fixtures, every layer searched, with what became of
//! each hit worked out by hand from `../shared/fixtures/README.md` (the `layered` and `sibling`
//! layer tables; layer numbers here count from 0 = the README's layer 1).

use serde_json::Value;
use std::process::Command;

const F: &str = "../shared/fixtures/generated";

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_layerlab")).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// (path, layer, kind, status JSON) of each hit.
fn hits(archive: &str, pattern: &str) -> Vec<(String, u64, String, Value)> {
    let (code, out, err) = run(&["find", &format!("{F}/{archive}"), pattern, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["path"].as_str().unwrap().to_string(), h["layer"].as_u64().unwrap(), h["kind"].as_str().unwrap().to_string(), h["status"].clone()))
        .collect()
}

fn hit(p: &str, l: u64, k: &str, s: Value) -> (String, u64, String, Value) {
    (p.to_string(), l, k.to_string(), s)
}

#[test]
fn overwritten_file_is_shadowed() {
    // Layer 4 adds the 5 MiB /data/big.bin, layer 5 overwrites it.
    assert_eq!(
        hits("layered.oci.tar", "big.bin"),
        vec![
            hit("/data/big.bin", 4, "f", serde_json::json!({"state": "shadowed", "by_layer": 5})),
            hit("/data/big.bin", 5, "f", serde_json::json!({"state": "visible"})),
        ]
    );
    let (_, out, _) = run(&["find", &format!("{F}/layered.oci.tar"), "big.bin"]);
    assert!(out.contains("4         f         5.243MB   /data/big.bin   shadowed by layer 5"), "{out}");
}

#[test]
fn whiteout_deletes_and_is_found_itself() {
    // Layer 3 (buildah) deletes /etc/motd with a whiteout.
    assert_eq!(
        hits("layered.oci.tar", "motd"),
        vec![
            hit("/etc/motd", 0, "f", serde_json::json!({"state": "deleted", "by_layer": 3, "how": "whiteout", "at": "/etc/motd"})),
            hit("/etc/motd", 3, "w", serde_json::json!({"state": "whiteout"})),
        ]
    );
}

#[test]
fn opaque_directory_hides_lower_entries() {
    // Layer 3 replaced /srv/www wholesale (opaque): layer 0's old.css is gone, site.css is new.
    assert_eq!(
        hits("layered.oci.tar", "*.css"),
        vec![
            hit("/srv/www/css/site.css", 3, "f", serde_json::json!({"state": "visible"})),
            hit("/srv/www/old.css", 0, "f", serde_json::json!({"state": "deleted", "by_layer": 3, "how": "opaque_dir", "at": "/srv/www"})),
        ]
    );
    let (_, out, _) = run(&["find", &format!("{F}/layered.oci.tar"), "www"]);
    assert!(out.contains("/srv/www   visible (opaque: hides the lower layers' entries below it)"), "{out}");
}

#[test]
fn deleted_directory_and_its_contents_then_recreated() {
    // Layer 2 whites out /opt/olddir; layer 6 recreates it with new.txt.
    let h = hits("layered.oci.tar", "/opt/*");
    let by_olddir = serde_json::json!({"state": "deleted", "by_layer": 2, "how": "whiteout", "at": "/opt/olddir"});
    assert_eq!(
        h,
        vec![
            hit("/opt/olddir", 0, "d", by_olddir.clone()),
            hit("/opt/olddir", 2, "w", serde_json::json!({"state": "whiteout"})),
            hit("/opt/olddir", 6, "d", serde_json::json!({"state": "visible"})),
            hit("/opt/olddir/a.txt", 0, "f", by_olddir.clone()),
            hit("/opt/olddir/new.txt", 6, "f", serde_json::json!({"state": "visible"})),
            hit("/opt/olddir/sub", 0, "d", by_olddir.clone()),
            hit("/opt/olddir/sub/c.txt", 0, "f", by_olddir),
        ]
    );
}

#[test]
fn directories_merge_and_type_changes_shadow() {
    // /etc exists in layers 0, 1, 2, 3 and 6 of layered: all merge into layer 6's.
    let h = hits("layered.oci.tar", "/etc");
    let layers: Vec<u64> = h.iter().map(|x| x.1).collect();
    assert_eq!(layers, vec![0, 1, 2, 3, 6]);
    for x in &h[..4] {
        assert_eq!(x.3, serde_json::json!({"state": "merged", "into_layer": 6}));
    }
    assert_eq!(h[4].3, serde_json::json!({"state": "visible"}));
    // sibling layer 3: dir -> file /usr/lib/v1 deletes lib.so below it; symlink -> file.
    assert_eq!(
        hits("sibling.oci.tar", "/usr/lib/v1*"),
        vec![
            hit("/usr/lib/v1", 0, "d", serde_json::json!({"state": "shadowed", "by_layer": 3})),
            hit("/usr/lib/v1", 3, "f", serde_json::json!({"state": "visible"})),
            hit("/usr/lib/v1/lib.so", 0, "f", serde_json::json!({"state": "deleted", "by_layer": 3, "how": "parent_replaced", "at": "/usr/lib/v1"})),
        ]
    );
    assert_eq!(
        hits("sibling.oci.tar", "tool-link"),
        vec![
            hit("/usr/bin/tool-link", 0, "l", serde_json::json!({"state": "shadowed", "by_layer": 3})),
            hit("/usr/bin/tool-link", 3, "f", serde_json::json!({"state": "visible"})),
        ]
    );
}

#[test]
fn names_with_spaces_and_unicode_and_bracket_sets() {
    let h = hits("layered.oci.tar", "*[ ]w*rld*");
    assert_eq!(h, vec![hit("/docs/héllo\\x20wörld\\x20✓.txt", 7, "f", serde_json::json!({"state": "visible"}))]);
    assert_eq!(hits("layered.oci.tar", "日本語.md").len(), 1);
}

#[test]
fn json_shape_and_no_match() {
    let (code, out, _) = run(&["find", &format!("{F}/layered.oci.tar"), "perm.sh", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["pattern"], "perm.sh");
    assert_eq!(v["layers"], 8);
    let h = &v["hits"][0];
    for k in ["path", "layer", "kind", "size", "mode", "uid", "gid", "target", "opaque", "status", "explanation"] {
        assert!(h.get(k).is_some(), "{k}: {h}");
    }
    // The chmod in layer 6 re-shipped the file: layer 0's copy is shadowed.
    assert_eq!((h["layer"].as_u64(), h["size"].as_u64(), h["explanation"].as_str()), (Some(0), Some(20), Some("shadowed by layer 6")));
    let (code, out, err) = run(&["find", &format!("{F}/layered.oci.tar"), "no-such-name"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(err.contains("no entry of any of the 8 layer(s) matches no-such-name"), "{err}");
}

#[test]
fn bare_layers_stack_and_hostile_input() {
    // Bare layer tarballs, stacked bottom first, as other commands take them.
    let dir = std::env::temp_dir().join(format!("layerlab-find-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.tar");
    std::fs::write(&junk, [0x5au8; 3000]).unwrap();
    let (code, out, err) = run(&["find", junk.to_str().unwrap(), "x"]);
    assert_ne!(code, 0, "{out}");
    assert!(!err.contains("panicked") && err.lines().count() == 1 && err.contains("junk.tar"), "{err}");
    assert_eq!(run(&["find", "only-a-pattern"]).0, 2, "an ARCHIVE and a PATTERN are required");
    let _ = std::fs::remove_dir_all(&dir);
}
