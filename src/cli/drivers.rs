//! `layerlab drivers --ops FILE (ARCHIVE… | --layers-dir DIR) [--driver NAME]… [--json]`:
//! runs the OPS script in one fresh container and prices every op on every storage driver
//! (issue 12): the bytes each driver has allocated since its image was in place (op 0 is the
//! container's creation) and the `docker ps -s` SIZE.
//!
//! Output: a table, one row per op and driver (`OP`, `DRIVER`, `BYTES`, `+/-`, `SIZE`, and
//! with `--why` what was copied and why); `--json`: one array of
//! `{"driver": NAME, "op": N, "bytes": CUMULATIVE_BYTES, "ps_size": BYTES}`.

use super::trace::ops_and_stack;
use super::{emit, table, ImageArgs};
use crate::container::{Config, Container};
use crate::drivers::{self, Driver};
use crate::error::{Error, Result};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
pub struct DriversArgs {
    /// The OPS script.
    #[arg(long, value_name = "FILE")]
    pub ops: PathBuf,
    /// An image archive (or bare layer tarballs, bottom first).
    #[arg(value_name = "ARCHIVE", conflicts_with = "layers_dir", required_unless_present = "layers_dir")]
    pub archives: Vec<PathBuf>,
    /// A directory of layer tars `0.tar` .. `N.tar` (0 = bottom), as in the oracle scenarios.
    #[arg(long, value_name = "DIR")]
    pub layers_dir: Option<PathBuf>,
    /// A driver to show (repeatable; default: all): overlay2, overlay2-reflink, aufs,
    /// devicemapper, devicemapper-512k, devicemapper-ext4, btrfs, zfs, vfs.
    #[arg(long = "driver", value_name = "NAME")]
    pub drivers: Vec<String>,
    /// One JSON array of {"driver","op","bytes","ps_size"}.
    #[arg(long)]
    pub json: bool,
    /// Add what was copied and why, per op and driver.
    #[arg(long)]
    pub why: bool,
    /// Which image of the archive: a position or a tag / ref name.
    #[arg(long = "image", value_name = "N|REF")]
    pub image: Option<String>,
    /// Skip digest verification of the image.
    #[arg(long)]
    pub no_verify: bool,
}

pub fn run(a: &DriversArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let mut chosen = Vec::new();
    for n in &a.drivers {
        let d = Driver::parse(n)?;
        if !chosen.contains(&d) {
            chosen.push(d);
        }
    }
    if chosen.is_empty() {
        chosen = Driver::ALL.to_vec();
    }
    let ia = ImageArgs { archives: a.archives.clone(), image: a.image.clone(), platform: None, no_verify: a.no_verify };
    let (script, stack) = ops_and_stack(&a.ops, a.layers_dir.as_deref(), &ia, err)?;
    let ops: Vec<_> = script.iter().map(|s| s.op.clone()).collect();
    let columns = drivers::run(Container::new(stack, Config::Default), &ops, &chosen);
    if a.json {
        let rows: Vec<serde_json::Value> = columns
            .iter()
            .flat_map(|c| c.steps.iter().map(move |s| serde_json::json!({"driver": c.driver.name(), "op": s.op, "bytes": s.bytes, "ps_size": s.ps_size})))
            .collect();
        let mut s = serde_json::to_string_pretty(&rows).map_err(|e| Error::usage(e.to_string()))?;
        s.push('\n');
        return emit(out, &s);
    }
    let mut rows = vec![{
        let mut h: Vec<String> = ["OP", "DRIVER", "BYTES", "+/-", "SIZE"].iter().map(|s| s.to_string()).collect();
        if a.why {
            h.push("WHY".into());
        }
        h
    }];
    for i in 0..=ops.len() {
        let what = if i == 0 { "0 (create)".to_string() } else { format!("{i} {}", script[i - 1].echo()) };
        for c in &columns {
            let s = &c.steps[i];
            let prev = if i == 0 { 0 } else { c.steps[i - 1].bytes };
            let delta = s.bytes as i128 - prev as i128;
            let mut r = vec![what.clone(), c.driver.name().to_string(), s.bytes.to_string(), format!("{delta:+}"), s.ps_size.to_string()];
            if a.why {
                r.push(s.why.clone());
            }
            rows.push(r);
        }
    }
    emit(out, &table(&rows))
}
