//! The page's Docker panel: a Yew app of its own, loaded on first use (see
//! `layerlab::ui::docker_bridge`). trunk builds it from index.html (`no-modules` output).
#[cfg(target_arch = "wasm32")]
fn main() {
    layerlab::ui::docker_app::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the Docker panel runs in a browser: scripts/serve.sh builds and serves it");
    std::process::exit(2);
}
