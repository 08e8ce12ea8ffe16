//! The page's state and every change to it: an [`Action`] reduced by [`AppState`]
//! (yew's `function_todomvc` pattern). Side effects (talking to the worker, downloads) live in
//! hooks and callbacks, never here.
//!
//! The page holds only what it shows: archive and layer descriptions, the stack order, the
//! view parameters and one window of rows. The worker holds the data.
//!
//! The parts for the container layer and for commit/save/export are marked `CONTAINER` and
//! `COMMIT`. Toggles and moves are not actions: they are sent to the worker from the click and
//! reach the state with its answer ([`Action::Stacked`]).

use crate::ui::protocol::{
    ArchiveInfo, ChangeFilter, ContainerUsage, CopyUp, FileAction, FileInfo, JournalItem, LayerId, LayerInfo, ProgressInfo, Rows, Scope,
    ShellResult, Sort,
};
use crate::container::Config;
use crate::ui::protocol::EventLine;
use crate::ui::session::{Origin, Saved, SavedArchive, SavedContainer};
use std::rc::Rc;
use yew::Reducible;

/// A long piece of work in the worker: an archive being opened, an image being committed,
/// saved or exported.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: u32,
    pub name: String,
    pub task: Task,
    pub progress: ProgressInfo,
    /// Where an archive being opened comes from (none for saves and exports).
    pub origin: Option<Origin>,
}

/// What a job does; shown as its verb ("Saving big_1.tar").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// An archive being read.
    Opening,
    /// A commit kept by the session being made again.
    Restoring,
    Committing,
    Saving,
    Exporting,
}

impl Task {
    pub fn verb(self) -> &'static str {
        match self {
            Task::Opening => "Opening",
            Task::Restoring => "Restoring",
            Task::Committing => "Committing",
            Task::Saving => "Saving",
            Task::Exporting => "Exporting",
        }
    }
    /// True for jobs a restarted worker replays (opens and kept commits).
    pub fn replayed(self) -> bool {
        matches!(self, Task::Opening | Task::Restoring)
    }
}

/// A message for the user (an error in one sentence, or a warning).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: u32,
    pub text: String,
    pub error: bool,
}

/// What the file view shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ViewParams {
    pub scope: Option<LayerId>,
    pub filter: String,
    pub change: ChangeFilter,
    pub sort: Sort,
    pub collapsed: Vec<String>,
}

impl ViewParams {
    pub fn scope(&self) -> Scope {
        self.scope.map_or(Scope::Merged, Scope::Layer)
    }
}

/// The file open in the viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub info: FileInfo,
    pub bytes: Rc<[u8]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub ready: bool,
    pub archives: Vec<ArchiveInfo>,
    /// Where each archive came from, and its layers (parallel to `archives`).
    pub origins: Vec<Origin>,
    pub archive_layers: Vec<Vec<LayerId>>,
    /// A saved session being restored, and how many of its archives are still opening.
    pub restoring: Option<(Saved, u32)>,
    /// False until the saved session (if any) is back: nothing is saved before.
    pub restored: bool,
    /// Every loaded layer, indexed by its id.
    pub layers: Vec<LayerInfo>,
    /// The stack, bottom first, with on/off switches.
    pub order: Vec<(LayerId, bool)>,
    /// Bumped when the worker has applied a stack; views re-query on it.
    pub stack_version: u32,
    pub merged_entries: u64,
    pub stack_millis: f64,
    pub jobs: Vec<Job>,
    /// Jobs whose archive is loaded (a restarted worker replays them; their answers are ignored).
    pub done_jobs: Vec<u32>,
    pub next_job: u32,
    pub notices: Vec<Notice>,
    next_notice: u32,
    pub verify: bool,
    pub view: ViewParams,
    /// The window of rows the tree asks for.
    pub window: (u32, u32),
    pub rows: Rows,
    pub query_seq: u32,
    pub selected: Option<String>,
    pub preview: Option<Preview>,
    /// CONTAINER (issue 3): the container layer's events and `docker diff`.
    pub events: Vec<EventLine>,
    pub shell_output: Vec<String>,
    pub diff: Vec<String>,
    /// True once the worker has a container layer (enables the shell).
    pub container_ready: bool,
    /// CONTAINER: the mount config (`default`, `redirect`, `metacopy`), `docker ps -s` figures,
    /// whether undo and reset have anything to do.
    pub mount: Config,
    pub usage: ContainerUsage,
    pub can_undo: bool,
    pub container_empty: bool,
    /// The copy-ups of the last answer, and a counter of answers (the diagram animates on it).
    pub copies: Vec<CopyUp>,
    pub shell_seq: u32,
    /// What was done to the container since it started, for the session (bounded: see
    /// [`MAX_JOURNAL_BYTES`]); `journal_full` once something could not be kept.
    pub journal: Vec<JournalItem>,
    pub journal_full: bool,
    /// A restored container to replay once the restored stack is applied, and a counter.
    pub pending_replay: Option<(Config, Vec<JournalItem>)>,
    pub replay_seq: u32,
    /// Bumped when the open file was edited (the viewer reads it again).
    pub reread_seq: u32,
    reread_pending: bool,
    /// The entry the file actions act on (display path, type letter): the last row opened or
    /// folded in the merged view.
    pub target: Option<(String, char)>,
}

/// The journal keeps at most this many bytes of text (edits carry whole files) and items.
pub const MAX_JOURNAL_BYTES: usize = 256 * 1024;
pub const MAX_JOURNAL_ITEMS: usize = 2000;

fn item_bytes(i: &JournalItem) -> usize {
    match i {
        JournalItem::Line(l) => l.len(),
        JournalItem::Action(FileAction::Write { path, text }) => path.len() + text.len(),
        JournalItem::Action(FileAction::Rename { from, to }) => from.len() + to.len(),
        JournalItem::Action(FileAction::Delete { path, .. } | FileAction::NewFile { path } | FileAction::NewDir { path }) => path.len(),
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            ready: false,
            archives: Vec::new(),
            origins: Vec::new(),
            archive_layers: Vec::new(),
            restoring: None,
            restored: false,
            layers: Vec::new(),
            order: Vec::new(),
            stack_version: 0,
            merged_entries: 0,
            stack_millis: 0.0,
            jobs: Vec::new(),
            done_jobs: Vec::new(),
            next_job: 1,
            notices: Vec::new(),
            next_notice: 1,
            verify: true,
            view: ViewParams::default(),
            window: (0, 120),
            rows: Rows::default(),
            query_seq: 0,
            selected: None,
            preview: None,
            events: Vec::new(),
            shell_output: Vec::new(),
            diff: Vec::new(),
            container_ready: false,
            mount: Config::Default,
            usage: ContainerUsage::default(),
            can_undo: false,
            container_empty: true,
            copies: Vec::new(),
            shell_seq: 0,
            journal: Vec::new(),
            journal_full: false,
            pending_replay: None,
            replay_seq: 0,
            reread_seq: 0,
            reread_pending: false,
            target: None,
        }
    }
}

pub enum Action {
    WorkerReady,
    /// A job was sent to the worker.
    JobStarted { id: u32, name: String, task: Task, origin: Option<Origin> },
    /// A saved session is being restored: `expected` archives will be opened (`None`: nothing
    /// to restore).
    Restore(Option<(Saved, u32)>),
    Progress(ProgressInfo),
    Opened { job: u32, archive: ArchiveInfo, layers: Vec<LayerInfo> },
    Failed { job: u32, error: String },
    Cancelled { job: u32 },
    /// The worker applied a stack (`layers`, as sent) and answered the view query sent with it.
    Stacked { entries: u64, millis: f64, container: ShellResult, layers: Vec<(LayerId, bool)>, rows: Option<Rows> },
    Rows(Rows),
    Preview(Preview),
    Notice { text: String, error: bool },
    DismissNotice(u32),
    SetVerify(bool),
    /// Shows one layer's own changes (`None`: the merged view).
    SelectScope(Option<LayerId>),
    SetFilter(String),
    SetChange(ChangeFilter),
    SetSort(Sort),
    ToggleCollapse(String),
    SetWindow(u32, u32),
    Select(Option<String>),
    /// A query was sent with this sequence number.
    Queried(u32),
    /// CONTAINER (issue 3): the result of a shell line.
    Shell(ShellResult),
    /// COMMIT (issue 5): an image was committed (or made again after a reload: `replay`).
    Committed { job: u32, archive: ArchiveInfo, layers: Vec<LayerInfo>, origin: Origin, event: Option<EventLine> },
    /// COMMIT: a save or export is done and downloaded.
    Written { job: u32, name: String, bytes: u64 },
    /// CONTAINER: a line or file action was sent to the container (kept for the session).
    Journal(JournalItem),
    /// CONTAINER: the mount options were switched (the container restarts empty).
    SetMount(Config),
    /// CONTAINER: the entry file actions act on.
    Target(Option<(String, char)>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::WorkerReady => s.ready = true,
            Action::JobStarted { id, name, task, origin } => {
                s.next_job = s.next_job.max(id + 1);
                s.jobs.push(Job { id, name, task, origin, progress: ProgressInfo { job: id, ..Default::default() } });
            }
            Action::Restore(r) => match r {
                Some((saved, 0)) => {
                    s.apply_restore(saved);
                }
                Some(r) => s.restoring = Some(r),
                None => s.restored = true,
            },
            Action::Progress(p) => {
                let Some(j) = s.jobs.iter_mut().find(|j| j.id == p.job) else { return self };
                j.progress = p;
            }
            Action::Opened { job, archive, layers } => {
                if s.done_jobs.contains(&job) {
                    return self; // a replay after a worker restart
                }
                let origin = s.jobs.iter().find(|j| j.id == job).and_then(|j| j.origin.clone());
                s.add_archive(job, archive, layers, origin.unwrap_or(Origin::Sample(String::new())));
            }
            Action::Committed { job, archive, layers, origin, event } => {
                if s.done_jobs.contains(&job) {
                    return self;
                }
                // A new commit (not one made again after a reload) says what became of the layer.
                if let Some(e) = event {
                    s.events.push(e);
                    s.diff.clear();
                }
                s.add_archive(job, archive, layers, origin);
            }
            Action::Written { job, name, bytes } => {
                let task = s.jobs.iter().find(|j| j.id == job).map(|j| j.task);
                s.jobs.retain(|j| j.id != job);
                let verb = if task == Some(Task::Exporting) { "Exported" } else { "Saved" };
                s.notice(format!("{verb} {name} ({})", crate::ui::components::human(bytes)), false);
            }
            Action::Failed { job, error } => {
                if s.done_jobs.contains(&job) {
                    return self;
                }
                s.jobs.retain(|j| j.id != job);
                s.notice(error, true);
                s.restore_step();
            }
            Action::Cancelled { job } => {
                if let Some(j) = s.jobs.iter().find(|j| j.id == job) {
                    let text = format!("{}: {} cancelled", j.name, j.task.verb().to_lowercase());
                    s.jobs.retain(|j| j.id != job);
                    s.notice(text, false);
                }
                // The worker was restarted: a commit, save or export waiting behind it is gone.
                let lost: Vec<String> = s.jobs.iter().filter(|j| !j.task.replayed()).map(|j| format!("{}: {} interrupted, start it again", j.name, j.task.verb().to_lowercase())).collect();
                s.jobs.retain(|j| j.task.replayed());
                for t in lost {
                    s.notice(t, false);
                }
            }
            Action::Stacked { entries, millis, container: r, layers, rows } => {
                // A toggle or move is shown once applied: the page sent it from the click
                // (see app.rs) and did not draw it before. Only known layers are taken.
                if layers != s.order && layers.len() == s.order.len() && layers.iter().all(|x| s.order.iter().any(|y| y.0 == x.0)) {
                    s.order = layers;
                    s.clear_journal();
                }
                // The view was queried together with the stack: no re-query here.
                if let Some(rows) = rows {
                    if rows.seq >= s.rows.seq {
                        s.rows = rows;
                    }
                }
                s.merged_entries = entries;
                s.stack_millis = millis;
                s.diff = r.diff;
                s.container_ready = r.ready;
                s.set_status(r.ready.then_some(r.config), r.usage, r.can_undo, r.empty);
                s.copies.clear();
            }
            Action::Rows(rows) => {
                if rows.seq < s.rows.seq {
                    return self;
                }
                s.rows = rows;
            }
            Action::Preview(p) => s.preview = Some(p),
            Action::Notice { text, error } => s.notice(text, error),
            Action::DismissNotice(id) => s.notices.retain(|n| n.id != id),
            Action::SetVerify(v) => s.verify = v,
            Action::SelectScope(scope) => {
                s.view.scope = scope;
                s.view.collapsed.clear();
                s.window.0 = 0;
                s.selected = None;
                s.preview = None;
            }
            Action::SetFilter(f) => {
                s.view.filter = f;
                s.window.0 = 0;
            }
            Action::SetChange(c) => {
                s.view.change = c;
                s.window.0 = 0;
            }
            Action::SetSort(o) => {
                s.view.sort = o;
                s.window.0 = 0;
            }
            Action::ToggleCollapse(p) => {
                if let Some(i) = s.view.collapsed.iter().position(|c| *c == p) {
                    s.view.collapsed.remove(i);
                } else {
                    s.view.collapsed.push(p);
                }
            }
            Action::SetWindow(a, b) => {
                if s.window == (a, b) {
                    return self;
                }
                s.window = (a, b);
            }
            Action::Select(p) => {
                if p.is_none() {
                    s.preview = None;
                }
                s.selected = p;
            }
            Action::Queried(seq) => s.query_seq = seq,
            Action::Shell(r) => {
                s.shell_output.extend(r.output);
                s.events.extend(r.events);
                s.diff = r.diff;
                s.container_ready = r.ready;
                s.set_status(r.ready.then_some(r.config), r.usage, r.can_undo, r.empty);
                s.copies = r.copies;
                s.shell_seq += 1;
                if std::mem::take(&mut s.reread_pending) {
                    s.reread_seq += 1;
                }
                // A write changes the merged view: views re-query.
                s.stack_version += 1;
            }
            Action::Journal(item) => {
                if s.order.is_empty() {
                    return self;
                }
                match &item {
                    JournalItem::Action(FileAction::Write { path, .. }) if s.selected.as_deref() == Some(path) => s.reread_pending = true,
                    JournalItem::Action(FileAction::Delete { path, .. } | FileAction::Rename { from: path, .. }) => {
                        let gone = |p: &str| p == path || p.starts_with(&format!("{path}/"));
                        if s.selected.as_deref().is_some_and(gone) {
                            s.selected = None;
                            s.preview = None;
                        }
                        if s.target.as_ref().is_some_and(|t| gone(&t.0)) {
                            s.target = None;
                        }
                    }
                    _ => {}
                }
                if s.journal_full {
                    return Rc::new(s);
                }
                let used: usize = s.journal.iter().map(item_bytes).sum();
                if s.journal.len() >= MAX_JOURNAL_ITEMS || used + item_bytes(&item) > MAX_JOURNAL_BYTES {
                    s.journal_full = true;
                    s.notice(
                        format!(
                            "the session keeps at most {} KiB of container writes: this one and later ones will be missing after a reload",
                            MAX_JOURNAL_BYTES / 1024
                        ),
                        false,
                    );
                } else {
                    s.journal.push(item);
                }
            }
            Action::Target(t) => s.target = t,
            Action::SetMount(m) => {
                s.mount = m;
                s.clear_journal();
            }
        }
        Rc::new(s)
    }
}

impl AppState {
    /// An archive (or a commit) is open: its layers go on top of the stack.
    fn add_archive(&mut self, job: u32, archive: ArchiveInfo, layers: Vec<LayerInfo>, origin: Origin) {
        let s = self;
        s.done_jobs.push(job);
        s.jobs.retain(|j| j.id != job);
        s.origins.push(origin);
        s.archive_layers.push(layers.iter().map(|l| l.id).collect());
        for w in &archive.warnings {
            s.notice(format!("warning: {w}"), false);
        }
        // An image's layers go on top of the stack, bottom first (a new container).
        s.clear_journal();
        for l in &layers {
            s.order.push((l.id, true));
        }
        for l in layers {
            let i = l.id as usize;
            if s.layers.len() <= i {
                s.layers.resize(i + 1, l.clone());
            }
            s.layers[i] = l;
        }
        s.archives.push(archive);
        s.restore_step();
    }

    /// One archive of a restore is done (opened or failed).
    fn restore_step(&mut self) {
        if let Some((saved, left)) = self.restoring.take() {
            if left <= 1 {
                self.apply_restore(saved);
            } else {
                self.restoring = Some((saved, left - 1));
            }
        }
    }

    /// Puts back the stack and view of a saved session over the archives now open.
    fn apply_restore(&mut self, saved: Saved) {
        let here: Vec<Option<usize>> = saved
            .archives
            .iter()
            .map(|sa| {
                (0..self.archives.len()).find(|&i| match (&sa.sample, &self.origins[i]) {
                    (Some(name), Origin::Sample(o)) => name == o,
                    (None, Origin::File(_)) => sa.commit.is_none() && self.archives[i].name == sa.name && self.archives[i].size == sa.size,
                    (None, Origin::Commit(c, _)) => sa.commit.as_ref().is_some_and(|s| s.config == c.config) && self.archives[i].name == sa.name,
                    _ => false,
                })
            })
            .collect();
        let find = |(a, p): (u32, u32)| -> Option<LayerId> {
            let i = (*here.get(a as usize)?)?;
            self.archive_layers.get(i)?.get(p as usize).copied()
        };
        let mut order: Vec<(LayerId, bool)> = Vec::new();
        for &(a, p, on) in &saved.order {
            if let Some(id) = find((a, p)) {
                if !order.iter().any(|x| x.0 == id) {
                    order.push((id, on));
                }
            }
        }
        for &(id, on) in &self.order {
            if !order.iter().any(|x| x.0 == id) {
                order.push((id, on));
            }
        }
        self.order = order;
        self.view.scope = saved.scope.and_then(find);
        self.view.filter = saved.filter;
        self.view.change = saved.change;
        self.view.sort = saved.sort;
        self.verify = saved.verify;
        if let Some(c) = saved.container {
            if c.mount != Config::Default || !c.journal.is_empty() {
                self.mount = c.mount;
                self.journal = c.journal.clone();
                self.journal_full = c.full;
                self.pending_replay = Some((c.mount, c.journal));
                self.replay_seq += 1;
            }
        }
        self.restoring = None;
        self.restored = true;
    }

    /// The session as saved (see [`crate::ui::session`]).
    pub fn saved(&self) -> Saved {
        let locate = |id: LayerId| -> Option<(u32, u32)> {
            self.archive_layers
                .iter()
                .enumerate()
                .find_map(|(a, ls)| ls.iter().position(|&l| l == id).map(|p| (a as u32, p as u32)))
        };
        Saved {
            archives: self
                .archives
                .iter()
                .zip(&self.origins)
                .map(|(a, o)| SavedArchive {
                    name: a.name.clone(),
                    size: a.size,
                    sample: match o {
                        Origin::Sample(s) => Some(s.clone()),
                        _ => None,
                    },
                    commit: match o {
                        Origin::Commit(c, _) => Some(c.clone()),
                        _ => None,
                    },
                })
                .collect(),
            order: self.order.iter().filter_map(|&(id, on)| locate(id).map(|(a, p)| (a, p, on))).collect(),
            scope: self.view.scope.and_then(locate),
            filter: self.view.filter.clone(),
            change: self.view.change,
            sort: self.view.sort,
            verify: self.verify,
            container: (self.mount != Config::Default || !self.journal.is_empty())
                .then(|| SavedContainer { mount: self.mount, journal: self.journal.clone(), full: self.journal_full }),
        }
    }

    /// The container restarted (stack change, mount switch): nothing is journaled any more.
    fn clear_journal(&mut self) {
        self.journal.clear();
        self.journal_full = false;
    }

    fn set_status(&mut self, config: Option<Config>, usage: ContainerUsage, can_undo: bool, empty: bool) {
        if let Some(c) = config {
            self.mount = c;
        }
        self.usage = usage;
        self.can_undo = can_undo;
        self.container_empty = empty;
    }

    fn notice(&mut self, text: String, error: bool) {
        let id = self.next_notice;
        self.next_notice += 1;
        self.notices.push(Notice { id, text, error });
    }

    pub fn layer(&self, id: LayerId) -> Option<&LayerInfo> {
        self.layers.get(id as usize)
    }

    /// The stack position (0 = bottom) of a layer among the enabled ones.
    pub fn label(&self, id: LayerId) -> String {
        match self.order.iter().position(|x| x.0 == id) {
            Some(p) => format!("L{p}"),
            None => format!("#{id}"),
        }
    }
}
