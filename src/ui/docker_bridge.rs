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
