//! The capabilities sections OWS Common defines once for every service (ServiceIdentification,
//! ServiceProvider, OperationsMetadata pieces, WGS84BoundingBox), so WFS, WMTS and CSW documents
//! announce the same provider the same way; and the Filter 1.1 capabilities WFS 1.1 and CSW
//! share.
//!
//! All writers use the `ows:` prefix; the caller declares it on the root element with
//! [`OwsVersion::namespace`], along with `xlink:`.

use std::io;

use quick_xml::events::BytesText;

use super::OwsVersion;
use super::xml::{self, XmlWriter};
use crate::bbox::Bbox;

/// What the operator says about the service, shared by every protocol face.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceMetadata {
    pub title: String,
    pub abstract_: String,
    pub keywords: Vec<String>,
    /// Empty means none: written as the `NONE` keyword the standards reserve for it.
    pub fees: String,
    /// Empty means none: written as `NONE`.
    pub access_constraints: String,
    pub provider_name: String,
    pub provider_url: String,
    pub contact_name: String,
    pub contact_email: String,
}

pub const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The GET base URL: clients append the query string to it verbatim, so it must end with `?`
/// or `&` (OWS Common 1.1, 7.2.3).
pub fn get_url(endpoint: &str) -> String {
    if endpoint.ends_with('?') || endpoint.ends_with('&') {
        endpoint.to_string()
    } else if endpoint.contains('?') {
        format!("{endpoint}&")
    } else {
        format!("{endpoint}?")
    }
}

/// `NONE` when the operator left a field empty, because an empty `Fees` reads to clients as
/// "unknown" rather than "free".
fn or_none(s: &str) -> &str {
    if s.trim().is_empty() { "NONE" } else { s }
}

/// `<ows:Keywords>`; omitted when there are none because the schema requires at least one
/// `Keyword` inside.
pub fn keywords(w: &mut XmlWriter, keywords: &[String]) -> io::Result<()> {
    if keywords.is_empty() {
        return Ok(());
    }
    w.create_element("ows:Keywords").write_inner_content(|w| {
        for k in keywords {
            xml::text(w, "ows:Keyword", k)?;
        }
        Ok(())
    })?;
    Ok(())
}

pub fn service_identification(
    w: &mut XmlWriter,
    meta: &ServiceMetadata,
    service_type: &str,
    versions: &[&str],
) -> io::Result<()> {
    w.create_element("ows:ServiceIdentification").write_inner_content(|w| {
        xml::text(w, "ows:Title", &meta.title)?;
        if !meta.abstract_.is_empty() {
            xml::text(w, "ows:Abstract", &meta.abstract_)?;
        }
        keywords(w, &meta.keywords)?;
        xml::text(w, "ows:ServiceType", service_type)?;
        for v in versions {
            xml::text(w, "ows:ServiceTypeVersion", v)?;
        }
        xml::text(w, "ows:Fees", or_none(&meta.fees))?;
        xml::text(w, "ows:AccessConstraints", or_none(&meta.access_constraints))
    })?;
    Ok(())
}

pub fn service_provider(w: &mut XmlWriter, meta: &ServiceMetadata) -> io::Result<()> {
    w.create_element("ows:ServiceProvider").write_inner_content(|w| {
        xml::text(w, "ows:ProviderName", &meta.provider_name)?;
        if !meta.provider_url.is_empty() {
            w.create_element("ows:ProviderSite")
                .with_attribute(("xlink:href", meta.provider_url.as_str()))
                .write_empty()?;
        }
        w.create_element("ows:ServiceContact").write_inner_content(|w| {
            if !meta.contact_name.is_empty() {
                xml::text(w, "ows:IndividualName", &meta.contact_name)?;
            }
            if !meta.contact_email.is_empty() {
                w.create_element("ows:ContactInfo").write_inner_content(|w| {
                    w.create_element("ows:Address")
                        .write_inner_content(|w| xml::text(w, "ows:ElectronicMailAddress", &meta.contact_email))?;
                    Ok(())
                })?;
            }
            xml::text(w, "ows:Role", "pointOfContact")
        })?;
        Ok(())
    })?;
    Ok(())
}

/// One `ows:Operation`, reachable by GET (KVP) and POST (XML) at `endpoint`.
///
/// `parameters` and `constraints` are name and allowed values (CSW lists its queryables as
/// constraint values); one without values is left out, since the schema forbids an empty list.
pub fn operation(
    w: &mut XmlWriter,
    version: OwsVersion,
    name: &str,
    endpoint: &str,
    parameters: &[(&str, &[&str])],
    constraints: &[(&str, &[&str])],
) -> io::Result<()> {
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
        for (p, values) in parameters.iter().filter(|(_, values)| !values.is_empty()) {
            parameter(w, version, "ows:Parameter", p, values)?;
        }
        for (c, values) in constraints.iter().filter(|(_, values)| !values.is_empty()) {
            parameter(w, version, "ows:Constraint", c, values)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A domain with an enumerated list of values (`ows:Parameter` or `ows:Constraint`).
///
/// OWS 1.0 lists `ows:Value`s directly; 1.1 wraps them in `ows:AllowedValues`.
pub fn parameter(w: &mut XmlWriter, version: OwsVersion, element: &str, name: &str, values: &[&str]) -> io::Result<()> {
    w.create_element(element).with_attribute(("name", name)).write_inner_content(|w| match version {
        OwsVersion::V1_0_0 => values.iter().try_for_each(|v| xml::text(w, "ows:Value", v)),
        OwsVersion::V1_1_0 => {
            w.create_element("ows:AllowedValues")
                .write_inner_content(|w| values.iter().try_for_each(|v| xml::text(w, "ows:Value", v)))?;
            Ok(())
        }
    })?;
    Ok(())
}

/// An `ows:Constraint` holding one value (`TRUE`, `FALSE`, a count).
///
/// OWS 1.1 expresses "no choice, this is the value" as `NoValues` plus `DefaultValue`, which is
/// what WFS 2.0 (table 13) and FES 2.0 conformance declarations require; OWS 1.0 only has
/// `Value`.
pub fn constraint(w: &mut XmlWriter, version: OwsVersion, name: &str, value: &str) -> io::Result<()> {
    constraint_in(w, version, "ows:Constraint", name, value)
}

/// [`constraint`] under another element name (FES 2.0 `fes:Constraint` reuses the OWS type).
pub fn constraint_in(w: &mut XmlWriter, version: OwsVersion, element: &str, name: &str, value: &str) -> io::Result<()> {
    w.create_element(element).with_attribute(("name", name)).write_inner_content(|w| match version {
        OwsVersion::V1_0_0 => xml::text(w, "ows:Value", value),
        OwsVersion::V1_1_0 => {
            w.create_element("ows:NoValues").write_empty()?;
            xml::text(w, "ows:DefaultValue", value)
        }
    })?;
    Ok(())
}

/// `ows:WGS84BoundingBox` from a longitude/latitude box (the schema fixes that axis order
/// whatever the CRS's own).
pub fn wgs84_bounding_box(w: &mut XmlWriter, bbox: &Bbox) -> io::Result<()> {
    w.create_element("ows:WGS84BoundingBox").write_inner_content(|w| {
        let lower = format!("{} {}", xml::number(bbox.min_x), xml::number(bbox.min_y));
        let upper = format!("{} {}", xml::number(bbox.max_x), xml::number(bbox.max_y));
        w.create_element("ows:LowerCorner").write_text_content(BytesText::new(&lower))?;
        w.create_element("ows:UpperCorner").write_text_content(BytesText::new(&upper))?;
        Ok(())
    })?;
    Ok(())
}

/// Filter Encoding 1.1 capabilities (`ogc:Filter_Capabilities`), for WFS 1.1 and CSW 2.0.2.
///
/// Both evaluate the same comparisons, logic and ids; they differ in the spatial operators they
/// evaluate and in arithmetic (features have numeric properties to compute with, catalogue
/// records do not). The caller declares the `ogc:` and `gml:` prefixes.
pub fn filter_capabilities_1_1(w: &mut XmlWriter, spatial_operators: &[&str], arithmetic: bool) -> io::Result<()> {
    w.create_element("ogc:Filter_Capabilities").write_inner_content(|w| {
        w.create_element("ogc:Spatial_Capabilities").write_inner_content(|w| {
            // Filter 1.1 enumerates operands and has no multi-geometries among them.
            w.create_element("ogc:GeometryOperands").write_inner_content(|w| {
                ["gml:Envelope", "gml:Point", "gml:LineString", "gml:Polygon"]
                    .iter()
                    .try_for_each(|g| xml::text(w, "ogc:GeometryOperand", g))
            })?;
            w.create_element("ogc:SpatialOperators").write_inner_content(|w| {
                spatial_operators.iter().try_for_each(|op| xml::empty_with(w, "ogc:SpatialOperator", "name", op))
            })?;
            Ok(())
        })?;
        w.create_element("ogc:Scalar_Capabilities").write_inner_content(|w| {
            w.create_element("ogc:LogicalOperators").write_empty()?;
            w.create_element("ogc:ComparisonOperators").write_inner_content(|w| {
                [
                    "LessThan",
                    "GreaterThan",
                    "LessThanEqualTo",
                    "GreaterThanEqualTo",
                    "EqualTo",
                    "NotEqualTo",
                    "Like",
                    "Between",
                    "NullCheck",
                ]
                .iter()
                .try_for_each(|op| xml::text(w, "ogc:ComparisonOperator", op))
            })?;
            if arithmetic {
                w.create_element("ogc:ArithmeticOperators")
                    .write_inner_content(|w| w.create_element("ogc:SimpleArithmetic").write_empty().map(|_| ()))?;
            }
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
