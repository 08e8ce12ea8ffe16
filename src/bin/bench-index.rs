//! `bench-index`: how fast layerlab indexes an image archive, next to GNU tar (+gzip) on the
//! same layers, in the same run. Prints wall time, MB/s (archive bytes), entries/s and peak
//! memory (VmHWM of a fresh process per measurement).
//!
//! ```sh
//! sudo bash ../shared/fixtures/make-big-image.sh          # once: /tmp/bigimage (about 3 min)
//! cargo run --release --bin bench-index                   # big.docker.tar and big.oci.tar
//! cargo run --release --bin bench-index -- FILE...        # any archives
//! ```
//! Without arguments and without /tmp/bigimage it falls back to the generated fixtures.
//!
//! `bench-index --seek ARCHIVE /PATH` (used by `scripts/cat-bench.sh`) measures the seek index of
//! compressed layers in one process: the load that builds it, its size, the decode pass of the
//! biggest compressed layer before (flate2, no checkpoints) and after (the indexing decoder),
//! alternated, and reading PATH's content through the index next to streaming from the start.
//! GNU tools read each layer blob from a temporary file (extracted before timing): `tar -tf`
//! for uncompressed layers, `gzip -dc | tar -t` for gzip ones.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use layerlab::image::{Archive, LoadOptions, Selector};
    use layerlab::layer::Compression;
    use layerlab::source::{FileSource, Source};
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::Arc;
    use std::time::Instant;

    /// One measurement, as the child prints it.
    struct Run {
        wall: f64,
        entries: u64,
        peak_kib: Option<u64>,
    }

    fn peak_kib() -> Option<u64> {
        let s = std::fs::read_to_string("/proc/self/status").ok()?;
        let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
        l.split_whitespace().nth(1)?.parse().ok()
    }

    fn open(path: &Path) -> Archive {
        let src: Source = Arc::new(FileSource::open(path).unwrap_or_else(|e| die(&format!("{}: {e}", path.display()))));
        Archive::open(src, &path.display().to_string(), false, None).unwrap_or_else(|e| die(&e.to_string()))
    }

    fn die(msg: &str) -> ! {
        eprintln!("bench-index: {msg}");
        std::process::exit(1)
    }

    /// Child mode: index one archive once and print `wall entries peak`.
    fn child(path: &Path, mode: &str) {
        let t = Instant::now();
        let ar = open(path);
        let opts = match mode {
            "index" => LoadOptions { verify: false, hash_compressed: false, changes: false, ..Default::default() },
            "verify" => LoadOptions::default(),
            _ => die("mode is index or verify"),
        };
        let img = ar.load(&Selector::Default, &opts, &mut |_| true).unwrap_or_else(|e| die(&e.to_string()));
        let wall = t.elapsed().as_secs_f64();
        let entries: u64 = img.layers.iter().map(|l| l.entries.len() as u64).sum();
        println!("{wall} {entries} {}", peak_kib().unwrap_or(0));
    }

    fn measure(path: &Path, mode: &str) -> Run {
        let exe = std::env::current_exe().unwrap();
        let o = Command::new(exe).arg("--one").arg(mode).arg(path).output().unwrap();
        if !o.status.success() {
            die(&String::from_utf8_lossy(&o.stderr));
        }
        let s = String::from_utf8_lossy(&o.stdout);
        let f: Vec<&str> = s.split_whitespace().collect();
        Run { wall: f[0].parse().unwrap(), entries: f[1].parse().unwrap(), peak_kib: f[2].parse().ok().filter(|&k| k > 0) }
    }

    /// Times GNU tar (+gzip) over each layer blob of the archive.
    fn gnu(path: &Path) -> Option<(String, f64, u64)> {
        let ar = open(path);
        let opts = LoadOptions { verify: false, hash_compressed: false, changes: false, ..Default::default() };
        let img = ar.load(&Selector::Default, &opts, &mut |_| true).ok()?;
        let dir = std::env::temp_dir().join(format!("bench-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let mut files = Vec::new();
        for l in &img.layers {
            let p = dir.join(format!("{}.blob", l.index));
            let src = &l.blob.source;
            let mut f = std::fs::File::create(&p).ok()?;
            let mut off = 0u64;
            let mut buf = vec![0u8; 1 << 20];
            while off < src.len() {
                let n = ((src.len() - off) as usize).min(buf.len());
                layerlab::source::read_exact_at(&**src, off, &mut buf[..n]).ok()?;
                std::io::Write::write_all(&mut f, &buf[..n]).ok()?;
                off += n as u64;
            }
            files.push((p, l.compression));
        }
        // Drop the page cache effect of writing: read once untimed.
        for (p, _) in &files {
            let _ = Command::new("cat").arg(p).stdout(std::process::Stdio::null()).status();
        }
        let mut what = Vec::new();
        let t = Instant::now();
        let mut entries = 0u64;
        for (p, c) in &files {
            let cmd = match c {
                Compression::None => format!("tar -tf '{}'", p.display()),
                Compression::Gzip => format!("gzip -dc '{}' | tar -t", p.display()),
                Compression::Zstd => format!("zstd -dc '{}' | tar -t", p.display()),
            };
            what.push(match c {
                Compression::None => "tar -tf",
                Compression::Gzip => "gzip -dc | tar -t",
                Compression::Zstd => "zstd -dc | tar -t",
            });
            let o = Command::new("sh").arg("-c").arg(&cmd).output().ok()?;
            entries += o.stdout.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let wall = t.elapsed().as_secs_f64();
        std::fs::remove_dir_all(&dir).ok();
        what.dedup();
        Some((format!("GNU {}", what.join(" + ")), wall, entries))
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    }

    /// Decodes a whole compressed blob and returns the wall seconds.
    fn decode(src: &Source, c: Compression, indexed: bool) -> (f64, usize) {
        use layerlab::source::SourceReader;
        let t = Instant::now();
        let raw = Box::new(SourceReader::new(src.clone()));
        let sink: layerlab::layer::seek::Sink = Default::default();
        let mut r = if indexed {
            layerlab::layer::seek::decode_indexed(c, raw, sink.clone(), layerlab::layer::seek::SPAN)
        } else {
            c.decode(raw)
        }
        .unwrap_or_else(|e| die(&e.to_string()));
        std::io::copy(&mut r, &mut std::io::sink()).unwrap_or_else(|e| die(&e.to_string()));
        let n = sink.borrow().len();
        (t.elapsed().as_secs_f64(), n)
    }

    fn seek(path: &Path, want: &str) {
        let uptime = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_string();
        println!("load average at start: {}", uptime());
        let t = Instant::now();
        let ar = open(path);
        let opts = LoadOptions { verify: false, hash_compressed: false, changes: false, ..Default::default() };
        let img = ar.load(&Selector::Default, &opts, &mut |_| true).unwrap_or_else(|e| die(&e.to_string()));
        let load = t.elapsed().as_secs_f64();
        let (mut points, mut bytes, mut unc) = (0, 0, 0u64);
        for l in &img.layers {
            if let Some(s) = &l.blob.seek {
                points += s.points.len();
                bytes += s.bytes();
            }
            unc += l.uncompressed_size;
        }
        println!("load (index every layer, no verify, builds the seek index): {load:.3} s");
        println!(
            "seek index: {points} checkpoints, {:.2} MiB in memory ({:.2}% of {:.0} MB uncompressed; page budget 64 MiB)",
            bytes as f64 / 1048576.0,
            bytes as f64 * 100.0 / unc.max(1) as f64,
            unc as f64 / 1e6
        );
        let big = img.layers.iter().filter(|l| l.compression != Compression::None).max_by_key(|l| l.uncompressed_size);
        if let Some(l) = big {
            let (mut before, mut after) = (Vec::new(), Vec::new());
            for _ in 0..3 {
                before.push(decode(&l.blob.source, l.compression, false).0);
                after.push(decode(&l.blob.source, l.compression, true).0);
            }
            let (b, a) = (median(before), median(after));
            println!(
                "decode pass of {} ({:.0} MB {}), median of 3 alternated: before (flate2, no index) {b:.3} s, after (indexing decoder) {a:.3} s, after/before {:.2}",
                l.label,
                l.uncompressed_size as f64 / 1e6,
                l.compression.name(),
                a / b
            );
        }
        let rel = want.trim_start_matches('/').as_bytes();
        let Some((l, e)) = img.layers.iter().rev().find_map(|l| l.entries.iter().find(|e| &*e.path == rel).map(|e| (l, e))) else {
            die(&format!("{want}: no such entry in any layer"))
        };
        let mut via = Vec::new();
        let mut got = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            got = l.blob.read_content(e.offset, e.size).unwrap_or_else(|err| die(&err.to_string()));
            via.push(t.elapsed().as_secs_f64());
        }
        let plain = layerlab::layer::LayerBlob::new(l.blob.source.clone(), "no index").unwrap_or_else(|e| die(&e.to_string()));
        let t = Instant::now();
        let reference = plain.read_content(e.offset, e.size).unwrap_or_else(|err| die(&err.to_string()));
        let from_start = t.elapsed().as_secs_f64();
        if reference != got {
            die("the bytes read through the index differ from the bytes read from the start");
        }
        println!(
            "read {want} ({} bytes at offset {} of {}): through the seek index {:.1} ms (median of 5), streaming from the start {:.1} ms; same bytes",
            e.size,
            e.offset,
            l.label,
            median(via) * 1e3,
            from_start * 1e3
        );
        println!("load average at end: {}", uptime());
    }

    fn row(file: &str, tool: &str, bytes: u64, wall: f64, entries: u64, peak: Option<u64>) {
        let mb = bytes as f64 / 1e6;
        println!(
            "{file:<28} {tool:<40} {wall:>8.3} {:>9.1} {:>11.0} {:>9}",
            mb / wall,
            entries as f64 / wall,
            peak.map_or("-".to_string(), |k| format!("{:.1}", k as f64 / 1024.0))
        );
    }

    pub fn main() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.first().map(|s| s.as_str()) == Some("--seek") && args.len() == 3 {
            seek(Path::new(&args[1]), &args[2]);
            return;
        }
        if args.first().map(|s| s.as_str()) == Some("--one") && args.len() == 3 {
            child(Path::new(&args[2]), &args[1]);
            return;
        }
        let mut files: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
        if files.is_empty() {
            let big = Path::new("/tmp/bigimage");
            for n in ["big.docker.tar", "big.oci.tar"] {
                if big.join(n).exists() {
                    files.push(big.join(n));
                }
            }
            if files.is_empty() {
                eprintln!("bench-index: /tmp/bigimage has no big.*.tar (run ../shared/fixtures/make-big-image.sh); using the generated fixtures");
                let shared = std::env::var_os("LAYERLAB_SHARED")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
                for n in ["layered.docker.tar", "layered.oci.tar"] {
                    files.push(shared.join("fixtures/generated").join(n));
                }
            }
        }
        println!("{:<28} {:<40} {:>8} {:>9} {:>11} {:>9}", "archive", "reader", "wall s", "MB/s", "entries/s", "peak MiB");
        for f in &files {
            let bytes = std::fs::metadata(f).map(|m| m.len()).unwrap_or_else(|e| die(&format!("{}: {e}", f.display())));
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            // Warm the page cache so every reader starts equal.
            let _ = Command::new("cat").arg(f).stdout(std::process::Stdio::null()).status();
            let idx = measure(f, "index");
            row(&name, "layerlab index (seek, no verify)", bytes, idx.wall, idx.entries, idx.peak_kib);
            let ver = measure(f, "verify");
            row(&name, "layerlab full load (verify,hash,A/M/D)", bytes, ver.wall, ver.entries, ver.peak_kib);
            if let Some((tool, wall, entries)) = gnu(f) {
                row(&name, &tool, bytes, wall, entries, None);
                println!("{:<28} ratio layerlab/GNU: {:.2}", "", idx.wall / wall);
            }
        }
    }
}
