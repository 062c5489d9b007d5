//! WMS 1.3.0 and 1.1.1 at `/wms` and `/ows?SERVICE=WMS`: GetCapabilities (with version
//! negotiation), GetMap (vector layers drawn by their styles and imagery, composed in LAYERS
//! order), GetFeatureInfo and GetLegendGraphic.
//!
//! Parsing, checks against the layer tree and the documents are `ogc::wms`; this face builds
//! the tree (`tree`), asks the core for features and pixels and hands them to the renderer.

mod feature_info;
mod legend;
mod map;
mod tree;
mod user_styles;

use std::sync::Arc;

use axum::extract::{RawQuery};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ogc::crs::Crs;
use ogc::tms::AxisOrder;
use ogc::wms::{self, Capabilities, ErrorContext, ExceptionCode, ExceptionFormat, LayerInfo, MapFormat, WmsError, WmsRequest};

use crate::http::{AppState, Caller};
use crate::raster::{RasterError, RasterLayer};
use crate::registry::Layer;
use crate::source::SourceError;
use crate::tiles::encode::EncodeOptions;

/// The map formats encoded, in the order the capabilities list them.
const MAP_FORMATS: [MapFormat; 4] = [MapFormat::Png, MapFormat::Png8, MapFormat::Jpeg, MapFormat::Webp];

/// Feature info formats: features in all five, pixel values in text, HTML and GeoJSON (GML of
/// imagery is refused per request with InvalidFormat).
const INFO_FORMATS: [wms::InfoFormat; 5] = wms::InfoFormat::ALL;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/wms", get(kvp))
}

pub async fn kvp(state: Caller, RawQuery(q): RawQuery) -> Response {
    let pairs = super::features::pairs(&q);
    let offer = state.view.wms.get_or_init(|| Offer::build(&state));
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
    update_sequence: Option<String>,
    limits: wms::Limits,
    root: LayerInfo,
}

impl Offer {
    fn build(state: &Caller) -> Offer {
        let service = super::service_metadata(state);
        let endpoint = format!("{}/wms", state.base);
        let common: Vec<Crs> = tree::OFFERED_CRS.into_iter().filter(|c| crate::crs::check(*c).is_ok()).collect();
        let vectors = state.view.layers.iter().map(|l| tree::vector(l, &common, &state.base, &endpoint));
        let children: Vec<LayerInfo> = vectors.chain(state.view.rasters().map(|l| tree::raster(l, &common, &state.base))).collect();
        let geographic_bbox = children.iter().filter_map(|l| l.geographic_bbox).reduce(|a, b| a.union(&b));
        let root = LayerInfo { title: service.title.clone(), crs: common, geographic_bbox, children, ..Default::default() };
        let limits = wms::Limits { max_width: state.limits.max_image_width, max_height: state.limits.max_image_height, layer_limit: None };
        Offer { service, endpoint, update_sequence: state.service.update_sequence.clone(), limits, root }
    }

    fn capabilities(&self) -> Capabilities<'_> {
        Capabilities {
            service: &self.service,
            endpoint: &self.endpoint,
            update_sequence: self.update_sequence.as_deref(),
            limits: self.limits,
            supports_sld: true,
            map_formats: &MAP_FORMATS,
            info_formats: &INFO_FORMATS,
            legend_graphic: true,
            root: &self.root,
        }
    }
}

/// A CRS's axis order as the CRS engine knows it (every geographic EPSG CRS is latitude
/// first), which decides how 1.3.0 BBOX values are read and BoundingBox elements written.
pub fn axes(crs: Crs) -> AxisOrder {
    if crate::crs::authority_lat_lon(crs).unwrap_or(false) { AxisOrder::LatLon } else { AxisOrder::of(crs) }
}

/// Why a request got no answer: a WMS exception, imagery that could not be read or drawn, or
/// features that could not be read.
pub enum Failure {
    Wms(WmsError),
    Raster(RasterError),
    Source(SourceError),
}

impl From<SourceError> for Failure {
    fn from(e: SourceError) -> Failure {
        Failure::Source(e)
    }
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

async fn answer(state: &Caller, offer: &Offer, pairs: &[(String, String)]) -> Result<Response, Failure> {
    let caps = offer.capabilities();
    match wms::parse_kvp_with_axes(pairs, &axes)? {
        WmsRequest::GetCapabilities(r) => {
            caps.check_capabilities(&r)?;
            Ok(with_type(wms::capabilities(&caps, r.version).into_response(), r.version.capabilities_media_type()))
        }
        WmsRequest::GetMap(m) => map::get_map(state, &caps, &m).await,
        WmsRequest::GetFeatureInfo(g) => feature_info::get_feature_info(state, &caps, &g).await,
        WmsRequest::GetLegendGraphic(g) => legend::get_legend_graphic(state, &caps, &g).await,
    }
}

/// A layer a map draws.
pub enum MapLayer<'a> {
    Vector(&'a Arc<Layer>),
    Raster(&'a Arc<RasterLayer>),
}

pub fn map_layer<'a>(state: &'a Caller, name: &str) -> Option<MapLayer<'a>> {
    state.view.layer(name).map(MapLayer::Vector).or_else(|| state.view.raster(name).map(MapLayer::Raster))
}

pub fn with_type(mut res: Response, media_type: &'static str) -> Response {
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    res
}

/// The exception the way the request asked for it. INIMAGE and BLANK both answer an image of
/// the requested size and format, transparent or filled with BGCOLOR, INIMAGE with the message
/// written on it. Without a usable format and size (or with a size above the limits), the
/// report is XML.
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
        Failure::Source(e) => {
            let e = crate::error::ServiceError::from(e);
            let status = e.status();
            if status.is_server_error() {
                tracing::error!(error = %e, "features could not be read for a map");
            }
            (WmsError::new(ExceptionCode::NoApplicableCode, "", e.to_string()), status)
        }
    };
    let mut res = match image_for(offer, ctx) {
        Some((format, width, height)) => {
            let options = EncodeOptions { background: ctx.bgcolor, ..EncodeOptions::default() };
            let message = (ctx.exceptions == ExceptionFormat::InImage).then(|| e.to_string());
            let image = crate::raster::on_blocking_pool(move || Ok(crate::render::message_image(width, height, message.as_deref()))).await;
            let encoded = match image {
                Ok(image) => map::render(image, format, ctx.transparent, options).await,
                Err(e) => Err(e),
            };
            match encoded {
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
