//! STORAGE DRIVERS (issue 12): how the page and its "Storage drivers" panel meet. The panel
//! is one of the panels loaded on first use ([`crate::ui::panels`]); it replays the page's
//! container on every driver in a worker of its own (`drivers-worker`), so the driver models
//! add nothing to the page's first load and nothing to the main worker's ops.
//!
//! Rules: while the panel is shown (`window.layerlabDrivers.open`), the page asks its worker
//! for the container's [`Input`] after every change of the container (a shell line, a file
//! action, a stack or mount change) and hands it on unread: `window.layerlabDrivers.input =
//! {json, blob}` and a `layerlab-drivers-input` event. `blob` holds the union's layer blobs one
//! after the other (a `Blob` of parts: slices of the opened archives, nothing copied), in the
//! order and with the lengths `layers` says.

use js_sys::{Object, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use web_sys::Blob;

pub const GLOBAL: &str = "layerlabDrivers";
/// The page: a new [`Input`] is on the global.
pub const EV_INPUT: &str = "layerlab-drivers-input";
/// The panel: it was opened (the page answers with an input).
pub const EV_WANT: &str = "layerlab-drivers-want";
/// LESSONS, the page: show the panel (L14).
pub const EV_SHOW: &str = "layerlab-drivers-show";
/// LESSONS, the panel: what the container's last shell line cost on each driver (detail: an
/// array of lines, `# LINE` then [`crate::drivers::report`]), the log a lesson's checks read.
pub const EV_OUTPUT: &str = "layerlab-drivers-output";
/// Where the panel mounts.
pub const ROOT_ID: &str = "storage-drivers";

/// The container as the drivers worker replays it ([`crate::host::Host::replay_input`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Input {
    pub config: crate::container::Config,
    /// Every op the container ran since it was made, as an OPS script.
    pub script: String,
    /// The union's layers, bottom first: the page's layer id and the blob's length.
    pub layers: Vec<(u32, u64)>,
    /// LESSONS: the last shell line the container ran (the panel names it with the figures
    /// it announces, `layerlab-drivers-output`).
    #[serde(default)]
    pub line: Option<String>,
    /// How many ops of `script` ran before that line (its figures are those of the ops after).
    #[serde(default)]
    pub line_ops: usize,
}

/// `window.layerlabDrivers`, made the first time.
pub fn global() -> Object {
    let w = gloo::utils::window();
    match Reflect::get(&w, &GLOBAL.into()).ok().and_then(|v| v.dyn_into::<Object>().ok()) {
        Some(o) => o,
        None => {
            let o = Object::new();
            let _ = Reflect::set(&w, &GLOBAL.into(), &o);
            o
        }
    }
}

/// The page: whether the panel is shown (then it wants an input after every change).
pub fn is_open() -> bool {
    Reflect::get(&global(), &"open".into()).ok().and_then(|v| v.as_bool()) == Some(true)
}

pub fn set_open(open: bool) {
    let _ = Reflect::set(&global(), &"open".into(), &open.into());
}

/// The page: hands a fresh input to the panel.
pub fn publish(json: &str, blob: &Blob) {
    let o = Object::new();
    let _ = Reflect::set(&o, &"json".into(), &json.into());
    let _ = Reflect::set(&o, &"blob".into(), blob);
    let _ = Reflect::set(&global(), &"input".into(), &o);
    crate::ui::docker_bridge::emit(EV_INPUT, &o.into());
}

/// The panel: the last input the page handed over.
pub fn input() -> Option<(String, Blob)> {
    let v = Reflect::get(&global(), &"input".into()).ok()?;
    let json = Reflect::get(&v, &"json".into()).ok()?.as_string()?;
    let blob = Reflect::get(&v, &"blob".into()).ok()?.dyn_into::<Blob>().ok()?;
    Some((json, blob))
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
