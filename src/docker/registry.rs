//! The registry a scenario pulls from: images put in by reference, each with the manifest,
//! config and blob digests the registry holds and the archive its content comes from.
//!
//! Truth: the oracle's README ("registry.txt", "SCRIPT format": `#% image`, `#% oci`) and
//! NOTES 1: `docker push` gzips every layer again, so the blob digests (and the manifest
//! digest) come from `registry.txt`; diff_ids, configs and layer contents from the archives.
//! `registry.txt` lines are TAB-separated:
//! `ref REF MANIFEST-DIGEST SIZE MEDIA-TYPE`, `config REF DIGEST SIZE MEDIA-TYPE`,
//! `layer REF I BLOB-DIGEST SIZE MEDIA-TYPE DIFF-ID`; `#` lines are comments.
//! The `{images}` TSV names where each REF's content is: `docker|oci REF ARCHIVE INDEX|REFNAME`.
//!
//! Rules: a reference matches by its full name (`docker.io/library/x:latest` = `x`), by tag or
//! by manifest digest. An image whose content is missing (no archive for it) fails the pull
//! with one sentence; nothing panics on a malformed line (it is one error naming the line).

use super::reference::Named;
use crate::image::{Archive, Selector};
use std::sync::Arc;

/// One layer as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryLayer {
    pub blob: String,
    pub size: u64,
    pub media_type: String,
    pub diff_id: String,
}

/// One image reference the registry serves.
#[derive(Clone)]
pub struct RegistryImage {
    pub reference: Named,
    pub manifest_digest: String,
    pub manifest_media_type: String,
    pub config_digest: String,
    pub layers: Vec<RegistryLayer>,
    /// The archive holding the image's config and layers, and which image of it.
    pub content: Content,
}

/// Where a registry image's content is: an archive and which image of it.
pub type Content = Option<(Arc<Archive>, Selector)>;

/// The registry: what `registry.txt` lists, with content from the archives.
#[derive(Clone, Default)]
pub struct Registry {
    pub images: Vec<RegistryImage>,
}

/// One line of the `{images}` TSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSource {
    pub oci: bool,
    pub reference: String,
    pub archive: String,
    pub selector: String,
}

/// Parses the `{images}` TSV.
pub fn parse_images(text: &str) -> Result<Vec<ImageSource>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 || !matches!(f[0], "docker" | "oci") {
            return Err(format!("images list, line {}: expected `docker|oci REF ARCHIVE INDEX|REFNAME`", n + 1));
        }
        out.push(ImageSource { oci: f[0] == "oci", reference: f[1].into(), archive: f[2].into(), selector: f[3].into() });
    }
    Ok(out)
}

impl ImageSource {
    /// Which image of the archive: a position for `docker`, a ref name for `oci`.
    pub fn selector(&self) -> Selector {
        if self.oci {
            Selector::Ref(self.selector.clone())
        } else {
            Selector::parse(&self.selector)
        }
    }
}

impl Registry {
    /// Builds the registry from `registry.txt`; `content(REF)` gives the archive of a REF.
    pub fn from_text(text: &str, content: &mut dyn FnMut(&str) -> Content) -> Result<Registry, String> {
        let mut reg = Registry::default();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let bad = || format!("registry.txt, line {}: not a ref, config or layer line", n + 1);
            let f: Vec<&str> = line.split('\t').collect();
            let r = f.get(1).ok_or_else(bad)?;
            let named = Named::parse(r).map_err(|e| format!("registry.txt, line {}: {e}", n + 1))?.with_default_tag();
            match (f[0], f.len()) {
                ("ref", 5) => reg.images.push(RegistryImage {
                    reference: named,
                    manifest_digest: f[2].into(),
                    manifest_media_type: f[4].into(),
                    config_digest: String::new(),
                    layers: Vec::new(),
                    content: content(r),
                }),
                ("config", 5) | ("layer", 7) => {
                    let img = reg.images.iter_mut().rev().find(|i| i.reference == named).ok_or_else(bad)?;
                    if f[0] == "config" {
                        img.config_digest = f[2].into();
                    } else {
                        img.layers.push(RegistryLayer {
                            blob: f[3].into(),
                            size: f[4].parse().map_err(|_| bad())?,
                            media_type: f[5].into(),
                            diff_id: f[6].into(),
                        });
                    }
                }
                _ => return Err(bad()),
            }
        }
        Ok(reg)
    }

    /// The image a reference names (with its default tag already applied).
    pub fn lookup(&self, r: &Named) -> Option<&RegistryImage> {
        self.images.iter().find(|i| {
            i.reference.name() == r.name()
                && match (&r.tag, &r.digest) {
                    (_, Some(d)) => *d == i.manifest_digest,
                    (Some(t), None) => i.reference.tag.as_deref() == Some(t.as_str()),
                    (None, None) => false,
                }
        })
    }
}
