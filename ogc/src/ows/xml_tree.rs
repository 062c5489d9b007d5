//! The namespace-aware element tree the XML-encoded service requests (WFS and CSW POST bodies)
//! and ISO 19139 records are read into.
//!
//! These documents are small enough to hold whole, and a tree lets each service look elements
//! up instead of running a state machine per document type. Hostile input is stopped here, once
//! for every service, as the filter reader (`filter/fes_xml.rs`) does: DTDs are refused (so no
//! entity can be declared or expanded: billion-laughs documents fail on their first event),
//! nesting depth and element count are capped.
//!
//! A `fes:Filter` / `ogc:Filter` element is not read into the tree: its text is cut out of the
//! document, the namespace bindings in scope there (usually declared on the root) are
//! re-declared on it, and the result is kept for the filter parser ([`crate::filter::fes::parse`]),
//! exactly as a KVP `FILTER` / `CONSTRAINT` value reaches it. The filter reader is a separate
//! tree because it reads filters into elements (and styles with mixed content); this one keeps
//! them as text so that a filter in a body and one in a query string meet the same parser.
//!
//! Errors are messages for the client; each service wraps them in its own exception.

use quick_xml::XmlVersion;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;

use crate::filter::fes;

pub(crate) const OGC: &str = "http://www.opengis.net/ogc";
pub(crate) const FES20: &str = "http://www.opengis.net/fes/2.0";

/// What differs between the documents the services read.
pub(crate) struct ReadOptions {
    /// "request", "document": the word messages use for the document.
    pub document: &'static str,
    pub max_depth: usize,
    pub max_elements: usize,
    /// Whether text beside child elements is refused (request elements hold either elements or
    /// text) rather than kept in [`Element::text`].
    pub element_only: bool,
    /// Whether an attribute with an undeclared prefix is dropped rather than refused: WFS
    /// clients send `xsi:schemaLocation` without declaring `xsi`, and WFS attributes are
    /// unqualified anyway.
    pub drop_undeclared_attributes: bool,
    /// Elements (namespace, local name) kept as their XML text, like filters: documents a
    /// request carries whole (the ISO records of a CSW Transaction) are read by their own
    /// reader, with its own checks.
    pub verbatim: &'static [(&'static str, &'static str)],
}

#[derive(Debug, Default)]
pub(crate) struct Element {
    pub ns: Option<String>,
    /// The local name.
    pub name: String,
    /// The name as written, for messages.
    pub qname: String,
    /// Attributes: namespace (None for unprefixed), local name, value.
    pub attrs: Vec<(Option<String>, String, String)>,
    pub children: Vec<Element>,
    /// Character data directly inside the element (whitespace between children included, unless
    /// [`ReadOptions::element_only`]).
    pub text: String,
    /// For a filter element or a [`ReadOptions::verbatim`] one, its XML with the bindings in
    /// scope re-declared on it (its children are not read).
    pub xml: Option<String>,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns.as_deref() == Some(ns)
    }

    pub fn is_filter(&self) -> bool {
        self.name == "Filter" && matches!(self.ns.as_deref(), Some(OGC | FES20))
    }

    fn kept_verbatim(&self, options: &ReadOptions) -> bool {
        self.is_filter() || options.verbatim.iter().any(|(ns, name)| self.is(ns, name))
    }

    /// An unprefixed attribute, when present and not blank.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(ns, n, v)| ns.is_none() && n == name && !v.trim().is_empty()).map(|(_, _, v)| v.as_str())
    }

    /// The first of `names` present (not blank), with the name found.
    pub fn attr_of<'a>(&'a self, names: &[&'a str]) -> Option<(&'a str, &'a str)> {
        names.iter().find_map(|n| self.attr(n).map(|v| (*n, v)))
    }

    /// The first child of that namespace and local name.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn children_named<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Follows a path of (namespace, name) steps, first match at each step.
    pub fn path(&self, steps: &[(&str, &str)]) -> Option<&Element> {
        steps.iter().try_fold(self, |e, (ns, name)| e.child(ns, name))
    }

    /// Every element reached by the path, all matches at each step.
    pub fn all<'a>(&'a self, steps: &[(&str, &str)]) -> Vec<&'a Element> {
        let mut current = vec![self];
        for (ns, name) in steps {
            current = current.iter().flat_map(|e| e.children.iter().filter(|c| c.is(ns, name))).collect();
        }
        current
    }

    /// The trimmed text, None when blank.
    pub fn trimmed(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }
}

/// A namespace binding: prefix (`None`: the default namespace) and URI.
type Binding = (Option<String>, String);

struct Reader<'a> {
    options: &'a ReadOptions,
    body: &'a str,
    reader: NsReader<&'a [u8]>,
    version: XmlVersion,
    /// The bindings each open element declares.
    scopes: Vec<Vec<Binding>>,
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

/// Reads a document into its root element; the error is a message for the client.
pub(crate) fn read(body: &str, options: &ReadOptions) -> Result<Element, String> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let mut reader = NsReader::from_str(body);
    // Whitespace is kept: it is significant in a value, and entity references split text into
    // several events that trimming would corrupt.
    reader.config_mut().trim_text(false);
    let mut r =
        Reader { options, body, reader, version: XmlVersion::default(), scopes: Vec::new(), open: Vec::new(), root: None, elements: 0 };
    let document = options.document;
    loop {
        let before = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
        let (resolved, event) = match r.reader.read_resolved_event() {
            Ok((resolved, event)) => (fes::namespace(resolved, &event).map_err(|e| e.message)?, event),
            Err(e) => return Err(malformed(r.reader.error_position(), &e)),
        };
        match event {
            Event::Start(start) => {
                let (mut element, bindings) = r.open(resolved, &start)?;
                r.count(&element)?;
                if element.kept_verbatim(options) {
                    let end = start.to_end().into_owned();
                    if let Err(e) = r.reader.read_to_end(end.name()) {
                        return Err(malformed(r.reader.error_position(), &e));
                    }
                    let after = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
                    element.xml = Some(r.verbatim_text(before, after, &bindings)?);
                    r.attach(element)?;
                } else {
                    r.scopes.push(bindings);
                    r.open.push(element);
                }
            }
            Event::Empty(start) => {
                let (mut element, bindings) = r.open(resolved, &start)?;
                r.count(&element)?;
                if element.kept_verbatim(options) {
                    let after = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
                    element.xml = Some(r.verbatim_text(before, after, &bindings)?);
                }
                r.attach(element)?;
            }
            Event::End(_) => {
                let mut element = r.open.pop().ok_or("malformed XML: an end tag without its start tag")?;
                r.scopes.pop();
                if options.element_only && !element.children.is_empty() {
                    if !element.text.trim().is_empty() {
                        return Err(format!("unexpected text in <{}>, which holds elements", element.qname));
                    }
                    element.text.clear();
                }
                r.attach(element)?;
            }
            Event::Text(text) => r.text(&text.xml_content(r.version))?,
            Event::CData(text) => r.text(&text.xml_content(r.version))?,
            Event::GeneralRef(reference) => r.text(&fes::entity(&reference).map_err(|e| e.message)?)?,
            Event::DocType(_) => return Err(format!("DTDs are not allowed in a {document} (no DOCTYPE, no entity declarations)")),
            Event::Decl(decl) => r.version = decl.xml_version().map_err(|e| malformed(r.reader.buffer_position(), &e))?,
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(element) = r.open.pop() {
                    return Err(format!("the document ends before <{}> is closed", element.qname));
                }
                return r.root.ok_or_else(|| format!("the {document} is empty"));
            }
        }
    }
}

fn malformed(position: u64, error: &quick_xml::Error) -> String {
    format!("malformed XML at byte {position}: {error}")
}

impl Reader<'_> {
    fn open(&self, ns: Option<String>, start: &BytesStart<'_>) -> Result<(Element, Vec<Binding>), String> {
        let qname = start.name().as_ref().to_string();
        let name = start.local_name().as_ref().to_string();
        let mut attrs = Vec::new();
        let mut bindings = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| format!("malformed attribute in <{qname}>: {e}"))?;
            let value = attr
                .normalized_value(self.version)
                .map_err(|e| format!("attribute {} of <{qname}>: {e}", attr.key.as_ref()))?
                .into_owned();
            match attr.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => bindings.push((None, value)),
                Some(PrefixDeclaration::Named(prefix)) => bindings.push((Some(prefix.to_string()), value)),
                None => {
                    let (resolved, local) = self.reader.resolver().resolve_attribute(attr.key);
                    let ns = match resolved {
                        ResolveResult::Bound(ns) => Some(ns.as_ref().to_string()),
                        ResolveResult::Unbound => None,
                        ResolveResult::Unknown(_) if self.options.drop_undeclared_attributes => continue,
                        ResolveResult::Unknown(p) => {
                            return Err(format!("the prefix '{p}' of an attribute of <{qname}> is not declared"));
                        }
                    };
                    attrs.push((ns, local.as_ref().to_string(), value));
                }
            }
        }
        Ok((Element { ns, name, qname, attrs, ..Element::default() }, bindings))
    }

    fn count(&mut self, element: &Element) -> Result<(), String> {
        let ReadOptions { document, max_depth, max_elements, .. } = *self.options;
        self.elements += 1;
        if self.elements > max_elements {
            return Err(format!("the {document} has more than {max_elements} elements (at <{}>)", element.qname));
        }
        if self.open.len() >= max_depth {
            return Err(format!("the {document} nests elements deeper than {max_depth} levels (at <{}>)", element.qname));
        }
        Ok(())
    }

    fn attach(&mut self, element: Element) -> Result<(), String> {
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None if self.root.is_some() => return Err(format!("unexpected <{}> after the root element", element.qname)),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), String> {
        match self.open.last_mut() {
            Some(element) => element.text.push_str(text),
            None if text.trim().is_empty() => {}
            None => return Err("unexpected text outside the root element".to_string()),
        }
        Ok(())
    }

    /// A verbatim element's text, `body[before..after]`, with every namespace binding in scope
    /// that it does not declare itself re-declared on its start tag.
    fn verbatim_text(&self, before: usize, after: usize, own: &[Binding]) -> Result<String, String> {
        let span = self.body.get(before..after).ok_or("malformed XML around a verbatim element")?;
        // Text before the start tag cannot be there (it is its own event), but be safe.
        let start = span.find('<').ok_or("malformed XML around a verbatim element")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: ReadOptions =
        ReadOptions { document: "document", max_depth: 200, max_elements: 200_000, element_only: false, drop_undeclared_attributes: false, verbatim: &[] };

    #[test]
    fn reads_namespaces_paths_and_filters() {
        let doc = r#"<?xml version="1.0"?>
            <a:root xmlns:a="urn:a" xmlns:ogc="http://www.opengis.net/ogc" x="1" xml:lang="en">
              <a:b><a:c>one</a:c><a:c> two &amp; </a:c></a:b>
              <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>a:x</ogc:PropertyName><ogc:Literal>1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
            </a:root>"#;
        let root = read(doc, &DOCUMENT).unwrap();
        assert!(root.is("urn:a", "root"));
        assert_eq!(root.attr("x"), Some("1"));
        assert!(root.attrs.iter().any(|(ns, n, v)| ns.as_deref() == Some("http://www.w3.org/XML/1998/namespace") && n == "lang" && v == "en"));
        assert_eq!(root.path(&[("urn:a", "b"), ("urn:a", "c")]).unwrap().trimmed(), Some("one"));
        assert_eq!(root.all(&[("urn:a", "b"), ("urn:a", "c")]).len(), 2);
        let filter = root.child(OGC, "Filter").unwrap().xml.as_deref().unwrap();
        assert!(filter.starts_with("<ogc:Filter xmlns:"), "{filter}");
        assert!(filter.contains(" xmlns:a=\"urn:a\"") && filter.contains(" xmlns:ogc=\"http://www.opengis.net/ogc\""), "{filter}");
    }

    #[test]
    fn refuses_dtds_undeclared_prefixes_and_broken_documents() {
        assert!(read(r#"<!DOCTYPE x [<!ENTITY a "b">]><x/>"#, &DOCUMENT).unwrap_err().contains("DTD"));
        assert!(read("<p:x/>", &DOCUMENT).unwrap_err().contains("xmlns:p"));
        assert!(read("<x><y></x>", &DOCUMENT).is_err());
        assert!(read("", &DOCUMENT).is_err());
        assert!(read("<x/><y/>", &DOCUMENT).is_err());
        let deep = format!("{}{}", "<a>".repeat(201), "</a>".repeat(201));
        assert!(read(&deep, &DOCUMENT).unwrap_err().contains("deeper than"));
        let wide = format!("<a>{}</a>", "<b/>".repeat(200_001));
        assert!(read(&wide, &DOCUMENT).unwrap_err().contains("more than"));
    }

    #[test]
    fn element_only_refuses_stray_text_and_lenient_attributes_are_dropped() {
        let request = ReadOptions { element_only: true, drop_undeclared_attributes: true, ..DOCUMENT };
        assert!(read("<x>text<y/></x>", &request).unwrap_err().contains("unexpected text"));
        assert_eq!(read("<x> <y/> </x>", &request).unwrap().text, "");
        assert_eq!(read("<x> <y/> </x>", &DOCUMENT).unwrap().text, "  ");
        assert!(read(r#"<x p:a="1" b="2"/>"#, &request).unwrap().attrs.len() == 1);
        assert!(read(r#"<x p:a="1"/>"#, &DOCUMENT).unwrap_err().contains("'p'"));
    }
}
