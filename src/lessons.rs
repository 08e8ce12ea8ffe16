//! Lessons: what a learner is asked to do, step by step, and the checks that prove each step
//! happened, decided over the container's real state (its shell output, events, `docker diff`
//! and `docker ps -s` figures) as [`crate::host`] reports it.
//!
//! Rules:
//! - A step is one line ([`Step::command`]) run where the step says ([`On`]): the container
//!   shell of the page, or the Docker host's terminal (the Docker panel, a wasm of its own the
//!   page talks to through `window` events, [`crate::ui`]'s `docker_bridge`). Each place keeps a
//!   log of what it printed, an echo `# LINE` then the printed lines; a check reads the lines its
//!   step's line printed in its own log. The "Inspect" panel ([`On::Inspect`], L11) runs
//!   `layerlab analyze` lines ([`InspectLine`]) on a bundled sample and prints what its
//!   "Efficiency" and "Deleted but shipped" regions show ([`crate::analysis::efficiency_lines`],
//!   [`crate::analysis::shipped_lines`]), the bytes its "View" button shows, or, for a
//!   `layerlab export` line, its "Flattened export" block ([`crate::analysis::flattened_lines`]); the "Storage drivers" panel ([`On::Drivers`], L14) prices every
//!   shell line of the container on each driver and prints the cost of the last one
//!   ([`crate::drivers::report`]). The page offers a button that runs the line, or the learner
//!   types it. A step passes only when that line ran **after the
//!   step began** ([`Baseline`]) and every [`Check`] holds over what came after it: a check that
//!   would pass without the action is a defect (`tests/lessons.rs` runs every check before and
//!   after its action on the real host).
//! - Facts come from the kernel's overlayfs rules as the oracle recorded them
//!   (`../shared/teaching/PLAN.md` names the trace for each); the words are message keys
//!   (`lesson.<id>.…`, `iq.<n>.…`, `myth.<n>.…`) in the message files of [`crate::i18n`], never sentences here.
//! - A lesson and a step have a link, `#lesson/<id>/<step>` (steps from 1), parsed and written
//!   by [`Link`]; opening step `k` replays steps `1..k` on a fresh container, so a link always
//!   opens on the same state.
use crate::host::{ContainerUsage, EventKind, EventLine};

/// What must hold once a step's command ran (over what came after the step began).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The line printed `text` exactly this many times (`Already exists` 3 times).
    Occurs(&'static str, usize),
    /// No copy-up happened.
    NoCopyUp,
    /// `path` was copied up to the container layer.
    CopyUp(&'static str),
    /// At least this many bytes were copied up since the container started.
    CopiedAtLeast(u64),
    /// `path` got a whiteout.
    Whiteout(&'static str),
    /// No whiteout was made.
    NoWhiteout,
    /// `path` became an opaque directory.
    Opaque(&'static str),
    /// No directory became opaque.
    NoOpaque,
    /// The shell printed a line containing this text.
    Output(&'static str),
    /// The shell printed no line containing this text.
    NoOutput(&'static str),
    /// No error was printed or logged.
    NoError,
    /// `docker diff` has this line (`A /x`, `C /y`, `D /z`).
    Diff(&'static str),
    /// `docker diff` mentions this path on no line.
    NotInDiff(&'static str),
    /// The container layer holds nothing (`docker ps -s` size 0, empty `docker diff`).
    LayerEmpty,
    /// The container layer holds at least this many bytes of files.
    SizeAtLeast(u64),
}

/// Where a step's line runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// The page's container shell (events, `docker diff`, `docker ps -s` are its container's).
    Shell,
    /// The Docker host's terminal (`docker pull`, `history`, `inspect`, `commit`, `build`):
    /// only what the command printed is checked.
    Docker,
    /// The "Inspect" panel: a `layerlab analyze` line ([`InspectLine`]) on a bundled sample;
    /// what the panel printed is checked. Never replayed: each line names its archive.
    Inspect,
    /// The page's container shell, checked in what the "Storage drivers" panel printed for
    /// the line (each driver's cost, [`crate::drivers::report`]) and in the container's
    /// events. Replayed with the shell lines.
    Drivers,
}

/// A line the "Inspect" panel runs for a lesson, spelled as the CLI spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectLine {
    /// `layerlab analyze ARCHIVE`: analyse the bundled sample `ARCHIVE`.
    Analyze(String),
    /// `layerlab analyze ARCHIVE --show PATH`: and show the bytes of its hidden file `PATH`
    /// (the region's "View" button).
    Show(String, String),
    /// `layerlab export ARCHIVE -o OUT.tar`: the image flattened into one rootfs tar (as
    /// `docker export` of a fresh container writes it), against the layered image: the panel's
    /// "Flattened export" block ([`crate::analysis::flattened_lines`]).
    Export(String),
}

impl InspectLine {
    pub fn parse(line: &str) -> Option<InspectLine> {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.as_slice() {
            ["layerlab", "analyze", a] => Some(InspectLine::Analyze(a.to_string())),
            ["layerlab", "analyze", a, "--show", p] => Some(InspectLine::Show(a.to_string(), p.to_string())),
            ["layerlab", "export", a, "-o", _] => Some(InspectLine::Export(a.to_string())),
            _ => None,
        }
    }

    /// The sample the line analyses.
    pub fn archive(&self) -> &str {
        match self {
            InspectLine::Analyze(a) | InspectLine::Show(a, _) | InspectLine::Export(a) => a,
        }
    }
}

/// One step: the line to run, where, and what must be seen after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub command: &'static str,
    pub checks: &'static [Check],
    pub on: On,
}

/// A step in the container shell.
const fn sh(command: &'static str, checks: &'static [Check]) -> Step {
    Step { command, checks, on: On::Shell }
}

/// A step in the Inspect panel.
const fn an(command: &'static str, checks: &'static [Check]) -> Step {
    Step { command, checks, on: On::Inspect }
}

/// A step in the container shell, checked in the Storage drivers panel.
const fn dr(command: &'static str, checks: &'static [Check]) -> Step {
    Step { command, checks, on: On::Drivers }
}

/// A step in the Docker host's terminal.
const fn dk(command: &'static str, checks: &'static [Check]) -> Step {
    Step { command, checks, on: On::Docker }
}

/// A lesson: on which bundled sample, its steps, and its quiz (interview question numbers of
/// PLAN.md §3, worded under `iq.<n>.…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lesson {
    /// `L1`, `L8`, …: the plan's numbering, also the link's.
    pub id: &'static str,
    /// The sample file in `samples/` the lesson runs on.
    pub sample: &'static str,
    pub steps: &'static [Step],
    pub quiz: &'static [u32],
    /// The Docker host's build context for the lesson's `docker build` steps (path, text);
    /// empty: the page's sample context.
    pub context: &'static [(&'static str, &'static str)],
}

impl Lesson {
    /// True if a step runs in the Docker host (the page starts it and begins it afresh).
    pub fn uses_docker(&self) -> bool {
        self.uses(On::Docker)
    }

    /// True if a step runs in `on` (the page shows that place when the lesson opens).
    pub fn uses(&self, on: On) -> bool {
        self.steps.iter().any(|s| s.on == on)
    }

    /// The lines that put a fresh container and a fresh Docker host where step `step` begins:
    /// (shell lines, docker lines). [`On::Drivers`] lines are shell lines; [`On::Inspect`]
    /// lines change nothing and are not replayed.
    pub fn replay(&self, step: usize) -> (Vec<String>, Vec<String>) {
        let of = |on: &[On]| self.steps[..step].iter().filter(|s| on.contains(&s.on)).map(|s| s.command.to_string()).collect();
        (of(&[On::Shell, On::Drivers]), of(&[On::Docker]))
    }
}

/// Where a step began: how long the shell output and the event log were then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Baseline {
    pub output: usize,
    pub events: usize,
    pub docker: usize,
    pub inspect: usize,
    pub drivers: usize,
}

/// The container as the page holds it (everything since it started).
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub output: &'a [String],
    pub events: &'a [EventLine],
    pub diff: &'a [String],
    pub usage: &'a ContainerUsage,
    /// The Docker host's terminal since the lesson began it: `# LINE`, then what it printed.
    pub docker: &'a [String],
    /// The Inspect panel's log since the page began (`# LINE`, then what it printed).
    pub inspect: &'a [String],
    /// The Storage drivers panel's log (`# LINE`, then each driver's cost of that line).
    pub drivers: &'a [String],
}

impl<'a> Observation<'a> {
    /// The baseline of a step that begins now.
    pub fn baseline(&self) -> Baseline {
        Baseline { output: self.output.len(), events: self.events.len(), docker: self.docker.len(), inspect: self.inspect.len(), drivers: self.drivers.len() }
    }
}

/// The sample every container lesson runs on (`make-samples`: seven layers with a config
/// change, whiteouts, an opaque directory and a 1 MiB file overwritten).
pub const WEBAPP: &str = "webapp.docker.tar";

const MIB: u64 = 1 << 20;

/// The seed's redis pulls (`make-samples`): `redis:latest` and `redis:5.0`, six gzip layers
/// each, the bottom three shared.
pub const REDIS: &str = "redis.docker.tar";
/// The seed's flannel image: 11 history rows, 7 layers.
pub const FLANNEL: &str = "flannel.docker.tar";
/// The seed's A/B union example: layers B, A, A2.
pub const UNION_AB: &str = "union-ab.docker.tar";
/// L11's image: a private key copied in layer 1 and deleted by layer 2, a token in `ENV`
/// (`leaky-fixed.docker.tar` is the same build done right).
pub const LEAKY: &str = "leaky.docker.tar";

/// L13's build context: a Dockerfile, the same with an early line changed, with only the last
/// line changed, and a multi-stage one whose final stage ships one small file.
const L13_CONTEXT: &[(&str, &str)] = &[
    ("Dockerfile", "FROM webapp:1.0\nRUN echo deps v1 > /tmp/deps.txt\nCOPY src.txt /app/\nCMD [\"cat\", \"/app/src.txt\"]\n"),
    ("Dockerfile.early", "FROM webapp:1.0\nRUN echo deps v2 > /tmp/deps.txt\nCOPY src.txt /app/\nCMD [\"cat\", \"/app/src.txt\"]\n"),
    ("Dockerfile.late", "FROM webapp:1.0\nRUN echo deps v1 > /tmp/deps.txt\nCOPY src.txt /app/\nCMD [\"cat\", \"-n\", \"/app/src.txt\"]\n"),
    (
        "Dockerfile.multi",
        "FROM webapp:1.0 AS build\nRUN echo toolchain > /tmp/toolchain.bin && echo app > /tmp/app\nFROM union-ab:1\nCOPY --from=build /tmp/app /app\nCMD [\"/app\"]\n",
    ),
    ("src.txt", "hello from src.txt\n"),
];

/// `$s` 2, 4, …, 64 times (a Dockerfile of many identical lines, as a literal).
macro_rules! x2 { ($s:expr) => { concat!($s, $s) }; }
macro_rules! x4 { ($s:expr) => { x2!(x2!($s)) }; }
macro_rules! x16 { ($s:expr) => { x4!(x4!($s)) }; }
macro_rules! x64 { ($s:expr) => { x4!(x16!($s)) }; }

/// L5's build context: `FROM webapp:1.0` (7 layers) and 118 `COPY a /a` steps, each a layer:
/// 125, moby's `maxLayerDepth`; one more step is refused (tests/docker-scenarios/max-depth).
const L5_CONTEXT: &[(&str, &str)] = &[
    ("Dockerfile.deep", concat!("FROM webapp:1.0\n", x64!("COPY a /a\n"), x16!(x2!("COPY a /a\n")), x16!("COPY a /a\n"), x4!("COPY a /a\n"), x2!("COPY a /a\n"))),
    ("Dockerfile.deeper", "FROM deep\nCOPY a /b\n"),
    ("a", "a\n"),
];

/// The lessons that exist, in the plan's order.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "L1",
        sample: WEBAPP,
        steps: &[
            sh("ls /", &[Check::Output("app"), Check::NoOutput("boot"), Check::NoError]),
            sh("ls /boot", &[Check::Output("No such file or directory")]),
            sh("ls /lib/modules", &[Check::Output("No such file or directory")]),
            sh("cat /etc/os-release", &[Check::Output("Samplix"), Check::NoCopyUp]),
        ],
        quiz: &[6, 8, 1],
        context: &[],
    },
    Lesson {
        id: "L2",
        sample: REDIS,
        steps: &[
            dk("docker pull redis:latest", &[Check::Occurs("Pull complete", 6), Check::Occurs("Already exists", 0), Check::NoError]),
            dk("docker pull redis:5.0", &[Check::Occurs("Already exists", 3), Check::Occurs("Pull complete", 3)]),
            dk("docker images", &[Check::Output("latest"), Check::Output("5.0"), Check::NoError]),
            dk("docker system df -v", &[Check::Output("SHARED SIZE"), Check::Occurs("5.292kB", 2)]),
            dk("docker pull redis:5.0-rebased", &[Check::Occurs("Pull complete", 6), Check::Occurs("Already exists", 0)]),
        ],
        quiz: &[2, 17, 19],
        context: &[],
    },
    Lesson {
        id: "L3",
        sample: REDIS,
        steps: &[
            dk("docker pull redis:5.0", &[Check::Output("7241a4ef990a: Pull complete"), Check::Output("Digest: sha256:2ddd7ebf8fd9")]),
            dk("docker inspect --format '{{json .RootFS.Layers}}' redis:5.0", &[Check::Output("sha256:e5e910a7fc47"), Check::NoOutput("7241a4ef990a")]),
            dk("docker image inspect --format '{{.Id}}' redis:5.0", &[Check::Output("sha256:b53b30c5d25e"), Check::NoError]),
            dk("docker inspect --format '{{json .RepoDigests}}' redis:5.0", &[Check::Output("redis@sha256:2ddd7ebf8fd9"), Check::NoOutput("b53b30c5d25e")]),
            dk("docker inspect --format '{{json .GraphDriver}}' redis:5.0", &[Check::Output("/var/lib/docker/overlay2/"), Check::Output("/merged"), Check::NoOutput("e5e910a7fc47"), Check::NoError]),
        ],
        quiz: &[14, 15],
        context: &[],
    },
    Lesson {
        id: "L4",
        sample: REDIS,
        steps: &[
            dk("docker pull redis:latest", &[Check::Occurs("Pull complete", 6)]),
            dk("docker inspect --format '{{json .RootFS.Layers}}' redis:latest", &[Check::Output("sha256:e5e910a7fc47"), Check::Output("sha256:9eefc621a734")]),
            dk("docker pull redis:5.0", &[Check::Occurs("Already exists", 3)]),
            dk("docker rmi redis:5.0", &[Check::Occurs("Deleted:", 4), Check::NoOutput("e5e910a7fc47")]),
            dk("docker rmi redis:latest", &[Check::Output("Deleted: sha256:e5e910a7fc47"), Check::Output("Deleted: sha256:267294ed4f6b"), Check::NoOutput("9eefc621a734")]),
        ],
        quiz: &[16, 17, 27],
        context: &[],
    },
    Lesson {
        id: "L5",
        sample: FLANNEL,
        steps: &[
            dk("docker pull quay.io/coreos/flannel:v0.14.0", &[Check::Occurs("Pull complete", 7)]),
            dk("docker history quay.io/coreos/flannel:v0.14.0", &[Check::Occurs("<missing>", 10), Check::Occurs(" 0B ", 4), Check::NoError]),
            dk("docker inspect --format '{{json .RootFS.Layers}}' quay.io/coreos/flannel:v0.14.0", &[Check::Occurs("sha256:", 7)]),
            dk("docker history --no-trunc quay.io/coreos/flannel:v0.14.0", &[Check::Output("ENTRYPOINT [\"/opt/bin/flanneld\"]"), Check::Output("sha256:ef1613ba3662")]),
            // Interview question 33: the layer store's depth limit (tests/docker-scenarios/max-depth).
            dk("docker build -f context/Dockerfile.deep -t deep context", &[Check::Output("Step 119/119 : COPY a /a"), Check::Output("Successfully tagged deep:latest")]),
            dk("docker image inspect -f '{{len .RootFS.Layers}}' deep", &[Check::Occurs("125", 1)]),
            dk("docker build -f context/Dockerfile.deeper -t deeper context", &[Check::Output("max depth exceeded"), Check::NoOutput("Successfully")]),
        ],
        quiz: &[9, 18, 33],
        context: L5_CONTEXT,
    },
    Lesson {
        id: "L6",
        sample: UNION_AB,
        steps: &[
            sh("ls /", &[Check::Output("onlyB"), Check::Output("foo"), Check::NoOutput("C"), Check::NoOutput("etc"), Check::NoOutput("bin"), Check::NoError]),
            sh("cat /foo", &[Check::Output("from A"), Check::NoCopyUp]),
            sh("ls /bar", &[Check::Output("x"), Check::Output("z"), Check::NoError]),
            sh("cat /bar", &[Check::Output("Is a directory")]),
            sh("cat /foo/y", &[Check::Output("Not a directory")]),
            sh("ls /C", &[Check::Output("No such file or directory")]),
        ],
        quiz: &[3, 1],
        context: &[],
    },
    Lesson {
        id: "L7",
        sample: WEBAPP,
        steps: &[
            sh("ls /app", &[Check::LayerEmpty, Check::NoError]),
            sh("echo hello > /out.txt", &[Check::Diff("A /out.txt"), Check::SizeAtLeast(6), Check::NoCopyUp]),
            sh("cat /out.txt", &[Check::Output("hello")]),
            sh("reset", &[Check::LayerEmpty]),
            // Interview question 34: Docker's -init layer (tests/docker-scenarios/container-inspect).
            dk("docker create --name c1 --network none webapp:1.0", &[Check::NoOutput("Error")]),
            dk("docker inspect -f '{{.GraphDriver.Data.LowerDir}}' c1", &[Check::Output("-init/diff:/var/lib/docker/overlay2/")]),
            dk("docker diff c1", &[Check::NoOutput("/.dockerenv"), Check::NoOutput("/etc/hosts"), Check::NoError]),
        ],
        quiz: &[5, 20, 21, 34],
        context: &[],
    },
    Lesson {
        id: "L8",
        sample: WEBAPP,
        steps: &[
            sh("cat /app/config.yaml", &[Check::Output("port: 8080"), Check::NoCopyUp, Check::LayerEmpty]),
            sh("ls -l /data", &[Check::Output("model.bin"), Check::NoCopyUp, Check::LayerEmpty]),
            sh("echo debug: true >> /app/config.yaml", &[Check::CopyUp("/app/config.yaml"), Check::Diff("C /app/config.yaml")]),
            sh("chmod 600 /data/model.bin", &[Check::CopyUp("/data/model.bin"), Check::CopiedAtLeast(MIB)]),
            sh("touch /etc/passwd", &[Check::CopyUp("/etc/passwd"), Check::Diff("C /etc/passwd")]),
            sh("echo -n >> /app/requirements.txt", &[Check::CopyUp("/app/requirements.txt"), Check::Diff("C /app/requirements.txt")]),
            sh("echo '#patched' >> /usr/bin/python3", &[Check::CopyUp("/usr/bin/python3"), Check::Diff("C /usr/bin/python3")]),
            sh("ls -l /usr/bin", &[Check::Output("1 0 0  12297 python3"), Check::Output("12288 python3.12"), Check::NoError]),
            // Interview question 31, the Docker docs' open(2) limitation, as Linux >= 4.19 runs
            // it (kernel scenarios tests/scenarios/fd-copy-up and fd-names).
            sh("exec 3< /app/server.py", &[Check::NoCopyUp, Check::NoError]),
            sh("exec 4<> /app/server.py", &[Check::CopyUp("/app/server.py"), Check::Diff("C /app/server.py")]),
            sh("echo '#!/bin/sh' >&4", &[Check::NoCopyUp, Check::NoError]),
            sh("cat <&3", &[Check::Output("#!/bin/sh"), Check::Output("import http.server"), Check::NoOutput("#!/usr/bin/python3"), Check::NoCopyUp]),
        ],
        quiz: &[10, 11, 12, 31],
        context: &[],
    },
    Lesson {
        id: "L9",
        sample: WEBAPP,
        steps: &[
            sh("echo new > /etc/new.conf", &[Check::Diff("A /etc/new.conf"), Check::NoWhiteout]),
            sh("rm /etc/new.conf", &[Check::NoWhiteout, Check::NotInDiff("/etc/new.conf"), Check::NoError]),
            sh("rm /etc/passwd", &[Check::Whiteout("/etc/passwd"), Check::Diff("D /etc/passwd")]),
            sh("rm -r /app/static", &[Check::Whiteout("/app/static"), Check::NoOpaque, Check::Diff("D /app/static")]),
            sh("mkdir /app/static", &[Check::Opaque("/app/static")]),
            sh("ls /app/static", &[Check::NoOutput("index.html"), Check::NoError]),
            sh("mv /data /archive", &[Check::Diff("A /archive/model.bin"), Check::Whiteout("/data"), Check::Diff("D /data"), Check::NoError]),
        ],
        quiz: &[7, 13, 30],
        context: &[],
    },
    Lesson {
        id: "L10",
        sample: WEBAPP,
        steps: &[
            sh("cat /etc/motd", &[Check::Output("No such file or directory"), Check::NoCopyUp]),
            sh("ls -a /etc", &[Check::Output("passwd"), Check::NoOutput("motd"), Check::NoOutput(".wh."), Check::NoError]),
            sh("ls /app/static", &[Check::Output("app.js"), Check::NoOutput("logo.png"), Check::NoError]),
            dk("docker pull webapp:1.0", &[Check::Occurs("Pull complete", 7)]),
            dk("docker history webapp:1.0", &[Check::Output("RUN rm /etc/motd"), Check::Occurs("1.05MB", 2)]),
        ],
        quiz: &[7, 13],
        context: &[],
    },
    Lesson {
        id: "L11",
        sample: LEAKY,
        steps: &[
            an(
                "layerlab analyze webapp.docker.tar",
                &[
                    Check::Output("efficiency: 50.8669 %"),
                    Check::Output("wastedBytes: 2097398 bytes"),
                    Check::Output("Exact wasted space (bytes no container can read): 1050776 bytes"),
                    Check::Output("/data/model.bin: 1.049MB in layer 5, replaced by layer 6"),
                ],
            ),
            sh("cat /root/.ssh/id_rsa", &[Check::Output("No such file or directory"), Check::NoCopyUp]),
            sh("ls -a /root/.ssh", &[Check::NoOutput("id_rsa"), Check::NoOutput(".wh."), Check::NoError]),
            an("layerlab analyze leaky.docker.tar", &[Check::Output("/root/.ssh/id_rsa"), Check::Output("deleted by layer 2"), Check::Output("[SECRET?"), Check::Output("API_TOKEN")]),
            an("layerlab analyze leaky.docker.tar --show /root/.ssh/id_rsa", &[Check::Output("BEGIN OPENSSH PRIVATE KEY")]),
            an(
                "layerlab export leaky.docker.tar -o rootfs.tar",
                &[
                    Check::Output("Flattened rootfs (docker export): 3147 bytes"),
                    Check::Output("Layered image: 3359 bytes"),
                    Check::Output("Not in the flattened rootfs, still in layer 1 of the image: /root/.ssh/id_rsa"),
                    Check::Output("Not in the flattened rootfs, still in the image's config: API_TOKEN"),
                ],
            ),
            an("layerlab analyze leaky-fixed.docker.tar", &[Check::Output("Deleted but shipped: (none)"), Check::NoOutput("id_rsa"), Check::NoOutput("API_TOKEN")]),
            sh("rm /app/main.sh", &[Check::Whiteout("/app/main.sh"), Check::Diff("D /app/main.sh")]),
        ],
        quiz: &[24, 2],
        context: &[],
    },
    Lesson {
        id: "L12",
        sample: WEBAPP,
        steps: &[
            dk("docker run --name c1 webapp:1.0 sh -c 'echo tweak > /tmp/note'", &[Check::Output("Status: Downloaded newer image"), Check::NoError]),
            dk("docker diff c1", &[Check::Output("A /tmp/note"), Check::Output("C /tmp")]),
            dk("docker commit -c 'RUN echo' c1 bad:1", &[Check::Output("run is not a valid change command")]),
            dk("docker commit -m tweak -a 'Ada <ada@example.com>' -c 'ENV MODE=dev' c1 snap:1", &[Check::Output("sha256:"), Check::NoError]),
            dk("docker history snap:1", &[Check::Output("tweak"), Check::Output("echo tweak > /tmp/note"), Check::Occurs("<missing>", 9)]),
            dk("docker inspect snap:1", &[Check::Output("\"Author\": \"Ada <ada@example.com>\""), Check::Output("\"MODE=dev\"")]),
        ],
        quiz: &[22, 23],
        context: &[],
    },
    Lesson {
        id: "L13",
        sample: WEBAPP,
        steps: &[
            dk("docker build -t demo:1 context", &[Check::Occurs("Using cache", 0), Check::Output("Successfully tagged demo:1")]),
            dk("docker build -t demo:1 context", &[Check::Occurs("Using cache", 3), Check::Output("Successfully tagged demo:1")]),
            dk("docker build -f context/Dockerfile.early -t demo:2 context", &[Check::Occurs("Using cache", 0), Check::Output("Successfully tagged demo:2")]),
            dk("docker build -f context/Dockerfile.late -t demo:3 context", &[Check::Occurs("Using cache", 2), Check::Output("Successfully tagged demo:3")]),
            dk("docker build -f context/Dockerfile.multi -t demo:small context", &[Check::Output("Successfully tagged demo:small")]),
            dk("docker history demo:small", &[Check::NoOutput("toolchain"), Check::NoOutput("python"), Check::Occurs("<missing>", 2)]),
        ],
        quiz: &[4, 25, 26, 27],
        context: L13_CONTEXT,
    },
    Lesson {
        id: "L14",
        sample: WEBAPP,
        steps: &[
            dr(
                "echo x >> /data/model.bin",
                &[
                    Check::CopyUp("/data/model.bin"),
                    Check::Output("overlay2: 1 MiB copied, +1032 KiB allocated, docker ps -s 1048578 B"),
                    Check::Output("devicemapper: 64 KiB copied, +64 KiB allocated, docker ps -s 1048578 B"),
                    Check::Output("btrfs: 0 B copied, +4 KiB allocated, docker ps -s 1048578 B"),
                    Check::Output("zfs: 0 B copied, +216 KiB allocated, docker ps -s 1048578 B"),
                ],
            ),
            dr(
                "rm /etc/passwd",
                &[
                    Check::Whiteout("/etc/passwd"),
                    Check::Output("whiteout /etc/passwd hides layer 0"),
                    Check::Output("whiteout .wh. file for /etc/passwd"),
                    Check::Output("devicemapper: 0 B copied, +0 B allocated"),
                ],
            ),
            dr(
                "mv /app/static /app/assets",
                &[Check::Whiteout("/app/static"), Check::Output("EXDEV"), Check::Output("overlay2: 0 B copied, +16 KiB allocated"), Check::Output("btrfs: 0 B copied, +0 B allocated")],
            ),
            dr("mkdir /app/static", &[Check::Opaque("/app/static"), Check::Output("opaque dir /app/static"), Check::Output(".wh..wh..opq in /app/static")]),
            dr(
                "cat /app/config.yaml",
                &[
                    Check::NoCopyUp,
                    Check::Output("overlay2: 0 B copied, +0 B allocated"),
                    Check::Occurs("so its pages are cached once (page cache sharing)", 3),
                    Check::Output("read /app/config.yaml from layer 2: every container of this image opens that same inode"),
                    Check::Occurs("each container loads its own copy into memory (no page cache sharing)", 3),
                    Check::Output("its inode and cached pages are this container's (no page cache sharing)"),
                ],
            ),
            dk("docker info", &[Check::Output("Storage Driver: overlay2"), Check::NoOutput("Storage Driver: aufs")]),
        ],
        quiz: &[28, 29],
        context: &[],
    },
];

/// The 34 interview questions of PLAN.md §3 in interview order: the seed's ten first (S3's
/// Q1–Q10 are questions 1–8 and 10; its Q9 is question 2), then the others.
pub const INTERVIEW: [u32; 34] = [1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34];

/// The step that demonstrates each interview question's answer on a container, where a lesson
/// does: (question, lesson, step from 1). A question missing here has no demonstration yet.
pub const QUESTION_PROOFS: &[(u32, &str, usize)] = &[
    (1, "L9", 3),
    (2, "L2", 2),
    (3, "L6", 1),
    (4, "L13", 4),
    (9, "L5", 2),
    (14, "L3", 3),
    (15, "L3", 2),
    (16, "L4", 5),
    (17, "L2", 2),
    (18, "L5", 2),
    (19, "L2", 4),
    (22, "L12", 4),
    (25, "L13", 6),
    (26, "L13", 3),
    (27, "L4", 5),
    (5, "L7", 2),
    (6, "L1", 2),
    (7, "L9", 2),
    (8, "L1", 4),
    (10, "L8", 1),
    (11, "L8", 4),
    (12, "L8", 4),
    (13, "L9", 4),
    (20, "L7", 1),
    (24, "L11", 4),
    (28, "L14", 1),
    (29, "L14", 6),
    (21, "L12", 2),
    (23, "L11", 6),
    (30, "L9", 7),
    (32, "L3", 5),
    (31, "L8", 12),
    (33, "L5", 7),
    (34, "L7", 6),
];

/// The 35 myths of PLAN.md §4 (worded under `myth.<n>.…`), and the step that disproves each
/// live, where a lesson does: (myth, lesson, step from 1).
pub const MYTHS: u32 = 35;
pub const MYTH_PROOFS: &[(u32, &str, usize)] = &[
    (1, "L8", 1),
    (2, "L8", 4),
    (5, "L1", 2),
    (6, "L1", 3),
    (7, "L1", 1),
    (10, "L7", 1),
    (11, "L7", 2),
    (12, "L9", 2),
    (13, "L9", 4),
    (14, "L9", 3),
    (28, "L1", 2),
    (30, "L8", 4),
    (3, "L6", 1),
    (4, "L6", 3),
    (8, "L10", 5),
    (9, "L13", 3),
    (15, "L3", 4),
    (16, "L3", 2),
    (17, "L2", 5),
    (18, "L4", 5),
    (19, "L5", 2),
    (20, "L5", 2),
    (21, "L13", 6),
    (25, "L12", 3),
    (26, "L3", 3),
    (33, "L3", 3),
    (22, "L14", 1),
    (23, "L14", 6),
    (24, "L14", 6),
    (27, "L14", 5),
    (29, "L8", 6),
    (31, "L9", 7),
    (32, "L8", 8),
    (34, "L12", 2),
    (35, "L6", 1),
];

/// The link to the step proving `n` in `table` ([`QUESTION_PROOFS`] or [`MYTH_PROOFS`]).
pub fn proof(table: &[(u32, &str, usize)], n: u32) -> Option<Link> {
    table.iter().find(|p| p.0 == n).map(|p| Link { lesson: p.1.to_string(), step: p.2 - 1 })
}

/// The lesson named `id`.
pub fn lesson(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.id == id)
}

/// True if `text` names `path` as the thing an event is about: the event text starts with the
/// path (copy-up, whiteout) or with `directory PATH` (opaque), followed by a space or a colon.
fn names(e: &EventLine, path: &str) -> bool {
    e.path() == Some(path)
}

impl Step {
    /// True if the step's command ran after `base` and every check holds.
    pub fn passes(&self, obs: &Observation, base: Baseline) -> bool {
        // A container that restarted (shorter logs) began again: everything counts.
        let events = obs.events.get(base.events..).unwrap_or(obs.events);
        let (out, ev) = match self.on {
            On::Shell => (obs.output.get(base.output..).unwrap_or(obs.output), events),
            On::Docker => (obs.docker.get(base.docker..).unwrap_or(obs.docker), &[][..]),
            On::Inspect => (obs.inspect.get(base.inspect..).unwrap_or(obs.inspect), &[][..]),
            On::Drivers => (obs.drivers.get(base.drivers..).unwrap_or(obs.drivers), events),
        };
        let echo = format!("# {}", self.command.trim());
        let Some(ran_at) = out.iter().position(|l| l.trim_end() == echo) else { return false };
        // What the command printed: the lines after its echo, up to the next echo.
        let printed: Vec<&String> = out[ran_at + 1..].iter().take_while(|l| !l.starts_with("# ")).collect();
        let of = |k: EventKind| ev.iter().filter(move |e| e.kind == k);
        self.checks.iter().all(|c| match *c {
            Check::Occurs(t, n) => printed.iter().map(|l| l.matches(t).count()).sum::<usize>() == n,
            Check::NoCopyUp => of(EventKind::CopyUp).next().is_none(),
            Check::CopyUp(p) => of(EventKind::CopyUp).any(|e| names(e, p)),
            Check::CopiedAtLeast(n) => obs.usage.copied_bytes >= n,
            Check::Whiteout(p) => of(EventKind::Whiteout).any(|e| names(e, p)),
            Check::NoWhiteout => of(EventKind::Whiteout).next().is_none(),
            Check::Opaque(p) => of(EventKind::Opaque).any(|e| names(e, p)),
            Check::NoOpaque => of(EventKind::Opaque).next().is_none(),
            Check::Output(t) => printed.iter().any(|l| l.contains(t)),
            Check::NoOutput(t) => !printed.iter().any(|l| l.contains(t)),
            Check::NoError => {
                of(EventKind::Error).next().is_none() && !printed.iter().any(|l| l.contains(": cannot ") || l.contains("No such file") || l.starts_with("Error"))
            }
            Check::Diff(line) => obs.diff.iter().any(|l| l == line),
            Check::NotInDiff(p) => !obs.diff.iter().any(|l| l.get(2..) == Some(p)),
            Check::LayerEmpty => obs.usage.size == 0 && obs.diff.is_empty(),
            Check::SizeAtLeast(n) => obs.usage.size >= n,
        })
    }
}

/// A link to a lesson or one of its steps: `#lesson/L8` or `#lesson/L8/3` (steps from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub lesson: String,
    /// 0-based.
    pub step: usize,
}

impl Link {
    /// Parses a URL hash (with or without the `#`); None for anything else.
    pub fn parse(hash: &str) -> Option<Link> {
        let rest = hash.trim_start_matches('#').strip_prefix("lesson/")?;
        let mut parts = rest.split('/');
        let id = parts.next()?;
        let l = lesson(id)?;
        let step = match parts.next() {
            Some(s) if !s.is_empty() => s.parse::<usize>().ok()?.checked_sub(1)?,
            _ => 0,
        };
        (step < l.steps.len()).then(|| Link { lesson: id.to_string(), step })
    }

    /// The hash for this link.
    pub fn hash(&self) -> String {
        format!("#lesson/{}/{}", self.lesson, self.step + 1)
    }
}

/// The message keys a lesson's text uses (a test checks each exists in both languages).
pub fn keys(l: &Lesson) -> Vec<String> {
    let mut k = vec![format!("lesson.{}.title", l.id), format!("lesson.{}.intro", l.id), format!("lesson.{}.aha", l.id)];
    for i in 1..=l.steps.len() {
        for part in ["do", "why", "seen"] {
            k.push(format!("lesson.{}.{i}.{part}", l.id));
        }
    }
    for q in l.quiz {
        k.extend(question_keys(*q));
    }
    k
}

/// The message keys of interview question `n`: the question, the correct answer, the common
/// wrong answer and why it is wrong.
pub fn question_keys(n: u32) -> Vec<String> {
    ["q", "right", "wrong", "why"].iter().map(|p| format!("iq.{n}.{p}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_refuse_what_does_not_exist() {
        let l = Link::parse("#lesson/L8/3").unwrap();
        assert_eq!(l, Link { lesson: "L8".into(), step: 2 });
        assert_eq!(l.hash(), "#lesson/L8/3");
        assert_eq!(Link::parse("lesson/L9").unwrap().step, 0);
        assert_eq!(Link::parse("#lesson/L8/0"), None);
        assert_eq!(Link::parse("#lesson/L8/99"), None);
        assert_eq!(Link::parse("#lesson/L99/1"), None);
        assert_eq!(Link::parse("#other"), None);
    }

    #[test]
    fn every_lesson_text_exists_in_both_languages() {
        use crate::i18n::Lang;
        for l in LESSONS {
            for k in keys(l) {
                for lang in Lang::ALL {
                    assert!(crate::i18n::shipped(lang).contains(&k), "{k} missing in {}", lang.tag());
                }
            }
        }
    }

    #[test]
    fn every_interview_question_is_worded_in_both_languages_once() {
        use crate::i18n::Lang;
        let mut seen = INTERVIEW.to_vec();
        seen.sort_unstable();
        assert_eq!(seen, (1..=34).collect::<Vec<_>>());
        for n in INTERVIEW {
            for k in question_keys(n) {
                for lang in Lang::ALL {
                    assert!(crate::i18n::shipped(lang).contains(&k), "{k} missing in {}", lang.tag());
                }
            }
        }
    }

    #[test]
    fn every_proof_names_a_step_that_exists_and_every_myth_is_worded() {
        use crate::i18n::Lang;
        for p in QUESTION_PROOFS.iter().chain(MYTH_PROOFS) {
            let l = proof(&[*p], p.0).unwrap();
            assert_eq!(Link::parse(&l.hash()), Some(l.clone()), "{p:?}");
        }
        // Every question and every myth has its demonstration, once.
        for (table, n) in [(QUESTION_PROOFS, INTERVIEW.len() as u32), (MYTH_PROOFS, MYTHS)] {
            let mut have: Vec<u32> = table.iter().map(|p| p.0).collect();
            have.sort_unstable();
            assert_eq!(have, (1..=n).collect::<Vec<_>>());
        }
        for n in 1..=MYTHS {
            for part in ["claim", "where", "truth"] {
                for lang in Lang::ALL {
                    let k = format!("myth.{n}.{part}");
                    assert!(crate::i18n::shipped(lang).contains(&k), "{k} missing in {}", lang.tag());
                }
            }
        }
    }

    #[test]
    fn every_lesson_ends_with_a_quiz_and_docker_lessons_say_so() {
        for l in LESSONS {
            assert!(!l.quiz.is_empty() && l.quiz.iter().all(|q| (1..=34).contains(q)), "{}", l.id);
            assert_eq!(l.uses_docker(), l.steps.iter().any(|s| s.command.starts_with("docker ")), "{}", l.id);
            assert!(l.context.is_empty() || l.uses_docker(), "{}: a build context without docker steps", l.id);
            let (sh, dk) = l.replay(l.steps.len());
            assert_eq!(sh.len() + dk.len() + l.steps.iter().filter(|s| s.on == On::Inspect).count(), l.steps.len());
            for s in l.steps.iter().filter(|s| s.on == On::Inspect) {
                assert!(InspectLine::parse(s.command).is_some(), "{}: {}", l.id, s.command);
            }
        }
    }

    #[test]
    fn an_event_names_its_path_exactly() {
        let ev = |kind, key: &str, args: &[&str]| EventLine::new(kind, key, args.iter().map(|a| a.to_string()).collect());
        let copy = ev(EventKind::CopyUp, "event.copyup.full", &["/etc/passwd", "L1 aaaaaaaaaaaa", "65"]);
        assert!(copy.text().starts_with("/etc/passwd from L1 "));
        assert!(names(&copy, "/etc/passwd"));
        assert!(names(&ev(EventKind::Opaque, "event.opaque", &["/app/static"]), "/app/static"));
        assert!(!names(&ev(EventKind::CopyUp, "event.copyup.full", &["/etc/passwd-", "L1 aaaaaaaaaaaa", "65"]), "/etc/passwd"));
        // The data of an earlier metadata-only copy-up does not name its path first (as before).
        assert!(!names(&ev(EventKind::CopyUp, "event.copyup.data", &["/etc/passwd", "L1 aaaaaaaaaaaa", "65"]), "/etc/passwd"));
    }
}
