//! Streaming `wfs:ValueCollection` writer for WFS 2.0 GetPropertyValue (GML 3.2).
//!
//! Like GetFeature, the root element carries `numberReturned`, so the caller buffers one page
//! of values before writing header, members and trailer into a byte buffer it flushes as it
//! likes. Every value, null or not, becomes exactly one `wfs:member`, so the count announced in
//! the header always matches the members written.


use geo_traits::GeometryTrait;

use super::geometry::GeometryWriter;
use super::collection::{attr, write_value};
use super::{GmlVersion, NumberFormat, write_escaped, write_gml_id};
use crate::value::Value;

const WFS20_NS: &str = "http://www.opengis.net/wfs/2.0";
const WFS20_XSD: &str = "http://schemas.opengis.net/wfs/2.0/wfs.xsd";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// An empty member stands for a null or unwritable value. `wfs:member` is not nillable, so
/// `xsi:nil` would be invalid; its content is optional, so an empty member is valid and keeps
/// the position of the value in the collection.
const EMPTY_MEMBER: &[u8] = b"<wfs:member/>\n";

/// Writes one GetPropertyValue response. The escaped `srsName` attribute and the coordinate
/// format, constant across values, are prepared once in [`ValueCollectionWriter::new`].
pub struct ValueCollectionWriter {
    /// ` srsName="..."`, escaped, or empty when the caller gave no CRS.
    srs_attr: Vec<u8>,
    numbers: NumberFormat,
    /// Scratch buffer for geometry gml:ids, reused across values.
    id: Vec<u8>,
}

impl ValueCollectionWriter {
    /// `srs_name` (the URN or URI form WFS 2.0 clients expect) and `decimals` apply to geometry
    /// values only, as in [`CollectionWriter`](super::CollectionWriter).
    pub fn new(srs_name: &str, decimals: u32) -> Self {
        let mut srs_attr = Vec::new();
        if !srs_name.is_empty() {
            srs_attr.extend_from_slice(b" srsName=\"");
            write_escaped(&mut srs_attr, srs_name);
            srs_attr.push(b'"');
        }
        ValueCollectionWriter {
            srs_attr,
            numbers: NumberFormat::new(decimals),
            id: Vec::new(),
        }
    }

    /// `matched` None is written "unknown" (a count the server skipped for cost); `next` and
    /// `previous` are the paging links. `timestamp` must be an `xs:dateTime`.
    pub fn header(
        &self,
        out: &mut Vec<u8>,
        matched: Option<u64>,
        returned: u64,
        timestamp: &str,
        next: Option<&str>,
        previous: Option<&str>,
    ) {
        out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<wfs:ValueCollection");
        attr(out, "xmlns:wfs", WFS20_NS);
        // Bound up front so geometry members need no namespace declarations of their own.
        attr(out, "xmlns:gml", GmlVersion::Gml32.namespace());
        attr(out, "xmlns:xsi", XSI_NS);
        match matched {
            Some(n) => attr(out, "numberMatched", itoa::Buffer::new().format(n)),
            None => attr(out, "numberMatched", "unknown"),
        }
        attr(out, "numberReturned", itoa::Buffer::new().format(returned));
        for (name, link) in [("next", next), ("previous", previous)] {
            if let Some(link) = link {
                attr(out, name, link);
            }
        }
        attr(out, "timeStamp", timestamp);
        out.extend_from_slice(b" xsi:schemaLocation=\"");
        out.extend_from_slice(WFS20_NS.as_bytes());
        out.push(b' ');
        out.extend_from_slice(WFS20_XSD.as_bytes());
        out.extend_from_slice(b"\">\n");
    }

    /// Appends one scalar value as the text of a member, in the lexical space of its XML Schema
    /// type; a null becomes an empty member.
    pub fn value(&self, out: &mut Vec<u8>, value: &Value) {
        if *value == Value::Null {
            out.extend_from_slice(EMPTY_MEMBER);
            return;
        }
        out.extend_from_slice(b"<wfs:member>");
        write_value(out, value);
        out.extend_from_slice(b"</wfs:member>\n");
    }

    /// Appends one geometry value as a GML 3.2 geometry, coordinates passed through `map`
    /// (reprojection and axis order). Its `gml:id` derives from the feature's (`{type}.{id}.g`)
    /// so it is unique in the document. A geometry that cannot be written (unmappable or
    /// non-finite coordinate, empty point) becomes an empty member, so one bad row does not
    /// break the collection; returns whether the geometry was written.
    pub fn geometry(
        &mut self,
        out: &mut Vec<u8>,
        type_name: &str,
        id: &str,
        g: &impl GeometryTrait<T = f64>,
        map: &mut dyn FnMut(f64, f64) -> Option<(f64, f64)>,
    ) -> bool {
        let mark = out.len();
        out.extend_from_slice(b"<wfs:member>");
        self.id.clear();
        write_gml_id(&mut self.id, type_name, id);
        self.id.extend_from_slice(b".g");
        let mut writer = GeometryWriter {
            version: GmlVersion::Gml32,
            map,
            numbers: self.numbers,
            id_base: &self.id,
            next_id: 0,
        };
        if writer.write(out, g, &self.srs_attr).is_err() {
            out.truncate(mark);
            out.extend_from_slice(EMPTY_MEMBER);
            return false;
        }
        out.extend_from_slice(b"</wfs:member>\n");
        true
    }

    pub fn trailer(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"</wfs:ValueCollection>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ows::schema_check::{schemas_dir, validate};
    use chrono::{NaiveDate, TimeZone, Utc};
    use geo_types::{Geometry, LineString, Point};

    fn identity(x: f64, y: f64) -> Option<(f64, f64)> {
        Some((x, y))
    }

    fn collection(values: &[Value], next: Option<&str>) -> String {
        let w = ValueCollectionWriter::new("urn:ogc:def:crs:EPSG::2154", 2);
        let mut out = Vec::new();
        w.header(
            &mut out,
            Some(42),
            values.len() as u64,
            "2024-01-01T00:00:00Z",
            next,
            None,
        );
        for v in values {
            w.value(&mut out, v);
        }
        w.trailer(&mut out);
        String::from_utf8(out).unwrap()
    }

    fn scalars() -> Vec<Value> {
        vec![
            Value::Text("Café <&> \"Lille\"\u{1}".into()),
            Value::Int(-42),
            Value::Float(0.1),
            Value::Float(f64::NAN),
            Value::Bool(true),
            Value::Date(NaiveDate::from_ymd_opt(2021, 6, 30).unwrap()),
            Value::DateTime(Utc.with_ymd_and_hms(2024, 2, 3, 4, 5, 6).unwrap()),
            Value::Null,
        ]
    }

    #[test]
    fn writes_header_with_counts_and_links() {
        let xml = collection(&[], Some("http://h/wfs?a=1&startIndex=20"));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<wfs:ValueCollection xmlns:wfs=\"http://www.opengis.net/wfs/2.0\" xmlns:gml=\"http://www.opengis.net/gml/3.2\""));
        assert!(xml.contains(r#"numberMatched="42" numberReturned="0" next="http://h/wfs?a=1&amp;startIndex=20" timeStamp="2024-01-01T00:00:00Z""#));
        assert!(xml.ends_with("</wfs:ValueCollection>\n"));
        let w = ValueCollectionWriter::new("", 2);
        let mut out = Vec::new();
        w.header(&mut out, None, 3, "t", None, Some("p"));
        let xml = String::from_utf8(out).unwrap();
        assert!(
            xml.contains(
                r#"numberMatched="unknown" numberReturned="3" previous="p" timeStamp="t""#
            )
        );
    }

    #[test]
    fn writes_one_member_per_scalar() {
        let xml = collection(&scalars(), None);
        for member in [
            "<wfs:member>Café &lt;&amp;&gt; &quot;Lille&quot;\u{fffd}</wfs:member>",
            "<wfs:member>-42</wfs:member>",
            "<wfs:member>0.1</wfs:member>",
            "<wfs:member>NaN</wfs:member>",
            "<wfs:member>true</wfs:member>",
            "<wfs:member>2021-06-30</wfs:member>",
            "<wfs:member>2024-02-03T04:05:06Z</wfs:member>",
            "<wfs:member/>",
        ] {
            assert!(xml.contains(member), "{member} missing in\n{xml}");
        }
        assert_eq!(xml.matches("<wfs:member").count(), scalars().len());
    }

    #[test]
    fn scalar_collection_validates() {
        validate(
            &collection(&scalars(), Some("http://h/wfs?a=1&b=2")),
            "wfs/2.0/wfs.xsd",
        );
        validate(&collection(&[], None), "wfs/2.0/wfs.xsd");
    }

    fn geometry_collection(geometries: &[Geometry]) -> (String, Vec<bool>) {
        let mut w = ValueCollectionWriter::new("urn:ogc:def:crs:EPSG::2154", 2);
        let mut out = Vec::new();
        w.header(
            &mut out,
            None,
            geometries.len() as u64,
            "2024-01-01T00:00:00Z",
            None,
            None,
        );
        let written = geometries
            .iter()
            .enumerate()
            .map(|(i, g)| w.geometry(&mut out, "roads", &i.to_string(), g, &mut identity))
            .collect();
        w.trailer(&mut out);
        (String::from_utf8(out).unwrap(), written)
    }

    #[test]
    fn writes_geometries_with_unique_ids() {
        let (xml, written) = geometry_collection(&[
            Geometry::Point(Point::new(1.005, 2.0)),
            Geometry::LineString(LineString::from(vec![(0., 0.), (1., 1.)])),
            Geometry::Point(Point::new(f64::NAN, 0.)),
        ]);
        assert_eq!(written, [true, true, false]);
        assert!(xml.contains(r#"<wfs:member><gml:Point gml:id="roads.0.g" srsName="urn:ogc:def:crs:EPSG::2154"><gml:pos>1 2</gml:pos></gml:Point></wfs:member>"#));
        assert!(xml.contains(r#"<wfs:member><gml:LineString gml:id="roads.1.g" srsName="urn:ogc:def:crs:EPSG::2154"><gml:posList srsDimension="2">0 0 1 1</gml:posList></gml:LineString></wfs:member>"#));
        assert!(xml.contains("</wfs:member>\n<wfs:member/>\n</wfs:ValueCollection>"));
        assert!(!xml.contains("NaN"));
        validate_with_gml(&xml);
    }

    /// `wfs:member` takes foreign content laxly and wfs.xsd does not load GML 3.2, so alone it
    /// would accept any `gml:` element: a wrapper schema importing both makes xmllint check
    /// the geometries too. Without the schema folder, `validate` reports the skip as usual.
    fn validate_with_gml(xml: &str) {
        let wfs = schemas_dir().join("wfs/2.0/wfs.xsd");
        if !wfs.is_file() {
            validate(xml, "wfs/2.0/wfs.xsd");
            return;
        }
        let wrapper = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:ossature:test:wrapper">
  <xs:import namespace="{WFS20_NS}" schemaLocation="{}"/>
  <xs:import namespace="http://www.opengis.net/gml/3.2" schemaLocation="{}"/>
</xs:schema>
"#,
            wfs.display(),
            GmlVersion::Gml32.schema_location()
        );
        let path = std::env::temp_dir().join(format!(
            "ossature-value-collection-{}.xsd",
            std::process::id()
        ));
        std::fs::write(&path, wrapper).unwrap();
        // An absolute path replaces the schema folder in `validate`'s join.
        validate(xml, path.to_str().unwrap());
        let _ = std::fs::remove_file(&path);
    }
}
