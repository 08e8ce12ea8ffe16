//! DOCKER: the Docker panel's app: mounts [`crate::ui::components::docker_panel::DockerPanel`]
//! into the page's `#docker-host` (see [`crate::ui::docker_bridge`]).

/// Mounts the panel.
pub fn run() {
    console_error_panic_hook::set_once();
    let doc = gloo::utils::document();
    if let Some(root) = doc.get_element_by_id(crate::ui::docker_bridge::ROOT_ID) {
        yew::Renderer::<crate::ui::components::docker_panel::DockerPanel>::with_root(root).render();
    }
}
