//! A vector layer's styles, read at start-up: the SLD / SE files its configuration names (first
//! one the default), or a plain style for its geometry type.
//!
//! Everything a request could trip on later is checked here, with the file named: the document
//! reads (the reader refuses what the model cannot express, naming the element), every property
//! a rule filter or a label reads exists in the layer, rule filters use only what the in-memory
//! evaluator decides (no spatial operators, no arithmetic), external graphics are local PNG files
//! (decoded now), and a vector layer's style has no RasterSymbolizer.

use std::path::Path;
use std::sync::Arc;

use ogc::filter::{Expr, Filter};
use ogc::style::{
    Color, Description, FeatureTypeStyle, Fill, Graphic, GraphicSymbol, LayerStyle, LineSymbolizer, Mark, MarkShape, Param, PointSymbolizer,
    PolygonSymbolizer, Rule, Selector, Stroke, StyleKind, Symbolizer, Uom, UserStyle,
};

use crate::render::symbols::Graphics;
use crate::source::Table;

/// One style of a layer, as WMS offers it.
#[derive(Debug)]
pub struct NamedStyle {
    pub name: String,
    pub title: String,
    pub abstract_: String,
    pub style: UserStyle,
}

impl NamedStyle {
    /// The scale range some rule of the style draws in (`None` ends: unbounded), for a layer's
    /// Min/MaxScaleDenominator.
    pub fn scale_range(&self) -> (Option<f64>, Option<f64>) {
        let rules: Vec<&Rule> = self.style.feature_type_styles.iter().flat_map(|f| &f.rules).collect();
        let min = rules.iter().map(|r| r.min_scale).try_fold(f64::INFINITY, |m, s| s.map(|s| m.min(s)));
        let max = rules.iter().map(|r| r.max_scale).try_fold(0.0f64, |m, s| s.map(|s| m.max(s)));
        (min.filter(|m| m.is_finite() && *m > 0.0), max.filter(|m| *m > 0.0 && !rules.is_empty()))
    }
}

/// The styles of one layer and the images they use.
#[derive(Debug, Default)]
pub struct LayerStyles {
    pub styles: Vec<Arc<NamedStyle>>,
    pub graphics: Arc<Graphics>,
}

impl LayerStyles {
    pub fn get(&self, name: &str) -> Option<&Arc<NamedStyle>> {
        self.styles.iter().find(|s| s.name == name)
    }
}

/// Reads the style files of a layer (`files` already resolved against the configuration's
/// folder); with none, the plain style for the table's geometry type.
pub fn load(files: &[std::path::PathBuf], table: &Table) -> Result<LayerStyles, (usize, String)> {
    if files.is_empty() {
        return Ok(LayerStyles { styles: vec![Arc::new(plain(&table.geometry_type))], graphics: Arc::default() });
    }
    let mut out = LayerStyles::default();
    let mut graphics = Graphics::new();
    for (i, path) in files.iter().enumerate() {
        let fail = |m: String| (i, format!("{}: {m}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let sld = ogc::style::parse(&text).map_err(|e| fail(e.to_string()))?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let folder = path.parent().unwrap_or(Path::new("."));
        let user: Vec<UserStyle> = sld
            .layers
            .into_iter()
            .flat_map(|l| l.styles)
            .map(|s| match s {
                LayerStyle::User(u) => Ok(u),
                LayerStyle::Named(n) => Err(fail(format!("NamedStyle '{n}' refers to a style elsewhere; a style file must define its UserStyle"))),
            })
            .collect::<Result<_, _>>()?;
        if user.is_empty() {
            return Err(fail("no UserStyle in the document".into()));
        }
        let single = user.len() == 1;
        for u in user {
            check(&u, table).map_err(&fail)?;
            load_graphics(&u, folder, &mut graphics).map_err(&fail)?;
            let name = match (&u.name, single) {
                (Some(n), _) => n.clone(),
                (None, true) => stem.clone(),
                (None, false) => return Err(fail("a document with several UserStyles must name each one".into())),
            };
            if out.get(&name).is_some() {
                return Err(fail(format!("a second style is named '{name}'")));
            }
            let title = u.label().unwrap_or(&name).to_string();
            let abstract_ = u.description.abstract_.clone().unwrap_or_default();
            out.styles.push(Arc::new(NamedStyle { name, title, abstract_, style: u }));
        }
    }
    out.graphics = Arc::new(graphics);
    Ok(out)
}

/// A style sent with a request (WMS `SLD`, `SLD_BODY`) for a layer: checked as a style file
/// is at start-up. Its external graphics are refused, since a map must not wait on fetching
/// them.
pub fn user_style(style: UserStyle, table: &Table) -> Result<NamedStyle, String> {
    check(&style, table)?;
    let external = style.feature_type_styles.iter().flat_map(|f| &f.rules).flat_map(|r| &r.symbolizers).any(|s| {
        matches!(s, Symbolizer::Point(p) if p.graphic.symbols.iter().any(|g| matches!(g, GraphicSymbol::External(_))))
    });
    if external {
        return Err("ExternalGraphic: graphics are not fetched for styles sent with a request; use a style of the layer".into());
    }
    let name = style.name.clone().unwrap_or_default();
    let title = style.label().unwrap_or(&name).to_string();
    let abstract_ = style.description.abstract_.clone().unwrap_or_default();
    Ok(NamedStyle { name, title, abstract_, style })
}

/// What the renderer cannot decide or draw for a vector layer, refused with its rule named.
fn check(style: &UserStyle, table: &Table) -> Result<(), String> {
    for fts in &style.feature_type_styles {
        if fts.kind == StyleKind::Coverage {
            return Err("a CoverageStyle cannot draw a vector layer".into());
        }
        for (i, rule) in fts.rules.iter().enumerate() {
            let at = |m: String| format!("rule {} ({}): {m}", i + 1, rule.label().unwrap_or("unnamed"));
            if let Selector::Filter(f) = &rule.selector {
                check_filter(f).map_err(at)?;
                for p in f.properties() {
                    if table.field(p).is_none() {
                        return Err(at(format!("the filter reads '{p}', which the layer does not have")));
                    }
                }
            }
            for s in &rule.symbolizers {
                match s {
                    Symbolizer::Raster(_) => return Err(at("a RasterSymbolizer cannot draw features".into())),
                    Symbolizer::Text(t) => {
                        for p in t.label.iter().flat_map(|l| l.properties()) {
                            if table.field(p).is_none() {
                                return Err(at(format!("the label reads '{p}', which the layer does not have")));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Rule filters are evaluated per feature in memory, on its attributes.
fn check_filter(f: &Filter) -> Result<(), String> {
    match f {
        Filter::And(all) | Filter::Or(all) => all.iter().try_for_each(check_filter),
        Filter::Not(f) => check_filter(f),
        Filter::Spatial { .. } | Filter::Distance { .. } => Err("spatial operators are not supported in rule filters".into()),
        Filter::Compare { left, right, .. } => [left, right].into_iter().try_for_each(check_expr),
        Filter::Between { expr, low, high } => [expr, low, high].into_iter().try_for_each(check_expr),
        Filter::In { expr, list } => std::iter::once(expr).chain(list).try_for_each(check_expr),
        Filter::Like { expr, .. } | Filter::IsNull(expr) => check_expr(expr),
        Filter::Temporal { left, .. } => check_expr(left),
        Filter::Bool(_) | Filter::ResourceId(_) => Ok(()),
    }
}

fn check_expr(e: &Expr) -> Result<(), String> {
    match e {
        Expr::Arithmetic { .. } => Err("arithmetic is not supported in rule filters".into()),
        Expr::Geometry { .. } => Err("geometry literals are not supported in rule filters".into()),
        Expr::Function { args, .. } => args.iter().try_for_each(check_expr),
        Expr::Property(_) | Expr::Literal(_) | Expr::Interval(_) => Ok(()),
    }
}

/// Decodes the external graphics of a style: PNG files beside the style (relative `href`s) or
/// at absolute paths. Remote images are refused: a map must not wait on a third-party server.
fn load_graphics(style: &UserStyle, folder: &Path, into: &mut Graphics) -> Result<(), String> {
    let graphics = style
        .feature_type_styles
        .iter()
        .flat_map(|f| &f.rules)
        .flat_map(|r| r.symbolizers.iter().filter_map(|s| if let Symbolizer::Point(p) = s { Some(&p.graphic) } else { None }).chain(&r.legend_graphic));
    for g in graphics {
        for symbol in &g.symbols {
            let GraphicSymbol::External(e) = symbol else { continue };
            if into.contains_key(&e.href) {
                continue;
            }
            if e.format != "image/png" {
                return Err(format!("ExternalGraphic '{}': only image/png graphics are drawn, not {}", e.href, e.format));
            }
            let local = e.href.strip_prefix("file://").unwrap_or(&e.href);
            if local.contains("://") {
                return Err(format!("ExternalGraphic '{}': remote graphics are not fetched; put the PNG beside the style", e.href));
            }
            let path = folder.join(local);
            let bytes = std::fs::read(&path).map_err(|err| format!("ExternalGraphic '{}': {}: {err}", e.href, path.display()))?;
            let image = tiny_skia::Pixmap::decode_png(&bytes).map_err(|err| format!("ExternalGraphic '{}': not a readable PNG: {err}", e.href))?;
            into.insert(e.href.clone(), image);
        }
    }
    Ok(())
}

/// The style of a layer without one: areas filled pale blue-grey and outlined, lines in blue,
/// points as circles (GeoServer's defaults are alike). Any other geometry type is drawn as areas.
pub fn plain(geometry_type: &str) -> NamedStyle {
    let outline = Color::rgb(0x33, 0x4d, 0x66);
    let stroke = |color: Color, width: f64| Stroke { color: Param::Literal(color), width: Param::Literal(width), ..Stroke::black() };
    let fill = |color: Color, opacity: f64| Fill { color: Param::Literal(color), opacity: Param::Literal(opacity) };
    let kind = geometry_type.to_ascii_uppercase();
    let symbolizer = if kind.contains("POINT") {
        Symbolizer::Point(PointSymbolizer {
            name: None,
            uom: Uom::Pixel,
            geometry: None,
            graphic: Graphic {
                symbols: vec![GraphicSymbol::Mark(Mark { shape: MarkShape::Circle, fill: Some(fill(Color::rgb(0x33, 0x99, 0xcc), 1.0)), stroke: Some(stroke(outline, 1.0)) })],
                opacity: Param::Literal(1.0),
                size: Some(Param::Literal(8.0)),
                rotation: Param::Literal(0.0),
                anchor: (Param::Literal(0.5), Param::Literal(0.5)),
                displacement: (Param::Literal(0.0), Param::Literal(0.0)),
            },
        })
    } else if kind.contains("LINE") || kind.contains("CURVE") && !kind.contains("POLYGON") && !kind.contains("SURFACE") {
        Symbolizer::Line(LineSymbolizer { name: None, uom: Uom::Pixel, geometry: None, stroke: Some(stroke(Color::rgb(0x33, 0x66, 0xcc), 1.5)), perpendicular_offset: Param::Literal(0.0) })
    } else {
        Symbolizer::Polygon(PolygonSymbolizer { name: None, uom: Uom::Pixel, geometry: None, fill: Some(fill(Color::rgb(0xaa, 0xc4, 0xdd), 0.6)), stroke: Some(stroke(outline, 1.0)) })
    };
    let rule = Rule { name: Some("default".into()), description: Description::default(), legend_graphic: None, selector: Selector::All, min_scale: None, max_scale: None, symbolizers: vec![symbolizer] };
    let style = UserStyle {
        name: Some("default".into()),
        description: Description { title: Some("Default".into()), abstract_: None },
        is_default: true,
        feature_type_styles: vec![FeatureTypeStyle { kind: StyleKind::Features, name: None, description: Description::default(), target_name: None, semantic_types: Vec::new(), rules: vec![rule] }],
    };
    NamedStyle { name: "default".into(), title: "Default".into(), abstract_: String::new(), style }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(path: &str) -> NamedStyle {
        let sld = ogc::style::parse(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()).unwrap();
        let Some(LayerStyle::User(style)) = sld.layers.into_iter().next().and_then(|l| l.styles.into_iter().next()) else { panic!("{path}: no user style") };
        NamedStyle { name: "x".into(), title: "x".into(), abstract_: String::new(), style }
    }

    #[test]
    fn scale_range_bounds_what_every_rule_bounds() {
        // Every OCS2D bench rule stops at 1:200 000: the layer does too.
        assert_eq!(named("benches/styles/ocs2d_bench.sld").scale_range(), (None, Some(200_000.0)));
        // The communes' outline has no bound, so the names' bound does not make one.
        assert_eq!(named("styles/communes.sld").scale_range(), (None, None));
        assert_eq!(plain("MULTIPOLYGON").scale_range(), (None, None));
    }

    #[test]
    fn plain_styles_follow_the_geometry_type() {
        let kind = |t: &str| match &plain(t).style.feature_type_styles[0].rules[0].symbolizers[0] {
            Symbolizer::Polygon(_) => "polygon",
            Symbolizer::Line(_) => "line",
            Symbolizer::Point(_) => "point",
            _ => "other",
        };
        assert_eq!([kind("MULTIPOLYGON"), kind("LINESTRING"), kind("MULTIPOINT"), kind("GEOMETRY")], ["polygon", "line", "point", "polygon"]);
    }
}
