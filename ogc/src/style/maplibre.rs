//! MapLibre (Mapbox GL) style JSON from the style model, so that a layer styled in SLD looks
//! the same in a vector-tile viewer as in WMS.
//!
//! Each rule becomes one MapLibre layer per symbolizer: `fill` + `line` for polygons, `line`
//! for lines, `circle` for point marks. Scale denominators become zooms of the 256-pixel
//! WebMercatorQuad, and rule filters MapLibre expressions. What MapLibre cannot be told (text
//! labels, which need a glyph server; property-driven values; spatial and temporal filters;
//! external graphics) is refused with the rule it is in, never dropped silently.

use serde_json::{Value as Json, json};

use super::model::{Color, GraphicSymbol, Param, Rule, Selector, Stroke, Symbolizer, UserStyle};
use crate::filter::{CompareOp, Expr, Filter};
use crate::value::Value;

/// The scale denominator of WebMercatorQuad's zoom 0 (256-pixel tiles of 0.28 mm pixels).
const ZOOM0_SCALE: f64 = 559_082_264.028_717_8;

/// Where the style's features come from: a TileJSON URL and the layer inside the tiles.
pub struct Source<'a> {
    pub tilejson: &'a str,
    pub source_layer: &'a str,
}

/// The style of one layer: its MapLibre layers over a source named after the tile layer.
pub fn style(user: &UserStyle, name: &str, source: &Source) -> Result<Json, String> {
    let mut layers = Vec::new();
    for (f, fts) in user.feature_type_styles.iter().enumerate() {
        let filters: Vec<&Filter> = fts.rules.iter().filter_map(|r| if let Selector::Filter(x) = &r.selector { Some(x) } else { None }).collect();
        for (r, rule) in fts.rules.iter().enumerate() {
            let id = format!("{}-{f}-{r}", source.source_layer);
            let at = |m: String| format!("rule {}: {m}", rule.label().map_or_else(|| (r + 1).to_string(), |l| format!("'{l}'")));
            let filter = match &rule.selector {
                Selector::All => None,
                Selector::Filter(x) => Some(expression(x).map_err(at)?),
                Selector::Else => match filters.len() {
                    0 => None,
                    _ => Some(json!(["!", filters.iter().map(|x| expression(x)).collect::<Result<Vec<_>, _>>().map(|all| any(all)).map_err(at)?])),
                },
            };
            for (s, symbolizer) in rule.symbolizers.iter().enumerate() {
                for mut layer in symbolizer_layers(symbolizer, &format!("{id}-{s}")).map_err(at)? {
                    layer["source"] = json!(source.source_layer);
                    layer["source-layer"] = json!(source.source_layer);
                    zooms(&mut layer, rule);
                    if let Some(f) = &filter {
                        layer["filter"] = f.clone();
                    }
                    layers.push(layer);
                }
            }
        }
    }
    Ok(json!({
        "version": 8,
        "name": user.label().unwrap_or(name),
        "sources": { source.source_layer: { "type": "vector", "url": source.tilejson } },
        "layers": layers,
    }))
}

/// `max_scale` (exclusive) is where the rule starts showing when zooming in, `min_scale`
/// where it stops.
fn zooms(layer: &mut Json, rule: &Rule) {
    let zoom = |scale: f64| (ZOOM0_SCALE / scale).log2().clamp(0.0, 24.0);
    if let Some(max) = rule.max_scale {
        layer["minzoom"] = json!(zoom(max));
    }
    if let Some(min) = rule.min_scale {
        layer["maxzoom"] = json!(zoom(min));
    }
}

fn literal<T: super::model::ParamValue>(p: &Param<T>, what: &str) -> Result<T, String> {
    p.literal().cloned().ok_or_else(|| format!("a property-driven {what} cannot be written as a MapLibre style"))
}

fn rgba(c: Color) -> String {
    format!("rgba({}, {}, {}, {})", c.r, c.g, c.b, f64::from(c.a) / 255.0)
}

fn line_paint(s: &Stroke) -> Result<Json, String> {
    let mut paint = json!({
        "line-color": rgba(literal(&s.color, "stroke colour")?),
        "line-opacity": literal(&s.opacity, "stroke opacity")?,
        "line-width": literal(&s.width, "stroke width")?,
    });
    if let Some(d) = &s.dash_array {
        let width = literal(&s.width, "stroke width")?.max(1.0);
        // MapLibre measures dashes in line widths.
        paint["line-dasharray"] = d.iter().map(|v| json!(v / width)).collect();
    }
    Ok(paint)
}

fn symbolizer_layers(s: &Symbolizer, id: &str) -> Result<Vec<Json>, String> {
    let mut out = Vec::new();
    match s {
        Symbolizer::Polygon(p) => {
            if let Some(f) = &p.fill {
                out.push(json!({
                    "id": format!("{id}-fill"),
                    "type": "fill",
                    "paint": { "fill-color": rgba(literal(&f.color, "fill colour")?), "fill-opacity": literal(&f.opacity, "fill opacity")? },
                }));
            }
            if let Some(st) = &p.stroke {
                out.push(json!({ "id": format!("{id}-line"), "type": "line", "paint": line_paint(st)? }));
            }
        }
        Symbolizer::Line(l) => {
            if let Some(st) = &l.stroke {
                out.push(json!({ "id": id, "type": "line", "paint": line_paint(st)? }));
            }
        }
        Symbolizer::Point(p) => {
            let Some(GraphicSymbol::Mark(mark)) = p.graphic.symbols.iter().find(|s| matches!(s, GraphicSymbol::Mark(_))) else {
                return Err("external graphics are not written as MapLibre styles".into());
            };
            let size = p.graphic.size.as_ref().map_or(Ok(super::model::DEFAULT_MARK_SIZE), |s| literal(s, "mark size"))?;
            let mut paint = json!({ "circle-radius": size / 2.0, "circle-opacity": literal(&p.graphic.opacity, "opacity")? });
            match &mark.fill {
                Some(f) => paint["circle-color"] = json!(rgba(literal(&f.color, "mark fill")?.with_opacity(literal(&f.opacity, "mark opacity")?))),
                None => paint["circle-color"] = json!("rgba(0, 0, 0, 0)"),
            }
            if let Some(st) = &mark.stroke {
                paint["circle-stroke-color"] = json!(rgba(literal(&st.color, "mark stroke")?));
                paint["circle-stroke-width"] = json!(literal(&st.width, "mark stroke width")?);
            }
            out.push(json!({ "id": id, "type": "circle", "paint": paint }));
        }
        Symbolizer::Text(_) => return Err("text labels need a glyph server, which MapLibre styles of this server do not name".into()),
        Symbolizer::Raster(_) => return Err("a raster symbolizer does not apply to vector tiles".into()),
    }
    Ok(out)
}

fn any(all: Vec<Json>) -> Json {
    let mut e = vec![json!("any")];
    e.extend(all);
    Json::Array(e)
}

fn value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::Text(s) => json!(s),
        // Dates travel as ISO 8601 text in the tiles, which compares in date order.
        Value::Date(d) => json!(d.format("%Y-%m-%d").to_string()),
        Value::DateTime(t) => json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
    }
}

fn operand(e: &Expr) -> Result<Json, String> {
    match e {
        Expr::Property(p) => Ok(json!(["get", p])),
        Expr::Literal(v) => Ok(value(v)),
        _ => Err("only properties and literals can be compared in a MapLibre filter".into()),
    }
}

/// A filter as a MapLibre expression.
pub fn expression(f: &Filter) -> Result<Json, String> {
    let list = |all: &[Filter], op: &str| -> Result<Json, String> {
        let mut e = vec![json!(op)];
        for x in all {
            e.push(expression(x)?);
        }
        Ok(Json::Array(e))
    };
    Ok(match f {
        Filter::And(all) => list(all, "all")?,
        Filter::Or(all) => list(all, "any")?,
        Filter::Not(x) => json!(["!", expression(x)?]),
        Filter::Bool(b) => json!(b),
        Filter::Compare { op, left, right } => {
            let op = match op {
                CompareOp::Eq => "==",
                CompareOp::Ne => "!=",
                CompareOp::Lt => "<",
                CompareOp::Le => "<=",
                CompareOp::Gt => ">",
                CompareOp::Ge => ">=",
            };
            json!([op, operand(left)?, operand(right)?])
        }
        Filter::Between { expr, low, high } => json!(["all", [">=", operand(expr)?, operand(low)?], ["<=", operand(expr)?, operand(high)?]]),
        Filter::In { expr, list } => {
            let values: Vec<Json> = list.iter().map(operand).collect::<Result<_, _>>()?;
            json!(["in", operand(expr)?, ["literal", values]])
        }
        Filter::IsNull(e) => json!(["!", ["has", property(e)?]]),
        _ => return Err("only comparisons, BETWEEN, IN and IS NULL (under AND, OR, NOT) are written as MapLibre filters".into()),
    })
}

fn property(e: &Expr) -> Result<&str, String> {
    match e {
        Expr::Property(p) => Ok(p),
        _ => Err("IS NULL applies to a property".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A style with a polygon rule and a point rule, as the SLD reader makes it.
    fn plain() -> UserStyle {
        let sld = r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer><Name>c</Name><UserStyle><FeatureTypeStyle>
    <Rule><PolygonSymbolizer><Fill><CssParameter name="fill">#2b7bb9</CssParameter></Fill><Stroke/></PolygonSymbolizer></Rule>
    <Rule><PointSymbolizer><Graphic><Mark><WellKnownName>circle</WellKnownName></Mark><Size>8</Size></Graphic></PointSymbolizer></Rule>
  </FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"#;
        let doc = crate::style::parse(sld).unwrap();
        let crate::style::LayerStyle::User(user) = &doc.layers[0].styles[0] else { panic!("a user style") };
        user.clone()
    }

    #[test]
    fn plain_symbolizers_become_fill_line_and_circle_layers() {
        let user = &plain();
        let src = Source { tilejson: "https://h/collections/c/tiles/WebMercatorQuad/tilejson.json", source_layer: "c" };
        let doc = style(user, "c", &src).unwrap();
        assert_eq!(doc["version"], 8);
        assert_eq!(doc["sources"]["c"]["url"], src.tilejson);
        let types: Vec<&str> = doc["layers"].as_array().unwrap().iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["fill", "line", "circle"]);
        assert_eq!(doc["layers"][0]["source-layer"], "c");
        assert_eq!(doc["layers"][2]["paint"]["circle-radius"], 4.0);
    }

    #[test]
    fn sld_rules_become_filtered_layers_with_zooms() {
        let sld = r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer><Name>ocs2d</Name><UserStyle><Title>Land cover</Title><FeatureTypeStyle>
    <Rule><Name>built</Name>
      <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
      <MaxScaleDenominator>100000</MaxScaleDenominator>
      <PolygonSymbolizer><Fill><CssParameter name="fill">#ff0000</CssParameter></Fill></PolygonSymbolizer>
    </Rule>
    <Rule><ElseFilter/><LineSymbolizer><Stroke><CssParameter name="stroke">#00ff00</CssParameter><CssParameter name="stroke-width">2</CssParameter></Stroke></LineSymbolizer></Rule>
  </FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"#;
        let doc = crate::style::parse(sld).unwrap();
        let crate::style::model::LayerStyle::User(user) = &doc.layers[0].styles[0] else { panic!() };
        let src = Source { tilejson: "t.json", source_layer: "ocs2d" };
        let out = style(user, "ocs2d", &src).unwrap();
        assert_eq!(out["name"], "Land cover");
        let layers = out["layers"].as_array().unwrap();
        assert_eq!(layers[0]["type"], "fill");
        assert_eq!(layers[0]["paint"]["fill-color"], "rgba(255, 0, 0, 1)");
        assert_eq!(layers[0]["filter"], json!(["==", ["get", "code_cs"], "CS1.1.1.1"]));
        // 1:100 000 is about zoom 12.45.
        assert!((layers[0]["minzoom"].as_f64().unwrap() - 12.45).abs() < 0.01);
        assert_eq!(layers[1]["type"], "line");
        assert_eq!(layers[1]["filter"], json!(["!", ["any", ["==", ["get", "code_cs"], "CS1.1.1.1"]]]));
        assert_eq!(layers[1]["paint"]["line-width"], 2.0);
    }

    #[test]
    fn what_maplibre_cannot_say_is_refused() {
        let f = crate::filter::cql2_text::parse("S_INTERSECTS(geom, POINT(1 2))", None).unwrap();
        assert!(expression(&f).is_err());
        let mut s = plain();
        s.feature_type_styles[0].rules[0].selector = Selector::Filter(f);
        let e = style(&s, "x", &Source { tilejson: "t", source_layer: "x" }).unwrap_err();
        assert!(e.starts_with("rule 1:"), "{e}");
    }
}
