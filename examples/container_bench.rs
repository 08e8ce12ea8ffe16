//! Benchmark of the container layer: prints ops/s for 10,000 metadata ops and the cost of
//! copy-ups over a large synthetic stack (5 layers, 100,000 files).
//!
//! `cargo run --release --example container_bench`

use layerlab::container::{ops, Config, Container};
use layerlab::tree::{Content, Kind, Node, Tree, ROOT};
use layerlab::union::Stack;
use std::sync::Arc;
use std::time::Instant;

fn big_stack(layers: usize, dirs: usize, files_per_dir: usize) -> Stack {
    let mut out = Vec::new();
    for l in 0..layers {
        let mut t = Tree::new();
        let usr = t.insert(ROOT, b"usr", Node::dir(0o755, 0, 0));
        for d in 0..dirs {
            let dir = t.insert(usr, format!("d{d}").as_bytes(), Node::dir(0o755, 0, 0));
            for f in 0..files_per_dir {
                let size = 1usize << ((f + l) % 17); // 1 B .. 64 KiB
                let content = Content::Bytes(Arc::from(vec![b'x'; size]));
                t.insert(dir, format!("f{f}-{l}").as_bytes(), Node::new(Kind::File(content), 0o644, 0, 0));
            }
        }
        out.push(Arc::new(t));
    }
    Stack::new(out)
}

fn main() {
    let t0 = Instant::now();
    let stack = big_stack(5, 200, 100);
    println!("stack: 5 layers x 200 dirs x 100 files built in {:.2?}", t0.elapsed());

    // 10,000 metadata ops: chmod/chown/touch/stat/mkdir/symlink/rename of new entries.
    let mut script = String::new();
    for i in 0..10_000 {
        let d = i % 200;
        let f = i % 100;
        let l = i % 5;
        let line = match i % 8 {
            0 => format!("chmod 600 /usr/d{d}/f{f}-{l}"),
            1 => format!("chown 1:1 /usr/d{d}/f{f}-{l}"),
            2 => format!("touch /usr/d{d}/f{f}-{l}"),
            3 => format!("stat /usr/d{d}/f{f}-{l}"),
            4 => format!("mkdir /usr/d{d}/new{i}"),
            5 => format!("symlink f{f}-{l} /usr/d{d}/s{i}"),
            6 => format!("rename /usr/d{d}/s{} /usr/d{d}/r{i}", i - 1),
            _ => format!("readlink /usr/d{d}/r{}", i - 1),
        };
        script.push_str(&line);
        script.push('\n');
    }
    let ops = ops::parse(script.as_bytes()).expect("bench script parses");
    for config in [Config::Default, Config::Metacopy] {
        let mut c = Container::new(stack.clone(), config);
        let t = Instant::now();
        let mut copied = 0;
        for o in &ops {
            copied += c.apply(&o.op).bytes_copied;
        }
        let dt = t.elapsed().as_secs_f64();
        println!(
            "{:>8}: {} metadata ops in {:.3} s = {:.0} ops/s ({} bytes copied up)",
            config.name(),
            ops.len(),
            dt,
            ops.len() as f64 / dt,
            copied
        );
    }

    // Copy-up cost: open O_RDWR of 20,000 lower files (1 B .. 64 KiB each).
    let mut script = String::new();
    for d in 0..200 {
        for f in 0..100 {
            script.push_str(&format!("open-rw /usr/d{d}/f{f}-4\n"));
        }
    }
    let ops = ops::parse(script.as_bytes()).expect("copy-up script parses");
    let mut c = Container::new(stack.clone(), Config::Default);
    let t = Instant::now();
    let mut bytes = 0u64;
    for o in &ops {
        bytes += c.apply(&o.op).bytes_copied;
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "copy-up: {} files, {} bytes in {:.3} s = {:.0} copy-ups/s, {:.1} MB/s modelled (data is shared, not duplicated)",
        ops.len(),
        bytes,
        dt,
        ops.len() as f64 / dt,
        bytes as f64 / dt / 1e6
    );
    println!("container size (docker ps -s): {} bytes, virtual {} bytes", c.usage().size, c.usage().virtual_size);

    // Writes materialize data: append one byte to 2,000 lower files.
    let mut script = String::new();
    for d in 0..200 {
        for f in 0..10 {
            script.push_str(&format!("append /usr/d{d}/f{f}-3 +\n"));
        }
    }
    let ops = ops::parse(script.as_bytes()).expect("write script parses");
    let mut c = Container::new(stack, Config::Default);
    let t = Instant::now();
    let mut bytes = 0u64;
    for o in &ops {
        bytes += c.apply(&o.op).bytes_copied;
    }
    let dt = t.elapsed().as_secs_f64();
    println!("copy-up + append: {} files, {} bytes in {:.3} s = {:.1} MB/s", ops.len(), bytes, dt, bytes as f64 / dt / 1e6);
}
