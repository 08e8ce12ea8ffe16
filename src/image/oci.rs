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
//! - Manifests and indexes are checked against their descriptor's digest and size when
//!   verifying; blob paths come from validated digests only.

use super::digest;
use super::members::Members;
use super::{BlobRef, ImageRef};
use crate::error::{Error, Result};
use crate::source::Source;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const MAX_DEPTH: usize = 8;

pub const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const CONTAINERD_NAME: &str = "io.containerd.image.name";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Platform {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    pub fn render(&self) -> String {
        match &self.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{}", self.os, self.architecture, v),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: Option<String>,
    pub digest: String,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub platform: Option<Platform>,
}

impl Descriptor {
    fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(|s| s.as_str())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    #[serde(default)]
    pub media_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
}

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
        Some(MT_OCI_INDEX) | Some(MT_DOCKER_LIST) => true,
        Some(_) => false,
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
pub fn read_index(m: &Members, src: &Source) -> Result<Index> {
    let bytes = m.read_small(src, "index.json", super::config::MAX_JSON)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::corrupt(format!("index.json is not a valid image index ({e})")).at_entry("index.json"))
}

/// The images of an OCI layout: one per top-level descriptor of `index.json`.
pub fn list(m: &Members, src: &Source, verify: bool, platform: Option<&str>) -> Result<Vec<ImageRef>> {
    let index = read_index(m, src)?;
    let mut out = Vec::new();
    for (i, d) in index.manifests.unwrap_or_default().iter().enumerate() {
        let mut img = resolve(m, src, d, verify, platform, 0)?;
        img.index = i;
        img.ref_name = d.annotation(REF_NAME).map(str::to_string);
        if let Some(n) = d.annotation(CONTAINERD_NAME) {
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
        let idx: Index = serde_json::from_slice(&bytes)
            .map_err(|e| Error::corrupt(format!("not a valid image index ({e})")).at_entry(path.clone()))?;
        let list = idx.manifests.unwrap_or_default();
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
    let man: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| Error::corrupt(format!("not a valid image manifest ({e})")).at_entry(path.clone()))?;
    let layers = man
        .layers
        .unwrap_or_default()
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
