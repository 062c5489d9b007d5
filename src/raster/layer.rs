//! An imagery layer: a COG mosaic and what the tile and map faces offer of it.

use std::time::Duration;

use std::collections::HashMap;

use cog::BlockCache;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::tms::{TileMatrixLimits, TileMatrixSet};

use super::{Mosaic, Resampling};
use crate::config::{ConfigError, Origin, RasterConfig};
use crate::crs::Transform;
use ogc::tiles::TileFormat;

use crate::tiles::encode::{EncodeOptions, IMAGE_FORMATS};

pub struct RasterLayer {
    pub id: String,
    pub title: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub attribution: Option<String>,
    pub mosaic: Mosaic,
    /// The mosaic's extent in CRS84.
    pub extent: Bbox,
    /// The set derived from the files: their CRS, their levels, their block size. Its tiles are
    /// the files' blocks, so JPEG tiles of it pass through undecoded.
    pub native: TileMatrixSet,
    /// Every base set offered (native first); `@2x` variants are derived on request.
    pub tile_matrix_sets: Vec<TileMatrixSet>,
    /// The `@2x` variant of each base set, made once rather than per tile request.
    hidpi: Vec<TileMatrixSet>,
    pub formats: Vec<TileFormat>,
    /// Per base set id: the deepest level served and the tiles with imagery down to it,
    /// computed once since every tile request checks them.
    grids: HashMap<String, Grid>,
    pub resampling: Resampling,
    pub encode: EncodeOptions,
}

impl RasterLayer {
    pub async fn open(i: usize, rc: &RasterConfig, origin: &Origin, blocks: BlockCache, http_timeout: Duration) -> Result<RasterLayer, ConfigError> {
        let id = rc.id.get_ref().clone();
        let key = |k: &str| format!("rasters[{i}].{k}");
        let files_span = Some(rc.files.span());
        let locations = super::mosaic::expand_locations(rc.files.get_ref(), &|p| origin.resolve(&crate::config::expand_env(p))).map_err(|e| origin.error(files_span.clone(), key("files"), e))?;
        let mosaic = Mosaic::open(locations, blocks, http_timeout).await.map_err(|e| origin.error(files_span.clone(), key("files"), e))?;
        crate::crs::check(mosaic.crs).map_err(|e| origin.error(files_span.clone(), key("files"), e.to_string()))?;
        let extent = mosaic
            .extent_in(Crs::Crs84)
            .ok_or_else(|| origin.error(files_span.clone(), key("files"), "the imagery's extent cannot be expressed in longitude/latitude"))?;
        let resolutions: Vec<f64> = mosaic.level_resolutions().iter().map(|r| r.0).collect();
        let (bw, bh) = mosaic.block_size();
        let mut native = TileMatrixSet::native(&format!("{id}-native"), mosaic.crs, [mosaic.origin.0, mosaic.origin.1], &resolutions, [bw, bh], &mosaic.extent);
        native.title = format!("{} (native grid)", rc.title.as_deref().unwrap_or(&id));
        let mut tile_matrix_sets = vec![native.clone()];
        match &rc.tile_matrix_sets {
            Some(names) => {
                for n in names.get_ref() {
                    let set = TileMatrixSet::well_known(n).filter(|s| s.id == *n).ok_or_else(|| {
                        origin.error(Some(names.span()), key("tile_matrix_sets"), format!("'{n}' is not a known tile matrix set ({})", ogc::tms::WELL_KNOWN.join(", ")))
                    })?;
                    crate::crs::check(set.crs).map_err(|e| origin.error(Some(names.span()), key("tile_matrix_sets"), e.to_string()))?;
                    tile_matrix_sets.push(set);
                }
            }
            None => tile_matrix_sets.extend(ogc::tms::WELL_KNOWN.iter().filter_map(|id| TileMatrixSet::well_known(id))),
        }
        let formats = match &rc.formats {
            Some(f) => f.get_ref().iter().filter_map(|m| image_format(m)).collect(),
            None => IMAGE_FORMATS.to_vec(),
        };
        let grids = tile_matrix_sets
            .iter()
            .map(|set| {
                let max_zoom = max_zoom(&mosaic, set);
                let limits = mosaic.extent_in(set.crs).map_or_else(Vec::new, |b| set.limits(&b, 0..=max_zoom));
                (set.id.clone(), Grid { max_zoom, limits })
            })
            .collect();
        Ok(RasterLayer {
            grids,
            title: rc.title.clone().unwrap_or_else(|| id.clone()),
            id,
            description: rc.abstract_.clone().unwrap_or_default(),
            keywords: rc.keywords.clone(),
            attribution: rc.attribution.clone(),
            mosaic,
            extent,
            native,
            hidpi: tile_matrix_sets.iter().map(TileMatrixSet::hidpi).collect(),
            tile_matrix_sets,
            formats,
            resampling: rc.resampling,
            encode: EncodeOptions { jpeg_quality: rc.jpeg_quality, ..EncodeOptions::default() },
        })
    }

    /// A set this layer offers, by id, `@2x` variants included.
    pub fn tile_matrix_set(&self, id: &str) -> Option<&TileMatrixSet> {
        self.tile_matrix_sets.iter().chain(&self.hidpi).find(|s| s.id == id)
    }

    /// Every set offered: the base sets, then their `@2x` variants.
    pub fn all_tile_matrix_sets(&self) -> impl Iterator<Item = &TileMatrixSet> {
        self.tile_matrix_sets.iter().chain(&self.hidpi)
    }

    /// The deepest level served in `set` (a base set or its `@2x` variant).
    pub fn max_zoom(&self, set: &TileMatrixSet) -> usize {
        self.grid(set).map_or(0, |g| g.max_zoom)
    }

    fn grid(&self, set: &TileMatrixSet) -> Option<&Grid> {
        self.grids.get(TileMatrixSet::split_hidpi(&set.id).0)
    }

    /// Whether tile (z, row, col) of `set` has imagery, as the limits advertise.
    pub fn has_tile(&self, set: &TileMatrixSet, z: usize, row: u32, col: u32) -> bool {
        let Some(id) = set.matrices.get(z).map(|m| &m.id) else { return false };
        self.grid(set).is_some_and(|g| g.limits.iter().any(|l| l.tile_matrix == *id && l.contains(row, col)))
    }

    /// The mosaic's extent in a set's CRS (easting first).
    pub fn extent_in(&self, set: &TileMatrixSet) -> Option<Bbox> {
        self.mosaic.extent_in(set.crs)
    }

    /// TileMatrixSetLimits: the tiles with imagery, per zoom level down to `max_zoom`
    /// (a `@2x` variant has the same tiles).
    pub fn limits(&self, set: &TileMatrixSet) -> Vec<TileMatrixLimits> {
        self.grid(set).map_or_else(Vec::new, |g| g.limits.clone())
    }
}

/// An image format by media type (`image/jpeg`) or short name (`jpg`).
pub fn image_format(text: &str) -> Option<TileFormat> {
    TileFormat::from_media_type(text).or_else(|| TileFormat::from_extension(text)).filter(|f| IMAGE_FORMATS.contains(f))
}

struct Grid {
    max_zoom: usize,
    limits: Vec<TileMatrixLimits>,
}

/// The levels worth serving in `set`: down to one level finer than the imagery.
fn max_zoom(mosaic: &Mosaic, set: &TileMatrixSet) -> usize {
    let in_set = resolution_in(mosaic, set.crs).unwrap_or(mosaic.resolution.0);
    set.matrices.iter().rposition(|m| m.cell_size >= in_set * 0.75).map_or(set.matrices.len() - 1, |z| (z + 1).min(set.matrices.len() - 1))
}

/// The full resolution expressed in `crs` units (metres to degrees for geographic sets).
fn resolution_in(mosaic: &Mosaic, crs: Crs) -> Option<f64> {
    let t = Transform::from_storage(mosaic.crs, crs, false).ok()?;
    let e = &mosaic.extent;
    let (cx, cy) = ((e.min_x + e.max_x) / 2.0, (e.min_y + e.max_y) / 2.0);
    let d = mosaic.resolution.0 * 100.0;
    let (x0, y0) = t.convert(cx, cy)?;
    let (x1, y1) = t.convert(cx + d, cy)?;
    Some(((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt() / 100.0)
}
