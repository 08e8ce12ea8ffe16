//! A `docker build` context as the 20.10 CLI sends it and the classic builder sums it: the files,
//! what `.dockerignore` leaves out, the size the CLI prints (`Sending build context to Docker
//! daemon  2.048kB`), the `COPY`/`ADD` sources a pattern names, and the source checksums that go
//! into the cache key and the history (`file:<sum>`, `dir:<sum>`, `multi:<sum>`).
//!
//! Spec followed: docker/cli `cli/command/image/build.go` (the context tar; the Dockerfile and
//! `.dockerignore` are always sent), moby `pkg/fileutils` `PatternMatcher` (20.10: patterns are
//! cleaned, `!` re-includes, `**` spans directories, a pattern that matches a parent directory
//! excludes what is below), `pkg/tarsum` version 1 (a file's sum is SHA-256 over the header
//! fields name, mode, uid, gid, size, typeflag, linkname, uname, gname, devmajor, devminor —
//! no mtime — then the content), moby `builder/dockerfile/copy.go` (`dir:` = SHA-256 of the
//! sorted, comma-joined sums of a directory and everything below it, `multi:` = SHA-256 of the
//! comma-joined source hashes in Dockerfile order) and `path/filepath.Match`. Checked against
//! `../shared/docker-oracle` NOTES 38-39 and the sums in the `build-*` transcripts.
//!
//! Rules:
//! - Paths are relative, `/`-separated, without `./`; the context root itself is no entry.
//! - Hand-written pattern matching: Go's `filepath.Match` and moby's `**` rule differ from
//!   every glob crate in small ways (`*` never crosses `/`, a bad `[` class is an error only
//!   when reached); the functions are short and property-tested not to panic.
//! - Modes are permission bits; the sums add the file-type bits as the 20.10 CLI writes them
//!   (NOTES 46: `33188` for a 0644 file).

use crate::digest::{hex, sha256, Hasher};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Reads a build context directory (a path relative to the command's directory): the CLI
/// reads the disk, the page its own files.
pub type ContextLoader = Box<dyn FnMut(&str) -> Result<Context, String>>;

/// What a context path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File(Arc<[u8]>),
    Dir,
    Symlink(String),
}

/// One context entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Permission bits (`0o644`).
    pub mode: u32,
    pub kind: Kind,
}

/// A build context: entries by relative path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: BTreeMap<String, Entry>,
}

/// `path.Clean` for a relative context path: no `.`/empty parts, `..` kept inside the root.
pub fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    /// Adds (or replaces) a file; missing parent directories are made 0755, as `#% write` does.
    pub fn add_file(&mut self, path: &str, mode: u32, content: impl Into<Arc<[u8]>>) {
        let path = clean(path);
        self.parents(&path);
        self.entries.insert(path, Entry { mode: mode & 0o7777, kind: Kind::File(content.into()) });
    }

    /// Writes `content` to `path`, keeping an existing file's mode (new files 0644).
    pub fn write(&mut self, path: &str, content: impl Into<Arc<[u8]>>) {
        let mode = self.entries.get(&clean(path)).map(|e| e.mode).unwrap_or(0o644);
        self.add_file(path, mode, content);
    }

    pub fn add_dir(&mut self, path: &str, mode: u32) {
        let path = clean(path);
        if path.is_empty() {
            return;
        }
        self.parents(&path);
        self.entries.insert(path, Entry { mode: mode & 0o7777, kind: Kind::Dir });
    }

    pub fn add_symlink(&mut self, path: &str, target: &str) {
        let path = clean(path);
        self.parents(&path);
        self.entries.insert(path, Entry { mode: 0o777, kind: Kind::Symlink(target.to_string()) });
    }

    pub fn remove(&mut self, path: &str) {
        let path = clean(path);
        let below = format!("{path}/");
        self.entries.retain(|k, _| *k != path && !k.starts_with(&below));
    }

    fn parents(&mut self, path: &str) {
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            let dir = &path[..at + i];
            self.entries.entry(dir.to_string()).or_insert(Entry { mode: 0o755, kind: Kind::Dir });
            at += i + 1;
        }
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(&clean(path))
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What the CLI sends: the entries `.dockerignore` does not exclude (the Dockerfile named
    /// `dockerfile` and `.dockerignore` always go). A bad pattern is one sentence.
    pub fn sent(&self, dockerfile: &str) -> Result<Context, String> {
        let Some(Entry { kind: Kind::File(ignore), .. }) = self.entries.get(".dockerignore") else {
            return Ok(self.clone());
        };
        let patterns = parse_dockerignore(&String::from_utf8_lossy(ignore))?;
        let keep = [clean(dockerfile), ".dockerignore".to_string()];
        let mut out = Context::new();
        for (path, e) in &self.entries {
            if keep.contains(path) || !excluded(&patterns, path)? {
                out.entries.insert(path.clone(), e.clone());
            }
        }
        Ok(out)
    }

    /// The size of the context tar: 512 per header, 512 per started block of content, +1024.
    pub fn tar_size(&self) -> u64 {
        let body: u64 = self
            .entries
            .values()
            .map(|e| match &e.kind {
                Kind::File(b) => 512 + (b.len() as u64).div_ceil(512) * 512,
                _ => 512,
            })
            .sum();
        body + 1024
    }

    /// `Sending build context to Docker daemon  2.048kB`.
    pub fn sending_line(&self) -> String {
        format!("Sending build context to Docker daemon {:>8}", crate::units::human_size(self.tar_size()))
    }

    /// The tarsum of one entry (hex), as the daemon sums the context tar: `uname`/`gname`
    /// empty, uid/gid 0, directory names ending in `/`.
    pub fn sum(&self, path: &str) -> Option<String> {
        let path = clean(path);
        let e = self.entries.get(&path)?;
        Some(tarsum(&path, e, 0, 0, ""))
    }

    /// The source hash of a `COPY`/`ADD` source that resolved to `path`: `file:<sum>` or,
    /// for a directory, `dir:<sum>` over it and everything below.
    pub fn source_hash(&self, path: &str) -> Option<String> {
        let path = clean(path);
        let e = self.entries.get(&path);
        match e.map(|e| &e.kind) {
            None if path.is_empty() => Some(self.dir_hash("")),
            None => None,
            Some(Kind::Dir) => Some(self.dir_hash(&path)),
            Some(_) => Some(format!("file:{}", self.sum(&path)?)),
        }
    }

    fn dir_hash(&self, dir: &str) -> String {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let sums: Vec<String> = self
            .entries
            .iter()
            .filter(|(k, _)| (!dir.is_empty() && k.as_str() == dir) || k.starts_with(&prefix))
            .map(|(k, e)| tarsum(k, e, 0, 0, ""))
            .collect();
        dir_sum(sums)
    }

    /// The context paths a `COPY`/`ADD` source names (`filepath.Match` wildcards). The error is
    /// the step's own sentence.
    pub fn resolve(&self, src: &str) -> Result<Vec<String>, String> {
        let want = clean(src);
        let not_found = || format!("file not found in build context or excluded by .dockerignore: stat {}: file does not exist", if want.is_empty() { "." } else { &want });
        if want.is_empty() {
            return Ok(vec![String::new()]);
        }
        if !want.contains(['*', '?', '[']) {
            return if self.entries.contains_key(&want) { Ok(vec![want]) } else { Err(not_found()) };
        }
        let depth = want.split('/').count();
        let mut out = Vec::new();
        for k in self.entries.keys() {
            if k.split('/').count() == depth && glob_match(&want, k)? {
                out.push(k.clone());
            }
        }
        if out.is_empty() {
            // copy.go: a wildcard that matches nothing is `no source files were specified`.
            return Err("no source files were specified".into());
        }
        Ok(out)
    }
}

/// tarsum v1 of one header and its content.
pub fn tarsum(name: &str, e: &Entry, uid: u32, gid: u32, owner_name: &str) -> String {
    let (type_bits, typeflag, size, link) = match &e.kind {
        Kind::File(b) => (0o100000, '0', b.len(), ""),
        Kind::Dir => (0o040000, '5', 0, ""),
        Kind::Symlink(t) => (0o120000, '2', 0, t.as_str()),
    };
    let name = if matches!(e.kind, Kind::Dir) { format!("{name}/") } else { name.to_string() };
    let mut h = Hasher::new();
    let fields: [(&str, String); 11] = [
        ("name", name),
        ("mode", (type_bits | e.mode).to_string()),
        ("uid", uid.to_string()),
        ("gid", gid.to_string()),
        ("size", size.to_string()),
        ("typeflag", typeflag.to_string()),
        ("linkname", link.to_string()),
        ("uname", owner_name.to_string()),
        ("gname", owner_name.to_string()),
        ("devmajor", "0".into()),
        ("devminor", "0".into()),
    ];
    for (k, v) in fields {
        h.update(k.as_bytes());
        h.update(v.as_bytes());
    }
    if let Kind::File(b) = &e.kind {
        h.update(b);
    }
    hex(&h.finalize())
}

/// `dir:` over the tarsums of a directory and everything below it (copy.go `walkSource`:
/// sorted, comma-joined).
pub fn dir_sum(mut sums: Vec<String>) -> String {
    sums.sort();
    format!("dir:{}", hex(&sha256(sums.join(",").as_bytes())))
}

/// `multi:` over several source hashes, in Dockerfile order.
pub fn multi_hash(hashes: &[String]) -> String {
    format!("multi:{}", hex(&sha256(hashes.join(",").as_bytes())))
}

/// A `.dockerignore` line: cleaned pattern, re-include flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    pub exclusion: bool,
}

/// `dockerignore.ReadAll`: `#` comments, blank lines dropped, `!` re-includes, leading `/`
/// dropped, `path.Clean`.
pub fn parse_dockerignore(text: &str) -> Result<Vec<Pattern>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut p = line.trim();
        if p.is_empty() || p.starts_with('#') {
            continue;
        }
        let exclusion = p.starts_with('!');
        if exclusion {
            p = p[1..].trim();
            if p.is_empty() {
                return Err("illegal exclusion pattern: \"!\"".into());
            }
        }
        let cleaned = clean(p.trim_start_matches('/'));
        out.push(Pattern { text: if cleaned.is_empty() { ".".into() } else { cleaned }, exclusion });
    }
    Ok(out)
}

/// `PatternMatcher.Matches` (20.10): the last pattern that matches the path or one of its
/// parent directories decides.
pub fn excluded(patterns: &[Pattern], path: &str) -> Result<bool, String> {
    let mut matched = false;
    let parents: Vec<&str> = path.split('/').collect();
    for p in patterns {
        if p.exclusion != matched {
            continue;
        }
        let mut m = glob_match_ds(&p.text, path)?;
        if !m && parents.len() > 1 {
            let dirs = p.text.split('/').count();
            if dirs <= parents.len() - 1 {
                m = glob_match_ds(&p.text, &parents[..dirs].join("/"))?;
            }
        }
        if m {
            matched = !p.exclusion;
        }
    }
    Ok(matched)
}

/// moby's pattern: `filepath.Match` plus `**` (any number of directories).
fn glob_match_ds(pattern: &str, name: &str) -> Result<bool, String> {
    if !pattern.contains("**") {
        return glob_match(pattern, name);
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let n: Vec<&str> = name.split('/').collect();
    segments(&p, &n, &mut 0)
}

fn segments(p: &[&str], n: &[&str], budget: &mut u32) -> Result<bool, String> {
    *budget += 1;
    if *budget > 100_000 {
        return Ok(false);
    }
    match p.first() {
        None => Ok(n.is_empty()),
        Some(&"**") => {
            for skip in 0..=n.len() {
                if segments(&p[1..], &n[skip..], budget)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Some(seg) => match n.first() {
            Some(x) if glob_match(seg, x)? => segments(&p[1..], &n[1..], budget),
            _ => Ok(false),
        },
    }
}

/// `path/filepath.Match`: `*` and `?` never match `/`, `[...]` classes with ranges and `^`,
/// `\` escapes. A malformed pattern is `syntax error in pattern`.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, String> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative wildcard matching with one backtrack point (linear-ish, no recursion).
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if ni < n.len() && n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' if ni < n.len() => {
                    let (ok, next) = class(&p, pi, n[ni])?;
                    if ok && n[ni] != '/' {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                }
                '\\' => {
                    if pi + 1 >= p.len() {
                        return Err("syntax error in pattern".into());
                    }
                    if ni < n.len() && n[ni] == p[pi + 1] {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c if c != '?' && c != '[' && ni < n.len() && n[ni] == c => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        } else if ni == n.len() {
            return Ok(true);
        }
        // Mismatch: let the last `*` take one more character (never a `/`).
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => {
                // Go reports a malformed class even on mismatch if it is reached; check the rest.
                check_syntax(&p[pi.min(p.len())..])?;
                return Ok(false);
            }
        }
    }
}

/// A `[...]` class at `p[start]`: whether `c` is in it, and the index after `]`.
fn class(p: &[char], start: usize, c: char) -> Result<(bool, usize), String> {
    let bad = || "syntax error in pattern".to_string();
    let mut i = start + 1;
    let negate = p.get(i) == Some(&'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&ch) = p.get(i) else { return Err(bad()) };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            i += 1;
            *p.get(i).ok_or_else(bad)?
        } else {
            if ch == '-' || ch == ']' {
                return Err(bad());
            }
            ch
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|x| *x != ']') {
            i += 1;
            hi = if p[i] == '\\' {
                i += 1;
                *p.get(i).ok_or_else(bad)?
            } else {
                p[i]
            };
            i += 1;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Ok((matched != negate, i))
}

fn check_syntax(p: &[char]) -> Result<(), String> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' if i + 1 >= p.len() => return Err("syntax error in pattern".into()),
            '\\' => i += 2,
            '[' => {
                let (_, next) = class(p, i, '\0')?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shared() -> std::path::PathBuf {
        std::path::PathBuf::from(std::env::var("LAYERLAB_SHARED").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared").into()))
    }

    /// A scenario's context dir as the recorder staged it: files 0644 (0755 if executable).
    fn context(scenario: &str) -> Context {
        use std::os::unix::fs::PermissionsExt;
        let dir = shared().join("docker-oracle/scenarios").join(scenario).join("context");
        let mut c = Context::new();
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let mode = if e.metadata().unwrap().permissions().mode() & 0o111 != 0 { 0o755 } else { 0o644 };
            c.add_file(e.file_name().to_str().unwrap(), mode, std::fs::read(e.path()).unwrap());
        }
        c
    }

    #[test]
    fn sums_are_the_daemons() {
        // build-add-tar's history (--no-trunc): ADD notes.txt /srv/, COPY site.tar /srv/archive/.
        let c = context("build-add-tar");
        assert_eq!(c.source_hash("notes.txt").unwrap(), "file:bced0f67203849f6e1272d4d17b4cd4ce69f8aca306f2c923f9ff55d0af72c2f");
        assert_eq!(c.source_hash("./site.tar").unwrap(), "file:69b0ef419b349ecd2dc81369eac1fa311e4db52c61c82a6bb67bf0c7b86d6bef");
        // build-cache-copy: `COPY deps.txt src.txt /app/` is multi:0a9305ad30fc83a…, and after
        // `#% write context/src.txt 'print("v2")'` multi:f29ad640f17f0b3…; deps.txt alone is
        // file:1727ccacf421f00f….
        let mut c = context("build-cache-copy");
        let multi = |c: &Context| multi_hash(&[c.source_hash("deps.txt").unwrap(), c.source_hash("src.txt").unwrap()]);
        assert!(multi(&c).starts_with("multi:0a9305ad30fc83a"), "{}", multi(&c));
        c.write("src.txt", &b"print(\"v2\")\n"[..]);
        assert!(multi(&c).starts_with("multi:f29ad640f17f0b3"), "{}", multi(&c));
        assert!(c.source_hash("deps.txt").unwrap().starts_with("file:1727ccacf421f00f"));
        c.write("src.txt", &b"print(\"v3\")\n"[..]);
        assert!(c.source_hash("src.txt").unwrap().starts_with("file:248dd762588030d7"));
    }

    /// A context directory read recursively (dirs 0755, files 0644 or 0755 if executable).
    fn read_tree(dir: &std::path::Path) -> Context {
        use std::os::unix::fs::PermissionsExt;
        fn walk(c: &mut Context, root: &std::path::Path, dir: &std::path::Path) {
            for e in std::fs::read_dir(dir).unwrap() {
                let e = e.unwrap();
                let rel = e.path().strip_prefix(root).unwrap().to_str().unwrap().to_string();
                if e.file_type().unwrap().is_dir() {
                    c.add_dir(&rel, 0o755);
                    walk(c, root, &e.path());
                } else {
                    let mode = if e.metadata().unwrap().permissions().mode() & 0o111 != 0 { 0o755 } else { 0o644 };
                    c.add_file(&rel, mode, std::fs::read(e.path()).unwrap());
                }
            }
        }
        let mut c = Context::new();
        walk(&mut c, dir, dir);
        c
    }

    #[test]
    fn dockerignore_and_dir_sums_are_the_daemons() {
        // tests/docker-scenarios/build-instructions (recorded): `COPY --chown=1000:1000 app
        // /opt/app` is dir:a77c12da…, `COPY app/hello.txt /` file:23db276d7815ed09…, and the
        // CLI sent 8.192kB without the ignored files.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docker-scenarios/build-instructions/context");
        let all = read_tree(&dir);
        let sent = all.sent("Dockerfile").unwrap();
        assert_eq!(sent.sending_line(), "Sending build context to Docker daemon  8.192kB");
        assert_eq!(sent.source_hash("app").unwrap(), "dir:a77c12dacd460bc3e459b43415515386c7a25da8907623b31fd94aebafc8f7ff");
        // Not yet reproduced: `COPY . /ctx` is dir:44dff5b8d8dd6f… in the transcript (and its
        // layer 567B where the files sent add up to 580B); the walk of `.` as
        // builder/dockerfile/copy.go `walkSource` does it gives another sum. Open question.
        assert!(sent.source_hash("app/hello.txt").unwrap().starts_with("file:23db276d7815ed09"));
        assert!(sent.get("secret").is_none() && sent.get("top.log").is_none() && sent.get("app/debug.log").is_none());
    }

    #[test]
    fn sending_line_is_the_clis() {
        // build-basic: one 221-byte Dockerfile; build-cache-copy: four small files.
        assert_eq!(context("build-basic").sending_line(), "Sending build context to Docker daemon  2.048kB");
        assert_eq!(context("build-cache-copy").sending_line(), "Sending build context to Docker daemon   5.12kB");
        let mut c = Context::new();
        c.add_file("sub/a", 0o644, vec![0u8; 513]);
        // a directory header, a header and two blocks, the trailer.
        assert_eq!(c.tar_size(), 512 + 512 + 1024 + 1024);
    }

    #[test]
    fn dockerignore_excludes_and_reincludes() {
        let mut c = Context::new();
        c.add_file("Dockerfile", 0o644, &b"FROM x\n"[..]);
        c.add_file(".dockerignore", 0o644, &b"# comment\n*.log\n/build\n!build/keep.txt\n**/*.tmp\nDockerfile\n"[..]);
        for p in ["a.log", "sub/b.log", "build/out.bin", "build/keep.txt", "x/y/z.tmp", "src/main.c"] {
            c.add_file(p, 0o644, &b"x"[..]);
        }
        let sent = c.sent("Dockerfile").unwrap();
        let names: Vec<&str> = sent.entries().map(|(k, _)| k).collect();
        // `*.log` is a root-level pattern (filepath.Match: `*` stops at `/`), so sub/b.log goes.
        assert_eq!(names, [".dockerignore", "Dockerfile", "build/keep.txt", "src", "src/main.c", "sub", "sub/b.log", "x", "x/y"]);
        assert!(c.sent("Dockerfile").unwrap().resolve("a.log").is_err());
    }

    #[test]
    fn resolve_matches_like_filepath_match() {
        let mut c = Context::new();
        for p in ["a.txt", "b.txt", "c.md", "d/e.txt"] {
            c.add_file(p, 0o644, &b"x"[..]);
        }
        assert_eq!(c.resolve("*.txt").unwrap(), ["a.txt", "b.txt"]);
        assert_eq!(c.resolve("[ab].txt").unwrap(), ["a.txt", "b.txt"]);
        assert_eq!(c.resolve("d/*").unwrap(), ["d/e.txt"]);
        assert_eq!(c.resolve("config.txt").unwrap_err(), "file not found in build context or excluded by .dockerignore: stat config.txt: file does not exist");
        assert!(c.resolve("[").is_err());
        assert!(glob_match("a\\*b", "a*b").unwrap());
        assert!(!glob_match("a*", "a/b").unwrap());
        assert!(glob_match_ds("**/e.txt", "d/e.txt").unwrap());
        assert!(glob_match_ds("**", "d/e.txt").unwrap());
    }

    #[test]
    fn dir_hash_covers_the_dir_and_below() {
        let mut c = Context::new();
        c.add_file("d/a", 0o644, &b"1"[..]);
        let h1 = c.source_hash("d").unwrap();
        c.write("d/a", &b"2"[..]);
        let h2 = c.source_hash("d").unwrap();
        assert!(h1.starts_with("dir:") && h1 != h2);
        let mut sums = vec![c.sum("d").unwrap(), c.sum("d/a").unwrap()];
        sums.sort();
        assert_eq!(h2, format!("dir:{}", hex(&sha256(sums.join(",").as_bytes()))));
    }

    proptest! {
        #[test]
        fn patterns_never_panic(p in "[a-z*?\\[\\]^\\\\/!-]{0,12}", n in "[a-z/.]{0,12}") {
            let _ = glob_match(&p, &n);
            let _ = glob_match_ds(&p, &n);
            if let Ok(ps) = parse_dockerignore(&p) {
                let _ = excluded(&ps, &n);
            }
        }
    }
}
