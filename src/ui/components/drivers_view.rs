//! STORAGE DRIVERS (issue 12): the "Storage drivers" region: the page's container on every
//! driver, one column each: bytes really allocated, `docker ps -s`, what the last op copied
//! and why, a bar per op, the on-disk layout; notes for removed drivers and for the containerd
//! snapshotter. The drivers worker prices every op (`crate::drivers`, replaying the page's
//! container): this draws the columns it sends and decides nothing. Words: the message files
//! (`drivers.*`); what was copied and why, and the disk layouts, are the core's sentences.
use crate::drivers::{Column, Step};
use crate::ui::lang::{use_tr, Tr};
use crate::units::docker_size;
use std::rc::Rc;
use yew::prelude::*;

/// The most recent ops the chart shows (the container's creation first, if it fits).
const BARS: usize = 16;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub columns: Rc<Vec<Column>>,
    /// Why there are no columns (the worker failed; empty: it could not start).
    #[prop_or_default]
    pub error: Option<String>,
    /// The worker is pricing a newer state of the container.
    #[prop_or_default]
    pub busy: bool,
}

/// `op 0` is the container's creation.
fn op_name(tr: &Tr, op: usize) -> String {
    if op == 0 {
        tr.t("drivers.create").to_string()
    } else {
        tr.f("drivers.op", &[&op.to_string()])
    }
}

/// The exact figure, for the title (`5,242,882 bytes`).
fn exact(tr: &Tr, n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if n < 0 { "−" } else { "" };
    tr.f(if n.unsigned_abs() == 1 { "drivers.byte" } else { "drivers.bytes" }, &[&format!("{sign}{out}")])
}

/// Bytes in Docker's units, signed.
fn size(n: i128) -> String {
    let s = docker_size(n.unsigned_abs() as u64);
    if n < 0 { format!("−{s}") } else { s }
}

/// One figure: Docker's units shown, the exact bytes in the title (and so in the accessible
/// description).
/// What a step says, in the page's language (its English `why` when it carries no keys).
fn said(tr: &Tr, s: &crate::drivers::Step) -> String {
    if s.said.is_empty() {
        return s.why.clone();
    }
    crate::drivers::said::joined(s.said.iter().map(|p| tr.f(&p.key, &p.args.iter().map(String::as_str).collect::<Vec<_>>())))
}

fn figure(tr: &Tr, label: &str, n: i128, key: &'static str) -> Html {
    html! {
        <>
            <dt>{ label.to_string() }</dt>
            <dd data-k={key} title={exact(tr, n)}>{ size(n) }</dd>
        </>
    }
}

/// Bytes each step added (the first: what creating the container cost), with the step's op.
fn deltas(steps: &[Step]) -> Vec<(usize, i128, &str)> {
    let mut prev = 0i128;
    steps
        .iter()
        .map(|s| {
            let d = s.bytes as i128 - prev;
            prev = s.bytes as i128;
            (s.op, d, s.line.as_str())
        })
        .collect()
}

/// A bar's width in percent of the widest: log scale, so a 4 KiB step stays visible next to
/// a 100 MiB one; zero is no bar.
fn width(d: i128, max: i128) -> f64 {
    if d == 0 || max <= 0 {
        return 0.0;
    }
    let w = ((d.unsigned_abs() as f64) + 1.0).ln() / ((max as f64) + 1.0).ln() * 100.0;
    w.clamp(1.0, 100.0)
}

fn column(tr: &Tr, c: &Column, max: i128) -> Html {
    let name = c.driver.name();
    let id = format!("drv-{name}");
    let disk = c.driver.on_disk();
    let last = c.steps.last();
    let (bytes, ps, copied, why) = last.map_or((0, 0, 0, String::new()), |s| (s.bytes, s.ps_size, s.copied, said(tr, s)));
    let all = deltas(&c.steps);
    let shown = &all[all.len().saturating_sub(BARS)..];
    // The driver's words in the page's language (the core's English if a key is missing).
    let fam = c.driver.family();
    let word = |key: String, en: &'static str| tr.get(&key).unwrap_or(en);
    let lines = |part: &str, ls: &[&'static str]| {
        ls.iter().enumerate().map(|(i, l)| html! { <li><code>{ word(format!("drivers.disk.{fam}.{part}.{i}"), l) }</code></li> }).collect::<Html>()
    };
    html! {
        <section class="driver-col" role="group" aria-labelledby={id.clone()}>
            <h3 id={id}>{ name }</h3>
            <p class="muted driver-label">{ word(format!("drivers.label.{name}"), c.driver.label()) }</p>
            if let Some(r) = disk.removed_in {
                <p class="driver-removed" role="note">{ tr.f("drivers.removed", &[r]) }</p>
            }
            <dl class="driver-figures">
                { figure(tr, tr.t("drivers.used"), bytes as i128, "used") }
                { figure(tr, "docker ps -s", ps as i128, "ps") }
                { figure(tr, tr.t("drivers.copied"), copied as i128, "copied") }
            </dl>
            <p class="driver-why" aria-label={tr.t("drivers.why")}>{ why }</p>
            <figure class="driver-chart">
                <figcaption>{ tr.t("drivers.chart") }</figcaption>
                <ol class="driver-bars">
                    { for shown.iter().map(|&(op, d, line)| {
                        let label = format!("{}: {}{}", op_name(tr, op), if d > 0 { "+" } else { "" }, size(d));
                        html! {
                            <li title={exact(tr, d)}>
                                <span class="bar-track" aria-hidden="true">
                                    <span class={classes!("bar", (d < 0).then_some("freed"))} style={format!("width: {:.1}%", width(d, max))}></span>
                                </span>
                                <span class="bar-label">{ label }</span>
                                if !line.is_empty() {
                                    <code class="bar-op">{ line }</code>
                                }
                            </li>
                        }
                    }) }
                </ol>
            </figure>
            <details class="driver-layout">
                <summary>{ tr.t("drivers.layout") }</summary>
                <h4>{ tr.t("drivers.image_layer") }</h4>
                <ul>{ lines("image", disk.image_layout) }</ul>
                <h4>{ tr.t("drivers.container_layer") }</h4>
                <ul>{ lines("container", disk.container_layout) }</ul>
                <dl>
                    <dt>{ tr.t("drivers.delete") }</dt><dd>{ word(format!("drivers.disk.{fam}.delete"), disk.delete) }</dd>
                    <dt>{ tr.t("drivers.opaque") }</dt><dd>{ word(format!("drivers.disk.{fam}.opaque"), disk.opaque) }</dd>
                    <dt>{ tr.t("drivers.rename") }</dt><dd>{ word(format!("drivers.disk.{fam}.rename"), disk.rename) }</dd>
                </dl>
            </details>
        </section>
    }
}

#[function_component(DriversView)]
pub fn drivers_view(p: &Props) -> Html {
    let tr = use_tr();
    let max = p.columns.iter().flat_map(|c| deltas(&c.steps)).map(|(_, d, _)| d.abs()).max().unwrap_or(0);
    html! {
        <section class="panel drivers" aria-labelledby="drivers-h" aria-busy={p.busy.to_string()}>
            <h2 id="drivers-h">{ tr.t("drivers.region") }</h2>
            <p class="muted">{ tr.t("drivers.intro") }{ " " }{ tr.t("drivers.units") }</p>
            if let Some(e) = &p.error {
                <p class="error" role="alert">{ if e.is_empty() { tr.t("drivers.no_worker").to_string() } else { tr.said(e) } }</p>
            } else if p.columns.is_empty() {
                <p class="muted">{ tr.t(if p.busy { "drivers.pricing" } else { "drivers.empty" }) }</p>
            } else {
                <div class="driver-cols">{ for p.columns.iter().map(|c| column(&tr, c, max)) }</div>
            }
            <p class="driver-note" role="note">{ tr.t("drivers.snapshotter") }</p>
        </section>
    }
}
