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
            assert_eq!(c.apply(&op.op).result, "OK", "{fx}");
        }
        let opts = CommitOptions { message: "note".into(), created: 1_700_000_000, tags: vec!["fixture/commit:v1".into()], ..Default::default() };
        let diff: Vec<_> = c.diff_entries().unwrap().iter().filter_map(|e| e.tar_entry(opts.created)).collect();
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
