//! Vendor parameters GeoServer introduced and clients now send to every WMS: the resolution of
//! HiDPI maps and CQL filters. Kept apart from the standard parameters so it is clear what an
//! OGC client may rely on and what is a convention.

use crate::filter::{Filter, cql2_text};

/// Highest resolution accepted. Symbols, labels and line widths are scaled by `dpi / 90.7`
/// (the 0.28 mm standard pixel); past 1200 DPI a map is a few unreadable giant labels, and the
/// request is far more likely a mistake or an attempt to exhaust the renderer.
pub const MAX_DPI: f64 = 1200.0;

/// `FORMAT_OPTIONS=key:value;key:value` (GeoServer): keys in lower case, values as written;
/// a key without value (`antialias`) gets an empty one.
pub fn format_options(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| match o.split_once(':') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
            None => (o.to_ascii_lowercase(), String::new()),
        })
        .collect()
}

/// A resolution value: a positive number up to [`MAX_DPI`].
pub fn dpi(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= MAX_DPI => Ok(v),
        _ => Err(format!("'{text}' is not a resolution between 1 and {MAX_DPI} DPI")),
    }
}

/// Splits `CQL_FILTER` into one filter text per layer at the `;` outside quotes (a `;` inside
/// a string literal or a quoted property name belongs to the filter). CQL2 escapes a quote by
/// doubling it, which toggling on each quote handles.
pub fn split_filters(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut single, mut double, mut start) = (false, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            ';' if !single && !double => {
                out.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(text[start..].trim());
    out
}

/// Parses `CQL_FILTER` for `layers` layers: one CQL2-text filter per layer, `INCLUDE` or an
/// empty item meaning none (GeoServer's placeholder to filter only some layers). Geometry
/// literals are in CRS84, the CQL2 default. The error says which item is wrong.
pub fn cql_filters(text: &str, layers: usize) -> Result<Vec<Option<Filter>>, String> {
    let items = split_filters(text);
    if items.len() != layers {
        return Err(format!(
            "CQL_FILTER has {} filter(s) for {layers} layer(s): give one per layer, separated by ';' (INCLUDE for none)",
            items.len()
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            if item.is_empty() || item.eq_ignore_ascii_case("INCLUDE") {
                return Ok(None);
            }
            cql2_text::parse(item, None).map(Some).map_err(|e| format!("CQL_FILTER filter {} ('{item}'): {e}", n + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_options_pairs() {
        assert_eq!(
            format_options("dpi:180;ANTIALIAS:text; layout "),
            [("dpi".into(), "180".into()), ("antialias".into(), "text".into()), ("layout".into(), String::new())]
        );
        assert!(format_options("").is_empty());
    }

    #[test]
    fn dpi_range() {
        assert_eq!(dpi("180"), Ok(180.0));
        assert_eq!(dpi(" 90.7 "), Ok(90.7));
        for bad in ["0", "-96", "NaN", "inf", "1201", "abc", ""] {
            assert!(dpi(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn splits_outside_quotes() {
        assert_eq!(split_filters("a = 1;b = 'x;y'; \"c;d\" > 2"), ["a = 1", "b = 'x;y'", "\"c;d\" > 2"]);
        assert_eq!(split_filters("name = 'l''a;b'"), ["name = 'l''a;b'"]);
        assert_eq!(split_filters("INCLUDE;"), ["INCLUDE", ""]);
    }

    #[test]
    fn one_filter_per_layer() {
        let f = cql_filters("population > 1000;INCLUDE", 2).unwrap();
        assert!(f[0].is_some() && f[1].is_none());
        assert!(cql_filters("a = 1", 2).unwrap_err().contains("1 filter(s) for 2 layer(s)"));
        let e = cql_filters("a = 1;b ==", 2).unwrap_err();
        assert!(e.starts_with("CQL_FILTER filter 2 ('b =='):"), "{e}");
    }
}
