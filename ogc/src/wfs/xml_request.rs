//! WFS requests in XML encoding (POST), for WFS 2.0.0 (`http://www.opengis.net/wfs/2.0`) and
//! 1.1.0/1.0.0 (`http://www.opengis.net/wfs`), parsed to the same values as the KVP encoding
//! ([`super::request::parse_kvp`]) gives for the equivalent request.
//!
//! The body is read into a small element tree, like the filter reader does, with the same
//! defences: DTDs are refused (no entity can be declared, so billion-laughs documents fail on
//! their first event), and size, nesting depth and element count are capped. A `fes:Filter` /
//! `ogc:Filter` element is not read into the tree: its text is cut out of the body, the namespace
//! bindings in scope at that point (usually declared on the root) are re-declared on it, and the
//! result goes to [`fes::parse`], exactly as a KVP `FILTER` value does.
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

use quick_xml::XmlVersion;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;

use super::request::{GET_FEATURE_BY_ID, GetFeature, Request, SrsName, Version, WfsError, WfsRequest};
use crate::filter::{Filter, fes};

pub const WFS20: &str = "http://www.opengis.net/wfs/2.0";
pub const WFS11: &str = "http://www.opengis.net/wfs";
const FES20: &str = "http://www.opengis.net/fes/2.0";
const OGC: &str = "http://www.opengis.net/ogc";

/// Far above any real request body (filters with large polygons included).
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Request elements nest a few levels (filters are checked by the filter reader).
const MAX_DEPTH: usize = 100;
const MAX_ELEMENTS: usize = 100_000;

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

// ---------------------------------------------------------------------------------------------
// Reading

#[derive(Debug)]
struct Element {
    ns: Option<String>,
    name: String,
    qname: String,
    /// Unprefixed attributes (WFS attributes are unqualified), name and value.
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
    /// For a filter element: its XML, namespace bindings in scope re-declared on it.
    filter_xml: Option<String>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, v)| n == name && !v.trim().is_empty()).map(|(_, v)| v.as_str())
    }

    /// The first of `names` present (non-empty), with the name found.
    fn attr_of<'a>(&'a self, names: &[&'a str]) -> Option<(&'a str, &'a str)> {
        names.iter().find_map(|n| self.attr(n).map(|v| (*n, v)))
    }

    fn is_filter(&self) -> bool {
        self.name == "Filter" && matches!(self.ns.as_deref(), Some(FES20 | OGC))
    }
}

/// A namespace binding: prefix (`None`: the default namespace) and URI.
type Binding = (Option<String>, String);

struct Reader<'a> {
    body: &'a str,
    reader: NsReader<&'a [u8]>,
    version: XmlVersion,
    /// The bindings each open element declares.
    scopes: Vec<Vec<Binding>>,
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

fn read(body: &str) -> Result<Element, WfsError> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let mut reader = NsReader::from_str(body);
    reader.config_mut().trim_text(false);
    let mut r = Reader { body, reader, version: XmlVersion::default(), scopes: Vec::new(), open: Vec::new(), root: None, elements: 0 };
    loop {
        let before = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
        let (resolved, event) = match r.reader.read_resolved_event() {
            Ok((resolved, event)) => (owned_ns(resolved, &event)?, event),
            Err(e) => return Err(malformed(r.reader.error_position(), &e)),
        };
        match event {
            Event::Start(start) => {
                let (element, bindings) = r.open(resolved, &start)?;
                r.count(&element)?;
                if element.is_filter() {
                    let mut element = element;
                    let end = start.to_end().into_owned();
                    if let Err(e) = r.reader.read_to_end(end.name()) {
                        return Err(malformed(r.reader.error_position(), &e));
                    }
                    let after = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
                    element.filter_xml = Some(r.filter_text(before, after, &bindings)?);
                    r.attach(element)?;
                } else {
                    r.scopes.push(bindings);
                    r.open.push(element);
                }
            }
            Event::Empty(start) => {
                let (mut element, bindings) = r.open(resolved, &start)?;
                r.count(&element)?;
                if element.is_filter() {
                    let after = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
                    element.filter_xml = Some(r.filter_text(before, after, &bindings)?);
                }
                r.attach(element)?;
            }
            Event::End(_) => {
                let mut element = r.open.pop().ok_or_else(|| parsing("malformed XML: an end tag without its start tag"))?;
                r.scopes.pop();
                if !element.children.is_empty() {
                    if !element.text.trim().is_empty() {
                        return Err(parsing(format!("unexpected text in <{}>, which holds elements", element.qname)));
                    }
                    element.text.clear();
                }
                r.attach(element)?;
            }
            Event::Text(text) => r.text(&text.xml_content(r.version))?,
            Event::CData(text) => r.text(&text.xml_content(r.version))?,
            Event::GeneralRef(reference) => r.text(&entity(&reference)?)?,
            Event::DocType(_) => return Err(parsing("DTDs are not allowed in a request (no DOCTYPE, no entity declarations)")),
            Event::Decl(decl) => r.version = decl.xml_version().map_err(|e| malformed(r.reader.buffer_position(), &e))?,
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(element) = r.open.pop() {
                    return Err(parsing(format!("the document ends before <{}> is closed", element.qname)));
                }
                return r.root.ok_or_else(|| parsing("the request body is empty"));
            }
        }
    }
}

fn owned_ns(resolved: ResolveResult<'_>, event: &Event<'_>) -> Result<Option<String>, WfsError> {
    fes::namespace(resolved, event).map_err(|e| parsing(e.message))
}

fn malformed(position: u64, error: &quick_xml::Error) -> WfsError {
    parsing(format!("malformed XML at byte {position}: {error}"))
}

/// Character references and the five predefined entities; nothing else can exist without a DTD.
fn entity(reference: &BytesRef<'_>) -> Result<String, WfsError> {
    let name = reference.as_ref().to_string();
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            _ => Err(parsing(format!("invalid character reference '&{name};'"))),
        };
    }
    resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| parsing(format!("undefined entity '&{name};' (only the predefined XML entities and character references are allowed)")))
}

impl Reader<'_> {
    fn open(&self, ns: Option<String>, start: &BytesStart<'_>) -> Result<(Element, Vec<Binding>), WfsError> {
        let qname = start.name().as_ref().to_string();
        let name = start.local_name().as_ref().to_string();
        let mut attrs = Vec::new();
        let mut bindings = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| parsing(format!("malformed attribute in <{qname}>: {e}")))?;
            let value = attr
                .normalized_value(self.version)
                .map_err(|e| parsing(format!("attribute {} of <{qname}>: {e}", attr.key.as_ref())))?
                .into_owned();
            match attr.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => bindings.push((None, value)),
                Some(PrefixDeclaration::Named(prefix)) => bindings.push((Some(prefix.to_string()), value)),
                None => {
                    let (resolved, local) = self.reader.resolver().resolve_attribute(attr.key);
                    if matches!(resolved, ResolveResult::Unbound) {
                        attrs.push((local.as_ref().to_string(), value));
                    }
                }
            }
        }
        Ok((Element { ns, name, qname, attrs, children: Vec::new(), text: String::new(), filter_xml: None }, bindings))
    }

    fn count(&mut self, element: &Element) -> Result<(), WfsError> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(parsing(format!("the request has more than {MAX_ELEMENTS} elements (at <{}>)", element.qname)));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(parsing(format!("the request nests elements deeper than {MAX_DEPTH} levels (at <{}>)", element.qname)));
        }
        Ok(())
    }

    fn attach(&mut self, element: Element) -> Result<(), WfsError> {
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None if self.root.is_some() => return Err(parsing(format!("unexpected <{}> after the root element", element.qname))),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), WfsError> {
        match self.open.last_mut() {
            Some(element) => element.text.push_str(text),
            None if text.trim().is_empty() => {}
            None => return Err(parsing("unexpected text outside the root element")),
        }
        Ok(())
    }

    /// The filter element's text, `body[before..after]`, with every namespace binding in scope
    /// that it does not declare itself re-declared on its start tag.
    fn filter_text(&self, before: usize, after: usize, own: &[Binding]) -> Result<String, WfsError> {
        let span = self.body.get(before..after).ok_or_else(|| parsing("malformed XML around the filter"))?;
        // Text before the start tag cannot be there (it is its own event), but be safe.
        let start = span.find('<').ok_or_else(|| parsing("malformed XML around the filter"))?;
        let span = &span[start..];
        let name_end = span[1..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').map(|i| i + 1).unwrap_or(span.len());
        let mut in_scope: Vec<&Binding> = Vec::new();
        for binding in self.scopes.iter().rev().flatten() {
            if !own.iter().any(|b| b.0 == binding.0) && !in_scope.iter().any(|b| b.0 == binding.0) {
                in_scope.push(binding);
            }
        }
        let mut out = String::with_capacity(span.len() + in_scope.len() * 64);
        out.push_str(&span[..name_end]);
        for (prefix, uri) in in_scope {
            match prefix {
                Some(p) => out.push_str(&format!(" xmlns:{p}=\"{}\"", escape(uri.as_str()))),
                None => out.push_str(&format!(" xmlns=\"{}\"", escape(uri.as_str()))),
            }
        }
        out.push_str(&span[name_end..]);
        Ok(out)
    }
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

fn list(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
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
                let text = child.filter_xml.as_deref().unwrap_or_default();
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
