//! WMTS requests in both encodings: KVP (GET query, parameter names case-insensitive) and
//! RESTful paths below the WMTS root. Both parse to the same [`WmtsRequest`].
//!
//! Leniency, where clients are known to differ: `SERVICE` and `VERSION` may be left out (the
//! endpoint already says WMTS 1.0.0), and a missing or empty `STYLE` means the layer's default
//! style. Dimension parameters (`TIME`, `ELEVATION`, ...) are ignored, as WMTS 1.0.0 requires
//! for dimensions a layer does not advertise, and no layer here advertises any.
//! GetFeatureInfo's `FORMAT` (the tile format) is not needed to answer it and is not read.

use super::error::{ExceptionCode, WmtsError};
use crate::tiles::TileFormat;

/// Which tile a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileAddress {
    pub layer: String,
    /// As given; empty means the default style.
    pub style: String,
    pub tile_matrix_set: String,
    pub tile_matrix: String,
    pub row: u32,
    pub col: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetTile {
    pub tile: TileAddress,
    pub format: TileFormat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetFeatureInfo {
    pub tile: TileAddress,
    /// Pixel column in the tile.
    pub i: u32,
    /// Pixel row in the tile.
    pub j: u32,
    /// A media type, e.g. `application/json`.
    pub info_format: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WmtsRequest {
    GetCapabilities,
    GetTile(GetTile),
    GetFeatureInfo(GetFeatureInfo),
}

/// FeatureInfo media types and the extensions of their REST templates.
pub const INFO_FORMATS: &[(&str, &str)] = &[
    ("application/json", "json"),
    ("application/geo+json", "geojson"),
    ("text/html", "html"),
    ("text/plain", "txt"),
    ("application/vnd.ogc.gml", "gml"),
    ("text/xml", "xml"),
];

pub fn info_format_extension(media_type: &str) -> Option<&'static str> {
    INFO_FORMATS.iter().find(|(m, _)| m.eq_ignore_ascii_case(media_type.trim())).map(|(_, e)| *e)
}

fn info_format_of_extension(ext: &str) -> Option<&'static str> {
    INFO_FORMATS.iter().find(|(_, e)| e.eq_ignore_ascii_case(ext)).map(|(m, _)| *m)
}

const VERSION: &str = "1.0.0";

struct Kvp<'a>(Vec<(String, &'a str)>);

impl<'a> Kvp<'a> {
    fn new(pairs: &'a [(String, String)]) -> Kvp<'a> {
        Kvp(pairs.iter().map(|(k, v)| (k.to_ascii_uppercase(), v.trim())).collect())
    }

    /// A parameter's value; an empty value counts as absent.
    fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| *v)
    }

    /// `locator` is the parameter's name as WMTS 1.0.0 spells it.
    fn required(&self, locator: &str) -> Result<&'a str, WmtsError> {
        self.get(&locator.to_ascii_uppercase()).ok_or_else(|| WmtsError::missing(locator))
    }

    fn number(&self, locator: &str) -> Result<u32, WmtsError> {
        number(self.required(locator)?, locator)
    }
}

fn number(text: &str, locator: &str) -> Result<u32, WmtsError> {
    text.parse::<u32>()
        .map_err(|_| WmtsError::invalid(locator, format!("{locator} must be a non-negative integer, not '{text}'")))
}

fn tile_format(text: &str) -> Result<TileFormat, WmtsError> {
    TileFormat::from_media_type(text).ok_or_else(|| {
        WmtsError::invalid(
            "Format",
            format!("'{text}' is not a tile format of this server (image/png, image/jpeg, image/webp)"),
        )
    })
}

pub fn parse_kvp(pairs: &[(String, String)]) -> Result<WmtsRequest, WmtsError> {
    let kvp = Kvp::new(pairs);
    if let Some(service) = kvp.get("SERVICE").filter(|s| !s.eq_ignore_ascii_case("WMTS")) {
        return Err(WmtsError::invalid("SERVICE", format!("this endpoint serves WMTS, not '{service}'")));
    }
    let request = kvp.required("REQUEST")?;
    if request.eq_ignore_ascii_case("GetCapabilities") {
        // OWS version negotiation: VERSION is not a GetCapabilities parameter.
        if let Some(accepted) = kvp.get("ACCEPTVERSIONS")
            && !accepted.split(',').any(|v| v.trim() == VERSION)
        {
            return Err(WmtsError::new(
                ExceptionCode::VersionNegotiationFailed,
                "AcceptVersions",
                format!("none of '{accepted}' is supported: this server speaks WMTS {VERSION}"),
            ));
        }
        return Ok(WmtsRequest::GetCapabilities);
    }
    let get_tile = request.eq_ignore_ascii_case("GetTile");
    if !get_tile && !request.eq_ignore_ascii_case("GetFeatureInfo") {
        return Err(WmtsError::new(
            ExceptionCode::OperationNotSupported,
            request,
            format!("'{request}' is not supported (GetCapabilities, GetTile, GetFeatureInfo)"),
        ));
    }
    if let Some(version) = kvp.get("VERSION").filter(|v| *v != VERSION) {
        return Err(WmtsError::invalid("VERSION", format!("version '{version}' is not supported ({VERSION})")));
    }
    let tile = TileAddress {
        layer: kvp.required("Layer")?.to_string(),
        style: kvp.get("STYLE").unwrap_or("").to_string(),
        tile_matrix_set: kvp.required("TileMatrixSet")?.to_string(),
        tile_matrix: kvp.required("TileMatrix")?.to_string(),
        row: kvp.number("TileRow")?,
        col: kvp.number("TileCol")?,
    };
    if get_tile {
        let format = tile_format(kvp.required("Format")?)?;
        return Ok(WmtsRequest::GetTile(GetTile { tile, format }));
    }
    Ok(WmtsRequest::GetFeatureInfo(GetFeatureInfo {
        tile,
        j: kvp.number("J")?,
        i: kvp.number("I")?,
        info_format: kvp.required("InfoFormat")?.to_string(),
    }))
}

/// The RESTful capabilities document, relative to the WMTS root.
pub const REST_CAPABILITIES: &str = "1.0.0/WMTSCapabilities.xml";

/// Parses a REST path relative to the WMTS root (still percent-encoded, with or without a
/// leading `/`). `Ok(None)` means the path is no WMTS resource at all, which the server
/// answers with a plain 404; a path of the right shape with a bad part is an exception.
pub fn parse_rest(path: &str) -> Result<Option<WmtsRequest>, WmtsError> {
    let path = path.strip_prefix('/').unwrap_or(path);
    if path == REST_CAPABILITIES {
        return Ok(Some(WmtsRequest::GetCapabilities));
    }
    let Some(segments) = path.split('/').map(percent_decode).collect::<Option<Vec<String>>>() else {
        return Ok(None);
    };
    if segments.iter().any(String::is_empty) {
        return Ok(None);
    }
    let (last, rest) = match segments.split_last() {
        Some((last, rest)) if rest.len() == 5 || rest.len() == 7 => (last, rest),
        _ => return Ok(None),
    };
    let Some((stem, ext)) = last.rsplit_once('.') else {
        return Ok(None);
    };
    let [layer, style, tile_matrix_set, tile_matrix, row] = &rest[..5] else {
        unreachable!("rest has 5 or 7 segments")
    };
    let address = |col: &str| -> Result<TileAddress, WmtsError> {
        Ok(TileAddress {
            layer: layer.clone(),
            style: style.clone(),
            tile_matrix_set: tile_matrix_set.clone(),
            tile_matrix: tile_matrix.clone(),
            row: number(row, "TileRow")?,
            col: number(col, "TileCol")?,
        })
    };
    if rest.len() == 5 {
        let format = TileFormat::from_extension(ext).ok_or_else(|| {
            WmtsError::invalid("Format", format!("'.{ext}' is not a tile format of this server (png, jpg, webp)"))
        })?;
        return Ok(Some(WmtsRequest::GetTile(GetTile { tile: address(stem)?, format })));
    }
    let info_format = info_format_of_extension(ext).ok_or_else(|| {
        WmtsError::invalid("InfoFormat", format!("'.{ext}' is not a feature info format of this server"))
    })?;
    Ok(Some(WmtsRequest::GetFeatureInfo(GetFeatureInfo {
        tile: address(&rest[5])?,
        j: number(&rest[6], "J")?,
        i: number(stem, "I")?,
        info_format: info_format.to_string(),
    })))
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kvp(q: &str) -> Vec<(String, String)> {
        q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn address(layer: &str, style: &str, tms: &str, z: &str, row: u32, col: u32) -> TileAddress {
        TileAddress {
            layer: layer.into(),
            style: style.into(),
            tile_matrix_set: tms.into(),
            tile_matrix: z.into(),
            row,
            col,
        }
    }

    #[test]
    fn kvp_get_tile_with_any_case() {
        let q = "service=WMTS&request=GetTile&version=1.0.0&layer=ortho&style=default&format=image/jpeg&tileMatrixSet=LAMB93_5cm_EPSG&TILEMATRIX=22&TileRow=402343&tilecol=50781&TIME=2024";
        assert_eq!(
            parse_kvp(&kvp(q)),
            Ok(WmtsRequest::GetTile(GetTile {
                tile: address("ortho", "default", "LAMB93_5cm_EPSG", "22", 402343, 50781),
                format: TileFormat::Jpeg
            }))
        );
        // No SERVICE, VERSION or STYLE: the endpoint and the default style stand in.
        let q = "REQUEST=gettile&LAYER=ortho&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad@2x&TILEMATRIX=3&TILEROW=2&TILECOL=4";
        match parse_kvp(&kvp(q)).unwrap() {
            WmtsRequest::GetTile(t) => assert_eq!(
                (t.tile.style.as_str(), t.tile.tile_matrix_set.as_str(), t.format),
                ("", "WebMercatorQuad@2x", TileFormat::Png)
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn kvp_get_feature_info_and_capabilities() {
        let q = "SERVICE=WMTS&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER=communes&STYLE=&FORMAT=image/png&TILEMATRIXSET=PM&TILEMATRIX=12&TILEROW=1400&TILECOL=2070&J=17&I=200&INFOFORMAT=application/json";
        assert_eq!(
            parse_kvp(&kvp(q)),
            Ok(WmtsRequest::GetFeatureInfo(GetFeatureInfo {
                tile: address("communes", "", "PM", "12", 1400, 2070),
                i: 200,
                j: 17,
                info_format: "application/json".into()
            }))
        );
        assert_eq!(parse_kvp(&kvp("service=wmts&request=GetCapabilities")), Ok(WmtsRequest::GetCapabilities));
        assert_eq!(
            parse_kvp(&kvp("request=GetCapabilities&AcceptVersions=2.0.0,1.0.0")),
            Ok(WmtsRequest::GetCapabilities)
        );
    }

    #[test]
    fn kvp_errors_carry_code_locator_and_status() {
        let tile = "REQUEST=GetTile&LAYER=a&STYLE=s&FORMAT=image/png&TILEMATRIXSET=PM&TILEMATRIX=1&TILEROW=0&TILECOL=0";
        for (q, code, locator, status) in [
            ("SERVICE=WMTS", ExceptionCode::MissingParameterValue, "REQUEST", 400),
            ("SERVICE=WMS&REQUEST=GetMap", ExceptionCode::InvalidParameterValue, "SERVICE", 400),
            ("REQUEST=GetLegendGraphic", ExceptionCode::OperationNotSupported, "GetLegendGraphic", 501),
            (
                "REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0",
                ExceptionCode::VersionNegotiationFailed,
                "AcceptVersions",
                400,
            ),
            (&format!("{tile}&VERSION=1.1.0"), ExceptionCode::InvalidParameterValue, "VERSION", 400),
            (&tile.replace("LAYER=a&", ""), ExceptionCode::MissingParameterValue, "Layer", 400),
            (&tile.replace("FORMAT=image/png", "FORMAT="), ExceptionCode::MissingParameterValue, "Format", 400),
            (&tile.replace("image/png", "image/gif"), ExceptionCode::InvalidParameterValue, "Format", 400),
            (&tile.replace("TILEMATRIXSET=PM&", ""), ExceptionCode::MissingParameterValue, "TileMatrixSet", 400),
            (&tile.replace("TILEROW=0", "TILEROW=-1"), ExceptionCode::InvalidParameterValue, "TileRow", 400),
            (&tile.replace("TILECOL=0", "TILECOL=x"), ExceptionCode::InvalidParameterValue, "TileCol", 400),
            (&tile.replace("GetTile", "GetFeatureInfo"), ExceptionCode::MissingParameterValue, "J", 400),
            (
                &format!("{}&I=1&J=2", tile.replace("GetTile", "GetFeatureInfo")),
                ExceptionCode::MissingParameterValue,
                "InfoFormat",
                400,
            ),
        ] {
            let e = parse_kvp(&kvp(q)).unwrap_err();
            assert_eq!((e.code, e.locator.as_deref(), e.http_status()), (code, Some(locator), status), "{q}: {e}");
        }
    }

    #[test]
    fn rest_paths() {
        assert_eq!(parse_rest("/1.0.0/WMTSCapabilities.xml"), Ok(Some(WmtsRequest::GetCapabilities)));
        assert_eq!(
            parse_rest("ortho/default/LAMB93_5cm_EPSG/22/402343/50781.jpg"),
            Ok(Some(WmtsRequest::GetTile(GetTile {
                tile: address("ortho", "default", "LAMB93_5cm_EPSG", "22", 402343, 50781),
                format: TileFormat::Jpeg
            })))
        );
        assert_eq!(
            parse_rest("/occupation%20du%20sol/d%C3%A9faut/WebMercatorQuad@2x/5/11/16.webp"),
            Ok(Some(WmtsRequest::GetTile(GetTile {
                tile: address("occupation du sol", "défaut", "WebMercatorQuad@2x", "5", 11, 16),
                format: TileFormat::Webp
            })))
        );
        assert_eq!(
            parse_rest("communes/default/PM/12/1400/2070/17/200.geojson"),
            Ok(Some(WmtsRequest::GetFeatureInfo(GetFeatureInfo {
                tile: address("communes", "default", "PM", "12", 1400, 2070),
                i: 200,
                j: 17,
                info_format: "application/geo+json".into()
            })))
        );
    }

    #[test]
    fn rest_paths_that_are_not_resources_or_are_bad() {
        for path in [
            "",
            "/",
            "1.0.0/Capabilities.xml",
            "a/b/c/1/2/3",
            "a/b/c/1/2.png",
            "a//c/1/2/3.png",
            "a/b/c/1/2/3/4.png/x",
            "a%zz/b/c/1/2/3.png",
            "a/b/c/1/2/3/4/5/6.png",
        ] {
            assert_eq!(parse_rest(path), Ok(None), "{path}");
        }
        for (path, code, locator) in [
            ("a/b/c/1/2/3.gif", ExceptionCode::InvalidParameterValue, "Format"),
            ("a/b/c/1/x/3.png", ExceptionCode::InvalidParameterValue, "TileRow"),
            ("a/b/c/1/2/-3.png", ExceptionCode::InvalidParameterValue, "TileCol"),
            ("a/b/c/1/2/3/4/5.doc", ExceptionCode::InvalidParameterValue, "InfoFormat"),
            ("a/b/c/1/2/3/j/5.json", ExceptionCode::InvalidParameterValue, "J"),
            ("a/b/c/1/2/3/4/i.json", ExceptionCode::InvalidParameterValue, "I"),
        ] {
            let e = parse_rest(path).unwrap_err();
            assert_eq!((e.code, e.locator.as_deref()), (code, Some(locator)), "{path}");
        }
    }

    #[test]
    fn info_format_extensions() {
        assert_eq!(info_format_extension("application/json"), Some("json"));
        assert_eq!(info_format_extension("TEXT/HTML"), Some("html"));
        assert_eq!(info_format_extension("application/pdf"), None);
    }
}
