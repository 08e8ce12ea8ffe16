//! The image: tags, ID, created, OS/arch, sizes, `docker history` (empty layers included) and the
//! config as `docker inspect`-like JSON. Filled by the archive opener (the image module, issue 2,
//! will fill the manifest digest and OCI details).
use crate::ui::components::human;
use crate::ui::protocol::{ArchiveInfo, LayerInfo};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub archives: Vec<ArchiveInfo>,
    pub layers: Vec<LayerInfo>,
}

#[function_component(ImagePanel)]
pub fn image_panel(p: &Props) -> Html {
    let images: Vec<_> = p.archives.iter().flat_map(|a| a.images.iter().map(move |i| (a, i))).collect();
    if images.is_empty() {
        return html! {};
    }
    html! {
        <section class="panel images" aria-labelledby="images-h">
            <h2 id="images-h">{ "Images" }</h2>
            { for images.iter().map(|(a, img)| {
                let total: u64 = img.layers.iter().filter_map(|&id| p.layers.get(id as usize)).map(|l| l.uncompressed_size).sum();
                let title = img.tags.first().cloned().unwrap_or_else(|| "<none>".into());
                html! {
                    <article class="image">
                        <h3>{ title }</h3>
                        <dl>
                            <dt>{ "Image ID" }</dt><dd><code>{ img.id.strip_prefix("sha256:").unwrap_or(&img.id).chars().take(12).collect::<String>() }</code></dd>
                            if img.tags.len() > 1 { <dt>{ "Tags" }</dt><dd>{ img.tags.join(", ") }</dd> }
                            if let Some(d) = &img.manifest_digest { <dt>{ "Digest" }</dt><dd><code>{ d }</code></dd> }
                            <dt>{ "Platform" }</dt><dd>{ format!("{}/{}", img.os, img.architecture) }</dd>
                            <dt>{ "Created" }</dt><dd>{ &img.created }</dd>
                            <dt>{ "Size" }</dt><dd>{ format!("{} in {} layers", human(total), img.layers.len()) }</dd>
                            <dt>{ "Archive" }</dt><dd>{ format!("{} ({})", a.name, a.format) }</dd>
                        </dl>
                        <details>
                            <summary>{ "docker history" }</summary>
                            <table class="history">
                                <thead><tr><th>{ "IMAGE" }</th><th>{ "CREATED" }</th><th>{ "CREATED BY" }</th><th>{ "SIZE" }</th></tr></thead>
                                <tbody>
                                { for img.history.iter().rev().map(|h| {
                                    let l = h.layer.and_then(|id| p.layers.get(id as usize));
                                    html! { <tr>
                                        <td><code>{ l.map(|l| l.short_id.clone()).unwrap_or_else(|| "<missing>".into()) }</code></td>
                                        <td>{ &h.created }</td>
                                        <td class="cmd">{ &h.created_by }</td>
                                        <td>{ l.map(|l| human(l.content_bytes)).unwrap_or_else(|| "0 B".into()) }</td>
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
