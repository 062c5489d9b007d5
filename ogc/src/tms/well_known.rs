//! The tile matrix sets every instance offers, whatever its data: the two OGC registry sets
//! web clients know, and IGN Géoplateforme's grids that French clients are configured for.

use std::f64::consts::PI;

use super::TileMatrixSet;
use crate::bbox::Bbox;
use crate::crs::Crs;

pub const WEB_MERCATOR_QUAD: &str = "WebMercatorQuad";
pub const WORLD_CRS84_QUAD: &str = "WorldCRS84Quad";
pub const PM: &str = "PM";
pub const LAMB93_5CM: &str = "LAMB93_5cm_EPSG";

/// The ids of the well-known sets, in the order the server lists them.
pub const WELL_KNOWN: [&str; 4] = [WEB_MERCATOR_QUAD, WORLD_CRS84_QUAD, PM, LAMB93_5CM];

const GOOGLE_MAPS_COMPATIBLE: &str = "urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible";

/// Quadtree cell sizes: `coarsest` halved at each level (exact in binary floating point, so
/// every level is the registry's value, not an accumulation of rounding).
fn halvings(coarsest: f64, levels: u32) -> Vec<f64> {
    (0..levels).map(|z| coarsest / f64::from(1u32 << z)).collect()
}

/// Spherical Mercator on the WGS 84 semi-major axis: the world is a square of side 2πR.
fn mercator(id: &str, levels: u32) -> TileMatrixSet {
    let half = PI * 6378137.0;
    let world = Bbox { min_x: -half, min_y: -half, max_x: half, max_y: half };
    let mut set = TileMatrixSet::native(
        id,
        Crs::WEB_MERCATOR,
        [-half, half],
        &halvings(2.0 * half / 256.0, levels),
        [256, 256],
        &world,
    );
    set.well_known_scale_set = Some(GOOGLE_MAPS_COMPATIBLE.to_string());
    set
}

impl TileMatrixSet {
    /// A well-known set by id, or its HiDPI variant for `<id>@2x`.
    pub fn well_known(id: &str) -> Option<TileMatrixSet> {
        let (base, hidpi) = TileMatrixSet::split_hidpi(id);
        let set = match base {
            WEB_MERCATOR_QUAD => TileMatrixSet::web_mercator_quad(),
            WORLD_CRS84_QUAD => TileMatrixSet::world_crs84_quad(),
            PM => TileMatrixSet::pm(),
            LAMB93_5CM => TileMatrixSet::lamb93_5cm(),
            _ => return None,
        };
        Some(if hidpi { set.hidpi() } else { set })
    }

    /// OGC `WebMercatorQuad` (TMS 2.0 annex D), levels 0 to 24.
    pub fn web_mercator_quad() -> TileMatrixSet {
        TileMatrixSet {
            title: "Google Maps Compatible for the World".to_string(),
            uri: Some("http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad".to_string()),
            ..mercator(WEB_MERCATOR_QUAD, 25)
        }
    }

    /// OGC `WorldCRS84Quad` as TMS 2.0 defines it: level 0 is two 256-pixel tiles side by
    /// side (0.703125° per pixel), levels 0 to 23. WMTS 1.0's GoogleCRS84Quad started from
    /// one tile; TMS 2.0 dropped that level, and its scales stay a subset of that scale set.
    pub fn world_crs84_quad() -> TileMatrixSet {
        let world = Bbox { min_x: -180.0, min_y: -90.0, max_x: 180.0, max_y: 90.0 };
        let mut set = TileMatrixSet::native(
            WORLD_CRS84_QUAD,
            Crs::Crs84,
            [-180.0, 90.0],
            &halvings(180.0 / 256.0, 24),
            [256, 256],
            &world,
        );
        set.title = "CRS84 for the World".to_string();
        set.uri = Some("http://www.opengis.net/def/tilematrixset/OGC/1.0/WorldCRS84Quad".to_string());
        set.well_known_scale_set = Some("urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad".to_string());
        set
    }

    /// IGN Géoplateforme's `PM`: the same grid as WebMercatorQuad, ids "0".."21", offered
    /// under IGN's name so WMTS configurations written for data.geopf.fr work unchanged.
    pub fn pm() -> TileMatrixSet {
        TileMatrixSet { title: "Pseudo-Mercator (IGN Géoplateforme PM)".to_string(), ..mercator(PM, 22) }
    }

    /// Lambert-93 quadtree with IGN Géoplateforme's `LAMB93_5cm_EPSG` values: one top-left
    /// corner (0, 12 000 000) for every level, 256-pixel tiles, cell size 209 715.2 m at level
    /// 0 halved down to 0.05 m at level 22, the PCRS image resolution (and 0.025 m at level
    /// 22 of the `@2x` variant). Source: data.geopf.fr WMTS capabilities and ROK4's
    /// `LAMB93_5cm.tms`, which agree.
    pub fn lamb93_5cm() -> TileMatrixSet {
        // The published matrix sizes cover x from 0 to 1 290 240 m and y down to about
        // 1 237 530 m; they are not all derived from one extent (level 19 is one row short of
        // the others' rule), so they are taken as published rather than recomputed.
        const IGN_MATRIX_SIZES: [(u32, u32); 23] = [
            (1, 1),
            (1, 1),
            (1, 1),
            (1, 2),
            (1, 4),
            (1, 7),
            (2, 13),
            (4, 26),
            (7, 52),
            (13, 103),
            (25, 206),
            (50, 411),
            (99, 822),
            (197, 1643),
            (394, 3285),
            (788, 6569),
            (1575, 13138),
            (3150, 26276),
            (6300, 52552),
            (12600, 105102),
            (25200, 210205),
            (50400, 420409),
            (100800, 840818),
        ];
        let extent = Bbox { min_x: 0.0, min_y: 1_237_530.0, max_x: 1_290_240.0, max_y: 12_000_000.0 };
        let cells = halvings(0.05 * f64::from(1u32 << 22), 23);
        let mut set =
            TileMatrixSet::native(LAMB93_5CM, Crs::LAMBERT93, [0.0, 12_000_000.0], &cells, [256, 256], &extent);
        for (m, (width, height)) in set.matrices.iter_mut().zip(IGN_MATRIX_SIZES) {
            (m.matrix_width, m.matrix_height) = (width, height);
        }
        set.title = "Lambert-93, 5 cm quadtree (IGN Géoplateforme LAMB93_5cm_EPSG)".to_string();
        set
    }
}
