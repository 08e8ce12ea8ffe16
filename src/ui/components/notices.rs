//! Errors and warnings, one sentence each, dismissable; the page's own in its language (a
//! notice's key), the worker's (the core's sentences) in it where a template says them
//! ([`crate::ui::lang::Tr::said`]), else as they came.
use crate::ui::lang::Tr;
use crate::ui::state::Notice;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub notices: Vec<Notice>,
    pub on_dismiss: Callback<u32>,
}

#[function_component(Notices)]
pub fn notices(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    html! {
        <div class="notices" role="status" aria-live="polite">
            { for p.notices.iter().map(|n| {
                let id = n.id;
                let cb = p.on_dismiss.clone();
                html! {
                    <p class={classes!("notice", n.error.then_some("error"))}>
                        <span>{ text(&tr, n) }</span>
                        <button class="link" aria-label={tr.t("notices.dismiss")} onclick={move |_| cb.emit(id)}>{ "×" }</button>
                    </p>
                }
            }) }
        </div>
    }
}

/// A notice in the page's words: its key's text, with its arguments (a warning's one argument
/// is a sentence of the core, said as [`Tr::said`] says it), or the worker's sentence.
fn text(tr: &Tr, n: &Notice) -> String {
    if n.key.is_empty() {
        return tr.said(&n.text);
    }
    let args: Vec<String> = n.args.iter().map(|a| if n.key == "notice.warning" { tr.said(a) } else { a.clone() }).collect();
    tr.f(n.key, &args.iter().map(String::as_str).collect::<Vec<_>>())
}
