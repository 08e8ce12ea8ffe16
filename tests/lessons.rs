//! Every lesson (`layerlab::lessons`) played on the real host over the bundled sample it names,
//! as the page plays it: each step's checks must fail before its command runs (a check that
//! passes without the action is a defect) and pass right after it, on a container that carries
//! the earlier steps' changes.
#[allow(dead_code)]
#[path = "../src/bin/make-samples.rs"]
mod make_samples;

use layerlab::host::{open_archive, EventLine, Host};
use layerlab::lessons::{Observation, LESSONS};
use layerlab::source::{MemSource, Source};
use std::sync::Arc;

/// The container as the page accumulates it: output and events appended, diff and usage replaced.
#[derive(Default)]
struct Page {
    output: Vec<String>,
    events: Vec<EventLine>,
    diff: Vec<String>,
    usage: layerlab::host::ContainerUsage,
}

impl Page {
    fn run(&mut self, host: &mut Host, line: &str) {
        let r = host.shell(line);
        self.output.extend(r.output);
        self.events.extend(r.events);
        self.diff = r.diff;
        self.usage = r.usage;
    }
    fn obs(&self) -> Observation<'_> {
        Observation { output: &self.output, events: &self.events, diff: &self.diff, usage: &self.usage }
    }
}

fn sample(name: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("layerlab-lessons-{}", std::process::id()));
    make_samples::samples::write_all(&dir).unwrap();
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("sample {name}: {e}"))
}

#[test]
fn every_lesson_step_passes_only_after_its_action() {
    for l in LESSONS {
        let mut host = Host::default();
        let src: Source = Arc::new(MemSource::new(sample(l.sample)));
        let opened = open_archive(src, l.sample, true, 1, host.next_id(), &mut |_| true).unwrap();
        host.add(&opened);
        host.set_stack(opened.layers.iter().map(|x| (x.info.id, true)).collect());
        let mut page = Page::default();
        for (i, step) in l.steps.iter().enumerate() {
            let base = page.obs().baseline();
            assert!(!step.passes(&page.obs(), base), "{} step {}: passes before `{}` ran", l.id, i + 1, step.command);
            // An unrelated read does not make it pass either.
            page.run(&mut host, "ls /usr");
            assert!(!step.passes(&page.obs(), base), "{} step {}: passes after an unrelated `ls /usr`", l.id, i + 1);
            page.run(&mut host, step.command);
            assert!(
                step.passes(&page.obs(), base),
                "{} step {} `{}` does not pass: output {:?}\nevents {:?}\ndiff {:?}\nusage {:?}",
                l.id,
                i + 1,
                step.command,
                &page.output[base.output..],
                &page.events[base.events..],
                page.diff,
                page.usage
            );
        }
    }
}
