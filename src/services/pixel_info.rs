//! Pixel values as feature info, one writer for WMTS and WMS GetFeatureInfo: what a click on
//! imagery shows is the same whichever face the client came through.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ogc::crs::Crs;

use super::features::html::escape;
use crate::crs::Transform;
use crate::raster::RasterLayer;

/// The formats pixel values are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfoFormat {
    /// A GeoJSON FeatureCollection: one point feature per layer with data at the point.
    Json,
    /// A table per layer.
    Html,
    Text,
}

impl InfoFormat {
    pub const ALL: [InfoFormat; 3] = [InfoFormat::Json, InfoFormat::Html, InfoFormat::Text];

    pub fn media_type(self) -> &'static str {
        match self {
            InfoFormat::Json => "application/json",
            InfoFormat::Html => "text/html",
            InfoFormat::Text => "text/plain",
        }
    }

    pub fn from_media_type(text: &str) -> Option<InfoFormat> {
        InfoFormat::ALL.into_iter().find(|f| f.media_type().eq_ignore_ascii_case(text.trim()))
    }
}

/// A queried layer and its pixel at the point: `None` where it has no data.
pub struct Hit<'a> {
    pub layer: &'a RasterLayer,
    pub pixel: Option<[u8; 4]>,
}

const BANDS: [&str; 4] = ["red", "green", "blue", "alpha"];

/// The answer for a point `(x, y)` of `crs` (easting first), with exactly the media type of
/// `format` as its Content-Type.
pub fn response(format: InfoFormat, hits: &[Hit], crs: Crs, (x, y): (f64, f64)) -> Response {
    let body = match format {
        InfoFormat::Json => json(hits, crs, (x, y)),
        InfoFormat::Html => html(hits),
        InfoFormat::Text => text(hits),
    };
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    res
}

/// GeoJSON is longitude/latitude (RFC 7946), so the point is transformed to CRS84; the
/// geometry is null if it cannot be.
fn json(hits: &[Hit], crs: Crs, (x, y): (f64, f64)) -> String {
    let lon_lat = Transform::from_storage(crs, Crs::Crs84, false).ok().and_then(|t| t.convert(x, y));
    let geometry = lon_lat.map_or(serde_json::Value::Null, |(lon, lat)| serde_json::json!({ "type": "Point", "coordinates": [lon, lat] }));
    let features: Vec<serde_json::Value> = hits
        .iter()
        .filter_map(|h| h.pixel.map(|p| (h.layer, p)))
        .map(|(layer, p)| {
            let mut props = serde_json::Map::new();
            props.insert("layer".into(), layer.id.clone().into());
            props.extend(BANDS.iter().zip(p).map(|(n, v)| (n.to_string(), v.into())));
            serde_json::json!({ "type": "Feature", "id": layer.id, "geometry": geometry, "properties": props })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features }).to_string()
}

fn html(hits: &[Hit]) -> String {
    let tables: String = hits
        .iter()
        .map(|h| {
            let rows: String = match h.pixel {
                Some(p) => BANDS.iter().zip(p).map(|(n, v)| format!("<tr><th>{n}</th><td>{v}</td></tr>")).collect(),
                None => "<tr><td>no data here</td></tr>".to_string(),
            };
            format!("<table><caption>{}</caption>{rows}</table>", escape(&h.layer.title))
        })
        .collect();
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Pixel values</title></head><body>{tables}</body></html>")
}

fn text(hits: &[Hit]) -> String {
    hits.iter()
        .map(|h| match h.pixel {
            Some(p) => format!("{}\n{}\n", h.layer.id, BANDS.iter().zip(p).map(|(n, v)| format!("{n} = {v}")).collect::<Vec<_>>().join("\n")),
            None => format!("{}\nno data here\n", h.layer.id),
        })
        .collect()
}
