//! Paths inside a layer, a union or a container, in one place.
//!
//! Rules (`../shared/STYLE.md`, "Paths"; SPEC §2 rule 1 for cleaning):
//! - A path is bytes (tar names may be non-UTF-8), `/`-separated; nothing here decodes it.
//! - Two conventions are in use, each with its own helpers. Display paths, as listings, the
//!   union and the container name things, are `/`-rooted: `/` is the root, `/etc/passwd` a
//!   file, no trailing `/` except on the root ([`join`], [`split`], [`from_components`],
//!   [`clean`]). Layer-entry paths, as stored in a layer's index, are relative: `""` is the
//!   root, `etc/passwd` a file ([`join_rel`], [`split_rel`]).
//! - Empty components (`a//b`, a trailing `/`) are skipped when a path is walked
//!   ([`components`]).
//!
//! Hand-written rather than `std::path`: `Path` is OS-specific (on Windows `\` separates and
//! `C:` is a prefix) and wants `OsStr`, while these are Linux paths of a tar or an overlay as
//! bytes on every platform, including wasm.

/// The non-empty components of a path, in order (`/a//b/` gives `a`, `b`).
pub fn components(p: &[u8]) -> impl Iterator<Item = &[u8]> {
    p.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

/// The `/`-rooted path of components (`[]` gives `/`, `[a, b]` gives `/a/b`).
pub fn from_components<C: AsRef<[u8]>>(comps: &[C]) -> Vec<u8> {
    let mut v = Vec::new();
    for c in comps {
        v.push(b'/');
        v.extend_from_slice(c.as_ref());
    }
    if v.is_empty() {
        v.push(b'/');
    }
    v
}

/// Joins a `/`-rooted directory and a name: `/` + `a` = `/a`, `/a` + `b` = `/a/b`; trailing
/// slashes of the directory are dropped first (`/a//` + `b` = `/a/b`), and `""` is the root.
pub fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(dir.len() + 1 + name.len());
    v.extend_from_slice(dir);
    while v.len() > 1 && v.ends_with(b"/") {
        v.pop();
    }
    if !v.ends_with(b"/") {
        v.push(b'/');
    }
    v.extend_from_slice(name);
    v
}

/// Joins two relative paths (`""` is the root): `""` + `a` = `a`, `a` + `b` = `a/b`.
pub fn join_rel(parent: &[u8], name: &[u8]) -> Vec<u8> {
    if parent.is_empty() {
        return name.to_vec();
    }
    let mut v = Vec::with_capacity(parent.len() + 1 + name.len());
    v.extend_from_slice(parent);
    v.push(b'/');
    v.extend_from_slice(name);
    v
}

/// Splits a relative path at its last `/` into (parent, name): `a/b/c` gives (`a/b`, `c`),
/// `a` gives (`""`, `a`). On a `/`-rooted path a top-level name gets the parent `""`.
pub fn split_rel(p: &[u8]) -> (&[u8], &[u8]) {
    match p.iter().rposition(|&b| b == b'/') {
        Some(i) => (&p[..i], &p[i + 1..]),
        None => (b"", p),
    }
}

/// Splits a `/`-rooted path into (parent, name): `/a/b` gives (`/a`, `b`), `/a` gives
/// (`/`, `a`), `/` gives (`/`, `""`).
pub fn split(p: &[u8]) -> (&[u8], &[u8]) {
    match split_rel(p) {
        (b"", name) => (b"/", name),
        parts => parts,
    }
}

/// The last component, as `basename(1)` prints it: trailing slashes ignored (`/a/b/` gives
/// `b`), `/` stays `/`.
pub fn basename(p: &[u8]) -> &[u8] {
    let mut end = p.len();
    while end > 1 && p[end - 1] == b'/' {
        end -= 1;
    }
    let t = &p[..end];
    match t.iter().rposition(|&c| c == b'/') {
        Some(i) if i + 1 < t.len() => &t[i + 1..],
        _ => t,
    }
}

/// The components of `p` with `.` dropped and `..` resolved lexically, and whether a `..`
/// tried to leave the root (it is then dropped, as the kernel does at `/`).
pub fn resolve(p: &[u8]) -> (Vec<&[u8]>, bool) {
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut escaped = false;
    for comp in components(p) {
        match comp {
            b"." => {}
            b".." => escaped |= parts.pop().is_none(),
            c => parts.push(c),
        }
    }
    (parts, escaped)
}

/// The `/`-rooted, lexically cleaned form of a path (`/a/./b/../c` = `/a/c`, `..` at the root
/// stays at the root).
pub fn clean(p: &[u8]) -> Vec<u8> {
    from_components(&resolve(p).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooted_paths() {
        assert_eq!(join(b"/", b"a"), b"/a");
        assert_eq!(join(b"/a", b"b"), b"/a/b");
        assert_eq!(join(b"/a//", b"b"), b"/a/b");
        assert_eq!(join(b"", b"a"), b"/a");
        assert_eq!(split(b"/a/b"), (&b"/a"[..], &b"b"[..]));
        assert_eq!(split(b"/a"), (&b"/"[..], &b"a"[..]));
        assert_eq!(split(b"/"), (&b"/"[..], &b""[..]));
        assert_eq!(from_components::<&[u8]>(&[]), b"/");
        assert_eq!(from_components(&[b"a", b"b"]), b"/a/b");
        assert_eq!(components(b"/a//b/").collect::<Vec<_>>(), vec![&b"a"[..], b"b"]);
        assert_eq!(clean(b"/a/./b/../c"), b"/a/c");
        assert_eq!(clean(b"/../x"), b"/x");
        assert_eq!(basename(b"/a/b/"), b"b");
        assert_eq!(basename(b"/"), b"/");
        assert_eq!(basename(b"x"), b"x");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(join_rel(b"", b"a"), b"a");
        assert_eq!(join_rel(b"a", b"b"), b"a/b");
        assert_eq!(split_rel(b"a/b/c"), (&b"a/b"[..], &b"c"[..]));
        assert_eq!(split_rel(b"a"), (&b""[..], &b"a"[..]));
        assert_eq!(resolve(b"a/../../b"), (vec![&b"b"[..]], true));
    }
}
