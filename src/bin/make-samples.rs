//! Writes the page's bundled sample images (docker save archives, docker 25+ layout) into a
//! folder (default `www/samples/`), with `index.json` listing them for the page.
//!
//! Reproducible: fixed mtimes, uid/gid 0, entries sorted by path, pseudo-random bytes from a
//! fixed seed, JSON in a fixed key order. The archives are written by `commit::save` (the one
//! archive writer), so they are what `layerlab save` would write for these images. Running it twice gives identical bytes (checked by
//! `scripts/web-test.sh`).
//!
//! The stories (one layer each, see `webapp_layers`): a base layer (with symlinks and a
//! hardlink), an app layer, a config change, a deleted file (whiteout), a replaced directory
//! (opaque), a big file, the big file overwritten (wasted space); and a second image, `worker`,
//! that shares the base and app layers.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "www/samples".into());
    if let Err(e) = samples::write_all(std::path::Path::new(&dir)) {
        eprintln!("make-samples: {e}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod samples {
    use layerlab::commit::save::{save, SaveFormat, SaveImage, SaveLayer};
    use layerlab::layer::Compression;
    use layerlab::source::MemSource;
    use serde_json::json;
    use std::io;
    use std::path::Path;
    use std::sync::Arc;

    /// 2024-01-01T00:00:00Z; layer N is stamped N hours later.
    const EPOCH: u64 = 1_704_067_200;

    enum E {
        Dir(&'static str, u32),
        File(&'static str, u32, Vec<u8>),
        /// A file owned by uid:gid.
        Owned(&'static str, u32, u32, Vec<u8>),
        Sym(&'static str, &'static str),
        Hard(&'static str, &'static str),
        /// `DIR/.wh.NAME`
        Whiteout(&'static str),
        /// `DIR/.wh..wh..opq`
        Opaque(&'static str),
    }

    impl E {
        fn path(&self) -> String {
            match self {
                E::Dir(p, _) | E::File(p, _, _) | E::Owned(p, ..) | E::Sym(p, _) | E::Hard(p, _) => p.to_string(),
                E::Whiteout(p) => match p.rsplit_once('/') {
                    Some((d, n)) => format!("{d}/.wh.{n}"),
                    None => format!(".wh.{p}"),
                },
                E::Opaque(d) => format!("{d}/.wh..wh..opq"),
            }
        }
    }

    struct Layer {
        created_by: &'static str,
        entries: Vec<E>,
    }

    fn noise(seed: u64, n: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    fn text(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    fn tar_layer(entries: &[E], mtime: u64) -> io::Result<Vec<u8>> {
        let mut order: Vec<&E> = entries.iter().collect();
        // Parents before children; a hardlink after its target (targets are named to sort first).
        order.sort_by_key(|e| e.path());
        let mut b = tar::Builder::new(Vec::new());
        for e in order {
            let mut h = tar::Header::new_ustar();
            h.set_mtime(mtime);
            h.set_uid(0);
            h.set_gid(0);
            h.set_size(0);
            let path = e.path();
            match e {
                E::Dir(_, mode) => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(*mode);
                    b.append_data(&mut h, format!("{path}/"), io::empty())?;
                }
                E::File(_, mode, data) | E::Owned(_, mode, _, data) => {
                    if let E::Owned(_, _, id, _) = e {
                        h.set_uid(*id as u64);
                        h.set_gid(*id as u64);
                    }
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(*mode);
                    h.set_size(data.len() as u64);
                    b.append_data(&mut h, &path, &data[..])?;
                }
                E::Sym(_, target) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_mode(0o777);
                    b.append_link(&mut h, &path, target)?;
                }
                E::Hard(_, target) => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(0o755);
                    b.append_link(&mut h, &path, target)?;
                }
                E::Whiteout(_) | E::Opaque(_) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    b.append_data(&mut h, &path, io::empty())?;
                }
            }
        }
        b.into_inner()
    }

    fn base_layer() -> Layer {
        Layer {
            created_by: "/bin/sh -c #(nop) ADD file:base-rootfs.tar in / ",
            entries: vec![
                E::Dir("bin", 0o755),
                E::Sym("bin/sh", "dash"),
                E::File("bin/dash", 0o755, noise(1, 6 * 1024)),
                E::Dir("etc", 0o755),
                E::File("etc/os-release", 0o644, text("PRETTY_NAME=\"Samplix 1.0\"\nID=samplix\nVERSION_ID=1.0\n")),
                E::File("etc/passwd", 0o644, text("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")),
                E::File("etc/motd", 0o644, text("Welcome to Samplix! This message is deleted by a later layer.\n")),
                E::Dir("home", 0o755),
                E::Dir("root", 0o700),
                E::Dir("tmp", 0o1777),
                E::Dir("usr", 0o755),
                E::Dir("usr/bin", 0o755),
                E::File("usr/bin/python3", 0o755, noise(2, 12 * 1024)),
                // Two names, one inode: a hardlink (the target sorts first).
                E::Hard("usr/bin/python3.12", "usr/bin/python3"),
                E::Sym("usr/bin/python", "python3"),
                E::Dir("usr/lib", 0o755),
                E::File("usr/lib/libc.so.6", 0o755, noise(3, 16 * 1024)),
                E::Sym("usr/lib/libc.so", "libc.so.6"),
                E::Dir("var", 0o755),
                E::Dir("var/log", 0o755),
            ],
        }
    }

    fn app_layer() -> Layer {
        Layer {
            created_by: "COPY app/ /app/ # buildkit",
            entries: vec![
                E::Dir("app", 0o755),
                E::File("app/server.py", 0o755, text("#!/usr/bin/python3\nimport http.server\nhttp.server.test(port=8080)\n")),
                E::File("app/config.yaml", 0o644, text("debug: true\nport: 8080\n")),
                E::File("app/requirements.txt", 0o644, text("flask==3.0.0\n")),
                E::Dir("app/static", 0o755),
                E::File("app/static/index.html", 0o644, text("<!doctype html><title>v1</title><h1>Hello v1</h1>\n")),
                E::File("app/static/logo.png", 0o644, [b"\x89PNG\r\n\x1a\n".to_vec(), noise(4, 2048)].concat()),
                E::Dir("home/app", 0o755),
                E::Owned("home/app/.profile", 0o644, 1000, text("export PATH=/app:$PATH\n")),
                E::Dir("tmp", 0o1777),
                E::File("tmp/build.log", 0o644, text("build ok\n")),
            ],
        }
    }

    fn webapp_layers() -> Vec<Layer> {
        vec![
            base_layer(),
            app_layer(),
            Layer {
                created_by: "RUN sed -i s/debug: true/debug: false/ /app/config.yaml # buildkit",
                entries: vec![E::Dir("app", 0o755), E::File("app/config.yaml", 0o644, text("debug: false\nport: 8080\n"))],
            },
            Layer {
                created_by: "RUN rm /etc/motd /tmp/build.log # buildkit",
                entries: vec![E::Dir("etc", 0o755), E::Whiteout("etc/motd"), E::Dir("tmp", 0o1777), E::Whiteout("tmp/build.log")],
            },
            Layer {
                created_by: "COPY static-v2/ /app/static/ # replaced wholesale (opaque directory)",
                entries: vec![
                    E::Dir("app", 0o755),
                    E::Dir("app/static", 0o755),
                    E::Opaque("app/static"),
                    E::File("app/static/index.html", 0o644, text("<!doctype html><title>v2</title><h1>Hello v2</h1><script src=app.js></script>\n")),
                    E::File("app/static/app.js", 0o644, text("console.log('v2');\n")),
                ],
            },
            Layer {
                created_by: "ADD model-v1.bin /data/model.bin # buildkit",
                entries: vec![E::Dir("data", 0o755), E::File("data/model.bin", 0o644, noise(5, 1 << 20))],
            },
            Layer {
                created_by: "ADD model-v2.bin /data/model.bin # the 1 MiB below is now wasted space",
                entries: vec![E::Dir("data", 0o755), E::File("data/model.bin", 0o644, noise(6, 1 << 20))],
            },
        ]
    }

    fn worker_layers() -> Vec<Layer> {
        vec![
            base_layer(),
            app_layer(),
            Layer {
                created_by: "COPY worker.py /app/worker.py # buildkit",
                entries: vec![
                    E::Dir("app", 0o755),
                    E::File("app/worker.py", 0o755, text("#!/usr/bin/python3\nimport time\nwhile True: time.sleep(60)\n")),
                ],
            },
        ]
    }

    fn sha_hex(b: &[u8]) -> String {
        layerlab::digest::hex(&layerlab::digest::sha256(b))
    }

    fn image(tag: &str, layers: Vec<Layer>, cmd: &[&str], empty_after: &[(usize, &str)]) -> io::Result<SaveImage> {
        let mut blobs = Vec::new();
        let mut history = Vec::new();
        for (i, l) in layers.iter().enumerate() {
            let t = tar_layer(&l.entries, EPOCH + 3600 * i as u64)?;
            history.push(json!({"created": created(i), "created_by": l.created_by}));
            for (after, what) in empty_after {
                if *after == i {
                    history.push(json!({"created": created(i), "created_by": what, "empty_layer": true}));
                }
            }
            // Uncompressed: the blob digest is the diff_id.
            let digest = format!("sha256:{}", sha_hex(&t));
            blobs.push(SaveLayer { blob: MemSource::shared(t), digest: digest.clone(), diff_id: digest, compression: Compression::None });
        }
        let config = json!({
            "architecture": "amd64",
            "os": "linux",
            "created": created(layers.len()),
            "config": {
                "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=production"],
                "Cmd": cmd,
                "WorkingDir": "/app",
                "User": "app",
                "Labels": {"org.opencontainers.image.source": "layerlab make-samples"},
            },
            "rootfs": {"type": "layers", "diff_ids": blobs.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
            "history": history,
        });
        let config: Arc<[u8]> = Arc::from(serde_json::to_vec(&config)?);
        Ok(SaveImage { config, layers: blobs, tags: vec![tag.to_string()], ref_names: Vec::new() })
    }

    fn created(i: usize) -> String {
        format!("2024-01-01T{:02}:00:00Z", i)
    }

    /// A `docker save` archive (docker 25+ layout: OCI layout plus `manifest.json`), written
    /// by the one archive writer, [`layerlab::commit::save`], with mtime 0.
    fn docker_save(images: &[&SaveImage]) -> io::Result<Vec<u8>> {
        let images: Vec<SaveImage> = images.iter().map(|i| (*i).clone()).collect();
        save(&images, SaveFormat::Docker, 0, Vec::new()).map_err(|e| io::Error::other(e.to_string()))
    }

    pub fn write_all(dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let webapp = image(
            "webapp:1.0",
            webapp_layers(),
            &["python3", "/app/server.py"],
            &[(1, "ENV APP_ENV=production"), (6, "EXPOSE map[8080/tcp:{}]"), (6, "CMD [\"python3\" \"/app/server.py\"]")],
        )?;
        let worker = image("worker:1.0", worker_layers(), &["python3", "/app/worker.py"], &[(2, "CMD [\"python3\" \"/app/worker.py\"]")])?;
        let files = [
            ("webapp.docker.tar", docker_save(&[&webapp])?, "webapp:1.0",
             "Seven layers: base (symlinks, a hardlink), app, a config change, deleted files (whiteouts), a replaced directory (opaque), a 1 MiB file and the same file overwritten (1 MiB wasted)."),
            ("worker.docker.tar", docker_save(&[&worker])?, "worker:1.0",
             "A second image built on the same base and app layers as webapp:1.0: same diff_ids, stored once."),
            ("both.docker.tar", docker_save(&[&webapp, &worker])?, "webapp + worker",
             "docker save of both images: shared layers appear once in the archive."),
        ];
        let mut index = Vec::new();
        for (name, bytes, title, story) in &files {
            std::fs::write(dir.join(name), bytes)?;
            index.push(json!({"file": name, "title": title, "story": story, "size": bytes.len(), "sha256": sha_hex(bytes)}));
        }
        std::fs::write(dir.join("index.json"), serde_json::to_vec_pretty(&index)?)?;
        Ok(())
    }
}
