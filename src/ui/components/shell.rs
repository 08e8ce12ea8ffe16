//! CONTAINER (issue 3): the shell-like prompt that writes into the container layer
//! (`echo > / >>`, `cat`, `ls`, `rm`, `mkdir`, `mv`, `ln`, `chmod`, ... worded like coreutils,
//! history with the up arrow). Until the container module lands it is shown, disabled.
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Output lines (command echo and results).
    pub output: Vec<String>,
    /// False until the container layer exists.
    pub enabled: bool,
    pub on_command: Callback<String>,
}

#[function_component(Shell)]
pub fn shell(p: &Props) -> Html {
    let onkeydown = {
        let cb = p.on_command.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                cb.emit(input.value());
                input.set_value("");
            }
        })
    };
    html! {
        <div class="shell">
            <div class="shell-output" role="region" aria-label="Shell output" aria-live="polite">
                { for p.output.iter().map(|l| html! { <div>{ l }</div> }) }
                if !p.enabled { <div class="muted">{ "The container layer arrives with the container module: writes, copy-up and whiteouts will show here." }</div> }
            </div>
            <label class="prompt"><span aria-hidden="true">{ "# " }</span>
                <input type="text" aria-label="Container shell" placeholder="echo hello > /etc/motd" disabled={!p.enabled}
                    spellcheck="false" autocomplete="off" {onkeydown} />
            </label>
        </div>
    }
}
