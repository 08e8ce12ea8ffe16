//! Open files: the descriptors a shell keeps open across commands (`exec 3</etc/hosts`), each
//! an open file description of the overlay (Linux `struct file`).
//!
//! Rules (kernel `fs/overlayfs/file.c`, `inode.c`; recorded by `tests/oracle/overlay_oracle_fd.py`,
//! scenarios `tests/scenarios/fd-*`):
//! - A description refers to the overlay inode it was opened on, not to a path: a rename or an
//!   unlink of the name afterwards changes nothing it reads or writes (an unlinked upper file
//!   lives on, with `nlink` 0, while it is open).
//! - Opening for reading only never copies up. Opening with `>`, `>>` or `<>` copies the file up
//!   first (`ovl_open` → `ovl_maybe_copy_up` with `O_WRONLY`/`O_RDWR`/`O_TRUNC`).
//! - A description opened on a lower file follows a later copy-up of that file made through
//!   any other descriptor or path (`ovl_real_fdget_meta`: "Has it been copied up since we'd
//!   opened it?" reopens the real file), so both descriptors read the same bytes: the Docker
//!   docs' `open(2)` limitation (fd1 keeps reading the lower copy) is the behaviour of kernels
//!   before 4.19. What still sees the lower file's pages is a `MAP_SHARED` mapping made before
//!   the copy-up (overlayfs.rst, "Non-standard behavior"); no OPS op maps a file.
//! - A lower file with several hard links (`nlink` > 1) is, without `index=on`, a separate
//!   overlay inode per name (`ovl_hash_bylower`): a copy-up through one name does not move a
//!   description opened through another.
//! - The offset is the description's: a read or write moves it; `>>` writes at the end.

use crate::tree::Ino;

pub use super::ops::FdMode;

/// The real inode a description reads and writes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Real {
    /// The container layer's inode (kept while open even when its last name goes).
    Upper(Ino),
    /// A lower layer's inode: (layer index, inode in it).
    Lower(usize, Ino),
}

/// One open file description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFile {
    pub real: Real,
    /// The path it was opened by, resolved (`/`-rooted, symlinks followed): what the page
    /// shows and the drivers' models price a write through it as.
    pub path: Vec<u8>,
    pub mode: FdMode,
    /// The file offset.
    pub pos: u64,
}

impl OpenFile {
    /// Whether a copy-up of lower inode `(layer, ino)` at `path` moves this description to
    /// the new upper inode: the same overlay inode (see the rules on hard links; `nlink` is
    /// the lower inode's).
    pub fn follows_copy_up(&self, layer: usize, ino: Ino, nlink: u32, path: &[u8]) -> bool {
        self.real == Real::Lower(layer, ino) && (nlink <= 1 || self.path == path)
    }
}
