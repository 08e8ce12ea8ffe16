//! DOCKER: the store picture ([`crate::docker::store_map`]): a column per image and
//! container, rows top first, each layer drawn once spanning the columns that use it.
use crate::docker::store_map::{CellKind, StoreMap};
use crate::ui::components::docker_text as t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub map: std::rc::Rc<StoreMap>,
}

#[function_component(StoreView)]
pub fn store_view(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let m = &p.map;
    let cols = m.columns.len().max(1);
    let style = format!("grid-template-columns: repeat({cols}, minmax(7rem, 1fr))");
    html! {
        <section class="store-view" aria-label={tr.t("docker.store")}>
            <h3>{ tr.t("docker.store") }</h3>
            <p class="muted">{ tr.t("docker.store_hint") }</p>
            if m.columns.is_empty() { <p class="muted">{ tr.t("docker.store_empty") }</p> } else {
                <div class="store-grid" {style}>
                    { for m.rows.iter().enumerate().flat_map(|(r, row)| row.iter().map(move |c| {
                        let style = format!("grid-column: {} / span {}; grid-row: {}", c.start + 1, c.span, r + 1);
                        let kind = match c.kind { CellKind::Layer => "layer", CellKind::Init => "init", CellKind::Container => "rw" };
                        let title = format!("{} · {}", c.chain_id.clone().unwrap_or_else(|| c.label.clone()), t::used_by(&tr, c.span));
                        html! { <div class={classes!("store-cell", kind, (c.span > 1).then_some("shared"))} {style} {title} data-span={c.span.to_string()}>
                            <code>{ &c.label }</code>{ " " }<span class="muted">{ &c.size }</span>
                        </div> }
                    }).collect::<Vec<_>>()) }
                    { for m.columns.iter().enumerate().map(|(i, c)| {
                        let style = format!("grid-column: {}; grid-row: {}", i + 1, m.rows.len() + 1);
                        html! { <div class={classes!("store-col", c.container.then_some("ctr"))} {style}>{ &c.label }</div> }
                    }) }
                </div>
            }
        </section>
    }
}
