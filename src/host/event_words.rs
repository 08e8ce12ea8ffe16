//! The event log's words (issue 3): each [`EventLine`] carries a message key (`event.*`) and
//! its arguments, so the page says it in its language, beside its English `text`, rendered
//! here from [`EN`], the English of the message file (a test holds the two equal).
//!
//! Rules:
//! - The English `text` is what the CLI, the lessons' checks ([`crate::lessons`]) and the layers
//!   diagram read: a line about a path starts with that path (`PATH: …`, `PATH from …`,
//!   `directory PATH: …`), in every language the key has.
//! - Arguments are paths, layer names (`L3 1a2b3c4d5e6f`), mount options, numbers and image
//!   names: never words, so they stay as they are in any language. A word that varies (what was
//!   created, which attribute changed) is part of the key (`event.created.file`,
//!   `event.attr.mode`).
//! - An error's key is its errno's ([`crate::container::Errno::key`]), argument the call.
//! - The kind a line shows first is `event.kind.<label>` ([`EventKind::label`]).

use super::container::{EventKind, EventLine};
use crate::container::{CopyKind, Event};
use crate::listing::esc;

impl EventLine {
    /// A line saying `key` with `args`; its `text` is the English of [`EN`].
    pub fn new(kind: EventKind, key: &str, args: Vec<String>) -> EventLine {
        let en = EN.iter().find(|e| e.0 == key).map_or(key, |e| e.1);
        EventLine { kind, text: crate::drivers::said::fill(en, &args), key: key.to_string(), args }
    }
}

/// One line of the event log for a container event: its kind and a one-line explanation
/// (`layers` names each position of the union). The log shows the kind first
/// (`copy-up /a from L0 …`), so the text does not repeat it.
pub(super) fn event_line(e: &Event, layers: &[String]) -> EventLine {
    let name = |l: &usize| layers.get(*l).cloned().unwrap_or_else(|| format!("layer {l}"));
    let line = |kind, key: &str, args: Vec<String>| EventLine::new(kind, key, args);
    match e {
        Event::CopyUp { path, layer, dir: true, .. } => line(EventKind::CopyUp, "event.copyup.dir", vec![esc(path), name(layer)]),
        Event::CopyUp { path, layer, bytes, kind, .. } => {
            let key = match kind {
                CopyKind::Full => "event.copyup.full",
                CopyKind::MetadataOnly => "event.copyup.meta",
                CopyKind::DataOnly => "event.copyup.data",
            };
            line(EventKind::CopyUp, key, vec![esc(path), name(layer), bytes.to_string()])
        }
        Event::Whiteout { path, hides_layer: Some(l) } => line(EventKind::Whiteout, "event.whiteout.layer", vec![esc(path), name(l)]),
        Event::Whiteout { path, hides_layer: None } => line(EventKind::Whiteout, "event.whiteout.lower", vec![esc(path)]),
        Event::OpaqueSet { path } => line(EventKind::Opaque, "event.opaque", vec![esc(path)]),
        Event::RedirectSet { path, value } => line(EventKind::Redirect, "event.redirect", vec![esc(path), esc(value)]),
        Event::Created { path, what } => line(EventKind::Change, &format!("event.created.{what}"), vec![esc(path)]),
        Event::Removed { path } => line(EventKind::Change, "event.removed", vec![esc(path)]),
        Event::Renamed { from, to } => line(EventKind::Change, "event.renamed", vec![esc(from), esc(to)]),
        Event::Written { path, size } => line(EventKind::Change, "event.wrote", vec![esc(path), size.to_string()]),
        Event::MvFallback { from, to } => line(EventKind::Change, "event.mv_fallback", vec![esc(from), esc(to)]),
        Event::AttrChanged { path, what } => {
            line(EventKind::Change, &format!("event.attr.{}", what.split(' ').next().unwrap_or(what)), vec![esc(path)])
        }
        Event::Error { call, errno, sentence } => {
            EventLine { kind: EventKind::Error, text: sentence.clone(), key: errno.key(), args: vec![call.to_string()] }
        }
    }
}

/// The English of every key but the errnos' (the same as `www/i18n/en.msg`).
pub const EN: &[(&str, &str)] = &[
    (
        "event.copyup.dir",
        "{0} from {1} to the container layer: the directory alone, empty (its entries stay below; overlayfs copies up every parent of what it changes)",
    ),
    (
        "event.copyup.full",
        "{0} from {1} to the container layer: {2} bytes copied (lower layers are read-only, so overlayfs copies a file up before changing it)",
    ),
    ("event.copyup.meta", "{0} from {1}: metadata only (metacopy=on leaves the data below until it is written)"),
    ("event.copyup.data", "of the data of {0} from {1}: {2} bytes (first write after a metadata-only copy-up)"),
    ("event.whiteout.layer", "{0}: a 0/0 character device in the container layer hides {1}"),
    ("event.whiteout.lower", "{0}: a 0/0 character device in the container layer hides the lower entry"),
    ("event.opaque", "directory {0}: trusted.overlay.opaque=y hides everything below it in lower layers"),
    (
        "event.redirect",
        "{0} gets trusted.overlay.redirect={1}: renamed in the container layer, it keeps finding its lower layers' contents under the old name",
    ),
    ("event.created.directory", "created directory {0}"),
    ("event.created.file", "created file {0}"),
    ("event.created.symlink", "created symlink {0}"),
    ("event.created.fifo", "created fifo {0}"),
    ("event.created.socket", "created socket {0}"),
    ("event.created.device", "created device {0}"),
    ("event.created.hardlink", "created hardlink {0}"),
    ("event.removed", "removed {0}"),
    ("event.renamed", "renamed {0} -> {1}"),
    ("event.wrote", "wrote {0} ({1} bytes)"),
    (
        "event.mv_fallback",
        "rename {0} -> {1}: EXDEV (a lower or merged directory cannot be renamed without redirect_dir); mv copies and deletes instead",
    ),
    ("event.attr.times", "times set on {0}"),
    ("event.attr.mode", "mode changed on {0}"),
    ("event.attr.owner", "owner changed on {0}"),
    ("event.undo", "undo: the container layer is back as it was before the last change"),
    ("event.reset", "reset: the container layer is empty again (docker rm + docker run)"),
    ("event.mount", "the container restarted with {0}: its layer starts empty"),
    ("event.mount_was", "the container restarted with {0} (was {1}): its layer starts empty"),
    ("event.restore", "{0} container write(s) of the saved session replayed over the restored stack"),
    ("event.commit", "the container layer became layer {0} of the new image {1} ({2}); the next container starts empty on top of it"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::events::ALL_ERRNOS;
    use crate::container::Errno;
    use crate::i18n::{shipped, Lang};

    #[test]
    fn the_english_is_the_message_files_and_every_key_is_in_both_languages() {
        let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
        for (k, v) in EN {
            assert_eq!(en.get(k), Some(*v), "{k}");
            assert!(zh.contains(k), "{k} missing in zh-CN");
        }
        for e in ALL_ERRNOS {
            let k = e.key();
            assert_eq!(en.get(&k), Some(e.template()), "{k}");
            assert!(zh.contains(&k), "{k} missing in zh-CN");
            // Errno names stay verbatim in Chinese (the kernel's words).
            assert!(zh.text(&k).contains(e.name()), "{k}: zh-CN lacks {}", e.name());
        }
        for k in EventKind::ALL {
            let key = format!("event.kind.{}", k.label());
            assert_eq!(en.get(&key), Some(k.label()), "{key}");
            assert!(zh.contains(&key), "{key} missing in zh-CN");
        }
    }

    /// Every event the container reports has a line whose key is in the message files, and
    /// the line's English is today's (the lessons and the diagram read the path at its start).
    #[test]
    fn every_event_has_a_key_and_its_english() {
        let en = shipped(Lang::En);
        let names = vec!["L0 aaaaaaaaaaaa".to_string(), "L1 bbbbbbbbbbbb".to_string()];
        let p = || b"/d/ab".to_vec();
        let mut events = vec![
            Event::CopyUp { path: p(), layer: 1, bytes: 0, kind: CopyKind::Full, dir: true },
            Event::CopyUp { path: p(), layer: 1, bytes: 65, kind: CopyKind::Full, dir: false },
            Event::CopyUp { path: p(), layer: 0, bytes: 65, kind: CopyKind::MetadataOnly, dir: false },
            Event::CopyUp { path: p(), layer: 0, bytes: 65, kind: CopyKind::DataOnly, dir: false },
            Event::Whiteout { path: p(), hides_layer: Some(1) },
            Event::Whiteout { path: p(), hides_layer: None },
            Event::OpaqueSet { path: p() },
            Event::RedirectSet { path: p(), value: b"d".to_vec() },
            Event::Removed { path: p() },
            Event::Renamed { from: p(), to: b"/x".to_vec() },
            Event::Written { path: p(), size: 3 },
            Event::MvFallback { from: p(), to: b"/x".to_vec() },
        ];
        for what in ["directory", "file", "symlink", "fifo", "socket", "device", "hardlink"] {
            events.push(Event::Created { path: p(), what });
        }
        for what in ["times set on", "mode changed on", "owner changed on"] {
            events.push(Event::AttrChanged { path: p(), what });
        }
        for e in ALL_ERRNOS {
            events.push(Event::Error { call: "rename", errno: e, sentence: e.sentence("rename") });
        }
        for e in &events {
            let l = event_line(e, &names);
            assert!(en.contains(&l.key), "{e:?}: {} not in en.msg", l.key);
            let args: Vec<&str> = l.args.iter().map(String::as_str).collect();
            assert_eq!(en.format(&l.key, &args), l.text, "{e:?}");
            // The changes the log does not explain further say what the Display of the event says.
            if l.kind == EventKind::Change || l.kind == EventKind::Error {
                assert_eq!(l.text, e.to_string());
            }
        }
        let line = |e: &Event| event_line(e, &names).text;
        assert_eq!(
            line(&events[1]),
            "/d/ab from L1 bbbbbbbbbbbb to the container layer: 65 bytes copied (lower layers are read-only, so overlayfs copies a file up before changing it)"
        );
        assert_eq!(line(&events[4]), "/d/ab: a 0/0 character device in the container layer hides L1 bbbbbbbbbbbb");
        assert_eq!(line(&events[6]), "directory /d/ab: trusted.overlay.opaque=y hides everything below it in lower layers");
        assert_eq!(
            Errno::EXDEV.sentence("rename"),
            "rename: a directory from a lower layer cannot be renamed without redirect_dir (EXDEV); `mv` falls back to copy and delete"
        );
        assert_eq!(Errno::ENOENT.sentence("open"), "open: no such file or directory (a path component is missing, whited out, or a symlink dangles) (ENOENT)");
    }
}
