//! Several COGs read as one layer, which is how PCRS imagery is delivered (one file per 200 m or
//! 1 km square). The files share a CRS and a pixel grid; a spatial index finds those a window
//! touches.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cog::{BlockCache, Cog, FileReader, HttpReader, RangeReader};
use futures_util::{StreamExt, TryStreamExt};
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use rstar::{AABB, RTree, RTreeObject};

/// One file of the mosaic and where it lies in the mosaic's CRS.
pub struct Tile {
    pub cog: Cog,
    pub bbox: Bbox,
}

struct Indexed(usize, AABB<[f64; 2]>);

impl RTreeObject for Indexed {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.1
    }
}

pub struct Mosaic {
    pub crs: Crs,
    /// Full-resolution pixel size shared by every file (x, y).
    pub resolution: (f64, f64),
    /// The union of the files' extents, in `crs`.
    pub extent: Bbox,
    /// Top-left corner of the mosaic's pixel grid (the extent's, snapped to whole pixels).
    pub origin: (f64, f64),
    pub tiles: Vec<Tile>,
    index: RTree<Indexed>,
}

/// Where a mosaic's files are: local paths (a file, or a folder searched for `.tif`/`.tiff`)
/// or HTTP(S) URLs.
pub fn expand_locations(locations: &[String], base: &dyn Fn(&str) -> PathBuf) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for l in locations {
        if l.starts_with("http://") || l.starts_with("https://") {
            out.push(l.clone());
            continue;
        }
        let p = base(l);
        if p.is_dir() {
            let before = out.len();
            collect_tiffs(&p, &mut out).map_err(|e| format!("{}: {e}", p.display()))?;
            if out.len() == before {
                return Err(format!("{}: no .tif or .tiff file in this folder", p.display()));
            }
        } else if p.is_file() {
            out.push(p.display().to_string());
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    Ok(out)
}

fn collect_tiffs(dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_tiffs(&p, out)?;
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff")) {
            out.push(p.display().to_string());
        }
    }
    Ok(())
}

impl Mosaic {
    /// Opens every file (headers only), checks they form one grid, and indexes them.
    pub async fn open(locations: Vec<String>, cache: BlockCache, http_timeout: Duration) -> Result<Mosaic, String> {
        let cogs: Vec<Cog> = futures_util::stream::iter(locations)
            .map(|l| {
                let cache = cache.clone();
                async move {
                    let reader: Arc<dyn RangeReader> = if l.starts_with("http://") || l.starts_with("https://") {
                        Arc::new(HttpReader::new(&l, http_timeout).map_err(|e| e.to_string())?)
                    } else {
                        Arc::new(FileReader::open(Path::new(&l)).map_err(|e| e.to_string())?)
                    };
                    Cog::open(reader, cache).await.map_err(|e| e.to_string())
                }
            })
            .buffered(16)
            .try_collect()
            .await?;
        Mosaic::from_cogs(cogs)
    }

    fn from_cogs(cogs: Vec<Cog>) -> Result<Mosaic, String> {
        let first = cogs.first().ok_or("no file")?;
        let g0 = *first.georef();
        let epsg = g0.epsg.ok_or_else(|| format!("{}: no EPSG code in its GeoTIFF keys", first.name()))?;
        let mut tiles = Vec::with_capacity(cogs.len());
        for cog in cogs {
            let g = cog.georef();
            if g.epsg != Some(epsg) {
                let crs = g.epsg.map_or_else(|| "no EPSG code".to_string(), |c| format!("EPSG:{c}"));
                return Err(format!("{}: {crs} differs from the mosaic's EPSG:{epsg}", cog.name()));
            }
            let same = |a: f64, b: f64| ((a - b) / b).abs() < 1e-9;
            if !same(g.pixel_width, g0.pixel_width) || !same(g.pixel_height, g0.pixel_height) {
                return Err(format!("{}: pixel size {}x{} differs from the mosaic's {}x{}", cog.name(), g.pixel_width, g.pixel_height, g0.pixel_width, g0.pixel_height));
            }
            let off = |d: f64, r: f64| {
                let n = d / r;
                (n - n.round()).abs() > 0.01
            };
            if off(g.origin_x - g0.origin_x, g0.pixel_width) || off(g.origin_y - g0.origin_y, g0.pixel_height) {
                return Err(format!("{}: its pixels are not aligned with the mosaic's pixel grid", cog.name()));
            }
            let level = &cog.levels()[0];
            let bbox = Bbox {
                min_x: g.origin_x,
                max_x: g.origin_x + level.width as f64 * g.pixel_width,
                max_y: g.origin_y,
                min_y: g.origin_y - level.height as f64 * g.pixel_height,
            };
            tiles.push(Tile { cog, bbox });
        }
        let extent = tiles.iter().map(|t| t.bbox).reduce(|a, b| a.union(&b)).expect("at least one file");
        let index = RTree::bulk_load(tiles.iter().enumerate().map(|(i, t)| Indexed(i, AABB::from_corners([t.bbox.min_x, t.bbox.min_y], [t.bbox.max_x, t.bbox.max_y]))).collect());
        Ok(Mosaic { crs: Crs::Epsg(epsg), resolution: (g0.pixel_width, g0.pixel_height), origin: (extent.min_x, extent.max_y), extent, tiles, index })
    }

    /// The files whose extent meets `bbox`, in configuration order (later files are drawn over
    /// earlier ones).
    pub fn tiles_in(&self, bbox: &Bbox) -> Vec<&Tile> {
        let env = AABB::from_corners([bbox.min_x, bbox.min_y], [bbox.max_x, bbox.max_y]);
        let mut hits: Vec<usize> = self.index.locate_in_envelope_intersecting(&env).map(|i| i.0).collect();
        hits.sort_unstable();
        hits.into_iter().map(|i| &self.tiles[i]).filter(|t| t.bbox.min_x < bbox.max_x && t.bbox.max_x > bbox.min_x && t.bbox.min_y < bbox.max_y && t.bbox.max_y > bbox.min_y).collect()
    }

    /// The resolutions the mosaic offers, full resolution first: its files' levels (the first
    /// file's, since files of one delivery share their overview structure).
    pub fn level_resolutions(&self) -> Vec<(f64, f64)> {
        self.tiles[0].cog.levels().iter().map(|l| l.resolution).collect()
    }

    /// The extent in another CRS (easting first), edges densified.
    pub fn extent_in(&self, crs: Crs) -> Option<Bbox> {
        crate::crs::Transform::from_storage(self.crs, crs, false).ok()?.envelope(&self.extent)
    }

    /// The block size of the full-resolution level.
    pub fn block_size(&self) -> (u32, u32) {
        let l = &self.tiles[0].cog.levels()[0];
        (l.tile_width, l.tile_height)
    }
}
