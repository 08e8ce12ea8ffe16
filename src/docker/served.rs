//! The registry of the page: it serves the archives the user opened and the bundled samples,
//! each image by its own references (`RepoTags` of a `docker save` archive, the OCI
//! `org.opencontainers.image.ref.name` of a layout), with the archive's own blobs.
//!
//! Truth: issue 10 part 3 ("in the page, where nothing is pushed, the registry serves the
//! archives' own blobs"); moby `distribution/pull_v2.go` decides `Already exists` from the
//! blob digest and the ChainID, so two archives holding the same layer blob (the samples
//! `webapp:1.0` and `worker:1.0` share their base) pull it once.
//!
//! Rules:
//! - Blob digests and sizes are the archive's (its manifest's, or the member's name); the
//!   registry lists no layers of its own, so [`super::commands::Docker::pull`] takes them from
//!   the archive's layers.
//! - The manifest digest is the archive's when it has one (OCI); a `docker save` archive has no
//!   manifest, so the registry makes the schema-2 manifest Docker would push for the image
//!   (config and layer descriptors as the archive has them) and prints its sha256.
//! - A reference served again (a later archive with the same tag) replaces the older one.
//! - An image with no reference, or a reference that does not parse, is not served.

use super::reference::Named;
use super::registry::{Registry, RegistryImage};
use crate::image::{Archive, ImageRef, Selector};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Media type of a Docker schema-2 manifest.
pub const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The manifest digest of an image of an archive: the archive's, else the sha256 of the
/// schema-2 manifest made of its descriptors.
pub fn manifest_digest(r: &ImageRef) -> String {
    if let Some(d) = &r.manifest_digest {
        return d.clone();
    }
    let desc = |b: &crate::image::BlobRef, mt: &str| {
        serde_json::json!({
            "mediaType": b.media_type.clone().unwrap_or_else(|| mt.to_string()),
            "size": b.size.unwrap_or(0),
            "digest": b.digest.clone().unwrap_or_default(),
        })
    };
    let config = r.config.as_ref().map(|c| desc(c, "application/vnd.docker.container.image.v1+json"));
    let layers: Vec<_> = r.layers.iter().map(|l| desc(l, "application/vnd.docker.image.rootfs.diff.tar")).collect();
    let m = serde_json::json!({"schemaVersion": 2, "mediaType": MANIFEST_V2, "config": config, "layers": layers});
    format!("sha256:{:x}", Sha256::digest(m.to_string().as_bytes()))
}

/// The references an image of an archive is served by (default tag applied).
pub fn references(r: &ImageRef) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    for t in r.repo_tags.iter().chain(r.ref_name.iter()) {
        if let Ok(n) = Named::parse(t) {
            let n = n.with_default_tag();
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Serves every image of `archive` by its references; returns them (familiar), in order.
pub fn serve(registry: &mut Registry, archive: Arc<Archive>) -> Vec<String> {
    let mut added = Vec::new();
    for (i, r) in archive.images.iter().enumerate() {
        let Some(config) = r.config.as_ref().and_then(|c| c.digest.clone()) else { continue };
        let manifest = manifest_digest(r);
        for named in references(r) {
            registry.images.retain(|x| x.reference != named);
            added.push(named.familiar());
            registry.images.push(RegistryImage {
                reference: named,
                manifest_digest: manifest.clone(),
                manifest_media_type: MANIFEST_V2.into(),
                config_digest: config.clone(),
                layers: Vec::new(),
                content: Some((archive.clone(), Selector::Index(i))),
            });
        }
    }
    added
}

/// Every reference the registry serves, familiar, sorted (for completion).
pub fn served(registry: &Registry) -> Vec<String> {
    let mut v: Vec<String> = registry.images.iter().map(|i| i.reference.familiar()).collect();
    v.sort();
    v.dedup();
    v
}
