//! CONTAINER: the container's controls: its mount options (a labelled select, "Mount options";
//! switching restarts the container empty), Undo and Reset (disabled when there is nothing to
//! undo, or the container layer is empty).
use crate::container::Config;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub mount: Config,
    pub can_undo: bool,
    pub empty: bool,
    /// False until there is a container (a stack).
    pub enabled: bool,
    pub on_mount: Callback<Config>,
    pub on_undo: Callback<()>,
    pub on_reset: Callback<()>,
}


#[function_component(ContainerControls)]
pub fn container_controls(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let on_change = {
        let cb = p.on_mount.clone();
        Callback::from(move |e: Event| {
            if let Ok(c) = Config::parse(&e.target_unchecked_into::<HtmlSelectElement>().value()) {
                cb.emit(c)
            }
        })
    };
    let undo = { let cb = p.on_undo.clone(); move |_| cb.emit(()) };
    let reset = { let cb = p.on_reset.clone(); move |_| cb.emit(()) };
    html! {
        <div class="container-controls">
            <label class="mount">{ tr.t("mount.label") }{ " " }
                <select aria-label={tr.t("mount.label")} disabled={!p.enabled} onchange={on_change}
                    title={tr.t("mount.title")}>
                    { for Config::ALL.iter().map(|c| html! { <option value={c.name()} selected={p.mount == *c}>{ tr.t(c.label_key()) }</option> }) }
                </select>
            </label>
            <span class="row-buttons">
                <button class="button" disabled={!p.enabled || !p.can_undo} onclick={undo}
                    title={tr.t("undo.title")}>{ tr.t("undo") }</button>
                <button class="button" disabled={!p.enabled || p.empty} onclick={reset}
                    title={tr.t("reset.title")}>{ tr.t("reset") }</button>
            </span>
        </div>
    }
}
