//! What a driver model says about an op, as message keys (`drivers.why.*`, `drivers.ev.*`,
//! and the event log's own `event.created.*`, `event.attr.*`, `event.errno.*`) and their
//! arguments, so the page says it in its language; [`english`] renders the English
//! that the CLI prints and [`super::report`] announces to a lesson, from [`EN`], which is
//! the English of the message file (a test holds the two equal).

use crate::container::{CopyKind, Errno, Event};
use crate::i18n::fill;
use crate::listing::esc;

/// One part of an explanation: a message key and its arguments (`{0}`, `{1}`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Said {
    pub key: String,
    pub args: Vec<String>,
}

impl Said {
    pub fn new(key: &str, args: &[&dyn std::fmt::Display]) -> Said {
        Said { key: format!("drivers.{key}"), args: args.iter().map(|a| a.to_string()).collect() }
    }
}

/// A part whose text starts with `.` or `;` (`。`, `；`) continues the sentence before it; any
/// other part is joined with `; `.
pub fn joined(parts: impl IntoIterator<Item = String>) -> String {
    let mut out = String::new();
    for (i, t) in parts.into_iter().enumerate() {
        if i > 0 && !t.starts_with(['.', ';', '。', '；']) {
            out.push_str("; ");
        }
        out.push_str(&t);
    }
    out
}


/// The English of `parts`.
pub fn english(parts: &[Said]) -> String {
    joined(parts.iter().map(|p| match EN.iter().find(|e| e.0 == p.key) {
        Some(e) => fill(e.1, &p.args),
        None => event_english(p),
    }))
}

/// The English of a part worded by the event log's own keys (`event.created.*`,
/// `event.attr.*`, `event.errno.*`, in the message files beside the event log's other lines):
/// the container's words, as its events say them.
fn event_english(p: &Said) -> String {
    let arg = |i: usize| p.args.get(i).map_or("", String::as_str);
    if let Some(e) = p.key.strip_prefix("event.errno.").and_then(|n| Errno::ALL.into_iter().find(|e| e.name() == n)) {
        return e.sentence(arg(0));
    }
    if p.key.starts_with("event.created.") {
        return format!("created {} {}", arg(1), arg(0));
    }
    if p.key.starts_with("event.attr.") {
        return format!("{} {}", arg(1), arg(0));
    }
    p.key.clone()
}

/// The events of an op (how the overlay-based drivers explain themselves); aufs names its
/// whiteouts and opaque markers as they are on its disk.
pub fn events(events: &[Event], aufs: bool) -> Vec<Said> {
    events
        .iter()
        .map(|e| match e {
            Event::CopyUp { path, layer, dir: true, .. } => Said::new("ev.copy_up_dir", &[&esc(path), layer]),
            Event::CopyUp { path, layer, bytes, kind, .. } => match kind {
                CopyKind::Full => Said::new("ev.copy_up", &[&esc(path), layer, bytes]),
                CopyKind::MetadataOnly => Said::new("ev.copy_up_meta", &[&esc(path), layer]),
                CopyKind::DataOnly => Said::new("ev.copy_up_data", &[&esc(path), layer, bytes]),
            },
            Event::Whiteout { path, hides_layer: Some(l) } => Said::new(if aufs { "ev.aufs_whiteout_hides" } else { "ev.whiteout_hides" }, &[&esc(path), l]),
            Event::Whiteout { path, hides_layer: None } => Said::new(if aufs { "ev.aufs_whiteout" } else { "ev.whiteout" }, &[&esc(path)]),
            Event::OpaqueSet { path } => Said::new(if aufs { "ev.aufs_opaque" } else { "ev.opaque" }, &[&esc(path)]),
            Event::RedirectSet { path, value } => Said::new("ev.redirect", &[&esc(path), &esc(value)]),
            // The event log's keys; the kind word rides along for the English.
            Event::Created { path, what } => Said { key: format!("event.created.{what}"), args: vec![esc(path), what.to_string()] },
            Event::Removed { path } => Said::new("ev.removed", &[&esc(path)]),
            Event::Renamed { from, to } => Said::new("ev.renamed", &[&esc(from), &esc(to)]),
            Event::Written { path, size } => Said::new("ev.wrote", &[&esc(path), size]),
            Event::MvFallback { from, to } => Said::new("ev.mv_fallback", &[&esc(from), &esc(to)]),
            Event::AttrChanged { path, what } => {
                Said { key: format!("event.attr.{}", what.split(' ').next().unwrap_or(what)), args: vec![esc(path), what.to_string()] }
            }
            Event::Error { call, errno, .. } => Said { key: errno.key(), args: vec![call.to_string()] },
        })
        .collect()
}

/// The English of every key (the same as `www/i18n/en.msg`).
pub const EN: &[(&str, &str)] = &[
    ("drivers.ev.copy_up_dir", "copy-up of directory {0} from layer {1}"),
    ("drivers.ev.copy_up", "copy-up {0} from layer {1}: {2} bytes"),
    ("drivers.ev.copy_up_meta", "copy-up {0} from layer {1}: metadata only"),
    ("drivers.ev.copy_up_data", "copy-up of the data of {0} from layer {1}: {2} bytes"),
    ("drivers.ev.whiteout_hides", "whiteout {0} hides layer {1}"),
    ("drivers.ev.whiteout", "whiteout {0}"),
    ("drivers.ev.aufs_whiteout_hides", "whiteout .wh. file for {0} hides layer {1}"),
    ("drivers.ev.aufs_whiteout", "whiteout .wh. file for {0}"),
    ("drivers.ev.opaque", "opaque dir {0}"),
    ("drivers.ev.aufs_opaque", ".wh..wh..opq in {0}"),
    ("drivers.ev.redirect", "redirect {0} -> {1}"),
    ("drivers.ev.removed", "removed {0}"),
    ("drivers.ev.renamed", "renamed {0} -> {1}"),
    ("drivers.ev.wrote", "wrote {0} ({1} bytes)"),
    ("drivers.ev.mv_fallback", "rename {0} -> {1}: EXDEV (a lower or merged directory cannot be renamed without redirect_dir); mv copies and deletes instead"),
    ("drivers.why.nothing", "nothing changed"),
    ("drivers.why.upper_nothing", "nothing changed in the upper dir"),
    ("drivers.why.overlay2_create", "the container's empty upper dir: one 4 KiB directory block; nothing of the image is copied"),
    ("drivers.why.overlay2_xfs_create", "the container's empty upper dir lives in its inode; nothing of the image is copied"),
    (
        "drivers.why.xfs_reflink",
        ". On xfs the copy-up is a reflink (clone_file_range): the file's blocks stay shared, and only the 128 KiB CoW granules a write touches get new blocks",
    ),
    ("drivers.why.aufs_create", "the rw branch: its directory block, and aufs's .wh..wh.plnk and .wh..wh.orph directories (4 KiB each); nothing of the image is copied"),
    (
        "drivers.why.dm_create_xfs",
        "a thin snapshot of the image's device shares every pool block; mounting xfs writes its superblock and log (≈ 2 MiB), which the snapshot must own",
    ),
    ("drivers.why.dm_create_ext4", "a thin snapshot of the image's device shares every pool block; mounting ext4 writes its superblock: one pool block"),
    (
        "drivers.why.dm_owned_xfs",
        "every 4 KiB block written (inode changes go to the xfs log) is in a {0} KiB pool block the container already owns: nothing new",
    ),
    ("drivers.why.dm_owned_ext4", "every 4 KiB block written is in a {0} KiB pool block the container already owns: nothing new"),
    (
        "drivers.why.dm_new_xfs",
        "{0} new {1} KiB pool blocks ({2} for file data, {3} for directory blocks); {4} copied from the image's blocks because a 4 KiB write covered only part of a shared pool block",
    ),
    (
        "drivers.why.dm_new_ext4",
        "{0} new {1} KiB pool blocks ({2} for file data, {3} for the journal, inode table, bitmaps and directory blocks); {4} copied from the image's blocks because a 4 KiB write covered only part of a shared pool block",
    ),
    ("drivers.why.btrfs_create", "the snapshot's own tree root: one 16 KiB node; every extent and leaf is shared with the image"),
    (
        "drivers.why.btrfs_written",
        "{0} of 4 KiB data sectors written (a write into the image's extent goes to a new extent; the old one stays whole), {1} new 16 KiB leaves copied",
    ),
    ("drivers.why.btrfs_freed", "{0} of 4 KiB data sectors freed, {1} new 16 KiB leaves copied"),
    ("drivers.why.btrfs_single", "; the whole tree now fits in one leaf, so the container owns just that leaf"),
    ("drivers.why.zfs_create", "a clone of the image's snapshot: every record shared, nothing written"),
    (
        "drivers.why.zfs_written",
        "{0} of records written (a touched 128 KiB record is rewritten whole; a file up to 128 KiB is one block), plus the txg's dnode and indirect-block copies",
    ),
    (
        "drivers.why.zfs_freed",
        "{0} of records freed (a touched 128 KiB record is rewritten whole; a file up to 128 KiB is one block), plus the txg's dnode and indirect-block copies",
    ),
    ("drivers.why.vfs_create", "a full copy of the image (copy.DirCopy): every file's blocks and every directory's"),
    ("drivers.why.vfs_more", "written in place in the container's own copy: {0} more"),
    ("drivers.why.vfs_back", "written in place in the container's own copy: {0} given back"),
    (
        "drivers.why.read_upper",
        "read {0} from the container's upper dir: the container's own copy, cached for it alone (no page cache sharing for this file)",
    ),
    (
        "drivers.why.read_lower",
        "read {0} from layer {1}: every container of this image opens that same inode, so its pages are cached once (page cache sharing)",
    ),
    (
        "drivers.why.read_dm",
        "read {0} through the container's own thin device: each container loads its own copy into memory (no page cache sharing)",
    ),
    (
        "drivers.why.read_btrfs",
        "read {0} from the container's snapshot: its extents are shared on disk, but its inode and cached pages are this container's (no page cache sharing)",
    ),
    ("drivers.why.read_zfs", "read {0} from the container's clone: its records are shared on disk, and ZFS's single-copy ARC caches a shared block once (ARC sharing)"),
    ("drivers.why.read_vfs", "read {0} from the container's own full copy of the image: its own inode and cached pages (no page cache sharing)"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{shipped, Lang};

    #[test]
    fn the_english_is_the_message_files_and_every_key_is_in_both_languages() {
        crate::i18n::assert_english_table(EN);
    }

    #[test]
    fn every_drivers_words_are_in_both_languages() {
        let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
        for d in crate::drivers::Driver::ALL {
            for (k, v) in d.words() {
                assert_eq!(en.get(&k), Some(v), "{k}");
                assert!(zh.contains(&k), "{k} missing in zh-CN");
            }
        }
    }

    /// Parts worded by the event log's keys: their English is the event's own, and the page
    /// finds the key in both languages.
    #[test]
    fn events_said_with_the_event_logs_keys_keep_their_english() {
        let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
        let mut evs: Vec<Event> = ["directory", "file", "symlink", "fifo", "socket", "device", "hardlink"]
            .into_iter()
            .map(|what| Event::Created { path: b"/a b".to_vec(), what })
            .chain(["times set on", "mode changed on", "owner changed on"].into_iter().map(|what| Event::AttrChanged { path: b"/x".to_vec(), what }))
            .collect();
        evs.extend(Errno::ALL.into_iter().map(|e| Event::Error { call: "open", errno: e, sentence: e.sentence("open") }));
        for (e, p) in evs.iter().zip(events(&evs, false)) {
            assert_eq!(english(std::slice::from_ref(&p)), e.to_string(), "{}", p.key);
            assert!(en.contains(&p.key) && zh.contains(&p.key), "{} missing", p.key);
        }
    }

    #[test]
    fn parts_join_as_sentences() {
        assert_eq!(joined(["a".to_string(), "b".into(), ". C".into(), "; d".into()]), "a; b. C; d");
    }
}
