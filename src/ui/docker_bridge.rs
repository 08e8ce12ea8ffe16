//! DOCKER: how the page and its Docker panel meet. The panel is part of the panels loaded on
//! first use ([`crate::ui::panels`]: `panels-ui`, built by trunk beside the page, so the
//! page's first load stays within its wasm budget); it mounts into `#docker-host` and talks
//! to its Docker worker.
//!
//! Rules: the page keeps, on `window.layerlabDocker`, the archives the user opened (`loads`:
//! `[{name, blob}]`, each also announced with a `layerlab-docker-load` event) and the journal
//! read from IndexedDB (`journal`: `{journal: JSON, files: [Blob|null]}`); the panel hands its
//! journal back with a `layerlab-docker-save` event and the page stores it; an image picked in
//! the panel is announced with `layerlab-docker-show` (its short ID) and the page shows it when
//! one of its opened images has that ID. No JSON is parsed on the page's side.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Blob;

pub const GLOBAL: &str = "layerlabDocker";
pub const EV_LOAD: &str = "layerlab-docker-load";
pub const EV_SAVE: &str = "layerlab-docker-save";
/// The panel: forget the Docker host (the page saves an empty journal and reloads).
pub const EV_RESET: &str = "layerlab-docker-reset";
/// The panel: an image was picked (detail: its short ID); the page shows it if it has it.
pub const EV_SHOW: &str = "layerlab-docker-show";
/// LESSONS, the page: begin the host afresh and run a lesson's earlier docker lines (detail:
/// JSON `{"context": [[path, text], …], "lines": […]}`, also kept as `lesson` on the global
/// until the panel takes it, so a panel still loading finds it).
pub const EV_LESSON: &str = "layerlab-docker-lesson";
/// LESSONS, the page: run one line in the terminal, as if typed (detail: the line).
pub const EV_RUN: &str = "layerlab-docker-run";
/// LESSONS, the panel: what commands printed (detail: an array of lines, `# LINE` then its
/// output), for the lesson's checks; a saved journal's replay is not announced.
pub const EV_OUTPUT: &str = "layerlab-docker-output";
/// LESSONS, the panel: the line of an [`EV_OUTPUT`] that says a lesson's request was taken
/// (the host's reset is queued: a line sent after it runs on the fresh host).
pub const BEGUN: &str = "# layerlab: the Docker host begins afresh";
/// Where the panel mounts.
pub const ROOT_ID: &str = "docker-host";

/// `window.layerlabDocker`, made the first time.
pub fn global() -> Object {
    let w = gloo::utils::window();
    match Reflect::get(&w, &GLOBAL.into()).ok().and_then(|v| v.dyn_into::<Object>().ok()) {
        Some(o) => o,
        None => {
            let o = Object::new();
            let _ = Reflect::set(&o, &"loads".into(), &Array::new());
            let _ = Reflect::set(&w, &GLOBAL.into(), &o);
            o
        }
    }
}

/// `{name, blob}` as the bridge carries an archive.
pub fn load_value(name: &str, blob: &Blob) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"name".into(), &name.into());
    let _ = Reflect::set(&o, &"blob".into(), blob);
    o.into()
}

/// An archive from a `{name, blob}` value.
pub fn read_load(v: &JsValue) -> Option<(String, Blob)> {
    let name = Reflect::get(v, &"name".into()).ok()?.as_string()?;
    let blob = Reflect::get(v, &"blob".into()).ok()?.dyn_into::<Blob>().ok()?;
    Some((name, blob))
}

/// Dispatches `name` on the window with `detail`.
pub fn emit(name: &str, detail: &JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = gloo::utils::window().dispatch_event(&e);
    }
}

/// The page: the user opened an archive (it is `docker load`ed into the host).
pub fn push_load(name: &str, blob: &Blob) {
    let v = load_value(name, blob);
    if let Ok(a) = Reflect::get(&global(), &"loads".into()).and_then(|a| a.dyn_into::<Array>().map_err(Into::into)) {
        a.push(&v);
    }
    emit(EV_LOAD, &v);
}

/// The page: loads the panel (once, with the other panels loaded on first use) and starts it.
pub fn start_ui() {
    crate::ui::panels::start(crate::ui::panels::Panel::Docker);
}

/// The page: leaves `value` under `key` on a bridge's global and announces it with `event`.
/// A panel still loading when the event fires takes it once it listens ([`take`]): how every
/// bridge hands a request to a panel that may not be there yet.
pub fn leave(global: &Object, key: &str, value: &JsValue, event: &str) {
    let _ = Reflect::set(global, &key.into(), value);
    emit(event, value);
}

/// The panel: takes (once) what [`leave`] left under `key`.
pub fn take(global: &Object, key: &str) -> Option<JsValue> {
    let v = Reflect::get(global, &key.into()).ok().filter(|v| !v.is_undefined())?;
    let _ = Reflect::delete_property(global, &key.into());
    Some(v)
}

/// The page: asks the panel to begin afresh with `request` (see [`EV_LESSON`]).
pub fn lesson(request: &str) {
    leave(&global(), "lesson", &request.into(), EV_LESSON);
}

/// The panel: takes the lesson request waiting on the global, if any.
pub fn take_lesson() -> Option<String> {
    take(&global(), "lesson")?.as_string()
}

/// The panel: announces what commands printed (see [`EV_OUTPUT`]).
pub fn output(lines: &[String]) {
    let a = Array::new();
    for l in lines {
        a.push(&l.into());
    }
    emit(EV_OUTPUT, &a.into());
}

/// The page: the lines of an [`EV_OUTPUT`] event.
pub fn read_output(v: &JsValue) -> Vec<String> {
    v.clone().dyn_into::<Array>().map(|a| a.iter().filter_map(|x| x.as_string()).collect()).unwrap_or_default()
}
