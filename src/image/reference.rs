//! Image references (`repo:tag`) as Docker spells them in the documents it writes.
//!
//! Spec: distribution's `reference` package (`normalize.go`, `splitDockerDomain`), as moby's
//! `docker save` uses it: `RepoTags` and the `repositories` keys are the familiar form
//! (`FamiliarString`/`FamiliarName`: `app:1.0`, `fixtures/x:latest`), the
//! `io.containerd.image.name` annotation the full form (`ref.String()`:
//! `docker.io/library/app:1.0`), the `org.opencontainers.image.ref.name` annotation the tag.
//!
//! Rules: a first component with a `.` or `:`, or `localhost`, or an upper-case letter is a
//! registry; otherwise the registry is `docker.io`, and a one-component name on `docker.io`
//! is under `library/`. `index.docker.io` is `docker.io`. A missing tag is `latest`.

const DEFAULT_DOMAIN: &str = "docker.io";
const LEGACY_DOMAIN: &str = "index.docker.io";
const OFFICIAL_PREFIX: &str = "library/";

/// Splits `repo:tag` (the tag is after the last `:` that follows the last `/`; `latest` when
/// there is none).
pub fn split_tag(t: &str) -> (&str, &str) {
    let slash = t.rfind('/').map_or(0, |i| i + 1);
    match t[slash..].rfind(':') {
        Some(i) => (&t[..slash + i], &t[slash + i + 1..]),
        None => (t, "latest"),
    }
}

/// (registry, path) of a repository name, as `splitDockerDomain` splits it.
fn split_domain(name: &str) -> (&str, String) {
    let (domain, rest) = match name.split_once('/') {
        Some((d, r)) if d.contains(['.', ':']) || d == "localhost" || d.chars().any(|c| c.is_ascii_uppercase()) => (d, r),
        _ => (DEFAULT_DOMAIN, name),
    };
    let domain = if domain == LEGACY_DOMAIN { DEFAULT_DOMAIN } else { domain };
    let rest = if domain == DEFAULT_DOMAIN && !rest.contains('/') { format!("{OFFICIAL_PREFIX}{rest}") } else { rest.to_string() };
    (domain, rest)
}

/// The familiar repository name (`FamiliarName`): `docker.io/library/app` -> `app`.
pub fn familiar_name(repo: &str) -> String {
    match split_domain(repo) {
        (DEFAULT_DOMAIN, path) => match path.strip_prefix(OFFICIAL_PREFIX) {
            Some(p) if !p.contains('/') => p.to_string(),
            _ => path,
        },
        (d, path) => format!("{d}/{path}"),
    }
}

/// The familiar `repo:tag` (`FamiliarString`): `docker.io/library/app:1.0` -> `app:1.0`.
pub fn familiar_tag(t: &str) -> String {
    let (repo, tag) = split_tag(t);
    format!("{}:{tag}", familiar_name(repo))
}

/// The full `registry/path:tag` (`ref.String()`): `app:1.0` -> `docker.io/library/app:1.0`.
pub fn full_tag(t: &str) -> String {
    let (repo, tag) = split_tag(t);
    let (d, path) = split_domain(repo);
    format!("{d}/{path}:{tag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_after_registry_port() {
        assert_eq!(split_tag("localhost:5000/app:v2"), ("localhost:5000/app", "v2"));
        assert_eq!(split_tag("docker.io/fixtures/layered:latest"), ("docker.io/fixtures/layered", "latest"));
        assert_eq!(split_tag("app"), ("app", "latest"));
    }

    #[test]
    fn familiar_and_full_forms_like_docker() {
        assert_eq!(familiar_tag("docker.io/library/webapp:1.0"), "webapp:1.0");
        assert_eq!(familiar_tag("docker.io/fixtures/layered:latest"), "fixtures/layered:latest");
        assert_eq!(familiar_tag("index.docker.io/library/busybox"), "busybox:latest");
        assert_eq!(familiar_tag("127.0.0.1:5000/bb:1"), "127.0.0.1:5000/bb:1");
        assert_eq!(familiar_tag("localhost/app:x"), "localhost/app:x");
        assert_eq!(full_tag("webapp:1.0"), "docker.io/library/webapp:1.0");
        assert_eq!(full_tag("fixtures/layered"), "docker.io/fixtures/layered:latest");
        assert_eq!(full_tag("127.0.0.1:5000/bb:1"), "127.0.0.1:5000/bb:1");
        assert_eq!(familiar_name("docker.io/library/a/b"), "library/a/b");
    }
}
