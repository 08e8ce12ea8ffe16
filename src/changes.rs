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
use crate::tree::{Ino, Kind, Node, Tree, ROOT};
use crate::union::Stack;
use std::collections::HashSet;

/// Counts of changes a layer makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
}

/// A/M/D of the layer `top` against the merged view of `below`.
pub fn layer_changes(below: &Stack, top: &Tree) -> Result<Changes> {
    let mut c = Changes::default();
    let root: Option<Vec<(usize, Ino)>> =
        if below.layers.is_empty() { None } else { Some((0..below.layers.len()).rev().map(|l| (l, ROOT)).collect()) };
    walk(below, top, ROOT, root.as_deref(), &mut c)?;
    Ok(c)
}

fn walk(below: &Stack, top: &Tree, dir: Ino, lower: Option<&[(usize, Ino)]>, c: &mut Changes) -> Result<()> {
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
                walk(below, top, ino, None, c)?;
            }
            Some((t, lowers)) => {
                let old = below.node(t.0, t.1);
                if differs(n, old)? {
                    c.modified += 1;
                }
                if n.is_dir() {
                    if old.is_dir() {
                        let mut s = vec![t];
                        s.extend(lowers);
                        walk(below, top, ino, Some(&s), c)?;
                    } else {
                        walk(below, top, ino, None, c)?;
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

fn differs(new: &Node, old: &Node) -> Result<bool> {
    if new.type_char() != old.type_char() || new.uid != old.uid || new.gid != old.gid {
        return Ok(true);
    }
    let is_link = matches!(new.kind, Kind::Symlink(_));
    if !is_link && new.mode != old.mode {
        return Ok(true);
    }
    Ok(match (&new.kind, &old.kind) {
        (Kind::Dir(_), Kind::Dir(_)) => false,
        (Kind::File(a), Kind::File(b)) => a.size() != b.size() || new.content_digest()? != old.content_digest()?,
        (Kind::Symlink(a), Kind::Symlink(b)) => a != b,
        (Kind::Char(a, b), Kind::Char(x, y)) | (Kind::Block(a, b), Kind::Block(x, y)) => (a, b) != (x, y),
        _ => false,
    })
}

/// Bytes a layer directory takes as Docker's overlay2 `DiffSize` counts them
/// (moby `pkg/directory.Size`): `st_size` of every non-directory, each inode once.
pub fn disk_usage(t: &Tree) -> u64 {
    let mut seen = HashSet::new();
    let mut total = 0u64;
    for (_, ino) in t.walk() {
        let n = t.node(ino);
        let s = match &n.kind {
            Kind::Dir(_) => 0,
            Kind::File(c) => c.size(),
            Kind::Symlink(target) => target.len() as u64,
            _ => 0,
        };
        if s > 0 && seen.insert(ino) {
            total += s;
        }
    }
    total
}
