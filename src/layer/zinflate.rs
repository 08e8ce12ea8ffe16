//! The one module with `unsafe`: a safe wrapper over zlib's inflate as zlib-rs implements it
//! (through `libz-rs-sys`, its zlib C API; the same pure-Rust code flate2 runs, so it builds for
//! wasm32).
//!
//! Why not flate2 or zlib-rs's stable `Inflate`: a seek index (zlib `examples/zran.c`) needs
//! four things they do not offer: stopping at DEFLATE block boundaries (`Z_BLOCK`) and reading
//! `data_type` there (end-of-block flag, last-block flag, leftover bits), `inflatePrime` to
//! restart in the middle of a byte, `inflateGetDictionary` to take the 32 KiB window, and
//! `inflateSetDictionary` to give it back.
//!
//! Invariants that make the `unsafe` calls sound: the `z_stream` is boxed and never moves after
//! `inflateInit2_` (zlib keeps a pointer back to it); `next_in`/`next_out` are set from live
//! slices right before each `inflate` call and cleared right after, so no pointer outlives its
//! borrow; `inflateEnd` runs once, in `Drop`; the dictionary buffer is 32 KiB, the most zlib
//! writes.

use libz_rs_sys as z;

/// zlib's window: the most a back-reference reaches.
pub const WINDOW: usize = 32 * 1024;

/// An inflate stream (raw DEFLATE or gzip, by `window_bits` as in zlib: -15 raw, 31 gzip).
pub struct Inflater {
    strm: Box<z::z_stream>,
}

/// What one `inflate` call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub consumed: usize,
    pub produced: usize,
    /// The end of the DEFLATE stream (and, in gzip mode, of the member's trailer) was reached.
    pub end: bool,
}

fn message(strm: &z::z_stream, code: i32) -> String {
    if !strm.msg.is_null() {
        // SAFETY: zlib sets `msg` to a NUL-terminated static string or leaves it null.
        if let Ok(s) = unsafe { std::ffi::CStr::from_ptr(strm.msg) }.to_str() {
            return s.to_string();
        }
    }
    match code {
        z::Z_DATA_ERROR => "invalid data".into(),
        z::Z_MEM_ERROR => "out of memory".into(),
        z::Z_STREAM_ERROR => "inconsistent stream state".into(),
        c => format!("zlib error {c}"),
    }
}

impl Inflater {
    pub fn new(window_bits: i32) -> Result<Self, String> {
        let mut strm = Box::new(z::z_stream::default());
        // SAFETY: `strm` is a default (allocator-initialised) stream, boxed, not moved after this.
        let rc = unsafe {
            z::inflateInit2_(&mut *strm, window_bits, z::zlibVersion(), std::mem::size_of::<z::z_stream>() as i32)
        };
        if rc != z::Z_OK {
            return Err(message(&strm, rc));
        }
        Ok(Inflater { strm })
    }

    /// Starts a new stream with the given `window_bits` (`inflateReset2`).
    pub fn reset(&mut self, window_bits: i32) -> Result<(), String> {
        // SAFETY: the stream was initialised in `new`.
        let rc = unsafe { z::inflateReset2(&mut *self.strm, window_bits) };
        if rc != z::Z_OK {
            return Err(message(&self.strm, rc));
        }
        Ok(())
    }

    /// Inflates from `input` into `output`; with `block`, stops at the next block boundary
    /// (`Z_BLOCK`). A call that can make no progress returns zero counts, not an error.
    pub fn inflate(&mut self, input: &[u8], output: &mut [u8], block: bool) -> Result<Step, String> {
        let avail_in = input.len().min(u32::MAX as usize) as u32;
        let avail_out = output.len().min(u32::MAX as usize) as u32;
        self.strm.next_in = input.as_ptr();
        self.strm.avail_in = avail_in;
        self.strm.next_out = output.as_mut_ptr();
        self.strm.avail_out = avail_out;
        // SAFETY: next_in/next_out point into live slices of the given lengths.
        let rc = unsafe { z::inflate(&mut *self.strm, if block { z::Z_BLOCK } else { z::Z_NO_FLUSH }) };
        let consumed = (avail_in - self.strm.avail_in) as usize;
        let produced = (avail_out - self.strm.avail_out) as usize;
        self.strm.next_in = std::ptr::null();
        self.strm.avail_in = 0;
        self.strm.next_out = std::ptr::null_mut();
        self.strm.avail_out = 0;
        match rc {
            z::Z_OK | z::Z_BUF_ERROR => Ok(Step { consumed, produced, end: false }),
            z::Z_STREAM_END => Ok(Step { consumed, produced, end: true }),
            z::Z_NEED_DICT => Err("the stream needs a preset dictionary".into()),
            c => Err(message(&self.strm, c)),
        }
    }

    /// zlib's `data_type` after the last call: leftover bits in the low 3 bits, +64 inside the
    /// last block, +128 right after a block ended (or the header was read).
    pub fn data_type(&self) -> i32 {
        self.strm.data_type
    }

    /// Feeds `bits` leftover bits (the high bits of the byte before the checkpoint).
    pub fn prime(&mut self, bits: u32, value: u8) -> Result<(), String> {
        if bits == 0 {
            return Ok(());
        }
        // SAFETY: the stream was initialised in `new`.
        let rc = unsafe { z::inflatePrime(&mut *self.strm, bits as i32, i32::from(value) >> (8 - bits)) };
        if rc != z::Z_OK {
            return Err(message(&self.strm, rc));
        }
        Ok(())
    }

    /// Sets the window a raw stream starts with.
    pub fn set_dictionary(&mut self, dict: &[u8]) -> Result<(), String> {
        if dict.is_empty() {
            return Ok(());
        }
        // SAFETY: `dict` is a live slice of the given length.
        let rc = unsafe { z::inflateSetDictionary(&mut *self.strm, dict.as_ptr(), dict.len() as u32) };
        if rc != z::Z_OK {
            return Err(message(&self.strm, rc));
        }
        Ok(())
    }

    /// The current window (the last ≤ 32 KiB of this stream's output).
    pub fn dictionary(&self) -> Vec<u8> {
        let mut buf = vec![0u8; WINDOW];
        let mut len: u32 = 0;
        // SAFETY: `buf` has room for 32 KiB, the most zlib writes.
        let rc = unsafe { z::inflateGetDictionary(&*self.strm, buf.as_mut_ptr(), &mut len) };
        if rc != z::Z_OK {
            return Vec::new();
        }
        buf.truncate(len as usize);
        buf
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, ended only here.
        unsafe {
            z::inflateEnd(&mut *self.strm);
        }
    }
}
