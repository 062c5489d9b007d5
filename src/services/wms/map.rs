//! GetMap: the requested layers drawn in LAYERS order on one canvas — vector layers read
//! through the shared query path (the map's box with a label buffer, CQL_FILTER bound like any
//! filter, TIME on the temporal field) and drawn by their style, imagery warped to the map's
//! window — then flattened over BGCOLOR unless TRANSPARENT, and encoded.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::filter::{Expr, Filter, TemporalOp};
use ogc::tiles::TileFormat;
use ogc::wms::time::TimeItem;
use ogc::wms::{Capabilities, GetMap, MapFormat, MapRequest, TimeValue, WmsError};

use super::{Failure, MapLayer, with_type};
use crate::http::Caller;
use crate::raster::warp::{self, Window};
use crate::raster::{RasterError, RasterLayer, Rgba};
use crate::registry::Layer;
use crate::render::Canvas;
use crate::render::view::View;
use crate::crs::Transform;
use crate::source::{Feature, Field, Query, Table};
use crate::tiles::encode::{EncodeOptions, encode, png8};

pub async fn get_map(state: &Caller, caps: &Capabilities<'_>, m: &GetMap) -> Result<Response, Failure> {
    let user = super::user_styles::of_request(state, m).await?;
    let from_sld;
    let m = match &user {
        Some(u) if m.map.layers.is_empty() => {
            let layers = u.layer_names();
            from_sld = GetMap { map: MapRequest { styles: vec![String::new(); layers.len()], layers, ..m.map.clone() }, ..m.clone() };
            &from_sld
        }
        _ => m,
    };
    let resolved = caps.check_get_map(m)?;
    let view = view_of(&m.map)?;
    let window = Window { crs: m.map.crs, bbox: m.map.bbox, width: m.map.width, height: m.map.height };
    let mut canvas = Canvas::new(view).ok_or_else(|| WmsError::invalid("WIDTH", "the map has no pixels"))?;
    let mut first_raster = None;
    for (i, r) in resolved.iter().enumerate() {
        let name = r.layer.name.as_deref().unwrap_or_default();
        match super::map_layer(state, name).ok_or_else(|| WmsError::invalid("LAYERS", format!("layer '{name}' is not drawable")))? {
            MapLayer::Vector(layer) => {
                let filter = m.map.cql_filters.get(i).cloned().flatten();
                let style = match user.as_ref().map(|u| u.style_for(layer)).transpose()?.flatten() {
                    Some(s) => s,
                    None => layer_style(layer, &r.style)?,
                };
                // Only the properties the style reads are fetched, and the drawn features see a
                // table of those.
                let read = style.style.properties();
                let table = Arc::new(Table { fields: layer.table.fields.iter().filter(|f| read.contains(&f.name.as_str())).cloned().collect(), ..(*layer.table).clone() });
                let reach = crate::render::reach(&style.style, &view);
                let features = features(state, layer, Some(table.fields.clone()), &view, filter, r.time.as_ref(), reach).await?;
                let graphics = layer.styles.graphics.clone();
                canvas = crate::raster::on_blocking_pool(move || {
                    let drawn = crate::render::features::to_pixels(&table, &features, &canvas.view).map_err(|e| e.to_string())?;
                    canvas.draw_features(&style.style, &graphics, &drawn)?;
                    Ok(canvas)
                })
                .await?;
            }
            MapLayer::Raster(layer) => {
                if let Some(u) = user.as_ref().filter(|u| u.names(name)) {
                    return Err(WmsError::invalid(u.locator(), format!("NamedLayer '{name}': imagery is drawn with its own style")).into());
                }
                first_raster.get_or_insert(layer);
                let image = read(layer, &window).await?;
                canvas = crate::raster::on_blocking_pool(move || {
                    canvas.draw_image(image);
                    Ok(canvas)
                })
                .await?;
            }
        }
    }
    let map = crate::raster::on_blocking_pool(move || Ok(canvas.finish())).await?;
    let options = EncodeOptions { background: m.bgcolor, ..first_raster.map_or_else(EncodeOptions::default, |l| l.encode) };
    let bytes = render(map, m.format, m.transparent, options).await?;
    Ok(with_type(bytes.into_response(), m.format.media_type()))
}

/// A style of the layer by name (with an SLD the checks leave STYLES unresolved; empty: the
/// default).
fn layer_style(layer: &Layer, name: &str) -> Result<Arc<crate::styles::NamedStyle>, WmsError> {
    let style = if name.is_empty() { layer.styles.styles.first() } else { layer.styles.get(name) };
    style.cloned().ok_or_else(|| WmsError::new(ogc::wms::ExceptionCode::StyleNotDefined, "STYLES", format!("layer '{}' has no style '{name}'", layer.id)))
}

/// The map's geometry and resolution for the renderer.
pub fn view_of(map: &MapRequest) -> Result<View, Failure> {
    let geographic = crate::crs::is_geographic(map.crs).map_err(RasterError::from)?;
    Ok(View::new(map.crs, map.bbox, map.width, map.height, map.dpi, geographic))
}

/// The features of `layer` a map of `view` draws: those whose envelope meets its box grown by
/// `buffer` pixels (the index's test: what lies in the envelope but not the box is clipped
/// by the canvas, cheaper than an exact test per row), matching the layer's CQL_FILTER and
/// TIME, with `fields` (all when `None`). At most `max_map_features`: a box holding more is
/// refused rather than drawn for minutes.
pub async fn features(
    state: &Caller,
    layer: &Arc<Layer>,
    fields: Option<Vec<Field>>,
    view: &View,
    cql: Option<Filter>,
    time: Option<&TimeValue>,
    buffer: f64,
) -> Result<Vec<Feature>, Failure> {
    let table = &layer.table;
    let envelope = Transform::to_storage(view.crs, false, table.crs)
        .map_err(RasterError::from)?
        .envelope(&view.buffered(buffer))
        .ok_or_else(|| WmsError::invalid("BBOX", "the box lies outside the area of its CRS"))?;
    let mut filters = Vec::new();
    if let Some(f) = cql {
        filters.push(crate::bind::bind(f, table, Crs::Crs84).map_err(|e| WmsError::invalid("CQL_FILTER", format!("layer '{}': {}", layer.id, e.0)))?);
    }
    if let (Some(time), Some(field)) = (time, &table.temporal) {
        filters.push(time_filter(time, &field.name, table.temporal_extent.and_then(|(_, end)| end)));
    }
    let max = state.limits.max_map_features;
    let query = Query { envelope: Some(envelope), filter: Filter::all(filters), limit: Some(max + 1), fields, ..Query::default() };
    let features: Vec<Feature> = layer.source.features(table.clone(), query).try_collect().await?;
    if features.len() as u64 > max {
        return Err(WmsError::invalid("BBOX", format!("layer '{}' has more than {max} features in this box; zoom in", layer.id)).into());
    }
    Ok(features)
}

/// TIME as a filter on the temporal field: any of its items (`current`: the latest instant).
fn time_filter(time: &TimeValue, field: &str, latest: Option<chrono::DateTime<chrono::Utc>>) -> Filter {
    let any = time
        .items
        .iter()
        .map(|item| {
            let interval = match item {
                TimeItem::Range { interval, .. } => *interval,
                TimeItem::Current => ogc::datetime::Interval { start: latest, end: None },
            };
            Filter::Temporal { op: TemporalOp::Intersects, left: Expr::Property(field.to_string()), right: Expr::Interval(interval) }
        })
        .collect();
    Filter::Or(any)
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
pub async fn render(mut map: Rgba, format: MapFormat, transparent: bool, options: EncodeOptions) -> Result<bytes::Bytes, RasterError> {
    crate::raster::on_blocking_pool(move || {
        if !(transparent && format.has_alpha()) {
            map.flatten(options.background);
        }
        match format {
            MapFormat::Png8 => png8(&map),
            MapFormat::Png => encode(&map, TileFormat::Png, &options),
            MapFormat::Jpeg => encode(&map, TileFormat::Jpeg, &options),
            MapFormat::Webp => encode(&map, TileFormat::Webp, &options),
        }
    })
    .await
}
