//! The docker host's image side (`layerlab::docker`) over archives built in memory: pulls that
//! reuse layers by ChainID prefix (`Already exists` only for a known blob on the same chain),
//! a pull after a load, tag/untag, rmi keeping shared layers. Truth: the oracle's
//! `pull-shared-base`, `pull-different-parent`, `pull-after-load`, `rmi-shared-layers`.

#[path = "support/tarkit.rs"]
#[allow(dead_code)]
mod tarkit;

use layerlab::docker::registry::Registry;
use layerlab::docker::Docker;
use layerlab::image::{Archive, Selector};
use layerlab::source::MemSource;
use std::sync::Arc;
use tarkit::{docker_save, sha, Tar};

fn layer(name: &str, body: &[u8]) -> Vec<u8> {
    Tar::new().file(name, body).finish()
}

/// A fake pushed-blob digest for a layer (a push re-gzips: blob digests differ from diff_ids).
fn blob(l: &[u8]) -> String {
    sha(&[b"pushed:".as_slice(), l].concat())
}

struct Fixture {
    docker: Docker,
    base: Vec<u8>,
}

/// `r/base:1` = [base], `r/app:1` = [base, a1, a2], `r/sib:1` = [base, a1, s2],
/// `r/other:1` = [a1] (a1 on another parent).
fn fixture() -> Fixture {
    let base = layer("bin/busybox", b"busybox");
    let a1 = layer("app/one", b"1");
    let a2 = layer("app/two", b"22");
    let s2 = layer("sib/two", b"333");
    let images: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("127.0.0.1:5000/base:1", vec![base.clone()]),
        ("127.0.0.1:5000/app:1", vec![base.clone(), a1.clone(), a2]),
        ("127.0.0.1:5000/sib:1", vec![base.clone(), a1.clone(), s2]),
        ("127.0.0.1:5000/other:1", vec![a1]),
    ];
    let mut txt = String::from("# registry\n");
    let mut archives = Vec::new();
    for (r, layers) in &images {
        let tar = docker_save(layers, "x/y:1");
        let config = tarkit::config_for(layers);
        txt.push_str(&format!("ref\t{r}\t{}\t1\tapplication/vnd.docker.distribution.manifest.v2+json\n", sha(r.as_bytes())));
        txt.push_str(&format!("config\t{r}\t{}\t1\tapplication/vnd.docker.container.image.v1+json\n", sha(&config)));
        for (i, l) in layers.iter().enumerate() {
            txt.push_str(&format!("layer\t{r}\t{i}\t{}\t{}\tgzip\t{}\n", blob(l), l.len(), sha(l)));
        }
        let ar = Archive::open(MemSource::shared(tar), r, true, None).unwrap();
        archives.push((r.to_string(), Arc::new(ar)));
    }
    let registry = Registry::from_text(&txt, &mut |r: &str| {
        archives.iter().find(|a| a.0 == r).map(|a| (a.1.clone(), Selector::Index(0)))
    })
    .unwrap();
    let base_tar = docker_save(std::slice::from_ref(&base), "oracle/base:1");
    let loader = Box::new(move |_: &str| Archive::open(MemSource::shared(base_tar.clone()), "base.tar", true, None).map(Arc::new).map_err(|e| e.to_string()));
    Fixture { docker: Docker::new(registry, loader), base }
}

fn run(d: &mut Docker, line: &str) -> (String, i32) {
    let o = d.run(&layerlab::docker::argv::split(line).unwrap());
    (o.out, o.code)
}

fn statuses(out: &str) -> Vec<String> {
    out.lines().filter(|l| l.ends_with("Already exists") || l.ends_with("Pull complete")).map(|l| l[14..].to_string()).collect()
}

#[test]
fn chain_id_prefix_pulls_say_already_exists_for_shared_bottom_layers() {
    let mut f = fixture();
    let (out, code) = run(&mut f.docker, "docker pull 127.0.0.1:5000/base:1");
    assert_eq!(code, 0, "{out}");
    assert_eq!(statuses(&out), ["Pull complete"]);
    assert!(out.starts_with("1: Pulling from base\n"), "{out}");
    assert!(out.ends_with("Status: Downloaded newer image for 127.0.0.1:5000/base:1\n127.0.0.1:5000/base:1\n"), "{out}");
    let (out, _) = run(&mut f.docker, "docker pull 127.0.0.1:5000/app:1");
    assert_eq!(statuses(&out), ["Already exists", "Pull complete", "Pull complete"]);
    let (out, _) = run(&mut f.docker, "docker pull 127.0.0.1:5000/sib:1");
    assert_eq!(statuses(&out), ["Already exists", "Already exists", "Pull complete"]);
    // The same blob on another parent: another ChainID, downloaded again.
    let (out, _) = run(&mut f.docker, "docker pull 127.0.0.1:5000/other:1");
    assert_eq!(statuses(&out), ["Pull complete"]);
    // A re-pull: no layer lines, up to date.
    let (out, _) = run(&mut f.docker, "docker pull 127.0.0.1:5000/base:1");
    assert!(statuses(&out).is_empty());
    assert!(out.contains("Status: Image is up to date for 127.0.0.1:5000/base:1\n"), "{out}");
    // 1 + 2 + 1 + 1 layers, each ChainID once.
    assert_eq!(f.docker.store.layers().count(), 5);
}

#[test]
fn a_pull_after_a_load_downloads_the_layer_it_holds() {
    let mut f = fixture();
    let (out, code) = run(&mut f.docker, "docker load -i base.tar");
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().last().unwrap(), "Loaded image: oracle/base:1");
    assert!(out.starts_with(&format!("{}: Loading layer [", &sha(&f.base)[7..19])), "{out}");
    let (out, _) = run(&mut f.docker, "docker pull 127.0.0.1:5000/app:1");
    assert_eq!(statuses(&out), ["Pull complete", "Pull complete", "Pull complete"]);
    // The loaded image is the registry's base image: no layer lines, yet newly tagged.
    let (out, _) = run(&mut f.docker, "docker pull 127.0.0.1:5000/base:1");
    assert!(statuses(&out).is_empty(), "{out}");
    assert!(out.contains("Status: Downloaded newer image for 127.0.0.1:5000/base:1\n"), "{out}");
    assert_eq!(f.docker.store.layers().count(), 3);
}

#[test]
fn a_pull_by_digest_names_the_digest_and_adds_no_tag() {
    let mut f = fixture();
    let d = sha(b"127.0.0.1:5000/base:1");
    let (out, code) = run(&mut f.docker, &format!("docker pull 127.0.0.1:5000/base@{d}"));
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with(&format!("{d}: Pulling from base\n")), "{out}");
    assert!(out.ends_with(&format!("Status: Downloaded newer image for 127.0.0.1:5000/base@{d}\n127.0.0.1:5000/base@{d}\n")), "{out}");
    let (out, _) = run(&mut f.docker, "docker images");
    assert_eq!(out.lines().nth(1).unwrap().split_whitespace().take(2).collect::<Vec<_>>(), ["127.0.0.1:5000/base", "<none>"], "{out}");
    let (out, _) = run(&mut f.docker, "docker images --digests");
    assert!(out.lines().nth(1).unwrap().contains(&d), "{out}");
    let zeros = format!("sha256:{}", "0".repeat(64));
    let (out, code) = run(&mut f.docker, &format!("docker pull 127.0.0.1:5000/base@{zeros}"));
    assert_eq!(code, 1);
    assert_eq!(out, format!("Error response from daemon: manifest for 127.0.0.1:5000/base@{zeros} not found: manifest unknown: manifest unknown\n"));
    let (out, code) = run(&mut f.docker, "docker history ghost");
    assert_eq!((out.as_str(), code), ("Error response from daemon: No such image: ghost:latest\n", 1));
}

#[test]
fn tag_and_untag() {
    let mut f = fixture();
    run(&mut f.docker, "docker pull 127.0.0.1:5000/base:1");
    assert_eq!(run(&mut f.docker, "docker tag 127.0.0.1:5000/base:1 work:local"), (String::new(), 0));
    let (out, _) = run(&mut f.docker, "docker images");
    assert_eq!(out.lines().count(), 3, "{out}");
    let row: Vec<&str> = out.lines().nth(2).unwrap().split_whitespace().collect();
    assert_eq!(row[..2], ["work", "local"], "{out}");
    assert_eq!(run(&mut f.docker, "docker rmi work:local"), ("Untagged: work:local\n".into(), 0));
    let (out, code) = run(&mut f.docker, "docker rmi work:local");
    assert_eq!((out.as_str(), code), ("Error: No such image: work:local\n", 1));
    let (out, code) = run(&mut f.docker, "docker tag nope:1 x");
    assert_eq!((out.as_str(), code), ("Error response from daemon: No such image: nope:1\n", 1));
}

#[test]
fn rmi_keeps_shared_layers_and_frees_the_rest_top_first() {
    let mut f = fixture();
    for r in ["base", "app", "sib"] {
        run(&mut f.docker, &format!("docker pull 127.0.0.1:5000/{r}:1"));
    }
    let sib = f.docker.store.resolve("127.0.0.1:5000/sib:1").unwrap();
    let chains = f.docker.store.image(&sib).unwrap().chains.clone();
    let (out, code) = run(&mut f.docker, "docker rmi 127.0.0.1:5000/sib:1");
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Untagged: 127.0.0.1:5000/sib:1");
    assert!(lines[1].starts_with("Untagged: 127.0.0.1:5000/sib@sha256:"));
    assert_eq!(lines[2], format!("Deleted: {sib}"));
    // Only the top layer: the two below are app's too.
    assert_eq!(lines[3..], [format!("Deleted: {}", chains[2])]);
    let (out, _) = run(&mut f.docker, "docker rmi 127.0.0.1:5000/app:1");
    assert_eq!(out.lines().filter(|l| l.starts_with("Deleted: ")).count(), 3, "{out}");
    let (out, _) = run(&mut f.docker, "docker rmi 127.0.0.1:5000/base:1");
    assert_eq!(out.lines().last().unwrap(), format!("Deleted: {}", chains[0]));
    assert_eq!(f.docker.store.layers().count(), 0);
}

#[test]
fn docker_errors_are_worded_like_docker() {
    let mut f = fixture();
    let (out, code) = run(&mut f.docker, "docker pull 127.0.0.1:5000/nothere");
    assert_eq!(code, 1);
    assert_eq!(out, "Using default tag: latest\nError response from daemon: manifest for 127.0.0.1:5000/nothere:latest not found: manifest unknown: manifest unknown\n");
    let (out, code) = run(&mut f.docker, "docker pull UPPER/Case");
    assert_eq!((out.as_str(), code), ("invalid reference format: repository name must be lowercase\n", 1));
    let (out, code) = run(&mut f.docker, "docker pul x");
    assert_eq!((out.as_str(), code), ("docker: 'pul' is not a docker command.\nSee 'docker --help'\n", 1));
    let (out, code) = run(&mut f.docker, "docker images --sizes");
    assert_eq!((out.as_str(), code), ("unknown flag: --sizes\nSee 'docker images --help'.\n", 125));
    let (out, code) = run(&mut f.docker, "docker pull");
    assert_eq!(code, 1);
    assert!(out.starts_with("\"docker pull\" requires exactly 1 argument.\nSee 'docker pull --help'.\n\nUsage:  docker pull [OPTIONS] NAME[:TAG|@DIGEST]\n"), "{out}");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        /// Any argv after `docker`: words from docker's vocabulary and arbitrary text.
        #[test]
        fn any_docker_argv(words in proptest::collection::vec(prop_oneof![
            Just("pull".to_string()), Just("images".to_string()), Just("image".to_string()), Just("rmi".to_string()),
            Just("tag".to_string()), Just("history".to_string()), Just("inspect".to_string()), Just("load".to_string()),
            Just("system".to_string()), Just("df".to_string()), Just("-f".to_string()), Just("-a".to_string()),
            Just("--digests".to_string()), Just("-v".to_string()), Just("127.0.0.1:5000/base:1".to_string()),
            Just("127.0.0.1:5000/app:1".to_string()), Just("--format".to_string()), Just("{{json .Config}}".to_string()),
            Just("-i".to_string()), Just("prune".to_string()), Just("ls".to_string()), Just("rm".to_string()),
            "\\PC{0,12}",
        ], 0..6)) {
            let mut f = fixture();
            let mut argv = vec!["docker".to_string()];
            argv.extend(words);
            let _ = f.docker.run(&argv);
            let _ = f.docker.run(&argv);
        }

        #[test]
        fn any_script_line(line in "\\PC{0,60}") {
            let mut f = fixture();
            let _ = layerlab::docker::script::replay(&format!("docker {line}\n{line}\n"), &mut f.docker);
        }
    }
}
