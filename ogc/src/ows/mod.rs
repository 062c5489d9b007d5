//! OGC Web Services Common: exception reports and the capabilities sections shared by WFS, WMTS
//! and CSW.
//!
//! Two OWS Common versions are in use at once (1.1 for WFS 2.0 and WMTS, 1.0 for WFS 1.1 and
//! CSW 2.0.2); they differ in namespace and in a few encodings, so every writer takes an
//! [`OwsVersion`] instead of being duplicated.

pub mod capabilities;
pub(crate) mod kvp;
pub mod xml;
pub(crate) mod xml_tree;

/// Test support, public so that the server's integration tests validate its documents with
/// the same code as this crate's tests; nothing outside tests calls it (a cargo feature for it
/// would compile the crate and the server twice in every test-then-run cycle).
#[doc(hidden)]
pub mod schema_check;
#[cfg(test)]
mod tests;

use quick_xml::events::{BytesStart, BytesText, Event};

pub use capabilities::ServiceMetadata;

/// Which OWS Common schema a document follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OwsVersion {
    /// OWS Common 1.1.0: WFS 2.0, WMTS 1.0.
    V1_1_0,
    /// OWS Common 1.0.0: WFS 1.1.0, CSW 2.0.2.
    V1_0_0,
}

impl OwsVersion {
    pub fn namespace(self) -> &'static str {
        match self {
            OwsVersion::V1_1_0 => "http://www.opengis.net/ows/1.1",
            OwsVersion::V1_0_0 => "http://www.opengis.net/ows",
        }
    }

    /// The folder under `http://schemas.opengis.net/ows/`, for `xsi:schemaLocation` hints.
    pub fn schema_folder(self) -> &'static str {
        match self {
            OwsVersion::V1_1_0 => "1.1.0",
            OwsVersion::V1_0_0 => "1.0.0",
        }
    }
}

/// An OWS exception report.
///
/// `service_version` goes in the `version` attribute because clients (GDAL, QGIS) key their
/// parsing on it; both schemas require it to look like `x.y.z`. The language is announced as
/// English since the server's own messages are English whatever the metadata language.
pub fn exception_report(
    version: OwsVersion,
    service_version: &str,
    code: &str,
    locator: Option<&str>,
    text: &str,
) -> String {
    let w = xml::document();
    xml::finish(w, |w| {
        let mut root = BytesStart::new("ows:ExceptionReport");
        root.push_attribute(("xmlns:ows", version.namespace()));
        root.push_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"));
        let location = format!(
            "{} http://schemas.opengis.net/ows/{}/owsExceptionReport.xsd",
            version.namespace(),
            version.schema_folder()
        );
        root.push_attribute(("xsi:schemaLocation", location.as_str()));
        root.push_attribute(("version", service_version));
        // OWS 1.0 predates the switch to xml:lang.
        match version {
            OwsVersion::V1_1_0 => root.push_attribute(("xml:lang", "en")),
            OwsVersion::V1_0_0 => root.push_attribute(("language", "en")),
        }
        w.write_event(Event::Start(root.borrow()))?;
        let mut exception = w.create_element("ows:Exception").with_attribute(("exceptionCode", code));
        if let Some(locator) = locator {
            exception = exception.with_attribute(("locator", locator));
        }
        if text.is_empty() {
            exception.write_empty()?;
        } else {
            exception.write_inner_content(|w| xml::text(w, "ows:ExceptionText", text))?;
        }
        w.write_event(Event::End(root.to_end()))
    })
}

/// The pre-OWS exception format (`http://www.opengis.net/ogc`, version 1.2.0) that WFS 1.0.0
/// and WMS 1.1.x clients expect; they do not recognise `ows:ExceptionReport`.
pub fn service_exception_report(code: &str, locator: Option<&str>, text: &str) -> String {
    let w = xml::document();
    xml::finish(w, |w| {
        w.create_element("ServiceExceptionReport")
            .with_attribute(("version", "1.2.0"))
            .with_attribute(("xmlns", "http://www.opengis.net/ogc"))
            .with_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"))
            .with_attribute((
                "xsi:schemaLocation",
                "http://www.opengis.net/ogc http://schemas.opengis.net/wfs/1.0.0/OGC-exception.xsd",
            ))
            .write_inner_content(|w| {
                let mut e = w.create_element("ServiceException").with_attribute(("code", code));
                if let Some(locator) = locator {
                    e = e.with_attribute(("locator", locator));
                }
                e.write_text_content(BytesText::new(text))?;
                Ok(())
            })?;
        Ok(())
    })
}
