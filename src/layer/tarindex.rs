//! Indexing a layer's tar stream (POSIX ustar, GNU and PAX extensions, via the `tar` crate).
//!
//! Each tar header becomes an [`Entry`] at once, so nothing past this module sees `tar::Header`.
//! Uncompressed layers are walked by seeking from header to header (contents are never read
//! unless files are hashed or the layer is verified); compressed ones are streamed once.
//! Verification hashes the uncompressed stream (the diff_id) and, for compressed layers, the blob
//! (its digest) in the same pass.
//!
//! A big gzip layer that is not being verified can instead be indexed in pieces, one per core
//! ([`plan_pieces`], [`index_piece`], [`join_pieces`]): each later piece starts inflating at a
//! DEFLATE block boundary found in the middle of the member ([`super::boundary`]) once its
//! output no longer depends on the unknown window, finds a tar header by its checksum, and the
//! pieces are joined where the earlier one, inflating from the start, lands on the same
//! header. Pieces that do not meet so are thrown away and the layer gets one pass: a wrong
//! guess costs time, never a wrong entry.
//!
//! A big uncompressed layer that is not being verified is split the same way, more simply
//! ([`walk_piece`]): its pieces start at byte offsets, each later one finds a tar header by its
//! checksum and walks from header to header as [`walk_headers`] does, and they are joined as
//! gzip pieces are (two readers of one file at once are served faster than one: README,
//! Benchmarks). The two walks stay two loops: the page's worker walks whole layers, and the
//! piece's bookkeeping and header search cost its first load 1.2-2.5 KB of gzip (measured).

use super::boundary::Cut;
use super::{clean_name, whiteout, Compression, Entry, EntryKind};
use crate::error::{Error, ErrorKind, Result};
use crate::digest::{prefixed, Hasher};
use crate::source::{Source, SourceReader};
use std::io::{self, Read, Seek, SeekFrom};

/// Bounds on what a layer may cost to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most entries one layer may have.
    pub max_entries: usize,
    /// A compressed layer may not inflate past this many bytes ...
    pub bomb_floor: u64,
    /// ... unless it stays under this ratio to its compressed size.
    pub bomb_ratio: u64,
    /// Largest name or link target accepted (PAX allows any size).
    pub max_name: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entries: 4_000_000, bomb_floor: 1 << 30, bomb_ratio: 200, max_name: 64 * 1024 }
    }
}

impl Limits {
    /// The most a compressed blob of `compressed` bytes may inflate to.
    pub fn inflated_cap(&self, compressed: u64) -> u64 {
        self.bomb_floor.max(compressed.saturating_mul(self.bomb_ratio))
    }
}

/// How to index a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexOptions {
    /// Hash the whole stream (diff_id) and the blob (digest) to check them.
    pub verify: bool,
    /// Record each regular file's SHA-256 (costs reading every byte).
    pub hash_files: bool,
    /// When the pass streams (a compressed or verified layer), scan each regular file's first
    /// [`crate::secrets::SCAN_LIMIT`] bytes for secret patterns on the way
    /// ([`LayerIndex::secret_heads`]), so an analysis need not read them again.
    pub scan_secrets: bool,
    pub limits: Limits,
    /// Uncompressed bytes between seek checkpoints of a compressed layer ([`super::seek::SPAN`]).
    pub seek_span: u64,
    /// When verifying a compressed layer, hash the blob here (off: another worker hashes it,
    /// and [`LayerIndex::blob_digest`] is left for it).
    pub hash_blob: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions { verify: true, hash_files: false, scan_secrets: true, limits: Limits::default(), seek_span: super::seek::SPAN, hash_blob: true }
    }
}

/// Progress of an indexing pass, reported every few entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Bytes of the blob consumed so far (compressed bytes for compressed layers).
    pub bytes: u64,
    /// Total bytes of the blob.
    pub total: u64,
    pub entries: u64,
}

/// The result of indexing a layer.
#[derive(Debug, Clone)]
pub struct LayerIndex {
    pub compression: Compression,
    pub compressed_size: u64,
    /// Length of the uncompressed tar stream (as far as it was read; exact when verified or
    /// uncompressed).
    pub uncompressed_size: u64,
    pub entries: Vec<Entry>,
    /// `sha256:...` of the uncompressed stream, when verified.
    pub diff_id: Option<String>,
    /// `sha256:...` of the blob, when verified.
    pub blob_digest: Option<String>,
    /// Where reads of a compressed stream can start, built by this pass (see [`super::seek`]).
    pub seek: Option<std::sync::Arc<super::seek::SeekIndex>>,
    /// Files whose first bytes look like a secret, as (content offset, what it looks like),
    /// found by this pass; `None` when the pass read no contents (an uncompressed layer walked
    /// header to header, or [`IndexOptions::scan_secrets`] off).
    pub secret_heads: Option<Vec<(u64, &'static str)>>,
}

impl LayerIndex {
    /// Nothing found yet in a blob of `compressed_size` bytes (secret findings: none yet).
    pub fn empty(compression: Compression, compressed_size: u64) -> Self {
        LayerIndex {
            compression,
            compressed_size,
            uncompressed_size: 0,
            entries: Vec::new(),
            diff_id: None,
            blob_digest: None,
            seek: None,
            secret_heads: Some(Vec::new()),
        }
    }
}

/// A reader that counts and optionally hashes what passes through it, and enforces the bomb
/// limit on a decompressed stream.
struct Meter<'t, R> {
    inner: R,
    count: u64,
    hash: Option<Hasher>,
    /// Sees every byte instead of `hash` ([`index_layer_tee`]).
    tee: Option<Tee<'t>>,
    cap: u64,
    /// Bytes already counted, handed out again (from `again.1` on) before `inner`'s
    /// ([`resync`]).
    again: (Vec<u8>, usize),
}

impl<R: Read> Read for Meter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (again, at) = &mut self.again;
        if *at < again.len() {
            let n = buf.len().min(again.len() - *at);
            buf[..n].copy_from_slice(&again[*at..*at + n]);
            *at += n;
            return Ok(n);
        }
        let n = self.inner.read(buf)?;
        if let Some(h) = self.hash.as_mut() {
            h.update(&buf[..n]);
        }
        if let Some(t) = self.tee.as_mut() {
            t(&buf[..n]);
        }
        self.count += n as u64;
        if self.count > self.cap {
            return Err(io::Error::new(io::ErrorKind::Other, BombError(self.cap)));
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Meter<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let p = self.inner.seek(pos)?;
        self.count = p;
        Ok(p)
    }
}

#[derive(Debug)]
struct BombError(u64);
impl std::fmt::Display for BombError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the layer inflates past {} bytes, far beyond its compressed size: a decompression bomb?", self.0)
    }
}
impl std::error::Error for BombError {}

/// Shares a meter between the tar reader and us (to read counts while the archive borrows it).
struct Shared<R>(std::rc::Rc<std::cell::RefCell<R>>);
impl<R> Clone for Shared<R> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}
impl<R: Read> Read for Shared<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}
impl<R: Seek> Seek for Shared<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.borrow_mut().seek(pos)
    }
}
fn io_err(e: io::Error) -> Error {
    if let Some(b) = e.get_ref().and_then(|r| r.downcast_ref::<BombError>()) {
        return Error::new(ErrorKind::TooLarge, b.to_string());
    }
    let msg = e.to_string();
    if msg.contains("unexpected EOF") {
        // The tar crate reports a short skip over content as `Other`.
        return Error::truncated("the layer ends in the middle of a tar entry (truncated)");
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::truncated(if msg.contains("truncated") {
            msg
        } else {
            "the layer ends in the middle of a tar entry (truncated)".into()
        }),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::Other => {
            Error::corrupt(msg)
        }
        _ => Error::io(&e),
    }
}

/// Indexes one layer blob. `progress` is called now and then; returning `false` cancels.
pub fn index_layer(
    blob: Source,
    opts: &IndexOptions,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<LayerIndex> {
    index_layer_tee(blob, opts, progress, None)
}

/// An uncompressed layer walked from header to header, seeking over contents (what an
/// unverified load does; nothing is hashed, no file head is read). Before each header is read,
/// `pace` is awaited with where that header ends: a reader that reads the whole blob in order
/// (the page's verified loads, which hash every byte on the way) reads up to there first, at
/// its own pace, and the walk then finds the header already read. A wrong guess (a header after
/// PAX records, say) only means the source reads on by itself. The synchronous callers pass a
/// `pace` that is always ready ([`run_ready`]).
pub async fn walk_headers<F: std::future::Future<Output = ()>>(
    blob: Source,
    opts: &IndexOptions,
    progress: &mut dyn FnMut(Progress) -> bool,
    mut pace: impl FnMut(u64) -> F,
) -> Result<LayerIndex> {
    let total = blob.len();
    let rdr = SourceReader::new(blob);
    let mut out = LayerIndex::empty(Compression::None, total);
    out.secret_heads = None;
    let mut ar = tar::Archive::new(rdr);
    let mut last_end = 0u64;
    let mut iter = ar.entries_with_seek().map_err(io_err)?;
    let mut i = 0usize;
    loop {
        pace(last_end.next_multiple_of(512).saturating_add(512)).await;
        let Some(e) = iter.next() else { break };
        let mut e = e.map_err(io_err).map_err(|err| after(err, &out.entries))?;
        let entry = convert(&mut e, opts)?;
        let end = content_end(&entry, e.size(), total)?;
        last_end = last_end.max(end);
        if !entry.path.is_empty() {
            push(&mut out.entries, entry, opts)?;
        }
        if i % 256 == 0 && !progress(Progress { bytes: last_end, total, entries: out.entries.len() as u64 }) {
            return Err(cancelled());
        }
        i += 1;
    }
    out.uncompressed_size = total;
    progress(Progress { bytes: total, total, entries: out.entries.len() as u64 });
    Ok(out)
}

/// Where an entry's content (`size` bytes from its offset) ends; an error naming the entry when
/// that is past the layer's end (`total`), so a header walk never seeks beyond the blob.
fn content_end(entry: &Entry, size: u64, total: u64) -> Result<u64> {
    let end = entry.offset.saturating_add(size);
    if end > total {
        return Err(Error::truncated(format!(
            "the entry claims {size} bytes of content but the layer ends {} bytes after its header",
            total.saturating_sub(entry.offset)
        ))
        .at_entry(entry.display_path()));
    }
    Ok(end)
}

/// Runs a future whose every await is ready at once (a [`walk_headers`] paced by nothing) to
/// its end, on this thread: no executor is needed, and none is pulled in. (Its waker does
/// nothing; `Waker::noop` needs Rust 1.85, this crate builds on 1.80.)
pub fn run_ready<T>(f: impl std::future::Future<Output = T>) -> T {
    struct Nothing;
    impl std::task::Wake for Nothing {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Nothing));
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(&waker);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Whoever is handed every byte of the uncompressed stream ([`index_layer_tee`]).
pub type Tee<'t> = &'t mut dyn FnMut(&[u8]);

/// [`index_layer`], handing every byte of the uncompressed stream to `tee` instead of hashing
/// it (when verifying: [`LayerIndex::diff_id`] is then left for whoever hashes what `tee` saw;
/// the page's worker does, while a layer worker inflates, so the two run on two cores).
pub fn index_layer_tee(
    blob: Source,
    opts: &IndexOptions,
    progress: &mut dyn FnMut(Progress) -> bool,
    tee: Option<Tee<'_>>,
) -> Result<LayerIndex> {
    let compression = super::compression::detect_source(&*blob)?;
    if compression == Compression::None && !opts.verify && !opts.hash_files && tee.is_none() {
        // Seek from header to header.
        return run_ready(walk_headers(blob, opts, progress, |_| std::future::ready(())));
    }
    let total = blob.len();
    let raw = std::rc::Rc::new(std::cell::RefCell::new(Meter {
        inner: SourceReader::new(blob.clone()),
        count: 0,
        hash: (opts.verify && opts.hash_blob && compression != Compression::None).then(Hasher::new),
        tee: None,
        cap: u64::MAX,
        again: (Vec::new(), 0),
    }));
    let mut out = LayerIndex::empty(compression, total);
    out.secret_heads = None;

    // Streaming pass: decompress (if needed), hash the stream (if verifying), read contents.
    let mut heads: Vec<(u64, &'static str)> = Vec::new();
    let points: super::seek::Sink = Default::default();
    let decoded: Box<dyn Read> = match compression {
        Compression::None => Box::new(Shared(raw.clone())),
        c => super::seek::decode_indexed(c, Box::new(Shared(raw.clone())), points.clone(), opts.seek_span)?,
    };
    let cap = if compression == Compression::None { u64::MAX } else { opts.limits.inflated_cap(total) };
    let stream = std::rc::Rc::new(std::cell::RefCell::new(Meter {
        inner: decoded,
        count: 0,
        hash: (opts.verify && tee.is_none()).then(Hasher::new),
        tee,
        cap,
        again: (Vec::new(), 0),
    }));
    let rc = raw.clone();
    walk(&Shared(stream.clone()), opts, None, &mut heads, &mut out.entries, &mut |n| {
        progress(Progress { bytes: rc.borrow().count, total, entries: n })
    })?;
    // Drain the rest of the stream (padding, end-of-archive blocks, trailing bytes): the diff_id
    // covers all of it. Without verification there is nothing to gain from reading on.
    if opts.verify {
        let mut s = stream.borrow_mut();
        io::copy(&mut *s, &mut io::sink()).map_err(io_err)?;
        if compression != Compression::None {
            let mut r = raw.borrow_mut();
            io::copy(&mut *r, &mut io::sink()).map_err(io_err)?;
        }
    }
    if opts.scan_secrets {
        out.secret_heads = Some(heads);
    }
    let mut s = stream.borrow_mut();
    out.uncompressed_size = s.count;
    if let Some(h) = s.hash.take() {
        out.diff_id = Some(prefixed(&h.finalize()));
    }
    let mut r = raw.borrow_mut();
    if let Some(h) = r.hash.take() {
        out.blob_digest = Some(prefixed(&h.finalize()));
    } else if compression == Compression::None {
        out.blob_digest = out.diff_id.clone();
    }
    if compression != Compression::None {
        let points = std::mem::take(&mut *points.borrow_mut());
        out.seek = Some(std::sync::Arc::new(super::seek::SeekIndex { points }));
    }
    progress(Progress { bytes: total, total, entries: out.entries.len() as u64 });
    Ok(out)
}

/// Where the walk of a piece starts and stops ([`index_piece`]).
struct Bounds<'a> {
    /// Offset of the walk's first header in the piece's output.
    origin: u64,
    /// Where the next piece's start fell in this piece's output, once passed.
    until: Option<&'a super::seek::Watch>,
    /// Note the first headers ([`Piece::headers`]).
    note: bool,
}

/// The streaming pass's walk of the tar stream (one copy for a whole layer and a piece): each
/// entry converted, its content read as the options want ([`read_content`]), taken. For a piece, offsets count from
/// its start, the first headers are noted, and the walk stops at the first header [`GUARD`]
/// past where the next piece starts (returned). `progress` gets the entries taken so far.
fn walk(
    stream: &Shared<Meter<'_, Box<dyn Read>>>,
    opts: &IndexOptions,
    mut piece: Option<(&Bounds<'_>, &mut Vec<(u64, usize)>)>,
    heads: &mut Vec<(u64, &'static str)>,
    entries: &mut Vec<Entry>,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Option<u64>> {
    let mut ar = tar::Archive::new(stream.clone());
    let iter = ar.entries().map_err(io_err)?;
    // Read buffer of file contents, kept from file to file.
    let mut scratch = vec![0u8; 64 * 1024];
    let origin = piece.as_ref().map_or(0, |p| p.0.origin);
    let mut next_header = origin;
    for (i, e) in iter.enumerate() {
        let mut e = e.map_err(io_err).map_err(|err| after(err, entries))?;
        let mut entry = convert(&mut e, opts)?;
        entry.offset += origin;
        let header = next_header;
        next_header = entry.offset.saturating_add(e.size().div_ceil(512) * 512);
        if let Some((b, noted)) = piece.as_mut() {
            if b.until.and_then(|w| w.get()).is_some_and(|u| header >= u + GUARD) {
                return Ok(Some(header));
            }
            // The earlier piece stops at the first header GUARD or more past this piece's
            // start: that is the one the two meet at, whatever the file sizes around it.
            if b.note && noted.last().map_or(true, |l| l.0 < GUARD) {
                noted.push((header, entries.len()));
            }
        }
        read_content(&mut e, &mut entry, opts, &mut scratch, heads)?;
        if !entry.path.is_empty() {
            push(entries, entry, opts)?;
        }
        if i % 256 == 0 && !progress(entries.len() as u64) {
            return Err(cancelled());
        }
    }
    Ok(None)
}

/// Reads what the streaming pass wants of a regular file's content: all of it when it is hashed
/// here, else the head the secret scanner looks at.
fn read_content<R: Read>(
    e: &mut tar::Entry<'_, R>,
    entry: &mut Entry,
    opts: &IndexOptions,
    scratch: &mut [u8],
    heads: &mut Vec<(u64, &'static str)>,
) -> Result<()> {
    if !(entry.kind == EntryKind::File && entry.size > 0 && (opts.hash_files || opts.scan_secrets)) {
        return Ok(());
    }
    let path = || entry.display_path();
    // Whole files when hashing, else only the head the scanner looks at (the tar
    // reader skips the rest, reading it anyway: the stream is not seekable).
    let mut h = opts.hash_files.then(Hasher::new);
    let mut sc = opts.scan_secrets.then(crate::secrets::Scanner::default);
    let mut left = if opts.hash_files { e.size() } else { e.size().min(crate::secrets::SCAN_LIMIT) };
    while left > 0 {
        let want = scratch.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = e.read(&mut scratch[..want]).map_err(io_err).map_err(|err| err.at_entry(path()))?;
        if n == 0 {
            return Err(Error::truncated("the layer ends inside this file's content").at_entry(path()));
        }
        if let Some(h) = h.as_mut() {
            h.update(&scratch[..n]);
        }
        if let Some(s) = sc.as_mut() {
            if !s.feed(&scratch[..n]) && !opts.hash_files {
                break;
            }
        }
        left -= n as u64;
    }
    if let Some(h) = h {
        entry.digest = Some(h.finalize());
    }
    if let Some(k) = sc.and_then(|s| s.found) {
        heads.push((entry.offset, k));
    }
    Ok(())
}

/// One part of a gzip layer split over several cores ([`index_piece`]): the block boundaries
/// where it and the next part start ([`plan_pieces`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PieceSpec {
    /// `None`: the blob's start.
    pub from: Option<Cut>,
    /// `None`: this is the last piece.
    pub until: Option<Cut>,
}

impl PieceSpec {
    /// Piece `k` of a layer as numbers (what the page's worker posts to a layer worker):
    /// `[k, input, bits, input, bits]`, NaN for the blob's start or end.
    pub fn to_numbers(&self, k: usize) -> Vec<f64> {
        let mut a = vec![k as f64];
        for c in [self.from, self.until] {
            a.extend(c.map_or([f64::NAN; 2], |c| [c.input as f64, f64::from(c.bits)]));
        }
        a
    }

    /// [`Self::to_numbers`] read back; `None` for anything else.
    pub fn from_numbers(a: &[f64]) -> Option<(usize, PieceSpec)> {
        let &[k, fi, fb, ui, ub] = a else { return None };
        let cut = |input: f64, bits: f64| -> Option<Option<Cut>> {
            match (input.is_nan(), bits) {
                (true, _) => Some(None),
                (false, b) if (0.0..8.0).contains(&b) && input >= f64::from(b > 0.0) => Some(Some(Cut { input: input as u64, bits: b as u8 })),
                _ => None,
            }
        };
        Some((k as usize, PieceSpec { from: cut(fi, fb)?, until: cut(ui, ub)? }))
    }
}

impl Piece {
    /// Where the piece meets its neighbours, as numbers (what a layer worker posts beside the
    /// index): `[stop, until_at, header, entries before it, ...]`, NaN for none.
    pub fn ends(&self) -> Vec<f64> {
        let mut e = vec![self.stop.map_or(f64::NAN, |v| v as f64), self.until_at.map_or(f64::NAN, |v| v as f64)];
        e.extend(self.headers.iter().flat_map(|&(h, k)| [h as f64, k as f64]));
        e
    }

    /// A piece from its index and [`Self::ends`] (missing numbers read as none).
    pub fn with_ends(index: LayerIndex, e: &[f64]) -> Piece {
        let num = |k: usize| e.get(k).filter(|v| !v.is_nan()).map(|&v| v as u64);
        let headers = e.get(2..).unwrap_or_default().chunks_exact(2).map(|h| (h[0] as u64, h[1] as usize)).collect();
        Piece { index, headers, stop: num(0), until_at: num(1) }
    }
}

/// Uncompressed bytes an earlier piece goes on past the next piece's start, so that the next
/// piece's first tar header after the bytes it cannot know ([`TRY`] at most) falls within it.
pub const GUARD: u64 = 4 << 20;
/// Output a start at a block boundary is given to stop depending on the window before the next
/// boundary is tried (measured on the big image's layer 1 at 40 places: 64 KiB to 8 MiB,
/// median about 700 KiB; at one place never before the member's end).
pub const TRY: u64 = 1 << 20;
/// Boundaries tried for each start.
pub const TRIES: usize = 8;

/// What [`index_piece`] found, in its own offsets: 0 is the output at its start.
#[derive(Debug, Clone)]
pub struct Piece {
    /// Its entries, seek checkpoints and secret findings; its uncompressed size is how far it
    /// read its stream.
    pub index: LayerIndex,
    /// The first headers' offsets (an entry's first header, PAX or long-name ones included)
    /// with the number of entries taken before each, up to the first at or past [`GUARD`].
    pub headers: Vec<(u64, usize)>,
    /// The first header left to the next piece, when the piece stopped for it.
    pub stop: Option<u64>,
    /// Where the `until` cut fell in this piece's output, when it was a block boundary here.
    pub until_at: Option<u64>,
}

/// Finds a tar header (ustar magic and a checksum that adds up) in a stream that starts in the
/// middle of a tar archive, at stream offset `start`; leaves the stream at that header (the
/// bytes read past it are handed out again) and returns its offset.
fn resync(stream: &Shared<Meter<'_, Box<dyn Read>>>, start: u64) -> Result<u64> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut at = start; // stream offset of buf[0]
    let mut searched = 0usize;
    loop {
        let old = buf.len();
        buf.resize(old + (256 << 10), 0);
        let n = stream.0.borrow_mut().read(&mut buf[old..]).map_err(io_err)?;
        buf.truncate(old + n);
        if let Some(from) = header_in(&buf, searched) {
            stream.0.borrow_mut().again = (buf.split_off(from), 0);
            return Ok(at + from as u64);
        }
        if n == 0 {
            return Err(Error::corrupt("no tar header after the cut"));
        }
        // Keep what a header whose magic was too near the end to check still needs.
        let keep = buf.len().saturating_sub(768);
        buf.drain(..keep);
        at += keep as u64;
        searched = buf.len().saturating_sub(260);
    }
}

/// Where in `buf` the first tar header starts whose ustar magic is at or past `searched`
/// (a `u` then `star`, and a checksum that adds up as the tar crate reads and computes it).
fn header_in(buf: &[u8], searched: usize) -> Option<usize> {
    // Not memmem: its searchers cost the page's worker 3-4 KB of wasm.
    for hit in memchr::memchr_iter(b'u', buf.get(searched..)?) {
        let m = searched + hit;
        if m < 257 || m + 255 > buf.len() || &buf[m + 1..m + 5] != b"star" {
            continue;
        }
        let mut h = tar::Header::new_old();
        h.as_mut_bytes().copy_from_slice(&buf[m - 257..m + 255]);
        let want = h.cksum().ok();
        h.set_cksum();
        if want.is_some() && want == h.cksum().ok() {
            return Some(m - 257);
        }
    }
    None
}

/// The first block boundary after `from` where inflating can start and stop depending on the
/// window within [`TRY`] bytes, trying up to [`TRIES`] boundaries.
fn start_near(src: &Source, from: u64) -> Option<Cut> {
    let mut at = from;
    for _ in 0..TRIES {
        let data = crate::source::read_range(&**src, at, (1u64 << 20).min(src.len().saturating_sub(at))).ok()?;
        let cut = super::boundary::find(&data, at, 0)?;
        let r = reader_at(src, cut.input - u64::from(cut.bits > 0)).ok()?;
        match super::seek::GzStream::from_cut(r, cut, None, TRY).ok()? {
            Ok(_) => return Some(cut),
            Err(reached) => at = reached,
        }
    }
    None
}

/// A reader of `src` from `at`.
fn reader_at(src: &Source, at: u64) -> Result<Box<dyn Read>> {
    let mut r = SourceReader::new(src.clone());
    r.seek(SeekFrom::Start(at)).map_err(io_err)?;
    Ok(Box::new(r))
}

/// The least compressed bytes worth a piece of their own (a piece's start costs a search and
/// up to [`GUARD`] bytes inflated twice).
pub const MIN_PIECE: u64 = 16 << 20;

/// How many pieces to split layer blob `src` into, when `all` compressed bytes are indexed on
/// `cores` cores: one unless it is a gzip or uncompressed layer bigger than its share (half a
/// core's part of the work, so the pieces and the other layers even out over the cores).
/// `compression` is the blob's ([`super::compression::detect_source`]), `len` its size: no byte
/// is read here (a read in the page's worker costs a few milliseconds).
pub fn piece_count(compression: Compression, len: u64, all: u64, cores: usize) -> usize {
    let share = (all / (2 * cores as u64).max(1)).max(MIN_PIECE);
    if cores < 2 || !matches!(compression, Compression::Gzip | Compression::None) {
        return 1;
    }
    len.div_ceil(share).max(1) as usize
}

/// Splits a gzip blob into `n` pieces of about equal compressed size, each starting at a block
/// boundary whose output stops depending on the window within [`TRY`] bytes ([`start_near`]);
/// fewer when no such boundary is found. An uncompressed blob is cut at 512-byte blocks, with
/// no search ([`walk_piece`] finds its header).
pub fn plan_pieces(src: Source, n: usize) -> Vec<PieceSpec> {
    Planner::new(src, n).collect()
}

/// [`plan_pieces`] one piece at a time: each `next` searches for one more start (up to three
/// places, [`start_near`] each) and yields a piece as soon as its end is known, so a caller
/// that cannot block for the whole search (the page's worker, whose layer workers cannot start
/// while it runs) hands out the first pieces while it goes on.
pub struct Planner {
    src: Source,
    n: u64,
    /// The next start to search for (1 to `n - 1`).
    k: u64,
    from: Option<Cut>,
    done: bool,
    /// An uncompressed blob: cut anywhere (at a 512-byte block).
    plain: bool,
}

impl Planner {
    pub fn new(src: Source, n: usize) -> Planner {
        let c = super::compression::detect_source(&*src).unwrap_or(Compression::Gzip);
        Planner::of(src, n, c)
    }

    /// [`Planner::new`] for a blob whose compression is known (no byte read here).
    pub fn of(src: Source, n: usize, compression: Compression) -> Planner {
        Planner { src, n: n.max(1) as u64, k: 1, from: None, done: false, plain: compression == Compression::None }
    }

    /// True for an uncompressed blob: its cuts need no search, so every piece is known at once.
    pub fn cuts_at_once(&self) -> bool {
        self.plain
    }
}

impl Iterator for Planner {
    type Item = PieceSpec;

    fn next(&mut self) -> Option<PieceSpec> {
        if self.done {
            return None;
        }
        let (len, n) = (self.src.len(), self.n);
        let step = len / n;
        while self.plain && self.k < n {
            let at = len * self.k / n / 512 * 512;
            self.k += 1;
            if at > self.from.map_or(0, |c| c.input) {
                let cut = Cut { input: at, bits: 0 };
                let from = self.from.replace(cut);
                return Some(PieceSpec { from, until: Some(cut) });
            }
        }
        while !self.plain && self.k < n {
            let at = len * self.k / n;
            self.k += 1;
            // Where that fails (data whose output keeps depending on the window), a quarter of
            // a piece later, then earlier.
            let floor = self.from.map_or(0, |c| c.input + step / 2);
            for at in [at, at + step / 4, at.saturating_sub(step / 4)] {
                if at < floor || at >= len {
                    continue;
                }
                if let Some(cut) = start_near(&self.src, at) {
                    let from = self.from.replace(cut);
                    return Some(PieceSpec { from, until: Some(cut) });
                }
            }
        }
        self.done = true;
        Some(PieceSpec { from: self.from, until: None })
    }
}

/// Indexes one piece of a single gzip layer that [`join_pieces`] puts together with the others,
/// so pieces run on several cores at once (not verifying: the diff_id's SHA-256 needs the stream
/// in order). A piece of an uncompressed layer is [`walk_piece`]'s.
///
/// A piece with a `from` cut starts inflating there ([`super::seek::GzStream::from_cut`]),
/// finds a tar header past the bytes it cannot know ([`resync`]) and walks the tar stream from
/// there. A piece with an `until` cut watches for it ([`super::seek::GzStream::watch`]) and
/// stops at the first header [`GUARD`] bytes or more past it. Offsets are the piece's own.
pub fn index_piece(
    blob: Source,
    opts: &IndexOptions,
    spec: PieceSpec,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<Piece> {
    if super::compression::detect_source(&*blob)? == Compression::None {
        let (from, until) = (spec.from.map_or(0, |c| c.input), spec.until.map(|c| c.input));
        return run_ready(walk_piece(blob, opts, from, until, progress, |_| std::future::ready(())));
    }
    let total = blob.len();
    let raw = Shared(std::rc::Rc::new(std::cell::RefCell::new(Meter { inner: SourceReader::new(blob), count: 0, hash: None, tee: None, cap: u64::MAX, again: (Vec::new(), 0) })));
    let points: super::seek::Sink = Default::default();
    let sink = Some((points.clone(), opts.seek_span));
    let begun = spec.from.map_or(0, |c| c.input.saturating_sub(u64::from(c.bits > 0)));
    raw.0.borrow_mut().seek(SeekFrom::Start(begun)).map_err(io_err)?;
    let input: Box<dyn Read> = Box::new(raw.clone());
    let mut gz = match spec.from {
        None => super::seek::GzStream::new(input, sink).map_err(io_err)?,
        Some(cut) => super::seek::GzStream::from_cut(input, cut, sink, TRY)
            .map_err(io_err)?
            .map_err(|_| Error::corrupt("the planned start no longer stops depending on the window"))?,
    };
    let until = spec.until.map(|u| gz.watch(u));
    let clean = gz.clean();
    let cap = opts.limits.inflated_cap(total);
    let stream = Shared(std::rc::Rc::new(std::cell::RefCell::new(Meter { inner: Box::new(gz) as Box<dyn Read>, count: clean, hash: None, tee: None, cap, again: (Vec::new(), 0) })));
    let origin = match spec.from {
        None => 0,
        Some(_) => resync(&stream, clean)?,
    };
    let mut piece = Piece { index: LayerIndex::empty(Compression::Gzip, total), headers: Vec::new(), stop: None, until_at: None };
    let bounds = Bounds { origin, until: until.as_ref(), note: spec.from.is_some() };
    let mut heads = Vec::new();
    piece.stop = walk(&stream, opts, Some((&bounds, &mut piece.headers)), &mut heads, &mut piece.index.entries, &mut |n| {
        progress(Progress { bytes: raw.0.borrow().count.saturating_sub(begun), total, entries: n })
    })?;
    piece.index.secret_heads = Some(heads);
    piece.index.uncompressed_size = stream.0.borrow().count;
    let points = std::mem::take(&mut *points.borrow_mut());
    piece.index.seek = Some(std::sync::Arc::new(super::seek::SeekIndex { points }));
    piece.until_at = until.and_then(|w| w.get());
    Ok(piece)
}

/// Puts the pieces of one layer ([`index_piece`], in order) together. Each hands over to the
/// next at one tar header, seen from both sides: the earlier piece stopped before it, and it is
/// one of the later piece's first headers once the later piece's start is placed where the
/// earlier piece passed it. `None` when the pieces do not meet so (a start the earlier piece
/// did not find to be a block boundary, a header found by its checksum inside a file): then
/// the layer is indexed again in one pass.
pub fn join_pieces(pieces: Vec<Piece>, total: u64, opts: &IndexOptions) -> Option<LayerIndex> {
    // Gzip, or uncompressed ([`walk_piece`]: no secret scan, no seek checkpoints).
    let compression = pieces.first().map_or(Compression::Gzip, |p| p.index.compression);
    let mut out = LayerIndex::empty(compression, total);
    out.secret_heads = (opts.scan_secrets && compression != Compression::None).then(Vec::new);
    let mut points: Vec<super::seek::Checkpoint> = Vec::new();
    let mut base = 0u64; // where the current piece's offset 0 is in the layer
    let mut prev: Option<(u64, Option<u64>)> = None; // the previous piece's stop, and where it passed this piece's start
    for (k, p) in pieces.into_iter().enumerate() {
        let Piece { index: mut p_index, headers, stop, until_at } = p;
        // From this offset (the piece's own) on, the piece's findings are taken.
        let mut from = 0u64;
        if k > 0 {
            let Some((stop, u)) = prev.take() else { break };
            let u = u?;
            let (at, before) = *headers.iter().find(|h| u + h.0 == stop)?;
            p_index.entries.drain(..before.min(p_index.entries.len()));
            base += u;
            from = at;
        }
        let shift = |o: u64| o + base;
        for e in &mut p_index.entries {
            e.offset = shift(e.offset);
        }
        out.entries.append(&mut p_index.entries);
        if let (Some(h), Some(found)) = (out.secret_heads.as_mut(), p_index.secret_heads) {
            h.extend(found.iter().filter(|s| s.0 >= from).map(|&(o, w)| (shift(o), w)));
        }
        for c in p_index.seek.iter().flat_map(|s| s.points.iter()).filter(|c| c.output >= from) {
            let mut c = c.clone();
            c.output = shift(c.output);
            if points.last().map_or(true, |l| c.output >= l.output + opts.seek_span / 2) {
                points.push(c);
            }
        }
        out.uncompressed_size = shift(p_index.uncompressed_size);
        prev = stop.map(|s| (s, until_at));
    }
    let cap = opts.limits.inflated_cap(total);
    if prev.is_some() || out.entries.len() > opts.limits.max_entries || out.uncompressed_size > cap {
        return None;
    }
    if compression != Compression::None {
        out.seek = Some(std::sync::Arc::new(super::seek::SeekIndex { points }));
    }
    Some(out)
}

/// Indexes one piece of an uncompressed layer, which [`join_pieces`] puts together with the
/// others (not verifying: the diff_id's SHA-256 needs the stream in order). The piece starts
/// at byte `from` of `blob`: but for the first, it finds a tar header by its checksum there
/// or after, and walks from header to header as [`walk_headers`] does (awaiting `pace`
/// before each read, with where that read ends). With `until` (where the next piece starts),
/// it stops at the first header [`GUARD`] bytes or more past it. Offsets are the piece's own:
/// 0 is `from`.
pub async fn walk_piece<F: std::future::Future<Output = ()>>(
    blob: Source,
    opts: &IndexOptions,
    from: u64,
    until: Option<u64>,
    progress: &mut dyn FnMut(Progress) -> bool,
    mut pace: impl FnMut(u64) -> F,
) -> Result<Piece> {
    let total = blob.len();
    let from = from.min(total);
    let mut index = LayerIndex::empty(Compression::None, total - from);
    index.secret_heads = None;
    let mut piece = Piece { index, headers: Vec::new(), stop: None, until_at: until.map(|u| u.saturating_sub(from)) };
    // Where the walk starts: the first header at or past `from`.
    let origin = if from == 0 {
        0
    } else {
        const STEP: u64 = 256 << 10;
        let mut buf: Vec<u8> = Vec::new();
        let mut at = from; // blob offset of buf[0]
        let mut searched = 0usize;
        loop {
            let have = at + buf.len() as u64;
            let end = (have + STEP).min(total);
            pace(end).await;
            buf.extend_from_slice(&crate::source::read_range(&*blob, have, end - have).map_err(|e| Error::io(&e))?);
            if let Some(h) = header_in(&buf, searched) {
                break at + h as u64;
            }
            if end >= total {
                return Err(Error::corrupt("no tar header after the cut"));
            }
            // Keep what a header whose magic was too near the end to check still needs.
            let keep = buf.len().saturating_sub(768);
            buf.drain(..keep);
            at += keep as u64;
            searched = buf.len().saturating_sub(260);
        }
    };
    // The tar reader counts from where it starts (its seeks set its position to what the
    // reader returns): it reads a slice of the blob from the header on.
    let rdr = SourceReader::new(crate::source::Slice::shared(blob, origin, total - origin).map_err(|e| Error::io(&e))?);
    let mut ar = tar::Archive::new(rdr);
    let mut iter = ar.entries_with_seek().map_err(io_err)?;
    let entries = &mut piece.index.entries;
    let (mut next_header, mut last_end) = (origin, origin);
    let mut i = 0usize;
    loop {
        pace(last_end.next_multiple_of(512).saturating_add(512)).await;
        let Some(e) = iter.next() else { break };
        let mut e = e.map_err(io_err).map_err(|err| after(err, entries))?;
        let mut entry = convert(&mut e, opts)?;
        entry.offset += origin;
        let end = content_end(&entry, e.size(), total)?;
        // The entry's first header (a PAX or long-name one included), as `walk` counts them.
        let header = next_header - from;
        next_header = entry.offset.saturating_add(e.size().div_ceil(512) * 512);
        last_end = last_end.max(end);
        if piece.until_at.is_some_and(|u| header >= u + GUARD) {
            piece.stop = Some(header);
            break;
        }
        if from > 0 && piece.headers.last().map_or(true, |l| l.0 < GUARD) {
            piece.headers.push((header, entries.len()));
        }
        entry.offset -= from;
        if !entry.path.is_empty() {
            push(entries, entry, opts)?;
        }
        if i % 256 == 0 && !progress(Progress { bytes: last_end - from, total: total - from, entries: entries.len() as u64 }) {
            return Err(cancelled());
        }
        i += 1;
    }
    // As far as the blob goes (the last piece's is the layer's, as `walk_headers` says).
    piece.index.uncompressed_size = total - from;
    Ok(piece)
}

/// One member of an uncompressed tar archive as stored: no name cleaning, no whiteout
/// recognition. What `tar -tv` lists and `tar -xO` reads (the docker host's saved archives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The name as written (a directory keeps its trailing `/`).
    pub name: Vec<u8>,
    /// The tar type flag (`0` file, `5` directory, `2` symlink, `1` hardlink, ...).
    pub flag: u8,
    /// Permission bits (`mode & 07777`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Owner and group names (empty when the header has none).
    pub uname: Vec<u8>,
    pub gname: Vec<u8>,
    pub size: u64,
    pub mtime: i64,
    /// Where the content starts.
    pub offset: u64,
    pub link: Vec<u8>,
}

/// The members of an uncompressed tar archive, in archive order, walked by seeking from header
/// to header.
pub fn members(src: Source) -> Result<Vec<Member>> {
    if super::compression::detect_source(&*src)? != Compression::None {
        return Err(Error::new(ErrorKind::Unsupported, "only an uncompressed tar archive can be listed"));
    }
    let mut ar = tar::Archive::new(SourceReader::new(src));
    let mut out = Vec::new();
    for e in ar.entries_with_seek().map_err(io_err)? {
        let e = e.map_err(io_err)?;
        let h = e.header();
        out.push(Member {
            name: e.path_bytes().into_owned(),
            flag: h.entry_type().as_byte(),
            mode: h.mode().map_err(io_err)? & 0o7777,
            uid: h.uid().map_err(io_err)?,
            gid: h.gid().map_err(io_err)?,
            uname: h.username_bytes().map(<[u8]>::to_vec).unwrap_or_default(),
            gname: h.groupname_bytes().map(<[u8]>::to_vec).unwrap_or_default(),
            size: e.size(),
            mtime: h.mtime().unwrap_or(0) as i64,
            offset: e.raw_file_position(),
            link: e.link_name_bytes().map(|c| c.into_owned()).unwrap_or_default(),
        });
    }
    Ok(out)
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Io, "cancelled")
}

/// Names the last good entry when the next header is broken.
fn after(err: Error, entries: &[Entry]) -> Error {
    match entries.last() {
        Some(last) => err.at_entry(format!("after {}", last.display_path())),
        None => err.at_entry("first header"),
    }
}

fn push(entries: &mut Vec<Entry>, e: Entry, opts: &IndexOptions) -> Result<()> {
    if entries.len() >= opts.limits.max_entries {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("the layer has more than {} entries", opts.limits.max_entries),
        ));
    }
    entries.push(e);
    Ok(())
}

/// Converts a tar entry into our own [`Entry`].
/// The root entry comes back with an empty path (callers drop it).
fn convert<R: Read>(e: &mut tar::Entry<'_, R>, opts: &IndexOptions) -> Result<Entry> {
    let raw_name = e.path_bytes().into_owned();
    // Escaped only when an error needs it: this runs for every entry.
    let fail = |err: Error| err.at_entry(crate::listing::esc(&raw_name));
    if raw_name.len() > opts.limits.max_name {
        return Err(fail(Error::new(ErrorKind::TooLarge, format!("the name is {} bytes long", raw_name.len()))));
    }
    let path = match clean_name(&raw_name) {
        Ok(Some(p)) => p,
        Ok(None) => Vec::new(),
        Err(why) => return Err(fail(Error::new(ErrorKind::Escape, why))),
    };
    // PAX may override uid/gid beyond what the octal fields hold.
    let mut pax_uid = None;
    let mut pax_gid = None;
    if let Ok(Some(pax)) = e.pax_extensions() {
        for ext in pax.flatten() {
            match ext.key_bytes() {
                b"uid" => pax_uid = parse_pax_num(ext.value_bytes()),
                b"gid" => pax_gid = parse_pax_num(ext.value_bytes()),
                _ => {}
            }
        }
    }
    let h = e.header();
    let et = h.entry_type();
    let mode = h.mode().map_err(io_err).map_err(fail)? & 0o7777;
    let mut uid = h.uid().map_err(io_err).map_err(fail)?;
    let mut gid = h.gid().map_err(io_err).map_err(fail)?;
    let mtime = h.mtime().unwrap_or(0) as i64;
    let size = e.size();
    let offset = e.raw_file_position();
    uid = pax_uid.unwrap_or(uid);
    gid = pax_gid.unwrap_or(gid);
    let uid = u32::try_from(uid).map_err(|_| fail(Error::corrupt(format!("uid {uid} is out of range"))))?;
    let gid = u32::try_from(gid).map_err(|_| fail(Error::corrupt(format!("gid {gid} is out of range"))))?;
    let link = || -> Result<Vec<u8>> {
        let l = e.link_name_bytes().map(|c| c.into_owned()).unwrap_or_default();
        if l.len() > opts.limits.max_name {
            return Err(Error::new(ErrorKind::TooLarge, "the link target is too long"));
        }
        Ok(l)
    };
    let name = crate::path::split_rel(&path).1;
    let marker = whiteout::classify(name);
    let kind = if path.is_empty() {
        EntryKind::Dir
    } else if marker == whiteout::Marker::Opaque {
        EntryKind::Opaque
    } else if marker == whiteout::Marker::Whiteout {
        EntryKind::Whiteout
    } else {
        use tar::EntryType as T;
        match et {
            T::Regular if raw_name.ends_with(b"/") => EntryKind::Dir,
            T::Regular | T::Continuous => EntryKind::File,
            T::Directory => EntryKind::Dir,
            T::Symlink => EntryKind::Symlink(link().map_err(fail)?.into()),
            T::Link => {
                let l = link().map_err(fail)?;
                match clean_name(&l) {
                    Ok(Some(t)) => EntryKind::Hardlink(t.into()),
                    Ok(None) => {
                        return Err(fail(Error::corrupt("a hardlink to the layer root")));
                    }
                    Err(why) => return Err(fail(Error::new(ErrorKind::Escape, format!("hardlink target: {why}")))),
                }
            }
            T::Char | T::Block => {
                let ma = h.device_major().ok().flatten().unwrap_or(0);
                let mi = h.device_minor().ok().flatten().unwrap_or(0);
                if et == T::Char {
                    EntryKind::Char(ma, mi)
                } else {
                    EntryKind::Block(ma, mi)
                }
            }
            T::Fifo => EntryKind::Fifo,
            T::GNUSparse => {
                return Err(fail(Error::new(ErrorKind::Unsupported, "GNU sparse files are not supported")));
            }
            other => {
                return Err(fail(Error::new(
                    ErrorKind::Unsupported,
                    format!("unsupported tar entry type '{}'", other.as_byte() as char),
                )));
            }
        }
    };
    let size = if kind == EntryKind::File { size } else { 0 };
    Ok(Entry {
        path: path.into(),
        kind,
        size,
        mode,
        uid,
        gid,
        mtime,
        offset,
        digest: None,
    })
}

fn parse_pax_num(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}
