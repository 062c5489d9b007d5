//! Validates written collections against the official WFS/GML schemas with xmllint, offline.
//!
//! Structure assertions only prove what the writer was meant to do; the official schemas prove
//! clients will accept it. The schemas live outside the repository (`OSSATURE_OGC_SCHEMAS`, by
//! default `../../shared/ogc-schemas` from this crate); without them or xmllint the tests skip,
//! except under `CI` where a silent skip would hide a broken setup.

use std::path::{Path, PathBuf};
use std::process::Command;

use geo_types::{
    Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon,
};

use super::{CollectionWriter, FeatureTypeSchema, GmlVersion, describe_feature_type};
use crate::value::{FieldType, Value};

const NS: &str = "https://ossature.example.org/features";

fn schemas_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OSSATURE_OGC_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/ogc-schemas"));
    let xmllint = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let present = dir.join("catalog.xml").is_file();
    if xmllint && present {
        return Some(dir);
    }
    let why = format!(
        "schema validation needs xmllint (found: {xmllint}) and the OGC schemas at {} (found: {present})",
        dir.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{why}");
    eprintln!("skipping: {why}");
    None
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ossature-gml-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Validates `doc` against a wrapper schema importing the WFS schema and the generated
/// application schema, the way a client combines them from `xsi:schemaLocation`.
fn validate(schemas: &Path, name: &str, wfs_xsd: &str, wfs_ns: &str, app_xsd: &str, doc: &[u8]) {
    if let Err(errors) = xmllint(schemas, name, wfs_xsd, wfs_ns, app_xsd, doc) {
        panic!(
            "{name} does not validate:\n{errors}\n{}",
            String::from_utf8_lossy(doc)
        );
    }
}

fn xmllint(
    schemas: &Path,
    name: &str,
    wfs_xsd: &str,
    wfs_ns: &str,
    app_xsd: &str,
    doc: &[u8],
) -> Result<(), String> {
    let dir = temp_dir(name);
    std::fs::write(dir.join("app.xsd"), app_xsd).unwrap();
    std::fs::write(dir.join("doc.xml"), doc).unwrap();
    let wrapper = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:ossature:test:wrapper">
  <xs:import namespace="{wfs_ns}" schemaLocation="{}"/>
  <xs:import namespace="{NS}" schemaLocation="{}"/>
</xs:schema>
"#,
        schemas.join(wfs_xsd).display(),
        dir.join("app.xsd").display()
    );
    std::fs::write(dir.join("wrapper.xsd"), wrapper).unwrap();
    let output = Command::new("xmllint")
        .env("XML_CATALOG_FILES", schemas.join("catalog.xml"))
        .args(["--nonet", "--catalogs", "--noout", "--schema"])
        .arg(dir.join("wrapper.xsd"))
        .arg(dir.join("doc.xml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    if output.status.success() && stderr.contains("validates") {
        Ok(())
    } else {
        Err(stderr)
    }
}

fn types() -> Vec<FeatureTypeSchema> {
    let fields = vec![
        ("nom".to_string(), FieldType::Text),
        ("population".to_string(), FieldType::Integer),
        ("surface km2".to_string(), FieldType::Number),
        ("chef_lieu".to_string(), FieldType::Boolean),
        ("créée".to_string(), FieldType::Date),
        ("maj".to_string(), FieldType::DateTime),
    ];
    let t = |name: &str, geometry_type: &str| FeatureTypeSchema {
        name: name.to_string(),
        fields: fields.clone(),
        geometry_name: "geom".to_string(),
        geometry_type: geometry_type.to_string(),
    };
    vec![
        t("communes", "MULTIPOLYGON"),
        t("parcelles", "POLYGON"),
        t("2 divers", "GEOMETRY"),
    ]
}

fn square(x: f64, y: f64, size: f64) -> Polygon {
    let ring = LineString::from(vec![
        (x, y),
        (x + size, y),
        (x + size, y + size),
        (x, y + size),
        (x, y),
    ]);
    let hole = LineString::from(vec![
        (x + 1., y + 1.),
        (x + 2., y + 1.),
        (x + 2., y + 2.),
        (x + 1., y + 1.),
    ]);
    Polygon::new(ring, vec![hole])
}

/// Every geometry kind plus hostile values: markup in text, NaN numbers, an unmappable point.
fn write_collection(version: &str) -> Vec<u8> {
    let mut w = CollectionWriter::new(
        version,
        "ossature",
        NS,
        "http://localhost/wfs?request=DescribeFeatureType",
        "urn:ogc:def:crs:EPSG::2154",
        2,
    );
    let mut swap = |x: f64, y: f64| if x.is_nan() { None } else { Some((x, y)) };
    let nom = Value::Text("Lille <Nord> & \"59\"\u{1}".into());
    let pop = Value::Int(236_234);
    let surface = Value::Float(f64::NAN);
    let date = Value::Date(chrono::NaiveDate::from_ymd_opt(1790, 1, 1).unwrap());
    let maj = Value::DateTime(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap());
    let fields: [(&str, &Value); 6] = [
        ("nom", &nom),
        ("population", &pop),
        ("surface km2", &surface),
        ("chef_lieu", &Value::Bool(true)),
        ("créée", &date),
        ("maj", &maj),
    ];
    let line = || LineString::from(vec![(0., 0.), (1.5, 2.25)]);
    let members: Vec<(&str, Geometry)> = vec![
        (
            "communes",
            Geometry::MultiPolygon(MultiPolygon::new(vec![
                square(0., 0., 10.),
                square(20., 0., 5.),
            ])),
        ),
        (
            "parcelles",
            Geometry::Polygon(square(652_000.123, 6_862_000.456, 10.)),
        ),
        ("2 divers", Geometry::Point(Point::new(1., 2.))),
        ("2 divers", Geometry::LineString(line())),
        (
            "2 divers",
            Geometry::MultiPoint(MultiPoint::from(vec![
                Point::new(1., 2.),
                Point::new(3., 4.),
            ])),
        ),
        (
            "2 divers",
            Geometry::MultiLineString(MultiLineString::new(vec![line(), line()])),
        ),
        (
            "2 divers",
            Geometry::GeometryCollection(GeometryCollection::new_from(vec![
                Geometry::Point(Point::new(1., 2.)),
                Geometry::LineString(line()),
            ])),
        ),
        ("2 divers", Geometry::Point(Point::new(f64::NAN, 2.))),
    ];
    let mut out = Vec::new();
    w.header(
        &mut out,
        Some(members.len() as u64 + 1),
        members.len() as u64,
        "2024-05-06T07:08:09Z",
    );
    for (i, (type_name, g)) in members.iter().enumerate() {
        w.feature(
            &mut out,
            type_name,
            &format!("{i} a/b"),
            &fields,
            "geom",
            Some(g),
            &mut swap,
        );
    }
    w.trailer(&mut out);
    out
}

#[test]
fn wfs20_collection_validates() {
    let Some(schemas) = schemas_dir() else { return };
    let xsd = describe_feature_type(GmlVersion::Gml32, "ossature", NS, &types());
    let doc = write_collection("2.0.0");
    validate(
        &schemas,
        "wfs20",
        "wfs/2.0/wfs.xsd",
        "http://www.opengis.net/wfs/2.0",
        &xsd,
        &doc,
    );
}

#[test]
fn wfs11_collection_validates() {
    let Some(schemas) = schemas_dir() else { return };
    let xsd = describe_feature_type(GmlVersion::Gml311, "ossature", NS, &types());
    let doc = write_collection("1.1.0");
    validate(
        &schemas,
        "wfs11",
        "wfs/1.1.0/wfs.xsd",
        "http://www.opengis.net/wfs",
        &xsd,
        &doc,
    );
}

#[test]
fn empty_wfs20_collection_validates() {
    let Some(schemas) = schemas_dir() else { return };
    let w = CollectionWriter::new("2.0.0", "ossature", NS, "", "", 2);
    let mut doc = Vec::new();
    w.header(&mut doc, None, 0, "2024-05-06T07:08:09Z");
    w.trailer(&mut doc);
    let xsd = describe_feature_type(GmlVersion::Gml32, "ossature", NS, &types());
    validate(
        &schemas,
        "wfs20-empty",
        "wfs/2.0/wfs.xsd",
        "http://www.opengis.net/wfs/2.0",
        &xsd,
        &doc,
    );
}

/// `wfs:member` accepts foreign elements laxly: prove the application schema is really applied,
/// or the tests above would pass with any content.
#[test]
fn validation_applies_the_application_schema() {
    let Some(schemas) = schemas_dir() else { return };
    let xsd = describe_feature_type(GmlVersion::Gml32, "ossature", NS, &types());
    let doc = String::from_utf8(write_collection("2.0.0")).unwrap();
    let (wfs, ns) = ("wfs/2.0/wfs.xsd", "http://www.opengis.net/wfs/2.0");
    let bad_type = doc.replacen(
        "<ossature:population>236234<",
        "<ossature:population>many<",
        1,
    );
    let errors = xmllint(&schemas, "bad-type", wfs, ns, &xsd, bad_type.as_bytes()).unwrap_err();
    assert!(errors.contains("population"), "{errors}");
    let bad_order = doc.replacen("<ossature:nom>", "<ossature:geom/><ossature:nom>", 1);
    assert!(xmllint(&schemas, "bad-order", wfs, ns, &xsd, bad_order.as_bytes()).is_err());
    let bad_geometry = doc
        .replacen("<gml:MultiSurface ", "<gml:MultiCurve ", 1)
        .replacen("</gml:MultiSurface>", "</gml:MultiCurve>", 1);
    assert!(
        xmllint(
            &schemas,
            "bad-geometry",
            wfs,
            ns,
            &xsd,
            bad_geometry.as_bytes()
        )
        .is_err()
    );
}

#[test]
fn collections_contain_what_was_validated() {
    let doc = String::from_utf8(write_collection("2.0.0")).unwrap();
    assert_eq!(doc.matches("<wfs:member>").count(), 8);
    assert!(doc.contains(r#"<ossature:communes gml:id="communes.0_a_b">"#));
    assert!(doc.contains(r#"<ossature:_2_divers gml:id="_2_divers.7_a_b">"#));
    assert_eq!(
        doc.matches("<ossature:geom>").count(),
        7,
        "the unmappable point is omitted"
    );
    assert!(doc.contains("<ossature:surface_km2>NaN</ossature:surface_km2>"));
    assert!(doc.contains("<gml:posList srsDimension=\"2\">652000.12 6862000.46 "));
}
