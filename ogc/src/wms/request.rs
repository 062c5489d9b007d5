//! WMS requests in KVP encoding (GET query; parameter names case-insensitive, values trimmed,
//! an empty value counting as absent), parsed to typed values.
//!
//! Parsing checks everything a request says about itself (syntax, ranges, a pixel inside the
//! map); what depends on the server's layers (names, styles, CRS lists, size limits, time
//! values) is checked by [`super::Capabilities::check_get_map`] and its siblings.
//!
//! Leniency, where clients are known to differ: `SERVICE` may be left out (the endpoint says
//! WMS); `CRS` and `SRS`, `I`/`J` and `X`/`Y` are each accepted in either version (the version's
//! own name wins when both are present); `STYLES` may be left out for the default styles; the
//! exception format may be spelt the way either version spells it. `VERSION` (or the pre-1.1
//! `WMTVER`) is required for GetMap and GetFeatureInfo, because it decides the axis order of
//! BBOX and a guess would silently draw the wrong place; GetCapabilities negotiates it and
//! GetLegendGraphic, which has no coordinates, takes the highest.
//! Dimensions other than TIME (`ELEVATION`, `DIM_*`) are not read.

use super::error::{ExceptionCode, WmsError};
use super::format::{ExceptionFormat, InfoFormat, MapFormat};
use super::time::TimeValue;
use super::vendor;
use super::version::Version;
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::filter::Filter;
use crate::tms::AxisOrder;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetCapabilities {
    /// The negotiated version.
    pub version: Version,
    /// `FORMAT` as given; a server answers in its default format whatever this says (1.3.0
    /// §7.2.3.1), so it is kept for logging only.
    pub format: Option<String>,
    /// `UPDATESEQUENCE`, checked by [`super::Capabilities::check_capabilities`].
    pub update_sequence: Option<String>,
}

/// The map part shared by GetMap and GetFeatureInfo.
#[derive(Clone, Debug, PartialEq)]
pub struct MapRequest {
    pub version: Version,
    /// Empty only when SLD or SLD_BODY say which layers to draw.
    pub layers: Vec<String>,
    /// One per layer; empty means the layer's default style.
    pub styles: Vec<String>,
    pub crs: Crs,
    /// The box in `crs`, easting (longitude) first whatever order the request gave it in.
    pub bbox: Bbox,
    /// Whether the request gave BBOX northing first (EPSG:4326 in 1.3.0) and it was swapped.
    pub bbox_swapped: bool,
    pub width: u32,
    pub height: u32,
    pub time: Option<TimeValue>,
    /// From `DPI`, `MAP_RESOLUTION` or `FORMAT_OPTIONS=dpi:N` (vendor, in that order of
    /// precedence; QGIS sends all three with the same value). `None`: the standard 90.7 DPI.
    pub dpi: Option<f64>,
    /// `FORMAT_OPTIONS` (vendor) as key/value pairs, `dpi` included.
    pub format_options: Vec<(String, String)>,
    /// `SLD`: the URL of a style document, fetched and parsed by the style engine.
    pub sld: Option<String>,
    /// `SLD_BODY`: a style document, parsed by the style engine.
    pub sld_body: Option<String>,
    /// `CQL_FILTER` (vendor): empty when absent, otherwise one entry per layer.
    pub cql_filters: Vec<Option<Filter>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GetMap {
    pub map: MapRequest,
    pub format: MapFormat,
    pub transparent: bool,
    /// `BGCOLOR` as RGB, white by default.
    pub bgcolor: [u8; 3],
    pub exceptions: ExceptionFormat,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GetFeatureInfo {
    pub map: MapRequest,
    /// Each one among `map.layers`.
    pub query_layers: Vec<String>,
    pub info_format: InfoFormat,
    /// At least 1 (the default).
    pub feature_count: u32,
    /// Pixel column (1.3.0 `I`, 1.1.1 `X`), below `map.width`.
    pub i: u32,
    /// Pixel row (1.3.0 `J`, 1.1.1 `Y`), below `map.height`.
    pub j: u32,
    pub exceptions: ExceptionFormat,
}

/// GetLegendGraphic of the SLD 1.1 WMS profile (OGC 05-078r4 §10.2).
#[derive(Clone, Debug, PartialEq)]
pub struct GetLegendGraphic {
    pub version: Version,
    pub layer: String,
    /// Empty means the layer's default style.
    pub style: String,
    pub format: MapFormat,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The scale denominator the legend is for (rules outside it are left out).
    pub scale: Option<f64>,
    /// Only this rule of the style.
    pub rule: Option<String>,
    pub sld: Option<String>,
    pub sld_body: Option<String>,
    pub dpi: Option<f64>,
    pub exceptions: ExceptionFormat,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WmsRequest {
    GetCapabilities(GetCapabilities),
    GetMap(GetMap),
    GetFeatureInfo(GetFeatureInfo),
    GetLegendGraphic(GetLegendGraphic),
}

impl WmsRequest {
    pub fn version(&self) -> Version {
        match self {
            WmsRequest::GetCapabilities(r) => r.version,
            WmsRequest::GetMap(r) => r.map.version,
            WmsRequest::GetFeatureInfo(r) => r.map.version,
            WmsRequest::GetLegendGraphic(r) => r.version,
        }
    }
}

/// What a face needs to report an error the way the request asked, read leniently from the
/// same pairs (every malformed value falls back to its default), since the request itself may
/// be what failed to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorContext {
    /// The report's version: the requested one, or the negotiated one.
    pub version: Version,
    /// XML unless a GetMap or GetLegendGraphic asked for INIMAGE or BLANK.
    pub exceptions: ExceptionFormat,
    /// For INIMAGE and BLANK: the image to draw, when the request says enough.
    pub format: Option<MapFormat>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub transparent: bool,
    pub bgcolor: [u8; 3],
}

impl ErrorContext {
    pub fn of(pairs: &[(String, String)]) -> ErrorContext {
        let kvp = Kvp::new(pairs);
        let version = kvp.get("VERSION").or(kvp.get("WMTVER")).map_or(Version::HIGHEST, Version::negotiate);
        let image_request = kvp
            .get("REQUEST")
            .is_some_and(|r| ["getmap", "map", "getlegendgraphic"].contains(&r.to_ascii_lowercase().as_str()));
        let exceptions = match kvp.get("EXCEPTIONS").and_then(ExceptionFormat::parse) {
            Some(f) if image_request => f,
            _ => ExceptionFormat::Xml,
        };
        let size = |name| kvp.get(name).and_then(|v| v.parse::<u32>().ok()).filter(|v| *v > 0);
        ErrorContext {
            version,
            exceptions,
            format: kvp.get("FORMAT").and_then(MapFormat::parse),
            width: size("WIDTH"),
            height: size("HEIGHT"),
            transparent: kvp.get("TRANSPARENT").is_some_and(|t| t.eq_ignore_ascii_case("true")),
            bgcolor: kvp.get("BGCOLOR").and_then(|c| bgcolor(c).ok()).unwrap_or(WHITE),
        }
    }
}

const WHITE: [u8; 3] = [255, 255, 255];

struct Kvp<'a>(Vec<(String, &'a str)>);

impl<'a> Kvp<'a> {
    fn new(pairs: &'a [(String, String)]) -> Kvp<'a> {
        Kvp(pairs.iter().map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim())).collect())
    }

    /// A parameter's value; an empty value counts as absent.
    fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| *v)
    }

    fn required(&self, name: &str) -> Result<&'a str, WmsError> {
        self.get(name).ok_or_else(|| WmsError::missing(name))
    }

    /// The first of two names present, e.g. the version's own parameter name and the other
    /// version's; the name found is returned for messages.
    fn either(&self, first: &'static str, second: &'static str) -> Option<(&'static str, &'a str)> {
        self.get(first).map(|v| (first, v)).or_else(|| self.get(second).map(|v| (second, v)))
    }
}

/// Parses a request, with the axis order of CRSs as [`AxisOrder::of`] knows it (CRS84,
/// EPSG:4326 and 4258 geographic, everything else easting first).
pub fn parse_kvp(pairs: &[(String, String)]) -> Result<WmsRequest, WmsError> {
    parse_kvp_with_axes(pairs, &AxisOrder::of)
}

/// Parses a request; `axes` gives each CRS's axis order (from the server's CRS engine, which
/// knows every geographic EPSG CRS is latitude first), used for 1.3.0 BBOX values.
pub fn parse_kvp_with_axes(
    pairs: &[(String, String)],
    axes: &dyn Fn(Crs) -> AxisOrder,
) -> Result<WmsRequest, WmsError> {
    let kvp = Kvp::new(pairs);
    if let Some(service) = kvp.get("SERVICE").filter(|s| !s.eq_ignore_ascii_case("WMS")) {
        return Err(WmsError::invalid("SERVICE", format!("this endpoint serves WMS, not '{service}'")));
    }
    let request = kvp.required("REQUEST")?;
    let version = kvp.get("VERSION").or(kvp.get("WMTVER"));
    match request.to_ascii_lowercase().as_str() {
        "getcapabilities" | "capabilities" => Ok(WmsRequest::GetCapabilities(GetCapabilities {
            version: version.map_or(Version::HIGHEST, Version::negotiate),
            format: kvp.get("FORMAT").map(str::to_string),
            update_sequence: kvp.get("UPDATESEQUENCE").map(str::to_string),
        })),
        "getmap" | "map" => {
            let version = exact_version(version)?;
            Ok(WmsRequest::GetMap(get_map(&kvp, version, axes)?))
        }
        "getfeatureinfo" | "feature_info" => {
            let version = exact_version(version)?;
            Ok(WmsRequest::GetFeatureInfo(get_feature_info(&kvp, version, axes)?))
        }
        "getlegendgraphic" => {
            let version = match version {
                Some(v) => exact_version(Some(v))?,
                None => Version::HIGHEST,
            };
            Ok(WmsRequest::GetLegendGraphic(get_legend_graphic(&kvp, version)?))
        }
        _ => Err(WmsError::new(
            ExceptionCode::OperationNotSupported,
            "REQUEST",
            format!("'{request}' is not supported (GetCapabilities, GetMap, GetFeatureInfo, GetLegendGraphic)"),
        )),
    }
}

fn exact_version(text: Option<&str>) -> Result<Version, WmsError> {
    let text = text.ok_or_else(|| WmsError::missing("VERSION"))?;
    Version::parse(text)
        .ok_or_else(|| WmsError::invalid("VERSION", format!("version '{text}' is not supported (1.3.0, 1.1.1)")))
}

fn positive(kvp: &Kvp, name: &str) -> Result<Option<u32>, WmsError> {
    kvp.get(name)
        .map(|v| match v.parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(WmsError::invalid(name, format!("{name} must be a positive integer, not '{v}'"))),
        })
        .transpose()
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_string()).collect()
}

/// Four finite numbers with min strictly below max on both axes (a box of no area draws
/// nothing and has no scale).
fn parse_bbox(text: &str) -> Result<Bbox, WmsError> {
    let invalid = |why: &str| WmsError::invalid("BBOX", format!("BBOX '{text}' {why}"));
    let v = text
        .split(',')
        .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(|| invalid("must be four numbers: minx,miny,maxx,maxy"))?;
    let [min_x, min_y, max_x, max_y] = v[..] else {
        return Err(invalid("must be four numbers: minx,miny,maxx,maxy"));
    };
    if min_x >= max_x || min_y >= max_y {
        return Err(invalid("is empty or inverted: each minimum must be below its maximum"));
    }
    Ok(Bbox { min_x, min_y, max_x, max_y })
}

fn bgcolor(text: &str) -> Result<[u8; 3], WmsError> {
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).or_else(|| text.strip_prefix('#'));
    let rgb = hex.filter(|h| h.len() == 6).and_then(|h| u32::from_str_radix(h, 16).ok()).ok_or_else(|| {
        WmsError::invalid("BGCOLOR", format!("BGCOLOR must be a hexadecimal RGB value like 0xFFFFFF, not '{text}'"))
    })?;
    Ok([(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8])
}

fn exceptions(kvp: &Kvp) -> Result<ExceptionFormat, WmsError> {
    kvp.get("EXCEPTIONS").map_or(Ok(ExceptionFormat::Xml), |text| {
        ExceptionFormat::parse(text).ok_or_else(|| {
            WmsError::invalid("EXCEPTIONS", format!("'{text}' is not an exception format (XML, INIMAGE, BLANK)"))
        })
    })
}

/// DPI, MAP_RESOLUTION, FORMAT_OPTIONS=dpi:N: the first present wins.
fn dpi(kvp: &Kvp, format_options: &[(String, String)]) -> Result<Option<f64>, WmsError> {
    let options = format_options.iter().find(|(k, _)| k == "dpi").map(|(_, v)| ("FORMAT_OPTIONS", v.as_str()));
    let Some((name, text)) = kvp.either("DPI", "MAP_RESOLUTION").or(options) else {
        return Ok(None);
    };
    vendor::dpi(text).map(Some).map_err(|e| WmsError::invalid(name, e))
}

fn map_request(kvp: &Kvp, version: Version, axes: &dyn Fn(Crs) -> AxisOrder) -> Result<MapRequest, WmsError> {
    let sld = kvp.get("SLD").map(str::to_string);
    let sld_body = kvp.get("SLD_BODY").map(str::to_string);
    let layers = match kvp.get("LAYERS") {
        Some(text) => list(text),
        None if sld.is_some() || sld_body.is_some() => Vec::new(),
        None => return Err(WmsError::missing("LAYERS")),
    };
    if layers.iter().any(String::is_empty) {
        return Err(WmsError::new(ExceptionCode::LayerNotDefined, "LAYERS", "LAYERS has an empty layer name"));
    }
    let styles = match kvp.get("STYLES").map(list) {
        None => vec![String::new(); layers.len()],
        Some(styles) if styles.len() == layers.len() => styles,
        // `STYLES=` (empty) reads as absent above: any other count is a mistake.
        Some(styles) => {
            return Err(WmsError::invalid(
                "STYLES",
                format!(
                    "STYLES has {} entries for {} layers: give one per layer (empty for the default)",
                    styles.len(),
                    layers.len()
                ),
            ));
        }
    };

    let own = version.crs_parameter();
    let other = if own == "CRS" { "SRS" } else { "CRS" };
    let (crs_name, crs_text) = kvp.either(own, other).ok_or_else(|| WmsError::missing(own))?;
    let crs = Crs::parse(crs_text).map_err(|e| WmsError::new(ExceptionCode::InvalidCrs, crs_name, e.to_string()))?;
    // 1.3.0 follows the CRS's own axis order; 1.1.1 writes EPSG:n easting first, and only a URN
    // or URI spelling (which 1.1.1 never defined) follows the authority.
    let authority_order = match version {
        Version::V1_3_0 => true,
        Version::V1_1_1 => !Crs::easting_first_spelling(crs_text) && crs != Crs::Crs84,
    };
    let given = parse_bbox(kvp.required("BBOX")?)?;
    let bbox_swapped = authority_order && axes(crs).northing_first();
    let bbox = if bbox_swapped { given.swapped() } else { given };

    let width = positive(kvp, "WIDTH")?.ok_or_else(|| WmsError::missing("WIDTH"))?;
    let height = positive(kvp, "HEIGHT")?.ok_or_else(|| WmsError::missing("HEIGHT"))?;
    let time = kvp
        .get("TIME")
        .map(|t| TimeValue::parse(t).map_err(|e| WmsError::new(ExceptionCode::InvalidDimensionValue, "TIME", e)))
        .transpose()?;
    let format_options = kvp.get("FORMAT_OPTIONS").map(vendor::format_options).unwrap_or_default();
    let dpi = dpi(kvp, &format_options)?;
    let cql_filters = match kvp.get("CQL_FILTER") {
        Some(text) => vendor::cql_filters(text, layers.len()).map_err(|e| WmsError::invalid("CQL_FILTER", e))?,
        None => Vec::new(),
    };
    Ok(MapRequest {
        version,
        layers,
        styles,
        crs,
        bbox,
        bbox_swapped,
        width,
        height,
        time,
        dpi,
        format_options,
        sld,
        sld_body,
        cql_filters,
    })
}

fn get_map(kvp: &Kvp, version: Version, axes: &dyn Fn(Crs) -> AxisOrder) -> Result<GetMap, WmsError> {
    let map = map_request(kvp, version, axes)?;
    let format_text = kvp.required("FORMAT")?;
    let format = MapFormat::parse(format_text).ok_or_else(|| {
        WmsError::new(
            ExceptionCode::InvalidFormat,
            "FORMAT",
            format!("'{format_text}' is not a map format of this server (image/png, image/png; mode=8bit, image/jpeg, image/webp)"),
        )
    })?;
    let transparent = match kvp.get("TRANSPARENT") {
        None => false,
        Some(t) if t.eq_ignore_ascii_case("true") => true,
        Some(t) if t.eq_ignore_ascii_case("false") => false,
        Some(t) => {
            return Err(WmsError::invalid("TRANSPARENT", format!("TRANSPARENT must be TRUE or FALSE, not '{t}'")));
        }
    };
    let bgcolor = kvp.get("BGCOLOR").map_or(Ok(WHITE), bgcolor)?;
    Ok(GetMap { map, format, transparent, bgcolor, exceptions: exceptions(kvp)? })
}

fn get_feature_info(kvp: &Kvp, version: Version, axes: &dyn Fn(Crs) -> AxisOrder) -> Result<GetFeatureInfo, WmsError> {
    let map = map_request(kvp, version, axes)?;
    let query_layers = list(kvp.required("QUERY_LAYERS")?);
    if let Some(q) = query_layers.iter().find(|q| !map.layers.contains(q)) {
        return Err(WmsError::new(
            ExceptionCode::LayerNotDefined,
            "QUERY_LAYERS",
            format!("query layer '{q}' is not one of LAYERS"),
        ));
    }
    let info_format = match (kvp.get("INFO_FORMAT"), version) {
        (Some(text), _) => InfoFormat::parse(text).ok_or_else(|| {
            WmsError::new(
                ExceptionCode::InvalidFormat,
                "INFO_FORMAT",
                format!("'{text}' is not a feature info format of this server (text/plain, text/html, application/json, application/vnd.ogc.gml, application/vnd.ogc.gml/3.1.1)"),
            )
        })?,
        // Optional in 1.1.1 (§7.3.3.7), mandatory in 1.3.0.
        (None, Version::V1_1_1) => InfoFormat::Text,
        (None, Version::V1_3_0) => return Err(WmsError::missing("INFO_FORMAT")),
    };
    let feature_count = positive(kvp, "FEATURE_COUNT")?.unwrap_or(1);
    let (i_name, j_name, i_other, j_other) = match version {
        Version::V1_3_0 => ("I", "J", "X", "Y"),
        Version::V1_1_1 => ("X", "Y", "I", "J"),
    };
    let pixel = |own: &'static str, other: &'static str, size: u32| -> Result<u32, WmsError> {
        let (name, text) = kvp.either(own, other).ok_or_else(|| WmsError::missing(own))?;
        match text.parse::<u32>() {
            Ok(v) if v < size => Ok(v),
            _ => Err(WmsError::new(
                ExceptionCode::InvalidPoint,
                name,
                format!("{name}={text} is not a pixel of the {}×{} map (0 to {})", map.width, map.height, size - 1),
            )),
        }
    };
    let i = pixel(i_name, i_other, map.width)?;
    let j = pixel(j_name, j_other, map.height)?;
    Ok(GetFeatureInfo { query_layers, info_format, feature_count, i, j, exceptions: exceptions(kvp)?, map })
}

fn get_legend_graphic(kvp: &Kvp, version: Version) -> Result<GetLegendGraphic, WmsError> {
    let layer = kvp.required("LAYER")?.to_string();
    let format_text = kvp.required("FORMAT")?;
    let format = MapFormat::parse(format_text).ok_or_else(|| {
        WmsError::new(
            ExceptionCode::InvalidFormat,
            "FORMAT",
            format!("'{format_text}' is not a legend format of this server (image/png, image/jpeg, image/webp)"),
        )
    })?;
    let scale = kvp
        .get("SCALE")
        .map(|s| match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
            _ => Err(WmsError::invalid("SCALE", format!("SCALE must be a positive scale denominator, not '{s}'"))),
        })
        .transpose()?;
    let format_options = kvp.get("FORMAT_OPTIONS").map(vendor::format_options).unwrap_or_default();
    Ok(GetLegendGraphic {
        version,
        layer,
        style: kvp.get("STYLE").unwrap_or("").to_string(),
        format,
        width: positive(kvp, "WIDTH")?,
        height: positive(kvp, "HEIGHT")?,
        scale,
        rule: kvp.get("RULE").map(str::to_string),
        sld: kvp.get("SLD").map(str::to_string),
        sld_body: kvp.get("SLD_BODY").map(str::to_string),
        dpi: dpi(kvp, &format_options)?,
        exceptions: exceptions(kvp)?,
    })
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
