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
const BAR: i32 = 26;
const GAP: i32 = 6;
/// Copied-up files drawn as chips at most, and chips in all.
const MAX_COPIES: usize = 4;
const MAX_CHIPS: usize = 6;
/// Space between two chips.
const CHIP_GAP: i32 = 12;

/// About how wide `s` is drawn in the diagram's 12px font (a CJK character is about twice a
/// Latin one); chips are sized from it.
fn text_w(s: &str) -> i32 {
    s.chars().map(|c| if c.is_ascii() { 7 } else { 13 }).sum()
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The layers of the container's stack, bottom first: id and its `created_by`.
    pub stack: Rc<Vec<(LayerId, String)>>,
    pub container: Rc<ContainerState>,
    /// Drawn for a narrow column (beside the Stack panel): 400 units wide, the chips on rows of
    /// their own under the layer names.
    #[prop_or_default]
    pub compact: bool,
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
    let whiteouts: Vec<String> = last.iter().filter(|e| e.kind == EventKind::Whiteout).filter_map(|e| e.path().map(str::to_string)).collect();
    let opaques: Vec<String> = last.iter().filter(|e| e.kind == EventKind::Opaque).filter_map(|e| e.path().map(str::to_string)).collect();
    let copies = &c.copies;
    // The chips: the file copy-ups first (a directory's copy-up moves no data), biggest first.
    let mut files: Vec<&crate::ui::protocol::CopyUp> = copies.iter().collect();
    files.sort_by_key(|cu| std::cmp::Reverse(cu.bytes));

    // The chips of the container layer (copy-ups first, then whiteouts and opaque
    // directories), each with what the merged view says of the same name: laid out left to
    // right with a gap, wrapping to another row when the next one would not fit.
    struct Chip {
        class: &'static str,
        text: String,
        merged_class: &'static str,
        merged: String,
        /// The copied-up file's layer (position in the stack), for its travel.
        from: Option<usize>,
        w: i32,
        x: i32,
        row: i32,
    }
    let position = |id: LayerId| p.stack.iter().position(|x| x.0 == id);
    let mut chips: Vec<Chip> = Vec::new();
    for cu in files.iter().take(MAX_COPIES) {
        let Some(k) = position(cu.layer) else { continue };
        chips.push(Chip {
            class: "dg-chip dg-copy",
            text: format!("↑ {} · {}", base(&cu.path), human(cu.bytes)),
            merged_class: "dg-from-upper",
            merged: tr.f("diagram.merged_from_upper", &[&base(&cu.path)]),
            from: Some(k),
            w: 0,
            x: 0,
            row: 0,
        });
    }
    let marks = whiteouts
        .iter()
        .map(|w| ("dg-chip dg-whiteout", tr.f("diagram.whiteout_chip", &[&base(w)]), "dg-gone", base(w)))
        .chain(opaques.iter().map(|o| ("dg-chip dg-opaque", tr.f("diagram.opaque_chip", &[&base(o)]), "dg-emptied", tr.f("diagram.merged_opaque", &[&base(o)]))));
    for (class, text, merged_class, merged) in marks {
        if chips.len() >= MAX_CHIPS {
            break;
        }
        chips.push(Chip { class, text, merged_class, merged, from: None, w: 0, x: 0, row: 0 });
    }
    #[allow(non_snake_case)]
    let W: i32 = if p.compact { 400 } else { 720 };
    // Compact: the chips start on the row under the bar's name.
    let (chip_x, row0) = if p.compact { (10, 1) } else { (250, 0) };
    let (mut x, mut row) = (chip_x, row0);
    for ch in &mut chips {
        ch.w = (text_w(&ch.text) + 16).max(text_w(&ch.merged) + 12).max(70).min(W - 8 - chip_x);
        if x > chip_x && x + ch.w > W - 8 {
            row += 1;
            x = chip_x;
        }
        ch.x = x;
        ch.row = row;
        x += ch.w + CHIP_GAP;
    }
    let rows = if chips.is_empty() { 1 } else { row + 1 };
    let created_x = if p.compact { 200 } else { 190 };
    let created_len = if p.compact { 26 } else { 52 };
    let band = BAR + (rows - 1) * BAR;

    let n = p.stack.len();
    let shown: Vec<(usize, &(LayerId, String))> = p.stack.iter().enumerate().skip(n.saturating_sub(SHOWN)).collect();
    let hidden = n - shown.len();
    // Rows from the top: merged view, container layer, then image layers top first.
    let top = 8;
    let merged_y = top;
    let container_y = merged_y + band + 3 * GAP;
    let first_layer_y = container_y + band + 3 * GAP;
    let layer_y = |k: usize| -> i32 {
        // k: position in the stack (0 = bottom); drawn top first.
        let row = (n - 1 - k) as i32;
        first_layer_y + row * (BAR + GAP)
    };
    let bottom = first_layer_y + shown.len() as i32 * (BAR + GAP) + if hidden > 0 { BAR } else { 0 };
    let label_x = 10;

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
    let bar = |svg: &mut String, class: &str, style: &str, y: i32, h: i32, label: &str| {
        let _ = write!(svg, "<g class=\"{class}\" style=\"{style}\"><rect x=\"4\" y=\"{y}\" width=\"{}\" height=\"{h}\" rx=\"4\"/><text x=\"{label_x}\" y=\"{}\">{}</text></g>", W - 8, y + 17, esc(label));
    };
    bar(&mut svg, "dg-merged", "", merged_y, band, &tr.t("diagram.merged"));
    bar(&mut svg, if said_any { "dg-container dg-busy" } else { "dg-container" }, "", container_y, band, &tr.t("diagram.container"));
    let _ = write!(svg, "<line class=\"dg-sep\" x1=\"4\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>", W - 4, y = first_layer_y - GAP - 2);
    for (k, (id, created)) in &shown {
        let y = layer_y(*k);
        let class = if copies.iter().any(|cu| cu.layer == *id) { "dg-layer dg-source" } else { "dg-layer" };
        bar(&mut svg, class, &format!("--hue:{}", hue(*id)), y, BAR, &format!("L{k} · {}", tr.t("diagram.read_only")));
        let _ = write!(svg, "<text class=\"dg-muted\" x=\"{created_x}\" y=\"{}\">{}</text>", y + 17, esc(&short(created, created_len)));
    }
    if hidden > 0 {
        let y = first_layer_y + shown.len() as i32 * (BAR + GAP) + 14;
        let _ = write!(svg, "<text class=\"dg-muted\" x=\"{label_x}\" y=\"{y}\">{}</text>", esc(&tr.f("diagram.more", &[&hidden.to_string()])));
    }
    // A copy-up travels from its layer into the container layer; a whiteout or an opaque
    // directory appears there; the merged view names each (a deleted name struck out).
    for (i, ch) in chips.iter().enumerate() {
        let cy = container_y + 3 + ch.row * BAR;
        let my = merged_y + 17 + ch.row * BAR;
        let (style, rx) = match ch.from {
            Some(k) => {
                let dy = if k + SHOWN >= n { layer_y(k) - cy } else { bottom - cy };
                (format!("--dy:{dy}px; animation-delay:{}ms", i * 250), 10)
            }
            None => (String::new(), 3),
        };
        let _ = write!(
            svg,
            "<text class=\"{}\" x=\"{}\" y=\"{my}\">{}</text><g class=\"{}\" style=\"{style}\"><rect x=\"{}\" y=\"{cy}\" width=\"{}\" height=\"{}\" rx=\"{rx}\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            ch.merged_class,
            ch.x + 6,
            esc(&ch.merged),
            ch.class,
            ch.x,
            ch.w,
            BAR - 6,
            ch.x + 8,
            cy + 14,
            esc(&ch.text)
        );
    }
    svg.push_str("</svg>");

    // Beside the Stack panel it has a name of its own (a lesson's diagram may be open too),
    // and its caption is not a second live region saying the same.
    let title = tr.t(if p.compact { "diagram.title_stack" } else { "diagram.title" });
    html! {
        <figure class={classes!("layers-diagram", p.compact.then_some("compact"))} role="figure" aria-label={title.to_string()}>
            { Html::from_html_unchecked(svg.into()) }
            <figcaption>
                <strong>{ title }{ ": " }</strong>
                if said.is_empty() && c.empty {
                    <span class="muted">{ tr.t("diagram.idle") }</span>
                } else if said.is_empty() {
                    // The last line changed nothing here; what earlier lines left is still there.
                    <span class="muted">{ tr.f("diagram.holds", &[&c.usage.copied.to_string(), &c.usage.whiteouts.to_string(), &c.usage.opaque.to_string()]) }</span>
                } else if p.compact {
                    <span>{ said.join(" · ") }</span>
                } else {
                    <span role="status">{ said.join(" · ") }</span>
                }
            </figcaption>
        </figure>
    }
}
