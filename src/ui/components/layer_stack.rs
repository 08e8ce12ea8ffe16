//! The layer diagram: the stack drawn top to bottom (top layer first, base last), each layer
//! with its short diff_id, size and `created_by`; switch layers on and off, move them, or
//! select one to see its own changes. The container layer sits on top (CONTAINER, issue 3).
use crate::ui::components::{human, hue};
use crate::ui::protocol::{LayerId, LayerInfo};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub layers: Vec<LayerInfo>,
    pub order: Vec<(LayerId, bool)>,
    pub scope: Option<LayerId>,
    pub merged_entries: u64,
    pub on_toggle: Callback<LayerId>,
    pub on_move: Callback<(LayerId, i32)>,
    pub on_scope: Callback<Option<LayerId>>,
}

#[function_component(LayerStack)]
pub fn layer_stack(p: &Props) -> Html {
    let max = p.layers.iter().map(|l| l.content_bytes).max().unwrap_or(1).max(1);
    let n = p.order.len();
    let merged_cb = p.on_scope.clone();
    html! {
        <section class="panel stack" aria-labelledby="stack-h">
            <h2 id="stack-h">{ "Stack" }</h2>
            <div class="container-layer" title="The writable layer of a running container">
                <strong>{ "Container layer" }</strong>
                <span class="muted">{ " (upperdir) — writable layer arrives with the container module" }</span>
            </div>
            <ol class="layers" aria-label="Layers">
                { for p.order.iter().enumerate().rev().map(|(pos, &(id, on))| {
                    let Some(l) = p.layers.get(id as usize) else { return html! {} };
                    let toggle = { let cb = p.on_toggle.clone(); move |_| cb.emit(id) };
                    let up = { let cb = p.on_move.clone(); move |_| cb.emit((id, 1)) };
                    let down = { let cb = p.on_move.clone(); move |_| cb.emit((id, -1)) };
                    let selected = p.scope == Some(id);
                    let select = { let cb = p.on_scope.clone(); move |_| cb.emit(if selected { None } else { Some(id) }) };
                    let width = 4.0 + 96.0 * (l.content_bytes as f64 / max as f64);
                    let name = format!("L{pos} {}", l.short_id);
                    html! {
                        <li class={classes!("layer", (!on).then_some("off"), selected.then_some("selected"))}
                            style={format!("--hue:{}", hue(id))}>
                            <input type="checkbox" checked={on} onchange={toggle}
                                aria-label={format!("Use layer {name}")} />
                            <button class="layer-main" onclick={select} aria-pressed={selected.to_string()}
                                title={format!("{}\n{} · {}\n{} entries, {} of files{}", l.diff_id.clone().unwrap_or_default(), l.archive, l.compression, l.entries, human(l.content_bytes),
                                    if l.warnings.is_empty() { String::new() } else { format!("\n{}", l.warnings.join("\n")) })}>
                                <span class="chip">{ format!("L{pos}") }</span>
                                <code class="short-id">{ &l.short_id }</code>
                                <span class="size">{ human(l.uncompressed_size) }</span>
                                <span class="created-by">{ if l.created_by.is_empty() { l.archive.clone() } else { l.created_by.clone() } }</span>
                                <span class="bar" style={format!("width:{width:.1}%")}></span>
                            </button>
                            <span class="moves">
                                <button class="icon" aria-label={format!("Move {name} up")} disabled={pos + 1 == n} onclick={up}>{ "↑" }</button>
                                <button class="icon" aria-label={format!("Move {name} down")} disabled={pos == 0} onclick={down}>{ "↓" }</button>
                            </span>
                        </li>
                    }
                }) }
            </ol>
            if p.order.is_empty() {
                <p class="muted empty">{ "No layers yet: open an archive or a sample." }</p>
            } else {
                <button class={classes!("button", "merged", p.scope.is_none().then_some("active"))}
                    aria-pressed={p.scope.is_none().to_string()} onclick={move |_| merged_cb.emit(None)}>
                    { format!("Merged view · {} entries", p.merged_entries) }
                </button>
            }
        </section>
    }
}
