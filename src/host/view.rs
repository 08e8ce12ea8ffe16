//! Views of the host's trees: the merged view of the stack (with the container's writes), or
//! one layer's own directory with its A/M/D changes against the enabled layers below it.
//!
//! Rules: the merged view is computed by [`crate::union::Stack`] (or the container, once it
//! holds writes) once per stack change and kept in depth-first order, with no allocation per
//! entry: an entry is its parent's index, a range of one names array and a range of one
//! shadows array, and paths are rebuilt only for the rows shown (100k entries: ~16 ms in the
//! worker, measured by the browser bench). A view (filter, change type, sort, collapsed
//! directories) is a list of indices into it, rebuilt only when its parameters change; the
//! page asks for windows of rows ([`Query`] → [`Rows`]). Paths travel as display paths,
//! escaped as in listings (`\xHH`, [`crate::listing::esc`]).

use super::{Host, LayerId, CONTAINER_LAYER};
use crate::error::{Error, Result};
use crate::listing::esc;
use crate::tree::{Ino, Kind, Tree};
use crate::path::split_rel;
use crate::union::Stack;
use serde::{Deserialize, Serialize};

/// Which tree a view shows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The union of the stack, as a container sees it.
    Merged,
    /// One layer's own directory, with its changes against the enabled layers below it.
    Layer(LayerId),
}

/// Which changes a view keeps.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
pub enum ChangeFilter {
    #[default]
    All,
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// The directory tree, names in byte order.
    #[default]
    Tree,
    /// Largest first, as a flat list.
    Size,
}

/// What a view shows, and which window of it the page needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Query {
    pub seq: u32,
    pub scope: Scope,
    /// Case-insensitive substring of the path; non-empty makes the view a flat list.
    pub filter: String,
    pub change: ChangeFilter,
    pub sort: Sort,
    /// Display paths of collapsed directories (tree view only).
    pub collapsed: Vec<String>,
    pub start: u32,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Rows {
    pub seq: u32,
    /// Rows in the whole view.
    pub total: u32,
    pub start: u32,
    pub rows: Vec<Row>,
    /// Time the worker spent building the view (ms), for the benchmark.
    pub millis: f64,
}

/// One line of a view.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Row {
    /// `/`-rooted display path (escaped as in listings).
    pub path: String,
    /// Last component (or the whole path in flat views).
    pub name: String,
    pub depth: u16,
    /// Listing type letter: d f l c b p s, and w for a whiteout in a layer view.
    pub kind: char,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub nlink: u32,
    pub target: Option<String>,
    /// The layer that supplies the entry.
    pub layer: Option<LayerId>,
    /// Lower layers holding the same name, hidden by it (top first).
    pub shadows: Vec<LayerId>,
    /// 'A' added, 'M' modified, 'D' deleted (whiteout), ' ' unchanged parent.
    pub change: char,
    pub opaque: bool,
    pub has_children: bool,
    pub collapsed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
    /// Bytes in the envelope (at most the preview size unless downloading).
    pub shown: u64,
    pub layer: Option<LayerId>,
    /// Lower versions hidden by this one (merged view), top first: layer, type letter, size.
    pub lower: Vec<(LayerId, char, u64)>,
}

impl FileInfo {
    /// Bytes of the regular files it hides: still stored in the image, unreachable.
    pub fn hidden_bytes(&self) -> u64 {
        self.lower.iter().filter(|x| x.1 == 'f').map(|x| x.2).sum()
    }
}

/// One entry of a scope (the merged view or one layer's directory), depth-first. No
/// allocation of its own: the path is the parent chain, the name and the shadows are ranges of
/// the scope's flat arrays ([`Items`]).
pub(super) struct Item {
    /// Index of the parent entry (the root's is 0, itself).
    parent: u32,
    /// 0 for the root.
    depth: u16,
    /// `names[name.0 .. name.0 + name.1]` (empty for the root).
    name: (u32, u32),
    /// The layer whose tree holds the inode.
    layer: LayerId,
    ino: Ino,
    /// `shadows[shadows.0 .. shadows.0 + shadows.1]`.
    shadows: (u32, u32),
    change: u8,
    has_children: bool,
}

/// The entries of a scope, depth first, with the bytes of their names and their shadow lists.
#[derive(Default)]
pub(super) struct Items {
    items: Vec<Item>,
    names: Vec<u8>,
    shadows: Vec<LayerId>,
    /// Index of the last entry pushed at each depth (while building).
    open: Vec<u32>,
}

impl Items {
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// Appends an entry at `depth` (entries come depth first: its parent is the last entry
    /// pushed one level up).
    fn push(&mut self, depth: usize, name: &[u8], layer: LayerId, ino: Ino, shadows: impl IntoIterator<Item = LayerId>, change: u8) {
        let i = self.items.len() as u32;
        self.open.truncate(depth);
        let parent = self.open.last().copied().unwrap_or(0);
        self.open.push(i);
        let n0 = self.names.len() as u32;
        self.names.extend_from_slice(name);
        let s0 = self.shadows.len() as u32;
        self.shadows.extend(shadows);
        self.items.push(Item {
            parent,
            depth: depth as u16,
            name: (n0, name.len() as u32),
            layer,
            ino,
            shadows: (s0, self.shadows.len() as u32 - s0),
            change,
            has_children: false,
        });
    }

    /// Appends an entry given by its `/`-rooted path (entries come depth first).
    fn push_path(&mut self, path: &[u8], layer: LayerId, ino: Ino, shadows: impl IntoIterator<Item = LayerId>, change: u8) {
        let depth = if path == b"/" { 0 } else { path.iter().filter(|&&b| b == b'/').count() };
        let (_, name) = if depth == 0 { (&b""[..], &b""[..]) } else { split_rel(path) };
        self.push(depth, name, layer, ino, shadows, change);
    }

    /// Marks directories that have entries (the next entry is deeper).
    fn finish(&mut self) {
        for i in 0..self.items.len() {
            let d = self.items[i].depth;
            self.items[i].has_children = self.items.get(i + 1).is_some_and(|n| n.depth > d);
        }
        self.open = Vec::new();
    }

    fn name(&self, it: &Item) -> &[u8] {
        &self.names[it.name.0 as usize..(it.name.0 + it.name.1) as usize]
    }

    fn shadows(&self, it: &Item) -> &[LayerId] {
        &self.shadows[it.shadows.0 as usize..(it.shadows.0 + it.shadows.1) as usize]
    }

    /// The `/`-rooted path of entry `i`.
    fn path(&self, i: usize) -> Vec<u8> {
        let mut chain = Vec::new();
        let mut at = i;
        while self.items[at].depth > 0 {
            chain.push(at);
            at = self.items[at].parent as usize;
        }
        if chain.is_empty() {
            return b"/".to_vec();
        }
        let mut p = Vec::new();
        for &c in chain.iter().rev() {
            p.push(b'/');
            p.extend_from_slice(self.name(&self.items[c]));
        }
        p
    }

    /// Calls `f` with every entry's index and path, in order; stops when `f` returns false.
    fn each_path(&self, mut f: impl FnMut(usize, &[u8]) -> bool) {
        let mut path: Vec<u8> = Vec::new();
        let mut lens: Vec<usize> = Vec::new();
        for (i, it) in self.items.iter().enumerate() {
            let d = it.depth as usize;
            lens.truncate(d);
            path.truncate(lens.last().copied().unwrap_or(0));
            if d > 0 {
                path.push(b'/');
                path.extend_from_slice(self.name(it));
            }
            lens.push(path.len());
            if !f(i, if d == 0 { b"/" } else { &path }) {
                return;
            }
        }
    }
}

#[derive(PartialEq)]
pub(super) struct ViewKey {
    scope: Scope,
    filter: String,
    change: ChangeFilter,
    sort: Sort,
    collapsed: Vec<String>,
    version: u32,
}

impl Host {
    pub(super) fn build_scope(&mut self, scope: Scope) {
        if self.fresh && self.scope == Some(scope) {
            return;
        }
        let mut items = match scope {
            Scope::Merged => self.merged_items(),
            Scope::Layer(id) => self.layer_items(id),
        };
        items.finish();
        self.items = items;
        self.scope = Some(scope);
        self.fresh = true;
    }

    fn merged_items(&self) -> Items {
        let mut out = Items::default();
        // With container writes, the merged view is the container's (upper over lower).
        if let Some(c) = self.container.as_ref().filter(|c| c.upper().node(crate::tree::ROOT).children().is_some_and(|m| !m.is_empty())) {
            let ids = |v: &[(usize, Ino)]| v.iter().map(|&(l, _)| self.union_ids[l]).collect::<Vec<_>>();
            let key = |p: &[u8]| p.iter().map(|&b| if b == b'/' { 0 } else { b }).collect::<Vec<u8>>();
            let mut all = c.merged_provenance();
            all.sort_by_cached_key(|(path, _, _)| key(path));
            for (path, up, lowers) in all {
                match up {
                    Some(ino) if path != b"/" || lowers.is_empty() => {
                        // The kernel looks no further down than a non-directory in the upper
                        // layer; the lower versions it hides are still there (a copied-up file).
                        let shadows = if lowers.is_empty() { self.lower_holders(&path) } else { ids(&lowers) };
                        let change = if shadows.is_empty() { b'A' } else { b'M' };
                        out.push_path(&path, CONTAINER_LAYER, ino, shadows, change)
                    }
                    _ => {
                        let change = if lowers.len() <= 1 { b'A' } else { b'M' };
                        out.push_path(&path, self.union_ids[lowers[0].0], lowers[0].1, ids(&lowers[1..]), change)
                    }
                }
            }
            return out;
        }
        self.union.visit_merged(&mut |v| {
            let change = if v.shadows.is_empty() { b'A' } else { b'M' };
            out.push(v.depth, v.name, self.union_ids[v.layer], v.ino, v.shadows.iter().map(|&s| self.union_ids[s]), change);
        });
        out
    }

    /// The enabled layers (top first) whose merged directory holds `path`'s name, below a
    /// whiteout or opaque directory that hides it.
    fn lower_holders(&self, path: &[u8]) -> Vec<LayerId> {
        let (parent, name) = split_rel(path);
        let Some(dirs) = self.union.dir_stack(if parent.is_empty() { b"/" } else { parent }) else { return Vec::new() };
        let mut out = Vec::new();
        for (layer, dir) in dirs {
            let tree = &self.union.layers[layer];
            let Some(ino) = tree.child(dir, name) else { continue };
            if tree.node(ino).is_whiteout() {
                break;
            }
            out.push(self.union_ids[layer]);
        }
        out
    }

    fn layer_items(&self, id: LayerId) -> Items {
        let mut out = Items::default();
        let Some(l) = self.layers.get(id as usize) else { return out };
        // The enabled layers below this one in the current order.
        let pos = self.order.iter().position(|x| x.0 == id).unwrap_or(self.order.len());
        let below_ids: Vec<LayerId> = self.order[..pos].iter().filter(|x| x.1).map(|x| x.0).collect();
        let below = Stack::new(below_ids.iter().map(|&b| self.layers[b as usize].tree.clone()).collect());
        let tree = &l.tree;
        for (path, ino) in tree.walk() {
                let node = tree.node(ino);
                let change = if path == b"/" {
                    b' '
                } else if node.is_whiteout() {
                    b'D'
                } else {
                    let (parent, name) = split_rel(&path);
                    let lower = below
                        .dir_stack(parent)
                        .and_then(|ds| below.lookup_child(&ds, name))
                        .map(|(top, _)| below.node(top.0, top.1));
                    match lower {
                        None => b'A',
                        Some(n) if node.is_dir() && n.is_dir() => {
                            if node.opaque.is_some() || (n.mode, n.uid, n.gid) != (node.mode, node.uid, node.gid) {
                                b'M'
                            } else {
                                b' '
                            }
                        }
                        Some(_) => b'M',
                    }
                };
            out.push_path(&path, id, ino, [], change);
        }
        out
    }

    fn tree_of(&self, item: &Item) -> &Tree {
        if item.layer == CONTAINER_LAYER {
            if let Some(c) = &self.container {
                return c.upper();
            }
        }
        &self.layers[item.layer as usize].tree
    }

    /// A window of a view.
    pub fn query(&mut self, q: &Query) -> Rows {
        self.build_scope(q.scope);
        let key = ViewKey {
            scope: q.scope,
            filter: q.filter.clone(),
            change: q.change,
            sort: q.sort,
            collapsed: q.collapsed.clone(),
            version: self.version,
        };
        if self.view.as_ref().map_or(true, |(k, _)| *k != key) {
            let v = self.build_view(&key);
            self.view = Some((key, v));
        }
        let (key, view) = self.view.as_ref().expect("view was just built");
        let flat = is_flat(key);
        let start = (q.start as usize).min(view.len());
        let end = start.saturating_add(q.count as usize).min(view.len());
        let rows = view[start..end].iter().map(|&i| self.row(i as usize, flat, &key.collapsed)).collect();
        Rows { seq: q.seq, total: view.len() as u32, start: start as u32, rows, millis: 0.0 }
    }

    fn build_view(&self, key: &ViewKey) -> Vec<u32> {
        let needle = key.filter.as_bytes();
        let want = match key.change {
            ChangeFilter::All => None,
            ChangeFilter::Added => Some(b'A'),
            ChangeFilter::Modified => Some(b'M'),
            ChangeFilter::Deleted => Some(b'D'),
        };
        if is_flat(key) {
            let mut v: Vec<u32> = Vec::new();
            self.items.each_path(|i, path| {
                let it = &self.items.items[i];
                if it.depth > 0
                    && want.map_or(true, |w| it.change == w)
                    && contains_ignoring_ascii_case(path, needle)
                {
                    v.push(i as u32);
                }
                true
            });
            if key.sort == Sort::Size {
                let size = |i: u32| {
                    let it = &self.items.items[i as usize];
                    self.tree_of(it).node(it.ino).size()
                };
                v.sort_by(|&a, &b| size(b).cmp(&size(a)).then(a.cmp(&b)));
            }
            return v;
        }
        if key.collapsed.is_empty() {
            return (0..self.items.len() as u32).collect();
        }
        let collapsed: Vec<&[u8]> = key.collapsed.iter().map(|c| c.as_bytes()).collect();
        let mut out = Vec::with_capacity(self.items.len());
        // Depth of the collapsed directory whose entries are being skipped.
        let mut skip: Option<u16> = None;
        self.items.each_path(|i, path| {
            let it = &self.items.items[i];
            if let Some(d) = skip {
                if it.depth > d {
                    return true;
                }
                skip = None;
            }
            out.push(i as u32);
            if it.has_children && collapsed.iter().any(|c| *c == esc(path).as_bytes()) {
                skip = Some(it.depth);
            }
            true
        });
        out
    }

    fn row(&self, i: usize, flat: bool, collapsed: &[String]) -> Row {
        let it = &self.items.items[i];
        let node = self.tree_of(it).node(it.ino);
        let raw = self.items.path(i);
        let path = esc(&raw);
        let depth = it.depth;
        let kind = if node.is_whiteout() && matches!(self.scope, Some(Scope::Layer(_))) { 'w' } else { node.type_char().letter() };
        Row {
            name: if flat || depth == 0 { String::from_utf8_lossy(&raw).into_owned() } else { String::from_utf8_lossy(self.items.name(it)).into_owned() },
            collapsed: it.has_children && collapsed.contains(&path),
            path,
            depth: if flat { 0 } else { depth },
            kind,
            mode: node.mode,
            uid: node.uid,
            gid: node.gid,
            size: node.size(),
            nlink: node.nlink,
            target: match &node.kind {
                Kind::Symlink(t) => Some(String::from_utf8_lossy(t).into_owned()),
                _ => None,
            },
            layer: Some(it.layer),
            shadows: self.items.shadows(it).to_vec(),
            change: it.change as char,
            opaque: node.opaque.is_some(),
            has_children: it.has_children,
        }
    }

    /// Reads a file of the current scope (by display path): at most `limit` bytes (all with
    /// `None`), fed to `sink`.
    pub fn read(&mut self, path: &str, limit: Option<u64>, sink: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<FileInfo> {
        self.build_scope(self.scope.unwrap_or(Scope::Merged));
        let mut found = None;
        self.items.each_path(|i, p| {
            if esc(p) == path {
                found = Some((i, p.to_vec()));
            }
            found.is_none()
        });
        let (i, raw) = found.ok_or_else(|| Error::not_found(format!("'{path}' is not in this view any more")))?;
        let it = &self.items.items[i];
        let path = path.to_string();
        let node = self.tree_of(it).node(it.ino);
        let size = node.size();
        let shown = limit.map_or(size, |l| l.min(size));
        match &node.kind {
            Kind::File(crate::tree::Content::Blob { blob, offset, .. }) => {
                blob.for_each_chunk(*offset, shown, sink).map_err(|e| e.at_entry(path.clone()))?
            }
            Kind::File(crate::tree::Content::Bytes(b)) => sink(&b[..shown as usize])?,
            Kind::Symlink(t) => sink(t)?,
            _ => return Err(Error::not_found(format!("'{path}' is not a regular file"))),
        }
        let rel = &raw[1..];
        let lower = self
            .items
            .shadows(it)
            .iter()
            .filter_map(|&id| {
                let t = &self.layers[id as usize].tree;
                t.lookup(rel).map(|ino| {
                    let n = t.node(ino);
                    (id, n.type_char().letter(), n.size())
                })
            })
            .collect();
        Ok(FileInfo { path, size, shown, layer: Some(it.layer), lower })
    }

    /// The listing (SPEC §5) of what is shown, one line per entry, newline-terminated, and a
    /// file name for it: the merged view (no xattrs), or one layer's directory as overlay2
    /// extracts it (whiteouts as `w` lines, opaque markers).
    pub fn listing(&self) -> Result<(String, String)> {
        let (lines, name) = match self.scope {
            Some(Scope::Layer(id)) if (id as usize) < self.layers.len() => {
                let l = &self.layers[id as usize];
                // A layer without a digest is named by its place in the stack (`L3`, as the
                // page labels it), not by the placeholder shown for its ID (words, in the
                // page's language).
                let name = if l.info.short_id == super::UNVERIFIED { super::stack_label(&self.order, id) } else { l.info.short_id.clone() };
                (l.tree.listing(true)?, format!("layer-{name}.txt"))
            }
            // The image's merged view (the stack), as the kernel goldens list it; the
            // container's writes are in `docker diff` and the container's own export.
            _ => (self.union.listing()?, "merged.txt".to_string()),
        };
        let mut s = String::new();
        for l in lines {
            s.push_str(&l);
            s.push('\n');
        }
        Ok((s, name))
    }

}

fn is_flat(key: &ViewKey) -> bool {
    !key.filter.is_empty() || key.change != ChangeFilter::All || key.sort == Sort::Size
}

/// Whether the path `hay` contains `needle`, ASCII letters in either case (the filter box).
/// Paths are bytes and are compared as bytes: other letters match only as typed, which keeps
/// Unicode's case tables (11 KB of the first load, gzip) out of the page's worker.
fn contains_ignoring_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_filter_ignores_ascii_case_only() {
        use super::contains_ignoring_ascii_case as has;
        assert!(has(b"/etc/PASSWD", b"passwd") && has(b"/etc/passwd", b"PassWD") && has(b"/x", b""));
        assert!(!has(b"/etc/passwd", b"shadow") && !has(b"/a", b"/ab"));
        assert!(has("/srv/Café".as_bytes(), "café".as_bytes()) && !has("/srv/CAFÉ".as_bytes(), "café".as_bytes()));
    }
}
