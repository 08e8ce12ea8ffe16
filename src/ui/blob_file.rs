//! A browser `File` or `Blob` as a [`BlobSource`], read with `FileReaderSync`.
//!
//! Rules: only usable in a worker (`FileReaderSync` does not exist on the main thread). Each
//! browser read is one slice of at most [`MAX_SLICE`] bytes (`Blob.slice` + `readAsArrayBuffer`),
//! so no call holds more than 1 MiB and nothing holds the whole file. Small reads are served
//! from the last slice read (read-ahead): a browser read costs milliseconds whatever its size
//! (measured in Chromium: 64 KiB slices ~45 MB/s, 1 MiB ~100 MB/s, 16 MiB ~250 MB/s, the last
//! as fast as `Blob.stream()`), so few large reads beat many small ones.

use crate::source::BlobSource;
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::io;
use web_sys::{Blob, FileReaderSync};

/// Largest slice read at once.
pub const MAX_SLICE: usize = 1 << 20;

pub struct BrowserBlob {
    blob: Blob,
    len: u64,
    reader: FileReaderSync,
    /// The last slice read: its offset and bytes.
    ahead: RefCell<(u64, Vec<u8>)>,
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
        Ok(BrowserBlob { blob, len, reader, ahead: RefCell::new((0, Vec::new())), stats: Default::default() })
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
            if buf.len() >= MAX_SLICE {
                // A large read goes straight into the caller's buffer.
                return self.read_slice(offset, &mut buf[..MAX_SLICE]);
            }
            data.resize(MAX_SLICE, 0);
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
