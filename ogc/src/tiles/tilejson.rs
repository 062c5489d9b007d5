//! TileJSON 3.0.0, the tileset description XYZ clients read (MapLibre sources, Leaflet and
//! OpenLayers helpers). Those clients assume WebMercatorQuad, so a TileJSON is only written
//! for tilesets on that grid (or its `@2x` variant, with `tileSize` 512 set client-side).

use serde_json::{Value, json};

use super::TileFormat;
use crate::bbox::Bbox;
use crate::tms::json::number;
use crate::value::FieldType;

/// One layer of a vector tileset, as TileJSON's `vector_layers` and the tileset metadata's
/// `layers` describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorLayer {
    pub id: String,
    /// Empty for none.
    pub description: String,
    /// The attributes the tiles carry, with their types.
    pub fields: Vec<(String, FieldType)>,
    /// 0 points, 1 lines, 2 surfaces; `None` when the layer mixes them.
    pub geometry_dimension: Option<u8>,
    pub minzoom: Option<u32>,
    pub maxzoom: Option<u32>,
}

/// The type name TileJSON's `fields` conventionally give (Mapbox's `String`, `Number`,
/// `Boolean`): what an MVT value of that field decodes to. Dates travel as text.
pub fn mvt_type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Boolean => "Boolean",
        FieldType::Integer | FieldType::Number => "Number",
        FieldType::Text | FieldType::Date | FieldType::DateTime => "String",
    }
}

#[derive(Clone, Debug)]
pub struct TileJson<'a> {
    pub name: &'a str,
    /// Empty for none.
    pub description: &'a str,
    /// Empty for none; may hold HTML, as TileJSON allows.
    pub attribution: &'a str,
    /// Tile URL templates with `{z}`, `{x}`, `{y}` (see [`xyz_template`]).
    pub tiles: &'a [String],
    pub minzoom: u32,
    pub maxzoom: u32,
    /// Longitude/latitude extent.
    pub bounds: Option<Bbox>,
    /// `Some` for vector tilesets.
    pub vector_layers: Option<&'a [VectorLayer]>,
}

/// An XYZ template over an OGC API tileset (`{z}` is the matrix id, `{y}` the row, `{x}` the
/// column, which is WebMercatorQuad's numbering).
pub fn xyz_template(tileset_href: &str, format: TileFormat) -> String {
    format!("{tileset_href}/{{z}}/{{y}}/{{x}}?f={}", format.extension())
}

/// The zoom at which `bounds` fits a viewport about 1 000 pixels wide, clamped to the
/// tileset's levels: where a client should open.
fn center_zoom(bounds: &Bbox, minzoom: u32, maxzoom: u32) -> u32 {
    let span = (bounds.max_x - bounds.min_x).max(bounds.max_y - bounds.min_y);
    let fit = if span > 0.0 { (1440.0 / span).log2().floor() } else { f64::from(maxzoom) };
    (fit.max(0.0) as u32).clamp(minzoom, maxzoom.max(minzoom))
}

pub fn tilejson(t: &TileJson) -> Value {
    let mut doc = json!({
        "tilejson": "3.0.0",
        "name": t.name,
        "tiles": t.tiles,
        "scheme": "xyz",
        "minzoom": t.minzoom,
        "maxzoom": t.maxzoom,
    });
    if !t.description.is_empty() {
        doc["description"] = json!(t.description);
    }
    if !t.attribution.is_empty() {
        doc["attribution"] = json!(t.attribution);
    }
    if let Some(b) = &t.bounds {
        doc["bounds"] = b.to_array().into_iter().map(number).collect();
        let center = [(b.min_x + b.max_x) / 2.0, (b.min_y + b.max_y) / 2.0];
        doc["center"] = json!([number(center[0]), number(center[1]), center_zoom(b, t.minzoom, t.maxzoom)]);
    }
    if let Some(layers) = t.vector_layers {
        doc["vector_layers"] = layers
            .iter()
            .map(|l| {
                let fields: serde_json::Map<String, Value> =
                    l.fields.iter().map(|(k, ty)| (k.clone(), json!(mvt_type_name(*ty)))).collect();
                let mut layer = json!({ "id": l.id, "fields": fields });
                if !l.description.is_empty() {
                    layer["description"] = json!(l.description);
                }
                if let Some(z) = l.minzoom {
                    layer["minzoom"] = json!(z);
                }
                if let Some(z) = l.maxzoom {
                    layer["maxzoom"] = json!(z);
                }
                layer
            })
            .collect();
    }
    doc
}
