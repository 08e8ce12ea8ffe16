//! BUILD (issue 11): the "Build steps" region of the Docker panel: the last `docker build`
//! played out step by step: each step's container appearing (its ID), what its layer holds
//! (copy-ups, new entries, whiteouts, opaque directories), the commit (a layer joining the
//! image's stack, or a history row only), the container removed; cache hits marked with a
//! "Using cache" badge (text, not only colour). Beside the steps, the image's layers (top
//! first) as of the step shown last, the Dockerfile's layers marked "new" (committed now) or
//! "cache" (an earlier build's, reused).
//!
//! Rules: the steps come from the core ([`crate::docker::build_steps`]) with the command's
//! output; this component only draws them. A new build plays one step per [`STEP_MS`]; "Show
//! all" skips to the end; with `prefers-reduced-motion` (or a replayed journal) the finished view
//! shows at once. Words live in [`crate::ui::components::docker_text`].
use crate::docker::build_steps::{ChangeKind, Layer, Step};
use crate::ui::components::docker_text as t;
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How long one step shows before the next (ms).
pub const STEP_MS: u32 = 700;

/// The build to draw: its steps, a number that changes with every build, whether to animate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BuildView {
    pub seq: u32,
    pub steps: Vec<Step>,
    /// The build's exit code (non-zero: the last step failed).
    pub code: i32,
    pub animate: bool,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub build: Rc<BuildView>,
}

/// Whether the user asked for less motion.
fn reduced_motion() -> bool {
    let w = gloo::utils::window();
    Reflect::get(&w, &"matchMedia".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&w, &"(prefers-reduced-motion: reduce)".into()).ok())
        .and_then(|m| Reflect::get(&m, &"matches".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

fn short(id: &str) -> String {
    id.strip_prefix("sha256:").unwrap_or(id).chars().take(12).collect()
}

#[function_component(BuildSteps)]
pub fn build_steps(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let total = p.build.steps.len();
    let seq = p.build.seq;
    let animate = p.build.animate && total > 1 && !reduced_motion();
    // (build seq, steps shown): a build not seen yet starts at its first step (or shows all).
    let shown = use_state(|| (seq, if animate { 1 } else { total }));
    // The count the timer moves on ("Show all" moves it to the end too).
    let cur = use_mut_ref(|| 0usize);
    // A new build: one more step every STEP_MS.
    {
        let (shown, cur) = (shown.clone(), cur.clone());
        use_effect_with((seq, total), move |&(seq, total)| {
            let mut interval = None;
            if animate {
                *cur.borrow_mut() = 1;
                shown.set((seq, 1));
                let s2 = shown.clone();
                interval = Some(gloo::timers::callback::Interval::new(STEP_MS, move || {
                    let mut n = cur.borrow_mut();
                    if *n < total {
                        *n += 1;
                        s2.set((seq, *n));
                    }
                }));
            } else {
                shown.set((seq, total));
            }
            move || drop(interval)
        });
    }
    let n = match *shown {
        (s, k) if s == seq => k.min(total),
        _ if animate => 1,
        _ => total,
    };
    let playing = n < total;
    let steps = &p.build.steps[..n];
    // The stack as of the last step shown; layers above the latest FROM's are this build's.
    let stack: Vec<Layer> = steps.iter().rev().find(|s| s.done).map(|s| s.stack.clone()).unwrap_or_default();
    // Which step of the stage brought each layer above the base: Some(cached).
    let mut origin: Vec<Option<bool>> = vec![None; stack.len()];
    let stage_at = steps.iter().rposition(|s| s.from).unwrap_or(0);
    let mut below = steps.get(stage_at).map_or(0, |s| s.stack.len());
    for s in steps.iter().skip(stage_at + 1).filter(|s| s.done) {
        for o in origin.iter_mut().take(s.stack.len()).skip(below) {
            *o = Some(s.cached);
        }
        below = below.max(s.stack.len());
    }
    let joined = steps.last().and_then(|s| s.layer.as_ref()).map(|l| l.diff_id.clone());
    let skip = {
        let (shown, cur) = (shown.clone(), cur.clone());
        Callback::from(move |_| {
            *cur.borrow_mut() = total;
            shown.set((seq, total))
        })
    };
    let failed = p.build.code != 0;
    html! {
        <section class="build-steps" aria-label={tr.t("docker.steps")}>
            <h3>{ tr.t("docker.steps") }</h3>
            <p class="muted">{ tr.t("docker.steps_hint") }</p>
            <p class="build-progress" aria-live="polite">
                { t::steps_progress(&tr, n, total) }
                if playing { { " " }<button class="button" onclick={skip}>{ tr.t("docker.show_all") }</button> }
            </p>
            <div class="build-grid">
                <ol class="step-list" aria-label={tr.t("docker.step_list")}>
                    { for steps.iter().enumerate().map(|(i, s)| step_item(&tr, s, playing && i + 1 == n, failed && !s.done)) }
                </ol>
                <div class="build-stack">
                    <h4>{ tr.t("docker.stack") }</h4>
                    <p class="muted">{ tr.t("docker.stack_hint") }</p>
                    if stack.is_empty() { <p class="muted">{ tr.t("docker.stack_empty") }</p> }
                    <ol class="stack-col" aria-label={tr.t("docker.stack")} reversed=true>
                        { for stack.iter().enumerate().rev().map(|(i, l)| {
                            let mine = origin.get(i).copied().flatten();
                            let join = joined.as_deref() == Some(l.diff_id.as_str()) && i + 1 == stack.len();
                            let class = classes!("stack-layer", mine.is_some().then_some("mine"), join.then_some("joined"));
                            html! {
                                <li {class} aria-label={format!("{} {}", short(&l.diff_id), l.size_text)}>
                                    <code>{ short(&l.diff_id) }</code>
                                    <span class="size">{ &l.size_text }</span>
                                    if let Some(cached) = mine {
                                        <span class={classes!("badge", if cached { "cached" } else { "new-layer" })}>{ if cached { tr.t("docker.cached_layer") } else { tr.t("docker.new_layer") } }</span>
                                    }
                                </li>
                            }
                        }) }
                    </ol>
                </div>
            </div>
        </section>
    }
}

fn step_item(tr: &crate::ui::lang::Tr, s: &Step, current: bool, failed: bool) -> Html {
    let name = t::step_name(tr, s.n, s.total);
    let class = classes!("build-step", s.cached.then_some("cached"), current.then_some("current"), failed.then_some("failed"));
    let ctr = s.container.as_deref().map(short);
    html! {
        <li {class} aria-label={format!("{name}: {}", s.instruction)}>
            <div class="step-head">
                <span class="step-n">{ name }</span>
                <code class="step-ins">{ &s.instruction }</code>
                if s.cached { <span class="badge cached" title={tr.t("docker.cached_hint")}>{ tr.t("docker.cached") }</span> }
                if failed { <span class="badge failed">{ tr.t("docker.failed") }</span> }
            </div>
            if s.from {
                <p class="step-line">{ match &s.image { Some(id) => t::base_image(&tr, &short(id), s.stack.len()), None => tr.t("docker.scratch").to_string() } }</p>
            }
            if let Some(id) = &ctr {
                <p class="step-line ctr">{ t::container_created(&tr, id) }</p>
            } else if !s.from && !s.cached && (s.layer.is_some() || !s.changes.is_empty()) {
                <p class="step-line ctr muted">{ tr.t("docker.copy_container") }</p>
            }
            if !s.cached && !s.from && s.done {
                if s.changes.is_empty() {
                    <p class="step-line muted">{ tr.t("docker.no_changes") }</p>
                } else {
                    <ul class="changes" aria-label={t::changes_of(&tr, ctr.as_deref().unwrap_or(""))}>
                        { for s.changes.iter().map(|c| {
                            let (word, cls) = match c.kind {
                                ChangeKind::CopyUp => (tr.t("docker.copy_up"), "k-copy"),
                                ChangeKind::New => (tr.t("docker.new_entry"), "k-new"),
                                ChangeKind::Whiteout => (tr.t("docker.whiteout"), "k-wh"),
                                ChangeKind::Opaque => (tr.t("docker.opaque"), "k-opq"),
                            };
                            let path = if c.dir && c.path != "/" { format!("{}/", c.path) } else { c.path.clone() };
                            html! { <li><span class={classes!("badge", cls)}>{ word }</span>{ " " }<code>{ path }</code></li> }
                        }) }
                    </ul>
                }
                if let Some(l) = &s.layer {
                    <p class="step-line commit">{ t::committed(&tr, &short(&l.diff_id), &l.size_text) }</p>
                } else if s.empty_layer {
                    <p class="step-line commit muted">{ tr.t("docker.history_only") }</p>
                }
                if let Some(id) = &ctr { <p class="step-line muted">{ t::removed(&tr, id) }</p> }
            }
            if !s.from && s.done {
                if let Some(id) = &s.image { <p class="step-line img">{ t::step_image(&tr, &short(id)) }</p> }
            }
        </li>
    }
}
