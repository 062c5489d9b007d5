//! WFS requests in XML encoding (POST), for WFS 2.0.0 (`http://www.opengis.net/wfs/2.0`) and
//! 1.1.0/1.0.0 (`http://www.opengis.net/wfs`), parsed to the same values as the KVP encoding
//! ([`super::request::parse_kvp`]) gives for the equivalent request.
//!
//! The body is read by the request reader shared with CSW (`ows/xml_tree.rs`), which refuses
//! DTDs, caps nesting depth and element count, and cuts a `fes:Filter` / `ogc:Filter` out as
//! text for [`fes::parse`], exactly as a KVP `FILTER` value reaches it; the size is capped here.
//!
//! Choices:
//!
//! - Without a `version` attribute, the root's namespace gives the version (2.0.0 or 1.1.0);
//!   a `version` that contradicts the namespace is refused.
//! - Several `wfs:Query` elements are one query over several types (as KVP `TYPENAMES=a,b`):
//!   they must agree on `srsName` and sorting, and at most one query is allowed when any has a
//!   filter, since the server applies one filter to all types.
//! - Elements the server does not understand inside a request are refused rather than ignored,
//!   so that nothing a client asked for is silently dropped.

use super::request::{GET_FEATURE_BY_ID, GetFeature, Request, SrsName, Version, WfsError, WfsRequest};
use crate::filter::{Filter, fes};
use crate::ows::kvp::list;
use crate::ows::xml_tree::{self, Element, FES20, OGC, ReadOptions};

pub const WFS20: &str = "http://www.opengis.net/wfs/2.0";
pub const WFS11: &str = "http://www.opengis.net/wfs";

/// Far above any real request body (filters with large polygons included).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// Parses a WFS XML request body.
pub fn parse_xml(body: &str) -> Result<WfsRequest, WfsError> {
    if body.len() > MAX_BODY {
        return Err(parsing(format!("the request body is larger than {MAX_BODY} bytes")));
    }
    let root = read(body)?;
    interpret(&root)
}

fn parsing(message: impl Into<String>) -> WfsError {
    WfsError::new("OperationParsingFailed", "request", message)
}

fn invalid(locator: &str, message: impl Into<String>) -> WfsError {
    WfsError::new("InvalidParameterValue", locator, message)
}

fn not_supported(locator: &str, message: impl Into<String>) -> WfsError {
    WfsError::new("OptionNotSupported", locator, message)
}

/// Request elements nest a few levels (filters are checked by the filter reader); WFS elements
/// hold either elements or text.
const REQUEST: ReadOptions =
    ReadOptions { document: "request", max_depth: 100, max_elements: 100_000, element_only: true, drop_undeclared_attributes: true, verbatim: &[] };

fn read(body: &str) -> Result<Element, WfsError> {
    xml_tree::read(body, &REQUEST).map_err(parsing)
}

// ---------------------------------------------------------------------------------------------
// Interpreting

fn interpret(root: &Element) -> Result<WfsRequest, WfsError> {
    let ns_version = match root.ns.as_deref() {
        Some(WFS20) => Version::V2_0_0,
        Some(WFS11) => Version::V1_1_0,
        _ => return Err(parsing(format!("<{}> is not a WFS request (expected an element in {WFS20} or {WFS11})", root.qname))),
    };
    let op = root.name.as_str();
    let version = match root.attr("version") {
        Some(v) => {
            let version = Version::parse(v).ok_or_else(|| invalid("version", format!("version '{v}' is not supported (2.0.0, 1.1.0, 1.0.0)")))?;
            if (version == Version::V2_0_0) != (ns_version == Version::V2_0_0) {
                return Err(invalid("version", format!("version '{v}' does not match the namespace of <{}>", root.qname)));
            }
            version
        }
        None if op == "GetCapabilities" => {
            let accepted: Vec<String> = root
                .children
                .iter()
                .filter(|c| c.name == "AcceptVersions")
                .flat_map(|c| c.children.iter().filter(|v| v.name == "Version"))
                .flat_map(|v| v.text.split(',').map(|s| s.trim().to_string()))
                .filter(|s| !s.is_empty())
                .collect();
            let best = accepted.iter().filter_map(|v| Version::parse(v)).max();
            match (accepted.is_empty(), best) {
                (true, _) => ns_version,
                (false, Some(v)) => v,
                (false, None) => {
                    return Err(WfsError::new("VersionNegotiationFailed", "AcceptVersions", "none of the accepted versions is supported (2.0.0, 1.1.0, 1.0.0)"));
                }
            }
        }
        None => ns_version,
    };
    let request = match op {
        "GetCapabilities" => Request::GetCapabilities,
        "DescribeFeatureType" => {
            let mut names = Vec::new();
            for child in &root.children {
                match child.name.as_str() {
                    "TypeName" => names.extend(type_names(&child.text)),
                    _ => return Err(unexpected(child, root)),
                }
            }
            Request::DescribeFeatureType { type_names: names }
        }
        "GetFeature" => {
            only_children(root, &["Query", "StoredQuery"])?;
            Request::GetFeature(get_feature(root, version)?)
        }
        "GetPropertyValue" => {
            let value_reference =
                root.attr("valueReference").ok_or_else(|| WfsError::new("MissingParameterValue", "valueReference", "GetPropertyValue needs valueReference"))?;
            let name = value_reference.trim().rsplit(':').next().unwrap_or(value_reference).to_string();
            only_children(root, &["Query", "StoredQuery"])?;
            Request::GetPropertyValue { query: get_feature(root, version)?, value_reference: name }
        }
        "ListStoredQueries" => Request::ListStoredQueries,
        "DescribeStoredQueries" => {
            let mut ids = Vec::new();
            for child in &root.children {
                match child.name.as_str() {
                    "StoredQueryId" => ids.extend(list(&child.text)),
                    _ => return Err(unexpected(child, root)),
                }
            }
            Request::DescribeStoredQueries { ids }
        }
        "Transaction" | "LockFeature" | "GetFeatureWithLock" | "CreateStoredQuery" | "DropStoredQuery" | "GetGmlObject" => {
            return Err(WfsError::new("OperationNotSupported", "request", format!("{op} is not supported by this server")));
        }
        _ => return Err(parsing(format!("<{}> is not a WFS operation", root.qname))),
    };
    Ok(WfsRequest { version, request })
}

fn unexpected(child: &Element, parent: &Element) -> WfsError {
    parsing(format!("unexpected <{}> in <{}>", child.qname, parent.qname))
}

fn only_children(element: &Element, names: &[&str]) -> Result<(), WfsError> {
    match element.children.iter().find(|c| !names.contains(&c.name.as_str())) {
        Some(child) => Err(unexpected(child, element)),
        None => Ok(()),
    }
}

/// Type names without their namespace prefix, as KVP gives them; XML lists are
/// space-separated, KVP ones comma-separated: both are accepted.
fn type_names(v: &str) -> Vec<String> {
    v.split(|c: char| c == ',' || c == '(' || c == ')' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit(':').next().unwrap_or(s).to_string())
        .collect()
}

fn unprefixed(name: &str) -> String {
    let name = name.trim();
    name.rsplit(':').next().unwrap_or(name).to_string()
}

fn number(element: &Element, names: &[&str]) -> Result<Option<u64>, WfsError> {
    element
        .attr_of(names)
        .map(|(name, v)| v.trim().parse::<u64>().map_err(|_| invalid(name, format!("'{v}' is not a non-negative integer"))))
        .transpose()
}

/// What one `wfs:Query` asks.
struct Query {
    type_names: Vec<String>,
    filter: Option<Filter>,
    property_names: Option<Vec<String>>,
    sort_by: Vec<(String, bool)>,
    srs_name: Option<SrsName>,
}

fn get_feature(root: &Element, version: Version) -> Result<GetFeature, WfsError> {
    let stored: Vec<&Element> = root.children.iter().filter(|c| c.name == "StoredQuery").collect();
    let queries: Vec<&Element> = root.children.iter().filter(|c| c.name == "Query").collect();
    let mut by_id = false;
    let mut merged = match (stored.as_slice(), queries.as_slice()) {
        ([], []) => return Err(WfsError::new("MissingParameterValue", "typeNames", format!("<{}> has no wfs:Query", root.qname))),
        ([s], []) => {
            by_id = true;
            stored_query(s)?
        }
        ([], qs) => merge(qs.iter().map(|q| query(q)).collect::<Result<_, _>>()?)?,
        _ => return Err(not_supported("storedQuery_Id", "one wfs:StoredQuery, or wfs:Query elements, are supported in a request, not both or several")),
    };
    if merged.type_names.is_empty() {
        // Ids are `type.n`: they name the type when typeNames does not.
        if let Some(Filter::ResourceId(ids)) = &merged.filter {
            merged.type_names = ids.iter().filter_map(|i| i.rsplit_once('.').map(|(t, _)| t.to_string())).collect();
            merged.type_names.dedup();
        }
    }
    if merged.type_names.is_empty() {
        return Err(WfsError::new("MissingParameterValue", "typeNames", "the typeNames (or typeName) attribute of wfs:Query is required"));
    }
    let hits = match root.attr("resultType").map(str::to_ascii_lowercase).as_deref() {
        None | Some("results") => false,
        Some("hits") => true,
        Some(other) => return Err(invalid("resultType", format!("'{other}' is not results or hits"))),
    };
    let count_names: &[&str] = if version == Version::V2_0_0 { &["count", "maxFeatures"] } else { &["maxFeatures", "count"] };
    Ok(GetFeature {
        type_names: merged.type_names,
        filter: merged.filter,
        bbox_srs: None,
        property_names: merged.property_names,
        sort_by: merged.sort_by,
        srs_name: merged.srs_name,
        count: number(root, count_names)?,
        start_index: number(root, &["startIndex"])?.unwrap_or(0),
        hits,
        output_format: root.attr("outputFormat").map(str::to_string),
        by_id,
    })
}

/// `GetFeatureById`, the one stored query.
fn stored_query(element: &Element) -> Result<Query, WfsError> {
    let id = element.attr("id").ok_or_else(|| WfsError::new("MissingParameterValue", "storedQuery_Id", "wfs:StoredQuery needs an id"))?;
    if id != GET_FEATURE_BY_ID {
        return Err(invalid("storedQuery_Id", format!("no stored query '{id}' (only {GET_FEATURE_BY_ID})")));
    }
    let mut feature_id = None;
    for child in &element.children {
        match (child.name.as_str(), child.attr("name")) {
            ("Parameter", Some(name)) if name.eq_ignore_ascii_case("id") => {
                if !child.text.trim().is_empty() {
                    feature_id = Some(child.text.clone());
                }
            }
            ("Parameter", name) => return Err(invalid(name.unwrap_or("id"), format!("GetFeatureById has no parameter '{}'", name.unwrap_or("")))),
            _ => return Err(unexpected(child, element)),
        }
    }
    let id = feature_id.ok_or_else(|| WfsError::new("MissingParameterValue", "id", "GetFeatureById needs the id parameter"))?;
    let type_names = id.rsplit_once('.').map(|(t, _)| vec![t.to_string()]).unwrap_or_default();
    Ok(Query { type_names, filter: Some(Filter::ResourceId(vec![id])), property_names: None, sort_by: Vec::new(), srs_name: None })
}

fn query(element: &Element) -> Result<Query, WfsError> {
    let type_names = element.attr_of(&["typeNames", "typeName"]).map(|(_, v)| type_names(v)).unwrap_or_default();
    let srs_name = match element.attr("srsName") {
        Some(s) => Some(SrsName::parse(s).ok_or_else(|| invalid("srsName", format!("'{s}' is not a CRS this server knows")))?),
        None => None,
    };
    let mut filter = None;
    let mut properties: Option<Vec<String>> = None;
    let mut sort_by = Vec::new();
    for child in &element.children {
        match child.name.as_str() {
            "PropertyName" => {
                let names = list(&child.text.replace(['(', ')'], ""));
                properties.get_or_insert_with(Vec::new).extend(names);
            }
            "Filter" if child.is_filter() => {
                if filter.is_some() {
                    return Err(parsing(format!("<{}> has more than one filter", element.qname)));
                }
                let text = child.xml.as_deref().unwrap_or_default();
                filter = Some(fes::parse(text).map_err(|e| invalid("filter", e.message))?);
            }
            "SortBy" if matches!(child.ns.as_deref(), Some(FES20 | OGC)) => sort_by.extend(sort(child)?),
            _ => return Err(unexpected(child, element)),
        }
    }
    // `*` (OWSLib sends it) means every property, as no PropertyName does.
    let property_names =
        properties.filter(|names| !names.iter().any(|n| n == "*")).map(|names| names.iter().map(|p| unprefixed(p)).collect());
    Ok(Query { type_names, filter, property_names, sort_by, srs_name })
}

fn sort(element: &Element) -> Result<Vec<(String, bool)>, WfsError> {
    let mut out = Vec::new();
    for property in &element.children {
        if property.name != "SortProperty" {
            return Err(unexpected(property, element));
        }
        let mut name = None;
        let mut ascending = true;
        for child in &property.children {
            match child.name.as_str() {
                "ValueReference" | "PropertyName" => name = Some(unprefixed(&child.text)),
                "SortOrder" => {
                    ascending = match child.text.trim().to_ascii_uppercase().as_str() {
                        "ASC" | "A" => true,
                        "DESC" | "D" => false,
                        o => return Err(invalid("sortBy", format!("'{o}' is not ASC or DESC"))),
                    }
                }
                _ => return Err(unexpected(child, property)),
            }
        }
        match name {
            Some(n) if !n.is_empty() => out.push((n, ascending)),
            _ => return Err(invalid("sortBy", format!("<{}> names no property", property.qname))),
        }
    }
    Ok(out)
}

/// Several queries as one over several types, when nothing differs but the types.
fn merge(queries: Vec<Query>) -> Result<Query, WfsError> {
    let mut queries = queries.into_iter();
    let Some(mut merged) = queries.next() else {
        return Err(WfsError::new("MissingParameterValue", "typeNames", "no wfs:Query"));
    };
    for q in queries {
        if merged.filter.is_some() || q.filter.is_some() {
            return Err(not_supported(
                "filter",
                "a filter is supported only in a request with one wfs:Query (the server applies one filter to all the types of a request)",
            ));
        }
        if q.srs_name != merged.srs_name {
            return Err(not_supported("srsName", "all the wfs:Query elements of a request must have the same srsName"));
        }
        if q.sort_by != merged.sort_by {
            return Err(not_supported("sortBy", "all the wfs:Query elements of a request must sort the same way"));
        }
        merged.property_names = match (merged.property_names.take(), q.property_names) {
            (None, None) => None,
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            _ => {
                return Err(not_supported("propertyName", "either all the wfs:Query elements of a request or none must name properties"));
            }
        };
        merged.type_names.extend(q.type_names);
    }
    Ok(merged)
}

#[cfg(test)]
#[path = "xml_request_tests.rs"]
mod tests;
