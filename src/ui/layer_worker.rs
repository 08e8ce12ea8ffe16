//! A layer worker: indexes one layer blob, or one piece of a big gzip layer, or hashes a blob,
//! for the page's worker ([`super::worker`]'s split open), and answers with plain objects.
//!
//! Rules: a wasm of its own (`layer-worker`), holding only the indexing, so the page's first
//! load does not carry it; started one per core by the page's worker, which it greets with
//! `{msg: "Ready"}`. Requests: `{index, job, verify, tee, blob, piece?}` (`piece`: which, where
//! it starts and where the next starts, as `[k, input, bits, input, bits]`, NaN for the blob's
//! start or end) and `{digest, job, blob}`. Answers carry `job` and `layer`: progress
//! (`bytes`, `entries`, `part`) at most every 50 ms, tee'd chunks (`chunk`, `files`), then the
//! index ([`crate::layer::indexfile`] bytes, with `ends` for a piece: where it stopped, where
//! the next piece's start fell, its first headers) or `error`, or the blob's `digest`. Files
//! handed to the browser's digest ([`super::subtle_files`]) get theirs before the index goes.

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
    let s2 = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| handle(&s2, ev.data()));
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let _ = scope.post_message(&obj(&[("msg", &"Ready".into())]));
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: JsValue) {
    if let Some(layer) = field(&data, "digest").as_f64() {
        let (l, job) = (JsValue::from(layer as u32), field(&data, "job"));
        let blob = field(&data, "blob").dyn_into::<Blob>().ok();
        let said: JsValue = match digest_one(blob) {
            Ok(d) => obj(&[("job", &job), ("layer", &l), ("digest", &d.into())]).into(),
            Err(e) => obj(&[("job", &job), ("layer", &l), ("error", &e.into())]).into(),
        };
        let _ = scope.post_message(&said);
        return;
    }
    if let Some(layer) = field(&data, "index").as_f64() {
        let (layer, job) = (layer as u32, field(&data, "job"));
        let blob = field(&data, "blob").dyn_into::<Blob>().ok();
        let l = JsValue::from(layer);
        let tee = field(&data, "tee").is_truthy();
        // A piece of a gzip layer split over the layer workers (`PieceSpec::to_numbers`).
        let piece = field(&data, "piece").dyn_into::<js_sys::Float64Array>().ok().and_then(|a| crate::layer::tarindex::PieceSpec::from_numbers(&a.to_vec()));
        let part = piece.map_or(JsValue::UNDEFINED, |(k, _)| JsValue::from(k as u32));
        let spec = piece.map(|(_, s)| s);
        match index_one(scope, &job, layer, field(&data, "verify").is_truthy(), tee, blob, spec, &part) {
            Ok((mut idx, ends, ms, read_ms, answers)) => {
                let scope = scope.clone();
                let t = now(&scope);
                let asked = answers.as_ref().map_or(0, |a| a.len());
                // The files handed to WebCrypto get their digests before the index goes.
                let mut send = move |d: Vec<(u64, [u8; 32])>| {
                    crate::layer::filehash::fill_by_offset(&mut idx.entries, &d);
                    let waited = now(&scope) - t;
                    let b = crate::layer::indexfile::encode(&[crate::layer::indexfile::Parts::of(&idx)]);
                    let a = Uint8Array::from(&b[..]);
                    let m = obj(&[
                        ("job", &job),
                        ("layer", &l),
                        ("index", &a),
                        ("ms", &ms.into()),
                        ("readMs", &read_ms.into()),
                        ("subtle", &(asked as f64).into()),
                        ("subtleMs", &waited.into()),
                        ("part", &part),
                    ]);
                    if let Some(e) = &ends {
                        // Where it stopped, where the next piece's start fell, its first headers.
                        let _ = js_sys::Reflect::set(&m, &"ends".into(), &js_sys::Float64Array::from(&e[..]));
                    }
                    let _ = scope.post_message_with_transfer(&m, &Array::of1(&a.buffer()));
                };
                match answers {
                    Some(a) => a.then(send),
                    None => send(Vec::new()),
                }
            }
            Err(e) => {
                let _ = scope.post_message(&obj(&[("job", &job), ("layer", &l), ("error", &e.to_string().into()), ("part", &part)]));
            }
        }
    }
}

/// What [`index_one`] gives back: the index, a piece's ends (see the header), the pass's and
/// its reads' milliseconds, and the browser's digests still to come.
type Indexed = (crate::layer::tarindex::LayerIndex, Option<Vec<f64>>, f64, f64, Option<crate::ui::subtle_files::Answers>);

/// A layer worker's pass: the layer blob indexed as the load indexes it
/// ([`crate::image::index_options`]), or the piece `spec` says of it, as index bytes.
/// With `tee` (the page worker's `PoolOpen::tee`), the uncompressed stream goes to the page's worker in
/// [`TEE_CHUNK`] pieces: verified, it hashes the stream (the diff_id) while this one reads and
/// inflates, and a gzip blob's own digest is left to a [`digest_one`] task; not verified, each
/// regular file's place goes with the pieces and the page's worker hashes the files
/// ([`crate::layer::FileHashes`]) instead of this one. Files this one hashes go to the
/// browser's digest where it takes them ([`crate::ui::subtle_files`]). Returns the index, the
/// pass's milliseconds and its browser reads' (the benchmark's measure of one core's pass), and
/// the digests still to come.
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
    opts.tee_files = tee && !verify;
    let (mut subtle, answers) = match opts.hash_files.then(crate::ui::subtle_files::SubtleFiles::new).flatten() {
        Some((s, a)) => (Some(s), Some(a)),
        None => (None, None),
    };
    let mut last = 0.0;
    let l = JsValue::from(layer);
    let mut buf: Vec<u8> = Vec::new();
    // (offset, size) of the files said since the last piece, sent with the next.
    let mut places: Vec<f64> = Vec::new();
    let send = |b: &mut Vec<u8>, places: &mut Vec<f64>| {
        let a = Uint8Array::from(&b[..]);
        let f = js_sys::Float64Array::from(&places[..]);
        let _ = scope.post_message_with_transfer(&obj(&[("job", job), ("layer", &l), ("chunk", &a), ("files", &f)]), &Array::of2(&a.buffer(), &f.buffer()));
        b.clear();
        places.clear();
    };
    let mut sink = |t: crate::layer::Teed<'_>| match t {
        crate::layer::Teed::Bytes(bytes) => {
            buf.extend_from_slice(bytes);
            if buf.len() >= TEE_CHUNK {
                send(&mut buf, &mut places);
            }
        }
        crate::layer::Teed::File { offset, size } => places.extend([offset as f64, size as f64]),
    };
    let mut progress = |p: crate::layer::Progress| {
        let t = now(scope);
        if t - last >= 50.0 {
            last = t;
            let m = obj(&[("job", job), ("layer", &layer.into()), ("bytes", &(p.bytes as f64).into()), ("entries", &(p.entries as f64).into()), ("part", part)]);
            let _ = scope.post_message(&m);
        }
        true
    };
    let whole = subtle.as_mut().map(|s| s as &mut dyn crate::layer::WholeFiles);
    let (idx, ends) = match spec {
        // A piece goes as an index of its own (its own offsets), with where it meets its
        // neighbours beside it.
        Some(spec) => {
            let p = crate::layer::tarindex::index_piece(src, &opts, spec, &mut progress, whole)?;
            let ends = p.ends();
            (p.index, Some(ends))
        }
        None => (crate::layer::index_layer_tee(src, &opts, &mut progress, if tee { Some(&mut sink) } else { None }, whole)?, None),
    };
    if !buf.is_empty() || !places.is_empty() {
        send(&mut buf, &mut places);
    }
    let (.., read_ms) = browser.stats.get();
    Ok((idx, ends, now(scope) - t0, read_ms, answers.filter(|a| !a.is_empty())))
}

/// Uncompressed bytes per message of a tee'd layer ([`index_one`]).
const TEE_CHUNK: usize = 4 << 20;

/// A layer worker's other task: the sha256 of a layer blob, read in 1 MiB pieces.
#[inline(never)]
fn digest_one(blob: Option<Blob>) -> Result<String, String> {
    let blob = blob.ok_or("no layer was given")?;
    let src = BrowserBlob::new(blob).map_err(|e| e.to_string())?;
    let mut h = crate::digest::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0u64;
    while at < src.len() {
        let n = src.read_at(at, &mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the layer ended early".into());
        }
        h.update(&buf[..n]);
        at += n as u64;
    }
    Ok(crate::digest::prefixed(&h.finalize()))
}

