//! Tileset metadata (`.../tiles/{tileMatrixSetId}`) and tileset lists (`.../map/tiles`,
//! `.../tiles`), as OGC API - Tiles 1.0 and TMS 2.0 encode them in JSON.

use serde_json::{Value, json};

use super::{TileFormat, VectorLayer};
use crate::bbox::Bbox;
use crate::features::JSON;
use crate::link::Link;
use crate::tms::json::{point, tile_matrix_set_href};
use crate::tms::{TileMatrixLimits, TileMatrixSet};

/// The link relation of a tile matrix set definition.
pub const REL_TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
/// The link relation of the collection a tileset shows.
pub const REL_GEODATA: &str = "http://www.opengis.net/def/rel/ogc/1.0/geodata";

/// What the tiles hold: rendered images or features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    Map,
    Vector,
}

impl DataType {
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Map => "map",
            DataType::Vector => "vector",
        }
    }
}

/// One tileset: a layer cut along one tile matrix set.
#[derive(Clone, Debug)]
pub struct TileSet<'a> {
    pub title: &'a str,
    /// Empty for none.
    pub description: &'a str,
    pub data_type: DataType,
    pub tms: &'a TileMatrixSet,
    /// This tileset's URL (`{base}/collections/{id}/map/tiles/{tileMatrixSetId}`); tiles hang
    /// below it.
    pub href: &'a str,
    pub formats: &'a [TileFormat],
    /// Where tiles exist; empty means the whole tile matrix set.
    pub limits: &'a [TileMatrixLimits],
    /// The data's extent in the tile matrix set's CRS, easting first.
    pub bbox: Option<Bbox>,
    /// The collection shown (`{base}/collections/{id}`), for a tileset of one collection.
    pub geodata: Option<&'a str>,
    /// Empty for none.
    pub attribution: &'a str,
    /// The layers of a vector tileset (empty for map tilesets), zooms as indices of `tms`.
    pub layers: &'a [VectorLayer],
}

/// The URL template of a tile in `format`, OGC API style.
pub fn tile_template(tileset_href: &str, format: TileFormat) -> String {
    format!("{tileset_href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}?f={}", format.extension())
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Value {
    json!(Link::new(href, rel, media_type, title))
}

/// The links every tileset carries, in the list and in its own document.
fn base_links(base: &str, ts: &TileSet) -> Vec<Value> {
    vec![
        link(ts.href.to_string(), "self", JSON, ts.title),
        link(
            tile_matrix_set_href(base, &ts.tms.id),
            REL_TILING_SCHEME,
            JSON,
            &format!("The {} tile matrix set", ts.tms.id),
        ),
    ]
}

/// The fields the list entry and the full document share (`tileSet-item`).
fn summary(base: &str, ts: &TileSet) -> serde_json::Map<String, Value> {
    let mut doc = serde_json::Map::new();
    doc.insert("title".into(), json!(ts.title));
    doc.insert("dataType".into(), json!(ts.data_type.as_str()));
    doc.insert("crs".into(), json!(ts.tms.crs.uri()));
    if let Some(uri) = &ts.tms.uri {
        doc.insert("tileMatrixSetURI".into(), json!(uri));
    }
    doc.insert("links".into(), Value::Array(base_links(base, ts)));
    doc
}

/// A tileset's metadata document. `base` is the public base URL (no trailing slash).
pub fn tileset(base: &str, ts: &TileSet) -> Value {
    let mut doc = summary(base, ts);
    if !ts.description.is_empty() {
        doc.insert("description".into(), json!(ts.description));
    }
    let links = doc["links"].as_array_mut().expect("links are an array");
    if let Some(geodata) = ts.geodata {
        links.push(link(geodata.to_string(), REL_GEODATA, JSON, "The collection shown"));
    }
    for format in ts.formats {
        let mut item = link(
            tile_template(ts.href, *format),
            "item",
            format.media_type(),
            &format!("Tiles as {}", format.extension()),
        );
        item["templated"] = json!(true);
        links.push(item);
    }
    if !ts.limits.is_empty() {
        doc.insert("tileMatrixSetLimits".into(), json!(ts.limits));
    }
    if let Some(b) = &ts.bbox {
        let axes = ts.tms.axes;
        doc.insert(
            "boundingBox".into(),
            json!({
                "lowerLeft": point(axes.ordered([b.min_x, b.min_y])),
                "upperRight": point(axes.ordered([b.max_x, b.max_y])),
                "crs": ts.tms.crs.uri(),
                "orderedAxes": axes.labels(),
            }),
        );
    }
    if !ts.attribution.is_empty() {
        doc.insert("attribution".into(), json!(ts.attribution));
    }
    if !ts.layers.is_empty() {
        doc.insert("layers".into(), ts.layers.iter().map(|l| layer(ts.tms, l)).collect());
    }
    doc.insert("mediaTypes".into(), ts.formats.iter().map(|f| json!(f.media_type())).collect());
    Value::Object(doc)
}

/// One entry of a tileset's `layers` (TMS 2.0 `geospatialData`): what a client needs to style
/// the layer without fetching a tile, its attributes as a JSON Schema.
fn layer(tms: &TileMatrixSet, l: &VectorLayer) -> Value {
    let properties: serde_json::Map<String, Value> = l.fields.iter().map(|(name, ty)| (name.clone(), ty.json_schema())).collect();
    let mut doc = json!({
        "id": l.id,
        "dataType": DataType::Vector.as_str(),
        "propertiesSchema": { "type": "object", "properties": properties },
    });
    if !l.description.is_empty() {
        doc["description"] = json!(l.description);
    }
    if let Some(d) = l.geometry_dimension {
        doc["geometryDimension"] = json!(d);
    }
    let matrix = |z: Option<u32>| z.and_then(|z| tms.matrices.get(z as usize)).map(|m| json!(m.id));
    if let Some(m) = matrix(l.minzoom) {
        doc["minTileMatrix"] = m;
    }
    if let Some(m) = matrix(l.maxzoom) {
        doc["maxTileMatrix"] = m;
    }
    doc
}

/// A list of tilesets at `href` (`{base}/collections/{id}/map/tiles`).
pub fn tilesets(base: &str, href: &str, items: &[TileSet]) -> Value {
    json!({
        "tilesets": items.iter().map(|ts| Value::Object(summary(base, ts))).collect::<Vec<_>>(),
        "links": [link(href.to_string(), "self", JSON, "Tilesets")],
    })
}

/// The collection document of an imagery layer: no features, its map tilesets instead.
pub fn map_collection(base: &str, id: &str, title: &str, description: &str, keywords: &[String], extent: &Bbox) -> Value {
    let href = format!("{base}/collections/{id}");
    json!({
        "id": id,
        "title": title,
        "description": description,
        "keywords": keywords,
        "extent": { "spatial": { "bbox": [extent.to_array()], "crs": crate::crs::Crs::Crs84.uri() } },
        "links": [
            link(href.clone(), "self", JSON, title),
            link(format!("{href}/map/tiles"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map", JSON, "Map tilesets"),
        ],
    })
}
