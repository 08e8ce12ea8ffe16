//! zfs: every layer and the container are clones of a snapshot; data is copied on write in
//! records of 128 KiB.
//!
//! Rules (moby `daemon/graphdriver/zfs/zfs.go` `cloneFilesystem`; OpenZFS `dmu`/`dbuf`
//! (recordsize 128 KiB, ashift 12); Docker docs `zfs-driver.md` ("space is allocated for the
//! blocks that are changed. By default, these blocks are 128k"); `../shared/drivers/README.md`
//! §1 zfs and Table 1, measured as the clone's `used` on zfs-fuse, pool v23):
//! - A file larger than recordsize is all 128 KiB records, the tail too; a file of at most
//!   128 KiB is one block of its size rounded up to 4 KiB. A write rewrites every record it
//!   touches in full (a new tail record for an append is a full 128 KiB); a small file is
//!   rewritten whole. A record or block the image holds is never freed by the clone.
//! - Metadata: each transaction group that changes the clone rewrites its dnodes, indirect
//!   blocks and object set, two copies each. Measured 81,920-106,496 bytes for one op;
//!   modelled as 90,112 (22 sectors), the measurements' median, once the clone has changed:
//!   the next txg frees the clone's previous copies, so it does not pile up.
//! - SIZE is the naive diff.

use super::said::Said;
use super::{round_up, Ctx, FileData, Ledger, Model, OnDisk, Priced, View, BLOCK};
use crate::container::Container;

pub const ON_DISK: OnDisk = OnDisk {
    delete: "a real unlink in the clone; the image's records stay referenced by the origin snapshot, so nothing is freed",
    opaque: "nothing: the directory is removed and made again in the clone",
    rename: "a real rename(2) (files and directories): ZAP entries change, no data moves",
    image_layout: &[
        "<zfs.fsname>/<layer-id>   a filesystem (the base) or a clone of <parent>@<ns>, mountpoint=legacy",
        "/var/lib/docker/zfs/graph/<layer-id>/   where it is mounted",
    ],
    container_layout: &[
        "<zfs.fsname>/<container-id>-init   a clone of <image-top>@<ns> (snapshot deferred-destroyed)",
        "<zfs.fsname>/<container-id>        a clone of <container-id>-init@<ns>",
        "/var/lib/docker/zfs/graph/<container-id>/   its mount (--storage-opt size sets the quota)",
    ],
    removed_in: None,
};

/// recordsize.
pub const RECORD: u64 = 128 << 10;
/// Metadata a changed clone holds (one txg's dnode, indirect and objset copies).
pub const TXG_METADATA: u64 = 90_112;

#[derive(Default)]
pub struct Zfs {
    ledger: Ledger,
    changed: bool,
}

/// Bytes the clone owns of one file.
pub fn file_bytes(f: &FileData) -> u64 {
    if f.size <= RECORD {
        let untouched = f.written.is_empty() && f.size == f.image_len;
        return if untouched { 0 } else { round_up(f.size, BLOCK) };
    }
    if f.image_len <= RECORD {
        return round_up(f.size, RECORD);
    }
    f.shared_units_touched(RECORD) * RECORD + round_up(f.size, RECORD).saturating_sub(round_up(f.image_len, RECORD))
}

impl Model for Zfs {
    fn create(&mut self, _image: &View, _c: &Container) -> Priced {
        Priced { bytes: 0, copied: 0, said: vec![Said::new("why.zfs_create", &[])] }
    }

    fn observe(&mut self, cx: &Ctx<'_>) -> Priced {
        let data0: u64 = self.ledger.files.values().map(file_bytes).sum();
        let shared0: u64 = self.ledger.files.values().map(|f| f.shared_units_touched(RECORD) * RECORD).sum();
        for c in cx.changes {
            self.ledger.apply(c, cx.before);
        }
        self.changed |= !cx.changes.is_empty();
        let data: u64 = self.ledger.files.values().map(file_bytes).sum();
        let shared: u64 = self.ledger.files.values().map(|f| f.shared_units_touched(RECORD) * RECORD).sum();
        let meta = if self.changed { TXG_METADATA } else { 0 };
        let said = if cx.changes.is_empty() {
            Said::new("why.nothing", &[])
        } else {
            Said::new(if data >= data0 { "why.zfs_written" } else { "why.zfs_freed" }, &[&super::human(data.abs_diff(data0))])
        };
        Priced { bytes: data + meta, copied: shared.saturating_sub(shared0), said: vec![said] }
    }
}
