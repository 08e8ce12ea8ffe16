//! The language switch in the page header: a select named "Language" (in both languages, so
//! a learner can always find the way back), one option per [`Lang`], each in its own words.
use crate::i18n::Lang;
use crate::ui::lang::use_tr;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub on_lang: Callback<Lang>,
}

#[function_component(LangSwitch)]
pub fn lang_switch(p: &Props) -> Html {
    let tr = use_tr();
    let onchange = {
        let cb = p.on_lang.clone();
        Callback::from(move |e: Event| cb.emit(Lang::from_tag(&e.target_unchecked_into::<HtmlSelectElement>().value())))
    };
    html! {
        <label class="lang-switch" title={tr.t("lang.title")}>
            <span class="lang-icon" aria-hidden="true">{ "A/文" }</span>
            <select aria-label="Language" {onchange}>
                { for Lang::ALL.iter().map(|l| html! {
                    <option value={l.tag()} lang={l.tag()} selected={*l == tr.lang}>{ l.name() }</option>
                }) }
            </select>
        </label>
    }
}
