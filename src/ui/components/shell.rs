//! CONTAINER (issue 3): the shell-like prompt that writes into the container layer
//! (`echo > / >>`, `cat`, `ls`, `rm`, `mkdir`, `mv`, `ln`, `chmod`, ... worded like coreutils,
//! history with the up arrow). Disabled until there is a stack to run the container over.
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
    let tr = crate::ui::lang::use_tr();
    // Earlier lines, and where the up/down arrows are in them.
    let history = use_mut_ref(Vec::<String>::new);
    let cursor = use_mut_ref(|| 0usize);
    let onkeydown = {
        let cb = p.on_command.clone();
        Callback::from(move |e: KeyboardEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut h = history.borrow_mut();
            let mut c = cursor.borrow_mut();
            match e.key().as_str() {
                "Enter" => {
                    let line = input.value();
                    if !line.trim().is_empty() {
                        h.push(line.clone());
                        cb.emit(line);
                    }
                    *c = h.len();
                    input.set_value("");
                }
                "ArrowUp" if *c > 0 => {
                    e.prevent_default();
                    *c -= 1;
                    input.set_value(&h[*c]);
                }
                "ArrowDown" if *c < h.len() => {
                    e.prevent_default();
                    *c += 1;
                    input.set_value(h.get(*c).map(String::as_str).unwrap_or(""));
                }
                _ => {}
            }
        })
    };
    // The newest output stays in view.
    let out = use_node_ref();
    {
        let out = out.clone();
        use_effect_with(p.output.len(), move |_| {
            if let Some(e) = out.cast::<web_sys::Element>() {
                e.set_scroll_top(e.scroll_height());
            }
        });
    }
    html! {
        <div class="shell">
            <div class="shell-output" role="region" aria-label={tr.t("shell.output")} aria-live="polite" ref={out}>
                { for p.output.iter().map(|l| html! { <div>{ crate::host::container::said_key(l).map_or_else(|| l.clone(), |k| tr.t(k).to_string()) }</div> }) }
                if !p.enabled { <div class="muted">{ tr.t("shell.empty") }</div> }
            </div>
            <label class="prompt"><span aria-hidden="true">{ "# " }</span>
                <input type="text" aria-label={tr.t("shell.label")} placeholder="echo hello > /etc/motd" disabled={!p.enabled}
                    spellcheck="false" autocomplete="off" {onkeydown} />
            </label>
        </div>
    }
}
