//! INSPECT (issue 13): the "Inspect" panel, loaded on first use with the page's other such
//! panels ([`crate::ui::panels`]): pick an opened image and see where its bytes go (three sizes
//! per layer, the largest files), dive's efficiency beside the exact wasted bytes ("Efficiency"),
//! every file shipped that no container can read with its reason ("Wasted space"), and what was
//! deleted but still ships, secrets flagged, with the bytes anyone who pulls the image gets
//! ("Deleted but shipped"). The inspect worker decides everything
//! ([`crate::ui::inspect_worker`]), on the layer indexes the page's worker hands over for an
//! analysis ([`crate::ui::inspect_bridge`]); this draws. Words: the message files (`inspect.*`).
//!
//! LESSONS (L11): a lesson line ([`crate::lessons::InspectLine`], `layerlab analyze ARCHIVE
//! [--show PATH]`) does what the learner would do by hand: pick the archive (a bundled sample
//! the page has not opened is fetched from `samples/` and added to the list), then, for
//! `--show`, press the hidden file's "View". Once every request is answered, the panel
//! announces `# LINE` and what it shows ([`crate::analysis::shipped_lines`], or the viewed
//! bytes line by line) with [`bridge::EV_OUTPUT`].
use crate::analysis::{Analysis, Hidden, Why};
use crate::lessons::InspectLine;
use crate::ui::inspect_bridge as bridge;
use crate::ui::protocol::InspectAsk;
use crate::analysis::Viewed;
use crate::ui::lang::{self, Tr};
use crate::units::human_size;
use js_sys::{Object, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};
use yew::prelude::*;

/// The loader trunk emits for the inspect worker (`data-loader-shim`).
pub const WORKER_URL: &str = "./inspect-worker_loader.js";

#[derive(Clone, Default)]
pub struct Shown {
    /// Archives the page opened (names).
    pub archives: Vec<String>,
    /// The archive and image picked (image -1: Docker's default).
    pub pick: Option<(usize, i64)>,
    pub analysis: Option<Rc<Analysis>>,
    /// The picked archive's images, and which one was analysed.
    pub images: Vec<String>,
    pub image: usize,
    pub viewed: Option<Viewed>,
    pub error: Option<String>,
    pub busy: bool,
    /// COMPARE: the archive picked as B, the mode, the result (or why not).
    pub with: Option<usize>,
    pub semantic: bool,
    pub compared: Option<Rc<crate::compare::Comparison>>,
    pub cmp_error: Option<String>,
    pub cmp_busy: bool,
    /// FIND: the hits of the last search and how many there were.
    pub found: Option<(Rc<Vec<crate::find::Hit>>, usize)>,
    /// Analyses asked for and answered (the worker answers in order: when they are equal, the
    /// analysis shown is the last one asked for).
    pub asked: u32,
    pub answered: u32,
}

pub enum Msg {
    Archives(Vec<String>),
    Pick(usize, i64),
    Analysed(Result<(Analysis, Vec<String>, usize), String>),
    Viewed(Result<Viewed, String>),
    Compare(usize, bool),
    Compared(Result<crate::compare::Comparison, String>),
    Found(Result<(Vec<crate::find::Hit>, usize), String>),
}

impl Reducible for Shown {
    type Action = Msg;
    fn reduce(self: Rc<Self>, m: Msg) -> Rc<Self> {
        let mut s = (*self).clone();
        match m {
            Msg::Archives(a) => s.archives = a,
            Msg::Pick(a, i) => {
                s.pick = Some((a, i));
                s.asked += 1;
                s.busy = true;
                s.error = None;
                s.viewed = None;
            }
            Msg::Analysed(r) => {
                s.answered += 1;
                s.busy = false;
                match r {
                    Ok((a, images, image)) => {
                        s.analysis = Some(Rc::new(a));
                        s.images = images;
                        s.image = image;
                    }
                    Err(e) => {
                        s.analysis = None;
                        s.error = Some(e);
                    }
                }
            }
            Msg::Compare(b, semantic) => {
                s.with = Some(b);
                s.semantic = semantic;
                s.cmp_busy = true;
                s.cmp_error = None;
            }
            Msg::Compared(r) => {
                s.cmp_busy = false;
                match r {
                    Ok(c) => s.compared = Some(Rc::new(c)),
                    Err(e) => {
                        s.compared = None;
                        s.cmp_error = Some(e);
                    }
                }
            }
            Msg::Found(r) => match r {
                Ok((h, n)) => s.found = Some((Rc::new(h), n)),
                Err(e) => s.error = Some(e),
            },
            Msg::Viewed(r) => match r {
                Ok(v) => s.viewed = Some(v),
                Err(e) => s.error = Some(e),
            },
        }
        Rc::new(s)
    }
}

/// A ratio as dive prints it in CI mode (`98.4421 %`).
fn pct(r: f64) -> String {
    format!("{:.4} %", r * 100.0)
}

fn why_key(w: Why) -> &'static str {
    match w {
        Why::Deleted => "inspect.why.deleted",
        Why::Overwritten => "inspect.why.overwritten",
        Why::MetadataOnly => "inspect.why.metadata_only",
        Why::OpaqueDir => "inspect.why.opaque_dir",
        Why::SameLayer => "inspect.why.same_layer",
    }
}

/// The one-line reason of a hidden file, in the page's language.
fn reason(tr: &Tr, h: &Hidden) -> String {
    let s = human_size(h.size);
    tr.f(why_key(h.why), &[&h.path, &s, &h.layer.to_string(), &h.by_layer.to_string()])
}

/// What a secret looks like, in the page's language (`inspect.kind.*`; the core's English
/// names them, [`crate::secrets`]).
fn kind(tr: &Tr, k: &str) -> String {
    tr.get(&crate::secrets::message_key(k)).map_or_else(|| k.to_string(), str::to_string)
}

fn signed(n: i64) -> String {
    let s = human_size(n.unsigned_abs());
    if n < 0 { format!("−{s}") } else { format!("+{s}") }
}

fn efficiency(tr: &Tr, a: &Analysis) -> Html {
    let d = &a.dive;
    html! {
        <section class="inspect-block" aria-labelledby="eff-h">
            <h3 id="eff-h">{ tr.t("inspect.efficiency") }</h3>
            <dl class="inspect-figures">
                <dt>{ tr.t("inspect.score") }</dt><dd data-k="score">{ pct(d.efficiency) }</dd>
                <dt>{ tr.t("inspect.dive_wasted") }</dt><dd data-k="dive-wasted" title={tr.f("inspect.bytes", &[&d.wasted_bytes.to_string()])}>{ human_size(d.wasted_bytes) }</dd>
                <dt>{ tr.t("inspect.user_wasted") }</dt><dd data-k="user-wasted">{ pct(d.user_wasted_percent) }</dd>
                <dt>{ tr.t("inspect.exact_wasted") }</dt><dd data-k="exact-wasted" title={tr.f("inspect.bytes", &[&a.wasted_bytes.to_string()])}>{ human_size(a.wasted_bytes) }</dd>
            </dl>
            <p class="muted">{ tr.t("inspect.dive_note") }</p>
            if !a.difference.is_empty() {
                <ul class="inspect-diff">{ for crate::analysis::difference_of(&a.dive, a.wasted_bytes, &a.hidden).into_iter().map(|(k, args)| {
                    html! { <li>{ tr.f(k, &args.iter().map(String::as_str).collect::<Vec<_>>()) }</li> }
                }) }</ul>
            }
            if !d.inefficiencies.is_empty() {
                <details>
                    <summary>{ tr.t("inspect.dive_table") }</summary>
                    <table class="inspect-table" aria-label={tr.t("inspect.dive_table")}>
                        <thead><tr><th>{ tr.t("inspect.dive_count") }</th><th>{ tr.t("inspect.dive_space") }</th><th>{ tr.t("inspect.path") }</th></tr></thead>
                        <tbody>{ for d.inefficiencies.iter().map(|i| html! {
                            <tr><td>{ i.count }</td><td>{ human_size(i.cumulative_size) }</td><td><code>{ i.path.clone() }</code></td></tr>
                        }) }</tbody>
                    </table>
                </details>
            }
        </section>
    }
}

/// What a flattened export (`docker export`, a squash) ships against the layered image.
fn flattened(tr: &Tr, a: &Analysis) -> Html {
    let f = crate::analysis::Flattened::of(a);
    let left: Vec<&Hidden> = a.hidden.iter().filter(|h| h.secret).chain(a.hidden.iter().filter(|h| !h.secret)).take(SHOWN).collect();
    html! {
        <section class="inspect-block" aria-labelledby="flat-h">
            <h3 id="flat-h">{ tr.t("inspect.flat") }</h3>
            <dl class="inspect-figures">
                <dt>{ tr.t("inspect.flat_rootfs") }</dt><dd data-k="flat-rootfs" title={tr.f("inspect.bytes", &[&f.rootfs_bytes.to_string()])}>{ human_size(f.rootfs_bytes) }</dd>
                <dt>{ tr.t("inspect.flat_layered") }</dt><dd data-k="flat-layered" title={tr.f("inspect.bytes", &[&f.layered_bytes.to_string()])}>{ tr.f("inspect.flat_layers", &[&human_size(f.layered_bytes), &f.layers.to_string()]) }</dd>
                <dt>{ tr.t("inspect.flat_left_out") }</dt><dd data-k="flat-left-out">{ tr.f(if f.left_out == 1 { "inspect.flat_file_one" } else { "inspect.flat_files" }, &[&f.left_out.to_string(), &human_size(f.left_out_bytes)]) }</dd>
            </dl>
            if !left.is_empty() || !a.history_secrets.is_empty() {
                <ul class="inspect-flat" aria-label={tr.t("inspect.flat_left_out")}>
                    { for left.iter().map(|h| html! {
                        <li><code>{ h.path.clone() }</code>{ " " }{ tr.f("inspect.flat_still", &[&h.layer.to_string()]) }
                            if let Some(k) = &h.secret_kind { <>{ " " }<strong class="secret-flag">{ tr.f("inspect.secret", &[&kind(tr, k)]) }</strong></> }</li>
                    }) }
                    { for a.history_secrets.iter().map(|h| html! {
                        <li><code>{ h.variable.clone() }</code>{ " " }{ tr.t("inspect.flat_config") }</li>
                    }) }
                </ul>
            }
            <p class="muted">{ tr.t("inspect.flat_note") }</p>
        </section>
    }
}

fn bytes_go(tr: &Tr, a: &Analysis) -> Html {
    html! {
        <section class="inspect-block" aria-labelledby="go-h">
            <h3 id="go-h">{ tr.t("inspect.where") }</h3>
            <table class="inspect-table" aria-label={tr.t("inspect.layers")}>
                <thead><tr>
                    <th>{ tr.t("inspect.layer") }</th><th>{ tr.t("inspect.at_rest") }</th><th>{ tr.t("inspect.contribution") }</th>
                    <th>{ tr.t("inspect.running") }</th><th>{ tr.t("inspect.created_by") }</th>
                </tr></thead>
                <tbody>{ for a.layers.iter().map(|l| html! {
                    <tr>
                        <td>{ format!("L{}", l.layer) }</td><td>{ human_size(l.at_rest) }</td><td>{ signed(l.contribution) }</td>
                        <td>{ human_size(l.running_total) }</td><td class="created-by" title={l.created_by.clone()}>{ l.created_by.clone() }</td>
                    </tr>
                }) }</tbody>
            </table>
            <h4>{ tr.t("inspect.largest") }</h4>
            <ol class="inspect-largest" aria-label={tr.t("inspect.largest")}>{ for a.largest.iter().map(|f| html! {
                <li><code>{ f.path.clone() }</code>{ format!(" {} · L{}", human_size(f.size), f.layer) }</li>
            }) }</ol>
        </section>
    }
}

/// Rows a list shows at most (the big image hides 7,953 files): the largest, secrets first.
const SHOWN: usize = 200;

fn wasted(tr: &Tr, a: &Analysis) -> Html {
    let mut order: Vec<usize> = (0..a.hidden.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(a.hidden[i].size));
    order.truncate(SHOWN);
    html! {
        <section class="inspect-block">
            <table class="inspect-table" aria-label={tr.t("inspect.wasted")}>
                <caption>{ tr.t("inspect.wasted") }</caption>
                <thead><tr><th>{ tr.t("inspect.path") }</th><th>{ tr.t("inspect.layer") }</th><th>{ tr.t("inspect.size") }</th><th>{ tr.t("inspect.why") }</th></tr></thead>
                <tbody>
                    if a.hidden.is_empty() {
                        <tr><td colspan="4" class="muted">{ tr.t("inspect.none_wasted") }</td></tr>
                    }
                    { for order.iter().map(|&i| { let h = &a.hidden[i]; html! {
                        <tr><td><code>{ h.path.clone() }</code></td><td>{ format!("L{}", h.layer) }</td><td>{ human_size(h.size) }</td><td>{ reason(tr, h) }</td></tr>
                    } }) }
                </tbody>
            </table>
            if a.hidden.len() > SHOWN {
                <p class="muted">{ tr.f("inspect.shown", &[&SHOWN.to_string(), &a.hidden.len().to_string()]) }</p>
            }
        </section>
    }
}

fn shipped(tr: &Tr, a: &Analysis, viewed: &Option<Viewed>, on_view: &Callback<usize>) -> Html {
    // Secrets first, then by size.
    let mut order: Vec<usize> = (0..a.hidden.len()).collect();
    order.sort_by_key(|&i| (!a.hidden[i].secret, std::cmp::Reverse(a.hidden[i].size)));
    let total = order.len();
    order.truncate(SHOWN);
    html! {
        <section class="inspect-block" aria-labelledby="dbs-h">
            <h3 id="dbs-h">{ tr.t("inspect.shipped") }</h3>
            <p class="muted">{ tr.t("inspect.shipped_intro") }</p>
            <ul class="inspect-hidden">{ for order.into_iter().map(|i| {
                let h = &a.hidden[i];
                let on_view = on_view.clone();
                let open = viewed.as_ref().filter(|v| v.index == i);
                html! {
                    <li class={classes!(h.secret.then_some("secret"))}>
                        if let Some(k) = &h.secret_kind {
                            <strong class="secret-flag">{ tr.f("inspect.secret", &[&kind(tr, k)]) }</strong>{ " " }
                        }
                        <code>{ h.path.clone() }</code>{ format!(" · {} · L{}", human_size(h.size), h.layer) }
                        <p class="muted">{ reason(tr, h) }</p>
                        <button aria-label={tr.f("inspect.view_label", &[&h.path])} onclick={Callback::from(move |_| on_view.emit(i))}>{ tr.t("inspect.view") }</button>
                        if let Some(v) = open {
                            <figure class="attacker-view">
                                <figcaption>{ tr.f("inspect.attacker", &[&format!("L{}", h.layer), &v.path]) }</figcaption>
                                <pre aria-label={tr.f("inspect.content_label", &[&v.path])}>{ if v.binary { tr.t("inspect.binary").to_string() } else { v.text.clone() } }</pre>
                                if v.size > crate::analysis::VIEW_BYTES {
                                    <p class="muted">{ tr.f("inspect.first_bytes", &[&crate::analysis::VIEW_BYTES.to_string(), &v.size.to_string()]) }</p>
                                }
                            </figure>
                        }
                    </li>
                }
            }) }</ul>
            if total > SHOWN {
                <p class="muted">{ tr.f("inspect.shown", &[&SHOWN.to_string(), &total.to_string()]) }</p>
            }
            if !a.history_secrets.is_empty() {
                <h4>{ tr.t("inspect.history_secrets") }</h4>
                <ul>{ for a.history_secrets.iter().map(|s| html! {
                    <li><strong>{ s.variable.clone() }</strong>{ " " }<code>{ s.created_by.clone() }</code></li>
                }) }</ul>
            }
        </section>
    }
}

/// What became of a hit, in words.
fn status(tr: &Tr, st: &crate::find::Status) -> String {
    use crate::find::{How, Status};
    match st {
        Status::Visible => tr.t("find.visible").to_string(),
        Status::Merged { into_layer } => tr.f("find.merged", &[&into_layer.to_string()]),
        Status::Shadowed { by_layer } => tr.f("find.shadowed", &[&by_layer.to_string()]),
        Status::Deleted { by_layer, how, at } => tr.f(
            match how {
                How::Whiteout => "find.deleted_whiteout",
                How::OpaqueDir => "find.deleted_opaque",
                How::ParentReplaced => "find.deleted_parent",
            },
            &[&by_layer.to_string(), at],
        ),
        Status::Whiteout => tr.t("find.whiteout").to_string(),
    }
}

/// FIND: a name or glob in every layer of the image, deleted and shadowed entries included
/// (the seeds' `find /var/lib/docker` experiment, done on the archive).
fn find_view(tr: &Tr, found: &Option<(Rc<Vec<crate::find::Hit>>, usize)>, on_find: Callback<InputEvent>) -> Html {
    html! {
        <section class="inspect-block" aria-labelledby="find-h">
            <h3 id="find-h">{ tr.t("find.region") }</h3>
            <input type="search" aria-label={tr.t("find.pattern")} placeholder={tr.t("find.placeholder")} oninput={on_find} />
            if let Some((hits, total)) = found {
                <p class="muted">{ tr.f("find.count", &[&total.to_string()]) }</p>
                <ul class="inspect-hidden" aria-label={tr.t("find.hits")}>{ for hits.iter().map(|h| html! {
                    <li><code>{ h.path.clone() }</code>{ format!(" · L{} · {} · {}", h.layer, h.kind, human_size(h.size)) }{ " — " }{ status(tr, &h.status) }</li>
                }) }</ul>
            }
        </section>
    }
}

/// Dispatches [`bridge::EV_OUTPUT`] with `lines` (LESSONS).
fn announce(lines: &[String]) {
    let a = js_sys::Array::new();
    for l in lines {
        a.push(&l.into());
    }
    crate::ui::docker_bridge::emit(bridge::EV_OUTPUT, &a.into());
}

/// What an ask to the page's worker was for (answers come in order).
enum Purpose {
    /// Analyse this archive's image (-1: Docker's default).
    Analyze(String, i64),
    /// Send this comparison once B's index (the second object, B's side) is in.
    Compare(Object, Object),
}

/// An image for the inspect worker: `{blob, name, image}`.
fn side(name: &str, blob: &web_sys::Blob, image: i64) -> Object {
    let o = Object::new();
    let _ = Reflect::set(&o, &"blob".into(), blob);
    let _ = Reflect::set(&o, &"name".into(), &name.into());
    let _ = Reflect::set(&o, &"image".into(), &(image as f64).into());
    o
}

/// Adds the page's index (and the image it resolved) to a side; without one (an archive the
/// page's worker never opened) the inspect worker reads the archive itself.
fn with_index(side: &Object, index: Option<(usize, js_sys::Uint8Array)>) {
    if let Some((image, bytes)) = index {
        let _ = Reflect::set(side, &"image".into(), &(image as f64).into());
        let _ = Reflect::set(side, &"index".into(), &bytes);
    }
}

#[function_component(InspectPanel)]
pub fn inspect_panel() -> Html {
    let shown = use_reducer(Shown::default);
    let tr = lang::use_page_tr();
    let worker = use_mut_ref(|| None::<Worker>);
    let ready = use_mut_ref(|| false);
    // Requests made before the worker listens, in order (every one is answered: a lesson's
    // counts its answers).
    let queued = use_mut_ref(Vec::<Object>::new);
    {
        let (d, worker, ready, queued) = (shown.dispatcher(), worker.clone(), ready.clone(), queued.clone());
        use_effect_with((), move |_| {
            let names = || bridge::archives().into_iter().map(|a| a.0).collect::<Vec<_>>();
            d.dispatch(Msg::Archives(names()));
            let d2 = d.clone();
            let on_archive = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_ARCHIVE, move |_| d2.dispatch(Msg::Archives(names())));
            let w = Worker::new(WORKER_URL).ok();
            let onmessage = {
                let (d, ready, queued, w2) = (d.clone(), ready.clone(), queued.clone(), w.clone());
                Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                    let m = ev.data();
                    let get = |k: &str| Reflect::get(&m, &k.into()).ok().and_then(|v| v.as_string());
                    if Reflect::get(&m, &"ready".into()).ok().and_then(|v| v.as_bool()) == Some(true) {
                        *ready.borrow_mut() = true;
                        if let Some(w) = w2.as_ref() {
                            for q in queued.borrow_mut().drain(..) {
                                let _ = w.post_message(&q);
                            }
                        }
                    } else if let Some(e) = get("error") {
                        let what = get("what").unwrap_or_default();
                        d.dispatch(if what == "compare" { Msg::Compared(Err(e)) } else { Msg::Analysed(Err(e)) });
                    } else if let (Some(a), Some(i)) = (get("analysis"), get("images")) {
                        let r = serde_json::from_str::<Analysis>(&a)
                            .and_then(|a| serde_json::from_str::<(Vec<String>, usize)>(&i).map(|(l, k)| (a, l, k)))
                            .map_err(|e| e.to_string());
                        d.dispatch(Msg::Analysed(r));
                    } else if let Some(f) = get("found") {
                        d.dispatch(Msg::Found(serde_json::from_str(&f).map_err(|e| e.to_string())));
                    } else if let Some(c) = get("compare") {
                        d.dispatch(Msg::Compared(serde_json::from_str(&c).map_err(|e| e.to_string())));
                    } else if let Some(v) = get("view") {
                        d.dispatch(Msg::Viewed(serde_json::from_str(&v).map_err(|e| e.to_string())));
                    }
                })
            };
            match &w {
                Some(w) => w.set_onmessage(Some(onmessage.as_ref().unchecked_ref())),
                None => d.dispatch(Msg::Analysed(Err(String::new()))),
            }
            *worker.borrow_mut() = w;
            move || {
                drop(on_archive);
                drop(onmessage);
            }
        });
    }
    // Sends a request now, or once the worker listens.
    let send = {
        let (worker, ready, queued) = (worker.clone(), ready.clone(), queued.clone());
        Rc::new(move |o: Object| {
            if *ready.borrow() {
                if let Some(w) = worker.borrow().as_ref() {
                    let _ = w.post_message(&o);
                }
            } else {
                queued.borrow_mut().push(o);
            }
        })
    };
    // An analysis: the page's worker hands over the layer indexes it made (no layer is read
    // again), then the inspect worker analyses. An archive the page's worker never opened (a
    // sample a lesson fetched for the panel alone) is read by the inspect worker itself.
    let asked = use_mut_ref(std::collections::VecDeque::<Purpose>::new);
    let pick = {
        let (d, asked) = (shown.dispatcher(), asked.clone());
        Callback::from(move |(archive, image): (usize, i64)| {
            let Some((name, _)) = bridge::archives().into_iter().nth(archive) else { return };
            d.dispatch(Msg::Pick(archive, image));
            asked.borrow_mut().push_back(Purpose::Analyze(name.clone(), image));
            bridge::ask(&InspectAsk::Index { archive: name, image: usize::try_from(image).ok() });
        })
    };
    {
        let (d, send, asked) = (shown.dispatcher(), send.clone(), asked.clone());
        use_effect_with((), move |_| {
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_ANSWER, move |e| {
                let e: &web_sys::CustomEvent = e.unchecked_ref();
                let index = bridge::read_answer(&e.detail());
                let o = Object::new();
                match asked.borrow_mut().pop_front() {
                    Some(Purpose::Analyze(archive, image)) => {
                        let Some((name, blob)) = bridge::archives().into_iter().rev().find(|a| a.0 == archive) else {
                            d.dispatch(Msg::Analysed(Err(format!("{archive}: not opened"))));
                            return;
                        };
                        let a = side(&name, &blob, image);
                        with_index(&a, index);
                        let _ = Reflect::set(&o, &"analyze".into(), &a);
                    }
                    Some(Purpose::Compare(c, b)) => {
                        with_index(&b, index);
                        let _ = Reflect::set(&o, &"compare".into(), &c);
                    }
                    None => return,
                }
                send(o);
            });
            move || drop(l)
        });
    }
    // The last archive opened is analysed first.
    {
        let pick = pick.clone();
        let n = shown.archives.len();
        let picked = shown.pick.is_some();
        use_effect_with(n, move |&n| {
            if n > 0 && !picked {
                pick.emit((n - 1, -1));
            }
        });
    }
    let on_archive = {
        let pick = pick.clone();
        Callback::from(move |e: Event| {
            let v: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(k) = v.value().parse::<usize>() {
                pick.emit((k, -1));
            }
        })
    };
    let on_image = {
        let (pick, at) = (pick.clone(), shown.pick.map_or(0, |p| p.0));
        Callback::from(move |e: Event| {
            let v: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(k) = v.value().parse::<i64>() {
                pick.emit((at, k));
            }
        })
    };
    // COMPARE: the image analysed (A) against an archive picked as B.
    // A comparison: the analysed image (A, loaded already) against B, whose index the page's
    // worker hands over too.
    let request_compare = {
        let (d, asked) = (shown.dispatcher(), asked.clone());
        let analysed = shown.analysis.as_ref().map(|_| shown.image as i64);
        Rc::new(move |a: (usize, i64), b: usize, semantic: bool| {
            let all = bridge::archives();
            let (Some((an, ab)), Some((bn, bb))) = (all.get(a.0), all.get(b)) else { return };
            let c = Object::new();
            let _ = Reflect::set(&c, &"a".into(), &side(an, ab, analysed.unwrap_or(a.1)));
            let b_side = side(bn, bb, -1);
            let _ = Reflect::set(&c, &"b".into(), &b_side);
            let _ = Reflect::set(&c, &"semantic".into(), &semantic.into());
            d.dispatch(Msg::Compare(b, semantic));
            asked.borrow_mut().push_back(Purpose::Compare(c, b_side));
            bridge::ask(&InspectAsk::Index { archive: bn.clone(), image: None });
        })
    };
    let on_with = {
        let (rc, pick, semantic) = (request_compare.clone(), shown.pick, shown.semantic);
        Callback::from(move |e: Event| {
            let v: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let (Ok(b), Some(a)) = (v.value().parse::<usize>(), pick) {
                rc(a, b, semantic);
            }
        })
    };
    let on_semantic = {
        let (rc, pick, with) = (request_compare.clone(), shown.pick, shown.with);
        Callback::from(move |e: Event| {
            let i: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let (Some(a), Some(b)) = (pick, with) {
                rc(a, b, i.checked());
            }
        })
    };
    let on_find = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            let i: web_sys::HtmlInputElement = e.target_unchecked_into();
            let o = Object::new();
            let _ = Reflect::set(&o, &"find".into(), &i.value().into());
            if !i.value().is_empty() {
                send(o);
            }
        })
    };
    let on_view = {
        let send = send.clone();
        Callback::from(move |i: usize| {
            let o = Object::new();
            let _ = Reflect::set(&o, &"view".into(), &(i as f64).into());
            send(o);
        })
    };
    // LESSONS: a line to run (it waits for its archive, its analysis, its view).
    let lesson = use_mut_ref(|| None::<(String, InspectLine, bool)>);
    {
        let (lesson, pick, d) = (lesson.clone(), pick.clone(), shown.dispatcher());
        use_effect_with((), move |_| {
            let start = Rc::new(move |line: String| {
                let Some(l) = InspectLine::parse(&line) else {
                    announce(&[format!("# {line}"), format!("{line}: not a line the Inspect panel runs")]);
                    return;
                };
                let name = l.archive().to_string();
                *lesson.borrow_mut() = Some((line, l, false));
                match bridge::archives().iter().position(|a| a.0 == name) {
                    Some(k) => pick.emit((k, -1)),
                    None => {
                        // A bundled sample the page has not opened: fetched, listed, analysed.
                        let (pick, d) = (pick.clone(), d.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            match crate::ui::blob_file::fetch_blob(&format!("samples/{name}")).await {
                                Ok(b) => {
                                    bridge::push(&name, &b);
                                    pick.emit((bridge::archives().len() - 1, -1));
                                }
                                Err(e) => d.dispatch(Msg::Analysed(Err(e))),
                            }
                        });
                    }
                }
            });
            if let Some(line) = bridge::take_run() {
                start(line);
            }
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_RUN, move |_| {
                if let Some(line) = bridge::take_run() {
                    start(line);
                }
            });
            move || drop(l)
        });
    }
    {
        let (lesson, on_view) = (lesson.clone(), on_view.clone());
        let s = shown.clone();
        use_effect(move || {
            let mut pending = lesson.borrow_mut();
            let picked = s.pick.and_then(|p| bridge::archives().into_iter().nth(p.0)).map(|a| a.0);
            if let Some((line, l, viewing)) = pending.as_mut() {
                let settled = !s.busy && s.asked == s.answered && s.asked > 0;
                if settled && picked.as_deref() == Some(l.archive()) {
                    match (&s.analysis, &*l) {
                        (None, _) => {
                            announce(&[format!("# {line}"), s.error.clone().unwrap_or_default()]);
                            *pending = None;
                        }
                        (Some(a), InspectLine::Analyze(_)) => {
                            let mut out = vec![format!("# {line}")];
                            out.extend(crate::analysis::efficiency_lines(a));
                            out.extend(crate::analysis::shipped_lines(a));
                            announce(&out);
                            *pending = None;
                        }
                        (Some(a), InspectLine::Export(_)) => {
                            let mut out = vec![format!("# {line}")];
                            out.extend(crate::analysis::flattened_lines(a));
                            announce(&out);
                            *pending = None;
                        }
                        (Some(a), InspectLine::Show(_, path)) => {
                            if !*viewing {
                                match a.hidden.iter().rposition(|h| &h.path == path) {
                                    Some(i) => {
                                        *viewing = true;
                                        on_view.emit(i);
                                    }
                                    None => {
                                        announce(&[format!("# {line}"), format!("{path} is not a hidden file of any layer")]);
                                        *pending = None;
                                    }
                                }
                            } else if let Some(v) = s.viewed.as_ref().filter(|v| &v.path == path) {
                                let mut out = vec![format!("# {line}")];
                                out.extend(v.text.lines().map(str::to_string));
                                announce(&out);
                                *pending = None;
                            }
                        }
                    }
                }
            }
            || ()
        });
    }
    let s = &*shown;
    let at = s.pick.map_or(usize::MAX, |p| p.0);
    html! {
        <section class="panel inspect" aria-labelledby="inspect-h" aria-busy={s.busy.to_string()}>
            <h2 id="inspect-h">{ tr.t("inspect.region") }</h2>
            <div class="inspect-pick">
                <label for="inspect-archive">{ tr.t("inspect.archive") }</label>
                <select id="inspect-archive" onchange={on_archive}>
                    { for s.archives.iter().enumerate().map(|(k, n)| html! { <option value={k.to_string()} selected={k == at}>{ n.clone() }</option> }) }
                </select>
                if s.images.len() > 1 {
                    <label for="inspect-image">{ tr.t("inspect.image") }</label>
                    <select id="inspect-image" onchange={on_image}>
                        { for s.images.iter().enumerate().map(|(k, n)| html! { <option value={k.to_string()} selected={k == s.image}>{ n.clone() }</option> }) }
                    </select>
                }
                if s.busy { <span class="muted">{ tr.t("inspect.reading") }</span> }
            </div>
            if s.archives.is_empty() {
                <p class="muted">{ tr.t("inspect.empty") }</p>
            }
            if let Some(e) = &s.error {
                <p class="error" role="alert">{ if e.is_empty() { tr.t("inspect.no_worker").to_string() } else { tr.said(e) } }</p>
            }
            if let Some(a) = &s.analysis {
                { efficiency(&tr, a) }
                { wasted(&tr, a) }
                { shipped(&tr, a, &s.viewed, &on_view) }
                { flattened(&tr, a) }
                { bytes_go(&tr, a) }
            }
            if s.analysis.is_some() {
                { find_view(&tr, &s.found, on_find) }
            }
            if s.pick.is_some() {
                <section class="inspect-block" aria-labelledby="cmp-h">
                    <h3 id="cmp-h">{ tr.t("compare.region") }</h3>
                    <div class="inspect-pick">
                        <label for="compare-with">{ tr.t("compare.with") }</label>
                        <select id="compare-with" onchange={on_with}>
                            <option value="" selected={s.with.is_none()} disabled=true>{ tr.t("compare.pick") }</option>
                            { for s.archives.iter().enumerate().map(|(k, n)| html! { <option value={k.to_string()} selected={s.with == Some(k)}>{ n.clone() }</option> }) }
                        </select>
                        <label><input type="checkbox" checked={s.semantic} onchange={on_semantic} />{ tr.t("compare.semantic") }</label>
                        if s.cmp_busy { <span class="muted">{ tr.t("inspect.reading") }</span> }
                    </div>
                    if let Some(e) = &s.cmp_error {
                        <p class="error" role="alert">{ e.clone() }</p>
                    }
                    if let Some(c) = &s.compared {
                        <super::compare_view::CompareView cmp={c.clone()} tr={tr} />
                    }
                </section>
            }
        </section>
    }
}
