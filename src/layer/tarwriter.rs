//! A deterministic tar writer for layer diffs, exports and saved archives (the reading side is
//! [`super::tarindex`]; both live in the layer module so that nothing else names `tar::Header`).
//!
//! Rules: GNU headers (`ustar  \0`), names as raw bytes (they may be non-UTF-8), names and link
//! targets over 100 bytes carried by `././@LongLink` entries (type `L`/`K`, as GNU tar and Go's
//! archive/tar write and read them); every field comes from the caller, so the same entries give
//! the same bytes (owner names only on request, [`TarWriter::with_root_names`]). Content is streamed from [`Content`] in chunks, never held whole.
//! The archive ends with two zero blocks.

use crate::error::{Error, Result};
use super::Content;
use std::io::Write;

/// What a tar entry is.
#[derive(Debug, Clone)]
pub enum TarKind {
    Dir,
    File(Content),
    Symlink(Vec<u8>),
    /// A hardlink to an earlier entry of the same archive (relative path, no leading `/`).
    Hardlink(Vec<u8>),
    Char(u32, u32),
    Block(u32, u32),
    Fifo,
}

/// One entry to write. `path` is relative (no leading `/`); directories get a trailing `/`.
#[derive(Debug, Clone)]
pub struct TarEntry {
    pub path: Vec<u8>,
    pub kind: TarKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: i64,
}

/// Streams tar entries to a writer.
pub struct TarWriter<W: Write> {
    out: W,
    written: u64,
    /// Write `root` as the owner and group name of uid/gid 0 (what Go's `archive/tar`
    /// `FileInfoHeader` looks up on a Linux host; `docker save` archives carry it).
    root_names: bool,
}

const BLOCK: usize = 512;

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        TarWriter { out, written: 0, root_names: false }
    }

    /// A writer that names uid/gid 0 `root` in every header (as dockerd's archives do).
    pub fn with_root_names(out: W) -> Self {
        TarWriter { out, written: 0, root_names: true }
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    fn put(&mut self, b: &[u8]) -> Result<()> {
        self.out.write_all(b).map_err(|e| Error::io(&e))?;
        self.written += b.len() as u64;
        Ok(())
    }

    fn pad(&mut self, len: u64) -> Result<()> {
        let rem = (len % BLOCK as u64) as usize;
        if rem != 0 {
            self.put(&[0u8; BLOCK][..BLOCK - rem])?;
        }
        Ok(())
    }

    /// A GNU long name/link record for a value that does not fit the 100-byte field.
    fn long_record(&mut self, kind: u8, value: &[u8]) -> Result<()> {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(value.len() as u64 + 1);
        h.set_entry_type(tar::EntryType::new(kind));
        h.set_cksum();
        self.put(h.as_bytes())?;
        self.put(value)?;
        self.put(&[0])?;
        self.pad(value.len() as u64 + 1)
    }

    /// Writes one entry (and its content).
    pub fn append(&mut self, e: &TarEntry) -> Result<()> {
        let mut name = e.path.clone();
        if matches!(e.kind, TarKind::Dir) && !name.ends_with(b"/") {
            name.push(b'/');
        }
        let link: Option<&[u8]> = match &e.kind {
            TarKind::Symlink(t) | TarKind::Hardlink(t) => Some(t),
            _ => None,
        };
        if name.len() > 100 {
            self.long_record(b'L', &name)?;
        }
        if let Some(l) = link {
            if l.len() > 100 {
                self.long_record(b'K', l)?;
            }
        }
        let mut h = tar::Header::new_gnu();
        {
            let old = h.as_old_mut();
            let n = name.len().min(100);
            old.name[..n].copy_from_slice(&name[..n]);
            if let Some(l) = link {
                let n = l.len().min(100);
                old.linkname[..n].copy_from_slice(&l[..n]);
            }
        }
        h.set_mode(e.mode & 0o7777);
        h.set_uid(e.uid as u64);
        h.set_gid(e.gid as u64);
        h.set_mtime(e.mtime.max(0) as u64);
        if self.root_names {
            if e.uid == 0 {
                h.set_username("root").map_err(|err| Error::io(&err))?;
            }
            if e.gid == 0 {
                h.set_groupname("root").map_err(|err| Error::io(&err))?;
            }
        }
        let (ty, size) = match &e.kind {
            TarKind::Dir => (tar::EntryType::Directory, 0),
            TarKind::File(c) => (tar::EntryType::Regular, c.size()),
            TarKind::Symlink(_) => (tar::EntryType::Symlink, 0),
            TarKind::Hardlink(_) => (tar::EntryType::Link, 0),
            TarKind::Char(..) => (tar::EntryType::Char, 0),
            TarKind::Block(..) => (tar::EntryType::Block, 0),
            TarKind::Fifo => (tar::EntryType::Fifo, 0),
        };
        h.set_entry_type(ty);
        h.set_size(size);
        if let TarKind::Char(a, b) | TarKind::Block(a, b) = e.kind {
            h.set_device_major(a).map_err(|err| Error::io(&err))?;
            h.set_device_minor(b).map_err(|err| Error::io(&err))?;
        }
        h.set_cksum();
        self.put(h.as_bytes())?;
        if let TarKind::File(c) = &e.kind {
            let mut n = 0u64;
            match c {
                Content::Bytes(b) => {
                    self.put(b)?;
                    n = b.len() as u64;
                }
                Content::Blob { blob, offset, size } => {
                    blob.for_each_chunk(*offset, *size, &mut |chunk| {
                        self.put(chunk)?;
                        n += chunk.len() as u64;
                        Ok(())
                    })?;
                }
            }
            if n != size {
                return Err(Error::truncated("file content is shorter than its size").at_entry(crate::listing::esc(&e.path)));
            }
            self.pad(size)?;
        }
        Ok(())
    }

    /// Writes the end-of-archive blocks and returns the writer.
    pub fn finish(mut self) -> Result<W> {
        self.put(&[0u8; BLOCK * 2])?;
        self.out.flush().map_err(|e| Error::io(&e))?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{index_layer, EntryKind, IndexOptions};
    use crate::source::MemSource;
    use std::sync::Arc;

    fn entry(path: &[u8], kind: TarKind) -> TarEntry {
        TarEntry { path: path.to_vec(), kind, mode: 0o644, uid: 1000, gid: 1000, mtime: 1_600_000_000 }
    }

    #[test]
    fn round_trips_through_our_reader_with_long_and_raw_names() {
        let long: Vec<u8> = [b"d/".to_vec(), vec![b'x'; 150]].concat();
        let entries = vec![
            entry(b"d", TarKind::Dir),
            entry(&long, TarKind::File(Content::Bytes(Arc::from(&b"hello"[..])))),
            entry(b"d/caf\xe9", TarKind::Symlink(vec![b'y'; 120])),
            entry(b"d/h", TarKind::Hardlink(long.clone())),
            entry(b"d/.wh.gone", TarKind::File(Content::empty())),
            entry(b"dev", TarKind::Char(1, 3)),
        ];
        let mut w = TarWriter::new(Vec::new());
        for e in &entries {
            w.append(e).unwrap();
        }
        let bytes = w.finish().unwrap();
        assert_eq!(bytes.len() % 512, 0);
        let idx = index_layer(MemSource::shared(bytes), &IndexOptions { verify: true, ..Default::default() }, &mut |_| true).unwrap();
        let got: Vec<_> = idx.entries.iter().map(|e| (e.path.to_vec(), e.kind.clone(), e.uid)).collect();
        assert_eq!(got[0], (b"d".to_vec(), EntryKind::Dir, 1000));
        assert_eq!(got[1].0, long);
        assert_eq!(idx.entries[1].size, 5);
        assert_eq!(got[2].1, EntryKind::Symlink(vec![b'y'; 120].into()));
        assert_eq!(got[2].0, b"d/caf\xe9".to_vec());
        assert_eq!(got[3].1, EntryKind::Hardlink(long.clone().into()));
        assert_eq!(got[4].1, EntryKind::Whiteout);
        assert_eq!(got[5].1, EntryKind::Char(1, 3));
    }

    #[test]
    fn same_entries_same_bytes() {
        let make = || {
            let mut w = TarWriter::new(Vec::new());
            w.append(&entry(b"a", TarKind::File(Content::Bytes(Arc::from(&b"x"[..]))))).unwrap();
            w.finish().unwrap()
        };
        assert_eq!(make(), make());
    }
}
