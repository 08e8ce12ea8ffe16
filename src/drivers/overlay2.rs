//! overlay2: the container layer is the upper dir of an overlay mount, and what it costs is
//! the state of that directory on the backing filesystem.
//!
//! Rules (moby `daemon/graphdriver/overlay2/overlay.go`; kernel `fs/overlayfs/copy_up.c`;
//! `../shared/drivers/README.md` §1 overlay2):
//! - Copy-up copies the whole file on the first data or metadata change (Docker never turns
//!   metacopy on); a truncate copies the kept length; a delete is a 0/0 character-device
//!   whiteout plus a copy-up of the parent directory; a lower directory renamed is EXDEV and
//!   `mv` copies it. All of that is the [`Container`]'s own behaviour: this model only prices
//!   the upper dir it leaves.
//! - ext4 backing: files in 4 KiB blocks, directories in 4 KiB blocks, fast symlinks and
//!   whiteouts (device inodes) take none; inodes are preallocated, so they cost nothing.
//! - xfs backing (`reflink=1`, the mkfs.xfs default): `ovl_copy_up_file` first tries
//!   `do_clone_file_range`, so a copy-up is a reflink and costs no data block. A later write
//!   into a shared extent allocates copy-on-write blocks in `cowextsize` granules (32 blocks:
//!   128 KiB, measured 131,072 for a 1-byte write), a write past the image's bytes 4 KiB
//!   blocks. Directories stay in the inode while their entries fit (short form), else take
//!   4 KiB blocks; inodes come in chunks of 64 × 512 bytes (32 KiB), the first chunk's spare
//!   inodes already there, so a chunk is paid per 64 new inodes.
//! - SIZE is `directory.Size(upper)` ([`super::upper_dir_size`]).

use super::said::{self, Said};
use super::{round_up, Ctx, Ledger, Model, OnDisk, Priced, View, BLOCK};
use crate::container::Container;
use crate::tree::Kind;
use std::collections::HashSet;

pub const ON_DISK: OnDisk = OnDisk {
    delete: "a character device 0/0 with the deleted name in the upper dir (a whiteout), and the parent directory copied up with trusted.overlay.impure/origin xattrs",
    opaque: "a directory made again over a deleted lower one gets trusted.overlay.opaque=y: nothing below shows through",
    rename: "a file: copied up whole, then renamed in the upper dir, a whiteout at the old name; a lower directory: EXDEV (Docker mounts redirect_dir=off), so mv copies every file and deletes the old tree",
    image_layout: &[
        "/var/lib/docker/overlay2/<layer-id>/diff/   the layer's files",
        "/var/lib/docker/overlay2/<layer-id>/link    its short name (l/<26 chars>)",
        "/var/lib/docker/overlay2/<layer-id>/lower   l/A:l/B:… the layers below, uppermost first",
        "/var/lib/docker/overlay2/<layer-id>/work/",
        "/var/lib/docker/overlay2/l/<26 chars> -> ../<layer-id>/diff",
    ],
    container_layout: &[
        "/var/lib/docker/overlay2/<container-id>/diff/     the upper dir: copied-up and new files, whiteouts",
        "/var/lib/docker/overlay2/<container-id>/merged/   the overlay mount: lowerdir=…,upperdir=diff,workdir=work",
        "/var/lib/docker/overlay2/<container-id>/work/",
        "/var/lib/docker/overlay2/<container-id>-init/diff/   Docker's init layer (/etc/hosts, /etc/resolv.conf, …)",
    ],
    removed_in: None,
};

/// The backing filesystem of the upper dir.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backing {
    Ext4,
    XfsReflink,
}

/// xfs CoW granule: `cowextsize` 32 blocks.
pub const XFS_COW: u64 = 128 << 10;
/// xfs inode chunk: 64 inodes of 512 bytes.
pub const XFS_INODE_CHUNK: u64 = 32 << 10;
/// Bytes of an xfs inode's literal area (512-byte inodes, v5 core of 176 bytes).
const XFS_LITERAL: u64 = 512 - 176;

pub struct Overlay2 {
    backing: Backing,
    /// Data the container wrote into files (reflink backing: what is no longer shared).
    ledger: Ledger,
}

impl Overlay2 {
    pub fn ext4() -> Self {
        Overlay2 { backing: Backing::Ext4, ledger: Ledger::default() }
    }
    pub fn xfs_reflink() -> Self {
        Overlay2 { backing: Backing::XfsReflink, ledger: Ledger::default() }
    }

    /// Bytes the upper dir takes on the backing filesystem.
    pub fn upper_bytes(&self, c: &Container) -> u64 {
        match self.backing {
            Backing::Ext4 => super::ext4_tree_bytes(c.upper()),
            Backing::XfsReflink => self.xfs_bytes(c),
        }
    }

    fn xfs_bytes(&self, c: &Container) -> u64 {
        let t = c.upper();
        let mut seen = HashSet::new();
        let mut n = 0;
        let mut inodes = 0u64;
        for (path, ino) in t.walk() {
            if !seen.insert(ino) {
                continue;
            }
            if path.as_slice() != b"/" {
                inodes += 1;
            }
            n += match &t.node(ino).kind {
                Kind::Dir(ch) => xfs_dir_bytes(ch.keys().map(|k| &k[..])),
                Kind::File(_) => match self.ledger.files.get(&path) {
                    // A file the container made, or wrote past the image's bytes.
                    Some(f) => f.shared_units_touched(XFS_COW) * XFS_COW + round_up(f.size, BLOCK).saturating_sub(round_up(f.image_len, XFS_COW)),
                    // Copied up without a write (chmod, open for writing, mv's copy): a
                    // reflink, no data block.
                    None => 0,
                },
                Kind::Symlink(s) if s.len() as u64 > XFS_LITERAL => BLOCK,
                _ => 0,
            };
        }
        n + inodes / 64 * XFS_INODE_CHUNK
    }
}

/// Bytes an xfs directory takes: none while it is short form (a 6-byte header and
/// 4 + name bytes per entry in the inode), else 4 KiB data blocks (16 bytes of header, entries
/// of 11 + name rounded to 8) plus a leaf block once there is more than one.
pub fn xfs_dir_bytes<'a>(names: impl Iterator<Item = &'a [u8]> + Clone) -> u64 {
    let sf: u64 = 6 + names.clone().map(|n| 4 + n.len() as u64).sum::<u64>();
    if sf <= XFS_LITERAL {
        return 0;
    }
    let data: u64 = 64 + names.map(|n| round_up(11 + n.len() as u64, 8)).sum::<u64>();
    let blocks = data.div_ceil(BLOCK);
    (blocks + u64::from(blocks > 1)) * BLOCK
}

impl Model for Overlay2 {
    fn create(&mut self, _image: &View, c: &Container) -> Priced {
        let bytes = self.upper_bytes(c);
        let said = match self.backing {
            Backing::Ext4 => Said::new("why.overlay2_create", &[]),
            Backing::XfsReflink => Said::new("why.overlay2_xfs_create", &[]),
        };
        Priced { bytes, copied: 0, said: vec![said] }
    }

    fn observe(&mut self, cx: &Ctx<'_>) -> Priced {
        if self.backing == Backing::XfsReflink {
            // Data the container wrote; copies (copy-up, mv's EXDEV copy) are reflinks.
            for ch in cx.changes {
                self.ledger.apply(ch, cx.before);
            }
        }
        let bytes = self.upper_bytes(cx.container);
        let copied = cx.outcome.bytes_copied;
        let mut said = said::events(&cx.outcome.events, false);
        if said.is_empty() {
            said.push(Said::new("why.upper_nothing", &[]));
        }
        if self.backing == Backing::XfsReflink && copied > 0 {
            said.push(Said::new("why.xfs_reflink", &[]));
        }
        Priced { bytes, copied, said }
    }
}
