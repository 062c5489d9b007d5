//! A transform approximated over an area: the CRS engine runs at the nodes of a regular grid in
//! the source CRS only, and points between nodes are interpolated bilinearly. The grid is
//! refined until the interpolation error at every cell centre is below a tolerance; points
//! outside the area get the exact transform. This is the vector counterpart of the raster
//! warper's pixel map: a map's features have hundreds of thousands of vertices, and an exact
//! inverse Lambert per vertex was a third of a GetMap's CPU.

use ogc::bbox::Bbox;

use super::Transform;

/// Cells per side the refinement stops at, whatever the error: beyond it the exact transform
/// is as cheap as the nodes.
const MAX_CELLS: usize = 256;

pub struct GridTransform {
    exact: Transform,
    area: Bbox,
    cells: usize,
    /// Source units per cell, along x and y.
    cell: (f64, f64),
    /// Target coordinates of the nodes, row-major from `area`'s lower left; `None` when the
    /// transform failed at a node (the cells around it are transformed exactly).
    nodes: Vec<Option<(f64, f64)>>,
}

impl GridTransform {
    /// `t` approximated over `area` (source CRS) to within `tolerance` target units.
    pub fn new(exact: Transform, area: Bbox, tolerance: f64) -> GridTransform {
        let mut cells = 8;
        loop {
            let grid = Self::with_cells(exact.clone(), area, cells);
            if grid.exact.is_identity() || cells >= MAX_CELLS || grid.max_error() <= tolerance {
                return grid;
            }
            cells *= 2;
        }
    }

    fn with_cells(exact: Transform, area: Bbox, cells: usize) -> GridTransform {
        let cell = (area.width() / cells as f64, area.height() / cells as f64);
        let nodes = (0..=cells)
            .flat_map(|j| (0..=cells).map(move |i| (i, j)))
            .map(|(i, j)| exact.convert(area.min_x + i as f64 * cell.0, area.min_y + j as f64 * cell.1).filter(|(x, y)| x.is_finite() && y.is_finite()))
            .collect();
        GridTransform { exact, area, cells, cell, nodes }
    }

    /// The largest distance between interpolated and exact positions at the cell centres.
    fn max_error(&self) -> f64 {
        let mut worst: f64 = 0.0;
        for j in 0..self.cells {
            for i in 0..self.cells {
                let (x, y) = (self.area.min_x + (i as f64 + 0.5) * self.cell.0, self.area.min_y + (j as f64 + 0.5) * self.cell.1);
                if let (Some(a), Some(b)) = (self.interpolate(x, y), self.exact.convert(x, y)) {
                    worst = worst.max((a.0 - b.0).hypot(a.1 - b.1));
                }
            }
        }
        worst
    }

    fn interpolate(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let u = (x - self.area.min_x) / self.cell.0;
        let v = (y - self.area.min_y) / self.cell.1;
        if !(u >= 0.0 && v >= 0.0 && u <= self.cells as f64 && v <= self.cells as f64) {
            return None;
        }
        let (i, j) = ((u as usize).min(self.cells - 1), (v as usize).min(self.cells - 1));
        let (fu, fv) = (u - i as f64, v - j as f64);
        let row = self.cells + 1;
        let k = j * row + i;
        let (a, b, c, d) = (self.nodes[k]?, self.nodes[k + 1]?, self.nodes[k + row]?, self.nodes[k + row + 1]?);
        let lerp = |p: (f64, f64), q: (f64, f64), t: f64| (p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t);
        Some(lerp(lerp(a, b, fu), lerp(c, d, fu), fv))
    }

    pub fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        if self.exact.is_identity() {
            return Some((x, y));
        }
        self.interpolate(x, y).or_else(|| self.exact.convert(x, y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ogc::crs::Crs;

    #[test]
    fn lambert93_to_web_mercator_within_tolerance_inside_and_exact_outside() {
        let area = Bbox { min_x: 689_000.0, min_y: 7_045_000.0, max_x: 697_000.0, max_y: 7_053_000.0 };
        let exact = Transform::from_storage(Crs::LAMBERT93, Crs::Epsg(3857), false).unwrap();
        let grid = GridTransform::new(exact.clone(), area, 0.01);
        for (x, y) in [(689_000.0, 7_045_000.0), (693_123.4, 7_049_876.5), (697_000.0, 7_053_000.0), (689_001.0, 7_052_999.0)] {
            let (a, b) = (grid.convert(x, y).unwrap(), exact.convert(x, y).unwrap());
            assert!((a.0 - b.0).hypot(a.1 - b.1) <= 0.01, "{a:?} vs {b:?}");
        }
        // Outside the area: the exact transform.
        assert_eq!(grid.convert(650_000.0, 6_900_000.0), exact.convert(650_000.0, 6_900_000.0));
    }
}
