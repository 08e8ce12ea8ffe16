//! DOCKER: every word the Docker host's part of the page shows, as message keys
//! (`docker.*` in the message files, both languages); the helpers below build the sentences
//! with numbers and names. What the docker commands print is Docker's and is not here.
use crate::ui::lang::Tr;

/// `N of M entries` under the search box.
pub fn var_count(tr: &Tr, shown: usize, total: usize) -> String {
    if shown == total && total == 1 {
        tr.t("docker.var_count_one").into()
    } else if shown == total {
        tr.f("docker.var_count_all", &[&total.to_string()])
    } else {
        tr.f("docker.var_count_some", &[&shown.to_string(), &total.to_string()])
    }
}

/// The tooltip of a store cell.
pub fn used_by(tr: &Tr, n: usize) -> String {
    if n == 1 {
        tr.t("docker.used_by_one").into()
    } else {
        tr.f("docker.shared_by", &[&n.to_string()])
    }
}

/// "New file" refused: the path is taken (a file, or a directory of the context's files).
pub fn context_clash(tr: &Tr, path: &str) -> String {
    tr.f("docker.context_clash", &[path])
}

/// The delete button's accessible name.
pub fn delete_file(tr: &Tr, path: &str) -> String {
    tr.f("docker.delete_file", &[path])
}

/// The build context the editor starts with: a Dockerfile over a bundled sample and the file
/// it copies.
pub const SAMPLE_CONTEXT: &[(&str, &str)] = &[
    (
        "Dockerfile",
        "FROM webapp:1.0\nCOPY app.txt /app/\nRUN wc -c /app/app.txt > /tmp/size.txt\nCMD [\"cat\", \"/app/app.txt\"]\n",
    ),
    ("app.txt", "hello from the build context\n"),
];

/// The name of a step's entry: `Step 3/4`.
pub fn step_name(tr: &Tr, n: usize, total: usize) -> String {
    tr.f("docker.step_name", &[&n.to_string(), &total.to_string()])
}

/// Where the replay is: `Step 2 of 4…`, or done.
pub fn steps_progress(tr: &Tr, shown: usize, total: usize) -> String {
    if shown >= total {
        tr.f("docker.steps_total", &[&total.to_string()])
    } else {
        tr.f("docker.steps_progress", &[&shown.max(1).to_string(), &total.to_string()])
    }
}

/// `FROM`: the base image and its layers.
pub fn base_image(tr: &Tr, id: &str, layers: usize) -> String {
    if layers == 1 {
        tr.f("docker.base_image_one", &[id])
    } else {
        tr.f("docker.base_image", &[id, &layers.to_string()])
    }
}

/// A step's intermediate container appears.
pub fn container_created(tr: &Tr, id: &str) -> String {
    tr.f("docker.container_created", &[id])
}

/// The list of a container's changes.
pub fn changes_of(tr: &Tr, id: &str) -> String {
    tr.f("docker.changes_of", &[id])
}

/// The commit of a layer.
pub fn committed(tr: &Tr, diff_id: &str, size: &str) -> String {
    tr.f("docker.committed", &[diff_id, size])
}

/// The container removed after the commit.
pub fn removed(tr: &Tr, id: &str) -> String {
    tr.f("docker.removed", &[id])
}

/// The image a step ended with.
pub fn step_image(tr: &Tr, id: &str) -> String {
    tr.f("docker.step_image", &[id])
}
