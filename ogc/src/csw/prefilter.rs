//! What a catalogue store's indexes can answer of a constraint: a condition every matching
//! record meets (the filter implies it), cheap to test with a trigram index on the records'
//! lower-cased AnyText and with their extents' columns. A store selects the candidates with it
//! and [`super::search`] decides; the result is therefore exactly the in-memory one whatever
//! the store, and the index only spares reading the records that cannot match.
//!
//! Why implied conditions rather than the filter compiled to SQL: a queryable is several values
//! (every keyword, every organisation), `LIKE` is case-insensitive by Rust's Unicode lower-casing
//! (SQLite's `lower()` folds ASCII only), and dates equal every instant of their day. SQL would
//! need one column or table per queryable to say the same, for a catalogue of thousands of rows.

use super::queryables::Queryable;
use crate::bbox::Bbox;
use crate::filter::{CompareOp, Expr, Filter, SpatialOp};
use crate::value::Value;

/// A condition on a record's indexed columns.
#[derive(Clone, Debug, PartialEq)]
pub enum Prefilter {
    /// Every record.
    All,
    /// The record's search text (AnyText lower-cased, [`super::Record::search_text`]) contains
    /// this text (lower case, none of LIKE's special characters, so a store can put it between
    /// `%` without escaping).
    Contains(String),
    /// The record has an extent that meets this box (CRS84), edges included.
    Meets(Bbox),
    /// The record is one of these (FES `ResourceId`, GetRecordById).
    Identifiers(Vec<String>),
    And(Vec<Prefilter>),
    Or(Vec<Prefilter>),
}

/// Fragments shorter than this are left to the final evaluation: a trigram index cannot use
/// them and a scan would test them anyway.
const MIN_FRAGMENT: usize = 3;

impl Prefilter {
    /// The condition `filter` (normalised by [`super::constraint`]) implies; [`Prefilter::All`]
    /// when nothing indexed follows from it.
    pub fn of(filter: &Filter) -> Prefilter {
        match filter {
            Filter::And(parts) => Prefilter::and(parts.iter().map(Prefilter::of).collect()),
            Filter::Or(parts) => Prefilter::or(parts.iter().map(Prefilter::of).collect()),
            Filter::ResourceId(ids) => Prefilter::Identifiers(ids.clone()),
            Filter::Like { expr: Expr::Property(p), pattern, .. } if in_search_text(p) => {
                contains_all(fragments(pattern))
            }
            Filter::Compare { op: CompareOp::Eq, left, right } => match (left, right) {
                (Expr::Property(p), Expr::Literal(Value::Text(t))) | (Expr::Literal(Value::Text(t)), Expr::Property(p))
                    if in_search_text(p) =>
                {
                    contains_all(t.to_lowercase().split(LIKE_SPECIALS).map(str::to_string).collect())
                }
                _ => Prefilter::All,
            },
            Filter::Spatial { op, left, right } if *op != SpatialOp::Disjoint => match (left, right) {
                (Expr::Property(_), Expr::Geometry { geometry, .. }) | (Expr::Geometry { geometry, .. }, Expr::Property(_)) => {
                    super::search::envelope(geometry).map_or(Prefilter::All, Prefilter::Meets)
                }
                _ => Prefilter::All,
            },
            _ => Prefilter::All,
        }
    }

    fn and(parts: Vec<Prefilter>) -> Prefilter {
        let mut parts: Vec<Prefilter> = parts.into_iter().filter(|p| *p != Prefilter::All).collect();
        match parts.len() {
            0 => Prefilter::All,
            1 => parts.pop().expect("one part"),
            _ => Prefilter::And(parts),
        }
    }

    fn or(mut parts: Vec<Prefilter>) -> Prefilter {
        if parts.is_empty() || parts.contains(&Prefilter::All) {
            return Prefilter::All;
        }
        if parts.len() == 1 { parts.pop().expect("one part") } else { Prefilter::Or(parts) }
    }
}

/// The characters LIKE gives a meaning (the pattern's wildcards and escape); a contained text
/// is cut at them.
const LIKE_SPECIALS: [char; 3] = ['%', '_', '\\'];

/// `Contains` of each text long enough for a trigram index.
fn contains_all(texts: Vec<String>) -> Prefilter {
    Prefilter::and(texts.into_iter().filter(|t| t.chars().count() >= MIN_FRAGMENT).map(Prefilter::Contains).collect())
}

/// Whether a queryable's values are all among the texts AnyText joins
/// ([`super::queryables::any_text`]), so that a value containing a text implies AnyText does.
fn in_search_text(property: &str) -> bool {
    use Queryable::*;
    matches!(
        Queryable::parse(property),
        Some(AnyText | Title | Abstract | Subject | TopicCategory | Type | Format | Identifier | Crs | OrganisationName | Creator | Publisher | Contributor | Lineage)
    )
}

/// The literal runs of a CQL2 LIKE pattern (`%` any string, `_` one character, `\` escapes),
/// lower-cased whole as the evaluation lowers it: each must be in a matching value. An escaped
/// special character ends a run too (see [`LIKE_SPECIALS`]).
fn fragments(pattern: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let lower = pattern.to_lowercase();
    let mut chars = lower.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' | '_' => out.push(String::new()),
            '\\' => match chars.next() {
                Some(c) if !LIKE_SPECIALS.contains(&c) => out.last_mut().expect("never empty").push(c),
                _ => out.push(String::new()),
            },
            c => out.last_mut().expect("never empty").push(c),
        }
    }
    out.into_iter().filter(|f| !f.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csw::constraint::{ConstraintLanguage, parse};
    use crate::csw::search::matches;
    use crate::csw::test_support::layer_record;

    fn of(cql: &str) -> Prefilter {
        Prefilter::of(&parse(cql, ConstraintLanguage::CqlText).unwrap())
    }

    #[test]
    fn implied_conditions() {
        assert_eq!(of("AnyText LIKE '%Carte WMS%'"), Prefilter::Contains("carte wms".into()));
        assert_eq!(of("dc:title LIKE 'comm_nes%lim\\%ites'"), Prefilter::And(vec![Prefilter::Contains("comm".into()), Prefilter::Contains("nes".into()), Prefilter::Contains("lim".into()), Prefilter::Contains("ites".into())]));
        assert_eq!(of("dc:title LIKE '%ab%'"), Prefilter::All, "too short for trigrams");
        assert_eq!(of("dc:title = 'Communes' OR dct:modified > '2020-01-01'"), Prefilter::All);
        assert_eq!(of("dc:title = 'Communes' OR dc:subject = 'EPCI'"), Prefilter::Or(vec![Prefilter::Contains("communes".into()), Prefilter::Contains("epci".into())]));
        assert_eq!(of("NOT AnyText LIKE '%communes%'"), Prefilter::All);
        assert_eq!(of("dct:references LIKE '%/wfs%'"), Prefilter::All, "URLs are not in AnyText");
        assert_eq!(of("BBOX(ows:BoundingBox, -1, 42, 5, 46) AND AnyText LIKE '%commune%'"), Prefilter::And(vec![Prefilter::Meets(Bbox { min_x: -1.0, min_y: 42.0, max_x: 5.0, max_y: 46.0 }), Prefilter::Contains("commune".into())]));
        assert_eq!(of("dc:identifier = 12"), Prefilter::All, "a number compares as a number");
        assert_eq!(of("dc:title = 'Plan_Local%'"), Prefilter::And(vec![Prefilter::Contains("plan".into()), Prefilter::Contains("local".into())]));
    }

    /// The prefilter never drops a record the filter selects (what a store relies on).
    #[test]
    fn implied_by_every_match() {
        fn holds(p: &Prefilter, r: &crate::csw::Record) -> bool {
            match p {
                Prefilter::All => true,
                Prefilter::Contains(t) => r.search_text().contains(t.as_str()),
                Prefilter::Identifiers(ids) => ids.contains(&r.file_identifier),
                Prefilter::Meets(b) => r.bbox.is_some_and(|e| e.min_x <= b.max_x && b.min_x <= e.max_x && e.min_y <= b.max_y && b.min_y <= e.max_y),
                Prefilter::And(v) => v.iter().all(|p| holds(p, r)),
                Prefilter::Or(v) => v.iter().any(|p| holds(p, r)),
            }
        }
        let r = layer_record();
        for cql in [
            "AnyText LIKE '%UNITÉS admin%'",
            "dc:title LIKE 'Communes%'",
            "dc:subject = 'boundaries'",
            "apiso:OrganisationName = 'Région Occitanie'",
            "BBOX(ows:BoundingBox, 4.85, 45.05, 6, 46)",
            "S_WITHIN(ows:BoundingBox, BBOX(-1, 42, 5, 46)) AND (dc:title LIKE '%nope%' OR dc:format = 'GeoPackage')",
        ] {
            let filter = parse(cql, ConstraintLanguage::CqlText).unwrap();
            assert!(matches(&filter, &r).unwrap(), "{cql} selects the record");
            assert!(holds(&Prefilter::of(&filter), &r), "{cql}: {:?}", Prefilter::of(&filter));
        }
    }
}
