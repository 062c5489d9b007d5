//! OGC Two Dimensional Tile Matrix Set 2.0: the tiling schemes WMTS and OGC API Tiles share.
//!
//! Every matrix here has its corner of origin at the top left, which is what WMTS 1.0 can
//! express and what every XYZ client assumes. Coordinates are kept easting-first internally
//! (x, y); the writers put them in the CRS's own axis order, which is the one place clients
//! disagree most.
//!
//! HiDPI: the 512-pixel variant of a set is a set of its own, named with [`HIDPI_SUFFIX`]
//! (`WebMercatorQuad@2x`). It covers the same ground per tile with twice the pixels, so tile
//! (z, row, col) of `X@2x` is tile (z, row, col) of `X` rendered at double density. A client
//! asks for it by that id wherever a tile matrix set id goes (WMTS `TILEMATRIXSET`, OGC API
//! `{tileMatrixSetId}`), and [`TileMatrixSet::split_hidpi`] tells the server which base set
//! to derive it from.

mod geometry;
pub mod json;
mod well_known;

#[cfg(test)]
pub(crate) mod schema_check;
#[cfg(test)]
mod tests;

use crate::bbox::Bbox;
use crate::crs::Crs;

pub use geometry::TileMatrixLimits;
pub use well_known::{LAMB93_5CM, PM, WEB_MERCATOR_QUAD, WELL_KNOWN, WORLD_CRS84_QUAD};

/// The pixel size the scale denominators of WMTS 1.0 and TMS 2.0 are defined with (0.28 mm).
pub const STANDARD_PIXEL_SIZE: f64 = 0.00028;

/// Metres per degree on the WGS 84 semi-major axis, as both standards convert degrees.
pub const METRES_PER_DEGREE: f64 = 6378137.0 * std::f64::consts::PI / 180.0;

/// Appended to a set's id to name its 512-pixel (HiDPI) variant.
pub const HIDPI_SUFFIX: &str = "@2x";

/// The order and kind of a CRS's axes, which decides how origins are written and how a cell
/// size becomes a scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AxisOrder {
    /// Projected, easting first (EPSG:3857, 2154, 3942–3950).
    EastNorth,
    /// Projected, northing first (e.g. EPSG:3035).
    NorthEast,
    /// Geographic, longitude first (OGC CRS84).
    LonLat,
    /// Geographic, latitude first: EPSG's geographic CRSs (4326, 4258).
    LatLon,
}

impl AxisOrder {
    /// The axis order of the CRSs this crate knows without a CRS database: CRS84 and the two
    /// geographic EPSG codes the server must support; everything else is taken as projected
    /// easting first. A caller whose CRS engine says otherwise sets [`TileMatrixSet::axes`].
    pub fn of(crs: Crs) -> AxisOrder {
        match crs {
            Crs::Crs84 => AxisOrder::LonLat,
            Crs::Epsg(4326 | 4258) => AxisOrder::LatLon,
            Crs::Epsg(_) => AxisOrder::EastNorth,
        }
    }

    pub fn northing_first(self) -> bool {
        matches!(self, AxisOrder::NorthEast | AxisOrder::LatLon)
    }

    pub fn is_geographic(self) -> bool {
        matches!(self, AxisOrder::LonLat | AxisOrder::LatLon)
    }

    /// Axis abbreviations for TMS 2.0 `orderedAxes`, spelt as the OGC registry spells them.
    pub fn labels(self) -> [&'static str; 2] {
        match self {
            AxisOrder::EastNorth => ["X", "Y"],
            AxisOrder::NorthEast => ["Y", "X"],
            AxisOrder::LonLat => ["Lon", "Lat"],
            AxisOrder::LatLon => ["Lat", "Lon"],
        }
    }

    /// An easting-first point in this axis order.
    pub fn ordered(self, [x, y]: [f64; 2]) -> [f64; 2] {
        if self.northing_first() { [y, x] } else { [x, y] }
    }

    /// Scale denominator of a cell size in CRS units, with the standard 0.28 mm pixel.
    pub fn scale_denominator(self, cell_size: f64) -> f64 {
        let metres = if self.is_geographic() { cell_size * METRES_PER_DEGREE } else { cell_size };
        metres / STANDARD_PIXEL_SIZE
    }
}

/// One zoom level: a grid of equally sized tiles hanging from a top-left corner.
#[derive(Clone, Debug, PartialEq)]
pub struct TileMatrix {
    pub id: String,
    pub scale_denominator: f64,
    /// CRS units per pixel.
    pub cell_size: f64,
    /// Top-left corner of tile (0, 0), easting first.
    pub point_of_origin: [f64; 2],
    pub tile_width: u32,
    pub tile_height: u32,
    pub matrix_width: u32,
    pub matrix_height: u32,
}

/// A tiling scheme: matrices ordered from coarsest (index 0) to finest.
#[derive(Clone, Debug, PartialEq)]
pub struct TileMatrixSet {
    pub id: String,
    pub title: String,
    /// The OGC registry URI, for sets defined there.
    pub uri: Option<String>,
    pub crs: Crs,
    pub axes: AxisOrder,
    /// WMTS well-known scale set URN (`urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible`); clients
    /// use it to recognise a grid they can overlay on their own basemaps.
    pub well_known_scale_set: Option<String>,
    pub matrices: Vec<TileMatrix>,
}

/// Tolerance, in tiles, under which a coordinate on a tile edge is taken as on the edge: grid
/// arithmetic in floating point lands a hair off exact multiples.
pub(crate) const EDGE_EPSILON: f64 = 1e-9;

impl TileMatrixSet {
    /// A set derived from a raster pyramid (a COG and its overviews): one top-left `origin`
    /// (easting first) for all levels, one level per distinct resolution, ordered coarse to
    /// fine with ids "0".."n" whatever order `resolutions` come in (COGs list the full
    /// resolution first, overviews after). Each matrix is just large enough to cover
    /// `extent` from the origin. The title is the id; the caller sets a better one.
    pub fn native(
        id: &str,
        crs: Crs,
        origin: [f64; 2],
        resolutions: &[f64],
        tile_size: [u32; 2],
        extent: &Bbox,
    ) -> TileMatrixSet {
        let axes = AxisOrder::of(crs);
        let mut cells: Vec<f64> = resolutions.iter().copied().filter(|r| r.is_finite() && *r > 0.0).collect();
        cells.sort_by(|a, b| b.total_cmp(a));
        cells.dedup();
        let matrices = cells
            .iter()
            .enumerate()
            .map(|(z, &cell_size)| {
                let span_x = cell_size * f64::from(tile_size[0]);
                let span_y = cell_size * f64::from(tile_size[1]);
                TileMatrix {
                    id: z.to_string(),
                    scale_denominator: axes.scale_denominator(cell_size),
                    cell_size,
                    point_of_origin: origin,
                    tile_width: tile_size[0],
                    tile_height: tile_size[1],
                    matrix_width: tiles_to_cover(extent.max_x - origin[0], span_x),
                    matrix_height: tiles_to_cover(origin[1] - extent.min_y, span_y),
                }
            })
            .collect();
        TileMatrixSet {
            id: id.to_string(),
            title: id.to_string(),
            uri: None,
            crs,
            axes,
            well_known_scale_set: None,
            matrices,
        }
    }

    /// The 512-pixel variant: same tiles on the ground, twice the pixels each way, so cell
    /// sizes and scale denominators are halved. It is not the registry's set any more, and the
    /// well-known scale set is dropped because clients read it as "256-pixel tiles".
    pub fn hidpi(&self) -> TileMatrixSet {
        TileMatrixSet {
            id: format!("{}{HIDPI_SUFFIX}", self.id),
            title: format!("{} (512 px tiles, HiDPI)", self.title),
            uri: None,
            crs: self.crs,
            axes: self.axes,
            well_known_scale_set: None,
            matrices: self
                .matrices
                .iter()
                .map(|m| TileMatrix {
                    scale_denominator: m.scale_denominator / 2.0,
                    cell_size: m.cell_size / 2.0,
                    tile_width: m.tile_width * 2,
                    tile_height: m.tile_height * 2,
                    ..m.clone()
                })
                .collect(),
        }
    }

    /// Splits a requested id into its base set and whether the HiDPI variant is asked for.
    pub fn split_hidpi(id: &str) -> (&str, bool) {
        match id.strip_suffix(HIDPI_SUFFIX) {
            Some(base) if !base.is_empty() => (base, true),
            _ => (id, false),
        }
    }
}

/// Tiles of `span` needed to cover `length` from the origin: at least one, and a length that
/// is an exact multiple of the span does not spill into one more.
fn tiles_to_cover(length: f64, span: f64) -> u32 {
    let n = (length / span - EDGE_EPSILON).ceil();
    if n.is_finite() && n >= 1.0 { n.min(f64::from(u32::MAX)) as u32 } else { 1 }
}
