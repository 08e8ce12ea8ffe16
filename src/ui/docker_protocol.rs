//! Messages between the page and its Docker worker (a second worker, started only when the
//! Docker host is first used, so the page's first load does not carry `docker`).
//!
//! Rules: a message is a JS object `{ json, blobs }`: `json` the request or response as a JSON
//! string, `blobs` an array of archive `Blob`s (structured clone: references) that
//! [`DockerItem::Load`] names by position. The journal the page keeps is a list of
//! [`DockerItem`]s; replaying it on a fresh worker (a reload) makes the same host again, since
//! the host's clock is fixed.

use crate::docker::lists::{CtrItem, ImageItem};
use crate::docker::store_map::StoreMap;
use crate::docker::var_lib::VarEntry;
use js_sys::{Array, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// One thing done to the Docker host, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DockerItem {
    /// A `docker ...` line typed in the terminal.
    Line(String),
    /// An archive opened in the page: served by the registry and `docker load`ed. `file` is
    /// its position among the message's (or the journal's) blobs.
    Load { name: String, file: u32 },
    /// BUILD: a file of the build context (the directory `context`) written in the page's
    /// "Build context" editor: its path in the context and its whole text.
    Write { path: String, text: String },
    /// BUILD: a file of the build context deleted in the editor.
    Remove { path: String },
}

/// Page → Docker worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DockerRequest {
    /// The bundled samples (the message's blobs, in order) join the registry.
    Serve { names: Vec<String> },
    /// Run these items; `replay`: they come from a saved journal.
    Do { items: Vec<DockerItem>, replay: bool },
    /// LESSONS: begin the host afresh (empty store, the sample build context); the journal is
    /// begun again by the panel.
    Reset,
    /// Tab completion of a line.
    Complete { line: String },
    /// A container's `docker diff` and merged file listing.
    Container { name: String },
    /// The `/var/lib/docker` tree, the entries below `under` whose name holds `query`
    /// (all of them when `query` is empty).
    VarLib { under: String, query: String },
}

/// One command and what it printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub echo: String,
    pub out: String,
    pub code: i32,
    /// BUILD: what each step of a `docker build` did (empty for other commands).
    #[serde(default)]
    pub steps: Vec<crate::docker::build_steps::Step>,
}

/// The host as the lists and the store view draw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Snapshot {
    pub images: Vec<ImageItem>,
    pub containers: Vec<CtrItem>,
    pub map: StoreMap,
}

/// Docker worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DockerResponse {
    Ready,
    Output { entries: Vec<Transcript>, snapshot: Snapshot, replay: bool },
    Completions { line: String, items: Vec<String> },
    Container { name: String, diff: String, listing: Vec<String> },
    VarLib { query: String, entries: Vec<VarEntry>, total: usize },
    Error { error: String },
}

/// The JS object posted for `msg` with `blobs`.
pub fn to_js<M: Serialize>(msg: &M, blobs: &[Blob]) -> JsValue {
    let o = js_sys::Object::new();
    let json = serde_json::to_string(msg).unwrap_or_default();
    let _ = Reflect::set(&o, &"json".into(), &json.into());
    let arr = Array::new();
    for b in blobs {
        arr.push(b);
    }
    let _ = Reflect::set(&o, &"blobs".into(), &arr);
    o.into()
}

/// A message received: the value and its blobs.
pub fn from_js<M: serde::de::DeserializeOwned>(v: &JsValue) -> Result<(M, Vec<Blob>), String> {
    let json = Reflect::get(v, &"json".into()).ok().and_then(|j| j.as_string()).ok_or("a message without json")?;
    let msg = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let blobs = Reflect::get(v, &"blobs".into())
        .ok()
        .and_then(|a| a.dyn_into::<Array>().ok())
        .map(|a| a.iter().filter_map(|b| b.dyn_into::<Blob>().ok()).collect())
        .unwrap_or_default();
    Ok((msg, blobs))
}

/// BUILD: the build context's files (path in the context → text), as the editor shows them
/// and the worker's context loader hands them to `docker build`.
pub type BuildFiles = std::collections::BTreeMap<String, String>;

/// BUILD: the directory the terminal's `docker build` reads the edited files from.
pub const CONTEXT_DIR: &str = "context";

/// BUILD: the context before any edit (the sample the editor starts with).
pub fn sample_context() -> BuildFiles {
    crate::ui::components::docker_text::SAMPLE_CONTEXT.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
}

/// BUILD: a context path as the editor keeps it (relative, cleaned); `None` when it names no file.
pub fn context_path(p: &str) -> Option<String> {
    let c = crate::docker::context::clean(p.trim());
    (!c.is_empty()).then_some(c)
}

/// BUILD: applies a journal item to the context (other items leave it as it is). A new file
/// replaces a file or directory at its path, as the files under a path it replaces go.
pub fn apply(files: &mut BuildFiles, item: &DockerItem) {
    match item {
        DockerItem::Write { path, text } => {
            if let Some(p) = context_path(path) {
                // A file at `p` is no directory: what was below it goes, and so do files at
                // its parents (they become directories).
                let below = format!("{p}/");
                files.retain(|k, _| !k.starts_with(&below) && !p.starts_with(&format!("{k}/")));
                files.insert(p, text.clone());
            }
        }
        DockerItem::Remove { path } => {
            if let Some(p) = context_path(path) {
                files.remove(&p);
            }
        }
        _ => {}
    }
}

/// BUILD: the context `docker build` sees: files 0644, their directories 0755.
pub fn to_context(files: &BuildFiles) -> crate::docker::context::Context {
    let mut c = crate::docker::context::Context::new();
    for (p, t) in files {
        c.add_file(p, 0o644, t.as_bytes().to_vec());
    }
    c
}
