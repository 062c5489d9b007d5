//! `/ows`: every OGC web service at one URL, chosen by the SERVICE parameter.

use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::get;
use ogc::wfs::request::{Version, WfsError};

use crate::http::{AppState, Caller};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/ows", get(ows))
}

async fn ows(state: Caller, query: RawQuery, headers: axum::http::HeaderMap) -> Response {
    let pairs = super::features::pairs(&query.0);
    let service = pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case("service")).map(|(_, v)| v.to_ascii_uppercase());
    match service.as_deref() {
        Some("WFS") => super::wfs::kvp(state, query).await,
        Some("WMTS") => super::wmts::kvp(state, query, headers).await,
        Some("WMS") => super::wms::kvp(state, query).await,
        Some("CSW") => super::csw::kvp(state, query).await,
        Some(other) => super::wfs::exception(Version::V2_0_0, &WfsError::new("InvalidParameterValue", "service", format!("service '{other}' is not offered here (WFS, WMS, WMTS, CSW)"))),
        None => super::wfs::exception(Version::V2_0_0, &WfsError::new("MissingParameterValue", "service", "the SERVICE parameter is required")),
    }
}
