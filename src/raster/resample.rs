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

impl Blocks {
    #[inline]
    fn px(&self, x: i64, y: i64) -> [u8; 4] {
        let x = x.clamp(0, self.level_width as i64 - 1) as u32;
        let y = y.clamp(0, self.level_height as i64 - 1) as u32;
        let (bc, br) = (x / self.tile_width, y / self.tile_height);
        if bc < self.col0 || br < self.row0 || bc - self.col0 >= self.across || br - self.row0 >= self.down {
            return [0; 4];
        }
        let block = &self.blocks[((br - self.row0) * self.across + (bc - self.col0)) as usize];
        let (ix, iy) = (x % self.tile_width, y % self.tile_height);
        if ix >= block.width || iy >= block.height {
            return [0; 4];
        }
        let i = (iy as usize * block.width as usize + ix as usize) * 4;
        let p = &block.rgba[i..i + 4];
        [p[0], p[1], p[2], p[3]]
    }

    /// The pixel value at the level position (`x`, `y`), in pixel units whose integers are
    /// pixel corners (so the centre of pixel 0 is 0.5).
    pub fn sample(&self, x: f64, y: f64, resampling: Resampling) -> [u8; 4] {
        match resampling {
            Resampling::Nearest => self.px(x.floor() as i64, y.floor() as i64),
            Resampling::Bilinear => {
                let (fx, fy) = (x - 0.5, y - 0.5);
                let (x0, y0) = (fx.floor(), fy.floor());
                let (tx, ty) = (fx - x0, fy - y0);
                let (x0, y0) = (x0 as i64, y0 as i64);
                let weights = [(1.0 - tx) * (1.0 - ty), tx * (1.0 - ty), (1.0 - tx) * ty, tx * ty];
                let taps = [self.px(x0, y0), self.px(x0 + 1, y0), self.px(x0, y0 + 1), self.px(x0 + 1, y0 + 1)];
                blend(taps.iter().zip(weights))
            }
            Resampling::Cubic => {
                let (fx, fy) = (x - 0.5, y - 0.5);
                let (x0, y0) = (fx.floor(), fy.floor());
                let (wx, wy) = (cubic_weights(fx - x0), cubic_weights(fy - y0));
                let (x0, y0) = (x0 as i64, y0 as i64);
                let mut taps = [([0u8; 4], 0.0); 16];
                for (j, wyj) in wy.iter().enumerate() {
                    for (i, wxi) in wx.iter().enumerate() {
                        taps[j * 4 + i] = (self.px(x0 + i as i64 - 1, y0 + j as i64 - 1), wxi * wyj);
                    }
                }
                blend(taps.iter().map(|(p, w)| (p, *w)))
            }
        }
    }
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
    let c = |v: f64| (v / a).round().clamp(0.0, 255.0) as u8;
    [c(r), c(g), c(b), a.round().clamp(0.0, 255.0) as u8]
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
            blocks: vec![Arc::new(Block { width, height, rgba })],
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
    fn cubic_weights_sum_to_one() {
        for t in [0.0, 0.25, 0.5, 0.9] {
            assert!((cubic_weights(t).iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}
