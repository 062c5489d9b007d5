//! WMS exceptions: the code, the parameter at fault, the message, the HTTP status, and the
//! ServiceExceptionReport of each version.
//!
//! ## HTTP status
//!
//! Neither WMS 1.1.1 nor 1.3.0 pairs exceptions with HTTP statuses; they only fix the media
//! type of the report. GeoServer and MapServer both answer WMS exceptions with **200** by default
//! (MapServer's 4xx/5xx statuses are opt-in through `MS_WMS_ERROR_STATUS_CODE`, GeoServer Cloud's
//! through `W3CSTATUS=true`), the INSPIRE view-service validator expects 200 for a valid report,
//! and desktop clients (MapInfo, older ArcGIS and QGIS builds, TerriaJS) only read the report
//! body of a 200 answer. So [`WmsError::http_status`] is 200 for every code, and
//! [`WmsError::error_status`] gives the status an operator who wants HTTP-level monitoring can
//! opt into (400 for a client mistake, 501 for an unsupported operation, 500 otherwise).

use quick_xml::events::{BytesText, Event};

use super::version::Version;
use crate::ows::xml;

/// The exception codes of WMS 1.3.0 (Annex E, table E.1) and 1.1.1 (Annex A.3), plus the two
/// OWS codes GeoServer and MapServer use for malformed parameters, which clients display as-is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionCode {
    InvalidFormat,
    /// `InvalidCRS` in 1.3.0, `InvalidSRS` in 1.1.1.
    InvalidCrs,
    LayerNotDefined,
    StyleNotDefined,
    LayerNotQueryable,
    InvalidPoint,
    CurrentUpdateSequence,
    InvalidUpdateSequence,
    MissingDimensionValue,
    InvalidDimensionValue,
    OperationNotSupported,
    MissingParameterValue,
    InvalidParameterValue,
    /// A failure of the server itself: written without a `code` attribute, which both versions
    /// define as "no specific code".
    NoApplicableCode,
}

impl ExceptionCode {
    /// The code as the version spells it; `None` for [`ExceptionCode::NoApplicableCode`].
    pub fn as_str(self, version: Version) -> Option<&'static str> {
        Some(match self {
            ExceptionCode::InvalidFormat => "InvalidFormat",
            ExceptionCode::InvalidCrs => match version {
                Version::V1_3_0 => "InvalidCRS",
                Version::V1_1_1 => "InvalidSRS",
            },
            ExceptionCode::LayerNotDefined => "LayerNotDefined",
            ExceptionCode::StyleNotDefined => "StyleNotDefined",
            ExceptionCode::LayerNotQueryable => "LayerNotQueryable",
            ExceptionCode::InvalidPoint => "InvalidPoint",
            ExceptionCode::CurrentUpdateSequence => "CurrentUpdateSequence",
            ExceptionCode::InvalidUpdateSequence => "InvalidUpdateSequence",
            ExceptionCode::MissingDimensionValue => "MissingDimensionValue",
            ExceptionCode::InvalidDimensionValue => "InvalidDimensionValue",
            ExceptionCode::OperationNotSupported => "OperationNotSupported",
            ExceptionCode::MissingParameterValue => "MissingParameterValue",
            ExceptionCode::InvalidParameterValue => "InvalidParameterValue",
            ExceptionCode::NoApplicableCode => return None,
        })
    }

    /// See the module documentation: the opt-in status, not the default one.
    pub fn error_status(self) -> u16 {
        match self {
            ExceptionCode::OperationNotSupported => 501,
            ExceptionCode::NoApplicableCode => 500,
            // CurrentUpdateSequence is "nothing new" rather than a mistake, but 304 cannot carry
            // the report and was not asked for by a conditional request: 400 like the others.
            _ => 400,
        }
    }
}

/// A WMS exception: code, the parameter at fault (its KVP name in capitals, as the standard
/// writes it), the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WmsError {
    pub code: ExceptionCode,
    pub locator: Option<String>,
    pub message: String,
}

impl WmsError {
    pub fn new(code: ExceptionCode, locator: &str, message: impl Into<String>) -> WmsError {
        WmsError { code, locator: (!locator.is_empty()).then(|| locator.to_string()), message: message.into() }
    }

    pub fn missing(locator: &str) -> WmsError {
        WmsError::new(ExceptionCode::MissingParameterValue, locator, format!("the {locator} parameter is required"))
    }

    pub fn invalid(locator: &str, message: impl Into<String>) -> WmsError {
        WmsError::new(ExceptionCode::InvalidParameterValue, locator, message)
    }

    /// 200, whatever the code: see the module documentation for why.
    pub fn http_status(&self) -> u16 {
        200
    }

    /// The 4xx/5xx status for servers configured to report errors at the HTTP level.
    pub fn error_status(&self) -> u16 {
        self.code.error_status()
    }

    /// The ServiceExceptionReport of `version`, to send as [`Version::exception_media_type`].
    pub fn report(&self, version: Version) -> String {
        match version {
            Version::V1_3_0 => report_1_3_0(self),
            Version::V1_1_1 => report_1_1_1(self),
        }
    }
}

/// WMS 1.3.0 (Annex E, `exceptions_1_3_0.xsd`): `code` and `locator` attributes.
fn report_1_3_0(e: &WmsError) -> String {
    xml::finish(xml::document(), |w| {
        w.create_element("ServiceExceptionReport")
            .with_attribute(("version", "1.3.0"))
            .with_attribute(("xmlns", "http://www.opengis.net/ogc"))
            .with_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"))
            .with_attribute((
                "xsi:schemaLocation",
                "http://www.opengis.net/ogc http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd",
            ))
            .write_inner_content(|w| {
                let mut x = w.create_element("ServiceException");
                if let Some(code) = e.code.as_str(Version::V1_3_0) {
                    x = x.with_attribute(("code", code));
                }
                if let Some(locator) = &e.locator {
                    x = x.with_attribute(("locator", locator.as_str()));
                }
                x.write_text_content(BytesText::new(&e.message))?;
                Ok(())
            })?;
        Ok(())
    })
}

/// WMS 1.1.1 (Annex A.3, `exception_1_1_1.dtd`). The DTD declares no `locator` attribute, so
/// the locator is left out (a DTD-validating client rejects the report otherwise); messages name
/// the parameter themselves.
fn report_1_1_1(e: &WmsError) -> String {
    xml::finish(xml::document(), |w| {
        w.write_event(Event::DocType(BytesText::from_escaped(
            "ServiceExceptionReport SYSTEM \"http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd\"",
        )))?;
        w.create_element("ServiceExceptionReport").with_attribute(("version", "1.1.1")).write_inner_content(|w| {
            let mut x = w.create_element("ServiceException");
            if let Some(code) = e.code.as_str(Version::V1_1_1) {
                x = x.with_attribute(("code", code));
            }
            x.write_text_content(BytesText::new(&e.message))?;
            Ok(())
        })?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ows::schema_check::{validate, validate_dtd, well_formed};

    const NASTY: &str = "couche « a<b & c>d » inconnue \"quoted\"";

    #[test]
    fn report_1_3_0_shape_and_validity() {
        let e = WmsError::new(ExceptionCode::InvalidCrs, "CRS", NASTY);
        let doc = e.report(Version::V1_3_0);
        well_formed(&doc);
        assert!(doc.contains("<ServiceException code=\"InvalidCRS\" locator=\"CRS\">"), "{doc}");
        assert!(doc.contains("a&lt;b &amp; c&gt;d"));
        validate(&doc, "wms/1.3.0/exceptions_1_3_0.xsd");
    }

    #[test]
    fn report_1_1_1_shape_and_validity() {
        let e = WmsError::new(ExceptionCode::InvalidCrs, "SRS", NASTY);
        let doc = e.report(Version::V1_1_1);
        assert!(doc.contains("<!DOCTYPE ServiceExceptionReport SYSTEM"), "{doc}");
        assert!(doc.contains("<ServiceException code=\"InvalidSRS\">"), "{doc}");
        assert!(!doc.contains("locator"));
        validate_dtd(&doc);
    }

    #[test]
    fn no_applicable_code_has_no_code_attribute() {
        let e = WmsError::new(ExceptionCode::NoApplicableCode, "", "rendering failed");
        for v in [Version::V1_3_0, Version::V1_1_1] {
            let doc = e.report(v);
            assert!(doc.contains("<ServiceException>rendering failed</ServiceException>"), "{doc}");
        }
        validate(&e.report(Version::V1_3_0), "wms/1.3.0/exceptions_1_3_0.xsd");
        validate_dtd(&e.report(Version::V1_1_1));
    }

    #[test]
    fn every_code_validates_in_both_versions() {
        use ExceptionCode::*;
        for code in [
            InvalidFormat,
            InvalidCrs,
            LayerNotDefined,
            StyleNotDefined,
            LayerNotQueryable,
            InvalidPoint,
            CurrentUpdateSequence,
            InvalidUpdateSequence,
            MissingDimensionValue,
            InvalidDimensionValue,
            OperationNotSupported,
            MissingParameterValue,
            InvalidParameterValue,
        ] {
            let e = WmsError::new(code, "LAYERS", "x");
            assert_eq!(e.http_status(), 200);
            let doc = e.report(Version::V1_3_0);
            assert!(doc.contains(&format!("code=\"{}\"", code.as_str(Version::V1_3_0).unwrap())));
            validate(&doc, "wms/1.3.0/exceptions_1_3_0.xsd");
            validate_dtd(&e.report(Version::V1_1_1));
        }
    }

    #[test]
    fn opt_in_statuses() {
        assert_eq!(WmsError::missing("LAYERS").error_status(), 400);
        assert_eq!(WmsError::new(ExceptionCode::OperationNotSupported, "REQUEST", "x").error_status(), 501);
        assert_eq!(WmsError::new(ExceptionCode::NoApplicableCode, "", "x").error_status(), 500);
        assert_eq!(WmsError::new(ExceptionCode::LayerNotDefined, "LAYERS", "x").error_status(), 400);
    }
}
