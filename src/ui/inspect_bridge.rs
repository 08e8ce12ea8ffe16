//! INSPECT (issue 13): how the page and its "Inspect" panel meet. The panel is one of the
//! panels loaded on first use ([`crate::ui::panels`]); it analyses images in a worker of its own
//! (`inspect-worker`), which opens the archive again from its `File` (see that module for what
//! this second read costs and why the first pass does not do it).
//!
//! Rules: the page keeps, on `window.layerlabInspect.archives`, every archive it opened
//! (`[{name, blob}]`: files, drops, samples and restored ones; not commits), each also announced
//! with a `layerlab-inspect-archive` event. Nothing else crosses.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsCast;
use web_sys::Blob;

pub const GLOBAL: &str = "layerlabInspect";
pub const EV_ARCHIVE: &str = "layerlab-inspect-archive";
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
