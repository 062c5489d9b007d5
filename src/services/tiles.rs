//! OGC API - Tiles for imagery (map tiles) and the tile matrix sets: `/tileMatrixSets`,
//! `/collections/{id}/map/tiles[/{tms}[/{z}/{row}/{col}]]`, and a TileJSON per tileset for
//! XYZ clients.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::get;
use ogc::features::JSON;
use ogc::tiles::{DataType, TileFormat, TileJson, TileSet};
use ogc::tms::TileMatrixSet;

use super::features::json_response;
use super::maptiles::{self, TileError};
use crate::error::ServiceError;
use crate::http::hot::{MapTilePath, decoded};
use crate::http::{AppState, Caller};
use crate::raster::RasterLayer;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/tileMatrixSets", get(tile_matrix_sets))
        .route("/tileMatrixSets/{id}", get(tile_matrix_set))
        .route("/collections/{id}/map/tiles", get(tilesets))
        .route("/collections/{id}/map/tiles/{tms}", get(tileset))
        .route("/collections/{id}/map/tiles/{tms}/tilejson.json", get(tilejson))
}

/// Every set a layer offers, the well-known ones first, then the native ones.
fn all_sets(state: &Caller) -> Vec<TileMatrixSet> {
    let mut sets: Vec<TileMatrixSet> = ogc::tms::WELL_KNOWN.iter().filter_map(|id| TileMatrixSet::well_known(id)).collect();
    sets.extend(state.view.rasters().map(|l| l.native.clone()));
    sets
}

async fn tile_matrix_sets(state: Caller) -> Response {
    json_response(&ogc::tms::json::tile_matrix_sets(&state.base, &all_sets(&state)), JSON)
}

async fn tile_matrix_set(state: Caller, Path(id): Path<String>) -> Result<Response, ServiceError> {
    let (base, hidpi) = TileMatrixSet::split_hidpi(&id);
    let set = all_sets(&state).into_iter().find(|s| s.id == base).ok_or_else(|| ServiceError::NotFound(format!("no tile matrix set '{id}'")))?;
    let set = if hidpi { set.hidpi() } else { set };
    Ok(json_response(&ogc::tms::json::tile_matrix_set(&set), JSON))
}

fn raster<'a>(state: &'a Caller, id: &str) -> Result<&'a Arc<RasterLayer>, ServiceError> {
    state.view.raster(id).ok_or_else(|| ServiceError::NotFound(format!("no collection '{id}' with map tiles")))
}

fn offered<'a>(layer: &'a RasterLayer, tms: &str) -> Result<&'a TileMatrixSet, ServiceError> {
    layer.tile_matrix_set(tms).ok_or_else(|| {
        let ids: Vec<&str> = layer.tile_matrix_sets.iter().map(|s| s.id.as_str()).collect();
        ServiceError::NotFound(format!("collection '{}' has no tileset in '{tms}' ({})", layer.id, ids.join(", ")))
    })
}

struct Described {
    href: String,
    geodata: String,
    limits: Vec<ogc::tms::TileMatrixLimits>,
    bbox: Option<ogc::bbox::Bbox>,
}

fn describe(state: &Caller, layer: &RasterLayer, set: &TileMatrixSet) -> Described {
    Described {
        href: format!("{}/collections/{}/map/tiles/{}", state.base, layer.id, set.id),
        geodata: format!("{}/collections/{}", state.base, layer.id),
        limits: layer.limits(set),
        bbox: layer.extent_in(set),
    }
}

fn tileset_of<'a>(layer: &'a RasterLayer, set: &'a TileMatrixSet, d: &'a Described) -> TileSet<'a> {
    TileSet {
        title: &layer.title,
        description: &layer.description,
        data_type: DataType::Map,
        tms: set,
        href: &d.href,
        formats: &layer.formats,
        limits: &d.limits,
        bbox: d.bbox,
        geodata: Some(&d.geodata),
        attribution: layer.attribution.as_deref().unwrap_or(""),
        layers: &[],
    }
}

async fn tilesets(state: Caller, Path(id): Path<String>) -> Result<Response, ServiceError> {
    let layer = raster(&state, &id)?;
    let sets = &layer.tile_matrix_sets;
    let described: Vec<Described> = sets.iter().map(|s| describe(&state, layer, s)).collect();
    let items: Vec<TileSet> = sets.iter().zip(&described).map(|(s, d)| tileset_of(layer, s, d)).collect();
    let href = format!("{}/collections/{}/map/tiles", state.base, layer.id);
    Ok(json_response(&ogc::tiles::tilesets(&state.base, &href, &items), JSON))
}

async fn tileset(state: Caller, Path((id, tms)): Path<(String, String)>) -> Result<Response, ServiceError> {
    let layer = raster(&state, &id)?;
    let set = offered(layer, &tms)?;
    let d = describe(&state, layer, set);
    Ok(json_response(&ogc::tiles::tileset(&state.base, &tileset_of(layer, set, &d)), JSON))
}

async fn tilejson(state: Caller, Path((id, tms)): Path<(String, String)>) -> Result<Response, ServiceError> {
    let layer = raster(&state, &id)?;
    let set = offered(layer, &tms)?;
    if TileMatrixSet::split_hidpi(&set.id).0 != ogc::tms::WEB_MERCATOR_QUAD {
        return Err(ServiceError::NotFound(format!("TileJSON describes XYZ tiles, which are WebMercatorQuad tiles, not {tms}")));
    }
    let href = format!("{}/collections/{}/map/tiles/{}", state.base, layer.id, set.id);
    let format = layer.formats[0];
    let tiles = [ogc::tiles::xyz_template(&href, format)];
    let doc = ogc::tiles::tilejson(&TileJson {
        name: &layer.title,
        description: &layer.description,
        attribution: layer.attribution.as_deref().unwrap_or(""),
        tiles: &tiles,
        minzoom: 0,
        maxzoom: layer.max_zoom(set) as u32,
        bounds: Some(layer.extent),
        vector_layers: None,
    });
    Ok(json_response(&doc, "application/json"))
}

/// The tile format: `f` (jpg, png, webp or a media type), else the first acceptable type of
/// `Accept`, else the layer's first format.
fn tile_format(layer: &RasterLayer, query: Option<&str>, headers: &HeaderMap) -> Result<TileFormat, ServiceError> {
    let mut asked = None;
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if k != "f" {
            return Err(ServiceError::param(&k, "unknown parameter"));
        }
        asked = Some(v);
    }
    if let Some(f) = asked {
        let format = TileFormat::from_extension(&f).or_else(|| TileFormat::from_media_type(&f));
        return format.filter(|f| layer.formats.contains(f)).ok_or_else(|| {
            let offered: Vec<&str> = layer.formats.iter().map(|f| f.extension()).collect();
            ServiceError::param("f", format!("'{f}' is not a format of this tileset ({})", offered.join(", ")))
        });
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    Ok(accept.split(',').filter_map(TileFormat::from_media_type).find(|f| layer.formats.contains(f)).unwrap_or(layer.formats[0]))
}

/// A map tile request checked against the registry: everything but the tile itself, found
/// before the request's future exists so that future holds no borrowed path.
pub struct MapTileAt {
    layer: Arc<RasterLayer>,
    /// Position in the layer's `all_tile_matrix_sets`.
    set: usize,
    at: maptiles::TileAt,
    format: TileFormat,
}

/// `crate::http::hot` routes map tile requests here, past the router.
pub fn resolve(state: &Caller, path: &MapTilePath, query: Option<&str>, headers: &HeaderMap) -> Result<MapTileAt, ServiceError> {
    let layer = raster(state, &decoded(path.collection))?;
    let set = offered(layer, &decoded(path.tms))?;
    let format = tile_format(layer, query, headers)?;
    let number = |s: &str, what: &str| s.parse::<u32>().map_err(|_| ServiceError::NotFound(format!("'{}' is not a tile {what}", decoded(s))));
    let (z, _) = set.matrix(&decoded(path.z)).ok_or_else(|| ServiceError::NotFound(format!("tile matrix set {} has no tile matrix '{}'", set.id, decoded(path.z))))?;
    let (row, col) = (number(path.row, "row")?, number(path.col, "column")?);
    let set = layer.all_tile_matrix_sets().position(|s| std::ptr::eq(s, set)).expect("the set is one of the layer's");
    Ok(MapTileAt { layer: layer.clone(), set, at: (z, row, col), format })
}

pub async fn tile(state: &AppState, t: MapTileAt, headers: &HeaderMap) -> Result<Response, ServiceError> {
    let set = t.layer.all_tile_matrix_sets().nth(t.set).expect("resolved against this layer");
    match maptiles::map_tile(&state.registry, &t.layer, set, "default", t.at, t.format).await {
        Ok(tile) => Ok(maptiles::tile_response(&tile, t.format, &state.tile_cache_control, headers)),
        Err(TileError::OutOfRange(m)) => Err(ServiceError::NotFound(m)),
        Err(TileError::Raster(e)) => Err(ServiceError::Raster(e)),
    }
}
