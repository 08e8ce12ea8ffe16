//! The event log's lines (issue 3) and their words: an [`EventLine`] is a message key
//! (`event.*`) and its arguments, so the page says it in its language; [`EventLine::text`]
//! renders its English from [`EN`] (and [`crate::container::Errno::sentence`] for an error), the
//! English of the message file (a test holds the two equal, line for line with the English the
//! log always had).
//!
//! Rules:
//! - The worker sends key and arguments only (no English: the first-load wasm carries no
//!   sentence twice); what reads a line's path (the lessons' checks, the layers diagram) takes
//!   [`EventLine::path`], never words.
//! - Arguments are paths, layer names (`L3 1a2b3c4d5e6f`), mount options, numbers, image names
//!   and syscall names: never words, so they stay as they are in any language. A word that
//!   varies (what was created, which attribute changed) is part of the key
//!   (`event.created.file`, `event.attr.mode`).
//! - An error's key is its errno's ([`crate::container::Errno::key`]), its argument the call.
//! - The kind a line shows first is `event.kind.<label>` ([`EventKind::label`]).

use crate::container::{CopyKind, Errno, Event};
use crate::listing::esc;
use serde::{Deserialize, Serialize};

/// What an event log line is about; the log shows it first ([`EventKind::label`]).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum EventKind {
    CopyUp,
    Whiteout,
    Opaque,
    Redirect,
    Error,
    /// Any other change the container layer saw (a file created, removed, ...).
    #[default]
    Change,
    Undo,
    Reset,
    /// The mount options were switched (the container restarted).
    Mount,
    /// A saved session's writes were replayed.
    Restore,
    /// The container was committed.
    Commit,
}

impl EventKind {
    /// The word the log shows (also the CSS class of the line).
    pub fn label(self) -> &'static str {
        match self {
            EventKind::CopyUp => "copy-up",
            EventKind::Whiteout => "whiteout",
            EventKind::Opaque => "opaque",
            EventKind::Redirect => "redirect",
            EventKind::Error => "error",
            EventKind::Change => "change",
            EventKind::Undo => "undo",
            EventKind::Reset => "reset",
            EventKind::Mount => "mount",
            EventKind::Restore => "restore",
            EventKind::Commit => "commit",
        }
    }
}

/// Every kind, for tests.
#[cfg(test)]
impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::CopyUp,
        EventKind::Whiteout,
        EventKind::Opaque,
        EventKind::Redirect,
        EventKind::Error,
        EventKind::Change,
        EventKind::Undo,
        EventKind::Reset,
        EventKind::Mount,
        EventKind::Restore,
        EventKind::Commit,
    ];
}

/// One line of the event log: what happened, explained in one line, as a message key
/// (`event.*`) and its arguments: the page says it in its language,
/// [`EventLine::text`] in English; [`EventLine::path`] is the path it is about.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct EventLine {
    pub kind: EventKind,
    pub key: String,
    /// `{0}`, `{1}`, …: display paths, layer names, numbers, mount options, a syscall's name.
    pub args: Vec<String>,
}

/// The keys whose English starts with the path they are about (`PATH: …`, `PATH from …`,
/// `directory PATH: …`): copy-ups of a whole entry, whiteouts, opaque dirs, redirects.
const ABOUT_PATH: [&str; 7] =
    ["event.copyup.dir", "event.copyup.full", "event.copyup.meta", "event.whiteout.layer", "event.whiteout.lower", "event.opaque", "event.redirect"];

impl EventLine {
    pub fn new(kind: EventKind, key: &str, args: Vec<String>) -> EventLine {
        EventLine { kind, key: key.to_string(), args }
    }

    /// The line in English, as the log always said it (the key itself if it is unknown).
    pub fn text(&self) -> String {
        if let Some(e) = self.key.strip_prefix("event.errno.").and_then(|n| Errno::ALL.into_iter().find(|e| e.name() == n)) {
            return e.sentence(self.args.first().map_or("", String::as_str));
        }
        let en = EN.iter().find(|e| e.0 == self.key).map_or(self.key.as_str(), |e| e.1);
        crate::i18n::fill(en, &self.args)
    }

    /// The display path the line is about, if its English starts with it (a copy-up of a whole
    /// entry, a whiteout, an opaque dir, a redirect).
    pub fn path(&self) -> Option<&str> {
        ABOUT_PATH.contains(&self.key.as_str()).then(|| self.args.first().map(String::as_str)).flatten()
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
        Event::Error { call, errno, .. } => line(EventKind::Error, &errno.key(), vec![call.to_string()]),
    }
}

/// The English of every key but the errnos' (the same as `www/i18n/en.msg`; natively only:
/// the page reads the message files).
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
    use crate::i18n::{shipped, Lang};

    #[test]
    fn the_english_is_the_message_files_and_every_key_is_in_both_languages() {
        crate::i18n::assert_english_table(EN);
        let (en, zh) = (shipped(Lang::En), shipped(Lang::ZhCn));
        for e in Errno::ALL {
            let k = e.key();
            assert_eq!(en.get(&k), Some(e.sentence("{0}").as_str()), "{k}");
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
        for e in Errno::ALL {
            events.push(Event::Error { call: "rename", errno: e, sentence: e.sentence("rename") });
        }
        for e in &events {
            let l = event_line(e, &names);
            assert!(en.contains(&l.key), "{e:?}: {} not in en.msg", l.key);
            let args: Vec<&str> = l.args.iter().map(String::as_str).collect();
            assert_eq!(en.format(&l.key, &args), l.text(), "{e:?}");
            // The changes the log does not explain further say what the Display of the event says.
            if l.kind == EventKind::Change || l.kind == EventKind::Error {
                assert_eq!(l.text(), e.to_string());
            }
            // The path a line is about is where its English starts.
            if let Some(p) = l.path() {
                let t = l.text();
                let rest = t.strip_prefix("directory ").unwrap_or(&t);
                assert!(rest.strip_prefix(p).is_some_and(|r| r.starts_with([' ', ':'])), "{t}");
            }
        }
        let line = |e: &Event| event_line(e, &names).text();
        assert_eq!(
            line(&events[1]),
            "/d/ab from L1 bbbbbbbbbbbb to the container layer: 65 bytes copied (lower layers are read-only, so overlayfs copies a file up before changing it)"
        );
        assert_eq!(line(&events[4]), "/d/ab: a 0/0 character device in the container layer hides L1 bbbbbbbbbbbb");
        assert_eq!(line(&events[6]), "directory /d/ab: trusted.overlay.opaque=y hides everything below it in lower layers");
        // The rest, as the log said them before it had keys (its format strings, verbatim).
        let (path, l1, l0) = ("/d/ab", "L1 bbbbbbbbbbbb", "L0 aaaaaaaaaaaa");
        assert_eq!(line(&events[0]), format!("{} from {} to the container layer: the directory alone, empty (its entries stay below; overlayfs copies up every parent of what it changes)", path, l1));
        assert_eq!(line(&events[2]), format!("{} from {}: metadata only (metacopy=on leaves the data below until it is written)", path, l0));
        assert_eq!(line(&events[3]), format!("of the data of {} from {}: {} bytes (first write after a metadata-only copy-up)", path, l0, 65));
        assert_eq!(line(&events[5]), format!("{}: a 0/0 character device in the container layer hides {}", path, "the lower entry"));
        assert_eq!(line(&events[7]), format!("{} gets trusted.overlay.redirect={}: renamed in the container layer, it keeps finding its lower layers' contents under the old name", path, "d"));
        let said = |key: &str, args: &[&str]| EventLine::new(EventKind::Change, key, args.iter().map(|a| a.to_string()).collect()).text();
        assert_eq!(said("event.undo", &[]), "undo: the container layer is back as it was before the last change");
        assert_eq!(said("event.reset", &[]), "reset: the container layer is empty again (docker rm + docker run)");
        let (a, b) = ("redirect_dir=on,index=off,metacopy=off", "redirect_dir=off,index=off,metacopy=off");
        assert_eq!(said("event.mount_was", &[a, b]), format!("the container restarted with {} (was {}): its layer starts empty", a, b));
        assert_eq!(said("event.mount", &[a]), format!("the container restarted with {}: its layer starts empty", a));
        assert_eq!(said("event.restore", &["2"]), format!("{} container write(s) of the saved session replayed over the restored stack", 2));
        let (layer, id, name) = ("0123456789ab", "ba9876543210", "snap:1");
        assert_eq!(
            said("event.commit", &[layer, id, name]),
            format!("the container layer became layer {layer} of the new image {id} ({}); the next container starts empty on top of it", name)
        );
        assert_eq!(
            Errno::EXDEV.sentence("rename"),
            "rename: a directory from a lower layer cannot be renamed without redirect_dir (EXDEV); `mv` falls back to copy and delete"
        );
        assert_eq!(Errno::ENOENT.sentence("open"), "open: no such file or directory (a path component is missing, whited out, or a symlink dangles) (ENOENT)");
    }
}
