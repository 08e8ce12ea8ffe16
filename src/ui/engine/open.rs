//! Opening an archive: the one place the page turns a `File` into layers.
//!
//! Rules: a compressed blob, or a tar that is neither a `docker save` archive nor an OCI layout,
//! is a bare layer tarball. A `docker save` archive is read through its `manifest.json`.
//!
//! STOPGAP (until `crate::image` lands, issue 2): the `docker save` reading here is the minimum
//! the page needs (manifest `Layers` and `Config`, symlinked `layer.tar`s, history and config for
//! the image panel). When the image module merges, [`open_archive`] calls it instead and this
//! file keeps only the bare-layer path. Nothing else in the UI knows about archive formats.

use crate::error::{Error, ErrorKind, Result};
use crate::layer::{clean_name, index_layer, Compression, Entry, EntryKind, IndexOptions, LayerBlob};
use crate::listing::{esc, hex, sha256};
use crate::source::{read_range, Slice, Source};
use crate::tree::Tree;
use crate::ui::protocol::{short_digest, ArchiveInfo, HistoryRow, ImageInfo, LayerId, LayerInfo, ProgressInfo};
use serde_json::Value;
use std::sync::Arc;

/// A layer ready to stack.
pub struct OpenedLayer {
    pub info: LayerInfo,
    pub tree: Arc<Tree>,
}

pub struct Opened {
    pub archive: ArchiveInfo,
    pub layers: Vec<OpenedLayer>,
}

/// Largest JSON document (manifest, config) read from an archive.
const MAX_JSON: u64 = 16 << 20;

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
    let mut run = || -> Result<Opened> {
        if src.is_empty() {
            return Err(Error::corrupt("the file is empty"));
        }
        let compression = crate::layer::compression::detect_source(&*src)?;
        if compression == Compression::None {
            let head = read_range(&*src, 0, src.len().min(512))?;
            if !looks_like_tar(&head) {
                return Err(Error::corrupt(
                    "this is not a tar archive, nor a gzip or zstd stream: open a docker save or OCI archive, or a layer tarball",
                ));
            }
            // Headers only: cheap even for a big archive.
            let opts = IndexOptions { verify: false, hash_files: false, ..Default::default() };
            let outer = index_layer(src.clone(), &opts, &mut |_| true)?;
            let top = |n: &[u8]| outer.entries.iter().any(|e| &*e.path == n);
            if top(b"manifest.json") {
                return open_docker_save(src.clone(), name, &outer.entries, verify, job, first_id, progress);
            }
            if top(b"oci-layout") {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "OCI layouts open once the image module is merged (issue 2); open a docker save archive or bare layers for now",
                ));
            }
        }
        let layer = open_layer(src.clone(), name.to_string(), 0, 1, verify, job, first_id, progress)?;
        Ok(Opened {
            archive: ArchiveInfo {
                name: name.to_string(),
                format: "bare layer".into(),
                size: src.len(),
                images: Vec::new(),
                warnings: layer.info.warnings.clone(),
            },
            layers: vec![layer],
        })
    };
    run().map_err(|e| e.in_file(name.to_string()))
}

#[allow(clippy::too_many_arguments)]
fn open_layer(
    src: Source,
    archive: String,
    position: u32,
    count: u32,
    verify: bool,
    job: u32,
    id: LayerId,
    progress: &mut dyn FnMut(ProgressInfo) -> bool,
) -> Result<OpenedLayer> {
    let label = format!("layer {position}");
    let opts = IndexOptions { verify, hash_files: false, ..Default::default() };
    let idx = index_layer(src.clone(), &opts, &mut |p| {
        progress(ProgressInfo { job, layer: position, layers: count, bytes: p.bytes, total: p.total, entries: p.entries })
    })
    .map_err(|e| e.in_layer(label.clone()))?;
    let blob = Arc::new(LayerBlob::new(src, label.clone())?);
    let mut warnings = Vec::new();
    let tree = Tree::from_entries(&idx.entries, Some(&blob), &mut warnings).map_err(|e| e.in_layer(label.clone()))?;
    let content_bytes = idx.entries.iter().filter(|e| e.kind == EntryKind::File).map(|e| e.size).sum();
    let info = LayerInfo {
        id,
        archive,
        position,
        short_id: idx.diff_id.as_deref().map(short_digest).unwrap_or_else(|| "(unverified)".into()),
        diff_id: idx.diff_id.clone(),
        compression: format!("{:?}", idx.compression).to_lowercase(),
        compressed_size: idx.compressed_size,
        uncompressed_size: idx.uncompressed_size,
        entries: idx.entries.len() as u64,
        content_bytes,
        created_by: String::new(),
        warnings,
    };
    Ok(OpenedLayer { info, tree: Arc::new(tree) })
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

/// Follows a member that is a symlink or hardlink (docker save links shared `layer.tar`s).
fn member<'a>(entries: &'a [Entry], path: &[u8], depth: u32) -> Result<&'a Entry> {
    let shown = esc(path);
    let e = entries
        .iter()
        .rev()
        .find(|e| &*e.path == path)
        .ok_or_else(|| Error::missing(format!("'{shown}' is named in manifest.json but is not in the archive")))?;
    if depth > 8 {
        return Err(Error::new(ErrorKind::Escape, format!("'{shown}': too many levels of links")));
    }
    match &e.kind {
        EntryKind::File => Ok(e),
        EntryKind::Hardlink(t) => member(entries, t, depth + 1),
        EntryKind::Symlink(t) => {
            let joined = if t.starts_with(b"/") { t.to_vec() } else { crate::layer::join_rel(e.parent(), t) };
            match clean_name(&joined) {
                Ok(Some(p)) => member(entries, &p, depth + 1),
                _ => Err(Error::new(ErrorKind::Escape, format!("'{shown}' links outside the archive"))),
            }
        }
        _ => Err(Error::corrupt(format!("'{shown}' is not a regular file"))),
    }
}

fn json_member(src: &Source, entries: &[Entry], path: &str) -> Result<(Value, Vec<u8>)> {
    let e = member(entries, path.as_bytes(), 0)?;
    if e.size > MAX_JSON {
        return Err(Error::new(ErrorKind::TooLarge, format!("'{path}' is {} bytes, more than a JSON document should be", e.size)));
    }
    let bytes = read_range(&**src, e.offset, e.size)?;
    let v = serde_json::from_slice(&bytes).map_err(|err| Error::corrupt(format!("'{path}' is not valid JSON: {err}")))?;
    Ok((v, bytes))
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn open_docker_save(
    src: Source,
    name: &str,
    entries: &[Entry],
    verify: bool,
    job: u32,
    first_id: LayerId,
    progress: &mut dyn FnMut(ProgressInfo) -> bool,
) -> Result<Opened> {
    let (manifest, _) = json_member(&src, entries, "manifest.json")?;
    let images_json = manifest.as_array().ok_or_else(|| Error::corrupt("manifest.json is not a list of images"))?;
    // Every distinct layer path, in first-use order, opened once.
    let mut paths: Vec<String> = Vec::new();
    for img in images_json {
        for l in img.get("Layers").and_then(Value::as_array).into_iter().flatten() {
            let p = l.as_str().ok_or_else(|| Error::corrupt("manifest.json: a layer path is not a string"))?;
            if !paths.iter().any(|x| x == p) {
                paths.push(p.to_string());
            }
        }
    }
    let mut layers: Vec<OpenedLayer> = Vec::new();
    let count = paths.len() as u32;
    for (i, p) in paths.iter().enumerate() {
        let cleaned = clean_name(p.as_bytes()).ok().flatten().unwrap_or_default();
        let e = member(entries, &cleaned, 0).map_err(|err| err.in_layer(format!("layer {i}")))?;
        let slice = Slice::shared(src.clone(), e.offset, e.size)?;
        let mut l = open_layer(slice, name.to_string(), i as u32, count, verify, job, first_id + i as u32, progress)
            .map_err(|err| err.in_layer(format!("layer {i} ({p})")))?;
        // docker save names layers by content; an unverified layer still gets a short id.
        if l.info.diff_id.is_none() {
            if let Some(h) = p.split('/').find(|s| s.len() >= 64 && s.bytes().take(64).all(|b| b.is_ascii_hexdigit())) {
                l.info.short_id = h[..12].to_string();
            }
        }
        layers.push(l);
    }
    let mut warnings = Vec::new();
    let mut images = Vec::new();
    for img in images_json {
        let cfg_path = str_of(img, "Config");
        let (config, cfg_bytes) = json_member(&src, entries, &cfg_path)?;
        let mut info = ImageInfo {
            tags: img
                .get("RepoTags")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|t| t.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            id: format!("sha256:{}", hex(&sha256(&cfg_bytes))),
            manifest_digest: None,
            os: str_of(&config, "os"),
            architecture: str_of(&config, "architecture"),
            created: str_of(&config, "created"),
            config_json: serde_json::to_string_pretty(&config).unwrap_or_default(),
            ..Default::default()
        };
        let img_layers: Vec<LayerId> = img
            .get("Layers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| l.as_str())
            .filter_map(|l| paths.iter().position(|p| p == l))
            .map(|i| first_id + i as u32)
            .collect();
        // diff_ids from the config, checked against what we computed.
        let diff_ids: Vec<String> = config
            .pointer("/rootfs/diff_ids")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|d| d.as_str().map(String::from)).collect())
            .unwrap_or_default();
        for (k, &lid) in img_layers.iter().enumerate() {
            let l = &mut layers[(lid - first_id) as usize];
            match (diff_ids.get(k), &l.info.diff_id) {
                (Some(want), Some(got)) if want != got => warnings.push(format!(
                    "{name}, layer {k}: the config says diff_id {want} but the layer hashes to {got}"
                )),
                (Some(want), None) => l.info.short_id = short_digest(want),
                _ => {}
            }
        }
        // docker history: empty layers included; non-empty steps map to layers in order.
        let mut next = 0usize;
        for h in config.get("history").and_then(Value::as_array).into_iter().flatten() {
            let empty = h.get("empty_layer").and_then(Value::as_bool).unwrap_or(false);
            let layer = if empty { None } else { img_layers.get(next).copied() };
            if !empty {
                next += 1;
            }
            let row = HistoryRow {
                created: str_of(h, "created"),
                created_by: str_of(h, "created_by"),
                empty_layer: empty,
                comment: str_of(h, "comment"),
                layer,
            };
            if let Some(lid) = layer {
                let l = &mut layers[(lid - first_id) as usize];
                if l.info.created_by.is_empty() {
                    l.info.created_by = row.created_by.clone();
                }
            }
            info.history.push(row);
        }
        info.layers = img_layers;
        images.push(info);
    }
    for l in &layers {
        warnings.extend(l.info.warnings.iter().map(|w| format!("layer {}: {w}", l.info.position)));
    }
    Ok(Opened {
        archive: ArchiveInfo { name: name.to_string(), format: "docker save".into(), size: src.len(), images, warnings },
        layers,
    })
}
