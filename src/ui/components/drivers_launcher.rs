//! STORAGE DRIVERS (issue 12): the page's part of the "Storage drivers" panel: a button that
//! loads the panel the first time (with the other panels loaded on first use,
//! [`crate::ui::panels`]) and shows or hides it, and the element it mounts into. While it is
//! shown the page hands it the container after every change ([`crate::ui::drivers_bridge`]).
use crate::ui::drivers_bridge as bridge;
use crate::ui::lang::use_tr;
use crate::ui::panels::{self, Panel};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Ask the worker for the container's input (the panel was opened or asked for it).
    pub on_want: Callback<()>,
}

#[function_component(DriversLauncher)]
pub fn drivers_launcher(p: &Props) -> Html {
    let tr = use_tr();
    let shown = use_state(|| false);
    {
        let want = p.on_want.clone();
        use_effect_with((), move |_| {
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_WANT, move |_| want.emit(()));
            move || drop(l)
        });
    }
    // LESSONS: a lesson shows the panel.
    {
        let (shown, want) = (shown.clone(), p.on_want.clone());
        use_effect_with((), move |_| {
            let show = move || {
                if bridge::take_show() {
                    bridge::set_open(true);
                    panels::start(Panel::Drivers);
                    want.emit(());
                    shown.set(true);
                }
            };
            show();
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_SHOW, move |_| show());
            move || drop(l)
        });
    }
    let onclick = {
        let (shown, want) = (shown.clone(), p.on_want.clone());
        Callback::from(move |_| {
            let open = !*shown;
            bridge::set_open(open);
            if open {
                panels::start(Panel::Drivers);
                want.emit(());
            }
            shown.set(open);
        })
    };
    html! {
        <div class="drivers-host">
            <button class="docker-toggle" aria-expanded={shown.to_string()} {onclick}>{ tr.t("drivers.region") }</button>
            <div id={bridge::ROOT_ID} hidden={!*shown}></div>
        </div>
    }
}
