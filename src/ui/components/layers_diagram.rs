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

/// Text for markup.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
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

    // What the caption says: the last line's copy-ups, whiteouts and opaque directories.
    let mut said: Vec<String> = copies
        .iter()
        .map(|cu| tr.f("diagram.said_copy", &[&cu.path, &position(cu.layer).map_or("?".into(), |k| format!("L{k}")), &human(cu.bytes)]))
        .collect();
    said.extend(whiteouts.iter().map(|w| tr.f("diagram.said_whiteout", &[w])));
    said.extend(opaques.iter().map(|o| tr.f("diagram.said_opaque", &[o])));

    let said_any = !said.is_empty();
    // The SVG as markup (far less code than a tree of elements; the words are escaped).
    use std::fmt::Write;
    let mut svg = format!("<svg viewBox=\"0 0 {W} {}\" aria-hidden=\"true\" focusable=\"false\" data-seq=\"{}\">", bottom + 6, c.shell_seq);
    let bar = |svg: &mut String, class: &str, style: &str, y: i32, label: &str| {
        let _ = write!(svg, "<g class=\"{class}\" style=\"{style}\"><rect x=\"4\" y=\"{y}\" width=\"{}\" height=\"{BAR}\" rx=\"4\"/><text x=\"{label_x}\" y=\"{}\">{}</text></g>", W - 8, y + 17, esc(label));
    };
    bar(&mut svg, "dg-merged", "", merged_y, &tr.t("diagram.merged"));
    bar(&mut svg, if said_any { "dg-container dg-busy" } else { "dg-container" }, "", container_y, &tr.t("diagram.container"));
    let _ = write!(svg, "<line class=\"dg-sep\" x1=\"4\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>", W - 4, y = first_layer_y - GAP - 2);
    for (k, (id, created)) in &shown {
        let y = layer_y(*k);
        let class = if copies.iter().any(|cu| cu.layer == *id) { "dg-layer dg-source" } else { "dg-layer" };
        bar(&mut svg, class, &format!("--hue:{}", hue(*id)), y, &format!("L{k} · {}", tr.t("diagram.read_only")));
        let _ = write!(svg, "<text class=\"dg-muted\" x=\"190\" y=\"{}\">{}</text>", y + 17, esc(&short(created, 52)));
    }
    if hidden > 0 {
        let y = first_layer_y + shown.len() as i32 * (BAR + GAP) + 14;
        let _ = write!(svg, "<text class=\"dg-muted\" x=\"{label_x}\" y=\"{y}\">{}</text>", esc(&tr.f("diagram.more", &[&hidden.to_string()])));
    }
    // A copy-up travels from its layer into the container layer; a whiteout or an opaque
    // directory appears there; the merged view names each (a deleted name struck out).
    let mut slot: i32 = 0;
    for (i, cu) in files.iter().take(2).enumerate() {
        let Some(k) = position(cu.layer) else { continue };
        let dy = if k + SHOWN >= n { layer_y(k) - container_y } else { bottom - container_y };
        let x = chip_x + slot * step;
        slot += 1;
        let _ = write!(
            svg,
            "<text class=\"dg-from-upper\" x=\"{}\" y=\"{}\">{}</text><g class=\"dg-chip dg-copy\" style=\"--dy:{dy}px; animation-delay:{}ms\"><rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            x + 6,
            merged_y + 17,
            esc(&tr.f("diagram.merged_from_upper", &[&base(&cu.path)])),
            i * 250,
            container_y + 3,
            step - 5,
            BAR - 6,
            x + 8,
            container_y + 17,
            esc(&format!("↑ {} · {}", base(&cu.path), human(cu.bytes)))
        );
    }
    // (path, class, chip's words, the merged view's class and words)
    let marks = whiteouts
        .iter()
        .map(|w| (w, "dg-whiteout", "diagram.whiteout_chip", "dg-gone", base(w)))
        .chain(opaques.iter().map(|o| (o, "dg-opaque", "diagram.opaque_chip", "dg-emptied", tr.f("diagram.merged_opaque", &[&base(o)]))));
    for (path, class, key, merged_class, merged) in marks.take(3 - slot as usize) {
        let x = chip_x + slot * step;
        slot += 1;
        let _ = write!(
            svg,
            "<g class=\"dg-chip {class}\"><rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/><text x=\"{}\" y=\"{}\">{}</text><text class=\"{merged_class}\" x=\"{}\" y=\"{}\">{}</text></g>",
            container_y + 3,
            step - 5,
            BAR - 6,
            x + 6,
            container_y + 17,
            esc(&tr.f(key, &[&base(path)])),
            x + 6,
            merged_y + 17,
            esc(&merged)
        );
    }
    svg.push_str("</svg>");

    html! {
        <figure class="layers-diagram" role="figure" aria-label={tr.t("diagram.title")}>
            { Html::from_html_unchecked(svg.into()) }
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
