//! OGC API - Features, Parts 1 and 2: landing page, conformance, API definition, collections
//! and items, in JSON/GeoJSON and HTML.

pub(crate) mod edit;
pub(crate) mod encode;
pub(crate) mod html;
pub(crate) mod items;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use ogc::features::documents::{self, Collection};
use ogc::features::openapi::{self, ApiCollection, ApiLimits};
use ogc::features::params::ParamError;
use ogc::features::{JSON, OPENAPI_JSON};

use crate::error::ServiceError;
use crate::http::{AppState, Caller};
use crate::http::negotiate::{Format, negotiate};
use crate::registry::Layer;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(landing))
        .route("/conformance", get(conformance))
        .route("/api", get(api))
        .route("/collections", get(collections))
        .route("/collections/{id}", get(collection))
        .route("/collections/{id}/queryables", get(queryables))
        .route("/collections/{id}/items", get(items::items).post(edit::create))
        .route("/collections/{id}/items/{fid}", get(items::item).put(edit::replace).patch(edit::update).delete(edit::delete))
}

/// The query string as pairs, in order.
pub(crate) fn pairs(query: &Option<String>) -> Vec<(String, String)> {
    query.as_deref().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

/// Only `f` is accepted on metadata resources; anything else is an unknown parameter (400),
/// as OGC API Features requires.
pub(crate) fn format_only(query: &Option<String>, headers: &HeaderMap) -> Result<Format, ServiceError> {
    let pairs = pairs(query);
    if let Some((k, _)) = pairs.iter().find(|(k, _)| k != "f") {
        return Err(ParamError::new(k, "unknown parameter").into());
    }
    negotiate(pairs.iter().find(|(k, _)| k == "f").map(|(_, v)| v.as_str()), headers)
}

pub(crate) fn json_response(value: &serde_json::Value, media_type: &'static str) -> Response {
    let mut res = axum::Json(value).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    res
}

pub(crate) fn collection_info(layer: &Layer) -> Collection {
    Collection {
        id: layer.id.clone(),
        title: layer.title.clone(),
        description: layer.description.clone(),
        keywords: layer.keywords.clone(),
        extent: layer.extent,
        temporal: layer.table.temporal_extent,
        crs: layer.crs.clone(),
        storage_crs: layer.table.crs,
    }
}

/// Whether the caller may change features of the layer (Part 4 is declared only then).
pub(crate) fn editable(layer: &Layer) -> bool {
    layer.grant.as_ref().is_some_and(|g| g.write.is_some())
}

pub(crate) fn find_layer<'a>(state: &'a Caller, id: &str) -> Result<&'a std::sync::Arc<Layer>, ServiceError> {
    state.view.layer(id).ok_or_else(|| {
        // GDAL's OAPIF driver asks every listed collection for items, imagery included.
        ServiceError::NotFound(match state.view.raster(id) {
            Some(_) => format!("collection '{id}' is imagery: it has map tiles, not features"),
            None => format!("no collection '{id}'"),
        })
    })
}

fn service_title(state: &Caller) -> (String, String) {
    (
        state.service.title.clone().unwrap_or_else(|| "Ossature".to_string()),
        state.service.abstract_.clone().unwrap_or_default(),
    )
}

async fn landing(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let (title, description) = service_title(&state);
    let doc = documents::landing(&state.base, &title, &description, format == Format::Json);
    Ok(match format {
        Format::Json => json_response(&doc, JSON),
        Format::Html => Html(html::landing(&state, &doc)).into_response(),
    })
}

async fn conformance(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let mut doc = documents::conformance(&state.base, format == Format::Json);
    if !state.view.raster_grants.is_empty()
        && let Some(classes) = doc["conformsTo"].as_array_mut()
    {
        classes.extend(ogc::tiles::conformance::MAP_TILES.iter().map(|c| serde_json::Value::from(*c)));
    }
    if let Some(classes) = doc["conformsTo"].as_array_mut() {
        classes.extend(ogc::records::CONFORMANCE.iter().map(|c| serde_json::Value::from(*c)));
        if state.view.layers.iter().any(|l| editable(l)) {
            classes.extend(ogc::features::EDIT_CONFORMANCE.iter().map(|c| serde_json::Value::from(*c)));
        }
    }
    if !state.view.layers.is_empty()
        && let Some(classes) = doc["conformsTo"].as_array_mut()
    {
        for c in ogc::tiles::conformance::VECTOR_TILES {
            if !classes.iter().any(|x| x == c) {
                classes.push(serde_json::Value::from(*c));
            }
        }
    }
    Ok(match format {
        Format::Json => json_response(&doc, JSON),
        Format::Html => Html(html::conformance(&state, &doc)).into_response(),
    })
}

async fn api(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let infos: Vec<Collection> = state.view.layers.iter().map(|l| collection_info(l)).collect();
    let described: Vec<ApiCollection> = state.view.layers.iter()
        .zip(&infos)
        .map(|(l, c)| ApiCollection {
            collection: c,
            queryables: l.table.fields.iter().map(|f| (f.name.clone(), f.ty)).collect(),
        })
        .collect();
    let (title, description) = service_title(&state);
    let limits = ApiLimits { default_limit: state.limits.default_limit, max_limit: state.limits.max_limit };
    let mut doc = openapi::document(&state.base, &title, &description, &described, &limits);
    for l in state.view.layers.iter().filter(|l| editable(l)) {
        openapi::editable(&mut doc, &l.id, l.require_if_match);
    }
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.extend(ogc::records::documents::openapi_paths(crate::catalogue::COLLECTION_ID, state.limits.default_limit, state.view.catalogue.limits.max_records));
        // The caller's layers only: the definition must not name a layer the view hides.
        let layers: Vec<&str> = state.view.layers.iter().map(|l| l.id.as_str()).collect();
        let sets: Vec<&str> = crate::vtiles::tile_matrix_sets().iter().map(|s| s.id.as_str()).collect();
        paths.extend(ogc::tiles::openapi::vector_paths(&layers, &sets));
        let mut map_sets: Vec<&str> = ogc::tms::WELL_KNOWN.to_vec();
        for r in state.view.rasters() {
            let offered: Vec<&str> = r.tile_matrix_sets.iter().map(|s| s.id.as_str()).collect();
            paths.extend(ogc::tiles::openapi::map_paths(&r.id, &offered, &r.formats));
            map_sets.push(r.native.id.as_str());
        }
        map_sets.sort_unstable();
        map_sets.dedup();
        paths.extend(ogc::tiles::openapi::tile_matrix_set_paths(&map_sets));
    }
    Ok(match format {
        Format::Json => json_response(&doc, OPENAPI_JSON),
        Format::Html => Html(html::api(&state, &doc)).into_response(),
    })
}

async fn collections(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let infos: Vec<Collection> = state.view.layers.iter().map(|l| collection_info(l)).collect();
    let mut doc = documents::collections(&state.base, &infos, format == Format::Json);
    if let Some(all) = doc["collections"].as_array_mut() {
        all.extend(state.view.rasters().map(|l| ogc::tiles::map_collection(&state.base, &l.id, &l.title, &l.description, &l.keywords, &l.extent)));
        all.push(super::records::collection_document(&state, true));
    }
    Ok(match format {
        Format::Json => json_response(&doc, JSON),
        Format::Html => Html(html::collections(&state, &infos)).into_response(),
    })
}

async fn collection(state: Caller, Path(id): Path<String>, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    if let Some(l) = state.view.raster(&id) {
        let doc = ogc::tiles::map_collection(&state.base, &l.id, &l.title, &l.description, &l.keywords, &l.extent);
        return Ok(match format {
            Format::Json => json_response(&doc, JSON),
            Format::Html => Html(html::map_collection(&state, l)).into_response(),
        });
    }
    let layer = find_layer(&state, &id)?;
    let info = collection_info(layer);
    let doc = documents::collection(&state.base, &info, format == Format::Json);
    Ok(match format {
        Format::Json => json_response(&doc, JSON),
        Format::Html => Html(html::collection(&state, layer, &info)).into_response(),
    })
}

const QUERYABLES_INTRO: &str = "Properties usable in <code>filter</code> (CQL2) and as <code>name=value</code> parameters.";

async fn queryables(state: Caller, Path(id): Path<String>, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let layer = find_layer(&state, &id)?;
    let format = format_only(&q, &headers)?;
    let fields: Vec<(String, ogc::value::FieldType)> = layer.table.fields.iter().map(|f| (f.name.clone(), f.ty)).collect();
    let doc = documents::queryables(&state.base, &collection_info(layer), &fields, (&layer.table.geometry_column, &layer.table.geometry_type));
    Ok(match format {
        Format::Json => json_response(&doc, "application/schema+json"),
        Format::Html => Html(html::queryables(&state, &layer.id, &layer.title, QUERYABLES_INTRO, &doc)).into_response(),
    })
}
