//! INSPECT (issue 13): two images compared, as the inspect worker found it
//! ([`crate::compare`]): the verdict, the layers shared by ChainID and where the stacks
//! diverge, the files a container sees added, deleted and modified as a tree with filters, the
//! config and the history differences. Draws only; words: the message files (`compare.*`).
use crate::compare::{Attrs, Change, Comparison, Verdict};
use crate::ui::lang::Tr;
use crate::units::human_size;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub cmp: Rc<Comparison>,
    pub tr: Tr,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Added,
    Deleted,
    Modified,
}

/// One changed path.
struct Row {
    path: String,
    kind: Kind,
    a: Option<Attrs>,
    b: Option<Attrs>,
    changes: Vec<Change>,
}

fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Identical => "compare.verdict.identical",
        Verdict::IdenticalContentDifferentCompression => "compare.verdict.compression",
        Verdict::SameContent => "compare.verdict.same",
        Verdict::Different => "compare.verdict.different",
    }
}

fn change_key(c: Change) -> &'static str {
    match c {
        Change::Type => "compare.change.type",
        Change::Content => "compare.change.content",
        Change::Mode => "compare.change.mode",
        Change::Owner => "compare.change.owner",
        Change::Target => "compare.change.target",
        Change::Device => "compare.change.device",
        Change::Mtime => "compare.change.mtime",
    }
}

fn short(d: &Option<String>) -> String {
    d.as_deref().map(crate::compare::short).unwrap_or_default()
}

fn attrs(a: &Attrs) -> String {
    let mut s = format!("{} {} {}:{}", human_size(a.size), a.mode, a.uid, a.gid);
    let d = short(&a.digest);
    if !d.is_empty() {
        s.push(' ');
        s.push_str(&d);
    }
    if let Some(t) = &a.target {
        s.push_str(&format!(" → {t}"));
    }
    s
}

fn json(v: &serde_json::Value) -> String {
    if v.is_null() { "—".into() } else { v.to_string() }
}

#[function_component(CompareView)]
pub fn compare_view(p: &Props) -> Html {
    let tr = p.tr;
    let c = &p.cmp;
    let shown = use_state(|| BTreeSet::from([Kind::Added, Kind::Deleted, Kind::Modified]));
    let filter = use_state(String::new);
    let mut rows: Vec<Row> = Vec::new();
    rows.extend(c.files.added.iter().map(|f| Row { path: f.path.clone(), kind: Kind::Added, a: None, b: Some(f.attrs.clone()), changes: vec![] }));
    rows.extend(c.files.deleted.iter().map(|f| Row { path: f.path.clone(), kind: Kind::Deleted, a: Some(f.attrs.clone()), b: None, changes: vec![] }));
    rows.extend(c.files.modified.iter().map(|m| Row { path: m.path.clone(), kind: Kind::Modified, a: Some(m.a.clone()), b: Some(m.b.clone()), changes: m.changes.clone() }));
    rows.sort_by(|x, y| x.path.cmp(&y.path));
    let counts = |k: Kind| rows.iter().filter(|r| r.kind == k).count();
    let (na, nd, nm) = (counts(Kind::Added), counts(Kind::Deleted), counts(Kind::Modified));
    let visible: Vec<&Row> = rows.iter().filter(|r| shown.contains(&r.kind) && (filter.is_empty() || r.path.contains(filter.as_str()))).collect();
    // The tree: every directory above a shown path, once, before it.
    let mut items: Vec<Html> = Vec::new();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    for r in &visible {
        let parts: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
        for d in 1..parts.len() {
            let dir = format!("/{}", parts[..d].join("/"));
            if dirs.insert(dir.clone()) && !visible.iter().any(|v| v.path == dir) {
                items.push(html! {
                    <li role="treeitem" aria-level={d.to_string()} aria-expanded="true" class="cmp-dir" style={format!("padding-left: {}em", d - 1)}>
                        { format!("{}/", parts[d - 1]) }
                    </li>
                });
            }
        }
        let depth = parts.len();
        let (mark, cls) = match r.kind {
            Kind::Added => ("A", "add"),
            Kind::Deleted => ("D", "del"),
            Kind::Modified => ("M", "mod"),
        };
        let what = match r.kind {
            Kind::Added => attrs(r.b.as_ref().expect("added")),
            Kind::Deleted => attrs(r.a.as_ref().expect("deleted")),
            Kind::Modified => {
                let ch: Vec<&str> = r.changes.iter().map(|c| tr.t(change_key(*c))).collect();
                format!("{} · {} ⇒ {}", ch.join(", "), attrs(r.a.as_ref().expect("a")), attrs(r.b.as_ref().expect("b")))
            }
        };
        items.push(html! {
            <li role="treeitem" aria-level={depth.to_string()} class={classes!("cmp-file", cls)} style={format!("padding-left: {}em", depth - 1)}>
                <span class="cmp-mark">{ mark }</span>{ " " }
                <code>{ parts.last().copied().unwrap_or_default().to_string() }</code>{ " " }
                <span class="muted">{ what }</span>
            </li>
        });
    }
    // The box says whether the kind shows (set from what the browser did, not toggled).
    let toggle = |k: Kind| {
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            let i: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut s = (*shown).clone();
            if i.checked() {
                s.insert(k);
            } else {
                s.remove(&k);
            }
            shown.set(s);
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let i: web_sys::HtmlInputElement = e.target_unchecked_into();
            filter.set(i.value());
        })
    };
    let check = |k: Kind, key: &str, n: usize| {
        html! {
            <label><input type="checkbox" checked={shown.contains(&k)} onchange={toggle(k)} />{ tr.f(key, &[&n.to_string()]) }</label>
        }
    };
    let l = &c.layers;
    html! {
        <div class="compare-result">
            <p class={classes!("verdict", if c.same_content { "ok" } else { "no" })} role="status">
                <strong>{ tr.t(verdict_key(c.verdict)) }</strong>{ " " }{ c.summary.clone() }
            </p>
            if !c.notes.is_empty() {
                <ul class="muted">{ for c.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
            }
            <p>{ match l.diverge_at {
                Some(d) => tr.f("compare.diverge", &[&l.shared.to_string(), &d.to_string()]),
                None => tr.f("compare.all_shared", &[&l.shared.to_string()]),
            } }</p>
            <table class="inspect-table" aria-label={tr.t("compare.layers")}>
                <thead><tr><th>{ tr.t("inspect.layer") }</th><th>{ c.a.name.clone() }</th><th>{ c.b.name.clone() }</th><th></th></tr></thead>
                <tbody>{ for l.rows.iter().map(|r| html! {
                    <tr>
                        <td>{ format!("L{}", r.index) }</td>
                        <td><code>{ r.a.as_ref().map(|x| short(&x.diff_id)).unwrap_or_default() }</code></td>
                        <td><code>{ r.b.as_ref().map(|x| short(&x.diff_id)).unwrap_or_default() }</code></td>
                        <td>{ match (r.shared, r.different_compression, r.same_diff_id) {
                            (true, true, _) => tr.t("compare.shared_recompressed"),
                            (true, false, _) => tr.t("compare.shared"),
                            (false, true, _) => tr.t("compare.recompressed"),
                            (false, false, true) => tr.t("compare.same_diff"),
                            _ => "",
                        } }</td>
                    </tr>
                }) }</tbody>
            </table>
            <h4>{ tr.t("compare.files") }</h4>
            <div class="cmp-filters" role="group" aria-label={tr.t("compare.filters")}>
                { check(Kind::Added, "compare.added", na) }
                { check(Kind::Deleted, "compare.deleted", nd) }
                { check(Kind::Modified, "compare.modified", nm) }
                <input type="search" aria-label={tr.t("compare.filter")} placeholder={tr.t("compare.filter")} oninput={on_filter} value={(*filter).clone()} />
            </div>
            <ul role="tree" aria-label={tr.t("compare.tree")} class="cmp-tree">
                if items.is_empty() { <li class="muted">{ tr.t("compare.no_files") }</li> }
                { for items.into_iter() }
            </ul>
            if !c.config.is_empty() {
                <table class="inspect-table" aria-label={tr.t("compare.config")}>
                    <caption>{ tr.t("compare.config") }</caption>
                    <thead><tr><th>{ tr.t("compare.field") }</th><th>{ c.a.name.clone() }</th><th>{ c.b.name.clone() }</th></tr></thead>
                    <tbody>{ for c.config.iter().map(|d| html! {
                        <tr>
                            <td><code>{ match &d.key { Some(k) => format!("{} {k}", d.field), None => d.field.clone() } }</code></td>
                            <td><code>{ json(&d.a) }</code></td><td><code>{ json(&d.b) }</code></td>
                        </tr>
                    }) }</tbody>
                </table>
            }
            if c.history.compared && !c.history.is_empty() {
                <h4>{ tr.t("compare.history") }</h4>
                <ul class="cmp-history">
                    { for c.history.only_in_a.iter().map(|h| html! { <li class="del"><span class="cmp-mark">{ "−" }</span>{ " " }<code>{ h.clone() }</code></li> }) }
                    { for c.history.only_in_b.iter().map(|h| html! { <li class="add"><span class="cmp-mark">{ "+" }</span>{ " " }<code>{ h.clone() }</code></li> }) }
                    { for c.history.changed.iter().map(|h| html! { <li class="mod"><span class="cmp-mark">{ "~" }</span>{ " " }<code>{ h.created_by.clone() }</code>{ format!(" ({})", h.fields.join(", ")) }</li> }) }
                </ul>
            }
        </div>
    }
}
