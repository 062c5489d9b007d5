//! Map tiles of imagery layers, shared by WMTS and OGC API Tiles: the cache lookup, the
//! pass-through of COG blocks, rendering, and the HTTP caching headers.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::body::Body;
use axum::response::Response;
use ogc::tiles::TileFormat;
use ogc::tms::TileMatrixSet;

use crate::registry::Registry;
use crate::raster::warp::{self, Window};
use crate::raster::{RasterError, RasterLayer};
use crate::tiles::encode::encode;
use crate::tiles::{Tile, TileKey};

/// Why a tile cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    /// Outside the matrix, or outside the layer's TileMatrixSetLimits.
    #[error("{0}")]
    OutOfRange(String),
    #[error(transparent)]
    Raster(#[from] RasterError),
}

/// The tile (z, row, col) of `set` (a set the layer offers, possibly a `@2x` variant).
/// `(z, row, col)` of a tile in its set.
pub type TileAt = (usize, u32, u32);

pub async fn map_tile(registry: &Registry, layer: &Arc<RasterLayer>, set: &TileMatrixSet, style: &str, (z, row, col): TileAt, format: TileFormat) -> Result<Tile, TileError> {
    let matrix = set.matrices.get(z).ok_or_else(|| TileError::OutOfRange(format!("tile matrix set {} has no level {z}", set.id)))?;
    if !matrix.contains(row, col) {
        return Err(TileError::OutOfRange(format!("row {row}, column {col} is outside tile matrix {} ({} x {} tiles)", matrix.id, matrix.matrix_height, matrix.matrix_width)));
    }
    if z > layer.max_zoom(set) {
        return Err(TileError::OutOfRange(format!("layer {} is served down to level {} of {}", layer.id, layer.max_zoom(set), set.id)));
    }
    if !layer.has_tile(set, z, row, col) {
        return Err(TileError::OutOfRange(format!("layer {} has no imagery in tile {}/{row}/{col} of {}", layer.id, matrix.id, set.id)));
    }
    let key = TileKey { layer: layer.id.as_str().into(), style: style.into(), tms: set.id.as_str().into(), z: z as u8, row, col, format };
    let render = || async {
        if format == TileFormat::Jpeg
            && set.id == layer.native.id
            && let Some(bytes) = pass_through(layer, z, row, col).await?
        {
            metrics::counter!("ossature_tiles_passed_through_total").increment(1);
            return Ok(Tile::new(bytes));
        }
        let window = Window { crs: set.crs, bbox: matrix.tile_bbox(row, col), width: matrix.tile_width, height: matrix.tile_height };
        let image = warp::read(&layer.mosaic, &window, layer.resampling).await?;
        let layer = layer.clone();
        let bytes = crate::raster::on_blocking_pool(move || encode(&image, format, &layer.encode)).await?;
        Ok::<_, RasterError>(Tile::new(bytes))
    };
    // The cache shares one error among every waiting request; each gets its own copy.
    registry.tiles.get_or_render(&key, render).await.map_err(|e| TileError::Raster((*e).clone()))
}

/// The COG block that is exactly this tile of the native set, sent as it is stored: the
/// level's resolution is the matrix's, and the tile lies within one file on its block grid.
async fn pass_through(layer: &RasterLayer, z: usize, row: u32, col: u32) -> Result<Option<bytes::Bytes>, RasterError> {
    let matrix = &layer.native.matrices[z];
    let bbox = matrix.tile_bbox(row, col);
    let close = |a: f64, b: f64| (a - b).abs() <= b.abs() * 1e-9 + 1e-9;
    for tile in layer.mosaic.tiles_in(&bbox) {
        if !(tile.bbox.min_x <= bbox.min_x + 1e-6 && tile.bbox.max_x >= bbox.max_x - 1e-6 && tile.bbox.min_y <= bbox.min_y + 1e-6 && tile.bbox.max_y >= bbox.max_y - 1e-6) {
            continue;
        }
        let levels = tile.cog.levels();
        let Some(n) = levels.iter().position(|l| close(l.resolution.0, matrix.cell_size)) else { return Ok(None) };
        let level = &levels[n];
        if level.tile_width != matrix.tile_width || level.tile_height != matrix.tile_height {
            return Ok(None);
        }
        let fx = (bbox.min_x - tile.bbox.min_x) / (matrix.cell_size * level.tile_width as f64);
        let fy = (tile.bbox.max_y - bbox.max_y) / (matrix.cell_size * level.tile_height as f64);
        if (fx - fx.round()).abs() > 1e-6 || (fy - fy.round()).abs() > 1e-6 {
            return Ok(None);
        }
        let (c, r) = (fx.round() as u32, fy.round() as u32);
        // An edge block is padded beyond the image: only whole blocks pass through.
        if (c + 1) * level.tile_width > level.width || (r + 1) * level.tile_height > level.height {
            return Ok(None);
        }
        return Ok(tile.cog.jpeg_block(n, c, r).await?);
    }
    Ok(None)
}

/// The tile with its validators; 304 when the client's copy is current.
pub fn tile_response(tile: &Tile, format: TileFormat, cache_control: &HeaderValue, request: &HeaderMap) -> Response {
    let current = not_modified(&tile.etag, request);
    // Sized for these headers, the request id and CORS's: a map grown insert by insert measured
    // a tenth of a cached tile's instructions.
    let mut h = HeaderMap::with_capacity(8);
    let (status, body) = if current {
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
        (StatusCode::OK, Body::from(tile.bytes.clone()))
    };
    h.insert(header::ETAG, tile.etag.clone());
    h.insert(header::CACHE_CONTROL, cache_control.clone());
    let mut res = Response::new(body);
    *res.status_mut() = status;
    *res.headers_mut() = h;
    res
}

/// Whether the client's `If-None-Match` names `etag` (or `*`): its copy is current.
pub fn not_modified(etag: &HeaderValue, request: &HeaderMap) -> bool {
    let etag = etag.as_bytes();
    request.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes().split(|&b| b == b',').map(<[u8]>::trim_ascii).any(|t| t == etag || t == b"*"))
}
