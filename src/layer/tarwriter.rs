//! A deterministic tar writer for layer diffs, exports and saved archives (the reading side is
//! [`super::tarindex`]; both live in the layer module so that nothing else names `tar::Header`).
//!
//! Rules: GNU headers (`ustar  \0`), names as raw bytes (they may be non-UTF-8), names and link
//! targets over 100 bytes carried by `././@LongLink` entries (type `L`/`K`, as GNU tar and Go's
//! archive/tar write and read them); every field comes from the caller, so the same entries give
//! the same bytes (owner names only on request, [`TarWriter::with_root_names`]). Content is streamed from [`Content`] in chunks, never held whole.
//! The archive ends with two zero blocks.
//!
//! [`TarWriter::docker_layer`] writes instead what dockerd writes for a layer diff (moby
//! `pkg/archive` `FileInfoHeader` + Go's `archive/tar` with `Format = FormatPAX`): USTAR
//! headers (`ustar\0` `00`), every numeric field zero-padded octal ending in NUL, the device
//! fields written even for files, `root` as the owner names of id 0 (other ids get no name:
//! dockerd looks them up in its host's `/etc/passwd`, which we do not have), a long name split
//! into the USTAR prefix when Go's `splitUSTARPath` can, else a PAX `x` record
//! (`DIR/PaxHeaders.0/NAME`, records sorted by key) as Go writes it; the mode field exactly as
//! given (moby's `fillGo18FileTypeBits` puts the `S_IF*` type bits there: the caller decides).
//! Checked byte for byte against Docker 20.10's layers in `tests/docker_oracle.rs`.

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
    /// Go `archive/tar` headers as dockerd writes layer diffs.
    go: bool,
}

const BLOCK: usize = 512;

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        TarWriter { out, written: 0, root_names: false, go: false }
    }

    /// A writer that names uid/gid 0 `root` in every header (as dockerd's archives do).
    pub fn with_root_names(out: W) -> Self {
        TarWriter { out, written: 0, root_names: true, go: false }
    }

    /// A writer of layer diffs as dockerd writes them (see the module header).
    pub fn docker_layer(out: W) -> Self {
        TarWriter { out, written: 0, root_names: true, go: true }
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
        if self.go {
            self.go_header(e, &name, link)?;
            return self.content(e);
        }
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
        self.content(e)
    }

    /// The header (and PAX record, when needed) Go's `archive/tar` writes for `e` with
    /// `Format = FormatPAX`: USTAR when every field fits, else PAX (Go `Header.allowedFormats`,
    /// `Writer.writeUSTARHeader`, `writePAXHeader`).
    fn go_header(&mut self, e: &TarEntry, name: &[u8], link: Option<&[u8]>) -> Result<()> {
        let size = match &e.kind {
            TarKind::File(c) => c.size(),
            _ => 0,
        };
        let (ty, dev) = match &e.kind {
            TarKind::Dir => (b'5', (0, 0)),
            TarKind::File(_) => (b'0', (0, 0)),
            TarKind::Symlink(_) => (b'2', (0, 0)),
            TarKind::Hardlink(_) => (b'1', (0, 0)),
            TarKind::Char(a, b) => (b'3', (*a, *b)),
            TarKind::Block(a, b) => (b'4', (*a, *b)),
            TarKind::Fifo => (b'6', (0, 0)),
        };
        let owner = |id: u32, root: bool| if root && id == 0 { &b"root"[..] } else { &b""[..] };
        let mut pax: Vec<(&str, Vec<u8>)> = Vec::new();
        let mut prefix: &[u8] = &[];
        let mut short: &[u8] = name;
        if name.len() > 100 || !name.is_ascii() {
            match split_ustar_path(name) {
                Some((p, s)) => (prefix, short) = (p, s),
                None => pax.push(("path", name.to_vec())),
            }
        }
        if let Some(l) = link {
            if l.len() > 100 || !l.is_ascii() {
                pax.push(("linkpath", l.to_vec()));
            }
        }
        let fits = |n: u64, width: u32| n < 8u64.pow(width - 1);
        for (key, n, width) in [("uid", e.uid as u64, 8), ("gid", e.gid as u64, 8), ("size", size, 12)] {
            if !fits(n, width) {
                pax.push((key, n.to_string().into_bytes()));
            }
        }
        if e.mtime < 0 || !fits(e.mtime as u64, 12) {
            pax.push(("mtime", e.mtime.to_string().into_bytes()));
        }
        let ascii = |b: &[u8]| -> Vec<u8> { b.iter().copied().filter(u8::is_ascii).collect() };
        if !pax.is_empty() {
            prefix = &[];
            pax.sort_by(|a, b| a.0.cmp(b.0));
            let mut data = Vec::new();
            for (k, v) in &pax {
                // Go's formatPAXRecord: "LEN KEY=VALUE\n", LEN counting itself
                let bare = k.len() + v.len() + 3;
                let mut n = bare + bare.to_string().len();
                if bare + n.to_string().len() != n {
                    n += 1;
                }
                data.extend_from_slice(format!("{n} {k}=").as_bytes());
                data.extend_from_slice(v);
                data.push(b'\n');
            }
            // Go: path.Join(path.Split(name)) with "PaxHeaders.0" between
            let (dir, file) = match name.iter().rposition(|&c| c == b'/') {
                Some(i) => (&name[..i], &name[i + 1..]),
                None => (&b""[..], name),
            };
            let pname: Vec<u8> = [dir, b"PaxHeaders.0", file].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(&b'/');
            let mut pname = ascii(&pname);
            pname.truncate(100);
            while pname.ends_with(b"/") {
                pname.pop();
            }
            let mut blk = [0u8; BLOCK];
            put_str(&mut blk[0..100], &pname);
            for r in [100..108, 108..116, 116..124] {
                put_octal(&mut blk[r], 0);
            }
            put_octal(&mut blk[124..136], data.len() as u64);
            put_octal(&mut blk[136..148], 0);
            blk[156] = b'x';
            finish_ustar(&mut blk);
            self.put(&blk)?;
            self.put(&data)?;
            self.pad(data.len() as u64)?;
        }
        let mut blk = [0u8; BLOCK];
        put_str(&mut blk[0..100], &ascii(short));
        put_octal(&mut blk[100..108], e.mode as u64);
        put_octal(&mut blk[108..116], if fits(e.uid as u64, 8) { e.uid as u64 } else { 0 });
        put_octal(&mut blk[116..124], if fits(e.gid as u64, 8) { e.gid as u64 } else { 0 });
        put_octal(&mut blk[124..136], if fits(size, 12) { size } else { 0 });
        put_octal(&mut blk[136..148], if e.mtime >= 0 && fits(e.mtime as u64, 12) { e.mtime as u64 } else { 0 });
        blk[156] = ty;
        if let Some(l) = link {
            put_str(&mut blk[157..257], &ascii(l));
        }
        put_str(&mut blk[265..297], owner(e.uid, self.root_names));
        put_str(&mut blk[297..329], owner(e.gid, self.root_names));
        put_octal(&mut blk[329..337], dev.0 as u64);
        put_octal(&mut blk[337..345], dev.1 as u64);
        put_str(&mut blk[345..500], prefix);
        finish_ustar(&mut blk);
        self.put(&blk)
    }

    /// The content of a file entry, padded to the block size.
    fn content(&mut self, e: &TarEntry) -> Result<()> {
        if let TarKind::File(c) = &e.kind {
            let size = c.size();
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

/// Go's `splitUSTARPath`: a name over 100 bytes as (prefix ≤ 155, name ≤ 100) split at a `/`.
fn split_ustar_path(name: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut length = name.len();
    if length <= 100 || !name.is_ascii() {
        return None;
    } else if length > 156 {
        length = 156;
    } else if name[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].iter().rposition(|&c| c == b'/')?;
    let (plen, nlen) = (i, name.len() - i - 1);
    if i == 0 || nlen > 100 || nlen == 0 || plen > 155 {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go's `formatter.formatString`: the bytes, NUL-terminated when shorter than the field.
fn put_str(field: &mut [u8], s: &[u8]) {
    let n = s.len().min(field.len());
    field[..n].copy_from_slice(&s[..n]);
    if s.len() < field.len() {
        field[s.len()] = 0;
    }
}

/// Go's `formatter.formatOctal`: zero-padded octal, then NUL.
fn put_octal(field: &mut [u8], n: u64) {
    let s = format!("{n:o}");
    let pad = field.len().saturating_sub(s.len() + 1);
    let mut v = vec![b'0'; pad];
    v.extend_from_slice(s.as_bytes());
    put_str(field, &v);
}

/// USTAR magic and version (`ustar\0`, `00`), then the checksum as Go writes it.
fn finish_ustar(blk: &mut [u8; BLOCK]) {
    blk[257..263].copy_from_slice(b"ustar\0");
    blk[263..265].copy_from_slice(b"00");
    blk[148..156].copy_from_slice(b"        ");
    let sum: u64 = blk.iter().map(|&b| b as u64).sum();
    put_octal(&mut blk[148..155], sum);
    blk[155] = b' ';
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
