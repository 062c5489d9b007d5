//! Legend images (WMS GetLegendGraphic, SLD profile): one sample per rule, drawn with the
//! rule's own symbolizers on a sample geometry (a square for areas, a line, a point), and the
//! rule's title (else its name) to its right. Asked for one rule, the image is that rule's
//! sample alone, at the requested size, as GeoServer draws it.

use ogc::style::{LegendEntry, Symbolizer};
use tiny_skia::Pixmap;

use super::labels::text_path;
use super::symbols::{self, Graphics, paint};
use super::view::View;
use crate::raster::Rgba;

/// Size of the text next to each sample, in pixels.
const TEXT_PX: f32 = 12.0;
const GAP: u32 = 4;
/// The sample size when a request gives none (GeoServer's).
pub const SAMPLE: (u32, u32) = (20, 20);

/// The size of the legend image of `entries` with labels, as capabilities announce it.
pub fn size(entries: &[LegendEntry], sample: (u32, u32)) -> (u32, u32) {
    let text_width = entries.iter().filter_map(|e| text_path(&e.label, TEXT_PX)).map(|(_, w)| w.ceil() as u32).max().unwrap_or(0);
    layout(entries.len(), sample, text_width, true)
}

fn layout(rows: usize, sample: (u32, u32), text_width: u32, labels: bool) -> (u32, u32) {
    let width = if text_width > 0 { sample.0 + 2 * GAP + text_width } else { sample.0 };
    let rows = rows.max(1) as u32;
    (width, rows * sample.1 + (rows - 1) * if labels { GAP } else { 0 })
}

/// The legend of `entries`, each sample `sample` pixels (width, height); with `labels` false,
/// the samples alone.
pub fn draw(entries: &[LegendEntry], sample: (u32, u32), labels: bool, graphics: &Graphics) -> Option<Rgba> {
    let texts: Vec<Option<(tiny_skia::Path, f32)>> =
        entries.iter().map(|e| if labels { text_path(&e.label, TEXT_PX) } else { None }).collect();
    let text_width = texts.iter().flatten().map(|(_, w)| w.ceil() as u32).max().unwrap_or(0);
    let (width, height) = layout(entries.len(), sample, text_width, labels);
    let mut pixmap = Pixmap::new(width, height)?;
    for (i, (entry, text)) in entries.iter().zip(&texts).enumerate() {
        let top = i as u32 * (sample.1 + if labels { GAP } else { 0 });
        let mut swatch = Pixmap::new(sample.0, sample.1)?;
        draw_sample(&mut swatch, entry, graphics);
        pixmap.draw_pixmap(0, top as i32, swatch.as_ref(), &tiny_skia::PixmapPaint::default(), tiny_skia::Transform::identity(), None);
        if let Some((path, _)) = text {
            let baseline = top as f32 + sample.1 as f32 / 2.0 + TEXT_PX * 0.35;
            let t = tiny_skia::Transform::from_translate((sample.0 + GAP) as f32, baseline);
            pixmap.fill_path(path, &paint(ogc::style::Color::rgb(0, 0, 0)), tiny_skia::FillRule::Winding, t, None);
        }
    }
    Some(super::from_pixmap(pixmap))
}

/// A rule's sample: its symbolizers on the geometry that suits each, sizes in pixels (a legend
/// has no ground scale, so ground units are drawn as one pixel per unit, capped to the sample).
fn draw_sample(pixmap: &mut Pixmap, entry: &LegendEntry, graphics: &Graphics) {
    let (w, h) = (f64::from(pixmap.width()), f64::from(pixmap.height()));
    let bbox = ogc::bbox::Bbox { min_x: 0.0, min_y: 0.0, max_x: w, max_y: h };
    let view = View::new(ogc::crs::Crs::Epsg(3857), bbox, pixmap.width(), pixmap.height(), None, false);
    let props = |_: &str| None;
    let inset = 1.0;
    let area = geo::Geometry::Polygon(geo::Polygon::new(
        vec![(inset, inset), (w - inset, inset), (w - inset, h - inset), (inset, h - inset), (inset, inset)].into(),
        vec![],
    ));
    let line = geo::Geometry::LineString(vec![(1.0, h - 2.0), (w / 3.0, h / 3.0), (2.0 * w / 3.0, 2.0 * h / 3.0), (w - 1.0, 2.0)].into());
    let point = geo::Geometry::Point(geo::Point::new(w / 2.0, h / 2.0));
    if let Some(g) = entry.legend_graphic {
        symbols::graphic(pixmap, g, ogc::style::Uom::Pixel, (w / 2.0, h / 2.0), &view, graphics, props);
        return;
    }
    for s in entry.symbolizers {
        match s {
            Symbolizer::Polygon(p) => symbols::polygon(pixmap, p, &area, &view, props),
            Symbolizer::Line(l) => symbols::line(pixmap, l, &line, &view, props),
            Symbolizer::Point(p) => symbols::point(pixmap, p, &point, &view, graphics, props),
            Symbolizer::Raster(r) => {
                let items = r.color_map.as_ref().map(|m| m.legend_items()).unwrap_or_default();
                if let Some((color, _)) = items.first() {
                    pixmap.fill(tiny_skia::Color::from_rgba8(color.r, color.g, color.b, color.a));
                }
            }
            Symbolizer::Text(_) => {}
        }
    }
}
