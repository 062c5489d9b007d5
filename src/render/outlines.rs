//! Sub-pixel outlines of areas drawn once per shared edge.
//!
//! Land cover and communes are coverages: each inner edge is the boundary of two features, and
//! stroking every area's whole outline strokes it twice. For outlines of at most a pixel
//! (tiny-skia draws them as anti-aliased hairlines, pixel by pixel) that was the largest part
//! of a land-cover map's time. An edge is therefore stroked only by the last feature of the
//! feature type style that strokes it alike: that stroke is drawn after the earlier feature's
//! fill and stroke, where it lands in painter's order, so the picture keeps every outline on
//! top of both neighbours' fills. Wider outlines keep whole rings (their joins would show
//! where a ring is cut).

use std::collections::HashMap;

use geo::LineString;
use ogc::style::{PolygonSymbolizer, Rule, Symbolizer};
use tiny_skia::PathBuilder;

use super::features::Drawn;
use super::rules::RuleResolver;
use super::symbols::{self, Outline};
use super::view::View;

/// Edge end points are compared at 1/64 pixel.
const SNAP: f64 = 64.0;

type Point = (i32, i32);

/// Which feature strokes each shared edge: the last one, by index, per stroke.
#[derive(Default)]
pub struct SharedEdges {
    last: HashMap<((Point, Point), u64), u32, foldhash::fast::RandomState>,
}

impl SharedEdges {
    /// The edges of every area the style outlines with a hairline, and the last feature that
    /// strokes each.
    pub fn of<'r, 'f>(features: &[Drawn<'f>], resolver: &mut RuleResolver<'r, 'f>, view: &View) -> Result<SharedEdges, String> {
        let mut edges = SharedEdges::default();
        if !resolver.active().any(|r| polygon_symbolizers(std::slice::from_ref(&r)).any(|p| symbols::hairline_key(p, view).is_some())) {
            return Ok(edges);
        }
        for (i, f) in features.iter().enumerate() {
            for p in polygon_symbolizers(resolver.rules(f)?) {
                let Some(stroke) = symbols::hairline_key(p, view) else { continue };
                each_ring(&f.geometry, &mut |ring| {
                    for w in ring.0.windows(2) {
                        edges.last.insert((edge(w[0], w[1]), stroke), i as u32);
                    }
                });
            }
        }
        Ok(edges)
    }

    /// What feature `index` strokes of its outline with `p`: its whole rings, or the edges no
    /// later feature strokes alike.
    pub fn outline(&self, index: usize, p: &PolygonSymbolizer, geometry: &geo::Geometry<f64>, view: &View) -> Outline {
        let Some(stroke) = (!self.last.is_empty()).then(|| symbols::hairline_key(p, view)).flatten() else { return Outline::Rings };
        let mut pb = PathBuilder::new();
        each_ring(geometry, &mut |ring| {
            let mut at: Option<geo::Coord> = None;
            let mut whole = true;
            for w in ring.0.windows(2) {
                if self.last.get(&(edge(w[0], w[1]), stroke)).is_some_and(|&last| last as usize != index) {
                    whole = false;
                    continue;
                }
                if at != Some(w[0]) {
                    pb.move_to(w[0].x as f32, w[0].y as f32);
                }
                pb.line_to(w[1].x as f32, w[1].y as f32);
                at = Some(w[1]);
            }
            if whole && at.is_some() {
                pb.close();
            }
        });
        Outline::Edges(pb.finish())
    }
}

fn polygon_symbolizers<'r>(rules: &[&'r Rule]) -> impl Iterator<Item = &'r PolygonSymbolizer> {
    rules.iter().flat_map(|r| &r.symbolizers).filter_map(|s| match s {
        Symbolizer::Polygon(p) => Some(p),
        _ => None,
    })
}

/// An edge whichever way it is walked.
fn edge(a: geo::Coord, b: geo::Coord) -> (Point, Point) {
    let snap = |c: geo::Coord| ((c.x * SNAP).round() as i32, (c.y * SNAP).round() as i32);
    let (a, b) = (snap(a), snap(b));
    if a <= b { (a, b) } else { (b, a) }
}

/// Every ring of the areas of a geometry.
fn each_ring(g: &geo::Geometry<f64>, f: &mut impl FnMut(&LineString<f64>)) {
    symbols::visit_lines(g, &mut |l, is_ring| {
        if is_ring {
            f(l)
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Feature;
    use ogc::style::LayerStyle;

    fn style(width: &str) -> ogc::style::UserStyle {
        let sld = format!(
            r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"><NamedLayer><Name>l</Name><UserStyle><FeatureTypeStyle><Rule>
              <PolygonSymbolizer><Fill/><Stroke><CssParameter name="stroke-width">{width}</CssParameter></Stroke></PolygonSymbolizer>
            </Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"#
        );
        match ogc::style::parse(&sld).unwrap().layers.remove(0).styles.remove(0) {
            LayerStyle::User(u) => u,
            LayerStyle::Named(_) => panic!("a user style"),
        }
    }

    fn square(x: f64) -> geo::Geometry<f64> {
        geo::Geometry::Polygon(geo::Polygon::new(geo::LineString::from(vec![(x, 0.0), (x + 10.0, 0.0), (x + 10.0, 10.0), (x, 10.0), (x, 0.0)]), vec![]))
    }

    /// Segments of a path, as drawn.
    fn segments(outline: &Outline) -> usize {
        match outline {
            Outline::Rings => usize::MAX,
            Outline::Edges(None) => 0,
            Outline::Edges(Some(p)) => p.segments().filter(|s| matches!(s, tiny_skia::PathSegment::LineTo(_))).count(),
        }
    }

    /// Two squares sharing an edge: the first strokes its three own edges, the second its whole
    /// ring; a stroke wider than a pixel keeps whole rings.
    #[test]
    fn a_shared_edge_is_stroked_by_the_last_feature_only() {
        let table = super::super::rules::tests::table();
        let feature = Feature { id: None, properties: vec![], geometry: None };
        let drawn: Vec<Drawn> = [square(0.0), square(10.0)].into_iter().map(|geometry| Drawn { table: &table, feature: &feature, geometry }).collect();
        let view = View::new(ogc::crs::Crs::Epsg(3857), ogc::bbox::Bbox { min_x: 0.0, min_y: 0.0, max_x: 20.0, max_y: 20.0 }, 20, 20, None, false);
        let thin = style("0.5");
        let fts = &thin.feature_type_styles[0];
        let Symbolizer::Polygon(p) = &fts.rules[0].symbolizers[0] else { panic!("a polygon symbolizer") };
        let shared = SharedEdges::of(&drawn, &mut RuleResolver::new(fts.active_rules(1000.0)), &view).unwrap();
        assert_eq!(segments(&shared.outline(0, p, &drawn[0].geometry, &view)), 3);
        assert_eq!(segments(&shared.outline(1, p, &drawn[1].geometry, &view)), 4);
        let wide = style("2");
        let fts = &wide.feature_type_styles[0];
        let Symbolizer::Polygon(p) = &fts.rules[0].symbolizers[0] else { panic!("a polygon symbolizer") };
        let shared = SharedEdges::of(&drawn, &mut RuleResolver::new(fts.active_rules(1000.0)), &view).unwrap();
        assert!(matches!(shared.outline(0, p, &drawn[0].geometry, &view), Outline::Rings));
    }
}
