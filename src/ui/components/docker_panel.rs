//! DOCKER (issue 10, part 4): the Docker host of the page. A "Docker terminal" (history with
//! the arrows, Tab completion from the core) whose output is exactly what the docker commands
//! print; the host's images and containers as lists (pick a container to see its `docker
//! diff` and merged files; pick an image for its `docker history`); the store picture; the
//! `/var/lib/docker` tree with a search box; the "Build context" editor (issue 11) holds the
//! files `docker build ... context` builds, and "Build steps" plays the last build out. This is part of the `panels-ui` app (see
//! [`crate::ui::docker_bridge`]); its Docker worker starts with it and replays the journal.
use crate::ui::components::build_context::BuildContext;
use crate::ui::components::build_steps::BuildSteps;
use crate::ui::components::store_view::StoreView;
use crate::ui::components::var_lib_view::VarLibView;
use crate::ui::docker_protocol::{DockerItem, DockerRequest};
use crate::ui::docker_state::{DockerAction, DockerUi};
use crate::ui::hooks::use_docker::use_docker;
use crate::ui::docker_bridge as bridge;
use js_sys::{Array, Reflect};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::Blob;
use yew::prelude::*;

/// The saved journal the page read from IndexedDB (`window.layerlabDocker.journal`): its
/// items, and the archives its loads name (a load whose file the browser did not keep is
/// dropped).
fn saved_journal() -> Option<(Vec<DockerItem>, Vec<Blob>)> {
    let j = Reflect::get(&bridge::global(), &"journal".into()).ok()?;
    let json = Reflect::get(&j, &"journal".into()).ok()?.as_string()?;
    let items: Vec<DockerItem> = serde_json::from_str(&json).ok()?;
    let files: Vec<Option<Blob>> = Reflect::get(&j, &"files".into())
        .ok()
        .and_then(|a| a.dyn_into::<Array>().ok())
        .map(|a| a.iter().map(|f| f.dyn_into::<Blob>().ok()).collect())
        .unwrap_or_default();
    let (mut out, mut kept) = (Vec::new(), Vec::new());
    for it in items {
        match it {
            DockerItem::Load { name, file } => {
                if let Some(Some(b)) = files.get(file as usize) {
                    kept.push(b.clone());
                    out.push(DockerItem::Load { name, file: kept.len() as u32 - 1 });
                }
            }
            l => out.push(l),
        }
    }
    Some((out, kept))
}

/// LESSONS: a lesson's request (see [`bridge::EV_LESSON`]), if one waits: the host begins
/// afresh (journal, terminal, store, the build context the lesson gives), then its lines run.
fn run_lesson(d: &UseReducerDispatcher<DockerUi>, link: &crate::ui::hooks::use_docker::DockerLink) {
    #[derive(serde::Deserialize)]
    struct Req {
        #[serde(default)]
        context: Vec<(String, String)>,
        #[serde(default)]
        lines: Vec<String>,
    }
    let Some(req) = bridge::take_lesson().and_then(|t| serde_json::from_str::<Req>(&t).ok()) else { return };
    d.dispatch(DockerAction::Reset);
    link.send(&DockerRequest::Reset, &[]);
    let mut items = Vec::new();
    if !req.context.is_empty() {
        let sample = crate::ui::docker_protocol::sample_context();
        items.extend(sample.keys().filter(|k| !req.context.iter().any(|(p, _)| p == *k)).map(|k| DockerItem::Remove { path: k.clone() }));
        items.extend(req.context.into_iter().map(|(path, text)| DockerItem::Write { path, text }));
    }
    items.extend(req.lines.into_iter().map(DockerItem::Line));
    for it in &items {
        d.dispatch(DockerAction::Journal(it.clone(), None));
    }
    if !items.is_empty() {
        link.send(&DockerRequest::Do { items, replay: false }, &[]);
    }
    bridge::output(&[bridge::BEGUN.to_string()]);
}

#[function_component(DockerPanel)]
pub fn docker_panel() -> Html {
    // Another Yew app than the page: the page's words as <html lang> names them.
    let tr = crate::ui::lang::use_page_tr();
    let state = use_reducer(DockerUi::default);
    let link = use_docker(state.dispatcher());
    let last_var = use_mut_ref(|| (String::new(), String::new()));
    // LESSONS: requests wait until the journal is in and the host started.
    let started = use_mut_ref(|| false);

    // The saved journal, then the archives opened in the page before the panel came, then
    // every later one: each is a `docker load`.
    {
        let d = state.dispatcher();
        let link = link.clone();
        use_effect_with((), move |_| {
            d.dispatch(DockerAction::Loaded(saved_journal()));
            let loads = Reflect::get(&bridge::global(), &"loads".into()).ok().and_then(|a| a.dyn_into::<Array>().ok());
            for v in loads.map(|a| a.to_vec()).unwrap_or_default() {
                if let Some((name, blob)) = bridge::read_load(&v) {
                    d.dispatch(DockerAction::Journal(DockerItem::Load { name, file: 0 }, Some(blob)));
                }
            }
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_LOAD, move |e| {
                let e: &web_sys::CustomEvent = e.unchecked_ref();
                if let Some((name, blob)) = bridge::read_load(&e.detail()) {
                    d.dispatch(DockerAction::Journal(DockerItem::Load { name: name.clone(), file: 0 }, Some(blob.clone())));
                    link.send(&DockerRequest::Do { items: vec![DockerItem::Load { name, file: 0 }], replay: false }, &[blob]);
                }
            });
            move || drop(l)
        });
    }
    // LESSONS: a lesson begins the host afresh; "Do it" runs a line as if typed.
    {
        let d = state.dispatcher();
        let link = link.clone();
        let started = started.clone();
        use_effect_with((), move |_| {
            let (d2, link2) = (d.clone(), link.clone());
            let l = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_LESSON, move |_| {
                if *started.borrow() {
                    run_lesson(&d2, &link2);
                }
            });
            let r = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_RUN, move |e| {
                let e: &web_sys::CustomEvent = e.unchecked_ref();
                if let Some(line) = e.detail().as_string() {
                    d.dispatch(DockerAction::Journal(DockerItem::Line(line.clone()), None));
                    link.send(&DockerRequest::Do { items: vec![DockerItem::Line(line)], replay: false }, &[]);
                }
            });
            move || {
                drop(l);
                drop(r);
            }
        });
    }
    // Started once the journal is in (it is replayed); then a lesson that waited begins.
    {
        let link = link.clone();
        let d = state.dispatcher();
        let (journal, files) = (state.journal.clone(), state.files.clone());
        use_effect_with(state.loaded, move |loaded| {
            if *loaded {
                link.start(&journal, &files);
                *started.borrow_mut() = true;
                run_lesson(&d, &link);
            }
        });
    }
    // The journal goes to the page (IndexedDB) after every change.
    {
        let (journal, files) = (state.journal.clone(), state.files.clone());
        use_effect_with((state.journal_seq, state.journal.len(), state.loaded), move |(_, _, loaded)| {
            if *loaded {
                let o = js_sys::Object::new();
                let _ = Reflect::set(&o, &"journal".into(), &serde_json::to_string(&*journal).unwrap_or_default().into());
                let arr = Array::new();
                for f in files.iter() {
                    arr.push(f);
                }
                let _ = Reflect::set(&o, &"files".into(), &arr);
                bridge::emit(bridge::EV_SAVE, &o);
            }
        });
    }
    // What shows the host again after each command: the picked container, the tree search.
    {
        let link = link.clone();
        let picked = state.picked.as_ref().map(|p| p.name.clone());
        let last_var = last_var.clone();
        use_effect_with(state.output.len(), move |_| {
            if let Some(name) = picked {
                link.send(&DockerRequest::Container { name }, &[]);
            }
            let (under, query) = last_var.borrow().clone();
            link.send(&DockerRequest::VarLib { under, query }, &[]);
        });
    }

    let run = {
        let link = link.clone();
        let d = state.dispatcher();
        Callback::from(move |line: String| {
            d.dispatch(DockerAction::Journal(DockerItem::Line(line.clone()), None));
            link.send(&DockerRequest::Do { items: vec![DockerItem::Line(line)], replay: false }, &[]);
        })
    };

    // BUILD: an edit of the build context goes to the worker and the journal.
    let on_edit = {
        let link = link.clone();
        let d = state.dispatcher();
        Callback::from(move |item: DockerItem| {
            d.dispatch(DockerAction::Journal(item.clone(), None));
            link.send(&DockerRequest::Do { items: vec![item], replay: false }, &[]);
        })
    };

    // The prompt: Enter runs, arrows walk the history, Tab completes.
    let input = use_node_ref();
    let history = use_mut_ref(Vec::<String>::new);
    let cursor = use_mut_ref(|| 0usize);
    let onkeydown = {
        let run = run.clone();
        let link = link.clone();
        Callback::from(move |e: KeyboardEvent| {
            let el: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut h = history.borrow_mut();
            let mut c = cursor.borrow_mut();
            match e.key().as_str() {
                "Enter" => {
                    let line = el.value();
                    if !line.trim().is_empty() {
                        h.push(line.clone());
                        run.emit(line);
                    }
                    *c = h.len();
                    el.set_value("");
                }
                "Tab" => {
                    e.prevent_default();
                    link.send(&DockerRequest::Complete { line: el.value() }, &[]);
                }
                "ArrowUp" if *c > 0 => {
                    e.prevent_default();
                    *c -= 1;
                    el.set_value(&h[*c]);
                }
                "ArrowDown" if *c < h.len() => {
                    e.prevent_default();
                    *c += 1;
                    el.set_value(h.get(*c).map(String::as_str).unwrap_or(""));
                }
                _ => {}
            }
        })
    };
    {
        let input = input.clone();
        let completion = state.completion.clone();
        use_effect_with(state.completion_seq, move |_| {
            if let (Some(el), Some((line, _))) = (input.cast::<web_sys::HtmlInputElement>(), completion) {
                if line.len() > el.value().len() {
                    el.set_value(&line);
                }
            }
        });
    }
    // The newest output stays in view.
    let out = use_node_ref();
    {
        let out = out.clone();
        use_effect_with(state.output.len(), move |_| {
            if let Some(e) = out.cast::<web_sys::Element>() {
                e.set_scroll_top(e.scroll_height());
            }
        });
    }
    let on_search = {
        let link = link.clone();
        Callback::from(move |(under, query): (String, String)| {
            *last_var.borrow_mut() = (under.clone(), query.clone());
            link.send(&DockerRequest::VarLib { under, query }, &[]);
        })
    };

    let text: String = state
        .output
        .iter()
        .map(|e| format!("$ {}\n{}{}", e.echo, e.out, if e.out.is_empty() || e.out.ends_with('\n') { "" } else { "\n" }))
        .collect();
    let snap = &state.snapshot;
    html! {
        <ContextProvider<crate::ui::lang::Tr> context={tr}>
        <div class="docker-panel">
            <>
                <p class="muted">{ tr.t("docker.host_hint") }{ " " }
                    <button class="button" title={tr.t("docker.reset_hint")} onclick={Callback::from(|_| bridge::emit(bridge::EV_RESET, &wasm_bindgen::JsValue::NULL))}>{ tr.t("docker.reset") }</button></p>
                if let Some(e) = &state.error { <p class="error" role="alert">{ if e.is_empty() { tr.t("docker.no_worker").to_string() } else { e.clone() } }</p> }
                <div class="docker-grid">
                    <div class="docker-term">
                        <div class="docker-output" role="log" aria-label={tr.t("docker.output")} ref={out}>
                            if !state.answered && state.journal.is_empty() { <p class="muted">{ if state.started { tr.t("docker.starting") } else { "" } }</p> }
                            <pre>{ text }</pre>
                        </div>
                        if let Some((_, items)) = &state.completion {
                            if !items.is_empty() {
                                <p class="muted completions" aria-label={tr.t("docker.completions")}>{ items.iter().map(|i| i.trim_end().rsplit(' ').next().unwrap_or("").to_string()).collect::<Vec<_>>().join("  ") }</p>
                            }
                        }
                        <label class="prompt"><span aria-hidden="true">{ "$ " }</span>
                            <input type="text" aria-label={tr.t("docker.terminal")} placeholder={tr.t("docker.terminal_placeholder")} spellcheck="false" autocomplete="off" ref={input} {onkeydown} />
                        </label>
                    </div>
                    <div class="docker-lists">
                        <h3>{ tr.t("docker.images") }</h3>
                        if snap.images.is_empty() { <p class="muted">{ tr.t("docker.no_images") }</p> }
                        <ul aria-label={tr.t("docker.images")}>
                            { for snap.images.iter().map(|i| {
                                let name = i.tags.first().cloned().unwrap_or_else(|| i.id.clone());
                                let onclick = {
                                    let run = run.clone();
                                    let (name, id) = (name.clone(), i.id.clone());
                                    Callback::from(move |_| {
                                        bridge::emit(bridge::EV_SHOW, &id.clone().into());
                                        run.emit(format!("docker history {name}"))
                                    })
                                };
                                let label = if i.tags.is_empty() { "<none>".to_string() } else { i.tags.join(", ") };
                                html! { <li><button class="link" {onclick}><code>{ label }</code>{ " " }<span class="muted">{ format!("{} · {}", i.id, i.size) }</span></button></li> }
                            }) }
                        </ul>
                        <h3>{ tr.t("docker.containers") }</h3>
                        if snap.containers.is_empty() { <p class="muted">{ tr.t("docker.no_containers") }</p> }
                        <ul aria-label={tr.t("docker.containers")}>
                            { for snap.containers.iter().map(|c| {
                                let onclick = { let link = link.clone(); let name = c.name.clone(); Callback::from(move |_| link.send(&DockerRequest::Container { name: name.clone() }, &[])) };
                                html! { <li><button class="link" {onclick}><code>{ &c.name }</code>{ " " }<span class="muted">{ format!("{} · {} · {}", c.image, c.status, c.size) }</span></button></li> }
                            }) }
                        </ul>
                        if let Some(pk) = &state.picked {
                            <section class="picked" aria-label={format!("{} {}", tr.t("docker.container"), pk.name)}>
                                <h4>{ format!("{} {}", tr.t("docker.container"), pk.name) }</h4>
                                <h5>{ format!("{} {}", tr.t("docker.diff"), pk.name) }</h5>
                                <pre aria-label={tr.t("docker.diff")}>{ &pk.diff }</pre>
                                <h5>{ tr.t("docker.merged") }</h5>
                                <pre class="listing" aria-label={tr.t("docker.merged")}>{ pk.listing.join("\n") }</pre>
                            </section>
                        }
                    </div>
                </div>
                if !state.build.steps.is_empty() { <BuildSteps build={state.build.clone()} /> }
                if state.loaded { <BuildContext files={state.context.clone()} {on_edit} /> }
                <StoreView map={Rc::new(snap.map.clone())} />
                <VarLibView entries={state.var.entries.clone()} total={state.var.total} {on_search} />
            </>
        </div>
        </ContextProvider<crate::ui::lang::Tr>>
    }
}
