//! `layerlab`: the command-line face of the core. Everything lives in `layerlab::cli`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let stderr = std::io::stderr();
    let code = layerlab::cli::run(std::env::args_os().collect(), &mut out, &mut stderr.lock());
    let code = match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("layerlab: writing the output failed: {e}");
            1
        }
        _ => code,
    };
    std::process::exit(code);
}

#[cfg(target_arch = "wasm32")]
fn main() {}
