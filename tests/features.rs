//! OGC API Features over GeoPackage and PostGIS, through the HTTP server started in-process.

mod common;

use std::collections::HashSet;

use common::{start, walk};
use serde_json::Value;

const COMMUNES: usize = 3808;
const OCS2D: usize = 4154;

fn ids(features: &[Value]) -> Vec<i64> {
    features.iter().map(|f| f["id"].as_i64().expect("integer id")).collect()
}

#[tokio::test]
async fn paging_walks_every_feature_exactly_once() {
    let s = start().await;
    for (collection, expected) in [("communes", COMMUNES), ("ocs2d", OCS2D), ("pg_communes", COMMUNES), ("pg_ocs2d", OCS2D)] {
        if !s.collections().contains(&collection) {
            continue;
        }
        let all = walk(&s, &format!("/collections/{collection}/items?limit=700")).await;
        let unique: HashSet<i64> = ids(&all).into_iter().collect();
        assert_eq!(all.len(), expected, "{collection}");
        assert_eq!(unique.len(), expected, "{collection}: a feature came twice");
    }
}

#[tokio::test]
async fn paging_without_a_primary_key_is_stable() {
    let s = start().await;
    if !s.collections().contains(&"pg_ocs2d_nopk") {
        return;
    }
    let all = walk(&s, "/collections/pg_ocs2d_nopk/items?limit=900").await;
    assert_eq!(all.len(), OCS2D);
    // No id: compare whole features (the synthetic surfaces and geometries are distinct).
    let unique: HashSet<String> = all.iter().map(|f| format!("{}{}", f["properties"], f["geometry"])).collect();
    assert_eq!(unique.len(), OCS2D, "a feature came twice or one was skipped");
}

#[tokio::test]
async fn number_matched_and_links() {
    let s = start().await;
    for c in s.collections() {
        let page = s.json(&format!("/collections/{c}/items?limit=5&offset=10")).await;
        assert_eq!(page["numberReturned"], 5, "{c}");
        let expected = if c.contains("communes") { COMMUNES } else { OCS2D };
        assert_eq!(page["numberMatched"].as_u64(), Some(expected as u64), "{c}");
        let rels: Vec<&str> = page["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap()).collect();
        for rel in ["self", "alternate", "next", "prev", "collection"] {
            assert!(rels.contains(&rel), "{c}: no {rel} link in {rels:?}");
        }
        let prev = page["links"].as_array().unwrap().iter().find(|l| l["rel"] == "prev").unwrap();
        assert!(prev["href"].as_str().unwrap().contains("offset=5"), "{prev}");
    }
}

/// A box well inside one commune selects the same feature whatever CRS the box is given in.
#[tokio::test]
async fn bbox_in_crs84_4326_and_2154_select_the_same_features() {
    let s = start().await;
    // Around Lille's town hall, Amiens' cathedral and a rural spot of the Aisne (CRS84).
    let boxes = [(3.0700, 50.6300, 3.0720, 50.6310), (2.3010, 49.8940, 2.3030, 49.8950), (3.6000, 49.5000, 3.6400, 49.5200)];
    for collection in ["communes", "pg_communes"] {
        if !s.collections().contains(&collection) {
            continue;
        }
        for (x0, y0, x1, y1) in boxes {
            let crs84 = s.json(&format!("/collections/{collection}/items?bbox={x0},{y0},{x1},{y1}")).await;
            let epsg4326 = s
                .json(&format!("/collections/{collection}/items?bbox={y0},{x0},{y1},{x1}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326"))
                .await;
            // The same box in Lambert-93 (its corners transformed; the box is small enough that
            // its curvature is far below a commune's size).
            let t = ossature::crs::Transform::to_storage(ogc::crs::Crs::Crs84, true, ogc::crs::Crs::Epsg(2154)).unwrap();
            let (a, b) = t.convert(x0, y0).unwrap();
            let (c, d) = t.convert(x1, y1).unwrap();
            let l93 = s
                .json(&format!(
                    "/collections/{collection}/items?bbox={a},{b},{c},{d}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2154"
                ))
                .await;
            let set = |v: &Value| -> Vec<String> {
                let mut x: Vec<String> = v["features"].as_array().unwrap().iter().map(|f| f["properties"]["insee"].as_str().unwrap().to_string()).collect();
                x.sort();
                x
            };
            assert!(!set(&crs84).is_empty(), "{collection} {x0},{y0}: nothing selected");
            assert_eq!(set(&crs84), set(&epsg4326), "{collection}: CRS84 vs EPSG:4326 (lat/lon)");
            assert_eq!(set(&crs84), set(&l93), "{collection}: CRS84 vs EPSG:2154");
        }
    }
}

/// GeoPackage and PostGIS give the same features for the same request.
#[tokio::test]
async fn geopackage_and_postgis_agree() {
    let s = start().await;
    for (gpkg, pg) in s.pairs() {
        for q in ["bbox=2.95,50.63,2.97,50.65&limit=1000", "limit=50&offset=100", "datetime=2021-01-01/2021-06-30&limit=1000"] {
            if q.starts_with("datetime") && !gpkg.contains("ocs2d") {
                continue;
            }
            let a = s.json(&format!("/collections/{gpkg}/items?{q}")).await;
            let b = s.json(&format!("/collections/{pg}/items?{q}")).await;
            assert_eq!(ids(a["features"].as_array().unwrap()), ids(b["features"].as_array().unwrap()), "{gpkg} vs {pg}: {q}");
            assert_eq!(a["features"][0]["properties"], b["features"][0]["properties"], "{gpkg} vs {pg}: {q}");
            assert_eq!(a["numberMatched"], b["numberMatched"], "{gpkg} vs {pg}: {q}");
        }
    }
}

#[tokio::test]
async fn datetime_selects_by_the_temporal_field() {
    let s = start().await;
    for c in ["ocs2d", "pg_ocs2d"] {
        if !s.collections().contains(&c) {
            continue;
        }
        let all = walk(&s, &format!("/collections/{c}/items?limit=1000")).await;
        let dates: Vec<String> = all.iter().map(|f| f["properties"]["date_maj"].as_str().unwrap().to_string()).collect();
        for (q, lo, hi) in [("2021-01-01/2021-06-30", "2021-01-01", "2021-06-30"), ("../2016-12-31", "0000", "2016-12-31"), ("2022-12-15", "2022-12-15", "2022-12-15")] {
            let expected = dates.iter().filter(|d| d.as_str() >= lo && d.as_str() <= hi).count();
            let got = walk(&s, &format!("/collections/{c}/items?limit=1000&datetime={q}")).await;
            assert_eq!(got.len(), expected, "{c} datetime={q}");
            assert!(expected > 0, "{c} datetime={q}: the test should select something");
        }
    }
}

#[tokio::test]
async fn output_crs_and_content_crs_header() {
    let s = start().await;
    for c in ["communes", "pg_communes"] {
        if !s.collections().contains(&c) {
            continue;
        }
        let res = s.get(&format!("/collections/{c}/items/1?crs=http://www.opengis.net/def/crs/EPSG/0/2154")).await;
        assert_eq!(res.headers()["content-crs"], "<http://www.opengis.net/def/crs/EPSG/0/2154>");
        let l93: Value = res.json().await.unwrap();
        let res = s.get(&format!("/collections/{c}/items/1")).await;
        assert_eq!(res.headers()["content-crs"], "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
        let crs84: Value = res.json().await.unwrap();
        let latlon: Value = s.json(&format!("/collections/{c}/items/1?crs=http://www.opengis.net/def/crs/EPSG/0/4326")).await;
        let p = &l93["geometry"]["coordinates"][0][0][0];
        let q = &crs84["geometry"]["coordinates"][0][0][0];
        let r = &latlon["geometry"]["coordinates"][0][0][0];
        let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
        let (lon, lat) = ossature::crs::Transform::from_storage(ogc::crs::Crs::Epsg(2154), ogc::crs::Crs::Crs84, true).unwrap().convert(x, y).unwrap();
        assert!((q[0].as_f64().unwrap() - lon).abs() < 1e-7 && (q[1].as_f64().unwrap() - lat).abs() < 1e-7, "{q} vs {lon},{lat}");
        assert_eq!((r[0].clone(), r[1].clone()), (q[1].clone(), q[0].clone()), "EPSG:4326 is latitude first");
    }
}

#[tokio::test]
async fn property_filters_on_queryables() {
    let s = start().await;
    let page = s.json("/collections/communes/items?nom=Lille").await;
    assert_eq!(page["numberReturned"], 1);
    assert_eq!(page["features"][0]["properties"]["insee"], "59350");
    let page = s.json("/collections/communes/items?dep=80&limit=1").await;
    assert_eq!(page["features"][0]["properties"]["dep"], "80");
}

#[tokio::test]
async fn bad_input_gets_problem_details() {
    let s = start().await;
    for (path, status, param) in [
        ("/collections/nope", 404, ""),
        ("/collections/nope/items", 404, ""),
        ("/collections/communes/items/999999", 404, ""),
        ("/collections/communes/items/abc", 404, ""),
        ("/collections/communes/items?bbox=1,2,3", 400, "bbox"),
        ("/collections/communes/items?bbox=a,b,c,d", 400, "bbox"),
        ("/collections/communes/items?crs=EPSG:99999", 400, "crs"),
        ("/collections/communes/items?crs=http://www.opengis.net/def/crs/EPSG/0/3950", 400, "crs"),
        ("/collections/communes/items?limit=-1", 400, "limit"),
        ("/collections/communes/items?limit=abc", 400, "limit"),
        ("/collections/communes/items?datetime=notadate", 400, "datetime"),
        ("/collections/communes/items?unknown=1", 400, "unknown"),
        ("/collections/communes/items?surf_ha=big", 400, "surf_ha"),
        ("/collections/communes/items?f=xml", 400, "f"),
        ("/collections?foo=bar", 400, "foo"),
    ] {
        let res = s.get(path).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["status"], status, "{path}");
        if !param.is_empty() {
            assert!(p["detail"].as_str().unwrap().contains(&format!("'{param}'")), "{path}: {p}");
        }
    }
    // datetime on a collection without temporal information does not exclude anything.
    assert_eq!(s.json("/collections/communes/items?datetime=2021-01-01&limit=1").await["numberMatched"], 3808);
    // Oversized limits are capped, not refused.
    assert_eq!(s.json("/collections/communes/items?limit=100000").await["numberReturned"], 1000);
    // Unknown paths and methods.
    let res = s.get("/no/such/path").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = s.client.delete(format!("{}/collections/communes/items/1", s.base)).send().await.unwrap();
    assert_eq!(res.status(), 405);
    // And the server still answers.
    assert_eq!(s.get("/health").await.status(), 200);
}

#[tokio::test]
async fn html_pages_render() {
    let s = start().await;
    for path in ["/", "/conformance", "/api", "/collections", "/collections/communes", "/collections/communes/items", "/collections/communes/items/1", "/collections/ocs2d/items?limit=3"] {
        let res = s.client.get(format!("{}{}", s.base, path)).header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8").send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        let body = res.text().await.unwrap();
        assert!(body.starts_with("<!DOCTYPE html>") && body.contains("</html>"), "{path}");
    }
    let body = s.get("/collections/communes/items?f=html&nom=Lille").await.text().await.unwrap();
    assert!(body.contains("59350") && body.contains("L.geoJSON"), "table and map");
    assert!(s.get("/assets/leaflet.js").await.status() == 200);
}

#[tokio::test]
async fn landing_conformance_and_api() {
    let s = start().await;
    let landing = s.json("/").await;
    let rels: Vec<&str> = landing["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap()).collect();
    for rel in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.contains(&rel), "{rel}");
    }
    let conf = s.json("/conformance").await;
    assert!(conf["conformsTo"].as_array().unwrap().iter().any(|c| c == "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"));
    let res = s.get("/api").await;
    assert_eq!(res.headers()["content-type"], "application/vnd.oai.openapi+json;version=3.0");
    let api: Value = res.json().await.unwrap();
    for c in s.collections() {
        assert!(api["paths"][format!("/collections/{c}/items")].is_object(), "{c}");
    }
    let collection = s.json("/collections/ocs2d").await;
    assert_eq!(collection["storageCrs"], "http://www.opengis.net/def/crs/EPSG/0/2154");
    assert!(collection["crs"].as_array().unwrap().iter().any(|c| c == "http://www.opengis.net/def/crs/EPSG/0/3950"));
    assert_eq!(collection["extent"]["temporal"]["interval"][0][0], "2015-03-02T00:00:00Z");
}

#[tokio::test]
async fn health_and_metrics() {
    let s = start().await;
    let h = s.json("/health").await;
    assert_eq!(h["status"], "ok");
    s.get("/collections/communes/items?limit=1").await;
    let m = s.get("/metrics").await.text().await.unwrap();
    assert!(m.contains(r#"ossature_requests_total{service="features",collection="communes",status="200"}"#), "{m}");
}

#[tokio::test]
async fn public_url_is_used_in_links() {
    let s = common::start_with("").await;
    let page = s.json("/collections/communes/items?limit=1").await;
    assert!(page["links"][0]["href"].as_str().unwrap().starts_with(&s.base));
}

#[tokio::test]
async fn part3_filter_queryables_and_sortby() {
    let s = start().await;
    for c in ["ocs2d", "pg_ocs2d"] {
        if !s.collections().contains(&c) {
            continue;
        }
        let q = s.json(&format!("/collections/{c}/queryables")).await;
        assert_eq!(q["type"], "object");
        assert_eq!(q["properties"]["date_maj"]["format"], "date");
        assert_eq!(q["properties"]["geom"]["format"], "geometry-polygon");
        let text = s.json(&format!("/collections/{c}/items?limit=1000&filter=millesime%3D2015%20AND%20surf_m2%20%3E%203000")).await;
        let json = s
            .json(&format!(
                "/collections/{c}/items?limit=1000&filter-lang=cql2-json&filter={}",
                form_urlencoded::byte_serialize(br#"{"op":"and","args":[{"op":"=","args":[{"property":"millesime"},2015]},{"op":">","args":[{"property":"surf_m2"},3000]}]}"#).collect::<String>()
            ))
            .await;
        assert_eq!(ids(text["features"].as_array().unwrap()), ids(json["features"].as_array().unwrap()), "{c}");
        let n = text["numberReturned"].as_u64().unwrap();
        assert!(n > 0 && n < 687, "{c}: {n}");
        for f in text["features"].as_array().unwrap() {
            assert_eq!(f["properties"]["millesime"], 2015);
            assert!(f["properties"]["surf_m2"].as_f64().unwrap() > 3000.0);
        }
        // filter-crs: the same box in Lambert-93.
        let crs84 = s.json(&format!("/collections/{c}/items?limit=1000&filter=S_INTERSECTS(geom,BBOX(2.95,50.64,2.96,50.65))")).await;
        let t = ossature::crs::Transform::to_storage(ogc::crs::Crs::Crs84, true, ogc::crs::Crs::Epsg(2154)).unwrap();
        let ring: Vec<String> = [(2.95, 50.64), (2.96, 50.64), (2.96, 50.65), (2.95, 50.65), (2.95, 50.64)]
            .iter()
            .map(|&(x, y)| {
                let (a, b) = t.convert(x, y).unwrap();
                format!("{a} {b}")
            })
            .collect();
        let l93 = s
            .json(&format!(
                "/collections/{c}/items?limit=1000&filter-crs=http://www.opengis.net/def/crs/EPSG/0/2154&filter={}",
                form_urlencoded::byte_serialize(format!("S_INTERSECTS(geom,POLYGON(({})))", ring.join(",")).as_bytes()).collect::<String>()
            ))
            .await;
        assert_eq!(ids(crs84["features"].as_array().unwrap()), ids(l93["features"].as_array().unwrap()), "{c}");
        // sortby, with the stable order after it.
        let sorted = s.json(&format!("/collections/{c}/items?limit=50&sortby=-surf_m2")).await;
        let surfaces: Vec<f64> = sorted["features"].as_array().unwrap().iter().map(|f| f["properties"]["surf_m2"].as_f64().unwrap()).collect();
        assert!(surfaces.windows(2).all(|w| w[0] >= w[1]), "{c}: {surfaces:?}");
        assert_eq!(surfaces[0], 5066.6);
    }
    for (q, param) in [
        ("filter=nom%20%3D", "filter"),
        ("filter=nope%20%3D%201", "filter"),
        ("filter=millesime%20%3D%20'abc'", "filter"),
        ("filter-lang=sql&filter=x", "filter-lang"),
        ("sortby=nope", "sortby"),
        (&format!("filter={}", "x".repeat(5000)), "filter"),
        ("filter=nom%20%3D%20'x'%3B%20DROP%20TABLE%20ocs2d%3B%20--", "filter"),
    ] {
        let res = s.get(&format!("/collections/ocs2d/items?{q}")).await;
        assert_eq!(res.status(), 400, "{q}");
        let p: Value = res.json().await.unwrap();
        assert!(p["detail"].as_str().unwrap().contains(&format!("'{param}'")), "{q}: {p}");
    }
    // An injection attempt inside a string literal is just a string.
    let page = s.json("/collections/ocs2d/items?filter=code_cs%20%3D%20'x''%3B%20DROP%20TABLE%20ocs2d%3B%20--'").await;
    assert_eq!(page["numberReturned"], 0);
    assert_eq!(s.json("/collections/ocs2d/items?limit=1").await["numberMatched"], 4154);
}
