//! The OPS script (SPEC §3): parsing, the canonical echo of SPEC §4, and what each op answers.
//!
//! Rules: the script is bytes split on `\n` (a trailing `\r` dropped, blank lines ignored);
//! tokens are separated by spaces or tabs; `#` at the start of a token comments out the rest of
//! the line; an unquoted token is a run of bytes other than space, tab and `"`; a quoted token
//! knows the escapes `\n \t \\ \" \xHH` only and must be followed by whitespace or the end of the
//! line. PATH starts with `/`, MODE is 1-4 octal digits, SIZE is decimal, UID:GID decimal.
//! The echo prints a token raw if it is non-empty, all bytes 0x21-0x7e except `"` and `\`, and
//! does not start with `#`; otherwise quoted. Parsing an echo gives back the same op.
//! - Beyond SPEC §3: `pwrite PATH OFFSET TEXT`, and descriptors kept open across ops,
//!   `fd-open N MODE PATH` (MODE a shell redirection operator: `<`, `>`, `>>`, `<>`),
//!   `fd-read N SIZE` (result `OK LEN ESCAPED-BYTES`, `OK 0` at the end), `fd-write N TEXT`,
//!   `fd-close N`, N from 0 to [`FD_MAX`]; their kernel semantics are in the recorders
//!   `tests/oracle/overlay_oracle_pwrite.py` and `overlay_oracle_fd.py`.
//! - An op answers a [`Reply`]: `OK`, the errno, or for `read`, `readlink`, `stat` and `ls` the
//!   typed values SPEC §3 adds (content, link target, lstat fields, names). [`Reply::render`]
//!   prints the result line of SPEC §4 (`OK SIZE DIGEST`, `OK ESCAPED-TARGET`, `OK ` + the §5
//!   listing line, `OK` + ` NAME` per name); callers that show values to people format the
//!   typed fields themselves and never parse that line back.

use super::events::Errno;
use crate::error::{Error, Result};
use crate::digest::{sha16, sha256};
use crate::listing::{esc, Line, TypeChar};
use crate::tree::Node;

/// One parsed operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Write { path: Vec<u8>, text: Vec<u8> },
    Append { path: Vec<u8>, text: Vec<u8> },
    /// `pwrite PATH OFFSET TEXT`: write at an offset without truncating (a hole below it if
    /// the file is shorter).
    Pwrite { path: Vec<u8>, offset: u64, text: Vec<u8> },
    CreateExcl { path: Vec<u8>, text: Vec<u8> },
    OpenRw { path: Vec<u8> },
    Read { path: Vec<u8> },
    Truncate { path: Vec<u8>, size: u64 },
    Touch { path: Vec<u8> },
    Mkdir { path: Vec<u8> },
    Rmdir { path: Vec<u8> },
    Unlink { path: Vec<u8> },
    Rename { src: Vec<u8>, dst: Vec<u8> },
    Mv { src: Vec<u8>, dst: Vec<u8> },
    RmR { path: Vec<u8> },
    Link { src: Vec<u8>, dst: Vec<u8> },
    Symlink { target: Vec<u8>, path: Vec<u8> },
    Chmod { mode: u32, path: Vec<u8> },
    Chown { uid: u32, gid: u32, path: Vec<u8> },
    Readlink { path: Vec<u8> },
    Stat { path: Vec<u8> },
    Ls { path: Vec<u8> },
    /// `fd-open N MODE PATH`: open PATH as the shell's `exec N<PATH` (and `>`, `>>`, `<>`)
    /// does, keeping the file open as descriptor N (one already open as N is closed once the
    /// open succeeded, as `dup2` does).
    FdOpen { fd: u32, mode: FdMode, path: Vec<u8> },
    /// `fd-read N SIZE`: one `read(N, SIZE)` from the descriptor's offset.
    FdRead { fd: u32, size: u64 },
    /// `fd-write N TEXT`: `write(N, TEXT)` in full at the descriptor's offset (the end for `>>`).
    FdWrite { fd: u32, text: Vec<u8> },
    /// `fd-close N`: `close(N)`.
    FdClose { fd: u32 },
}

/// How `fd-open` opens, named by the shell's redirection operator (XCU §2.7): `<` O_RDONLY,
/// `>` O_WRONLY|O_CREAT|O_TRUNC, `>>` O_WRONLY|O_CREAT|O_APPEND, `<>` O_RDWR|O_CREAT (each
/// with the SPEC's O_NONBLOCK|O_CLOEXEC, mode 0644 for a new file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdMode {
    Read,
    Write,
    Append,
    ReadWrite,
}

impl FdMode {
    /// The operator the OPS token and the shell spell it with.
    pub fn token(self) -> &'static str {
        match self {
            FdMode::Read => "<",
            FdMode::Write => ">",
            FdMode::Append => ">>",
            FdMode::ReadWrite => "<>",
        }
    }

    pub fn from_token(t: &[u8]) -> Option<FdMode> {
        [FdMode::Read, FdMode::Write, FdMode::Append, FdMode::ReadWrite].into_iter().find(|m| m.token().as_bytes() == t)
    }

    pub fn reads(self) -> bool {
        matches!(self, FdMode::Read | FdMode::ReadWrite)
    }

    pub fn writes(self) -> bool {
        !matches!(self, FdMode::Read)
    }
}

/// The highest descriptor number an op may name (the default `RLIMIT_NOFILE` is 1024).
pub const FD_MAX: u32 = 1023;

/// An op with the raw tokens it was parsed from (the echo prints these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptOp {
    pub op: Op,
    pub name: &'static str,
    pub tokens: Vec<Vec<u8>>,
    pub line: usize,
}

impl ScriptOp {
    /// The canonical echo (SPEC §4).
    pub fn echo(&self) -> String {
        let mut s = String::from(self.name);
        for t in &self.tokens {
            s.push(' ');
            s.push_str(&echo_token(t));
        }
        s
    }
}

impl Op {
    /// The op as one OPS script line (SPEC §3, tokens echoed as §4 does): [`parse`] of it gives
    /// the op back. How a container's ops travel to another worker (the page's storage-driver
    /// comparison replays them, issue 12).
    pub fn script_line(&self) -> String {
        let t = |b: &[u8]| echo_token(b);
        match self {
            Op::Write { path, text } => format!("write {} {}", t(path), t(text)),
            Op::Append { path, text } => format!("append {} {}", t(path), t(text)),
            Op::Pwrite { path, offset, text } => format!("pwrite {} {offset} {}", t(path), t(text)),
            Op::CreateExcl { path, text } => format!("create-excl {} {}", t(path), t(text)),
            Op::OpenRw { path } => format!("open-rw {}", t(path)),
            Op::Read { path } => format!("read {}", t(path)),
            Op::Truncate { path, size } => format!("truncate {} {size}", t(path)),
            Op::Touch { path } => format!("touch {}", t(path)),
            Op::Mkdir { path } => format!("mkdir {}", t(path)),
            Op::Rmdir { path } => format!("rmdir {}", t(path)),
            Op::Unlink { path } => format!("unlink {}", t(path)),
            Op::Rename { src, dst } => format!("rename {} {}", t(src), t(dst)),
            Op::Mv { src, dst } => format!("mv {} {}", t(src), t(dst)),
            Op::RmR { path } => format!("rm-r {}", t(path)),
            Op::Link { src, dst } => format!("link {} {}", t(src), t(dst)),
            Op::Symlink { target, path } => format!("symlink {} {}", t(target), t(path)),
            Op::Chmod { mode, path } => format!("chmod {:o} {}", mode & 0o7777, t(path)),
            Op::Chown { uid, gid, path } => format!("chown {uid}:{gid} {}", t(path)),
            Op::Readlink { path } => format!("readlink {}", t(path)),
            Op::Stat { path } => format!("stat {}", t(path)),
            Op::Ls { path } => format!("ls {}", t(path)),
            Op::FdOpen { fd, mode, path } => format!("fd-open {fd} {} {}", mode.token(), t(path)),
            Op::FdRead { fd, size } => format!("fd-read {fd} {size}"),
            Op::FdWrite { fd, text } => format!("fd-write {fd} {}", t(text)),
            Op::FdClose { fd } => format!("fd-close {fd}"),
        }
    }
}

/// What one op answered (SPEC §3 results, printed by [`Reply::render`] as SPEC §4 says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The op succeeded and answers nothing more.
    Ok,
    /// `read`: the bytes read to EOF (printed as `OK SIZE DIGEST`).
    Read(Vec<u8>),
    /// `readlink`: the raw link target (printed escaped).
    Readlink(Vec<u8>),
    /// `stat`: what `lstat` said (printed as the §5 listing line).
    Stat(Stat),
    /// `ls`: the names of the directory without `.` and `..`, sorted by bytes (printed escaped).
    Ls(Vec<Vec<u8>>),
    /// `fd-read`: the bytes one `read` returned (printed as `OK SIZE ESCAPED`, `OK 0` at EOF).
    Data(Vec<u8>),
    /// The errno of the call that failed.
    Err(Errno),
}

impl Reply {
    /// The result line of SPEC §4.
    pub fn render(&self) -> String {
        match self {
            Reply::Ok => "OK".into(),
            Reply::Read(data) => format!("OK {} {}", data.len(), sha16(&sha256(data))),
            Reply::Readlink(target) => format!("OK {}", esc(target)),
            Reply::Stat(st) => format!("OK {}", st.line().render()),
            Reply::Ls(names) => {
                let mut s = String::from("OK");
                for n in names {
                    s.push(' ');
                    s.push_str(&esc(n));
                }
                s
            }
            Reply::Data(d) if d.is_empty() => "OK 0".into(),
            Reply::Data(d) => format!("OK {} {}", d.len(), esc(d)),
            Reply::Err(e) => e.name().into(),
        }
    }

    /// The errno, if the op failed.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Reply::Err(e) => Some(*e),
            _ => None,
        }
    }
}

/// The `lstat` of an entry of the merged view: the fields of its SPEC §5 listing line. The
/// overlay xattr markers are absent because overlayfs hides `trusted.overlay.*` in the merged
/// view (§5), which is where `stat` looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// The path as the op gave it (the line shows it so).
    pub path: Vec<u8>,
    pub kind: TypeChar,
    /// `st_mode & 07777` (0777 for a symlink, as `lstat` says).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// `st_size` of a regular file; `None` for every other type.
    pub size: Option<u64>,
    /// SHA-256 of a regular file's content.
    pub digest: Option<[u8; 32]>,
    /// A symlink's raw target.
    pub target: Option<Vec<u8>>,
    /// Major and minor of a char or block device.
    pub rdev: Option<(u32, u32)>,
    /// `st_nlink` of a regular file; 1 for every other type (the listing leaves them out).
    pub nlink: u32,
    /// `st_mtime` as the layer recorded it (seconds; 0 when nothing recorded one).
    pub mtime: i64,
}

impl Stat {
    /// The stat of `node` shown at `path` (fails if a lower file's bytes cannot be digested).
    pub fn of(node: &Node, path: &[u8]) -> Result<Stat> {
        let l = node.line(path, false)?;
        Ok(Stat {
            path: path.to_vec(),
            kind: l.kind,
            mode: if l.kind == TypeChar::Symlink { 0o777 } else { l.mode & 0o7777 },
            uid: l.uid,
            gid: l.gid,
            size: l.size,
            digest: l.digest,
            target: l.target.map(<[u8]>::to_vec),
            rdev: l.rdev,
            nlink: l.nlink,
            mtime: node.mtime,
        })
    }

    /// The listing line (SPEC §5, merged view: no xattr markers).
    pub fn line(&self) -> Line<'_> {
        let mut l = Line::new(self.kind, self.mode, self.uid, self.gid, &self.path);
        l.size = self.size;
        l.digest = self.digest;
        l.target = self.target.as_deref();
        l.rdev = self.rdev;
        l.nlink = self.nlink;
        l
    }
}

#[derive(Clone, Copy)]
enum ArgKind {
    Path,
    Text,
    Size,
    Mode,
    Owner,
    /// A descriptor number, 0 to [`FD_MAX`].
    Fd,
    /// A redirection operator ([`FdMode`]).
    Redir,
}

const OPS: &[(&str, &[ArgKind])] = {
    use ArgKind::*;
    &[
        ("write", &[Path, Text]),
        ("append", &[Path, Text]),
        ("pwrite", &[Path, Size, Text]),
        ("create-excl", &[Path, Text]),
        ("open-rw", &[Path]),
        ("read", &[Path]),
        ("truncate", &[Path, Size]),
        ("touch", &[Path]),
        ("mkdir", &[Path]),
        ("rmdir", &[Path]),
        ("unlink", &[Path]),
        ("rename", &[Path, Path]),
        ("mv", &[Path, Path]),
        ("rm-r", &[Path]),
        ("link", &[Path, Path]),
        ("symlink", &[Text, Path]),
        ("chmod", &[Mode, Path]),
        ("chown", &[Owner, Path]),
        ("readlink", &[Path]),
        ("stat", &[Path]),
        ("ls", &[Path]),
        ("fd-open", &[Fd, Redir, Path]),
        ("fd-read", &[Fd, Size]),
        ("fd-write", &[Fd, Text]),
        ("fd-close", &[Fd]),
    ]
};

fn perr(line: usize, msg: impl std::fmt::Display) -> Error {
    Error::usage(format!("ops line {line}: {msg}"))
}

/// Splits one line into tokens (SPEC §3).
pub fn tokenize(line: &[u8], lineno: usize) -> Result<Vec<Vec<u8>>> {
    let mut toks = Vec::new();
    let n = line.len();
    let mut i = 0;
    while i < n {
        let c = line[i];
        if c == b' ' || c == b'\t' {
            i += 1;
            continue;
        }
        if c == b'#' {
            break;
        }
        if c == b'"' {
            i += 1;
            let mut buf = Vec::new();
            loop {
                if i >= n {
                    return Err(perr(lineno, "unterminated quote"));
                }
                let c = line[i];
                if c == b'"' {
                    i += 1;
                    break;
                }
                if c == b'\\' {
                    if i + 1 >= n {
                        return Err(perr(lineno, "dangling backslash"));
                    }
                    match line[i + 1] {
                        b'n' => buf.push(b'\n'),
                        b't' => buf.push(b'\t'),
                        b'\\' => buf.push(b'\\'),
                        b'"' => buf.push(b'"'),
                        b'x' => {
                            let h = line.get(i + 2..i + 4).unwrap_or(&[]);
                            let v = (h.len() == 2)
                                .then(|| std::str::from_utf8(h).ok())
                                .flatten()
                                .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
                                .and_then(|s| u8::from_str_radix(s, 16).ok());
                            match v {
                                Some(v) => buf.push(v),
                                None => return Err(perr(lineno, "bad \\x escape (two hex digits needed)")),
                            }
                            i += 4;
                            continue;
                        }
                        e => return Err(perr(lineno, format!("bad escape \\{}", esc(&[e])))),
                    }
                    i += 2;
                } else {
                    buf.push(c);
                    i += 1;
                }
            }
            if i < n && line[i] != b' ' && line[i] != b'\t' {
                return Err(perr(lineno, "junk after closing quote"));
            }
            toks.push(buf);
        } else {
            let start = i;
            while i < n && line[i] != b' ' && line[i] != b'\t' {
                if line[i] == b'"' {
                    return Err(perr(lineno, "quote inside unquoted token"));
                }
                i += 1;
            }
            toks.push(line[start..i].to_vec());
        }
    }
    Ok(toks)
}

fn dec(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || !tok.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(tok).ok()?.parse().ok()
}

/// Parses a whole OPS script.
pub fn parse(data: &[u8]) -> Result<Vec<ScriptOp>> {
    let mut out = Vec::new();
    for (idx, line) in data.split(|&b| b == b'\n').enumerate() {
        let lineno = idx + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let toks = tokenize(line, lineno)?;
        if toks.is_empty() {
            continue;
        }
        let Some(&(name, kinds)) = OPS.iter().find(|(n, _)| n.as_bytes() == &toks[0][..]) else {
            return Err(perr(lineno, format!("unknown op '{}'", esc(&toks[0]))));
        };
        if toks.len() - 1 != kinds.len() {
            return Err(perr(lineno, format!("{name} takes {} argument(s)", kinds.len())));
        }
        let args = &toks[1..];
        for (k, t) in kinds.iter().zip(args) {
            match k {
                ArgKind::Path if !t.starts_with(b"/") || t.contains(&0) => {
                    return Err(perr(lineno, format!("path must be absolute: '{}'", esc(t))))
                }
                ArgKind::Size if dec(t).is_none() => return Err(perr(lineno, "bad size")),
                ArgKind::Fd if dec(t).is_none_or(|n| n > FD_MAX as u64) => return Err(perr(lineno, format!("bad descriptor (0 to {FD_MAX})"))),
                ArgKind::Redir if FdMode::from_token(t).is_none() => return Err(perr(lineno, "bad open mode (one of < > >> <>)")),
                ArgKind::Mode if !(1..=4).contains(&t.len()) || !t.iter().all(|b| (b'0'..=b'7').contains(b)) => {
                    return Err(perr(lineno, "bad octal mode"))
                }
                ArgKind::Owner => {
                    let mut parts = t.split(|&b| b == b':');
                    let ok = matches!((parts.next().and_then(dec), parts.next().and_then(dec), parts.next()),
                        (Some(u), Some(g), None) if u <= u32::MAX as u64 && g <= u32::MAX as u64);
                    if !ok {
                        return Err(perr(lineno, "bad UID:GID"));
                    }
                }
                _ => {}
            }
        }
        let a = |i: usize| args[i].clone();
        let fd = |i: usize| dec(&args[i]).unwrap_or(0) as u32;
        let op = match name {
            "write" => Op::Write { path: a(0), text: a(1) },
            "append" => Op::Append { path: a(0), text: a(1) },
            "pwrite" => Op::Pwrite { path: a(0), offset: dec(&args[1]).unwrap_or(0), text: a(2) },
            "create-excl" => Op::CreateExcl { path: a(0), text: a(1) },
            "open-rw" => Op::OpenRw { path: a(0) },
            "read" => Op::Read { path: a(0) },
            "truncate" => Op::Truncate { path: a(0), size: dec(&args[1]).unwrap_or(0) },
            "touch" => Op::Touch { path: a(0) },
            "mkdir" => Op::Mkdir { path: a(0) },
            "rmdir" => Op::Rmdir { path: a(0) },
            "unlink" => Op::Unlink { path: a(0) },
            "rename" => Op::Rename { src: a(0), dst: a(1) },
            "mv" => Op::Mv { src: a(0), dst: a(1) },
            "rm-r" => Op::RmR { path: a(0) },
            "link" => Op::Link { src: a(0), dst: a(1) },
            "symlink" => Op::Symlink { target: a(0), path: a(1) },
            "chmod" => Op::Chmod {
                mode: u32::from_str_radix(std::str::from_utf8(&args[0]).unwrap_or("0"), 8).unwrap_or(0),
                path: a(1),
            },
            "chown" => {
                let mut p = args[0].split(|&b| b == b':');
                let uid = p.next().and_then(dec).unwrap_or(0) as u32;
                let gid = p.next().and_then(dec).unwrap_or(0) as u32;
                Op::Chown { uid, gid, path: a(1) }
            }
            "readlink" => Op::Readlink { path: a(0) },
            "stat" => Op::Stat { path: a(0) },
            "ls" => Op::Ls { path: a(0) },
            "fd-open" => Op::FdOpen { fd: fd(0), mode: FdMode::from_token(&args[1]).unwrap_or(FdMode::Read), path: a(2) },
            "fd-read" => Op::FdRead { fd: fd(0), size: dec(&args[1]).unwrap_or(0) },
            "fd-write" => Op::FdWrite { fd: fd(0), text: a(1) },
            "fd-close" => Op::FdClose { fd: fd(0) },
            _ => unreachable!("every name in OPS is handled"),
        };
        out.push(ScriptOp { op, name, tokens: args.to_vec(), line: lineno });
    }
    Ok(out)
}

/// The canonical re-encoding of one token (SPEC §4).
pub fn echo_token(tok: &[u8]) -> String {
    if !tok.is_empty() && tok[0] != b'#' && tok.iter().all(|&c| (0x21..=0x7e).contains(&c) && c != b'"' && c != b'\\') {
        return tok.iter().map(|&c| c as char).collect();
    }
    let mut s = String::with_capacity(tok.len() + 2);
    s.push('"');
    for &c in tok {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotes_comments_and_escapes() {
        let ops = parse(b"# comment\n\nwrite /a \"x y\\n\\x41\"  # trailing\r\nchmod 755 /a\nchown 1:2 /a\n").unwrap();
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0].op, Op::Write { path: b"/a".to_vec(), text: b"x y\nA".to_vec() });
        assert_eq!(ops[0].echo(), "write /a \"x y\\nA\"");
        assert_eq!(ops[1].op, Op::Chmod { mode: 0o755, path: b"/a".to_vec() });
        assert_eq!(ops[2].op, Op::Chown { uid: 1, gid: 2, path: b"/a".to_vec() });
        let p = parse(b"pwrite /big 4096 x\n").unwrap();
        assert_eq!(p[0].op, Op::Pwrite { path: b"/big".to_vec(), offset: 4096, text: b"x".to_vec() });
        assert_eq!(p[0].echo(), "pwrite /big 4096 x");
        assert!(parse(b"pwrite /big x y").is_err());
    }

    #[test]
    fn script_lines_parse_back_to_the_same_ops() {
        let ops = vec![
            Op::Write { path: b"/a b".to_vec(), text: b"x\n\"y\xff".to_vec() },
            Op::Append { path: b"/#x".to_vec(), text: Vec::new() },
            Op::Pwrite { path: b"/big".to_vec(), offset: 5 << 20, text: b"1".to_vec() },
            Op::CreateExcl { path: b"/n".to_vec(), text: b"z".to_vec() },
            Op::Truncate { path: b"/t".to_vec(), size: 7 },
            Op::Chmod { mode: 0o4755, path: b"/m".to_vec() },
            Op::Chown { uid: 1000, gid: 50, path: b"/o".to_vec() },
            Op::Symlink { target: b"../rel target".to_vec(), path: b"/l".to_vec() },
            Op::Mv { src: b"/d1".to_vec(), dst: b"/d2".to_vec() },
            Op::RmR { path: b"/r".to_vec() },
            Op::FdOpen { fd: 3, mode: FdMode::ReadWrite, path: b"/f x".to_vec() },
            Op::FdOpen { fd: 9, mode: FdMode::Append, path: b"/g".to_vec() },
            Op::FdRead { fd: 3, size: 100 },
            Op::FdWrite { fd: 3, text: b"new\n".to_vec() },
            Op::FdClose { fd: 3 },
        ];
        let script: String = ops.iter().map(|o| o.script_line() + "\n").collect();
        let back: Vec<Op> = parse(script.as_bytes()).unwrap().into_iter().map(|s| s.op).collect();
        assert_eq!(back, ops);
    }

    #[test]
    fn echo_round_trips() {
        for t in [&b""[..], b"#x", b"a\"b", b"\xff\xfe", b"tab\there", b"back\\slash", b"plain"] {
            let line = format!("symlink {} /p", echo_token(t));
            let ops = parse(line.as_bytes()).unwrap();
            assert_eq!(ops[0].op, Op::Symlink { target: t.to_vec(), path: b"/p".to_vec() });
            assert_eq!(ops[0].echo(), line);
        }
    }

    #[test]
    fn rejects_bad_lines() {
        for bad in [
            &b"write a x"[..],
            b"frob /a",
            b"read /a /b",
            b"chmod 8 /a",
            b"chmod 12345 /a",
            b"chown 1 /a",
            b"truncate /a -1",
            b"write /a \"x",
            b"write /a \"x\"y",
            b"write /a \"\\q\"",
            b"write /a \"\\x4\"",
            b"write /a b\"c",
            b"fd-open 3 <",
            b"fd-open 3 < a",
            b"fd-open 3 << /a",
            b"fd-open 1024 < /a",
            b"fd-open -1 < /a",
            b"fd-read 3",
            b"fd-close x",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
