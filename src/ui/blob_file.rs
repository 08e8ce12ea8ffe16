//! A browser `File` or `Blob` as a [`BlobSource`], read with `FileReaderSync` (and, for the
//! page, [`fetch_blob`]); a blob read whole, in order, as its stream ([`Feeding`]).
//!
//! Rules: only usable in a worker (`FileReaderSync` does not exist on the main thread). Each
//! browser read is one slice (`Blob.slice` + `readAsArrayBuffer`) of at most [`MAX_SLICE`]
//! bytes, so nothing holds the whole file. Small reads are served from the last slice read
//! (read-ahead): a browser read costs about a millisecond whatever its size, so few large reads
//! beat many small ones. The read-ahead is readcost.mjs's "online" plan: [`FIRST_SLICE`] after a
//! far jump; doubled, up to [`MAX_SLICE`], when a read lands within [`NEAR`] past the end of the
//! last slice (a compressed stream read in order, or a tar header walk hopping over small files:
//! runs of headers are read in few large slices). One read-ahead buffer serves every blob of a
//! worker, so a worker holds at most one [`MAX_SLICE`] however many files it has open, and the
//! last [`KEPT`] small slices it replaced (an archive's member heads, read again).
//!
//! Measured (tests/browser/readcost.mjs, Chromium headless, 2 shared cores; figures wobble
//! with the load): a 512-byte read 0.7-1.1 ms; 64 KiB 1.1-2.3 ms; 1 MiB 5-27 ms (40-190 MiB/s);
//! 4 MiB 10-16 ms (250-390 MiB/s); 16 MiB 420-730 MiB/s; `Blob.stream()` 525-750 MiB/s. Async
//! `arrayBuffer()` reads with several in flight cost the same ~1 ms per call for small slices
//! (the browser serves them one after another); for 1 MiB windows of a header walk they saved
//! about 15% (1157-1202 ms against 1376 ms), too little to make the indexer resumable for.
//! Two workers' reads, though, are served side by side (the page's split open).
//! The header walk of the big image's three layers: the online plan 98 reads (508 MiB) in
//! 928 ms, against 421 reads (431 MiB) in 1820 ms with a 1 MiB read-ahead doubling to 4 MiB only
//! on strictly sequential reads (this module before), and 94 reads in 746 ms for the best plan
//! made knowing every header in advance.

use crate::source::BlobSource;
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::io;
use web_sys::{Blob, FileReaderSync};

/// The read-ahead after a far jump. 256 KiB rather than 1 MiB: readcost's online plan over
/// the big image's layer 1 read 355 MiB in 627-777 ms from 256 KiB, 390 MiB in 846-920 ms
/// from 1 MiB; the page's uncompressed loads, not verified, alternated six times each: median
/// 1092 ms (1019-1155) against 1137 ms (1028-1336), verified unchanged (2838 against 2877 ms).
pub const FIRST_SLICE: usize = 256 << 10;
/// The read-ahead after a far jump in an archive whose layers other workers index (set by the
/// page's worker while it finds the archive's members, and kept for a split open: its own
/// later reads are single files and seek checkpoints, far apart; it goes back to
/// [`FIRST_SLICE`] when it walks the layers itself). Its members are big: each jump lands far
/// from the last; 4 reads of the big image's docker archive took 34 ms at [`FIRST_SLICE`].
pub const ARCHIVE_SLICE: usize = 64 << 10;
/// Largest slice read at once.
pub const MAX_SLICE: usize = 16 << 20;
/// A read starting at most this far past the last slice's end doubles the next slice.
pub const NEAR: u64 = 1 << 20;

/// The worker's read-ahead: which blob it holds (by [`BrowserBlob::id`]), from where, the
/// slice as the browser returned it (bytes are copied into wasm memory only when asked for: a
/// header walk copies its headers, not the 16 MiB around them) and the size of the last slice.
/// `kept`: the last [`KEPT`] slices it replaced that were no bigger than [`FIRST_SLICE`] (blob,
/// start, slice), read again before the browser is asked: the page's worker finds an archive's
/// members by a read at each (the big image's docker archive: 4), then reads each layer's first
/// bytes (its compression) and the config, all inside those reads, before the layer workers
/// start and again when it loads their indexes: 7 browser reads fewer on that open, each
/// 1.5-3 ms of this worker.
struct Ahead {
    blob: u32,
    start: u64,
    data: Option<Uint8Array>,
    len: usize,
    size: usize,
    kept: Vec<(u32, u64, Uint8Array)>,
}

/// How many small slices the read-ahead keeps beside its own (at most 2 MiB of browser memory).
const KEPT: usize = 8;

thread_local! {
    static AHEAD: RefCell<Ahead> = const { RefCell::new(Ahead { blob: 0, start: 0, data: None, len: 0, size: FIRST_SLICE, kept: Vec::new() }) };
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// Drops the worker's read-ahead (up to [`MAX_SLICE`] of browser memory): called when an open
/// ends, and after each request of the Docker, drivers and Inspect workers, so memory between
/// tasks is what they keep, not their last slice.
pub fn forget_read_ahead() {
    AHEAD.with(|a| {
        let mut a = a.borrow_mut();
        a.data = None;
        a.len = 0;
        a.kept.clear();
    });
}

pub struct BrowserBlob {
    blob: Blob,
    len: u64,
    reader: FileReaderSync,
    /// Names this blob in the worker's read-ahead.
    id: u32,
    /// Browser reads made, bytes they returned and milliseconds they took (for the benchmark).
    pub stats: std::cell::Cell<(u32, u64, f64)>,
    /// The read-ahead after a far jump ([`FIRST_SLICE`] unless set).
    pub first: std::cell::Cell<usize>,
}

fn now() -> f64 {
    use wasm_bindgen::JsCast;
    js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>().performance().map(|p| p.now()).unwrap_or(0.0)
}

impl BrowserBlob {
    pub fn new(blob: Blob) -> io::Result<Self> {
        let reader = FileReaderSync::new().map_err(|e| js_io("FileReaderSync is not available", &e))?;
        let len = blob.size() as u64;
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id.wrapping_add(1).max(1));
            id
        });
        Ok(BrowserBlob { blob, len, reader, id, stats: Default::default(), first: std::cell::Cell::new(FIRST_SLICE) })
    }

    /// One browser read of at most `n` (≤ MAX_SLICE) bytes at `offset`, as the browser returns it.
    fn read_slice(&self, offset: u64, n: usize) -> io::Result<Uint8Array> {
        let n = (n as u64).min(self.len - offset) as usize;
        let t = now();
        let slice = self
            .blob
            .slice_with_f64_and_f64(offset as f64, (offset + n as u64) as f64)
            .map_err(|e| js_io("cannot slice the file", &e))?;
        let ab = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(|e| js_io("the browser could not read the file (was it moved or changed?)", &e))?;
        let arr = Uint8Array::new(&ab);
        let got = (arr.length() as usize).min(n);
        let (c, b, ms) = self.stats.get();
        self.stats.set((c + 1, b + got as u64, ms + now() - t));
        Ok(if got < arr.length() as usize { arr.subarray(0, got as u32) } else { arr })
    }
}

/// The read loop of a stream slice ([`Feeding`]), a classic script the layer worker imports
/// when it starts (`layer_worker::run`), bound below.
pub const STREAM_FILL_SCRIPT: &str = "./js/stream-fill.js";

#[wasm_bindgen::prelude::wasm_bindgen(js_namespace = layerlabStreamFill)]
extern "C" {
    #[wasm_bindgen(catch, js_name = fill)]
    fn stream_fill(reader: &web_sys::ReadableStreamByobReader, buf: &js_sys::ArrayBuffer, want: u32, enough: u32, ms: i32) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
}

fn js_io(what: &str, e: &wasm_bindgen::JsValue) -> io::Error {
    let detail = js_sys::Error::from(e.clone()).message();
    io::Error::other(format!("{what}: {}", String::from(detail)))
}

impl BlobSource for BrowserBlob {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        AHEAD.with(|ahead| {
            let mut ahead = ahead.borrow_mut();
            let a = &mut *ahead;
            let mine = a.blob == self.id && a.data.is_some();
            let end = a.start + a.len as u64;
            if !mine || offset < a.start || offset >= end {
                let near = mine && offset >= end && offset - end <= NEAR;
                if let Some(old) = a.data.take().filter(|_| a.len <= FIRST_SLICE) {
                    if a.kept.len() == KEPT {
                        a.kept.remove(0);
                    }
                    a.kept.push((a.blob, a.start, old));
                }
                let k = a.kept.iter().position(|(b, s, d)| *b == self.id && offset >= *s && offset < s + d.length() as u64);
                let (start, arr) = match k {
                    Some(k) => {
                        let (_, s, d) = a.kept.remove(k);
                        (s, d)
                    }
                    None => {
                        let size = if near { (a.size * 2).min(MAX_SLICE) } else { self.first.get() };
                        a.size = size;
                        (offset, self.read_slice(offset, size.max(buf.len().min(MAX_SLICE)))?)
                    }
                };
                a.blob = self.id;
                a.start = start;
                a.len = arr.length() as usize;
                a.data = Some(arr);
            }
            let at = (offset - a.start) as usize;
            let n = buf.len().min(a.len - at);
            if let Some(arr) = &a.data {
                arr.subarray(at as u32, (at + n) as u32).copy_to(&mut buf[..n]);
            }
            Ok(n)
        })
    }
}

/// Fetches a same-origin relative URL as a Blob (the page's bundled samples).
pub async fn fetch_blob(url: &str) -> Result<web_sys::Blob, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let win = gloo::utils::window();
    let resp = JsFuture::from(win.fetch_with_str(url)).await.map_err(|_| format!("{url}: could not be fetched"))?;
    let resp: web_sys::Response = resp.unchecked_into();
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let blob = JsFuture::from(resp.blob().map_err(|_| format!("{url}: no body"))?).await.map_err(|_| format!("{url}: read failed"))?;
    Ok(blob.unchecked_into())
}

/// A browser blob read whole, front to back, in [`MAX_SLICE`] slices: each slice is handed to
/// `feed` once, in order, as the browser filled it (so a layer's stream can be hashed, or
/// passed to another worker without a copy into this wasm), and reads (a tar header walk's,
/// which only moves forward) are served from the last two slices read. A read outside them
/// goes to the browser on its own (never in a paced header walk; correct all the same). What
/// a verified uncompressed layer's pass reads through: the walk hops from header to header as
/// an unverified one does, and every byte is still seen once, by `feed`.
///
/// The slices come from the blob's stream (`Blob.stream()`) read with a BYOB reader into
/// [`MAX_SLICE`] buffers that are used again ([`spare`]: once hashed here, or once the page's
/// worker sends them back) rather than from `readAsArrayBuffer`, which returns a new buffer
/// for every slice. Measured on the big image's layer 1 (585 MB) in a Chromium worker
/// (three runs each, alternated): 16 MiB `readAsArrayBuffer` slices 567-933 ms and 0.95-1.58
/// CPU-s of Chromium, half of it the kernel's (a new buffer's pages); the BYOB stream into a
/// kept 16 MiB buffer 354-418 ms and 0.67-0.73 CPU-s.
pub struct Feeding<F: FnMut(&Uint8Array)> {
    pub blob: BrowserBlob,
    /// Streams opened so far (one, and one more for each [`Self::skip_to`] that read on).
    pub streams: std::cell::Cell<u32>,
    state: RefCell<FeedState<F>>,
}

struct FeedState<F> {
    /// The last two slices read, oldest first, with where each starts.
    window: [Option<(u64, Uint8Array)>; 2],
    /// Where the next slice starts (everything before it has been read).
    next: u64,
    /// The blob's stream, from `from`, once the first slice after it is asked for.
    reader: Option<web_sys::ReadableStreamByobReader>,
    from: u64,
    /// The browser gave no BYOB reader: slices are read with `readAsArrayBuffer`.
    streamless: bool,
    feed: F,
}

thread_local! {
    /// [`MAX_SLICE`] buffers a [`Feeding`] may fill again.
    static SPARE: RefCell<Vec<js_sys::ArrayBuffer>> = const { RefCell::new(Vec::new()) };
}

/// How long a [`Feeding`] slice may take from its stream before the slice is read with
/// `readAsArrayBuffer` instead (16 MiB in 10 s: slower than any disk).
const STALL_MS: i32 = 10_000;

/// The least a [`Feeding`] slice is filled with (but at the blob's end).
const MIN_FILL: u64 = 1 << 20;

/// Buffers kept for [`Feeding`]: as many as a pass has in flight (its window, the one being
/// filled, the page's worker's queue).
const SPARES: usize = 6;

/// Gives a buffer back for a [`Feeding`] to fill again: a slice it fed once hashed, or one the
/// page's worker sends back. Buffers of any other size, or beyond [`SPARES`], are dropped.
pub fn spare(buf: js_sys::ArrayBuffer) {
    if buf.byte_length() as usize == MAX_SLICE {
        SPARE.with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < SPARES {
                s.push(buf);
            }
        });
    }
}

/// Drops the kept buffers (when an open ends: memory between tasks is what a worker keeps).
pub fn forget_spares() {
    SPARE.with(|s| s.borrow_mut().clear());
}

impl<F: FnMut(&Uint8Array)> Feeding<F> {
    pub fn new(blob: BrowserBlob, feed: F) -> Self {
        Feeding { blob, streams: Default::default(), state: RefCell::new(FeedState { window: [None, None], next: 0, reader: None, from: 0, streamless: false, feed }) }
    }

    /// Where the next slice starts: every byte before it has been read (and fed, but for the
    /// last two slices, which are fed when they leave the window or at [`Self::finish`]).
    pub fn read_to(&self) -> u64 {
        self.state.borrow().next
    }

    /// Reads the next slice, filled up to [`MAX_SLICE`] or, when `upto` is nearer, at least
    /// to there and [`MIN_FILL`] (a header walk that skips far ahead wants no more than it
    /// needs); `false` at the end of the blob.
    pub async fn step(&self, upto: u64) -> io::Result<bool> {
        let (reader, at) = {
            let mut s = self.state.borrow_mut();
            if s.next >= self.blob.len {
                return Ok(false);
            }
            if s.reader.is_none() && !s.streamless {
                let from = if s.from == 0 {
                    Ok(self.blob.blob.clone())
                } else {
                    self.blob.blob.slice_with_f64_and_f64(s.from as f64, self.blob.len as f64)
                };
                // A browser whose file streams take no BYOB reader is read as before, in
                // `readAsArrayBuffer` slices.
                match from.and_then(|b| web_sys::ReadableStreamByobReader::new(&b.stream())) {
                    Ok(r) => {
                        self.streams.set(self.streams.get() + 1);
                        s.reader = Some(r);
                    }
                    Err(_) => s.streamless = true,
                }
            }
            (s.reader.clone(), s.next)
        };
        let want = (self.blob.len - at).min(MAX_SLICE as u64) as u32;
        let filled = match &reader {
            Some(reader) => self.fill(reader, want, (upto.saturating_sub(at).max(MIN_FILL)).min(u64::from(want)) as u32).await?,
            None => None,
        };
        let arr = match filled {
            Some(arr) => arr,
            // No stream, or one that stalled: this slice is read on its own, and the rest of
            // the blob as before.
            None => {
                let mut s = self.state.borrow_mut();
                if let Some(r) = s.reader.take() {
                    let _ = r.cancel();
                    s.streamless = true;
                }
                drop(s);
                self.blob.read_slice(at, want as usize)?
            }
        };
        let filled = arr.length();
        if filled == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file ended early (was it changed?)"));
        }
        let mut s = self.state.borrow_mut();
        s.next += u64::from(filled);
        let s = &mut *s;
        let newer = s.window[1].take();
        let old = std::mem::replace(&mut s.window[0], newer);
        s.window[1] = Some((at, arr));
        if let Some((_, a)) = old {
            (s.feed)(&a);
        }
        Ok(true)
    }

    /// One slice from the stream: a kept buffer filled with at least `enough` bytes (fewer
    /// at the stream's end), at most `want`, by [`STREAM_FILL_SCRIPT`]'s loop; `None` when the
    /// slice took more than [`STALL_MS`] (the stream is then cancelled; seen in Chromium 156:
    /// about one run in four of readcost.mjs's plans read as streams, after a few hundred
    /// slices' streams, waited for ever on one) or the script is missing.
    async fn fill(&self, reader: &web_sys::ReadableStreamByobReader, want: u32, enough: u32) -> io::Result<Option<Uint8Array>> {
        use wasm_bindgen::JsCast;
        let t = now();
        let buf = SPARE.with(|s| s.borrow_mut().pop()).unwrap_or_else(|| js_sys::ArrayBuffer::new(MAX_SLICE as u32));
        // (A browser test sets `layerlabStallMs` to 0 on the layer worker's global: every
        // stream then counts as stalled at once, and the fallback runs.)
        let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let ms = js_sys::Reflect::get(&scope, &"layerlabStallMs".into()).ok().and_then(|v| v.as_f64()).map_or(STALL_MS, |v| v as i32);
        if ms <= 0 {
            return Ok(None);
        }
        // Without the script (not imported), the slice is read as a stream that stalled.
        let Ok(read) = stream_fill(reader, &buf, want, enough, ms) else { return Ok(None) };
        let got = wasm_bindgen_futures::JsFuture::from(read)
            .await
            .map_err(|e| js_io("the browser could not read the file (was it moved or changed?)", &e))?;
        let Ok(arr) = got.dyn_into::<Uint8Array>() else { return Ok(None) };
        let (c, b, ms) = self.blob.stats.get();
        self.blob.stats.set((c + 1, b + u64::from(arr.length()), ms + now() - t));
        Ok(Some(arr))
    }

    /// Goes on from `at`, not reading what lies before it (never in a pass that hashes: what
    /// is skipped is not fed): the slices held are fed, the stream is dropped, and the next
    /// slice comes from a stream of the blob from `at`.
    pub fn skip_to(&self, at: u64) {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        if let Some(r) = s.reader.take() {
            let _ = r.cancel();
        }
        let held = [s.window[0].take(), s.window[1].take()];
        for (_, a) in held.into_iter().flatten() {
            (s.feed)(&a);
        }
        s.next = at.min(self.blob.len);
        s.from = s.next;
    }

    /// Reads the rest of the blob and feeds every slice still held.
    pub async fn finish(&self) -> io::Result<()> {
        while self.step(u64::MAX).await? {}
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let held = [s.window[0].take(), s.window[1].take()];
        for (_, a) in held.into_iter().flatten() {
            (s.feed)(&a);
        }
        Ok(())
    }
}

impl<F: FnMut(&Uint8Array)> BlobSource for Feeding<F> {
    fn len(&self) -> u64 {
        self.blob.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.blob.len || buf.is_empty() {
            return Ok(0);
        }
        let s = self.state.borrow();
        for (start, arr) in s.window.iter().flatten() {
            let end = start + arr.length() as u64;
            if offset >= *start && offset < end {
                let at = (offset - start) as usize;
                let n = buf.len().min((end - offset) as usize);
                arr.subarray(at as u32, (at + n) as u32).copy_to(&mut buf[..n]);
                return Ok(n);
            }
        }
        drop(s);
        // Outside the window (the stream has not got there, or has passed it): a read of its own.
        let arr = self.blob.read_slice(offset, buf.len().min(MAX_SLICE))?;
        let n = arr.length() as usize;
        arr.copy_to(&mut buf[..n]);
        Ok(n)
    }
}

/// Hashes a browser array in 1 MiB copies into this wasm (one buffer, kept): one giant call
/// would keep the hasher in V8's slow tier, and no copy of the whole array is made. How a
/// verified uncompressed layer's slices are hashed, in a layer worker or the page's worker.
pub fn hash_array(h: &mut crate::digest::Hasher, a: &Uint8Array) {
    thread_local! {
        static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0u8; 1 << 20]);
    }
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let (n, mut at) = (a.length(), 0);
        while at < n {
            let k = (n - at).min(s.len() as u32);
            a.subarray(at, at + k).copy_to(&mut s[..k as usize]);
            h.update(&s[..k as usize]);
            at += k;
        }
    });
}
