//! The file view: the merged tree (role `tree`, named "Files") or one layer's own changes.
//!
//! Virtualized: rows have a fixed height, the page asks the worker for the window around the
//! scroll position (plus a margin) and draws only those, so 100k entries scroll like 100.
//! Every row names the layer that supplies it and the lower layers it shadows.
//! Keyboard: arrows move, Enter opens a file or folds a directory, Left/Right fold/unfold.
use crate::ui::components::{human, hue};
use crate::ui::protocol::{ChangeFilter, LayerId, Row, Rows, Sort};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub const ROW_H: u32 = 24;
/// Rows fetched beyond the visible ones, on each side.
const MARGIN: u32 = 30;
/// Window starts are rounded to this, so small scrolls need no new query.
const STEP: u32 = 20;
/// Of the window's rows, those within this many rows of the visible ones are drawn (their
/// first row rounded down to it, so a scroll redraws every `DRAWN` rows); the others are held
/// until a scroll comes near. The first frame of an opened archive drew all 120 rows of the
/// first window, about 1,500 elements, 22-30 ms of script and 25-32 ms of layout and paint
/// for the 20-35 rows a screen shows.
const DRAWN: u32 = 10;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub rows: Rows,
    pub scope_label: String,
    pub layer_scope: bool,
    pub filter: String,
    pub change: ChangeFilter,
    pub sort: Sort,
    /// Label of each layer id (`L3 1a2b3c4d5e6f`).
    pub labels: Vec<String>,
    pub selected: Option<String>,
    pub on_window: Callback<(u32, u32)>,
    pub on_select: Callback<Row>,
    pub on_toggle: Callback<String>,
    pub on_filter: Callback<String>,
    pub on_change: Callback<ChangeFilter>,
    pub on_sort: Callback<Sort>,
    pub on_listing: Callback<()>,
    /// The listing asked for has not come yet.
    #[prop_or_default]
    pub listing_busy: bool,
}

fn window_for(scroll_top: u32, height: u32) -> (u32, u32) {
    let first = scroll_top / ROW_H;
    let start = (first.saturating_sub(MARGIN) / STEP) * STEP;
    let count = height / ROW_H + 2 * MARGIN + STEP;
    (start, count)
}

#[function_component(FileTree)]
pub fn file_tree(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let scroller = use_node_ref();
    let active = use_state(|| 0u32);
    let height = use_state(|| 600u32);
    // The first visible row, rounded down to `DRAWN`.
    let top = use_state(|| 0u32);
    // The view's height, measured when it is drawn and when the window is resized (it follows
    // the window's).
    {
        let (scroller, height) = (scroller.clone(), height.clone());
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(el) = scroller.cast::<Element>() {
                    // Not laid out (a hidden panel): the guess stands.
                    let h = el.client_height().max(0) as u32;
                    if h > 0 && *height != h {
                        height.set(h);
                    }
                }
            };
            measure();
            let on = gloo::events::EventListener::new(&gloo::utils::window(), "resize", move |_| measure());
            move || drop(on)
        });
    }

    let on_scroll = {
        let scroller = scroller.clone();
        let cb = p.on_window.clone();
        let (height, top) = (height.clone(), top.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                let h = el.client_height().max(0) as u32;
                if *height != h {
                    height.set(h);
                }
                let st = el.scroll_top().max(0) as u32;
                let t = st / ROW_H / DRAWN * DRAWN;
                if *top != t {
                    top.set(t);
                }
                cb.emit(window_for(st, h));
            }
        })
    };
    let drawn = top.saturating_sub(DRAWN)..*top + height.div_ceil(ROW_H) + 2 * DRAWN;

    let total = p.rows.total;
    let start = p.rows.start;
    let row_at = |i: u32| -> Option<&Row> { i.checked_sub(start).and_then(|k| p.rows.rows.get(k as usize)) };

    let on_key = {
        let active = active.clone();
        let scroller = scroller.clone();
        let rows = p.rows.clone();
        let sel = p.on_select.clone();
        let tog = p.on_toggle.clone();
        Callback::from(move |e: KeyboardEvent| {
            let cur = *active;
            let row = cur.checked_sub(rows.start).and_then(|k| rows.rows.get(k as usize)).cloned();
            let next = match e.key().as_str() {
                "ArrowDown" => Some((cur + 1).min(rows.total.saturating_sub(1))),
                "ArrowUp" => Some(cur.saturating_sub(1)),
                "PageDown" => Some((cur + 20).min(rows.total.saturating_sub(1))),
                "PageUp" => Some(cur.saturating_sub(20)),
                "Home" => Some(0),
                "End" => Some(rows.total.saturating_sub(1)),
                "Enter" | " " => {
                    if let Some(r) = &row {
                        if r.kind == 'd' && r.has_children {
                            tog.emit(r.path.clone());
                        } else {
                            sel.emit(r.clone());
                        }
                    }
                    None
                }
                "ArrowRight" | "ArrowLeft" => {
                    if let Some(r) = &row {
                        let want_open = e.key() == "ArrowRight";
                        if r.kind == 'd' && r.has_children && r.collapsed == want_open {
                            tog.emit(r.path.clone());
                        }
                    }
                    None
                }
                _ => return,
            };
            e.prevent_default();
            if let Some(n) = next {
                active.set(n);
                if let Some(el) = scroller.cast::<Element>() {
                    let top = n * ROW_H;
                    let h = el.client_height().max(ROW_H as i32) as u32;
                    let st = el.scroll_top().max(0) as u32;
                    if top < st {
                        el.set_scroll_top(top as i32);
                    } else if top + ROW_H > st + h {
                        el.set_scroll_top((top + ROW_H - h) as i32);
                    }
                }
            }
        })
    };

    let on_filter = {
        let cb = p.on_filter.clone();
        Callback::from(move |e: InputEvent| cb.emit(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_change = {
        let cb = p.on_change.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            cb.emit(match v.as_str() {
                "A" => ChangeFilter::Added,
                "M" => ChangeFilter::Modified,
                "D" => ChangeFilter::Deleted,
                _ => ChangeFilter::All,
            })
        })
    };
    let on_sort = {
        let cb = p.on_sort.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            cb.emit(if v == "size" { Sort::Size } else { Sort::Tree })
        })
    };
    let listing = { let cb = p.on_listing.clone(); move |_| cb.emit(()) };

    let label = |id: Option<LayerId>| match id {
        Some(crate::host::CONTAINER_LAYER) => tr.t("files.container_chip").to_string(),
        _ => id.and_then(|i| p.labels.get(i as usize)).cloned().unwrap_or_default(),
    };
    let active_id = format!("row-{}", *active);

    html! {
        <section class="panel files" aria-labelledby="files-h">
            <div class="files-head">
                <h2 id="files-h">{ &p.scope_label }</h2>
                <span class="muted">{ tr.f("files.entries", &[&total.to_string()]) }</span>
                <button class="button" onclick={listing} title={tr.t("files.listing_title")} disabled={p.listing_busy} aria-busy={p.listing_busy.then_some("true")}>
                    { tr.t(if p.listing_busy { "files.listing_busy" } else { "files.listing" }) }
                </button>
            </div>
            <div class="toolbar" role="search">
                <input type="search" placeholder={tr.t("files.filter")} aria-label={tr.t("files.filter")} value={p.filter.clone()} oninput={on_filter} />
                <select aria-label={tr.t("files.change_type")} onchange={on_change}>
                    <option value="" selected={p.change == ChangeFilter::All}>{ tr.t("files.all_changes") }</option>
                    <option value="A" selected={p.change == ChangeFilter::Added}>{ tr.t("files.added") }</option>
                    <option value="M" selected={p.change == ChangeFilter::Modified}>{ if p.layer_scope { tr.t("files.modified") } else { tr.t("files.shadowing") } }</option>
                    if p.layer_scope { <option value="D" selected={p.change == ChangeFilter::Deleted}>{ tr.t("files.deleted") }</option> }
                </select>
                <select aria-label={tr.t("files.sort")} onchange={on_sort}>
                    <option value="tree" selected={p.sort == Sort::Tree}>{ tr.t("files.tree") }</option>
                    <option value="size" selected={p.sort == Sort::Size}>{ tr.t("files.largest") }</option>
                </select>
            </div>
            <div class="tree-scroll" ref={scroller} onscroll={on_scroll} role="tree" aria-label={tr.t("files.label")} tabindex="0"
                onkeydown={on_key} aria-activedescendant={active_id}>
                <div class="tree-inner" style={format!("height:{}px", total * ROW_H)}>
                    { for (start..start + p.rows.rows.len() as u32).filter(|i| drawn.contains(i)).filter_map(|i| row_at(i).map(|r| (i, r))).map(|(i, r)| {
                        let sel = p.on_select.clone();
                        let tog = p.on_toggle.clone();
                        let r2 = r.clone();
                        let path = r.path.clone();
                        let is_dir = r.kind == 'd';
                        let onclick = move |_| if is_dir { tog.emit(r2.path.clone()) } else { sel.emit(r2.clone()) };
                        let twisty = if is_dir && r.has_children { if r.collapsed { "▸" } else { "▾" } } else { "" };
                        let layer_hue = r.layer.map(hue).unwrap_or(0);
                        let shadows: Vec<String> = r.shadows.iter().map(|&s| label(Some(s))).collect();
                        html! {
                            <div key={i} role="treeitem" id={format!("row-{i}")} class={classes!("row", (*active == i).then_some("active"), (p.selected.as_deref() == Some(&path)).then_some("selected"))}
                                aria-level={(r.depth + 1).to_string()} aria-setsize={total.to_string()} aria-posinset={(i + 1).to_string()}
                                aria-expanded={(is_dir && r.has_children).then(|| (!r.collapsed).to_string())}
                                aria-selected={(p.selected.as_deref() == Some(&path)).to_string()}
                                data-path={path.clone()} title={path.clone()}
                                style={format!("top:{}px", i * ROW_H)} onclick={onclick}>
                                <span class={classes!("change", format!("c-{}", r.change))} title={tr.t("files.change_title")}>{ r.change }</span>
                                <span class="indent" style={format!("width:{}px", r.depth as u32 * 14)}></span>
                                <span class="twisty">{ twisty }</span>
                                <span class={classes!("kind", format!("k-{}", r.kind))}>{ r.kind }</span>
                                <span class="name">{ &r.name }
                                    if let Some(t) = &r.target { <span class="target">{ format!(" → {t}") }</span> }
                                    if r.opaque { <span class="tag">{ tr.t("files.opaque_tag") }</span> }
                                    if r.kind == 'w' { <span class="tag">{ tr.t("files.whiteout_tag") }</span> }
                                    if r.nlink > 1 && r.kind == 'f' { <span class="tag">{ tr.f("files.links", &[&r.nlink.to_string()]) }</span> }
                                </span>
                                <span class="mode">{ format!("{:04o} {}:{}", r.mode, r.uid, r.gid) }</span>
                                <span class="size">{ if r.kind == 'f' { human(r.size) } else { String::new() } }</span>
                                <span class="chip" style={format!("--hue:{layer_hue}")}>{ label(r.layer) }</span>
                                <span class="shadows">{ if shadows.is_empty() { String::new() } else { tr.f("files.over", &[&shadows.join(", ")]) } }</span>
                            </div>
                        }
                    }) }
                </div>
            </div>
        </section>
    }
}
