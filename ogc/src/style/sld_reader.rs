//! Reads SLD 1.0.0, SLD 1.1.0 + SE 1.1, and bare SE 1.1 `FeatureTypeStyle` / `CoverageStyle`
//! documents into the [`model`](super::model).
//!
//! The three encodings share one reader, parameterised by where the styling elements live:
//! SLD 1.0 puts everything in `http://www.opengis.net/sld` and names parameters `CssParameter`;
//! SLD 1.1 keeps the layer structure in that namespace and moves everything from `Name` and
//! `FeatureTypeStyle` down to `http://www.opengis.net/se`, with `SvgParameter` and `Description`.
//!
//! The document is read by the filter reader (`filter/fes_xml.rs`) with mixed content allowed in
//! the SE parameter elements, so that DTDs, depth and size are refused in one place and a rule's
//! `ogc:Filter` is interpreted from the same tree by the FES / Filter 1.1 interpreter (Filter 1.0,
//! which SLD 1.0 uses, is read by it as well: same namespace, GML 2 geometries included).
//!
//! Choices, so that a style is never drawn differently from what it says:
//!
//! - Every element is looked at: one the model cannot express (`GraphicFill`, `ShadedRelief`,
//!   `VendorOption`, `LayerFeatureConstraints` with content, an `ogc:Function` in a parameter,
//!   ...) is refused with its name and position, never skipped.
//! - Parameter values are literals (text or `ogc:Literal`) or `ogc:PropertyName`, interleaved as
//!   SE's mixed content allows; a literal is checked when the style is read (a colour must be
//!   `#rrggbb`, the one syntax SLD and SE define; a width a number), a property-driven value is
//!   parsed per feature. Enumerated parameters (`stroke-linejoin`, `font-weight`, ...) and
//!   `stroke-dasharray` must be literals.
//! - In mixed content, whitespace-only text containing a line break is indentation and is dropped,
//!   and the label's text is trimmed at both ends; `ogc:Literal` text is kept exactly (the way to
//!   write a significant space).
//! - A document without a `version` attribute is SLD 1.1 when it uses the SE namespace, else 1.0.
//! - Defaults are the standards' own: stroke black 1 px, fill grey, mark square 6 px grey with
//!   a black outline (only when the mark has neither fill nor stroke), label fill black, halo
//!   white of radius 1, font size 10, label anchor (0, 0.5) in SLD 1.0 and (0.5, 0.5) in SE.

use super::StyleError;
use super::model::*;
use crate::filter::FilterError;
use crate::filter::fes;
use crate::filter::fes::xml::{self, Element, ReadOptions, excerpt};

const SLD: &str = "http://www.opengis.net/sld";
const SE: &str = "http://www.opengis.net/se";
const OGC: &str = "http://www.opengis.net/ogc";
const XLINK: &str = "http://www.w3.org/1999/xlink";

/// Far above any real style (the OCS2D nomenclature is ~40 KB); bounds the tree's memory.
pub const MAX_DOCUMENT: usize = 8 * 1024 * 1024;

/// The SE elements of type `ParameterValueType` (and SLD 1.0's `CssParameter`), whose content
/// mixes text and expressions.
const MIXED: &[&str] = &[
    "SvgParameter",
    "CssParameter",
    "Label",
    "Opacity",
    "Size",
    "Rotation",
    "AnchorPointX",
    "AnchorPointY",
    "DisplacementX",
    "DisplacementY",
    "PerpendicularOffset",
    "Radius",
    "Gap",
    "InitialGap",
    "Value",
    "Threshold",
    "LookupValue",
    "StringValue",
    "NumericValue",
];

const OPTIONS: ReadOptions = ReadOptions { document: "style", mixed: |e| (e.in_ns(SE) || e.in_ns(SLD)) && MIXED.contains(&e.name.as_str()) };

/// Parses an SLD 1.0.0 or 1.1.0 `StyledLayerDescriptor`, or an SE 1.1 `FeatureTypeStyle` or
/// `CoverageStyle` (returned as one user layer holding one default user style).
pub fn parse(document: &str) -> Result<StyledLayerDescriptor, StyleError> {
    if document.len() > MAX_DOCUMENT {
        return Err(StyleError { message: format!("the style is larger than {MAX_DOCUMENT} bytes"), path: String::new(), line: 0, column: 0 });
    }
    let text = document.strip_prefix('\u{feff}').unwrap_or(document);
    let root = xml::read_with(document, &OPTIONS).map_err(|e| StyleError { message: e.message, path: String::new(), line: 0, column: 0 })?;
    read_root(&root).map_err(|f| locate(text, &root, f))
}

/// An error about one element, located (path, line, column) once reading has stopped.
struct Fail {
    offset: usize,
    message: String,
}

type Res<T> = Result<T, Fail>;

fn fail(element: &Element, message: impl Into<String>) -> Fail {
    Fail { offset: element.offset, message: message.into() }
}

fn locate(text: &str, root: &Element, f: Fail) -> StyleError {
    let mut path = Vec::new();
    let mut element = root;
    path.push(element.qname.clone());
    while element.offset != f.offset {
        // The child holding the offset is the last one starting at or before it.
        let Some((i, child)) = element.children.iter().enumerate().rev().find(|(_, c)| c.offset <= f.offset) else { break };
        let same = element.children.iter().filter(|c| c.qname == child.qname).count();
        if same > 1 {
            let n = element.children[..=i].iter().filter(|c| c.qname == child.qname).count();
            path.push(format!("{}[{n}]", child.qname));
        } else {
            path.push(child.qname.clone());
        }
        element = child;
    }
    let before = &text.as_bytes()[..f.offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    StyleError { message: f.message, path: path.join("/"), line, column }
}

fn read_root(root: &Element) -> Res<StyledLayerDescriptor> {
    match (root.ns.as_deref(), root.name.as_str()) {
        (Some(SLD), "StyledLayerDescriptor") => {
            let version = match root.attr("version").map(str::trim) {
                Some("1.0.0") => SldVersion::Sld1_0_0,
                Some("1.1.0") => SldVersion::Sld1_1_0,
                None if uses_se(root) => SldVersion::Sld1_1_0,
                None => SldVersion::Sld1_0_0,
                Some(other) => return Err(fail(root, format!("SLD version '{}' is not supported (1.0.0, 1.1.0)", excerpt(other)))),
            };
            Reader::new(version).descriptor(root)
        }
        (Some(SE), "FeatureTypeStyle" | "CoverageStyle") => {
            let style = Reader::new(SldVersion::Se1_1_0).feature_type_style(root)?;
            let user = UserStyle { name: style.name.clone(), description: style.description.clone(), is_default: true, feature_type_styles: vec![style] };
            let layer = StyledLayer { kind: LayerKind::User, name: None, description: Description::default(), styles: vec![LayerStyle::User(user)] };
            Ok(StyledLayerDescriptor { version: SldVersion::Se1_1_0, name: None, description: Description::default(), layers: vec![layer] })
        }
        (None, _) => Err(fail(root, format!("<{}> has no namespace: an SLD is in xmlns=\"{SLD}\", an SE style in xmlns=\"{SE}\"", root.qname))),
        _ => Err(fail(root, format!("<{}> is not a style: expected sld:StyledLayerDescriptor, se:FeatureTypeStyle or se:CoverageStyle", root.qname))),
    }
}

fn uses_se(element: &Element) -> bool {
    element.in_ns(SE) || element.children.iter().any(uses_se)
}

/// Where the styling elements of the document's version live, and what its parameters are called.
struct Reader {
    version: SldVersion,
    /// The namespace of everything from `Name` and `FeatureTypeStyle` down.
    style_ns: &'static str,
    /// `CssParameter` (SLD 1.0) or `SvgParameter` (SE).
    parameter: &'static str,
}

/// Name and description, common to most elements.
#[derive(Default)]
struct Meta {
    name: Option<String>,
    description: Description,
}

impl Reader {
    fn new(version: SldVersion) -> Reader {
        match version {
            SldVersion::Sld1_0_0 => Reader { version, style_ns: SLD, parameter: "CssParameter" },
            SldVersion::Sld1_1_0 | SldVersion::Se1_1_0 => Reader { version, style_ns: SE, parameter: "SvgParameter" },
        }
    }

    fn is_se(&self) -> bool {
        self.style_ns == SE
    }

    /// The local name of a styling element (in the version's styling namespace).
    fn style<'e>(&self, element: &'e Element) -> Option<&'e str> {
        element.in_ns(self.style_ns).then_some(element.name.as_str())
    }

    /// The local name of an SLD layer-structure element.
    fn sld<'e>(&self, element: &'e Element) -> Option<&'e str> {
        element.in_ns(SLD).then_some(element.name.as_str())
    }

    /// The refusal of an element this reader does not draw.
    fn unsupported(&self, element: &Element) -> Fail {
        let what = match element.ns.as_deref() {
            Some(SLD) => "SLD element",
            Some(SE) => "SE element",
            _ => "element",
        };
        let foreign = !matches!(element.ns.as_deref(), Some(SLD | SE | OGC));
        let hint = if element.name == "VendorOption" {
            format!(" name='{}' (vendor options are not supported)", excerpt(element.attr("name").unwrap_or_default()))
        } else if foreign {
            format!(" (expected an element in {})", self.style_ns)
        } else if element.in_ns(SE) && !self.is_se() {
            " (an SE 1.1 element in an SLD 1.0 document)".to_string()
        } else if element.in_ns(SLD) && self.version == SldVersion::Sld1_1_0 && is_se_name(&element.name) {
            " (SLD 1.1 writes styling elements in the SE namespace)".to_string()
        } else {
            String::new()
        };
        fail(element, format!("unsupported {what} {}{hint}", element.qname))
    }

    /// Reads `Name`, `Title`, `Abstract` (SLD 1.0) or `Name`, `Description` (SE) into `meta`;
    /// false for any other element.
    fn meta(&self, element: &Element, meta: &mut Meta) -> Res<bool> {
        match self.style(element) {
            Some("Name") => meta.name = Some(text(element)?),
            Some("Title") if !self.is_se() => meta.description.title = Some(text(element)?),
            Some("Abstract") if !self.is_se() => meta.description.abstract_ = Some(text(element)?),
            Some("Description") if self.is_se() => {
                for child in &element.children {
                    match self.style(child) {
                        Some("Title") => meta.description.title = Some(text(child)?),
                        Some("Abstract") => meta.description.abstract_ = Some(text(child)?),
                        _ => return Err(self.unsupported(child)),
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn descriptor(&self, root: &Element) -> Res<StyledLayerDescriptor> {
        let mut meta = Meta::default();
        let mut layers = Vec::new();
        for child in &root.children {
            if self.meta(child, &mut meta)? {
                continue;
            }
            match self.sld(child) {
                Some("NamedLayer") => layers.push(self.layer(child, LayerKind::Named)?),
                Some("UserLayer") => layers.push(self.layer(child, LayerKind::User)?),
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(StyledLayerDescriptor { version: self.version, name: meta.name, description: meta.description, layers })
    }

    fn layer(&self, element: &Element, kind: LayerKind) -> Res<StyledLayer> {
        let mut meta = Meta::default();
        let mut styles = Vec::new();
        for child in &element.children {
            if self.meta(child, &mut meta)? {
                continue;
            }
            match self.sld(child) {
                Some("NamedStyle") if kind == LayerKind::Named => {
                    let mut style = Meta::default();
                    for c in &child.children {
                        if !self.meta(c, &mut style)? {
                            return Err(self.unsupported(c));
                        }
                    }
                    styles.push(LayerStyle::Named(style.name.ok_or_else(|| fail(child, format!("<{}> needs a Name", child.qname)))?));
                }
                Some("UserStyle") => styles.push(LayerStyle::User(self.user_style(child)?)),
                Some("LayerFeatureConstraints") => self.feature_constraints(child)?,
                _ => return Err(self.unsupported(child)),
            }
        }
        if kind == LayerKind::Named && meta.name.is_none() {
            return Err(fail(element, format!("<{}> needs a Name", element.qname)));
        }
        Ok(StyledLayer { kind, name: meta.name, description: meta.description, styles })
    }

    /// Accepted only when it constrains nothing (empty `FeatureTypeConstraint`s, as some
    /// exporters write); a type name, filter or extent would select features and is refused.
    fn feature_constraints(&self, element: &Element) -> Res<()> {
        for child in &element.children {
            match self.sld(child) {
                Some("FeatureTypeConstraint") => {
                    if let Some(c) = child.children.first() {
                        return Err(self.unsupported(c));
                    }
                }
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(())
    }

    fn user_style(&self, element: &Element) -> Res<UserStyle> {
        let mut meta = Meta::default();
        let mut is_default = false;
        let mut feature_type_styles = Vec::new();
        for child in &element.children {
            if self.meta(child, &mut meta)? {
                continue;
            }
            if self.sld(child) == Some("IsDefault") {
                is_default = boolean(child)?;
                continue;
            }
            match self.style(child) {
                Some("FeatureTypeStyle") => feature_type_styles.push(self.feature_type_style(child)?),
                Some("CoverageStyle") if self.is_se() => feature_type_styles.push(self.feature_type_style(child)?),
                _ => return Err(self.unsupported(child)),
            }
        }
        if feature_type_styles.is_empty() {
            return Err(fail(element, format!("<{}> has no FeatureTypeStyle", element.qname)));
        }
        Ok(UserStyle { name: meta.name, description: meta.description, is_default, feature_type_styles })
    }

    fn feature_type_style(&self, element: &Element) -> Res<FeatureTypeStyle> {
        let kind = if element.name == "CoverageStyle" { StyleKind::Coverage } else { StyleKind::Features };
        let target = if kind == StyleKind::Coverage { "CoverageName" } else { "FeatureTypeName" };
        let mut meta = Meta::default();
        let mut target_name = None;
        let mut semantic_types = Vec::new();
        let mut rules = Vec::new();
        for child in &element.children {
            if self.meta(child, &mut meta)? {
                continue;
            }
            match self.style(child) {
                Some(name) if name == target => target_name = Some(text(child)?),
                Some("SemanticTypeIdentifier") => semantic_types.push(text(child)?),
                Some("Rule") => rules.push(self.rule(child)?),
                _ => return Err(self.unsupported(child)),
            }
        }
        if rules.is_empty() {
            return Err(fail(element, format!("<{}> has no Rule", element.qname)));
        }
        Ok(FeatureTypeStyle { kind, name: meta.name, description: meta.description, target_name, semantic_types, rules })
    }

    fn rule(&self, element: &Element) -> Res<Rule> {
        let mut meta = Meta::default();
        let mut legend_graphic = None;
        let mut selector = None;
        let (mut min_scale, mut max_scale) = (None, None);
        let mut symbolizers = Vec::new();
        for child in &element.children {
            if self.meta(child, &mut meta)? {
                continue;
            }
            if child.in_ns(OGC) && child.name == "Filter" {
                let filter = fes::parse_element(child).map_err(|e: FilterError| fail(child, format!("{}: {}", child.qname, e.message)))?;
                set_selector(&mut selector, child, Selector::Filter(filter))?;
                continue;
            }
            match self.style(child) {
                Some("LegendGraphic") => {
                    let [graphic] = self.children::<1>(child, "a Graphic")?;
                    self.expect(graphic, "Graphic")?;
                    legend_graphic = Some(self.graphic(graphic)?);
                }
                Some("ElseFilter") => {
                    if let Some(c) = child.children.first() {
                        return Err(self.unsupported(c));
                    }
                    set_selector(&mut selector, child, Selector::Else)?;
                }
                Some("MinScaleDenominator") => min_scale = Some(scale(child)?),
                Some("MaxScaleDenominator") => max_scale = Some(scale(child)?),
                Some("PolygonSymbolizer") => symbolizers.push(Symbolizer::Polygon(self.polygon(child)?)),
                Some("LineSymbolizer") => symbolizers.push(Symbolizer::Line(self.line(child)?)),
                Some("PointSymbolizer") => symbolizers.push(Symbolizer::Point(self.point(child)?)),
                Some("TextSymbolizer") => symbolizers.push(Symbolizer::Text(self.text_symbolizer(child)?)),
                Some("RasterSymbolizer") => symbolizers.push(Symbolizer::Raster(self.raster(child)?)),
                _ if child.name == "Filter" => {
                    return Err(fail(child, format!("<{}>: a rule's filter is an ogc:Filter (xmlns:ogc=\"{OGC}\")", child.qname)));
                }
                _ => return Err(self.unsupported(child)),
            }
        }
        if symbolizers.is_empty() {
            return Err(fail(element, format!("<{}> has no symbolizer", element.qname)));
        }
        Ok(Rule {
            name: meta.name,
            description: meta.description,
            legend_graphic,
            selector: selector.unwrap_or(Selector::All),
            min_scale,
            max_scale,
            symbolizers,
        })
    }

    /// Exactly `N` children.
    fn children<'e, const N: usize>(&self, element: &'e Element, what: &str) -> Res<&'e [Element; N]> {
        element.children.as_slice().try_into().map_err(|_| fail(element, format!("<{}> must hold {what}", element.qname)))
    }

    fn expect(&self, element: &Element, name: &str) -> Res<()> {
        if self.style(element) == Some(name) { Ok(()) } else { Err(self.unsupported(element)) }
    }

    /// `uom`, `version` and nothing else on a symbolizer.
    fn uom(&self, element: &Element) -> Res<Uom> {
        let Some(uom) = element.attr("uom").map(str::trim) else { return Ok(Uom::Pixel) };
        let unit = [
            "http://www.opengeospatial.org/se/units/",
            "http://www.opengeospatial.org/sld/units/",
            "http://www.opengis.net/se/units/",
            "http://www.opengis.net/sld/units/",
        ]
        .iter()
        .find_map(|prefix| uom.strip_prefix(prefix));
        match unit {
            Some("pixel") => Ok(Uom::Pixel),
            Some("metre" | "meter") => Ok(Uom::Metre),
            Some("foot") => Ok(Uom::Foot),
            _ => Err(fail(element, format!("unsupported uom '{uom}' on <{}> (http://www.opengeospatial.org/se/units/pixel, metre or foot)", element.qname))),
        }
    }

    /// The elements every symbolizer may start with; true when `child` was one of them.
    fn symbolizer_common(&self, child: &Element, name: &mut Option<String>, geometry: &mut Option<String>) -> Res<bool> {
        let mut meta = Meta::default();
        if self.meta(child, &mut meta)? {
            if meta.name.is_some() {
                *name = meta.name;
            }
            return Ok(true);
        }
        if self.style(child) == Some("Geometry") {
            let [property] = self.children::<1>(child, "one ogc:PropertyName")?;
            if !(property.in_ns(OGC) && property.name == "PropertyName") {
                return Err(fail(property, format!("unsupported geometry expression <{}> (only ogc:PropertyName)", property.qname)));
            }
            *geometry = Some(property_name(property)?);
            return Ok(true);
        }
        Ok(false)
    }

    fn polygon(&self, element: &Element) -> Res<PolygonSymbolizer> {
        let uom = self.uom(element)?;
        let (mut name, mut geometry, mut fill, mut stroke) = (None, None, None, None);
        for child in &element.children {
            if self.symbolizer_common(child, &mut name, &mut geometry)? {
                continue;
            }
            match self.style(child) {
                Some("Fill") => fill = Some(self.fill(child, Fill::grey())?),
                Some("Stroke") => stroke = Some(self.stroke(child)?),
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(PolygonSymbolizer { name, uom, geometry, fill, stroke })
    }

    fn line(&self, element: &Element) -> Res<LineSymbolizer> {
        let uom = self.uom(element)?;
        let (mut name, mut geometry, mut stroke) = (None, None, None);
        let mut perpendicular_offset = Param::Literal(0.0);
        for child in &element.children {
            if self.symbolizer_common(child, &mut name, &mut geometry)? {
                continue;
            }
            match self.style(child) {
                Some("Stroke") => stroke = Some(self.stroke(child)?),
                Some("PerpendicularOffset") => perpendicular_offset = self.number(child, Range::Any)?,
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(LineSymbolizer { name, uom, geometry, stroke, perpendicular_offset })
    }

    fn point(&self, element: &Element) -> Res<PointSymbolizer> {
        let uom = self.uom(element)?;
        let (mut name, mut geometry, mut graphic) = (None, None, None);
        for child in &element.children {
            if self.symbolizer_common(child, &mut name, &mut geometry)? {
                continue;
            }
            match self.style(child) {
                Some("Graphic") => graphic = Some(self.graphic(child)?),
                _ => return Err(self.unsupported(child)),
            }
        }
        let graphic = graphic.unwrap_or_else(default_graphic);
        Ok(PointSymbolizer { name, uom, geometry, graphic })
    }

    fn text_symbolizer(&self, element: &Element) -> Res<TextSymbolizer> {
        let uom = self.uom(element)?;
        let (mut name, mut geometry, mut label, mut halo) = (None, None, None, None);
        let mut font = Font::default();
        let mut placement = None;
        let mut fill = Fill::black();
        for child in &element.children {
            if self.symbolizer_common(child, &mut name, &mut geometry)? {
                continue;
            }
            match self.style(child) {
                Some("Label") => {
                    let template = self.template(child, true)?;
                    label = (!template.pieces.is_empty()).then_some(template);
                }
                Some("Font") => font = self.font(child)?,
                Some("LabelPlacement") => {
                    let [p] = self.children::<1>(child, "a PointPlacement or a LinePlacement")?;
                    placement = Some(match self.style(p) {
                        Some("PointPlacement") => self.point_placement(p)?,
                        Some("LinePlacement") => self.line_placement(p)?,
                        _ => return Err(self.unsupported(p)),
                    });
                }
                Some("Halo") => halo = Some(self.halo(child)?),
                Some("Fill") => fill = self.fill(child, Fill::black())?,
                _ => return Err(self.unsupported(child)),
            }
        }
        let placement = placement.unwrap_or_else(|| LabelPlacement::Point {
            anchor: self.default_label_anchor(),
            displacement: (Param::Literal(0.0), Param::Literal(0.0)),
            rotation: Param::Literal(0.0),
        });
        Ok(TextSymbolizer { name, uom, geometry, label, font, placement, halo, fill })
    }

    fn default_label_anchor(&self) -> (Param<f64>, Param<f64>) {
        let x = if self.is_se() { 0.5 } else { 0.0 };
        (Param::Literal(x), Param::Literal(0.5))
    }

    fn point_placement(&self, element: &Element) -> Res<LabelPlacement> {
        let mut anchor = self.default_label_anchor();
        let mut displacement = (Param::Literal(0.0), Param::Literal(0.0));
        let mut rotation = Param::Literal(0.0);
        for child in &element.children {
            match self.style(child) {
                Some("AnchorPoint") => anchor = self.pair(child, "AnchorPointX", "AnchorPointY")?,
                Some("Displacement") => displacement = self.pair(child, "DisplacementX", "DisplacementY")?,
                Some("Rotation") => rotation = self.number(child, Range::Any)?,
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(LabelPlacement::Point { anchor, displacement, rotation })
    }

    fn line_placement(&self, element: &Element) -> Res<LabelPlacement> {
        let mut perpendicular_offset = Param::Literal(0.0);
        let mut is_aligned = true;
        for child in &element.children {
            match self.style(child) {
                Some("PerpendicularOffset") => perpendicular_offset = self.number(child, Range::Any)?,
                Some("IsAligned") if self.is_se() => is_aligned = boolean(child)?,
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(LabelPlacement::Line { perpendicular_offset, is_aligned })
    }

    /// `AnchorPoint` / `Displacement`: an X and a Y element, in this order.
    fn pair(&self, element: &Element, x: &str, y: &str) -> Res<(Param<f64>, Param<f64>)> {
        let [ex, ey] = self.children::<2>(element, &format!("{x} and {y}"))?;
        self.expect(ex, x)?;
        self.expect(ey, y)?;
        Ok((self.number(ex, Range::Any)?, self.number(ey, Range::Any)?))
    }

    fn halo(&self, element: &Element) -> Res<Halo> {
        let mut halo = Halo { radius: Param::Literal(1.0), fill: Fill { color: Param::Literal(Color::rgb(255, 255, 255)), opacity: Param::Literal(1.0) } };
        for child in &element.children {
            match self.style(child) {
                Some("Radius") => halo.radius = self.number(child, Range::NonNegative)?,
                Some("Fill") => halo.fill = self.fill(child, halo.fill.clone())?,
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(halo)
    }

    /// The parameters of `element` (`Fill`, `Stroke`, `Font`): each child must be a
    /// `CssParameter` / `SvgParameter` with a `name`, except the names in `also`, returned
    /// separately for the caller to refuse or read.
    fn parameters<'e>(&self, element: &'e Element) -> Res<Vec<(&'e str, &'e Element)>> {
        let mut out = Vec::new();
        for child in &element.children {
            if self.style(child) != Some(self.parameter) {
                return Err(self.unsupported(child));
            }
            let name =
                child.attr("name").map(str::trim).filter(|n| !n.is_empty()).ok_or_else(|| fail(child, format!("<{}> needs a name attribute", child.qname)))?;
            out.push((name, child));
        }
        Ok(out)
    }

    fn unsupported_parameter(&self, element: &Element, name: &str) -> Fail {
        fail(element, format!("unsupported {} name='{}'", element.qname, excerpt(name)))
    }

    fn fill(&self, element: &Element, default: Fill) -> Res<Fill> {
        let mut fill = default;
        for (name, p) in self.parameters(element)? {
            match name {
                "fill" => fill.color = self.color(p)?,
                "fill-opacity" => fill.opacity = self.number(p, Range::Unit)?,
                _ => return Err(self.unsupported_parameter(p, name)),
            }
        }
        Ok(fill)
    }

    fn stroke(&self, element: &Element) -> Res<Stroke> {
        let mut stroke = Stroke::black();
        for (name, p) in self.parameters(element)? {
            match name {
                "stroke" => stroke.color = self.color(p)?,
                "stroke-opacity" => stroke.opacity = self.number(p, Range::Unit)?,
                "stroke-width" => stroke.width = self.number(p, Range::NonNegative)?,
                "stroke-linejoin" => {
                    stroke.line_join = match self.keyword(p)?.as_str() {
                        "mitre" | "miter" => LineJoin::Mitre,
                        "round" => LineJoin::Round,
                        "bevel" => LineJoin::Bevel,
                        other => return Err(fail(p, format!("{} name='stroke-linejoin' '{}' is not mitre, round or bevel", p.qname, excerpt(other)))),
                    }
                }
                "stroke-linecap" => {
                    stroke.line_cap = match self.keyword(p)?.as_str() {
                        "butt" => LineCap::Butt,
                        "round" => LineCap::Round,
                        "square" => LineCap::Square,
                        other => return Err(fail(p, format!("{} name='stroke-linecap' '{}' is not butt, round or square", p.qname, excerpt(other)))),
                    }
                }
                "stroke-dasharray" => stroke.dash_array = dash_array(p, &self.keyword(p)?)?,
                "stroke-dashoffset" => {
                    stroke.dash_offset = self.keyword(p)?.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| not_a_number(p))?;
                }
                _ => return Err(self.unsupported_parameter(p, name)),
            }
        }
        Ok(stroke)
    }

    fn font(&self, element: &Element) -> Res<Font> {
        let mut font = Font::default();
        for (name, p) in self.parameters(element)? {
            match name {
                // SE allows the parameter several times, and CSS a comma-separated list.
                "font-family" => {
                    let families = self.keyword(p)?;
                    font.families.extend(families.split(',').map(|f| f.trim().trim_matches(['"', '\'']).to_string()).filter(|f| !f.is_empty()));
                }
                "font-style" => {
                    font.style = match self.keyword(p)?.to_ascii_lowercase().as_str() {
                        "normal" => FontStyle::Normal,
                        "italic" => FontStyle::Italic,
                        "oblique" => FontStyle::Oblique,
                        other => return Err(fail(p, format!("{} name='font-style' '{}' is not normal, italic or oblique", p.qname, excerpt(other)))),
                    }
                }
                "font-weight" => {
                    font.weight = match self.keyword(p)?.to_ascii_lowercase().as_str() {
                        "normal" | "400" => FontWeight::Normal,
                        "bold" | "700" => FontWeight::Bold,
                        other => return Err(fail(p, format!("{} name='font-weight' '{}' is not normal or bold", p.qname, excerpt(other)))),
                    }
                }
                "font-size" => font.size = self.number(p, Range::NonNegative)?,
                _ => return Err(self.unsupported_parameter(p, name)),
            }
        }
        Ok(font)
    }

    fn graphic(&self, element: &Element) -> Res<Graphic> {
        let mut graphic = default_graphic();
        graphic.symbols.clear();
        for child in &element.children {
            match self.style(child) {
                Some("Mark") => graphic.symbols.push(GraphicSymbol::Mark(self.mark(child)?)),
                Some("ExternalGraphic") => graphic.symbols.push(GraphicSymbol::External(self.external_graphic(child)?)),
                Some("Opacity") => graphic.opacity = self.number(child, Range::Unit)?,
                Some("Size") => graphic.size = Some(self.number(child, Range::NonNegative)?),
                Some("Rotation") => graphic.rotation = self.number(child, Range::Any)?,
                Some("AnchorPoint") => graphic.anchor = self.pair(child, "AnchorPointX", "AnchorPointY")?,
                Some("Displacement") => graphic.displacement = self.pair(child, "DisplacementX", "DisplacementY")?,
                _ => return Err(self.unsupported(child)),
            }
        }
        if graphic.symbols.is_empty() {
            graphic.symbols = default_graphic().symbols;
        }
        Ok(graphic)
    }

    fn mark(&self, element: &Element) -> Res<Mark> {
        let mut shape = MarkShape::Square;
        let (mut fill, mut stroke) = (None, None);
        for child in &element.children {
            match self.style(child) {
                Some("WellKnownName") => {
                    let name = text(child)?;
                    shape = MarkShape::from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
                        fail(child, format!("unsupported {} '{}' (supported: square, circle, triangle, star, cross, x)", child.qname, excerpt(&name)))
                    })?;
                }
                Some("Fill") => fill = Some(self.fill(child, Fill::grey())?),
                Some("Stroke") => stroke = Some(self.stroke(child)?),
                _ => return Err(self.unsupported(child)),
            }
        }
        if fill.is_none() && stroke.is_none() {
            fill = Some(Fill::grey());
            stroke = Some(Stroke::black());
        }
        Ok(Mark { shape, fill, stroke })
    }

    fn external_graphic(&self, element: &Element) -> Res<ExternalGraphic> {
        let (mut href, mut format) = (None, None);
        for child in &element.children {
            match self.style(child) {
                Some("OnlineResource") => {
                    let link = child.attr_ns(XLINK, "href").map(str::trim).filter(|h| !h.is_empty());
                    href = Some(link.ok_or_else(|| fail(child, format!("<{}> needs an xlink:href", child.qname)))?.to_string());
                }
                Some("Format") => format = Some(text(child)?),
                _ => return Err(self.unsupported(child)),
            }
        }
        let href = href.ok_or_else(|| fail(element, format!("<{}> needs an OnlineResource", element.qname)))?;
        let format = format.ok_or_else(|| fail(element, format!("<{}> needs a Format", element.qname)))?;
        Ok(ExternalGraphic { href, format })
    }

    fn raster(&self, element: &Element) -> Res<RasterSymbolizer> {
        if element.attr("uom").is_some() {
            self.uom(element)?;
        }
        let (mut name, mut geometry) = (None, None);
        let mut symbolizer = RasterSymbolizer { name: None, opacity: 1.0, channels: None, color_map: None };
        for child in &element.children {
            if self.symbolizer_common(child, &mut name, &mut geometry)? {
                continue;
            }
            match self.style(child) {
                Some("Opacity") => {
                    symbolizer.opacity =
                        *self.number(child, Range::Unit)?.literal().ok_or_else(|| fail(child, format!("<{}> of a raster must be a number", child.qname)))?;
                }
                Some("ChannelSelection") => symbolizer.channels = Some(self.channels(child)?),
                Some("OverlapBehavior") => self.overlap(child)?,
                Some("ColorMap") => symbolizer.color_map = Some(self.color_map(child)?),
                Some("ContrastEnhancement") => self.contrast(child)?,
                _ => return Err(self.unsupported(child)),
            }
        }
        if geometry.is_some() {
            let g = element.children.iter().find(|c| self.style(c) == Some("Geometry")).unwrap_or(element);
            return Err(fail(g, format!("unsupported {} in a raster symbolizer (a layer has one coverage)", g.qname)));
        }
        symbolizer.name = name;
        Ok(symbolizer)
    }

    fn channels(&self, element: &Element) -> Res<ChannelSelection> {
        let channel = |e: &Element| -> Res<String> {
            let mut name = None;
            for child in &e.children {
                match self.style(child) {
                    Some("SourceChannelName") => name = Some(text(child)?),
                    Some("ContrastEnhancement") => self.contrast(child)?,
                    _ => return Err(self.unsupported(child)),
                }
            }
            name.ok_or_else(|| fail(e, format!("<{}> needs a SourceChannelName", e.qname)))
        };
        match element.children.as_slice() {
            [gray] if self.style(gray) == Some("GrayChannel") => Ok(ChannelSelection::Gray(channel(gray)?)),
            [r, g, b] if self.style(r) == Some("RedChannel") && self.style(g) == Some("GreenChannel") && self.style(b) == Some("BlueChannel") => {
                Ok(ChannelSelection::Rgb { red: channel(r)?, green: channel(g)?, blue: channel(b)? })
            }
            _ => Err(fail(element, format!("<{}> must hold a GrayChannel, or a RedChannel, a GreenChannel and a BlueChannel", element.qname))),
        }
    }

    /// Only the identity is accepted (no stretch, gamma 1), which some exporters write.
    fn contrast(&self, element: &Element) -> Res<()> {
        for child in &element.children {
            match self.style(child) {
                Some("GammaValue") if number_text(child)? == 1.0 => {}
                Some("GammaValue") => return Err(fail(child, format!("unsupported {} other than 1", child.qname))),
                _ => return Err(self.unsupported(child)),
            }
        }
        Ok(())
    }

    /// One coverage per layer: the latest on top is what drawing does; other behaviours refused.
    fn overlap(&self, element: &Element) -> Res<()> {
        let value = match element.children.as_slice() {
            [] => element.text.trim().to_string(),
            [c] if c.children.is_empty() && c.text.trim().is_empty() => c.name.clone(),
            _ => return Err(fail(element, format!("<{}> must hold one behaviour", element.qname))),
        };
        if value == "LATEST_ON_TOP" { Ok(()) } else { Err(fail(element, format!("unsupported {} '{}' (only LATEST_ON_TOP)", element.qname, excerpt(&value)))) }
    }

    fn color_map(&self, element: &Element) -> Res<ColorMap> {
        if let [function] = element.children.as_slice()
            && self.is_se()
            && function.in_ns(SE)
            && matches!(function.name.as_str(), "Categorize" | "Interpolate")
        {
            return if function.name == "Categorize" { self.categorize(function) } else { self.interpolate(function) };
        }
        // SLD 1.0 ColorMapEntry (also found in SLD 1.1 documents written by GeoServer).
        let mut entries = Vec::new();
        for child in &element.children {
            if !(child.in_ns(SLD) || child.in_ns(self.style_ns)) || child.name != "ColorMapEntry" {
                return Err(self.unsupported(child));
            }
            if let Some(c) = child.children.first() {
                return Err(self.unsupported(c));
            }
            let color = child.attr("color").ok_or_else(|| fail(child, format!("<{}> needs a color", child.qname)))?;
            let color = Color::parse_hex(color).ok_or_else(|| bad_color(child, color))?;
            let opacity = match child.attr("opacity") {
                Some(o) => o
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|o| (0.0..=1.0).contains(o))
                    .ok_or_else(|| fail(child, format!("opacity '{}' of <{}> is not a number from 0 to 1", excerpt(o), child.qname)))?,
                None => 1.0,
            };
            let quantity = child.attr("quantity").ok_or_else(|| fail(child, format!("<{}> needs a quantity", child.qname)))?;
            let quantity = quantity
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|q| q.is_finite())
                .ok_or_else(|| fail(child, format!("quantity '{}' of <{}> is not a number", excerpt(quantity), child.qname)))?;
            if entries.last().is_some_and(|e: &ColorMapEntry| quantity <= e.quantity) {
                return Err(fail(child, format!("the quantities of <{}> must increase", element.qname)));
            }
            entries.push(ColorMapEntry { quantity, color: color.with_opacity(opacity), label: child.attr("label").map(str::to_string) });
        }
        if entries.is_empty() {
            return Err(fail(element, format!("<{}> has no entries", element.qname)));
        }
        match element.attr("type").map(str::trim).unwrap_or("ramp") {
            "ramp" => Ok(ColorMap::Ramp(entries)),
            "values" => Ok(ColorMap::Values(entries)),
            "intervals" => {
                let below = entries[0].color;
                let mut steps: Vec<(f64, Color)> = entries.windows(2).map(|w| (w[0].quantity, w[1].color)).collect();
                steps.push((entries[entries.len() - 1].quantity, Color::TRANSPARENT));
                let mut labels: Vec<Option<String>> = entries.into_iter().map(|e| e.label).collect();
                labels.push(None);
                Ok(ColorMap::Categorize(Categories { below, steps, thresholds_belong_to_preceding: false, labels }))
            }
            other => Err(fail(element, format!("unsupported {} type '{}' (ramp, intervals, values)", element.qname, excerpt(other)))),
        }
    }

    /// A raster colour map looks up the raster's value: `Rasterdata` in SE.
    fn lookup_value(&self, element: &Element) -> Res<()> {
        let template = self.template(element, false)?;
        let name = match template.pieces.as_slice() {
            [Piece::Text(t)] | [Piece::Property(t)] => t.trim(),
            _ => "",
        };
        if name.eq_ignore_ascii_case("Rasterdata") {
            Ok(())
        } else {
            Err(fail(element, format!("unsupported {} '{}' (a raster colour map looks up Rasterdata)", element.qname, excerpt(name))))
        }
    }

    fn color_value(&self, element: &Element) -> Res<Color> {
        self.expect(element, "Value")?;
        self.color(element)?.literal().copied().ok_or_else(|| fail(element, format!("<{}> of a raster colour map must be a literal colour", element.qname)))
    }

    fn categorize(&self, element: &Element) -> Res<ColorMap> {
        let preceding = match element.attr("threshholdsBelongTo").or(element.attr("thresholdsBelongTo")).map(str::trim) {
            None | Some("succeeding") => false,
            Some("preceding") => true,
            Some(other) => {
                return Err(fail(element, format!("threshholdsBelongTo '{}' of <{}> is not succeeding or preceding", excerpt(other), element.qname)));
            }
        };
        let [lookup, first, rest @ ..] = element.children.as_slice() else {
            return Err(fail(element, format!("<{}> needs a LookupValue and a Value", element.qname)));
        };
        self.expect(lookup, "LookupValue")?;
        self.lookup_value(lookup)?;
        let below = self.color_value(first)?;
        let mut steps = Vec::new();
        for pair in rest.chunks(2) {
            let [threshold, value] = pair else {
                return Err(fail(&pair[0], format!("<{}> must be followed by a Value", pair[0].qname)));
            };
            self.expect(threshold, "Threshold")?;
            let t = *self.number(threshold, Range::Any)?.literal().ok_or_else(|| fail(threshold, format!("<{}> must be a number", threshold.qname)))?;
            if steps.last().is_some_and(|(last, _)| t <= *last) {
                return Err(fail(threshold, format!("the thresholds of <{}> must increase", element.qname)));
            }
            steps.push((t, self.color_value(value)?));
        }
        Ok(ColorMap::Categorize(Categories { below, steps, thresholds_belong_to_preceding: preceding, labels: Vec::new() }))
    }

    fn interpolate(&self, element: &Element) -> Res<ColorMap> {
        if let Some(mode) = element.attr("mode").map(str::trim).filter(|m| *m != "linear") {
            return Err(fail(element, format!("unsupported {} mode '{}' (only linear)", element.qname, excerpt(mode))));
        }
        if let Some(method) = element.attr("method").map(str::trim).filter(|m| *m != "color") {
            return Err(fail(element, format!("unsupported {} method '{}' (only color)", element.qname, excerpt(method))));
        }
        let [lookup, points @ ..] = element.children.as_slice() else {
            return Err(fail(element, format!("<{}> needs a LookupValue", element.qname)));
        };
        self.expect(lookup, "LookupValue")?;
        self.lookup_value(lookup)?;
        let mut entries: Vec<ColorMapEntry> = Vec::new();
        for point in points {
            self.expect(point, "InterpolationPoint")?;
            let [data, value] = self.children::<2>(point, "a Data and a Value")?;
            self.expect(data, "Data")?;
            let quantity = number_text(data)?;
            if entries.last().is_some_and(|e| quantity <= e.quantity) {
                return Err(fail(data, format!("the Data of <{}> must increase", element.qname)));
            }
            entries.push(ColorMapEntry { quantity, color: self.color_value(value)?, label: None });
        }
        if entries.is_empty() {
            return Err(fail(element, format!("<{}> needs an InterpolationPoint", element.qname)));
        }
        Ok(ColorMap::Ramp(entries))
    }

    // -----------------------------------------------------------------------------------------
    // Parameter values

    /// The mixed content of a parameter element: text, `ogc:Literal` and `ogc:PropertyName`.
    /// `label` keeps inner spaces as written and trims the ends; other parameters are trimmed
    /// piece by piece when they are read as values.
    fn template(&self, element: &Element, label: bool) -> Res<Template> {
        // (text, whether it came from mixed content and may be layout whitespace)
        let mut raw: Vec<(Piece, bool)> = Vec::new();
        let push_text = |raw: &mut Vec<(Piece, bool)>, text: &str, layout: bool| {
            if !text.is_empty() {
                raw.push((Piece::Text(text.to_string()), layout));
            }
        };
        push_text(&mut raw, &element.text, true);
        for child in &element.children {
            self.expression(element, child, &mut raw)?;
            push_text(&mut raw, &child.tail, true);
        }
        // Indentation between elements is layout, not text.
        raw.retain(|(piece, layout)| !(*layout && matches!(piece, Piece::Text(t) if t.trim().is_empty() && t.contains('\n'))));
        if label {
            if let Some((Piece::Text(t), true)) = raw.first_mut() {
                *t = t.trim_start().to_string();
            }
            if let Some((Piece::Text(t), true)) = raw.last_mut() {
                *t = t.trim_end().to_string();
            }
        }
        // Adjacent texts are one.
        let mut pieces: Vec<Piece> = Vec::new();
        for (piece, _) in raw {
            match (pieces.last_mut(), piece) {
                (_, Piece::Text(t)) if t.is_empty() => {}
                (Some(Piece::Text(last)), Piece::Text(t)) => last.push_str(&t),
                (_, piece) => pieces.push(piece),
            }
        }
        Ok(Template { pieces })
    }

    /// One expression of a parameter's content: `ogc:Literal`, `ogc:PropertyName`, or a
    /// concatenation of them (`ogc:Function name="strConcat"` as GeoServer writes it, or
    /// `Concatenate`), flattened into the template's pieces.
    fn expression(&self, parameter: &Element, child: &Element, raw: &mut Vec<(Piece, bool)>) -> Res<()> {
        let is_ogc = |name: &str| child.in_ns(OGC) && child.name == name;
        if is_ogc("Literal") {
            if let Some(c) = child.children.first() {
                return Err(fail(c, format!("<{}> must hold text", child.qname)));
            }
            if !child.text.is_empty() {
                raw.push((Piece::Text(child.text.clone()), false));
            }
        } else if is_ogc("PropertyName") {
            raw.push((Piece::Property(property_name(child)?), false));
        } else if is_ogc("Function") && matches!(child.attr("name").map(str::trim), Some("strConcat" | "Concatenate" | "concatenate")) {
            for arg in &child.children {
                self.expression(parameter, arg, raw)?;
            }
        } else if child.name == "Function" || child.in_ns(OGC) || child.in_ns(SE) {
            let name = child.attr("name").map(|n| format!(" name='{}'", excerpt(n))).unwrap_or_default();
            return Err(fail(
                child,
                format!(
                    "unsupported expression <{}{name}> in <{}> (values are literals, ogc:Literal, ogc:PropertyName or their strConcat)",
                    child.qname, parameter.qname
                ),
            ));
        } else {
            return Err(self.unsupported(child));
        }
        Ok(())
    }

    /// A literal-only parameter's text, trimmed (`stroke-linejoin`, `font-family`, ...).
    fn keyword(&self, element: &Element) -> Res<String> {
        let template = self.template(element, false)?;
        template
            .as_literal()
            .map(|t| t.trim().to_string())
            .ok_or_else(|| fail(element, format!("{} must be a literal value, not a property", describe(element))))
    }

    fn number(&self, element: &Element, range: Range) -> Res<Param<f64>> {
        let template = self.template(element, false)?;
        let Some(text) = template.as_literal() else { return Ok(Param::Template(template)) };
        let value = text.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| not_a_number(element))?;
        let ok = match range {
            Range::Any => true,
            Range::NonNegative => value >= 0.0,
            Range::Unit => (0.0..=1.0).contains(&value),
        };
        if !ok {
            let expected = if range == Range::Unit { "from 0 to 1" } else { "0 or more" };
            return Err(fail(element, format!("{} '{}' must be {expected}", describe(element), excerpt(text.trim()))));
        }
        Ok(Param::Literal(value))
    }

    fn color(&self, element: &Element) -> Res<Param<Color>> {
        let template = self.template(element, false)?;
        let Some(text) = template.as_literal() else { return Ok(Param::Template(template)) };
        Color::parse_hex(&text).map(Param::Literal).ok_or_else(|| bad_color(element, &text))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Range {
    Any,
    NonNegative,
    Unit,
}

fn is_se_name(name: &str) -> bool {
    matches!(
        name,
        "FeatureTypeStyle"
            | "Rule"
            | "PolygonSymbolizer"
            | "LineSymbolizer"
            | "PointSymbolizer"
            | "TextSymbolizer"
            | "RasterSymbolizer"
            | "Name"
            | "Title"
            | "Abstract"
    )
}

fn set_selector(selector: &mut Option<Selector>, element: &Element, value: Selector) -> Res<()> {
    if selector.is_some() {
        return Err(fail(element, format!("<{}>: a rule has one Filter or ElseFilter", element.qname)));
    }
    *selector = Some(value);
    Ok(())
}

/// `<se:SvgParameter name="fill">` for messages, or the element's name.
fn describe(element: &Element) -> String {
    match element.attr("name") {
        Some(name) => format!("{} name='{}'", element.qname, excerpt(name)),
        None => element.qname.clone(),
    }
}

fn not_a_number(element: &Element) -> Fail {
    fail(element, format!("{} '{}' is not a number", describe(element), excerpt(element.text.trim())))
}

fn bad_color(element: &Element, text: &str) -> Fail {
    fail(element, format!("{} '{}' is not a colour: SLD and SE colours are written #rrggbb", describe(element), excerpt(text.trim())))
}

/// The text of an element that holds only text.
fn text(element: &Element) -> Res<String> {
    if let Some(c) = element.children.first() {
        return Err(fail(c, format!("<{}> must hold text, not <{}>", element.qname, c.qname)));
    }
    Ok(element.text.trim().to_string())
}

fn number_text(element: &Element) -> Res<f64> {
    let t = text(element)?;
    t.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| fail(element, format!("<{}> '{}' is not a number", element.qname, excerpt(&t))))
}

fn scale(element: &Element) -> Res<f64> {
    let value = number_text(element)?;
    if value < 0.0 {
        return Err(fail(element, format!("<{}> must not be negative", element.qname)));
    }
    Ok(value)
}

fn boolean(element: &Element) -> Res<bool> {
    match text(element)?.as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(fail(element, format!("<{}> '{}' is not true or false", element.qname, excerpt(other)))),
    }
}

/// `name` or `prefix:name`, to `name` (layer properties are unqualified), as the filter reader does.
fn property_name(element: &Element) -> Res<String> {
    let path = text(element)?;
    let name = path.split_once(':').map_or(path.as_str(), |(_, n)| n);
    let valid = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if !valid(name) || path.split(':').count() > 2 {
        return Err(fail(element, format!("<{}> '{}': only a property name is supported, not an XPath path", element.qname, excerpt(&path))));
    }
    Ok(name.to_string())
}

fn dash_array(element: &Element, text: &str) -> Res<Option<Vec<f64>>> {
    let mut dashes = Vec::new();
    for part in text.split(|c: char| c.is_whitespace() || c == ',').filter(|p| !p.is_empty()) {
        match part.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => dashes.push(v),
            _ => return Err(fail(element, format!("{} '{}' is not a list of non-negative numbers", describe(element), excerpt(text)))),
        }
    }
    // An empty list, or one of zeros, is a solid line (as in SVG).
    Ok((!dashes.is_empty() && dashes.iter().any(|d| *d > 0.0)).then_some(dashes))
}

/// A `Graphic` with nothing said: a 6 px square mark, grey with a black outline.
fn default_graphic() -> Graphic {
    Graphic {
        symbols: vec![GraphicSymbol::Mark(Mark { shape: MarkShape::Square, fill: Some(Fill::grey()), stroke: Some(Stroke::black()) })],
        opacity: Param::Literal(1.0),
        size: None,
        rotation: Param::Literal(0.0),
        anchor: (Param::Literal(0.5), Param::Literal(0.5)),
        displacement: (Param::Literal(0.0), Param::Literal(0.0)),
    }
}
