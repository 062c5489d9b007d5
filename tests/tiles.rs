//! Imagery tiles end to end: the demo mosaic served through OGC API Tiles and WMTS, compared
//! with GDAL, pass-through bytes, single flight under a stampede, caching headers, bad input,
//! an HTTP COG backend that goes away, and seeding into the disk tier.

mod common;

use std::path::Path;
use std::process::Command;

use common::imagery::{decode_png, demo, demo_server, gdalwarp, has_gdal, http_server, mean_difference, ortho, run, start, tmp};
use ossature::config::Config;

#[tokio::test]
async fn reprojected_tiles_match_gdalwarp() {
    if !has_gdal() {
        return;
    }
    let s = demo_server().await;
    // WebMercatorQuad z19 and z20 tiles inside the mosaic (the limits of the tileset).
    for (z, row, col) in [(19u32, 176363u32, 266605u32), (20, 352728, 533211)] {
        let (status, ct, png) = s.bytes(&format!("/collections/ortho/map/tiles/WebMercatorQuad/{z}/{row}/{col}?f=png")).await;
        assert_eq!((status, ct.as_str()), (200, "image/png"));
        let (w, h, ours) = decode_png(&png);
        assert_eq!((w, h), (256, 256));
        let span = 2.0 * 20037508.342789244 / f64::from(1u32 << z);
        let (minx, maxy) = (-20037508.342789244 + col as f64 * span, 20037508.342789244 - row as f64 * span);
        let theirs = gdalwarp("EPSG:3857", [minx, maxy - span, minx + span, maxy], 256, 256);
        mean_difference(&ours, &theirs, &format!("z{z}"));
    }
}

#[tokio::test]
async fn native_jpeg_tiles_pass_through_byte_identical() {
    if !has_gdal() {
        return;
    }
    let s = demo_server().await;
    // Level 4 of the native set is the full resolution; tile (1, 1) is block (1, 1) of the
    // top-left file.
    let (status, ct, body) = s.bytes("/collections/ortho/map/tiles/ortho-native/4/1/1?f=jpg").await;
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    let file = demo().join("ortho/ortho_cc50_0_0.tif");
    let script = format!(
        "from osgeo import gdal\nd = gdal.Open('{}')\nb = d.GetRasterBand(1)\nprint(b.GetMetadataItem('BLOCK_OFFSET_1_1', 'TIFF'), b.GetMetadataItem('BLOCK_SIZE_1_1', 'TIFF'))",
        file.display()
    );
    let out = run(Command::new("/usr/bin/python3").args(["-c", &script]));
    let (offset, size): (usize, usize) = {
        let mut it = out.split_whitespace().map(|v| v.parse().unwrap());
        (it.next().unwrap(), it.next().unwrap())
    };
    let tiff = std::fs::read(&file).unwrap();
    let block = &tiff[offset..offset + size];
    // The block's stream after its SOI is sent unchanged, after the file's JPEG tables.
    assert_eq!(&block[..2], &[0xFF, 0xD8]);
    assert!(body.ends_with(&block[2..]), "the tile does not end with the COG block");
    assert!(body.starts_with(&[0xFF, 0xD8]) && body.ends_with(&[0xFF, 0xD9]));
    let metrics = s.bytes("/metrics").await.2;
    assert!(String::from_utf8(metrics).unwrap().contains("ossature_tiles_passed_through_total"));
    // It decodes to the pixels GDAL reads for that block.
    let jpg = tmp("passthrough.jpg");
    std::fs::write(&jpg, &body).unwrap();
    let a = tmp("pt_a.raw");
    let b = tmp("pt_b.raw");
    run(Command::new("gdal_translate").args(["-q", "-of", "ENVI", "-co", "INTERLEAVE=BIP"]).arg(&jpg).arg(&a));
    run(Command::new("gdal_translate").args(["-q", "-of", "ENVI", "-co", "INTERLEAVE=BIP", "-srcwin", "512", "512", "512", "512"]).arg(&file).arg(&b));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "the passed-through JPEG decodes to GDAL's pixels");
}

#[tokio::test]
async fn a_stampede_on_a_cold_tile_renders_it_once() {
    let s = demo_server().await;
    let before = s.state.registry.tiles.renders();
    let url = format!("{}/collections/ortho/map/tiles/WebMercatorQuad/20/352729/533212?f=webp", s.base);
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            let (c, u) = (s.client.clone(), url.clone());
            tokio::spawn(async move { c.get(u).send().await.unwrap().bytes().await.unwrap() })
        })
        .collect();
    let mut bodies = Vec::new();
    for t in tasks {
        bodies.push(t.await.unwrap());
    }
    assert!(bodies.iter().all(|b| b == &bodies[0] && b.starts_with(b"RIFF")));
    assert_eq!(s.state.registry.tiles.renders() - before, 1);
}

#[tokio::test]
async fn caching_headers_and_bad_input() {
    let s = demo_server().await;
    let path = "/collections/ortho/map/tiles/WebMercatorQuad/19/176364/266606?f=jpg";
    let r = s.get(path).await;
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("max-age="));
    let again = s.client.get(format!("{}{path}", s.base)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    // Tiles are answered past the router (src/http/hot.rs): what the router gave must still hold.
    let tile = s.bytes(path).await.2;
    assert_eq!(s.bytes(&path.replace("/ortho/", "/%6Frtho/")).await.2, tile, "percent-encoded segments are decoded");
    assert_eq!(s.bytes(&path.replace("?f=jpg", "/?f=jpg")).await.2, tile, "a trailing slash is ignored");
    let cors = s.client.get(format!("{}{path}", s.base)).header("origin", "http://viewer.example").send().await.unwrap();
    assert_eq!(cors.headers()["access-control-allow-origin"], "*", "WebGL viewers need CORS on tiles");
    assert!(cors.headers().contains_key("x-request-id"));
    let head = s.client.head(format!("{}{path}", s.base)).send().await.unwrap();
    assert_eq!((head.status().as_u16(), head.headers()["content-length"].to_str().unwrap()), (200, tile.len().to_string().as_str()));
    let post = s.client.post(format!("{}{path}", s.base)).body("x").send().await.unwrap();
    assert_eq!((post.status().as_u16(), post.headers()["allow"].to_str().unwrap()), (405, "GET,HEAD"));
    for (path, status) in [
        ("/collections/ortho/map/tiles/WebMercatorQuad/19/1/1", 404),
        ("/collections/ortho/map/tiles/WebMercatorQuad/25/0/0", 404),
        ("/collections/ortho/map/tiles/WebMercatorQuad/3/99/99", 404),
        ("/collections/ortho/map/tiles/NoSuchSet/3/1/1", 404),
        ("/collections/ortho/map/tiles/WebMercatorQuad/19/x/1", 404),
        ("/collections/nope/map/tiles", 404),
        ("/tileMatrixSets/NoSuchSet", 404),
        ("/collections/ortho/map/tiles/WebMercatorQuad/19/176364/266606?f=gif", 400),
        ("/collections/ortho/map/tiles/WebMercatorQuad/19/176364/266606?foo=1", 400),
    ] {
        let r = s.get(path).await;
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().contains("json"), "{path}");
    }
    let wmts = |q: &str| format!("/wmts?service=WMTS&version=1.0.0&request=GetTile&layer=ortho&style=default&format=image/jpeg&tilematrixset=WebMercatorQuad{q}");
    for (path, code) in [
        (wmts("&tilematrix=19&tilerow=1&tilecol=1"), "TileOutOfRange"),
        (wmts("&tilematrix=19&tilerow=176364"), "MissingParameterValue"),
        (wmts("&tilematrix=99&tilerow=1&tilecol=1").replace("layer=ortho", "layer=nope"), "InvalidParameterValue"),
        ("/wmts?service=WMTS&request=GetMap".to_string(), "OperationNotSupported"),
    ] {
        let (status, ct, body) = s.bytes(&path).await;
        let body = String::from_utf8(body).unwrap();
        assert!(status >= 400, "{path}: {status}");
        assert!(ct.contains("xml") && body.contains(&format!("exceptionCode=\"{code}\"")), "{path}: {body}");
    }
    // KVP, REST and /ows give the same tile.
    let kvp = s.bytes(&wmts("&tilematrix=19&tilerow=176364&tilecol=266606")).await.2;
    let rest = s.bytes("/wmts/ortho/default/WebMercatorQuad/19/176364/266606.jpg").await.2;
    let ows = s.bytes("/ows?SERVICE=WMTS&REQUEST=GetTile&LAYER=ortho&STYLE=default&FORMAT=image/jpeg&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=19&TILEROW=176364&TILECOL=266606").await.2;
    let api = s.bytes(path).await.2;
    assert!(kvp == rest && rest == ows && ows == api);
    // Pixel values through GetFeatureInfo, in exactly the asked media type.
    let r = s.get("/wmts/ortho/default/WebMercatorQuad/19/176364/266606/100/100.json").await;
    assert_eq!(r.headers()["content-type"], "application/json");
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["features"][0]["properties"]["alpha"], 255);
    assert_eq!(s.get("/health").await.status(), 200);
}

#[tokio::test]
async fn http_cogs_are_read_by_range_and_an_outage_is_a_503() {
    let (addr, stop) = http_server(demo().join("ortho")).await;
    let urls: Vec<String> = ["0_0", "0_1", "1_0", "1_1"].iter().map(|t| format!("\"http://{addr}/ortho_cc50_{t}.tif\"")).collect();
    let s = start(&ortho(&urls.join(", "), "")).await;
    let local = demo_server().await;
    let path = "/collections/ortho/map/tiles/WebMercatorQuad/19/176363/266605?f=png";
    let (status, _, over_http) = s.bytes(path).await;
    assert_eq!(status, 200);
    assert_eq!(over_http, local.bytes(path).await.2, "HTTP and file backends give the same tile");
    drop(stop);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let (status, ct, _) = s.bytes("/collections/ortho/map/tiles/WebMercatorQuad/20/352730/533213?f=png").await;
    assert!(status == 503 || status == 502, "{status}");
    assert!(ct.contains("json"));
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "the outage took {:?}", started.elapsed());
    assert_eq!(s.get("/health").await.status(), 200);
}

#[tokio::test]
async fn a_broken_cog_is_refused_at_start_up() {
    let bad = tmp("broken.tif");
    std::fs::write(&bad, b"II*\0this is not a TIFF directory").unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tiles.toml");
    let config = Config::parse(&path, format!("[server]\nbind = \"127.0.0.1:0\"\n{}", ortho(&format!("\"{}\"", bad.display()), ""))).unwrap();
    let err = ossature::registry::Registry::build(&config).await.err().expect("refused").to_string();
    assert!(err.contains("rasters[0].files") && err.contains("broken.tif"), "{err}");
}

#[tokio::test]
async fn seeding_fills_the_disk_tier_and_resumes() {
    let dir = tmp("seed-cache");
    let _ = std::fs::remove_dir_all(&dir);
    let s = start(&format!(
        "[sources.demo]\ntype = \"geopackage\"\npath = \"{}\"\n[[layers]]\nid = \"communes\"\nsource = \"demo\"\ntable = \"communes\"\n{}[tile_cache]\ndisk = \"{}\"\n",
        demo().join("demo.gpkg").display(),
        ortho(&format!("\"{}\"", demo().join("ortho").display()), ""),
        dir.display()
    ))
    .await;
    use ossature::tiles::seed::{self, Area, Plan};
    let registry = &s.state.registry;
    let layer = registry.raster("ortho").unwrap().clone();
    let set = layer.tile_matrix_set("WebMercatorQuad").unwrap().clone();
    let plan = Plan { layer, set, zooms: 15..=18, format: ogc::tiles::TileFormat::Jpeg, area: Area::Features { layer: "communes".into(), filter: Some("nom = 'Lille'".into()) }, jobs: 4 };
    let tiles = seed::tiles(registry, &plan).await.unwrap();
    assert!(!tiles.is_empty());
    let bar = indicatif::ProgressBar::hidden();
    let first = seed::run(registry, &plan, &tiles, &bar).await.unwrap();
    assert_eq!(first.rendered as usize, tiles.len());
    let (z, row, col) = tiles[0];
    assert!(dir.join(format!("ortho/default/WebMercatorQuad/{z}/{row}/{col}.jpg")).is_file());
    let again = seed::run(registry, &plan, &tiles, &bar).await.unwrap();
    assert_eq!((again.rendered, again.skipped as usize), (0, tiles.len()));
    std::fs::remove_dir_all(&dir).unwrap();
}
