//! DOCKER: the page's part of the Docker host: a "Docker host" button that loads the Docker
//! panel the first time (see [`crate::ui::docker_bridge`]) and shows or hides it, the element
//! the panel mounts into, and the panel's journal kept in IndexedDB. A saved journal loads the
//! panel at once, so a reload brings the host back.
use crate::ui::docker_bridge as bridge;
use crate::ui::session;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[function_component(DockerLauncher)]
pub fn docker_launcher() -> Html {
    let tr = crate::ui::lang::use_tr();
    let shown = use_state(|| false);
    {
        let shown = shown.clone();
        use_effect_with((), move |_| {
            let shown2 = shown.clone();
            spawn_local(async move {
                // A host that was used (a journal with something in it) comes back at once.
                let used = |j: &wasm_bindgen::JsValue| js_sys::Reflect::get(j, &"journal".into()).ok().and_then(|v| v.as_string()).is_some_and(|v| v != "[]");
                if let Some(j) = session::load_docker().await.filter(used) {
                    let _ = js_sys::Reflect::set(&bridge::global(), &"journal".into(), &j);
                    shown.set(true);
                    bridge::start_ui();
                }
            });
            // The panel hands its journal over after every change.
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_SAVE, |e| {
                let e: &web_sys::CustomEvent = wasm_bindgen::JsCast::unchecked_ref(e);
                let v = e.detail();
                spawn_local(async move {
                    let _ = session::save_docker(&v).await;
                });
            });
            // A reset: an empty journal, then a fresh page (and a fresh Docker host).
            let r = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_RESET, |_| {
                spawn_local(async move {
                    let o = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&o, &"journal".into(), &"[]".into());
                    let _ = js_sys::Reflect::set(&o, &"files".into(), &js_sys::Array::new());
                    let _ = session::save_docker(&o.into()).await;
                    let _ = gloo::utils::window().location().reload();
                });
            });
            // LESSONS: a lesson with docker steps shows the host.
            let ls = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_LESSON, move |_| {
                bridge::start_ui();
                shown2.set(true);
            });
            move || {
                drop(l);
                drop(r);
                drop(ls);
            }
        });
    }
    let onclick = {
        let shown = shown.clone();
        Callback::from(move |_| {
            bridge::start_ui();
            shown.set(!*shown);
        })
    };
    html! {
        <section class="docker-host" aria-label={tr.t("docker.host")}>
            <button class="docker-toggle" aria-expanded={shown.to_string()} {onclick}>{ tr.t("docker.host") }</button>
            <div id={bridge::ROOT_ID} hidden={!*shown}></div>
        </section>
    }
}
