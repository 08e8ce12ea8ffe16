//! The busybox 1.35 applets a script pipes through, beyond the file commands of [`super`]:
//! `find`, `sort`, `test`/`[`, `dd`, `basename`, `dirname`, `seq`, `tr`-free text helpers.
//!
//! Rules:
//! - Output as busybox prints it to a pipe; errors in busybox's words (`find: X: No such file
//!   or directory`), status 1 (`test`: 0/1, 2 for a bad expression).
//! - They read through the container's ops like every applet: nothing here changes a file
//!   except `dd of=` (read, patched, written back, as the kernel leaves it: a full copy-up).
//! - `find` walks pre-order, a directory's entries in the order the container lists them
//!   (sorted by name; the kernel's readdir order is the overlay's, which scripts pipe through
//!   `sort` anyway); options: `-type f|d|l`, `-name PATTERN`, `-maxdepth N`, `-mindepth N`.

use super::{show, strerror, Sh};
use crate::listing::TypeChar;
use crate::path::join;

/// The applets this module runs.
pub const NAMES: &[&str] = &["find", "sort", "test", "[", "dd", "basename", "dirname", "seq", "uniq", "printf"];

pub(super) fn run(sh: &mut Sh, cmd: &str, args: &[Vec<u8>]) {
    match cmd {
        "find" => find(sh, args),
        "sort" => sort(sh, args),
        "uniq" => uniq(sh, args),
        "test" | "[" => {
            let mut a: Vec<Vec<u8>> = args.to_vec();
            if cmd == "[" {
                if a.last().map(|l| &l[..]) != Some(b"]") {
                    sh.fail("[: missing ]");
                    sh.run.status = 2;
                    return;
                }
                a.pop();
            }
            match test(sh, &a) {
                Ok(true) => sh.run.status = 0,
                Ok(false) => sh.run.status = 1,
                Err(e) => {
                    sh.fail(format!("{cmd}: {e}"));
                    sh.run.status = 2;
                }
            }
        }
        "dd" => dd(sh, args),
        "printf" => match args.split_first() {
            Some((fmt, rest)) => {
                let mut out = printf(fmt, rest);
                super::flush_text(sh, &mut out);
            }
            None => {
                sh.fail("printf: usage: printf FORMAT [ARGUMENT...]");
                sh.run.status = 2;
            }
        },
        "basename" => match args.first() {
            Some(a) => {
                let mut b = crate::path::basename(a).to_vec();
                if let Some(suffix) = args.get(1) {
                    if b.len() > suffix.len() && b.ends_with(suffix) {
                        b.truncate(b.len() - suffix.len());
                    }
                }
                let b = if a.iter().all(|&c| c == b'/') && !a.is_empty() { b"/".to_vec() } else { b };
                sh.say(show(&b));
            }
            None => sh.fail("basename: missing operand"),
        },
        "dirname" => match args.first() {
            Some(a) => {
                let t: &[u8] = {
                    let mut e = a.len();
                    while e > 1 && a[e - 1] == b'/' {
                        e -= 1;
                    }
                    &a[..e]
                };
                let d = match t.iter().rposition(|&c| c == b'/') {
                    None => b".".to_vec(),
                    Some(0) => b"/".to_vec(),
                    Some(i) => t[..i].to_vec(),
                };
                sh.say(show(&d));
            }
            None => sh.fail("dirname: missing operand"),
        },
        "seq" => {
            let n: Vec<i64> = args.iter().filter_map(|a| show(a).parse().ok()).collect();
            let (first, last) = match n[..] {
                [l] => (1, l),
                [f, l, ..] => (f, l),
                _ => {
                    sh.fail("seq: missing operand");
                    return;
                }
            };
            let mut out = Vec::new();
            let mut i = first;
            while i <= last && out.len() < 16 << 20 {
                out.extend_from_slice(format!("{i}\n").as_bytes());
                i += 1;
            }
            super::flush_text(sh, &mut out);
        }
        _ => unreachable!("{cmd} is an applet here"),
    }
}

/// `printf FORMAT ARGS...`: `%s`, `%b`, `%c`, `%d`/`%i`/`%u`/`%x`/`%o` (with flags, width and
/// precision for `%s` and `%d`), `%%`, and the backslash escapes; the format is used again
/// while arguments are left.
fn printf(fmt: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut k = 0;
    loop {
        let mut i = 0;
        let mut used = false;
        while i < fmt.len() {
            let c = fmt[i];
            if c == b'\\' && i + 1 < fmt.len() {
                i += 1;
                i += escape(&fmt[i..], &mut out);
                continue;
            }
            if c != b'%' {
                out.push(c);
                i += 1;
                continue;
            }
            if fmt.get(i + 1) == Some(&b'%') {
                out.push(b'%');
                i += 2;
                continue;
            }
            let start = i;
            i += 1;
            while i < fmt.len() && b"-+ #0123456789.".contains(&fmt[i]) {
                i += 1;
            }
            let Some(&conv) = fmt.get(i) else {
                out.extend_from_slice(&fmt[start..]);
                break;
            };
            i += 1;
            let spec = show(&fmt[start + 1..i - 1]);
            let arg = args.get(k).cloned().unwrap_or_default();
            if k < args.len() {
                k += 1;
            }
            used = true;
            let (left, zero) = (spec.starts_with('-'), spec.starts_with('0'));
            let mut parts = spec.trim_start_matches(['-', '+', ' ', '#', '0']).splitn(2, '.');
            let width: usize = parts.next().and_then(|w| w.parse().ok()).unwrap_or(0);
            let prec: Option<usize> = parts.next().map(|p| p.parse().unwrap_or(0));
            let body: Vec<u8> = match conv {
                b's' => match prec {
                    Some(p) => arg[..p.min(arg.len())].to_vec(),
                    None => arg,
                },
                b'b' => {
                    let mut b = Vec::new();
                    let mut j = 0;
                    while j < arg.len() {
                        if arg[j] == b'\\' && j + 1 < arg.len() {
                            j += 1 + escape(&arg[j + 1..], &mut b);
                        } else {
                            b.push(arg[j]);
                            j += 1;
                        }
                    }
                    b
                }
                b'c' => arg.first().map(|&c| vec![c]).unwrap_or_default(),
                b'd' | b'i' | b'u' | b'x' | b'X' | b'o' => {
                    let n: i64 = show(&arg).trim().parse().unwrap_or(0);
                    match conv {
                        b'x' => format!("{n:x}"),
                        b'X' => format!("{n:X}"),
                        b'o' => format!("{n:o}"),
                        _ => n.to_string(),
                    }
                    .into_bytes()
                }
                _ => fmt[start..i].to_vec(),
            };
            let pad = width.saturating_sub(body.len()).min(1 << 16);
            if left {
                out.extend_from_slice(&body);
                out.resize(out.len() + pad, b' ');
            } else {
                out.resize(out.len() + pad, if zero && conv != b's' { b'0' } else { b' ' });
                out.extend_from_slice(&body);
            }
        }
        if !used || k >= args.len() {
            break;
        }
    }
    out
}

/// A backslash escape (the bytes after the `\\`) into `out`; how many bytes it took.
fn escape(b: &[u8], out: &mut Vec<u8>) -> usize {
    let simple = match b[0] {
        b'n' => Some(b'\n'),
        b't' => Some(b'\t'),
        b'r' => Some(b'\r'),
        b'\\' => Some(b'\\'),
        b'a' => Some(7),
        b'b' => Some(8),
        b'f' => Some(12),
        b'v' => Some(11),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        _ => None,
    };
    if let Some(c) = simple {
        out.push(c);
        return 1;
    }
    if (b'0'..=b'7').contains(&b[0]) {
        let mut n = 0u32;
        let mut j = 0;
        while j < b.len() && j < 4 && (b'0'..=b'7').contains(&b[j]) && (j < 3 || b[0] == b'0') {
            n = n * 8 + u32::from(b[j] - b'0');
            j += 1;
        }
        out.push(n as u8);
        return j;
    }
    out.push(b'\\');
    out.push(b[0]);
    1
}

/// The lines of the named files, or of stdin.
fn input_lines(sh: &mut Sh, name: &str, files: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let mut data = Vec::new();
    if files.is_empty() || files.iter().any(|f| f == b"-") {
        data.extend(sh.stdin.take().unwrap_or_default());
    }
    for f in files.iter().filter(|f| *f != b"-") {
        data.extend(super::read_for(sh, name, f)?);
    }
    if data.is_empty() {
        return Some(Vec::new());
    }
    if data.last() == Some(&b'\n') {
        data.pop();
    }
    Some(data.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect())
}

fn print_lines(sh: &mut Sh, lines: &[Vec<u8>]) {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    super::flush_text(sh, &mut out);
}

/// `sort [-r] [-u] [-n] [FILE...]`: bytewise (the C locale busybox runs in).
fn sort(sh: &mut Sh, args: &[Vec<u8>]) {
    let (f, files) = super::flags(args);
    let Some(mut lines) = input_lines(sh, "sort", &files) else { return };
    if f.contains('n') {
        let num = |l: &[u8]| -> f64 {
            let s = show(l);
            let t = s.trim_start();
            let end = t.char_indices().find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'))).map_or(t.len(), |(i, _)| i);
            t[..end].parse().unwrap_or(0.0)
        };
        lines.sort_by(|a, b| num(a).partial_cmp(&num(b)).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.cmp(b)));
    } else {
        lines.sort();
    }
    if f.contains('r') {
        lines.reverse();
    }
    if f.contains('u') {
        lines.dedup();
    }
    print_lines(sh, &lines);
}

fn uniq(sh: &mut Sh, args: &[Vec<u8>]) {
    let (_, files) = super::flags(args);
    let Some(mut lines) = input_lines(sh, "uniq", &files) else { return };
    lines.dedup();
    print_lines(sh, &lines);
}

/// `find [PATH...] [-type T] [-name P] [-maxdepth N] [-mindepth N]`, printing each path.
fn find(sh: &mut Sh, args: &[Vec<u8>]) {
    let mut paths = Vec::new();
    let mut i = 0;
    while i < args.len() && !args[i].starts_with(b"-") {
        paths.push(args[i].clone());
        i += 1;
    }
    let (mut kind, mut name, mut maxd, mut mind) = (None, None, usize::MAX, 0usize);
    while i < args.len() {
        let val = args.get(i + 1).cloned();
        let Some(val) = val.filter(|_| matches!(&args[i][..], b"-type" | b"-name" | b"-maxdepth" | b"-mindepth")) else {
            if args[i] == b"-print" {
                i += 1;
                continue;
            }
            sh.fail(format!("find: unrecognized: {}", show(&args[i])));
            return;
        };
        match &args[i][..] {
            b"-type" => kind = val.first().copied(),
            b"-name" => name = Some(val),
            b"-maxdepth" => maxd = show(&val).parse().unwrap_or(usize::MAX),
            _ => mind = show(&val).parse().unwrap_or(0),
        }
        i += 2;
    }
    if paths.is_empty() {
        paths.push(b".".to_vec());
    }
    let mut out = Vec::new();
    for p in &paths {
        let abs = sh.abs(p);
        if let Err(e) = sh.stat(&abs) {
            super::flush_text(sh, &mut out);
            sh.fail(format!("find: {}: {}", show(p), strerror(e)));
            continue;
        }
        // Pre-order: (shown, path, depth), a stack popped from the end.
        let mut stack = vec![(p.clone(), abs, 0usize)];
        while let Some((shown, path, depth)) = stack.pop() {
            let Ok(st) = sh.stat(&path) else { continue };
            let type_ok = match kind {
                None => true,
                Some(b'f') => matches!(st.kind, TypeChar::File | TypeChar::Hardlink),
                Some(b'd') => st.kind == TypeChar::Dir,
                Some(b'l') => st.kind == TypeChar::Symlink,
                Some(_) => false,
            };
            let name_ok = name.as_ref().map_or(true, |p| super::pattern::glob(p, crate::path::basename(&shown)));
            if depth >= mind && type_ok && name_ok {
                out.extend_from_slice(&shown);
                out.push(b'\n');
            }
            if st.kind == TypeChar::Dir && depth < maxd {
                if let Ok(names) = sh.names(&path) {
                    for n in names.iter().rev() {
                        let s = if shown.ends_with(b"/") { [&shown[..], n].concat() } else { join(&shown, n) };
                        stack.push((s, join(&path, n), depth + 1));
                    }
                }
            }
        }
    }
    super::flush_text(sh, &mut out);
}

/// `test EXPR`: `! E`, `-e|-f|-d|-L|-h|-s|-x|-r|-w FILE`, `-n|-z S`, `S = S`, `S != S`,
/// `N -eq|-ne|-lt|-le|-gt|-ge N`, `E -a E`, `E -o E`, one word (true if not empty).
fn test(sh: &mut Sh, a: &[Vec<u8>]) -> Result<bool, String> {
    if let Some(k) = a.iter().position(|w| w == b"-o") {
        if k > 0 {
            return Ok(test(sh, &a[..k])? || test(sh, &a[k + 1..])?);
        }
    }
    if let Some(k) = a.iter().position(|w| w == b"-a") {
        if k > 0 {
            return Ok(test(sh, &a[..k])? && test(sh, &a[k + 1..])?);
        }
    }
    match a {
        [] => Ok(false),
        [n, rest @ ..] if n == b"!" => Ok(!test(sh, rest)?),
        [s] => Ok(!s.is_empty()),
        [op, f] if op.len() == 2 && op[0] == b'-' => {
            if op == b"-n" {
                return Ok(!f.is_empty());
            }
            if op == b"-z" {
                return Ok(f.is_empty());
            }
            let path = sh.abs(f);
            let lst = sh.stat(&path).ok();
            // Follow a symlink for every test but -L/-h.
            let st = match &lst {
                Some(s) if s.kind == TypeChar::Symlink => {
                    let target = s.target.clone().unwrap_or_default();
                    let dir = crate::path::split(&path).0.to_vec();
                    sh.stat(&super::abs_in(&dir, &target)).ok()
                }
                s => s.clone(),
            };
            Ok(match op[1] {
                b'e' => st.is_some(),
                b'f' => st.is_some_and(|s| matches!(s.kind, TypeChar::File | TypeChar::Hardlink)),
                b'd' => st.is_some_and(|s| s.kind == TypeChar::Dir),
                b'L' | b'h' => lst.is_some_and(|s| s.kind == TypeChar::Symlink),
                b's' => st.is_some_and(|s| s.size.unwrap_or(0) > 0),
                b'x' => st.is_some_and(|s| s.mode & 0o111 != 0),
                b'r' | b'w' => st.is_some(),
                _ => return Err(format!("{}: unknown operand", show(op))),
            })
        }
        [l, op, r] => {
            let num = |w: &[u8]| show(w).trim().parse::<i64>().map_err(|_| format!("{}: bad number", show(w)));
            Ok(match &op[..] {
                b"=" | b"==" => l == r,
                b"!=" => l != r,
                b"-eq" => num(l)? == num(r)?,
                b"-ne" => num(l)? != num(r)?,
                b"-lt" => num(l)? < num(r)?,
                b"-le" => num(l)? <= num(r)?,
                b"-gt" => num(l)? > num(r)?,
                b"-ge" => num(l)? >= num(r)?,
                _ => return Err(format!("{}: unknown operand", show(op))),
            })
        }
        _ => Err("syntax error".into()),
    }
}

/// `dd [of=FILE] [bs=N] [seek=N] [count=N] [conv=notrunc]`: stdin (or `if=`) written over FILE
/// at byte `seek*bs` (the file read, patched and written back). Its record counts are not
/// printed (the scripts send them to /dev/null).
fn dd(sh: &mut Sh, args: &[Vec<u8>]) {
    let (mut of, mut input, mut bs, mut seek, mut notrunc) = (None, None, 512usize, 0usize, false);
    for w in args {
        let w = show(w);
        if let Some(f) = w.strip_prefix("of=") {
            of = Some(f.as_bytes().to_vec());
        } else if let Some(f) = w.strip_prefix("if=") {
            input = Some(f.as_bytes().to_vec());
        } else if let Some(n) = w.strip_prefix("bs=") {
            bs = super::parse_size(n.as_bytes()).unwrap_or(512) as usize;
        } else if let Some(n) = w.strip_prefix("seek=") {
            seek = n.parse().unwrap_or(0);
        } else if w == "conv=notrunc" {
            notrunc = true;
        }
    }
    let text = match input {
        Some(f) => match super::read_for(sh, "dd", &f) {
            Some(d) => d,
            None => return,
        },
        None => sh.stdin.take().unwrap_or_default(),
    };
    let Some(of) = of else {
        let mut t = text;
        super::flush_text(sh, &mut t);
        return;
    };
    let at = seek.saturating_mul(bs);
    if at.saturating_add(text.len()) as u64 > crate::container::MAX_FILE_SIZE {
        sh.fail(format!("dd: {}: {}", show(&of), strerror(crate::container::Errno::EFBIG)));
        return;
    }
    let path = sh.abs(&of);
    let mut data = match sh.probe(crate::container::Op::Read { path }) {
        Ok(crate::container::Reply::Read(d)) => d,
        _ => Vec::new(),
    };
    if !notrunc {
        data.truncate(at);
    }
    if data.len() < at + text.len() {
        data.resize(at + text.len(), 0);
    }
    data[at..at + text.len()].copy_from_slice(&text);
    super::write_out(sh, &of, data, false);
}
