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

const CONTENT: &[(&[u8], &str)] = &[
    (b"PRIVATE KEY-----", "a PEM private key"),
    (b"aws_secret_access_key", "an AWS secret access key"),
    (b"\"private_key_id\"", "a GCP service-account key"),
    (b"ghp_", "a GitHub token"),
    (b"github_pat_", "a GitHub token"),
    (b"xoxb-", "a Slack token"),
    (b"xoxp-", "a Slack token"),
];

/// A content scanner fed chunk by chunk (a match may span two chunks).
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
        self.seen += take as u64;
        let mut buf = std::mem::take(&mut self.tail);
        buf.extend_from_slice(&chunk[..take]);
        self.found = scan(&buf);
        let keep = buf.len().min(32);
        self.tail = buf[buf.len() - keep..].to_vec();
        self.found.is_none() && self.seen < SCAN_LIMIT
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn scan(buf: &[u8]) -> Option<&'static str> {
    for (pat, what) in CONTENT {
        if find(buf, pat).is_some() {
            return Some(what);
        }
    }
    // AWS access key IDs: AKIA followed by 16 upper-case letters or digits.
    let mut from = 0;
    while let Some(i) = find(&buf[from..], b"AKIA") {
        let s = from + i + 4;
        if buf.len() >= s + 16 && buf[s..s + 16].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            return Some("an AWS access key ID");
        }
        from = from + i + 1;
    }
    None
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
