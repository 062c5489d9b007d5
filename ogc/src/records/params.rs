//! Query parameters of the catalogue's `/items`, and the filter they select with.
//!
//! Every parameter becomes a part of one [`Filter`] over the CSW queryables' canonical names, so
//! a records query and a CSW constraint saying the same thing select the same records:
//!
//! - `q`: comma-separated terms, any of which may match (Records Part 1); the words of one term
//!   must all appear. A word matches as a case-insensitive substring of `AnyText`, as a CSW
//!   `AnyText LIKE '%word%'` does.
//! - `bbox`: CRS84 box intersecting the record's extent.
//! - `datetime`: meets one of the resource's citation dates (creation, publication, revision),
//!   which the record's `time` shows; a record without such dates is not selected.
//! - `ids`: records by identifier; `type`: by hierarchy level (`dataset`, `service`, ...).
//! - `filter`: CQL2 text or JSON over the queryables ([`crate::csw::constraint::normalise`]).
//!
//! `sortby` orders by the [`SORTABLES`] as a CSW `SortBy` on the same queryables does
//! ([`crate::csw::search::sort`]), so `sortby=-updated,title` and `SortBy=dct:modified:D,dc:title:A`
//! give one order.

use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::csw::constraint;
use crate::csw::queryables::Queryable;
use crate::csw::request::SortKey;
use crate::datetime::Interval;
use crate::features::params::{FilterLang, ParamError, parse_sortby};
use crate::filter::{CompareOp, Expr, Filter, SpatialOp, TemporalOp, cql2_json, cql2_text};
use crate::value::Value;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordsParams {
    pub limit: Option<u64>,
    pub offset: u64,
    pub bbox: Option<Bbox>,
    pub datetime: Option<Interval>,
    /// `q`: the terms, each a list of words.
    pub q: Vec<Vec<String>>,
    pub ids: Vec<String>,
    pub record_type: Option<String>,
    pub filter: Option<String>,
    pub filter_lang: FilterLang,
    pub filter_crs: Option<Crs>,
    pub sortby: Vec<SortKey>,
    pub format: Option<String>,
}

/// What `sortby` may name: the record GeoJSON's members (`id`, `title`, `updated`, `type`),
/// each a CSW queryable. The CSW names of these queryables are accepted too.
pub const SORTABLES: [(&str, Queryable); 4] = [("id", Queryable::Identifier), ("title", Queryable::Title), ("updated", Queryable::Modified), ("type", Queryable::Type)];

fn sortable(name: &str) -> Option<Queryable> {
    SORTABLES.iter().find(|(n, _)| *n == name).map(|(_, q)| *q).or_else(|| Queryable::parse(name).filter(|q| SORTABLES.iter().any(|(_, s)| s == q)))
}

impl RecordsParams {
    /// Parses the pairs of a query string; an unknown or repeated parameter is an error, as
    /// OGC API requires.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<RecordsParams, ParamError> {
        let mut p = RecordsParams::default();
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in pairs {
            if seen.contains(&k) {
                return Err(ParamError::new(k, "given more than once"));
            }
            seen.push(k);
            match k {
                "limit" => {
                    p.limit = Some(match v.parse::<u64>() {
                        Ok(n) if n >= 1 => n,
                        _ => return Err(ParamError::new(k, format!("'{v}' is not an integer of at least 1"))),
                    })
                }
                "offset" => p.offset = v.parse().map_err(|_| ParamError::new(k, format!("'{v}' is not a non-negative integer")))?,
                "bbox" => p.bbox = Some(Bbox::parse(v).map_err(|e| ParamError::new(k, e))?),
                "datetime" => p.datetime = Some(Interval::parse(v).map_err(|e| ParamError::new(k, e))?),
                "q" => {
                    p.q = v
                        .split(',')
                        .map(|term| term.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                        .filter(|words| !words.is_empty())
                        .collect();
                    if p.q.is_empty() {
                        return Err(ParamError::new(k, "give at least one search term"));
                    }
                }
                "ids" => p.ids = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
                "type" => p.record_type = Some(v.trim().to_string()),
                "filter" => p.filter = Some(v.to_string()),
                "filter-lang" => p.filter_lang = FilterLang::parse(v).map_err(|m| ParamError::new(k, m))?,
                "filter-crs" => p.filter_crs = Some(Crs::parse(v).map_err(|e| ParamError::new(k, e))?),
                "sortby" => {
                    p.sortby = parse_sortby(v)
                        .and_then(|keys| {
                            keys.into_iter()
                                .map(|(name, ascending)| {
                                    let queryable = sortable(&name).ok_or_else(|| format!("'{name}' is not sortable (see the collection's sortables)"))?;
                                    Ok(SortKey { queryable, ascending })
                                })
                                .collect()
                        })
                        .map_err(|m| ParamError::new(k, m))?
                }
                "f" => p.format = Some(v.to_string()),
                _ => return Err(ParamError::new(k, "unknown parameter")),
            }
        }
        Ok(p)
    }

    /// The filter of all the selecting parameters (None: every record), with properties named
    /// as [`crate::csw::search::matches`] expects them.
    pub fn filter(&self) -> Result<Option<Filter>, ParamError> {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            let any_text = Queryable::AnyText.name();
            let term = |words: &Vec<String>| {
                let likes = words.iter().map(|w| Filter::Like { expr: Expr::Property(any_text.to_string()), pattern: format!("%{}%", escape_like(w)), case_insensitive: true });
                Filter::all(likes.collect()).unwrap_or(Filter::Bool(true))
            };
            parts.push(match self.q.as_slice() {
                [one] => term(one),
                many => Filter::Or(many.iter().map(term).collect()),
            });
        }
        if let Some(b) = &self.bbox {
            let rect = geo_types::Rect::new(geo_types::coord! { x: b.min_x, y: b.min_y }, geo_types::coord! { x: b.max_x, y: b.max_y });
            parts.push(Filter::Spatial {
                op: SpatialOp::Intersects,
                left: Expr::Property(Queryable::BoundingBox.name().to_string()),
                right: Expr::Geometry { geometry: rect.into(), crs: Some(Crs::Crs84), authority_axes: true },
            });
        }
        if let Some(interval) = self.datetime {
            let meets = |q: Queryable| Filter::Temporal { op: TemporalOp::Intersects, left: Expr::Property(q.name().to_string()), right: Expr::Interval(interval) };
            parts.push(Filter::Or(TIME_QUERYABLES.iter().map(|q| meets(*q)).collect()));
        }
        if !self.ids.is_empty() {
            parts.push(Filter::ResourceId(self.ids.clone()));
        }
        if let Some(t) = &self.record_type {
            parts.push(Filter::Compare { op: CompareOp::Eq, left: Expr::Property(Queryable::Type.name().to_string()), right: Expr::Literal(Value::Text(t.clone())) });
        }
        if let Some(text) = &self.filter {
            let parsed = match self.filter_lang {
                FilterLang::Cql2Text => cql2_text::parse(text, self.filter_crs),
                FilterLang::Cql2Json => cql2_json::parse(text, self.filter_crs),
            }
            .map_err(|e| ParamError::new("filter", e))?;
            parts.push(constraint::normalise(parsed).map_err(|e| ParamError::new("filter", e.message))?);
        }
        Ok(Filter::all(parts))
    }
}

/// The dates a record's `time` spans and `datetime` selects on.
pub const TIME_QUERYABLES: [Queryable; 3] = [Queryable::CreationDate, Queryable::PublicationDate, Queryable::RevisionDate];

/// A word as a literal part of a CQL2 LIKE pattern.
fn escape_like(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csw::record::{DateType, RecordDate};
    use crate::csw::search::matches;
    use crate::csw::test_support::layer_record;

    fn select(query: &[(&str, &str)]) -> Result<bool, ParamError> {
        let p = RecordsParams::parse(query.iter().copied())?;
        let r = layer_record();
        Ok(match p.filter()? {
            Some(f) => matches(&f, &r).map_err(|e| ParamError::new("filter", e.message))?,
            None => true,
        })
    }

    #[test]
    fn each_parameter_selects() {
        let r = layer_record();
        assert!(select(&[]).unwrap());
        // q: any term, all words of a term, case-insensitive, `%` taken literally.
        assert!(select(&[("q", "COMMUNES")]).unwrap());
        assert!(select(&[("q", "nothing-here,communes")]).unwrap());
        assert!(!select(&[("q", "communes nothing-here")]).unwrap());
        assert!(!select(&[("q", "%")]).unwrap());
        // bbox in CRS84 against the record's extent (-0.33 42.33 4.85 45.05).
        assert!(select(&[("bbox", "4,45,6,46")]).unwrap());
        assert!(!select(&[("bbox", "6,45,7,46")]).unwrap());
        // datetime against the citation dates (revision 2024-04-30).
        assert_eq!(r.date(DateType::Revision), RecordDate::parse("2024-04-30"));
        assert!(select(&[("datetime", "2024-04-30")]).unwrap());
        assert!(select(&[("datetime", "2024-01-01/..")]).unwrap());
        assert!(!select(&[("datetime", "../2000-01-01")]).unwrap());
        assert!(select(&[("ids", &format!("x,{}", r.file_identifier))]).unwrap());
        assert!(!select(&[("ids", "x,y")]).unwrap());
        assert!(select(&[("type", "dataset")]).unwrap());
        assert!(!select(&[("type", "service")]).unwrap());
        assert!(select(&[("filter", "title LIKE 'Communes%' AND S_INTERSECTS(geometry, BBOX(4,45,6,46))")]).unwrap());
        assert!(select(&[("filter", r#"{"op":"like","args":[{"property":"keywords"},"bound%"]}"#), ("filter-lang", "cql2-json")]).unwrap());
    }

    #[test]
    fn errors_name_the_parameter() {
        for (k, v) in [("limit", "0"), ("bbox", "1,2"), ("datetime", "soon"), ("q", " , "), ("filter", "title ="), ("filter", "nonsense = 1"), ("filter-lang", "sql"), ("sortby", "nonsense"), ("sortby", "abstract"), ("sortby", "-")] {
            let e = RecordsParams::parse([(k, v)]).and_then(|p| p.filter()).unwrap_err();
            assert_eq!(e.param, k, "{k}={v}: {e}");
        }
        // An operator the catalogue cannot evaluate is refused when evaluated, naming the filter.
        assert_eq!(select(&[("filter", "S_TOUCHES(geometry, POINT(1 2))")]).unwrap_err().param, "filter");
        assert_eq!(RecordsParams::parse([("q", "a"), ("q", "b")]).unwrap_err().param, "q");
    }

    #[test]
    fn sort_keys() {
        let p = RecordsParams::parse([("sortby", "-updated, title,+dc:type")]).unwrap();
        let keys: Vec<(Queryable, bool)> = p.sortby.iter().map(|k| (k.queryable, k.ascending)).collect();
        assert_eq!(keys, [(Queryable::Modified, false), (Queryable::Title, true), (Queryable::Type, true)]);
    }
}
