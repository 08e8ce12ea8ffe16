//! LESSONS (issue 15): myths vs kernel. A list "Myths" (PLAN.md §4): each claim as made (a
//! seed's own words where it comes from a seed), where it is made, what really happens, and
//! "See it live", the lesson step that disproves it, where one does
//! ([`crate::lessons::MYTH_PROOFS`]); the others say there is no live demonstration yet.
use crate::lessons::{proof, MYTHS, MYTH_PROOFS};
use crate::ui::lang::use_tr;
use yew::prelude::*;

#[function_component(Myths)]
pub fn myths() -> Html {
    let tr = use_tr();
    // The list is drawn only while open (69 items stay out of the page otherwise).
    let shown = use_state(|| false);
    let open = *shown;
    let toggle = { let shown = shown.clone(); move |_| shown.set(!*shown) };
    html! {
        <div class="interview myths">
            <button class="disclosure" aria-expanded={open.to_string()} onclick={toggle}>
                { if open { "▾ " } else { "▸ " } }{ tr.t("myths.heading") }</button>
            if open {
            <p class="muted">{ tr.t("myths.intro") }</p>
            <ol class="questions" aria-label={tr.t("myths.list")}>
                { for (1..=MYTHS).map(|n| html! {
                    <li class="question">
                        <p class="q"><strong>{ format!("M{n} · ") }{ tr.t(&format!("myth.{n}.claim")) }</strong></p>
                        <p><span class="muted">{ tr.t("myths.where") }{ " " }</span>{ tr.t(&format!("myth.{n}.where")) }</p>
                        <p><strong>{ tr.t("myths.truth") }{ " " }</strong>{ tr.t(&format!("myth.{n}.truth")) }</p>
                        <p class="show-me">
                            if let Some(link) = proof(MYTH_PROOFS, n) {
                                <a class="button" href={link.hash()} title={tr.t(&format!("lesson.{}.title", link.lesson))}>
                                    { tr.t("myths.live") }{ format!(" · {} / {}", link.lesson, link.step + 1) }</a>
                            } else {
                                <span class="muted">{ tr.t("myths.no_live") }</span>
                            }
                        </p>
                    </li>
                }) }
            </ol>
            }
        </div>
    }
}
