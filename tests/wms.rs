//! WMS 1.3.0 / 1.1.1 over the demo orthophoto, in-process: capabilities valid in both versions,
//! axis order per version, maps compared with gdalwarp, formats and transparency, several layers
//! stacked, pixel values, every kind of refusal, and an imagery backend that goes away.

mod common;

use common::imagery::{Server, decode_png, demo, gdalwarp, has_gdal, http_server, mean_difference, start};
use ogc::ows::schema_check::{validate, validate_dtd};

/// The demo mosaic (EPSG:3950, 5 cm, four 2048-pixel files) as one layer and as its north-west
/// and south-east files alone, beside one vector layer (vector maps are tested in `wms_vector.rs`).
async fn server() -> Server {
    let ortho = demo().join("ortho");
    let file = |name: &str| format!("\"{}\"", ortho.join(name).display());
    start(&format!(
        "[service]\ntitle = \"Cartes & <essais>\"\nupdate_sequence = \"20261129\"\n\
         [sources.demo]\ntype = \"geopackage\"\npath = \"{}\"\n\
         [[layers]]\nid = \"communes\"\nsource = \"demo\"\ntable = \"communes\"\n\
         [[rasters]]\nid = \"ortho\"\ntitle = \"Ortho\"\nabstract = \"Demo orthophoto\"\nkeywords = [\"ortho\"]\nfiles = [\"{}\"]\n\
         [[rasters]]\nid = \"nw\"\ntitle = \"North-west file\"\nfiles = [{}]\n\
         [[rasters]]\nid = \"se\"\ntitle = \"South-east file\"\nfiles = [{}]\n",
        demo().join("demo.gpkg").display(),
        ortho.display(),
        file("ortho_cc50_0_0.tif"),
        file("ortho_cc50_1_1.tif"),
    ))
    .await
}

/// The mosaic's extent in EPSG:3950 (from the files' geotransforms).
const MOSAIC: [f64; 4] = [1704400.0, 9270395.2, 1704604.8, 9270600.0];
/// A window inside the mosaic in longitude/latitude (west, south, east, north).
const LON_LAT: [f64; 4] = [3.0630, 50.6332, 3.0645, 50.6342];

fn join(v: [f64; 4]) -> String {
    v.map(|x| x.to_string()).join(",")
}

/// Web Mercator of a longitude/latitude box (spherical formulas, exact for EPSG:3857).
fn mercator([w, s, e, n]: [f64; 4]) -> [f64; 4] {
    let r = 6378137.0_f64;
    let y = |lat: f64| r * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln();
    [r * w.to_radians(), y(s), r * e.to_radians(), y(n)]
}

fn map(version: &str, layers: &str, crs: &str, bbox: &str, size: (u32, u32), format: &str) -> String {
    let crs_name = if version == "1.3.0" { "CRS" } else { "SRS" };
    format!(
        "/wms?SERVICE=WMS&VERSION={version}&REQUEST=GetMap&LAYERS={layers}&STYLES=&{crs_name}={crs}&BBOX={bbox}&WIDTH={}&HEIGHT={}&FORMAT={format}",
        size.0, size.1
    )
}

async fn png(s: &Server, path: &str) -> (u32, u32, Vec<u8>) {
    let (status, ct, body) = s.bytes(path).await;
    assert_eq!((status, ct.as_str()), (200, "image/png"), "{path}: {}", String::from_utf8_lossy(&body));
    decode_png(&body)
}

async fn text(s: &Server, path: &str) -> (u16, String, String) {
    let (status, ct, body) = s.bytes(path).await;
    (status, ct, String::from_utf8(body).unwrap())
}

/// The `code` of a ServiceExceptionReport answered with HTTP 200 in the version's media type.
async fn exception_code(s: &Server, path: &str) -> String {
    let (status, ct, body) = text(s, path).await;
    let expected = if path.contains("VERSION=1.1.1") { "application/vnd.ogc.se_xml" } else { "text/xml" };
    assert_eq!((status, ct.as_str()), (200, expected), "{path}: {body}");
    assert!(body.contains("<ServiceExceptionReport"), "{path}: {body}");
    let start = body.find("code=\"").map(|i| i + 6).unwrap_or_else(|| panic!("{path}: no code in {body}"));
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn capabilities_validate_in_both_versions() {
    let s = server().await;
    for (query, version, media) in [
        ("/wms?SERVICE=WMS&REQUEST=GetCapabilities", "1.3.0", "text/xml"),
        ("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0", "1.3.0", "text/xml"),
        ("/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1", "1.1.1", "application/vnd.ogc.wms_xml"),
        // Negotiation: between the two, the highest below.
        ("/wms?REQUEST=GetCapabilities&VERSION=1.2.0", "1.1.1", "application/vnd.ogc.wms_xml"),
    ] {
        let (status, ct, doc) = text(&s, query).await;
        assert_eq!((status, ct.as_str()), (200, media), "{query}: {doc}");
        assert!(doc.contains(&format!("version=\"{version}\"")), "{query}");
        if version == "1.3.0" {
            validate(&doc, "sld/1.1.0/sld_capabilities.xsd");
        } else {
            validate_dtd(&doc);
        }
        let doc: String = doc.lines().map(str::trim).collect();
        assert!(doc.contains(&format!("{}/wms?", s.base)), "{doc}");
        assert!(doc.contains("<Title>Cartes &amp; &lt;essais&gt;</Title>"));
        assert!(doc.contains(&format!("version=\"{version}\" updateSequence=\"20261129\"")), "{doc}");
        assert!(doc.contains("<Layer queryable=\"1\"><Name>ortho</Name><Title>Ortho</Title><Abstract>Demo orthophoto</Abstract><KeywordList><Keyword>ortho</Keyword></KeywordList>"), "{doc}");
        assert!(doc.contains("<Name>nw</Name>") && doc.contains("<Name>se</Name>"));
        assert!(doc.contains("GetLegendGraphic"), "{doc}");
        assert!(doc.contains("<Format>image/png</Format><Format>image/png; mode=8bit</Format><Format>image/jpeg</Format><Format>image/webp</Format>"));
        assert!(doc.contains("<GetFeatureInfo><Format>text/plain</Format><Format>text/html</Format><Format>application/json</Format><Format>application/vnd.ogc.gml</Format>"));
        assert!(doc.contains("<Style><Name>default</Name>"));
        let crs = if version == "1.3.0" { "CRS" } else { "SRS" };
        for code in ["EPSG:3950", "EPSG:3857", "EPSG:4326", "EPSG:2154", "EPSG:4258", "EPSG:3942"] {
            assert!(doc.contains(&format!("<{crs}>{code}</{crs}>")), "{code} in {doc}");
            assert!(doc.contains(&format!("<BoundingBox {crs}=\"{code}\"")), "{code} box");
        }
        assert_eq!(doc.contains("<CRS>CRS:84</CRS>"), version == "1.3.0");
        // The native box is the files' extent.
        assert!(doc.contains(&format!("<BoundingBox {crs}=\"EPSG:3950\" minx=\"1704400\" miny=\"9270395.")), "{doc}");
        if version == "1.3.0" {
            assert!(doc.contains("<MaxWidth>4096</MaxWidth><MaxHeight>4096</MaxHeight>"));
            // Latitude first for EPSG:4326 in 1.3.0.
            assert!(doc.contains("<BoundingBox CRS=\"EPSG:4326\" minx=\"50.63"), "{doc}");
        } else {
            assert!(doc.contains("<BoundingBox SRS=\"EPSG:4326\" minx=\"3.06"), "{doc}");
        }
    }
}

/// EPSG:4326 is latitude first in 1.3.0 and longitude first in 1.1.1; CRS:84 always longitude
/// first. The same ground gives the same map.
#[tokio::test]
async fn axis_order_per_version_gives_the_same_map() {
    let s = server().await;
    let [w, so, e, n] = LON_LAT;
    let v111 = s.bytes(&map("1.1.1", "ortho", "EPSG:4326", &join(LON_LAT), (300, 200), "image/png")).await.2;
    let v130 = s.bytes(&map("1.3.0", "ortho", "EPSG:4326", &join([so, w, n, e]), (300, 200), "image/png")).await.2;
    let crs84 = s.bytes(&map("1.3.0", "ortho", "CRS:84", &join(LON_LAT), (300, 200), "image/png")).await.2;
    let (width, height, pixels) = decode_png(&v111);
    assert_eq!((width, height), (300, 200));
    assert!(pixels.chunks_exact(4).all(|p| p[3] == 255), "inside the imagery");
    assert!(v111 == v130 && v130 == crs84, "same bytes whatever the axis order");
    // Giving 1.3.0 the 1.1.1 order asks for another place (latitude 3, longitude 50): nothing there.
    let (_, _, elsewhere) = png(&s, &format!("{}&TRANSPARENT=TRUE", map("1.3.0", "ortho", "EPSG:4326", &join(LON_LAT), (30, 20), "image/png"))).await;
    assert!(elsewhere.chunks_exact(4).all(|p| p[3] == 0));
}

#[tokio::test]
async fn maps_match_gdalwarp() {
    if !has_gdal() {
        return;
    }
    let s = server().await;
    let merc = mercator(LON_LAT);
    // The last map is taller than a band (512 rows): read in three, with no seam.
    for (crs, bbox, size) in [("EPSG:3857", merc, (256, 192)), ("EPSG:2154", [704480.0, 7059590.0, 704560.0, 7059680.0], (160, 180)), ("EPSG:3857", merc, (300, 1200))] {
        let path = map("1.3.0", "ortho", crs, &join(bbox), size, "image/png");
        let (status, _, body) = s.bytes(&path).await;
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        if size == (256, 192) {
            std::fs::write("/tmp/ossature-wms-getmap-ortho.png", &body).unwrap();
        }
        let (w, h, ours) = decode_png(&body);
        assert_eq!((w, h), size);
        mean_difference(&ours, &gdalwarp(crs, bbox, size.0, size.1), &path);
    }
}

#[tokio::test]
async fn formats_transparency_background_and_layers() {
    let s = server().await;
    // The whole mosaic and a margin around it, in its own CRS.
    let [x0, y0, x1, y1] = MOSAIC;
    let around = join([x0 - 20.48, y0 - 20.48, x1 + 20.48, y1 + 20.48]);
    let at = |pixels: &[u8], width: u32, i: u32, j: u32| -> [u8; 4] {
        let k = ((j * width + i) * 4) as usize;
        pixels[k..k + 4].try_into().unwrap()
    };
    // 245 pixels of about 1 m: the margin is 20 pixels wide.
    let path = map("1.3.0", "ortho", "EPSG:3950", &around, (245, 245), "image/png");
    let (w, _, opaque) = png(&s, &path).await;
    assert_eq!(at(&opaque, w, 2, 2), [255, 255, 255, 255], "white around the imagery by default");
    let (_, _, clear) = png(&s, &format!("{path}&TRANSPARENT=TRUE")).await;
    assert_eq!(at(&clear, w, 2, 2)[3], 0, "transparent around the imagery");
    assert_eq!(at(&clear, w, 122, 122)[3], 255);
    let (_, _, red) = png(&s, &format!("{path}&BGCOLOR=0xFF0000")).await;
    assert_eq!(at(&red, w, 2, 2), [255, 0, 0, 255]);
    assert_eq!(at(&red, w, 122, 122), at(&opaque, w, 122, 122), "the background is only under empty areas");
    // 8-bit PNG: paletted (IHDR colour type 3), transparency kept, colours close to the 32-bit map.
    let (status, ct, body) = s.bytes(&format!("{path}&TRANSPARENT=TRUE").replace("image/png", "image/png;%20mode=8bit")).await;
    assert_eq!((status, ct.as_str()), (200, "image/png; mode=8bit"));
    assert_eq!(body[25], 3, "paletted");
    let (_, _, paletted) = decode_png(&body);
    assert_eq!(at(&paletted, w, 2, 2)[3], 0, "transparent around the imagery");
    let worst = paletted.iter().zip(&clear).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
    assert!(worst <= 40, "256 colours of an orthophoto stay within 40 levels, worst {worst}");
    // Vendor DPI parameters are accepted and change nothing for imagery.
    assert_eq!(s.bytes(&format!("{path}&DPI=180&MAP_RESOLUTION=180&FORMAT_OPTIONS=dpi:180")).await.2, s.bytes(&path).await.2);
    for (format, signature) in [("image/jpeg", &b"\xFF\xD8\xFF"[..]), ("image/webp", &b"RIFF"[..])] {
        let (status, ct, body) = s.bytes(&format!("{}&TRANSPARENT=TRUE", map("1.1.1", "ortho", "EPSG:3950", &around, (245, 245), format))).await;
        assert_eq!((status, ct.as_str()), (200, format));
        assert!(body.starts_with(signature), "{format}");
    }
    // Two layers stacked: each file where it is, nothing in the other quadrants.
    let (w, _, both) = png(&s, &format!("{}&TRANSPARENT=TRUE", map("1.3.0", "nw,se", "EPSG:3950", &join(MOSAIC), (64, 64), "image/png"))).await;
    for (i, j, alpha) in [(5, 5, 255), (58, 58, 255), (58, 5, 0), (5, 58, 0)] {
        assert_eq!(at(&both, w, i, j)[3], alpha, "pixel {i},{j}");
    }
    let (_, _, whole) = png(&s, &map("1.3.0", "ortho", "EPSG:3950", &join(MOSAIC), (64, 64), "image/png")).await;
    assert_eq!(at(&both, w, 5, 5), at(&whole, w, 5, 5));
}

/// A map at the imagery's own resolution and grid, so that map pixel (i, j) is one source pixel:
/// GetFeatureInfo at (i, j) gives its values, in each format, in both versions.
#[tokio::test]
async fn feature_info_gives_the_pixel_values() {
    let s = server().await;
    let bbox = join([1704450.0, 9270546.8, 1704453.2, 9270550.0]);
    let path = map("1.3.0", "ortho", "EPSG:3950", &bbox, (64, 64), "image/png");
    let (w, _, pixels) = png(&s, &path).await;
    let (i, j) = (10u32, 40u32);
    let k = ((j * w + i) * 4) as usize;
    let info = |version: &str, format: &str, i: u32, j: u32| {
        let (pi, pj) = if version == "1.3.0" { ("I", "J") } else { ("X", "Y") };
        format!("{}&REQUEST=GetFeatureInfo&QUERY_LAYERS=ortho&INFO_FORMAT={format}&{pi}={i}&{pj}={j}", map(version, "ortho", "EPSG:3950", &bbox, (64, 64), "image/png").replace("&REQUEST=GetMap", ""))
    };
    for version in ["1.3.0", "1.1.1"] {
        let (status, ct, body) = text(&s, &info(version, "application/json", i, j)).await;
        assert_eq!((status, ct.as_str()), (200, "application/json"), "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        let f = &v["features"][0];
        assert_eq!(f["geometry"]["type"], "Point");
        let lon = f["geometry"]["coordinates"][0].as_f64().unwrap();
        assert!((3.06..3.07).contains(&lon), "{lon}");
        let p = &f["properties"];
        assert_eq!(p["layer"], "ortho");
        assert_eq!([&p["red"], &p["green"], &p["blue"], &p["alpha"]].map(|v| v.as_u64().unwrap() as u8), [pixels[k], pixels[k + 1], pixels[k + 2], pixels[k + 3]], "{version}");
        let (_, ct, html) = text(&s, &info(version, "text/html", i, j)).await;
        assert_eq!(ct, "text/html");
        assert!(html.contains(&format!("<tr><th>red</th><td>{}</td></tr>", pixels[k])), "{html}");
        let (_, ct, plain) = text(&s, &info(version, "text/plain", i, j)).await;
        assert_eq!(ct, "text/plain");
        assert!(plain.starts_with("ortho\n") && plain.contains(&format!("green = {}", pixels[k + 1])), "{plain}");
    }
    // Outside the imagery: no feature.
    let outside = info("1.3.0", "application/json", 0, 0).replace(&bbox, &join([1704300.0, 9270300.0, 1704303.2, 9270303.2]));
    let v: serde_json::Value = serde_json::from_str(&text(&s, &outside).await.2).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 0);
    // Refusals: a pixel off the map, GML (not offered), a layer not among LAYERS.
    assert_eq!(exception_code(&s, &info("1.3.0", "application/json", 64, 0)).await, "InvalidPoint");
    assert_eq!(exception_code(&s, &info("1.1.1", "text/plain", 0, 99)).await, "InvalidPoint");
    assert_eq!(exception_code(&s, &info("1.3.0", "application/vnd.ogc.gml", 1, 1)).await, "InvalidFormat");
    assert_eq!(exception_code(&s, &info("1.3.0", "text/plain", 1, 1).replace("QUERY_LAYERS=ortho", "QUERY_LAYERS=nw")).await, "LayerNotDefined");
}

#[tokio::test]
async fn refusals_and_exception_modes() {
    let s = server().await;
    let good = map("1.3.0", "ortho", "EPSG:3950", &join(MOSAIC), (256, 256), "image/png");
    for (path, code) in [
        (good.replace("LAYERS=ortho", "LAYERS=nope"), "LayerNotDefined"),
        (good.replace("STYLES=", "STYLES=fancy"), "StyleNotDefined"),
        (good.replace("EPSG:3950", "EPSG:27572"), "InvalidCRS"),
        (good.replace("EPSG:3950", "EPSG:nope"), "InvalidCRS"),
        (good.replace("VERSION=1.3.0", "VERSION=1.1.1").replace("CRS=EPSG:3950", "SRS=EPSG:27572"), "InvalidSRS"),
        (good.replace("WIDTH=256", "WIDTH=100000"), "InvalidParameterValue"),
        (good.replace("image/png", "image/gif"), "InvalidFormat"),
        (good.replace(&format!("&BBOX={}", join(MOSAIC)), ""), "MissingParameterValue"),
        (good.replace("REQUEST=GetMap", "REQUEST=GetLegendGraphic&LAYER=ortho"), "InvalidParameterValue"),
        (format!("{good}&SLD_BODY=x"), "InvalidParameterValue"),
    ] {
        assert_eq!(exception_code(&s, &path).await, code, "{path}");
    }
    // The configured update sequence: a client holding it has the current document; an older
    // one gets the capabilities, a newer one is a mistake.
    let caps = "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0&UPDATESEQUENCE=";
    assert_eq!(exception_code(&s, &format!("{caps}20261129")).await, "CurrentUpdateSequence");
    assert_eq!(exception_code(&s, &format!("{caps}20261130")).await, "InvalidUpdateSequence");
    assert_eq!(text(&s, &format!("{caps}20261128")).await.0, 200);
    // INIMAGE and BLANK: an image of the requested size and format, INIMAGE with the message
    // written in it (dark text on a white halo), BLANK without.
    for mode in ["INIMAGE", "BLANK", "application/vnd.ogc.se_inimage"] {
        let bad = format!("{}&EXCEPTIONS={mode}&BGCOLOR=0x00FF00", good.replace("LAYERS=ortho", "LAYERS=nope"));
        let (w, h, pixels) = png(&s, &bad).await;
        assert_eq!((w, h), (256, 256));
        let background = pixels.chunks_exact(4).filter(|p| *p == [0, 255, 0, 255]).count();
        let dark = pixels.chunks_exact(4).filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80).count();
        if mode == "BLANK" {
            assert_eq!(background, 256 * 256, "{mode}: filled with BGCOLOR");
        } else {
            assert!(dark > 100 && background > 256 * 200, "{mode}: the message is written ({dark} dark pixels)");
        }
        let (_, _, clear) = png(&s, &format!("{bad}&TRANSPARENT=TRUE")).await;
        assert_eq!(clear.chunks_exact(4).all(|p| p[3] == 0), mode == "BLANK", "{mode}: transparent but for the message");
        let (status, ct, body) = s.bytes(&bad.replace("image/png", "image/jpeg")).await;
        assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
        assert!(body.starts_with(b"\xFF\xD8\xFF"));
    }
    // Too large or unusable to draw an exception in: XML.
    let huge = format!("{}&EXCEPTIONS=INIMAGE", good.replace("WIDTH=256", "WIDTH=100000"));
    assert_eq!(exception_code(&s, &huge).await, "InvalidParameterValue");
    let gif = format!("{}&EXCEPTIONS=BLANK", good.replace("image/png", "image/gif"));
    assert_eq!(exception_code(&s, &gif).await, "InvalidFormat");
    assert_eq!(exception_code(&s, &format!("{}&EXCEPTIONS=XML", good.replace("LAYERS=ortho", "LAYERS=nope"))).await, "LayerNotDefined");
    assert_eq!(s.get("/health").await.status(), 200);
    assert_eq!(s.bytes(&good).await.0, 200, "still drawing maps");
}

#[tokio::test]
async fn an_unreachable_cog_is_a_503_and_the_server_keeps_answering() {
    let (addr, stop) = http_server(demo().join("ortho")).await;
    let urls: Vec<String> = ["0_0", "0_1", "1_0", "1_1"].iter().map(|t| format!("\"http://{addr}/ortho_cc50_{t}.tif\"")).collect();
    let s = start(&format!("[[rasters]]\nid = \"ortho\"\nfiles = [{}]\n", urls.join(", "))).await;
    let path = map("1.3.0", "ortho", "EPSG:3950", &join(MOSAIC), (256, 256), "image/png");
    assert_eq!(s.bytes(&path).await.0, 200);
    drop(stop);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // Another window, whose blocks are not in the cache.
    let (status, ct, body) = text(&s, &path.replace("WIDTH=256&HEIGHT=256", "WIDTH=2048&HEIGHT=2048")).await;
    assert!(status == 503 || status == 502, "{status}: {body}");
    assert_eq!(ct, "text/xml");
    assert!(body.contains("<ServiceException>"), "{body}");
    assert_eq!(s.get("/wms?REQUEST=GetCapabilities").await.status(), 200);
}

/// Every layer of the WMS, WMTS and WFS capabilities links its ISO record in the catalogue,
/// and the link answers that record (the ones of a served layer name the layer back).
#[tokio::test]
async fn capabilities_link_the_layer_records() {
    let s = server().await;
    let record_links = |doc: &str| -> Vec<String> {
        let start = format!("{}/csw?", s.base);
        doc.match_indices(&start).map(|(i, _)| doc[i..].split(['"', '<']).next().unwrap().replace("&amp;", "&")).collect()
    };
    for (query, expected) in [
        ("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0", vec!["communes", "ortho", "nw", "se"]),
        ("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1", vec!["communes", "ortho", "nw", "se"]),
        ("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities", vec!["ortho", "nw", "se", "communes"]),
        ("/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0", vec!["communes"]),
        ("/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0", vec!["communes"]),
    ] {
        let (status, _, doc) = text(&s, query).await;
        assert_eq!(status, 200, "{query}");
        if query.contains("1.3.0") {
            assert!(doc.contains("<MetadataURL type=\"ISO19115:2003\">"), "{doc}");
        }
        let links = record_links(&doc);
        assert_eq!(links.len(), expected.len(), "{query}: {links:?}");
        for (link, layer) in links.iter().zip(&expected) {
            assert!(link.contains("request=GetRecordById") && link.contains("outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd"), "{link}");
            let (status, _, record) = text(&s, &link[s.base.len()..]).await;
            assert_eq!(status, 200, "{link}");
            assert!(record.contains(&format!("<gco:CharacterString>ossature-{layer}</gco:CharacterString>")), "{link}: {record}");
            assert!(record.contains("gmd:MD_Metadata"), "{record}");
        }
    }
}
