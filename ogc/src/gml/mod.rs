//! GML encodings of features for WFS: GetFeature collections and DescribeFeatureType schemas.
//!
//! Features are a hot path, so collections are written by hand into a byte buffer (no DOM, no
//! XML writer state machine), with the same fixed-point coordinate formatting as the GeoJSON
//! writer. Every name and value that comes from the data is sanitised or escaped here, so no
//! source content can make a response malformed XML.

mod collection;
mod geometry;
mod schema;

#[cfg(test)]
mod validation_tests;
pub mod gml2;
pub mod value_collection;

use std::borrow::Cow;

pub use collection::CollectionWriter;
pub use schema::{FeatureTypeSchema, describe_feature_type, geometry_property_type};

/// The GML version a WFS version mandates: 3.2 for WFS 2.0, 3.1.1 for WFS 1.1, 2.1.2 for
/// WFS 1.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GmlVersion {
    Gml32,
    Gml311,
    Gml2,
}

impl GmlVersion {
    pub fn namespace(&self) -> &'static str {
        match self {
            GmlVersion::Gml32 => "http://www.opengis.net/gml/3.2",
            GmlVersion::Gml311 | GmlVersion::Gml2 => "http://www.opengis.net/gml",
        }
    }

    /// Canonical location of the official schema; validators map it to a local copy through
    /// an XML catalog, clients fetch it.
    pub fn schema_location(&self) -> &'static str {
        match self {
            GmlVersion::Gml32 => "http://schemas.opengis.net/gml/3.2.1/gml.xsd",
            GmlVersion::Gml311 => "http://schemas.opengis.net/gml/3.1.1/base/gml.xsd",
            GmlVersion::Gml2 => "http://schemas.opengis.net/gml/2.1.2/feature.xsd",
        }
    }

    /// The MIME output format WFS clients ask for, as advertised in capabilities.
    pub fn output_format(&self) -> &'static str {
        match self {
            GmlVersion::Gml32 => "application/gml+xml; version=3.2",
            GmlVersion::Gml311 => "text/xml; subtype=gml/3.1.1",
            GmlVersion::Gml2 => "GML2",
        }
    }
}

/// Makes `name` a valid XML NCName (element names, `gml:id` values) by replacing every other
/// character with `_`. Layer and field names come from databases and may contain spaces or
/// start with a digit; the same mapping is applied in documents and schemas so they agree.
pub fn ncname(name: &str) -> Cow<'_, str> {
    let valid_start = |c: char| c.is_alphabetic() || c == '_';
    let valid_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut chars = name.chars();
    let ok = match chars.next() {
        Some(first) => valid_start(first) && chars.all(valid_char),
        None => false,
    };
    if ok {
        return Cow::Borrowed(name);
    }
    let mut fixed = String::with_capacity(name.len() + 1);
    if !name.chars().next().is_some_and(valid_start) {
        fixed.push('_');
    }
    fixed.extend(name.chars().map(|c| if valid_char(c) { c } else { '_' }));
    Cow::Owned(fixed)
}

/// The `gml:id` of a feature: `{type}.{id}`, sanitised to an NCName so that ordinary ids
/// (integers, UUIDs, codes) round-trip unchanged through `resourceId` filters.
pub fn feature_gml_id(type_name: &str, id: &str) -> String {
    let mut out = Vec::new();
    write_gml_id(&mut out, type_name, id);
    // Only ASCII replacements were made to valid UTF-8 input.
    String::from_utf8(out).unwrap_or_default()
}

pub(crate) fn write_gml_id(out: &mut Vec<u8>, type_name: &str, id: &str) {
    out.extend_from_slice(ncname(type_name).as_bytes());
    out.push(b'.');
    for c in id.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
            c
        } else {
            '_'
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// Appends `s` escaped for both text and attribute values. Characters XML 1.0 forbids
/// (C0 controls, U+FFFE, U+FFFF) become U+FFFD rather than breaking the document; tab and
/// line breaks are written as references so attribute normalisation keeps them.
pub fn write_escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (replacement, len): (&[u8], usize) = match bytes[i] {
            b'&' => (b"&amp;", 1),
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'"' => (b"&quot;", 1),
            b'\t' => (b"&#9;", 1),
            b'\n' => (b"&#10;", 1),
            b'\r' => (b"&#13;", 1),
            0..=0x1f => ("\u{fffd}".as_bytes(), 1),
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                ("\u{fffd}".as_bytes(), 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(replacement);
        i += len;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Fixed-point number formatting, as in the GeoJSON writer (whose formatter is private):
/// integer formatting is several times faster than shortest-representation float printing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NumberFormat {
    decimals: u32,
    scale: f64,
}

impl NumberFormat {
    /// More than 15 decimals exceeds f64 precision and would overflow the i64 fast path.
    pub(crate) fn new(decimals: u32) -> Self {
        let decimals = decimals.min(15);
        NumberFormat {
            decimals,
            scale: 10f64.powi(decimals as i32),
        }
    }

    /// Appends `v` rounded, trailing zeros dropped. Callers pass finite values only: the
    /// non-finite spellings of Rust are not valid `xs:double`.
    pub(crate) fn write(&self, out: &mut Vec<u8>, v: f64) {
        if !crate::number::write_fixed(out, v, self.decimals, self.scale) {
            write_double(out, v);
        }
    }
}

/// Appends `v` in the `xs:double` lexical space (`NaN`, `INF`, `-INF` for non-finite values).
pub(crate) fn write_double(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"INF" } else { b"-INF" });
    } else {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        write_escaped(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(escaped("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
        assert_eq!(escaped("l1\nl2\t\r"), "l1&#10;l2&#9;&#13;");
        assert_eq!(escaped("x\u{0}y\u{1b}"), "x\u{fffd}y\u{fffd}");
        assert_eq!(escaped("\u{fffe}é\u{ffff}ï"), "\u{fffd}é\u{fffd}ï");
        assert_eq!(escaped("plain éà"), "plain éà");
        assert_eq!(escaped(""), "");
    }

    #[test]
    fn sanitises_names() {
        assert_eq!(ncname("routes"), "routes");
        assert_eq!(ncname("2020 data"), "_2020_data");
        assert_eq!(ncname("a:b"), "a_b");
        assert_eq!(ncname(""), "_");
        assert_eq!(ncname("é-t.é_1"), "é-t.é_1");
        assert_eq!(feature_gml_id("roads", "12"), "roads.12");
        assert_eq!(feature_gml_id("1 roads", "a b/c"), "_1_roads.a_b_c");
    }

    #[test]
    fn formats_numbers() {
        let f = NumberFormat::new(3);
        let fmt = |v| {
            let mut out = Vec::new();
            f.write(&mut out, v);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(fmt(652000.00049), "652000");
        assert_eq!(fmt(-0.5), "-0.5");
        assert_eq!(fmt(0.0101), "0.01");
        assert_eq!(fmt(1e300), "1e300");
        let mut out = Vec::new();
        NumberFormat::new(u32::MAX).write(&mut out, 1.5);
        assert_eq!(out, b"1.5");
        for (v, s) in [
            (f64::NAN, "NaN"),
            (f64::INFINITY, "INF"),
            (f64::NEG_INFINITY, "-INF"),
            (0.25, "0.25"),
        ] {
            let mut out = Vec::new();
            write_double(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), s);
        }
    }
}
