//! Builds tars, layers and whole image archives in memory for tests. Headers are written by
//! hand (ustar, with GNU base-256 sizes), so tests can also write what well-behaved tar
//! writers refuse: `../` names, absurd sizes, links anywhere.
#![allow(dead_code)]

use sha2::{Digest as _, Sha256};
use std::io::{Read, Write};

pub fn sha(data: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(data);
    let d = h.finalize();
    format!("sha256:{}", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn octal(field: &mut [u8], v: u64) {
    let n = field.len() - 1;
    let s = format!("{:0w$o}", v, w = n);
    field[..n].copy_from_slice(s.as_bytes());
    field[n] = 0;
}

/// One raw 512-byte ustar header.
pub fn header(name: &[u8], typeflag: u8, size: u64, link: &[u8], mode: u32) -> [u8; 512] {
    let mut h = [0u8; 512];
    assert!(name.len() <= 100 && link.len() <= 100);
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], mode as u64);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    if size < 0o77777777777 {
        octal(&mut h[124..136], size);
    } else {
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    }
    octal(&mut h[136..148], 1_577_836_800);
    h[156] = typeflag;
    h[157..157 + link.len()].copy_from_slice(link);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

/// A tar being built.
#[derive(Default, Clone)]
pub struct Tar {
    pub buf: Vec<u8>,
}

impl Tar {
    pub fn new() -> Self {
        Tar::default()
    }
    pub fn entry(mut self, name: &str, typeflag: u8, data: &[u8], link: &str, mode: u32) -> Self {
        self.buf.extend_from_slice(&header(name.as_bytes(), typeflag, data.len() as u64, link.as_bytes(), mode));
        self.buf.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.buf.extend(std::iter::repeat(0u8).take(pad));
        self
    }
    pub fn file(self, name: &str, data: &[u8]) -> Self {
        self.entry(name, b'0', data, "", 0o644)
    }
    pub fn file_mode(self, name: &str, data: &[u8], mode: u32) -> Self {
        self.entry(name, b'0', data, "", mode)
    }
    pub fn dir(self, name: &str, mode: u32) -> Self {
        self.entry(name, b'5', b"", "", mode)
    }
    pub fn symlink(self, name: &str, target: &str) -> Self {
        self.entry(name, b'2', b"", target, 0o777)
    }
    pub fn hardlink(self, name: &str, target: &str) -> Self {
        self.entry(name, b'1', b"", target, 0o644)
    }
    /// A raw header followed by `data` as is (no padding).
    pub fn raw(mut self, h: [u8; 512], data: &[u8]) -> Self {
        self.buf.extend_from_slice(&h);
        self.buf.extend_from_slice(data);
        self
    }
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.extend(std::iter::repeat(0u8).take(1024));
        self.buf
    }
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The uncompressed stream of a layer blob (gzip, zstd or plain).
pub fn decompress(blob: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if blob.starts_with(&[0x1f, 0x8b]) {
        // Broken streams (hostile tests) give whatever decodes.
        let _ = flate2::read::MultiGzDecoder::new(blob).read_to_end(&mut out);
    } else if blob.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        if let Ok(mut d) = ruzstd::decoding::StreamingDecoder::new(blob) {
            let _ = d.read_to_end(&mut out);
        }
    } else {
        out = blob.to_vec();
    }
    out
}

/// An image config for these layer blobs, with one history entry per layer (plus an
/// empty-layer entry at the end).
pub fn config_for(layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(&decompress(l))).collect();
    let mut history: Vec<serde_json::Value> = (0..layers.len())
        .map(|i| serde_json::json!({"created": format!("2020-01-01T0{}:00:00Z", i % 10), "created_by": format!("step {i}")}))
        .collect();
    history.push(serde_json::json!({"created": "2020-01-02T00:00:00Z", "created_by": "CMD [\"sh\"]", "empty_layer": true}));
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2020-01-02T00:00:00Z",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"], "WorkingDir": "/", "Labels": {"a": "b"}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap()
}

/// A legacy `docker save` archive: `<hex>.json` config, `<n>/layer.tar` members,
/// `manifest.json`.
pub fn docker_save(layers: &[Vec<u8>], tag: &str) -> Vec<u8> {
    docker_save_with(layers, &config_for(layers), tag)
}

pub fn docker_save_with(layers: &[Vec<u8>], config: &[u8], tag: &str) -> Vec<u8> {
    let cname = format!("{}.json", &sha(config)[7..]);
    let mut t = Tar::new().file(&cname, config);
    let mut paths = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let p = format!("l{i}/layer.tar");
        t = t.dir(&format!("l{i}"), 0o755).file(&p, l);
        paths.push(p);
    }
    let manifest = serde_json::json!([{"Config": cname, "RepoTags": [tag], "Layers": paths}]);
    t.file("manifest.json", &serde_json::to_vec(&manifest).unwrap()).finish()
}

pub fn descriptor(media_type: &str, data: &[u8]) -> serde_json::Value {
    serde_json::json!({"mediaType": media_type, "digest": sha(data), "size": data.len()})
}

pub fn layer_media_type(blob: &[u8]) -> &'static str {
    if blob.starts_with(&[0x1f, 0x8b]) {
        "application/vnd.oci.image.layer.v1.tar+gzip"
    } else if blob.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        "application/vnd.oci.image.layer.v1.tar+zstd"
    } else {
        "application/vnd.oci.image.layer.v1.tar"
    }
}

/// An OCI manifest for these layers; returns (manifest bytes, blobs it needs).
pub fn oci_manifest(layers: &[Vec<u8>]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let config = config_for(layers);
    let man = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor("application/vnd.oci.image.config.v1+json", &config),
        "layers": layers.iter().map(|l| descriptor(layer_media_type(l), l)).collect::<Vec<_>>(),
    });
    let mut blobs = vec![config];
    blobs.extend(layers.iter().cloned());
    (serde_json::to_vec(&man).unwrap(), blobs)
}

/// A tarred OCI layout from an index document and the blobs it needs.
pub fn oci_tar(index: &serde_json::Value, blobs: &[Vec<u8>]) -> Vec<u8> {
    let mut t = Tar::new().file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#).dir("blobs/", 0o755).dir("blobs/sha256/", 0o755);
    let mut seen = std::collections::BTreeSet::new();
    for b in blobs {
        let name = format!("blobs/sha256/{}", &sha(b)[7..]);
        if seen.insert(name.clone()) {
            t = t.file(&name, b);
        }
    }
    t.file("index.json", &serde_json::to_vec(index).unwrap()).finish()
}

/// A one-image OCI layout tar with a ref name.
pub fn oci_layout(layers: &[Vec<u8>], ref_name: &str) -> Vec<u8> {
    let (man, mut blobs) = oci_manifest(layers);
    let mut d = descriptor("application/vnd.oci.image.manifest.v1+json", &man);
    d["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": ref_name});
    blobs.push(man);
    oci_tar(&serde_json::json!({"schemaVersion": 2, "manifests": [d]}), &blobs)
}
