//! `docker save`: images written as an archive that `docker load`, skopeo and umoci accept.
//!
//! Rules:
//! - [`SaveFormat::Docker`] writes the Docker 25+ layout (moby `image/tarexport/save.go`): an
//!   OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) plus `manifest.json`
//!   (`Config`, `RepoTags` familiar, `Layers` as blob paths; `"RepoTags":null` when untagged)
//!   and, when some image is tagged, `repositories` (repo -> tag -> top layer diff_id hex, see
//!   [`crate::image::repositories`]), which both `docker load` and OCI tools read. Each tag
//!   gets its own `index.json` descriptor, annotated with the full name
//!   (`io.containerd.image.name`) and the tag (`org.opencontainers.image.ref.name`).
//! - [`SaveFormat::Oci`] writes a plain OCI image layout (image-spec `image-layout.md`), each
//!   manifest annotated with `org.opencontainers.image.ref.name`.
//! - Layer blobs are copied byte for byte from their sources (a gzip blob stays the same gzip
//!   blob, so its digest is unchanged); a blob shared by several images is written once.
//! - Every document is a serde type of [`crate::image`] (`manifest`, `index`, `layout`,
//!   `docker_manifest`, `repositories`), written as compact JSON in the spec's field order;
//!   `manifest.json` and `repositories` end with a newline as Docker's `json.Encoder` writes
//!   them. Entries are written in a fixed order with a fixed mtime, so the same images give
//!   the same bytes.
//! - [`save_legacy`] writes the Docker 20.10 layout (moby 20.10 `image/tarexport/save.go`, the
//!   oracle's `commit-save`, NOTES 23): per layer a `<v1 id>/` directory with `VERSION` (`1.0`),
//!   `json` (the legacy image JSON) and `layer.tar` (the uncompressed layer), `<image id>.json`
//!   (the config bytes, no newline), `manifest.json` (`Config`, `RepoTags`, `Layers` as
//!   `<v1 id>/layer.tar`, `Parent` when the parent is saved too) and `repositories` (repo -> tag
//!   -> top v1 ID, when something is tagged). Members in name order as dockerd's walk writes
//!   them, owned `root/root`; every entry but the last two has the image's Created as mtime,
//!   `manifest.json` and `repositories` the epoch. The legacy JSON and v1 IDs are the daemon's
//!   (Go-encoded), so the caller gives them.
//! - This is the one writer of image archives: the CLI, the page, `make-samples` and the docker
//!   host use it.

use crate::layer::{TarEntry, TarKind, TarWriter};
use crate::error::Result;
use crate::image::annotations::{CONTAINERD_IMAGE_NAME, REF_NAME};
use crate::image::descriptor::Descriptor;
use crate::image::docker_manifest::{self, ManifestItem, MANIFEST_FILE};
use crate::image::index::ImageIndex;
use crate::image::layout::{OciLayout, INDEX_FILE, OCI_LAYOUT_FILE};
use crate::image::manifest::ImageManifest;
use crate::image::media_type;
use crate::image::reference::{familiar_tag, full_tag, split_tag};
use crate::image::repositories::{Repositories, REPOSITORIES_FILE};
use crate::layer::{Compression, LayerBlob};
use crate::source::Source;
use crate::layer::Content;
use std::collections::{BTreeMap, BTreeSet};
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
        media_type::oci_layer(self.compression)
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
                let ids: Vec<String> = layers.iter().map(|l| l.diff_id.clone()).collect();
                Arc::from(crate::image::config::import_config(&ids))
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

    /// The OCI manifest of this image.
    pub fn manifest_doc(&self) -> ImageManifest {
        let layers = self.layers.iter().map(|l| Descriptor::new(l.media_type(), l.digest.clone(), l.blob.len())).collect();
        ImageManifest::oci(Descriptor::new(media_type::OCI_CONFIG, self.id(), self.config.len() as u64), layers)
    }

    /// The OCI manifest of this image (compact JSON bytes).
    pub fn manifest(&self) -> Vec<u8> {
        self.manifest_doc().to_bytes()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
            let raw = LayerBlob { source: l.blob.clone(), compression: Compression::None, label: Arc::from(l.digest.as_str()), seek: None, memo: Default::default() };
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

    // index.json: one descriptor per tag (Docker) or ref name (OCI), else one untagged.
    let annotated = |pairs: &[(&str, &str)]| Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>());
    let mut manifests = Vec::new();
    for img in images {
        let manifest = img.manifest();
        let md = crate::digest::sha256_digest(&manifest);
        let plain = Descriptor::new(media_type::OCI_MANIFEST, md, manifest.len() as u64);
        let anns: Vec<_> = match format {
            SaveFormat::Docker => {
                img.tags.iter().map(|t| annotated(&[(CONTAINERD_IMAGE_NAME, &full_tag(t)), (REF_NAME, split_tag(t).1)])).collect()
            }
            SaveFormat::Oci if !img.ref_names.is_empty() => img.ref_names.iter().map(|r| annotated(&[(REF_NAME, r)])).collect(),
            SaveFormat::Oci => img.tags.iter().map(|t| annotated(&[(REF_NAME, split_tag(t).1)])).collect(),
        };
        if anns.is_empty() {
            manifests.push(plain);
        } else {
            manifests.extend(anns.into_iter().map(|a| Descriptor { annotations: a, ..plain.clone() }));
        }
    }
    w.append(&file(INDEX_FILE, ImageIndex::oci(manifests).to_bytes()))?;

    if format == SaveFormat::Docker {
        let items: Vec<ManifestItem> = images
            .iter()
            .map(|img| ManifestItem {
                config: format!("blobs/sha256/{}", crate::digest::encoded(&img.id())),
                repo_tags: (!img.tags.is_empty()).then(|| img.tags.iter().map(|t| familiar_tag(t)).collect()),
                layers: img.layers.iter().map(|l| format!("blobs/sha256/{}", crate::digest::encoded(&l.digest))).collect(),
                ..Default::default()
            })
            .collect();
        w.append(&file(MANIFEST_FILE, docker_manifest::encode(&items)))?;
    }
    w.append(&file(OCI_LAYOUT_FILE, OciLayout::to_bytes()))?;
    if format == SaveFormat::Docker {
        // Docker 25+ names each image's top layer by its diff_id (the blob it writes for it).
        let mut repos = Repositories::default();
        for img in images {
            let top = img.layers.last().map(|l| l.diff_id.as_str()).unwrap_or_default();
            for t in &img.tags {
                repos.add(t, top);
            }
        }
        if let Some(bytes) = repos.encode() {
            w.append(&file(REPOSITORIES_FILE, bytes))?;
        }
    }
    w.finish()
}

/// One layer of a Docker 20.10 (legacy) save: `<v1 id>/{VERSION,json,layer.tar}`.
#[derive(Debug, Clone)]
pub struct LegacyLayer {
    /// The v1 ID (64 hex, no `sha256:`).
    pub v1_id: String,
    /// The legacy image JSON (`<v1 id>/json`).
    pub json: Vec<u8>,
    /// The uncompressed layer tar.
    pub tar: Content,
}

/// One image of a Docker 20.10 (legacy) save.
#[derive(Debug, Clone)]
pub struct LegacyImage {
    /// The config bytes (their digest is the image ID).
    pub config: Arc<[u8]>,
    /// Familiar repo tags (`saved:1`, `127.0.0.1:5000/bb:1`).
    pub tags: Vec<String>,
    pub layers: Vec<LegacyLayer>,
    /// The image's Created, seconds since the epoch: the mtime of its members.
    pub created: i64,
    /// The parent image ID, when it is saved in the same archive.
    pub parent: Option<String>,
}

/// Writes `images` in the Docker 20.10 layout; returns the writer.
pub fn save_legacy<W: Write>(images: &[LegacyImage], out: W) -> Result<W> {
    let file = |path: String, content: Content, mtime: i64| TarEntry { path: path.into_bytes(), kind: TarKind::File(content), mode: 0o644, uid: 0, gid: 0, mtime };
    let bytes = |b: Vec<u8>| Content::Bytes(Arc::from(b));
    // Members by top-level name: dockerd tars its temp dir, walked in name order.
    let mut top: BTreeMap<String, Vec<TarEntry>> = BTreeMap::new();
    for img in images {
        let id = crate::digest::sha256_digest(&img.config);
        let name = format!("{}.json", crate::digest::encoded(&id));
        top.entry(name.clone()).or_insert_with(|| vec![file(name, Content::Bytes(img.config.clone()), img.created)]);
        for l in &img.layers {
            top.entry(format!("{}/", l.v1_id)).or_insert_with(|| {
                let t = img.created;
                vec![
                    TarEntry { path: l.v1_id.clone().into_bytes(), kind: TarKind::Dir, mode: 0o755, uid: 0, gid: 0, mtime: t },
                    file(format!("{}/VERSION", l.v1_id), bytes(b"1.0".to_vec()), t),
                    file(format!("{}/json", l.v1_id), bytes(l.json.clone()), t),
                    file(format!("{}/layer.tar", l.v1_id), l.tar.clone(), t),
                ]
            });
        }
    }
    let items: Vec<ManifestItem> = images
        .iter()
        .map(|img| ManifestItem {
            config: format!("{}.json", crate::digest::encoded(&crate::digest::sha256_digest(&img.config))),
            repo_tags: (!img.tags.is_empty()).then(|| img.tags.clone()),
            layers: img.layers.iter().map(|l| format!("{}/layer.tar", l.v1_id)).collect(),
            parent: img.parent.clone(),
            ..Default::default()
        })
        .collect();
    top.insert(MANIFEST_FILE.into(), vec![file(MANIFEST_FILE.into(), bytes(docker_manifest::encode(&items)), 0)]);
    let mut repos = Repositories::default();
    for img in images {
        let Some(last) = img.layers.last() else { continue };
        for t in &img.tags {
            repos.add(t, &last.v1_id);
        }
    }
    if let Some(b) = repos.encode() {
        top.insert(REPOSITORIES_FILE.into(), vec![file(REPOSITORIES_FILE.into(), bytes(b), 0)]);
    }
    let mut w = TarWriter::with_root_names(out);
    for entries in top.values() {
        for e in entries {
            w.append(e)?;
        }
    }
    w.finish()
}
