//! A gzip member whose DEFLATE data is stored blocks (RFC 1951 §3.2.4, BTYPE 00): how a
//! committed layer is written. Docker itself keeps a committed layer uncompressed (`docker save`
//! writes it as a plain tar); only its diff_id, the digest of the tar, names it. Any gzip
//! reader (GNU gzip, Go's compress/gzip, skopeo, umoci, our own inflate) reads it.
//!
//! Rules: RFC 1952 header (no name, mtime 0, OS 255 "unknown", as flate2's `GzBuilder` wrote
//! before), blocks of at most 65,535 bytes, a final empty stored block, then CRC-32 and ISIZE.
//! Hand-written (about 40 lines) instead of flate2's `GzEncoder`: an encoder pulls zlib-rs's
//! deflate into the page's first-load worker, 22.8 KB of gzipped wasm (measured) that stored
//! blocks do not need; the CRC-32 is zlib-rs's, which inflate already links.

use std::io::{self, Write};

/// Largest stored block.
const BLOCK: usize = 65_535;

/// Writes a stored-block gzip member to `inner`; [`StoredGzip::finish`] ends it.
pub struct StoredGzip<W: Write> {
    inner: W,
    buf: Vec<u8>,
    crc: u32,
    len: u64,
    started: bool,
}

impl<W: Write> StoredGzip<W> {
    pub fn new(inner: W) -> Self {
        StoredGzip { inner, buf: Vec::with_capacity(BLOCK), crc: 0, len: 0, started: false }
    }

    fn block(&mut self, last: bool) -> io::Result<()> {
        if !self.started {
            self.inner.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255])?;
            self.started = true;
        }
        let n = self.buf.len() as u16;
        self.inner.write_all(&[last as u8])?;
        self.inner.write_all(&n.to_le_bytes())?;
        self.inner.write_all(&(!n).to_le_bytes())?;
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Ends the member (final block, CRC-32, size mod 2^32) and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.block(true)?;
        self.inner.write_all(&self.crc.to_le_bytes())?;
        self.inner.write_all(&(self.len as u32).to_le_bytes())?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for StoredGzip<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let take = data.len().min(BLOCK - self.buf.len());
        self.buf.extend_from_slice(&data[..take]);
        self.crc = zlib_rs::crc32::crc32(self.crc, &data[..take]);
        self.len += take as u64;
        if self.buf.len() == BLOCK {
            self.block(false)?;
        }
        Ok(take)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn gzip_readers_get_the_bytes_back() {
        for n in [0usize, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17] {
            let data: Vec<u8> = (0..n as u32).map(|i| (i * 7 % 251) as u8).collect();
            let mut w = StoredGzip::new(Vec::new());
            for c in data.chunks(1000) {
                w.write_all(c).unwrap();
            }
            let gz = w.finish().unwrap();
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, data, "{n} bytes");
        }
    }
}
