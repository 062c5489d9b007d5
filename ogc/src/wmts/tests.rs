use super::*;
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::ows::ServiceMetadata;
use crate::ows::schema_check::{validate, well_formed};
use crate::tiles::TileFormat;
use crate::tms::TileMatrixSet;

const SCHEMA: &str = "wmts/1.0/wmtsGetCapabilities_response.xsd";

fn service() -> ServiceMetadata {
    ServiceMetadata {
        title: "Tuiles de l'Agglo & <Cie>".into(),
        abstract_: "Orthophotos PCRS 5 cm ; x < y".into(),
        keywords: vec!["orthophotographie".into(), "PCRS".into()],
        provider_name: "Agglo".into(),
        provider_url: "https://sig.example.fr/".into(),
        contact_email: "sig@example.fr".into(),
        ..Default::default()
    }
}

fn sets() -> Vec<TileMatrixSet> {
    let lamb = TileMatrixSet::lamb93_5cm();
    let hidpi = lamb.hidpi();
    vec![TileMatrixSet::web_mercator_quad(), TileMatrixSet::world_crs84_quad(), TileMatrixSet::pm(), lamb, hidpi]
}

fn layers(sets: &[TileMatrixSet]) -> Vec<Layer> {
    let l93 = Bbox { min_x: 640_000.0, min_y: 6_850_000.0, max_x: 660_000.0, max_y: 6_870_000.0 };
    let wgs84 = Bbox { min_x: 2.2, min_y: 48.8, max_x: 2.5, max_y: 49.0 };
    let link = |i: usize, bbox: &Bbox, zooms| TileMatrixSetLink {
        tile_matrix_set: sets[i].id.clone(),
        limits: sets[i].limits(bbox, zooms),
    };
    vec![
        Layer {
            id: "ortho".into(),
            title: "Orthophotographie PCRS".into(),
            abstract_: String::new(),
            keywords: vec![],
            wgs84_bbox: Some(wgs84),
            native_bbox: Some((Crs::LAMBERT93, l93)),
            styles: vec![],
            formats: vec![TileFormat::Jpeg, TileFormat::Png, TileFormat::Webp],
            info_formats: vec![],
            tile_matrix_set_links: vec![
                link(3, &l93, 0..=22),
                link(4, &l93, 0..=22),
                link(1, &wgs84, 0..=21),
                TileMatrixSetLink { tile_matrix_set: "WebMercatorQuad".into(), limits: vec![] },
            ],
            metadata_url: Some("https://sig.example.fr/csw?request=GetRecordById&id=ossature-ortho&outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd".into()),
        },
        Layer {
            id: "occupation du sol".into(),
            title: "Occupation du sol (OCS2D)".into(),
            abstract_: "Base régionale".into(),
            keywords: vec!["OCS2D".into()],
            wgs84_bbox: Some(wgs84),
            native_bbox: Some((Crs::WGS84, wgs84)),
            styles: vec![
                Style { id: "contours".into(), title: "Contours".into(), is_default: false, legend: None },
                Style {
                    id: "nomenclature".into(),
                    title: "Nomenclature".into(),
                    is_default: true,
                    legend: Some(LegendUrl {
                        href: "https://sig.example.fr/wms?request=GetLegendGraphic&layer=ocs2d".into(),
                        format: "image/png".into(),
                        width: Some(200),
                        height: None,
                    }),
                },
            ],
            formats: vec![TileFormat::Png],
            info_formats: vec!["application/json".into(), "text/html".into(), "application/pdf".into()],
            tile_matrix_set_links: vec![TileMatrixSetLink { tile_matrix_set: "PM".into(), limits: vec![] }],
            metadata_url: None,
        },
    ]
}

fn document() -> String {
    let (service, sets) = (service(), sets());
    let layers = layers(&sets);
    wmts_1_0_0(&Capabilities {
        service: &service,
        endpoint: "https://sig.example.fr/wmts",
        rest_root: "https://sig.example.fr/wmts",
        layers: &layers,
        tile_matrix_sets: &sets,
    })
}

fn compact(doc: &str) -> String {
    doc.lines().map(str::trim).collect()
}

#[test]
fn capabilities_validate_against_the_wmts_schema() {
    let doc = document();
    well_formed(&doc);
    validate(&doc, SCHEMA);
}

#[test]
fn capabilities_advertise_kvp_and_rest() {
    let doc = compact(&document());
    assert!(
        doc.contains(
            "<ows:ServiceType>OGC WMTS</ows:ServiceType><ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>"
        )
    );
    assert!(doc.contains("Tuiles de l&apos;Agglo &amp; &lt;Cie&gt;"), "{doc}");
    for op in ["GetCapabilities", "GetTile", "GetFeatureInfo"] {
        assert!(doc.contains(&format!("<ows:Operation name=\"{op}\">")), "{op}");
    }
    assert!(doc.contains(
        "<ows:Get xlink:href=\"https://sig.example.fr/wmts?\"><ows:Constraint name=\"GetEncoding\"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint></ows:Get>"
    ));
    assert!(doc.contains(
        "<ows:Get xlink:href=\"https://sig.example.fr/wmts/\"><ows:Constraint name=\"GetEncoding\"><ows:AllowedValues><ows:Value>RESTful</ows:Value></ows:AllowedValues></ows:Constraint></ows:Get>"
    ));
    assert!(!doc.contains("ows:Post"));
    assert!(
        doc.contains("<ServiceMetadataURL xlink:href=\"https://sig.example.fr/wmts/1.0.0/WMTSCapabilities.xml\"/>")
    );
}

#[test]
fn layers_carry_styles_formats_links_and_templates() {
    let doc = compact(&document());
    // No style configured: one implicit default style.
    assert!(doc.contains("<ows:Identifier>ortho</ows:Identifier><ows:BoundingBox crs=\"urn:ogc:def:crs:EPSG::2154\"><ows:LowerCorner>640000 6850000</ows:LowerCorner>"));
    // The record link sits between the bounding box and the styles, where OWS 1.1 puts it.
    assert!(doc.contains("</ows:BoundingBox><ows:Metadata xlink:type=\"simple\" xlink:href=\"https://sig.example.fr/csw?request=GetRecordById&amp;id=ossature-ortho&amp;outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd\" xlink:title=\"ISO 19139 metadata record\"/><Style"), "{doc}");
    assert!(doc.contains("<Style isDefault=\"true\"><ows:Identifier>default</ows:Identifier></Style><Format>image/jpeg</Format><Format>image/png</Format><Format>image/webp</Format>"));
    assert!(doc.contains(
        "<ResourceURL format=\"image/jpeg\" resourceType=\"tile\" template=\"https://sig.example.fr/wmts/ortho/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.jpg\"/>"
    ));
    assert!(doc.contains("<TileMatrixSetLink><TileMatrixSet>WebMercatorQuad</TileMatrixSet></TileMatrixSetLink>"));
    assert!(doc.contains("<TileMatrixSetLink><TileMatrixSet>LAMB93_5cm_EPSG@2x</TileMatrixSet><TileMatrixSetLimits>"));
    // Level 22 around (650 000, 6 860 000): 12.8 m tiles.
    assert!(doc.contains("<TileMatrixLimits><TileMatrix>22</TileMatrix><MinTileRow>400781</MinTileRow><MaxTileRow>402343</MaxTileRow><MinTileCol>50000</MinTileCol><MaxTileCol>51562</MaxTileCol></TileMatrixLimits>"), "{doc}");
    // Levels whose last row or column is 0 are left out (the schema wants positive integers).
    assert!(!doc.contains("<MaxTileRow>0</MaxTileRow>") && !doc.contains("<MaxTileCol>0</MaxTileCol>"));

    // The second layer: geographic native box latitude first, two styles, percent-encoded id.
    assert!(doc.contains("<ows:BoundingBox crs=\"urn:ogc:def:crs:EPSG::4326\"><ows:LowerCorner>48.8 2.2</ows:LowerCorner><ows:UpperCorner>49 2.5</ows:UpperCorner>"));
    assert!(doc.contains("<ows:WGS84BoundingBox><ows:LowerCorner>2.2 48.8</ows:LowerCorner>"));
    assert!(doc.contains(
        "<Style isDefault=\"false\"><ows:Title>Contours</ows:Title><ows:Identifier>contours</ows:Identifier></Style>"
    ));
    assert!(doc.contains(
        "<Style isDefault=\"true\"><ows:Title>Nomenclature</ows:Title><ows:Identifier>nomenclature</ows:Identifier><LegendURL format=\"image/png\" xlink:href=\"https://sig.example.fr/wms?request=GetLegendGraphic&amp;layer=ocs2d\" width=\"200\"/></Style>"
    ));
    assert!(doc.contains("<InfoFormat>application/json</InfoFormat><InfoFormat>text/html</InfoFormat><InfoFormat>application/pdf</InfoFormat>"));
    assert!(doc.contains(
        "template=\"https://sig.example.fr/wmts/occupation%20du%20sol/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}/{J}/{I}.json\""
    ));
    assert!(doc.contains("resourceType=\"FeatureInfo\" template=\"https://sig.example.fr/wmts/occupation%20du%20sol/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}/{J}/{I}.html\""));
    assert!(!doc.contains("format=\"application/pdf\" resourceType"), "no REST template without an extension");
}

#[test]
fn tile_matrix_sets_in_their_crs_axis_order() {
    let doc = compact(&document());
    assert!(doc.contains(
        "<ows:Identifier>WebMercatorQuad</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS><WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet><TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>559082264.0287178</ScaleDenominator><TopLeftCorner>-20037508.342789244 20037508.342789244</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>"
    ), "{doc}");
    assert!(doc.contains("<ows:SupportedCRS>urn:ogc:def:crs:OGC:1.3:CRS84</ows:SupportedCRS><WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad</WellKnownScaleSet>"));
    assert!(doc.contains("<TopLeftCorner>-180 90</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>2</MatrixWidth><MatrixHeight>1</MatrixHeight>"));
    assert!(doc.contains("<ows:Identifier>22</ows:Identifier><ScaleDenominator>178.57142857142858</ScaleDenominator><TopLeftCorner>0 12000000</TopLeftCorner><TileWidth>256</TileWidth>"));
    assert!(doc.contains("<ows:Identifier>LAMB93_5cm_EPSG@2x</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::2154</ows:SupportedCRS><TileMatrix>"));
    assert!(doc.contains("<ScaleDenominator>89.28571428571429</ScaleDenominator><TopLeftCorner>0 12000000</TopLeftCorner><TileWidth>512</TileWidth>"));
    assert_eq!(doc.matches("<TileMatrixSet><ows:Title>").count(), 5);
}

#[test]
fn no_feature_info_operation_without_queryable_layers() {
    let (service, sets) = (service(), sets());
    let mut layers = layers(&sets);
    layers.truncate(1);
    let doc = wmts_1_0_0(&Capabilities {
        service: &service,
        endpoint: "https://h/ows?service=WMTS",
        rest_root: "https://h/wmts",
        layers: &layers,
        tile_matrix_sets: &sets,
    });
    assert!(!doc.contains("GetFeatureInfo"));
    assert!(doc.contains("<ows:Get xlink:href=\"https://h/ows?service=WMTS&amp;\">"));
    validate(&doc, SCHEMA);
}

#[test]
fn requests_are_checked_against_the_capabilities() {
    let (service, sets) = (service(), sets());
    let layers = layers(&sets);
    let caps =
        Capabilities { service: &service, endpoint: "e", rest_root: "r", layers: &layers, tile_matrix_sets: &sets };
    let tile = |path: &str| match parse_rest(path) {
        Ok(Some(WmtsRequest::GetTile(t))) => caps.check_tile(&t),
        other => panic!("{other:?}"),
    };
    let found = tile("ortho/default/LAMB93_5cm_EPSG/22/401562/50781.jpg").unwrap();
    assert_eq!(
        (found.layer.id.as_str(), found.style, found.set.id.as_str(), found.z, found.matrix.cell_size),
        ("ortho", "default", "LAMB93_5cm_EPSG", 22, 0.05)
    );
    let kvp: Vec<(String, String)> = [
        ("REQUEST", "GetTile"),
        ("LAYER", "ortho"),
        ("STYLE", ""),
        ("FORMAT", "image/png"),
        ("TILEMATRIXSET", "WebMercatorQuad"),
        ("TILEMATRIX", "0"),
        ("TILEROW", "0"),
        ("TILECOL", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    match parse_kvp(&kvp) {
        Ok(WmtsRequest::GetTile(t)) => assert_eq!(caps.check_tile(&t).map(|f| f.style), Ok("default")),
        other => panic!("{other:?}"),
    }
    assert_eq!(tile("ortho/default/LAMB93_5cm_EPSG@2x/22/401562/50781.webp").map(|f| f.matrix.tile_width), Ok(512));
    assert_eq!(tile("ortho/default/WebMercatorQuad/24/16777215/0.png").map(|f| f.z), Ok(24));
    for (path, code, locator) in [
        ("roads/default/PM/1/0/0.png", ExceptionCode::InvalidParameterValue, "Layer"),
        ("ortho/fancy/PM/1/0/0.png", ExceptionCode::InvalidParameterValue, "Style"),
        ("ortho/default/PM/1/0/0.png", ExceptionCode::InvalidParameterValue, "TileMatrixSet"),
        ("ortho/default/LAMB93_5cm_EPSG/23/0/0.png", ExceptionCode::InvalidParameterValue, "TileMatrix"),
        ("ortho/default/WebMercatorQuad/1/2/0.png", ExceptionCode::TileOutOfRange, "TileRow"),
        ("ortho/default/WebMercatorQuad/1/0/2.png", ExceptionCode::TileOutOfRange, "TileCol"),
        ("ortho/default/LAMB93_5cm_EPSG/22/0/50781.jpg", ExceptionCode::TileOutOfRange, "TileRow"),
        ("ortho/default/LAMB93_5cm_EPSG/22/401562/0.jpg", ExceptionCode::TileOutOfRange, "TileCol"),
        ("occupation%20du%20sol/contours/PM/5/11/16.jpg", ExceptionCode::InvalidParameterValue, "Format"),
    ] {
        let e = tile(path).unwrap_err();
        assert_eq!((e.code, e.locator.as_deref()), (code, Some(locator)), "{path}: {e}");
    }
    assert_eq!(tile("occupation%20du%20sol/default/PM/5/11/16.png").map(|f| f.style), Ok("nomenclature"));

    let info = |path: &str| match parse_rest(path) {
        Ok(Some(WmtsRequest::GetFeatureInfo(r))) => caps.check_feature_info(&r),
        other => panic!("{other:?}"),
    };
    assert!(info("occupation%20du%20sol/contours/PM/5/11/16/255/0.json").is_ok());
    for (path, code, locator) in [
        ("occupation%20du%20sol/contours/PM/5/11/16/256/0.json", ExceptionCode::PointIJOutOfRange, "J"),
        ("occupation%20du%20sol/contours/PM/5/11/16/0/256.json", ExceptionCode::PointIJOutOfRange, "I"),
        ("occupation%20du%20sol/contours/PM/5/11/16/0/0.xml", ExceptionCode::InvalidParameterValue, "InfoFormat"),
        ("ortho/default/WebMercatorQuad/5/11/16/0/0.json", ExceptionCode::OperationNotSupported, "GetFeatureInfo"),
    ] {
        let e = info(path).unwrap_err();
        assert_eq!(
            (e.code, e.locator.as_deref(), e.http_status()),
            (code, Some(locator), code.http_status()),
            "{path}: {e}"
        );
    }
}

#[test]
fn exception_reports_validate() {
    let e = parse_kvp(&[("REQUEST".into(), "GetTile".into())]).unwrap_err();
    let report = e.report();
    assert!(report.contains("<ows:Exception exceptionCode=\"MissingParameterValue\" locator=\"Layer\">"), "{report}");
    assert!(report.contains("version=\"1.0.0\""));
    validate(&report, "ows/1.1.0/owsExceptionReport.xsd");
    let e = WmtsError::new(ExceptionCode::TileOutOfRange, "TileRow", "row 9 < & > 8");
    assert_eq!(e.http_status(), 400);
    validate(&e.report(), "ows/1.1.0/owsExceptionReport.xsd");
}
