//! Two images compared (issue 13, item 3): the layers they share and where they diverge, the
//! files a container sees added, deleted and modified, the config and the history, as
//! container-diff (GoogleContainerTools/container-diff: its `file`, `history` and `metadata`
//! analyzers) and diffoci (reproducible-containers/diffoci, `pkg/diff`) report them.
//!
//! Rules:
//! - A [`Side`] is an image, or any stack of loaded layers (the page's custom stacks). Layers
//!   are shared by ChainID prefix (OCI `config.md`, "Layer ChainID"): layer `i` is shared when
//!   the ChainIDs of both sides' layer `i` are equal, which holds only if every layer below is
//!   too; the stacks diverge at the first index where they are not.
//! - Files are compared on the merged views (what a container sees), path by path, as
//!   container-diff's file analyzer does: *added* = only in B, *deleted* = only in A,
//!   *modified* = in both with a different type, content (size, then sha256), permission bits,
//!   owner (uid/gid), symlink target or device numbers, or mtime (strict mode only). The link
//!   count is not compared (a lower file keeps stale links, SPEC §2). Two entries supplied by
//!   layers with the same diff_id are the same tar entry, so they are equal without reading
//!   them. A file's size is its byte count; a directory's is the sum of the files below it in
//!   that view (container-diff's directory size); sha256 digests are given for files added or
//!   deleted and for files whose content differs.
//! - Config: the run config (`config`: Env and Labels per variable, ExposedPorts and Volumes
//!   per key, Cmd, Entrypoint, User, WorkingDir, StopSignal, Healthcheck, Shell, OnBuild and
//!   every other key as a whole) and the top-level fields (architecture, os, variant,
//!   os.version, author, created, ...), except `rootfs` (the layer rows show the diff_ids) and
//!   `history` (its own section). Missing, `null`, `""`, `[]` and `{}` are the same (Docker
//!   and Go tools write any of them for "unset").
//! - Layers with other content at the same index (strict mode) are also compared tar entry by
//!   tar entry, as diffoci does: names only one side has (or has more often), and entries
//!   whose type, content (size, then sha256), target, device, mode, owner or mtime differ.
//! - History: the `created_by` lines found only in A and only in B (container-diff's history
//!   analyzer, by a longest common subsequence), and lines in both whose created, author,
//!   comment or empty_layer differ.
//! - Semantic mode is diffoci's `--semantic`: it ignores timestamps (file mtimes, `created`)
//!   and build history (`history`, and Docker's build records `container`,
//!   `container_config`, `docker_version` and the run config's `Image`, `Hostname`,
//!   `Domainname`, which the OCI config diffoci compares does not have), and the layer
//!   structure (diffoci's file order and tar format: here, which layers the files come from).
//!   Strict mode counts layers with different diff_ids as a difference even when the merged
//!   views agree: the images then ship different bytes (in files no container sees). Layers
//!   without a known diff_id (bare layers read without verification) are compared by their
//!   files only.
//! - Verdict: the same image ID (config digest) with the same layer blobs is *identical*; the
//!   same image ID (or, without configs, the same diff_ids) with other blobs (another
//!   compression, a different gzip stream) is *identical content, different compression*;
//!   nothing reported but different IDs is *same content*; anything reported is *different*.
//!   The first three are "same content" (`layerlab diff` exits 0, like diff(1)).

use crate::digest::{encoded, prefixed, short_id};
use crate::error::Result;
use crate::image::config::{Config, HistoryRow};
use crate::image::{Image, Layer};
use crate::layer::{Compression, Entry, EntryKind};
use crate::listing::esc;
use crate::tree::{Ino, Kind, Node};
use crate::union::Stack;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// How to compare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Options {
    /// diffoci's `--semantic`: ignore timestamps, build history and the layer structure.
    pub semantic: bool,
}

/// One side of a comparison: an image, or a stack of loaded layers.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    /// How reports name it (`layered.oci.tar`, `both.oci.tar:sibling`).
    pub name: String,
    /// The archive (for error messages).
    pub archive: String,
    /// The image's tag or ref name, if it has one.
    pub label: Option<String>,
    pub config: Option<&'a Config>,
    pub layers: Vec<&'a Layer>,
    pub history: &'a [HistoryRow],
}

impl<'a> Side<'a> {
    /// Every layer of a loaded image, with its config and history.
    pub fn image(img: &'a Image, name: impl Into<String>) -> Self {
        Side {
            name: name.into(),
            archive: img.archive.clone(),
            label: img.reference.repo_tags.first().cloned().or_else(|| img.reference.ref_name.clone()),
            config: img.config.as_ref(),
            layers: img.layers.iter().collect(),
            history: &img.history,
        }
    }

    /// A stack of layers (bottom first) with no config or history.
    pub fn stack(name: impl Into<String>, archive: impl Into<String>, layers: Vec<&'a Layer>) -> Self {
        Side { name: name.into(), archive: archive.into(), label: None, config: None, layers, history: &[] }
    }

    fn id(&self) -> Option<String> {
        self.config.map(|c| c.digest.clone())
    }

    /// ChainIDs, when every layer's diff_id is known.
    fn chain_ids(&self) -> Vec<Option<String>> {
        let ids: Vec<Option<String>> = self.layers.iter().map(|l| l.diff_id.clone()).collect();
        if ids.iter().all(|d| d.is_some()) {
            let ids: Vec<String> = ids.into_iter().flatten().collect();
            crate::image::digest::chain_ids(&ids).into_iter().map(Some).collect()
        } else {
            vec![None; self.layers.len()]
        }
    }
}

/// What the comparison concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The same image: same ID, same layer blobs.
    Identical,
    /// Same image ID (or same diff_ids), other layer blobs.
    IdenticalContentDifferentCompression,
    /// Different IDs, but nothing the mode compares differs.
    SameContent,
    Different,
}

/// One side's identity in the report.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Summary {
    pub name: String,
    /// The image's tag or ref name, if it has one.
    pub label: Option<String>,
    /// The image ID (config digest), if the side has a config.
    pub id: Option<String>,
    pub layers: usize,
}

/// One layer of one side.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct LayerInfo {
    pub diff_id: Option<String>,
    pub chain_id: Option<String>,
    pub blob_digest: Option<String>,
    pub media_type: Option<String>,
    pub compression: Compression,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub created_by: String,
}

/// Layer `index` of both sides.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct LayerRow {
    /// 0 = bottom.
    pub index: usize,
    /// Same ChainID: this layer and every one below are the same content.
    pub shared: bool,
    /// Same diff_id (the layer's own content), whatever is below.
    pub same_diff_id: bool,
    /// Same diff_id but another blob digest or compression.
    pub different_compression: bool,
    pub a: Option<LayerInfo>,
    pub b: Option<LayerInfo>,
}

/// The layer stacks side by side.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Layers {
    /// How many bottom layers the two stacks share (by ChainID).
    pub shared: usize,
    /// The first layer index where they differ (`None` when both stacks are the same).
    pub diverge_at: Option<usize>,
    pub rows: Vec<LayerRow>,
    /// For each index where both sides have a layer with other content, their tar entries
    /// compared (diffoci's layer and tar-entry mismatches); strict mode only.
    pub entries: Vec<LayerEntries>,
}

/// A tar entry both layers have, with differences.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct EntryDiff {
    /// `/`-rooted, escaped; whiteouts keep their `.wh.` names.
    pub path: String,
    pub changes: Vec<Change>,
}

/// Layer `layer` of both sides, entry by entry (a name that appears more than once in a layer
/// is compared position by position; a different count is listed with the names of one side
/// only).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct LayerEntries {
    pub layer: usize,
    /// How many tar entries each layer has.
    pub count_a: usize,
    pub count_b: usize,
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    pub differ: Vec<EntryDiff>,
}

/// One entry of a merged view.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Attrs {
    /// The layer that supplies it (0 = bottom).
    pub layer: usize,
    /// Listing type letter: `f`, `d`, `l`, `c`, `b`, `p`, `s`.
    pub kind: char,
    /// A file's bytes; a directory's, the sum of the files below it; 0 otherwise.
    pub size: u64,
    /// Four octal digits.
    pub mode: String,
    pub uid: u32,
    pub gid: u32,
    pub mtime: i64,
    /// `sha256:<hex>` of a file's content (added, deleted, or content changed).
    pub digest: Option<String>,
    /// A symlink's target.
    pub target: Option<String>,
    /// A device's major and minor numbers.
    pub rdev: Option<(u32, u32)>,
}

/// A path only one side has.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct FileEntry {
    /// `/`-rooted, escaped as listings are.
    pub path: String,
    #[serde(flatten)]
    pub attrs: Attrs,
}

/// What differs between two entries of the same path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Type,
    Content,
    Mode,
    Owner,
    Target,
    Device,
    Mtime,
}

/// A path both sides have, with differences.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Modified {
    pub path: String,
    pub changes: Vec<Change>,
    pub a: Attrs,
    pub b: Attrs,
}

/// The merged views compared.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Files {
    pub added: Vec<FileEntry>,
    pub deleted: Vec<FileEntry>,
    pub modified: Vec<Modified>,
}

impl Files {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.deleted.is_empty() && self.modified.is_empty()
    }
}

/// One config difference. `a`/`b` are `null` when that side does not set it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ConfigDiff {
    /// The JSON key: `Env`, `Cmd`, ... for the run config, `created`, `architecture`, ... for
    /// the top level.
    pub field: String,
    /// The variable, label, port or volume, for fields compared per key.
    pub key: Option<String>,
    pub a: Value,
    pub b: Value,
}

/// A history line both sides have whose other fields differ.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct HistoryChange {
    /// Position in each side's history.
    pub a: usize,
    pub b: usize,
    pub created_by: String,
    /// `created`, `author`, `comment`, `empty_layer`.
    pub fields: Vec<String>,
}

/// The histories compared (empty in semantic mode).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct HistoryDiff {
    /// Whether the histories were compared (not in semantic mode).
    pub compared: bool,
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    pub changed: Vec<HistoryChange>,
}

impl HistoryDiff {
    pub fn is_empty(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }
}

/// Everything a comparison found.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Comparison {
    pub a: Summary,
    pub b: Summary,
    pub semantic: bool,
    pub verdict: Verdict,
    /// `true` unless the verdict is [`Verdict::Different`] (`layerlab diff` exits 0).
    pub same_content: bool,
    /// One sentence.
    pub summary: String,
    /// Sentences that explain the verdict where it needs it.
    pub notes: Vec<String>,
    pub layers: Layers,
    pub files: Files,
    pub config: Vec<ConfigDiff>,
    pub history: HistoryDiff,
}

/// Compares two images (or stacks).
pub fn compare(a: &Side<'_>, b: &Side<'_>, opts: &Options) -> Result<Comparison> {
    let mut layers = compare_layers(a, b);
    if !opts.semantic {
        layers.entries = compare_entries(a, b, &layers.rows)?;
    }
    let files = compare_files(a, b, opts)?;
    let config = compare_config(a.config, b.config, opts);
    let history = if opts.semantic { HistoryDiff::default() } else { compare_history(a.history, b.history) };

    let same_stack = a.layers.len() == b.layers.len() && layers.rows.iter().all(|r| r.same_diff_id);
    let same_blobs = same_stack && layers.rows.iter().all(|r| !r.different_compression);
    let same_id = a.id().is_some() && a.id() == b.id();
    let no_configs = a.config.is_none() && b.config.is_none();
    // Without diff_ids (bare layers read with --no-verify) layers are compared by their files only.
    let ids_known = a.layers.iter().chain(&b.layers).all(|l| l.diff_id.is_some());
    let layers_differ = !opts.semantic && ids_known && !same_stack;
    let reported = !files.is_empty() || !config.is_empty() || !history.is_empty() || layers_differ;

    let mut notes = Vec::new();
    let verdict = if reported {
        Verdict::Different
    } else if (same_id || no_configs) && same_stack {
        if same_blobs {
            Verdict::Identical
        } else {
            Verdict::IdenticalContentDifferentCompression
        }
    } else {
        Verdict::SameContent
    };
    if same_stack && !same_blobs {
        let what: Vec<String> = layers
            .rows
            .iter()
            .filter(|r| r.different_compression)
            .map(|r| {
                let c = |x: &Option<LayerInfo>| x.as_ref().map_or("-".to_string(), |l| compression_name(l.compression).to_string());
                format!("layer {}: {} -> {}", r.index, c(&r.a), c(&r.b))
            })
            .collect();
        notes.push(format!("Every layer has the same diff_id on both sides, but the blobs differ ({}).", what.join(", ")));
    }
    if files.is_empty() && !same_stack {
        notes.push(match layers.diverge_at {
            Some(i) if opts.semantic => format!(
                "The merged filesystems are the same, though the layers differ from layer {i} on (semantic mode compares what a container sees)."
            ),
            Some(i) => format!(
                "The merged filesystems are the same, but the layers differ from layer {i} on: the images ship different bytes in files no container sees."
            ),
            None => "The merged filesystems are the same.".to_string(),
        });
    }
    if !ids_known {
        notes.push("Some layers have no known diff_id (bare layers read without verification): layers are compared by their files only.".to_string());
    }
    if verdict == Verdict::SameContent && a.id() != b.id() {
        notes.push(if opts.semantic {
            "The image IDs differ: the configs differ only in what the semantic mode ignores (timestamps, build history) or in form.".to_string()
        } else {
            "The image IDs differ: the configs differ only in form (key order, spacing, or empty values written differently).".to_string()
        });
    }

    let summary = match verdict {
        Verdict::Identical => match a.id() {
            Some(id) => format!("identical: the same image ({id}) with the same layer blobs"),
            None => "identical: the same layers with the same blobs".to_string(),
        },
        Verdict::IdenticalContentDifferentCompression => match a.id() {
            Some(id) => format!("identical content, different compression: the same image ID ({id}) and diff_ids, other layer blobs"),
            None => "identical content, different compression: the same diff_ids, other layer blobs".to_string(),
        },
        Verdict::SameContent => {
            if opts.semantic {
                "same content: no difference in files or config once timestamps and build history are ignored".to_string()
            } else {
                "same content: no difference in layers, files, config or history".to_string()
            }
        }
        Verdict::Different => {
            let mut parts = vec![
                format!("{} added", files.added.len()),
                format!("{} deleted", files.deleted.len()),
                format!("{} modified", files.modified.len()),
                format!("{} config difference{}", config.len(), if config.len() == 1 { "" } else { "s" }),
            ];
            if history.compared {
                let n = history.only_in_a.len() + history.only_in_b.len() + history.changed.len();
                parts.push(format!("{n} history difference{}", if n == 1 { "" } else { "s" }));
            }
            let shared = match layers.diverge_at {
                Some(i) => format!("; {} shared layer{}, diverging at layer {i}", layers.shared, if layers.shared == 1 { "" } else { "s" }),
                None => String::new(),
            };
            format!("different: {}{shared}", parts.join(", "))
        }
    };

    Ok(Comparison {
        a: Summary { name: a.name.clone(), label: a.label.clone(), id: a.id(), layers: a.layers.len() },
        b: Summary { name: b.name.clone(), label: b.label.clone(), id: b.id(), layers: b.layers.len() },
        semantic: opts.semantic,
        same_content: verdict != Verdict::Different,
        verdict,
        summary,
        notes,
        layers,
        files,
        config,
        history,
    })
}

/// `none`, `gzip`, `zstd`.
pub fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
    }
}

fn layer_info(side: &Side<'_>, i: usize, chain: &[Option<String>]) -> Option<LayerInfo> {
    let l = side.layers.get(i)?;
    let created_by = side.history.iter().find(|h| h.layer == Some(l.index)).and_then(|h| h.entry.created_by.clone()).unwrap_or_default();
    Some(LayerInfo {
        diff_id: l.diff_id.clone(),
        chain_id: chain.get(i).cloned().flatten(),
        blob_digest: l.blob_digest.clone(),
        media_type: l.media_type.clone(),
        compression: l.compression,
        compressed_size: l.compressed_size,
        uncompressed_size: l.uncompressed_size,
        created_by,
    })
}

fn compare_layers(a: &Side<'_>, b: &Side<'_>) -> Layers {
    let (ca, cb) = (a.chain_ids(), b.chain_ids());
    let n = a.layers.len().max(b.layers.len());
    let mut rows = Vec::with_capacity(n);
    let mut shared = 0;
    let mut diverged = false;
    for i in 0..n {
        let (la, lb) = (layer_info(a, i, &ca), layer_info(b, i, &cb));
        let is_shared = match (&la, &lb) {
            (Some(x), Some(y)) => x.chain_id.is_some() && x.chain_id == y.chain_id,
            _ => false,
        };
        let same_diff_id = match (&la, &lb) {
            (Some(x), Some(y)) => x.diff_id.is_some() && x.diff_id == y.diff_id,
            _ => false,
        };
        let different_compression = match (&la, &lb) {
            (Some(x), Some(y)) => same_diff_id && (x.blob_digest != y.blob_digest || x.compression != y.compression),
            _ => false,
        };
        if is_shared && !diverged {
            shared += 1;
        } else {
            diverged = true;
        }
        rows.push(LayerRow { index: i, shared: is_shared && !diverged, same_diff_id, different_compression, a: la, b: lb });
    }
    let diverge_at = if shared == n { None } else { Some(shared) };
    Layers { shared, diverge_at, rows, entries: Vec::new() }
}

/// A tar entry's content digest: the one the index recorded, else read from the layer.
fn entry_digest(l: &Layer, e: &Entry, archive: &str) -> Result<[u8; 32]> {
    match e.digest {
        Some(d) => Ok(d),
        None => l
            .blob
            .digest_content(e.offset, e.size)
            .map_err(|err| err.at_entry(e.display_path()).in_layer(l.label.clone()).in_file(archive.to_string())),
    }
}

fn entry_changes(la: &Layer, x: &Entry, aa: &str, lb: &Layer, y: &Entry, ab: &str) -> Result<Vec<Change>> {
    let mut ch = Vec::new();
    if std::mem::discriminant(&x.kind) != std::mem::discriminant(&y.kind) {
        ch.push(Change::Type);
    } else {
        match (&x.kind, &y.kind) {
            (EntryKind::File, EntryKind::File) if x.size != y.size || entry_digest(la, x, aa)? != entry_digest(lb, y, ab)? => {
                ch.push(Change::Content);
            }
            (EntryKind::Symlink(p), EntryKind::Symlink(q)) | (EntryKind::Hardlink(p), EntryKind::Hardlink(q)) if p != q => {
                ch.push(Change::Target);
            }
            (EntryKind::Char(..), EntryKind::Char(..)) | (EntryKind::Block(..), EntryKind::Block(..)) if x.kind != y.kind => {
                ch.push(Change::Device);
            }
            _ => {}
        }
    }
    if x.mode != y.mode {
        ch.push(Change::Mode);
    }
    if (x.uid, x.gid) != (y.uid, y.gid) {
        ch.push(Change::Owner);
    }
    if x.mtime != y.mtime {
        ch.push(Change::Mtime);
    }
    Ok(ch)
}

/// A layer's entry positions by path, in tar order.
fn group(l: &Layer) -> BTreeMap<&[u8], Vec<usize>> {
    let mut m: BTreeMap<&[u8], Vec<usize>> = BTreeMap::new();
    for (i, e) in l.entries.iter().enumerate() {
        m.entry(&e.path[..]).or_default().push(i);
    }
    m
}

fn compare_entries(a: &Side<'_>, b: &Side<'_>, rows: &[LayerRow]) -> Result<Vec<LayerEntries>> {
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| !r.same_diff_id) {
        let (Some(la), Some(lb)) = (a.layers.get(r.index), b.layers.get(r.index)) else { continue };
        let (ga, gb) = (group(la), group(lb));
        let mut le = LayerEntries {
            layer: r.index,
            count_a: la.entries.len(),
            count_b: lb.entries.len(),
            only_in_a: Vec::new(),
            only_in_b: Vec::new(),
            differ: Vec::new(),
        };
        // The same-size files at one name, hashed ahead: one pass per compressed blob.
        let (mut want_a, mut want_b) = (Vec::new(), Vec::new());
        for (name, xs) in &ga {
            let Some(ys) = gb.get(name).filter(|ys| ys.len() == xs.len()) else { continue };
            for (&i, &j) in xs.iter().zip(ys) {
                let (x, y) = (&la.entries[i], &lb.entries[j]);
                if x.kind == EntryKind::File && y.kind == EntryKind::File && x.size == y.size && x.size > 0 {
                    want_a.extend(x.digest.is_none().then_some((x.offset, x.size)));
                    want_b.extend(y.digest.is_none().then_some((y.offset, y.size)));
                }
            }
        }
        for (l, want) in [(la, want_a), (lb, want_b)] {
            if l.blob.compression != Compression::None {
                let _ = l.blob.digest_ranges(&want);
            }
        }
        let names: BTreeSet<&[u8]> = ga.keys().chain(gb.keys()).copied().collect();
        for name in names {
            let (xs, ys) = (ga.get(name).map_or(&[][..], |v| &v[..]), gb.get(name).map_or(&[][..], |v| &v[..]));
            if xs.len() != ys.len() {
                let shown = match (xs.first(), ys.first()) {
                    (Some(&i), _) => la.entries[i].display_path(),
                    (None, Some(&j)) => lb.entries[j].display_path(),
                    (None, None) => continue,
                };
                if xs.len() > ys.len() {
                    le.only_in_a.push(shown);
                } else {
                    le.only_in_b.push(shown);
                }
                continue;
            }
            for (&i, &j) in xs.iter().zip(ys) {
                let (x, y) = (&la.entries[i], &lb.entries[j]);
                let changes = entry_changes(la, x, &a.archive, lb, y, &b.archive)?;
                if !changes.is_empty() {
                    le.differ.push(EntryDiff { path: x.display_path(), changes });
                }
            }
        }
        out.push(le);
    }
    Ok(out)
}

/// One merged view: path → (layer, inode), and the file bytes below each directory.
struct View<'s> {
    stack: Stack,
    side: &'s Side<'s>,
    entries: Vec<ViewEntry>,
    dir_sizes: BTreeMap<Vec<u8>, u64>,
}

impl<'s> View<'s> {
    fn new(side: &'s Side<'s>) -> Self {
        let stack = Stack::new(side.layers.iter().map(|l| l.tree.clone()).collect());
        let merged = stack.merged();
        let mut dir_sizes: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut entries = Vec::with_capacity(merged.len());
        for m in merged {
            if m.path == b"/" {
                continue;
            }
            let n = stack.node(m.layer, m.ino);
            if let Kind::File(c) = &n.kind {
                let size = c.size();
                for (i, &ch) in m.path.iter().enumerate().skip(1) {
                    if ch == b'/' {
                        *dir_sizes.entry(m.path[..i].to_vec()).or_insert(0) += size;
                    }
                }
            }
            entries.push((m.path, m.layer, m.ino));
        }
        View { stack, side, entries, dir_sizes }
    }

    fn node(&self, layer: usize, ino: Ino) -> &Node {
        self.stack.node(layer, ino)
    }

    fn diff_id(&self, layer: usize) -> Option<&str> {
        self.side.layers.get(layer).and_then(|l| l.diff_id.as_deref())
    }

    /// A file's content digest, errors naming the archive, layer and path.
    fn digest(&self, path: &[u8], layer: usize, n: &Node) -> Result<Option<String>> {
        let d = n.content_digest().map_err(|e| {
            let label = self.side.layers.get(layer).map_or_else(|| format!("layer {layer}"), |l| l.label.clone());
            e.at_entry(esc(path)).in_layer(label).in_file(self.side.archive.clone())
        })?;
        Ok(d.map(|d| prefixed(&d)))
    }

    fn attrs(&self, path: &[u8], layer: usize, n: &Node, with_digest: bool) -> Result<Attrs> {
        let size = match &n.kind {
            Kind::File(c) => c.size(),
            Kind::Dir(_) => self.dir_sizes.get(path).copied().unwrap_or(0),
            _ => 0,
        };
        let digest = if with_digest && matches!(n.kind, Kind::File(_)) { self.digest(path, layer, n)? } else { None };
        Ok(Attrs {
            layer,
            kind: n.type_char().letter(),
            size,
            mode: format!("{:04o}", n.mode),
            uid: n.uid,
            gid: n.gid,
            mtime: n.mtime,
            digest,
            target: match &n.kind {
                Kind::Symlink(t) => Some(esc(t)),
                _ => None,
            },
            rdev: match n.kind {
                Kind::Char(x, y) | Kind::Block(x, y) => Some((x, y)),
                _ => None,
            },
        })
    }
}

/// A merged entry of a [`View`]: path, layer, inode.
type ViewEntry = (Vec<u8>, usize, Ino);

/// The two views' entries side by side in path order: only in A, only in B, or at one path in
/// both.
enum Paired<'e> {
    A(&'e ViewEntry),
    B(&'e ViewEntry),
    Both(&'e ViewEntry, &'e ViewEntry),
}

fn paired<'e>(a: &'e [ViewEntry], b: &'e [ViewEntry]) -> impl Iterator<Item = Paired<'e>> {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => Paired::Both(x, y),
            (Some(x), Some(y)) if x.0 < y.0 => Paired::A(x),
            (Some(x), None) => Paired::A(x),
            (_, Some(y)) => Paired::B(y),
            (None, None) => return None,
        };
        i += usize::from(!matches!(next, Paired::B(_)));
        j += usize::from(!matches!(next, Paired::A(_)));
        Some(next)
    })
}

/// The same layer content (diff_id) supplies both entries: the same tar entry, equal unread.
fn same_entry(va: &View<'_>, la: usize, vb: &View<'_>, lb: usize) -> bool {
    va.diff_id(la).is_some() && va.diff_id(la) == vb.diff_id(lb)
}

/// Every file content [`compare_files`] will hash (files added or deleted, files at one path
/// from layers of other content), asked ahead: one pass per compressed layer blob.
fn digest_ahead(va: &View<'_>, vb: &View<'_>) {
    let mut want = Vec::new();
    let mut push = |v: &View<'_>, &(_, l, ino): &ViewEntry| want.extend(v.node(l, ino).uncached_content().cloned());
    for pair in paired(&va.entries, &vb.entries) {
        match pair {
            Paired::A(x) => push(va, x),
            Paired::B(y) => push(vb, y),
            Paired::Both(x, y) if !same_entry(va, x.1, vb, y.1) => {
                push(va, x);
                push(vb, y);
            }
            Paired::Both(..) => {}
        }
    }
    crate::layer::content::digest_ahead(&want);
}

fn compare_files(a: &Side<'_>, b: &Side<'_>, opts: &Options) -> Result<Files> {
    let (va, vb) = (View::new(a), View::new(b));
    digest_ahead(&va, &vb);
    let mut files = Files::default();
    for pair in paired(&va.entries, &vb.entries) {
        match pair {
            Paired::A((p, l, ino)) => {
                files.deleted.push(FileEntry { path: esc(p), attrs: va.attrs(p, *l, va.node(*l, *ino), true)? });
            }
            Paired::B((p, l, ino)) => {
                files.added.push(FileEntry { path: esc(p), attrs: vb.attrs(p, *l, vb.node(*l, *ino), true)? });
            }
            Paired::Both((p, la, ia), (_, lb, ib)) => {
                // The same layer content at the same path: the same tar entry.
                if same_entry(&va, *la, &vb, *lb) {
                    continue;
                }
                let (na, nb) = (va.node(*la, *ia), vb.node(*lb, *ib));
                let mut changes = BTreeSet::new();
                let mut content = false;
                if na.type_char() != nb.type_char() {
                    changes.insert(Change::Type);
                } else {
                    match (&na.kind, &nb.kind) {
                        (Kind::File(ca), Kind::File(cb))
                            if ca.size() != cb.size() || va.digest(p, *la, na)? != vb.digest(p, *lb, nb)? =>
                        {
                            changes.insert(Change::Content);
                            content = true;
                        }
                        (Kind::Symlink(x), Kind::Symlink(y)) if x != y => {
                            changes.insert(Change::Target);
                        }
                        (Kind::Char(..), Kind::Char(..)) | (Kind::Block(..), Kind::Block(..)) => {
                            let dev = |n: &Node| match n.kind {
                                Kind::Char(x, y) | Kind::Block(x, y) => (x, y),
                                _ => (0, 0),
                            };
                            if dev(na) != dev(nb) {
                                changes.insert(Change::Device);
                            }
                        }
                        _ => {}
                    }
                }
                if na.mode != nb.mode {
                    changes.insert(Change::Mode);
                }
                if (na.uid, na.gid) != (nb.uid, nb.gid) {
                    changes.insert(Change::Owner);
                }
                if !opts.semantic && na.mtime != nb.mtime {
                    changes.insert(Change::Mtime);
                }
                if changes.is_empty() {
                    continue;
                }
                let with_digest = content || changes.contains(&Change::Type);
                files.modified.push(Modified {
                    path: esc(p),
                    changes: changes.into_iter().collect(),
                    a: va.attrs(p, *la, na, with_digest)?,
                    b: vb.attrs(p, *lb, nb, with_digest)?,
                });
            }
        }
    }
    Ok(files)
}

/// Missing, `null`, `""`, `[]` and `{}` all mean "unset".
fn unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn norm(v: Option<&Value>) -> Value {
    match v {
        Some(v) if !unset(v) => v.clone(),
        _ => Value::Null,
    }
}

/// The run config's fields in the order reports list them; other keys follow by name.
const RUN_ORDER: &[&str] = &[
    "Env", "Cmd", "Entrypoint", "Labels", "User", "WorkingDir", "ExposedPorts", "Volumes", "StopSignal", "Healthcheck", "Shell",
    "OnBuild",
];
/// Run-config keys that are Docker's build bookkeeping (semantic mode ignores them).
const RUN_BUILD_RECORDS: &[&str] = &["Image", "Hostname", "Domainname"];
/// Top-level fields in report order; others follow by name.
const TOP_ORDER: &[&str] = &["architecture", "os", "variant", "os.version", "os.features", "author", "created"];
/// Top-level fields compared elsewhere.
const TOP_ELSEWHERE: &[&str] = &["config", "rootfs", "history"];
/// Top-level fields semantic mode ignores: timestamps and build records.
const TOP_SEMANTIC_IGNORED: &[&str] = &["created", "container", "container_config", "docker_version"];

fn ordered_keys(a: &Map<String, Value>, b: &Map<String, Value>, order: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = order.iter().map(|s| s.to_string()).collect();
    let rest: BTreeSet<&String> = a.keys().chain(b.keys()).filter(|k| !order.contains(&k.as_str())).collect();
    keys.extend(rest.into_iter().cloned());
    keys
}

/// `KEY=VALUE` lines as an ordered map (a line without `=` is a key mapped to `true`).
fn env_map(v: &Value) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    if let Value::Array(items) = v {
        for it in items {
            let s = match it {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match s.split_once('=') {
                Some((k, val)) => m.insert(k.to_string(), Value::String(val.to_string())),
                None => m.insert(s, Value::Bool(true)),
            };
        }
    }
    m
}

fn object_map(v: &Value, keys_only: bool) -> BTreeMap<String, Value> {
    match v {
        Value::Object(o) => o.iter().map(|(k, x)| (k.clone(), if keys_only { Value::Bool(true) } else { x.clone() })).collect(),
        _ => BTreeMap::new(),
    }
}

fn per_key(out: &mut Vec<ConfigDiff>, field: &str, ma: BTreeMap<String, Value>, mb: BTreeMap<String, Value>) {
    let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
    for k in keys {
        let (x, y) = (ma.get(k).cloned().unwrap_or(Value::Null), mb.get(k).cloned().unwrap_or(Value::Null));
        if x != y {
            out.push(ConfigDiff { field: field.to_string(), key: Some(k.clone()), a: x, b: y });
        }
    }
}

fn compare_config(a: Option<&Config>, b: Option<&Config>, opts: &Options) -> Vec<ConfigDiff> {
    let top = |c: Option<&Config>| c.and_then(|c| c.raw.as_object().cloned()).unwrap_or_default();
    let (ta, tb) = (top(a), top(b));
    let run = |t: &Map<String, Value>| t.get("config").and_then(|v| v.as_object().cloned()).unwrap_or_default();
    let (ra, rb) = (run(&ta), run(&tb));
    let mut out = Vec::new();
    for k in ordered_keys(&ra, &rb, RUN_ORDER) {
        if opts.semantic && RUN_BUILD_RECORDS.contains(&k.as_str()) {
            continue;
        }
        let (x, y) = (norm(ra.get(&k)), norm(rb.get(&k)));
        if x == y {
            continue;
        }
        match k.as_str() {
            "Env" => {
                let (ma, mb) = (env_map(&x), env_map(&y));
                let before = out.len();
                per_key(&mut out, &k, ma, mb);
                if out.len() == before {
                    // Same variables, another order or duplicates.
                    out.push(ConfigDiff { field: k, key: None, a: x, b: y });
                }
            }
            "Labels" => per_key(&mut out, &k, object_map(&x, false), object_map(&y, false)),
            "ExposedPorts" | "Volumes" => per_key(&mut out, &k, object_map(&x, true), object_map(&y, true)),
            _ => out.push(ConfigDiff { field: k, key: None, a: x, b: y }),
        }
    }
    for k in ordered_keys(&ta, &tb, TOP_ORDER) {
        if TOP_ELSEWHERE.contains(&k.as_str()) || (opts.semantic && TOP_SEMANTIC_IGNORED.contains(&k.as_str())) {
            continue;
        }
        let (x, y) = (norm(ta.get(&k)), norm(tb.get(&k)));
        if x != y {
            out.push(ConfigDiff { field: k, key: None, a: x, b: y });
        }
    }
    out
}

/// The longest common subsequence of two line lists, as index pairs; `None` when it would cost
/// too much (hostile histories): the caller then pairs lines by position.
fn lcs(a: &[&str], b: &[&str]) -> Option<Vec<(usize, usize)>> {
    const MAX_CELLS: usize = 4 << 20;
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let mut t = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * (m + 1) + j] = if a[i] == b[j] {
                t[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    Some(out)
}

fn compare_history(a: &[HistoryRow], b: &[HistoryRow]) -> HistoryDiff {
    let la: Vec<&str> = a.iter().map(|h| h.entry.created_by.as_deref().unwrap_or("")).collect();
    let lb: Vec<&str> = b.iter().map(|h| h.entry.created_by.as_deref().unwrap_or("")).collect();
    let pairs = lcs(&la, &lb).unwrap_or_else(|| (0..la.len().min(lb.len())).filter(|&i| la[i] == lb[i]).map(|i| (i, i)).collect());
    let in_a: BTreeSet<usize> = pairs.iter().map(|p| p.0).collect();
    let in_b: BTreeSet<usize> = pairs.iter().map(|p| p.1).collect();
    let mut d = HistoryDiff { compared: true, ..Default::default() };
    d.only_in_a = (0..la.len()).filter(|i| !in_a.contains(i)).map(|i| la[i].to_string()).collect();
    d.only_in_b = (0..lb.len()).filter(|i| !in_b.contains(i)).map(|i| lb[i].to_string()).collect();
    for (i, j) in pairs {
        let (x, y) = (&a[i].entry, &b[j].entry);
        let mut fields = Vec::new();
        if x.created != y.created {
            fields.push("created".to_string());
        }
        if x.author != y.author {
            fields.push("author".to_string());
        }
        if x.comment != y.comment {
            fields.push("comment".to_string());
        }
        if x.empty_layer != y.empty_layer {
            fields.push("empty_layer".to_string());
        }
        if !fields.is_empty() {
            d.changed.push(HistoryChange { a: i, b: j, created_by: la[i].to_string(), fields });
        }
    }
    d
}

/// A short form of a digest for reports: `sha256:` and 12 hex digits.
pub fn short(d: &str) -> String {
    if d.starts_with("sha256:") {
        format!("sha256:{}", short_id(d))
    } else {
        encoded(d).chars().take(12).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs_keeps_common_lines_in_order() {
        let a = ["base", "x", "app", "cmd"];
        let b = ["base", "app", "y", "cmd"];
        assert_eq!(lcs(&a, &b), Some(vec![(0, 0), (2, 1), (3, 3)]));
    }

    #[test]
    fn unset_values_are_equal() {
        for v in [Value::Null, Value::String(String::new()), serde_json::json!([]), serde_json::json!({})] {
            assert_eq!(norm(Some(&v)), Value::Null);
        }
        assert_eq!(norm(None), Value::Null);
    }

    #[test]
    fn env_is_compared_per_variable() {
        let mut out = Vec::new();
        per_key(
            &mut out,
            "Env",
            env_map(&serde_json::json!(["PATH=/bin", "A=1"])),
            env_map(&serde_json::json!(["A=2", "PATH=/bin", "B"])),
        );
        let keys: Vec<_> = out.iter().map(|d| (d.key.clone().unwrap(), d.a.clone(), d.b.clone())).collect();
        assert_eq!(
            keys,
            vec![("A".into(), serde_json::json!("1"), serde_json::json!("2")), ("B".into(), Value::Null, Value::Bool(true))]
        );
    }
}
