//! INSPECT (issue 13): the page's part of the "Inspect" panel: a button that loads the panel
//! the first time (with the other panels loaded on first use, [`crate::ui::panels`]) and shows
//! or hides it, and the element it mounts into.
use crate::ui::inspect_bridge as bridge;
use crate::ui::lang::use_tr;
use crate::ui::panels::{self, Panel};
use yew::prelude::*;

#[function_component(InspectLauncher)]
pub fn inspect_launcher() -> Html {
    let tr = use_tr();
    let shown = use_state(|| false);
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
