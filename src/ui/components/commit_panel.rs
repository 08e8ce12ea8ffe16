//! COMMIT (issue 5): `docker commit` and `docker export` of the container.
//!
//! The form says what `docker commit -m MSG -a AUTHOR -c CHANGE REPO:TAG` is told; the
//! equivalent command is shown under it, so users learn the CLI. Changes are Dockerfile
//! instructions, one per line (`CMD`, `ENTRYPOINT`, `ENV`, `WORKDIR`, `LABEL`, `USER`,
//! `EXPOSE`, `VOLUME`).
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What the user asked `docker commit` for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommitForm {
    pub message: String,
    pub author: String,
    pub tag: String,
    pub changes: Vec<String>,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// False while there is no container (nothing stacked).
    pub enabled: bool,
    /// Lines of `docker diff` (shown as a count: what the new layer will hold).
    pub changed: usize,
    pub on_commit: Callback<CommitForm>,
    pub on_export: Callback<()>,
}

#[function_component(CommitPanel)]
pub fn commit_panel(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let form = use_state(CommitForm::default);
    let changes_text = use_state(String::new);
    let set = |f: fn(&mut CommitForm, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = (*form).clone();
            f(&mut next, v);
            form.set(next);
        })
    };
    let on_message = set(|f, v| f.message = v);
    let on_author = set(|f, v| f.author = v);
    let on_tag = set(|f, v| f.tag = v);
    let on_changes = {
        let changes_text = changes_text.clone();
        Callback::from(move |e: InputEvent| changes_text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let changes: Vec<String> = changes_text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    let onsubmit = {
        let form = form.clone();
        let cb = p.on_commit.clone();
        let changes = changes.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut f = (*form).clone();
            f.changes = changes.clone();
            cb.emit(f);
        })
    };
    let on_export = {
        let cb = p.on_export.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let cmd = crate::host::CommitRequest {
        message: form.message.clone(),
        author: form.author.clone(),
        changes: changes.clone(),
        tag: form.tag.clone(),
        time: 0,
    }
    .command();
    html! {
        <form class="commit" aria-label="docker commit" {onsubmit}>
            <div class="fields">
                <label>{ tr.t("commit.message") }<input type="text" value={form.message.clone()} oninput={on_message} placeholder={tr.t("commit.message_example")} /></label>
                <label>{ tr.t("commit.author") }<input type="text" value={form.author.clone()} oninput={on_author} placeholder="Jane <jane@example.com>" /></label>
                <label>{ tr.t("commit.tag") }<input type="text" value={form.tag.clone()} oninput={on_tag} placeholder="myapp:v2" /></label>
                <label class="wide">{ tr.t("commit.changes") }
                    <textarea rows="2" value={(*changes_text).clone()} oninput={on_changes} spellcheck="false" placeholder={"CMD [\"/app\"]\nENV MODE=prod"} />
                </label>
            </div>
            <code class="cmd muted" aria-label={tr.t("commit.equivalent")}>{ cmd }</code>
            <div class="buttons">
                <button class="button primary" type="submit" disabled={!p.enabled}
                    title={tr.f("commit.title", &[&p.changed.to_string()])}>{ tr.t("container.commit") }</button>
                <button class="button" type="button" disabled={!p.enabled} onclick={on_export}
                    title={tr.t("export.title")}>{ tr.t("export") }</button>
            </div>
        </form>
    }
}
