//! DOCKER: every word the Docker host's part of the page shows, in one place (to translate,
//! replace this file). What the docker commands print is Docker's and is not here.

pub const HOST: &str = "Docker host";
pub const HOST_HINT: &str = "A Docker host in your browser: pull the bundled samples, run containers, and see which layers they share. Archives you open are loaded into it.";
pub const RESET: &str = "Reset Docker host";
pub const RESET_HINT: &str = "Forget every pull, container and write of this Docker host (the page reloads)";
pub const STARTING: &str = "starting the Docker host…";
pub const NO_WORKER: &str = "the page could not start its Docker worker: this browser may not allow web workers here";
pub const TERMINAL: &str = "Docker terminal";
pub const TERMINAL_PLACEHOLDER: &str = "docker pull webapp:1.0   (Tab completes, ↑ ↓ history)";
pub const OUTPUT: &str = "Docker output";
pub const COMPLETIONS: &str = "Completions";
pub const IMAGES: &str = "Images";
pub const NO_IMAGES: &str = "No images yet: docker pull one of the samples, or open an archive.";
pub const CONTAINERS: &str = "Containers";
pub const NO_CONTAINERS: &str = "No containers yet: docker run --name a IMAGE sh -c 'echo a > /tmp/a'";
pub const CONTAINER: &str = "Container";
pub const DIFF: &str = "docker diff";
pub const MERGED: &str = "Merged files";
pub const STORE: &str = "Store";
pub const STORE_HINT: &str = "Each layer is stored once, by ChainID, and drawn once: a layer several images or containers use spans their columns.";
pub const STORE_EMPTY: &str = "The store is empty.";
pub const VAR: &str = "/var/lib/docker";
pub const VAR_SEARCH: &str = "Search /var/lib/docker";
pub const VAR_PLACEHOLDER: &str = "a name, e.g. a diff_id (sha256:…)";
pub const VAR_UNDER: &str = "Under";
pub const VAR_ENTRIES: &str = "Entries";
pub const VAR_NONE: &str = "No entry has that in its name.";

/// `N of M entries` under the search box.
pub fn var_count(shown: usize, total: usize) -> String {
    if shown == total && total == 1 {
        "1 entry".into()
    } else if shown == total {
        format!("{total} entries")
    } else {
        format!("{shown} of {total} entries")
    }
}

/// The tooltip of a store cell.
pub fn used_by(n: usize) -> String {
    if n == 1 {
        "used by 1 column".into()
    } else {
        format!("shared by {n} columns")
    }
}

// BUILD: the "Build context" editor.
pub const CONTEXT: &str = "Build context";
pub const CONTEXT_HINT: &str = "These files are the directory context of the Docker host: docker build -t demo:1 context builds them (docker build . does too). Edits take effect at the next build.";
pub const CONTEXT_EMPTY: &str = "The context is empty: add a Dockerfile.";
pub const NEW_FILE: &str = "New file";
pub const NEW_FILE_PATH: &str = "New file path";
pub const NEW_FILE_PLACEHOLDER: &str = "e.g. src/hello.txt";
pub const DELETE: &str = "Delete";

/// "New file" refused: the path is taken (a file, or a directory of the context's files).
pub fn context_clash(path: &str) -> String {
    format!("context/{path} is already a file or a directory of the build context")
}

/// The delete button's accessible name.
pub fn delete_file(path: &str) -> String {
    format!("{DELETE} {path}")
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

// BUILD: the "Build steps" region (what each step of the last `docker build` did).
pub const STEPS: &str = "Build steps";
pub const STEPS_HINT: &str = "Each step runs in a container made from the image of the step before; the container's layer is committed as a new layer (or only a history row), then the container is removed. A step the cache answers makes nothing.";
pub const STEP_LIST: &str = "Steps";
pub const SHOW_ALL: &str = "Show all";
pub const CACHED: &str = "Using cache";
pub const CACHED_HINT: &str = "The cache had an image for this parent and instruction: no container, no commit.";
pub const FAILED: &str = "Failed";
pub const HISTORY_ONLY: &str = "History row only: the commit added no layer (empty layer).";
pub const NO_CHANGES: &str = "The container's layer holds nothing.";
pub const STACK: &str = "Image layers";
pub const STACK_HINT: &str = "The image's layers, top first: the Dockerfile's layers are marked new (committed by this build) or cache (an earlier build's, reused).";
pub const STACK_EMPTY: &str = "No layers (scratch).";
pub const NEW_LAYER: &str = "new";
pub const CACHED_LAYER: &str = "cache";
pub const COPY_UP: &str = "copy-up";
pub const NEW_ENTRY: &str = "new";
pub const WHITEOUT: &str = "whiteout";
pub const OPAQUE: &str = "opaque dir";

/// The name of a step's entry: `Step 3/4`.
pub fn step_name(n: usize, total: usize) -> String {
    format!("Step {n}/{total}")
}

/// Where the replay is: `Step 2 of 4…`, or done.
pub fn steps_progress(shown: usize, total: usize) -> String {
    if shown >= total {
        format!("{total} steps")
    } else {
        format!("Step {} of {total}…", shown.max(1))
    }
}

/// `FROM`: the base image and its layers.
pub fn base_image(id: &str, layers: usize) -> String {
    format!("Base image {id}: {layers} layer{}", if layers == 1 { "" } else { "s" })
}

pub const SCRATCH: &str = "FROM scratch: no layers yet.";

/// A step's intermediate container appears.
pub fn container_created(id: &str) -> String {
    format!("Container {id} created from the image of the step before")
}

/// COPY/ADD: the builder's container, never printed.
pub const COPY_CONTAINER: &str = "Files written into a container the builder does not print";

/// The list of a container's changes.
pub fn changes_of(id: &str) -> String {
    format!("Changes in container {id}")
}

/// The commit of a layer.
pub fn committed(diff_id: &str, size: &str) -> String {
    format!("Committed: layer {diff_id} ({size}) joins the stack")
}

/// The container removed after the commit.
pub fn removed(id: &str) -> String {
    format!("Removed intermediate container {id}")
}

/// The image a step ended with.
pub fn step_image(id: &str) -> String {
    format!("Image {id}")
}
