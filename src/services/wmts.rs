//! WMTS 1.0.0 at `/wmts` (KVP, and the RESTful resources below it) and `/ows?SERVICE=WMTS`:
//! GetCapabilities (both bindings in one document), GetTile, GetFeatureInfo (pixel values).

use std::sync::Arc;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ogc::tms::TileMatrixSet;
use ogc::wmts::{self, Capabilities, ExceptionCode, Located, TileMatrixSetLink, WmtsError, WmtsRequest};

use super::maptiles::{self, TileError};
use super::pixel_info::{self, Hit, InfoFormat};
use crate::http::{AppState, Caller};
use crate::raster::RasterLayer;
use crate::vtiles::VectorTileError;
use ogc::tiles::TileFormat;

/// KVP requests (capabilities and tiles alike) and the RESTful capabilities document.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/wmts", get(kvp)).route(&format!("/wmts/{}", wmts::REST_CAPABILITIES), get(rest_capabilities))
}

/// RESTful tiles and feature info, served without the compression layer of the documents.
pub fn tile_routes() -> axum::Router<AppState> {
    axum::Router::new().route("/wmts/{*path}", get(rest))
}

async fn rest_capabilities(state: Caller, headers: HeaderMap) -> Response {
    answer(&state, WmtsRequest::GetCapabilities, &headers).await
}

pub async fn kvp(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let pairs = super::features::pairs(&q);
    match wmts::parse_kvp(&pairs) {
        Ok(r) => answer(&state, r, &headers).await,
        Err(e) => exception(&e, None),
    }
}

async fn rest(state: Caller, Path(path): Path<String>, headers: HeaderMap) -> Response {
    match wmts::parse_rest(&path) {
        Ok(Some(r)) => answer(&state, r, &headers).await,
        Ok(None) => (StatusCode::NOT_FOUND, "no WMTS resource at this path").into_response(),
        Err(e) => exception(&e, None),
    }
}

/// What the capabilities advertise and requests are checked against: built on the first WMTS
/// request and kept, since layers do not change while the server runs and GetTile checks it
/// on every tile.
pub struct Offer {
    service: ogc::ows::ServiceMetadata,
    endpoint: String,
    layers: Vec<wmts::Layer>,
    sets: Vec<TileMatrixSet>,
}

/// Adds `set` to the sets the capabilities describe, once however many layers use it.
fn offer_set(sets: &mut Vec<TileMatrixSet>, set: &TileMatrixSet) {
    if !sets.iter().any(|s| s.id == set.id) {
        sets.push(set.clone());
    }
}

impl Offer {
    fn build(state: &Caller) -> Offer {
        let mut sets: Vec<TileMatrixSet> = Vec::new();
        let mut layers = Vec::new();
        for l in state.view.rasters() {
            let mut links = Vec::new();
            for set in l.all_tile_matrix_sets() {
                links.push(TileMatrixSetLink { tile_matrix_set: set.id.clone(), limits: l.limits(set) });
                offer_set(&mut sets, set);
            }
            layers.push(wmts::Layer {
                id: l.id.clone(),
                title: l.title.clone(),
                abstract_: l.description.clone(),
                keywords: l.keywords.clone(),
                wgs84_bbox: Some(l.extent),
                native_bbox: Some((l.mosaic.crs, l.mosaic.extent)),
                styles: Vec::new(),
                formats: l.formats.clone(),
                info_formats: InfoFormat::ALL.iter().map(|f| f.media_type().to_string()).collect(),
                tile_matrix_set_links: links,
                metadata_url: Some(crate::catalogue::layer_record_url(&state.base, &l.id)),
            });
        }
        // Vector layers, as MVT on the well-known sets.
        let vector_sets = crate::vtiles::tile_matrix_sets();
        for l in &state.view.layers {
            let mut links = Vec::new();
            for set in vector_sets {
                let limits = crate::vtiles::limits(l, set);
                if !limits.is_empty() {
                    links.push(TileMatrixSetLink { tile_matrix_set: set.id.clone(), limits });
                    offer_set(&mut sets, set);
                }
            }
            layers.push(wmts::Layer {
                id: l.id.clone(),
                title: l.title.clone(),
                abstract_: l.description.clone(),
                keywords: l.keywords.clone(),
                wgs84_bbox: l.extent,
                native_bbox: l.table.extent.map(|e| (l.table.crs, e)),
                styles: Vec::new(),
                formats: vec![TileFormat::Mvt],
                info_formats: Vec::new(),
                tile_matrix_set_links: links,
                metadata_url: Some(crate::catalogue::layer_record_url(&state.base, &l.id)),
            });
        }
        Offer { service: super::service_metadata(state), endpoint: format!("{}/wmts", state.base), layers, sets }
    }

    fn capabilities(&self) -> Capabilities<'_> {
        Capabilities { service: &self.service, endpoint: &self.endpoint, rest_root: &self.endpoint, layers: &self.layers, tile_matrix_sets: &self.sets }
    }
}

async fn answer(state: &Caller, request: WmtsRequest, headers: &HeaderMap) -> Response {
    let caps = state.view.wmts.get_or_init(|| Offer::build(state)).capabilities();
    match request {
        WmtsRequest::GetCapabilities => {
            let mut res = wmts::wmts_1_0_0(&caps).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
            res
        }
        WmtsRequest::GetTile(t) => {
            let found = match caps.check_tile(&t) {
                Ok(f) => f,
                Err(e) => return exception(&e, None),
            };
            let at = (found.z, t.tile.row, t.tile.col);
            let Some(layer) = state.view.raster(&found.layer.id) else {
                let layer = state.view.layer(&found.layer.id).expect("advertised layers exist");
                return match crate::vtiles::tile(&state.registry, std::slice::from_ref(layer), found.set, at).await {
                    Ok(tile) => super::vtiles::response(&tile, &state.tile_cache_control, headers),
                    Err(VectorTileError::OutOfRange(m) | VectorTileError::OutsideData(m)) => exception(&WmtsError::new(ExceptionCode::TileOutOfRange, "TileRow", m), None),
                    Err(VectorTileError::Source(e)) => {
                        let e = crate::error::ServiceError::Source(e);
                        let status = e.status();
                        if status.is_server_error() {
                            tracing::error!(error = %e, "tile failed");
                        }
                        exception(&WmtsError::new(ExceptionCode::NoApplicableCode, "", e.to_string()), Some(status))
                    }
                };
            };
            match maptiles::map_tile(&state.registry, layer, found.set, found.style, at, t.format).await {
                Ok(tile) => maptiles::tile_response(&tile, t.format, &state.tile_cache_control, headers),
                Err(e) => tile_exception(e),
            }
        }
        WmtsRequest::GetFeatureInfo(g) => {
            let found = match caps.check_feature_info(&g) {
                Ok(f) => f,
                Err(e) => return exception(&e, None),
            };
            let layer = raster(state, &found);
            let b = found.matrix.tile_bbox(g.tile.row, g.tile.col);
            let (x, y) = (b.min_x + (g.i as f64 + 0.5) * found.matrix.cell_size, b.max_y - (g.j as f64 + 0.5) * found.matrix.cell_size);
            match crate::raster::warp::pixel_at(&layer.mosaic, found.set.crs, x, y).await {
                Ok(pixel) => {
                    // The capabilities check admitted only the formats offered.
                    let format = InfoFormat::from_media_type(&g.info_format).unwrap_or(InfoFormat::Text);
                    pixel_info::response(format, &[Hit { layer, pixel }], found.set.crs, (x, y))
                }
                Err(e) => tile_exception(TileError::Raster(e)),
            }
        }
    }
}

fn raster<'a>(state: &'a Caller, found: &Located) -> &'a Arc<RasterLayer> {
    state.view.raster(&found.layer.id).expect("advertised layers exist")
}

fn tile_exception(e: TileError) -> Response {
    match e {
        TileError::OutOfRange(m) => exception(&WmtsError::new(ExceptionCode::TileOutOfRange, "TileRow", m), None),
        TileError::Raster(r) => {
            let status = crate::error::raster_status(&r);
            if status.is_server_error() {
                tracing::error!(error = %r, "tile failed");
            }
            exception(&WmtsError::new(ExceptionCode::NoApplicableCode, "", r.to_string()), Some(status))
        }
    }
}

fn exception(e: &WmtsError, status: Option<StatusCode>) -> Response {
    let status = status.unwrap_or_else(|| StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST));
    let mut res = (status, e.report()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    res
}
