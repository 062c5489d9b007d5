//! Vector tiles (MVT 2.1) of the vector layers, shared by OGC API Tiles and WMTS: which
//! layers a tile holds at its zoom, the Rust encoder ([`encode`]) or a source's own (PostGIS
//! `ST_AsMVT`, when configured), and the tile cache, where tiles are kept gzipped once.
//!
//! Zoom levels in the settings are WebMercatorQuad's. A level of another tile matrix set
//! (the French grids) takes the settings of the WebMercatorQuad level of closest scale, so a
//! layer appears at the same map scales whatever the grid.

mod commands;
pub mod encode;
mod surfaces;

use std::io::{Read, Write};
use std::sync::{Arc, LazyLock};

use bytes::Bytes;
use futures_util::TryStreamExt;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::filter::Filter;
use ogc::tiles::{TileFormat, VectorLayer};
use ogc::tms::{TileMatrixLimits, TileMatrixSet};
use toml::Spanned;

use crate::config::{ConfigError, Origin, TilesConfig, ZoomFilter};
use crate::crs::Transform;
use crate::crs::affine::{AffineGrid, affine_cells};
use crate::registry::{Layer, Registry};
use crate::source::{Field, MvtLayer, MvtTile, Query, SourceError, Table};
use crate::tiles::{Tile, TileKey};

/// The style part of the cache key of vector tiles (image tiles carry their style there).
const STYLE: &str = "mvt";

/// How far, in tile units, a source may move a vertex by transforming it with an affine map
/// instead of the exact projection (`crs::affine`). ST_AsMVTGeom then rounds to whole units;
/// an eighth is GDAL's default error threshold for approximate warping, in pixels.
pub const AFFINE_TOLERANCE: f64 = 0.125;

/// A layer's tile settings, checked against its table at start-up.
#[derive(Debug, Clone)]
pub struct TileSettings {
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// The attributes kept.
    pub fields: Vec<Field>,
    pub extent: u32,
    pub buffer: u32,
    pub simplify: f64,
    filters: Vec<(ZoomFilter, Filter)>,
    /// The data's extent in the CRS of each of [`tile_matrix_sets`], by set id.
    extents: Vec<(String, Option<Bbox>)>,
}

impl TileSettings {
    /// The settings of layer `i`, their fields and filters bound to its table.
    pub fn build(config: Option<&Spanned<TilesConfig>>, table: &Table, origin: &Origin, i: usize) -> Result<TileSettings, ConfigError> {
        let c = config.map(|s| s.get_ref().clone()).unwrap_or_default();
        let fields = match &c.fields {
            None => table.fields.clone(),
            Some(names) => names
                .get_ref()
                .iter()
                .map(|name| {
                    table.fields.iter().find(|f| &f.name == name).cloned().ok_or_else(|| {
                        origin.error(Some(names.span()), format!("layers[{i}].tiles.fields"), format!("'{name}' is not an exposed field of '{}'", table.name))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let filters = c
            .filters
            .iter()
            .enumerate()
            .map(|(n, f)| {
                let key = format!("layers[{i}].tiles.filters[{n}].cql2");
                let parsed = ogc::filter::cql2_text::parse(&f.get_ref().cql2, None).map_err(|e| origin.error(Some(f.span()), key.clone(), e.to_string()))?;
                let bound = crate::bind::bind(parsed, table, ogc::crs::Crs::Crs84).map_err(|e| origin.error(Some(f.span()), key, e.to_string()))?;
                Ok((f.get_ref().clone(), bound))
            })
            .collect::<Result<_, ConfigError>>()?;
        let extents = tile_matrix_sets()
            .iter()
            .map(|set| (set.id.clone(), Transform::from_storage(table.crs, set.crs, false).ok().and_then(|t| table.extent_through(&t))))
            .collect();
        Ok(TileSettings { min_zoom: c.min_zoom, max_zoom: c.max_zoom, fields, extent: c.extent, buffer: c.buffer, simplify: c.simplify, filters, extents })
    }

    /// Whether the layer is in tiles of this (WebMercatorQuad) zoom.
    pub fn shows(&self, zoom: u8) -> bool {
        (self.min_zoom..=self.max_zoom).contains(&zoom)
    }

    /// The settings over `table` (the layer's own narrowed by an access grant): attributes it
    /// no longer has dropped.
    pub fn restricted_to(&self, table: &Table) -> TileSettings {
        let fields = self.fields.iter().filter(|f| table.fields.iter().any(|t| t.name == f.name)).cloned().collect();
        TileSettings { fields, ..self.clone() }
    }

    /// Every filter that applies at `zoom`, combined.
    pub fn filter_at(&self, zoom: u8) -> Option<Filter> {
        Filter::all(self.filters.iter().filter(|(z, _)| z.applies(zoom)).map(|(_, f)| f.clone()).collect())
    }
}

/// Why a vector tile cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum VectorTileError {
    /// Outside the matrix or the layers' zooms.
    #[error("{0}")]
    OutOfRange(String),
    /// In the matrix at a zoom the layers show, but outside their extent: out of the
    /// tileset's limits for OGC API and WMTS, an empty tile for a tile directory.
    #[error("{0}")]
    OutsideData(String),
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// The sets vector tiles are cut along: the well-known ones (WebMercatorQuad, the CRS84 quad
/// and the French grids) that the CRS engine supports. Built once: every tile request looks
/// its set up here.
pub fn tile_matrix_sets() -> &'static [TileMatrixSet] {
    static SETS: LazyLock<Vec<TileMatrixSet>> =
        LazyLock::new(|| ogc::tms::WELL_KNOWN.iter().filter_map(|id| TileMatrixSet::well_known(id)).filter(|s| crate::crs::check(s.crs).is_ok()).collect());
    &SETS
}

static WEB_MERCATOR_QUAD: LazyLock<TileMatrixSet> = LazyLock::new(TileMatrixSet::web_mercator_quad);

/// The WebMercatorQuad level of the scale closest to level `z` of `set`, which the settings
/// are written in.
pub fn settings_zoom(set: &TileMatrixSet, z: usize) -> u8 {
    let wmq = &*WEB_MERCATOR_QUAD;
    let scale = set.matrices[z].scale_denominator;
    let closest = wmq.matrices.iter().enumerate().min_by(|(_, a), (_, b)| (a.scale_denominator / scale).ln().abs().total_cmp(&(b.scale_denominator / scale).ln().abs()));
    closest.map_or(0, |(i, _)| i as u8)
}

/// The levels of `set` where the layer shows (as indices of `set`).
pub fn zoom_range(layer: &Layer, set: &TileMatrixSet) -> Option<(usize, usize)> {
    let shown: Vec<usize> = (0..set.matrices.len()).filter(|&z| layer.tiles.shows(settings_zoom(set, z))).collect();
    Some((*shown.first()?, *shown.last()?))
}

/// The layer's extent in `set`'s CRS, easting first (computed at start-up for the sets of
/// [`tile_matrix_sets`], which every tile request checks).
pub fn extent_in(layer: &Layer, set: &TileMatrixSet) -> Option<Bbox> {
    let base = TileMatrixSet::split_hidpi(&set.id).0;
    match layer.tiles.extents.iter().find(|(id, _)| id == base) {
        Some((_, e)) => *e,
        None => layer.table.extent_through(&Transform::from_storage(layer.table.crs, set.crs, false).ok()?),
    }
}

/// TileMatrixSetLimits: the tiles over the layer's extent at the levels where it shows.
pub fn limits(layer: &Layer, set: &TileMatrixSet) -> Vec<TileMatrixLimits> {
    match (zoom_range(layer, set), extent_in(layer, set)) {
        (Some((a, b)), Some(e)) => set.limits(&e, a..=b),
        _ => Vec::new(),
    }
}

/// How a tileset describes the layer.
pub fn describe(layer: &Layer, set: &TileMatrixSet) -> VectorLayer {
    let range = zoom_range(layer, set);
    VectorLayer {
        id: layer.id.clone(),
        description: layer.title.clone(),
        fields: layer.tiles.fields.iter().map(|f| (f.name.clone(), f.ty)).collect(),
        geometry_dimension: geometry_dimension(&layer.table.geometry_type),
        minzoom: range.map(|r| r.0 as u32),
        maxzoom: range.map(|r| r.1 as u32),
    }
}

fn geometry_dimension(geometry_type: &str) -> Option<u8> {
    let t = geometry_type.to_ascii_uppercase();
    if t.ends_with("POINT") {
        Some(0)
    } else if t.ends_with("LINESTRING") || t.ends_with("CURVE") {
        Some(1)
    } else if t.ends_with("POLYGON") || t.ends_with("SURFACE") {
        Some(2)
    } else {
        None
    }
}

/// A vector tile ready to be sent: empty bytes for a tile with no feature.
pub struct VectorTile {
    /// The bytes as kept, and the validator of the gzipped representation (the identity one
    /// is derived from it).
    pub tile: Tile,
    /// Whether `tile` holds the tile gzipped (as the cache keeps it) or as encoded.
    pub gzipped: bool,
}

impl VectorTile {
    pub fn empty() -> VectorTile {
        VectorTile { tile: Tile::new(Bytes::new()), gzipped: false }
    }

    /// The gzipped tile: as kept, or compressed now.
    pub fn gzip_body(&self) -> Bytes {
        if self.gzipped { self.tile.bytes.clone() } else { Bytes::from(gzip(&self.tile.bytes)) }
    }

    /// The tile as encoded: as kept, or decompressed now.
    pub fn identity_body(&self) -> std::io::Result<Bytes> {
        if self.gzipped { gunzip(&self.tile.bytes).map(Bytes::from) } else { Ok(self.tile.bytes.clone()) }
    }
}

/// Tile (z, row, col) of `set` holding `layers` (those showing at that zoom). Out of range when
/// the tile is outside the matrix, no layer shows at its zoom, or it misses every layer's extent.
///
/// A cached tile is gzipped once, when rendered, and sent as stored to every client that
/// accepts gzip. When the cache keeps nothing, the tile is left as encoded and compressed only
/// for a client that asks for it: gzipping it for the cache and unzipping it for a client
/// without `Accept-Encoding` was work for nothing. Nothing coalesces concurrent renders of one
/// tile then, as nothing caches them.
pub async fn tile(registry: &Registry, layers: &[Arc<Layer>], set: &TileMatrixSet, (z, row, col): (usize, u32, u32)) -> Result<VectorTile, VectorTileError> {
    let matrix = set.matrices.get(z).ok_or_else(|| VectorTileError::OutOfRange(format!("tile matrix set {} has no level {z}", set.id)))?;
    if !matrix.contains(row, col) {
        return Err(VectorTileError::OutOfRange(format!("row {row}, column {col} is outside tile matrix {} ({} x {} tiles)", matrix.id, matrix.matrix_height, matrix.matrix_width)));
    }
    let zoom = settings_zoom(set, z);
    let shown: Vec<Arc<Layer>> = layers.iter().filter(|l| l.tiles.shows(zoom)).cloned().collect();
    if shown.is_empty() {
        return Err(VectorTileError::OutOfRange(format!("no layer has tiles at level {} of {}", matrix.id, set.id)));
    }
    let bbox = matrix.tile_bbox(row, col);
    if !shown.iter().any(|l| extent_in(l, set).is_none_or(|e| e.intersection(&bbox).is_some())) {
        return Err(VectorTileError::OutsideData(format!("tile {}/{row}/{col} of {} is outside the data", matrix.id, set.id)));
    }
    if !registry.tiles.keeps_tiles() {
        let render = async { Ok::<_, SourceError>(Tile::new(Bytes::from(encode_tile(&shown, set.crs, &bbox, zoom).await?))) };
        return Ok(VectorTile { tile: registry.tiles.render_unkept(render).await?, gzipped: false });
    }
    let ids: Vec<&str> = shown.iter().map(|l| l.id.as_str()).collect();
    let grant = shown.iter().fold(0u64, |h, l| h.rotate_left(7) ^ l.grant_hash());
    let key = TileKey { layer: ids.join(",").into(), style: crate::tiles::cache::granted_style(STYLE, grant), tms: set.id.as_str().into(), z: z as u8, row, col, format: TileFormat::Mvt };
    let render = || async {
        let raw = encode_tile(&shown, set.crs, &bbox, zoom).await?;
        Ok::<_, SourceError>(Tile::new(if raw.is_empty() { Bytes::new() } else { Bytes::from(gzip(&raw)) }))
    };
    let tile = registry.tiles.get_or_render(&key, render).await.map_err(|e| VectorTileError::Source(clone_error(&e)))?;
    Ok(VectorTile { tile, gzipped: true })
}

/// What a source needs to read one layer of a tile.
struct Prepared<'a> {
    layer: &'a Layer,
    envelope: Bbox,
    filter: Option<Filter>,
    affine: Option<AffineGrid>,
    /// How far (tile CRS units) the affine maps may stray from the transform.
    tolerance: f64,
}

impl Prepared<'_> {
    fn request(&self) -> MvtLayer<'_> {
        let s = &self.layer.tiles;
        MvtLayer {
            name: &self.layer.id,
            table: &self.layer.table,
            fields: &s.fields,
            filter: self.filter.as_ref(),
            envelope: self.envelope,
            extent: s.extent,
            buffer: s.buffer,
            simplify: s.simplify,
            affine: self.affine.as_ref().map_or(&[], |g| &g.cells),
        }
    }
}

/// The tile's MVT bytes (empty when no feature is in it). Consecutive layers of one source
/// that encodes tiles itself are read in one statement; the others are encoded here.
async fn encode_tile(layers: &[Arc<Layer>], crs: ogc::crs::Crs, bbox: &Bbox, zoom: u8) -> Result<Vec<u8>, SourceError> {
    let mut prepared: Vec<Prepared> = Vec::with_capacity(layers.len());
    for l in layers {
        let p = prepare(l, crs, bbox, zoom, &prepared)?;
        prepared.push(p);
    }
    let tile = MvtTile { crs, bbox: *bbox };
    let mut raw = Vec::new();
    for group in prepared.chunk_by(|a, b| Arc::ptr_eq(&a.layer.source, &b.layer.source)) {
        let requests: Vec<MvtLayer> = group.iter().map(Prepared::request).collect();
        match group[0].layer.source.mvt(&tile, &requests).await {
            Some(bytes) => raw.extend(bytes?),
            // The layers' rows are read on connections of their own, at once.
            None => raw.extend(futures_util::future::try_join_all(group.iter().map(|p| encode_in_rust(p, crs, bbox))).await?.concat()),
        }
    }
    Ok(raw)
}

/// Layer `layer`'s part of the tile; the affine maps of an `earlier` layer with the same storage
/// CRS and envelope are taken over rather than fitted again (fitting them is most of the
/// server's own CPU for a tile).
fn prepare<'a>(layer: &'a Layer, crs: ogc::crs::Crs, bbox: &Bbox, zoom: u8, earlier: &[Prepared]) -> Result<Prepared<'a>, SourceError> {
    let s = &layer.tiles;
    let margin = f64::from(s.buffer) / f64::from(s.extent);
    let (w, h) = (bbox.max_x - bbox.min_x, bbox.max_y - bbox.min_y);
    let buffered = Bbox { min_x: bbox.min_x - w * margin, min_y: bbox.min_y - h * margin, max_x: bbox.max_x + w * margin, max_y: bbox.max_y + h * margin };
    let envelope = Transform::to_storage(crs, false, layer.table.crs)
        .ok()
        .and_then(|t| t.envelope(&buffered))
        .ok_or_else(|| SourceError::Internal(anyhow::anyhow!("tile {bbox:?} cannot be transformed to the storage CRS of {}", layer.id)))?;
    let tolerance = AFFINE_TOLERANCE * w / f64::from(s.extent);
    let same = earlier.iter().find(|p| p.layer.table.crs == layer.table.crs && p.envelope == envelope && p.tolerance == tolerance);
    let affine = match same {
        Some(p) => p.affine.clone(),
        None => Transform::from_storage(layer.table.crs, crs, false).ok().and_then(|t| affine_cells(&t, &envelope, tolerance)),
    };
    Ok(Prepared { layer, envelope, filter: s.filter_at(zoom), affine, tolerance })
}

/// Rows handed to the encoder at a time: the next ones are read while these are encoded.
const BATCH: usize = 4096;

/// One layer read as features and encoded by [`encode`] on the blocking pool, batch by batch.
async fn encode_in_rust(p: &Prepared<'_>, crs: ogc::crs::Crs, bbox: &Bbox) -> Result<Vec<u8>, SourceError> {
    let (layer, s) = (p.layer, &p.layer.tiles);
    // Only the kept attributes, in any order (sorting the rows of a tile is work for nothing).
    let query = Query { envelope: Some(p.envelope), filter: p.filter.clone(), fields: Some(s.fields.clone()), unordered: true, ..Query::default() };
    let mut rows = layer.source.features(layer.table.clone(), query);
    let frame = encode::Frame { bbox: *bbox, extent: s.extent, buffer: s.buffer, simplify: s.simplify };
    let kept: Vec<String> = s.fields.iter().map(|f| f.name.clone()).collect();
    let storage = layer.table.crs;
    let mut encoder = encode::LayerEncoder::new(layer.id.clone(), kept, frame, p.affine.as_ref());
    let mut batch = next_batch(&mut rows).await?;
    while !batch.is_empty() {
        let work = tokio::task::spawn_blocking(move || {
            let exact = Transform::from_storage(storage, crs, false).map_err(|e| SourceError::Internal(e.into()))?;
            encoder.add(&batch, &exact);
            Ok::<_, SourceError>(encoder)
        });
        let (encoded, next) = tokio::join!(work, next_batch(&mut rows));
        encoder = encoded.map_err(blocking_failed)??;
        batch = next?;
    }
    tokio::task::spawn_blocking(move || encoder.finish().map(|l| geozero::mvt::Message::encode_to_vec(&geozero::mvt::Tile { layers: vec![l] })).unwrap_or_default())
        .await
        .map_err(blocking_failed)
}

async fn next_batch(rows: &mut crate::source::FeatureStream) -> Result<Vec<crate::source::Feature>, SourceError> {
    let mut batch = Vec::new();
    while batch.len() < BATCH {
        match rows.try_next().await? {
            Some(f) => batch.push(f),
            None => break,
        }
    }
    Ok(batch)
}

fn blocking_failed(e: tokio::task::JoinError) -> SourceError {
    SourceError::Internal(anyhow::anyhow!("encoding the tile failed: {e}"))
}

/// The cache shares one error among every waiting request; each gets its own.
fn clone_error(e: &SourceError) -> SourceError {
    match e {
        SourceError::Timeout => SourceError::Timeout,
        SourceError::Unavailable(inner) => SourceError::Unavailable(sqlx::Error::Protocol(inner.to_string())),
        SourceError::Schema { key, message } => SourceError::Schema { key, message: message.clone() },
        SourceError::Unsupported(m) => SourceError::Unsupported(m.clone()),
        SourceError::Internal(inner) => SourceError::Internal(anyhow::anyhow!("{inner:#}")),
    }
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 2), flate2::Compression::fast());
    enc.write_all(raw).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

fn gunzip(gz: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(gz.len() * 3);
    flate2::read::GzDecoder::new(gz).read_to_end(&mut out)?;
    Ok(out)
}

/// Drops the cached tiles that hold `layer`, single-layer and dataset tiles alike, when all of
/// a layer's data changes.
pub async fn invalidate_layer(registry: &Registry, layer: &str) {
    let layer = layer.to_string();
    registry.tiles.invalidate(move |k| k.style.split('~').next() == Some(STYLE) && k.layer.split(',').any(|l| l == layer)).await;
}

/// Drops the cached tiles that hold `layer` and meet `area` (an envelope in `crs`, the
/// storage CRS of the layer), single-layer and dataset tiles alike, in every group's variant:
/// the editing core calls it after a commit with the envelope of what changed. A tile's box is
/// grown by its buffer, since features just outside a tile are drawn into its margin.
pub async fn invalidate_area(registry: &Registry, layer: &str, area: Bbox, crs: Crs) {
    let sets: Vec<(String, TileMatrixSet, Option<Bbox>)> = tile_matrix_sets()
        .iter()
        .flat_map(|s| [s.clone(), s.hidpi()])
        .map(|s| {
            let edited = crate::crs::Transform::from_storage(crs, s.crs, false).ok().and_then(|t| t.envelope(&area));
            (s.id.clone(), s, edited)
        })
        .collect();
    let buffer = registry.layer(layer).map_or(0.0, |l| f64::from(l.tiles.buffer) / f64::from(l.tiles.extent.max(1)));
    let layer = layer.to_string();
    registry
        .tiles
        .invalidate(move |k| {
            if k.style.split('~').next() != Some(STYLE) || !k.layer.split(',').any(|l| l == layer) {
                return false;
            }
            // A tile of a set this server no longer knows, or an area that does not transform,
            // is dropped rather than risk serving a stale tile.
            let Some((_, set, edited)) = sets.iter().find(|(id, _, _)| **id == *k.tms) else { return true };
            let (Some(edited), Some(matrix)) = (edited, set.matrices.get(k.z as usize)) else { return true };
            let b = matrix.tile_bbox(k.row, k.col);
            let (mx, my) = ((b.max_x - b.min_x) * buffer, (b.max_y - b.min_y) * buffer);
            let grown = Bbox { min_x: b.min_x - mx, min_y: b.min_y - my, max_x: b.max_x + mx, max_y: b.max_y + my };
            // Closed boxes: an edited point has an empty envelope.
            grown.min_x <= edited.max_x && edited.min_x <= grown.max_x && grown.min_y <= edited.max_y && edited.min_y <= grown.max_y
        })
        .await;
}
