//! A layer's own tar entries as listing lines (SPEC §6 line format): what the layer stores,
//! before any extraction. Whiteouts and opaque markers stay `.wh.` files
//! (`f MODE UID:GID 0 DIGEST D/.wh.NAME`), hardlinks are `h MODE UID:GID - - PATH -> TARGET`,
//! the root entry is left out, lines are sorted by path bytes (ties keep tar order), and no
//! `nlink` or xattr marker is printed.

use super::{Entry, EntryKind, LayerBlob};
use crate::error::Result;
use crate::listing::{Line, TypeChar};

/// The lines of a layer's entries. File digests come from the index when it hashed them,
/// otherwise from `blob`.
pub fn entry_lines(entries: &[Entry], blob: Option<&LayerBlob>) -> Result<Vec<String>> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].path.cmp(&entries[b].path));
    if let Some(b) = blob.filter(|b| b.compression != super::Compression::None) {
        // One pass for the files the index did not hash (best effort: a failure is said below,
        // naming the entry).
        let want: Vec<(u64, u64)> = entries.iter().filter(|e| e.kind == EntryKind::File && e.size > 0 && e.digest.is_none()).map(|e| (e.offset, e.size)).collect();
        let _ = b.digest_ranges(&want);
    }
    let mut out = Vec::with_capacity(entries.len());
    for i in order {
        let e = &entries[i];
        let mut path = Vec::with_capacity(e.path.len() + 1);
        path.push(b'/');
        path.extend_from_slice(&e.path);
        let target_abs;
        let line = match &e.kind {
            EntryKind::Dir => Line::new(TypeChar::Dir, e.mode, e.uid, e.gid, &path),
            EntryKind::File | EntryKind::Whiteout | EntryKind::Opaque => {
                let mut l = Line::new(TypeChar::File, e.mode, e.uid, e.gid, &path);
                l.size = Some(e.size);
                l.digest = match (e.digest, blob) {
                    (Some(d), _) => Some(d),
                    _ if e.size == 0 => Some(crate::digest::sha256(b"")),
                    (None, Some(b)) => Some(b.digest_content(e.offset, e.size).map_err(|x| x.at_entry(e.display_path()))?),
                    (None, None) => None,
                };
                l
            }
            EntryKind::Symlink(t) => {
                let mut l = Line::new(TypeChar::Symlink, e.mode, e.uid, e.gid, &path);
                l.target = Some(t);
                l
            }
            EntryKind::Hardlink(t) => {
                let mut l = Line::new(TypeChar::Hardlink, e.mode, e.uid, e.gid, &path);
                let mut v = Vec::with_capacity(t.len() + 1);
                v.push(b'/');
                v.extend_from_slice(t);
                target_abs = v;
                l.target = Some(&target_abs);
                l
            }
            EntryKind::Char(a, b) => {
                let mut l = Line::new(TypeChar::Char, e.mode, e.uid, e.gid, &path);
                l.rdev = Some((*a, *b));
                l
            }
            EntryKind::Block(a, b) => {
                let mut l = Line::new(TypeChar::Block, e.mode, e.uid, e.gid, &path);
                l.rdev = Some((*a, *b));
                l
            }
            EntryKind::Fifo => Line::new(TypeChar::Fifo, e.mode, e.uid, e.gid, &path),
        };
        out.push(line.render());
    }
    Ok(out)
}
