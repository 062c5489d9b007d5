//! The queryables: the names a constraint, a SortBy or a GetDomain may use, and their values in
//! a record.
//!
//! CSW 2.0.2 names them in Dublin Core (`dc:title`, `dct:modified`, `ows:BoundingBox`,
//! `csw:AnyText`), the ISO AP in its own vocabulary (`apiso:Title`, `apiso:Modified`, ...), and
//! clients mix both, with or without prefix and in any case (GeoNetwork sends `AnyText`, QGIS
//! MetaSearch `csw:AnyText`, OWSLib `dc:title` or `apiso:Title`). All spellings of one concept
//! parse to one [`Queryable`]; a name that is none of them is refused by the request parsers
//! rather than matching nothing.

use super::record::{DateType, Record, RecordDate};
use crate::bbox::Bbox;
use crate::filter::fes::DEFAULT_GEOMETRY;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Queryable {
    /// Every text of the record.
    AnyText,
    Title,
    Abstract,
    /// Keywords and topic categories.
    Subject,
    TopicCategory,
    /// The hierarchy level (`dataset`, `service`, ...).
    Type,
    Format,
    Identifier,
    /// The metadata date stamp.
    Modified,
    /// Every date of the record: date stamp and citation dates (`dc:date`, which `dct:modified`,
    /// `dct:created` and `dct:issued` refine).
    Date,
    CreationDate,
    PublicationDate,
    RevisionDate,
    BoundingBox,
    Crs,
    Language,
    /// Every organisation named in the record.
    OrganisationName,
    /// Organisations with an originator, author, owner or principal investigator role.
    Creator,
    /// Organisations with a publisher or distributor role.
    Publisher,
    /// Organisations with any other role.
    Contributor,
    Lineage,
    /// The URLs of the online resources (`dct:references`).
    References,
}

/// What kind of values a queryable has, which decides how a filter compares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Date,
    Bbox,
}

/// One value of a queryable in a record.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryValue {
    Text(String),
    Date(RecordDate),
    Bbox(Bbox),
}

impl QueryValue {
    /// The value as GetDomain lists it.
    pub fn to_text(&self) -> String {
        match self {
            QueryValue::Text(t) => t.clone(),
            QueryValue::Date(d) => d.to_text(),
            QueryValue::Bbox(b) => format!("{} {} {} {}", b.min_x, b.min_y, b.max_x, b.max_y),
        }
    }
}

/// The prefixes clients put before a queryable name; any other prefix is refused.
const PREFIXES: [&str; 5] = ["csw", "dc", "dct", "apiso", "ows"];

const ALL: [Queryable; 22] = [
    Queryable::AnyText,
    Queryable::Title,
    Queryable::Abstract,
    Queryable::Subject,
    Queryable::TopicCategory,
    Queryable::Type,
    Queryable::Format,
    Queryable::Identifier,
    Queryable::Modified,
    Queryable::Date,
    Queryable::CreationDate,
    Queryable::PublicationDate,
    Queryable::RevisionDate,
    Queryable::BoundingBox,
    Queryable::Crs,
    Queryable::Language,
    Queryable::OrganisationName,
    Queryable::Creator,
    Queryable::Publisher,
    Queryable::Contributor,
    Queryable::Lineage,
    Queryable::References,
];

impl Queryable {
    pub fn all() -> &'static [Queryable] {
        &ALL
    }

    /// The local names (lower case) that mean this queryable.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Queryable::AnyText => &["anytext"],
            Queryable::Title => &["title"],
            Queryable::Abstract => &["abstract", "description"],
            Queryable::Subject => &["subject", "keyword", "keywords"],
            Queryable::TopicCategory => &["topiccategory"],
            Queryable::Type => &["type", "hierarchylevel"],
            Queryable::Format => &["format"],
            Queryable::Identifier => &["identifier", "fileidentifier"],
            Queryable::Modified => &["modified", "datestamp"],
            Queryable::Date => &["date"],
            Queryable::CreationDate => &["creationdate"],
            Queryable::PublicationDate => &["publicationdate"],
            Queryable::RevisionDate => &["revisiondate"],
            Queryable::BoundingBox => &["boundingbox", "envelope", "spatial", "geometry"],
            Queryable::Crs => &["crs", "referencesystem"],
            Queryable::Language => &["language", "resourcelanguage"],
            Queryable::OrganisationName => &["organisationname", "organizationname"],
            Queryable::Creator => &["creator"],
            Queryable::Publisher => &["publisher"],
            Queryable::Contributor => &["contributor"],
            Queryable::Lineage => &["lineage", "source"],
            Queryable::References => &["references"],
        }
    }

    /// Parses a queryable name: `Title`, `dc:title`, `apiso:Title`, `csw:AnyText`, ... in any
    /// case. A spatial filter without a property (a bare `ogc:BBOX`) reaches here as
    /// [`DEFAULT_GEOMETRY`] and means the bounding box.
    pub fn parse(name: &str) -> Option<Queryable> {
        let name = name.trim();
        if name == DEFAULT_GEOMETRY {
            return Some(Queryable::BoundingBox);
        }
        let local = match name.split_once(':') {
            Some((prefix, local)) if PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(prefix)) => local,
            Some(_) => return None,
            None => name,
        };
        let local = local.to_ascii_lowercase();
        ALL.iter().copied().find(|q| q.aliases().contains(&local.as_str()))
    }

    /// The Dublin Core name, for the capabilities' `SupportedDublinCoreQueryables`.
    pub fn dublin_core_name(self) -> Option<&'static str> {
        Some(match self {
            Queryable::AnyText => "csw:AnyText",
            Queryable::Title => "dc:title",
            Queryable::Abstract => "dct:abstract",
            Queryable::Subject => "dc:subject",
            Queryable::Type => "dc:type",
            Queryable::Format => "dc:format",
            Queryable::Identifier => "dc:identifier",
            Queryable::Modified => "dct:modified",
            Queryable::Date => "dc:date",
            Queryable::BoundingBox => "ows:BoundingBox",
            Queryable::Language => "dc:language",
            Queryable::Creator => "dc:creator",
            Queryable::Publisher => "dc:publisher",
            Queryable::Contributor => "dc:contributor",
            Queryable::Lineage => "dc:source",
            Queryable::References => "dct:references",
            _ => return None,
        })
    }

    /// The ISO AP name, for `SupportedISOQueryables`.
    pub fn iso_name(self) -> Option<&'static str> {
        Some(match self {
            Queryable::AnyText => "apiso:AnyText",
            Queryable::Title => "apiso:Title",
            Queryable::Abstract => "apiso:Abstract",
            Queryable::Subject => "apiso:Subject",
            Queryable::TopicCategory => "apiso:TopicCategory",
            Queryable::Type => "apiso:Type",
            Queryable::Format => "apiso:Format",
            Queryable::Identifier => "apiso:Identifier",
            Queryable::Modified => "apiso:Modified",
            Queryable::CreationDate => "apiso:CreationDate",
            Queryable::PublicationDate => "apiso:PublicationDate",
            Queryable::RevisionDate => "apiso:RevisionDate",
            Queryable::BoundingBox => "apiso:BoundingBox",
            Queryable::Crs => "apiso:CRS",
            Queryable::Language => "apiso:Language",
            Queryable::OrganisationName => "apiso:OrganisationName",
            Queryable::Lineage => "apiso:Lineage",
            _ => return None,
        })
    }

    /// The name OGC API Records queryables publish: the record GeoJSON's member where there is
    /// one (`geometry`, `description`, `keywords`), else the plain local name (`title`, ...).
    pub fn records_name(self) -> &'static str {
        match self {
            Queryable::BoundingBox => "geometry",
            Queryable::Abstract => "description",
            Queryable::Subject => "keywords",
            other => other.aliases()[0],
        }
    }

    /// The name responses use for it: the ISO AP name, else the Dublin Core one.
    pub fn name(self) -> &'static str {
        self.iso_name().or(self.dublin_core_name()).expect("every queryable has a name")
    }

    pub fn kind(self) -> ValueKind {
        match self {
            Queryable::Modified | Queryable::Date | Queryable::CreationDate | Queryable::PublicationDate | Queryable::RevisionDate => ValueKind::Date,
            Queryable::BoundingBox => ValueKind::Bbox,
            _ => ValueKind::Text,
        }
    }

    /// The values of this queryable in `record`, in record order (several for lists such as
    /// keywords, none when the record has none).
    pub fn values(self, r: &Record) -> Vec<QueryValue> {
        let texts = |it: &mut dyn Iterator<Item = &str>| it.filter(|t| !t.trim().is_empty()).map(|t| QueryValue::Text(t.to_string())).collect();
        let date = |kind| r.date(kind).map(QueryValue::Date).into_iter().collect();
        let organisations = |roles: &dyn Fn(&str) -> bool| {
            let mut out: Vec<QueryValue> = Vec::new();
            for c in r.contacts.iter().chain(&r.metadata_contacts).filter(|c| roles(&c.role)) {
                if let Some(o) = &c.organisation {
                    let v = QueryValue::Text(o.clone());
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
            out
        };
        match self {
            Queryable::AnyText => texts(&mut any_text(r).into_iter()),
            Queryable::Title => texts(&mut std::iter::once(r.title.as_str())),
            Queryable::Abstract => texts(&mut std::iter::once(r.abstract_.as_str())),
            Queryable::Subject => texts(&mut r.all_keywords().chain(r.topic_categories.iter().map(String::as_str))),
            Queryable::TopicCategory => texts(&mut r.topic_categories.iter().map(String::as_str)),
            Queryable::Type => texts(&mut std::iter::once(r.hierarchy_level.as_str())),
            Queryable::Format => texts(&mut r.formats.iter().map(String::as_str)),
            Queryable::Identifier => texts(&mut std::iter::once(r.file_identifier.as_str())),
            Queryable::Modified => vec![QueryValue::Date(r.date_stamp)],
            Queryable::Date => std::iter::once(r.date_stamp).chain(r.dates.iter().map(|(_, d)| *d)).map(QueryValue::Date).collect(),
            Queryable::CreationDate => date(DateType::Creation),
            Queryable::PublicationDate => date(DateType::Publication),
            Queryable::RevisionDate => date(DateType::Revision),
            Queryable::BoundingBox => r.bbox.map(QueryValue::Bbox).into_iter().collect(),
            Queryable::Crs => texts(&mut r.crs.iter().map(String::as_str)),
            Queryable::Language => texts(&mut r.language.iter().map(String::as_str)),
            Queryable::OrganisationName => organisations(&|_| true),
            Queryable::Creator => organisations(&is_creator),
            Queryable::Publisher => organisations(&is_publisher),
            Queryable::Contributor => organisations(&|role| !is_creator(role) && !is_publisher(role)),
            Queryable::Lineage => texts(&mut r.lineage.iter().map(String::as_str)),
            Queryable::References => texts(&mut r.online_resources.iter().map(|o| o.url.as_str())),
        }
    }
}

fn is_creator(role: &str) -> bool {
    matches!(role, "originator" | "author" | "owner" | "principalInvestigator")
}

fn is_publisher(role: &str) -> bool {
    matches!(role, "publisher" | "distributor")
}

/// The texts `AnyText` searches: everything a person would recognise the record by.
pub(crate) fn any_text(r: &Record) -> Vec<&str> {
    let mut out = vec![r.file_identifier.as_str(), r.title.as_str(), r.abstract_.as_str(), r.hierarchy_level.as_str()];
    out.extend(r.all_keywords());
    out.extend(r.keywords.iter().filter_map(|k| k.thesaurus.as_ref().map(|t| t.title.as_str())));
    out.extend(r.topic_categories.iter().map(String::as_str));
    out.extend(r.formats.iter().map(String::as_str));
    out.extend(r.crs.iter().map(String::as_str));
    for c in r.contacts.iter().chain(&r.metadata_contacts) {
        out.extend(c.organisation.as_deref());
        out.extend(c.individual.as_deref());
    }
    out.extend(r.lineage.as_deref());
    for o in &r.online_resources {
        out.extend(o.name.as_deref());
        out.extend(o.description.as_deref());
        out.extend(o.protocol.as_deref());
    }
    out
}

/// The distinct values of `q` over `records`, sorted, as GetDomain lists them.
pub fn domain<'a>(q: Queryable, records: impl IntoIterator<Item = &'a Record>) -> Vec<String> {
    let mut values: Vec<String> = records.into_iter().flat_map(|r| q.values(r)).map(|v| v.to_text()).collect();
    values.sort();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csw::test_support::layer_record;

    #[test]
    fn every_spelling_parses() {
        for (name, q) in [
            ("AnyText", Queryable::AnyText),
            ("csw:AnyText", Queryable::AnyText),
            ("apiso:anytext", Queryable::AnyText),
            ("dc:title", Queryable::Title),
            ("apiso:Title", Queryable::Title),
            ("TITLE", Queryable::Title),
            ("dct:abstract", Queryable::Abstract),
            ("dc:subject", Queryable::Subject),
            ("dct:modified", Queryable::Modified),
            ("ows:BoundingBox", Queryable::BoundingBox),
            ("apiso:BoundingBox", Queryable::BoundingBox),
            (DEFAULT_GEOMETRY, Queryable::BoundingBox),
            ("apiso:OrganisationName", Queryable::OrganisationName),
            ("apiso:CRS", Queryable::Crs),
            ("dc:identifier", Queryable::Identifier),
            ("Type", Queryable::Type),
            // GDAL's CSW driver names.
            ("dc:date", Queryable::Date),
            ("dc:source", Queryable::Lineage),
            ("dct:references", Queryable::References),
        ] {
            assert_eq!(Queryable::parse(name), Some(q), "{name}");
        }
        for name in ["foo", "gml:title", "dc:", "", "dc:nonsense"] {
            assert_eq!(Queryable::parse(name), None, "{name}");
        }
        // Every queryable's published names parse back to it.
        for q in Queryable::all() {
            for name in [q.dublin_core_name(), q.iso_name(), Some(q.records_name())].into_iter().flatten() {
                assert_eq!(Queryable::parse(name), Some(*q), "{name}");
            }
        }
    }

    #[test]
    fn values_from_a_record() {
        let r = layer_record();
        let texts = |q: Queryable| q.values(&r).iter().map(QueryValue::to_text).collect::<Vec<_>>();
        assert_eq!(texts(Queryable::Subject), ["communes", "limites administratives", "Unités administratives", "boundaries"]);
        assert_eq!(texts(Queryable::OrganisationName), ["IGN", "Région Occitanie"]);
        assert_eq!(texts(Queryable::Creator), ["IGN"]);
        assert_eq!(texts(Queryable::Contributor), ["Région Occitanie"]);
        assert!(texts(Queryable::Publisher).is_empty());
        assert_eq!(texts(Queryable::RevisionDate), ["2024-04-30"]);
        assert_eq!(texts(Queryable::Modified), ["2024-05-02T10:30:00Z"]);
        assert_eq!(texts(Queryable::BoundingBox), ["-0.33 42.33 4.85 45.05"]);
        assert!(texts(Queryable::AnyText).contains(&"Carte WMS".to_string()));
        let mut other = layer_record();
        other.formats = vec!["GeoTIFF".into(), "GeoPackage".into()];
        assert_eq!(domain(Queryable::Format, [&r, &other]), ["GeoPackage", "GeoTIFF", "application/json"]);
    }
}
