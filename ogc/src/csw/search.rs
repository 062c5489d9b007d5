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

use chrono::{DateTime, Utc};

use super::error::CswError;
use super::queryables::{QueryValue, Queryable};
use super::record::{Record, RecordDate};
use super::request::{GetRecords, ResultType};
use super::response::ResultPage;
use crate::bbox::Bbox;
use crate::filter::{CompareOp, Expr, Filter, Function, SpatialOp, TemporalOp};
use crate::value::Value;

/// The records matching `request`'s constraint, sorted, and the requested page of them (no
/// records for `resultType=hits`).
pub fn search<'a>(records: impl IntoIterator<Item = &'a Record>, request: &GetRecords) -> Result<ResultPage<'a>, CswError> {
    let mut matched = Vec::new();
    for r in records {
        if request.constraint.as_ref().map(|f| matches(f, r)).transpose()?.unwrap_or(true) {
            matched.push(r);
        }
    }
    if !request.sort_by.is_empty() {
        matched.sort_by(|a, b| {
            for key in &request.sort_by {
                let ordering = compare_for_sort(key.queryable, a, b);
                let ordering = if key.ascending { ordering } else { ordering.reverse() };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            Ordering::Equal
        });
    }
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
    Ok(match filter {
        Filter::And(all) => {
            for f in all {
                if !matches(f, record)? {
                    return Ok(false);
                }
            }
            true
        }
        Filter::Or(any) => {
            for f in any {
                if matches(f, record)? {
                    return Ok(true);
                }
            }
            false
        }
        Filter::Not(f) => !matches(f, record)?,
        Filter::Bool(b) => *b,
        Filter::ResourceId(ids) => ids.contains(&record.file_identifier),
        Filter::Compare { op, left, right } => {
            let (l, r) = (scalars(left, record)?, scalars(right, record)?);
            l.iter().any(|a| r.iter().any(|b| compare(a, b).is_some_and(|o| op_holds(*op, o, a, b))))
        }
        Filter::Like { expr, pattern, .. } => {
            let pattern = pattern.to_lowercase();
            // `%word%`, what catalogue clients send for a keyword search, is a substring test:
            // no per-character copy of every text of every record.
            if let Some(word) = pattern.strip_prefix('%').and_then(|p| p.strip_suffix('%')).filter(|w| !w.contains(['%', '_', '\\'])) {
                if matches!(expr, Expr::Property(p) if Queryable::parse(p) == Some(Queryable::AnyText)) {
                    return Ok(!word.contains('\n') && record.search_text().contains(word));
                }
                return Ok(scalars(expr, record)?.iter().any(|v| v.text().to_lowercase().contains(word)));
            }
            let pattern: Vec<char> = pattern.chars().collect();
            scalars(expr, record)?.iter().any(|v| like(&v.text().to_lowercase().chars().collect::<Vec<_>>(), &pattern))
        }
        Filter::Between { expr, low, high } => {
            let (values, low, high) = (scalars(expr, record)?, scalars(low, record)?, scalars(high, record)?);
            values.iter().any(|v| {
                low.iter().any(|l| compare(v, l).is_some_and(|o| o != Ordering::Less || same_day(v, l)))
                    && high.iter().any(|h| compare(v, h).is_some_and(|o| o != Ordering::Greater || same_day(v, h)))
            })
        }
        Filter::In { expr, list } => {
            let values = scalars(expr, record)?;
            let mut candidates = Vec::new();
            for e in list {
                candidates.extend(scalars(e, record)?);
            }
            values.iter().any(|v| candidates.iter().any(|c| compare(v, c).is_some_and(|o| op_holds(CompareOp::Eq, o, v, c))))
        }
        Filter::IsNull(expr) => scalars(expr, record)?.is_empty(),
        Filter::Spatial { op, left, right } => spatial(*op, left, right, record)?,
        Filter::Distance { .. } => return Err(unsupported("a distance operator (DWithin, Beyond)")),
        Filter::Temporal { op, left, right } => temporal(*op, left, right, record)?,
    })
}

/// A value a comparison works on.
#[derive(Clone, Debug)]
enum Scalar {
    Text(String),
    Number(f64),
    Date(RecordDate),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(t) => t.clone(),
            Scalar::Number(n) => n.to_string(),
            Scalar::Date(d) => d.to_text(),
        }
    }
}

fn scalars(e: &Expr, record: &Record) -> Result<Vec<Scalar>, CswError> {
    Ok(match e {
        Expr::Property(name) => {
            let q = Queryable::parse(name).ok_or_else(|| CswError::invalid("Constraint", format!("'{name}' is not a queryable")))?;
            q.values(record)
                .into_iter()
                .filter_map(|v| match v {
                    QueryValue::Text(t) => Some(Scalar::Text(t)),
                    QueryValue::Date(d) => Some(Scalar::Date(d)),
                    QueryValue::Bbox(_) => None,
                })
                .collect()
        }
        Expr::Literal(v) => vec![match v {
            Value::Null => return Ok(Vec::new()),
            Value::Bool(b) => Scalar::Text(b.to_string()),
            Value::Int(i) => Scalar::Number(*i as f64),
            Value::Float(f) => Scalar::Number(*f),
            Value::Text(t) => Scalar::Text(t.clone()),
            Value::Date(d) => Scalar::Date(RecordDate::Date(*d)),
            Value::DateTime(t) => Scalar::Date(RecordDate::DateTime(*t)),
        }],
        Expr::Function { function, args } => {
            let [arg] = args.as_slice() else { return Err(unsupported("a function with several arguments")) };
            let fold: fn(&str) -> String = match function {
                Function::CaseInsensitive | Function::Lower => str::to_lowercase,
                Function::Upper => str::to_uppercase,
                Function::AccentInsensitive => fold_accents,
            };
            scalars(arg, record)?
                .into_iter()
                .map(|s| match s {
                    Scalar::Text(t) => Scalar::Text(fold(&t)),
                    other => other,
                })
                .collect()
        }
        Expr::Arithmetic { .. } => return Err(unsupported("arithmetic")),
        Expr::Geometry { .. } => return Err(unsupported("a geometry outside a spatial operator")),
        Expr::Interval(_) => return Err(unsupported("an interval outside a temporal operator")),
    })
}

/// Lower-cases and strips the accents of Latin letters (`Élévation` → `elevation`).
fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            c => out.push(c),
        }
    }
    out
}

/// Orders two scalars: dates as dates (a text literal beside a date is read as one), numbers as
/// numbers when both read as numbers, else text. None when a date cannot be read.
fn compare(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.start().cmp(&y.start())),
        (Scalar::Date(x), other) => Some(x.start().cmp(&RecordDate::parse(&other.text())?.start())),
        (other, Scalar::Date(y)) => Some(RecordDate::parse(&other.text())?.start().cmp(&y.start())),
        (x, y) => match (x.text().trim().parse::<f64>(), y.text().trim().parse::<f64>()) {
            (Ok(m), Ok(n)) if matches!(x, Scalar::Number(_)) || matches!(y, Scalar::Number(_)) => m.partial_cmp(&n),
            _ => Some(x.text().cmp(&y.text())),
        },
    }
}

/// Whether two date scalars fall within each other's span (a date equals the instants of its day).
fn same_day(a: &Scalar, b: &Scalar) -> bool {
    let span = |s: &Scalar| match s {
        Scalar::Date(d) => Some((d.start(), d.end())),
        other => RecordDate::parse(&other.text()).filter(|_| matches!(a, Scalar::Date(_)) || matches!(b, Scalar::Date(_))).map(|d| (d.start(), d.end())),
    };
    match (span(a), span(b)) {
        (Some((s1, e1)), Some((s2, e2))) => s1 <= e2 && s2 <= e1,
        _ => false,
    }
}

fn op_holds(op: CompareOp, o: Ordering, a: &Scalar, b: &Scalar) -> bool {
    let equal = o == Ordering::Equal || same_day(a, b);
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        CompareOp::Lt => o == Ordering::Less && !equal,
        CompareOp::Le => o == Ordering::Less || equal,
        CompareOp::Gt => o == Ordering::Greater && !equal,
        CompareOp::Ge => o == Ordering::Greater || equal,
    }
}

/// CQL2 LIKE: `%` any string, `_` one character, `\` escapes the next.
fn like(text: &[char], pattern: &[char]) -> bool {
    // Iterative matcher with backtracking to the last `%`, linear in practice.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some('\\') if pattern.get(p + 1) == Some(&text[t]) => {
                p += 2;
                t += 1;
                continue;
            }
            Some('_') => {
                p += 1;
                t += 1;
                continue;
            }
            Some(c) if *c != '\\' && *c == text[t] => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == '%')
}

fn envelope(g: &geo_types::Geometry<f64>) -> Option<Bbox> {
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

fn temporal(op: TemporalOp, left: &Expr, right: &Expr, record: &Record) -> Result<bool, CswError> {
    let span = |d: &RecordDate| (d.start(), d.end());
    let literal: (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = match right {
        Expr::Interval(i) => (i.start, i.end),
        Expr::Literal(Value::Date(d)) => {
            let (s, e) = span(&RecordDate::Date(*d));
            (Some(s), Some(e))
        }
        Expr::Literal(Value::DateTime(t)) => (Some(*t), Some(*t)),
        Expr::Literal(Value::Text(t)) => match RecordDate::parse(t) {
            Some(d) => {
                let (s, e) = span(&d);
                (Some(s), Some(e))
            }
            None => return Err(CswError::invalid("Constraint", format!("'{t}' is not a date"))),
        },
        _ => return Err(unsupported("a temporal operator whose second operand is not a date or period")),
    };
    let values: Vec<(DateTime<Utc>, DateTime<Utc>)> = scalars(left, record)?
        .into_iter()
        .filter_map(|s| match s {
            Scalar::Date(d) => Some(span(&d)),
            other => RecordDate::parse(&other.text()).map(|d| span(&d)),
        })
        .collect();
    let (ls, le) = literal;
    let after_start = |t: DateTime<Utc>| ls.is_none_or(|s| t >= s);
    let before_end = |t: DateTime<Utc>| le.is_none_or(|e| t <= e);
    let holds = |(s, e): (DateTime<Utc>, DateTime<Utc>)| -> Result<bool, CswError> {
        Ok(match op {
            TemporalOp::After => le.is_some_and(|end| s > end),
            TemporalOp::Before => ls.is_some_and(|start| e < start),
            TemporalOp::During => after_start(s) && before_end(e),
            TemporalOp::Equals => ls == Some(s) && le == Some(e),
            TemporalOp::Intersects => after_start(e) && before_end(s),
            other => return Err(unsupported(&format!("the temporal operator {other:?}"))),
        })
    };
    for v in values {
        if holds(v)? {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
