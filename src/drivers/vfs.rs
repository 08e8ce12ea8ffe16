//! vfs: no copy-on-write at all; every layer and every container is a deep copy.
//!
//! Rules (moby `daemon/graphdriver/vfs/driver.go` `create` → `CopyDir` =
//! `copy.DirCopy(…, copy.Content)`; `daemon/graphdriver/copy/copy.go` `copyRegular`;
//! `../shared/drivers/README.md` §1 vfs):
//! - Creating the container copies the image's whole merged tree into `vfs/dir/<id>`: on ext4
//!   (no FICLONE) that is every file's blocks and every directory's block. Docker's `-init`
//!   layer is a second such copy; the comparison models the container's own layer.
//! - Then the container writes in place: what the copy holds now is what it costs (a delete
//!   gives the bytes back, the only driver where it does).
//! - SIZE is the naive diff.

use super::said::Said;
use super::{ext4_view_bytes, Ctx, Model, OnDisk, Priced, View};
use crate::container::Container;

pub const ON_DISK: OnDisk = OnDisk {
    delete: "a real unlink in the container's own copy: the bytes come back; no whiteout (one appears only in an exported diff)",
    opaque: "nothing: the directory is simply removed and made again",
    rename: "a real rename(2), files and directories alike",
    image_layout: &["/var/lib/docker/vfs/dir/<layer-id>/   a full copy of the layer and every layer below it"],
    container_layout: &[
        "/var/lib/docker/vfs/dir/<container-id>-init/   a full copy of the image (Docker's init layer)",
        "/var/lib/docker/vfs/dir/<container-id>/        another full copy: the container's filesystem",
    ],
    removed_in: None,
};

pub struct Vfs;

impl Model for Vfs {
    fn create(&mut self, image: &View, _c: &Container) -> Priced {
        let bytes = ext4_view_bytes(image);
        Priced { bytes, copied: bytes, said: vec![Said::new("why.vfs_create", &[])] }
    }

    fn observe(&mut self, cx: &Ctx<'_>) -> Priced {
        let bytes = ext4_view_bytes(cx.after);
        let before = ext4_view_bytes(cx.before);
        let said = if cx.changes.is_empty() {
            Said::new("why.nothing", &[])
        } else if bytes >= before {
            Said::new("why.vfs_more", &[&super::human(bytes - before)])
        } else {
            Said::new("why.vfs_back", &[&super::human(before - bytes)])
        };
        Priced { bytes, copied: 0, said: vec![said] }
    }
}
