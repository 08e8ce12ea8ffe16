//! The docker host's storage (graph) driver: which one the daemon runs (the oracle's `#% driver
//! overlay2|vfs|btrfs` directive) and what the daemon says about it: the `docker info`
//! storage-driver block and an image's `GraphDriver` (`docker image inspect`).
//!
//! Truth: the oracle's `driver-overlay2`, `driver-vfs`, `driver-btrfs` transcripts and NOTES 29
//! (vfs prints nothing under `Storage Driver: vfs`; btrfs prints `Build Version: Btrfs v6.2` and
//! `Library Version: 102`; `GraphDriver.Data` is null for both). Sources: moby
//! `daemon/graphdriver/{overlay2/overlay.go,vfs/driver.go,btrfs/btrfs.go}` (`Status`,
//! `GetMetadata`).
//!
//! Rules:
//! - Only what the daemon prints lives here. vfs and btrfs are naive-diff drivers (moby
//!   `graphdriver.NewNaiveDiffDriver`): `ps -s` and `system df` SIZE come from
//!   [`Driver::model`]'s formula (`crate::drivers::naive_size`: the full size of every added or
//!   modified file), overlay2's from its upper dir; `docker diff` is the same walk on every
//!   driver (NOTES 29).
//! - True bytes on disk (`# disk:` probes) are priced by `crate::drivers`, not printed here.

use std::fmt;

/// A storage driver the oracle's daemons ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Driver {
    #[default]
    Overlay2,
    Vfs,
    Btrfs,
}

impl Driver {
    /// The driver a `#% driver NAME` directive names.
    pub fn parse(name: &str) -> Result<Driver, String> {
        match name {
            "overlay2" => Ok(Driver::Overlay2),
            "vfs" => Ok(Driver::Vfs),
            "btrfs" => Ok(Driver::Btrfs),
            other => Err(format!("layerlab: the storage driver {other:?} is not simulated (overlay2, vfs, btrfs are)")),
        }
    }

    /// Its name as `docker info` and `GraphDriver.Name` print it.
    pub fn name(self) -> &'static str {
        match self {
            Driver::Overlay2 => "overlay2",
            Driver::Vfs => "vfs",
            Driver::Btrfs => "btrfs",
        }
    }

    /// The model of this driver in the storage-driver comparison (`crate::drivers`): its
    /// `docker ps -s` formula and what its writes cost.
    pub fn model(self) -> crate::drivers::Driver {
        match self {
            Driver::Overlay2 => crate::drivers::Driver::Overlay2,
            Driver::Vfs => crate::drivers::Driver::Vfs,
            Driver::Btrfs => crate::drivers::Driver::Btrfs,
        }
    }

    /// The storage-driver block of `docker info` (the part the oracle keeps): overlay2 on ext4
    /// with native diff, vfs with no status, btrfs with btrfs-progs 6.2's versions.
    pub fn info(self) -> &'static str {
        match self {
            Driver::Overlay2 => " Storage Driver: overlay2\n  Backing Filesystem: extfs\n  Supports d_type: true\n  Native Overlay Diff: true\n  userxattr: false\n",
            Driver::Vfs => " Storage Driver: vfs\n",
            Driver::Btrfs => " Storage Driver: btrfs\n  Build Version: Btrfs v6.2\n  Library Version: 102\n",
        }
    }

    /// `GraphDriver.Data` of an image whose layers' graph-driver directories are `dirs` (bottom
    /// first): overlay2's `LowerDir` (top first, when there is more than one layer),
    /// `MergedDir`, `UpperDir`, `WorkDir` of the top layer; `None` (JSON null) for vfs and btrfs.
    pub fn graph_data(self, dirs: &[String]) -> Option<Vec<(&'static str, String)>> {
        if self != Driver::Overlay2 {
            return None;
        }
        let dir = |c: &str| format!("/var/lib/docker/overlay2/{c}");
        let mut data = Vec::new();
        if let Some((top, lower)) = dirs.split_last() {
            if !lower.is_empty() {
                let l: Vec<String> = lower.iter().rev().map(|c| format!("{}/diff", dir(c))).collect();
                data.push(("LowerDir", l.join(":")));
            }
            data.push(("MergedDir", format!("{}/merged", dir(top))));
            data.push(("UpperDir", format!("{}/diff", dir(top))));
            data.push(("WorkDir", format!("{}/work", dir(top))));
        }
        Some(data)
    }

    /// [`Driver::graph_data`] as `GraphDriver.Data` prints it: an object, or `null`.
    pub fn graph_value(self, dirs: &[String]) -> serde_json::Value {
        match self.graph_data(dirs) {
            Some(d) => serde_json::Value::Object(d.into_iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v))).collect()),
            None => serde_json::Value::Null,
        }
    }
}

impl fmt::Display for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_info_and_graph_data_per_driver() {
        assert_eq!(Driver::parse("vfs"), Ok(Driver::Vfs));
        assert!(Driver::parse("aufs").is_err());
        assert_eq!(Driver::Vfs.info(), " Storage Driver: vfs\n");
        assert!(Driver::Btrfs.info().contains("Library Version: 102"));
        assert_eq!(Driver::Btrfs.graph_data(&["<cache:a>".into()]), None);
        let d = Driver::Overlay2.graph_data(&["<cache:a>".into(), "<cache:b>".into()]).unwrap();
        assert_eq!(d[0], ("LowerDir", "/var/lib/docker/overlay2/<cache:a>/diff".to_string()));
        assert_eq!(d[2], ("UpperDir", "/var/lib/docker/overlay2/<cache:b>/diff".to_string()));
    }
}
