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
