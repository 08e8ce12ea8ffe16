//! DOCKER: `/var/lib/docker` as the core lays it out ([`crate::docker::var_lib`]), searched
//! by name as `find /var/lib/docker/UNDER -name '*QUERY*'` would; a file shows its text.
use crate::docker::var_lib::VarEntry;
use crate::ui::components::docker_text as t;
use yew::prelude::*;

/// Where a search can look (relative to `/var/lib/docker`).
pub const UNDER: &[&str] = &["", "image/overlay2/layerdb/", "image/overlay2/", "overlay2/", "containers/"];

#[derive(Properties, PartialEq)]
pub struct Props {
    pub entries: Vec<VarEntry>,
    pub total: usize,
    /// (under, query)
    pub on_search: Callback<(String, String)>,
}

#[function_component(VarLibView)]
pub fn var_lib_view(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let under = use_state(String::new);
    let query = use_state(String::new);
    let shown = use_state(|| None::<String>);
    let search = {
        let cb = p.on_search.clone();
        move |u: String, q: String| cb.emit((u, q))
    };
    let oninput = {
        let (query, under, search) = (query.clone(), under.clone(), search.clone());
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            query.set(v.clone());
            search((*under).clone(), v);
        })
    };
    let onchange = {
        let (query, under) = (query.clone(), under.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            under.set(v.clone());
            search(v, (*query).clone());
        })
    };
    let hex = query.trim().trim_start_matches("sha256:").to_string();
    let find = format!("$ find /var/lib/docker/{} -name '*{}*'", *under, hex);
    html! {
        <section class="var-lib" aria-label={tr.t("docker.var")}>
            <h3>{ tr.t("docker.var") }</h3>
            <div class="var-controls">
                <label>{ tr.t("docker.var_under") }{ " " }
                    <select {onchange}>
                        { for UNDER.iter().map(|u| html! { <option value={*u} selected={*u == under.as_str()}>{ format!("/var/lib/docker/{u}") }</option> }) }
                    </select>
                </label>
                <input type="search" aria-label={tr.t("docker.var_search")} placeholder={tr.t("docker.var_placeholder")} spellcheck="false" autocomplete="off" {oninput} value={(*query).clone()} />
            </div>
            if !hex.is_empty() { <pre class="muted find">{ find }</pre> }
            <p class="muted">{ t::var_count(&tr, p.entries.len(), p.total) }</p>
            if p.entries.is_empty() && !hex.is_empty() { <p class="muted">{ tr.t("docker.var_none") }</p> }
            <ul class="var-entries" aria-label={tr.t("docker.var_entries")}>
                { for p.entries.iter().map(|e| {
                    let depth = e.path.trim_end_matches('/').matches('/').count();
                    let style = format!("padding-left: {}rem", depth as f32 * 0.8);
                    let full = format!("/var/lib/docker/{}", e.path);
                    let label = match (&e.content, e.link) { (Some(tgt), true) => format!("{full} -> {tgt}"), _ => full.clone() };
                    let onclick = { let shown = shown.clone(); let c = e.content.clone(); let link = e.link; Callback::from(move |_| if !link { shown.set(c.clone()) }) };
                    html! { <li {style}><button class="link" {onclick}><code>{ label }</code></button></li> }
                }) }
            </ul>
            if let Some(text) = &*shown { <pre class="var-file">{ text }</pre> }
        </section>
    }
}
