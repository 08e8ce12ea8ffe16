//! Memory of the docker host (`layerlab::docker`) holding the big image and 50 containers over
//! it: `docker load -i big.docker.tar`, then 50 × `docker run --name cN IMAGE sh -c 'echo N >
//! /etc/cN'` (each container writes its own file, so each has a container layer of its own).
//! Prints the live heap (a counting global allocator) after the load with no container (the
//! reference, same process) and after the 50 runs, the heap's peak and the process's peak RSS
//! (VmHWM), against the 64 MiB budget:
//! `containers=50 heap_mib=… ref_heap_mib=… per_container_kib=… peak_heap_mib=… vmhwm_mib=…`.
//!
//! `cargo run --release --example docker_memory [-- ARCHIVE [N]]`
//! (ARCHIVE defaults to /tmp/bigimage/big.docker.tar, built by
//! `../shared/fixtures/make-big-image.sh`; N to 50.)

use layerlab::docker::{Docker, Registry};
use layerlab::image::Archive;
use layerlab::source::FileSource;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

/// The system allocator, counting the bytes live now and at most.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            if new >= l.size() {
                let now = LIVE.fetch_add(new - l.size(), Relaxed) + new - l.size();
                PEAK.fetch_max(now, Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

fn mib(b: usize) -> f64 {
    b as f64 / (1 << 20) as f64
}

fn vmhwm_kib() -> usize {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok()).unwrap_or(0)
}

fn run(d: &mut Docker, line: &str) -> String {
    let o = d.run(&layerlab::docker::argv::split(line).expect("the line splits"));
    assert_eq!(o.code, 0, "`{line}` failed:\n{}", o.out);
    o.out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let archive = args.next().unwrap_or_else(|| "/tmp/bigimage/big.docker.tar".into());
    let n: usize = args.next().map_or(50, |s| s.parse().expect("N is a number"));
    if !std::path::Path::new(&archive).is_file() {
        eprintln!("{archive}: no such file (build it with ../shared/fixtures/make-big-image.sh)");
        std::process::exit(2);
    }
    let loader = Box::new(|p: &str| {
        let src = FileSource::open(p).map_err(|e| e.to_string())?;
        Archive::open(Arc::new(src), p, true, None).map(Arc::new).map_err(|e| e.to_string())
    });
    let base = LIVE.load(Relaxed);
    let mut docker = Docker::new(Registry::default(), loader);
    let t = Instant::now();
    let out = run(&mut docker, &format!("docker load -i {archive}"));
    let image = out.lines().find_map(|l| l.strip_prefix("Loaded image: ").or_else(|| l.strip_prefix("Loaded image ID: "))).expect("load names the image").to_string();
    let load_s = t.elapsed().as_secs_f64();
    let ref_heap = LIVE.load(Relaxed) - base;
    let load_peak = PEAK.load(Relaxed) - base;
    let t = Instant::now();
    for i in 1..=n {
        run(&mut docker, &format!("docker run --name c{i} {image} sh -c 'echo {i} > /etc/c{i}'"));
    }
    let run_s = t.elapsed().as_secs_f64();
    // Each container holds its own write (and nothing of the others').
    assert_eq!(run(&mut docker, &format!("docker diff c{n}")), format!("C /etc\nA /etc/c{n}\n"));
    let heap = LIVE.load(Relaxed) - base;
    println!("image {image} from {archive}: load {load_s:.2} s (heap peak during load {:.1} MiB), {n} runs {run_s:.2} s", mib(load_peak));
    println!(
        "containers={n} heap_mib={:.1} ref_heap_mib={:.1} per_container_kib={:.1} peak_heap_mib={:.1} vmhwm_mib={:.1} budget_mib=64 {}",
        mib(heap),
        mib(ref_heap),
        (heap.saturating_sub(ref_heap)) as f64 / 1024.0 / n.max(1) as f64,
        mib(PEAK.load(Relaxed) - base),
        vmhwm_kib() as f64 / 1024.0,
        if heap <= 64 << 20 { "within" } else { "OVER" }
    );
}
