//! Query parameters of `/collections/{id}/items`, parsed and checked, with errors that name the
//! parameter so a client knows what to fix.

use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::datetime::Interval;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid value for parameter '{param}': {message}")]
pub struct ParamError {
    pub param: String,
    pub message: String,
}

impl ParamError {
    pub fn new(param: &str, message: impl ToString) -> ParamError {
        ParamError { param: param.to_string(), message: message.to_string() }
    }
}

/// The parameters of an items request. Property filters (`name=value` on queryable fields) are
/// kept as given: only the layer schema can tell a queryable from an unknown parameter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemsParams {
    pub limit: Option<u64>,
    pub offset: u64,
    pub bbox: Option<Bbox>,
    pub bbox_crs: Option<Crs>,
    pub crs: Option<Crs>,
    pub datetime: Option<Interval>,
    pub properties: Vec<(String, String)>,
    pub format: Option<String>,
    /// Part 3: the filter text and its language and CRS.
    pub filter: Option<String>,
    pub filter_lang: FilterLang,
    pub filter_crs: Option<Crs>,
    /// `sortby`: property names, `true` for ascending.
    pub sortby: Vec<(String, bool)>,
}

/// The languages of the `filter` parameter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FilterLang {
    #[default]
    Cql2Text,
    Cql2Json,
}

impl FilterLang {
    pub fn parse(v: &str) -> Result<FilterLang, String> {
        match v {
            "cql2-text" => Ok(FilterLang::Cql2Text),
            "cql2-json" => Ok(FilterLang::Cql2Json),
            _ => Err(format!("'{v}' is not a supported filter language (cql2-text, cql2-json)")),
        }
    }
}

impl ItemsParams {
    pub fn parse<I, K, V>(pairs: I) -> Result<ItemsParams, ParamError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut p = ItemsParams::default();
        let mut seen: Vec<String> = Vec::new();
        for (k, v) in pairs {
            let (k, v) = (k.as_ref(), v.as_ref());
            if seen.iter().any(|s| s == k) {
                return Err(ParamError::new(k, "given more than once"));
            }
            seen.push(k.to_string());
            match k {
                "limit" => {
                    p.limit = Some(match v.parse::<u64>() {
                        Ok(n) if n >= 1 => n,
                        _ => return Err(ParamError::new(k, format!("'{v}' is not an integer of at least 1"))),
                    })
                }
                "offset" => {
                    p.offset = v.parse().map_err(|_| ParamError::new(k, format!("'{v}' is not a non-negative integer")))?
                }
                "bbox" => p.bbox = Some(Bbox::parse(v).map_err(|e| ParamError::new(k, e))?),
                "bbox-crs" => p.bbox_crs = Some(Crs::parse(v).map_err(|e| ParamError::new(k, e))?),
                "crs" => p.crs = Some(Crs::parse(v).map_err(|e| ParamError::new(k, e))?),
                "datetime" => p.datetime = Some(Interval::parse(v).map_err(|e| ParamError::new(k, e))?),
                "f" => p.format = Some(v.to_string()),
                "filter" => p.filter = Some(v.to_string()),
                "filter-lang" => p.filter_lang = FilterLang::parse(v).map_err(|m| ParamError::new(k, m))?,
                "filter-crs" => p.filter_crs = Some(Crs::parse(v).map_err(|e| ParamError::new(k, e))?),
                "sortby" => p.sortby = parse_sortby(v).map_err(|m| ParamError::new(k, m))?,
                _ => p.properties.push((k.to_string(), v.to_string())),
            }
        }
        if p.bbox_crs.is_some() && p.bbox.is_none() {
            return Err(ParamError::new("bbox-crs", "given without bbox"));
        }
        Ok(p)
    }
}

/// `sortby=name,-other,+third`: ascending unless prefixed with `-`.
pub(crate) fn parse_sortby(v: &str) -> Result<Vec<(String, bool)>, String> {
    v.split(',')
        .map(|item| {
            let item = item.trim();
            let (name, ascending) = match item.strip_prefix('-') {
                Some(n) => (n, false),
                None => (item.strip_prefix('+').unwrap_or(item), true),
            };
            if name.is_empty() { Err(format!("'{v}' has an empty sort key")) } else { Ok((name.to_string(), ascending)) }
        })
        .collect()
}

/// The parameters of a single-item request: only `crs` and `f` apply.
pub fn parse_item<I, K, V>(pairs: I) -> Result<(Option<Crs>, Option<String>), ParamError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let p = ItemsParams::parse(pairs)?;
    let unexpected = [
        (p.limit.is_some(), "limit"),
        (p.offset != 0, "offset"),
        (p.bbox.is_some(), "bbox"),
        (p.datetime.is_some(), "datetime"),
        (p.filter.is_some(), "filter"),
        (!p.sortby.is_empty(), "sortby"),
    ];
    if let Some((_, name)) = unexpected.iter().find(|(given, _)| *given) {
        return Err(ParamError::new(name, "does not apply to a single feature"));
    }
    if let Some((name, _)) = p.properties.first() {
        return Err(ParamError::new(name, "unknown parameter"));
    }
    Ok((p.crs, p.format))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &[(&str, &str)]) -> Result<ItemsParams, ParamError> {
        ItemsParams::parse(q.iter().copied())
    }

    #[test]
    fn parses_all() {
        let p = parse(&[
            ("limit", "5"),
            ("offset", "10"),
            ("bbox", "2,49,3,50"),
            ("bbox-crs", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            ("crs", "http://www.opengis.net/def/crs/EPSG/0/2154"),
            ("datetime", "2021-01-01/.."),
            ("nom", "Lille"),
        ])
        .unwrap();
        assert_eq!(p.limit, Some(5));
        assert_eq!(p.offset, 10);
        assert_eq!(p.crs, Some(Crs::Epsg(2154)));
        assert_eq!(p.properties, vec![("nom".to_string(), "Lille".to_string())]);
    }

    #[test]
    fn errors_name_the_parameter() {
        for (k, v) in [("limit", "0"), ("limit", "abc"), ("limit", "-1"), ("bbox", "1,2,3"), ("crs", "EPSG:x"), ("datetime", "x"), ("offset", "-2")] {
            assert_eq!(parse(&[(k, v)]).unwrap_err().param, k);
        }
        assert_eq!(parse(&[("limit", "1"), ("limit", "2")]).unwrap_err().param, "limit");
        assert_eq!(parse(&[("bbox-crs", "EPSG:2154")]).unwrap_err().param, "bbox-crs");
        assert_eq!(parse(&[("filter-lang", "sql")]).unwrap_err().param, "filter-lang");
        assert_eq!(parse(&[("sortby", "a,,b")]).unwrap_err().param, "sortby");
    }

    #[test]
    fn parses_part3() {
        let p = parse(&[("filter", "nom = 'Lille'"), ("filter-lang", "cql2-json"), ("filter-crs", "EPSG:2154"), ("sortby", "-surf,+nom,dep")]).unwrap();
        assert_eq!(p.filter_lang, FilterLang::Cql2Json);
        assert_eq!(p.filter_crs, Some(Crs::Epsg(2154)));
        assert_eq!(p.sortby, vec![("surf".to_string(), false), ("nom".to_string(), true), ("dep".to_string(), true)]);
    }

    #[test]
    fn item_rejects_collection_params() {
        assert_eq!(parse_item([("crs", "EPSG:2154")]).unwrap().0, Some(Crs::Epsg(2154)));
        assert_eq!(parse_item([("limit", "3")]).unwrap_err().param, "limit");
        assert_eq!(parse_item([("foo", "3")]).unwrap_err().param, "foo");
    }
}
