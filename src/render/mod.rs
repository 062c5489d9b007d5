//! Map rendering: vector features drawn by their SLD / SE style, imagery composed with them, in
//! one anti-aliased tiny-skia canvas the size of the map.
//!
//! - [`view`]: the map's box, size and resolution; scale denominator and symbol units.
//! - [`features`]: features in map pixels, with their properties for filters and templates.
//! - [`symbols`]: polygon, line and point symbolizers.
//! - [`hairline`], [`area`], [`solid`]: strokes narrower than a pixel and filled areas in one
//!   colour, without tiny-skia's per-span pipeline.
//! - [`rules`]: which rules of a style draw a feature.
//! - [`labels`]: text symbolizers, placed last with conflict avoidance.
//! - [`legend`]: GetLegendGraphic images, drawn with the same painters.
//!
//! The renderer knows no protocol and reads no data: a face queries the features and hands them
//! over, so WMS and any later map face draw alike.


mod area;
pub mod features;
mod hairline;
pub mod labels;
pub mod legend;
mod rules;
mod solid;
pub mod symbols;
pub mod view;

use ogc::style::{Symbolizer, UserStyle};
use tiny_skia::Pixmap;

use crate::raster::Rgba;
use features::Drawn;
use symbols::Graphics;
use view::View;

/// A map being drawn, bottom layer first.
pub struct Canvas {
    pub view: View,
    pixmap: Pixmap,
    labels: Vec<labels::Label>,
    /// Nothing drawn yet: the first image then becomes the canvas instead of being composed
    /// over a transparent one (a map of imagery alone is never copied or composed).
    blank: bool,
}

impl Canvas {
    /// A transparent map; `None` for a zero or impossibly large size (the WMS checks keep
    /// sizes within the configured maximum before this).
    pub fn new(view: View) -> Option<Canvas> {
        Some(Canvas { pixmap: Pixmap::new(view.width, view.height)?, view, labels: Vec::new(), blank: true })
    }

    /// Imagery of the map's size, composed over what is drawn.
    pub fn draw_image(&mut self, image: Rgba) {
        let Some(layer) = to_pixmap(image) else { return };
        if self.blank && layer.width() == self.pixmap.width() && layer.height() == self.pixmap.height() {
            self.pixmap = layer;
            self.blank = false;
            return;
        }
        self.pixmap.draw_pixmap(0, 0, layer.as_ref(), &tiny_skia::PixmapPaint::default(), tiny_skia::Transform::identity(), None);
    }

    /// Features drawn by `style`: each feature type style in turn over every feature, each
    /// feature by the rules active at the map's scale that it matches (the `ElseFilter` rules
    /// when it matches none). Labels wait for [`Canvas::finish`].
    pub fn draw_features(&mut self, style: &UserStyle, graphics: &Graphics, features: &[Drawn]) -> Result<(), String> {
        let scale = self.view.scale_denominator();
        self.blank = false;
        for fts in &style.feature_type_styles {
            let mut resolver = rules::RuleResolver::new(fts.active_rules(scale));
            for f in features {
                let props = |name: &str| f.property(name);
                let rules = resolver.rules(f)?;
                for s in rules.iter().flat_map(|r| &r.symbolizers) {
                    match s {
                        Symbolizer::Polygon(p) => symbols::polygon(&mut self.pixmap, p, &f.geometry, &self.view, props),
                        Symbolizer::Line(l) => symbols::line(&mut self.pixmap, l, &f.geometry, &self.view, props),
                        Symbolizer::Point(p) => symbols::point(&mut self.pixmap, p, &f.geometry, &self.view, graphics, props),
                        Symbolizer::Text(t) => self.labels.extend(labels::candidates(t, &f.geometry, &self.view, props)),
                        // Checked at start-up: a vector layer's style has no raster symbolizer.
                        Symbolizer::Raster(_) => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Places and draws the labels over every layer, and returns the map (straight alpha).
    pub fn finish(mut self) -> Rgba {
        labels::place_and_draw(&mut self.pixmap, std::mem::take(&mut self.labels));
        from_pixmap(self.pixmap)
    }
}

/// How far, in pixels, a feature outside the map may still draw into it with `style`: labels
/// and point symbols reach [`labels::LABEL_BUFFER_PX`], strokes half their width and their
/// offset. Only features this close are read, so a style of outlines does not fetch the 128
/// pixels of features around the map that a labelled one needs.
pub fn reach(style: &UserStyle, view: &View) -> f64 {
    let stroke = |s: Option<&ogc::style::Stroke>, uom, offset: &ogc::style::Param<f64>| -> Option<f64> {
        let width = match s {
            Some(s) => *s.width.literal()?,
            None => 0.0,
        };
        Some(view.pixels(uom, width / 2.0 + offset.literal()?.abs()))
    };
    let mut most: f64 = 0.0;
    for s in style.feature_type_styles.iter().flat_map(|f| &f.rules).flat_map(|r| &r.symbolizers) {
        let r = match s {
            Symbolizer::Polygon(p) => stroke(p.stroke.as_ref(), p.uom, &ogc::style::Param::Literal(0.0)),
            Symbolizer::Line(l) => stroke(l.stroke.as_ref(), l.uom, &l.perpendicular_offset),
            Symbolizer::Point(_) | Symbolizer::Text(_) | Symbolizer::Raster(_) => None,
        };
        most = most.max(r.unwrap_or(labels::LABEL_BUFFER_PX));
    }
    // One more pixel for the anti-aliased edge.
    most + 1.0
}

/// Straight-alpha RGBA to tiny-skia's premultiplied pixels, in place (opaque pixels, all of
/// an orthophoto's, are the same in both).
fn to_pixmap(image: Rgba) -> Option<Pixmap> {
    let size = tiny_skia::IntSize::from_wh(image.width, image.height)?;
    let mut data = image.data;
    for p in data.chunks_exact_mut(4) {
        let a = u32::from(p[3]);
        if a < 255 {
            for c in &mut p[..3] {
                *c = ((u32::from(*c) * a + 127) / 255) as u8;
            }
        }
    }
    Pixmap::from_vec(data, size)
}

/// tiny-skia's premultiplied pixels to straight-alpha RGBA, what the encoders take, in place.
pub fn from_pixmap(pixmap: Pixmap) -> Rgba {
    let (width, height) = (pixmap.width(), pixmap.height());
    let mut data = pixmap.take();
    for p in data.chunks_exact_mut(4) {
        let a = u32::from(p[3]);
        if a > 0 && a < 255 {
            for c in &mut p[..3] {
                *c = ((u32::from(*c) * 255 + a / 2) / a).min(255) as u8;
            }
        }
    }
    Rgba { width, height, data }
}

/// An image of the map's size for an exception: transparent, with `message` written in its
/// top-left corner (INIMAGE) when there is one, wrapped to the width.
pub fn message_image(width: u32, height: u32, message: Option<&str>) -> Rgba {
    let Some(mut canvas) = Pixmap::new(width, height) else { return Rgba::transparent(width, height) };
    if let Some(message) = message {
        labels::write_message(&mut canvas, message);
    }
    from_pixmap(canvas)
}
