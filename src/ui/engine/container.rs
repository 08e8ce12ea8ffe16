//! The engine's container side beyond the shell: the mount options switch, the page's file
//! actions (edit, delete, rename, new file, new directory), the replay of a saved journal, and
//! what every answer carries (`docker ps -s` figures, the copy-ups of the line, undo/reset state).
//!
//! Rules: a file action runs as container [`Op`]s (never as pasted shell text), so a name with
//! quotes or spaces is just bytes; its shell output starts with the equivalent command, quoted
//! as `sh` would need it, so the user learns the command. Errors are worded like coreutils.
//! `docker diff` is what moby's overlay2 driver reports: with native diff (config `default`)
//! the upper dir walked (`OverlayChanges`), otherwise the naive comparison of the merged view
//! with the lower layers (`ChangesDirs`), the same entries as `docker commit` writes.

use super::{docker_diff_native, event_line, Engine};
use crate::container::shell::strerror;
use crate::container::{diff::DiffKind, Config, Container, CopyKind, Event, Op};
use crate::listing::esc;
use crate::ui::protocol::{ContainerUsage, CopyUp, EventLine, FileAction, JournalItem, ShellResult};

/// Turns a display path (escaped as in listings: `\xHH`) back into bytes.
pub fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            if let Some(v) = b.get(i + 2..i + 4).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Quotes a word for `sh` (single quotes unless it is plainly safe).
pub fn sh_quote(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"/._-+,:@%=".contains(&c)) {
        return s.into_owned();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The mount options a config stands for (SPEC §1).
pub fn mount_options(c: Config) -> &'static str {
    c.options()
}

/// Text shown in the echo of an edit: at most this many characters of the content.
const ECHO_TEXT: usize = 120;

impl Engine {
    /// `L3 1a2b3c4d5e6f` for each position of the union (what events name).
    pub(super) fn layer_names(&self) -> Vec<String> {
        self.union_ids
            .iter()
            .map(|&id| {
                let pos = self.order.iter().position(|x| x.0 == id).unwrap_or(0);
                format!("L{pos} {}", self.layers[id as usize].info.short_id)
            })
            .collect()
    }

    /// The copy-ups among `events`, with the layer ids they came from.
    pub(super) fn copies_of(&self, events: &[Event]) -> Vec<CopyUp> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::CopyUp { path, layer, bytes, kind } => Some(CopyUp {
                    path: esc(path),
                    layer: self.union_ids.get(*layer).copied().unwrap_or(0),
                    bytes: *bytes,
                    kind: match kind {
                        CopyKind::Full => "full",
                        CopyKind::MetadataOnly => "metadata",
                        CopyKind::DataOnly => "data",
                    }
                    .into(),
                }),
                _ => None,
            })
            .collect()
    }

    /// Fills what every container answer carries: config, usage, undo/reset state, diff.
    pub(super) fn fill_status(&self, r: &mut ShellResult) {
        let Some(c) = self.container.as_ref() else { return };
        r.ready = true;
        r.config = c.config().name().into();
        // The image's bytes were counted per layer at load: a stack change walks nothing.
        let image = self.union_ids.iter().map(|&id| self.layers[id as usize].bytes).sum();
        r.usage = usage(c, image);
        r.can_undo = !self.undo.is_empty();
        r.empty = c.upper().node(crate::tree::ROOT).children().map_or(true, |m| m.is_empty());
        r.diff = docker_diff(c);
    }

    /// The container as it is now (after a stack change), without running anything.
    pub fn container_status(&self) -> ShellResult {
        let mut r = ShellResult::default();
        self.fill_status(&mut r);
        r
    }

    /// Restarts the container with other mount options (the layer starts empty, like a new
    /// `docker run`; undo history is dropped).
    pub fn set_config(&mut self, config: &str) -> ShellResult {
        let mut r = ShellResult::default();
        match Config::parse(config) {
            Ok(cfg) => {
                let was = self.container.as_ref().map(|c| c.config());
                self.container = Some(Container::new(self.union.clone(), cfg));
                self.undo.clear();
                let why = match was {
                    Some(w) if w != cfg => format!("the container restarted with {} (was {}): its layer starts empty", mount_options(cfg), mount_options(w)),
                    _ => format!("the container restarted with {}: its layer starts empty", mount_options(cfg)),
                };
                r.events.push(EventLine { kind: "mount".into(), text: why });
            }
            Err(e) => r.output.push(e.to_string()),
        }
        self.touched();
        self.fill_status(&mut r);
        r
    }

    /// The merged view changed: views are rebuilt on the next query.
    fn touched(&mut self) {
        self.version += 1;
        self.scope = None;
        self.view = None;
    }

    /// Runs a file action of the page as container ops.
    pub fn file_action(&mut self, a: &FileAction) -> ShellResult {
        let mut r = ShellResult::default();
        let Some(c) = self.container.as_mut() else {
            r.output.push("open an image first: the container runs over the stack".into());
            return r;
        };
        let before = c.clone();
        let (echo, op, fail): (String, Op, Box<dyn Fn(&str) -> String>) = match a {
            FileAction::Write { path, text } => {
                let p = unescape(path);
                let shown: String = text.chars().take(ECHO_TEXT).collect();
                let more = if shown.len() < text.len() { format!(" # … {} bytes in all", text.len()) } else { String::new() };
                let q = sh_quote(&p);
                (
                    format!("echo -n {} > {q}{more}", sh_quote(shown.as_bytes())),
                    Op::Write { path: p, text: text.as_bytes().to_vec() },
                    Box::new(move |e| format!("sh: {q}: {e}")),
                )
            }
            FileAction::Delete { path, dir } => {
                let p = unescape(path);
                let q = sh_quote(&p);
                let echo = if *dir { format!("rm -r {q}") } else { format!("rm {q}") };
                let op = if *dir { Op::RmR { path: p.clone() } } else { Op::Unlink { path: p.clone() } };
                let shown = String::from_utf8_lossy(&p).into_owned();
                (echo, op, Box::new(move |e| format!("rm: cannot remove '{shown}': {e}")))
            }
            FileAction::Rename { from, to } => {
                let (s, d) = (unescape(from), unescape(to));
                let (ss, ds) = (String::from_utf8_lossy(&s).into_owned(), String::from_utf8_lossy(&d).into_owned());
                (
                    format!("mv -T {} {}", sh_quote(&s), sh_quote(&d)),
                    Op::Mv { src: s, dst: d },
                    Box::new(move |e| format!("mv: cannot move '{ss}' to '{ds}': {e}")),
                )
            }
            FileAction::NewFile { path } => {
                let p = unescape(path);
                let shown = String::from_utf8_lossy(&p).into_owned();
                // `touch` of an existing file only changes its times: refuse, as the button says "new".
                if c.clone().apply(&Op::Stat { path: p.clone() }).errno.is_none() {
                    r.output.push(format!("# touch {}", sh_quote(&p)));
                    r.output.push(format!("touch: '{shown}' already exists: nothing done"));
                    self.fill_status(&mut r);
                    return r;
                }
                (format!("touch {}", sh_quote(&p)), Op::Touch { path: p }, Box::new(move |e| format!("touch: cannot touch '{shown}': {e}")))
            }
            FileAction::NewDir { path } => {
                let p = unescape(path);
                let shown = String::from_utf8_lossy(&p).into_owned();
                (format!("mkdir {}", sh_quote(&p)), Op::Mkdir { path: p }, Box::new(move |e| format!("mkdir: cannot create directory '{shown}': {e}")))
            }
        };
        r.output.push(format!("# {echo}"));
        let o = c.apply(&op);
        if let Some(e) = o.errno {
            r.output.push(fail(strerror(e)));
        }
        if o.events.iter().any(|e| !matches!(e, Event::Error { .. })) {
            self.undo.push(before);
        }
        let names = self.layer_names();
        r.events = o.events.iter().map(|e| event_line(e, &names)).collect();
        r.copies = self.copies_of(&o.events);
        self.touched();
        self.fill_status(&mut r);
        r
    }

    /// A restored session: restarts the container with `config` and replays the journal.
    pub fn replay(&mut self, config: &str, journal: &[JournalItem]) -> ShellResult {
        let mut all = self.set_config(config);
        all.events.clear();
        for item in journal {
            let r = match item {
                JournalItem::Line(l) => self.shell(l),
                JournalItem::Action(a) => self.file_action(a),
            };
            all.output.extend(r.output);
            all.events.extend(r.events);
        }
        if !journal.is_empty() {
            all.events.push(EventLine {
                kind: "restore".into(),
                text: format!("{} container write(s) of the saved session replayed over the restored stack", journal.len()),
            });
        }
        self.fill_status(&mut all);
        all
    }
}

/// `docker ps -s` figures and the counts of the container layer.
fn usage(c: &Container, image: u64) -> ContainerUsage {
    let u = c.usage_over(image);
    let (mut copied, mut whiteouts, mut opaque) = (0, 0, 0);
    let upper = c.upper();
    let lower = c.lower();
    for (path, ino) in upper.walk().into_iter().skip(1) {
        let n = upper.node(ino);
        if n.is_whiteout() {
            whiteouts += 1;
            continue;
        }
        if n.opaque.is_some() {
            opaque += 1;
        }
        let (parent, name) = super::split_last(&path);
        if lower.dir_stack(parent).and_then(|ds| lower.lookup_child(&ds, name)).is_some() {
            copied += 1;
        }
    }
    ContainerUsage { size: u.size, virtual_size: u.virtual_size, copied_bytes: u.copied_up, copied, whiteouts, opaque }
}

/// `docker diff` as moby's overlay2 driver reports it: native (upper dir walk) for config
/// `default`, else the naive diff (ChangesDirs): added (A), modified (C), deleted (D).
pub(super) fn docker_diff(c: &Container) -> Vec<String> {
    if c.config().native_diff() {
        return docker_diff_native(c);
    }
    let Ok(entries) = c.diff_entries() else { return docker_diff_native(c) };
    let lower = c.lower();
    let mut out: Vec<(Vec<u8>, char)> = Vec::new();
    for e in entries {
        let (parent, name) = super::split_last(&e.path);
        match &e.kind {
            DiffKind::Marker { .. } if name == b".wh..wh..opq" => {}
            DiffKind::Marker { .. } if name.starts_with(b".wh.") => {
                let mut p = if parent.is_empty() { b"/".to_vec() } else { parent.to_vec() };
                p = crate::path::join(&p, &name[4..]);
                out.push((p, 'D'));
            }
            _ => {
                let found = lower.dir_stack(parent_or_root(parent)).and_then(|ds| lower.lookup_child(&ds, name)).is_some();
                out.push((e.path.clone(), if found { 'C' } else { 'A' }));
            }
        }
    }
    out.sort();
    out.into_iter().map(|(p, k)| format!("{k} {}", esc(&p))).collect()
}

fn parent_or_root(p: &[u8]) -> &[u8] {
    if p.is_empty() {
        b"/"
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_and_quote() {
        assert_eq!(unescape("/a\\x20b\\x5c"), b"/a b\\");
        assert_eq!(sh_quote(b"/etc/motd"), "/etc/motd");
        assert_eq!(sh_quote(b"it's"), "'it'\\''s'");
        assert_eq!(sh_quote(b""), "''");
    }
}
