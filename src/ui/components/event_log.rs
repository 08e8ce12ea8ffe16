//! CONTAINER (issue 3): every copy-up, whiteout, opaque dir, redirect and error, one line each
//! with a one-line explanation (role `log`, named "Events"); it keeps the newest line in view.
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
            { for p.events.iter().map(|e| html! { <div class={classes!("event", format!("e-{}", e.kind.label()))}><strong>{ e.kind.label() }</strong>{ " " }{ &e.text }</div> }) }
        </div>
    }
}
