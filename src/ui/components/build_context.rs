//! BUILD (issue 11): the "Build context" editor of the Docker panel: the files of the Docker
//! host's directory `context` (what `docker build -t demo:1 context` sends), each in a textarea
//! named by its path, a "New file" form and a delete button per file.
//!
//! Rules: every edit is a journal item ([`DockerItem::Write`], [`DockerItem::Remove`]) the panel
//! sends to the Docker worker (its context loader reads the files) and keeps in the journal, so a
//! reload brings the context back and replays the builds over the same files.
use crate::ui::components::docker_text as t;
use crate::ui::docker_protocol::{context_path, BuildFiles, DockerItem};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub files: Rc<BuildFiles>,
    /// An edit: a write or a removal.
    pub on_edit: Callback<DockerItem>,
}

#[function_component(BuildContext)]
pub fn build_context(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let new_path = use_node_ref();
    let clash_msg = use_state(|| None::<String>);
    let onsubmit = {
        let (new_path, files, cb, clash_msg) = (new_path.clone(), p.files.clone(), p.on_edit.clone(), clash_msg.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(el) = new_path.cast::<web_sys::HtmlInputElement>() else { return };
            if let Some(path) = context_path(&el.value()) {
                // Not over a file or a directory the context has (that would drop files).
                let clash = files.keys().any(|k| *k == path || k.starts_with(&format!("{path}/")) || path.starts_with(&format!("{k}/")));
                if clash {
                    clash_msg.set(Some(t::context_clash(&tr, &path)));
                } else {
                    clash_msg.set(None);
                    cb.emit(DockerItem::Write { path, text: String::new() });
                    el.set_value("");
                }
            }
        })
    };
    html! {
        <section class="build-context" aria-label={tr.t("docker.context")}>
            <h3>{ tr.t("docker.context") }</h3>
            <p class="muted">{ tr.t("docker.context_hint") }</p>
            if p.files.is_empty() { <p class="muted">{ tr.t("docker.context_empty") }</p> }
            <ul class="context-files">
                { for p.files.iter().map(|(path, text)| {
                    let oninput = {
                        let (cb, path) = (p.on_edit.clone(), path.clone());
                        Callback::from(move |e: InputEvent| {
                            let v = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
                            cb.emit(DockerItem::Write { path: path.clone(), text: v });
                        })
                    };
                    let onclick = { let (cb, path) = (p.on_edit.clone(), path.clone()); Callback::from(move |_| cb.emit(DockerItem::Remove { path: path.clone() })) };
                    let rows = (text.lines().count() + 1).clamp(2, 16).to_string();
                    html! {
                        <li key={path.clone()}>
                            <div class="context-file-head">
                                <code>{ format!("{}/{path}", crate::ui::docker_protocol::CONTEXT_DIR) }</code>
                                <button class="button" aria-label={t::delete_file(&tr, path)} {onclick}>{ tr.t("docker.delete") }</button>
                            </div>
                            <textarea aria-label={path.clone()} spellcheck="false" {rows} value={text.clone()} {oninput} />
                        </li>
                    }
                }) }
            </ul>
            <form class="context-new" {onsubmit}>
                <input type="text" aria-label={tr.t("docker.new_file_path")} placeholder={tr.t("docker.new_file_placeholder")} spellcheck="false" autocomplete="off" ref={new_path} />
                <button class="button" type="submit">{ tr.t("docker.new_file") }</button>
            </form>
            if let Some(m) = &*clash_msg { <p class="error" role="alert">{ m }</p> }
        </section>
    }
}
