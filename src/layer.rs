//! One image layer: a tar stream (plain, gzip or zstd) turned into an index of entries, and
//! the writer that makes such streams ([`tarwriter`]): reading and writing tar live together.
//!
//! Rules:
//! - Compression is detected by magic bytes ([`compression::detect`]), never trusted from a
//!   media type alone.
//! - An uncompressed layer is indexed by reading tar headers and seeking past contents; a
//!   compressed one is streamed once. Nothing holds a layer in memory: each [`Entry`] records
//!   where its content starts in the uncompressed stream, and [`LayerBlob`] reads it on demand.
//! - Names are cleaned as moby's `archive.Unpack` does (SPEC §2 rule 1): leading `/` and `./`
//!   dropped, `.` components dropped, `..` resolved; a name that leaves the layer is an error.
//!   The root entry is dropped. Names stay bytes (they may be non-UTF-8).
//! - Whiteouts (`.wh.NAME`) and opaque markers (`.wh..wh..opq`) are recognised in one place,
//!   [`whiteout::classify`], the opaque marker before the plain prefix.
//! - Hostile input ends in an error naming the entry: sizes past the end of the data, corrupt
//!   streams, decompression bombs ([`Limits`]), unsupported entry types.

pub mod boundary;
pub mod compression;
pub mod content;
pub mod indexfile;
pub mod seek;
pub mod tarindex;
pub mod tarlist;
pub mod tarwriter;
pub mod whiteout;
mod zinflate;

use crate::digest::Hasher;
use crate::error::{Error, Result};
use crate::source::Source;
use std::io::Read;
use std::sync::Arc;

pub use compression::Compression;
pub use content::Content;
pub use tarindex::{index_layer, index_layer_tee, members, IndexOptions, Limits, Member, Progress};
pub use tarwriter::{TarEntry, TarKind, TarWriter};

/// What a tar entry is, after whiteout recognition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Dir,
    File,
    Symlink(Box<[u8]>),
    /// A tar hardlink to an earlier entry of the same layer (cleaned path).
    Hardlink(Box<[u8]>),
    Char(u32, u32),
    Block(u32, u32),
    Fifo,
    /// `DIR/.wh.NAME`: hides `DIR/NAME` of the layers below.
    Whiteout,
    /// `DIR/.wh..wh..opq`: makes `DIR` opaque.
    Opaque,
}

/// One tar entry of a layer, as stored (path cleaned, relative, never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Cleaned path relative to the layer root, e.g. `etc/passwd` or `etc/.wh.motd`.
    pub path: Box<[u8]>,
    pub kind: EntryKind,
    /// Permission bits and setuid/setgid/sticky (`mode & 07777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: i64,
    /// Content size (regular files; 0 otherwise).
    pub size: u64,
    /// Where the content starts in the uncompressed tar stream.
    pub offset: u64,
    /// SHA-256 of the content, when the index was asked to hash files.
    pub digest: Option<[u8; 32]>,
}

impl Entry {
    /// The last path component.
    pub fn name(&self) -> &[u8] {
        crate::path::split_rel(&self.path).1
    }
    /// The parent path (`""` for the layer root).
    pub fn parent(&self) -> &[u8] {
        crate::path::split_rel(&self.path).0
    }
    /// For a whiteout, the path it hides; for an opaque marker, the directory it makes opaque.
    pub fn whiteout_target(&self) -> Option<Vec<u8>> {
        match self.kind {
            EntryKind::Whiteout => whiteout::whiteout_target(self.name()).map(|hidden| crate::path::join_rel(self.parent(), hidden)),
            EntryKind::Opaque => Some(self.parent().to_vec()),
            _ => None,
        }
    }
    /// Path for display, `/`-rooted and escaped.
    pub fn display_path(&self) -> String {
        let mut p = Vec::with_capacity(self.path.len() + 1);
        p.push(b'/');
        p.extend_from_slice(&self.path);
        crate::listing::esc(&p)
    }
}

/// Cleans a tar member name (SPEC §2 rule 1). `Ok(None)` for the root entry; an error for a
/// name that leaves the layer.
pub fn clean_name(name: &[u8]) -> std::result::Result<Option<Vec<u8>>, &'static str> {
    let (parts, escaped) = crate::path::resolve(name);
    if escaped {
        return Err("the name leaves the layer root ('..')");
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(parts.join(&b'/')))
}

/// A layer blob and how to read its uncompressed stream.
#[derive(Clone)]
pub struct LayerBlob {
    pub source: Source,
    pub compression: Compression,
    /// Human name for errors, e.g. `layer 2 (sha256:abcdef123456)`.
    pub label: Arc<str>,
    /// Where reads of a compressed stream can start (filled by the indexing pass); `None`
    /// reads from the start.
    pub seek: Option<Arc<seek::SeekIndex>>,
    /// Content digests of a compressed stream computed on demand, by (offset, size): a load
    /// that did not hash its files ([`IndexOptions::hash_files`]) pays for them once, when a
    /// listing, a comparison or `docker diff` first asks ([`LayerBlob::digest_ranges`] in one
    /// pass for many). Shared by the blob's clones; at most one per tar entry.
    pub memo: DigestMemo,
}

/// Content digests by (offset, size) ([`LayerBlob::memo`]).
pub type DigestMemo = Arc<std::sync::Mutex<std::collections::HashMap<(u64, u64), [u8; 32]>>>;

impl std::fmt::Debug for LayerBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LayerBlob({}, {:?}, {} bytes)", self.label, self.compression, self.source.len())
    }
}

impl LayerBlob {
    pub fn new(source: Source, label: impl Into<Arc<str>>) -> Result<Self> {
        let compression = compression::detect_source(&*source)?;
        Ok(LayerBlob { source, compression, label: label.into(), seek: None, memo: Default::default() })
    }

    /// The same blob with the seek index its indexing pass built.
    pub fn with_seek(mut self, seek: Option<Arc<seek::SeekIndex>>) -> Self {
        self.seek = seek;
        self
    }

    /// Reads `size` bytes of content starting at `offset` of the uncompressed stream.
    /// Uncompressed layers read in place; compressed ones decompress from the nearest seek
    /// checkpoint (or the start).
    pub fn read_content(&self, offset: u64, size: u64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.for_each_chunk(offset, size, &mut |c| {
            out.extend_from_slice(c);
            Ok(())
        })?;
        Ok(out)
    }

    /// Feeds the content range to `f` in chunks of at most 1 MiB.
    pub fn for_each_chunk(
        &self,
        offset: u64,
        size: u64,
        f: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let label = self.label.clone();
        let wrap = |e: Error| e.in_layer(label.to_string());
        if self.compression == Compression::None {
            let mut pos = offset;
            let end = offset.checked_add(size).filter(|&e| e <= self.source.len()).ok_or_else(|| {
                wrap(Error::truncated(format!(
                    "content of {size} bytes at offset {offset} runs past the end of the layer"
                )))
            })?;
            let mut buf = vec![0u8; (size.min(1 << 20)) as usize];
            while pos < end {
                let n = ((end - pos) as usize).min(buf.len());
                crate::source::read_exact_at(&*self.source, pos, &mut buf[..n]).map_err(|e| wrap(Error::io(&e)))?;
                f(&buf[..n])?;
                pos += n as u64;
            }
            return Ok(());
        }
        let mut r = seek::open_at(self.source.clone(), self.compression, self.seek.as_deref(), offset).map_err(&wrap)?;
        let mut left = size;
        let mut buf = vec![0u8; (size.min(1 << 20)) as usize];
        while left > 0 {
            let want = (left as usize).min(buf.len());
            let n = r.read(&mut buf[..want]).map_err(|e| wrap(Error::io(&e)))?;
            if n == 0 {
                return Err(wrap(Error::truncated("the layer stream ends inside a file's content")));
            }
            f(&buf[..n])?;
            left -= n as u64;
        }
        Ok(())
    }

    /// `sha256:…` of the whole uncompressed stream (the layer's diff_id).
    pub fn diff_id(&self) -> Result<String> {
        let label = self.label.clone();
        let wrap = |e: Error| e.in_layer(label.to_string());
        let mut r = self.compression.decoder(self.source.clone()).map_err(&wrap)?;
        let mut h = Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = r.read(&mut buf).map_err(|e| wrap(Error::io(&e)))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(crate::digest::prefixed(&h.finalize()))
    }

    /// SHA-256 of a content range, read in chunks (a compressed stream's from the nearest
    /// checkpoint), remembered for a compressed stream ([`LayerBlob::memo`]).
    pub fn digest_content(&self, offset: u64, size: u64) -> Result<[u8; 32]> {
        if let Some(d) = self.remembered(offset, size) {
            return Ok(d);
        }
        let mut h = Hasher::new();
        self.for_each_chunk(offset, size, &mut |c| {
            h.update(c);
            Ok(())
        })?;
        let d = h.finalize();
        self.remember(offset, size, d);
        Ok(d)
    }

    fn remembered(&self, offset: u64, size: u64) -> Option<[u8; 32]> {
        if self.compression == Compression::None {
            return None;
        }
        self.memo.lock().ok()?.get(&(offset, size)).copied()
    }

    fn remember(&self, offset: u64, size: u64, d: [u8; 32]) {
        if self.compression != Compression::None {
            if let Ok(mut m) = self.memo.lock() {
                m.insert((offset, size), d);
            }
        }
    }

    /// SHA-256 of several content ranges. An uncompressed layer reads each range in place; a
    /// compressed one is decompressed once, front to back, instead of once per range.
    /// Ranges already remembered are not read again.
    pub fn digest_ranges(&self, ranges: &[(u64, u64)]) -> Result<Vec<[u8; 32]>> {
        let known: Vec<Option<[u8; 32]>> = ranges.iter().map(|&(o, s)| self.remembered(o, s)).collect();
        let mut order: Vec<usize> = (0..ranges.len()).filter(|&i| known[i].is_none()).collect();
        if self.compression == Compression::None || order.len() < 2 {
            return ranges.iter().map(|&(o, s)| self.digest_content(o, s)).collect();
        }
        order.sort_by_key(|&i| ranges[i]);
        let mut out: Vec<[u8; 32]> = known.into_iter().map(Option::unwrap_or_default).collect();
        let label = self.label.clone();
        let wrap = |e: std::io::Error| Error::io(&e).in_layer(label.to_string());
        let mut r = self.compression.decoder(self.source.clone()).map_err(|e| e.in_layer(label.to_string()))?;
        let mut pos = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        let mut prev: Option<((u64, u64), [u8; 32])> = None;
        for i in order {
            let (off, size) = ranges[i];
            if let Some((rng, d)) = prev {
                if rng == (off, size) {
                    out[i] = d;
                    continue;
                }
            }
            if off < pos {
                // Overlapping ranges do not occur in a tar; read this one on its own.
                out[i] = self.digest_content(off, size)?;
                continue;
            }
            if self.seek.as_ref().and_then(|s| s.nearest(off)).is_some_and(|p| p.output > pos) {
                // A checkpoint past where we are: start there instead of inflating the gap.
                r = seek::open_at(self.source.clone(), self.compression, self.seek.as_deref(), off)
                    .map_err(|e| e.in_layer(label.to_string()))?;
                pos = off;
            }
            std::io::copy(&mut (&mut r).take(off - pos), &mut std::io::sink()).map_err(wrap)?;
            let mut h = Hasher::new();
            let mut left = size;
            while left > 0 {
                let want = (left as usize).min(buf.len());
                let n = r.read(&mut buf[..want]).map_err(wrap)?;
                if n == 0 {
                    return Err(Error::truncated("the layer stream ends inside a file's content").in_layer(label.to_string()));
                }
                h.update(&buf[..n]);
                left -= n as u64;
            }
            pos = off + size;
            out[i] = h.finalize();
            self.remember(off, size, out[i]);
            prev = Some(((off, size), out[i]));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_ranges_of_a_gzip_layer_match_one_by_one_digests() {
        use std::io::Write;
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&data).unwrap();
        let blob = LayerBlob::new(crate::source::MemSource::shared(enc.finish().unwrap()), "t").unwrap();
        assert_eq!(blob.compression, Compression::Gzip);
        // Unsorted, with a duplicate and an overlap.
        let ranges = [(150_000, 10), (0, 1000), (70_000, 50_000), (0, 1000), (100_000, 60_000)];
        let got = blob.digest_ranges(&ranges).unwrap();
        for (d, &(o, s)) in got.iter().zip(&ranges) {
            assert_eq!(*d, crate::digest::sha256(&data[o as usize..(o + s) as usize]), "range {o}+{s}");
        }
        assert!(blob.digest_ranges(&[(0, 1), (199_990, 100)]).is_err());
    }

    /// Many files of a gzip layer asked ahead cost one pass over the blob; asked again, each
    /// is remembered and reads nothing.
    #[test]
    fn digests_asked_ahead_take_one_pass_and_are_remembered() {
        use std::io::Write;
        use std::sync::atomic::{AtomicU64, Ordering};
        struct Counting(Source, Arc<AtomicU64>);
        impl crate::source::BlobSource for Counting {
            fn len(&self) -> u64 {
                self.0.len()
            }
            fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.read_at(offset, buf)?;
                self.1.fetch_add(n as u64, Ordering::Relaxed);
                Ok(n)
            }
        }
        let data: Vec<u8> = (0..400_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&data).unwrap();
        let gz = enc.finish().unwrap();
        let read = Arc::new(AtomicU64::new(0));
        let src: Source = Arc::new(Counting(crate::source::MemSource::shared(gz.clone()), read.clone()));
        let blob = Arc::new(LayerBlob::new(src, "t").unwrap());
        let files: Vec<Content> = (0..80u64).map(|k| Content::Blob { blob: blob.clone(), offset: k * 5000, size: 4000 }).collect();
        read.store(0, Ordering::Relaxed);
        content::digest_ahead(&files);
        let ahead = read.load(Ordering::Relaxed);
        assert!(ahead <= gz.len() as u64, "{ahead} bytes read for {} of blob", gz.len());
        for (k, f) in files.iter().enumerate() {
            let o = k * 5000;
            assert_eq!(f.digest().unwrap(), crate::digest::sha256(&data[o..o + 4000]), "file {k}");
        }
        assert_eq!(read.load(Ordering::Relaxed), ahead, "remembered digests read nothing");
        // A clone of the blob shares what it remembers; a range not asked before is read.
        let other = Content::Blob { blob: Arc::new((*blob).clone()), offset: 5000, size: 4000 };
        assert_eq!(other.digest().unwrap(), crate::digest::sha256(&data[5000..9000]));
        assert_eq!(read.load(Ordering::Relaxed), ahead);
        let fresh = Content::Blob { blob: blob.clone(), offset: 7, size: 10 };
        assert_eq!(fresh.digest().unwrap(), crate::digest::sha256(&data[7..17]));
        assert!(read.load(Ordering::Relaxed) > ahead);
    }

    #[test]
    fn clean_names_like_moby() {
        assert_eq!(clean_name(b"./etc/passwd").unwrap().unwrap(), b"etc/passwd");
        assert_eq!(clean_name(b"/root/x").unwrap().unwrap(), b"root/x");
        assert_eq!(clean_name(b"a/./b//c/").unwrap().unwrap(), b"a/b/c");
        assert_eq!(clean_name(b"a/../b").unwrap().unwrap(), b"b");
        assert_eq!(clean_name(b"./").unwrap(), None);
        assert_eq!(clean_name(b".").unwrap(), None);
        assert!(clean_name(b"../etc/passwd").is_err());
        assert!(clean_name(b"a/../../b").is_err());
        assert_eq!(clean_name(b"caf\xe9").unwrap().unwrap(), b"caf\xe9");
    }
}
