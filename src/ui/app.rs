//! The page: wires state, worker and components together.
//!
//! Effects: the stack goes to the worker whenever it changes, with the view query; the view
//! window is queried again whenever the view parameters, the scroll window or the container
//! change. A toggle or move is sent from the click itself and drawn when the worker has applied
//! it (one draw, measured by `tests/browser/bench.mjs`).
use crate::ui::blob_file::fetch_blob;
use crate::ui::components::commit_panel::CommitForm;
use crate::ui::components::container_panel::ContainerPanel;
use crate::ui::components::docker_launcher::DockerLauncher;
use crate::ui::components::drivers_launcher::DriversLauncher;
use crate::ui::components::inspect_launcher::InspectLauncher;
use crate::ui::components::file_actions::FileActions;
use crate::ui::components::file_tree::FileTree;
use crate::ui::components::file_view::FileView;
use crate::ui::components::image_panel::ImagePanel;
use crate::ui::components::jobs::Jobs;
use crate::ui::components::lang_switch::LangSwitch;
use crate::ui::lang::Tr;
use crate::ui::components::layer_stack::LayerStack;
use crate::ui::components::lessons_panel::LessonsPanel;
use crate::ui::components::notices::Notices;
use crate::ui::components::open_bar::{OpenBar, Sample};
use crate::ui::hooks::use_session::use_session;
use crate::ui::hooks::use_worker::use_worker;
use crate::ui::protocol::{FileAction, JournalItem, Query, Request, Row};
use crate::ui::session::Origin;
use crate::ui::state::{Action, AppState, Task};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, DragEvent};
use yew::prelude::*;

/// Asks the worker for the rows of `window` of `view` (a new sequence number: older answers
/// are dropped).
fn query(link: &crate::ui::hooks::use_worker::WorkerLink, seq: &std::rc::Rc<std::cell::RefCell<u32>>, view: &crate::ui::state::ViewParams, window: (u32, u32)) {
    link.send(&Request::Query(make_query(seq, view, window)));
}

/// The query for `window` of `view`, with a new sequence number.
fn make_query(seq: &std::rc::Rc<std::cell::RefCell<u32>>, view: &crate::ui::state::ViewParams, window: (u32, u32)) -> Query {
    let n = {
        let mut s = seq.borrow_mut();
        *s += 1;
        *s
    };
    Query {
        seq: n,
        scope: view.scope(),
        filter: view.filter.clone(),
        change: view.change,
        sort: view.sort,
        collapsed: view.collapsed.clone(),
        start: window.0,
        count: window.1,
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    // Stacks sent straight from a toggle or move, oldest first, not yet shown: the page draws
    // them when the worker's answer (with the new rows) comes, and the effect below skips them.
    let sent_order = use_mut_ref(Vec::<Vec<(crate::ui::protocol::LayerId, bool)>>::new);
    let link = use_worker(state.dispatcher());
    let seq = use_mut_ref(|| 0u32);
    let samples = use_state(Vec::<Sample>::new);
    let dragging = use_state(|| false);
    // The page's language: stored choice or the browser's; `<html lang>` follows it.
    let lang = use_state(crate::ui::lang::initial);
    // Its words: fetched once per language from the page's origin; the page shows the previous
    // language's until they come (and a line "…" before the first).
    let words = use_state(|| None::<Tr>);
    {
        let words = words.clone();
        let d = state.dispatcher();
        use_effect_with(*lang, move |l| {
            let l = *l;
            if let Some(root) = gloo::utils::document().document_element() {
                let _ = root.set_attribute("lang", l.tag());
            }
            spawn_local(async move {
                match crate::ui::lang::load(l).await {
                    Ok(cat) => {
                        let tr = Tr::new(l, cat);
                        crate::ui::lang::apply(tr);
                        words.set(Some(tr));
                    }
                    Err(e) => d.dispatch(Action::Notice { text: e, error: true }),
                }
            });
        });
    }
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |l| {
            crate::ui::lang::store(l);
            lang.set(l)
        })
    };
    let tr = (*words).unwrap_or_default();

    // The bundled samples' index.
    {
        let samples = samples.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                if let Ok(b) = fetch_blob("samples/index.json").await {
                    if let Ok(text) = JsFuture::from(b.text()).await {
                        if let Ok(list) = serde_json::from_str::<Vec<Sample>>(&text.as_string().unwrap_or_default()) {
                            samples.set(list);
                        }
                    }
                }
            });
        });
    }

    // The stack goes to the worker whenever it changes, with the view query: one answer
    // (`Stacked`) brings the stack's count, the fresh container and the new rows.
    {
        let link = link.clone();
        let seq = seq.clone();
        let (view, window) = (state.view.params.clone(), state.view.window);
        let sent = sent_order.clone();
        use_effect_with(state.session.order.clone(), move |order| {
            // A toggle or move sent it already, with its query.
            let mut sent = sent.borrow_mut();
            if let Some(i) = sent.iter().position(|o| o == order) {
                sent.drain(..=i);
            } else {
                link.send(&Request::SetStack { layers: order.clone(), query: Some(make_query(&seq, &view, window)) });
            }
        });
    }
    // CONTAINER: a restored session's container is replayed once its stack is sent.
    {
        let link = link.clone();
        let pending = state.container.pending_replay.clone();
        use_effect_with(state.container.replay_seq, move |_| {
            if let Some((config, journal)) = pending {
                link.send(&Request::Replay { config, journal });
            }
        });
    }
    // The view window is queried whenever what it depends on changes.
    {
        let link = link.clone();
        let seq = seq.clone();
        use_effect_with((state.view.stack_version, state.view.params.clone(), state.view.window), move |(_, view, window)| {
            query(&link, &seq, view, *window);
        });
    }

    // CONTAINER: the open file was edited: read it again (after the re-query above, so the
    // worker's view already has the new version).
    {
        let link = link.clone();
        let selected = state.view.selected.clone();
        use_effect_with(state.view.reread_seq, move |n| {
            if let (true, Some(path)) = (*n > 0, selected) {
                link.send(&Request::Read { path, download: false });
            }
        });
    }

    // Every open goes through here (files, drops, samples, restores).
    let open_as = {
        let link = link.clone();
        let verify = state.session.verify;
        Callback::from(move |(name, blob, origin): (String, Blob, Origin)| {
            crate::ui::inspect_bridge::push(&name, &blob);
            link.open(link.next_job(), name, &blob, origin, verify);
        })
    };
    // DOCKER: an archive the user opens (not a restore) is also a `docker load`.
    let add_load = |name: String, blob: Blob| crate::ui::docker_bridge::push_load(&name, &blob);
    let on_open = {
        let open_as = open_as.clone();
        let add_load = add_load.clone();
        Callback::from(move |(name, blob): (String, Blob)| {
            add_load(name.clone(), blob.clone());
            open_as.emit((name, blob.clone(), Origin::File(blob)))
        })
    };
    let on_sample = {
        let open_as = open_as.clone();
        let d = state.dispatcher();
        Callback::from(move |s: Sample| {
            let open_as = open_as.clone();
            let add_load = add_load.clone();
            let d = d.clone();
            spawn_local(async move {
                match fetch_blob(&format!("samples/{}", s.file)).await {
                    Ok(b) => {
                        add_load(s.file.clone(), b.clone());
                        open_as.emit((s.file.clone(), b, Origin::Sample(s.file.clone())))
                    }
                    Err(e) => d.dispatch(Action::Notice { text: e, error: true }),
                }
            });
        })
    };

    use_session(&state, open_as.clone());

    // LESSONS: a lesson asks for its sample on screen and lines replayed on a fresh container.
    // The sample is opened (or shown, if it is open), then `reset` and the lines go to the
    // shell; the lesson waits until as many shell answers have come.
    let lesson_pending = use_state(|| None::<(String, Vec<String>)>);
    let replay_until = use_state(|| None::<u32>);
    let show_asked = use_mut_ref(|| false);
    // The names of the open archives, for callbacks kept from an earlier draw (a hash change).
    let archive_names = use_mut_ref(Vec::<String>::new);
    *archive_names.borrow_mut() = state.session.archives.iter().map(|a| a.name.clone()).collect();
    let on_lesson_open = {
        let lesson_pending = lesson_pending.clone();
        let show_asked = show_asked.clone();
        let archives = archive_names.clone();
        let on_sample = on_sample.clone();
        Callback::from(move |(file, lines): (String, Vec<String>)| {
            *show_asked.borrow_mut() = false;
            if !archives.borrow().iter().any(|a| *a == file) {
                on_sample.emit(Sample { file: file.clone(), title: String::new(), story: String::new() });
            }
            lesson_pending.set(Some((file, lines)));
        })
    };
    let on_command_line = {
        let link = link.clone();
        let d = state.dispatcher();
        Callback::from(move |line: String| {
            d.dispatch(Action::Journal(JournalItem::Line(line.clone())));
            link.send(&Request::Shell { line })
        })
    };
    {
        let lesson_pending = lesson_pending.clone();
        let replay_until = replay_until.clone();
        let d = state.dispatcher();
        let run = on_command_line.clone();
        let seq_now = state.container.shell_seq;
        use_effect_with(
            (state.session.archives.clone(), state.session.order.clone(), state.container.ready, (*lesson_pending).clone()),
            move |(archives, order, ready, pending)| {
                let Some((file, lines)) = pending else { return };
                let Some(img) = archives.iter().find(|a| &a.name == file).and_then(|a| a.images.first()) else { return };
                let shown = order.len() == img.layers.len() && order.iter().zip(&img.layers).all(|(o, l)| o.0 == *l && o.1);
                if !shown {
                    if !*show_asked.borrow() {
                        *show_asked.borrow_mut() = true;
                        d.dispatch(Action::ShowLayers(img.layers.clone()));
                    }
                } else if *ready {
                    run.emit("reset".to_string());
                    for l in lines {
                        run.emit(l.clone());
                    }
                    replay_until.set(Some(seq_now + 1 + lines.len() as u32));
                    lesson_pending.set(None);
                }
            },
        );
    }
    let replaying = lesson_pending.is_some() || replay_until.is_some_and(|t| state.container.shell_seq < t);
    // DOCKER: an image picked in the Docker panel is shown here when the page has it open.
    {
        let d = state.dispatcher();
        use_effect_with(state.session.archives.clone(), move |archives| {
            let archives = archives.clone();
            let l = gloo::events::EventListener::new(&gloo::utils::window(), crate::ui::docker_bridge::EV_SHOW, move |e| {
                let e: &web_sys::CustomEvent = wasm_bindgen::JsCast::unchecked_ref(e);
                let short = e.detail().as_string().unwrap_or_default();
                let found = archives.iter().flat_map(|a| a.images.iter()).find(|i| !short.is_empty() && crate::digest::encoded(&i.id).starts_with(&short));
                if let Some(img) = found {
                    d.dispatch(Action::ShowLayers(img.layers.clone()));
                }
            });
            move || drop(l)
        });
    }
    let ondragover = {
        let dragging = dragging.clone();
        let link = link.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                // Files are about to be dropped: the layer workers start meanwhile.
                link.warm();
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let on_open = on_open.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(files) = e.data_transfer().and_then(|dt| dt.files()) {
                for i in 0..files.length() {
                    if let Some(f) = files.item(i) {
                        on_open.emit((f.name(), f.into()));
                    }
                }
            }
        })
    };

    let d = state.dispatcher();
    let on_cancel = { let link = link.clone(); Callback::from(move |job: u32| link.cancel(job)) };
    let on_dismiss = { let d = d.clone(); Callback::from(move |id| d.dispatch(Action::DismissNotice(id))) };
    let on_verify = { let d = d.clone(); Callback::from(move |v| d.dispatch(Action::SetVerify(v))) };
    // A toggle or move goes to the worker at once, so it works while the page draws the change.
    let send_order = {
        let link = link.clone();
        let seq = seq.clone();
        let sent = sent_order.clone();
        let (view, window) = (state.view.params.clone(), state.view.window);
        let order = state.session.order.clone();
        // The stack a click changes: the last one sent, else the one shown.
        move |change: &dyn Fn(&mut Vec<(crate::ui::protocol::LayerId, bool)>) -> bool| {
            let mut next = sent.borrow().last().cloned().unwrap_or_else(|| order.clone());
            if change(&mut next) {
                link.send(&Request::SetStack { layers: next.clone(), query: Some(make_query(&seq, &view, window)) });
                sent.borrow_mut().push(next);
            }
        }
    };
    let on_toggle_layer = {
        let send_order = send_order.clone();
        Callback::from(move |id| {
            send_order(&|next| match next.iter_mut().find(|x| x.0 == id) {
                Some(x) => {
                    x.1 = !x.1;
                    true
                }
                None => false,
            })
        })
    };
    let on_move = {
        Callback::from(move |(id, by): (crate::ui::protocol::LayerId, i32)| {
            send_order(&|next| {
                let Some(i) = next.iter().position(|x| x.0 == id) else { return false };
                let j = i as i64 + by as i64;
                if j < 0 || j >= next.len() as i64 {
                    return false;
                }
                next.swap(i, j as usize);
                true
            })
        })
    };
    let on_scope = { let d = d.clone(); Callback::from(move |s| d.dispatch(Action::SelectScope(s))) };
    let on_window = { let d = d.clone(); Callback::from(move |(a, b)| d.dispatch(Action::SetWindow(a, b))) };
    let on_toggle_dir = {
        let d = d.clone();
        let merged = state.view.params.scope.is_none();
        Callback::from(move |p: String| {
            if merged {
                d.dispatch(Action::Target(Some((p.clone(), 'd'))));
            }
            d.dispatch(Action::ToggleCollapse(p))
        })
    };
    let on_filter = { let d = d.clone(); Callback::from(move |f| d.dispatch(Action::SetFilter(f))) };
    let on_change = { let d = d.clone(); Callback::from(move |c| d.dispatch(Action::SetChange(c))) };
    let on_sort = { let d = d.clone(); Callback::from(move |o| d.dispatch(Action::SetSort(o))) };
    let merged = state.view.params.scope.is_none();
    let on_select = {
        let d = d.clone();
        let link = link.clone();
        Callback::from(move |r: Row| {
            if merged {
                d.dispatch(Action::Target(Some((r.path.clone(), r.kind))));
            }
            d.dispatch(Action::Select(Some(r.path.clone())));
            link.send(&Request::Read { path: r.path, download: false });
        })
    };
    let on_download = { let link = link.clone(); Callback::from(move |path| link.send(&Request::Read { path, download: true })) };
    let on_listing = {
        let link = link.clone();
        let d = d.clone();
        Callback::from(move |_| {
            d.dispatch(Action::Listing(true));
            link.send(&Request::Listing)
        })
    };
    let on_drivers_want = { let link = link.clone(); Callback::from(move |_| link.send(&Request::ReplayInput)) };
    let on_inspect_ask = { let link = link.clone(); Callback::from(move |a| link.send(&Request::Inspect(a))) };
    let on_command = {
        let link = link.clone();
        let d = d.clone();
        Callback::from(move |line: String| {
            d.dispatch(Action::Journal(JournalItem::Line(line.clone())));
            link.send(&Request::Shell { line })
        })
    };
    let on_mount = {
        let link = link.clone();
        let d = d.clone();
        Callback::from(move |config: crate::container::Config| {
            d.dispatch(Action::SetMount(config));
            link.send(&Request::MountConfig { config })
        })
    };
    let on_action = {
        let link = link.clone();
        let d = d.clone();
        Callback::from(move |a: FileAction| {
            d.dispatch(Action::Journal(JournalItem::Action(a.clone())));
            link.send(&Request::FileAction(a))
        })
    };
    let edit_text = match (&state.view.preview, &state.view.target) {
        (Some(pv), Some((path, 'f'))) if pv.info.path == *path && pv.info.shown == pv.info.size => {
            std::str::from_utf8(&pv.bytes).ok().filter(|t| !t.contains('\0')).map(String::from)
        }
        _ => None,
    };
    let container_on = state.container.ready || !state.session.order.is_empty();
    let on_close = { let d = d.clone(); Callback::from(move |_| d.dispatch(Action::Select(None))) };
    // COMMIT (issue 5): commit, save and export run in the worker as jobs with progress.
    let on_commit = {
        let link = link.clone();
        Callback::from(move |f: CommitForm| {
            let job = link.next_job();
            let time = (js_sys::Date::now() / 1000.0).floor() as i64;
            let name = if f.tag.is_empty() { "docker commit".to_string() } else { f.tag.clone() };
            let req = Request::Commit { job, message: f.message, author: f.author, changes: f.changes, tag: f.tag, time };
            link.task(job, name, Task::Committing, &req);
        })
    };
    let on_export = {
        let link = link.clone();
        Callback::from(move |_| {
            let job = link.next_job();
            let name = "container-export.tar".to_string();
            link.task(job, name.clone(), Task::Exporting, &Request::Export { job, name });
        })
    };
    let on_save = {
        let link = link.clone();
        Callback::from(move |(images, format, name): (Vec<String>, crate::commit::save::SaveFormat, String)| {
            let job = link.next_job();
            link.task(job, name.clone(), Task::Saving, &Request::Save { job, images, format, name });
        })
    };

    let on_show_image = { let d = d.clone(); Callback::from(move |ids| d.dispatch(Action::ShowLayers(ids))) };
    let on_add_image = { let d = d.clone(); Callback::from(move |ids| d.dispatch(Action::AddLayers(ids))) };
    let labels: Vec<String> = (0..state.session.layers.len() as u32).map(|id| state.label(id)).collect();
    let scope_label = match state.view.params.scope.and_then(|id| state.layer(id)) {
        Some(l) => tr.f("files.scope_layer", &[&state.label(l.id), &l.short_id]),
        None => tr.t("files.merged").to_string(),
    };
    let viewer_layer = state
        .view
        .preview
        .as_ref()
        .and_then(|p| p.info.layer)
        .and_then(|id| state.layer(id).map(|l| tr.f("viewer.from_layer", &[&state.label(id), &l.short_id])))
        .unwrap_or_default();

    if words.is_none() {
        return html! { <div class="app"><p class="muted">{ "…" }</p></div> };
    }
    // The container's stack for the layers diagrams (the lesson's, and the one beside the Stack
    // panel): enabled layers, bottom first.
    let lesson_stack = std::rc::Rc::new(
        state.session.order.iter().filter(|o| o.1).filter_map(|o| state.session.layers.iter().find(|l| l.id == o.0).map(|l| (l.id, l.created_by.clone()))).collect::<Vec<_>>(),
    );
    html! {
        <ContextProvider<Tr> context={tr}>
        <div class={classes!("app", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop}>
            <header class="top">
                <h1>{ "layerlab" }</h1>
                <OpenBar on_open={on_open} verify={state.session.verify} on_verify={on_verify} samples={(*samples).clone()} on_sample={on_sample} on_intent={{ let link = link.clone(); Callback::from(move |()| link.warm()) }} />
                <LangSwitch on_lang={on_lang} />
            </header>
            <Jobs jobs={state.jobs.list.clone()} on_cancel={on_cancel} />
            <Notices notices={state.jobs.notices.clone()} on_dismiss={on_dismiss} />
            <LessonsPanel container={state.container.clone()} replaying={replaying} on_open={on_lesson_open} on_command={on_command_line} stack={lesson_stack.clone()} />
            <main class="grid">
                <div class="col left">
                    <LayerStack layers={state.session.layers.clone()} order={state.session.order.clone()} scope={state.view.params.scope}
                        merged_entries={state.view.merged_entries} on_toggle={on_toggle_layer} on_move={on_move} on_scope={on_scope}
                        mount={state.container.mount.clone()} usage={state.container.usage.clone()} copies={state.container.copies.clone()} copy_seq={state.container.shell_seq} />
                    if !lesson_stack.is_empty() {
                        <crate::ui::components::layers_diagram::LayersDiagram stack={lesson_stack.clone()} container={state.container.clone()} compact=true />
                    }
                    <ImagePanel archives={state.session.archives.clone()} layers={state.session.layers.clone()} on_save={on_save}
                        order={state.session.order.clone()} on_show={on_show_image} on_add={on_add_image} />
                </div>
                <div class="col center">
                    <FileTree rows={state.view.rows.clone()} scope_label={scope_label} layer_scope={state.view.params.scope.is_some()}
                        filter={state.view.params.filter.clone()} change={state.view.params.change} sort={state.view.params.sort}
                        labels={labels.clone()} selected={state.view.selected.clone()} on_window={on_window} on_select={on_select}
                        on_toggle={on_toggle_dir} on_filter={on_filter} on_change={on_change} on_sort={on_sort} on_listing={on_listing} listing_busy={state.jobs.listing} />
                </div>
                <div class="col right">
                    <FileView preview={state.view.preview.clone()} selected={state.view.selected.clone()} layer_label={viewer_layer} labels={labels.clone()}
                        on_download={on_download} on_close={on_close} />
                    <FileActions target={state.view.target.clone()} text={edit_text} enabled={container_on && merged && !state.session.order.is_empty()} on_action={on_action} />
                    <ContainerPanel container={state.container.clone()} stacked={!state.session.order.is_empty()}
                        any_on={state.session.order.iter().any(|x| x.1)} on_command={on_command} on_mount={on_mount}
                        on_commit={on_commit} on_export={on_export} />
                </div>
            </main>
            <InspectLauncher on_ask={on_inspect_ask} />
            <DriversLauncher on_want={on_drivers_want} />
            <DockerLauncher />
            if *dragging { <div class="drop-overlay" aria-hidden="true">{ tr.t("app.drop") }</div> }
            <footer class="muted">
                { if state.session.ready { tr.f("app.footer_ready", &[&format!("{:.1}", state.view.stack_millis), &format!("{:.1}", state.view.rows.millis)]) } else { tr.t("app.footer_starting").to_string() } }
            </footer>
        </div>
        </ContextProvider<Tr>>
    }
}
