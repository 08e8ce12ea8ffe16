//! Saved archives are checked by real tools, not by ourselves: skopeo (containers/image) and
//! umoci read what `commit::save` writes. `scripts/test.sh` installs both (Debian packages).

use layerlab::commit::save::{save, SaveFormat, SaveLayer};
use layerlab::commit::{commit, CommitOptions};
use layerlab::layer::{Content, TarEntry, TarKind};
use layerlab::layer::{index_layer, IndexOptions};
use layerlab::source::{FileSource, Source};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

fn shared() -> PathBuf {
    std::env::var_os("LAYERLAB_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn tool(name: &str) -> String {
    let ok = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "{name} is not installed: scripts/test.sh installs it (apt-get install {name})");
    name.to_string()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(out.status.success(), "{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A two-layer image made from the oracle's `multi-layer` scenario layers plus one committed
/// layer; saved in both formats; skopeo inspects and copies both, umoci unpacks the OCI one.
#[test]
fn skopeo_and_umoci_accept_saved_archives() {
    let dir = shared().join("oracle/scenarios/multi-layer/layers");
    let mut layers = Vec::new();
    for i in 0.. {
        let p = dir.join(format!("{i}.tar"));
        if !p.exists() {
            break;
        }
        let src: Source = Arc::new(FileSource::open(&p).unwrap());
        let idx = index_layer(src.clone(), &IndexOptions::default(), &mut |_| true).unwrap();
        layers.push(SaveLayer {
            blob: src,
            digest: idx.blob_digest.clone().unwrap(),
            diff_id: idx.diff_id.clone().unwrap(),
            compression: idx.compression,
        });
    }
    assert!(layers.len() >= 2);
    let opts = CommitOptions {
        message: "hello".into(),
        author: "layerlab tests".into(),
        created: 1_700_000_000,
        created_by: "/bin/sh".into(),
        tags: vec!["layerlab/test:v1".into()],
        ..Default::default()
    };
    let diff = vec![TarEntry {
        path: b"committed.txt".to_vec(),
        kind: TarKind::File(Content::Bytes(Arc::from(&b"committed\n"[..]))),
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: opts.created,
    }];
    let c = commit(None, &layers, &diff, &opts).unwrap();
    let tmp = std::env::temp_dir().join(format!("layerlab-save-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let skopeo = tool("skopeo");
    for (fmt, transport, name) in [(SaveFormat::Docker, "docker-archive", "out.docker.tar"), (SaveFormat::Oci, "oci-archive", "out.oci.tar")] {
        let path = tmp.join(name);
        let bytes = save(&[c.image.clone()], fmt, 1_700_000_000, Vec::new()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let again = save(&[c.image.clone()], fmt, 1_700_000_000, Vec::new()).unwrap();
        assert_eq!(bytes, again, "save is deterministic");
        let raw = run(Command::new(&skopeo).args(["inspect", "--raw", &format!("{transport}:{}", path.display())]));
        // docker-archive: containers/image names layers by their uncompressed digest (diff_id).
        let want = if fmt == SaveFormat::Docker { &c.layer.diff_id } else { &c.layer.digest };
        assert!(raw.contains(want.as_str()), "{transport}: manifest lists the committed layer: {raw}");
        let cfg = run(Command::new(&skopeo).args(["inspect", "--config", "--raw", &format!("{transport}:{}", path.display())]));
        assert!(cfg.contains("hello") && cfg.contains(&c.layer.diff_id), "{transport}: config has the history comment and diff_id");
        let dest = tmp.join(format!("copy-{name}"));
        let _ = std::fs::remove_dir_all(&dest);
        run(Command::new(&skopeo).args(["copy", &format!("{transport}:{}", path.display()), &format!("oci:{}:copied", dest.display())]));
    }
    // umoci unpacks the OCI layout and finds the committed file on top of the lower layers.
    let umoci = tool("umoci");
    let layout = tmp.join("layout");
    let _ = std::fs::remove_dir_all(&layout);
    std::fs::create_dir_all(&layout).unwrap();
    run(Command::new("tar").args(["-xf", &tmp.join("out.oci.tar").display().to_string(), "-C", &layout.display().to_string()]));
    let bundle = tmp.join("bundle");
    let _ = std::fs::remove_dir_all(&bundle);
    run(Command::new(&umoci).args(["unpack", "--rootless", "--image", &format!("{}:v1", layout.display()), &bundle.display().to_string()]));
    let got = std::fs::read(bundle.join("rootfs/committed.txt")).unwrap();
    assert_eq!(got, b"committed\n");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Fixture images of every source format, committed on and saved in both formats: skopeo
/// inspects and copies each archive, and the config digest it reports is the image ID we print.
#[test]
fn skopeo_accepts_commits_of_fixture_images() {
    use layerlab::container::{ops, Config, Container};
    use layerlab::image::{Archive, LoadOptions, Selector};
    let skopeo = tool("skopeo");
    let tmp = std::env::temp_dir().join(format!("layerlab-fixsave-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let fixtures = [
        "generated/layered.docker.tar",
        "generated/sibling.oci.tar",
        "generated/layered-zstd.oci-archive.tar",
        "public/dive/test-kaniko-image.tar",
        "public/go-containerregistry/hello-world-v25.tar",
        "public/go-containerregistry/whiteout_dir.tar",
    ];
    for fx in fixtures {
        let path = shared().join("fixtures").join(fx);
        let src: Source = Arc::new(FileSource::open(&path).unwrap());
        let img = Archive::open(src, fx, true, None).unwrap().load(&Selector::Default, &LoadOptions::default(), &mut |_| true).unwrap();
        let base = layerlab::commit::save::SaveImage::from_image(&img).unwrap();
        let mut c = Container::new(img.stack(None), Config::Default);
        for op in ops::parse(b"mkdir /layerlab\nwrite /layerlab/note hello\n").unwrap() {
            assert_eq!(c.apply(&op.op).render(), "OK", "{fx}");
        }
        let opts = CommitOptions { message: "note".into(), created: 1_700_000_000, tags: vec!["fixture/commit:v1".into()], ..Default::default() };
        let diff: Vec<_> = c.diff_entries().unwrap().iter().filter_map(|e| e.tar_entry(Some(opts.created))).collect();
        let done = commit(img.config.as_ref().map(|c| &c.bytes[..]), &base.layers, &diff, &opts).unwrap();
        for (fmt, transport) in [(SaveFormat::Docker, "docker-archive"), (SaveFormat::Oci, "oci-archive")] {
            let out = tmp.join("out.tar");
            std::fs::write(&out, save(&[done.image.clone()], fmt, 0, Vec::new()).unwrap()).unwrap();
            let inspect = run(Command::new(&skopeo).args(["inspect", "--raw", &format!("{transport}:{}", out.display())]));
            let id = done.image.id();
            assert!(inspect.contains(&id), "{fx} via {transport}: manifest names config {id}: {inspect}");
            let dest = tmp.join("copy");
            let _ = std::fs::remove_dir_all(&dest);
            run(Command::new(&skopeo).args(["copy", &format!("{transport}:{}", out.display()), &format!("oci:{}:c", dest.display())]));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Members of a tar archive by name (regular files only).
fn tar_members(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut out = std::collections::BTreeMap::new();
    let mut ar = tar::Archive::new(bytes);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.header().entry_type().is_file() {
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            out.insert(name, v);
        }
    }
    out
}

/// `repositories` as real `docker save` writes it: `{"<familiar repo>":{"<tag>":"<hex>"}}`
/// and a newline, the hex naming the image's top layer as `manifest.json` `Layers` names it
/// (Docker 20.10: the `<v1 id>/layer.tar` directory; our Docker 25+ layout: the top layer's
/// diff_id blob), never the image ID; no file at all when nothing is tagged.
#[test]
fn repositories_like_real_docker() {
    use layerlab::commit::save::SaveImage;
    use layerlab::image::docker_manifest::ManifestItem;
    use layerlab::image::repositories::Repositories;
    use layerlab::image::{Archive, LoadOptions, Selector};
    // A real `docker save` (dive's test image: legacy layout, built with Docker 18.09).
    let path = shared().join("fixtures/public/dive/test-docker-image.tar");
    let real = tar_members(&std::fs::read(&path).unwrap());
    let real_repos = &real["repositories"];
    assert_eq!(real_repos.last(), Some(&b'\n'), "Docker's json.Encoder ends the file with a newline");
    let real_repos = Repositories::parse(real_repos).unwrap();
    let real_items: Vec<ManifestItem> = serde_json::from_slice(&real["manifest.json"]).unwrap();
    let top_v1 = real_items[0].layers.last().unwrap().strip_suffix("/layer.tar").unwrap().to_string();
    assert_eq!(real_repos.0["dive-test"]["latest"], top_v1);
    assert!(!real_items[0].config.starts_with(&top_v1), "the value is not the image ID");
    assert_eq!(real_items[0].repo_tags.as_deref(), Some(&["dive-test:latest".to_string()][..]));

    // The docker oracle's commit-save scenario (Docker 20.10.24): same rule, placeholders.
    let expected = std::fs::read_to_string(shared().join("docker-oracle/scenarios/commit-save/expected.txt")).unwrap();
    let after = |cmd: &str| expected.lines().skip_while(|l| *l != cmd).nth(1).unwrap().to_string();
    assert_eq!(after("$ tar -xOf saved.tar repositories"), r#"{"saved":{"1":"<v1:1>"}}"#);
    assert!(after("$ tar -xOf saved.tar manifest.json").ends_with(r#""<v1:1>/layer.tar"]}]"#));

    // Ours, for the same image: same keys, the top layer of our Layers, a newline.
    let src: Source = Arc::new(FileSource::open(&path).unwrap());
    let ar = Archive::open(src, "dive", true, None).unwrap();
    let opts = LoadOptions { changes: false, hash_compressed: false, ..Default::default() };
    let img = ar.load(&Selector::Default, &opts, &mut |_| true).unwrap();
    let mut saved = SaveImage::from_image(&img).unwrap();
    let ours = tar_members(&save(&[saved.clone()], SaveFormat::Docker, 0, Vec::new()).unwrap());
    assert_eq!(ours["repositories"].last(), Some(&b'\n'));
    assert_eq!(ours["manifest.json"].last(), Some(&b'\n'));
    let repos = Repositories::parse(&ours["repositories"]).unwrap();
    let items: Vec<ManifestItem> = serde_json::from_slice(&ours["manifest.json"]).unwrap();
    let top = items[0].layers.last().unwrap().strip_prefix("blobs/sha256/").unwrap();
    assert_eq!(repos.0.keys().collect::<Vec<_>>(), real_repos.0.keys().collect::<Vec<_>>());
    assert_eq!(repos.0["dive-test"]["latest"], top);
    assert_eq!(format!("sha256:{top}"), img.layers.last().unwrap().diff_id.clone().unwrap());
    assert_eq!(items[0].repo_tags, real_items[0].repo_tags);

    // Untagged: no repositories file, "RepoTags":null (Go's nil slice), still one index entry.
    saved.tags.clear();
    let ours = tar_members(&save(&[saved], SaveFormat::Docker, 0, Vec::new()).unwrap());
    assert!(!ours.contains_key("repositories"));
    assert!(String::from_utf8_lossy(&ours["manifest.json"]).contains(r#""RepoTags":null"#));
    let index: serde_json::Value = serde_json::from_slice(&ours["index.json"]).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
}

/// An image `docker build` made (the oracle's `build-cache-copy` context: COPY, RUN, CMD over
/// the busybox base), saved by `docker save` in `layerlab host`: skopeo reads it, copies it to
/// an OCI layout, umoci unpacks that, and the unpacked root holds what the build wrote.
#[test]
fn built_images_load_in_skopeo_and_umoci() {
    use std::os::unix::fs::PermissionsExt;
    let skopeo = tool("skopeo");
    let umoci = tool("umoci");
    let scen = shared().join("docker-oracle/scenarios/build-cache-copy");
    let tmp = std::env::temp_dir().join(format!("layerlab-buildsave-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("context")).unwrap();
    for e in std::fs::read_dir(scen.join("context")).unwrap() {
        let e = e.unwrap();
        let dst = tmp.join("context").join(e.file_name());
        std::fs::copy(e.path(), &dst).unwrap();
        std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let images = tmp.join("images");
    let st = Command::new("python3").arg(shared().join("docker-oracle/make-images.py")).arg("--check").arg(&images).status().unwrap();
    assert!(st.success(), "make-images.py");
    std::fs::write(tmp.join("images.tsv"), format!("docker\t127.0.0.1:5000/bb:1\t{}\t0\n", images.join("bb.docker.tar").display())).unwrap();
    std::fs::write(
        tmp.join("script"),
        "docker pull 127.0.0.1:5000/bb:1\ndocker build -t built:1 context\ndocker save -o built.tar built:1\n",
    )
    .unwrap();
    let out = run(Command::new(env!("CARGO_BIN_EXE_layerlab")).current_dir(&tmp).args(["host", "--script", "script", "--images", "images.tsv", "--registry"]).arg(scen.join("registry.txt")));
    assert!(out.contains("Successfully tagged built:1"), "{out}");
    let archive = format!("docker-archive:{}", tmp.join("built.tar").display());
    let inspect = run(Command::new(&skopeo).args(["inspect", &archive]));
    assert!(inspect.contains("\"Layers\""), "{inspect}");
    run(Command::new(&skopeo).args(["copy", &archive, &format!("oci:{}:built", tmp.join("oci").display())]));
    run(Command::new(&umoci).args(["unpack", "--rootless", "--image", &format!("{}:built", tmp.join("oci").display())]).arg(tmp.join("bundle")));
    let root = tmp.join("bundle/rootfs");
    assert_eq!(std::fs::read_to_string(root.join("app/src.txt")).unwrap(), std::fs::read_to_string(scen.join("context/src.txt")).unwrap());
    let lib: Vec<String> = std::fs::read_dir(root.join("app/lib")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!lib.is_empty(), "the RUN step's files are in the image");
    assert!(root.join("bin/busybox").exists());
    let _ = std::fs::remove_dir_all(&tmp);
}
