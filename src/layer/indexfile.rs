//! A layer's index as bytes: everything the indexing pass learned about a layer (its tar
//! entries with their offsets and cached digests, the seek checkpoints of a compressed layer,
//! the file heads that looked like secrets, the digests it checked), so another worker can
//! rebuild the layer over the same blob without reading it again ([`crate::image::Archive::load_indexed`]).
//!
//! Rules:
//! - Format (little-endian): `LLIX` + version 1, the layer count (u32), then per layer: the
//!   compression (u8), compressed and uncompressed sizes (u64), diff_id and blob digest
//!   (optional strings), the entries (u32 count; each: path, kind tag and its data, mode, uid,
//!   gid, mtime, size, offset, optional 32-byte digest), the checkpoints (optional; u32 count;
//!   each: input, bits, output, start, window) and the secret heads (optional; u32 count; each:
//!   offset and what it looks like, by name). Strings and byte strings are a u32 length and
//!   the bytes.
//! - Decoding trusts nothing: every length is checked against what is left, counts are bounded
//!   by the bytes that remain, an unknown tag or secret kind is an error naming the layer and
//!   entry; never a panic, never an allocation larger than the input.
//! - Hand-written, not a serde format crate: the encoder runs in the page's first-load worker,
//!   whose wasm budget had 11 KB left; serde derives on these types and a format crate cost
//!   several times what these few fixed fields do.

use super::seek::{Checkpoint, SeekIndex};
use super::tarindex::LayerIndex;
use super::{Compression, Entry, EntryKind};
use crate::error::{Error, Result};
use std::sync::Arc;

const MAGIC: &[u8; 5] = b"LLIX\x01";

/// What is encoded of one layer, borrowed (from a [`LayerIndex`], or a loaded layer that kept
/// its parts).
pub struct Parts<'a> {
    pub compression: Compression,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub diff_id: Option<&'a str>,
    pub blob_digest: Option<&'a str>,
    pub entries: &'a [Entry],
    pub seek: Option<&'a SeekIndex>,
    pub secret_heads: Option<&'a [(u64, &'static str)]>,
}

impl<'a> Parts<'a> {
    pub fn of(l: &'a LayerIndex) -> Self {
        Parts {
            compression: l.compression,
            compressed_size: l.compressed_size,
            uncompressed_size: l.uncompressed_size,
            diff_id: l.diff_id.as_deref(),
            blob_digest: l.blob_digest.as_deref(),
            entries: &l.entries,
            seek: l.seek.as_deref(),
            secret_heads: l.secret_heads.as_deref(),
        }
    }
}

/// Encodes layer indexes, bottom first.
///
/// Never inlined ([`decode`] says why): in a layer worker's answer its loop over the entries
/// made the whole answer be compiled again, optimized.
#[inline(never)]
pub fn encode(layers: &[Parts]) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(64 * 1024));
    w.0.extend_from_slice(MAGIC);
    w.u32(layers.len() as u32);
    for l in layers {
        w.u8(match l.compression {
            Compression::None => 0,
            Compression::Gzip => 1,
            Compression::Zstd => 2,
        });
        w.u64(l.compressed_size);
        w.u64(l.uncompressed_size);
        w.opt_str(l.diff_id);
        w.opt_str(l.blob_digest);
        w.u32(l.entries.len() as u32);
        for e in l.entries {
            w.bytes(&e.path);
            match &e.kind {
                EntryKind::Dir => w.u8(0),
                EntryKind::File => w.u8(1),
                EntryKind::Symlink(t) => {
                    w.u8(2);
                    w.bytes(&t[..]);
                }
                EntryKind::Hardlink(t) => {
                    w.u8(3);
                    w.bytes(&t[..]);
                }
                EntryKind::Char(a, b) | EntryKind::Block(a, b) => {
                    w.u8(if matches!(e.kind, EntryKind::Char(..)) { 4 } else { 5 });
                    w.u32(*a);
                    w.u32(*b);
                }
                EntryKind::Fifo => w.u8(6),
                EntryKind::Whiteout => w.u8(7),
                EntryKind::Opaque => w.u8(8),
            }
            w.u32(e.mode);
            w.u32(e.uid);
            w.u32(e.gid);
            w.u64(e.mtime as u64);
            w.u64(e.size);
            w.u64(e.offset);
            match &e.digest {
                Some(d) => {
                    w.u8(1);
                    w.0.extend_from_slice(d);
                }
                None => w.u8(0),
            }
        }
        match l.seek {
            Some(s) => {
                w.u8(1);
                w.u32(s.points.len() as u32);
                for p in &s.points {
                    w.u64(p.input);
                    w.u8(p.bits);
                    w.u64(p.output);
                    w.u8(p.start as u8);
                    w.bytes(&p.window);
                }
            }
            None => w.u8(0),
        }
        match l.secret_heads {
            Some(h) => {
                w.u8(1);
                w.u32(h.len() as u32);
                for (off, what) in h {
                    w.u64(*off);
                    w.bytes(what.as_bytes());
                }
            }
            None => w.u8(0),
        }
    }
    w.0
}

/// Decodes what [`encode`] wrote.
///
/// Never inlined: the browser runs wasm with a baseline compiler and compiles a function
/// again, optimized, once it has run enough, and never swaps code under a running call. Inlined
/// into the page's worker's handler of layer workers' answers, the loop over an index's
/// entries made that whole handler (17 KB of wasm) be compiled again during the big image's
/// open: 60-75 ms of a core (V8's `--trace-wasm-compilation-times`).
#[inline(never)]
pub fn decode(bytes: &[u8]) -> Result<Vec<LayerIndex>> {
    let mut r = R { b: bytes, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(Error::corrupt("this is not a layer index (or not of this version)"));
    }
    let n = r.count(1)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let bad = |e: Error| e.in_layer(format!("layer {i}"));
        out.push(layer(&mut r).map_err(bad)?);
    }
    if r.at != bytes.len() {
        return Err(Error::corrupt(format!("{} bytes follow the last layer of the index", bytes.len() - r.at)));
    }
    Ok(out)
}

fn layer(r: &mut R) -> Result<LayerIndex> {
    let compression = match r.u8()? {
        0 => Compression::None,
        1 => Compression::Gzip,
        2 => Compression::Zstd,
        c => return Err(Error::corrupt(format!("unknown compression {c}"))),
    };
    let compressed_size = r.u64()?;
    let uncompressed_size = r.u64()?;
    let diff_id = r.opt_str()?;
    let blob_digest = r.opt_str()?;
    // An entry takes at least 42 bytes (an empty path, no digest).
    let n = r.count(42)?;
    let mut entries = Vec::with_capacity(n);
    for k in 0..n {
        entries.push(entry(r).map_err(|e| e.at_entry(format!("entry {k}")))?);
    }
    let seek = if r.u8()? == 1 {
        let n = r.count(22)?;
        let mut points = Vec::with_capacity(n);
        for _ in 0..n {
            let input = r.u64()?;
            let bits = r.u8()?;
            let output = r.u64()?;
            let start = r.u8()? != 0;
            let window = r.bytes()?.into();
            if bits > 7 {
                return Err(Error::corrupt(format!("a checkpoint has {bits} leftover bits")));
            }
            points.push(Checkpoint { input, bits, output, window, start });
        }
        Some(Arc::new(SeekIndex { points }))
    } else {
        None
    };
    let secret_heads = if r.u8()? == 1 {
        let n = r.count(12)?;
        let mut h = Vec::with_capacity(n);
        for _ in 0..n {
            let off = r.u64()?;
            let name = r.bytes()?;
            let what = std::str::from_utf8(name).ok().and_then(crate::secrets::content_kind);
            h.push((off, what.ok_or_else(|| Error::corrupt("an unknown kind of secret"))?));
        }
        Some(h)
    } else {
        None
    };
    Ok(LayerIndex { compression, compressed_size, uncompressed_size, entries, diff_id, blob_digest, seek, secret_heads })
}

fn entry(r: &mut R) -> Result<Entry> {
    let path: Box<[u8]> = r.bytes()?.into();
    let kind = match r.u8()? {
        0 => EntryKind::Dir,
        1 => EntryKind::File,
        2 => EntryKind::Symlink(r.bytes()?.into()),
        3 => EntryKind::Hardlink(r.bytes()?.into()),
        4 => EntryKind::Char(r.u32()?, r.u32()?),
        5 => EntryKind::Block(r.u32()?, r.u32()?),
        6 => EntryKind::Fifo,
        7 => EntryKind::Whiteout,
        8 => EntryKind::Opaque,
        t => return Err(Error::corrupt(format!("unknown entry kind {t}"))),
    };
    let mode = r.u32()?;
    let uid = r.u32()?;
    let gid = r.u32()?;
    let mtime = r.u64()? as i64;
    let size = r.u64()?;
    let offset = r.u64()?;
    let digest = match r.u8()? {
        0 => None,
        _ => Some(<[u8; 32]>::try_from(r.take(32)?).expect("32 bytes taken")),
    };
    Ok(Entry { path, kind, mode, uid, gid, mtime, size, offset, digest })
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.bytes(s.as_bytes());
            }
            None => self.u8(0),
        }
    }
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.b.len() - self.at < n {
            return Err(Error::truncated(format!("the index ends {} bytes early", n - (self.b.len() - self.at))));
        }
        self.at += n;
        Ok(&self.b[self.at - n..self.at])
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes taken")))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes taken")))
    }
    /// A count of items of at least `min` bytes each: no more than the bytes left allow.
    fn count(&mut self, min: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.b.len() - self.at {
            return Err(Error::corrupt(format!("{n} items cannot fit in the {} bytes left", self.b.len() - self.at)));
        }
        Ok(n)
    }
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn opt_str(&mut self) -> Result<Option<String>> {
        if self.u8()? == 0 {
            return Ok(None);
        }
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map(Some).map_err(|_| Error::corrupt("a digest is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_and_flipped_byte_is_an_error_or_a_value_never_a_panic() {
        let e = |path: &str, kind: EntryKind, digest: Option<[u8; 32]>| Entry {
            path: path.as_bytes().into(),
            kind,
            mode: 0o644,
            uid: 1,
            gid: 2,
            mtime: -5,
            size: 7,
            offset: 512,
            digest,
        };
        let l = LayerIndex {
            compression: Compression::Gzip,
            compressed_size: 100,
            uncompressed_size: 2048,
            entries: vec![
                e("a", EntryKind::File, Some([7; 32])),
                e("b", EntryKind::Symlink((*b"a").into()), None),
                e("c", EntryKind::Char(1, 3), None),
                e(".wh.d", EntryKind::Whiteout, None),
            ],
            diff_id: Some("sha256:00".into()),
            blob_digest: None,
            seek: Some(Arc::new(SeekIndex { points: vec![Checkpoint { input: 10, bits: 3, output: 4096, window: vec![1, 2, 3].into(), start: false }] })),
            secret_heads: Some(vec![(512, "a PEM private key")]),
        };
        let bytes = encode(&[Parts::of(&l)]);
        let back = decode(&bytes).unwrap();
        assert_eq!((back[0].entries.clone(), back[0].seek.clone(), back[0].secret_heads.clone()), (l.entries.clone(), l.seek.clone(), l.secret_heads.clone()));
        assert_eq!((back[0].compression, back[0].diff_id.clone(), back[0].uncompressed_size), (Compression::Gzip, l.diff_id.clone(), 2048));
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "a prefix of {n} bytes");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = decode(&b);
        }
    }
}
