//! LESSONS (issue 15): interview mode. A list "Interview questions" (PLAN.md §3, the seed's ten
//! first, [`crate::lessons::INTERVIEW`]): the learner writes an answer from memory (or just
//! thinks it), then "Reveal" shows the correct answer, the common wrong answer and why it is
//! wrong, and "Show me" opens the lesson step that demonstrates it; a question no lesson covers
//! yet says so.
use crate::lessons::{proof, INTERVIEW, QUESTION_PROOFS};
use crate::ui::lang::use_tr;
use std::collections::BTreeSet;
use yew::prelude::*;

#[function_component(Interview)]
pub fn interview() -> Html {
    let tr = use_tr();
    // The list is drawn only while open (69 items stay out of the page otherwise).
    let shown = use_state(|| false);
    let open = *shown;
    let toggle = { let shown = shown.clone(); move |_| shown.set(!*shown) };
    let revealed = use_state(BTreeSet::<u32>::new);
    html! {
        <div class="interview">
            <button class="disclosure" aria-expanded={open.to_string()} onclick={toggle}>
                { if open { "▾ " } else { "▸ " } }{ tr.t("interview.heading") }</button>
            if open {
            <p class="muted">{ tr.t("interview.intro") }</p>
            <ol class="questions" aria-label={tr.t("interview.list")}>
                { for INTERVIEW.iter().map(|&n| {
                    let open = revealed.contains(&n);
                    let reveal = { let revealed = revealed.clone(); move |_| { let mut r = (*revealed).clone(); r.insert(n); revealed.set(r); } };
                    let shown = proof(QUESTION_PROOFS, n);
                    html! {
                        <li class="question" aria-label={tr.t(&format!("iq.{n}.q"))}>
                            <p class="q"><strong>{ tr.t(&format!("iq.{n}.q")) }</strong></p>
                            <label class="stacked">{ tr.t("interview.your_answer") }
                                <textarea rows="2" spellcheck="false" />
                            </label>
                            <button class="button" onclick={reveal} disabled={open}>{ tr.t("interview.reveal") }</button>
                            if open {
                                <div class="answer" role="status">
                                    <p><strong>{ tr.t("interview.right") }{ " " }</strong>{ tr.t(&format!("iq.{n}.right")) }</p>
                                    <p><strong>{ tr.t("interview.wrong") }{ " " }</strong>{ tr.t(&format!("iq.{n}.wrong")) }</p>
                                    <p><strong>{ tr.t("interview.why") }{ " " }</strong>{ tr.t(&format!("iq.{n}.why")) }</p>
                                </div>
                            }
                            <p class="show-me">
                                if let Some(link) = shown {
                                    <a class="button" href={link.hash()} title={tr.t(&format!("lesson.{}.title", link.lesson))}>
                                        { tr.t("interview.show_me") }{ format!(" · {} / {}", link.lesson, link.step + 1) }</a>
                                } else {
                                    <span class="muted">{ tr.t("interview.no_lesson") }</span>
                                }
                            </p>
                        </li>
                    }
                }) }
            </ol>
            }
        </div>
    }
}
