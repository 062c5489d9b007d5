//! GetRecords evaluated over records held in memory: the constraint, the sort order and the
//! page.
//!
//! A catalogue of a few thousand records (one per layer plus imported documents) is searched
//! faster in memory than a database round trip takes, so the server can keep its records in a
//! `Vec` and call [`search`]; a database-backed store would compile the same normalised filter
//! ([`super::constraint`]) instead.
//!
//! Semantics, chosen to match what catalogue users get from GeoNetwork and pycsw:
//!
//! - A queryable with several values (keywords, formats, organisations, AnyText) matches when
//!   any of its values does; one with none matches nothing (except `PropertyIsNull`).
//! - `PropertyIsLike` is case-insensitive, as GeoNetwork's full-text search and pycsw over
//!   SQLite are; comparisons (`=`, `<`, ...) are case-sensitive unless wrapped in a case
//!   function (`matchCase="false"`, CQL `CASEI`). `ACCENTI` folds the accents of Latin letters.
//! - Dates compare by the instant they start; a date equals every instant of its day.
//! - Spatial operators compare the record's extent with the envelope of the filter's geometry
//!   (exact for the BBOX and Envelope queries clients send). Touches, Crosses, the distance
//!   operators and arithmetic are refused (InvalidParameterValue, locator `Constraint`).
//! - Temporal operators: After, Before, During, Equals and AnyInteracts (T_INTERSECTS) on dates.

use std::cmp::Ordering;

use super::error::CswError;
use super::queryables::{QueryValue, Queryable};
use super::record::Record;
use super::request::{GetRecords, ResultType, SortKey};
use super::response::ResultPage;
use crate::bbox::Bbox;
use crate::filter::eval::{self, Scalar, Subject};
use crate::filter::{Expr, Filter, SpatialOp};

/// The records matching `request`'s constraint, sorted, and the requested page of them (no
/// records for `resultType=hits`).
pub fn search<'a>(records: impl IntoIterator<Item = &'a Record>, request: &GetRecords) -> Result<ResultPage<'a>, CswError> {
    let mut matched = Vec::new();
    for r in records {
        if request.constraint.as_ref().map(|f| matches(f, r)).transpose()?.unwrap_or(true) {
            matched.push(r);
        }
    }
    sort(&mut matched, &request.sort_by);
    let total = matched.len() as u64;
    let page = match request.result_type {
        ResultType::Hits | ResultType::Validate => Vec::new(),
        ResultType::Results => {
            let skip = usize::try_from(request.start_position.saturating_sub(1)).unwrap_or(usize::MAX);
            let take = usize::try_from(request.max_records).unwrap_or(usize::MAX);
            matched.into_iter().skip(skip).take(take).collect()
        }
    };
    Ok(ResultPage { matched: total, records: page })
}

/// Orders records by `keys` (CSW SortBy, OGC API Records `sortby`); records equal on every key
/// keep their order, so paging through a sorted result is stable.
pub fn sort(records: &mut [&Record], keys: &[SortKey]) {
    if keys.is_empty() {
        return;
    }
    records.sort_by(|a, b| {
        for key in keys {
            let ordering = compare_for_sort(key.queryable, a, b);
            let ordering = if key.ascending { ordering } else { ordering.reverse() };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
}

/// Sort order of two records on one queryable: by first value, records without one last.
fn compare_for_sort(q: Queryable, a: &Record, b: &Record) -> Ordering {
    let key = |r: &Record| q.values(r).into_iter().next();
    match (key(a), key(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => match (x, y) {
            (QueryValue::Date(x), QueryValue::Date(y)) => x.start().cmp(&y.start()),
            (QueryValue::Bbox(x), QueryValue::Bbox(y)) => x.min_x.total_cmp(&y.min_x).then(x.min_y.total_cmp(&y.min_y)),
            (x, y) => x.to_text().to_lowercase().cmp(&y.to_text().to_lowercase()),
        },
    }
}

fn unsupported(what: &str) -> CswError {
    CswError::invalid("Constraint", format!("{what} is not supported in catalogue constraints"))
}

/// Whether `record` satisfies `filter` (a filter normalised by [`super::constraint`]).
pub fn matches(filter: &Filter, record: &Record) -> Result<bool, CswError> {
    eval::matches(filter, &Searched(record))
}

/// A record as the filter engine sees it: its queryables' values, its extent, its identifier.
struct Searched<'a>(&'a Record);

impl Subject for Searched<'_> {
    type Error = CswError;

    fn values(&self, name: &str) -> Result<Vec<Scalar>, CswError> {
        let q = Queryable::parse(name).ok_or_else(|| CswError::invalid("Constraint", format!("'{name}' is not a queryable")))?;
        Ok(q.values(self.0)
            .into_iter()
            .filter_map(|v| match v {
                QueryValue::Text(t) => Some(Scalar::Text(t)),
                QueryValue::Date(d) => Some(Scalar::Date(d)),
                QueryValue::Bbox(_) => None,
            })
            .collect())
    }

    fn has_id(&self, ids: &[String]) -> bool {
        ids.contains(&self.0.file_identifier)
    }

    fn spatial(&self, op: SpatialOp, left: &Expr, right: &Expr) -> Result<bool, CswError> {
        spatial(op, left, right, self.0)
    }

    fn unsupported(what: &str) -> CswError {
        unsupported(what)
    }

    fn invalid(message: String) -> CswError {
        CswError::invalid("Constraint", message)
    }

    /// AnyText from the record's lower-cased text, made once (see [`Record::search_text`]).
    fn contains_word(&self, property: &str, word: &str) -> Option<bool> {
        (Queryable::parse(property) == Some(Queryable::AnyText)).then(|| !word.contains('\n') && self.0.search_text().contains(word))
    }
}

/// The envelope of a filter geometry, which spatial operators compare with a record's extent.
pub(crate) fn envelope(g: &geo_types::Geometry<f64>) -> Option<Bbox> {
    use geo_types::Geometry as G;
    fn extend(b: &mut Option<Bbox>, c: geo_types::Coord<f64>) {
        *b = Some(match b {
            None => Bbox { min_x: c.x, min_y: c.y, max_x: c.x, max_y: c.y },
            Some(b) => Bbox { min_x: b.min_x.min(c.x), min_y: b.min_y.min(c.y), max_x: b.max_x.max(c.x), max_y: b.max_y.max(c.y) },
        });
    }
    let mut b = None;
    let line = |l: &geo_types::LineString<f64>, b: &mut Option<Bbox>| l.0.iter().for_each(|c| extend(b, *c));
    match g {
        G::Point(p) => extend(&mut b, p.0),
        G::Line(l) => {
            extend(&mut b, l.start);
            extend(&mut b, l.end);
        }
        G::LineString(l) => line(l, &mut b),
        G::Polygon(p) => line(p.exterior(), &mut b),
        G::MultiPoint(m) => m.0.iter().for_each(|p| extend(&mut b, p.0)),
        G::MultiLineString(m) => m.0.iter().for_each(|l| line(l, &mut b)),
        G::MultiPolygon(m) => m.0.iter().for_each(|p| line(p.exterior(), &mut b)),
        G::GeometryCollection(c) => {
            for g in &c.0 {
                if let Some(e) = envelope(g) {
                    extend(&mut b, geo_types::Coord { x: e.min_x, y: e.min_y });
                    extend(&mut b, geo_types::Coord { x: e.max_x, y: e.max_y });
                }
            }
        }
        G::Rect(r) => {
            extend(&mut b, r.min());
            extend(&mut b, r.max());
        }
        G::Triangle(t) => [t.v1(), t.v2(), t.v3()].into_iter().for_each(|c| extend(&mut b, c)),
    }
    b
}

fn spatial(op: SpatialOp, left: &Expr, right: &Expr, record: &Record) -> Result<bool, CswError> {
    // The record's extent on one side, a geometry on the other; Within/Contains swap with sides.
    let (geometry, record_first) = match (left, right) {
        (Expr::Property(_), Expr::Geometry { geometry, .. }) => (geometry, true),
        (Expr::Geometry { geometry, .. }, Expr::Property(_)) => (geometry, false),
        _ => return Err(unsupported("a spatial operator without a property and a geometry")),
    };
    let property = if record_first { left } else { right };
    if let Expr::Property(name) = property
        && Queryable::parse(name) != Some(Queryable::BoundingBox)
    {
        return Err(CswError::invalid("Constraint", format!("spatial operators apply to the bounding box, not to '{name}'")));
    }
    let Some(extent) = record.bbox else { return Ok(false) };
    let Some(other) = envelope(geometry) else { return Ok(false) };
    let (a, b) = if record_first { (extent, other) } else { (other, extent) };
    let intersects = a.min_x <= b.max_x && b.min_x <= a.max_x && a.min_y <= b.max_y && b.min_y <= a.max_y;
    let inside = |x: &Bbox, y: &Bbox| x.min_x >= y.min_x && x.max_x <= y.max_x && x.min_y >= y.min_y && x.max_y <= y.max_y;
    Ok(match op {
        SpatialOp::Intersects => intersects,
        SpatialOp::Disjoint => !intersects,
        SpatialOp::Within => inside(&a, &b),
        SpatialOp::Contains => inside(&b, &a),
        SpatialOp::Equals => a == b,
        SpatialOp::Overlaps => intersects && !inside(&a, &b) && !inside(&b, &a),
        SpatialOp::Touches => return Err(unsupported("Touches")),
        SpatialOp::Crosses => return Err(unsupported("Crosses")),
    })
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
