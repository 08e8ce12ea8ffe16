//! The `commit`, `save` and `export` commands through the real binary, as a user runs them.

#[path = "support/traces.rs"]
mod traces;
use traces::{section, shared};
use std::path::PathBuf;
use std::process::Command;


fn layerlab(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_layerlab")).args(args).output().expect("run layerlab");
    assert!(out.status.success(), "layerlab {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("layerlab-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}


/// `layerlab commit` over a scenario's layers, then `layerlab ls OUT --layer -1`, equals the
/// kernel's DIFF, in both output formats and all configs.
#[test]
fn commit_command_writes_the_kernels_diff() {
    let dir = tmp("commit");
    for name in ["rename-dir-chain", "hard-link-break", "lower-opaque", "mv-exdev-fallback", "metacopy-rename", "weird-names"] {
        let scen = shared().join("oracle/scenarios").join(name);
        let mut layers: Vec<String> = Vec::new();
        for i in 0.. {
            let p = scen.join(format!("layers/{i}.tar"));
            if !p.exists() {
                break;
            }
            layers.push(p.display().to_string());
        }
        for (cfg, fmt) in [("default", "docker"), ("redirect", "oci"), ("metacopy", "docker")] {
            let out = dir.join(format!("{name}.{cfg}.tar"));
            let mut args: Vec<&str> = vec!["commit"];
            args.extend(layers.iter().map(String::as_str));
            let ops = scen.join("ops").display().to_string();
            let o = out.display().to_string();
            args.extend(["--ops", &ops, "--config", cfg, "-m", "msg", "-a", "me", "--time", "1700000000", "-o", &o, "--format", fmt]);
            let id = layerlab(&args);
            assert!(id.starts_with("sha256:"), "prints the new image ID");
            let got = layerlab(&["ls", &o, "--layer", "-1"]);
            let want = section(&std::fs::read_to_string(scen.join(format!("expected.{cfg}.txt"))).unwrap(), "== DIFF").iter().map(|l| format!("{l}\n")).collect::<String>();
            assert_eq!(got, want, "{name} [{cfg}]: committed layer vs kernel DIFF");
            // The history shows the commit on top, with its message.
            let hist = layerlab(&["history", &o]);
            let first = hist.lines().nth(1).unwrap();
            assert!(first.starts_with(id.trim()) && first.ends_with("msg"), "history's top row is the commit: {first}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `save` rewrites a fixture archive with the same image ID and layers; `export` gives a
/// rootfs tar whose listing (as a bare layer) is the image's merged view.
#[test]
fn save_keeps_ids_and_export_is_the_merged_view() {
    let dir = tmp("save");
    let fx = shared().join("fixtures/generated/both.oci.tar").display().to_string();
    let out = dir.join("both.docker.tar").display().to_string();
    let ids = layerlab(&["save", &fx, "-o", &out]);
    assert_eq!(ids.lines().count(), 2, "both images saved");
    for (sel, golden) in [("layered", "layered.merged.txt"), ("sibling", "sibling.merged.txt")] {
        let want = std::fs::read_to_string(shared().join("fixtures/goldens").join(golden)).unwrap();
        assert_eq!(layerlab(&["ls", &out, "--image", sel]), want, "{sel} after save");
        let inspect_a = layerlab(&["inspect", &fx, "--image", sel]);
        let inspect_b = layerlab(&["inspect", &out, "--image", sel]);
        let id = |s: &str| s.lines().find(|l| l.contains("\"Id\"")).unwrap().to_string();
        assert_eq!(id(&inspect_a), id(&inspect_b), "{sel}: same image ID after save");
    }
    let exp = dir.join("rootfs.tar").display().to_string();
    layerlab(&["export", &fx, "--image", "layered", "-o", &exp]);
    let strip = |s: String| -> String {
        s.lines().map(|l| match l.find(" nlink=") { Some(i) => &l[..i], None => l }).collect::<Vec<_>>().join("\n")
    };
    let merged = layerlab(&["ls", &fx, "--image", "layered"]);
    assert_eq!(strip(layerlab(&["ls", &exp])), strip(merged), "export = merged view");
    let _ = std::fs::remove_dir_all(&dir);
}
