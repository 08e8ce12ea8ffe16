//! A layer worker: indexes one layer blob, or one piece of a big layer, or hashes a blob,
//! for the page's worker ([`super::worker`]'s split open), and answers with plain objects.
//!
//! Rules: a wasm of its own (`layer-worker`), holding only the indexing, so the page's first
//! load does not carry it; started one per core by the page's worker, which it greets with
//! `{msg: "Ready"}`. Requests: `true` (run the pass's code ahead: [`warm_up`]),
//! `{index, job, verify, tee, plain, blob, name, piece?}` (`plain`:
//! the page's worker found the blob uncompressed; `name`: the archive's, for the line this
//! worker logs of its pass; `piece`: which, where
//! it starts and where the next starts, as `[k, input, bits, input, bits]`, NaN for the blob's
//! start or end), `{digest, job, blob}` and `{ack, job, buf}` (the page's worker hashed `ack`
//! more bytes of the chunks handed to it, and sends the chunk's buffer back to be filled
//! again: a verified uncompressed layer's pass waits for it, [`index_fed`]). Answers carry
//! `job` and `layer`: progress (`bytes`, `entries`, `part`) at most every 50 ms, tee'd chunks
//! (`chunk`), then the index ([`crate::layer::indexfile`] bytes, and `ends` for a piece: where
//! it stopped, where the next piece's start fell, its first headers) or `error`, or the blob's
//! `digest`. Each pass is logged here (`layerlab: NAME layer L[ piece K]: its pass … ms, reads
//! … ms[ in N streams][, waited … ms for the hash here]`, read by the benchmark and the browser
//! tests), not by the page's worker: its words would weigh on the page's first load. Files are
//! not hashed ([`crate::host::load_options`]).

use super::worker::{field, now, obj};
use crate::source::{BlobSource, Source};
use crate::ui::blob_file::BrowserBlob;
use js_sys::{Array, Uint8Array};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // The stream slices' read loop (`blob_file::Feeding`); a worker that cannot import it
    // reads its slices with `readAsArrayBuffer`, as where the browser has no BYOB reader.
    let _ = scope.import_scripts_1(crate::ui::blob_file::STREAM_FILL_SCRIPT);
    let s2 = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| handle(&s2, ev.data()));
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let _ = scope.post_message(&obj(&[("msg", &"Ready".into())]));
}

/// Runs an uncompressed layer's pass, whole and in two pieces, over a small layer made up
/// here, [`WARM_ROUNDS`] times, when the page's worker asks (`true`: it asks its first layer
/// worker, started at the click on the picker, well before a file comes), and stops as soon as
/// this worker has a job. The browser runs a wasm function first in its baseline code,
/// compiled when first called, and compiles it again optimized once it has run enough: in the
/// big image's unverified open, the layer workers' first task spent about 24 ms compiling some
/// hundred functions, and the optimizing compiles of the pass's hot ones took 260-300 ms of the
/// box's two cores during the open (`--trace-wasm-compilation-times`), which Chromium's reads
/// keep busy (91% of both cores over the open, from `/proc/stat`). Compiled code is shared by
/// every instance of the module in the page, so one worker warms them all: 313 ms of those
/// compiles then ran before the pick and 45 ms after (a click, the file picked 500 ms later).
/// Unverified opens of the big image, 12 alternations: median 925 ms against 973 ms without,
/// the box's busy time 1.71 s against 1.79 s. Nothing is posted: its passes have no job
/// ([`progress_poster`]).
#[inline(never)]
async fn warm_up(scope: &DedicatedWorkerGlobalScope) {
    let t0 = now(scope);
    let (tar, mid) = made_up_layer(WARM_ENTRIES);
    let Ok(blob) = Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(&tar[..]))) else { return };
    drop(tar);
    let cut = Some(crate::layer::boundary::Cut { input: mid, bits: 0 });
    let specs = [None, Some(crate::layer::tarindex::PieceSpec { from: None, until: cut }), Some(crate::layer::tarindex::PieceSpec { from: cut, until: None })];
    // Each pass's entries, logged (`layerlab: warm-up: …`, read by a browser test).
    let mut found = Vec::new();
    let mut why = "";
    for spec in (0..WARM_ROUNDS).flat_map(|_| specs) {
        if BUSY.get() > 0 {
            why = ", stopped for a job";
            break;
        }
        match index_fed(scope, &JsValue::UNDEFINED, 0, false, false, blob.clone(), spec, &JsValue::UNDEFINED).await {
            (Ok((idx, ..)), _) => {
                // As [`answer`] encodes a pass's index (its loop is compiled too).
                let _ = crate::layer::indexfile::encode(&[crate::layer::indexfile::Parts::of(&idx)]);
                found.push(idx.entries.len().to_string());
            }
            (Err(e), _) => {
                web_sys::console::debug_1(&format!("layerlab: warm-up: the pass failed: {e}").into());
                break;
            }
        }
    }
    if BUSY.get() == 0 {
        crate::ui::blob_file::forget_spares();
    }
    web_sys::console::debug_1(&format!("layerlab: warm-up: {} passes ({} entries) in {} ms{why}", found.len(), found.join(", "), (now(scope) - t0) as u32).into());
}

thread_local! {
    /// Jobs running that await the browser (uncompressed passes, blob digests): a [`warm_up`]
    /// stops when there is one. A gzip pass runs in one task: nothing else runs meanwhile.
    static BUSY: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static WARMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Entries of [`warm_up`]'s layer (2.4 MB; its twelve passes took 207-311 ms in all).
const WARM_ENTRIES: usize = 4000;
/// Its rounds of passes: enough for the hot functions to be compiled optimized.
const WARM_ROUNDS: usize = 4;

/// A tar of `n` files in a few directories (one in eight with some content), written as the
/// project writes layers ([`crate::layer::tarwriter`]), and where its middle header starts.
fn made_up_layer(n: usize) -> (Vec<u8>, u64) {
    use crate::layer::tarwriter::{TarEntry, TarKind, TarWriter};
    let mut w = TarWriter::new(Vec::new());
    let mut mid = 0;
    for i in 0..n {
        if i == n / 2 {
            mid = w.written();
        }
        let size = if i % 8 == 0 { (i * 97) % 1500 } else { 0 };
        let body = if size == 0 { crate::layer::Content::empty() } else { crate::layer::Content::Bytes(vec![b'x'; size].into()) };
        let e = TarEntry { path: format!("warm/d{}/f{i}", i % 5).into_bytes(), kind: TarKind::File(body), mode: 0o644, uid: 0, gid: 0, mtime: 0 };
        if w.append(&e).is_err() {
            break;
        }
    }
    (w.finish().unwrap_or_default(), mid)
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: JsValue) {
    if data.as_bool() == Some(true) {
        if !WARMED.replace(true) {
            let scope = scope.clone();
            wasm_bindgen_futures::spawn_local(async move { warm_up(&scope).await });
        }
        return;
    }
    if let Some(layer) = field(&data, "digest").as_f64() {
        let (l, job) = (JsValue::from(layer as u32), field(&data, "job"));
        let blob = field(&data, "blob").dyn_into::<Blob>().ok();
        let scope = scope.clone();
        BUSY.set(BUSY.get() + 1);
        wasm_bindgen_futures::spawn_local(async move {
            let said: JsValue = match digest_one(blob).await {
                Ok(d) => obj(&[("job", &job), ("layer", &l), ("digest", &d.into())]).into(),
                Err(e) => obj(&[("job", &job), ("layer", &l), ("error", &e.into())]).into(),
            };
            BUSY.set(BUSY.get() - 1);
            crate::ui::blob_file::forget_spares();
            let _ = scope.post_message(&said);
        });
        return;
    }
    if let Some(layer) = field(&data, "index").as_f64() {
        let (layer, job) = (layer as u32, field(&data, "job"));
        let blob = field(&data, "blob").dyn_into::<Blob>().ok();
        let l = JsValue::from(layer);
        let tee = field(&data, "tee").is_truthy();
        // A piece of a layer split over the layer workers (`PieceSpec::to_numbers`).
        let piece = field(&data, "piece").dyn_into::<js_sys::Float64Array>().ok().and_then(|a| crate::layer::tarindex::PieceSpec::from_numbers(&a.to_vec()));
        let part = piece.map_or(JsValue::UNDEFINED, |(k, _)| JsValue::from(k as u32));
        let spec = piece.map(|(_, s)| s);
        let verify = field(&data, "verify").is_truthy();
        let name = field(&data, "name").as_string().unwrap_or_default();
        // An uncompressed layer: its own pass, read as the blob's stream (`index_fed`), which
        // waits for the page's worker's hashing when it gets ahead, so it runs as a task of
        // this worker's.
        // A piece of one (not verified) likewise, from where it starts.
        if let Some(b) = blob.as_ref().filter(|_| field(&data, "plain").is_truthy()) {
            let (scope, b) = (scope.clone(), b.clone());
            CREDIT.with(|c| *c.borrow_mut() = Credit { job: job.as_f64().unwrap_or(-1.0), ..Credit::default() });
            BUSY.set(BUSY.get() + 1);
            wasm_bindgen_futures::spawn_local(async move {
                let (res, streams) = index_fed(&scope, &job, layer, verify, tee, b, spec, &part).await;
                BUSY.set(BUSY.get() - 1);
                // Acknowledgements that come later have nothing left to wake or fill.
                let waited = CREDIT.with(|c| {
                    let mut c = c.borrow_mut();
                    c.job = -1.0;
                    c.waited
                });
                crate::ui::blob_file::forget_spares();
                answer(&scope, &job, &l, &part, res, tee.then_some(waited), streams, &name);
            });
            return;
        }
        let res = index_one(scope, &job, layer, verify, tee, blob, spec, &part);
        answer(scope, &job, &l, &part, res, None, 0, &name);
        return;
    }
    // The page's worker hashed `ack` more bytes of the stream this worker hands it, and sends
    // the buffer back (`buf`) to be filled again.
    if let Some(n) = field(&data, "ack").as_f64() {
        CREDIT.with(|c| {
            let mut c = c.borrow_mut();
            if field(&data, "job").as_f64() == Some(c.job) {
                if let Ok(b) = field(&data, "buf").dyn_into::<js_sys::ArrayBuffer>() {
                    crate::ui::blob_file::spare(b);
                }
                c.acked += n as u64;
                if let Some(w) = c.waker.take() {
                    w.wake();
                }
            }
        });
    }
}

/// Posts a pass's index (or its error) to the page's worker, and logs the pass of `name`'s
/// layer: its milliseconds and its reads', the streams it read the blob from (0: none, not
/// said) and, for a tee'd uncompressed pass, the milliseconds it waited for the page's
/// worker's hashing.
#[allow(clippy::too_many_arguments)]
fn answer(scope: &DedicatedWorkerGlobalScope, job: &JsValue, l: &JsValue, part: &JsValue, res: crate::error::Result<Indexed>, waited: Option<f64>, streams: u32, name: &str) {
    match res {
        Ok((idx, ends, ms, read_ms)) => {
            let piece = part.as_f64().map(|k| format!(" piece {}", k as u32)).unwrap_or_default();
            // An uncompressed layer's pass reads the blob as streams: one, and one more after
            // each far jump over contents.
            let streams = match streams {
                0 => String::new(),
                1 => " in 1 stream".into(),
                n => format!(" in {n} streams"),
            };
            let waited = waited.map(|w| format!(", waited {} ms for the hash here", w as u32)).unwrap_or_default();
            let layer = l.as_f64().unwrap_or(0.0) as u32;
            web_sys::console::debug_1(&format!("layerlab: {name} layer {layer}{piece}: its pass {} ms, reads {} ms{streams}{waited}", ms as u32, read_ms as u32).into());
            let b = crate::layer::indexfile::encode(&[crate::layer::indexfile::Parts::of(&idx)]);
            let a = Uint8Array::from(&b[..]);
            let m = obj(&[("job", job), ("layer", l), ("index", &a), ("part", part)]);
            if let Some(e) = &ends {
                // Where it stopped, where the next piece's start fell, its first headers.
                let _ = js_sys::Reflect::set(&m, &"ends".into(), &js_sys::Float64Array::from(&e[..]));
            }
            let _ = scope.post_message_with_transfer(&m, &Array::of1(&a.buffer()));
        }
        Err(e) => {
            let _ = scope.post_message(&obj(&[("job", job), ("layer", l), ("error", &e.to_string().into()), ("part", part)]));
        }
    }
}

/// What [`index_one`] gives back: the index, a piece's ends (see the header), the pass's and
/// its reads' milliseconds.
type Indexed = (crate::layer::tarindex::LayerIndex, Option<Vec<f64>>, f64, f64);

/// A layer worker's pass: the layer blob indexed as the load indexes it
/// ([`crate::image::index_options`]), or the piece `spec` says of it, as index bytes.
/// With `tee` (the page worker's `PoolOpen::tee`, verified opens), the uncompressed stream goes
/// to the page's worker in [`TEE_CHUNK`] pieces: it hashes the stream (the diff_id) while this
/// one reads and inflates, and a gzip blob's own digest is left to a [`digest_one`] task.
/// Returns the index, the pass's milliseconds and its browser reads' (the benchmark's measure
/// of one core's pass).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn index_one(
    scope: &DedicatedWorkerGlobalScope,
    job: &JsValue,
    layer: u32,
    verify: bool,
    tee: bool,
    blob: Option<Blob>,
    spec: Option<crate::layer::tarindex::PieceSpec>,
    part: &JsValue,
) -> crate::error::Result<Indexed> {
    use crate::error::Error;
    let blob = blob.ok_or_else(|| Error::corrupt("no layer was given"))?;
    let t0 = now(scope);
    let browser = Arc::new(BrowserBlob::new(blob).map_err(|e| Error::io(&e))?);
    let src: Source = browser.clone();
    let compression = crate::layer::compression::detect_source(&*src)?;
    let mut opts = crate::image::index_options(compression, &crate::host::load_options(verify));
    opts.hash_blob = !tee;
    let l = JsValue::from(layer);
    let mut buf: Vec<u8> = Vec::new();
    let send = |b: &mut Vec<u8>| {
        let a = Uint8Array::from(&b[..]);
        let _ = scope.post_message_with_transfer(&obj(&[("job", job), ("layer", &l), ("chunk", &a)]), &Array::of1(&a.buffer()));
        b.clear();
    };
    let mut sink = |bytes: &[u8]| {
        buf.extend_from_slice(bytes);
        if buf.len() >= TEE_CHUNK {
            send(&mut buf);
        }
    };
    let mut progress = progress_poster(scope, job, layer, part);
    let (idx, ends) = match spec {
        // A piece goes as an index of its own (its own offsets), with where it meets its
        // neighbours beside it.
        Some(spec) => {
            let p = crate::layer::tarindex::index_piece(src, &opts, spec, &mut progress)?;
            let ends = p.ends();
            (p.index, Some(ends))
        }
        None => (crate::layer::index_layer_tee(src, &opts, &mut progress, if tee { Some(&mut sink) } else { None })?, None),
    };
    if !buf.is_empty() {
        send(&mut buf);
    }
    let (.., read_ms) = browser.stats.get();
    Ok((idx, ends, now(scope) - t0, read_ms))
}

/// An uncompressed layer's pass, with the streams it read the blob from. It is walked from
/// header to header ([`crate::layer::tarindex::walk_headers`]) over a [`Feeding`] source, which
/// reads the blob as its stream in 16 MiB slices.
/// - Verified, it reads the whole blob in order, and every slice is hashed once: here, or with
///   `tee` by the page's worker, to which each slice goes as the browser filled it
///   (transferred: no copy into this wasm; the buffer comes back with the acknowledgement). The
///   page's worker says how much it has hashed (`ack`); when it is [`AHEAD`] bytes behind, this
///   pass waits for it between headers, so what waits in its queue stays bounded whatever the
///   layer's size. Against the streaming pass (every byte through the tar reader in 8 KiB
///   reads, copied into this wasm, gathered and copied out again) it spent about 1.0-1.6 s less
///   CPU on the big image's verified open, and reading the stream instead of
///   `readAsArrayBuffer` slices 0.4-0.9 s less again (README, Benchmarks).
/// - Not verified, a header more than [`JUMP`] past what was read is read from a new stream of
///   the blob from there: the big image's layer 1 in 500-568 ms against 997-1037 ms for the
///   walk with `readAsArrayBuffer` read-ahead.
///
/// A piece (`spec`, not verified: [`crate::layer::tarindex::walk_piece`]) starts its first
/// stream where it starts, and goes as an index of its own with its ends.
#[allow(clippy::too_many_arguments)]
async fn index_fed(
    scope: &DedicatedWorkerGlobalScope,
    job: &JsValue,
    layer: u32,
    verify: bool,
    tee: bool,
    blob: Blob,
    spec: Option<crate::layer::tarindex::PieceSpec>,
    part: &JsValue,
) -> (crate::error::Result<Indexed>, u32) {
    use crate::error::Error;
    use crate::ui::blob_file::Feeding;
    let t0 = now(scope);
    let hasher = std::rc::Rc::new(std::cell::RefCell::new(crate::digest::Hasher::new()));
    let (s2, job2, l2, h2) = (scope.clone(), job.clone(), JsValue::from(layer), hasher.clone());
    let feed = move |a: &Uint8Array| {
        if tee {
            CREDIT.with(|c| c.borrow_mut().sent += a.length() as u64);
            let _ = s2.post_message_with_transfer(&obj(&[("job", &job2), ("layer", &l2), ("chunk", a)]), &Array::of1(&a.buffer()));
        } else {
            if verify {
                crate::ui::blob_file::hash_array(&mut h2.borrow_mut(), a);
            }
            crate::ui::blob_file::spare(a.buffer());
        }
    };
    let fed = match BrowserBlob::new(blob) {
        Ok(b) => Arc::new(Feeding::new(b, feed)),
        Err(e) => return (Err(Error::io(&e)), 0),
    };
    let src: Source = fed.clone();
    let opts = crate::image::index_options(crate::layer::Compression::None, &crate::host::load_options(false));
    let mut progress = progress_poster(scope, job, layer, part);
    let (from, until) = spec.map_or((0, None), |s| (s.from.map_or(0, |c| c.input), s.until.map(|c| c.input)));
    if from > 0 {
        fed.skip_to(from);
    }
    // Reads up to `to` (the end of the next header), a slice at a time, each after the page's
    // worker has caught up. A read that fails here fails again when the walk asks for it.
    let f2 = fed.clone();
    let mut pace = move |to: u64| {
        let (fed, scope2) = (f2.clone(), scope.clone());
        async move {
            // Not verified, a header far past what was read is read from a new stream.
            let head = to.saturating_sub(512);
            if !verify && to != u64::MAX && head > fed.read_to().saturating_add(JUMP) {
                fed.skip_to(head);
            }
            while fed.read_to() < to.min(fed.len()) {
                if tee {
                    wait_caught(&scope2).await;
                }
                if fed.step(if verify { u64::MAX } else { to }).await.is_err() {
                    break;
                }
            }
        }
    };
    let res = async {
        if spec.is_some() {
            let p = crate::layer::tarindex::walk_piece(src, &opts, from, until, &mut progress, &mut pace).await?;
            let ends = p.ends();
            return Ok((p.index, Some(ends)));
        }
        let mut idx = crate::layer::tarindex::walk_headers(src, &opts, &mut progress, &mut pace).await?;
        if verify {
            // The rest of the blob (the contents after the last header, the end blocks, any
            // trailing bytes): the digest covers all of it. A read that failed is tried again
            // by `finish`, which says why.
            pace(u64::MAX).await;
            fed.finish().await.map_err(|e| Error::io(&e))?;
            if !tee {
                let d = crate::digest::prefixed(&std::mem::take(&mut *hasher.borrow_mut()).finalize());
                idx.diff_id = Some(d.clone());
                idx.blob_digest = Some(d);
            }
        }
        Ok((idx, None))
    }
    .await;
    let (.., read_ms) = fed.blob.stats.get();
    (res.map(|(idx, ends)| (idx, ends, now(scope) - t0, read_ms)), fed.streams.get())
}

/// How far past what was read a header must be for an unverified pass to read it from a new
/// stream rather than read on to it.
const JUMP: u64 = 8 << 20;

/// Bytes handed to the page's worker and not yet hashed there, beyond which [`index_fed`]
/// waits: three slices (one being hashed, two waiting), so the hasher never starves.
const AHEAD: u64 = 48 << 20;

/// What [`index_fed`] has handed to the page's worker (`sent`) and what it says it has hashed
/// (`acked`), for the open `job`; `waker`: the pass waiting for it.
#[derive(Default)]
struct Credit {
    job: f64,
    sent: u64,
    acked: u64,
    waker: Option<std::task::Waker>,
    /// Milliseconds waited so far.
    waited: f64,
}

/// Waits until the page's worker has caught up ([`Caught`]), counting the time.
async fn wait_caught(scope: &DedicatedWorkerGlobalScope) {
    let t = now(scope);
    Caught.await;
    let dt = now(scope) - t;
    CREDIT.with(|c| c.borrow_mut().waited += dt);
}

thread_local! {
    static CREDIT: std::cell::RefCell<Credit> = std::cell::RefCell::new(Credit::default());
}

/// Ready once the page's worker is less than [`AHEAD`] bytes behind.
struct Caught;

impl std::future::Future for Caught {
    type Output = ();
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        CREDIT.with(|c| {
            let mut c = c.borrow_mut();
            if c.sent.saturating_sub(c.acked) < AHEAD {
                std::task::Poll::Ready(())
            } else {
                c.waker = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        })
    }
}

/// A pass's progress, posted to the page's worker at most every 50 ms (`part`: which piece,
/// or undefined).
fn progress_poster<'a>(scope: &'a DedicatedWorkerGlobalScope, job: &'a JsValue, layer: u32, part: &'a JsValue) -> impl FnMut(crate::layer::Progress) -> bool + 'a {
    let mut last = 0.0;
    move |p: crate::layer::Progress| {
        // A pass of no job ([`warm_up`]'s) reports to no one.
        if job.is_undefined() {
            return true;
        }
        let t = now(scope);
        if t - last >= 50.0 {
            last = t;
            let m = obj(&[("job", job), ("layer", &layer.into()), ("bytes", &(p.bytes as f64).into()), ("entries", &(p.entries as f64).into()), ("part", part)]);
            let _ = scope.post_message(&m);
        }
        true
    }
}

/// Uncompressed bytes per message of a tee'd layer ([`index_one`]).
const TEE_CHUNK: usize = 4 << 20;

/// A layer worker's other task: the sha256 of a layer blob (a verified open's biggest gzip
/// layer, whose own pass hands its uncompressed stream to the page's worker), read as the
/// blob's stream into buffers used again ([`crate::ui::blob_file::Feeding`]), as an
/// uncompressed layer's verified pass reads. `readAsArrayBuffer` slices cost a new buffer's
/// pages each: in a `perf` sample of the gzip verified open, page faults and `clear_page` were
/// most of the workers' kernel time (1.4-3.0 s of its 8.4-10.5 CPU-s).
#[inline(never)]
async fn digest_one(blob: Option<Blob>) -> Result<String, String> {
    let blob = blob.ok_or("no layer was given")?;
    let h = std::rc::Rc::new(std::cell::RefCell::new(crate::digest::Hasher::new()));
    let h2 = h.clone();
    let fed = crate::ui::blob_file::Feeding::new(BrowserBlob::new(blob).map_err(|e| e.to_string())?, move |a: &Uint8Array| {
        crate::ui::blob_file::hash_array(&mut h2.borrow_mut(), a);
        crate::ui::blob_file::spare(a.buffer());
    });
    fed.finish().await.map_err(|e| e.to_string())?;
    let h = std::mem::take(&mut *h.borrow_mut());
    Ok(crate::digest::prefixed(&h.finalize()))
}
