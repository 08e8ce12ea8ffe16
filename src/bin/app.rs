//! The web page: mounts the Yew app (see `layerlab::ui`). Built by trunk from `index.html`.
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::run_app();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the page runs in a browser: scripts/serve.sh builds and serves it");
    std::process::exit(2);
}
