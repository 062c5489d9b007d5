//! OGC Filter Encoding XML: FES 2.0 (`http://www.opengis.net/fes/2.0`, WFS 2.0) and Filter 1.1
//! (`http://www.opengis.net/ogc`, WFS 1.1 and CSW 2.0.2), compiled to the filter AST.
//!
//! The two versions differ in names more than in meaning (`ValueReference`/`PropertyName`,
//! `ResourceId`/`FeatureId`, `escapeChar`/`escape`), so one interpreter reads both and equivalent
//! filters give the same tree. The root's namespace decides the version; filter elements of the
//! other version inside it are refused rather than guessed at. GML 3.1.1 and 3.2 geometries are
//! read under either.
//!
//! Choices the standards leave open, made so that nothing is silently dropped or reinterpreted:
//!
//! - A property reference is one XPath step, `name` or `prefix:name` (the prefix is dropped:
//!   layer properties are unqualified). Deeper paths (`a/b`, `@x`, `x[1]`) are refused, since
//!   the server's features are flat.
//! - A spatial operator without a property (BBOX usually) tests the layer's default geometry,
//!   written [`DEFAULT_GEOMETRY`] for the server to replace by its geometry column.
//! - Ids (`rid`, `fid`, `gml:id`) are kept exactly as written, `layer.` prefix included: how ids
//!   look is the WFS face's business, not the filter's.
//! - A literal becomes a number only when the number reads back as the same text (`12`, `-3.5`);
//!   `007`, `1.50`, `+4` stay text, so re-typing against a text column keeps them intact and
//!   against a numeric column parses them.
//! - Literal text is kept as written, whitespace included: XML character data is significant,
//!   and a pattern or a name may start with a space. Numbers and property names are trimmed.
//! - `matchCase="false"` wraps both sides in CASEI, except beside a number, which has no case.
//! - Distance units are normalised (`metre`, `urn:ogc:def:uom:EPSG::9001`, ... to `m`; `km`,
//!   `ft`, `mi`, `nmi`, `deg` likewise); an unknown unit is passed on for the server to refuse.
//! - A `timePosition` without a UTC offset is UTC; `indeterminatePosition="unknown"` is an open
//!   end of a period, other indeterminate positions (`now`, `before`, `after`) are refused.
//! - `matchAction` is accepted and ignored: every property is single-valued, where Any, All and
//!   One agree.
//! - `PropertyIsNil` is `IsNull`: the sources have no nil distinct from null.
//! - Consecutive id elements form one `ResourceId` (the standard's "any of these").
//! - Functions other than lower/upper (and GeoServer's strToLowerCase/strToUpperCase) are refused.
//!
//! Hostile input is stopped by the reader (`fes_xml.rs`): DTDs are refused (no entity expansion),
//! nesting depth and element count are capped, and geometry positions and ids are budgeted here.

#[path = "gml_geometry.rs"]
mod gml_geometry;
#[cfg(test)]
#[path = "fes_tests.rs"]
mod tests;
#[path = "fes_time.rs"]
mod time;
#[path = "fes_xml.rs"]
pub(crate) mod xml;

use super::{ArithmeticOp, CompareOp, DistanceOp, Expr, Filter, FilterError, Function, SpatialOp, TemporalOp};
use crate::value::Value;
use xml::{Element, excerpt};
/// The namespace check and entity resolution of the filter reader, shared with the request
/// reader (`ows/xml_tree.rs`).
pub(crate) use xml::{entity, namespace};

/// The property a spatial operator without a `ValueReference`/`PropertyName` tests: the layer's
/// default geometry, which only the server knows. No parsed property name can collide with it
/// (`@` is refused in names).
pub const DEFAULT_GEOMETRY: &str = "@default-geometry";

/// More ids than any client lists in one request; bounds the id list's memory.
const MAX_IDS: usize = 10_000;

/// Parses a `<fes:Filter>` (FES 2.0) or `<ogc:Filter>` (Filter 1.1) element, the root of `xml`
/// (a POST body's filter or a KVP `FILTER` value).
///
/// The namespace must be declared (prefixed, or as the default namespace of unprefixed
/// elements): a filter without one cannot be told FES 2.0 from Filter 1.1, so it is refused with
/// a message naming both namespaces.
pub fn parse(xml: &str) -> Result<Filter, FilterError> {
    parse_element(&xml::read(xml)?)
}

/// Interprets a `<ogc:Filter>` / `<fes:Filter>` element already read into a tree (the filter of
/// an SLD / SE rule, read with the rest of the style by [`xml::read_with`]).
pub(crate) fn parse_element(root: &Element) -> Result<Filter, FilterError> {
    let dialect = Dialect::of_root(root)?;
    Parser { dialect, positions: gml_geometry::MAX_POSITIONS, ids: 0 }.root(root)
}

/// A GML geometry element (3.1.1 or 3.2) read as filter literals are, with its `srsName` and
/// whether its axes follow the authority's order: WFS-T reads inserted features through it.
pub(crate) fn gml_geometry_of(element: &Element) -> Result<(geo_types::Geometry<f64>, Option<crate::crs::Crs>, bool), FilterError> {
    let mut positions = gml_geometry::MAX_POSITIONS;
    match gml_geometry::geometry(element, &mut positions)? {
        Expr::Geometry { geometry, crs, authority_axes } => Ok((geometry, crs, authority_axes)),
        _ => Err(FilterError::new(format!("<{}> is not a geometry", element.qname))),
    }
}

/// Which standard the document follows, from its root's namespace.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dialect {
    Fes20,
    Filter11,
}

impl Dialect {
    fn of_root(root: &Element) -> Result<Dialect, FilterError> {
        let dialect = match root.ns.as_deref() {
            Some(xml::FES20) => Dialect::Fes20,
            Some(xml::OGC) => Dialect::Filter11,
            None if root.name == "Filter" => {
                return Err(FilterError::new(format!(
                    "<Filter> has no namespace: declare FES 2.0 (xmlns=\"{}\") or Filter 1.1 (xmlns=\"{}\")",
                    xml::FES20,
                    xml::OGC
                )));
            }
            _ => return Err(FilterError::new(format!("expected a fes:Filter or ogc:Filter element, found <{}>", root.qname))),
        };
        if root.name != "Filter" {
            return Err(FilterError::new(format!("expected a Filter element, found <{}>", root.qname)));
        }
        Ok(dialect)
    }

    fn ns(self) -> &'static str {
        match self {
            Dialect::Fes20 => xml::FES20,
            Dialect::Filter11 => xml::OGC,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Dialect::Fes20 => "FES 2.0",
            Dialect::Filter11 => "Filter 1.1",
        }
    }

    fn other(self) -> Dialect {
        match self {
            Dialect::Fes20 => Dialect::Filter11,
            Dialect::Filter11 => Dialect::Fes20,
        }
    }

    /// The element naming a property.
    fn property(self) -> &'static str {
        match self {
            Dialect::Fes20 => "ValueReference",
            Dialect::Filter11 => "PropertyName",
        }
    }

    fn is_id(self, name: &str) -> bool {
        match self {
            Dialect::Fes20 => name == "ResourceId",
            Dialect::Filter11 => matches!(name, "FeatureId" | "GmlObjectId"),
        }
    }
}

type ReadPredicate = fn(&mut Parser, &Element) -> Result<Filter, FilterError>;

struct Parser {
    dialect: Dialect,
    /// What is left of the document's geometry position budget.
    positions: usize,
    ids: usize,
}

impl Parser {
    fn root(&mut self, root: &Element) -> Result<Filter, FilterError> {
        let mut predicates = self.predicates(&root.children)?;
        match predicates.len() {
            0 => Err(FilterError::new(format!("<{}> is empty: it needs one predicate or resource ids", root.qname))),
            1 => Ok(predicates.remove(0)),
            n => Err(FilterError::new(format!("<{}> holds {n} predicates: combine them with And or Or", root.qname))),
        }
    }

    /// The predicates among `children`, each run of id elements making one `ResourceId`.
    fn predicates(&mut self, children: &[Element]) -> Result<Vec<Filter>, FilterError> {
        let mut out = Vec::new();
        let mut after_id = false;
        for child in children {
            after_id = match self.id(child)? {
                Some(id) => {
                    push_id(&mut out, id, after_id);
                    true
                }
                None => {
                    out.push(self.predicate(child)?);
                    false
                }
            };
        }
        Ok(out)
    }

    /// The id an id element names, or `None` for any other element.
    fn id(&mut self, element: &Element) -> Result<Option<String>, FilterError> {
        if !(element.in_ns(self.dialect.ns()) && self.dialect.is_id(&element.name)) {
            return Ok(None);
        }
        let id = match element.name.as_str() {
            "ResourceId" => resource_id(element)?,
            "FeatureId" => element.attr("fid"),
            _ => element.gml_attr("id"),
        };
        let id = id.filter(|id| !id.trim().is_empty()).ok_or_else(|| {
            let attr = match element.name.as_str() {
                "ResourceId" => "rid",
                "FeatureId" => "fid",
                _ => "gml:id",
            };
            FilterError::new(format!("<{}> needs a non-empty {attr} attribute", element.qname))
        })?;
        self.ids += 1;
        if self.ids > MAX_IDS {
            return Err(FilterError::new(format!("the filter lists more than {MAX_IDS} resource ids")));
        }
        Ok(Some(id.to_string()))
    }

    fn predicate(&mut self, element: &Element) -> Result<Filter, FilterError> {
        self.expect_filter_element(element, "a filter predicate")?;
        let read = self.operator(&element.name).ok_or_else(|| self.unknown_predicate(element))?;
        read(self, element)
    }

    /// The reader of the operator `name`. Dispatching through one call site keeps the recursion's
    /// frames small: an unoptimised build gives each call's result a stack slot of its own.
    fn operator(&self, name: &str) -> Option<ReadPredicate> {
        let temporal = self.dialect == Dialect::Fes20 && temporal_op(name).is_some();
        Some(match name {
            _ if compare_op(name).is_some() => Self::compare,
            _ if spatial_op(name).is_some() => Self::spatial,
            _ if temporal => Self::temporal,
            "And" | "Or" => Self::logic,
            "Not" => Self::not,
            "PropertyIsLike" => Self::like,
            "PropertyIsNull" | "PropertyIsNil" => Self::is_null,
            "PropertyIsBetween" => Self::between,
            "BBOX" => Self::bbox,
            "DWithin" | "Beyond" => Self::distance,
            _ => return None,
        })
    }

    /// The operator `lookup` finds for the element's name (which [`Self::operator`] has matched).
    fn op<T>(&self, element: &Element, lookup: fn(&str) -> Option<T>) -> Result<T, FilterError> {
        lookup(&element.name).ok_or_else(|| self.unknown_predicate(element))
    }

    fn unknown_predicate(&self, element: &Element) -> FilterError {
        let name = element.name.as_str();
        let hint = if self.dialect.other().is_id(name) {
            format!(
                " ({} names ids with {})",
                self.dialect.name(),
                if self.dialect == Dialect::Fes20 { "fes:ResourceId rid=\"...\"" } else { "ogc:FeatureId fid=\"...\"" }
            )
        } else if temporal_op(name).is_some() {
            " (temporal operators are FES 2.0: use the fes namespace)".to_string()
        } else if name == "Function" {
            " (a function cannot be a predicate here)".to_string()
        } else {
            String::new()
        };
        FilterError::new(format!("<{}> is not a {} filter operator this server supports{hint}", element.qname, self.dialect.name()))
    }

    /// Refuses anything but an element of this document's filter namespace, naming the mix-up.
    fn expect_filter_element(&self, element: &Element, expected: &str) -> Result<(), FilterError> {
        if element.in_ns(self.dialect.ns()) {
            return Ok(());
        }
        let other = self.dialect.other();
        if element.in_ns(other.ns()) {
            return Err(FilterError::new(format!(
                "<{}> is a {} element inside a {} filter: use one version throughout",
                element.qname,
                other.name(),
                self.dialect.name()
            )));
        }
        Err(FilterError::new(format!("expected {expected}, found <{}>", element.qname)))
    }

    fn logic(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let combine = if element.name == "And" { Filter::And } else { Filter::Or };
        let mut operands = self.predicates(&element.children)?;
        match operands.len() {
            0 => Err(FilterError::new(format!("<{}> has no operands", element.qname))),
            // The schema wants two; one is what generated filters hold after pruning, and means it.
            1 => Ok(operands.remove(0)),
            _ => Ok(combine(operands)),
        }
    }

    fn not(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let mut operands = self.predicates(&element.children)?;
        if operands.len() != 1 {
            return Err(FilterError::new(format!("<{}> needs exactly one operand, found {}", element.qname, operands.len())));
        }
        Ok(Filter::Not(Box::new(operands.remove(0))))
    }

    fn compare(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let op = self.op(element, compare_op)?;
        let [a, b] = operands(element, "two expressions")?;
        let (mut left, mut right) = (self.expr(a)?, self.expr(b)?);
        match_action(element)?;
        // A number has no case, so only text comparisons need CASEI (and a number inside it
        // would make the server compare a number as text).
        if !match_case(element)? && !is_number(&left) && !is_number(&right) {
            left = case_insensitive(left);
            right = case_insensitive(right);
        }
        Ok(Filter::Compare { op, left, right })
    }

    fn like(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let [a, b] = operands(element, "an expression and a Literal pattern")?;
        let expr = self.expr(a)?;
        if !(b.in_ns(self.dialect.ns()) && b.name == "Literal" && b.children.is_empty()) {
            return Err(FilterError::new(format!("the pattern of <{}> must be a Literal holding text, found <{}>", element.qname, b.qname)));
        }
        let wild = one_char_attr(element, &["wildCard"])?;
        let single = one_char_attr(element, &["singleChar"])?;
        // Filter 1.1 names it `escape`, FES 2.0 `escapeChar`; clients mix them up, both mean the same.
        let has_escape = element.attr("escapeChar").is_some() || element.attr("escape").is_some();
        let escape = if has_escape { Some(one_char_attr(element, &["escapeChar", "escape"])?) } else { None };
        let pattern = like_pattern(&b.text, wild, single, escape).map_err(|m| FilterError::new(format!("<{}>: {m}", element.qname)))?;
        Ok(Filter::Like { expr, pattern, case_insensitive: !match_case(element)? })
    }

    fn is_null(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let [a] = operands(element, "one expression")?;
        Ok(Filter::IsNull(self.expr(a)?))
    }

    fn between(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let [expr, low, high] = operands(element, "an expression, a LowerBoundary and an UpperBoundary")?;
        let expr = self.expr(expr)?;
        let low = self.boundary(low, "LowerBoundary")?;
        let high = self.boundary(high, "UpperBoundary")?;
        Ok(Filter::Between { expr, low, high })
    }

    fn boundary(&mut self, element: &Element, name: &str) -> Result<Expr, FilterError> {
        self.expect_filter_element(element, name)?;
        if element.name != name {
            return Err(FilterError::new(format!("expected {name}, found <{}>", element.qname)));
        }
        let [e] = operands(element, "one expression")?;
        self.expr(e)
    }

    fn spatial(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let op = self.op(element, spatial_op)?;
        let (left, right) = self.spatial_operands(element, &element.children)?;
        Ok(Filter::Spatial { op, left, right })
    }

    /// BBOX is Intersects with the envelope's polygon.
    fn bbox(&mut self, element: &Element) -> Result<Filter, FilterError> {
        if !element.children.last().is_some_and(gml_geometry::is_envelope) {
            return Err(FilterError::new(format!("<{}> needs a gml:Envelope as its last operand", element.qname)));
        }
        let (left, right) = self.spatial_operands(element, &element.children)?;
        Ok(Filter::Spatial { op: SpatialOp::Intersects, left, right })
    }

    fn distance(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let op = if element.name == "DWithin" { DistanceOp::Within } else { DistanceOp::Beyond };
        let Some((distance, geometries)) = element.children.split_last().filter(|(d, _)| d.in_ns(self.dialect.ns()) && d.name == "Distance") else {
            return Err(FilterError::new(format!("<{}> needs a Distance as its last operand", element.qname)));
        };
        let (left, right) = self.spatial_operands(element, geometries)?;
        let value = distance.text.trim();
        let value = match value.parse::<f64>() {
            Ok(d) if d.is_finite() && d >= 0.0 => d,
            _ => return Err(FilterError::new(format!("<{}> '{}' is not a non-negative number", distance.qname, excerpt(value)))),
        };
        // FES 2.0 names the unit `uom`, Filter 1.1 `units`.
        let units = distance.attr("uom").or_else(|| distance.attr("units")).map(str::trim).filter(|u| !u.is_empty()).map(unit_name);
        Ok(Filter::Distance { op, left, right, distance: value, units })
    }

    /// A property (or the default geometry when it is left out) and a geometry.
    fn spatial_operands(&mut self, element: &Element, operands: &[Element]) -> Result<(Expr, Expr), FilterError> {
        match operands {
            [geometry] => Ok((Expr::Property(DEFAULT_GEOMETRY.to_string()), self.spatial_operand(geometry)?)),
            [property, geometry] => Ok((self.expr(property)?, self.spatial_operand(geometry)?)),
            _ => Err(FilterError::new(format!("<{}> needs a {} and a geometry, found {} operands", element.qname, self.dialect.property(), operands.len()))),
        }
    }

    fn spatial_operand(&mut self, element: &Element) -> Result<Expr, FilterError> {
        if element.is_gml() { gml_geometry::geometry(element, &mut self.positions) } else { self.expr(element) }
    }

    fn temporal(&mut self, element: &Element) -> Result<Filter, FilterError> {
        let op = self.op(element, temporal_op)?;
        let [a, b] = operands(element, "two temporal operands")?;
        let left = self.temporal_operand(a)?;
        let right = self.temporal_operand(b)?;
        Ok(Filter::Temporal { op, left, right })
    }

    fn temporal_operand(&mut self, element: &Element) -> Result<Expr, FilterError> {
        if time::is_time(element) {
            return time::gml_time(element);
        }
        if element.in_ns(self.dialect.ns()) && element.name == "Literal" && element.children.is_empty() {
            return time::literal(&element.text);
        }
        self.expr(element)
    }

    fn expr(&mut self, element: &Element) -> Result<Expr, FilterError> {
        let expected = match self.dialect {
            Dialect::Fes20 => "an expression (ValueReference, Literal or Function)",
            Dialect::Filter11 => "an expression (PropertyName, Literal, Function, Add, Sub, Mul or Div)",
        };
        if element.is_gml() {
            return Err(FilterError::new(format!("<{}> is a geometry where {expected} is expected", element.qname)));
        }
        self.expect_filter_element(element, expected)?;
        let name = element.name.as_str();
        if name == self.dialect.property() {
            return property_name(element).map(Expr::Property);
        }
        match name {
            "Literal" => self.literal(element),
            "Function" => self.function(element),
            _ => match arithmetic_op(name) {
                Some(op) if self.dialect == Dialect::Filter11 => self.arithmetic(element, op),
                Some(_) => Err(FilterError::new(format!("<{}>: FES 2.0 has no arithmetic operators (Filter 1.1 has)", element.qname))),
                None if name == self.dialect.other().property() => Err(FilterError::new(format!(
                    "<{}> is {}; {} names properties with {}",
                    element.qname,
                    self.dialect.other().name(),
                    self.dialect.name(),
                    self.dialect.property()
                ))),
                None => Err(FilterError::new(format!("expected {expected}, found <{}>", element.qname))),
            },
        }
    }

    /// A literal's text, or the one GML geometry or time it holds (FES 2.0 allows any content).
    fn literal(&mut self, element: &Element) -> Result<Expr, FilterError> {
        match element.children.as_slice() {
            [] => Ok(Expr::Literal(typed_literal(&element.text))),
            [t] if time::is_time(t) => time::gml_time(t),
            [g] if g.is_gml() => gml_geometry::geometry(g, &mut self.positions),
            _ => Err(FilterError::new(format!("<{}> must hold text or one GML geometry", element.qname))),
        }
    }

    fn function(&mut self, element: &Element) -> Result<Expr, FilterError> {
        let name = element.attr("name").map(str::trim).unwrap_or_default();
        let function = match name.to_ascii_lowercase().as_str() {
            "lower" | "strtolowercase" => Function::Lower,
            "upper" | "strtouppercase" => Function::Upper,
            "" => return Err(FilterError::new(format!("<{}> needs a name attribute", element.qname))),
            _ => return Err(FilterError::new(format!("the function '{}' is not supported (supported: lower, upper)", excerpt(name)))),
        };
        let [arg] = operands(element, "one argument")?;
        Ok(Expr::Function { function, args: vec![self.expr(arg)?] })
    }

    fn arithmetic(&mut self, element: &Element, op: ArithmeticOp) -> Result<Expr, FilterError> {
        let [a, b] = operands(element, "two expressions")?;
        let (left, right) = (self.expr(a)?, self.expr(b)?);
        Ok(Expr::Arithmetic { op, left: Box::new(left), right: Box::new(right) })
    }
}

/// Adds an id to the `ResourceId` the previous id element started, or starts one.
fn push_id(out: &mut Vec<Filter>, id: String, extend: bool) {
    match out.last_mut() {
        Some(Filter::ResourceId(ids)) if extend => ids.push(id),
        _ => out.push(Filter::ResourceId(vec![id])),
    }
}

/// The `rid` of a FES 2.0 `ResourceId`; version navigation is refused, not ignored, since it
/// would select other versions than the current features.
fn resource_id(element: &Element) -> Result<Option<&str>, FilterError> {
    for attr in ["previousRid", "version", "startDate", "endDate"] {
        if element.attr(attr).is_some() {
            return Err(FilterError::new(format!("<{}>: the {attr} attribute (version navigation) is not supported", element.qname)));
        }
    }
    Ok(element.attr("rid"))
}

/// The operands of `element`, which must be exactly `N`.
fn operands<'e, const N: usize>(element: &'e Element, what: &str) -> Result<&'e [Element; N], FilterError> {
    element.children.as_slice().try_into().map_err(|_| FilterError::new(format!("<{}> needs {what}, found {} elements", element.qname, element.children.len())))
}

/// A property reference: `name` or `prefix:name`, to `name`.
fn property_name(element: &Element) -> Result<String, FilterError> {
    let path = element.text.trim();
    if path.is_empty() {
        return Err(FilterError::new(format!("<{}> is empty", element.qname)));
    }
    let (prefix, name) = match path.split_once(':') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, path),
    };
    if !is_name(name) || !prefix.is_none_or(is_name) {
        return Err(FilterError::new(format!(
            "<{}> '{}': only a property name (optionally prefixed, as app:name) is supported, not an XPath path",
            element.qname,
            excerpt(path)
        )));
    }
    Ok(name.to_string())
}

/// An XML name without a colon (NCName), which is what a one-step path can be.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn match_case(element: &Element) -> Result<bool, FilterError> {
    match element.attr("matchCase").map(str::trim) {
        None | Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => Err(FilterError::new(format!("matchCase of <{}> must be true or false, not '{}'", element.qname, excerpt(other)))),
    }
}

fn match_action(element: &Element) -> Result<(), FilterError> {
    match element.attr("matchAction").map(str::trim) {
        None | Some("Any" | "All" | "One") => Ok(()),
        Some(other) => Err(FilterError::new(format!("matchAction of <{}> must be Any, All or One, not '{}'", element.qname, excerpt(other)))),
    }
}

fn is_number(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Value::Int(_) | Value::Float(_)))
}

fn case_insensitive(e: Expr) -> Expr {
    Expr::Function { function: Function::CaseInsensitive, args: vec![e] }
}

/// The first of `names` present, which must be one character.
fn one_char_attr(element: &Element, names: &[&str]) -> Result<char, FilterError> {
    let Some((name, value)) = names.iter().find_map(|n| element.attr(n).map(|v| (*n, v))) else {
        return Err(FilterError::new(format!("<{}> needs a {} attribute", element.qname, names[0])));
    };
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(FilterError::new(format!("{name} of <{}> must be one character, not '{}'", element.qname, excerpt(value)))),
    }
}

/// Translates a FES pattern into CQL2's: `%` any string, `_` one character, `\` escapes. A
/// character the FES escape protects, and a literal `%`, `_` or `\`, come out escaped.
fn like_pattern(pattern: &str, wild: char, single: char, escape: Option<char>) -> Result<String, String> {
    if wild == single || escape.is_some_and(|e| e == wild || e == single) {
        return Err("wildCard, singleChar and escapeChar must be three different characters".into());
    }
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            let escaped = chars.next().ok_or("the pattern ends with its escape character")?;
            push_literal(&mut out, escaped);
        } else if c == wild {
            out.push('%');
        } else if c == single {
            out.push('_');
        } else {
            push_literal(&mut out, c);
        }
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if matches!(c, '%' | '_' | '\\') {
        out.push('\\');
    }
    out.push(c);
}

/// A literal's value: a number when it reads back as the same text, else the text as written.
fn typed_literal(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>()
        && i.to_string() == t
    {
        return Value::Int(i);
    }
    if let Ok(f) = t.parse::<f64>()
        && f.is_finite()
        && f.to_string() == t
        && t.contains('.')
    {
        return Value::Float(f);
    }
    Value::Text(text.to_string())
}

/// UOM spellings (names, EPSG codes as URN or URI, OGC UOM URIs) to the short names the AST
/// uses; an unknown unit is passed on for the server to refuse.
fn unit_name(uom: &str) -> String {
    let lower = uom.to_ascii_lowercase();
    let key = ["urn:ogc:def:uom:epsg::", "http://www.opengis.net/def/uom/epsg/0/", "http://www.opengis.net/def/uom/ogc/1.0/"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    let short = match key {
        "m" | "meter" | "meters" | "metre" | "metres" | "9001" => "m",
        "km" | "kilometer" | "kilometers" | "kilometre" | "kilometres" | "9036" => "km",
        "ft" | "foot" | "feet" | "9002" => "ft",
        "mi" | "mile" | "miles" | "statute miles" | "9093" => "mi",
        "nmi" | "nautical mile" | "nautical miles" | "9030" => "nmi",
        "deg" | "degree" | "degrees" | "9102" => "deg",
        _ => return uom.to_string(),
    };
    short.to_string()
}

fn compare_op(name: &str) -> Option<CompareOp> {
    Some(match name {
        "PropertyIsEqualTo" => CompareOp::Eq,
        "PropertyIsNotEqualTo" => CompareOp::Ne,
        "PropertyIsLessThan" => CompareOp::Lt,
        "PropertyIsLessThanOrEqualTo" => CompareOp::Le,
        "PropertyIsGreaterThan" => CompareOp::Gt,
        "PropertyIsGreaterThanOrEqualTo" => CompareOp::Ge,
        _ => return None,
    })
}

fn spatial_op(name: &str) -> Option<SpatialOp> {
    Some(match name {
        "Intersects" => SpatialOp::Intersects,
        "Disjoint" => SpatialOp::Disjoint,
        "Contains" => SpatialOp::Contains,
        "Within" => SpatialOp::Within,
        "Touches" => SpatialOp::Touches,
        "Crosses" => SpatialOp::Crosses,
        "Overlaps" => SpatialOp::Overlaps,
        "Equals" => SpatialOp::Equals,
        _ => return None,
    })
}

/// FES 2.0's temporal operators; `TOverlaps`, `TContains` and `TEquals` carry a T so as not to
/// clash with the spatial ones.
fn temporal_op(name: &str) -> Option<TemporalOp> {
    Some(match name {
        "After" => TemporalOp::After,
        "Before" => TemporalOp::Before,
        "Begins" => TemporalOp::Starts,
        "BegunBy" => TemporalOp::StartedBy,
        "TContains" => TemporalOp::Contains,
        "During" => TemporalOp::During,
        "TEquals" => TemporalOp::Equals,
        "TOverlaps" => TemporalOp::Overlaps,
        "Meets" => TemporalOp::Meets,
        "MetBy" => TemporalOp::MetBy,
        "OverlappedBy" => TemporalOp::OverlappedBy,
        "Ends" => TemporalOp::Finishes,
        "EndedBy" => TemporalOp::FinishedBy,
        "AnyInteracts" => TemporalOp::Intersects,
        _ => return None,
    })
}

fn arithmetic_op(name: &str) -> Option<ArithmeticOp> {
    Some(match name {
        "Add" => ArithmeticOp::Add,
        "Sub" => ArithmeticOp::Sub,
        "Mul" => ArithmeticOp::Mul,
        "Div" => ArithmeticOp::Div,
        _ => return None,
    })
}
