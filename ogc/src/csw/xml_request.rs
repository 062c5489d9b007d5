//! CSW 2.0.2 requests in XML encoding (POST), parsed to the same values as the KVP encoding
//! ([`super::request::parse_kvp`]) gives for the equivalent request.
//!
//! The body goes through the request reader shared with WFS (`ows/xml_tree.rs`: DTDs refused,
//! depth and element count capped; the size is capped here); an `ogc:Filter` constraint is cut
//! out with its namespace bindings and read by the Filter 1.1 parser, a `csw:CqlText` one by
//! the CQL parser, both then checked against the queryables.
//!
//! Choices:
//! - One `csw:Query` per request (the schema allows exactly one).
//! - `service` may be left out (the schema gives it the default `CSW`); `version` may not,
//!   except on GetCapabilities, which negotiates with `ows:AcceptVersions`.
//! - Elements the catalogue does not understand are refused rather than ignored, so nothing a
//!   client asked for is silently dropped; `csw:DistributedSearch` and `csw:ResponseHandler`
//!   are refused (InvalidParameterValue with their name as locator).
//! - A body that is not XML, or not a CSW request, is an `InvalidParameterValue` with locator
//!   `request` (OWS 1.0.0 has no parsing-failure code).

use super::constraint::{self, ConstraintLanguage};
use super::error::CswError;
use super::request::{
    self, CswRequest, DescribeRecord, Elements, GetCapabilities, GetDomain, GetRecordById, GetRecords, Limits, Section, SortKey,
};
use super::{CSW_NS, ElementSet, GMD_NS, OWS_NS, XML_DOCUMENT};
use crate::ows::xml_tree::{self, Element, OGC};

/// Far above any real request body (filters with large polygons included).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// Parses a CSW XML request body.
pub fn parse_xml(body: &str, limits: &Limits) -> Result<CswRequest, CswError> {
    if body.len() > MAX_BODY {
        return Err(parsing(format!("the request body is larger than {MAX_BODY} bytes")));
    }
    let root = xml_tree::read(body, &XML_REQUEST).map_err(|e| parsing(format!("the request body cannot be read: {e}")))?;
    interpret(&root, limits)
}

/// Requests are read like documents, the records a Transaction carries kept whole for the ISO
/// reader.
const XML_REQUEST: xml_tree::ReadOptions = xml_tree::ReadOptions { verbatim: &[(GMD_NS, "MD_Metadata")], ..XML_DOCUMENT };

fn parsing(message: impl Into<String>) -> CswError {
    CswError::invalid("request", message)
}

fn unexpected(child: &Element, parent: &Element) -> CswError {
    parsing(format!("unexpected <{}> in <{}>", child.qname, parent.qname))
}

fn interpret(root: &Element, limits: &Limits) -> Result<CswRequest, CswError> {
    if root.ns.as_deref() != Some(CSW_NS) {
        return Err(parsing(format!("<{}> is not a CSW 2.0.2 request (expected an element in {CSW_NS})", root.qname)));
    }
    if let Some(s) = root.attr("service")
        && !s.trim().eq_ignore_ascii_case("CSW")
    {
        return Err(CswError::invalid("service", format!("'{s}' is not CSW")));
    }
    let op = root.name.as_str();
    if op == "GetCapabilities" {
        return get_capabilities(root);
    }
    if matches!(op, "DescribeRecord" | "GetRecords" | "GetRecordById" | "GetDomain") {
        request::check_version(root.attr("version"))?;
    }
    Ok(match op {
        "DescribeRecord" => {
            if let Some(language) = root.attr("schemaLanguage") {
                request::check_schema_language(language)?;
            }
            if let Some(f) = root.attr("outputFormat") {
                request::check_output_format(f)?;
            }
            let mut type_names = Vec::new();
            for child in &root.children {
                if !child.is(CSW_NS, "TypeName") {
                    return Err(unexpected(child, root));
                }
                for t in request::type_names(&child.text, "typeName")? {
                    if !type_names.contains(&t) {
                        type_names.push(t);
                    }
                }
            }
            CswRequest::DescribeRecord(DescribeRecord { type_names })
        }
        "GetRecords" => CswRequest::GetRecords(get_records(root, limits)?),
        "GetRecordById" => {
            if let Some(f) = root.attr("outputFormat") {
                request::check_output_format(f)?;
            }
            let mut ids = Vec::new();
            let mut element_set = ElementSet::default();
            for child in &root.children {
                match child.name.as_str() {
                    "Id" if child.ns.as_deref() == Some(CSW_NS) => ids.extend(child.trimmed().map(str::to_string)),
                    "ElementSetName" if child.ns.as_deref() == Some(CSW_NS) => element_set = request::element_set(&child.text)?,
                    _ => return Err(unexpected(child, root)),
                }
            }
            if ids.is_empty() {
                return Err(CswError::missing("Id", "GetRecordById needs at least one csw:Id"));
            }
            let output_schema = root.attr("outputSchema").map(request::output_schema).transpose()?.unwrap_or_default();
            CswRequest::GetRecordById(GetRecordById { ids, output_schema, element_set })
        }
        "GetDomain" => {
            let mut names = Vec::new();
            for child in &root.children {
                match child.name.as_str() {
                    "ParameterName" if child.ns.as_deref() == Some(CSW_NS) => names.push(request::parameter_name(&child.text)?),
                    "PropertyName" if child.ns.as_deref() == Some(CSW_NS) => names.push(request::property_name(&child.text)?),
                    _ => return Err(unexpected(child, root)),
                }
            }
            if names.is_empty() {
                return Err(CswError::missing("ParameterName", "GetDomain needs csw:ParameterName or csw:PropertyName"));
            }
            CswRequest::GetDomain(GetDomain { names })
        }
        "Transaction" => {
            request::check_version(root.attr("version"))?;
            CswRequest::Transaction(super::transaction::parse(root)?)
        }
        "Harvest" => return Err(CswError::not_supported("request", "Harvest is not supported: the catalogue does not fetch records from elsewhere")),
        _ => return Err(parsing(format!("<{}> is not a CSW operation", root.qname))),
    })
}

fn get_capabilities(root: &Element) -> Result<CswRequest, CswError> {
    let mut sections = None;
    for child in &root.children {
        match (child.ns.as_deref(), child.name.as_str()) {
            (Some(OWS_NS), "AcceptVersions") => {
                let versions: Vec<String> = child.children_named(OWS_NS, "Version").filter_map(|v| v.trimmed().map(str::to_string)).collect();
                request::check_accepted(&versions)?;
            }
            (Some(OWS_NS), "Sections") => {
                let mut list: Vec<Section> = Vec::new();
                for s in child.children_named(OWS_NS, "Section") {
                    for section in request::sections(&s.text)? {
                        if !list.contains(&section) {
                            list.push(section);
                        }
                    }
                }
                sections = Some(list);
            }
            (Some(OWS_NS), "AcceptFormats") => {
                let formats: Vec<&str> = child.children_named(OWS_NS, "OutputFormat").filter_map(Element::trimmed).collect();
                if !formats.is_empty() && !formats.iter().any(|f| request::check_output_format(f).is_ok()) {
                    return Err(CswError::invalid("AcceptFormats", "capabilities are available as application/xml only"));
                }
            }
            _ => return Err(unexpected(child, root)),
        }
    }
    Ok(CswRequest::GetCapabilities(GetCapabilities { sections }))
}

fn get_records(root: &Element, limits: &Limits) -> Result<GetRecords, CswError> {
    let mut g = GetRecords::new();
    if let Some(s) = root.attr("outputSchema") {
        g.output_schema = request::output_schema(s)?;
    }
    if let Some(f) = root.attr("outputFormat") {
        request::check_output_format(f)?;
    }
    if let Some(r) = root.attr("resultType") {
        g.result_type = request::result_type(r)?;
    }
    if let Some(s) = root.attr("startPosition") {
        g.start_position = request::start_position(s)?;
    }
    if let Some(m) = root.attr("maxRecords") {
        g.max_records = request::max_records(m, limits)?;
    }
    g.max_records = g.max_records.min(limits.max_records);
    g.request_id = root.attr("requestId").map(str::to_string);
    let mut query = None;
    for child in &root.children {
        match (child.ns.as_deref(), child.name.as_str()) {
            (Some(CSW_NS), "Query") if query.is_none() => query = Some(child),
            (Some(CSW_NS), "DistributedSearch") => {
                return Err(CswError::invalid("DistributedSearch", "this catalogue does not forward searches to others"));
            }
            (Some(CSW_NS), "ResponseHandler") => {
                return Err(CswError::invalid("ResponseHandler", "asynchronous responses are not supported"));
            }
            _ => return Err(unexpected(child, root)),
        }
    }
    let query = query.ok_or_else(|| CswError::missing("Query", "csw:GetRecords needs a csw:Query"))?;
    if let Some(t) = query.attr("typeNames") {
        g.type_names = request::type_names(t, "typeNames")?;
    }
    let mut names = Vec::new();
    let mut set = None;
    for child in &query.children {
        match (child.ns.as_deref(), child.name.as_str()) {
            (Some(CSW_NS), "ElementSetName") => set = Some(request::element_set(&child.text)?),
            (Some(CSW_NS), "ElementName") => names.push(request::element_name(&child.text)?),
            (Some(CSW_NS), "Constraint") => g.constraint = Some(constraint_of(child)?),
            (Some(OGC), "SortBy") => g.sort_by = sort_by(child)?,
            _ => return Err(unexpected(child, query)),
        }
    }
    g.elements = match (set, names.is_empty()) {
        (Some(_), false) => return Err(CswError::invalid("ElementName", "csw:ElementSetName and csw:ElementName cannot both be given")),
        (Some(s), true) => Elements::Set(s),
        (None, false) => Elements::Names(names),
        (None, true) => Elements::default(),
    };
    request::check_element_names(&g)?;
    Ok(g)
}

pub(crate) fn constraint_of(element: &Element) -> Result<crate::filter::Filter, CswError> {
    let mut found = None;
    for child in &element.children {
        let parsed = match (child.ns.as_deref(), child.name.as_str()) {
            (Some(OGC), "Filter") => constraint::parse(child.xml.as_deref().unwrap_or_default(), ConstraintLanguage::Filter)?,
            (Some(CSW_NS), "CqlText") => constraint::parse(&child.text, ConstraintLanguage::CqlText)?,
            _ => return Err(CswError::invalid("Constraint", format!("unexpected <{}> in csw:Constraint (ogc:Filter or csw:CqlText)", child.qname))),
        };
        if found.replace(parsed).is_some() {
            return Err(CswError::invalid("Constraint", "csw:Constraint holds one ogc:Filter or one csw:CqlText"));
        }
    }
    found.ok_or_else(|| CswError::missing("Constraint", "csw:Constraint is empty (ogc:Filter or csw:CqlText expected)"))
}

fn sort_by(element: &Element) -> Result<Vec<SortKey>, CswError> {
    let mut out = Vec::new();
    for property in &element.children {
        if !property.is(OGC, "SortProperty") {
            return Err(unexpected(property, element));
        }
        let mut queryable = None;
        let mut ascending = true;
        for child in &property.children {
            match (child.ns.as_deref(), child.name.as_str()) {
                (Some(OGC), "PropertyName") => queryable = Some(request::sort_queryable(&child.text)?),
                (Some(OGC), "SortOrder") => {
                    ascending = match child.text.trim().to_ascii_uppercase().as_str() {
                        "ASC" | "A" => true,
                        "DESC" | "D" => false,
                        o => return Err(CswError::invalid("SortBy", format!("'{o}' is not ASC or DESC"))),
                    }
                }
                _ => return Err(unexpected(child, property)),
            }
        }
        let queryable = queryable.ok_or_else(|| CswError::invalid("SortBy", "ogc:SortProperty names no property"))?;
        out.push(SortKey { queryable, ascending });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "xml_request_tests.rs"]
mod tests;
