//! WFS errors as the version's exception report, with the HTTP status OWS Common 2.0 gives
//! each exception code.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ogc::ows::{OwsVersion, exception_report, service_exception_report};
use ogc::wfs::request::{Version, WfsError};

pub fn exception(version: Version, e: &WfsError) -> Response {
    let status = match e.code {
        "OperationNotSupported" | "OptionNotSupported" => StatusCode::NOT_IMPLEMENTED,
        "NoApplicableCode" => StatusCode::INTERNAL_SERVER_ERROR,
        "ServiceUnavailable" => StatusCode::SERVICE_UNAVAILABLE,
        "NotFound" => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    let locator = e.locator.as_deref();
    let body = match version {
        Version::V2_0_0 => exception_report(OwsVersion::V1_1_0, "2.0.0", e.code, locator, &e.message),
        Version::V1_1_0 => exception_report(OwsVersion::V1_0_0, "1.1.0", e.code, locator, &e.message),
        Version::V1_0_0 => service_exception_report(e.code, locator, &e.message),
    };
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    res
}

/// A failure of the data source as a WFS exception; internal details are logged, not sent.
pub fn from_service(e: crate::error::ServiceError) -> WfsError {
    let status = e.status();
    let problem = e.problem();
    let code = match status {
        StatusCode::SERVICE_UNAVAILABLE => "ServiceUnavailable",
        StatusCode::BAD_REQUEST => "InvalidParameterValue",
        StatusCode::NOT_FOUND => "NotFound",
        _ => "NoApplicableCode",
    };
    WfsError::new(code, "", problem.detail)
}
