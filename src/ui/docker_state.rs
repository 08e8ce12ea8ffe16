//! The Docker host's side of the page: what its terminal printed, the host's lists and store
//! picture, and the journal that makes the host again after a reload.
//!
//! Rules: one reducer ([`DockerUi`]), apart from [`crate::ui::state::AppState`] because the
//! Docker worker is its own (started on first use); the journal ([`DockerItem`]s and the
//! archives' blobs they name) only grows, and is saved to IndexedDB after every change.

use crate::ui::docker_protocol::{self as proto, BuildFiles, DockerItem, Snapshot, Transcript};
use crate::docker::var_lib::VarEntry;
use crate::ui::components::build_steps::BuildView;
use std::rc::Rc;
use web_sys::Blob;
use yew::prelude::*;

/// A container picked in the list: its `docker diff` and merged listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub name: String,
    pub diff: String,
    pub listing: Vec<String>,
}

/// The `/var/lib/docker` search shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VarView {
    pub query: String,
    pub entries: Vec<VarEntry>,
    pub total: usize,
}

#[derive(Clone, PartialEq, Default)]
pub struct DockerUi {
    pub started: bool,
    /// The worker has answered once (the lists are real).
    pub answered: bool,
    pub output: Rc<Vec<Transcript>>,
    pub snapshot: Rc<Snapshot>,
    pub journal: Rc<Vec<DockerItem>>,
    pub files: Rc<Vec<Blob>>,
    /// The journal was read from IndexedDB (saving may start).
    pub loaded: bool,
    /// The last completion: the line to put in the prompt and the candidates (several).
    pub completion: Option<(String, Vec<String>)>,
    pub completion_seq: u32,
    pub picked: Option<Picked>,
    pub var: VarView,
    pub error: Option<String>,
    /// BUILD: the build context as edited (the sample, then the journal's edits), set when the
    /// journal is read.
    pub context: Rc<BuildFiles>,
    /// Counts the journal's changes (a write can replace the last item: the length stays).
    pub journal_seq: u32,
    /// BUILD: the last `docker build`'s steps, as the "Build steps" region draws them.
    pub build: Rc<BuildView>,
    /// LESSONS: the host began afresh while the journal's replay was still on its way: its
    /// answer (output and lists of the host before the reset) is not shown.
    pub drop_replay: bool,
}

pub enum DockerAction {
    Started,
    /// The saved journal (none: nothing saved).
    Loaded(Option<(Vec<DockerItem>, Vec<Blob>)>),
    /// An item done now; a load carries its archive.
    Journal(DockerItem, Option<Blob>),
    /// `replay`: the journal's (its builds show finished, not played).
    Output { entries: Vec<Transcript>, snapshot: Snapshot, replay: bool },
    Completions(Vec<String>),
    Picked(Picked),
    Var(VarView),
    Error(String),
    /// LESSONS: the host begins afresh: an empty journal and terminal, the sample context.
    Reset,
}

impl Reducible for DockerUi {
    type Action = DockerAction;
    fn reduce(self: Rc<Self>, a: DockerAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match a {
            DockerAction::Started => s.started = true,
            DockerAction::Loaded(j) => {
                s.loaded = true;
                if let Some((items, files)) = j {
                    s.journal = Rc::new(items);
                    s.files = Rc::new(files);
                }
                let mut ctx = proto::sample_context();
                for it in s.journal.iter() {
                    proto::apply(&mut ctx, it);
                }
                s.context = Rc::new(ctx);
            }
            DockerAction::Journal(item, blob) => {
                let item = match (item, blob) {
                    (DockerItem::Load { name, .. }, Some(b)) => {
                        let files = Rc::make_mut(&mut s.files);
                        files.push(b);
                        DockerItem::Load { name, file: files.len() as u32 - 1 }
                    }
                    (i, _) => i,
                };
                s.journal_seq += 1;
                proto::apply(Rc::make_mut(&mut s.context), &item);
                let journal = Rc::make_mut(&mut s.journal);
                // BUILD: typing in a file makes one write, not one per key: a write replaces
                // the write of the same file just before it (the replay ends the same).
                match (journal.last_mut(), &item) {
                    (Some(DockerItem::Write { path: last, text }), DockerItem::Write { path, text: new }) if last == path => *text = new.clone(),
                    _ => journal.push(item),
                }
            }
            DockerAction::Output { replay: true, .. } if s.drop_replay => s.answered = true,
            DockerAction::Output { entries, snapshot, replay } => {
                s.answered = true;
                s.drop_replay = false;
                if let Some(b) = entries.iter().rev().find(|e| !e.steps.is_empty()) {
                    s.build = Rc::new(BuildView { seq: s.build.seq + 1, steps: b.steps.clone(), code: b.code, animate: !replay });
                }
                Rc::make_mut(&mut s.output).extend(entries);
                s.snapshot = Rc::new(snapshot);
                s.error = None;
            }
            DockerAction::Completions(items) => {
                s.completion_seq += 1;
                let line = crate::docker::complete::common_prefix(&items);
                s.completion = Some((line, if items.len() > 1 { items } else { Vec::new() }));
            }
            DockerAction::Picked(p) => s.picked = Some(p),
            DockerAction::Var(v) => s.var = v,
            DockerAction::Error(e) => s.error = Some(e),
            DockerAction::Reset => {
                s.journal = Rc::new(Vec::new());
                s.files = Rc::new(Vec::new());
                s.journal_seq += 1;
                s.output = Rc::new(Vec::new());
                s.snapshot = Rc::new(Snapshot::default());
                s.drop_replay = true;
                s.context = Rc::new(proto::sample_context());
                s.build = Rc::new(BuildView { seq: s.build.seq + 1, ..Default::default() });
                s.picked = None;
                s.error = None;
            }
        }
        Rc::new(s)
    }
}
