//! Opening archives: the file picker ("Open image archive"), the verify switch and the samples.
use web_sys::{Blob, HtmlInputElement};
use yew::prelude::*;

/// A bundled sample (from `samples/index.json`, written by `make-samples`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Sample {
    pub file: String,
    pub title: String,
    pub story: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub on_open: Callback<(String, Blob)>,
    pub verify: bool,
    pub on_verify: Callback<bool>,
    pub samples: Vec<Sample>,
    pub on_sample: Callback<Sample>,
    /// The file picker was clicked: a file is about to come (the page starts its layer
    /// workers meanwhile).
    pub on_intent: Callback<()>,
}

#[function_component(OpenBar)]
pub fn open_bar(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let on_change = {
        let on_open = p.on_open.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(files) = input.files() {
                for i in 0..files.length() {
                    if let Some(f) = files.item(i) {
                        on_open.emit((f.name(), f.into()));
                    }
                }
            }
            input.set_value("");
        })
    };
    // A click on the label reaches the input too (and so does the keyboard's).
    let on_click = {
        let cb = p.on_intent.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let on_verify = {
        let cb = p.on_verify.clone();
        Callback::from(move |e: Event| cb.emit(e.target_unchecked_into::<HtmlInputElement>().checked()))
    };
    html! {
        <div class="open-bar">
            <label class="button primary" for="open-file">{ tr.t("open.button") }</label>
            <input id="open-file" class="visually-hidden" type="file" multiple=true onchange={on_change} onclick={on_click}
                accept=".tar,.tgz,.gz,.zst,.tar.gz,.tar.zst,application/x-tar,application/gzip" />
            <label class="check" title={tr.t("open.verify_title")}>
                <input type="checkbox" checked={p.verify} onchange={on_verify} />{ " " }{ tr.t("open.verify") }
            </label>
            <span class="hint">{ tr.t("open.hint") }</span>
            if !p.samples.is_empty() {
                <div class="samples" role="group" aria-label={tr.t("open.samples")}>
                    <span class="label">{ tr.t("open.samples_label") }</span>
                    { for p.samples.iter().map(|s| {
                        let cb = p.on_sample.clone();
                        let s2 = s.clone();
                        let story = tr.get(&format!("sample.{}.story", s.file)).map(String::from).unwrap_or_else(|| s.story.clone());
                        html! { <button class="button" title={story} onclick={move |_| cb.emit(s2.clone())}>{ &s.title }</button> }
                    }) }
                </div>
            }
        </div>
    }
}
