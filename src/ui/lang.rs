//! The page's language in the browser: the chosen [`Lang`] and its message file (fetched once
//! from the page's origin, `i18n/<tag>.msg`, and kept for the page's life), shared with every
//! component through a Yew context ([`use_tr`]); its first value (a stored choice, else
//! `navigator.language`), and what a switch does (`<html lang>`, `localStorage`). The words
//! themselves and their format are the core's [`crate::i18n`]; this module only converts.
use crate::i18n::{Catalog, Lang};
use std::cell::RefCell;
use std::collections::BTreeMap;
use yew::prelude::*;

/// Dispatched on the window when the page's language changed (panels loaded on first use
/// follow it).
pub const EV_LANG: &str = "layerlab-lang";

/// `localStorage` key of the learner's choice.
const STORE_KEY: &str = "layerlab.lang";

thread_local! {
    /// Catalogs fetched so far (at most one per language, kept for the page's life, so texts
    /// can be `&'static str` as Yew's attributes want).
    static LOADED: RefCell<BTreeMap<Lang, &'static Catalog>> = const { RefCell::new(BTreeMap::new()) };
    /// The core's sentences in each language fetched so far (`said.<tag>.msg`: English, the
    /// templates, and the page's language when it is another).
    static SAID: RefCell<BTreeMap<Lang, &'static Catalog>> = const { RefCell::new(BTreeMap::new()) };
}

/// A component's handle on the page's words: `tr.t(KEY)`, `tr.f(KEY, &[args])`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
    cat: &'static Catalog,
    /// The core's sentences: English templates and this language's (none in English).
    said: Option<(&'static Catalog, &'static Catalog)>,
}

impl PartialEq for Tr {
    fn eq(&self, o: &Tr) -> bool {
        self.lang == o.lang && std::ptr::eq(self.cat, o.cat) && self.said.is_some() == o.said.is_some()
    }
}

impl Default for Tr {
    fn default() -> Tr {
        Tr { lang: Lang::En, cat: Box::leak(Box::default()), said: None }
    }
}

impl Tr {
    pub fn new(lang: Lang, cat: &'static Catalog) -> Tr {
        let said = SAID.with(|s| {
            let s = s.borrow();
            (lang != Lang::En).then(|| Some((*s.get(&Lang::En)?, *s.get(&lang)?))).flatten()
        });
        Tr { lang, cat, said }
    }
    /// A sentence of the core (an error or a warning the worker sent as text) in the page's
    /// words where a template says it ([`crate::i18n::said`]); as it came otherwise.
    pub fn said(&self, text: &str) -> String {
        match self.said {
            Some((en, to)) => self.id(&crate::i18n::said(text, en, to)),
            None => self.id(text),
        }
    }
    /// The text for a key (the key itself if the file lacks it).
    pub fn t(&self, key: &str) -> &'static str {
        match self.cat.get(key) {
            Some(v) => v,
            None => Box::leak(key.to_string().into_boxed_str()),
        }
    }
    /// A key's text with its placeholders filled (a layer's short ID among them as [`Self::id`]
    /// shows it).
    pub fn f(&self, key: &str, args: &[&str]) -> String {
        self.id(&self.cat.format(key, args))
    }
    /// A layer's short ID (or a name holding one) as shown: the core's placeholder for a layer
    /// without a digest ([`crate::host::UNVERIFIED`]) in the page's words.
    pub fn id(&self, s: &str) -> String {
        s.replace(crate::host::UNVERIFIED, self.t("layer.unverified"))
    }
    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.cat.get(key)
    }
}

/// The page's language (an empty catalog outside a provider).
#[hook]
pub fn use_tr() -> Tr {
    use_context::<Tr>().unwrap_or_default()
}

/// A panel loaded on first use (another Yew app, no provider of the page's context): the
/// page's words as `<html lang>` names them, followed through every switch ([`EV_LANG`]).
#[hook]
pub fn use_page_tr() -> Tr {
    let tr = use_state(Tr::default);
    {
        let tr = tr.clone();
        use_effect_with((), move |_| {
            let load = move || {
                let tr = tr.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let tag = gloo::utils::document().document_element().and_then(|e| e.get_attribute("lang")).unwrap_or_default();
                    let l = Lang::from_tag(&tag);
                    if let Ok(cat) = load(l).await {
                        tr.set(Tr::new(l, cat));
                    }
                });
            };
            load();
            let on_lang = gloo::events::EventListener::new(&gloo::utils::window(), EV_LANG, move |_| load());
            move || drop(on_lang)
        });
    }
    *tr
}

/// The catalog of `lang` if it was fetched already.
pub fn loaded(lang: Lang) -> Option<&'static Catalog> {
    LOADED.with(|l| l.borrow().get(&lang).copied())
}

/// Fetches the catalog of `lang` (once) from the page's origin.
pub async fn load(lang: Lang) -> Result<&'static Catalog, String> {
    if let Some(c) = loaded(lang) {
        return Ok(c);
    }
    let cat = fetch(&lang.file()).await?;
    // Another language says the core's sentences too: their English templates and its own
    // (without them the page still works, in English for those sentences).
    if lang != Lang::En {
        for l in [Lang::En, lang] {
            if SAID.with(|s| !s.borrow().contains_key(&l)) {
                if let Ok(c) = fetch(&l.said_file()).await {
                    SAID.with(|s| s.borrow_mut().insert(l, c));
                }
            }
        }
    }
    LOADED.with(|l| l.borrow_mut().insert(lang, cat));
    Ok(cat)
}

/// A message file of the page's origin, kept for the page's life.
async fn fetch(file: &str) -> Result<&'static Catalog, String> {
    let blob = crate::ui::blob_file::fetch_blob(file).await?;
    let text = wasm_bindgen_futures::JsFuture::from(blob.text()).await.map_err(|_| format!("{file}: could not be read"))?;
    Ok(Box::leak(Box::new(Catalog::parse(&text.as_string().unwrap_or_default()))))
}

/// The language the page opens in: the learner's stored choice, else the browser's.
pub fn initial() -> Lang {
    let stored = gloo::utils::window().local_storage().ok().flatten().and_then(|s| s.get_item(STORE_KEY).ok().flatten());
    let tag = stored.unwrap_or_else(|| {
        let nav = js_sys::Reflect::get(&gloo::utils::window(), &"navigator".into()).ok();
        nav.and_then(|n| js_sys::Reflect::get(&n, &"language".into()).ok()).and_then(|l| l.as_string()).unwrap_or_default()
    });
    Lang::from_tag(&tag)
}

/// Shows `tr` on the document: `<html lang>` and the title.
pub fn apply(tr: Tr) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = root.set_attribute("lang", tr.lang.tag());
    }
    if let Some(t) = tr.get("app.title") {
        gloo::utils::document().set_title(t);
    }
    crate::ui::docker_bridge::emit(EV_LANG, &tr.lang.tag().into());
}

/// The learner chose `lang`: kept across reloads.
pub fn store(lang: Lang) {
    if let Some(s) = gloo::utils::window().local_storage().ok().flatten() {
        let _ = s.set_item(STORE_KEY, lang.tag());
    }
}
