//! The image: tags, ID, created, OS/arch, sizes, `docker history` (empty layers included) and the
//! config as `docker inspect`-like JSON, filled by the archive opener. Layers that several
//! loaded images have (a commit and its parent, two images over one base) are marked shared,
//! as `docker pull` says "Already exists". COMMIT (issue 5): each image can be saved as a
//! `docker save` archive or an OCI layout; "Save all" puts every image in one archive, each
//! shared blob once.
use crate::commit::save::SaveFormat;
use crate::units::docker_size;
use crate::ui::protocol::{ArchiveInfo, LayerInfo};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub archives: Vec<ArchiveInfo>,
    pub layers: Vec<LayerInfo>,
    /// (image IDs, format, file name).
    pub on_save: Callback<(Vec<String>, SaveFormat, String)>,
    /// The stack (to say which image is shown).
    pub order: Vec<(crate::ui::protocol::LayerId, bool)>,
    /// Show an image: its layers become the stack.
    pub on_show: Callback<Vec<crate::ui::protocol::LayerId>>,
    /// A custom stack: put an image's layers on top of the stack.
    pub on_add: Callback<Vec<crate::ui::protocol::LayerId>>,
}

/// `docker history`'s CREATED: "2 years ago" (go-units `HumanDuration`), from an RFC 3339 time.
fn ago(created: &str) -> String {
    let t = js_sys::Date::parse(created);
    if created.is_empty() || t.is_nan() {
        return created.to_string();
    }
    // Whole milliseconds (a saturating cast: no panic whatever the clock says).
    let s = crate::units::human_duration(std::time::Duration::from_millis((js_sys::Date::now() - t).max(0.0) as u64));
    format!("{s} ago")
}

/// The format chosen in the "Save format" list.
fn save_format(v: &str) -> SaveFormat {
    if v == "oci" { SaveFormat::Oci } else { SaveFormat::Docker }
}

#[function_component(ImagePanel)]
pub fn image_panel(p: &Props) -> Html {
    let tr = crate::ui::lang::use_tr();
    let format = use_state(|| "docker".to_string());
    let images: Vec<_> = p.archives.iter().flat_map(|a| a.images.iter().map(move |i| (a, i))).collect();
    if images.is_empty() {
        return html! {};
    }
    let all_images: Vec<&crate::ui::protocol::ImageInfo> = images.iter().map(|(_, i)| *i).collect();
    let all_ids: Vec<String> = images.iter().map(|(_, i)| i.id.clone()).filter(|id| !id.is_empty()).collect();
    let on_format = {
        let format = format.clone();
        Callback::from(move |e: Event| format.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
    };
    let save_all = {
        let cb = p.on_save.clone();
        let ids = all_ids.clone();
        let f = (*format).clone();
        let name = crate::host::open::save_all_name(save_format(&f));
        Callback::from(move |_| cb.emit((ids.clone(), save_format(&f), name.clone())))
    };
    html! {
        <section class="panel images" aria-labelledby="images-h">
            <h2 id="images-h">{ tr.t("images.heading") }</h2>
            <div class="save-bar">
                <label>{ tr.t("images.save_as") }{ " " }
                    <select aria-label={tr.t("images.save_format")} onchange={on_format}>
                        <option value="docker" selected={*format == "docker"}>{ "docker save" }</option>
                        <option value="oci" selected={*format == "oci"}>{ tr.t("images.oci_layout") }</option>
                    </select>
                </label>
                if all_ids.len() > 1 { <button class="button" onclick={save_all}>{ tr.t("images.save_all") }</button> }
            </div>
            { for images.iter().map(|(a, img)| {
                let total = img.size(&p.layers);
                let title = img.title();
                let shared = img.shared_layers(&all_images);
                let mut with: Vec<String> = shared.iter().flat_map(|(_, o)| o.iter().cloned()).collect();
                with.sort();
                with.dedup();
                let on_save = {
                    let cb = p.on_save.clone();
                    let f = (*format).clone();
                    let id = img.id.clone();
                    let name = img.save_name(save_format(&f));
                    Callback::from(move |_| cb.emit((vec![id.clone()], save_format(&f), name.clone())))
                };
                let shown = p.order.len() == img.layers.len() && p.order.iter().zip(&img.layers).all(|(o, l)| o.0 == *l && o.1);
                let stacked = img.layers.iter().all(|l| p.order.iter().any(|o| o.0 == *l));
                let on_show = { let cb = p.on_show.clone(); let ids = img.layers.clone(); Callback::from(move |_| cb.emit(ids.clone())) };
                let on_add = { let cb = p.on_add.clone(); let ids = img.layers.clone(); Callback::from(move |_| cb.emit(ids.clone())) };
                html! {
                    <article class="image">
                        <h3>{ title.clone() }</h3>
                        <dl>
                            <dt>{ tr.t("images.id") }</dt><dd><code>{ img.short_id() }</code></dd>
                            if img.tags.len() > 1 { <dt>{ tr.t("images.tags") }</dt><dd>{ img.tags.join(", ") }</dd> }
                            if let Some(d) = &img.manifest_digest { <dt>{ tr.t("images.digest") }</dt><dd><code>{ d }</code></dd> }
                            <dt>{ tr.t("images.platform") }</dt><dd>{ format!("{}/{}", img.os, img.architecture) }</dd>
                            <dt>{ tr.t("images.created") }</dt><dd>{ &img.created }</dd>
                            <dt>{ tr.t("images.size") }</dt><dd>{ tr.f("images.size_in", &[&docker_size(total), &img.layers.len().to_string()]) }</dd>
                            if !shared.is_empty() {
                                <dt>{ tr.t("images.shared") }</dt><dd class="shared">{ tr.f("images.shared_with", &[&shared.len().to_string(), &img.layers.len().to_string(), &with.join(", ")]) }</dd>
                            }
                            <dt>{ tr.t("images.archive") }</dt><dd>{ format!("{} ({})", a.name, a.format) }</dd>
                        </dl>
                        if !img.id.is_empty() {
                            <button class="button" aria-label={tr.f("images.save_named", &[&title])} onclick={on_save}>{ tr.t("images.save") }</button>
                        }
                        { " " }
                        <button class="button" aria-label={tr.f("images.show_named", &[&title])} disabled={shown} onclick={on_show}
                            title={tr.t("images.show_title")}>{ tr.t("images.show") }</button>
                        { " " }
                        <button class="button" aria-label={tr.f("images.add_named", &[&title])} disabled={stacked} onclick={on_add}
                            title={tr.t("images.add_title")}>{ tr.t("images.add") }</button>
                        <details>
                            <summary>{ "docker history" }</summary>
                            <table class="history">
                                <thead><tr><th>{ "IMAGE" }</th><th>{ "CREATED" }</th><th>{ "CREATED BY" }</th><th>{ "SIZE" }</th></tr></thead>
                                <tbody>
                                { for img.history.iter().rev().map(|h| {
                                    let l = h.layer.and_then(|id| p.layers.get(id as usize));
                                    html! { <tr>
                                        <td><code>{ l.map(|l| tr.id(&l.short_id)).unwrap_or_else(|| "<missing>".into()) }</code>
                                            if h.layer.is_some_and(|id| shared.iter().any(|(s, _)| *s == id)) { <span class="tag-shared" title={tr.t("images.shared_title")}>{ format!(" {}", tr.t("images.shared_tag")) }</span> }</td>
                                        <td title={h.created.clone()}>{ ago(&h.created) }</td>
                                        <td class="cmd">{ &h.created_by }
                                            if !h.comment.is_empty() { <span class="muted">{ format!(" — {}", h.comment) }</span> }</td>
                                        <td>{ docker_size(l.map_or(0, |l| l.content_bytes)) }</td>
                                    </tr> }
                                }) }
                                </tbody>
                            </table>
                        </details>
                        <details>
                            <summary>{ "docker inspect (config)" }</summary>
                            <pre class="json">{ &img.config_json }</pre>
                        </details>
                    </article>
                }
            }) }
        </section>
    }
}
