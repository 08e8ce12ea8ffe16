//! CONTAINER (issue 3): `docker diff` of the container layer (A/C/D lines). Commit and export
//! have their own form (`commit_panel`); Undo and Reset are in
//! [`super::container_controls`].
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// `A /path`, `C /path`, `D /path`, as docker prints them.
    pub lines: Vec<String>,
    pub enabled: bool,
}

#[function_component(DiffView)]
pub fn diff_view(p: &Props) -> Html {
    html! {
        <div class="diff">
            <ul class="diff-lines" aria-label="docker diff">
                { for p.lines.iter().map(|l| html! { <li><code>{ l }</code></li> }) }
            </ul>
        </div>
    }
}
