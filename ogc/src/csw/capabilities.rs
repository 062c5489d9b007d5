//! The CSW 2.0.2 capabilities document (OWS Common 1.0.0 sections + Filter 1.1 capabilities).
//!
//! Operations are announced the way GeoNetwork and pycsw do, since harvesters and QGIS
//! MetaSearch read them: every operation at one endpoint by GET and POST, the allowed values of
//! the parameters (type names, output schemas, element sets, result types, constraint
//! languages), and the queryables as the `SupportedISOQueryables` and
//! `SupportedDublinCoreQueryables` constraints of GetRecords. Only what the catalogue does is
//! announced: no Harvest or Transaction, no distributed search; the spatial operators are those
//! [`super::search`] evaluates.
//!
//! `Sections` selects the OWS sections; `ogc:Filter_Capabilities` is always written because the
//! CSW 2.0.2 schema makes it mandatory.

use std::io;

use quick_xml::events::BytesStart;

use super::queryables::Queryable;
use super::request::{Limits, Section, parameter_domain};
use super::{CSW_NS, GML_NS, OGC_NS, VERSION};
use crate::ows::capabilities::{self as ows, ServiceMetadata, XLINK_NS, XSI_NS};
use crate::ows::xml::{self, XmlWriter};
use crate::ows::OwsVersion;

const V: OwsVersion = OwsVersion::V1_0_0;

/// The spatial operators the catalogue evaluates (on extents).
pub const SPATIAL_OPERATORS: [&str; 7] = ["BBOX", "Intersects", "Disjoint", "Within", "Contains", "Equals", "Overlaps"];

/// Writes the capabilities; `endpoint` is the public URL of the CSW (e.g. `https://h/csw`),
/// `sections` None for all; `limits` gives the largest `maxRecords` accepted, announced as
/// pycsw does (`MaxRecordDefault`); `transactions`: whether the caller may publish, so the
/// Transaction operation is listed (only to those who may use it).
pub fn capabilities(meta: &ServiceMetadata, endpoint: &str, sections: Option<&[Section]>, limits: &Limits, transactions: bool) -> String {
    let wants = |s: Section| sections.is_none_or(|list| list.contains(&s));
    let w = xml::document();
    xml::finish(w, |w| {
        let mut root = BytesStart::new("csw:Capabilities");
        for (k, v) in [
            ("xmlns:csw", CSW_NS),
            ("xmlns:ows", V.namespace()),
            ("xmlns:ogc", OGC_NS),
            ("xmlns:gml", GML_NS),
            ("xmlns:xlink", XLINK_NS),
            ("xmlns:xsi", XSI_NS),
            ("xsi:schemaLocation", "http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"),
            ("version", VERSION),
        ] {
            root.push_attribute((k, v));
        }
        w.write_event(quick_xml::events::Event::Start(root.borrow()))?;
        if wants(Section::ServiceIdentification) {
            ows::service_identification(w, meta, "CSW", &[VERSION])?;
        }
        if wants(Section::ServiceProvider) {
            ows::service_provider(w, meta)?;
        }
        if wants(Section::OperationsMetadata) {
            operations_metadata(w, endpoint, limits, transactions)?;
        }
        // What [`super::search`] evaluates: no arithmetic on record fields.
        ows::filter_capabilities_1_1(w, &SPATIAL_OPERATORS, false)?;
        w.write_event(quick_xml::events::Event::End(root.to_end()))
    })
}

fn values(name: &str) -> &'static [&'static str] {
    parameter_domain(name).unwrap_or(&[])
}

fn operations_metadata(w: &mut XmlWriter, endpoint: &str, limits: &Limits, transactions: bool) -> io::Result<()> {
    let iso: Vec<&str> = Queryable::all().iter().filter_map(|q| q.iso_name()).collect();
    let dc: Vec<&str> = Queryable::all().iter().filter_map(|q| q.dublin_core_name()).collect();
    w.create_element("ows:OperationsMetadata").write_inner_content(|w| {
        ows::operation(w, V, "GetCapabilities", endpoint, &[("sections", values("GetCapabilities.sections"))], &[])?;
        ows::operation(
            w,
            V,
            "DescribeRecord",
            endpoint,
            &[
                ("typeName", values("DescribeRecord.typeName")),
                ("outputFormat", values("DescribeRecord.outputFormat")),
                ("schemaLanguage", values("DescribeRecord.schemaLanguage")),
            ],
            &[],
        )?;
        ows::operation(
            w,
            V,
            "GetRecords",
            endpoint,
            &[
                ("typeNames", values("GetRecords.typeNames")),
                ("outputFormat", values("GetRecords.outputFormat")),
                ("outputSchema", values("GetRecords.outputSchema")),
                ("resultType", values("GetRecords.resultType")),
                ("ElementSetName", values("GetRecords.ElementSetName")),
                ("CONSTRAINTLANGUAGE", values("GetRecords.CONSTRAINTLANGUAGE")),
            ],
            &[("SupportedISOQueryables", &iso), ("SupportedDublinCoreQueryables", &dc)],
        )?;
        ows::operation(
            w,
            V,
            "GetRecordById",
            endpoint,
            &[
                ("outputFormat", values("GetRecordById.outputFormat")),
                ("outputSchema", values("GetRecordById.outputSchema")),
                ("ElementSetName", values("GetRecordById.ElementSetName")),
            ],
            &[],
        )?;
        let domain_parameters = [
            "GetCapabilities.sections",
            "DescribeRecord.typeName",
            "DescribeRecord.outputFormat",
            "DescribeRecord.schemaLanguage",
            "GetRecords.typeNames",
            "GetRecords.outputFormat",
            "GetRecords.outputSchema",
            "GetRecords.resultType",
            "GetRecords.ElementSetName",
            "GetRecords.CONSTRAINTLANGUAGE",
            "GetRecordById.outputFormat",
            "GetRecordById.outputSchema",
            "GetRecordById.ElementSetName",
        ];
        // Every queryable but the two whose values are not a list to pick from.
        let property_names: Vec<&str> = iso.iter().chain(&dc).copied().filter(|n| !n.ends_with("AnyText") && !n.ends_with("BoundingBox")).collect();
        ows::operation(w, V, "GetDomain", endpoint, &[("ParameterName", &domain_parameters), ("PropertyName", &property_names)], &[])?;
        if transactions {
            ows::operation(w, V, "Transaction", endpoint, &[("TypeName", &["gmd:MD_Metadata"])], &[])?;
        }
        ows::parameter(w, V, "ows:Parameter", "service", &["CSW"])?;
        ows::parameter(w, V, "ows:Parameter", "version", &[VERSION])?;
        // GeoNetwork's and pycsw's flag for "POST bodies are XML".
        ows::parameter(w, V, "ows:Constraint", "PostEncoding", &["XML"])?;
        ows::parameter(w, V, "ows:Constraint", "MaxRecordDefault", &[limits.max_records.to_string().as_str()])
    })?;
    Ok(())
}
