//! `layerlab layers ARCHIVE`: one row per layer, bottom first: index, short diff_id, blob
//! digest, compressed and uncompressed size (bytes), entry count, dive's A/M/D counts, and the
//! history's created_by.

use super::{emit, load, table, ImageArgs};
use crate::error::Result;
use crate::digest::short_id;
use std::io::Write;

pub fn run(a: &ImageArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let img = load(a, None, err)?;
    let mut rows = vec![["#", "DIFF_ID", "BLOB", "COMPRESSED", "UNCOMPRESSED", "ENTRIES", "A", "M", "D", "CREATED_BY"]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()];
    for l in &img.layers {
        let created_by = img.created_by(l.index);
        rows.push(vec![
            l.index.to_string(),
            l.diff_id.as_deref().map_or("-".into(), short_id),
            l.blob_digest.clone().unwrap_or_else(|| "-".into()),
            l.compressed_size.to_string(),
            l.uncompressed_size.to_string(),
            l.entries.len().to_string(),
            l.changes.added.to_string(),
            l.changes.modified.to_string(),
            l.changes.deleted.to_string(),
            created_by.replace('\n', " "),
        ]);
    }
    emit(out, &table(&rows))
}
