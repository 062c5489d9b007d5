//! GetFeatureInfo at the pixel (I, J): for vector layers the features under it (an area that
//! contains the pixel's centre, a line or point within a few pixels of it, as drawn with the
//! layer's CQL_FILTER and TIME), at most FEATURE_COUNT per layer; for imagery the pixel values.
//! A request mixing both kinds is refused: the formats of one do not hold the other.

use axum::response::Response;
use geo::{Distance, Euclidean, Intersects};
use ogc::wms::{Capabilities, GetFeatureInfo, WmsError};

use super::map::{features, view_of};
use super::{Failure, MapLayer};
use crate::http::Caller;
use crate::raster::warp;
use crate::render::view::View;
use crate::services::feature_info::{self, Found};
use crate::services::pixel_info::{self, Hit};

/// How far from a line or point a click still hits it, in standard pixels.
const TOLERANCE_PX: f64 = 4.0;

pub async fn get_feature_info(state: &Caller, caps: &Capabilities<'_>, g: &GetFeatureInfo) -> Result<Response, Failure> {
    let resolved = caps.check_feature_info(g)?;
    let b = &g.map.bbox;
    let x = b.min_x + (g.i as f64 + 0.5) * b.width() / g.map.width as f64;
    let y = b.max_y - (g.j as f64 + 0.5) * b.height() / g.map.height as f64;
    let layers: Vec<_> = g
        .query_layers
        .iter()
        .map(|name| super::map_layer(state, name).ok_or_else(|| WmsError::invalid("QUERY_LAYERS", format!("layer '{name}' cannot be queried"))))
        .collect::<Result<_, _>>()?;
    let vectors = layers.iter().filter(|l| matches!(l, MapLayer::Vector(_))).count();
    if vectors == 0 {
        let format = pixel_info::InfoFormat::from_media_type(g.info_format.media_type())
            .ok_or_else(|| WmsError::new(ogc::wms::ExceptionCode::InvalidFormat, "INFO_FORMAT", format!("imagery has no features to write as {}", g.info_format.media_type())))?;
        let mut hits = Vec::with_capacity(layers.len());
        for l in &layers {
            if let MapLayer::Raster(layer) = l {
                hits.push(Hit { layer, pixel: warp::pixel_at(&layer.mosaic, g.map.crs, x, y).await? });
            }
        }
        return Ok(pixel_info::response(format, &hits, g.map.crs, (x, y)));
    }
    if vectors < layers.len() {
        return Err(WmsError::invalid("QUERY_LAYERS", "vector and imagery layers cannot be queried in one request").into());
    }
    let view = view_of(&g.map)?;
    let tolerance = TOLERANCE_PX * view.pixel_ratio;
    let centre = geo::Point::new(g.i as f64 + 0.5, g.j as f64 + 0.5);
    // The features near the pixel are read as for a one-pixel map of its neighbourhood.
    let reach = (0.5 + tolerance) * (b.width() / f64::from(g.map.width)).max(b.height() / f64::from(g.map.height));
    let probe = View { bbox: ogc::bbox::Bbox { min_x: x - reach, min_y: y - reach, max_x: x + reach, max_y: y + reach }, width: 1, height: 1, ..view };
    let mut found = Vec::new();
    for (l, name) in layers.iter().zip(&g.query_layers) {
        let MapLayer::Vector(layer) = l else { continue };
        let position = g.map.layers.iter().position(|n| n == name);
        let cql = position.and_then(|i| g.map.cql_filters.get(i).cloned().flatten());
        let time = resolved.iter().find(|r| r.layer.name.as_deref() == Some(name)).and_then(|r| r.time.clone());
        let candidates = features(state, layer, None, &probe, cql, time.as_ref(), 0.0).await?;
        let hit = crate::render::features::to_pixels(&layer.table, &candidates, &view).map_err(crate::raster::RasterError::from)?;
        let mut hits: Vec<_> = hit
            .into_iter()
            .filter(|d| match &d.geometry {
                geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) => d.geometry.intersects(&centre),
                other => Euclidean.distance(other, &centre) <= tolerance,
            })
            .map(|d| d.feature.clone())
            .collect();
        hits.truncate(g.feature_count as usize);
        found.push(Found { layer, features: hits });
    }
    feature_info::response(g.info_format, &found, &state.base, g.map.crs).map_err(|e| crate::raster::RasterError::from(e).into())
}
