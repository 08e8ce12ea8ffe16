//! A browser `File` or `Blob` as a [`BlobSource`], read with `FileReaderSync`.
//!
//! Rules: only usable in a worker (`FileReaderSync` does not exist on the main thread). Each
//! `read_at` reads one slice of at most [`MAX_SLICE`] bytes (`Blob.slice` + `readAsArrayBuffer`)
//! and returns a short read past that, so no single call holds more than 1 MiB and nothing ever
//! holds the whole file.

use crate::source::BlobSource;
use js_sys::Uint8Array;
use std::io;
use web_sys::{Blob, FileReaderSync};

/// Largest slice read at once.
pub const MAX_SLICE: usize = 1 << 20;

pub struct BrowserBlob {
    blob: Blob,
    len: u64,
    reader: FileReaderSync,
}

impl BrowserBlob {
    pub fn new(blob: Blob) -> io::Result<Self> {
        let reader = FileReaderSync::new().map_err(|e| js_io("FileReaderSync is not available", &e))?;
        let len = blob.size() as u64;
        Ok(BrowserBlob { blob, len, reader })
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
        let n = (buf.len().min(MAX_SLICE) as u64).min(self.len - offset) as usize;
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
        arr.subarray(0, got as u32).copy_to(&mut buf[..got]);
        Ok(got)
    }
}
