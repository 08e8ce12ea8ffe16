//! Overlayfs semantics: path walk, lookup through the layers, copy-up and the op handlers.
//!
//! Rules (fs/namei.c and fs/overlayfs of Linux 6.x, checked against the recorded traces):
//! - Lookup (`ovl_lookup`): the upper dir first; an upper whiteout makes the name negative
//!   (an "opaque" negative dentry); an upper non-dir ends the lookup unless it has the metacopy
//!   xattr; an opaque upper dir ends it; a redirect xattr renames the lower lookup (absolute
//!   redirects restart from the layer roots). Lower layers are searched top down in the parent's
//!   lower stack: a whiteout ends the lookup, a non-dir below a dir ends it, an opaque dir is
//!   the last one merged.
//! - Path walk (`link_path_walk`): `.`, `..` (stays at the root), symlinks followed in the
//!   middle, at most 40 links per walk (ELOOP), trailing slashes require a directory.
//! - Copy-up (`ovl_copy_up_flags`): ancestors first, each with its lower attributes; a lower
//!   hardlink becomes a separate upper file with nlink 1; with metacopy=on a regular file
//!   copied for a metadata change only gets `metacopy` and keeps its data below.
//! - Remove (`ovl_do_remove`): a whiteout is left iff the first lower holding the name has a
//!   non-whiteout there (`ovl_lower_positive`); directories must be empty in the merged view.
//! - Create (`ovl_create_or_link`): over an upper whiteout a new dir is opaque; a new dir in a
//!   merged parent is opaque unless offline changes are allowed (config `default`).
//! - Rename (`ovl_rename`): VFS checks first (ENOENT, ENOTDIR for trailing slashes, EINVAL and
//!   ENOTEMPTY for ancestors, EISDIR/ENOTDIR for type mismatches), then EXDEV for a merged or
//!   lower dir without redirect_dir, ENOTEMPTY, copy-ups, redirect (relative in the same dir,
//!   absolute otherwise) or opaque, and a whiteout at the source if a lower has its name.

use super::events::{CopyKind, Errno, Event};
use super::files::{OpenFile, Real};
use super::ops::{FdMode, Op, Reply, Stat};
use super::Container;
use crate::path::{components, join};
use crate::tree::{Content, Ino, Kind, Node, Tree, ROOT};
use std::collections::BTreeSet;
use std::sync::Arc;

type R<T> = std::result::Result<T, Errno>;

const MAXSYMLINKS: u32 = 40;
const NAME_MAX: usize = 255;
const PATH_MAX: usize = 4096;
const REDIRECT_MAX: usize = 256;
const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;
const S_IXGRP: u32 = 0o010;

/// A dentry of the merged view: its upper inode and the lower inodes it merges (top first).
/// For a lower non-dir, `lowers` holds the one entry; for a metacopy upper file, its data.
#[derive(Debug, Clone, Default)]
pub(crate) struct D {
    pub upper: Option<Ino>,
    pub lowers: Vec<(usize, Ino)>,
    /// Negative because of a whiteout in the upper dir.
    pub upper_whiteout: bool,
}

impl D {
    pub fn positive(&self) -> bool {
        self.upper.is_some() || !self.lowers.is_empty()
    }
}

/// A resolved path: the dentries from the root (index 0) down.
type Chain = Vec<(Vec<u8>, D)>;

enum Last {
    Norm(Vec<u8>, bool),
    Dot,
    DotDot,
    Root,
}

#[derive(Clone, Copy)]
struct OpenFlags {
    write: bool,
    /// O_RDWR (a fifo opens fine); otherwise O_WRONLY when `write`.
    rdwr: bool,
    creat: bool,
    excl: bool,
    trunc: bool,
    mode: u32,
}

pub(crate) fn call_name(op: &Op) -> &'static str {
    match op {
        Op::Write { .. } | Op::Append { .. } | Op::Pwrite { .. } | Op::CreateExcl { .. } | Op::OpenRw { .. } | Op::Read { .. } => "open",
        Op::Truncate { .. } => "truncate",
        Op::Touch { .. } => "utimensat",
        Op::Mkdir { .. } => "mkdir",
        Op::Rmdir { .. } => "rmdir",
        Op::Unlink { .. } => "unlink",
        Op::Rename { .. } | Op::Mv { .. } => "rename",
        Op::RmR { .. } => "rm -r",
        Op::Link { .. } => "link",
        Op::Symlink { .. } => "symlink",
        Op::Chmod { .. } => "chmod",
        Op::Chown { .. } => "chown",
        Op::Readlink { .. } => "readlink",
        Op::Stat { .. } => "lstat",
        Op::Ls { .. } => "readdir",
        Op::FdOpen { .. } => "open",
        Op::FdRead { .. } => "read",
        Op::FdWrite { .. } => "write",
        Op::FdClose { .. } => "close",
    }
}

fn chain_path(chain: &Chain) -> Vec<u8> {
    if chain.len() <= 1 {
        return b"/".to_vec();
    }
    let mut p = Vec::new();
    for (name, _) in &chain[1..] {
        p.push(b'/');
        p.extend_from_slice(name);
    }
    p
}

fn is_opaque(n: &Node) -> bool {
    n.opaque.as_deref() == Some(&b"y"[..])
}

/// `inode_permission` masks.
const MAY_EXEC: u32 = 1;
const MAY_WRITE: u32 = 2;
const MAY_READ: u32 = 4;

impl Container {
    // ------------------------------------------------------------------ permissions

    /// `generic_permission`: root passes (a file to execute would still need an x bit, which
    /// no op here asks); anyone else gets the owner's, the group's (primary or supplementary)
    /// or the others' bits of the entry's mode. EACCES otherwise.
    fn may(&self, d: &D, mask: u32) -> R<()> {
        let Some(c) = &self.cred else { return Ok(()) };
        if !d.positive() {
            return Ok(());
        }
        let n = self.dnode(d);
        let bits = if c.uid == n.uid {
            n.mode >> 6
        } else if c.gid == n.gid || c.groups.contains(&n.gid) {
            n.mode >> 3
        } else {
            n.mode
        } & 7;
        if bits & mask == mask {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// `inode_owner_or_capable`: root or the entry's owner.
    fn owns(&self, d: &D) -> bool {
        self.cred.as_ref().is_none_or(|c| !d.positive() || self.dnode(d).uid == c.uid)
    }

    /// `may_delete`: write and search on the parent; in a sticky parent, only the entry's or
    /// the parent's owner (EPERM).
    fn may_delete(&self, parent: &D, victim: &D) -> R<()> {
        self.may(parent, MAY_WRITE | MAY_EXEC)?;
        if let Some(c) = &self.cred {
            let p = self.dnode(parent);
            if p.mode & 0o1000 != 0 && p.uid != c.uid && victim.positive() && self.dnode(victim).uid != c.uid {
                return Err(Errno::EPERM);
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ nodes and lookup

    fn up(&mut self) -> &mut Tree {
        Arc::make_mut(&mut self.upper)
    }

    /// Removes `name` from the upper dir `dir`, keeping the byte count right: file data is
    /// freed when its last link goes (a subtree's inner links count as going too).
    fn up_remove(&mut self, dir: Ino, name: &[u8]) {
        let Some(ino) = self.upper.child(dir, name) else { return };
        let mut refs: std::collections::HashMap<Ino, u32> = std::collections::HashMap::new();
        let mut stack = vec![ino];
        while let Some(i) = stack.pop() {
            *refs.entry(i).or_insert(0) += 1;
            if let Some(c) = self.upper.node(i).children() {
                stack.extend(c.values().copied());
            }
        }
        let freed: u64 = refs
            .iter()
            .map(|(&i, &k)| (self.upper.node(i), k))
            .filter(|(n, k)| !n.is_dir() && !n.metacopy && n.nlink <= *k)
            .map(|(n, _)| n.size())
            .sum();
        self.live_bytes -= freed;
        // An open file outlives its last name ([`super::files`]): held by one more link while
        // the tree lets go of the names, so its data stays until it is closed ([`Self::close`]).
        let open = self.open_upper();
        open.iter().for_each(|&u| self.up().node_mut(u).nlink += 1);
        self.up().remove(dir, name);
        open.iter().for_each(|&u| self.up().node_mut(u).nlink -= 1);
    }

    /// The container-layer inodes open descriptors refer to.
    fn open_upper(&self) -> Vec<Ino> {
        self.files.values().filter_map(|f| if let Real::Upper(u) = f.real { Some(u) } else { None }).collect()
    }

    /// `close(fd)`: the last descriptor of a file with no name left frees its data.
    fn close(&mut self, fd: u32) -> R<()> {
        let f = self.files.remove(&fd).ok_or(Errno::EBADF)?;
        if let Real::Upper(u) = f.real {
            if self.upper.node(u).nlink == 0 && !self.open_upper().contains(&u) && !self.upper.node(u).is_dir() {
                self.up().node_mut(u).kind = Kind::Fifo;
            }
        }
        Ok(())
    }

    /// The node that supplies a positive dentry's attributes.
    pub(crate) fn dnode(&self, d: &D) -> &Node {
        match d.upper {
            Some(u) => self.upper.node(u),
            None => {
                let (l, i) = d.lowers[0];
                self.lower.node(l, i)
            }
        }
    }

    pub(crate) fn root_d(&self) -> D {
        D { upper: Some(ROOT), lowers: (0..self.lower.layers.len()).rev().map(|l| (l, ROOT)).collect(), upper_whiteout: false }
    }

    fn root_chain(&self) -> Chain {
        vec![(Vec::new(), self.root_d())]
    }

    /// Walks an absolute redirect inside one lower layer: (entry, stop after this layer).
    fn lower_abs(&self, layer: usize, path: &[u8]) -> (Option<Ino>, bool) {
        let t = &self.lower.layers[layer];
        let comps: Vec<&[u8]> = components(path).collect();
        let mut cur = ROOT;
        let mut stop = false;
        for (i, c) in comps.iter().enumerate() {
            let last = i + 1 == comps.len();
            let Some(ino) = t.child(cur, c) else { return (None, stop) };
            let n = t.node(ino);
            if !last {
                if n.is_whiteout() || !n.is_dir() {
                    return (None, true);
                }
                if is_opaque(n) {
                    stop = true;
                }
            }
            cur = ino;
        }
        (Some(cur), stop)
    }

    /// `ovl_lookup` of `name` in the directory dentry `parent`.
    pub(crate) fn lookup(&self, parent: &D, name: &[u8]) -> D {
        let mut d = D::default();
        let mut is_dir = false;
        let mut redirect: Option<Vec<u8>> = None;
        if let Some(pu) = parent.upper {
            if let Some(ino) = self.upper.child(pu, name) {
                let n = self.upper.node(ino);
                if n.is_whiteout() {
                    d.upper_whiteout = true;
                    return d;
                }
                d.upper = Some(ino);
                match &n.kind {
                    Kind::Dir(_) => {
                        if is_opaque(n) {
                            return d;
                        }
                        is_dir = true;
                    }
                    Kind::File(_) if n.metacopy => {}
                    _ => return d,
                }
                redirect = n.redirect.as_ref().map(|r| r.to_vec());
            }
        }
        let abs = redirect.as_ref().filter(|r| r.starts_with(b"/")).cloned();
        let lname: &[u8] = match &redirect {
            Some(r) if abs.is_none() => r,
            _ => name,
        };
        let roots: Vec<(usize, Ino)>;
        let stack: &[(usize, Ino)] = if abs.is_some() {
            roots = (0..self.lower.layers.len()).rev().map(|l| (l, ROOT)).collect();
            &roots
        } else {
            &parent.lowers
        };
        for &(layer, pdir) in stack {
            let (found, stop_after) = match &abs {
                Some(p) => self.lower_abs(layer, p),
                None => (self.lower.layers[layer].child(pdir, lname), false),
            };
            let Some(ino) = found else {
                if stop_after {
                    break;
                }
                continue;
            };
            let n = self.lower.node(layer, ino);
            if n.is_whiteout() {
                break;
            }
            if n.is_dir() {
                if d.upper.is_some() && !is_dir {
                    break;
                }
                is_dir = true;
                d.lowers.push((layer, ino));
                if is_opaque(n) || stop_after {
                    break;
                }
            } else {
                if is_dir {
                    break;
                }
                d.lowers.push((layer, ino));
                break;
            }
        }
        d
    }

    /// A lookup the VFS makes through `->lookup`: names over NAME_MAX fail.
    fn lookup_last(&self, parent: &D, name: &[u8]) -> R<D> {
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        self.may(parent, MAY_EXEC)?;
        Ok(self.lookup(parent, name))
    }

    /// Re-resolves every dentry of a chain from the root (after the upper dir changed).
    fn refresh(&self, chain: &mut Chain) {
        let mut d = self.root_d();
        chain[0].1 = d.clone();
        for (name, slot) in chain.iter_mut().skip(1) {
            d = self.lookup(&d, name);
            *slot = d.clone();
        }
    }

    /// The names in a merged directory (readdir without `.` and `..`), sorted by bytes.
    pub(crate) fn readdir(&self, d: &D) -> Vec<(Vec<u8>, D)> {
        self.readdir_raw(d).into_iter().filter(|(_, c)| c.positive()).collect()
    }

    /// What `getdents` returns: a directory that is neither merged nor copied up (one lower
    /// layer, no upper) is read directly, whiteouts included (`ovl_dir_is_real`); those names
    /// come back negative.
    pub(crate) fn readdir_raw(&self, d: &D) -> Vec<(Vec<u8>, D)> {
        if d.upper.is_none() && d.lowers.len() == 1 {
            let (l, i) = d.lowers[0];
            let Some(c) = self.lower.node(l, i).children() else { return Vec::new() };
            return c.keys().map(|n| (n.to_vec(), self.lookup(d, n))).collect();
        }
        let mut names: BTreeSet<&[u8]> = BTreeSet::new();
        if let Some(u) = d.upper {
            if let Some(c) = self.upper.node(u).children() {
                names.extend(c.keys().map(|k| &k[..]));
            }
        }
        for &(l, i) in &d.lowers {
            if let Some(c) = self.lower.node(l, i).children() {
                names.extend(c.keys().map(|k| &k[..]));
            }
        }
        names
            .into_iter()
            .filter_map(|n| {
                let c = self.lookup(d, n);
                c.positive().then(|| (n.to_vec(), c))
            })
            .collect()
    }

    /// Every entry of the merged view, root first then by path bytes.
    pub(crate) fn merged_entries(&self) -> Vec<(Vec<u8>, D)> {
        let mut out = vec![(b"/".to_vec(), self.root_d())];
        let mut i = 0;
        while i < out.len() {
            let (p, d) = out[i].clone();
            if self.dnode(&d).is_dir() {
                for (name, c) in self.readdir(&d) {
                    out.push((join(&p, &name), c));
                }
            }
            i += 1;
        }
        out[1..].sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn merged_empty(&self, d: &D) -> bool {
        self.readdir(d).is_empty()
    }

    fn pure_upper(d: &D) -> bool {
        d.upper.is_some() && d.lowers.is_empty()
    }

    /// `ovl_type_merge_or_lower`.
    fn merge_or_lower(&self, d: &D) -> bool {
        match d.upper {
            None => true,
            Some(u) => {
                let n = self.upper.node(u);
                (n.is_dir() && !d.lowers.is_empty()) || (!n.is_dir() && n.metacopy && !d.lowers.is_empty())
            }
        }
    }

    /// `ovl_lower_positive`.
    fn lower_positive(&self, parent: &D, name: &[u8], d: &D) -> bool {
        if !d.positive() {
            return d.upper_whiteout;
        }
        if d.upper.is_none() {
            return true;
        }
        for &(l, pdir) in &parent.lowers {
            if let Some(i) = self.lower.layers[l].child(pdir, name) {
                return !self.lower.node(l, i).is_whiteout();
            }
        }
        false
    }

    /// The lower layer whose entry a whiteout at `name` hides.
    fn hidden_layer(&self, parent: &D, name: &[u8]) -> Option<usize> {
        parent.lowers.iter().find(|&&(l, pdir)| self.lower.layers[l].child(pdir, name).is_some()).map(|x| x.0)
    }

    /// The overlay inode identity (for `rename` onto the same inode).
    fn same_inode(&self, a: &D, b: &D) -> bool {
        match (a.upper, b.upper) {
            (Some(x), Some(y)) => x == y,
            (None, None) => {
                let (la, ia) = a.lowers[0];
                let n = self.lower.node(la, ia);
                a.lowers[0] == b.lowers[0] && (n.is_dir() || n.nlink <= 1)
            }
            _ => false,
        }
    }

    // ------------------------------------------------------------------ path walk

    fn walk_parent(&self, mut chain: Chain, path: &[u8], links: &mut u32) -> R<(Chain, Last)> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path[0] == b'/' {
            chain.truncate(1);
        }
        let comps: Vec<&[u8]> = components(path).collect();
        let Some((last, mid)) = comps.split_last() else { return Ok((chain, Last::Root)) };
        for c in mid {
            chain = self.step(chain, c, links)?;
        }
        let l = match *last {
            b"." => Last::Dot,
            b".." => Last::DotDot,
            _ => Last::Norm(last.to_vec(), path.ends_with(b"/")),
        };
        Ok((chain, l))
    }

    fn step(&self, mut chain: Chain, comp: &[u8], links: &mut u32) -> R<Chain> {
        match comp {
            b"." => {}
            b".." => {
                if chain.len() > 1 {
                    chain.pop();
                }
            }
            name => {
                if name.len() > NAME_MAX {
                    return Err(Errno::ENAMETOOLONG);
                }
                self.may(&chain.last().expect("chain has a root").1, MAY_EXEC)?;
                let d = self.lookup(&chain.last().expect("chain has a root").1, name);
                if !d.positive() {
                    return Err(Errno::ENOENT);
                }
                let n = self.dnode(&d);
                if let Kind::Symlink(t) = &n.kind {
                    *links += 1;
                    if *links > MAXSYMLINKS {
                        return Err(Errno::ELOOP);
                    }
                    let t = t.to_vec();
                    return self.resolve_in(chain, &t, true, true, links);
                }
                if !n.is_dir() {
                    return Err(Errno::ENOTDIR);
                }
                chain.push((name.to_vec(), d));
            }
        }
        Ok(chain)
    }

    fn finish_dots(chain: &mut Chain, last: &Last) {
        if let Last::DotDot = last {
            if chain.len() > 1 {
                chain.pop();
            }
        }
    }

    fn resolve_in(&self, chain: Chain, path: &[u8], follow: bool, must_dir: bool, links: &mut u32) -> R<Chain> {
        let (mut chain, last) = self.walk_parent(chain, path, links)?;
        let (name, trailing) = match last {
            Last::Norm(n, t) => (n, t),
            other => {
                Self::finish_dots(&mut chain, &other);
                return Ok(chain);
            }
        };
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        self.may(&chain.last().expect("root").1, MAY_EXEC)?;
        let d = self.lookup(&chain.last().expect("root").1, &name);
        if !d.positive() {
            return Err(Errno::ENOENT);
        }
        let n = self.dnode(&d);
        if let Kind::Symlink(t) = &n.kind {
            if follow || trailing {
                *links += 1;
                if *links > MAXSYMLINKS {
                    return Err(Errno::ELOOP);
                }
                let t = t.to_vec();
                return self.resolve_in(chain, &t, true, must_dir || trailing, links);
            }
        }
        if (must_dir || trailing) && !n.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        chain.push((name, d));
        Ok(chain)
    }

    /// Resolves a path to an existing entry.
    fn resolve(&self, path: &[u8], follow: bool, must_dir: bool) -> R<Chain> {
        let mut links = 0;
        self.resolve_in(self.root_chain(), path, follow, must_dir, &mut links)
    }

    /// `filename_create`: the parent chain and the new name, which must not exist.
    fn create_target(&self, path: &[u8], want_dir: bool) -> R<(Chain, Vec<u8>, D)> {
        let mut links = 0;
        let (chain, last) = self.walk_parent(self.root_chain(), path, &mut links)?;
        let Last::Norm(name, trailing) = last else { return Err(Errno::EEXIST) };
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        self.may(&chain.last().expect("root").1, MAY_EXEC)?;
        let d = self.lookup(&chain.last().expect("root").1, &name);
        if d.positive() {
            return Err(Errno::EEXIST);
        }
        if trailing && !want_dir {
            return Err(Errno::ENOENT);
        }
        // may_create
        self.may(&chain.last().expect("root").1, MAY_WRITE | MAY_EXEC)?;
        Ok((chain, name, d))
    }

    // ------------------------------------------------------------------ copy-up

    /// Copies up every dentry of `chain` that is not upper yet, ancestors first. The last one
    /// gets a metadata-only copy if `meta_ok` and metacopy=on; an existing metacopy file gets
    /// its data if `!meta_ok`.
    fn copy_up(&mut self, chain: &mut Chain, meta_ok: bool) {
        let n = chain.len();
        for i in 1..n {
            let last = i + 1 == n;
            if let Some(u) = chain[i].1.upper {
                if last && !meta_ok && self.upper.node(u).metacopy {
                    let size = self.upper.node(u).size();
                    let layer = chain[i].1.lowers.first().map(|x| x.0).unwrap_or(0);
                    self.up().node_mut(u).metacopy = false;
                    self.live_bytes += size;
                    self.log.push(Event::CopyUp { path: chain_path(&chain[..=i].to_vec()), layer, bytes: size, kind: CopyKind::DataOnly, dir: false });
                }
                continue;
            }
            let (layer, lino) = chain[i].1.lowers[0];
            let src = self.lower.node(layer, lino);
            let dir = src.is_dir();
            let kind = match &src.kind {
                Kind::Dir(_) => Kind::Dir(Default::default()),
                k => k.clone(),
            };
            let mut node = Node::new(kind, src.mode, src.uid, src.gid);
            node.mtime = src.mtime;
            node.digest = src.digest;
            let is_file = matches!(node.kind, Kind::File(_));
            let meta = last && meta_ok && is_file && self.config.metacopy();
            node.metacopy = meta;
            let bytes = if is_file && !meta { node.size() } else { 0 };
            let pu = chain[i - 1].1.upper.expect("parents are copied up first");
            let name = chain[i].0.clone();
            let nlink = self.lower.node(layer, lino).nlink;
            let ino = self.up().insert(pu, &name, node);
            self.live_bytes += bytes;
            chain[i].1.upper = Some(ino);
            let path = chain_path(&chain[..=i].to_vec());
            // Descriptors open on this overlay inode now read and write the copy.
            for f in self.files.values_mut().filter(|f| f.follows_copy_up(layer, lino, nlink, &path)) {
                f.real = Real::Upper(ino);
            }
            let kind = if meta { CopyKind::MetadataOnly } else { CopyKind::Full };
            self.log.push(Event::CopyUp { path, layer, bytes, kind, dir });
        }
    }

    // ------------------------------------------------------------------ creation

    /// Creates `node` as `name` in the directory at the end of `parent` (copied up first).
    fn create(&mut self, parent: &mut Chain, name: &[u8], neg: &D, mut node: Node) -> Ino {
        self.copy_up(parent, true);
        let pd = parent.last().expect("root").1.clone();
        let pu = pd.upper.expect("parent copied up");
        let pn = self.upper.node(pu);
        node.uid = self.cred.as_ref().map_or(0, |c| c.uid);
        node.gid = self.cred.as_ref().map_or(0, |c| c.gid);
        if pn.mode & S_ISGID != 0 {
            node.gid = pn.gid;
            if node.is_dir() {
                node.mode |= S_ISGID;
            }
        }
        let is_dir = node.is_dir();
        let path = join(&chain_path(parent), name);
        let what = match node.kind {
            Kind::Dir(_) => "directory",
            Kind::File(_) => "file",
            Kind::Symlink(_) => "symlink",
            Kind::Fifo => "fifo",
            Kind::Socket => "socket",
            _ => "device",
        };
        let mut opaque = false;
        if neg.upper_whiteout {
            self.up_remove(pu, name);
            opaque = is_dir;
        } else if is_dir && !pd.lowers.is_empty() && !self.config.allow_offline_changes() {
            opaque = true;
        }
        if opaque {
            node.opaque = Some(Box::from(&b"y"[..]));
        }
        node.mtime = self.now;
        self.up().node_mut(pu).mtime = self.now;
        let ino = self.up().insert(pu, name, node);
        self.log.push(Event::Created { path: path.clone(), what });
        if opaque {
            self.log.push(Event::OpaqueSet { path });
        }
        ino
    }

    // ------------------------------------------------------------------ open

    /// `open(2)`: returns the chain of the opened entry, or the errno.
    fn open(&mut self, path: &[u8], f: OpenFlags) -> R<Chain> {
        let mut links = 0;
        let (mut chain, mut last) = self.walk_parent(self.root_chain(), path, &mut links)?;
        // A trailing slash sets LOOKUP_DIRECTORY for the rest of the walk, through symlinks.
        let mut must_dir = false;
        loop {
            let (name, trailing) = match last {
                Last::Norm(n, t) => (n, t),
                other => {
                    // do_open: O_EXCL without a creation is EEXIST before the dir check.
                    if f.creat && f.excl {
                        return Err(Errno::EEXIST);
                    }
                    if f.creat || f.write {
                        return Err(Errno::EISDIR);
                    }
                    Self::finish_dots(&mut chain, &other);
                    return Ok(chain);
                }
            };
            if f.creat && trailing {
                return Err(Errno::EISDIR);
            }
            if name.len() > NAME_MAX {
                return Err(Errno::ENAMETOOLONG);
            }
            self.may(&chain.last().expect("root").1, MAY_EXEC)?;
            let d = self.lookup(&chain.last().expect("root").1, &name);
            if !d.positive() {
                if !f.creat {
                    return Err(Errno::ENOENT);
                }
                // may_o_create
                self.may(&chain.last().expect("root").1, MAY_WRITE | MAY_EXEC)?;
                let node = Node::new(Kind::File(Content::empty()), f.mode, 0, 0);
                self.create(&mut chain, &name, &d, node);
                self.refresh(&mut chain);
                let d = self.lookup(&chain.last().expect("root").1, &name);
                chain.push((name, d));
                return Ok(chain);
            }
            if f.creat && f.excl {
                return Err(Errno::EEXIST);
            }
            let n = self.dnode(&d);
            if let Kind::Symlink(t) = &n.kind {
                links += 1;
                if links > MAXSYMLINKS {
                    return Err(Errno::ELOOP);
                }
                must_dir |= trailing;
                let t = t.to_vec();
                let (c, l) = self.walk_parent(chain, &t, &mut links)?;
                chain = c;
                last = l;
                continue;
            }
            if (trailing || must_dir) && !n.is_dir() {
                return Err(Errno::ENOTDIR);
            }
            let is_dir = n.is_dir();
            let kind = n.kind.clone();
            if is_dir && (f.creat || f.write) {
                return Err(Errno::EISDIR);
            }
            // may_open: the access the flags ask for
            let want = if f.rdwr {
                MAY_READ | MAY_WRITE
            } else if f.write || f.trunc {
                MAY_WRITE
            } else {
                MAY_READ
            };
            self.may(&d, want)?;
            chain.push((name, d));
            if is_dir {
                return Ok(chain);
            }
            match kind {
                Kind::Char(..) | Kind::Block(..) => return Err(Errno::EACCES),
                Kind::Fifo if f.write && !f.rdwr => return Err(Errno::ENXIO),
                Kind::Socket => return Err(Errno::ENXIO),
                Kind::File(_) if f.write || f.trunc => {
                    self.copy_up(&mut chain, false);
                    if f.trunc {
                        let u = chain.last().expect("file").1.upper.expect("copied up");
                        self.set_content(u, Vec::new());
                    }
                }
                _ => {}
            }
            return Ok(chain);
        }
    }

    /// Whether the upper dir's in-memory file bytes can grow by `growth` (MAX_UPPER_SIZE).
    /// `live_bytes` (st_size of live upper files) bounds them from above, so the scan runs only
    /// near the limit, or while an open file has no name left (its bytes are not in
    /// `live_bytes`; the scan counts every inode holding bytes).
    fn room_for(&self, growth: u64) -> bool {
        // Files open with no name left hold bytes `live_bytes` does not count.
        let orphans = self.open_upper().iter().any(|&u| self.upper.node(u).nlink == 0);
        if !orphans && self.live_bytes.saturating_add(growth) <= super::MAX_UPPER_SIZE {
            return true;
        }
        let in_memory: u64 = self
            .upper
            .nodes
            .iter()
            .map(|n| match &n.kind {
                Kind::File(Content::Bytes(b)) => b.len() as u64,
                _ => 0,
            })
            .sum();
        in_memory.saturating_add(growth) <= super::MAX_UPPER_SIZE
    }

    fn set_content(&mut self, u: Ino, data: Vec<u8>) {
        let old = self.upper.node(u);
        if old.nlink > 0 && !old.metacopy {
            self.live_bytes = self.live_bytes - old.size() + data.len() as u64;
        }
        let now = self.now;
        let n = self.up().node_mut(u);
        n.mtime = now;
        n.digest = None;
        n.kind = Kind::File(Content::Bytes(Arc::from(data)));
    }

    fn content_of(&self, d: &D) -> R<Vec<u8>> {
        match &self.dnode(d).kind {
            Kind::File(c) => c.read().map_err(|_| Errno::EIO),
            _ => Ok(Vec::new()),
        }
    }

    fn open_write(&mut self, path: &[u8], text: &[u8], trunc: bool, excl: bool, append: bool) -> R<()> {
        let chain = self.open(path, OpenFlags { write: true, rdwr: false, creat: true, excl, trunc, mode: 0o644 })?;
        if text.is_empty() {
            return Ok(());
        }
        let d = chain.last().expect("file").1.clone();
        let Some(u) = d.upper else { return Ok(()) };
        if !matches!(self.upper.node(u).kind, Kind::File(_)) {
            return Ok(()); // a fifo opened for reading never gets here; writes to others are no-ops
        }
        let mut data = self.content_of(&d)?;
        let old_len = if append { data.len() } else { 0 };
        if (old_len + text.len()) as u64 > super::MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let new_len = if append { old_len + text.len() } else { text.len().max(data.len()) };
        if !self.room_for((new_len - data.len()) as u64) {
            return Err(Errno::ENOSPC);
        }
        if append {
            data.extend_from_slice(text);
        } else {
            // O_WRONLY without O_APPEND writes at offset 0 over the existing bytes.
            let n = text.len().min(data.len());
            data[..n].copy_from_slice(&text[..n]);
            if text.len() > n {
                data.extend_from_slice(&text[n..]);
            }
        }
        let size = data.len() as u64;
        self.set_content(u, data);
        self.log.push(Event::Written { path: chain_path(&chain), size });
        Ok(())
    }

    /// `open(PATH, O_WRONLY|O_CREAT, 0644)`, `pwrite(fd, TEXT, OFFSET)` (no call if TEXT is
    /// empty), `close`: the open copies the whole file up, then the bytes land at OFFSET, the
    /// gap below it (if the file was shorter) reading as zeros.
    fn pwrite(&mut self, path: &[u8], offset: u64, text: &[u8]) -> R<()> {
        let chain = self.open(path, OpenFlags { write: true, rdwr: false, creat: true, excl: false, trunc: false, mode: 0o644 })?;
        if text.is_empty() {
            return Ok(());
        }
        let d = chain.last().expect("file").1.clone();
        let Some(u) = d.upper else { return Ok(()) };
        if !matches!(self.upper.node(u).kind, Kind::File(_)) {
            return Ok(());
        }
        let data = self.content_of(&d)?;
        let size = self.write_at(u, data, offset, text)?;
        self.log.push(Event::Written { path: chain_path(&chain), size });
        Ok(())
    }

    /// `pwrite(2)` into the container-layer file `u`, whose bytes are `data`: `text` lands at
    /// `off`, a hole below it (if the file was shorter) reading as zeros. Returns the new size.
    fn write_at(&mut self, u: Ino, mut data: Vec<u8>, off: u64, text: &[u8]) -> R<u64> {
        let end = off.saturating_add(text.len() as u64);
        if end > super::MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        if !self.room_for(end.saturating_sub(data.len() as u64)) {
            return Err(Errno::ENOSPC);
        }
        let (o, e) = (off as usize, end as usize);
        if data.len() < e {
            data.resize(e, 0);
        }
        data[o..e].copy_from_slice(text);
        let size = data.len() as u64;
        self.set_content(u, data);
        Ok(size)
    }

    pub(crate) fn read_path(&self, path: &[u8]) -> R<Vec<u8>> {
        let chain = self.resolve(path, true, false)?;
        let d = &chain.last().expect("entry").1;
        // open(O_RDONLY) first
        if !matches!(self.dnode(d).kind, Kind::Char(..) | Kind::Block(..) | Kind::Socket) {
            self.may(d, MAY_READ)?;
        }
        match &self.dnode(d).kind {
            Kind::Dir(_) => Err(Errno::EISDIR),
            Kind::Char(..) | Kind::Block(..) => Err(Errno::EACCES),
            Kind::Socket => Err(Errno::ENXIO),
            Kind::Fifo => Ok(Vec::new()),
            Kind::File(_) => self.content_of(d),
            Kind::Symlink(_) => Err(Errno::ELOOP),
        }
    }

    // ------------------------------------------------------------------ ops

    pub(crate) fn run_op(&mut self, op: &Op) -> R<Reply> {
        // getname(): every path (and a symlink's target) must fit in PATH_MAX with its NUL.
        let args: Vec<&[u8]> = match op {
            Op::Rename { src, dst } | Op::Mv { src, dst } | Op::Link { src, dst } => vec![src, dst],
            Op::Symlink { target, path } => vec![target, path],
            Op::Write { path, .. }
            | Op::Append { path, .. }
            | Op::Pwrite { path, .. }
            | Op::CreateExcl { path, .. }
            | Op::OpenRw { path }
            | Op::Read { path }
            | Op::Truncate { path, .. }
            | Op::Touch { path }
            | Op::Mkdir { path }
            | Op::Rmdir { path }
            | Op::Unlink { path }
            | Op::RmR { path }
            | Op::Chmod { path, .. }
            | Op::Chown { path, .. }
            | Op::Readlink { path }
            | Op::Stat { path }
            | Op::Ls { path }
            | Op::FdOpen { path, .. } => vec![path],
            Op::FdRead { .. } | Op::FdWrite { .. } | Op::FdClose { .. } => vec![],
        };
        for a in args {
            if a.is_empty() {
                return Err(Errno::ENOENT);
            }
            if a.len() >= PATH_MAX {
                return Err(Errno::ENAMETOOLONG);
            }
        }
        match op {
            Op::Write { path, text } => self.open_write(path, text, true, false, false).map(|_| Reply::Ok),
            Op::Append { path, text } => self.open_write(path, text, false, false, true).map(|_| Reply::Ok),
            Op::Pwrite { path, offset, text } => self.pwrite(path, *offset, text).map(|_| Reply::Ok),
            Op::CreateExcl { path, text } => self.open_write(path, text, false, true, false).map(|_| Reply::Ok),
            Op::OpenRw { path } => self
                .open(path, OpenFlags { write: true, rdwr: true, creat: false, excl: false, trunc: false, mode: 0 })
                .map(|_| Reply::Ok),
            Op::Read { path } => self.read_path(path).map(Reply::Read),
            Op::Truncate { path, size } => self.truncate(path, *size).map(|_| Reply::Ok),
            Op::Touch { path } => self.touch(path).map(|_| Reply::Ok),
            Op::Mkdir { path } => self.mkdir(path, 0o755).map(|_| Reply::Ok),
            Op::Rmdir { path } => self.rmdir(path).map(|_| Reply::Ok),
            Op::Unlink { path } => self.unlink(path).map(|_| Reply::Ok),
            Op::Rename { src, dst } => self.rename(src, dst).map(|_| Reply::Ok),
            Op::Mv { src, dst } => self.mv(src, dst).map(|_| Reply::Ok),
            Op::RmR { path } => self.rm_r(path).map(|_| Reply::Ok),
            Op::Link { src, dst } => self.link(src, dst).map(|_| Reply::Ok),
            Op::Symlink { target, path } => self.symlink(target, path).map(|_| Reply::Ok),
            Op::Chmod { mode, path } => self.chmod(path, *mode, true).map(|_| Reply::Ok),
            Op::Chown { uid, gid, path } => self.chown(path, *uid, *gid, true).map(|_| Reply::Ok),
            Op::Readlink { path } => {
                let chain = self.resolve(path, false, false)?;
                match &self.dnode(&chain.last().expect("entry").1).kind {
                    Kind::Symlink(t) => Ok(Reply::Readlink(t.to_vec())),
                    _ => Err(Errno::EINVAL),
                }
            }
            Op::Stat { path } => {
                let chain = self.resolve(path, false, false)?;
                // A lower file whose bytes cannot be digested: the line cannot be printed.
                let st = Stat::of(self.dnode(&chain.last().expect("entry").1), path).map_err(|_| Errno::EACCES)?;
                Ok(Reply::Stat(st))
            }
            Op::Ls { path } => {
                let chain = self.resolve(path, true, true)?;
                self.may(&chain.last().expect("dir").1, MAY_READ)?;
                let names = self.readdir_raw(&chain.last().expect("dir").1).into_iter().map(|(name, _)| name).collect();
                Ok(Reply::Ls(names))
            }
            Op::FdOpen { fd, mode, path } => self.fd_open(*fd, *mode, path).map(|_| Reply::Ok),
            Op::FdRead { fd, size } => self.fd_read(*fd, *size).map(Reply::Data),
            Op::FdWrite { fd, text } => self.fd_write(*fd, text).map(|_| Reply::Ok),
            Op::FdClose { fd } => self.close(*fd).map(|_| Reply::Ok),
        }
    }

    // ------------------------------------------------------------------ open descriptors

    /// `open(PATH, flags of MODE)` kept as descriptor `fd` ([`files`] rules).
    fn fd_open(&mut self, fd: u32, mode: FdMode, path: &[u8]) -> R<()> {
        let f = match mode {
            FdMode::Read => OpenFlags { write: false, rdwr: false, creat: false, excl: false, trunc: false, mode: 0o644 },
            FdMode::Write => OpenFlags { write: true, rdwr: false, creat: true, excl: false, trunc: true, mode: 0o644 },
            FdMode::Append => OpenFlags { write: true, rdwr: false, creat: true, excl: false, trunc: false, mode: 0o644 },
            FdMode::ReadWrite => OpenFlags { write: true, rdwr: true, creat: true, excl: false, trunc: false, mode: 0o644 },
        };
        let chain = self.open(path, f)?;
        let d = &chain.last().expect("entry").1;
        let real = match d.upper {
            Some(u) => Real::Upper(u),
            None => Real::Lower(d.lowers[0].0, d.lowers[0].1),
        };
        // dup2 onto `fd`: whatever was open as `fd` is closed.
        let _ = self.close(fd);
        self.files.insert(fd, OpenFile { real, path: chain_path(&chain), mode, pos: 0 });
        Ok(())
    }

    fn real_node(&self, real: Real) -> &Node {
        match real {
            Real::Upper(u) => self.upper.node(u),
            Real::Lower(l, i) => self.lower.node(l, i),
        }
    }

    /// `read(fd, size)` at the descriptor's offset.
    fn fd_read(&mut self, fd: u32, size: u64) -> R<Vec<u8>> {
        let f = self.files.get(&fd).filter(|f| f.mode.reads()).ok_or(Errno::EBADF)?;
        let data = match &self.real_node(f.real).kind {
            Kind::Dir(_) => return Err(Errno::EISDIR),
            Kind::File(c) => c.read_at(f.pos, size.min(super::MAX_FILE_SIZE)).map_err(|_| Errno::EIO)?,
            _ => Vec::new(),
        };
        if let Some(f) = self.files.get_mut(&fd) {
            f.pos += data.len() as u64;
        }
        Ok(data)
    }

    /// `write(fd, text)` in full (no call when `text` is empty), at the offset (at the end for
    /// `>>`); the descriptor was opened for writing, so its file is in the container layer.
    fn fd_write(&mut self, fd: u32, text: &[u8]) -> R<()> {
        // No call for an empty TEXT, as the `write` op (SPEC §3): nothing to check either.
        if text.is_empty() {
            return Ok(());
        }
        let f = self.files.get(&fd).filter(|f| f.mode.writes()).ok_or(Errno::EBADF)?.clone();
        let Real::Upper(u) = f.real else { return Err(Errno::EBADF) };
        let data = match &self.upper.node(u).kind {
            Kind::File(c) => c.read().map_err(|_| Errno::EIO)?,
            _ => return Ok(()), // a fifo with no reader: nothing lands anywhere
        };
        let off = if f.mode == FdMode::Append { data.len() as u64 } else { f.pos };
        let size = self.write_at(u, data, off, text)?;
        if let Some(f) = self.files.get_mut(&fd) {
            f.pos = off + text.len() as u64;
        }
        self.log.push(Event::Written { path: f.path, size });
        Ok(())
    }

    fn truncate(&mut self, path: &[u8], size: u64) -> R<()> {
        let mut chain = self.resolve(path, true, false)?;
        let n = self.dnode(&chain.last().expect("entry").1);
        if n.is_dir() {
            return Err(Errno::EISDIR);
        }
        if !matches!(n.kind, Kind::File(_)) {
            return Err(Errno::EINVAL);
        }
        if size > super::MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        self.may(&chain.last().expect("entry").1, MAY_WRITE)?;
        let n = self.dnode(&chain.last().expect("entry").1);
        let old = n.size();
        if !self.room_for(size.saturating_sub(old)) {
            return Err(Errno::ENOSPC);
        }
        self.copy_up(&mut chain, false);
        let d = chain.last().expect("entry").1.clone();
        let mut data = self.content_of(&d)?;
        data.resize(size as usize, 0);
        self.set_content(d.upper.expect("copied up"), data);
        self.log.push(Event::Written { path: chain_path(&chain), size });
        Ok(())
    }

    fn touch(&mut self, path: &[u8]) -> R<()> {
        match self.resolve(path, true, false) {
            Ok(mut chain) => {
                // utimes to now: the owner, or anyone who may write the file
                let d = chain.last().expect("entry").1.clone();
                if !self.owns(&d) {
                    self.may(&d, MAY_WRITE)?;
                }
                self.copy_up(&mut chain, true);
                let u = chain.last().expect("entry").1.upper.expect("copied up");
                let now = self.now;
                self.up().node_mut(u).mtime = now;
                self.log.push(Event::AttrChanged { path: chain_path(&chain), what: "times set on" });
                Ok(())
            }
            Err(Errno::ENOENT) => self
                .open(path, OpenFlags { write: true, rdwr: false, creat: true, excl: false, trunc: false, mode: 0o644 })
                .map(|_| ()),
            Err(e) => Err(e),
        }
    }

    fn mkdir(&mut self, path: &[u8], mode: u32) -> R<()> {
        let (mut chain, name, neg) = self.create_target(path, true)?;
        self.create(&mut chain, &name, &neg, Node::dir(mode, 0, 0));
        Ok(())
    }

    fn mknod(&mut self, path: &[u8], kind: Kind, mode: u32) -> R<()> {
        let (mut chain, name, neg) = self.create_target(path, false)?;
        self.create(&mut chain, &name, &neg, Node::new(kind, mode, 0, 0));
        Ok(())
    }

    fn symlink(&mut self, target: &[u8], path: &[u8]) -> R<()> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        let (mut chain, name, neg) = self.create_target(path, false)?;
        self.create(&mut chain, &name, &neg, Node::new(Kind::Symlink(target.into()), 0o777, 0, 0));
        Ok(())
    }

    fn chmod(&mut self, path: &[u8], mode: u32, follow: bool) -> R<()> {
        let mut chain = self.resolve(path, follow, false)?;
        if !self.owns(&chain.last().expect("entry").1) {
            return Err(Errno::EPERM);
        }
        self.copy_up(&mut chain, true);
        let u = chain.last().expect("entry").1.upper.expect("copied up");
        self.up().node_mut(u).mode = mode & 0o7777;
        self.log.push(Event::AttrChanged { path: chain_path(&chain), what: "mode changed on" });
        Ok(())
    }

    fn chown(&mut self, path: &[u8], uid: u32, gid: u32, follow: bool) -> R<()> {
        let mut chain = self.resolve(path, follow, false)?;
        // CAP_CHOWN, or the owner keeping the owner and giving a group of their own
        if let Some(c) = &self.cred {
            let n = self.dnode(&chain.last().expect("entry").1);
            if n.uid != c.uid || uid != n.uid || !(gid == c.gid || c.groups.contains(&gid)) {
                return Err(Errno::EPERM);
            }
        }
        self.copy_up(&mut chain, true);
        let u = chain.last().expect("entry").1.upper.expect("copied up");
        let n = self.up().node_mut(u);
        n.uid = uid;
        n.gid = gid;
        if !n.is_dir() {
            // chown_common sets ATTR_KILL_SUID|ATTR_KILL_SGID for non-directories.
            n.mode &= !S_ISUID;
            if n.mode & (S_ISGID | S_IXGRP) == S_ISGID | S_IXGRP {
                n.mode &= !S_ISGID;
            }
        }
        self.log.push(Event::AttrChanged { path: chain_path(&chain), what: "owner changed on" });
        Ok(())
    }

    // ------------------------------------------------------------------ removal

    fn unlink(&mut self, path: &[u8]) -> R<()> {
        let mut links = 0;
        let (chain, last) = self.walk_parent(self.root_chain(), path, &mut links)?;
        let Last::Norm(name, trailing) = last else { return Err(Errno::EISDIR) };
        let d = self.lookup_last(&chain.last().expect("root").1, &name)?;
        if trailing || !d.positive() {
            return Err(if !d.positive() {
                Errno::ENOENT
            } else if self.dnode(&d).is_dir() {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
        if self.dnode(&d).is_dir() {
            return Err(Errno::EISDIR);
        }
        self.remove(chain, &name, d, false)
    }

    fn rmdir(&mut self, path: &[u8]) -> R<()> {
        let mut links = 0;
        let (chain, last) = self.walk_parent(self.root_chain(), path, &mut links)?;
        let name = match last {
            Last::Norm(n, _) => n,
            Last::Dot => return Err(Errno::EINVAL),
            Last::DotDot => return Err(Errno::ENOTEMPTY),
            Last::Root => return Err(Errno::EBUSY),
        };
        let d = self.lookup_last(&chain.last().expect("root").1, &name)?;
        if !d.positive() {
            return Err(Errno::ENOENT);
        }
        if !self.dnode(&d).is_dir() {
            return Err(Errno::ENOTDIR);
        }
        self.remove(chain, &name, d, true)
    }

    /// `ovl_do_remove`.
    fn remove(&mut self, mut parent: Chain, name: &[u8], d: D, is_dir: bool) -> R<()> {
        let pd = parent.last().expect("root").1.clone();
        self.may_delete(&pd, &d)?;
        let lower_positive = self.lower_positive(&pd, name, &d);
        if is_dir && (lower_positive || !Self::pure_upper(&d)) && !self.merged_empty(&d) {
            return Err(Errno::ENOTEMPTY);
        }
        self.copy_up(&mut parent, true);
        let pu = parent.last().expect("root").1.upper.expect("copied up");
        let path = join(&chain_path(&parent), name);
        let now = self.now;
        self.up().node_mut(pu).mtime = now;
        if !lower_positive {
            if is_dir {
                let u = d.upper.expect("a pure upper dir");
                if self.upper.node(u).children().is_some_and(|c| !c.is_empty()) && Self::pure_upper(&d) {
                    return Err(Errno::ENOTEMPTY);
                }
            }
            self.up_remove(pu, name);
            self.log.push(Event::Removed { path });
        } else {
            let hides = self.hidden_layer(&pd, name);
            if d.upper.is_some() {
                self.up_remove(pu, name);
            }
            let mut wh = Node::new(Kind::Char(0, 0), 0, 0, 0);
            wh.mtime = now;
            self.up().insert(pu, name, wh);
            self.log.push(Event::Whiteout { path, hides_layer: hides });
        }
        Ok(())
    }

    // ------------------------------------------------------------------ rename and link

    /// `ovl_set_redirect` for the dentry at the end of `chain`.
    fn set_redirect(&mut self, chain: &Chain, samedir: bool) -> R<()> {
        let (name, d) = chain.last().expect("entry");
        let u = d.upper.expect("copied up");
        // ovl_need_absolute_redirect: another dir, or a non-dir whose lower is a hardlink (its
        // other upper links could end up anywhere).
        let absolute = !samedir
            || (!self.upper.node(u).is_dir()
                && d.lowers.first().is_some_and(|&(l, i)| self.lower.node(l, i).nlink > 1));
        if let Some(r) = &self.upper.node(u).redirect {
            if !absolute || r.starts_with(b"/") {
                return Ok(());
            }
        }
        let value = if !absolute {
            name.clone()
        } else {
            let mut pieces: Vec<Vec<u8>> = Vec::new();
            for (n, dd) in chain[1..].iter().rev() {
                let piece = dd
                    .upper
                    .and_then(|x| self.upper.node(x).redirect.as_ref().map(|r| r.to_vec()))
                    .unwrap_or_else(|| n.clone());
                let abs = piece.starts_with(b"/");
                pieces.push(piece);
                if abs {
                    break;
                }
                pieces.push(b"/".to_vec());
            }
            pieces.reverse();
            pieces.concat()
        };
        if value.len() > REDIRECT_MAX {
            return Err(Errno::EXDEV);
        }
        self.up().node_mut(u).redirect = Some(value.clone().into());
        self.log.push(Event::RedirectSet { path: chain_path(chain), value });
        Ok(())
    }

    fn rename(&mut self, src: &[u8], dst: &[u8]) -> R<()> {
        let mut l1 = 0;
        let (mut ochain, olast) = self.walk_parent(self.root_chain(), src, &mut l1)?;
        let mut l2 = 0;
        let (mut nchain, nlast) = self.walk_parent(self.root_chain(), dst, &mut l2)?;
        let Last::Norm(oname, otrail) = olast else { return Err(Errno::EBUSY) };
        let Last::Norm(nname, ntrail) = nlast else { return Err(Errno::EBUSY) };
        let old = self.lookup_last(&ochain.last().expect("root").1, &oname)?;
        if !old.positive() {
            return Err(Errno::ENOENT);
        }
        let new = self.lookup_last(&nchain.last().expect("root").1, &nname)?;
        let is_dir = self.dnode(&old).is_dir();
        if !is_dir && (otrail || ntrail) {
            return Err(Errno::ENOTDIR);
        }
        // vfs_rename: may_delete the old name, may_create (or may_delete) the new one
        self.may_delete(&ochain.last().expect("root").1, &old)?;
        if new.positive() {
            self.may_delete(&nchain.last().expect("root").1, &new)?;
        } else {
            self.may(&nchain.last().expect("root").1, MAY_WRITE | MAY_EXEC)?;
        }
        let op: Vec<&[u8]> = ochain[1..].iter().map(|x| &x.0[..]).collect();
        let np: Vec<&[u8]> = nchain[1..].iter().map(|x| &x.0[..]).collect();
        let samedir = op == np;
        if !samedir {
            if np.len() > op.len() && np.starts_with(&op) && np[op.len()] == &oname[..] {
                return Err(Errno::EINVAL);
            }
            if op.len() > np.len() && op.starts_with(&np) && op[np.len()] == &nname[..] {
                return Err(Errno::ENOTEMPTY);
            }
        }
        if new.positive() {
            if (samedir && oname == nname) || self.same_inode(&old, &new) {
                return Ok(());
            }
            let new_is_dir = self.dnode(&new).is_dir();
            if is_dir && !new_is_dir {
                return Err(Errno::ENOTDIR);
            }
            if !is_dir && new_is_dir {
                return Err(Errno::EISDIR);
            }
        }
        // ovl_rename
        if is_dir && !self.config.redirect_dir() && self.merge_or_lower(&old) {
            return Err(Errno::EXDEV);
        }
        let new_is_dir = new.positive() && self.dnode(&new).is_dir();
        if new_is_dir && !Self::pure_upper(&new) && !self.merged_empty(&new) {
            return Err(Errno::ENOTEMPTY);
        }
        let lower_positive = self.lower_positive(&ochain.last().expect("root").1, &oname, &old);
        let old_opaque = old.upper.is_some_and(|u| is_opaque(self.upper.node(u)));
        let mut ofull = ochain.clone();
        ofull.push((oname.clone(), old));
        self.copy_up(&mut ofull, true);
        self.refresh(&mut nchain);
        self.copy_up(&mut nchain, true);
        self.refresh(&mut ofull);
        self.refresh(&mut nchain);
        ochain = ofull[..ofull.len() - 1].to_vec();
        let old = ofull.last().expect("old").1.clone();
        let new = self.lookup(&nchain.last().expect("root").1, &nname);
        if new_is_dir && Self::pure_upper(&new) {
            let u = new.upper.expect("upper");
            if self.upper.node(u).children().is_some_and(|c| !c.is_empty()) {
                return Err(Errno::ENOTEMPTY);
            }
        }
        let ou = old.upper.expect("copied up");
        if self.merge_or_lower(&old) {
            self.set_redirect(&ofull, samedir)?;
        } else if is_dir && !old_opaque && !nchain.last().expect("root").1.lowers.is_empty() {
            self.up().node_mut(ou).opaque = Some(Box::from(&b"y"[..]));
            self.log.push(Event::OpaqueSet { path: chain_path(&ofull) });
        }
        // The rename itself, in the upper dir.
        let opu = ochain.last().expect("root").1.upper.expect("copied up");
        let npu = nchain.last().expect("root").1.upper.expect("copied up");
        // RENAME_EXCHANGE when the target is an upper whiteout and the source needs one: the
        // existing whiteout moves over (keeping its owner). Otherwise RENAME_WHITEOUT makes a new
        // one, owned like any new inode in the upper parent (setgid dirs pass their group on).
        let mut whiteout = Node::new(Kind::Char(0, 0), 0, 0, 0);
        whiteout.mtime = self.now;
        let pn = self.upper.node(opu);
        if pn.mode & S_ISGID != 0 {
            whiteout.gid = pn.gid;
        }
        if let Some(w) = self.upper.child(npu, &nname).filter(|&w| self.upper.node(w).is_whiteout()) {
            let wn = self.upper.node(w);
            whiteout.uid = wn.uid;
            whiteout.gid = wn.gid;
        }
        if !(npu == opu && nname == oname) {
            self.up_remove(npu, &nname);
        }
        let now = self.now;
        let up = self.up();
        up.node_mut(opu).mtime = now;
        up.node_mut(npu).mtime = now;
        if let Kind::Dir(c) = &mut up.node_mut(opu).kind {
            c.remove(&oname[..]);
        }
        if let Kind::Dir(c) = &mut up.node_mut(npu).kind {
            c.insert(nname.clone().into(), ou);
        }
        let from = join(&chain_path(&ochain), &oname);
        let to = join(&chain_path(&nchain), &nname);
        // The redirect xattr was set on the entry before it moved: report it where it now is.
        for e in self.log.iter_mut().rev() {
            if let Event::RedirectSet { path, .. } = e {
                if *path == from {
                    *path = to.clone();
                }
                break;
            }
        }
        if lower_positive {
            let hides = self.hidden_layer(&ochain.last().expect("root").1, &oname);
            self.up().insert(opu, &oname, whiteout);
            self.log.push(Event::Renamed { from: from.clone(), to });
            self.log.push(Event::Whiteout { path: from, hides_layer: hides });
        } else {
            self.log.push(Event::Renamed { from, to });
        }
        Ok(())
    }

    fn link(&mut self, src: &[u8], dst: &[u8]) -> R<()> {
        let mut old = self.resolve(src, false, false)?;
        let (mut nchain, name, neg) = self.create_target(dst, false)?;
        if self.dnode(&old.last().expect("entry").1).is_dir() {
            return Err(Errno::EPERM);
        }
        self.copy_up(&mut old, true);
        self.refresh(&mut nchain);
        self.copy_up(&mut nchain, true);
        self.refresh(&mut old);
        let od = old.last().expect("entry").1.clone();
        let ou = od.upper.expect("copied up");
        if self.upper.node(ou).metacopy {
            self.set_redirect(&old, false)?;
        }
        let pu = nchain.last().expect("root").1.upper.expect("copied up");
        if neg.upper_whiteout {
            self.up_remove(pu, &name);
        }
        let now = self.now;
        self.up().node_mut(pu).mtime = now;
        self.up().link(pu, &name, ou);
        self.log.push(Event::Created { path: join(&chain_path(&nchain), &name), what: "hardlink" });
        Ok(())
    }

    // ------------------------------------------------------------------ mv and rm -r

    fn mv(&mut self, src: &[u8], dst: &[u8]) -> R<()> {
        match self.rename(src, dst) {
            Err(Errno::EXDEV) => self.log.push(Event::MvFallback { from: src.to_vec(), to: dst.to_vec() }),
            r => return r,
        }
        let chain = self.resolve(src, false, false)?;
        let is_dir = self.dnode(&chain.last().expect("entry").1).is_dir();
        let r = if is_dir { self.rmdir(dst) } else { self.unlink(dst) };
        match r {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(e) => return Err(e),
        }
        self.copy_tree(src, dst)?;
        self.rm_r(src)
    }

    fn copy_tree(&mut self, src: &[u8], dst: &[u8]) -> R<()> {
        let chain = self.resolve(src, false, false)?;
        let d = chain.last().expect("entry").1.clone();
        let n = self.dnode(&d).clone();
        match &n.kind {
            Kind::Dir(_) => {
                self.mkdir(dst, 0o700)?;
                for (name, _) in self.readdir_raw(&d) {
                    self.copy_tree(&join(src, &name), &join(dst, &name))?;
                }
            }
            Kind::File(_) => {
                let data = self.content_of(&d)?;
                let flags = OpenFlags { write: true, rdwr: false, creat: true, excl: true, trunc: false, mode: 0o600 };
                let created = self.open(dst, flags)?;
                if let Some(ino) = created.last().expect("file").1.upper {
                    if !data.is_empty() {
                        self.set_content(ino, data);
                    }
                }
            }
            Kind::Symlink(t) => self.symlink(t, dst)?,
            k => self.mknod(dst, k.clone(), 0o600)?,
        }
        self.chown(dst, n.uid, n.gid, false)?;
        if !matches!(n.kind, Kind::Symlink(_)) {
            self.chmod(dst, n.mode, true)?;
        }
        Ok(())
    }

    fn rm_r(&mut self, path: &[u8]) -> R<()> {
        let chain = self.resolve(path, false, false)?;
        let d = chain.last().expect("entry").1.clone();
        if self.dnode(&d).is_dir() {
            for (name, _) in self.readdir_raw(&d) {
                self.rm_r(&join(path, &name))?;
            }
            self.rmdir(path)
        } else {
            self.unlink(path)
        }
    }
}
