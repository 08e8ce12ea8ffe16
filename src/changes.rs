//! What a layer changes against the layers below it: dive's Added / Modified / Deleted.
//!
//! Rules (dive `filetree.CompareAndMark`, applied to overlay2 layer directories):
//! - A path of the layer's directory that the merged view of the layers below lacks is
//!   **added**.
//! - A path both have is **modified** if type, mode, owner, or (non-directories) size, content
//!   or link target differ; a directory re-emitted with the same attributes is not a change.
//! - A whiteout is **deleted** if it hides a path the layers below show; an opaque directory
//!   deletes each lower child it does not provide again. Only the topmost deleted path counts.
//!
//! Counting compares with the merged view of the lower layers, so it agrees with what a user
//! sees when stepping from one layer prefix to the next.

use crate::error::Result;
use crate::layer::LayerBlob;
use crate::tree::{Content, Ino, Kind, Node, Tree, ROOT};
use crate::union::Stack;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Counts of changes a layer makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
}

/// A/M/D of the layer `top` against the merged view of `below`.
///
/// Files whose attributes and sizes agree are compared by content afterwards, all at once, so a
/// compressed layer is decompressed at most once.
pub fn layer_changes(below: &Stack, top: &Tree) -> Result<Changes> {
    let mut c = Changes::default();
    let root: Option<Vec<(usize, Ino)>> =
        if below.layers.is_empty() { None } else { Some((0..below.layers.len()).rev().map(|l| (l, ROOT)).collect()) };
    let mut pending = Vec::new();
    walk(below, top, ROOT, root.as_deref(), &mut c, &mut pending)?;
    if !pending.is_empty() {
        // Layer index `below.len()` stands for `top`.
        let n = below.layers.len();
        let node = |l: usize, i: Ino| if l == n { top.node(i) } else { below.node(l, i) };
        let mut want: Vec<(usize, Ino)> = Vec::new();
        for &(t, o) in &pending {
            want.push((n, t));
            want.push(o);
        }
        let digests = digests(&want, &node)?;
        for (t, o) in pending {
            if digests.get(&(n, t)) != digests.get(&o) {
                c.modified += 1;
            }
        }
    }
    Ok(c)
}

/// Content digests of regular files, cached ones first, the rest one pass per layer blob.
fn digests<'a>(want: &[(usize, Ino)], node: &dyn Fn(usize, Ino) -> &'a Node) -> Result<HashMap<(usize, Ino), [u8; 32]>> {
    let mut out = HashMap::new();
    let mut by_blob: HashMap<*const LayerBlob, (Arc<LayerBlob>, Vec<Wanted>)> = HashMap::new();
    for &k in want {
        let n = node(k.0, k.1);
        if let Some(d) = n.digest {
            out.insert(k, d);
            continue;
        }
        match &n.kind {
            Kind::File(Content::Blob { blob, offset, size }) => {
                by_blob.entry(Arc::as_ptr(blob)).or_insert_with(|| (blob.clone(), Vec::new())).1.push((k, (*offset, *size)));
            }
            Kind::File(c) => {
                out.insert(k, c.digest()?);
            }
            _ => {}
        }
    }
    for (_, (blob, items)) in by_blob {
        let ranges: Vec<(u64, u64)> = items.iter().map(|x| x.1).collect();
        for (d, (k, _)) in blob.digest_ranges(&ranges)?.into_iter().zip(items) {
            out.insert(k, d);
        }
    }
    Ok(out)
}

type Pending = Vec<(Ino, (usize, Ino))>;

/// A file (layer, inode) and its content range in the layer's blob.
type Wanted = ((usize, Ino), (u64, u64));

fn walk(
    below: &Stack,
    top: &Tree,
    dir: Ino,
    lower: Option<&[(usize, Ino)]>,
    c: &mut Changes,
    pending: &mut Pending,
) -> Result<()> {
    let node = top.node(dir);
    let Some(children) = node.children() else { return Ok(()) };
    if node.opaque.is_some() && dir != ROOT {
        if let Some(lower) = lower {
            for name in lower_names(below, lower) {
                if !children.contains_key(&name[..]) {
                    c.deleted += 1;
                }
            }
        }
    }
    for (name, &ino) in children {
        let n = top.node(ino);
        let found = lower.and_then(|l| below.lookup_child(l, name));
        if n.is_whiteout() {
            if found.is_some() {
                c.deleted += 1;
            }
            continue;
        }
        match found {
            None => {
                c.added += 1;
                walk(below, top, ino, None, c, pending)?;
            }
            Some((t, lowers)) => {
                let old = below.node(t.0, t.1);
                match differs(n, old) {
                    Diff::Same => {}
                    Diff::Changed => c.modified += 1,
                    Diff::Content => pending.push((ino, t)),
                }
                if n.is_dir() {
                    if old.is_dir() {
                        let mut s = vec![t];
                        s.extend(lowers);
                        walk(below, top, ino, Some(&s), c, pending)?;
                    } else {
                        walk(below, top, ino, None, c, pending)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Names visible in a merged lower directory.
fn lower_names(below: &Stack, dirs: &[(usize, Ino)]) -> Vec<Box<[u8]>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for &(l, d) in dirs {
        if let Some(ch) = below.node(l, d).children() {
            for name in ch.keys() {
                if seen.insert(name.clone()) && below.lookup_child(dirs, name).is_some() {
                    out.push(name.clone());
                }
            }
        }
    }
    out
}

enum Diff {
    Same,
    Changed,
    /// Same attributes and size: the contents decide.
    Content,
}

fn differs(new: &Node, old: &Node) -> Diff {
    if new.type_char() != old.type_char() || new.uid != old.uid || new.gid != old.gid {
        return Diff::Changed;
    }
    let is_link = matches!(new.kind, Kind::Symlink(_));
    if !is_link && new.mode != old.mode {
        return Diff::Changed;
    }
    let changed = match (&new.kind, &old.kind) {
        (Kind::Dir(_), Kind::Dir(_)) => false,
        (Kind::File(a), Kind::File(b)) => {
            if a.size() != b.size() {
                true
            } else {
                return Diff::Content;
            }
        }
        (Kind::Symlink(a), Kind::Symlink(b)) => a != b,
        (Kind::Char(a, b), Kind::Char(x, y)) | (Kind::Block(a, b), Kind::Block(x, y)) => (a, b) != (x, y),
        _ => false,
    };
    if changed {
        Diff::Changed
    } else {
        Diff::Same
    }
}

/// Bytes a layer directory takes as Docker's overlay2 `DiffSize` counts them
/// (moby `pkg/directory.Size`): `st_size` of every non-directory, each inode once.
pub fn disk_usage(t: &Tree) -> u64 {
    t.inodes()
        .into_iter()
        .map(|ino| match &t.node(ino).kind {
            Kind::File(c) => c.size(),
            Kind::Symlink(target) => target.len() as u64,
            _ => 0,
        })
        .sum()
}
