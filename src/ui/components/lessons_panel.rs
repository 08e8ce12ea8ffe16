//! LESSONS (issue 15): the lesson runner. A list "Lessons" (one item per lesson, with its
//! progress); the open lesson is a region "Lesson" with a list "Steps": each step says what to
//! do and why, offers a button that runs its line in the container shell (or the learner types
//! it), shows "Waiting" until the core's check ([`crate::lessons::Step::passes`]) sees it
//! happen in the container's real state, then what was seen, and a "Next step" button. A region
//! "Quiz" ends the lesson with its interview questions (two answers, then the explanation).
//!
//! Links: every step is `#lesson/<id>/<n>`; opening one (a click, a pasted link, a reload) asks
//! the page to open the lesson's sample and replay steps `1..n` on a fresh container
//! (`on_open`), so it always shows the same state. Progress (steps passed, quiz answers) is kept
//! in `localStorage`.
//!
//! Docker steps ([`crate::lessons::On::Docker`]) run in the Docker panel (a wasm of its own,
//! [`crate::ui::docker_bridge`]): opening a lesson that has them starts the panel, and once the
//! page's own replay is done asks it to begin afresh with the lesson's build context and run
//! the earlier docker lines (`EV_LESSON`); "Do it" sends one line (`EV_RUN`); the panel
//! announces what its commands printed (`EV_OUTPUT`), which is the log the checks read.
//!
//! The Inspect panel ([`crate::lessons::On::Inspect`], L11) and the Storage drivers panel
//! ([`crate::lessons::On::Drivers`], L14) work the same way: opening a lesson that has such
//! steps shows the panel (its bridge's `EV_SHOW`); "Do it" sends an Inspect line to its panel
//! ([`crate::ui::inspect_bridge::run`]) or runs a drivers line in the container shell; each
//! panel announces what it showed for a line (its bridge's `EV_OUTPUT`), the log the checks read.
use crate::lessons::{lesson, Baseline, Lesson, Link, Observation, On, LESSONS};
use crate::ui::docker_bridge as bridge;
use crate::ui::{drivers_bridge, inspect_bridge};
use crate::ui::lang::use_tr;
use crate::ui::state::ContainerState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

const STORE_KEY: &str = "layerlab.lessons";

/// What the learner did in one lesson.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Steps (0-based) whose check passed.
    pub passed: Vec<usize>,
    /// Quiz answers: question number → answered right.
    pub quiz: BTreeMap<u32, bool>,
}

fn load() -> BTreeMap<String, Progress> {
    gloo::utils::window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORE_KEY).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save(p: &BTreeMap<String, Progress>) {
    if let (Some(s), Ok(t)) = (gloo::utils::window().local_storage().ok().flatten(), serde_json::to_string(p)) {
        let _ = s.set_item(STORE_KEY, &t);
    }
}

fn current_hash() -> String {
    gloo::utils::window().location().hash().unwrap_or_default()
}

fn set_hash(h: &str) {
    if current_hash() != h {
        let _ = gloo::utils::window().location().set_hash(h);
    }
}

/// The request that begins the Docker host where step `step` begins: the lesson's build
/// context and its earlier docker lines (see [`bridge::EV_LESSON`]).
fn docker_request(l: &Lesson, step: usize) -> (String, Vec<String>) {
    let lines = l.replay(step).1;
    let req = serde_json::json!({"context": l.context, "lines": lines});
    (req.to_string(), lines)
}

/// The Docker host's part of opening a step: the request, sent once the page's replay is done,
/// then the lines whose echo must come back before the step begins.
#[derive(Clone, PartialEq, Default)]
struct DockerReplay {
    /// The lesson has docker steps: the panel must say it began afresh.
    docker: bool,
    request: Option<String>,
    lines: Vec<String>,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub container: Rc<ContainerState>,
    /// True while the page opens a lesson's sample or replays its earlier steps.
    pub replaying: bool,
    /// Open this sample and run these lines on a fresh container.
    pub on_open: Callback<(String, Vec<String>)>,
    pub on_command: Callback<String>,
    /// The container's stack, bottom first (id, `created_by`), for the diagram.
    #[prop_or_default]
    pub stack: Rc<Vec<(crate::ui::protocol::LayerId, String)>>,
}

#[function_component(LessonsPanel)]
pub fn lessons_panel(p: &Props) -> Html {
    let tr = use_tr();
    let active = use_state(|| None::<Link>);
    let base = use_state(|| None::<Baseline>);
    let progress = use_state(load);
    // The link on screen, for the hash listener (kept from the first draw).
    let current = use_mut_ref(|| None::<Link>);
    let c = &p.container;
    // The Docker terminal's log since the lesson began the host (`# LINE`, then its output).
    let docker_log = use_mut_ref(Vec::<String>::new);
    // The Inspect and Storage drivers panels' logs (`# LINE`, then what they showed).
    let inspect_log = use_mut_ref(Vec::<String>::new);
    let drivers_log = use_mut_ref(Vec::<String>::new);
    let redraw = use_force_update();
    {
        let logs = [(bridge::EV_OUTPUT, docker_log.clone()), (inspect_bridge::EV_OUTPUT, inspect_log.clone()), (drivers_bridge::EV_OUTPUT, drivers_log.clone())];
        use_effect_with((), move |_| {
            let ls: Vec<_> = logs
                .into_iter()
                .map(|(ev, log)| {
                    let redraw = redraw.clone();
                    gloo::events::EventListener::new(&gloo::utils::window(), ev, move |e| {
                        let e: &web_sys::CustomEvent = wasm_bindgen::JsCast::unchecked_ref(e);
                        log.borrow_mut().extend(bridge::read_output(&e.detail()));
                        redraw.force_update();
                    })
                })
                .collect();
            move || drop(ls)
        });
    }
    let docker_replay = use_state(DockerReplay::default);
    let log = docker_log.borrow();
    // The docker replay is done when every earlier line's echo came back.
    let docker_waiting = docker_replay.request.is_some()
        || (docker_replay.docker && !log.iter().any(|l| l == bridge::BEGUN))
        || log.iter().filter(|l| docker_replay.lines.iter().any(|x| l.strip_prefix("# ") == Some(x.as_str()))).count() < docker_replay.lines.len();
    let replaying = p.replaying || docker_waiting;
    let (ilog, dlog) = (inspect_log.borrow(), drivers_log.borrow());
    let obs = Observation { output: &c.shell_output, events: &c.events, diff: &c.diff, usage: &c.usage, docker: log.as_slice(), inspect: ilog.as_slice(), drivers: dlog.as_slice() };

    // Open a link: the sample, the replay, the hash.
    let open = {
        let active = active.clone();
        let base = base.clone();
        let on_open = p.on_open.clone();
        let current = current.clone();
        let docker_replay = docker_replay.clone();
        let docker_log = docker_log.clone();
        Callback::from(move |link: Link| {
            let Some(l) = lesson(&link.lesson) else { return };
            *current.borrow_mut() = Some(link.clone());
            set_hash(&link.hash());
            base.set(None);
            if l.uses(On::Inspect) {
                inspect_bridge::show();
            }
            if l.uses(On::Drivers) {
                drivers_bridge::show();
            }
            if l.uses_docker() {
                // The panel loads meanwhile; it begins afresh once the page's replay is done.
                bridge::start_ui();
                docker_log.borrow_mut().clear();
                let (request, lines) = docker_request(l, link.step);
                docker_replay.set(DockerReplay { docker: true, request: Some(request), lines });
            } else {
                docker_replay.set(DockerReplay::default());
            }
            on_open.emit((l.sample.to_string(), l.replay(link.step).0));
            active.set(Some(link));
        })
    };
    // The page's replay is done (the sample is open, so its `docker load` went first): the
    // Docker host begins afresh.
    {
        let docker_replay = docker_replay.clone();
        let docker_log = docker_log.clone();
        let pending = docker_replay.request.clone();
        use_effect_with((p.replaying, pending), move |(replaying, pending)| {
            if let (false, Some(req)) = (*replaying, pending) {
                docker_log.borrow_mut().clear();
                bridge::lesson(req);
                docker_replay.set(DockerReplay { docker: true, request: None, lines: docker_replay.lines.clone() });
            }
        });
    }
    // A link in the address bar (at load, or pasted, or back/forward) opens its step.
    {
        let open = open.clone();
        let current = current.clone();
        use_effect_with((), move |_| {
            if let Some(l) = Link::parse(&current_hash()) {
                open.emit(l);
            }
            let listener = gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                if let Some(l) = Link::parse(&current_hash()) {
                    if current.borrow().as_ref() != Some(&l) {
                        open.emit(l);
                    }
                }
            });
            move || drop(listener)
        });
    }
    // The step begins once the replay is done: its baseline is the container as it is then.
    {
        let base = base.clone();
        let b = obs.baseline();
        use_effect_with((replaying, active.as_ref().map(|a| a.step), base.is_none()), move |(replaying, step, none)| {
            if !*replaying && step.is_some() && *none {
                base.set(Some(b));
            }
        });
    }
    let step_passed = match (active.as_ref(), *base) {
        (Some(a), Some(b)) if !replaying => lesson(&a.lesson).map(|l| l.steps[a.step].passes(&obs, b)).unwrap_or(false),
        _ => false,
    };
    // A passed step is kept.
    {
        let progress = progress.clone();
        let key = active.as_ref().map(|a| (a.lesson.clone(), a.step));
        use_effect_with((step_passed, key), move |(passed, key)| {
            if let (true, Some((id, step))) = (*passed, key) {
                let mut all = (*progress).clone();
                let e = all.entry(id.clone()).or_default();
                if !e.passed.contains(step) {
                    e.passed.push(*step);
                    e.passed.sort_unstable();
                    save(&all);
                    progress.set(all);
                }
            }
        });
    }

    let list = html! {
        <ul class="lesson-list" aria-label={tr.t("lessons.list")}>
            { for LESSONS.iter().map(|l| {
                let done = progress.get(l.id).map_or(0, |p| p.passed.len());
                let open = open.clone();
                let id = l.id.to_string();
                let current = active.as_ref().is_some_and(|a| a.lesson == l.id);
                html! {
                    <li class={classes!("lesson-item", current.then_some("current"))}>
                        <a href={Link { lesson: id.clone(), step: 0 }.hash()} aria-current={current.then_some("true")}
                            onclick={move |e: MouseEvent| { e.prevent_default(); open.emit(Link { lesson: id.clone(), step: 0 }) }}>
                            { tr.t(&format!("lesson.{}.title", l.id)) }</a>
                        <span class="muted">{ " · " }{ tr.f("lessons.done", &[&done.to_string(), &l.steps.len().to_string()]) }</span>
                    </li>
                }
            }) }
        </ul>
    };

    let body = match active.as_ref().and_then(|a| lesson(&a.lesson).map(|l| (a.clone(), l))) {
        None => html! {},
        Some((a, l)) => {
            let prog = progress.get(l.id).cloned().unwrap_or_default();
            let key = |s: &str| format!("lesson.{}.{s}", l.id);
            let steps = l.steps.iter().enumerate().map(|(i, s)| {
                let n = (i + 1).to_string();
                let current = i == a.step;
                let passed = if current { step_passed } else { prog.passed.contains(&i) };
                let link = Link { lesson: l.id.to_string(), step: i };
                let open_step = { let open = open.clone(); let link = link.clone(); move |e: MouseEvent| { e.prevent_default(); open.emit(link.clone()) } };
                let on = s.on;
                let run = {
                    let cb = p.on_command.clone();
                    let line = s.command.to_string();
                    move |_| match on {
                        On::Docker => bridge::emit(bridge::EV_RUN, &line.clone().into()),
                        On::Inspect => inspect_bridge::run(&line),
                        On::Shell | On::Drivers => cb.emit(line.clone()),
                    }
                };
                let (do_title, type_it) = match on {
                    On::Docker => ("lessons.do_title_docker", "lessons.type_it_docker"),
                    On::Inspect => ("lessons.do_title_inspect", "lessons.type_it_inspect"),
                    On::Shell | On::Drivers => ("lessons.do_title", "lessons.type_it"),
                };
                let needs_container = matches!(on, On::Shell | On::Drivers);
                html! {
                    <li class={classes!("step", current.then_some("current"), passed.then_some("passed"))} aria-current={current.then_some("step")}>
                        <div class="step-head">
                            <span class="step-mark" aria-hidden="true">{ if passed { "✓" } else { "○" } }</span>
                            <a href={link.hash()} onclick={open_step} title={tr.t("lessons.link")}>{ tr.f("lessons.step_n", &[&n]) }</a>
                            { " " }<span>{ tr.t(&key(&format!("{n}.do"))) }</span>
                        </div>
                        if current {
                            <div class="step-body">
                                <p class="why"><strong>{ tr.t("lessons.why") }{ " " }</strong>{ tr.t(&key(&format!("{n}.why"))) }</p>
                                <p class="do">
                                    <button class="button primary" onclick={run} disabled={replaying || (needs_container && !c.ready)} title={tr.t(do_title)}>{ tr.t("lessons.do") }</button>
                                    { " " }<span class="muted">{ tr.t(type_it) }</span>{ " " }<code>{ s.command }</code>
                                </p>
                                if p.replaying {
                                    <p class="muted" role="status">{ tr.f("lessons.loading", &[l.sample]) }</p>
                                } else if replaying {
                                    <p class="muted" role="status">{ tr.t("lessons.loading_docker") }</p>
                                } else if passed {
                                    <div class="seen" role="status"><strong>{ tr.t("lessons.passed") }{ " ✓ " }</strong>
                                        <p><strong>{ tr.t("lessons.seen") }{ ": " }</strong>{ tr.t(&key(&format!("{n}.seen"))) }</p></div>
                                } else {
                                    <p class="muted waiting" role="status">{ tr.t("lessons.waiting") }</p>
                                }
                            </div>
                        }
                    </li>
                }
            });
            let last = a.step + 1 == l.steps.len();
            let next = {
                let active = active.clone();
                let base = base.clone();
                let b = obs.baseline();
                let a = a.clone();
                let current = current.clone();
                move |_| {
                    // The container already carries this step: the next begins here, no replay.
                    let n = Link { lesson: a.lesson.clone(), step: a.step + 1 };
                    *current.borrow_mut() = Some(n.clone());
                    active.set(Some(n.clone()));
                    base.set(Some(b));
                    set_hash(&n.hash());
                }
            };
            let all_done = (0..l.steps.len()).all(|i| prog.passed.contains(&i)) || (last && step_passed);
            let close = { let active = active.clone(); let current = current.clone(); move |_| { *current.borrow_mut() = None; active.set(None); set_hash("#"); } };
            html! {
                <section class="lesson" role="region" aria-label={tr.t("lessons.region")}>
                    <div class="lesson-head">
                        <h2>{ tr.t(&key("title")) }</h2>
                        <button class="icon" aria-label={tr.t("lessons.close")} onclick={close}>{ "×" }</button>
                    </div>
                    <p class="intro">{ tr.t(&key("intro")) }</p>
                    if l.uses(On::Shell) || l.uses(On::Drivers) {
                        <crate::ui::components::layers_diagram::LayersDiagram stack={p.stack.clone()} container={p.container.clone()} />
                    }
                    <ol class="steps" aria-label={tr.t("lessons.steps")}>{ for steps }</ol>
                    if !last {
                        <button class="button primary" disabled={!step_passed} onclick={next}>{ tr.t("lessons.next") }</button>
                    }
                    if all_done {
                        <p class="aha"><strong>{ tr.t("lessons.aha") }{ ": " }</strong>{ tr.t(&key("aha")) }</p>
                        { quiz(&tr, l, &prog, progress.clone()) }
                    }
                </section>
            }
        }
    };
    html! {
        <div class="lessons">
            <nav class="lesson-nav" aria-label={tr.t("lessons.heading")}>
                <h2>{ tr.t("lessons.heading") }</h2>
                { list }
                <crate::ui::components::interview::Interview />
                <crate::ui::components::myths::Myths />
            </nav>
            { body }
        </div>
    }
}

/// The lesson's quiz: each question with the right answer and the common wrong one (in an order
/// fixed by the question's number), then the explanation.
fn quiz(tr: &crate::ui::lang::Tr, l: &Lesson, prog: &Progress, progress: UseStateHandle<BTreeMap<String, Progress>>) -> Html {
    let right_count = prog.quiz.values().filter(|v| **v).count();
    html! {
        <section class="quiz" role="region" aria-label={tr.t("lessons.quiz")}>
            <h3>{ tr.t("lessons.quiz") }</h3>
            <p class="muted">{ tr.f("lessons.quiz_done", &[&right_count.to_string(), &l.quiz.len().to_string()]) }</p>
            <ol>
            { for l.quiz.iter().map(|&n| {
                let answered = prog.quiz.get(&n).copied();
                let choose = |right: bool| {
                    let progress = progress.clone();
                    let id = l.id.to_string();
                    move |_| {
                        let mut all = (*progress).clone();
                        all.entry(id.clone()).or_default().quiz.insert(n, right);
                        save(&all);
                        progress.set(all);
                    }
                };
                let right = html! { <li><button class="choice" onclick={choose(true)} aria-pressed={(answered == Some(true)).to_string()}>{ tr.t(&format!("iq.{n}.right")) }</button></li> };
                let wrong = html! { <li><button class="choice" onclick={choose(false)} aria-pressed={(answered == Some(false)).to_string()}>{ tr.t(&format!("iq.{n}.wrong")) }</button></li> };
                html! {
                    <li class="question">
                        <p class="q">{ tr.t(&format!("iq.{n}.q")) }</p>
                        <ul class="choices">
                            if n % 2 == 0 { { right } { wrong } } else { { wrong } { right } }
                        </ul>
                        if let Some(ok) = answered {
                            <p class={classes!("verdict", if ok { "ok" } else { "no" })} role="status">
                                <strong>{ if ok { tr.t("lessons.quiz_right") } else { tr.t("lessons.quiz_wrong") } }</strong>{ " " }
                                { tr.t(&format!("iq.{n}.why")) }</p>
                        }
                    </li>
                }
            }) }
            </ol>
        </section>
    }
}
