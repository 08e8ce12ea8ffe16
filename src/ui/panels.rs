//! The page's panels loaded on first use: one Yew app of its own (`panels-ui`, built by trunk
//! beside the page, `no-modules` output) holding the Docker panel
//! ([`crate::ui::components::docker_panel`]) and the "Storage drivers" panel
//! ([`crate::ui::components::drivers_panel`]), so the page's first load stays within its wasm
//! budget; and the "Inspect" panel ([`crate::ui::components::inspect_panel`]).
//!
//! Rules: one script for every such panel, because each trunk `no-modules` script declares a
//! global `let wasm_bindgen` and a second one would not load. The page asks for a panel with
//! [`start`]: the first call loads the script, whose `main` ([`run`]) mounts every panel asked
//! for so far (`window.layerlabPanels.wanted`) into its element; a later call announces the
//! panel with a `layerlab-panel-start` event, which the running app mounts. Each panel talks to
//! the page through its own bridge ([`crate::ui::docker_bridge`], [`crate::ui::drivers_bridge`]).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

pub const GLOBAL: &str = "layerlabPanels";
/// The page: mount this panel (detail: its name) now that the app runs.
pub const EV_START: &str = "layerlab-panel-start";
/// The panels' script and wasm (trunk's `no-modules` output, next to `index.html`).
pub const UI_SCRIPT: &str = "./panels-ui.js";
pub const UI_WASM: &str = "./panels-ui_bg.wasm";

/// A panel loaded on first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Docker,
    Drivers,
    Inspect,
}

impl Panel {
    pub fn name(self) -> &'static str {
        match self {
            Panel::Docker => "docker",
            Panel::Drivers => "drivers",
            Panel::Inspect => "inspect",
        }
    }
    fn from_name(s: &str) -> Option<Panel> {
        [Panel::Docker, Panel::Drivers, Panel::Inspect].into_iter().find(|p| p.name() == s)
    }
    /// The element the panel mounts into (the page draws it).
    pub fn root_id(self) -> &'static str {
        match self {
            Panel::Docker => crate::ui::docker_bridge::ROOT_ID,
            Panel::Drivers => crate::ui::drivers_bridge::ROOT_ID,
            Panel::Inspect => crate::ui::inspect_bridge::ROOT_ID,
        }
    }
}

/// Loaded after [`UI_SCRIPT`]: it hands the script's `wasm_bindgen` to the page as
/// `window.layerlabInitPanels` (a classic script's `let` is not a window property).
pub const START_SCRIPT: &str = "./js/panels-start.js";

/// Adds a classic script to the document; `then` runs once it has run.
fn add_script(src: &str, then: impl FnOnce() + 'static) {
    let doc = gloo::utils::document();
    let Ok(el) = doc.create_element("script") else { return };
    let script: web_sys::HtmlScriptElement = el.unchecked_into();
    script.set_src(src);
    let onload = Closure::once_into_js(then);
    script.set_onload(Some(onload.unchecked_ref()));
    if let Some(head) = doc.head() {
        let _ = head.append_child(&script);
    }
}

/// `window.layerlabPanels`, made the first time.
fn global() -> Object {
    let w = gloo::utils::window();
    match Reflect::get(&w, &GLOBAL.into()).ok().and_then(|v| v.dyn_into::<Object>().ok()) {
        Some(o) => o,
        None => {
            let o = Object::new();
            let _ = Reflect::set(&o, &"wanted".into(), &Array::new());
            let _ = Reflect::set(&w, &GLOBAL.into(), &o);
            o
        }
    }
}

fn flag(name: &str) -> bool {
    Reflect::get(&global(), &name.into()).ok().and_then(|v| v.as_bool()) == Some(true)
}

/// The page: shows `panel`, loading the panels' script the first time.
pub fn start(panel: Panel) {
    let g = global();
    let wanted: Array = Reflect::get(&g, &"wanted".into()).ok().and_then(|v| v.dyn_into().ok()).unwrap_or_default();
    if wanted.includes(&panel.name().into(), 0) {
        return;
    }
    wanted.push(&panel.name().into());
    if flag("running") {
        crate::ui::docker_bridge::emit(EV_START, &panel.name().into());
        return;
    }
    if flag("loading") {
        return; // `run` mounts every panel wanted once the script is in
    }
    let _ = Reflect::set(&g, &"loading".into(), &true.into());
    add_script(UI_SCRIPT, || {
        add_script(START_SCRIPT, || {
            let w = gloo::utils::window();
            if let Ok(f) = Reflect::get(&w, &"layerlabInitPanels".into()).and_then(|f| f.dyn_into::<js_sys::Function>().map_err(Into::into)) {
                let _ = f.call1(&w, &UI_WASM.into());
            }
        });
    });
}

/// Yew subtree numbers this app gives away before its first panel (see [`run`]).
const BURNED_SUBTREES: usize = 64;

#[function_component(Nothing)]
fn nothing() -> Html {
    Html::default()
}

fn mount(panel: Panel) {
    let Some(root) = gloo::utils::document().get_element_by_id(panel.root_id()) else { return };

    match panel {
        Panel::Docker => {
            yew::Renderer::<crate::ui::components::docker_panel::DockerPanel>::with_root(root).render();
        }
        Panel::Drivers => {
            yew::Renderer::<crate::ui::components::drivers_panel::DriversPanel>::with_root(root).render();
        }
        Panel::Inspect => {
            yew::Renderer::<crate::ui::components::inspect_panel::InspectPanel>::with_root(root).render();
        }
    }
}

/// The panels' app: mounts every panel wanted so far, then each one announced later.
///
/// The page's own Yew app handles events from `<body>`, above the panels, in the capture
/// phase, and takes an event as its own when the closest element Yew branded with a subtree
/// number carries *its* number. This app is another wasm module with its own counter, so its
/// first root would be branded 1 like the page's: the page would run, for a click in a panel,
/// whatever of its handlers has the clicked element's listener number (it did: a lesson link's
/// `preventDefault` undid every checkbox click in the Inspect panel). Rendering nothing into
/// detached elements first spends the low numbers, so the panels' roots carry numbers the page
/// (one root, no portals) never uses, and each app handles only its own events.
pub fn run() {
    console_error_panic_hook::set_once();
    let doc = gloo::utils::document();
    for _ in 0..BURNED_SUBTREES {
        if let Ok(el) = doc.create_element("div") {
            let _ = yew::Renderer::<Nothing>::with_root(el).render();
        }
    }
    let g = global();
    let _ = Reflect::set(&g, &"running".into(), &true.into());
    let wanted: Array = Reflect::get(&g, &"wanted".into()).ok().and_then(|v| v.dyn_into().ok()).unwrap_or_default();
    for p in wanted.iter().filter_map(|v| v.as_string()).filter_map(|s| Panel::from_name(&s)) {
        mount(p);
    }
    let l = gloo::events::EventListener::new(&gloo::utils::window(), EV_START, |e| {
        let e: &web_sys::CustomEvent = e.unchecked_ref();
        if let Some(p) = e.detail().as_string().and_then(|s| Panel::from_name(&s)) {
            mount(p);
        }
    });
    l.forget();
}
