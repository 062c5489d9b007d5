//! WMS 1.3.0 and 1.1.1 at `/wms` and `/ows?SERVICE=WMS`, for the imagery layers:
//! GetCapabilities (with version negotiation), GetMap (each layer warped to the map's window,
//! stacked first at the bottom) and GetFeatureInfo (pixel values).
//!
//! Vector layers are not offered: there is no renderer for them yet, and a layer advertised
//! but drawn empty would look like missing data. Parsing, checks against the layer tree and
//! the documents are `ogc::wms`; this face builds the tree, reads pixels and encodes.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::tiles::TileFormat;
use ogc::tms::AxisOrder;
use ogc::wms::{
    self, BoundingBox, Capabilities, ErrorContext, ExceptionCode, ExceptionFormat, GetFeatureInfo, GetMap, LayerInfo, MapFormat, MetadataType, MetadataUrl, Style,
    WmsError, WmsRequest,
};

use super::pixel_info::{self, Hit};
use crate::http::AppState;
use crate::raster::warp::{self, Window};
use crate::raster::{RasterError, RasterLayer, Rgba};
use crate::tiles::encode::{EncodeOptions, encode};

/// The CRSs every imagery layer is offered in, besides its own: longitude/latitude in both axis
/// orders, Web Mercator, and the French projections a regional platform's clients use
/// (Lambert-93, the nine conic conformal zones, ETRS89). Kept short: each one is a
/// BoundingBox per layer in the capabilities, and any other can be added here once the CRS
/// engine supports it.
const OFFERED_CRS: [Crs; 14] = [
    Crs::Crs84,
    Crs::WGS84,
    Crs::WEB_MERCATOR,
    Crs::LAMBERT93,
    Crs::Epsg(4258),
    Crs::Epsg(3942),
    Crs::Epsg(3943),
    Crs::Epsg(3944),
    Crs::Epsg(3945),
    Crs::Epsg(3946),
    Crs::Epsg(3947),
    Crs::Epsg(3948),
    Crs::Epsg(3949),
    Crs::Epsg(3950),
];

/// The map formats encoded. 8-bit PNG (`image/png; mode=8bit`) is not offered: the PNG encoder
/// has no colour quantiser, and orthophotos lose most of their look in 256 colours anyway.
const MAP_FORMATS: [MapFormat; 3] = [MapFormat::Png, MapFormat::Jpeg, MapFormat::Webp];

/// The feature info formats pixel values are written in; GML is not offered, since a pixel has
/// no feature type to describe it.
const INFO_FORMATS: [wms::InfoFormat; 3] = [wms::InfoFormat::Text, wms::InfoFormat::Html, wms::InfoFormat::Json];

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/wms", get(kvp))
}

pub async fn kvp(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let pairs = super::features::pairs(&q);
    let offer = state.wms.get_or_init(|| Offer::build(&state));
    match answer(&state, offer, &pairs).await {
        Ok(res) => res,
        Err(failure) => exception(offer, &ErrorContext::of(&pairs), failure).await,
    }
}

/// What the capabilities advertise and requests are checked against, built on the first WMS
/// request and kept: layers do not change while the server runs.
pub struct Offer {
    service: ogc::ows::ServiceMetadata,
    endpoint: String,
    limits: wms::Limits,
    root: LayerInfo,
}

impl Offer {
    fn build(state: &AppState) -> Offer {
        let service = super::service_metadata(state);
        let common: Vec<Crs> = OFFERED_CRS.into_iter().filter(|c| crate::crs::check(*c).is_ok()).collect();
        let children: Vec<LayerInfo> = state.registry.rasters.iter().map(|l| layer_info(l, &common, &state.base)).collect();
        let geographic_bbox = children.iter().filter_map(|l| l.geographic_bbox).reduce(|a, b| a.union(&b));
        let root = LayerInfo { title: service.title.clone(), crs: common, geographic_bbox, children, ..Default::default() };
        let limits = wms::Limits { max_width: state.limits.max_image_width, max_height: state.limits.max_image_height, layer_limit: None };
        Offer { service, endpoint: format!("{}/wms", state.base), limits, root }
    }

    fn capabilities(&self) -> Capabilities<'_> {
        Capabilities {
            service: &self.service,
            endpoint: &self.endpoint,
            update_sequence: None,
            limits: self.limits,
            supports_sld: false,
            map_formats: &MAP_FORMATS,
            info_formats: &INFO_FORMATS,
            legend_graphic: false,
            root: &self.root,
        }
    }
}

/// An imagery layer in the tree: its own CRS added to the inherited ones, its extent in each.
fn layer_info(l: &RasterLayer, common: &[Crs], base: &str) -> LayerInfo {
    let own: Vec<Crs> = (!common.contains(&l.mosaic.crs)).then_some(l.mosaic.crs).into_iter().collect();
    let bboxes = own.iter().chain(common).filter_map(|&crs| l.mosaic.extent_in(crs).map(|bbox| BoundingBox { crs, bbox, axes: axes(crs) })).collect();
    LayerInfo {
        name: Some(l.id.clone()),
        title: l.title.clone(),
        abstract_: l.description.clone(),
        keywords: l.keywords.clone(),
        crs: own,
        geographic_bbox: Some(l.extent),
        bboxes,
        styles: vec![Style { name: "default".into(), title: "Default".into(), abstract_: String::new(), legend: None }],
        queryable: true,
        metadata_urls: vec![MetadataUrl { type_: MetadataType::Iso19115, format: "text/xml".into(), href: crate::catalogue::layer_record_url(base, &l.id) }],
        ..Default::default()
    }
}

/// A CRS's axis order as the CRS engine knows it (every geographic EPSG CRS is latitude
/// first), which decides how 1.3.0 BBOX values are read and BoundingBox elements written.
fn axes(crs: Crs) -> AxisOrder {
    if crate::crs::authority_lat_lon(crs).unwrap_or(false) { AxisOrder::LatLon } else { AxisOrder::of(crs) }
}

/// Why a request got no map: a WMS exception, or imagery that could not be read.
enum Failure {
    Wms(WmsError),
    Raster(RasterError),
}

impl From<WmsError> for Failure {
    fn from(e: WmsError) -> Failure {
        Failure::Wms(e)
    }
}

impl From<RasterError> for Failure {
    fn from(e: RasterError) -> Failure {
        Failure::Raster(e)
    }
}

async fn answer(state: &AppState, offer: &Offer, pairs: &[(String, String)]) -> Result<Response, Failure> {
    let caps = offer.capabilities();
    match wms::parse_kvp_with_axes(pairs, &axes)? {
        WmsRequest::GetCapabilities(r) => {
            caps.check_capabilities(&r)?;
            Ok(with_type(wms::capabilities(&caps, r.version).into_response(), r.version.capabilities_media_type()))
        }
        WmsRequest::GetMap(m) => get_map(state, &caps, &m).await,
        WmsRequest::GetFeatureInfo(g) => get_feature_info(state, &caps, &g).await,
        WmsRequest::GetLegendGraphic(_) => Err(WmsError::new(ExceptionCode::OperationNotSupported, "REQUEST", "GetLegendGraphic is not offered: imagery layers have no legend").into()),
    }
}

/// The registry's imagery layers for the names the checks resolved.
fn rasters<'a>(state: &'a AppState, resolved: &[wms::Resolved<'_>]) -> Vec<&'a Arc<RasterLayer>> {
    resolved.iter().filter_map(|r| r.layer.name.as_deref().and_then(|n| state.registry.raster(n))).collect()
}

async fn get_map(state: &AppState, caps: &Capabilities<'_>, m: &GetMap) -> Result<Response, Failure> {
    if m.map.sld.is_some() || m.map.sld_body.is_some() {
        return Err(WmsError::invalid(if m.map.sld.is_some() { "SLD" } else { "SLD_BODY" }, "user styles are not supported for imagery layers").into());
    }
    let layers = rasters(state, &caps.check_get_map(m)?);
    let window = Window { crs: m.map.crs, bbox: m.map.bbox, width: m.map.width, height: m.map.height };
    // Each layer is drawn onto the map as soon as it is read, so a request naming many layers
    // holds two images at a time, not one per layer.
    let mut map: Option<Rgba> = None;
    for l in &layers {
        let image = read(l, &window).await?;
        map = Some(match map {
            None => image,
            Some(mut below) => {
                crate::raster::on_blocking_pool(move || {
                    below.draw(&image);
                    Ok(below)
                })
                .await?
            }
        });
    }
    let map = map.unwrap_or_else(|| Rgba::transparent(window.width, window.height));
    let options = EncodeOptions { background: m.bgcolor, ..layers.first().map_or_else(EncodeOptions::default, |l| l.encode) };
    let bytes = render(map, m.format, m.transparent, options).await?;
    Ok(with_type(bytes.into_response(), m.format.media_type()))
}

/// Rows of a map read at once. The warper bounds the blocks one read may decode
/// (`warp::MAX_BLOCKS`, sized for tiles); a map as large as the limits allow, at full
/// resolution, needs more, so it is read in bands of this height.
const BAND_ROWS: u32 = 512;

/// A layer's pixels for `w`, band by band. Each band's box is cut from the map's, so its pixel
/// centres are the map's.
async fn read(l: &RasterLayer, w: &Window) -> Result<Rgba, RasterError> {
    if w.height <= BAND_ROWS {
        return warp::read(&l.mosaic, w, l.resampling).await;
    }
    let mut map = Rgba { width: w.width, height: w.height, data: Vec::with_capacity(w.width as usize * w.height as usize * 4) };
    let row = w.bbox.height() / w.height as f64;
    for top in (0..w.height).step_by(BAND_ROWS as usize) {
        let rows = BAND_ROWS.min(w.height - top);
        let bbox = Bbox { min_y: w.bbox.max_y - (top + rows) as f64 * row, max_y: w.bbox.max_y - top as f64 * row, ..w.bbox };
        map.data.extend_from_slice(&warp::read(&l.mosaic, &Window { bbox, height: rows, ..*w }, l.resampling).await?.data);
    }
    Ok(map)
}

/// Flattens a map asked without transparency (or in JPEG) over its background and encodes it,
/// on the blocking pool.
async fn render(mut map: Rgba, format: MapFormat, transparent: bool, options: EncodeOptions) -> Result<bytes::Bytes, RasterError> {
    let tile_format = match format {
        MapFormat::Jpeg => TileFormat::Jpeg,
        MapFormat::Webp => TileFormat::Webp,
        // 8-bit PNG is refused by the checks before any rendering.
        MapFormat::Png | MapFormat::Png8 => TileFormat::Png,
    };
    crate::raster::on_blocking_pool(move || {
        if !(transparent && format.has_alpha()) {
            map.flatten(options.background);
        }
        encode(&map, tile_format, &options)
    })
    .await
}

async fn get_feature_info(state: &AppState, caps: &Capabilities<'_>, g: &GetFeatureInfo) -> Result<Response, Failure> {
    caps.check_feature_info(g)?;
    let format = pixel_info::InfoFormat::from_media_type(g.info_format.media_type()).expect("only pixel formats are offered");
    let b = &g.map.bbox;
    let x = b.min_x + (g.i as f64 + 0.5) * b.width() / g.map.width as f64;
    let y = b.max_y - (g.j as f64 + 0.5) * b.height() / g.map.height as f64;
    let mut hits = Vec::with_capacity(g.query_layers.len());
    for name in &g.query_layers {
        let layer = state.registry.raster(name).expect("checked against the offered layers");
        hits.push(Hit { layer, pixel: warp::pixel_at(&layer.mosaic, g.map.crs, x, y).await? });
    }
    Ok(pixel_info::response(format, &hits, g.map.crs, (x, y)))
}

fn with_type(mut res: Response, media_type: &'static str) -> Response {
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    res
}

/// The exception the way the request asked for it. INIMAGE and BLANK both answer an image of
/// the requested size and format, transparent or filled with BGCOLOR: the message is not drawn
/// (there is no text renderer yet), so INIMAGE is a blank image too. Without a usable format
/// and size (or with a size above the limits), the report is XML.
async fn exception(offer: &Offer, ctx: &ErrorContext, failure: Failure) -> Response {
    let (e, status) = match failure {
        Failure::Wms(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::OK);
            (e, status)
        }
        Failure::Raster(RasterError::TooLarge(m)) => (WmsError::invalid("BBOX", m), StatusCode::OK),
        Failure::Raster(r) => {
            let status = crate::error::raster_status(&r);
            if status.is_server_error() {
                tracing::error!(error = %r, "map failed");
            }
            (WmsError::new(ExceptionCode::NoApplicableCode, "", r.to_string()), status)
        }
    };
    let mut res = match image_for(offer, ctx) {
        Some((format, width, height)) => {
            let options = EncodeOptions { background: ctx.bgcolor, ..EncodeOptions::default() };
            match render(Rgba::transparent(width, height), format, ctx.transparent, options).await {
                Ok(bytes) => with_type((status, bytes).into_response(), format.media_type()),
                Err(_) => xml_report(&e, ctx, status),
            }
        }
        None => xml_report(&e, ctx, status),
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    res
}

/// The image an INIMAGE or BLANK exception is drawn in, when the request names one this
/// server encodes at a size it accepts.
fn image_for(offer: &Offer, ctx: &ErrorContext) -> Option<(MapFormat, u32, u32)> {
    if ctx.exceptions == ExceptionFormat::Xml {
        return None;
    }
    let format = ctx.format.filter(|f| MAP_FORMATS.contains(f))?;
    let (width, height) = (ctx.width?, ctx.height?);
    (width <= offer.limits.max_width && height <= offer.limits.max_height).then_some((format, width, height))
}

fn xml_report(e: &WmsError, ctx: &ErrorContext, status: StatusCode) -> Response {
    with_type((status, e.report(ctx.version)).into_response(), ctx.version.exception_media_type())
}
