//! The union (merged) view of a stack of layer directories, as overlayfs presents it.
//!
//! Rules (Documentation/filesystems/overlayfs.rst, "Directories" and "whiteouts and opaque
//! directories"; SPEC §2):
//! - A name is looked up from the top layer down. A non-directory or a whiteout ends the
//!   lookup (a whiteout makes the name absent).
//! - A directory merges with directories of the same name below it, down to the first layer
//!   where the name is a non-directory or a whiteout (not included) or where the directory is
//!   opaque (included). Lookups of children only go to the layers of that stack.
//! - The topmost directory supplies the merged directory's attributes.
//! - A lower file shows its own inode's link count in its layer, stale links included.
//!
//! Every merged entry knows which layer supplies it and which lower versions it shadows.

pub mod resolve;

use crate::error::Result;
use crate::listing::Line;
use crate::tree::{Ino, Node, Tree, ROOT};
use std::sync::Arc;

/// A stack of layer directories, bottom first.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    pub layers: Vec<Arc<Tree>>,
}

/// One entry of the merged view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// `/`-rooted path.
    pub path: Vec<u8>,
    /// The layer (index in the stack, 0 = bottom) that supplies the entry.
    pub layer: usize,
    pub ino: Ino,
    /// Lower layers that hold this name too and are hidden by it (top first). For a
    /// directory, the lower directories merged into it.
    pub shadows: Vec<usize>,
}

/// One entry of the merged view, as [`Stack::visit_merged`] reports it.
#[derive(Debug)]
pub struct Visit<'a> {
    /// 0 for the root, 1 for its entries, ...
    pub depth: usize,
    /// The last path component (empty for the root).
    pub name: &'a [u8],
    pub layer: usize,
    pub ino: Ino,
    /// As [`Merged::shadows`].
    pub shadows: &'a [usize],
    pub is_dir: bool,
}

impl Stack {
    pub fn new(layers: Vec<Arc<Tree>>) -> Self {
        Stack { layers }
    }

    pub fn node(&self, layer: usize, ino: Ino) -> &Node {
        self.layers[layer].node(ino)
    }

    /// The directories that make up the merged directory at `path` (top first), or `None` if
    /// the path is not a directory in the merged view.
    pub fn dir_stack(&self, path: &[u8]) -> Option<Vec<(usize, Ino)>> {
        let mut stack: Vec<(usize, Ino)> = self.root_stack();
        for comp in crate::path::components(path) {
            let (top, lowers) = self.lookup_child(&stack, comp)?;
            if !self.node(top.0, top.1).is_dir() {
                return None;
            }
            let mut s = vec![top];
            s.extend(lowers);
            stack = s;
        }
        Some(stack)
    }

    fn root_stack(&self) -> Vec<(usize, Ino)> {
        // The root merges every layer's root (opaque markers on a layer root are ignored).
        (0..self.layers.len()).rev().map(|l| (l, ROOT)).collect()
    }

    /// Looks `name` up in a merged directory given by its stack. Returns the topmost entry and,
    /// for a directory, the lower directories merged into it.
    pub fn lookup_child(&self, dirs: &[(usize, Ino)], name: &[u8]) -> Option<((usize, Ino), Vec<(usize, Ino)>)> {
        let mut top: Option<(usize, Ino)> = None;
        let mut lowers = Vec::new();
        for &(layer, dir) in dirs {
            let Some(ino) = self.layers[layer].child(dir, name) else { continue };
            let n = self.node(layer, ino);
            match top {
                None => {
                    if n.is_whiteout() {
                        return None;
                    }
                    top = Some((layer, ino));
                    if !n.is_dir() || n.opaque.is_some() {
                        break;
                    }
                }
                Some(_) => {
                    if !n.is_dir() {
                        break;
                    }
                    lowers.push((layer, ino));
                    if n.opaque.is_some() {
                        break;
                    }
                }
            }
        }
        top.map(|t| (t, lowers))
    }

    /// The whole merged view, root first, then sorted by path bytes.
    pub fn merged(&self) -> Vec<Merged> {
        let mut out = self.merged_dfs();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// The whole merged view depth first: each directory followed by its entries, names in
    /// byte order (the order a tree view shows; [`Stack::merged`] sorts it by path bytes).
    pub fn merged_dfs(&self) -> Vec<Merged> {
        let mut out = Vec::new();
        let mut path: Vec<u8> = Vec::new();
        // Length of `path` at each depth (the root's path is `/`, its children add `/name`).
        let mut lens: Vec<usize> = Vec::new();
        self.visit_merged(&mut |v| {
            lens.truncate(v.depth);
            path.truncate(lens.last().copied().unwrap_or(0));
            if v.depth > 0 {
                path.push(b'/');
                path.extend_from_slice(v.name);
            }
            lens.push(path.len());
            let shown = if path.is_empty() { b"/".to_vec() } else { path.clone() };
            out.push(Merged { path: shown, layer: v.layer, ino: v.ino, shadows: v.shadows.to_vec() });
        });
        out
    }

    /// Walks the merged view depth first (the order of [`Stack::merged_dfs`]) without building
    /// paths: each entry is reported with its depth (root 0) and name (the root's is empty).
    pub fn visit_merged(&self, f: &mut dyn FnMut(&Visit<'_>)) {
        if self.layers.is_empty() {
            return;
        }
        let root = self.root_stack();
        let shadows: Vec<usize> = root[1..].iter().map(|x| x.0).collect();
        f(&Visit { depth: 0, name: b"", layer: root[0].0, ino: ROOT, shadows: &shadows, is_dir: true });
        self.visit_dir(&root, 1, f);
    }

    /// The entries of the merged directory made of `dirs` (top first): the children of every
    /// directory of the stack, merged in name order (each child map is already sorted), each
    /// resolved by the lookup rules of [`Stack::lookup_child`] over the layers that hold it.
    fn visit_dir(&self, dirs: &[(usize, Ino)], depth: usize, f: &mut dyn FnMut(&Visit<'_>)) {
        let mut iters: Vec<(usize, std::iter::Peekable<std::collections::btree_map::Iter<'_, Box<[u8]>, Ino>>)> = dirs
            .iter()
            .filter_map(|&(l, d)| self.layers[l].node(d).children().map(|c| (l, c.iter().peekable())))
            .collect();
        let mut holders: Vec<(usize, Ino)> = Vec::with_capacity(iters.len());
        let mut shadows: Vec<usize> = Vec::with_capacity(iters.len());
        loop {
            let mut min: Option<&[u8]> = None;
            for (_, it) in iters.iter_mut() {
                if let Some(&(k, _)) = it.peek() {
                    if min.map_or(true, |m| &k[..] < m) {
                        min = Some(&k[..]);
                    }
                }
            }
            let Some(name) = min else { break };
            // The layers holding `name`, top first (the order lookups go in).
            holders.clear();
            for (l, it) in iters.iter_mut() {
                if let Some(&(k, &ino)) = it.peek() {
                    if &k[..] == name {
                        holders.push((*l, ino));
                        it.next();
                    }
                }
            }
            let top = holders[0];
            let n = self.node(top.0, top.1);
            if n.is_whiteout() {
                continue;
            }
            shadows.clear();
            shadows.extend(holders[1..].iter().filter(|(l, i)| !self.node(*l, *i).is_whiteout()).map(|x| x.0));
            let is_dir = n.is_dir();
            f(&Visit { depth, name, layer: top.0, ino: top.1, shadows: &shadows, is_dir });
            if is_dir {
                let mut s = vec![top];
                if n.opaque.is_none() {
                    for &(l, i) in &holders[1..] {
                        let lower = self.node(l, i);
                        if !lower.is_dir() {
                            break;
                        }
                        s.push((l, i));
                        if lower.opaque.is_some() {
                            break;
                        }
                    }
                }
                self.visit_dir(&s, depth + 1, f);
            }
        }
    }

    /// The merged view's listing (SPEC §5, root included, no xattr markers).
    pub fn listing(&self) -> Result<Vec<String>> {
        if self.layers.is_empty() {
            return Ok(vec![Tree::new().node(ROOT).line(b"/", false)?.render()]);
        }
        let merged = self.merged();
        crate::layer::content::digest_ahead(merged.iter().filter_map(|m| self.node(m.layer, m.ino).uncached_content()));
        merged.iter().map(|m| Ok(self.line(m)?.render())).collect()
    }

    /// The listing line of a merged entry.
    pub fn line<'a>(&'a self, m: &'a Merged) -> Result<Line<'a>> {
        self.node(m.layer, m.ino).line(&m.path, false)
    }
}
