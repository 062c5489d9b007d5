//! The catalogue's record model: what one ISO 19139 metadata record says, in the subset the
//! catalogue searches on and writes back (Dublin Core and ISO 19139).
//!
//! Records come from two places: one per served layer (built by the server from the layer
//! registry) and ISO 19139 documents imported from a folder (read by [`super::iso::read`]).
//! An imported record keeps its original document in [`Record::source_xml`] so that ISO `full`
//! output returns exactly what its author wrote, not the subset modelled here.


use crate::bbox::Bbox;

/// Dates of records are the filter engine's calendar values (a date or an instant), so that
/// constraints compare them like any other date.
pub use crate::datetime::DateOrInstant as RecordDate;

/// What a citation date is the date of (ISO `CI_DateTypeCode`, the three values catalogues
/// search on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateType {
    Creation,
    Publication,
    Revision,
}

impl DateType {
    pub fn code(self) -> &'static str {
        match self {
            DateType::Creation => "creation",
            DateType::Publication => "publication",
            DateType::Revision => "revision",
        }
    }

    pub fn parse(code: &str) -> Option<DateType> {
        match code.trim() {
            "creation" => Some(DateType::Creation),
            "publication" => Some(DateType::Publication),
            "revision" => Some(DateType::Revision),
            _ => None,
        }
    }
}

/// A group of keywords sharing a thesaurus (ISO `MD_Keywords`), e.g. the INSPIRE themes or
/// GEMET; `thesaurus` is None for free keywords.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Keywords {
    pub words: Vec<String>,
    /// `MD_KeywordTypeCode` (`theme`, `place`, ...), when the record says.
    pub kind: Option<String>,
    pub thesaurus: Option<Thesaurus>,
}

/// The citation of a thesaurus: ISO requires a date for it, which many records do not give
/// (written then as an unknown date).
#[derive(Clone, Debug, PartialEq)]
pub struct Thesaurus {
    pub title: String,
    pub date: Option<(DateType, RecordDate)>,
}

/// A responsible party (ISO `CI_ResponsibleParty`): at least an organisation or a person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    pub organisation: Option<String>,
    pub individual: Option<String>,
    pub email: Option<String>,
    /// `CI_RoleCode`: `pointOfContact`, `originator`, `publisher`, `owner`, `custodian`, ...
    pub role: String,
}

/// A link to where the data can be seen or fetched (ISO `CI_OnlineResource`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OnlineResource {
    pub url: String,
    /// The protocol as catalogues name it: `OGC:WMS`, `OGC:WFS`, `OGC:WMTS`,
    /// `OGC API - Features`, `WWW:DOWNLOAD-1.0-http--download`, `WWW:LINK`, ...
    pub protocol: Option<String>,
    /// For OGC services, the layer or feature type name the client must ask for.
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Common protocol names, as GeoNetwork and QGIS MetaSearch recognise them.
pub mod protocols {
    pub const WMS: &str = "OGC:WMS";
    pub const WMTS: &str = "OGC:WMTS";
    pub const WFS: &str = "OGC:WFS";
    pub const OGC_API_FEATURES: &str = "OGC API - Features";
    pub const OGC_API_TILES: &str = "OGC API - Tiles";
    pub const DOWNLOAD: &str = "WWW:DOWNLOAD-1.0-http--download";
    pub const LINK: &str = "WWW:LINK-1.0-http--link";
}

/// One catalogue record.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// `gmd:fileIdentifier`: the record's id in the catalogue (`dc:identifier`).
    pub file_identifier: String,
    /// `MD_ScopeCode` of `gmd:hierarchyLevel`: `dataset`, `series`, `service`, ... (`dc:type`).
    pub hierarchy_level: String,
    /// The language of the metadata and of the resource, ISO 639-2/B (`fre`, `eng`).
    pub language: Option<String>,
    /// `gmd:dateStamp`: when the metadata last changed (`dct:modified`).
    pub date_stamp: RecordDate,
    pub title: String,
    pub abstract_: String,
    /// Citation dates of the resource.
    pub dates: Vec<(DateType, RecordDate)>,
    pub keywords: Vec<Keywords>,
    /// `MD_TopicCategoryCode` values (`planningCadastre`, `environment`, ...).
    pub topic_categories: Vec<String>,
    /// Distribution format names (`GeoPackage`, `image/png`, ...).
    pub formats: Vec<String>,
    /// Longitude/latitude box in CRS84 order (west, south, east, north).
    pub bbox: Option<Bbox>,
    /// Reference system identifiers as written (`EPSG:2154`, a URI, ...).
    pub crs: Vec<String>,
    /// Who answers questions about the metadata (`gmd:contact`).
    pub metadata_contacts: Vec<Contact>,
    /// Parties responsible for the resource (`gmd:pointOfContact` of the identification).
    pub contacts: Vec<Contact>,
    pub lineage: Option<String>,
    pub online_resources: Vec<OnlineResource>,
    /// The original ISO 19139 document of an imported record, returned verbatim as ISO `full`.
    pub source_xml: Option<String>,
    /// AnyText in lower case, made at the first search (see [`Record::search_text`]).
    pub search_text: SearchText,
}

/// A record's AnyText texts lower-cased and joined, kept with the record: a keyword search
/// (`AnyText LIKE '%w%'`, OGC API Records `q`) is then one substring test per record instead of
/// lower-casing some forty strings of every record on every request, which made a 10,000-record
/// search cost about 300 ms (benches/README.md).
///
/// It is made at the first search, so a record must not change once searched (the catalogue
/// builds its records at start-up). Two records compare equal whatever their caches hold.
#[derive(Clone, Debug, Default)]
pub struct SearchText(std::sync::OnceLock<String>);

impl PartialEq for SearchText {
    fn eq(&self, _: &SearchText) -> bool {
        true
    }
}

impl Record {
    /// A record with the mandatory parts set and everything else empty.
    pub fn new(file_identifier: impl Into<String>, title: impl Into<String>, date_stamp: RecordDate) -> Record {
        Record {
            file_identifier: file_identifier.into(),
            hierarchy_level: "dataset".to_string(),
            language: None,
            date_stamp,
            title: title.into(),
            abstract_: String::new(),
            dates: Vec::new(),
            keywords: Vec::new(),
            topic_categories: Vec::new(),
            formats: Vec::new(),
            bbox: None,
            crs: Vec::new(),
            metadata_contacts: Vec::new(),
            contacts: Vec::new(),
            lineage: None,
            online_resources: Vec::new(),
            source_xml: None,
            search_text: SearchText::default(),
        }
    }

    /// AnyText, lower case, its texts separated by a line feed (a search word has none).
    pub fn search_text(&self) -> &str {
        self.search_text.0.get_or_init(|| super::queryables::any_text(self).iter().map(|t| t.to_lowercase()).collect::<Vec<_>>().join("\n"))
    }

    /// Every keyword, thesaurus or not, in record order.
    pub fn all_keywords(&self) -> impl Iterator<Item = &str> {
        self.keywords.iter().flat_map(|k| k.words.iter().map(String::as_str))
    }

    /// The citation date of a kind, the latest when there are several.
    pub fn date(&self, kind: DateType) -> Option<RecordDate> {
        self.dates.iter().filter(|(k, _)| *k == kind).map(|(_, d)| *d).max_by_key(|d| d.start())
    }

    /// Every organisation named by a contact of the resource or of the metadata.
    pub fn organisations(&self) -> impl Iterator<Item = &str> {
        self.contacts.iter().chain(&self.metadata_contacts).filter_map(|c| c.organisation.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(RecordDate::parse("2024-03-01").unwrap().to_text(), "2024-03-01");
        assert_eq!(RecordDate::parse("2024-03-01T10:00:00+02:00").unwrap().to_text(), "2024-03-01T08:00:00Z");
        assert_eq!(RecordDate::parse("2024-03-01T10:00:00").unwrap().to_text(), "2024-03-01T10:00:00Z");
        assert_eq!(RecordDate::parse("2024-03").unwrap().to_text(), "2024-03-01");
        assert_eq!(RecordDate::parse("2024").unwrap().to_text(), "2024-01-01");
        assert_eq!(RecordDate::parse("yesterday"), None);
        let d = RecordDate::parse("2024-03-01").unwrap();
        assert!(d.start() < d.end());
    }

    #[test]
    fn latest_date_of_a_kind() {
        let mut r = Record::new("id", "t", RecordDate::parse("2024-01-01").unwrap());
        r.dates = vec![
            (DateType::Revision, RecordDate::parse("2020-01-01").unwrap()),
            (DateType::Revision, RecordDate::parse("2022-01-01").unwrap()),
            (DateType::Creation, RecordDate::parse("2019-01-01").unwrap()),
        ];
        assert_eq!(r.date(DateType::Revision).unwrap().to_text(), "2022-01-01");
        assert_eq!(r.date(DateType::Publication), None);
    }
}
