//! The host's container: shell lines, the mount options switch, the page's file actions
//! (edit, delete, rename, new file, new directory), undo and reset, the replay of a saved
//! journal, and what every answer carries (`docker ps -s` figures, the copy-ups of the line,
//! the event log's lines, `docker diff`).
//!
//! Rules: a file action runs as container [`Op`]s (never as pasted shell text), so a name with
//! quotes or spaces is just bytes; its shell output starts with the equivalent command, quoted
//! as `sh` would need it, so the user learns the command. Errors are worded like coreutils.
//! `docker diff` and the layer's counts come from the container module
//! ([`Container::docker_diff`], [`Container::counts`]); this file only packs them into answers.

use super::{Host, LayerId};
use crate::container::shell::{sh_quote, strerror};
use super::event_words::{event_line, EventKind, EventLine};
use crate::container::{Config, Container, CopyKind, Event, Op};
use crate::listing::{esc, unescape};
use serde::{Deserialize, Serialize};

/// What the page can do to a path of the merged view. Paths are display paths
/// (escaped as in listings, `\xHH`), new ones included.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum FileAction {
    /// Replace a file's content (`echo -n '…' > FILE`: copy-up, then write).
    Write { path: String, text: String },
    /// `rm FILE`, or `rm -r DIR`.
    Delete { path: String, dir: bool },
    /// `mv -T SRC DST` (rename(2), with the EXDEV fallback of coreutils mv).
    Rename { from: String, to: String },
    /// `touch FILE` (only if FILE does not exist yet).
    NewFile { path: String },
    /// `mkdir DIR`.
    NewDir { path: String },
}

/// One thing done to the container, as the session keeps it (replayed in order).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum JournalItem {
    /// A shell line (`undo` and `reset` included).
    Line(String),
    Action(FileAction),
}

/// What `docker ps -s` shows for the container, and what its layer holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ContainerUsage {
    /// Bytes of file data in the upper dir (`docker ps -s` size).
    pub size: u64,
    /// The image's bytes plus the container's.
    pub virtual_size: u64,
    /// Bytes copied up since the container started.
    pub copied_bytes: u64,
    /// Entries of the upper dir that also exist below (copied up), whiteouts, opaque dirs.
    pub copied: u32,
    pub whiteouts: u32,
    pub opaque: u32,
}

/// One copy-up of a line, for the diagram (the chip that travels).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CopyUp {
    /// Display path.
    pub path: String,
    /// The layer the entry came from.
    pub layer: LayerId,
    pub bytes: u64,
    /// Whole file, metadata only (metacopy) or the data of an earlier metadata-only copy-up.
    pub kind: CopyKind,
}

/// The answer to anything done to the container (a shell line, a file action, a mount
/// switch, a replay): output, events, and the container as it is after it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ShellResult {
    /// The command echoed, then its output and errors (worded like coreutils).
    pub output: Vec<String>,
    /// Copy-up, whiteout, opaque, redirect, error: one line each with its explanation.
    pub events: Vec<EventLine>,
    /// `docker diff` of the container layer after the line (`A /x`, `C /y`, `D /z`).
    pub diff: Vec<String>,
    /// True if the container layer exists (the shell is usable).
    pub ready: bool,
    /// The mount config the container runs with.
    #[serde(default)]
    pub config: Config,
    #[serde(default)]
    pub usage: ContainerUsage,
    /// The copy-ups this line did, in order.
    #[serde(default)]
    pub copies: Vec<CopyUp>,
    /// True if `undo` has something to undo; `empty` if the container layer holds nothing.
    #[serde(default)]
    pub can_undo: bool,
    #[serde(default)]
    pub empty: bool,
}

/// The container as another worker replays it ([`Host::replay_input`]).
pub struct ReplayInput {
    pub layers: Vec<(LayerId, std::sync::Arc<crate::layer::LayerBlob>)>,
    pub config: Config,
    pub script: String,
    /// The last shell line the container ran, if any since it was made.
    pub line: Option<String>,
    /// How many of the ops of `script` ran before that line.
    pub line_ops: usize,
}

/// Marks a shell output line that is our own sentence, not a command's output: the line is
/// its message key (`www/i18n/*.msg`), said by the page in its language ([`said_key`]).
pub fn said(key: &str) -> String {
    format!("\u{1}{key}")
}

/// The message key of a line made by [`said`], if it is one.
pub fn said_key(line: &str) -> Option<&str> {
    line.strip_prefix('\u{1}')
}

/// Text shown in the echo of an edit: at most this many characters of the content.
const ECHO_TEXT: usize = 120;

impl Host {
    /// Runs one shell line in the container layer (`undo` and `reset` are
    /// understood here), returning its output, events and `docker diff`.
    pub fn shell(&mut self, line: &str) -> ShellResult {
        let mut output = vec![format!("# {line}")];
        self.last_line = Some(line.trim().to_string());
        self.line_ops = self.ops.len();
        let mut events = Vec::new();
        let mut copies = Vec::new();
        let Some(c) = self.container.as_mut() else {
            output.push(said("shell.no_image"));
            return ShellResult { output, ..Default::default() };
        };
        match line.trim() {
            "undo" => match self.undo.pop() {
                Some((prev, ops)) => {
                    *c = prev;
                    self.ops = ops;
                    events.push(EventLine::new(EventKind::Undo, "event.undo", Vec::new()));
                }
                None => output.push(said("shell.no_undo")),
            },
            "reset" => {
                self.undo.push((c.clone(), std::mem::take(&mut self.ops)));
                c.reset();
                events.push(EventLine::new(EventKind::Reset, "event.reset", Vec::new()));
            }
            _ => {
                let before = c.clone();
                let before_ops = self.ops.clone();
                // Every op the line runs for real is logged (the drivers comparison replays them).
                let ops = &mut self.ops;
                let mut tap = |op: &Op, _: &crate::container::Outcome, _: &Container| ops.push(op.clone());
                let r = crate::container::shell::run_observed(c, line, &mut tap);
                if r.changed {
                    self.undo.push((before, before_ops));
                }
                output.extend(r.output);
                let names = self.layer_names();
                events.extend(r.events.iter().map(|e| event_line(e, &names)));
                copies = self.copies_of(&r.events);
            }
        }
        self.touched();
        let mut res = ShellResult { output, events, copies, ..Default::default() };
        self.fill_status(&mut res);
        res
    }


    /// `L3 1a2b3c4d5e6f` for each position of the union (what events name).
    pub(super) fn layer_names(&self) -> Vec<String> {
        self.union_ids
            .iter()
            .map(|&id| format!("{} {}", super::stack_label(&self.order, id), self.layers[id as usize].info.short_id))
            .collect()
    }

    /// The copy-ups among `events`, with the layer ids they came from.
    pub(super) fn copies_of(&self, events: &[Event]) -> Vec<CopyUp> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::CopyUp { path, layer, bytes, kind, .. } => Some(CopyUp {
                    path: esc(path),
                    layer: self.union_ids.get(*layer).copied().unwrap_or(0),
                    bytes: *bytes,
                    kind: *kind,
                }),
                _ => None,
            })
            .collect()
    }

    /// Fills what every container answer carries: config, usage, undo/reset state, diff.
    pub(super) fn fill_status(&self, r: &mut ShellResult) {
        let Some(c) = self.container.as_ref() else { return };
        r.ready = true;
        r.config = c.config();
        // The image's bytes were counted per layer at load: a stack change walks nothing.
        let image = self.union_ids.iter().map(|&id| self.layers[id as usize].bytes).sum();
        let u = c.usage_over(image);
        let n = c.counts();
        r.usage = ContainerUsage {
            size: u.size,
            virtual_size: u.virtual_size,
            copied_bytes: u.copied_up,
            copied: n.copied,
            whiteouts: n.whiteouts,
            opaque: n.opaque,
        };
        r.can_undo = !self.undo.is_empty();
        r.empty = c.upper().node(crate::tree::ROOT).children().map_or(true, |m| m.is_empty());
        r.diff = c.docker_diff().iter().map(|d| d.to_string()).collect();
    }

    /// What the storage-driver comparison (issue 12) needs to run this container again in
    /// another worker, whose own models price it: the union's layers (bottom first) with their
    /// blobs, the mount options, and every op the container ran since it was made as an OPS
    /// script. `None` before a stack is set.
    pub fn replay_input(&self) -> Option<ReplayInput> {
        let c = self.container.as_ref()?;
        let blob = |id: LayerId| {
            self.images.iter().find_map(|(img, ids)| ids.iter().position(|&x| x == id).and_then(|k| img.layers.get(k)).map(|l| l.blob.clone()))
        };
        let layers = self.union_ids.iter().map(|&id| Some((id, blob(id)?))).collect::<Option<Vec<_>>>()?;
        let script = self.ops.iter().map(|o| o.script_line() + "\n").collect();
        Some(ReplayInput { layers, config: c.config(), script, line: self.last_line.clone(), line_ops: self.line_ops })
    }

    /// The container as it is now (after a stack change), without running anything.
    pub fn container_status(&self) -> ShellResult {
        let mut r = ShellResult::default();
        self.fill_status(&mut r);
        r
    }

    /// Restarts the container with other mount options (the layer starts empty, like a new
    /// `docker run`; undo history is dropped).
    pub fn set_config(&mut self, cfg: Config) -> ShellResult {
        let mut r = ShellResult::default();
        let was = self.container.as_ref().map(|c| c.config());
        self.container = Some(Container::new(self.union.clone(), cfg));
        self.undo.clear();
        self.ops.clear();
        self.last_line = None;
        let why = match was {
            Some(w) if w != cfg => EventLine::new(EventKind::Mount, "event.mount_was", vec![cfg.options().into(), w.options().into()]),
            _ => EventLine::new(EventKind::Mount, "event.mount", vec![cfg.options().into()]),
        };
        r.events.push(why);
        self.touched();
        self.fill_status(&mut r);
        r
    }

    /// Runs a file action of the page as container ops.
    pub fn file_action(&mut self, a: &FileAction) -> ShellResult {
        let mut r = ShellResult::default();
        let Some(c) = self.container.as_mut() else {
            r.output.push(said("shell.no_image"));
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
        let before_ops = self.ops.clone();
        let o = c.apply(&op);
        self.ops.push(op);
        if let Some(e) = o.errno {
            r.output.push(fail(strerror(e)));
        }
        if o.events.iter().any(|e| !matches!(e, Event::Error { .. })) {
            self.undo.push((before, before_ops));
        }
        let names = self.layer_names();
        r.events = o.events.iter().map(|e| event_line(e, &names)).collect();
        r.copies = self.copies_of(&o.events);
        self.touched();
        self.fill_status(&mut r);
        r
    }

    /// A restored session: restarts the container with `config` and replays the journal.
    pub fn replay(&mut self, config: Config, journal: &[JournalItem]) -> ShellResult {
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
            all.events.push(EventLine::new(EventKind::Restore, "event.restore", vec![journal.len().to_string()]));
        }
        self.fill_status(&mut all);
        all
    }
}
