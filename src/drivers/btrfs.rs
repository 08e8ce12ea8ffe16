//! btrfs: every layer and the container are subvolume snapshots; data is copied on write in
//! 4 KiB sectors, metadata in 16 KiB b-tree leaves.
//!
//! Rules (moby `daemon/graphdriver/btrfs/btrfs.go` `Create` → `subvolSnapshot`
//! (`BTRFS_IOC_SNAP_CREATE_V2`); kernel `fs/btrfs` (sectorsize 4 KiB, nodesize 16 KiB,
//! `max_inline` 2048); `../shared/drivers/README.md` §1 btrfs and Table 1, measured as the
//! container subvolume's qgroup `excl`):
//! - Creating the snapshot makes the container's own tree root: one 16 KiB node.
//! - Data: a write into the image's extents puts the touched 4 KiB sectors in a new extent
//!   (the old one stays whole, the image still references it); data past the image's bytes
//!   and new files take 4 KiB sectors; a file of at most 2048 bytes made by the container is
//!   inline in its leaf. Deleting or truncating an image file frees nothing.
//! - Metadata: each leaf the container modifies for the first time is copied (16 KiB). A
//!   directory's entries (`DIR_ITEM`/`DIR_INDEX`) and its children's inodes sit in different
//!   leaves; past about 40 entries the name-hash and index items are in leaves of their own.
//!   A data or metadata change to a file touches its inode leaf; creating, removing or
//!   renaming an entry touches the directory's entry leaves, the inode leaf and the parent's
//!   inode (its mtime), which sits among the grandparent's inodes.
//! - When the whole remaining tree fits in one leaf (≈ 16 KiB of items) the container's tree
//!   is a single leaf again: removing a big directory measured 0 ("tree shrank").
//! - SIZE is the naive diff.

use super::said::Said;
use super::{children, parent, round_up, Change, Ctx, EntryKind, Ledger, Model, OnDisk, Priced, View, BLOCK};
use crate::container::Container;
use std::collections::BTreeSet;

pub const ON_DISK: OnDisk = OnDisk {
    delete: "a real unlink in the container's snapshot: its DIR_ITEM, DIR_INDEX and INODE_REF items go from CoW'd leaves; the image's extents stay referenced by the image's subvolume, so nothing is freed",
    opaque: "nothing: the directory is removed and made again in the snapshot",
    rename: "a real rename(2) (files and directories): new DIR_ITEM/DIR_INDEX items, no data moves",
    image_layout: &[
        "/var/lib/docker/btrfs/subvolumes/<layer-id>/   a subvolume; each layer a writable snapshot of the one below",
    ],
    container_layout: &[
        "/var/lib/docker/btrfs/subvolumes/<container-id>-init/   a snapshot of the image's top layer",
        "/var/lib/docker/btrfs/subvolumes/<container-id>/        a snapshot of the init layer",
        "/var/lib/docker/btrfs/quotas/<container-id>             only with --storage-opt size (qgroup limit)",
    ],
    removed_in: None,
};

/// A b-tree leaf (nodesize).
pub const LEAF: u64 = 16 << 10;
/// Files up to this size are stored inline in their leaf.
pub const MAX_INLINE: u64 = 2048;
/// Entries of a directory whose items still share one leaf.
const SMALL_DIR: usize = 40;

#[derive(Default)]
pub struct Btrfs {
    ledger: Ledger,
    /// Leaves the container has copied.
    leaves: BTreeSet<Vec<u8>>,
}

/// Bytes of items the fs tree holds for a view (inode item, inode ref, dir item and index,
/// one extent item per file, each with its 25-byte header).
fn tree_items(v: &View) -> u64 {
    v.iter()
        .map(|(p, e)| {
            let name = crate::path::basename(p).len() as u64;
            let ext = match e.kind {
                EntryKind::File if e.size == 0 => 0,
                EntryKind::File if e.size <= MAX_INLINE => 25 + 21 + e.size,
                EntryKind::File => 25 + 53,
                _ => 0,
            };
            25 + 160 + 25 + 10 + name + 2 * (25 + 30 + name) + ext
        })
        .sum()
}

fn data_bytes(l: &Ledger) -> u64 {
    l.files
        .values()
        .map(|f| {
            if f.image_len == 0 && f.size <= MAX_INLINE {
                return 0;
            }
            f.shared_units_touched(BLOCK) * BLOCK + round_up(f.size, BLOCK).saturating_sub(round_up(f.image_len, BLOCK))
        })
        .sum()
}

/// Bytes of the image's sectors rewritten (read, changed and written to a new extent).
fn shared_bytes(l: &Ledger) -> u64 {
    l.files.values().map(|f| f.shared_units_touched(BLOCK) * BLOCK).sum()
}

impl Btrfs {
    fn entries_leaves(&mut self, before: &View, dir: &[u8], out: &mut Vec<Vec<u8>>) {
        if children(before, dir).count() > SMALL_DIR {
            out.push([b"names-hash:", dir].concat());
            out.push([b"names-index:", dir].concat());
        } else {
            out.push([b"names:", dir].concat());
        }
        out.push([b"inodes:", dir].concat());
        out.push([b"inodes:", &parent(dir)[..]].concat());
    }
}

impl Model for Btrfs {
    fn create(&mut self, _image: &View, _c: &Container) -> Priced {
        Priced { bytes: LEAF, copied: 0, said: vec![Said::new("why.btrfs_create", &[])] }
    }

    fn observe(&mut self, cx: &Ctx<'_>) -> Priced {
        let data0 = data_bytes(&self.ledger);
        let shared0 = shared_bytes(&self.ledger);
        let leaves0 = self.leaves.len();
        let mut keys = Vec::new();
        let removed_dirs: Vec<&Vec<u8>> = cx.changes.iter().filter_map(|c| match c {
            Change::Remove { path, dir: true } => Some(path),
            _ => None,
        }).collect();
        for c in cx.changes {
            match c {
                Change::Write { path, .. } | Change::Truncate { path, .. } | Change::Meta { path } => {
                    keys.push([b"inodes:", &parent(path)[..]].concat())
                }
                Change::Create { path, .. } | Change::Link { path } => self.entries_leaves(cx.before, &parent(path), &mut keys),
                Change::Remove { path, .. } => {
                    // The leaves of a directory removed whole are dropped, not copied.
                    let p = parent(path);
                    if !removed_dirs.iter().any(|d| d.as_slice() == p.as_slice()) {
                        self.entries_leaves(cx.before, &p, &mut keys);
                    }
                }
                Change::Rename { from, to, .. } => {
                    self.entries_leaves(cx.before, &parent(from), &mut keys);
                    self.entries_leaves(cx.before, &parent(to), &mut keys);
                }
            }
            self.ledger.apply(c, cx.before);
        }
        self.leaves.extend(keys);
        let data = data_bytes(&self.ledger);
        let single = tree_items(cx.after) <= LEAF;
        let meta = if single { LEAF } else { LEAF * (1 + self.leaves.len() as u64) };
        let new_leaves = self.leaves.len() - leaves0;
        let said = if cx.changes.is_empty() {
            vec![Said::new("why.nothing", &[])]
        } else {
            let key = if data >= data0 { "why.btrfs_written" } else { "why.btrfs_freed" };
            let mut w = vec![Said::new(key, &[&super::human(data.saturating_sub(data0)), &new_leaves])];
            if single {
                w.push(Said::new("why.btrfs_single", &[]));
            }
            w
        };
        let copied = shared_bytes(&self.ledger).saturating_sub(shared0);
        Priced { bytes: data + meta, copied, said }
    }
}
