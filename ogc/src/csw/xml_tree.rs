//! A namespace-aware element tree for the XML the catalogue reads: request bodies and ISO 19139
//! records.
//!
//! Both are small enough to hold whole (a record is a few kilobytes, a request less), and a tree
//! lets the readers look elements up by path instead of running a state machine per document
//! type. Hostile input is stopped here as the filter reader does: DTDs are refused (so no entity
//! can be declared or expanded), nesting depth and element count are capped.
//!
//! An `ogc:Filter` element is not read into the tree: its text is cut out of the document, the
//! namespace bindings in scope there are re-declared on it, and the result is kept for the
//! filter parser ([`crate::filter::fes::parse`]), exactly as a KVP `CONSTRAINT` value would reach it.

use quick_xml::XmlVersion;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;

pub const OGC: &str = "http://www.opengis.net/ogc";
const FES20: &str = "http://www.opengis.net/fes/2.0";

/// Far above any record or request (an ISO record with many keywords has a few thousand).
const MAX_ELEMENTS: usize = 200_000;
/// ISO 19139 nests deeply (ten levels to a keyword) but not beyond this.
const MAX_DEPTH: usize = 200;

#[derive(Debug, Default)]
pub struct Element {
    pub ns: Option<String>,
    /// The local name.
    pub name: String,
    /// The name as written, for messages.
    pub qname: String,
    /// Attributes: namespace (None for unprefixed), local name, value.
    pub attrs: Vec<(Option<String>, String, String)>,
    pub children: Vec<Element>,
    /// Character data directly inside the element (whitespace between children included).
    pub text: String,
    /// For a filter element, its XML with the bindings in scope re-declared on it.
    pub filter_xml: Option<String>,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns.as_deref() == Some(ns)
    }

    /// An unprefixed attribute, when present and not blank.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(ns, n, v)| ns.is_none() && n == name && !v.trim().is_empty()).map(|(_, _, v)| v.as_str())
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
    body: &'a str,
    reader: NsReader<&'a [u8]>,
    version: XmlVersion,
    scopes: Vec<Vec<Binding>>,
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
}

/// Reads a document into its root element; the error is a message for the client.
pub fn read(body: &str) -> Result<Element, String> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let mut reader = NsReader::from_str(body);
    reader.config_mut().trim_text(false);
    let mut r = Reader { body, reader, version: XmlVersion::default(), scopes: Vec::new(), open: Vec::new(), root: None, elements: 0 };
    loop {
        let before = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
        let (resolved, event) = match r.reader.read_resolved_event() {
            Ok((resolved, event)) => (namespace(resolved, &event)?, event),
            Err(e) => return Err(malformed(r.reader.error_position(), &e)),
        };
        match event {
            Event::Start(start) => {
                let (mut element, bindings) = r.open(resolved, &start)?;
                r.count(&element)?;
                if is_filter(&element) {
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
                if is_filter(&element) {
                    let after = usize::try_from(r.reader.buffer_position()).unwrap_or(usize::MAX);
                    element.filter_xml = Some(r.filter_text(before, after, &bindings)?);
                }
                r.attach(element)?;
            }
            Event::End(_) => {
                let element = r.open.pop().ok_or("malformed XML: an end tag without its start tag")?;
                r.scopes.pop();
                r.attach(element)?;
            }
            Event::Text(text) => r.text(&text.xml_content(r.version))?,
            Event::CData(text) => r.text(&text.xml_content(r.version))?,
            Event::GeneralRef(reference) => r.text(&entity(&reference)?)?,
            Event::DocType(_) => return Err("DTDs are not allowed (no DOCTYPE, no entity declarations)".to_string()),
            Event::Decl(decl) => r.version = decl.xml_version().map_err(|e| malformed(r.reader.buffer_position(), &e))?,
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(element) = r.open.pop() {
                    return Err(format!("the document ends before <{}> is closed", element.qname));
                }
                return r.root.ok_or_else(|| "the document is empty".to_string());
            }
        }
    }
}

fn is_filter(element: &Element) -> bool {
    element.name == "Filter" && matches!(element.ns.as_deref(), Some(OGC | FES20))
}

fn namespace(resolved: ResolveResult<'_>, event: &Event<'_>) -> Result<Option<String>, String> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_string())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => {
            let prefix = prefix.to_string();
            let element = match event {
                Event::Start(s) | Event::Empty(s) => s.name().as_ref().to_string(),
                Event::End(e) => e.name().as_ref().to_string(),
                _ => String::new(),
            };
            Err(format!("the prefix '{prefix}' of <{element}> is not declared (add xmlns:{prefix}=\"...\")"))
        }
    }
}

fn malformed(position: u64, error: &quick_xml::Error) -> String {
    format!("malformed XML at byte {position}: {error}")
}

/// Character references and the five predefined entities; nothing else exists without a DTD.
fn entity(reference: &BytesRef<'_>) -> Result<String, String> {
    let name = reference.as_ref().to_string();
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            _ => Err(format!("invalid character reference '&{name};'")),
        };
    }
    resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| format!("undefined entity '&{name};' (only the predefined XML entities and character references are allowed)"))
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
                        ResolveResult::Unknown(p) => {
                            // `xml:lang` is bound by definition.
                            if p == "xml" {
                                Some("http://www.w3.org/XML/1998/namespace".to_string())
                            } else {
                                return Err(format!("the prefix '{}' of an attribute of <{qname}> is not declared", p));
                            }
                        }
                    };
                    attrs.push((ns, local.as_ref().to_string(), value));
                }
            }
        }
        Ok((Element { ns, name, qname, attrs, ..Element::default() }, bindings))
    }

    fn count(&mut self, element: &Element) -> Result<(), String> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(format!("the document has more than {MAX_ELEMENTS} elements (at <{}>)", element.qname));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(format!("the document nests elements deeper than {MAX_DEPTH} levels (at <{}>)", element.qname));
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

    /// The filter element's text, `body[before..after]`, with every namespace binding in scope
    /// that it does not declare itself re-declared on its start tag.
    fn filter_text(&self, before: usize, after: usize, own: &[Binding]) -> Result<String, String> {
        let span = self.body.get(before..after).ok_or("malformed XML around the filter")?;
        let start = span.find('<').ok_or("malformed XML around the filter")?;
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

    #[test]
    fn reads_namespaces_paths_and_filters() {
        let doc = r#"<?xml version="1.0"?>
            <a:root xmlns:a="urn:a" xmlns:ogc="http://www.opengis.net/ogc" x="1">
              <a:b><a:c>one</a:c><a:c> two &amp; </a:c></a:b>
              <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>a:x</ogc:PropertyName><ogc:Literal>1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
            </a:root>"#;
        let root = read(doc).unwrap();
        assert!(root.is("urn:a", "root"));
        assert_eq!(root.attr("x"), Some("1"));
        assert_eq!(root.path(&[("urn:a", "b"), ("urn:a", "c")]).unwrap().trimmed(), Some("one"));
        assert_eq!(root.all(&[("urn:a", "b"), ("urn:a", "c")]).len(), 2);
        let filter = root.child(OGC, "Filter").unwrap().filter_xml.as_deref().unwrap();
        assert!(filter.starts_with("<ogc:Filter xmlns:"), "{filter}");
        assert!(filter.contains(" xmlns:a=\"urn:a\"") && filter.contains(" xmlns:ogc=\"http://www.opengis.net/ogc\""), "{filter}");
    }

    #[test]
    fn refuses_dtds_undeclared_prefixes_and_broken_documents() {
        assert!(read(r#"<!DOCTYPE x [<!ENTITY a "b">]><x/>"#).unwrap_err().contains("DTD"));
        assert!(read("<p:x/>").unwrap_err().contains("xmlns:p"));
        assert!(read("<x><y></x>").is_err());
        assert!(read("").is_err());
        assert!(read("<x/><y/>").is_err());
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
        assert!(read(&deep).unwrap_err().contains("deeper than"));
        let wide = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS + 1));
        assert!(read(&wide).unwrap_err().contains("more than"));
    }
}
