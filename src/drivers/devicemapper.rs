//! devicemapper (removed in Docker Engine 25): a thin pool; every layer and the container are
//! thin snapshots, with a real filesystem (xfs, else ext4) on top.
//!
//! Rules (moby v24.0.9 `daemon/graphdriver/devmapper/deviceset.go` (`defaultThinpBlockSize =
//! 128` sectors: 64 KiB; `createFilesystem`: xfs if available, else ext4 `-E
//! nodiscard,lazy_itable_init=0,lazy_journal_init=0`; `dm.basesize` 10 GiB),
//! `device_setup.go` (direct-lvm `lvconvert … -c 512K`), `pkg/devicemapper/devmapper.go`
//! `CreatePool` (`skip_block_zeroing`); kernel `drivers/md/dm-thin.c` (`break_sharing`,
//! `schedule_copy`, `io_overwrites_block`); `../shared/drivers/README.md` §1 devicemapper and
//! Table 1, emulated from a real xfs/ext4 write trace on this kernel, which has no dm):
//! - The container's device starts sharing every pool block with the image. The filesystem
//!   on top writes 4 KiB blocks; the first write to a pool block the device does not own
//!   allocates a new pool block (64 KiB, or 512 KiB for direct-lvm) and, unless the write
//!   covers it whole, kcopyd copies the old block first. Later writes to an owned block are
//!   free. Nothing is ever given back (a delete frees blocks only inside the filesystem).
//! - The device is laid out as the image's filesystem was filled: metadata at the start, the
//!   image's files one after another in path order from 64 MiB (ext4 gives every directory a
//!   block before its files), then free space. New data goes at the free cursor: xfs puts it
//!   right after the last block (so a 1 MiB file straddles 17 pool blocks of 64 KiB), ext4's
//!   mballoc aligns a request to its size (16 blocks).
//! - xfs metadata goes to its log, which mounting the container's device writes (≈ 2 MiB: the
//!   creation cost), so later metadata costs nothing until the log is checkpointed in place
//!   (Table 1's `+ckpt`, one more block at most, is not modelled).
//! - ext4 metadata: each op that changes the inode, bitmaps or a directory commits a jbd2
//!   transaction (journal superblock + descriptor, the blocks, commit) and writes those blocks
//!   in place: the inode table block, the block and inode bitmaps, the directory's block.
//!   Mounting writes the superblock.
//! - SIZE is the naive diff.

use super::said::Said;
use super::{children, parent, round_up, Change, Ctx, EntryKind, Model, OnDisk, Priced, View, BLOCK};
use crate::container::Container;
use std::collections::{BTreeMap, BTreeSet};

pub const ON_DISK: OnDisk = OnDisk {
    delete: "a real unlink inside the container's filesystem (no whiteout); the pool blocks stay allocated, the image's device still maps them",
    opaque: "nothing: the directory is removed and made again inside the filesystem",
    rename: "a real rename(2) inside the filesystem: a directory block and an inode change, in whatever pool blocks hold them",
    image_layout: &[
        "/var/lib/docker/devicemapper/devicemapper/data       the pool's data (loop-lvm: a 100 GiB sparse file; direct-lvm: LV docker/thinpool)",
        "/var/lib/docker/devicemapper/devicemapper/metadata   the pool's metadata (2 GiB sparse file)",
        "/var/lib/docker/devicemapper/metadata/<layer-id>     JSON: the thin device id and size of the layer's snapshot",
    ],
    container_layout: &[
        "/var/lib/docker/devicemapper/metadata/<container-id>-init   a thin snapshot of the image's top device",
        "/var/lib/docker/devicemapper/metadata/<container-id>        a thin snapshot of the init device",
        "/var/lib/docker/devicemapper/mnt/<container-id>/            its filesystem (xfs mounted nouuid)",
    ],
    removed_in: Some("Docker Engine 25.0"),
};

/// The filesystem on the thin device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fs {
    Xfs,
    Ext4,
}

const DATA0: u64 = 64 << 20;
const XFS_LOG: u64 = (5 << 30) + BLOCK;
const XFS_LOG_LEN: u64 = 2 << 20;
const EXT4_BBITMAP: u64 = 1 << 20;
const EXT4_IBITMAP: u64 = (1 << 20) + (128 << 10);
const EXT4_ITABLE: u64 = 2 << 20;
const EXT4_INODE: u64 = 256;
const EXT4_JOURNAL: u64 = 5 << 30;
const EXT4_JOURNAL_HEAD: u64 = EXT4_JOURNAL + (268 << 10);

pub struct Devicemapper {
    fs: Fs,
    pool: u64,
    owned: BTreeSet<u64>,
    /// Per file: extents `(file offset, device offset, length)`.
    extents: BTreeMap<Vec<u8>, Vec<(u64, u64, u64)>>,
    inodes: BTreeMap<Vec<u8>, u64>,
    dir_blocks: BTreeMap<Vec<u8>, u64>,
    next_ino: u64,
    cursor: u64,
    base_end: u64,
    journal: u64,
    copied: u64,
}

impl Devicemapper {
    /// The container's device over the image `image`, with pool blocks of `pool` bytes.
    pub fn new(fs: Fs, pool: u64, image: &View) -> Self {
        let mut d = Devicemapper {
            fs,
            pool,
            owned: BTreeSet::new(),
            extents: BTreeMap::new(),
            inodes: BTreeMap::new(),
            dir_blocks: BTreeMap::new(),
            next_ino: 12,
            cursor: DATA0,
            base_end: 0,
            journal: EXT4_JOURNAL_HEAD,
            copied: 0,
        };
        for (p, e) in image {
            let ino = if p.as_slice() == b"/" { 2 } else { d.take_ino() };
            d.inodes.insert(p.clone(), ino);
            match e.kind {
                EntryKind::Dir => {
                    let bytes = match fs {
                        Fs::Ext4 => super::ext4_dir_bytes(children(image, p).map(|(n, _)| n)),
                        Fs::Xfs => super::overlay2::xfs_dir_bytes(children(image, p).map(|(n, _)| n).collect::<Vec<_>>().into_iter()),
                    };
                    if bytes > 0 {
                        d.dir_blocks.insert(p.clone(), d.cursor);
                        d.cursor += bytes;
                    }
                }
                EntryKind::File if e.size > 0 => {
                    let len = round_up(e.size, BLOCK);
                    d.extents.insert(p.clone(), vec![(0, d.cursor, len)]);
                    d.cursor += len;
                }
                _ => {}
            }
        }
        d.base_end = d.cursor;
        d
    }

    fn take_ino(&mut self) -> u64 {
        self.next_ino += 1;
        self.next_ino - 1
    }

    /// The filesystem writes `len` bytes at device offset `off`.
    fn write(&mut self, off: u64, len: u64) {
        if len == 0 {
            return;
        }
        let bs = self.pool;
        for b in off / bs..(off + len).div_ceil(bs) {
            if self.owned.insert(b) {
                let full = off <= b * bs && off + len >= (b + 1) * bs;
                let mapped = b * bs < self.base_end || b * bs >= EXT4_JOURNAL.min(XFS_LOG) - BLOCK;
                if mapped && !full {
                    self.copied += bs;
                }
            }
        }
    }

    /// `len` new bytes of data from the free cursor.
    fn allocate(&mut self, len: u64) -> u64 {
        if self.fs == Fs::Ext4 {
            let align = (1u64 << (63 - len.leading_zeros())).clamp(BLOCK, 8 << 20);
            self.cursor = round_up(self.cursor, align);
        }
        let at = self.cursor;
        self.cursor += len;
        at
    }

    fn itable(&self, path: &[u8]) -> u64 {
        let ino = self.inodes.get(path).copied().unwrap_or(2);
        (EXT4_ITABLE + ino * EXT4_INODE) / BLOCK * BLOCK
    }

    fn dir_block(&mut self, dir: &[u8]) -> u64 {
        if let Some(&b) = self.dir_blocks.get(dir) {
            return b;
        }
        let b = self.allocate(BLOCK);
        self.dir_blocks.insert(dir.to_vec(), b);
        b
    }

    /// Writes `[off, off+len)` of the file at `path`, allocating what is not mapped yet.
    fn write_file(&mut self, path: &[u8], off: u64, len: u64, meta: &mut BTreeSet<u64>) {
        let first = off / BLOCK;
        let last = (off + len).div_ceil(BLOCK);
        let ext = self.extents.get(path).cloned().unwrap_or_default();
        let mut unmapped = Vec::new();
        for k in first..last {
            let fo = k * BLOCK;
            match ext.iter().find(|e| fo >= e.0 && fo < e.0 + e.2) {
                Some(e) => self.write(e.1 + fo - e.0, BLOCK),
                None => unmapped.push(k),
            }
        }
        if !unmapped.is_empty() {
            meta.insert(EXT4_BBITMAP);
            // Contiguous runs of unmapped blocks, each a new extent.
            let mut i = 0;
            while i < unmapped.len() {
                let mut j = i;
                while j + 1 < unmapped.len() && unmapped[j + 1] == unmapped[j] + 1 {
                    j += 1;
                }
                let n = (j - i + 1) as u64 * BLOCK;
                let at = self.allocate(n);
                self.write(at, n);
                self.extents.entry(path.to_vec()).or_default().push((unmapped[i] * BLOCK, at, n));
                i = j + 1;
            }
        }
    }

    fn forget(&mut self, path: &[u8]) {
        let below = [path, b"/"].concat();
        self.extents.retain(|p, _| p != path && !p.starts_with(&below));
        self.inodes.retain(|p, _| p != path && !p.starts_with(&below));
        self.dir_blocks.retain(|p, _| p != path && !p.starts_with(&below));
    }

    fn rename(&mut self, from: &[u8], to: &[u8]) {
        let below = [from, b"/"].concat();
        fn mv<V>(m: &mut BTreeMap<Vec<u8>, V>, from: &[u8], to: &[u8], below: &[u8]) {
            let keys: Vec<Vec<u8>> = m.keys().filter(|p| p.as_slice() == from || p.starts_with(below)).cloned().collect();
            for k in keys {
                let v = m.remove(&k).expect("listed");
                let nk = if k.as_slice() == from { to.to_vec() } else { crate::path::join(to, &k[below.len()..]) };
                m.insert(nk, v);
            }
        }
        mv(&mut self.extents, from, to, &below);
        mv(&mut self.inodes, from, to, &below);
        mv(&mut self.dir_blocks, from, to, &below);
    }

    fn bytes(&self) -> u64 {
        self.owned.len() as u64 * self.pool
    }
}

impl Model for Devicemapper {
    fn create(&mut self, _image: &View, _c: &Container) -> Priced {
        self.write(0, BLOCK);
        let why = match self.fs {
            Fs::Xfs => {
                self.write(XFS_LOG, XFS_LOG_LEN);
                "why.dm_create_xfs"
            }
            Fs::Ext4 => "why.dm_create_ext4",
        };
        Priced { bytes: self.bytes(), copied: std::mem::take(&mut self.copied), said: vec![Said::new(why, &[])] }
    }

    fn observe(&mut self, cx: &Ctx<'_>) -> Priced {
        let blocks0 = self.owned.len();
        let mut meta: BTreeSet<u64> = BTreeSet::new();
        for c in cx.changes {
            match c {
                Change::Write { path, off, len } => {
                    meta.insert(self.itable(path));
                    self.write_file(path, *off, *len, &mut meta);
                }
                Change::Truncate { path, size } => {
                    meta.insert(self.itable(path));
                    if let Some(ext) = self.extents.get_mut(path) {
                        let before = ext.len();
                        ext.retain(|e| e.0 < round_up(*size, BLOCK));
                        if ext.len() != before || ext.iter().any(|e| e.0 + e.2 > round_up(*size, BLOCK)) {
                            meta.insert(EXT4_BBITMAP);
                        }
                        for e in ext.iter_mut() {
                            e.2 = e.2.min(round_up(*size, BLOCK) - e.0);
                        }
                    }
                }
                Change::Meta { path } => {
                    meta.insert(self.itable(path));
                }
                Change::Create { path, dir } => {
                    let ino = self.take_ino();
                    self.inodes.insert(path.clone(), ino);
                    let p = parent(path);
                    meta.insert(self.itable(path));
                    meta.insert(self.itable(&p));
                    meta.insert(EXT4_IBITMAP);
                    if self.fs == Fs::Ext4 {
                        meta.insert(self.dir_block(&p));
                        if *dir {
                            let b = self.dir_block(path);
                            meta.insert(b);
                            meta.insert(EXT4_BBITMAP);
                        }
                    }
                }
                Change::Link { path } => {
                    let p = parent(path);
                    meta.insert(self.itable(&p));
                    if self.fs == Fs::Ext4 {
                        meta.insert(self.dir_block(&p));
                    }
                }
                Change::Remove { path, dir } => {
                    let p = parent(path);
                    meta.insert(self.itable(path));
                    meta.insert(self.itable(&p));
                    meta.insert(EXT4_IBITMAP);
                    if *dir || self.extents.contains_key(path) {
                        meta.insert(EXT4_BBITMAP);
                    }
                    if self.fs == Fs::Ext4 {
                        meta.insert(self.dir_block(&p));
                    }
                    self.forget(path);
                }
                Change::Rename { from, to, .. } => {
                    meta.insert(self.itable(from));
                    if self.fs == Fs::Ext4 {
                        meta.insert(self.dir_block(&parent(from)));
                        meta.insert(self.dir_block(&parent(to)));
                    }
                    self.forget(to);
                    self.rename(from, to);
                }
            }
        }
        let data_blocks = self.owned.len() - blocks0;
        if self.fs == Fs::Ext4 && !meta.is_empty() {
            // jbd2: journal superblock, then descriptor + blocks + commit at the head.
            self.write(EXT4_JOURNAL, BLOCK);
            let n = (2 + meta.len() as u64) * BLOCK;
            let head = self.journal;
            self.write(head, n);
            self.journal += n;
            for m in meta {
                self.write(m, BLOCK);
            }
        }
        let kib = self.pool >> 10;
        let new = self.owned.len() - blocks0;
        let said = if cx.changes.is_empty() {
            Said::new("why.nothing", &[])
        } else if new == 0 {
            Said::new(if self.fs == Fs::Xfs { "why.dm_owned_xfs" } else { "why.dm_owned_ext4" }, &[&kib])
        } else {
            let key = if self.fs == Fs::Xfs { "why.dm_new_xfs" } else { "why.dm_new_ext4" };
            Said::new(key, &[&new, &kib, &data_blocks, &(new - data_blocks), &super::human(self.copied)])
        };
        Priced { bytes: self.bytes(), copied: std::mem::take(&mut self.copied), said: vec![said] }
    }
}
