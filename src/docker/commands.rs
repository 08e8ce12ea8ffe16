//! The docker commands, printing what the Docker 20.10.24 CLI prints (after the oracle's
//! normalization): `pull`, `images`/`image ls`, `tag`, `rmi`/`image rm` (refusing an image a
//! container uses, NOTES 26; following parent links, NOTES 45), `history` (IDs along the parent
//! chain), `image inspect`/`inspect` (images, and containers through
//! [`super::container_inspect`]; `container inspect`; Go templates with text, `json`, `len`),
//! `load` (also of an archive `save` wrote), `save -o`,
//! `image prune`, `system df [-v]` (images and containers), `info` (the driver's block), and the
//! container side: `run`, `create` (pulling a missing image first), `start`, `stop`, `exec`,
//! `diff`, `ps`, `rm`, `commit`.
//!
//! Truth: the oracle's transcripts (`pull-*`, `inspect-*`, `rmi-shared-layers`, `commit-*`,
//! `opaque-dirs`) and NOTES 1-8, 10, 20-24, 27, 31-33, 47-54; our `tests/docker-scenarios`
//! `container-inspect*` (inspect lookup order, errors, templates) and `max-depth` (a commit over
//! 125 layers: `Error response from daemon: max depth exceeded`). Sources: moby
//! `distribution/pull_v2.go` (`Already exists` when the blob digest is known for the diff_id
//! *and* the ChainID is present; no layer lines when the image ID is present),
//! `daemon/images/image_delete.go` (untag, digest references of the same repository, `Deleted:`
//! image then freed ChainIDs, untagged parents after it), `daemon/images/image_history.go`,
//! `daemon/commit.go` + `daemon/images/image_commit.go` (commit), `image/tarexport/save.go`
//! (20.10: which images and tags `save` writes); docker/cli
//! `cli/command/formatter/{image,history,disk_usage}.go`, `cli/required.go` (usage errors),
//! `pkg/jsonmessage` (progress bars: 50 columns, `%8v/%v` in go-units `HumanSize`),
//! `cli/command/system/inspect.go` (a name is a container first, then an image; `[]` and an
//! error line per missing name), `templates` (`json` without HTML escaping). A pull or load of an
//! image deeper than 125 layers fails with the layer store's sentence (moby
//! `distribution/xfer/download.go`, `image/tarexport/load.go`); no recording has one, so the
//! progress lines before it are not known.
//!
//! Rules: a pull, load and build print their final screen (one line per layer with its last
//! status), as the oracle records them on a terminal; relative times are `<dur> ago` (the clock
//! is fixed); IDs the host made print as the oracle's placeholders ([`super::names`]), table
//! cells before the layout; errors are Docker's sentences with its exit codes (1, 125, 126,
//! 127). `save -o FILE` keeps the archive in the host's scratch files (no file system here);
//! `load -i FILE` reads from them first, then asks the caller's [`Loader`]. Commands not
//! simulated yet (`build`, `export`, ...) print one line saying so, exit 1.

use super::containers::{Ctr, State};
use super::driver::Driver;
use super::gojson::{pretty, run_config};
use super::names::Names;
use std::collections::BTreeMap;
use super::reference::Named;
use super::registry::Registry;
use super::store::{cache_id, check_depth, Store};
use super::table::{ellipsis, render};
use crate::digest::encoded;
use crate::image::{Archive, Image, LoadOptions, Selector};
use crate::units::{docker_size, human_size};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// What a command printed (stdout and stderr in one stream) and its exit code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub out: String,
    pub code: i32,
}

impl Outcome {
    pub(super) fn ok(out: String) -> Outcome {
        Outcome { out, code: 0 }
    }
    pub(super) fn fail(mut out: String, line: &str, code: i32) -> Outcome {
        out.push_str(line);
        out.push('\n');
        Outcome { out, code }
    }
}

/// What [`Docker::commit_image`] makes an image of.
pub(super) struct CommitImage<'a> {
    pub parent: Option<&'a str>,
    /// The layers below when there is no stored parent (a build from scratch: none).
    pub chains: Vec<String>,
    pub entries: &'a [crate::layer::TarEntry],
    pub author: &'a str,
    pub comment: &'a str,
    /// The container ID the config records (`""`: none, as for a build's COPY).
    pub container: &'a str,
    pub container_config: &'a Value,
    pub config: &'a Value,
    pub created: &'a str,
}

/// What a `docker inspect` looks names up as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inspect {
    /// `docker inspect`: a container, else an image.
    Any,
    Image,
    Container,
}

/// Opens an archive a `docker load -i PATH` names (paths relative to the command's directory).
pub type Loader = Box<dyn FnMut(&str) -> Result<Arc<Archive>, String>>;

/// The docker host's image side: registry, store, and how `docker load` reads files.
pub struct Docker {
    pub registry: Registry,
    pub store: Store,
    /// Containers in creation order.
    pub containers: Vec<Ctr>,
    /// The storage driver the daemon runs (`#% driver`).
    pub driver: Driver,
    /// Placeholders of the IDs the host made (commits, their layers, saved v1 IDs).
    pub names: Names,
    /// The scratch space of the commands' directory: what `docker save -o` wrote, by path.
    pub files: BTreeMap<String, Arc<[u8]>>,
    /// Reads a `docker build` context directory (the CLI reads the disk; none: no contexts).
    pub context_loader: Option<super::context::ContextLoader>,
    /// DISPLAY: print as a real daemon does (the page): real IDs, times and durations from the
    /// host's clock ([`Names::show`]); off (the oracle's placeholders) for `layerlab host`
    /// scripts and the oracle tests.
    pub display: bool,
    /// BUILD: the steps of the last `docker build`, for the page to draw (taken by the caller).
    pub build_steps: Vec<super::build_steps::Step>,
    loader: Loader,
    seq: u64,
    /// The host's clock when each container was made, by creation number.
    ctr_times: BTreeMap<u64, i64>,
}

const DUR: &str = "<dur> ago";
/// The diff ID of an empty tar (1024 zero bytes): a commit of an unchanged container adds no
/// layer (moby `layer.IsEmpty`).
const EMPTY_LAYER: &str = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
const NOT_SIMULATED: &[&str] = &[
    "export", "kill",
    "logs", "container", "restart", "cp", "top", "wait", "port", "rename", "pause", "unpause", "attach", "update",
    "version", "events", "push", "login", "logout", "search", "import", "network", "volume", "builder", "buildx",
    "checkpoint", "config", "context", "manifest", "node", "plugin", "secret", "service", "stack", "swarm", "trust",
];

/// One command's flags: (short, long, takes a value).
pub(super) type Spec = &'static [(Option<char>, &'static str, bool)];

pub(super) struct Parsed {
    pub flags: Vec<(&'static str, String)>,
    pub args: Vec<String>,
}

impl Parsed {
    /// Whether a boolean flag is on (its last value is not `false`: `-p=false`, `--all=false`).
    pub(super) fn has(&self, long: &str) -> bool {
        self.flags.iter().rev().find(|(l, _)| *l == long).is_some_and(|(_, v)| v != "false")
    }
    pub(super) fn value(&self, long: &str) -> Option<&str> {
        self.flags.iter().rev().find(|(l, _)| *l == long).map(|(_, v)| v.as_str())
    }
}

/// Parses flags as the CLI's pflag does; the error is the CLI's two lines (exit 125).
pub(super) fn parse_flags(cmd: &str, spec: Spec, argv: &[String]) -> Result<Parsed, Outcome> {
    let mut p = Parsed { flags: Vec::new(), args: Vec::new() };
    let bad = |msg: String| Outcome { out: format!("{msg}\nSee '{cmd} --help'.\n"), code: 125 };
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            p.args.extend(argv[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(&(_, l, takes)) = spec.iter().find(|s| s.1 == name) else {
                return Err(bad(format!("unknown flag: --{name}")));
            };
            let v = if takes {
                match inline {
                    Some(v) => v,
                    None if i < argv.len() => {
                        i += 1;
                        argv[i - 1].clone()
                    }
                    None => return Err(bad(format!("flag needs an argument: --{name}"))),
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            p.flags.push((l, v));
        } else if a.len() > 1 && a.starts_with('-') {
            let shorts: Vec<char> = a[1..].chars().collect();
            let mut k = 0;
            while k < shorts.len() {
                let c = shorts[k];
                k += 1;
                let Some(&(_, l, takes)) = spec.iter().find(|s| s.0 == Some(c)) else {
                    return Err(bad(format!("unknown shorthand flag: '{c}' in {a}")));
                };
                if takes {
                    let rest: String = shorts[k..].iter().collect();
                    let v = if !rest.is_empty() {
                        rest.strip_prefix('=').unwrap_or(&rest).to_string()
                    } else if i < argv.len() {
                        i += 1;
                        argv[i - 1].clone()
                    } else {
                        return Err(bad(format!("flag needs an argument: '{c}' in -{c}")));
                    };
                    p.flags.push((l, v));
                    break;
                }
                if shorts.get(k) == Some(&'=') {
                    // pflag: `-p=false` gives a boolean shorthand its value.
                    p.flags.push((l, shorts[k + 1..].iter().collect()));
                    break;
                }
                p.flags.push((l, "true".into()));
            }
        } else {
            p.args.push(a.clone());
        }
    }
    Ok(p)
}

pub(super) enum Arity {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
}

/// `cli/required.go`: the usage error of a wrong argument count (exit 1).
pub(super) fn check_arity(cmd: &str, n: usize, arity: Arity, usage: &str, short: &str) -> Result<(), Outcome> {
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let msg = match arity {
        Arity::Exactly(k) if n != k => format!("\"{cmd}\" requires exactly {k} {}.", plural(k)),
        Arity::AtLeast(k) if n < k => format!("\"{cmd}\" requires at least {k} {}.", plural(k)),
        Arity::AtMost(0) if n > 0 => format!("\"{cmd}\" accepts no arguments."),
        Arity::AtMost(k) if n > k => format!("\"{cmd}\" requires at most {k} {}.", plural(k)),
        _ => return Ok(()),
    };
    Err(Outcome { out: format!("{msg}\nSee '{cmd} --help'.\n\nUsage:  {usage}\n\n{short}\n"), code: 1 })
}

fn short12(id: &str) -> String {
    encoded(id).chars().take(12).collect()
}

/// `pkg/jsonmessage` progress of a finished transfer: `[=====>]  1.997MB/1.997MB`.
fn full_bar(total: u64) -> String {
    let t = human_size(total);
    format!("[{}>] {:>8}/{}", "=".repeat(50), t, t)
}

/// Splits a familiar `repo:tag` into its two cells.
fn repo_tag_cells(familiar: &str) -> (String, String) {
    let slash = familiar.rfind('/').map_or(0, |i| i + 1);
    match familiar[slash..].rfind(':') {
        Some(i) => (familiar[..slash + i].to_string(), familiar[slash + i + 1..].to_string()),
        None => (familiar.to_string(), "<none>".into()),
    }
}

impl Docker {
    pub fn new(registry: Registry, loader: Loader) -> Docker {
        Docker {
            registry,
            store: Store::new(),
            containers: Vec::new(),
            driver: Driver::default(),
            names: Names::default(),
            files: BTreeMap::new(),
            context_loader: None,
            display: false,
            build_steps: Vec::new(),
            loader,
            seq: 0,
            ctr_times: BTreeMap::new(),
        }
    }

    /// Begins the host afresh (a lesson's Docker steps start on an empty host): no images,
    /// layers, containers or scratch files; the registry, the loaders and the display mode stay.
    pub fn reset(&mut self) {
        let registry = std::mem::take(&mut self.registry);
        let loader = std::mem::replace(&mut self.loader, Box::new(|p: &str| Err(format!("{p}: no such file or directory"))));
        let (context_loader, display) = (self.context_loader.take(), self.display);
        *self = Docker::new(registry, loader);
        self.context_loader = context_loader;
        self.display = display;
    }

    /// The next creation number of a container.
    pub(super) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.ctr_times.insert(self.seq, self.names.now());
        self.seq
    }

    /// What the host prints of `s`: the oracle's placeholders, or (display) a daemon's values.
    pub fn print(&self, s: &str) -> String {
        if self.display {
            self.names.show(s)
        } else {
            self.names.normalize(s)
        }
    }

    /// CREATED of something made at `t` (seconds): `<dur> ago`, or (display) go-units
    /// `HumanDuration` of the host's clock since then.
    pub(super) fn ago(&self, t: i64) -> String {
        if !self.display {
            return DUR.into();
        }
        format!("{} ago", crate::units::human_duration(std::time::Duration::from_secs((self.names.now() - t).max(0) as u64)))
    }

    /// CREATED of an image (its config's `created`).
    fn image_ago(&self, id: &str) -> String {
        let t = self.store.image(id).and_then(|i| i.config.raw.get("created").and_then(Value::as_str).map(super::names::seconds)).unwrap_or(0);
        self.ago(t)
    }

    /// CREATED of a container.
    fn ctr_ago(&self, c: &Ctr) -> String {
        self.ago(self.ctr_times.get(&c.seq).copied().unwrap_or(super::names::NOW))
    }

    /// STATUS of a container (`Up <dur>`, `Exited (0) <dur> ago`; display: real durations).
    pub fn status_of(&self, c: &Ctr) -> String {
        let s = c.status();
        if !self.display {
            return s;
        }
        let t = self.ctr_times.get(&c.seq).copied().unwrap_or(super::names::NOW);
        s.replace("<dur>", &crate::units::human_duration(std::time::Duration::from_secs((self.names.now() - t).max(0) as u64)))
    }

    /// Runs one docker command line (`argv[0]` is `docker`); IDs the host made print as the
    /// oracle's placeholders ([`Names`]).
    pub fn run(&mut self, argv: &[String]) -> Outcome {
        let mut o = self.dispatch(argv);
        o.out = self.print(&o.out);
        o
    }

    /// Renders a table (tabwriter) with its cells normalized first, as the oracle lays tables out
    /// again around placeholders.
    fn table(&self, rows: &[Vec<String>]) -> String {
        let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| self.print(c)).collect()).collect();
        render(&rows)
    }

    fn dispatch(&mut self, argv: &[String]) -> Outcome {
        let args = &argv[1.min(argv.len())..];
        let Some(cmd) = args.first() else {
            return Outcome::fail(String::new(), "layerlab: `docker` alone (the CLI's help) is not simulated", 1);
        };
        let rest = &args[1..];
        match (cmd.as_str(), rest.first().map(String::as_str)) {
            ("pull", _) => self.pull("docker pull", rest),
            ("images", _) => self.images("docker images", rest),
            ("image", Some("ls" | "list")) => self.images("docker image ls", &rest[1..]),
            ("tag", _) => self.tag("docker tag", rest),
            ("image", Some("tag")) => self.tag("docker image tag", &rest[1..]),
            ("rmi", _) => self.rmi("docker rmi", rest),
            ("image", Some("rm" | "remove")) => self.rmi("docker image rm", &rest[1..]),
            ("history", _) => self.history("docker history", rest),
            ("image", Some("history")) => self.history("docker image history", &rest[1..]),
            ("image", Some("inspect")) => self.inspect("docker image inspect", &rest[1..], Inspect::Image),
            ("inspect", _) => self.inspect("docker inspect", rest, Inspect::Any),
            ("container", Some("inspect")) => self.inspect("docker container inspect", &rest[1..], Inspect::Container),
            ("load", _) => self.load("docker load", rest),
            ("save", _) => self.save("docker save", rest),
            ("image", Some("save")) => self.save("docker image save", &rest[1..]),
            ("image", Some("load")) => self.load("docker image load", &rest[1..]),
            ("image", Some("prune")) => self.prune("docker image prune", &rest[1..]),
            ("system", Some("df")) => self.system_df("docker system df", &rest[1..]),
            ("run", _) => self.run_cmd("docker run", rest, true),
            ("create", _) => self.run_cmd("docker create", rest, false),
            ("container", Some("create")) => self.run_cmd("docker container create", &rest[1..], false),
            ("start", _) => self.start("docker start", rest),
            ("stop", _) => self.stop("docker stop", rest),
            ("exec", _) => self.exec("docker exec", rest),
            ("diff", _) => self.diff("docker diff", rest),
            ("ps", _) => self.ps("docker ps", rest),
            ("container", Some("ls" | "list" | "ps")) => self.ps("docker container ls", &rest[1..]),
            ("rm", _) => self.rm("docker rm", rest),
            ("commit", _) => self.commit("docker commit", rest),
            ("build", _) => self.build("docker build", rest),
            ("image", Some("build")) => self.build("docker image build", &rest[1..]),
            // The oracle keeps only the storage-driver block of `docker info`.
            ("info", _) => Outcome::ok(self.driver.info().into()),
            ("container", Some("commit")) => self.commit("docker container commit", &rest[1..]),
            ("container", Some("rm")) => self.rm("docker container rm", &rest[1..]),
            (c, sub) if NOT_SIMULATED.contains(&c) || matches!(c, "image" | "system") => {
                let what = match sub {
                    Some(s) if matches!(c, "image" | "system" | "container") => format!("{c} {s}"),
                    _ => c.to_string(),
                };
                Outcome::fail(String::new(), &format!("layerlab: `docker {what}` is not simulated yet"), 1)
            }
            (c, _) => Outcome { out: format!("docker: '{c}' is not a docker command.\nSee 'docker --help'\n"), code: 1 },
        }
    }

    /// Loads a registry image's content.
    fn registry_image(&self, content: &super::registry::Content) -> Result<Image, String> {
        let (ar, sel) = content.as_ref().ok_or("the registry has no content for this image")?;
        let opts = LoadOptions { changes: false, ..Default::default() };
        ar.load(sel, &opts, &mut |_| true).map_err(|e| e.to_string())
    }

    /// `docker pull NAME[:TAG|@DIGEST]`.
    pub fn pull(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('a'), "all-tags", false), (Some('q'), "quiet", false), (None, "platform", true), (None, "disable-content-trust", false)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::Exactly(1), "docker pull [OPTIONS] NAME[:TAG|@DIGEST]", "Pull an image or a repository from a registry") {
            return o;
        }
        let mut out = String::new();
        let named = match Named::parse(&p.args[0]) {
            Ok(n) => n,
            Err(e) => return Outcome::fail(out, e, 1),
        };
        if named.tag.is_none() && named.digest.is_none() {
            out.push_str("Using default tag: latest\n");
        }
        let named = named.with_default_tag();
        let Some(ri) = self.registry.lookup(&named).cloned() else {
            let msg = format!("Error response from daemon: manifest for {} not found: manifest unknown: manifest unknown", named.familiar());
            return Outcome::fail(out, &msg, 1);
        };
        let tag_or_digest = named.digest.clone().or_else(|| named.tag.clone()).unwrap_or_default();
        out.push_str(&format!("{tag_or_digest}: Pulling from {}\n", named.path));
        let id = ri.config_digest.clone();
        if !self.store.has_image(&id) {
            let img = match self.registry_image(&ri.content) {
                Ok(i) => i,
                Err(e) => return Outcome::fail(out, &format!("Error response from daemon: {e}"), 1),
            };
            let Some(config) = img.config.clone() else {
                return Outcome::fail(out, "Error response from daemon: the image has no config", 1);
            };
            if config.digest != id {
                let msg = format!("Error response from daemon: the registry's config {id} is not the archive's ({})", config.digest);
                return Outcome::fail(out, &msg, 1);
            }
            let diffs: Vec<String> = img.layers.iter().map(|l| l.diff_id.clone().unwrap_or_default()).collect();
            let chains = crate::image::digest::chain_ids(&diffs);
            let mut new_layers: Vec<String> = Vec::new();
            for (i, l) in img.layers.iter().enumerate() {
                let (blob, blob_size) = ri.layers.get(i).map_or_else(|| (l.blob_digest.clone().unwrap_or_default(), l.compressed_size), |x| (x.blob.clone(), x.size));
                let exists = self.store.knows_blob(&diffs[i], &blob) && self.store.has_layer(&chains[i]);
                if !exists && check_depth(i).is_err() {
                    // The layer store refuses the 126th layer before it reads the tar (moby
                    // `distribution/xfer/download.go` words it; not recorded: no registry image
                    // of the oracle is that deep, so the layer's last status is not known).
                    for c in new_layers {
                        self.store.remove_layer(&c);
                    }
                    return Outcome::fail(out, &format!("failed to register layer: {}", super::store::MAX_DEPTH_EXCEEDED), 1);
                }
                if !exists {
                    if let Some(msg) = overlay2_refusal(&l.entries) {
                        // The layer fails to register: its line stays at the end of extraction, and
                        // the layers this pull registered are released with the pull (NOTES 5).
                        out.push_str(&format!("{}: Extracting {}\n", short12(&blob), full_bar(blob_size)));
                        for c in new_layers {
                            self.store.remove_layer(&c);
                        }
                        return Outcome::fail(out, &format!("failed to register layer: Error processing tar file(exit status 1): {msg}"), 1);
                    }
                }
                let status = if exists { "Already exists" } else { "Pull complete" };
                out.push_str(&format!("{}: {status}\n", short12(&blob)));
                if !exists {
                    if !self.store.has_layer(&chains[i]) {
                        new_layers.push(chains[i].clone());
                    }
                    let parent = i.checked_sub(1).map(|k| chains[k].as_str());
                    self.store.add_layer(&chains[i], &diffs[i], parent, l.size, l.uncompressed_size, l.tree.clone(), layer_tar(l));
                    self.store.remember_blob(&diffs[i], &blob);
                }
            }
            self.store.add_image(config, chains);
        }
        let was = self.store.set_ref(&named, &id);
        if named.digest.is_none() {
            self.store.set_ref(&named.canonical(&ri.manifest_digest), &id);
        }
        out.push_str(&format!("Digest: {}\n", ri.manifest_digest));
        let status = if was.as_deref() == Some(id.as_str()) { "Image is up to date for" } else { "Downloaded newer image for" };
        out.push_str(&format!("Status: {status} {}\n{}\n", named.familiar(), named.familiar()));
        Outcome::ok(out)
    }

    /// `docker images [-a] [--digests] [-q] [REPOSITORY[:TAG]]`.
    pub fn images(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[
            (Some('a'), "all", false),
            (None, "digests", false),
            (Some('q'), "quiet", false),
            (None, "no-trunc", false),
            (Some('f'), "filter", true),
            (None, "format", true),
        ];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtMost(1), &format!("{cmd} [OPTIONS] [REPOSITORY[:TAG]]"), "List images") {
            return o;
        }
        let digests = p.has("digests");
        let dangling_only = p.value("filter").is_some_and(|f| f == "dangling=true");
        let want = p.args.first().map(|a| Named::parse(a).ok());
        if let Some(None) = want {
            return Outcome::ok(self.images_table(&[], digests));
        }
        let want = want.flatten();
        let mut rows: Vec<Vec<String>> = Vec::new();
        for img in self.store.images_by_created() {
            let refs = self.store.references(&img.id);
            let refs: Vec<&Named> = refs
                .into_iter()
                .filter(|r| match &want {
                    None => true,
                    Some(w) => r.name() == w.name() && (w.tag.is_none() || r.tag.is_none() || r.tag == w.tag),
                })
                .collect();
            if dangling_only && (!self.store.references(&img.id).is_empty() || self.store.has_children(&img.id)) {
                continue;
            }
            // Without -a, an untagged image with children (an intermediate image) is hidden.
            if !p.has("all") && self.store.references(&img.id).is_empty() && self.store.has_children(&img.id) {
                continue;
            }
            if want.is_some() && refs.is_empty() {
                continue;
            }
            let id = if p.has("no-trunc") { img.id.clone() } else { short12(&img.id) };
            let size = docker_size(self.store.image_size(&img.id));
            let created = self.image_ago(&img.id);
            let mut mine: Vec<Vec<String>> = Vec::new();
            let mut repos: Vec<String> = refs.iter().map(|r| r.familiar_name()).collect();
            repos.dedup();
            for repo in &repos {
                let tags: Vec<&Named> = refs.iter().copied().filter(|r| &r.familiar_name() == repo && r.digest.is_none()).collect();
                let dg: Vec<String> =
                    refs.iter().filter(|r| &r.familiar_name() == repo).filter_map(|r| r.digest.clone()).collect();
                let row = |tag: &str, digest: &str| {
                    let mut r = vec![repo.clone(), tag.to_string()];
                    if digests {
                        r.push(digest.to_string());
                    }
                    r.extend([id.clone(), created.clone(), size.clone()]);
                    r
                };
                if tags.is_empty() {
                    if digests {
                        dg.iter().for_each(|d| mine.push(row("<none>", d)));
                    } else {
                        mine.push(row("<none>", "<none>"));
                    }
                }
                for t in tags {
                    let tag = t.tag.clone().unwrap_or_default();
                    if !digests || dg.is_empty() {
                        mine.push(row(&tag, "<none>"));
                    } else {
                        dg.iter().for_each(|d| mine.push(row(&tag, d)));
                    }
                }
            }
            if repos.is_empty() {
                let mut r = vec!["<none>".to_string(), "<none>".into()];
                if digests {
                    r.push("<none>".into());
                }
                r.extend([id.clone(), created.clone(), size.clone()]);
                mine.push(r);
            }
            // The CLI walks a Go map here; the oracle sorts one image's rows by their cells.
            mine.sort();
            rows.extend(mine);
        }
        if p.has("quiet") {
            let mut s = String::new();
            let mut last = String::new();
            for r in rows {
                let id = r[if digests { 3 } else { 2 }].clone();
                if id != last {
                    s.push_str(&id);
                    s.push('\n');
                    last = id;
                }
            }
            return Outcome::ok(s);
        }
        Outcome::ok(self.images_table(&rows, digests))
    }

    fn images_table(&self, rows: &[Vec<String>], digests: bool) -> String {
        let mut head = vec!["REPOSITORY".to_string(), "TAG".into()];
        if digests {
            head.push("DIGEST".into());
        }
        head.extend(["IMAGE ID".to_string(), "CREATED".into(), "SIZE".into()]);
        let mut all = vec![head];
        all.extend(rows.iter().cloned());
        self.table(&all)
    }

    /// `docker tag SOURCE TARGET`.
    pub fn tag(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        let p = match parse_flags(cmd, &[], argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::Exactly(2), "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE") {
            return o;
        }
        let target = match Named::parse(&p.args[1]) {
            Ok(n) => n,
            Err(e) => return Outcome::fail(String::new(), &format!("Error parsing reference: {:?} is not a valid repository/tag: {e}", p.args[1]), 1),
        };
        if target.digest.is_some() {
            return Outcome::fail(String::new(), "Error response from daemon: refusing to create a tag with a digest reference", 1);
        }
        let Some(id) = self.store.resolve(&p.args[0]) else {
            return Outcome::fail(String::new(), &format!("Error response from daemon: No such image: {}", no_such(&p.args[0])), 1);
        };
        self.store.set_ref(&target.with_default_tag(), &id);
        if let Some(img) = self.store.image_mut(&id) {
            img.last_tag_time = Some("<time>".into());
        }
        Outcome::ok(String::new())
    }

    /// `docker rmi [-f] IMAGE...`.
    pub fn rmi(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('f'), "force", false), (None, "no-prune", false)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtLeast(1), &format!("{cmd} [OPTIONS] IMAGE [IMAGE...]"), "Remove one or more images") {
            return o;
        }
        let force = p.has("force");
        let mut out = String::new();
        let mut errors = Vec::new();
        for a in &p.args {
            match self.remove_one(a, force) {
                Ok(lines) => lines.iter().for_each(|l| {
                    out.push_str(l);
                    out.push('\n');
                }),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            return Outcome::ok(out);
        }
        Outcome::fail(out, &errors.join("\n"), 1)
    }

    /// moby `ImageDelete` without containers: the lines it prints, or its error.
    fn remove_one(&mut self, arg: &str, force: bool) -> Result<Vec<String>, String> {
        let Some(id) = self.store.resolve(arg) else {
            return Err(format!("Error: No such image: {arg}"));
        };
        let mut lines = Vec::new();
        // moby `isImageIDPrefix`: the argument is a prefix of the image ID (with or without
        // `sha256:`), however it was resolved.
        let by_id = id.starts_with(arg) || encoded(&id).starts_with(arg);
        let user = self.containers.iter().rev().find(|c| c.image_id == id).map(|c| (c.short_id(), c.running()));
        if !by_id {
            let r = Named::parse(arg).map_err(|e| e.to_string())?.with_default_tag();
            let others = self
                .store
                .references(&id)
                .into_iter()
                .filter(|x| x.full() != r.full())
                .filter(|x| !(x.digest.is_some() && x.name() == r.name()))
                .count();
            if let (Some((cid, running)), 0) = (&user, others) {
                if !force {
                    return Err(format!(
                        "Error response from daemon: conflict: unable to remove repository reference \"{arg}\" (must force) - container {cid} is using its referenced image {}",
                        short12(&id)
                    ));
                }
                if *running {
                    // A running container keeps the image: untagged only, it stays as `<none>`.
                    for x in self.store.references(&id).into_iter().cloned().collect::<Vec<_>>() {
                        self.store.remove_ref(&x);
                        lines.push(format!("Untagged: {}", x.familiar()));
                    }
                    return Ok(lines);
                }
            }
        } else if let (Some((cid, running)), false) = (&user, force) {
            let how = if *running { "running" } else { "stopped" };
            return Err(format!("Error response from daemon: conflict: unable to delete {} (cannot be forced) - image is being used by {how} container {cid}", short12(&id)));
        }
        if !by_id {
            let r = Named::parse(arg).map_err(|e| e.to_string())?.with_default_tag();
            self.store.remove_ref(&r);
            lines.push(format!("Untagged: {}", r.familiar()));
            let mut refs: Vec<Named> = self.store.references(&id).into_iter().cloned().collect();
            if r.digest.is_none() && !refs.iter().any(|x| x.digest.is_none() && x.name() == r.name()) {
                for x in refs.iter().filter(|x| x.digest.is_some() && x.name() == r.name()) {
                    self.store.remove_ref(x);
                    lines.push(format!("Untagged: {}", x.familiar()));
                }
                refs.retain(|x| !(x.digest.is_some() && x.name() == r.name()));
            }
            // An image with child images (a commit's parent) stays, untagged (moby
            // `imageDeleteHelper`: a quiet conflict).
            if !refs.is_empty() || self.store.has_children(&id) {
                return Ok(lines);
            }
        } else {
            if self.store.has_children(&id) {
                return Err(format!("Error response from daemon: conflict: unable to delete {} (cannot be forced) - image has dependent child images", short12(&id)));
            }
            let refs: Vec<Named> = self.store.references(&id).into_iter().cloned().collect();
            let tags = refs.iter().filter(|r| r.digest.is_none()).count();
            let repos: std::collections::BTreeSet<String> = refs.iter().map(|r| r.name()).collect();
            if !refs.is_empty() && (tags > 1 || repos.len() > 1) && !force {
                return Err(format!(
                    "Error response from daemon: conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                    short12(&id)
                ));
            }
            for x in &refs {
                self.store.remove_ref(x);
                lines.push(format!("Untagged: {}", x.familiar()));
            }
        }
        // moby `imageDeleteHelper` with prune: after the image, its parents go too while they are
        // untagged, childless and no container uses them (NOTES 45), each with its freed layers.
        let mut next = Some(id);
        while let Some(id) = next.take() {
            let parent = self.store.image(&id).and_then(|i| i.parent.clone());
            lines.push(format!("Deleted: {id}"));
            for c in self.store.delete_image(&id) {
                lines.push(format!("Deleted: {c}"));
            }
            next = parent.filter(|p| {
                self.store.has_image(p)
                    && self.store.references(p).is_empty()
                    && !self.store.has_children(p)
                    && !self.containers.iter().any(|c| &c.image_id == p)
            });
        }
        Ok(lines)
    }

    /// `docker history [--no-trunc] IMAGE`.
    pub fn history(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(None, "no-trunc", false), (Some('H'), "human", false), (Some('q'), "quiet", false), (None, "format", true)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::Exactly(1), &format!("{cmd} [OPTIONS] IMAGE"), "Show the history of an image") {
            return o;
        }
        let Some(id) = self.store.resolve(&p.args[0]) else {
            return Outcome::fail(String::new(), &format!("Error response from daemon: No such image: {}", no_such(&p.args[0])), 1);
        };
        let trunc = !p.has("no-trunc");
        let img = self.store.image(&id).expect("resolved");
        let diffs = img.config.diff_ids().to_vec();
        let chains = crate::image::digest::chain_ids(&diffs);
        let mut rows = Vec::new();
        let mut k = 0usize;
        for h in &img.config.file.history {
            let mut size = 0;
            if !h.empty_layer {
                size = chains.get(k).and_then(|c| self.store.layer(c)).map_or(0, |l| l.size);
                k += 1;
            }
            let by = h.created_by.clone().unwrap_or_default().replace('\t', " ");
            rows.push(vec![
                "<missing>".to_string(),
                self.ago(h.created.as_deref().map_or(0, super::names::seconds)),
                if trunc { ellipsis(&by, 45) } else { by },
                docker_size(size),
                h.comment.clone().unwrap_or_default(),
            ]);
        }
        rows.reverse();
        // moby `image_history.go`: the rows take the IDs of the image and its parents in turn,
        // as far as the parent chain is local; the rest are `<missing>`.
        let mut cur = Some(id.clone());
        for row in rows.iter_mut() {
            let Some(c) = cur.take() else { break };
            row[0] = if trunc { short12(&c) } else { c.clone() };
            cur = self.store.image(&c).and_then(|i| i.parent.clone()).filter(|p| self.store.has_image(p));
        }
        let mut all = vec![["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"].iter().map(|s| s.to_string()).collect::<Vec<_>>()];
        all.extend(rows);
        Outcome::ok(self.table(&all))
    }

    /// `docker inspect [-f FORMAT] [-s] [--type T] NAME...`, `docker image inspect`, `docker
    /// container inspect` (docker/cli `cli/command/system/inspect.go`: a name is looked up as a
    /// container first, then as an image; each value in the order given, JSON or one template
    /// line each, then an error line per name not found, exit 1).
    pub fn inspect(&mut self, cmd: &str, argv: &[String], kind: Inspect) -> Outcome {
        const SPEC: Spec = &[(Some('f'), "format", true), (Some('s'), "size", false), (None, "type", true)];
        const CTR_SPEC: Spec = &[(Some('f'), "format", true), (Some('s'), "size", false)];
        let p = match parse_flags(cmd, if kind == Inspect::Container { CTR_SPEC } else { SPEC }, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (usage, short) = match kind {
            Inspect::Image => ("docker image inspect [OPTIONS] IMAGE [IMAGE...]", "Display detailed information on one or more images"),
            Inspect::Container => ("docker container inspect [OPTIONS] CONTAINER [CONTAINER...]", "Display detailed information on one or more containers"),
            Inspect::Any => ("docker inspect [OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on Docker objects"),
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtLeast(1), usage, short) {
            return o;
        }
        let kind = match (kind, p.value("type")) {
            (Inspect::Any, Some("container")) => Inspect::Container,
            (Inspect::Any, Some("image")) => Inspect::Image,
            (Inspect::Any, None | Some("")) => Inspect::Any,
            (_, None) => kind,
            (_, Some(t)) => return Outcome::fail(String::new(), &format!("layerlab: `docker inspect --type {t}` is not simulated (container and image are)"), 1),
        };
        let mut found = Vec::new();
        let mut errors = Vec::new();
        for a in &p.args {
            let ctr = if kind == Inspect::Image { None } else { self.find(a) };
            let img = if kind == Inspect::Container || ctr.is_some() { None } else { self.store.resolve(a) };
            match (ctr, img) {
                (Some(i), _) => found.push(self.container_value(&self.containers[i], p.has("size"))),
                (None, Some(id)) => found.push(self.inspect_value(&id)),
                (None, None) => errors.push(match kind {
                    Inspect::Image => format!("Error: No such image: {a}"),
                    Inspect::Container => format!("Error: No such container: {a}"),
                    Inspect::Any => format!("Error: No such object: {a}"),
                }),
            }
        }
        let mut out = String::new();
        match p.value("format") {
            Some(f) => {
                for v in &found {
                    match template(f, v) {
                        Ok(s) => {
                            out.push_str(&s);
                            out.push('\n');
                        }
                        Err(e) => return Outcome::fail(out, &e, 1),
                    }
                }
            }
            None => {
                out.push_str(&pretty(&Value::Array(found)));
                out.push('\n');
            }
        }
        if errors.is_empty() {
            Outcome::ok(out)
        } else {
            Outcome::fail(out, &errors.join("\n"), 1)
        }
    }

    /// The object `docker inspect` prints for a container ([`super::container_inspect`]), with
    /// `SizeRw` and `SizeRootFs` when `size` (`-s`).
    pub fn container_value(&self, c: &Ctr, size: bool) -> Value {
        let dirs: Vec<String> = c.chains.iter().map(|ch| self.store.layer(ch).map_or_else(|| cache_id(ch), |l| l.cache_id.clone())).collect();
        let mount = super::container_inspect::mount_dir(c, &self.names);
        let sizes = size.then(|| {
            let rw = self.rw_size(c);
            (rw, rw + self.ctr_image_bytes(c))
        });
        super::container_inspect::inspect(c, &super::container_inspect::Facts { driver: self.driver, image_dirs: &dirs, mount, sizes })
    }

    /// The object `docker image inspect` prints, in Docker's key order.
    pub fn inspect_value(&self, id: &str) -> Value {
        let img = self.store.image(id).expect("an image of the store");
        let raw = &img.config.raw;
        let s = |k: &str| raw.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let mut o = Map::new();
        o.insert("Id".into(), json!(id));
        o.insert("RepoTags".into(), json!(self.store.repo_tags(id)));
        o.insert("RepoDigests".into(), json!(self.store.repo_digests(id)));
        o.insert("Parent".into(), json!(img.parent.clone().unwrap_or_default()));
        // moby `LookupImage`: an image without a comment shows its last history entry's.
        let comment = match s("comment") {
            c if c.is_empty() => img.config.file.history.last().and_then(|h| h.comment.clone()).unwrap_or_default(),
            c => c,
        };
        o.insert("Comment".into(), json!(comment));
        let created = raw.get("created").and_then(Value::as_str).unwrap_or("0001-01-01T00:00:00Z");
        o.insert("Created".into(), json!(created));
        o.insert("Container".into(), json!(s("container")));
        o.insert("ContainerConfig".into(), run_config(raw.get("container_config").filter(|v| !v.is_null()).unwrap_or(&json!({}))));
        o.insert("DockerVersion".into(), json!(s("docker_version")));
        o.insert("Author".into(), json!(s("author")));
        o.insert("Config".into(), raw.get("config").filter(|v| !v.is_null()).map_or(Value::Null, run_config));
        o.insert("Architecture".into(), json!(s("architecture")));
        if !s("variant").is_empty() {
            o.insert("Variant".into(), json!(s("variant")));
        }
        o.insert("Os".into(), json!(s("os")));
        if !s("os.version").is_empty() {
            o.insert("OsVersion".into(), json!(s("os.version")));
        }
        let size = self.store.image_size(id);
        o.insert("Size".into(), json!(size));
        o.insert("VirtualSize".into(), json!(size));
        let dirs: Vec<String> = img.chains.iter().map(|c| self.store.layer(c).map_or_else(|| cache_id(c), |l| l.cache_id.clone())).collect();
        o.insert("GraphDriver".into(), json!({"Data": self.driver.graph_value(&dirs), "Name": self.driver.name()}));
        o.insert("RootFS".into(), json!({"Type": "layers", "Layers": img.config.diff_ids()}));
        o.insert("Metadata".into(), json!({"LastTagTime": img.last_tag_time.clone().unwrap_or_else(|| "0001-01-01T00:00:00Z".into())}));
        Value::Object(o)
    }

    /// `docker load -i FILE`.
    pub fn load(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('i'), "input", true), (Some('q'), "quiet", false)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtMost(0), &format!("{cmd} [OPTIONS]"), "Load an image from a tar archive or STDIN") {
            return o;
        }
        let Some(path) = p.value("input") else {
            return Outcome::fail(String::new(), "layerlab: `docker load` from STDIN is not simulated (use -i FILE)", 1);
        };
        let saved = self.files.get(path.strip_prefix("./").unwrap_or(path)).cloned();
        let ar = match saved {
            // An archive `docker save -o` wrote in this directory.
            Some(bytes) => Archive::open(crate::source::MemSource::shared(bytes), path, true, None).map(Arc::new).map_err(|e| e.to_string()),
            None => (self.loader)(path),
        };
        let ar = match ar {
            Ok(a) => a,
            Err(e) => return Outcome::fail(String::new(), &format!("open {path}: {e}"), 1),
        };
        let mut out = String::new();
        let mut parent_links: Vec<(String, String)> = Vec::new();
        for i in 0..ar.images.len() {
            let opts = LoadOptions { changes: false, ..Default::default() };
            let img = match ar.load(&Selector::Index(i), &opts, &mut |_| true) {
                Ok(x) => x,
                Err(e) => return Outcome::fail(out, &format!("Error processing tar file: {e}"), 1),
            };
            let Some(config) = img.config.clone() else {
                return Outcome::fail(out, "open manifest.json: the archive has no image config", 1);
            };
            let diffs: Vec<String> = img.layers.iter().map(|l| l.diff_id.clone().unwrap_or_default()).collect();
            let chains = crate::image::digest::chain_ids(&diffs);
            for (k, l) in img.layers.iter().enumerate() {
                if self.store.has_layer(&chains[k]) {
                    continue;
                }
                // moby `tarexport/load.go` `loadLayer`: `Register` refuses the 126th layer with
                // its bare error (not recorded: no archive of the oracle is that deep).
                if let Err(e) = check_depth(k) {
                    return Outcome::fail(out, &e, 1);
                }
                // The progress reaches the end of the tar before extraction fails (`pull-refused-layer`).
                out.push_str(&format!("{}: Loading layer {}\n", short12(&diffs[k]), full_bar(l.compressed_size)));
                if let Some(msg) = overlay2_refusal(&l.entries) {
                    return Outcome::fail(out, &format!("Error processing tar file(exit status 1): {msg}"), 1);
                }
                let parent = k.checked_sub(1).map(|j| chains[j].as_str());
                self.store.add_layer(&chains[k], &diffs[k], parent, l.size, l.uncompressed_size, l.tree.clone(), layer_tar(l));
            }
            let id = self.store.add_image(config, chains);
            if let Some(p) = &ar.images[i].parent {
                parent_links.push((id.clone(), p.clone()));
            }
            let tags = &ar.images[i].repo_tags;
            if tags.is_empty() {
                out.push_str(&format!("Loaded image ID: {id}\n"));
            }
            for t in tags {
                if let Ok(n) = Named::parse(t) {
                    let n = n.with_default_tag();
                    if let Some(prev) = self.store.set_ref(&n, &id).filter(|p| *p != id) {
                        out.push_str(&format!("The image {} already exists, renaming the old one with ID {prev} to empty string\n", n.familiar()));
                    }
                    out.push_str(&format!("Loaded image: {}\n", n.familiar()));
                }
            }
        }
        // moby 20.10 `tarexport/load.go`: `manifest.json` `Parent` links, once every image is in,
        // kept when the parent is here and is a valid parent (`checkValidParent`: its history and
        // diff IDs begin the child's).
        for (child, parent) in parent_links {
            let (Some(c), Some(p)) = (self.store.image(&child), self.store.image(&parent)) else { continue };
            let (ch, ph) = (&c.config.file.history, &p.config.file.history);
            let (cd, pd) = (c.config.diff_ids(), p.config.diff_ids());
            let valid = (ch.is_empty() && ph.is_empty()) || (ph.len() < ch.len() && ph[..] == ch[..ph.len()] && pd.len() <= cd.len() && pd[..] == cd[..pd.len()]);
            if !valid {
                return Outcome::fail(out, &format!("image {parent} is not a valid parent for {child}"), 1);
            }
            if let Some(img) = self.store.image_mut(&child) {
                img.parent = Some(parent);
            }
        }
        Outcome::ok(out)
    }

    /// `docker save -o FILE IMAGE...`: the Docker 20.10 archive ([`crate::commit::save::save_legacy`])
    /// kept in the host's scratch files under FILE (moby 20.10 `image/tarexport/save.go`:
    /// `parseNames` picks the images and the tags that go with them, `saveImage` the v1 IDs).
    pub fn save(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('o'), "output", true)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let usage = format!("{cmd} [OPTIONS] IMAGE [IMAGE...]");
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtLeast(1), &usage, "Save one or more images to a tar archive (streamed to STDOUT by default)") {
            return o;
        }
        let Some(path) = p.value("output").map(str::to_string) else {
            return Outcome::fail(String::new(), "cowardly refusing to save to a terminal. Use the -o flag or redirect", 1);
        };
        // parseNames: an ID saves the image untagged, a bare name every tag of it, a tag itself.
        let mut picked: Vec<(String, Vec<String>)> = Vec::new();
        for a in &p.args {
            let mut add = |id: String, tag: Option<String>| {
                let i = match picked.iter().position(|x| x.0 == id) {
                    Some(i) => i,
                    None => {
                        picked.push((id, Vec::new()));
                        picked.len() - 1
                    }
                };
                if let Some(t) = tag.filter(|t| !picked[i].1.contains(t)) {
                    picked[i].1.push(t);
                }
            };
            let named = Named::parse(a).ok();
            match named {
                Some(n) if n.tag.is_none() && n.digest.is_none() && self.store.get_ref(&n.clone().with_default_tag()).is_none() && self.store.id_prefix(a).is_none() => {
                    let refs: Vec<(String, Named)> = self
                        .store
                        .images_by_created()
                        .iter()
                        .flat_map(|i| self.store.references(&i.id).into_iter().map(|r| (i.id.clone(), r.clone())).collect::<Vec<_>>())
                        .filter(|(_, r)| r.name() == n.name())
                        .collect();
                    if refs.is_empty() {
                        return Outcome::fail(String::new(), &format!("Error response from daemon: No such image: {}", n.familiar()), 1);
                    }
                    for (id, r) in refs {
                        add(id, r.digest.is_none().then(|| r.familiar()));
                    }
                }
                Some(n) if self.store.get_ref(&n.clone().with_default_tag()).is_some() => {
                    let n = n.with_default_tag();
                    let id = self.store.get_ref(&n).expect("checked").to_string();
                    add(id, n.digest.is_none().then(|| n.familiar()));
                }
                _ => match self.store.id_prefix(a) {
                    Some(id) => add(id, None),
                    None => return Outcome::fail(String::new(), &format!("Error response from daemon: No such image: {}", no_such(a)), 1),
                },
            }
        }
        let mut images = Vec::new();
        for (id, tags) in &picked {
            let img = self.store.image(id).expect("picked from the store");
            if img.chains.is_empty() {
                return Outcome::fail(String::new(), "Error response from daemon: empty export - not implemented", 1);
            }
            let raw = &img.config.raw;
            let os = raw.get("os").and_then(Value::as_str);
            let mut layers = Vec::new();
            let mut parent: Option<String> = None;
            for (i, chain) in img.chains.iter().enumerate() {
                let top = i + 1 == img.chains.len();
                let fields = super::gojson::v1_fields(raw, top);
                let v1 = super::gojson::v1_id(&fields, chain, parent.as_deref());
                if (top && self.names.has(id)) || self.names.has(chain) {
                    self.names.v1(&v1);
                }
                let json = super::gojson::v1_json(&fields, &v1, parent.as_deref(), os);
                let Some(l) = self.store.layer(chain) else {
                    return Outcome::fail(String::new(), &format!("Error response from daemon: layer {chain} is missing"), 1);
                };
                layers.push(crate::commit::save::LegacyLayer { v1_id: v1.clone(), json, tar: l.tar.clone() });
                parent = Some(v1);
            }
            let parent = img.parent.clone().filter(|p| picked.iter().any(|x| &x.0 == p));
            images.push(crate::commit::save::LegacyImage {
                config: img.config.bytes.clone(),
                tags: tags.clone(),
                layers,
                created: super::names::seconds(img.created()),
                parent,
            });
        }
        match crate::commit::save::save_legacy(&images, Vec::new()) {
            Ok(bytes) => {
                self.files.insert(path.strip_prefix("./").unwrap_or(&path).to_string(), Arc::from(bytes));
                Outcome::ok(String::new())
            }
            Err(e) => Outcome::fail(String::new(), &format!("Error response from daemon: {e}"), 1),
        }
    }

    /// `docker image prune -f`: removes dangling images.
    pub fn prune(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('f'), "force", false), (Some('a'), "all", false), (None, "filter", true)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if !p.has("force") {
            return Outcome::fail(String::new(), "layerlab: `docker image prune` asks for confirmation; only -f is simulated", 1);
        }
        // Dangling heads only: an untagged parent of another image is not dangling.
        let dangling: Vec<String> = self
            .store
            .images_by_created()
            .iter()
            .filter(|i| self.store.references(&i.id).is_empty() && !self.store.has_children(&i.id))
            .map(|i| i.id.clone())
            .collect();
        let mut out = String::new();
        let mut reclaimed = 0u64;
        if !dangling.is_empty() {
            out.push_str("Deleted Images:\n");
        }
        for id in dangling {
            out.push_str(&format!("deleted: {id}\n"));
            let sizes: Vec<(String, u64)> = self.store.image(&id).map_or(Vec::new(), |i| {
                i.chains.iter().filter_map(|c| self.store.layer(c)).map(|l| (l.chain_id.clone(), l.size)).collect()
            });
            for c in self.store.delete_image(&id) {
                reclaimed += sizes.iter().find(|x| x.0 == c).map_or(0, |x| x.1);
                out.push_str(&format!("deleted: {c}\n"));
            }
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("Total reclaimed space: {}\n", human_size(reclaimed)));
        Outcome::ok(out)
    }

    /// `docker system df [-v]` (no containers, volumes or build cache yet).
    pub fn system_df(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('v'), "verbose", false), (None, "format", true)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtMost(0), &format!("{cmd} [OPTIONS]"), "Show docker disk usage") {
            return o;
        }
        let images = self.store.images_by_created();
        let users = |id: &str| self.containers.iter().filter(|c| c.image_id == id).count();
        let mut ctrs: Vec<&Ctr> = self.containers.iter().collect();
        ctrs.sort_by(|a, b| b.seq.cmp(&a.seq));
        let rw = |c: &Ctr| self.rw_size(c);
        if !p.has("verbose") {
            let total = self.store.layers_size();
            // docker/cli `ImagesContext.Reclaimable`: what images no container uses hold.
            let used: u64 = images
                .iter()
                .filter(|i| users(&i.id) > 0)
                .map(|i| self.store.image_size(&i.id) - self.store.shared_size(&i.id))
                .sum();
            let with_pct = |r: u64, t: u64| if t > 0 { format!("{} ({}%)", human_size(r), r * 100 / t) } else { human_size(r) };
            let reclaim = with_pct(total.saturating_sub(used), total);
            let active_images = images.iter().filter(|i| users(&i.id) > 0).count();
            let ctr_total: u64 = ctrs.iter().map(|c| rw(c)).sum();
            let ctr_reclaim: u64 = ctrs.iter().filter(|c| !c.running()).map(|c| rw(c)).sum();
            let running = ctrs.iter().filter(|c| c.running()).count();
            let rows: Vec<Vec<String>> = vec![
                vec!["TYPE".into(), "TOTAL".into(), "ACTIVE".into(), "SIZE".into(), "RECLAIMABLE".into()],
                vec!["Images".into(), images.len().to_string(), active_images.to_string(), human_size(total), reclaim],
                vec!["Containers".into(), ctrs.len().to_string(), running.to_string(), human_size(ctr_total), with_pct(ctr_reclaim, ctr_total)],
                vec!["Local Volumes".into(), "0".into(), "0".into(), "0B".into(), "0B".into()],
                vec!["Build Cache".into(), "0".into(), "0".into(), "0B".into(), "0B".into()],
            ];
            return Outcome::ok(self.table(&rows));
        }
        let mut rows: Vec<Vec<String>> = vec![["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"]
            .iter()
            .map(|s| s.to_string())
            .collect()];
        for img in &images {
            let (repo, tag) = match self.store.repo_tags(&img.id).first() {
                Some(t) => repo_tag_cells(t),
                None => ("<none>".into(), "<none>".into()),
            };
            let size = self.store.image_size(&img.id);
            let shared = self.store.shared_size(&img.id);
            rows.push(vec![
                repo,
                tag,
                short12(&img.id),
                self.image_ago(&img.id),
                human_size(size),
                human_size(shared),
                human_size(size.saturating_sub(shared)),
                users(&img.id).to_string(),
            ]);
        }
        let mut out = String::from("Images space usage:\n\n");
        out.push_str(&self.table(&rows));
        out.push_str("\nContainers space usage:\n\n");
        let mut crows: Vec<Vec<String>> =
            vec![["CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"].iter().map(|s| s.to_string()).collect()];
        for c in &ctrs {
            crows.push(vec![
                c.short_id(),
                self.image_cell(c),
                go_quote(&ellipsis(&c.command(), 20)),
                "0".into(),
                docker_size(rw(c)),
                self.ctr_ago(c),
                self.status_of(c),
                c.name.clone(),
            ]);
        }
        out.push_str(&self.table(&crows));
        out.push_str("\nLocal Volumes space usage:\n\n");
        out.push_str(&render(&[["VOLUME NAME", "LINKS", "SIZE"].iter().map(|s| s.to_string()).collect()]));
        out.push_str("\nBuild cache usage: 0B\n\n");
        out.push_str(&render(&[["CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"]
            .iter()
            .map(|s| s.to_string())
            .collect()]));
        Outcome::ok(out)
    }
}

/// Go's `strconv.Quote` for the plain text `docker ps` cells hold.
fn go_quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn no_such_container(arg: &str) -> String {
    format!("Error: No such container: {arg}")
}

/// The container side: `run`, `create`, `start`, `stop`, `exec`, `diff`, `ps`, `rm`
/// (moby `daemon/create.go`, `start.go`, `exec.go`, `list.go`, `delete.go`; docker/cli
/// `cli/command/container/*`).
impl Docker {
    /// The container a name or ID (prefix) names.
    fn find(&self, arg: &str) -> Option<usize> {
        let a = arg.strip_prefix('/').unwrap_or(arg);
        self.containers.iter().position(|c| c.name == a || c.id() == a || c.short_id() == a)
    }

    /// Bytes of the image layers a container stands on.
    fn ctr_image_bytes(&self, c: &Ctr) -> u64 {
        c.chains.iter().filter_map(|ch| self.store.layer(ch)).map(|l| l.size).sum()
    }

    /// `docker run` / `docker create`.
    pub fn run_cmd(&mut self, cmd: &str, argv: &[String], start: bool) -> Outcome {
        const SPEC: Spec = &[
            (None, "name", true),
            (Some('d'), "detach", false),
            (None, "network", true),
            (Some('i'), "interactive", false),
            (Some('t'), "tty", false),
            (None, "rm", false),
            (Some('e'), "env", true),
            (Some('w'), "workdir", true),
            (None, "entrypoint", true),
            (Some('u'), "user", true),
        ];
        // Flags stop at the image: the rest is the command.
        let first = argv.iter().enumerate().position(|(i, a)| {
            !a.starts_with('-') && (i == 0 || !matches!(argv[i - 1].as_str(), "--name" | "--network" | "-e" | "--env" | "-w" | "--workdir" | "--entrypoint" | "-u" | "--user"))
        });
        let (flags, rest) = match first {
            Some(i) => (&argv[..i], &argv[i..]),
            None => (argv, &argv[argv.len()..]),
        };
        let p = match parse_flags(cmd, SPEC, flags) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (usage, short) = if start {
            (format!("{cmd} [OPTIONS] IMAGE [COMMAND] [ARG...]"), "Run a command in a new container")
        } else {
            (format!("{cmd} [OPTIONS] IMAGE [COMMAND] [ARG...]"), "Create a new container")
        };
        if let Err(o) = check_arity(cmd, rest.len(), Arity::AtLeast(1), &usage, short) {
            return o;
        }
        let pre = if start { "docker: " } else { "" };
        let see = format!("See '{cmd} --help'.");
        let image_arg = &rest[0];
        let Some(name) = p.value("name").map(str::to_string) else {
            return Outcome::fail(String::new(), "layerlab: containers need --name (the oracle's scripts always name them)", 125);
        };
        if let Some(i) = self.find(&name) {
            let other = self.containers[i].id();
            return Outcome::fail(
                String::new(),
                &format!("{pre}Error response from daemon: Conflict. The container name \"/{name}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name.\n{see}"),
                125,
            );
        }
        let Some(id) = self.store.resolve(image_arg) else {
            // docker/cli `createContainer`: the daemon's "No such image" makes the CLI pull the
            // tagged reference (no `Using default tag` line, no final name line), then create
            // again. The pull prints its final screen, as `docker pull` on a terminal does; on a
            // pipe Docker prints every status change (NOTES 7), which no scenario records.
            let named = match Named::parse(image_arg) {
                Ok(n) => n.with_default_tag(),
                Err(e) => return Outcome::fail(String::new(), &format!("{pre}{e}.\n{see}"), 125),
            };
            let mut head = format!("Unable to find image '{}' locally\n", named.familiar());
            let pulled = self.pull("docker pull", &[named.familiar()]);
            let mut lines: Vec<&str> = pulled.out.lines().collect();
            if pulled.code != 0 {
                let msg = lines.pop().unwrap_or_default();
                lines.iter().for_each(|l| head.push_str(&format!("{l}\n")));
                return Outcome::fail(head, &format!("{pre}{msg}.\n{see}"), 125);
            }
            lines.pop();
            lines.iter().for_each(|l| head.push_str(&format!("{l}\n")));
            if self.store.resolve(image_arg).is_none() {
                return Outcome::fail(head, &format!("{pre}Error response from daemon: No such image: {}.\n{see}", named.familiar()), 125);
            }
            let mut o = self.run_cmd(cmd, argv, start);
            o.out = head + &o.out;
            return o;
        };
        let Some(img) = self.store.image(&id) else { return Outcome::fail(String::new(), "image vanished", 125) };
        let rc = img.config.file.config.clone().unwrap_or_default();
        let mut command: Vec<String> = rc.entrypoint.clone().unwrap_or_default();
        if rest.len() > 1 {
            command.extend(rest[1..].iter().cloned());
        } else {
            command.extend(rc.cmd.clone().unwrap_or_default());
        }
        let chains = img.chains.clone();
        let layers: Vec<Arc<crate::tree::Tree>> = chains.iter().filter_map(|c| self.store.layer(c)).map(|l| l.tree.clone()).collect();
        self.seq += 1;
        self.ctr_times.insert(self.seq, self.names.now());
        let mut c = Ctr::new(&name, &id, image_arg, chains.clone(), layers, command.clone(), self.seq);
        c.network = p.value("network").unwrap_or("default").to_string();
        c.auto_remove = p.has("rm");
        let detach = p.has("detach");
        c.set_config(container_config(&img.config.raw, &c.short_id(), image_arg, &rest[1..], &p, !(start && detach)));
        self.store.pin(&chains);
        let mut out = String::new();
        if !start {
            out = format!("{}\n", c.id());
            self.containers.push(c);
            return Outcome::ok(out);
        }
        if detach {
            out = format!("{}\n", c.id());
        }
        let code = self.start_ctr(&mut c, &mut out, detach);
        self.containers.push(c);
        match code {
            Ok(code) => Outcome { out, code: if detach { 0 } else { code } },
            // The CLI words a daemon error as a sentence; attached, its wait for the
            // container is cancelled and logrus says so (exit 125: the daemon's error; 127:
            // runc did not find the command).
            Err((e, code)) if start && !detach => {
                out.push_str(&format!("{pre}{e}.\n"));
                Outcome::fail(out, "time=\"<time>\" level=error msg=\"error waiting for container: context canceled\"", code)
            }
            Err((e, code)) => Outcome::fail(out, &format!("{pre}{e}"), code),
        }
    }

    /// Starts a container: its command runs to the end (or keeps running: a `sleep`).
    fn start_ctr(&mut self, c: &mut Ctr, out: &mut String, detach: bool) -> Result<i32, (String, i32)> {
        let argv = c.cmd.clone();
        let known = argv.first().is_some_and(|a| {
            matches!(
                a.as_str(),
                "sh" | "/bin/sh" | "cat" | "echo" | "printf" | "ls" | "stat" | "touch" | "rm" | "mkdir" | "rmdir" | "mv" | "ln"
                    | "chmod" | "chown" | "truncate" | "true" | "sleep" | "head" | "tail" | "wc" | "pwd" | "readlink"
            )
        });
        // The daemon resolves the user when it makes the runtime spec, before runc runs.
        if let Err(e) = c.ident() {
            c.start_error = Some((125, e.clone()));
            return Err((format!("Error response from daemon: {e}"), 125));
        }
        // runc execs argv[0]: a path, or a name found in the container's PATH. The container
        // stays `created` with the error and code in its State (`docker inspect`).
        if !known && !argv.first().is_some_and(|a| c.finds(a)) {
            let a = argv.first().cloned().unwrap_or_default();
            let e = format!("failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"{a}\": executable file not found in $PATH: unknown");
            c.start_error = Some((127, e.clone()));
            return Err((format!("Error response from daemon: {e}"), 127));
        }
        c.start_error = None;
        let r = c.exec(&argv);
        if !detach {
            out.push_str(&r.out);
        }
        c.state = if Ctr::keeps_running(&argv) { State::Running } else { State::Exited(r.status) };
        Ok(r.status)
    }

    /// `docker start NAME...`.
    pub fn start(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('a'), "attach", false), (Some('i'), "interactive", false)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtLeast(1), &format!("{cmd} [OPTIONS] CONTAINER [CONTAINER...]"), "Start one or more stopped containers") {
            return o;
        }
        let mut out = String::new();
        let mut failed = Vec::new();
        for a in &p.args {
            let Some(i) = self.find(a) else {
                out.push_str(&format!("Error response from daemon: No such container: {a}\n"));
                failed.push(a.clone());
                continue;
            };
            if self.containers[i].running() {
                out.push_str(&format!("{a}\n"));
                continue;
            }
            let mut c = self.containers[i].clone();
            let mut sink = String::new();
            match self.start_ctr(&mut c, &mut sink, true) {
                Ok(_) => {
                    self.containers[i] = c;
                    out.push_str(&format!("{a}\n"));
                }
                Err((e, _)) => {
                    self.containers[i] = c;
                    out.push_str(&e);
                    out.push('\n');
                    failed.push(a.clone());
                }
            }
        }
        if failed.is_empty() {
            return Outcome::ok(out);
        }
        Outcome::fail(out, &format!("Error: failed to start containers: {}", failed.join(", ")), 1)
    }

    /// `docker stop NAME...`.
    pub fn stop(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('t'), "time", true)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtLeast(1), &format!("{cmd} [OPTIONS] CONTAINER [CONTAINER...]"), "Stop one or more running containers") {
            return o;
        }
        let mut out = String::new();
        let mut errs = Vec::new();
        for a in &p.args {
            match self.find(a) {
                Some(i) => {
                    if self.containers[i].running() {
                        // SIGTERM is ignored by a pid-1 sh; the SIGKILL after 10 s: 137.
                        self.containers[i].state = State::Exited(137);
                    }
                    out.push_str(&format!("{a}\n"));
                }
                None => errs.push(format!("Error response from daemon: No such container: {a}")),
            }
        }
        if errs.is_empty() {
            return Outcome::ok(out);
        }
        Outcome::fail(out, &errs.join("\n"), 1)
    }

    /// `docker exec NAME CMD...`.
    pub fn exec(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('i'), "interactive", false), (Some('t'), "tty", false), (Some('d'), "detach", false), (Some('u'), "user", true), (Some('w'), "workdir", true), (Some('e'), "env", true)];
        let first = argv.iter().position(|a| !a.starts_with('-'));
        let (flags, rest) = match first {
            Some(i) => (&argv[..i], &argv[i..]),
            None => (argv, &argv[argv.len()..]),
        };
        if let Err(o) = parse_flags(cmd, SPEC, flags) {
            return o;
        }
        if let Err(o) = check_arity(cmd, rest.len(), Arity::AtLeast(2), &format!("{cmd} [OPTIONS] CONTAINER COMMAND [ARG...]"), "Run a command in a running container") {
            return o;
        }
        let Some(i) = self.find(&rest[0]) else {
            return Outcome::fail(String::new(), &format!("Error: No such container: {}", rest[0]), 1);
        };
        let c = &mut self.containers[i];
        if !c.running() {
            return Outcome::fail(String::new(), &format!("Error response from daemon: Container {} is not running", c.id()), 1);
        }
        let argv = &rest[1..];
        if !matches!(
            argv[0].as_str(),
            "sh" | "/bin/sh" | "cat" | "echo" | "printf" | "ls" | "stat" | "touch" | "rm" | "mkdir" | "rmdir" | "mv" | "ln" | "chmod"
                | "chown" | "truncate" | "true" | "sleep" | "head" | "tail" | "wc" | "pwd" | "readlink"
        ) {
            return Outcome::fail(
                String::new(),
                &format!("OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown\r", argv[0]),
                126,
            );
        }
        let r = c.exec(argv);
        Outcome { out: r.out, code: r.status }
    }

    /// `docker diff NAME`.
    pub fn diff(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        let p = match parse_flags(cmd, &[], argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::Exactly(1), &format!("{cmd} CONTAINER"), "Inspect changes to files or directories on a container's filesystem") {
            return o;
        }
        let Some(i) = self.find(&p.args[0]) else {
            return Outcome::fail(String::new(), &format!("Error response from daemon: No such container: {}", p.args[0]), 1);
        };
        let mut out = String::new();
        for ch in self.containers[i].diff() {
            out.push_str(&ch);
            out.push('\n');
        }
        Outcome::ok(out)
    }

    /// The IMAGE cell: the name typed at create while it still names the image.
    fn image_cell(&self, c: &Ctr) -> String {
        match self.store.resolve(&c.image_ref) {
            Some(id) if id == c.image_id => c.image_ref.clone(),
            _ => short12(&c.image_id),
        }
    }

    fn size_cell(&self, c: &Ctr) -> String {
        let size = self.rw_size(c);
        crate::units::ps_size(size, self.ctr_image_bytes(c) + size)
    }

    /// The container layer's SIZE (`docker ps -s`, `docker system df`) by the driver's
    /// `DiffSize`: overlay2 sums the upper dir, vfs and btrfs take moby's naive diff size
    /// (`crate::drivers`).
    pub fn rw_size(&self, c: &Ctr) -> u64 {
        match self.driver.model().diff_size() {
            crate::drivers::DiffSize::UpperDir => c.fs.upper_bytes(),
            crate::drivers::DiffSize::Naive => crate::drivers::naive_size(&c.fs),
        }
    }

    /// `docker ps [-a] [-s] [--format T]`.
    pub fn ps(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[
            (Some('a'), "all", false),
            (Some('s'), "size", false),
            (Some('q'), "quiet", false),
            (None, "no-trunc", false),
            (None, "format", true),
            (Some('n'), "last", true),
            (Some('l'), "latest", false),
            (Some('f'), "filter", true),
        ];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtMost(0), &format!("{cmd} [OPTIONS]"), "List containers") {
            return o;
        }
        let mut list: Vec<&Ctr> = self.containers.iter().filter(|c| p.has("all") || c.running()).collect();
        list.sort_by(|a, b| b.seq.cmp(&a.seq));
        let trunc = !p.has("no-trunc");
        let command = |c: &Ctr| {
            let s = c.command();
            go_quote(&if trunc { ellipsis(&s, 20) } else { s })
        };
        if let Some(f) = p.value("format") {
            let mut out = String::new();
            for c in &list {
                let mut line = f.to_string();
                for (k, v) in [
                    ("{{.Names}}", c.name.clone()),
                    ("{{.ID}}", if trunc { c.short_id() } else { c.id() }),
                    ("{{.Image}}", self.image_cell(c)),
                    ("{{.Status}}", self.status_of(c)),
                    ("{{.Command}}", command(c)),
                    ("{{.CreatedSince}}", self.ctr_ago(c)),
                    ("{{.Ports}}", String::new()),
                    ("{{.Size}}", self.size_cell(c)),
                ] {
                    line = line.replace(k, &v);
                }
                out.push_str(&line);
                out.push('\n');
            }
            return Outcome::ok(out);
        }
        if p.has("quiet") {
            return Outcome::ok(list.iter().map(|c| format!("{}\n", c.short_id())).collect());
        }
        let size = p.has("size");
        let mut head: Vec<String> = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"].iter().map(|s| s.to_string()).collect();
        if size {
            head.push("SIZE".into());
        }
        let mut rows = vec![head];
        for c in &list {
            let mut r = vec![c.short_id(), self.image_cell(c), command(c), self.ctr_ago(c), self.status_of(c), String::new(), c.name.clone()];
            if size {
                r.push(self.size_cell(c));
            }
            rows.push(r);
        }
        Outcome::ok(self.table(&rows))
    }

    /// `docker commit`: the daemon's checks (the container, each `-c` instruction as
    /// `builder/dockerfile` `BuildFromConfig` accepts it); making the image is not simulated yet.
    pub fn commit(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('m'), "message", true), (Some('a'), "author", true), (Some('c'), "change", true), (Some('p'), "pause", false)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if p.args.is_empty() || p.args.len() > 2 {
            let arity = if p.args.is_empty() { Arity::AtLeast(1) } else { Arity::AtMost(2) };
            if let Err(o) = check_arity(cmd, p.args.len(), arity, &format!("{cmd} [OPTIONS] CONTAINER [REPOSITORY[:TAG]]"), "Create a new image from a container's changes") {
                return o;
            }
        }
        let Some(ci) = self.find(&p.args[0]) else {
            return Outcome::fail(String::new(), &format!("Error response from daemon: No such container: {}", p.args[0]), 1);
        };
        let target = match p.args.get(1).map(|r| Named::parse(r)) {
            None => None,
            Some(Ok(n)) if n.digest.is_none() => Some(n.with_default_tag()),
            Some(Ok(_)) => return Outcome::fail(String::new(), "Error response from daemon: refusing to create a tag with a digest reference", 1),
            Some(Err(e)) => return Outcome::fail(String::new(), e, 1),
        };
        const VALID: &[&str] = &["cmd", "entrypoint", "env", "expose", "label", "onbuild", "user", "volume", "workdir", "stopsignal"];
        for (flag, change) in &p.flags {
            if *flag != "change" {
                continue;
            }
            let word = change.split_whitespace().next().unwrap_or("").to_lowercase();
            if !VALID.contains(&word.as_str()) {
                return Outcome::fail(String::new(), &format!("Error response from daemon: {word} is not a valid change command"), 1);
            }
        }
        let changes: Vec<String> = p.flags.iter().filter(|(f, _)| *f == "change").map(|(_, v)| v.clone()).collect();
        match self.commit_ctr(ci, p.value("author").unwrap_or(""), p.value("message").unwrap_or(""), &changes, target.as_ref()) {
            Ok(id) => Outcome::ok(format!("{id}\n")),
            Err(e) => Outcome::fail(String::new(), &format!("Error response from daemon: {e}"), 1),
        }
    }

    /// moby `daemon/commit.go` `CreateImageFromContainer` and `daemon/images/image_commit.go`
    /// `CommitImage`: the new `Config` is the container's with the `-c` changes applied
    /// (`builder/dockerfile` `BuildFromConfig`); the container layer, tarred as overlay2's native
    /// diff, is registered over the image's chain (an empty tar adds no layer); the config
    /// (`image.NewChildImage`) is stored with the container's image as its parent, and the
    /// reference, if any, is tagged. Returns the image ID.
    fn commit_ctr(&mut self, ci: usize, author: &str, comment: &str, changes: &[String], target: Option<&Named>) -> Result<String, String> {
        let c = &self.containers[ci];
        let mut config = c.config.clone();
        if !config.is_object() {
            config = json!({});
        }
        crate::commit::apply_changes(config.as_object_mut().expect("an object"), changes).map_err(|e| e.to_string())?;
        let entries: Vec<crate::layer::TarEntry> =
            c.fs.diff_entries().map_err(|e| e.to_string())?.iter().filter_map(|e| e.tar_entry(None)).collect();
        let (image_id, chains, cid, cc) = (c.image_id.clone(), c.chains.clone(), c.id(), c.config.clone());
        let parent = self.store.has_image(&image_id).then_some(image_id);
        let id = self.commit_image(&CommitImage {
            parent: parent.as_deref(),
            chains,
            entries: &entries,
            author,
            comment,
            container: &cid,
            container_config: &cc,
            config: &config,
            created: "<time>",
        })?;
        if let Some(t) = target {
            self.store.set_ref(t, &id);
            if let Some(img) = self.store.image_mut(&id) {
                img.last_tag_time = Some("<time>".into());
            }
        }
        Ok(id)
    }

    /// A new image over `parent` (its chains when it is stored, else `chains`): the layer of
    /// `entries` (none when they tar to the empty layer), a config made as `image.NewChildImage`
    /// makes it, the parent link; the image is named for the oracle. Returns the image ID.
    pub(super) fn commit_image(&mut self, req: &CommitImage) -> Result<String, String> {
        let (gz, diff_id, _) = crate::commit::write_layer(req.entries).map_err(|e| e.to_string())?;
        let parent = req.parent.and_then(|p| self.store.image(p)).cloned();
        let mut chains = parent.as_ref().map_or_else(|| req.chains.clone(), |i| i.chains.clone());
        // moby `CommitImage` registers the tar before `NewChildImage` drops an empty layer, so
        // even an empty commit over 125 layers fails (`max-depth`).
        check_depth(chains.len())?;
        let mut new_layer = None;
        if diff_id != EMPTY_LAYER {
            let ar = Archive::from_layers(vec![crate::source::MemSource::shared(gz)], "the committed layer");
            let img = ar.load(&Selector::Index(0), &LoadOptions { changes: false, ..Default::default() }, &mut |_| true).map_err(|e| e.to_string())?;
            let l = img.layers.first().ok_or("the committed layer could not be read")?;
            let mut diffs: Vec<String> = chains.iter().filter_map(|ch| self.store.layer(ch)).map(|x| x.diff_id.clone()).collect();
            diffs.push(diff_id.clone());
            let chain = crate::image::digest::chain_ids(&diffs).pop().expect("a chain");
            let fresh = self.store.add_layer(&chain, &diff_id, chains.last().map(String::as_str), l.size, l.uncompressed_size, l.tree.clone(), layer_tar(l));
            chains.push(chain.clone());
            new_layer = Some((diff_id.clone(), chain, fresh));
        }
        let child = super::gojson::Child {
            parent: parent.as_ref().map(|i| &i.config.raw),
            author: req.author,
            comment: req.comment,
            container: req.container,
            container_config: req.container_config,
            config: req.config,
            diff_id: new_layer.as_ref().map(|(d, _, _)| d.as_str()),
            created: req.created,
        };
        let bytes = super::gojson::commit_config(&child);
        let cfg = crate::image::config::Config::parse(&bytes).map_err(|e| e.to_string())?;
        let id = self.store.add_image(cfg, chains);
        let n = self.names.commit(&id, new_layer.as_ref().map(|(d, ch, _)| (d.as_str(), ch.as_str())));
        if let Some((_, chain, true)) = &new_layer {
            self.store.set_cache_id(chain, format!("<cache:chain-{n}>"));
        }
        let parent_id = parent.map(|i| i.id);
        if let Some(img) = self.store.image_mut(&id) {
            img.parent = parent_id;
        }
        Ok(id)
    }

    /// `docker rm [-f] NAME...`.
    pub fn rm(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        const SPEC: Spec = &[(Some('f'), "force", false), (Some('v'), "volumes", false), (Some('l'), "link", false)];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::AtLeast(1), &format!("{cmd} [OPTIONS] CONTAINER [CONTAINER...]"), "Remove one or more containers") {
            return o;
        }
        let mut out = String::new();
        let mut errs = Vec::new();
        for a in &p.args {
            let Some(i) = self.find(a) else {
                errs.push(no_such_container(a));
                continue;
            };
            if self.containers[i].running() && !p.has("force") {
                errs.push(format!(
                    "Error response from daemon: You cannot remove a running container {}. Stop the container before attempting removal or force remove",
                    self.containers[i].id()
                ));
                continue;
            }
            let c = self.containers.remove(i);
            self.store.unpin(&c.chains);
            out.push_str(&format!("{a}\n"));
        }
        if errs.is_empty() {
            return Outcome::ok(out);
        }
        Outcome::fail(out, &errs.join("\n"), 1)
    }
}

/// Whether overlay2 refuses to extract a layer (moby `pkg/archive` `createTarFile`): a
/// whiteout under a path an earlier entry of the same layer made a non-directory makes its
/// `mknod` fail with ENOTDIR (NOTES 5, `pull-refused-layer`). The error as the daemon words it.
pub fn overlay2_refusal(entries: &[crate::layer::Entry]) -> Option<String> {
    use crate::layer::EntryKind;
    let mut made: std::collections::BTreeMap<&[u8], bool> = std::collections::BTreeMap::new();
    for e in entries {
        match e.kind {
            EntryKind::Whiteout => {
                let mut a = e.parent();
                while !a.is_empty() {
                    if made.get(a) == Some(&false) {
                        let target = e.whiteout_target().unwrap_or_default();
                        return Some(format!("failed to mknod(\"/{}\", S_IFCHR, 0): not a directory", String::from_utf8_lossy(&target)));
                    }
                    a = crate::path::split_rel(a).0;
                }
            }
            EntryKind::Opaque => {}
            _ => {
                made.insert(&e.path, e.kind == EntryKind::Dir);
            }
        }
    }
    None
}

/// The `container.Config` the daemon keeps for a container made by `docker run`/`create`
/// (docker/cli `cli/command/container/opts.go` `parse`, moby `daemon/create.go` merging the
/// image's config): the image's config, then Hostname (the short ID), AttachStdout/Stderr
/// (unless detached), `-e` variables before the image's others, Cmd (the given command, else
/// the image's unless `--entrypoint` is given), `-w`, `-u`, `--entrypoint`, Image as typed, and
/// Labels `{}` when the image has none.
fn container_config(image: &Value, hostname: &str, image_arg: &str, cmd: &[String], p: &Parsed, attached: bool) -> Value {
    let mut c = image.get("config").filter(|v| v.is_object()).cloned().unwrap_or_else(|| json!({}));
    let o = c.as_object_mut().expect("an object");
    o.insert("Hostname".into(), json!(hostname));
    o.insert("AttachStdout".into(), json!(attached));
    o.insert("AttachStderr".into(), json!(attached));
    let user_env: Vec<String> = p.flags.iter().filter(|(k, _)| *k == "env").map(|(_, v)| v.clone()).collect();
    if !user_env.is_empty() {
        let key = |e: &str| e.split('=').next().unwrap_or("").to_string();
        let mut env = user_env.clone();
        for e in o.get("Env").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !user_env.iter().any(|u| key(u) == key(e)) {
                env.push(e.to_string());
            }
        }
        o.insert("Env".into(), json!(env));
    }
    if let Some(ep) = p.value("entrypoint") {
        o.insert("Entrypoint".into(), if ep.is_empty() { Value::Null } else { json!([ep]) });
        o.insert("Cmd".into(), Value::Null);
    }
    if !cmd.is_empty() {
        o.insert("Cmd".into(), json!(cmd));
    }
    if let Some(w) = p.value("workdir") {
        o.insert("WorkingDir".into(), json!(w));
    }
    if let Some(u) = p.value("user") {
        o.insert("User".into(), json!(u));
    }
    o.insert("Image".into(), json!(image_arg));
    if o.get("Labels").map_or(true, Value::is_null) {
        o.insert("Labels".into(), json!({}));
    }
    c
}

/// The uncompressed tar of a loaded layer (its blob, decompressed on demand).
fn layer_tar(l: &crate::image::Layer) -> crate::layer::Content {
    crate::layer::Content::Blob { blob: l.blob.clone(), offset: 0, size: l.uncompressed_size }
}

/// How the daemon names a missing image: the familiar reference with its default tag.
fn no_such(arg: &str) -> String {
    match Named::parse(arg) {
        Ok(n) => n.with_default_tag().familiar(),
        Err(_) => arg.to_string(),
    }
}

/// Fields the daemon's types hold as Go maps (`map[string]...`): a template prints them as
/// `map[K:V ...]` (keys sorted); other objects are Go structs.
const GO_MAPS: &[&str] = &["Data", "Labels", "Volumes", "ExposedPorts", "Ports", "Networks", "Options", "DriverOpts", "PortBindings"];

/// The Go templates (docker/cli `templates`) over an inspected object: text with actions
/// `{{.A.B}}`, `{{json .A.B}}`, `{{len .A.B}}` (`.` alone: the object). A value prints as Go's
/// `fmt` prints it: strings bare, a slice `[a b]`, a nil slice `[]`, a map `map[K:V]`, a key
/// that is not there `<no value>`; a struct (Go prints `{v1 v2 ...}` with nil pointers the JSON
/// leaves out) is refused as not simulated.
fn template(f: &str, v: &Value) -> Result<String, String> {
    let unsupported = || format!("layerlab: the template {f:?} is not simulated (only {{{{.Field}}}}, {{{{json .Field}}}} and {{{{len .Field}}}} between text)");
    let mut out = String::new();
    let mut rest = f;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find("}}").ok_or_else(unsupported)?;
        let action = after[..end].trim();
        rest = &after[end + 2..];
        let (func, path) = match action.split_once(' ') {
            Some((fun, p)) if matches!(fun, "json" | "len") => (fun, p.trim()),
            _ => ("", action),
        };
        let path = path.strip_prefix('.').ok_or_else(unsupported)?;
        let mut cur = Some(v);
        let mut last = "";
        for k in path.split('.').filter(|k| !k.is_empty()) {
            cur = cur.and_then(|c| c.get(k));
            last = k;
        }
        match func {
            // docker/cli templates: `json` encodes with SetEscapeHTML(false) (`&&`, `>` as they are).
            "json" => out.push_str(&cur.cloned().unwrap_or(Value::Null).to_string()),
            "len" => match cur {
                Some(Value::Array(a)) => out.push_str(&a.len().to_string()),
                Some(Value::Object(o)) => out.push_str(&o.len().to_string()),
                Some(Value::String(s)) => out.push_str(&s.len().to_string()),
                Some(Value::Null) => out.push('0'),
                _ => return Err(unsupported()),
            },
            _ => match cur {
                None => out.push_str("<no value>"),
                Some(x) => out.push_str(&go_print(x, GO_MAPS.contains(&last)).ok_or_else(unsupported)?),
            },
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// A JSON value as Go's `fmt` prints the Go value it came from (`map`: a Go map field).
fn go_print(v: &Value, map: bool) -> Option<String> {
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Null if map => "map[]".into(),
        Value::Null => "[]".into(),
        Value::Array(a) => format!("[{}]", a.iter().map(|x| go_print(x, false)).collect::<Option<Vec<_>>>()?.join(" ")),
        Value::Object(o) if map => {
            let mut kv: Vec<(&String, &Value)> = o.iter().collect();
            kv.sort_by(|a, b| a.0.cmp(b.0));
            format!("map[{}]", kv.iter().map(|(k, x)| go_print(x, false).map(|s| format!("{k}:{s}"))).collect::<Option<Vec<_>>>()?.join(" "))
        }
        Value::Object(_) => return None,
        x => x.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_template_does_not_escape_html() {
        // docker/cli's `json` template func encodes with SetEscapeHTML(false): the
        // build-instructions transcript shows `"OnBuild":["RUN mkdir /onbuild && echo fired > …"]`.
        let v = json!({"Cmd": ["sh", "-c", "echo a > /b && cat </b"], "Dir": "/var/lib/docker/overlay2/<cache:4b8d7e9ffd0b>/diff", "T": "<time>"});
        assert_eq!(template("{{json .Cmd}}", &v).unwrap(), r#"["sh","-c","echo a > /b && cat </b"]"#);
        assert_eq!(template("{{.T}}", &v).unwrap(), "<time>");
        assert_eq!(template("{{.Nope}}", &v).unwrap(), "<no value>");
        let c = json!({"State": {"Status": "exited", "ExitCode": 0}, "Args": ["-c", "x"], "GraphDriver": {"Data": {"B": "2", "A": "1"}}, "E": null});
        assert_eq!(template("{{.State.Status}} {{.State.ExitCode}} {{.Args}}", &c).unwrap(), "exited 0 [-c x]");
        assert_eq!(template("{{.GraphDriver.Data}}|{{len .GraphDriver.Data}}|{{len .Args}}|{{.E}}", &c).unwrap(), "map[A:1 B:2]|2|2|[]");
        assert!(template("{{.State}}", &c).is_err());
    }

    #[test]
    fn flags_parse_like_pflag() {
        let argv: Vec<String> = ["-af", "x", "--digests", "repo"].iter().map(|s| s.to_string()).collect();
        const SPEC: Spec = &[(Some('a'), "all", false), (Some('f'), "filter", true), (None, "digests", false)];
        let p = parse_flags("docker images", SPEC, &argv).unwrap_or_else(|o| panic!("{}", o.out));
        assert!(p.has("all") && p.has("digests"));
        assert_eq!(p.value("filter"), Some("x"));
        assert_eq!(p.args, ["repo"]);
        let p = parse_flags("docker commit", &[(Some('p'), "pause", false)], &["-p=false".to_string()]).unwrap_or_else(|o| panic!("{}", o.out));
        assert_eq!(p.value("pause"), Some("false"));
        let bad = parse_flags("docker images", SPEC, &["-z".to_string()]).err().unwrap();
        assert_eq!(bad.out, "unknown shorthand flag: 'z' in -z\nSee 'docker images --help'.\n");
        assert_eq!(bad.code, 125);
    }

    #[test]
    fn finished_progress_bars_like_jsonmessage() {
        assert_eq!(full_bar(330), format!("[{}>]     330B/330B", "=".repeat(50)));
        assert_eq!(full_bar(1996800), format!("[{}>]  1.997MB/1.997MB", "=".repeat(50)));
    }
}
