//! The catalogue's HTML pages: the collection with a search form, a page of records, a record.

use std::fmt::Write;

use ogc::csw::Record;
use ogc::link::Link;
use ogc::records::params::RecordsParams;
use serde_json::Value;

use crate::catalogue::COLLECTION_ID;
use crate::http::Caller;
use crate::services::features::html::{MapLib, escape, links_list, map_script, page};

fn crumbs(state: &Caller) -> Vec<(String, &'static str)> {
    let base = &state.base;
    vec![(format!("{base}/collections?f=html"), "Collections"), (format!("{base}/collections/{COLLECTION_ID}?f=html"), super::TITLE)]
}

/// A full-text search box over the records, filled with the current terms.
fn search_form(state: &Caller, q: &str) -> String {
    format!(
        r#"<form action="{base}/collections/{COLLECTION_ID}/items" method="get"><input type="search" name="q" value="{q}" placeholder="Search the records"><input type="hidden" name="f" value="html"> <button>Search</button></form>"#,
        base = state.base,
        q = escape(q)
    )
}

pub fn collection(state: &Caller, doc: &Value, count: usize) -> String {
    let links: Vec<Link> = serde_json::from_value(doc["links"].clone()).unwrap_or_default();
    let body = format!(
        "<p>{}</p><p>{} records.</p>{}{}",
        escape(doc["description"].as_str().unwrap_or("")),
        count,
        search_form(state, ""),
        links_list(&links)
    );
    page(state, super::TITLE, &crumbs(state), &format!("{}/collections/{COLLECTION_ID}?f=json", state.base), &body, MapLib::None)
}

pub fn items(state: &Caller, records: &[&Record], matched: usize, links: &[Link], params: &RecordsParams) -> String {
    let base = &state.base;
    let q = params.q.iter().map(|words| words.join(" ")).collect::<Vec<_>>().join(", ");
    let nav: Vec<String> = links
        .iter()
        .filter(|l| l.rel == "prev" || l.rel == "next")
        .map(|l| format!(r#"<a href="{}">{}</a>"#, escape(&l.href), if l.rel == "prev" { "‹ previous" } else { "next ›" }))
        .collect();
    let mut body = format!(
        "{}<p>Records {} to {} of {matched} · {}</p><table><tr><th>Title</th><th>Type</th><th>Updated</th><th>Description</th></tr>",
        search_form(state, &q),
        params.offset + u64::from(!records.is_empty()),
        params.offset + records.len() as u64,
        nav.join(" · ")
    );
    for r in records {
        let href = format!("{}?f=html", super::urls(state).item(&r.file_identifier));
        let _ = write!(
            body,
            r#"<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&href),
            escape(&r.title),
            escape(&r.hierarchy_level),
            escape(&r.date_stamp.to_text()),
            escape(&r.abstract_)
        );
    }
    body.push_str("</table>");
    let json = links.iter().find(|l| l.rel == "alternate").map(|l| l.href.clone()).unwrap_or_default();
    let mut crumbs = crumbs(state);
    crumbs.push((format!("{base}/collections/{COLLECTION_ID}/items?f=html"), "Records"));
    page(state, "Catalogue records", &crumbs, &json, &body, MapLib::None)
}

pub fn record(state: &Caller, r: &Record, doc: &Value) -> String {
    let mut table = String::from("<table>");
    let mut row = |k: &str, v: &str| {
        if !v.is_empty() {
            let _ = write!(table, "<tr><th>{k}</th><td>{}</td></tr>", escape(v));
        }
    };
    row("Identifier", &r.file_identifier);
    row("Type", &r.hierarchy_level);
    row("Description", &r.abstract_);
    row("Keywords", &r.all_keywords().collect::<Vec<_>>().join(", "));
    row("Organisations", &r.organisations().collect::<Vec<_>>().join(", "));
    row("Formats", &r.formats.join(", "));
    row("Reference systems", &r.crs.join(", "));
    row("Lineage", r.lineage.as_deref().unwrap_or(""));
    row("Metadata updated", &r.date_stamp.to_text());
    table.push_str("</table>");
    let links: Vec<Link> = serde_json::from_value(doc["links"].clone()).unwrap_or_default();
    let mut body = table + &links_list(&links);
    if let Some(b) = r.bbox {
        let outline = serde_json::json!({ "type": "Feature", "geometry": doc["geometry"], "properties": { "title": r.title } });
        body.push_str(&map_script(&outline.to_string(), Some(b.to_array())));
    }
    let json = links.iter().find(|l| l.rel == "alternate" && l.media_type.as_deref() == Some(ogc::features::GEOJSON)).map(|l| l.href.clone()).unwrap_or_default();
    let mut crumbs = crumbs(state);
    crumbs.push((format!("{}/collections/{COLLECTION_ID}/items?f=html", state.base), "Records"));
    page(state, &r.title, &crumbs, &json, &body, if r.bbox.is_some() { MapLib::Leaflet } else { MapLib::None })
}
