//! Strokes narrower than a pixel, blended straight into the canvas.
//!
//! tiny-skia draws such a stroke as an anti-aliased hairline whose colour is faded by the width,
//! as Skia does, but it blends every one or two pixels of it through its 16-lane raster pipeline,
//! after compiling a pipeline per path: on a land-cover map of 20,000 polygons outlined at
//! 0.5 px that was the largest share of the map's CPU time (benches/README.md). This draws the
//! same line, the same way — each column (or row, for steep segments) split between the two
//! pixels nearest the line, the colour's alpha scaled by the width — with a source-over blend of
//! one solid premultiplied colour per pixel, and nothing allocated.

use geo::LineString;
use tiny_skia::{Color, Pixmap};

use super::solid::{Solid, coverage_256};

/// A solid colour stroking lines thinner than a pixel.
pub struct Hairline {
    /// The stroke's width already applied to its alpha.
    solid: Solid,
}

impl Hairline {
    /// `None` when tiny-skia must draw the stroke: one pixel wide or more (it is then a polygon).
    pub fn new(color: Color, width: f32) -> Option<Hairline> {
        if !(width > 0.0 && width < 1.0) {
            return None;
        }
        let mut color = color;
        color.apply_opacity(width);
        Some(Hairline { solid: Solid::new(color) })
    }

    /// Every segment of a line (a ring repeats its first vertex, so it is closed too).
    pub fn draw(&self, pixmap: &mut Pixmap, line: &LineString<f64>) {
        let mut canvas = Canvas { width: pixmap.width() as usize, height: pixmap.height() as usize, data: pixmap.data_mut(), solid: self.solid };
        for w in line.0.windows(2) {
            canvas.segment(w[0].x, w[0].y, w[1].x, w[1].y);
        }
    }
}

struct Canvas<'a> {
    width: usize,
    height: usize,
    data: &'a mut [u8],
    solid: Solid,
}

impl Canvas<'_> {
    fn segment(&mut self, x0: f64, y0: f64, x1: f64, y1: f64) {
        if ![x0, y0, x1, y1].iter().all(|c| c.is_finite()) {
            return;
        }
        if (x1 - x0).abs() >= (y1 - y0).abs() { self.run(x0, y0, x1, y1, false) } else { self.run(y0, x0, y1, x1, true) }
    }

    /// A segment along its major axis `u` (x, or y when `steep`), one pixel column of it at a
    /// time: the column's share of the segment's length, split across the two pixels whose
    /// centres straddle the line along the minor axis `v`.
    fn run(&mut self, u0: f64, v0: f64, u1: f64, v1: f64, steep: bool) {
        let (u0, v0, u1, v1) = if u0 <= u1 { (u0, v0, u1, v1) } else { (u1, v1, u0, v0) };
        let length = u1 - u0;
        if length == 0.0 {
            return;
        }
        let (u_size, v_size) = if steep { (self.height, self.width) } else { (self.width, self.height) };
        let (v_min, v_max) = (v0.min(v1), v0.max(v1));
        if v_max < -1.0 || v_min > v_size as f64 + 1.0 {
            return;
        }
        let (start, end) = (u0.max(0.0), u1.min(u_size as f64));
        let slope = (v1 - v0) / length;
        let mut column = start.floor();
        while column < end {
            let (lo, hi) = (start.max(column), end.min(column + 1.0));
            let share = hi - lo;
            let v = v0 + slope * ((lo + hi) / 2.0 - u0) - 0.5;
            let row = v.floor();
            let below = v - row;
            self.plot(column as usize, row, share * (1.0 - below), steep);
            self.plot(column as usize, row + 1.0, share * below, steep);
            column += 1.0;
        }
    }

    /// Source-over of the colour at `coverage` (0 to 1) on the pixel at `u` along the major axis
    /// and `v` along the minor one; nothing outside the canvas.
    fn plot(&mut self, u: usize, v: f64, coverage: f64, steep: bool) {
        let limit = if steep { self.width } else { self.height };
        if !(v >= 0.0 && v < limit as f64) {
            return;
        }
        let (x, y) = if steep { (v as usize, u) } else { (u, v as usize) };
        let c = coverage_256(coverage);
        if c > 0 {
            let i = (y * self.width + x) * 4;
            self.solid.over(&mut self.data[i..i + 4], c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas(size: u32) -> Pixmap {
        Pixmap::new(size, size).unwrap()
    }

    fn alpha(p: &Pixmap, x: u32, y: u32) -> u8 {
        p.pixel(x, y).unwrap().alpha()
    }

    #[test]
    fn a_horizontal_line_between_two_rows_is_shared_by_them() {
        let mut p = canvas(8);
        Hairline::new(Color::BLACK, 0.5).unwrap().draw(&mut p, &LineString::from(vec![(1.0, 4.0), (7.0, 4.0)]));
        // Centred on the boundary of rows 3 and 4: half the faded alpha (127) in each.
        for x in 1..7 {
            assert!((i32::from(alpha(&p, x, 3)) - 64).abs() <= 1, "{}", alpha(&p, x, 3));
            assert!((i32::from(alpha(&p, x, 4)) - 64).abs() <= 1);
            assert_eq!(alpha(&p, x, 2), 0);
            assert_eq!(alpha(&p, x, 5), 0);
        }
        assert_eq!(alpha(&p, 0, 3), 0);
        assert_eq!(alpha(&p, 7, 3), 0);
    }

    #[test]
    fn a_steep_line_on_a_pixel_centre_fills_that_column() {
        let mut p = canvas(8);
        Hairline::new(Color::from_rgba8(255, 0, 0, 255), 0.5).unwrap().draw(&mut p, &LineString::from(vec![(2.5, 0.0), (2.5, 8.0)]));
        for y in 0..8 {
            let px = p.pixel(2, y).unwrap();
            assert!((i32::from(px.alpha()) - 127).abs() <= 1);
            assert_eq!((px.red(), px.green()), (px.alpha(), 0));
            assert_eq!(alpha(&p, 1, y), 0);
            assert_eq!(alpha(&p, 3, y), 0);
        }
    }

    #[test]
    fn lines_off_the_canvas_or_degenerate_draw_nothing() {
        let mut p = canvas(8);
        let h = Hairline::new(Color::BLACK, 0.5).unwrap();
        for line in [vec![(-50.0, -3.0), (50.0, -2.0)], vec![(3.0, 3.0), (3.0, 3.0)], vec![(f64::NAN, 1.0), (5.0, 5.0)], vec![(-1e12, 4.0), (1e12, 4.5)]] {
            h.draw(&mut p, &LineString::from(line));
        }
        // The last one crosses the canvas: only rows 3 and 4 are touched.
        assert!((0..8).all(|y| y == 3 || y == 4 || (0..8).all(|x| alpha(&p, x, y) == 0)));
        assert!(alpha(&p, 0, 4) > 0);
    }

    #[test]
    fn one_pixel_or_wider_is_left_to_tiny_skia() {
        assert!(Hairline::new(Color::BLACK, 1.0).is_none());
        assert!(Hairline::new(Color::BLACK, 0.0).is_none());
        assert!(Hairline::new(Color::BLACK, 0.99).is_some());
    }
}
