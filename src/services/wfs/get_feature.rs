//! GetFeature: the shared query path (filter bound to the layer, stable order, paging), encoded
//! as GML 3.2 / GML 3.1.1 in a WFS FeatureCollection, or as GeoJSON.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use futures_util::TryStreamExt;
use ogc::crs::Crs;
use ogc::filter::Filter;
use ogc::value::Value;
use ogc::wfs::request::{GetFeature, Version, WfsError};

use super::exception::from_service;
use super::{NS_PREFIX, NS_URI, layer};
use crate::error::ServiceError;
use crate::http::Caller;
use crate::registry::Layer;
use crate::services::features::encode::{CoordinateMap, FeatureEncoder};
use crate::source::{Feature, Query};

const GML32: &str = "application/gml+xml; version=3.2";
const GML311: &str = "text/xml; subtype=gml/3.1.1";
const GEOJSON: &str = "application/json";
const GML2: &str = "GML2";

pub fn output_formats(version: Version) -> &'static [&'static str] {
    match version {
        Version::V2_0_0 => &[GML32, "text/xml; subtype=gml/3.2", GEOJSON],
        Version::V1_1_0 => &[GML311, GEOJSON],
        Version::V1_0_0 => &[GML2, GML311, GEOJSON],
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Gml32,
    Gml311,
    Gml2,
    GeoJson,
}

fn encoding(version: Version, requested: Option<&str>) -> Result<Encoding, WfsError> {
    let Some(f) = requested else {
        return Ok(match version {
            Version::V2_0_0 => Encoding::Gml32,
            Version::V1_1_0 => Encoding::Gml311,
            Version::V1_0_0 => Encoding::Gml2,
        });
    };
    let f = f.to_ascii_lowercase().replace(' ', "");
    Ok(match f.as_str() {
        "application/gml+xml;version=3.2" | "text/xml;subtype=gml/3.2" | "text/xml;subtype=gml/3.2.1" | "gml32" => Encoding::Gml32,
        "text/xml;subtype=gml/3.1.1" | "gml3" | "application/gml+xml;version=3.1" => Encoding::Gml311,
        "application/json" | "json" | "geojson" | "application/geo+json" => Encoding::GeoJson,
        "gml2" | "text/xml;subtype=gml/2.1.2" => Encoding::Gml2,
        _ => {
            return Err(WfsError::new(
                "InvalidParameterValue",
                "outputFormat",
                format!("'{f}' is not an output format of WFS {} ({})", version.as_str(), output_formats(version).join(", ")),
            ));
        }
    })
}

/// What one type contributes: its layer, its bound query, its output mapping.
struct TypeQuery<'a> {
    layer: &'a std::sync::Arc<Layer>,
    query: Query,
    fields: Vec<usize>,
}

fn prepare<'a>(state: &'a Caller, g: &GetFeature, name: &str) -> Result<TypeQuery<'a>, WfsError> {
    let layer = layer(state, name)?;
    let table = &layer.table;
    let filter = match &g.filter {
        Some(f) => {
            // Ids are written `type.n`: keep this type's.
            let f = strip_id_prefix(f.clone(), &layer.id);
            Some(crate::bind::bind(f, table, table.crs).map_err(|e| WfsError::new("InvalidParameterValue", "filter", e.0))?)
        }
        None => None,
    };
    for (name, _) in &g.sort_by {
        if table.field(name).is_none() {
            return Err(WfsError::new("InvalidParameterValue", "sortBy", format!("'{name}' is not a property of {}", layer.id)));
        }
    }
    let fields = match &g.property_names {
        None => (0..table.fields.len()).collect(),
        Some(names) => names
            .iter()
            .filter(|n| **n != table.geometry_column)
            .map(|n| table.fields.iter().position(|f| &f.name == n).ok_or_else(|| WfsError::new("InvalidParameterValue", "propertyName", format!("'{n}' is not a property of {}", layer.id))))
            .collect::<Result<_, _>>()?,
    };
    Ok(TypeQuery { layer, query: Query { filter, sort: g.sort_by.clone(), limit: None, offset: 0, envelope: None, unordered: false, fields: None }, fields })
}

pub(super) fn strip_id_prefix(filter: Filter, type_name: &str) -> Filter {
    match filter {
        Filter::ResourceId(ids) => {
            let prefix = format!("{type_name}.");
            Filter::ResourceId(ids.into_iter().filter_map(|i| i.strip_prefix(&prefix).map(str::to_string)).collect())
        }
        Filter::And(all) => Filter::And(all.into_iter().map(|f| strip_id_prefix(f, type_name)).collect()),
        f => f,
    }
}

/// One page of a GetFeature (or GetPropertyValue) query: the features per type, how many match
/// in all, and the paging links.
struct Page<'a> {
    pages: Pages<'a>,
    matched: Option<u64>,
    paging: Paging,
}

async fn total(types: &[TypeQuery<'_>], exact_max: u64) -> Result<Option<u64>, WfsError> {
    let mut total = Some(0u64);
    for t in types {
        let n = t.layer.source.count(&t.layer.table, t.query.filter.as_ref(), exact_max).await.map_err(|e| from_service(e.into()))?;
        total = total.zip(n).map(|(a, b)| a + b);
    }
    Ok(total)
}

/// Runs the query: the page spans the types in order, skipping STARTINDEX features and keeping
/// COUNT. `pairs` (the request as received) gives the paging links.
async fn fetch<'a>(state: &'a Caller, g: &GetFeature, pairs: &[(String, String)]) -> Result<Page<'a>, WfsError> {
    let mut types = g.type_names.iter().map(|n| prepare(state, g, n)).collect::<Result<Vec<_>, _>>()?;
    let max = state.limits.max_limit;
    let count = g.count.unwrap_or(max).min(max);
    let (mut skip, mut left) = (g.start_index, count);
    let mut pages: Pages = Vec::new();
    let single = types.len() == 1;
    for t in types.iter_mut() {
        if left == 0 {
            break;
        }
        let table = &t.layer.table;
        if skip > 0 && !single {
            let n = total(std::slice::from_ref(t), u64::MAX - 1).await?.unwrap_or(0);
            if n <= skip {
                skip -= n;
                continue;
            }
        }
        t.query.offset = skip;
        t.query.limit = Some(left);
        skip = 0;
        let features: Vec<Feature> =
            t.layer.source.features(table.clone(), t.query.clone()).try_collect().await.map_err(|e: crate::source::SourceError| from_service(ServiceError::from(e)))?;
        left -= features.len() as u64;
        pages.push((t.layer, t.fields.clone(), features));
    }
    let returned: u64 = pages.iter().map(|p| p.2.len() as u64).sum();
    // A short first page is the whole result; otherwise count (omitted when too costly).
    let matched = if g.start_index == 0 && returned < count { Some(returned) } else { total(&types, state.limits.exact_count_max).await.ok().flatten() };
    let more = match matched {
        Some(m) => g.start_index + returned < m,
        None => returned == count,
    };
    // Links repeat the KVP request at another STARTINDEX; an XML (POST) request has none.
    let link = |start: u64| (!pairs.is_empty()).then(|| paging_link(state, pairs, start));
    let paging = Paging {
        next: if more { link(g.start_index + returned) } else { None },
        previous: if g.start_index > 0 { link(g.start_index.saturating_sub(count)) } else { None },
    };
    Ok(Page { pages, matched, paging })
}

pub async fn get_feature(state: &Caller, version: Version, g: GetFeature, pairs: &[(String, String)]) -> Result<Response, WfsError> {
    let encoding = encoding(version, g.output_format.as_deref())?;
    if g.hits {
        let types = g.type_names.iter().map(|n| prepare(state, &g, n)).collect::<Result<Vec<_>, _>>()?;
        let matched = total(&types, u64::MAX - 1).await?;
        return Ok(collection(state, version, encoding, &g, matched, Vec::new(), Paging::default()));
    }
    let page = fetch(state, &g, pairs).await?;
    if g.by_id {
        return by_id(state, version, encoding, &g, page.pages);
    }
    Ok(collection(state, version, encoding, &g, page.matched, page.pages, page.paging))
}

/// GetPropertyValue (WFS 2.0): the values of one property of the features the query selects.
pub async fn get_property_value(state: &Caller, version: Version, g: GetFeature, value_reference: &str, pairs: &[(String, String)]) -> Result<Response, WfsError> {
    if version != Version::V2_0_0 {
        return Err(WfsError::new("OperationNotSupported", "request", "GetPropertyValue is a WFS 2.0.0 operation"));
    }
    let page = fetch(state, &g, pairs).await?;
    let returned: u64 = page.pages.iter().map(|p| p.2.len() as u64).sum();
    let stamp = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let srs = collection_srs(state, &g)?;
    let mut writer = ogc::gml::value_collection::ValueCollectionWriter::new(&srs_text(version, srs.0, srs.1), 3);
    let mut out = Vec::new();
    writer.header(&mut out, page.matched, returned, &stamp, page.paging.next.as_deref(), page.paging.previous.as_deref());
    for (layer, _, features) in &page.pages {
        let table = &layer.table;
        if value_reference == table.geometry_column {
            let (crs, axes) = srs_of(&g, layer)?;
            let mut map = CoordinateMap::new(table.crs, crs, axes).map_err(|e| WfsError::new("InvalidParameterValue", "srsName", e.to_string()))?;
            for f in features {
                let id = f.id.as_ref().map(Value::to_text).unwrap_or_default();
                match f.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok()) {
                    Some(geom) => {
                        map.run(|m| writer.geometry(&mut out, &layer.id, &id, &geom, m));
                    }
                    None => writer.value(&mut out, &Value::Null),
                }
            }
            continue;
        }
        let i = table
            .fields
            .iter()
            .position(|f| f.name == value_reference)
            .ok_or_else(|| WfsError::new("InvalidParameterValue", "valueReference", format!("'{value_reference}' is not a property of {}", layer.id)))?;
        for f in features {
            writer.value(&mut out, &f.properties[i]);
        }
    }
    writer.trailer(&mut out);
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"))], out).into_response())
}

/// WFS 2.0 `next` / `previous` links of a page.
#[derive(Default)]
struct Paging {
    next: Option<String>,
    previous: Option<String>,
}

/// The same request at another STARTINDEX.
fn paging_link(state: &Caller, pairs: &[(String, String)], start: u64) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("startindex")) {
        q.append_pair(k, v);
    }
    q.append_pair("STARTINDEX", &start.to_string());
    format!("{}/wfs?{}", state.base, q.finish())
}

fn srs_of(g: &GetFeature, layer: &Layer) -> Result<(Crs, bool), WfsError> {
    match g.srs_name {
        Some(s) if layer.crs.contains(&s.crs) => Ok((s.crs, s.authority_axes)),
        Some(s) => Err(WfsError::new("InvalidParameterValue", "srsName", format!("{} is not offered for {}", s.crs.short(), layer.id))),
        None => Ok((layer.table.crs, true)),
    }
}

/// The CRS a collection document announces: the output CRS of its first type.
fn collection_srs(state: &Caller, g: &GetFeature) -> Result<(Crs, bool), WfsError> {
    let first = g.type_names.first().ok_or_else(|| WfsError::new("MissingParameterValue", "typeNames", "no feature type"))?;
    srs_of(g, layer(state, first)?)
}

fn srs_text(version: Version, crs: Crs, authority_axes: bool) -> String {
    match (authority_axes, version, crs) {
        (_, _, Crs::Crs84) => crs.uri(),
        (false, _, _) => crs.short(),
        (true, Version::V1_1_0, _) => crs.urn_x(),
        (true, _, _) => crs.urn(),
    }
}

type Pages<'a> = Vec<(&'a std::sync::Arc<Layer>, Vec<usize>, Vec<Feature>)>;

fn collection(state: &Caller, version: Version, encoding: Encoding, g: &GetFeature, matched: Option<u64>, pages: Pages, paging: Paging) -> Response {
    let returned: u64 = pages.iter().map(|p| p.2.len() as u64).sum();
    let mut out = Vec::with_capacity(64 * 1024);
    let result = match encoding {
        Encoding::GeoJson => geojson(&mut out, g, matched, returned, &pages),
        Encoding::Gml32 | Encoding::Gml311 => gml(&mut out, state, version, g, matched, returned, &pages, &paging),
        Encoding::Gml2 => gml2(&mut out, state, g, &pages),
    };
    if let Err(e) = result {
        return super::exception(version, &e);
    }
    let media = match encoding {
        Encoding::GeoJson => GEOJSON,
        Encoding::Gml32 => GML32,
        Encoding::Gml311 => GML311,
        Encoding::Gml2 => "text/xml; subtype=gml/2.1.2",
    };
    ([(header::CONTENT_TYPE, HeaderValue::from_static(media))], out).into_response()
}

fn geojson(out: &mut Vec<u8>, g: &GetFeature, matched: Option<u64>, returned: u64, pages: &Pages) -> Result<(), WfsError> {
    out.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
    let mut first = true;
    for (layer, _, features) in pages {
        let (crs, axes) = srs_of(g, layer)?;
        let mut encoder = FeatureEncoder::with_axes(&layer.table, crs, axes).map_err(|e| WfsError::new("InvalidParameterValue", "srsName", e.to_string()))?;
        for f in features {
            if !first {
                out.push(b',');
            }
            first = false;
            encoder.write(out, f);
        }
    }
    out.extend_from_slice(format!(r#"],"numberReturned":{returned}"#).as_bytes());
    if let Some(m) = matched {
        out.extend_from_slice(format!(r#","numberMatched":{m}"#).as_bytes());
    }
    out.extend_from_slice(format!(r#","timeStamp":"{}"}}"#, Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)).as_bytes());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn gml(out: &mut Vec<u8>, state: &Caller, version: Version, g: &GetFeature, matched: Option<u64>, returned: u64, pages: &Pages, paging: &Paging) -> Result<(), WfsError> {
    let stamp = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let names: Vec<&str> = pages.iter().map(|p| p.0.id.as_str()).collect();
    let describe = format!(
        "{}/wfs?service=WFS&version={}&request=DescribeFeatureType&typeNames={}",
        state.base,
        version.as_str(),
        if names.is_empty() { g.type_names.join(",") } else { names.join(",") }
    );
    let (crs, axes) = collection_srs(state, g)?;
    let writer = ogc::gml::CollectionWriter::new(version.as_str(), NS_PREFIX, NS_URI, &describe, &srs_text(version, crs, axes), 3);
    // WFS 1.1 has no numberMatched: a hits answer reports the count as numberOfFeatures.
    let returned = if g.hits && version == Version::V1_1_0 { matched.unwrap_or(0) } else { returned };
    writer.header_paged(out, matched, returned, &stamp, paging.next.as_deref(), paging.previous.as_deref());
    for (layer, fields, features) in pages {
        let (crs, axes) = srs_of(g, layer)?;
        let mut map = CoordinateMap::new(layer.table.crs, crs, axes).map_err(|e| WfsError::new("InvalidParameterValue", "srsName", e.to_string()))?;
        let mut writer = ogc::gml::CollectionWriter::new(version.as_str(), NS_PREFIX, NS_URI, &describe, &srs_text(version, crs, axes), map.decimals);
        let names: Vec<&str> = fields.iter().map(|&i| layer.table.fields[i].name.as_str()).collect();
        for f in features {
            let values: Vec<(&str, &Value)> = fields.iter().zip(&names).map(|(&i, n)| (*n, &f.properties[i])).collect();
            let id = f.id.as_ref().map(Value::to_text).unwrap_or_default();
            let geometry = f.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok());
            map.run(|m| writer.feature(out, &layer.id, &id, &values, &layer.table.geometry_column, geometry.as_ref(), m));
        }
    }
    writer.trailer(out);
    Ok(())
}

/// WFS 1.0.0's GML 2: no counts in the document, `fid` attributes, `gml:coordinates`.
fn gml2(out: &mut Vec<u8>, state: &Caller, g: &GetFeature, pages: &Pages) -> Result<(), WfsError> {
    let describe = format!("{}/wfs?service=WFS&version=1.0.0&request=DescribeFeatureType&typeName={}", state.base, g.type_names.join(","));
    let (crs, _) = collection_srs(state, g)?;
    let header = ogc::gml::gml2::Gml2CollectionWriter::new(NS_PREFIX, NS_URI, &describe, &crs.short(), 3);
    header.header(out);
    for (layer, fields, features) in pages {
        let (crs, _) = srs_of(g, layer)?;
        // GML 2 coordinates are always easting (longitude) first.
        let mut map = CoordinateMap::new(layer.table.crs, crs, false).map_err(|e| WfsError::new("InvalidParameterValue", "srsName", e.to_string()))?;
        let mut writer = ogc::gml::gml2::Gml2CollectionWriter::new(NS_PREFIX, NS_URI, &describe, &crs.short(), map.decimals);
        let names: Vec<&str> = fields.iter().map(|&i| layer.table.fields[i].name.as_str()).collect();
        for f in features {
            let values: Vec<(&str, &Value)> = fields.iter().zip(&names).map(|(&i, n)| (*n, &f.properties[i])).collect();
            let id = f.id.as_ref().map(Value::to_text).unwrap_or_default();
            let geometry = f.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok());
            map.run(|m| writer.feature(out, &layer.id, &id, &values, &layer.table.geometry_column, geometry.as_ref(), m));
        }
    }
    header.trailer(out);
    Ok(())
}

/// GetFeatureById answers the feature itself, or 404 when there is none.
fn by_id(state: &Caller, version: Version, encoding: Encoding, g: &GetFeature, pages: Pages) -> Result<Response, WfsError> {
    if pages.iter().all(|p| p.2.is_empty()) {
        return Err(WfsError::new("NotFound", "id", "no feature with this id"));
    }
    Ok(collection(state, version, encoding, g, Some(1), pages, Paging::default()))
}
