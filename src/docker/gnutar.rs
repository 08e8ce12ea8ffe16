//! GNU tar 1.34 (TZ=UTC) over an archive a script saved with `docker save -o` (the oracle's
//! scripts run `tar -tvf FILE`, `tar -xOf FILE MEMBER...` and `tar -xOf FILE --wildcards
//! PATTERN...` on them), reading the bytes the docker host keeps in its scratch files.
//!
//! Truth: the oracle's `commit-save` transcript and README "Normalization" rules 1, 4, 5: a
//! `tar -tvf` line is `MODE OWNER/GROUP SIZE YYYY-MM-DD HH:MM NAME` (GNU `list.c`
//! `print_header`: owner/group/size padded together to a width that starts at 19 and only
//! grows), lines are sorted by member name after normalization, a recent time is `<time>`, and
//! the size of a JSON member that holds one is `<size>` in the same width. Sources: GNU tar
//! `src/list.c`, `lib/wordsplit` (none needed: the recorder splits the line).
//!
//! Rules: only uncompressed archives of the host's scratch space (the oracle never lists
//! anything else); a missing archive or member is GNU tar's message and exit 2.

use super::commands::Outcome;
use super::names::{Names, NOW};
use crate::layer::Member;
use crate::source::MemSource;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What `tar` was asked.
struct Args {
    list: bool,
    extract: bool,
    verbose: bool,
    to_stdout: bool,
    wildcards: bool,
    file: Option<String>,
    names: Vec<String>,
}

fn parse(argv: &[String]) -> Result<Args, String> {
    let mut a = Args { list: false, extract: false, verbose: false, to_stdout: false, wildcards: false, file: None, names: Vec::new() };
    let mut i = 0;
    let mut first = true;
    while i < argv.len() {
        let w = &argv[i];
        i += 1;
        if let Some(long) = w.strip_prefix("--") {
            match long {
                "wildcards" => a.wildcards = true,
                "no-wildcards" => a.wildcards = false,
                "list" => a.list = true,
                "extract" | "get" => a.extract = true,
                "verbose" => a.verbose = true,
                "to-stdout" => a.to_stdout = true,
                _ if long.starts_with("file=") => a.file = Some(long[5..].to_string()),
                "file" if i < argv.len() => {
                    a.file = Some(argv[i].clone());
                    i += 1;
                }
                _ => return Err(format!("tar: unrecognized option '--{long}'")),
            }
        } else if (w.starts_with('-') && w.len() > 1) || (first && !w.is_empty()) {
            // Old-style bundles (`tvf`) only as the first word.
            let letters: Vec<char> = w.trim_start_matches('-').chars().collect();
            for (k, c) in letters.iter().enumerate() {
                match c {
                    't' => a.list = true,
                    'x' => a.extract = true,
                    'v' => a.verbose = true,
                    'O' => a.to_stdout = true,
                    'f' => {
                        let rest: String = letters[k + 1..].iter().collect();
                        let inline = !rest.is_empty() && w.starts_with('-');
                        if inline {
                            a.file = Some(rest);
                            break;
                        } else if i < argv.len() {
                            a.file = Some(argv[i].clone());
                            i += 1;
                        } else {
                            return Err("tar: option requires an argument -- 'f'".into());
                        }
                    }
                    c => return Err(format!("tar: invalid option -- '{c}'")),
                }
            }
        } else {
            a.names.push(w.clone());
        }
        first = false;
    }
    Ok(a)
}

/// `fnmatch` without flags (GNU tar's default for member names with `--wildcards`): `*` and
/// `?` match any character, `/` included.
fn glob(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
        (Some(b'?'), Some(_)) => glob(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => glob(&p[1..], &s[1..]),
        _ => false,
    }
}

fn mode_string(m: &Member) -> String {
    let t = match m.flag {
        b'5' => 'd',
        b'2' => 'l',
        b'3' => 'c',
        b'4' => 'b',
        b'6' => 'p',
        _ => '-',
    };
    let mut s = String::from(t);
    let bits = [(0o400, 'r'), (0o200, 'w'), (0o100, 'x'), (0o040, 'r'), (0o020, 'w'), (0o010, 'x'), (0o004, 'r'), (0o002, 'w'), (0o001, 'x')];
    for (k, (bit, c)) in bits.iter().enumerate() {
        let set = m.mode & bit != 0;
        let special = match k {
            2 => m.mode & 0o4000 != 0,
            5 => m.mode & 0o2000 != 0,
            8 => m.mode & 0o1000 != 0,
            _ => false,
        };
        s.push(match (special, set) {
            (true, true) => if k == 8 { 't' } else { 's' },
            (true, false) => if k == 8 { 'T' } else { 'S' },
            (false, true) => *c,
            (false, false) => '-',
        });
    }
    s
}

/// GNU tar's date column (UTC), or `<time>` for a time the host's clock made (README rule 5).
fn date(mtime: i64) -> String {
    if mtime >= NOW - 120 {
        return "<time>".into();
    }
    let t = crate::commit::rfc3339(mtime);
    format!("{} {}", &t[..10], &t[11..16])
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `tar ARGS...` (`argv[0]` is `tar`) over the host's scratch files.
pub fn run(files: &BTreeMap<String, Arc<[u8]>>, names: &Names, argv: &[String]) -> Outcome {
    let fail = |msg: String| Outcome { out: format!("{msg}\n"), code: 2 };
    let a = match parse(&argv[1.min(argv.len())..]) {
        Ok(a) => a,
        Err(e) => return fail(format!("{e}\nTry 'tar --help' or 'tar --usage' for more information.")),
    };
    if a.list == a.extract {
        return fail("tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.".into());
    }
    let Some(file) = a.file.clone() else {
        return fail("tar: Refusing to read archive contents from terminal (missing -f option?)\ntar: Error is not recoverable: exiting now".into());
    };
    let key = file.strip_prefix("./").unwrap_or(&file);
    let Some(bytes) = files.get(key) else {
        return fail(format!("tar: {file}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now"));
    };
    let src = MemSource::shared(bytes.clone());
    let members = match crate::layer::members(src) {
        Ok(m) => m,
        Err(e) => return fail(format!("tar: {file}: {e}\ntar: Error is not recoverable: exiting now")),
    };
    let wanted = |m: &Member| {
        a.names.is_empty()
            || a.names.iter().any(|n| {
                let name = m.name.strip_suffix(b"/").unwrap_or(&m.name);
                let n = n.trim_end_matches('/').as_bytes();
                if a.wildcards {
                    glob(n, name)
                } else {
                    name == n || name.starts_with(&[n, b"/"].concat())
                }
            })
    };
    let mut out = String::new();
    if a.list {
        let mut width = 19usize;
        let mut lines: Vec<(String, String)> = Vec::new();
        for m in members.iter().filter(|m| wanted(m)) {
            if !a.verbose {
                let n = names.normalize(&text(&m.name));
                lines.push((n.clone(), n));
                continue;
            }
            let user = if m.uname.is_empty() { m.uid.to_string() } else { text(&m.uname) };
            let group = if m.gname.is_empty() { m.gid.to_string() } else { text(&m.gname) };
            let mut size = m.size.to_string();
            let pad = user.len() + 1 + group.len() + 1 + size.len();
            width = width.max(pad);
            let w = width - pad + size.len();
            let json = m.name.ends_with(b".json") || m.name.ends_with(b"/json");
            if json && date(m.mtime) == "<time>" {
                let body = bytes.get(m.offset as usize..m.offset.saturating_add(m.size) as usize).unwrap_or_default();
                if body.windows(8).any(|x| x == b"\"<time>\"") {
                    size = "<size>".into();
                }
            }
            let name = names.normalize(&text(&m.name));
            let mut line = format!("{} {user}/{group} {size:>w$} {} {name}", mode_string(m), date(m.mtime));
            if m.flag == b'2' {
                line.push_str(&format!(" -> {}", text(&m.link)));
            } else if m.flag == b'1' {
                line.push_str(&format!(" link to {}", text(&m.link)));
            }
            lines.push((name, line));
        }
        // README rule 1: listings are sorted by member name (docker save names hold random IDs).
        lines.sort_by(|x, y| x.0.as_bytes().cmp(y.0.as_bytes()));
        for (_, l) in lines {
            out.push_str(&l);
            out.push('\n');
        }
        return Outcome { out, code: 0 };
    }
    if !a.to_stdout {
        return fail("layerlab: `tar -x` onto the disk is not simulated (use -O)".into());
    }
    let mut missing: Vec<&String> = a.names.iter().filter(|n| !members.iter().any(|m| {
        let name = m.name.strip_suffix(b"/").unwrap_or(&m.name);
        if a.wildcards { glob(n.as_bytes(), name) } else { name == n.trim_end_matches('/').as_bytes() }
    })).collect();
    let mut body = Vec::new();
    for m in members.iter().filter(|m| m.flag != b'5' && wanted(m)) {
        body.extend_from_slice(bytes.get(m.offset as usize..m.offset.saturating_add(m.size) as usize).unwrap_or_default());
    }
    out.push_str(&names.normalize(&String::from_utf8_lossy(&body)));
    if missing.is_empty() {
        return Outcome { out, code: 0 };
    }
    let mut o = Outcome { out, code: 2 };
    if !o.out.is_empty() && !o.out.ends_with('\n') {
        // tar writes its complaints to stderr; the transcript interleaves them as written.
        o.out.push('\n');
    }
    for n in missing.drain(..) {
        o.out.push_str(&format!("tar: {n}: Not found in archive\n"));
    }
    o.out.push_str("tar: Exiting with failure status due to previous errors\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_globs_and_modes() {
        let a = parse(&["-tvf".into(), "x.tar".into()]).unwrap();
        assert!(a.list && a.verbose && a.file.as_deref() == Some("x.tar"));
        let a = parse(&["-xOf".into(), "x.tar".into(), "--wildcards".into(), "*.json".into()]).unwrap();
        assert!(a.extract && a.to_stdout && a.wildcards && a.names == ["*.json"]);
        assert!(glob(b"*.json", b"abc.json") && glob(b"*.json", b"d/e.json") && !glob(b"*.json", b"d/json"));
        let m = Member { name: b"d/".to_vec(), flag: b'5', mode: 0o755, uid: 0, gid: 0, uname: vec![], gname: vec![], size: 0, mtime: 0, offset: 0, link: vec![] };
        assert_eq!(mode_string(&m), "drwxr-xr-x");
        assert_eq!(date(978307200), "2001-01-01 00:00");
        assert_eq!(date(NOW), "<time>");
    }
}
