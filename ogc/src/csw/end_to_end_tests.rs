//! Requests as clients send them, through parsing, search and the response writer, with the
//! response validated: the path the server's CSW face will take.

use chrono::TimeZone;

use super::record::RecordDate;
use super::request::{CswRequest, Limits, ResultType, parse_kvp};
use super::test_support::{CSW_SCHEMA, csw_and_gmd_schema, layer_record};
use super::xml_request::parse_xml;
use super::*;
use crate::ows::schema_check::validate;

fn catalogue() -> Vec<Record> {
    let mut records = vec![layer_record()];
    for i in 0..12 {
        let mut r = layer_record();
        r.file_identifier = format!("ocs2d-{i:02}");
        r.title = format!("OCS2D millésime {}", 2010 + i);
        r.date_stamp = RecordDate::parse(&format!("{}-01-01", 2010 + i)).unwrap();
        r.abstract_ = "Occupation du sol".into();
        r.lineage = None;
        r.metadata_contacts.clear();
        records.push(r);
    }
    records
}

fn answer(request: CswRequest, records: &[Record], body: Option<&str>) -> (String, &'static str) {
    let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    match request {
        CswRequest::GetRecords(g) => {
            let page = search::search(records, &g).unwrap();
            let schema = if g.output_schema == OutputSchema::Iso && !page.records.is_empty() { "iso" } else { "csw" };
            if g.result_type == ResultType::Validate {
                return (response::acknowledgement(&g, body, &now), "csw");
            }
            (response::get_records_response(&g, &page, &now), schema)
        }
        CswRequest::GetRecordById(g) => {
            let found: Vec<&Record> = g.ids.iter().filter_map(|id| records.iter().find(|r| &r.file_identifier == id)).collect();
            let schema = if g.output_schema == OutputSchema::Iso && !found.is_empty() { "iso" } else { "csw" };
            (response::get_record_by_id_response(&found, g.output_schema, g.element_set), schema)
        }
        CswRequest::GetDomain(g) => {
            let domains: Vec<_> = g.names.iter().map(|n| (n.clone(), response::domain_values(n, records))).collect();
            (response::get_domain_response(&domains), "csw")
        }
        CswRequest::DescribeRecord(d) => (response::describe_record(&d.type_names), "csw"),
        CswRequest::GetCapabilities(c) => {
            (capabilities::capabilities(&crate::ows::ServiceMetadata::default(), "https://h/csw", c.sections.as_deref(), &LIMITS, false), "csw")
        }
        CswRequest::Transaction(t) => {
            let request_id = t.request_id.clone();
            let changes = crate::csw::transaction::apply(t, records.to_vec(), |_| false).unwrap();
            (crate::csw::transaction::response(&changes, request_id.as_deref()), "publication")
        }
    }
}

fn check(doc: &str, schema: &str) {
    match schema {
        "iso" => validate(doc, &csw_and_gmd_schema()),
        "publication" => validate(doc, "csw/2.0.2/CSW-publication.xsd"),
        _ => validate(doc, CSW_SCHEMA),
    };
}

const LIMITS: Limits = Limits { max_records: 50 };

#[test]
fn geonetwork_harvest_pages_through_everything() {
    let records = catalogue();
    let mut start = 1;
    let mut seen = Vec::new();
    while start != 0 {
        let body = format!(
            r#"<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="results" startPosition="{start}" maxRecords="5" outputSchema="http://www.isotc211.org/2005/gmd">
                 <csw:Query typeNames="gmd:MD_Metadata"><csw:ElementSetName>full</csw:ElementSetName>
                 <ogc:SortBy xmlns:ogc="http://www.opengis.net/ogc"><ogc:SortProperty><ogc:PropertyName>apiso:Identifier</ogc:PropertyName><ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
                 </csw:Query></csw:GetRecords>"#
        );
        let (doc, schema) = answer(parse_xml(&body, &LIMITS).unwrap(), &records, Some(&body));
        check(&doc, schema);
        assert!(doc.contains(r#"numberOfRecordsMatched="13""#));
        let next = doc.split("nextRecord=\"").nth(1).unwrap().split('"').next().unwrap().parse::<u64>().unwrap();
        let read = doc.matches("<gmd:MD_Metadata").count();
        seen.push(read);
        start = next;
    }
    assert_eq!(seen, [5, 5, 3]);
}

#[test]
fn owslib_and_qgis_kvp_requests() {
    let records = catalogue();
    let kvp = |q: &str| q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    for (q, expected) in [
        ("service=CSW&request=GetCapabilities", "<csw:Capabilities"),
        ("service=CSW&version=2.0.2&request=DescribeRecord", "<csw:DescribeRecordResponse"),
        (
            "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&elementSetName=full&resultType=results&constraintLanguage=CQL_TEXT&constraint=csw:AnyText like '%millésime 2015%'&startPosition=0&maxRecords=10",
            r#"numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0""#,
        ),
        (
            "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=hits&constraintLanguage=CQL_TEXT&constraint=dct:modified >= '2020-01-01'",
            r#"numberOfRecordsMatched="3" numberOfRecordsReturned="0""#,
        ),
        ("service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=validate", "<csw:Acknowledgement"),
        ("service=CSW&version=2.0.2&request=GetRecordById&id=ocs2d-03&elementSetName=full", "<dc:title>OCS2D millésime 2013</dc:title>"),
        ("service=CSW&version=2.0.2&request=GetRecordById&id=ocs2d-03&outputSchema=http://www.isotc211.org/2005/gmd", "<gco:CharacterString>ocs2d-03</gco:CharacterString>"),
        ("service=CSW&version=2.0.2&request=GetDomain&propertyName=dc:type", "<csw:Value>dataset</csw:Value>"),
    ] {
        let (doc, schema) = answer(parse_kvp(&kvp(q), &LIMITS).unwrap_or_else(|e| panic!("{q}: {e}")), &records, None);
        assert!(doc.contains(expected), "{q}\n{expected}\n{doc}");
        check(&doc, schema);
    }
    let e = parse_kvp(&kvp("service=CSW&version=2.0.2&request=GetRecords&constraintLanguage=CQL_TEXT&constraint=colour = 'red'"), &LIMITS).unwrap_err();
    let report = e.report();
    assert!(report.contains(r#"exceptionCode="InvalidParameterValue" locator="Constraint""#));
    validate(&report, "ows/1.0.0/owsExceptionReport.xsd");
}
