//! Constraints (`CONSTRAINT` / `csw:Constraint`) read into the shared filter AST and checked
//! against the catalogue's queryables, for both request encodings.
//!
//! After [`parse`], a filter is self-contained for whoever evaluates it (the in-memory
//! [`super::search`] or a database store):
//!
//! - every property is a known queryable, written with its canonical name
//!   ([`Queryable::name`], e.g. `apiso:Title`), so `dc:title`, `Title` and `apiso:title` are one;
//!   an unknown name is an `InvalidParameterValue` with locator `Constraint`, not an empty result;
//! - every geometry is in CRS84 longitude/latitude order: record extents are CRS84 boxes, and a
//!   catalogue compares them without reprojection. Filters in `EPSG:4326` (either axis
//!   convention, by the usual spelling rules) and `EPSG:4258` are converted; other CRSs are refused.
//!
//! CQL text: OGC CQL as CSW 2.0.2 clients write it is read with the CQL2 text parser, after one
//! rewrite: the CSW-era `BBOX(property, minx, miny, maxx, maxy)` becomes CQL2's
//! `S_INTERSECTS(property, BBOX(minx, miny, maxx, maxy))`.

use geo_types::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

use super::error::CswError;
use super::queryables::Queryable;
use crate::crs::Crs;
use crate::filter::{Expr, Filter, cql2_text, fes};

/// How a constraint is written (`CONSTRAINTLANGUAGE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintLanguage {
    /// OGC Filter 1.1 XML (`FILTER`).
    Filter,
    /// OGC CQL text (`CQL_TEXT`).
    CqlText,
}

impl ConstraintLanguage {
    pub fn parse(text: &str) -> Option<ConstraintLanguage> {
        match text.trim().to_ascii_uppercase().as_str() {
            "FILTER" => Some(ConstraintLanguage::Filter),
            "CQL_TEXT" | "CQL" => Some(ConstraintLanguage::CqlText),
            _ => None,
        }
    }
}

const LOCATOR: &str = "Constraint";

/// Parses and normalises a constraint.
pub fn parse(text: &str, language: ConstraintLanguage) -> Result<Filter, CswError> {
    let filter = match language {
        ConstraintLanguage::Filter => fes::parse(text),
        ConstraintLanguage::CqlText => cql2_text::parse(&rewrite_cql_bbox(text), None),
    }
    .map_err(|e| CswError::invalid(LOCATOR, format!("the constraint cannot be read: {}", e.message)))?;
    normalise(filter)
}

/// Maps the properties of a parsed filter to queryables and its geometries to CRS84.
pub fn normalise(filter: Filter) -> Result<Filter, CswError> {
    map_filter(filter)
}

fn map_filter(f: Filter) -> Result<Filter, CswError> {
    let all = |v: Vec<Filter>| v.into_iter().map(map_filter).collect::<Result<Vec<_>, _>>();
    Ok(match f {
        Filter::And(v) => Filter::And(all(v)?),
        Filter::Or(v) => Filter::Or(all(v)?),
        Filter::Not(x) => Filter::Not(Box::new(map_filter(*x)?)),
        Filter::Bool(_) | Filter::ResourceId(_) => f,
        Filter::Compare { op, left, right } => Filter::Compare { op, left: map_expr(left)?, right: map_expr(right)? },
        Filter::Like { expr, pattern, case_insensitive } => Filter::Like { expr: map_expr(expr)?, pattern, case_insensitive },
        Filter::Between { expr, low, high } => Filter::Between { expr: map_expr(expr)?, low: map_expr(low)?, high: map_expr(high)? },
        Filter::In { expr, list } => Filter::In { expr: map_expr(expr)?, list: list.into_iter().map(map_expr).collect::<Result<_, _>>()? },
        Filter::IsNull(e) => Filter::IsNull(map_expr(e)?),
        Filter::Spatial { op, left, right } => Filter::Spatial { op, left: map_expr(left)?, right: map_expr(right)? },
        Filter::Distance { op, left, right, distance, units } => Filter::Distance { op, left: map_expr(left)?, right: map_expr(right)?, distance, units },
        Filter::Temporal { op, left, right } => Filter::Temporal { op, left: map_expr(left)?, right: map_expr(right)? },
    })
}

fn map_expr(e: Expr) -> Result<Expr, CswError> {
    Ok(match e {
        Expr::Property(name) => {
            let q = Queryable::parse(&name).ok_or_else(|| {
                CswError::invalid(LOCATOR, format!("'{name}' is not a queryable of this catalogue (see the capabilities' SupportedISOQueryables and SupportedDublinCoreQueryables)"))
            })?;
            Expr::Property(q.name().to_string())
        }
        Expr::Geometry { geometry, crs, authority_axes } => {
            let lat_first = match crs {
                None | Some(Crs::Crs84) => false,
                Some(Crs::Epsg(4326 | 4258)) => authority_axes,
                Some(other) => {
                    return Err(CswError::invalid(
                        LOCATOR,
                        format!("geometries in a constraint must be in WGS 84 (CRS:84 or EPSG:4326), not {}", other.short()),
                    ));
                }
            };
            let geometry = if lat_first { swap(geometry) } else { geometry };
            Expr::Geometry { geometry, crs: Some(Crs::Crs84), authority_axes: true }
        }
        Expr::Arithmetic { op, left, right } => Expr::Arithmetic { op, left: Box::new(map_expr(*left)?), right: Box::new(map_expr(*right)?) },
        Expr::Function { function, args } => Expr::Function { function, args: args.into_iter().map(map_expr).collect::<Result<_, _>>()? },
        Expr::Literal(_) | Expr::Interval(_) => e,
    })
}

/// The geometry with x and y exchanged.
fn swap(g: Geometry<f64>) -> Geometry<f64> {
    fn c(c: Coord<f64>) -> Coord<f64> {
        Coord { x: c.y, y: c.x }
    }
    fn line(l: LineString<f64>) -> LineString<f64> {
        LineString(l.0.into_iter().map(c).collect())
    }
    fn polygon(p: Polygon<f64>) -> Polygon<f64> {
        let (exterior, interiors) = p.into_inner();
        Polygon::new(line(exterior), interiors.into_iter().map(line).collect())
    }
    match g {
        Geometry::Point(p) => Geometry::Point(Point(c(p.0))),
        Geometry::Line(l) => Geometry::Line(geo_types::Line::new(c(l.start), c(l.end))),
        Geometry::LineString(l) => Geometry::LineString(line(l)),
        Geometry::Polygon(p) => Geometry::Polygon(polygon(p)),
        Geometry::MultiPoint(m) => Geometry::MultiPoint(MultiPoint(m.0.into_iter().map(|p| Point(c(p.0))).collect())),
        Geometry::MultiLineString(m) => Geometry::MultiLineString(MultiLineString(m.0.into_iter().map(line).collect())),
        Geometry::MultiPolygon(m) => Geometry::MultiPolygon(MultiPolygon(m.0.into_iter().map(polygon).collect())),
        Geometry::GeometryCollection(g) => Geometry::GeometryCollection(GeometryCollection(g.0.into_iter().map(swap).collect())),
        Geometry::Rect(r) => Geometry::Rect(geo_types::Rect::new(c(r.min()), c(r.max()))),
        Geometry::Triangle(t) => Geometry::Triangle(geo_types::Triangle::new(c(t.v1()), c(t.v2()), c(t.v3()))),
    }
}

/// `BBOX(name, a, b, c, d)` → `S_INTERSECTS(name, BBOX(a, b, c, d))`, outside string literals.
/// CQL2's own `BBOX(a, b, c, d)` literal (a number first) is left alone.
fn rewrite_cql_bbox(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut in_string = false;
    let mut depth_marks: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    while i < chars.len() {
        let ch = chars[i];
        if in_string {
            out.push(ch);
            if ch == '\'' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if ch == '\'' {
            in_string = true;
            out.push(ch);
            i += 1;
            continue;
        }
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':');
        if starts_word && i + 5 <= chars.len() && chars[i..i + 4].iter().collect::<String>().eq_ignore_ascii_case("BBOX") {
            // Skip spaces to the parenthesis, then to the first argument.
            let mut j = i + 4;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if j < chars.len() && chars[j] == '(' {
                let mut k = j + 1;
                while k < chars.len() && chars[k].is_whitespace() {
                    k += 1;
                }
                let name_start = k;
                while k < chars.len() && (chars[k].is_alphanumeric() || matches!(chars[k], '_' | ':' | '.' | '"')) {
                    k += 1;
                }
                let name: String = chars[name_start..k].iter().collect();
                let mut m = k;
                while m < chars.len() && chars[m].is_whitespace() {
                    m += 1;
                }
                let is_property = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '"');
                if is_property && m < chars.len() && chars[m] == ',' {
                    out.push_str("S_INTERSECTS(");
                    out.push_str(&name);
                    out.push_str(", BBOX(");
                    depth += 1;
                    depth_marks.push(depth);
                    i = m + 1;
                    continue;
                }
            }
        }
        match ch {
            '(' => depth += 1,
            ')' => {
                if depth_marks.last() == Some(&depth) {
                    depth_marks.pop();
                    out.push(')');
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        out.push(ch);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{CompareOp, SpatialOp};
    use crate::value::Value;

    fn property(f: &Filter) -> Vec<&str> {
        f.properties()
    }

    #[test]
    fn names_become_canonical_queryables() {
        let f = parse("dc:title = 'a' AND AnyText LIKE '%b%' AND apiso:Modified > '2020-01-01'", ConstraintLanguage::CqlText).unwrap();
        assert_eq!(property(&f), ["apiso:Title", "apiso:AnyText", "apiso:Modified"]);
        let e = parse("nonsense = 1", ConstraintLanguage::CqlText).unwrap_err();
        assert_eq!((e.code.as_str(), e.locator.as_deref()), ("InvalidParameterValue", Some("Constraint")));
        assert!(e.message.contains("'nonsense'"));
        let e = parse("title = ", ConstraintLanguage::CqlText).unwrap_err();
        assert_eq!(e.locator.as_deref(), Some("Constraint"));
    }

    #[test]
    fn csw_cql_bbox_is_rewritten() {
        assert_eq!(rewrite_cql_bbox("BBOX(ows:BoundingBox, 1, 2, 3, 4)"), "S_INTERSECTS(ows:BoundingBox, BBOX( 1, 2, 3, 4))");
        assert_eq!(rewrite_cql_bbox("title = 'BBOX(a, 1)' AND bbox(x,1,2,3,4)"), "title = 'BBOX(a, 1)' AND S_INTERSECTS(x, BBOX(1,2,3,4))");
        assert_eq!(rewrite_cql_bbox("S_INTERSECTS(g, BBOX(1,2,3,4))"), "S_INTERSECTS(g, BBOX(1,2,3,4))");
        let f = parse("BBOX(ows:BoundingBox, -1, 42, 5, 46) AND dc:type = 'dataset'", ConstraintLanguage::CqlText).unwrap();
        let Filter::And(parts) = f else { panic!("{f:?}") };
        assert!(matches!(&parts[0], Filter::Spatial { op: SpatialOp::Intersects, left: Expr::Property(p), .. } if p == "apiso:BoundingBox"));
        assert!(matches!(&parts[1], Filter::Compare { op: CompareOp::Eq, right: Expr::Literal(Value::Text(t)), .. } if t == "dataset"));
    }

    #[test]
    fn geometries_end_in_crs84_lon_lat() {
        let filter = |srs: &str| {
            format!(
                r#"<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>
                <gml:Envelope{srs}><gml:lowerCorner>42 -1</gml:lowerCorner><gml:upperCorner>46 5</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>"#
            )
        };
        let corner = |f: &Filter| match f {
            Filter::Spatial { right: Expr::Geometry { geometry, crs: Some(Crs::Crs84), .. }, .. } => {
                let Geometry::Polygon(p) = geometry else { panic!("{geometry:?}") };
                p.exterior().0[0]
            }
            other => panic!("{other:?}"),
        };
        // URN: authority order, latitude first → swapped.
        let f = parse(&filter(r#" srsName="urn:ogc:def:crs:EPSG::4326""#), ConstraintLanguage::Filter).unwrap();
        assert_eq!(corner(&f), Coord { x: -1.0, y: 42.0 });
        // EPSG:4326 short form: longitude first by tradition → as written.
        let f = parse(&filter(r#" srsName="EPSG:4326""#), ConstraintLanguage::Filter).unwrap();
        assert_eq!(corner(&f), Coord { x: 42.0, y: -1.0 });
        let e = parse(&filter(r#" srsName="EPSG:2154""#), ConstraintLanguage::Filter).unwrap_err();
        assert!(e.message.contains("WGS 84"), "{e}");
    }
}
