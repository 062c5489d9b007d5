//! The OpenAPI 3.0 definition of the API, generated from the collections actually served so that
//! every collection path and every parameter it accepts is described.

use serde_json::{Map, Value, json};

use super::documents::Collection;
use crate::crs::Crs;
use crate::value::FieldType;

/// A collection as the API definition describes it.
pub struct ApiCollection<'a> {
    pub collection: &'a Collection,
    /// Fields that can be used as `name=value` filters.
    pub queryables: Vec<(String, FieldType)>,
}

pub struct ApiLimits {
    pub default_limit: u64,
    pub max_limit: u64,
}

fn param_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// The responses of a GET: `ok_description` in the `media` types, and the problem responses.
pub(crate) fn responses(ok_description: &str, media: &[&str]) -> Value {
    let content: Map<String, Value> = media.iter().map(|m| (m.to_string(), json!({ "schema": { "type": "object" } }))).collect();
    json!({
        "200": { "description": ok_description, "content": content },
        "400": { "$ref": "#/components/responses/BadRequest" },
        "404": { "$ref": "#/components/responses/NotFound" },
        "500": { "$ref": "#/components/responses/ServerError" },
    })
}

fn get(summary: &str, operation_id: &str, tag: &str, params: Vec<Value>, ok: &str, media: &[&str]) -> Value {
    get_with(summary, operation_id, tag, params, responses(ok, media))
}

/// A path item with one GET operation answering `responses`.
pub(crate) fn get_with(summary: &str, operation_id: &str, tag: &str, params: Vec<Value>, responses: Value) -> Value {
    json!({ "get": {
        "summary": summary,
        "operationId": operation_id,
        "tags": [tag],
        "parameters": params,
        "responses": responses,
    }})
}

/// Adds the Part 4 operations of an editable collection to `doc`'s paths: POST on items, PUT,
/// PATCH and DELETE on an item, with the ETag / If-Match exchange; `require_if_match`: the
/// collection refuses changes without it (428), which clients generated from the document
/// must know to send the header.
pub fn editable(doc: &mut Value, id: &str, require_if_match: bool) {
    let op = id.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' }).collect::<String>();
    let feature_body = |media: &str| json!({ "required": true, "content": { media: { "schema": { "type": "object" } } } });
    let if_match_description = match require_if_match {
        true => "The feature's ETag, required (428 without it or with `*`): the write is refused (412) when the feature has changed since.",
        false => "The feature's ETag: the write is refused (412) when the feature has changed since.",
    };
    let if_match = json!({ "name": "If-Match", "in": "header", "required": require_if_match,
        "description": if_match_description, "schema": { "type": "string" } });
    let status = |code: &str, description: &str| (code.to_string(), json!({ "description": description }));
    let refusals = [
        status("400", "The body is not a GeoJSON feature."),
        status("401", "Log in to edit."),
        status("403", "Your rights do not allow this edit."),
        status("422", "The feature does not fit the collection's schema."),
    ];
    let operation = |summary: String, op_id: String, body: Option<Value>, params: Vec<Value>, ok: (String, Value)| {
        let mut responses: Map<String, Value> = refusals.iter().cloned().collect();
        responses.insert(ok.0, ok.1);
        let mut o = json!({ "summary": summary, "operationId": op_id, "tags": [id], "parameters": params, "responses": responses });
        if let Some(b) = body {
            o["requestBody"] = b;
        }
        o
    };
    if let Some(items) = doc["paths"].get_mut(format!("/collections/{id}/items")) {
        items["post"] = operation(
            format!("Add a feature to {id}"),
            format!("createFeature_{op}"),
            Some(feature_body(super::GEOJSON)),
            vec![],
            status("201", "Created; Location gives the new feature."),
        );
    }
    if let Some(item) = doc["paths"].get_mut(format!("/collections/{id}/items/{{featureId}}")) {
        let params = vec![param_ref("featureId"), if_match.clone()];
        let mut stale: Map<String, Value> = Map::new();
        stale.insert("412".into(), json!({ "description": "The feature changed since the ETag given in If-Match." }));
        if require_if_match {
            stale.insert("428".into(), json!({ "description": "If-Match with the feature's ETag is required to change this collection's features." }));
        }
        item["put"] = operation(format!("Replace a feature of {id}"), format!("replaceFeature_{op}"), Some(feature_body(super::GEOJSON)), params.clone(), status("204", "Replaced."));
        item["patch"] = operation(format!("Update a feature of {id}"), format!("updateFeature_{op}"), Some(feature_body(super::MERGE_PATCH_JSON)), params.clone(), status("204", "Updated."));
        item["delete"] = operation(format!("Delete a feature of {id}"), format!("deleteFeature_{op}"), None, params, status("204", "Deleted."));
        for verb in ["put", "patch", "delete"] {
            if let Some(r) = item[verb]["responses"].as_object_mut() {
                r.extend(stale.clone());
            }
        }
    }
}

pub fn document(base: &str, title: &str, description: &str, collections: &[ApiCollection], limits: &ApiLimits) -> Value {
    const JSON_HTML: &[&str] = &["application/json", "text/html"];
    const GEO: &[&str] = &["application/geo+json", "text/html"];
    let mut paths = Map::new();
    paths.insert("/".into(), get("Landing page", "getLandingPage", "Capabilities", vec![param_ref("f")], "The landing page", JSON_HTML));
    paths.insert(
        "/conformance".into(),
        get("Conformance classes", "getConformance", "Capabilities", vec![param_ref("f")], "The conformance classes", JSON_HTML),
    );
    paths.insert(
        "/api".into(),
        get("This API definition", "getApi", "Capabilities", vec![param_ref("f")], "The OpenAPI definition", &[super::OPENAPI_JSON, "text/html"]),
    );
    paths.insert(
        "/collections".into(),
        get("The feature collections", "getCollections", "Capabilities", vec![param_ref("f")], "The collections", JSON_HTML),
    );
    for ac in collections {
        let c = ac.collection;
        let id = &c.id;
        // operationIds must be unique and are often used as identifiers: keep them to [A-Za-z0-9_].
        let op = id.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' }).collect::<String>();
        paths.insert(
            format!("/collections/{id}"),
            get(&format!("Describe {}", c.title), &format!("describeCollection_{op}"), id, vec![param_ref("f")], "The collection", JSON_HTML),
        );
        let crs_values: Vec<String> = c.crs.iter().map(Crs::uri).collect();
        let crs_param = |name: &str, description: &str| {
            json!({
                "name": name, "in": "query", "required": false, "style": "form", "explode": false,
                "description": description,
                "schema": { "type": "string", "format": "uri", "enum": crs_values, "default": Crs::Crs84.uri() },
            })
        };
        let mut params = vec![
            param_ref("f"),
            param_ref("bbox"),
            crs_param("bbox-crs", "The CRS of the bbox parameter (default CRS84)."),
            crs_param("crs", "The CRS of the returned geometries (default CRS84)."),
            param_ref("limit"),
            param_ref("offset"),
            param_ref("datetime"),
            param_ref("filter"),
            param_ref("filter-lang"),
            crs_param("filter-crs", "The CRS of geometries in the filter (default CRS84)."),
            param_ref("sortby"),
        ];
        for (name, t) in &ac.queryables {
            params.push(json!({
                "name": name, "in": "query", "required": false, "style": "form", "explode": false,
                "description": format!("Only features whose '{name}' equals this value."),
                "schema": t.json_schema(),
            }));
        }
        paths.insert(
            format!("/collections/{id}/items"),
            get(&format!("Features of {}", c.title), &format!("getFeatures_{op}"), id, params, "The features", GEO),
        );
        paths.insert(
            format!("/collections/{id}/queryables"),
            get(&format!("Queryables of {}", c.title), &format!("getQueryables_{op}"), id, vec![param_ref("f")], "The queryables (JSON Schema)", &["application/schema+json", "text/html"]),
        );
        let item_crs = crs_param("crs", "The CRS of the returned geometry (default CRS84).");
        paths.insert(
            format!("/collections/{id}/items/{{featureId}}"),
            get(
                &format!("One feature of {}", c.title),
                &format!("getFeature_{op}"),
                id,
                vec![param_ref("featureId"), param_ref("f"), item_crs],
                "The feature",
                GEO,
            ),
        );
    }
    let error_response = |description: &str| {
        json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
    };
    json!({
        "openapi": "3.0.3",
        "info": { "title": title, "description": description, "version": env!("CARGO_PKG_VERSION") },
        "servers": [{ "url": base }],
        "paths": paths,
        "components": {
            "parameters": {
                "f": { "name": "f", "in": "query", "required": false, "description": "The encoding of the response (overrides the Accept header).",
                       "schema": { "type": "string", "enum": ["json", "html"] } },
                "bbox": { "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                          "description": "Only features intersecting this box: minx,miny,maxx,maxy (in bbox-crs, CRS84 by default).",
                          "schema": { "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } } },
                "limit": { "name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                           "description": "The number of features per page (larger values are capped at the maximum).",
                           "schema": { "type": "integer", "minimum": 1, "maximum": limits.max_limit, "default": limits.default_limit } },
                "offset": { "name": "offset", "in": "query", "required": false, "description": "The number of features to skip (used by next/prev links).",
                            "schema": { "type": "integer", "minimum": 0, "default": 0 } },
                "datetime": { "name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
                              "description": "An instant or interval (RFC 3339, '..' for an open end) the features' temporal field must fall in; features of collections without temporal information are not excluded.",
                              "schema": { "type": "string" } },
                "filter": { "name": "filter", "in": "query", "required": false,
                            "description": "A CQL2 filter (OGC API Features Part 3) on the queryables.", "schema": { "type": "string" } },
                "filter-lang": { "name": "filter-lang", "in": "query", "required": false, "description": "The language of filter.",
                                 "schema": { "type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text" } },
                "sortby": { "name": "sortby", "in": "query", "required": false, "style": "form", "explode": false,
                            "description": "Sort keys: property names, '-' prefix for descending.",
                            "schema": { "type": "array", "items": { "type": "string" } } },
                "featureId": { "name": "featureId", "in": "path", "required": true, "description": "The feature identifier.",
                               "schema": { "type": "string" } },
            },
            "schemas": {
                "Problem": { "type": "object", "properties": {
                    "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" } } },
            },
            "responses": {
                "BadRequest": error_response("The request is malformed; the detail names the parameter."),
                "NotFound": error_response("The resource does not exist."),
                "ServerError": error_response("A server error occurred."),
            },
        },
    })
}
