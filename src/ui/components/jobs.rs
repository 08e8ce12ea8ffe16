//! Work in the worker: archives being opened (layer, bytes, entries), images being committed,
//! saved or exported (bytes written); a progress bar per job and a cancel button.
use crate::ui::components::human;
use crate::ui::state::{Job, Task};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub jobs: Vec<Job>,
    pub on_cancel: Callback<u32>,
}

#[function_component(Jobs)]
pub fn jobs(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    if p.jobs.is_empty() {
        return html! {};
    }
    html! {
        <ul class="jobs" aria-label={tr.t("jobs.label")}>
            { for p.jobs.iter().map(|j| {
                let pr = &j.progress;
                let id = j.id;
                let cb = p.on_cancel.clone();
                let layer = if pr.layers > 1 { tr.f("jobs.layer_of", &[&(pr.layer + 1).to_string(), &pr.layers.to_string()]) } else { String::new() };
                let [named, cancel, ..] = j.task.keys();
                let named = tr.f(named, &[&j.name]);
                let text = if j.task == Task::Opening {
                    format!("{layer}{}", tr.f("jobs.progress", &[&human(pr.bytes), &human(pr.total), &pr.entries.to_string()]))
                } else if pr.total > 0 {
                    tr.f("jobs.about", &[&human(pr.bytes), &human(pr.total)])
                } else {
                    String::new()
                };
                html! {
                    <li class="job">
                        <span class="job-name">{ named.clone() }</span>
                        <progress max={pr.total.max(1).to_string()} value={pr.bytes.to_string()}
                            aria-label={named} />
                        <span class="job-text">{ text }</span>
                        <button class="button" aria-label={tr.f(cancel, &[&j.name])} onclick={move |_| cb.emit(id)}>{ tr.t("cancel") }</button>
                    </li>
                }
            }) }
        </ul>
    }
}
