//! `docker commit`: the container layer becomes a new image layer and a new image.
//!
//! Rules (moby `daemon/commit.go`, `image/image.go` `NewChildImage`; OCI image-spec
//! `config.md`):
//! - The new layer is the container layer's diff as the overlay2 driver tars it (SPEC §6:
//!   native diff for the default mount, naive diff otherwise), gzip-compressed.
//! - The new config is the old one with the diff_id appended to `rootfs.diff_ids`, a history
//!   entry appended (`created`, `created_by`, `author`, `comment`), `-c` changes applied
//!   (`CMD`, `ENTRYPOINT`, `ENV`, `WORKDIR`, `LABEL`, `USER`, `EXPOSE`), and `created`/`author`
//!   set. Its digest is the image ID.
//! - Output is deterministic: entries sorted, timestamps from the commit time, JSON with sorted
//!   keys, so the same inputs and time give the same bytes and digests.

pub mod changes;
pub mod export;
pub mod save;
pub mod tarwriter;

pub use changes::apply_changes;
pub use tarwriter::{TarEntry, TarKind, TarWriter};
