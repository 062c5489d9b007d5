//! CSW 2.0.2 requests in KVP encoding (GET), parsed to typed values shared with the XML
//! encoding ([`super::xml_request`]).
//!
//! Parameter names are case-insensitive (OWS Common); values are checked here so the server
//! only sees requests it can answer: the version (2.0.2 only), the type names (`csw:Record`,
//! `gmd:MD_Metadata`, with any prefix, alone or together as GeoNetwork sends them), the output
//! schema and format, the element set, the constraint (parsed and checked against the
//! queryables by [`super::constraint`]), sorting, and paging within the caller's limit.
//!
//! Lenient where clients differ and nothing is lost: a missing `typeNames` means `csw:Record`,
//! a constraint without `CONSTRAINTLANGUAGE` is read as FILTER when it starts with `<` and as
//! CQL text otherwise, and `NAMESPACE` is accepted but not needed (prefixes are not resolved:
//! type names and queryables are recognised by local name).

use super::constraint::{self, ConstraintLanguage};
use super::error::CswError;
use super::queryables::Queryable;
use super::{ElementSet, OutputSchema, TypeName, VERSION};
use crate::filter::Filter;
use crate::ows::kvp::{Kvp, list};

/// What the server allows, given by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest `maxRecords` accepted; more is an InvalidParameterValue (the client is told
    /// the limit rather than given fewer records than it believes it asked for).
    pub max_records: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_records: 1000 }
    }
}

/// The default `maxRecords` of CSW 2.0.2.
pub const DEFAULT_MAX_RECORDS: u64 = 10;

/// A parsed request. GetRecords is much larger than the others; it is not boxed because a
/// request is parsed once and moved a few times, where the size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum CswRequest {
    GetCapabilities(GetCapabilities),
    DescribeRecord(DescribeRecord),
    GetRecords(GetRecords),
    GetRecordById(GetRecordById),
    GetDomain(GetDomain),
    Transaction(super::transaction::Transaction),
}

/// The capabilities sections a client asked for (`None`: all).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GetCapabilities {
    pub sections: Option<Vec<Section>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    ServiceIdentification,
    ServiceProvider,
    OperationsMetadata,
    FilterCapabilities,
}

impl Section {
    fn parse(text: &str) -> Option<Vec<Section>> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "all" => vec![Section::ServiceIdentification, Section::ServiceProvider, Section::OperationsMetadata, Section::FilterCapabilities],
            "serviceidentification" => vec![Section::ServiceIdentification],
            "serviceprovider" => vec![Section::ServiceProvider],
            "operationsmetadata" => vec![Section::OperationsMetadata],
            "filter_capabilities" => vec![Section::FilterCapabilities],
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DescribeRecord {
    /// Empty: every type.
    pub type_names: Vec<TypeName>,
}

/// Which parts of the records a response carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elements {
    Set(ElementSet),
    /// `ElementName`s: Dublin Core output with only these elements (as `csw:Record`).
    Names(Vec<Queryable>),
}

impl Default for Elements {
    fn default() -> Elements {
        Elements::Set(ElementSet::default())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ResultType {
    /// Only the count (`SearchResults` without records).
    Hits,
    #[default]
    Results,
    /// Check the request, answer `csw:Acknowledgement`.
    Validate,
}

impl ResultType {
    fn parse(text: &str) -> Option<ResultType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "hits" => Some(ResultType::Hits),
            "results" => Some(ResultType::Results),
            "validate" => Some(ResultType::Validate),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub queryable: Queryable,
    pub ascending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GetRecords {
    pub type_names: Vec<TypeName>,
    pub output_schema: OutputSchema,
    pub elements: Elements,
    pub result_type: ResultType,
    /// With queryables' canonical names and CRS84 geometries ([`super::constraint`]).
    pub constraint: Option<Filter>,
    pub sort_by: Vec<SortKey>,
    /// 1-based.
    pub start_position: u64,
    pub max_records: u64,
    pub request_id: Option<String>,
}

impl GetRecords {
    /// The query every client's first GetRecords amounts to: all records, summary DC, first page.
    pub fn new() -> GetRecords {
        GetRecords {
            type_names: vec![TypeName::Record],
            output_schema: OutputSchema::DublinCore,
            elements: Elements::default(),
            result_type: ResultType::Results,
            constraint: None,
            sort_by: Vec::new(),
            start_position: 1,
            max_records: DEFAULT_MAX_RECORDS,
            request_id: None,
        }
    }
}

impl Default for GetRecords {
    fn default() -> GetRecords {
        GetRecords::new()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetRecordById {
    pub ids: Vec<String>,
    pub output_schema: OutputSchema,
    pub element_set: ElementSet,
}

/// What GetDomain asks the values of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainOf {
    /// A request parameter, `Operation.parameter` (`GetRecords.resultType`), as written.
    Parameter(String),
    /// A queryable, with the name as the client wrote it (echoed in the response).
    Property(String, Queryable),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetDomain {
    pub names: Vec<DomainOf>,
}

/// The request parameters whose values GetDomain can list, and the values.
pub fn parameter_domain(name: &str) -> Option<&'static [&'static str]> {
    let (op, param) = name.trim().split_once('.')?;
    let values: &'static [&'static str] = match (op.to_ascii_lowercase().as_str(), param.to_ascii_lowercase().as_str()) {
        ("getcapabilities", "sections") => &["ServiceIdentification", "ServiceProvider", "OperationsMetadata", "Filter_Capabilities"],
        ("describerecord", "typename") | ("getrecords", "typenames") => &["csw:Record", "gmd:MD_Metadata"],
        ("describerecord", "schemalanguage") => &["http://www.w3.org/XML/Schema"],
        ("describerecord" | "getrecords" | "getrecordbyid", "outputformat") => &["application/xml"],
        ("getrecords" | "getrecordbyid", "outputschema") => &[super::CSW_NS, super::GMD_NS],
        ("getrecords", "resulttype") => &["hits", "results", "validate"],
        ("getrecords" | "getrecordbyid", "elementsetname") => &["brief", "summary", "full"],
        ("getrecords", "constraintlanguage") => &["FILTER", "CQL_TEXT"],
        _ => return None,
    };
    Some(values)
}

/// Parses a KVP request (the decoded query string pairs).
pub fn parse_kvp(pairs: &[(String, String)], limits: &Limits) -> Result<CswRequest, CswError> {
    let kvp = Kvp::new(pairs);
    let request = kvp.get(&["REQUEST"]).ok_or_else(|| CswError::missing("request", "the REQUEST parameter is required"))?;
    match kvp.get(&["SERVICE"]) {
        Some(s) if s.trim().eq_ignore_ascii_case("CSW") => {}
        Some(s) => return Err(CswError::invalid("service", format!("'{s}' is not CSW"))),
        None => return Err(CswError::missing("service", "the SERVICE parameter is required (CSW)")),
    }
    let op = request.trim().to_ascii_lowercase();
    if op == "getcapabilities" {
        if let Some(accepted) = kvp.get(&["ACCEPTVERSIONS"]) {
            check_accepted(&list(accepted))?;
        }
        let sections = kvp.get(&["SECTIONS"]).map(sections).transpose()?;
        return Ok(CswRequest::GetCapabilities(GetCapabilities { sections }));
    }
    check_version(kvp.get(&["VERSION"]))?;
    Ok(match op.as_str() {
        "describerecord" => {
            if let Some(language) = kvp.get(&["SCHEMALANGUAGE"]) {
                check_schema_language(language)?;
            }
            if let Some(f) = kvp.get(&["OUTPUTFORMAT"]) {
                check_output_format(f)?;
            }
            let type_names = kvp.get(&["TYPENAME", "TYPENAMES"]).map(|v| type_names(v, "typeName")).transpose()?.unwrap_or_default();
            CswRequest::DescribeRecord(DescribeRecord { type_names })
        }
        "getrecords" => CswRequest::GetRecords(get_records(&kvp, limits)?),
        "getrecordbyid" => {
            let ids = kvp.get(&["ID"]).map(list).unwrap_or_default();
            if ids.is_empty() {
                return Err(CswError::missing("Id", "GetRecordById needs the ID parameter"));
            }
            if let Some(f) = kvp.get(&["OUTPUTFORMAT"]) {
                check_output_format(f)?;
            }
            CswRequest::GetRecordById(GetRecordById {
                ids,
                output_schema: kvp.get(&["OUTPUTSCHEMA"]).map(output_schema).transpose()?.unwrap_or_default(),
                element_set: kvp.get(&["ELEMENTSETNAME"]).map(element_set).transpose()?.unwrap_or_default(),
            })
        }
        "getdomain" => {
            let mut names = Vec::new();
            for p in kvp.get(&["PARAMETERNAME"]).map(list).unwrap_or_default() {
                names.push(parameter_name(&p)?);
            }
            for p in kvp.get(&["PROPERTYNAME"]).map(list).unwrap_or_default() {
                names.push(property_name(&p)?);
            }
            if names.is_empty() {
                return Err(CswError::missing("ParameterName", "GetDomain needs PARAMETERNAME or PROPERTYNAME"));
            }
            CswRequest::GetDomain(GetDomain { names })
        }
        "harvest" => return Err(CswError::not_supported("request", "Harvest is not supported: the catalogue does not fetch records from elsewhere")),
        "transaction" => return Err(CswError::not_supported("request", "Transaction is sent as an XML POST (CSW 2.0.2 has no KVP encoding of it)")),
        _ => return Err(CswError::invalid("request", format!("'{request}' is not a CSW operation"))),
    })
}

pub(crate) fn check_accepted(versions: &[String]) -> Result<(), CswError> {
    if versions.is_empty() || versions.iter().any(|v| v.trim() == VERSION) {
        Ok(())
    } else {
        Err(CswError::new(
            super::error::ExceptionCode::VersionNegotiationFailed,
            "AcceptVersions",
            format!("none of the accepted versions ({}) is supported (2.0.2)", versions.join(", ")),
        ))
    }
}

pub(crate) fn check_version(version: Option<&str>) -> Result<(), CswError> {
    match version.map(str::trim) {
        Some(VERSION) => Ok(()),
        Some(v) => Err(CswError::invalid("version", format!("version '{v}' is not supported (2.0.2)"))),
        None => Err(CswError::missing("version", "the VERSION parameter is required (2.0.2)")),
    }
}

pub(crate) fn sections(text: &str) -> Result<Vec<Section>, CswError> {
    let mut out = Vec::new();
    for s in list(text) {
        for section in Section::parse(&s).ok_or_else(|| CswError::invalid("sections", format!("'{s}' is not a capabilities section")))? {
            if !out.contains(&section) {
                out.push(section);
            }
        }
    }
    Ok(out)
}

pub(crate) fn check_schema_language(text: &str) -> Result<(), CswError> {
    match text.trim() {
        "XMLSCHEMA" | "http://www.w3.org/XML/Schema" | "http://www.w3.org/2001/XMLSchema" => Ok(()),
        other => Err(CswError::invalid("schemaLanguage", format!("'{other}' is not supported (http://www.w3.org/XML/Schema)"))),
    }
}

/// `application/xml` and `text/xml`, with or without parameters (`; charset=UTF-8`).
pub(crate) fn check_output_format(text: &str) -> Result<(), CswError> {
    let media = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/xml" | "text/xml" => Ok(()),
        _ => Err(CswError::invalid("outputFormat", format!("'{text}' is not supported (application/xml)"))),
    }
}

/// Type names, comma or space separated: `csw:Record`, `gmd:MD_Metadata`, both.
pub(crate) fn type_names(text: &str, locator: &str) -> Result<Vec<TypeName>, CswError> {
    let mut out = Vec::new();
    for name in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()) {
        let t = TypeName::parse(name).ok_or_else(|| CswError::invalid(locator, format!("'{name}' is not a record type of this catalogue (csw:Record, gmd:MD_Metadata)")))?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

pub(crate) fn output_schema(text: &str) -> Result<OutputSchema, CswError> {
    OutputSchema::parse(text).ok_or_else(|| CswError::invalid("outputSchema", format!("'{text}' is not supported ({} or {})", super::CSW_NS, super::GMD_NS)))
}

pub(crate) fn element_set(text: &str) -> Result<ElementSet, CswError> {
    ElementSet::parse(text).ok_or_else(|| CswError::invalid("ElementSetName", format!("'{text}' is not brief, summary or full")))
}

pub(crate) fn element_name(text: &str) -> Result<Queryable, CswError> {
    Queryable::parse(text).ok_or_else(|| CswError::invalid("ElementName", format!("'{text}' is not an element of the records")))
}

pub(crate) fn result_type(text: &str) -> Result<ResultType, CswError> {
    ResultType::parse(text).ok_or_else(|| CswError::invalid("resultType", format!("'{text}' is not hits, results or validate")))
}

pub(crate) fn parameter_name(text: &str) -> Result<DomainOf, CswError> {
    match parameter_domain(text) {
        Some(_) => Ok(DomainOf::Parameter(text.trim().to_string())),
        None => Err(CswError::invalid("ParameterName", format!("'{text}' is not a parameter whose values this catalogue lists (Operation.parameter, e.g. GetRecords.resultType)"))),
    }
}

pub(crate) fn property_name(text: &str) -> Result<DomainOf, CswError> {
    match Queryable::parse(text) {
        Some(q) => Ok(DomainOf::Property(text.trim().to_string(), q)),
        None => Err(CswError::invalid("PropertyName", format!("'{text}' is not a queryable of this catalogue"))),
    }
}

/// startPosition, 1-based. OWSLib sends 0 by default (its `startposition=0`), which pycsw and
/// GeoNetwork read as the first record: so does this.
pub(crate) fn start_position(text: &str) -> Result<u64, CswError> {
    match text.trim().parse::<u64>() {
        Ok(n) => Ok(n.max(1)),
        _ => Err(CswError::invalid("startPosition", format!("'{text}' is not a positive integer (positions start at 1)"))),
    }
}

pub(crate) fn max_records(text: &str, limits: &Limits) -> Result<u64, CswError> {
    match text.trim().parse::<u64>() {
        Ok(n) if n <= limits.max_records => Ok(n),
        Ok(n) => Err(CswError::invalid("maxRecords", format!("{n} records is more than this catalogue returns at once ({})", limits.max_records))),
        Err(_) => Err(CswError::invalid("maxRecords", format!("'{text}' is not a non-negative integer"))),
    }
}

/// One sort key as KVP writes it: `name[:A|:D]` (`dc:title:D`), or with a space and ASC/DESC.
fn sort_key(item: &str) -> Result<SortKey, CswError> {
    let item = item.trim();
    let (name, ascending) = match item.rsplit_once([':', ' ']) {
        Some((name, order)) => match order.trim().to_ascii_uppercase().as_str() {
            "A" | "ASC" => (name.trim(), true),
            "D" | "DESC" => (name.trim(), false),
            _ => (item, true),
        },
        None => (item, true),
    };
    let queryable = Queryable::parse(name).ok_or_else(|| CswError::invalid("SortBy", format!("'{name}' is not a queryable of this catalogue")))?;
    Ok(SortKey { queryable, ascending })
}

pub(crate) fn sort_queryable(name: &str) -> Result<Queryable, CswError> {
    Queryable::parse(name).ok_or_else(|| CswError::invalid("SortBy", format!("'{name}' is not a queryable of this catalogue")))
}

fn get_records(kvp: &Kvp, limits: &Limits) -> Result<GetRecords, CswError> {
    let mut g = GetRecords::new();
    if let Some(t) = kvp.get(&["TYPENAMES", "TYPENAME"]) {
        g.type_names = type_names(t, "typeNames")?;
    }
    if let Some(s) = kvp.get(&["OUTPUTSCHEMA"]) {
        g.output_schema = output_schema(s)?;
    }
    if let Some(f) = kvp.get(&["OUTPUTFORMAT"]) {
        check_output_format(f)?;
    }
    match (kvp.get(&["ELEMENTSETNAME"]), kvp.get(&["ELEMENTNAME"])) {
        (Some(_), Some(_)) => return Err(CswError::invalid("ElementName", "ElementSetName and ElementName cannot both be given")),
        (Some(s), None) => g.elements = Elements::Set(element_set(s)?),
        (None, Some(names)) => g.elements = Elements::Names(list(names).iter().map(|n| element_name(n)).collect::<Result<_, _>>()?),
        (None, None) => {}
    }
    check_element_names(&g)?;
    if let Some(r) = kvp.get(&["RESULTTYPE"]) {
        g.result_type = result_type(r)?;
    }
    if let Some(text) = kvp.get(&["CONSTRAINT"]) {
        let language = match kvp.get(&["CONSTRAINTLANGUAGE"]) {
            Some(l) => ConstraintLanguage::parse(l).ok_or_else(|| CswError::invalid("constraintLanguage", format!("'{l}' is not FILTER or CQL_TEXT")))?,
            None if text.trim_start().starts_with('<') => ConstraintLanguage::Filter,
            None => ConstraintLanguage::CqlText,
        };
        g.constraint = Some(constraint::parse(text, language)?);
    } else if let Some(l) = kvp.get(&["CONSTRAINTLANGUAGE"]) {
        ConstraintLanguage::parse(l).ok_or_else(|| CswError::invalid("constraintLanguage", format!("'{l}' is not FILTER or CQL_TEXT")))?;
    }
    if let Some(s) = kvp.get(&["SORTBY"]) {
        g.sort_by = list(s).iter().map(|item| sort_key(item)).collect::<Result<_, _>>()?;
    }
    if let Some(s) = kvp.get(&["STARTPOSITION"]) {
        g.start_position = start_position(s)?;
    }
    if let Some(m) = kvp.get(&["MAXRECORDS"]) {
        g.max_records = max_records(m, limits)?;
    }
    g.max_records = g.max_records.min(limits.max_records);
    g.request_id = kvp.get(&["REQUESTID"]).map(str::to_string);
    if kvp.get(&["DISTRIBUTEDSEARCH"]).is_some_and(|d| d.trim().eq_ignore_ascii_case("true")) {
        return Err(CswError::invalid("DistributedSearch", "this catalogue does not forward searches to others"));
    }
    if kvp.get(&["RESPONSEHANDLER"]).is_some() {
        return Err(CswError::invalid("ResponseHandler", "asynchronous responses are not supported"));
    }
    Ok(g)
}

/// ElementName selects Dublin Core elements; with ISO output there is no such subset.
pub(crate) fn check_element_names(g: &GetRecords) -> Result<(), CswError> {
    if matches!(g.elements, Elements::Names(_)) && g.output_schema == OutputSchema::Iso {
        return Err(CswError::invalid("ElementName", "ElementName is supported with Dublin Core output only; use ElementSetName with ISO output"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
