//! GML geometries (GML 2 and 3.1.1 under `http://www.opengis.net/gml`, 3.2 under
//! `http://www.opengis.net/gml/3.2`) read into `geo_types` for filter operands.
//!
//! Coordinates are kept in the order written: whether the first axis is latitude depends on the
//! CRS, which only the server's CRS engine knows, so it swaps axes, not this reader.
//!
//! 3D positions (`srsDimension="3"`, or three values in a `pos` or a `coordinates` tuple) lose
//! their z: every predicate the filter AST has is evaluated in 2D (as PostGIS does for
//! `ST_Intersects` and friends), so a z could never change the result.

use geo_types::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

use super::super::{Expr, FilterError};
use super::xml::{Element, excerpt};
use crate::crs::Crs;

/// Bounds the memory a filter's geometry literals take (16 bytes a position), far above what a
/// client sends as a query operand.
pub(super) const MAX_POSITIONS: usize = 100_000;

/// The geometry `element` encodes and its CRS. `positions` is what is left of the document's
/// position budget.
pub(super) fn geometry(element: &Element, positions: &mut usize) -> Result<Expr, FilterError> {
    let mut reader = Reader { crs: None, authority_axes: true, positions };
    let geometry = reader.geometry(element, Dim::Two)?;
    Ok(Expr::Geometry { geometry, crs: reader.crs, authority_axes: reader.authority_axes })
}

/// Whether `element` is a GML envelope (`Envelope`, or GML 2's `Box`), which BBOX requires.
pub(super) fn is_envelope(element: &Element) -> bool {
    element.is_gml() && matches!(element.name.as_str(), "Envelope" | "Box")
}

/// How many values one position has when nothing in the document says otherwise.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dim {
    Two,
    Three,
}

impl Dim {
    fn len(self) -> usize {
        match self {
            Dim::Two => 2,
            Dim::Three => 3,
        }
    }
}

struct Reader<'a> {
    /// The CRS of the whole geometry: an `srsName` anywhere in it applies to all of it (a member
    /// inherits its collection's), and two different ones are refused.
    crs: Option<Crs>,
    /// False when that `srsName` is a traditional easting-first spelling.
    authority_axes: bool,
    positions: &'a mut usize,
}

impl Reader<'_> {
    fn geometry(&mut self, element: &Element, dim: Dim) -> Result<Geometry<f64>, FilterError> {
        if !element.is_gml() {
            return Err(FilterError::new(format!("expected a GML geometry, found <{}>", element.qname)));
        }
        Ok(match element.name.as_str() {
            "Point" => Geometry::Point(self.point(element, dim)?),
            "LineString" => Geometry::LineString(self.line_string(element, dim)?),
            "Polygon" => Geometry::Polygon(self.polygon(element, dim)?),
            "Envelope" | "Box" => Geometry::Polygon(self.envelope(element, dim)?),
            "MultiPoint" => Geometry::MultiPoint(MultiPoint(self.members(element, dim, "Point", Self::point)?)),
            "MultiCurve" | "MultiLineString" => Geometry::MultiLineString(MultiLineString(self.members(element, dim, "LineString", Self::line_string)?)),
            "MultiSurface" | "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(self.members(element, dim, "Polygon", Self::polygon)?)),
            "MultiGeometry" => Geometry::GeometryCollection(GeometryCollection(self.members(element, dim, "geometry", Self::geometry)?)),
            "Curve" | "Surface" | "CompositeCurve" | "CompositeSurface" | "OrientableCurve" | "OrientableSurface" | "Ring" | "Solid" => {
                return Err(FilterError::new(format!(
                    "<{}> is not supported: use gml:Point, gml:LineString, gml:Polygon, gml:Envelope or their Multi* collections",
                    element.qname
                )));
            }
            _ => return Err(FilterError::new(format!("<{}> is not a GML geometry", element.qname))),
        })
    }

    /// Checks a member's or a boundary's element name, then reads its reference system.
    fn begin(&mut self, element: &Element, name: &str, dim: Dim) -> Result<Dim, FilterError> {
        expect_name(element, name)?;
        self.reference_system(element, dim)
    }

    /// Reads `srsName` and `srsDimension`, which GML lets any geometry (or envelope) carry.
    fn reference_system(&mut self, element: &Element, dim: Dim) -> Result<Dim, FilterError> {
        if let Some(name) = element.attr("srsName") {
            let crs = Crs::parse(name).map_err(|e| FilterError::new(format!("srsName of <{}>: {e}", element.qname)))?;
            match self.crs {
                Some(outer) if outer != crs => {
                    return Err(FilterError::new(format!("<{}> is in {crs} inside a geometry in {outer}: one geometry has one CRS", element.qname)));
                }
                Some(_) => {}
                None => {
                    self.crs = Some(crs);
                    self.authority_axes = !Crs::easting_first_spelling(name);
                }
            }
        }
        dimension(element, dim)
    }

    fn point(&mut self, element: &Element, dim: Dim) -> Result<Point<f64>, FilterError> {
        let dim = self.begin(element, "Point", dim)?;
        match self.positions_of(element, dim)?.as_slice() {
            [c] => Ok(Point(*c)),
            other => Err(FilterError::new(format!("<{}> needs exactly one position, found {}", element.qname, other.len()))),
        }
    }

    fn line_string(&mut self, element: &Element, dim: Dim) -> Result<LineString<f64>, FilterError> {
        let dim = self.begin(element, "LineString", dim)?;
        let coords = self.positions_of(element, dim)?;
        if coords.len() < 2 {
            return Err(FilterError::new(format!("<{}> needs at least two positions, found {}", element.qname, coords.len())));
        }
        Ok(LineString(coords))
    }

    fn polygon(&mut self, element: &Element, dim: Dim) -> Result<Polygon<f64>, FilterError> {
        let dim = self.begin(element, "Polygon", dim)?;
        let mut exterior = None;
        let mut interiors = Vec::new();
        for boundary in content(element) {
            let ring = self.boundary_ring(boundary, dim)?;
            match boundary.name.as_str() {
                "exterior" | "outerBoundaryIs" if exterior.is_none() => exterior = Some(ring),
                "interior" | "innerBoundaryIs" if exterior.is_some() => interiors.push(ring),
                _ => return Err(unexpected(boundary, element, "gml:exterior then gml:interior rings")),
            }
        }
        let exterior = exterior.ok_or_else(|| FilterError::new(format!("<{}> has no exterior ring", element.qname)))?;
        Ok(Polygon::new(exterior, interiors))
    }

    /// The `LinearRing` inside an `exterior`/`interior` (GML 3) or `outerBoundaryIs`/
    /// `innerBoundaryIs` (GML 2) element.
    fn boundary_ring(&mut self, boundary: &Element, dim: Dim) -> Result<LineString<f64>, FilterError> {
        let ring = single(boundary)?;
        if !ring.is_gml() || ring.name != "LinearRing" {
            return Err(unexpected(ring, boundary, "a gml:LinearRing"));
        }
        let dim = self.reference_system(ring, dim)?;
        let coords = self.positions_of(ring, dim)?;
        if coords.len() < 4 || coords.first() != coords.last() {
            return Err(FilterError::new(format!("<{}> must be closed (its last position equal to its first) and have at least four positions", ring.qname)));
        }
        Ok(LineString(coords))
    }

    /// An envelope as the polygon it covers, corners in the order written.
    fn envelope(&mut self, element: &Element, dim: Dim) -> Result<Polygon<f64>, FilterError> {
        let dim = self.reference_system(element, dim)?;
        let corners = self.positions_of(element, dim)?;
        let [low, high] = corners.as_slice() else {
            return Err(FilterError::new(format!("<{}> needs two corners, found {} positions", element.qname, corners.len())));
        };
        if low.x > high.x || low.y > high.y {
            return Err(FilterError::new(format!(
                "the lower corner of <{}> exceeds its upper corner (an envelope crossing the antimeridian is not supported)",
                element.qname
            )));
        }
        let ring = vec![*low, Coord { x: high.x, y: low.y }, *high, Coord { x: low.x, y: high.y }, *low];
        Ok(Polygon::new(LineString(ring), Vec::new()))
    }

    /// The members of a collection, from `<xMember>` elements holding one member each or one
    /// `<xMembers>` element holding them all (GML 3 allows both, even mixed).
    fn members<T>(
        &mut self,
        element: &Element,
        dim: Dim,
        what: &str,
        read: fn(&mut Self, &Element, Dim) -> Result<T, FilterError>,
    ) -> Result<Vec<T>, FilterError> {
        let dim = self.reference_system(element, dim)?;
        let mut out = Vec::new();
        for property in content(element) {
            if !property.is_gml() || !is_member_property(&property.name) {
                return Err(unexpected(property, element, "member properties (such as gml:pointMember or gml:surfaceMember)"));
            }
            refuse_reference(property)?;
            let one = property.name.ends_with("Member");
            if one && property.children.len() != 1 {
                return Err(FilterError::new(format!("<{}> must hold exactly one {what}", property.qname)));
            }
            for member in &property.children {
                out.push(read(self, member, dim)?);
            }
        }
        Ok(out)
    }

    /// Every position given in the children of `element`, in document order: `pos`, `posList`,
    /// GML 2 `coordinates` and `coord`, and points of a line (`pointProperty`, `pointRep`).
    fn positions_of(&mut self, element: &Element, dim: Dim) -> Result<Vec<Coord<f64>>, FilterError> {
        let mut out = Vec::new();
        for child in content(element) {
            if !child.is_gml() {
                return Err(unexpected(child, element, "GML positions"));
            }
            match child.name.as_str() {
                "pos" => out.push(self.pos(child)?),
                "lowerCorner" | "upperCorner" if element.name == "Envelope" => out.push(self.pos(child)?),
                "posList" => out.extend(self.pos_list(child, dim)?),
                "coordinates" => out.extend(self.coordinates(child)?),
                "coord" => out.push(self.coord(child)?),
                "pointProperty" | "pointRep" => {
                    refuse_reference(child)?;
                    let point = single(child)?;
                    out.push(self.point(point, dim)?.0);
                }
                _ => return Err(unexpected(child, element, "gml:pos, gml:posList or gml:coordinates")),
            }
        }
        Ok(out)
    }

    /// One position: its number of values is its dimension unless `srsDimension` says.
    fn pos(&mut self, element: &Element) -> Result<Coord<f64>, FilterError> {
        let values = numbers(element, element.text.split_ascii_whitespace())?;
        let expected = element.attr("srsDimension").map(|_| dimension(element, Dim::Two)).transpose()?;
        match (values.as_slice(), expected) {
            ([x, y], None | Some(Dim::Two)) | ([x, y, _], None | Some(Dim::Three)) => self.coord_of(*x, *y),
            _ => Err(FilterError::new(format!("<{}> needs 2 (or 3) numbers, found {}", element.qname, values.len()))),
        }
    }

    fn pos_list(&mut self, element: &Element, dim: Dim) -> Result<Vec<Coord<f64>>, FilterError> {
        let dim = dimension(element, dim)?;
        let values = numbers(element, element.text.split_ascii_whitespace())?;
        if values.len() % dim.len() != 0 {
            return Err(FilterError::new(format!(
                "<{}> has {} numbers, not a multiple of its dimension {} (set srsDimension for 3D positions)",
                element.qname,
                values.len(),
                dim.len()
            )));
        }
        values.chunks_exact(dim.len()).map(|v| self.coord_of(v[0], v[1])).collect()
    }

    /// GML 2 tuples: `cs` separates a tuple's values, `ts` the tuples, `decimal` is the
    /// decimal point.
    fn coordinates(&mut self, element: &Element) -> Result<Vec<Coord<f64>>, FilterError> {
        let cs = element.attr("cs").unwrap_or(",");
        let ts = element.attr("ts").unwrap_or(" ");
        let decimal = element.attr("decimal").unwrap_or(".");
        if cs.is_empty() || ts.is_empty() || decimal.is_empty() || cs == ts || cs == decimal || ts == decimal {
            return Err(FilterError::new(format!("<{}>: cs, ts and decimal must be distinct and not empty", element.qname)));
        }
        let text = element.text.trim();
        let tuples: Vec<&str> = if ts.trim().is_empty() { text.split_ascii_whitespace().collect() } else { text.split(ts).collect() };
        let mut out = Vec::with_capacity(tuples.len().min(*self.positions));
        for tuple in tuples {
            let values: Vec<String> = tuple.split(cs).map(|v| v.trim().replace(decimal, ".")).collect();
            let values = numbers(element, values.iter().map(String::as_str))?;
            match values.as_slice() {
                [x, y] | [x, y, _] => out.push(self.coord_of(*x, *y)?),
                _ => return Err(FilterError::new(format!("<{}>: the tuple '{}' needs 2 (or 3) numbers", element.qname, excerpt(tuple)))),
            }
        }
        Ok(out)
    }

    /// GML 2 `<coord><X>..</X><Y>..</Y></coord>`.
    fn coord(&mut self, element: &Element) -> Result<Coord<f64>, FilterError> {
        let axis = |name: &str| element.children.iter().find(|c| c.is_gml() && c.name == name);
        let (Some(x), Some(y)) = (axis("X"), axis("Y")) else {
            return Err(FilterError::new(format!("<{}> needs gml:X and gml:Y", element.qname)));
        };
        self.coord_of(number(x, x.text.trim())?, number(y, y.text.trim())?)
    }

    /// Counts a position against the budget.
    fn coord_of(&mut self, x: f64, y: f64) -> Result<Coord<f64>, FilterError> {
        if *self.positions == 0 {
            return Err(FilterError::new(format!("the filter's geometries hold more than {MAX_POSITIONS} positions")));
        }
        *self.positions -= 1;
        Ok(Coord { x, y })
    }
}

/// The children that carry a geometry's content, without the descriptive properties every GML
/// object may have.
pub(super) fn content(element: &Element) -> impl Iterator<Item = &Element> {
    const DESCRIPTIVE: [&str; 5] = ["description", "descriptionReference", "identifier", "name", "metaDataProperty"];
    element.children.iter().filter(|c| !(c.is_gml() && DESCRIPTIVE.contains(&c.name.as_str())))
}

fn is_member_property(name: &str) -> bool {
    const MEMBERS: [&str; 12] = [
        "pointMember",
        "pointMembers",
        "curveMember",
        "curveMembers",
        "lineStringMember",
        "surfaceMember",
        "surfaceMembers",
        "polygonMember",
        "geometryMember",
        "geometryMembers",
        "member",
        "members",
    ];
    MEMBERS.contains(&name)
}

fn dimension(element: &Element, inherited: Dim) -> Result<Dim, FilterError> {
    match element.attr("srsDimension").map(str::trim) {
        None => Ok(inherited),
        Some("2") => Ok(Dim::Two),
        Some("3") => Ok(Dim::Three),
        Some(other) => Err(FilterError::new(format!("srsDimension '{}' of <{}>: only 2 and 3 are supported", excerpt(other), element.qname))),
    }
}

fn numbers<'t>(element: &Element, values: impl Iterator<Item = &'t str>) -> Result<Vec<f64>, FilterError> {
    values.map(|v| number(element, v)).collect()
}

fn number(element: &Element, text: &str) -> Result<f64, FilterError> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n),
        _ => Err(FilterError::new(format!("'{}' in <{}> is not a number", excerpt(text), element.qname))),
    }
}

fn expect_name(element: &Element, name: &str) -> Result<(), FilterError> {
    if element.is_gml() && element.name == name { Ok(()) } else { Err(FilterError::new(format!("expected a gml:{name}, found <{}>", element.qname))) }
}

fn single(element: &Element) -> Result<&Element, FilterError> {
    refuse_reference(element)?;
    let children: Vec<&Element> = content(element).collect();
    match children.as_slice() {
        [one] => Ok(one),
        _ => Err(FilterError::new(format!("<{}> must hold exactly one element, found {}", element.qname, children.len()))),
    }
}

/// `xlink:href` points to a geometry elsewhere, which a filter cannot fetch.
fn refuse_reference(element: &Element) -> Result<(), FilterError> {
    if element.children.is_empty() && element.has_attr_named("href") {
        return Err(FilterError::new(format!("<{}> refers to a geometry by xlink:href, which is not supported: give it inline", element.qname)));
    }
    Ok(())
}

fn unexpected(child: &Element, parent: &Element, expected: &str) -> FilterError {
    FilterError::new(format!("unexpected <{}> in <{}> (expected {expected})", child.qname, parent.qname))
}
