//! A shell over a [`Container`]: what a user types at the page's prompt, and the `sh -c`
//! scripts the docker host runs (`docker run`/`exec`, soon `RUN` lines).
//!
//! Layout (one concept a module; spec: POSIX XCU "Shell Command Language" §2, as busybox 1.35
//! ash behaves):
//! - [`parse`]: the grammar (lists, and-or, pipelines, compound commands, quoting, `${…}`,
//!   `$(…)`), ash's syntax-error sentences.
//! - [`exec`]: the interpreter ([`run_script_in`], [`ShellEnv`]): expansion, redirections,
//!   pipes, builtins, limits.
//! - [`applets`]: `find`, `sort`, `test`, `dd`, `printf`, … ; [`pattern`]: `*`/`?`/`[…]`.
//! - This file: the file commands every path shares and their wording.
//!
//! Rules:
//! - [`run`]/[`run_as`] run one line as the page's prompt always has: `echo [-n] [-e] TEXT >
//!   FILE` (and `>>`, and `> FILE` alone), `cat`, `ls [-l] [-a]`, `touch`, `rm [-r] [-f]`,
//!   `mkdir [-p]`, `rmdir`, `mv [-T]`, `ln [-s]`, `chmod MODE` (octal or `[ugoa][+-=][rwxst]`),
//!   `chown UID[:GID]`, `truncate -s SIZE`, `stat`, `readlink`, `pwd`, `help`; descriptors
//!   kept open across lines ([`super::files`]): `exec N<FILE` (`>`, `>>`, `<>`), `exec N<&-`,
//!   `cat <&N`, `echo TEXT >&N`, and `cat < FILE`. Words split on
//!   blanks; `'…'`, `"…"` and `\` quote as in `sh`; `#` at the start of a word comments out the
//!   rest. The kernel scenarios of `tests/host.rs` are typed through it.
//! - [`run_script`] and [`run_script_in`] run a whole `sh` script through [`exec`]; the
//!   commands below are its applets, printing raw bytes per fd for it to route.
//! - Every command becomes container [`Op`]s (SPEC §3), so writes follow the kernel exactly;
//!   lookups that must not change anything (`ls`, `stat`, `mv` into a directory) run on a
//!   clone of the container (cheap: trees are shared) and never copy up.
//! - Relative paths are taken against the working directory (`/` at the prompt; the script's
//!   `cd`/`WORKDIR` in [`exec`]).
//! - [`Flavor`] picks the wording: busybox 1.35 / ash (`cat: can't open 'X': ...`, `sh: X:
//!   not found` 127, `ls` one name a line, `ls -R`, `stat -c`, `head`/`tail -c`, `wc -c`), as
//!   the docker oracle's images print them; otherwise GNU coreutils and bash
//!   (`rm: cannot remove 'x': No such file or directory`); a path is quoted as the user typed
//!   it. `ls -l` has busybox's columns (numeric owner, no date).
//! - What is printed comes from the ops' typed [`Reply`] values (names, link targets and stat
//!   fields as bytes), never from the rendered TRACE line (SPEC §4 escapes it). A name in `ls`
//!   and `stat` output is quoted as GNU `ls` does on a terminal ([`quote_name`]: `'a b'`,
//!   `'a'$'\n''b'`), so one name is one word on one line; `cat` and `readlink` print the bytes
//!   (as lossy UTF-8, one output line per `\n`).
//! - The events of every op run are returned in order, errors included (an error that the
//!   command itself ignores, like `rm -f` of a missing file, is dropped).

use super::files::FdMode;
use super::{Container, Errno, Event, Op, Outcome, Reply, Stat};
use crate::listing::TypeChar;
use crate::path::{basename, components, join};

mod applets;
mod exec;
mod parse;
mod pattern;

pub use exec::{run_script_in, ShellEnv, MAX_BYTES, MAX_NEST, MAX_STEPS, MAX_TERM};

/// The commands [`applet`] runs (the interpreter's builtins and [`applets`] come on top).
const APPLETS: &[&str] = &[
    "echo", "printf", "help", "cat", "ls", "stat", "readlink", "touch", "rmdir", "mkdir", "rm", "mv", "ln", "chmod", "chown", "truncate",
    "sleep", "head", "tail", "wc",
];

/// What one command line printed and did.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Lines printed (stdout and stderr, in order).
    pub output: Vec<String>,
    pub events: Vec<Event>,
    /// Bytes copied up from lower layers.
    pub bytes_copied: u64,
    /// True if the container layer changed.
    pub changed: bool,
    /// The exit status (0 = success).
    pub status: i32,
    /// True if the last output line was printed without its `\n` (`printf x`, `tail -c`).
    pub open_line: bool,
}

/// The most bytes `cat` prints.
pub const CAT_LIMIT: usize = 64 * 1024;

/// The C library's message for an errno (`strerror`).
pub fn strerror(e: Errno) -> &'static str {
    match e {
        Errno::ENOENT => "No such file or directory",
        Errno::EEXIST => "File exists",
        Errno::ENOTDIR => "Not a directory",
        Errno::EISDIR => "Is a directory",
        Errno::EINVAL => "Invalid argument",
        Errno::ENOTEMPTY => "Directory not empty",
        Errno::EXDEV => "Invalid cross-device link",
        Errno::ELOOP => "Too many levels of symbolic links",
        Errno::EPERM => "Operation not permitted",
        Errno::EBUSY => "Device or resource busy",
        Errno::EACCES => "Permission denied",
        Errno::ENXIO => "No such device or address",
        Errno::ENAMETOOLONG => "File name too long",
        Errno::EIO => "Input/output error",
        Errno::EFBIG => "File too large",
        Errno::ENOSPC => "No space left on device",
        Errno::EBADF => "Bad file descriptor",
    }
}

/// A word of the line, or a redirection operator.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Vec<u8>),
    /// `>`
    Out,
    /// `>>`
    Append,
    /// A redirection naming a descriptor (`3<`, `3<>`, `<&3`, `>&3`, `3<&-`) or reading
    /// (`<`): the number before it, if any, and the operator.
    Redir(Option<u32>, &'static str),
}

/// The redirection operator at the start of `b`, longest first.
fn redir_op(b: &[u8]) -> Option<&'static str> {
    [">>", ">&", "<>", "<&", ">", "<"].into_iter().find(|op| b.starts_with(op.as_bytes()))
}

/// Splits a line as `sh` would (quotes, backslashes, redirections with their descriptor
/// number, comments).
fn tokenize(line: &str) -> Result<Vec<Tok>, String> {
    let b = line.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let push_redir = |toks: &mut Vec<Tok>, fd: Option<u32>, op: &'static str| {
        toks.push(match (fd, op) {
            (None | Some(1), ">") => Tok::Out,
            (None | Some(1), ">>") => Tok::Append,
            _ => Tok::Redir(fd, op),
        })
    };
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'#' => break,
            b'>' | b'<' => {
                let op = redir_op(&b[i..]).expect("an operator starts here");
                push_redir(&mut toks, None, op);
                i += op.len();
            }
            c if c.is_ascii_digit() && {
                let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                matches!(b.get(i + n), Some(b'<' | b'>'))
            } =>
            {
                // `3<FILE`: digits right before an operator name the descriptor (bash: up to
                // a large number; here 0-1023, as the ops take).
                let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let fd = std::str::from_utf8(&b[i..i + n]).ok().and_then(|d| d.parse::<u32>().ok()).filter(|&d| d <= super::ops::FD_MAX);
                let Some(fd) = fd else { return Err(format!("{}: Bad file descriptor", &line[i..i + n])) };
                let op = redir_op(&b[i + n..]).expect("an operator follows");
                push_redir(&mut toks, Some(fd), op);
                i += n + op.len();
            }
            _ => {
                let mut w = Vec::new();
                while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'>' | b'<') {
                    match b[i] {
                        b'\'' => {
                            let end = b[i + 1..].iter().position(|&c| c == b'\'').ok_or("unexpected EOF while looking for matching `''")?;
                            w.extend_from_slice(&b[i + 1..i + 1 + end]);
                            i += end + 2;
                        }
                        b'"' => {
                            i += 1;
                            loop {
                                match b.get(i) {
                                    None => return Err("unexpected EOF while looking for matching `\"'".into()),
                                    Some(b'"') => {
                                        i += 1;
                                        break;
                                    }
                                    Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) => {
                                        w.push(b[i + 1]);
                                        i += 2;
                                    }
                                    Some(&c) => {
                                        w.push(c);
                                        i += 1;
                                    }
                                }
                            }
                        }
                        b'\\' => {
                            if let Some(&c) = b.get(i + 1) {
                                w.push(c);
                            }
                            i += 2;
                        }
                        c => {
                            w.push(c);
                            i += 1;
                        }
                    }
                }
                toks.push(Tok::Word(w));
            }
        }
    }
    Ok(toks)
}

/// `/`-rooted path for an argument typed in `cwd` (a `/`-rooted path).
fn abs_in(cwd: &[u8], p: &[u8]) -> Vec<u8> {
    if p.starts_with(b"/") {
        p.to_vec()
    } else if p == b"." || p.is_empty() {
        cwd.to_vec()
    } else {
        let mut v = cwd.to_vec();
        if !v.ends_with(b"/") {
            v.push(b'/');
        }
        v.extend_from_slice(p);
        v
    }
}

fn show(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

/// Quotes a word for `sh`: as it is if it is plainly safe, else in single quotes.
pub fn sh_quote(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"/._-+,:@%=".contains(&c)) {
        return s.into_owned();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A file name as GNU `ls` shows it on a terminal (and `stat` in its `File:` line), quoting
/// style `shell-escape`: as it is if no shell would misread it; otherwise in single quotes
/// (double quotes if it holds a `'` and nothing `"…"` would expand), with control bytes and bytes
/// that are not UTF-8 written `$'\n'`, `$'\377'` outside the quotes. The result is one line
/// and, pasted into `sh`, gives back the exact bytes.
pub fn quote_name(b: &[u8]) -> String {
    let safe = |c: char| c.is_alphanumeric() || "%+,-./:@_".contains(c);
    let s = std::str::from_utf8(b).ok();
    if let Some(s) = s {
        // `#` and `~` are special only at the start of a word.
        let first_ok = s.chars().next().is_some_and(safe);
        if first_ok && s.chars().all(|c| safe(c) || c == '#' || c == '~') {
            return s.to_string();
        }
        if !s.chars().any(|c| c.is_control()) {
            if s.contains('\'') && !s.contains(['"', '$', '`', '\\', '!']) {
                return format!("\"{s}\"");
            }
            return format!("'{}'", s.replace('\'', "'\\''"));
        }
    }
    // Printable runs in single quotes, everything else as $'...' escapes.
    let mut out = String::new();
    let mut quoted = String::new();
    let mut escaped = String::new();
    let flush_quoted = |out: &mut String, q: &mut String| {
        if !q.is_empty() {
            out.push('\'');
            out.push_str(&q.replace('\'', "'\\''"));
            out.push('\'');
            q.clear();
        }
    };
    let flush_escaped = |out: &mut String, e: &mut String| {
        if !e.is_empty() {
            out.push_str("$'");
            out.push_str(e);
            out.push('\'');
            e.clear();
        }
    };
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                flush_quoted(&mut out, &mut quoted);
                match c {
                    '\n' => escaped.push_str("\\n"),
                    '\t' => escaped.push_str("\\t"),
                    '\r' => escaped.push_str("\\r"),
                    c if (c as u32) < 0x100 => escaped.push_str(&format!("\\{:03o}", c as u32)),
                    c => {
                        // C1 controls: their UTF-8 bytes.
                        let mut buf = [0u8; 4];
                        for byte in c.encode_utf8(&mut buf).bytes() {
                            escaped.push_str(&format!("\\{byte:03o}"));
                        }
                    }
                }
            } else {
                flush_escaped(&mut out, &mut escaped);
                quoted.push(c);
            }
        }
        if !chunk.invalid().is_empty() {
            flush_quoted(&mut out, &mut quoted);
            for byte in chunk.invalid() {
                escaped.push_str(&format!("\\{byte:03o}"));
            }
        }
    }
    flush_quoted(&mut out, &mut quoted);
    flush_escaped(&mut out, &mut escaped);
    out
}

/// `ls -l`'s mode column: `drwxr-xr-x`.
pub fn mode_string(st: &Stat) -> String {
    let t = match st.kind {
        TypeChar::Dir => 'd',
        TypeChar::Symlink => 'l',
        TypeChar::Char | TypeChar::Whiteout => 'c',
        TypeChar::Block => 'b',
        TypeChar::Fifo => 'p',
        TypeChar::Socket => 's',
        TypeChar::File | TypeChar::Hardlink => '-',
    };
    let m = st.mode;
    let bit = |mask: u32, c: char| if m & mask != 0 { c } else { '-' };
    let x = |exec: u32, special: u32, on: char, off: char| match (m & exec != 0, m & special != 0) {
        (true, true) => on,
        (false, true) => off,
        (true, false) => 'x',
        (false, false) => '-',
    };
    let mut s = String::with_capacity(10);
    s.push(t);
    s.push(bit(0o400, 'r'));
    s.push(bit(0o200, 'w'));
    s.push(x(0o100, 0o4000, 's', 'S'));
    s.push(bit(0o040, 'r'));
    s.push(bit(0o020, 'w'));
    s.push(x(0o010, 0o2000, 's', 'S'));
    s.push(bit(0o004, 'r'));
    s.push(bit(0o002, 'w'));
    s.push(x(0o001, 0o1000, 't', 'T'));
    s
}

/// `stat`'s file type words.
fn type_name(st: &Stat) -> &'static str {
    match st.kind {
        TypeChar::Dir => "directory",
        TypeChar::Symlink => "symbolic link",
        TypeChar::Char | TypeChar::Whiteout => "character special file",
        TypeChar::Block => "block special file",
        TypeChar::Fifo => "fifo",
        TypeChar::Socket => "socket",
        TypeChar::File | TypeChar::Hardlink if st.size == Some(0) => "regular empty file",
        TypeChar::File | TypeChar::Hardlink => "regular file",
    }
}

/// The size `ls -l` and `stat` show: a file's length, a symlink's target length, 4096 for a
/// directory (what ext4 and tmpfs say for a small one), 0 otherwise.
fn shown_size(st: &Stat) -> u64 {
    match st.kind {
        TypeChar::Dir => 4096,
        TypeChar::Symlink => st.target.as_ref().map_or(0, |t| t.len() as u64),
        _ => st.size.unwrap_or(0),
    }
}

/// Whose userland words the messages: GNU coreutils and bash (the page's default), or busybox
/// 1.35 with ash (the docker oracle's images: `cat: can't open 'X': No such file or
/// directory`, `sh: X: not found` with status 127).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    #[default]
    Coreutils,
    Busybox,
}

struct Sh<'a> {
    c: &'a mut Container,
    run: Run,
    flavor: Flavor,
    /// The working directory (`/`-rooted); relative paths are taken against it.
    cwd: Vec<u8>,
    /// What the command reads when it reads its standard input (`cat`, `sort`, `wc`, …); taken
    /// by the first command that reads it. None: the terminal (empty).
    stdin: Option<Vec<u8>>,
    /// When set (the `sh` interpreter runs the command), what it prints goes here as
    /// (fd, bytes) in order, raw, for the interpreter to send where its redirections say;
    /// otherwise it is printed as lines into [`Run::output`].
    chunks: Option<Vec<(u8, Vec<u8>)>>,
    /// Told of every op run for real, right after it ran, with the container as it left it
    /// (the host feeds the storage-driver models from here: [`run_observed`]).
    tap: Option<&'a mut Tap<'a>>,
}

/// What [`run_observed`] calls after each op the command runs for real (probes excluded).
pub type Tap<'t> = dyn FnMut(&Op, &Outcome, &Container) + 't;

impl<'a> Sh<'a> {
    fn new(c: &'a mut Container, flavor: Flavor) -> Sh<'a> {
        Sh { c, run: Run::default(), flavor, cwd: b"/".to_vec(), stdin: None, chunks: None, tap: None }
    }
}

impl Sh<'_> {
    fn abs(&self, p: &[u8]) -> Vec<u8> {
        abs_in(&self.cwd, p)
    }
    fn say(&mut self, s: impl Into<String>) {
        let s = s.into();
        if let Some(ch) = &mut self.chunks {
            let mut b = s.into_bytes();
            b.push(b'\n');
            ch.push((1, b));
            return;
        }
        self.run.output.push(s);
        self.run.open_line = false;
    }
    fn fail(&mut self, s: impl Into<String>) {
        let s = s.into();
        self.run.status = 1;
        if let Some(ch) = &mut self.chunks {
            let mut b = s.into_bytes();
            b.push(b'\n');
            ch.push((2, b));
            return;
        }
        self.run.output.push(s);
        self.run.open_line = false;
    }

    /// Runs an op for real, keeping its events.
    fn op(&mut self, op: Op) -> Result<Reply, Errno> {
        let o = self.c.apply(&op);
        if let Some(tap) = self.tap.as_mut() {
            tap(&op, &o, self.c);
        }
        self.run.bytes_copied += o.bytes_copied;
        self.run.changed |= o.events.iter().any(|e| !matches!(e, Event::Error { .. }));
        self.run.events.extend(o.events);
        match o.reply {
            Reply::Err(e) => Err(e),
            r => Ok(r),
        }
    }

    /// Runs an op that the command ignores if it fails: its error event is dropped.
    fn op_quiet(&mut self, op: Op) -> Result<Reply, Errno> {
        let r = self.op(op);
        if r.is_err() && matches!(self.run.events.last(), Some(Event::Error { .. })) {
            self.run.events.pop();
        }
        r
    }

    /// Runs an op on a copy: nothing changes, nothing is logged.
    fn probe(&self, op: Op) -> Result<Reply, Errno> {
        match self.c.clone().apply(&op).reply {
            Reply::Err(e) => Err(e),
            r => Ok(r),
        }
    }

    fn log_error(&mut self, call: &'static str, e: Errno) {
        self.run.events.push(Event::Error { call, errno: e, sentence: e.sentence(call) });
    }

    fn stat(&self, path: &[u8]) -> Result<Stat, Errno> {
        match self.probe(Op::Stat { path: path.to_vec() })? {
            Reply::Stat(st) => Ok(st),
            r => unreachable!("stat answers a stat: {r:?}"),
        }
    }

    fn is_dir(&self, path: &[u8]) -> bool {
        self.probe(Op::Ls { path: path.to_vec() }).is_ok()
    }

    /// The names `ls` lists in a directory (raw bytes, sorted).
    fn names(&self, path: &[u8]) -> Result<Vec<Vec<u8>>, Errno> {
        match self.probe(Op::Ls { path: path.to_vec() })? {
            Reply::Ls(names) => Ok(names),
            r => unreachable!("ls answers names: {r:?}"),
        }
    }
}

/// One `ls -l` line (busybox's columns: numeric owner, no date) for `name`.
fn long(st: &Stat, name: &[u8]) -> String {
    let mut s = format!("{} {} {} {} {:>6} {}", mode_string(st), st.nlink, st.uid, st.gid, shown_size(st), quote_name(name));
    if let Some(t) = &st.target {
        s.push_str(" -> ");
        s.push_str(&quote_name(t));
    }
    s
}

/// Splits leading `-xyz` flags (until `--` or the first non-flag word) from the operands.
fn flags(args: &[Vec<u8>]) -> (String, Vec<Vec<u8>>) {
    let mut f = String::new();
    let mut i = 0;
    while i < args.len() && args[i].len() > 1 && args[i][0] == b'-' {
        if args[i] == b"--" {
            i += 1;
            break;
        }
        f.push_str(&String::from_utf8_lossy(&args[i][1..]));
        i += 1;
    }
    (f, args[i..].to_vec())
}

fn parse_size(s: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(s).ok()?;
    let (num, mul) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (s, 1u64),
        Some((i, _)) => (
            &s[..i],
            match &s[i..] {
                "K" | "KiB" => 1 << 10,
                "M" | "MiB" => 1 << 20,
                "G" | "GiB" => 1 << 30,
                "KB" => 1000,
                "MB" => 1_000_000,
                "GB" => 1_000_000_000,
                _ => return None,
            },
        ),
    };
    num.parse::<u64>().ok()?.checked_mul(mul)
}

/// Applies a chmod mode (octal, or symbolic `[ugoa]*[+-=][rwxst]*`, comma-separated) to `old`.
pub fn chmod_mode(spec: &str, old: u32) -> Option<u32> {
    if !spec.is_empty() && spec.len() <= 4 && spec.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return u32::from_str_radix(spec, 8).ok();
    }
    let mut mode = old & 0o7777;
    for clause in spec.split(',') {
        let op_at = clause.find(['+', '-', '='])?;
        let who = &clause[..op_at];
        if !who.bytes().all(|b| b"ugoa".contains(&b)) {
            return None;
        }
        let (op, perms) = (clause.as_bytes()[op_at], &clause[op_at + 1..]);
        let mut mask = 0u32;
        let all = who.is_empty() || who.contains('a');
        for (w, shift) in [('u', 6), ('g', 3), ('o', 0)] {
            if !all && !who.contains(w) {
                continue;
            }
            for p in perms.bytes() {
                mask |= match p {
                    b'r' => 4 << shift,
                    b'w' => 2 << shift,
                    b'x' => 1 << shift,
                    b's' if w == 'u' => 0o4000,
                    b's' if w == 'g' => 0o2000,
                    b't' if w == 'o' => 0o1000,
                    b's' | b't' => 0,
                    _ => return None,
                };
            }
        }
        match op {
            b'+' => mode |= mask,
            b'-' => mode &= !mask,
            _ => {
                let mut clear = 0u32;
                for (w, shift) in [('u', 6), ('g', 3), ('o', 0)] {
                    if all || who.contains(w) {
                        clear |= 7 << shift;
                    }
                }
                mode = (mode & !clear) | mask;
            }
        }
    }
    Some(mode)
}

fn parse_id(s: &str) -> Option<u32> {
    match s {
        "root" => Some(0),
        _ => s.parse().ok(),
    }
}

const HELP: &[&str] = &[
    "commands (the working directory is /):",
    "  echo [-n] [-e] TEXT > FILE | >> FILE    write or append a line",
    "  cat FILE...   ls [-l] [-a] [PATH...]   stat PATH...   readlink PATH",
    "  touch FILE...   mkdir [-p] DIR...   rmdir DIR...   rm [-r] [-f] PATH...",
    "  mv [-T] SRC DST   ln [-s] TARGET [LINK]   chmod MODE PATH...   chown UID[:GID] PATH...",
    "  truncate -s SIZE FILE...",
    "  exec N< FILE | N> | N>> | N<> FILE   keep FILE open as descriptor N (3 and up); exec N<&- closes it",
    "  cat <&N   echo TEXT >&N   read or write through descriptor N, at its offset",
];

/// Runs one command line in the container.
pub fn run(c: &mut Container, line: &str) -> Run {
    run_as(c, line, Flavor::Coreutils)
}

/// Splits a `sh -c` script into its simple commands at `;`, `&&` and `||` outside quotes;
/// each comes with the operator that joins it to the one before (`;` for the first).
pub fn split_list(script: &str) -> Vec<(&'static str, String)> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i, mut quote, mut op) = (0, 0, 0u8, ";");
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == quote {
                quote = 0;
            } else if c == b'\\' && quote == b'"' {
                i += 1;
            }
        } else if c == b'\'' || c == b'"' {
            quote = c;
        } else if c == b'\\' {
            i += 1;
        } else if c == b';' || (c == b'&' || c == b'|') && b.get(i + 1) == Some(&c) {
            out.push((op, script[start..i].to_string()));
            op = match c {
                b';' => ";",
                b'&' => "&&",
                _ => "||",
            };
            if c != b';' {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push((op, script[start.min(b.len())..].to_string()));
    out.retain(|(_, l)| !l.trim().is_empty());
    out
}

/// Runs a `sh -c` script with `flavor`'s wording in a fresh shell (cwd `/`, root, no
/// variables): [`run_script_in`].
pub fn run_script(c: &mut Container, script: &str, flavor: Flavor) -> Run {
    run_script_in(c, script, &mut ShellEnv::default(), flavor)
}

/// Runs one command line in the container, messages worded as `flavor`'s userland does.
pub fn run_as(c: &mut Container, line: &str, flavor: Flavor) -> Run {
    run_tapped(Sh::new(c, flavor), line)
}

/// [`run`], calling `tap` after each op the line runs for real, with its outcome and the
/// container after it (a probe, such as the `stat` before an `rm`, runs on a copy: not told).
pub fn run_observed<'a>(c: &'a mut Container, line: &str, tap: &'a mut Tap<'a>) -> Run {
    let mut sh = Sh::new(c, Flavor::Coreutils);
    sh.tap = Some(tap);
    run_tapped(sh, line)
}

fn run_tapped(mut sh: Sh<'_>, line: &str) -> Run {
    let toks = match tokenize(line) {
        Ok(t) => t,
        Err(e) => {
            sh.fail(format!("sh: {e}"));
            return sh.run;
        }
    };
    // Redirection: the word after `>`/`>>` is the file; the rest is the command.
    let mut words: Vec<Vec<u8>> = Vec::new();
    let mut redirect: Option<(bool, Vec<u8>)> = None;
    let mut fds: Vec<(Option<u32>, &'static str, Vec<u8>)> = Vec::new();
    let mut it = toks.into_iter();
    while let Some(t) = it.next() {
        let target = match t {
            Tok::Word(w) => {
                words.push(w);
                continue;
            }
            _ => match it.next() {
                Some(Tok::Word(f)) => f,
                _ => {
                    sh.fail("sh: syntax error near unexpected token `newline'");
                    return sh.run;
                }
            },
        };
        match t {
            Tok::Out | Tok::Append => redirect = Some((t == Tok::Append, target)),
            Tok::Redir(fd, op) => fds.push((fd, op, target)),
            Tok::Word(_) => unreachable!("words were taken above"),
        }
    }
    if !fds.is_empty() {
        descriptors(&mut sh, &words, redirect, fds);
        return sh.run;
    }
    let Some(cmd) = words.first().cloned() else {
        if let Some((append, f)) = redirect {
            // `> FILE` alone creates or truncates it.
            write_out(&mut sh, &f, Vec::new(), append);
        }
        return sh.run;
    };
    let args = &words[1..];
    let cmd = String::from_utf8_lossy(&cmd).into_owned();
    if let Some((append, f)) = redirect {
        let text = match cmd.as_str() {
            "echo" | "printf" => echo_text(args, cmd == "printf"),
            "head" | "tail" => match head_tail(&mut sh, &cmd, args) {
                Some(t) => t,
                None => return sh.run,
            },
            _ => {
                sh.fail(format!("sh: {cmd}: output redirection is only understood for echo, printf, head and tail here"));
                return sh.run;
            }
        };
        write_out(&mut sh, &f, text, append);
        return sh.run;
    }
    applet(&mut sh, &cmd, args);
    sh.run
}

/// A line with descriptor redirections (the `exec 3<FILE` family; [`super::files`]):
/// `exec N< FILE` (and `N>`, `N>>`, `N<>`) keeps FILE open as descriptor N across lines,
/// `exec N<&-` closes it, `cat <&N` reads N from its offset to the end, and `echo TEXT >&N`
/// (or `printf`) writes at N's offset. Worded as bash says it.
fn descriptors(sh: &mut Sh, words: &[Vec<u8>], redirect: Option<(bool, Vec<u8>)>, fds: Vec<(Option<u32>, &'static str, Vec<u8>)>) {
    let cmd = words.first().map(|w| show(w));
    let args = words.get(1..).unwrap_or(&[]);
    if cmd.as_deref() == Some("exec") && args.is_empty() && redirect.is_none() {
        for (fd, op, target) in fds {
            let mode = match op {
                "<&" | ">&" if target == b"-" => None,
                "<" => Some(FdMode::Read),
                ">" => Some(FdMode::Write),
                ">>" => Some(FdMode::Append),
                "<>" => Some(FdMode::ReadWrite),
                _ => {
                    sh.fail(format!("sh: {op}{}: only `exec N<FILE` (and N>, N>>, N<>) and `exec N<&-` are understood here", show(&target)));
                    return;
                }
            };
            let Some(fd) = fd.filter(|&n| n >= 3) else {
                sh.fail("sh: exec: the page's shell keeps descriptors 3 and up open (0, 1 and 2 are its terminal)".to_string());
                return;
            };
            match mode {
                // bash closes a descriptor that is not open without a word.
                None => {
                    let _ = sh.op_quiet(Op::FdClose { fd });
                }
                Some(mode) => {
                    if let Err(e) = sh.op(Op::FdOpen { fd, mode, path: sh.abs(&target) }) {
                        sh.fail(format!("sh: {}: {}", show(&target), strerror(e)));
                        return;
                    }
                }
            }
        }
        return;
    }
    let Some(cmd) = cmd else {
        sh.fail("sh: a descriptor is opened with `exec N<FILE` (N from 3)".to_string());
        return;
    };
    let mut input = None;
    let mut output = None;
    for (fd, op, target) in fds {
        let n = std::str::from_utf8(&target).ok().and_then(|t| t.parse::<u32>().ok());
        match (fd, op, n) {
            (None | Some(0), "<", _) if cmd == "cat" && args.is_empty() && redirect.is_none() => {
                // `cat < FILE`: the shell opens FILE as cat's standard input.
                match sh.op(Op::Read { path: sh.abs(&target) }) {
                    Ok(Reply::Read(d)) => sh.stdin = Some(d),
                    Ok(r) => unreachable!("read answers bytes: {r:?}"),
                    Err(e) => {
                        sh.fail(format!("sh: {}: {}", show(&target), strerror(e)));
                        return;
                    }
                }
                cat(sh, &[]);
                return;
            }
            (None | Some(0), "<&", Some(n)) => input = Some(n),
            (None | Some(1), ">&", Some(n)) => output = Some(n),
            _ => {
                let shown = format!("{}{op}{}", fd.map_or(String::new(), |f| f.to_string()), show(&target));
                sh.fail(format!("sh: {shown}: only `cat <&N` and `echo TEXT >&N` use descriptors here (exec N<FILE opens one)"));
                return;
            }
        }
    }
    if let Some(n) = input {
        if cmd != "cat" || args.iter().any(|a| a != b"-") || output.is_some() || redirect.is_some() {
            sh.fail(format!("sh: {cmd}: input redirection <&{n} is only understood for cat here"));
            return;
        }
        // cat reads its standard input until read(2) returns 0.
        let mut data = Vec::new();
        loop {
            match sh.op(Op::FdRead { fd: n, size: 4 << 20 }) {
                Ok(Reply::Data(d)) if d.is_empty() => break,
                Ok(Reply::Data(d)) => {
                    let keep = d.len().min(CAT_LIMIT.saturating_sub(data.len()));
                    data.extend_from_slice(&d[..keep]);
                }
                Ok(r) => unreachable!("fd-read answers bytes: {r:?}"),
                Err(e) => {
                    let msg = if e == Errno::EBADF && sh.c.open_file(n).is_none() { format!("sh: {n}: Bad file descriptor") } else { format!("cat: -: {}", strerror(e)) };
                    sh.fail(msg);
                    return;
                }
            }
        }
        sh.stdin = Some(data);
        cat(sh, &[]);
        return;
    }
    if let Some(n) = output {
        let text = match cmd.as_str() {
            "echo" | "printf" => echo_text(args, cmd == "printf"),
            _ => {
                sh.fail(format!("sh: {cmd}: output redirection >&{n} is only understood for echo and printf here"));
                return;
            }
        };
        if sh.c.open_file(n).is_none() {
            sh.fail(format!("sh: {n}: Bad file descriptor"));
            return;
        }
        if let Err(e) = sh.op(Op::FdWrite { fd: n, text }) {
            sh.fail(format!("sh: {cmd}: write error: {}", strerror(e)));
        }
    }
}

/// Runs the command `cmd` with `args` (after quoting, expansion and redirections).
fn applet(sh: &mut Sh, cmd: &str, args: &[Vec<u8>]) {
    match cmd {
        "echo" | "printf" => {
            let text = echo_text(args, cmd == "printf");
            if let Some(ch) = &mut sh.chunks {
                ch.push((1, text));
                return;
            }
            let s = String::from_utf8_lossy(&text);
            let s = s.strip_suffix('\n').unwrap_or(&s);
            for l in s.split('\n') {
                sh.say(l);
            }
        }
        "help" => HELP.iter().for_each(|l| sh.say(*l)),
        "pwd" => {
            let cwd = show(&sh.cwd);
            sh.say(cwd)
        }
        "cat" => cat(sh, args),
        "ls" => ls(sh, args),
        "stat" => stat(sh, args),
        "readlink" => {
            for a in args.iter().filter(|a| !a.starts_with(b"-")) {
                match sh.probe(Op::Readlink { path: sh.abs(a) }) {
                    // The target as it is, then a newline, as readlink(1) prints it.
                    Ok(Reply::Readlink(t)) => String::from_utf8_lossy(&t).split('\n').for_each(|l| sh.say(l)),
                    Ok(r) => unreachable!("readlink answers a target: {r:?}"),
                    Err(_) => sh.run.status = 1,
                }
            }
        }
        // busybox words these `bb_perror_msg("%s", file)` / `("'%s'", dir)`; coreutils as GNU.
        "touch" if sh.flavor == Flavor::Busybox => simple(sh, "touch", args, |p| Op::Touch { path: p }, |a, e| format!("touch: {a}: {e}")),
        "touch" => simple(sh, "touch", args, |p| Op::Touch { path: p }, |a, e| format!("touch: cannot touch '{a}': {e}")),
        "rmdir" if sh.flavor == Flavor::Busybox => simple(sh, "rmdir", args, |p| Op::Rmdir { path: p }, |a, e| format!("rmdir: '{a}': {e}")),
        "rmdir" => simple(sh, "rmdir", args, |p| Op::Rmdir { path: p }, |a, e| format!("rmdir: failed to remove '{a}': {e}")),
        "mkdir" => mkdir(sh, args),
        "rm" => rm(sh, args),
        "mv" => mv(sh, args),
        "ln" => ln(sh, args),
        "chmod" => chmod(sh, args),
        "chown" => chown(sh, args),
        "truncate" => truncate(sh, args),
        "true" | "sleep" => {}
        "head" | "tail" => {
            if let Some(t) = head_tail(sh, cmd, args) {
                let mut t = t;
                flush_text(sh, &mut t);
            }
        }
        "wc" => wc(sh, args),
        _ if sh.flavor == Flavor::Busybox && cmd.contains('/') && sh.is_dir(&sh.abs(cmd.as_bytes())) => {
            // ash execs a path as it is: a directory cannot be executed.
            sh.fail(format!("sh: {cmd}: Permission denied"));
            sh.run.status = 126;
        }
        _ if sh.flavor == Flavor::Busybox => {
            sh.fail(format!("sh: {cmd}: not found"));
            sh.run.status = 127;
        }
        _ => sh.fail(format!("sh: {cmd}: command not found")),
    }
}

/// The bytes `echo ARGS` (or `printf FORMAT`, escapes only) prints.
fn echo_text(args: &[Vec<u8>], printf: bool) -> Vec<u8> {
    let (mut newline, mut escapes, mut i) = (!printf, printf, 0);
    while !printf && i < args.len() && matches!(&args[i][..], b"-n" | b"-e" | b"-en" | b"-ne" | b"-E") {
        match &args[i][..] {
            b"-n" => newline = false,
            b"-e" => escapes = true,
            b"-E" => escapes = false,
            _ => {
                newline = false;
                escapes = true;
            }
        }
        i += 1;
    }
    let mut out = Vec::new();
    for (k, a) in args[i..].iter().enumerate() {
        if k > 0 {
            out.push(b' ');
        }
        if escapes {
            let mut j = 0;
            while j < a.len() {
                if a[j] == b'\\' && j + 1 < a.len() {
                    let e = match a[j + 1] {
                        b'n' => Some(b'\n'),
                        b't' => Some(b'\t'),
                        b'\\' => Some(b'\\'),
                        b'0' => Some(0),
                        _ => None,
                    };
                    if let Some(e) = e {
                        out.push(e);
                        j += 2;
                        continue;
                    }
                }
                out.push(a[j]);
                j += 1;
            }
        } else {
            out.extend_from_slice(a);
        }
    }
    if newline {
        out.push(b'\n');
    }
    out
}

fn write_out(sh: &mut Sh, file: &[u8], text: Vec<u8>, append: bool) {
    let path = sh.abs(file);
    let op = if append { Op::Append { path, text } } else { Op::Write { path, text } };
    if let Err(e) = sh.op(op) {
        sh.fail(format!("sh: {}: {}", show(file), strerror(e)));
    }
}

/// A command that runs one op per operand.
fn simple(sh: &mut Sh, name: &str, args: &[Vec<u8>], op: impl Fn(Vec<u8>) -> Op, msg: impl Fn(String, &str) -> String) {
    let (_, ops) = flags(args);
    if ops.is_empty() {
        sh.fail(format!("{name}: missing operand"));
        return;
    }
    for a in &ops {
        if let Err(e) = sh.op(op(sh.abs(a))) {
            sh.fail(msg(show(a), strerror(e)));
        }
    }
}

fn cat(sh: &mut Sh, args: &[Vec<u8>]) {
    let (_, mut files) = flags(args);
    if files.is_empty() {
        files.push(b"-".to_vec());
    }
    let mut out: Vec<u8> = Vec::new();
    // Bytes past what is shown are counted, not kept (`cat BIG BIG ...` stays small).
    let mut hidden = 0;
    for f in &files {
        if f == b"-" {
            out.extend(sh.stdin.take().unwrap_or_default());
            continue;
        }
        let path = sh.abs(f);
        match sh.op(Op::Read { path }) {
            Ok(Reply::Read(data)) => {
                let keep = data.len().min(CAT_LIMIT.saturating_sub(out.len()));
                out.extend_from_slice(&data[..keep]);
                hidden += data.len() - keep;
            }
            Ok(r) => unreachable!("read answers bytes: {r:?}"),
            Err(e) => {
                // Show what came before the error first, as a terminal would.
                flush_text_with(sh, &mut out, std::mem::take(&mut hidden));
                match sh.flavor {
                    Flavor::Busybox => sh.fail(format!("cat: can't open '{}': {}", show(f), strerror(e))),
                    Flavor::Coreutils => sh.fail(format!("cat: {}: {}", show(f), strerror(e))),
                }
            }
        }
    }
    flush_text_with(sh, &mut out, hidden);
}

/// Reads a file for `head`/`tail`/`wc`, or words the error as the command does.
fn read_for(sh: &mut Sh, name: &str, f: &[u8]) -> Option<Vec<u8>> {
    match sh.op(Op::Read { path: sh.abs(f) }) {
        Ok(Reply::Read(data)) => Some(data),
        Ok(r) => unreachable!("read answers bytes: {r:?}"),
        Err(e) => {
            match sh.flavor {
                Flavor::Busybox => sh.fail(format!("{name}: can't open '{}': {}", show(f), strerror(e))),
                Flavor::Coreutils => sh.fail(format!("{name}: cannot open '{}' for reading: {}", show(f), strerror(e))),
            }
            None
        }
    }
}

/// `head -c N FILE` / `tail -c N FILE`: the bytes they print.
fn head_tail(sh: &mut Sh, name: &str, args: &[Vec<u8>]) -> Option<Vec<u8>> {
    // `-c N` bytes; `-n N`, `-nN` or `-N` lines (10 lines when neither is given).
    let mut n: Option<usize> = None;
    let mut lines = true;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if (a == b"-c" || a == b"-n") && i + 1 < args.len() {
            lines = a == b"-n";
            n = parse_size(&args[i + 1]).map(|v| v as usize);
            if n.is_none() {
                sh.fail(format!("{name}: invalid number '{}'", show(&args[i + 1])));
                return None;
            }
            i += 2;
            continue;
        }
        let num = a.strip_prefix(b"-n").or_else(|| a.strip_prefix(b"-")).filter(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit));
        if let Some(d) = num {
            n = parse_size(d).map(|v| v as usize);
            lines = true;
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let n = n.unwrap_or(10);
    if files.is_empty() {
        files.push(b"-".to_vec());
    }
    // The bytes of `data` head or tail keeps.
    let cut = |data: &[u8]| -> Vec<u8> {
        if !lines {
            return if name == "head" { data[..n.min(data.len())].to_vec() } else { data[data.len().saturating_sub(n)..].to_vec() };
        }
        if name == "head" {
            let end = data.iter().enumerate().filter(|(_, &c)| c == b'\n').nth(n.saturating_sub(1)).map_or(data.len(), |(k, _)| k + 1);
            if n == 0 {
                return Vec::new();
            }
            data[..end].to_vec()
        } else {
            let body = data.strip_suffix(b"\n").unwrap_or(data);
            let start = if n == 0 { data.len() } else { body.iter().enumerate().rev().filter(|(_, &c)| c == b'\n').nth(n - 1).map_or(0, |(k, _)| k + 1) };
            data[start..].to_vec()
        }
    };
    let mut out = Vec::new();
    for f in &files {
        if f == b"/dev/zero" {
            // Zeros are made in memory: past the largest file the container holds, the
            // bytes could go nowhere (the write would fail with EFBIG anyway).
            if !lines && (out.len() as u64).saturating_add(n as u64) > super::MAX_FILE_SIZE {
                sh.fail(format!("{name}: /dev/zero: {}", strerror(Errno::EFBIG)));
                return None;
            }
            if !lines {
                out.resize(out.len() + n, 0);
            }
            continue;
        }
        if f == b"-" {
            let data = sh.stdin.take().unwrap_or_default();
            out.extend(cut(&data));
            continue;
        }
        let data = read_for(sh, name, f)?;
        if (out.len() as u64).saturating_add(n.min(data.len()) as u64) > super::MAX_FILE_SIZE {
            sh.fail(format!("{name}: {}: {}", show(f), strerror(Errno::EFBIG)));
            return None;
        }
        out.extend(cut(&data));
    }
    Some(out)
}

/// `wc -c FILE...`: `N FILE` per file; `wc -c|-l|-w` of stdin: the number alone.
fn wc(sh: &mut Sh, args: &[Vec<u8>]) {
    let (f, files) = flags(args);
    if files.is_empty() {
        let d = sh.stdin.take().unwrap_or_default();
        let n = if f.contains('l') {
            d.iter().filter(|&&c| c == b'\n').count()
        } else if f.contains('w') {
            d.split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).count()
        } else {
            d.len()
        };
        sh.say(n.to_string());
        return;
    }
    for f in &files {
        if let Some(d) = read_for(sh, "wc", f) {
            sh.say(format!("{} {}", d.len(), show(f)));
        }
    }
}

fn flush_text(sh: &mut Sh, out: &mut Vec<u8>) {
    flush_text_with(sh, out, 0);
}

/// Prints `out` (at most [`CAT_LIMIT`] bytes of it), then how many bytes were not shown:
/// those past the limit and `hidden` more the caller did not keep.
fn flush_text_with(sh: &mut Sh, out: &mut Vec<u8>, hidden: usize) {
    if out.is_empty() && hidden == 0 {
        return;
    }
    if let Some(ch) = &mut sh.chunks {
        ch.push((1, std::mem::take(out)));
        return;
    }
    let extra = out.len().saturating_sub(CAT_LIMIT);
    let text = String::from_utf8_lossy(&out[..out.len() - extra]).into_owned();
    let open = !text.ends_with('\n');
    let text = text.strip_suffix('\n').unwrap_or(&text);
    for l in text.split('\n') {
        sh.say(l);
    }
    sh.run.open_line = open;
    if extra + hidden > 0 {
        sh.say(format!("… ({} more bytes not shown)", extra + hidden));
    }
    out.clear();
}

/// busybox `ls [-R] DIR...` writing to a pipe: one raw name a line; with `-R` every directory
/// gets a `DIR:` header, its names, then its subdirectories in order, a blank line between.
/// busybox `ls` (not `-l`), as `ls.c` does it: every operand is stat'ed first (a missing one
/// is reported then), the non-directories are listed (sorted), then each directory (sorted),
/// under a `DIR:` header when more than one operand was given (a blank line between groups);
/// names print with every byte outside printable ASCII as `?` (busybox in the C locale:
/// `printable_string`).
fn ls_busybox(sh: &mut Sh, f: &str, paths: Vec<Vec<u8>>) {
    let all = f.contains('a') || f.contains('A');
    let recursive = f.contains('R');
    let headers = paths.len() > 1 || recursive;
    let printable = |n: &[u8]| -> String { n.iter().map(|&c| if (0x20..0x7f).contains(&c) { c as char } else { '?' }).collect() };
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut dirs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for a in &paths {
        let abs = sh.abs(a);
        match sh.stat(&abs) {
            Ok(st) if st.kind == TypeChar::Dir => dirs.push((a.clone(), abs)),
            Ok(_) => files.push(a.clone()),
            Err(e) => {
                sh.log_error("stat", e);
                sh.fail(format!("ls: {}: {}", show(a), strerror(e)));
            }
        }
    }
    files.sort();
    dirs.sort();
    for n in &files {
        sh.say(printable(n));
    }
    let mut first = files.is_empty();
    let mut queue = dirs;
    queue.reverse();
    while let Some((shown, path)) = queue.pop() {
        match sh.names(&path) {
            Ok(names) => {
                if headers {
                    if !first {
                        sh.say("");
                    }
                    sh.say(format!("{}:", String::from_utf8_lossy(&shown)));
                }
                first = false;
                let mut names: Vec<Vec<u8>> = names.into_iter().filter(|n| all || !n.starts_with(b".")).collect();
                // `-a` lists `.` and `..` first (`-A` would not); -R never descends into them.
                let dots = if f.contains('a') { 2 } else { 0 };
                if dots > 0 {
                    names.splice(0..0, [b".".to_vec(), b"..".to_vec()]);
                }
                let mut subdirs = Vec::new();
                for (i, n) in names.iter().enumerate() {
                    sh.say(printable(n));
                    if i < dots {
                        continue;
                    }
                    let child = join(&path, n);
                    if recursive && sh.stat(&child).is_ok_and(|st| st.kind == TypeChar::Dir) {
                        subdirs.push((join(&shown, n), child));
                    }
                }
                for d in subdirs.into_iter().rev() {
                    queue.push(d);
                }
            }
            Err(e) => {
                sh.log_error("readdir", e);
                sh.fail(format!("ls: {}: {}", show(&shown), strerror(e)));
            }
        }
    }
}

fn ls(sh: &mut Sh, args: &[Vec<u8>]) {
    let (f, mut paths) = flags(args);
    if sh.flavor == Flavor::Busybox && !f.contains('l') {
        if paths.is_empty() {
            paths.push(b".".to_vec());
        }
        ls_busybox(sh, &f, paths);
        return;
    }
    let long_listing = f.contains('l');
    let all = f.contains('a');
    if paths.is_empty() {
        paths.push(b".".to_vec());
    }
    let many = paths.len() > 1;
    for (k, a) in paths.iter().enumerate() {
        let path = sh.abs(a);
        match sh.names(&path) {
            Ok(mut names) => {
                if many {
                    if k > 0 {
                        sh.say("");
                    }
                    sh.say(format!("{}:", quote_name(a)));
                }
                if all {
                    names.splice(0..0, [b".".to_vec(), b"..".to_vec()]);
                }
                if !long_listing {
                    if !names.is_empty() {
                        sh.say(names.iter().map(|n| quote_name(n)).collect::<Vec<_>>().join("  "));
                    }
                    continue;
                }
                sh.say(format!("total {}", names.len()));
                for n in names {
                    let child = if n == b"." || n == b".." { path.clone() } else { join(&path, &n) };
                    match sh.stat(&child) {
                        Ok(st) => sh.say(long(&st, &n)),
                        Err(e) => sh.fail(format!("ls: cannot access '{}': {}", show(&child), strerror(e))),
                    }
                }
            }
            Err(Errno::ENOTDIR) => match sh.stat(&path) {
                Ok(st) => sh.say(if long_listing { long(&st, a) } else { quote_name(a) }),
                Err(e) => sh.fail(format!("ls: cannot access '{}': {}", show(a), strerror(e))),
            },
            Err(e) => {
                sh.log_error("readdir", e);
                sh.fail(format!("ls: cannot access '{}': {}", show(a), strerror(e)));
            }
        }
    }
}

/// `stat -c FORMAT`: `%n` name, `%s` size, `%h` links, `%a` octal mode, `%A` mode string,
/// `%u`/`%g` owner, `%F` type, `%N` quoted name, `%%`.
fn stat_format(fmt: &str, st: &Stat, name: &[u8]) -> String {
    let mut o = String::new();
    let mut it = fmt.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            o.push(c);
            continue;
        }
        match it.next() {
            Some('n') => o.push_str(&String::from_utf8_lossy(name)),
            Some('N') => o.push_str(&format!("'{}'", String::from_utf8_lossy(name))),
            Some('s') => o.push_str(&shown_size(st).to_string()),
            Some('h') => o.push_str(&st.nlink.to_string()),
            Some('a') => o.push_str(&format!("{:o}", st.mode)),
            Some('A') => o.push_str(&mode_string(st)),
            Some('u') => o.push_str(&st.uid.to_string()),
            Some('g') => o.push_str(&st.gid.to_string()),
            Some('Y') => o.push_str(&st.mtime.to_string()),
            Some('F') => o.push_str(type_name(st)),
            Some('%') => o.push('%'),
            Some(x) => {
                o.push('?');
                o.push(x);
            }
            None => o.push('%'),
        }
    }
    o
}

fn stat(sh: &mut Sh, args: &[Vec<u8>]) {
    if let Some(k) = args.iter().position(|a| a == b"-c") {
        let fmt = args.get(k + 1).map(|f| String::from_utf8_lossy(f).into_owned()).unwrap_or_default();
        let paths: Vec<Vec<u8>> = args.iter().enumerate().filter(|(i, _)| *i != k && *i != k + 1).map(|(_, a)| a.clone()).collect();
        for a in &paths {
            match sh.stat(&sh.abs(a)) {
                Ok(st) => sh.say(stat_format(&fmt, &st, a)),
                Err(e) => {
                    sh.log_error("lstat", e);
                    match sh.flavor {
                        Flavor::Busybox => sh.fail(format!("stat: can't stat '{}': {}", show(a), strerror(e))),
                        Flavor::Coreutils => sh.fail(format!("stat: cannot statx '{}': {}", show(a), strerror(e))),
                    }
                }
            }
        }
        return;
    }
    let (_, paths) = flags(args);
    if paths.is_empty() {
        sh.fail("stat: missing operand");
        return;
    }
    for a in &paths {
        match sh.stat(&sh.abs(a)) {
            Ok(st) => {
                let mut file = format!("  File: {}", quote_name(a));
                if let Some(t) = &st.target {
                    file.push_str(" -> ");
                    file.push_str(&quote_name(t));
                }
                sh.say(file);
                sh.say(format!("  Size: {:<15} Links: {:<6} {}", shown_size(&st), st.nlink, type_name(&st)));
                sh.say(format!("Access: ({:04o}/{})  Uid: ({:>5})   Gid: ({:>5})", st.mode, mode_string(&st), st.uid, st.gid));
            }
            Err(e) => {
                sh.log_error("lstat", e);
                sh.fail(format!("stat: cannot statx '{}': {}", show(a), strerror(e)));
            }
        }
    }
}

fn mkdir(sh: &mut Sh, args: &[Vec<u8>]) {
    let (f, dirs) = flags(args);
    if dirs.is_empty() {
        sh.fail("mkdir: missing operand");
        return;
    }
    let parents = f.contains('p');
    for a in &dirs {
        let path = sh.abs(a);
        if parents {
            // Each missing ancestor in turn; an existing directory is fine.
            let comps: Vec<&[u8]> = components(&path).collect();
            let mut cur = Vec::new();
            for c in comps {
                cur.push(b'/');
                cur.extend_from_slice(c);
                if sh.is_dir(&cur) {
                    continue;
                }
                if let Err(e) = sh.op(Op::Mkdir { path: cur.clone() }) {
                    sh.fail(if sh.flavor == Flavor::Busybox { format!("mkdir: can't create directory '{}': {}", show(a), strerror(e)) } else { format!("mkdir: cannot create directory '{}': {}", show(a), strerror(e)) });
                    break;
                }
            }
        } else if let Err(e) = sh.op(Op::Mkdir { path }) {
            sh.fail(if sh.flavor == Flavor::Busybox { format!("mkdir: can't create directory '{}': {}", show(a), strerror(e)) } else { format!("mkdir: cannot create directory '{}': {}", show(a), strerror(e)) });
        }
    }
}

fn rm(sh: &mut Sh, args: &[Vec<u8>]) {
    let (f, paths) = flags(args);
    let recursive = f.contains('r') || f.contains('R');
    let force = f.contains('f');
    if paths.is_empty() {
        if !force {
            sh.fail("rm: missing operand");
        }
        return;
    }
    for a in &paths {
        let path = sh.abs(a);
        if path.iter().all(|&b| b == b'/') && recursive {
            sh.fail("rm: it is dangerous to operate recursively on '/'");
            continue;
        }
        let op = if recursive { Op::RmR { path } } else { Op::Unlink { path } };
        let r = if force { sh.op_quiet(op.clone()) } else { sh.op(op.clone()) };
        match r {
            Ok(_) => {}
            Err(Errno::ENOENT) if force => {}
            Err(e) => {
                if force {
                    // Put back the error event the quiet run dropped: it was not ignored.
                    let call = if recursive { "rm -r" } else { "unlink" };
                    sh.log_error(call, e);
                }
                match sh.flavor {
                    Flavor::Busybox => sh.fail(format!("rm: can't remove '{}': {}", show(a), strerror(e))),
                    Flavor::Coreutils => sh.fail(format!("rm: cannot remove '{}': {}", show(a), strerror(e))),
                }
            }
        }
    }
}

fn mv(sh: &mut Sh, args: &[Vec<u8>]) {
    let (f, ops) = flags(args);
    if ops.len() < 2 {
        sh.fail(if ops.is_empty() { "mv: missing file operand".to_string() } else { format!("mv: missing destination file operand after '{}'", show(&ops[0])) });
        return;
    }
    // -T: DST is the new name, never a directory to move into (rename(2) semantics).
    let no_target_dir = f.contains('T');
    if no_target_dir && ops.len() > 2 {
        sh.fail(format!("mv: extra operand '{}'", show(&ops[2])));
        return;
    }
    let (srcs, dst) = ops.split_at(ops.len() - 1);
    let dst = &dst[0];
    let into = !no_target_dir && sh.is_dir(&sh.abs(dst));
    if srcs.len() > 1 && !into {
        sh.fail(format!("mv: target '{}': Not a directory", show(dst)));
        return;
    }
    for s in srcs {
        let src = sh.abs(s);
        if let Err(e) = sh.stat(&src) {
            sh.log_error("rename", e);
            sh.fail(format!("mv: cannot stat '{}': {}", show(s), strerror(e)));
            continue;
        }
        let (to, shown) = if into {
            let t = join(&sh.abs(dst), basename(&src));
            let shown = show(&join(dst, basename(&src)));
            (t, shown)
        } else {
            (sh.abs(dst), show(dst))
        };
        if let Err(e) = sh.op(Op::Mv { src, dst: to }) {
            sh.fail(format!("mv: cannot move '{}' to '{}': {}", show(s), shown, strerror(e)));
        }
    }
}

fn ln(sh: &mut Sh, args: &[Vec<u8>]) {
    let (f, ops) = flags(args);
    let symbolic = f.contains('s');
    if ops.is_empty() || ops.len() > 2 {
        sh.fail(if ops.is_empty() { "ln: missing file operand".to_string() } else { format!("ln: target '{}': Not a directory", show(&ops[ops.len() - 1])) });
        return;
    }
    let target = &ops[0];
    let (link, shown) = match ops.get(1) {
        Some(l) if sh.is_dir(&sh.abs(l)) => (join(&sh.abs(l), basename(target)), show(&join(l, basename(target)))),
        Some(l) => (sh.abs(l), show(l)),
        None => (join(&sh.cwd, basename(target)), show(basename(target))),
    };
    if symbolic {
        if let Err(e) = sh.op(Op::Symlink { target: target.clone(), path: link }) {
            sh.fail(format!("ln: failed to create symbolic link '{shown}': {}", strerror(e)));
        }
        return;
    }
    if let Err(e) = sh.stat(&sh.abs(target)) {
        sh.log_error("link", e);
        sh.fail(format!("ln: failed to access '{}': {}", show(target), strerror(e)));
        return;
    }
    if let Err(e) = sh.op(Op::Link { src: sh.abs(target), dst: link }) {
        sh.fail(format!("ln: failed to create hard link '{shown}' => '{}': {}", show(target), strerror(e)));
    }
}

fn chmod(sh: &mut Sh, args: &[Vec<u8>]) {
    // A symbolic mode like `-x` looks like a flag: take the first word as the mode.
    if args.len() < 2 {
        sh.fail(if args.is_empty() { "chmod: missing operand".to_string() } else { format!("chmod: missing operand after '{}'", show(&args[0])) });
        return;
    }
    let spec = show(&args[0]);
    for a in &args[1..] {
        let path = sh.abs(a);
        let old = match sh.stat(&path) {
            Ok(st) => st.mode,
            Err(e) => {
                sh.log_error("chmod", e);
                sh.fail(format!("chmod: cannot access '{}': {}", show(a), strerror(e)));
                continue;
            }
        };
        let Some(mode) = chmod_mode(&spec, old) else {
            sh.fail(format!("chmod: invalid mode: '{spec}'"));
            return;
        };
        if let Err(e) = sh.op(Op::Chmod { mode, path }) {
            sh.fail(if sh.flavor == Flavor::Busybox { format!("chmod: {}: {}", show(a), strerror(e)) } else { format!("chmod: changing permissions of '{}': {}", show(a), strerror(e)) });
        }
    }
}

fn chown(sh: &mut Sh, args: &[Vec<u8>]) {
    let (_, ops) = flags(args);
    if ops.len() < 2 {
        sh.fail(if ops.is_empty() { "chown: missing operand".to_string() } else { format!("chown: missing operand after '{}'", show(&ops[0])) });
        return;
    }
    let spec = show(&ops[0]);
    let (u, g) = match spec.split_once([':', '.']) {
        Some((u, g)) => (u, Some(g)),
        None => (spec.as_str(), None),
    };
    let uid = if u.is_empty() { None } else { Some(parse_id(u)) };
    let gid = g.filter(|g| !g.is_empty()).map(parse_id);
    if uid == Some(None) {
        sh.fail(format!("chown: invalid user: '{spec}'"));
        return;
    }
    if gid == Some(None) {
        sh.fail(format!("chown: invalid group: '{spec}'"));
        return;
    }
    for a in &ops[1..] {
        let path = sh.abs(a);
        let st = match sh.stat(&path) {
            Ok(st) => st,
            Err(e) => {
                sh.log_error("chown", e);
                sh.fail(format!("chown: cannot access '{}': {}", show(a), strerror(e)));
                continue;
            }
        };
        let op = Op::Chown { uid: uid.flatten().unwrap_or(st.uid), gid: gid.flatten().unwrap_or(st.gid), path };
        if let Err(e) = sh.op(op) {
            sh.fail(if sh.flavor == Flavor::Busybox { format!("chown: {}: {}", show(a), strerror(e)) } else { format!("chown: changing ownership of '{}': {}", show(a), strerror(e)) });
        }
    }
}

fn truncate(sh: &mut Sh, args: &[Vec<u8>]) {
    // truncate [-c] -s SIZE FILE... (also -sSIZE and --size=SIZE; -c/--no-create)
    let mut size = None;
    let mut create = true;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == b"-s" || a == b"--size" {
            size = args.get(i + 1).cloned();
            i += 2;
            continue;
        }
        if a == b"-c" || a == b"--no-create" {
            create = false;
        } else if let Some(s) = a.strip_prefix(b"--size=").or_else(|| a.strip_prefix(b"-s")) {
            size = Some(s.to_vec());
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let Some(size_arg) = size else {
        sh.fail("truncate: you must specify either '--size' or '--reference'");
        return;
    };
    let Some(size) = parse_size(&size_arg) else {
        sh.fail(format!("truncate: Invalid number: '{}'", show(&size_arg)));
        return;
    };
    if files.is_empty() {
        sh.fail("truncate: missing file operand");
        return;
    }
    for f in &files {
        let path = sh.abs(f);
        // coreutils opens with O_CREAT: a missing file is created empty first (with -c it is
        // left alone, silently).
        if sh.stat(&path) == Err(Errno::ENOENT) {
            if !create {
                continue;
            }
            if let Err(e) = sh.op(Op::Write { path: path.clone(), text: Vec::new() }) {
                sh.fail(format!("truncate: cannot open '{}' for writing: {}", show(f), strerror(e)));
                continue;
            }
        }
        if let Err(e) = sh.op(Op::Truncate { path, size }) {
            sh.fail(format!("truncate: cannot open '{}' for writing: {}", show(f), strerror(e)));
        }
    }
}

#[cfg(test)]
mod sh_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::Config;
    use crate::tree::{Content, Kind, Node, Tree, ROOT};
    use crate::union::Stack;
    use std::sync::Arc;

    fn put(t: &mut Tree, path: &str, node: Node) {
        t.insert_path(path.as_bytes(), node);
    }

    /// A lower layer with /etc/motd ("hello\n"), /bin/sh and an empty dir /srv.
    fn container(config: Config) -> Container {
        let file = |data: &[u8]| Node::new(Kind::File(Content::Bytes(Arc::from(data))), 0o644, 0, 0);
        let mut t = Tree::new();
        put(&mut t, "/etc/motd", file(b"hello\n"));
        put(&mut t, "/bin/sh", file(b"#!"));
        put(&mut t, "/srv", Node::dir(0o755, 0, 0));
        Container::new(Stack::new(vec![Arc::new(t)]), config)
    }

    fn sh(c: &mut Container, line: &str) -> Run {
        run(c, line)
    }

    /// The Docker docs' two-descriptor case, as the kernel (4.19 and later) runs it: the
    /// read-only descriptor opened before the copy-up reads the copy (tests/scenarios/fd-*).
    #[test]
    fn descriptors_outlive_lines_and_follow_the_copy_up() {
        let mut c = container(Config::Default);
        let r = sh(&mut c, "exec 3< /etc/motd");
        assert!(r.output.is_empty() && r.events.is_empty(), "{r:?}");
        assert!(c.upper().lookup(b"etc/motd").is_none(), "a read-only open copies nothing up");
        let r = sh(&mut c, "exec 4<>/etc/motd");
        assert!(r.events.iter().any(|e| matches!(e, Event::CopyUp { path, .. } if path == b"/etc/motd")), "{r:?}");
        sh(&mut c, "echo -n HE >&4");
        assert_eq!(sh(&mut c, "cat <&3").output, vec!["HEllo"]);
        // fd 3 is at the end now; fd 4's offset is its own.
        assert_eq!(sh(&mut c, "cat <&3").output, Vec::<String>::new());
        assert_eq!(sh(&mut c, "cat <&4").output, vec!["llo"]);
        assert_eq!(sh(&mut c, "cat < /etc/motd").output, vec!["HEllo"]);
        // Closed, unknown and wrong-way descriptors, in bash's words.
        sh(&mut c, "exec 3<&-");
        assert_eq!(sh(&mut c, "cat <&3").output, vec!["sh: 3: Bad file descriptor"]);
        sh(&mut c, "exec 5< /etc/motd");
        assert_eq!(sh(&mut c, "echo x >&5").output, vec!["sh: echo: write error: Bad file descriptor"]);
        assert_eq!(sh(&mut c, "exec 6< /nope").output, vec!["sh: /nope: No such file or directory"]);
        assert!(sh(&mut c, "exec 1< /etc/motd").output[0].contains("3 and up"));
        // An unlinked file lives on while open.
        sh(&mut c, "exec 7> /tmpfile");
        sh(&mut c, "echo kept >&7");
        sh(&mut c, "exec 8< /tmpfile");
        sh(&mut c, "rm /tmpfile");
        assert_eq!(sh(&mut c, "cat <&8").output, vec!["kept"]);
        assert!(c.upper().lookup(b"tmpfile").is_none());
    }

    #[test]
    fn echo_redirect_copies_up_and_cat_reads_back() {
        let mut c = container(Config::Default);
        let r = sh(&mut c, "echo hi there >> /etc/motd");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert!(r.changed);
        assert!(r.events.iter().any(|e| matches!(e, Event::CopyUp { path, bytes: 6, .. } if path == b"/etc/motd")), "{:?}", r.events);
        assert_eq!(r.bytes_copied, 6);
        let r = sh(&mut c, "cat etc/motd");
        assert_eq!(r.output, vec!["hello", "hi there"]);
        let r = sh(&mut c, "echo -n 'a  b' > /new");
        assert_eq!(r.status, 0);
        assert_eq!(c.read_file(b"/new").unwrap(), b"a  b");
        assert!(c.diff().unwrap().iter().any(|l| l.ends_with(" /new")));
    }

    #[test]
    fn errors_are_worded_like_coreutils() {
        let mut c = container(Config::Default);
        let cases = [
            ("rm /x", "rm: cannot remove '/x': No such file or directory"),
            ("mkdir /etc", "mkdir: cannot create directory '/etc': File exists"),
            ("rm /etc", "rm: cannot remove '/etc': Is a directory"),
            ("rmdir /etc", "rmdir: failed to remove '/etc': Directory not empty"),
            ("cat /nope", "cat: /nope: No such file or directory"),
            ("cat /etc", "cat: /etc: Is a directory"),
            ("ls /nope", "ls: cannot access '/nope': No such file or directory"),
            ("touch /a/b", "touch: cannot touch '/a/b': No such file or directory"),
            ("mv /x /y", "mv: cannot stat '/x': No such file or directory"),
            ("ln /x /y", "ln: failed to access '/x': No such file or directory"),
            ("ln -s /x /etc/motd", "ln: failed to create symbolic link '/etc/motd': File exists"),
            ("chmod 755 /x", "chmod: cannot access '/x': No such file or directory"),
            ("chmod q+x /etc/motd", "chmod: invalid mode: 'q+x'"),
            ("chown 1:2 /x", "chown: cannot access '/x': No such file or directory"),
            ("stat /x", "stat: cannot statx '/x': No such file or directory"),
            ("echo x > /no/file", "sh: /no/file: No such file or directory"),
            ("echo x > /etc", "sh: /etc: Is a directory"),
            ("frobnicate", "sh: frobnicate: command not found"),
            ("truncate -s 1 /no/f", "truncate: cannot open '/no/f' for writing: No such file or directory"),
        ];
        for (line, want) in cases {
            let r = sh(&mut c, line);
            assert_eq!(r.output, vec![want.to_string()], "{line}");
            assert_eq!(r.status, 1, "{line}");
            assert!(!r.changed, "{line}");
        }
        // Failures are logged as error events.
        let r = sh(&mut c, "rm /x");
        assert!(matches!(r.events[..], [Event::Error { errno: Errno::ENOENT, .. }]), "{:?}", r.events);
        // ... unless the command ignores them.
        let r = sh(&mut c, "rm -f /x");
        assert!(r.events.is_empty() && r.output.is_empty() && r.status == 0);
        assert!(c.upper_listing().unwrap().len() == 1, "nothing was written: {:?}", c.upper_listing());
    }

    #[test]
    fn mv_t_renames_over_an_empty_dir_instead_of_moving_into_it() {
        let mut c = container(Config::Redirect);
        assert_eq!(sh(&mut c, "mkdir /d").status, 0);
        let r = sh(&mut c, "mv -T /srv /d");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert_eq!(sh(&mut c, "ls").output, vec!["bin  d  etc"]);
        let r = sh(&mut c, "mv -T /d /etc /bin");
        assert_eq!(r.output, vec!["mv: extra operand '/bin'"]);
        // Without -T the destination directory is moved into.
        assert_eq!(sh(&mut c, "mkdir /e").status, 0);
        assert_eq!(sh(&mut c, "mv /d /e").status, 0);
        assert_eq!(sh(&mut c, "ls /e").output, vec!["d"]);
    }

    #[test]
    fn rm_of_a_lower_file_whites_it_out() {
        let mut c = container(Config::Default);
        let r = sh(&mut c, "rm bin/sh");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert!(r.events.iter().any(|e| matches!(e, Event::Whiteout { path, .. } if path == b"/bin/sh")), "{:?}", r.events);
        assert_eq!(c.diff().unwrap().iter().filter(|l| l.contains(".wh.sh")).count(), 1);
        assert_eq!(sh(&mut c, "ls /bin").output, Vec::<String>::new());
        let r = sh(&mut c, "rm -r /etc");
        assert_eq!(r.status, 0);
        assert_eq!(sh(&mut c, "ls").output, vec!["bin  srv"]);
    }

    #[test]
    fn ls_long_stat_and_metadata_commands() {
        let mut c = container(Config::Default);
        assert_eq!(sh(&mut c, "ls -l /etc").output, vec!["total 1", "-rw-r--r-- 1 0 0      6 motd"]);
        assert_eq!(sh(&mut c, "ls /etc/motd").output, vec!["/etc/motd"]);
        let r = sh(&mut c, "chmod u+x,g-r /etc/motd");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert!(r.events.iter().any(|e| matches!(e, Event::CopyUp { .. })));
        let r = sh(&mut c, "chown 1000 /etc/motd");
        assert_eq!(r.status, 0);
        let st = sh(&mut c, "stat /etc/motd").output;
        assert_eq!(st[0], "  File: /etc/motd");
        assert!(st[1].contains("regular file"), "{st:?}");
        assert_eq!(st[2], "Access: (0704/-rwx---r--)  Uid: ( 1000)   Gid: (    0)");
        sh(&mut c, "ln -s motd /etc/link");
        assert_eq!(sh(&mut c, "readlink /etc/link").output, vec!["motd"]);
        assert_eq!(sh(&mut c, "ls -l /etc/link").output, vec!["lrwxrwxrwx 1 0 0      4 /etc/link -> motd"]);
        sh(&mut c, "ln /etc/motd /srv");
        assert_eq!(sh(&mut c, "ls -l /srv").output, vec!["total 1", "-rwx---r-- 2 1000 0      6 motd"]);
    }

    #[test]
    fn mkdir_p_mv_into_dir_and_truncate() {
        let mut c = container(Config::Default);
        let r = sh(&mut c, "mkdir -p /a/b/c /etc");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert_eq!(sh(&mut c, "ls /a/b").output, vec!["c"]);
        let r = sh(&mut c, "mv /etc/motd /a");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert_eq!(sh(&mut c, "cat /a/motd").output, vec!["hello"]);
        let r = sh(&mut c, "truncate -s 2K /a/big");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert!(sh(&mut c, "stat /a/big").output[1].starts_with("  Size: 2048 "));
        // A lower directory cannot be renamed without redirect_dir: mv copies it instead.
        let r = sh(&mut c, "mv /bin /sbin");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert!(r.events.iter().any(|e| matches!(e, Event::MvFallback { .. })), "{:?}", r.events);
        let mut c = container(Config::Redirect);
        let r = sh(&mut c, "mv /bin /sbin");
        // The redirect is reported on the entry where it now is (the kernel's upper dir has the
        // xattr on /sbin), with the old name as its value.
        assert!(r.events.iter().any(|e| matches!(e, Event::RedirectSet { path, value } if path == b"/sbin" && value == b"bin")), "{:?}", r.events);
    }

    /// A lower dir /d holding names a text round trip gets wrong: a space, a backslash, a
    /// newline, a byte that is not UTF-8, and symlinks whose targets hold such bytes.
    fn odd_names() -> Container {
        let file = |data: &[u8]| Node::new(Kind::File(Content::Bytes(Arc::from(data))), 0o644, 0, 0);
        let link = |t: &[u8]| Node::new(Kind::Symlink(t.into()), 0o777, 0, 0);
        let mut t = Tree::new();
        let d = t.insert(ROOT, b"d", Node::dir(0o755, 0, 0));
        t.insert(d, b"a b", file(b"one\n"));
        t.insert(d, b"back\\slash", file(b"two\n"));
        t.insert(d, b"bad\xff", file(b"three\n"));
        t.insert(d, b"nl\nname", file(b"four\n"));
        t.insert(d, b"lnk", link(b"a b"));
        t.insert(d, b"lnk2", link(b"t\xff"));
        t.insert(d, b"lnk3", link(b"x\ny"));
        Container::new(Stack::new(vec![Arc::new(t)]), Config::Default)
    }

    #[test]
    fn ls_shows_odd_names_quoted_and_long_listing_stats_them() {
        let mut c = odd_names();
        let r = sh(&mut c, "ls /d");
        assert_eq!(r.output, vec![r"'a b'  'back\slash'  'bad'$'\377'  lnk  lnk2  lnk3  'nl'$'\n''name'"]);
        let r = sh(&mut c, "ls -l /d");
        assert_eq!(r.status, 0, "{:?}", r.output);
        assert_eq!(
            r.output,
            vec![
                "total 7",
                "-rw-r--r-- 1 0 0      4 'a b'",
                r"-rw-r--r-- 1 0 0      4 'back\slash'",
                r"-rw-r--r-- 1 0 0      6 'bad'$'\377'",
                "lrwxrwxrwx 1 0 0      3 lnk -> 'a b'",
                r"lrwxrwxrwx 1 0 0      2 lnk2 -> 't'$'\377'",
                r"lrwxrwxrwx 1 0 0      3 lnk3 -> 'x'$'\n''y'",
                r"-rw-r--r-- 1 0 0      5 'nl'$'\n''name'",
            ]
        );
        assert_eq!(sh(&mut c, "ls -l '/d/a b'").output, vec!["-rw-r--r-- 1 0 0      4 '/d/a b'"]);
        assert!(c.upper_listing().unwrap().len() == 1, "nothing was copied up");
    }

    #[test]
    fn stat_cat_and_readlink_of_odd_names() {
        let mut c = odd_names();
        let st = sh(&mut c, "stat '/d/a b' /d/lnk").output;
        assert_eq!(st[0], "  File: '/d/a b'");
        assert_eq!(st[1], "  Size: 4               Links: 1      regular file");
        assert_eq!(st[3], "  File: /d/lnk -> 'a b'");
        assert_eq!(st[4], "  Size: 3               Links: 1      symbolic link");
        let st = sh(&mut c, "stat \"/d/nl\nname\"").output;
        assert_eq!(st[0], r"  File: '/d/nl'$'\n''name'");
        assert_eq!(sh(&mut c, "cat '/d/a b' /d/back\\\\slash \"/d/nl\nname\"").output, vec!["one", "two", "four"]);
        assert_eq!(sh(&mut c, "readlink /d/lnk").output, vec!["a b"]);
        // A target with a newline prints as two lines, as on a terminal; bytes that are not
        // UTF-8 print as U+FFFD.
        assert_eq!(sh(&mut c, "readlink /d/lnk3").output, vec!["x", "y"]);
        assert_eq!(sh(&mut c, "readlink /d/lnk2").output, vec!["t\u{fffd}"]);
        assert_eq!(sh(&mut c, "cat /d/lnk").output, vec!["one"]);
    }

    #[test]
    fn quote_name_follows_gnu_shell_escape() {
        assert_eq!(quote_name(b"plain-name_1.txt"), "plain-name_1.txt");
        assert_eq!(quote_name("héllo".as_bytes()), "héllo");
        assert_eq!(quote_name(b"a b"), "'a b'");
        assert_eq!(quote_name(b"#x"), "'#x'");
        assert_eq!(quote_name(b"x#"), "x#");
        assert_eq!(quote_name(b"it's"), "\"it's\"");
        assert_eq!(quote_name(b"it's $x"), r"'it'\''s $x'");
        assert_eq!(quote_name(b"a\nb"), r"'a'$'\n''b'");
        assert_eq!(quote_name(b"\x01\xff"), r"$'\001\377'");
        assert_eq!(quote_name(b""), "''");
    }

    #[test]
    fn sh_quote_quotes_for_sh() {
        assert_eq!(sh_quote(b"/etc/motd"), "/etc/motd");
        assert_eq!(sh_quote(b"it's"), "'it'\\''s'");
        assert_eq!(sh_quote(b""), "''");
    }

    #[test]
    fn quoting_and_modes() {
        let t = tokenize(r#"echo "a \"b\"" 'c d'\ e>>f # no"#).unwrap();
        assert_eq!(
            t,
            vec![
                Tok::Word(b"echo".to_vec()),
                Tok::Word(b"a \"b\"".to_vec()),
                Tok::Word(b"c d e".to_vec()),
                Tok::Append,
                Tok::Word(b"f".to_vec())
            ]
        );
        assert!(tokenize("echo 'x").is_err());
        assert_eq!(chmod_mode("755", 0), Some(0o755));
        assert_eq!(chmod_mode("a+x", 0o644), Some(0o755));
        assert_eq!(chmod_mode("go=", 0o755), Some(0o700));
        assert_eq!(chmod_mode("u+s", 0o755), Some(0o4755));
        assert_eq!(chmod_mode("z", 0o755), None);
        assert_eq!(parse_size(b"1M"), Some(1 << 20));
        assert_eq!(parse_size(b"x"), None);
    }

    /// The busybox 1.35 wordings the docker oracle's transcripts show, and `sh -c` lists.
    #[test]
    fn busybox_flavour_words_errors_as_busybox_and_runs_lists() {
        let mut c = container(Config::Default);
        let bb = |c: &mut Container, l: &str| run_script(c, l, Flavor::Busybox);
        let r = bb(&mut c, "cat /nope; rm /gone");
        assert_eq!(r.output, ["cat: can't open '/nope': No such file or directory", "rm: can't remove '/gone': No such file or directory"]);
        assert_eq!(r.status, 1);
        let r = bb(&mut c, "nosuchcmd");
        assert_eq!((r.output.clone(), r.status), (vec!["sh: nosuchcmd: not found".to_string()], 127));
        let r = bb(&mut c, "/srv");
        assert_eq!((r.output.clone(), r.status), (vec!["sh: /srv: Permission denied".to_string()], 126));
        let r = bb(&mut c, "mkdir -p /srv/a/b && echo 12345 > /srv/a/b/pid; head -c 3 /srv/a/b/pid > /srv/h; cat /srv/h; wc -c /srv/a/b/pid");
        // `head -c 3` prints no newline: the next command's output goes on along the same
        // line, as the bytes do on a terminal.
        assert_eq!(r.output, ["1236 /srv/a/b/pid"]);
        assert!(!bb(&mut c, "false && echo no").output.contains(&"no".to_string()));
        let r = bb(&mut c, "ls -R /srv; stat -c '%h %s %n' /etc/motd; tail -c 2 /etc/motd");
        assert_eq!(r.output, ["/srv:", "a", "h", "", "/srv/a:", "b", "", "/srv/a/b:", "pid", "1 6 /etc/motd", "o"]);
        // The same line in coreutils words.
        assert_eq!(run(&mut c, "cat /nope").output, ["cat: /nope: No such file or directory"]);
        assert_eq!(split_list("echo 'a;b' && x || y; z").iter().map(|(o, _)| *o).collect::<Vec<_>>(), [";", "&&", "||", ";"]);
    }

    /// Inputs the `shell` fuzz target found (fuzz/README.md): each once asked for an
    /// allocation as large as a number the script typed.
    #[test]
    fn fuzz_found_sizes_fail_with_efbig_before_allocating() {
        let mut c = container(Config::Default);
        let bb = |c: &mut Container, l: &str| run_script(c, l, Flavor::Busybox);
        let r = bb(&mut c, "head -c 1014000000000000076 /dev/zero > /srv/z");
        assert_eq!((r.output.clone(), r.status), (vec!["head: /dev/zero: File too large".to_string()], 1));
        // Two operands each under the limit, together over it.
        let r = bb(&mut c, "head -c 200M /dev/zero /dev/zero > /srv/z");
        assert_eq!(r.output, ["head: /dev/zero: File too large"]);
        let r = bb(&mut c, "head -c 3 /dev/zero > /srv/z; wc -c /srv/z");
        assert_eq!(r.output, ["3 /srv/z"]);
        for seek in ["99999999999999", "18446744073709551615"] {
            let r = bb(&mut c, &format!("printf ab | dd of=/etc/motd bs=1 seek={seek} conv=notrunc"));
            assert_eq!((r.output.clone(), r.status), (vec!["dd: /etc/motd: File too large".to_string()], 1), "seek={seek}");
        }
        // Nothing was copied up by the refused writes.
        assert_eq!(bb(&mut c, "cat /etc/motd").output, ["hello"]);
    }

    /// Linear input must not buy unbounded memory: the container layer's written bytes stop at
    /// MAX_UPPER_SIZE (ENOSPC, freed again by `rm`), and `cat`/`head` of many big operands
    /// keep only what they show or what a file can hold.
    #[test]
    fn written_bytes_are_bounded_in_all() {
        let mut c = container(Config::Default);
        let bb = |c: &mut Container, l: &str| run_script(c, l, Flavor::Busybox);
        let r = bb(&mut c, "truncate -s 200M /srv/a /srv/b /srv/c");
        assert_eq!(r.status, 1);
        assert_eq!(r.output.len(), 1, "{:?}", r.output);
        assert!(r.output[0].contains("'/srv/c'") && r.output[0].ends_with("No space left on device"), "{:?}", r.output);
        assert_eq!(c.upper_bytes(), 400 << 20);
        assert_eq!(bb(&mut c, "echo x >> /srv/b").status, 0, "room is left below the limit");
        let r = bb(&mut c, "rm /srv/a; truncate -s 100M /srv/c; wc -c /srv/c");
        assert_eq!(r.output, ["104857600 /srv/c"]);
        // 800 MiB through cat: the shell keeps at most its terminal's worth of output.
        let r = bb(&mut c, "cat /srv/b /srv/b /srv/b /srv/b");
        let kept: usize = r.output.iter().map(String::len).sum();
        assert!(kept <= 2 << 20, "{kept} bytes of output kept");
        let r = bb(&mut c, "head -c 200M /srv/b /srv/b > /srv/d");
        assert_eq!(r.output, ["head: /srv/b: File too large"]);
    }
}
