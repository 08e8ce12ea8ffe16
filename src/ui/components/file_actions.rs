//! CONTAINER: what the page can do to an entry of the merged view, through the container layer:
//! Edit (a textarea; Save writes the content like `echo -n … > FILE`), Delete (`rm`, `rm -r`),
//! Rename (`mv -T`), New file (`touch`), New directory (`mkdir`). The worker runs them as
//! container operations and echoes the equivalent command in the shell output.
//!
//! Keyboard: every action is a labelled button; its form opens below with the focus in its
//! field, Enter (Ctrl+Enter in the textarea) submits and Escape cancels.
use crate::ui::protocol::FileAction;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The entry acted on (display path) and its type letter; `None`: the root directory.
    pub target: Option<(String, char)>,
    /// The file's whole content as text, when the viewer has it (enables Edit).
    pub text: Option<String>,
    /// False outside the merged view or without a container.
    pub enabled: bool,
    pub on_action: Callback<FileAction>,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    None,
    Edit,
    Rename,
    NewFile,
    NewDir,
}

fn parent(p: &str) -> String {
    match p.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => p[..i].into(),
    }
}

/// A name typed for a new entry: absolute as typed, else inside `dir`.
fn join(dir: &str, name: &str) -> String {
    if name.starts_with('/') {
        return name.into();
    }
    String::from_utf8_lossy(&crate::path::join(dir.as_bytes(), name.as_bytes())).into_owned()
}

#[function_component(FileActions)]
pub fn file_actions(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let mode = use_state(|| Mode::None);
    let field = use_node_ref();
    let area = use_node_ref();
    let (path, kind) = p.target.clone().unwrap_or_else(|| ("/".into(), 'd'));
    // Forms close when the target changes.
    {
        let mode = mode.clone();
        use_effect_with(path.clone(), move |_| mode.set(Mode::None));
    }
    // The focus goes into the form that opened.
    {
        let (field, area) = (field.clone(), area.clone());
        use_effect_with(*mode, move |m| {
            if *m == Mode::Edit {
                if let Some(a) = area.cast::<HtmlTextAreaElement>() {
                    let _ = a.focus();
                }
            } else if let Some(f) = field.cast::<HtmlInputElement>() {
                let _ = f.focus();
                f.select();
            }
        });
    }
    let is_dir = kind == 'd';
    let dir = if is_dir { path.clone() } else { parent(&path) };
    let open = |m: Mode| {
        let mode = mode.clone();
        move |_| mode.set(m)
    };
    let submit = {
        let mode = mode.clone();
        let (field, area) = (field.clone(), area.clone());
        let cb = p.on_action.clone();
        let (path, dir) = (path.clone(), dir.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = field.cast::<HtmlInputElement>().map(|f| f.value()).unwrap_or_default();
            let action = match *mode {
                Mode::Edit => area.cast::<HtmlTextAreaElement>().map(|a| FileAction::Write { path: path.clone(), text: a.value() }),
                Mode::Rename if !value.is_empty() && value != path => Some(FileAction::Rename { from: path.clone(), to: join(&parent(&path), &value) }),
                Mode::NewFile if !value.is_empty() => Some(FileAction::NewFile { path: join(&dir, &value) }),
                Mode::NewDir if !value.is_empty() => Some(FileAction::NewDir { path: join(&dir, &value) }),
                _ => None,
            };
            if let Some(a) = action {
                cb.emit(a);
                mode.set(Mode::None);
            }
        })
    };
    let cancel = { let mode = mode.clone(); move |_| mode.set(Mode::None) };
    let onkeydown = {
        let mode = mode.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                mode.set(Mode::None);
            }
        })
    };
    let on_area_key = {
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                if let Some(form) = e.target_unchecked_into::<HtmlTextAreaElement>().form() {
                    let _ = form.request_submit();
                }
            }
        })
    };
    let delete = {
        let cb = p.on_action.clone();
        let path = path.clone();
        move |_| cb.emit(FileAction::Delete { path: path.clone(), dir: is_dir })
    };
    let root = path == "/";
    let off = !p.enabled;
    let form = match *mode {
        Mode::None => html! {},
        m => {
            let (label, value, button) = match m {
                Mode::Rename => (tr.t("actions.new_name"), path.rsplit('/').next().unwrap_or_default().to_string(), tr.t("actions.rename")),
                Mode::NewFile => (tr.t("actions.new_file_name"), String::new(), tr.t("actions.create_file")),
                Mode::NewDir => (tr.t("actions.new_dir_name"), String::new(), tr.t("actions.create_dir")),
                _ => (tr.t("viewer.content"), String::new(), tr.t("actions.save_file")),
            };
            html! {
                <form class="action-form" onsubmit={submit} onkeydown={onkeydown}>
                    if m == Mode::Edit {
                        <label class="stacked">{ tr.f("actions.content_of", &[&path]) }
                            <textarea ref={area} aria-label={tr.t("viewer.content")} rows="8" spellcheck="false" onkeydown={on_area_key}
                                value={p.text.clone().unwrap_or_default()} />
                        </label>
                    } else {
                        <label class="stacked">{ if m == Mode::Rename { tr.f("actions.in", &[label, &parent(&path)]) } else { tr.f("actions.in", &[label, &dir]) } }
                            <input ref={field} type="text" aria-label={label} value={value} spellcheck="false" autocomplete="off" />
                        </label>
                    }
                    <span class="row-buttons">
                        <button class="button primary" type="submit">{ button }</button>
                        <button class="button" type="button" onclick={cancel}>{ tr.t("cancel") }</button>
                    </span>
                </form>
            }
        }
    };
    html! {
        <section class="panel file-actions" aria-labelledby="actions-h">
            <h2 id="actions-h">{ tr.t("actions.heading") }</h2>
            <p class="muted target">{ if is_dir { tr.t("actions.directory") } else { tr.t("actions.file") } }{ " " }<code>{ &path }</code>
                { if p.enabled { "" } else { tr.t("actions.only_merged") } }</p>
            <div class="row-buttons wrap">
                if !is_dir {
                    <button class="button" disabled={off || p.text.is_none()} onclick={open(Mode::Edit)}
                        title={if p.text.is_none() { tr.t("actions.edit_no") } else { tr.t("actions.edit_title") }}>{ tr.t("actions.edit") }</button>
                }
                <button class="button" disabled={off || root} onclick={delete}>{ tr.t("actions.delete") }</button>
                <button class="button" disabled={off || root} onclick={open(Mode::Rename)}>{ tr.t("actions.rename") }</button>
                <button class="button" disabled={off} onclick={open(Mode::NewFile)}>{ tr.t("actions.new_file") }</button>
                <button class="button" disabled={off} onclick={open(Mode::NewDir)}>{ tr.t("actions.new_dir") }</button>
            </div>
            { form }
        </section>
    }
}
