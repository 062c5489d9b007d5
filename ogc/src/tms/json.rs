//! The TMS 2.0 JSON encoding, for OGC API `/tileMatrixSets` and `/tileMatrixSets/{id}`.

use serde_json::{Value, json};

use super::{TileMatrix, TileMatrixSet};
use crate::features::JSON;
use crate::link::Link;

/// A JSON number without float noise: integral values are written as integers (`12000000`,
/// not `12000000.0`), others in their shortest round-trip form.
pub fn number(v: f64) -> Value {
    const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT_INTEGERS { Value::from(v as i64) } else { Value::from(v) }
}

/// A point in the given order, as JSON numbers.
pub fn point([a, b]: [f64; 2]) -> Value {
    Value::Array(vec![number(a), number(b)])
}

/// The TMS 2.0 URI form of a WMTS well-known scale set URN
/// (`urn:ogc:def:wkss:OGC:1.0:X` → `http://www.opengis.net/def/wkss/OGC/1.0/X`).
pub fn wkss_uri(urn: &str) -> String {
    match urn.strip_prefix("urn:ogc:def:wkss:").map(|rest| rest.splitn(3, ':').collect::<Vec<_>>()) {
        Some(parts) if parts.len() == 3 => {
            format!("http://www.opengis.net/def/wkss/{}/{}/{}", parts[0], parts[1], parts[2])
        }
        _ => urn.to_string(),
    }
}

fn tile_matrix(set: &TileMatrixSet, m: &TileMatrix) -> Value {
    json!({
        "id": m.id,
        "scaleDenominator": number(m.scale_denominator),
        "cellSize": number(m.cell_size),
        "cornerOfOrigin": "topLeft",
        "pointOfOrigin": point(set.axes.ordered(m.point_of_origin)),
        "tileWidth": m.tile_width,
        "tileHeight": m.tile_height,
        "matrixWidth": m.matrix_width,
        "matrixHeight": m.matrix_height,
    })
}

/// The full definition (`/tileMatrixSets/{id}`), origins in the CRS's axis order as the
/// standard requires (CRS84 sets are longitude first, EPSG:4326 ones latitude first).
pub fn tile_matrix_set(set: &TileMatrixSet) -> Value {
    let mut doc = json!({ "id": set.id, "title": set.title });
    if let Some(uri) = &set.uri {
        doc["uri"] = json!(uri);
    }
    doc["crs"] = json!(set.crs.uri());
    doc["orderedAxes"] = json!(set.axes.labels());
    if let Some(wkss) = &set.well_known_scale_set {
        doc["wellKnownScaleSet"] = json!(wkss_uri(wkss));
    }
    doc["tileMatrices"] = set.matrices.iter().map(|m| tile_matrix(set, m)).collect();
    doc
}

/// Where a set's definition lives under `base` (the public base URL, no trailing slash).
pub fn tile_matrix_set_href(base: &str, id: &str) -> String {
    format!("{base}/tileMatrixSets/{id}")
}

/// The list (`/tileMatrixSets`), each entry linking to its definition.
pub fn tile_matrix_sets(base: &str, sets: &[TileMatrixSet]) -> Value {
    let items: Vec<Value> = sets
        .iter()
        .map(|set| {
            let mut item = json!({ "id": set.id, "title": set.title });
            if let Some(uri) = &set.uri {
                item["uri"] = json!(uri);
            }
            item["crs"] = json!(set.crs.uri());
            item["links"] = json!([Link::new(
                tile_matrix_set_href(base, &set.id),
                "self",
                JSON,
                &format!("The {} tile matrix set", set.id)
            )]);
            item
        })
        .collect();
    json!({
        "tileMatrixSets": items,
        "links": [Link::new(format!("{base}/tileMatrixSets"), "self", JSON, "Tile matrix sets")],
    })
}
