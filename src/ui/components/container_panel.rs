//! CONTAINER (issue 3) and COMMIT (issue 5): the "Container" panel: mount options, Undo and
//! Reset, the shell, the event log, `docker diff`, and the commit form. It draws the container
//! part of the state ([`ContainerState`]); what it is told to do goes out through callbacks.
use crate::container::Config;
use crate::ui::components::commit_panel::{CommitForm, CommitPanel};
use crate::ui::components::container_controls::ContainerControls;
use crate::ui::components::diff_view::DiffView;
use crate::ui::components::event_log::EventLog;
use crate::ui::components::shell::Shell;
use crate::ui::state::ContainerState;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub container: Rc<ContainerState>,
    /// Something is stacked (the container runs over it).
    pub stacked: bool,
    /// At least one stacked layer is switched on (there is something to commit).
    pub any_on: bool,
    /// A shell line (also "undo" and "reset").
    pub on_command: Callback<String>,
    pub on_mount: Callback<Config>,
    pub on_commit: Callback<CommitForm>,
    pub on_export: Callback<()>,
}

#[function_component(ContainerPanel)]
pub fn container_panel(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let c = &p.container;
    let on_undo = {
        let cb = p.on_command.clone();
        Callback::from(move |_| cb.emit("undo".to_string()))
    };
    let on_reset = {
        let cb = p.on_command.clone();
        Callback::from(move |_| cb.emit("reset".to_string()))
    };
    let shell_on = c.ready || p.stacked;
    html! {
        <section class="panel container" aria-labelledby="container-h">
            <h2 id="container-h">{ tr.t("container.heading") }</h2>
            <ContainerControls mount={c.mount} can_undo={c.can_undo} empty={c.empty}
                enabled={p.stacked} on_mount={p.on_mount.clone()} on_undo={on_undo} on_reset={on_reset} />
            <Shell output={c.shell_output.clone()} enabled={shell_on} on_command={p.on_command.clone()} />
            <h3>{ tr.t("container.events") }</h3>
            <EventLog events={c.events.clone()} />
            <h3>{ "docker diff" }</h3>
            <DiffView lines={c.diff.clone()} enabled={false} />
            <h3>{ tr.t("container.commit") }</h3>
            <CommitPanel enabled={p.any_on} changed={c.diff.len()} on_commit={p.on_commit.clone()} on_export={p.on_export.clone()} />
        </section>
    }
}
