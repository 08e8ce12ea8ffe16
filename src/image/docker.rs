//! `docker save` archives (moby `image/tarexport`): `manifest.json` lists the images, each with
//! `Config`, `RepoTags` and `Layers` (member paths).
//!
//! Rules:
//! - Legacy layout (Docker < 25): layers are `<v1id>/layer.tar`, often a symlink to
//!   `../<diff_id>.tar` (skopeo) or to another image's layer (gcr's test_link); kaniko writes
//!   `<hex>.tar.gz` and a config named `sha256:<hex>`. Links are followed by
//!   [`Members::resolve`].
//! - Docker 25+ layout: the same `manifest.json`, with paths into an OCI layout
//!   (`blobs/sha256/<hex>`) and `LayerSources` descriptors; the manifest digest is found in
//!   `index.json` when it lists the manifest whose config this image uses.
//! - `manifest.json` is read as [`ManifestItem`]s ([`super::docker_manifest`]).
//! - `manifest.json` wins over `index.json` when both exist: it carries the repo tags, and
//!   `index.json` may be `"manifests": null`.

use super::digest;
use super::docker_manifest::{ManifestItem, MANIFEST_FILE};
use super::members::Members;
use super::oci;
use super::{BlobRef, ImageRef};
use crate::error::{Error, Result};
use crate::source::Source;

/// The images of a docker-save archive.
pub fn list(m: &Members, src: &Source, verify: bool, platform: Option<&str>) -> Result<Vec<ImageRef>> {
    let bytes = m.read_small(src, MANIFEST_FILE, super::config::MAX_JSON)?;
    let entries: Vec<ManifestItem> = serde_json::from_slice(&bytes)
        .map_err(|e| Error::corrupt(format!("manifest.json is not a docker-save manifest ({e})")).at_entry(MANIFEST_FILE))?;
    // Docker 25+: manifests in index.json, matched by config digest.
    let oci_images = if m.contains("index.json") {
        oci::list(m, src, verify, platform).unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let sources = e.layer_sources.unwrap_or_default();
        let layers = e
            .layers
            .into_iter()
            .map(|path| {
                let claimed = if path.starts_with("blobs/") { digest::digest_in_name(&path) } else { None };
                let desc = claimed.as_ref().and_then(|d| sources.get(d));
                BlobRef {
                    media_type: desc.and_then(|d| d.media_type.clone()),
                    size: desc.and_then(|d| d.size),
                    digest: claimed,
                    path,
                }
            })
            .collect();
        let config_digest = digest::digest_in_name(&e.config);
        let parent = e.parent.clone().filter(|p| !p.is_empty());
        let twin = oci_images.iter().find(|o| {
            o.config.as_ref().and_then(|c| c.digest.as_ref()).is_some_and(|d| Some(d) == config_digest.as_ref())
        });
        out.push(ImageRef {
            index: i,
            repo_tags: e.repo_tags.unwrap_or_default(),
            ref_name: twin.and_then(|t| t.ref_name.clone()),
            platform: twin.and_then(|t| t.platform.clone()),
            manifest_digest: twin.and_then(|t| t.manifest_digest.clone()),
            config: Some(BlobRef { path: e.config, media_type: None, digest: config_digest, size: None }),
            layers,
            parent,
        });
    }
    Ok(out)
}
