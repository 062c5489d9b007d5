//! Streaming `wfs:FeatureCollection` writer for GetFeature (WFS 2.0 with GML 3.2, WFS 1.1 with
//! GML 3.1.1).
//!
//! WFS 2.0 puts `numberReturned` on the root element, so a page must be counted before its
//! header is written: the caller buffers one page of rows (bounded by the page size), then
//! writes header, features and trailer into a byte buffer it flushes as it likes.

use std::io::Write as _;

use geo_traits::GeometryTrait;

use super::geometry::GeometryWriter;
use super::{GmlVersion, NumberFormat, ncname, write_double, write_escaped, write_gml_id};
use crate::value::Value;

const WFS20_NS: &str = "http://www.opengis.net/wfs/2.0";
const WFS20_XSD: &str = "http://schemas.opengis.net/wfs/2.0/wfs.xsd";
const WFS11_NS: &str = "http://www.opengis.net/wfs";
const WFS11_XSD: &str = "http://schemas.opengis.net/wfs/1.1.0/wfs.xsd";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Writes one GetFeature response. Everything constant across features (tags, prefix, the
/// escaped `srsName` attribute) is prepared once in [`CollectionWriter::new`].
pub struct CollectionWriter {
    gml: GmlVersion,
    prefix: String,
    ns_uri: String,
    schema_location: String,
    /// ` srsName="..."`, escaped, or empty when the caller gave no CRS.
    srs_attr: Vec<u8>,
    numbers: NumberFormat,
    /// Scratch buffer for the feature's gml:id, reused across features.
    id: Vec<u8>,
}

impl CollectionWriter {
    /// `wfs_version` "2.0.0" (or any 2.x) writes WFS 2.0 + GML 3.2; "1.1.0" (any 1.x, since
    /// GML 2 for WFS 1.0 is not offered) writes WFS 1.1 + GML 3.1.1. `srs_name` is written as
    /// given, so the caller picks the form each version expects (URN/URI or `EPSG:n`).
    pub fn new(
        wfs_version: &str,
        ns_prefix: &str,
        ns_uri: &str,
        schema_location_describe_url: &str,
        srs_name: &str,
        decimals: u32,
    ) -> Self {
        let gml = if wfs_version.starts_with("1.") {
            GmlVersion::Gml311
        } else {
            GmlVersion::Gml32
        };
        let mut srs_attr = Vec::new();
        if !srs_name.is_empty() {
            srs_attr.extend_from_slice(b" srsName=\"");
            write_escaped(&mut srs_attr, srs_name);
            srs_attr.push(b'"');
        }
        CollectionWriter {
            gml,
            prefix: ncname(ns_prefix).into_owned(),
            ns_uri: ns_uri.to_string(),
            schema_location: schema_location_describe_url.to_string(),
            srs_attr,
            numbers: NumberFormat::new(decimals),
            id: Vec::new(),
        }
    }

    pub fn gml_version(&self) -> GmlVersion {
        self.gml
    }

    /// `number_matched` None is written "unknown" in WFS 2.0 (a count the server skipped for
    /// cost); WFS 1.1 has only `numberOfFeatures`, the count of this response.
    pub fn header(
        &self,
        out: &mut Vec<u8>,
        number_matched: Option<u64>,
        number_returned: u64,
        timestamp: &str,
    ) {
        self.header_paged(out, number_matched, number_returned, timestamp, None, None);
    }

    /// [`header`](Self::header) with the WFS 2.0 `next` / `previous` paging links (ignored in
    /// WFS 1.1, which has no paging).
    pub fn header_paged(
        &self,
        out: &mut Vec<u8>,
        number_matched: Option<u64>,
        number_returned: u64,
        timestamp: &str,
        next: Option<&str>,
        previous: Option<&str>,
    ) {
        let (wfs_ns, wfs_xsd) = match self.gml {
            GmlVersion::Gml32 => (WFS20_NS, WFS20_XSD),
            GmlVersion::Gml311 | GmlVersion::Gml2 => (WFS11_NS, WFS11_XSD),
        };
        out.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<wfs:FeatureCollection",
        );
        attr(out, "xmlns:wfs", wfs_ns);
        attr(out, "xmlns:gml", self.gml.namespace());
        attr(out, "xmlns:xsi", XSI_NS);
        self.prefixed_attr(out);
        match self.gml {
            GmlVersion::Gml32 => {
                match number_matched {
                    Some(n) => attr(out, "numberMatched", itoa::Buffer::new().format(n)),
                    None => attr(out, "numberMatched", "unknown"),
                }
                attr(
                    out,
                    "numberReturned",
                    itoa::Buffer::new().format(number_returned),
                );
                for (name, link) in [("next", next), ("previous", previous)] {
                    if let Some(link) = link {
                        attr(out, name, link);
                    }
                }
            }
            GmlVersion::Gml311 | GmlVersion::Gml2 => attr(
                out,
                "numberOfFeatures",
                itoa::Buffer::new().format(number_returned),
            ),
        }
        attr(out, "timeStamp", timestamp);
        out.extend_from_slice(b" xsi:schemaLocation=\"");
        write_escaped(out, wfs_ns);
        out.push(b' ');
        write_escaped(out, wfs_xsd);
        if !self.schema_location.is_empty() && !self.ns_uri.is_empty() {
            out.push(b' ');
            write_escaped(out, &self.ns_uri);
            out.push(b' ');
            write_escaped(out, &self.schema_location);
        }
        out.extend_from_slice(b"\">\n");
    }

    fn prefixed_attr(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b" xmlns:");
        out.extend_from_slice(self.prefix.as_bytes());
        out.extend_from_slice(b"=\"");
        write_escaped(out, &self.ns_uri);
        out.push(b'"');
    }

    /// Appends one member. Null fields are omitted (the schema declares them `minOccurs="0"`),
    /// as is a field named like the geometry property, which the schema does not declare twice.
    /// A geometry that cannot be written (unmappable or non-finite coordinate, empty point) is
    /// omitted so one bad row does not break the collection.
    #[allow(clippy::too_many_arguments)]
    pub fn feature(
        &mut self,
        out: &mut Vec<u8>,
        type_name: &str,
        id: &str,
        fields: &[(&str, &Value)],
        geometry_name: &str,
        geometry: Option<&impl GeometryTrait<T = f64>>,
        map: &mut dyn FnMut(f64, f64) -> Option<(f64, f64)>,
    ) {
        let type_name = ncname(type_name);
        let geometry_name = ncname(geometry_name);
        out.extend_from_slice(self.member_open());
        self.open_tag(out, &type_name);
        self.id.clear();
        write_gml_id(&mut self.id, &type_name, id);
        out.extend_from_slice(b" gml:id=\"");
        out.extend_from_slice(&self.id);
        out.extend_from_slice(b"\">");
        for (name, value) in fields {
            let name = ncname(name);
            if **value == Value::Null || name == geometry_name {
                continue;
            }
            self.open_tag(out, &name);
            out.push(b'>');
            write_value(out, value);
            self.close_tag(out, &name);
        }
        if let Some(g) = geometry {
            self.geometry_property(out, &geometry_name, g, map);
        }
        self.close_tag(out, &type_name);
        out.extend_from_slice(self.member_close());
        out.push(b'\n');
    }

    fn geometry_property(
        &mut self,
        out: &mut Vec<u8>,
        name: &str,
        g: &impl GeometryTrait<T = f64>,
        map: &mut dyn FnMut(f64, f64) -> Option<(f64, f64)>,
    ) {
        let mark = out.len();
        self.open_tag(out, name);
        out.push(b'>');
        self.id.extend_from_slice(b".g");
        let mut writer = GeometryWriter {
            version: self.gml,
            map,
            numbers: self.numbers,
            id_base: &self.id,
            next_id: 0,
        };
        if writer.write(out, g, &self.srs_attr).is_err() {
            out.truncate(mark);
            return;
        }
        self.close_tag(out, name);
    }

    fn member_open(&self) -> &'static [u8] {
        match self.gml {
            GmlVersion::Gml32 => b"<wfs:member>",
            GmlVersion::Gml311 | GmlVersion::Gml2 => b"<gml:featureMember>",
        }
    }

    fn member_close(&self) -> &'static [u8] {
        match self.gml {
            GmlVersion::Gml32 => b"</wfs:member>",
            GmlVersion::Gml311 | GmlVersion::Gml2 => b"</gml:featureMember>",
        }
    }

    /// Writes `<prefix:name` (unclosed, so attributes can follow).
    fn open_tag(&self, out: &mut Vec<u8>, name: &str) {
        out.push(b'<');
        out.extend_from_slice(self.prefix.as_bytes());
        out.push(b':');
        out.extend_from_slice(name.as_bytes());
    }

    fn close_tag(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"</");
        out.extend_from_slice(self.prefix.as_bytes());
        out.push(b':');
        out.extend_from_slice(name.as_bytes());
        out.push(b'>');
    }

    pub fn trailer(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"</wfs:FeatureCollection>\n");
    }
}

pub(super) fn attr(out: &mut Vec<u8>, name: &str, value: &str) {
    out.push(b' ');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    write_escaped(out, value);
    out.push(b'"');
}

/// Appends a value in the lexical space of the XML Schema type its field type maps to.
pub(super) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::Float(f) => write_double(out, *f),
        Value::Text(s) => write_escaped(out, s),
        // Writing to a Vec cannot fail.
        Value::Date(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        Value::DateTime(_) => out.extend_from_slice(value.to_text().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use geo_types::{Geometry, Point};

    fn identity(x: f64, y: f64) -> Option<(f64, f64)> {
        Some((x, y))
    }

    fn one_feature(version: &str, geometry: Option<&Geometry>) -> String {
        let mut w = CollectionWriter::new(
            version,
            "ossature",
            "https://example.org/ossature",
            "https://example.org/dft",
            "EPSG:4326",
            3,
        );
        let mut out = Vec::new();
        w.header(&mut out, None, 1, "2024-01-01T00:00:00Z");
        let name = Value::Text("Café <&> \"Lille\"".into());
        let date = Value::Date(NaiveDate::from_ymd_opt(2021, 6, 30).unwrap());
        let fields: [(&str, &Value); 4] = [
            ("nom", &name),
            ("pop", &Value::Null),
            ("créé", &date),
            ("n x", &Value::Float(f64::NAN)),
        ];
        w.feature(
            &mut out,
            "communes",
            "59350",
            &fields,
            "geom",
            geometry,
            &mut identity,
        );
        w.trailer(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_wfs20_collection() {
        let p = Geometry::Point(Point::new(3.0573, 50.6292));
        let xml = one_feature("2.0.0", Some(&p));
        assert!(xml.contains(r#"<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2""#));
        assert!(xml.contains(
            r#"numberMatched="unknown" numberReturned="1" timeStamp="2024-01-01T00:00:00Z""#
        ));
        assert!(xml.contains(r#"xsi:schemaLocation="http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd https://example.org/ossature https://example.org/dft""#));
        assert!(xml.contains(r#"<wfs:member><ossature:communes gml:id="communes.59350"><ossature:nom>Café &lt;&amp;&gt; &quot;Lille&quot;</ossature:nom>"#));
        assert!(!xml.contains("ossature:pop"));
        assert!(
            xml.contains(
                "<ossature:créé>2021-06-30</ossature:créé><ossature:n_x>NaN</ossature:n_x>"
            )
        );
        assert!(xml.contains(r#"<ossature:geom><gml:Point gml:id="communes.59350.g" srsName="EPSG:4326"><gml:pos>3.057 50.629</gml:pos></gml:Point></ossature:geom></ossature:communes></wfs:member>"#));
        assert!(xml.ends_with("</wfs:FeatureCollection>\n"));
    }

    #[test]
    fn writes_wfs11_collection() {
        let xml = one_feature("1.1.0", None);
        assert!(xml.contains(
            r#"xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml""#
        ));
        assert!(xml.contains(r#"numberOfFeatures="1" timeStamp="#));
        assert!(!xml.contains("numberMatched"));
        assert!(xml.contains(r#"<gml:featureMember><ossature:communes gml:id="communes.59350">"#));
        assert!(xml.contains("</ossature:communes></gml:featureMember>"));
        assert!(!xml.contains("ossature:geom"));
    }

    #[test]
    fn omits_unwritable_geometry_only() {
        let nan = Geometry::Point(Point::new(f64::NAN, 1.0));
        let xml = one_feature("2.0.0", Some(&nan));
        assert!(!xml.contains("geom"));
        assert!(xml.contains("</ossature:n_x></ossature:communes></wfs:member>"));
    }

    #[test]
    fn writes_paging_links_and_counts() {
        let w = CollectionWriter::new("2.0.0", "p", "urn:x", "", "", 2);
        let mut out = Vec::new();
        w.header_paged(
            &mut out,
            Some(120),
            10,
            "t",
            Some("http://h/wfs?a=1&startIndex=20"),
            None,
        );
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"numberMatched="120" numberReturned="10" next="http://h/wfs?a=1&amp;startIndex=20" timeStamp="t""#));
        assert!(xml.contains(r#"xsi:schemaLocation="http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd">"#));
    }

    #[test]
    fn writes_typed_values() {
        let dt = Value::DateTime(Utc.with_ymd_and_hms(2024, 2, 3, 4, 5, 6).unwrap());
        for (v, s) in [
            (Value::Bool(true), "true"),
            (Value::Int(-42), "-42"),
            (Value::Float(0.1), "0.1"),
            (Value::Float(f64::NEG_INFINITY), "-INF"),
            (dt, "2024-02-03T04:05:06Z"),
        ] {
            let mut out = Vec::new();
            write_value(&mut out, &v);
            assert_eq!(String::from_utf8(out).unwrap(), s);
        }
    }
}
