//! The page's Docker worker: the simulated Docker host (see `layerlab::ui::docker_worker`),
//! loaded only when the page's Docker host is first used. trunk builds it from index.html.
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::docker_worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the Docker worker runs in a browser: scripts/serve.sh builds and serves it");
    std::process::exit(2);
}
