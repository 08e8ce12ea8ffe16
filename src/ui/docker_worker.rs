//! The Docker worker: holds the page's [`crate::docker::Docker`] host, its registry made of the
//! bundled samples and the archives the user opened ([`crate::docker::served`]), and answers
//! [`DockerRequest`]s ([`crate::ui::docker_protocol`]).
//!
//! Rules: an opened archive is served by its references and then `docker load`ed (the
//! transcript shows `docker load -i NAME` and Docker's `Loaded image:` lines). Everything runs
//! synchronously; the archives are read from their `Blob`s with `FileReaderSync`.

use crate::docker::{complete, lists, served, store_map, var_lib, Docker, Outcome};
use crate::image::Archive;
use crate::source::Source;
use crate::ui::blob_file::BrowserBlob;
use crate::ui::docker_protocol::{self as proto, from_js, to_js, BuildFiles, DockerItem, DockerRequest, DockerResponse, Snapshot, Transcript};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

/// The most `/var/lib/docker` entries one answer carries.
const MAX_VAR_ENTRIES: usize = 400;

type Opened = Rc<RefCell<BTreeMap<String, Arc<Archive>>>>;
type Files = Rc<RefCell<BuildFiles>>;

/// Starts the worker.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // `docker load -i NAME` finds an archive the page opened by its name.
    let opened: Opened = Rc::new(RefCell::new(BTreeMap::new()));
    let o2 = opened.clone();
    let loader = Box::new(move |p: &str| o2.borrow().get(p).cloned().ok_or_else(|| "no such file or directory".to_string()));
    let mut host = Docker::new(Default::default(), loader);
    // The page prints what a real daemon prints: real IDs, times and durations.
    host.display = true;
    // BUILD: `docker build context` (or `.`) reads the files edited in the page.
    let files: Files = Rc::new(RefCell::new(proto::sample_context()));
    let f2 = files.clone();
    host.context_loader = Some(Box::new(move |dir: &str| {
        match crate::docker::context::clean(dir).as_str() {
            proto::CONTEXT_DIR | "" => Ok(proto::to_context(&f2.borrow())),
            _ => Err(format!("path \"{dir}\" not found")),
        }
    }));
    let docker = Rc::new(RefCell::new(host));
    let s2 = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        handle(&s2, &mut docker.borrow_mut(), &opened, &files, ev.data());
        // Memory between requests is what the host keeps, not a read's last slice.
        crate::ui::blob_file::forget_read_ahead();
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&scope, &DockerResponse::Ready);
}

fn post(scope: &DedicatedWorkerGlobalScope, r: &DockerResponse) {
    let _ = scope.post_message(&to_js(r, &[]));
}

fn open(name: &str, blob: Blob) -> Result<Arc<Archive>, String> {
    let b = BrowserBlob::new(blob).map_err(|e| format!("{name}: {e}"))?;
    let src: Source = Arc::new(b);
    Archive::open(src, name, true, None).map(Arc::new).map_err(|e| e.to_string())
}

fn snapshot(d: &Docker) -> Snapshot {
    Snapshot { images: lists::images(d), containers: lists::containers(d), map: store_map::store_map(d) }
}

fn handle(scope: &DedicatedWorkerGlobalScope, d: &mut Docker, opened: &Opened, files: &Files, data: JsValue) {
    let (req, blobs): (DockerRequest, Vec<Blob>) = match from_js(&data) {
        Ok(x) => x,
        Err(e) => return post(scope, &DockerResponse::Error { error: format!("bad request to the Docker worker: {e}") }),
    };
    match req {
        DockerRequest::Serve { names } => {
            for (name, b) in names.iter().zip(blobs) {
                match open(name, b) {
                    Ok(ar) => {
                        served::serve(&mut d.registry, ar);
                    }
                    Err(e) => post(scope, &DockerResponse::Error { error: e }),
                }
            }
        }
        DockerRequest::Do { items, replay } => {
            let mut entries = Vec::new();
            for it in items {
                entries.push(match it {
                    DockerItem::Line(line) => {
                        let o = run_line(d, &line);
                        let steps = std::mem::take(&mut d.build_steps);
                        Transcript { echo: line, out: o.out, code: o.code, steps }
                    }
                    DockerItem::Load { name, file } => {
                        let echo = format!("docker load -i {}", crate::container::shell::sh_quote(name.as_bytes()));
                        match blobs.get(file as usize).cloned().ok_or_else(|| format!("{name}: the file is gone")).and_then(|b| open(&name, b)) {
                            Ok(ar) => {
                                served::serve(&mut d.registry, ar.clone());
                                opened.borrow_mut().insert(name.clone(), ar);
                                let o = run_line(d, &echo);
                                Transcript { echo, out: o.out, code: o.code, steps: Vec::new() }
                            }
                            Err(e) => Transcript { echo, out: format!("{e}\n"), code: 1, steps: Vec::new() },
                        }
                    }
                    // BUILD: an edit of the build context prints nothing.
                    it @ (DockerItem::Write { .. } | DockerItem::Remove { .. }) => {
                        proto::apply(&mut files.borrow_mut(), &it);
                        continue;
                    }
                });
            }
            if entries.is_empty() && !replay {
                return;
            }
            post(scope, &DockerResponse::Output { entries, snapshot: snapshot(d), replay });
        }
        DockerRequest::Reset => {
            d.reset();
            *files.borrow_mut() = proto::sample_context();
        }
        DockerRequest::Complete { line } => {
            let items = complete::complete(&line, d);
            post(scope, &DockerResponse::Completions { line, items });
        }
        DockerRequest::Container { name } => {
            let diff = run_line(d, &format!("docker diff {}", crate::container::shell::sh_quote(name.as_bytes()))).out;
            let listing = d.containers.iter().find(|c| c.name == name).and_then(|c| c.fs.merged_listing().ok()).unwrap_or_default();
            post(scope, &DockerResponse::Container { name, diff, listing });
        }
        DockerRequest::VarLib { under, query } => {
            let all = var_lib::tree(d);
            let hits = var_lib::search(&all, &under, &query);
            let total = hits.len();
            let entries = hits.into_iter().take(MAX_VAR_ENTRIES).cloned().collect();
            post(scope, &DockerResponse::VarLib { query, entries, total });
        }
    }
}

/// One terminal line: a `docker` command, else one sentence saying what the terminal runs.
fn run_line(d: &mut Docker, line: &str) -> Outcome {
    match crate::docker::argv::split(line) {
        Ok(w) if w.first().map(String::as_str) == Some("docker") => d.run(&w),
        Ok(w) if w.is_empty() => Outcome::default(),
        Ok(w) => Outcome { out: format!("layerlab: this terminal runs docker commands; `{}` is not one\n", w[0]), code: 127 },
        Err(e) => Outcome { out: format!("layerlab: cannot split the line: {e}\n"), code: 2 },
    }
}
