//! The JSON documents of the catalogue collection: a record as Records Part 1 GeoJSON, a page of
//! records, the collection, its queryables and its OpenAPI paths.
//!
//! A record's ISO 19139 form stays one link away (`alternate`, `application/xml`: the CSW
//! GetRecordById URL), so a client that needs what the GeoJSON leaves out (lineage, the
//! imported document verbatim) gets it from the same catalogue.

use serde_json::{Map, Value, json};

use super::RECORD_CORE;
use super::params::{SORTABLES, TIME_QUERYABLES};
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::csw::Record;
use crate::csw::layer_links::iso_record_url;
use crate::csw::queryables::{QueryValue, Queryable, ValueKind};
use crate::features::documents::self_links;
use crate::features::{GEOJSON, HTML, JSON};
use crate::link::Link;

/// Where the catalogue collection and its records live.
pub struct CatalogueUrls<'a> {
    /// The public base URL, without a trailing slash.
    pub base: &'a str,
    /// The collection id.
    pub collection: &'a str,
}

impl CatalogueUrls<'_> {
    pub fn collection(&self) -> String {
        format!("{}/collections/{}", self.base, self.collection)
    }

    pub fn item(&self, id: &str) -> String {
        format!("{}/items/{}", self.collection(), percent_encoding::utf8_percent_encode(id, crate::csw::layer_links::COMPONENT))
    }
}

fn polygon(b: &Bbox) -> Value {
    json!({ "type": "Polygon", "coordinates": [[[b.min_x, b.min_y], [b.max_x, b.min_y], [b.max_x, b.max_y], [b.min_x, b.max_y], [b.min_x, b.min_y]]] })
}

/// The record's `time`: the span of the resource's citation dates (a date when there is one).
fn time(r: &Record) -> Value {
    let mut dates: Vec<_> = TIME_QUERYABLES
        .iter()
        .flat_map(|q| q.values(r))
        .filter_map(|v| match v {
            QueryValue::Date(d) => Some(d),
            _ => None,
        })
        .collect();
    dates.sort_by_key(|d| d.start());
    match dates.as_slice() {
        [] => Value::Null,
        [one] => json!({ if one.is_date_time() { "timestamp" } else { "date" }: one.to_text() }),
        [first, .., last] => json!({ "interval": [first.to_text(), last.to_text()] }),
    }
}

/// One record as Records Part 1 GeoJSON, with `links` to itself, its ISO form and the
/// resources it describes.
pub fn record(r: &Record, urls: &CatalogueUrls, json_is_self: bool) -> Value {
    let href = urls.item(&r.file_identifier);
    let mut links = self_links(&href, GEOJSON, json_is_self);
    links.push(Link::new(iso_record_url(urls.base, &r.file_identifier), "alternate", "application/xml", "ISO 19139 record (CSW GetRecordById)"));
    links.push(Link::new(urls.collection(), "collection", JSON, "The catalogue"));
    for o in &r.online_resources {
        let title = o.description.as_deref().or(o.name.as_deref()).or(o.protocol.as_deref()).unwrap_or("");
        links.push(Link::new(o.url.clone(), "related", "", title));
    }
    let mut properties = Map::new();
    properties.insert("type".into(), json!(r.hierarchy_level));
    properties.insert("title".into(), json!(r.title));
    if !r.abstract_.is_empty() {
        properties.insert("description".into(), json!(r.abstract_));
    }
    let free: Vec<&str> = r.keywords.iter().filter(|k| k.thesaurus.is_none()).flat_map(|k| k.words.iter().map(String::as_str)).collect();
    if !free.is_empty() {
        properties.insert("keywords".into(), json!(free));
    }
    let themes: Vec<Value> = r
        .keywords
        .iter()
        .filter_map(|k| k.thesaurus.as_ref().map(|t| json!({ "concepts": k.words.iter().map(|w| json!({ "id": w })).collect::<Vec<_>>(), "scheme": t.title })))
        .collect();
    if !themes.is_empty() {
        properties.insert("themes".into(), json!(themes));
    }
    if let Some(l) = &r.language {
        properties.insert("language".into(), json!({ "code": l }));
    }
    let contacts: Vec<Value> = r
        .contacts
        .iter()
        .chain(&r.metadata_contacts)
        .map(|c| {
            let mut o = Map::new();
            if let Some(n) = &c.individual {
                o.insert("name".into(), json!(n));
            }
            if let Some(n) = &c.organisation {
                o.insert("organization".into(), json!(n));
            }
            if let Some(e) = &c.email {
                o.insert("emails".into(), json!([{ "value": e }]));
            }
            o.insert("roles".into(), json!([c.role]));
            Value::Object(o)
        })
        .collect();
    if !contacts.is_empty() {
        properties.insert("contacts".into(), json!(contacts));
    }
    if !r.formats.is_empty() {
        properties.insert("formats".into(), json!(r.formats.iter().map(|f| json!({ "name": f })).collect::<Vec<_>>()));
    }
    properties.insert("updated".into(), json!(r.date_stamp.to_text()));
    json!({
        "id": r.file_identifier,
        "type": "Feature",
        "conformsTo": [RECORD_CORE],
        "geometry": r.bbox.as_ref().map_or(Value::Null, polygon),
        "time": time(r),
        "properties": properties,
        "links": links,
    })
}

/// A page of records: the GeoJSON FeatureCollection of `/items`.
pub fn items(records: &[&Record], urls: &CatalogueUrls, matched: u64, links: &[Link], time_stamp: &str) -> Value {
    json!({
        "type": "FeatureCollection",
        "features": records.iter().map(|r| record(r, urls, true)).collect::<Vec<_>>(),
        "numberMatched": matched,
        "numberReturned": records.len(),
        "timeStamp": time_stamp,
        "links": links,
    })
}

/// What the collection document says of the catalogue.
pub struct CatalogueInfo<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// The union of the records' extents.
    pub extent: Option<Bbox>,
}
/// The catalogue's collection document (`itemType: record`).
pub fn collection(urls: &CatalogueUrls, info: &CatalogueInfo, json_is_self: bool) -> Value {
    let href = urls.collection();
    let mut links = self_links(&href, JSON, json_is_self);
    links.extend([
        Link::new(format!("{href}/items"), "items", GEOJSON, "Records as GeoJSON"),
        Link::new(format!("{href}/items?f=html"), "items", HTML, "Records as HTML"),
        Link::new(format!("{href}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Queryable properties"),
        Link::new(format!("{href}/sortables"), "http://www.opengis.net/def/rel/ogc/1.0/sortables", "application/schema+json", "Sortable properties"),
        Link::new(format!("{}/csw?service=CSW&version=2.0.2&request=GetCapabilities", urls.base), "alternate", "application/xml", "The same catalogue as CSW 2.0.2"),
    ]);
    let mut doc = json!({
        "id": urls.collection,
        "type": "Catalog",
        "itemType": "record",
        "title": info.title,
        "description": info.description,
        "crs": [Crs::Crs84.uri()],
        "links": links,
    });
    if let Some(b) = &info.extent {
        doc["extent"] = json!({ "spatial": { "bbox": [b.to_array()], "crs": Crs::Crs84.uri() } });
    }
    doc
}

/// The queryables a `filter` may name, as a JSON Schema (Features Part 3 form).
pub fn queryables(urls: &CatalogueUrls, title: &str) -> Value {
    properties_schema(urls, "queryables", title, Queryable::all().iter().map(|q| (q.records_name(), *q)))
}

/// The properties `sortby` may name, as a JSON Schema (Records Part 1 sorting).
pub fn sortables(urls: &CatalogueUrls, title: &str) -> Value {
    properties_schema(urls, "sortables", title, SORTABLES.iter().copied())
}

/// A JSON Schema of the named queryables, at `{collection}/{path}`.
fn properties_schema(urls: &CatalogueUrls, path: &str, title: &str, named: impl Iterator<Item = (&'static str, Queryable)>) -> Value {
    let properties: Map<String, Value> = named
        .map(|(name, q)| {
            let mut schema = match q.kind() {
                ValueKind::Text => json!({ "type": "string" }),
                ValueKind::Date => json!({ "type": "string", "format": "date-time" }),
                ValueKind::Bbox => json!({ "format": "geometry-polygon" }),
            };
            schema["title"] = json!(q.name());
            (name.to_string(), schema)
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{}/{path}", urls.collection()),
        "type": "object",
        "title": title,
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The OpenAPI 3.0 paths of the catalogue collection, to add to the API definition.
pub fn openapi_paths(collection: &str, default_limit: u64, max_limit: u64) -> Map<String, Value> {
    let query = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema, "style": "form", "explode": false });
    let f = query("f", "The format of the response", json!({ "type": "string", "enum": ["json", "html"] }));
    let responses = |ok: &str, media: &[&str]| {
        let content: Map<String, Value> = media.iter().map(|m| (m.to_string(), json!({ "schema": { "type": "object" } }))).collect();
        json!({
            "200": { "description": ok, "content": content },
            "400": { "$ref": "#/components/responses/BadRequest" },
            "404": { "$ref": "#/components/responses/NotFound" },
            "500": { "$ref": "#/components/responses/ServerError" },
        })
    };
    let get = |summary: &str, op: &str, params: Vec<Value>, ok: &str, media: &[&str]| {
        json!({ "get": { "summary": summary, "operationId": op, "tags": ["Catalogue"], "parameters": params, "responses": responses(ok, media) } })
    };
    let items_params = vec![
        query("q", "Search terms, comma-separated (any may match; the words of a term must all match)", json!({ "type": "string" })),
        query("bbox", "Records whose extent meets this CRS84 box", json!({ "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } })),
        query("datetime", "Records whose citation dates meet this instant or interval (RFC 3339)", json!({ "type": "string" })),
        query("ids", "Records by identifier, comma-separated", json!({ "type": "array", "items": { "type": "string" } })),
        query("type", "Records of this resource type (dataset, series, service)", json!({ "type": "string" })),
        query("filter", "A CQL2 filter on the queryables", json!({ "type": "string" })),
        query("filter-lang", "The language of filter", json!({ "type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text" })),
        query("filter-crs", "The CRS of filter geometries", json!({ "type": "string", "format": "uri" })),
        query("sortby", "Sort keys, comma-separated, each a sortable optionally prefixed with + (ascending, the default) or - (descending)", json!({ "type": "array", "items": { "type": "string" } })),
        query("limit", "Records per page", json!({ "type": "integer", "minimum": 1, "maximum": max_limit, "default": default_limit })),
        query("offset", "Records to skip", json!({ "type": "integer", "minimum": 0, "default": 0 })),
        f.clone(),
    ];
    let record_id = json!({ "name": "recordId", "in": "path", "required": true, "schema": { "type": "string" } });
    let base = format!("/collections/{collection}");
    let mut paths = Map::new();
    paths.insert(base.clone(), get("The catalogue collection", "describeCatalogue", vec![f.clone()], "The collection", &[JSON, HTML]));
    paths.insert(format!("{base}/queryables"), get("Queryables of the catalogue", "getCatalogueQueryables", vec![f.clone()], "The queryables", &["application/schema+json", HTML]));
    paths.insert(format!("{base}/sortables"), get("Sortables of the catalogue", "getCatalogueSortables", vec![f.clone()], "The sortables", &["application/schema+json", HTML]));
    paths.insert(format!("{base}/items"), get("Search the records", "getRecords", items_params, "A page of records", &[GEOJSON, HTML]));
    paths.insert(format!("{base}/items/{{recordId}}"), get("One record", "getRecord", vec![record_id, f], "The record", &[GEOJSON, HTML]));
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csw::test_support::layer_record;

    const URLS: CatalogueUrls = CatalogueUrls { base: "http://h", collection: "catalogue" };

    #[test]
    fn record_has_the_record_core_members() {
        let r = layer_record();
        let d = record(&r, &URLS, true);
        assert_eq!(d["id"], "ossature-communes");
        assert_eq!(d["type"], "Feature");
        assert_eq!(d["geometry"]["coordinates"][0][2], json!([4.85, 45.05]));
        assert_eq!(d["time"], json!({ "interval": ["2019-01-15", "2024-04-30"] }));
        assert_eq!(d["properties"]["type"], "dataset");
        assert_eq!(d["properties"]["title"], r.title);
        assert_eq!(d["properties"]["keywords"], json!(["communes", "limites administratives"]));
        assert_eq!(d["properties"]["themes"][0]["concepts"][0]["id"], "Unités administratives");
        assert_eq!(d["properties"]["contacts"][0]["organization"], "IGN");
        assert_eq!(d["links"][0]["href"], "http://h/collections/catalogue/items/ossature-communes?f=json");
        let iso = d["links"][2]["href"].as_str().unwrap();
        assert!(iso.starts_with("http://h/csw?") && iso.contains("request=GetRecordById") && iso.contains("id=ossature-communes"), "{iso}");
        assert!(d["links"].as_array().unwrap().iter().any(|l| l["rel"] == "related" && l["href"] == "https://geo.example.org/wms?"));
        let mut bare = Record::new("a b/c", "t", r.date_stamp);
        bare.bbox = None;
        let d = record(&bare, &URLS, false);
        assert_eq!((d["geometry"].clone(), d["time"].clone()), (Value::Null, Value::Null));
        assert_eq!(d["links"][1]["href"], "http://h/collections/catalogue/items/a%20b%2Fc?f=html");
    }

    #[test]
    fn collection_and_queryables() {
        let r = layer_record();
        let d = collection(&URLS, &CatalogueInfo { title: "Catalogue", description: "", extent: r.bbox }, true);
        assert_eq!((d["itemType"].as_str(), d["id"].as_str()), (Some("record"), Some("catalogue")));
        assert_eq!(d["extent"]["spatial"]["bbox"][0][0], -0.33);
        let q = queryables(&URLS, "Catalogue");
        for name in ["title", "description", "keywords", "geometry", "anytext", "modified", "organisationname"] {
            assert!(q["properties"][name].is_object(), "{name}");
            // Every published name is one a filter accepts.
            assert!(Queryable::parse(name).is_some(), "{name}");
        }
    }
}
