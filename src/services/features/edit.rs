//! OGC API Features Part 4: POST on items, PUT / PATCH (JSON merge patch) / DELETE on an item,
//! with the feature's version as ETag and `If-Match` checked by the editing core.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ogc::crs::Crs;
use serde_json::Value as Json;

use super::find_layer;
use crate::access::Principal;
use crate::edit::{Edit, EditError, Editor, Given, Proposed};
use crate::error::ServiceError;
use crate::http::Caller;

type Who = Option<Extension<Arc<Principal>>>;

/// POST: one GeoJSON feature (201 with its Location and ETag), or a FeatureCollection inserted
/// in one transaction (201 with the new ids; any invalid feature inserts none).
pub async fn create(state: Caller, who: Who, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<Response, ServiceError> {
    let layer = editable_layer(&state, &who, &id)?;
    let crs = content_crs(&layer, &headers)?;
    let doc = json_body(&body)?;
    let features: Vec<&Json> = match doc["type"].as_str() {
        Some("Feature") => vec![&doc],
        Some("FeatureCollection") => doc["features"].as_array().map(|a| a.iter().collect()).ok_or_else(|| body_error("a FeatureCollection needs a \"features\" array"))?,
        _ => return Err(body_error("the body must be a GeoJSON Feature or FeatureCollection")),
    };
    let edits = features.into_iter().map(|f| proposed(f, crs, false).map(Edit::Insert)).collect::<Result<Vec<_>, _>>()?;
    let done = apply(&state, &who, &layer, &edits).await?;
    let href = |fid: &str| format!("{}/collections/{}/items/{fid}", state.base, layer.id);
    let mut res = match doc["type"].as_str() {
        Some("Feature") => {
            let mut res = StatusCode::CREATED.into_response();
            header_value(&mut res, header::LOCATION, &href(&done[0].id));
            if let Some(v) = &done[0].version {
                header_value(&mut res, header::ETAG, &format!("\"{v}\""));
            }
            res
        }
        _ => {
            let ids: Vec<Json> = done.iter().map(|d| serde_json::json!({ "id": d.id, "href": href(&d.id) })).collect();
            (StatusCode::CREATED, axum::Json(serde_json::json!({ "created": ids }))).into_response()
        }
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// PUT: the feature replaced whole.
pub async fn replace(state: Caller, who: Who, Path((id, fid)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Result<Response, ServiceError> {
    let layer = editable_layer(&state, &who, &id)?;
    let version = if_match(&layer, &fid, &headers)?;
    let doc = json_body(&body)?;
    if doc["type"] != "Feature" {
        return Err(body_error("the body must be a GeoJSON Feature"));
    }
    let with = proposed(&doc, content_crs(&layer, &headers)?, false)?;
    let done = apply(&state, &who, &layer, &[Edit::Replace { id: fid, with, version }]).await?;
    Ok(changed(done.first().and_then(|d| d.version.as_deref())))
}

/// PATCH: a JSON merge patch (RFC 7396) of the feature: the properties it names are set (null
/// clears), the geometry when it has one.
pub async fn update(state: Caller, who: Who, Path((id, fid)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Result<Response, ServiceError> {
    let layer = editable_layer(&state, &who, &id)?;
    let version = if_match(&layer, &fid, &headers)?;
    let doc = json_body(&body)?;
    let with = proposed(&doc, content_crs(&layer, &headers)?, true)?;
    let done = apply(&state, &who, &layer, &[Edit::Update { id: fid, with, version }]).await?;
    Ok(changed(done.first().and_then(|d| d.version.as_deref())))
}

pub async fn delete(state: Caller, who: Who, Path((id, fid)): Path<(String, String)>, headers: HeaderMap) -> Result<Response, ServiceError> {
    let layer = editable_layer(&state, &who, &id)?;
    let version = if_match(&layer, &fid, &headers)?;
    apply(&state, &who, &layer, &[Edit::Delete { id: fid, version }]).await?;
    Ok(changed(None))
}

/// The layer, once the caller is known to have a write right on it.
fn editable_layer(state: &Caller, who: &Who, id: &str) -> Result<Arc<crate::registry::Layer>, ServiceError> {
    let layer = find_layer(state, id)?.clone();
    let name = who.as_ref().and_then(|p| p.name.as_deref());
    crate::edit::writable(&layer, &Editor { name }).map_err(|e| login_prompt(state, e))?;
    Ok(layer)
}

async fn apply(state: &Caller, who: &Who, layer: &crate::registry::Layer, edits: &[Edit]) -> Result<Vec<crate::edit::Done>, ServiceError> {
    let name = who.as_ref().and_then(|p| p.name.as_deref());
    crate::edit::apply(&state.registry, layer, &Editor { name }, edits).await.map_err(|e| login_prompt(state, e))
}

/// A refusal an anonymous caller gets carries the Basic challenge, so clients prompt.
fn login_prompt(state: &Caller, e: EditError) -> ServiceError {
    if let (EditError::LoginRequired(_), Some(challenge)) = (&e, state.access.challenge()) {
        return ServiceError::Challenge { challenge, source: e };
    }
    e.into()
}

fn changed(version: Option<&str>) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(v) = version {
        header_value(&mut res, header::ETAG, &format!("\"{v}\""));
    }
    res
}

fn header_value(res: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, v);
    }
}

/// The version `If-Match` names (`*` or none: any version). A layer that requires it answers
/// both with 428: `*` matches every version, so it would not keep a client from overwriting a
/// change it has not seen, which is what the requirement is for.
fn if_match(layer: &crate::registry::Layer, fid: &str, headers: &HeaderMap) -> Result<Option<String>, ServiceError> {
    let given = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(str::trim);
    let version = given.filter(|v| *v != "*").map(|v| v.trim_start_matches("W/").trim_matches('"').to_string());
    if layer.require_if_match && version.is_none() {
        return Err(ServiceError::PreconditionRequired(format!(
            "collection '{}' accepts changes only with If-Match naming the feature's ETag (not '*'): read /collections/{}/items/{fid} and send its ETag back",
            layer.id, layer.id
        )));
    }
    Ok(version)
}

/// The CRS of the body's geometries: `Content-Crs` (Part 2), CRS84 by default.
fn content_crs(layer: &crate::registry::Layer, headers: &HeaderMap) -> Result<Crs, ServiceError> {
    let Some(v) = headers.get("content-crs") else { return Ok(Crs::Crs84) };
    let text = v.to_str().map_err(|_| ServiceError::param("Content-Crs", "not text"))?.trim().trim_start_matches('<').trim_end_matches('>');
    let crs = Crs::parse(text).map_err(|e| ServiceError::param("Content-Crs", e))?;
    match layer.crs.contains(&crs) {
        true => Ok(crs),
        false => Err(ServiceError::param("Content-Crs", format!("{} is not offered by this collection", crs.uri()))),
    }
}

fn json_body(body: &[u8]) -> Result<Json, ServiceError> {
    serde_json::from_slice(body).map_err(|e| body_error(format!("the body is not valid JSON: {e}")))
}

fn body_error(m: impl Into<String>) -> ServiceError {
    ServiceError::Body(m.into())
}

/// A GeoJSON feature (or a merge patch of one) as the core's proposal. Coordinates are in the
/// content CRS, easting first as GeoJSON writes them.
fn proposed(f: &Json, crs: Crs, patch: bool) -> Result<Proposed, ServiceError> {
    let properties = match &f["properties"] {
        Json::Object(m) => m.iter().map(|(k, v)| (k.clone(), Given::Json(v.clone()))).collect(),
        Json::Null if !patch || f.get("properties").is_none() => Vec::new(),
        _ => return Err(body_error("\"properties\" must be an object")),
    };
    let geometry = match f.get("geometry") {
        None if patch => None,
        None | Some(Json::Null) => Some(None),
        Some(g) => Some(Some(ogc::filter::cql2_json::geometry(g).map_err(|e| body_error(e.to_string()))?)),
    };
    Ok(Proposed { properties, geometry, crs, authority_axes: false })
}
