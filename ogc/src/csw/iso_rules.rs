//! The rules of `gmd.xsd` (ISO 19139, 2007-04-17) an imported record is checked against before
//! it enters the catalogue.
//!
//! No pure-Rust XML Schema validator exists, and linking libxml2 would be the one native
//! library of the default build (DESIGN.md). So the checks are the rules of the schema that
//! harvested records break in practice and that the catalogue's reader would otherwise accept
//! silently, written from the schema:
//!
//! - `MD_Metadata`'s children: only the elements `MD_Metadata_Type` declares, in its order,
//!   each at most as often as allowed, with the mandatory `contact`, `dateStamp` and
//!   `identificationInfo` present;
//! - code lists (`gco:CodeListValue_Type`): both `codeList` and `codeListValue` attributes;
//! - `MD_TopicCategoryCode`: one of the schema's nineteen enumerated values;
//! - `EX_GeographicBoundingBox`: the four bounds, each a `gco:Decimal` in `xs:decimal` form;
//! - dates (`gco:Date`, `gco:DateTime`) in their XML Schema forms.
//!
//! Everything below the first level that these rules do not name (the inside of a contact, of
//! a distribution) is not checked; a test checks that xmllint and these rules agree on both
//! valid records and records breaking each rule.

use super::{GCO_NS, GMD_NS};
use crate::ows::xml_tree::Element;

/// `MD_Metadata_Type`'s sequence: name, mandatory, repeatable.
const MD_METADATA: [(&str, bool, bool); 28] = [
    ("fileIdentifier", false, false),
    ("language", false, false),
    ("characterSet", false, false),
    ("parentIdentifier", false, false),
    ("hierarchyLevel", false, true),
    ("hierarchyLevelName", false, true),
    ("contact", true, true),
    ("dateStamp", true, false),
    ("metadataStandardName", false, false),
    ("metadataStandardVersion", false, false),
    ("dataSetURI", false, false),
    ("locale", false, true),
    ("spatialRepresentationInfo", false, true),
    ("referenceSystemInfo", false, true),
    ("metadataExtensionInfo", false, true),
    ("identificationInfo", true, true),
    ("contentInfo", false, true),
    ("distributionInfo", false, false),
    ("dataQualityInfo", false, true),
    ("portrayalCatalogueInfo", false, true),
    ("metadataConstraints", false, true),
    ("applicationSchemaInfo", false, true),
    ("metadataMaintenance", false, false),
    ("series", false, true),
    ("describes", false, true),
    ("propertyType", false, true),
    ("featureType", false, true),
    ("featureAttribute", false, true),
];

/// The elements of type `gco:CodeListValue_Type` in gmd.xsd.
const CODE_LISTS: [&str; 27] = [
    "CI_DateTypeCode",
    "CI_OnLineFunctionCode",
    "CI_PresentationFormCode",
    "CI_RoleCode",
    "Country",
    "DQ_EvaluationMethodTypeCode",
    "DS_AssociationTypeCode",
    "DS_InitiativeTypeCode",
    "LanguageCode",
    "MD_CellGeometryCode",
    "MD_CharacterSetCode",
    "MD_ClassificationCode",
    "MD_CoverageContentTypeCode",
    "MD_DatatypeCode",
    "MD_DimensionNameTypeCode",
    "MD_DistributionUnits",
    "MD_GeometricObjectTypeCode",
    "MD_ImagingConditionCode",
    "MD_KeywordTypeCode",
    "MD_MaintenanceFrequencyCode",
    "MD_MediumFormatCode",
    "MD_MediumNameCode",
    "MD_ProgressCode",
    "MD_RestrictionCode",
    "MD_ScopeCode",
    "MD_SpatialRepresentationTypeCode",
    "MD_TopologyLevelCode",
];

/// `MD_TopicCategoryCode_Type`'s enumeration.
const TOPIC_CATEGORIES: [&str; 19] = [
    "farming",
    "biota",
    "boundaries",
    "climatologyMeteorologyAtmosphere",
    "economy",
    "elevation",
    "environment",
    "geoscientificInformation",
    "health",
    "imageryBaseMapsEarthCover",
    "intelligenceMilitary",
    "inlandWaters",
    "location",
    "oceans",
    "planningCadastre",
    "society",
    "structure",
    "transportation",
    "utilitiesCommunication",
];

/// Checks `root` (a `gmd:MD_Metadata`) against the rules above; the error names the rule and
/// where it is broken.
pub(crate) fn check(root: &Element) -> Result<(), String> {
    check_sequence(root)?;
    check_tree(root)
}

fn check_sequence(root: &Element) -> Result<(), String> {
    let mut at = 0usize;
    let mut count = 0usize;
    for child in &root.children {
        let name = child.name.as_str();
        if child.ns.as_deref() != Some(GMD_NS) {
            return Err(format!("<{}> is not an element of gmd:MD_Metadata", child.qname));
        }
        let Some(index) = MD_METADATA.iter().position(|(n, _, _)| *n == name) else {
            return Err(format!("<{}> is not an element of gmd:MD_Metadata", child.qname));
        };
        if index < at {
            return Err(format!("<{}> comes after <gmd:{}>: gmd:MD_Metadata's elements have a fixed order", child.qname, MD_METADATA[at].0));
        }
        if index == at {
            count += 1;
            if count > 1 && !MD_METADATA[index].2 {
                return Err(format!("<{}> is given more than once", child.qname));
            }
        } else {
            missing_between(at, count, index)?;
            at = index;
            count = 1;
        }
    }
    missing_between(at, count, MD_METADATA.len())
}

/// The first mandatory element of the sequence between the last one seen (`at`, seen `count`
/// times) and `next`, as an error.
fn missing_between(at: usize, count: usize, next: usize) -> Result<(), String> {
    let from = if count > 0 { at + 1 } else { at };
    match MD_METADATA[from..next].iter().find(|(_, mandatory, _)| *mandatory) {
        Some((name, _, _)) => Err(format!("the mandatory <gmd:{name}> is missing")),
        None => Ok(()),
    }
}

fn check_tree(e: &Element) -> Result<(), String> {
    let gmd = e.ns.as_deref() == Some(GMD_NS);
    let gco = e.ns.as_deref() == Some(GCO_NS);
    if gmd && CODE_LISTS.contains(&e.name.as_str()) && (e.attr("codeList").is_none() || e.attr("codeListValue").is_none()) {
        return Err(format!("<{}> needs both codeList and codeListValue attributes", e.qname));
    }
    if gmd && e.name == "MD_TopicCategoryCode" {
        let value = e.text.trim();
        if !TOPIC_CATEGORIES.contains(&value) {
            return Err(format!("'{value}' is not an MD_TopicCategoryCode (one of {})", TOPIC_CATEGORIES.join(", ")));
        }
    }
    if gmd && e.name == "EX_GeographicBoundingBox" {
        for bound in ["westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude"] {
            let decimal = e.child(GMD_NS, bound).and_then(|b| b.child(GCO_NS, "Decimal")).ok_or_else(|| format!("gmd:EX_GeographicBoundingBox has no gmd:{bound}/gco:Decimal"))?;
            if !is_decimal(decimal.text.trim()) {
                return Err(format!("'{}' in gmd:{bound} is not a decimal number", decimal.text.trim()));
            }
        }
    }
    if gco && (e.name == "Date" || e.name == "DateTime") && !is_xsd_date(e.text.trim(), e.name == "DateTime") {
        return Err(format!("'{}' is not a {} (XML Schema form)", e.text.trim(), e.qname));
    }
    e.children.iter().try_for_each(check_tree)
}

/// `xs:decimal`: optional sign, digits with at most one point, at least one digit.
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !(int.is_empty() && frac.is_empty()) && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
}

/// The first `len` bytes of `s` and the rest (empty parts when `s` is shorter).
fn split(s: &str, len: usize) -> (&str, &str) {
    (s.get(..len).unwrap_or(""), s.get(len..).unwrap_or(""))
}

/// `gco:Date` is `xs:date`, `xs:gYearMonth` or `xs:gYear`; `gco:DateTime` is `xs:dateTime`
/// (time zone optional in both).
fn is_xsd_date(s: &str, date_time: bool) -> bool {
    let zone = |z: &str| z.is_empty() || z == "Z" || (z.len() == 6 && z.starts_with(['+', '-']) && chrono::NaiveTime::parse_from_str(&z[1..], "%H:%M").is_ok());
    if date_time {
        let Some((date, rest)) = s.split_once('T') else { return false };
        let time_end = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
        let (time, z) = rest.split_at(time_end);
        let whole_seconds = time.split('.').next().unwrap_or("");
        return chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
            && chrono::NaiveTime::parse_from_str(whole_seconds, "%H:%M:%S").is_ok()
            && time.split_once('.').is_none_or(|(_, f)| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
            && zone(z);
    }
    let (date, z) = split(s, 10);
    if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() && zone(z) {
        return true;
    }
    let (month, z) = split(s, 7);
    if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok() && zone(z) {
        return true;
    }
    let (year, z) = split(s, 4);
    year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) && zone(z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csw::iso;
    use crate::csw::test_support::layer_record;
    use crate::csw::ElementSet;
    use crate::ows::schema_check::{accepts, validate};

    const GMD_XSD: &str = "iso/19139/20070417/gmd/gmd.xsd";

    /// A valid document (the writer's full output, which validates) with one rule broken.
    fn broken() -> Vec<(&'static str, String)> {
        let good = iso::write(&layer_record(), ElementSet::Full);
        let edit = |from: &str, to: &str| {
            assert!(good.contains(from), "{from}");
            good.replacen(from, to, 1)
        };
        let contact_start = good.find("<gmd:contact>").unwrap();
        let contact_end = good.find("</gmd:contact>").unwrap() + "</gmd:contact>".len();
        let date_stamp = &good[good.find("<gmd:dateStamp>").unwrap()..good.find("</gmd:dateStamp>").unwrap() + "</gmd:dateStamp>".len()];
        vec![
            ("no contact", format!("{}{}", &good[..contact_start], &good[contact_end..])),
            ("order", edit(date_stamp, "").replacen("<gmd:contact>", &format!("{date_stamp}<gmd:contact>"), 1)),
            ("twice", edit(date_stamp, &format!("{date_stamp}{date_stamp}"))),
            ("unknown element", edit("<gmd:contact>", "<gmd:nonsense/><gmd:contact>")),
            ("code list", edit(" codeListValue=\"dataset\"", "")),
            ("topic", edit(">boundaries<", ">frontiers<")),
            ("decimal", edit(">-0.33<", ">-0,33<")),
            ("date", edit(">2024-04-30<", ">30/04/2024<")),
        ]
    }

    #[test]
    fn agrees_with_xmllint_on_gmd_xsd() {
        let good = iso::write(&layer_record(), ElementSet::Full);
        assert_eq!(check(&root(&good)), Ok(()));
        validate(&good, GMD_XSD);
        for (rule, doc) in broken() {
            let ours = check(&root(&doc));
            assert!(ours.is_err(), "{rule}: accepted");
            assert_ne!(accepts(&doc, GMD_XSD), Some(true), "{rule}: xmllint accepts what the rules refuse ({ours:?})");
        }
    }

    #[test]
    fn demo_records_pass() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/catalogue");
        for f in std::fs::read_dir(dir).unwrap().map(|f| f.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "xml")) {
            let doc = std::fs::read_to_string(&f).unwrap();
            assert_eq!(check(&root(&doc)), Ok(()), "{}", f.display());
        }
    }

    #[test]
    fn lexical_forms() {
        for ok in ["1", "-0.33", "+2.", ".5"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", ".", "1e3", "1,5", "NaN", "--1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
        for ok in ["2024-04-30", "2024-04", "2024", "2024-04-30Z", "2024-04-30+02:00"] {
            assert!(is_xsd_date(ok, false), "{ok}");
        }
        for ok in ["2024-04-30T10:00:00", "2024-04-30T10:00:00.5Z", "2024-04-30T10:00:00+01:00"] {
            assert!(is_xsd_date(ok, true), "{ok}");
        }
        for bad in ["30/04/2024", "2024-13-01", "2024-04-30T10:00", "2024-04-30 10:00:00", "24"] {
            assert!(!is_xsd_date(bad, bad.contains(':')), "{bad}");
        }
    }

    fn root(doc: &str) -> Element {
        crate::ows::xml_tree::read(doc, &crate::csw::XML_DOCUMENT).unwrap()
    }
}
