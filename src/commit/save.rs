//! `docker save`: images written as an archive that `docker load`, skopeo and umoci accept.
//!
//! Rules:
//! - [`SaveFormat::Docker`] writes the Docker 25+ layout: an OCI image layout (`oci-layout`,
//!   `index.json`, `blobs/sha256/…`) plus `manifest.json` (`Config`, `RepoTags`, `Layers` as
//!   blob paths) and `repositories`, which both `docker load` and OCI tools read.
//! - [`SaveFormat::Oci`] writes a plain OCI image layout (image-spec `image-layout.md`), each
//!   manifest annotated with `org.opencontainers.image.ref.name`.
//! - Layer blobs are copied byte for byte from their sources (a gzip blob stays the same gzip
//!   blob, so its digest is unchanged); a blob shared by several images is written once.
//! - Manifests, index and `manifest.json` are compact JSON; entries are written in a fixed
//!   order with a fixed mtime, so the same images give the same bytes.

use crate::layer::{TarEntry, TarKind, TarWriter};
use crate::error::Result;
use crate::layer::{Compression, LayerBlob};
use crate::source::Source;
use crate::layer::Content;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;

/// One layer blob to save.
#[derive(Clone)]
pub struct SaveLayer {
    /// The blob exactly as stored (compressed or not).
    pub blob: Source,
    /// `sha256:…` of the blob.
    pub digest: String,
    /// `sha256:…` of the uncompressed stream.
    pub diff_id: String,
    pub compression: Compression,
}

impl SaveLayer {
    /// A loaded layer as stored: its blob, with the digests the archive gave (`claimed` is what
    /// the manifest said), computing those it did not (the blob's sha256; for a compressed
    /// blob, the uncompressed stream's).
    pub fn from_layer(l: &crate::image::Layer, claimed: Option<String>) -> crate::error::Result<SaveLayer> {
        let raw = &l.blob.source;
        let digest = match (&l.blob_digest, claimed) {
            (Some(d), _) => d.clone(),
            (None, Some(d)) => d,
            (None, None) => blob_sha256(raw).map_err(|e| e.in_layer(l.label.clone()))?,
        };
        let diff_id = match (&l.diff_id, l.compression) {
            (Some(d), _) => d.clone(),
            (None, Compression::None) => digest.clone(),
            (None, _) => l.blob.diff_id()?,
        };
        Ok(SaveLayer { blob: raw.clone(), digest, diff_id, compression: l.compression })
    }

    pub fn media_type(&self) -> &'static str {
        match self.compression {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// One image to save.
#[derive(Clone)]
pub struct SaveImage {
    /// The config JSON bytes (their digest is the image ID).
    pub config: Arc<[u8]>,
    pub layers: Vec<SaveLayer>,
    /// Repo tags such as `docker.io/library/app:latest` or `app:v2` (may be empty).
    pub tags: Vec<String>,
    /// OCI `org.opencontainers.image.ref.name` values the image had (kept as they were when
    /// saving as an OCI layout; without them, the tag part of each repo tag is used).
    pub ref_names: Vec<String>,
}

impl SaveImage {
    /// The image as loaded, ready to save: config bytes as stored, layer blobs as stored
    /// (digests the archive did not give, or that were not verified, are computed).
    pub fn from_image(img: &crate::image::Image) -> crate::error::Result<SaveImage> {
        use crate::error::Error;
        if img.layers.len() != img.total_layers {
            return Err(Error::usage("only a fully loaded image can be saved").in_file(img.archive.clone()));
        }
        let mut layers = Vec::new();
        for (i, l) in img.layers.iter().enumerate() {
            let claimed = img.reference.layers.get(i).and_then(|b| b.digest.clone());
            layers.push(SaveLayer::from_layer(l, claimed).map_err(|e| e.in_file(img.archive.clone()))?);
        }
        let config = match &img.config {
            Some(c) => c.bytes.clone(),
            None => {
                // Bare layers: a minimal config, as `docker import` would make.
                let cfg = json!({
                    "architecture": "amd64",
                    "os": "linux",
                    "config": {},
                    "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
                    "history": layers.iter().map(|_| json!({"created": "1970-01-01T00:00:00Z", "created_by": "layer tarball"})).collect::<Vec<_>>(),
                });
                Arc::from(serde_json::to_vec(&cfg).expect("json"))
            }
        };
        let ref_names: Vec<String> = img.reference.ref_name.iter().cloned().collect();
        let mut tags = img.reference.repo_tags.clone();
        if tags.is_empty() {
            // An OCI image known by its ref name only: Docker needs a repo tag to load it.
            tags = ref_names
                .iter()
                .filter(|r| !r.is_empty() && !r.contains('@'))
                .map(|r| if split_tag(r).0 == r.as_str() { format!("{r}:latest") } else { r.clone() })
                .collect();
        }
        Ok(SaveImage { config, layers, tags, ref_names })
    }

    /// `sha256:…` of the config: the image ID.
    pub fn id(&self) -> String {
        crate::digest::sha256_digest(&self.config)
    }

    /// The OCI manifest of this image (compact JSON bytes).
    pub fn manifest(&self) -> Vec<u8> {
        let layers: Vec<_> = self
            .layers
            .iter()
            .map(|l| json!({"mediaType": l.media_type(), "digest": l.digest, "size": l.blob.len()}))
            .collect();
        let m = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": self.id(),
                "size": self.config.len(),
            },
            "layers": layers,
        });
        serde_json::to_vec(&m).expect("json")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFormat {
    /// `docker save` (Docker 25+ layout: OCI layout + manifest.json).
    Docker,
    /// OCI image layout.
    Oci,
}

/// `sha256:…` of a whole blob, read in chunks.
fn blob_sha256(src: &Source) -> crate::error::Result<String> {
    let mut h = crate::digest::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut off = 0u64;
    while off < src.len() {
        let n = ((src.len() - off) as usize).min(buf.len());
        crate::source::read_exact_at(&**src, off, &mut buf[..n]).map_err(|e| crate::error::Error::io(&e))?;
        h.update(&buf[..n]);
        off += n as u64;
    }
    Ok(crate::digest::prefixed(&h.finalize()))
}


/// Splits `repo:tag` (the tag is after the last `:` that follows the last `/`).
fn split_tag(t: &str) -> (&str, &str) {
    let slash = t.rfind('/').map_or(0, |i| i + 1);
    match t[slash..].rfind(':') {
        Some(i) => (&t[..slash + i], &t[slash + i + 1..]),
        None => (t, "latest"),
    }
}

/// Writes `images` as one archive; returns the writer.
pub fn save<W: Write>(images: &[SaveImage], format: SaveFormat, mtime: i64, out: W) -> Result<W> {
    let mut w = TarWriter::new(out);
    let file = |path: &str, bytes: Vec<u8>| TarEntry {
        path: path.as_bytes().to_vec(),
        kind: TarKind::File(Content::Bytes(Arc::from(bytes))),
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime,
    };
    let dir = |path: &str| TarEntry { path: path.as_bytes().to_vec(), kind: TarKind::Dir, mode: 0o755, uid: 0, gid: 0, mtime };

    // Blobs, each once, in digest order.
    w.append(&dir("blobs"))?;
    w.append(&dir("blobs/sha256"))?;
    let mut written = BTreeSet::new();
    let mut blobs: Vec<(String, TarKind)> = Vec::new();
    for img in images {
        let manifest = img.manifest();
        let md = crate::digest::sha256_digest(&manifest);
        blobs.push((img.id(), TarKind::File(Content::Bytes(img.config.clone()))));
        blobs.push((md, TarKind::File(Content::Bytes(Arc::from(manifest)))));
        for l in &img.layers {
            let raw = LayerBlob { source: l.blob.clone(), compression: Compression::None, label: Arc::from(l.digest.as_str()) };
            blobs.push((
                l.digest.clone(),
                TarKind::File(Content::Blob { blob: Arc::new(raw), offset: 0, size: l.blob.len() }),
            ));
        }
    }
    blobs.sort_by(|a, b| a.0.cmp(&b.0));
    for (digest, kind) in blobs {
        if written.insert(digest.clone()) {
            w.append(&TarEntry { kind, ..file(&format!("blobs/sha256/{}", crate::digest::encoded(&digest)), Vec::new()) })?;
        }
    }

    // index.json
    let manifests: Vec<_> = images
        .iter()
        .flat_map(|img| {
            let manifest = img.manifest();
            let md = crate::digest::sha256_digest(&manifest);
            let desc = move |ann: Option<serde_json::Value>| {
                let mut d = json!({
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": md.clone(),
                    "size": manifest.len(),
                });
                if let Some(a) = ann {
                    d["annotations"] = a;
                }
                d
            };
            let anns: Vec<serde_json::Value> = match format {
                SaveFormat::Docker => img
                    .tags
                    .iter()
                    .map(|t| json!({"io.containerd.image.name": t, "org.opencontainers.image.ref.name": split_tag(t).1}))
                    .collect(),
                SaveFormat::Oci if !img.ref_names.is_empty() => {
                    img.ref_names.iter().map(|r| json!({"org.opencontainers.image.ref.name": r})).collect()
                }
                SaveFormat::Oci => img.tags.iter().map(|t| json!({"org.opencontainers.image.ref.name": split_tag(t).1})).collect(),
            };
            if anns.is_empty() {
                vec![desc(None)]
            } else {
                anns.into_iter().map(|a| desc(Some(a))).collect()
            }
        })
        .collect();
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    });
    w.append(&file("index.json", serde_json::to_vec(&index).expect("json")))?;

    if format == SaveFormat::Docker {
        let entries: Vec<_> = images
            .iter()
            .map(|img| {
                json!({
                    "Config": format!("blobs/sha256/{}", crate::digest::encoded(&img.id())),
                    "RepoTags": img.tags,
                    "Layers": img.layers.iter().map(|l| format!("blobs/sha256/{}", crate::digest::encoded(&l.digest))).collect::<Vec<_>>(),
                })
            })
            .collect();
        w.append(&file("manifest.json", serde_json::to_vec(&entries).expect("json")))?;
    }
    w.append(&file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()))?;
    if format == SaveFormat::Docker {
        // repositories: {"repo": {"tag": "<top layer v1 id>"}}; Docker writes the top layer's
        // chain id hex here for legacy tools.
        let mut repos = serde_json::Map::new();
        for img in images {
            let top = img.layers.last().map(|l| crate::digest::encoded(&l.diff_id).to_string()).unwrap_or_default();
            for t in &img.tags {
                let (repo, tag) = split_tag(t);
                let entry = repos.entry(repo.to_string()).or_insert_with(|| json!({}));
                entry[tag] = json!(top);
            }
        }
        if !repos.is_empty() {
            w.append(&file("repositories", serde_json::to_vec(&repos).expect("json")))?;
        }
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_after_registry_port() {
        assert_eq!(split_tag("localhost:5000/app:v2"), ("localhost:5000/app", "v2"));
        assert_eq!(split_tag("docker.io/fixtures/layered:latest"), ("docker.io/fixtures/layered", "latest"));
        assert_eq!(split_tag("app"), ("app", "latest"));
    }
}
