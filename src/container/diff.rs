//! The layer `docker commit` would write for the container (SPEC §6).
//!
//! Rules:
//! - native (config `default`, moby overlay2 `Diff()`): the upper dir as a tar, depth first,
//!   names in byte order; a whiteout `D/NAME` becomes `D/.wh.NAME` (0600, the whiteout's
//!   owner); an opaque dir adds `D/.wh..wh..opq` (dir mode & 0777, dir owner); later names of
//!   an inode with nlink > 1 become `h` lines pointing at the first.
//! - naive (`redirect`, `metacopy`; moby `ChangesDirs` + `ExportChanges`): the merged view
//!   compared with the lower layers alone: added, modified (mode, owner, rdev, and for non-dirs
//!   size and content or target), deleted (topmost only, `f 0000 0:0` whiteout lines), and
//!   every non-root dir with a change below it. Hardlinks by merged inode, first in path order.
//! - Lines are listing lines without xattr markers or nlink; sorted by path bytes. The native
//!   diff's tar keeps the upper dir's walk order instead ([`native_entries`]).
//! - Both diffs are first built as [`DiffEntry`] values (what the tar entry is), from which
//!   the TRACE lines and `docker commit`'s layer tar are both made, so they cannot disagree.
//!
//! docker diff ([`Container::docker_diff`], the one home of this rule: the page and the docker
//! host's `docker diff` both print it). Docker 20.10 on overlay2 answers `docker diff` with
//! `Changes(rw, init)`; moby `daemon/graphdriver/overlay2/overlay.go` `Changes` calls the
//! naive driver (`graphdriver.NaiveDiffDriver.Changes` → `pkg/archive/changes.go`
//! `ChangesDirs`: the container's merged view compared with the init layer's, `addChanges`
//! listing a directory only when `statDifferent` (mode, owner, rdev; never size or mtime for a
//! directory) or something below it changed), not the native `archive.OverlayChanges`
//! (`changes_linux.go` `overlayDeletedFile`), which would print an opaque directory as `D`.
//! The docker-oracle transcripts agree with the naive walk (NOTES 13-16: `whiteouts` rmnew,
//! `opaque-dirs` recreate/emptied/replace, `mv-dir-exdev`, `copyup-*`). Over the kernel's upper
//! dir (config `default`) that walk is, with `lower` the merged lower layers:
//! 1. a whiteout is `D` of the name it hides;
//! 2. a non-directory, or a directory where `lower` has none (or a non-directory), is `C` if
//!    `lower` has the path, else `A` (a file is copied up only by a write or a metadata
//!    change, so it differs; a directory replaced by a file is `C`); a new directory's entries
//!    are all listed;
//! 3. a directory over a lower directory is `C` only if its mode or owner differs or an entry
//!    below it is listed: a directory copied up for a file made and deleted again, or made
//!    again empty (`rm -r d; mkdir d` of an empty `d`), is not listed (NOTES 14);
//! 4. an opaque directory over a lower directory adds `D` for each first-level entry of the
//!    lower directory that the upper dir does not hold again (`D /data/tree/sub`, not its
//!    children; NOTES 15).
//! Under `redirect`/`metacopy` the naive diff is computed directly (same rule).

use super::fs::D;
use super::Container;
use crate::layer::{whiteout, Content, TarEntry, TarKind};
use crate::error::Result;
use crate::digest::EMPTY_SHA16;
use crate::listing::{esc, Line, TypeChar};
use crate::path::{join, split};
use crate::tree::{Ino, Kind, Node, Tree};
use std::collections::{BTreeMap, HashMap};

/// What one entry of the container layer's diff is.
#[derive(Debug, Clone)]
pub enum DiffKind {
    /// An entry written with its own metadata and content (a copy of the node, without
    /// children for directories).
    Node(Node),
    /// A `.wh.NAME` or `.wh..wh..opq` marker: an empty regular file with this mode, owner and
    /// mtime (a whiteout's own; 0 for the opaque marker, whose header moby writes without one).
    Marker { mode: u32, uid: u32, gid: u32, mtime: i64 },
    /// A tar hardlink to the earlier entry `first` (`/`-rooted).
    Hardlink { mode: u32, uid: u32, gid: u32, mtime: i64, first: Vec<u8> },
}

/// One tar entry of the diff; `path` is `/`-rooted and already names the marker
/// (`/d/.wh.x`) for whiteouts.
#[derive(Debug, Clone)]
pub struct DiffEntry {
    pub path: Vec<u8>,
    pub kind: DiffKind,
}

impl DiffEntry {
    /// The SPEC §6 line of the entry.
    pub fn line(&self) -> Result<String> {
        Ok(match &self.kind {
            DiffKind::Node(n) => {
                let mut l = n.line(&self.path, false)?;
                l.nlink = 1;
                l.render()
            }
            DiffKind::Marker { mode, uid, gid, .. } => {
                format!("f {mode:04o} {uid}:{gid} 0 {EMPTY_SHA16} {}", esc(&self.path))
            }
            DiffKind::Hardlink { mode, uid, gid, first, .. } => {
                let mut l = Line::new(TypeChar::Hardlink, *mode, *uid, *gid, &self.path);
                l.target = Some(first);
                l.render()
            }
        })
    }

    /// The tar entry `docker commit` writes for it (relative path), with the mtimes the
    /// container's clock stamped, or every mtime set to `force` (a container without a clock).
    /// Its mode holds the `S_IF*` type bits as moby's `FileInfoHeader` writes them
    /// (`fillGo18FileTypeBits`; a hardlink keeps its file's), except on the markers, whose
    /// headers the overlay whiteout converter writes by hand (`0600`, or the dir's permissions).
    pub fn tar_entry(&self, force: Option<i64>) -> Option<TarEntry> {
        let rel = self.path.strip_prefix(b"/").unwrap_or(&self.path).to_vec();
        let mut e = match &self.kind {
            DiffKind::Node(n) => {
                let mut e = n.tar_entry(&rel)?;
                e.mode = (e.mode & 0o7777) | type_bits(&e.kind);
                e
            }
            DiffKind::Marker { mode, uid, gid, mtime } => TarEntry {
                path: rel,
                kind: TarKind::File(Content::empty()),
                mode: *mode,
                uid: *uid,
                gid: *gid,
                mtime: *mtime,
            },
            DiffKind::Hardlink { mode, uid, gid, mtime, first } => TarEntry {
                path: rel,
                kind: TarKind::Hardlink(first.strip_prefix(b"/").unwrap_or(first).to_vec()),
                mode: (*mode & 0o7777) | 0o100000,
                uid: *uid,
                gid: *gid,
                mtime: *mtime,
            },
        };
        if let Some(t) = force {
            e.mtime = t;
        }
        Some(e)
    }
}

/// The `S_IF*` bits of a tar entry's kind (Go's `c_IS*`).
fn type_bits(k: &TarKind) -> u32 {
    match k {
        TarKind::Dir => 0o040000,
        TarKind::File(_) | TarKind::Hardlink(_) => 0o100000,
        TarKind::Symlink(_) => 0o120000,
        TarKind::Char(..) => 0o020000,
        TarKind::Block(..) => 0o060000,
        TarKind::Fifo => 0o010000,
    }
}

/// A copy of a node's metadata and content, without a directory's children.
fn shallow(n: &Node) -> Node {
    let mut c = Node::new(
        match &n.kind {
            Kind::Dir(_) => Kind::Dir(Default::default()),
            k => k.clone(),
        },
        n.mode,
        n.uid,
        n.gid,
    );
    c.mtime = n.mtime;
    c.digest = n.digest;
    c.nlink = n.nlink;
    c
}

fn marker_path(path: &[u8]) -> Vec<u8> {
    let (parent, name) = split(path);
    join(parent, &whiteout::marker_name(name))
}

/// The lines of a diff, sorted by path bytes (SPEC §6).
pub fn lines(entries: &[DiffEntry]) -> Result<Vec<String>> {
    let mut sorted: Vec<&DiffEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    sorted.into_iter().map(DiffEntry::line).collect()
}

/// moby overlay2 `Diff()` of the upper dir, as lines.
pub fn native(upper: &Tree) -> Result<Vec<String>> {
    lines(&native_entries(upper))
}

/// moby overlay2 `Diff()` of the upper dir, in its tar's order: `filepath.Walk` of the upper
/// dir (depth first, names in byte order: `a`, `a/x`, `a.b`), a whiteout where its device
/// was (`d/moved` before `d/.wh.tree`), an opaque marker right after its directory.
pub fn native_entries(upper: &Tree) -> Vec<DiffEntry> {
    let mut out: Vec<DiffEntry> = Vec::new();
    let mut seen: HashMap<Ino, Vec<u8>> = HashMap::new();
    for (path, ino) in upper.walk().into_iter().skip(1) {
        let n = upper.node(ino);
        if n.is_whiteout() {
            out.push(DiffEntry { path: marker_path(&path), kind: DiffKind::Marker { mode: 0o600, uid: n.uid, gid: n.gid, mtime: n.mtime } });
            continue;
        }
        if matches!(n.kind, Kind::Socket) {
            continue;
        }
        if !n.is_dir() && n.nlink > 1 {
            if let Some(first) = seen.get(&ino) {
                let kind = DiffKind::Hardlink { mode: n.mode, uid: n.uid, gid: n.gid, mtime: n.mtime, first: first.clone() };
                out.push(DiffEntry { path: path.clone(), kind });
                continue;
            }
            seen.insert(ino, path.clone());
        }
        out.push(DiffEntry { path: path.clone(), kind: DiffKind::Node(shallow(n)) });
        if n.is_dir() && n.opaque.as_deref() == Some(&b"y"[..]) {
            let kind = DiffKind::Marker { mode: n.mode & 0o777, uid: n.uid, gid: n.gid, mtime: 0 };
            out.push(DiffEntry { path: join(&path, whiteout::OPAQUE), kind });
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum InodeId {
    Upper(Ino),
    Lower(usize, Ino),
}

enum Change {
    Add(D),
    Modify(D),
    Delete,
}

struct Naive<'a> {
    new: &'a Container,
    old: &'a Container,
    changes: Vec<(Vec<u8>, Change)>,
}

impl Naive<'_> {
    fn different(&self, o: &D, n: &D) -> Result<bool> {
        let a = self.old.dnode(o);
        let b = self.new.dnode(n);
        if std::mem::discriminant(&a.kind) != std::mem::discriminant(&b.kind)
            || a.mode != b.mode
            || a.uid != b.uid
            || a.gid != b.gid
        {
            return Ok(true);
        }
        Ok(match (&a.kind, &b.kind) {
            (Kind::Char(x, y), Kind::Char(p, q)) | (Kind::Block(x, y), Kind::Block(p, q)) => (x, y) != (p, q),
            (Kind::File(x), Kind::File(y)) => a.size() != b.size() || (!x.same(y) && a.content_digest()? != b.content_digest()?),
            (Kind::Symlink(x), Kind::Symlink(y)) => x != y,
            _ => false,
        })
    }

    fn add_changes(&mut self, path: &[u8], info: &D, old: Option<&D>, added: bool) -> Result<()> {
        let at = self.changes.len();
        let mut added = added;
        if old.is_none() {
            self.changes.push((path.to_vec(), Change::Add(info.clone())));
            added = true;
        }
        let is_dir = self.new.dnode(info).is_dir();
        let mut old_children: BTreeMap<Vec<u8>, D> = match old {
            Some(o) if is_dir && self.old.dnode(o).is_dir() => self.old.readdir(o).into_iter().collect(),
            _ => BTreeMap::new(),
        };
        if is_dir {
            for (name, nc) in self.new.readdir(info) {
                let cp = join(path, &name);
                let oc = old_children.remove(&name);
                let mut child_added = false;
                if let Some(o) = &oc {
                    if self.different(o, &nc)? {
                        self.changes.push((cp.clone(), Change::Modify(nc.clone())));
                        child_added = true;
                    }
                }
                self.add_changes(&cp, &nc, oc.as_ref(), child_added)?;
            }
        }
        for name in old_children.keys() {
            self.changes.push((join(path, name), Change::Delete));
        }
        if self.changes.len() > at && is_dir && !added && path != b"/" {
            self.changes.insert(at, (path.to_vec(), Change::Modify(info.clone())));
        }
        Ok(())
    }
}

/// moby's naive diff of the merged view against the lower layers alone (content instead of
/// mtime), as lines.
pub fn naive(c: &Container) -> Result<Vec<String>> {
    lines(&naive_entries(c)?)
}

/// moby's naive diff of the merged view against the lower layers alone (content instead of
/// mtime).
pub fn naive_entries(c: &Container) -> Result<Vec<DiffEntry>> {
    let base = Container::new(c.lower().clone(), c.config());
    let mut nv = Naive { new: c, old: &base, changes: Vec::new() };
    let root_new = c.root_d();
    let root_old = base.root_d();
    nv.add_changes(b"/", &root_new, Some(&root_old), false)?;
    let mut changes = nv.changes;
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<DiffEntry> = Vec::new();
    let mut seen: HashMap<InodeId, Vec<u8>> = HashMap::new();
    for (path, ch) in changes {
        let d = match ch {
            Change::Delete => {
                out.push(DiffEntry { path: marker_path(&path), kind: DiffKind::Marker { mode: 0, uid: 0, gid: 0, mtime: 0 } });
                continue;
            }
            Change::Add(d) | Change::Modify(d) => d,
        };
        let n = c.dnode(&d);
        if !n.is_dir() && n.nlink > 1 {
            let id = match d.upper {
                Some(u) => InodeId::Upper(u),
                None => InodeId::Lower(d.lowers[0].0, d.lowers[0].1),
            };
            if let Some(first) = seen.get(&id) {
                let kind = DiffKind::Hardlink { mode: n.mode, uid: n.uid, gid: n.gid, mtime: n.mtime, first: first.clone() };
                out.push(DiffEntry { path: path.clone(), kind });
                continue;
            }
            seen.insert(id, path.clone());
        }
        if matches!(n.kind, Kind::Socket) {
            continue;
        }
        out.push(DiffEntry { path: path.clone(), kind: DiffKind::Node(shallow(n)) });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// What `docker diff` says of one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// `A`: the path is new.
    Added,
    /// `C`: the path exists below and was changed (or a directory had a change inside).
    Changed,
    /// `D`: the path was deleted (a whiteout).
    Deleted,
}

impl ChangeKind {
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// One line of `docker diff` (`C /etc`); sorts by path, as Docker prints them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DockerChange {
    /// `/`-rooted path bytes.
    pub path: Vec<u8>,
    pub kind: ChangeKind,
}

impl std::fmt::Display for DockerChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.letter(), esc(&self.path))
    }
}

/// What the container layer holds beyond its bytes: entries that also exist below (copied
/// up), whiteouts, opaque directories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerCounts {
    pub copied: u32,
    pub whiteouts: u32,
    pub opaque: u32,
}

impl Container {
    /// `docker diff` as Docker 20.10's overlay2 driver reports it (module header, "docker
    /// diff"), sorted by path: with native diff (config `default`) Docker's rule over the upper
    /// dir; otherwise the naive comparison of the merged view with the lower layers
    /// (`ChangesDirs`), the same entries `docker commit` writes, a whiteout marker read back
    /// as `D` of the name it hides and the opaque marker dropped.
    pub fn docker_diff(&self) -> Vec<DockerChange> {
        let naive = if self.config().native_diff() { None } else { self.diff_entries().ok() };
        let Some(entries) = naive else { return self.docker_diff_native() };
        let lower = self.lower();
        let mut out = Vec::new();
        for e in entries {
            let (parent, name) = split(&e.path);
            match &e.kind {
                DiffKind::Marker { .. } if name == whiteout::OPAQUE => {}
                DiffKind::Marker { .. } if whiteout::whiteout_target(name).is_some() => {
                    let hidden = whiteout::whiteout_target(name).unwrap_or_default();
                    out.push(DockerChange { path: join(parent, hidden), kind: ChangeKind::Deleted });
                }
                _ => {
                    let found = lower.dir_stack(parent).and_then(|ds| lower.lookup_child(&ds, name)).is_some();
                    out.push(DockerChange { path: e.path.clone(), kind: if found { ChangeKind::Changed } else { ChangeKind::Added } });
                }
            }
        }
        out.sort();
        out
    }

    /// Docker's rule over the native upper dir (module header, "docker diff").
    fn docker_diff_native(&self) -> Vec<DockerChange> {
        let mut out = Vec::new();
        docker_rule(self.upper(), self.lower(), b"/", crate::tree::ROOT, &mut out);
        out.sort();
        out
    }

    /// Entries of the upper dir that also exist below, whiteouts and opaque directories.
    pub fn counts(&self) -> LayerCounts {
        let mut c = LayerCounts::default();
        let upper = self.upper();
        let lower = self.lower();
        for (path, ino) in upper.walk().into_iter().skip(1) {
            let n = upper.node(ino);
            if n.is_whiteout() {
                c.whiteouts += 1;
                continue;
            }
            if n.opaque.is_some() {
                c.opaque += 1;
            }
            let (parent, name) = split(&path);
            if lower.dir_stack(parent).and_then(|ds| lower.lookup_child(&ds, name)).is_some() {
                c.copied += 1;
            }
        }
        c
    }
}

/// Docker's `docker diff` of the upper directory `dir` (at `path`) over `lower`, appended to
/// `out` in walk order (module header, "docker diff", rules 1-4).
fn docker_rule(upper: &Tree, lower: &crate::union::Stack, path: &[u8], dir: Ino, out: &mut Vec<DockerChange>) {
    let Some(children) = upper.node(dir).children() else { return };
    let below_dirs = lower.dir_stack(path);
    for (name, &ino) in children {
        let p = join(path, name);
        let n = upper.node(ino);
        let below = below_dirs.as_ref().and_then(|ds| lower.lookup_child(ds, name)).map(|((l, i), _)| lower.node(l, i));
        if n.is_whiteout() {
            out.push(DockerChange { path: p, kind: ChangeKind::Deleted });
            continue;
        }
        let kind = if below.is_some() { ChangeKind::Changed } else { ChangeKind::Added };
        let Some(ln) = below.filter(|b| b.is_dir() && n.is_dir()) else {
            // New, or a file (a copy-up is made only for a write or a metadata change), or a
            // directory in place of a non-directory or the other way round: listed.
            out.push(DockerChange { path: p.clone(), kind });
            if n.is_dir() {
                docker_rule(upper, lower, &p, ino, out);
            }
            continue;
        };
        // A directory over a directory: listed only for a change of its own or below it.
        let at = out.len();
        if n.opaque.is_some() {
            let mut hidden = std::collections::BTreeSet::new();
            if let Some(ds) = lower.dir_stack(&p) {
                for &(l, d) in &ds {
                    for name in lower.node(l, d).children().into_iter().flat_map(|c| c.keys()) {
                        let again = children_of(upper, ino).is_some_and(|c| c.contains_key(name));
                        if !again && lower.lookup_child(&ds, name).is_some() {
                            hidden.insert(name.to_vec());
                        }
                    }
                }
            }
            out.extend(hidden.into_iter().map(|h| DockerChange { path: join(&p, &h), kind: ChangeKind::Deleted }));
        }
        docker_rule(upper, lower, &p, ino, out);
        if out.len() > at || (n.mode, n.uid, n.gid) != (ln.mode, ln.uid, ln.gid) {
            out.insert(at, DockerChange { path: p, kind: ChangeKind::Changed });
        }
    }
}

fn children_of(t: &Tree, ino: Ino) -> Option<&BTreeMap<Box<[u8]>, Ino>> {
    t.node(ino).children()
}
