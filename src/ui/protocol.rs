//! Messages between the page and its worker.
//!
//! Rules: every message is one [`Envelope`]: a [`Request`] or [`Response`] and, beside it, the
//! JS values that must not be copied through Rust. The envelope crosses `postMessage` as a plain
//! JS object made by `serde-wasm-bindgen` (enums stay enums: the host's own types); the
//! archive `File`/`Blob` to open travels as `blob` (structured clone: a reference, not a copy),
//! and file bytes for the viewer travel as a `Uint8Array` in `bytes`, whose buffer goes in the
//! transfer list. Both ride inside the envelope untouched (`serde_wasm_bindgen::preserve`).
//! The worker owns all archive data; the page only ever holds what is on screen (a window of
//! rows, one file preview).
//! The one exception: a split open's layer workers ([`crate::ui::worker`]) talk to the page's
//! worker in plain objects of a few numbers (`{index: LAYER, verify, blob}`, answered
//! `{layer, bytes, entries}` as it goes and `{layer, index: Uint8Array | error}` at the end):
//! serde code for these enums in the other direction cost the first-load worker 27 KB.
//! Layers are named by [`LayerId`], given out in opening order, so a worker restarted by
//! cancelling replays the same opens and hands out the same ids.
//! An event log line ([`EventLine`]) travels as its kind, a message key and the key's arguments,
//! never as English: the page says it in its language ([`crate::host::event_words`]). Measured
//! (gzip -9 of `dist/`): the first load went from app 275.0 + worker 338.8 = 613.8 kB to app
//! 267.5 + worker 338.2 = 605.6 kB with the event log, the notices and the jobs list in both
//! languages (the worker lost its event sentences; the page no longer calls `str::to_lowercase`,
//! whose Unicode tables are likely most of its 7.4 kB drop: inferred, not measured alone).
//!
//! Cost, measured (a 100k-entry layer scrolled in headless Chromium on 2 shared cores; each
//! figure the mean of 30 rounds in the worker of encode + `structuredClone` + decode, timed
//! with `performance.now()`, logged with `console.debug`, driven by a playwright-core script):
//!
//! | answer              | JSON string (≈22-27 kB) | serde-wasm-bindgen object |
//! |---------------------|-------------------------|---------------------------|
//! | `Rows`, 99 rows     | 0.26-0.82 ms            | 0.79-1.97 ms              |
//! | `Stacked`, 120 rows | 0.73 ms                 | 1.93 ms                   |
//! | `Stacked`, no rows  | 0.13 ms                 | 0.17 ms                   |
//!
//! The object costs more at every step (encode ×2-3, clone ×10-20, decode ×2: many small JS
//! values against one string): about 1 ms more per scroll answer. Rows still travel as an
//! object, for the wasm budget (600 kB gzipped, app + worker): rows as a JSON string made it
//! 601.6 kB (serde_json code for `Row` on both sides), objects everywhere 598.8 kB (main before
//! the envelope: 596.2 kB); a whole `msg` as JSON was 605.7 kB. Revisit if the budget grows.

use crate::commit::save::SaveFormat;
use crate::container::Config;
use serde::{Deserialize, Serialize};

pub use crate::host::{
    ArchiveInfo, ChangeFilter, ContainerUsage, CopyUp, EventKind, EventLine, FileAction, FileInfo, HistoryRow, ImageInfo, JournalItem, LayerId,
    LayerInfo, ProgressInfo, Query, Row, Rows, Scope, ShellResult, Sort,
};

/// Page → worker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Request {
    /// Open the archive in the envelope's `blob`. Its layers are indexed by layer workers, one
    /// per core, when there are several and their blobs make at least `split_from` bytes
    /// (none: one after the other, in this worker).
    Open {
        job: u32,
        name: String,
        verify: bool,
        #[serde(default)]
        split_from: Option<u64>,
    },

    /// The stack, bottom first, with each layer's on/off switch.
    /// With a view query, its rows come back in the same answer (one message, one draw).
    SetStack { layers: Vec<(LayerId, bool)>, query: Option<Query> },
    /// A window of rows of a view.
    Query(Query),
    /// Read a file of the current scope (by display path): a preview, or all of it for download.
    Read { path: String, download: bool },
    /// The listing (oracle SPEC §5) of what is shown, for download.
    Listing,
    /// The worker's memory, for the benchmark.
    Stats,
    /// The user is about to open an archive (clicked the file picker or drags a file over the
    /// page): start the layer workers now, while the file is chosen, not after. With a blob in
    /// the envelope (a small bundled sample): open it and drop it, so the code an open runs is
    /// compiled before the user's file comes.
    Warm,
    /// CONTAINER (issue 3): run one shell line in the container layer.
    Shell { line: String },
    /// COMMIT (issue 5): `docker commit` of the container over the stack (`time`: seconds since
    /// the epoch; `tag`: repo:tag, may be empty; `changes`: one Dockerfile instruction each).
    Commit { job: u32, message: String, author: String, changes: Vec<String>, tag: String, time: i64 },
    /// COMMIT: adds a commit made before (a reload or a worker restart): its config, the layers
    /// it was made over as (archive, position) in the order archives were added, and the new
    /// layer's gzip bytes in the envelope's `blob`.
    AddCommitted { job: u32, config: String, base: Vec<(u32, u32)>, tags: Vec<String> },
    /// COMMIT: the images with these IDs as one archive, downloaded as `name`.
    Save { job: u32, images: Vec<String>, format: SaveFormat, name: String },
    /// COMMIT: `docker export` of the container (the merged view with its writes).
    Export { job: u32, name: String },
    /// CONTAINER: restart the container with these mount options.
    MountConfig { config: Config },
    /// CONTAINER: a file action from the page (edit, delete, rename, new file/dir), run as
    /// container operations and echoed as the equivalent shell command.
    FileAction(FileAction),
    /// CONTAINER: a restored session's container: restart with `config`, then replay the journal.
    Replay { config: Config, journal: Vec<JournalItem> },
    /// STORAGE DRIVERS (issue 12): what the drivers panel needs to run the container again
    /// ([`Response::ReplayInput`]).
    ReplayInput,
    /// INSPECT (issue 13): what the Inspect panel asks, on the layers this worker indexed.
    Inspect(InspectAsk),
}

/// INSPECT (issue 13): what the Inspect panel asks of the page's worker, through the page
/// ([`crate::ui::inspect_bridge`]): the layer indexes of an opened image
/// ([`crate::host::Host::export_index`]), so its own worker need not read the layers again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum InspectAsk {
    /// `image`: a position in the archive, none for the one Docker would run.
    Index { archive: String, image: Option<usize> },
}

/// The answer to an [`InspectAsk`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum InspectAnswer {
    /// The indexes are in the envelope's `bytes`; `image` is the image's position in its archive.
    Index { archive: String, image: usize },
    Error { error: String },
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Response {
    /// The worker is up (sent once at start).
    Ready,
    Progress(ProgressInfo),
    Opened { job: u32, archive: ArchiveInfo, layers: Vec<LayerInfo> },
    Failed { job: u32, error: String },
    /// The stack was applied: this many entries in the merged view, and the fresh container
    /// over it (one message, so the page draws once).
    /// `layers` echoes the stack applied (the page shows a toggle once it is applied), and
    /// `rows` answers the query that came with it.
    Stacked { entries: u64, millis: f64, container: ShellResult, layers: Vec<(LayerId, bool)>, rows: Option<Rows> },
    Rows(Rows),
    /// A file's bytes (preview or whole) are in the envelope's `bytes`.
    File(FileInfo),
    /// A listing or a whole file is in the envelope's `blob`.
    Download { name: String },
    Error { error: String },
    /// Bytes of the worker's wasm memory.
    Stats { wasm_bytes: u64 },
    /// STORAGE DRIVERS: the container as the drivers worker replays it: `json` is a
    /// [`crate::ui::drivers_bridge::Input`] (the page passes it on unread), the envelope's `blob`
    /// the union's layer blobs one after the other (a `Blob` of `Blob` parts: nothing copied).
    ReplayInput { json: String },
    /// INSPECT: the answer to [`Request::Inspect`].
    Inspect(InspectAnswer),
    /// CONTAINER (issue 3): what a shell line printed and did.
    Shell(ShellResult),
    /// COMMIT: a commit was made (or re-added): the new image as an archive of its own, its
    /// new layer, and the parts the page keeps to replay it (the layer's gzip bytes are in the
    /// envelope's `blob`). `event` says what became of the container layer; none for
    /// [`Request::AddCommitted`].
    Committed {
        job: u32,
        archive: ArchiveInfo,
        layers: Vec<LayerInfo>,
        config: String,
        base: Vec<(u32, u32)>,
        tags: Vec<String>,
        event: Option<EventLine>,
    },
    /// COMMIT: a save or export is done; the file is in the envelope's `blob`.
    Written { job: u32, name: String, bytes: u64 },
}

/// Largest preview sent to the page.
pub const PREVIEW: u64 = 64 * 1024;

/// One message: `msg` and the JS values that travel beside it untouched.
#[derive(Serialize, Deserialize)]
pub struct Envelope<M> {
    pub msg: M,
    /// An archive or layer to open, a file to download (structured clone: a reference).
    #[serde(with = "js_opt", default)]
    pub blob: Option<web_sys::Blob>,
    /// File bytes for the viewer (its buffer is transferred).
    #[serde(with = "js_opt", default)]
    pub bytes: Option<js_sys::Uint8Array>,
}

impl<M: Serialize + serde::de::DeserializeOwned> Envelope<M> {
    pub fn new(msg: M) -> Self {
        Envelope { msg, blob: None, bytes: None }
    }
    pub fn with_blob(msg: M, blob: Option<web_sys::Blob>) -> Self {
        Envelope { msg, blob, bytes: None }
    }
    /// The JS object posted.
    pub fn to_js(&self) -> Result<wasm_bindgen::JsValue, String> {
        self.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true)).map_err(|e| e.to_string())
    }
    /// An envelope received.
    pub fn from_js(v: wasm_bindgen::JsValue) -> Result<Self, String> {
        serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())
    }
}

/// `serde_wasm_bindgen::preserve` for an optional JS value (absent: `undefined`).
/// The worker's reading of a page's envelope: [`Envelope::<Request>::from_js`] written out by
/// hand, for the first-load budget (serde's derived visitors for [`Request`], [`Query`],
/// [`FileAction`], [`JournalItem`] and the small enums were about 26 KB of the worker's wasm).
/// It reads the shapes serde-wasm-bindgen makes of the page's derived `Serialize`: externally
/// tagged (`"Listing"`, `{"Shell": {"line": …}}`, `{"Query": {…}}`), unit variants as their
/// names (`Config` lowercase), tuples as arrays, `None` as `undefined`, numbers as numbers; only
/// lists of strings and pairs of numbers still go through serde. The browser tests send every
/// request.
pub fn request_from_js(env: &wasm_bindgen::JsValue) -> Result<(Request, Option<web_sys::Blob>), String> {
    use wasm_bindgen::{JsCast, JsValue};
    fn get(o: &JsValue, k: &str) -> JsValue {
        js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
    }
    fn part<T: serde::de::DeserializeOwned>(b: &JsValue, tag: &str, k: &str) -> Result<T, String> {
        serde_wasm_bindgen::from_value(if k.is_empty() { b.clone() } else { get(b, k) }).map_err(|e| format!("{tag}.{k}: {e}"))
    }
    fn query(q: &JsValue) -> Result<Query, String> {
        let num = |k: &str| get(q, k).as_f64().map(|n| n as u32).ok_or_else(|| format!("Query.{k}: not a number"));
        let word = |k: &str| get(q, k).as_string().unwrap_or_default();
        let scope = get(q, "scope");
        let scope = match scope.as_string().as_deref() {
            Some("Merged") => Scope::Merged,
            _ => Scope::Layer(get(&scope, "Layer").as_f64().ok_or("Query.scope: not a scope")? as LayerId),
        };
        let change = match word("change").as_str() {
            "All" => ChangeFilter::All,
            "Added" => ChangeFilter::Added,
            "Modified" => ChangeFilter::Modified,
            "Deleted" => ChangeFilter::Deleted,
            _ => return Err("Query.change: not a filter".into()),
        };
        let sort = match word("sort").as_str() {
            "Tree" => Sort::Tree,
            "Size" => Sort::Size,
            _ => return Err("Query.sort: not a sort".into()),
        };
        let collapsed = get(q, "collapsed").dyn_into::<js_sys::Array>().map_err(|_| "Query.collapsed: not a list")?;
        let collapsed = collapsed.iter().map(|c| c.as_string().ok_or("Query.collapsed: not a path")).collect::<Result<_, _>>()?;
        let filter = get(q, "filter").as_string().ok_or("Query.filter: not a string")?;
        Ok(Query { seq: num("seq")?, scope, filter, change, sort, collapsed, start: num("start")?, count: num("count")? })
    }
    fn config(v: &JsValue) -> Result<Config, String> {
        v.as_string().and_then(|c| Config::parse(&c).ok()).ok_or_else(|| "not a mount config".to_string())
    }
    fn file_action(a: &JsValue) -> Result<FileAction, String> {
        let Some(o) = a.dyn_ref::<js_sys::Object>() else { return Err("a file action that is not an object".into()) };
        let tag = js_sys::Object::keys(o).get(0).as_string().unwrap_or_default();
        let b = get(a, &tag);
        let text = |k: &str| get(&b, k).as_string().ok_or_else(|| format!("{tag}.{k}: not a string"));
        Ok(match tag.as_str() {
            "Write" => FileAction::Write { path: text("path")?, text: text("text")? },
            "Delete" => FileAction::Delete { path: text("path")?, dir: get(&b, "dir").as_bool().ok_or("Delete.dir: not a boolean")? },
            "Rename" => FileAction::Rename { from: text("from")?, to: text("to")? },
            "NewFile" => FileAction::NewFile { path: text("path")? },
            "NewDir" => FileAction::NewDir { path: text("path")? },
            t => return Err(format!("unknown file action {t}")),
        })
    }
    let blob = get(env, "blob").dyn_into::<web_sys::Blob>().ok();
    let msg = get(env, "msg");
    if let Some(tag) = msg.as_string() {
        let r = match tag.as_str() {
            "Listing" => Request::Listing,
            "Stats" => Request::Stats,
            "Warm" => Request::Warm,
            "ReplayInput" => Request::ReplayInput,
            t => return Err(format!("unknown request {t}")),
        };
        return Ok((r, blob));
    }
    let Some(o) = msg.dyn_ref::<js_sys::Object>() else { return Err("a request that is not an object".into()) };
    let tag = js_sys::Object::keys(o).get(0).as_string().ok_or("a request without a name")?;
    let b = get(&msg, &tag);
    let t = tag.as_str();
    let text = |k: &str| get(&b, k).as_string().ok_or_else(|| format!("{t}.{k}: not a string"));
    let num = |k: &str| get(&b, k).as_f64().ok_or_else(|| format!("{t}.{k}: not a number"));
    let flag = |k: &str| get(&b, k).as_bool().ok_or_else(|| format!("{t}.{k}: not a boolean"));
    let r = match t {
        "Open" => Request::Open { job: num("job")? as u32, name: text("name")?, verify: flag("verify")?, split_from: get(&b, "split_from").as_f64().map(|n| n as u64) },
        "SetStack" => {
            let list = get(&b, "layers").dyn_into::<js_sys::Array>().map_err(|_| "SetStack.layers: not a list")?;
            let mut layers = Vec::new();
            for pair in list.iter() {
                let pair = js_sys::Array::from(&pair);
                layers.push((pair.get(0).as_f64().ok_or("SetStack.layers: not a layer")? as LayerId, pair.get(1).as_bool().ok_or("SetStack.layers: not on/off")?));
            }
            let q = get(&b, "query");
            Request::SetStack { layers, query: if q.is_undefined() || q.is_null() { None } else { Some(query(&q)?) } }
        }
        "Query" => Request::Query(query(&b)?),
        "Read" => Request::Read { path: text("path")?, download: flag("download")? },
        "Shell" => Request::Shell { line: text("line")? },
        "Commit" => Request::Commit {
            job: num("job")? as u32,
            message: text("message")?,
            author: text("author")?,
            changes: part(&b, t, "changes")?,
            tag: text("tag")?,
            time: num("time")? as i64,
        },
        "AddCommitted" => Request::AddCommitted { job: num("job")? as u32, config: text("config")?, base: part(&b, t, "base")?, tags: part(&b, t, "tags")? },
        "Save" => {
            let format = match get(&b, "format").as_string().as_deref() {
                Some("Docker") => SaveFormat::Docker,
                Some("Oci") => SaveFormat::Oci,
                _ => return Err("Save.format: not a format".into()),
            };
            Request::Save { job: num("job")? as u32, images: part(&b, t, "images")?, format, name: text("name")? }
        }
        "Export" => Request::Export { job: num("job")? as u32, name: text("name")? },
        "MountConfig" => Request::MountConfig { config: config(&get(&b, "config"))? },
        "FileAction" => Request::FileAction(file_action(&b)?),
        "Replay" => {
            let items = get(&b, "journal").dyn_into::<js_sys::Array>().map_err(|_| "Replay.journal: not a list")?;
            let mut journal = Vec::new();
            for item in items.iter() {
                let line = get(&item, "Line");
                journal.push(match line.as_string() {
                    Some(l) => JournalItem::Line(l),
                    None => JournalItem::Action(file_action(&get(&item, "Action"))?),
                });
            }
            Request::Replay { config: config(&get(&b, "config"))?, journal }
        }
        "Inspect" => {
            let i = get(&b, "Index");
            let image = get(&i, "image").as_f64().map(|n| n as usize);
            Request::Inspect(InspectAsk::Index { archive: get(&i, "archive").as_string().ok_or("Inspect.Index.archive: not a string")?, image })
        }
        t => return Err(format!("unknown request {t}")),
    };
    Ok((r, blob))
}

mod js_opt {
    use serde::{Deserializer, Serializer};
    use wasm_bindgen::{JsCast, JsValue};

    pub fn serialize<S: Serializer, T: JsCast>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => serde_wasm_bindgen::preserve::serialize(v, s),
            None => serde_wasm_bindgen::preserve::serialize(&JsValue::UNDEFINED, s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: JsCast>(d: D) -> Result<Option<T>, D::Error> {
        let v: JsValue = serde_wasm_bindgen::preserve::deserialize(d)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.dyn_into().map(Some).map_err(|_| serde::de::Error::custom("a JS value of the wrong type"))
    }
}
