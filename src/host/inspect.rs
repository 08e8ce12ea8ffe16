//! INSPECT (issue 13): what the Inspect panel needs of an image the host loaded: its layers'
//! indexes as the opening pass made them ([`crate::layer::indexfile`]), so the inspect worker
//! rebuilds the image over the same archive without reading a layer again.
//!
//! Rules: an image is named as the page names it, by its archive's name and its position there
//! (`None`: the one Docker would run, as `Selector::Default` picks it); when an archive was
//! opened twice, its last opening answers.

use super::Host;
use crate::error::{Error, Result};
use crate::layer::indexfile;

impl Host {
    /// Where in `self.images` the last opening of `archive` put its images: the run of that
    /// name ending at its last image (positions in the archive increase along a run).
    fn opening(&self, archive: &str) -> Option<std::ops::Range<usize>> {
        let last = self.images.iter().rposition(|(i, _)| i.archive == archive)?;
        let mut first = last;
        while first > 0 && self.images[first - 1].0.archive == archive && self.images[first - 1].0.reference.index < self.images[first].0.reference.index {
            first -= 1;
        }
        Some(first..last + 1)
    }

    /// The layer indexes of an image of an opened archive, encoded, and the image's position
    /// in its archive.
    pub fn export_index(&self, archive: &str, image: Option<usize>) -> Result<(Vec<u8>, usize)> {
        let none = || Error::usage("no such image was opened").in_file(archive.to_string());
        let run = self.opening(archive).ok_or_else(none)?;
        let slot = match image {
            // As `Selector::Default` picks: linux/amd64 in an index, else the first.
            None => run.clone().find(|&k| self.images[k].0.reference.platform.as_deref() == Some("linux/amd64")).unwrap_or(run.start),
            Some(n) => run.clone().find(|&k| self.images[k].0.reference.index == n).ok_or_else(none)?,
        };
        let img = &self.images[slot].0;
        let parts: Vec<_> = img.layers.iter().map(crate::image::Layer::index_parts).collect();
        Ok((indexfile::encode(&parts), img.reference.index))
    }
}
