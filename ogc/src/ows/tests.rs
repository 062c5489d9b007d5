use super::schema_check::{validate, well_formed};
use super::*;

const NASTY: &str = "Paramètre « typeNames » invalide : a<b & c>d \"quoted\"";

#[test]
fn ows_1_1_report_shape_and_escaping() {
    let doc = exception_report(OwsVersion::V1_1_0, "2.0.0", "InvalidParameterValue", Some("typeNames"), NASTY);
    well_formed(&doc);
    assert!(doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(doc.contains("xmlns:ows=\"http://www.opengis.net/ows/1.1\""));
    assert!(doc.contains("version=\"2.0.0\" xml:lang=\"en\""));
    assert!(doc.contains("<ows:Exception exceptionCode=\"InvalidParameterValue\" locator=\"typeNames\">"));
    assert!(doc.contains("a&lt;b &amp; c&gt;d"), "{doc}");
    assert!(!doc.contains("a<b"));
}

#[test]
fn ows_1_0_report_uses_language_attribute() {
    let doc = exception_report(OwsVersion::V1_0_0, "1.1.0", "MissingParameterValue", None, "request");
    well_formed(&doc);
    assert!(doc.contains("xmlns:ows=\"http://www.opengis.net/ows\""));
    assert!(doc.contains("language=\"en\""));
    assert!(!doc.contains("xml:lang"));
    assert!(!doc.contains("locator="));
}

#[test]
fn empty_text_leaves_out_exception_text() {
    let doc = exception_report(OwsVersion::V1_1_0, "2.0.0", "NoApplicableCode", None, "");
    assert!(!doc.contains("ExceptionText"));
    validate(&doc, "ows/1.1.0/owsExceptionReport.xsd");
}

#[test]
fn locator_attribute_is_escaped() {
    let doc = exception_report(OwsVersion::V1_1_0, "2.0.0", "InvalidParameterValue", Some("a\"<&"), "x");
    assert!(doc.contains("locator=\"a&quot;&lt;&amp;\""), "{doc}");
    well_formed(&doc);
}

#[test]
fn ows_reports_validate() {
    for (version, service_version, schema) in [
        (OwsVersion::V1_1_0, "2.0.0", "ows/1.1.0/owsExceptionReport.xsd"),
        (OwsVersion::V1_0_0, "1.1.0", "ows/1.0.0/owsExceptionReport.xsd"),
    ] {
        let doc = exception_report(version, service_version, "InvalidParameterValue", Some("typeNames"), NASTY);
        validate(&doc, schema);
    }
}

#[test]
fn service_exception_report_shape_and_validity() {
    let doc = service_exception_report("InvalidParameterValue", Some("typeName"), NASTY);
    well_formed(&doc);
    assert!(doc.contains("<ServiceExceptionReport version=\"1.2.0\" xmlns=\"http://www.opengis.net/ogc\""));
    assert!(doc.contains("<ServiceException code=\"InvalidParameterValue\" locator=\"typeName\">"));
    assert!(doc.contains("a&lt;b &amp; c&gt;d"));
    // WMS 1.1.1 ships the same OGC-exception.xsd (version 1.2.0) that WFS 1.0.0 references.
    validate(&doc, "wms/1.1.1/OGC-exception.xsd");
}

#[test]
fn get_url_always_ends_ready_for_a_query() {
    use capabilities::get_url;
    assert_eq!(get_url("https://h/wfs"), "https://h/wfs?");
    assert_eq!(get_url("https://h/wfs?"), "https://h/wfs?");
    assert_eq!(get_url("https://h/ows?service=WFS"), "https://h/ows?service=WFS&");
}
