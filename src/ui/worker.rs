//! The worker side: receives [`Request`]s, runs the core's [`Host`], posts [`Response`]s.
//!
//! Rules: everything here runs synchronously in the worker, so the page never waits on it.
//! Archives are read from the `File` with `FileReaderSync` ([`BrowserBlob`]). Progress is posted
//! at most every 50 ms. Cancelling is done by the page terminating this worker and starting a
//! fresh one (a running job cannot be interrupted by a message: the worker's event loop is busy),
//! so nothing here needs a cancel path.
//!
//! SPLIT OPEN (issue 14, both cores): an archive whose layer blobs make at least the page's
//! `split_from` bytes is indexed by layer workers ([`super::layer_worker`], a wasm of its own
//! that holds only the indexing, fetched on the first split open), one per core: several
//! layers are read side by side (the browser serves two workers' reads at once), an
//! uncompressed layer is read as the blob's stream, and a verified open's biggest layer is
//! hashed here while a layer worker reads and inflates it. Each indexes a layer
//! exactly as the load would ([`crate::image::index_options`]), or a piece of a big gzip or
//! uncompressed layer not being verified ([`crate::layer::tarindex::index_piece`],
//! [`crate::layer::tarindex::walk_piece`]; planned here, joined here when
//! all are in, indexed in one pass when they do not meet), and answers with the index as
//! [`crate::layer::indexfile`] bytes; this worker then loads the archive taking those indexes
//! ([`crate::host::load_archive`]), which checks each against its blob and the manifests'
//! digests as it checks its own pass. While they run, another open joins them whatever its size
//! (the page opens several layer files at once: they are indexed side by side), and the biggest
//! blob not handed out goes to whichever worker is free. Opens finish in the order they came
//! (layer ids are given out in that order); any other request waits, and so does every open
//! after it, then runs in order, so the page sees the sequence it sent. If a layer worker
//! fails (a broken layer), that open runs here in turn, so its error is the one the sequential
//! pass words. Cancel still terminates this worker, and its layer workers with it. The layer
//! workers end when the last open they took is done (their memory with them); a `Warm` (the
//! user clicked the file picker or drags files over the page) starts them ahead, so their
//! start (100-240 ms on the big image) overlaps the choice of the file.

use crate::source::Source;
use crate::ui::blob_file::BrowserBlob;
use crate::host::{load_archive, prepare, Host};
use crate::source::BlobSource;
use crate::ui::protocol::{Envelope, InspectAnswer, InspectAsk, ProgressInfo, Request, Response, PREVIEW};
use js_sys::{Array, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    /// The worker's host, for the layer workers' answers (they arrive outside [`handle`]).
    static ENGINE: RefCell<Option<Rc<RefCell<Host>>>> = const { RefCell::new(None) };
    /// The layer workers while split opens are in flight.
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
    /// Requests that came while a split open was in flight, in order.
    static DEFERRED: RefCell<std::collections::VecDeque<JsValue>> = const { RefCell::new(std::collections::VecDeque::new()) };
    /// Every archive opened, as the core reads it and as the browser holds it: a layer of an
    /// archive is handed to the drivers worker as a slice of its `File` ([`replay_input`]).
    static ROOTS: RefCell<Vec<(Source, Blob)>> = const { RefCell::new(Vec::new()) };
}

/// The container as the drivers worker replays it: the input's JSON and the union's layer
/// blobs as one `Blob` of parts. A layer inside an opened archive is a slice of its `File`
/// (nothing read or copied); any other (a committed layer, held in memory) is read into a part.
fn replay_input(engine: &Host) -> Result<Option<(String, Blob)>, String> {
    let Some(r) = engine.replay_input() else { return Ok(None) };
    let parts = Array::new();
    let mut layers = Vec::new();
    for (id, lb) in &r.layers {
        let part = js_blob(&lb.source)?;
        parts.push(&part);
        layers.push((*id, lb.source.len()));
    }
    let input = crate::ui::drivers_bridge::Input { config: r.config, script: r.script, layers, line: r.line, line_ops: r.line_ops };
    let json = serde_json::to_string(&input).map_err(|e| e.to_string())?;
    let blob = Blob::new_with_blob_sequence(&parts).map_err(|_| "the browser could not make a Blob of the layers".to_string())?;
    Ok(Some((json, blob)))
}

/// A source as a browser `Blob`: a window of an opened archive is a slice of its `File`.
fn js_blob(src: &Source) -> Result<Blob, String> {
    let (mut root, mut start) = (src.clone(), 0u64);
    while let Some((parent, off)) = root.window() {
        start += off;
        root = parent.clone();
    }
    let found = ROOTS.with(|r| r.borrow().iter().find(|(s, _)| std::ptr::addr_eq(Arc::as_ptr(s), Arc::as_ptr(&root))).map(|(_, b)| b.clone()));
    if let Some(file) = found {
        return file.slice_with_f64_and_f64(start as f64, (start + src.len()) as f64).map_err(|_| "the browser could not slice the archive".to_string());
    }
    let mut bytes = vec![0u8; usize::try_from(src.len()).map_err(|_| "a layer too large to hand over")?];
    crate::source::read_exact_at(&**src, 0, &mut bytes).map_err(|e| format!("a layer could not be read: {e}"))?;
    let parts = Array::of1(&Uint8Array::from(&bytes[..]));
    Blob::new_with_u8_array_sequence(&parts).map_err(|_| "the browser could not make a Blob of a layer".to_string())
}

/// Starts the worker: installs the message handler and says it is ready.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let engine = Rc::new(RefCell::new(Host::new()));
    ENGINE.with(|e| *e.borrow_mut() = Some(engine.clone()));
    let s2 = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        // While layer workers index opens, a request waits its turn; another open joins them
        // unless something is already waiting before it. A `Warm` never waits (it only starts
        // the layer workers if none run).
        if in_flight() && (DEFERRED.with(|d| !d.borrow().is_empty()) || !is_open(&ev.data())) && !is_warm(&ev.data()) {
            DEFERRED.with(|d| d.borrow_mut().push_back(ev.data()));
            return;
        }
        handle(&s2, &mut engine.borrow_mut(), ev.data());
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&scope, Response::Ready, None, None);
}

pub(crate) fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
    scope.performance().map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

/// Posts an [`Envelope`]; `bytes` is transferred.
fn post(scope: &DedicatedWorkerGlobalScope, resp: Response, bytes: Option<Uint8Array>, blob: Option<Blob>) {
    let transfer = Array::new();
    if let Some(b) = &bytes {
        transfer.push(&b.buffer());
    }
    let env = Envelope { msg: resp, blob, bytes };
    match env.to_js() {
        Ok(v) => {
            let _ = scope.post_message_with_transfer(&v, &transfer);
        }
        Err(e) => {
            if let Ok(v) = Envelope::new(Response::Error { error: format!("the worker could not answer: {e}") }).to_js() {
                let _ = scope.post_message(&v);
            }
        }
    }
}

/// A plain object of `(key, value)` pairs (the layer workers' messages, see [`crate::ui::protocol`]).
pub(crate) fn obj(pairs: &[(&str, &JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o
}

pub(crate) fn field(o: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Whether a page's envelope asks to open an archive (`{msg: {Open: …}}`).
fn is_open(env: &JsValue) -> bool {
    !field(&field(env, "msg"), "Open").is_undefined()
}

fn is_warm(env: &JsValue) -> bool {
    field(env, "msg").as_string().as_deref() == Some("Warm")
}

/// Layer workers are indexing opens (requests other than opens wait, [`run`]).
fn in_flight() -> bool {
    pooled(|p| !p.opens.is_empty()).unwrap_or(false)
}

fn handle(scope: &DedicatedWorkerGlobalScope, engine: &mut Host, data: JsValue) {
    let (req, blob) = match crate::ui::protocol::request_from_js(&data) {
        Ok(r) => r,
        Err(e) => {
            post(scope, Response::Error { error: format!("bad request to the worker: {e}") }, None, None);
            return;
        }
    };
    match req {
        Request::Open { job, name, verify, split_from } => {
            let Some(blob) = blob else {
                post(scope, Response::Failed { job, error: format!("{name}: no file was given") }, None, None);
                return;
            };
            let file = blob.clone();
            let blob = match BrowserBlob::new(blob) {
                Ok(b) => b,
                Err(e) => {
                    post(scope, Response::Failed { job, error: format!("{name}: {e}") }, None, None);
                    return;
                }
            };
            // Bytes come from the source (every slice read), layer and entries from the indexer.
            let reporter = Rc::new(RefCell::new(Reporter {
                scope: scope.clone(),
                info: ProgressInfo { job, total: blob.len(), ..Default::default() },
                last: 0.0,
            }));
            let r2 = reporter.clone();
            let watched = Arc::new(Watched { inner: blob, on_read: Box::new(move |n| r2.borrow_mut().read(n)) });
            let src: Source = watched.clone();
            ROOTS.with(|r| r.borrow_mut().push((src.clone(), file)));
            let t0 = now(scope);
            let size = src.len();
            // The archive's own members, and its layers' first bytes, are far apart.
            watched.inner.first.set(crate::ui::blob_file::ARCHIVE_SLICE);
            let archive = match prepare(src, &name, verify) {
                Ok(a) => a,
                Err(e) => return post(scope, Response::Failed { job, error: e.to_string() }, None, None),
            };
            let archive = match split_from {
                Some(min) => match pool_open(scope, job, verify, archive, min, reporter.clone(), t0) {
                    Ok(()) => return,
                    Err(a) => a,
                },
                None => archive,
            };
            // Its layers are indexed here: header walks read ahead as usual.
            watched.inner.first.set(crate::ui::blob_file::FIRST_SLICE);
            let mut progress = |p: ProgressInfo| {
                reporter.borrow_mut().indexed(p);
                true
            };
            let res = load_archive(&archive, size, verify, job, engine.next_id(), &mut progress, Vec::new());
            let (reads, bytes, ms) = watched.inner.stats.get();
            web_sys::console::debug_1(&format!("layerlab: opened {name} in {:.0} ms; {reads} browser reads, {:.1} MiB, {ms:.0} ms", now(scope) - t0, bytes as f64 / 1048576.0).into());
            finish_open(scope, engine, job, res);
        }

        Request::SetStack { layers, query } => {
            let t = now(scope);
            let entries = engine.set_stack(layers.clone());
            let millis = now(scope) - t;
            let rows = query.map(|q| {
                let t = now(scope);
                let mut rows = engine.query(&q);
                rows.millis = now(scope) - t;
                rows
            });
            post(scope, Response::Stacked { entries, millis, container: engine.container_status(), layers, rows }, None, None);
        }
        Request::Query(q) => {
            let t = now(scope);
            let mut rows = engine.query(&q);
            rows.millis = now(scope) - t;
            post(scope, Response::Rows(rows), None, None);
        }
        Request::Read { path, download } => {
            let mut data = Vec::new();
            let parts = Array::new();
            let limit = if download { None } else { Some(PREVIEW) };
            let res = engine.read(&path, limit, &mut |chunk| {
                if download {
                    parts.push(&Uint8Array::from(chunk));
                } else {
                    data.extend_from_slice(chunk);
                }
                Ok(())
            });
            match res {
                Ok(info) if download => {
                    let name = info.path.rsplit('/').next().unwrap_or("file").to_string();
                    let opts = web_sys::BlobPropertyBag::new();
                    opts.set_type("application/octet-stream");
                    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &opts).ok();
                    post(scope, Response::Download { name }, None, blob);
                }
                Ok(info) => post(scope, Response::File(info), Some(Uint8Array::from(&data[..])), None),
                Err(e) => post(scope, Response::Error { error: e.to_string() }, None, None),
            }
        }
        Request::Shell { line } => {
            let r = engine.shell(&line);
            post(scope, Response::Shell(r), None, None);
        }
        Request::Commit { job, message, author, changes, tag, time } => {
            let req = crate::host::CommitRequest { message, author, changes, tag, time };
            match engine.commit(&req) {
                Ok(done) => post_committed(scope, job, done),
                Err(e) => post(scope, Response::Failed { job, error: format!("docker commit: {e}") }, None, None),
            }
        }
        Request::AddCommitted { job, config, base, tags } => {
            let bytes = blob
                .ok_or_else(|| "no layer was given".to_string())
                .and_then(|b| BrowserBlob::new(b).map_err(|e| e.to_string()))
                .and_then(|b| crate::source::read_range(&b, 0, b.len()).map_err(|e| e.to_string()));
            let res = bytes.and_then(|gz| engine.add_committed(&config, &base, tags, gz).map_err(|e| e.to_string()));
            match res {
                Ok(done) => post_committed(scope, job, done),
                Err(e) => post(scope, Response::Failed { job, error: format!("a committed image could not be restored: {e}") }, None, None),
            }
        }
        Request::Save { job, images, format, name } => {
            let res = engine.save_plan(&images).and_then(|(imgs, total)| {
                let mut w = BlobWriter::new(scope, job, total);
                engine.save_to(&imgs, format, 0, &mut w)?;
                Ok(w)
            });
            finish_written(scope, job, name, res);
        }
        Request::Export { job, name } => {
            let mut w = BlobWriter::new(scope, job, engine.export_size());
            let res = engine.export_to(&mut w).map(|_| w);
            finish_written(scope, job, name, res);
        }
        Request::MountConfig { config } => {
            let r = engine.set_config(config);
            post(scope, Response::Shell(r), None, None);
        }
        Request::FileAction(a) => {
            let r = engine.file_action(&a);
            post(scope, Response::Shell(r), None, None);
        }
        Request::Replay { config, journal } => {
            let r = engine.replay(config, &journal);
            post(scope, Response::Shell(r), None, None);
        }
        // Nothing to replay before a stack is set: the panel keeps saying so.
        Request::ReplayInput => match replay_input(engine) {
            Ok(Some((json, blob))) => post(scope, Response::ReplayInput { json }, None, Some(blob)),
            Ok(None) => {}
            Err(e) => post(scope, Response::Error { error: e }, None, None),
        },
        Request::Inspect(InspectAsk::Index { archive, image }) => match engine.export_index(&archive, image) {
            Ok((bytes, image)) => post(scope, Response::Inspect(InspectAnswer::Index { archive, image }), Some(Uint8Array::from(&bytes[..])), None),
            Err(e) => post(scope, Response::Inspect(InspectAnswer::Error { error: e.to_string() }), None, None),
        },
        Request::Warm => {
            start_pool(scope);
            // With a small sample (the first warm-up only): an open of it, dropped. The browser
            // compiles a wasm function when it first runs it: from the pick to the layer
            // workers' first jobs, the big image's open took 31-55 ms here without it, 16-41 ms
            // with it (traced, four alternations).
            if let Some(src) = blob.and_then(|b| BrowserBlob::new(b).ok()) {
                let src: Source = Arc::new(src);
                if let Ok(a) = prepare(src.clone(), "", false) {
                    let _ = load_archive(&a, src.len(), false, 0, engine.next_id(), &mut |_| true, Vec::new());
                }
            }
        }
        Request::Stats => {
            let mem: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
            let bytes = mem.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as u64;
            post(scope, Response::Stats { wasm_bytes: bytes }, None, None);
        }
        Request::Listing => match engine.listing() {
            Ok((text, name)) => {
                let parts = Array::of1(&text.into());
                let opts = web_sys::BlobPropertyBag::new();
                opts.set_type("text/plain;charset=utf-8");
                let blob = Blob::new_with_str_sequence_and_options(&parts, &opts).ok();
                post(scope, Response::Download { name }, None, blob);
            }
            Err(e) => post(scope, Response::Error { error: e.to_string() }, None, None),
        },
    }
}

/// Posts what an open came to.
fn finish_open(scope: &DedicatedWorkerGlobalScope, engine: &mut Host, job: u32, res: crate::error::Result<crate::host::Opened>) {
    crate::ui::blob_file::forget_read_ahead();
    match res {
        Ok(opened) => {
            let layers: Vec<crate::host::LayerInfo> = opened.layers.iter().map(|l| l.info.clone()).collect();
            // The stack the page makes of an open into an empty page (`state::add_archive`),
            // applied while it draws the open: its `SetStack` then finds it in place
            // ([`Host::set_stack`]) instead of building it after the drawing.
            let stack: Vec<_> = layers.iter().map(|l| (l.id, true)).collect();
            let archive = opened.archive.clone();
            engine.add_owned(opened);
            post(scope, Response::Opened { job, archive, layers }, None, None);
            if engine.stack().is_empty() {
                engine.set_stack(stack);
            }
        }
        Err(e) => post(scope, Response::Failed { job, error: e.to_string() }, None, None),
    }
}

/// One archive opened by the layer workers: its layer blobs as slices of the `File`, and the
/// indexes sent back so far.
struct PoolOpen {
    job: u32,
    verify: bool,
    archive: crate::image::Archive,
    size: u64,
    paths: Vec<String>,
    blobs: Vec<Blob>,
    /// Which blobs are uncompressed tars: a layer worker walks those from their streams
    /// (`layer_worker::index_fed`), told so rather than reading their first bytes again.
    plain: Vec<bool>,
    indexes: Vec<Option<crate::layer::tarindex::LayerIndex>>,
    /// Passes not handed out yet.
    todo: Vec<Job>,
    /// Bytes of each layer's blob its passes have consumed, per piece (for the progress bar).
    seen: Vec<Vec<u64>>,
    /// The pieces of each layer split over the layer workers, as they come back (empty: the
    /// layer is indexed in one pass).
    pieces: Vec<Vec<Option<crate::layer::tarindex::Piece>>>,
    /// The search for the starts of each layer's pieces while it goes on, with its
    /// milliseconds so far ([`plan_tick`]).
    planning: Vec<Option<(crate::layer::tarindex::Planner, f64)>>,
    /// Verified, the biggest layer, whose uncompressed stream a layer worker hands here as it
    /// reads (and inflates) it, to be hashed here (`stream`, its diff_id; a compressed blob's
    /// digest is a task of its own). An uncompressed one comes as the browser read it, in
    /// 16 MiB slices, each acknowledged once hashed: that layer worker waits when this one
    /// falls behind (`layer_worker::index_fed`).
    tee: Option<usize>,
    stream: crate::digest::Hasher,
    digest_todo: Option<usize>,
    blob_digest: Option<String>,
    /// A layer worker failed: this open runs here in turn when its time comes.
    failed: bool,
    reporter: Rc<RefCell<Reporter>>,
    t0: f64,
}

/// A layer worker's task: a layer's pass, or one piece of it.
#[derive(Clone, Copy)]
struct Job {
    layer: usize,
    /// Which piece, and where it starts and ends ([`crate::layer::tarindex::index_piece`]).
    piece: Option<(usize, crate::layer::tarindex::PieceSpec)>,
    /// Compressed bytes it covers (the biggest goes first).
    size: u64,
}

impl PoolOpen {
    fn ready(&self) -> bool {
        self.failed || (self.indexes.iter().all(Option::is_some) && (!self.verify || self.tee.is_none() || self.blob_digest.is_some()))
    }
}

/// The layer workers and the opens they serve, finished in the order they came (see the
/// header).
struct Pool {
    workers: Vec<web_sys::Worker>,
    /// Workers that said `Ready` and have nothing to do.
    idle: Vec<usize>,
    opens: std::collections::VecDeque<PoolOpen>,
    /// An open was handed to these workers: they end when the last is done. Until then they
    /// were only started ahead (`Request::Warm`) and wait for one.
    served: bool,
}

/// Where the split opens live while the pool runs.
fn pooled<T>(f: impl FnOnce(&mut Pool) -> T) -> Option<T> {
    POOL.with(|p| p.borrow_mut().as_mut().map(f))
}

/// How many cores the browser says this machine has.
fn cores(scope: &DedicatedWorkerGlobalScope) -> usize {
    let nav = js_sys::Reflect::get(scope, &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    js_sys::Reflect::get(&nav, &"hardwareConcurrency".into()).ok().and_then(|v| v.as_f64()).unwrap_or(1.0) as usize
}

/// Hands an open to the layer workers, starting them if none run; gives the archive back when
/// it is not for them: no open waits in the pool and a split would not pay (fewer than two cores,
/// blobs under `min` bytes: small archives open faster here than workers start), or the
/// browser cannot start workers here.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn pool_open(
    scope: &DedicatedWorkerGlobalScope,
    job: u32,
    verify: bool,
    archive: crate::image::Archive,
    min: u64,
    reporter: Rc<RefCell<Reporter>>,
    t0: f64,
) -> Result<(), crate::image::Archive> {
    // The blobs as the browser holds them; none when they cannot be found (that open then
    // runs here in turn, in its place among the pool's, and words the error).
    let found = archive.layer_blobs();
    let blobs = found.as_ref().ok().and_then(|f| f.iter().map(|(_, s)| js_blob(s)).collect::<Result<Vec<Blob>, String>>().ok());
    let found = found.unwrap_or_default();
    // Each blob's compression, read once here (a read costs this worker 1.5-3 ms).
    let kinds: Vec<Option<crate::layer::Compression>> = found.iter().map(|(_, s)| crate::layer::compression::detect_source(&**s).ok()).collect();
    // A pool with opens in hand takes every open, so they finish in the order they came.
    let busy = in_flight();
    let total: u64 = found.iter().map(|(_, s)| s.len()).sum();
    let n = cores(scope);
    // Every open of this size pays: several layers are read side by side (the browser serves
    // two workers' reads at once), a layer worker reads an uncompressed layer as the blob's
    // stream (`layer_worker::index_fed`: the big image's layer 1, not verified, in 500-570 ms
    // against 900-1000 ms for the walk with `blob_file`'s read-ahead), and a verified open's
    // biggest layer is hashed here while a layer worker reads it.
    if !busy && (n < 2 || total < min || blobs.is_none()) {
        return Err(archive);
    }
    if !start_pool(scope) {
        return Err(archive);
    }
    let layers = found.len();
    // Verified, the biggest layer's stream is hashed here.
    let tee = verify.then(|| (0..layers).max_by_key(|&l| found[l].1.len())).flatten();
    let teed = tee.map(|l| format!(", layer {l}'s stream hashed here")).unwrap_or_default();
    web_sys::console::debug_1(&format!("layerlab: splitting the open of {} ({layers} layers{teed}) over the layer workers", archive.name).into());
    // Not verified, a gzip or uncompressed layer bigger than its share of the workers' work is
    // split into pieces the layer workers read (and inflate) side by side. The big image's
    // layer 1 (585 MB) in 3 pieces: unverified opens 681-1131 ms (median 846) against
    // 705-1289 ms (median 960) in one pass, 13 alternations on a noisy box; the pairs split 7
    // to 6, as Chromium keeps the box's two cores busy either way (1.2-2.1 CPU-s an open).
    // Reads alone gain more: layer 1 read whole by two workers at once, each half, 243-431 ms
    // against 333-687 ms by one. A gzip layer's starts are searched for here a
    // piece at a time between other tasks ([`plan_tick`]): the layer workers cannot even start
    // while this worker is busy (measured: ready 270 ms after they were created while it
    // planned the big image's layers in one go, 25-40 ms otherwise).
    let mut todo = Vec::new();
    let mut planning = Vec::new();
    let (mut pieces, mut seen) = (vec![Vec::new(); layers], vec![vec![0]; layers]);
    for (l, (_, src)) in found.iter().enumerate() {
        let k = match kinds[l] {
            Some(c) if !verify && blobs.is_some() => crate::layer::tarindex::piece_count(c, src.len(), total, n),
            _ => 1,
        };
        match kinds[l].filter(|_| k > 1).map(|c| crate::layer::tarindex::Planner::of(src.clone(), k, c)) {
            // An uncompressed layer is cut with no search: its pieces go first (biggest first
            // with the other layers), not after a planning tick.
            Some(planner) if planner.cuts_at_once() => {
                let specs: Vec<_> = planner.collect();
                for (i, spec) in specs.iter().enumerate() {
                    let size = spec.until.map_or(src.len(), |c| c.input) - spec.from.map_or(0, |c| c.input);
                    todo.push(Job { layer: l, piece: Some((i, *spec)), size });
                }
                web_sys::console::debug_1(&format!("layerlab: {} layer {l}: {} pieces", archive.name, specs.len()).into());
                pieces[l] = vec![None; specs.len()];
                seen[l] = vec![0; specs.len()];
                planning.push(None);
            }
            Some(planner) => planning.push(Some((planner, 0.0))),
            None => {
                todo.push(Job { layer: l, piece: None, size: src.len() });
                planning.push(None);
            }
        }
    }
    let size = reporter.borrow().info.total;
    let open = PoolOpen {
        job,
        verify,
        size,
        paths: found.into_iter().map(|(p, _)| p).collect(),
        archive,
        failed: blobs.is_none(),
        blobs: blobs.unwrap_or_default(),
        indexes: (0..layers).map(|_| None).collect(),
        seen,
        todo,
        pieces,
        planning,
        tee,
        stream: crate::digest::Hasher::new(),
        // An uncompressed layer's blob is its stream: its digest is the stream's.
        digest_todo: tee.filter(|&l| kinds[l].is_some_and(|c| c != crate::layer::Compression::None)),
        plain: kinds.iter().map(|&c| c == Some(crate::layer::Compression::None)).collect(),
        blob_digest: None,
        reporter,
        t0,
    };
    let plans = open.planning.iter().any(Option::is_some);
    pooled(|p| {
        p.opens.push_back(open);
        p.served = true;
        p.wake();
    });
    if plans {
        plan_later(scope);
    }
    Ok(())
}

/// Starts the layer workers, one per core; `false` when there is one core or the browser
/// cannot start workers here.
fn start_pool(scope: &DedicatedWorkerGlobalScope) -> bool {
    if POOL.with(|p| p.borrow().is_some()) {
        return true;
    }
    let n = cores(scope);
    if n < 2 {
        return false;
    }
    let mut workers = Vec::new();
    for w in 0..n {
        let Ok(worker) = web_sys::Worker::new("./layer-worker_loader.js") else { break };
        let on = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| on_layer_message(w, ev.data()));
        worker.set_onmessage(Some(on.as_ref().unchecked_ref()));
        // Lives as long as the page's worker (one small closure per layer worker started).
        on.forget();
        workers.push(worker);
    }
    if workers.is_empty() {
        return false;
    }
    web_sys::console::debug_1(&format!("layerlab: {} layer workers started", workers.len()).into());
    POOL.with(|p| *p.borrow_mut() = Some(Pool { workers, idle: Vec::new(), opens: Default::default(), served: false }));
    true
}

/// Runs [`plan_tick`] as a task of its own, after the ones waiting (the layer workers'
/// messages and their start among them).
fn plan_later(scope: &DedicatedWorkerGlobalScope) {
    thread_local! {
        static TICK: Closure<dyn FnMut()> = Closure::new(plan_tick);
    }
    TICK.with(|t| {
        let _ = scope.set_timeout_with_callback(t.as_ref().unchecked_ref());
    });
}

/// One step of the search for pieces' starts ([`crate::layer::tarindex::Planner`]): the first
/// open still planning gets its next piece, which is handed out at once; then the next step
/// is left for later.
#[inline(never)]
fn plan_tick() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let more = pooled(|p| {
        let Some(o) = p.opens.iter_mut().find(|o| o.planning.iter().any(Option::is_some)) else { return false };
        let Some(l) = o.planning.iter().position(Option::is_some) else { return false };
        let Some((planner, took)) = o.planning[l].as_mut() else { return false };
        let t = now(&scope);
        let spec = planner.next();
        *took += now(&scope) - t;
        let took = *took;
        let src_len = o.blobs[l].size() as u64;
        match spec {
            // No start was found: one pass.
            Some(spec) if spec.from.is_none() && spec.until.is_none() => {
                o.planning[l] = None;
                o.todo.push(Job { layer: l, piece: None, size: src_len });
            }
            Some(spec) => {
                let k = o.pieces[l].len();
                o.pieces[l].push(None);
                o.seen[l].resize(k + 1, 0);
                let size = spec.until.map_or(src_len, |c| c.input) - spec.from.map_or(0, |c| c.input);
                o.todo.push(Job { layer: l, piece: Some((k, spec)), size });
                if spec.until.is_none() {
                    o.planning[l] = None;
                    web_sys::console::debug_1(&format!("layerlab: {} layer {l}: {} pieces (planned in {} ms)", o.archive.name, k + 1, took as u32).into());
                }
            }
            None => o.planning[l] = None,
        }
        p.wake();
        p.opens.iter().any(|o| o.planning.iter().any(Option::is_some))
    });
    if more == Some(true) {
        plan_later(&scope);
    }
}

impl Pool {
    /// Hands the idle workers what there is to do.
    fn wake(&mut self) {
        while let Some(w) = self.idle.pop() {
            if !self.assign(w) {
                break;
            }
        }
    }

    /// Hands layer worker `w` the biggest layer blob not handed out yet (an open's layers all
    /// wait for it, so the longest pass goes first); `false` (and `w` idle) when none is left.
    #[inline(never)]
    fn assign(&mut self, w: usize) -> bool {
        let next = self
            .opens
            .iter()
            .filter(|o| !o.failed)
            .flat_map(|o| o.todo.iter().enumerate().map(move |(k, j)| (o.job, k, *j)))
            .max_by_key(|&(.., j)| j.size);
        let Some((job, k, Job { layer, piece, .. })) = next else {
            // Then the blob digests of tee'd layers.
            if let Some(o) = self.opens.iter_mut().find(|o| !o.failed && o.digest_todo.is_some()) {
                let l = o.digest_todo.take().unwrap_or_default();
                let m = obj(&[("digest", &(l as u32).into()), ("job", &o.job.into()), ("blob", &o.blobs[l])]);
                let _ = self.workers[w].post_message(&m);
                return true;
            }
            self.idle.push(w);
            return false;
        };
        let Some(o) = self.opens.iter_mut().find(|o| o.job == job) else { return false };
        o.todo.remove(k);
        let tee = o.tee == Some(layer);
        let m = obj(&[("index", &(layer as u32).into()), ("job", &job.into()), ("verify", &o.verify.into()), ("tee", &tee.into()), ("plain", &o.plain[layer].into()), ("blob", &o.blobs[layer]), ("name", &o.archive.name.as_str().into())]);
        if let Some((k, spec)) = piece {
            let _ = js_sys::Reflect::set(&m, &"piece".into(), &js_sys::Float64Array::from(&spec.to_numbers(k)[..]));
        }
        let _ = self.workers[w].post_message(&m);
        true
    }
}

/// An answer from layer worker `w`.
#[inline(never)]
fn on_layer_message(w: usize, data: JsValue) {
    let job = field(&data, "job").as_f64().map(|j| j as u32);
    pooled(|p| {
        // Its `Ready` (an envelope, as it greets any parent), then plain objects.
        if field(&data, "msg").as_string().as_deref() == Some("Ready") {
            // Started ahead of an open: the first runs the pass's code meanwhile
            // (`layer_worker::warm_up`).
            if w == 0 && !p.served {
                let _ = p.workers[0].post_message(&JsValue::TRUE);
            }
            p.assign(w);
            return;
        }
        let (Some(job), Some(layer)) = (job, field(&data, "layer").as_f64().map(|l| l as usize)) else { return };
        // Every chunk is acknowledged once hashed, or at once when its open is gone (it failed
        // meanwhile): a layer worker whose chunks went unanswered would wait for ever
        // (`layer_worker::index_fed`).
        let chunk = field(&data, "chunk").dyn_into::<Uint8Array>().ok();
        // The buffer goes back with the acknowledgement, for the layer worker to fill again.
        let ack = |p: &Pool, c: &Uint8Array| {
            let b = c.buffer();
            let m = obj(&[("ack", &f64::from(c.length()).into()), ("job", &job.into()), ("buf", &b)]);
            let _ = p.workers[w].post_message_with_transfer(&m, &js_sys::Array::of1(&b));
        };
        let Some(o) = p.opens.iter_mut().find(|o| o.job == job) else {
            if let Some(c) = &chunk {
                ack(p, c);
                return;
            }
            // The answer to an open that already ran in turn (another of its layers failed):
            // the worker is free all the same.
            if !field(&data, "index").is_undefined() || !field(&data, "error").is_undefined() || field(&data, "digest").is_string() {
                p.assign(w);
            }
            return;
        };
        if let Some(chunk) = chunk {
            if o.tee == Some(layer) {
                crate::ui::blob_file::hash_array(&mut o.stream, &chunk);
            }
            ack(p, &chunk);
            return;
        }
        if let Some(d) = field(&data, "digest").as_string() {
            o.blob_digest = Some(d);
            p.assign(w);
            return;
        }
        if let Some(bytes) = field(&data, "bytes").as_f64() {
            // A piece's progress, or the whole pass's; a piece still reporting after its layer
            // went back to one pass ([`retry_whole`]) is not counted.
            let part = field(&data, "part").as_f64().map(|k| k as usize);
            let split = o.pieces.get(layer).is_some_and(|p| !p.is_empty());
            if let Some(x) = o.seen.get_mut(layer).filter(|_| part.is_some() == split).and_then(|s| s.get_mut(part.unwrap_or(0))) {
                *x = bytes as u64;
            }
            let sum: u64 = o.seen.iter().flatten().sum();
            let mut r = o.reporter.borrow_mut();
            r.info.layer = layer as u32;
            r.info.layers = o.indexes.len() as u32;
            r.info.entries = field(&data, "entries").as_f64().unwrap_or(0.0) as u64;
            r.info.bytes = sum.min(o.size);
            r.maybe_post();
            return;
        }
        let idx = field(&data, "index").dyn_into::<Uint8Array>().ok().and_then(|a| crate::layer::indexfile::decode(&a.to_vec()).ok()).and_then(|mut v| v.pop());
        if let Some(part) = field(&data, "part").as_f64().map(|k| k as usize) {
            took_piece(o, layer, part, idx, &data);
            p.assign(w);
            return;
        }
        match (idx, o.indexes.get_mut(layer)) {
            (Some(mut idx), Some(slot)) => {
                o.seen[layer] = vec![idx.compressed_size];
                // The tee'd layer's diff_id: every chunk came before the index (one worker's
                // messages arrive in order).
                if o.tee == Some(layer) {
                    let h = std::mem::replace(&mut o.stream, crate::digest::Hasher::new());
                    let d = crate::digest::prefixed(&h.finalize());
                    if idx.compression == crate::layer::Compression::None {
                        o.blob_digest = Some(d.clone());
                    }
                    idx.diff_id = Some(d);
                }
                *slot = Some(idx);
            }
            _ => {
                o.failed = true;
                o.todo.clear();
            }
        }
        p.assign(w);
    });
    finish_ready();
}

/// A piece of a split layer came back (`idx` its findings, `None` when it failed): when all
/// are in, they are joined into the layer's index; pieces that do not join, or a piece that
/// failed, put the layer back in line for one pass.
fn took_piece(o: &mut PoolOpen, layer: usize, part: usize, idx: Option<crate::layer::tarindex::LayerIndex>, data: &JsValue) {
    let Some(slot) = o.pieces.get_mut(layer).and_then(|p| p.get_mut(part)) else { return };
    let ends = field(data, "ends").dyn_into::<js_sys::Float64Array>().map(|a| a.to_vec()).unwrap_or_default();
    let piece = idx.map(|index| crate::layer::tarindex::Piece::with_ends(index, &ends));
    let Some(piece) = piece else {
        return retry_whole(o, layer, "a piece failed");
    };
    *slot = Some(piece);
    if o.planning[layer].is_some() || o.pieces[layer].iter().any(Option::is_none) {
        return;
    }
    let pieces: Vec<_> = std::mem::take(&mut o.pieces[layer]).into_iter().flatten().collect();
    let n = pieces.len();
    let total = o.blobs[layer].size() as u64;
    let opts = crate::image::index_options(crate::layer::Compression::Gzip, &crate::host::load_options(o.verify));
    match crate::layer::tarindex::join_pieces(pieces, total, &opts) {
        Some(idx) => {
            web_sys::console::debug_1(&format!("layerlab: {} layer {layer}: its {n} pieces joined", o.archive.name).into());
            o.seen[layer] = vec![total];
            o.indexes[layer] = Some(idx);
        }
        None => retry_whole(o, layer, "its pieces did not meet"),
    }
}

/// Puts a split layer back in line for one pass.
fn retry_whole(o: &mut PoolOpen, layer: usize, why: &str) {
    o.pieces[layer].clear();
    o.planning[layer] = None;
    o.seen[layer] = vec![0];
    o.todo.retain(|j| j.layer != layer);
    o.todo.push(Job { layer, piece: None, size: o.blobs[layer].size() as u64 });
    web_sys::console::debug_1(&format!("layerlab: {} layer {layer}: {why}; indexed in one pass", o.archive.name).into());
}

/// Finishes the opens at the front whose layers are all indexed (or that run here in turn
/// after a layer worker failed), in the order they came; when none is left, ends the layer
/// workers and runs the requests that waited.
#[inline(never)]
fn finish_ready() {
    let Some(engine) = ENGINE.with(|e| e.borrow().clone()) else { return };
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    while let Some(o) = pooled(|p| if p.opens.front().is_some_and(PoolOpen::ready) { p.opens.pop_front() } else { None }).flatten() {
        let PoolOpen { job, verify, archive, size, paths, mut indexes, failed, reporter, t0, tee, blob_digest, .. } = o;
        if let (Some(l), Some(d)) = (tee, blob_digest) {
            if let Some(Some(idx)) = indexes.get_mut(l) {
                idx.blob_digest = Some(d);
            }
        }
        let indexes: Vec<(String, crate::layer::tarindex::LayerIndex)> =
            if failed { Vec::new() } else { paths.into_iter().zip(indexes).filter_map(|(p, i)| Some((p, i?))).collect() };
        let mut progress = |p: ProgressInfo| {
            reporter.borrow_mut().indexed(p);
            true
        };
        let mut engine = engine.borrow_mut();
        let first = engine.next_id();
        let res = load_archive(&archive, size, verify, job, first, &mut progress, indexes);
        let how = if failed { "in turn, after a layer worker failed" } else { "split" };
        web_sys::console::debug_1(&format!("layerlab: opened {} in {:.0} ms ({how})", archive.name, now(&scope) - t0).into());
        finish_open(&scope, &mut engine, job, res);
    }
    if in_flight() {
        return;
    }
    // Their memory goes with them (a wasm's memory only grows); workers started ahead stay.
    if let Some(p) = POOL.with(|p| p.borrow_mut().take_if(|p| p.served)) {
        for w in &p.workers {
            w.terminate();
        }
    }
    // What came meanwhile, in order (until an open hands work to layer workers again).
    while !in_flight() {
        let Some(next) = DEFERRED.with(|d| d.borrow_mut().pop_front()) else { break };
        handle(&scope, &mut engine.borrow_mut(), next);
    }
}

fn post_committed(scope: &DedicatedWorkerGlobalScope, job: u32, d: crate::host::CommitDone) {
    let parts = Array::of1(&Uint8Array::from(&d.layer_gz[..]));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/gzip");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &opts).ok();
    let resp = Response::Committed { job, archive: d.archive, layers: d.layers, config: d.config, base: d.base, tags: d.tags, event: d.event };
    post(scope, resp, None, blob);
}

fn finish_written(scope: &DedicatedWorkerGlobalScope, job: u32, name: String, res: crate::error::Result<BlobWriter>) {
    match res.and_then(|w| w.finish()) {
        Ok((blob, bytes)) => post(scope, Response::Written { job, name, bytes }, None, Some(blob)),
        Err(e) => post(scope, Response::Failed { job, error: format!("{name}: {e}") }, None, None),
    }
}

/// A writer into a browser `Blob`: bytes are handed to the browser in 1 MiB parts and gathered
/// into intermediate Blobs every 32 MiB (the browser may keep those on disk), so neither the
/// wasm memory nor the JS heap holds a large archive. Progress is posted as bytes are written.
struct BlobWriter {
    buf: Vec<u8>,
    parts: Array,
    parts_bytes: usize,
    blobs: Array,
    written: u64,
    reporter: Reporter,
}

const PART: usize = 1 << 20;
const GATHER: usize = 32 << 20;

impl BlobWriter {
    fn new(scope: &DedicatedWorkerGlobalScope, job: u32, total: u64) -> Self {
        BlobWriter {
            buf: Vec::with_capacity(PART),
            parts: Array::new(),
            parts_bytes: 0,
            blobs: Array::new(),
            written: 0,
            reporter: Reporter { scope: scope.clone(), info: ProgressInfo { job, total, ..Default::default() }, last: 0.0 },
        }
    }
    fn flush_buf(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            self.parts.push(&Uint8Array::from(&self.buf[..]));
            self.parts_bytes += self.buf.len();
            self.buf.clear();
        }
        if self.parts_bytes >= GATHER {
            self.gather()?;
        }
        Ok(())
    }
    fn gather(&mut self) -> std::io::Result<()> {
        if self.parts.length() > 0 {
            let b = Blob::new_with_u8_array_sequence(&self.parts).map_err(|_| std::io::Error::other("the browser could not hold the file"))?;
            self.blobs.push(&b);
            self.parts = Array::new();
            self.parts_bytes = 0;
        }
        Ok(())
    }
    fn finish(mut self) -> crate::error::Result<(Blob, u64)> {
        let io = |e: std::io::Error| crate::error::Error::io(&e);
        self.flush_buf().map_err(io)?;
        self.gather().map_err(io)?;
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("application/x-tar");
        let b = Blob::new_with_blob_sequence_and_options(&self.blobs, &opts)
            .map_err(|_| io(std::io::Error::other("the browser could not hold the file")))?;
        Ok((b, self.written))
    }
}

impl std::io::Write for BlobWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let mut rest = data;
        while !rest.is_empty() {
            let n = rest.len().min(PART - self.buf.len());
            self.buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.buf.len() == PART {
                self.flush_buf()?;
            }
        }
        self.written += data.len() as u64;
        self.reporter.read(data.len() as u64);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Progress of one open, posted at most every 50 ms.
struct Reporter {
    scope: DedicatedWorkerGlobalScope,
    info: ProgressInfo,
    last: f64,
}

impl Reporter {
    /// `n` more bytes of the archive were read.
    fn read(&mut self, n: u64) {
        self.info.bytes = (self.info.bytes + n).min(self.info.total);
        self.maybe_post();
    }
    /// The indexer's view: which layer, how many entries (its byte counts are per layer; the
    /// archive-wide count comes from [`Reporter::read`]).
    fn indexed(&mut self, p: ProgressInfo) {
        self.info.layer = p.layer;
        self.info.layers = p.layers;
        self.info.entries = p.entries;
        self.maybe_post();
    }
    fn maybe_post(&mut self) {
        let t = now(&self.scope);
        if t - self.last >= 50.0 {
            self.last = t;
            post(&self.scope, Response::Progress(self.info.clone()), None, None);
        }
    }
}

/// A source that reports every read (for the progress bar).
struct Watched {
    inner: BrowserBlob,
    on_read: Box<dyn Fn(u64)>,
}

impl BlobSource for Watched {
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read_at(offset, buf)?;
        (self.on_read)(n as u64);
        Ok(n)
    }
}
