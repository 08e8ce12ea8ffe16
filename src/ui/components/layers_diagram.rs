//! LESSONS (issue 15, item 6): the diagram that teaches, drawn from the page's container as it
//! is: the image layers at the bottom (read-only, the stack's L0 lowest), the thin writable
//! container layer above them, the merged view on top. What the last line did moves and
//! appears: a copied-up file travels from the layer it came from into the container layer, a
//! whiteout and an opaque directory appear in the container layer and, greyed, in the merged
//! view (a whiteout hides the name, an opaque directory every lower child of it).
//!
//! Rules: an SVG inside a figure named "Layers diagram" whose caption says in words what the
//! last line did (what a screen reader reads; the SVG itself is decorative); animations are
//! CSS (`.dg-*` in `www/style.css`), none with prefers-reduced-motion; every word is a message
//! key (`diagram.*`). The last line's events are those that came after the previous line's
//! (the component remembers where the log stood at each new line).
use crate::host::EventKind;
use crate::ui::components::{human, hue};
use crate::ui::lang::use_tr;
use crate::ui::protocol::LayerId;
use crate::ui::state::ContainerState;
use std::rc::Rc;
use yew::prelude::*;

/// Image layers drawn at most (the top ones; the rest are summed up in one line).
const SHOWN: usize = 7;
const W: i32 = 720;
const BAR: i32 = 26;
const GAP: i32 = 6;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The layers of the container's stack, bottom first: id and its `created_by`.
    pub stack: Rc<Vec<(LayerId, String)>>,
    pub container: Rc<ContainerState>,
}

/// The path an event names: `PATH: …`, `PATH from …` or `directory PATH: …`.
fn event_path(text: &str) -> String {
    let rest = text.strip_prefix("directory ").unwrap_or(text);
    rest.split([':', ' ']).next().unwrap_or(rest).to_string()
}

fn short(s: &str, n: usize) -> String {
    let s = s.trim().trim_start_matches("/bin/sh -c ").trim_start_matches("#(nop) ").trim();
    if s.chars().count() > n {
        format!("{}…", s.chars().take(n).collect::<String>())
    } else {
        s.to_string()
    }
}

/// A chip's name: the last component of a path, cut to fit.
fn base(path: &str) -> String {
    short(path.rsplit('/').find(|c| !c.is_empty()).unwrap_or(path), 12)
}

#[function_component(LayersDiagram)]
pub fn layers_diagram(p: &Props) -> Html {
    let tr = use_tr();
    let c = &p.container;
    // (line counter seen, events then, where the last line's events begin)
    let mark = use_mut_ref(|| (0u32, 0usize, 0usize));
    let from = {
        let mut m = mark.borrow_mut();
        if m.0 != c.shell_seq {
            *m = (c.shell_seq, c.events.len(), m.1.min(c.events.len()));
        }
        m.2.min(c.events.len())
    };
    let last = &c.events[from..];
    let whiteouts: Vec<String> = last.iter().filter(|e| e.kind == EventKind::Whiteout).map(|e| event_path(&e.text)).collect();
    let opaques: Vec<String> = last.iter().filter(|e| e.kind == EventKind::Opaque).map(|e| event_path(&e.text)).collect();
    let copies = &c.copies;
    // The chips: the file copy-ups first (a directory's copy-up moves no data), biggest first.
    let mut files: Vec<&crate::ui::protocol::CopyUp> = copies.iter().collect();
    files.sort_by_key(|cu| std::cmp::Reverse(cu.bytes));

    let n = p.stack.len();
    let shown: Vec<(usize, &(LayerId, String))> = p.stack.iter().enumerate().skip(n.saturating_sub(SHOWN)).collect();
    let hidden = n - shown.len();
    // Rows from the top: merged view, container layer, then image layers top first.
    let top = 8;
    let merged_y = top;
    let container_y = merged_y + BAR + 3 * GAP;
    let first_layer_y = container_y + BAR + 3 * GAP;
    let layer_y = |k: usize| -> i32 {
        // k: position in the stack (0 = bottom); drawn top first.
        let row = (n - 1 - k) as i32;
        first_layer_y + row * (BAR + GAP)
    };
    let bottom = first_layer_y + shown.len() as i32 * (BAR + GAP) + if hidden > 0 { BAR } else { 0 };
    let position = |id: LayerId| p.stack.iter().position(|x| x.0 == id);
    let label_x = 10;
    // Chips sit in one row after the layer's name, the same column in the merged view.
    let chip_x = 250;
    let step = 155;

    let layers = shown.iter().map(|(k, (id, created))| {
        let y = layer_y(*k);
        let source = copies.iter().any(|cu| cu.layer == *id);
        html! {
            <g class={classes!("dg-layer", source.then_some("dg-source"))} style={format!("--hue:{}", hue(*id))}>
                <rect x="4" y={y.to_string()} width={(W - 8).to_string()} height={BAR.to_string()} rx="4" />
                <text x={label_x.to_string()} y={(y + 17).to_string()}>{ format!("L{k} · {}", tr.t("diagram.read_only")) }</text>
                <text class="dg-muted" x="190" y={(y + 17).to_string()}>{ short(created, 52) }</text>
            </g>
        }
    });
    let more = (hidden > 0).then(|| {
        let y = first_layer_y + shown.len() as i32 * (BAR + GAP) + 14;
        html! { <text class="dg-muted" x={label_x.to_string()} y={y.to_string()}>{ tr.f("diagram.more", &[&hidden.to_string()]) }</text> }
    });
    // A copy-up travels from its layer into the container layer.
    let chips: Vec<Html> = files
        .iter()
        .take(2)
        .enumerate()
        .filter_map(|(i, cu)| {
            let k = position(cu.layer)?;
            let dy = if k + SHOWN >= n { layer_y(k) - container_y } else { bottom - container_y };
            let x = chip_x + i as i32 * step;
            Some(html! {
                <>
                <text class="dg-from-upper" x={(x + 6).to_string()} y={(merged_y + 17).to_string()}>{ tr.f("diagram.merged_from_upper", &[&base(&cu.path)]) }</text>
                <g class="dg-chip dg-copy" key={format!("{}-{i}", c.shell_seq)} style={format!("--dy:{dy}px; animation-delay:{}ms", i * 250)}>
                    <rect x={x.to_string()} y={(container_y + 3).to_string()} width={(step - 5).to_string()} height={(BAR - 6).to_string()} rx="10" />
                    <text x={(x + 8).to_string()} y={(container_y + 17).to_string()}>{ format!("↑ {} · {}", base(&cu.path), human(cu.bytes)) }</text>
                </g>
                </>
            })
        })
        .collect();
    let used = chips.len();
    let marks = whiteouts.iter().map(|w| (w, "dg-whiteout", "diagram.whiteout_chip")).chain(opaques.iter().map(|o| (o, "dg-opaque", "diagram.opaque_chip")));
    let marks: Vec<Html> = marks
        .enumerate()
        .take(3 - used)
        .map(|(i, (path, class, key))| {
            let x = chip_x + (used + i) as i32 * step;
            html! {
                <g class={classes!("dg-chip", class)} key={format!("{}-{path}-{i}", c.shell_seq)}>
                    <rect x={x.to_string()} y={(container_y + 3).to_string()} width={(step - 5).to_string()} height={(BAR - 6).to_string()} rx="3" />
                    <text x={(x + 6).to_string()} y={(container_y + 17).to_string()}>{ tr.f(key, &[&base(path)]) }</text>
                    <text class="dg-gone" x={(x + 6).to_string()} y={(merged_y + 17).to_string()}>{ base(path) }</text>
                </g>
            }
        })
        .collect();
    // What the caption says: the last line's copy-ups, whiteouts and opaque directories.
    let mut said: Vec<String> = copies
        .iter()
        .map(|cu| tr.f("diagram.said_copy", &[&cu.path, &position(cu.layer).map_or("?".into(), |k| format!("L{k}")), &human(cu.bytes)]))
        .collect();
    said.extend(whiteouts.iter().map(|w| tr.f("diagram.said_whiteout", &[w])));
    said.extend(opaques.iter().map(|o| tr.f("diagram.said_opaque", &[o])));

    html! {
        <figure class="layers-diagram" role="figure" aria-label={tr.t("diagram.title")}>
            <svg viewBox={format!("0 0 {W} {}", bottom + 6)} aria-hidden="true" focusable="false">
                <g class="dg-merged">
                    <rect x="4" y={merged_y.to_string()} width={(W - 8).to_string()} height={BAR.to_string()} rx="4" />
                    <text x={label_x.to_string()} y={(merged_y + 17).to_string()}>{ tr.t("diagram.merged") }</text>
                </g>
                <g class={classes!("dg-container", (!said.is_empty()).then_some("dg-busy"))}>
                    <rect x="4" y={container_y.to_string()} width={(W - 8).to_string()} height={BAR.to_string()} rx="4" />
                    <text x={label_x.to_string()} y={(container_y + 17).to_string()}>{ tr.t("diagram.container") }</text>
                </g>
                <line class="dg-sep" x1="4" x2={(W - 4).to_string()} y1={(first_layer_y - GAP - 2).to_string()} y2={(first_layer_y - GAP - 2).to_string()} />
                { for layers }
                { for more }
                { for marks }
                { for chips }
            </svg>
            <figcaption>
                <strong>{ tr.t("diagram.title") }{ ": " }</strong>
                if said.is_empty() {
                    <span class="muted">{ tr.t("diagram.idle") }</span>
                } else {
                    <span role="status">{ said.join(" · ") }</span>
                }
            </figcaption>
        </figure>
    }
}
