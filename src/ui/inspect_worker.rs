//! INSPECT (issue 13): the inspect worker. It opens an archive from its `File`, loads one
//! image and analyses it ([`crate::analysis::analyze`]: dive's numbers, the exact wasted bytes,
//! the hidden files with secrets flagged, the three sizes per layer), and shows a hidden file's
//! first bytes: what anyone who pulls the image can read.
//!
//! Rules: messages in are `{analyze: {blob, name, image}}` (image: a position in the archive,
//! -1 for Docker's default) or `{view: N}` (the N-th hidden file of the last analysis); out,
//! one answer each: `{analysis, images}` (JSON of [`crate::analysis::Analysis`] and the
//! archive's image labels), `{view}` (JSON of [`Viewed`]) or `{error}`. The worker says `{ready}`
//! once it listens.
//! - Cost: the page's worker indexed the archive already but keeps no tar entries (they are
//!   what dive counts) and the analysis code would not fit the first load's wasm budget, so the
//!   archive is read again here, without verification; only hidden files are read for content
//!   (at most `secrets::SCAN_LIMIT` bytes each). On the big image that second pass costs about
//!   what the page's unverified open costs.

use crate::analysis::{self, Analysis};
use crate::image::{Archive, Image, LoadOptions, Selector};
use crate::layer::Content;
use crate::source::Source;
use crate::ui::blob_file::BrowserBlob;
use js_sys::{Object, Reflect};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

/// Bytes of a hidden file shown.
pub const VIEW_BYTES: u64 = 4096;

/// A hidden file's first bytes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Viewed {
    pub index: usize,
    pub path: String,
    pub size: u64,
    /// The first [`VIEW_BYTES`] bytes, as text (invalid UTF-8 replaced).
    pub text: String,
    pub binary: bool,
}

thread_local! {
    static LAST: RefCell<Option<(Image, Analysis)>> = const { RefCell::new(None) };
}

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
        } else if let Some(n) = Reflect::get(&d, &"view".into()).ok().and_then(|v| v.as_f64()) {
            view(n as usize).map(|v| {
                let _ = Reflect::set(&o, &"view".into(), &v.into());
            })
        } else {
            Err("a bad request".to_string())
        };
        if let Err(e) = r {
            let _ = Reflect::set(&o, &"error".into(), &e.into());
        }
        let _ = s2.post_message(&o);
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let o = Object::new();
    let _ = Reflect::set(&o, &"ready".into(), &true.into());
    let _ = scope.post_message(&o);
}

fn analyze(a: &JsValue) -> Result<(String, String), String> {
    let blob: Blob = Reflect::get(a, &"blob".into()).ok().and_then(|v| v.dyn_into().ok()).ok_or("no archive")?;
    let name = Reflect::get(a, &"name".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let image = Reflect::get(a, &"image".into()).ok().and_then(|v| v.as_f64()).unwrap_or(-1.0);
    let src: Source = Arc::new(BrowserBlob::new(blob).map_err(|e| format!("{name}: {e}"))?);
    let ar = Archive::open(src, &name, false, None).map_err(|e| e.to_string())?;
    let sel = if image < 0.0 { Selector::Default } else { Selector::Index(image as usize) };
    let opts = LoadOptions { verify: false, changes: false, ..Default::default() };
    let img = ar.load(&sel, &opts, &mut |_| true).map_err(|e| e.to_string())?;
    let an = analysis::analyze(&img).map_err(|e| e.to_string())?;
    let json = serde_json::to_string(&an).map_err(|e| e.to_string())?;
    let labels: Vec<String> = ar.images.iter().map(|r| r.label()).collect();
    let images = serde_json::to_string(&(labels, img.reference.index)).map_err(|e| e.to_string())?;
    LAST.with(|l| *l.borrow_mut() = Some((img, an)));
    Ok((json, images))
}

fn view(index: usize) -> Result<String, String> {
    LAST.with(|l| {
        let l = l.borrow();
        let (_, an) = l.as_ref().ok_or("nothing was analysed")?;
        let h = an.hidden.get(index).ok_or("no such hidden file")?;
        let len = h.size.min(VIEW_BYTES);
        let mut bytes = Vec::with_capacity(len as usize);
        match &h.content {
            Some(Content::Blob { blob, offset, .. }) => blob
                .for_each_chunk(*offset, len, &mut |c| {
                    bytes.extend_from_slice(c);
                    Ok(())
                })
                .map_err(|e| e.to_string())?,
            Some(Content::Bytes(b)) => bytes.extend_from_slice(&b[..len as usize]),
            None => {}
        }
        let binary = bytes.iter().any(|&b| b == 0);
        let v = Viewed { index, path: h.path.clone(), size: h.size, text: String::from_utf8_lossy(&bytes).into_owned(), binary };
        serde_json::to_string(&v).map_err(|e| e.to_string())
    })
}
