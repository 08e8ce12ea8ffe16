//! One file: its bytes as text (valid UTF-8 without NULs) or as a hex dump, and a download.
use crate::ui::components::human;
use crate::ui::state::Preview;
use std::fmt::Write as _;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub preview: Option<Preview>,
    pub selected: Option<String>,
    pub layer_label: String,
    /// Label of each layer id.
    pub labels: Vec<String>,
    pub on_download: Callback<String>,
    pub on_close: Callback<()>,
}

fn hexdump(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 4);
    for (i, chunk) in b.chunks(16).enumerate() {
        let _ = write!(s, "{:08x}  ", i * 16);
        for k in 0..16 {
            match chunk.get(k) {
                Some(x) => { let _ = write!(s, "{x:02x} "); }
                None => s.push_str("   "),
            }
            if k == 7 { s.push(' '); }
        }
        s.push(' ');
        s.extend(chunk.iter().map(|&c| if (0x20..0x7f).contains(&c) { c as char } else { '.' }));
        s.push('\n');
    }
    s
}

#[function_component(FileView)]
pub fn file_view(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let Some(path) = p.selected.clone() else { return html! {} };
    let body = match &p.preview {
        Some(pv) if pv.info.path == path => {
            let text = std::str::from_utf8(&pv.bytes).ok().filter(|t| !t.contains('\0'));
            let more = if pv.info.shown < pv.info.size { tr.f("viewer.first_shown", &[&human(pv.info.shown)]) } else { String::new() };
            html! {
                <>
                    <p class="muted">{ format!("{}{more} · {} · {}", human(pv.info.size), if text.is_some() { tr.t("viewer.text") } else { tr.t("viewer.binary") }, p.layer_label) }</p>
                    if !pv.info.lower.is_empty() {
                        <p class="lower">{ tr.t("viewer.hides") }
                            { for pv.info.lower.iter().map(|(id, k, size)| {
                                let l = p.labels.get(*id as usize).cloned().unwrap_or_default();
                                let what = if *k == 'f' { human(*size) } else { format!("type {k}") };
                                html! { <span class="chip">{ format!("{l} {what}") }</span> }
                            }) }
                            { if pv.info.lower.iter().any(|x| x.1 == 'f' && x.2 > 0) {
                                tr.f("viewer.unreachable", &[&human(pv.info.hidden_bytes())])
                              } else { String::new() } }
                        </p>
                    }
                    if let Some(t) = text { <pre class="text" aria-label={tr.t("viewer.content")}>{ t }</pre> }
                    else { <pre class="hex" aria-label={tr.t("viewer.content_hex")}>{ hexdump(&pv.bytes) }</pre> }
                </>
            }
        }
        _ => html! { <p class="muted">{ tr.t("viewer.reading") }</p> },
    };
    let dl = { let cb = p.on_download.clone(); let path = path.clone(); move |_| cb.emit(path.clone()) };
    let close = { let cb = p.on_close.clone(); move |_| cb.emit(()) };
    html! {
        <section class="panel viewer" aria-labelledby="viewer-h">
            <div class="files-head">
                <h2 id="viewer-h"><code>{ &path }</code></h2>
                <button class="button" onclick={dl}>{ tr.t("viewer.download") }</button>
                <button class="icon" aria-label={tr.t("viewer.close")} onclick={close}>{ "×" }</button>
            </div>
            { body }
        </section>
    }
}
