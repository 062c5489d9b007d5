//! CSW errors and their encoding: an OWS 1.0.0 `ows:ExceptionReport` (CSW 2.0.2, 10.3.7), with
//! the OWS exception codes clients branch on and the parameter at fault as locator.

use crate::ows::{self, OwsVersion};

/// The OWS 1.0.0 exception codes CSW 2.0.2 uses (OWS 1.0.0 has no `OptionNotSupported`: an option
/// the catalogue does not offer is an `InvalidParameterValue` of the parameter that asks for it,
/// as pycsw answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionCode {
    MissingParameterValue,
    InvalidParameterValue,
    OperationNotSupported,
    VersionNegotiationFailed,
    NoApplicableCode,
}

impl ExceptionCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionCode::MissingParameterValue => "MissingParameterValue",
            ExceptionCode::InvalidParameterValue => "InvalidParameterValue",
            ExceptionCode::OperationNotSupported => "OperationNotSupported",
            ExceptionCode::VersionNegotiationFailed => "VersionNegotiationFailed",
            ExceptionCode::NoApplicableCode => "NoApplicableCode",
        }
    }

    /// The HTTP status the server should answer with: 400 for what the client got wrong,
    /// 501 for what it asked that is not implemented, 500 for the rest. (CSW 2.0.2 itself says
    /// nothing; OWS Common 2.0 gives these, and clients only look at the body.)
    pub fn http_status(self) -> u16 {
        match self {
            ExceptionCode::OperationNotSupported => 501,
            ExceptionCode::NoApplicableCode => 500,
            _ => 400,
        }
    }
}

/// A CSW exception: code, the parameter at fault, the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CswError {
    pub code: ExceptionCode,
    pub locator: Option<String>,
    pub message: String,
}

impl CswError {
    pub fn new(code: ExceptionCode, locator: &str, message: impl Into<String>) -> CswError {
        CswError { code, locator: (!locator.is_empty()).then(|| locator.to_string()), message: message.into() }
    }

    pub fn missing(locator: &str, message: impl Into<String>) -> CswError {
        CswError::new(ExceptionCode::MissingParameterValue, locator, message)
    }

    pub fn invalid(locator: &str, message: impl Into<String>) -> CswError {
        CswError::new(ExceptionCode::InvalidParameterValue, locator, message)
    }

    pub fn not_supported(locator: &str, message: impl Into<String>) -> CswError {
        CswError::new(ExceptionCode::OperationNotSupported, locator, message)
    }

    /// A failure of the server, not of the request (the message must not leak internals).
    pub fn internal(message: impl Into<String>) -> CswError {
        CswError::new(ExceptionCode::NoApplicableCode, "", message)
    }

    /// The `ows:ExceptionReport` (OWS 1.0.0, `version="2.0.2"`) for this error.
    pub fn report(&self) -> String {
        exception_report(self)
    }
}

/// Writes `error` as an OWS 1.0.0 exception report.
pub fn exception_report(error: &CswError) -> String {
    ows::exception_report(OwsVersion::V1_0_0, super::VERSION, error.code.as_str(), error.locator.as_deref(), &error.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ows::schema_check::validate;

    #[test]
    fn report_is_ows_1_0_and_valid() {
        let e = CswError::invalid("Constraint", "unknown queryable 'foo' < bar");
        let doc = e.report();
        assert!(doc.contains("xmlns:ows=\"http://www.opengis.net/ows\""));
        assert!(doc.contains("version=\"2.0.2\""));
        assert!(doc.contains("exceptionCode=\"InvalidParameterValue\" locator=\"Constraint\""));
        assert!(doc.contains("&lt; bar"));
        assert_eq!(e.code.http_status(), 400);
        validate(&doc, "ows/1.0.0/owsExceptionReport.xsd");
    }
}
