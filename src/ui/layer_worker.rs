//! A layer worker: indexes one layer blob, or one piece of a big gzip layer, or hashes a blob,
//! for the page's worker ([`super::worker`]'s split open), and answers with plain objects.
//!
//! Rules: a wasm of its own (`layer-worker`), holding only the indexing, so the page's first
//! load does not carry it; started one per core by the page's worker, which it greets with
//! `{msg: "Ready"}`. Requests: `{index, job, verify, tee, blob, piece?}` (`piece`: which, where
//! it starts and where the next starts, as `[k, input, bits, input, bits]`, NaN for the blob's
//! start or end) and `{digest, job, blob}`. Answers carry `job` and `layer`: progress
//! (`bytes`, `entries`, `part`) at most every 50 ms, tee'd chunks (`chunk`), then the
//! index ([`crate::layer::indexfile`] bytes, with `ends` for a piece: where it stopped, where
//! the next piece's start fell, its first headers) or `error`, or the blob's `digest`. Files
//! are not hashed ([`crate::host::load_options`]).

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
            Ok((idx, ends, ms, read_ms)) => {
                let b = crate::layer::indexfile::encode(&[crate::layer::indexfile::Parts::of(&idx)]);
                let a = Uint8Array::from(&b[..]);
                let m = obj(&[("job", &job), ("layer", &l), ("index", &a), ("ms", &ms.into()), ("readMs", &read_ms.into()), ("part", &part)]);
                if let Some(e) = &ends {
                    // Where it stopped, where the next piece's start fell, its first headers.
                    let _ = js_sys::Reflect::set(&m, &"ends".into(), &js_sys::Float64Array::from(&e[..]));
                }
                let _ = scope.post_message_with_transfer(&m, &Array::of1(&a.buffer()));
            }
            Err(e) => {
                let _ = scope.post_message(&obj(&[("job", &job), ("layer", &l), ("error", &e.to_string().into()), ("part", &part)]));
            }
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
    let mut last = 0.0;
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
    let mut progress = |p: crate::layer::Progress| {
        let t = now(scope);
        if t - last >= 50.0 {
            last = t;
            let m = obj(&[("job", job), ("layer", &layer.into()), ("bytes", &(p.bytes as f64).into()), ("entries", &(p.entries as f64).into()), ("part", part)]);
            let _ = scope.post_message(&m);
        }
        true
    };
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

