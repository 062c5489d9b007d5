use chrono::TimeZone;

use super::*;
use crate::csw::capabilities::capabilities;
use crate::csw::queryables::Queryable;
use crate::csw::request::{Limits, ResultType, Section};
use crate::csw::test_support::{CSW_SCHEMA, csw_and_gmd_schema, layer_record};
use crate::ows::ServiceMetadata;
use crate::ows::schema_check::validate;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

fn records() -> Vec<Record> {
    let mut imported = iso::read(&iso::write(&layer_record(), ElementSet::Full)).unwrap();
    imported.file_identifier = "imported".into();
    let mut bare = Record::new("bare", "Sans étendue", crate::csw::record::RecordDate::parse("2020-02-02").unwrap());
    bare.hierarchy_level = "service".into();
    vec![layer_record(), imported, bare]
}

fn service() -> ServiceMetadata {
    ServiceMetadata {
        title: "Catalogue <Occitanie> & co".into(),
        abstract_: "Métadonnées des couches servies".into(),
        keywords: vec!["catalogue".into(), "CSW".into()],
        provider_name: "Région".into(),
        provider_url: "https://example.org".into(),
        contact_name: "SIG".into(),
        contact_email: "sig@example.org".into(),
        ..ServiceMetadata::default()
    }
}

#[test]
fn capabilities_validate_and_announce_operations() {
    let doc = capabilities(&service(), "https://geo.example.org/csw", None, &Limits { max_records: 500 }, false);
    validate(&doc, CSW_SCHEMA);
    for needle in [
        r#"<ows:Operation name="GetRecords">"#,
        r#"<ows:Operation name="GetDomain">"#,
        r#"<ows:Get xlink:href="https://geo.example.org/csw?"/>"#,
        r#"<ows:Post xlink:href="https://geo.example.org/csw"/>"#,
        r#"<ows:Constraint name="SupportedISOQueryables">"#,
        "<ows:Value>apiso:AnyText</ows:Value>",
        "<ows:Value>dc:title</ows:Value>",
        "<ows:Value>http://www.isotc211.org/2005/gmd</ows:Value>",
        "<ows:Value>gmd:MD_Metadata</ows:Value>",
        "<ows:Value>CQL_TEXT</ows:Value>",
        "<ogc:SpatialOperator name=\"BBOX\"/>",
        "Catalogue &lt;Occitanie&gt; &amp; co",
    ] {
        assert!(doc.contains(needle), "{needle}\n{doc}");
    }
    let compact: String = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(compact.contains(r#"<ows:Constraint name="MaxRecordDefault"> <ows:Value>500</ows:Value>"#), "{compact}");
    let only = capabilities(&service(), "https://geo.example.org/csw", Some(&[Section::ServiceIdentification]), &Limits::default(), false);
    assert!(!only.contains("OperationsMetadata") && only.contains("Filter_Capabilities"));
    validate(&only, CSW_SCHEMA);
}

#[test]
fn describe_record_validates() {
    let doc = describe_record(&[]);
    assert!(doc.contains("record.xsd") && doc.contains("gmd.xsd"));
    validate(&doc, CSW_SCHEMA);
    assert!(!describe_record(&[TypeName::Record]).contains("gmd.xsd"));
}

#[test]
fn get_records_dublin_core_every_element_selection() {
    let all = records();
    let page = ResultPage { matched: 7, records: all.iter().collect() };
    for elements in [
        Elements::Set(ElementSet::Brief),
        Elements::Set(ElementSet::Summary),
        Elements::Set(ElementSet::Full),
        Elements::Names(vec![Queryable::BoundingBox, Queryable::Title, Queryable::Subject, Queryable::Crs, Queryable::Date, Queryable::References]),
    ] {
        let request = GetRecords { elements: elements.clone(), start_position: 3, request_id: Some("r-1".into()), ..GetRecords::new() };
        let doc = get_records_response(&request, &page, &now());
        validate(&doc, CSW_SCHEMA);
        assert!(doc.contains(r#"numberOfRecordsMatched="7" numberOfRecordsReturned="3" nextRecord="6""#), "{doc}");
        assert!(doc.contains("<csw:RequestId>r-1</csw:RequestId>"));
        assert!(doc.contains(r#"<csw:SearchStatus timestamp="2026-11-28T12:00:00Z"/>"#));
        assert!(doc.contains(r#"recordSchema="http://www.opengis.net/cat/csw/2.0.2""#));
    }
    let full = get_records_response(&GetRecords { elements: Elements::Set(ElementSet::Full), ..GetRecords::new() }, &page, &now());
    for needle in [
        "<dc:identifier>ossature-communes</dc:identifier>",
        "<dc:subject>boundaries</dc:subject>",
        "<dct:modified>2024-05-02T10:30:00Z</dct:modified>",
        "<dct:created>2019-01-15</dct:created>",
        "<dc:creator>IGN</dc:creator>",
        r#"<dct:references scheme="OGC:WMS">https://geo.example.org/wms?</dct:references>"#,
        r#"<ows:BoundingBox crs="urn:ogc:def:crs:OGC:1.3:CRS84">"#,
        "<ows:LowerCorner>-0.33 42.33</ows:LowerCorner>",
    ] {
        assert!(full.contains(needle), "{needle}\n{full}");
    }
}

#[test]
fn get_records_iso_with_an_imported_record_and_hits() {
    let all = records();
    let page = ResultPage { matched: 3, records: all.iter().collect() };
    for set in [ElementSet::Brief, ElementSet::Summary, ElementSet::Full] {
        let request = GetRecords { output_schema: OutputSchema::Iso, elements: Elements::Set(set), ..GetRecords::new() };
        let doc = get_records_response(&request, &page, &now());
        assert!(doc.contains(r#"nextRecord="0""#), "last page");
        assert_eq!(doc.matches("<gmd:MD_Metadata").count(), 3);
        assert_eq!(doc.matches("<?xml").count(), 1);
        validate(&doc, &csw_and_gmd_schema());
    }
    let hits = GetRecords { result_type: ResultType::Hits, ..GetRecords::new() };
    let doc = get_records_response(&hits, &ResultPage { matched: 42, records: vec![] }, &now());
    assert!(doc.contains(r#"numberOfRecordsMatched="42" numberOfRecordsReturned="0" nextRecord="1""#), "{doc}");
    validate(&doc, CSW_SCHEMA);
}

#[test]
fn next_record_arithmetic() {
    assert_eq!(next_record(1, 10, 25), 11);
    assert_eq!(next_record(21, 5, 25), 0);
    assert_eq!(next_record(1, 0, 0), 0);
    assert_eq!(next_record(30, 0, 25), 0);
}

#[test]
fn acknowledgement_echoes_the_request() {
    let request = GetRecords { result_type: ResultType::Validate, request_id: Some("v".into()), ..GetRecords::new() };
    let doc = acknowledgement(&request, None, &now());
    assert!(doc.contains(r#"timeStamp="2026-11-28T12:00:00Z""#));
    assert!(doc.contains("<csw:GetRecords"));
    validate(&doc, CSW_SCHEMA);
    let body = r#"<?xml version="1.0"?><csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="validate"><csw:Query typeNames="csw:Record"><csw:ElementSetName>brief</csw:ElementSetName></csw:Query></csw:GetRecords>"#;
    let doc = acknowledgement(&request, Some(body), &now());
    assert_eq!(doc.matches("<?xml").count(), 1);
    validate(&doc, CSW_SCHEMA);
}

#[test]
fn get_record_by_id_in_both_schemas() {
    let all = records();
    let found: Vec<&Record> = all.iter().collect();
    for set in [ElementSet::Brief, ElementSet::Summary, ElementSet::Full] {
        validate(&get_record_by_id_response(&found, OutputSchema::DublinCore, set), CSW_SCHEMA);
        validate(&get_record_by_id_response(&found, OutputSchema::Iso, set), &csw_and_gmd_schema());
    }
    let empty = get_record_by_id_response(&[], OutputSchema::Iso, ElementSet::Full);
    validate(&empty, CSW_SCHEMA);
}

#[test]
fn get_domain_lists_values() {
    let all = records();
    let names = [
        DomainOf::Parameter("GetRecords.resultType".into()),
        DomainOf::Property("dc:type".into(), Queryable::Type),
        DomainOf::Property("apiso:Lineage".into(), Queryable::Lineage),
    ];
    let domains: Vec<(DomainOf, Vec<String>)> = names.iter().map(|n| (n.clone(), domain_values(n, &all))).collect();
    assert_eq!(domains[1].1, ["dataset", "service"]);
    let doc = get_domain_response(&domains);
    assert!(doc.contains("<csw:ParameterName>GetRecords.resultType</csw:ParameterName>"));
    assert!(doc.contains("<csw:Value>validate</csw:Value>"));
    assert!(doc.contains("<csw:PropertyName>dc:type</csw:PropertyName>"));
    validate(&doc, CSW_SCHEMA);
}
