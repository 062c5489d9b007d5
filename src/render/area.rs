//! Areas filled with a solid colour by exact-area coverage (`ab_glyph_rasterizer`, the
//! accumulation rasterizer ab_glyph draws glyphs with), blended by [`Solid`].
//!
//! tiny-skia fills a path by supersampling its spans and running its raster pipeline on each,
//! after building a pipeline and an edge list per path; a land-cover map's areas are mostly a
//! few pixels wide, so that set-up and the per-span pipeline were most of their cost. Here each
//! area is rasterized in its own box of the map: edges add signed coverage into a buffer the
//! size of the box, a running sum turns it into each pixel's coverage, folded even-odd (holes
//! stay empty whatever their rings' direction, as with tiny-skia's `FillRule::EvenOdd`).

use ab_glyph_rasterizer::{Rasterizer, point};
use geo::{Coord, LineString};
use tiny_skia::Pixmap;

use super::solid::{Solid, coverage_256};

/// Fills the area enclosed (even-odd) by the rings `rings` visits, clipped to the canvas.
pub fn fill(pixmap: &mut Pixmap, solid: Solid, rings: impl Fn(&mut dyn FnMut(&LineString<f64>))) {
    let (width, height) = (pixmap.width() as usize, pixmap.height() as usize);
    let Some(bounds) = bounds(&rings) else { return };
    let x0 = bounds.0.x.floor().max(0.0);
    let y0 = bounds.0.y.floor().max(0.0);
    let x1 = bounds.1.x.ceil().min(width as f64);
    let y1 = bounds.1.y.ceil().min(height as f64);
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    // One spare column: edges right of the canvas are moved onto it, where they close each
    // row's sum without drawing (the rasterizer's rows follow one another in one buffer).
    let mut rasterizer = Rasterizer::new(w + 1, h);
    rings(&mut |ring| {
        for s in ring.0.windows(2) {
            let a = Coord { x: s[0].x - x0, y: s[0].y - y0 };
            let b = Coord { x: s[1].x - x0, y: s[1].y - y0 };
            clipped(a, b, w as f64, &mut |a, b| rasterizer.draw_line(point(a.x as f32, a.y as f32), point(b.x as f32, b.y as f32)));
        }
    });
    let data = pixmap.data_mut();
    let (x0, y0) = (x0 as usize, y0 as usize);
    rasterizer.for_each_pixel(|i, sum| {
        let (col, row) = (i % (w + 1), i / (w + 1));
        if col == w {
            return;
        }
        // Even-odd: a sum past 1 is folded back (`fmod` only then: it was 2 % of a map's time).
        let c = coverage_256(f64::from(if sum <= 1.0 {
            sum
        } else {
            let odd = sum % 2.0;
            if odd > 1.0 { 2.0 - odd } else { odd }
        }));
        if c > 0 {
            let p = ((y0 + row) * width + x0 + col) * 4;
            solid.over(&mut data[p..p + 4], c);
        }
    });
}

/// The box of the rings' vertices; `None` without vertices or with one that is not finite.
fn bounds(rings: &impl Fn(&mut dyn FnMut(&LineString<f64>))) -> Option<(Coord, Coord)> {
    let mut b: Option<(Coord, Coord)> = None;
    let mut finite = true;
    rings(&mut |ring| {
        for p in &ring.0 {
            finite &= p.x.is_finite() && p.y.is_finite();
            let (lo, hi) = b.get_or_insert((*p, *p));
            *lo = Coord { x: lo.x.min(p.x), y: lo.y.min(p.y) };
            *hi = Coord { x: hi.x.max(p.x), y: hi.y.max(p.y) };
        }
    });
    b.filter(|_| finite)
}

/// The edge from `a` to `b` with the parts left of 0 and right of `right` moved onto those
/// lines: coverage accumulates left to right, so an edge outside on the left still covers
/// everything to its right, and one outside on the right covers nothing drawn.
fn clipped(a: Coord, b: Coord, right: f64, draw: &mut impl FnMut(Coord, Coord)) {
    let mut cuts = [0.0, 1.0, 1.0, 1.0];
    let mut n = 1;
    for edge in [0.0, right] {
        let t = (edge - a.x) / (b.x - a.x);
        if t > 0.0 && t < 1.0 {
            cuts[n] = t;
            n += 1;
        }
    }
    cuts[..n].sort_by(f64::total_cmp);
    let at = |t: f64| Coord { x: (a.x + (b.x - a.x) * t).clamp(0.0, right), y: a.y + (b.y - a.y) * t };
    for i in 0..n {
        draw(at(cuts[i]), at(cuts[i + 1]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_skia::Color;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> LineString<f64> {
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    }

    fn rings<'a>(rings: &'a [&'a LineString<f64>]) -> impl Fn(&mut dyn FnMut(&LineString<f64>)) + 'a {
        move |f| rings.iter().for_each(|r| f(r))
    }

    fn alphas(p: &Pixmap) -> Vec<u8> {
        p.pixels().iter().map(|c| c.alpha()).collect()
    }

    #[test]
    fn a_square_with_a_hole_on_pixel_edges_and_a_half_covered_column() {
        let mut p = Pixmap::new(8, 8).unwrap();
        // The hole runs the same way as the exterior: even-odd empties it all the same.
        let (outer, hole) = (square(1.0, 1.0, 6.5, 7.0), square(3.0, 3.0, 5.0, 5.0));
        fill(&mut p, Solid::new(Color::BLACK), rings(&[&outer, &hole]));
        let a = alphas(&p);
        let at = |x: usize, y: usize| a[y * 8 + x];
        assert_eq!((at(1, 1), at(5, 6), at(2, 4)), (255, 255, 255));
        assert_eq!((at(3, 3), at(4, 4), at(0, 3), at(7, 3), at(3, 0), at(3, 7)), (0, 0, 0, 0, 0, 0));
        assert!((i32::from(at(6, 2)) - 128).abs() <= 1, "{}", at(6, 2));
    }

    #[test]
    fn an_area_larger_than_the_canvas_covers_it_all_and_one_outside_nothing() {
        let mut p = Pixmap::new(8, 8).unwrap();
        fill(&mut p, Solid::new(Color::BLACK), rings(&[&square(20.0, -5.0, 30.0, 30.0)]));
        fill(&mut p, Solid::new(Color::BLACK), rings(&[&LineString::from(vec![(f64::NAN, 0.0), (3.0, 3.0), (0.0, 3.0)])]));
        assert!(alphas(&p).iter().all(|&a| a == 0));
        // A triangle crossing both sides: left of its diagonal edge, everything is covered.
        let big = LineString::from(vec![(-100.0, -100.0), (100.0, 100.0), (-100.0, 100.0), (-100.0, -100.0)]);
        fill(&mut p, Solid::new(Color::BLACK), rings(&[&big]));
        let a = alphas(&p);
        assert_eq!(a[7 * 8], 255);
        assert_eq!(a[7], 0);
        assert!((i32::from(a[3 * 8 + 3]) - 128).abs() <= 1);
    }
}
