//! The page's components, one per file.
pub mod commit_panel;
pub mod compare_view;
pub mod container_controls;
pub mod container_panel;
pub mod diff_view;
pub mod drivers_launcher;
pub mod drivers_panel;
pub mod inspect_launcher;
pub mod inspect_panel;
pub mod drivers_view;
pub mod build_context;
pub mod build_steps;
pub mod docker_launcher;
pub mod docker_panel;
pub mod docker_text;
pub mod store_view;
pub mod var_lib_view;
pub mod event_log;
pub mod file_tree;
pub mod file_actions;
pub mod file_view;
pub mod image_panel;
pub mod interview;
pub mod jobs;
pub mod lang_switch;
pub mod layer_stack;
pub mod layers_diagram;
pub mod myths;
pub mod lessons_panel;
pub mod notices;
pub mod open_bar;
pub mod shell;

/// The page's own wording for sizes ([`crate::units::binary`]).
pub use crate::units::binary as human;

/// A stable colour for a layer id (CSS hue).
pub fn hue(id: u32) -> u32 {
    (id * 67 + 200) % 360
}
