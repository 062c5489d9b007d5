//! The OpenAPI 3.0 paths of the vector tilesets (OGC API - Tiles), added to the API definition
//! so that a client reading `/api` finds the tiles, their tileset documents, TileJSON and
//! styles beside the features.

use serde_json::{Map, Value, json};

use super::TileFormat;
use crate::features::openapi::{get_with, responses};
use crate::features::JSON;
use crate::tms::WEB_MERCATOR_QUAD;

const TAG: &str = "Vector tiles";

fn path(name: &str, description: &str, values: &[&str]) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string", "enum": values } })
}

fn free_path(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema })
}

/// A tile answers MVT, `204` when no feature is in it, `404` outside the data.
fn tile_responses() -> Value {
    let mut r = responses("The tile (MVT 2.1)", &[TileFormat::Mvt.media_type()]);
    r["204"] = json!({ "description": "No feature is in this tile." });
    r
}

/// The paths of the vector tilesets of `collections` (and of the dataset combining them), on the
/// tile matrix sets `sets`.
pub fn vector_paths(collections: &[&str], sets: &[&str]) -> Map<String, Value> {
    let mut paths = Map::new();
    let f_json = query("f", "The encoding of the response", json!({ "type": "string", "enum": ["json"] }));
    let f_mvt = query("f", "The tile format", json!({ "type": "string", "enum": [TileFormat::Mvt.extension()] }));
    let selection = query(
        "collections",
        "The collections the dataset tiles combine, comma-separated (all of them when absent)",
        json!({ "type": "array", "items": { "type": "string", "enum": collections } }),
    );
    let tms = path("tileMatrixSetId", "The tile matrix set", sets);
    let coordinates = || {
        vec![
            tms.clone(),
            free_path("tileMatrix", "The tile matrix (zoom level) identifier"),
            free_path("tileRow", "The row of the tile, from the top"),
            free_path("tileCol", "The column of the tile, from the left"),
        ]
    };
    let xyz = || {
        vec![
            free_path("z", "The WebMercatorQuad zoom level"),
            free_path("x", "The column of the tile, from the left"),
            free_path("y", "The row of the tile, from the top, optionally followed by .pbf or .mvt"),
        ]
    };
    let tilejson_ok = || responses("TileJSON 3.0 with vector_layers", &[JSON]);
    let mut add = |p: String, summary: String, op: String, params: Vec<Value>, r: Value| {
        paths.insert(p, get_with(&summary, &op, TAG, params, r));
    };
    let wmq = WEB_MERCATOR_QUAD;
    add("/tiles".into(), "The dataset's vector tilesets".into(), "getDatasetTileSets".into(), vec![selection.clone(), f_json.clone()], responses("The tilesets", &[JSON]));
    add(
        "/tiles/{tileMatrixSetId}".into(),
        "A dataset vector tileset".into(),
        "getDatasetTileSet".into(),
        vec![tms.clone(), selection.clone(), f_json.clone()],
        responses("The tileset metadata", &[JSON]),
    );
    add(format!("/tiles/{wmq}/tilejson.json"), "TileJSON of the dataset's tiles".into(), "getDatasetTileJson".into(), vec![selection.clone()], tilejson_ok());
    add(
        "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}".into(),
        "A dataset vector tile".into(),
        "getDatasetTile".into(),
        [coordinates(), vec![selection.clone(), f_mvt.clone()]].concat(),
        tile_responses(),
    );
    add(format!("/tiles/{wmq}/xyz/metadata.json"), "TileJSON of the dataset's XYZ tile directory".into(), "getDatasetXyzMetadata".into(), vec![selection.clone()], tilejson_ok());
    add(format!("/tiles/{wmq}/xyz/{{z}}/{{x}}/{{y}}"), "A dataset vector tile by XYZ".into(), "getDatasetXyzTile".into(), [xyz(), vec![selection]].concat(), tile_responses());
    for id in collections {
        let op: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let base = format!("/collections/{id}/tiles");
        add(base.clone(), format!("The vector tilesets of {id}"), format!("getTileSets_{op}"), vec![], responses("The tilesets", &[JSON]));
        add(format!("{base}/{{tileMatrixSetId}}"), format!("A vector tileset of {id}"), format!("getTileSet_{op}"), vec![tms.clone()], responses("The tileset metadata", &[JSON]));
        add(format!("{base}/{wmq}/tilejson.json"), format!("TileJSON of {id}"), format!("getTileJson_{op}"), vec![], tilejson_ok());
        add(
            format!("{base}/{wmq}/style.json"),
            format!("A MapLibre style of {id}"),
            format!("getStyle_{op}"),
            vec![],
            responses("The MapLibre style", &["application/vnd.mapbox.style+json"]),
        );
        add(
            format!("{base}/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"),
            format!("A vector tile of {id}"),
            format!("getTile_{op}"),
            [coordinates(), vec![f_mvt.clone()]].concat(),
            tile_responses(),
        );
        add(format!("{base}/{wmq}/xyz/metadata.json"), format!("TileJSON of the XYZ tile directory of {id}"), format!("getXyzMetadata_{op}"), vec![], tilejson_ok());
        add(format!("{base}/{wmq}/xyz/{{z}}/{{x}}/{{y}}"), format!("A vector tile of {id} by XYZ"), format!("getXyzTile_{op}"), xyz(), tile_responses());
    }
    paths
}
