//! The oracle's placeholders for the IDs this host makes from its clock: a commit's image ID
//! (`<img:N>`), the diff ID and chain ID of the layer it added (`<diff:N>`, `<chain:N>`), and the
//! legacy v1 IDs of `docker save` that depend on a commit (`<v1:K>`), with their 12-hex forms
//! (`<img12:N>`, ...).
//!
//! Truth: the oracle README, "Normalization" rule 4: N counts commits as they run (a layer takes
//! its image's N; an empty layer, the empty-tar digest or an input layer's ID gets none, a layer
//! seen before keeps its first placeholder); K counts v1 IDs in order of `docker save` commands,
//! images, layers. A 64-hex ID is replaced anywhere (also after `sha256:`, in file names, JSON);
//! its first 12 hex digits only where they stand alone (not inside a longer hex run).
//!
//! Rules: the host keeps real digests in its data (a saved and loaded commit hashes back to the
//! same ID); only what it prints goes through [`Names::normalize`], table cells before they are
//! laid out (the oracle re-lays tables out around placeholders).

use std::collections::BTreeMap;

/// The host's fixed clock (seconds since the epoch), where Docker stamps the time into bytes (the
/// mtimes of a commit's `docker save` members). Documents say `<time>` instead (the oracle's
/// placeholder); anything stamped with this clock prints as `<time>` too.
pub const NOW: i64 = 1_795_000_000;

/// Seconds since the epoch of a time a document holds: `<time>` is [`NOW`]; an RFC 3339 UTC or
/// offset time (`2001-01-01T00:00:00Z`, fractions ignored) its instant; anything else the epoch.
pub fn seconds(t: &str) -> i64 {
    if t == "<time>" {
        return NOW;
    }
    let num = |r: std::ops::Range<usize>| t.get(r).and_then(|x| x.parse::<i64>().ok());
    let (Some(y), Some(m), Some(d), Some(hh), Some(mm), Some(ss)) = (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16), num(17..19)) else {
        return 0;
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let mut secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    // An offset after the seconds (and any fraction): `+01:00` / `-05:30`.
    let rest = t.get(19..).unwrap_or("").trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if let (Some(sign), Some(oh), Some(om)) = (rest.chars().next(), rest.get(1..3).and_then(|x| x.parse::<i64>().ok()), rest.get(4..6).and_then(|x| x.parse::<i64>().ok())) {
        let off = oh * 3600 + om * 60;
        secs += if sign == '-' { off } else if sign == '+' { -off } else { 0 };
    }
    secs
}

/// Placeholders by the 64-hex digest they stand for.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// hex -> label (`img:1`, `diff:1`, `chain:1`, `v1:1`).
    by_hex: BTreeMap<String, String>,
    /// First 12 hex -> label.
    by_short: BTreeMap<String, String>,
    images: usize,
    v1s: usize,
    /// Times [`Names::stamp`] gave out (printed as `<time>`).
    times: Vec<String>,
    builds: usize,
}

/// `t` (seconds since the epoch) as RFC 3339 UTC, the way Go marshals a whole-second time.
pub fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

impl Names {
    /// Whether `digest` (with or without `sha256:`) has a placeholder.
    pub fn has(&self, digest: &str) -> bool {
        self.by_hex.contains_key(hex_of(digest))
    }

    fn put(&mut self, digest: &str, label: String) {
        let hex = hex_of(digest);
        if hex.len() != 64 || self.by_hex.contains_key(hex) {
            return;
        }
        self.by_short.insert(hex[..12].to_string(), label.clone());
        self.by_hex.insert(hex.to_string(), label);
    }

    /// A commit made image `id`: it becomes `<img:N>` (N the next number) and, when it added a
    /// layer no one had before, its diff and chain IDs `<diff:N>` and `<chain:N>`. Returns N.
    pub fn commit(&mut self, id: &str, new_layer: Option<(&str, &str)>) -> usize {
        self.images += 1;
        let n = self.images;
        self.put(id, format!("img:{n}"));
        if let Some((diff, chain)) = new_layer {
            self.put(diff, format!("diff:{n}"));
            self.put(chain, format!("chain:{n}"));
        }
        n
    }

    /// A moment the builder stamps into what it makes (an image's `created`, the mtimes of a
    /// step's layer): one second after the last, so no two build steps make the same bytes (as
    /// Docker's clock guarantees); printed as `<time>`.
    pub fn stamp(&mut self) -> (i64, String) {
        let t = NOW + 1 + self.times.len() as i64;
        let s = rfc3339(t);
        self.times.push(s.clone());
        (t, s)
    }

    /// The next intermediate build container: a 64-hex ID printed as `<build:K>` (README rule 4).
    pub fn build_container(&mut self) -> String {
        self.builds += 1;
        let hex = crate::digest::hex(&crate::digest::sha256(format!("layerlab build container {}", self.builds).as_bytes()));
        self.put(&hex, format!("build:{}", self.builds));
        hex
    }

    /// A legacy v1 ID of a saved layer that depends on a commit: `<v1:K>`, K the next number
    /// (kept when it was named before).
    pub fn v1(&mut self, hex: &str) {
        if !self.has(hex) {
            self.v1s += 1;
            let k = self.v1s;
            self.put(hex, format!("v1:{k}"));
        }
    }

    /// The label a 64-hex ID was given (`build:1`, `img:2`), if any.
    pub fn label(&self, hex: &str) -> Option<&str> {
        self.by_hex.get(hex).map(String::as_str)
    }

    /// The host's clock now: [`NOW`], moved on by every [`Names::stamp`] (the last one given
    /// out), so a replayed journal reads the same clock.
    pub fn now(&self) -> i64 {
        NOW + self.times.len() as i64
    }

    /// DISPLAY: `s` as a real daemon prints it, for the page (the oracle's normalization is
    /// off there): the placeholders the host keeps in its data become real-looking values,
    /// `<cid:NAME>` / `<cid12:NAME>` a container's 64/12 hex ID, `<cache:C>` a graph driver
    /// directory's 64 hex, `<time>` the clock's [`NOW`] in RFC 3339. The IDs are derived from
    /// the name (sha256), so a replay prints the same ones.
    pub fn show(&self, s: &str) -> String {
        if !s.contains('<') {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            let end = tail[1..].find(|c: char| c == '>' || c == '<' || c.is_whitespace() || c == '"').map(|e| e + 1);
            let body = end.filter(|&e| tail.as_bytes()[e] == b'>').map(|e| &tail[1..e]);
            let shown = body.and_then(|b| {
                if b == "time" {
                    return Some(rfc3339(NOW));
                }
                let (kind, name) = b.split_once(':')?;
                let seed = match kind {
                    "cid" | "cid12" => format!("layerlab container {name}"),
                    "cache" => format!("layerlab cache {name}"),
                    _ => return None,
                };
                let hex = crate::digest::hex(&crate::digest::sha256(seed.as_bytes()));
                Some(if kind == "cid12" { hex[..12].to_string() } else { hex })
            });
            match (shown, body) {
                (Some(v), Some(b)) => {
                    out.push_str(&v);
                    rest = &tail[b.len() + 2..];
                }
                _ => {
                    out.push('<');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// `s` with every named 64-hex run and standalone 12-hex prefix replaced.
    pub fn normalize(&self, s: &str) -> String {
        let s = &self.normalize_hex(s);
        if self.times.is_empty() || !s.contains('T') {
            return s.to_string();
        }
        let mut out = s.to_string();
        for t in self.times.iter().rev() {
            if out.contains(t.as_str()) {
                out = out.replace(t.as_str(), "<time>");
            }
        }
        out
    }

    fn normalize_hex(&self, s: &str) -> String {
        if self.by_hex.is_empty() {
            return s.to_string();
        }
        let b = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        let mut last = 0;
        while i < b.len() {
            if !b[i].is_ascii_hexdigit() || b[i].is_ascii_uppercase() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || (b'a'..=b'f').contains(&b[i])) {
                i += 1;
            }
            let run = &s[start..i];
            let label = match run.len() {
                64 => self.by_hex.get(run).cloned(),
                12 => self.by_short.get(run).map(|l| l.replacen(':', "12:", 1)),
                _ => None,
            };
            if let Some(l) = label {
                out.push_str(&s[last..start]);
                out.push('<');
                out.push_str(&l);
                out.push('>');
                last = i;
            }
        }
        out.push_str(&s[last..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_tick_and_print_as_time() {
        assert_eq!(rfc3339(978_307_200), "2001-01-01T00:00:00Z");
        assert_eq!(seconds(&rfc3339(NOW + 12345)), NOW + 12345);
        let mut n = Names::default();
        let (a, sa) = n.stamp();
        let (b, _) = n.stamp();
        assert_eq!(b, a + 1);
        assert_eq!(n.normalize(&format!("\"Created\": \"{sa}\"")), "\"Created\": \"<time>\"");
    }

    #[test]
    fn shown_as_a_daemon_prints() {
        let n = Names::default();
        let s = n.show("<cid12:a> <cid:a> \"<time>\" <none> <missing> <cache:chain-1> <img:1> a<b");
        let w: Vec<&str> = s.split(' ').collect();
        assert_eq!(w[0].len(), 12);
        assert_eq!(&w[1][..12], w[0]);
        assert_eq!(w[1].len(), 64);
        assert_eq!(w[2], format!("\"{}\"", rfc3339(NOW)));
        assert_eq!(&w[3..5], &["<none>", "<missing>"]);
        assert_eq!(w[5].len(), 64);
        assert_eq!(&w[6..], &["<img:1>", "a<b"]);
        assert_eq!(n.now(), NOW);
    }

    #[test]
    fn seconds_of_document_times() {
        assert_eq!(seconds("2001-01-01T00:00:00Z"), 978_307_200);
        assert_eq!(seconds("2020-01-01T10:00:00+01:00"), 1_577_869_200);
        assert_eq!(seconds("2000-02-29T00:00:00.5Z"), 951_782_400);
        assert_eq!(seconds("<time>"), NOW);
        assert_eq!(seconds("garbage"), 0);
    }

    #[test]
    fn long_and_standalone_short_forms() {
        let mut n = Names::default();
        let id = format!("sha256:{}", "a1".repeat(32));
        let diff = format!("sha256:{}", "b2".repeat(32));
        let chain = format!("sha256:{}", "c3".repeat(32));
        assert_eq!(n.commit(&id, Some((&diff, &chain))), 1);
        assert_eq!(n.commit(&format!("sha256:{}", "d4".repeat(32)), None), 2);
        let s = format!("{id} {} x{}y {} {}", &id[7..19], &diff[7..19], &chain[7..20], "a1".repeat(32));
        assert_eq!(n.normalize(&s), "sha256:<img:1> <img12:1> x<diff12:1>y c3c3c3c3c3c3c <img:1>");
        n.v1(&"e5".repeat(32));
        n.v1(&"e5".repeat(32));
        n.v1(&"f6".repeat(32));
        assert_eq!(n.normalize(&format!("{}/layer.tar", "f6".repeat(32))), "<v1:2>/layer.tar");
    }
}
