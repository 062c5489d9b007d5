//! Sampling a level of a COG at fractional pixel positions: nearest, bilinear and cubic, read
//! straight from the decoded blocks (no intermediate canvas is copied).

use std::sync::Arc;

use cog::Block;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resampling {
    Nearest,
    #[default]
    Bilinear,
    Cubic,
}

impl Resampling {
    /// How many source pixels beyond the sampled one a kernel reads.
    pub fn margin(self) -> u32 {
        match self {
            Resampling::Nearest => 0,
            Resampling::Bilinear => 1,
            Resampling::Cubic => 2,
        }
    }
}

/// The decoded blocks of one level covering a window, addressed in level pixels.
pub struct Blocks {
    pub col0: u32,
    pub row0: u32,
    pub across: u32,
    pub down: u32,
    pub tile_width: u32,
    pub tile_height: u32,
    /// The level's size: samples beyond its edge repeat the edge pixel, since TIFF pads edge
    /// blocks with meaningless values.
    pub level_width: u32,
    pub level_height: u32,
    pub blocks: Vec<Arc<Block>>,
}

/// `(v / size, v % size)`, by shift and mask for the power-of-two block sizes TIFF files use
/// (a division per coordinate dominated the sampling time).
#[inline]
fn split(v: u32, size: u32) -> (u32, u32) {
    if size.is_power_of_two() { (v >> size.trailing_zeros(), v & (size - 1)) } else { (v / size, v % size) }
}

impl Blocks {
    /// The decoded block at block column `bc`, row `br` of the level, if this read holds it.
    #[inline]
    fn block(&self, bc: u32, br: u32) -> Option<&Block> {
        if bc < self.col0 || br < self.row0 || bc - self.col0 >= self.across || br - self.row0 >= self.down {
            return None;
        }
        Some(&self.blocks[((br - self.row0) * self.across + (bc - self.col0)) as usize])
    }

    #[inline]
    fn px(&self, x: i64, y: i64) -> [u8; 4] {
        let x = x.clamp(0, self.level_width as i64 - 1) as u32;
        let y = y.clamp(0, self.level_height as i64 - 1) as u32;
        let ((bc, ix), (br, iy)) = (split(x, self.tile_width), split(y, self.tile_height));
        let Some(block) = self.block(bc, br).filter(|b| ix < b.width && iy < b.height) else {
            return [0; 4];
        };
        let i = (iy as usize * block.width as usize + ix as usize) * 4;
        let p = &block.rgba[i..i + 4];
        [p[0], p[1], p[2], p[3]]
    }

    /// The four pixels (x, y), (x+1, y), (x, y+1), (x+1, y+1) when they lie in one block and
    /// inside the level, the case of nearly every output pixel; `None` near block and level edges.
    #[inline]
    fn quad(&self, x: i64, y: i64) -> Option<([&[u8]; 2], bool)> {
        if x < 0 || y < 0 || x + 1 >= self.level_width as i64 || y + 1 >= self.level_height as i64 {
            return None;
        }
        let ((bc, ix), (br, iy)) = (split(x as u32, self.tile_width), split(y as u32, self.tile_height));
        if ix + 1 >= self.tile_width || iy + 1 >= self.tile_height {
            return None;
        }
        let block = self.block(bc, br).filter(|b| ix + 1 < b.width && iy + 1 < b.height)?;
        let stride = block.width as usize * 4;
        let i = iy as usize * stride + ix as usize * 4;
        Some(([&block.rgba[i..i + 8], &block.rgba[i + stride..i + stride + 8]], block.opaque))
    }

    /// The pixel value at the level position (`x`, `y`), in pixel units whose integers are
    /// pixel corners (so the centre of pixel 0 is 0.5). The warper calls the kernels directly.
    #[cfg(test)]
    fn sample(&self, x: f64, y: f64, resampling: Resampling) -> [u8; 4] {
        let fixed = |v: f64| ((v - 0.5) * ONE as f64).round() as i64;
        let cursor = &mut Cursor::default();
        match resampling {
            Resampling::Nearest => self.nearest(cursor, fixed(x), fixed(y)),
            Resampling::Bilinear => self.bilinear(cursor, fixed(x), fixed(y)),
            Resampling::Cubic => self.cubic(cursor, fixed(x), fixed(y)),
        }
    }

    #[inline]
    pub fn nearest(&self, _: &mut Cursor<'_>, x: i64, y: i64) -> [u8; 4] {
        self.px((x + ONE / 2) >> 32, (y + ONE / 2) >> 32)
    }

    /// Bilinear at a position rounded to 1/256 pixel, the precision of the fixed-point weights.
    #[inline]
    pub fn bilinear<'a>(&'a self, cursor: &mut Cursor<'a>, x: i64, y: i64) -> [u8; 4] {
        const HALF_STEP: i64 = 1 << 23;
        let (x, y) = (x + HALF_STEP, y + HALF_STEP);
        let (x0, y0) = (x >> 32, y >> 32);
        let (wx, wy) = (((x >> 24) & 255) as u32, ((y >> 24) & 255) as u32);
        if let Some(quad) = cursor.quad(self, x0, y0) {
            return bilinear_opaque(quad, wx, wy);
        }
        if let Some(([top, bottom], opaque)) = self.quad(x0, y0)
            && (opaque || top[3] & top[7] & bottom[3] & bottom[7] == 255)
        {
            return bilinear_opaque([top, bottom], wx, wy);
        }
        let (tx, ty) = (wx as f64 / 256.0, wy as f64 / 256.0);
        let weights = [(1.0 - tx) * (1.0 - ty), tx * (1.0 - ty), (1.0 - tx) * ty, tx * ty];
        let taps = [self.px(x0, y0), self.px(x0 + 1, y0), self.px(x0, y0 + 1), self.px(x0 + 1, y0 + 1)];
        blend(taps.iter().zip(weights))
    }

    pub fn cubic(&self, _: &mut Cursor<'_>, x: i64, y: i64) -> [u8; 4] {
        let (x0, y0) = (x >> 32, y >> 32);
        let fraction = |v: i64| (v & (ONE - 1)) as f64 / ONE as f64;
        let (wx, wy) = (cubic_weights(fraction(x)), cubic_weights(fraction(y)));
        let mut taps = [([0u8; 4], 0.0); 16];
        for (j, wyj) in wy.iter().enumerate() {
            for (i, wxi) in wx.iter().enumerate() {
                taps[j * 4 + i] = (self.px(x0 + i as i64 - 1, y0 + j as i64 - 1), wxi * wyj);
            }
        }
        blend(taps.iter().map(|(p, w)| (p, *w)))
    }
}

/// One level pixel in the 32.32 fixed point of kernel positions. Kernels take positions shifted
/// by half a pixel, so that integers are pixel centres: the warper steps them along an output
/// row with one integer addition per pixel.
pub const ONE: i64 = 1 << 32;

/// The opaque block the previous bilinear sample read. The next sample of the row nearly always
/// falls in it, and is then found with two comparisons instead of a block lookup (which, with
/// the floating-point kernel, was most of a reprojected map's time).
#[derive(Default)]
pub struct Cursor<'a> {
    /// The block's first level pixel.
    x: i64,
    y: i64,
    /// How many top-left corners of a 2 x 2 quad the block holds across and down (0: none).
    across: u64,
    down: u64,
    stride: usize,
    rgba: &'a [u8],
}

impl<'a> Cursor<'a> {
    #[inline]
    fn quad(&mut self, blocks: &'a Blocks, x: i64, y: i64) -> Option<[&'a [u8]; 2]> {
        if !self.holds(x, y) {
            self.enter(blocks, x, y);
            if !self.holds(x, y) {
                return None;
            }
        }
        let i = (y - self.y) as usize * self.stride + (x - self.x) as usize * 4;
        let rgba = self.rgba;
        Some([&rgba[i..i + 8], &rgba[i + self.stride..i + self.stride + 8]])
    }

    /// Whether the quad with top-left corner (x, y) lies in the block.
    #[inline]
    fn holds(&self, x: i64, y: i64) -> bool {
        ((x - self.x) as u64) < self.across && ((y - self.y) as u64) < self.down
    }

    /// Moves to the block holding level pixel (x, y) if it is opaque; else holds no quad.
    fn enter(&mut self, blocks: &'a Blocks, x: i64, y: i64) {
        *self = Cursor::default();
        if x < 0 || y < 0 || x >= blocks.level_width as i64 || y >= blocks.level_height as i64 {
            return;
        }
        let (bc, br) = (split(x as u32, blocks.tile_width).0, split(y as u32, blocks.tile_height).0);
        let Some(block) = blocks.block(bc, br).filter(|b| b.opaque) else { return };
        let (x0, y0) = (bc * blocks.tile_width, br * blocks.tile_height);
        // Quads reach one pixel right and down: inside the block's pixels and the level's.
        let width = block.width.min(blocks.level_width - x0);
        let height = block.height.min(blocks.level_height - y0);
        *self = Cursor {
            x: x0 as i64,
            y: y0 as i64,
            across: width.saturating_sub(1) as u64,
            down: height.saturating_sub(1) as u64,
            stride: block.width as usize * 4,
            rgba: &block.rgba,
        };
    }
}

/// Bilinear interpolation of four opaque pixels in 8-bit fixed point, as GDAL's warper does:
/// weights quantised to 1/256 change a channel by at most one level, and the floating-point
/// path cost half of a reprojected tile's time.
#[inline]
fn bilinear_opaque([top, bottom]: [&[u8]; 2], wx: u32, wy: u32) -> [u8; 4] {
    let mut out = [0, 0, 0, 255];
    for c in 0..3 {
        let t = top[c] as u32 * (256 - wx) + top[4 + c] as u32 * wx;
        let b = bottom[c] as u32 * (256 - wx) + bottom[4 + c] as u32 * wx;
        out[c] = ((t * (256 - wy) + b * wy + 32768) >> 16) as u8;
    }
    out
}

/// Keys' cubic convolution (a = -0.5, as GDAL's "cubic") for the four taps around `t`.
fn cubic_weights(t: f64) -> [f64; 4] {
    const A: f64 = -0.5;
    let w = |d: f64| {
        let d = d.abs();
        if d < 1.0 {
            (A + 2.0) * d * d * d - (A + 3.0) * d * d + 1.0
        } else if d < 2.0 {
            A * d * d * d - 5.0 * A * d * d + 8.0 * A * d - 4.0 * A
        } else {
            0.0
        }
    };
    [w(t + 1.0), w(t), w(1.0 - t), w(2.0 - t)]
}

/// Weighted mean in premultiplied alpha, so transparent pixels do not darken their neighbours.
#[inline]
fn blend<'a>(taps: impl Iterator<Item = (&'a [u8; 4], f64)>) -> [u8; 4] {
    let (mut r, mut g, mut b, mut a) = (0.0, 0.0, 0.0, 0.0);
    for (p, w) in taps {
        let wa = w * p[3] as f64;
        r += wa * p[0] as f64;
        g += wa * p[1] as f64;
        b += wa * p[2] as f64;
        a += wa;
    }
    if a <= 0.0 {
        return [0; 4];
    }
    // `as u8` saturates; adding 0.5 rounds the non-negative values without a libm call.
    let c = |v: f64| (v / a + 0.5) as u8;
    [c(r), c(g), c(b), (a + 0.5) as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(values: &[[u8; 4]], width: u32, height: u32) -> Blocks {
        let rgba = values.iter().flatten().copied().collect();
        Blocks {
            col0: 0,
            row0: 0,
            across: 1,
            down: 1,
            tile_width: width,
            tile_height: height,
            level_width: width,
            level_height: height,
            blocks: vec![Arc::new(Block::new(width, height, rgba))],
        }
    }

    #[test]
    fn kernels_reproduce_pixels_at_their_centres_and_interpolate_between() {
        let b = blocks(&[[0, 0, 0, 255], [200, 100, 50, 255], [0, 0, 0, 255], [200, 100, 50, 255]], 2, 2);
        for r in [Resampling::Nearest, Resampling::Bilinear, Resampling::Cubic] {
            assert_eq!(b.sample(1.5, 0.5, r), [200, 100, 50, 255], "{r:?}");
            assert_eq!(b.sample(0.5, 1.5, r), [0, 0, 0, 255], "{r:?}");
        }
        assert_eq!(b.sample(1.0, 0.5, Resampling::Bilinear), [100, 50, 25, 255]);
        assert_eq!(b.sample(0.9, 0.5, Resampling::Nearest), [0, 0, 0, 255]);
    }

    #[test]
    fn transparent_neighbours_do_not_darken() {
        let b = blocks(&[[200, 200, 200, 255], [0, 0, 0, 0]], 2, 1);
        let p = b.sample(1.0, 0.5, Resampling::Bilinear);
        assert_eq!(p[..3], [200, 200, 200]);
        assert!(p[3] > 100 && p[3] < 155, "{p:?}");
    }

    #[test]
    fn fixed_point_bilinear_stays_within_one_level_of_the_exact_mean() {
        // 3 x 2 opaque pixels in one block: positions between them take the fixed-point path.
        let values: Vec<[u8; 4]> = [[10, 200, 30], [250, 0, 128], [77, 99, 3], [0, 255, 64], [128, 1, 254], [33, 66, 99]].iter().map(|c| [c[0], c[1], c[2], 255]).collect();
        let b = blocks(&values, 3, 2);
        for (x, y) in [(0.5, 0.5), (0.8, 0.9), (1.37, 1.11), (2.2, 0.6), (1.999, 1.499)] {
            let fast = b.sample(x, y, Resampling::Bilinear);
            let (fx, fy) = (x - 0.5, y - 0.5);
            let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
            let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
            for c in 0..3 {
                let v = |i: usize, j: usize| values[j * 3 + i][c] as f64;
                let exact = v(x0, y0) * (1.0 - tx) * (1.0 - ty) + v(x0 + 1, y0) * tx * (1.0 - ty) + v(x0, y0 + 1) * (1.0 - tx) * ty + v(x0 + 1, y0 + 1) * tx * ty;
                assert!((fast[c] as f64 - exact).abs() <= 1.0, "({x}, {y}) channel {c}: {} vs {exact}", fast[c]);
            }
            assert_eq!(fast[3], 255);
        }
    }

    #[test]
    fn a_cursor_kept_along_rows_reads_the_right_pixels_across_block_and_level_edges() {
        // A 7 x 6 level in 4 x 4 blocks (the right and bottom ones partly outside the level),
        // one block with a transparent pixel: rows crossing block and level edges.
        let value = |x: u32, y: u32| [(x * 37 + y * 11) as u8, (x * 5 + y * 71) as u8, (x * y * 13) as u8, if (x, y) == (5, 1) { 0 } else { 255 }];
        let blocks = (0..2u32)
            .flat_map(|br| (0..2u32).map(move |bc| (bc, br)))
            .map(|(bc, br)| {
                let rgba = (0..4).flat_map(|iy| (0..4).flat_map(move |ix| value(bc * 4 + ix, br * 4 + iy))).collect();
                Arc::new(Block::new(4, 4, rgba))
            })
            .collect();
        let b = Blocks { col0: 0, row0: 0, across: 2, down: 2, tile_width: 4, tile_height: 4, level_width: 7, level_height: 6, blocks };
        let mut kept = Cursor::default();
        for row in 0..40 {
            let y = (row as f64 * 0.17 - 0.9) * ONE as f64;
            for i in 0..60 {
                let x = (i as f64 * 0.15 - 1.2) * ONE as f64;
                let (x, y) = (x as i64, y as i64);
                let got = b.bilinear(&mut kept, x, y);
                // The reference: the four taps read one by one (edges repeated), mixed in floats.
                let (x0, y0) = ((x + (1 << 23)) >> 32, (y + (1 << 23)) >> 32);
                let (tx, ty) = ((((x + (1 << 23)) >> 24) & 255) as f64 / 256.0, (((y + (1 << 23)) >> 24) & 255) as f64 / 256.0);
                let taps = [b.px(x0, y0), b.px(x0 + 1, y0), b.px(x0, y0 + 1), b.px(x0 + 1, y0 + 1)];
                if taps.iter().any(|t| t[3] < 255) {
                    assert_eq!(got, b.bilinear(&mut Cursor::default(), x, y), "at ({x}, {y})");
                    continue;
                }
                let weights = [(1.0 - tx) * (1.0 - ty), tx * (1.0 - ty), (1.0 - tx) * ty, tx * ty];
                for c in 0..3 {
                    let exact: f64 = taps.iter().zip(weights).map(|(t, w)| t[c] as f64 * w).sum();
                    assert!((got[c] as f64 - exact).abs() <= 1.0, "({x}, {y}) channel {c}: {} vs {exact}", got[c]);
                }
            }
        }
    }

    #[test]
    fn cubic_weights_sum_to_one() {
        for t in [0.0, 0.25, 0.5, 0.9] {
            assert!((cubic_weights(t).iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}
