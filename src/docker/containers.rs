//! The containers of the docker host: each a kernel-exact overlayfs container layer
//! ([`crate::container::Container`], overlay2's native diff) over its image's layers and its
//! own `-init` layer, with the state `docker ps` shows.
//!
//! Truth: the oracle's `containers-isolation`, `container-rm`, `whiteouts`, `copyup-*`,
//! `mv-dir-exdev`, `rmi-shared-layers` transcripts and NOTES 12-19, 26. Sources followed:
//! moby `daemon/initlayer/setup_unix.go` (the init layer: `/dev/pts`, `/dev/shm`, `/proc`,
//! `/sys` dirs, `/.dockerenv`, `/etc/resolv.conf`, `/etc/hosts`, `/etc/hostname`,
//! `/dev/console` files 0755, `/etc/mtab -> /proc/mounts`, each only where the image lacks
//! it), `daemon/list.go` (COMMAND: path and args, an arg with a space in `'…'`; IMAGE: the name
//! typed at create while it still names the image, else the short image ID), docker/cli
//! `cli/command/formatter/container.go` (COMMAND cut to 20 runes then Go-quoted, STATUS).
//!
//! Rules:
//! - A container keeps its `container.Config` (the image's with what `docker run` set): a commit
//!   records it, and its processes run in its `WorkingDir` with its `Env` (`$NAME` expanded).
//! - IDs are the oracle's placeholders: `<cid:NAME>` (64 hex) and `<cid12:NAME>` (12 hex); the
//!   hostname (`/etc/hostname`, which Docker bind-mounts) holds `<cid12:NAME>`.
//! - The init layer is a lower layer: `docker diff` (the container layer against the init
//!   layer) never lists it, and `docker ps -s` SIZE counts the container layer only.
//! - Inside, the shell speaks busybox when the image has `/bin/busybox` (the oracle's images),
//!   coreutils otherwise ([`crate::container::shell::Flavor`]). The clock is fixed: a
//!   detached `sleep` keeps the container `Up`, everything else has finished when `docker run`
//!   returns.

use crate::container::shell::{self, Flavor};
use crate::container::{Config as Mount, Container};
use crate::layer::Content;
use crate::tree::{Kind, Node, Tree};
use crate::union::Stack;
use std::sync::Arc;

/// Where a container is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Created,
    Running,
    Exited(i32),
}

/// One container of the host.
#[derive(Debug, Clone)]
pub struct Ctr {
    pub name: String,
    pub image_id: String,
    /// The image as typed at `docker run`/`create` (`Config.Image`).
    pub image_ref: String,
    /// ChainIDs of the image's layers, bottom first (held until `docker rm`).
    pub chains: Vec<String>,
    /// Path and args (the image's Cmd when none was given).
    pub cmd: Vec<String>,
    pub state: State,
    pub fs: Container,
    /// Creation order (`docker ps` lists newest first).
    pub seq: u64,
    /// The container's `container.Config` as the daemon keeps it (the image's config with what
    /// `docker run` set: Hostname, Attach*, Cmd, Image as typed, Labels `{}`); a commit records
    /// it as `ContainerConfig` and starts the new `Config` from it.
    pub config: serde_json::Value,
    /// The shell every command starts in: the config's `Env`, `WorkingDir` and `User`
    /// ([`Ctr::set_config`]); each `exec` starts from it afresh.
    pub shell: shell::ShellEnv,
    /// A `docker build` step's intermediate container: its 64-hex ID (printed as `<build:K>`).
    pub build: Option<String>,
    /// A build step's moment (`Names::stamp`): its container's clock, and its commit's time.
    pub stamp: Option<(i64, String)>,
    /// `HostConfig.NetworkMode` (`--network`, else `default`).
    pub network: String,
    /// `HostConfig.AutoRemove` (`--rm`).
    pub auto_remove: bool,
    /// A start that failed: its exit code and the daemon's error (`State.ExitCode`, `State.Error`
    /// of a container left `created`).
    pub start_error: Option<(i32, String)>,
}

/// The `-init` layer moby's `initlayer.Setup` makes over `image` (bottom first) for a
/// container whose short ID prints as `hostname`, every entry stamped with the host's clock (a
/// step that copies `/etc` up ships it with that mtime, as Docker's layers show).
pub fn init_layer(image: &Stack, hostname: &str) -> Tree {
    let mut t = Tree::new();
    let exists = |p: &[u8]| {
        let (parent, name) = crate::path::split(p);
        image.dir_stack(parent).and_then(|ds| image.lookup_child(&ds, name)).is_some()
    };
    let file = |data: &[u8]| Node::new(Kind::File(Content::Bytes(Arc::from(data))), 0o755, 0, 0);
    let hostname_file = format!("{hostname}\n");
    let items: Vec<(&str, Node)> = vec![
        ("/dev/pts", Node::dir(0o755, 0, 0)),
        ("/dev/shm", Node::dir(0o755, 0, 0)),
        ("/proc", Node::dir(0o755, 0, 0)),
        ("/sys", Node::dir(0o755, 0, 0)),
        ("/.dockerenv", file(b"")),
        ("/etc/resolv.conf", file(b"")),
        ("/etc/hosts", file(b"")),
        ("/etc/hostname", file(hostname_file.as_bytes())),
        ("/dev/console", file(b"")),
        ("/etc/mtab", Node::new(Kind::Symlink(Box::from(&b"/proc/mounts"[..])), 0o777, 0, 0)),
    ];
    for (path, node) in items {
        if exists(path.as_bytes()) {
            continue;
        }
        t.insert_path(path.as_bytes(), node);
    }
    // moby makes them all (parents too) when the container is created: their mtimes are now
    for ino in t.inodes() {
        t.node_mut(ino).mtime = super::names::NOW;
    }
    t
}

/// The userland of an image: busybox if it has `/bin/busybox`.
pub fn flavor(image: &Stack) -> Flavor {
    let busybox = image.dir_stack(b"/bin").and_then(|ds| image.lookup_child(&ds, b"busybox")).is_some();
    if busybox {
        Flavor::Busybox
    } else {
        Flavor::Coreutils
    }
}

/// Who a container's processes run as ([`Ctr::ident`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    pub home: String,
}

/// What a command run in a container printed and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exec {
    pub out: String,
    pub status: i32,
}

impl Ctr {
    /// A created container over `layers` (bottom first): the image's, then its init layer.
    pub fn new(name: &str, image_id: &str, image_ref: &str, chains: Vec<String>, layers: Vec<Arc<Tree>>, cmd: Vec<String>, seq: u64) -> Ctr {
        let image = Stack::new(layers.clone());
        let init = init_layer(&image, &Ctr::short_id_of(name));
        let mut all = layers;
        all.push(Arc::new(init));
        Ctr {
            name: name.into(),
            image_id: image_id.into(),
            image_ref: image_ref.into(),
            chains,
            cmd,
            state: State::Created,
            fs: {
                let mut fs = Container::new(Stack::new(all), Mount::Default);
                fs.set_clock(super::names::NOW);
                fs
            },
            seq,
            config: serde_json::Value::Null,
            shell: shell::ShellEnv::default(),
            build: None,
            stamp: None,
            network: "default".into(),
            auto_remove: false,
            start_error: None,
        }
    }

    /// The container's processes start with the image config's `Env`, `WorkingDir` and a
    /// numeric `User` (`UID[:GID]`).
    pub fn with_config(mut self, rc: &crate::image::config::RunConfig) -> Ctr {
        self.shell = shell::ShellEnv::from_config(&rc.env, rc.working_dir.as_deref(), rc.user.as_deref());
        self
    }

    /// Sets the container's `container.Config` and the shell its processes start in (its
    /// `Env`, `WorkingDir`, `User`: what `docker run -e/-w/-u` set included).
    pub fn set_config(&mut self, config: serde_json::Value) {
        let s = |k: &str| config.get(k).and_then(serde_json::Value::as_str).map(str::to_string);
        let env: Vec<String> = config.get("Env").and_then(serde_json::Value::as_array).into_iter().flatten().filter_map(serde_json::Value::as_str).map(str::to_string).collect();
        self.shell = shell::ShellEnv::from_config(&env, s("WorkingDir").as_deref(), s("User").as_deref());
        self.config = config;
    }
    /// Whether runc would find `cmd`: a path that exists, or a name in one of `$PATH`'s
    /// directories (the image's PATH, else the default).
    pub fn finds(&self, cmd: &str) -> bool {
        let exists = |p: &str| !matches!(self.fs.clone().apply(&crate::container::Op::Stat { path: p.as_bytes().to_vec() }).reply, crate::container::Reply::Err(_));
        if cmd.contains('/') {
            return exists(cmd);
        }
        let path = self.shell.vars.get("PATH").cloned().unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
        !cmd.is_empty() && path.split(':').filter(|d| !d.is_empty()).any(|d| exists(&format!("{}/{cmd}", d.trim_end_matches('/'))))
    }

    pub fn short_id_of(name: &str) -> String {
        format!("<cid12:{name}>")
    }
    /// The full ID as the oracle prints it.
    pub fn id(&self) -> String {
        match &self.build {
            Some(hex) => hex.clone(),
            None => format!("<cid:{}>", self.name),
        }
    }
    pub fn short_id(&self) -> String {
        match &self.build {
            Some(hex) => hex[..12.min(hex.len())].to_string(),
            None => Ctr::short_id_of(&self.name),
        }
    }
    pub fn running(&self) -> bool {
        self.state == State::Running
    }

    /// The image's userland (the init layer is left out: it holds no programs).
    pub fn flavor(&self) -> Flavor {
        flavor(self.fs.lower())
    }

    /// `daemon/list.go` Command: path, then args with a space in `'…'`.
    pub fn command(&self) -> String {
        let mut parts = Vec::new();
        for (i, a) in self.cmd.iter().enumerate() {
            if i > 0 && a.contains(' ') {
                parts.push(format!("'{a}'"));
            } else {
                parts.push(a.clone());
            }
        }
        parts.join(" ")
    }

    /// STATUS as the oracle normalizes it.
    pub fn status(&self) -> String {
        match self.state {
            State::Created => "Created".into(),
            State::Running => "Up <dur>".into(),
            State::Exited(n) => format!("Exited ({n}) <dur> ago"),
        }
    }

    /// The identity runc gives the container's processes for its `Config.User`
    /// (`USER[:GROUP]`), looked up in the container's `/etc/passwd` and `/etc/group` when it
    /// starts, as libcontainer's `user.GetExecUser` does: a name must have a passwd entry; a
    /// number need not (then gid 0, HOME `/`); a matched name brings its gid, HOME and, when no
    /// group is given, the groups that list it as a member; an explicit group (name or number)
    /// replaces the gid and brings no supplementary groups. Errors are Docker's sentences
    /// (recorded in `tests/docker-scenarios/build-user`).
    pub fn ident(&self) -> Result<Ident, String> {
        let spec = self.config.get("User").and_then(serde_json::Value::as_str).unwrap_or("");
        let (user, group) = spec.split_once(':').unwrap_or((spec, ""));
        let read = |p: &str| match self.fs.clone().apply(&crate::container::Op::Read { path: p.as_bytes().to_vec() }).reply {
            crate::container::Reply::Read(b) => String::from_utf8_lossy(&b).into_owned(),
            _ => String::new(),
        };
        let passwd = read("/etc/passwd");
        let groups_db = read("/etc/group");
        let rows = |db: &str| -> Vec<Vec<String>> { db.lines().filter(|l| !l.trim().is_empty()).map(|l| l.split(':').map(str::to_string).collect()).collect() };
        let num = |s: &str| s.parse::<u32>().ok();
        let mut id = Ident { uid: 0, gid: 0, groups: Vec::new(), home: "/".into() };
        let mut matched = None;
        let entry = rows(&passwd).into_iter().find(|f| {
            f.len() >= 6
                && match (user.is_empty(), num(user)) {
                    (true, _) => num(&f[2]) == Some(0),
                    (false, Some(n)) => num(&f[2]) == Some(n),
                    (false, None) => f[0] == user,
                }
        });
        match entry {
            Some(f) => {
                id.uid = num(&f[2]).unwrap_or(0);
                id.gid = num(&f[3]).unwrap_or(0);
                id.home = f[5].clone();
                matched = Some(f[0].clone());
            }
            None if !user.is_empty() => match num(user) {
                Some(n) => id.uid = n,
                None => return Err(format!("unable to find user {user}: no matching entries in passwd file")),
            },
            None => {}
        }
        if !group.is_empty() {
            let g = rows(&groups_db).into_iter().find(|f| {
                f.len() >= 3
                    && match num(group) {
                        Some(n) => num(&f[2]) == Some(n),
                        None => f[0] == group,
                    }
            });
            id.gid = match (g, num(group)) {
                (Some(f), _) => num(&f[2]).unwrap_or(0),
                (None, Some(n)) => n,
                (None, None) => return Err(format!("unable to find group {group}: no matching entries in group file")),
            };
        } else if let Some(name) = matched {
            id.groups = rows(&groups_db).into_iter().filter(|f| f.len() >= 4 && f[3].split(',').any(|m| m == name)).filter_map(|f| num(&f[2])).collect();
        }
        Ok(id)
    }

    /// Runs `argv` in the container: `sh -c SCRIPT [ARG0 ARGS...]` through the shell
    /// ([`shell::run_script_in`]) in the container's environment, working directory and user;
    /// any other command as the shell would run it typed with its words quoted.
    pub fn exec(&mut self, argv: &[String]) -> Exec {
        let fl = self.flavor();
        let mut env = self.shell.clone();
        // runc sets the user and, when the environment has none, HOME (callers check
        // [`Ctr::ident`] first: a user that cannot be found never starts).
        if let Some(id) = self.config.get("User").and_then(|_| self.ident().ok()) {
            env.uid = id.uid;
            env.gid = id.gid;
            env.groups = id.groups;
            env.vars.entry("HOME".into()).or_insert(id.home);
        }
        let is_sh = |s: &String| s == "sh" || s == "/bin/sh";
        // `sh [-e|-x|...] -c SCRIPT [ARG0 ARGS...]`: options before `-c` go in front of the
        // script as a `set` (a SHELL ["/bin/sh", "-e", "-c"] build step).
        let c_at = argv.iter().position(|a| a == "-c").filter(|&i| i >= 1 && is_sh(&argv[0]) && argv[1..i].iter().all(|o| o.starts_with('-') && o.len() > 1));
        let run = match (c_at, argv) {
            (Some(i), _) if argv.len() > i + 1 => {
                let rest = &argv[i + 2..];
                env.name = rest.first().unwrap_or(&argv[0]).clone();
                env.args = rest.iter().skip(1).cloned().collect();
                let opts: Vec<&str> = argv[1..i].iter().map(String::as_str).collect();
                let script = if opts.is_empty() { argv[i + 1].clone() } else { format!("set {}\n{}", opts.join(" "), argv[i + 1]) };
                shell::run_script_in(&mut self.fs, &script, &mut env, fl)
            }
            (_, [sh]) if is_sh(sh) => shell::Run::default(),
            _ => {
                let line: Vec<String> = argv.iter().map(|a| shell::sh_quote(a.as_bytes())).collect();
                shell::run_script_in(&mut self.fs, &line.join(" "), &mut env, fl)
            }
        };
        let mut out = run.output.join("\n");
        if !run.output.is_empty() && !run.open_line {
            out.push('\n');
        }
        Exec { out, status: run.status }
    }

    /// `docker diff` as the oracle recorded it: [`Container::docker_diff`] (Docker's rule,
    /// NOTES 13-15, lives there).
    pub fn diff(&self) -> Vec<String> {
        self.fs.docker_diff().iter().map(|c| c.to_string()).collect()
    }

    /// Whether `argv` keeps running (the clock never moves): a `sleep` last.
    pub fn keeps_running(argv: &[String]) -> bool {
        match argv {
            [sh, c, script, ..] if (sh == "sh" || sh == "/bin/sh") && c == "-c" => {
                shell::split_list(script).last().is_some_and(|(_, l)| l.trim_start().starts_with("sleep"))
            }
            [first, ..] => first == "sleep",
            [] => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::ROOT;

    fn image() -> Vec<Arc<Tree>> {
        let mut t = Tree::new();
        let bin = t.insert(ROOT, b"bin", Node::dir(0o755, 0, 0));
        t.insert(bin, b"busybox", Node::new(Kind::File(Content::Bytes(Arc::from(&b"ELF"[..]))), 0o755, 0, 0));
        let etc = t.insert(ROOT, b"etc", Node::dir(0o755, 0, 0));
        t.insert(etc, b"hosts", Node::new(Kind::File(Content::Bytes(Arc::from(&b"img\n"[..]))), 0o644, 0, 0));
        let data = t.insert(ROOT, b"data", Node::dir(0o755, 0, 0));
        t.insert(data, b"small.txt", Node::new(Kind::File(Content::Bytes(Arc::from(&b"small file\n"[..]))), 0o644, 0, 0));
        t.insert_path(b"/srv/sub/keep", Node::new(Kind::File(Content::Bytes(Arc::from(&b"k"[..]))), 0o644, 0, 0));
        vec![Arc::new(t)]
    }

    fn ctr(name: &str) -> Ctr {
        Ctr::new(name, "sha256:x", "img", vec![], image(), vec!["sh".into()], 0)
    }

    fn sh(c: &mut Ctr, script: &str) -> Exec {
        c.exec(&["sh".into(), "-c".into(), script.into()])
    }

    #[test]
    fn init_layer_has_moby_entries_where_the_image_lacks_them() {
        let init = init_layer(&Stack::new(image()), "<cid12:c1>");
        let listing = init.listing(false).unwrap().join("\n");
        for p in ["/.dockerenv", "/dev/console", "/dev/pts", "/dev/shm", "/proc", "/sys", "/etc/hostname", "/etc/resolv.conf", "/etc/mtab"] {
            assert!(listing.contains(p), "{p} missing in\n{listing}");
        }
        // The image has /etc/hosts: the init layer leaves it alone.
        assert!(init.lookup(b"/etc/hosts").is_none());
        let mut c = ctr("c1");
        assert_eq!(sh(&mut c, "cat /etc/hostname").out, "<cid12:c1>\n");
        // docker diff never lists the init layer.
        assert!(c.diff().is_empty());
    }

    #[test]
    fn writes_in_one_container_never_show_in_another() {
        let (mut a, mut b) = (ctr("c1"), ctr("c2"));
        let r = sh(&mut a, "echo from-c1 > /data/small.txt; echo c1 > /data/only-c1.txt; cat /data/small.txt");
        assert_eq!(r.out, "from-c1\n");
        let r = sh(&mut b, "cat /data/small.txt; cat /data/only-c1.txt");
        assert_eq!(r.out, "small file\ncat: can't open '/data/only-c1.txt': No such file or directory\n");
        assert_eq!(r.status, 1);
        assert_eq!(a.diff(), ["C /data", "A /data/only-c1.txt", "C /data/small.txt"]);
        assert!(b.diff().is_empty());
    }

    #[test]
    fn diff_drops_an_emptied_copy_up_and_lists_what_an_opaque_dir_hides() {
        let mut c = ctr("c1");
        sh(&mut c, "echo tmp > /data/tmp.txt; rm /data/tmp.txt");
        assert!(c.diff().is_empty());
        let mut c = ctr("c2");
        sh(&mut c, "rm -r /data; mkdir /data");
        assert_eq!(c.diff(), ["C /data", "D /data/small.txt"]);
        // Nested: /data and /data/sub copied up for a file made and deleted, nothing changed.
        let mut c = ctr("c3");
        sh(&mut c, "echo x > /srv/sub/x; rm /srv/sub/x");
        assert!(c.diff().is_empty(), "{:?}", c.diff());
        sh(&mut c, "echo x > /srv/sub/x");
        assert_eq!(c.diff(), ["C /srv", "C /srv/sub", "A /srv/sub/x"]);
        // A directory's own mode or owner change is listed; so is a new empty directory.
        let mut c = ctr("c4");
        sh(&mut c, "chmod 700 /data; mkdir /new");
        assert_eq!(c.diff(), ["C /data", "A /new"]);
    }

    /// build-metadata's `docker run meta:1 '…'`: ENTRYPOINT `sh -c`, the image's Env,
    /// WorkingDir and User, relative paths against the working directory.
    #[test]
    fn exec_runs_in_the_image_configs_env_workdir_and_user() {
        let rc = crate::image::config::RunConfig {
            env: vec!["PATH=/bin".into(), "APP_HOME=/srv/app".into(), "APP_MODE=production".into()],
            working_dir: Some("/data".into()),
            user: Some("1000".into()),
            ..Default::default()
        };
        let mut c = ctr("c1").with_config(&rc);
        let r = sh(&mut c, "echo uid $(id -u) in $(pwd), mode $APP_MODE; cat small.txt nope.txt 2>&1; echo $APP_HOME");
        assert_eq!(r.out, "uid 1000 in /data, mode production\nsmall file\ncat: can't open 'nope.txt': No such file or directory\n/srv/app\n");
        assert_eq!(r.status, 0);
        // Each exec starts afresh: a variable or cd of one is gone in the next.
        assert_eq!(sh(&mut c, "A=1; cd /; echo $A").out, "1\n");
        assert_eq!(sh(&mut c, "echo A=$A; pwd").out, "A=\n/data\n");
        let r = c.exec(&["/bin/sh".into(), "-c".into(), "[\"echo\", \"hello\"".into()]);
        assert_eq!((r.out.as_str(), r.status), ("/bin/sh: [echo,: not found\n", 127));
    }

    #[test]
    fn command_and_status_as_ps_shows_them() {
        let mut c = ctr("c3");
        c.cmd = vec!["sh".into(), "-c".into(), "sleep 3600".into()];
        assert_eq!(c.command(), "sh -c 'sleep 3600'");
        assert!(Ctr::keeps_running(&c.cmd));
        assert_eq!(c.status(), "Created");
        c.state = State::Exited(1);
        assert_eq!(c.status(), "Exited (1) <dur> ago");
    }
}
