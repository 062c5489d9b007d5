//! CSW 2.0.2 (OGC 07-006r1) with the ISO Application Profile (OGC 07-045): the catalogue's
//! requests, records and documents, pure.
//!
//! The server keeps the records (one per served layer plus imported ISO 19139 documents) and
//! answers the five discovery operations; this module turns request text into typed values
//! ([`request::parse_kvp`], [`xml_request::parse_xml`]) and typed values into documents
//! ([`capabilities`], [`response`], [`iso`], [`dublin_core`]). [`search`] evaluates a request
//! against records held in memory, so a server with a few thousand records needs no database for
//! its catalogue.
//!
//! Modules:
//! - [`record`]: the record model; [`layer_links`]: a served layer's online resources;
//! - [`iso`]: ISO 19139 `gmd:MD_Metadata` writer and reader; [`iso_rules`]: the gmd.xsd rules
//!   imports are checked against; [`import`]: merging imported documents;
//! - [`dublin_core`]: the `csw:BriefRecord` / `SummaryRecord` / `Record` writers;
//! - [`queryables`]: the names clients filter and sort on, and their values in a record;
//! - [`constraint`]: Filter 1.1 / CQL constraints checked against the queryables;
//! - [`error`]: [`CswError`] and its `ows:ExceptionReport`;
//! - [`request`], [`xml_request`]: KVP and XML POST requests;
//! - [`capabilities`], [`response`]: the response documents;
//! - [`search`]: GetRecords evaluated over records in memory; [`prefilter`]: the condition a
//!   store's indexes select its candidates by;
//! - [`transaction`]: Transaction (insert, update, delete of imported records).
//!
//! Wiring a request: parse ([`request::parse_kvp`] or [`xml_request::parse_xml`]); on error
//! answer [`CswError::report`] with [`error::ExceptionCode::http_status`]; else
//! GetCapabilities → [`capabilities::capabilities`], DescribeRecord →
//! [`response::describe_record`], GetRecords → [`search::search`] then
//! [`response::get_records_response`] (or [`response::acknowledgement`] for `validate`),
//! GetRecordById → [`response::get_record_by_id_response`], GetDomain →
//! [`response::domain_values`] and [`response::get_domain_response`]. Responses are
//! `application/xml`.

pub mod capabilities;
pub mod constraint;
pub mod dublin_core;
pub mod error;
pub mod import;
pub mod iso;
pub mod iso_rules;
pub mod layer_links;
pub mod prefilter;
pub mod queryables;
pub mod record;
pub mod request;
pub mod response;
pub mod search;
pub mod transaction;
pub mod xml_request;

pub use error::CswError;
pub use record::Record;

/// The CSW 2.0.2 namespace, also the `outputSchema` of Dublin Core records.
pub const CSW_NS: &str = "http://www.opengis.net/cat/csw/2.0.2";
/// ISO 19139 metadata, also the `outputSchema` of ISO records.
pub const GMD_NS: &str = "http://www.isotc211.org/2005/gmd";
pub const GCO_NS: &str = "http://www.isotc211.org/2005/gco";
pub const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
pub const DCT_NS: &str = "http://purl.org/dc/terms/";
/// OWS Common 1.0.0, which CSW 2.0.2 uses.
pub const OWS_NS: &str = "http://www.opengis.net/ows";
pub const OGC_NS: &str = "http://www.opengis.net/ogc";
pub const GML_NS: &str = "http://www.opengis.net/gml";
pub const APISO_NS: &str = "http://www.opengis.net/cat/csw/apiso/1.0";

/// How request bodies and ISO 19139 records are read (`ows/xml_tree.rs`): ISO 19139 nests
/// deeply (ten levels to a keyword) and a record with many keywords has a few thousand elements,
/// so the caps are far above both; text beside elements is kept, as records are read leniently.
pub(crate) const XML_DOCUMENT: crate::ows::xml_tree::ReadOptions = crate::ows::xml_tree::ReadOptions {
    document: "document",
    max_depth: 200,
    max_elements: 200_000,
    element_only: false,
    drop_undeclared_attributes: false,
    verbatim: &[],
};

/// The one protocol version served.
pub const VERSION: &str = "2.0.2";

/// How much of a record a response carries (`ElementSetName`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ElementSet {
    Brief,
    /// The default of GetRecords and GetRecordById.
    #[default]
    Summary,
    Full,
}

impl ElementSet {
    pub fn parse(text: &str) -> Option<ElementSet> {
        match text.trim().to_ascii_lowercase().as_str() {
            "brief" => Some(ElementSet::Brief),
            "summary" => Some(ElementSet::Summary),
            "full" => Some(ElementSet::Full),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ElementSet::Brief => "brief",
            ElementSet::Summary => "summary",
            ElementSet::Full => "full",
        }
    }
}

/// The record schema a response is written in (`outputSchema`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OutputSchema {
    /// `http://www.opengis.net/cat/csw/2.0.2`: Dublin Core `csw:Record` and its subsets.
    #[default]
    DublinCore,
    /// `http://www.isotc211.org/2005/gmd`: ISO 19139 `gmd:MD_Metadata`.
    Iso,
}

impl OutputSchema {
    /// The URIs of the standards, plus the names GeoNetwork and pycsw also answer to.
    pub fn parse(text: &str) -> Option<OutputSchema> {
        match text.trim() {
            CSW_NS | "csw:Record" | "http://www.opengis.net/cat/csw/2.0.2/" => Some(OutputSchema::DublinCore),
            GMD_NS | "http://www.isotc211.org/2005/gmd/" | "csw:IsoRecord" | "gmd:MD_Metadata" => Some(OutputSchema::Iso),
            _ => None,
        }
    }

    pub fn uri(self) -> &'static str {
        match self {
            OutputSchema::DublinCore => CSW_NS,
            OutputSchema::Iso => GMD_NS,
        }
    }
}

/// A record type a query is over (`typeNames`). Both name the same records here: every record
/// is both an ISO document and its Dublin Core view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeName {
    /// `csw:Record`
    Record,
    /// `gmd:MD_Metadata`
    MdMetadata,
}

impl TypeName {
    /// `csw:Record`, `gmd:MD_Metadata`, with any or no prefix (clients declare their own).
    pub fn parse(text: &str) -> Option<TypeName> {
        let local = text.trim().rsplit(':').next().unwrap_or("");
        match local {
            "Record" => Some(TypeName::Record),
            "MD_Metadata" => Some(TypeName::MdMetadata),
            _ => None,
        }
    }

    pub fn qualified(self) -> &'static str {
        match self {
            TypeName::Record => "csw:Record",
            TypeName::MdMetadata => "gmd:MD_Metadata",
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod end_to_end_tests;
