//! INSPECT (issue 13): how the page and its "Inspect" panel meet. The panel is one of the
//! panels loaded on first use ([`crate::ui::panels`]) and analyses images in a worker of its
//! own (`inspect-worker`). For an analysis the page's worker hands over the layer indexes its
//! opening pass made ([`crate::host::Host::export_index`]), so the inspect worker reads no layer
//! again; a comparison opens both archives again from their `File`s.
//!
//! Rules: the page keeps, on `window.layerlabInspect.archives`, every archive it opened
//! (`[{name, blob}]`: files, drops, samples and restored ones; not commits), each also announced
//! with a `layerlab-inspect-archive` event. The panel asks with a `layerlab-inspect-want`
//! event (detail: an [`InspectAsk`] as JSON), the page answers with `layerlab-inspect-answer`
//! (`{json, bytes}`: an [`InspectAnswer`] as JSON and the indexes), one answer per ask, in order.

use crate::ui::protocol::{InspectAnswer, InspectAsk};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsCast;
use web_sys::Blob;

pub const GLOBAL: &str = "layerlabInspect";
pub const EV_ARCHIVE: &str = "layerlab-inspect-archive";
/// The panel: an [`InspectAsk`] for the page's worker.
pub const EV_WANT: &str = "layerlab-inspect-want";
/// The page: the worker's [`InspectAnswer`].
pub const EV_ANSWER: &str = "layerlab-inspect-answer";
/// Where the panel mounts.
pub const ROOT_ID: &str = "inspect-images";

fn archives_array() -> Array {
    let w = gloo::utils::window();
    let g = match Reflect::get(&w, &GLOBAL.into()).ok().and_then(|v| v.dyn_into::<Object>().ok()) {
        Some(o) => o,
        None => {
            let o = Object::new();
            let _ = Reflect::set(&o, &"archives".into(), &Array::new());
            let _ = Reflect::set(&w, &GLOBAL.into(), &o);
            o
        }
    };
    Reflect::get(&g, &"archives".into()).ok().and_then(|a| a.dyn_into().ok()).unwrap_or_default()
}

/// The page: an archive was opened.
pub fn push(name: &str, blob: &Blob) {
    let v = crate::ui::docker_bridge::load_value(name, blob);
    archives_array().push(&v);
    crate::ui::docker_bridge::emit(EV_ARCHIVE, &v);
}

/// The panel: every archive the page opened, in order.
pub fn archives() -> Vec<(String, Blob)> {
    archives_array().iter().filter_map(|v| crate::ui::docker_bridge::read_load(&v)).collect()
}

/// The panel: asks the page's worker.
pub fn ask(a: &InspectAsk) {
    if let Ok(j) = serde_json::to_string(a) {
        crate::ui::docker_bridge::emit(EV_WANT, &j.into());
    }
}

/// The page: the ask an event carries.
pub fn read_ask(detail: &wasm_bindgen::JsValue) -> Option<InspectAsk> {
    serde_json::from_str(&detail.as_string()?).ok()
}

/// The page: hands the worker's answer (and the bytes beside it) to the panel.
pub fn answer(a: &InspectAnswer, bytes: Option<&js_sys::Uint8Array>) {
    let o = Object::new();
    let _ = Reflect::set(&o, &"json".into(), &serde_json::to_string(a).unwrap_or_default().into());
    if let Some(b) = bytes {
        let _ = Reflect::set(&o, &"bytes".into(), b);
    }
    crate::ui::docker_bridge::emit(EV_ANSWER, &o.into());
}

/// The panel: the answer an event carries, and its bytes.
pub fn read_answer(detail: &wasm_bindgen::JsValue) -> Option<(InspectAnswer, Option<js_sys::Uint8Array>)> {
    let json = Reflect::get(detail, &"json".into()).ok()?.as_string()?;
    let bytes = Reflect::get(detail, &"bytes".into()).ok().and_then(|b| b.dyn_into().ok());
    Some((serde_json::from_str(&json).ok()?, bytes))
}
