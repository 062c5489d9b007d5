//! Dublin Core views of a record, as CSW 2.0.2 defines them: `csw:BriefRecord`,
//! `csw:SummaryRecord`, `csw:Record`, and a `csw:Record` holding only the `ElementName`s asked.
//!
//! The mapping from the ISO model follows what OWSLib and QGIS MetaSearch read, as pycsw writes
//! it: keywords and topic categories are `dc:subject`, the metadata date stamp `dct:modified`,
//! the lineage `dc:source`, organisations `dc:creator` / `dc:publisher` / `dc:contributor` by
//! their role, and each online resource a `dct:references` whose `scheme` is its protocol (the
//! schema-valid form; GeoNetwork's `dc:URI` is not in the CSW 2.0.2 Dublin Core schema). The
//! extent is an `ows:BoundingBox` in CRS84, longitude first.
//!
//! The writers use the prefixes `csw:`, `dc:`, `dct:` and `ows:`; the container declares them.

use std::io;

use quick_xml::events::BytesText;

use super::queryables::{QueryValue, Queryable};
use super::record::Record;
use super::request::Elements;
use super::ElementSet;
use crate::bbox::Bbox;
use crate::ows::xml::{self, XmlWriter};

/// The CRS of `ows:BoundingBox` in records: CRS84, so corners are longitude first.
pub const BBOX_CRS: &str = "urn:ogc:def:crs:OGC:1.3:CRS84";

/// Writes the record as the element set or element names ask.
pub fn write(w: &mut XmlWriter, r: &Record, elements: &Elements) -> io::Result<()> {
    match elements {
        Elements::Set(ElementSet::Brief) => w.create_element("csw:BriefRecord").write_inner_content(|w| {
            xml::text(w, "dc:identifier", &r.file_identifier)?;
            xml::text(w, "dc:title", &r.title)?;
            xml::text(w, "dc:type", &r.hierarchy_level)?;
            bounding_box(w, r.bbox.as_ref())
        }),
        Elements::Set(ElementSet::Summary) => w.create_element("csw:SummaryRecord").write_inner_content(|w| {
            xml::text(w, "dc:identifier", &r.file_identifier)?;
            xml::text(w, "dc:title", &r.title)?;
            xml::text(w, "dc:type", &r.hierarchy_level)?;
            subjects(w, r)?;
            r.formats.iter().try_for_each(|f| xml::text(w, "dc:format", f))?;
            references(w, r)?;
            xml::text(w, "dct:modified", &r.date_stamp.to_text())?;
            if !r.abstract_.is_empty() {
                xml::text(w, "dct:abstract", &r.abstract_)?;
            }
            bounding_box(w, r.bbox.as_ref())
        }),
        Elements::Set(ElementSet::Full) => w.create_element("csw:Record").write_inner_content(|w| {
            for q in FULL {
                element(w, r, *q)?;
            }
            references(w, r)?;
            bounding_box(w, r.bbox.as_ref())
        }),
        Elements::Names(names) => w.create_element("csw:Record").write_inner_content(|w| {
            for q in names.iter().filter(|q| **q != Queryable::BoundingBox) {
                element(w, r, *q)?;
            }
            if names.contains(&Queryable::BoundingBox) {
                bounding_box(w, r.bbox.as_ref())?;
            }
            Ok(())
        }),
    }?;
    Ok(())
}

/// The queryables a full record shows, in the order written (the bounding box and references
/// are added after them).
const FULL: &[Queryable] = &[
    Queryable::Identifier,
    Queryable::Title,
    Queryable::Type,
    Queryable::Subject,
    Queryable::Format,
    Queryable::Modified,
    Queryable::CreationDate,
    Queryable::PublicationDate,
    Queryable::Abstract,
    Queryable::Creator,
    Queryable::Publisher,
    Queryable::Contributor,
    Queryable::Language,
    Queryable::Lineage,
];

/// The Dublin Core element a queryable's values are written as; None for those without one
/// (the bounding box is written apart, AnyText is not an element, CRS codes have no DC term).
fn dc_element(q: Queryable) -> Option<&'static str> {
    Some(match q {
        Queryable::Identifier => "dc:identifier",
        Queryable::Title => "dc:title",
        Queryable::Type => "dc:type",
        Queryable::Subject | Queryable::TopicCategory => "dc:subject",
        Queryable::Format => "dc:format",
        Queryable::Modified => "dct:modified",
        Queryable::Date => "dc:date",
        Queryable::CreationDate => "dct:created",
        Queryable::PublicationDate => "dct:issued",
        Queryable::RevisionDate => "dc:date",
        Queryable::Abstract => "dct:abstract",
        Queryable::Creator => "dc:creator",
        Queryable::Publisher => "dc:publisher",
        Queryable::Contributor | Queryable::OrganisationName => "dc:contributor",
        Queryable::Language => "dc:language",
        Queryable::Lineage => "dc:source",
        Queryable::References => "dct:references",
        Queryable::AnyText | Queryable::BoundingBox | Queryable::Crs => return None,
    })
}

fn element(w: &mut XmlWriter, r: &Record, q: Queryable) -> io::Result<()> {
    if q == Queryable::References {
        // With their protocol as scheme.
        return references(w, r);
    }
    let Some(name) = dc_element(q) else { return Ok(()) };
    for v in q.values(r) {
        xml::text(w, name, &v.to_text())?;
    }
    Ok(())
}

fn subjects(w: &mut XmlWriter, r: &Record) -> io::Result<()> {
    for v in Queryable::Subject.values(r) {
        if let QueryValue::Text(t) = v {
            xml::text(w, "dc:subject", &t)?;
        }
    }
    Ok(())
}

fn references(w: &mut XmlWriter, r: &Record) -> io::Result<()> {
    for o in &r.online_resources {
        let mut e = w.create_element("dct:references");
        if let Some(p) = &o.protocol {
            e = e.with_attribute(("scheme", p.as_str()));
        }
        e.write_text_content(BytesText::new(&o.url))?;
    }
    Ok(())
}

/// `ows:BoundingBox` in CRS84 (OWS 1.0.0 `BoundingBoxType`), nothing without an extent.
pub fn bounding_box(w: &mut XmlWriter, bbox: Option<&Bbox>) -> io::Result<()> {
    let Some(b) = bbox else { return Ok(()) };
    w.create_element("ows:BoundingBox").with_attribute(("crs", BBOX_CRS)).write_inner_content(|w| {
        xml::text(w, "ows:LowerCorner", &format!("{} {}", xml::number(b.min_x), xml::number(b.min_y)))?;
        xml::text(w, "ows:UpperCorner", &format!("{} {}", xml::number(b.max_x), xml::number(b.max_y)))
    })?;
    Ok(())
}
