//! WMTS exceptions: the OWS code, the parameter at fault, and the HTTP status.

use crate::ows::{OwsVersion, exception_report};

/// The exception codes of WMTS 1.0.0 (OWS Common's plus the tile and pixel range codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionCode {
    OperationNotSupported,
    MissingParameterValue,
    InvalidParameterValue,
    VersionNegotiationFailed,
    TileOutOfRange,
    PointIJOutOfRange,
    NoApplicableCode,
}

impl ExceptionCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionCode::OperationNotSupported => "OperationNotSupported",
            ExceptionCode::MissingParameterValue => "MissingParameterValue",
            ExceptionCode::InvalidParameterValue => "InvalidParameterValue",
            ExceptionCode::VersionNegotiationFailed => "VersionNegotiationFailed",
            ExceptionCode::TileOutOfRange => "TileOutOfRange",
            ExceptionCode::PointIJOutOfRange => "PointIJOutOfRange",
            ExceptionCode::NoApplicableCode => "NoApplicableCode",
        }
    }

    /// The status WMTS 1.0.0 assigns (tables 21, 24 and 27 of OGC 07-057r7): every client
    /// error is a 400, including a tile outside its matrix (`TileOutOfRange` is not a 404),
    /// an unsupported operation is a 501, anything else a 500.
    pub fn http_status(self) -> u16 {
        match self {
            ExceptionCode::OperationNotSupported => 501,
            ExceptionCode::NoApplicableCode => 500,
            ExceptionCode::MissingParameterValue
            | ExceptionCode::InvalidParameterValue
            | ExceptionCode::VersionNegotiationFailed
            | ExceptionCode::TileOutOfRange
            | ExceptionCode::PointIJOutOfRange => 400,
        }
    }
}

/// A WMTS exception: code, the parameter at fault (its KVP name, as the standard's tables
/// give it), the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WmtsError {
    pub code: ExceptionCode,
    pub locator: Option<String>,
    pub message: String,
}

impl WmtsError {
    pub fn new(code: ExceptionCode, locator: &str, message: impl Into<String>) -> WmtsError {
        WmtsError { code, locator: (!locator.is_empty()).then(|| locator.to_string()), message: message.into() }
    }

    pub fn missing(locator: &str) -> WmtsError {
        WmtsError::new(ExceptionCode::MissingParameterValue, locator, format!("the {locator} parameter is required"))
    }

    pub fn invalid(locator: &str, message: impl Into<String>) -> WmtsError {
        WmtsError::new(ExceptionCode::InvalidParameterValue, locator, message)
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The `ows:ExceptionReport` (OWS 1.1) to send with [`WmtsError::http_status`].
    pub fn report(&self) -> String {
        exception_report(OwsVersion::V1_1_0, "1.0.0", self.code.as_str(), self.locator.as_deref(), &self.message)
    }
}
