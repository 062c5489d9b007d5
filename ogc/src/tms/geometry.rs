//! Where tiles are: from (row, col) to ground coordinates and back, in the set's CRS with
//! easting first.

use std::ops::RangeInclusive;

use serde::Serialize;

use super::{EDGE_EPSILON, TileMatrix, TileMatrixSet};
use crate::bbox::Bbox;

/// The rows and columns of one matrix where a layer has tiles (TMS 2.0 TileMatrixLimits; the
/// field names serialise as the JSON encoding spells them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TileMatrixLimits {
    pub tile_matrix: String,
    #[serde(rename = "minTileRow")]
    pub min_row: u32,
    #[serde(rename = "maxTileRow")]
    pub max_row: u32,
    #[serde(rename = "minTileCol")]
    pub min_col: u32,
    #[serde(rename = "maxTileCol")]
    pub max_col: u32,
}

impl TileMatrixLimits {
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.min_row..=self.max_row).contains(&row) && (self.min_col..=self.max_col).contains(&col)
    }
}

impl TileMatrix {
    /// Ground size of one tile (x, y) in CRS units.
    pub fn tile_span(&self) -> (f64, f64) {
        (self.cell_size * f64::from(self.tile_width), self.cell_size * f64::from(self.tile_height))
    }

    pub fn contains(&self, row: u32, col: u32) -> bool {
        row < self.matrix_height && col < self.matrix_width
    }

    /// The ground covered by tile (row, col); rows count down from the origin.
    pub fn tile_bbox(&self, row: u32, col: u32) -> Bbox {
        let (span_x, span_y) = self.tile_span();
        let [ox, oy] = self.point_of_origin;
        Bbox {
            min_x: ox + f64::from(col) * span_x,
            min_y: oy - f64::from(row + 1) * span_y,
            max_x: ox + f64::from(col + 1) * span_x,
            max_y: oy - f64::from(row) * span_y,
        }
    }

    /// The tiles of this matrix that `bbox` touches, or `None` when it misses the matrix. A box
    /// edge lying on a tile edge does not pull in the neighbouring tile.
    pub fn limits(&self, bbox: &Bbox) -> Option<TileMatrixLimits> {
        let (span_x, span_y) = self.tile_span();
        let [ox, oy] = self.point_of_origin;
        let cols = index_range((bbox.min_x - ox) / span_x, (bbox.max_x - ox) / span_x, self.matrix_width)?;
        let rows = index_range((oy - bbox.max_y) / span_y, (oy - bbox.min_y) / span_y, self.matrix_height)?;
        Some(TileMatrixLimits {
            tile_matrix: self.id.clone(),
            min_row: rows.0,
            max_row: rows.1,
            min_col: cols.0,
            max_col: cols.1,
        })
    }
}

/// Tile indices covering the interval [lo, hi] (in tile units from the origin), clipped to
/// `0..count`.
fn index_range(lo: f64, hi: f64, count: u32) -> Option<(u32, u32)> {
    if !(lo.is_finite() && hi.is_finite()) || hi < 0.0 || lo >= f64::from(count) {
        return None;
    }
    let first = (lo + EDGE_EPSILON).floor().max(0.0);
    // A degenerate interval (a point, a line) still touches the tile it lies in.
    let last = ((hi - EDGE_EPSILON).ceil() - 1.0).max(first).min(f64::from(count) - 1.0);
    if first > last {
        return None;
    }
    Some((first as u32, last as u32))
}

impl TileMatrixSet {
    /// A matrix by id, with its index (its zoom level).
    pub fn matrix(&self, id: &str) -> Option<(usize, &TileMatrix)> {
        self.matrices.iter().enumerate().find(|(_, m)| m.id == id)
    }

    /// The ground covered by a tile, or `None` for a tile outside its matrix.
    pub fn tile_bbox(&self, z: usize, row: u32, col: u32) -> Option<Bbox> {
        let m = self.matrices.get(z)?;
        m.contains(row, col).then(|| m.tile_bbox(row, col))
    }

    /// Limits of the tiles covering `bbox` (in the set's CRS, easting first) at the zoom levels
    /// in `zooms`; levels the box misses are left out.
    pub fn limits(&self, bbox: &Bbox, zooms: RangeInclusive<usize>) -> Vec<TileMatrixLimits> {
        self.matrices
            .iter()
            .enumerate()
            .filter(|(z, _)| zooms.contains(z))
            .filter_map(|(_, m)| m.limits(bbox))
            .collect()
    }

    /// The zoom level whose cell size is closest to `resolution` (CRS units per pixel),
    /// compared by ratio: 0.7 is closer to 0.5 than to 1.
    pub fn closest_matrix(&self, resolution: f64) -> Option<usize> {
        let distance = |m: &TileMatrix| (m.cell_size / resolution).ln().abs();
        self.matrices
            .iter()
            .enumerate()
            .filter(|(_, m)| distance(m).is_finite())
            .min_by(|(_, a), (_, b)| distance(a).total_cmp(&distance(b)))
            .map(|(z, _)| z)
    }
}
