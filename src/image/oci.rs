//! OCI image layouts (image-spec `image-layout.md`, `image-index.md`, `manifest.md`,
//! `descriptor.md`), tarred (`oci-layout` + `index.json` + `blobs/`), which is also what an
//! `oci-archive` is.
//!
//! Rules:
//! - Every top-level descriptor of `index.json` is one image; `"manifests": null` (gcr's
//!   hello-world-v25) means none. Its tag is the `org.opencontainers.image.ref.name`
//!   annotation; `io.containerd.image.name` (Docker 25+) gives a repo tag.
//! - A descriptor that is itself an index (multi-arch, or nested indexes) is resolved to one
//!   manifest by platform: the one asked for, else the first `linux/amd64`, else the first.
//!   Nesting deeper than [`MAX_DEPTH`] is an error.
//! - The documents are the serde types of [`super::descriptor`], [`super::index`] and
//!   [`super::manifest`]; this module only walks them.
//! - Manifests and indexes are checked against their descriptor's digest and size when
//!   verifying; blob paths come from validated digests only.

use super::annotations::{CONTAINERD_IMAGE_NAME, REF_NAME};
use super::descriptor::Descriptor;
use super::digest;
use super::index::ImageIndex;
use super::manifest::ImageManifest;
use super::media_type;
use super::members::Members;
use super::{BlobRef, ImageRef};
use crate::error::{Error, Result};
use crate::source::Source;

pub const MAX_DEPTH: usize = 8;

/// Reads a blob named by a descriptor (small JSON), checking digest and size when verifying.
fn read_blob(m: &Members, src: &Source, d: &Descriptor, verify: bool) -> Result<(String, Vec<u8>)> {
    let path = digest::blob_path(&d.digest)?;
    let bytes = m.read_small(src, &path, super::config::MAX_JSON)?;
    if verify {
        let got = crate::digest::sha256_digest(&bytes);
        if got != d.digest {
            return Err(Error::new(
                crate::ErrorKind::DigestMismatch,
                format!("the blob hashes to {got}, not {} as its descriptor says", d.digest),
            )
            .at_entry(path));
        }
        if let Some(sz) = d.size {
            if sz != bytes.len() as u64 {
                return Err(Error::new(
                    crate::ErrorKind::DigestMismatch,
                    format!("the blob has {} bytes, not {sz} as its descriptor says", bytes.len()),
                )
                .at_entry(path));
            }
        }
    }
    Ok((path, bytes))
}

fn is_index(d: &Descriptor, bytes: &[u8]) -> bool {
    match d.media_type.as_deref() {
        Some(t) => media_type::is_index(t),
        // No media type: sniff for a `manifests` member.
        None => serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| v.get("manifests").is_some()),
    }
}

/// Picks a descriptor by platform: `want` (`os/arch[/variant]`), else the first linux/amd64,
/// else the first.
pub fn pick_platform(descs: &[Descriptor], want: Option<&str>) -> Option<usize> {
    if descs.is_empty() {
        return None;
    }
    let plat = |d: &Descriptor| d.platform.as_ref().map(|p| p.render());
    if let Some(w) = want {
        return descs.iter().position(|d| {
            plat(d).is_some_and(|p| p == w || p.starts_with(&format!("{w}/")))
        });
    }
    Some(descs.iter().position(|d| plat(d).is_some_and(|p| p == "linux/amd64")).unwrap_or(0))
}

/// Parses `index.json` of a layout.
pub fn read_index(m: &Members, src: &Source) -> Result<ImageIndex> {
    let bytes = m.read_small(src, "index.json", super::config::MAX_JSON)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::corrupt(format!("index.json is not a valid image index ({e})")).at_entry("index.json"))
}

/// The images of an OCI layout: one per top-level descriptor of `index.json`.
pub fn list(m: &Members, src: &Source, verify: bool, platform: Option<&str>) -> Result<Vec<ImageRef>> {
    let index = read_index(m, src)?;
    let mut out = Vec::new();
    for (i, d) in index.manifests.iter().enumerate() {
        let mut img = resolve(m, src, d, verify, platform, 0)?;
        img.index = i;
        img.ref_name = d.annotation(REF_NAME).map(str::to_string);
        if let Some(n) = d.annotation(CONTAINERD_IMAGE_NAME) {
            img.repo_tags.push(n.to_string());
        }
        if img.platform.is_none() {
            img.platform = d.platform.as_ref().map(|p| p.render());
        }
        out.push(img);
    }
    Ok(out)
}

/// Resolves a descriptor to one image manifest (through nested indexes).
fn resolve(m: &Members, src: &Source, d: &Descriptor, verify: bool, platform: Option<&str>, depth: usize) -> Result<ImageRef> {
    if depth > MAX_DEPTH {
        return Err(Error::corrupt(format!("image indexes nested more than {MAX_DEPTH} deep")));
    }
    let (path, bytes) = read_blob(m, src, d, verify)?;
    if is_index(d, &bytes) {
        let idx: ImageIndex = serde_json::from_slice(&bytes)
            .map_err(|e| Error::corrupt(format!("not a valid image index ({e})")).at_entry(path.clone()))?;
        let list = idx.manifests;
        let Some(k) = pick_platform(&list, platform) else {
            let what = platform.map_or(String::from("any manifest"), |p| format!("a manifest for {p}"));
            return Err(Error::not_found(format!("the image index has no {what}")).at_entry(path));
        };
        let mut img = resolve(m, src, &list[k], verify, platform, depth + 1)?;
        if img.platform.is_none() {
            img.platform = list[k].platform.as_ref().map(|p| p.render());
        }
        return Ok(img);
    }
    let man: ImageManifest = serde_json::from_slice(&bytes)
        .map_err(|e| Error::corrupt(format!("not a valid image manifest ({e})")).at_entry(path.clone()))?;
    let layers = man
        .layers
        .into_iter()
        .map(|l| {
            Ok(BlobRef {
                path: digest::blob_path(&l.digest).map_err(|e| e.at_entry(path.clone()))?,
                media_type: l.media_type,
                digest: Some(l.digest),
                size: l.size,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ImageRef {
        index: 0,
        parent: None,
        repo_tags: Vec::new(),
        ref_name: None,
        platform: None,
        manifest_digest: Some(d.digest.clone()),
        config: Some(BlobRef {
            path: digest::blob_path(&man.config.digest).map_err(|e| e.at_entry(path))?,
            media_type: man.config.media_type,
            digest: Some(man.config.digest),
            size: man.config.size,
        }),
        layers,
    })
}
