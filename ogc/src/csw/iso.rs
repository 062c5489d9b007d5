//! ISO 19139 `gmd:MD_Metadata`: the writer (brief / summary / full, as the CSW ISO Application
//! Profile 1.0 defines the element sets) and the reader of imported documents.
//!
//! Writer choices:
//!
//! - Every element set stays valid against `gmd.xsd`, so even `brief` carries what the schema
//!   makes mandatory (contact, dateStamp, a citation date, abstract, resource language) on top of
//!   the AP's brief elements (identifier, type, title, extent). A mandatory value the record does
//!   not have is written empty with `gco:nilReason="missing"`, which the schema provides for that.
//! - `summary` adds what searchers look at in a result list: languages, reference systems,
//!   keywords, topic categories, resource contacts, formats, online resources, lineage. `full`
//!   adds the metadata standard name; for an imported record it is the original document,
//!   verbatim ([`Record::source_xml`]).
//! - Codelist values point at the ISO register (`gmxCodelists.xml`), as INSPIRE validators expect.
//! - Languages are `gmd:LanguageCode` (ISO 639-2/B), which INSPIRE requires and plain ISO allows.
//! - The identification is always `gmd:MD_DataIdentification`, also for a record whose
//!   hierarchy level is `service` (valid, though ISO 19119 would use `srv:SV_ServiceIdentification`):
//!   the server writes records for its layers, which are datasets; an imported service record's
//!   `full` view is its original document.
//!
//! Reader choices: only what [`Record`] models is read; the rest of the document survives in
//! `source_xml`. The identification is read from its first child, so service records
//! (`srv:SV_ServiceIdentification`, `srv:extent`) are read too. A document without a `gmd:MD_Metadata` root, a `fileIdentifier`, a title or a
//! `dateStamp` is refused with a message saying which, since the catalogue cannot identify, list
//! or date it. Localised strings (`PT_FreeText`) are read in their default language, `gmx:Anchor`
//! as its text.

use std::io;

use quick_xml::events::{BytesStart, BytesText, Event};

use super::record::{Contact, DateType, Keywords, OnlineResource, Record, RecordDate, Thesaurus};
use super::{ElementSet, GCO_NS, GMD_NS, XML_DOCUMENT};
use crate::bbox::Bbox;
use crate::ows::xml::{self, XmlWriter, nested};
use crate::ows::xml_tree::{self, Element};

const CODELISTS: &str = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml";
const LANGUAGE_CODELIST: &str = "http://www.loc.gov/standards/iso639-2/";
const GMX_NS: &str = "http://www.isotc211.org/2005/gmx";
const SRV_NS: &str = "http://www.isotc211.org/2005/srv";
/// Where clients and validators find the schema.
pub const SCHEMA_LOCATION: &str = "http://www.isotc211.org/2005/gmd http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd";

// ---------------------------------------------------------------------------------------------
// Writer

/// The record as a standalone ISO 19139 document (what GetRecordById returns inside its
/// response, and what a "download the metadata" link serves).
pub fn write(record: &Record, set: ElementSet) -> String {
    if let (ElementSet::Full, Some(source)) = (set, &record.source_xml) {
        return source.clone();
    }
    let w = xml::document();
    xml::finish(w, |w| write_element(w, record, set))
}

/// Writes the `gmd:MD_Metadata` element into a larger document (a CSW response). It declares
/// its own namespaces, so the container needs none.
pub fn write_element(w: &mut XmlWriter, record: &Record, set: ElementSet) -> io::Result<()> {
    if let (ElementSet::Full, Some(source)) = (set, &record.source_xml) {
        return w.write_event(Event::Text(BytesText::from_escaped(embeddable(source))));
    }
    let mut root = BytesStart::new("gmd:MD_Metadata");
    root.push_attribute(("xmlns:gmd", GMD_NS));
    root.push_attribute(("xmlns:gco", GCO_NS));
    root.push_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"));
    root.push_attribute(("xsi:schemaLocation", SCHEMA_LOCATION));
    w.write_event(Event::Start(root.borrow()))?;
    metadata(w, record, set)?;
    w.write_event(Event::End(root.to_end()))
}

/// The document without what cannot appear inside another one: a byte-order mark, the XML
/// declaration. (A DOCTYPE cannot be there: the reader refuses documents with one.)
pub fn embeddable(source: &str) -> &str {
    let s = source.strip_prefix('\u{feff}').unwrap_or(source).trim_start();
    match s.strip_prefix("<?xml").and_then(|rest| rest.find("?>").map(|end| &rest[end + 2..])) {
        Some(rest) => rest.trim_start(),
        None => s,
    }
}

fn metadata(w: &mut XmlWriter, r: &Record, set: ElementSet) -> io::Result<()> {
    let summary = set != ElementSet::Brief;
    character_string(w, "gmd:fileIdentifier", &r.file_identifier)?;
    if summary {
        if let Some(language) = &r.language {
            language_code(w, "gmd:language", language)?;
        }
        code(w, "gmd:characterSet", "gmd:MD_CharacterSetCode", "MD_CharacterSetCode", "utf8")?;
    }
    code(w, "gmd:hierarchyLevel", "gmd:MD_ScopeCode", "MD_ScopeCode", &r.hierarchy_level)?;
    if r.metadata_contacts.is_empty() {
        nil(w, "gmd:contact")?;
    }
    for c in &r.metadata_contacts {
        contact(w, "gmd:contact", c)?;
    }
    nested(w, &["gmd:dateStamp"], |w| date(w, &r.date_stamp))?;
    if set == ElementSet::Full {
        character_string(w, "gmd:metadataStandardName", "ISO 19115:2003/19139")?;
        character_string(w, "gmd:metadataStandardVersion", "1.0")?;
    }
    if summary {
        for crs in &r.crs {
            nested(
                w,
                &["gmd:referenceSystemInfo", "gmd:MD_ReferenceSystem", "gmd:referenceSystemIdentifier", "gmd:RS_Identifier"],
                |w| character_string(w, "gmd:code", crs),
            )?;
        }
    }
    nested(w, &["gmd:identificationInfo", "gmd:MD_DataIdentification"], |w| identification(w, r, summary))?;
    if summary && (!r.formats.is_empty() || !r.online_resources.is_empty()) {
        distribution(w, r)?;
    }
    if let (true, Some(lineage)) = (summary, &r.lineage) {
        nested(w, &["gmd:dataQualityInfo", "gmd:DQ_DataQuality"], |w| {
            nested(w, &["gmd:scope", "gmd:DQ_Scope"], |w| code(w, "gmd:level", "gmd:MD_ScopeCode", "MD_ScopeCode", &r.hierarchy_level))?;
            nested(w, &["gmd:lineage", "gmd:LI_Lineage"], |w| character_string(w, "gmd:statement", lineage))
        })?;
    }
    Ok(())
}

fn identification(w: &mut XmlWriter, r: &Record, summary: bool) -> io::Result<()> {
    nested(w, &["gmd:citation", "gmd:CI_Citation"], |w| {
        character_string(w, "gmd:title", &r.title)?;
        if r.dates.is_empty() {
            nil(w, "gmd:date")?;
        }
        for (kind, d) in &r.dates {
            citation_date(w, *kind, d)?;
        }
        Ok(())
    })?;
    character_string(w, "gmd:abstract", &r.abstract_)?;
    if summary {
        for c in &r.contacts {
            contact(w, "gmd:pointOfContact", c)?;
        }
        for k in r.keywords.iter().filter(|k| !k.words.is_empty()) {
            keywords(w, k)?;
        }
    }
    match &r.language {
        Some(language) => language_code(w, "gmd:language", language)?,
        None => nil(w, "gmd:language")?,
    }
    if summary {
        for t in &r.topic_categories {
            nested(w, &["gmd:topicCategory"], |w| xml::text(w, "gmd:MD_TopicCategoryCode", t))?;
        }
    }
    if let Some(b) = &r.bbox {
        nested(w, &["gmd:extent", "gmd:EX_Extent", "gmd:geographicElement", "gmd:EX_GeographicBoundingBox"], |w| {
            decimal(w, "gmd:westBoundLongitude", b.min_x)?;
            decimal(w, "gmd:eastBoundLongitude", b.max_x)?;
            decimal(w, "gmd:southBoundLatitude", b.min_y)?;
            decimal(w, "gmd:northBoundLatitude", b.max_y)
        })?;
    }
    Ok(())
}

fn distribution(w: &mut XmlWriter, r: &Record) -> io::Result<()> {
    nested(w, &["gmd:distributionInfo", "gmd:MD_Distribution"], |w| {
        for f in &r.formats {
            nested(w, &["gmd:distributionFormat", "gmd:MD_Format"], |w| {
                character_string(w, "gmd:name", f)?;
                // Mandatory; the server does not track format versions.
                w.create_element("gmd:version").with_attribute(("gco:nilReason", "unknown")).write_empty()?;
                Ok(())
            })?;
        }
        if !r.online_resources.is_empty() {
            nested(w, &["gmd:transferOptions", "gmd:MD_DigitalTransferOptions"], |w| {
                r.online_resources.iter().try_for_each(|o| online_resource(w, o))
            })?;
        }
        Ok(())
    })
}

fn online_resource(w: &mut XmlWriter, o: &OnlineResource) -> io::Result<()> {
    nested(w, &["gmd:onLine", "gmd:CI_OnlineResource"], |w| {
        nested(w, &["gmd:linkage"], |w| xml::text(w, "gmd:URL", &o.url))?;
        if let Some(p) = &o.protocol {
            character_string(w, "gmd:protocol", p)?;
        }
        if let Some(n) = &o.name {
            character_string(w, "gmd:name", n)?;
        }
        if let Some(d) = &o.description {
            character_string(w, "gmd:description", d)?;
        }
        Ok(())
    })
}

fn keywords(w: &mut XmlWriter, k: &Keywords) -> io::Result<()> {
    nested(w, &["gmd:descriptiveKeywords", "gmd:MD_Keywords"], |w| {
        for word in &k.words {
            character_string(w, "gmd:keyword", word)?;
        }
        if let Some(kind) = &k.kind {
            code(w, "gmd:type", "gmd:MD_KeywordTypeCode", "MD_KeywordTypeCode", kind)?;
        }
        if let Some(t) = &k.thesaurus {
            nested(w, &["gmd:thesaurusName", "gmd:CI_Citation"], |w| {
                character_string(w, "gmd:title", &t.title)?;
                match &t.date {
                    Some((kind, d)) => citation_date(w, *kind, d),
                    None => nil_because(w, "gmd:date", "unknown"),
                }
            })?;
        }
        Ok(())
    })
}

fn contact(w: &mut XmlWriter, element: &str, c: &Contact) -> io::Result<()> {
    nested(w, &[element, "gmd:CI_ResponsibleParty"], |w| {
        if let Some(name) = &c.individual {
            character_string(w, "gmd:individualName", name)?;
        }
        if let Some(org) = &c.organisation {
            character_string(w, "gmd:organisationName", org)?;
        }
        if let Some(email) = &c.email {
            nested(w, &["gmd:contactInfo", "gmd:CI_Contact", "gmd:address", "gmd:CI_Address"], |w| {
                character_string(w, "gmd:electronicMailAddress", email)
            })?;
        }
        let role = if c.role.trim().is_empty() { "pointOfContact" } else { c.role.as_str() };
        code(w, "gmd:role", "gmd:CI_RoleCode", "CI_RoleCode", role)
    })
}

fn citation_date(w: &mut XmlWriter, kind: DateType, d: &RecordDate) -> io::Result<()> {
    nested(w, &["gmd:date", "gmd:CI_Date"], |w| {
        nested(w, &["gmd:date"], |w| date(w, d))?;
        code(w, "gmd:dateType", "gmd:CI_DateTypeCode", "CI_DateTypeCode", kind.code())
    })
}

fn date(w: &mut XmlWriter, d: &RecordDate) -> io::Result<()> {
    let element = if d.is_date_time() { "gco:DateTime" } else { "gco:Date" };
    xml::text(w, element, &d.to_text())
}

/// `<name><gco:CharacterString>text</gco:CharacterString></name>`.
fn character_string(w: &mut XmlWriter, name: &str, text: &str) -> io::Result<()> {
    if text.trim().is_empty() {
        return nil(w, name);
    }
    w.create_element(name).write_inner_content(|w| xml::text(w, "gco:CharacterString", text))?;
    Ok(())
}

fn decimal(w: &mut XmlWriter, name: &str, v: f64) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| xml::text(w, "gco:Decimal", &xml::number(v)))?;
    Ok(())
}

/// A codelist value: `<name><gmd:X codeList="...#X" codeListValue="v">v</gmd:X></name>`.
fn code(w: &mut XmlWriter, name: &str, element: &str, list: &str, value: &str) -> io::Result<()> {
    let list_url = format!("{CODELISTS}#{list}");
    w.create_element(name).write_inner_content(|w| {
        w.create_element(element)
            .with_attribute(("codeList", list_url.as_str()))
            .with_attribute(("codeListValue", value))
            .write_text_content(BytesText::new(value))?;
        Ok(())
    })?;
    Ok(())
}

fn language_code(w: &mut XmlWriter, name: &str, language: &str) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        w.create_element("gmd:LanguageCode")
            .with_attribute(("codeList", LANGUAGE_CODELIST))
            .with_attribute(("codeListValue", language))
            .write_text_content(BytesText::new(language))?;
        Ok(())
    })?;
    Ok(())
}

fn nil(w: &mut XmlWriter, name: &str) -> io::Result<()> {
    nil_because(w, name, "missing")
}

fn nil_because(w: &mut XmlWriter, name: &str, reason: &str) -> io::Result<()> {
    w.create_element(name).with_attribute(("gco:nilReason", reason)).write_empty()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reader

/// Why an ISO document could not be read as a record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IsoError(pub String);

/// Reads an ISO 19139 document; the record keeps the document as its `source_xml`.
pub fn read(document: &str) -> Result<Record, IsoError> {
    let root = xml_tree::read(document, &XML_DOCUMENT).map_err(|e| IsoError(format!("not well-formed XML: {e}")))?;
    let mut record = from_element(&root)?;
    record.source_xml = Some(document.to_string());
    Ok(record)
}

/// Reads an ISO 19139 document that must also keep the [`super::iso_rules`] of gmd.xsd: what an
/// import accepts.
pub fn read_valid(document: &str) -> Result<Record, IsoError> {
    let root = xml_tree::read(document, &XML_DOCUMENT).map_err(|e| IsoError(format!("not well-formed XML: {e}")))?;
    if root.is(G, "MD_Metadata") {
        super::iso_rules::check(&root).map_err(|e| IsoError(format!("not valid against gmd.xsd: {e}")))?;
    }
    let mut record = from_element(&root)?;
    record.source_xml = Some(document.to_string());
    Ok(record)
}

const G: &str = GMD_NS;

/// Reads a `gmd:MD_Metadata` element (also used for ISO records inside CSW responses).
pub(crate) fn from_element(root: &Element) -> Result<Record, IsoError> {
    if !root.is(G, "MD_Metadata") {
        return Err(IsoError(format!(
            "the root element is <{}>{}, not an ISO 19139 gmd:MD_Metadata ({G})",
            root.qname,
            root.ns.as_deref().map(|ns| format!(" in {ns}")).unwrap_or_default()
        )));
    }
    let file_identifier = root.child(G, "fileIdentifier").and_then(string).ok_or_else(|| IsoError("the record has no gmd:fileIdentifier".into()))?;
    let ident = root.child(G, "identificationInfo").and_then(|i| i.children.first());
    let citation = ident.and_then(|i| i.path(&[(G, "citation"), (G, "CI_Citation")]));
    let title = citation
        .and_then(|c| c.child(G, "title"))
        .and_then(string)
        .ok_or_else(|| IsoError(format!("the record '{file_identifier}' has no title (identificationInfo/*/citation/CI_Citation/title)")))?;
    let date_stamp_el = root.child(G, "dateStamp").ok_or_else(|| IsoError(format!("the record '{file_identifier}' has no gmd:dateStamp")))?;
    let date_stamp = date_of(date_stamp_el)?
        .ok_or_else(|| IsoError(format!("the gmd:dateStamp of the record '{file_identifier}' is not a gco:Date or gco:DateTime")))?;
    let mut record = Record::new(file_identifier, title, date_stamp);
    record.hierarchy_level = root.child(G, "hierarchyLevel").and_then(code_value).unwrap_or_else(|| "dataset".to_string());
    record.language = root
        .child(G, "language")
        .and_then(language)
        .or_else(|| ident.and_then(|i| i.child(G, "language")).and_then(language));
    record.metadata_contacts = root.children_named(G, "contact").filter_map(contact_of).collect();
    record.crs = root
        .all(&[(G, "referenceSystemInfo"), (G, "MD_ReferenceSystem"), (G, "referenceSystemIdentifier"), (G, "RS_Identifier")])
        .into_iter()
        .filter_map(|id| {
            let code = id.child(G, "code").and_then(string)?;
            Some(match id.child(G, "codeSpace").and_then(string) {
                Some(space) if !code.contains(':') && !code.contains('/') => format!("{space}:{code}"),
                _ => code,
            })
        })
        .collect();
    if let Some(ident) = ident {
        record.abstract_ = ident.child(G, "abstract").and_then(string).unwrap_or_default();
        if let Some(c) = citation {
            for d in c.all(&[(G, "date"), (G, "CI_Date")]) {
                if let Some(pair) = citation_date_of(d)? {
                    record.dates.push(pair);
                }
            }
        }
        record.contacts = ident.children_named(G, "pointOfContact").filter_map(contact_of).collect();
        for k in ident.all(&[(G, "descriptiveKeywords"), (G, "MD_Keywords")]) {
            record.keywords.push(keywords_of(k)?);
        }
        record.topic_categories = ident
            .all(&[(G, "topicCategory"), (G, "MD_TopicCategoryCode")])
            .into_iter()
            .filter_map(|t| t.trimmed().map(str::to_string))
            .collect();
        // gmd:extent for data, srv:extent for services.
        let boxes: Vec<Bbox> = ident
            .children
            .iter()
            .filter(|c| c.name == "extent" && matches!(c.ns.as_deref(), Some(G | SRV_NS)))
            .flat_map(|e| e.all(&[(G, "EX_Extent"), (G, "geographicElement"), (G, "EX_GeographicBoundingBox")]))
            .filter_map(bbox_of)
            .collect();
        record.bbox = boxes.iter().copied().reduce(|a, b| a.union(&b));
    }
    let distribution = root.all(&[(G, "distributionInfo"), (G, "MD_Distribution")]);
    for d in &distribution {
        record.formats.extend(d.all(&[(G, "distributionFormat"), (G, "MD_Format"), (G, "name")]).into_iter().filter_map(string));
        for o in d.all(&[(G, "transferOptions"), (G, "MD_DigitalTransferOptions"), (G, "onLine"), (G, "CI_OnlineResource")]) {
            if let Some(url) = o.path(&[(G, "linkage"), (G, "URL")]).and_then(|u| u.trimmed()) {
                record.online_resources.push(OnlineResource {
                    url: url.to_string(),
                    protocol: o.child(G, "protocol").and_then(string),
                    name: o.child(G, "name").and_then(string),
                    description: o.child(G, "description").and_then(string),
                });
            }
        }
    }
    record.lineage = root
        .all(&[(G, "dataQualityInfo"), (G, "DQ_DataQuality"), (G, "lineage"), (G, "LI_Lineage"), (G, "statement")])
        .into_iter()
        .find_map(string);
    Ok(record)
}

/// The text of a `CharacterString_PropertyType` (`gco:CharacterString`, `gmx:Anchor`, or a
/// localised string's default), None when missing or blank.
fn string(property: &Element) -> Option<String> {
    property
        .children
        .iter()
        .filter(|c| c.is(GCO_NS, "CharacterString") || c.is(GMX_NS, "Anchor") || c.is(GMX_NS, "FileName") || c.is(GMD_NS, "LanguageCode"))
        .find_map(|c| c.trimmed())
        .map(str::to_string)
}

/// A codelist value: the `codeListValue` attribute, else the element's text.
fn code_value(property: &Element) -> Option<String> {
    let code = property.children.first()?;
    code.attr("codeListValue").map(|v| v.trim().to_string()).or_else(|| code.trimmed().map(str::to_string))
}

fn language(property: &Element) -> Option<String> {
    match property.child(G, "LanguageCode") {
        Some(_) => code_value(property),
        None => string(property),
    }
}

fn date_of(property: &Element) -> Result<Option<RecordDate>, IsoError> {
    let Some(value) = property.children.iter().find(|c| c.is(GCO_NS, "Date") || c.is(GCO_NS, "DateTime")) else {
        return Ok(None);
    };
    let text = value.text.trim();
    RecordDate::parse(text).map(Some).ok_or_else(|| IsoError(format!("'{text}' is not a date (in <{}>)", property.qname)))
}

fn citation_date_of(ci_date: &Element) -> Result<Option<(DateType, RecordDate)>, IsoError> {
    let Some(d) = ci_date.child(G, "date") else { return Ok(None) };
    let Some(d) = date_of(d)? else { return Ok(None) };
    // Other date types (expiry, lastUpdate, ...) are not searched on.
    Ok(ci_date.child(G, "dateType").and_then(code_value).and_then(|c| DateType::parse(&c)).map(|kind| (kind, d)))
}

fn contact_of(property: &Element) -> Option<Contact> {
    let party = property.child(G, "CI_ResponsibleParty")?;
    let contact = Contact {
        organisation: party.child(G, "organisationName").and_then(string),
        individual: party.child(G, "individualName").and_then(string),
        email: party
            .path(&[(G, "contactInfo"), (G, "CI_Contact"), (G, "address"), (G, "CI_Address"), (G, "electronicMailAddress")])
            .and_then(string),
        role: party.child(G, "role").and_then(code_value).unwrap_or_default(),
    };
    (contact.organisation.is_some() || contact.individual.is_some() || contact.email.is_some()).then_some(contact)
}

fn keywords_of(k: &Element) -> Result<Keywords, IsoError> {
    let thesaurus = match k.path(&[(G, "thesaurusName"), (G, "CI_Citation")]) {
        Some(c) => match c.child(G, "title").and_then(string) {
            Some(title) => {
                let mut date = None;
                for d in c.all(&[(G, "date"), (G, "CI_Date")]) {
                    if let Some(pair) = citation_date_of(d)? {
                        date = Some(pair);
                        break;
                    }
                }
                Some(Thesaurus { title, date })
            }
            None => None,
        },
        None => None,
    };
    Ok(Keywords {
        words: k.children_named(G, "keyword").filter_map(string).collect(),
        kind: k.child(G, "type").and_then(code_value),
        thesaurus,
    })
}

fn bbox_of(b: &Element) -> Option<Bbox> {
    let value = |name: &str| -> Option<f64> {
        b.path(&[(G, name), (GCO_NS, "Decimal")]).and_then(|d| d.text.trim().parse::<f64>().ok()).filter(|v| v.is_finite())
    };
    let (w, e, s, n) = (value("westBoundLongitude")?, value("eastBoundLongitude")?, value("southBoundLatitude")?, value("northBoundLatitude")?);
    // A box crossing the antimeridian (west > east) is kept whole rather than inverted.
    let (min_x, max_x) = if w <= e { (w, e) } else { (-180.0, 180.0) };
    (s <= n).then_some(Bbox { min_x, min_y: s, max_x, max_y: n })
}

#[cfg(test)]
#[path = "iso_tests.rs"]
mod tests;
