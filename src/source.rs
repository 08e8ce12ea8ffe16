//! Where bytes come from: a blob with a length that can be read at any offset.
//!
//! Rules: nothing in the core holds a whole archive or layer in memory. Everything reads through
//! [`BlobSource`] (`len` + `read_at`), which has an implementation for a file on disk
//! ([`FileSource`]), for memory ([`MemSource`]) and, in the UI, for a browser `File` (read with
//! `FileReaderSync` in the worker). A member of an outer archive is a [`Slice`] of its parent, so a
//! `docker save` layer is read in place. [`SourceReader`] adapts a source to `Read + Seek` with a
//! small buffer, so streaming parsers (tar, gzip, zstd) can run over it.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// What a source must be to be shared: natively, between threads (an archive's layers are
/// indexed on several cores); in the page's wasm, nothing (a browser `File` lives in one
/// worker, and that worker has one thread).
#[cfg(not(target_arch = "wasm32"))]
pub trait Shared: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync + ?Sized> Shared for T {}
#[cfg(target_arch = "wasm32")]
pub trait Shared {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> Shared for T {}

/// Random-access bytes of known length.
pub trait BlobSource: Shared {
    /// Total length in bytes.
    fn len(&self) -> u64;
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read (0 at or past the
    /// end). May return fewer than asked: callers loop.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The source this one is a window of, and where the window starts (a [`Slice`]): how the
    /// page hands a layer of an opened archive to another worker without copying it.
    fn window(&self) -> Option<(&Source, u64)> {
        None
    }
}

/// A shared handle to a source.
pub type Source = Arc<dyn BlobSource>;

/// Reads exactly `buf.len()` bytes at `offset`, or fails with `UnexpectedEof`.
pub fn read_exact_at(src: &dyn BlobSource, mut offset: u64, mut buf: &mut [u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = src.read_at(offset, buf)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "unexpected end of data"));
        }
        offset += n as u64;
        buf = &mut buf[n..];
    }
    Ok(())
}

/// Reads a whole (small) range into a vector. Callers bound `len` first.
pub fn read_range(src: &dyn BlobSource, offset: u64, len: u64) -> io::Result<Vec<u8>> {
    let end = offset.checked_add(len);
    if end.map_or(true, |e| e > src.len()) {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "range past the end of data"));
    }
    let mut v = vec![0u8; len as usize];
    read_exact_at(src, offset, &mut v)?;
    Ok(v)
}

/// Bytes in memory.
#[derive(Clone)]
pub struct MemSource(pub Arc<[u8]>);

impl MemSource {
    pub fn new(bytes: impl Into<Arc<[u8]>>) -> Self {
        MemSource(bytes.into())
    }
    pub fn shared(bytes: impl Into<Arc<[u8]>>) -> Source {
        Arc::new(MemSource::new(bytes))
    }
}

impl BlobSource for MemSource {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let len = self.0.len() as u64;
        if offset >= len {
            return Ok(0);
        }
        let start = offset as usize;
        let n = buf.len().min(self.0.len() - start);
        buf[..n].copy_from_slice(&self.0[start..start + n]);
        Ok(n)
    }
}

/// A file on disk, read with positional reads (no shared cursor).
#[cfg(not(target_arch = "wasm32"))]
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

#[cfg(not(target_arch = "wasm32"))]
impl FileSource {
    pub fn open(path: impl AsRef<std::path::Path>) -> io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileSource { file, len })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl BlobSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    #[cfg(unix)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        if offset >= self.len {
            return Ok(0);
        }
        let max = ((self.len - offset).min(buf.len() as u64)) as usize;
        loop {
            match self.file.read_at(&mut buf[..max], offset) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }
    #[cfg(windows)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::windows::fs::FileExt;
        if offset >= self.len {
            return Ok(0);
        }
        let max = ((self.len - offset).min(buf.len() as u64)) as usize;
        self.file.seek_read(&mut buf[..max], offset)
    }
}

/// A window `[offset, offset + len)` of another source (an archive member).
pub struct Slice {
    parent: Source,
    offset: u64,
    len: u64,
}

impl Slice {
    /// Fails if the window does not fit inside the parent.
    pub fn new(parent: Source, offset: u64, len: u64) -> io::Result<Self> {
        match offset.checked_add(len) {
            Some(end) if end <= parent.len() => Ok(Slice { parent, offset, len }),
            _ => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "member of {len} bytes at offset {offset} runs past the end of the archive ({} bytes)",
                    parent.len()
                ),
            )),
        }
    }
    pub fn shared(parent: Source, offset: u64, len: u64) -> io::Result<Source> {
        Ok(Arc::new(Slice::new(parent, offset, len)?))
    }
}

impl BlobSource for Slice {
    fn len(&self) -> u64 {
        self.len
    }
    fn window(&self) -> Option<(&Source, u64)> {
        Some((&self.parent, self.offset))
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let max = ((self.len - offset).min(buf.len() as u64)) as usize;
        self.parent.read_at(self.offset + offset, &mut buf[..max])
    }
}

impl fmt::Debug for dyn BlobSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobSource({} bytes)", self.len())
    }
}

/// `Read + Seek` over a source, with a read buffer. Seeking inside the buffer is free; seeking
/// elsewhere drops it, so skipping file contents costs nothing.
pub struct SourceReader {
    src: Source,
    pos: u64,
    buf: Vec<u8>,
    buf_start: u64,
    buf_len: usize,
    /// How much the next refill reads: small after a seek (a tar header), doubling while reads
    /// stay sequential, so skipping big files does not drag whole buffers through memory.
    fill: usize,
}

/// The first refill after a seek.
const MIN_FILL: usize = 8 * 1024;

/// Buffer size: big enough that per-call overhead vanishes, small enough to stay in cache
/// (and, in wasm, to keep each call into the browser short).
pub const READ_CHUNK: usize = 256 * 1024;

impl SourceReader {
    pub fn new(src: Source) -> Self {
        Self::with_capacity(src, READ_CHUNK)
    }
    pub fn with_capacity(src: Source, cap: usize) -> Self {
        SourceReader { src, pos: 0, buf: vec![0; cap.max(512)], buf_start: 0, buf_len: 0, fill: MIN_FILL }
    }
    pub fn position(&self) -> u64 {
        self.pos
    }
    pub fn source(&self) -> &Source {
        &self.src
    }
}

impl Read for SourceReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let in_buf = self.pos >= self.buf_start && self.pos < self.buf_start + self.buf_len as u64;
        if !in_buf {
            // Large reads bypass the buffer.
            if out.len() >= self.buf.len() {
                let n = self.src.read_at(self.pos, out)?;
                self.pos += n as u64;
                return Ok(n);
            }
            let sequential = self.pos == self.buf_start + self.buf_len as u64;
            self.fill = if sequential { (self.fill * 2).min(self.buf.len()) } else { MIN_FILL.min(self.buf.len()) };
            let n = self.src.read_at(self.pos, &mut self.buf[..self.fill])?;
            self.buf_start = self.pos;
            self.buf_len = n;
            if n == 0 {
                return Ok(0);
            }
        }
        let off = (self.pos - self.buf_start) as usize;
        let n = out.len().min(self.buf_len - off);
        out[..n].copy_from_slice(&self.buf[off..off + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SourceReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.src.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(io::ErrorKind::InvalidInput, "seek before the start")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that returns short reads, to shake out callers that assume full reads.
    struct Stingy(MemSource);
    impl BlobSource for Stingy {
        fn len(&self) -> u64 {
            self.0.len()
        }
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1 + (offset as usize % 7));
            self.0.read_at(offset, &mut buf[..n])
        }
    }

    #[test]
    fn reader_over_short_reads_sees_every_byte() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let src: Source = Arc::new(Stingy(MemSource::new(data.clone())));
        let mut r = SourceReader::with_capacity(src, 1000);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        r.seek(SeekFrom::Start(12345)).unwrap();
        let mut b = [0u8; 10];
        r.read_exact(&mut b).unwrap();
        assert_eq!(&b, &data[12345..12355]);
    }

    #[test]
    fn slice_rejects_windows_past_the_end() {
        let src = MemSource::shared(vec![1u8; 10]);
        assert!(Slice::new(src.clone(), 5, 6).is_err());
        assert!(Slice::new(src.clone(), u64::MAX, 2).is_err());
        let s = Slice::new(src, 2, 8).unwrap();
        assert_eq!(s.len(), 8);
        assert_eq!(read_range(&s, 0, 8).unwrap(), vec![1u8; 8]);
        assert!(read_range(&s, 1, 8).is_err());
    }
}
