//! The JSON documents of OGC API - Features: landing page, conformance, collections.
//!
//! `base` is the public base URL (no trailing slash) every link starts with, so the documents
//! stay right behind a reverse proxy.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::{CONFORMANCE, GEOJSON, HTML, JSON, OPENAPI_JSON};
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::link::Link;

/// What a collection document says of a layer.
#[derive(Clone, Debug)]
pub struct Collection {
    pub id: String,
    pub title: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// Spatial extent in CRS84.
    pub extent: Option<Bbox>,
    /// Temporal extent; an open end is `None`.
    pub temporal: Option<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)>,
    /// CRSs features can be requested in; the first is the default (CRS84).
    pub crs: Vec<Crs>,
    pub storage_crs: Crs,
}

/// Links to the same resource in JSON (`rel` self or alternate) and HTML.
pub fn self_links(href: &str, json_type: &str, json_is_self: bool) -> Vec<Link> {
    let sep = if href.contains('?') { '&' } else { '?' };
    let (json_rel, html_rel) = if json_is_self { ("self", "alternate") } else { ("alternate", "self") };
    vec![
        Link::new(format!("{href}{sep}f=json"), json_rel, json_type, "This document as JSON"),
        Link::new(format!("{href}{sep}f=html"), html_rel, HTML, "This document as HTML"),
    ]
}

pub fn landing(base: &str, title: &str, description: &str, json_is_self: bool) -> Value {
    let mut links = self_links(&format!("{base}/"), JSON, json_is_self);
    links.extend([
        Link::new(format!("{base}/api?f=json"), "service-desc", OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
        Link::new(format!("{base}/api?f=html"), "service-doc", HTML, "The API documentation"),
        Link::new(format!("{base}/conformance?f=json"), "conformance", JSON, "Conformance classes implemented"),
        Link::new(
            format!("{base}/conformance?f=json"),
            "http://www.opengis.net/def/rel/ogc/1.0/conformance",
            JSON,
            "Conformance classes implemented",
        ),
        Link::new(format!("{base}/collections?f=json"), "data", JSON, "The collections"),
        Link::new(format!("{base}/collections?f=json"), "http://www.opengis.net/def/rel/ogc/1.0/data", JSON, "The collections"),
    ]);
    json!({ "title": title, "description": description, "links": links })
}

pub fn conformance(base: &str, json_is_self: bool) -> Value {
    json!({ "conformsTo": CONFORMANCE, "links": self_links(&format!("{base}/conformance"), JSON, json_is_self) })
}

fn rfc3339(t: &Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true)))
}

pub fn collection(base: &str, c: &Collection, json_is_self: bool) -> Value {
    let href = format!("{base}/collections/{}", c.id);
    let mut links = self_links(&href, JSON, json_is_self);
    links.extend([
        // Without a query string: clients (GDAL) append `/{featureId}` to this href.
        Link::new(format!("{href}/items"), "items", GEOJSON, "Features as GeoJSON"),
        Link::new(format!("{href}/items?f=html"), "items", HTML, "Features as HTML"),
        Link::new(format!("{href}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Queryable properties"),
        // Every vector layer is also served as vector tiles (OGC API - Tiles).
        Link::new(format!("{href}/tiles"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON, "Vector tilesets"),
    ]);
    let mut extent = serde_json::Map::new();
    if let Some(b) = &c.extent {
        extent.insert(
            "spatial".into(),
            json!({ "bbox": [b.to_array()], "crs": Crs::Crs84.uri() }),
        );
    }
    if let Some((start, end)) = &c.temporal {
        extent.insert(
            "temporal".into(),
            json!({ "interval": [[rfc3339(start), rfc3339(end)]], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian" }),
        );
    }
    let mut doc = json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "keywords": c.keywords,
        "itemType": "feature",
        "crs": c.crs.iter().map(Crs::uri).collect::<Vec<_>>(),
        "storageCrs": c.storage_crs.uri(),
        "links": links,
    });
    if !extent.is_empty() {
        doc["extent"] = Value::Object(extent);
    }
    doc
}

pub fn collections(base: &str, all: &[Collection], json_is_self: bool) -> Value {
    let mut crs: Vec<String> = all.iter().flat_map(|c| c.crs.iter().map(Crs::uri)).collect();
    crs.sort();
    crs.dedup();
    json!({
        "links": self_links(&format!("{base}/collections"), JSON, json_is_self),
        "crs": crs,
        "collections": all.iter().map(|c| collection(base, c, true)).collect::<Vec<_>>(),
    })
}

/// The queryables of a collection as a JSON Schema (OGC API Features Part 3): every field,
/// and the geometry with the `format` Part 3 names for its type.
pub fn queryables(base: &str, c: &Collection, fields: &[(String, crate::value::FieldType)], geometry: (&str, &str)) -> Value {
    let mut properties = serde_json::Map::new();
    for (name, ty) in fields {
        let mut schema = ty.json_schema();
        schema["title"] = Value::String(name.clone());
        properties.insert(name.clone(), schema);
    }
    let format = match geometry.1.to_ascii_uppercase().as_str() {
        "POINT" => "geometry-point",
        "LINESTRING" => "geometry-linestring",
        "POLYGON" => "geometry-polygon",
        "MULTIPOINT" => "geometry-multipoint",
        "MULTILINESTRING" => "geometry-multilinestring",
        "MULTIPOLYGON" => "geometry-multipolygon",
        _ => "geometry-any",
    };
    properties.insert(geometry.0.to_string(), json!({ "title": "geometry", "format": format }));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{}/queryables", c.id),
        "type": "object",
        "title": c.title,
        "properties": properties,
        "additionalProperties": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Collection {
        Collection {
            id: "communes".into(),
            title: "Communes".into(),
            description: "".into(),
            keywords: vec![],
            extent: Some(Bbox { min_x: 1.3, min_y: 48.8, max_x: 4.3, max_y: 51.1 }),
            temporal: None,
            crs: vec![Crs::Crs84, Crs::Epsg(2154)],
            storage_crs: Crs::Epsg(2154),
        }
    }

    #[test]
    fn collection_has_part2_members_and_links() {
        let d = collection("http://h/o", &sample(), true);
        assert_eq!(d["storageCrs"], "http://www.opengis.net/def/crs/EPSG/0/2154");
        assert_eq!(d["crs"][0], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
        let rels: Vec<&str> = d["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap()).collect();
        assert_eq!(
            rels,
            ["self", "alternate", "items", "items", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"]
        );
        assert_eq!(d["links"][0]["href"], "http://h/o/collections/communes?f=json");
        assert_eq!(d["extent"]["spatial"]["bbox"][0][3], 51.1);
    }

    #[test]
    fn landing_links_api_and_conformance() {
        let d = landing("http://h", "t", "d", false);
        let rels: Vec<&str> = d["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap()).collect();
        assert!(rels.contains(&"service-desc") && rels.contains(&"conformance") && rels.contains(&"data"));
        assert_eq!(d["links"][1]["rel"], "self");
        assert_eq!(d["links"][1]["type"], "text/html");
    }
}
