//! The filter document read into a small element tree before it is interpreted.
//!
//! Filter documents are small (a request parameter or body), so a tree costs little and lets the
//! interpreter look at an element's children as a slice: "two expressions", "a property and a
//! geometry" become slice patterns instead of a hand-written state machine per operator.
//!
//! Everything hostile is stopped here, before interpretation: DTDs (so no entity can be declared,
//! let alone expanded: billion-laughs documents fail on their first event), nesting depth, element
//! count, undeclared namespace prefixes, stray text.
//!
//! The style reader (`crate::style`) reads SLD / SE documents with the same reader, so that the
//! `ogc:Filter` of a rule is interpreted from the very same tree, and the defences are written
//! once. Styles need two things filters do not: mixed content (an SE `Label` or `SvgParameter`
//! interleaves text and `ogc:PropertyName`), kept as each child's [`Element::tail`] for the
//! elements [`ReadOptions::mixed`] allows, and the byte offset of each element, for error
//! positions.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::super::FilterError;

pub(crate) const FES20: &str = "http://www.opengis.net/fes/2.0";
pub(crate) const OGC: &str = "http://www.opengis.net/ogc";
pub(crate) const GML31: &str = "http://www.opengis.net/gml";
pub(crate) const GML32: &str = "http://www.opengis.net/gml/3.2";

/// Deeper than any real filter (a few logical levels around GML of depth ~6), shallow enough that
/// the recursive interpreter cannot exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 100;
/// Far above any hand-written or client-generated filter; bounds the tree's memory.
const MAX_ELEMENTS: usize = 100_000;

/// One element: its namespace URI, names, attributes and content.
#[derive(Debug)]
pub(crate) struct Element {
    pub ns: Option<String>,
    /// The local name, which the interpreter matches on.
    pub name: String,
    /// The name as written (`fes:PropertyIsLike`), for error messages.
    pub qname: String,
    attrs: Vec<Attr>,
    pub children: Vec<Element>,
    /// The character data of an element without children; for an element with children, the
    /// text before its first child when mixed content is allowed, else empty (stray text is
    /// refused while reading).
    pub text: String,
    /// The text after this element's end tag, up to its next sibling or its parent's end tag:
    /// kept only when the parent allows mixed content, else empty.
    pub tail: String,
    /// The byte offset of the start tag in the document (after a byte-order mark, if any).
    pub offset: usize,
}

#[derive(Debug)]
struct Attr {
    ns: Option<String>,
    name: String,
    value: String,
}

impl Element {
    pub fn in_ns(&self, ns: &str) -> bool {
        self.ns.as_deref() == Some(ns)
    }

    pub fn is_gml(&self) -> bool {
        self.in_ns(GML31) || self.in_ns(GML32)
    }

    /// An attribute without a prefix (FES and GML attributes such as `srsName` are unqualified).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns.is_none() && a.name == name).map(|a| a.value.as_str())
    }

    /// `gml:id` and friends, in either GML namespace.
    pub fn gml_attr(&self, name: &str) -> Option<&str> {
        let gml = |ns: &Option<String>| matches!(ns.as_deref(), Some(GML31 | GML32));
        self.attrs.iter().find(|a| gml(&a.ns) && a.name == name).map(|a| a.value.as_str())
    }

    /// An attribute in namespace `ns` (`xlink:href`).
    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns.as_deref() == Some(ns) && a.name == name).map(|a| a.value.as_str())
    }

    /// Whether an attribute of this local name is present in any namespace (used to refuse
    /// `xlink:href` references, which cannot be followed).
    pub fn has_attr_named(&self, name: &str) -> bool {
        self.attrs.iter().any(|a| a.name == name)
    }
}

/// What a document is called in messages, and which of its elements may mix text and elements.
pub(crate) struct ReadOptions {
    /// "filter", "style": the word error messages use for the document.
    pub document: &'static str,
    /// Whether an element may hold text between its children.
    pub mixed: fn(&Element) -> bool,
}

const FILTER: ReadOptions = ReadOptions { document: "filter", mixed: |_| false };

/// Reads the whole filter document into its root element.
pub(super) fn read(xml: &str) -> Result<Element, FilterError> {
    read_with(xml, &FILTER)
}

/// Reads the whole document into its root element.
pub(crate) fn read_with(xml: &str, options: &ReadOptions) -> Result<Element, FilterError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let mut reader = NsReader::from_str(xml);
    // Whitespace is kept: it is significant inside a Literal, and entity references split text
    // into several events that trimming would corrupt. Element-only content is checked instead.
    reader.config_mut().trim_text(false);
    let mut tree = Tree { options, open: Vec::new(), root: None, elements: 0, version: XmlVersion::default() };
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => return Err(malformed(reader.error_position(), &e)),
        };
        let ns = namespace(resolved, &event)?;
        match event {
            Event::Start(start) => {
                let element = open(&reader, ns, &start, tree.version, offset)?;
                tree.push(element)?;
            }
            Event::Empty(start) => {
                let element = open(&reader, ns, &start, tree.version, offset)?;
                tree.count(&element)?;
                tree.attach(element)?;
            }
            Event::End(_) => tree.close()?,
            Event::Text(text) => tree.text(&text.xml_content(tree.version))?,
            Event::CData(text) => tree.text(&text.xml_content(tree.version))?,
            Event::GeneralRef(reference) => tree.text(&entity(&reference)?)?,
            Event::DocType(_) => {
                return Err(FilterError::new(format!("DTDs are not allowed in a {} (no DOCTYPE, no entity declarations)", options.document)));
            }
            Event::Decl(decl) => tree.version = decl.xml_version().map_err(|e| malformed(reader.buffer_position(), &e))?,
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => return tree.finish(),
        }
    }
}

fn malformed(position: u64, error: &quick_xml::Error) -> FilterError {
    FilterError::new(format!("malformed XML at byte {position}: {error}"))
}

/// The namespace of an element event; an undeclared prefix is the usual mistake of a KVP
/// `FILTER` fragment cut out of a larger document, so the message says which declaration is due.
pub(crate) fn namespace(resolved: ResolveResult<'_>, event: &Event<'_>) -> Result<Option<String>, FilterError> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_string())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => {
            let name = match event {
                Event::Start(e) | Event::Empty(e) => e.name().as_ref().to_string(),
                Event::End(e) => e.name().as_ref().to_string(),
                _ => prefix.clone(),
            };
            Err(FilterError::new(format!("the namespace prefix '{prefix}' of <{name}> is not declared{}", declaration_hint(&prefix))))
        }
    }
}

fn declaration_hint(prefix: &str) -> String {
    let ns = match prefix {
        "fes" => FES20,
        "ogc" => OGC,
        "gml" => return format!(" (add xmlns:gml=\"{GML32}\" for GML 3.2 or xmlns:gml=\"{GML31}\" for GML 3.1.1)"),
        _ => return format!(" (add xmlns:{prefix}=\"...\")"),
    };
    format!(" (add xmlns:{prefix}=\"{ns}\")")
}

fn open(reader: &NsReader<&[u8]>, ns: Option<String>, start: &BytesStart<'_>, version: XmlVersion, offset: usize) -> Result<Element, FilterError> {
    let qname = start.name().as_ref().to_string();
    let name = start.local_name().as_ref().to_string();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| FilterError::new(format!("malformed attribute in <{qname}>: {e}")))?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let (resolved, local) = reader.resolver().resolve_attribute(attr.key);
        let attr_ns = match resolved {
            ResolveResult::Bound(ns) => Some(ns.as_ref().to_string()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err(FilterError::new(format!(
                    "the namespace prefix '{prefix}' of attribute {} in <{qname}> is not declared{}",
                    attr.key.as_ref(),
                    declaration_hint(&prefix)
                )));
            }
        };
        let value = attr.normalized_value(version).map_err(|e| {
            FilterError::new(format!("attribute {} of <{qname}>: {e} (write & as &amp;; only the predefined XML entities are allowed)", attr.key.as_ref()))
        })?;
        attrs.push(Attr { ns: attr_ns, name: local.as_ref().to_string(), value: value.into_owned() });
    }
    Ok(Element { ns, name, qname, attrs, children: Vec::new(), text: String::new(), tail: String::new(), offset })
}

/// Character references and the five predefined entities; nothing else can exist without a DTD.
/// Shared with the request reader (`ows/xml_tree.rs`).
pub(crate) fn entity(reference: &BytesRef<'_>) -> Result<String, FilterError> {
    let bad =
        || FilterError::new(format!("undefined entity '&{};' (only the predefined XML entities and character references are allowed)", reference.as_ref()));
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            _ => Err(FilterError::new(format!("invalid character reference '&{};'", reference.as_ref()))),
        };
    }
    resolve_predefined_entity(reference.as_ref()).map(str::to_string).ok_or_else(bad)
}

struct Tree<'o> {
    options: &'o ReadOptions,
    open: Vec<Element>,
    root: Option<Element>,
    elements: usize,
    version: XmlVersion,
}

impl Tree<'_> {
    fn count(&mut self, element: &Element) -> Result<(), FilterError> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(FilterError::new(format!("the {} has more than {MAX_ELEMENTS} elements (at <{}>)", self.options.document, element.qname)));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(FilterError::new(format!(
                "the {} nests elements deeper than {MAX_DEPTH} levels (at <{}>)",
                self.options.document, element.qname
            )));
        }
        Ok(())
    }

    fn push(&mut self, element: Element) -> Result<(), FilterError> {
        self.count(&element)?;
        if self.open.is_empty() && self.root.is_some() {
            return Err(second_root(&element, self.options));
        }
        self.open.push(element);
        Ok(())
    }

    fn attach(&mut self, element: Element) -> Result<(), FilterError> {
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None if self.root.is_some() => return Err(second_root(&element, self.options)),
            None => self.root = Some(element),
        }
        Ok(())
    }

    /// Ends the innermost element; the reader has already checked the end tag's name.
    fn close(&mut self) -> Result<(), FilterError> {
        let mut element = self.open.pop().ok_or_else(|| FilterError::new("malformed XML: an end tag without its start tag"))?;
        if !element.children.is_empty() && !(self.options.mixed)(&element) {
            let texts = std::iter::once(&element.text).chain(element.children.iter().map(|c| &c.tail));
            if let Some(stray) = texts.map(|t| t.trim()).find(|t| !t.is_empty()) {
                return Err(FilterError::new(format!("unexpected text '{}' in <{}>, which holds elements", excerpt(stray), element.qname)));
            }
            element.text.clear();
            element.children.iter_mut().for_each(|c| c.tail.clear());
        }
        self.attach(element)
    }

    /// Text goes to the innermost open element, or after its last child (the child's tail).
    fn text(&mut self, text: &str) -> Result<(), FilterError> {
        match self.open.last_mut() {
            Some(element) => match element.children.last_mut() {
                Some(child) => child.tail.push_str(text),
                None => element.text.push_str(text),
            },
            None if text.trim().is_empty() => {}
            None => return Err(FilterError::new(format!("unexpected text '{}' outside the root element", excerpt(text.trim())))),
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Element, FilterError> {
        if let Some(element) = self.open.pop() {
            return Err(FilterError::new(format!("the document ends before <{}> is closed", element.qname)));
        }
        let document = self.options.document;
        self.root.ok_or_else(|| FilterError::new(format!("the {document} document is empty")))
    }
}

fn second_root(element: &Element, options: &ReadOptions) -> FilterError {
    FilterError::new(format!("unexpected <{}> after the root element (a {} document has one root)", element.qname, options.document))
}

/// The start of a long text, so an error message stays one line.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}
