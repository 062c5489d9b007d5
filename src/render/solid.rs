//! One solid colour blended source-over straight into the canvas's premultiplied pixels: what
//! [`super::hairline`] and [`super::area`] paint with, where tiny-skia would compile a raster
//! pipeline per path and run it, 16 lanes wide, for every span of one or two pixels.

use tiny_skia::Color;

#[derive(Clone, Copy, Debug)]
pub struct Solid {
    /// Premultiplied, 0-255.
    rgba: [u32; 4],
}

impl Solid {
    pub fn new(color: Color) -> Solid {
        let c = color.premultiply().to_color_u8();
        Solid { rgba: [c.red(), c.green(), c.blue(), c.alpha()].map(u32::from) }
    }

    /// Source-over on one premultiplied RGBA pixel at `coverage` out of 256.
    #[inline]
    pub fn over(&self, pixel: &mut [u8], coverage: u32) {
        let keep = 255 - ((self.rgba[3] * coverage) >> 8);
        for (d, s) in pixel.iter_mut().zip(self.rgba) {
            *d = (((s * coverage) >> 8) + div255(u32::from(*d) * keep)) as u8;
        }
    }
}

/// A coverage from 0 to 1 as the 0-256 that [`Solid::over`] takes.
#[inline]
pub fn coverage_256(c: f64) -> u32 {
    (c * 256.0 + 0.5).clamp(0.0, 256.0) as u32
}

/// `x / 255` rounded, for `x` up to 255².
fn div255(x: u32) -> u32 {
    let x = x + 128;
    (x + (x >> 8)) >> 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_coverage_of_an_opaque_colour_replaces_the_pixel_and_half_of_a_faded_one_blends() {
        let mut p = [10, 20, 30, 255];
        Solid::new(Color::from_rgba8(200, 100, 0, 255)).over(&mut p, 256);
        assert_eq!(p, [200, 100, 0, 255]);
        let mut p = [0, 0, 255, 255];
        Solid::new(Color::from_rgba8(255, 0, 0, 255)).over(&mut p, 128);
        assert_eq!(p, [127, 0, 128, 255]);
        let mut p = [0, 0, 0, 0];
        Solid::new(Color::from_rgba8(255, 255, 255, 255)).over(&mut p, 0);
        assert_eq!(p, [0, 0, 0, 0]);
    }
}
