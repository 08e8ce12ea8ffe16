//! The page's end of the Docker worker (see [`crate::ui::docker_protocol`]): started on first
//! use; before anything else it is given the bundled samples (the registry serves them), then
//! the saved journal, replayed. Messages wait in a queue until then.

use crate::ui::blob_file::fetch_blob;
use crate::ui::docker_protocol::{from_js, to_js, DockerItem, DockerRequest, DockerResponse};
use crate::ui::docker_state::{DockerAction, DockerUi, Picked, VarView};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, MessageEvent, Worker};
use yew::prelude::*;

/// The loader trunk emits for the Docker worker (`data-loader-shim`).
pub const DOCKER_WORKER_URL: &str = "./docker-worker_loader.js";

#[derive(serde::Deserialize)]
struct Sample {
    file: String,
}

struct Inner {
    worker: RefCell<Option<Worker>>,
    onmessage: RefCell<Option<Closure<dyn FnMut(MessageEvent)>>>,
    ready: Cell<bool>,
    queue: RefCell<Vec<JsValue>>,
    dispatch: UseReducerDispatcher<DockerUi>,
}

#[derive(Clone)]
pub struct DockerLink(Rc<Inner>);

impl PartialEq for DockerLink {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

impl DockerLink {
    pub fn started(&self) -> bool {
        self.0.worker.borrow().is_some()
    }

    /// Starts the worker (once) and replays `journal` (its loads name `files`).
    pub fn start(&self, journal: &[DockerItem], files: &[Blob]) {
        if self.started() {
            return;
        }
        let weak = Rc::downgrade(&self.0);
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                DockerLink(inner).receive(ev.data());
            }
        });
        match Worker::new(DOCKER_WORKER_URL) {
            Ok(w) => {
                w.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
                *self.0.worker.borrow_mut() = Some(w);
            }
            Err(_) => {
                self.0.dispatch.dispatch(DockerAction::Error(String::new()));
                return;
            }
        }
        *self.0.onmessage.borrow_mut() = Some(onmessage);
        self.0.dispatch.dispatch(DockerAction::Started);
        if !journal.is_empty() {
            self.0.queue.borrow_mut().push(to_js(&DockerRequest::Do { items: journal.to_vec(), replay: true }, files));
        }
    }

    fn post(&self, v: JsValue) {
        if !self.0.ready.get() {
            self.0.queue.borrow_mut().push(v);
            return;
        }
        if let Some(w) = self.0.worker.borrow().as_ref() {
            let _ = w.post_message(&v);
        }
    }

    pub fn send(&self, req: &DockerRequest, blobs: &[Blob]) {
        if self.started() {
            self.post(to_js(req, blobs));
        }
    }

    /// The samples are fetched and served first; then what waited goes.
    fn serve_samples(&self) {
        let link = self.clone();
        spawn_local(async move {
            let mut names = Vec::new();
            let mut blobs = Vec::new();
            if let Ok(b) = fetch_blob("samples/index.json").await {
                if let Ok(text) = JsFuture::from(b.text()).await {
                    let list: Vec<Sample> = serde_json::from_str(&text.as_string().unwrap_or_default()).unwrap_or_default();
                    for s in list {
                        if let Ok(b) = fetch_blob(&format!("samples/{}", s.file)).await {
                            names.push(s.file);
                            blobs.push(b);
                        }
                    }
                }
            }
            if let Some(w) = link.0.worker.borrow().as_ref() {
                let _ = w.post_message(&to_js(&DockerRequest::Serve { names }, &blobs));
            }
            link.0.ready.set(true);
            let queued: Vec<JsValue> = link.0.queue.borrow_mut().drain(..).collect();
            for v in queued {
                link.post(v);
            }
        });
    }

    fn receive(&self, data: JsValue) {
        let d = &self.0.dispatch;
        let resp: DockerResponse = match from_js(&data) {
            Ok((r, _)) => r,
            Err(e) => return d.dispatch(DockerAction::Error(e)),
        };
        match resp {
            DockerResponse::Ready => self.serve_samples(),
            DockerResponse::Output { entries, snapshot, replay } => {
                // LESSONS: the page's checks read what the commands printed.
                if !replay {
                    let lines: Vec<String> = entries.iter().flat_map(|e| std::iter::once(format!("# {}", e.echo)).chain(e.out.lines().map(str::to_string))).collect();
                    crate::ui::docker_bridge::output(&lines);
                }
                d.dispatch(DockerAction::Output { entries, snapshot, replay })
            }
            DockerResponse::Completions { items, .. } => d.dispatch(DockerAction::Completions(items)),
            DockerResponse::Container { name, diff, listing } => d.dispatch(DockerAction::Picked(Picked { name, diff, listing })),
            DockerResponse::VarLib { query, entries, total } => d.dispatch(DockerAction::Var(VarView { query, entries, total })),
            DockerResponse::Error { error } => d.dispatch(DockerAction::Error(error)),
        }
    }
}

/// The Docker worker's link (not started until [`DockerLink::start`]).
#[hook]
pub fn use_docker(dispatch: UseReducerDispatcher<DockerUi>) -> DockerLink {
    let link = use_memo((), move |_| {
        DockerLink(Rc::new(Inner { worker: RefCell::new(None), onmessage: RefCell::new(None), ready: Cell::new(false), queue: RefCell::new(Vec::new()), dispatch }))
    });
    (*link).clone()
}
