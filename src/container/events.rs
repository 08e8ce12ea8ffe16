//! What happened during one container operation, for the page and for `docker`-style accounting.
//!
//! Rules: every change to the container (upper) layer is reported as it happens, in order:
//! copy-ups (with the layer they came from, the bytes copied and whether only metadata moved),
//! whiteouts (with the lower layer whose entry they hide), opaque and redirect xattrs, entries
//! created, removed or renamed, and the error that ended the op (errno name plus one plain
//! English sentence, [`Errno::sentence`], which is also the message key [`Errno::key`] of
//! [`crate::i18n`], so the page says it in its language). Nothing here changes behaviour: the
//! trace (SPEC §4) is computed from the state, never from the events.

use std::fmt;

/// A Linux errno the simulated syscalls can return (SPEC §4 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Errno {
    ENOENT,
    EEXIST,
    ENOTDIR,
    EISDIR,
    EINVAL,
    ENOTEMPTY,
    EXDEV,
    ELOOP,
    EPERM,
    EBUSY,
    EACCES,
    ENXIO,
    ENAMETOOLONG,
    /// Reading a lower file's bytes from the archive failed (a corrupt or truncated layer).
    EIO,
    /// A file would grow past what the simulator keeps in memory ([`super::MAX_FILE_SIZE`]).
    EFBIG,
    /// The container layer's written bytes would pass what the simulator keeps in memory
    /// ([`super::MAX_UPPER_SIZE`]), as a full disk would.
    ENOSPC,
    /// The descriptor is not open, or not open for what was asked (`fd-read` of a `>` one).
    EBADF,
}

impl Errno {
    pub fn name(self) -> &'static str {
        match self {
            Errno::ENOENT => "ENOENT",
            Errno::EEXIST => "EEXIST",
            Errno::ENOTDIR => "ENOTDIR",
            Errno::EISDIR => "EISDIR",
            Errno::EINVAL => "EINVAL",
            Errno::ENOTEMPTY => "ENOTEMPTY",
            Errno::EXDEV => "EXDEV",
            Errno::ELOOP => "ELOOP",
            Errno::EPERM => "EPERM",
            Errno::EBUSY => "EBUSY",
            Errno::EACCES => "EACCES",
            Errno::ENXIO => "ENXIO",
            Errno::ENAMETOOLONG => "ENAMETOOLONG",
            Errno::EIO => "EIO",
            Errno::EFBIG => "EFBIG",
            Errno::ENOSPC => "ENOSPC",
            Errno::EBADF => "EBADF",
        }
    }

    /// A plain-English sentence for the error of `call` (the syscall name).
    pub fn sentence(self, call: &str) -> String {
        let why = match self {
            Errno::ENOENT => "no such file or directory (a path component is missing, whited out, or a symlink dangles)",
            Errno::EEXIST => "the name already exists in the merged view",
            Errno::ENOTDIR => "a path component, or the target of a trailing slash, is not a directory",
            Errno::EISDIR => "the operation needs a non-directory but the path is a directory",
            Errno::EINVAL => "invalid argument (a directory cannot move into itself, or the path is not a symlink)",
            Errno::ENOTEMPTY => "the directory is not empty in the merged view",
            Errno::EXDEV => {
                "a directory from a lower layer cannot be renamed without redirect_dir (EXDEV); `mv` falls back to copy and delete"
            }
            Errno::ELOOP => "too many levels of symbolic links (more than 40)",
            Errno::EPERM => "hard links to directories are not allowed",
            Errno::EBUSY => "the container root cannot be removed or renamed",
            Errno::EACCES => "device nodes cannot be opened: the overlay is mounted nodev",
            Errno::ENXIO => "a fifo with no reader cannot be opened for writing without blocking",
            Errno::ENAMETOOLONG => "the name is too long",
            Errno::EIO => "the file's bytes could not be read from the image archive (a corrupt or truncated layer)",
            Errno::EFBIG => "the file would be larger than the simulator keeps in memory (a real overlay would store it sparse)",
            Errno::ENOSPC => "the container layer's written files would hold more than the simulator keeps in memory (256 MiB each, 512 MiB in all)",
            Errno::EBADF => "the file descriptor is not open, or not open for this (reading one opened for writing only, or the reverse)",
        };
        if self == Errno::EXDEV {
            format!("{call}: {why}")
        } else {
            format!("{call}: {why} ({})", self.name())
        }
    }

    /// The message key of [`Errno::sentence`] (`event.errno.ENOENT`); its one argument `{0}` is
    /// the call. Its English in `www/i18n/en.msg` is `sentence("{0}")` (a test holds the two equal).
    pub fn key(self) -> String {
        format!("event.errno.{}", self.name())
    }

    /// Every errno.
    pub const ALL: [Errno; 17] = [
        Errno::ENOENT,
        Errno::EEXIST,
        Errno::ENOTDIR,
        Errno::EISDIR,
        Errno::EINVAL,
        Errno::ENOTEMPTY,
        Errno::EXDEV,
        Errno::ELOOP,
        Errno::EPERM,
        Errno::EBUSY,
        Errno::EACCES,
        Errno::ENXIO,
        Errno::ENAMETOOLONG,
        Errno::EIO,
        Errno::EFBIG,
        Errno::ENOSPC,
        Errno::EBADF,
    ];
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a copy-up moved a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CopyKind {
    /// Metadata and data (overlay2's default, or a write).
    Full,
    /// Metadata only (`metacopy=on`): the data stays in the lower layer.
    MetadataOnly,
    /// The data of an earlier metadata-only copy-up, on first write.
    DataOnly,
}

/// One thing that happened to the container layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `dir`: a directory, copied up alone and empty (its entries stay below).
    CopyUp { path: Vec<u8>, layer: usize, bytes: u64, kind: CopyKind, dir: bool },
    Whiteout { path: Vec<u8>, hides_layer: Option<usize> },
    OpaqueSet { path: Vec<u8> },
    RedirectSet { path: Vec<u8>, value: Vec<u8> },
    Created { path: Vec<u8>, what: &'static str },
    Removed { path: Vec<u8> },
    Renamed { from: Vec<u8>, to: Vec<u8> },
    Written { path: Vec<u8>, size: u64 },
    /// `rename` said EXDEV, so `mv` copies the source and deletes it (coreutils behaviour).
    MvFallback { from: Vec<u8>, to: Vec<u8> },
    AttrChanged { path: Vec<u8>, what: &'static str },
    Error { call: &'static str, errno: Errno, sentence: String },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::listing::esc;
        match self {
            Event::CopyUp { path, layer, dir: true, .. } => write!(f, "copy-up of directory {} from layer {layer}", esc(path)),
            Event::CopyUp { path, layer, bytes, kind, .. } => match kind {
                CopyKind::Full => write!(f, "copy-up {} from layer {layer}: {bytes} bytes", esc(path)),
                CopyKind::MetadataOnly => write!(f, "copy-up {} from layer {layer}: metadata only", esc(path)),
                CopyKind::DataOnly => write!(f, "copy-up of the data of {} from layer {layer}: {bytes} bytes", esc(path)),
            },
            Event::Whiteout { path, hides_layer: Some(l) } => write!(f, "whiteout {} hides layer {l}", esc(path)),
            Event::Whiteout { path, hides_layer: None } => write!(f, "whiteout {}", esc(path)),
            Event::OpaqueSet { path } => write!(f, "opaque dir {}", esc(path)),
            Event::RedirectSet { path, value } => write!(f, "redirect {} -> {}", esc(path), esc(value)),
            Event::Created { path, what } => write!(f, "created {what} {}", esc(path)),
            Event::Removed { path } => write!(f, "removed {}", esc(path)),
            Event::Renamed { from, to } => write!(f, "renamed {} -> {}", esc(from), esc(to)),
            Event::Written { path, size } => write!(f, "wrote {} ({size} bytes)", esc(path)),
            Event::MvFallback { from, to } => write!(
                f,
                "rename {} -> {}: EXDEV (a lower or merged directory cannot be renamed without redirect_dir); mv copies and deletes instead",
                esc(from),
                esc(to)
            ),
            Event::AttrChanged { path, what } => write!(f, "{what} {}", esc(path)),
            Event::Error { sentence, .. } => f.write_str(sentence),
        }
    }
}
