//! Style reader tests over real-shaped documents (`ogc/tests/data/styles`): GeoServer SLD 1.0,
//! a QGIS SLD 1.1 export, the OCS2D categorized style, raster colour maps; and refusals.

use super::*;
use crate::filter::test_support::{eq, prop, text};
use crate::filter::{CompareOp, Filter};
use crate::ows::schema_check;
use crate::value::Value;

const GEOSERVER_SLD10: &str = include_str!("../../tests/data/styles/geoserver_sld10.sld");
const QGIS_SE11: &str = include_str!("../../tests/data/styles/qgis_se11.sld");
const OCS2D_SE11: &str = include_str!("../../tests/data/styles/ocs2d_se11.sld");
const RASTER_SLD10: &str = include_str!("../../tests/data/styles/raster_sld10.sld");
const RASTER_SE11: &str = include_str!("../../tests/data/styles/raster_se11.se");

const SLD11_SCHEMA: &str = "sld/1.1.0/StyledLayerDescriptor.xsd";

fn user_style(sld: &StyledLayerDescriptor, layer: usize, style: usize) -> &UserStyle {
    match &sld.layers[layer].styles[style] {
        LayerStyle::User(s) => s,
        LayerStyle::Named(n) => panic!("named style {n}"),
    }
}

fn lit<T>(value: T) -> Param<T> {
    Param::Literal(value)
}

fn no_properties(_: &str) -> Option<Value> {
    None
}

/// The error of a document that must be refused.
fn refused(document: &str) -> StyleError {
    match parse(document) {
        Ok(style) => panic!("accepted: {style:#?}"),
        Err(e) => e,
    }
}

/// An SLD 1.1 document with `symbolizer` as the only symbolizer of its only rule.
fn sld11_with(rule_body: &str) -> String {
    format!(
        r#"<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
    xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink">
  <NamedLayer>
    <se:Name>layer</se:Name>
    <UserStyle>
      <se:FeatureTypeStyle>
        <se:Rule>
{rule_body}
        </se:Rule>
      </se:FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>"#
    )
}

/// An SLD 1.0 document with this rule body.
fn sld10_with(rule_body: &str) -> String {
    format!(
        r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer><Name>layer</Name><UserStyle><FeatureTypeStyle><Rule>
{rule_body}
  </Rule></FeatureTypeStyle></UserStyle></NamedLayer>
</StyledLayerDescriptor>"#
    )
}

#[test]
fn fixtures_of_sld_1_1_are_schema_valid() {
    schema_check::validate(QGIS_SE11, SLD11_SCHEMA);
    schema_check::validate(OCS2D_SE11, SLD11_SCHEMA);
    schema_check::validate(RASTER_SE11, "se/1.1.0/FeatureStyle.xsd");
    // SLD 1.0 schemas are not in the offline folder.
    schema_check::well_formed(GEOSERVER_SLD10);
    schema_check::well_formed(RASTER_SLD10);
}

#[test]
fn geoserver_sld_1_0_polygons_and_labels() {
    let sld = parse(GEOSERVER_SLD10).unwrap();
    assert_eq!(sld.version, SldVersion::Sld1_0_0);
    assert_eq!(sld.layers.len(), 3);
    let layer = &sld.layers[0];
    assert_eq!((layer.kind, layer.name.as_deref()), (LayerKind::Named, Some("communes")));
    let style = user_style(&sld, 0, 0);
    assert_eq!(style.name.as_deref(), Some("communes_labels"));
    assert_eq!(style.description.title.as_deref(), Some("Communes, labelled"));
    assert!(style.description.abstract_.is_some());
    assert!(style.is_default);
    let fts = &style.feature_type_styles[0];
    assert_eq!(fts.target_name.as_deref(), Some("communes"));

    let polygon_rule = &fts.rules[0];
    assert_eq!(polygon_rule.selector, Selector::All);
    let Symbolizer::Polygon(polygon) = &polygon_rule.symbolizers[0] else { panic!() };
    let fill = polygon.fill.as_ref().unwrap();
    assert_eq!(fill.color, lit(Color::rgb(0xf5, 0xf0, 0xe1)));
    assert_eq!(fill.color_for(no_properties), Some(Color { r: 0xf5, g: 0xf0, b: 0xe1, a: 204 }));
    let stroke = polygon.stroke.as_ref().unwrap();
    assert_eq!((stroke.color.clone(), stroke.width.clone()), (lit(Color::rgb(0x7f, 0x7f, 0x7f)), lit(0.5)));
    assert_eq!(polygon.uom, Uom::Pixel);

    let label_rule = &fts.rules[1];
    assert_eq!(label_rule.max_scale, Some(100_000.0));
    assert!(label_rule.applies_at(99_999.0) && !label_rule.applies_at(100_000.0));
    let Symbolizer::Text(text_symbolizer) = &label_rule.symbolizers[0] else { panic!() };
    let label = text_symbolizer.label.as_ref().unwrap();
    assert_eq!(label.pieces, [Piece::Property("nom".into())]);
    assert_eq!(label.evaluate(|p| (p == "nom").then(|| Value::Text("Amiens".into()))), "Amiens");
    let font = &text_symbolizer.font;
    assert_eq!(font.families, ["DejaVu Sans"]);
    assert_eq!((font.size.clone(), font.style, font.weight), (lit(11.0), FontStyle::Normal, FontWeight::Bold));
    assert_eq!(text_symbolizer.placement, LabelPlacement::Point { anchor: (lit(0.5), lit(0.5)), displacement: (lit(0.0), lit(5.0)), rotation: lit(0.0) });
    let halo = text_symbolizer.halo.as_ref().unwrap();
    assert_eq!(halo.radius, lit(2.0));
    assert_eq!(halo.fill.color_for(no_properties), Some(Color { r: 255, g: 255, b: 255, a: 179 }));
    assert_eq!(text_symbolizer.fill.color, lit(Color::rgb(0x33, 0x33, 0x33)));
}

#[test]
fn geoserver_sld_1_0_points_with_marks_and_else_filter() {
    let sld = parse(GEOSERVER_SLD10).unwrap();
    let fts = &user_style(&sld, 1, 0).feature_type_styles[0];
    let accessible = &fts.rules[0];
    let Selector::Filter(Filter::And(parts)) = &accessible.selector else { panic!("{:?}", accessible.selector) };
    assert_eq!(parts[0], eq(prop("accessible"), text("oui")));
    assert_eq!(parts[1], Filter::Like { expr: prop("ligne"), pattern: "L%".into(), case_insensitive: false });
    let Symbolizer::Point(point) = &accessible.symbolizers[0] else { panic!() };
    let graphic = &point.graphic;
    assert_eq!(graphic.symbols.len(), 2);
    assert_eq!(graphic.symbols[0], GraphicSymbol::External(ExternalGraphic { href: "symbols/bus.svg".into(), format: "image/svg+xml".into() }));
    let GraphicSymbol::Mark(mark) = &graphic.symbols[1] else { panic!() };
    assert_eq!(mark.shape, MarkShape::Circle);
    assert_eq!(mark.fill.as_ref().unwrap().color, lit(Color::rgb(0x00, 0x55, 0xa4)));
    assert_eq!(mark.stroke.as_ref().unwrap().width, lit(1.5));
    assert_eq!((graphic.opacity.clone(), graphic.size.clone(), graphic.rotation.clone()), (lit(0.9), Some(lit(12.0)), lit(45.0)));

    let other = &fts.rules[1];
    assert_eq!(other.selector, Selector::Else);
    let Symbolizer::Point(point) = &other.symbolizers[0] else { panic!() };
    let GraphicSymbol::Mark(mark) = &point.graphic.symbols[0] else { panic!() };
    // A mark with only a stroke is hollow.
    assert_eq!((mark.shape, mark.fill.is_none(), mark.stroke.is_some()), (MarkShape::Triangle, true, true));

    let active = fts.active_rules(10_000.0);
    assert_eq!((active.filtered.len(), active.else_rules.len()), (1, 1));
}

#[test]
fn geoserver_sld_1_0_lines_with_dashes_in_two_passes() {
    let sld = parse(GEOSERVER_SLD10).unwrap();
    let style = user_style(&sld, 2, 0);
    assert_eq!(style.feature_type_styles.len(), 2, "two feature type styles, drawn in order");
    let casing = &style.feature_type_styles[0].rules[0];
    assert_eq!(casing.selector, Selector::Filter(Filter::Compare { op: CompareOp::Ge, left: prop("importance"), right: crate::filter::test_support::int(3) }));
    assert_eq!((casing.min_scale, casing.max_scale), (Some(5000.0), Some(250_000.0)));
    assert!(casing.applies_at(5000.0) && !casing.applies_at(4999.0) && !casing.applies_at(250_000.0));
    let Symbolizer::Line(line) = &casing.symbolizers[0] else { panic!() };
    let stroke = line.stroke.as_ref().unwrap();
    assert_eq!((stroke.line_cap, stroke.line_join, stroke.width.clone()), (LineCap::Round, LineJoin::Round, lit(5.0)));

    let path = &style.feature_type_styles[1].rules[0];
    let Symbolizer::Line(line) = &path.symbolizers[0] else { panic!() };
    let stroke = line.stroke.as_ref().unwrap();
    // The colour was an ogc:Literal inside the CssParameter.
    assert_eq!(stroke.color, lit(Color::rgb(0xa0, 0x52, 0x2d)));
    assert_eq!(stroke.dash_array, Some(vec![6.0, 3.0]));
    assert_eq!((stroke.dash_offset, stroke.line_cap, stroke.line_join), (2.0, LineCap::Butt, LineJoin::Bevel));
    assert_eq!(stroke.color_for(no_properties).unwrap().a, 191);
    let Symbolizer::Text(label) = &path.symbolizers[1] else { panic!() };
    let template = label.label.as_ref().unwrap();
    assert_eq!(template.pieces, [Piece::Text("Chemin ".into()), Piece::Property("numero".into())]);
    assert_eq!(template.evaluate(|_| Some(Value::Int(12))), "Chemin 12");
    assert_eq!(label.placement, LabelPlacement::Line { perpendicular_offset: lit(4.0), is_aligned: true });
    assert_eq!(label.font.style, FontStyle::Italic);
}

#[test]
fn qgis_se_1_1_export() {
    let sld = parse(QGIS_SE11).unwrap();
    assert_eq!(sld.version, SldVersion::Sld1_1_0);
    let style = user_style(&sld, 0, 0);
    assert_eq!(style.label(), Some("Ecological corridors"));
    assert!(style.is_default);
    let fts = &style.feature_type_styles[0];
    assert_eq!(fts.name.as_deref(), Some("reservoirs"));
    assert_eq!(fts.semantic_types, ["generic:polygon"]);
    assert_eq!(fts.rules.len(), 3);

    let reservoir = &fts.rules[0];
    assert_eq!(reservoir.label(), Some("Biodiversity reservoir"));
    assert_eq!(reservoir.selector, Selector::Filter(eq(prop("type"), text("reservoir"))));
    let Symbolizer::Polygon(polygon) = &reservoir.symbolizers[0] else { panic!() };
    assert_eq!(polygon.fill.as_ref().unwrap().opacity, lit(0.5));
    assert_eq!(polygon.stroke.as_ref().unwrap().line_join, LineJoin::Bevel);
    let Symbolizer::Text(label) = &reservoir.symbolizers[1] else { panic!() };
    let template = label.label.as_ref().unwrap();
    assert_eq!(template.pieces, [Piece::Text("Réservoir ".into()), Piece::Property("code".into()), Piece::Text(" - ".into()), Piece::Property("nom".into())]);
    let properties = |p: &str| Some(Value::Text(if p == "code" { "R12".into() } else { "Marais de la Souche".into() }));
    assert_eq!(template.evaluate(properties), "Réservoir R12 - Marais de la Souche");
    assert_eq!(template.properties().collect::<Vec<_>>(), ["code", "nom"]);
    assert_eq!(label.font.families, ["Open Sans", "DejaVu Sans"]);
    assert_eq!(label.font.size, lit(13.0));

    let corridor = &fts.rules[1];
    assert_eq!((corridor.min_scale, corridor.max_scale), (Some(1000.0), Some(500_000.0)));
    let Symbolizer::Line(line) = &corridor.symbolizers[0] else { panic!() };
    assert_eq!(line.uom, Uom::Metre);
    assert_eq!(line.perpendicular_offset, lit(10.0));
    let stroke = line.stroke.as_ref().unwrap();
    assert_eq!((stroke.line_cap, stroke.dash_array.clone()), (LineCap::Square, Some(vec![40.0, 20.0])));
    // 25 m at 2.5 m per pixel.
    assert_eq!(line.uom.to_pixels(25.0, 2.5), 10.0);
    let Symbolizer::Text(label) = &corridor.symbolizers[1] else { panic!() };
    assert_eq!(label.label.as_ref().unwrap().pieces, [Piece::Property("nom".into())], "indentation around the property is not text");
    assert_eq!(label.font.weight, FontWeight::Bold);
    assert_eq!(label.placement, LabelPlacement::Line { perpendicular_offset: lit(3.0), is_aligned: true });

    let crossing = &fts.rules[2];
    assert_eq!(crossing.selector, Selector::Else);
    let Symbolizer::Point(point) = &crossing.symbolizers[0] else { panic!() };
    let GraphicSymbol::Mark(mark) = &point.graphic.symbols[0] else { panic!() };
    assert_eq!(mark.shape, MarkShape::Star);
    // Property-driven fill and rotation, evaluated per feature.
    let fill = mark.fill.as_ref().unwrap();
    let feature = |p: &str| match p {
        "couleur" => Some(Value::Text("#102030".into())),
        "angle" => Some(Value::Float(30.5)),
        _ => None,
    };
    assert_eq!(fill.color.get(feature), Some(Color::rgb(0x10, 0x20, 0x30)));
    assert_eq!(fill.color.get(|_| Some(Value::Text("red".into()))), None, "not a colour: nothing to draw");
    assert_eq!(point.graphic.rotation.get(feature), Some(30.5));
    assert_eq!(point.graphic.displacement, (lit(1.0), lit(-2.0)));

    // What a query drawing the style must select.
    assert_eq!(style.properties(), ["angle", "code", "couleur", "nom", "type"]);
}

#[test]
fn ocs2d_categorized_style() {
    let sld = parse(OCS2D_SE11).unwrap();
    let style = user_style(&sld, 0, 0);
    let rules = &style.feature_type_styles[0].rules;
    assert_eq!(rules.len(), 23);
    assert_eq!(rules[0].label(), Some("1111 - Habitat continu"));
    assert_eq!(rules[0].selector, Selector::Filter(eq(prop("code"), crate::filter::test_support::int(1111))));
    assert_eq!(rules[7].label(), Some("1134 - Aéroports et aérodromes"));
    let Symbolizer::Polygon(p) = &rules[16].symbolizers[0] else { panic!() };
    assert_eq!(p.fill.as_ref().unwrap().color, lit(Color::rgb(0x80, 0xff, 0x00)));
    assert_eq!(p.stroke.as_ref().unwrap().color_for(no_properties), Some(Color { r: 0x23, g: 0x23, b: 0x23, a: 77 }));
    assert_eq!(rules[22].selector, Selector::Else);

    let legend = legend_entries(style, None);
    assert_eq!(legend.len(), 23);
    assert_eq!(legend[3].label, "1122 - Équipements publics");
    assert_eq!(legend[22].label, "Autre");
    assert!(legend.iter().all(|e| e.symbolizers.len() == 1 && e.legend_graphic.is_none()));
    assert_eq!(style.rule_named("5121").map(|r| r.label()), Some(Some("5121 - Plans d'eau")));
}

#[test]
fn legends_follow_the_scale() {
    let sld = parse(QGIS_SE11).unwrap();
    let style = user_style(&sld, 0, 0);
    let labels = |scale| legend_entries(style, scale).into_iter().map(|e| e.label).collect::<Vec<_>>();
    assert_eq!(labels(None), ["Biodiversity reservoir", "Corridor", "Wildlife crossing"]);
    assert_eq!(labels(Some(1_000_000.0)), ["Biodiversity reservoir", "Wildlife crossing"]);
}

#[test]
fn sld_1_0_raster_colour_maps() {
    let sld = parse(RASTER_SLD10).unwrap();
    let relief = user_style(&sld, 0, 0);
    let Symbolizer::Raster(raster) = &relief.feature_type_styles[0].rules[0].symbolizers[0] else { panic!() };
    assert_eq!(raster.opacity, 0.8);
    assert_eq!(raster.channels, Some(ChannelSelection::Gray("1".into())));
    let map = raster.color_map.as_ref().unwrap();
    let ColorMap::Ramp(entries) = map else { panic!("{map:?}") };
    assert_eq!(entries[0].color, Color::TRANSPARENT);
    assert_eq!(entries[1].label.as_deref(), Some("0 m"));
    assert_eq!(map.color_at(100.0), Some(Color::rgb(0xff, 0xff, 0xbf)));
    assert_eq!(map.color_at(200.0), Some(Color::rgb(0xeb, 0x8c, 0x6e)), "halfway between #ffffbf and #d7191c");
    assert_eq!(map.color_at(1000.0), Some(Color::rgb(0xd7, 0x19, 0x1c)), "above the last: its colour");
    assert_eq!(map.legend_items().iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(), ["0 m", "100 m", "300 m"]);

    let classes = user_style(&sld, 0, 1);
    let Symbolizer::Raster(raster) = &classes.feature_type_styles[0].rules[0].symbolizers[0] else { panic!() };
    let map = raster.color_map.as_ref().unwrap();
    let (green, brown) = (Color::rgb(0x00, 0x80, 0x00), Color::rgb(0x66, 0x33, 0x33));
    assert_eq!([map.color_at(-5.0), map.color_at(149.9), map.color_at(150.0), map.color_at(255.0)], [Some(green), Some(green), Some(brown), Some(brown)]);
    assert_eq!(map.color_at(256.0), Some(Color::TRANSPARENT), "past the last interval");
    assert_eq!(map.legend_items(), [(green, "low".to_string()), (brown, "high".to_string())]);
}

#[test]
fn se_coverage_style_document() {
    let sld = parse(RASTER_SE11).unwrap();
    assert_eq!(sld.version, SldVersion::Se1_1_0);
    assert_eq!(sld.layers[0].kind, LayerKind::User);
    let style = user_style(&sld, 0, 0);
    assert!(style.is_default);
    assert_eq!(style.name.as_deref(), Some("landcover"));
    let fts = &style.feature_type_styles[0];
    assert_eq!((fts.kind, fts.target_name.as_deref()), (StyleKind::Coverage, Some("ocs_raster")));
    let Symbolizer::Raster(raster) = &fts.rules[0].symbolizers[0] else { panic!() };
    let map = raster.color_map.as_ref().unwrap();
    let (red, yellow, green) = (Color::rgb(0xe3, 0x1a, 0x1c), Color::rgb(0xff, 0xff, 0x99), Color::rgb(0x33, 0xa0, 0x2c));
    assert_eq!(
        [map.color_at(100.0), map.color_at(200.0), map.color_at(299.0), map.color_at(300.0), map.color_at(1e9)],
        [red, yellow, yellow, green, green].map(Some)
    );
    assert_eq!(map.legend_items().into_iter().map(|(_, l)| l).collect::<Vec<_>>(), ["< 200", "200 - 300", ">= 300"]);

    let Symbolizer::Raster(raster) = &fts.rules[1].symbolizers[0] else { panic!() };
    let map = raster.color_map.as_ref().unwrap();
    assert_eq!(map.color_at(127.5), Some(Color::rgb(128, 128, 128)));
    assert_eq!(map.color_at(-1.0), Some(Color::rgb(0, 0, 0)));
}

#[test]
fn bare_feature_type_style_and_preceding_thresholds() {
    let doc = r##"<FeatureTypeStyle version="1.1.0" xmlns="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">
  <FeatureTypeName>communes</FeatureTypeName>
  <Rule>
    <PolygonSymbolizer uom="http://www.opengeospatial.org/se/units/pixel">
      <Fill><SvgParameter name="fill">#96C3F5</SvgParameter></Fill>
    </PolygonSymbolizer>
  </Rule>
</FeatureTypeStyle>"##;
    schema_check::validate(doc, "se/1.1.0/FeatureStyle.xsd");
    let sld = parse(doc).unwrap();
    let fts = &user_style(&sld, 0, 0).feature_type_styles[0];
    assert_eq!((fts.kind, fts.target_name.as_deref()), (StyleKind::Features, Some("communes")));
    let Symbolizer::Polygon(p) = &fts.rules[0].symbolizers[0] else { panic!() };
    assert!(p.stroke.is_none(), "no Stroke: no outline");

    let categorize = sld11_with(
        r##"<se:RasterSymbolizer><se:ColorMap><se:Categorize fallbackValue="#000000" threshholdsBelongTo="preceding">
  <se:LookupValue>Rasterdata</se:LookupValue><se:Value>#000000</se:Value><se:Threshold>10</se:Threshold><se:Value>#ffffff</se:Value>
</se:Categorize></se:ColorMap></se:RasterSymbolizer>"##,
    );
    schema_check::validate(&categorize, SLD11_SCHEMA);
    let sld = parse(&categorize).unwrap();
    let Symbolizer::Raster(r) = &user_style(&sld, 0, 0).feature_type_styles[0].rules[0].symbolizers[0] else { panic!() };
    let map = r.color_map.as_ref().unwrap();
    assert_eq!((map.color_at(10.0), map.color_at(10.5)), (Some(Color::rgb(0, 0, 0)), Some(Color::rgb(255, 255, 255))));
}

#[test]
fn defaults_are_the_standards() {
    let sld = parse(&sld10_with("<PointSymbolizer/><LineSymbolizer><Stroke/></LineSymbolizer><TextSymbolizer><Label>x</Label></TextSymbolizer>")).unwrap();
    let rule = &user_style(&sld, 0, 0).feature_type_styles[0].rules[0];
    let Symbolizer::Point(point) = &rule.symbolizers[0] else { panic!() };
    let GraphicSymbol::Mark(mark) = &point.graphic.symbols[0] else { panic!() };
    assert_eq!(mark.shape, MarkShape::Square);
    assert_eq!(mark.fill.as_ref().unwrap().color, lit(Color::rgb(0x80, 0x80, 0x80)));
    assert_eq!(mark.stroke.as_ref().unwrap().color, lit(Color::rgb(0, 0, 0)));
    assert_eq!(point.graphic.size, None);
    let Symbolizer::Line(line) = &rule.symbolizers[1] else { panic!() };
    assert_eq!(line.stroke.as_ref(), Some(&Stroke::black()));
    let Symbolizer::Text(text) = &rule.symbolizers[2] else { panic!() };
    assert_eq!(text.fill, Fill::black());
    assert_eq!(text.font.size, lit(10.0));
    let LabelPlacement::Point { anchor, .. } = &text.placement else { panic!() };
    assert_eq!(anchor, &(lit(0.0), lit(0.5)), "SLD 1.0 anchors labels left-middle");
}

#[test]
fn geometry_property_and_named_styles() {
    let doc = r#"<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer>
    <se:Name>communes</se:Name>
    <NamedStyle><se:Name>default</se:Name></NamedStyle>
  </NamedLayer>
  <UserLayer>
    <se:Name>perimeters</se:Name>
    <UserStyle>
      <se:FeatureTypeStyle>
        <se:Rule>
          <se:LineSymbolizer>
            <se:Geometry><ogc:PropertyName>app:contour</ogc:PropertyName></se:Geometry>
            <se:Stroke/>
          </se:LineSymbolizer>
        </se:Rule>
      </se:FeatureTypeStyle>
    </UserStyle>
  </UserLayer>
</StyledLayerDescriptor>"#;
    schema_check::validate(doc, SLD11_SCHEMA);
    let sld = parse(doc).unwrap();
    assert_eq!(sld.layers[0].styles, [LayerStyle::Named("default".into())]);
    assert_eq!(sld.layers[1].kind, LayerKind::User);
    let Symbolizer::Line(line) = &user_style(&sld, 1, 0).feature_type_styles[0].rules[0].symbolizers[0] else { panic!() };
    assert_eq!(line.geometry.as_deref(), Some("contour"));
    assert_eq!(user_style(&sld, 1, 0).properties(), ["contour"]);
}

#[test]
fn version_is_inferred_when_missing() {
    let doc = sld11_with("<se:PolygonSymbolizer/>").replace(r#"version="1.1.0" "#, "");
    assert_eq!(parse(&doc).unwrap().version, SldVersion::Sld1_1_0);
    let doc = sld10_with("<PolygonSymbolizer/>").replace(r#"version="1.0.0" "#, "");
    assert_eq!(parse(&doc).unwrap().version, SldVersion::Sld1_0_0);
    assert!(refused(&sld10_with("<PolygonSymbolizer/>").replace("1.0.0", "2.0")).message.contains("version '2.0'"));
}

#[test]
fn unsupported_things_are_refused_with_the_element_named() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>shape://vertline</se:WellKnownName></se:Mark></se:Graphic></se:PointSymbolizer>",
            "unsupported se:WellKnownName 'shape://vertline'",
            "se:Rule/se:PointSymbolizer/se:Graphic/se:Mark/se:WellKnownName",
        ),
        (
            "<se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic/></se:GraphicFill></se:Fill></se:PolygonSymbolizer>",
            "unsupported SE element se:GraphicFill",
            "se:PolygonSymbolizer/se:Fill/se:GraphicFill",
        ),
        (
            "<se:LineSymbolizer><se:Stroke><se:SvgParameter name=\"stroke-miterlimit\">4</se:SvgParameter></se:Stroke></se:LineSymbolizer>",
            "unsupported se:SvgParameter name='stroke-miterlimit'",
            "se:Stroke/se:SvgParameter",
        ),
        (
            "<se:PolygonSymbolizer><se:Fill><se:SvgParameter name=\"fill\"><ogc:Function name=\"Recode\"><ogc:PropertyName>a</ogc:PropertyName></ogc:Function></se:SvgParameter></se:Fill></se:PolygonSymbolizer>",
            "unsupported expression <ogc:Function name='Recode'>",
            "se:SvgParameter/ogc:Function",
        ),
        ("<se:RasterSymbolizer><se:ShadedRelief/></se:RasterSymbolizer>", "unsupported SE element se:ShadedRelief", "se:RasterSymbolizer/se:ShadedRelief"),
        (
            "<se:RasterSymbolizer><se:ContrastEnhancement><se:Normalize/></se:ContrastEnhancement></se:RasterSymbolizer>",
            "unsupported SE element se:Normalize",
            "se:ContrastEnhancement/se:Normalize",
        ),
        (
            "<se:TextSymbolizer><se:Label>x</se:Label><se:LabelPlacement><se:LinePlacement><se:IsRepeated>true</se:IsRepeated></se:LinePlacement></se:LabelPlacement></se:TextSymbolizer>",
            "unsupported SE element se:IsRepeated",
            "se:LinePlacement/se:IsRepeated",
        ),
        (
            "<se:PolygonSymbolizer uom=\"http://www.opengeospatial.org/se/units/inch\"/>",
            "unsupported uom 'http://www.opengeospatial.org/se/units/inch'",
            "se:Rule/se:PolygonSymbolizer",
        ),
        (
            "<se:PolygonSymbolizer><se:Fill><se:SvgParameter name=\"fill\">red</se:SvgParameter></se:Fill></se:PolygonSymbolizer>",
            "'red' is not a colour: SLD and SE colours are written #rrggbb",
            "se:Fill/se:SvgParameter",
        ),
        (
            "<se:PolygonSymbolizer><se:Fill><se:SvgParameter name=\"fill-opacity\">1.5</se:SvgParameter></se:Fill></se:PolygonSymbolizer>",
            "must be from 0 to 1",
            "se:Fill/se:SvgParameter",
        ),
        (
            "<se:PointSymbolizer><se:Graphic><se:ExternalGraphic><se:InlineContent encoding=\"base64\">AAAA</se:InlineContent><se:Format>image/png</se:Format></se:ExternalGraphic></se:Graphic></se:PointSymbolizer>",
            "unsupported SE element se:InlineContent",
            "se:ExternalGraphic/se:InlineContent",
        ),
        (
            "<se:LineSymbolizer><se:Stroke><se:SvgParameter name=\"stroke-linejoin\"><ogc:PropertyName>j</ogc:PropertyName></se:SvgParameter></se:Stroke></se:LineSymbolizer>",
            "se:SvgParameter name='stroke-linejoin' must be a literal value",
            "se:Stroke/se:SvgParameter",
        ),
        (
            "<ogc:Filter><ogc:PropertyIsEqualTo><ogc:Function name=\"strSubstring\"/><ogc:Literal>1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter><se:PolygonSymbolizer/>",
            "ogc:Filter: the function 'strSubstring' is not supported",
            "se:Rule/ogc:Filter",
        ),
    ];
    for (body, message, path) in cases {
        let doc = sld11_with(body);
        let e = refused(&doc);
        assert!(e.message.contains(message), "{body}\n  gave: {e}");
        assert!(e.path.ends_with(path), "{body}\n  path: {}", e.path);
        assert!(e.line > 0 && e.column > 0, "{e}");
        assert!(e.to_string().contains("line "), "{e}");
    }
}

#[test]
fn unsupported_sld_structure_is_refused() {
    let extent = r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld">
  <NamedLayer>
    <Name>communes</Name>
    <LayerFeatureConstraints>
      <FeatureTypeConstraint>
        <Extent><Name>time</Name><Value>2020</Value></Extent>
      </FeatureTypeConstraint>
    </LayerFeatureConstraints>
  </NamedLayer>
</StyledLayerDescriptor>"#;
    let e = refused(extent);
    assert_eq!(e.message, "unsupported SLD element Extent");
    assert_eq!(e.path, "StyledLayerDescriptor/NamedLayer/LayerFeatureConstraints/FeatureTypeConstraint/Extent");
    assert_eq!((e.line, e.column), (6, 9));

    // An empty constraint constrains nothing (older QGIS exports write it).
    let empty = extent.replace("<Extent><Name>time</Name><Value>2020</Value></Extent>", "");
    assert!(parse(&empty).is_ok());

    let vendor = sld10_with("<TextSymbolizer><Label>x</Label><VendorOption name=\"autoWrap\">60</VendorOption></TextSymbolizer>");
    assert!(refused(&vendor).message.contains("VendorOption name='autoWrap' (vendor options are not supported)"));

    let remote = r#"<sld:StyledLayerDescriptor version="1.0.0" xmlns:sld="http://www.opengis.net/sld"><sld:UserLayer><sld:RemoteOWS/></sld:UserLayer></sld:StyledLayerDescriptor>"#;
    assert_eq!(refused(remote).message, "unsupported SLD element sld:RemoteOWS");

    // SE elements do not belong in SLD 1.0, nor SLD 1.0 styling elements in SLD 1.1.
    let mixed = sld10_with("<se:PolygonSymbolizer xmlns:se=\"http://www.opengis.net/se\"/>");
    assert!(refused(&mixed).message.contains("an SE 1.1 element in an SLD 1.0 document"));
    let old = sld11_with("<PolygonSymbolizer/>");
    assert!(refused(&old).message.contains("SLD 1.1 writes styling elements in the SE namespace"));
}

#[test]
fn rules_and_documents_that_make_no_sense_are_refused() {
    let two = sld11_with(
        "<se:ElseFilter/><ogc:Filter><ogc:PropertyIsNull><ogc:PropertyName>a</ogc:PropertyName></ogc:PropertyIsNull></ogc:Filter><se:PolygonSymbolizer/>",
    );
    assert!(refused(&two).message.contains("a rule has one Filter or ElseFilter"));
    assert!(refused(&sld11_with("<se:Name>empty</se:Name>")).message.contains("has no symbolizer"));
    assert!(refused("<Style/>").message.contains("no namespace"));
    assert!(refused("<a:Style xmlns:a=\"urn:x\"/>").message.contains("is not a style"));
    assert!(refused("<StyledLayerDescriptor").message.contains("malformed XML"));
    let dtd = "<!DOCTYPE x [<!ENTITY a \"b\">]><StyledLayerDescriptor xmlns=\"http://www.opengis.net/sld\"/>";
    assert!(refused(dtd).message.contains("DTDs are not allowed in a style"));
    // Stray text in an element that holds elements is an error, as in filters.
    let stray = sld11_with("<se:PolygonSymbolizer>oops<se:Fill/></se:PolygonSymbolizer>");
    assert!(refused(&stray).message.contains("unexpected text 'oops'"));
    let dashes = sld11_with("<se:LineSymbolizer><se:Stroke><se:SvgParameter name=\"stroke-dasharray\">4 -2</se:SvgParameter></se:Stroke></se:LineSymbolizer>");
    assert!(refused(&dashes).message.contains("not a list of non-negative numbers"));
    let decreasing = sld10_with(
        r##"<RasterSymbolizer><ColorMap><ColorMapEntry color="#000000" quantity="5"/><ColorMapEntry color="#ffffff" quantity="1"/></ColorMap></RasterSymbolizer>"##,
    );
    assert!(refused(&decreasing).message.contains("quantities of <ColorMap> must increase"));
}

#[test]
fn literal_whitespace_is_kept_and_layout_is_not() {
    let doc = sld10_with(
        "<TextSymbolizer><Label>
            <ogc:PropertyName>a</ogc:PropertyName><ogc:Literal> </ogc:Literal><ogc:PropertyName>b</ogc:PropertyName>
        </Label></TextSymbolizer>",
    );
    let sld = parse(&doc).unwrap();
    let Symbolizer::Text(t) = &user_style(&sld, 0, 0).feature_type_styles[0].rules[0].symbolizers[0] else { panic!() };
    let label = t.label.as_ref().unwrap();
    assert_eq!(label.pieces, [Piece::Property("a".into()), Piece::Text(" ".into()), Piece::Property("b".into())]);
    assert_eq!(label.evaluate(|p| Some(Value::Text(p.to_uppercase()))), "A B");
}

#[test]
fn colours() {
    assert_eq!(Color::parse_hex("#0aFf10"), Some(Color::rgb(10, 255, 16)));
    assert_eq!(Color::parse_hex(" #000000 "), Some(Color::rgb(0, 0, 0)));
    for bad in ["#fff", "#ff00ff00", "ff00ff", "#gg0000", "red", ""] {
        assert_eq!(Color::parse_hex(bad), None, "{bad}");
    }
    assert_eq!(Color::rgb(1, 2, 3).with_opacity(0.5).a, 128);
    assert_eq!(Color::rgb(1, 2, 3).with_opacity(7.0).a, 255);
    assert_eq!(Color::rgb(1, 2, 3).to_hex(), "#010203");
}

#[test]
fn geoserver_concatenation_and_filter_1_0_geometries() {
    let doc = sld10_with(
        r#"<ogc:Filter><ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName>
  <gml:Box xmlns:gml="http://www.opengis.net/gml"><gml:coordinates>1,2 3,4</gml:coordinates></gml:Box></ogc:BBOX></ogc:Filter>
<TextSymbolizer><Label><ogc:Function name="strConcat"><ogc:PropertyName>nom</ogc:PropertyName>
  <ogc:Function name="strConcat"><ogc:Literal> (</ogc:Literal><ogc:PropertyName>insee</ogc:PropertyName></ogc:Function></ogc:Function>)</Label></TextSymbolizer>"#,
    );
    let sld = parse(&doc).unwrap();
    let rule = &user_style(&sld, 0, 0).feature_type_styles[0].rules[0];
    assert!(matches!(&rule.selector, Selector::Filter(Filter::Spatial { left, .. }) if *left == prop("geom")));
    let Symbolizer::Text(t) = &rule.symbolizers[0] else { panic!() };
    let label = t.label.as_ref().unwrap();
    assert_eq!(label.evaluate(|p| Some(Value::Text(if p == "nom" { "Laon".into() } else { "02408".into() }))), "Laon (02408)");
}

#[test]
fn positions_count_lines_and_characters() {
    // A byte-order mark and multi-byte characters before the error do not shift the column.
    let doc = "\u{feff}<StyledLayerDescriptor version=\"1.0.0\" xmlns=\"http://www.opengis.net/sld\">\n<NamedLayer><Name>é</Name><Bogus/></NamedLayer></StyledLayerDescriptor>";
    let e = refused(doc);
    assert_eq!((e.message.as_str(), e.path.as_str()), ("unsupported SLD element Bogus", "StyledLayerDescriptor/NamedLayer/Bogus"));
    assert_eq!((e.line, e.column), (2, 27));
}
