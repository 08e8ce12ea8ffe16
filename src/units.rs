//! Sizes and durations in Docker's own words.
//!
//! Spec: docker/go-units, `size.go` and `duration.go`, which the docker CLI formats with:
//! - [`human_size_precision`] = `HumanSizeWithPrecision(size, precision)`: decimal units
//!   (`B kB MB GB TB PB EB ZB YB`, base 1000) and Go's `%.*g`. The docker CLI uses precision 3
//!   for `docker images` SIZE, `docker history` SIZE and `docker ps -s` SIZE
//!   ([`ps_size`]: `"%s (virtual %s)"`), all in `cli/command/formatter`.
//! - [`human_size`] = `HumanSize` = precision 4: `docker system df` (`13.53MB` where
//!   `docker ps -s` says `13.5MB` for the same 13533844 bytes).
//! - [`bytes_size`] = `BytesSize`: binary units (`KiB MiB ...`, base 1024), `%.4g`; for where
//!   the page speaks for itself rather than imitating a docker command.
//! - [`binary`]: the page's own wording, one decimal and a space (`1.0 MiB`, `65 B`), for
//!   figures that imitate no docker command (file sizes in the tree, bytes copied up,
//!   progress).
//! - [`human_duration`] = `HumanDuration` ("Less than a second", "About a minute", "3 weeks");
//!   callers add `" ago"` as docker does (`docker history` CREATED:
//!   `units.HumanDuration(time.Now().UTC().Sub(created)) + " ago"`).
//!
//! Rules: Go's `%g` is reproduced exactly ([`format_g`]): precision = significant digits,
//! trailing zeros dropped, exponent form (`1e+03`) when the exponent is < -4 or >= the
//! precision, so go-units really prints `1e+03MB` for 999999999 bytes at precision 3 (and
//! `1000MB` at precision 4). Rounding
//! is on the exact binary value, ties to even, as Go's `strconv` does.
//!
//! Hand-written because no maintained Rust crate reproduces go-units' wording (`humansize`,
//! `bytesize`, `humantime` use their own formats and never Go's `%g`). No dependency on the
//! rest of the crate.

use std::time::Duration;

const DECIMAL: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
const BINARY: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/// go-units `getSizeAndUnit`: divides by `base` while the size is at least `base`.
fn size_and_unit(mut size: f64, base: f64, units: &[&'static str]) -> (f64, &'static str) {
    let mut i = 0;
    while size >= base && i < units.len() - 1 {
        size /= base;
        i += 1;
    }
    (size, units[i])
}

/// `HumanSizeWithPrecision(size, precision)`: `"%.*g%s"` over decimal units.
pub fn human_size_precision(size: f64, precision: usize) -> String {
    let (v, unit) = size_and_unit(size, 1000.0, &DECIMAL);
    format!("{}{unit}", format_g(v, precision))
}

/// `HumanSize(size)`: precision 4 (`docker system df`).
pub fn human_size(size: u64) -> String {
    human_size_precision(size as f64, 4)
}

/// Precision 3, as `docker images`, `docker history` and `docker ps -s` print sizes.
pub fn docker_size(size: u64) -> String {
    human_size_precision(size as f64, 3)
}

/// `docker ps -s` SIZE: `"%s (virtual %s)"`, both at precision 3.
pub fn ps_size(size: u64, virtual_size: u64) -> String {
    format!("{} (virtual {})", docker_size(size), docker_size(virtual_size))
}

/// The page's own wording for a byte count: `65 B`, `1.5 KiB`, `1.0 MiB` (binary units, one
/// decimal).
pub fn binary(n: u64) -> String {
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < BINARY.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", BINARY[i])
    }
}

/// `BytesSize(size)`: `"%.4g%s"` over binary units.
pub fn bytes_size(size: u64) -> String {
    let (v, unit) = size_and_unit(size as f64, 1024.0, &BINARY);
    format!("{}{unit}", format_g(v, 4))
}

/// Go's `fmt.Sprintf("%.*g", precision, v)` (strconv `FormatFloat(v, 'g', precision, 64)`).
pub fn format_g(v: f64, precision: usize) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let prec = precision.max(1);
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let a = v.abs();
    if a == 0.0 {
        return format!("{sign}0");
    }
    // Correctly rounded significant digits and the decimal exponent.
    let e = format!("{:.*e}", prec - 1, a);
    let (mant, exp) = e.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("exponent");
    let all: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    let nd = all.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1) as i32; // trailing zeros dropped
    let digits = &all[..nd as usize];
    let dp = exp + 1; // digits before the decimal point
    let prec = prec as i32;
    let mut eprec = prec;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if exp < -4 || exp >= eprec {
        // %e with min(prec, nd) significant digits.
        let p = prec.min(nd) as usize;
        let mut s = String::from(sign);
        s.push(digits[0] as char);
        if p > 1 {
            s.push('.');
            s.extend(digits[1..p].iter().map(|&d| d as char));
        }
        let (esign, eabs) = if exp < 0 { ('-', -exp) } else { ('+', exp) };
        s.push_str(&format!("e{esign}{eabs:02}"));
        return s;
    }
    // %f with max(p - dp, 0) decimals, p = nd when prec > dp.
    let p = if prec > dp { nd } else { prec };
    let decimals = (p - dp).max(0);
    let digit = |j: i32| if (0..nd).contains(&j) { digits[j as usize] as char } else { '0' };
    let mut s = String::from(sign);
    if dp > 0 {
        (0..dp).for_each(|j| s.push(digit(j)));
    } else {
        s.push('0');
    }
    if decimals > 0 {
        s.push('.');
        (1..=decimals).for_each(|i| s.push(digit(dp + i - 1)));
    }
    s
}

/// go-units `HumanDuration`: an approximation of `d` in words, without " ago".
pub fn human_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    let seconds = d.as_secs();
    let minutes = seconds / 60;
    // int(d.Hours() + 0.5)
    let hours = (nanos + 1_800_000_000_000) / 3_600_000_000_000;
    if seconds < 1 {
        "Less than a second".into()
    } else if seconds == 1 {
        "1 second".into()
    } else if seconds < 60 {
        format!("{seconds} seconds")
    } else if minutes == 1 {
        "About a minute".into()
    } else if minutes < 60 {
        format!("{minutes} minutes")
    } else if hours == 1 {
        "About an hour".into()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        // int(d.Hours())/24/365: truncated hours here, not rounded.
        format!("{} years", seconds / 3600 / 24 / 365)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_pages_own_binary_wording() {
        assert_eq!(binary(0), "0 B");
        assert_eq!(binary(65), "65 B");
        assert_eq!(binary(1536), "1.5 KiB");
        assert_eq!(binary(1048576), "1.0 MiB");
        assert_eq!(binary(400 << 20), "400.0 MiB");
    }

    use super::*;

    /// Figures from the docker oracle's real transcripts (Docker 20.10.24,
    /// `../shared/docker-oracle/scenarios`), with the byte counts they came from.
    #[test]
    fn real_docker_figures() {
        // 127.0.0.1:5000/bb-work:1, `"Size": 13533844` (commit-history `docker image inspect`):
        // `docker system df` SIZE 13.53MB; `docker ps -s` "(virtual 13.5MB)" (container-rm).
        assert_eq!(human_size(13_533_844), "13.53MB");
        assert_eq!(docker_size(13_533_844), "13.5MB");
        // container-rm: c1 ran `head -c 2097152 ... > /data/copy.bin`: `docker ps -s`
        // "2.1MB (virtual 15.6MB)", `docker system df` Containers SIZE 2.097MB.
        assert_eq!(ps_size(2_097_152, 13_533_844 + 2_097_152), "2.1MB (virtual 15.6MB)");
        assert_eq!(human_size(2_097_152), "2.097MB");
        // 127.0.0.1:5000/bb:1, `"Size": 1982410`: `docker images` and `docker history` 1.98MB.
        assert_eq!(docker_size(1_982_410), "1.98MB");
        // build-add-tar: COPY of context/site.tar (10240 bytes): `docker history` 10.2kB;
        // ADD of notes.txt (40 bytes): 40B; empty layers: 0B.
        assert_eq!(docker_size(10_240), "10.2kB");
        assert_eq!(docker_size(40), "40B");
        assert_eq!(docker_size(0), "0B");
        // commit-save: the committed layer of `echo hello > /app/hello.txt`: 6B.
        assert_eq!(docker_size(6), "6B");
    }

    #[test]
    fn go_g_format() {
        assert_eq!(format_g(1.0, 3), "1");
        assert_eq!(format_g(1.024, 3), "1.02");
        assert_eq!(format_g(27.648, 3), "27.6");
        assert_eq!(format_g(100.0, 3), "100");
        assert_eq!(format_g(120.0, 4), "120");
        assert_eq!(format_g(999.0, 3), "999");
        // Rounding carries into a fourth digit: exponent form, as Go prints it.
        assert_eq!(format_g(999.5, 3), "1e+03");
        // At precision 4 the same carry stays in %f form (exponent 3 < 4).
        assert_eq!(format_g(999.96, 4), "1000");
        assert_eq!(format_g(0.0001234, 3), "0.000123");
        assert_eq!(format_g(0.00001234, 3), "1.23e-05");
        assert_eq!(format_g(123456.0, 3), "1.23e+05");
        assert_eq!(format_g(2.5, 1), "2"); // ties to even, like strconv
        assert_eq!(format_g(0.0, 4), "0");
        assert_eq!(format_g(-1.5, 4), "-1.5");
        assert_eq!(format_g(5.0, 0), "5");
    }

    #[test]
    fn go_units_sizes() {
        // go-units size_test.go (HumanSize / BytesSize).
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(1024), "1.024kB");
        assert_eq!(human_size(1_000_000), "1MB");
        assert_eq!(human_size(1_048_576), "1.049MB");
        assert_eq!(human_size(2 * 1_000_000), "2MB");
        assert_eq!(human_size(3_420_000_000), "3.42GB");
        assert_eq!(human_size(5_372_000_000_000), "5.372TB");
        assert_eq!(human_size_precision(1e26, 4), "100YB");
        assert_eq!(human_size_precision(1e27, 4), "1000YB");
        assert_eq!(human_size_precision(1e27, 3), "1e+03YB");
        // The edge where docker prints `1e+03MB`: precision 3 (docker images/history/ps).
        assert_eq!(docker_size(999_999_999), "1e+03MB");
        assert_eq!(human_size(999_999_999), "1000MB");
        assert_eq!(docker_size(999_999), "1e+03kB");
        assert_eq!(bytes_size(1024), "1KiB");
        assert_eq!(bytes_size(1024 * 1024), "1MiB");
        assert_eq!(bytes_size(1_048_576 * 3 / 2), "1.5MiB");
        assert_eq!(bytes_size(1023), "1023B");
        assert_eq!(bytes_size(1_073_741_824 * 5 / 4), "1.25GiB");
        // What the CLI printed before (its own %.3g), unchanged.
        assert_eq!(docker_size(27_648), "27.6kB");
        assert_eq!(docker_size(5_245_440), "5.25MB");
        assert_eq!(docker_size(1024), "1.02kB");
    }

    #[test]
    fn go_units_durations() {
        let s = Duration::from_secs;
        let h = |x: u64| s(x * 3600);
        assert_eq!(human_duration(Duration::from_millis(999)), "Less than a second");
        assert_eq!(human_duration(s(1)), "1 second");
        assert_eq!(human_duration(s(47)), "47 seconds");
        assert_eq!(human_duration(s(60)), "About a minute");
        assert_eq!(human_duration(s(119)), "About a minute");
        assert_eq!(human_duration(s(120)), "2 minutes");
        assert_eq!(human_duration(s(59 * 60 + 59)), "59 minutes");
        assert_eq!(human_duration(s(60 * 60)), "About an hour");
        assert_eq!(human_duration(s(89 * 60 + 59)), "About an hour");
        assert_eq!(human_duration(s(90 * 60)), "2 hours"); // hours are rounded
        assert_eq!(human_duration(h(47)), "47 hours");
        assert_eq!(human_duration(h(48)), "2 days");
        assert_eq!(human_duration(h(24 * 13)), "13 days");
        assert_eq!(human_duration(h(24 * 14)), "2 weeks");
        assert_eq!(human_duration(h(24 * 59)), "8 weeks");
        assert_eq!(human_duration(h(24 * 60)), "2 months");
        assert_eq!(human_duration(h(24 * 729)), "24 months");
        assert_eq!(human_duration(h(24 * 730)), "2 years");
        assert_eq!(human_duration(h(24 * 365 * 3)), "3 years");
    }
}
