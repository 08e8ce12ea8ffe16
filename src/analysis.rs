//! Inspecting an image like an engineer (issue 13): where the bytes go, what was deleted but
//! still ships, and dive's numbers beside the exact ones.
//!
//! Rules:
//! - Per layer, three sizes (Podman Desktop's layers explorer): at rest (Docker's layer size),
//!   the contribution to the container's files (Δ of the merged view's file bytes, negative when
//!   the layer deletes more than it adds) and the running total of the merged view's file bytes.
//! - A *hidden* file is a regular file of a layer directory (each inode once) that the final
//!   merged view does not show from that layer: a later layer deleted it (whiteout), overwrote
//!   it, re-added it with the same content (a metadata-only change: chmod/chown re-ships the
//!   file) or made a directory above it opaque. The exact wasted figure is Σ of their sizes:
//!   bytes shipped that no container can ever read.
//! - dive's numbers ([`dive`]) follow dive's own rules (no opaque directories, every copy of a
//!   path counted, the kept one too); [`Analysis::difference`] says why the two differ.
//! - Secret-looking hidden files are flagged by name and by their first bytes ([`secrets`]);
//!   `ENV`/`ARG` history lines carrying tokens are listed too.
//! - Reads: everything but two facts comes from the layers' trees and tar entries, which the
//!   indexing pass built. File heads the pass streamed were scanned for secrets on the way
//!   ([`crate::image::Layer::secret_heads`]); a metadata-only re-add is told from a changed file
//!   by content digests, cached when the pass hashed files (a compressed layer, by default).
//!   Only what the pass did not read (an uncompressed layer walked header to header) is read
//!   here: the heads of hidden files and the pairs of same-size files to compare.

pub mod ci;
pub mod dive;
/// What looks like a secret (also used by the layer indexer, which scans file heads in its pass).
pub use crate::secrets;

use crate::error::Result;
use crate::image::Image;
use crate::layer::Content;
use crate::tree::{Ino, Kind, Tree};
use crate::units::human_size;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How many largest files are kept, for the merged view and for each layer.
pub const LARGEST: usize = 10;

/// One layer's sizes.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct LayerSizes {
    /// 0 = bottom.
    pub layer: usize,
    pub at_rest: u64,
    pub contribution: i64,
    pub running_total: u64,
    pub created_by: String,
    /// The layer's largest files.
    pub largest: Vec<FileSize>,
}

/// A file and its size.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct FileSize {
    pub path: String,
    pub layer: usize,
    pub size: u64,
}

/// Why a hidden file cannot be read.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    Deleted,
    Overwritten,
    MetadataOnly,
    OpaqueDir,
    SameLayer,
}

/// A file shipped in a layer that no container can read.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Hidden {
    pub path: String,
    /// 0 = bottom.
    pub layer: usize,
    pub size: u64,
    /// The layer that hides it.
    pub by_layer: usize,
    pub why: Why,
    pub secret: bool,
    /// What the secret looks like, when flagged.
    pub secret_kind: Option<String>,
    /// One sentence, in the style.
    pub reason: String,
    #[serde(skip)]
    pub content: Option<Content>,
    #[serde(skip)]
    pub raw_path: Vec<u8>,
    /// Its head was scanned already (by the indexing pass).
    #[serde(skip)]
    pub scanned: bool,
}

/// A history line that sets a secret-looking variable.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct HistorySecret {
    pub layer: Option<usize>,
    pub variable: String,
    pub created_by: String,
}

/// The whole analysis of one image.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Analysis {
    pub dive: dive::Dive,
    /// The exact figure: Σ sizes of hidden files.
    pub wasted_bytes: u64,
    pub layers: Vec<LayerSizes>,
    pub largest: Vec<FileSize>,
    pub hidden: Vec<Hidden>,
    pub history_secrets: Vec<HistorySecret>,
    /// Why dive's wasted bytes and the exact figure differ (empty when they agree).
    pub difference: Vec<String>,
}

fn rooted(p: &[u8]) -> Vec<u8> {
    if p.first() == Some(&b'/') {
        p.to_vec()
    } else {
        let mut v = vec![b'/'];
        v.extend_from_slice(p);
        v
    }
}

fn keep_largest(v: &mut Vec<FileSize>) {
    v.sort_by(|a, b| b.size.cmp(&a.size).then(a.path.cmp(&b.path)));
    v.truncate(LARGEST);
}

/// What the lowest layer above that hides a path put there.
enum Hit<'a> {
    Deleted,
    /// The path itself, re-added.
    Again(&'a crate::tree::Node),
    Overwritten,
    OpaqueDir,
}

/// The lowest layer above `layer` that hides `path` (`/`-rooted), and how.
fn hit<'a>(layers: &[&'a Tree], layer: usize, path: &[u8]) -> Option<(usize, Hit<'a>)> {
    let comps: Vec<&[u8]> = crate::path::components(path).collect();
    for (j, t) in layers.iter().enumerate().skip(layer + 1) {
        let mut ino: Ino = crate::tree::ROOT;
        for (k, c) in comps.iter().enumerate() {
            let Some(next) = t.child(ino, c) else { break };
            let n = t.node(next);
            if n.is_whiteout() {
                return Some((j, Hit::Deleted));
            }
            if k + 1 == comps.len() {
                return Some((j, Hit::Again(n)));
            }
            if !n.is_dir() {
                return Some((j, Hit::Overwritten));
            }
            if n.opaque.is_some() {
                return Some((j, Hit::OpaqueDir));
            }
            ino = next;
        }
    }
    None
}

/// Two regular files of one size: their contents decide a metadata-only re-add.
fn same_size_files<'a>(mine: &'a crate::tree::Node, theirs: &'a crate::tree::Node) -> bool {
    matches!((&mine.kind, &theirs.kind), (Kind::File(_), Kind::File(_))) && mine.size() == theirs.size()
}

/// Why `mine` of layer `layer` cannot be read, given what hides it ([`hit`]): the lowest layer
/// that does, and how.
fn hider(layer: usize, mine: &crate::tree::Node, found: Option<(usize, Hit<'_>)>) -> Result<(usize, Why)> {
    Ok(match found {
        None => (layer, Why::SameLayer),
        Some((j, Hit::Deleted)) => (j, Why::Deleted),
        Some((j, Hit::OpaqueDir)) => (j, Why::OpaqueDir),
        Some((j, Hit::Overwritten)) => (j, Why::Overwritten),
        // Cached digests first (a layer hashed in its pass has them all; the rest were asked
        // ahead, one pass per compressed blob: [`analyze`]).
        Some((j, Hit::Again(n))) if same_size_files(mine, n) && mine.content_digest()? == n.content_digest()? => (j, Why::MetadataOnly),
        Some((j, Hit::Again(_))) => (j, Why::Overwritten),
    })
}

fn reason(path: &str, layer: usize, size: u64, by: usize, why: Why) -> String {
    let s = human_size(size);
    match why {
        Why::Deleted => format!("{path}: {s} in layer {layer}, deleted by layer {by}; {s} shipped for nothing"),
        Why::Overwritten => format!("{path}: {s} in layer {layer}, replaced by layer {by}; {s} shipped for nothing"),
        Why::MetadataOnly => format!(
            "{path}: {s} in layer {layer}, re-added unchanged by layer {by} (a metadata-only change such as chmod/chown re-ships the whole file); {s} shipped for nothing"
        ),
        Why::OpaqueDir => format!("{path}: {s} in layer {layer}, hidden by an opaque directory in layer {by}; {s} shipped for nothing"),
        Why::SameLayer => format!("{path}: {s} in layer {layer}, hidden by another entry of the same layer; {s} shipped for nothing"),
    }
}

/// What the "Deleted but shipped" region shows, one line each, as the Inspect panel announces
/// it to a lesson (L11) and `layerlab analyze` prints it: the exact wasted figure, every hidden
/// file with its reason (secrets flagged), every history line that ships a secret-looking
/// variable; `Deleted but shipped: (none)` when there is nothing.
pub fn shipped_lines(an: &Analysis) -> Vec<String> {
    let mut v = vec![format!("Exact wasted space (bytes no container can read): {} bytes ({})", an.wasted_bytes, human_size(an.wasted_bytes))];
    if an.hidden.is_empty() && an.history_secrets.is_empty() {
        v.push("Deleted but shipped: (none)".into());
    }
    for h in &an.hidden {
        let flag = h.secret_kind.as_deref().map_or(String::new(), |k| format!(" [SECRET? {k}]"));
        v.push(format!("{}{}", h.reason, flag));
    }
    for h in &an.history_secrets {
        v.push(format!(
            "history{}: sets {} in a build step; the value ships in the image config: {}",
            h.layer.map_or(String::new(), |l| format!(" (layer {l})")),
            h.variable,
            h.created_by.replace('\n', " ")
        ));
    }
    v
}

/// dive's three figures as `layerlab analyze` prints them (`dive --ci`'s shape): what the
/// Inspect panel's "Efficiency" block shows, announced to a lesson (L11) before
/// [`shipped_lines`].
pub fn efficiency_lines(an: &Analysis) -> Vec<String> {
    let d = &an.dive;
    vec![
        format!("efficiency: {:.4} %", d.efficiency * 100.0),
        format!("wastedBytes: {} bytes ({})", d.wasted_bytes, human_size(d.wasted_bytes)),
        format!("userWastedPercent: {:.4} %", d.user_wasted_percent * 100.0),
    ]
}

/// What a flattened export of the image ships, against the layered image: `docker export` of
/// a fresh container (`layerlab export`) writes the merged view, one tar of the files a
/// container sees (the top layer's running total of file bytes), with no config and no
/// history; the layered image ships every layer at rest. Every hidden file is left out of the
/// flattened tar, and still in the layers anyone who pulls the image gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Flattened {
    /// File bytes of the merged view (what the export's files hold).
    pub rootfs_bytes: u64,
    /// Σ of the layers at rest.
    pub layered_bytes: u64,
    pub layers: usize,
    /// Hidden files left out: count and bytes.
    pub left_out: usize,
    pub left_out_bytes: u64,
}

impl Flattened {
    pub fn of(an: &Analysis) -> Flattened {
        Flattened {
            rootfs_bytes: an.layers.last().map_or(0, |l| l.running_total),
            layered_bytes: an.layers.iter().map(|l| l.at_rest).sum(),
            layers: an.layers.len(),
            left_out: an.hidden.len(),
            left_out_bytes: an.wasted_bytes,
        }
    }
}

/// The flattened export against the layered image, one line each, as the Inspect panel
/// announces its "Flattened export" block to a lesson (L11): the two sizes, every hidden file
/// (secrets flagged) that the export leaves out and the layers still ship, and the config
/// lines (`ENV`, `ARG`) an export does not carry.
pub fn flattened_lines(an: &Analysis) -> Vec<String> {
    let f = Flattened::of(an);
    let mut v = vec![
        format!("Flattened rootfs (docker export): {} bytes ({}) of files, one tar, no config, no history", f.rootfs_bytes, human_size(f.rootfs_bytes)),
        format!("Layered image: {} bytes ({}) of files in {} layers", f.layered_bytes, human_size(f.layered_bytes), f.layers),
    ];
    for h in &an.hidden {
        let flag = h.secret_kind.as_deref().map_or(String::new(), |k| format!(" [SECRET? {k}]"));
        v.push(format!("Not in the flattened rootfs, still in layer {} of the image: {} ({}){flag}", h.layer, h.path, human_size(h.size)));
    }
    for h in &an.history_secrets {
        v.push(format!("Not in the flattened rootfs, still in the image's config: {}", h.variable));
    }
    v
}

/// Analyses a loaded image.
pub fn analyze(img: &Image) -> Result<Analysis> {
    let trees: Vec<&Tree> = img.layers.iter().map(|l| &*l.tree).collect();
    let entries: Vec<&[crate::layer::Entry]> = img.layers.iter().map(|l| &l.entries[..]).collect();
    let dive = dive::dive(&entries);

    // Running totals: the merged view's file bytes after each layer.
    let mut layers = Vec::new();
    let mut prev = 0u64;
    for l in &img.layers {
        let stack = img.stack(Some(l.index + 1));
        let mut total = 0u64;
        let mut counted: BTreeSet<(usize, Ino)> = BTreeSet::new();
        stack.visit_merged(&mut |v| {
            // Hard links share one inode: its bytes count once.
            if !v.is_dir && counted.insert((v.layer, v.ino)) {
                total += stack.node(v.layer, v.ino).size();
            }
        });
        let created_by = img.created_by(l.index);
        let mut largest: Vec<FileSize> = Vec::new();
        let mut seen = BTreeSet::new();
        for (p, ino) in l.tree.walk() {
            let n = l.tree.node(ino);
            if matches!(n.kind, Kind::File(_)) && seen.insert(ino) {
                largest.push(FileSize { path: crate::listing::esc(&p), layer: l.index, size: n.size() });
                if largest.len() > 4 * LARGEST {
                    keep_largest(&mut largest);
                }
            }
        }
        keep_largest(&mut largest);
        layers.push(LayerSizes {
            layer: l.index,
            at_rest: l.size,
            contribution: total as i64 - prev as i64,
            running_total: total,
            created_by,
            largest,
        });
        prev = total;
    }

    // The final merged view: which (layer, inode) a container can read.
    let top = img.stack(None);
    let mut visible: BTreeSet<(usize, Ino)> = BTreeSet::new();
    let mut largest = Vec::new();
    for m in top.merged() {
        let n = top.node(m.layer, m.ino);
        if matches!(n.kind, Kind::File(_)) {
            visible.insert((m.layer, m.ino));
            largest.push(FileSize { path: crate::listing::esc(&m.path), layer: m.layer, size: n.size() });
            if largest.len() > 4 * LARGEST {
                keep_largest(&mut largest);
            }
        }
    }
    keep_largest(&mut largest);

    // Every file no container reads, with what hides it; then the contents that decide
    // metadata-only re-adds, hashed ahead (one pass per compressed blob instead of a read from
    // the nearest checkpoint per file: the page opens without hashing files).
    let mut hid = Vec::new();
    for l in &img.layers {
        let mut seen = BTreeSet::new();
        for (p, ino) in l.tree.walk() {
            let n = l.tree.node(ino);
            let Kind::File(c) = &n.kind else { continue };
            if visible.contains(&(l.index, ino)) || !seen.insert(ino) {
                continue;
            }
            let p = rooted(&p);
            let found = hit(&trees, l.index, &p);
            hid.push((l, p, n, c, found));
        }
    }
    let again = hid.iter().filter_map(|(_, _, n, _, found)| match found {
        Some((_, Hit::Again(theirs))) if same_size_files(n, theirs) => Some([n.uncached_content(), theirs.uncached_content()]),
        _ => None,
    });
    crate::layer::content::digest_ahead(again.flatten().flatten().collect::<Vec<_>>());

    let mut hidden = Vec::new();
    for (l, p, n, c, found) in hid {
        let (by, why) = hider(l.index, n, found)?;
        let shown = crate::listing::esc(&p);
        let mut kind = secrets::by_name(&p).map(str::to_string);
        // The indexing pass scanned this layer's file heads: no read needed.
        let scanned = match (&l.secret_heads, c) {
            (Some(heads), Content::Blob { offset, .. }) => {
                if kind.is_none() {
                    kind = heads.binary_search_by_key(offset, |h| h.0).ok().map(|i| heads[i].1.to_string());
                }
                true
            }
            _ => false,
        };
        hidden.push(Hidden {
            scanned,
            reason: reason(&shown, l.index, n.size(), by, why),
            path: shown,
            layer: l.index,
            size: n.size(),
            by_layer: by,
            why,
            secret: kind.is_some(),
            secret_kind: kind,
            content: Some(c.clone()),
            raw_path: p,
        });
    }
    scan_contents(&mut hidden)?;
    let wasted_bytes = hidden.iter().map(|h| h.size).sum();

    let history_secrets = img
        .history
        .iter()
        .filter_map(|h| {
            let cb = h.entry.created_by.as_deref()?;
            secrets::in_history(cb).map(|v| HistorySecret { layer: h.layer, variable: v, created_by: cb.to_string() })
        })
        .collect();

    let difference = explain(&dive, wasted_bytes, &hidden);
    Ok(Analysis { dive, wasted_bytes, layers, largest, hidden, history_secrets, difference })
}

/// A layer with at least this many hidden files to scan is read in one pass (a seek per file
/// costs a re-inflate from the nearest checkpoint in a gzip layer, and a browser read of ~1 ms
/// in the page: on the big image's 7,953 hidden files that was 100 s against one pass of a
/// few seconds).
const ONE_PASS: usize = 16;

/// Flags hidden files whose first bytes look like a secret ([`secrets::Scanner`]), those not
/// flagged by name and not scanned by the indexing pass already (an uncompressed layer walked
/// header to header, or a compressed one indexed without scanning). Per layer blob the files
/// are read in offset order, in runs ([`scan_run`]): in an uncompressed blob, files less than
/// [`GAP`] apart share a read; in a compressed one, one pass covers them all when there are many.
fn scan_contents(hidden: &mut [Hidden]) -> Result<()> {
    let mut by_blob: Vec<(std::sync::Arc<crate::layer::LayerBlob>, Vec<(u64, u64, usize)>)> = Vec::new();
    for (i, h) in hidden.iter_mut().enumerate() {
        if h.secret_kind.is_some() || h.size == 0 || h.scanned {
            continue;
        }
        let len = h.size.min(secrets::SCAN_LIMIT);
        match &h.content {
            Some(Content::Bytes(b)) => {
                let mut sc = secrets::Scanner::default();
                sc.feed(&b[..len as usize]);
                h.secret_kind = sc.found.map(str::to_string);
            }
            Some(Content::Blob { blob, offset, .. }) => match by_blob.iter_mut().find(|(b, _)| std::sync::Arc::ptr_eq(b, blob)) {
                Some((_, v)) => v.push((*offset, len, i)),
                None => by_blob.push((blob.clone(), vec![(*offset, len, i)])),
            },
            None => {}
        }
    }
    for (blob, mut ranges) in by_blob {
        ranges.sort_unstable();
        // Which files one streaming read covers: an uncompressed blob reads in place, so only
        // files close together share a read; a compressed one re-inflates from a checkpoint for
        // every read, so many files share one pass.
        let gap = if blob.compression == crate::layer::Compression::None {
            GAP
        } else if ranges.len() < ONE_PASS {
            0
        } else {
            u64::MAX
        };
        let mut found: Vec<(usize, &'static str)> = Vec::new();
        let mut from = 0;
        while from < ranges.len() {
            let mut to = from + 1;
            let mut end = ranges[from].0 + ranges[from].1;
            while to < ranges.len() && ranges[to].0.saturating_sub(end) <= gap {
                end = end.max(ranges[to].0 + ranges[to].1);
                to += 1;
            }
            scan_run(&blob, &ranges[from..to], &mut found)?;
            from = to;
        }
        for (i, k) in found {
            hidden[i].secret_kind = Some(k.to_string());
        }
    }
    for h in hidden.iter_mut() {
        h.secret = h.secret_kind.is_some();
    }
    Ok(())
}

/// Files of an uncompressed blob closer than this share one read.
const GAP: u64 = 256 * 1024;

/// Streams the span `ranges` (sorted, `(offset, len, hidden index)`) cover once, feeding each
/// file's scanner the part that is its own.
fn scan_run(blob: &crate::layer::LayerBlob, ranges: &[(u64, u64, usize)], found: &mut Vec<(usize, &'static str)>) -> Result<()> {
    let start = ranges[0].0;
    let end = ranges.iter().map(|r| r.0 + r.1).max().unwrap_or(start);
    let (mut pos, mut next) = (start, 0usize);
    let mut open: Vec<(u64, u64, usize, secrets::Scanner)> = Vec::new();
    blob.for_each_chunk(start, end - start, &mut |c| {
        let cend = pos + c.len() as u64;
        while next < ranges.len() && ranges[next].0 < cend {
            let (o, l, i) = ranges[next];
            open.push((o, o + l, i, secrets::Scanner::default()));
            next += 1;
        }
        for (o, e, _, sc) in open.iter_mut() {
            let a = (*o).max(pos);
            let b = (*e).min(cend);
            if a < b {
                sc.feed(&c[(a - pos) as usize..(b - pos) as usize]);
            }
        }
        open.retain(|(_, e, i, sc)| {
            if *e > cend {
                return true;
            }
            if let Some(k) = sc.found {
                found.push((*i, k));
            }
            false
        });
        pos = cend;
        Ok(())
    })
}

/// Why dive's wasted bytes and the exact figure differ.
fn explain(d: &dive::Dive, exact: u64, hidden: &[Hidden]) -> Vec<String> {
    difference_of(d, exact, hidden)
        .into_iter()
        .map(|(k, args)| {
            let t = DIFFERENCE_EN.iter().find(|e| e.0 == k).map_or(k, |e| e.1);
            args.iter().enumerate().fold(t.to_string(), |s, (i, a)| s.replace(&format!("{{{i}}}"), a))
        })
        .collect()
}

/// Why dive's wasted bytes and the exact figure differ, as message keys (`inspect.diff.*`)
/// and their arguments: the page says them in its language, [`explain`] in English
/// ([`DIFFERENCE_EN`], the English of the message file).
pub fn difference_of(d: &dive::Dive, exact: u64, hidden: &[Hidden]) -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    if d.wasted_bytes == exact {
        return out;
    }
    let by_why = |w: Why| hidden.iter().filter(|h| h.why == w).map(|h| h.size).sum::<u64>();
    let kept: u64 = d.inefficiencies.iter().map(|i| i.min_size).sum();
    out.push(("inspect.diff.counts", vec![human_size(d.wasted_bytes), d.wasted_bytes.to_string(), human_size(exact), exact.to_string()]));
    if kept > 0 {
        out.push(("inspect.diff.kept", vec![human_size(kept)]));
    }
    let opaque = by_why(Why::OpaqueDir);
    if opaque > 0 {
        out.push(("inspect.diff.opaque", vec![human_size(opaque)]));
    }
    let same = by_why(Why::SameLayer);
    if same > 0 {
        out.push(("inspect.diff.same_layer", vec![human_size(same)]));
    }
    out
}

/// The English of [`difference_of`]'s keys.
pub const DIFFERENCE_EN: &[(&str, &str)] = &[
    ("inspect.diff.counts", "dive counts {0} ({1} bytes) of wasted space, the exact figure is {2} ({3} bytes)."),
    (
        "inspect.diff.kept",
        "dive counts every copy of a path touched twice, the copy a container reads too (dive issue #684): at least {0} of its figure is the smallest copies, which may be the kept ones.",
    ),
    ("inspect.diff.opaque", "dive ignores opaque directories (.wh..wh..opq): {0} hidden by them is not in dive's figure."),
    ("inspect.diff.same_layer", "{0} is hidden by entries of the same layer, which dive never compares."),
];

/// Sums hidden sizes per layer, for reports.
pub fn hidden_by_layer(a: &Analysis) -> BTreeMap<usize, u64> {
    let mut m = BTreeMap::new();
    for h in &a.hidden {
        *m.entry(h.layer).or_insert(0) += h.size;
    }
    m
}

/// Bytes of a hidden file [`Analysis::view`] shows.
pub const VIEW_BYTES: u64 = 4096;

/// A hidden file's first bytes: what anyone who pulls the image can read.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Viewed {
    pub index: usize,
    pub path: String,
    pub size: u64,
    /// The first [`VIEW_BYTES`] bytes, as text (invalid UTF-8 replaced).
    pub text: String,
    /// A NUL among them: the page says it is binary.
    pub binary: bool,
}

impl Analysis {
    /// The first bytes of the `index`-th hidden file (one read of at most [`VIEW_BYTES`]).
    pub fn view(&self, index: usize) -> Result<Viewed> {
        let h = self.hidden.get(index).ok_or_else(|| crate::error::Error::usage(format!("there is no hidden file #{index}")))?;
        let len = h.size.min(VIEW_BYTES);
        let mut bytes = Vec::with_capacity(len as usize);
        match &h.content {
            Some(Content::Blob { blob, offset, .. }) => blob.for_each_chunk(*offset, len, &mut |c| {
                bytes.extend_from_slice(c);
                Ok(())
            })?,
            Some(Content::Bytes(b)) => bytes.extend_from_slice(&b[..len as usize]),
            None => {}
        }
        let binary = bytes.contains(&0);
        Ok(Viewed { index, path: h.path.clone(), size: h.size, text: String::from_utf8_lossy(&bytes).into_owned(), binary })
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::{shipped, Lang};

    #[test]
    fn the_differences_english_is_the_message_files_and_both_languages_have_it() {
        let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
        for (k, v) in super::DIFFERENCE_EN {
            assert_eq!(en.get(k), Some(*v), "{k}");
            assert!(zh.contains(k), "{k} missing in zh-CN");
        }
    }
}
