//! CONTAINER (issue 3): every copy-up, whiteout, opaque dir, redirect and error, one line each
//! with a one-line explanation (role `log`, named "Events").
use crate::ui::state::Event;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub events: Vec<Event>,
}

#[function_component(EventLog)]
pub fn event_log(p: &Props) -> Html {
    html! {
        <div class="events" role="log" aria-label="Events">
            { for p.events.iter().map(|e| html! { <div class={classes!("event", format!("e-{}", e.kind))}><strong>{ &e.kind }</strong>{ " " }{ &e.text }</div> }) }
        </div>
    }
}
