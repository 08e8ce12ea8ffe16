//! `docker export`: the merged view flattened into one root filesystem tar.
//!
//! Rules (moby `daemon/export.go`: a tar of the container's mounted rootfs): no root entry, no
//! whiteouts (the merged view has none), sockets left out, entries in path order, each file's
//! own mtime; names that share an inode in the merged view are written once, the later ones as
//! tar hardlinks to the first.

use crate::error::Result;
use crate::layer::{TarKind, TarWriter};
use crate::tree::Node;
use std::collections::HashMap;
use std::io::Write;

/// One entry of a merged view to export.
pub struct ExportItem<'a> {
    /// `/`-rooted path.
    pub path: &'a [u8],
    pub node: &'a Node,
    /// Identifies the inode across the view (e.g. `(layer, ino)`), for hardlinks.
    pub identity: (usize, u32),
}

/// Writes the items (in path order) as a rootfs tar.
pub fn export<'a, W: Write>(items: impl IntoIterator<Item = ExportItem<'a>>, out: W) -> Result<W> {
    let mut w = TarWriter::new(out);
    let mut first: HashMap<(usize, u32), Vec<u8>> = HashMap::new();
    for it in items {
        let rel = it.path.strip_prefix(b"/").unwrap_or(it.path);
        if rel.is_empty() {
            continue;
        }
        let Some(mut e) = it.node.tar_entry(rel) else { continue };
        if !it.node.is_dir() && it.node.nlink > 1 {
            match first.get(&it.identity) {
                Some(target) => e.kind = TarKind::Hardlink(target.clone()),
                None => {
                    first.insert(it.identity, rel.to_vec());
                }
            }
        }
        w.append(&e)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{index_layer, IndexOptions, LayerBlob};
    use crate::source::MemSource;
    use crate::tree::Tree;
    use crate::union::Stack;
    use std::sync::Arc;

    /// Two layers, the upper deleting a file and replacing a hardlinked one: the export holds
    /// the merged view only, and a hardlink pair of one layer stays a pair.
    #[test]
    fn export_is_the_merged_view() {
        let mut b = tar::Builder::new(Vec::new());
        let add = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(0);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, path, data).unwrap();
        };
        add(&mut b, "a", b"one");
        add(&mut b, "gone", b"x");
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Link);
        h.set_size(0);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        b.append_link(&mut h, "a2", "a").unwrap();
        let l0 = b.into_inner().unwrap();
        let mut b = tar::Builder::new(Vec::new());
        add(&mut b, ".wh.gone", b"");
        let l1 = b.into_inner().unwrap();
        let mut layers = Vec::new();
        for (i, bytes) in [l0, l1].into_iter().enumerate() {
            let src = MemSource::shared(bytes);
            let idx = index_layer(src.clone(), &IndexOptions::default(), &mut |_| true).unwrap();
            let blob = Arc::new(LayerBlob::new(src, format!("layer {i}")).unwrap());
            layers.push(Arc::new(Tree::from_entries(&idx.entries, Some(&blob), &mut Vec::new()).unwrap()));
        }
        let stack = Stack::new(layers);
        let merged = stack.merged();
        let items = merged.iter().map(|m| ExportItem { path: &m.path, node: stack.node(m.layer, m.ino), identity: (m.layer, m.ino) });
        let out = export(items, Vec::new()).unwrap();
        let idx = index_layer(MemSource::shared(out), &IndexOptions::default(), &mut |_| true).unwrap();
        let names: Vec<_> = idx.entries.iter().map(|e| (String::from_utf8_lossy(&e.path).to_string(), e.kind.clone())).collect();
        assert_eq!(
            names,
            vec![
                ("a".to_string(), crate::layer::EntryKind::File),
                ("a2".to_string(), crate::layer::EntryKind::Hardlink(b"a".to_vec().into())),
            ]
        );
    }
}
