//! BUILD: what each step of a `docker build` did, for the page to show the build as it runs
//! (issue 11): the step and its instruction, a cache hit, the intermediate container, what its
//! container layer holds (copy-ups, new entries, whiteouts, opaque directories), the commit (a
//! layer, or only a history row), the image it made and that image's stack of layers.
//!
//! Rules: [`super::build`] fills the steps as it runs them and never prints from them: the
//! transcript is the classic builder's, unchanged. A step's changes come from the entries the
//! commit writes ([`crate::container::diff::DiffEntry`], overlay2's diff rule), each sorted by
//! path, classified against the layers below (an entry found below was copied up). IDs are real
//! (`sha256:` + 64 hex, the container's 64 hex): the page prints them as a daemon does.

use crate::container::diff::{DiffEntry, DiffKind};
use crate::layer::whiteout;
use crate::path::{join, split};
use crate::union::Stack;
use serde::{Deserialize, Serialize};

/// What happened to one path of a step's container layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    /// The entry exists below: overlayfs copied it up before changing it (a directory is
    /// copied up when something inside it changes).
    CopyUp,
    /// A new entry.
    New,
    /// A whiteout hides the entry below.
    Whiteout,
    /// An opaque directory hides everything below it.
    Opaque,
}

/// One path of a step's layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// `/`-rooted, shown lossily (a whiteout names the path it hides).
    pub path: String,
    pub dir: bool,
}

/// A layer of an image's stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    pub diff_id: String,
    /// Bytes as `docker history` counts them, and Docker's wording of them (`2B`, `1.2MB`).
    pub size: u64,
    pub size_text: String,
}

/// One step of the build (`Step N/TOTAL : INSTRUCTION`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Step {
    pub n: usize,
    pub total: usize,
    pub instruction: String,
    /// `FROM`: the step starts a stage from its base image.
    pub from: bool,
    /// ` ---> Using cache`.
    pub cached: bool,
    /// The intermediate container (64 hex; ` ---> Running in` prints its first 12), removed
    /// after the commit. `COPY`/`ADD` use one the builder never prints: none here.
    pub container: Option<String>,
    pub changes: Vec<Change>,
    /// The layer the commit added; none with [`Step::empty_layer`] (a history row only).
    pub layer: Option<Layer>,
    pub empty_layer: bool,
    /// The image the step ended with (`sha256:…`; none: `FROM scratch`).
    pub image: Option<String>,
    /// That image's layers, bottom first (the new one last).
    pub stack: Vec<Layer>,
    /// The step finished (a failed step stays unfinished).
    pub done: bool,
}

/// A step's changes: the entries its commit writes, classified against the layers below.
pub fn changes(entries: &[DiffEntry], lower: &Stack) -> Vec<Change> {
    let mut out = Vec::new();
    for e in entries {
        let (parent, name) = split(&e.path);
        let shown = |p: &[u8]| String::from_utf8_lossy(p).to_string();
        match &e.kind {
            DiffKind::Marker { .. } if name == whiteout::OPAQUE => out.push(Change { kind: ChangeKind::Opaque, path: shown(parent), dir: true }),
            DiffKind::Marker { .. } => {
                let hidden = whiteout::whiteout_target(name).unwrap_or(name);
                out.push(Change { kind: ChangeKind::Whiteout, path: shown(&join(parent, hidden)), dir: false });
            }
            DiffKind::Node(n) => {
                let below = lower.dir_stack(parent).and_then(|ds| lower.lookup_child(&ds, name)).is_some();
                let dir = matches!(n.kind, crate::tree::Kind::Dir(_));
                out.push(Change { kind: if below { ChangeKind::CopyUp } else { ChangeKind::New }, path: shown(&e.path), dir });
            }
            DiffKind::Hardlink { .. } => out.push(Change { kind: ChangeKind::New, path: shown(&e.path), dir: false }),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
