//! Storage drivers side by side: what the same container writes cost on overlay2, aufs,
//! devicemapper, btrfs, zfs and vfs (issue 12; `../shared/drivers/README.md` holds every rule
//! below with its moby and kernel source, and the measurements the tests hold us to).
//!
//! Rules:
//! - One container runs the ops (the overlay2 [`Container`], unchanged): a driver model never
//!   forks it. [`Drivers::observe`] is fed each op with the merged view before it and the
//!   container after it, turns the op into driver-neutral [`Change`]s (file data written at an
//!   offset, a truncate, a metadata change, an entry created, removed or renamed), and each
//!   model prices them with its own allocation unit. So every shell command and file action
//!   that runs on the container runs on every driver.
//! - The overlay-based models (`overlay2`, `overlay2-reflink`, `aufs`) read the container's
//!   upper dir itself: what they allocate is the state of that directory. The others
//!   (`devicemapper*`, `btrfs`, `zfs`, `vfs`) see a plain filesystem: a rename is a rename
//!   (even where overlayfs said EXDEV and `mv` copied), a delete is an unlink with no whiteout.
//! - Bytes are cumulative from the moment the driver's image was in place (op 0 is the
//!   container's creation), as in the README's Table 1. The `docker ps -s` figure has two
//!   formulas only ([`DiffSize`]): overlay2 and aufs sum the `st_size` of the upper dir
//!   (moby `pkg/directory` `Size`), the naive drivers sum the full size of every added or
//!   modified file (moby `pkg/archive/changes.go` `ChangesSize`).
//! - Results are plain serde values ([`Step`], [`Column`]); one observe is one walk of the
//!   merged view plus work proportional to what the op touched.

pub mod aufs;
pub mod btrfs;
pub mod devicemapper;
pub mod overlay2;
pub mod said;
pub mod vfs;
pub mod zfs;

use crate::container::{Container, Event, Op, Outcome};
use crate::error::{Error, Result};
use crate::layer::Content;
use crate::path::{join, split};
use crate::tree::{Kind, Tree};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// 4 KiB: the filesystem block of ext4, xfs and btrfs data, and zfs's ashift=12 sector.
pub const BLOCK: u64 = 4096;

/// `n` rounded up to a multiple of `unit`.
pub fn round_up(n: u64, unit: u64) -> u64 {
    n.div_ceil(unit) * unit
}

/// A storage driver (and its backing filesystem) the comparison models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Driver {
    #[serde(rename = "overlay2")]
    Overlay2,
    #[serde(rename = "overlay2-reflink")]
    Overlay2Reflink,
    #[serde(rename = "aufs")]
    Aufs,
    #[serde(rename = "devicemapper")]
    Devicemapper,
    #[serde(rename = "devicemapper-512k")]
    Devicemapper512k,
    #[serde(rename = "devicemapper-ext4")]
    DevicemapperExt4,
    #[serde(rename = "btrfs")]
    Btrfs,
    #[serde(rename = "zfs")]
    Zfs,
    #[serde(rename = "vfs")]
    Vfs,
}

/// Which `docker ps -s` formula a driver's `DiffSize` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DiffSize {
    /// `directory.Size(upper)`: the sum of `st_size` of the upper dir's non-directories,
    /// hardlinks once (overlay2 `overlay.go`, aufs `aufs.go` `DiffSize`).
    UpperDir,
    /// `NaiveDiffDriver.DiffSize`: `ChangesSize(ChangesDirs(container, parent))`, the full size
    /// of every added or modified non-directory (`graphdriver/fsdiff.go`).
    Naive,
}

/// What a delete, an opaque directory and a rename look like on a driver's disk, and where
/// its layers live.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OnDisk {
    pub delete: &'static str,
    pub opaque: &'static str,
    pub rename: &'static str,
    /// `/var/lib/docker/<driver>/...` for an image layer.
    pub image_layout: &'static [&'static str],
    /// ... and for the container's layer.
    pub container_layout: &'static [&'static str],
    /// The Engine release that removed the driver, if it is gone.
    pub removed_in: Option<&'static str>,
}

impl Driver {
    /// Every driver, in the order the CLI and the page show them.
    pub const ALL: [Driver; 9] = [
        Driver::Overlay2,
        Driver::Overlay2Reflink,
        Driver::Aufs,
        Driver::Devicemapper,
        Driver::Devicemapper512k,
        Driver::DevicemapperExt4,
        Driver::Btrfs,
        Driver::Zfs,
        Driver::Vfs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Driver::Overlay2 => "overlay2",
            Driver::Overlay2Reflink => "overlay2-reflink",
            Driver::Aufs => "aufs",
            Driver::Devicemapper => "devicemapper",
            Driver::Devicemapper512k => "devicemapper-512k",
            Driver::DevicemapperExt4 => "devicemapper-ext4",
            Driver::Btrfs => "btrfs",
            Driver::Zfs => "zfs",
            Driver::Vfs => "vfs",
        }
    }

    /// The driver named `s`.
    pub fn parse(s: &str) -> Result<Driver> {
        Driver::ALL.into_iter().find(|d| d.name() == s).ok_or_else(|| {
            let known: Vec<&str> = Driver::ALL.iter().map(|d| d.name()).collect();
            Error::usage(format!("unknown storage driver '{s}' (known: {})", known.join(", ")))
        })
    }

    /// The driver and its backing store in a few words.
    pub fn label(self) -> &'static str {
        match self {
            Driver::Overlay2 => "overlay2 on ext4",
            Driver::Overlay2Reflink => "overlay2 on xfs (reflink)",
            Driver::Aufs => "aufs on ext4",
            Driver::Devicemapper => "devicemapper loop-lvm (64 KiB blocks, xfs)",
            Driver::Devicemapper512k => "devicemapper direct-lvm (512 KiB blocks, xfs)",
            Driver::DevicemapperExt4 => "devicemapper loop-lvm (64 KiB blocks, ext4)",
            Driver::Btrfs => "btrfs",
            Driver::Zfs => "zfs (128 KiB records)",
            Driver::Vfs => "vfs on ext4",
        }
    }

    /// The model family whose on-disk words the driver shares (`drivers.disk.<family>.*`).
    pub fn family(self) -> &'static str {
        match self {
            Driver::Overlay2 | Driver::Overlay2Reflink => "overlay2",
            Driver::Aufs => "aufs",
            Driver::Devicemapper | Driver::Devicemapper512k | Driver::DevicemapperExt4 => "devicemapper",
            Driver::Btrfs => "btrfs",
            Driver::Zfs => "zfs",
            Driver::Vfs => "vfs",
        }
    }

    /// The message keys of the driver's words on the page and their English (label, what a
    /// delete, an opaque directory and a rename are on its disk, its layout lines).
    pub fn words(self) -> Vec<(String, &'static str)> {
        let (f, d) = (self.family(), self.on_disk());
        let mut v = vec![
            (format!("drivers.label.{}", self.name()), self.label()),
            (format!("drivers.disk.{f}.delete"), d.delete),
            (format!("drivers.disk.{f}.opaque"), d.opaque),
            (format!("drivers.disk.{f}.rename"), d.rename),
        ];
        v.extend(d.image_layout.iter().enumerate().map(|(i, l)| (format!("drivers.disk.{f}.image.{i}"), *l)));
        v.extend(d.container_layout.iter().enumerate().map(|(i, l)| (format!("drivers.disk.{f}.container.{i}"), *l)));
        v
    }

    pub fn diff_size(self) -> DiffSize {
        match self {
            Driver::Overlay2 | Driver::Overlay2Reflink | Driver::Aufs => DiffSize::UpperDir,
            _ => DiffSize::Naive,
        }
    }

    pub fn on_disk(self) -> OnDisk {
        match self {
            Driver::Overlay2 | Driver::Overlay2Reflink => overlay2::ON_DISK,
            Driver::Aufs => aufs::ON_DISK,
            Driver::Devicemapper | Driver::Devicemapper512k | Driver::DevicemapperExt4 => devicemapper::ON_DISK,
            Driver::Btrfs => btrfs::ON_DISK,
            Driver::Zfs => zfs::ON_DISK,
            Driver::Vfs => vfs::ON_DISK,
        }
    }
}

// ---------------------------------------------------------------------------- the merged view

/// What a driver needs of one entry of the merged view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    /// `st_size` (a symlink's target length, 0 for directories and devices).
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: i64,
    pub rdev: Option<(u32, u32)>,
    /// The container layer supplies it (overlay: it is in the upper dir).
    pub upper: bool,
    /// The lower layer that supplies it when the container layer does not (stack index,
    /// bottom 0).
    pub layer: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Other,
}

/// The merged view by path (`/`-rooted, the root included).
pub type View = BTreeMap<Vec<u8>, Entry>;

/// The merged view of `c`.
pub fn view(c: &Container) -> View {
    c.merged_nodes()
        .into_iter()
        .map(|(path, n, id)| {
            let (kind, size, rdev) = match &n.kind {
                Kind::File(c) => (EntryKind::File, c.size(), None),
                Kind::Dir(_) => (EntryKind::Dir, 0, None),
                Kind::Symlink(t) => (EntryKind::Symlink, t.len() as u64, None),
                Kind::Char(a, b) | Kind::Block(a, b) => (EntryKind::Other, 0, Some((*a, *b))),
                _ => (EntryKind::Other, 0, None),
            };
            let e = Entry { kind, size, mode: n.mode & 0o7777, uid: n.uid, gid: n.gid, mtime: n.mtime, rdev, upper: id.0 == usize::MAX, layer: id.0 };
            (path, e)
        })
        .collect()
}

/// The names directly inside `dir` of a view.
pub fn children<'a>(v: &'a View, dir: &'a [u8]) -> impl Iterator<Item = (&'a [u8], &'a Entry)> + 'a {
    let prefix = if dir == b"/" { b"/".to_vec() } else { [dir, b"/"].concat() };
    v.range(prefix.clone()..)
        .take_while(move |(p, _)| p.starts_with(&prefix))
        .filter(|(p, _)| p.len() > 1)
        .filter_map(move |(p, e)| {
            let rest = &p[if dir == b"/" { 1 } else { dir.len() + 1 }..];
            (!rest.contains(&b'/')).then_some((rest, e))
        })
}

/// The entries at or below `path`, in path order.
pub fn subtree<'a>(v: &'a View, path: &[u8]) -> Vec<(&'a Vec<u8>, &'a Entry)> {
    let below = [path, b"/"].concat();
    v.range(path.to_vec()..).take_while(|(p, _)| p.as_slice() == path || p.starts_with(&below)).collect()
}

// ---------------------------------------------------------------------------- docker ps -s

/// `directory.Size` of a layer directory: `st_size` of every non-directory, each inode once
/// (moby `pkg/directory/directory_unix.go`; whiteouts are 0).
pub fn upper_dir_size(upper: &Tree) -> u64 {
    crate::container::layer_bytes(upper)
}

/// moby's naive `ChangesSize(ChangesDirs(container, image))`: the full `st_size` of every
/// non-directory that is added or modified, modified meaning mode, owner, rdev, size or mtime
/// differ (`statDifferent`, `pkg/archive/changes_unix.go`; a write changes mtime, which the
/// simulated clock does not, so a file whose bytes were written counts as modified, and one
/// only copied up, by an open for writing, does not). Deletes count 0; hardlinks once.
pub fn naive_size(c: &Container) -> u64 {
    let upper = c.upper();
    let mut seen = HashSet::new();
    let mut total = 0u64;
    for (path, u, _) in c.merged_provenance() {
        let Some(u) = u else { continue };
        let n = upper.node(u);
        if n.is_dir() || !seen.insert(u) {
            continue;
        }
        let (size, rdev) = match &n.kind {
            Kind::File(c) => (c.size(), None),
            Kind::Symlink(t) => (t.len() as u64, None),
            Kind::Char(a, b) | Kind::Block(a, b) => (0, Some((*a, *b))),
            _ => (0, None),
        };
        let (dir, name) = split(&path);
        let lower = c.lower().dir_stack(dir).and_then(|dirs| c.lower().lookup_child(&dirs, name)).map(|t| t.0);
        let changed = match lower {
            None => true,
            Some((layer, ino)) => {
                let l = c.lower().node(layer, ino);
                let lrdev = match &l.kind {
                    Kind::Char(a, b) | Kind::Block(a, b) => Some((*a, *b)),
                    _ => None,
                };
                let same_bytes = match (&n.kind, &l.kind) {
                    (Kind::File(a), Kind::File(b)) => same_content(a, b),
                    (Kind::Symlink(a), Kind::Symlink(b)) => a == b,
                    (Kind::File(_) | Kind::Symlink(_), _) => false,
                    _ => std::mem::discriminant(&n.kind) == std::mem::discriminant(&l.kind),
                };
                !same_bytes || l.mode & 0o7777 != n.mode & 0o7777 || l.uid != n.uid || l.gid != n.gid || lrdev != rdev || l.mtime != n.mtime
            }
        };
        if changed {
            total += size;
        }
    }
    total
}

/// The container still holds the image's bytes (a copy-up shares them until a write).
fn same_content(a: &Content, b: &Content) -> bool {
    match (a, b) {
        (Content::Blob { blob: x, offset: o1, size: s1 }, Content::Blob { blob: y, offset: o2, size: s2 }) => std::sync::Arc::ptr_eq(x, y) && o1 == o2 && s1 == s2,
        (Content::Bytes(x), Content::Bytes(y)) => std::sync::Arc::ptr_eq(x, y) || (x.is_empty() && y.is_empty()),
        _ => false,
    }
}

// ---------------------------------------------------------------------------- changes

/// What an op did to the filesystem, in driver-neutral terms (paths as the op named them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new entry (a file starts empty; its data follows as [`Change::Write`]).
    Create { path: Vec<u8>, dir: bool },
    /// `len` bytes of file data written at `off`.
    Write { path: Vec<u8>, off: u64, len: u64 },
    /// The file's size set to `size`.
    Truncate { path: Vec<u8>, size: u64 },
    /// Mode, owner or times changed (the inode only).
    Meta { path: Vec<u8> },
    /// A second name for an existing inode.
    Link { path: Vec<u8> },
    Remove { path: Vec<u8>, dir: bool },
    Rename { from: Vec<u8>, to: Vec<u8>, dir: bool },
}

/// The changes of `op`, which answered `out`, over the merged view `before`; `after` is the
/// container once it ran (a descriptor op's file and offset are its). A failed op changes
/// nothing (an `rm -r` or `mv` that failed halfway is priced as nothing).
pub fn changes(op: &Op, before: &View, out: &Outcome, after: &Container) -> Vec<Change> {
    if out.errno.is_some() {
        return Vec::new();
    }
    let get = |p: &[u8]| before.get(&crate::path::clean(p));
    let mut ch = Vec::new();
    let write_at = |ch: &mut Vec<Change>, path: &[u8], off: Option<u64>, text: &[u8], trunc: bool| {
        let existing = get(path);
        if existing.is_none() {
            ch.push(Change::Create { path: path.to_vec(), dir: false });
        } else if trunc && existing.is_some_and(|e| e.size > 0) {
            ch.push(Change::Truncate { path: path.to_vec(), size: 0 });
        }
        if !text.is_empty() {
            let off = off.unwrap_or_else(|| existing.map_or(0, |e| e.size));
            ch.push(Change::Write { path: path.to_vec(), off, len: text.len() as u64 });
        }
    };
    match op {
        Op::Write { path, text } => write_at(&mut ch, path, Some(0), text, true),
        Op::CreateExcl { path, text } => write_at(&mut ch, path, Some(0), text, false),
        Op::Append { path, text } => write_at(&mut ch, path, None, text, false),
        Op::Pwrite { path, offset, text } => write_at(&mut ch, path, Some(*offset), text, false),
        Op::Truncate { path, size } => ch.push(Change::Truncate { path: path.clone(), size: *size }),
        Op::Touch { path } => match get(path) {
            Some(_) => ch.push(Change::Meta { path: path.clone() }),
            None => ch.push(Change::Create { path: path.clone(), dir: false }),
        },
        Op::Chmod { path, .. } | Op::Chown { path, .. } => ch.push(Change::Meta { path: path.clone() }),
        Op::Mkdir { path } => ch.push(Change::Create { path: path.clone(), dir: true }),
        Op::Symlink { path, .. } => ch.push(Change::Create { path: path.clone(), dir: false }),
        Op::Link { dst, .. } => ch.push(Change::Link { path: dst.clone() }),
        Op::Unlink { path } => ch.push(Change::Remove { path: path.clone(), dir: false }),
        Op::Rmdir { path } => ch.push(Change::Remove { path: path.clone(), dir: true }),
        Op::RmR { path } => {
            let p = crate::path::clean(path);
            let mut sub = subtree(before, &p);
            sub.reverse(); // children before their directory
            for (q, e) in sub {
                ch.push(Change::Remove { path: q.clone(), dir: e.kind == EntryKind::Dir });
            }
        }
        Op::Rename { src, dst } | Op::Mv { src, dst } => {
            let (s, d) = (crate::path::clean(src), crate::path::clean(dst));
            if s != d {
                let dir = get(&s).is_some_and(|e| e.kind == EntryKind::Dir);
                if let Some(e) = get(&d) {
                    ch.push(Change::Remove { path: d.clone(), dir: e.kind == EntryKind::Dir });
                }
                ch.push(Change::Rename { from: s, to: d, dir });
            }
        }
        // A descriptor's writes land in the file it was opened on, at its offset.
        Op::FdOpen { fd, mode, .. } => {
            if let Some(f) = after.open_file(*fd).filter(|_| *mode != crate::container::files::FdMode::Read) {
                write_at(&mut ch, &f.path, Some(0), b"", *mode == crate::container::files::FdMode::Write);
            }
        }
        Op::FdWrite { fd, text } if !text.is_empty() => {
            if let Some(f) = after.open_file(*fd) {
                let len = text.len() as u64;
                ch.push(Change::Write { path: f.path.clone(), off: f.pos - len, len });
            }
        }
        Op::OpenRw { .. } | Op::Read { .. } | Op::Readlink { .. } | Op::Stat { .. } | Op::Ls { .. } => {}
        Op::FdRead { .. } | Op::FdWrite { .. } | Op::FdClose { .. } => {}
    }
    // Paths as the view spells them.
    for c in &mut ch {
        match c {
            Change::Create { path, .. } | Change::Write { path, .. } | Change::Truncate { path, .. } | Change::Meta { path } | Change::Link { path } | Change::Remove { path, .. } => {
                *path = crate::path::clean(path)
            }
            Change::Rename { .. } => {}
        }
    }
    ch
}

/// The directory holding `path`.
pub fn parent(path: &[u8]) -> Vec<u8> {
    split(path).0.to_vec()
}

// ---------------------------------------------------------------------------- file data

/// The data of one file as a block or extent driver sees it: how much of it is still the
/// image's (shared with the origin, the snapshot or the lower layer) and which byte ranges
/// the container wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileData {
    /// Bytes at the start still shared with the image (0 for a file the container made).
    pub image_len: u64,
    pub size: u64,
    /// Written byte ranges `[start, end)`, sorted and merged.
    pub written: Vec<(u64, u64)>,
}

impl FileData {
    fn add(&mut self, a: u64, b: u64) {
        if a >= b {
            return;
        }
        self.written.push((a, b));
        self.written.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::new();
        for &(a, b) in &self.written {
            match merged.last_mut() {
                Some(l) if a <= l.1 => l.1 = l.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.written = merged;
    }

    /// The granules of `unit` bytes within `[0, round_up(image_len, unit))` that a write
    /// touched: the ones a CoW driver copied.
    pub fn shared_units_touched(&self, unit: u64) -> u64 {
        let end = round_up(self.image_len, unit);
        let mut set = BTreeSet::new();
        for &(a, b) in &self.written {
            if a >= end {
                continue;
            }
            let b = b.min(end);
            for k in a / unit..b.div_ceil(unit) {
                set.insert(k);
            }
        }
        set.len() as u64
    }
}

/// Every file whose data the container touched, by path.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub files: BTreeMap<Vec<u8>, FileData>,
}

impl Ledger {
    /// The entry for `path`, made from the image's file on first touch.
    fn touch(&mut self, path: &[u8], before: &View) -> &mut FileData {
        self.files.entry(path.to_vec()).or_insert_with(|| {
            let size = before.get(path).filter(|e| e.kind == EntryKind::File).map_or(0, |e| e.size);
            FileData { image_len: size, size, written: Vec::new() }
        })
    }

    pub fn apply(&mut self, c: &Change, before: &View) {
        match c {
            Change::Create { path, dir: false } => {
                self.files.insert(path.clone(), FileData::default());
            }
            Change::Create { .. } | Change::Meta { .. } | Change::Link { .. } => {}
            Change::Write { path, off, len } => {
                let f = self.touch(path, before);
                f.add(*off, off + len);
                f.size = f.size.max(off + len);
            }
            Change::Truncate { path, size } => {
                let f = self.touch(path, before);
                f.image_len = f.image_len.min(*size);
                f.size = *size;
                f.written.retain(|r| r.0 < *size);
                for r in &mut f.written {
                    r.1 = r.1.min(*size);
                }
            }
            Change::Remove { path, .. } => {
                let below = [path.as_slice(), b"/"].concat();
                self.files.retain(|p, _| p != path && !p.starts_with(&below));
            }
            Change::Rename { from, to, dir } => {
                if *dir {
                    let below = [from.as_slice(), b"/"].concat();
                    let moved: Vec<Vec<u8>> = self.files.keys().filter(|p| p.starts_with(&below)).cloned().collect();
                    for p in moved {
                        let f = self.files.remove(&p).expect("listed");
                        self.files.insert(join(to, &p[below.len()..]), f);
                    }
                } else {
                    let f = self.touch(from, before).clone();
                    self.files.remove(from);
                    self.files.insert(to.clone(), f);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------- ext4 and xfs

/// Bytes an ext4 directory with these names takes: `ext4_dir_entry_2` records of 8 bytes plus
/// the name rounded to 4, `.` and `..` first, in 4 KiB blocks (at least one).
pub fn ext4_dir_bytes<'a>(names: impl Iterator<Item = &'a [u8]>) -> u64 {
    let used: u64 = 24 + names.map(|n| 8 + round_up(n.len() as u64, 4)).sum::<u64>();
    round_up(used, BLOCK).max(BLOCK)
}

/// Bytes ext4 allocates for a regular file of `size` bytes, or a symlink whose target is
/// `size` bytes long (a target under 60 bytes lives in the inode: a fast symlink).
pub fn ext4_bytes(kind: EntryKind, size: u64) -> u64 {
    match kind {
        EntryKind::File => round_up(size, BLOCK),
        EntryKind::Symlink if size >= 60 => BLOCK,
        _ => 0,
    }
}

/// Bytes ext4 holds for a whole tree (the container layer's directory): every inode once.
pub fn ext4_tree_bytes(t: &Tree) -> u64 {
    t.inodes()
        .into_iter()
        .map(|ino| match &t.node(ino).kind {
            Kind::Dir(ch) => ext4_dir_bytes(ch.keys().map(|k| &k[..])),
            Kind::File(c) => ext4_bytes(EntryKind::File, c.size()),
            Kind::Symlink(s) => ext4_bytes(EntryKind::Symlink, s.len() as u64),
            _ => 0,
        })
        .sum()
}

/// Bytes ext4 holds for a view (a full copy of the merged tree, as vfs makes).
pub fn ext4_view_bytes(v: &View) -> u64 {
    let mut names: BTreeMap<Vec<u8>, Vec<&[u8]>> = BTreeMap::new();
    let mut n = 0;
    for (p, e) in v {
        if e.kind == EntryKind::Dir {
            names.entry(p.clone()).or_default();
        }
        if p.as_slice() != b"/" {
            let (dir, name) = split(p);
            names.entry(dir.to_vec()).or_default().push(name);
        }
        n += ext4_bytes(e.kind, e.size);
    }
    n + names.values().map(|ns| ext4_dir_bytes(ns.iter().copied())).sum::<u64>()
}

// ---------------------------------------------------------------------------- the run

/// One op as a driver saw it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// 0 = the container's creation, N = after the N-th op.
    pub op: usize,
    /// Bytes the driver has allocated for the container since its image was in place.
    pub bytes: u64,
    /// `docker ps -s` SIZE (and `docker system df`'s container SIZE).
    pub ps_size: u64,
    /// Bytes copied from the image by this op (copy-up, CoW of a shared block or record).
    pub copied: u64,
    /// What was copied or allocated, and why, in one or two sentences (English).
    pub why: String,
    /// The same as message keys, for the page to say in its language.
    #[serde(default)]
    pub said: Vec<said::Said>,
    /// The op as an OPS line, shortened to [`LINE_CHARS`] (empty for the creation): the
    /// chart's label for the op.
    #[serde(default)]
    pub line: String,
}

/// How much of an op's OPS line a [`Step`] keeps (a `write` may carry a megabyte of text).
pub const LINE_CHARS: usize = 48;

/// `op` as an OPS line of at most [`LINE_CHARS`] characters (an ellipsis marks a cut).
pub fn op_line(op: &Op) -> String {
    let full = op.script_line();
    if full.chars().count() <= LINE_CHARS {
        return full;
    }
    let mut s: String = full.chars().take(LINE_CHARS - 1).collect();
    s.push('…');
    s
}

/// One driver's column: a step per op.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub driver: Driver,
    pub label: String,
    pub steps: Vec<Step>,
}

/// What a model says about one op.
#[derive(Debug, Clone, Default)]
pub struct Priced {
    pub bytes: u64,
    pub copied: u64,
    /// What was copied or allocated, and why (its English is the step's `why`).
    pub said: Vec<said::Said>,
}

/// The context a model prices an op in.
pub struct Ctx<'a> {
    pub op: &'a Op,
    pub outcome: &'a Outcome,
    pub changes: &'a [Change],
    pub before: &'a View,
    pub after: &'a View,
    pub container: &'a Container,
}

/// A driver's model: creation, then one op at a time.
pub trait Model {
    fn create(&mut self, image: &View, c: &Container) -> Priced;
    fn observe(&mut self, cx: &Ctx<'_>) -> Priced;
}

fn model(d: Driver, image: &View) -> Box<dyn Model> {
    match d {
        Driver::Overlay2 => Box::new(overlay2::Overlay2::ext4()),
        Driver::Overlay2Reflink => Box::new(overlay2::Overlay2::xfs_reflink()),
        Driver::Aufs => Box::new(aufs::Aufs),
        Driver::Devicemapper => Box::new(devicemapper::Devicemapper::new(devicemapper::Fs::Xfs, 64 << 10, image)),
        Driver::Devicemapper512k => Box::new(devicemapper::Devicemapper::new(devicemapper::Fs::Xfs, 512 << 10, image)),
        Driver::DevicemapperExt4 => Box::new(devicemapper::Devicemapper::new(devicemapper::Fs::Ext4, 64 << 10, image)),
        Driver::Btrfs => Box::new(btrfs::Btrfs::default()),
        Driver::Zfs => Box::new(zfs::Zfs::default()),
        Driver::Vfs => Box::new(vfs::Vfs),
    }
}

/// Every chosen driver's model, fed by one container.
pub struct Drivers {
    image: View,
    before: View,
    models: Vec<(Driver, Box<dyn Model>)>,
    columns: Vec<Column>,
    ops: usize,
}

impl Drivers {
    /// The models of `drivers` for the fresh container `c` (its creation is op 0).
    pub fn new(c: &Container, drivers: &[Driver]) -> Drivers {
        let image = view(c);
        let mut models = Vec::new();
        let mut columns = Vec::new();
        for &d in drivers {
            let mut m = model(d, &image);
            let p = m.create(&image, c);
            let ps_size = Self::ps(d, c);
            columns.push(Column { driver: d, label: d.label().into(), steps: vec![Step { op: 0, bytes: p.bytes, ps_size, copied: p.copied, why: said::english(&p.said), said: p.said, line: String::new() }] });
            models.push((d, m));
        }
        Drivers { before: image.clone(), image, models, columns, ops: 0 }
    }

    fn ps(d: Driver, c: &Container) -> u64 {
        match d.diff_size() {
            DiffSize::UpperDir => upper_dir_size(c.upper()),
            DiffSize::Naive => naive_size(c),
        }
    }

    /// Prices `op`, which the container `after` has just run and answered with `out`.
    pub fn observe(&mut self, op: &Op, out: &Outcome, after: &Container) {
        self.ops += 1;
        let after_view = view(after);
        let changes = changes(op, &self.before, out, after);
        let cx = Ctx { op, outcome: out, changes: &changes, before: &self.before, after: &after_view, container: after };
        let mut naive = None;
        let line = op_line(op);
        // A read changes nothing on any driver: what differs is whose copy of the file the
        // kernel caches ([`read_sharing`]).
        let read = match op {
            Op::Read { path } if out.errno.is_none() => after_view.get(&crate::path::clean(path)).filter(|e| e.kind == EntryKind::File).map(|e| (crate::path::clean(path), e.clone())),
            _ => None,
        };
        for ((d, m), col) in self.models.iter_mut().zip(&mut self.columns) {
            let mut p = m.observe(&cx);
            if let Some((path, e)) = &read {
                p.said = vec![read_sharing(*d, path, e)];
            }
            let ps_size = match d.diff_size() {
                DiffSize::UpperDir => upper_dir_size(after.upper()),
                DiffSize::Naive => *naive.get_or_insert_with(|| naive_size(after)),
            };
            col.steps.push(Step { op: self.ops, bytes: p.bytes, ps_size, copied: p.copied, why: said::english(&p.said), said: p.said, line: line.clone() });
        }
        self.before = after_view;
    }

    /// The image's merged view (the container's parent).
    pub fn image(&self) -> &View {
        &self.image
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }
}

/// Whose copy of a file a read of `path` (supplied by `e`) goes through on driver `d`, and so
/// whether several containers of one image share its pages in memory (myth M27: nothing is
/// "loaded once per image"; it depends on the driver). Docker's docs: "OverlayFS supports page
/// cache sharing. Multiple containers accessing the same file share a single page cache entry
/// for that file" (overlayfs-driver.md; aufs likewise: the containers open the same lower
/// inode); "Btrfs doesn't support page cache sharing" (btrfs-driver.md: every container's
/// snapshot has inodes of its own); devicemapper loads copies of a container's files per
/// container (device-mapper-driver.md, PLAN.md M27); zfs: "The Single Copy ARC feature of ZFS
/// allows a single cached copy of a block to be shared by multiple clones" (zfs-driver.md);
/// vfs: every container is a deep copy with its own inodes.
pub fn read_sharing(d: Driver, path: &[u8], e: &Entry) -> said::Said {
    let p = crate::listing::esc(path);
    match d {
        Driver::Overlay2 | Driver::Overlay2Reflink | Driver::Aufs if e.upper => said::Said::new("why.read_upper", &[&p]),
        Driver::Overlay2 | Driver::Overlay2Reflink | Driver::Aufs => said::Said::new("why.read_lower", &[&p, &e.layer]),
        Driver::Devicemapper | Driver::Devicemapper512k | Driver::DevicemapperExt4 => said::Said::new("why.read_dm", &[&p]),
        Driver::Btrfs => said::Said::new("why.read_btrfs", &[&p]),
        Driver::Zfs => said::Said::new("why.read_zfs", &[&p]),
        Driver::Vfs => said::Said::new("why.read_vfs", &[&p]),
    }
}

/// Runs `ops` in one container over `c` (fresh) and prices them on every driver of `drivers`.
pub fn run(mut c: Container, ops: &[Op], drivers: &[Driver]) -> Vec<Column> {
    let mut d = Drivers::new(&c, drivers);
    for op in ops {
        let out = c.apply(op);
        d.observe(op, &out, &c);
    }
    d.into_columns()
}

/// The union of layer blobs another worker handed over (bottom first, tar, gzip or zstd): the
/// page's drivers worker rebuilds the container's image from what
/// [`crate::host::Host::replay_input`] gave. Indexed without verification (the page verified
/// the archive when it opened it) and without hashing contents: the models need no digest.
pub fn replay_stack(layers: Vec<crate::source::Source>) -> Result<crate::union::Stack> {
    let ar = crate::image::Archive::from_layers(layers, "the container's layers");
    let opts = crate::image::LoadOptions { verify: false, hash_compressed: false, changes: false, ..Default::default() };
    Ok(ar.load(&crate::image::Selector::Default, &opts, &mut |_| true)?.stack(None))
}

/// The container over `stack` with mount options `config`, its ops given as an OPS script,
/// on every driver of `drivers`.
pub fn replay(stack: crate::union::Stack, config: crate::container::Config, script: &[u8], drivers: &[Driver]) -> Result<Vec<Column>> {
    let ops: Vec<Op> = crate::container::ops::parse(script)?.into_iter().map(|s| s.op).collect();
    Ok(run(Container::new(stack, config), &ops, drivers))
}

/// What the ops after the first `since` cost on each driver, one line per column, as the
/// "Storage drivers" panel announces them to a lesson (L14): `overlay2: 1 MiB copied, +1 MiB
/// allocated, docker ps -s 1 MiB · WHY` (copied and allocated since op `since`; `docker ps -s`
/// and the reason of the last op). `since` past the last op (a fresh container) counts from 0.
pub fn report(columns: &[Column], since: usize) -> Vec<String> {
    columns
        .iter()
        .filter_map(|c| {
            let last = c.steps.last()?;
            let since = if since > last.op { 0 } else { since };
            let before = c.steps.iter().find(|s| s.op == since).map_or(0, |s| s.bytes);
            let copied: u64 = c.steps.iter().filter(|s| s.op > since).map(|s| s.copied).sum();
            let grown = last.bytes as i64 - before as i64;
            let alloc = if grown < 0 { format!("-{}", human(grown.unsigned_abs())) } else { format!("+{}", human(grown as u64)) };
            let why = c.steps.iter().rev().find(|s| s.op > since).map_or("", |s| s.why.as_str());
            let why = if why.is_empty() { String::new() } else { format!(" · {why}") };
            Some(format!("{}: {} copied, {alloc} allocated, docker ps -s {}{why}", c.driver.name(), human(copied), human(last.ps_size)))
        })
        .collect()
}

/// The events of an op in one sentence (how overlay-based drivers explain themselves).
pub fn events_sentence(events: &[Event]) -> String {
    let parts: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    parts.join("; ")
}

/// Bytes as people read them: `10 MiB`, `64 KiB`, `4,097 B`.
pub fn human(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests;
