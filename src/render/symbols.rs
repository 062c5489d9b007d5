//! Geometry symbolizers painted with tiny-skia: polygon fills and outlines, lines (width, dash,
//! join, cap, offset), point symbols (well-known marks and external PNG graphics).
//!
//! Which symbolizer applies to which geometry: a PolygonSymbolizer fills areas (lines and points
//! have no area to fill), a LineSymbolizer draws lines and the rings of areas, a
//! PointSymbolizer draws at points and at the interior point of lines and areas.

use std::collections::HashMap;

use geo::{InteriorPoint, LineString};
use ogc::style::{Color, Fill, Graphic, GraphicSymbol, LineCap, LineJoin, LineSymbolizer, Mark, MarkShape, PointSymbolizer, PolygonSymbolizer, Stroke, Uom};
use ogc::value::Value;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, PixmapPaint, Transform};

use super::area;
use super::hairline::Hairline;
use super::solid::Solid;
use super::view::View;

/// External graphics of the styles (PNG), decoded at start-up, by `href` as the style writes it.
pub type Graphics = HashMap<String, Pixmap>;

/// A feature's property values by name.
pub trait Properties: Fn(&str) -> Option<Value> + Copy {}
impl<F: Fn(&str) -> Option<Value> + Copy> Properties for F {}

pub fn paint(color: Color) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(paint_color(color));
    p.anti_alias = true;
    p
}

fn paint_color(color: Color) -> tiny_skia::Color {
    tiny_skia::Color::from_rgba8(color.r, color.g, color.b, color.a)
}

/// The rings of areas and the lines of a geometry, as one path (areas filled even-odd).
fn path(geometry: &geo::Geometry<f64>, closed_only: bool) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    let mut add = |line: &LineString<f64>, close: bool| {
        let mut points = line.0.iter();
        if let Some(first) = points.next() {
            pb.move_to(first.x as f32, first.y as f32);
            points.for_each(|c| pb.line_to(c.x as f32, c.y as f32));
            if close {
                pb.close();
            }
        }
    };
    visit_lines(geometry, &mut |l, is_ring| {
        if is_ring || !closed_only {
            add(l, is_ring)
        }
    });
    pb.finish()
}

/// Every ring (`true`) and line (`false`) of a geometry.
fn visit_lines(g: &geo::Geometry<f64>, f: &mut impl FnMut(&LineString<f64>, bool)) {
    use geo::Geometry as G;
    match g {
        G::Polygon(p) => std::iter::once(p.exterior()).chain(p.interiors()).for_each(|r| f(r, true)),
        G::MultiPolygon(m) => m.0.iter().for_each(|p| std::iter::once(p.exterior()).chain(p.interiors()).for_each(|r| f(r, true))),
        G::LineString(l) => f(l, false),
        G::MultiLineString(m) => m.0.iter().for_each(|l| f(l, false)),
        G::GeometryCollection(c) => c.0.iter().for_each(|g| visit_lines(g, f)),
        G::Rect(r) => f(r.to_polygon().exterior(), true),
        G::Triangle(t) => f(t.to_polygon().exterior(), true),
        G::Point(_) | G::MultiPoint(_) | G::Line(_) => {}
    }
}

fn stroke_style(s: &Stroke, uom: Uom, view: &View, props: impl Properties) -> Option<(Paint<'static>, tiny_skia::Stroke)> {
    let color = s.color_for(props)?;
    let width = view.pixels(uom, s.width.get(props)?);
    if width <= 0.0 || color.a == 0 {
        return None;
    }
    let dash = s.dash_array.as_ref().and_then(|d| {
        let d: Vec<f32> = d.iter().map(|v| view.pixels(uom, *v) as f32).collect();
        // An odd list repeats itself (SVG), which StrokeDash wants written out.
        let d = if d.len() % 2 == 1 { [d.clone(), d].concat() } else { d };
        tiny_skia::StrokeDash::new(d, view.pixels(uom, s.dash_offset) as f32)
    });
    let stroke = tiny_skia::Stroke {
        width: width as f32,
        line_join: match s.line_join {
            LineJoin::Mitre => tiny_skia::LineJoin::Miter,
            LineJoin::Round => tiny_skia::LineJoin::Round,
            LineJoin::Bevel => tiny_skia::LineJoin::Bevel,
        },
        line_cap: match s.line_cap {
            LineCap::Butt => tiny_skia::LineCap::Butt,
            LineCap::Round => tiny_skia::LineCap::Round,
            LineCap::Square => tiny_skia::LineCap::Square,
        },
        dash,
        ..Default::default()
    };
    Some((paint(color), stroke))
}

fn fill_path(pixmap: &mut Pixmap, path: &tiny_skia::Path, fill: &Fill, props: impl Properties, transform: Transform) {
    if let Some(color) = fill.color_for(props).filter(|c| c.a > 0) {
        pixmap.fill_path(path, &paint(color), FillRule::EvenOdd, transform, None);
    }
}

fn stroke_path(pixmap: &mut Pixmap, path: &tiny_skia::Path, stroke: &Stroke, uom: Uom, view: &View, props: impl Properties, transform: Transform) {
    if let Some((paint, stroke)) = stroke_style(stroke, uom, view, props) {
        pixmap.stroke_path(path, &paint, &stroke, transform, None);
    }
}

pub fn polygon(pixmap: &mut Pixmap, s: &PolygonSymbolizer, geometry: &geo::Geometry<f64>, view: &View, props: impl Properties) {
    if let Some(color) = s.fill.as_ref().and_then(|f| f.color_for(props)).filter(|c| c.a > 0) {
        area::fill(pixmap, Solid::new(paint_color(color)), |ring| {
            visit_lines(geometry, &mut |l, is_ring| {
                if is_ring {
                    ring(l)
                }
            })
        });
    }
    if let Some(stroke) = &s.stroke {
        stroke_lines(pixmap, geometry, true, stroke, s.uom, view, props);
    }
}

/// The rings (`closed_only`) or the rings and lines of a geometry stroked: sub-pixel widths by
/// [`Hairline`] (rings, or lines with butt caps: tiny-skia lengthens capped hairlines), others
/// by tiny-skia.
#[allow(clippy::too_many_arguments)]
fn stroke_lines(pixmap: &mut Pixmap, geometry: &geo::Geometry<f64>, closed_only: bool, stroke: &Stroke, uom: Uom, view: &View, props: impl Properties) {
    let Some((paint, style)) = stroke_style(stroke, uom, view, props) else { return };
    let hairline = match paint.shader {
        tiny_skia::Shader::SolidColor(color) if style.dash.is_none() && (closed_only || style.line_cap == tiny_skia::LineCap::Butt) => Hairline::new(color, style.width),
        _ => None,
    };
    if let Some(hairline) = hairline {
        visit_lines(geometry, &mut |l, is_ring| {
            if is_ring || !closed_only {
                hairline.draw(pixmap, l)
            }
        });
        return;
    }
    if let Some(path) = path(geometry, closed_only) {
        pixmap.stroke_path(&path, &paint, &style, Transform::identity(), None);
    }
}

pub fn line(pixmap: &mut Pixmap, s: &LineSymbolizer, geometry: &geo::Geometry<f64>, view: &View, props: impl Properties) {
    let Some(stroke) = &s.stroke else { return };
    let offset = s.perpendicular_offset.get(props).map_or(0.0, |o| view.pixels(s.uom, o));
    if offset == 0.0 {
        stroke_lines(pixmap, geometry, false, stroke, s.uom, view, props);
    } else {
        let mut lines = Vec::new();
        visit_lines(geometry, &mut |l, _| lines.push(offset_line(l, offset)));
        stroke_lines(pixmap, &geo::Geometry::MultiLineString(geo::MultiLineString(lines)), false, stroke, s.uom, view, props);
    }
}

/// A line moved `offset` pixels to its left (SE `PerpendicularOffset`; y grows downwards in
/// pixels, so left of the direction of travel is the normal (dy, -dx)). Each vertex moves along
/// the mean of its segments' normals.
fn offset_line(l: &LineString<f64>, offset: f64) -> LineString<f64> {
    let p = &l.0;
    let normal = |a: geo::Coord<f64>, b: geo::Coord<f64>| {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = dx.hypot(dy);
        if len == 0.0 { (0.0, 0.0) } else { (dy / len, -dx / len) }
    };
    (0..p.len())
        .map(|i| {
            let before = (i > 0).then(|| normal(p[i - 1], p[i]));
            let after = (i + 1 < p.len()).then(|| normal(p[i], p[i + 1]));
            let (nx, ny) = match (before, after) {
                (Some(a), Some(b)) => ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0),
                (Some(n), None) | (None, Some(n)) => n,
                (None, None) => (0.0, 0.0),
            };
            geo::Coord { x: p[i].x + nx * offset, y: p[i].y + ny * offset }
        })
        .collect()
}

/// Where point symbols and point labels go: the points, or the interior point of a line or area.
pub fn anchor_points(geometry: &geo::Geometry<f64>) -> Vec<(f64, f64)> {
    match geometry {
        geo::Geometry::Point(p) => vec![(p.x(), p.y())],
        geo::Geometry::MultiPoint(m) => m.0.iter().map(|p| (p.x(), p.y())).collect(),
        other => other.interior_point().map(|p| vec![(p.x(), p.y())]).unwrap_or_default(),
    }
}

pub fn point(pixmap: &mut Pixmap, s: &PointSymbolizer, geometry: &geo::Geometry<f64>, view: &View, graphics: &Graphics, props: impl Properties) {
    for (x, y) in anchor_points(geometry) {
        graphic(pixmap, &s.graphic, s.uom, (x, y), view, graphics, props);
    }
}

/// A graphic centred (by its anchor) on `at`, in pixels. The first symbol that can be drawn is.
pub fn graphic(pixmap: &mut Pixmap, g: &Graphic, uom: Uom, at: (f64, f64), view: &View, graphics: &Graphics, props: impl Properties) {
    let Some(opacity) = g.opacity.get(props) else { return };
    let rotation = g.rotation.get(props).unwrap_or(0.0);
    let (Some(ax), Some(ay)) = (g.anchor.0.get(props), g.anchor.1.get(props)) else { return };
    let (dx, dy) = (g.displacement.0.get(props).unwrap_or(0.0), g.displacement.1.get(props).unwrap_or(0.0));
    let size = match &g.size {
        Some(s) => match s.get(props) {
            Some(v) => Some(view.pixels(uom, v)),
            None => return,
        },
        None => None,
    };
    // The symbol's box is (-0.5, -0.5)..(0.5, 0.5) scaled by its size; the anchor (fractions of
    // the box, y up) lands on the location, displaced x right and y up.
    let place = |w: f64, h: f64| {
        Transform::from_translate((at.0 + view.pixels(uom, dx)) as f32, (at.1 - view.pixels(uom, dy)) as f32)
            .pre_rotate(rotation as f32)
            .pre_translate(((0.5 - ax) * w) as f32, ((ay - 0.5) * h) as f32)
    };
    for symbol in &g.symbols {
        match symbol {
            GraphicSymbol::Mark(m) => {
                let size = size.unwrap_or_else(|| view.pixels(uom, ogc::style::DEFAULT_MARK_SIZE));
                mark(pixmap, m, size, opacity, uom, view, props, place(size, size));
                return;
            }
            GraphicSymbol::External(e) => {
                let Some(image) = graphics.get(&e.href) else { continue };
                let h = size.unwrap_or(f64::from(image.height()) * view.pixel_ratio);
                let scale = h / f64::from(image.height());
                let w = f64::from(image.width()) * scale;
                let t = place(w, h).pre_translate((-w / 2.0) as f32, (-h / 2.0) as f32).pre_scale(scale as f32, scale as f32);
                let paint = PixmapPaint { opacity: opacity.clamp(0.0, 1.0) as f32, quality: tiny_skia::FilterQuality::Bilinear, ..Default::default() };
                pixmap.draw_pixmap(0, 0, image.as_ref(), &paint, t, None);
                return;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn mark(pixmap: &mut Pixmap, m: &Mark, size: f64, opacity: f64, uom: Uom, view: &View, props: impl Properties, t: Transform) {
    let Some(path) = mark_path(m.shape, size as f32 / 2.0) else { return };
    if let Some(fill) = &m.fill {
        let faded = Fill { opacity: ogc::style::Param::Literal(fill.opacity.get(props).unwrap_or(1.0) * opacity), ..fill.clone() };
        fill_path(pixmap, &path, &faded, props, t);
    }
    if let Some(stroke) = &m.stroke {
        let faded = Stroke { opacity: ogc::style::Param::Literal(stroke.opacity.get(props).unwrap_or(1.0) * opacity), ..stroke.clone() };
        stroke_path(pixmap, &path, &faded, uom, view, props, t);
    }
}

/// A well-known mark of half-size `r` around the origin.
fn mark_path(shape: MarkShape, r: f32) -> Option<tiny_skia::Path> {
    let polygon = |points: &[(f32, f32)]| {
        let mut pb = PathBuilder::new();
        pb.move_to(points[0].0 * r, points[0].1 * r);
        points[1..].iter().for_each(|(x, y)| pb.line_to(x * r, y * r));
        pb.close();
        pb.finish()
    };
    match shape {
        MarkShape::Square => polygon(&[(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]),
        MarkShape::Circle => PathBuilder::from_circle(0.0, 0.0, r),
        MarkShape::Triangle => polygon(&[(0.0, -1.0), (0.866, 0.5), (-0.866, 0.5)]),
        MarkShape::Star => {
            let points: Vec<(f32, f32)> = (0..10)
                .map(|i| {
                    let radius = if i % 2 == 0 { 1.0 } else { 0.382 };
                    let a = std::f32::consts::PI * (i as f32 / 5.0 - 0.5);
                    (radius * a.cos(), radius * a.sin())
                })
                .collect();
            polygon(&points)
        }
        MarkShape::Cross => {
            let w = 0.2;
            polygon(&[(-w, -1.0), (w, -1.0), (w, -w), (1.0, -w), (1.0, w), (w, w), (w, 1.0), (-w, 1.0), (-w, w), (-1.0, w), (-1.0, -w), (-w, -w)])
        }
        MarkShape::X => {
            let p = mark_path(MarkShape::Cross, r)?;
            p.transform(Transform::from_rotate(45.0))
        }
    }
}
