//! INSPECT (issue 13): the inspect worker. It loads one image and analyses it
//! ([`crate::analysis::analyze`]: dive's numbers, the exact wasted bytes, the hidden files with
//! secrets flagged, the three sizes per layer), shows a hidden file's first bytes (what anyone
//! who pulls the image can read), finds a name across its layers and compares two images.
//!
//! Rules: messages in are `{analyze: {blob, name, image, index}}` (image: a position in the
//! archive, -1 for Docker's default; index: the layer indexes the page's worker made when it
//! opened the archive, [`crate::layer::indexfile`]), `{view: N}` (the N-th hidden file of the
//! last analysis), `{find: PATTERN}` (in the image of the last analysis) or
//! `{compare: {a, b, semantic}}` (a and b as for analyze, without index); out, one answer each:
//! `{analysis, images}` (JSON of [`crate::analysis::Analysis`] and the archive's image labels),
//! `{view}` (JSON of [`crate::analysis::Viewed`]), `{found}` (JSON of the hits and their
//! total), `{compare}` (JSON of [`crate::compare::Comparison`]) or `{error}`. The last few
//! images loaded are kept. The worker says `{ready}` once it listens.
//! - Reads: with an index, opening the image reads the archive's own index and config (a few
//!   KB) and no layer; the analysis then reads only what the page's pass did not (see
//!   [`crate::analysis`]). A comparison opens each archive again from its `File` and indexes
//!   its layers without verification (the page's worker keeps one index per image it opened;
//!   the comparison code would not fit the first load's wasm budget).

use crate::analysis::{self, Analysis};
use crate::compare::Side;
use crate::image::{Archive, Image, LoadOptions, Selector};
use crate::source::Source;
use crate::ui::blob_file::BrowserBlob;
use js_sys::{Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    static LAST: RefCell<Option<Analysis>> = const { RefCell::new(None) };
    /// The image of the last analysis (what `find` searches).
    static LAST_IMAGE: RefCell<Option<Rc<Image>>> = const { RefCell::new(None) };
    /// Images loaded, by (archive name, its length, the image asked for), newest last.
    static IMAGES: RefCell<Vec<((String, u64, i64), Rc<Image>)>> = const { RefCell::new(Vec::new()) };
}

/// Images kept loaded.
const KEEP: usize = 3;

pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let s2 = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let o = Object::new();
        let d = ev.data();
        let r = if let Ok(a) = Reflect::get(&d, &"analyze".into()).and_then(|v| if v.is_object() { Ok(v) } else { Err(v) }) {
            analyze(&a).map(|(analysis, images)| {
                let _ = Reflect::set(&o, &"analysis".into(), &analysis.into());
                let _ = Reflect::set(&o, &"images".into(), &images.into());
            })
        } else if let Ok(c) = Reflect::get(&d, &"compare".into()).and_then(|v| if v.is_object() { Ok(v) } else { Err(v) }) {
            compare(&c).map(|json| {
                let _ = Reflect::set(&o, &"compare".into(), &json.into());
            })
        } else if let Some(p) = Reflect::get(&d, &"find".into()).ok().and_then(|v| v.as_string()) {
            find(&p).map(|json| {
                let _ = Reflect::set(&o, &"found".into(), &json.into());
            })
        } else if let Some(n) = Reflect::get(&d, &"view".into()).ok().and_then(|v| v.as_f64()) {
            view(n as usize).map(|v| {
                let _ = Reflect::set(&o, &"view".into(), &v.into());
            })
        } else {
            Err("a bad request".to_string())
        };
        if let Err(e) = r {
            let _ = Reflect::set(&o, &"error".into(), &e.into());
            let what = if Reflect::has(&d, &"compare".into()).unwrap_or(false) { "compare" } else { "analyze" };
            let _ = Reflect::set(&o, &"what".into(), &what.into());
        }
        let _ = s2.post_message(&o);
        // Memory between requests is what the analysis keeps, not a read's last slice.
        crate::ui::blob_file::forget_read_ahead();
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let o = Object::new();
    let _ = Reflect::set(&o, &"ready".into(), &true.into());
    let _ = scope.post_message(&o);
}

/// The image a request names (`{blob, name, image}`), loaded once, with its archive's image
/// labels and its position there.
fn image(a: &JsValue) -> Result<(Rc<Image>, Vec<String>), String> {
    let blob: Blob = Reflect::get(a, &"blob".into()).ok().and_then(|v| v.dyn_into().ok()).ok_or("no archive")?;
    let name = Reflect::get(a, &"name".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let image = Reflect::get(a, &"image".into()).ok().and_then(|v| v.as_f64()).unwrap_or(-1.0) as i64;
    let src: Source = Arc::new(BrowserBlob::new(blob).map_err(|e| format!("{name}: {e}"))?);
    let key = (name.clone(), src.len(), image);
    let ar = Archive::open(src, &name, false, None).map_err(|e| e.to_string())?;
    let labels: Vec<String> = ar.images.iter().map(|r| r.label()).collect();
    if let Some(img) = IMAGES.with(|m| m.borrow().iter().find(|(k, _)| *k == key).map(|(_, i)| i.clone())) {
        return Ok((img, labels));
    }
    let sel = if image < 0 { Selector::Default } else { Selector::Index(image as usize) };
    // No content hashing while indexing: a comparison hashes only files whose sizes agree.
    let opts = LoadOptions { verify: false, changes: false, hash_compressed: false, ..Default::default() };
    let index = Reflect::get(a, &"index".into()).ok().and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok());
    let img = match index {
        Some(bytes) => {
            let layers = crate::layer::indexfile::decode(&bytes.to_vec()).map_err(|e| format!("{name}: the page's index: {e}"))?;
            ar.load_indexed(&sel, &opts, layers)
        }
        None => ar.load(&sel, &opts, &mut |_| true),
    };
    let img = Rc::new(img.map_err(|e| e.to_string())?);
    IMAGES.with(|m| {
        let mut m = m.borrow_mut();
        m.push((key, img.clone()));
        if m.len() > KEEP {
            m.remove(0);
        }
    });
    Ok((img, labels))
}

fn analyze(a: &JsValue) -> Result<(String, String), String> {
    let (img, labels) = image(a)?;
    let an = analysis::analyze(&img).map_err(|e| e.to_string())?;
    let json = serde_json::to_string(&an).map_err(|e| e.to_string())?;
    let images = serde_json::to_string(&(labels, img.reference.index)).map_err(|e| e.to_string())?;
    LAST.with(|l| *l.borrow_mut() = Some(an));
    LAST_IMAGE.with(|l| *l.borrow_mut() = Some(img.clone()));
    Ok((json, images))
}

fn compare(c: &JsValue) -> Result<String, String> {
    let side = |k: &str| Reflect::get(c, &k.into()).map_err(|_| format!("no image {k}"));
    let (a, _) = image(&side("a")?)?;
    let (b, _) = image(&side("b")?)?;
    let semantic = Reflect::get(c, &"semantic".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    let name = |i: &Image| match i.reference.repo_tags.first() {
        Some(t) => format!("{}:{t}", i.archive),
        None => i.archive.clone(),
    };
    let r = crate::compare::compare(&Side::image(&a, name(&a)), &Side::image(&b, name(&b)), &crate::compare::Options { semantic }).map_err(|e| e.to_string())?;
    serde_json::to_string(&r).map_err(|e| e.to_string())
}

/// Hits a find answers at most (the total comes with them).
pub const FIND_MAX: usize = 500;

/// Every entry of every layer of the last analysed image matching a name or path glob
/// ([`crate::find`]), deleted and shadowed ones too: `(hits, total)`.
fn find(pattern: &str) -> Result<String, String> {
    let img = LAST_IMAGE.with(|l| l.borrow().clone()).ok_or("nothing was analysed")?;
    let trees: Vec<&crate::tree::Tree> = img.layers.iter().map(|l| &*l.tree).collect();
    let mut hits = crate::find::find(&trees, &crate::find::Pattern::new(pattern));
    let total = hits.len();
    hits.truncate(FIND_MAX);
    serde_json::to_string(&(hits, total)).map_err(|e| e.to_string())
}

fn view(index: usize) -> Result<String, String> {
    LAST.with(|l| {
        let l = l.borrow();
        let an = l.as_ref().ok_or("nothing was analysed")?;
        let v = an.view(index).map_err(|e| e.to_string())?;
        serde_json::to_string(&v).map_err(|e| e.to_string())
    })
}
