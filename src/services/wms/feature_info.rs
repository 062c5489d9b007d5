//! GetFeatureInfo: the pixel values of imagery layers under the pixel (I, J).

use axum::response::Response;
use ogc::wms::{Capabilities, GetFeatureInfo, WmsError};

use super::Failure;
use crate::http::AppState;
use crate::raster::warp;
use crate::services::pixel_info::{self, Hit};

pub async fn get_feature_info(state: &AppState, caps: &Capabilities<'_>, g: &GetFeatureInfo) -> Result<Response, Failure> {
    caps.check_feature_info(g)?;
    let format = pixel_info::InfoFormat::from_media_type(g.info_format.media_type()).expect("only pixel formats are offered");
    let b = &g.map.bbox;
    let x = b.min_x + (g.i as f64 + 0.5) * b.width() / g.map.width as f64;
    let y = b.max_y - (g.j as f64 + 0.5) * b.height() / g.map.height as f64;
    let mut hits = Vec::with_capacity(g.query_layers.len());
    for name in &g.query_layers {
        let layer = state.registry.raster(name).ok_or_else(|| WmsError::invalid("QUERY_LAYERS", format!("layer '{name}' cannot be queried")))?;
        hits.push(Hit { layer, pixel: warp::pixel_at(&layer.mosaic, g.map.crs, x, y).await? });
    }
    Ok(pixel_info::response(format, &hits, g.map.crs, (x, y)))
}
