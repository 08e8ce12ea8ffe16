//! STORAGE DRIVERS (issue 12): the "Storage drivers" region: the page's container on every
//! driver, one column each: bytes really allocated, `docker ps -s`, what the last op copied
//! and why, a bar per op, the on-disk layout; notes for removed drivers and for the containerd
//! snapshotter. The worker prices every op (`crate::drivers`, fed by the host's container):
//! this draws the columns it sends and decides nothing. Words: [`super::drivers_text`].
use super::drivers_text as t;
use crate::drivers::{Column, Step};
use crate::units::docker_size;
use std::rc::Rc;
use yew::prelude::*;

/// The most recent ops the chart shows (the container's creation first, if it fits).
const BARS: usize = 16;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub columns: Rc<Vec<Column>>,
}

/// Bytes in Docker's units, signed.
fn size(n: i128) -> String {
    let s = docker_size(n.unsigned_abs() as u64);
    if n < 0 { format!("−{s}") } else { s }
}

/// One figure: Docker's units shown, the exact bytes in the title (and so in the accessible
/// description).
fn figure(label: &str, n: i128, key: &'static str) -> Html {
    html! {
        <>
            <dt>{ label }</dt>
            <dd data-k={key} title={t::exact(n)}>{ size(n) }</dd>
        </>
    }
}

/// Bytes each step added (the first: what creating the container cost).
fn deltas(steps: &[Step]) -> Vec<(usize, i128)> {
    let mut prev = 0i128;
    steps
        .iter()
        .map(|s| {
            let d = s.bytes as i128 - prev;
            prev = s.bytes as i128;
            (s.op, d)
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

fn column(c: &Column, max: i128) -> Html {
    let name = c.driver.name();
    let id = format!("drv-{name}");
    let disk = c.driver.on_disk();
    let last = c.steps.last();
    let (bytes, ps, copied, why) = last.map_or((0, 0, 0, String::new()), |s| (s.bytes, s.ps_size, s.copied, s.why.clone()));
    let all = deltas(&c.steps);
    let shown = &all[all.len().saturating_sub(BARS)..];
    let lines = |ls: &[&str]| ls.iter().map(|l| html! { <li><code>{ *l }</code></li> }).collect::<Html>();
    html! {
        <section class="driver-col" role="group" aria-labelledby={id.clone()}>
            <h3 id={id}>{ name }</h3>
            <p class="muted driver-label">{ c.label.clone() }</p>
            if let Some(r) = disk.removed_in {
                <p class="driver-removed" role="note">{ t::removed(r) }</p>
            }
            <dl class="driver-figures">
                { figure(t::USED, bytes as i128, "used") }
                { figure(t::PS, ps as i128, "ps") }
                { figure(t::COPIED, copied as i128, "copied") }
            </dl>
            <p class="driver-why" aria-label={t::WHY}>{ why }</p>
            <figure class="driver-chart">
                <figcaption>{ t::CHART }</figcaption>
                <ol class="driver-bars">
                    { for shown.iter().map(|&(op, d)| {
                        let label = format!("{}: {}{}", t::op_name(op), if d > 0 { "+" } else { "" }, size(d));
                        html! {
                            <li title={t::exact(d)}>
                                <span class="bar-track" aria-hidden="true">
                                    <span class={classes!("bar", (d < 0).then_some("freed"))} style={format!("width: {:.1}%", width(d, max))}></span>
                                </span>
                                <span class="bar-label">{ label }</span>
                            </li>
                        }
                    }) }
                </ol>
            </figure>
            <details class="driver-layout">
                <summary>{ t::LAYOUT }</summary>
                <h4>{ t::IMAGE }</h4>
                <ul>{ lines(disk.image_layout) }</ul>
                <h4>{ t::CONTAINER }</h4>
                <ul>{ lines(disk.container_layout) }</ul>
                <dl>
                    <dt>{ t::DELETE }</dt><dd>{ disk.delete }</dd>
                    <dt>{ t::OPAQUE }</dt><dd>{ disk.opaque }</dd>
                    <dt>{ t::RENAME }</dt><dd>{ disk.rename }</dd>
                </dl>
            </details>
        </section>
    }
}

#[function_component(DriversView)]
pub fn drivers_view(p: &Props) -> Html {
    let max = p.columns.iter().flat_map(|c| deltas(&c.steps)).map(|(_, d)| d.abs()).max().unwrap_or(0);
    html! {
        <section class="panel drivers" aria-labelledby="drivers-h">
            <h2 id="drivers-h">{ t::REGION }</h2>
            <p class="muted">{ t::INTRO }{ " " }{ t::UNITS }</p>
            if p.columns.is_empty() {
                <p class="muted">{ t::EMPTY }</p>
            } else {
                <div class="driver-cols">{ for p.columns.iter().map(|c| column(c, max)) }</div>
            }
            <p class="driver-note" role="note">{ t::SNAPSHOTTER }</p>
        </section>
    }
}
