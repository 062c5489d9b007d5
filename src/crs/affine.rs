//! A transform replaced by affine maps, one per cell of an area, for a database that applies
//! an affine map (PostGIS `ST_Affine`) far faster than a projection (`ST_Transform`: an inverse
//! Lambert and a Mercator per vertex, 40 % of a vector tile statement). Over a tile the
//! projection between two conformal CRSs is nearly linear: the error of the best affine map
//! grows with the square of the cell's size, so halving cells divides it by four. The Rust
//! tile encoder takes the same maps, looked up per vertex, in place of PROJ's per-vertex
//! arithmetic (two thirds of its CPU with the exact transform).

use ogc::bbox::Bbox;

use super::Transform;

/// Cells per side the refinement stops at: a cell's test costs the database little, but 64 of
/// them per row is where it stops paying.
const MAX_CELLS: usize = 8;

/// Samples per side over which a cell's map is fitted; the error is checked between them too.
const SAMPLES: usize = 5;

/// The affine map standing for the transform over `area` (source CRS), as `ST_Affine` takes
/// it: `x' = a x + b y + xoff`, `y' = d x + e y + yoff`.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineCell {
    pub area: Bbox,
    pub a: f64,
    pub b: f64,
    pub d: f64,
    pub e: f64,
    pub xoff: f64,
    pub yoff: f64,
}

impl AffineCell {
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (self.a * x + self.b * y + self.xoff, self.d * x + self.e * y + self.yoff)
    }
}

/// The maps of an area cut in `n` x `n` cells, row by row from the lower left.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineGrid {
    pub area: Bbox,
    pub n: usize,
    pub cells: Vec<AffineCell>,
}

impl AffineGrid {
    /// The map of the cell whose square (without its overlap) holds the point; `None` outside
    /// the area.
    pub fn at(&self, x: f64, y: f64) -> Option<&AffineCell> {
        let n = self.n as f64;
        let i = ((x - self.area.min_x) / self.area.width() * n).floor();
        let j = ((y - self.area.min_y) / self.area.height() * n).floor();
        if !((0.0..n).contains(&i) && (0.0..n).contains(&j)) {
            return None;
        }
        self.cells.get(j as usize * self.n + i as usize)
    }
}

/// Affine maps over `area` split in 1, 4, 16 or 64 cells, the fewest whose every map stays
/// within `tolerance` (target units) of `t`. Cells overlap by an eighth of their size, so a
/// geometry straddling a cell boundary still fits one of them. `None` when even 64 cells
/// are not enough (the area is too large, or the transform fails inside it).
pub fn affine_cells(t: &Transform, area: &Bbox, tolerance: f64) -> Option<AffineGrid> {
    if t.is_identity() {
        return None;
    }
    let mut n = 1;
    while n <= MAX_CELLS {
        let (w, h) = (area.width() / n as f64, area.height() / n as f64);
        let margin = w.max(h) / 8.0;
        let cells: Option<Vec<AffineCell>> = (0..n * n)
            .map(|k| {
                let (i, j) = ((k % n) as f64, (k / n) as f64);
                let cell = Bbox {
                    min_x: area.min_x + i * w - margin,
                    min_y: area.min_y + j * h - margin,
                    max_x: area.min_x + (i + 1.0) * w + margin,
                    max_y: area.min_y + (j + 1.0) * h + margin,
                };
                within(t, cell, tolerance)
            })
            .collect();
        if let Some(cells) = cells {
            return Some(AffineGrid { area: *area, n, cells });
        }
        n *= 2;
    }
    None
}

/// The map fitted over `area` when it stays within `tolerance` of `t` there. The transform is
/// computed once per point of the checking grid, which holds the fitting one (every other
/// point): this fit is most of the CPU a vector tile costs the server, and computing the
/// fitting samples apart transformed a quarter more points.
fn within(t: &Transform, area: Bbox, tolerance: f64) -> Option<AffineCell> {
    const CHECK: usize = 2 * SAMPLES - 1;
    let exact: Vec<((f64, f64), (f64, f64))> = grid(&area, CHECK)
        .map(|(x, y)| t.convert(x, y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|e| ((x, y), e)))
        .collect::<Option<_>>()?;
    let samples = exact.iter().enumerate().filter(|(k, _)| k % CHECK % 2 == 0 && k / CHECK % 2 == 0).map(|(_, p)| *p);
    let cell = fit(samples, area);
    let error = exact.iter().fold(0.0f64, |worst, &((x, y), (ex, ey))| {
        let (ax, ay) = cell.apply(x, y);
        worst.max((ax - ex).hypot(ay - ey))
    });
    (error <= tolerance).then_some(cell)
}

/// The least-squares affine map through `samples` (source point, transformed point), a regular
/// grid of `SAMPLES` per side over `area`. The grid is symmetric about the cell's centre, so
/// the normal equations separate: the offset is the mean, each slope a ratio of sums.
fn fit(samples: impl Iterator<Item = ((f64, f64), (f64, f64))>, area: Bbox) -> AffineCell {
    let (cx, cy) = ((area.min_x + area.max_x) / 2.0, (area.min_y + area.max_y) / 2.0);
    let (mut sx, mut sy) = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0));
    let (mut uu, mut vv) = (0.0, 0.0);
    for ((x, y), (tx, ty)) in samples {
        let (u, v) = (x - cx, y - cy);
        sx = (sx.0 + tx, sx.1 + u * tx, sx.2 + v * tx);
        sy = (sy.0 + ty, sy.1 + u * ty, sy.2 + v * ty);
        uu += u * u;
        vv += v * v;
    }
    let count = (SAMPLES * SAMPLES) as f64;
    let (a, b, d, e) = (sx.1 / uu, sx.2 / vv, sy.1 / uu, sy.2 / vv);
    AffineCell { area, a, b, d, e, xoff: sx.0 / count - a * cx - b * cy, yoff: sy.0 / count - d * cx - e * cy }
}

fn grid(area: &Bbox, n: usize) -> impl Iterator<Item = (f64, f64)> + '_ {
    let step = move |lo: f64, hi: f64, i: usize| lo + (hi - lo) * i as f64 / (n - 1) as f64;
    (0..n * n).map(move |k| (step(area.min_x, area.max_x, k % n), step(area.min_y, area.max_y, k / n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ogc::crs::Crs;

    /// The WebMercatorQuad tile (z, x, y) and its envelope in Lambert-93.
    fn tile(z: i32, x: f64, y: f64) -> (Bbox, Bbox) {
        const W: f64 = 20_037_508.342_789_244;
        let size = 2.0 * W / 2f64.powi(z);
        let b = Bbox { min_x: -W + x * size, min_y: W - (y + 1.0) * size, max_x: -W + (x + 1.0) * size, max_y: W - y * size };
        let envelope = Transform::to_storage(Crs::Epsg(3857), false, Crs::LAMBERT93).unwrap().envelope(&b).unwrap();
        (b, envelope)
    }

    #[test]
    fn lambert93_to_web_mercator_within_an_eighth_of_a_tile_unit() {
        let exact = Transform::from_storage(Crs::LAMBERT93, Crs::Epsg(3857), false).unwrap();
        // Over Lille: tiles of zoom 12 to 16 (the bench's heaviest are 12 and 13).
        let mut cells_per_zoom = Vec::new();
        for z in 12..=16 {
            let scale = 2f64.powi(z - 12);
            let (b, envelope) = tile(z, (2082.0 * scale).floor(), (1378.0 * scale).floor());
            let tolerance = b.width() / 4096.0 / 8.0;
            let grid = affine_cells(&exact, &envelope, tolerance).expect("a tile is small enough");
            let cells = &grid.cells;
            cells_per_zoom.push(cells.len());
            // Points anywhere in the envelope, in the first cell holding them, as the SQL's CASE does.
            for k in 0..400 {
                let (x, y) = (envelope.min_x + envelope.width() * ((k * 37 % 400) as f64 / 399.0), envelope.min_y + envelope.height() * (k as f64 / 399.0));
                let cell = cells.iter().find(|c| (c.area.min_x..=c.area.max_x).contains(&x) && (c.area.min_y..=c.area.max_y).contains(&y)).expect("the cells cover the envelope");
                let ((ax, ay), (ex, ey)) = (cell.apply(x, y), exact.convert(x, y).unwrap());
                assert!((ax - ex).hypot(ay - ey) <= tolerance, "z{z} ({x}, {y}): {} > {tolerance}", (ax - ex).hypot(ay - ey));
                // The Rust encoder's lookup: the cell of the point's square, as close.
                let (gx, gy) = grid.at(x.min(envelope.max_x - 1e-6), y.min(envelope.max_y - 1e-6)).expect("inside the area").apply(x, y);
                assert!((gx - ex).hypot(gy - ey) <= tolerance, "z{z} ({x}, {y}) by lookup");
            }
        }
        // The error shrinks with the square of the area: fewer cells at higher zooms.
        assert!(cells_per_zoom.windows(2).all(|w| w[0] >= w[1]) && cells_per_zoom[0] > 1 && cells_per_zoom[4] == 1, "{cells_per_zoom:?}");
    }

    #[test]
    fn large_areas_and_identities_keep_the_exact_transform() {
        let exact = Transform::from_storage(Crs::LAMBERT93, Crs::Epsg(3857), false).unwrap();
        let (b, envelope) = tile(6, 32.0, 21.0);
        assert_eq!(affine_cells(&exact, &envelope, b.width() / 4096.0 / 8.0), None);
        let identity = Transform::from_storage(Crs::LAMBERT93, Crs::LAMBERT93, false).unwrap();
        assert_eq!(affine_cells(&identity, &envelope, 1.0), None);
        let (b, envelope) = tile(14, 8330.0, 5512.0);
        let grid = affine_cells(&exact, &envelope, b.width() / 4096.0 / 8.0).unwrap();
        assert!(grid.at(envelope.min_x - 1.0, envelope.min_y).is_none() && grid.at(f64::NAN, envelope.min_y).is_none());
    }
}
