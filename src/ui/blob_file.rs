//! A browser `File` or `Blob` as a [`BlobSource`], read with `FileReaderSync` (and, for the
//! page, [`fetch_blob`]).
//!
//! Rules: only usable in a worker (`FileReaderSync` does not exist on the main thread). Each
//! browser read is one slice (`Blob.slice` + `readAsArrayBuffer`) of at most [`MAX_SLICE`]
//! bytes, so nothing holds the whole file. Small reads are served from the last slice read
//! (read-ahead): a browser read costs about a millisecond whatever its size, so few large reads
//! beat many small ones. The read-ahead starts at [`FIRST_SLICE`] after a jump (a seek over file
//! contents) and doubles while reads stay sequential (a compressed stream), up to [`MAX_SLICE`].
//!
//! Measured (tests/browser/readcost.mjs, Chromium headless, 2 shared cores; figures wobble
//! with the load): a 512-byte read 0.7-1.1 ms; 64 KiB 1.1-2.3 ms; 1 MiB 5-27 ms (40-190 MiB/s);
//! 4 MiB 10-16 ms (250-390 MiB/s); 16 MiB 420-730 MiB/s; `Blob.stream()` 525-750 MiB/s. Async
//! `arrayBuffer()` reads with several in flight cost the same ~1 ms per call for small slices
//! (the browser serves them one after another), so prefetching does not hide the per-call cost.

use crate::source::BlobSource;
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::io;
use web_sys::{Blob, FileReaderSync};

/// The read-ahead after a jump.
pub const FIRST_SLICE: usize = 1 << 20;
/// Largest slice read at once (sequential reads grow to it).
pub const MAX_SLICE: usize = 4 << 20;

pub struct BrowserBlob {
    blob: Blob,
    len: u64,
    reader: FileReaderSync,
    /// The last slice read: its offset and bytes.
    ahead: RefCell<(u64, Vec<u8>)>,
    /// The size of the next read-ahead.
    next: std::cell::Cell<usize>,
    /// Browser reads made, bytes they returned and milliseconds they took (for the benchmark).
    pub stats: std::cell::Cell<(u32, u64, f64)>,
}

fn now() -> f64 {
    use wasm_bindgen::JsCast;
    js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>().performance().map(|p| p.now()).unwrap_or(0.0)
}

impl BrowserBlob {
    pub fn new(blob: Blob) -> io::Result<Self> {
        let reader = FileReaderSync::new().map_err(|e| js_io("FileReaderSync is not available", &e))?;
        let len = blob.size() as u64;
        Ok(BrowserBlob { blob, len, reader, ahead: RefCell::new((0, Vec::new())), next: std::cell::Cell::new(FIRST_SLICE), stats: Default::default() })
    }

    /// One browser read of `out.len()` (≤ MAX_SLICE) bytes at `offset`; returns bytes read.
    fn read_slice(&self, offset: u64, out: &mut [u8]) -> io::Result<usize> {
        let n = (out.len() as u64).min(self.len - offset) as usize;
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
        arr.subarray(0, got as u32).copy_to(&mut out[..got]);
        let (c, b, ms) = self.stats.get();
        self.stats.set((c + 1, b + got as u64, ms + now() - t));
        Ok(got)
    }
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
        let mut ahead = self.ahead.borrow_mut();
        let (start, data) = &mut *ahead;
        if offset < *start || offset >= *start + data.len() as u64 {
            // Sequential (the read starts where the last slice ended): read further ahead.
            let sequential = !data.is_empty() && offset == *start + data.len() as u64;
            let size = if sequential { (self.next.get() * 2).min(MAX_SLICE) } else { FIRST_SLICE };
            self.next.set(size);
            if buf.len() >= size {
                // A large read goes straight into the caller's buffer.
                let n = buf.len().min(MAX_SLICE);
                return self.read_slice(offset, &mut buf[..n]);
            }
            data.resize(size, 0);
            let got = self.read_slice(offset, data)?;
            data.truncate(got);
            *start = offset;
        }
        let at = (offset - *start) as usize;
        let n = buf.len().min(data.len() - at);
        buf[..n].copy_from_slice(&data[at..at + n]);
        Ok(n)
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
