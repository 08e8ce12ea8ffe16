//! `layerlab analyze ARCHIVE… [--ci] [--ci-config FILE] [--json] [--show PATH[@LAYER]]`:
//! where the bytes go, dive's numbers and the exact wasted figure, deleted-but-shipped files
//! (secrets flagged), and dive's CI rules with its exit code (1 when a rule fails).
//!
//! The readable report follows `dive --ci`'s shape (`efficiency: 98.4421 %`,
//! `wastedBytes: N bytes (human)`, `userWastedPercent`, the inefficient files table, `PASS:`/
//! `FAIL:` lines and the `Result:` line); `--json` prints one object (issue 13, item 5).

use super::{emit, load, table, ImageArgs};
use crate::analysis::{analyze, ci, Analysis};
use crate::error::{Error, Result};
use crate::units::human_size;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// dive's CI mode: evaluate the rules, exit 1 when one fails.
    #[arg(long)]
    pub ci: bool,
    /// The rules file (default: `.dive-ci` in the current directory, when present).
    #[arg(long, value_name = "FILE")]
    pub ci_config: Option<PathBuf>,
    /// One JSON object instead of the report.
    #[arg(long)]
    pub json: bool,
    /// Print the content of a hidden (deleted-but-shipped) file: PATH, or PATH@LAYER.
    #[arg(long, value_name = "PATH[@LAYER]")]
    pub show: Option<String>,
}

/// Runs the command; `Ok(false)` when a CI rule failed.
pub fn run(a: &AnalyzeArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<bool> {
    let img = load(&a.image, None, err)?;
    let an = analyze(&img)?;
    if let Some(want) = &a.show {
        return show(&an, want, &img.archive, out).map(|_| true);
    }
    let rules = match &a.ci_config {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io(&e).in_file(p.display().to_string()))?;
            Some(ci::parse_rules(&text, &p.display().to_string())?)
        }
        None if a.ci => match std::fs::read_to_string(".dive-ci") {
            Ok(text) => Some(ci::parse_rules(&text, ".dive-ci")?),
            Err(_) => Some(ci::Rules::default()),
        },
        None => None,
    };
    let outcomes = rules.as_ref().map(|r| ci::evaluate(r, &an.dive));
    let pass = outcomes.as_ref().map_or(true, |o| o.iter().all(|x| x.status != "FAIL"));
    if a.json {
        let mut v = serde_json::to_value(&an).map_err(|e| Error::corrupt(e.to_string()))?;
        if let Some(o) = &outcomes {
            v["ci"] = serde_json::json!({ "pass": pass, "rules": o });
        }
        let s = serde_json::to_string_pretty(&v).map_err(|e| Error::corrupt(e.to_string()))?;
        emit(out, &(s + "\n"))?;
    } else {
        emit(out, &report(&an))?;
        if let Some(o) = &outcomes {
            let mut s = String::from("Results:\n");
            for x in o {
                if x.message.is_empty() {
                    s += &format!("  {}: {}\n", x.status, x.rule);
                } else {
                    s += &format!("  {}: {}: {}\n", x.status, x.rule, x.message);
                }
            }
            let n = |st: &str| o.iter().filter(|x| x.status == st).count();
            s += &format!(
                "Result:{} [Total:{}] [Passed:{}] [Failed:{}] [Warn:0] [Skipped:{}]\n",
                if pass { "PASS" } else { "FAIL" },
                o.len(),
                n("PASS"),
                n("FAIL"),
                n("SKIP")
            );
            emit(out, &s)?;
        }
    }
    Ok(pass)
}

fn report(an: &Analysis) -> String {
    let d = &an.dive;
    let mut s = String::new();
    s += "Image Details (as dive computes them):\n";
    for line in crate::analysis::efficiency_lines(an) {
        s += &format!("  {line}\n");
    }
    s += &format!("Exact wasted space (bytes no container can read): {} bytes ({})\n", an.wasted_bytes, human_size(an.wasted_bytes));
    for line in &an.difference {
        s += &format!("  {line}\n");
    }
    s += "\nInefficient Files (dive):\n";
    let mut rows = vec![vec!["Count".to_string(), "Wasted Space".into(), "File Path".into()]];
    for i in &d.inefficiencies {
        rows.push(vec![i.count.to_string(), human_size(i.cumulative_size), i.path.clone()]);
    }
    s += &table(&rows);
    s += "\nLayers:\n";
    let mut rows = vec![vec!["#".to_string(), "AT REST".into(), "CONTRIBUTION".into(), "TOTAL".into(), "CREATED_BY".into()]];
    for l in &an.layers {
        let c = if l.contribution < 0 {
            format!("-{}", human_size(l.contribution.unsigned_abs()))
        } else {
            format!("+{}", human_size(l.contribution as u64))
        };
        rows.push(vec![l.layer.to_string(), human_size(l.at_rest), c, human_size(l.running_total), l.created_by.replace('\n', " ")]);
    }
    s += &table(&rows);
    s += "\nLargest files:\n";
    let mut rows = vec![vec!["SIZE".to_string(), "LAYER".into(), "PATH".into()]];
    for f in &an.largest {
        rows.push(vec![human_size(f.size), f.layer.to_string(), f.path.clone()]);
    }
    s += &table(&rows);
    s += "\nDeleted but shipped:\n";
    if an.hidden.is_empty() {
        s += "  (none)\n";
    }
    for h in &an.hidden {
        let flag = h.secret_kind.as_deref().map_or(String::new(), |k| format!(" [SECRET? {k}]"));
        s += &format!("  {}{}\n", h.reason, flag);
    }
    for h in &an.history_secrets {
        s += &format!(
            "  history{}: sets {} in a build step; the value ships in the image config: {}\n",
            h.layer.map_or(String::new(), |l| format!(" (layer {l})")),
            h.variable,
            h.created_by.replace('\n', " ")
        );
    }
    s
}

fn show(an: &Analysis, want: &str, archive: &str, out: &mut dyn Write) -> Result<()> {
    let (path, layer) = match want.rsplit_once('@') {
        Some((p, l)) if l.parse::<usize>().is_ok() => (p, l.parse::<usize>().ok()),
        _ => (want, None),
    };
    let p = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    let h = an
        .hidden
        .iter()
        .rev()
        .find(|h| h.path == p && layer.map_or(true, |l| l == h.layer))
        .ok_or_else(|| Error::not_found(format!("{p} is not a hidden file of any layer{}", layer.map_or(String::new(), |l| format!(" (asked for layer {l})")))).in_file(archive.to_string()))?;
    let c = h.content.as_ref().ok_or_else(|| Error::not_found(format!("{p} has no content")))?;
    match c {
        crate::layer::Content::Blob { blob, offset, size } => blob.for_each_chunk(*offset, *size, &mut |chunk| {
            out.write_all(chunk).map_err(|e| Error::io(&e))
        }),
        crate::layer::Content::Bytes(b) => out.write_all(b).map_err(|e| Error::io(&e)),
    }
}
