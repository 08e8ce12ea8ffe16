//! `docker build` with Docker 20.10's classic builder: every step a container and a commit, the
//! build cache, multi-stage builds, printed as the classic builder prints them.
//!
//! Truth: `../shared/docker-oracle` scenarios `build-*` and `errors-build`, README "TRANSCRIPT
//! format" (what each step prints) and NOTES 34-58; our own recording
//! `tests/docker-scenarios/build-instructions`. Sources followed: moby `builder/dockerfile`
//! (`builder.go` dispatch loop and ` ---> ` lines, `dispatchers.go` for each instruction and its
//! commit message, `internals.go` `commit`/`probeAndCreate`/`performCopy`/`exportImage`,
//! `copy.go` sources and their hashes, `buildargs.go` (`|N K=V` in a RUN's saved Cmd, unused
//! build-args warning), `imagecontext.go` (stages)), moby `image/cache` (`getLocalCachedImage`:
//! a child of the parent whose `ContainerConfig` equals the step's, the newest one).
//!
//! Rules:
//! - The Dockerfile comes through [`super::dockerfile`], the context through
//!   [`super::context`]; containers are the host's [`Ctr`]s (their shell runs RUN), images are
//!   made by [`Docker::commit_image`], the one place that turns a container layer into an image.
//! - Each step's image is stamped one second after the last ([`super::names::Names::stamp`]):
//!   as with Docker's clock, a `--no-cache` rebuild makes new image IDs, and RUN layers (their
//!   mtimes are the step's time) new diff IDs, while a COPY of a fixed-mtime file into `/`
//!   repeats its layer byte for byte (NOTES 43).
//! - A step that fails prints its sentence and ends the build with its exit code (a RUN's own
//!   code, else 1); what it leaves is what Docker leaves (NOTES 40, 58). A step whose commit
//!   the layer store refuses (over 125 layers: COPY, RUN, and metadata steps alike, since each
//!   commit registers a layer) prints `max depth exceeded`; a RUN's or metadata step's
//!   container stays (`tests/docker-scenarios/max-depth`).
//! - VOLUME: a RUN step's container gets the mountpoint in its layer when it starts, and what a RUN writes below
//!   it goes to the anonymous volume, not the image (`tests/docker-scenarios/build-instructions`:
//!   the RUN after VOLUME adds a `0B` layer holding only `/data`).
//! - Not simulated (one sentence says so): remote contexts (URLs, `-`), `ADD` of a URL,
//!   `COPY --chown` by user name.

use super::commands::{check_arity, parse_flags, Arity, CommitImage, Docker, Outcome, Spec};
use super::containers::{Ctr, State};
use super::context::{dir_sum, multi_hash, tarsum, Context, Entry as CtxEntry, Kind as CtxKind};
use super::dockerfile::{self, CmdLine, Copy as CopyArgs, Kind};
use super::build_steps::{self, Step};
use super::reference::Named;
use crate::container::Op;
use crate::tree::{Kind as NodeKind, Tree};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The mtime the oracle's recorder gives every staged context entry (2001-01-01T00:00:00Z).
pub const CONTEXT_MTIME: i64 = 978_307_200;

const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// How a build ends early: what to print and the exit code.
struct Stop(String, i32);

fn stop<T>(msg: impl Into<String>, code: i32) -> Result<T, Stop> {
    Err(Stop(msg.into(), code))
}

/// One stage's state (moby `dispatchState`).
struct Stage {
    /// The current image (`None`: `FROM scratch` before any step).
    image: Option<String>,
    run_config: Map<String, Value>,
    maintainer: String,
    /// ARGs declared in this stage with their values (`None`: declared without a value).
    args: Vec<(String, Option<String>)>,
    cmd_set: bool,
}

/// A source to copy: its path in the source, the bytes or kind, mode, owner, mtime.
struct Src {
    /// Relative to the source being copied (`""`: the source itself).
    rel: String,
    /// The entry's own name.
    name: String,
    node: SrcNode,
    mode: u32,
    uid: u32,
    gid: u32,
    mtime: i64,
}

enum SrcNode {
    File(Arc<[u8]>),
    Dir,
    Symlink(Vec<u8>),
}

struct Build {
    ctx: Context,
    build_args: BTreeMap<String, String>,
    consumed: BTreeSet<String>,
    meta: BTreeMap<String, Option<String>>,
    no_cache: bool,
    /// Each finished stage's image, with its name.
    stages: Vec<(Option<String>, Option<String>)>,
    out: String,
    /// What each step did, for the page ([`super::build_steps`]).
    steps: Vec<Step>,
}

impl Docker {
    /// `docker build [OPTIONS] PATH`.
    pub fn build(&mut self, cmd: &str, argv: &[String]) -> Outcome {
        self.build_steps.clear();
        const SPEC: Spec = &[
            (Some('t'), "tag", true),
            (Some('f'), "file", true),
            (None, "build-arg", true),
            (None, "no-cache", false),
            (Some('q'), "quiet", false),
            (None, "rm", false),
            (None, "force-rm", false),
            (None, "pull", false),
            (None, "network", true),
            (None, "label", true),
        ];
        let p = match parse_flags(cmd, SPEC, argv) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if let Err(o) = check_arity(cmd, p.args.len(), Arity::Exactly(1), "docker build [OPTIONS] PATH | URL | -", "Build an image from a Dockerfile") {
            return o;
        }
        let mut tags = Vec::new();
        for t in p.flags.iter().filter(|(k, _)| *k == "tag").map(|(_, v)| v) {
            match Named::parse(t) {
                Ok(n) if n.digest.is_none() => tags.push(n.with_default_tag()),
                Ok(_) | Err(_) => return Outcome::fail(String::new(), &format!("invalid argument \"{t}\" for \"-t, --tag\" flag: invalid reference format\nSee '{cmd} --help'."), 125),
            }
        }
        let dir = p.args[0].trim_end_matches('/').to_string();
        if dir == "-" || dir.contains("://") || dir.starts_with("git@") {
            return Outcome::fail(String::new(), "layerlab: a build context from stdin or a URL is not simulated", 1);
        }
        let ctx = match self.build_context(&dir) {
            Ok(c) => c,
            Err(e) => return Outcome::fail(String::new(), &format!("unable to prepare context: {e}"), 1),
        };
        // -f is relative to the command's directory; the CLI sends it by its path in the context.
        let rel_df = match p.value("file") {
            Some(f) => match f.strip_prefix(&format!("{dir}/")) {
                Some(r) => r.to_string(),
                None => return Outcome::fail(String::new(), &format!("layerlab: a Dockerfile outside the context ({f}) is not simulated"), 1),
            },
            None => "Dockerfile".to_string(),
        };
        let df_bytes = match ctx.get(&rel_df) {
            Some(CtxEntry { kind: CtxKind::File(b), .. }) => b.clone(),
            _ => {
                return Outcome::fail(
                    String::new(),
                    &format!("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat <cwd>/{dir}/{rel_df}: no such file or directory"),
                    1,
                )
            }
        };
        let sent = match ctx.sent(&rel_df) {
            Ok(s) => s,
            Err(e) => return Outcome::fail(String::new(), &format!("unable to prepare context: {e}"), 1),
        };
        let mut b = Build {
            ctx: sent,
            build_args: BTreeMap::new(),
            consumed: BTreeSet::new(),
            meta: BTreeMap::new(),
            no_cache: p.has("no-cache"),
            stages: Vec::new(),
            out: String::new(),
            steps: Vec::new(),
        };
        for a in p.flags.iter().filter(|(k, _)| *k == "build-arg").map(|(_, v)| v) {
            if let Some((k, v)) = a.split_once('=') {
                b.build_args.insert(k.to_string(), v.to_string());
            }
        }
        b.out.push_str(&b.ctx.sending_line());
        b.out.push('\n');
        let name = rel_df.rsplit('/').next().unwrap_or(&rel_df).to_string();
        let df = match dockerfile::parse(&String::from_utf8_lossy(&df_bytes), &name) {
            Ok(d) => d,
            Err(e) => return Outcome::fail(b.out, &format!("Error response from daemon: {e}"), 1),
        };
        let built = self.run_build(&mut b, &df);
        self.build_steps = std::mem::take(&mut b.steps);
        match built {
            Ok(id) => {
                let unused: Vec<&String> = b.build_args.keys().filter(|k| !b.consumed.contains(*k)).collect();
                if !unused.is_empty() {
                    let list: Vec<&str> = unused.iter().map(|s| s.as_str()).collect();
                    b.out.push_str(&format!("[Warning] One or more build-args [{}] were not consumed\n", list.join(" ")));
                }
                b.out.push_str(&format!("Successfully built {}\n", short12(&id)));
                for t in &tags {
                    self.store.set_ref(t, &id);
                    if let Some(img) = self.store.image_mut(&id) {
                        img.last_tag_time = Some("<time>".into());
                    }
                    b.out.push_str(&format!("Successfully tagged {}\n", t.familiar()));
                }
                Outcome { out: b.out, code: 0 }
            }
            Err(Stop(msg, code)) => Outcome::fail(b.out, &msg, code),
        }
    }

    /// A file of the command's directory: what the script wrote, else a context's file
    /// (`#% copy SRC DST` reads SRC so).
    pub fn scratch_file(&mut self, path: &str) -> Option<Arc<[u8]>> {
        if let Some(b) = self.files.get(path) {
            return Some(b.clone());
        }
        let (top, rest) = path.split_once('/')?;
        let ctx = self.context_loader.as_mut()?(top).ok()?;
        match ctx.get(rest) {
            Some(CtxEntry { kind: CtxKind::File(b), .. }) => Some(b.clone()),
            _ => None,
        }
    }

    /// The context directory with what the script wrote into it (`#% write`, `#% copy`).
    fn build_context(&mut self, dir: &str) -> Result<Context, String> {
        let mut ctx = match self.context_loader.as_mut() {
            Some(l) => l(dir)?,
            None => return Err(format!("path \"{dir}\" not found")),
        };
        let prefix = format!("{dir}/");
        for (path, bytes) in &self.files {
            if let Some(rel) = path.strip_prefix(&prefix) {
                ctx.write(rel, bytes.clone());
            }
        }
        Ok(ctx)
    }

    fn run_build(&mut self, b: &mut Build, df: &dockerfile::Dockerfile) -> Result<String, Stop> {
        let total = df.steps();
        let mut step = 0;
        for m in &df.meta_args {
            step += 1;
            b.out.push_str(&format!("Step {step}/{total} : {}\n", m.original));
            b.steps.push(Step { n: step, total, instruction: m.original.clone(), done: true, ..Default::default() });
            if let Kind::Arg(pairs) = &m.kind {
                for (k, v) in pairs {
                    let v = b.build_args.get(k).cloned().or_else(|| v.clone());
                    b.consumed.insert(k.clone());
                    b.meta.insert(k.clone(), v);
                }
            }
        }
        let mut last = None;
        for stage in &df.stages {
            step += 1;
            b.out.push_str(&format!("Step {step}/{total} : {}\n", stage.original));
            b.steps.push(Step { n: step, total, instruction: stage.original.clone(), from: true, ..Default::default() });
            let meta = b.meta.clone();
            let base = dockerfile::expand(&stage.base, df.escape, &|k| meta.get(k).cloned().flatten()).map_err(|e| Stop(e, 1))?;
            if base.is_empty() {
                return stop(format!("base name ({}) should not be blank", stage.base), 1);
            }
            let mut st = self.begin_stage(b, &base)?;
            if let Some(triggers) = st.run_config.get("OnBuild").and_then(Value::as_array).filter(|a| !a.is_empty()).cloned() {
                let n = triggers.len();
                b.out.push_str(&format!("# Executing {n} build trigger{}\n", if n == 1 { "" } else { "s" }));
                st.run_config.insert("OnBuild".into(), Value::Null);
                for t in triggers.iter().filter_map(Value::as_str) {
                    let parsed = dockerfile::parse(&format!("FROM scratch\n{t}\n"), "ONBUILD").map_err(|e| Stop(e.msg, 1))?;
                    for ins in &parsed.stages[0].commands {
                        self.build_step(b, &mut st, ins, df.escape)?;
                    }
                }
            }
            b.out.push_str(&match &st.image {
                Some(id) => format!(" ---> {}\n", short12(id)),
                None => " --->\n".to_string(),
            });
            self.step_done(b, &st);
            for ins in &stage.commands {
                step += 1;
                b.out.push_str(&format!("Step {step}/{total} : {}\n", ins.original));
                b.steps.push(Step { n: step, total, instruction: ins.original.clone(), ..Default::default() });
                self.build_step(b, &mut st, ins, df.escape)?;
                self.step_done(b, &st);
                b.out.push_str(&format!(" ---> {}\n", st.image.as_deref().map(short12).unwrap_or_default()));
            }
            b.stages.push((stage.name.clone(), st.image.clone()));
            last = st.image;
        }
        last.ok_or_else(|| Stop("No image was generated. Is your Dockerfile empty?".into(), 1))
    }

    /// `FROM`: a stage before, `scratch`, a local image, or a pull.
    fn begin_stage(&mut self, b: &mut Build, base: &str) -> Result<Stage, Stop> {
        let lower = base.to_ascii_lowercase();
        let image = if lower == "scratch" {
            None
        } else if let Some((_, id)) = b.stages.iter().rev().find(|(n, _)| n.as_deref() == Some(lower.as_str())) {
            id.clone()
        } else {
            Some(self.image_for_build(b, base)?)
        };
        let mut run_config = image
            .as_ref()
            .and_then(|id| self.store.image(id))
            .and_then(|i| i.config.raw.get("config").and_then(Value::as_object).cloned())
            .unwrap_or_default();
        if run_config.get("Env").and_then(Value::as_array).is_none_or(|a| a.is_empty()) {
            run_config.insert("Env".into(), json!([DEFAULT_PATH]));
        }
        Ok(Stage { image, run_config, maintainer: String::new(), args: Vec::new(), cmd_set: false })
    }

    /// A local image by reference or ID, pulled when missing (its pull lines printed in the build).
    fn image_for_build(&mut self, b: &mut Build, r: &str) -> Result<String, Stop> {
        if let Some(id) = self.store.resolve(r) {
            return Ok(id);
        }
        let o = self.pull("docker pull", &[r.to_string()]);
        if o.code != 0 {
            let text = o.out.trim_end();
            let (before, last) = text.rsplit_once('\n').unwrap_or(("", text));
            if !before.is_empty() {
                b.out.push_str(before);
                b.out.push('\n');
            }
            return stop(last.strip_prefix("Error response from daemon: ").unwrap_or(last), 1);
        }
        // docker pull ends with the reference on its own line; the build does not print it.
        let text = o.out.trim_end();
        let body = text.rsplit_once('\n').map_or("", |(a, _)| a);
        if !body.is_empty() {
            b.out.push_str(body);
            b.out.push('\n');
        }
        self.store.resolve(r).ok_or_else(|| Stop(format!("No such image: {r}"), 1))
    }

    /// The variables words expand with: the stage's Env, then its build args.
    fn word_env(st: &Stage) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        for (k, v) in stage_args(st) {
            m.insert(k, v);
        }
        for e in env_list(&st.run_config) {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            m.insert(k.to_string(), v.to_string());
        }
        m
    }

    fn build_step(&mut self, b: &mut Build, st: &mut Stage, ins: &dockerfile::Instruction, esc: char) -> Result<(), Stop> {
        let env = Docker::word_env(st);
        let x = |w: &str| dockerfile::expand(w, esc, &|k| env.get(k).cloned()).map_err(|e| Stop(e, 1));
        match &ins.kind {
            Kind::Env(pairs) => {
                let mut msg = String::from("ENV");
                let mut list = env_list(&st.run_config);
                for (k, v) in pairs {
                    let k = x(k)?;
                    let v = x(v)?;
                    msg.push_str(&format!(" {k}={v}"));
                    let kv = format!("{k}={v}");
                    match list.iter_mut().find(|e| e.split_once('=').map_or(e.as_str(), |p| p.0) == k) {
                        Some(e) => *e = kv,
                        None => list.push(kv),
                    }
                }
                st.run_config.insert("Env".into(), json!(list));
                self.commit_meta(b, st, &msg, false)
            }
            Kind::Label(pairs) => {
                let mut msg = String::from("LABEL");
                let mut labels = st.run_config.get("Labels").and_then(Value::as_object).cloned().unwrap_or_default();
                for (k, v) in pairs {
                    let (k, v) = (x(k)?, x(v)?);
                    msg.push_str(&format!(" {k}={v}"));
                    labels.insert(k, json!(v));
                }
                st.run_config.insert("Labels".into(), Value::Object(labels));
                self.commit_meta(b, st, &msg, false)
            }
            Kind::Maintainer(m) => {
                st.maintainer = m.clone();
                self.commit_meta(b, st, &format!("MAINTAINER {m}"), false)
            }
            Kind::Expose(ports) => {
                let words = ports.iter().map(|p| x(p)).collect::<Result<Vec<_>, _>>()?;
                let keys = words.iter().map(|p| if p.contains('/') { p.clone() } else { format!("{p}/tcp") });
                add_keys(&mut st.run_config, "ExposedPorts", keys);
                self.commit_meta(b, st, &format!("EXPOSE {}", words.join(" ")), false)
            }
            Kind::User(u) => {
                let u = x(u)?;
                st.run_config.insert("User".into(), json!(u));
                self.commit_meta(b, st, &format!("USER {u}"), false)
            }
            Kind::Volume(vols) => {
                let list = vols.iter().map(|v| x(v)).collect::<Result<Vec<_>, _>>()?;
                add_keys(&mut st.run_config, "Volumes", list.iter().cloned());
                self.commit_meta(b, st, &format!("VOLUME [{}]", list.join(" ")), false)
            }
            Kind::StopSignal(s) => {
                let s = x(s)?;
                st.run_config.insert("StopSignal".into(), json!(s));
                self.commit_meta(b, st, &format!("STOPSIGNAL {s}"), false)
            }
            Kind::Onbuild(t) => {
                let mut list: Vec<Value> = st.run_config.get("OnBuild").and_then(Value::as_array).cloned().unwrap_or_default();
                list.push(json!(t));
                st.run_config.insert("OnBuild".into(), Value::Array(list));
                self.commit_meta(b, st, &format!("ONBUILD {t}"), false)
            }
            Kind::Shell(sh) => {
                st.run_config.insert("Shell".into(), json!(sh));
                self.commit_meta(b, st, &format!("SHELL [{}]", sh.join(" ")), false)
            }
            Kind::Cmd(c) => {
                let cmd = self.cmd_of(st, c);
                st.run_config.insert("Cmd".into(), json!(cmd));
                if !c.args.is_empty() {
                    st.cmd_set = true;
                }
                self.commit_meta(b, st, &format!("CMD {}", go_quoted(&cmd)), false)
            }
            Kind::Entrypoint(c) => {
                let ep = self.cmd_of(st, c);
                st.run_config.insert("Entrypoint".into(), if ep.is_empty() { Value::Null } else { json!(ep) });
                if !st.cmd_set {
                    st.run_config.insert("Cmd".into(), Value::Null);
                }
                self.commit_meta(b, st, &format!("ENTRYPOINT {}", go_quoted(&ep)), false)
            }
            Kind::Arg(pairs) => {
                let mut msg = String::from("ARG");
                for (k, default) in pairs {
                    let default = match default {
                        Some(d) => Some(x(d)?),
                        None => None,
                    };
                    msg.push_str(&match &default {
                        Some(d) => format!(" {k}={d}"),
                        None => format!(" {k}"),
                    });
                    let v = b.build_args.get(k).cloned().or(default).or_else(|| b.meta.get(k).cloned().flatten());
                    b.consumed.insert(k.clone());
                    st.args.retain(|(n, _)| n != k);
                    st.args.push((k.clone(), v));
                }
                self.commit_meta(b, st, &msg, false)
            }
            Kind::Workdir(w) => {
                let w = x(w)?;
                let old = st.run_config.get("WorkingDir").and_then(Value::as_str).unwrap_or("").to_string();
                let joined = if w.starts_with('/') { w } else { format!("{}/{w}", if old.is_empty() { "/" } else { &old }) };
                let clean = format!("/{}", super::context::clean(&joined));
                st.run_config.insert("WorkingDir".into(), json!(clean));
                if st.image.is_none() {
                    return Ok(());
                }
                self.commit_meta(b, st, &format!("WORKDIR {clean}"), true)
            }
            Kind::Healthcheck(test) => {
                st.run_config.insert("Healthcheck".into(), json!({ "Test": test }));
                self.commit_meta(b, st, &format!("HEALTHCHECK {}", go_quoted(test)), false)
            }
            Kind::Run(c) => self.run_step(b, st, c),
            Kind::Copy(c) => self.copy_step(b, st, c, false, &x),
            Kind::Add(c) => self.copy_step(b, st, c, true, &x),
        }
    }

    /// A command line as the config keeps it: exec form as is, shell form behind the stage's
    /// `SHELL` (default `/bin/sh -c`).
    fn cmd_of(&self, st: &Stage, c: &CmdLine) -> Vec<String> {
        if c.json {
            return c.args.clone();
        }
        let mut v = shell_of(st);
        v.extend(c.args.iter().cloned());
        v
    }

    /// The newest image whose parent is the stage's image and whose `ContainerConfig` is `cc`
    /// (moby `image/cache` `compare`: every field but the container's Hostname).
    fn cache_hit(&self, b: &Build, parent: Option<&str>, cc: &Value) -> Option<String> {
        if b.no_cache {
            return None;
        }
        let want = strip_host(&super::gojson::run_config(cc));
        self.store
            .images_by_created()
            .into_iter()
            .filter(|i| i.parent.as_deref() == parent && (parent.is_some() || i.chains.len() <= 1))
            .find(|i| i.config.raw.get("container_config").map(|c| strip_host(&super::gojson::run_config(c))) == Some(want.clone()))
            .map(|i| i.id.clone())
    }

    /// A metadata step (and WORKDIR): a container that only holds the new config (WORKDIR also
    /// makes its directory), committed and removed; or the cache.
    fn commit_meta(&mut self, b: &mut Build, st: &mut Stage, comment: &str, workdir: bool) -> Result<(), Stop> {
        let mut cc = st.run_config.clone();
        let mut cmd = shell_of(st);
        if workdir {
            cmd.push(format!("#(nop) {comment}"));
        } else {
            cmd.push("#(nop) ".into());
            cmd.push(comment.to_string());
        }
        cc.insert("Cmd".into(), json!(cmd));
        cc.insert("Image".into(), json!(st.image.clone().unwrap_or_default()));
        container_labels(&mut cc);
        let cc = Value::Object(cc);
        if let Some(hit) = self.cache_hit(b, st.image.as_deref(), &cc) {
            b.out.push_str(" ---> Using cache\n");
            if let Some(s) = b.steps.last_mut() {
                s.cached = true;
            }
            st.image = Some(hit);
            return Ok(());
        }
        let mut c = self.build_ctr(b, st, &cc);
        if workdir {
            let dir = st.run_config.get("WorkingDir").and_then(Value::as_str).unwrap_or("/").to_string();
            mkdir_p(&mut c, dir.as_bytes(), 0, 0);
        }
        self.commit_ctr_step(b, st, c)
    }

    /// An intermediate container over the stage's image (` ---> Running in ID`).
    fn build_ctr(&mut self, b: &mut Build, st: &Stage, cc: &Value) -> Ctr {
        let hex = self.names.build_container();
        let mut c = self.new_ctr_over(st.image.as_deref(), &format!("build-{}", &hex[..12]));
        if let Some(s) = b.steps.last_mut() {
            s.container = Some(hex.clone());
        }
        c.build = Some(hex);
        let stamp = self.names.stamp();
        c.fs.set_clock(stamp.0);
        c.stamp = Some(stamp);
        let mut cc = cc.clone();
        cc["Hostname"] = json!(c.short_id());
        c.set_config(cc);
        b.out.push_str(&format!(" ---> Running in {}\n", c.short_id()));
        c
    }

    /// A container over `image` (none: scratch), not yet listed.
    fn new_ctr_over(&mut self, image: Option<&str>, name: &str) -> Ctr {
        let img = image.and_then(|id| self.store.image(id)).cloned();
        let chains = img.as_ref().map(|i| i.chains.clone()).unwrap_or_default();
        let layers: Vec<Arc<Tree>> = chains.iter().filter_map(|c| self.store.layer(c)).map(|l| l.tree.clone()).collect();
        let seq = self.next_seq();
        let id = image.unwrap_or("").to_string();
        // `docker ps` shows a build container's image as the short ID the step started from.
        Ctr::new(name, &id, &short12(&id), chains, layers, Vec::new(), seq)
    }

    /// Commits a step's container (its layer, if it changed anything) and removes it.
    fn commit_ctr_step(&mut self, b: &mut Build, st: &mut Stage, mut c: Ctr) -> Result<(), Stop> {
        let (_, created) = c.stamp.take().unwrap_or_else(|| self.names.stamp());
        // What a step wrote below a VOLUME went to the anonymous volume, not the layer.
        let vols: Vec<Vec<u8>> = volumes(st).iter().map(|v| format!("{}/", v.trim_start_matches('/')).into_bytes()).collect();
        let diff: Vec<crate::container::diff::DiffEntry> = c
            .fs
            .diff_entries()
            .map_err(|e| Stop(e.to_string(), 1))?
            .into_iter()
            .filter(|e| !vols.iter().any(|v| e.path.strip_prefix(b"/").unwrap_or(&e.path).starts_with(v)))
            .collect();
        let entries: Vec<crate::layer::TarEntry> = diff.iter().filter_map(|e| e.tar_entry(None)).collect();
        let changes = build_steps::changes(&diff, c.fs.lower());
        let config = step_config(st);
        let committed = self.commit_image(&CommitImage {
            parent: st.image.as_deref(),
            chains: c.chains.clone(),
            entries: &entries,
            author: &st.maintainer,
            comment: "",
            container: &c.id(),
            container_config: &c.config,
            config: &config,
            created: &created,
        });
        let id = match committed {
            Ok(id) => id,
            // A commit the layer store refuses (`max depth exceeded`) leaves the container.
            Err(e) => {
                self.store.pin(&c.chains);
                self.containers.push(c);
                return stop(e, 1);
            }
        };
        b.out.push_str(&format!("Removing intermediate container {}\n", c.short_id()));
        self.step_commit(b, c.chains.len(), &id, changes);
        st.image = Some(id);
        Ok(())
    }

    /// `RUN`: the command in a container with the stage's env and build args; its layer
    /// committed under a Cmd that records the build args (`|N K=V ...`).
    fn run_step(&mut self, b: &mut Build, st: &mut Stage, c: &CmdLine) -> Result<(), Stop> {
        let cmd = self.cmd_of(st, c);
        let args = stage_args(st);
        let mut save = Vec::new();
        if !args.is_empty() {
            save.push(format!("|{}", args.len()));
            save.extend(args.iter().map(|(k, v)| format!("{k}={v}")));
        }
        save.extend(cmd.iter().cloned());
        let mut cc = st.run_config.clone();
        cc.insert("Cmd".into(), json!(save));
        if !cmd.is_empty() {
            cc.insert("Entrypoint".into(), Value::Null);
        }
        cc.insert("Image".into(), json!(st.image.clone().unwrap_or_default()));
        container_labels(&mut cc);
        let cc = Value::Object(cc);
        if let Some(hit) = self.cache_hit(b, st.image.as_deref(), &cc) {
            b.out.push_str(" ---> Using cache\n");
            if let Some(s) = b.steps.last_mut() {
                s.cached = true;
            }
            st.image = Some(hit);
            return Ok(());
        }
        let mut ctr = self.build_ctr(b, st, &cc);
        // A VOLUME's mountpoint is made in the container layer when the container starts.
        for v in volumes(st) {
            mkdir_p(&mut ctr, v.as_bytes(), 0, 0);
        }
        for (k, v) in &args {
            if !env_list(&st.run_config).iter().any(|e| e.split('=').next() == Some(k.as_str())) {
                ctr.shell.vars.insert(k.clone(), v.clone());
            }
        }
        if cmd.is_empty() {
            return stop("layerlab: RUN without a command", 1);
        }
        // A USER that cannot be found stops the build at this RUN with the daemon's sentence.
        if let Err(e) = ctr.ident() {
            self.store.pin(&ctr.chains);
            self.containers.push(ctr);
            return stop(e, 1);
        }
        let r = ctr.exec(&cmd);
        b.out.push_str(&r.out);
        if r.status != 0 {
            ctr.state = State::Exited(r.status);
            self.store.pin(&ctr.chains);
            self.containers.push(ctr);
            return stop(format!("The command '{}' returned a non-zero code: {}", cmd.join(" "), r.status), r.status);
        }
        ctr.state = State::Exited(0);
        self.commit_ctr_step(b, st, ctr)
    }

    /// `COPY` / `ADD`: sources from the context (or `--from` a stage or image), their hash in the
    /// step's Cmd (the cache key), written into a container that is never printed, exported as
    /// the step's layer with the sources' mtimes.
    fn copy_step(&mut self, b: &mut Build, st: &mut Stage, c: &CopyArgs, add: bool, x: &dyn Fn(&str) -> Result<String, Stop>) -> Result<(), Stop> {
        let what = if add { "ADD" } else { "COPY" };
        if c.chmod.is_some() {
            return stop("the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled", 1);
        }
        let dest_word = x(&c.dest)?;
        let chown = match &c.chown {
            Some(o) => Some(parse_chown(&x(o)?)?),
            None => None,
        };
        // Sources and their hashes.
        let mut groups: Vec<(String, Vec<Src>)> = Vec::new();
        for s in &c.srcs {
            let s = x(s)?;
            if add && (s.starts_with("http://") || s.starts_with("https://")) {
                return stop("layerlab: ADD of a URL is not simulated", 1);
            }
            match &c.from {
                None => groups.extend(context_sources(&b.ctx, &s).map_err(|e| Stop(format!("{what} failed: {e}"), 1))?),
                Some(from) => {
                    let image = self.from_image(b, from)?;
                    groups.extend(image_sources(self, image.as_deref(), &s).map_err(|e| Stop(format!("{what} failed: {e}"), 1))?);
                }
            }
        }
        let hashes: Vec<String> = groups.iter().map(|(h, _)| h.clone()).collect();
        let src_hash = if hashes.len() == 1 { hashes[0].clone() } else { multi_hash(&hashes) };
        let chown_comment = c.chown.as_ref().map(|o| format!("--chown={o}")).unwrap_or_default();
        let comment = format!("{what} {chown_comment}{src_hash} in {dest_word} ");
        let mut cc = st.run_config.clone();
        let mut cmd = shell_of(st);
        cmd.push(format!("#(nop) {comment}"));
        cc.insert("Cmd".into(), json!(cmd));
        cc.insert("Image".into(), json!(st.image.clone().unwrap_or_default()));
        container_labels(&mut cc);
        let cc = Value::Object(cc);
        if let Some(hit) = self.cache_hit(b, st.image.as_deref(), &cc) {
            b.out.push_str(" ---> Using cache\n");
            if let Some(s) = b.steps.last_mut() {
                s.cached = true;
            }
            st.image = Some(hit);
            return Ok(());
        }
        // Where they go: a dir when the destination ends in `/` or there are several sources.
        let wd = st.run_config.get("WorkingDir").and_then(Value::as_str).unwrap_or("").to_string();
        let dest_abs = if dest_word.starts_with('/') { dest_word.clone() } else { format!("{}/{dest_word}", if wd.is_empty() { "" } else { &wd }) };
        let dest_clean = format!("/{}", super::context::clean(&dest_abs));
        let n_items: usize = groups.iter().map(|(_, v)| v.len()).sum();
        let to_dir = dest_word.ends_with('/') || groups.len() > 1 || dest_word == "." || n_items == 0;
        let mut ctr = self.new_ctr_over(st.image.as_deref(), "copy");
        let (t, created) = self.names.stamp();
        let mut mtimes: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        let (ouid, ogid) = chown.unwrap_or((0, 0));
        for (_, items) in &groups {
            for it in items {
                // `it.rel` is relative to the source dir being copied ("" for the source itself).
                let target = if it.rel.is_empty() {
                    match it.node {
                        SrcNode::Dir => dest_clean.clone(),
                        _ if to_dir || is_dir(&ctr, dest_clean.as_bytes()) => join(&dest_clean, &it.base_name()),
                        _ => dest_clean.clone(),
                    }
                } else {
                    join(&dest_clean, &it.rel)
                };
                let (uid, gid) = if chown.is_some() { (ouid, ogid) } else { (it.uid, it.gid) };
                let parent = crate::path::split_rel(target.as_bytes()).0.to_vec();
                mkdir_p(&mut ctr, &parent, 0, 0);
                let tb = target.as_bytes().to_vec();
                match &it.node {
                    SrcNode::Dir => {
                        mkdir_p(&mut ctr, &tb, uid, gid);
                        if !it.rel.is_empty() || chown.is_some() {
                            ctr.fs.apply(&Op::Chmod { mode: it.mode, path: tb.clone() });
                            ctr.fs.apply(&Op::Chown { uid, gid, path: tb.clone() });
                        }
                        if !it.rel.is_empty() {
                            mtimes.insert(tb, it.mtime);
                        }
                    }
                    SrcNode::File(bytes) => {
                        if add && it.rel.is_empty() && is_archive(bytes)? {
                            extract_tar(&mut ctr, bytes, &dest_clean, &mut mtimes).map_err(|e| Stop(e, 1))?;
                            continue;
                        }
                        ctr.fs.apply(&Op::Write { path: tb.clone(), text: bytes.to_vec() });
                        ctr.fs.apply(&Op::Chmod { mode: it.mode, path: tb.clone() });
                        ctr.fs.apply(&Op::Chown { uid, gid, path: tb.clone() });
                        mtimes.insert(tb, it.mtime);
                    }
                    SrcNode::Symlink(target_link) => {
                        ctr.fs.apply(&Op::Symlink { target: target_link.clone(), path: tb.clone() });
                        mtimes.insert(tb, it.mtime);
                    }
                }
            }
        }
        let diff = ctr.fs.diff_entries().map_err(|e| Stop(e.to_string(), 1))?;
        let changes = build_steps::changes(&diff, ctr.fs.lower());
        let mut entries: Vec<crate::layer::TarEntry> = diff.iter().filter_map(|e| e.tar_entry(Some(t))).collect();
        for e in &mut entries {
            let abs = [b"/".as_slice(), &e.path].concat();
            if let Some(m) = mtimes.get(&abs) {
                e.mtime = *m;
            }
        }
        let config = step_config(st);
        let id = self
            .commit_image(&CommitImage {
                parent: st.image.as_deref(),
                chains: ctr.chains.clone(),
                entries: &entries,
                author: &st.maintainer,
                comment: "",
                container: "",
                container_config: &cc,
                config: &config,
                created: &created,
            })
            .map_err(|e| Stop(e, 1))?;
        self.step_commit(b, ctr.chains.len(), &id, changes);
        st.image = Some(id);
        Ok(())
    }

    /// BUILD steps: the commit of the current step made `id` over `below` layers: a layer
    /// joined the stack, or only a history row.
    fn step_commit(&self, b: &mut Build, below: usize, id: &str, changes: Vec<build_steps::Change>) {
        let stack = self.step_stack(Some(id));
        let Some(s) = b.steps.last_mut() else { return };
        s.changes = changes;
        if stack.len() > below {
            s.layer = stack.last().cloned();
        } else {
            s.empty_layer = true;
        }
    }

    /// BUILD steps: the current step ends with the stage's image.
    fn step_done(&self, b: &mut Build, st: &Stage) {
        let stack = self.step_stack(st.image.as_deref());
        if let Some(s) = b.steps.last_mut() {
            s.image = st.image.clone();
            s.stack = stack;
            s.done = true;
        }
    }

    /// An image's layers, bottom first, with their sizes.
    fn step_stack(&self, id: Option<&str>) -> Vec<build_steps::Layer> {
        let chains = id.and_then(|i| self.store.image(i)).map(|i| i.chains.clone()).unwrap_or_default();
        chains
            .iter()
            .filter_map(|c| self.store.layer(c))
            .map(|l| build_steps::Layer { diff_id: l.diff_id.clone(), size: l.size, size_text: crate::units::docker_size(l.size) })
            .collect()
    }

    /// `--from=NAME|INDEX|IMAGE`: a stage's image or an image (pulled when missing).
    fn from_image(&mut self, b: &mut Build, from: &str) -> Result<Option<String>, Stop> {
        let lower = from.to_ascii_lowercase();
        if let Some((_, id)) = b.stages.iter().find(|(n, _)| n.as_deref() == Some(lower.as_str())) {
            return Ok(id.clone());
        }
        if let Ok(i) = from.parse::<usize>() {
            return match b.stages.get(i) {
                Some((_, id)) => Ok(id.clone()),
                None => stop(format!("invalid from flag value {from}: refers to current build stage"), 1),
            };
        }
        self.image_for_build(b, from).map(Some)
    }
}

impl Src {
    fn base_name(&self) -> String {
        self.name.clone()
    }
}

/// The sources `pattern` names in the context, each with its hash: a file alone, or a directory
/// and everything below it (relative paths).
fn context_sources(ctx: &Context, pattern: &str) -> Result<Vec<(String, Vec<Src>)>, String> {
    let mut out = Vec::new();
    for path in ctx.resolve(pattern)? {
        let hash = ctx.source_hash(&path).ok_or_else(|| format!("file not found in build context or excluded by .dockerignore: stat {path}: file does not exist"))?;
        let mut items = Vec::new();
        let node_of = |e: &CtxEntry| match &e.kind {
            CtxKind::File(b) => SrcNode::File(b.clone()),
            CtxKind::Dir => SrcNode::Dir,
            CtxKind::Symlink(t) => SrcNode::Symlink(t.as_bytes().to_vec()),
        };
        match ctx.get(&path) {
            Some(e) if !matches!(e.kind, CtxKind::Dir) => {
                items.push(Src { rel: String::new(), name: base(&path), node: node_of(e), mode: e.mode, uid: 0, gid: 0, mtime: CONTEXT_MTIME });
            }
            _ => {
                items.push(Src { rel: String::new(), name: base(&path), node: SrcNode::Dir, mode: 0o755, uid: 0, gid: 0, mtime: CONTEXT_MTIME });
                let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
                for (p, e) in ctx.entries() {
                    if let Some(rel) = p.strip_prefix(&prefix) {
                        if !rel.is_empty() && (path.is_empty() || p.starts_with(&prefix)) {
                            items.push(Src { rel: rel.to_string(), name: base(rel), node: node_of(e), mode: e.mode, uid: 0, gid: 0, mtime: CONTEXT_MTIME });
                        }
                    }
                }
            }
        }
        out.push((hash, items));
    }
    Ok(out)
}

fn base(p: &str) -> String {
    p.rsplit('/').next().unwrap_or(p).to_string()
}

/// The sources `pattern` names in an image (`COPY --from`): hashed as the daemon hashes an
/// image's files (owner names `root`, paths relative to the image root).
fn image_sources(d: &Docker, image: Option<&str>, pattern: &str) -> Result<Vec<(String, Vec<Src>)>, String> {
    let img = image.and_then(|id| d.store.image(id));
    let chains = img.map(|i| i.chains.clone()).unwrap_or_default();
    let layers: Vec<Arc<Tree>> = chains.iter().filter_map(|c| d.store.layer(c)).map(|l| l.tree.clone()).collect();
    let stack = crate::union::Stack::new(layers);
    let fs = crate::container::Container::new(stack, crate::container::Config::Default);
    let want = super::context::clean(pattern);
    let mut found: Vec<(Vec<u8>, Src)> = Vec::new();
    for (path, node, _) in fs.merged_nodes() {
        let rel = String::from_utf8_lossy(path.strip_prefix(b"/").unwrap_or(&path)).to_string();
        if rel.is_empty() {
            continue;
        }
        let inside = rel == want || want.is_empty() || rel.starts_with(&format!("{want}/"));
        if !inside {
            continue;
        }
        let node_kind = match &node.kind {
            NodeKind::File(c) => SrcNode::File(c.read().map_err(|e| e.to_string())?.into()),
            NodeKind::Dir(_) => SrcNode::Dir,
            NodeKind::Symlink(t) => SrcNode::Symlink(t.to_vec()),
            _ => continue,
        };
        let sub = if rel == want { String::new() } else { rel[want.len() + usize::from(!want.is_empty())..].to_string() };
        found.push((path.clone(), Src { rel: sub, name: base(&rel), node: node_kind, mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime }));
    }
    if found.is_empty() {
        return Err(format!("file not found in build context or excluded by .dockerignore: stat {want}: file does not exist"));
    }
    let sum = |p: &[u8], s: &Src| {
        let name = String::from_utf8_lossy(p.strip_prefix(b"/").unwrap_or(p)).to_string();
        let e = CtxEntry {
            mode: s.mode,
            kind: match &s.node {
                SrcNode::File(b) => CtxKind::File(b.clone()),
                SrcNode::Dir => CtxKind::Dir,
                SrcNode::Symlink(t) => CtxKind::Symlink(String::from_utf8_lossy(t).to_string()),
            },
        };
        tarsum(&name, &e, s.uid, s.gid, "root")
    };
    let top_is_file = found.len() == 1 && found[0].1.rel.is_empty() && !matches!(found[0].1.node, SrcNode::Dir);
    let hash = if top_is_file {
        format!("file:{}", sum(&found[0].0, &found[0].1))
    } else {
        dir_sum(found.iter().map(|(p, s)| sum(p, s)).collect())
    };
    let items: Vec<Src> = found.into_iter().map(|(_, s)| s).collect();
    Ok(vec![(hash, items)])
}

/// Adds `keys` to the config's set-like map `field` (`ExposedPorts`, `Volumes`: key -> `{}`).
fn add_keys(rc: &mut Map<String, Value>, field: &str, keys: impl Iterator<Item = String>) {
    let mut map = rc.get(field).and_then(Value::as_object).cloned().unwrap_or_default();
    for k in keys {
        map.insert(k, json!({}));
    }
    rc.insert(field.into(), Value::Object(map));
}

/// The stage's VOLUME paths.
fn volumes(st: &Stage) -> Vec<String> {
    st.run_config.get("Volumes").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

fn shell_of(st: &Stage) -> Vec<String> {
    st.run_config
        .get("Shell")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()])
}

fn env_list(rc: &Map<String, Value>) -> Vec<String> {
    rc.get("Env").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default()
}

/// The stage's build args that have a value and that its Env does not set, sorted
/// (moby `BuildArgs.FilterAllowed`).
fn stage_args(st: &Stage) -> Vec<(String, String)> {
    let env = env_list(&st.run_config);
    let mut v: Vec<(String, String)> = st
        .args
        .iter()
        .filter_map(|(k, val)| val.clone().map(|v| (k.clone(), v)))
        .filter(|(k, _)| !env.iter().any(|e| e.split('=').next() == Some(k.as_str())))
        .collect();
    v.sort();
    v
}

/// The config a step's image gets: the stage's run config, `Image` the parent.
fn step_config(st: &Stage) -> Value {
    let mut c = st.run_config.clone();
    c.insert("Image".into(), json!(st.image.clone().unwrap_or_default()));
    c.insert("Hostname".into(), json!(""));
    Value::Object(c)
}

/// A step's `ContainerConfig`: `Labels` is `{}` rather than null (NOTES 44).
fn container_labels(cc: &mut Map<String, Value>) {
    if cc.get("Labels").is_none_or(Value::is_null) {
        cc.insert("Labels".into(), json!({}));
    }
}

fn strip_host(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("Hostname");
    }
    v
}

/// Go's `%q` of a string slice: `["cat" "/a"]`.
fn go_quoted(v: &[String]) -> String {
    let parts: Vec<String> = v.iter().map(|s| serde_json::to_string(s).unwrap_or_default()).collect();
    format!("[{}]", parts.join(" "))
}

fn short12(id: &str) -> String {
    let h = id.strip_prefix("sha256:").unwrap_or(id);
    h.get(..12).unwrap_or(h).to_string()
}

fn join(dir: &str, rel: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{rel}")
    } else {
        format!("{dir}/{rel}")
    }
}

fn is_dir(c: &Ctr, path: &[u8]) -> bool {
    matches!(c.fs.clone().apply(&Op::Stat { path: path.to_vec() }).reply, crate::container::Reply::Stat(s) if s.kind == crate::listing::TypeChar::Dir)
}

/// `mkdir -p` with new directories 0755 and owned by `uid:gid` (moby `MkdirAllAndChownNew`).
fn mkdir_p(c: &mut Ctr, path: &[u8], uid: u32, gid: u32) {
    let mut cur = Vec::new();
    for comp in path.split(|b| *b == b'/').filter(|s| !s.is_empty()) {
        cur.push(b'/');
        cur.extend_from_slice(comp);
        if !is_dir(c, &cur) {
            c.fs.apply(&Op::Mkdir { path: cur.clone() });
            c.fs.apply(&Op::Chmod { mode: 0o755, path: cur.clone() });
            if uid != 0 || gid != 0 {
                c.fs.apply(&Op::Chown { uid, gid, path: cur.clone() });
            }
        }
    }
}

/// `--chown=UID[:GID]` (numeric; names would need the image's /etc/passwd).
fn parse_chown(s: &str) -> Result<(u32, u32), Stop> {
    let (u, g) = s.split_once(':').unwrap_or((s, s));
    match (u.parse(), g.parse()) {
        (Ok(u), Ok(g)) => Ok((u, g)),
        _ => stop(format!("layerlab: COPY --chown={s} by name is not simulated (use numeric IDs)"), 1),
    }
}

/// Whether ADD extracts `bytes` (moby `archive.IsArchive`: a tar, plain or compressed). The
/// layer reader's compressions (gzip, zstd) are sniffed as it sniffs them; bzip2 and xz, which
/// Docker also extracts, are refused in one sentence rather than copied as a file.
fn is_archive(bytes: &[u8]) -> Result<bool, Stop> {
    use crate::layer::compression::{detect, Compression};
    if bytes.starts_with(b"BZh") || bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z']) {
        return stop("layerlab: ADD of a bzip2 or xz archive is not simulated (gzip, zstd and plain tars are)", 1);
    }
    Ok(detect(bytes) != Compression::None || bytes.get(257..262) == Some(b"ustar".as_slice()))
}

/// ADD of a local archive: its entries extracted under `dest`, mtimes kept.
fn extract_tar(c: &mut Ctr, bytes: &Arc<[u8]>, dest: &str, mtimes: &mut BTreeMap<Vec<u8>, i64>) -> Result<(), String> {
    let ar = crate::image::Archive::from_layers(vec![crate::source::MemSource::shared(bytes.to_vec())], "the ADDed archive");
    let img = ar.load(&crate::image::Selector::Index(0), &crate::image::LoadOptions { changes: false, ..Default::default() }, &mut |_| true).map_err(|e| e.to_string())?;
    let layer = img.layers.first().ok_or("the ADDed archive is empty")?;
    mkdir_p(c, dest.as_bytes(), 0, 0);
    for (p, ino) in layer.tree.walk() {
        let node = layer.tree.node(ino);
        let rel = String::from_utf8_lossy(p.strip_prefix(b"/").unwrap_or(&p)).to_string();
        if rel.is_empty() {
            continue;
        }
        let target = join(dest, &rel).into_bytes();
        match &node.kind {
            NodeKind::Dir(_) => mkdir_p(c, &target, node.uid, node.gid),
            NodeKind::File(content) => {
                let data = content.read().map_err(|e| e.to_string())?;
                c.fs.apply(&Op::Write { path: target.clone(), text: data });
            }
            NodeKind::Symlink(t) => {
                c.fs.apply(&Op::Symlink { target: t.to_vec(), path: target.clone() });
            }
            _ => continue,
        }
        if !matches!(node.kind, NodeKind::Symlink(_)) {
            c.fs.apply(&Op::Chmod { mode: node.mode, path: target.clone() });
            c.fs.apply(&Op::Chown { uid: node.uid, gid: node.gid, path: target.clone() });
        }
        mtimes.insert(target, node.mtime);
    }
    Ok(())
}
