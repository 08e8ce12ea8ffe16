//! Runs a parsed `sh` script over a [`Container`]: POSIX XCU "Shell Command Language" §2.5
//! (parameters), §2.6 (word expansions), §2.7 (redirection), §2.8 (exit status), §2.9
//! (commands), §2.14 (special built-ins), worded as busybox 1.35 ash words its errors.
//!
//! Rules:
//! - The shell state a caller keeps between scripts is a [`ShellEnv`]: variables (all
//!   exported: the image's `Config.Env`), working directory, uid/gid, `$?`. Subshells
//!   (`( … )`, each stage of a multi-command pipeline, `$(…)`) work on a copy of it.
//! - Every file change goes through the container's ops (the applets of [`super`]), so copy-up
//!   and whiteouts stay kernel-exact and the events are kept in order. A `> FILE` redirection
//!   is checked before the command runs (on a copy of the container: no events) and written
//!   once with everything the command printed when it ends (`>>`: appended).
//! - stdout and stderr go to the terminal lines in the order printed, except that an applet's
//!   stdout is block-buffered (a pipe: stderr first, see [`STDIO_BUFSIZ`]); `>`, `>>`, `<`, `N>&M`,
//!   `N>/dev/null`, pipes (stage by stage: the bytes one stage printed are the next one's
//!   stdin) and `$(…)` (trailing newlines cut) route them.
//! - Expansion: parameters (`${X:-w}` and friends), command substitution, field splitting
//!   of unquoted results on `$IFS`, then pathname expansion of unquoted `*`, `?`, `[…]`
//!   against the container (sorted; a pattern that matches nothing stays as typed). No tilde
//!   expansion, no arithmetic.
//! - Bounded: at most [`MAX_STEPS`] commands and loop turns and [`MAX_BYTES`] bytes moved per
//!   script, then it stops with one sentence and status 124 (a real shell would run on).
//! - Builtins: `:`, `true`, `false`, `exit`, `cd`, `pwd`, `export`, `unset`, `read [-r]`, `set
//!   [-e|+e|-u|-x|-- ARGS]`, `shift`, `break`, `continue`, `id [-u|-g|-n]`, `sh -c`, `eval`,
//!   `env`; the rest are [`super`]'s and [`super::applets`]'s applets.

use super::parse::{self, Command, Compound, List, ParamOp, Part, Pipeline, Redir, RedirOp, Simple, Word};
use super::pattern::glob;
use super::{abs_in, applets, strerror, Flavor, Run, Sh, CAT_LIMIT};
use crate::container::{Container, Event, Op, Reply};
use std::collections::BTreeMap;

/// A byte of an expanded word: quoted, unquoted text, or from an unquoted expansion.
const QUOTED: u8 = 0;
const LITERAL: u8 = 1;
const EXPANDED: u8 = 2;
/// Between two fields of `"$@"` (a space where the word is taken whole).
const BREAK: u8 = 3;

/// glibc's stdio buffer for a pipe (`st_blksize`, one page): an applet's stdout goes out in
/// blocks of this size.
const STDIO_BUFSIZ: usize = 4096;

/// The most commands (and loop turns) one script runs.
pub const MAX_STEPS: u64 = 100_000;
/// The most bytes one script's commands print (to the terminal, files and pipes together).
pub const MAX_BYTES: u64 = 256 << 20;
/// The most bytes of terminal output one script keeps (the rest is dropped, said once).
pub const MAX_TERM: usize = 1 << 20;
/// How deep lists may nest at run time (each script, `eval` and `sh -c` adds its own).
pub const MAX_NEST: usize = 128;
/// The longest value `${X#p}` and friends trim.
const TRIM_MAX: usize = 4096;
/// The longest word an expansion may make.
pub const MAX_WORD: usize = 16 << 20;

/// The state of a shell that outlives one script: what `docker run` starts `sh -c` with (the
/// image's `Env`, `WorkingDir`, `User`) and what a `RUN` line leaves for nothing (each `RUN` is
/// a new shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellEnv {
    pub vars: BTreeMap<String, String>,
    /// The working directory, `/`-rooted.
    pub cwd: Vec<u8>,
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups (`id` prints them with `gid`, sorted).
    pub groups: Vec<u32>,
    /// `$?`
    pub status: i32,
    /// `$0`: how the shell was called (`sh`, `/bin/sh`); it prefixes the shell's messages.
    pub name: String,
    /// `$1`…
    pub args: Vec<String>,
}

impl Default for ShellEnv {
    fn default() -> Self {
        ShellEnv { vars: BTreeMap::new(), cwd: b"/".to_vec(), uid: 0, gid: 0, groups: Vec::new(), status: 0, name: "sh".into(), args: Vec::new() }
    }
}

impl ShellEnv {
    /// The shell of a container made from an image config: `Env` (`K=V` entries), `WorkingDir`
    /// (empty: `/`) and a numeric `User` (`UID[:GID]`; a name is left as root).
    pub fn from_config(env: &[String], working_dir: Option<&str>, user: Option<&str>) -> ShellEnv {
        let mut e = ShellEnv::default();
        for kv in env {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            e.vars.insert(k.to_string(), v.to_string());
        }
        if let Some(w) = working_dir.filter(|w| !w.is_empty()) {
            e.cwd = abs_in(b"/", w.as_bytes());
        }
        if let Some(u) = user.filter(|u| !u.is_empty()) {
            let (uid, gid) = u.split_once(':').unwrap_or((u, "0"));
            e.uid = uid.parse().unwrap_or(0);
            e.gid = gid.parse().unwrap_or(0);
        }
        e
    }
}

/// Runs `script` as `sh -c` does, in `env` (updated: variables, cwd, `$?`).
pub fn run_script_in(c: &mut Container, script: &str, env: &mut ShellEnv, flavor: Flavor) -> Run {
    // The script's changes are made as its user (the kernel's permission checks apply).
    let cred = crate::container::Cred { uid: env.uid, gid: env.gid, groups: env.groups.clone() };
    let before = c.set_cred(Some(cred));
    let run = run_script_as(c, script, env, flavor);
    c.set_cred(before);
    run
}

fn run_script_as(c: &mut Container, script: &str, env: &mut ShellEnv, flavor: Flavor) -> Run {
    let mut it = Interp { c, flavor, env, run: Run::default(), bufs: Vec::new(), inputs: Vec::new(), steps: 0, bytes: 0, depth: 0, cond: 0, errexit: false, sub_status: None, term_bytes: 0, term_cut: false };
    let list = match parse::parse(script) {
        Ok(l) => l,
        Err(e) => {
            let msg = format!("{}: {e}\n", it.env.name);
            it.term(msg.as_bytes());
            it.env.status = 2;
            it.run.status = 2;
            return it.run;
        }
    };
    let io = Io { out: Target::Term, err: Target::TermErr, stdin: None };
    let status = match it.list(&list, &io) {
        Ok(s) | Err(Flow::Exit(s)) => s,
        Err(Flow::Break(_) | Flow::Continue(_)) => 0,
        Err(Flow::Abort(s)) => s,
    };
    it.env.status = status;
    it.run.status = status;
    it.run
}

/// Where a file descriptor writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The container's stdout (a pipe to Docker: what `docker run` prints).
    Term,
    /// The container's stderr: another pipe to the same terminal.
    TermErr,
    Null,
    /// A capture buffer (a pipe, `$(…)`, a file being written).
    Buf(usize),
}

#[derive(Debug, Clone, Copy)]
struct Io {
    out: Target,
    err: Target,
    /// An input in [`Interp::inputs`]; None: the terminal, which has nothing to read.
    stdin: Option<usize>,
}

impl Io {
    fn fd(&self, fd: u8) -> Target {
        if fd == 2 {
            self.err
        } else {
            self.out
        }
    }
}

/// How a command ends other than by finishing.
enum Flow {
    Exit(i32),
    Break(u32),
    Continue(u32),
    /// A limit was hit: stop everything with this status.
    Abort(i32),
}

type R = Result<i32, Flow>;

/// A `> FILE` waiting for its command to end.
struct Pending {
    buf: usize,
    path: Vec<u8>,
    shown: Vec<u8>,
    append: bool,
}

struct Interp<'a> {
    c: &'a mut Container,
    flavor: Flavor,
    env: &'a mut ShellEnv,
    run: Run,
    bufs: Vec<Vec<u8>>,
    /// Inputs and how far they have been read.
    inputs: Vec<(Vec<u8>, usize)>,
    steps: u64,
    bytes: u64,
    depth: usize,
    /// > 0 while running an `if`/`while` condition or a `&&`/`||` left side (`set -e` waits).
    cond: u32,
    errexit: bool,
    /// The status of the last `$(…)` of the command being expanded.
    sub_status: Option<i32>,
    /// Terminal bytes kept so far, and whether the rest is being dropped.
    term_bytes: usize,
    term_cut: bool,
}

const BUILTINS: &[&str] = &[
    ":", "true", "false", "exit", "cd", "pwd", "export", "unset", "read", "set", "shift", "break", "continue", "id", "sh", "eval", "env",
    "printenv", "readonly", "local", "umask", "exec", "command", "type", "wait", "trap", "hash",
];

impl Interp<'_> {
    fn step(&mut self) -> Result<(), Flow> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            let msg = format!("{}: stopped after {MAX_STEPS} commands (layerlab runs no more per script)\n", self.env.name);
            self.notice(msg);
            return Err(Flow::Abort(124));
        }
        Ok(())
    }

    /// A line of the shell's own on the terminal, even past [`MAX_TERM`].
    fn notice(&mut self, msg: String) {
        self.run.output.push(msg.trim_end().to_string());
        self.run.open_line = false;
    }

    /// Prints bytes on the terminal (lines into [`Run::output`]; a long chunk is cut as `cat`'s).
    fn term(&mut self, b: &[u8]) {
        if b.is_empty() || self.term_cut {
            return;
        }
        self.term_bytes += b.len().min(CAT_LIMIT);
        if self.term_bytes > MAX_TERM {
            self.term_cut = true;
            self.run.output.push(format!("… (output past {MAX_TERM} bytes not shown)"));
            self.run.open_line = false;
            return;
        }
        let extra = b.len().saturating_sub(CAT_LIMIT);
        let text = String::from_utf8_lossy(&b[..b.len() - extra]).into_owned();
        let mut pieces = text.split('\n');
        let first = pieces.next().unwrap_or("");
        match self.run.output.last_mut() {
            Some(last) if self.run.open_line => last.push_str(first),
            _ => self.run.output.push(first.to_string()),
        }
        self.run.output.extend(pieces.map(str::to_string));
        if text.ends_with('\n') {
            self.run.output.pop();
            self.run.open_line = false;
        } else {
            self.run.open_line = true;
        }
        if extra > 0 {
            self.run.output.push(format!("… ({extra} more bytes not shown)"));
            self.run.open_line = false;
        }
    }

    fn emit(&mut self, t: Target, b: &[u8]) -> Result<(), Flow> {
        self.bytes += b.len() as u64;
        if self.bytes > MAX_BYTES {
            let msg = format!("{}: stopped after printing {MAX_BYTES} bytes (layerlab moves no more per script)\n", self.env.name);
            self.notice(msg);
            return Err(Flow::Abort(124));
        }
        match t {
            Target::Term | Target::TermErr => self.term(b),
            Target::Null => {}
            Target::Buf(i) => self.bufs[i].extend_from_slice(b),
        }
        Ok(())
    }
    fn say(&mut self, io: &Io, fd: u8, s: &str) -> Result<(), Flow> {
        let mut b = s.as_bytes().to_vec();
        b.push(b'\n');
        self.emit(io.fd(fd), &b)
    }

    fn new_buf(&mut self) -> usize {
        self.bufs.push(Vec::new());
        self.bufs.len() - 1
    }
    fn take_buf(&mut self, i: usize) -> Vec<u8> {
        std::mem::take(&mut self.bufs[i])
    }
    fn new_input(&mut self, data: Vec<u8>) -> usize {
        self.inputs.push((data, 0));
        self.inputs.len() - 1
    }

    /// Keeps what an applet's ops did.
    fn merge(&mut self, r: &mut Run) {
        self.run.events.append(&mut r.events);
        self.run.bytes_copied += r.bytes_copied;
        self.run.changed |= r.changed;
    }

    /// Runs one op for real (events kept).
    fn op(&mut self, op: Op) -> Result<Reply, crate::container::Errno> {
        let mut sh = Sh::new(self.c, self.flavor);
        let r = sh.op(op);
        let mut run = std::mem::take(&mut sh.run);
        self.merge(&mut run);
        r
    }
    fn probe(&mut self, op: Op) -> Result<Reply, crate::container::Errno> {
        Sh::new(self.c, self.flavor).probe(op)
    }

    /// Runs a list, counting how deep lists nest at run time (scripts calling scripts,
    /// `eval`, `sh -c` inside each other): past [`MAX_NEST`] everything stops.
    /// One turn of a loop body: `Some(status)` goes on (`continue` keeps `st`), `None` leaves
    /// the loop (`break`); a `break N`/`continue N` for an outer loop goes up one level.
    fn loop_turn(&mut self, body: &List, io: &Io, st: i32) -> Result<Option<i32>, Flow> {
        match self.list(body, io) {
            Ok(s) => Ok(Some(s)),
            Err(Flow::Break(n)) if n > 1 => Err(Flow::Break(n - 1)),
            Err(Flow::Break(_)) => Ok(None),
            Err(Flow::Continue(n)) if n > 1 => Err(Flow::Continue(n - 1)),
            Err(Flow::Continue(_)) => Ok(Some(st)),
            Err(e) => Err(e),
        }
    }

    fn list(&mut self, l: &List, io: &Io) -> R {
        self.depth += 1;
        let r = if self.depth > MAX_NEST {
            let msg = format!("{}: stopped: commands nested more than {MAX_NEST} deep (layerlab's limit)", self.env.name);
            self.notice(msg);
            Err(Flow::Abort(124))
        } else {
            self.list_inner(l, io)
        };
        self.depth -= 1;
        r
    }

    fn list_inner(&mut self, l: &List, io: &Io) -> R {
        let mut status = self.env.status;
        for ao in &l.0 {
            let quiet = !ao.rest.is_empty();
            self.cond += u32::from(quiet);
            let mut st = self.pipeline(&ao.first, io);
            for (k, (and, p)) in ao.rest.iter().enumerate() {
                let prev = match st {
                    Ok(s) => s,
                    Err(_) => break,
                };
                if (prev == 0) != *and {
                    continue;
                }
                if k + 1 == ao.rest.len() {
                    self.cond -= 1;
                    st = self.pipeline(p, io);
                    self.cond += 1;
                } else {
                    st = self.pipeline(p, io);
                }
            }
            self.cond -= u32::from(quiet);
            status = st?;
            self.env.status = status;
            let last_ran_bang = ao.rest.last().map_or(ao.first.bang, |(_, p)| p.bang);
            if self.errexit && status != 0 && self.cond == 0 && !last_ran_bang {
                return Err(Flow::Exit(status));
            }
        }
        Ok(status)
    }

    fn pipeline(&mut self, p: &Pipeline, io: &Io) -> R {
        let st = if p.cmds.len() == 1 {
            self.cond += u32::from(p.bang);
            let r = self.command(&p.cmds[0], io);
            self.cond -= u32::from(p.bang);
            r?
        } else {
            let mut input = io.stdin;
            let mut st = 0;
            let n = p.cmds.len();
            for (k, cmd) in p.cmds.iter().enumerate() {
                let mut io2 = *io;
                io2.stdin = input;
                let buf = (k + 1 < n).then(|| self.new_buf());
                if let Some(b) = buf {
                    io2.out = Target::Buf(b);
                }
                let r = self.subshell(|it| it.command(cmd, &io2));
                st = r?;
                if let Some(b) = buf {
                    let bytes = self.take_buf(b);
                    input = Some(self.new_input(bytes));
                }
            }
            st
        };
        Ok(if p.bang { i32::from(st == 0) } else { st })
    }

    /// Runs `f` on a copy of the shell state (`exit` ends only it).
    fn subshell(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.env.clone();
        let errexit = self.errexit;
        let r = f(self);
        *self.env = saved;
        self.errexit = errexit;
        match r {
            Ok(s) | Err(Flow::Exit(s)) => Ok(s),
            Err(Flow::Break(_) | Flow::Continue(_)) => Ok(0),
            Err(a @ Flow::Abort(_)) => Err(a),
        }
    }

    fn command(&mut self, c: &Command, io: &Io) -> R {
        match c {
            Command::Simple(s) => self.simple(s, io),
            Command::Compound(comp, redirs) => {
                self.step()?;
                let (io2, pending) = match self.redirect(redirs, io)? {
                    Ok(x) => x,
                    Err(st) => return Ok(st),
                };
                let r = self.compound(comp, &io2);
                self.finish(pending, io)?;
                r
            }
        }
    }

    fn compound(&mut self, c: &Compound, io: &Io) -> R {
        match c {
            Compound::Brace(l) => self.list(l, io),
            Compound::Subshell(l) => self.subshell(|it| it.list(l, io)),
            Compound::If(arms, otherwise) => {
                for (cond, body) in arms {
                    self.cond += 1;
                    let st = self.list(cond, io);
                    self.cond -= 1;
                    if st? == 0 {
                        return self.list(body, io);
                    }
                }
                match otherwise {
                    Some(l) => self.list(l, io),
                    None => Ok(0),
                }
            }
            Compound::While(until, cond, body) => {
                let mut st = 0;
                loop {
                    self.step()?;
                    self.cond += 1;
                    let c = self.list(cond, io);
                    self.cond -= 1;
                    match c {
                        Ok(c) if (c == 0) == *until => break,
                        Ok(_) => {}
                        Err(Flow::Break(n)) => return if n > 1 { Err(Flow::Break(n - 1)) } else { Ok(0) },
                        Err(e) => return Err(e),
                    }
                    match self.loop_turn(body, io, st)? {
                        Some(s) => st = s,
                        None => break,
                    }
                }
                Ok(st)
            }
            Compound::For(name, words, body) => {
                let items: Vec<Vec<u8>> = match words {
                    Some(ws) => {
                        let mut v = Vec::new();
                        for w in ws {
                            v.extend(self.expand(w, io)?);
                        }
                        v
                    }
                    None => self.env.args.iter().map(|a| a.as_bytes().to_vec()).collect(),
                };
                let mut st = 0;
                for item in items {
                    self.step()?;
                    self.env.vars.insert(name.clone(), String::from_utf8_lossy(&item).into_owned());
                    match self.loop_turn(body, io, st)? {
                        Some(s) => st = s,
                        None => break,
                    }
                }
                Ok(st)
            }
            Compound::Case(subject, arms) => {
                let s = self.expand_one(subject, io)?;
                for (pats, body) in arms {
                    for p in pats {
                        let pat = self.pattern(p, io)?;
                        if glob(&pat, &s) {
                            return self.list(body, io);
                        }
                    }
                }
                Ok(0)
            }
        }
    }

    fn simple(&mut self, s: &Simple, io: &Io) -> R {
        self.step()?;
        self.sub_status = None;
        let mut argv: Vec<Vec<u8>> = Vec::new();
        for w in &s.words {
            argv.extend(self.expand(w, io)?);
        }
        let mut assigns = Vec::new();
        for (n, w) in &s.assigns {
            let v = self.expand_one(w, io)?;
            assigns.push((n.clone(), String::from_utf8_lossy(&v).into_owned()));
        }
        // `$?` of a command with substitutions but no name is theirs; otherwise it is the
        // previous command's while the words expand.
        let sub_status = self.sub_status.unwrap_or(0);
        let (io2, pending) = match self.redirect(&s.redirs, io)? {
            Ok(x) => x,
            Err(st) => return Ok(st),
        };
        let r = if argv.is_empty() {
            for (n, v) in assigns {
                self.env.vars.insert(n, v);
            }
            Ok(sub_status)
        } else {
            // Prefix assignments stay for the special built-ins (XCU §2.14).
            let special = matches!(&argv[0][..], b":" | b"export" | b"set" | b"exit" | b"eval" | b"readonly" | b"shift" | b"unset");
            let mut saved = Vec::new();
            for (n, v) in assigns {
                if !special {
                    saved.push((n.clone(), self.env.vars.get(&n).cloned()));
                }
                self.env.vars.insert(n, v);
            }
            let r = self.invoke(&argv, &io2);
            // For any other command they last only while it runs.
            for (n, old) in saved.into_iter().rev() {
                match old {
                    Some(v) => self.env.vars.insert(n, v),
                    None => self.env.vars.remove(&n),
                };
            }
            r
        };
        self.finish(pending, io)?;
        r
    }

    /// Applies redirections: the new fds and the files to write at the end, or a failed
    /// redirection's status (its message printed).
    #[allow(clippy::type_complexity)]
    fn redirect(&mut self, redirs: &[Redir], io: &Io) -> Result<Result<(Io, Vec<Pending>), i32>, Flow> {
        let mut io2 = *io;
        let mut pending = Vec::new();
        for r in redirs {
            let word = self.expand_one(&r.target, io)?;
            match r.op {
                RedirOp::Out | RedirOp::Append => {
                    if word == b"/dev/null" {
                        set_fd(&mut io2, r.fd, Target::Null);
                        continue;
                    }
                    let path = abs_in(&self.env.cwd, &word);
                    // Would the open succeed? Asked of a copy: nothing is logged twice.
                    let check = if r.op == RedirOp::Append { Op::Append { path: path.clone(), text: Vec::new() } } else { Op::Write { path: path.clone(), text: Vec::new() } };
                    if let Err(e) = self.probe(check) {
                        self.run.events.push(Event::Error { call: "open", errno: e, sentence: e.sentence("open") });
                        let msg = match self.flavor {
                            Flavor::Busybox => format!("{}: can't create {}: {}", self.env.name, show(&word), errmsg(e, "nonexistent directory")),
                            Flavor::Coreutils => format!("{}: {}: {}", self.env.name, show(&word), strerror(e)),
                        };
                        self.say(io, 2, &msg)?;
                        return Ok(Err(1));
                    }
                    let buf = self.new_buf();
                    if r.fd <= 2 {
                        set_fd(&mut io2, r.fd, Target::Buf(buf));
                    }
                    pending.push(Pending { buf, path, shown: word, append: r.op == RedirOp::Append });
                }
                RedirOp::In | RedirOp::ReadWrite => {
                    let data = if word == b"/dev/null" {
                        Vec::new()
                    } else {
                        let path = abs_in(&self.env.cwd, &word);
                        match self.op(Op::Read { path }) {
                            Ok(Reply::Read(d)) => d,
                            Ok(_) => Vec::new(),
                            Err(e) => {
                                let msg = match self.flavor {
                                    Flavor::Busybox => format!("{}: can't open {}: {}", self.env.name, show(&word), errmsg(e, "no such file")),
                                    Flavor::Coreutils => format!("{}: {}: {}", self.env.name, show(&word), strerror(e)),
                                };
                                self.say(io, 2, &msg)?;
                                return Ok(Err(1));
                            }
                        }
                    };
                    if r.fd == 0 {
                        io2.stdin = Some(self.new_input(data));
                    }
                }
                RedirOp::DupOut | RedirOp::DupIn => {
                    let t = match &word[..] {
                        b"1" => io2.out,
                        b"2" => io2.err,
                        b"-" => Target::Null,
                        b"0" if r.op == RedirOp::DupIn => continue,
                        _ => {
                            let msg = format!("{}: {}: Bad file descriptor", self.env.name, show(&word));
                            self.say(io, 2, &msg)?;
                            return Ok(Err(1));
                        }
                    };
                    if r.op == RedirOp::DupOut {
                        set_fd(&mut io2, r.fd, t);
                    }
                }
            }
        }
        Ok(Ok((io2, pending)))
    }

    /// Writes the files of `> FILE` redirections with what was printed into them.
    fn finish(&mut self, pending: Vec<Pending>, io: &Io) -> Result<(), Flow> {
        for p in pending {
            let text = self.take_buf(p.buf);
            let op = if p.append { Op::Append { path: p.path, text } } else { Op::Write { path: p.path, text } };
            if let Err(e) = self.op(op) {
                let msg = format!("{}: can't create {}: {}", self.env.name, show(&p.shown), strerror(e));
                self.say(io, 2, &msg)?;
            }
        }
        Ok(())
    }

    /// Runs a command by name: a builtin, an applet, or `not found`.
    fn invoke(&mut self, argv: &[Vec<u8>], io: &Io) -> R {
        // `busybox APPLET ARGS` is the applet.
        let skip = argv.iter().take_while(|a| *a == b"busybox").count().min(argv.len() - 1);
        let argv = &argv[skip..];
        let name = String::from_utf8_lossy(&argv[0]).into_owned();
        let args = &argv[1..];
        if BUILTINS.contains(&name.as_str()) {
            return self.builtin(&name, args, io);
        }
        let known = |c: &str| super::APPLETS.contains(&c) || applets::NAMES.contains(&c) || BUILTINS.contains(&c);
        let mut cmd = name.clone();
        if cmd.contains('/') {
            // A path runs the applet it names (`/bin/ls`), if the file is there, or the shell
            // script it is.
            let path = abs_in(&self.env.cwd, cmd.as_bytes());
            let base = String::from_utf8_lossy(crate::path::basename(&path)).into_owned();
            let st = Sh::new(self.c, self.flavor).stat(&path);
            match st {
                Ok(st) if st.kind == crate::listing::TypeChar::Dir => {
                    let msg = format!("{}: {cmd}: Permission denied", self.env.name);
                    self.say(io, 2, &msg)?;
                    return Ok(126);
                }
                Ok(_) if known(&base) => cmd = base,
                Ok(st) => return self.script(&cmd, &path, st.mode, args, io),
                Err(_) => return self.not_found(&cmd, io),
            }
            if BUILTINS.contains(&cmd.as_str()) {
                return self.builtin(&cmd, args, io);
            }
        }
        if !known(&cmd) {
            // A script in $PATH (`CMD ["tool"]`).
            let path_var = self.env.vars.get("PATH").cloned().unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
            for dir in path_var.split(':').filter(|d| !d.is_empty()) {
                let p = abs_in(&self.env.cwd, format!("{dir}/{cmd}").as_bytes());
                if let Ok(st) = Sh::new(self.c, self.flavor).stat(&p) {
                    if st.kind != crate::listing::TypeChar::Dir {
                        return self.script(&cmd, &p, st.mode, args, io);
                    }
                }
            }
            return self.not_found(&cmd, io);
        }
        self.applet(&cmd, args, io)
    }

    /// Runs the file at `path` (typed as `cmd`) as ash does: a script (`#!` naming a shell, or
    /// no `#!` at all) runs in a subshell with `$0` = `cmd`; a binary that is not an applet
    /// cannot run here.
    fn script(&mut self, cmd: &str, path: &[u8], mode: u32, args: &[Vec<u8>], io: &Io) -> R {
        if mode & 0o111 == 0 {
            let msg = format!("{}: {cmd}: Permission denied", self.env.name);
            self.say(io, 2, &msg)?;
            return Ok(126);
        }
        let data = match self.probe(Op::Read { path: path.to_vec() }) {
            Ok(Reply::Read(d)) => d,
            _ => Vec::new(),
        };
        let shell = match data.strip_prefix(b"#!") {
            Some(rest) => {
                let line = String::from_utf8_lossy(rest.split(|&c| c == b'\n').next().unwrap_or_default()).into_owned();
                let mut words = line.split_whitespace();
                let first = words.next().unwrap_or("");
                let base = first.rsplit('/').next().unwrap_or("");
                matches!(base, "sh" | "ash" | "bash" | "dash") || (base == "env" && matches!(words.next(), Some("sh" | "bash"))) || (base == "busybox" && words.next() == Some("sh"))
            }
            None => !data.iter().take(512).any(|&c| c == 0),
        };
        if !shell {
            let msg = format!("{}: {cmd}: only shell scripts and busybox applets run here", self.env.name);
            self.say(io, 2, &msg)?;
            return Ok(126);
        }
        let script = String::from_utf8_lossy(&data).into_owned();
        let mut a = vec![cmd.to_string()];
        a.extend(args.iter().map(|x| String::from_utf8_lossy(x).into_owned()));
        self.subshell(|it| it.nested(&script, io, Some(a)))
    }

    fn not_found(&mut self, cmd: &str, io: &Io) -> R {
        let msg = match self.flavor {
            Flavor::Busybox => format!("{}: {cmd}: not found", self.env.name),
            Flavor::Coreutils => format!("{}: {cmd}: command not found", self.env.name),
        };
        self.say(io, 2, &msg)?;
        Ok(127)
    }

    /// Runs an applet of [`super`] or [`applets`] with `io`'s stdin; routes what it prints.
    fn applet(&mut self, cmd: &str, args: &[Vec<u8>], io: &Io) -> R {
        // Only the applets that read stdin get a copy of what is left of it.
        let reads = matches!(cmd, "cat" | "head" | "tail" | "wc" | "sort" | "uniq" | "dd");
        let stdin = io.stdin.filter(|_| reads).map(|k| self.inputs[k].0[self.inputs[k].1..].to_vec());
        let had = stdin.is_some();
        let mut sh = Sh::new(self.c, self.flavor);
        sh.cwd = self.env.cwd.clone();
        sh.stdin = Some(stdin.unwrap_or_default());
        sh.chunks = Some(Vec::new());
        if applets::NAMES.contains(&cmd) {
            applets::run(&mut sh, cmd, args);
        } else {
            super::applet(&mut sh, cmd, args);
        }
        let consumed = sh.stdin.is_none();
        let chunks = sh.chunks.take().unwrap_or_default();
        let mut run = std::mem::take(&mut sh.run);
        if consumed && had {
            if let Some(k) = io.stdin {
                self.inputs[k].1 = self.inputs[k].0.len();
            }
        }
        self.merge(&mut run);
        // An applet's stdout is a pipe (`docker run` without -t): stdio buffers it and writes
        // it in BUFSIZ blocks and at exit, while stderr goes out at once. So what it says on
        // stderr comes before the stdout it printed earlier (`ls: /x: No such file or
        // directory` above the listing), as Docker shows. `cat` writes with write(2) as it
        // goes (`bb_copyfd_eof`): into one pipe (`2>&1`) its order stays; on the terminal the
        // two streams reach Docker through two pipes, and the recordings show stderr first.
        let unbuffered = cmd == "cat" && io.out == io.err;
        let mut out: Vec<u8> = Vec::new();
        for (fd, b) in chunks {
            if unbuffered {
                self.emit(io.fd(fd), &b)?;
                continue;
            }
            if fd == 2 {
                self.emit(io.fd(fd), &b)?;
                continue;
            }
            out.extend_from_slice(&b);
            if out.len() >= STDIO_BUFSIZ {
                let n = out.len() / STDIO_BUFSIZ * STDIO_BUFSIZ;
                let rest = out.split_off(n);
                self.emit(io.fd(1), &out)?;
                out = rest;
            }
        }
        if !out.is_empty() {
            self.emit(io.fd(1), &out)?;
        }
        Ok(run.status)
    }

    fn builtin(&mut self, name: &str, args: &[Vec<u8>], io: &Io) -> R {
        let s = |a: &Vec<u8>| String::from_utf8_lossy(a).into_owned();
        match name {
            ":" | "true" | "hash" | "wait" | "trap" | "umask" | "local" | "type" | "command" => Ok(0),
            "false" => Ok(1),
            "exit" => {
                let n = match args.first() {
                    None => self.env.status,
                    Some(a) => match s(a).parse::<i64>() {
                        Ok(n) => (n & 0xff) as i32,
                        Err(_) => {
                            let msg = format!("{}: exit: Illegal number: {}", self.env.name, s(a));
                            self.say(io, 2, &msg)?;
                            2
                        }
                    },
                };
                Err(Flow::Exit(n))
            }
            "break" | "continue" => {
                let n = args.first().and_then(|a| s(a).parse::<u32>().ok()).unwrap_or(1).max(1);
                Err(if name == "break" { Flow::Break(n) } else { Flow::Continue(n) })
            }
            "pwd" => {
                let cwd = show(&self.env.cwd);
                self.say(io, 1, &cwd)?;
                Ok(0)
            }
            "cd" => {
                let target = match args.first() {
                    Some(a) if a == b"-" => self.env.vars.get("OLDPWD").cloned().unwrap_or_else(|| "/".into()).into_bytes(),
                    Some(a) => a.clone(),
                    None => self.env.vars.get("HOME").cloned().unwrap_or_else(|| "/".into()).into_bytes(),
                };
                let path = normalize(&abs_in(&self.env.cwd, &target));
                match self.probe(Op::Ls { path: path.clone() }) {
                    Ok(_) => {
                        let old = show(&self.env.cwd);
                        self.env.vars.insert("OLDPWD".into(), old);
                        self.env.vars.insert("PWD".into(), show(&path));
                        self.env.cwd = path;
                        Ok(0)
                    }
                    Err(e) => {
                        let msg = format!("{}: cd: can't cd to {}: {}", self.env.name, show(&target), strerror(e));
                        self.say(io, 2, &msg)?;
                        Ok(2)
                    }
                }
            }
            "export" | "readonly" => {
                for a in args {
                    let a = s(a);
                    if a == "-p" {
                        continue;
                    }
                    if let Some((k, v)) = a.split_once('=') {
                        self.env.vars.insert(k.into(), v.into());
                    }
                }
                Ok(0)
            }
            "unset" => {
                for a in args {
                    self.env.vars.remove(&s(a));
                }
                Ok(0)
            }
            "env" | "printenv" => {
                let lines: Vec<String> = self.env.vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
                for l in lines {
                    self.say(io, 1, &l)?;
                }
                Ok(0)
            }
            "set" => {
                let mut i = 0;
                while i < args.len() {
                    let a = s(&args[i]);
                    i += 1;
                    if a == "--" {
                        break;
                    }
                    if let Some(f) = a.strip_prefix('-').or_else(|| a.strip_prefix('+')) {
                        if f.contains('e') {
                            self.errexit = a.starts_with('-');
                        }
                        continue;
                    }
                    i -= 1;
                    break;
                }
                if i < args.len() || args.last().is_some_and(|a| a == b"--") {
                    self.env.args = args[i..].iter().map(s).collect();
                }
                Ok(0)
            }
            "shift" => {
                let n = args.first().and_then(|a| s(a).parse::<usize>().ok()).unwrap_or(1);
                if n > self.env.args.len() {
                    return Ok(1);
                }
                self.env.args.drain(..n);
                Ok(0)
            }
            "read" => self.read(args, io),
            "id" => self.id(args, io),
            "eval" => {
                let script = args.iter().map(s).collect::<Vec<_>>().join(" ");
                self.nested(&script, io, None)
            }
            "sh" | "exec" => {
                if name == "exec" {
                    return if args.is_empty() { Ok(0) } else { self.invoke(args, io).and_then(|st| Err(Flow::Exit(st))) };
                }
                match args.first().map(|a| &a[..]) {
                    Some(b"-c") => {
                        let script = args.get(1).map(s).unwrap_or_default();
                        let rest: Vec<String> = args.iter().skip(2).map(s).collect();
                        self.subshell(|it| it.nested(&script, io, Some(rest)))
                    }
                    _ => Ok(0),
                }
            }
            _ => unreachable!("{name} is a builtin"),
        }
    }

    /// Parses and runs a script inside this one (`eval`, `sh -c`; the latter gets `$0`…).
    fn nested(&mut self, script: &str, io: &Io, args: Option<Vec<String>>) -> R {
        match parse::parse(script) {
            Ok(l) => {
                if let Some(mut a) = args {
                    if !a.is_empty() {
                        self.env.name = a.remove(0);
                    }
                    self.env.args = a;
                }
                self.list(&l, io)
            }
            Err(e) => {
                let msg = format!("{}: {e}", self.env.name);
                self.say(io, 2, &msg).map(|_| 2)
            }
        }
    }

    /// `read [-r] NAME...`: one line of stdin split on `$IFS`; 1 at end of input.
    fn read(&mut self, args: &[Vec<u8>], io: &Io) -> R {
        let raw = args.first().is_some_and(|a| a == b"-r");
        let names: Vec<String> = args.iter().filter(|a| !a.starts_with(b"-")).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        let names = if names.is_empty() { vec!["REPLY".to_string()] } else { names };
        let mut line = Vec::new();
        let mut eof = true;
        if let Some(k) = io.stdin {
            let (data, pos) = &mut self.inputs[k];
            while *pos < data.len() {
                let c = data[*pos];
                *pos += 1;
                if c == b'\n' {
                    eof = false;
                    break;
                }
                if c == b'\\' && !raw && *pos < data.len() {
                    let n = data[*pos];
                    *pos += 1;
                    if n != b'\n' {
                        line.push(n);
                    }
                    continue;
                }
                line.push(c);
            }
        }
        let ifs = self.ifs();
        let ws = |c: &u8| ifs.contains(c);
        let mut rest: &[u8] = &line;
        for (k, n) in names.iter().enumerate() {
            while rest.first().is_some_and(ws) {
                rest = &rest[1..];
            }
            let value = if k + 1 == names.len() {
                let mut end = rest.len();
                while end > 0 && ws(&rest[end - 1]) {
                    end -= 1;
                }
                let v = rest[..end].to_vec();
                rest = &[];
                v
            } else {
                let end = rest.iter().position(ws).unwrap_or(rest.len());
                let v = rest[..end].to_vec();
                rest = &rest[end..];
                v
            };
            self.env.vars.insert(n.clone(), String::from_utf8_lossy(&value).into_owned());
        }
        Ok(i32::from(eof))
    }

    /// `id [-u|-g] [-n]`: the shell's uid and gid, named from the container's
    /// `/etc/passwd` and `/etc/group` where they list them.
    fn id(&mut self, args: &[Vec<u8>], io: &Io) -> R {
        let flags: String = args.iter().filter_map(|a| a.strip_prefix(b"-")).map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        let (uid, gid) = (self.env.uid, self.env.gid);
        let user = self.db_name(b"/etc/passwd", uid);
        let group = self.db_name(b"/etc/group", gid);
        let named = |n: u32, name: &Option<String>| match name {
            Some(s) => format!("{n}({s})"),
            None => n.to_string(),
        };
        let line = if flags.contains('u') || flags.contains('g') {
            let (n, name) = if flags.contains('u') { (uid, &user) } else { (gid, &group) };
            match (flags.contains('n'), name) {
                (true, Some(s)) => s.clone(),
                _ => n.to_string(),
            }
        } else {
            let mut groups = self.env.groups.clone();
            groups.push(gid);
            groups.sort_unstable();
            groups.dedup();
            let list: Vec<String> = groups
                .iter()
                .map(|&g| {
                    let name = self.db_name(b"/etc/group", g);
                    named(g, &name)
                })
                .collect();
            format!("uid={} gid={} groups={}", named(uid, &user), named(gid, &group), list.join(","))
        };
        self.say(io, 1, &line)?;
        Ok(0)
    }

    /// The name of id `n` in a `name:x:id:…` database file of the container.
    fn db_name(&mut self, file: &[u8], n: u32) -> Option<String> {
        let Ok(Reply::Read(data)) = self.probe(Op::Read { path: file.to_vec() }) else { return None };
        String::from_utf8_lossy(&data).lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 2 && f[2].parse() == Ok(n)).then(|| f[0].to_string())
        })
    }

    fn ifs(&self) -> Vec<u8> {
        self.env.vars.get("IFS").map_or_else(|| b" \t\n".to_vec(), |s| s.as_bytes().to_vec())
    }

    /// The value of a parameter (None: unset).
    fn param(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.env.status.to_string()),
            "#" => Some(self.env.args.len().to_string()),
            "0" => Some(self.env.name.clone()),
            "@" | "*" => Some(self.env.args.join(" ")),
            "$" => Some("1".into()),
            "!" | "-" => Some(String::new()),
            d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => self.env.args.get(d.parse::<usize>().unwrap_or(1) - 1).cloned(),
            _ => self.env.vars.get(name).cloned(),
        }
    }

    /// A parameter expansion's bytes.
    fn param_value(&mut self, name: &str, op: &ParamOp, io: &Io) -> Result<Vec<u8>, Flow> {
        let v = self.param(name);
        let unset = |colon: bool| v.as_ref().is_none_or_empty(colon);
        Ok(match op {
            ParamOp::Plain => v.unwrap_or_default().into_bytes(),
            ParamOp::Length => v.unwrap_or_default().chars().count().to_string().into_bytes(),
            ParamOp::Default(colon, w) => {
                if unset(*colon) {
                    self.expand_one(w, io)?
                } else {
                    v.unwrap_or_default().into_bytes()
                }
            }
            ParamOp::Assign(colon, w) => {
                if unset(*colon) {
                    let nv = self.expand_one(w, io)?;
                    self.env.vars.insert(name.to_string(), String::from_utf8_lossy(&nv).into_owned());
                    nv
                } else {
                    v.unwrap_or_default().into_bytes()
                }
            }
            ParamOp::Alt(colon, w) => {
                if unset(*colon) {
                    Vec::new()
                } else {
                    self.expand_one(w, io)?
                }
            }
            ParamOp::Trim(suffix, longest, w) => {
                let v = v.unwrap_or_default().into_bytes();
                let pat = self.pattern(w, io)?;
                let n = v.len();
                // Candidate cut points, shortest match first (or longest).
                let mut cuts: Vec<usize> = (0..=n).collect();
                if *longest {
                    cuts.reverse();
                }
                let mut out = v.clone();
                // Each try is a match over the part: values past TRIM_MAX bytes are left whole
                // rather than risk quadratic work.
                if n > TRIM_MAX {
                    cuts.clear();
                }
                for k in cuts {
                    let (part, rest) = if *suffix { (&v[n - k..], &v[..n - k]) } else { (&v[..k], &v[k..]) };
                    if glob(&pat, part) {
                        out = rest.to_vec();
                        break;
                    }
                }
                out
            }
            ParamOp::Error(colon, w) => {
                if unset(*colon) {
                    let m = self.expand_one(w, io)?;
                    let m = if m.is_empty() { "parameter not set".to_string() } else { show(&m) };
                    let msg = format!("{}: {name}: {m}", self.env.name);
                    self.say(io, 2, &msg)?;
                    return Err(Flow::Exit(1));
                }
                v.unwrap_or_default().into_bytes()
            }
        })
    }

    /// `$(…)`: what the list prints, trailing newlines cut; `$?` becomes its status.
    fn substitute(&mut self, l: &List, io: &Io) -> Result<Vec<u8>, Flow> {
        let buf = self.new_buf();
        let mut io2 = *io;
        io2.out = Target::Buf(buf);
        let st = self.subshell(|it| it.list(l, &io2))?;
        self.sub_status = Some(st);
        let mut out = self.take_buf(buf);
        while out.last() == Some(&b'\n') {
            out.pop();
        }
        Ok(out)
    }

    /// The bytes of a word's parts, each marked [`QUOTED`], [`LITERAL`] (unquoted text: a glob
    /// byte there is live) or [`EXPANDED`] (an unquoted expansion: split on `$IFS` too), and
    /// whether any part was quoted.
    fn pieces(&mut self, w: &Word, io: &Io) -> Result<(Vec<(u8, u8)>, bool), Flow> {
        let mut out = Vec::new();
        let mut quoted_any = false;
        for p in w {
            match p {
                Part::Lit { text, quoted } => {
                    quoted_any |= quoted;
                    let k = if *quoted { QUOTED } else { LITERAL };
                    out.extend(text.iter().map(|&b| (b, k)));
                }
                Part::Param { name, op: ParamOp::Plain, quoted: true } if name == "@" => {
                    // "$@": each positional parameter its own field (none: no field at all).
                    let args = self.env.args.clone();
                    for (k, a) in args.iter().enumerate() {
                        quoted_any = true;
                        if k > 0 {
                            out.push((b' ', BREAK));
                        }
                        out.extend(a.bytes().map(|b| (b, QUOTED)));
                    }
                }
                Part::Param { name, op, quoted } => {
                    quoted_any |= quoted;
                    let v = self.param_value(name, op, io)?;
                    out.extend(v.into_iter().map(|b| (b, if *quoted { QUOTED } else { EXPANDED })));
                }
                Part::Sub { list, quoted } => {
                    quoted_any |= quoted;
                    let v = self.substitute(list, io)?;
                    out.extend(v.into_iter().map(|b| (b, if *quoted { QUOTED } else { EXPANDED })));
                }
            }
            if out.len() > MAX_WORD {
                let msg = format!("{}: stopped: a word grew past {MAX_WORD} bytes (layerlab's limit)\n", self.env.name);
                self.notice(msg);
                return Err(Flow::Abort(124));
            }
        }
        Ok((out, quoted_any))
    }

    /// A word expanded into fields: split on `$IFS` where unquoted expansions put bytes, then
    /// each field with a live `*`, `?` or `[` replaced by the paths it matches (sorted; kept
    /// as it is when none does).
    fn expand(&mut self, w: &Word, io: &Io) -> Result<Vec<Vec<u8>>, Flow> {
        let (pieces, quoted) = self.pieces(w, io)?;
        let ifs = self.ifs();
        let mut fields: Vec<Vec<(u8, u8)>> = Vec::new();
        let mut cur = Vec::new();
        let mut have = false;
        for (b, k) in pieces {
            if k == BREAK {
                fields.push(std::mem::take(&mut cur));
                have = true;
                continue;
            }
            if k == EXPANDED && ifs.contains(&b) {
                if have {
                    fields.push(std::mem::take(&mut cur));
                    have = false;
                }
            } else {
                cur.push((b, k));
                have = true;
            }
        }
        if have || (quoted && fields.is_empty()) {
            fields.push(cur);
        }
        let mut out = Vec::new();
        for f in fields {
            if f.iter().any(|&(b, k)| k != QUOTED && b"*?[".contains(&b)) {
                let mut pat = Vec::new();
                for &(b, k) in &f {
                    if k == QUOTED && b"*?[\\".contains(&b) {
                        pat.push(b'\\');
                    }
                    pat.push(b);
                }
                let found = self.paths_matching(&pat);
                if !found.is_empty() {
                    out.extend(found);
                    continue;
                }
            }
            out.push(f.into_iter().map(|(b, _)| b).collect());
        }
        Ok(out)
    }

    /// Pathname expansion (XCU §2.13.3): the paths `pat` matches, component by component, a
    /// leading `.` matched only by a `.`; sorted.
    fn paths_matching(&mut self, pat: &[u8]) -> Vec<Vec<u8>> {
        let live = |c: &[u8]| {
            let mut esc = false;
            c.iter().any(|&b| {
                let hit = !esc && b"*?[".contains(&b);
                esc = !esc && b == b'\\';
                hit
            })
        };
        let unescape = |c: &[u8]| {
            let mut o = Vec::new();
            let mut esc = false;
            for &b in c {
                if b == b'\\' && !esc {
                    esc = true;
                    continue;
                }
                esc = false;
                o.push(b);
            }
            o
        };
        let join_shown = |base: &[u8], n: &[u8]| {
            let mut p = base.to_vec();
            if !p.is_empty() && !p.ends_with(b"/") {
                p.push(b'/');
            }
            p.extend_from_slice(n);
            p
        };
        let mut cur: Vec<Vec<u8>> = vec![if pat.starts_with(b"/") { b"/".to_vec() } else { Vec::new() }];
        for comp in pat.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
            let mut next = Vec::new();
            for base in &cur {
                let dir = abs_in(&self.env.cwd, if base.is_empty() { b"." } else { base });
                if !live(comp) {
                    let p = join_shown(base, &unescape(comp));
                    if Sh::new(self.c, self.flavor).stat(&abs_in(&self.env.cwd, &p)).is_ok() {
                        next.push(p);
                    }
                    continue;
                }
                let Ok(names) = Sh::new(self.c, self.flavor).names(&dir) else { continue };
                for n in names {
                    if n.starts_with(b".") && !comp.starts_with(b".") {
                        continue;
                    }
                    if glob(comp, &n) {
                        next.push(join_shown(base, &n));
                    }
                }
            }
            cur = next;
            if cur.is_empty() || cur.len() > 100_000 {
                break;
            }
        }
        if pat.ends_with(b"/") {
            cur.iter_mut().for_each(|p| p.push(b'/'));
        }
        cur.sort();
        cur
    }

    /// A word expanded as one string (assignments, redirection targets, `case`).
    fn expand_one(&mut self, w: &Word, io: &Io) -> Result<Vec<u8>, Flow> {
        Ok(self.pieces(w, io)?.0.into_iter().map(|(b, _)| b).collect())
    }

    /// A `case` pattern: quoted bytes are escaped so they match only themselves.
    fn pattern(&mut self, w: &Word, io: &Io) -> Result<Vec<u8>, Flow> {
        let mut out = Vec::new();
        for p in w {
            let (bytes, quoted) = match p {
                Part::Lit { text, quoted } => (text.clone(), *quoted),
                Part::Param { name, op, quoted } => (self.param_value(name, op, io)?, *quoted),
                Part::Sub { list, quoted } => (self.substitute(list, io)?, *quoted),
            };
            for b in bytes {
                if quoted && b"*?[\\".contains(&b) {
                    out.push(b'\\');
                }
                out.push(b);
            }
        }
        Ok(out)
    }
}

trait NoneOrEmpty {
    fn is_none_or_empty(&self, colon: bool) -> bool;
}
impl NoneOrEmpty for Option<&String> {
    fn is_none_or_empty(&self, colon: bool) -> bool {
        match self {
            None => true,
            Some(s) => colon && s.is_empty(),
        }
    }
}

fn set_fd(io: &mut Io, fd: u32, t: Target) {
    match fd {
        1 => io.out = t,
        2 => io.err = t,
        _ => {}
    }
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// ash's `errmsg`: ENOENT and ENOTDIR get the short words, the rest `strerror`.
fn errmsg(e: crate::container::Errno, short: &str) -> String {
    use crate::container::Errno;
    match e {
        Errno::ENOENT | Errno::ENOTDIR => short.to_string(),
        e => strerror(e).to_string(),
    }
}

/// `/a/./b/../c` as `/a/c` (what `cd` keeps in `$PWD`, as ash does without `-P`).
fn normalize(p: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for c in p.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = Vec::new();
    for c in parts {
        out.push(b'/');
        out.extend_from_slice(c);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_drops_dots() {
        assert_eq!(normalize(b"/a/./b/../c/"), b"/a/c");
        assert_eq!(normalize(b"/.."), b"/");
    }
}
