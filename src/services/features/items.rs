//! `/collections/{id}/items` and `/collections/{id}/items/{featureId}`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use bytes::Bytes;
use chrono::{SecondsFormat, Utc};
use futures_util::StreamExt;
use ogc::crs::Crs;
use ogc::features::params::{FilterLang, ItemsParams, ParamError, parse_item};
use ogc::features::{GEOJSON, HTML};
use ogc::filter::{CompareOp, Expr, Filter, TemporalOp};
use ogc::link::Link;

use super::encode::FeatureEncoder;
use super::{find_layer, html, pairs};
use crate::error::ServiceError;
use crate::http::Caller;
use crate::http::negotiate::{Format, negotiate};
use crate::registry::Layer;
use crate::source::{Feature, Query};

/// Bytes buffered before a chunk is sent: large enough for few syscalls, small enough that a
/// whole-collection download stays flat in memory.
const CHUNK: usize = 64 * 1024;

fn offered(layer: &Layer, crs: Crs, param: &str) -> Result<Crs, ServiceError> {
    if layer.crs.contains(&crs) {
        Ok(crs)
    } else {
        let list: Vec<String> = layer.crs.iter().map(Crs::uri).collect();
        Err(ServiceError::param(param, format!("{} is not offered by this collection (offered: {})", crs.uri(), list.join(", "))))
    }
}

struct ItemsRequest {
    query: Query,
    limit: u64,
    offset: u64,
    crs: Crs,
    format: Format,
    /// Parameters to carry into next/prev links.
    carried: Vec<(String, String)>,
}

fn parse_request(state: &Caller, layer: &Layer, raw: &Option<String>, headers: &HeaderMap) -> Result<ItemsRequest, ServiceError> {
    let all = pairs(raw);
    let p = ItemsParams::parse(all.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let format = negotiate(p.format.as_deref(), headers)?;
    let crs = offered(layer, p.crs.unwrap_or(Crs::Crs84), "crs")?;
    let mut filters = Vec::new();
    if let Some(b) = &p.bbox {
        let bbox_crs = offered(layer, p.bbox_crs.unwrap_or(Crs::Crs84), "bbox-crs")?;
        filters.push(crate::bind::within_box(&layer.table, b, bbox_crs, true).map_err(|e| ServiceError::param("bbox", e))?);
    }
    // Features without temporal information are not excluded by `datetime` (OGC API Features
    // Part 1, 7.15.4): on a collection without a temporal field it selects everything.
    if let (Some(interval), Some(field)) = (p.datetime, &layer.table.temporal) {
        filters.push(Filter::Temporal { op: TemporalOp::Intersects, left: Expr::Property(field.name.clone()), right: Expr::Interval(interval) });
    }
    for (name, text) in &p.properties {
        let field = layer.table.field(name).ok_or_else(|| ParamError::new(name, "unknown parameter (not a queryable property of this collection)"))?;
        let value = field.ty.parse_literal(text).ok_or_else(|| ParamError::new(name, format!("'{text}' is not a valid value for this property")))?;
        filters.push(Filter::Compare { op: CompareOp::Eq, left: Expr::Property(field.name.clone()), right: Expr::Literal(value) });
    }
    if let Some(text) = &p.filter {
        if text.len() > state.limits.filter_bytes {
            return Err(ServiceError::param("filter", format!("longer than the {} bytes allowed", state.limits.filter_bytes)));
        }
        let parsed = match p.filter_lang {
            FilterLang::Cql2Text => ogc::filter::cql2_text::parse(text, p.filter_crs),
            FilterLang::Cql2Json => ogc::filter::cql2_json::parse(text, p.filter_crs),
        }
        .map_err(|e| ServiceError::param("filter", e))?;
        filters.push(crate::bind::bind(parsed, &layer.table, Crs::Crs84).map_err(|e| ServiceError::param("filter", e))?);
    }
    for (name, _) in &p.sortby {
        if layer.table.field(name).is_none() {
            return Err(ServiceError::param("sortby", format!("'{name}' is not a property of this collection")));
        }
    }
    let limit = p.limit.unwrap_or(state.limits.default_limit).min(state.limits.max_limit);
    let carried = all.into_iter().filter(|(k, _)| k != "offset" && k != "f").collect();
    Ok(ItemsRequest {
        // One more than asked: its presence says whether there is a next page.
        query: Query { filter: Filter::all(filters), sort: p.sortby.clone(), limit: Some(limit + 1), offset: p.offset, envelope: None, unordered: false, fields: None },
        limit,
        offset: p.offset,
        crs,
        format,
        carried,
    })
}

/// Where a page of items is, and how the pages around it are reached.
pub(crate) struct Page<'a> {
    /// Collection id and title.
    pub collection: (&'a str, &'a str),
    /// Query parameters carried into every page's link (all but `offset` and `f`).
    pub carried: &'a [(String, String)],
    pub offset: u64,
    pub limit: u64,
    pub has_next: bool,
}

impl Page<'_> {
    fn href(&self, state: &Caller, offset: u64, f: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.carried {
            q.append_pair(k, v);
        }
        if offset > 0 {
            q.append_pair("offset", &offset.to_string());
        }
        q.append_pair("f", f);
        format!("{}/collections/{}/items?{}", state.base, self.collection.0, q.finish())
    }

    /// self / alternate in JSON and HTML, next and prev in the page's format, the collection.
    pub(crate) fn links(&self, state: &Caller, format: Format) -> Vec<Link> {
        let (json_rel, html_rel) = if format == Format::Json { ("self", "alternate") } else { ("alternate", "self") };
        let mut links = vec![
            Link::new(self.href(state, self.offset, "json"), json_rel, GEOJSON, "This page as GeoJSON"),
            Link::new(self.href(state, self.offset, "html"), html_rel, HTML, "This page as HTML"),
        ];
        let (f, media) = if format == Format::Json { ("json", GEOJSON) } else { ("html", HTML) };
        if self.has_next {
            links.push(Link::new(self.href(state, self.offset + self.limit, f), "next", media, "Next page"));
        }
        if self.offset > 0 {
            links.push(Link::new(self.href(state, self.offset.saturating_sub(self.limit), f), "prev", media, "Previous page"));
        }
        links.push(Link::new(format!("{}/collections/{}?f=json", state.base, self.collection.0), "collection", "application/json", self.collection.1));
        links
    }
}

fn page_links(state: &Caller, layer: &Layer, req: &ItemsRequest, has_next: bool, format: Format) -> Vec<Link> {
    Page { collection: (&layer.id, &layer.title), carried: &req.carried, offset: req.offset, limit: req.limit, has_next }.links(state, format)
}

fn content_crs(res: &mut Response, crs: Crs) {
    if let Ok(v) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        res.headers_mut().insert("content-crs", v);
    }
}

pub async fn items(state: Caller, Path(id): Path<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let layer = find_layer(&state, &id)?.clone();
    let req = parse_request(&state, &layer, &raw, &headers)?;
    let mut encoder = FeatureEncoder::new(&layer.table, req.crs).map_err(|e| ServiceError::param("crs", e))?;
    // The count runs beside the features query, so a paged response waits for the slower of
    // the two rather than their sum. It is left to finish when not needed: cancelling a query
    // in flight would cost the pooled connection.
    let count = (req.format == Format::Json).then(|| {
        let (layer, filter, max) = (layer.clone(), req.query.filter.clone(), state.limits.exact_count_max);
        tokio::spawn(async move { layer.source.count(&layer.table, filter.as_ref(), max).await })
    });
    let mut stream = layer.source.features(layer.table.clone(), req.query.clone());
    // The first row is awaited before answering so a failing query gets its own status code
    // (503 when the database is down) instead of a truncated 200.
    let first = stream.next().await.transpose()?;
    if req.format == Format::Html {
        let mut features: Vec<Feature> = first.into_iter().collect();
        while let Some(f) = stream.next().await {
            features.push(f?);
        }
        let has_next = features.len() as u64 > req.limit;
        features.truncate(req.limit as usize);
        let links = page_links(&state, &layer, &req, has_next, Format::Html);
        return Ok(Html(html::items(&state, &layer, &features, &links, req.offset)).into_response());
    }
    let crs = req.crs;
    let body = async_stream::stream! {
        let mut buf = Vec::with_capacity(CHUNK + 4096);
        buf.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
        let mut returned = 0u64;
        let mut has_next = false;
        let mut pending = first;
        loop {
            let feature = match pending.take() {
                Some(f) => f,
                None => match stream.next().await {
                    Some(Ok(f)) => f,
                    Some(Err(e)) => {
                        tracing::error!(collection = %layer.id, error = %crate::registry::error_chain(&e), "feature stream failed");
                        yield Err(std::io::Error::other("feature stream failed"));
                        return;
                    }
                    None => break,
                },
            };
            if returned == req.limit {
                has_next = true;
                break;
            }
            if returned > 0 {
                buf.push(b',');
            }
            encoder.write(&mut buf, &feature);
            returned += 1;
            if buf.len() >= CHUNK {
                yield Ok::<Bytes, std::io::Error>(Bytes::from(std::mem::replace(&mut buf, Vec::with_capacity(CHUNK + 4096))));
            }
        }
        drop(stream);
        // Without a next page the count is known; otherwise it comes from the count query.
        let matched = match count {
            Some(task) if has_next => match task.await {
                Ok(Ok(n)) => n,
                Ok(Err(e)) => {
                    tracing::warn!(collection = %layer.id, error = %e, "numberMatched left out");
                    None
                }
                Err(_) => None,
            },
            Some(_) => Some(req.offset + returned),
            None => Some(req.offset + returned),
        };
        buf.extend_from_slice(format!(r#"],"numberReturned":{returned},"#).as_bytes());
        if let Some(m) = matched {
            buf.extend_from_slice(format!(r#""numberMatched":{m},"#).as_bytes());
        }
        let stamp = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let links = page_links(&state, &layer, &req, has_next, Format::Json);
        buf.extend_from_slice(format!(r#""timeStamp":"{stamp}","links":"#).as_bytes());
        buf.extend_from_slice(&serde_json::to_vec(&links).unwrap_or_else(|_| b"[]".to_vec()));
        buf.push(b'}');
        yield Ok(Bytes::from(buf));
    };
    let mut res = Response::new(Body::from_stream(body));
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
    content_crs(&mut res, crs);
    Ok(res)
}

pub async fn item(
    state: Caller,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ServiceError> {
    let layer = find_layer(&state, &id)?.clone();
    let (crs, f) = parse_item(pairs(&raw))?;
    let format = negotiate(f.as_deref(), &headers)?;
    let crs = offered(&layer, crs.unwrap_or(Crs::Crs84), "crs")?;
    let feature = layer
        .source
        .feature(layer.table.clone(), &fid)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("no feature '{fid}' in collection '{id}'")))?;
    let href = format!("{}/collections/{}/items/{}", state.base, layer.id, fid);
    let (json_rel, html_rel) = if format == Format::Json { ("self", "alternate") } else { ("alternate", "self") };
    let links = vec![
        Link::new(format!("{href}?f=json"), json_rel, GEOJSON, "This feature as GeoJSON"),
        Link::new(format!("{href}?f=html"), html_rel, HTML, "This feature as HTML"),
        Link::new(format!("{}/collections/{}?f=json", state.base, layer.id), "collection", "application/json", &layer.title),
    ];
    if format == Format::Html {
        return Ok(Html(html::item(&state, &layer, &feature, &links)).into_response());
    }
    let mut encoder = FeatureEncoder::new(&layer.table, crs).map_err(|e| ServiceError::param("crs", e))?;
    let mut buf = Vec::new();
    encoder.write(&mut buf, &feature);
    // Add the links member to the feature object.
    buf.pop();
    buf.extend_from_slice(br#","links":"#);
    buf.extend_from_slice(&serde_json::to_vec(&links).unwrap_or_else(|_| b"[]".to_vec()));
    buf.push(b'}');
    let mut res = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))],
        buf,
    )
        .into_response();
    content_crs(&mut res, crs);
    // The version the editing core checks `If-Match` against (Part 4).
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", crate::edit::version(&feature))) {
        res.headers_mut().insert(header::ETAG, v);
    }
    Ok(res)
}

/// Features of a page as a CRS84 GeoJSON FeatureCollection, for the HTML map preview.
pub(crate) fn preview_geojson(layer: &Arc<Layer>, features: &[Feature]) -> String {
    let mut buf = b"{\"type\":\"FeatureCollection\",\"features\":[".to_vec();
    if let Ok(mut encoder) = FeatureEncoder::new(&layer.table, Crs::Crs84) {
        for (i, f) in features.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            encoder.write(&mut buf, f);
        }
    }
    buf.extend_from_slice(b"]}");
    String::from_utf8(buf).unwrap_or_default()
}
