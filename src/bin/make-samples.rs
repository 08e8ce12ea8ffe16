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
//! that shares the base and app layers. For the lessons (issue 15): `union-ab` (the seeds' A/B
//! union example, three layers), `leaky` / `leaky-fixed` (a key copied in one layer and removed
//! in the next, an API token in ENV; the same build with a secret mount), `redis` (the seeds'
//! `latest` and `5.0` pulls: six gzip layers each, the bottom three shared; and `5.0-rebased`,
//! 5.0's upper five layers over another base, for the ChainID twist) and `flannel` (the
//! seeds' `docker history`: 11 rows, 7 layers), all a few KB.

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

    /// The seeds' union example (S3 §2), as image layers, bottom first: B = {`foo/` dir, `bar`
    /// file, `onlyB`}, A = {`foo` file, `bar/` dir with `x`}, A2 = {`bar/z`}. Stacked B, A, A2:
    /// one mount point, names looked up top down, no `/C/B`.
    fn union_ab_layers() -> Vec<Layer> {
        vec![
            Layer {
                created_by: "COPY B/ / # the seed's file system B",
                entries: vec![
                    E::Dir("foo", 0o755),
                    E::File("foo/y", 0o644, text("y, inside B's directory foo\n")),
                    E::File("bar", 0o644, text("from B\n")),
                    E::File("onlyB", 0o644, text("only in B\n")),
                ],
            },
            Layer {
                created_by: "COPY A/ / # the seed's file system A",
                entries: vec![
                    E::File("foo", 0o644, text("from A\n")),
                    E::Dir("bar", 0o755),
                    E::File("bar/x", 0o644, text("x, inside A's directory bar\n")),
                ],
            },
            Layer {
                created_by: "COPY A2/ / # a third layer: one more file in bar/",
                entries: vec![E::Dir("bar", 0o755), E::File("bar/z", 0o644, text("z, inside A2's directory bar\n"))],
            },
        ]
    }

    /// A small base for the samples below: a shell, os-release, passwd.
    fn tiny_base(name: &'static str, seed: u64, created_by: &'static str) -> Layer {
        Layer {
            created_by,
            entries: vec![
                E::Dir("bin", 0o755),
                E::File("bin/sh", 0o755, noise(seed, 3 * 1024)),
                E::Dir("etc", 0o755),
                E::File("etc/os-release", 0o644, format!("PRETTY_NAME=\"{name}\"\n").into_bytes()),
                E::File("etc/passwd", 0o644, text("root:x:0:0:root:/root:/bin/sh\n")),
                E::Dir("root", 0o700),
                E::Dir("tmp", 0o1777),
            ],
        }
    }

    /// A private key, copied in one layer and removed in the next (S3 Q7, L11).
    const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBsYXllcmxhYi1zYW1wbGUta2V5LW5vdC1hLXJlYWwtb25lAAAAAAAAAA==\n-----END OPENSSH PRIVATE KEY-----\n";

    fn leaky_layers() -> Vec<Layer> {
        vec![
            tiny_base("Samplix 1.0", 11, "/bin/sh -c #(nop) ADD file:base-rootfs.tar in / "),
            Layer {
                created_by: "COPY id_rsa /root/.ssh/id_rsa # buildkit",
                entries: vec![E::Dir("root", 0o700), E::Dir("root/.ssh", 0o700), E::File("root/.ssh/id_rsa", 0o600, text(KEY))],
            },
            Layer {
                created_by: "RUN git clone git@example.com:team/app.git /app && rm /root/.ssh/id_rsa # buildkit",
                entries: vec![
                    E::Dir("app", 0o755),
                    E::File("app/main.sh", 0o755, text("#!/bin/sh\necho app\n")),
                    E::Dir("root", 0o700),
                    E::Dir("root/.ssh", 0o700),
                    E::Whiteout("root/.ssh/id_rsa"),
                ],
            },
        ]
    }

    fn leaky_fixed_layers() -> Vec<Layer> {
        vec![
            tiny_base("Samplix 1.0", 11, "/bin/sh -c #(nop) ADD file:base-rootfs.tar in / "),
            Layer {
                created_by: "RUN --mount=type=secret,id=ssh_key,target=/root/.ssh/id_rsa git clone git@example.com:team/app.git /app # buildkit",
                entries: vec![E::Dir("app", 0o755), E::File("app/main.sh", 0o755, text("#!/bin/sh\necho app\n"))],
            },
        ]
    }

    /// The seed's redis pulls (S0): `latest` and `5.0`, six layers each, the bottom three the
    /// same (a Debian-like base, a user, a tool), the top three each version's own.
    fn redis_layers(version: &'static str, seed: u64) -> Vec<Layer> {
        redis_on(tiny_base("Debian GNU/Linux 10 (buster) (sample)", 21, "/bin/sh -c #(nop) ADD file:debian-rootfs.tar in / "), version, seed)
    }

    /// The same five layers above another base (L2's twist: known blobs on a new parent).
    fn redis_on(base: Layer, version: &'static str, seed: u64) -> Vec<Layer> {
        let own = |what: &'static str, path: &'static str, n: u64, size: usize| Layer {
            created_by: what,
            entries: vec![E::Dir("usr", 0o755), E::Dir("usr/local", 0o755), E::Dir("usr/local/bin", 0o755), E::File(path, 0o755, noise(seed + n, size))],
        };
        let mut v = vec![
            base,
            Layer {
                created_by: "/bin/sh -c groupadd -r -g 999 redis && useradd -r -g redis -u 999 redis",
                entries: vec![E::Dir("etc", 0o755), E::File("etc/passwd", 0o644, text("root:x:0:0:root:/root:/bin/sh\nredis:x:999:999::/home/redis:/bin/sh\n")), E::File("etc/group", 0o644, text("root:x:0:\nredis:x:999:\n"))],
            },
            Layer {
                created_by: "/bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends gosu",
                entries: vec![E::Dir("usr", 0o755), E::Dir("usr/sbin", 0o755), E::File("usr/sbin/gosu", 0o755, noise(22, 2 * 1024))],
            },
        ];
        v.push(own(if version == "5.0" { "/bin/sh -c set -eux; make -C /usr/src/redis install # 5.0.14" } else { "/bin/sh -c set -eux; make -C /usr/src/redis install # 6.2.6" }, "usr/local/bin/redis-server", 1, 4 * 1024));
        v.push(Layer { created_by: "/bin/sh -c mkdir /data && chown redis:redis /data", entries: vec![E::Dir("data", 0o755), E::File("data/.version", 0o644, format!("{version}\n").into_bytes())] });
        v.push(own("COPY file:docker-entrypoint.sh in /usr/local/bin/ ", "usr/local/bin/docker-entrypoint.sh", 3, 512));
        v
    }

    /// The seed's flannel `docker history` (S3 §4.5 step 5): 11 rows, 7 layers; the same
    /// instructions, sizes scaled down to KBs.
    fn flannel_layers() -> Vec<Layer> {
        let file = |created_by: &'static str, dir: &'static str, path: &'static str, seed: u64, size: usize| Layer {
            created_by,
            entries: vec![E::Dir(dir, 0o755), E::File(path, 0o755, noise(seed, size))],
        };
        vec![
            tiny_base("Alpine Linux v3.13 (sample)", 31, "/bin/sh -c #(nop) ADD file:ec475c2abb2d46435286b5ae5efacf5b50b1a9e3b6293b69db3c0172b5b9658b in / "),
            file("/bin/sh -c apk add --no-cache iproute2 net-tools ca-certificates iptables strongswan && update-ca-certificates", "sbin", "sbin/iptables", 32, 10 * 1024),
            file("/bin/sh -c apk add wireguard-tools --no-cache --repository http://dl-cdn.alpinelinux.org/alpine/edge/community", "usr", "usr/wg", 33, 2 * 1024),
            Layer {
                created_by: "/bin/sh -c #(nop) COPY file:d4fe84b0a6b8e73f9c28b314a51706f4a65ab0fde83db87b000ba72e6efbacf6 in /opt/bin/flanneld ",
                entries: vec![E::Dir("opt", 0o755), E::Dir("opt/bin", 0o755), E::File("opt/bin/flanneld", 0o755, noise(34, 49 * 1024))],
            },
            Layer {
                created_by: "/bin/sh -c #(nop) COPY file:8f67962c12e58671bee18c93535885714647b91271193b7dc5832188905ec9d1 in /opt/bin/ ",
                entries: vec![E::Dir("opt", 0o755), E::Dir("opt/bin", 0o755), E::File("opt/bin/mk-docker-opts.sh", 0o755, noise(35, 2 * 1024))],
            },
            file("/bin/sh -c #(nop) COPY file:1a43b192bfd032f1dbb35156e5e82a505618eb82ae8dd58b3cdec45882d7e102 in / ", "sbin", "sbin/iptables-wrapper-installer.sh", 36, 7 * 1024),
            file("/bin/sh -c /iptables-wrapper-installer.sh", "sbin", "sbin/iptables-wrapper", 37, 1024),
        ]
    }

    fn sha_hex(b: &[u8]) -> String {
        layerlab::digest::hex(&layerlab::digest::sha256(b))
    }

    fn image(tag: &str, layers: Vec<Layer>, cmd: &[&str], empty_after: &[(usize, &str)]) -> io::Result<SaveImage> {
        image_with(tag, layers, cmd, empty_after, false, &["PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=production"], Some("app"))
    }

    /// gzip as a registry serves layers: fixed header (mtime 0, no name), so the same bytes
    /// every run.
    fn gzip(b: &[u8]) -> io::Result<Vec<u8>> {
        use std::io::Write;
        let mut e = flate2::GzBuilder::new().mtime(0).operating_system(255).write(Vec::new(), flate2::Compression::best());
        e.write_all(b)?;
        e.finish()
    }

    fn image_with(tag: &str, layers: Vec<Layer>, cmd: &[&str], empty_after: &[(usize, &str)], gz: bool, env: &[&str], user: Option<&str>) -> io::Result<SaveImage> {
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
            let diff_id = format!("sha256:{}", sha_hex(&t));
            if gz {
                // Compressed, as a registry holds it: the blob digest is not the diff_id.
                let z = gzip(&t)?;
                let digest = format!("sha256:{}", sha_hex(&z));
                blobs.push(SaveLayer { blob: MemSource::shared(z), digest, diff_id, compression: Compression::Gzip });
            } else {
                // Uncompressed: the blob digest is the diff_id.
                blobs.push(SaveLayer { blob: MemSource::shared(t), digest: diff_id.clone(), diff_id, compression: Compression::None });
            }
        }
        // Key order is kept (preserve_order): webapp's config bytes stay what they were.
        let mut c = serde_json::Map::new();
        c.insert("Env".into(), json!(env));
        c.insert("Cmd".into(), json!(cmd));
        c.insert("WorkingDir".into(), json!("/app"));
        if let Some(u) = user {
            c.insert("User".into(), json!(u));
        }
        c.insert("Labels".into(), json!({"org.opencontainers.image.source": "layerlab make-samples"}));
        let config = json!({
            "architecture": "amd64",
            "os": "linux",
            "created": created(layers.len()),
            "config": c,
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
        let union_ab = image_with("union-ab:1", union_ab_layers(), &["ls", "/"], &[], false, &["PATH=/usr/bin:/bin"], None)?;
        let leaky = image_with(
            "leaky:1",
            leaky_layers(),
            &["/app/main.sh"],
            &[(2, "ENV API_TOKEN=tok_live_5f3a9c1e7b2d")],
            false,
            &["PATH=/usr/bin:/bin", "API_TOKEN=tok_live_5f3a9c1e7b2d"],
            None,
        )?;
        let leaky_fixed = image_with("leaky-fixed:1", leaky_fixed_layers(), &["/app/main.sh"], &[], false, &["PATH=/usr/bin:/bin"], None)?;
        let redis_env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GOSU_VERSION=1.12"];
        let redis_rows: &[(usize, &str)] = &[(5, "/bin/sh -c #(nop)  ENTRYPOINT [\"docker-entrypoint.sh\"]"), (5, "/bin/sh -c #(nop)  CMD [\"redis-server\"]")];
        let redis_latest = image_with("redis:latest", redis_layers("6.2.6", 40), &["redis-server"], redis_rows, true, &redis_env, None)?;
        let redis_5 = image_with("redis:5.0", redis_layers("5.0", 50), &["redis-server"], redis_rows, true, &redis_env, None)?;
        let rebased = redis_on(tiny_base("Debian GNU/Linux 10 (buster) (sample, rebuilt)", 29, "/bin/sh -c #(nop) ADD file:debian-rootfs-rebuilt.tar in / "), "5.0", 50);
        let redis_rebased = image_with("redis:5.0-rebased", rebased, &["redis-server"], redis_rows, true, &redis_env, None)?;
        let flannel = image_with(
            "quay.io/coreos/flannel:v0.14.0",
            flannel_layers(),
            &["/bin/sh"],
            &[
                (0, "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]"),
                (0, "/bin/sh -c #(nop)  LABEL maintainer=Tom Denham <tom@example.com>"),
                (0, "/bin/sh -c #(nop)  ENV FLANNEL_ARCH=amd64"),
                (6, "/bin/sh -c #(nop)  ENTRYPOINT [\"/opt/bin/flanneld\"]"),
            ],
            true,
            &["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FLANNEL_ARCH=amd64"],
            None,
        )?;
        let files = [
            files[0].clone(),
            files[1].clone(),
            files[2].clone(),
            ("union-ab.docker.tar", docker_save(&[&union_ab])?, "union-ab:1",
             "The seed's A/B union example as three layers: B (dir foo/, file bar, onlyB), A (file foo, dir bar/ with x) and A2 (bar/z). One mount point: foo is A's file, bar merges A's and A2's directories, B's file bar is hidden, and there is no /C/B."),
            ("leaky.docker.tar", docker_save(&[&leaky])?, "leaky:1",
             "A private key copied in one layer and removed in the next (a whiteout), and an API token in ENV: the merged view has no key, every layer still ships it."),
            ("leaky-fixed.docker.tar", docker_save(&[&leaky_fixed])?, "leaky-fixed:1",
             "The same build done right: the key mounted as a build secret (RUN --mount=type=secret), no token in the config: no trace in any layer or in history."),
            ("redis.docker.tar", docker_save(&[&redis_latest, &redis_5, &redis_rebased])?, "redis:latest + redis:5.0",
             "The seed's redis pulls: latest and 5.0, six gzip layers each, the bottom three shared. Pull one, then the other: three layers already exist. And 5.0-rebased: 5.0's upper five layers over a rebuilt base, every layer downloaded again."),
            ("flannel.docker.tar", docker_save(&[&flannel])?, "quay.io/coreos/flannel:v0.14.0",
             "The seed's flannel docker history retold: 11 history rows, 7 layers (4 rows are metadata only), sizes scaled down to KBs."),
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
