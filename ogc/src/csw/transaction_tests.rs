use super::*;
use crate::csw::error::ExceptionCode;
use crate::csw::request::{CswRequest, Limits};
use crate::csw::test_support::layer_record;
use crate::csw::xml_request::parse_xml;
use crate::ows::schema_check::validate;

/// An ISO document as a publisher sends it (no source kept: written from the model).
fn iso_document(id: &str, title: &str) -> String {
    let mut r = layer_record();
    r.file_identifier = id.to_string();
    r.title = title.to_string();
    iso::embeddable(&iso::write(&r, ElementSet::Full)).to_string()
}

fn transaction(actions: &str) -> Result<Transaction, CswError> {
    let body = format!(
        r#"<?xml version="1.0"?><csw:Transaction xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2" requestId="urn:t:1">{actions}</csw:Transaction>"#
    );
    match parse_xml(&body, &Limits::default())? {
        CswRequest::Transaction(t) => Ok(t),
        other => panic!("not a transaction: {other:?}"),
    }
}

fn imported(ids: &[&str]) -> Vec<Record> {
    ids.iter().map(|id| iso::read_valid(&iso_document(id, &format!("Fiche {id}"))).unwrap()).collect()
}

fn not_served(_: &str) -> bool {
    false
}

fn delete_where_identifier(id: &str) -> String {
    format!(
        "<csw:Delete><csw:Constraint version=\"1.1.0\"><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>{id}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></csw:Constraint></csw:Delete>"
    )
}

#[test]
fn insert_update_delete_in_order_and_a_valid_response() {
    let t = transaction(&format!(
        "<csw:Insert handle=\"new\">{}{}</csw:Insert><csw:Update>{}</csw:Update>{}",
        iso_document("plu-1", "PLU de Lille"),
        iso_document("plu-2", "PLU de Roubaix"),
        iso_document("old-1", "Ancienne fiche, corrigée"),
        delete_where_identifier("old-2"),
    ))
    .unwrap();
    assert_eq!(t.request_id.as_deref(), Some("urn:t:1"));
    let changes = apply(t, imported(&["old-1", "old-2", "old-3"]), not_served).unwrap();
    assert_eq!((changes.total_inserted, changes.total_updated, changes.total_deleted), (2, 1, 1));
    let written: Vec<(&str, &str)> = changes.written.iter().map(|r| (r.file_identifier.as_str(), r.title.as_str())).collect();
    assert_eq!(written, [("old-1", "Ancienne fiche, corrigée"), ("plu-1", "PLU de Lille"), ("plu-2", "PLU de Roubaix")]);
    assert_eq!(changes.deleted, ["old-2"]);
    assert!(changes.written.iter().all(|r| r.source_xml.is_some()), "the documents are stored as sent");
    let doc = response(&changes, Some("urn:t:1"));
    assert!(doc.contains("<csw:totalInserted>2</csw:totalInserted>") && doc.contains("<csw:totalDeleted>1</csw:totalDeleted>"), "{doc}");
    assert!(doc.contains("handleRef=\"new\"") && doc.contains("<dc:identifier>plu-2</dc:identifier>"), "{doc}");
    assert!(validate(&doc, "csw/2.0.2/CSW-publication.xsd"), "{doc}");
}

#[test]
fn later_actions_see_earlier_ones() {
    // Inserted then deleted in one transaction: nothing to write, the identifier deleted (a no-op
    // in the store); deleted then inserted again: written.
    let t = transaction(&format!("<csw:Insert>{}</csw:Insert>{}", iso_document("tmp", "Temporaire"), delete_where_identifier("tmp"))).unwrap();
    let changes = apply(t, vec![], not_served).unwrap();
    assert!(changes.written.is_empty());
    assert_eq!(changes.deleted, ["tmp"]);
    let t = transaction(&format!("{}<csw:Insert>{}</csw:Insert>", delete_where_identifier("a"), iso_document("a", "Refaite"))).unwrap();
    let changes = apply(t, imported(&["a"]), not_served).unwrap();
    assert_eq!(changes.written.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Refaite"]);
    assert!(changes.deleted.is_empty());
}

#[test]
fn conflicts_fail_the_whole_transaction() {
    let fails = |actions: String, existing: &[&str]| {
        let e = apply(transaction(&actions).unwrap(), imported(existing), |id| id.starts_with("ossature-")).unwrap_err();
        assert_eq!(e.code, ExceptionCode::InvalidParameterValue, "{e:?}");
        e.message
    };
    assert!(fails(format!("<csw:Insert>{}</csw:Insert>", iso_document("a", "A")), &["a"]).contains("exists already"));
    let twice = format!("<csw:Insert>{}{}</csw:Insert>", iso_document("b", "B"), iso_document("b", "B bis"));
    assert!(fails(twice, &[]).contains("exists already"));
    assert!(fails(format!("<csw:Update>{}</csw:Update>", iso_document("c", "C")), &[]).contains("no record 'c'"));
    assert!(fails(format!("<csw:Insert>{}</csw:Insert>", iso_document("ossature-communes", "Communes")), &[]).contains("served layer"));
    assert!(fails(format!("<csw:Update>{}</csw:Update>", iso_document("ossature-communes", "Communes")), &[]).contains("served layer"));
}

#[test]
fn what_is_not_stored_or_not_supported_is_refused_by_name() {
    let e = transaction(
        "<csw:Insert><csw:Record xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:identifier>x</dc:identifier></csw:Record></csw:Insert>",
    )
    .unwrap_err();
    assert_eq!((e.code, e.locator.as_deref()), (ExceptionCode::InvalidParameterValue, Some("Insert")));
    assert!(e.message.contains("csw:Record") && e.message.contains("gmd:MD_Metadata"), "{e:?}");

    let e = transaction(
        "<csw:Update><csw:RecordProperty><csw:Name>apiso:Title</csw:Name><csw:Value>x</csw:Value></csw:RecordProperty><csw:Constraint version=\"1.1.0\"><csw:CqlText>dc:identifier = 'a'</csw:CqlText></csw:Constraint></csw:Update>",
    )
    .unwrap_err();
    assert_eq!((e.code, e.locator.as_deref()), (ExceptionCode::OperationNotSupported, Some("RecordProperty")));

    // A record failing the gmd.xsd rules an import checks (no title).
    let untitled = iso_document("u", "Sans titre").replace("<gmd:title>", "<gmd:alternateTitle>").replace("</gmd:title>", "</gmd:alternateTitle>");
    let e = transaction(&format!("<csw:Insert>{untitled}</csw:Insert>")).unwrap_err();
    assert_eq!(e.locator.as_deref(), Some("Insert"));
    assert!(e.message.starts_with("the record is refused"), "{e:?}");

    assert_eq!(transaction("").unwrap_err().code, ExceptionCode::MissingParameterValue);
    assert_eq!(transaction("<csw:Delete/>").unwrap_err().locator.as_deref(), Some("Constraint"));
    assert_eq!(transaction("<csw:Insert/>").unwrap_err().code, ExceptionCode::MissingParameterValue);
    let e = transaction("<csw:Delete typeName=\"foo:Bar\"><csw:Constraint version=\"1.1.0\"><csw:CqlText>dc:identifier = 'a'</csw:CqlText></csw:Constraint></csw:Delete>").unwrap_err();
    assert_eq!(e.code, ExceptionCode::InvalidParameterValue);
}

#[test]
fn a_delete_matching_nothing_changes_nothing() {
    let changes = apply(transaction(&delete_where_identifier("nope")).unwrap(), imported(&["a"]), not_served).unwrap();
    assert_eq!((changes.total_deleted, changes.written.len(), changes.deleted.len()), (0, 0, 0));
}

#[test]
fn capabilities_list_transaction_only_for_publishers() {
    let caps = |publisher| crate::csw::capabilities::capabilities(&crate::ows::ServiceMetadata::default(), "https://h/csw", None, &Limits::default(), publisher);
    assert!(!caps(false).contains("name=\"Transaction\""));
    let doc = caps(true);
    assert!(doc.contains("<ows:Operation name=\"Transaction\">"), "{doc}");
    assert!(validate(&doc, "csw/2.0.2/CSW-discovery.xsd"), "{doc}");
}
