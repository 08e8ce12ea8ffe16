//! Layer compression, detected by magic bytes (gzip `1f 8b`, zstd `28 b5 2f fd`), not by media
//! type: real archives mislabel (kaniko's `.tar.gz` in a docker-save, eStargz as plain gzip).
//! Decoders are pure Rust so they build for wasm: flate2 with the zlib-rs backend, and ruzstd.
//! Gzip streams may have several members (eStargz does), so the multi-member decoder is used.

use crate::error::{Error, Result};
use crate::source::{BlobSource, Source, SourceReader};
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Detects the compression from the first bytes of a blob.
pub fn detect(head: &[u8]) -> Compression {
    if head.starts_with(&GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(&ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Reads the first bytes of a source and detects its compression.
pub fn detect_source(src: &dyn BlobSource) -> Result<Compression> {
    let mut head = [0u8; 4];
    let n = (src.len() as usize).min(4);
    crate::source::read_exact_at(src, 0, &mut head[..n]).map_err(|e| Error::io(&e))?;
    Ok(detect(&head[..n]))
}

impl Compression {
    /// A reader of the uncompressed stream of `src`.
    pub fn decoder(self, src: Source) -> Result<Box<dyn Read>> {
        self.decode(Box::new(SourceReader::new(src)))
    }

    /// A reader of the uncompressed stream of any reader of the blob.
    pub fn decode(self, raw: Box<dyn Read>) -> Result<Box<dyn Read>> {
        Ok(match self {
            Compression::None => Box::new(raw),
            Compression::Gzip => Box::new(GzipReader(flate2::read::MultiGzDecoder::new(raw))),
            Compression::Zstd => Box::new(ZstdReader::new(raw)?),
        })
    }

    /// A reader of a zstd stream that calls `on_frame(compressed, uncompressed)` with the
    /// offsets of each frame start after the first (the seek index's checkpoints).
    pub fn zstd_with_frames(raw: Box<dyn Read>, on_frame: Box<dyn FnMut(u64, u64)>) -> Result<Box<dyn Read>> {
        let pos = Rc::new(Cell::new(0));
        let counted = Counted { inner: raw, pos: pos.clone() };
        let mut z = ZstdReader::new(counted)?;
        z.frames = Some(Frames { pos, on_frame, out: 0 });
        Ok(Box::new(z))
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Gzip errors reworded so a user knows the stream, not the tar, is at fault.
struct GzipReader<R: Read>(flate2::read::MultiGzDecoder<R>);

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => io::Error::new(e.kind(), "the gzip stream is truncated"),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
                io::Error::new(io::ErrorKind::InvalidData, format!("corrupt gzip stream ({e})"))
            }
            _ => e,
        })
    }
}

/// A zstd stream of one or more frames (skippable frames are skipped).
struct ZstdReader {
    dec: Option<ruzstd::decoding::StreamingDecoder<Box<dyn Read>, ruzstd::decoding::FrameDecoder>>,
    /// When indexing: where frames start.
    frames: Option<Frames>,
}

/// Frame starts, told to the indexing pass.
struct Frames {
    /// Compressed bytes read so far (shared with the [`Counted`] under the decoder).
    pos: Rc<Cell<u64>>,
    on_frame: Box<dyn FnMut(u64, u64)>,
    out: u64,
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    pos: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos.set(self.pos.get() + n as u64);
        Ok(n)
    }
}

fn zstd_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("corrupt zstd stream ({e})"))
}

impl ZstdReader {
    fn new(r: impl Read + 'static) -> Result<Self> {
        let dec = Self::open_frame(Box::new(r)).map_err(|e| Error::corrupt(e.to_string()))?;
        Ok(ZstdReader { dec, frames: None })
    }

    /// Starts the next data frame of `r`, skipping skippable frames; `None` at the end.
    #[allow(clippy::type_complexity)]
    fn open_frame(
        mut r: Box<dyn Read>,
    ) -> io::Result<Option<ruzstd::decoding::StreamingDecoder<Box<dyn Read>, ruzstd::decoding::FrameDecoder>>> {
        loop {
            let mut magic = [0u8; 4];
            let mut got = 0;
            while got < 4 {
                let n = r.read(&mut magic[got..])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            if got == 0 {
                return Ok(None);
            }
            if got < 4 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the zstd stream is truncated"));
            }
            let m = u32::from_le_bytes(magic);
            if (0x184D2A50..=0x184D2A5F).contains(&m) {
                let mut len = [0u8; 4];
                r.read_exact(&mut len)?;
                let len = u32::from_le_bytes(len) as u64;
                let skipped = io::copy(&mut (&mut r).take(len), &mut io::sink())?;
                if skipped != len {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the zstd stream is truncated"));
                }
                continue;
            }
            let chained: Box<dyn Read> = Box::new(io::Cursor::new(magic).chain(r));
            return ruzstd::decoding::StreamingDecoder::new(chained).map(Some).map_err(zstd_err);
        }
    }
}

impl Read for ZstdReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(dec) = self.dec.as_mut() else { return Ok(0) };
            match dec.read(buf) {
                Ok(0) => {
                    let dec = self.dec.take().expect("decoder present");
                    if !dec.decoder.is_finished() {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the zstd stream is truncated"));
                    }
                    let at = self.frames.as_ref().map(|f| f.pos.get());
                    self.dec = Self::open_frame(dec.into_inner())?;
                    if let (Some(f), Some(input), true) = (self.frames.as_mut(), at, self.dec.is_some()) {
                        (f.on_frame)(input, f.out);
                    }
                }
                Ok(n) => {
                    if let Some(f) = self.frames.as_mut() {
                        f.out += n as u64;
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the zstd stream is truncated"))
                }
                Err(e) => return Err(zstd_err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemSource;

    #[test]
    fn detects_by_magic() {
        assert_eq!(detect(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(detect(&ZSTD_MAGIC), Compression::Zstd);
        assert_eq!(detect(b"usr/"), Compression::None);
        assert_eq!(detect(b""), Compression::None);
    }

    #[test]
    fn gzip_round_trip_and_corruption() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&vec![7u8; 100_000]).unwrap();
        let gz = enc.finish().unwrap();
        let src = MemSource::shared(gz.clone());
        let mut out = Vec::new();
        Compression::Gzip.decoder(src).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, vec![7u8; 100_000]);
        let mut bad = gz.clone();
        let n = bad.len();
        bad[n / 2] ^= 0xff;
        bad[n / 2 + 1] ^= 0xff;
        let mut out = Vec::new();
        assert!(Compression::Gzip.decoder(MemSource::shared(bad)).unwrap().read_to_end(&mut out).is_err());
        let cut = gz[..gz.len() / 2].to_vec();
        let mut out = Vec::new();
        assert!(Compression::Gzip.decoder(MemSource::shared(cut)).unwrap().read_to_end(&mut out).is_err());
    }
}
