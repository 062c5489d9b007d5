//! Labels (TextSymbolizer): text shaped with the bundled DejaVu Sans through ab_glyph, turned
//! into tiny-skia paths so glyphs, halos and rotation share the geometry painter's
//! anti-aliasing. Labels are collected while the layers are drawn and placed last, over every
//! layer, first come first placed: one whose box meets a placed one is dropped (conflict
//! avoidance). Features are read with a buffer around the map, and a polygon's label point
//! is computed on its whole geometry, so a label near a tile edge is placed the same way in both
//! neighbouring tiles.

use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, OutlineCurve, PxScale, ScaleFont};
use ogc::style::{Color, LabelPlacement, TextSymbolizer};
use tiny_skia::{FillRule, PathBuilder, Pixmap, Rect, Transform};

use super::symbols::{Properties, anchor_points, paint};
use super::view::View;

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`): one open font with
/// Latin, Greek and Cyrillic, every family a style names is drawn with it.
static FONT: LazyLock<FontRef<'static>> =
    LazyLock::new(|| FontRef::try_from_slice(include_bytes!("../../assets/fonts/DejaVuSans.ttf")).expect("the bundled font is a valid TrueType font"));

/// Pixels a label may reach into the map from a feature outside it: features this close are read
/// too, so labels crossing the map's edge are drawn.
pub const LABEL_BUFFER_PX: f64 = 128.0;

/// A label waiting for placement.
pub struct Label {
    /// Glyph outlines, origin at the text's baseline start.
    path: tiny_skia::Path,
    /// Advance width of the text, ascent above and descent below the baseline (negative).
    width: f32,
    ascent: f32,
    descent: f32,
    /// Where the box's anchor goes and how the text is turned.
    transform: Transform,
    fill: Color,
    halo: Option<(Color, f32)>,
}

/// The text `text` at `size` pixels as a path, with its advance width; `None` for blank text.
pub fn text_path(text: &str, size: f32) -> Option<(tiny_skia::Path, f32)> {
    let font = &*FONT;
    let scaled = font.as_scaled(PxScale::from(size));
    let (sx, sy) = (scaled.h_scale_factor(), scaled.v_scale_factor());
    let mut pb = PathBuilder::new();
    let mut x = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            x += scaled.kern(p, id);
        }
        if let Some(outline) = font.outline(id) {
            let mut last: Option<ab_glyph::Point> = None;
            let at = |p: ab_glyph::Point| (x + p.x * sx, -p.y * sy);
            for curve in &outline.curves {
                let start = match curve {
                    OutlineCurve::Line(a, _) | OutlineCurve::Quad(a, _, _) | OutlineCurve::Cubic(a, _, _, _) => *a,
                };
                if last != Some(start) {
                    if last.is_some() {
                        pb.close();
                    }
                    let (px, py) = at(start);
                    pb.move_to(px, py);
                }
                last = Some(match curve {
                    OutlineCurve::Line(_, b) => {
                        let b_ = at(*b);
                        pb.line_to(b_.0, b_.1);
                        *b
                    }
                    OutlineCurve::Quad(_, c1, b) => {
                        let (c, e) = (at(*c1), at(*b));
                        pb.quad_to(c.0, c.1, e.0, e.1);
                        *b
                    }
                    OutlineCurve::Cubic(_, c1, c2, b) => {
                        let (c, d, e) = (at(*c1), at(*c2), at(*b));
                        pb.cubic_to(c.0, c.1, d.0, d.1, e.0, e.1);
                        *b
                    }
                });
            }
            if last.is_some() {
                pb.close();
            }
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    Some((pb.finish()?, x))
}

/// Ascent and descent of the font at `size` pixels (descent negative).
fn metrics(size: f32) -> (f32, f32) {
    let scaled = FONT.as_scaled(PxScale::from(size));
    (scaled.ascent(), scaled.descent())
}

/// The labels a TextSymbolizer gives a feature: one per point of a (multi)point, one at the
/// interior point of an area, one along a line (at its middle, turned to its direction and kept
/// upright) or at its middle for point placement.
pub fn candidates(s: &TextSymbolizer, geometry: &geo::Geometry<f64>, view: &View, props: impl Properties) -> Vec<Label> {
    let Some(template) = &s.label else { return Vec::new() };
    let text = template.evaluate(props);
    let text = text.trim();
    let (Some(size), Some(fill)) = (s.font.size.get(props), s.fill.color_for(props)) else { return Vec::new() };
    let size = view.pixels(s.uom, size) as f32;
    if text.is_empty() || size <= 0.0 {
        return Vec::new();
    }
    let Some((path, width)) = text_path(text, size) else { return Vec::new() };
    let (ascent, descent) = metrics(size);
    let height = ascent - descent;
    let halo = s.halo.as_ref().and_then(|h| Some((h.fill.color_for(props)?, view.pixels(s.uom, h.radius.get(props)?) as f32)));
    let label = |transform: Transform| Label { path: path.clone(), width, ascent, descent, transform, fill, halo };
    let is_line = matches!(geometry, geo::Geometry::LineString(_) | geo::Geometry::MultiLineString(_));
    match &s.placement {
        LabelPlacement::Line { perpendicular_offset, is_aligned } if is_line => {
            let Some((x, y, angle)) = line_middle(geometry) else { return Vec::new() };
            let offset = perpendicular_offset.get(props).map_or(0.0, |o| view.pixels(s.uom, o)) as f32;
            let angle = if *is_aligned { angle } else { 0.0 };
            // Centred on the line (or `offset` to its left), text upright.
            vec![label(
                Transform::from_translate(x as f32, y as f32)
                    .pre_rotate(angle)
                    .pre_translate(-width / 2.0, -offset + (ascent + descent) / 2.0),
            )]
        }
        LabelPlacement::Line { .. } => anchor_points(geometry)
            .into_iter()
            .map(|(x, y)| label(Transform::from_translate(x as f32 - width / 2.0, y as f32 + (ascent + descent) / 2.0)))
            .collect(),
        LabelPlacement::Point { anchor, displacement, rotation } => {
            let (Some(ax), Some(ay)) = (anchor.0.get(props), anchor.1.get(props)) else { return Vec::new() };
            let (dx, dy) = (displacement.0.get(props).unwrap_or(0.0), displacement.1.get(props).unwrap_or(0.0));
            let rotation = rotation.get(props).unwrap_or(0.0) as f32;
            anchor_points(geometry)
                .into_iter()
                .map(|(x, y)| {
                    // The anchor is a fraction of the text box, from its bottom left (y up).
                    let (ax, ay) = (ax as f32 * width, ay as f32 * height);
                    label(
                        Transform::from_translate((x + view.pixels(s.uom, dx)) as f32, (y - view.pixels(s.uom, dy)) as f32)
                            .pre_rotate(rotation)
                            .pre_translate(-ax, ay + descent),
                    )
                })
                .collect()
        }
    }
}

/// The point halfway along the longest line of a geometry, and the direction there in degrees
/// (clockwise in pixels), turned so text reads left to right.
fn line_middle(geometry: &geo::Geometry<f64>) -> Option<(f64, f64, f32)> {
    use geo::{Euclidean, Length};
    let line = match geometry {
        geo::Geometry::LineString(l) => l,
        geo::Geometry::MultiLineString(m) => m.0.iter().max_by(|a, b| Euclidean.length(*a).total_cmp(&Euclidean.length(*b)))?,
        _ => return None,
    };
    let mut remaining = Euclidean.length(line) / 2.0;
    for seg in line.lines() {
        let len = Euclidean.length(&seg);
        if len >= remaining && len > 0.0 {
            let f = remaining / len;
            let (dx, dy) = (seg.end.x - seg.start.x, seg.end.y - seg.start.y);
            let mut angle = dy.atan2(dx).to_degrees();
            if angle > 90.0 {
                angle -= 180.0;
            } else if angle < -90.0 {
                angle += 180.0;
            }
            return Some((seg.start.x + dx * f, seg.start.y + dy * f, angle as f32));
        }
        remaining -= len;
    }
    None
}

/// The box a label covers on the map (its halo included), axis-aligned.
fn footprint(l: &Label) -> Option<Rect> {
    let grow = l.halo.map_or(0.0, |(_, r)| r);
    let (left, top, right, bottom) = (-grow, -l.ascent - grow, l.width + grow, -l.descent + grow);
    let mut points = [(left, top), (right, top), (right, bottom), (left, bottom)].map(|(x, y)| tiny_skia::Point::from_xy(x, y));
    l.transform.map_points(&mut points);
    Rect::from_points(&points)
}

/// Places the labels in order, dropping those that meet one already placed, and draws them.
pub fn place_and_draw(pixmap: &mut Pixmap, labels: Vec<Label>) {
    let mut placed: Vec<Rect> = Vec::new();
    for l in labels {
        let Some(area) = footprint(&l) else { continue };
        let overlaps = |r: &Rect| r.left() < area.right() && area.left() < r.right() && r.top() < area.bottom() && area.top() < r.bottom();
        if placed.iter().any(overlaps) {
            continue;
        }
        placed.push(area);
        draw(pixmap, &l);
    }
}

fn draw(pixmap: &mut Pixmap, l: &Label) {
    if let Some((color, radius)) = l.halo.filter(|(c, r)| c.a > 0 && *r > 0.0) {
        let stroke = tiny_skia::Stroke { width: 2.0 * radius, line_join: tiny_skia::LineJoin::Round, ..Default::default() };
        pixmap.stroke_path(&l.path, &paint(color), &stroke, l.transform, None);
    }
    pixmap.fill_path(&l.path, &paint(l.fill), FillRule::Winding, l.transform, None);
}

/// Text written in lines from the top-left corner, wrapped at word boundaries to the image's
/// width, black on a white halo so it reads over any background (INIMAGE exceptions).
pub fn write_message(pixmap: &mut Pixmap, text: &str) {
    const SIZE: f32 = 12.0;
    const MARGIN: f32 = 4.0;
    let room = pixmap.width() as f32 - 2.0 * MARGIN;
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if text_path(&format!("{line} {word}"), SIZE).is_none_or(|(_, w)| w <= room) => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let (ascent, descent) = metrics(SIZE);
    let step = ascent - descent + 2.0;
    for (i, line) in lines.iter().enumerate() {
        let Some((path, width)) = text_path(line, SIZE) else { continue };
        let transform = Transform::from_translate(MARGIN, MARGIN + ascent + i as f32 * step);
        let label = Label { path, width, ascent, descent, transform, fill: Color::rgb(0, 0, 0), halo: Some((Color::rgb(255, 255, 255), 1.5)) };
        draw(pixmap, &label);
    }
}
