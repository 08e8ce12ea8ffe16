//! The page's components, one per file.
pub mod commit_panel;
pub mod container_controls;
pub mod container_panel;
pub mod diff_view;
pub mod event_log;
pub mod file_tree;
pub mod file_actions;
pub mod file_view;
pub mod image_panel;
pub mod jobs;
pub mod layer_stack;
pub mod notices;
pub mod open_bar;
pub mod shell;

/// Human size: 1536 -> "1.5 KiB".
pub fn human(n: u64) -> String {
    const U: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", U[i])
    }
}

/// A stable colour for a layer id (CSS hue).
pub fn hue(id: u32) -> u32 {
    (id * 67 + 200) % 360
}
