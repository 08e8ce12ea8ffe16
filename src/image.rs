//! Image archives: which images an archive holds, and loading one into layers with metadata.
//!
//! Rules:
//! - An archive is a [`Source`]; its outer tar is read by seeking from header to header
//!   ([`members`]), and every member is a slice of it, read in place.
//! - The format is decided by content: a gzip/zstd blob, or a tar with neither `manifest.json`
//!   nor `index.json`, is a bare layer; `manifest.json` makes a `docker save` archive
//!   ([`docker`], legacy and Docker 25+), otherwise `index.json` an OCI layout or oci-archive
//!   ([`oci`]). Several bare layers stacked in the order given also form an image (no config).
//! - Images are chosen by position, by tag (`RepoTags`, with or without `docker.io/` and
//!   `:latest`) or OCI ref name; by default the first linux/amd64 image, else the first.
//! - Digests are checked unless turned off: each layer's diff_id against the config, its blob
//!   digest and size against the manifest, the config and manifests against their
//!   descriptors. A mismatch is a [`ErrorKind::DigestMismatch`] naming archive, layer, member.
//! - Loading reports progress per layer and can be cancelled (the callback returns `false`).
//!   The result holds layer trees (`Arc<Tree>`) and metadata only, never layer bytes.
//! - The documents an archive holds have one module each, named after the spec's word, with
//!   serde types used both to read them here and to write them (`commit::save`):
//!   [`descriptor`], [`manifest`], [`index`], [`layout`], [`config`], [`docker_manifest`]
//!   (`manifest.json`), [`repositories`]; their [`media_type`]s, [`annotations`] and image
//!   [`reference`]s likewise.

pub mod annotations;
pub mod config;
pub mod descriptor;
pub mod digest;
pub mod docker;
pub mod docker_manifest;
pub mod index;
pub mod layout;
pub mod manifest;
pub mod media_type;
pub mod members;
pub mod oci;
pub mod reference;
pub mod repositories;

use crate::changes::{self, Changes};
use crate::error::{Error, ErrorKind, Result};
use crate::layer::{index_layer, Compression, Entry, IndexOptions, LayerBlob, Limits};
use crate::source::Source;
use crate::tree::Tree;
use crate::union::Stack;
use config::{Config, HistoryRow};
use members::Members;
use std::sync::Arc;

/// What [`Archive::load`]'s passes side by side came to: per layer, its index (or `None`: left
/// to the pass in turn), or the layer whose progress cancelled them all.
type Indexed = std::result::Result<Vec<Option<Result<crate::layer::tarindex::LayerIndex>>>, usize>;

/// How [`Archive::load`] indexes a layer blob of this compression: what another worker's pass
/// must use for its index to stand in for the load's own.
pub fn index_options(compression: Compression, opts: &LoadOptions) -> IndexOptions {
    IndexOptions { verify: opts.verify, hash_files: opts.hash_compressed && compression != Compression::None, limits: opts.limits, ..Default::default() }
}

/// A layer found in its archive, ready for its indexing pass ([`Archive::load`]).
struct Opened {
    i: usize,
    layers: usize,
    diff_id: Option<String>,
    bref: BlobRef,
    label: String,
    member: String,
    src: Source,
    compression: Compression,
    iopts: IndexOptions,
}

impl Opened {
    /// Names the layer and its member in an error.
    fn fail_m(&self) -> impl Fn(Error) -> Error + '_ {
        move |e: Error| e.in_layer(self.label.clone()).at_entry(self.member.clone())
    }
}

/// A blob an image refers to: where it is in the archive and what the image claims about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    /// Member path in the archive (links are followed when it is opened).
    pub path: String,
    pub media_type: Option<String>,
    /// The digest the manifest (or the member's name) claims.
    pub digest: Option<String>,
    /// The size the manifest claims.
    pub size: Option<u64>,
}

/// One image of an archive, before its layers are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Position in the archive (`manifest.json` or `index.json` order).
    pub index: usize,
    pub repo_tags: Vec<String>,
    /// The OCI `org.opencontainers.image.ref.name` annotation.
    pub ref_name: Option<String>,
    /// `os/arch[/variant]` from the index, if it says.
    pub platform: Option<String>,
    pub manifest_digest: Option<String>,
    pub config: Option<BlobRef>,
    pub layers: Vec<BlobRef>,
    /// `manifest.json` `Parent`: the parent image ID a `docker save` recorded (Docker 20.10
    /// writes it when the parent is saved in the same archive).
    pub parent: Option<String>,
}

impl ImageRef {
    /// True if `want` names this image: a ref name or tag, with `docker.io/`, `library/` and
    /// `:latest` optional.
    pub fn matches(&self, want: &str) -> bool {
        let norm = |s: &str| -> String {
            let s = s.strip_prefix("docker.io/").unwrap_or(s);
            let s = s.strip_prefix("library/").unwrap_or(s);
            let last = s.rsplit('/').next().unwrap_or(s);
            if last.contains(':') || last.contains('@') {
                s.to_string()
            } else {
                format!("{s}:latest")
            }
        };
        self.ref_name.as_deref() == Some(want) || self.repo_tags.iter().any(|t| t == want || norm(t) == norm(want))
    }

    /// A short human name: first tag, else ref name, else `#index`.
    pub fn label(&self) -> String {
        self.repo_tags
            .first()
            .cloned()
            .or_else(|| self.ref_name.clone())
            .unwrap_or_else(|| format!("image #{}", self.index))
    }
}

/// What kind of archive was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `docker save`, legacy layout.
    DockerSave,
    /// `docker save` from Docker 25+: an OCI layout plus `manifest.json`.
    DockerOci,
    /// A tarred OCI image layout or an oci-archive.
    OciLayout,
    /// One or more bare layer tarballs.
    Layers,
}

/// Which image of an archive.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selector {
    /// The first linux/amd64 image, else the first.
    #[default]
    Default,
    Index(usize),
    /// A tag or ref name.
    Ref(String),
}

impl Selector {
    /// Parses a command-line selector: a number is a position, anything else a reference.
    pub fn parse(s: &str) -> Selector {
        match s.parse::<usize>() {
            Ok(n) => Selector::Index(n),
            Err(_) => Selector::Ref(s.to_string()),
        }
    }
}

/// How to load an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Check diff_ids, blob digests, sizes, config and manifest digests.
    pub verify: bool,
    /// Hash file contents while a compressed layer is streamed (so listings need not
    /// decompress again). Uncompressed layers are always read in place on demand. Without it,
    /// the first listing or comparison that wants a compressed layer's digests decompresses it
    /// once more ([`crate::layer::content::digest_ahead`], remembered by the blob): the page
    /// leaves it off ([`crate::host::load_options`]), the CLI, which prints them, on.
    pub hash_compressed: bool,
    /// Read only the first `upto` layers.
    pub upto: Option<usize>,
    /// Platform for multi-arch indexes (`os/arch[/variant]`).
    pub platform: Option<String>,
    /// Count each layer's added/modified/deleted paths (compares file contents of same-size
    /// files, which costs a pass over compressed lower layers that were not hashed).
    pub changes: bool,
    pub limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { verify: true, hash_compressed: true, upto: None, platform: None, changes: true, limits: Limits::default() }
    }
}

/// Progress of a load, reported now and then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadProgress {
    /// The layer being read (0 = bottom) and how many there are.
    pub layer: usize,
    pub layers: usize,
    /// Bytes of this layer's blob read so far, and its size.
    pub bytes: u64,
    pub total: u64,
    /// Entries of this layer so far.
    pub entries: u64,
}

/// The most members an outer archive may have.
pub const MAX_MEMBERS: usize = 1_000_000;

/// An opened archive: its format and images, with layers not yet read.
pub struct Archive {
    /// Name for messages (the file name).
    pub name: String,
    pub format: Format,
    pub images: Vec<ImageRef>,
    sources: Vec<Source>,
    members: Members,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive").field("name", &self.name).field("format", &self.format).field("images", &self.images).finish()
    }
}

impl Archive {
    /// Opens an archive (or a bare layer). `verify` checks manifest digests while listing.
    pub fn open(source: Source, name: &str, verify: bool, platform: Option<&str>) -> Result<Archive> {
        Self::open_inner(source, name, verify, platform).map_err(|e| e.in_file(name))
    }

    fn open_inner(source: Source, name: &str, verify: bool, platform: Option<&str>) -> Result<Archive> {
        let comp = crate::layer::compression::detect_source(&*source)?;
        let bare = |source: Source| Archive {
            name: name.to_string(),
            format: Format::Layers,
            images: vec![bare_ref(1)],
            sources: vec![source],
            members: Members::default(),
        };
        if comp != Compression::None {
            return Ok(bare(source));
        }
        if source.is_empty() {
            return Err(Error::truncated("the file is empty"));
        }
        let members = Members::read(&source, MAX_MEMBERS)?;
        let (format, images) = if members.contains("manifest.json") {
            let f = if members.contains("index.json") { Format::DockerOci } else { Format::DockerSave };
            (f, docker::list(&members, &source, verify, platform)?)
        } else if members.contains("index.json") {
            (Format::OciLayout, oci::list(&members, &source, verify, platform)?)
        } else {
            return Ok(bare(source));
        };
        Ok(Archive { name: name.to_string(), format, images, sources: vec![source], members })
    }

    /// Several bare layer tarballs stacked in the order given (bottom first).
    pub fn from_layers(layers: Vec<Source>, name: &str) -> Archive {
        Archive {
            name: name.to_string(),
            format: Format::Layers,
            images: vec![bare_ref(layers.len())],
            sources: layers,
            members: Members::default(),
        }
    }

    /// Finds the image a selector names.
    pub fn select(&self, sel: &Selector) -> Result<&ImageRef> {
        let err = |msg: String| Err(Error::not_found(msg).in_file(self.name.clone()));
        match sel {
            Selector::Index(i) => match self.images.get(*i) {
                Some(x) => Ok(x),
                None => err(format!("there is no image #{i}: the archive holds {} image(s)", self.images.len())),
            },
            Selector::Ref(r) => match self.images.iter().find(|x| x.matches(r)) {
                Some(x) => Ok(x),
                None => {
                    let names: Vec<String> = self.images.iter().map(|x| x.label()).collect();
                    err(format!("no image is tagged '{r}' (images: {})", names.join(", ")))
                }
            },
            Selector::Default => {
                if self.images.is_empty() {
                    return err("the archive holds no image".into());
                }
                let amd = self.images.iter().find(|x| x.platform.as_deref() == Some("linux/amd64"));
                Ok(amd.unwrap_or(&self.images[0]))
            }
        }
    }

    /// Every distinct layer blob of every image, bottom first in image order: its path as the
    /// manifests name it and the blob (a slice of the archive). What another worker indexes
    /// when the page splits an open ([`Self::load_with`]).
    pub fn layer_blobs(&self) -> Result<Vec<(String, Source)>> {
        let mut out: Vec<(String, Source)> = Vec::new();
        for r in &self.images {
            for (i, b) in r.layers.iter().enumerate() {
                if out.iter().any(|(p, _)| *p == b.path) {
                    continue;
                }
                let src = if self.format == Format::Layers {
                    self.sources[i].clone()
                } else {
                    self.members.open(&self.sources[0], &b.path).map_err(|e| e.in_file(self.name.clone()))?.1
                };
                out.push((b.path.clone(), src));
            }
        }
        Ok(out)
    }

    /// [`Self::load`], taking the index of a layer from `indexes` (by its blob's path, as
    /// [`Self::layer_blobs`] names it) where another pass made one: checked against the blob
    /// and the digests as a handed-over index is ([`Self::load_indexed`]); others are indexed.
    /// An index only this layer of this image refers to is taken out of `indexes`, not copied
    /// (the big image's: 1-4 ms natively).
    pub fn load_with(
        &self,
        sel: &Selector,
        opts: &LoadOptions,
        progress: &mut dyn FnMut(LoadProgress) -> bool,
        indexes: &mut Vec<(String, crate::layer::tarindex::LayerIndex)>,
    ) -> Result<Image> {
        let r = self.select(sel)?;
        let uses = |path: &str| self.images.iter().flat_map(|x| &x.layers).filter(|b| b.path == path).count();
        let pre = r
            .layers
            .iter()
            .map(|b| {
                let k = indexes.iter().position(|(p, _)| *p == b.path)?;
                Some(if uses(&b.path) > 1 { indexes[k].1.clone() } else { indexes.swap_remove(k).1 })
            })
            .collect();
        self.load_ref(r, opts, progress, pre).map_err(|e| e.in_file(self.name.clone()))
    }

    /// Reads one image: config, every layer (indexed, verified), trees and changes.
    pub fn load(
        &self,
        sel: &Selector,
        opts: &LoadOptions,
        progress: &mut dyn FnMut(LoadProgress) -> bool,
    ) -> Result<Image> {
        let r = self.select(sel)?;
        self.load_ref(r, opts, progress, Vec::new()).map_err(|e| e.in_file(self.name.clone()))
    }

    /// Loads an image whose layers were indexed before, by another pass over the same archive
    /// (another worker's, handed over as [`crate::layer::indexfile`] bytes): no layer is read
    /// again. Each index must match its layer blob's size and compression.
    pub fn load_indexed(&self, sel: &Selector, opts: &LoadOptions, indexes: Vec<crate::layer::tarindex::LayerIndex>) -> Result<Image> {
        let r = self.select(sel)?;
        if indexes.len() != r.layers.len() {
            return Err(Error::corrupt(format!("the image has {} layers, the index {}", r.layers.len(), indexes.len())).in_file(self.name.clone()));
        }
        self.load_ref(r, opts, &mut |_| true, indexes.into_iter().map(Some).collect()).map_err(|e| e.in_file(self.name.clone()))
    }

    fn load_ref(
        &self,
        r: &ImageRef,
        opts: &LoadOptions,
        progress: &mut dyn FnMut(LoadProgress) -> bool,
        mut prebuilt: Vec<Option<crate::layer::tarindex::LayerIndex>>,
    ) -> Result<Image> {
        let verify = opts.verify;
        let config = match &r.config {
            Some(c) => Some(self.read_config(c, opts.verify)?),
            None => None,
        };
        let count = opts.upto.map_or(r.layers.len(), |u| u.min(r.layers.len()));
        let diff_ids = config.as_ref().map(|c| c.diff_ids().to_vec()).unwrap_or_default();
        if config.is_some() && diff_ids.len() != r.layers.len() {
            return Err(Error::corrupt(format!(
                "the manifest lists {} layer(s) but the config has {} diff_id(s)",
                r.layers.len(),
                diff_ids.len()
            )));
        }
        let mut layers: Vec<Layer> = Vec::with_capacity(count);
        let mut warnings = Vec::new();
        prebuilt.resize_with(count.max(prebuilt.len()), || None);
        let mut opened = Vec::with_capacity(count);
        for i in 0..count {
            opened.push(self.open_layer(r, i, diff_ids.get(i), verify, opts));
        }
        let mut indexed = match self.index_layers(&opened, &prebuilt, progress) {
            Ok(v) => v,
            // Cancelled while layer `k` reported: named as the pass in turn would name it.
            Err(k) => {
                let e = Error::new(ErrorKind::Io, "cancelled");
                return Err(match &opened[k] {
                    Ok(o) => (o.fail_m())(e),
                    Err(_) => e,
                });
            }
        };
        for (i, o) in opened.into_iter().enumerate() {
            let o = o?;
            let idx = match indexed[i].take() {
                Some(idx) => idx.map_err(|e| (o.fail_m())(e))?,
                None => self.checked_index(&o, prebuilt[i].take(), opts, progress)?,
            };
            layers.push(self.finish_layer(o, idx, verify, &mut warnings)?);
        }
        // Chain IDs and changes need every layer below.
        let ids: Vec<String> = layers.iter().map(|l| l.diff_id.clone().unwrap_or_default()).collect();
        if ids.iter().all(|d| !d.is_empty()) {
            for (l, c) in layers.iter_mut().zip(digest::chain_ids(&ids)) {
                l.chain_id = Some(c);
            }
        }
        for i in (0..layers.len()).filter(|_| opts.changes) {
            let below = Stack::new(layers[..i].iter().map(|l| l.tree.clone()).collect());
            let ch = changes::layer_changes(&below, &layers[i].tree).map_err(|e| e.in_layer(layers[i].label.clone()))?;
            layers[i].changes = ch;
        }
        let history = match &config {
            Some(c) => config::map_history(&c.file.history, r.layers.len()),
            None => config::map_history(&[], r.layers.len()),
        };
        Ok(Image {
            archive: self.name.clone(),
            format: self.format,
            reference: r.clone(),
            config,
            total_layers: r.layers.len(),
            layers,
            history,
            warnings,
        })
    }

    fn read_config(&self, c: &BlobRef, verify: bool) -> Result<Config> {
        let bytes = self.members.read_small(&self.sources[0], &c.path, config::MAX_JSON)?;
        let cfg = Config::parse(&bytes).map_err(|e| e.at_entry(c.path.clone()))?;
        if verify {
            if let Some(want) = &c.digest {
                if *want != cfg.digest {
                    return Err(Error::new(
                        ErrorKind::DigestMismatch,
                        format!("the config hashes to {}, not {want}", cfg.digest),
                    )
                    .at_entry(c.path.clone()));
                }
            }
        }
        Ok(cfg)
    }

    /// Finds layer `i`'s blob and what its indexing pass needs (no layer byte read but the
    /// compression magic).
    fn open_layer(&self, r: &ImageRef, i: usize, diff_id: Option<&String>, verify: bool, opts: &LoadOptions) -> Result<Opened> {
        let bref = r.layers[i].clone();
        let short = bref.digest.as_deref().or(diff_id.map(|s| s.as_str())).map(crate::digest::short_id);
        let label = match short {
            Some(s) => format!("layer {i} (sha256:{s})"),
            None => format!("layer {i}"),
        };
        let (member, src) = if self.format == Format::Layers {
            (self.name.clone(), self.sources[i].clone())
        } else {
            self.members.open(&self.sources[0], &bref.path).map_err(|e| e.in_layer(label.clone()))?
        };
        let fail_m = |e: Error| e.in_layer(label.clone()).at_entry(member.clone());
        if let Some(sz) = bref.size {
            if verify && sz != src.len() {
                return Err(fail_m(Error::new(
                    ErrorKind::DigestMismatch,
                    format!("the layer blob has {} bytes, not {sz} as the manifest says", src.len()),
                )));
            }
        }
        let compression = crate::layer::compression::detect_source(&*src).map_err(|e| e.in_layer(label.clone()).at_entry(bref.path.clone()))?;
        let iopts = index_options(compression, opts);
        Ok(Opened { i, layers: r.layers.len(), diff_id: diff_id.cloned(), bref, label, member, src, compression, iopts })
    }

    /// Indexes every opened layer that no index was handed over for, several at once where
    /// the machine has the cores (natively: one thread per core, taking jobs biggest first; a
    /// big gzip layer that is not being verified is split into pieces inflated side by side,
    /// [`crate::layer::tarindex::index_piece`]; the page's worker has no threads and indexes
    /// them in turn). Progress still arrives per layer, on the caller's thread, and its `false`
    /// cancels every pass. `None` for a layer left to [`Self::checked_index`] (handed over, not
    /// opened, indexed in turn, or pieces that did not join); `Err(k)` when the callback
    /// cancelled while layer `k` reported.
    #[cfg(not(target_arch = "wasm32"))]
    fn index_layers(
        &self,
        opened: &[Result<Opened>],
        prebuilt: &[Option<crate::layer::tarindex::LayerIndex>],
        progress: &mut dyn FnMut(LoadProgress) -> bool,
    ) -> Indexed {
        use crate::layer::tarindex::{index_piece, join_pieces, LayerIndex, Piece, PieceSpec};
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        enum Done {
            Whole(Result<LayerIndex>),
            Part(Result<Piece>),
        }
        let mut out: Vec<Option<Result<LayerIndex>>> = (0..opened.len()).map(|_| None).collect();
        // Layers up to the first that cannot be opened (its error is reported in order).
        let todo: Vec<&Opened> = opened.iter().map_while(|o| o.as_ref().ok()).filter(|o| prebuilt[o.i].is_none()).collect();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let total: u64 = todo.iter().map(|o| o.src.len()).sum();
        // Jobs: (layer, piece), biggest first, so the longest pass starts at once. A gzip layer
        // bigger than its share of a core's work is cut into parts about that share's size.
        let mut jobs: Vec<(&Opened, Option<PieceSpec>, u64)> = Vec::new();
        for o in &todo {
            let n = crate::layer::tarindex::piece_count(o.compression, o.src.len(), total, cores);
            if n < 2 || o.iopts.verify {
                jobs.push((o, None, o.src.len()));
                continue;
            }
            for spec in crate::layer::tarindex::plan_pieces(o.src.clone(), n) {
                let size = spec.until.map_or(o.src.len(), |c| c.input) - spec.from.map_or(0, |c| c.input);
                jobs.push((o, (spec.from.is_some() || spec.until.is_some()).then_some(spec), size));
            }
        }
        let threads = cores.min(jobs.len());
        if threads < 2 {
            return Ok(out);
        }
        jobs.sort_by_key(|j| std::cmp::Reverse(j.2));
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let mut cancelled_at = None;
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Option<Done>, crate::layer::Progress)>();
        let mut parts: Vec<Vec<(Option<crate::layer::boundary::Cut>, Result<Piece>)>> = (0..opened.len()).map(|_| Vec::new()).collect();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let (tx, jobs, next, stop) = (tx.clone(), &jobs, &next, &stop);
                scope.spawn(move || loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(o, spec, _)) = jobs.get(j) else { break };
                    let mut report = |p| {
                        let _ = tx.send((j, None, p));
                        !stop.load(Ordering::Relaxed)
                    };
                    let done = match spec {
                        None => Done::Whole(index_layer(o.src.clone(), &o.iopts, &mut report)),
                        Some(spec) => Done::Part(index_piece(o.src.clone(), &o.iopts, spec, &mut report)),
                    };
                    let _ = tx.send((j, Some(done), crate::layer::Progress::default()));
                });
            }
            drop(tx);
            let layers = opened.first().and_then(|o| o.as_ref().ok()).map_or(0, |o| o.layers);
            // Progress per layer: the sum over its jobs' latest reports.
            let mut latest = vec![crate::layer::Progress::default(); jobs.len()];
            for (j, done, p) in rx {
                let (o, spec, _) = jobs[j];
                match done {
                    Some(Done::Whole(r)) => out[o.i] = Some(r),
                    Some(Done::Part(r)) => parts[o.i].push((spec.and_then(|s| s.from), r)),
                    None => {
                        latest[j] = p;
                        let (mut bytes, mut entries) = (0, 0);
                        for (k, q) in latest.iter().enumerate() {
                            if jobs[k].0.i == o.i {
                                bytes += q.bytes;
                                entries += q.entries;
                            }
                        }
                        if !stop.load(Ordering::Relaxed) && !progress(LoadProgress { layer: o.i, layers, bytes, total: p.total, entries }) {
                            stop.store(true, Ordering::Relaxed);
                            cancelled_at = Some(o.i);
                        }
                    }
                }
            }
        });
        if let Some(k) = cancelled_at {
            return Err(k);
        }
        // Pieces joined; a layer whose pieces failed or did not meet is left for one pass.
        for (i, mut ps) in parts.into_iter().enumerate() {
            if ps.is_empty() {
                continue;
            }
            ps.sort_by_key(|(from, _)| from.map(|c| c.bit()));
            let Some(o) = todo.iter().find(|o| o.i == i) else { continue };
            let pieces: Option<Vec<Piece>> = ps.into_iter().map(|(_, r)| r.ok()).collect();
            out[i] = pieces.and_then(|p| join_pieces(p, o.src.len(), &o.iopts)).map(Ok);
        }
        Ok(out)
    }

    #[cfg(target_arch = "wasm32")]
    fn index_layers(
        &self,
        opened: &[Result<Opened>],
        _prebuilt: &[Option<crate::layer::tarindex::LayerIndex>],
        _progress: &mut dyn FnMut(LoadProgress) -> bool,
    ) -> Indexed {
        Ok((0..opened.len()).map(|_| None).collect())
    }

    /// Layer `o`'s index: the one handed over, checked as the indexing pass would have
    /// bounded it, or a pass over its blob now. Never inlined, as [`Tree::from_entries`]: its
    /// check of every entry made the browser compile the whole load again.
    #[inline(never)]
    fn checked_index(
        &self,
        o: &Opened,
        prebuilt: Option<crate::layer::tarindex::LayerIndex>,
        opts: &LoadOptions,
        progress: &mut dyn FnMut(LoadProgress) -> bool,
    ) -> Result<crate::layer::tarindex::LayerIndex> {
        let (src, compression, fail_m) = (&o.src, o.compression, o.fail_m());
        Ok(match prebuilt {
            Some(idx) if idx.compressed_size != src.len() || idx.compression != compression => {
                return Err(fail_m(Error::corrupt("the index handed over was made from another blob")));
            }
            Some(idx) => {
                // Handed over, so checked as the indexing pass would have bounded it.
                let cap = if compression == Compression::None { src.len() } else { opts.limits.inflated_cap(src.len()) };
                let past = idx.entries.iter().find(|e| e.offset.checked_add(e.size).map_or(true, |end| end > idx.uncompressed_size));
                let seek_past = idx.seek.as_ref().is_some_and(|s| s.points.iter().any(|p| p.input > src.len() || p.output > idx.uncompressed_size));
                if idx.uncompressed_size > cap || idx.entries.len() > opts.limits.max_entries || past.is_some() || seek_past {
                    return Err(fail_m(Error::corrupt("the index handed over does not fit this layer")));
                }
                // A verified load checks digests the other pass computed: it must have.
                if opts.verify && (idx.diff_id.is_none() || idx.blob_digest.is_none()) {
                    return Err(fail_m(Error::corrupt("the index handed over was made without verifying the layer")));
                }
                idx
            }
            None => {
                let (i, layers) = (o.i, o.layers);
                index_layer(src.clone(), &o.iopts, &mut |p| {
                    progress(LoadProgress { layer: i, layers, bytes: p.bytes, total: p.total, entries: p.entries })
                })
                .map_err(&fail_m)?
            }
        })
    }

    /// Layer `o` from its index: digests checked, its tree built.
    fn finish_layer(&self, o: Opened, idx: crate::layer::tarindex::LayerIndex, verify: bool, warnings: &mut Vec<String>) -> Result<Layer> {
        let Opened { i, diff_id, bref, label, member, src, compression, .. } = o;
        let fail_m = |e: Error| e.in_layer(label.clone()).at_entry(member.clone());
        let diff_id = diff_id.as_ref();
        let bref = &bref;
        if verify {
            if let (Some(want), Some(got)) = (diff_id, &idx.diff_id) {
                if want != got {
                    return Err(fail_m(Error::new(
                        ErrorKind::DigestMismatch,
                        format!("the uncompressed layer hashes to {got}, but the config's diff_id is {want}"),
                    )));
                }
            }
            if let (Some(want), Some(got)) = (&bref.digest, &idx.blob_digest) {
                if want != got {
                    return Err(fail_m(Error::new(
                        ErrorKind::DigestMismatch,
                        format!("the layer blob hashes to {got}, but the manifest says {want}"),
                    )));
                }
            }
        }
        let blob = Arc::new(LayerBlob { source: src.clone(), compression, label: Arc::from(label.as_str()), seek: idx.seek.clone(), memo: Default::default() });
        let mut w = Vec::new();
        let tree = Tree::from_entries(&idx.entries, Some(&blob), &mut w).map_err(&fail_m)?;
        for x in w {
            warnings.push(format!("{}, {label}: {x}", self.name));
        }
        let diff_id = idx.diff_id.clone().or_else(|| diff_id.cloned());
        let blob_digest = idx.blob_digest.clone().or_else(|| bref.digest.clone()).or_else(|| {
            // An uncompressed blob is its own diff.
            (compression == Compression::None).then(|| diff_id.clone()).flatten()
        });
        let size = changes::disk_usage(&tree);
        Ok(Layer {
            index: i,
            label,
            member,
            media_type: bref.media_type.clone(),
            compression,
            blob_digest,
            diff_id,
            chain_id: None,
            compressed_size: src.len(),
            uncompressed_size: idx.uncompressed_size,
            entries: idx.entries,
            secret_heads: idx.secret_heads,
            tree: Arc::new(tree),
            blob,
            changes: Changes::default(),
            size,
        })
    }
}

fn bare_ref(n: usize) -> ImageRef {
    ImageRef {
        index: 0,
        repo_tags: Vec::new(),
        ref_name: None,
        platform: None,
        manifest_digest: None,
        config: None,
        parent: None,
        layers: (0..n)
            .map(|i| BlobRef { path: format!("layer {i}"), media_type: None, digest: None, size: None })
            .collect(),
    }
}

/// One loaded layer.
#[derive(Debug, Clone)]
pub struct Layer {
    /// 0 = bottom.
    pub index: usize,
    /// `layer N (sha256:abcdef123456)`, for messages.
    pub label: String,
    /// The archive member it was read from (links followed), or the file name.
    pub member: String,
    pub media_type: Option<String>,
    pub compression: Compression,
    pub blob_digest: Option<String>,
    pub diff_id: Option<String>,
    pub chain_id: Option<String>,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    /// The layer's tar entries in tar order (names cleaned, root dropped).
    pub entries: Vec<Entry>,
    /// Files whose first bytes look like a secret, by content offset, when the indexing pass
    /// read contents ([`crate::layer::LayerIndex::secret_heads`]).
    pub secret_heads: Option<Vec<(u64, &'static str)>>,
    /// The layer directory as overlay2 extracts it.
    pub tree: Arc<Tree>,
    pub blob: Arc<LayerBlob>,
    /// Added/modified/deleted against the layers below.
    pub changes: Changes,
    /// Bytes the layer directory takes as Docker counts it (`docker history` SIZE).
    pub size: u64,
}

impl Layer {
    /// What the indexing pass learned of this layer, for handing it to another worker
    /// ([`crate::layer::indexfile`]).
    pub fn index_parts(&self) -> crate::layer::indexfile::Parts<'_> {
        crate::layer::indexfile::Parts {
            compression: self.compression,
            compressed_size: self.compressed_size,
            uncompressed_size: self.uncompressed_size,
            diff_id: self.diff_id.as_deref(),
            blob_digest: self.blob_digest.as_deref(),
            entries: &self.entries,
            seek: self.blob.seek.as_deref(),
            secret_heads: self.secret_heads.as_deref(),
        }
    }
}

/// A loaded image.
#[derive(Debug, Clone)]
pub struct Image {
    pub archive: String,
    pub format: Format,
    pub reference: ImageRef,
    pub config: Option<Config>,
    /// Layers loaded (all, or the first `upto`).
    pub layers: Vec<Layer>,
    /// Layers the image has.
    pub total_layers: usize,
    pub history: Vec<HistoryRow>,
    /// Things Docker would refuse but we accept, one sentence each.
    pub warnings: Vec<String>,
}

impl Image {
    /// The `created_by` of the history row that made layer `index` (empty when none says).
    pub fn created_by(&self, index: usize) -> String {
        self.history.iter().find(|h| h.layer == Some(index)).and_then(|h| h.entry.created_by.clone()).unwrap_or_default()
    }

    /// The image ID: the config digest.
    pub fn id(&self) -> Option<&str> {
        self.config.as_ref().map(|c| c.digest.as_str())
    }

    /// The union of the first `upto` layers (all when `None`).
    pub fn stack(&self, upto: Option<usize>) -> Stack {
        let n = upto.map_or(self.layers.len(), |u| u.min(self.layers.len()));
        Stack::new(self.layers[..n].iter().map(|l| l.tree.clone()).collect())
    }

    /// Resolves a layer argument: 0 = bottom, negative counts from the top (-1 = top).
    pub fn layer_index(&self, k: i64) -> Result<usize> {
        let n = self.layers.len() as i64;
        let i = if k < 0 { n + k } else { k };
        if i < 0 || i >= n {
            return Err(Error::not_found(format!("there is no layer {k}: the image has {n} layer(s)")).in_file(self.archive.clone()));
        }
        Ok(i as usize)
    }
}
