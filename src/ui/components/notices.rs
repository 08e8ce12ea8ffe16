//! Errors and warnings, one sentence each, dismissable; the page's own in its language (a
//! notice's key), the worker's (the core's sentences) in it where a template says them
//! ([`crate::ui::lang::Tr::said`]), else as they came.
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
                        <span>{ if n.key.is_empty() { tr.said(&n.text) } else { tr.f(n.key, &n.args.iter().map(|a| tr.said(a)).collect::<Vec<_>>().iter().map(String::as_str).collect::<Vec<_>>()) } }</span>
                        <button class="link" aria-label={tr.t("notices.dismiss")} onclick={move |_| cb.emit(id)}>{ "×" }</button>
                    </p>
                }
            }) }
        </div>
    }
}
