//! Opening an archive: the one place the host turns a blob (a browser `File`, a file on
//! disk, bytes in memory) into layers.
//!
//! Rules: the image module ([`crate::image::Archive`]) decides the format and reads every image
//! (docker save, Docker 25+ save, OCI layout / oci-archive, bare layer tarball); this file only
//! turns what it returns into what the host keeps and the page shows ([`ArchiveInfo`], [`LayerInfo`]). A layer
//! shared by several images of one archive (same member) gets one [`LayerId`]. Progress is
//! reported per layer; the callback returning `false` cancels. The loaded [`Image`]s are kept
//! for commit and save.

use crate::error::{Error, Result};
use crate::image::{Archive, Format, Image, LoadOptions, LoadProgress, Selector};
use crate::layer::{Compression, EntryKind};
use crate::source::{read_range, Source};
use crate::tree::Tree;
use super::LayerId;
use crate::digest::short_id;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ProgressInfo {
    pub job: u32,
    /// Which layer of the archive (0-based) and how many there are (0 while unknown).
    pub layer: u32,
    pub layers: u32,
    /// Bytes of the archive read so far, and its size.
    pub bytes: u64,
    pub total: u64,
    /// Entries indexed so far in the current layer.
    pub entries: u64,
}

/// An opened archive (one `File` or sample).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArchiveInfo {
    pub name: String,
    /// `bare layer`, `docker save`, ...
    pub format: String,
    pub size: u64,
    pub images: Vec<ImageInfo>,
    pub warnings: Vec<String>,
}

/// What `docker image inspect` and `docker history` would say about one image of an archive.
/// Filled by the archive opener; empty for a bare layer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ImageInfo {
    pub tags: Vec<String>,
    /// `sha256:` of the config blob.
    pub id: String,
    pub manifest_digest: Option<String>,
    pub os: String,
    pub architecture: String,
    pub created: String,
    pub layers: Vec<LayerId>,
    pub history: Vec<HistoryRow>,
    /// The config, pretty-printed JSON.
    pub config_json: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct HistoryRow {
    pub created: String,
    pub created_by: String,
    pub empty_layer: bool,
    pub comment: String,
    /// The layer this step made (none for an empty layer).
    pub layer: Option<LayerId>,
}

/// A layer's [`LayerInfo::short_id`] when it has no digest (opened without verification): the
/// page shows it in its own words (`layer.unverified`), wherever it appears.
pub const UNVERIFIED: &str = "(unverified)";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LayerInfo {
    pub id: LayerId,
    /// Where it came from, e.g. `layered.docker.tar`, layer 3.
    pub archive: String,
    pub position: u32,
    /// `sha256:...` of the uncompressed stream (when verified).
    pub diff_id: Option<String>,
    /// The 12 hex digits users see (`docker history` style), or [`UNVERIFIED`] for a layer
    /// opened without its digests.
    pub short_id: String,
    pub compression: Compression,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub entries: u64,
    /// Sum of regular file sizes in the layer.
    pub content_bytes: u64,
    pub created_by: String,
    pub warnings: Vec<String>,
}

/// A layer ready to stack.
pub struct OpenedLayer {
    pub info: LayerInfo,
    pub tree: Arc<Tree>,
}

pub struct Opened {
    pub archive: ArchiveInfo,
    pub layers: Vec<OpenedLayer>,
    /// Every image loaded (with its layers' tar entries, for the Inspect panel's index), with
    /// the ids of its layers, for commit and save. A bare layer is one image without config.
    pub images: Vec<(Image, Vec<LayerId>)>,
}

/// The page's name for an archive format.
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::DockerSave => "docker save",
        Format::DockerOci => "docker save (OCI layout)",
        Format::OciLayout => "OCI layout",
        Format::Layers => "bare layer",
    }
}

/// Opens `src` (named `name` for messages). Layers get ids from `first_id` on. `progress`
/// returning `false` cancels.
pub fn open_archive(
    src: Source,
    name: &str,
    verify: bool,
    job: u32,
    first_id: LayerId,
    progress: &mut dyn FnMut(ProgressInfo) -> bool,
) -> Result<Opened> {
    let size = src.len();
    let archive = prepare(src, name, verify)?;
    load_archive(&archive, size, verify, job, first_id, progress, Vec::new())
}

/// What [`open_archive`] does before it reads a layer: the blob must be a tar, gzip or zstd
/// stream; its format and images decided ([`Archive::open`]).
pub fn prepare(src: Source, name: &str, verify: bool) -> Result<Archive> {
    if src.is_empty() {
        return Err(Error::corrupt("the file is empty").in_file(name.to_string()));
    }
    if crate::layer::compression::detect_source(&*src).map_err(|e| e.in_file(name.to_string()))? == Compression::None {
        let head = read_range(&*src, 0, src.len().min(512)).map_err(|e| Error::io(&e).in_file(name.to_string()))?;
        if !looks_like_tar(&head) {
            return Err(Error::corrupt(
                "this is not a tar archive, nor a gzip or zstd stream: open a docker save or OCI archive, or a layer tarball",
            )
            .in_file(name.to_string()));
        }
    }
    Archive::open(src, name, verify, None)
}

/// The load options of [`open_archive`]: what a split open's layer workers index with
/// ([`crate::image::index_options`]). Files are not hashed in the opening pass, verified or
/// not: verification is of blobs and diff_ids, and the tree is browsable without file digests.
/// A compressed layer's file digests are computed when first asked (a listing, a comparison),
/// one pass per layer blob, and remembered ([`crate::layer::LayerBlob::memo`]); on the big
/// image of issue 14 hashing them in the pass cost the open 0.6-0.8 s of 2.2-3.0.
pub fn load_options(verify: bool) -> LoadOptions {
    LoadOptions { verify, changes: false, hash_compressed: false, ..Default::default() }
}

/// Loads every image of an opened archive ([`open_archive`] after its checks), taking the
/// index of a layer blob from `indexes` where other workers made one (by the blob's path,
/// [`Archive::layer_blobs`]): how the page opens an archive on several cores.
pub fn load_archive(
    archive: &Archive,
    size: u64,
    verify: bool,
    job: u32,
    first_id: LayerId,
    progress: &mut dyn FnMut(ProgressInfo) -> bool,
    mut indexes: Vec<(String, crate::layer::tarindex::LayerIndex)>,
) -> Result<Opened> {
    let name = archive.name.as_str();
    let bare = archive.format == Format::Layers;
    let opts = load_options(verify);
    let default = archive.select(&Selector::Default).map(|r| r.index).unwrap_or(0);
    let mut layers: Vec<OpenedLayer> = Vec::new();
    // Member path of each opened layer (parallel to `layers`), to share layers between images.
    let mut members: Vec<String> = Vec::new();
    let mut images = Vec::new();
    let mut infos = Vec::new();
    let mut warnings = Vec::new();
    for r in &archive.images {
        let mut report = |p: LoadProgress| {
            progress(ProgressInfo {
                job,
                layer: p.layer as u32,
                layers: p.layers as u32,
                bytes: p.bytes,
                total: p.total,
                entries: p.entries,
            })
        };
        let mut img = match archive.load_with(&Selector::Index(r.index), &opts, &mut report, &mut indexes) {
            Ok(img) => img,
            // The image a user would get must load; others of a multi-image archive may be
            // absent (an index listing platforms whose blobs were not saved).
            Err(e) if r.index != default => {
                warnings.push(format!("{}: skipped: {e}", r.label()));
                continue;
            }
            Err(e) => return Err(e),
        };
        warnings.extend(img.warnings.iter().cloned());
        let mut ids = Vec::new();
        for (k, l) in img.layers.iter_mut().enumerate() {
            if let Some(i) = members.iter().position(|m| *m == l.member) {
                ids.push(layers[i].info.id);
                continue;
            }
            let id = first_id + layers.len() as LayerId;
            let created_by = img
                .history
                .iter()
                .find(|h| h.layer == Some(k))
                .and_then(|h| h.entry.created_by.clone())
                .unwrap_or_default();
            let info = layer_info(l, id, name, created_by);
            // The entry list stays: the analysis counts tar entries as dive does (issue 13).
            layers.push(OpenedLayer { info, tree: l.tree.clone() });
            members.push(l.member.clone());
            ids.push(id);
        }
        if !bare {
            infos.push(image_info(&img, &ids));
        }
        images.push((img, ids));
    }
    Ok(Opened {
        archive: ArchiveInfo { name: name.to_string(), format: format_name(archive.format).into(), size, images: infos, warnings },
        layers,
        images,
    })
}

/// What the page shows of a loaded layer (read before its entry list is dropped).
pub fn layer_info(l: &crate::image::Layer, id: LayerId, archive: &str, created_by: String) -> LayerInfo {
    LayerInfo {
        id,
        archive: archive.to_string(),
        position: l.index as u32,
        diff_id: l.diff_id.clone(),
        short_id: l.diff_id.as_deref().or(l.blob_digest.as_deref()).map(short_id).unwrap_or_else(|| UNVERIFIED.into()),
        compression: l.compression,
        compressed_size: l.compressed_size,
        uncompressed_size: l.uncompressed_size,
        entries: l.entries.len() as u64,
        content_bytes: l.entries.iter().filter(|e| e.kind == EntryKind::File).map(|e| e.size).sum(),
        created_by,
        warnings: Vec::new(),
    }
}

/// What `docker image inspect` and `docker history` say about an image whose layers got `ids`.
pub fn image_info(img: &Image, ids: &[LayerId]) -> ImageInfo {
    let cfg = img.config.as_ref();
    let f = cfg.map(|c| c.file.clone()).unwrap_or_default();
    let mut tags = img.reference.repo_tags.clone();
    if tags.is_empty() {
        tags.extend(img.reference.ref_name.clone());
    }
    ImageInfo {
        tags,
        id: img.id().unwrap_or_default().to_string(),
        manifest_digest: img.reference.manifest_digest.clone(),
        os: f.os.unwrap_or_default(),
        architecture: f.architecture.unwrap_or_default(),
        created: f.created.unwrap_or_default(),
        layers: ids.to_vec(),
        history: img
            .history
            .iter()
            .map(|h| HistoryRow {
                created: h.entry.created.clone().unwrap_or_default(),
                created_by: h.entry.created_by.clone().unwrap_or_default(),
                empty_layer: h.entry.empty_layer,
                comment: h.entry.comment.clone().unwrap_or_default(),
                layer: h.layer.and_then(|i| ids.get(i).copied()),
            })
            .collect(),
        config_json: cfg.map(|c| serde_json::to_string_pretty(&c.raw).unwrap_or_default()).unwrap_or_default(),
    }
}

/// True if `head` (the first 512 bytes) is a tar header with a valid checksum, or the
/// all-zero end-of-archive block of an empty tar.
fn looks_like_tar(head: &[u8]) -> bool {
    if head.len() < 512 {
        return false;
    }
    if head.iter().all(|&b| b == 0) {
        return true;
    }
    let field = &head[148..156];
    let text: String = field.iter().map(|&b| b as char).collect();
    let Ok(want) = u32::from_str_radix(text.trim_matches(|c| c == ' ' || c == '\0'), 8) else { return false };
    let sum: u32 = head.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { b as u32 }).sum();
    sum == want
}

impl ImageInfo {
    /// The short ID: the first 12 hex digits of the image ID.
    pub fn short_id(&self) -> String {
        short_id(&self.id)
    }

    /// How the page names the image: its first tag, else `<none>` and its short ID.
    pub fn title(&self) -> String {
        self.tags.first().cloned().unwrap_or_else(|| format!("<none> {}", self.short_id()))
    }

    /// The file name Save suggests: the last part of the first tag with `:` as `_` (else
    /// `image-` and the short ID), only `[A-Za-z0-9._-]`, then `.tar` or `.oci.tar`.
    pub fn save_name(&self, format: crate::commit::save::SaveFormat) -> String {
        let base = match self.tags.first() {
            Some(t) => t.rsplit('/').next().unwrap_or(t).replace(':', "_"),
            None => format!("image-{}", self.short_id()),
        };
        let base: String = base.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
        format!("{base}{}", save_suffix(format))
    }

    /// Bytes of its layers, uncompressed (their tar streams).
    pub fn size(&self, layers: &[LayerInfo]) -> u64 {
        self.layers.iter().filter_map(|&id| layers.get(id as usize)).map(|l| l.uncompressed_size).sum()
    }

    /// For each of its layers that other images of `images` have too, those images' titles
    /// (like `docker pull`'s "Already exists": one layer, stored once).
    pub fn shared_layers(&self, images: &[&ImageInfo]) -> Vec<(LayerId, Vec<String>)> {
        self.layers
            .iter()
            .map(|&id| {
                let mut v: Vec<String> = images.iter().filter(|i| i.id != self.id && i.layers.contains(&id)).map(|i| i.title()).collect();
                v.dedup();
                (id, v)
            })
            .filter(|(_, o)| !o.is_empty())
            .collect()
    }
}

/// `.tar` for `docker save`, `.oci.tar` for an OCI layout.
fn save_suffix(format: crate::commit::save::SaveFormat) -> &'static str {
    match format {
        crate::commit::save::SaveFormat::Oci => ".oci.tar",
        _ => ".tar",
    }
}

/// The file name "Save all" suggests.
pub fn save_all_name(format: crate::commit::save::SaveFormat) -> String {
    format!("images{}", save_suffix(format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::save::SaveFormat;

    fn image(id: &str, tags: &[&str], layers: &[LayerId]) -> ImageInfo {
        ImageInfo { id: id.into(), tags: tags.iter().map(|t| t.to_string()).collect(), layers: layers.to_vec(), ..Default::default() }
    }

    #[test]
    fn save_names_and_titles() {
        let tagged = image("sha256:0123456789abcdef", &["docker.io/library/webapp:2.0"], &[]);
        assert_eq!(tagged.save_name(SaveFormat::Docker), "webapp_2.0.tar");
        assert_eq!(tagged.save_name(SaveFormat::Oci), "webapp_2.0.oci.tar");
        let bare = image("sha256:0123456789abcdef", &[], &[]);
        assert_eq!(bare.title(), "<none> 0123456789ab");
        assert_eq!(bare.save_name(SaveFormat::Docker), "image-0123456789ab.tar");
        assert_eq!(save_all_name(SaveFormat::Oci), "images.oci.tar");
    }

    #[test]
    fn shared_layers_name_the_other_images() {
        let a = image("sha256:a", &["webapp:1.0"], &[0, 1]);
        let b = image("sha256:b", &["webapp:2.0"], &[0, 1, 2]);
        let all = [&a, &b];
        assert_eq!(b.shared_layers(&all), vec![(0, vec!["webapp:1.0".to_string()]), (1, vec!["webapp:1.0".to_string()])]);
        assert_eq!(a.shared_layers(&all).len(), 2);
    }
}
