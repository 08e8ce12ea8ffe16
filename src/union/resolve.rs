//! Path resolution in the merged view, following symlinks the way a process `chroot`ed into
//! the container would (path_resolution(7)): absolute targets start again at the image root,
//! `..` at the root stays at the root, more than [`MAX_SYMLINKS`] links is `ELOOP`, and a
//! non-directory in the middle of a path is `ENOTDIR`. Nothing ever resolves outside the image.

use super::Stack;
use crate::error::{Error, ErrorKind, Result};
use crate::listing::esc;
use crate::path::{components, from_components};
use crate::tree::{Ino, Kind};

/// Linux's limit on symlinks followed in one resolution.
pub const MAX_SYMLINKS: usize = 40;

/// A resolved merged entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The final `/`-rooted path, symlinks resolved.
    pub path: Vec<u8>,
    pub layer: usize,
    pub ino: Ino,
}

impl Stack {
    /// Resolves `path` in the merged view. Intermediate symlinks are always followed; the last
    /// component only if `follow_last`.
    pub fn resolve(&self, path: &[u8], follow_last: bool) -> Result<Resolved> {
        let shown = esc(path);
        let mut todo: Vec<Vec<u8>> = comps(path).into_iter().rev().collect();
        let mut cur: Vec<Vec<u8>> = Vec::new();
        let mut hops = 0usize;
        let mut at: Option<(usize, Ino)> = self.layers.len().checked_sub(1).map(|top| (top, crate::tree::ROOT));
        while let Some(c) = todo.pop() {
            if c == b"." {
                continue;
            }
            if c == b".." {
                cur.pop();
                at = Some(self.locate(&cur).ok_or_else(|| Error::not_found("no such file or directory").at_entry(shown.clone()))?);
                continue;
            }
            let parent = from_components(&cur);
            let dirs = self
                .dir_stack(&parent)
                .ok_or_else(|| Error::not_found(format!("'{}' is not a directory (ENOTDIR)", esc(&parent))).at_entry(shown.clone()))?;
            let Some((top, _)) = self.lookup_child(&dirs, &c) else {
                return Err(Error::not_found("no such file or directory (ENOENT)").at_entry(shown));
            };
            let node = self.node(top.0, top.1);
            let last = todo.is_empty();
            if let Kind::Symlink(target) = &node.kind {
                if !last || follow_last {
                    hops += 1;
                    if hops > MAX_SYMLINKS {
                        return Err(Error::new(ErrorKind::Escape, "too many levels of symbolic links (ELOOP)").at_entry(shown));
                    }
                    if target.starts_with(b"/") {
                        cur.clear();
                    }
                    for t in comps(target).into_iter().rev() {
                        todo.push(t);
                    }
                    at = self.locate(&cur);
                    continue;
                }
            }
            cur.push(c);
            at = Some(top);
        }
        let (layer, ino) = at.ok_or_else(|| Error::not_found("the image has no layers").at_entry(shown))?;
        Ok(Resolved { path: from_components(&cur), layer, ino })
    }

    /// The merged entry at a resolved component list (no symlinks followed).
    fn locate(&self, cur: &[Vec<u8>]) -> Option<(usize, Ino)> {
        let mut at = (self.layers.len().checked_sub(1)?, crate::tree::ROOT);
        for (i, _) in cur.iter().enumerate() {
            let dirs = self.dir_stack(&from_components(&cur[..i]))?;
            at = self.lookup_child(&dirs, &cur[i])?.0;
        }
        Some(at)
    }
}

fn comps(p: &[u8]) -> Vec<Vec<u8>> {
    components(p).map(<[u8]>::to_vec).collect()
}
