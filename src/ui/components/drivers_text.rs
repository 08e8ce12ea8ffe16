//! STORAGE DRIVERS (issue 12): every word of the "Storage drivers" region in one place (to
//! translate, replace this file). The drivers' own sentences (what was copied and why, the
//! disk layout) come from the core (`crate::drivers`).

pub const REGION: &str = "Storage drivers";
pub const INTRO: &str = "The same container and the same commands on every storage driver: the bytes each really allocates, what docker ps -s says, what the last operation copied and why.";
pub const EMPTY: &str = "Run a command in the container's shell or a file action: each driver's column shows what it costs.";
pub const USED: &str = "Bytes used";
pub const PS: &str = "docker ps -s";
pub const COPIED: &str = "Copied by the last op";
pub const WHY: &str = "Why";
pub const CHART: &str = "Bytes per operation (log scale)";
pub const LAYOUT: &str = "Disk layout";
pub const IMAGE: &str = "Image layer";
pub const CONTAINER: &str = "Container layer";
pub const DELETE: &str = "Delete";
pub const OPAQUE: &str = "Opaque directory";
pub const RENAME: &str = "Rename";
pub const SNAPSHOTTER: &str = "Docker 29 uses the containerd image store by default: storage goes through a containerd snapshotter (overlayfs by default), and docker ps -s then shows snapshotter.Usage, the blocks really allocated (st_blocks × 512, directories included), not either formula above.";
pub const UNITS: &str = "Sizes in Docker's units (1 MB = 1,000,000 bytes); hover a figure for the exact bytes.";

/// `op 0` is the container's creation.
pub fn op_name(op: usize) -> String {
    if op == 0 {
        "create".into()
    } else {
        format!("op {op}")
    }
}

/// The note of a driver Docker no longer has.
pub fn removed(release: &str) -> String {
    format!("Removed in {release}: shown for comparison")
}

/// The exact figure, for the title (`5,242,882 bytes`).
pub fn exact(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if n < 0 { "−" } else { "" };
    if n.unsigned_abs() == 1 { format!("{sign}{out} byte") } else { format!("{sign}{out} bytes") }
}
