//! Hostile input: every case must end in a clear `Error` (right kind, a message naming the
//! archive, layer and entry as far as they apply), never a panic, a hang or unbounded memory.
//! Archives are built in memory with `support/tarkit.rs`.

#[path = "support/tarkit.rs"]
mod tarkit;

use layerlab::image::{Archive, Image, LoadOptions, Selector};
use layerlab::source::MemSource;
use layerlab::{Error, ErrorKind};
use tarkit::*;

fn load_with(bytes: Vec<u8>, opts: &LoadOptions) -> Result<Image, Error> {
    let ar = Archive::open(MemSource::shared(bytes), "evil.tar", opts.verify, None)?;
    ar.load(&Selector::Default, opts, &mut |_| true)
}

fn load(bytes: Vec<u8>) -> Result<Image, Error> {
    load_with(bytes, &LoadOptions::default())
}

/// Loads and lists (listing reads file contents), returning the first error.
fn load_and_list(bytes: Vec<u8>) -> Result<Vec<String>, Error> {
    let img = load(bytes)?;
    img.stack(None).listing()
}

fn expect_err(r: Result<impl std::fmt::Debug, Error>, kind: ErrorKind, needles: &[&str]) -> Error {
    let e = r.expect_err("hostile input was accepted");
    let msg = e.to_string();
    assert_eq!(e.kind, kind, "wrong kind for: {msg}");
    for n in needles {
        assert!(msg.contains(n), "message {msg:?} does not name {n:?}");
    }
    assert!(!msg.contains('\n'), "one sentence: {msg:?}");
    e
}

fn layer_a() -> Vec<u8> {
    Tar::new().dir("etc/", 0o755).file("etc/hostname", b"box\n").file("etc/motd", &[b'x'; 3000]).finish()
}

#[test]
fn truncated_archive_names_the_member() {
    let full = docker_save(&[layer_a()], "t:1");
    // Cut inside the layer member's content.
    let cut = full.iter().position(|_| false).unwrap_or(0) + full.len() / 2;
    let e = expect_err(load(full[..cut].to_vec()), ErrorKind::Truncated, &["evil.tar"]);
    assert!(e.entry.is_some(), "{e}");
}

#[test]
fn truncated_layer_names_the_layer() {
    let layer = layer_a();
    let cut = layer[..layer.len() - 1024 - 700].to_vec(); // inside motd's content
    let e = expect_err(load(docker_save(std::slice::from_ref(&cut), "t:1")), ErrorKind::Truncated, &["evil.tar", "layer 0", "motd"]);
    assert_eq!(e.layer.as_deref().map(|l| l.starts_with("layer 0")), Some(true));
    // A gzip layer cut short.
    let gz = gzip(&layer_a());
    let e = load(docker_save(&[gz[..gz.len() / 2].to_vec()], "t:1")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated | ErrorKind::Corrupt), "{e}");
    assert!(e.to_string().contains("layer 0") && e.to_string().contains("gzip"), "{e}");
}

#[test]
fn corrupt_gzip_is_reported_as_such() {
    let mut gz = gzip(&layer_a());
    let n = gz.len();
    for b in &mut gz[20..n - 10] {
        *b ^= 0x5a;
    }
    let opts = LoadOptions { verify: false, ..Default::default() };
    let e = expect_err(load_with(docker_save(&[gz], "t:1"), &opts), ErrorKind::Corrupt, &["layer 0", "gzip"]);
    assert!(e.to_string().contains("evil.tar"));
}

#[test]
fn corrupt_zstd_is_reported_as_such() {
    let mut z = zstd(&layer_a());
    let n = z.len();
    for b in &mut z[8..n] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let opts = LoadOptions { verify: false, ..Default::default() };
    let e = load_with(docker_save(&[z], "t:1"), &opts).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Corrupt | ErrorKind::Truncated), "{e}");
    assert!(e.to_string().contains("zstd") && e.to_string().contains("layer 0"), "{e}");
}

#[test]
fn diff_id_mismatch_is_an_error_unless_verification_is_off() {
    let good = layer_a();
    let other = Tar::new().file("x", b"y").finish();
    // The config claims the diff_id of another layer.
    let config = config_for(&[other]);
    let bytes = docker_save_with(&[good], &config, "t:1");
    expect_err(load(bytes.clone()), ErrorKind::DigestMismatch, &["evil.tar", "layer 0", "l0/layer.tar", "diff_id"]);
    let opts = LoadOptions { verify: false, ..Default::default() };
    let img = load_with(bytes, &opts).expect("--no-verify loads it");
    assert!(img.stack(None).listing().unwrap().iter().any(|l| l.ends_with("/etc/hostname")));
}

#[test]
fn blob_digest_mismatch_in_an_oci_layout() {
    let layer = gzip(&layer_a());
    let (man, mut blobs) = oci_manifest(std::slice::from_ref(&layer));
    // Replace the layer blob's content, keeping its name.
    let evil = gzip(&Tar::new().file("evil", b"!").finish());
    let mut v: serde_json::Value = serde_json::from_slice(&man).unwrap();
    v["layers"][0]["size"] = serde_json::json!(evil.len());
    let man = serde_json::to_vec(&v).unwrap();
    blobs.retain(|b| *b != layer);
    let mut t = Tar::new().file("oci-layout", b"{}");
    for b in &blobs {
        t = t.file(&format!("blobs/sha256/{}", &sha(b)[7..]), b);
    }
    t = t.file(&format!("blobs/sha256/{}", &sha(&layer)[7..]), &evil);
    t = t.file(&format!("blobs/sha256/{}", &sha(&man)[7..]), &man);
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [descriptor("application/vnd.oci.image.manifest.v1+json", &man)]});
    let bytes = t.file("index.json", &serde_json::to_vec(&index).unwrap()).finish();
    let e = load(bytes).unwrap_err();
    assert_eq!(e.kind, ErrorKind::DigestMismatch, "{e}");
    assert!(e.to_string().contains("layer 0") && e.to_string().contains(&sha(&layer)[7..]), "{e}");
}

#[test]
fn missing_blob_names_it() {
    let layer = gzip(&layer_a());
    let (man, blobs) = oci_manifest(std::slice::from_ref(&layer));
    let kept: Vec<Vec<u8>> = blobs.into_iter().filter(|b| *b != layer).chain([man.clone()]).collect();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [descriptor("application/vnd.oci.image.manifest.v1+json", &man)]});
    let bytes = oci_tar(&index, &kept);
    expect_err(load(bytes), ErrorKind::Missing, &["evil.tar", "layer 0", &sha(&layer)[7..]]);
    // A docker-save manifest naming an absent layer.
    let mut bytes = Tar::new().file("c.json", &config_for(&[layer_a()]));
    bytes = bytes.file("manifest.json", br#"[{"Config":"c.json","RepoTags":["a:b"],"Layers":["nope/layer.tar"]}]"#);
    expect_err(load(bytes.finish()), ErrorKind::Missing, &["evil.tar", "nope/layer.tar"]);
}

#[test]
fn dotdot_names_in_a_layer_cannot_leave_the_root() {
    let layer = Tar::new().file("etc/ok", b"1").file("../../etc/passwd", b"root::0:0").finish();
    let opts = LoadOptions { verify: false, ..Default::default() };
    expect_err(load_with(docker_save(&[layer], "t:1"), &opts), ErrorKind::Escape, &["layer 0", "../../etc/passwd", "evil.tar"]);
    let layer = Tar::new().file("a/../../x", b"1").finish();
    expect_err(load_with(docker_save(&[layer], "t:1"), &opts), ErrorKind::Escape, &["a/../../x"]);
}

#[test]
fn absolute_names_stay_inside_the_layer() {
    let layer = Tar::new().file("/etc/abs", b"1").file("./etc/rel", b"2").finish();
    let lines = load_and_list(docker_save(&[layer], "t:1")).unwrap();
    assert!(lines.iter().any(|l| l.ends_with(" /etc/abs")), "{lines:?}");
    assert!(lines.iter().any(|l| l.ends_with(" /etc/rel")), "{lines:?}");
}

#[test]
fn outer_archive_members_cannot_leave_the_archive() {
    let bytes = Tar::new().file("../escape.json", b"{}").file("manifest.json", b"[]").finish();
    expect_err(load(bytes), ErrorKind::Escape, &["evil.tar", "../escape.json"]);
    // A layer.tar symlink pointing out of the archive.
    let bytes = Tar::new()
        .file("c.json", &config_for(&[layer_a()]))
        .symlink("l0/layer.tar", "../../../etc/shadow")
        .file("manifest.json", br#"[{"Config":"c.json","RepoTags":["a:b"],"Layers":["l0/layer.tar"]}]"#)
        .finish();
    expect_err(load(bytes), ErrorKind::Escape, &["evil.tar", "layer 0", "leaves the archive"]);
}

#[test]
fn layer_tar_symlink_loop_is_eloop() {
    let bytes = Tar::new()
        .file("c.json", &config_for(&[layer_a()]))
        .symlink("a/layer.tar", "../b/layer.tar")
        .symlink("b/layer.tar", "../a/layer.tar")
        .file("manifest.json", br#"[{"Config":"c.json","RepoTags":["a:b"],"Layers":["a/layer.tar"]}]"#)
        .finish();
    expect_err(load(bytes), ErrorKind::Escape, &["evil.tar", "layer 0", "a/layer.tar", "ELOOP"]);
}

#[test]
fn hardlink_to_a_missing_target() {
    let layer = Tar::new().file("a", b"1").hardlink("b", "nowhere").finish();
    expect_err(load(docker_save(&[layer], "t:1")), ErrorKind::Missing, &["evil.tar", "layer 0", "/b", "nowhere"]);
}

#[test]
fn header_claiming_a_terabyte() {
    let tb = 1u64 << 40;
    let layer = Tar::new().file("a", b"1").raw(header(b"huge", b'0', tb, b"", 0o644), &[0u8; 1024]).buf;
    // As a bare layer.
    let opts = LoadOptions { verify: false, ..Default::default() };
    let e = Archive::open(MemSource::shared(layer.clone()), "huge.tar", false, None)
        .and_then(|ar| ar.load(&Selector::Default, &opts, &mut |_| true))
        .unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated | ErrorKind::TooLarge), "{e}");
    assert!(e.to_string().contains("huge.tar") && e.to_string().contains("huge"), "{e}");
    // As an outer member.
    let outer = Tar::new().raw(header(b"manifest.json", b'0', tb, b"", 0o644), &[0u8; 512]).buf;
    expect_err(load(outer), ErrorKind::Truncated, &["evil.tar", "manifest.json"]);
    // Verified, the streaming reader must also stop.
    let e = load(docker_save(&[layer], "t:1")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated | ErrorKind::TooLarge | ErrorKind::Corrupt), "{e}");
    assert!(e.to_string().contains("layer 0"), "{e}");
}

#[test]
fn gzip_bomb_is_stopped_at_the_limit() {
    // 64 MiB of zeros in one file: about 64 KiB of gzip, a ratio near 1000.
    let zeros = vec![0u8; 64 << 20];
    let layer = Tar::new().file("bomb", &zeros).finish();
    drop(zeros);
    let gz = gzip(&layer);
    drop(layer);
    let mut opts = LoadOptions::default();
    opts.limits.bomb_floor = 8 << 20;
    opts.limits.bomb_ratio = 100;
    let ar = Archive::open(MemSource::shared(gz), "bomb.tar.gz", true, None).unwrap();
    let e = ar.load(&Selector::Default, &opts, &mut |_| true).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge, "{e}");
    assert!(e.to_string().contains("bomb.tar.gz") && e.to_string().contains("decompression bomb"), "{e}");
}

#[test]
fn random_bytes_never_panic() {
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for round in 0..200 {
        let len = (round * 37) % 5000 + 1;
        let mut v = Vec::with_capacity(len);
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.push(x as u8);
        }
        // Sometimes start with a compression magic, to reach the decoders.
        match round % 4 {
            1 => v.splice(0..0, [0x1f, 0x8b, 8, 0]).for_each(drop),
            2 => v.splice(0..0, [0x28, 0xb5, 0x2f, 0xfd]).for_each(drop),
            _ => {}
        }
        let r = load_and_list(v);
        let e = r.expect_err("random bytes are not an image");
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn mutated_real_archives_never_panic() {
    // Flip bytes all over a valid docker-save and OCI archive.
    let bases = [docker_save(&[layer_a(), gzip(&layer_a())], "t:1"), oci_layout(&[gzip(&layer_a()), zstd(&layer_a())], "r")];
    for base in bases {
        let mut x: u64 = 12345;
        for _ in 0..300 {
            let mut v = base.clone();
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x as usize) % v.len();
                v[i] ^= (x >> 32) as u8 | 1;
            }
            let _ = load_and_list(v);
        }
    }
}

#[test]
fn corrupt_json_names_the_document() {
    let bytes = Tar::new().file("manifest.json", b"[{\"Config\": 3").finish();
    expect_err(load(bytes), ErrorKind::Corrupt, &["evil.tar", "manifest.json"]);
    let bytes = Tar::new().file("oci-layout", b"{}").file("index.json", br#"{"manifests":[{"digest":"sha256:../../etc/passwd"}]}"#).finish();
    expect_err(load(bytes), ErrorKind::Corrupt, &["evil.tar", "sha256:../../etc/passwd"]);
}

#[test]
fn symlink_loop_inside_the_image_is_eloop_for_cat() {
    let layer = Tar::new().symlink("a", "b").symlink("b", "/a").finish();
    let img = load(docker_save(&[layer], "t:1")).unwrap();
    let e = img.stack(None).resolve(b"/a", true).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Escape);
    assert!(e.to_string().contains("ELOOP") && e.to_string().contains("/a"), "{e}");
}

#[test]
fn nested_indexes_too_deep_are_refused() {
    // An index that names itself cannot be written (its digest would change), so build a
    // chain deeper than the limit.
    let (man, mut blobs) = oci_manifest(&[layer_a()]);
    let mut top = descriptor("application/vnd.oci.image.manifest.v1+json", &man);
    blobs.push(man);
    for _ in 0..12 {
        let idx = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [top]})).unwrap();
        top = descriptor("application/vnd.oci.image.index.v1+json", &idx);
        blobs.push(idx);
    }
    let bytes = oci_tar(&serde_json::json!({"schemaVersion": 2, "manifests": [top]}), &blobs);
    expect_err(load(bytes), ErrorKind::Corrupt, &["evil.tar", "nested"]);
}

#[test]
fn cancel_stops_loading() {
    let bytes = docker_save(&[layer_a(), layer_a()], "t:1");
    let ar = Archive::open(MemSource::shared(bytes), "c.tar", true, None).unwrap();
    // Layers may be indexed side by side, so progress arrives in any layer order: cancel on
    // layer 1's first report, whenever it comes.
    let mut seen = Vec::new();
    let e = ar
        .load(&Selector::Default, &LoadOptions::default(), &mut |p| {
            seen.push(p.layer);
            p.layer != 1
        })
        .unwrap_err();
    assert!(e.to_string().contains("cancelled") && e.to_string().contains("layer 1"), "{e}");
    // Nothing is reported after the answer that cancelled.
    assert_eq!(seen.last(), Some(&1), "{seen:?}");
    assert_eq!(seen.iter().filter(|&&l| l == 1).count(), 1, "{seen:?}");
}

#[test]
fn garbage_diff_ids_in_the_config_are_a_mismatch_not_a_crash() {
    let layer = layer_a();
    let mut cfg: serde_json::Value = serde_json::from_slice(&config_for(std::slice::from_ref(&layer))).unwrap();
    cfg["rootfs"]["diff_ids"] = serde_json::json!(["sha256:aéééééééééééééééé"]);
    let bytes = docker_save_with(&[layer], &serde_json::to_vec(&cfg).unwrap(), "t:1");
    expect_err(load(bytes), ErrorKind::DigestMismatch, &["evil.tar", "layer 0", "diff_id"]);
}
