//! Tab completion of a docker command line, as the docker CLI's bash completion offers it
//! (docker/cli `contrib/completion/bash/docker`): the subcommands after `docker`, then, by
//! subcommand, the references the registry serves (`pull`), the local images' tags
//! (`run`, `create`, `rmi`, `history`, `tag`, `inspect`, ...) or the container names
//! (`start`, `stop`, `exec`, `diff`, `rm`, `commit`, `inspect`).
//!
//! Rules: a line is split on whitespace; the word under the cursor is the last one (empty when
//! the line ends with a space). Each candidate is the whole line completed, with a trailing
//! space, sorted; none when nothing fits. Flags are skipped (and the value of a flag that takes
//! one); `run`/`create` complete their image only (the command after it is the container's).

use super::commands::Docker;
use super::served::served;

/// The subcommands the host simulates, as `docker` completes them.
pub const COMMANDS: &[&str] = &[
    "build", "commit", "container", "create", "diff", "exec", "history", "image", "images", "info", "inspect", "load", "ps",
    "pull", "rm", "rmi", "run", "start", "stop", "system", "tag",
];
const IMAGE_SUB: &[&str] = &["build", "history", "inspect", "load", "ls", "prune", "rm", "tag"];
const CONTAINER_SUB: &[&str] = &["commit", "create", "inspect", "ls", "rm"];
const SYSTEM_SUB: &[&str] = &["df"];
/// Flags of `run`/`create` that take a value (its word is not the image).
const VALUE_FLAGS: &[&str] = &["--name", "--network", "-e", "--env", "-w", "--workdir", "--entrypoint", "-u", "--user", "-m", "-c", "-a", "--message", "--author", "--change", "--format", "-f", "--filter", "-i", "--input"];

enum Want {
    Words(Vec<String>),
    Nothing,
}

/// The local images by their tags (and `<none>` images by short ID), sorted.
pub fn image_names(d: &Docker) -> Vec<String> {
    let mut v = Vec::new();
    for img in d.store.images_by_created() {
        let tags = d.store.repo_tags(&img.id);
        if tags.is_empty() {
            v.push(crate::digest::encoded(&img.id).chars().take(12).collect());
        }
        v.extend(tags);
    }
    v.sort();
    v.dedup();
    v
}

/// The containers' names, sorted.
pub fn container_names(d: &Docker) -> Vec<String> {
    let mut v: Vec<String> = d.containers.iter().map(|c| c.name.clone()).collect();
    v.sort();
    v
}

/// The completions of `line` (each a whole line).
pub fn complete(line: &str, d: &Docker) -> Vec<String> {
    let ends_open = line.is_empty() || line.ends_with(char::is_whitespace);
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let cur = if ends_open { "" } else { words.pop().unwrap_or("") };
    let prefix = &line[..line.len() - cur.len()];
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let want = match words.as_slice() {
        [] => Want::Words(vec!["docker".into()]),
        ["docker"] => Want::Words(strs(COMMANDS)),
        ["docker", "image"] => Want::Words(strs(IMAGE_SUB)),
        ["docker", "container"] => Want::Words(strs(CONTAINER_SUB)),
        ["docker", "system"] => Want::Words(strs(SYSTEM_SUB)),
        ["docker", rest @ ..] => args(rest, cur, d),
        _ => Want::Nothing,
    };
    let Want::Words(mut cands) = want else { return Vec::new() };
    cands.sort();
    cands.dedup();
    cands.into_iter().filter(|c| c.starts_with(cur)).map(|c| format!("{prefix}{c} ")).collect()
}

/// What the word after `sub ARGS...` can be.
fn args(words: &[&str], cur: &str, d: &Docker) -> Want {
    if cur.starts_with('-') {
        return Want::Nothing;
    }
    let (sub, rest) = match words {
        ["image" | "container" | "system", s, rest @ ..] => (*s, rest),
        [s, rest @ ..] => (*s, rest),
        [] => return Want::Nothing,
    };
    if rest.last().is_some_and(|w| VALUE_FLAGS.contains(w)) {
        return Want::Nothing;
    }
    let positional = rest.iter().enumerate().filter(|(i, w)| !w.starts_with('-') && !(*i > 0 && VALUE_FLAGS.contains(&rest[i - 1]))).count();
    let group = words.first().copied().unwrap_or("");
    match (group, sub) {
        (_, "pull") if positional == 0 => Want::Words(served(&d.registry)),
        (_, "run" | "create") if positional == 0 => Want::Words(image_names(d)),
        ("image", "rm" | "inspect" | "history") | (_, "rmi" | "history") => Want::Words(image_names(d)),
        (_, "tag") if positional == 0 => Want::Words(image_names(d)),
        ("container", "commit" | "rm" | "inspect") | (_, "start" | "stop" | "diff" | "rm") => Want::Words(container_names(d)),
        (_, "exec" | "commit") if positional == 0 => Want::Words(container_names(d)),
        (_, "inspect") => {
            let mut v = image_names(d);
            v.extend(container_names(d));
            Want::Words(v)
        }
        _ => Want::Nothing,
    }
}

/// The longest start every completion shares (what Tab puts in the line when several fit).
pub fn common_prefix(lines: &[String]) -> String {
    let Some(first) = lines.first() else { return String::new() };
    let mut n = first.len();
    for l in &lines[1..] {
        n = n.min(first.bytes().zip(l.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(n) {
        n -= 1;
    }
    first[..n].to_string()
}
