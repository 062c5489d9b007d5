//! The service layer's error type, and its mapping to the standards' error responses: every face
//! reports errors through here, so a status code means the same thing everywhere.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ogc::features::params::ParamError;
use ogc::problem::{MEDIA_TYPE, Problem};

use crate::edit::EditError;
use crate::raster::RasterError;
use crate::source::SourceError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Parameter(#[from] ParamError),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Raster(#[from] RasterError),
    #[error(transparent)]
    Edit(#[from] EditError),
    /// A refusal that a login may lift: 401 with the Basic challenge of the realm.
    #[error("{source}")]
    Challenge { challenge: HeaderValue, source: EditError },
    /// A request body that is not the document the operation takes (400).
    #[error("{0}")]
    Body(String),
    /// A write the layer accepts only with `If-Match` (428, RFC 6585).
    #[error("{0}")]
    PreconditionRequired(String),
}

impl ServiceError {
    pub fn param(name: &str, message: impl ToString) -> ServiceError {
        ServiceError::Parameter(ParamError::new(name, message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ServiceError::Parameter(_) => StatusCode::BAD_REQUEST,
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Source(e) => ServiceError::source_status(e),
            ServiceError::Raster(e) => raster_status(e),
            ServiceError::Body(_) => StatusCode::BAD_REQUEST,
            ServiceError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ServiceError::Challenge { .. } => StatusCode::UNAUTHORIZED,
            ServiceError::Edit(e) => match e {
                // The body parsed but the feature does not fit the collection (Part 4 leaves the
                // code open; 422 tells it apart from a malformed document).
                EditError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                EditError::Forbidden(_) => StatusCode::FORBIDDEN,
                EditError::LoginRequired(_) => StatusCode::UNAUTHORIZED,
                EditError::ReadOnly(_) => StatusCode::METHOD_NOT_ALLOWED,
                EditError::NotFound(_) => StatusCode::NOT_FOUND,
                EditError::Stale(_) => StatusCode::PRECONDITION_FAILED,
                EditError::Source(e) => ServiceError::source_status(e),
            },
        }
    }

    fn source_status(e: &SourceError) -> StatusCode {
        match e {
            SourceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            SourceError::Timeout => StatusCode::GATEWAY_TIMEOUT,
            // A filter naming an unknown property is the client's error.
            SourceError::Schema { .. } | SourceError::Unsupported(_) => StatusCode::BAD_REQUEST,
            SourceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem details; internal causes are logged, never sent.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %crate::registry::error_chain(self), "request failed");
        }
        Problem::new(status.as_u16(), self.to_string())
    }
}

/// The status every face gives a raster failure: a backend that cannot be read now is a 503
/// the client may retry; bad imagery is the server's fault.
pub fn raster_status(e: &RasterError) -> StatusCode {
    match e {
        RasterError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        RasterError::TooLarge(_) | RasterError::Crs(_) => StatusCode::BAD_REQUEST,
        RasterError::Data(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status = self.status();
        let mut res = (status, serde_json::to_string(&problem).unwrap_or_default()).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
        if let ServiceError::Challenge { challenge, .. } = &self {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, challenge.clone());
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        res
    }
}
