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
use std::collections::BTreeMap;
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
        for comp in path.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
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
        if self.layers.is_empty() {
            return out;
        }
        let root = self.root_stack();
        out.push(Merged { path: b"/".to_vec(), layer: root[0].0, ino: ROOT, shadows: root[1..].iter().map(|x| x.0).collect() });
        self.merge_dir(&root, b"", &mut out);
        out
    }

    fn merge_dir(&self, dirs: &[(usize, Ino)], prefix: &[u8], out: &mut Vec<Merged>) {
        // Every name any directory of the stack holds, with the layers that hold it.
        let mut names: BTreeMap<&[u8], Vec<(usize, Ino)>> = BTreeMap::new();
        for &(layer, dir) in dirs {
            if let Some(c) = self.layers[layer].node(dir).children() {
                for (name, &ino) in c {
                    names.entry(&name[..]).or_default().push((layer, ino));
                }
            }
        }
        for (name, holders) in names {
            let (top, lowers) = match self.lookup_child(dirs, name) {
                Some(x) => x,
                None => continue,
            };
            let mut path = Vec::with_capacity(prefix.len() + 1 + name.len());
            path.extend_from_slice(prefix);
            path.push(b'/');
            path.extend_from_slice(name);
            let shadows: Vec<usize> = holders
                .iter()
                .filter(|(l, i)| *l != top.0 && !self.node(*l, *i).is_whiteout())
                .map(|x| x.0)
                .collect();
            let is_dir = self.node(top.0, top.1).is_dir();
            out.push(Merged { path: path.clone(), layer: top.0, ino: top.1, shadows });
            if is_dir {
                let mut s = vec![top];
                s.extend(lowers);
                self.merge_dir(&s, &path, out);
            }
        }
    }

    /// The merged view's listing (SPEC §5, root included, no xattr markers).
    pub fn listing(&self) -> Result<Vec<String>> {
        if self.layers.is_empty() {
            return Ok(vec![Tree::new().node(ROOT).line(b"/", false)?.render()]);
        }
        self.merged().iter().map(|m| Ok(self.line(m)?.render())).collect()
    }

    /// The listing line of a merged entry.
    pub fn line<'a>(&'a self, m: &'a Merged) -> Result<Line<'a>> {
        self.node(m.layer, m.ino).line(&m.path, false)
    }
}
