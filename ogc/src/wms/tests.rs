//! Capabilities documents validated against the schemas, and requests checked against the
//! same layer tree they advertise.

use super::*;
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::ows::ServiceMetadata;
use crate::ows::schema_check::{validate, validate_dtd, well_formed};

const SLD_CAPABILITIES: &str = "sld/1.1.0/sld_capabilities.xsd";

fn service() -> ServiceMetadata {
    ServiceMetadata {
        title: "Cartes de la Région & <Cie>".into(),
        abstract_: "Limites administratives, OCS2D ; orthophotos PCRS".into(),
        keywords: vec!["WMS".into(), "aménagement".into()],
        provider_name: "Région".into(),
        provider_url: "https://sig.example.fr/".into(),
        contact_name: "Service SIG".into(),
        contact_email: "sig@example.fr".into(),
        ..Default::default()
    }
}

const WGS84: Bbox = Bbox { min_x: -5.2, min_y: 42.3, max_x: 8.3, max_y: 51.1 };
const L93: Bbox = Bbox { min_x: 100_000.0, min_y: 6_050_000.0, max_x: 1_250_000.0, max_y: 7_120_000.0 };
const MERC: Bbox = Bbox { min_x: -578_000.0, min_y: 5_150_000.0, max_x: 924_000.0, max_y: 6_640_000.0 };

fn extents() -> Vec<BoundingBox> {
    vec![
        BoundingBox::new(Crs::LAMBERT93, L93),
        BoundingBox::new(Crs::WEB_MERCATOR, MERC),
        BoundingBox::new(Crs::WGS84, WGS84),
        BoundingBox::new(Crs::Crs84, WGS84),
    ]
}

fn legend(layer: &str, style: &str) -> LegendUrl {
    LegendUrl {
        href: format!(
            "https://sig.example.fr/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER={layer}&STYLE={style}"
        ),
        format: "image/png".into(),
        width: 20,
        height: 20,
    }
}

fn style(name: &str, title: &str, layer: &str) -> Style {
    Style { name: name.into(), title: title.into(), abstract_: String::new(), legend: Some(legend(layer, name)) }
}

fn tree() -> LayerInfo {
    let communes = LayerInfo {
        name: Some("communes".into()),
        title: "Communes".into(),
        abstract_: "Limites communales (Admin Express)".into(),
        keywords: vec!["limites".into()],
        geographic_bbox: Some(WGS84),
        bboxes: extents(),
        metadata_urls: vec![MetadataUrl {
            type_: MetadataType::Iso19115,
            format: "text/xml".into(),
            href: "https://sig.example.fr/csw?service=CSW&version=2.0.2&request=GetRecordById&id=communes&outputSchema=http://www.isotc211.org/2005/gmd".into(),
        }],
        styles: vec![style("contours", "Contours", "communes"), style("population", "", "communes")],
        max_scale_denominator: Some(500_000.0),
        queryable: true,
        ..Default::default()
    };
    let epci = LayerInfo {
        name: Some("epci".into()),
        title: "EPCI".into(),
        geographic_bbox: Some(WGS84),
        bboxes: extents(),
        styles: vec![Style { name: "default".into(), title: "Défaut".into(), abstract_: String::new(), legend: None }],
        min_scale_denominator: Some(10_000.0),
        max_scale_denominator: Some(2_000_000.0),
        queryable: true,
        ..Default::default()
    };
    let ortho = LayerInfo {
        name: Some("ortho".into()),
        title: "Orthophotographie PCRS 5 cm".into(),
        crs: vec![Crs::Epsg(3950)],
        geographic_bbox: Some(Bbox { min_x: 2.2, min_y: 48.8, max_x: 2.5, max_y: 49.0 }),
        bboxes: vec![BoundingBox::new(
            Crs::Epsg(3950),
            Bbox { min_x: 1_640_000.0, min_y: 9_170_000.0, max_x: 1_660_000.0, max_y: 9_190_000.0 },
        )],
        time: Some(TimeDimension {
            values: vec!["2018-06-01".into(), "2021-06-01".into(), "2024-06-01".into()],
            default: "2024-06-01".into(),
            nearest_value: false,
            current: false,
        }),
        opaque: true,
        ..Default::default()
    };
    let ocs = LayerInfo {
        name: Some("ocs2d".into()),
        title: "Occupation du sol".into(),
        geographic_bbox: Some(WGS84),
        time: Some(TimeDimension {
            values: vec!["2015-01-01/2023-01-01/P4Y".into()],
            default: String::new(),
            nearest_value: false,
            current: true,
        }),
        styles: vec![style("nomenclature", "Nomenclature niveau 1", "ocs2d")],
        queryable: true,
        ..Default::default()
    };
    LayerInfo {
        name: None,
        title: "Cartes de la Région".into(),
        crs: vec![Crs::LAMBERT93, Crs::WEB_MERCATOR, Crs::WGS84, Crs::Crs84],
        geographic_bbox: Some(Bbox { min_x: -180.5, min_y: -90.0, max_x: 180.0, max_y: 90.0 }),
        bboxes: extents(),
        children: vec![
            LayerInfo {
                name: Some("limites".into()),
                title: "Limites administratives".into(),
                children: vec![communes, epci],
                ..Default::default()
            },
            LayerInfo { name: None, title: "Fonds".into(), children: vec![ortho, ocs], ..Default::default() },
        ],
        ..Default::default()
    }
}

fn with_caps<T>(supports_sld: bool, f: impl FnOnce(&Capabilities) -> T) -> T {
    let (service, root) = (service(), tree());
    f(&Capabilities {
        service: &service,
        endpoint: "https://sig.example.fr/wms",
        update_sequence: Some("42"),
        limits: Limits { max_width: 4096, max_height: 3072, layer_limit: Some(10) },
        supports_sld,
        map_formats: &MapFormat::ALL,
        info_formats: &InfoFormat::ALL,
        legend_graphic: true,
        root: &root,
    })
}

/// Capabilities with default limits, no update sequence, no SLD and no legends.
fn plain<'a>(
    service: &'a ServiceMetadata,
    root: &'a LayerInfo,
    map_formats: &'a [MapFormat],
    info_formats: &'a [InfoFormat],
) -> Capabilities<'a> {
    Capabilities {
        service,
        endpoint: "https://h/wms",
        update_sequence: None,
        limits: Limits::default(),
        supports_sld: false,
        map_formats,
        info_formats,
        legend_graphic: false,
        root,
    }
}

fn compact(doc: &str) -> String {
    doc.lines().map(str::trim).collect()
}

#[test]
fn capabilities_1_3_0_validate() {
    for sld in [true, false] {
        let doc = with_caps(sld, capabilities_1_3_0);
        well_formed(&doc);
        // The SLD capabilities schema imports the WMS one: one validation covers both
        // namespaces (sld:GetLegendGraphic, sld:UserDefinedSymbolization).
        validate(&doc, SLD_CAPABILITIES);
    }
}

#[test]
fn capabilities_1_1_1_validate_against_the_dtd() {
    for sld in [true, false] {
        let doc = with_caps(sld, capabilities_1_1_1);
        well_formed(&doc);
        validate_dtd(&doc);
    }
}

#[test]
fn capabilities_1_3_0_content() {
    let doc = compact(&with_caps(true, |c| capabilities(c, Version::V1_3_0)));
    assert!(
        doc.contains("<WMS_Capabilities version=\"1.3.0\" updateSequence=\"42\" xmlns=\"http://www.opengis.net/wms\""),
        "{doc}"
    );
    assert!(doc.contains("<Title>Cartes de la Région &amp; &lt;Cie&gt;</Title>"));
    assert!(doc.contains("<LayerLimit>10</LayerLimit><MaxWidth>4096</MaxWidth><MaxHeight>3072</MaxHeight>"));
    assert!(doc.contains("<GetCapabilities><Format>text/xml</Format><DCPType><HTTP><Get><OnlineResource xlink:type=\"simple\" xlink:href=\"https://sig.example.fr/wms?\"/></Get></HTTP></DCPType></GetCapabilities>"));
    assert!(doc.contains("<Format>image/png; mode=8bit</Format>"));
    assert!(doc.contains("<Format>application/vnd.ogc.gml/3.1.1</Format>"));
    assert!(doc.contains("<sld:GetLegendGraphic><Format>image/png</Format>"));
    assert!(doc.contains("<Exception><Format>XML</Format><Format>INIMAGE</Format><Format>BLANK</Format></Exception>"));
    assert!(doc.contains("<sld:UserDefinedSymbolization SupportSLD=\"1\" UserLayer=\"0\" UserStyle=\"1\""));
    assert!(doc.contains("<CRS>EPSG:2154</CRS><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS><CRS>CRS:84</CRS>"));
    // EPSG:4326 latitude first, CRS:84 longitude first, projected CRSs easting first.
    assert!(
        doc.contains("<BoundingBox CRS=\"EPSG:4326\" minx=\"42.3\" miny=\"-5.2\" maxx=\"51.1\" maxy=\"8.3\"/>"),
        "{doc}"
    );
    assert!(doc.contains("<BoundingBox CRS=\"CRS:84\" minx=\"-5.2\" miny=\"42.3\" maxx=\"8.3\" maxy=\"51.1\"/>"));
    assert!(doc.contains(
        "<BoundingBox CRS=\"EPSG:2154\" minx=\"100000\" miny=\"6050000\" maxx=\"1250000\" maxy=\"7120000\"/>"
    ));
    assert!(doc.contains("<EX_GeographicBoundingBox><westBoundLongitude>-5.2</westBoundLongitude><eastBoundLongitude>8.3</eastBoundLongitude><southBoundLatitude>42.3</southBoundLatitude><northBoundLatitude>51.1</northBoundLatitude></EX_GeographicBoundingBox>"));
    // The root's out-of-range longitude is clamped.
    assert!(doc.contains("<westBoundLongitude>-180</westBoundLongitude>"));
    assert!(doc.contains("<Layer queryable=\"0\"><Title>Cartes de la Région</Title>"), "the root group has no name");
    assert!(doc.contains("<Layer queryable=\"1\"><Name>communes</Name>"));
    assert!(doc.contains("<Layer queryable=\"0\" opaque=\"1\"><Name>ortho</Name>"));
    assert!(doc.contains("<MetadataURL type=\"ISO19115:2003\"><Format>text/xml</Format>"));
    assert!(doc.contains("<Style><Name>population</Name><Title>population</Title><LegendURL width=\"20\" height=\"20\"><Format>image/png</Format><OnlineResource xlink:type=\"simple\" xlink:href=\"https://sig.example.fr/wms?SERVICE=WMS&amp;REQUEST=GetLegendGraphic&amp;FORMAT=image/png&amp;LAYER=communes&amp;STYLE=population\"/></LegendURL></Style>"));
    assert!(doc.contains("<MaxScaleDenominator>500000</MaxScaleDenominator>"));
    assert!(doc.contains(
        "<MinScaleDenominator>10000</MinScaleDenominator><MaxScaleDenominator>2000000</MaxScaleDenominator>"
    ));
    assert!(doc.contains("<Dimension name=\"time\" units=\"ISO8601\" default=\"2024-06-01\" nearestValue=\"0\">2018-06-01,2021-06-01,2024-06-01</Dimension>"));
    assert!(doc.contains("<Dimension name=\"time\" units=\"ISO8601\" nearestValue=\"0\" current=\"1\">2015-01-01/2023-01-01/P4Y</Dimension>"));
    assert!(doc.contains("<ContactPersonPrimary><ContactPerson>Service SIG</ContactPerson><ContactOrganization>Région</ContactOrganization></ContactPersonPrimary><ContactElectronicMailAddress>sig@example.fr</ContactElectronicMailAddress>"));
    assert!(doc.contains("<Fees>NONE</Fees><AccessConstraints>NONE</AccessConstraints>"));
}

#[test]
fn capabilities_1_1_1_content() {
    let doc = compact(&with_caps(true, |c| capabilities(c, Version::V1_1_1)));
    assert!(doc.contains(
        "<!DOCTYPE WMT_MS_Capabilities SYSTEM \"http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd\">"
    ));
    assert!(doc.contains("<WMT_MS_Capabilities version=\"1.1.1\" updateSequence=\"42\">"));
    assert!(doc.contains("<Name>OGC:WMS</Name>"));
    assert!(!doc.contains("MaxWidth"));
    assert!(doc.contains("<GetCapabilities><Format>application/vnd.ogc.wms_xml</Format>"));
    assert!(doc.contains("<Get><OnlineResource xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:type=\"simple\" xlink:href=\"https://sig.example.fr/wms?\"/></Get>"));
    assert!(doc.contains("<GetLegendGraphic><Format>image/png</Format>"));
    assert!(doc.contains("<Exception><Format>application/vnd.ogc.se_xml</Format><Format>application/vnd.ogc.se_inimage</Format><Format>application/vnd.ogc.se_blank</Format></Exception>"));
    assert!(
        doc.contains("<UserDefinedSymbolization SupportSLD=\"1\" UserLayer=\"0\" UserStyle=\"1\" RemoteWFS=\"0\"/>")
    );
    assert!(
        doc.contains("<SRS>EPSG:2154</SRS><SRS>EPSG:3857</SRS><SRS>EPSG:4326</SRS><LatLonBoundingBox"),
        "no CRS:84 in 1.1.1"
    );
    assert!(!doc.contains("CRS:84"));
    // EPSG:4326 longitude first in 1.1.1.
    assert!(doc.contains("<BoundingBox SRS=\"EPSG:4326\" minx=\"-5.2\" miny=\"42.3\" maxx=\"8.3\" maxy=\"51.1\"/>"));
    assert!(doc.contains("<LatLonBoundingBox minx=\"-5.2\" miny=\"42.3\" maxx=\"8.3\" maxy=\"51.1\"/>"));
    assert!(doc.contains("<Dimension name=\"time\" units=\"ISO8601\"/><Extent name=\"time\" default=\"2024-06-01\" nearestValue=\"0\">2018-06-01,2021-06-01,2024-06-01</Extent>"));
    assert!(doc.contains("<MetadataURL type=\"TC211\">"));
    // 500 000 × 0.00028 × √2 = 197.99...; 10 000 → 3.959...
    assert!(doc.contains("<ScaleHint min=\"0\" max=\"197.9898987322333\"/>"), "{doc}");
    assert!(doc.contains("<ScaleHint min=\"3.9597979746446663\" max=\"791.9595949289333\"/>"), "{doc}");
}

#[test]
fn no_get_feature_info_without_a_queryable_layer() {
    let (service, root) = (
        service(),
        LayerInfo {
            name: Some("ortho".into()),
            title: "Ortho".into(),
            crs: vec![Crs::LAMBERT93],
            ..Default::default()
        },
    );
    let c = plain(&service, &root, &[MapFormat::Png, MapFormat::Jpeg], &InfoFormat::ALL);
    for v in [Version::V1_3_0, Version::V1_1_1] {
        let doc = capabilities(&c, v);
        assert!(!doc.contains("GetFeatureInfo"), "{doc}");
        assert!(!doc.contains("GetLegendGraphic") && !doc.contains("mode=8bit") && !doc.contains("image/webp"));
        assert!(!doc.contains("UserDefinedSymbolization"));
        assert!(!doc.contains("updateSequence"));
    }
    validate(&capabilities(&c, Version::V1_3_0), SLD_CAPABILITIES);
    validate_dtd(&capabilities(&c, Version::V1_1_1));
}

// ---------------------------------------------------------------------------------------------
// Requests checked against the tree
// ---------------------------------------------------------------------------------------------

fn kvp(q: &str) -> Vec<(String, String)> {
    q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn check(q: &str) -> Result<Vec<(String, String)>, WmsError> {
    with_caps(false, |c| {
        let resolved = match parse_kvp(&kvp(q))? {
            WmsRequest::GetMap(m) => c.check_get_map(&m)?,
            WmsRequest::GetFeatureInfo(r) => c.check_feature_info(&r)?,
            WmsRequest::GetLegendGraphic(r) => vec![c.check_legend(&r)?],
            WmsRequest::GetCapabilities(r) => {
                c.check_capabilities(&r)?;
                vec![]
            }
        };
        Ok(resolved.iter().map(|r| (r.layer.name.clone().unwrap_or_default(), r.style.clone())).collect())
    })
}

fn check_error(q: &str, code: ExceptionCode, locator: &str) {
    let e = check(q).expect_err(q);
    assert_eq!((e.code, e.locator.as_deref()), (code, Some(locator)), "{q}: {e}");
}

const MAP: &str = "VERSION=1.3.0&REQUEST=GetMap&LAYERS=communes,epci&STYLES=,&CRS=EPSG:2154&BBOX=640000,6850000,660000,6870000&WIDTH=512&HEIGHT=512&FORMAT=image/png";

#[test]
fn get_map_resolves_layers_and_default_styles() {
    let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    assert_eq!(check(MAP).unwrap(), pairs(&[("communes", "contours"), ("epci", "default")]));
    assert_eq!(
        check(&MAP.replace("STYLES=,", "STYLES=population,default")).unwrap(),
        pairs(&[("communes", "population"), ("epci", "default")])
    );
    // `default` means the default style even when no style has that name.
    assert_eq!(check(&MAP.replace("STYLES=,", "STYLES=default,")).unwrap()[0].1, "contours");
    // A named group can be drawn; CRS inherited from the root.
    assert_eq!(check(&MAP.replace("communes,epci&STYLES=,", "limites&STYLES=")).unwrap(), pairs(&[("limites", "")]));
    // EPSG:3950 is offered by ortho only, on top of the inherited ones.
    let ortho = "VERSION=1.1.1&REQUEST=GetMap&LAYERS=ortho&SRS=EPSG:3950&BBOX=1640000,9170000,1660000,9190000&WIDTH=256&HEIGHT=256&FORMAT=image/jpeg";
    assert!(check(ortho).is_ok());
    check_error(&ortho.replace("ortho", "communes"), ExceptionCode::InvalidCrs, "SRS");
}

#[test]
fn get_map_refusals() {
    check_error(&MAP.replace("communes,epci", "communes,routes"), ExceptionCode::LayerNotDefined, "LAYERS");
    check_error(&MAP.replace("STYLES=,", "STYLES=,rouge"), ExceptionCode::StyleNotDefined, "STYLES");
    check_error(&MAP.replace("CRS=EPSG:2154", "CRS=EPSG:27572"), ExceptionCode::InvalidCrs, "CRS");
    check_error(&MAP.replace("WIDTH=512", "WIDTH=100000"), ExceptionCode::InvalidParameterValue, "WIDTH");
    check_error(&MAP.replace("HEIGHT=512", "HEIGHT=3073"), ExceptionCode::InvalidParameterValue, "HEIGHT");
    assert!(check(&MAP.replace("HEIGHT=512", "HEIGHT=3072").replace("WIDTH=512", "WIDTH=4096")).is_ok());
    let eleven = ["communes"; 11].join(",");
    check_error(
        &MAP.replace("communes,epci&STYLES=,", &format!("{eleven}&STYLES=")),
        ExceptionCode::InvalidParameterValue,
        "LAYERS",
    );
    // With an SLD, style names are the SLD's.
    assert_eq!(
        check(&format!("{}&SLD=https://x/s.sld", MAP.replace("STYLES=,", "STYLES=mon_style,"))).unwrap()[0].1,
        "mon_style"
    );
}

/// Formats the parser knows but the server does not produce are refused by the checks, with
/// the parameter at fault.
#[test]
fn formats_not_offered_are_invalid_format() {
    let (service, root) = (service(), tree());
    let c = plain(&service, &root, &[MapFormat::Png], &[InfoFormat::Json]);
    let WmsRequest::GetMap(m) = parse_kvp(&kvp(&MAP.replace("image/png", "image/png;mode=8bit"))).unwrap() else {
        unreachable!()
    };
    let e = c.check_get_map(&m).unwrap_err();
    assert_eq!((e.code, e.locator.as_deref()), (ExceptionCode::InvalidFormat, Some("FORMAT")), "{e}");
    let WmsRequest::GetMap(m) = parse_kvp(&kvp(MAP)).unwrap() else { unreachable!() };
    assert!(c.check_get_map(&m).is_ok());
    let gfi = "VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=communes&CRS=EPSG:2154&BBOX=640000,6850000,660000,6870000&WIDTH=10&HEIGHT=10&QUERY_LAYERS=communes&I=1&J=1&INFO_FORMAT=";
    let WmsRequest::GetFeatureInfo(g) = parse_kvp(&kvp(&format!("{gfi}application/vnd.ogc.gml"))).unwrap() else {
        unreachable!()
    };
    let e = c.check_feature_info(&g).unwrap_err();
    assert_eq!((e.code, e.locator.as_deref()), (ExceptionCode::InvalidFormat, Some("INFO_FORMAT")), "{e}");
    let WmsRequest::GetFeatureInfo(g) = parse_kvp(&kvp(&format!("{gfi}application/json"))).unwrap() else {
        unreachable!()
    };
    assert!(c.check_feature_info(&g).is_ok());
}

#[test]
fn get_map_time_dimension() {
    let ortho = "VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&CRS=EPSG:3950&BBOX=1640000,9170000,1660000,9190000&WIDTH=256&HEIGHT=256&FORMAT=image/jpeg";
    assert!(check(ortho).is_ok(), "the default time applies");
    assert!(check(&format!("{ortho}&TIME=2021-06-01")).is_ok());
    check_error(&format!("{ortho}&TIME=2020-06-01"), ExceptionCode::InvalidDimensionValue, "TIME");
    let ocs =
        "VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocs2d&CRS=EPSG:3857&BBOX=0,0,10,10&WIDTH=256&HEIGHT=256&FORMAT=image/png";
    check_error(ocs, ExceptionCode::MissingDimensionValue, "TIME");
    assert!(check(&format!("{ocs}&TIME=2019-01-01")).is_ok());
    assert!(check(&format!("{ocs}&TIME=current")).is_ok());
    check_error(&format!("{ocs}&TIME=2030-01-01"), ExceptionCode::InvalidDimensionValue, "TIME");
    // A layer without time dimension ignores TIME.
    assert!(check(&format!("{MAP}&TIME=1900-01-01")).is_ok());
    with_caps(false, |c| {
        let WmsRequest::GetMap(m) = parse_kvp(&kvp(ortho)).unwrap() else { unreachable!() };
        let r = c.check_get_map(&m).unwrap();
        assert_eq!(r[0].time, Some(TimeValue::parse("2024-06-01").unwrap()));
    });
}

#[test]
fn get_feature_info_checks_queryability() {
    let gfi = "VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=communes,ortho&STYLES=&CRS=EPSG:4326&BBOX=48.8,2.2,49,2.5&WIDTH=200&HEIGHT=100&QUERY_LAYERS=communes&INFO_FORMAT=text/html&I=10&J=10&TIME=2024-06-01";
    assert!(check(gfi).is_ok());
    check_error(
        &gfi.replace("QUERY_LAYERS=communes", "QUERY_LAYERS=ortho"),
        ExceptionCode::LayerNotQueryable,
        "QUERY_LAYERS",
    );
    check_error(
        &gfi.replace("QUERY_LAYERS=communes", "QUERY_LAYERS=communes,ortho"),
        ExceptionCode::LayerNotQueryable,
        "QUERY_LAYERS",
    );
}

#[test]
fn get_legend_graphic_checks() {
    let q = "REQUEST=GetLegendGraphic&LAYER=ocs2d&FORMAT=image/png";
    assert_eq!(check(q).unwrap()[0].1, "nomenclature");
    check_error(&q.replace("ocs2d", "routes"), ExceptionCode::LayerNotDefined, "LAYER");
    check_error(&format!("{q}&STYLE=autre"), ExceptionCode::StyleNotDefined, "STYLE");
    check_error(&format!("{q}&WIDTH=5000"), ExceptionCode::InvalidParameterValue, "WIDTH");
}

#[test]
fn update_sequence() {
    assert!(check("REQUEST=GetCapabilities&UPDATESEQUENCE=41").is_ok());
    assert!(check("REQUEST=GetCapabilities").is_ok());
    check_error("REQUEST=GetCapabilities&UPDATESEQUENCE=42", ExceptionCode::CurrentUpdateSequence, "UPDATESEQUENCE");
    check_error("REQUEST=GetCapabilities&UPDATESEQUENCE=100", ExceptionCode::InvalidUpdateSequence, "UPDATESEQUENCE");
    // Numeric, not textual: 100 > 42 although "100" < "42".
    check_error("REQUEST=GetCapabilities&UPDATESEQUENCE=0100", ExceptionCode::InvalidUpdateSequence, "UPDATESEQUENCE");
}

#[test]
fn refusals_write_valid_reports_in_the_request_version() {
    for q in [
        MAP.replace("communes,epci", "routes,epci"),
        MAP.replace("VERSION=1.3.0", "VERSION=1.1.1").replace("CRS=", "SRS=").replace("EPSG:2154", "EPSG:27572"),
    ] {
        let e = check(&q).unwrap_err();
        let ctx = ErrorContext::of(&kvp(&q));
        let doc = e.report(ctx.version);
        match ctx.version {
            Version::V1_3_0 => {
                assert!(doc.contains("code=\"LayerNotDefined\" locator=\"LAYERS\""), "{doc}");
                validate(&doc, "wms/1.3.0/exceptions_1_3_0.xsd");
            }
            Version::V1_1_1 => {
                assert!(doc.contains("code=\"InvalidSRS\""), "{doc}");
                validate_dtd(&doc);
            }
        }
    }
}

/// A client that copies an advertised BoundingBox into BBOX (what QGIS's "zoom to layer" does)
/// asks for the layer's extent in either version.
#[test]
fn advertised_boxes_read_back_as_the_same_extent() {
    let attr = |doc: &str, crs_attr: &str| -> String {
        let start = doc.find(&format!("<BoundingBox {crs_attr}")).expect(crs_attr);
        let tag = &doc[start..start + doc[start..].find("/>").unwrap()];
        ["minx", "miny", "maxx", "maxy"]
            .iter()
            .map(|a| {
                let from = tag.find(&format!("{a}=\"")).unwrap() + a.len() + 2;
                tag[from..from + tag[from..].find('"').unwrap()].to_string()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    for (version, param) in [(Version::V1_3_0, "CRS"), (Version::V1_1_1, "SRS")] {
        let doc = with_caps(false, |c| capabilities(c, version));
        for crs in ["EPSG:4326", "EPSG:2154", "EPSG:3857"] {
            let bbox = attr(&doc, &format!("{param}=\"{crs}\""));
            let q = format!(
                "VERSION={}&REQUEST=GetMap&LAYERS=communes&{param}={crs}&BBOX={bbox}&WIDTH=10&HEIGHT=10&FORMAT=image/png",
                version.as_str()
            );
            let WmsRequest::GetMap(m) = parse_kvp(&kvp(&q)).unwrap() else { unreachable!() };
            let expected = extents().into_iter().find(|b| b.crs.short() == crs).unwrap().bbox;
            assert_eq!(m.map.bbox, expected, "{q}");
        }
    }
}
