//! dive's CI mode (`dive --ci`, wagoodman/dive `runtime/ci/`): three rules read from a
//! `.dive-ci` file, each compared strictly, and a pass/fail result.
//!
//! Rules, as dive has them:
//! - `lowestEfficiency` (default 0.9): fails when threshold > efficiency.
//! - `highestWastedBytes` (default disabled): fails when wasted bytes > threshold; sizes are
//!   parsed like go-humanize `ParseBytes` ("20MB" = 20,000,000; "20MiB" = 20,971,520).
//! - `highestUserWastedPercent` (default 0.1): fails when user wasted percent > threshold.
//! - A rule set to `disabled` is skipped. The file is YAML (`rules:` then `key: value`); only
//!   that shape is read, anything else is one sentence naming the file and the line.

use super::dive::Dive;
use crate::error::{Error, Result};
use serde::Serialize;

/// The three rules; `None` = disabled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    pub lowest_efficiency: Option<f64>,
    pub highest_wasted_bytes: Option<u64>,
    pub highest_user_wasted_percent: Option<f64>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { lowest_efficiency: Some(0.9), highest_wasted_bytes: None, highest_user_wasted_percent: Some(0.1) }
    }
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub rule: &'static str,
    /// `PASS`, `FAIL` or `SKIP`.
    pub status: &'static str,
    pub message: String,
}

/// go-humanize `ParseBytes`: a decimal number, optional space, optional SI or IEC unit.
pub fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(s.len());
    let num: f64 = s[..split].replace(',', "").parse().ok()?;
    let unit = s[split..].trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024f64.powi(2),
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        _ => return None,
    };
    Some((num * mult) as u64)
}

/// Reads a `.dive-ci` file's text (`file` names it in errors).
pub fn parse_rules(text: &str, file: &str) -> Result<Rules> {
    let mut r = Rules::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim_end();
        if line.trim().is_empty() || line.trim() == "rules:" {
            continue;
        }
        let bad = |why: &str| Error::usage(format!("{file}: line {}: {why}", n + 1));
        let (k, v) = line.trim().split_once(':').ok_or_else(|| bad("expected `key: value`"))?;
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
        let off = v.eq_ignore_ascii_case("disabled");
        let ratio = |v: &str| v.parse::<f64>().map_err(|_| bad(&format!("{k} is not a number: {v}")));
        match k.trim() {
            "lowestEfficiency" => r.lowest_efficiency = if off { None } else { Some(ratio(v)?) },
            "highestUserWastedPercent" => r.highest_user_wasted_percent = if off { None } else { Some(ratio(v)?) },
            "highestWastedBytes" => {
                r.highest_wasted_bytes =
                    if off { None } else { Some(parse_bytes(v).ok_or_else(|| bad(&format!("{k} is not a size: {v}")))?) }
            }
            other => return Err(bad(&format!("unknown rule {other}"))),
        }
    }
    Ok(r)
}

/// Evaluates the rules in dive's order (sorted by name).
pub fn evaluate(rules: &Rules, d: &Dive) -> Vec<Outcome> {
    let skip = |rule| Outcome { rule, status: "SKIP", message: "rule disabled".into() };
    let mut out = Vec::new();
    out.push(match rules.highest_user_wasted_percent {
        None => skip("highestUserWastedPercent"),
        Some(t) if d.user_wasted_percent > t => Outcome {
            rule: "highestUserWastedPercent",
            status: "FAIL",
            message: format!(
                "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes={} > threshold={})",
                d.user_wasted_percent, t
            ),
        },
        Some(_) => Outcome { rule: "highestUserWastedPercent", status: "PASS", message: String::new() },
    });
    out.push(match rules.highest_wasted_bytes {
        None => skip("highestWastedBytes"),
        Some(t) if d.wasted_bytes > t => Outcome {
            rule: "highestWastedBytes",
            status: "FAIL",
            message: format!("too many bytes wasted (wasted-bytes={} > threshold={})", d.wasted_bytes, t),
        },
        Some(_) => Outcome { rule: "highestWastedBytes", status: "PASS", message: String::new() },
    });
    out.push(match rules.lowest_efficiency {
        None => skip("lowestEfficiency"),
        Some(t) if t > d.efficiency => Outcome {
            rule: "lowestEfficiency",
            status: "FAIL",
            message: format!("image efficiency is too low (efficiency={} < threshold={})", d.efficiency, t),
        },
        Some(_) => Outcome { rule: "lowestEfficiency", status: "PASS", message: String::new() },
    });
    out
}
