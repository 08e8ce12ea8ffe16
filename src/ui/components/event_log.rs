//! CONTAINER (issue 3): every copy-up, whiteout, opaque dir, redirect and error, one line each
//! with a one-line explanation (role `log`, named "Events"); it keeps the newest line in view.
//! A line is said in the page's language from its key and arguments
//! ([`crate::host::event_words`]); its kind too (`event.kind.<label>`; the CSS class keeps the
//! English label).
use crate::ui::lang::Tr;
use crate::ui::protocol::EventLine;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub events: Vec<EventLine>,
}

#[function_component(EventLog)]
pub fn event_log(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let el = use_node_ref();
    {
        let el = el.clone();
        use_effect_with(p.events.len(), move |_| {
            if let Some(e) = el.cast::<web_sys::Element>() {
                e.set_scroll_top(e.scroll_height());
            }
        });
    }
    html! {
        <div class="events" role="log" aria-label={tr.t("container.events")} ref={el}>
            { for p.events.iter().map(|e| html! { <div class={classes!("event", format!("e-{}", e.kind.label()))}><strong>{ tr.t(&format!("event.kind.{}", e.kind.label())) }</strong>{ " " }{ said(&tr, e) }</div> }) }
        </div>
    }
}

/// A line in the page's language.
fn said(tr: &Tr, e: &EventLine) -> String {
    tr.f(&e.key, &e.args.iter().map(String::as_str).collect::<Vec<_>>())
}
