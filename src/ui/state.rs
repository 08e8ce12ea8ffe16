//! The page's state and every change to it: an [`Action`] reduced by [`AppState`]
//! (yew's `function_todomvc` pattern). Side effects (talking to the worker, downloads) live in
//! hooks and callbacks, never here.
//!
//! The page holds only what it shows: archive and layer descriptions, the stack order, the
//! view parameters and one window of rows. The worker holds the data.
//!
//! The state is in parts, each behind its own `Rc`: [`SessionState`] (archives, layers, stack,
//! restore), [`ViewState`] (view parameters, window, rows, selection, preview),
//! [`ContainerState`] (shell output, events, diff, usage, mount, journal, copies) and
//! [`JobsState`] (jobs, notices). An action copies only the parts it changes, so a scroll does
//! not copy the shell output, the event log or the journal (up to [`MAX_JOURNAL_BYTES`]).
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
    pub const ALL: [Task; 5] = [Task::Opening, Task::Restoring, Task::Committing, Task::Saving, Task::Exporting];

    /// The message keys of the job's name (`Opening {0}`), its cancel button's name (`Cancel
    /// opening {0}`), the notice once it was cancelled (`{0}: opening cancelled`) and the one
    /// once a restarted worker lost it (`{0}: saving interrupted, start it again`); `{0}` is
    /// the archive's name.
    pub fn keys(self) -> [&'static str; 4] {
        match self {
            Task::Opening => ["jobs.opening", "jobs.cancel_opening", "notice.cancelled_opening", "notice.interrupted_opening"],
            Task::Restoring => ["jobs.restoring", "jobs.cancel_restoring", "notice.cancelled_restoring", "notice.interrupted_restoring"],
            Task::Committing => ["jobs.committing", "jobs.cancel_committing", "notice.cancelled_committing", "notice.interrupted_committing"],
            Task::Saving => ["jobs.saving", "jobs.cancel_saving", "notice.cancelled_saving", "notice.interrupted_saving"],
            Task::Exporting => ["jobs.exporting", "jobs.cancel_exporting", "notice.cancelled_exporting", "notice.interrupted_exporting"],
        }
    }
    /// True for jobs a restarted worker replays (opens and kept commits).
    pub fn replayed(self) -> bool {
        matches!(self, Task::Opening | Task::Restoring)
    }
}

/// A message for the user (an error in one sentence, or a warning): the page's own words as a
/// message key (`notice.*`) and its arguments, said in the page's language; words from
/// elsewhere (the worker's error sentences) as `text`, shown as they are (no key).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: u32,
    pub text: String,
    pub key: &'static str,
    pub args: Vec<String>,
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

/// The page's state, in parts: an action clones only the parts it changes (the others are
/// shared `Rc`s), so a scroll does not copy the shell output, the event log or the journal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppState {
    pub session: Rc<SessionState>,
    pub view: Rc<ViewState>,
    pub container: Rc<ContainerState>,
    pub jobs: Rc<JobsState>,
}

/// What is open and stacked, and the session being restored.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionState {
    /// The worker has started.
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
    /// Jobs whose archive is loaded (a restarted worker replays them; their answers are ignored).
    pub done_jobs: Vec<u32>,
    pub verify: bool,
}

impl Default for SessionState {
    fn default() -> Self {
        SessionState {
            ready: false,
            archives: Vec::new(),
            origins: Vec::new(),
            archive_layers: Vec::new(),
            restoring: None,
            restored: false,
            layers: Vec::new(),
            order: Vec::new(),
            done_jobs: Vec::new(),
            verify: true,
        }
    }
}

/// What the file view shows: its parameters, the scroll window and its rows, the open file.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    pub params: ViewParams,
    /// Bumped when the worker has applied a stack or a write; views re-query on it.
    pub stack_version: u32,
    pub merged_entries: u64,
    pub stack_millis: f64,
    /// The window of rows the tree asks for.
    pub window: (u32, u32),
    pub rows: Rows,
    pub selected: Option<String>,
    pub preview: Option<Preview>,
    /// Bumped when the open file was edited (the viewer reads it again).
    pub reread_seq: u32,
    reread_pending: bool,
    /// The entry the file actions act on (display path, type letter): the last row opened or
    /// folded in the merged view.
    pub target: Option<(String, char)>,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            params: ViewParams::default(),
            stack_version: 0,
            merged_entries: 0,
            stack_millis: 0.0,
            window: (0, 120),
            rows: Rows::default(),
            selected: None,
            preview: None,
            reread_seq: 0,
            reread_pending: false,
            target: None,
        }
    }
}

/// CONTAINER (issue 3): the container layer: shell output, events, `docker diff`, `docker ps
/// -s` figures, mount options and the journal of what was done to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerState {
    pub events: Vec<EventLine>,
    pub shell_output: Vec<String>,
    pub diff: Vec<String>,
    /// True once the worker has a container layer (enables the shell).
    pub ready: bool,
    /// The mount config (`default`, `redirect`, `metacopy`), `docker ps -s` figures, whether
    /// undo and reset have anything to do.
    pub mount: Config,
    pub usage: ContainerUsage,
    pub can_undo: bool,
    pub empty: bool,
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
}

impl Default for ContainerState {
    fn default() -> Self {
        ContainerState {
            events: Vec::new(),
            shell_output: Vec::new(),
            diff: Vec::new(),
            ready: false,
            mount: Config::Default,
            usage: ContainerUsage::default(),
            can_undo: false,
            empty: true,
            copies: Vec::new(),
            shell_seq: 0,
            journal: Vec::new(),
            journal_full: false,
            pending_replay: None,
            replay_seq: 0,
        }
    }
}

impl ContainerState {
    /// The container restarted (stack change, mount switch): nothing is journaled any more.
    fn clear_journal(&mut self) {
        self.journal.clear();
        self.journal_full = false;
    }

    fn set_status(&mut self, r: &ShellResult) {
        self.ready = r.ready;
        if r.ready {
            self.mount = r.config;
        }
        self.usage = r.usage.clone();
        self.can_undo = r.can_undo;
        self.empty = r.empty;
    }
}

/// Jobs in the worker and messages for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct JobsState {
    pub list: Vec<Job>,
    pub notices: Vec<Notice>,
    next_notice: u32,
    /// A listing was asked for and has not come: the first of a compressed image hashes its
    /// files then (seconds for hundreds of MB).
    pub listing: bool,
}

impl Default for JobsState {
    fn default() -> Self {
        JobsState { list: Vec::new(), notices: Vec::new(), next_notice: 1, listing: false }
    }
}

impl JobsState {
    fn notice(&mut self, text: String, error: bool) {
        self.push(Notice { id: 0, text, key: "", args: Vec::new(), error });
    }

    fn said(&mut self, key: &'static str, args: Vec<String>, error: bool) {
        self.push(Notice { id: 0, text: String::new(), key, args, error });
    }

    fn push(&mut self, mut n: Notice) {
        n.id = self.next_notice;
        self.next_notice += 1;
        self.notices.push(n);
    }

    fn task(&self, job: u32) -> Option<&Job> {
        self.list.iter().find(|j| j.id == job)
    }
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

pub enum Action {
    WorkerReady,
    /// A listing was asked for (`true`), or a download or an error came (`false`).
    Listing(bool),
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
    /// A notice in the page's words: a message key and its arguments.
    Said { key: &'static str, args: Vec<String>, error: bool },
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
    /// CONTAINER (issue 3): the result of a shell line.
    Shell(ShellResult),
    /// CONTAINER: the container made again in a restarted worker (a cancelled open): its state,
    /// without repeating its lines and events.
    ShellQuiet(ShellResult),
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
    /// An image's layers become the stack (bottom first, all on).
    ShowLayers(Vec<LayerId>),
    /// A custom stack: an image's layers not on the stack yet go on top.
    AddLayers(Vec<LayerId>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // Only the parts an action changes are copied (`Rc::make_mut`).
        let mut s = (*self).clone();
        match action {
            Action::WorkerReady => s.session_mut().ready = true,
            Action::JobStarted { id, name, task, origin } => {
                s.jobs_mut().list.push(Job { id, name, task, origin, progress: ProgressInfo { job: id, ..Default::default() } });
            }
            Action::Restore(r) => match r {
                Some((saved, 0)) => s.apply_restore(saved),
                Some(r) => s.session_mut().restoring = Some(r),
                None => s.session_mut().restored = true,
            },
            Action::Progress(p) => {
                if s.jobs.task(p.job).is_none() {
                    return self;
                }
                let jobs = s.jobs_mut();
                if let Some(j) = jobs.list.iter_mut().find(|j| j.id == p.job) {
                    j.progress = p;
                }
            }
            Action::Opened { job, archive, layers } => {
                if s.session.done_jobs.contains(&job) {
                    return self; // a replay after a worker restart
                }
                let origin = s.jobs.task(job).and_then(|j| j.origin.clone());
                s.add_archive(job, archive, layers, origin.unwrap_or(Origin::Sample(String::new())));
            }
            Action::Committed { job, archive, layers, origin, event } => {
                if s.session.done_jobs.contains(&job) {
                    return self;
                }
                // A new commit (not one made again after a reload) says what became of the layer.
                if let Some(e) = event {
                    let c = s.container_mut();
                    c.events.push(e);
                    c.diff.clear();
                }
                s.add_archive(job, archive, layers, origin);
            }
            Action::Written { job, name, bytes } => {
                let jobs = s.jobs_mut();
                let task = jobs.task(job).map(|j| j.task);
                jobs.list.retain(|j| j.id != job);
                let key = if task == Some(Task::Exporting) { "notice.exported" } else { "notice.saved" };
                jobs.said(key, vec![name, crate::ui::components::human(bytes)], false);
            }
            Action::Failed { job, error } => {
                if s.session.done_jobs.contains(&job) {
                    return self;
                }
                let jobs = s.jobs_mut();
                jobs.list.retain(|j| j.id != job);
                jobs.notice(error, true);
                s.restore_step();
            }
            Action::Cancelled { job } => {
                let jobs = s.jobs_mut();
                if let Some(j) = jobs.task(job) {
                    let (key, name) = (j.task.keys()[2], j.name.clone());
                    jobs.list.retain(|j| j.id != job);
                    jobs.said(key, vec![name], false);
                }
                // The worker was restarted: a commit, save or export waiting behind it is gone.
                let lost: Vec<(&'static str, String)> = jobs.list.iter().filter(|j| !j.task.replayed()).map(|j| (j.task.keys()[3], j.name.clone())).collect();
                jobs.list.retain(|j| j.task.replayed());
                for (key, name) in lost {
                    jobs.said(key, vec![name], false);
                }
            }
            Action::Stacked { entries, millis, container: r, layers, rows } => {
                // A toggle or move is shown once applied: the page sent it from the click
                // (see app.rs) and did not draw it before. Only known layers are taken.
                let order = &s.session.order;
                let changed = layers != *order && layers.len() == order.len() && layers.iter().all(|x| order.iter().any(|y| y.0 == x.0));
                if changed {
                    s.session_mut().order = layers;
                }
                let view = s.view_mut();
                // The view was queried together with the stack: no re-query here.
                if let Some(rows) = rows {
                    if rows.seq >= view.rows.seq {
                        view.rows = rows;
                    }
                }
                view.merged_entries = entries;
                view.stack_millis = millis;
                let c = s.container_mut();
                if changed {
                    c.clear_journal();
                }
                c.set_status(&r);
                c.diff = r.diff;
                c.copies.clear();
            }
            Action::Rows(rows) => {
                if rows.seq < s.view.rows.seq {
                    return self;
                }
                s.view_mut().rows = rows;
            }
            Action::Preview(p) => s.view_mut().preview = Some(p),
            Action::Notice { text, error } => s.jobs_mut().notice(text, error),
            Action::Said { key, args, error } => s.jobs_mut().said(key, args, error),
            Action::Listing(busy) => s.jobs_mut().listing = busy,
            Action::DismissNotice(id) => s.jobs_mut().notices.retain(|n| n.id != id),
            Action::SetVerify(v) => s.session_mut().verify = v,
            Action::SelectScope(scope) => {
                let v = s.view_mut();
                v.params.scope = scope;
                v.params.collapsed.clear();
                v.window.0 = 0;
                v.selected = None;
                v.preview = None;
            }
            Action::SetFilter(f) => {
                let v = s.view_mut();
                v.params.filter = f;
                v.window.0 = 0;
            }
            Action::SetChange(c) => {
                let v = s.view_mut();
                v.params.change = c;
                v.window.0 = 0;
            }
            Action::SetSort(o) => {
                let v = s.view_mut();
                v.params.sort = o;
                v.window.0 = 0;
            }
            Action::ToggleCollapse(p) => {
                let c = &mut s.view_mut().params.collapsed;
                if let Some(i) = c.iter().position(|c| *c == p) {
                    c.remove(i);
                } else {
                    c.push(p);
                }
            }
            Action::SetWindow(a, b) => {
                if s.view.window == (a, b) {
                    return self;
                }
                s.view_mut().window = (a, b);
            }
            Action::Select(p) => {
                let v = s.view_mut();
                if p.is_none() {
                    v.preview = None;
                }
                v.selected = p;
            }
            Action::ShowLayers(ids) => s.session_mut().order = ids.into_iter().map(|id| (id, true)).collect(),
            Action::AddLayers(ids) => {
                let order = &mut s.session_mut().order;
                for id in ids {
                    if !order.iter().any(|x| x.0 == id) {
                        order.push((id, true));
                    }
                }
            }
            Action::ShellQuiet(r) => {
                let c = s.container_mut();
                c.set_status(&r);
                c.diff = r.diff;
                s.view_mut().stack_version += 1;
            }
            Action::Shell(r) => {
                let c = s.container_mut();
                c.set_status(&r);
                c.shell_output.extend(r.output);
                c.events.extend(r.events);
                c.diff = r.diff;
                c.copies = r.copies;
                c.shell_seq += 1;
                let v = s.view_mut();
                if std::mem::take(&mut v.reread_pending) {
                    v.reread_seq += 1;
                }
                // A write changes the merged view: views re-query.
                v.stack_version += 1;
            }
            Action::Journal(item) => {
                if s.session.order.is_empty() {
                    return self;
                }
                match &item {
                    JournalItem::Action(FileAction::Write { path, .. }) if s.view.selected.as_deref() == Some(path) => s.view_mut().reread_pending = true,
                    JournalItem::Action(FileAction::Delete { path, .. } | FileAction::Rename { from: path, .. }) => {
                        let gone = |p: &str| p == path || p.starts_with(&format!("{path}/"));
                        if s.view.selected.as_deref().is_some_and(gone) {
                            let v = s.view_mut();
                            v.selected = None;
                            v.preview = None;
                        }
                        if s.view.target.as_ref().is_some_and(|t| gone(&t.0)) {
                            s.view_mut().target = None;
                        }
                    }
                    _ => {}
                }
                if s.container.journal_full {
                    return Rc::new(s);
                }
                let used: usize = s.container.journal.iter().map(item_bytes).sum();
                if s.container.journal.len() >= MAX_JOURNAL_ITEMS || used + item_bytes(&item) > MAX_JOURNAL_BYTES {
                    s.container_mut().journal_full = true;
                    s.jobs_mut().said("notice.journal_full", vec![(MAX_JOURNAL_BYTES / 1024).to_string()], false);
                } else {
                    s.container_mut().journal.push(item);
                }
            }
            Action::Target(t) => {
                if s.view.target == t {
                    return self;
                }
                s.view_mut().target = t;
            }
            Action::SetMount(m) => {
                let c = s.container_mut();
                c.mount = m;
                c.clear_journal();
            }
        }
        Rc::new(s)
    }
}

impl AppState {
    fn session_mut(&mut self) -> &mut SessionState {
        Rc::make_mut(&mut self.session)
    }
    fn view_mut(&mut self) -> &mut ViewState {
        Rc::make_mut(&mut self.view)
    }
    fn container_mut(&mut self) -> &mut ContainerState {
        Rc::make_mut(&mut self.container)
    }
    fn jobs_mut(&mut self) -> &mut JobsState {
        Rc::make_mut(&mut self.jobs)
    }

    /// An archive (or a commit) is open: its layers go on top of the stack.
    fn add_archive(&mut self, job: u32, archive: ArchiveInfo, layers: Vec<LayerInfo>, origin: Origin) {
        let jobs = self.jobs_mut();
        jobs.list.retain(|j| j.id != job);
        for w in &archive.warnings {
            jobs.said("notice.warning", vec![w.clone()], false);
        }
        // The first image opened into an empty page is shown; a later image joins the list
        // without replacing what is on screen (a Docker host keeps images apart: issue 10), but
        // bare layers and a commit go on top of the stack, bottom first (a new container).
        let stack_it = self.session.order.is_empty() || archive.format == crate::host::open::format_name(crate::image::Format::Layers) || matches!(origin, Origin::Commit(..));
        if stack_it {
            self.container_mut().clear_journal();
        }
        let s = self.session_mut();
        s.done_jobs.push(job);
        s.origins.push(origin);
        s.archive_layers.push(layers.iter().map(|l| l.id).collect());
        if stack_it {
            for l in &layers {
                s.order.push((l.id, true));
            }
        }
        for l in layers {
            let i = l.id as usize;
            if s.layers.len() <= i {
                s.layers.resize(i + 1, l.clone());
            }
            s.layers[i] = l;
        }
        s.archives.push(archive);
        self.restore_step();
    }

    /// One archive of a restore is done (opened or failed).
    fn restore_step(&mut self) {
        if self.session.restoring.is_none() {
            return;
        }
        if let Some((saved, left)) = self.session_mut().restoring.take() {
            if left <= 1 {
                self.apply_restore(saved);
            } else {
                self.session_mut().restoring = Some((saved, left - 1));
            }
        }
    }

    /// Puts back the stack and view of a saved session over the archives now open.
    fn apply_restore(&mut self, saved: Saved) {
        let s = &*self.session;
        let here: Vec<Option<usize>> = saved
            .archives
            .iter()
            .map(|sa| {
                (0..s.archives.len()).find(|&i| match (&sa.sample, &s.origins[i]) {
                    (Some(name), Origin::Sample(o)) => name == o,
                    (None, Origin::File(_)) => sa.commit.is_none() && s.archives[i].name == sa.name && s.archives[i].size == sa.size,
                    (None, Origin::Commit(c, _)) => sa.commit.as_ref().is_some_and(|x| x.config == c.config) && s.archives[i].name == sa.name,
                    _ => false,
                })
            })
            .collect();
        let find = |(a, p): (u32, u32)| -> Option<LayerId> {
            let i = (*here.get(a as usize)?)?;
            s.archive_layers.get(i)?.get(p as usize).copied()
        };
        let mut order: Vec<(LayerId, bool)> = Vec::new();
        for &(a, p, on) in &saved.order {
            if let Some(id) = find((a, p)) {
                if !order.iter().any(|x| x.0 == id) {
                    order.push((id, on));
                }
            }
        }
        for &(id, on) in &s.order {
            if !order.iter().any(|x| x.0 == id) {
                order.push((id, on));
            }
        }
        let scope = saved.scope.and_then(find);
        let session = self.session_mut();
        session.order = order;
        session.verify = saved.verify;
        session.restoring = None;
        session.restored = true;
        let v = &mut self.view_mut().params;
        v.scope = scope;
        v.filter = saved.filter;
        v.change = saved.change;
        v.sort = saved.sort;
        if let Some(c) = saved.container {
            if c.mount != Config::Default || !c.journal.is_empty() {
                let k = self.container_mut();
                k.mount = c.mount;
                k.journal = c.journal.clone();
                k.journal_full = c.full;
                k.pending_replay = Some((c.mount, c.journal));
                k.replay_seq += 1;
            }
        }
    }

    /// The session as saved (see [`crate::ui::session`]).
    pub fn saved(&self) -> Saved {
        let s = &*self.session;
        let locate = |id: LayerId| -> Option<(u32, u32)> {
            s.archive_layers.iter().enumerate().find_map(|(a, ls)| ls.iter().position(|&l| l == id).map(|p| (a as u32, p as u32)))
        };
        let c = &*self.container;
        let v = &self.view.params;
        Saved {
            archives: s
                .archives
                .iter()
                .zip(&s.origins)
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
            order: s.order.iter().filter_map(|&(id, on)| locate(id).map(|(a, p)| (a, p, on))).collect(),
            scope: v.scope.and_then(locate),
            filter: v.filter.clone(),
            change: v.change,
            sort: v.sort,
            verify: s.verify,
            container: (c.mount != Config::Default || !c.journal.is_empty())
                .then(|| SavedContainer { mount: c.mount, journal: c.journal.clone(), full: c.journal_full }),
        }
    }

    pub fn layer(&self, id: LayerId) -> Option<&LayerInfo> {
        self.session.layers.get(id as usize)
    }

    /// The stack position (0 = bottom) of a layer among the enabled ones.
    pub fn label(&self, id: LayerId) -> String {
        crate::host::stack_label(&self.session.order, id)
    }
}

