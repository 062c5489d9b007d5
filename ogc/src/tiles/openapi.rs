//! The OpenAPI 3.0 paths of the tilesets (OGC API - Tiles: vector tiles of the features, map
//! tiles of the imagery), added to the API definition so that a client reading `/api` finds
//! the tiles, their tileset documents, TileJSON and styles beside the features.

use serde_json::{Map, Value, json};

use super::TileFormat;
use crate::features::openapi::{get_with, responses};
use crate::features::JSON;
use crate::tms::WEB_MERCATOR_QUAD;

const TAG: &str = "Vector tiles";
const MAP_TAG: &str = "Map tiles";

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

/// The path parameters of one tile of the sets `tms` names.
fn coordinates(tms: &Value) -> Vec<Value> {
    vec![
        tms.clone(),
        free_path("tileMatrix", "The tile matrix (zoom level) identifier"),
        free_path("tileRow", "The row of the tile, from the top"),
        free_path("tileCol", "The column of the tile, from the left"),
    ]
}

/// Operation ids are unique per collection: its id with anything but letters and digits as `_`.
fn op_suffix(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// The paths of the map tilesets of an imagery collection `id`, offered in the tile matrix sets
/// `sets` and the `formats` (media types).
pub fn map_paths(id: &str, sets: &[&str], formats: &[TileFormat]) -> Map<String, Value> {
    let mut paths = Map::new();
    let op = op_suffix(id);
    let tms = path("tileMatrixSetId", "The tile matrix set", sets);
    let f_json = query("f", "The encoding of the response", json!({ "type": "string", "enum": ["json"] }));
    let extensions: Vec<&str> = formats.iter().map(|f| f.extension()).collect();
    let f_image = query("f", "The tile format (else the Accept header, else the first)", json!({ "type": "string", "enum": extensions }));
    let media: Vec<&str> = formats.iter().map(|f| f.media_type()).collect();
    let base = format!("/collections/{id}/map/tiles");
    let mut add = |p: String, summary: String, op: String, params: Vec<Value>, r: Value| {
        paths.insert(p, get_with(&summary, &op, MAP_TAG, params, r));
    };
    add(base.clone(), format!("The map tilesets of {id}"), format!("getMapTileSets_{op}"), vec![f_json.clone()], responses("The tilesets", &[JSON]));
    add(format!("{base}/{{tileMatrixSetId}}"), format!("A map tileset of {id}"), format!("getMapTileSet_{op}"), vec![tms.clone(), f_json], responses("The tileset metadata", &[JSON]));
    // TileJSON describes XYZ tiles: WebMercatorQuad's only.
    if sets.contains(&WEB_MERCATOR_QUAD) {
        add(format!("{base}/{WEB_MERCATOR_QUAD}/tilejson.json"), format!("TileJSON of {id}"), format!("getMapTileJson_{op}"), vec![], responses("TileJSON 3.0", &[JSON]));
    }
    add(
        format!("{base}/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"),
        format!("A map tile of {id}"),
        format!("getMapTile_{op}"),
        [coordinates(&tms), vec![f_image]].concat(),
        responses("The tile", &media),
    );
    paths
}

/// The tile matrix sets the tilesets use.
pub fn tile_matrix_set_paths(sets: &[&str]) -> Map<String, Value> {
    let mut paths = Map::new();
    paths.insert("/tileMatrixSets".into(), get_with("The tile matrix sets", "getTileMatrixSets", MAP_TAG, vec![], responses("The tile matrix sets", &[JSON])));
    let id = path("tileMatrixSetId", "The tile matrix set", sets);
    paths.insert("/tileMatrixSets/{tileMatrixSetId}".into(), get_with("A tile matrix set", "getTileMatrixSet", MAP_TAG, vec![id], responses("The tile matrix set", &[JSON])));
    paths
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
    let coordinates = || coordinates(&tms);
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
        let op = op_suffix(id);
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
