//! `layerlab history ARCHIVE`: shaped like `docker history --no-trunc`: newest first, columns
//! IMAGE, CREATED, CREATED BY, SIZE, COMMENT. The top row shows the image ID, the rows below
//! `<missing>` (as after `docker load`); empty-layer entries show `0B`; SIZE is
//! [`crate::units::docker_size`] (go-units at precision 3, as the docker CLI prints it). CREATED is the
//! timestamp as recorded (Docker would print it relative to now).

use super::{emit, load, table, ImageArgs};
use crate::error::Result;
use std::io::Write;

pub fn run(a: &ImageArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let img = load(a, None, err)?;
    let mut rows = vec![["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"].iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let n = img.history.len();
    for (k, h) in img.history.iter().enumerate().rev() {
        let id = if k + 1 == n { img.id().unwrap_or("<missing>").to_string() } else { "<missing>".into() };
        let size = h.layer.and_then(|i| img.layers.get(i)).map_or(0, |l| l.size);
        rows.push(vec![
            id,
            h.entry.created.clone().unwrap_or_default(),
            h.entry.created_by.clone().unwrap_or_default().replace('\n', " "),
            crate::units::docker_size(size),
            h.entry.comment.clone().unwrap_or_default(),
        ]);
    }
    emit(out, &table(&rows))
}
