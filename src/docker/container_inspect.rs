//! The object `docker inspect CONTAINER` (and `docker container inspect`) prints: moby's
//! `types.ContainerJSON` as Docker 20.10 fills it, in its field order, with the container's
//! `GraphDriver` (overlay2: `LowerDir` is the container's `<id>-init/diff` first, then the
//! image's layers top first; `MergedDir`, `UpperDir`, `WorkDir` are the container's own dir).
//!
//! Truth: our recordings `tests/docker-scenarios/container-inspect` (the full object of a
//! created container; `State`, paths and `GraphDriver` of a started and a running one, templates)
//! and `container-inspect-vfs`, `container-inspect-btrfs` (`GraphDriver.Data` null). Sources:
//! moby `api/types/types.go` (`ContainerJSONBase`, `ContainerJSON`, `ContainerState`,
//! `NetworkSettings`: field order, `SizeRw`/`SizeRootFs` omitempty after `GraphDriver`),
//! `api/types/container/host_config.go` (`HostConfig` order), `daemon/inspect.go`
//! (`getInspectData`: `GraphDriver` from the read-write layer's `Metadata`, paths only once the
//! container was started), `daemon/graphdriver/overlay2/overlay.go` `GetMetadata`
//! (`LowerDir` from the dir's `lower` file: the `-init` layer is the read-write layer's parent),
//! `daemon/graphdriver/{vfs,btrfs}` (`GetMetadata` returns nil: `"Data": null`),
//! `daemon/container_operations.go` `releaseNetwork` (an exited container keeps its
//! `SandboxID` and `SandboxKey`; its endpoint's `EndpointID` is cleared).
//!
//! Rules:
//! - Pure: the caller ([`super::commands`]) hands the container, the driver, the image layers'
//!   graph-driver dirs and the sizes; nothing here reads the store.
//! - IDs and times are the oracle's placeholders: `<cid:NAME>`, `<cache:NAME>` (the container's
//!   dir, `<cache:NAME>-init` its init layer's), `<time>` for Created, StartedAt, FinishedAt.
//! - What the recorder cannot normalize (random in Docker: the sandbox ID and key, the `none`
//!   network's ID, an endpoint ID, a running container's Pid) is derived from the container's
//!   name here, stable from run to run; no scenario prints those fields.
//! - HostConfig is the one the docker 20.10 CLI sends for `run`/`create` with the flags this host
//!   takes (`--network`, `--rm`), filled as the daemon on the recording host filled it
//!   (cgroup namespace `host`, no AppArmor profile).

use super::containers::{Ctr, State};
use super::driver::Driver;
use super::gojson::{run_config, ZERO_TIME};
use super::names::Names;
use serde_json::{json, Map, Value};

/// What the caller knows beyond the container itself.
pub struct Facts<'a> {
    pub driver: Driver,
    /// The graph-driver dirs of the image's layers, bottom first (`<cache:C>`).
    pub image_dirs: &'a [String],
    /// The container's own dir (its mount ID): `<cache:NAME>`, a build step's `<cache:build-K>`.
    pub mount: String,
    /// `-s`: the container layer's size and the size of everything it sees.
    pub sizes: Option<(u64, u64)>,
}

/// A stable stand-in for an ID Docker makes at random (the recorder leaves those as they are).
fn random_hex(what: &str, name: &str) -> String {
    crate::digest::hex(&crate::digest::sha256(format!("layerlab {what} {name}").as_bytes()))
}

/// The container's graph-driver dir (its mount ID) as the oracle names it: `<cache:NAME>`, a
/// build step's container `<cache:build-K>` (its init layer's dir adds `-init`).
pub fn mount_dir(c: &Ctr, names: &Names) -> String {
    match c.build.as_deref().and_then(|h| names.label(h)) {
        Some(label) => format!("<cache:{}>", label.replace(':', "-")),
        None => format!("<cache:{}>", c.name),
    }
}

/// `GraphDriver.Data` of a container: its read-write dir over its init dir over the image's.
pub fn graph_data(driver: Driver, mount: &str, image_dirs: &[String]) -> Value {
    let mut dirs: Vec<String> = image_dirs.to_vec();
    dirs.push(format!("{mount}-init"));
    dirs.push(mount.to_string());
    driver.graph_value(&dirs)
}

/// `State` (moby `types.ContainerState`).
fn state(c: &Ctr) -> Value {
    let (status, running, pid, code, started, finished) = match c.state {
        State::Created => ("created", false, 0, c.start_error.as_ref().map_or(0, |e| e.0), ZERO_TIME, ZERO_TIME),
        State::Running => ("running", true, 4000 + c.seq as i64, 0, "<time>", ZERO_TIME),
        State::Exited(n) => ("exited", false, 0, n, "<time>", "<time>"),
    };
    let error = match (c.state, &c.start_error) {
        (State::Created, Some((_, e))) => e.clone(),
        _ => String::new(),
    };
    json!({
        "Status": status,
        "Running": running,
        "Paused": false,
        "Restarting": false,
        "OOMKilled": false,
        "Dead": false,
        "Pid": pid,
        "ExitCode": code,
        "Error": error,
        "StartedAt": started,
        "FinishedAt": finished,
    })
}

/// `HostConfig` as the daemon keeps it for a `docker run`/`create` of the 20.10 CLI.
fn host_config(c: &Ctr) -> Value {
    // Two halves: one `json!` of the whole would pass the macro's recursion limit.
    let mut first = json!({
        "Binds": null,
        "ContainerIDFile": "",
        "LogConfig": {"Type": "json-file", "Config": {}},
        "NetworkMode": c.network,
        "PortBindings": {},
        "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
        "AutoRemove": c.auto_remove,
        "VolumeDriver": "",
        "VolumesFrom": null,
        "CapAdd": null,
        "CapDrop": null,
        "CgroupnsMode": "host",
        "Dns": [],
        "DnsOptions": [],
        "DnsSearch": [],
        "ExtraHosts": null,
        "GroupAdd": null,
        "IpcMode": "private",
        "Cgroup": "",
        "Links": null,
        "OomScoreAdj": 0,
        "PidMode": "",
        "Privileged": false,
        "PublishAllPorts": false,
        "ReadonlyRootfs": false,
        "SecurityOpt": null,
        "UTSMode": "",
        "UsernsMode": "",
        "ShmSize": 67108864,
        "Runtime": "runc",
        "ConsoleSize": [0, 0],
        "Isolation": "",
    });
    let second = json!({
        "CpuShares": 0,
        "Memory": 0,
        "NanoCpus": 0,
        "CgroupParent": "",
        "BlkioWeight": 0,
        "BlkioWeightDevice": [],
        "BlkioDeviceReadBps": null,
        "BlkioDeviceWriteBps": null,
        "BlkioDeviceReadIOps": null,
        "BlkioDeviceWriteIOps": null,
        "CpuPeriod": 0,
        "CpuQuota": 0,
        "CpuRealtimePeriod": 0,
        "CpuRealtimeRuntime": 0,
        "CpusetCpus": "",
        "CpusetMems": "",
        "Devices": [],
        "DeviceCgroupRules": null,
        "DeviceRequests": null,
        "KernelMemory": 0,
        "KernelMemoryTCP": 0,
        "MemoryReservation": 0,
        "MemorySwap": 0,
        "MemorySwappiness": null,
        "OomKillDisable": false,
        "PidsLimit": null,
        "Ulimits": null,
        "CpuCount": 0,
        "CpuPercent": 0,
        "IOMaximumIOps": 0,
        "IOMaximumBandwidth": 0,
        "MaskedPaths": [
            "/proc/asound",
            "/proc/acpi",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/sys/firmware"
        ],
        "ReadonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    });
    if let (Some(a), Value::Object(b)) = (first.as_object_mut(), second) {
        a.extend(b);
    }
    first
}

/// `NetworkSettings`: empty until the container starts; then its sandbox (kept after it exits)
/// and, while it runs, its endpoint on the network.
fn network_settings(c: &Ctr) -> Value {
    let started = c.state != State::Created;
    let sandbox = if started { random_hex("sandbox", &c.name) } else { String::new() };
    let key = if started { format!("/var/run/docker/netns/{}", &sandbox[..12]) } else { String::new() };
    let net = if c.network == "default" { "bridge" } else { c.network.as_str() };
    let network_id = if started { random_hex("network", net) } else { String::new() };
    let endpoint = if c.state == State::Running { random_hex("endpoint", &c.name) } else { String::new() };
    let mut networks = Map::new();
    networks.insert(
        net.to_string(),
        json!({
            "IPAMConfig": null,
            "Links": null,
            "Aliases": null,
            "NetworkID": network_id,
            "EndpointID": endpoint,
            "Gateway": "",
            "IPAddress": "",
            "IPPrefixLen": 0,
            "IPv6Gateway": "",
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
            "MacAddress": "",
            "DriverOpts": null,
        }),
    );
    json!({
        "Bridge": "",
        "SandboxID": sandbox,
        "HairpinMode": false,
        "LinkLocalIPv6Address": "",
        "LinkLocalIPv6PrefixLen": 0,
        "Ports": {},
        "SandboxKey": key,
        "SecondaryIPAddresses": null,
        "SecondaryIPv6Addresses": null,
        "EndpointID": "",
        "Gateway": "",
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "IPAddress": "",
        "IPPrefixLen": 0,
        "IPv6Gateway": "",
        "MacAddress": "",
        "Networks": Value::Object(networks),
    })
}

/// The object `docker inspect` prints for container `c`, in Docker's key order.
pub fn inspect(c: &Ctr, f: &Facts) -> Value {
    let id = c.id();
    let started = c.state != State::Created;
    let path = |file: &str| if started { format!("/var/lib/docker/containers/{id}/{file}") } else { String::new() };
    let mut o = Map::new();
    o.insert("Id".into(), json!(id));
    o.insert("Created".into(), json!("<time>"));
    o.insert("Path".into(), json!(c.cmd.first().cloned().unwrap_or_default()));
    o.insert("Args".into(), json!(c.cmd.get(1..).unwrap_or_default()));
    o.insert("State".into(), state(c));
    o.insert("Image".into(), json!(c.image_id));
    o.insert("ResolvConfPath".into(), json!(path("resolv.conf")));
    o.insert("HostnamePath".into(), json!(path("hostname")));
    o.insert("HostsPath".into(), json!(path("hosts")));
    o.insert("LogPath".into(), json!(path(&format!("{id}-json.log"))));
    o.insert("Name".into(), json!(format!("/{}", c.name)));
    o.insert("RestartCount".into(), json!(0));
    o.insert("Driver".into(), json!(f.driver.name()));
    o.insert("Platform".into(), json!("linux"));
    o.insert("MountLabel".into(), json!(""));
    o.insert("ProcessLabel".into(), json!(""));
    o.insert("AppArmorProfile".into(), json!(""));
    o.insert("ExecIDs".into(), Value::Null);
    o.insert("HostConfig".into(), host_config(c));
    o.insert("GraphDriver".into(), json!({"Data": graph_data(f.driver, &f.mount, f.image_dirs), "Name": f.driver.name()}));
    if let Some((rw, root)) = f.sizes {
        o.insert("SizeRw".into(), json!(rw));
        o.insert("SizeRootFs".into(), json!(root));
    }
    o.insert("Mounts".into(), json!([]));
    o.insert("Config".into(), run_config(if c.config.is_object() { &c.config } else { &Value::Null }));
    o.insert("NetworkSettings".into(), network_settings(c));
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctr(name: &str) -> Ctr {
        let mut c = Ctr::new(name, "sha256:abc", "bb", vec!["sha256:1".into()], Vec::new(), vec!["sh".into(), "-c".into(), "true".into()], 1);
        c.network = "none".into();
        c
    }

    #[test]
    fn lower_dir_starts_with_the_init_layer() {
        let dirs = vec!["<cache:a>".to_string(), "<cache:b>".to_string()];
        let d = graph_data(Driver::Overlay2, "<cache:c1>", &dirs);
        assert_eq!(
            d["LowerDir"],
            "/var/lib/docker/overlay2/<cache:c1>-init/diff:/var/lib/docker/overlay2/<cache:b>/diff:/var/lib/docker/overlay2/<cache:a>/diff"
        );
        assert_eq!(d["UpperDir"], "/var/lib/docker/overlay2/<cache:c1>/diff");
        assert_eq!(graph_data(Driver::Vfs, "<cache:c1>", &dirs), Value::Null);
    }

    #[test]
    fn paths_and_sandbox_only_once_started() {
        let mut c = ctr("c1");
        let f = Facts { driver: Driver::Overlay2, image_dirs: &[], mount: "<cache:c1>".into(), sizes: None };
        let v = inspect(&c, &f);
        assert_eq!(v["ResolvConfPath"], "");
        assert_eq!(v["State"]["StartedAt"], ZERO_TIME);
        assert_eq!(v["NetworkSettings"]["SandboxID"], "");
        c.state = State::Exited(3);
        let v = inspect(&c, &f);
        assert_eq!(v["HostnamePath"], "/var/lib/docker/containers/<cid:c1>/hostname");
        assert_eq!(v["State"]["ExitCode"], 3);
        assert_eq!(v["NetworkSettings"]["Networks"]["none"]["EndpointID"], "");
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("Id"));
        assert_eq!(keys.last().map(|k| k.as_str()), Some("NetworkSettings"));
    }
}
