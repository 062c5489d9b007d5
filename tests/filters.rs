//! One filter engine for every language and source: each case is written in CQL2-text,
//! CQL2-JSON and (where FES can say it) FES 2.0; every version, on the GeoPackage and on the
//! PostGIS copy of the same data, must select the same features.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use futures_util::TryStreamExt;
use ogc::filter::{Filter, cql2_json, cql2_text, fes};
use ossature::registry::{Layer, Registry};
use ossature::source::Query;

const TOTAL: usize = 4154;

/// (CQL2-text, CQL2-JSON, FES 2.0 body without the <fes:Filter> wrapper, or "").
const CASES: &[(&str, &str, &str)] = &[
    ("millesime = 2015", r#"{"op":"=","args":[{"property":"millesime"},2015]}"#,
     "<fes:PropertyIsEqualTo><fes:ValueReference>millesime</fes:ValueReference><fes:Literal>2015</fes:Literal></fes:PropertyIsEqualTo>"),
    ("millesime <> 2015", r#"{"op":"<>","args":[{"property":"millesime"},2015]}"#,
     "<fes:PropertyIsNotEqualTo><fes:ValueReference>millesime</fes:ValueReference><fes:Literal>2015</fes:Literal></fes:PropertyIsNotEqualTo>"),
    ("surf_m2 > 3500", r#"{"op":">","args":[{"property":"surf_m2"},3500]}"#,
     "<fes:PropertyIsGreaterThan><fes:ValueReference>surf_m2</fes:ValueReference><fes:Literal>3500</fes:Literal></fes:PropertyIsGreaterThan>"),
    ("surf_m2 >= 3000 AND surf_m2 < 3200", r#"{"op":"and","args":[{"op":">=","args":[{"property":"surf_m2"},3000]},{"op":"<","args":[{"property":"surf_m2"},3200]}]}"#,
     "<fes:And><fes:PropertyIsGreaterThanOrEqualTo><fes:ValueReference>surf_m2</fes:ValueReference><fes:Literal>3000</fes:Literal></fes:PropertyIsGreaterThanOrEqualTo><fes:PropertyIsLessThan><fes:ValueReference>surf_m2</fes:ValueReference><fes:Literal>3200</fes:Literal></fes:PropertyIsLessThan></fes:And>"),
    ("code_cs LIKE 'CS2.1%'", r#"{"op":"like","args":[{"property":"code_cs"},"CS2.1%"]}"#,
     r#"<fes:PropertyIsLike wildCard="*" singleChar="." escapeChar="!"><fes:ValueReference>code_cs</fes:ValueReference><fes:Literal>CS2!.1*</fes:Literal></fes:PropertyIsLike>"#),
    ("code_us LIKE 'US1._'", r#"{"op":"like","args":[{"property":"code_us"},"US1._"]}"#,
     r#"<fes:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\"><fes:ValueReference>code_us</fes:ValueReference><fes:Literal>US1._</fes:Literal></fes:PropertyIsLike>"#),
    ("surf_m2 BETWEEN 2500 AND 2600", r#"{"op":"between","args":[{"property":"surf_m2"},2500,2600]}"#,
     "<fes:PropertyIsBetween><fes:ValueReference>surf_m2</fes:ValueReference><fes:LowerBoundary><fes:Literal>2500</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>2600</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween>"),
    ("code_cs IN ('CS2.1.1.1', 'CS2.2.1')", r#"{"op":"in","args":[{"property":"code_cs"},["CS2.1.1.1","CS2.2.1"]]}"#,
     "<fes:Or><fes:PropertyIsEqualTo><fes:ValueReference>code_cs</fes:ValueReference><fes:Literal>CS2.1.1.1</fes:Literal></fes:PropertyIsEqualTo><fes:PropertyIsEqualTo><fes:ValueReference>code_cs</fes:ValueReference><fes:Literal>CS2.2.1</fes:Literal></fes:PropertyIsEqualTo></fes:Or>"),
    ("NOT (millesime = 2021)", r#"{"op":"not","args":[{"op":"=","args":[{"property":"millesime"},2021]}]}"#,
     "<fes:Not><fes:PropertyIsEqualTo><fes:ValueReference>millesime</fes:ValueReference><fes:Literal>2021</fes:Literal></fes:PropertyIsEqualTo></fes:Not>"),
    ("millesime = 2015 OR surf_m2 < 2000", r#"{"op":"or","args":[{"op":"=","args":[{"property":"millesime"},2015]},{"op":"<","args":[{"property":"surf_m2"},2000]}]}"#,
     "<fes:Or><fes:PropertyIsEqualTo><fes:ValueReference>millesime</fes:ValueReference><fes:Literal>2015</fes:Literal></fes:PropertyIsEqualTo><fes:PropertyIsLessThan><fes:ValueReference>surf_m2</fes:ValueReference><fes:Literal>2000</fes:Literal></fes:PropertyIsLessThan></fes:Or>"),
    ("CASEI(code_us) = CASEI('us1.2')", r#"{"op":"=","args":[{"op":"casei","args":[{"property":"code_us"}]},{"op":"casei","args":["us1.2"]}]}"#,
     r#"<fes:PropertyIsEqualTo matchCase="false"><fes:ValueReference>code_us</fes:ValueReference><fes:Literal>us1.2</fes:Literal></fes:PropertyIsEqualTo>"#),
    ("surf_m2 * 2 > 7000", r#"{"op":">","args":[{"op":"*","args":[{"property":"surf_m2"},2]},7000]}"#, ""),
    ("S_INTERSECTS(geom, BBOX(2.95, 50.64, 2.96, 50.65))", r#"{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[2.95,50.64,2.96,50.65]}]}"#,
     r#"<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="http://www.opengis.net/def/crs/OGC/1.3/CRS84"><gml:lowerCorner>2.95 50.64</gml:lowerCorner><gml:upperCorner>2.96 50.65</gml:upperCorner></gml:Envelope></fes:BBOX>"#),
    ("S_INTERSECTS(geom, BBOX(2.95, 50.64, 2.96, 50.65))", r#"{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[2.95,50.64,2.96,50.65]}]}"#,
     r#"<fes:BBOX><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>50.64 2.95</gml:lowerCorner><gml:upperCorner>50.65 2.96</gml:upperCorner></gml:Envelope></fes:BBOX>"#),
    ("S_WITHIN(geom, POLYGON((2.95 50.64, 2.97 50.64, 2.97 50.655, 2.95 50.64)))",
     r#"{"op":"s_within","args":[{"property":"geom"},{"type":"Polygon","coordinates":[[[2.95,50.64],[2.97,50.64],[2.97,50.655],[2.95,50.64]]]}]}"#,
     r#"<fes:Within><fes:ValueReference>geom</fes:ValueReference><gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing><gml:posList>50.64 2.95 50.64 2.97 50.655 2.97 50.64 2.95</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></fes:Within>"#),
    ("S_INTERSECTS(geom, POINT(2.96 50.645))", r#"{"op":"s_intersects","args":[{"property":"geom"},{"type":"Point","coordinates":[2.96,50.645]}]}"#,
     r#"<fes:Intersects><fes:ValueReference>geom</fes:ValueReference><gml:Point srsName="http://www.opengis.net/def/crs/OGC/1.3/CRS84"><gml:pos>2.96 50.645</gml:pos></gml:Point></fes:Intersects>"#),
    ("S_CONTAINS(geom, POINT(2.96 50.645))", r#"{"op":"s_contains","args":[{"property":"geom"},{"type":"Point","coordinates":[2.96,50.645]}]}"#, ""),
    ("S_DISJOINT(geom, BBOX(2.95, 50.64, 2.96, 50.65)) AND millesime = 2015",
     r#"{"op":"and","args":[{"op":"s_disjoint","args":[{"property":"geom"},{"bbox":[2.95,50.64,2.96,50.65]}]},{"op":"=","args":[{"property":"millesime"},2015]}]}"#, ""),
    ("S_INTERSECTS(geom, BBOX(2.95, 50.64, 2.96, 50.65)) OR millesime = 2015",
     r#"{"op":"or","args":[{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[2.95,50.64,2.96,50.65]}]},{"op":"=","args":[{"property":"millesime"},2015]}]}"#, ""),
    ("T_AFTER(date_maj, DATE('2022-06-01'))", r#"{"op":"t_after","args":[{"property":"date_maj"},{"date":"2022-06-01"}]}"#,
     r#"<fes:After><fes:ValueReference>date_maj</fes:ValueReference><gml:TimeInstant gml:id="t1"><gml:timePosition>2022-06-01</gml:timePosition></gml:TimeInstant></fes:After>"#),
    ("T_BEFORE(date_maj, DATE('2015-06-01'))", r#"{"op":"t_before","args":[{"property":"date_maj"},{"date":"2015-06-01"}]}"#, ""),
    ("T_DURING(date_maj, INTERVAL('2021-03-01', '2021-04-01'))", r#"{"op":"t_during","args":[{"property":"date_maj"},{"interval":["2021-03-01","2021-04-01"]}]}"#,
     r#"<fes:During><fes:ValueReference>date_maj</fes:ValueReference><gml:TimePeriod gml:id="p1"><gml:begin><gml:TimeInstant gml:id="b"><gml:timePosition>2021-03-01</gml:timePosition></gml:TimeInstant></gml:begin><gml:end><gml:TimeInstant gml:id="e"><gml:timePosition>2021-04-01</gml:timePosition></gml:TimeInstant></gml:end></gml:TimePeriod></fes:During>"#),
    ("T_INTERSECTS(date_maj, INTERVAL('..', '2015-12-31'))", r#"{"op":"t_intersects","args":[{"property":"date_maj"},{"interval":["..","2015-12-31"]}]}"#, ""),
    ("date_maj = DATE('2021-09-11')", r#"{"op":"=","args":[{"property":"date_maj"},{"date":"2021-09-11"}]}"#,
     "<fes:PropertyIsEqualTo><fes:ValueReference>date_maj</fes:ValueReference><fes:Literal>2021-09-11</fes:Literal></fes:PropertyIsEqualTo>"),
];

fn fes_document(body: &str) -> String {
    format!(r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">{body}</fes:Filter>"#)
}

async fn ids(layer: &Arc<Layer>, filter: Filter) -> BTreeSet<i64> {
    let filter = ossature::bind::bind(filter, &layer.table, ogc::crs::Crs::Crs84).unwrap_or_else(|e| panic!("{}: {e}", layer.id));
    let query = Query { filter: Some(filter), ..Default::default() };
    let features: Vec<_> = layer.source.features(layer.table.clone(), query).try_collect().await.unwrap_or_else(|e| panic!("{}: {e}", layer.id));
    features.iter().map(|f| match f.id {
        Some(ogc::value::Value::Int(i)) => i,
        ref other => panic!("integer id expected, got {other:?}"),
    }).collect()
}

#[tokio::test]
async fn every_language_and_source_selects_the_same_features() {
    let registry = Registry::build(&common::config("")).await.expect("registry builds");
    let mut layers = vec![registry.layer("ocs2d").unwrap().clone()];
    if let Some(pg) = registry.layer("pg_ocs2d") {
        layers.push(pg.clone());
    }
    for (text, json, fes_body) in CASES {
        let mut results = Vec::new();
        for layer in &layers {
            results.push((format!("{} cql2-text", layer.id), ids(layer, cql2_text::parse(text, None).unwrap_or_else(|e| panic!("{text}: {e}"))).await));
            results.push((format!("{} cql2-json", layer.id), ids(layer, cql2_json::parse(json, None).unwrap_or_else(|e| panic!("{json}: {e}"))).await));
            if !fes_body.is_empty() {
                let doc = fes_document(fes_body);
                results.push((format!("{} fes", layer.id), ids(layer, fes::parse(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"))).await));
            }
        }
        let (first_name, first) = &results[0];
        assert!(!first.is_empty() && first.len() < TOTAL, "{text}: selects {} of {TOTAL}: the case tests nothing", first.len());
        for (name, set) in &results[1..] {
            assert_eq!(set, first, "{text}: {name} differs from {first_name}");
        }
    }
}

#[tokio::test]
async fn case_sensitivity_of_like_is_the_same_on_both_sources() {
    let registry = Registry::build(&common::config("")).await.unwrap();
    for id in ["ocs2d", "pg_ocs2d"] {
        let Some(layer) = registry.layer(id) else { continue };
        let lower = ids(layer, cql2_text::parse("code_us LIKE 'us1%'", None).unwrap()).await;
        let upper = ids(layer, cql2_text::parse("code_us LIKE 'US1%'", None).unwrap()).await;
        let casei = ids(layer, cql2_text::parse("CASEI(code_us) LIKE CASEI('us1%')", None).unwrap()).await;
        assert!(lower.is_empty(), "{id}: LIKE is case-sensitive");
        assert_eq!(upper, casei, "{id}");
        assert_eq!(upper.len(), 748 + 1218 + 34, "{id}");
    }
}
