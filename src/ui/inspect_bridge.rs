//! INSPECT (issue 13): how the page and its "Inspect" panel meet. The panel is one of the
//! panels loaded on first use ([`crate::ui::panels`]) and analyses images in a worker of its
//! own (`inspect-worker`). For an analysis the page's worker hands over the layer indexes its
//! opening pass made ([`crate::host::Host::export_index`]), so the inspect worker reads no layer
//! again; a comparison opens both archives again from their `File`s.
//!
//! Rules: the page keeps, on `window.layerlabInspect.archives`, every archive it opened
//! (`[{name, blob}]`: files, drops, samples and restored ones; not commits), each also announced
//! with a `layerlab-inspect-archive` event. The panel asks with a `layerlab-inspect-want`
//! event (detail: `{archive, image}`, an [`InspectAsk`]), the page answers with
//! `layerlab-inspect-answer` (`{image, bytes}`: the image's position and the indexes, or
//! `{error}`), one answer per ask, in order.
//!
//! LESSONS (L11): the page asks the panel to show itself (`layerlab-inspect-show`) and to run
//! a lesson's `layerlab analyze` line (`layerlab-inspect-run`, detail: the line, also kept as
//! `run` on the global until the panel takes it, so a panel still loading finds it); the panel
//! answers what it showed for the line (`layerlab-inspect-output`, detail: `# LINE` then the
//! lines, [`crate::analysis::shipped_lines`] or the viewed bytes), the log the checks read.

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
/// LESSONS, the page: show the panel.
pub const EV_SHOW: &str = "layerlab-inspect-show";
/// LESSONS, the page: run a lesson line (detail: the line).
pub const EV_RUN: &str = "layerlab-inspect-run";
/// LESSONS, the panel: what a line showed (detail: an array of lines, `# LINE` first).
pub const EV_OUTPUT: &str = "layerlab-inspect-output";
/// Where the panel mounts.
pub const ROOT_ID: &str = "inspect-images";

/// `window.layerlabInspect` (with its `archives` list), made the first time.
fn global() -> Object {
    let w = gloo::utils::window();
    match Reflect::get(&w, &GLOBAL.into()).ok().and_then(|v| v.dyn_into::<Object>().ok()) {
        Some(o) => o,
        None => {
            let o = Object::new();
            let _ = Reflect::set(&o, &"archives".into(), &Array::new());
            let _ = Reflect::set(&w, &GLOBAL.into(), &o);
            o
        }
    }
}

fn archives_array() -> Array {
    Reflect::get(&global(), &"archives".into()).ok().and_then(|a| a.dyn_into().ok()).unwrap_or_default()
}

/// The page: runs a lesson line in the panel (see [`EV_RUN`]).
pub fn run(line: &str) {
    crate::ui::docker_bridge::leave(&global(), "run", &line.into(), EV_RUN);
}

/// The panel: takes the lesson line waiting on the global, if any.
pub fn take_run() -> Option<String> {
    crate::ui::docker_bridge::take(&global(), "run")?.as_string()
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

/// The panel: asks the page's worker (`{archive, image}`, image absent for Docker's default).
pub fn ask(a: &InspectAsk) {
    let InspectAsk::Index { archive, image } = a;
    let o = Object::new();
    let _ = Reflect::set(&o, &"archive".into(), &archive.into());
    if let Some(i) = image {
        let _ = Reflect::set(&o, &"image".into(), &(*i as f64).into());
    }
    crate::ui::docker_bridge::emit(EV_WANT, &o.into());
}

/// The page: the ask an event carries.
pub fn read_ask(detail: &wasm_bindgen::JsValue) -> Option<InspectAsk> {
    let archive = Reflect::get(detail, &"archive".into()).ok()?.as_string()?;
    let image = Reflect::get(detail, &"image".into()).ok().and_then(|v| v.as_f64()).map(|f| f as usize);
    Some(InspectAsk::Index { archive, image })
}

/// The page: hands the worker's answer to the panel: `{image, bytes}` or `{error}`.
pub fn answer(a: &InspectAnswer, bytes: Option<&js_sys::Uint8Array>) {
    let o = Object::new();
    match a {
        InspectAnswer::Index { image, .. } => {
            let _ = Reflect::set(&o, &"image".into(), &(*image as f64).into());
        }
        InspectAnswer::Error { error } => {
            let _ = Reflect::set(&o, &"error".into(), &error.into());
        }
    }
    if let Some(b) = bytes {
        let _ = Reflect::set(&o, &"bytes".into(), b);
    }
    crate::ui::docker_bridge::emit(EV_ANSWER, &o.into());
}

/// The panel: the index an answer carries, and the image's position, if any.
pub fn read_answer(detail: &wasm_bindgen::JsValue) -> Option<(usize, js_sys::Uint8Array)> {
    let image = Reflect::get(detail, &"image".into()).ok()?.as_f64()? as usize;
    let bytes = Reflect::get(detail, &"bytes".into()).ok()?.dyn_into().ok()?;
    Some((image, bytes))
}

/// LESSONS, the page: shows the panel ([`EV_SHOW`], also kept as `show` on the global until
/// the launcher takes it: a lesson opened at load asks before the launcher listens).
pub fn show() {
    crate::ui::docker_bridge::leave(&global(), "show", &true.into(), EV_SHOW);
}

/// The launcher: true (once) if a lesson asked to show the panel.
pub fn take_show() -> bool {
    crate::ui::docker_bridge::take(&global(), "show").and_then(|v| v.as_bool()) == Some(true)
}
