use super::*;

fn kvp(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%20", " ").replace("%3B", ";").replace("%23", "#")))
        .collect()
}

const MAP_130: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=communes,ortho&STYLES=,&CRS=EPSG:2154&BBOX=640000,6850000,660000,6870000&WIDTH=512&HEIGHT=512&FORMAT=image/png";
const MAP_111: &str = "SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=communes&STYLES=&SRS=EPSG:2154&BBOX=640000,6850000,660000,6870000&WIDTH=512&HEIGHT=256&FORMAT=image/jpeg";

fn get_map(q: &str) -> GetMap {
    match parse_kvp(&kvp(q)) {
        Ok(WmsRequest::GetMap(m)) => m,
        other => panic!("{q}: {other:?}"),
    }
}

fn error(q: &str) -> WmsError {
    parse_kvp(&kvp(q)).expect_err(q)
}

fn assert_error(q: &str, code: ExceptionCode, locator: &str) {
    let e = error(q);
    assert_eq!((e.code, e.locator.as_deref()), (code, Some(locator)), "{q}: {e}");
}

#[test]
fn get_map_1_3_0_with_every_standard_parameter() {
    let m = get_map(&format!("{MAP_130}&TRANSPARENT=TRUE&BGCOLOR=0x336699&EXCEPTIONS=INIMAGE&TIME=2020-01-01"));
    assert_eq!(m.map.version, Version::V1_3_0);
    assert_eq!(m.map.layers, ["communes", "ortho"]);
    assert_eq!(m.map.styles, ["", ""]);
    assert_eq!(m.map.crs, Crs::LAMBERT93);
    assert_eq!(m.map.bbox.to_array(), [640000.0, 6850000.0, 660000.0, 6870000.0]);
    assert!(!m.map.bbox_swapped);
    assert_eq!((m.map.width, m.map.height), (512, 512));
    assert_eq!(m.format, MapFormat::Png);
    assert!(m.transparent);
    assert_eq!(m.bgcolor, [0x33, 0x66, 0x99]);
    assert_eq!(m.exceptions, ExceptionFormat::InImage);
    assert_eq!(m.map.time.as_ref().map(|t| t.items.len()), Some(1));
    assert_eq!((m.map.dpi, m.map.sld.as_deref(), m.map.cql_filters.len()), (None, None, 0));
}

#[test]
fn get_map_defaults_and_case_insensitive_keys() {
    let m = get_map(
        "version=1.3.0&request=getmap&layers=a&crs=EPSG:3857&bbox=0,0,10,10&width=1&height=1&format=image/webp",
    );
    assert_eq!(m.map.styles, [""], "STYLES may be left out");
    assert!(!m.transparent);
    assert_eq!(m.bgcolor, [255, 255, 255]);
    assert_eq!(m.exceptions, ExceptionFormat::Xml);
    assert_eq!(m.format, MapFormat::Webp);
    let m = get_map(&MAP_111.replace("STYLES=", "STYLES=contours"));
    assert_eq!(m.map.styles, ["contours"]);
    assert_eq!((m.map.version, m.map.width, m.map.height, m.format), (Version::V1_1_1, 512, 256, MapFormat::Jpeg));
}

#[test]
fn same_box_in_1_1_1_lon_lat_and_1_3_0_lat_lon() {
    let v111 = get_map(
        "VERSION=1.1.1&REQUEST=GetMap&LAYERS=a&SRS=EPSG:4326&BBOX=2.2,48.8,2.5,49&WIDTH=10&HEIGHT=10&FORMAT=image/png",
    );
    let v130 = get_map(
        "VERSION=1.3.0&REQUEST=GetMap&LAYERS=a&CRS=EPSG:4326&BBOX=48.8,2.2,49,2.5&WIDTH=10&HEIGHT=10&FORMAT=image/png",
    );
    let crs84 = get_map(
        "VERSION=1.3.0&REQUEST=GetMap&LAYERS=a&CRS=CRS:84&BBOX=2.2,48.8,2.5,49&WIDTH=10&HEIGHT=10&FORMAT=image/png",
    );
    let expected = [2.2, 48.8, 2.5, 49.0];
    assert_eq!(v111.map.bbox.to_array(), expected);
    assert_eq!(v130.map.bbox.to_array(), expected);
    assert_eq!(crs84.map.bbox.to_array(), expected);
    assert_eq!((v111.map.bbox_swapped, v130.map.bbox_swapped, crs84.map.bbox_swapped), (false, true, false));
    assert_eq!((v111.map.crs, v130.map.crs, crs84.map.crs), (Crs::WGS84, Crs::WGS84, Crs::Crs84));
    // A URN in 1.1.1 follows the authority, as in WFS.
    let urn = get_map(
        "VERSION=1.1.1&REQUEST=GetMap&LAYERS=a&SRS=urn:ogc:def:crs:EPSG::4326&BBOX=48.8,2.2,49,2.5&WIDTH=10&HEIGHT=10&FORMAT=image/png",
    );
    assert_eq!(urn.map.bbox.to_array(), expected);
}

#[test]
fn axis_order_of_other_geographic_crs_comes_from_the_engine() {
    let q =
        "VERSION=1.3.0&REQUEST=GetMap&LAYERS=a&CRS=EPSG:4171&BBOX=48.8,2.2,49,2.5&WIDTH=10&HEIGHT=10&FORMAT=image/png";
    let engine = |crs: Crs| if crs == Crs::Epsg(4171) { AxisOrder::LatLon } else { AxisOrder::of(crs) };
    match parse_kvp_with_axes(&kvp(q), &engine).unwrap() {
        WmsRequest::GetMap(m) => assert_eq!(m.map.bbox.to_array(), [2.2, 48.8, 2.5, 49.0]),
        other => panic!("{other:?}"),
    }
    // Without an engine, an unknown EPSG code is taken as easting first.
    assert_eq!(get_map(q).map.bbox.to_array(), [48.8, 2.2, 49.0, 2.5]);
}

#[test]
fn crs_and_srs_are_accepted_in_either_version() {
    assert_eq!(get_map(&MAP_111.replace("SRS=", "CRS=")).map.crs, Crs::LAMBERT93);
    assert_eq!(get_map(&MAP_130.replace("CRS=", "SRS=")).map.crs, Crs::LAMBERT93);
    assert_error(&MAP_130.replace("CRS=EPSG:2154", "CRS=EPSG:abc"), ExceptionCode::InvalidCrs, "CRS");
    let e = error(&MAP_111.replace("SRS=EPSG:2154", "SRS=WGS84"));
    assert_eq!((e.code, e.locator.as_deref()), (ExceptionCode::InvalidCrs, Some("SRS")));
    assert_eq!(e.code.as_str(Version::V1_1_1), Some("InvalidSRS"));
    assert_error(&MAP_130.replace("&CRS=EPSG:2154", ""), ExceptionCode::MissingParameterValue, "CRS");
    assert_error(&MAP_111.replace("&SRS=EPSG:2154", ""), ExceptionCode::MissingParameterValue, "SRS");
}

#[test]
fn bad_boxes_are_refused() {
    for bbox in [
        "660000,6850000,640000,6870000",
        "640000,6870000,660000,6850000",
        "640000,6850000,640000,6870000",
        "1,2,3",
        "1,2,3,4,5,6",
        "1,2,NaN,4",
        "1,2,inf,4",
        "a,b,c,d",
        "1,,3,4",
    ] {
        assert_error(
            &MAP_130.replace("640000,6850000,660000,6870000", bbox),
            ExceptionCode::InvalidParameterValue,
            "BBOX",
        );
    }
    // Negative coordinates are fine: only negative extents are not.
    let m = get_map(&MAP_130.replace("640000,6850000,660000,6870000", "-5.5,-10,-1,-2"));
    assert_eq!(m.map.bbox.to_array(), [-5.5, -10.0, -1.0, -2.0]);
    assert_error(
        &MAP_130.replace("&BBOX=640000,6850000,660000,6870000", ""),
        ExceptionCode::MissingParameterValue,
        "BBOX",
    );
}

#[test]
fn sizes_formats_and_flags() {
    for (from, to, code, locator) in [
        ("WIDTH=512", "WIDTH=0", ExceptionCode::InvalidParameterValue, "WIDTH"),
        ("WIDTH=512", "WIDTH=-3", ExceptionCode::InvalidParameterValue, "WIDTH"),
        ("HEIGHT=512", "HEIGHT=1.5", ExceptionCode::InvalidParameterValue, "HEIGHT"),
        ("HEIGHT=512", "HEIGHT=99999999999", ExceptionCode::InvalidParameterValue, "HEIGHT"),
        ("&WIDTH=512", "", ExceptionCode::MissingParameterValue, "WIDTH"),
        ("FORMAT=image/png", "FORMAT=image/gif", ExceptionCode::InvalidFormat, "FORMAT"),
        ("&FORMAT=image/png", "", ExceptionCode::MissingParameterValue, "FORMAT"),
        ("&LAYERS=communes,ortho", "", ExceptionCode::MissingParameterValue, "LAYERS"),
        ("LAYERS=communes,ortho", "LAYERS=communes,", ExceptionCode::LayerNotDefined, "LAYERS"),
        ("STYLES=,", "STYLES=a,b,c", ExceptionCode::InvalidParameterValue, "STYLES"),
    ] {
        assert_error(&MAP_130.replace(from, to), code, locator);
    }
    for (param, code) in [
        ("TRANSPARENT=yes", ExceptionCode::InvalidParameterValue),
        ("BGCOLOR=red", ExceptionCode::InvalidParameterValue),
        ("BGCOLOR=0xFFF", ExceptionCode::InvalidParameterValue),
        ("EXCEPTIONS=application/json", ExceptionCode::InvalidParameterValue),
        ("TIME=yesterday", ExceptionCode::InvalidDimensionValue),
    ] {
        let locator = param.split('=').next().unwrap();
        assert_error(&format!("{MAP_130}&{param}"), code, locator);
    }
    let m = get_map(&format!("{MAP_130}&FORMAT=image/png%3B%20mode=8bit&transparent=false&bgcolor=%23000000&exceptions=application/vnd.ogc.se_blank").replace("FORMAT=image/png&", ""));
    assert_eq!(
        (m.format, m.transparent, m.bgcolor, m.exceptions),
        (MapFormat::Png8, false, [0, 0, 0], ExceptionFormat::Blank)
    );
    // The size limit belongs to the server: parsing takes any positive size.
    assert_eq!(get_map(&MAP_130.replace("WIDTH=512", "WIDTH=100000")).map.width, 100000);
}

#[test]
fn hidpi_vendor_parameters() {
    assert_eq!(get_map(&format!("{MAP_130}&FORMAT_OPTIONS=dpi:180")).map.dpi, Some(180.0));
    assert_eq!(get_map(&format!("{MAP_130}&DPI=144")).map.dpi, Some(144.0));
    assert_eq!(get_map(&format!("{MAP_130}&MAP_RESOLUTION=192")).map.dpi, Some(192.0));
    // QGIS sends all three; DPI wins.
    let m = get_map(&format!("{MAP_130}&DPI=180&MAP_RESOLUTION=180&FORMAT_OPTIONS=dpi:180;antialias:full"));
    assert_eq!(m.map.dpi, Some(180.0));
    assert_eq!(m.map.format_options, [("dpi".into(), "180".into()), ("antialias".into(), "full".into())]);
    assert_error(&format!("{MAP_130}&DPI=0"), ExceptionCode::InvalidParameterValue, "DPI");
    assert_error(&format!("{MAP_130}&MAP_RESOLUTION=abc"), ExceptionCode::InvalidParameterValue, "MAP_RESOLUTION");
    assert_error(
        &format!("{MAP_130}&FORMAT_OPTIONS=dpi:100000"),
        ExceptionCode::InvalidParameterValue,
        "FORMAT_OPTIONS",
    );
}

#[test]
fn sld_and_cql_filter_vendor_parameters() {
    let m = get_map(&format!("{MAP_130}&SLD=https://example.org/style.sld&CQL_FILTER=population > 1000;INCLUDE"));
    assert_eq!(m.map.sld.as_deref(), Some("https://example.org/style.sld"));
    assert!(m.map.cql_filters[0].is_some() && m.map.cql_filters[1].is_none());
    // SLD_BODY alone names the layers itself.
    let body = "<StyledLayerDescriptor version=\"1.1.0\"/>";
    let m = get_map(&format!("{}&SLD_BODY={body}", MAP_130.replace("LAYERS=communes,ortho&STYLES=,&", "")));
    assert_eq!((m.map.layers.len(), m.map.sld_body.as_deref()), (0, Some(body)));
    assert_error(&format!("{MAP_130}&CQL_FILTER=a = 1"), ExceptionCode::InvalidParameterValue, "CQL_FILTER");
    assert_error(&format!("{MAP_130}&CQL_FILTER=a = 1;b ="), ExceptionCode::InvalidParameterValue, "CQL_FILTER");
}

#[test]
fn versions_and_operations() {
    assert_error(&MAP_130.replace("VERSION=1.3.0&", ""), ExceptionCode::MissingParameterValue, "VERSION");
    assert_error(&MAP_130.replace("VERSION=1.3.0", "VERSION=2.0.0"), ExceptionCode::InvalidParameterValue, "VERSION");
    assert_eq!(get_map(&MAP_111.replace("VERSION=1.1.1", "WMTVER=1.1.0")).map.version, Version::V1_1_1);
    assert_error("SERVICE=WMS", ExceptionCode::MissingParameterValue, "REQUEST");
    assert_error("SERVICE=WFS&REQUEST=GetCapabilities", ExceptionCode::InvalidParameterValue, "SERVICE");
    assert_error("SERVICE=WMS&REQUEST=DescribeLayer&VERSION=1.1.1", ExceptionCode::OperationNotSupported, "REQUEST");
    assert_error("REQUEST=GetStyles", ExceptionCode::OperationNotSupported, "REQUEST");
}

#[test]
fn get_capabilities_negotiates() {
    let caps = |q: &str| match parse_kvp(&kvp(q)).unwrap() {
        WmsRequest::GetCapabilities(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(caps("SERVICE=WMS&REQUEST=GetCapabilities").version, Version::V1_3_0);
    assert_eq!(caps("request=GetCapabilities&version=1.1.1").version, Version::V1_1_1);
    assert_eq!(caps("request=GetCapabilities&version=1.1.0").version, Version::V1_1_1);
    assert_eq!(caps("REQUEST=GetCapabilities&VERSION=1.2.0").version, Version::V1_1_1);
    assert_eq!(caps("REQUEST=GetCapabilities&VERSION=3.0.0").version, Version::V1_3_0);
    assert_eq!(caps("REQUEST=capabilities&WMTVER=1.0.0").version, Version::V1_1_1);
    let c = caps("REQUEST=GetCapabilities&UPDATESEQUENCE=42&FORMAT=text/xml");
    assert_eq!((c.update_sequence.as_deref(), c.format.as_deref()), (Some("42"), Some("text/xml")));
    assert_eq!(parse_kvp(&kvp("REQUEST=GetCapabilities&VERSION=1.1.1")).unwrap().version(), Version::V1_1_1);
}

const GFI_130: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=communes,ortho&STYLES=&CRS=EPSG:4326&BBOX=48.8,2.2,49,2.5&WIDTH=200&HEIGHT=100&QUERY_LAYERS=communes&INFO_FORMAT=application/json&I=199&J=99&FEATURE_COUNT=5";

fn gfi(q: &str) -> GetFeatureInfo {
    match parse_kvp(&kvp(q)) {
        Ok(WmsRequest::GetFeatureInfo(r)) => r,
        other => panic!("{q}: {other:?}"),
    }
}

#[test]
fn get_feature_info_both_versions() {
    let r = gfi(GFI_130);
    assert_eq!((r.i, r.j, r.feature_count, r.info_format), (199, 99, 5, InfoFormat::Json));
    assert_eq!(r.query_layers, ["communes"]);
    assert_eq!(r.map.bbox.to_array(), [2.2, 48.8, 2.5, 49.0]);
    // FORMAT is not needed to answer and not required.
    assert_eq!(r.map.layers.len(), 2);

    let q111 = "SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS=communes&SRS=EPSG:4326&BBOX=2.2,48.8,2.5,49&WIDTH=200&HEIGHT=100&QUERY_LAYERS=communes&X=10&Y=20&INFO_FORMAT=application/vnd.ogc.gml";
    let r = gfi(q111);
    assert_eq!((r.i, r.j, r.feature_count, r.info_format), (10, 20, 1, InfoFormat::Gml2));
    assert_eq!(r.map.bbox.to_array(), [2.2, 48.8, 2.5, 49.0]);
    // INFO_FORMAT is optional in 1.1.1.
    assert_eq!(gfi(&q111.replace("&INFO_FORMAT=application/vnd.ogc.gml", "")).info_format, InfoFormat::Text);
    assert_eq!(
        gfi(&GFI_130.replace("application/json", "application/vnd.ogc.gml/3.1.1")).info_format,
        InfoFormat::Gml3
    );
}

#[test]
fn get_feature_info_errors() {
    for (from, to, code, locator) in [
        ("I=199", "I=200", ExceptionCode::InvalidPoint, "I"),
        ("J=99", "J=100", ExceptionCode::InvalidPoint, "J"),
        ("J=99", "J=-1", ExceptionCode::InvalidPoint, "J"),
        ("I=199", "I=abc", ExceptionCode::InvalidPoint, "I"),
        ("&I=199", "", ExceptionCode::MissingParameterValue, "I"),
        ("QUERY_LAYERS=communes", "QUERY_LAYERS=routes", ExceptionCode::LayerNotDefined, "QUERY_LAYERS"),
        ("&QUERY_LAYERS=communes", "", ExceptionCode::MissingParameterValue, "QUERY_LAYERS"),
        ("INFO_FORMAT=application/json", "INFO_FORMAT=application/pdf", ExceptionCode::InvalidFormat, "INFO_FORMAT"),
        ("&INFO_FORMAT=application/json", "", ExceptionCode::MissingParameterValue, "INFO_FORMAT"),
        ("FEATURE_COUNT=5", "FEATURE_COUNT=0", ExceptionCode::InvalidParameterValue, "FEATURE_COUNT"),
    ] {
        assert_error(&GFI_130.replace(from, to), code, locator);
    }
    // 1.1.1 names its pixel X/Y.
    let q111 = GFI_130.replace("VERSION=1.3.0", "VERSION=1.1.1").replace("I=199&J=99", "X=5&Y=100");
    assert_error(&q111, ExceptionCode::InvalidPoint, "Y");
}

#[test]
fn get_legend_graphic() {
    let r = match parse_kvp(&kvp("SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=ocs2d&STYLE=nomenclature&FORMAT=image/png&WIDTH=20&HEIGHT=30&SCALE=25000&RULE=urbain&SLD_VERSION=1.1.0")).unwrap() {
        WmsRequest::GetLegendGraphic(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.version, Version::V1_3_0);
    assert_eq!((r.layer.as_str(), r.style.as_str(), r.format), ("ocs2d", "nomenclature", MapFormat::Png));
    assert_eq!((r.width, r.height, r.scale, r.rule.as_deref()), (Some(20), Some(30), Some(25000.0), Some("urbain")));
    let base = "REQUEST=GetLegendGraphic&VERSION=1.1.1&LAYER=a&FORMAT=image/png";
    match parse_kvp(&kvp(base)).unwrap() {
        WmsRequest::GetLegendGraphic(r) => {
            assert_eq!((r.version, r.style.as_str(), r.width, r.scale), (Version::V1_1_1, "", None, None))
        }
        other => panic!("{other:?}"),
    }
    assert_error("REQUEST=GetLegendGraphic&FORMAT=image/png", ExceptionCode::MissingParameterValue, "LAYER");
    assert_error(&base.replace("image/png", "text/html"), ExceptionCode::InvalidFormat, "FORMAT");
    assert_error(&format!("{base}&SCALE=-1"), ExceptionCode::InvalidParameterValue, "SCALE");
    assert_error(&format!("{base}&WIDTH=0"), ExceptionCode::InvalidParameterValue, "WIDTH");
}

#[test]
fn error_context_is_read_leniently() {
    let c = ErrorContext::of(&kvp(&format!("{MAP_111}&EXCEPTIONS=application/vnd.ogc.se_inimage&BBOX=garbage")));
    assert_eq!(c.version, Version::V1_1_1);
    assert_eq!(c.exceptions, ExceptionFormat::InImage);
    assert_eq!((c.format, c.width, c.height), (Some(MapFormat::Jpeg), Some(512), Some(256)));
    let c = ErrorContext::of(&kvp("REQUEST=GetFeatureInfo&EXCEPTIONS=INIMAGE&WIDTH=-1&BGCOLOR=zz"));
    assert_eq!(
        (c.version, c.exceptions, c.width, c.bgcolor),
        (Version::V1_3_0, ExceptionFormat::Xml, None, [255, 255, 255])
    );
}
