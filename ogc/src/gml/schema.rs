//! DescribeFeatureType: the XML Schema of the feature types a [`CollectionWriter`] writes.
//!
//! Schemas are small and written once per request, so clarity wins over speed here; what
//! matters is that they agree exactly with the collection writer (same name sanitising, same
//! element order, null fields optional, geometry property last and optional).
//!
//! [`CollectionWriter`]: super::CollectionWriter

use super::{GmlVersion, ncname, write_escaped};
use crate::value::FieldType;

/// One feature type as DescribeFeatureType describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureTypeSchema {
    pub name: String,
    /// In the order the collection writer receives them.
    pub fields: Vec<(String, FieldType)>,
    pub geometry_name: String,
    /// As GeoPackage / PostGIS declare it: `POINT`, `MULTIPOLYGON`, `GEOMETRY`, ... (case,
    /// `ST_` prefix and Z/M suffixes are ignored).
    pub geometry_type: String,
}

/// The whole schema document for `types`, all in namespace `ns_uri`.
pub fn describe_feature_type(
    version: GmlVersion,
    ns_prefix: &str,
    ns_uri: &str,
    types: &[FeatureTypeSchema],
) -> String {
    let prefix = ncname(ns_prefix);
    let mut out = Vec::new();
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"");
    push_attr(&mut out, "xmlns:gml", version.namespace());
    push_attr(&mut out, &format!("xmlns:{prefix}"), ns_uri);
    push_attr(&mut out, "targetNamespace", ns_uri);
    out.extend_from_slice(b" elementFormDefault=\"qualified\" version=\"1.0\">\n  <xs:import");
    push_attr(&mut out, "namespace", version.namespace());
    push_attr(&mut out, "schemaLocation", version.schema_location());
    out.extend_from_slice(b"/>\n");
    for t in types {
        write_type(&mut out, version, &prefix, t);
    }
    out.extend_from_slice(b"</xs:schema>\n");
    // Only valid UTF-8 strings and ASCII were written.
    String::from_utf8(out).unwrap_or_default()
}

fn write_type(out: &mut Vec<u8>, version: GmlVersion, prefix: &str, t: &FeatureTypeSchema) {
    let name = ncname(&t.name);
    let geometry_name = ncname(&t.geometry_name);
    out.extend_from_slice(b"  <xs:complexType");
    push_attr(out, "name", &format!("{name}Type"));
    out.extend_from_slice(b">\n    <xs:complexContent>\n      <xs:extension base=\"gml:AbstractFeatureType\">\n        <xs:sequence>\n");
    for (field, ty) in &t.fields {
        let field = ncname(field);
        // The writer skips a field named like the geometry; so does the schema.
        if field == geometry_name {
            continue;
        }
        element(out, &field, xs_type(*ty), true);
    }
    element(
        out,
        &geometry_name,
        match version {
            GmlVersion::Gml2 => super::gml2::geometry_property_type_gml2(&t.geometry_type),
            _ => geometry_property_type(&t.geometry_type),
        },
        false,
    );
    out.extend_from_slice(b"        </xs:sequence>\n      </xs:extension>\n    </xs:complexContent>\n  </xs:complexType>\n  <xs:element");
    push_attr(out, "name", &name);
    push_attr(out, "type", &format!("{prefix}:{name}Type"));
    let head = match version {
        GmlVersion::Gml32 => "gml:AbstractFeature",
        GmlVersion::Gml311 | GmlVersion::Gml2 => "gml:_Feature",
    };
    push_attr(out, "substitutionGroup", head);
    out.extend_from_slice(b"/>\n");
}

/// Optional elements: the writer omits null values and unwritable geometries.
fn element(out: &mut Vec<u8>, name: &str, ty: &str, nillable: bool) {
    out.extend_from_slice(b"          <xs:element");
    push_attr(out, "name", name);
    push_attr(out, "type", ty);
    out.extend_from_slice(b" minOccurs=\"0\" maxOccurs=\"1\"");
    if nillable {
        out.extend_from_slice(b" nillable=\"true\"");
    }
    out.extend_from_slice(b"/>\n");
}

fn xs_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Boolean => "xs:boolean",
        FieldType::Integer => "xs:long",
        FieldType::Number => "xs:double",
        FieldType::Text => "xs:string",
        FieldType::Date => "xs:date",
        FieldType::DateTime => "xs:dateTime",
    }
}

/// A declared geometry type as its bare upper-case name: case, an `ST_` prefix and Z/M
/// suffixes (as GeoPackage and PostGIS spell them) are dropped.
pub(super) fn base_geometry_type(geometry_type: &str) -> String {
    let upper = geometry_type.trim().to_ascii_uppercase();
    let base = upper.strip_prefix("ST_").unwrap_or(&upper);
    let base = base.split_whitespace().next().unwrap_or("");
    base.strip_suffix("ZM").or_else(|| base.strip_suffix(['Z', 'M'])).unwrap_or(base).to_string()
}

/// The GML property type for a declared geometry type. Multi types map to the `MultiCurve` /
/// `MultiSurface` elements the writer produces; anything unknown or mixed is the generic
/// `GeometryPropertyType`, which accepts every geometry.
pub fn geometry_property_type(geometry_type: &str) -> &'static str {
    match base_geometry_type(geometry_type).as_str() {
        "POINT" => "gml:PointPropertyType",
        "LINESTRING" | "CURVE" => "gml:CurvePropertyType",
        "POLYGON" | "SURFACE" => "gml:SurfacePropertyType",
        "MULTIPOINT" => "gml:MultiPointPropertyType",
        "MULTILINESTRING" | "MULTICURVE" => "gml:MultiCurvePropertyType",
        "MULTIPOLYGON" | "MULTISURFACE" => "gml:MultiSurfacePropertyType",
        "GEOMETRYCOLLECTION" => "gml:MultiGeometryPropertyType",
        _ => "gml:GeometryPropertyType",
    }
}

fn push_attr(out: &mut Vec<u8>, name: &str, value: &str) {
    out.push(b' ');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    write_escaped(out, value);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn communes() -> FeatureTypeSchema {
        FeatureTypeSchema {
            name: "communes".into(),
            fields: vec![
                ("nom".into(), FieldType::Text),
                ("population".into(), FieldType::Integer),
                ("geom".into(), FieldType::Text),
                ("créée le".into(), FieldType::Date),
            ],
            geometry_name: "geom".into(),
            geometry_type: "MULTIPOLYGON".into(),
        }
    }

    #[test]
    fn maps_geometry_types() {
        for (declared, expected) in [
            ("POINT", "gml:PointPropertyType"),
            ("pointz", "gml:PointPropertyType"),
            ("MULTIPOLYGON Z", "gml:MultiSurfacePropertyType"),
            ("ST_MultiLineString", "gml:MultiCurvePropertyType"),
            ("LINESTRINGM", "gml:CurvePropertyType"),
            ("POLYGONZM", "gml:SurfacePropertyType"),
            ("GEOMETRYCOLLECTION", "gml:MultiGeometryPropertyType"),
            ("GEOMETRY", "gml:GeometryPropertyType"),
            ("", "gml:GeometryPropertyType"),
        ] {
            assert_eq!(geometry_property_type(declared), expected, "{declared}");
        }
    }

    #[test]
    fn describes_gml32_type() {
        let xsd = describe_feature_type(
            GmlVersion::Gml32,
            "ossature",
            "https://example.org/o",
            &[communes()],
        );
        assert!(xsd.contains(r#"xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ossature="https://example.org/o" targetNamespace="https://example.org/o""#));
        assert!(xsd.contains(r#"<xs:import namespace="http://www.opengis.net/gml/3.2" schemaLocation="http://schemas.opengis.net/gml/3.2.1/gml.xsd"/>"#));
        assert!(xsd.contains(r#"<xs:element name="nom" type="xs:string" minOccurs="0" maxOccurs="1" nillable="true"/>"#));
        assert!(xsd.contains(r#"<xs:element name="population" type="xs:long""#));
        assert!(xsd.contains(r#"<xs:element name="créée_le" type="xs:date""#));
        assert_eq!(xsd.matches(r#"name="geom""#).count(), 1);
        assert!(xsd.contains(r#"<xs:element name="geom" type="gml:MultiSurfacePropertyType" minOccurs="0" maxOccurs="1"/>"#));
        assert!(xsd.contains(r#"<xs:element name="communes" type="ossature:communesType" substitutionGroup="gml:AbstractFeature"/>"#));
    }

    #[test]
    fn describes_gml311_type() {
        let xsd = describe_feature_type(GmlVersion::Gml311, "o", "urn:o", &[communes()]);
        assert!(
            xsd.contains(r#"schemaLocation="http://schemas.opengis.net/gml/3.1.1/base/gml.xsd""#)
        );
        assert!(xsd.contains(r#"substitutionGroup="gml:_Feature""#));
    }
}
