//! Polygons on the tile's integer grid, made as `ST_AsMVTGeom` makes them: rings clipped to
//! the tile plus its buffer, snapped to whole units without repeated or collinear vertices,
//! then made valid on the grid (i_overlay, where PostGIS runs wagyu). Snapping leaves rings
//! that touch or cross themselves (one polygon in a thousand of the land cover at z12-z16),
//! and clipping leaves zero-width bridges along the buffer's edge; the overlay mends both,
//! and its first step tells a ring that needs nothing, which is most of them.
//!
//! Rings are clipped in floating point before the overlay rather than by it: the overlay
//! merges points closer than a unit, and fed the clip's rectangle it moved vertices a unit
//! past the buffer and lost slivers at its edge that `ST_AsMVTGeom` keeps.

use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{IntOverlayOptions, Overlay, ShapeType};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::i_float::int::point::IntPoint;
use i_overlay::i_shape::int::shape::IntContour;

use super::commands::Commands;
use super::encode::{Frame, collinear, side, snap};

/// The polygons of one feature at a time: rings are added, then written out.
pub struct Surfaces {
    overlay: Overlay,
    /// The tile plus its buffer, in tile units.
    clip: (f64, f64),
    rings: Vec<IntContour>,
    clipped: Vec<(f64, f64)>,
}

impl Surfaces {
    pub fn new(frame: &Frame) -> Surfaces {
        Surfaces {
            // OGC-valid output: outer rings counter-clockwise by the numbers (positive area in
            // tile coordinates, as MVT asks), holes clockwise, no ring touching itself.
            overlay: Overlay::new_custom(64, IntOverlayOptions::ogc(), Default::default()),
            clip: (-f64::from(frame.buffer), f64::from(frame.extent + frame.buffer)),
            rings: Vec::new(),
            clipped: Vec::new(),
        }
    }

    /// Adds a ring given in tile units (closed or not); a ring that collapses on the grid is
    /// left out.
    pub fn ring(&mut self, coords: &[(f64, f64)]) {
        let (lo, hi) = self.clip;
        let coords = if coords.iter().all(|&(x, y)| (lo..=hi).contains(&x) && (lo..=hi).contains(&y)) {
            coords
        } else {
            clip(coords, self.clip, &mut self.clipped);
            &self.clipped[..]
        };
        let mut ring = Vec::with_capacity(coords.len());
        snap(coords, &mut ring);
        if ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        // Collinear across the ring's start.
        while ring.len() >= 3 {
            let n = ring.len();
            if collinear(ring[n - 2], ring[n - 1], ring[0]) {
                ring.pop();
            } else if collinear(ring[n - 1], ring[0], ring[1]) {
                ring.remove(0);
            } else {
                break;
            }
        }
        if ring.len() >= 3 {
            self.rings.push(ring);
        }
    }

    /// Forgets the rings added since the last write.
    pub fn discard(&mut self) {
        self.rings.clear();
    }

    /// Writes the polygons of the rings added since the last call, made valid, each outer
    /// ring followed by its holes. False when nothing is left of them.
    pub fn write(&mut self, out: &mut Commands) -> bool {
        if let [ring] = &mut self.rings[..]
            && ring.len() <= SMALL_RING
            && simple(ring)
        {
            // A simple ring is a valid polygon as it is, turned the right way.
            let area = twice_signed_area(ring);
            if area != 0 {
                if area < 0 {
                    ring.reverse();
                }
                out.ring(ring);
                self.rings.clear();
                return true;
            }
        }
        let shapes = match &self.rings[..] {
            [] => return false,
            [ring] => match self.overlay.simplify_contour(ring, FillRule::EvenOdd) {
                // Valid and oriented as it is.
                None => {
                    out.ring(ring);
                    self.rings.clear();
                    return true;
                }
                Some(shapes) => shapes,
            },
            rings => {
                self.overlay.clear();
                self.overlay.add_contours(rings, ShapeType::Subject);
                self.overlay.overlay(OverlayRule::Subject, FillRule::EvenOdd)
            }
        };
        self.rings.clear();
        shapes.iter().flatten().filter(|ring| ring.len() >= 3).for_each(|ring| out.ring(ring));
        !out.stream.is_empty()
    }
}

/// Rings of at most this many vertices are checked for self-intersection here (every pair of
/// edges): the land cover's polygons have 17 on average, and the overlay's own check of a
/// ring, which sorts its edges first, cost ten times more for them (28 % of the server's CPU
/// for a tile). Larger rings go to the overlay.
const SMALL_RING: usize = 48;

/// Whether no two edges of the ring (open, without repeated or collinear consecutive
/// vertices) meet, but consecutive ones at their common vertex.
fn simple(ring: &[IntPoint]) -> bool {
    let n = ring.len();
    let edge = |i: usize| (ring[i], ring[(i + 1) % n]);
    (0..n).all(|i| (i + 2..n).filter(|&j| !(i == 0 && j == n - 1)).all(|j| !meet(edge(i), edge(j))))
}

/// Whether two closed segments share a point.
fn meet((a, b): (IntPoint, IntPoint), (c, d): (IntPoint, IntPoint)) -> bool {
    if a.x.max(b.x) < c.x.min(d.x) || c.x.max(d.x) < a.x.min(b.x) || a.y.max(b.y) < c.y.min(d.y) || c.y.max(d.y) < a.y.min(b.y) {
        return false;
    }
    let (o1, o2, o3, o4) = (side(a, b, c), side(a, b, d), side(c, d, a), side(c, d, b));
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    // Touching or overlapping: an end on the other segment (the boxes overlap, so a collinear
    // end lies on it).
    (o1 == 0 && within(a, b, c)) || (o2 == 0 && within(a, b, d)) || (o3 == 0 && within(c, d, a)) || (o4 == 0 && within(c, d, b))
}

/// Whether `p`, on the line through `a` and `b`, lies on the segment.
fn within(a: IntPoint, b: IntPoint, p: IntPoint) -> bool {
    (a.x.min(b.x)..=a.x.max(b.x)).contains(&p.x) && (a.y.min(b.y)..=a.y.max(b.y)).contains(&p.y)
}

fn twice_signed_area(ring: &[IntPoint]) -> i64 {
    let n = ring.len();
    (0..n).map(|i| (ring[i], ring[(i + 1) % n])).map(|(p, q)| i64::from(p.x) * i64::from(q.y) - i64::from(q.x) * i64::from(p.y)).sum()
}

/// The ring cut to the square `lo..=hi` (Sutherland-Hodgman, one side after the other). A
/// ring leaving and entering the square again is joined along its side by a zero-width
/// bridge, which the overlay removes.
fn clip(ring: &[(f64, f64)], (lo, hi): (f64, f64), out: &mut Vec<(f64, f64)>) {
    let mut current: Vec<(f64, f64)> = ring.to_vec();
    for (axis, limit) in [(0, lo), (0, hi), (1, lo), (1, hi)] {
        let value = |p: &(f64, f64)| if axis == 0 { p.0 } else { p.1 };
        let keeps = |p: &(f64, f64)| if limit == lo { value(p) >= limit } else { value(p) <= limit };
        out.clear();
        for (i, p) in current.iter().enumerate() {
            let q = current[(i + 1) % current.len()];
            if keeps(p) {
                out.push(*p);
            }
            if keeps(p) != keeps(&q) {
                let t = (limit - value(p)) / (value(&q) - value(p));
                let crossing = (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1));
                // Exactly on the side, whatever the rounding of the interpolation.
                out.push(if axis == 0 { (limit, crossing.1) } else { (crossing.0, limit) });
            }
        }
        std::mem::swap(&mut current, out);
        if current.is_empty() {
            break;
        }
    }
    std::mem::swap(&mut current, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vtiles::commands::decode;
    use ogc::bbox::Bbox;

    fn frame() -> Frame {
        Frame { bbox: Bbox { min_x: 0.0, min_y: 0.0, max_x: 4096.0, max_y: 4096.0 }, extent: 4096, buffer: 64, simplify: 1.0 }
    }

    /// The rings written for one feature, decoded back from the commands.
    fn rings(s: &mut Surfaces, input: &[&[(f64, f64)]]) -> Vec<Vec<(i32, i32)>> {
        input.iter().for_each(|r| s.ring(r));
        let mut c = Commands::default();
        if !s.write(&mut c) {
            return Vec::new();
        }
        decode(&c.take())
    }

    fn area(ring: &[(i32, i32)]) -> i64 {
        (0..ring.len())
            .map(|i| (i64::from(ring[i].0), i64::from(ring[i].1), i64::from(ring[(i + 1) % ring.len()].0), i64::from(ring[(i + 1) % ring.len()].1)))
            .map(|(x0, y0, x1, y1)| x0 * y1 - x1 * y0)
            .sum::<i64>()
    }

    #[test]
    fn valid_rings_are_kept_oriented_without_collinear_vertices() {
        let mut s = Surfaces::new(&frame());
        // Clockwise by the numbers, a vertex in the middle of an edge, repeated vertices.
        let square: &[(f64, f64)] = &[(10.2, 10.0), (10.0, 20.0), (20.0, 20.0), (20.0, 15.0), (20.0, 10.0), (19.8, 10.1), (10.0, 10.0)];
        let out = rings(&mut s, &[square]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].len(), 4, "{out:?}");
        assert!(area(&out[0]) > 0, "exterior of positive area: {out:?}");
    }

    #[test]
    fn simple_rings_are_told_from_the_others() {
        let ring = |points: &[(i32, i32)]| points.iter().map(|&(x, y)| IntPoint::new(x, y)).collect::<Vec<_>>();
        assert!(simple(&ring(&[(0, 0), (10, 0), (10, 10), (0, 10)])));
        assert!(simple(&ring(&[(0, 0), (10, 0), (5, 1), (10, 10), (0, 10)])), "concave");
        assert!(!simple(&ring(&[(0, 0), (10, 10), (10, 0), (0, 10)])), "bow-tie");
        assert!(!simple(&ring(&[(0, 0), (10, 0), (10, 10), (5, 0), (0, 10)])), "a vertex on another edge");
        assert!(!simple(&ring(&[(0, 0), (10, 0), (10, 10), (20, 10), (20, 20), (10, 20), (10, 10), (0, 10)])), "touching itself");
        assert!(!simple(&ring(&[(0, 0), (10, 0), (10, 5), (3, 0), (0, 5)])), "edges overlapping along a line");
    }

    #[test]
    fn bow_ties_and_self_touching_rings_are_made_valid() {
        let mut s = Surfaces::new(&frame());
        let bow_tie: &[(f64, f64)] = &[(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)];
        let out = rings(&mut s, &[bow_tie]);
        assert_eq!(out.len(), 2, "two triangles: {out:?}");
        assert!(out.iter().all(|r| area(r) > 0));
        // Two squares touching at one corner, written as one ring: OGC wants two polygons.
        let touching: &[(f64, f64)] = &[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (20.0, 10.0), (20.0, 20.0), (10.0, 20.0), (10.0, 10.0), (0.0, 10.0)];
        let out = rings(&mut s, &[touching]);
        assert_eq!(out.len(), 2, "{out:?}");
        // A sliver that snaps to a line is gone.
        assert!(rings(&mut s, &[&[(0.0, 0.0), (100.0, 0.2), (200.0, 0.0), (100.0, 0.1)]]).is_empty());
    }

    #[test]
    fn polygons_are_clipped_to_the_buffer_with_their_holes() {
        let mut s = Surfaces::new(&frame());
        let outer: &[(f64, f64)] = &[(2000.0, 2000.0), (6000.0, 2000.0), (6000.0, 3000.0), (2000.0, 3000.0)];
        let hole: &[(f64, f64)] = &[(2100.0, 2100.0), (2100.0, 2900.0), (2200.0, 2900.0), (2200.0, 2100.0)];
        let out = rings(&mut s, &[outer, hole]);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].iter().all(|p| p.0 <= 4160) && out[0].iter().any(|p| p.0 == 4160));
        assert_eq!(area(&out[0]), 2 * (4160 - 2000) * 1000);
        assert_eq!(area(&out[1]), -2 * 100 * 800, "the hole turns the other way");
        // Far beyond the tile (a region's outline at a high zoom), and the edge of a
        // neighbour crossing the buffer by a unit: a sliver ST_AsMVTGeom keeps.
        let huge: &[(f64, f64)] = &[(-1e12, -1e12), (1e12, -1e12), (1e12, 1e12), (-1e12, 1e12)];
        let out = rings(&mut s, &[huge]);
        assert_eq!(out.len(), 1);
        assert_eq!(area(&out[0]), 2 * 4224 * 4224, "{out:?}");
        let neighbour: &[(f64, f64)] = &[(-110.7, 3914.9), (-83.4, 3905.4), (-73.8, 3904.1), (-66.9, 3889.5), (-64.7, 3881.8), (-63.0, 3873.9), (-75.1, 3872.7), (-111.4, 3869.5)];
        let out = rings(&mut s, &[neighbour]);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].iter().all(|p| p.0 >= -64) && area(&out[0]) > 0, "{out:?}");
    }
}
