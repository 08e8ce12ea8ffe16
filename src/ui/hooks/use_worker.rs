//! The page's end of the worker: sends [`Request`]s, turns [`Response`]s into [`Action`]s.
//!
//! Rules: messages wait in a queue until the worker says `Ready` (a message posted before the
//! worker's wasm has started would be lost). Cancelling a job terminates the worker and starts a
//! new one, which is then replayed the archives already opened (same order, so the same layer
//! ids), the last stack and the container's writes since (one `Replay`, drawn without
//! repeating its lines); answers to replayed opens are ignored by the reducer.

use crate::ui::protocol::{Envelope, Request, Response};
use crate::ui::session::{Origin, SavedCommit};
use crate::ui::state::{Action, AppState, Preview, Task};
use js_sys::Reflect;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};
use yew::prelude::*;

/// An archive whose layer blobs make at least this many bytes is opened on every core (layer
/// workers: [`crate::ui::worker`]); smaller ones open faster in one worker than it takes to
/// start more. `window.layerlabSplitFrom` overrides it (the browser tests split the samples).
const SPLIT_FROM: u64 = 32 << 20;

fn split_from() -> u64 {
    Reflect::get(&gloo::utils::window(), &"layerlabSplitFrom".into()).ok().and_then(|v| v.as_f64()).map_or(SPLIT_FROM, |v| v as u64)
}

/// The loader trunk emits for the worker (`data-loader-shim`), next to `index.html`; relative, so
/// the page works from any path.
pub const WORKER_URL: &str = "./worker_loader.js";

struct OpenRec {
    job: u32,
    env: JsValue,
    done: bool,
}

type OnMessage = Closure<dyn FnMut(MessageEvent)>;

struct Inner {
    worker: RefCell<Option<Worker>>,
    onmessage: RefCell<Option<OnMessage>>,
    ready: Cell<bool>,
    /// This worker got its warm-up open ([`WorkerLink::warm`]): once is enough.
    warmed: Cell<bool>,
    queue: RefCell<Vec<JsValue>>,
    opens: RefCell<Vec<OpenRec>>,
    last_stack: RefCell<Option<JsValue>>,
    /// The last job id given out ([`WorkerLink::next_job`]).
    last_job: Cell<u32>,
    /// CONTAINER: the mount options and what was done to the container since the last stack
    /// (a restarted worker gets them back as one `Replay`, so a cancel keeps the writes).
    ctr_config: Cell<crate::container::Config>,
    ctr_journal: RefCell<Vec<crate::ui::protocol::JournalItem>>,
    /// The next `Shell` answer is that replay's: drawn without repeating its lines.
    quiet_replay: Cell<bool>,
    dispatch: UseReducerDispatcher<AppState>,
}

/// A handle to the worker, cheap to clone and to pass as a prop.
#[derive(Clone)]
pub struct WorkerLink(Rc<Inner>);

impl PartialEq for WorkerLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The JS object posted for `req` (with the archive or layer to open).
fn envelope(req: &Request, blob: Option<&Blob>) -> JsValue {
    Envelope::with_blob(req.clone(), blob.cloned()).to_js().expect("requests serialize")
}

impl WorkerLink {
    fn new(dispatch: UseReducerDispatcher<AppState>) -> Self {
        let link = WorkerLink(Rc::new(Inner {
            worker: RefCell::new(None),
            onmessage: RefCell::new(None),
            ready: Cell::new(false),
            warmed: Cell::new(false),
            queue: RefCell::new(Vec::new()),
            opens: RefCell::new(Vec::new()),
            last_stack: RefCell::new(None),
            last_job: Cell::new(1),
            ctr_config: Cell::new(Default::default()),
            ctr_journal: RefCell::new(Vec::new()),
            quiet_replay: Cell::new(false),
            dispatch,
        }));
        link.spawn();
        link
    }

    fn spawn(&self) {
        let weak = Rc::downgrade(&self.0);
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                WorkerLink(inner).receive(ev.data());
            }
        });
        match Worker::new(WORKER_URL) {
            Ok(w) => {
                w.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
                *self.0.worker.borrow_mut() = Some(w);
            }
            Err(_) => self.0.dispatch.dispatch(Action::Said { key: "notice.no_worker", args: Vec::new(), error: true }),
        }
        *self.0.onmessage.borrow_mut() = Some(onmessage);
        self.0.ready.set(false);
        self.0.warmed.set(false);
    }

    /// The user is about to open an archive (clicked the file picker, or drags files over the
    /// page): the worker starts its layer workers while the file is chosen (about 100-200 ms
    /// of a big open otherwise) unless they run.
    /// The first time (for each worker started), it also gets a small bundled sample to open
    /// and drop: the browser compiles the code an open runs when it first runs it.
    pub fn warm(&self) {
        self.post(envelope(&Request::Warm, None));
        if self.0.warmed.replace(true) {
            return;
        }
        let link = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(b) = crate::ui::blob_file::fetch_blob(&format!("samples/{}", crate::lessons::UNION_AB)).await {
                link.post(envelope(&Request::Warm, Some(&b)));
            }
        });
    }

    fn post(&self, env: JsValue) {
        if !self.0.ready.get() {
            self.0.queue.borrow_mut().push(env);
            return;
        }
        if let Some(w) = self.0.worker.borrow().as_ref() {
            let _ = w.post_message(&env);
        }
    }

    /// Sends a request (not an open: see [`WorkerLink::open`]).
    pub fn send(&self, req: &Request) {
        let env = envelope(req, None);
        if matches!(req, Request::SetStack { .. }) {
            *self.0.last_stack.borrow_mut() = Some(env.clone());
        }
        self.keep_container(req);
        self.post(env);
    }

    /// A new job id: the worker's jobs (opens, commits, saves, exports) are numbered here, in
    /// the order they are sent.
    pub fn next_job(&self) -> u32 {
        let j = self.0.last_job.get() + 1;
        self.0.last_job.set(j);
        j
    }

    /// Opens an archive as job `job` ([`WorkerLink::next_job`]); a kept commit is made
    /// again instead.
    pub fn open(&self, job: u32, name: String, blob: &Blob, origin: Origin, verify: bool) {
        let req = match &origin {
            Origin::Commit(c, _) => Request::AddCommitted { job, config: c.config.clone(), base: c.base.clone(), tags: c.tags.clone() },
            _ => Request::Open { job, name: name.clone(), verify, split_from: Some(split_from()) },
        };
        let task = if matches!(origin, Origin::Commit(..)) { Task::Restoring } else { Task::Opening };
        self.0.dispatch.dispatch(Action::JobStarted { id: job, name, task, origin: Some(origin) });
        let env = envelope(&req, Some(blob));
        self.0.opens.borrow_mut().push(OpenRec { job, env: env.clone(), done: false });
        self.post(env);
    }

    /// CONTAINER: keeps what a restarted worker needs to make the container again.
    fn keep_container(&self, req: &Request) {
        use crate::ui::protocol::JournalItem;
        let mut j = self.0.ctr_journal.borrow_mut();
        match req {
            // A new stack and a commit start an empty container; so do new mount options.
            Request::SetStack { .. } | Request::Commit { .. } => j.clear(),
            Request::MountConfig { config } => {
                self.0.ctr_config.set(*config);
                j.clear();
            }
            Request::Shell { line } => j.push(JournalItem::Line(line.clone())),
            Request::FileAction(a) => j.push(JournalItem::Action(a.clone())),
            Request::Replay { config, journal } => {
                self.0.ctr_config.set(*config);
                *j = journal.clone();
            }
            _ => {}
        }
    }

    /// COMMIT: starts a commit, save or export (`task` names it in the progress list).
    pub fn task(&self, job: u32, name: String, task: Task, req: &Request) {
        self.keep_container(req);
        self.0.dispatch.dispatch(Action::JobStarted { id: job, name, task, origin: None });
        self.post(envelope(req, None));
    }

    /// Exposes `window.layerlabStats()` for the benchmark: asks the worker for its memory.
    pub fn expose_stats(&self) {
        let link = self.clone();
        let f = Closure::<dyn Fn()>::new(move || link.send(&Request::Stats));
        let _ = Reflect::set(&gloo::utils::window(), &"layerlabStats".into(), f.as_ref());
        f.forget();
    }

    /// Cancels a job: a fresh worker replays everything but that job.
    pub fn cancel(&self, job: u32) {
        self.0.opens.borrow_mut().retain(|o| o.job != job);
        if let Some(w) = self.0.worker.borrow_mut().take() {
            w.terminate();
        }
        self.0.queue.borrow_mut().clear();
        self.spawn();
        for o in self.0.opens.borrow().iter() {
            self.post(o.env.clone());
        }
        if let Some(s) = self.0.last_stack.borrow().clone() {
            self.post(s);
            // The container's writes come back over it.
            let journal = self.0.ctr_journal.borrow().clone();
            let config = self.0.ctr_config.get();
            if !journal.is_empty() || config != Default::default() {
                self.0.quiet_replay.set(true);
                self.post(envelope(&Request::Replay { config, journal }, None));
            }
        }
        self.0.dispatch.dispatch(Action::Cancelled { job });
    }

    /// The container changed: the "Storage drivers" panel, if shown, wants it again.
    fn drivers_want(&self) {
        if crate::ui::drivers_bridge::is_open() {
            self.send(&Request::ReplayInput);
        }
    }

    fn receive(&self, data: JsValue) {
        let Envelope { msg: resp, blob, bytes } = match Envelope::<Response>::from_js(data) {
            Ok(r) => r,
            Err(e) => {
                self.0.dispatch.dispatch(Action::Notice { text: format!("bad message from the worker: {e}"), error: true });
                return;
            }
        };
        let d = &self.0.dispatch;
        match resp {
            Response::Ready => {
                self.0.ready.set(true);
                let queued: Vec<JsValue> = self.0.queue.borrow_mut().drain(..).collect();
                for env in queued {
                    self.post(env);
                }
                d.dispatch(Action::WorkerReady);
            }
            Response::Progress(p) => d.dispatch(Action::Progress(p)),
            Response::Opened { job, archive, layers } => {
                if let Some(o) = self.0.opens.borrow_mut().iter_mut().find(|o| o.job == job) {
                    o.done = true;
                }
                d.dispatch(Action::Opened { job, archive, layers });
            }
            Response::Failed { job, error } => {
                self.0.opens.borrow_mut().retain(|o| o.job != job);
                d.dispatch(Action::Failed { job, error });
            }
            Response::Stacked { entries, millis, container, layers, rows } => {
                d.dispatch(Action::Stacked { entries, millis, container, layers, rows });
                self.drivers_want();
            }
            Response::Rows(rows) => d.dispatch(Action::Rows(rows)),
            Response::File(info) => {
                let bytes = bytes.map(|a| a.to_vec()).unwrap_or_default();
                d.dispatch(Action::Preview(Preview { info, bytes: bytes.into() }));
            }
            Response::Download { name } => {
                d.dispatch(Action::Listing(false));
                if let Some(blob) = blob {
                    download(&blob, &name);
                }
            }
            Response::Error { error } => {
                d.dispatch(Action::Listing(false));
                d.dispatch(Action::Notice { text: error, error: true })
            }
            Response::Shell(r) => {
                if self.0.quiet_replay.replace(false) {
                    d.dispatch(Action::ShellQuiet(r));
                } else {
                    d.dispatch(Action::Shell(r));
                }
                self.drivers_want();
            }
            Response::Inspect(answer) => crate::ui::inspect_bridge::answer(&answer, bytes.as_ref()),
            Response::ReplayInput { json } => {
                if let Some(blob) = blob {
                    crate::ui::drivers_bridge::publish(&json, &blob);
                }
            }
            Response::Committed { job, archive, layers, config, base, tags, event } => {
                let Some(blob) = blob else {
                    d.dispatch(Action::Failed { job, error: "docker commit: the worker sent no layer".into() });
                    return;
                };
                let kept = SavedCommit { config: config.clone(), base: base.clone(), tags: tags.clone() };
                // A restarted worker makes the commit again from its parts, in the same order.
                let mut opens = self.0.opens.borrow_mut();
                match opens.iter_mut().find(|o| o.job == job) {
                    Some(o) => o.done = true,
                    None => opens.push(OpenRec {
                        job,
                        env: envelope(&Request::AddCommitted { job, config, base, tags }, Some(&blob)),
                        done: true,
                    }),
                }
                drop(opens);
                d.dispatch(Action::Committed { job, archive, layers, origin: Origin::Commit(kept, blob), event });
            }
            Response::Written { job, name, bytes } => {
                if let Some(blob) = blob {
                    download(&blob, &name);
                }
                d.dispatch(Action::Written { job, name, bytes });
            }
            Response::Stats { wasm_bytes } => {
                // For the benchmark (tests/browser/bench.mjs): kept on the page's window.
                let _ = Reflect::set(&gloo::utils::window(), &"layerlabWorkerWasmBytes".into(), &(wasm_bytes as f64).into());
            }
        }
    }
}

/// Saves a blob under `name` through a temporary link.
pub fn download(blob: &Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { return };
    let doc = gloo::utils::document();
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// The worker for this page, started once.
#[hook]
pub fn use_worker(dispatch: UseReducerDispatcher<AppState>) -> WorkerLink {
    let link = use_memo((), move |_| {
        let l = WorkerLink::new(dispatch);
        l.expose_stats();
        l
    });
    (*link).clone()
}
