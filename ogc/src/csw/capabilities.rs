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
use crate::ows::capabilities::{self as ows, ServiceMetadata, XLINK_NS, XSI_NS, get_url};
use crate::ows::xml::{self, XmlWriter};
use crate::ows::OwsVersion;

const V: OwsVersion = OwsVersion::V1_0_0;

/// The spatial operators the catalogue evaluates (on extents).
pub const SPATIAL_OPERATORS: [&str; 7] = ["BBOX", "Intersects", "Disjoint", "Within", "Contains", "Equals", "Overlaps"];

/// Writes the capabilities; `endpoint` is the public URL of the CSW (e.g. `https://h/csw`),
/// `sections` None for all; `limits` gives the largest `maxRecords` accepted, announced as
/// pycsw does (`MaxRecordDefault`).
pub fn capabilities(meta: &ServiceMetadata, endpoint: &str, sections: Option<&[Section]>, limits: &Limits) -> String {
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
            operations_metadata(w, endpoint, limits)?;
        }
        filter_capabilities(w)?;
        w.write_event(quick_xml::events::Event::End(root.to_end()))
    })
}

fn values(name: &str) -> &'static [&'static str] {
    parameter_domain(name).unwrap_or(&[])
}

fn operations_metadata(w: &mut XmlWriter, endpoint: &str, limits: &Limits) -> io::Result<()> {
    let iso: Vec<&str> = Queryable::all().iter().filter_map(|q| q.iso_name()).collect();
    let dc: Vec<&str> = Queryable::all().iter().filter_map(|q| q.dublin_core_name()).collect();
    w.create_element("ows:OperationsMetadata").write_inner_content(|w| {
        operation(w, "GetCapabilities", endpoint, &[("sections", values("GetCapabilities.sections"))], &[])?;
        operation(
            w,
            "DescribeRecord",
            endpoint,
            &[
                ("typeName", values("DescribeRecord.typeName")),
                ("outputFormat", values("DescribeRecord.outputFormat")),
                ("schemaLanguage", values("DescribeRecord.schemaLanguage")),
            ],
            &[],
        )?;
        operation(
            w,
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
        operation(
            w,
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
        operation(w, "GetDomain", endpoint, &[("ParameterName", &domain_parameters), ("PropertyName", &property_names)], &[])?;
        ows::parameter(w, V, "ows:Parameter", "service", &["CSW"])?;
        ows::parameter(w, V, "ows:Parameter", "version", &[VERSION])?;
        // GeoNetwork's and pycsw's flag for "POST bodies are XML".
        ows::parameter(w, V, "ows:Constraint", "PostEncoding", &["XML"])?;
        ows::parameter(w, V, "ows:Constraint", "MaxRecordDefault", &[limits.max_records.to_string().as_str()])
    })?;
    Ok(())
}

/// One operation at `endpoint` by GET and POST; constraints may list several values (the
/// queryables), which the shared OWS helper's single-valued constraints cannot.
fn operation(w: &mut XmlWriter, name: &str, endpoint: &str, parameters: &[(&str, &[&str])], constraints: &[(&str, &[&str])]) -> io::Result<()> {
    let get = get_url(endpoint);
    w.create_element("ows:Operation").with_attribute(("name", name)).write_inner_content(|w| {
        w.create_element("ows:DCP").write_inner_content(|w| {
            w.create_element("ows:HTTP").write_inner_content(|w| {
                w.create_element("ows:Get").with_attribute(("xlink:href", get.as_str())).write_empty()?;
                w.create_element("ows:Post").with_attribute(("xlink:href", endpoint)).write_empty()?;
                Ok(())
            })?;
            Ok(())
        })?;
        for (p, values) in parameters.iter().filter(|(_, v)| !v.is_empty()) {
            ows::parameter(w, V, "ows:Parameter", p, values)?;
        }
        for (c, values) in constraints.iter().filter(|(_, v)| !v.is_empty()) {
            ows::parameter(w, V, "ows:Constraint", c, values)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Filter Encoding 1.1 capabilities: what [`super::search`] evaluates.
fn filter_capabilities(w: &mut XmlWriter) -> io::Result<()> {
    w.create_element("ogc:Filter_Capabilities").write_inner_content(|w| {
        w.create_element("ogc:Spatial_Capabilities").write_inner_content(|w| {
            w.create_element("ogc:GeometryOperands").write_inner_content(|w| {
                ["gml:Envelope", "gml:Point", "gml:LineString", "gml:Polygon"].iter().try_for_each(|g| xml::text(w, "ogc:GeometryOperand", g))
            })?;
            w.create_element("ogc:SpatialOperators").write_inner_content(|w| {
                SPATIAL_OPERATORS.iter().try_for_each(|op| xml::empty_with(w, "ogc:SpatialOperator", "name", op))
            })?;
            Ok(())
        })?;
        w.create_element("ogc:Scalar_Capabilities").write_inner_content(|w| {
            w.create_element("ogc:LogicalOperators").write_empty()?;
            w.create_element("ogc:ComparisonOperators").write_inner_content(|w| {
                ["LessThan", "GreaterThan", "LessThanEqualTo", "GreaterThanEqualTo", "EqualTo", "NotEqualTo", "Like", "Between", "NullCheck"]
                    .iter()
                    .try_for_each(|op| xml::text(w, "ogc:ComparisonOperator", op))
            })?;
            Ok(())
        })?;
        w.create_element("ogc:Id_Capabilities").write_inner_content(|w| {
            w.create_element("ogc:EID").write_empty()?;
            w.create_element("ogc:FID").write_empty()?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}
