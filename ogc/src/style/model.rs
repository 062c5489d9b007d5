//! The style model: what an SLD 1.0 / SE 1.1 document says, in the shape a renderer draws from.
//!
//! SLD 1.0 and SE 1.1 express the same things with different names (`CssParameter` and
//! `SvgParameter`, `ColorMapEntry` and `Categorize`/`Interpolate`, `Title` and
//! `Description/Title`), so both are read into this one model. Everything in it is something the
//! renderer is expected to honour: what the readers cannot express here they refuse, naming the
//! element, rather than drop it (a style drawn differently from what its author wrote is worse
//! than an error the author can act on).
//!
//! Defaults the standards give are resolved by the readers (a stroke without `stroke-width` is
//! 1 wide; a `Mark` without `Fill` and `Stroke` is grey with a black outline), so the renderer
//! never has to know them. Values SE allows to come from the features (`SvgParameter`, `Size`,
//! `Label`, ...) are [`Param`]s: a literal checked when the style is read, or a template of text
//! and property names evaluated per feature.

use crate::filter::Filter;
use crate::value::Value;

/// A whole SLD document, or a bare SE `FeatureTypeStyle` / `CoverageStyle` wrapped as one
/// user style of one user layer (see [`crate::style::parse`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StyledLayerDescriptor {
    pub version: SldVersion,
    pub name: Option<String>,
    pub description: Description,
    pub layers: Vec<StyledLayer>,
}

/// Which encoding a style was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SldVersion {
    /// SLD 1.0.0: everything in `http://www.opengis.net/sld`, `CssParameter`.
    Sld1_0_0,
    /// SLD 1.1.0 with Symbology Encoding 1.1 (`se:` elements, `SvgParameter`).
    Sld1_1_0,
    /// A bare SE 1.1 `FeatureTypeStyle` or `CoverageStyle` document.
    Se1_1_0,
}

/// Title and abstract; SLD 1.0 writes them directly in the element, SE inside `Description`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Description {
    pub title: Option<String>,
    pub abstract_: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StyledLayer {
    /// `NamedLayer` (a layer the server publishes, by name) or `UserLayer`.
    pub kind: LayerKind,
    /// Required for a named layer; optional for a user layer.
    pub name: Option<String>,
    pub description: Description,
    /// In document order.
    pub styles: Vec<LayerStyle>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Named,
    User,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LayerStyle {
    /// `NamedStyle`: one of the server's own styles of the layer, by name (the WMS face resolves it).
    Named(String),
    User(UserStyle),
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserStyle {
    pub name: Option<String>,
    pub description: Description,
    /// `IsDefault`: the style a layer uses when a request names none.
    pub is_default: bool,
    /// Drawn in order: every feature through the first, then every feature through the second...
    pub feature_type_styles: Vec<FeatureTypeStyle>,
}

impl UserStyle {
    /// The title a legend or a capabilities document shows: the title, else the name.
    pub fn label(&self) -> Option<&str> {
        self.description.title.as_deref().or(self.name.as_deref())
    }
}

/// One pass over the features (or one coverage), with its rules.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureTypeStyle {
    /// `FeatureTypeStyle` or SE `CoverageStyle`.
    pub kind: StyleKind,
    pub name: Option<String>,
    pub description: Description,
    /// `FeatureTypeName` (or `CoverageName`) as written; the server checks it names the layer.
    pub target_name: Option<String>,
    /// `SemanticTypeIdentifier`s (`generic:polygon`, `generic:any`, ...), as written.
    pub semantic_types: Vec<String>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StyleKind {
    Features,
    Coverage,
}

/// The rules of one [`FeatureTypeStyle`] that apply at a scale, split the way a renderer uses
/// them: a feature is drawn by every `filtered` rule it matches, and by the `else_rules` when it
/// matches none of the filtered ones (SLD 1.0 §11.2, SE 1.1 §10.3.3: `ElseFilter` looks at the
/// other rules active at that scale).
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveRules<'a> {
    /// Rules with a filter or without one (a rule without a filter matches every feature), in
    /// document order.
    pub filtered: Vec<&'a Rule>,
    pub else_rules: Vec<&'a Rule>,
}

impl FeatureTypeStyle {
    pub fn active_rules(&self, scale_denominator: f64) -> ActiveRules<'_> {
        let (else_rules, filtered) = self.rules.iter().filter(|r| r.applies_at(scale_denominator)).partition(|r| r.selector == Selector::Else);
        ActiveRules { filtered, else_rules }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: Option<String>,
    pub description: Description,
    /// A `LegendGraphic` the author drew for the legend, instead of one derived from the symbolizers.
    pub legend_graphic: Option<Graphic>,
    pub selector: Selector,
    /// `MinScaleDenominator`: the rule applies at this scale denominator and above.
    pub min_scale: Option<f64>,
    /// `MaxScaleDenominator`: the rule applies below this scale denominator.
    pub max_scale: Option<f64>,
    /// Drawn in order for each feature.
    pub symbolizers: Vec<Symbolizer>,
}

impl Rule {
    /// Whether the rule applies at this scale: `min <= scale < max` (the minimum is inclusive,
    /// the maximum exclusive, SLD 1.0 §10.2 / SE 1.1 §10.3.3).
    pub fn applies_at(&self, scale_denominator: f64) -> bool {
        self.min_scale.is_none_or(|min| scale_denominator >= min) && self.max_scale.is_none_or(|max| scale_denominator < max)
    }

    /// What a legend calls the rule: its title, else its name.
    pub fn label(&self) -> Option<&str> {
        self.description.title.as_deref().or(self.name.as_deref())
    }
}

/// Which features a rule draws.
// One per rule, matched on for every feature: boxing the filter would save nothing that matters.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Selector {
    /// No filter: every feature.
    All,
    /// `ogc:Filter`, evaluated by the filter engine.
    Filter(Filter),
    /// `ElseFilter`: the features no other active rule of the feature type style draws.
    Else,
}

/// Units of measure of a symbolizer's sizes (SE 1.1 `uom`; SLD 1.0 is always in pixels).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Uom {
    /// Screen pixels (of 0.28 mm, the standard rendering pixel).
    #[default]
    Pixel,
    /// Ground metres: a 10 m wide line is as wide as 10 m at the map's scale.
    Metre,
    /// Ground feet (0.3048 m).
    Foot,
}

impl Uom {
    /// A size in this unit, in pixels, for a map whose pixels cover `metres_per_pixel` on the ground.
    pub fn to_pixels(self, size: f64, metres_per_pixel: f64) -> f64 {
        match self {
            Uom::Pixel => size,
            Uom::Metre => size / metres_per_pixel,
            Uom::Foot => size * 0.3048 / metres_per_pixel,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Symbolizer {
    Polygon(PolygonSymbolizer),
    Line(LineSymbolizer),
    Point(PointSymbolizer),
    Text(TextSymbolizer),
    Raster(RasterSymbolizer),
}

impl Symbolizer {
    pub fn uom(&self) -> Uom {
        match self {
            Symbolizer::Polygon(s) => s.uom,
            Symbolizer::Line(s) => s.uom,
            Symbolizer::Point(s) => s.uom,
            Symbolizer::Text(s) => s.uom,
            Symbolizer::Raster(_) => Uom::Pixel,
        }
    }
}

/// Fill and outline of areas. A missing `Fill` (or `Stroke`) means no fill (or no outline).
#[derive(Clone, Debug, PartialEq)]
pub struct PolygonSymbolizer {
    pub name: Option<String>,
    pub uom: Uom,
    /// `Geometry/PropertyName`: the geometry property drawn (`None`: the layer's default geometry).
    pub geometry: Option<String>,
    pub fill: Option<Fill>,
    pub stroke: Option<Stroke>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LineSymbolizer {
    pub name: Option<String>,
    pub uom: Uom,
    pub geometry: Option<String>,
    /// `None`: nothing is drawn (SE: "if the Stroke element is absent, the line is not rendered").
    pub stroke: Option<Stroke>,
    /// Distance of the drawn line from the geometry, positive to the left of its direction.
    pub perpendicular_offset: Param<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PointSymbolizer {
    pub name: Option<String>,
    pub uom: Uom,
    pub geometry: Option<String>,
    pub graphic: Graphic,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TextSymbolizer {
    pub name: Option<String>,
    pub uom: Uom,
    pub geometry: Option<String>,
    /// `None`: no label is drawn.
    pub label: Option<Template>,
    pub font: Font,
    pub placement: LabelPlacement,
    pub halo: Option<Halo>,
    /// The glyphs' fill (black by default).
    pub fill: Fill,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RasterSymbolizer {
    pub name: Option<String>,
    /// Of the whole coverage, 0 to 1.
    pub opacity: f64,
    pub channels: Option<ChannelSelection>,
    /// `None`: the coverage's own colours (RGB / grey).
    pub color_map: Option<ColorMap>,
}

/// `ChannelSelection`: which bands are drawn, by source channel name as written (often `1`, `2`, `3`).
#[derive(Clone, Debug, PartialEq)]
pub enum ChannelSelection {
    Gray(String),
    Rgb { red: String, green: String, blue: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fill {
    pub color: Param<Color>,
    pub opacity: Param<f64>,
}

impl Fill {
    /// SLD / SE default fill: 50% grey, opaque.
    pub fn grey() -> Fill {
        Fill { color: Param::Literal(Color::rgb(0x80, 0x80, 0x80)), opacity: Param::Literal(1.0) }
    }

    pub fn black() -> Fill {
        Fill { color: Param::Literal(Color::rgb(0, 0, 0)), opacity: Param::Literal(1.0) }
    }

    /// The fill colour for one feature, opacity applied; `None` when a property-driven value
    /// does not read as a colour or a number.
    pub fn color_for(&self, properties: impl Fn(&str) -> Option<Value> + Copy) -> Option<Color> {
        Some(self.color.get(properties)?.with_opacity(self.opacity.get(properties)?))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    pub color: Param<Color>,
    pub opacity: Param<f64>,
    /// In the symbolizer's [`Uom`].
    pub width: Param<f64>,
    pub line_join: LineJoin,
    pub line_cap: LineCap,
    /// Dash and gap lengths, in the symbolizer's unit; `None`: a solid line.
    pub dash_array: Option<Vec<f64>>,
    pub dash_offset: f64,
}

impl Stroke {
    /// SLD / SE default stroke: black, opaque, 1 wide, solid.
    pub fn black() -> Stroke {
        Stroke {
            color: Param::Literal(Color::rgb(0, 0, 0)),
            opacity: Param::Literal(1.0),
            width: Param::Literal(1.0),
            line_join: LineJoin::default(),
            line_cap: LineCap::default(),
            dash_array: None,
            dash_offset: 0.0,
        }
    }

    /// The stroke colour for one feature, opacity applied.
    pub fn color_for(&self, properties: impl Fn(&str) -> Option<Value> + Copy) -> Option<Color> {
        Some(self.color.get(properties)?.with_opacity(self.opacity.get(properties)?))
    }
}

/// `stroke-linejoin`; SVG's default, mitre.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineJoin {
    #[default]
    Mitre,
    Round,
    Bevel,
}

/// `stroke-linecap`; SVG's default, butt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineCap {
    #[default]
    Butt,
    Round,
    Square,
}

/// A point symbol: the first of `symbols` the renderer can draw (SE: alternatives in order of
/// preference), sized, rotated and displaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Graphic {
    /// Never empty: a `Graphic` without `Mark` or `ExternalGraphic` is a default square mark.
    pub symbols: Vec<GraphicSymbol>,
    pub opacity: Param<f64>,
    /// Height of the symbol in the symbolizer's unit; `None`: 6 for a mark (SLD 1.0 / SE default),
    /// the image's own size for an external graphic.
    pub size: Option<Param<f64>>,
    /// Clockwise, in degrees.
    pub rotation: Param<f64>,
    /// The point of the symbol placed on the location, as fractions of its size (0.5, 0.5: centre).
    pub anchor: (Param<f64>, Param<f64>),
    /// Offset from the location, x right and y up, in the symbolizer's unit.
    pub displacement: (Param<f64>, Param<f64>),
}

/// The default size of a mark without `Size`, in the symbolizer's unit.
pub const DEFAULT_MARK_SIZE: f64 = 6.0;

#[derive(Clone, Debug, PartialEq)]
pub enum GraphicSymbol {
    Mark(Mark),
    External(ExternalGraphic),
}

/// A well-known shape, filled and outlined.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub shape: MarkShape,
    /// `None`: not filled (a `Mark` with a `Stroke` only is hollow).
    pub fill: Option<Fill>,
    /// `None`: no outline.
    pub stroke: Option<Stroke>,
}

/// The well-known names of SLD 1.0 / SE 1.1 marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkShape {
    Square,
    Circle,
    Triangle,
    Star,
    Cross,
    X,
}

impl MarkShape {
    pub fn from_name(name: &str) -> Option<MarkShape> {
        Some(match name {
            "square" => MarkShape::Square,
            "circle" => MarkShape::Circle,
            "triangle" => MarkShape::Triangle,
            "star" => MarkShape::Star,
            "cross" => MarkShape::Cross,
            "x" => MarkShape::X,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            MarkShape::Square => "square",
            MarkShape::Circle => "circle",
            MarkShape::Triangle => "triangle",
            MarkShape::Star => "star",
            MarkShape::Cross => "cross",
            MarkShape::X => "x",
        }
    }
}

/// An image by reference: `href` as written (an `http(s)` URL, or a path the server resolves
/// against the style's folder), `format` its MIME type (`image/png`, `image/svg+xml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalGraphic {
    pub href: String,
    pub format: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Font {
    /// In order of preference; empty: the renderer's default font.
    pub families: Vec<String>,
    pub style: FontStyle,
    pub weight: FontWeight,
    /// In the symbolizer's unit; 10 by default (SLD 1.0 / SE).
    pub size: Param<f64>,
}

impl Default for Font {
    fn default() -> Font {
        Font { families: Vec::new(), style: FontStyle::Normal, weight: FontWeight::Normal, size: Param::Literal(10.0) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FontStyle {
    Normal,
    Italic,
    Oblique,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FontWeight {
    Normal,
    Bold,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LabelPlacement {
    /// At a point (a polygon's or line's label point).
    Point {
        /// As fractions of the label's box (0, 0: bottom left; SE default 0.5, 0.5 — SLD 1.0's
        /// default is 0, 0.5, which the SLD 1.0 reader fills in).
        anchor: (Param<f64>, Param<f64>),
        /// x right and y up, in the symbolizer's unit.
        displacement: (Param<f64>, Param<f64>),
        /// Clockwise, in degrees.
        rotation: Param<f64>,
    },
    /// Along a line.
    Line {
        /// Distance from the line, positive to the left of its direction.
        perpendicular_offset: Param<f64>,
        /// Whether the text follows the line's direction (true, the default) or stays horizontal.
        is_aligned: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Halo {
    /// In the symbolizer's unit; 1 by default.
    pub radius: Param<f64>,
    /// White by default.
    pub fill: Fill,
}

/// An sRGB colour with alpha (255: opaque).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const TRANSPARENT: Color = Color { r: 0, g: 0, b: 0, a: 0 };

    pub const fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b, a: 255 }
    }

    /// Reads `#rrggbb` (either case), the one colour syntax SLD 1.0 and SE 1.1 define. Short
    /// `#rgb`, CSS names and `rgb()` are not SLD, and are refused by the caller's message.
    pub fn parse_hex(text: &str) -> Option<Color> {
        let hex = text.trim().strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Color::rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    /// The colour with its alpha multiplied by `opacity` (clamped to 0..=1).
    pub fn with_opacity(self, opacity: f64) -> Color {
        let opacity = if opacity.is_nan() { 1.0 } else { opacity.clamp(0.0, 1.0) };
        Color { a: (f64::from(self.a) * opacity).round() as u8, ..self }
    }

    /// `#rrggbb`, for messages and legends.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// A value that is either fixed in the style or computed from each feature's properties.
#[derive(Clone, Debug, PartialEq)]
pub enum Param<T> {
    /// Checked when the style was read.
    Literal(T),
    /// Read per feature: the template's text, then parsed as `T` ([`ParamValue`]).
    Template(Template),
}

impl<T: ParamValue> Param<T> {
    /// The value for one feature; `properties` gives a property's value by name. `None` when
    /// the template's text does not read as a `T` (the renderer skips the symbol, as GeoServer
    /// does for an unreadable value, rather than drawing a guess).
    pub fn get(&self, properties: impl Fn(&str) -> Option<Value>) -> Option<T> {
        match self {
            Param::Literal(v) => Some(v.clone()),
            Param::Template(t) => T::parse_param(&t.evaluate(properties)),
        }
    }

    /// The literal value, for legends and for callers that need it without a feature.
    pub fn literal(&self) -> Option<&T> {
        match self {
            Param::Literal(v) => Some(v),
            Param::Template(_) => None,
        }
    }
}

/// A type a [`Param`] can hold, read from the text of an SE parameter.
pub trait ParamValue: Clone {
    fn parse_param(text: &str) -> Option<Self>;
}

impl ParamValue for f64 {
    fn parse_param(text: &str) -> Option<f64> {
        text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

impl ParamValue for Color {
    fn parse_param(text: &str) -> Option<Color> {
        Color::parse_hex(text)
    }
}

impl ParamValue for String {
    fn parse_param(text: &str) -> Option<String> {
        Some(text.to_string())
    }
}

/// Text interleaved with property values, as SE mixed content writes a `Label`:
/// `<se:Label>Commune <ogc:PropertyName>nom</ogc:PropertyName></se:Label>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    pub pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Property(String),
}

impl Template {
    /// The text with each property's value (a missing or null property gives the empty string).
    pub fn evaluate(&self, properties: impl Fn(&str) -> Option<Value>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Property(p) => out.push_str(&properties(p).map(|v| v.to_text()).unwrap_or_default()),
            }
        }
        out
    }

    /// The property names read, for checking against the layer's schema.
    pub fn properties(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Property(name) => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// The text when there is no property in it.
    pub fn as_literal(&self) -> Option<String> {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => Some(t.as_str()),
                Piece::Property(_) => None,
            })
            .collect()
    }
}

/// How raster values become colours.
#[derive(Clone, Debug, PartialEq)]
pub enum ColorMap {
    /// SE `Interpolate` (linear, colour mode) and SLD 1.0 `ColorMap type="ramp"` (the default):
    /// colours at values, interpolated between them; values below the first or above the last
    /// take the end colours.
    Ramp(Vec<ColorMapEntry>),
    /// SE `Categorize` and SLD 1.0 `type="intervals"`: see [`Categories`].
    Categorize(Categories),
    /// SLD 1.0 `type="values"` (GeoServer): exactly these values; any other is transparent.
    Values(Vec<ColorMapEntry>),
}

/// One colour of a ramp or of exact values.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorMapEntry {
    pub quantity: f64,
    /// `opacity` applied.
    pub color: Color,
    /// SLD 1.0 `label`, for legends.
    pub label: Option<String>,
}

/// Values cut into ranges by increasing thresholds: values below the first threshold take
/// `below`, values from threshold i on take `steps[i].1`.
///
/// SE `Categorize` reads as written (`Value`, then `Threshold`/`Value` pairs). SLD 1.0
/// `type="intervals"` (GeoServer) paints values below an entry's quantity (and from the previous
/// one) with the entry's colour, and values from the last quantity on not at all: its entries
/// become `below` = the first colour, a step at each quantity to the next colour, and a last step
/// to [`Color::TRANSPARENT`].
#[derive(Clone, Debug, PartialEq)]
pub struct Categories {
    pub below: Color,
    /// (threshold, colour from it on), thresholds increasing.
    pub steps: Vec<(f64, Color)>,
    /// SE `threshholdsBelongTo="preceding"`: a value equal to a threshold takes the colour of
    /// the range below it.
    pub thresholds_belong_to_preceding: bool,
    /// Labels of the SLD 1.0 entries, for legends: one per colour, `below` first (empty for SE).
    pub labels: Vec<Option<String>>,
}

impl ColorMap {
    /// The colour of a raster value; `None`: transparent.
    pub fn color_at(&self, value: f64) -> Option<Color> {
        match self {
            ColorMap::Values(entries) => entries.iter().find(|e| e.quantity == value).map(|e| e.color),
            ColorMap::Ramp(entries) => {
                let first = entries.first()?;
                if value <= first.quantity {
                    return Some(first.color);
                }
                for pair in entries.windows(2) {
                    let (a, b) = (&pair[0], &pair[1]);
                    if value <= b.quantity {
                        let t = if b.quantity > a.quantity { (value - a.quantity) / (b.quantity - a.quantity) } else { 1.0 };
                        return Some(lerp(a.color, b.color, t));
                    }
                }
                entries.last().map(|e| e.color)
            }
            ColorMap::Categorize(c) => {
                let mut color = c.below;
                for (threshold, next) in &c.steps {
                    let reached = if c.thresholds_belong_to_preceding { value > *threshold } else { value >= *threshold };
                    if !reached {
                        break;
                    }
                    color = *next;
                }
                Some(color)
            }
        }
    }
}

fn lerp(a: Color, b: Color, t: f64) -> Color {
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    Color { r: mix(a.r, b.r), g: mix(a.g, b.g), b: mix(a.b, b.b), a: mix(a.a, b.a) }
}

impl UserStyle {
    /// Every feature property the style reads — rule filters, labels, property-driven values,
    /// geometry properties — sorted, each once: what a query for drawing it must select.
    /// [`crate::filter::fes::DEFAULT_GEOMETRY`] appears when a filter tests the default geometry.
    pub fn properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for rule in self.feature_type_styles.iter().flat_map(|f| f.rules.iter()) {
            if let Selector::Filter(filter) = &rule.selector {
                out.extend(filter.properties());
            }
            for symbolizer in &rule.symbolizers {
                symbolizer.properties(&mut out);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Symbolizer {
    /// Appends the feature properties the symbolizer reads.
    pub fn properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        let geometry = match self {
            Symbolizer::Polygon(s) => {
                s.fill.iter().for_each(|f| f.properties(out));
                s.stroke.iter().for_each(|x| x.properties(out));
                &s.geometry
            }
            Symbolizer::Line(s) => {
                s.stroke.iter().for_each(|x| x.properties(out));
                s.perpendicular_offset.properties(out);
                &s.geometry
            }
            Symbolizer::Point(s) => {
                s.graphic.properties(out);
                &s.geometry
            }
            Symbolizer::Text(s) => {
                if let Some(label) = &s.label {
                    out.extend(label.properties());
                }
                s.font.size.properties(out);
                match &s.placement {
                    LabelPlacement::Point { anchor, displacement, rotation } => {
                        for p in [&anchor.0, &anchor.1, &displacement.0, &displacement.1, rotation] {
                            p.properties(out);
                        }
                    }
                    LabelPlacement::Line { perpendicular_offset, .. } => perpendicular_offset.properties(out),
                }
                if let Some(halo) = &s.halo {
                    halo.radius.properties(out);
                    halo.fill.properties(out);
                }
                s.fill.properties(out);
                &s.geometry
            }
            Symbolizer::Raster(_) => &None,
        };
        out.extend(geometry.as_deref());
    }
}

impl<T> Param<T> {
    fn properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        if let Param::Template(t) = self {
            out.extend(t.properties());
        }
    }
}

impl Fill {
    fn properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        self.color.properties(out);
        self.opacity.properties(out);
    }
}

impl Stroke {
    fn properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        self.color.properties(out);
        self.opacity.properties(out);
        self.width.properties(out);
    }
}

impl Graphic {
    fn properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        for symbol in &self.symbols {
            if let GraphicSymbol::Mark(mark) = symbol {
                mark.fill.iter().for_each(|f| f.properties(out));
                mark.stroke.iter().for_each(|s| s.properties(out));
            }
        }
        self.size.iter().for_each(|s| s.properties(out));
        for p in [&self.opacity, &self.rotation, &self.anchor.0, &self.anchor.1, &self.displacement.0, &self.displacement.1] {
            p.properties(out);
        }
    }
}
