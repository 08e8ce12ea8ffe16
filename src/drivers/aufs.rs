//! aufs (removed in Docker Engine 24): file-level copy-up like overlay2, its own whiteouts.
//!
//! Rules (moby v23.0.6 `daemon/graphdriver/aufs/aufs.go`, aufs(5), Docker docs
//! `aufs-driver.md`; `../shared/drivers/README.md` §1 aufs):
//! - The container's branch is `aufs/diff/<id>` on ext4. Copy-up is of the whole file, on the
//!   first write or metadata change, like overlay2's; a directory rename is EXDEV unless the
//!   directory is empty, so `mv` copies (the same as overlay2 without redirect_dir). So the
//!   branch holds what the overlay upper dir holds, with aufs names: a delete is a zero-length
//!   `.wh.<name>` hard-linked to the branch's `.wh..wh.aufs` (no data block), an opaque
//!   directory holds `.wh..wh..opq`.
//! - On creation aufs makes `.wh..wh.aufs` (a file) and the `.wh..wh.plnk` and `.wh..wh.orph`
//!   directories in the branch: two more 4 KiB directory blocks than overlay2.
//! - SIZE is `directory.Size(diff/<id>)` (whiteouts are 0 bytes).

use super::overlay2::Overlay2;
use super::{Ctx, Model, OnDisk, Priced, View, BLOCK};
use crate::container::Container;

pub const ON_DISK: OnDisk = OnDisk {
    delete: "a zero-length regular file .wh.<name> in the branch, hard-linked to the branch's .wh..wh.aufs, and the parent directory copied up",
    opaque: "a directory made again over a deleted lower one holds .wh..wh..opq",
    rename: "a file: copied up whole, renamed, a .wh. file at the old name; a directory: EXDEV unless it is empty, so mv copies every file",
    image_layout: &[
        "/var/lib/docker/aufs/diff/<layer-id>/   the layer's files",
        "/var/lib/docker/aufs/layers/<layer-id>  the ids of the layers below, one per line",
    ],
    container_layout: &[
        "/var/lib/docker/aufs/diff/<container-id>/   the rw branch (with .wh..wh.aufs, .wh..wh.plnk/, .wh..wh.orph/)",
        "/var/lib/docker/aufs/mnt/<container-id>/    the mount: br:<rw>=rw:<ro>=ro+wh:…,dio,xino=/dev/shm/aufs.xino",
        "/var/lib/docker/aufs/layers/<container-id>  its parents, the -init layer first",
    ],
    removed_in: Some("Docker Engine 24.0"),
};

pub struct Aufs;

/// The branch's `.wh..wh.plnk` and `.wh..wh.orph` directories.
const AUFS_DIRS: u64 = 2 * BLOCK;

impl Model for Aufs {
    fn create(&mut self, _image: &View, c: &Container) -> Priced {
        Priced {
            bytes: Overlay2::ext4().upper_bytes(c) + AUFS_DIRS,
            copied: 0,
            said: vec![super::said::Said::new("why.aufs_create", &[])],
        }
    }

    fn observe(&mut self, cx: &Ctx<'_>) -> Priced {
        let mut p = Overlay2::ext4().observe(cx);
        p.bytes += AUFS_DIRS;
        // The same events, named as aufs names them on its disk.
        if !cx.outcome.events.is_empty() {
            p.said = super::said::events(&cx.outcome.events, true);
        }
        p
    }
}
