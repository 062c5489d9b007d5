//! WFS 2.0.0 / 1.1.0 / 1.0.0 at `/wfs` and `/ows?SERVICE=WFS` (KVP): GetCapabilities,
//! DescribeFeatureType, GetFeature (GML 3.2, GML 3.1.1, GeoJSON; hits; paging; SRSNAME; FES
//! filters through the shared engine) and the GetFeatureById stored query.

mod exception;
mod get_feature;
mod transaction;

use axum::extract::{RawQuery};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ogc::crs::Crs;
use ogc::wfs::capabilities::{self, Capabilities, FeatureType};
use ogc::wfs::request::{Request, Version, WfsError, parse_kvp};

use std::sync::Arc;

use axum::extract::Extension;

use crate::access::Principal;
use crate::http::{AppState, Caller};
use crate::registry::Layer;
pub use exception::exception;

/// The namespace the feature types live in.
pub const NS_PREFIX: &str = "ossature";
pub const NS_URI: &str = "https://ossature.org/features";

/// What an XML request may add around its filter (query elements, sort keys, names).
const XML_ENVELOPE_BYTES: usize = 64 << 10;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/wfs", get(kvp).post(xml_post))
}

/// Serves an XML-encoded request (POST); the body size is capped by the HTTP layer.
pub async fn xml_post(state: Caller, principal: Option<Extension<Arc<Principal>>>, body: String) -> Response {
    let version_hint = if body.contains("http://www.opengis.net/wfs/2.0") { Version::V2_0_0 } else { Version::V1_1_0 };
    // A transaction carries features, not just a filter: only the reader's own bound applies.
    if ogc::wfs::transaction::is_transaction(&body) {
        return match ogc::wfs::transaction::parse(&body) {
            Ok(t) => transaction::transaction(&state, principal.as_deref().map(|p| &**p), t).await,
            Err(e) => exception(version_hint, &e),
        };
    }
    // Without transactions, a request document is its filter plus a few elements.
    let max = state.limits.filter_bytes + XML_ENVELOPE_BYTES;
    if body.len() > max {
        let e = WfsError::new("OperationParsingFailed", "request", format!("the request document is {} bytes, more than the {max} allowed", body.len()));
        return exception(version_hint, &e);
    }
    match ogc::wfs::xml_request::parse_xml(&body) {
        Ok(request) => serve(&state, request, &[]).await,
        Err(e) => exception(version_hint, &e),
    }
}

/// Serves a KVP request already known to be for WFS (also used by `/ows`).
pub async fn kvp(state: Caller, RawQuery(raw): RawQuery) -> Response {
    let pairs = crate::services::features::pairs(&raw);
    let version_hint = pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case("version")).and_then(|(_, v)| Version::parse(v)).unwrap_or(Version::V2_0_0);
    if let Some((_, f)) = pairs.iter().find(|(k, v)| k.eq_ignore_ascii_case("filter") && v.len() > state.limits.filter_bytes) {
        let e = WfsError::new("InvalidParameterValue", "filter", format!("the filter is {} bytes, more than the {} allowed", f.len(), state.limits.filter_bytes));
        return exception(version_hint, &e);
    }
    match parse_kvp(&pairs) {
        Ok(request) => serve(&state, request, &pairs).await,
        Err(e) => exception(version_hint, &e),
    }
}

/// Answers a parsed request; `pairs` (empty for POST) gives GetFeature its paging links.
async fn serve(state: &Caller, request: ogc::wfs::request::WfsRequest, pairs: &[(String, String)]) -> Response {
    let version = request.version;
    let result = match request.request {
        Request::GetCapabilities => Ok(xml(capabilities_document(state, version))),
        Request::DescribeFeatureType { type_names } => describe(state, version, &type_names),
        Request::GetFeature(g) => get_feature::get_feature(state, version, g, pairs).await,
        Request::GetPropertyValue { query, value_reference } => get_feature::get_property_value(state, version, query, &value_reference, pairs).await,
        Request::ListStoredQueries => Ok(xml(ogc::wfs::stored_queries::list_stored_queries(NS_PREFIX, NS_URI, &type_names(state)))),
        Request::DescribeStoredQueries { ids } => ogc::wfs::stored_queries::describe_stored_queries(NS_PREFIX, NS_URI, &type_names(state), &ids)
            .map(xml)
            .map_err(|e| WfsError::new("InvalidParameterValue", "storedQuery_Id", e)),
    };
    result.unwrap_or_else(|e| exception(version, &e))
}

fn type_names(state: &Caller) -> Vec<String> {
    state.view.layers.iter().map(|l| l.id.clone()).collect()
}

pub(crate) fn xml(body: String) -> Response {
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    res
}

/// The layer a (possibly prefixed) type name designates.
pub(crate) fn layer<'a>(state: &'a Caller, name: &str) -> Result<&'a std::sync::Arc<Layer>, WfsError> {
    let bare = name.rsplit(':').next().unwrap_or(name);
    state.view.layer(bare)
        .ok_or_else(|| WfsError::new("InvalidParameterValue", "typeNames", format!("no feature type '{name}'")))
}

fn capabilities_document(state: &Caller, version: Version) -> String {
    let service = super::service_metadata(state);
    let types: Vec<FeatureType> = state.view.layers.iter()
        .map(|l| FeatureType {
            name: l.id.clone(),
            title: l.title.clone(),
            abstract_: l.description.clone(),
            keywords: l.keywords.clone(),
            default_crs: l.table.crs,
            other_crs: l.crs.iter().copied().filter(|c| *c != l.table.crs && *c != Crs::Crs84).collect(),
            wgs84_bbox: l.extent,
            metadata_url: Some(crate::catalogue::layer_record_url(&state.base, &l.id)),
        })
        .collect();
    let endpoint = format!("{}/wfs", state.base);
    let caps = Capabilities {
        service: &service,
        endpoint: &endpoint,
        ns_prefix: NS_PREFIX,
        ns_uri: NS_URI,
        feature_types: &types,
        output_formats: get_feature::output_formats(version),
        max_features: state.limits.max_limit,
        transactional: state.view.layers.iter().any(|l| crate::services::features::editable(l)),
    };
    match version {
        Version::V2_0_0 => capabilities::wfs_2_0_0(&caps),
        Version::V1_1_0 => capabilities::wfs_1_1_0(&caps),
        Version::V1_0_0 => capabilities::wfs_1_0_0(&caps),
    }
}

fn describe(state: &Caller, version: Version, names: &[String]) -> Result<Response, WfsError> {
    let layers: Vec<&std::sync::Arc<Layer>> = if names.is_empty() {
        state.view.layers.iter().collect()
    } else {
        names.iter().map(|n| layer(state, n)).collect::<Result<_, _>>()?
    };
    let schemas: Vec<ogc::gml::FeatureTypeSchema> = layers
        .iter()
        .map(|l| ogc::gml::FeatureTypeSchema {
            name: l.id.clone(),
            fields: l.table.fields.iter().map(|f| (f.name.clone(), f.ty)).collect(),
            geometry_name: l.table.geometry_column.clone(),
            geometry_type: l.table.geometry_type.clone(),
        })
        .collect();
    let (gml, media) = match version {
        Version::V2_0_0 => (ogc::gml::GmlVersion::Gml32, "application/gml+xml; version=3.2"),
        Version::V1_1_0 => (ogc::gml::GmlVersion::Gml311, "text/xml; subtype=gml/3.1.1"),
        Version::V1_0_0 => (ogc::gml::GmlVersion::Gml2, "text/xml; subtype=gml/2.1.2"),
    };
    let mut res = xml(ogc::gml::describe_feature_type(gml, NS_PREFIX, NS_URI, &schemas));
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    Ok(res)
}
