//! Vector tiles end to end: MVT from GeoPackage (encoded in Rust) and from PostGIS
//! (`ST_AsMVT`) decoded with geozero's protobuf types, the two sources compared tile by tile,
//! geometries checked against extent + buffer and the specification's winding, the tile
//! documents, the cache (gzip, ETag, invalidation) and bad requests.

mod common;

use std::collections::BTreeMap;

use geozero::mvt::{Message, Tile, tile};
use ogc::tms::TileMatrixSet;
use serde_json::Value;

/// The demo's land-cover area west of Lille (CRS84), and a point inside it.
const OCS2D_AREA: [f64; 4] = [2.93, 50.625, 2.98, 50.655];

fn xyz(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x as u32, y as u32)
}

/// Every WebMercatorQuad tile (z, row, col) over the area at zoom `z`.
fn tiles_over(area: [f64; 4], z: u32) -> Vec<(u32, u32, u32)> {
    let (c0, r0) = xyz(area[0], area[3], z);
    let (c1, r1) = xyz(area[2], area[1], z);
    (r0..=r1).flat_map(|r| (c0..=c1).map(move |c| (z, r, c))).collect()
}

async fn get_tile(s: &common::TestServer, path: &str) -> (u16, Option<Tile>) {
    let r = s.client.get(format!("{}{path}", s.base)).send().await.unwrap();
    let status = r.status().as_u16();
    if status != 200 {
        return (status, None);
    }
    assert_eq!(r.headers()["content-type"], "application/vnd.mapbox-vector-tile", "{path}");
    let bytes = r.bytes().await.unwrap();
    (status, Some(Tile::decode(&bytes[..]).expect("a valid MVT tile")))
}

/// The rings or lines of a feature's geometry in tile coordinates (MVT command stream).
fn parts(f: &tile::Feature) -> Vec<Vec<(i64, i64)>> {
    let (mut x, mut y) = (0i64, 0i64);
    let mut out: Vec<Vec<(i64, i64)>> = Vec::new();
    let g = &f.geometry;
    let mut i = 0;
    let zigzag = |v: u32| i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
    while i < g.len() {
        let (cmd, count) = (g[i] & 7, g[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                for _ in 0..count {
                    x += zigzag(g[i]);
                    y += zigzag(g[i + 1]);
                    i += 2;
                    if cmd == 1 {
                        out.push(Vec::new());
                    }
                    out.last_mut().expect("MoveTo first").push((x, y));
                }
            }
            7 => {}
            other => panic!("unknown MVT command {other}"),
        }
    }
    out
}

fn signed_area(ring: &[(i64, i64)]) -> i64 {
    (0..ring.len()).map(|i| {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        a.0 * b.1 - b.0 * a.1
    }).sum()
}

fn value_text(v: &tile::Value) -> String {
    if let Some(s) = &v.string_value {
        format!("s:{s}")
    } else if let Some(d) = v.double_value {
        format!("d:{d}")
    } else if let Some(u) = v.uint_value {
        format!("u:{u}")
    } else if let Some(i) = v.sint_value {
        format!("i:{i}")
    } else if let Some(i) = v.int_value {
        format!("i:{i}")
    } else if let Some(b) = v.bool_value {
        format!("b:{b}")
    } else {
        format!("{v:?}")
    }
}

fn perimeter(ring: &[(i64, i64)]) -> f64 {
    (0..ring.len()).map(|i| {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        (((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)) as f64).sqrt()
    }).sum()
}

/// Features of a layer by id: attributes, polygon area and perimeter, after checking every vertex lies
/// within extent + buffer and polygons wind as MVT 2.1 says.
fn features(layer: &tile::Layer, buffer: i64) -> BTreeMap<u64, (BTreeMap<String, String>, i64, f64)> {
    assert_eq!(layer.version, 2);
    let extent = i64::from(layer.extent.unwrap_or(4096));
    let mut out = BTreeMap::new();
    for f in &layer.features {
        let rings = parts(f);
        assert!(!rings.is_empty(), "{}: empty geometry", layer.name);
        for p in rings.iter().flatten() {
            assert!((-buffer..=extent + buffer).contains(&p.0) && (-buffer..=extent + buffer).contains(&p.1), "{}: {p:?} outside extent + buffer", layer.name);
        }
        let (mut area, mut length) = (0, 0.0);
        if f.r#type == Some(tile::GeomType::Polygon as i32) {
            assert!(signed_area(&rings[0]) > 0, "{}: the first ring of feature {:?} is not an exterior ring (positive area)", layer.name, f.id);
            area = rings.iter().map(|r| signed_area(r)).sum::<i64>() / 2;
            length = rings.iter().map(|r| perimeter(r)).sum();
        }
        let attributes = f.tags.chunks(2).map(|kv| (layer.keys[kv[0] as usize].clone(), value_text(&layer.values[kv[1] as usize]))).collect();
        assert!(out.insert(f.id.expect("features carry their id"), (attributes, area, length)).is_none(), "an id came twice");
    }
    out
}

/// PostGIS layers whose tiles the database encodes (`ST_AsMVT`), beside the default ones the
/// server encodes from the rows it reads.
const DATABASE_ENCODED: &str = r#"
[sources.pgdb]
type = "postgis"
url = "${OSSATURE_TEST_PG}"
mvt_encoder = "database"

[[layers]]
id = "db_communes"
source = "pgdb"
table = "communes"

[[layers]]
id = "db_ocs2d"
source = "pgdb"
table = "ocs2d"
"#;

#[tokio::test]
async fn geopackage_and_postgis_give_the_same_features() {
    if !common::has_pg() {
        return;
    }
    let s = common::start_with(DATABASE_ENCODED).await;
    let (mut compared, mut slivers) = (0, 0);
    let mut tiles: Vec<(u32, u32, u32)> = [12, 14].iter().flat_map(|z| tiles_over(OCS2D_AREA, *z)).collect();
    tiles.extend(tiles_over([2.95, 50.64, 2.951, 50.641], 16));
    for (collection, pg, db) in [("ocs2d", "pg_ocs2d", "db_ocs2d"), ("communes", "pg_communes", "db_communes")] {
        for &(z, row, col) in &tiles {
            let path = |c: &str| format!("/collections/{c}/tiles/WebMercatorQuad/{z}/{row}/{col}");
            let (a, b, c) = (get_tile(&s, &path(collection)).await, get_tile(&s, &path(pg)).await, get_tile(&s, &path(db)).await);
            assert_eq!((a.0, a.0), (b.0, c.0), "{}", path(collection));
            let (Some(a), Some(b), Some(c)) = (a.1, b.1, c.1) else { continue };
            assert_eq!((a.layers.len(), b.layers.len(), c.layers.len()), (1, 1, 1));
            assert_eq!([a.layers[0].name.as_str(), b.layers[0].name.as_str(), c.layers[0].name.as_str()], [collection, pg, db]);
            let (fa, fb, fc) = (features(&a.layers[0], 64), features(&b.layers[0], 64), features(&c.layers[0], 64));
            // One encoder over the same rows: the same features, to the vertex (in the order the
            // rows came).
            let outlines = |t: &Tile| t.layers[0].features.iter().map(|f| (f.id, parts(f))).collect::<BTreeMap<_, _>>();
            assert_eq!((&fa, outlines(&a)), (&fb, outlines(&b)), "{}: GeoPackage and PostGIS rows encoded alike", path(collection));
            // ST_AsMVT snaps to the same grid and makes polygons valid with another library
            // (wagyu): the same features but for slivers of a few square units at the edge of
            // the buffer, which one keeps and the other drops, and outlines within a unit.
            for (id, (attrs, area, length)) in &fa {
                let Some((db_attrs, db_area, _)) = fc.get(id) else {
                    assert!(*area <= 8, "{}: feature {id} ({area} square units) missing from ST_AsMVT's tile", path(collection));
                    slivers += 1;
                    continue;
                };
                assert_eq!(attrs, db_attrs, "{}: attributes of {id}", path(collection));
                let tolerance = length + 4.0;
                assert!(((area - db_area) as f64).abs() <= tolerance, "{}: area of {id}: {area} vs {db_area}", path(collection));
            }
            for (id, (_, area, _)) in fc.iter().filter(|(id, _)| !fa.contains_key(id)) {
                assert!(*area <= 8, "{}: feature {id} ({area} square units) missing from the server's tile", path(collection));
                slivers += 1;
            }
            compared += fa.len();
        }
    }
    assert!(compared > 500 && slivers * 100 < compared, "{compared} features compared, {slivers} slivers");
}

#[tokio::test]
async fn dataset_tiles_combine_layers_in_one_tile() {
    let s = common::start().await;
    let (z, row, col) = tiles_over(OCS2D_AREA, 13)[0];
    let (status, t) = get_tile(&s, &format!("/tiles/WebMercatorQuad/{z}/{row}/{col}?collections=communes,ocs2d")).await;
    assert_eq!(status, 200);
    let names: Vec<String> = t.unwrap().layers.iter().map(|l| l.name.clone()).collect();
    assert_eq!(names, ["communes", "ocs2d"]);
    if common::has_pg() {
        let (status, t) = get_tile(&s, &format!("/tiles/WebMercatorQuad/{z}/{row}/{col}?collections=pg_communes,pg_ocs2d")).await;
        assert_eq!(status, 200);
        let t = t.unwrap();
        assert_eq!(t.layers.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["pg_communes", "pg_ocs2d"]);
        assert!(t.layers.iter().all(|l| !l.features.is_empty()));
    }
}

#[tokio::test]
async fn french_grid_tiles_hold_the_same_features_as_web_mercator_ones() {
    let s = common::start().await;
    let set = TileMatrixSet::well_known("LAMB93_5cm_EPSG").unwrap();
    // A level of about 2.4 m per pixel, over the middle of the land-cover area.
    let z = set.closest_matrix(2.4).unwrap();
    let m = &set.matrices[z];
    let (x, y) = (697_750.0, 7_061_250.0);
    let col = ((x - m.point_of_origin[0]) / (m.cell_size * f64::from(m.tile_width))) as u32;
    let row = ((m.point_of_origin[1] - y) / (m.cell_size * f64::from(m.tile_height))) as u32;
    for c in ["ocs2d", "pg_ocs2d"] {
        if c.starts_with("pg_") && !common::has_pg() {
            continue;
        }
        let (status, t) = get_tile(&s, &format!("/collections/{c}/tiles/LAMB93_5cm_EPSG/{}/{row}/{col}", m.id)).await;
        assert_eq!(status, 200, "{c}");
        assert!(features(&t.unwrap().layers[0], 64).len() > 10, "{c}");
    }
}

#[tokio::test]
async fn empty_out_of_range_and_bad_requests() {
    let s = common::start().await;
    // Inside the communes' extent, but outside the land-cover area: no feature.
    let (z, row, col) = tiles_over([2.3, 50.3, 2.3, 50.3], 14)[0];
    assert_eq!(get_tile(&s, &format!("/collections/ocs2d/tiles/WebMercatorQuad/{z}/{row}/{col}")).await.0, 404, "outside the extent");
    let ocs = tiles_over(OCS2D_AREA, 14);
    let mixed = s.client.get(format!("{}/tiles/WebMercatorQuad/14/{row}/{col}?collections=ocs2d,communes", s.base)).send().await.unwrap();
    assert_eq!(mixed.status(), 200, "a dataset tile is served where one of its layers has data");
    let far = tiles_over([1.0, 45.0, 1.0, 45.0], 10)[0];
    let r = s.client.get(format!("{}/collections/communes/tiles/WebMercatorQuad/{}/{}/{}", s.base, far.0, far.1, far.2)).send().await.unwrap();
    assert_eq!(r.status(), 404, "outside the data");
    for (path, status) in [
        (format!("/collections/ocs2d/tiles/WebMercatorQuad/25/{}/{}", ocs[0].1, ocs[0].2), 404),
        ("/collections/ocs2d/tiles/WebMercatorQuad/14/99999999/1".to_string(), 404),
        ("/collections/ocs2d/tiles/WebMercatorQuad/abc/1/1".to_string(), 404),
        ("/collections/ocs2d/tiles/NoSuchSet/14/1/1".to_string(), 404),
        ("/collections/nope/tiles/WebMercatorQuad/14/1/1".to_string(), 404),
        (format!("/collections/ocs2d/tiles/WebMercatorQuad/14/{}/{}?f=png", ocs[0].1, ocs[0].2), 400),
        (format!("/collections/ocs2d/tiles/WebMercatorQuad/14/{}/{}?bogus=1", ocs[0].1, ocs[0].2), 400),
        ("/tiles/WebMercatorQuad/14/1/1?collections=nope".to_string(), 400),
    ] {
        let r = s.client.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
    }
    // Still answering.
    assert_eq!(get_tile(&s, &format!("/collections/ocs2d/tiles/WebMercatorQuad/14/{}/{}", ocs[0].1, ocs[0].2)).await.0, 200);
}

#[tokio::test]
async fn tiles_without_features_are_204() {
    let s = common::start_with(
        r#"
[[layers]]
id = "big_only"
source = "demo"
table = "ocs2d"
[layers.tiles]
filters = [{ cql2 = "surf_m2 > 1e12" }]
"#,
    )
    .await;
    let (z, row, col) = tiles_over(OCS2D_AREA, 14)[0];
    let r = s.client.get(format!("{}/collections/big_only/tiles/WebMercatorQuad/{z}/{row}/{col}", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn tile_settings_shape_the_tiles() {
    let s = common::start_with(
        r#"
[[layers]]
id = "landcover"
source = "demo"
table = "ocs2d"
[layers.tiles]
min_zoom = 13
max_zoom = 15
fields = ["code_cs", "date_maj"]
extent = 512
buffer = 8
simplify = 2
filters = [{ max_zoom = 13, cql2 = "surf_m2 > 4000" }]
"#,
    )
    .await;
    let t13 = tiles_over(OCS2D_AREA, 13);
    assert_eq!(get_tile(&s, &format!("/collections/landcover/tiles/WebMercatorQuad/12/{}/{}", t13[0].1 / 2, t13[0].2 / 2)).await.0, 404, "below min_zoom");
    let mut large_at_13 = 0;
    for (z, row, col) in t13 {
        let (_, t) = get_tile(&s, &format!("/collections/landcover/tiles/WebMercatorQuad/{z}/{row}/{col}")).await;
        let Some(t) = t else { continue };
        let l = &t.layers[0];
        assert_eq!(l.extent, Some(512));
        assert_eq!(l.keys.iter().map(String::as_str).collect::<std::collections::BTreeSet<_>>(), ["code_cs", "date_maj"].into());
        large_at_13 += features(l, 8).len();
        assert!(l.values.iter().any(|v| v.string_value.as_deref().is_some_and(|s| s.len() == 10 && s.as_bytes()[4] == b'-')), "dates as ISO text");
    }
    // The filter drops small parcels at 13 only: the full tiles have more features at 14.
    let full: usize = {
        let mut n = 0;
        for (z, row, col) in tiles_over(OCS2D_AREA, 14) {
            if let (200, Some(t)) = get_tile(&s, &format!("/collections/landcover/tiles/WebMercatorQuad/{z}/{row}/{col}")).await {
                n += features(&t.layers[0], 8).len();
            }
        }
        n
    };
    assert!(large_at_13 > 0 && full > large_at_13 * 2, "filtered {large_at_13}, unfiltered {full}");
}

#[tokio::test]
async fn gzip_identity_etag_and_invalidation() {
    let s = common::start().await;
    let (z, row, col) = tiles_over(OCS2D_AREA, 14)[1];
    let url = format!("{}/collections/ocs2d/tiles/WebMercatorQuad/{z}/{row}/{col}", s.base);
    let plain = reqwest::Client::builder().no_gzip().build().unwrap();
    let gz = plain.get(&url).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let etag = gz.headers()["etag"].clone();
    let gz_body = gz.bytes().await.unwrap();
    let raw = plain.get(&url).send().await.unwrap();
    assert!(raw.headers().get("content-encoding").is_none());
    assert_ne!(raw.headers()["etag"], etag, "each encoding has its validator");
    let raw_body = raw.bytes().await.unwrap();
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz_body[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, raw_body.to_vec());
    Tile::decode(&raw_body[..]).unwrap();
    let again = plain.get(&url).header("accept-encoding", "gzip").header("if-none-match", etag.clone()).send().await.unwrap();
    assert_eq!(again.status(), 304);

    let renders = s.state.registry.tiles.renders();
    plain.get(&url).send().await.unwrap();
    assert_eq!(s.state.registry.tiles.renders(), renders, "served from the cache");
    ossature::vtiles::invalidate_layer(&s.state.registry, "communes").await;
    plain.get(&url).send().await.unwrap();
    assert_eq!(s.state.registry.tiles.renders(), renders, "another layer's change keeps the tile");
    ossature::vtiles::invalidate_layer(&s.state.registry, "ocs2d").await;
    plain.get(&url).send().await.unwrap();
    assert_eq!(s.state.registry.tiles.renders(), renders + 1, "rendered again after invalidation");
}

#[tokio::test]
async fn tileset_documents_and_tilejson() {
    let s = common::start().await;
    let list = s.json("/collections/ocs2d/tiles").await;
    let ids: Vec<&str> = list["tilesets"].as_array().unwrap().iter().map(|t| t["links"][0]["href"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    assert!(ids.contains(&"WebMercatorQuad") && ids.contains(&"LAMB93_5cm_EPSG"), "{ids:?}");
    let ts = s.json("/collections/ocs2d/tiles/WebMercatorQuad").await;
    assert_eq!(ts["dataType"], "vector");
    assert_eq!(ts["layers"][0]["id"], "ocs2d");
    assert_eq!(ts["layers"][0]["geometryDimension"], 2);
    assert_eq!(ts["layers"][0]["propertiesSchema"]["properties"]["surf_m2"]["type"], "number");
    assert!(!ts["tileMatrixSetLimits"].as_array().unwrap().is_empty());
    let tj = s.json("/collections/ocs2d/tiles/WebMercatorQuad/tilejson.json").await;
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["vector_layers"][0]["id"], "ocs2d");
    assert_eq!(tj["vector_layers"][0]["fields"]["code_cs"], "String");
    assert!(tj["tiles"][0].as_str().unwrap().ends_with("/collections/ocs2d/tiles/WebMercatorQuad/{z}/{y}/{x}?f=mvt"));
    let dataset = s.json("/tiles/WebMercatorQuad/tilejson.json?collections=communes,ocs2d").await;
    let layers: Vec<&str> = dataset["vector_layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(layers, ["communes", "ocs2d"]);
    assert!(dataset["tiles"][0].as_str().unwrap().contains("collections=communes%2Cocs2d"));
    let conformance: Value = s.json("/conformance").await;
    assert!(conformance["conformsTo"].as_array().unwrap().iter().any(|c| c == "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt"));
    let style = s.json("/collections/ocs2d/tiles/WebMercatorQuad/style.json").await;
    assert_eq!(style["version"], 8);
    assert!(style["sources"]["ocs2d"]["url"].as_str().unwrap().ends_with("/collections/ocs2d/tiles/WebMercatorQuad/tilejson.json"));
    assert_eq!(style["layers"][0]["type"], "fill", "surfaces are filled");
    assert_eq!(style["layers"][0]["source-layer"], "ocs2d");
    assert_eq!(s.get("/collections/ocs2d/tiles/LAMB93_5cm_EPSG/style.json").await.status(), 404);
    let html = s.get("/collections/ocs2d?f=html").await.text().await.unwrap();
    assert!(html.contains("/assets/maplibre-gl.js") && html.contains("/tiles/WebMercatorQuad/style.json"));
    assert_eq!(s.get("/assets/maplibre-gl.js").await.status(), 200);
    let collection = s.json("/collections/ocs2d").await;
    assert!(collection["links"].as_array().unwrap().iter().any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"));
}

#[tokio::test]
async fn wmts_offers_vector_layers_as_mvt() {
    let s = common::start().await;
    let caps = s.get("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities").await.text().await.unwrap();
    assert!(caps.contains("<ows:Identifier>ocs2d</ows:Identifier>"), "vector layers are offered");
    assert!(caps.contains("<Format>application/vnd.mapbox-vector-tile</Format>"));
    let (z, row, col) = tiles_over(OCS2D_AREA, 14)[0];
    let kvp = format!("/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=ocs2d&STYLE=default&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={row}&TILECOL={col}&FORMAT=application/vnd.mapbox-vector-tile");
    let (status, kvp_tile) = get_tile(&s, &kvp).await;
    assert_eq!(status, 200);
    let (_, ogc_api) = get_tile(&s, &format!("/collections/ocs2d/tiles/WebMercatorQuad/{z}/{row}/{col}")).await;
    assert_eq!(kvp_tile, ogc_api, "one tile whatever the face");
    let (status, rest) = get_tile(&s, &format!("/wmts/ocs2d/default/WebMercatorQuad/{z}/{row}/{col}.mvt")).await;
    assert_eq!(status, 200);
    assert_eq!(rest, ogc_api);
    let far = s.get(&kvp.replace(&format!("TILEROW={row}"), "TILEROW=1")).await;
    assert_eq!(far.status(), 400);
    assert!(far.text().await.unwrap().contains("TileOutOfRange"));
}

/// A tile statement that runs past the query timeout (here: waiting on a lock the test holds)
/// is cancelled and answered `504` with a problem document that names no SQL; the same tile is
/// served once the lock is gone (the timeout was not cached and the connection was kept).
#[tokio::test]
async fn a_tile_past_the_query_timeout_is_504_and_the_next_one_is_served() {
    if !common::has_pg() {
        return;
    }
    let pool = sqlx::PgPool::connect(&std::env::var("OSSATURE_TEST_PG").unwrap()).await.unwrap();
    // A table of this test's own, so that locking it holds no other test up.
    sqlx::query("DROP TABLE IF EXISTS tile_timeout").execute(&pool).await.unwrap();
    sqlx::query("CREATE TABLE tile_timeout AS SELECT * FROM ocs2d").execute(&pool).await.unwrap();
    let mut config = common::config("[[layers]]\nid = \"locked\"\nsource = \"pg\"\ntable = \"tile_timeout\"\n");
    config.server.limits.query_timeout_ms = 700;
    let s = common::serve(config).await;
    let (z, row, col) = tiles_over(OCS2D_AREA, 14)[0];
    let path = format!("/collections/locked/tiles/WebMercatorQuad/{z}/{row}/{col}");

    let mut lock = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE tile_timeout IN ACCESS EXCLUSIVE MODE").execute(&mut *lock).await.unwrap();
    let started = std::time::Instant::now();
    let r = s.get(&path).await;
    assert_eq!(r.status(), 504);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "cancelled at the timeout, not when the lock went");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["status"], 504);
    let text = problem.to_string();
    for leak in ["SELECT", "ST_AsMVT", "tile_timeout", "57014", "statement"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
    lock.rollback().await.unwrap();

    let (status, tile) = get_tile(&s, &path).await;
    assert_eq!(status, 200);
    assert!(!tile.unwrap().layers[0].features.is_empty());
    sqlx::query("DROP TABLE tile_timeout").execute(&pool).await.unwrap();
}

/// The XYZ tile directory serves the OGC tiles under x/y (the OGC path is row/column), with the
/// TileJSON as its metadata.json, and answers 204 where the tileset answers 404 for being
/// outside the data (GDAL reads a whole level and stops at a 404); other errors stay 404.
#[tokio::test]
async fn xyz_directory_mirrors_the_tileset() {
    let s = common::start().await;
    assert_eq!(s.json("/collections/ocs2d/tiles/WebMercatorQuad/xyz/metadata.json").await, s.json("/collections/ocs2d/tiles/WebMercatorQuad/tilejson.json").await);
    let (z, row, col) = tiles_over(OCS2D_AREA, 14)[0];
    let ogc = s.get(&format!("/collections/ocs2d/tiles/WebMercatorQuad/{z}/{row}/{col}")).await.bytes().await.unwrap();
    for ext in ["", ".pbf", ".mvt"] {
        let xyz = s.get(&format!("/collections/ocs2d/tiles/WebMercatorQuad/xyz/{z}/{col}/{row}{ext}")).await;
        assert_eq!(xyz.status(), 200);
        assert_eq!(xyz.bytes().await.unwrap(), ogc, "{ext}");
    }
    let dataset = s.get(&format!("/tiles/WebMercatorQuad/xyz/{z}/{col}/{row}.pbf?collections=ocs2d")).await;
    assert_eq!(dataset.bytes().await.unwrap(), ogc);
    let (z, row, col) = tiles_over([2.3, 50.3, 2.3, 50.3], 14)[0];
    assert_eq!(s.get(&format!("/collections/ocs2d/tiles/WebMercatorQuad/{z}/{row}/{col}")).await.status(), 404);
    assert_eq!(s.get(&format!("/collections/ocs2d/tiles/WebMercatorQuad/xyz/{z}/{col}/{row}.pbf")).await.status(), 204, "outside the data");
    for path in [
        format!("/collections/ocs2d/tiles/WebMercatorQuad/xyz/25/{col}/{row}.pbf"),
        "/collections/ocs2d/tiles/WebMercatorQuad/xyz/14/1/99999999.pbf".to_string(),
        "/collections/ocs2d/tiles/WebMercatorQuad/xyz/14/1/1.png".to_string(),
        "/collections/ocs2d/tiles/LAMB93_5cm_EPSG/xyz/14/1/1.pbf".to_string(),
    ] {
        let r = s.get(&path).await;
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
    }
}

/// With the tile cache off, a tile is sent as encoded to a client without gzip and compressed
/// for one that accepts it: the same tile either way and as a caching server sends it, each
/// encoding with its own validator, and rendered for every request.
#[tokio::test]
async fn without_a_cache_tiles_are_compressed_only_for_clients_that_ask() {
    let cold = common::start_with("[tile_cache]\nmemory_mb = 0\n").await;
    let cached = common::start().await;
    let (z, row, col) = tiles_over(OCS2D_AREA, 14)[1];
    let plain = reqwest::Client::builder().no_gzip().build().unwrap();
    let layers: &[&str] = if common::has_pg() { &["ocs2d", "pg_ocs2d"] } else { &["ocs2d"] };
    for layer in layers {
        let path = format!("/collections/{layer}/tiles/WebMercatorQuad/{z}/{row}/{col}");
        let renders = cold.state.registry.tiles.renders();
        let raw = plain.get(format!("{}{path}", cold.base)).send().await.unwrap();
        assert!(raw.headers().get("content-encoding").is_none(), "{layer}");
        let raw_etag = raw.headers()["etag"].clone();
        let raw_body = raw.bytes().await.unwrap();
        let gz = plain.get(format!("{}{path}", cold.base)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(gz.headers()["content-encoding"], "gzip", "{layer}");
        let gz_etag = gz.headers()["etag"].clone();
        assert_ne!(gz_etag, raw_etag, "{layer}: each encoding has its validator");
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, raw_body.to_vec(), "{layer}");
        assert!(!Tile::decode(&raw_body[..]).unwrap().layers[0].features.is_empty(), "{layer}");
        let from_cache = plain.get(format!("{}{path}", cached.base)).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(from_cache, raw_body, "{layer}: the same tile as a caching server's");
        for (etag, gzip) in [(&raw_etag, false), (&gz_etag, true)] {
            let mut req = plain.get(format!("{}{path}", cold.base)).header("if-none-match", etag.clone());
            if gzip {
                req = req.header("accept-encoding", "gzip");
            }
            assert_eq!(req.send().await.unwrap().status(), 304, "{layer}, gzip {gzip}");
        }
        assert_eq!(cold.state.registry.tiles.renders(), renders + 4, "{layer}: nothing kept");
    }
}
