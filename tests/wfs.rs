//! WFS 2.0.0 / 1.1.0 through the in-process server: documents valid against the OGC schemas,
//! paging, hits, axis order, FES filters on the shared engine, and exceptions.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use common::start;

fn schemas() -> Option<PathBuf> {
    let dir = std::env::var("OSSATURE_OGC_SCHEMAS").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/ogc-schemas"));
    let dir = dir.canonicalize().ok();
    let xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    match (dir, xmllint) {
        (Some(d), true) => Some(d),
        _ => {
            assert!(std::env::var("CI").is_err(), "CI must validate XML: xmllint and ../shared/ogc-schemas are required");
            eprintln!("xmllint or the OGC schemas are missing: XML validation skipped");
            None
        }
    }
}

/// Validates `xml` against `schema` (a path under the schemas folder, or an absolute path).
fn validate(xml: &str, schema: &str) {
    let Some(dir) = schemas() else { return };
    let tmp = std::env::temp_dir().join(format!("ossature-wfs-{}-{}.xml", std::process::id(), xml.len()));
    std::fs::write(&tmp, xml).unwrap();
    let schema_path = if schema.starts_with('/') { PathBuf::from(schema) } else { dir.join(schema) };
    let out = Command::new("xmllint")
        .args(["--nonet", "--catalogs", "--noout", "--schema"])
        .arg(&schema_path)
        .arg(&tmp)
        .env("XML_CATALOG_FILES", dir.join("catalog.xml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{} invalid against {schema}:\n{}\n{}", tmp.display(), String::from_utf8_lossy(&out.stderr), &xml[..xml.len().min(3000)]);
}

async fn text(s: &common::TestServer, path: &str) -> (u16, String, String) {
    let res = s.get(path).await;
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, res.text().await.unwrap())
}

fn attr(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(xml[start..start + xml[start..].find('"')?].replace("&amp;", "&"))
}

fn gml_ids(xml: &str) -> Vec<String> {
    xml.match_indices("<wfs:member><ossature:").map(|(i, _)| attr(&xml[i..], "gml:id").unwrap()).collect()
}

#[tokio::test]
async fn capabilities_validate_for_each_version() {
    let s = start().await;
    let (status, ct, caps) = text(&s, "/wfs?service=WFS&request=GetCapabilities").await;
    assert_eq!((status, ct.as_str()), (200, "application/xml; charset=utf-8"));
    assert!(caps.contains("<wfs:Name>ossature:communes</wfs:Name>") || caps.contains(">ossature:communes<"), "{caps}");
    validate(&caps, "wfs/2.0/wfs.xsd");
    let (_, _, caps11) = text(&s, "/ows?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0").await;
    validate(&caps11, "wfs/1.1.0/wfs.xsd");
    let (status, _, caps10) = text(&s, "/wfs?service=WFS&request=GetCapabilities&version=1.0.0").await;
    assert_eq!(status, 200);
    assert!(caps10.contains("WFS_Capabilities") && caps10.contains("version=\"1.0.0\""));
}

#[tokio::test]
async fn get_feature_gml_validates_against_wfs_and_the_described_type() {
    let s = start().await;
    let Some(dir) = schemas() else { return };
    for (version, wfs_xsd) in [("2.0.0", "wfs/2.0/wfs.xsd"), ("1.1.0", "wfs/1.1.0/wfs.xsd")] {
        let (_, _, xsd) = text(&s, &format!("/wfs?service=WFS&version={version}&request=DescribeFeatureType&typeNames=communes,ocs2d")).await;
        let xsd_path = std::env::temp_dir().join(format!("ossature-types-{version}-{}.xsd", std::process::id()));
        std::fs::write(&xsd_path, &xsd).unwrap();
        let wrapper = format!(
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import namespace="{wfs_ns}" schemaLocation="{wfs}"/><xs:import namespace="https://ossature.org/features" schemaLocation="{types}"/></xs:schema>"#,
            wfs_ns = if version == "2.0.0" { "http://www.opengis.net/wfs/2.0" } else { "http://www.opengis.net/wfs" },
            wfs = dir.join(wfs_xsd).display(),
            types = xsd_path.display()
        );
        let wrapper_path = std::env::temp_dir().join(format!("ossature-wrapper-{version}-{}.xsd", std::process::id()));
        std::fs::write(&wrapper_path, wrapper).unwrap();
        for type_name in ["communes", "ocs2d"] {
            let (status, _, xml) = text(&s, &format!("/wfs?service=WFS&version={version}&request=GetFeature&typeNames=ossature:{type_name}&count=5")).await;
            assert_eq!(status, 200, "{xml}");
            validate(&xml, wrapper_path.to_str().unwrap());
        }
    }
}

#[tokio::test]
async fn paging_walks_every_feature_once_and_hits_count() {
    let s = start().await;
    for c in ["ocs2d", "pg_ocs2d"] {
        if !s.collections().contains(&c) {
            continue;
        }
        let (_, _, hits) = text(&s, &format!("/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames={c}&resultType=hits")).await;
        assert_eq!(attr(&hits, "numberMatched").as_deref(), Some("4154"), "{hits}");
        assert_eq!(attr(&hits, "numberReturned").as_deref(), Some("0"));
        let (_, _, hits11) = text(&s, &format!("/wfs?service=WFS&version=1.1.0&request=GetFeature&typeName={c}&resultType=hits")).await;
        assert_eq!(attr(&hits11, "numberOfFeatures").as_deref(), Some("4154"), "{hits11}");
        let mut url = format!("{}/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames={c}&count=1000", s.base);
        let mut seen = Vec::new();
        loop {
            let xml = s.client.get(&url).send().await.unwrap().text().await.unwrap();
            seen.extend(gml_ids(&xml));
            match attr(&xml[..xml.find("<wfs:member>").unwrap_or(xml.len())], "next") {
                Some(next) => url = next,
                None => break,
            }
        }
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (4154, 4154), "{c}");
    }
}

#[tokio::test]
async fn bbox_axis_order_and_fes_filters_agree_with_ogc_api() {
    let s = start().await;
    let count = |xml: &str| attr(xml, "numberMatched").unwrap().parse::<u64>().unwrap();
    let base = "/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=communes&count=1000";
    let (_, _, latlon) = text(&s, &format!("{base}&bbox=50.6,3.0,50.65,3.1,urn:ogc:def:crs:EPSG::4326")).await;
    let (_, _, lonlat) = text(&s, &format!("{base}&bbox=3.0,50.6,3.1,50.65,EPSG:4326")).await;
    let api = s.json("/collections/communes/items?bbox=3.0,50.6,3.1,50.65&limit=1000").await;
    assert!(count(&latlon) > 0);
    assert_eq!(count(&latlon), count(&lonlat));
    assert_eq!(count(&latlon), api["numberMatched"].as_u64().unwrap());
    let mut a = gml_ids(&latlon);
    a.sort();
    let mut b: Vec<String> = api["features"].as_array().unwrap().iter().map(|f| format!("communes.{}", f["id"])).collect();
    b.sort();
    assert_eq!(a, b);
    // The same envelope as a FES geometry literal: the short `EPSG:4326` spelling is read
    // longitude first, the URN latitude first, as for the KVP BBOX.
    for (srs, lower, upper) in [("EPSG:4326", "3.0 50.6", "3.1 50.65"), ("urn:ogc:def:crs:EPSG::4326", "50.6 3.0", "50.65 3.1")] {
        let fes = format!(
            r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="{srs}"><gml:lowerCorner>{lower}</gml:lowerCorner><gml:upperCorner>{upper}</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>"#
        );
        let (status, _, xml) = text(&s, &format!("{base}&filter={}", form_urlencoded::byte_serialize(fes.as_bytes()).collect::<String>())).await;
        assert_eq!(status, 200, "{xml}");
        assert_eq!(count(&xml), count(&latlon), "{srs}");
    }
    let fes = r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\"><fes:ValueReference>nom</fes:ValueReference><fes:Literal>Lille*</fes:Literal></fes:PropertyIsLike></fes:Filter>"#;
    let (status, _, xml) = text(&s, &format!("{base}&filter={}", form_urlencoded::byte_serialize(fes.as_bytes()).collect::<String>())).await;
    assert_eq!(status, 200, "{xml}");
    let cql = s.json("/collections/communes/items?filter=nom%20LIKE%20'Lille%25'").await;
    assert_eq!(count(&xml), cql["numberMatched"].as_u64().unwrap());
    assert!(count(&xml) >= 1);
    // GeoJSON in EPSG:4326 with the authority's axis order: latitude first.
    let res = s.get("/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=communes&count=1&outputFormat=application/json&srsName=urn:ogc:def:crs:EPSG::4326").await;
    let j: serde_json::Value = res.json().await.unwrap();
    let first = &j["features"][0]["geometry"]["coordinates"][0][0][0];
    assert!(first[0].as_f64().unwrap() > 48.0 && first[1].as_f64().unwrap() < 5.0, "{first}");
    // GetFeatureById.
    let (status, _, one) = text(&s, "/wfs?service=WFS&version=2.0.0&request=GetFeature&storedQuery_Id=urn:ogc:def:query:OGC-WFS::GetFeatureById&id=communes.5").await;
    assert_eq!(status, 200);
    assert_eq!(gml_ids(&one), ["communes.5"]);
}

#[tokio::test]
async fn bad_requests_get_exception_reports() {
    let s = start().await;
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo><fes:ValueReference>nom</fes:ValueReference><fes:Literal>&lol2;</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"#;
    let enc = |t: &str| form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
    for (q, status, code, locator) in [
        ("request=GetFeature&typeNames=communes", 400, "MissingParameterValue", "version"),
        ("version=2.0.0&request=GetFeature&typeNames=nope", 400, "InvalidParameterValue", "typeNames"),
        ("version=2.0.0&request=GetFeature&typeNames=communes&srsName=EPSG:3950", 400, "InvalidParameterValue", "srsName"),
        ("version=2.0.0&request=GetFeature&typeNames=communes&outputFormat=shapezip", 400, "InvalidParameterValue", "outputFormat"),
        ("version=2.0.0&request=GetFeature&typeNames=communes&sortBy=nope", 400, "InvalidParameterValue", "sortBy"),
        (&format!("version=2.0.0&request=GetFeature&typeNames=communes&filter={}", enc(laughs)), 400, "InvalidParameterValue", "filter"),
        (&format!("version=2.0.0&request=GetFeature&typeNames=communes&filter={}", enc("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"><fes:PropertyIsEqualTo><fes:ValueReference>population</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>")), 400, "InvalidParameterValue", "filter"),
        ("version=2.0.0&request=Transaction", 501, "OperationNotSupported", "request"),
        (&format!("version=2.0.0&request=GetFeature&typeNames=communes&filter={}", "x".repeat(5000)), 400, "InvalidParameterValue", "filter"),
    ] {
        let (st, ct, xml) = text(&s, &format!("/wfs?service=WFS&{q}")).await;
        assert_eq!(st, status, "{q}: {xml}");
        assert!(ct.starts_with("application/xml"), "{q}");
        assert!(xml.contains(&format!("exceptionCode=\"{code}\"")) && xml.contains(&format!("locator=\"{locator}\"")), "{q}: {xml}");
        validate(&xml, "ows/1.1.0/owsExceptionReport.xsd");
    }
    let (st, _, xml) = text(&s, "/ows?service=WCS&request=GetCapabilities").await;
    assert_eq!(st, 400, "{xml}");
    assert_eq!(s.get("/health").await.status(), 200);
}

#[tokio::test]
async fn stored_queries_and_property_values() {
    let s = start().await;
    let (status, _, list) = text(&s, "/wfs?service=WFS&version=2.0.0&request=ListStoredQueries").await;
    assert_eq!(status, 200);
    assert!(list.contains("urn:ogc:def:query:OGC-WFS::GetFeatureById"));
    validate(&list, "wfs/2.0/wfs.xsd");
    let (_, _, described) = text(&s, "/wfs?service=WFS&version=2.0.0&request=DescribeStoredQueries&storedQuery_Id=urn:ogc:def:query:OGC-WFS::GetFeatureById").await;
    validate(&described, "wfs/2.0/wfs.xsd");
    let (status, _, xml) = text(&s, "/wfs?service=WFS&version=2.0.0&request=DescribeStoredQueries&storedQuery_Id=nope").await;
    assert_eq!(status, 400, "{xml}");
    let (status, _, values) = text(&s, "/wfs?service=WFS&version=2.0.0&request=GetPropertyValue&typeNames=communes&valueReference=nom&count=3&sortBy=nom").await;
    assert_eq!(status, 200, "{values}");
    assert_eq!(attr(&values, "numberReturned").as_deref(), Some("3"));
    assert_eq!(attr(&values, "numberMatched").as_deref(), Some("3808"));
    assert!(values.contains("<wfs:member>Abbécourt</wfs:member>") || values.matches("<wfs:member>").count() == 3, "{values}");
    validate(&values, "wfs/2.0/wfs.xsd");
    let (status, _, xml) = text(&s, "/wfs?service=WFS&version=2.0.0&request=GetPropertyValue&typeNames=communes&valueReference=population").await;
    assert_eq!(status, 400, "{xml}");
}

#[tokio::test]
async fn xml_post_requests_match_kvp() {
    let s = start().await;
    let post = |body: String| {
        let client = s.client.clone();
        let url = format!("{}/wfs", s.base);
        async move {
            let res = client.post(url).header("content-type", "application/xml").body(body).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let body = r#"<wfs:GetFeature service="WFS" version="2.0.0" count="1000" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:ossature="https://ossature.org/features">
  <wfs:Query typeNames="ossature:ocs2d"><fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>millesime</fes:ValueReference><fes:Literal>2015</fes:Literal></fes:PropertyIsEqualTo></fes:Filter></wfs:Query>
</wfs:GetFeature>"#;
    let (status, xml) = post(body.to_string()).await;
    assert_eq!(status, 200, "{xml}");
    let api = s.json("/collections/ocs2d/items?millesime=2015&limit=1").await;
    assert_eq!(attr(&xml, "numberMatched"), api["numberMatched"].as_u64().map(|n| n.to_string()));
    assert_eq!(gml_ids(&xml).len(), 687);
    let (status, caps) = post(r#"<wfs:GetCapabilities service="WFS" xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#.to_string()).await;
    assert_eq!(status, 200);
    validate(&caps, "wfs/2.0/wfs.xsd");
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query typeNames="ocs2d"/></wfs:GetFeature>"#;
    // A 10 MB filter is refused before it is parsed.
    let huge = format!(
        r#"<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"><wfs:Query typeNames="ocs2d"><fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>code_cs</fes:ValueReference><fes:Literal>{}</fes:Literal></fes:PropertyIsEqualTo></fes:Filter></wfs:Query></wfs:GetFeature>"#,
        "x".repeat(10_000_000)
    );
    for bad in [laughs.to_string(), "<wfs:GetFeature".to_string(), "not xml at all".to_string(), huge] {
        let (status, xml) = post(bad).await;
        assert_eq!(status, 400, "{xml}");
        assert!(xml.contains("OperationParsingFailed"), "{xml}");
    }
    assert_eq!(s.get("/health").await.status(), 200);
}

/// WFS 1.0.0, which ArcGIS probes: GML 2 features, XSD with GML 2 property types.
#[tokio::test]
async fn wfs_1_0_0_serves_gml2() {
    let s = start().await;
    let (status, ct, xml) = text(&s, "/wfs?service=WFS&version=1.0.0&request=GetFeature&typeName=communes&maxFeatures=2").await;
    assert_eq!((status, ct.as_str()), (200, "text/xml; subtype=gml/2.1.2"), "{xml}");
    assert_eq!(xml.matches("<gml:featureMember>").count(), 2);
    assert!(xml.contains("fid=\"communes.") && xml.contains("<gml:coordinates") && xml.contains("<gml:MultiPolygon"), "{}", &xml[..2000.min(xml.len())]);
    let (status, _, xsd) = text(&s, "/wfs?service=WFS&version=1.0.0&request=DescribeFeatureType&typeName=communes").await;
    assert_eq!(status, 200);
    assert!(xsd.contains("gml:MultiPolygonPropertyType") && xsd.contains("gml/2.1.2/feature.xsd"), "{xsd}");
    let (_, _, page) = text(&s, "/wfs?service=WFS&version=1.0.0&request=GetFeature&typeName=ocs2d&maxFeatures=500").await;
    assert_eq!(page.matches("<gml:featureMember>").count(), 500);
}
