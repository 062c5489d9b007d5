//! The map being drawn: its box in its CRS, its size in pixels, its resolution, and what those
//! make of the style's units (the scale denominator rules are chosen by, pixels per symbol unit).

use ogc::bbox::Bbox;
use ogc::crs::Crs;

/// The size of the standard rendering pixel (SLD 1.0 §10.2, SE 1.1 §10.3.3): 0.28 mm, which is
/// 90.714 DPI.
pub const STANDARD_PIXEL_M: f64 = 0.000_28;

/// Metres per degree on the WGS 84 equator, how a scale is computed for a geographic CRS (the
/// convention of GeoServer and MapServer).
const METRES_PER_DEGREE: f64 = 6_378_137.0 * std::f64::consts::PI / 180.0;

#[derive(Clone, Copy, Debug)]
pub struct View {
    pub crs: Crs,
    /// Easting first; the outer edge of the map's pixels.
    pub bbox: Bbox,
    pub width: u32,
    pub height: u32,
    /// Output pixels per standard pixel: 1 at the standard 90.714 DPI, 2 for a HiDPI map asked
    /// with `DPI=181`. Symbol sizes in pixels are multiplied by it, so a HiDPI map shows the
    /// same symbols sharper, not smaller.
    pub pixel_ratio: f64,
    /// Whether the CRS is in degrees.
    pub geographic: bool,
}

impl View {
    pub fn new(crs: Crs, bbox: Bbox, width: u32, height: u32, dpi: Option<f64>, geographic: bool) -> View {
        let pixel_ratio = dpi.map_or(1.0, |d| d * STANDARD_PIXEL_M / 0.0254);
        View { crs, bbox, width, height, pixel_ratio, geographic }
    }

    /// Ground metres per output pixel, along x.
    pub fn metres_per_pixel(&self) -> f64 {
        let per_pixel = self.bbox.width() / f64::from(self.width);
        if self.geographic { per_pixel * METRES_PER_DEGREE } else { per_pixel }
    }

    /// The scale denominator the style's rules are chosen by: ground size of a pixel over the
    /// size of the pixel it is drawn with.
    pub fn scale_denominator(&self) -> f64 {
        self.metres_per_pixel() / (STANDARD_PIXEL_M / self.pixel_ratio)
    }

    /// A size in the symbolizer's unit, in output pixels.
    pub fn pixels(&self, uom: ogc::style::Uom, size: f64) -> f64 {
        match uom {
            ogc::style::Uom::Pixel => size * self.pixel_ratio,
            ground => ground.to_pixels(size, self.metres_per_pixel()),
        }
    }

    /// Map coordinates to pixel coordinates (x right, y down, from the top-left edge).
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.bbox.min_x) / self.bbox.width() * f64::from(self.width), (self.bbox.max_y - y) / self.bbox.height() * f64::from(self.height))
    }

    /// The box grown by `pixels` on each side, for reading the features whose symbols or labels
    /// reach into the map from outside it.
    pub fn buffered(&self, pixels: f64) -> Bbox {
        let (dx, dy) = (pixels * self.bbox.width() / f64::from(self.width), pixels * self.bbox.height() / f64::from(self.height));
        Bbox { min_x: self.bbox.min_x - dx, min_y: self.bbox.min_y - dy, max_x: self.bbox.max_x + dx, max_y: self.bbox.max_y + dy }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_of_a_lambert93_map_and_its_hidpi_twin() {
        // 256 pixels over 7168 m: 28 m per pixel, 1:100 000 at 0.28 mm.
        let b = Bbox { min_x: 700_000.0, min_y: 7_000_000.0, max_x: 707_168.0, max_y: 7_007_168.0 };
        let v = View::new(Crs::LAMBERT93, b, 256, 256, None, false);
        assert!((v.scale_denominator() - 100_000.0).abs() < 1e-6);
        // Twice the pixels at twice the DPI: the same scale, symbols twice as many pixels.
        let hidpi = View::new(Crs::LAMBERT93, b, 512, 512, Some(2.0 * 0.0254 / STANDARD_PIXEL_M), false);
        assert!((hidpi.scale_denominator() - 100_000.0).abs() < 1e-6);
        assert!((hidpi.pixels(ogc::style::Uom::Pixel, 3.0) - 6.0).abs() < 1e-9);
        assert!((v.pixels(ogc::style::Uom::Metre, 56.0) - 2.0).abs() < 1e-9);
        assert_eq!(v.to_pixel(700_000.0, 7_007_168.0), (0.0, 0.0));
        assert_eq!(v.to_pixel(707_168.0, 7_000_000.0), (256.0, 256.0));
    }
}
