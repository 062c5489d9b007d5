//! WMS over vector layers, in-process, from the demo GeoPackage and from PostGIS (the same
//! tables, the same styles): maps compared with committed reference images, the axis order of
//! each version, styles chosen by STYLES, CQL_FILTER and TIME, legends, and refusals.
//!
//! The references are in `tests/data/wms/`; `OSSATURE_WRITE_REFERENCES=1` rewrites them from
//! the GeoPackage maps (look at them before committing).

mod common;

use common::imagery::{Server, decode_png, start};
use common::has_pg;
use ogc::ows::schema_check::{validate, validate_dtd};

/// Communes and OCS2D with the demo's styles, from the GeoPackage and (when the test database
/// is configured) from PostGIS; SCoT with its style and EPCI with the plain one.
fn config() -> String {
    config_with(200_000)
}

fn config_with(max_map_features: u64) -> String {
    let layers = |prefix: &str, source: &str| {
        format!(
            "[[layers]]\nid = \"{prefix}communes\"\ntitle = \"Communes\"\nsource = \"{source}\"\ntable = \"communes\"\n\
             styles = [\"../styles/communes.sld\", \"../styles/communes_outline.sld\"]\n\
             [[layers]]\nid = \"{prefix}ocs2d\"\ntitle = \"OCS2D\"\nsource = \"{source}\"\ntable = \"ocs2d\"\ntemporal = \"date_maj\"\n\
             styles = [\"../styles/ocs2d.sld\"]\n"
        )
    };
    let mut toml = format!(
        "[server.limits]\nmax_map_features = {max_map_features}\n[sources.demo]\ntype = \"geopackage\"\npath = \"../demo/demo.gpkg\"\n{}\
         [[layers]]\nid = \"scot\"\nsource = \"demo\"\ntable = \"scot\"\nstyles = [\"../styles/scot.sld\"]\n\
         [[layers]]\nid = \"epci\"\nsource = \"demo\"\ntable = \"epci\"\n",
        layers("", "demo")
    );
    if has_pg() {
        toml.push_str(&format!("[sources.pg]\ntype = \"postgis\"\nurl = \"${{OSSATURE_TEST_PG}}\"\n{}", layers("pg_", "pg")));
    }
    toml
}

/// The layer-name prefixes of the sources under test.
fn sources() -> Vec<&'static str> {
    if has_pg() { vec!["", "pg_"] } else { vec![""] }
}

/// West of Lille in Lambert-93: the OCS2D area and the communes around it.
const L93: &str = "695500,7058500,700500,7063500";

fn map(version: &str, layers: &str, styles: &str, crs: &str, bbox: &str, extra: &str) -> String {
    let crs_name = if version == "1.3.0" { "CRS" } else { "SRS" };
    format!("/wms?SERVICE=WMS&VERSION={version}&REQUEST=GetMap&LAYERS={layers}&STYLES={styles}&{crs_name}={crs}&BBOX={bbox}&WIDTH=512&HEIGHT=512&FORMAT=image/png{extra}")
}

async fn png(s: &Server, path: &str) -> Vec<u8> {
    let (status, ct, body) = s.bytes(path).await;
    assert_eq!((status, ct.as_str()), (200, "image/png"), "{path}: {}", String::from_utf8_lossy(&body));
    let (w, h, pixels) = decode_png(&body);
    assert_eq!((w, h), (512, 512));
    pixels
}

async fn exception_code(s: &Server, path: &str) -> String {
    let (_, ct, body) = s.bytes(path).await;
    let body = String::from_utf8_lossy(&body).into_owned();
    assert!(ct.contains("xml"), "{path}: {ct}");
    let at = body.find("code=\"").unwrap_or_else(|| panic!("{path}: {body}")) + 6;
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// Mean absolute difference per channel between two RGBA images of the same size.
fn mean_difference(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| f64::from(x.abs_diff(*y))).sum::<f64>() / a.len() as f64
}

/// Opaque pixels of about one colour (the 30 % outlines of OCS2D tint the small polygons).
fn count(pixels: &[u8], rgb: [u8; 3]) -> usize {
    pixels.chunks_exact(4).filter(|p| p[3] > 200 && p[..3].iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 24)).count()
}

/// Compares with the committed reference (or writes it when asked, from the GeoPackage maps).
fn against_reference(name: &str, pixels: &[u8], tolerance: f64, from_geopackage: bool) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/wms").join(name);
    if std::env::var("OSSATURE_WRITE_REFERENCES").is_ok() && from_geopackage {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        let mut e = png::Encoder::new(file, 512, 512);
        e.set_color(png::ColorType::Rgba);
        e.write_header().unwrap().write_image_data(pixels).unwrap();
        return;
    }
    let (w, h, reference) = decode_png(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    assert_eq!((w, h), (512, 512));
    let d = mean_difference(pixels, &reference);
    assert!(d < tolerance, "{name}: mean difference {d} from the reference");
}

#[tokio::test]
async fn capabilities_list_vector_layers_with_styles_legends_and_time() {
    let s = start(&config()).await;
    for (version, query) in [("1.3.0", "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"), ("1.1.1", "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1")] {
        let (status, _, body) = s.bytes(query).await;
        let doc = String::from_utf8(body).unwrap();
        assert_eq!(status, 200);
        if version == "1.3.0" {
            validate(&doc, "sld/1.1.0/sld_capabilities.xsd");
        } else {
            validate_dtd(&doc);
        }
        let doc: String = doc.lines().map(str::trim).collect();
        for prefix in sources() {
            assert!(doc.contains(&format!("<Name>{prefix}communes</Name><Title>Communes</Title>")), "{doc}");
            assert!(doc.contains(&format!("LAYER={prefix}communes&amp;STYLE=communes_contour")), "legend of the second style");
        }
        assert!(doc.contains("<Style><Name>communes</Name><Title>Communes</Title><LegendURL width=\""), "{doc}");
        assert!(doc.contains("<Style><Name>ocs2d_couverture</Name><Title>OCS2D - couverture du sol (nomenclature OCS GE)</Title>"));
        // A layer without a style file gets the plain one.
        assert!(doc.contains("<Name>epci</Name>") && doc.contains("LAYER=epci&amp;STYLE=default"), "{doc}");
        let time = if version == "1.3.0" { "default=\"2015-03-02/2022-12-15\"" } else { "<Extent name=\"time\" default=\"2015-03-02/2022-12-15\"" };
        assert!(doc.contains(time), "{doc}");
        assert!(doc.contains("2015-03-02/2022-12-15/P1D"));
    }
}

#[tokio::test]
async fn maps_match_the_references_from_both_sources() {
    let s = start(&config()).await;
    for prefix in sources() {
        let layers = format!("{prefix}ocs2d,{prefix}communes");
        let pixels = png(&s, &map("1.3.0", &layers, ",communes_contour", "EPSG:2154", L93, "")).await;
        // OCS2D colours are there: built-up areas (CS1.1.1.1) and water (CS1.2.2).
        assert!(count(&pixels, [0xff, 0x37, 0x7a]) > 5000, "{prefix}: built-up areas");
        assert!(count(&pixels, [0x00, 0xcc, 0xf2]) > 300, "{prefix}: water");
        against_reference("ocs2d_communes_l93.png", &pixels, 1.0, prefix.is_empty());
        // The default communes style: a pale fill and the names, over a transparent map.
        let communes = png(&s, &map("1.3.0", &format!("{prefix}communes"), "", "EPSG:2154", L93, "&TRANSPARENT=TRUE")).await;
        against_reference("communes_l93.png", &communes, 1.0, prefix.is_empty());
    }
}

#[tokio::test]
async fn the_same_box_in_both_versions_is_the_same_picture() {
    let s = start(&config()).await;
    let (w, so, e, n) = (2.95, 50.62, 3.05, 50.68);
    let v111 = png(&s, &map("1.1.1", "ocs2d,communes", ",communes_contour", "EPSG:4326", &format!("{w},{so},{e},{n}"), "")).await;
    let v130 = png(&s, &map("1.3.0", "ocs2d,communes", ",communes_contour", "EPSG:4326", &format!("{so},{w},{n},{e}"), "")).await;
    assert_eq!(v111, v130);
    let crs84 = png(&s, &map("1.3.0", "ocs2d,communes", ",communes_contour", "CRS:84", &format!("{w},{so},{e},{n}"), "")).await;
    assert_eq!(v111, crs84);
    assert!(count(&v111, [0xff, 0x37, 0x7a]) > 1000, "drawn, not empty");
}

#[tokio::test]
async fn styles_cql_filter_and_time_change_the_picture() {
    let s = start(&config()).await;
    for prefix in sources() {
        let base = map("1.3.0", &format!("{prefix}ocs2d"), "", "EPSG:2154", L93, "&TRANSPARENT=TRUE");
        let all = png(&s, &base).await;
        let built = [0xff, 0x37, 0x7a];
        // CQL_FILTER: water only.
        let water = png(&s, &format!("{base}&CQL_FILTER=code_cs%3D%27CS1.2.2%27")).await;
        assert_eq!(count(&water, built), 0, "{prefix}: only water drawn");
        assert!(count(&water, [0x00, 0xcc, 0xf2]) > 300);
        // TIME: the 2015-2016 features are a minority.
        let old = png(&s, &format!("{base}&TIME=2015-01-01/2016-12-31")).await;
        let opaque = |p: &[u8]| p.chunks_exact(4).filter(|p| p[3] > 0).count();
        assert!(opaque(&old) > 1000 && opaque(&old) * 3 < opaque(&all), "{prefix}: {} of {}", opaque(&old), opaque(&all));
        assert_eq!(exception_code(&s, &format!("{base}&TIME=2010-01-01")).await, "InvalidDimensionValue");
        // STYLES: the outline style draws red dashes, the default none.
        let communes = map("1.3.0", &format!("{prefix}communes"), "", "EPSG:2154", L93, "&TRANSPARENT=TRUE");
        let default = png(&s, &communes).await;
        let outline = png(&s, &communes.replace("STYLES=", "STYLES=communes_contour")).await;
        let red = |p: &[u8]| p.chunks_exact(4).filter(|p| p[0] > 180 && p[1] < 80 && p[2] < 80 && p[3] > 200).count();
        assert!(red(&outline) > 500 && red(&default) == 0, "{prefix}");
    }
}

#[tokio::test]
async fn legends() {
    let s = start(&config()).await;
    let (status, _, body) = s.bytes("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities").await;
    assert_eq!(status, 200);
    let doc = String::from_utf8(body).unwrap();
    // Every announced legend answers a PNG of the announced size.
    let mut seen = 0;
    for chunk in doc.split("<LegendURL ").skip(1) {
        let attr = |name: &str| -> u32 {
            let at = chunk.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            chunk[at..at + chunk[at..].find('"').unwrap()].parse().unwrap()
        };
        let href = chunk.split("xlink:href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
        let path = href.trim_start_matches(&s.base).to_string();
        let (status, ct, body) = s.bytes(&path).await;
        assert_eq!((status, ct.as_str()), (200, "image/png"), "{path}");
        let (w, h, _) = decode_png(&body);
        assert_eq!((w, h), (attr("width"), attr("height")), "{path}");
        seen += 1;
    }
    assert!(seen >= 5, "{seen} legends");
    // One rule at the requested size, without its label.
    let rule = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=ocs2d&STYLE=&RULE=CS1.2.2&WIDTH=32&HEIGHT=24";
    let (_, _, body) = s.bytes(rule).await;
    let (w, h, pixels) = decode_png(&body);
    assert_eq!((w, h), (32, 24));
    assert!(count(&pixels, [0x00, 0xcc, 0xf2]) > 400, "the water swatch");
    // The rules of a scale: the communes' names only below 1:150 000.
    let scaled = |scale: u32| format!("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=communes&SCALE={scale}");
    let (_, _, near) = s.bytes(&scaled(50_000)).await;
    let (_, _, far) = s.bytes(&scaled(500_000)).await;
    assert!(decode_png(&near).1 > decode_png(&far).1, "two rules near, one far");
}

#[tokio::test]
async fn refusals() {
    // At most 1000 features per layer and map: the OCS2D area (4154) is refused, a corner not.
    let s = start(&config_with(1000)).await;
    let good = map("1.3.0", "ocs2d", "", "EPSG:2154", "696000,7059500,697000,7060500", "");
    for (path, code) in [
        (good.replace("STYLES=", "STYLES=nope"), "StyleNotDefined"),
        (good.replace("WIDTH=512", "WIDTH=100000"), "InvalidParameterValue"),
        (format!("{good}&CQL_FILTER=nope%3D1"), "InvalidParameterValue"),
        (format!("{good}&TIME=bad"), "InvalidDimensionValue"),
        (map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), "InvalidParameterValue"),
        ("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=nope".to_string(), "LayerNotDefined"),
        ("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=ocs2d&STYLE=nope".to_string(), "StyleNotDefined"),
        ("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=ocs2d&RULE=nope".to_string(), "InvalidParameterValue"),
        ("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=ocs2d&WIDTH=100000".to_string(), "InvalidParameterValue"),
    ] {
        assert_eq!(exception_code(&s, &path).await, code, "{path}");
    }
    assert_eq!(s.get("/health").await.status(), 200);
    png(&s, &good).await;
}

#[tokio::test]
async fn feature_info_finds_the_commune_under_the_pixel_in_every_format() {
    let s = start(&config()).await;
    for prefix in sources() {
        for version in ["1.3.0", "1.1.1"] {
            let (crs, i, j) = if version == "1.3.0" { ("CRS", "I", "J") } else { ("SRS", "X", "Y") };
            let query = format!(
                "/wms?SERVICE=WMS&VERSION={version}&REQUEST=GetFeatureInfo&LAYERS={prefix}communes&QUERY_LAYERS={prefix}communes&STYLES=&{crs}=EPSG:2154&BBOX={L93}&WIDTH=512&HEIGHT=512&{i}=200&{j}=240"
            );
            for (format, needle) in [
                ("text/plain", "nom = Capinghem"),
                ("text/html", "<th>nom</th><td>Capinghem</td>"),
                ("application/json", "\"nom\":\"Capinghem\""),
                ("application/vnd.ogc.gml", "<ossature:nom>Capinghem</ossature:nom>"),
                ("application/vnd.ogc.gml/3.1.1", "<ossature:nom>Capinghem</ossature:nom>"),
            ] {
                let (status, ct, body) = s.bytes(&format!("{query}&INFO_FORMAT={format}")).await;
                let body = String::from_utf8(body).unwrap();
                assert_eq!((status, ct.as_str()), (200, format), "{query}: {body}");
                assert!(body.contains(needle), "{prefix} {version} {format}: {body}");
                assert_eq!(body.matches("Capinghem").count(), 1, "one feature: {body}");
                // The GML writers are the WFS ones, validated with their feature types in tests/wfs.rs.
                if format.starts_with("application/vnd.ogc.gml") {
                    assert!(body.contains("<wfs:FeatureCollection"), "{body}");
                }
            }
            // Several features with FEATURE_COUNT: the OCS2D polygon and the commune are
            // separate layers; outside any feature, nothing.
            let both = format!("{query}&INFO_FORMAT=application/json").replace(&format!("QUERY_LAYERS={prefix}communes"), &format!("QUERY_LAYERS={prefix}communes,{prefix}ocs2d")).replace(&format!("LAYERS={prefix}communes&"), &format!("LAYERS={prefix}communes,{prefix}ocs2d&"));
            let (_, _, body) = s.bytes(&both).await;
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let features = json["features"].as_array().unwrap();
            assert_eq!(features.len(), 2, "{json}");
            assert!(features[1]["properties"]["code_cs"].as_str().unwrap().starts_with("CS"));
        }
    }
}

/// A style sent with the request: the water of OCS2D in red, from SLD_BODY (naming the layers
/// or, without LAYERS, taking them from the document) and from an SLD URL served by the
/// server itself (allowed by `sld_private_addresses`); refused with the element named when it
/// holds what cannot be drawn, and from a private address when not allowed.
#[tokio::test]
async fn user_styles_from_sld_body_and_sld_url() {
    let sld = |layer: &str, symbolizer: &str| {
        format!(
            r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc"><NamedLayer><Name>{layer}</Name><UserStyle><FeatureTypeStyle><Rule><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>{symbolizer}</Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"#
        )
    };
    let red = r##"<PolygonSymbolizer><Fill><CssParameter name="fill">#ff0000</CssParameter></Fill></PolygonSymbolizer>"##;
    let encode = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    let toml = config().replace("[server.limits]\n", "[server.limits]\nsld_private_addresses = true\n");
    let s = start(&toml).await;
    for prefix in sources() {
        let layer = format!("{prefix}ocs2d");
        let body = encode(&sld(&layer, red));
        let styled = png(&s, &format!("{}&SLD_BODY={body}", map("1.3.0", &layer, "", "EPSG:2154", L93, ""))).await;
        let own = png(&s, &map("1.3.0", &layer, "", "EPSG:2154", L93, "")).await;
        assert!(count(&styled, [0xff, 0, 0]) > 1000, "{prefix}: water drawn red");
        assert_eq!(count(&own, [0xff, 0, 0]), 0, "{prefix}: not by the layer's own style");
        // Without LAYERS, the document's layers.
        let (status, _, bare) = s.bytes(&format!("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&CRS=EPSG:2154&BBOX={L93}&WIDTH=512&HEIGHT=512&FORMAT=image/png&SLD_BODY={body}")).await;
        assert_eq!(status, 200);
        assert_eq!(decode_png(&bare).2, styled, "{prefix}: the same map without LAYERS");
    }
    // SLD: the document at a URL (here the server's own style of OCS2D, a NamedStyle).
    let named = r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"><NamedLayer><Name>ocs2d</Name><NamedStyle><Name>ocs2d_couverture</Name></NamedStyle></NamedLayer></StyledLayerDescriptor>"#;
    let by_name = png(&s, &format!("{}&SLD_BODY={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(named))).await;
    assert_eq!(by_name, png(&s, &map("1.3.0", "ocs2d", "", "EPSG:2154", L93, "")).await, "a NamedStyle is the layer's style");
    let document = sld("ocs2d", red);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let styles = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, axum::Router::new().route("/red.sld", axum::routing::get(move || async move { document.clone() }))).into_future());
    let fetched = png(&s, &format!("{}&SLD={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(&format!("{styles}/red.sld")))).await;
    assert!(count(&fetched, [0xff, 0, 0]) > 1000, "water drawn red by the fetched style");
    let capabilities = format!("{}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities", s.base);
    let not_sld = format!("{}&SLD={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(&capabilities));
    assert_eq!(exception_code(&s, &not_sld).await, "InvalidParameterValue", "a capabilities document is not an SLD");
    let missing = format!("{}&SLD={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(&format!("{styles}/nope.sld")));
    assert_eq!(exception_code(&s, &missing).await, "InvalidParameterValue", "a URL answering 404");
    // Refusals, with the element named.
    let graphic_fill = r##"<PolygonSymbolizer><Fill><GraphicFill><Graphic><Mark><WellKnownName>square</WellKnownName></Mark></Graphic></GraphicFill></Fill></PolygonSymbolizer>"##;
    let (_, _, body) = s.bytes(&format!("{}&SLD_BODY={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(&sld("ocs2d", graphic_fill)))).await;
    let report = String::from_utf8(body).unwrap();
    assert!(report.contains("InvalidParameterValue") && report.contains("GraphicFill") && report.contains("locator=\"SLD_BODY\""), "{report}");
    for (path, code) in [
        (format!("{}&SLD_BODY={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(&sld("ocs2d", red).replace("code_cs", "nope"))), "InvalidParameterValue"),
        (format!("{}&SLD_BODY=%3Cnot-xml", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, "")), "InvalidParameterValue"),
        (format!("{}&SLD={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode("file:///etc/passwd")), "InvalidParameterValue"),
        (format!("{}&SLD_BODY={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(&named.replace("ocs2d_couverture", "nope"))), "StyleNotDefined"),
    ] {
        assert_eq!(exception_code(&s, &path).await, code, "{path}");
    }
    // Private addresses are refused by default.
    let strict = start(&config()).await;
    let to_self = format!("{}&SLD={}", map("1.3.0", "ocs2d", "", "EPSG:2154", L93, ""), encode(&format!("{styles}/red.sld")));
    let (_, _, body) = strict.bytes(&to_self).await;
    assert!(String::from_utf8(body).unwrap().contains("private"), "a loopback URL is refused");
}
