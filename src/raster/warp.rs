//! Reading a window of a mosaic in any CRS at any size.
//!
//! Output pixel centres are mapped to the mosaic's CRS through an approximate transform: the CRS
//! engine runs at the nodes of a grid only, positions between nodes are interpolated bilinearly,
//! and the grid is refined until the interpolation error at every cell centre stays below 1/8 of
//! an output pixel. The overview is the coarsest one still at least as fine as the output, and
//! pixels are sampled straight from the decoded blocks.

use ogc::bbox::Bbox;
use ogc::crs::Crs;

use super::resample::{Blocks, Cursor, ONE, Resampling};
use super::image::blend;
use super::{Mosaic, RasterError, Rgba};
use crate::crs::Transform;

/// What to read: `bbox` (easting first, the outer edges of the pixels) in `crs`, drawn into
/// `width` x `height` pixels.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub crs: Crs,
    pub bbox: Bbox,
    pub width: u32,
    pub height: u32,
}

/// Largest interpolation error accepted, in output pixels.
const MAX_ERROR: f64 = 0.125;
/// Blocks one read may decode, bounding its memory whatever the window.
pub const MAX_BLOCKS: usize = 256;

pub async fn read(mosaic: &Mosaic, window: &Window, resampling: Resampling) -> Result<Rgba, RasterError> {
    let map = PixelMap::build(window, mosaic.crs)?;
    let scale = map.source_units_per_pixel();
    let Some(footprint) = map.footprint(scale) else { return Ok(Rgba::transparent(window.width, window.height)) };
    let mut plans = Vec::new();
    let mut total = 0;
    for tile in mosaic.tiles_in(&footprint) {
        let levels = tile.cog.levels();
        let ratio = (scale.0 / levels[0].resolution.0).min(scale.1 / levels[0].resolution.1);
        let n = levels.iter().rposition(|l| l.resolution.0 / levels[0].resolution.0 <= ratio * 1.001).unwrap_or(0);
        let level = &levels[n];
        let (ox, oy) = (tile.bbox.min_x, tile.bbox.max_y);
        let (rx, ry) = level.resolution;
        let area = footprint.intersection(&tile.bbox);
        let Some(area) = area else { continue };
        let m = resampling.margin() as f64 + 1.0;
        let px = |v: f64, max: u32| v.clamp(0.0, max as f64 - 1.0) as u32;
        let (x0, x1) = (px((area.min_x - ox) / rx - m, level.width), px((area.max_x - ox) / rx + m, level.width));
        let (y0, y1) = (px((oy - area.max_y) / ry - m, level.height), px((oy - area.min_y) / ry + m, level.height));
        let (col0, col1) = (x0 / level.tile_width, x1 / level.tile_width);
        let (row0, row1) = (y0 / level.tile_height, y1 / level.tile_height);
        let wanted: Vec<(u32, u32)> = (row0..=row1).flat_map(|r| (col0..=col1).map(move |c| (c, r))).collect();
        total += wanted.len();
        if total > MAX_BLOCKS {
            return Err(RasterError::TooLarge(format!("the window needs more than {MAX_BLOCKS} blocks of imagery; ask for a smaller area or size")));
        }
        let blocks = tile.cog.blocks(n, &wanted).await?;
        plans.push(Plan {
            origin: (ox, oy),
            per_unit: (1.0 / rx, 1.0 / ry),
            inside: (position(tile.bbox.width(), 1.0 / rx), position(tile.bbox.height(), 1.0 / ry)),
            blocks: Blocks {
                col0,
                row0,
                across: col1 - col0 + 1,
                down: row1 - row0 + 1,
                tile_width: level.tile_width,
                tile_height: level.tile_height,
                level_width: level.width,
                level_height: level.height,
                blocks,
            },
        });
    }
    if plans.is_empty() {
        return Ok(Rgba::transparent(window.width, window.height));
    }
    super::on_blocking_pool(move || Ok(compose(&map, &plans, resampling))).await
}

/// One file's share of a read: its decoded blocks and how its level maps to the CRS.
struct Plan {
    origin: (f64, f64),
    /// Level pixels per CRS unit (the inverse resolution: a product per pixel, not a quotient).
    per_unit: (f64, f64),
    /// The file's far edges as kernel positions (its near edges are at -1/2 pixel).
    inside: (i64, i64),
    blocks: Blocks,
}

impl Plan {
    /// A source-CRS position and step per output pixel as the kernels' fixed-point level
    /// positions and steps: x and y, then their steps.
    fn fixed(&self, [sx, sy]: [f64; 2], [dx, dy]: [f64; 2]) -> (i64, i64, i64, i64) {
        let one = ONE as f64;
        let (x, y) = (position(sx - self.origin.0, self.per_unit.0), position(self.origin.1 - sy, self.per_unit.1));
        (x, y, (dx * self.per_unit.0 * one) as i64, (-dy * self.per_unit.1 * one) as i64)
    }
}

/// The kernel position (32.32 fixed point, integers at pixel centres) of a point `units` CRS
/// units from a level's origin.
fn position(units: f64, per_unit: f64) -> i64 {
    ((units * per_unit - 0.5) * ONE as f64) as i64
}

fn compose(map: &PixelMap, plans: &[Plan], resampling: Resampling) -> Rgba {
    // One loop per kernel, so the kernel is inlined into it rather than chosen per pixel.
    match resampling {
        Resampling::Nearest => compose_with(map, plans, Blocks::nearest),
        Resampling::Bilinear => compose_with(map, plans, Blocks::bilinear),
        Resampling::Cubic => compose_with(map, plans, Blocks::cubic),
    }
}

fn compose_with<'a>(map: &PixelMap, plans: &'a [Plan], sample: impl Fn(&'a Blocks, &mut Cursor<'a>, i64, i64) -> [u8; 4]) -> Rgba {
    let mut out = Rgba::transparent(map.width, map.height);
    let mut cursors: Vec<Cursor> = plans.iter().map(|_| Cursor::default()).collect();
    for j in 0..map.height {
        let line = &mut out.data[(j * map.width * 4) as usize..((j + 1) * map.width * 4) as usize];
        map.segments(j, |first, end, start, step| {
            for (plan, cursor) in plans.iter().zip(cursors.iter_mut()) {
                let (x, y, dx, dy) = plan.fixed(start, step);
                let n = (end - first) as i128;
                let (a, b) = steps_within(x, dx, plan.inside.0, n);
                let (c, d) = steps_within(y, dy, plan.inside.1, n);
                let (from, to) = (a.max(c), b.min(d));
                if from >= to {
                    continue;
                }
                let (mut x, mut y) = ((x as i128 + from * dx as i128) as i64, (y as i128 + from * dy as i128) as i64);
                for px in line[(first + from as usize) * 4..(first + to as usize) * 4].chunks_exact_mut(4) {
                    blend(px, sample(&plan.blocks, cursor, x, y));
                    // Wrapping: only the step after the last pixel may leave the file's range.
                    x = x.wrapping_add(dx);
                    y = y.wrapping_add(dy);
                }
            }
        });
    }
    out
}

/// The steps `i` in `0..n` where `start + i * step` lies in `-ONE / 2..=high`, the kernel
/// positions inside a file, as a range: found once per segment rather than tested per pixel.
fn steps_within(start: i64, step: i64, high: i64, n: i128) -> (i128, i128) {
    let (start, step, low, high) = (start as i128, step as i128, -(ONE as i128) / 2, high as i128);
    if step == 0 {
        return if (low..=high).contains(&start) { (0, n) } else { (0, 0) };
    }
    // With a negative step, the same question about the mirrored line.
    let (start, step, low, high) = if step > 0 { (start, step, low, high) } else { (-start, -step, -high, -low) };
    let from = (low - start).div_euclid(step) + i128::from((low - start).rem_euclid(step) != 0);
    let to = (high - start).div_euclid(step) + 1;
    (from.max(0), to.min(n))
}

/// Output pixel centres mapped to source CRS coordinates, exact at grid nodes.
struct PixelMap {
    width: u32,
    height: u32,
    step: u32,
    nx: usize,
    ny: usize,
    /// Source coordinates of the nodes, row-major; NaN where the transform failed.
    nodes: Vec<[f64; 2]>,
}

/// The output pixel coordinate of node `k`: every `step` pixels, the last pixel's centre last.
fn node_pos(k: usize, step: u32, size: u32) -> f64 {
    (k as u64 * step as u64).min(size as u64 - 1) as f64 + 0.5
}

fn node_count(step: u32, size: u32) -> usize {
    ((size - 1).div_ceil(step) + 1).max(2) as usize
}

impl PixelMap {
    fn build(w: &Window, source: Crs) -> Result<PixelMap, RasterError> {
        let t = Transform::to_storage(w.crs, false, source)?;
        let (pw, ph) = (w.bbox.width() / w.width as f64, w.bbox.height() / w.height as f64);
        let exact = |u: f64, v: f64| match t.convert(w.bbox.min_x + u * pw, w.bbox.max_y - v * ph) {
            Some((x, y)) if x.is_finite() && y.is_finite() => [x, y],
            _ => [f64::NAN; 2],
        };
        // An affine map is interpolated exactly from the corners.
        let mut step = if t.is_identity() { w.width.max(w.height).max(1) } else { 32 };
        loop {
            let (nx, ny) = (node_count(step, w.width), node_count(step, w.height));
            let mut nodes = Vec::with_capacity(nx * ny);
            for ky in 0..ny {
                for kx in 0..nx {
                    nodes.push(exact(node_pos(kx, step, w.width), node_pos(ky, step, w.height)));
                }
            }
            let map = PixelMap { width: w.width, height: w.height, step, nx, ny, nodes };
            if step == 1 || map.max_error(&exact) <= MAX_ERROR {
                return Ok(map);
            }
            step /= 2;
        }
    }

    /// The largest difference, in output pixels, between interpolated and exact positions at
    /// the cell centres.
    fn max_error(&self, exact: &dyn Fn(f64, f64) -> [f64; 2]) -> f64 {
        let mut worst: f64 = 0.0;
        for ky in 0..self.ny - 1 {
            for kx in 0..self.nx - 1 {
                let (u0, u1) = (node_pos(kx, self.step, self.width), node_pos(kx + 1, self.step, self.width));
                let (v0, v1) = (node_pos(ky, self.step, self.height), node_pos(ky + 1, self.step, self.height));
                let corners = [self.node(kx, ky), self.node(kx + 1, ky), self.node(kx, ky + 1), self.node(kx + 1, ky + 1)];
                let mid = |i: usize| (corners[0][i] + corners[1][i] + corners[2][i] + corners[3][i]) / 4.0;
                let e = exact((u0 + u1) / 2.0, (v0 + v1) / 2.0);
                let span = ((u1 - u0).max(v1 - v0)).max(1.0);
                let size = dist(corners[0], corners[3]) / std::f64::consts::SQRT_2 / span;
                let err = dist(e, [mid(0), mid(1)]) / size;
                if err.is_finite() {
                    worst = worst.max(err);
                }
            }
        }
        worst
    }

    fn node(&self, kx: usize, ky: usize) -> [f64; 2] {
        self.nodes[ky * self.nx + kx]
    }

    /// Output row `j` as segments between nodes, each given to `f` as its first pixel, the
    /// pixel after its last, the source coordinates of its first pixel's centre and their
    /// change per pixel; segments where the transform failed are left out.
    fn segments(&self, j: u32, mut f: impl FnMut(usize, usize, [f64; 2], [f64; 2])) {
        let v = j as f64 + 0.5;
        let ky = ((j / self.step) as usize).min(self.ny - 2);
        let (v0, v1) = (node_pos(ky, self.step, self.height), node_pos(ky + 1, self.step, self.height));
        let ty = if v1 > v0 { (v - v0) / (v1 - v0) } else { 0.0 };
        let lerp = |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
        // The last segment runs to the edge.
        for kx in 0..self.nx - 1 {
            let left = lerp(self.node(kx, ky), self.node(kx, ky + 1), ty);
            let right = lerp(self.node(kx + 1, ky), self.node(kx + 1, ky + 1), ty);
            let (u0, u1) = (node_pos(kx, self.step, self.width), node_pos(kx + 1, self.step, self.width));
            let scale = if u1 > u0 { 1.0 / (u1 - u0) } else { 0.0 };
            let first = (kx as u32 * self.step).min(self.width) as usize;
            let end = if kx == self.nx - 2 { self.width } else { ((kx as u32 + 1) * self.step).min(self.width) } as usize;
            let step = [(right[0] - left[0]) * scale, (right[1] - left[1]) * scale];
            let start = lerp(left, right, (first as f64 + 0.5 - u0) * scale);
            if first < end && start.iter().chain(&step).all(|v| v.is_finite()) {
                f(first, end, start, step);
            }
        }
    }

    /// The source-CRS envelope of the window, grown by one output pixel (of the given source
    /// units per pixel) on each side, since nodes sit at pixel centres.
    fn footprint(&self, (sx, sy): (f64, f64)) -> Option<Bbox> {
        let mut b: Option<Bbox> = None;
        for n in self.nodes.iter().filter(|n| n[0].is_finite()) {
            let p = Bbox { min_x: n[0], min_y: n[1], max_x: n[0], max_y: n[1] };
            b = Some(b.map_or(p, |b| b.union(&p)));
        }
        let b = b?;
        let g = sx.max(sy);
        Some(Bbox { min_x: b.min_x - g, min_y: b.min_y - g, max_x: b.max_x + g, max_y: b.max_y + g })
    }

    /// Mean source-CRS distance between horizontally and vertically adjacent output pixels.
    fn source_units_per_pixel(&self) -> (f64, f64) {
        let (mut sx, mut nxs, mut sy, mut nys) = (0.0, 0, 0.0, 0);
        for ky in 0..self.ny {
            for kx in 0..self.nx {
                if kx + 1 < self.nx {
                    let d = dist(self.node(kx, ky), self.node(kx + 1, ky)) / (node_pos(kx + 1, self.step, self.width) - node_pos(kx, self.step, self.width)).max(1.0);
                    if d.is_finite() {
                        sx += d;
                        nxs += 1;
                    }
                }
                if ky + 1 < self.ny {
                    let d = dist(self.node(kx, ky), self.node(kx, ky + 1)) / (node_pos(ky + 1, self.step, self.height) - node_pos(ky, self.step, self.height)).max(1.0);
                    if d.is_finite() {
                        sy += d;
                        nys += 1;
                    }
                }
            }
        }
        (sx / nxs.max(1) as f64, sy / nys.max(1) as f64)
    }
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Pixel values at a point of the mosaic's full-resolution level (GetFeatureInfo): `None`
/// outside every file or where no data is.
pub async fn pixel_at(mosaic: &Mosaic, crs: Crs, x: f64, y: f64) -> Result<Option<[u8; 4]>, RasterError> {
    let Some((sx, sy)) = Transform::to_storage(crs, false, mosaic.crs)?.convert(x, y) else { return Ok(None) };
    let mut found = None;
    for tile in mosaic.tiles_in(&Bbox { min_x: sx, min_y: sy, max_x: sx, max_y: sy }) {
        let level = &tile.cog.levels()[0];
        let (px, py) = (((sx - tile.bbox.min_x) / level.resolution.0) as u32, ((tile.bbox.max_y - sy) / level.resolution.1) as u32);
        let block = tile.cog.block(0, px / level.tile_width, py / level.tile_height).await?;
        let i = (((py % level.tile_height) * block.width + px % level.tile_width) * 4) as usize;
        let p = [block.rgba[i], block.rgba[i + 1], block.rgba[i + 2], block.rgba[i + 3]];
        if p[3] > 0 {
            found = Some(p);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_within_are_the_steps_a_per_pixel_test_keeps() {
        let half = ONE / 2;
        for start in [-3 * ONE, -half - 1, -half, 0, ONE / 3, 5 * ONE, 9 * ONE + 7] {
            for step in [-ONE, -ONE / 3 - 1, -1, 0, 1, ONE / 7, ONE, 3 * ONE] {
                for high in [-half, 0, 4 * ONE - half, 6 * ONE] {
                    let n = 12;
                    let kept: Vec<i128> = (0..n).filter(|i| (-half..=high).contains(&(start + *i as i64 * step))).collect();
                    let (from, to) = steps_within(start, step, high, n);
                    let range: Vec<i128> = (from..to).collect();
                    assert_eq!(range, kept, "start {start}, step {step}, high {high}");
                }
            }
        }
    }
}
