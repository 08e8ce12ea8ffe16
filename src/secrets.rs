//! What looks like a secret: by file name, by content patterns and in `ENV`/`ARG` history lines.
//!
//! Rules (the patterns gitleaks/trufflehog-style scanners and Dahlmanns et al., AsiaCCS 2023,
//! count as secrets in images): private keys (`id_rsa`, `id_ed25519`, …, `*.pem`, `*.key`, PEM
//! `PRIVATE KEY` blocks), `.env` files, cloud credentials (`.aws/credentials`, `AKIA…` access key
//! IDs, `aws_secret_access_key`, GCP service-account JSON), registry/package tokens (`.npmrc`,
//! `.pypirc`, `.netrc`, `.git-credentials`, `.docker/config.json`), GitHub/Slack tokens.
//! Content is scanned only in its first [`SCAN_LIMIT`] bytes, fed in chunks, so memory stays
//! bounded whatever the file's size; a match spanning the limit is missed.

/// Bytes of a file's beginning that content patterns look at.
pub const SCAN_LIMIT: u64 = 64 * 1024;

/// Why a name looks like a secret, or `None`.
pub fn by_name(path: &[u8]) -> Option<&'static str> {
    let name = path.rsplit(|&c| c == b'/').next().unwrap_or(path);
    let lower: Vec<u8> = name.to_ascii_lowercase();
    let full: Vec<u8> = path.to_ascii_lowercase();
    let ends = |s: &[u8]| lower.ends_with(s);
    match &lower[..] {
        b"id_rsa" | b"id_dsa" | b"id_ecdsa" | b"id_ed25519" => return Some("an SSH private key"),
        b".env" => return Some("a .env file"),
        b".npmrc" | b".pypirc" | b".netrc" | b".git-credentials" => return Some("a credentials file"),
        _ => {}
    }
    if lower.starts_with(b".env.") {
        return Some("a .env file");
    }
    if ends(b".pem") || ends(b".key") || ends(b".p12") || ends(b".pfx") {
        return Some("a key file");
    }
    if full.ends_with(b"/.aws/credentials") || full.ends_with(b"/.docker/config.json") || full.ends_with(b"/.kube/config") {
        return Some("cloud or registry credentials");
    }
    None
}

/// Every name [`by_name`] and the content patterns give a secret (the page says each in its
/// language under [`message_key`]).
pub const KINDS: &[&str] = &[
    "an SSH private key",
    "a .env file",
    "a credentials file",
    "a key file",
    "cloud or registry credentials",
    "a PEM private key",
    "an AWS secret access key",
    "a GCP service-account key",
    "a GitHub token",
    "a Slack token",
    "an AWS access key ID",
];

/// The message key of a kind of secret: `an SSH private key` → `inspect.kind.an_ssh_private_key`.
pub fn message_key(kind: &str) -> String {
    let slug: String = kind.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let parts: Vec<&str> = slug.split('_').filter(|p| !p.is_empty()).collect();
    format!("inspect.kind.{}", parts.join("_"))
}

/// Each content pattern, the position in it of its first `K`, `_` or `-` (the bytes the
/// search jumps between: [`memchr::memchr3_iter`], SIMD where the target has it, `simd128` in
/// the page, and already in the page's worker for JSON; one pass finds every pattern, where a
/// `memmem` searcher per pattern cost the first load's worker 3-4 KB of wasm it did not have),
/// and what a match is.
const CONTENT: &[(&[u8], usize, &str)] = &[
    (b"PRIVATE KEY-----", 8, "a PEM private key"),
    (b"aws_secret_access_key", 3, "an AWS secret access key"),
    (b"\"private_key_id\"", 8, "a GCP service-account key"),
    (b"ghp_", 3, "a GitHub token"),
    (b"github_pat_", 6, "a GitHub token"),
    (b"xoxb-", 4, "a Slack token"),
    (b"xoxp-", 4, "a Slack token"),
];

/// What a content match is called ([`Scanner::found`]), given its name: for decoding a stored
/// index, so only the names this module gives are accepted.
pub fn content_kind(name: &str) -> Option<&'static str> {
    CONTENT.iter().map(|c| c.2).chain(["an AWS access key ID"]).find(|k| *k == name)
}

/// Bytes kept from one chunk to the next, so a match spanning two chunks is found (longer
/// than every pattern: `aws_secret_access_key` is 21 bytes, `AKIA` + 16 is 20).
const OVERLAP: usize = 31;

/// A content scanner fed chunk by chunk (a match may span two chunks); it looks at the first
/// [`SCAN_LIMIT`] bytes only.
#[derive(Default)]
pub struct Scanner {
    tail: Vec<u8>,
    seen: u64,
    pub found: Option<&'static str>,
}

impl Scanner {
    /// Feeds the next chunk; returns false once nothing more needs reading.
    pub fn feed(&mut self, chunk: &[u8]) -> bool {
        if self.found.is_some() || self.seen >= SCAN_LIMIT {
            return false;
        }
        let take = chunk.len().min((SCAN_LIMIT - self.seen) as usize);
        let chunk = &chunk[..take];
        self.seen += take as u64;
        if !self.tail.is_empty() {
            // A match starting in the tail and ending in this chunk.
            let mut seam = self.tail.clone();
            seam.extend_from_slice(&chunk[..chunk.len().min(OVERLAP)]);
            self.found = scan(&seam);
        }
        if self.found.is_none() {
            self.found = scan(chunk);
        }
        // The tail: the last OVERLAP bytes fed so far.
        if chunk.len() >= OVERLAP {
            self.tail.clear();
        } else {
            let drop = (self.tail.len() + chunk.len()).saturating_sub(OVERLAP);
            self.tail.drain(..drop.min(self.tail.len()));
        }
        self.tail.extend_from_slice(&chunk[chunk.len().saturating_sub(OVERLAP)..]);
        self.found.is_none() && self.seen < SCAN_LIMIT
    }
}

fn scan(buf: &[u8]) -> Option<&'static str> {
    let mut found: Option<usize> = None;
    for pos in memchr::memchr3_iter(b'K', b'_', b'-', buf) {
        for (k, (pat, at, _)) in CONTENT.iter().enumerate() {
            if pat[*at] == buf[pos] && pos >= *at && buf[pos - at..].starts_with(pat) {
                // The first pattern of the list wins, as one search per pattern would have it.
                found = Some(found.map_or(k, |f| f.min(k)));
            }
        }
        // AWS access key IDs: AKIA followed by 16 upper-case letters or digits.
        if buf[pos] == b'K' && pos >= 1 && buf[pos - 1..].starts_with(b"AKIA") {
            let s = pos + 3;
            if found.is_none() && buf.len() >= s + 16 && buf[s..s + 16].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
                found = Some(CONTENT.len());
            }
        }
    }
    found.map(|k| CONTENT.get(k).map_or("an AWS access key ID", |c| c.2))
}

/// A `created_by` history line that sets a secret-looking variable with `ENV` or `ARG`, e.g.
/// `ENV API_TOKEN=abc` or `|1 GITHUB_TOKEN=abc /bin/sh -c …` (a build arg in a `RUN`).
pub fn in_history(created_by: &str) -> Option<String> {
    const WORDS: &[&str] = &["TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"];
    for word in created_by.split_whitespace() {
        let Some((k, v)) = word.split_once('=') else { continue };
        let key = k.to_ascii_uppercase();
        if !v.is_empty() && WORDS.iter().any(|w| key.contains(w)) {
            return Some(k.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_of_secret_is_named_in_both_languages() {
        use crate::i18n::{shipped, Lang};
        assert_eq!(message_key("a .env file"), "inspect.kind.a_env_file");
        let kinds: Vec<&str> = CONTENT.iter().map(|c| c.2).chain(["an AWS access key ID"]).collect();
        for k in kinds.iter().chain(KINDS) {
            assert!(KINDS.contains(k), "{k} not in KINDS");
            for lang in Lang::ALL {
                assert!(shipped(lang).contains(&message_key(k)), "{k} unnamed in {}", lang.tag());
            }
        }
    }

    use super::*;

    fn feed_in(text: &[u8], chunk: usize) -> Option<&'static str> {
        let mut sc = Scanner::default();
        for c in text.chunks(chunk) {
            if !sc.feed(c) {
                break;
            }
        }
        sc.found
    }

    #[test]
    fn a_pattern_is_found_across_any_chunk_boundary() {
        let cases: [(&[u8], &str); 4] = [
            (b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn", "a PEM private key"),
            (b"[default]\naws_secret_access_key = wJalrXUtnFEMI", "an AWS secret access key"),
            (b"key_id=AKIAIOSFODNN7EXAMPLE\n", "an AWS access key ID"),
            (b"{\"type\": \"service_account\", \"private_key_id\": \"1\"}", "a GCP service-account key"),
        ];
        for (text, what) in cases {
            let mut padded = vec![b'.'; 37];
            padded.extend_from_slice(text);
            for chunk in 1..=padded.len() {
                assert_eq!(feed_in(&padded, chunk), Some(what), "{} in chunks of {chunk}", String::from_utf8_lossy(text));
            }
        }
    }

    #[test]
    fn near_misses_and_bytes_past_the_limit_are_not_secrets() {
        for chunk in [1, 7, 31, 32, 4096] {
            assert_eq!(feed_in(b"AKIAiosfodnn7example and PRIVATE KEY---- and ghp", chunk), None);
        }
        let mut late = vec![b' '; SCAN_LIMIT as usize - 3];
        late.extend_from_slice(b"ghp_abcdef");
        assert_eq!(feed_in(&late, 1000), None, "a match spanning the limit is missed, as documented");
        late.truncate(SCAN_LIMIT as usize - 10);
        late.extend_from_slice(b"ghp_abcdef");
        assert_eq!(feed_in(&late, 1000), Some("a GitHub token"));
    }
}
