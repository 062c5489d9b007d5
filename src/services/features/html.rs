//! HTML pages: the same resources as the JSON documents, for a person with a browser, with a
//! Leaflet map preview of collections and features (Leaflet is served from `/assets`).

use std::fmt::Write;
use std::sync::Arc;

use ogc::features::documents::Collection;
use ogc::link::Link;
use serde_json::Value;

use crate::http::Caller;
use crate::registry::Layer;
use crate::source::Feature;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON placed inside a `<script>` element: `</` would end the element early.
fn script_json(json: &str) -> String {
    json.replace("</", "<\\/")
}

/// The map library a page loads, both embedded (`/assets`).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum MapLib {
    None,
    /// Features drawn from GeoJSON.
    Leaflet,
    /// Vector tiles drawn with the layer's MapLibre style.
    MapLibre,
}

pub(crate) fn page(state: &Caller, title: &str, crumbs: &[(String, &str)], json_href: &str, body: &str, map: MapLib) -> String {
    let base = &state.base;
    let service = escape(state.service.title.as_deref().unwrap_or("Ossature"));
    let mut nav = format!(r#"<a href="{base}/?f=html">Home</a>"#);
    for (href, label) in crumbs {
        let _ = write!(nav, r#" › <a href="{}">{}</a>"#, escape(href), escape(label));
    }
    let map_head = match map {
        MapLib::None => String::new(),
        MapLib::Leaflet => format!(r#"<link rel="stylesheet" href="{base}/assets/leaflet.css"><script src="{base}/assets/leaflet.js"></script>"#),
        MapLib::MapLibre => format!(r#"<link rel="stylesheet" href="{base}/assets/maplibre-gl.css"><script src="{base}/assets/maplibre-gl.js"></script>"#),
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – {service}</title>
<link rel="stylesheet" href="{base}/assets/ossature.css">{map_head}
<link rel="alternate" type="application/json" href="{json}">
</head><body>
<header><a href="{base}/?f=html"><strong>{service}</strong></a></header>
<main><nav class="crumbs">{nav}</nav>
<h1>{title}</h1>
{body}
<p class="muted">Also as <a href="{json}">JSON</a>.</p>
</main></body></html>"#,
        title = escape(title),
        json = escape(json_href),
    )
}

/// A Leaflet map drawing `geojson` (CRS84), fitted to it, or to `extent` when there are no
/// features. OpenStreetMap tiles give context where the browser can reach them.
pub(crate) fn map_script(geojson: &str, extent: Option<[f64; 4]>) -> String {
    let extent = extent.map_or("null".to_string(), |e| format!("[[{},{}],[{},{}]]", e[1], e[0], e[3], e[2]));
    format!(
        r#"<div id="map"></div>
<script>
const map = L.map('map');
L.tileLayer('https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png', {{maxZoom: 19, attribution: '&copy; OpenStreetMap contributors'}}).addTo(map);
const data = {data};
const layer = L.geoJSON(data, {{style: {{color: '#c0392b', weight: 1.5, fillOpacity: 0.15}},
  onEachFeature: (f, l) => l.bindPopup(Object.entries(f.properties || {{}}).map(([k, v]) => '<b>' + k + '</b>: ' + v).join('<br>'))}}).addTo(map);
const extent = {extent};
if (layer.getLayers().length) map.fitBounds(layer.getBounds()); else if (extent) map.fitBounds(extent); else map.setView([50.5, 2.8], 8);
</script>"#,
        data = script_json(geojson),
    )
}

pub(crate) fn links_list(links: &[Link]) -> String {
    let mut s = String::from("<ul class=\"links\">");
    for l in links {
        let _ = write!(
            s,
            r#"<li><a href="{}">{}</a> <span class="muted">({}{})</span></li>"#,
            escape(&l.href),
            escape(l.title.as_deref().unwrap_or(&l.rel)),
            escape(&l.rel),
            l.media_type.as_deref().map(|t| format!(", {}", escape(t))).unwrap_or_default()
        );
    }
    s.push_str("</ul>");
    s
}

pub fn landing(state: &Caller, doc: &Value) -> String {
    let links: Vec<Link> = serde_json::from_value(doc["links"].clone()).unwrap_or_default();
    let description = escape(doc["description"].as_str().unwrap_or(""));
    let body = format!(
        r#"<p>{description}</p>
<p><a href="{base}/collections?f=html">Browse the collections</a> · <a href="{base}/api?f=html">API definition</a> · <a href="{base}/conformance?f=html">Conformance</a></p>
{links}"#,
        base = state.base,
        links = links_list(&links)
    );
    page(state, doc["title"].as_str().unwrap_or("Ossature"), &[], &format!("{}/?f=json", state.base), &body, MapLib::None)
}

pub fn conformance(state: &Caller, doc: &Value) -> String {
    let mut body = String::from("<ul>");
    for c in doc["conformsTo"].as_array().into_iter().flatten() {
        let _ = write!(body, "<li>{}</li>", escape(c.as_str().unwrap_or("")));
    }
    body.push_str("</ul>");
    page(state, "Conformance", &[], &format!("{}/conformance?f=json", state.base), &body, MapLib::None)
}

pub fn api(state: &Caller, doc: &Value) -> String {
    let mut body = String::from("<p>The OpenAPI 3.0 definition lists every path and parameter.</p><table><tr><th>Path</th><th>Summary</th><th>Parameters</th></tr>");
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let get = &item["get"];
        let params: Vec<String> = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["name"].as_str().map(str::to_string).unwrap_or_else(|| p["$ref"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string()))
            .collect();
        let _ = write!(body, "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", escape(path), escape(get["summary"].as_str().unwrap_or("")), escape(&params.join(", ")));
    }
    body.push_str("</table>");
    page(state, "API definition", &[], &format!("{}/api?f=json", state.base), &body, MapLib::None)
}

pub fn collections(state: &Caller, infos: &[Collection]) -> String {
    let base = &state.base;
    let mut body = String::from("<table><tr><th>Collection</th><th>Description</th><th>Features</th></tr>");
    for c in infos {
        let _ = write!(
            body,
            r#"<tr><td><a href="{base}/collections/{id}?f=html">{title}</a></td><td>{desc}</td><td><a href="{base}/collections/{id}/items?f=html">browse</a> · <a href="{base}/collections/{id}/items?f=json">GeoJSON</a></td></tr>"#,
            id = escape(&c.id),
            title = escape(&c.title),
            desc = escape(&c.description)
        );
    }
    for l in state.view.rasters() {
        let _ = write!(
            body,
            r#"<tr><td><a href="{base}/collections/{id}?f=html">{title}</a></td><td>{desc}</td><td><a href="{base}/collections/{id}/map/tiles">map tiles</a></td></tr>"#,
            id = escape(&l.id),
            title = escape(&l.title),
            desc = escape(&l.description)
        );
    }
    let _ = write!(
        body,
        r#"<tr><td><a href="{base}/collections/{id}?f=html">{title}</a></td><td>{desc}</td><td><a href="{base}/collections/{id}/items?f=html">records</a></td></tr>"#,
        id = crate::catalogue::COLLECTION_ID,
        title = escape(crate::services::records::info(state).title),
        desc = escape(crate::services::records::info(state).description)
    );
    body.push_str("</table>");
    page(state, "Collections", &[(format!("{base}/collections?f=html"), "Collections")], &format!("{base}/collections?f=json"), &body, MapLib::None)
}

pub fn collection(state: &Caller, layer: &Arc<Layer>, info: &Collection) -> String {
    let base = &state.base;
    let id = escape(&info.id);
    let mut body = format!("<p>{}</p><table>", escape(&info.description));
    let mut row = |k: &str, v: String| {
        let _ = write!(body, "<tr><th>{}</th><td>{}</td></tr>", k, v);
    };
    row("Identifier", id.clone());
    if !info.keywords.is_empty() {
        row("Keywords", escape(&info.keywords.join(", ")));
    }
    if let Some(e) = &info.extent {
        row("Extent (CRS84)", format!("{:.5}, {:.5}, {:.5}, {:.5}", e.min_x, e.min_y, e.max_x, e.max_y));
    }
    if let Some((a, b)) = &info.temporal {
        let show = |t: &Option<chrono::DateTime<chrono::Utc>>| t.map_or("..".to_string(), |t| t.to_rfc3339());
        row("Temporal extent", format!("{} / {}", show(a), show(b)));
    }
    row("Storage CRS", escape(&info.storage_crs.uri()));
    row("CRS offered", info.crs.iter().map(|c| escape(&c.uri())).collect::<Vec<_>>().join("<br>"));
    let fields = layer.table.fields.iter().map(|f| format!("{} <span class=\"muted\">({:?})</span>", escape(&f.name), f.ty)).collect::<Vec<_>>().join("<br>");
    row("Properties", fields);
    body.push_str("</table>");
    let _ = write!(
        body,
        r#"<p><a href="{base}/collections/{id}/items?f=html">Browse the features</a> · <a href="{base}/collections/{id}/items?f=json">GeoJSON</a></p>
<p class="muted">The map shows the layer's vector tiles (<a href="{base}/collections/{id}/tiles/WebMercatorQuad/tilejson.json">TileJSON</a>, <a href="{base}/collections/{id}/tiles/WebMercatorQuad/style.json">MapLibre style</a>).</p>
<div id="map"></div>
<script>
const extent = {extent};
fetch('{base}/collections/{id}/tiles/WebMercatorQuad/style.json').then(r => r.json()).then(style => {{
  // OpenStreetMap underneath when the browser can reach it.
  style.sources.osm = {{type: 'raster', tiles: ['https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png'], tileSize: 256, attribution: '&copy; OpenStreetMap contributors'}};
  style.layers.unshift({{id: 'osm', type: 'raster', source: 'osm'}});
  const map = new maplibregl.Map({{container: 'map', style, bounds: extent || [[1.4, 49.9], [4.3, 51.1]]}});
  map.addControl(new maplibregl.NavigationControl());
}});
</script>"#,
        extent = info.extent.map_or("null".to_string(), |e| format!("[[{},{}],[{},{}]]", e.min_x, e.min_y, e.max_x, e.max_y)),
    );
    page(
        state,
        &info.title,
        &[(format!("{base}/collections?f=html"), "Collections"), (format!("{base}/collections/{id}?f=html"), &info.title)],
        &format!("{base}/collections/{id}?f=json"),
        &body,
        MapLib::MapLibre,
    )
}

/// The queryables of a collection (`doc`, a JSON Schema); `intro` says where they can be used.
pub fn queryables(state: &Caller, id: &str, title: &str, intro: &str, doc: &Value) -> String {
    let base = &state.base;
    let id = escape(id);
    let mut body = format!("<p>{intro}</p><table><tr><th>Property</th><th>Type</th></tr>");
    for (name, schema) in doc["properties"].as_object().into_iter().flatten() {
        let ty = schema["format"].as_str().or(schema["type"].as_str()).unwrap_or("");
        let _ = write!(body, "<tr><td>{}</td><td>{}</td></tr>", escape(name), escape(ty));
    }
    body.push_str("</table>");
    page(
        state,
        &format!("{title} – queryables"),
        &[(format!("{base}/collections?f=html"), "Collections"), (format!("{base}/collections/{id}?f=html"), title)],
        &format!("{base}/collections/{id}/queryables?f=json"),
        &body,
        MapLib::None,
    )
}

fn properties_table(layer: &Layer, features: &[Feature], item_links: bool, base: &str) -> String {
    let mut s = String::from("<table><tr><th>id</th>");
    for f in &layer.table.fields {
        let _ = write!(s, "<th>{}</th>", escape(&f.name));
    }
    s.push_str("</tr>");
    for feature in features {
        let id = feature.id.as_ref().map(|v| v.to_text()).unwrap_or_default();
        let id_cell = if item_links && !id.is_empty() {
            format!(r#"<a href="{base}/collections/{}/items/{}?f=html">{}</a>"#, escape(&layer.id), escape(&id), escape(&id))
        } else {
            escape(&id)
        };
        let _ = write!(s, "<tr><td>{id_cell}</td>");
        for v in &feature.properties {
            let _ = write!(s, "<td>{}</td>", escape(&v.to_text()));
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

pub fn items(state: &Caller, layer: &Arc<Layer>, features: &[Feature], links: &[Link], offset: u64) -> String {
    let base = &state.base;
    let id = escape(&layer.id);
    let nav: Vec<String> = links
        .iter()
        .filter(|l| l.rel == "prev" || l.rel == "next")
        .map(|l| format!(r#"<a href="{}">{}</a>"#, escape(&l.href), if l.rel == "prev" { "‹ previous" } else { "next ›" }))
        .collect();
    let body = format!(
        r#"<p>Features {} to {} · {}</p>{}{}"#,
        offset + 1,
        offset + features.len() as u64,
        nav.join(" · "),
        map_script(&super::items::preview_geojson(layer, features), layer.extent.map(|e| e.to_array())),
        properties_table(layer, features, true, base)
    );
    let json = links.iter().find(|l| l.rel == "alternate").map(|l| l.href.clone()).unwrap_or_default();
    page(
        state,
        &format!("{} – features", layer.title),
        &[(format!("{base}/collections?f=html"), "Collections"), (format!("{base}/collections/{id}?f=html"), &layer.title), (format!("{base}/collections/{id}/items?f=html"), "Features")],
        &json,
        &body,
        MapLib::Leaflet,
    )
}

pub fn item(state: &Caller, layer: &Arc<Layer>, feature: &Feature, links: &[Link]) -> String {
    let base = &state.base;
    let id = escape(&layer.id);
    let fid = feature.id.as_ref().map(|v| v.to_text()).unwrap_or_default();
    let mut table = String::from("<table>");
    for (f, v) in layer.table.fields.iter().zip(&feature.properties) {
        let _ = write!(table, "<tr><th>{}</th><td>{}</td></tr>", escape(&f.name), escape(&v.to_text()));
    }
    table.push_str("</table>");
    let body = format!("{}{}", map_script(&super::items::preview_geojson(layer, std::slice::from_ref(feature)), None), table);
    let json = links.iter().find(|l| l.rel == "alternate").map(|l| l.href.clone()).unwrap_or_default();
    page(
        state,
        &format!("{} {}", layer.title, fid),
        &[
            (format!("{base}/collections?f=html"), "Collections"),
            (format!("{base}/collections/{id}?f=html"), &layer.title),
            (format!("{base}/collections/{id}/items?f=html"), "Features"),
            (format!("{base}/collections/{id}/items/{}?f=html", escape(&fid)), &fid),
        ],
        &json,
        &body,
        MapLib::Leaflet,
    )
}

/// An imagery collection: its tilesets and a Leaflet preview of its WebMercatorQuad tiles.
pub fn map_collection(state: &Caller, layer: &crate::raster::RasterLayer) -> String {
    let base = &state.base;
    let id = escape(&layer.id);
    let mut body = format!("<p>{}</p><ul class=\"links\">", escape(&layer.description));
    for set in &layer.tile_matrix_sets {
        let _ = write!(body, r#"<li><a href="{base}/collections/{id}/map/tiles/{s}">{t}</a></li>"#, s = escape(&set.id), t = escape(&set.title));
    }
    body.push_str("</ul>");
    if let Some(set) = layer.tile_matrix_set(ogc::tms::WEB_MERCATOR_QUAD) {
        let e = layer.extent;
        let _ = write!(
            body,
            r#"<div id="map"></div>
<script>
const map = L.map('map');
L.tileLayer('{base}/collections/{id}/map/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}?f={f}', {{maxZoom: {max}, maxNativeZoom: {max}, attribution: '{attribution}'}}).addTo(map);
map.fitBounds([[{}, {}], [{}, {}]]);
</script>"#,
            e.min_y,
            e.min_x,
            e.max_y,
            e.max_x,
            f = layer.formats[0].extension(),
            max = layer.max_zoom(set),
            attribution = escape(layer.attribution.as_deref().unwrap_or("")).replace('\'', "&#39;"),
        );
    }
    page(state, &layer.title, &[(format!("{base}/collections?f=html"), "Collections"), (format!("{base}/collections/{id}?f=html"), &layer.title)], &format!("{base}/collections/{id}?f=json"), &body, MapLib::Leaflet)
}
