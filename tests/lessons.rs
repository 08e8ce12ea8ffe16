//! Every lesson (`layerlab::lessons`) played on the real core over the bundled samples, as the
//! page plays it: shell steps on the host's container (`layerlab::host`), docker steps on a
//! Docker host (`layerlab::docker`) whose registry serves every bundled sample, begun afresh
//! for the lesson, with the lesson's build context; Inspect steps analyse the named sample as
//! the Inspect panel does (`layerlab::analysis::analyze`, its "Deleted but shipped" lines, a
//! hidden file's bytes); Storage drivers steps run in the shell and replay the container on
//! every driver as the drivers worker does (`Host::replay_input`, `drivers::replay`), then
//! print the cost of the line (`drivers::report`). Each step's checks must fail before its
//! line runs (a check that passes without the action is a defect) and pass right after it,
//! with the earlier steps' changes in place.
#[allow(dead_code)]
#[path = "../src/bin/make-samples.rs"]
mod make_samples;

use layerlab::docker::{served, Docker, Registry};
use layerlab::host::{open_archive, EventLine, Host};
use layerlab::image::Archive;
use layerlab::analysis::{analyze, efficiency_lines, flattened_lines, shipped_lines, Flattened};
use layerlab::drivers::{self, Driver};
use layerlab::image::{LoadOptions, Selector};
use layerlab::lessons::{InspectLine, Lesson, Observation, On, LESSONS};
use layerlab::source::{MemSource, Source};
use std::path::PathBuf;
use std::sync::Arc;

/// The container and the Docker terminal as the page accumulates them: output and events
/// appended, diff and usage replaced; the docker log is `# LINE` then what it printed.
#[derive(Default)]
struct Page {
    output: Vec<String>,
    events: Vec<EventLine>,
    diff: Vec<String>,
    usage: layerlab::host::ContainerUsage,
    docker: Vec<String>,
    inspect: Vec<String>,
    drivers: Vec<String>,
}

impl Page {
    fn run(&mut self, host: &mut Host, docker: &mut Docker, on: On, line: &str) {
        match on {
            On::Shell | On::Drivers => {
                let r = host.shell(line);
                self.output.extend(r.output);
                self.events.extend(r.events);
                self.diff = r.diff;
                self.usage = r.usage;
                if on == On::Drivers {
                    // The panel is open: it answers every change of the container.
                    let input = host.replay_input().unwrap();
                    let stack = drivers::replay_stack(input.layers.iter().map(|(_, b)| b.source.clone()).collect()).unwrap();
                    let columns = drivers::replay(stack, input.config, input.script.as_bytes(), &Driver::ALL).unwrap();
                    self.drivers.push(format!("# {}", input.line.unwrap()));
                    self.drivers.extend(drivers::report(&columns, input.line_ops));
                }
            }
            On::Inspect => {
                let l = InspectLine::parse(line).unwrap();
                let bytes = sample(l.archive());
                let ar = Archive::open(MemSource::shared(bytes), l.archive(), false, None).unwrap();
                let img = ar.load(&Selector::Default, &LoadOptions { verify: false, changes: false, hash_compressed: false, ..Default::default() }, &mut |_| true).unwrap();
                let an = analyze(&img).unwrap();
                self.inspect.push(format!("# {line}"));
                match l {
                    InspectLine::Analyze(_) => {
                        self.inspect.extend(efficiency_lines(&an));
                        self.inspect.extend(shipped_lines(&an));
                    }
                    InspectLine::Export(_) => self.inspect.extend(flattened_lines(&an)),
                    InspectLine::Show(_, path) => {
                        let h = an.hidden.iter().find(|h| h.path == path).unwrap();
                        let bytes = h.content.as_ref().unwrap().read().unwrap();
                        self.inspect.extend(String::from_utf8_lossy(&bytes).lines().map(str::to_string));
                    }
                }
            }
            On::Docker => {
                let o = docker.run(&layerlab::docker::argv::split(line).unwrap());
                self.docker.push(format!("# {line}"));
                self.docker.extend(o.out.lines().map(str::to_string));
            }
        }
    }
    fn obs(&self) -> Observation<'_> {
        Observation { output: &self.output, events: &self.events, diff: &self.diff, usage: &self.usage, docker: &self.docker, inspect: &self.inspect, drivers: &self.drivers }
    }
}

fn samples() -> PathBuf {
    // Once for the binary: the tests run in parallel and must not read a sample half written.
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("layerlab-lessons-{}", std::process::id()));
        make_samples::samples::write_all(&dir).unwrap();
        dir
    })
    .clone()
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(samples().join(name)).unwrap_or_else(|e| panic!("sample {name}: {e}"))
}

/// The page's Docker host: every bundled sample served (`index.json`), real IDs and times.
fn docker_host(l: &Lesson) -> Docker {
    let mut reg = Registry::default();
    let index: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(samples().join("index.json")).unwrap()).unwrap();
    for s in index {
        let name = s["file"].as_str().unwrap();
        let ar = Archive::open(MemSource::shared(sample(name)), name, true, None).unwrap();
        served::serve(&mut reg, Arc::new(ar));
    }
    let mut d = Docker::new(reg, Box::new(|p: &str| Err(format!("{p}: no such file or directory"))));
    d.display = true;
    let files: Vec<(String, String)> = l.context.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
    d.context_loader = Some(Box::new(move |dir: &str| match layerlab::docker::context::clean(dir).as_str() {
        "context" | "" => {
            let mut c = layerlab::docker::context::Context::new();
            for (p, t) in &files {
                c.add_file(p, 0o644, t.as_bytes().to_vec());
            }
            Ok(c)
        }
        _ => Err(format!("path \"{dir}\" not found")),
    }));
    d
}

#[test]
fn every_lesson_step_passes_only_after_its_action() {
    for l in LESSONS {
        let mut host = Host::default();
        let src: Source = Arc::new(MemSource::new(sample(l.sample)));
        let opened = open_archive(src, l.sample, true, 1, host.next_id(), &mut |_| true).unwrap();
        host.add(&opened);
        host.set_stack(opened.layers.iter().map(|x| (x.info.id, true)).collect());
        let mut docker = docker_host(l);
        let mut page = Page::default();
        for (i, step) in l.steps.iter().enumerate() {
            let base = page.obs().baseline();
            assert!(!step.passes(&page.obs(), base), "{} step {}: passes before `{}` ran", l.id, i + 1, step.command);
            // An unrelated read (in the same place) does not make it pass either.
            let unrelated = match step.on {
                On::Shell | On::Drivers => "stat /",
                On::Docker => "docker ps -a",
                On::Inspect => "layerlab analyze union-ab.docker.tar",
            };
            page.run(&mut host, &mut docker, step.on, unrelated);
            assert!(!step.passes(&page.obs(), base), "{} step {}: passes after an unrelated `{unrelated}`", l.id, i + 1);
            page.run(&mut host, &mut docker, step.on, step.command);
            assert!(
                step.passes(&page.obs(), base),
                "{} step {} `{}` does not pass: output {:?}\ndocker {:?}\ninspect {:?}\ndrivers {:?}\nevents {:?}\ndiff {:?}\nusage {:?}",
                l.id,
                i + 1,
                step.command,
                &page.output[base.output..],
                &page.docker[base.docker..],
                &page.inspect[base.inspect..],
                &page.drivers[base.drivers..],
                &page.events[base.events..],
                page.diff,
                page.usage
            );
        }
    }
}

/// A link opens step k on the state steps 1..k leave: replaying the earlier lines (shell and
/// docker apart, as the page does) and then the step's line makes the step pass.
#[test]
fn a_replayed_step_passes_as_when_played() {
    for l in LESSONS {
        for k in 0..l.steps.len() {
            let mut host = Host::default();
            let src: Source = Arc::new(MemSource::new(sample(l.sample)));
            let opened = open_archive(src, l.sample, true, 1, host.next_id(), &mut |_| true).unwrap();
            host.add(&opened);
            host.set_stack(opened.layers.iter().map(|x| (x.info.id, true)).collect());
            let mut docker = docker_host(l);
            let mut page = Page::default();
            let (shell, dock) = l.replay(k);
            for line in shell {
                page.run(&mut host, &mut docker, On::Shell, &line);
            }
            for line in dock {
                page.run(&mut host, &mut docker, On::Docker, &line);
            }
            let base = page.obs().baseline();
            let step = &l.steps[k];
            page.run(&mut host, &mut docker, step.on, step.command);
            assert!(step.passes(&page.obs(), base), "{} step {} after a replay: {:?}", l.id, k + 1, &page.docker[base.docker..]);
        }
    }
}

/// L11's "export" step tells the truth about a real export: the files of `docker export` of a
/// fresh leaky container (the host's `export_to`, the merged view as one tar) add up to the
/// analysis's flattened figure, and the key is not among them.
#[test]
fn the_flattened_figure_is_what_a_real_export_holds() {
    let name = layerlab::lessons::LEAKY;
    let mut host = Host::default();
    let src: Source = Arc::new(MemSource::new(sample(name)));
    let opened = open_archive(src, name, true, 1, host.next_id(), &mut |_| true).unwrap();
    host.add(&opened);
    host.set_stack(opened.layers.iter().map(|x| (x.info.id, true)).collect());
    let mut tar = Vec::new();
    host.export_to(&mut tar).unwrap();
    let mut files = 0u64;
    let mut paths = Vec::new();
    let mut ar = tar::Archive::new(&tar[..]);
    for e in ar.entries().unwrap() {
        let e = e.unwrap();
        if e.header().entry_type().is_file() {
            files += e.header().size().unwrap();
        }
        paths.push(e.path().unwrap().to_string_lossy().into_owned());
    }
    let ar = Archive::open(MemSource::shared(sample(name)), name, false, None).unwrap();
    let img = ar.load(&Selector::Default, &LoadOptions { verify: false, changes: false, hash_compressed: false, ..Default::default() }, &mut |_| true).unwrap();
    let f = Flattened::of(&analyze(&img).unwrap());
    assert_eq!(files, f.rootfs_bytes);
    assert!(f.layered_bytes > f.rootfs_bytes);
    assert!(!paths.iter().any(|p| p.contains("id_rsa")), "{paths:?}");
}
