//! The layer diagram: the stack drawn top to bottom (top layer first, base last), each layer
//! with its short diff_id, size and `created_by`; switch layers on and off, move them, or
//! select one to see its own changes. The container layer is the top item (CONTAINER), drawn
//! dashed, with what `docker ps -s` shows (size, virtual size) and what it holds (bytes copied
//! up, copied-up entries, whiteouts, opaque dirs).
//!
//! Copy-up made visible: after a line that copied up, the source layers and the container item
//! are highlighted, and a chip (`/etc/passwd · 1.2 KiB`) travels from the source layer to the
//! container item (a CSS animation between measured positions; with prefers-reduced-motion the
//! chip is not shown, the highlight and the "last copy-up" line stay).
use crate::ui::components::{human, hue};
use crate::host::stack_label;
use crate::ui::protocol::{ContainerUsage, CopyUp, LayerId, LayerInfo};
use web_sys::HtmlElement;
use wasm_bindgen::JsCast;
use crate::container::{Config, CopyKind};
use yew::prelude::*;

/// Chips drawn for one line (the last copy-ups).
const CHIPS: usize = 3;

/// `/etc/passwd · 1.2 KiB` (or `· metadata only`).
fn copy_text(c: &CopyUp) -> String {
    match c.kind {
        CopyKind::MetadataOnly => format!("{} · metadata only", c.path),
        _ => format!("{} · {}", c.path, human(c.bytes)),
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub layers: Vec<LayerInfo>,
    pub order: Vec<(LayerId, bool)>,
    pub scope: Option<LayerId>,
    pub merged_entries: u64,
    pub on_toggle: Callback<LayerId>,
    pub on_move: Callback<(LayerId, i32)>,
    pub on_scope: Callback<Option<LayerId>>,
    /// CONTAINER: mount config, usage, the copy-ups of the last line and a counter of lines.
    #[prop_or_default]
    pub mount: Config,
    #[prop_or_default]
    pub usage: ContainerUsage,
    #[prop_or_default]
    pub copies: Vec<CopyUp>,
    #[prop_or_default]
    pub copy_seq: u32,
}

#[function_component(LayerStack)]
pub fn layer_stack(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let max = p.layers.iter().map(|l| l.content_bytes).max().unwrap_or(1).max(1);
    let n = p.order.len();
    let merged_cb = p.on_scope.clone();
    let list = use_node_ref();
    // Place the travelling chips: from their source layer's item to the container item.
    {
        let list = list.clone();
        use_effect_with((p.copy_seq, p.copies.clone()), move |_| {
            let Some(ol) = list.cast::<HtmlElement>() else { return };
            let top_of = |sel: &str| -> Option<i32> {
                ol.query_selector(sel).ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()).map(|e| e.offset_top())
            };
            let Some(dst) = top_of(".container-item") else { return };
            let Ok(chips) = ol.query_selector_all(".travel") else { return };
            for i in 0..chips.length() {
                let Some(chip) = chips.item(i).and_then(|c| c.dyn_into::<HtmlElement>().ok()) else { continue };
                let from = chip.get_attribute("data-from").unwrap_or_default();
                if let Some(src) = top_of(&format!("li[data-layer=\"{from}\"]")) {
                    let _ = chip.style().set_property("--y0", &format!("{}px", src + 14));
                    let _ = chip.style().set_property("--y1", &format!("{}px", dst + 14));
                    let _ = chip.class_list().add_1("go");
                }
            }
        });
    }
    let sources: Vec<LayerId> = p.copies.iter().map(|c| c.layer).collect();
    let last = p.copies.iter().rev().find(|c| c.kind != CopyKind::Full || c.bytes > 0).or(p.copies.last());
    let u = &p.usage;
    let mount = tr.t(p.mount.label_key());
    html! {
        <section class="panel stack" aria-labelledby="stack-h">
            <h2 id="stack-h">{ tr.t("stack.heading") }</h2>
            <ol class="layers" aria-label={tr.t("stack.layers")} ref={list}>
                if n > 0 {
                    <li class={classes!("container-item", (!p.copies.is_empty()).then_some("copy-dst"))}
                        aria-label={tr.t("stack.container")} title={tr.t("stack.container_title")}>
                        <div class="container-head">
                            <span class="chip c-chip">{ "C" }</span>
                            <strong>{ tr.t("stack.container") }</strong>
                            <span class="size" title={tr.t("stack.ps_title")}>
                                { crate::units::ps_size(u.size, u.virtual_size) }</span>
                        </div>
                        <div class="container-stats muted">
                            { tr.f(if u.whiteouts == 1 { "stack.stats_one" } else { "stack.stats" }, &[&human(u.copied_bytes), &u.copied.to_string(), &u.whiteouts.to_string(), &u.opaque.to_string(), mount]) }
                        </div>
                        if let Some(c) = last {
                            <div class="last-copy">{ tr.f("stack.last_copy", &[&copy_text(c),
                                p.order.iter().any(|x| x.0 == c.layer).then(|| stack_label(&p.order, c.layer)).unwrap_or_default().as_str()]) }</div>
                        }
                    </li>
                }
                { for p.copies.iter().rev().take(CHIPS).rev().enumerate().map(|(i, c)| html! {
                    <li class="travel" key={format!("{}-{i}", p.copy_seq)} data-from={c.layer.to_string()} aria-hidden="true"
                        style={format!("--hue:{}; animation-delay:{}ms", hue(c.layer), i * 250)}>{ copy_text(c) }</li>
                }) }
                { for p.order.iter().enumerate().rev().map(|(pos, &(id, on))| {
                    let Some(l) = p.layers.get(id as usize) else { return html! {} };
                    let toggle = { let cb = p.on_toggle.clone(); move |_| cb.emit(id) };
                    let up = { let cb = p.on_move.clone(); move |_| cb.emit((id, 1)) };
                    let down = { let cb = p.on_move.clone(); move |_| cb.emit((id, -1)) };
                    let selected = p.scope == Some(id);
                    let select = { let cb = p.on_scope.clone(); move |_| cb.emit(if selected { None } else { Some(id) }) };
                    let width = 4.0 + 96.0 * (l.content_bytes as f64 / max as f64);
                    let label = stack_label(&p.order, id);
                    let name = format!("{label} {}", l.short_id);
                    html! {
                        <li class={classes!("layer", (!on).then_some("off"), selected.then_some("selected"), sources.contains(&id).then_some("copy-src"))}
                            data-layer={id.to_string()} style={format!("--hue:{}", hue(id))}>
                            <input type="checkbox" checked={on} onchange={toggle}
                                aria-label={tr.f("stack.use_layer", &[&name])} />
                            <button class="layer-main" onclick={select} aria-pressed={selected.to_string()}
                                title={format!("{}\n{} · {}\n{}{}", l.diff_id.clone().unwrap_or_default(), l.archive, l.compression.name(), tr.f("stack.layer_title", &[&l.entries.to_string(), &human(l.content_bytes)]),
                                    if l.warnings.is_empty() { String::new() } else { format!("\n{}", l.warnings.iter().map(|w| tr.said(w)).collect::<Vec<_>>().join("\n")) })}>
                                <span class="chip">{ label }</span>
                                <code class="short-id">{ tr.id(&l.short_id) }</code>
                                <span class="size">{ human(l.uncompressed_size) }</span>
                                <span class="created-by">{ if l.created_by.is_empty() { l.archive.clone() } else { l.created_by.clone() } }</span>
                                <span class="bar" style={format!("width:{width:.1}%")}></span>
                            </button>
                            <span class="moves">
                                <button class="icon" aria-label={tr.f("stack.move_up", &[&name])} disabled={pos + 1 == n} onclick={up}>{ "↑" }</button>
                                <button class="icon" aria-label={tr.f("stack.move_down", &[&name])} disabled={pos == 0} onclick={down}>{ "↓" }</button>
                            </span>
                        </li>
                    }
                }) }
            </ol>
            if p.order.is_empty() {
                <p class="muted empty">{ tr.t("stack.empty") }</p>
            } else {
                <button class={classes!("button", "merged", p.scope.is_none().then_some("active"))}
                    aria-pressed={p.scope.is_none().to_string()} onclick={move |_| merged_cb.emit(None)}>
                    { tr.f("stack.merged", &[&p.merged_entries.to_string()]) }
                </button>
            }
        </section>
    }
}
