//! Where a regular file's bytes are: a range of a layer blob's uncompressed tar stream (read on
//! demand), or bytes in memory (files written in the container, documents of a saved archive).
//! The range is the data blocks that follow the file's tar header (POSIX `ustar`/pax: `size`
//! bytes from the block after the header), as the tar index recorded it.
//!
//! Rules: content is never read whole unless asked ([`Content::read`]); digests and the tar
//! writer stream it in chunks of at most 1 MiB ([`LayerBlob::for_each_chunk`]). Whoever is
//! about to ask many files of compressed layers for their digest (a listing, a comparison)
//! asks [`digest_ahead`] first: one pass per layer blob instead of a read from the nearest
//! checkpoint per file.
//!
//! Why here and not in `tree` or `source`: the `Blob` variant ranges over the *uncompressed*
//! stream of a [`LayerBlob`] (it needs the layer's decompression), so it sits above `source`;
//! the tar writer ([`super::tarwriter`]) writes it and `tree` nodes hold it, and `tree` already
//! depends on `layer`, so keeping it in `layer` lets both use it without a cycle.

use super::LayerBlob;
use crate::error::Result;
use std::sync::Arc;

/// Where a regular file's bytes are.
#[derive(Debug, Clone)]
pub enum Content {
    /// A range of a layer's uncompressed tar stream, read on demand.
    Blob { blob: Arc<LayerBlob>, offset: u64, size: u64 },
    /// Bytes in memory (files written in the container).
    Bytes(Arc<[u8]>),
}

impl Content {
    pub fn empty() -> Self {
        Content::Bytes(Arc::from(&[][..]))
    }
    pub fn size(&self) -> u64 {
        match self {
            Content::Blob { size, .. } => *size,
            Content::Bytes(b) => b.len() as u64,
        }
    }
    /// Reads the whole content.
    pub fn read(&self) -> Result<Vec<u8>> {
        match self {
            Content::Blob { blob, offset, size } => blob.read_content(*offset, *size),
            Content::Bytes(b) => Ok(b.to_vec()),
        }
    }
    /// At most `n` bytes from `off` (none past the end): what one `read` at that offset gets.
    pub fn read_at(&self, off: u64, n: u64) -> Result<Vec<u8>> {
        let n = n.min(self.size().saturating_sub(off));
        if n == 0 {
            return Ok(Vec::new());
        }
        match self {
            Content::Blob { blob, offset, .. } => blob.read_content(offset + off, n),
            Content::Bytes(b) => Ok(b[off as usize..(off + n) as usize].to_vec()),
        }
    }
    /// Whether both name the same bytes (one range of one blob, or one buffer): equal without
    /// reading them.
    pub fn same(&self, other: &Content) -> bool {
        match (self, other) {
            (Content::Blob { blob: a, offset: x, size: m }, Content::Blob { blob: b, offset: y, size: n }) => Arc::ptr_eq(a, b) && (x, m) == (y, n),
            (Content::Bytes(a), Content::Bytes(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
    /// SHA-256 of the content.
    pub fn digest(&self) -> Result<[u8; 32]> {
        match self {
            Content::Blob { blob, offset, size } => blob.digest_content(*offset, *size),
            Content::Bytes(b) => Ok(crate::digest::sha256(b)),
        }
    }
}

/// (offset, size) ranges of one blob's uncompressed stream.
type Ranges = Vec<(u64, u64)>;

/// Computes ahead, one pass per compressed layer blob ([`LayerBlob::digest_ranges`]), the
/// digests of these contents that [`Content::digest`] will then find remembered. Best effort:
/// a blob that fails here says so, naming the file, when the file itself is asked.
pub fn digest_ahead<'a>(contents: impl IntoIterator<Item = &'a Content>) {
    let mut by_blob: Vec<(&Arc<LayerBlob>, Ranges)> = Vec::new();
    for c in contents {
        if let Content::Blob { blob, offset, size } = c {
            if blob.compression == super::Compression::None || *size == 0 {
                continue;
            }
            match by_blob.iter_mut().find(|(b, _)| Arc::ptr_eq(b, blob)) {
                Some((_, r)) => r.push((*offset, *size)),
                None => by_blob.push((blob, vec![(*offset, *size)])),
            }
        }
    }
    for (blob, ranges) in by_blob {
        let _ = blob.digest_ranges(&ranges);
    }
}
