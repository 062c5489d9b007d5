//! WFS 1.0.0 GetFeature collections in GML 2.1.2, and the GML 2 geometry property types that
//! DescribeFeatureType 1.0.0 declares for them.
//!
//! GML 2 differs from the 3.x writer in [`CollectionWriter`](super::CollectionWriter) in:
//! feature identity is the `fid` attribute (no `gml:id`), coordinates are one
//! `gml:coordinates` tuple list (`x,y x,y`), polygons use `outerBoundaryIs` / `innerBoundaryIs`,
//! multi-geometries are `MultiPoint` / `MultiLineString` / `MultiPolygon` / `MultiGeometry`, and
//! the collection has a mandatory `gml:boundedBy` (written `gml:null` "unknown", since the
//! collection is streamed before its extent is known).
//!
//! Field values and names go through the same helpers as the GML 3 writer, so both versions
//! agree on names, escaping and lexical forms.

use geo_traits::GeometryTrait;

use super::collection::{attr, write_value};
use super::geometry::GeometryWriter;
use super::{GmlVersion, NumberFormat, ncname, write_escaped, write_gml_id};
use crate::value::Value;

const WFS_NS: &str = "http://www.opengis.net/wfs";
const WFS10_XSD: &str = "http://schemas.opengis.net/wfs/1.0.0/WFS-basic.xsd";
const GML_NS: &str = "http://www.opengis.net/gml";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Writes one WFS 1.0.0 GetFeature response (GML 2.1.2).
pub struct Gml2CollectionWriter {
    prefix: String,
    ns_uri: String,
    describe_url: String,
    /// ` srsName="..."`, escaped, or empty when the caller gave no CRS.
    srs_attr: Vec<u8>,
    numbers: NumberFormat,
    /// Scratch buffer for the feature's fid, reused across features.
    fid: Vec<u8>,
}

impl Gml2CollectionWriter {
    /// `srs_name` is written as given (GML 2 clients expect the short `EPSG:n` form);
    /// `describe_url` is the DescribeFeatureType URL paired with `ns_uri` in
    /// `xsi:schemaLocation` (omitted when empty).
    pub fn new(
        ns_prefix: &str,
        ns_uri: &str,
        describe_url: &str,
        srs_name: &str,
        decimals: u32,
    ) -> Self {
        let mut srs_attr = Vec::new();
        if !srs_name.is_empty() {
            srs_attr.extend_from_slice(b" srsName=\"");
            write_escaped(&mut srs_attr, srs_name);
            srs_attr.push(b'"');
        }
        Gml2CollectionWriter {
            prefix: ncname(ns_prefix).into_owned(),
            ns_uri: ns_uri.to_string(),
            describe_url: describe_url.to_string(),
            srs_attr,
            numbers: NumberFormat::new(decimals),
            fid: Vec::new(),
        }
    }

    pub fn header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<wfs:FeatureCollection",
        );
        attr(out, "xmlns:wfs", WFS_NS);
        attr(out, "xmlns:gml", GML_NS);
        attr(out, "xmlns:xsi", XSI_NS);
        out.extend_from_slice(b" xmlns:");
        out.extend_from_slice(self.prefix.as_bytes());
        out.extend_from_slice(b"=\"");
        write_escaped(out, &self.ns_uri);
        out.push(b'"');
        out.extend_from_slice(b" xsi:schemaLocation=\"");
        write_escaped(out, WFS_NS);
        out.push(b' ');
        write_escaped(out, WFS10_XSD);
        if !self.describe_url.is_empty() && !self.ns_uri.is_empty() {
            out.push(b' ');
            write_escaped(out, &self.ns_uri);
            out.push(b' ');
            write_escaped(out, &self.describe_url);
        }
        out.extend_from_slice(
            b"\">\n<gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy>\n",
        );
    }

    /// Appends one `gml:featureMember`. As in the GML 3 writer, null fields and a field named
    /// like the geometry property are omitted, and a geometry that cannot be written is
    /// omitted (the feature is kept).
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
        out.extend_from_slice(b"<gml:featureMember>");
        self.open_tag(out, &type_name);
        self.fid.clear();
        write_gml_id(&mut self.fid, &type_name, id);
        out.extend_from_slice(b" fid=\"");
        out.extend_from_slice(&self.fid);
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
            let mark = out.len();
            self.open_tag(out, &geometry_name);
            out.push(b'>');
            let mut writer = GeometryWriter {
                version: GmlVersion::Gml2,
                map,
                numbers: self.numbers,
                id_base: b"",
                next_id: 0,
            };
            if writer.write(out, g, &self.srs_attr).is_ok() {
                self.close_tag(out, &geometry_name);
            } else {
                out.truncate(mark);
            }
        }
        self.close_tag(out, &type_name);
        out.extend_from_slice(b"</gml:featureMember>\n");
    }

    pub fn trailer(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"</wfs:FeatureCollection>\n");
    }

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
}

/// The GML 2 geometry property type for a declared geometry type (`POINT`, `MULTIPOLYGON`,
/// `GEOMETRY`, ...; case, `ST_` prefix and Z/M suffixes are ignored), for DescribeFeatureType
/// 1.0.0. Anything unknown is `gml:GeometryPropertyType`.
pub fn geometry_property_type_gml2(geometry_type: &str) -> &'static str {
    match super::schema::base_geometry_type(geometry_type).as_str() {
        "POINT" => "gml:PointPropertyType",
        "LINESTRING" | "CURVE" => "gml:LineStringPropertyType",
        "POLYGON" | "SURFACE" => "gml:PolygonPropertyType",
        "MULTIPOINT" => "gml:MultiPointPropertyType",
        "MULTILINESTRING" | "MULTICURVE" => "gml:MultiLineStringPropertyType",
        "MULTIPOLYGON" | "MULTISURFACE" => "gml:MultiPolygonPropertyType",
        "GEOMETRYCOLLECTION" => "gml:MultiGeometryPropertyType",
        _ => "gml:GeometryPropertyType",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{
        Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
        Polygon,
    };
    use quick_xml::Reader;
    use quick_xml::events::Event;

    fn identity(x: f64, y: f64) -> Option<(f64, f64)> {
        Some((x, y))
    }

    /// Reads the whole document (tag balance checked) and returns the start-tag names.
    fn element_names(xml: &str) -> Vec<String> {
        let mut reader = Reader::from_str(xml);
        let mut names = Vec::new();
        let mut depth = 0i32;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    depth += 1;
                    names.push(e.name().into_inner().to_string());
                }
                Event::Empty(e) => {
                    names.push(e.name().into_inner().to_string());
                }
                Event::End(_) => depth -= 1,
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "unbalanced document");
        names
    }

    fn collection(
        geometry: Option<&Geometry>,
        map: &mut dyn FnMut(f64, f64) -> Option<(f64, f64)>,
    ) -> String {
        let mut w = Gml2CollectionWriter::new(
            "ossature",
            "https://example.org/ossature",
            "https://example.org/wfs?request=DescribeFeatureType&typeName=ossature:communes",
            "EPSG:2154",
            2,
        );
        let mut out = Vec::new();
        w.header(&mut out);
        let name = Value::Text("Café <&> \"Lille\"".into());
        let fields: [(&str, &Value); 4] = [
            ("nom", &name),
            ("pop", &Value::Null),
            ("n x", &Value::Int(7)),
            ("geom", &Value::Text("dup".into())),
        ];
        w.feature(
            &mut out, "communes", "59 350", &fields, "geom", geometry, map,
        );
        w.trailer(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_collection_with_polygon() {
        let ring = |c: &[(f64, f64)]| LineString::from(c.to_vec());
        let p = Geometry::Polygon(Polygon::new(
            ring(&[(0., 0.), (10.004, 0.), (10., 10.), (0., 0.)]),
            vec![ring(&[(1., 1.), (2., 1.), (2., 2.), (1., 1.)])],
        ));
        let xml = collection(Some(&p), &mut identity);
        let names = element_names(&xml);
        assert_eq!(names[0], "wfs:FeatureCollection");
        assert_eq!(&names[1..3], ["gml:boundedBy", "gml:null"]);
        assert!(xml.contains(r#"<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml""#));
        assert!(xml.contains(r#"xsi:schemaLocation="http://www.opengis.net/wfs http://schemas.opengis.net/wfs/1.0.0/WFS-basic.xsd https://example.org/ossature https://example.org/wfs?request=DescribeFeatureType&amp;typeName=ossature:communes""#));
        assert!(xml.contains("<gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy>"));
        assert!(xml.contains(r#"<gml:featureMember><ossature:communes fid="communes.59_350"><ossature:nom>Café &lt;&amp;&gt; &quot;Lille&quot;</ossature:nom><ossature:n_x>7</ossature:n_x>"#));
        assert!(!xml.contains("ossature:pop") && !xml.contains("dup"));
        assert!(xml.contains(r#"<ossature:geom><gml:Polygon srsName="EPSG:2154"><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates decimal="." cs="," ts=" ">0,0 10,0 10,10 0,0</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs><gml:innerBoundaryIs><gml:LinearRing><gml:coordinates decimal="." cs="," ts=" ">1,1 2,1 2,2 1,1</gml:coordinates></gml:LinearRing></gml:innerBoundaryIs></gml:Polygon></ossature:geom></ossature:communes></gml:featureMember>"#));
        assert!(!xml.contains("gml:id"));
        assert!(xml.ends_with("</wfs:FeatureCollection>\n"));
    }

    #[test]
    fn omits_unwritable_geometry_only() {
        let p = Geometry::Point(Point::new(1.0, 2.0));
        let mut nan = |_: f64, y: f64| Some((f64::NAN, y));
        let xml = collection(Some(&p), &mut nan);
        element_names(&xml);
        assert!(!xml.contains("ossature:geom") && !xml.contains("gml:Point"));
        assert!(
            xml.contains("<ossature:n_x>7</ossature:n_x></ossature:communes></gml:featureMember>")
        );
        let mut none = |_: f64, _: f64| None;
        let xml = collection(Some(&p), &mut none);
        element_names(&xml);
        assert!(!xml.contains("ossature:geom"));
        let xml = collection(Some(&p), &mut identity);
        assert!(xml.contains(r#"<ossature:geom><gml:Point srsName="EPSG:2154"><gml:coordinates decimal="." cs="," ts=" ">1,2</gml:coordinates></gml:Point></ossature:geom>"#));
    }

    #[test]
    fn writes_multi_geometries() {
        let ls = |c: &[(f64, f64)]| LineString::from(c.to_vec());
        let square = Polygon::new(ls(&[(0., 0.), (1., 0.), (1., 1.), (0., 0.)]), vec![]);
        let gc = Geometry::GeometryCollection(GeometryCollection::new_from(vec![
            Geometry::MultiPoint(MultiPoint::from(vec![
                Point::new(0.5, 1.25),
                Point::new(3., 4.),
            ])),
            Geometry::MultiLineString(MultiLineString::new(vec![ls(&[(0., 0.), (1., 1.)])])),
            Geometry::MultiPolygon(MultiPolygon::new(vec![square])),
        ]));
        let xml = collection(Some(&gc), &mut identity);
        let names = element_names(&xml);
        let geom: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .skip_while(|n| *n != "ossature:geom")
            .collect();
        assert_eq!(
            geom,
            [
                "ossature:geom",
                "gml:MultiGeometry",
                "gml:geometryMember",
                "gml:MultiPoint",
                "gml:pointMember",
                "gml:Point",
                "gml:coordinates",
                "gml:pointMember",
                "gml:Point",
                "gml:coordinates",
                "gml:geometryMember",
                "gml:MultiLineString",
                "gml:lineStringMember",
                "gml:LineString",
                "gml:coordinates",
                "gml:geometryMember",
                "gml:MultiPolygon",
                "gml:polygonMember",
                "gml:Polygon",
                "gml:outerBoundaryIs",
                "gml:LinearRing",
                "gml:coordinates",
            ]
        );
        // Only the top-level geometry carries srsName.
        assert_eq!(xml.matches("srsName").count(), 1);
        assert!(xml.contains(r#"<gml:MultiGeometry srsName="EPSG:2154">"#));
        assert!(xml.contains(">0.5,1.25</gml:coordinates>"));
        assert!(xml.contains(">0,0 1,1</gml:coordinates></gml:LineString>"));
    }

    #[test]
    fn maps_property_types() {
        for (t, p) in [
            ("POINT", "gml:PointPropertyType"),
            ("LineString", "gml:LineStringPropertyType"),
            ("ST_POLYGON", "gml:PolygonPropertyType"),
            ("MULTIPOINTZ", "gml:MultiPointPropertyType"),
            ("MultiLineString ZM", "gml:MultiLineStringPropertyType"),
            ("MULTIPOLYGONM", "gml:MultiPolygonPropertyType"),
            ("GEOMETRYCOLLECTION", "gml:MultiGeometryPropertyType"),
            ("GEOMETRY", "gml:GeometryPropertyType"),
            ("", "gml:GeometryPropertyType"),
        ] {
            assert_eq!(geometry_property_type_gml2(t), p, "{t}");
        }
    }
}
