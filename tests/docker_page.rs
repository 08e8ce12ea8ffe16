//! The docker host as the page builds it (`layerlab::docker::{served, complete, store_map,
//! var_lib}`): a registry serving opened archives by their RepoTags with their own blobs (a
//! shared base pulls as `Already exists`), Tab completion, the store picture (shared layers
//! drawn once) and the `/var/lib/docker` tree (a diff_id finds only the bottom layer's
//! directory under `layerdb`, whose name is the ChainID).

#[path = "support/tarkit.rs"]
#[allow(dead_code)]
mod tarkit;

use layerlab::docker::complete::{common_prefix, complete};
use layerlab::docker::registry::Registry;
use layerlab::docker::store_map::{store_map, CellKind};
use layerlab::docker::var_lib::{search, tree};
use layerlab::docker::{served, Docker};
use layerlab::image::Archive;
use layerlab::source::MemSource;
use std::sync::Arc;
use tarkit::{docker_save, sha, Tar};

fn words(line: &str) -> Vec<String> {
    layerlab::docker::argv::split(line).unwrap()
}

struct Host {
    docker: Docker,
    base: Vec<u8>,
    app: Vec<u8>,
}

/// `app:1` = [base, app], `sib:1` = [base, sib], both served from their own archives.
fn host() -> Host {
    let base = Tar::new().file("bin/busybox", b"busybox").finish();
    let app = Tar::new().file("app/one", b"1").finish();
    let sib = Tar::new().file("sib/two", b"22").finish();
    let mut registry = Registry::default();
    for (tag, layers) in [("app:1", vec![base.clone(), app.clone()]), ("sib:1", vec![base.clone(), sib])] {
        let ar = Archive::open(MemSource::shared(docker_save(&layers, tag)), tag, true, None).unwrap();
        assert_eq!(served::serve(&mut registry, Arc::new(ar)), vec![tag.to_string()]);
    }
    let docker = Docker::new(registry, Box::new(|p: &str| Err(format!("{p}: no such file"))));
    Host { docker, base, app }
}

#[test]
fn a_served_archive_pulls_by_its_tag_and_a_shared_base_already_exists() {
    let mut h = host();
    let o = h.docker.run(&words("docker pull app:1"));
    assert_eq!(o.code, 0, "{}", o.out);
    assert_eq!(o.out.matches("Pull complete").count(), 2, "{}", o.out);
    let o = h.docker.run(&words("docker pull sib:1"));
    assert_eq!(o.code, 0, "{}", o.out);
    let lines: Vec<&str> = o.out.lines().collect();
    assert_eq!(lines[0], "1: Pulling from library/sib");
    assert!(lines[1].ends_with(": Already exists"), "{}", o.out);
    assert!(lines[2].ends_with(": Pull complete"), "{}", o.out);
    assert!(lines[3].starts_with("Digest: sha256:"), "{}", o.out);
    assert_eq!(lines[4], "Status: Downloaded newer image for sib:1");
    // Not served: Docker's own sentence.
    let o = h.docker.run(&words("docker pull nope:1"));
    assert_eq!(o.out, "Error response from daemon: manifest for nope:1 not found: manifest unknown: manifest unknown\n");
}

#[test]
fn completion_offers_subcommands_served_refs_images_and_containers() {
    let mut h = host();
    assert_eq!(complete("", &h.docker), vec!["docker "]);
    assert_eq!(complete("docker pu", &h.docker), vec!["docker pull "]);
    assert_eq!(complete("docker bu", &h.docker), vec!["docker build "]);
    assert_eq!(complete("docker pull ", &h.docker), vec!["docker pull app:1 ", "docker pull sib:1 "]);
    assert_eq!(complete("docker run --name a ", &h.docker), Vec::<String>::new());
    h.docker.run(&words("docker pull app:1"));
    assert_eq!(complete("docker run --name a a", &h.docker), vec!["docker run --name a app:1 "]);
    assert!(complete("docker run --name a app:1 s", &h.docker).is_empty());
    h.docker.run(&words("docker run --name web app:1 sh -c 'echo a > /a'"));
    assert_eq!(complete("docker diff w", &h.docker), vec!["docker diff web "]);
    assert_eq!(complete("docker image ", &h.docker).len(), 8);
    let two = complete("docker s", &h.docker);
    assert_eq!(two, vec!["docker start ", "docker stop ", "docker system "]);
    assert_eq!(common_prefix(&two), "docker s");
    assert!(complete("ls -l", &h.docker).is_empty());
}

#[test]
fn the_store_map_draws_a_shared_layer_once() {
    let mut h = host();
    h.docker.run(&words("docker pull app:1"));
    h.docker.run(&words("docker pull sib:1"));
    h.docker.run(&words("docker run --name a app:1 sh -c 'echo a > /a'"));
    let m = store_map(&h.docker);
    let labels: Vec<&str> = m.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels.len(), 3);
    // Rows top first: container, its init layer, the images' top layers, the shared base.
    let bottom = m.rows.last().unwrap();
    assert_eq!(bottom.len(), 1, "{m:?}");
    assert_eq!((bottom[0].start, bottom[0].span), (0, 3));
    assert_eq!(bottom[0].chain_id.as_deref(), Some(sha(&h.base).as_str()));
    let second = &m.rows[m.rows.len() - 2];
    assert_eq!(second.len(), 2, "app's top layer (image and container) and sib's: {m:?}");
    let top = &m.rows[0];
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].kind, CellKind::Container);
    assert_eq!(top[0].label, "a");
    assert_eq!(m.rows[1][0].kind, CellKind::Init);
}

#[test]
fn searching_a_diff_id_finds_only_the_bottom_layer_dir_under_layerdb() {
    let mut h = host();
    h.docker.run(&words("docker pull app:1"));
    h.docker.run(&words("docker run --name a app:1 sh -c 'echo a > /a'"));
    let t = tree(&h.docker);
    let base_diff = sha(&h.base);
    let hits = search(&t, "image/overlay2/layerdb/", &base_diff);
    let paths: Vec<&str> = hits.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, vec![format!("image/overlay2/layerdb/sha256/{}/", &base_diff[7..])]);
    // The app layer's diff_id names no directory there: its directory is its ChainID.
    assert!(search(&t, "image/overlay2/layerdb/", &sha(&h.app)).is_empty());
    // ... but its diff file holds it, and the distribution cache is keyed by it.
    let chain = layerlab::image::digest::chain_ids(&[base_diff.clone(), sha(&h.app)])[1].clone();
    let diff_file = format!("image/overlay2/layerdb/sha256/{}/diff", &chain[7..]);
    assert_eq!(t.iter().find(|e| e.path == diff_file).and_then(|e| e.content.clone()), Some(sha(&h.app)));
    assert_eq!(search(&t, "image/overlay2/distribution/v2metadata-by-diffid/", &sha(&h.app)).len(), 1);
    // overlay2: the bottom layer has no lower and no work dir; l/ links point at diff dirs.
    let parent_file = format!("image/overlay2/layerdb/sha256/{}/parent", &chain[7..]);
    assert_eq!(t.iter().find(|e| e.path == parent_file).and_then(|e| e.content.clone()), Some(base_diff.clone()));
    assert!(t.iter().any(|e| e.path.starts_with("overlay2/l/") && e.link));
    assert!(t.iter().any(|e| e.path == "containers/<cid:a>/hostname"));
    assert!(t.iter().any(|e| e.path == "image/overlay2/repositories.json" && e.content.as_deref().unwrap_or("").contains("app:1")));
}

// Issue 11, the page's build: what each step did (`Docker::build_steps`), and the host in
// display mode printing real IDs and durations (the oracle's placeholders only for scripts).
const DOCKERFILE: &str = "FROM app:1\nCOPY app.txt /app/\nRUN echo changed > /app/one && rm /bin/busybox && echo new > /new.txt\nCMD [\"cat\", \"/app/app.txt\"]\n";

fn build_host(text: &'static str) -> Host {
    let mut h = host();
    h.docker.display = true;
    h.docker.context_loader = Some(Box::new(move |_dir: &str| {
        let mut c = layerlab::docker::context::Context::new();
        c.add_file("Dockerfile", 0o644, DOCKERFILE.as_bytes().to_vec());
        c.add_file("app.txt", 0o644, text.as_bytes().to_vec());
        Ok(c)
    }));
    h
}

fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[test]
fn a_build_reports_each_step_its_container_changes_and_layer() {
    use layerlab::docker::build_steps::ChangeKind::*;
    let mut h = build_host("hi\n");
    let o = h.docker.run(&words("docker build -t demo:1 context"));
    assert_eq!(o.code, 0, "{}", o.out);
    let steps = std::mem::take(&mut h.docker.build_steps);
    assert_eq!(steps.iter().map(|s| (s.n, s.total, s.done, s.cached)).collect::<Vec<_>>(), vec![(1, 4, true, false), (2, 4, true, false), (3, 4, true, false), (4, 4, true, false)]);
    assert!(steps[0].from && steps[0].layer.is_none() && steps[0].stack.len() == 2);
    // COPY: no printed container; the new file in a copied-up /app; a layer joins the stack.
    assert_eq!(steps[1].container, None);
    let ch = |i: usize| steps[i].changes.iter().map(|c| (c.kind, c.path.as_str())).collect::<Vec<_>>();
    assert_eq!(ch(1), vec![(CopyUp, "/app"), (New, "/app/app.txt")]);
    assert_eq!(steps[1].stack.len(), 3);
    assert_eq!(steps[1].layer.as_ref(), steps[1].stack.last());
    // RUN: its container printed as Docker prints it, a copy-up, a whiteout, a new file.
    let ctr = steps[2].container.clone().unwrap();
    assert!(is_hex(&ctr, 64), "{ctr}");
    assert!(o.out.contains(&format!(" ---> Running in {}\nRemoving intermediate container {}\n", &ctr[..12], &ctr[..12])), "{}", o.out);
    assert_eq!(ch(2), vec![(CopyUp, "/app"), (CopyUp, "/app/one"), (CopyUp, "/bin"), (Whiteout, "/bin/busybox"), (New, "/new.txt")]);
    let layer = steps[2].layer.clone().unwrap();
    assert!(layer.diff_id.starts_with("sha256:") && layer.size_text.ends_with('B'), "{layer:?}");
    assert_eq!(steps[2].stack.len(), 4);
    // CMD: a container, no layer (a history row only).
    assert!(steps[3].container.is_some() && steps[3].empty_layer && steps[3].layer.is_none() && steps[3].stack.len() == 4);
    // Real IDs: the transcript's equal the report's and `docker images`'.
    let id = steps[3].image.clone().unwrap();
    let short = &id["sha256:".len()..]["".len()..12];
    assert!(o.out.ends_with(&format!("Successfully built {short}\nSuccessfully tagged demo:1\n")), "{}", o.out);
    assert!(!o.out.contains('<'), "{}", o.out);
    let images = h.docker.run(&words("docker images")).out;
    assert!(images.lines().any(|l| l.starts_with("demo ") && l.contains(short) && l.contains(" ago ")), "{images}");
    assert!(!images.contains("<dur>"), "{images}");

    // An unchanged rebuild: every step after FROM from the cache, nothing committed.
    let o = h.docker.run(&words("docker build -t demo:1 context"));
    let steps = std::mem::take(&mut h.docker.build_steps);
    assert_eq!(steps.iter().map(|s| s.cached).collect::<Vec<_>>(), vec![false, true, true, true], "{}", o.out);
    assert!(steps.iter().all(|s| s.container.is_none() && s.changes.is_empty() && s.layer.is_none()));
    assert_eq!(steps[3].image.as_deref(), Some(id.as_str()));

    // A container prints a real ID and durations.
    h.docker.run(&words("docker run --name web demo:1"));
    let ps = h.docker.run(&words("docker ps -a")).out;
    let row = ps.lines().nth(1).unwrap();
    assert!(is_hex(&row[..12], 12), "{ps}");
    assert!(row.contains("Less than a second ago") && row.contains("Exited (0) Less than a second ago"), "{ps}");
    assert!(!ps.contains('<'), "{ps}");
}

#[test]
fn scripts_keep_the_oracles_placeholders() {
    let mut h = build_host("hi\n");
    h.docker.display = false;
    let o = h.docker.run(&words("docker build -t demo:1 context"));
    assert!(o.out.contains(" ---> Running in <build12:1>\n"), "{}", o.out);
    assert!(o.out.contains("Successfully built <img12:"), "{}", o.out);
    assert_eq!(h.docker.build_steps.len(), 4);
}
