//! INSPECT (issue 13): the page's part of the "Inspect" panel: a button that loads the panel
//! the first time (with the other panels loaded on first use, [`crate::ui::panels`]) and shows
//! or hides it, and the element it mounts into. It passes the panel's asks to the page's
//! worker ([`crate::ui::inspect_bridge`]): the layer indexes an analysis starts from.
use crate::ui::inspect_bridge as bridge;
use crate::ui::protocol::InspectAsk;
use crate::ui::lang::use_tr;
use crate::ui::panels::{self, Panel};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Send an ask to the page's worker.
    pub on_ask: Callback<InspectAsk>,
}

#[function_component(InspectLauncher)]
pub fn inspect_launcher(p: &Props) -> Html {
    let tr = use_tr();
    let shown = use_state(|| false);
    {
        let ask = p.on_ask.clone();
        use_effect_with((), move |_| {
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_WANT, move |e| {
                let e: &web_sys::CustomEvent = wasm_bindgen::JsCast::unchecked_ref(e);
                if let Some(a) = bridge::read_ask(&e.detail()) {
                    ask.emit(a);
                }
            });
            move || drop(l)
        });
    }
    // LESSONS: a lesson shows the panel.
    {
        let shown = shown.clone();
        use_effect_with((), move |_| {
            let show = move || {
                if bridge::take_show() {
                    panels::start(Panel::Inspect);
                    shown.set(true);
                }
            };
            show();
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_SHOW, move |_| show());
            move || drop(l)
        });
    }
    let onclick = {
        let shown = shown.clone();
        Callback::from(move |_| {
            if !*shown {
                panels::start(Panel::Inspect);
            }
            shown.set(!*shown);
        })
    };
    html! {
        <div class="inspect-host">
            <button class="docker-toggle" aria-expanded={shown.to_string()} {onclick}>{ tr.t("inspect.region") }</button>
            <div id={bridge::ROOT_ID} hidden={!*shown}></div>
        </div>
    }
}
