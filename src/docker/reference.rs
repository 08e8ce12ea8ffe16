//! Image references as the docker CLI and daemon parse them (distribution `reference`:
//! `ParseNormalizedNamed`, `splitDockerDomain`, `FamiliarString`, `TagNameOnly`).
//!
//! Rules: a first component with a `.` or `:`, `localhost`, or an upper-case letter is the
//! registry, else `docker.io` (one-component names under `library/`); the rest must be lower
//! case (`invalid reference format: repository name must be lowercase`), path components are
//! `[a-z0-9]` joined by `.`, `_`, `__` or dashes, a tag is `[\w][\w.-]{0,127}`, a digest is
//! `sha256:` + 64 hex; anything else is `invalid reference format`. The familiar form drops
//! `docker.io/` and `library/`.

/// A parsed reference: registry, path, optional tag and digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Named {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

pub const DEFAULT_DOMAIN: &str = "docker.io";
pub const ERR_FORMAT: &str = "invalid reference format";
pub const ERR_UPPER: &str = "invalid reference format: repository name must be lowercase";

fn component_ok(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x.is_ascii_lowercase() || x.is_ascii_digit() {
            i += 1;
            continue;
        }
        // a separator: `.`, `_`, `__` or one or more `-`
        let start = i;
        match x {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i >= b.len() || !b[i].is_ascii_alphanumeric() || i == start {
            return false;
        }
    }
    true
}

fn domain_ok(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty() && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') && !l.starts_with('-') && !l.ends_with('-')
        })
}

fn tag_ok(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn digest_ok(d: &str) -> bool {
    match d.strip_prefix("sha256:") {
        Some(h) => h.len() == 64 && h.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
        None => false,
    }
}

impl Named {
    /// `ParseNormalizedNamed`: the error is the sentence Docker prints.
    pub fn parse(s: &str) -> Result<Named, &'static str> {
        if s.is_empty() {
            return Err(ERR_FORMAT);
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_string())),
            None => (rest, None),
        };
        let (domain, remainder) = match name.split_once('/') {
            Some((d, r)) if d.contains(['.', ':']) || d == "localhost" || d.to_lowercase() != d => (d.to_string(), r.to_string()),
            _ => (DEFAULT_DOMAIN.to_string(), name.to_string()),
        };
        if remainder.to_lowercase() != remainder {
            return Err(ERR_UPPER);
        }
        if !domain_ok(&domain) || !remainder.split('/').all(component_ok) {
            return Err(ERR_FORMAT);
        }
        if tag.as_deref().is_some_and(|t| !tag_ok(t)) || digest.as_deref().is_some_and(|d| !digest_ok(d)) {
            return Err(ERR_FORMAT);
        }
        let path = if domain == DEFAULT_DOMAIN && !remainder.contains('/') { format!("library/{remainder}") } else { remainder };
        Ok(Named { domain, path, tag, digest })
    }

    /// `TagNameOnly`: `latest` when neither a tag nor a digest is given.
    pub fn with_default_tag(mut self) -> Named {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some("latest".into());
        }
        self
    }

    /// `Name()`: `docker.io/library/bb`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// `FamiliarName`: `bb`, `127.0.0.1:5000/bb`.
    pub fn familiar_name(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            match self.path.strip_prefix("library/") {
                Some(p) if !p.contains('/') => p.to_string(),
                _ => self.path.clone(),
            }
        } else {
            self.name()
        }
    }

    fn suffix(&self) -> String {
        let mut s = String::new();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// `String()`: the full form, `docker.io/library/bb:1`.
    pub fn full(&self) -> String {
        format!("{}{}", self.name(), self.suffix())
    }

    /// `FamiliarString`: `bb:1`, `127.0.0.1:5000/bb@sha256:...`.
    pub fn familiar(&self) -> String {
        format!("{}{}", self.familiar_name(), self.suffix())
    }

    /// The same repository with only this tag.
    pub fn tagged(&self, tag: &str) -> Named {
        Named { domain: self.domain.clone(), path: self.path.clone(), tag: Some(tag.into()), digest: None }
    }

    /// The same repository with only this digest.
    pub fn canonical(&self, digest: &str) -> Named {
        Named { domain: self.domain.clone(), path: self.path.clone(), tag: None, digest: Some(digest.into()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_distribution() {
        let r = Named::parse("127.0.0.1:5000/bb:1").unwrap();
        assert_eq!((r.domain.as_str(), r.path.as_str(), r.tag.as_deref()), ("127.0.0.1:5000", "bb", Some("1")));
        assert_eq!(r.familiar(), "127.0.0.1:5000/bb:1");
        let w = Named::parse("work:local").unwrap();
        assert_eq!(w.full(), "docker.io/library/work:local");
        assert_eq!(w.familiar(), "work:local");
        assert_eq!(Named::parse("bazel/v1/tarball:test_image_1").unwrap().familiar_name(), "bazel/v1/tarball");
        assert_eq!(Named::parse("UPPER/Case"), Err(ERR_UPPER));
        assert_eq!(Named::parse("Bb"), Err(ERR_UPPER));
        assert_eq!(Named::parse("bb:"), Err(ERR_FORMAT));
        assert_eq!(Named::parse("a//b"), Err(ERR_FORMAT));
        assert_eq!(Named::parse("bb@sha256:12"), Err(ERR_FORMAT));
        assert_eq!(Named::parse("127.0.0.1:5000/nothere").unwrap().with_default_tag().familiar(), "127.0.0.1:5000/nothere:latest");
    }
}
