//! The CSW 2.0.2 response documents other than the capabilities: DescribeRecordResponse,
//! GetRecordsResponse (or Acknowledgement for `resultType=validate`), GetRecordByIdResponse
//! and GetDomainResponse.
//!
//! Records are written as the request asks: Dublin Core ([`super::dublin_core`]) or ISO 19139
//! ([`super::iso`], each `gmd:MD_Metadata` declaring its own namespaces so that an imported
//! record's original document can be embedded as is).

use std::io;

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::events::{BytesStart, BytesText, Event};

use super::queryables;
use super::record::Record;
use super::request::{DomainOf, Elements, GetRecords, parameter_domain};
use super::{CSW_NS, DC_NS, DCT_NS, ElementSet, OWS_NS, OutputSchema, TypeName, VERSION, dublin_core, iso};
use crate::ows::capabilities::XSI_NS;
use crate::ows::xml::{self, XmlWriter};

const SCHEMA_LOCATION: &str = "http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd";

fn document(root_name: &str, extra: &[(&str, &str)], body: impl FnOnce(&mut XmlWriter) -> io::Result<()>) -> String {
    document_in(SCHEMA_LOCATION, root_name, extra, body)
}

/// A response document whose root is declared in the schema at `schema_location`.
pub(crate) fn document_in(schema_location: &str, root_name: &str, extra: &[(&str, &str)], body: impl FnOnce(&mut XmlWriter) -> io::Result<()>) -> String {
    let w = xml::document();
    xml::finish(w, |w| {
        let mut root = BytesStart::new(root_name);
        for (k, v) in [("xmlns:csw", CSW_NS), ("xmlns:dc", DC_NS), ("xmlns:dct", DCT_NS), ("xmlns:ows", OWS_NS), ("xmlns:xsi", XSI_NS), ("xsi:schemaLocation", schema_location)] {
            root.push_attribute((k, v));
        }
        for attr in extra {
            root.push_attribute(*attr);
        }
        w.write_event(Event::Start(root.borrow()))?;
        body(w)?;
        w.write_event(Event::End(root.to_end()))
    })
}

fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One record in the requested schema and element selection.
fn record(w: &mut XmlWriter, r: &Record, schema: OutputSchema, elements: &Elements) -> io::Result<()> {
    match (schema, elements) {
        (OutputSchema::DublinCore, _) => dublin_core::write(w, r, elements),
        (OutputSchema::Iso, Elements::Set(set)) => iso::write_element(w, r, *set),
        // The request parsers refuse ElementName with ISO output; summary if built by hand.
        (OutputSchema::Iso, Elements::Names(_)) => iso::write_element(w, r, ElementSet::Summary),
    }
}

// ---------------------------------------------------------------------------------------------
// DescribeRecord

/// The schemas of the record types asked (all when `type_names` is empty), each as a small
/// schema including the official one: clients fetch it from there, and the response stays
/// small and valid.
pub fn describe_record(type_names: &[TypeName]) -> String {
    let all = [TypeName::Record, TypeName::MdMetadata];
    let types = if type_names.is_empty() { &all[..] } else { type_names };
    document("csw:DescribeRecordResponse", &[], |w| {
        for t in types {
            let (ns, location) = match t {
                TypeName::Record => (CSW_NS, "http://schemas.opengis.net/csw/2.0.2/record.xsd"),
                TypeName::MdMetadata => (iso_ns(), "http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd"),
            };
            w.create_element("csw:SchemaComponent")
                .with_attribute(("targetNamespace", ns))
                .with_attribute(("schemaLanguage", "http://www.w3.org/XML/Schema"))
                .write_inner_content(|w| {
                    w.create_element("xs:schema")
                        .with_attribute(("xmlns:xs", "http://www.w3.org/2001/XMLSchema"))
                        .with_attribute(("targetNamespace", ns))
                        .with_attribute(("elementFormDefault", "qualified"))
                        .write_inner_content(|w| {
                            w.create_element("xs:include").with_attribute(("schemaLocation", location)).write_empty()?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
        }
        Ok(())
    })
}

fn iso_ns() -> &'static str {
    super::GMD_NS
}

// ---------------------------------------------------------------------------------------------
// GetRecords

/// One page of a search: how many records match in all, and those on the page.
#[derive(Clone, Debug)]
pub struct ResultPage<'a> {
    pub matched: u64,
    /// The records from `startPosition` on, at most `maxRecords` (none for `resultType=hits`).
    pub records: Vec<&'a Record>,
}

/// `nextRecord`: the position after the page, 0 when the page reaches the last record.
pub fn next_record(start_position: u64, returned: u64, matched: u64) -> u64 {
    let next = start_position.max(1) + returned;
    if next > matched { 0 } else { next }
}

/// The GetRecordsResponse for `request` (results or hits); `now` is the SearchStatus timestamp.
pub fn get_records_response(request: &GetRecords, page: &ResultPage, now: &DateTime<Utc>) -> String {
    let returned = page.records.len() as u64;
    let next = next_record(request.start_position, returned, page.matched);
    document("csw:GetRecordsResponse", &[("version", VERSION)], |w| {
        if let Some(id) = &request.request_id {
            xml::text(w, "csw:RequestId", id)?;
        }
        w.create_element("csw:SearchStatus").with_attribute(("timestamp", timestamp(now).as_str())).write_empty()?;
        let mut results = w
            .create_element("csw:SearchResults")
            .with_attribute(("numberOfRecordsMatched", page.matched.to_string().as_str()))
            .with_attribute(("numberOfRecordsReturned", returned.to_string().as_str()))
            .with_attribute(("nextRecord", next.to_string().as_str()));
        if let Elements::Set(set) = &request.elements {
            results = results.with_attribute(("elementSet", set.as_str()));
        }
        results = results.with_attribute(("recordSchema", request.output_schema.uri()));
        if page.records.is_empty() {
            results.write_empty()?;
        } else {
            results.write_inner_content(|w| page.records.iter().try_for_each(|r| record(w, r, request.output_schema, &request.elements)))?;
        }
        Ok(())
    })
}

/// The Acknowledgement of `resultType=validate`: the request was understood. `echoed` is the
/// XML body of a POST request; a KVP request (None) is echoed as the `csw:GetRecords` element
/// it is equivalent to, without its constraint (there is no Filter writer to re-encode it).
pub fn acknowledgement(request: &GetRecords, echoed: Option<&str>, now: &DateTime<Utc>) -> String {
    document("csw:Acknowledgement", &[("timeStamp", timestamp(now).as_str())], |w| {
        w.create_element("csw:EchoedRequest").write_inner_content(|w| match echoed {
            Some(body) => w.write_event(Event::Text(BytesText::from_escaped(iso::embeddable(body)))),
            None => echo_get_records(w, request),
        })?;
        if let Some(id) = &request.request_id {
            xml::text(w, "csw:RequestId", id)?;
        }
        Ok(())
    })
}

fn echo_get_records(w: &mut XmlWriter, g: &GetRecords) -> io::Result<()> {
    let result_type = match g.result_type {
        super::request::ResultType::Hits => "hits",
        super::request::ResultType::Results => "results",
        super::request::ResultType::Validate => "validate",
    };
    let type_names: Vec<&str> = g.type_names.iter().map(|t| t.qualified()).collect();
    w.create_element("csw:GetRecords")
        .with_attribute(("service", "CSW"))
        .with_attribute(("version", VERSION))
        .with_attribute(("resultType", result_type))
        .with_attribute(("outputSchema", g.output_schema.uri()))
        .with_attribute(("startPosition", g.start_position.to_string().as_str()))
        .with_attribute(("maxRecords", g.max_records.to_string().as_str()))
        .write_inner_content(|w| {
            w.create_element("csw:Query")
                .with_attribute(("typeNames", type_names.join(" ").as_str()))
                .with_attribute(("xmlns:gmd", super::GMD_NS))
                .write_inner_content(|w| match &g.elements {
                    Elements::Set(set) => xml::text(w, "csw:ElementSetName", set.as_str()),
                    Elements::Names(names) => names.iter().try_for_each(|q| xml::text(w, "csw:ElementName", q.name())),
                })?;
            Ok(())
        })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// GetRecordById

/// The records found, in the order asked (ids not found are left out, as CSW 2.0.2 says).
pub fn get_record_by_id_response(records: &[&Record], schema: OutputSchema, set: ElementSet) -> String {
    document("csw:GetRecordByIdResponse", &[], |w| records.iter().try_for_each(|r| record(w, r, schema, &Elements::Set(set))))
}

// ---------------------------------------------------------------------------------------------
// GetDomain

/// The values GetDomain lists for one name: a parameter's allowed values, or the distinct
/// values of a queryable over `records`.
pub fn domain_values<'a>(name: &DomainOf, records: impl IntoIterator<Item = &'a Record>) -> Vec<String> {
    match name {
        DomainOf::Parameter(p) => parameter_domain(p).unwrap_or(&[]).iter().map(|v| v.to_string()).collect(),
        DomainOf::Property(_, q) => queryables::domain(*q, records),
    }
}

/// The GetDomainResponse: one `csw:DomainValues` per name, with its values (none listed when
/// there are none: the schema wants at least one value in a list).
pub fn get_domain_response(domains: &[(DomainOf, Vec<String>)]) -> String {
    document("csw:GetDomainResponse", &[], |w| {
        for (name, values) in domains {
            w.create_element("csw:DomainValues").with_attribute(("type", "csw:Record")).write_inner_content(|w| {
                match name {
                    DomainOf::Parameter(p) => xml::text(w, "csw:ParameterName", p)?,
                    DomainOf::Property(p, _) => xml::text(w, "csw:PropertyName", p)?,
                }
                if !values.is_empty() {
                    w.create_element("csw:ListOfValues").write_inner_content(|w| values.iter().try_for_each(|v| xml::text(w, "csw:Value", v)))?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
