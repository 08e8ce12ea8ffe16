//! Every fixture archive against its golden, through the library and through the `layerlab`
//! binary.
//!
//! The shared fixtures live in `../shared` relative to the crate (override with the
//! `LAYERLAB_SHARED` environment variable). Modules:
//! - `support`: locating fixtures, reading `goldens/INDEX.tsv` and `*.layers.txt`.
//! - `merged_library`: each INDEX row's merged view via `Archive::load` + `Stack::listing`.
//! - `merged_cli`: the same rows via `layerlab ls`, byte for byte.
//! - `metadata`: digests, sizes, tags and history against `generated/*.layers.txt`, for every
//!   archive form of each generated image, via the library and via `layers`/`history`/`inspect`.
//! - `formats`: archive-level behaviour on real fixtures (selection, warnings, stacking bare
//!   layers, layer listings, cat).
//! - `in_memory`: one scenario per test on archives built in memory (`support/tarkit.rs`):
//!   union semantics, archive layouts, platform selection, history, progress.

#[path = "support/tarkit.rs"]
mod tarkit;

mod support {
    use layerlab::image::{Archive, Image, LoadOptions, Selector};
    use layerlab::source::{FileSource, Source};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    pub fn shared() -> PathBuf {
        match std::env::var_os("LAYERLAB_SHARED") {
            Some(p) => PathBuf::from(p),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        }
    }

    pub fn fixtures() -> PathBuf {
        shared().join("fixtures")
    }

    /// One row of goldens/INDEX.tsv.
    #[derive(Debug, Clone)]
    pub struct Row {
        pub golden: String,
        pub archive: String,
        pub image: String,
        pub upto: Option<usize>,
    }

    pub fn index_rows() -> Vec<Row> {
        let text = std::fs::read_to_string(fixtures().join("goldens/INDEX.tsv")).expect("goldens/INDEX.tsv");
        let rows: Vec<Row> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                assert_eq!(f.len(), 4, "bad INDEX.tsv line {l:?}");
                Row {
                    golden: f[0].into(),
                    archive: f[1].into(),
                    image: f[2].into(),
                    upto: if f[3] == "-" { None } else { Some(f[3].parse().unwrap()) },
                }
            })
            .collect();
        assert!(rows.len() >= 70, "INDEX.tsv has only {} rows", rows.len());
        rows
    }

    pub fn source(path: &Path) -> Source {
        Arc::new(FileSource::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }

    pub fn open(rel: &str) -> Archive {
        let p = fixtures().join(rel);
        Archive::open(source(&p), rel, true, None).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn load(rel: &str, image: &str, upto: Option<usize>) -> Image {
        let opts = LoadOptions { upto, ..Default::default() };
        open(rel).load(&Selector::parse(image), &opts, &mut |_| true).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn bin() -> &'static str {
        env!("CARGO_BIN_EXE_layerlab")
    }

    /// Runs the binary; returns (exit code, stdout bytes, stderr).
    pub fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
        let o = std::process::Command::new(bin()).args(args).output().expect("run layerlab");
        (o.status.code().unwrap_or(-1), o.stdout, String::from_utf8_lossy(&o.stderr).into_owned())
    }

    /// A parsed `*.layers.txt`.
    #[derive(Debug, Default)]
    pub struct LayersTxt {
        pub image: String,
        pub manifest: Option<(String, u64)>,
        pub config: (String, u64),
        /// (mediaType, blob digest, blob size, diff_id, uncompressed size)
        pub layers: Vec<(String, String, u64, String, u64)>,
        /// (layer|empty, created, created_by)
        pub history: Vec<(String, String, String)>,
        pub docker_config: Option<String>,
        pub docker_repotags: Vec<String>,
        pub docker_layers: Vec<String>,
    }

    pub fn layers_txt(name: &str) -> LayersTxt {
        let text = std::fs::read_to_string(fixtures().join("generated").join(format!("{name}.layers.txt"))).unwrap();
        let mut t = LayersTxt::default();
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            match f[0] {
                "image" => t.image = f[1].into(),
                "manifest" => t.manifest = Some((f[1].into(), f[2].parse().unwrap())),
                "config" => t.config = (f[1].into(), f[2].parse().unwrap()),
                "layer" => t.layers.push((f[2].into(), f[3].into(), f[4].parse().unwrap(), f[5].into(), f[6].parse().unwrap())),
                "history" => t.history.push((f[2].into(), f[3].into(), f[4..].join("\t"))),
                "docker-config" => t.docker_config = Some(f[1].into()),
                "docker-repotags" => t.docker_repotags = f[1..].iter().map(|s| s.to_string()).collect(),
                "docker-layer" => t.docker_layers.push(f[2].into()),
                other => panic!("unknown record {other}"),
            }
        }
        t
    }
}

mod merged_library {
    use super::support::*;

    #[test]
    fn every_index_row_matches_its_golden() {
        let mut failures = Vec::new();
        let rows = index_rows();
        for r in &rows {
            let img = load(&r.archive, &r.image, r.upto);
            let got = img.stack(r.upto).listing().unwrap_or_else(|e| panic!("{e}"));
            let mut text = got.join("\n");
            text.push('\n');
            let want = std::fs::read_to_string(fixtures().join("goldens").join(&r.golden)).unwrap();
            if text != want {
                failures.push(format!("{} via {} image {} upto {:?}", r.golden, r.archive, r.image, r.upto));
            }
        }
        assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
    }

    #[test]
    fn skipping_verification_gives_the_same_views() {
        use layerlab::image::{LoadOptions, Selector};
        for r in index_rows().iter().filter(|r| r.upto.is_none()) {
            let opts = LoadOptions { verify: false, hash_compressed: false, ..Default::default() };
            let img = open(&r.archive).load(&Selector::parse(&r.image), &opts, &mut |_| true).unwrap();
            let text = img.stack(None).listing().unwrap().join("\n") + "\n";
            let want = std::fs::read_to_string(fixtures().join("goldens").join(&r.golden)).unwrap();
            assert_eq!(text, want, "{} via {} without verification", r.golden, r.archive);
        }
    }
}

mod merged_cli {
    use super::support::*;

    #[test]
    fn every_index_row_matches_its_golden_through_the_binary() {
        let mut failures = Vec::new();
        let rows = index_rows();
        for r in &rows {
            let path = fixtures().join(&r.archive);
            let path = path.to_str().unwrap();
            let mut args = vec!["ls", path, "--image", &r.image];
            let upto;
            if let Some(u) = r.upto {
                upto = u.to_string();
                args.extend(["--upto", &upto]);
            }
            let (code, out, err) = run(&args);
            let want = std::fs::read(fixtures().join("goldens").join(&r.golden)).unwrap();
            if code != 0 || out != want {
                failures.push(format!("{} via {:?}: exit {code}, {err}", r.golden, args));
            }
        }
        assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
    }
}

mod metadata {
    use super::support::*;
    use layerlab::image::Image;

    /// Archive forms of each generated image, with the selector that picks it.
    fn forms(name: &str) -> Vec<(String, String, bool)> {
        let mut v = vec![(format!("generated/{name}.docker.tar"), "0".to_string(), true)];
        if name == "layered-zstd" {
            return vec![(format!("generated/{name}.oci-archive.tar"), name.to_string(), false)];
        }
        v.push((format!("generated/{name}.oci.tar"), name.to_string(), false));
        v.push((format!("generated/{name}.oci-archive.tar"), name.to_string(), false));
        v.push(("generated/both.oci.tar".to_string(), name.to_string(), false));
        v
    }

    fn check(img: &Image, t: &LayersTxt, docker: bool, what: &str) {
        assert_eq!(img.id(), Some(t.config.0.as_str()), "{what}: image ID");
        assert_eq!(img.config.as_ref().unwrap().size, t.config.1, "{what}: config size");
        assert_eq!(img.layers.len(), t.layers.len(), "{what}: layer count");
        let chains = layerlab::image::digest::chain_ids(&t.layers.iter().map(|l| l.3.clone()).collect::<Vec<_>>());
        for (i, (l, w)) in img.layers.iter().zip(&t.layers).enumerate() {
            assert_eq!(l.diff_id.as_deref(), Some(w.3.as_str()), "{what}: layer {i} diff_id");
            assert_eq!(l.uncompressed_size, w.4, "{what}: layer {i} uncompressed size");
            assert_eq!(l.chain_id.as_deref(), Some(chains[i].as_str()), "{what}: layer {i} chain ID");
            if docker {
                // docker-archive stores layers uncompressed: the blob is the diff.
                assert_eq!(l.blob_digest.as_deref(), Some(w.3.as_str()), "{what}: layer {i} blob");
                assert_eq!(l.compressed_size, w.4, "{what}: layer {i} stored size");
                assert_eq!(l.member, t.docker_layers[i], "{what}: layer {i} member");
            } else {
                assert_eq!(l.blob_digest.as_deref(), Some(w.1.as_str()), "{what}: layer {i} blob digest");
                assert_eq!(l.compressed_size, w.2, "{what}: layer {i} blob size");
                assert_eq!(l.media_type.as_deref(), Some(w.0.as_str()), "{what}: layer {i} media type");
            }
        }
        if docker {
            assert_eq!(img.reference.repo_tags, t.docker_repotags, "{what}: RepoTags");
        } else {
            assert_eq!(img.reference.ref_name.as_deref(), Some(t.image.as_str()), "{what}: ref name");
            assert_eq!(img.reference.manifest_digest.as_ref(), t.manifest.as_ref().map(|m| &m.0), "{what}: manifest");
        }
        assert_eq!(img.history.len(), t.history.len(), "{what}: history rows");
        let mut next = 0;
        for (i, (h, w)) in img.history.iter().zip(&t.history).enumerate() {
            if w.0 == "empty" {
                assert_eq!(h.layer, None, "{what}: history {i} is an empty layer");
            } else {
                assert_eq!(h.layer, Some(next), "{what}: history {i} layer");
                next += 1;
            }
            assert_eq!(h.entry.created.as_deref(), Some(w.1.as_str()), "{what}: history {i} created");
            assert_eq!(h.entry.created_by.as_deref(), Some(w.2.as_str()), "{what}: history {i} created_by");
        }
    }

    #[test]
    fn library_values_match_layers_txt_for_every_form() {
        for name in ["layered", "sibling", "layered-zstd"] {
            let t = layers_txt(name);
            for (archive, sel, docker) in forms(name) {
                let img = load(&archive, &sel, None);
                check(&img, &t, docker, &archive);
            }
        }
    }

    #[test]
    fn layers_command_prints_each_layers_digests_and_sizes() {
        for name in ["layered", "sibling", "layered-zstd"] {
            let t = layers_txt(name);
            for (archive, sel, docker) in forms(name) {
                let p = fixtures().join(&archive);
                let (code, out, err) = run(&["layers", p.to_str().unwrap(), "--image", &sel]);
                assert_eq!(code, 0, "{archive}: {err}");
                let out = String::from_utf8(out).unwrap();
                let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
                assert_eq!(rows.len(), t.layers.len(), "{archive}: one row per layer");
                for (i, (r, w)) in rows.iter().zip(&t.layers).enumerate() {
                    assert_eq!(r[0], i.to_string());
                    assert_eq!(r[1], &w.3["sha256:".len().."sha256:".len() + 12], "{archive} layer {i} diff_id");
                    let (blob, size) = if docker { (&w.3, w.4) } else { (&w.1, w.2) };
                    assert_eq!(r[2], blob, "{archive} layer {i} blob");
                    assert_eq!(r[3], size.to_string(), "{archive} layer {i} compressed");
                    assert_eq!(r[4], w.4.to_string(), "{archive} layer {i} uncompressed");
                    let created_by = &t.history.iter().filter(|h| h.0 == "layer").nth(i).unwrap().2;
                    assert!(out.lines().nth(i + 1).unwrap().ends_with(created_by.as_str()), "{archive} layer {i} created_by");
                }
            }
        }
    }

    #[test]
    fn history_command_lists_every_entry_newest_first() {
        for name in ["layered", "sibling"] {
            let t = layers_txt(name);
            let p = fixtures().join(format!("generated/{name}.docker.tar"));
            let (code, out, err) = run(&["history", p.to_str().unwrap()]);
            assert_eq!(code, 0, "{err}");
            let out = String::from_utf8(out).unwrap();
            let lines: Vec<&str> = out.lines().collect();
            assert!(lines[0].starts_with("IMAGE") && lines[0].contains("CREATED BY"), "{}", lines[0]);
            assert_eq!(lines.len(), t.history.len() + 1);
            assert!(lines[1].starts_with(&t.config.0), "top row shows the image ID: {}", lines[1]);
            for (line, h) in lines[1..].iter().zip(t.history.iter().rev()) {
                assert!(line.contains(&h.1) && line.contains(&h.2), "{line:?} lacks {h:?}");
                if h.0 == "empty" {
                    assert!(line.contains(" 0B"), "{line}");
                }
            }
            assert!(lines[2..].iter().all(|l| l.starts_with("<missing>")));
        }
    }

    #[test]
    fn inspect_command_prints_docker_shaped_json() {
        let t = layers_txt("layered");
        let p = fixtures().join("generated/layered.oci.tar");
        let (code, out, err) = run(&["inspect", p.to_str().unwrap(), "--image", "layered"]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let o = &v[0];
        assert_eq!(o["Id"], t.config.0.as_str());
        assert_eq!(o["Config"]["Cmd"][0], "/usr/bin/tool");
        assert_eq!(o["Config"]["WorkingDir"], "/srv/www");
        assert_eq!(o["Os"], "linux");
        assert_eq!(o["ManifestDigest"], t.manifest.as_ref().unwrap().0.as_str());
        let diff_ids: Vec<&str> = o["RootFS"]["Layers"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert_eq!(diff_ids, t.layers.iter().map(|l| l.3.as_str()).collect::<Vec<_>>());
        for (i, l) in t.layers.iter().enumerate() {
            assert_eq!(o["Layers"][i]["Digest"], l.1.as_str());
            assert_eq!(o["Layers"][i]["Size"], l.2);
        }
        let p = fixtures().join("generated/layered.docker.tar");
        let (_, out, _) = run(&["inspect", p.to_str().unwrap()]);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v[0]["RepoTags"][0], "docker.io/fixtures/layered:latest");
        assert_eq!(v[0]["Id"], t.config.0.as_str());
    }
}

mod formats {
    use super::support::*;
    use layerlab::image::{Archive, Format, LoadOptions, Selector};

    #[test]
    fn formats_are_recognised() {
        assert_eq!(open("generated/layered.docker.tar").format, Format::DockerSave);
        assert_eq!(open("generated/layered.oci.tar").format, Format::OciLayout);
        assert_eq!(open("generated/layered.oci-archive.tar").format, Format::OciLayout);
        assert_eq!(open("public/go-containerregistry/hello-world-v25.tar").format, Format::DockerOci);
        assert_eq!(open("public/go-containerregistry/test_bundle.tar").images.len(), 2);
        assert_eq!(open("generated/both.oci.tar").images.len(), 2);
    }

    #[test]
    fn images_are_selected_by_tag_ref_and_position() {
        let both = open("generated/both.oci.tar");
        assert_eq!(both.select(&Selector::parse("sibling")).unwrap().index, 1);
        assert_eq!(both.select(&Selector::parse("1")).unwrap().ref_name.as_deref(), Some("sibling"));
        let e = both.select(&Selector::parse("nope")).unwrap_err();
        assert_eq!(e.kind, layerlab::ErrorKind::NotFound);
        assert!(e.to_string().contains("layered") && e.to_string().contains("both.oci.tar"), "{e}");
        let bundle = open("public/go-containerregistry/test_bundle.tar");
        let tags: Vec<String> = bundle.images.iter().flat_map(|i| i.repo_tags.clone()).collect();
        let second = bundle.select(&Selector::parse(&tags[tags.len() - 1])).unwrap();
        assert_eq!(second.index, 1);
        let docker = open("generated/layered.docker.tar");
        assert_eq!(docker.select(&Selector::parse("fixtures/layered")).unwrap().index, 0);
        assert!(docker.select(&Selector::Index(1)).is_err());
    }

    #[test]
    fn sibling_loads_with_the_docker_would_refuse_warning() {
        let img = load("generated/sibling.oci.tar", "sibling", None);
        assert_eq!(img.warnings.len(), 1, "{:?}", img.warnings);
        assert!(img.warnings[0].contains("usr/lib/v1/.wh.lib.so") && img.warnings[0].contains("Docker"));
        assert!(img.warnings[0].contains("layer 3"));
        let p = fixtures().join("generated/sibling.docker.tar");
        let (code, _, err) = run(&["ls", p.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert!(err.contains("warning") && err.contains(".wh.lib.so") && err.contains("refuse"), "{err}");
    }

    #[test]
    fn test_link_follows_a_layer_tar_symlink_into_another_image() {
        let img = load("public/go-containerregistry/test_link.tar", "1", None);
        assert_eq!(img.layers[0].member, "6e77476643c3155b1e9ae07dd5a4c8288bdb6590c131c222b7a3f277dec1e266/layer.tar");
    }

    /// Extracts the layer members of a docker-save archive to files, bottom first.
    fn extract_layers(rel: &str, dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let img = load(rel, "0", None);
        let mut out = Vec::new();
        for l in &img.layers {
            let mut bytes = vec![0u8; l.blob.source.len() as usize];
            layerlab::source::read_exact_at(&*l.blob.source, 0, &mut bytes).unwrap();
            let p = dir.join(format!("L{}.tar", l.index));
            std::fs::write(&p, bytes).unwrap();
            out.push(p);
        }
        out
    }

    #[test]
    fn bare_layer_tarballs_stack_in_the_order_given() {
        let dir = std::env::temp_dir().join(format!("layerlab-bare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = extract_layers("generated/layered.docker.tar", &dir);
        let mut args = vec!["ls".to_string()];
        args.extend(files.iter().map(|p| p.to_string_lossy().into_owned()));
        let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, std::fs::read(fixtures().join("goldens/layered.merged.txt")).unwrap());
        // The first three only: layered L3.
        let (code, out, _) = run(&args[..4]);
        assert_eq!(code, 0);
        assert_eq!(out, std::fs::read(fixtures().join("goldens/by-layer/layered.L3.merged.txt")).unwrap());
        // Gzip bare layers from the kaniko archive stack too (library).
        let kan = load("public/dive/test-kaniko-image.tar", "0", None);
        let srcs = kan.layers.iter().map(|l| l.blob.source.clone()).collect();
        let ar = Archive::from_layers(srcs, "kaniko layers");
        let img = ar.load(&Selector::Default, &LoadOptions::default(), &mut |_| true).unwrap();
        let want = std::fs::read_to_string(fixtures().join("goldens/dive__test-kaniko-image.merged.txt")).unwrap();
        assert_eq!(img.stack(None).listing().unwrap().join("\n") + "\n", want);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn layer_listing_shows_whiteouts_as_files_and_hardlinks_as_h_lines() {
        let p = fixtures().join("generated/layered.oci.tar");
        let p = p.to_str().unwrap();
        let (code, out, _) = run(&["ls", p, "--layer", "0"]);
        assert_eq!(code, 0);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("h 0755 0:0 - - /usr/bin/tool-hard -> /usr/bin/tool\n"), "{out}");
        assert!(!out.contains(" / \n") && !out.starts_with("d 0755 0:0 - - /\n"));
        assert!(!out.contains("nlink="));
        let (_, out, _) = run(&["ls", p, "--layer", "2"]);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("f 0000 0:0 0 e3b0c44298fc1c14 /etc/.wh.to-delete.txt\n"), "{out}");
        assert!(out.contains("/opt/.wh.olddir\n"));
        let (_, top, _) = run(&["ls", p, "--layer=-1"]);
        let (_, seven, _) = run(&["ls", p, "--layer", "7"]);
        assert_eq!(top, seven);
        let (_, out, _) = run(&["ls", p, "--layer", "3"]);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("/srv/www/.wh..wh..opq\n"), "{out}");
        let (code, _, err) = run(&["ls", p, "--layer", "8"]);
        assert_ne!(code, 0);
        assert!(err.contains("no layer 8") && err.contains("layered.oci.tar"), "{err}");
    }

    #[test]
    fn layer_changes_count_added_modified_deleted() {
        let img = load("generated/layered.oci.tar", "layered", None);
        let c: Vec<(u64, u64, u64)> = img.layers.iter().map(|l| (l.changes.added, l.changes.modified, l.changes.deleted)).collect();
        // Layer 2 modifies config.txt and deletes to-delete.txt and /opt/olddir.
        assert_eq!(c[2], (0, 1, 2));
        // Layer 5 overwrites big.bin.
        assert_eq!(c[5], (0, 1, 0));
        // Layer 6: chmod perm.sh, chown hostname, retarget current (M); /opt/olddir + new.txt (A).
        assert_eq!(c[6], (2, 3, 0));
        // Layer 0 adds everything.
        assert_eq!(c[0].0 as usize, img.layers[0].entries.len());
    }

    /// The big image of `make-big-image.sh`, when it has been built (it is not stored).
    #[test]
    fn big_image_matches_its_golden_when_built() {
        let dir = std::path::Path::new("/tmp/bigimage");
        let Ok(want) = std::fs::read(dir.join("big.merged.txt")) else {
            eprintln!("skipped: /tmp/bigimage/big.merged.txt is absent (make-big-image.sh builds it)");
            return;
        };
        for f in ["big.docker.tar", "big.oci.tar"] {
            let (code, out, err) = run(&["ls", dir.join(f).to_str().unwrap()]);
            assert_eq!(code, 0, "{f}: {err}");
            assert!(out == want, "{f}: merged view differs from big.merged.txt");
        }
    }

    #[test]
    fn cat_follows_symlinks_inside_the_image() {
        let p = fixtures().join("generated/layered.oci.tar");
        let p = p.to_str().unwrap();
        let (code, out, err) = run(&["cat", p, "/etc/config.link"]);
        assert_eq!(code, 0, "{err}");
        let direct = run(&["cat", p, "/etc/config.txt"]).1;
        assert_eq!(out, direct);
        assert!(!out.is_empty());
        // /usr/lib/current -> v2 (relative), through a directory symlink.
        let (code, out, _) = run(&["cat", p, "/usr/lib/current/lib.so"]);
        assert_eq!(code, 0);
        assert_eq!(out, run(&["cat", p, "/usr/lib/v2/lib.so"]).1);
        let (code, _, err) = run(&["cat", p, "/etc/to-delete.txt"]);
        assert_ne!(code, 0);
        assert!(err.contains("/etc/to-delete.txt") && err.contains("ENOENT"), "{err}");
        let (code, _, err) = run(&["cat", p, "/etc"]);
        assert_ne!(code, 0);
        assert!(err.contains("EISDIR"), "{err}");
    }
}

mod in_memory {
    use super::tarkit::*;
    use layerlab::image::{Archive, Format, Image, LoadOptions, Selector};
    use layerlab::source::MemSource;

    fn open(bytes: Vec<u8>) -> Archive {
        Archive::open(MemSource::shared(bytes), "mem.tar", true, None).unwrap_or_else(|e| panic!("{e}"))
    }

    fn load(bytes: Vec<u8>) -> Image {
        open(bytes).load(&Selector::Default, &LoadOptions::default(), &mut |_| true).unwrap_or_else(|e| panic!("{e}"))
    }

    fn listing(img: &Image) -> Vec<String> {
        img.stack(None).listing().unwrap()
    }

    fn has(lines: &[String], suffix: &str) -> bool {
        lines.iter().any(|l| l.ends_with(suffix))
    }

    fn line_of<'a>(lines: &'a [String], path: &str) -> &'a str {
        lines.iter().find(|l| l.split(' ').nth(5) == Some(path)).map(|s| s.as_str()).unwrap_or_else(|| panic!("no {path} in {lines:?}"))
    }

    #[test]
    fn file_whiteout_hides_the_lower_file() {
        let l0 = Tar::new().dir("etc/", 0o755).file("etc/a", b"1").file("etc/b", b"2").finish();
        let l1 = Tar::new().file("etc/.wh.a", b"").finish();
        let img = load(docker_save(&[l0, l1], "t:1"));
        let ls = listing(&img);
        assert!(!has(&ls, " /etc/a") && has(&ls, " /etc/b"), "{ls:?}");
        assert_eq!((img.layers[1].changes.added, img.layers[1].changes.deleted), (0, 1));
    }

    #[test]
    fn opaque_dir_hides_lower_children_and_keeps_its_own() {
        let l0 = Tar::new().dir("d/", 0o755).file("d/old1", b"1").file("d/old2", b"2").file("d/keep", b"k").finish();
        let l1 = Tar::new().dir("d/", 0o755).file("d/.wh..wh..opq", b"").file("d/keep", b"k").file("d/new", b"n").finish();
        let img = load(oci_layout(&[gzip(&l0), gzip(&l1)], "x"));
        let ls = listing(&img);
        assert!(!has(&ls, " /d/old1") && !has(&ls, " /d/old2"), "{ls:?}");
        assert!(has(&ls, " /d/keep") && has(&ls, " /d/new"));
        let c = img.layers[1].changes;
        assert_eq!((c.added, c.modified, c.deleted), (1, 0, 2));
    }

    #[test]
    fn dir_whiteout_hides_the_whole_subtree() {
        let l0 = Tar::new().dir("a/", 0o755).dir("a/b/", 0o755).file("a/b/c", b"1").finish();
        let l1 = Tar::new().file(".wh.a", b"").finish();
        let ls = listing(&load(docker_save(&[l0, l1], "t:1")));
        assert_eq!(ls, vec!["d 0755 0:0 - - /".to_string()]);
    }

    #[test]
    fn a_file_replaces_a_lower_directory() {
        let l0 = Tar::new().dir("x/", 0o755).file("x/inner", b"1").finish();
        let l1 = Tar::new().file("x", b"now a file").finish();
        let img = load(docker_save(&[l0, l1], "t:1"));
        let ls = listing(&img);
        assert!(line_of(&ls, "/x").starts_with("f 0644 0:0 10 "), "{ls:?}");
        assert!(!has(&ls, " /x/inner"));
        assert_eq!(img.layers[1].changes.modified, 1);
    }

    #[test]
    fn implied_parent_dir_hides_lower_attributes() {
        let l0 = Tar::new().dir("p/", 0o700).file("p/a", b"1").finish();
        let l1 = Tar::new().file("p/b", b"2").finish();
        let ls = listing(&load(docker_save(&[l0, l1], "t:1")));
        assert_eq!(line_of(&ls, "/p"), "d 0755 0:0 - - /p");
        assert!(has(&ls, " /p/a") && has(&ls, " /p/b"));
    }

    #[test]
    fn lower_hardlinks_keep_their_stale_link_count() {
        let l0 = Tar::new().file("a", b"same").hardlink("b", "a").finish();
        let l1 = Tar::new().file("a", b"rewritten").finish();
        let img = load(docker_save(&[l0, l1], "t:1"));
        let ls = listing(&img);
        assert!(line_of(&ls, "/b").ends_with(" /b nlink=2"), "{ls:?}");
        assert!(!line_of(&ls, "/a").contains("nlink"));
    }

    #[test]
    fn dot_slash_and_absolute_names_are_cleaned() {
        let l0 = Tar::new().dir("./", 0o700).file("./etc/x", b"1").file("/etc/y", b"2").finish();
        let ls = listing(&load(docker_save(&[l0], "t:1")));
        // The root entry is ignored: / stays 0755.
        assert_eq!(ls[0], "d 0755 0:0 - - /");
        assert!(has(&ls, " /etc/x") && has(&ls, " /etc/y"));
    }

    #[test]
    fn non_utf8_names_keep_their_bytes() {
        let mut t = Tar::new();
        t.buf.extend_from_slice(&header(b"caf\xe9 au lait", b'0', 0, b"", 0o644));
        let l0 = t.finish();
        let img = load(docker_save(&[l0], "t:1"));
        let ls = listing(&img);
        assert!(has(&ls, " /caf\\xe9\\x20au\\x20lait"), "{ls:?}");
    }

    #[test]
    fn pax_and_gnu_long_names_are_read() {
        let long = format!("{}/file.txt", "d".repeat(150));
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o600);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, &long, &b"abc"[..]).unwrap();
        let gnu = b.into_inner().unwrap();
        // PAX: an `x` record naming the next entry, with a uid past the octal field.
        let pax_name = format!("{}/pax.txt", "p".repeat(120));
        let rec = |k: &str, v: &str| {
            let body = format!(" {k}={v}\n");
            let mut n = body.len() + 1;
            while format!("{n}{body}").len() != n {
                n += 1;
            }
            format!("{n}{body}")
        };
        let records = rec("path", &pax_name) + &rec("uid", "3000000");
        let mut pax = Tar::new().entry("PaxHeaders/x", b'x', records.as_bytes(), "", 0o644).file("short", b"abc").finish();
        pax.truncate(pax.len() - 1024);
        let mut l0 = pax;
        l0.extend_from_slice(&gnu);
        let ls = listing(&load(docker_save(&[l0], "t:1")));
        assert!(has(&ls, &format!(" /{long}")), "{ls:?}");
        assert!(line_of(&ls, &format!("/{long}")).starts_with("f 0600 0:0 3 ba7816bf8f01cfea "));
        assert!(line_of(&ls, &format!("/{pax_name}")).starts_with("f 0644 3000000:0 3 "), "{ls:?}");
        assert!(!has(&ls, " /short"));
    }

    #[test]
    fn devices_and_fifos_are_listed() {
        let mut t = Tar::new();
        let mut h = header(b"dev/null", b'3', 0, b"", 0o666);
        // devmajor 1, devminor 3
        h[329..337].copy_from_slice(b"0000001\0");
        h[337..345].copy_from_slice(b"0000003\0");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        t = t.raw(h, b"").entry("run/fifo", b'6', b"", "", 0o600);
        let ls = listing(&load(docker_save(&[t.finish()], "t:1")));
        assert_eq!(line_of(&ls, "/dev/null"), "c 0666 0:0 - - /dev/null rdev=1,3");
        assert_eq!(line_of(&ls, "/run/fifo"), "p 0600 0:0 - - /run/fifo");
    }

    #[test]
    fn empty_layer_gives_only_the_root() {
        let img = load(docker_save(&[Tar::new().finish()], "t:1"));
        assert_eq!(listing(&img), vec!["d 0755 0:0 - - /".to_string()]);
        assert_eq!(img.layers[0].entries.len(), 0);
        assert_eq!(img.layers[0].uncompressed_size, 1024);
    }

    #[test]
    fn legacy_docker_save_with_layer_tar_symlinks() {
        let l0 = Tar::new().file("a", b"1").finish();
        let config = config_for(std::slice::from_ref(&l0));
        let diff = &sha(&l0)[7..];
        let bytes = Tar::new()
            .file(&format!("{diff}.tar"), &l0)
            .file("cfg.json", &config)
            .symlink("v1/layer.tar", &format!("../{diff}.tar"))
            .file("manifest.json", br#"[{"Config":"cfg.json","RepoTags":["x/y:1"],"Layers":["v1/layer.tar"]}]"#)
            .finish();
        let ar = open(bytes);
        assert_eq!(ar.format, Format::DockerSave);
        let img = ar.load(&Selector::parse("x/y:1"), &LoadOptions::default(), &mut |_| true).unwrap();
        assert_eq!(img.layers[0].member, format!("{diff}.tar"));
        assert_eq!(img.layers[0].diff_id.as_deref(), Some(sha(&l0).as_str()));
        assert_eq!(img.id(), Some(sha(&config).as_str()));
    }

    #[test]
    fn oci_index_with_several_images_selects_by_ref_name() {
        let a = gzip(&Tar::new().file("a", b"1").finish());
        let b = zstd(&Tar::new().file("b", b"2").finish());
        let (ma, mut blobs) = oci_manifest(&[a]);
        let (mb, bb) = oci_manifest(&[b]);
        blobs.extend(bb);
        let mut da = descriptor("application/vnd.oci.image.manifest.v1+json", &ma);
        da["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "first"});
        let mut db = descriptor("application/vnd.oci.image.manifest.v1+json", &mb);
        db["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "second"});
        blobs.push(ma);
        blobs.push(mb.clone());
        let ar = open(oci_tar(&serde_json::json!({"schemaVersion": 2, "manifests": [da, db]}), &blobs));
        assert_eq!(ar.images.len(), 2);
        let img = ar.load(&Selector::parse("second"), &LoadOptions::default(), &mut |_| true).unwrap();
        assert_eq!(img.reference.manifest_digest.as_deref(), Some(sha(&mb).as_str()));
        assert!(has(&listing(&img), " /b"));
        assert_eq!(img.layers[0].compression, layerlab::layer::Compression::Zstd);
    }

    /// A nested index of two platforms inside the top-level index.
    fn multi_arch() -> Vec<u8> {
        let arm = gzip(&Tar::new().file("arch", b"arm64").finish());
        let amd = gzip(&Tar::new().file("arch", b"amd64").finish());
        let (m_arm, mut blobs) = oci_manifest(&[arm]);
        let (m_amd, b2) = oci_manifest(&[amd]);
        blobs.extend(b2);
        let mut d_arm = descriptor("application/vnd.oci.image.manifest.v1+json", &m_arm);
        d_arm["platform"] = serde_json::json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
        let mut d_amd = descriptor("application/vnd.oci.image.manifest.v1+json", &m_amd);
        d_amd["platform"] = serde_json::json!({"os": "linux", "architecture": "amd64"});
        blobs.push(m_arm);
        blobs.push(m_amd);
        let nested = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [d_arm, d_amd]})).unwrap();
        let mut top = descriptor("application/vnd.oci.image.index.v1+json", &nested);
        top["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "multi"});
        blobs.push(nested);
        oci_tar(&serde_json::json!({"schemaVersion": 2, "manifests": [top]}), &blobs)
    }

    #[test]
    fn nested_multi_arch_index_defaults_to_linux_amd64() {
        let ar = open(multi_arch());
        assert_eq!(ar.images[0].platform.as_deref(), Some("linux/amd64"));
        let img = ar.load(&Selector::parse("multi"), &LoadOptions::default(), &mut |_| true).unwrap();
        let out = img.stack(None).resolve(b"/arch", true).unwrap();
        let node = img.stack(None).node(out.layer, out.ino).clone();
        let layerlab::tree::Kind::File(c) = &node.kind else { panic!() };
        assert_eq!(c.read().unwrap(), b"amd64");
    }

    #[test]
    fn a_platform_can_be_asked_for() {
        let ar = Archive::open(MemSource::shared(multi_arch()), "mem.tar", true, Some("linux/arm64")).unwrap();
        assert_eq!(ar.images[0].platform.as_deref(), Some("linux/arm64/v8"));
        let e = Archive::open(MemSource::shared(multi_arch()), "mem.tar", true, Some("windows/amd64")).unwrap_err();
        assert_eq!(e.kind, layerlab::ErrorKind::NotFound);
        assert!(e.to_string().contains("windows/amd64"), "{e}");
    }

    #[test]
    fn history_maps_to_layers_with_empty_rows() {
        let l = |n: &str| Tar::new().file(n, b"1").finish();
        let img = load(docker_save(&[l("a"), l("b")], "t:1"));
        let rows: Vec<Option<usize>> = img.history.iter().map(|h| h.layer).collect();
        assert_eq!(rows, vec![Some(0), Some(1), None]);
        assert_eq!(img.history[2].entry.created_by.as_deref(), Some("CMD [\"sh\"]"));
        let cfg = &img.config.as_ref().unwrap().file;
        assert_eq!(cfg.config.as_ref().unwrap().cmd.as_deref(), Some(&["sh".to_string()][..]));
        assert_eq!(cfg.config.as_ref().unwrap().labels.get("a").map(|s| s.as_str()), Some("b"));
    }

    #[test]
    fn progress_reports_every_layer() {
        let l = |n: &str| gzip(&Tar::new().file(n, &vec![7u8; 100_000]).finish());
        let ar = open(oci_layout(&[l("a"), l("b"), l("c")], "p"));
        let mut seen = std::collections::BTreeSet::new();
        let mut last_total = 0;
        ar.load(&Selector::Default, &LoadOptions::default(), &mut |p| {
            seen.insert(p.layer);
            assert_eq!(p.layers, 3);
            assert!(p.bytes <= p.total);
            last_total = p.total;
            true
        })
        .unwrap();
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(last_total > 0);
    }

    #[test]
    fn upto_reads_only_the_first_layers() {
        let l = |n: &str| Tar::new().file(n, b"1").finish();
        let ar = open(docker_save(&[l("a"), l("b"), l("c")], "t:1"));
        let opts = LoadOptions { upto: Some(2), ..Default::default() };
        let img = ar.load(&Selector::Default, &opts, &mut |_| true).unwrap();
        assert_eq!((img.layers.len(), img.total_layers), (2, 3));
        let ls = listing(&img);
        assert!(has(&ls, " /b") && !has(&ls, " /c"));
    }

    #[test]
    fn bare_gzip_layer_is_an_image_without_config() {
        let ar = open(gzip(&Tar::new().file("only", b"1").finish()));
        assert_eq!(ar.format, Format::Layers);
        let img = ar.load(&Selector::Default, &LoadOptions::default(), &mut |_| true).unwrap();
        assert!(img.config.is_none() && img.id().is_none());
        assert!(has(&listing(&img), " /only"));
        assert!(img.layers[0].diff_id.is_some());
    }

    #[test]
    fn resolve_stays_inside_the_image() {
        let l0 = Tar::new()
            .dir("etc/", 0o755)
            .file("etc/real", b"r")
            .symlink("etc/abs", "/etc/real")
            .symlink("up", "../../../../etc/real")
            .symlink("dir", "etc")
            .finish();
        let img = load(docker_save(&[l0], "t:1"));
        let s = img.stack(None);
        assert_eq!(s.resolve(b"/etc/abs", true).unwrap().path, b"/etc/real");
        assert_eq!(s.resolve(b"/up", true).unwrap().path, b"/etc/real");
        assert_eq!(s.resolve(b"/dir/real", true).unwrap().path, b"/etc/real");
        assert_eq!(s.resolve(b"/etc/abs", false).unwrap().path, b"/etc/abs");
        let e = s.resolve(b"/etc/real/x", true).unwrap_err();
        assert!(e.to_string().contains("ENOTDIR"), "{e}");
    }
}

/// The seek index of compressed layers (issue 14 item 1): a file at the start, middle and end
/// of real gzip/zstd layers read through the index equals the bytes of an independent
/// front-to-back decode (flate2 / ruzstd); broken bytes under a good index are one error
/// sentence naming the layer, never a panic.
mod seek_index {
    use super::support::fixtures;
    use layerlab::layer::{index_layer, Compression, EntryKind, IndexOptions, LayerBlob};
    use layerlab::source::{MemSource, Source};
    use std::io::{Read, Write};

    /// The compressed layer blobs of an OCI archive (bytes), in archive order.
    fn compressed_blobs(rel: &str) -> Vec<(String, Vec<u8>)> {
        let f = std::fs::File::open(fixtures().join(rel)).unwrap();
        let mut ar = tar::Archive::new(f);
        let mut out = Vec::new();
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            if layerlab::layer::compression::detect(&v) != Compression::None {
                out.push((name, v));
            }
        }
        assert!(!out.is_empty(), "{rel} has no compressed layer");
        out
    }

    /// Checks every regular file of one layer; returns how many checkpoints the index has and
    /// whether a file past the first checkpoint was read.
    fn check_layer(label: &str, bytes: Vec<u8>, span: u64) -> usize {
        let src: Source = MemSource::shared(bytes);
        let c = layerlab::layer::compression::detect_source(&*src).unwrap();
        let opts = IndexOptions { seek_span: span, ..Default::default() };
        let idx = index_layer(src.clone(), &opts, &mut |_| true).unwrap_or_else(|e| panic!("{label}: {e}"));
        let seek = idx.seek.clone().expect("a compressed layer has a seek index");
        let mut stream = Vec::new();
        c.decoder(src.clone()).unwrap().read_to_end(&mut stream).unwrap();
        let blob = LayerBlob::new(src, label).unwrap().with_seek(idx.seek.clone());
        let files: Vec<_> = idx.entries.iter().filter(|e| e.kind == EntryKind::File && e.size > 0).collect();
        assert!(!files.is_empty(), "{label}: no files");
        let picks = [files[0], files[files.len() / 2], files[files.len() - 1]];
        for e in picks.iter().copied().chain(files.iter().copied()) {
            let (o, s) = (e.offset as usize, e.size as usize);
            let got = blob.read_content(e.offset, e.size).unwrap_or_else(|err| panic!("{label} {}: {err}", e.display_path()));
            assert!(got == stream[o..o + s], "{label} {}: bytes differ from the streamed decode", e.display_path());
        }
        let ranges: Vec<(u64, u64)> = files.iter().map(|e| (e.offset, e.size)).collect();
        let digests = blob.digest_ranges(&ranges).unwrap();
        for (d, &(o, s)) in digests.iter().zip(&ranges) {
            assert_eq!(*d, layerlab::digest::sha256(&stream[o as usize..(o + s) as usize]), "{label}: range {o}+{s}");
        }
        let last = files[files.len() - 1];
        if !seek.points.is_empty() && last.offset >= 2 * span {
            assert!(seek.nearest(last.offset).is_some(), "{label}: the last file should start at a checkpoint");
        }
        seek.points.len()
    }

    #[test]
    fn gzip_fixture_layers_read_through_the_index_like_a_full_decode() {
        let mut points = 0;
        for (name, bytes) in compressed_blobs("generated/layered.oci.tar") {
            // Small spans give many checkpoints on these few-MB layers; the default once.
            points += check_layer(&name, bytes.clone(), 64 * 1024);
            check_layer(&name, bytes, layerlab::layer::seek::SPAN);
        }
        assert!(points >= 50, "only {points} checkpoints: the index was not exercised");
    }

    #[test]
    fn estargz_members_are_checkpoints() {
        let mut starts = 0;
        for (name, bytes) in compressed_blobs("public/dive/test-oci-estargz-image.tar") {
            let src: Source = MemSource::shared(bytes.clone());
            let opts = IndexOptions { seek_span: 1, ..Default::default() };
            let idx = index_layer(src, &opts, &mut |_| true).unwrap();
            starts += idx.seek.unwrap().points.iter().filter(|p| p.start).count();
            check_layer(&name, bytes, 1);
        }
        // The fixture's one layer has 4 gzip members (checked with Python's zlib); the first
        // starts the stream, a member after one with no output adds nothing to seek to.
        assert!(starts >= 2, "eStargz member starts as checkpoints: {starts}");
    }

    #[test]
    fn zstd_frames_are_checkpoints_and_single_frames_stream() {
        for (name, bytes) in compressed_blobs("generated/layered-zstd.oci-archive.tar") {
            // zstd(1) writes one frame: no checkpoint, reads stream from the start.
            assert_eq!(check_layer(&name, bytes, 1), 0, "{name}");
        }
        // A generated multi-frame layer: one frame per 256 KiB of tar.
        let tar = big_tar(3);
        let mut z = Vec::new();
        for chunk in tar.chunks(256 * 1024) {
            z.extend(ruzstd::encoding::compress_to_vec(chunk, ruzstd::encoding::CompressionLevel::Fastest));
        }
        assert!(check_layer("multi-frame zstd", z, 1 << 20) >= 2);
    }

    /// A tar of `n` files of 1-3 MiB of text-like bytes.
    fn big_tar(n: usize) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut x = 0x9e37_79b9_u32;
        for i in 0..n {
            let len = (1 << 20) + i * 700_001;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    b"etaoin shrdlu\n"[(x % 14) as usize]
                })
                .collect();
            let mut h = tar::Header::new_gnu();
            h.set_size(len as u64);
            h.set_mode(0o644);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(0);
            h.set_cksum();
            b.append_data(&mut h, format!("dir/file{i}"), &data[..]).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn gzip_members(tar: &[u8], member: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in tar.chunks(member) {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(chunk).unwrap();
            out.extend(e.finish().unwrap());
        }
        out
    }

    #[test]
    fn generated_multi_member_gzip_reads_through_the_index() {
        let tar = big_tar(6);
        // Members cut at odd places (inside headers and contents).
        let gz = gzip_members(&tar, 1_234_567);
        assert!(check_layer("multi-member gzip", gz, 1 << 20) >= 5);
    }

    #[test]
    fn broken_bytes_under_a_good_index_are_one_sentence_naming_the_layer() {
        let tar = big_tar(6);
        let gz = gzip_members(&tar, usize::MAX);
        let src: Source = MemSource::shared(gz.clone());
        let idx = index_layer(src, &IndexOptions::default(), &mut |_| true).unwrap();
        let seek = idx.seek.clone().unwrap();
        let last = idx.entries.iter().rfind(|e| e.kind == EntryKind::File).unwrap();
        // The checkpoint a read of the last file starts from (not the stream's start).
        let p = seek.nearest(last.offset).unwrap().clone();
        assert!(p.output > 0);
        // Bytes before the checkpoint are never read: a read through the index does not see
        // them broken, a read from the start does (so this shows the index is used).
        let mut early = gz.clone();
        early[1000..1200].fill(0xff);
        let good = LayerBlob::new(MemSource::shared(gz.clone()), "good").unwrap().read_content(last.offset, last.size).unwrap();
        let indexed = LayerBlob::new(MemSource::shared(early.clone()), "early").unwrap().with_seek(idx.seek.clone());
        assert!(indexed.read_content(last.offset, last.size).unwrap() == good);
        let from_start = LayerBlob::new(MemSource::shared(early), "early").unwrap().read_content(last.offset, last.size);
        assert!(from_start.map_or(true, |b| b != good), "a read from the start should see the broken bytes");
        let mut corrupt = gz.clone();
        corrupt[p.input as usize..p.input as usize + 200].fill(0xff);
        let truncated = gz[..p.input as usize + 5000].to_vec();
        for (what, bytes) in [("corrupt", corrupt), ("truncated", truncated)] {
            let blob = LayerBlob::new(MemSource::shared(bytes), "layer 3 (sha256:0123456789ab)").unwrap().with_seek(idx.seek.clone());
            let err = blob.read_content(last.offset, last.size).expect_err(what).to_string();
            assert!(err.contains("layer 3 (sha256:0123456789ab)"), "{what}: {err}");
            assert!(err.contains(what) && !err.contains('\n'), "{what}: {err}");
        }
    }

    /// The page's split verified open: a layer worker hands the uncompressed stream to a tee
    /// (the page's worker hashes it) and leaves the blob digest to another task. What the tee
    /// saw hashes to the diff_id a plain pass computes, byte for byte the stream.
    #[test]
    fn a_tee_sees_the_uncompressed_stream_the_diff_id_covers() {
        let tar = big_tar(3);
        let gz = gzip_members(&tar, usize::MAX);
        let whole = index_layer(MemSource::shared(gz.clone()), &IndexOptions::default(), &mut |_| true).unwrap();
        let mut seen = Vec::new();
        let opts = IndexOptions { hash_blob: false, ..Default::default() };
        let mut tee = |b: &[u8]| seen.extend_from_slice(b);
        let teed = layerlab::layer::index_layer_tee(MemSource::shared(gz.clone()), &opts, &mut |_| true, Some(&mut tee)).unwrap();
        assert_eq!(seen, tar);
        assert_eq!(Some(layerlab::digest::prefixed(&layerlab::digest::sha256(&seen))), whole.diff_id);
        assert_eq!((teed.diff_id, teed.blob_digest), (None, None));
        assert_eq!(Some(layerlab::digest::prefixed(&layerlab::digest::sha256(&gz))), whole.blob_digest);
        assert_eq!(teed.entries, whole.entries);
    }
}
