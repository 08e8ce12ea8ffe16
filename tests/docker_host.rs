//! The docker host's image side (`layerlab::docker`) over archives built in memory: pulls that
//! reuse layers by ChainID prefix (`Already exists` only for a known blob on the same chain),
//! a pull after a load, tag/untag, rmi keeping shared layers; commits over a pulled image
//! (shared ChainIDs, an empty commit, parent links and rmi), `docker save` and `load` back, `tar`
//! over the saved file, the `#% driver` directive. Truth: the oracle's `pull-shared-base`,
//! `pull-different-parent`, `pull-after-load`, `rmi-shared-layers`, `commit-history`,
//! `commit-save`, `driver-*`; NOTES 20-24, 45.

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

/// `r/app:1` pulled and a container `c1` that wrote a file in it.
fn with_container() -> Fixture {
    let mut f = fixture();
    run(&mut f.docker, "docker pull 127.0.0.1:5000/app:1");
    let (out, code) = run(&mut f.docker, "docker run --name c1 --network none 127.0.0.1:5000/app:1 sh -c 'echo hi > /app/new.txt'");
    assert_eq!((out.as_str(), code), ("", 0));
    f
}

#[test]
fn commit_shares_the_parents_layers_by_chain_id_and_adds_one() {
    let mut f = with_container();
    let parent = f.docker.store.resolve("127.0.0.1:5000/app:1").unwrap();
    let (out, code) = run(&mut f.docker, "docker commit -m 'add new' -a me -c 'ENV A=1' c1 app:c");
    assert_eq!((out.as_str(), code), ("sha256:<img:1>\n", 0));
    let id = f.docker.store.resolve("app:c").unwrap();
    let (pc, cc) = (f.docker.store.image(&parent).unwrap().chains.clone(), f.docker.store.image(&id).unwrap().chains.clone());
    assert_eq!(cc.len(), pc.len() + 1);
    assert_eq!(cc[..pc.len()], pc[..], "the parent's layers are the same ChainIDs");
    assert_eq!(f.docker.store.image(&id).unwrap().parent.as_deref(), Some(parent.as_str()));
    // The new layer holds the container's change; the image runs with it and the -c change.
    let (out, _) = run(&mut f.docker, "docker run --name c2 --network none app:c sh -c 'cat /app/new.txt; echo A=$A'");
    assert_eq!(out, "hi\nA=1\n");
    let (out, _) = run(&mut f.docker, "docker diff c2");
    assert_eq!(out, "");
    let (out, _) = run(&mut f.docker, "docker history app:c");
    let rows: Vec<&str> = out.lines().collect();
    assert!(rows[1].starts_with("<img12:1>   "), "{out}");
    assert!(rows[1].ends_with("add new"), "{out}");
    assert!(rows[2].starts_with(&parent[7..19]), "the parent row shows the parent's ID: {out}");
    let (out, _) = run(&mut f.docker, "docker image inspect -f '{{json .RootFS.Layers}}' app:c");
    assert!(out.trim_end().ends_with(",\"sha256:<diff:1>\"]"), "{out}");
    for (field, want) in [("Comment", "add new"), ("Author", "me"), ("Container", "<cid:c1>"), ("Parent", parent.as_str())] {
        let (out, _) = run(&mut f.docker, &format!("docker image inspect -f '{{{{.{field}}}}}' app:c"));
        assert_eq!(out, format!("{want}\n"), "{field}");
    }
}

#[test]
fn an_unchanged_container_commits_no_layer() {
    let mut f = with_container();
    run(&mut f.docker, "docker create --name idle --network none 127.0.0.1:5000/app:1");
    let (out, code) = run(&mut f.docker, "docker commit idle same:1");
    assert_eq!((out.as_str(), code), ("sha256:<img:1>\n", 0));
    let parent = f.docker.store.resolve("127.0.0.1:5000/app:1").unwrap();
    let id = f.docker.store.resolve("same:1").unwrap();
    assert_ne!(id, parent, "a new config (history, container), so a new image");
    assert_eq!(f.docker.store.image(&id).unwrap().chains, f.docker.store.image(&parent).unwrap().chains);
    let (out, _) = run(&mut f.docker, "docker history same:1");
    let top: Vec<&str> = out.lines().nth(1).unwrap().split("   ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(top[3], "0B", "{out}");
}

#[test]
fn rmi_of_a_committed_image_keeps_the_parents_layers() {
    let mut f = with_container();
    run(&mut f.docker, "docker commit c1 app:c");
    let layers = f.docker.store.layers().count();
    let (out, code) = run(&mut f.docker, "docker rmi app:c");
    assert_eq!((out.as_str(), code), ("Untagged: app:c\nDeleted: sha256:<img:1>\nDeleted: sha256:<chain:1>\n", 0));
    assert_eq!(f.docker.store.layers().count(), layers - 1);
    let (out, code) = run(&mut f.docker, "docker run --name c3 --network none 127.0.0.1:5000/app:1 sh -c 'cat /app/one'");
    assert_eq!((out.as_str(), code), ("1", 0));
}

#[test]
fn a_parent_image_with_a_commit_on_it_is_only_untagged() {
    let mut f = with_container();
    run(&mut f.docker, "docker commit c1 app:c");
    run(&mut f.docker, "docker rm c1");
    let parent = f.docker.store.resolve("127.0.0.1:5000/app:1").unwrap();
    let (out, code) = run(&mut f.docker, &format!("docker rmi {}", &parent[7..19]));
    assert_eq!(code, 1);
    assert_eq!(out, format!("Error response from daemon: conflict: unable to delete {} (cannot be forced) - image has dependent child images\n", &parent[7..19]));
    let (out, code) = run(&mut f.docker, "docker rmi 127.0.0.1:5000/app:1");
    assert_eq!(code, 0);
    assert!(out.lines().all(|l| l.starts_with("Untagged: ")), "{out}");
    assert!(f.docker.store.has_image(&parent));
    // An intermediate image: hidden from `docker images` without -a, not pruned.
    let (out, _) = run(&mut f.docker, "docker images");
    assert!(!out.contains(&parent[7..19]), "{out}");
    let (out, _) = run(&mut f.docker, "docker images -a");
    assert!(out.contains(&parent[7..19]), "{out}");
    let (out, _) = run(&mut f.docker, "docker image prune -f");
    assert_eq!(out, "Total reclaimed space: 0B\n");
    // Removing the child removes the untagged parent after it (NOTES 45), each image followed by
    // the layers it freed.
    let (out, _) = run(&mut f.docker, "docker rmi app:c");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..3], ["Untagged: app:c", "Deleted: sha256:<img:1>", "Deleted: sha256:<chain:1>"], "{out}");
    assert_eq!(lines[3], format!("Deleted: {parent}"), "{out}");
    assert!(!f.docker.store.has_image(&parent));
}

#[test]
fn save_then_load_gives_the_same_image_id() {
    let mut f = with_container();
    run(&mut f.docker, "docker commit -m m c1 app:c");
    let id = f.docker.store.resolve("app:c").unwrap();
    let (out, code) = run(&mut f.docker, "docker save -o out.tar app:c");
    assert_eq!((out.as_str(), code), ("", 0));
    assert!(f.docker.files.contains_key("out.tar"));
    let tar = |f: &Fixture, line: &str| layerlab::docker::gnutar::run(&f.docker.files, &f.docker.names, &layerlab::docker::argv::split(line).unwrap());
    let list = tar(&f, "tar -tvf out.tar").out;
    let names: Vec<&str> = list.lines().map(|l| l.rsplit(' ').next().unwrap()).collect();
    // Docker 20.10's legacy layout: the top layer's v1 ID depends on the commit.
    assert_eq!(names[0], "<img:1>.json", "{list}");
    assert!(names.contains(&"<v1:1>/layer.tar") && names.contains(&"manifest.json") && names.contains(&"repositories"), "{list}");
    assert_eq!(names.iter().filter(|n| n.ends_with("/layer.tar")).count(), 4, "{list}");
    assert!(list.lines().all(|l| l.contains(" root/root ")), "{list}");
    assert_eq!(tar(&f, "tar -xOf out.tar repositories").out, "{\"app\":{\"c\":\"<v1:1>\"}}\n");
    let (out, code) = run(&mut f.docker, "docker rmi app:c");
    assert_eq!(code, 0, "{out}");
    let (out, code) = run(&mut f.docker, "docker load -i out.tar");
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("<diff12:1>: Loading layer ") && out.ends_with("Loaded image: app:c\n"), "{out}");
    assert_eq!(f.docker.store.resolve("app:c").as_deref(), Some(id.as_str()));
    // The parent link is not saved (NOTES 24): only the image's own row has an ID.
    let (out, _) = run(&mut f.docker, "docker history app:c");
    assert!(out.lines().nth(2).unwrap().starts_with("<missing>"), "{out}");
    // A member the archive lacks is GNU tar's error.
    let o = tar(&f, "tar -xOf out.tar nope");
    assert_eq!((o.out.as_str(), o.code), ("tar: nope: Not found in archive\ntar: Exiting with failure status due to previous errors\n", 2));
    let o = tar(&f, "tar -tvf missing.tar");
    assert_eq!(o.code, 2);
}

#[test]
fn a_parent_saved_with_its_child_is_linked_again_on_load() {
    let mut f = with_container();
    run(&mut f.docker, "docker commit c1 app:c");
    run(&mut f.docker, "docker run --name c2 --network none app:c sh -c 'echo more > /app/more.txt'");
    run(&mut f.docker, "docker commit c2 app:d");
    let (c, d) = (f.docker.store.resolve("app:c").unwrap(), f.docker.store.resolve("app:d").unwrap());
    let (out, code) = run(&mut f.docker, "docker save -o both.tar app:d app:c");
    assert_eq!((out.as_str(), code), ("", 0));
    let o = layerlab::docker::gnutar::run(&f.docker.files, &f.docker.names, &layerlab::docker::argv::split("tar -xOf both.tar manifest.json").unwrap());
    assert!(o.out.contains("\"Parent\":\"sha256:<img:1>\""), "{}", o.out);
    run(&mut f.docker, "docker rm c1 c2");
    let (out, _) = run(&mut f.docker, "docker rmi app:d app:c");
    assert!(out.contains("Deleted: sha256:<img:2>") && out.contains("Deleted: sha256:<img:1>"), "{out}");
    let (out, code) = run(&mut f.docker, "docker load -i both.tar");
    assert_eq!(code, 0, "{out}");
    assert_eq!(f.docker.store.image(&d).unwrap().parent.as_deref(), Some(c.as_str()));
    let (out, _) = run(&mut f.docker, "docker history app:d");
    let ids: Vec<&str> = out.lines().skip(1).map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(ids[..3], ["<img12:2>", "<img12:1>", "<missing>"], "{out}");
}

#[test]
fn commit_errors_are_the_daemons() {
    let mut f = with_container();
    let (out, code) = run(&mut f.docker, "docker commit ghost");
    assert_eq!((out.as_str(), code), ("Error response from daemon: No such container: ghost\n", 1));
    let (out, code) = run(&mut f.docker, "docker commit -c 'RUN echo hi' c1");
    assert_eq!((out.as_str(), code), ("Error response from daemon: run is not a valid change command\n", 1));
    let (out, code) = run(&mut f.docker, "docker commit c1 Bad/Name");
    assert_eq!((out.as_str(), code), ("invalid reference format: repository name must be lowercase\n", 1));
    let (out, code) = run(&mut f.docker, "docker save app:c");
    assert_eq!(code, 1, "{out}");
    let (out, code) = run(&mut f.docker, "docker save -o x.tar nothere:1");
    assert_eq!((out.as_str(), code), ("Error response from daemon: No such image: nothere:1\n", 1));
}

#[test]
fn run_pulls_a_missing_image_first() {
    let mut f = fixture();
    let (out, code) = run(&mut f.docker, "docker run --name c1 --network none 127.0.0.1:5000/base:1 sh -c 'echo hi'");
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Unable to find image '127.0.0.1:5000/base:1' locally");
    assert_eq!(lines[1], "1: Pulling from base");
    assert!(lines[2].ends_with(": Pull complete"), "{out}");
    assert!(lines[3].starts_with("Digest: sha256:"), "{out}");
    assert_eq!(lines[4..], ["Status: Downloaded newer image for 127.0.0.1:5000/base:1", "hi"]);
    let (out, code) = run(&mut f.docker, "docker run --name c2 --network none 127.0.0.1:5000/nothere");
    assert_eq!(code, 125);
    assert_eq!(
        out,
        "Unable to find image '127.0.0.1:5000/nothere:latest' locally\ndocker: Error response from daemon: manifest for 127.0.0.1:5000/nothere:latest not found: manifest unknown: manifest unknown.\nSee 'docker run --help'.\n"
    );
    assert!(f.docker.containers.iter().all(|c| c.name != "c2"));
}

#[test]
fn the_driver_directive_sets_info_and_graph_driver() {
    let mut f = fixture();
    let t = layerlab::docker::script::replay("#% driver btrfs\ndocker pull 127.0.0.1:5000/base:1\ndocker info\ndocker image inspect -f '{{json .GraphDriver}}' 127.0.0.1:5000/base:1\n", &mut f.docker);
    assert!(t.contains("$ docker info\n Storage Driver: btrfs\n  Build Version: Btrfs v6.2\n  Library Version: 102\n"), "{t}");
    assert!(t.ends_with("{\"Data\":null,\"Name\":\"btrfs\"}\n"), "{t}");
    let t = layerlab::docker::script::replay("#% driver zfs\n", &mut f.docker);
    assert!(t.starts_with("layerlab: the storage driver \"zfs\" is not simulated"), "{t}");
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
            Just("commit".to_string()), Just("save".to_string()), Just("-o".to_string()), Just("x.tar".to_string()),
            Just("c1".to_string()), Just("-c".to_string()), Just("ENV A=1".to_string()), Just("run".to_string()), Just("--name".to_string()),
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
            let _ = layerlab::docker::script::replay(&format!("docker {line}\n{line}\ntar {line}\n"), &mut f.docker);
        }

        /// Any script in a container (quotes, escapes, multi-byte characters, `$NAME`).
        #[test]
        fn any_sh_c_script(script in "\\PC{0,40}") {
            let mut f = with_container();
            let argv: Vec<String> = ["docker", "run", "--name", "p", "127.0.0.1:5000/app:1", "sh", "-c"].iter().map(|s| s.to_string()).chain([script]).collect();
            let _ = f.docker.run(&argv);
        }

        /// Commits and saves in any order, and tar over whatever was saved.
        #[test]
        fn any_commit_save_sequence(steps in proptest::collection::vec(0u8..6, 0..8)) {
            let mut f = with_container();
            for s in steps {
                let line = match s {
                    0 => "docker commit c1 app:c",
                    1 => "docker save -o a.tar app:c 127.0.0.1:5000/app:1",
                    2 => "docker rmi -f app:c",
                    3 => "docker load -i a.tar",
                    4 => "tar -tvf a.tar",
                    _ => "tar -xOf a.tar --wildcards '*.json'",
                };
                let _ = layerlab::docker::script::replay(&format!("{line}\n"), &mut f.docker);
            }
        }
    }
}
