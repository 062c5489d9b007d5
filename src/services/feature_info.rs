//! Features as feature info (WMS GetFeatureInfo on vector layers), in every format WMS clients
//! ask for, each written by the writer the other faces use: GeoJSON by the OGC API encoder
//! (in CRS84, RFC 7946), GML 3.1.1 and GML 2 by the WFS collection writers (in the map's CRS,
//! as GeoServer answers), plain text and an HTML table per layer.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ogc::crs::Crs;
use ogc::value::Value;
use ogc::wms::InfoFormat;

use super::features::encode::{CoordinateMap, FeatureEncoder};
use super::features::html::escape;
use super::wfs::{NS_PREFIX, NS_URI};
use crate::registry::Layer;
use crate::source::Feature;

/// A queried layer and its features under the point.
pub struct Found<'a> {
    pub layer: &'a Layer,
    pub features: Vec<Feature>,
}

/// The answer, with exactly the media type of `format` as its Content-Type. `base` is the
/// server's public URL (GML names the DescribeFeatureType of its features), `crs` the map's.
pub fn response(format: InfoFormat, found: &[Found], base: &str, crs: Crs) -> Result<Response, crate::crs::CrsError> {
    let body = match format {
        InfoFormat::Json => json(found)?,
        InfoFormat::Html => html(found).into_bytes(),
        InfoFormat::Text => text(found).into_bytes(),
        InfoFormat::Gml3 | InfoFormat::Gml2 => gml(format, found, base, crs)?,
    };
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    Ok(res)
}

fn json(found: &[Found]) -> Result<Vec<u8>, crate::crs::CrsError> {
    let mut out = br#"{"type":"FeatureCollection","features":["#.to_vec();
    let mut first = true;
    for f in found {
        let mut encoder = FeatureEncoder::with_axes(&f.layer.table, Crs::Crs84, false)?;
        for feature in &f.features {
            if !first {
                out.push(b',');
            }
            first = false;
            encoder.write(&mut out, feature);
        }
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

/// The id and properties of a feature as (name, text) pairs.
fn rows<'a>(layer: &'a Layer, feature: &'a Feature) -> impl Iterator<Item = (&'a str, String)> {
    let id = layer.table.id.as_ref().zip(feature.id.as_ref()).map(|(f, v)| (f.name.as_str(), v.to_text()));
    id.into_iter().chain(layer.table.fields.iter().zip(&feature.properties).map(|(f, v)| (f.name.as_str(), v.to_text())))
}

fn html(found: &[Found]) -> String {
    let tables: String = found
        .iter()
        .map(|f| {
            let rows: String = match f.features.is_empty() {
                true => "<tr><td>no feature here</td></tr>".to_string(),
                false => f
                    .features
                    .iter()
                    .map(|feature| rows(f.layer, feature).map(|(n, v)| format!("<tr><th>{}</th><td>{}</td></tr>", escape(n), escape(&v))).collect::<String>())
                    .collect::<Vec<_>>()
                    .join("<tr><td colspan=\"2\"><hr></td></tr>"),
            };
            format!("<table><caption>{}</caption>{rows}</table>", escape(&f.layer.title))
        })
        .collect();
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Feature info</title></head><body>{tables}</body></html>")
}

fn text(found: &[Found]) -> String {
    found
        .iter()
        .map(|f| {
            let features: String = f.features.iter().map(|feature| rows(f.layer, feature).map(|(n, v)| format!("{n} = {v}\n")).collect::<String>() + "\n").collect();
            if f.features.is_empty() { format!("{}\nno feature here\n", f.layer.id) } else { format!("{}\n{features}", f.layer.id) }
        })
        .collect()
}

/// A feature as the GML writers take it: id, named values, geometry.
type Member<'a> = (String, Vec<(&'a str, &'a Value)>, Option<wkb::reader::Wkb<'a>>);

fn members<'a>(f: &'a Found) -> Vec<Member<'a>> {
    let names: Vec<&str> = f.layer.table.fields.iter().map(|x| x.name.as_str()).collect();
    f.features
        .iter()
        .map(|feature| {
            let values: Vec<(&str, &Value)> = names.iter().copied().zip(&feature.properties).collect();
            (feature.id.as_ref().map(Value::to_text).unwrap_or_default(), values, feature.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok()))
        })
        .collect()
}

fn gml(format: InfoFormat, found: &[Found], base: &str, crs: Crs) -> Result<Vec<u8>, crate::crs::CrsError> {
    let names: Vec<&str> = found.iter().map(|f| f.layer.id.as_str()).collect();
    let mut out = Vec::new();
    if format == InfoFormat::Gml2 {
        let describe = format!("{base}/wfs?service=WFS&version=1.0.0&request=DescribeFeatureType&typeName={}", names.join(","));
        let header = ogc::gml::gml2::Gml2CollectionWriter::new(NS_PREFIX, NS_URI, &describe, &crs.short(), 3);
        header.header(&mut out);
        for f in found {
            // GML 2 coordinates are always easting (longitude) first.
            let mut map = CoordinateMap::new(f.layer.table.crs, crs, false)?;
            let mut writer = ogc::gml::gml2::Gml2CollectionWriter::new(NS_PREFIX, NS_URI, &describe, &crs.short(), map.decimals);
            for (id, values, geometry) in members(f) {
                map.run(|m| writer.feature(&mut out, &f.layer.id, &id, &values, &f.layer.table.geometry_column, geometry.as_ref(), m));
            }
        }
        header.trailer(&mut out);
    } else {
        let describe = format!("{base}/wfs?service=WFS&version=1.1.0&request=DescribeFeatureType&typeName={}", names.join(","));
        // GML 3.1.1 as WFS 1.1 writes it: `EPSG:n` is easting first.
        let header = ogc::gml::CollectionWriter::new("1.1.0", NS_PREFIX, NS_URI, &describe, &crs.short(), 3);
        let returned = found.iter().map(|f| f.features.len() as u64).sum();
        header.header(&mut out, None, returned, &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        for f in found {
            let mut map = CoordinateMap::new(f.layer.table.crs, crs, false)?;
            let mut writer = ogc::gml::CollectionWriter::new("1.1.0", NS_PREFIX, NS_URI, &describe, &crs.short(), map.decimals);
            for (id, values, geometry) in members(f) {
                map.run(|m| writer.feature(&mut out, &f.layer.id, &id, &values, &f.layer.table.geometry_column, geometry.as_ref(), m));
            }
        }
        header.trailer(&mut out);
    }
    Ok(out)
}
