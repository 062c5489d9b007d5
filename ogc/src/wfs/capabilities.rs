//! WFS GetCapabilities documents for 2.0.0, 1.1.0 and 1.0.0.
//!
//! The three versions describe the same server, but each client family only reads its own
//! dialect (QGIS and GDAL negotiate 2.0.0, ArcGIS and older desktop tools often stop at 1.1.0 or
//! 1.0.0), so one [`Capabilities`] value is written three ways. Only what the server actually
//! does is advertised: read-only (no Transaction, no locking), paging, standard filters.

use std::io;

use quick_xml::events::{BytesStart, Event};

use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::ows::OwsVersion;
use crate::ows::capabilities::{self as ows, XLINK_NS, XSI_NS};
use crate::ows::xml::{self, XmlWriter};

pub use crate::ows::ServiceMetadata;

/// One feature type as every WFS version announces it.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureType {
    /// Local name; the capabilities qualify it with [`Capabilities::ns_prefix`].
    pub name: String,
    pub title: String,
    pub abstract_: String,
    pub keywords: Vec<String>,
    pub default_crs: Crs,
    pub other_crs: Vec<Crs>,
    /// Longitude/latitude extent; without it clients cannot zoom to the layer but still work.
    pub wgs84_bbox: Option<Bbox>,
    /// The ISO 19139 record of the data set (typically this server's CSW GetRecordById).
    pub metadata_url: Option<String>,
}

/// Everything a GetCapabilities response says, whatever the version.
#[derive(Clone, Copy, Debug)]
pub struct Capabilities<'a> {
    pub service: &'a ServiceMetadata,
    /// The service URL without query string; used for POST as is and for GET with `?` added.
    pub endpoint: &'a str,
    /// Must be non-empty: `wfs:Name` is an `xs:QName`, and without a prefix it would resolve to
    /// the WFS namespace (the default one in 1.0) instead of the data's.
    pub ns_prefix: &'a str,
    pub ns_uri: &'a str,
    pub feature_types: &'a [FeatureType],
    /// GetFeature output formats (MIME types) for 2.0 and 1.1. WFS 1.0 can only list GML2.
    pub output_formats: &'a [&'a str],
    /// The page size applied when a request gives no count, announced as `CountDefault`.
    pub max_features: u64,
    /// Whether the caller may edit a feature type: Transaction is announced only then.
    pub transactional: bool,
}

const WFS_NS: &str = "http://www.opengis.net/wfs";
const WFS2_NS: &str = "http://www.opengis.net/wfs/2.0";
const FES2_NS: &str = "http://www.opengis.net/fes/2.0";
const OGC_NS: &str = "http://www.opengis.net/ogc";
const GML32_NS: &str = "http://www.opengis.net/gml/3.2";
const GML_NS: &str = "http://www.opengis.net/gml";

fn qualified(c: &Capabilities, name: &str) -> String {
    debug_assert!(!c.ns_prefix.is_empty(), "feature type names need a namespace prefix");
    format!("{}:{}", c.ns_prefix, name)
}

fn schema_location(ns: &str, url: &str) -> String {
    format!("{ns} {url}")
}

fn root_start<'a>(
    name: &'a str,
    version: &'a str,
    c: &'a Capabilities,
    namespaces: &[(&'a str, &'a str)],
) -> BytesStart<'a> {
    let mut root = BytesStart::new(name);
    root.push_attribute(("version", version));
    for ns in namespaces {
        root.push_attribute(*ns);
    }
    let prefix_attr = format!("xmlns:{}", c.ns_prefix);
    root.push_attribute((prefix_attr.as_str(), c.ns_uri));
    root
}

fn write_document(root: BytesStart, body: impl FnOnce(&mut XmlWriter) -> io::Result<()>) -> String {
    xml::finish(xml::document(), |w| {
        w.write_event(Event::Start(root.borrow()))?;
        body(w)?;
        w.write_event(Event::End(root.to_end()))
    })
}

fn formats(w: &mut XmlWriter, element: &str, inner: &str, values: &[&str]) -> io::Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    w.create_element(element).write_inner_content(|w| values.iter().try_for_each(|f| xml::text(w, inner, f)))?;
    Ok(())
}

// ---------------------------------------------------------------- WFS 2.0.0

/// WFS 2.0.0 capabilities (OWS Common 1.1, FES 2.0), declaring Basic WFS conformance.
pub fn wfs_2_0_0(c: &Capabilities) -> String {
    let v = OwsVersion::V1_1_0;
    let location = format!(
        "{} {}",
        schema_location(WFS2_NS, "http://schemas.opengis.net/wfs/2.0/wfs.xsd"),
        schema_location(v.namespace(), "http://schemas.opengis.net/ows/1.1.0/owsAll.xsd")
    );
    let root = root_start(
        "wfs:WFS_Capabilities",
        "2.0.0",
        c,
        &[
            ("xmlns:wfs", WFS2_NS),
            ("xmlns:ows", v.namespace()),
            ("xmlns:fes", FES2_NS),
            ("xmlns:gml", GML32_NS),
            ("xmlns:xlink", XLINK_NS),
            ("xmlns:xsi", XSI_NS),
            ("xsi:schemaLocation", &location),
        ],
    );
    write_document(root, |w| {
        ows::service_identification(w, c.service, "WFS", &["2.0.0", "1.1.0", "1.0.0"])?;
        ows::service_provider(w, c.service)?;
        operations_metadata_2_0(w, c)?;
        w.create_element("wfs:FeatureTypeList")
            .write_inner_content(|w| c.feature_types.iter().try_for_each(|ft| feature_type_2_0(w, c, ft)))?;
        filter_capabilities_2_0(w)
    })
}

fn operations_metadata_2_0(w: &mut XmlWriter, c: &Capabilities) -> io::Result<()> {
    let v = OwsVersion::V1_1_0;
    let e = c.endpoint;
    let gml32: &[&str] = &["application/gml+xml; version=3.2"];
    w.create_element("ows:OperationsMetadata").write_inner_content(|w| {
        ows::operation(
            w,
            v,
            "GetCapabilities",
            e,
            &[("AcceptVersions", &["2.0.0", "1.1.0", "1.0.0"]), ("AcceptFormats", &["text/xml"])],
            &[],
        )?;
        ows::operation(w, v, "DescribeFeatureType", e, &[("outputFormat", gml32)], &[])?;
        ows::operation(
            w,
            v,
            "GetFeature",
            e,
            &[("resultType", &["results", "hits"]), ("outputFormat", c.output_formats)],
            &[],
        )?;
        ows::operation(w, v, "GetPropertyValue", e, &[("resolve", &["none"]), ("outputFormat", gml32)], &[])?;
        ows::operation(w, v, "ListStoredQueries", e, &[], &[])?;
        ows::operation(w, v, "DescribeStoredQueries", e, &[], &[])?;
        if c.transactional {
            ows::operation(w, v, "Transaction", e, &[("inputFormat", gml32)], &[])?;
        }
        ows::parameter(w, v, "ows:Parameter", "version", &["2.0.0", "1.1.0", "1.0.0"])?;
        for (name, value) in [
            ("ImplementsBasicWFS", "TRUE"),
            ("ImplementsTransactionalWFS", if c.transactional { "TRUE" } else { "FALSE" }),
            ("ImplementsLockingWFS", "FALSE"),
            ("KVPEncoding", "TRUE"),
            ("XMLEncoding", "TRUE"),
            ("SOAPEncoding", "FALSE"),
            ("ImplementsInheritance", "FALSE"),
            ("ImplementsRemoteResolve", "FALSE"),
            ("ImplementsResultPaging", "TRUE"),
            ("ImplementsStandardJoins", "FALSE"),
            ("ImplementsSpatialJoins", "FALSE"),
            ("ImplementsTemporalJoins", "FALSE"),
            ("ImplementsFeatureVersioning", "FALSE"),
            ("ManageStoredQueries", "FALSE"),
        ] {
            ows::constraint(w, v, name, value)?;
        }
        ows::constraint(w, v, "CountDefault", &c.max_features.to_string())?;
        ows::parameter(w, v, "ows:Constraint", "QueryExpressions", &["wfs:Query", "wfs:StoredQuery"])
    })?;
    Ok(())
}

fn feature_type_2_0(w: &mut XmlWriter, c: &Capabilities, ft: &FeatureType) -> io::Result<()> {
    w.create_element("wfs:FeatureType").write_inner_content(|w| {
        xml::text(w, "wfs:Name", &qualified(c, &ft.name))?;
        xml::text(w, "wfs:Title", &ft.title)?;
        if !ft.abstract_.is_empty() {
            xml::text(w, "wfs:Abstract", &ft.abstract_)?;
        }
        ows::keywords(w, &ft.keywords)?;
        xml::text(w, "wfs:DefaultCRS", &ft.default_crs.urn())?;
        for crs in ft.other_crs.iter().filter(|crs| **crs != ft.default_crs) {
            xml::text(w, "wfs:OtherCRS", &crs.urn())?;
        }
        formats(w, "wfs:OutputFormats", "wfs:Format", c.output_formats)?;
        if let Some(bbox) = &ft.wgs84_bbox {
            ows::wgs84_bounding_box(w, bbox)?;
        }
        if let Some(url) = &ft.metadata_url {
            w.create_element("wfs:MetadataURL").with_attribute(("xlink:href", url.as_str())).write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

const COMPARISON_2_0: [&str; 10] = [
    "PropertyIsEqualTo",
    "PropertyIsNotEqualTo",
    "PropertyIsLessThan",
    "PropertyIsGreaterThan",
    "PropertyIsLessThanOrEqualTo",
    "PropertyIsGreaterThanOrEqualTo",
    "PropertyIsLike",
    "PropertyIsNull",
    "PropertyIsNil",
    "PropertyIsBetween",
];

const SPATIAL: [&str; 11] = [
    "BBOX",
    "Equals",
    "Disjoint",
    "Intersects",
    "Touches",
    "Crosses",
    "Within",
    "Contains",
    "Overlaps",
    "DWithin",
    "Beyond",
];

/// FES 2.0 temporal operators as its capabilities schema enumerates them. `AnyInteracts` is
/// understood by the parser but left out: the 2.0 schema's `TemporalOperatorNameType` omits it
/// (an erratum), and advertising it would make the document invalid for validating clients.
const TEMPORAL: [&str; 13] = [
    "After",
    "Before",
    "Begins",
    "BegunBy",
    "TContains",
    "During",
    "TEquals",
    "TOverlaps",
    "Meets",
    "OverlappedBy",
    "MetBy",
    "Ends",
    "EndedBy",
];

fn filter_capabilities_2_0(w: &mut XmlWriter) -> io::Result<()> {
    let v = OwsVersion::V1_1_0;
    w.create_element("fes:Filter_Capabilities").write_inner_content(|w| {
        w.create_element("fes:Conformance").write_inner_content(|w| {
            for (name, value) in [
                ("ImplementsQuery", "TRUE"),
                ("ImplementsAdHocQuery", "TRUE"),
                ("ImplementsFunctions", "FALSE"),
                ("ImplementsResourceId", "TRUE"),
                ("ImplementsMinStandardFilter", "TRUE"),
                ("ImplementsStandardFilter", "TRUE"),
                ("ImplementsMinSpatialFilter", "TRUE"),
                ("ImplementsSpatialFilter", "TRUE"),
                ("ImplementsMinTemporalFilter", "TRUE"),
                ("ImplementsTemporalFilter", "TRUE"),
                ("ImplementsVersionNav", "FALSE"),
                ("ImplementsSorting", "TRUE"),
                ("ImplementsExtendedOperators", "FALSE"),
                ("ImplementsMinimumXPath", "TRUE"),
                ("ImplementsSchemaElementFunc", "FALSE"),
            ] {
                ows::constraint_in(w, v, "fes:Constraint", name, value)?;
            }
            Ok(())
        })?;
        w.create_element("fes:Id_Capabilities")
            .write_inner_content(|w| xml::empty_with(w, "fes:ResourceIdentifier", "name", "fes:ResourceId"))?;
        w.create_element("fes:Scalar_Capabilities").write_inner_content(|w| {
            w.create_element("fes:LogicalOperators").write_empty()?;
            w.create_element("fes:ComparisonOperators").write_inner_content(|w| {
                COMPARISON_2_0.iter().try_for_each(|op| xml::empty_with(w, "fes:ComparisonOperator", "name", op))
            })?;
            Ok(())
        })?;
        w.create_element("fes:Spatial_Capabilities").write_inner_content(|w| {
            w.create_element("fes:GeometryOperands").write_inner_content(|w| {
                [
                    "gml:Envelope",
                    "gml:Point",
                    "gml:LineString",
                    "gml:Polygon",
                    "gml:MultiPoint",
                    "gml:MultiCurve",
                    "gml:MultiSurface",
                ]
                .iter()
                .try_for_each(|g| xml::empty_with(w, "fes:GeometryOperand", "name", g))
            })?;
            w.create_element("fes:SpatialOperators").write_inner_content(|w| {
                SPATIAL.iter().try_for_each(|op| xml::empty_with(w, "fes:SpatialOperator", "name", op))
            })?;
            Ok(())
        })?;
        w.create_element("fes:Temporal_Capabilities").write_inner_content(|w| {
            w.create_element("fes:TemporalOperands").write_inner_content(|w| {
                ["gml:TimeInstant", "gml:TimePeriod"]
                    .iter()
                    .try_for_each(|t| xml::empty_with(w, "fes:TemporalOperand", "name", t))
            })?;
            w.create_element("fes:TemporalOperators").write_inner_content(|w| {
                TEMPORAL.iter().try_for_each(|op| xml::empty_with(w, "fes:TemporalOperator", "name", op))
            })?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

// ---------------------------------------------------------------- WFS 1.1.0

/// WFS 1.1.0 capabilities (OWS Common 1.0, Filter Encoding 1.1).
pub fn wfs_1_1_0(c: &Capabilities) -> String {
    let v = OwsVersion::V1_0_0;
    let location = schema_location(WFS_NS, "http://schemas.opengis.net/wfs/1.1.0/wfs.xsd");
    let root = root_start(
        "wfs:WFS_Capabilities",
        "1.1.0",
        c,
        &[
            ("xmlns:wfs", WFS_NS),
            ("xmlns:ows", v.namespace()),
            ("xmlns:ogc", OGC_NS),
            ("xmlns:gml", GML_NS),
            ("xmlns:xlink", XLINK_NS),
            ("xmlns:xsi", XSI_NS),
            ("xsi:schemaLocation", &location),
        ],
    );
    write_document(root, |w| {
        ows::service_identification(w, c.service, "WFS", &["1.1.0", "1.0.0"])?;
        ows::service_provider(w, c.service)?;
        let e = c.endpoint;
        w.create_element("ows:OperationsMetadata").write_inner_content(|w| {
            ows::operation(
                w,
                v,
                "GetCapabilities",
                e,
                &[("AcceptVersions", &["1.1.0", "1.0.0"]), ("AcceptFormats", &["text/xml"])],
                &[],
            )?;
            ows::operation(w, v, "DescribeFeatureType", e, &[("outputFormat", &["text/xml; subtype=gml/3.1.1"])], &[])?;
            ows::operation(
                w,
                v,
                "GetFeature",
                e,
                &[("resultType", &["results", "hits"]), ("outputFormat", c.output_formats)],
                &[],
            )?;
            if c.transactional {
                ows::operation(w, v, "Transaction", e, &[("inputFormat", &["text/xml; subtype=gml/3.1.1"])], &[])?;
            }
            // GeoServer's name for the same limit; WFS 1.1 has no standard one.
            ows::constraint(w, v, "DefaultMaxFeatures", &c.max_features.to_string())
        })?;
        w.create_element("wfs:FeatureTypeList").write_inner_content(|w| {
            w.create_element("wfs:Operations").write_inner_content(|w| {
                xml::text(w, "wfs:Operation", "Query")?;
                match c.transactional {
                    true => ["Insert", "Update", "Delete"].iter().try_for_each(|op| xml::text(w, "wfs:Operation", op).map(|_| ())),
                    false => Ok(()),
                }
            })?;
            c.feature_types.iter().try_for_each(|ft| feature_type_1_1(w, c, ft))
        })?;
        ows::filter_capabilities_1_1(w, &SPATIAL, true)
    })
}

fn feature_type_1_1(w: &mut XmlWriter, c: &Capabilities, ft: &FeatureType) -> io::Result<()> {
    w.create_element("wfs:FeatureType").write_inner_content(|w| {
        xml::text(w, "wfs:Name", &qualified(c, &ft.name))?;
        xml::text(w, "wfs:Title", &ft.title)?;
        if !ft.abstract_.is_empty() {
            xml::text(w, "wfs:Abstract", &ft.abstract_)?;
        }
        ows::keywords(w, &ft.keywords)?;
        xml::text(w, "wfs:DefaultSRS", &ft.default_crs.urn_x())?;
        for crs in ft.other_crs.iter().filter(|crs| **crs != ft.default_crs) {
            xml::text(w, "wfs:OtherSRS", &crs.urn_x())?;
        }
        formats(w, "wfs:OutputFormats", "wfs:Format", c.output_formats)?;
        if let Some(bbox) = &ft.wgs84_bbox {
            ows::wgs84_bounding_box(w, bbox)?;
        }
        if let Some(url) = &ft.metadata_url {
            // The record this server's CSW serves is ISO 19139 XML.
            w.create_element("wfs:MetadataURL")
                .with_attribute(("type", "19139"))
                .with_attribute(("format", "text/xml"))
                .write_text_content(quick_xml::events::BytesText::new(url))?;
        }
        Ok(())
    })?;
    Ok(())
}

// ---------------------------------------------------------------- WFS 1.0.0

/// WFS 1.0.0 capabilities (pre-OWS, Filter Encoding 1.0).
///
/// The 1.0 schema only admits `GML2` as a result format and one `SRS` per feature type, so the
/// other formats and CRSs are left out rather than producing a document strict clients reject.
pub fn wfs_1_0_0(c: &Capabilities) -> String {
    let location = schema_location(WFS_NS, "http://schemas.opengis.net/wfs/1.0.0/WFS-capabilities.xsd");
    let root = root_start(
        "WFS_Capabilities",
        "1.0.0",
        c,
        &[("xmlns", WFS_NS), ("xmlns:ogc", OGC_NS), ("xmlns:xsi", XSI_NS), ("xsi:schemaLocation", &location)],
    );
    let s = c.service;
    write_document(root, |w| {
        w.create_element("Service").write_inner_content(|w| {
            xml::text(w, "Name", "WFS")?;
            xml::text(w, "Title", &s.title)?;
            if !s.abstract_.is_empty() {
                xml::text(w, "Abstract", &s.abstract_)?;
            }
            if !s.keywords.is_empty() {
                xml::text(w, "Keywords", &s.keywords.join(", "))?;
            }
            xml::text(w, "OnlineResource", c.endpoint)?;
            xml::text(w, "Fees", if s.fees.trim().is_empty() { "NONE" } else { &s.fees })?;
            xml::text(
                w,
                "AccessConstraints",
                if s.access_constraints.trim().is_empty() { "NONE" } else { &s.access_constraints },
            )
        })?;
        w.create_element("Capability").write_inner_content(|w| {
            w.create_element("Request").write_inner_content(|w| {
                w.create_element("GetCapabilities").write_inner_content(|w| dcp_1_0(w, c.endpoint))?;
                w.create_element("DescribeFeatureType").write_inner_content(|w| {
                    w.create_element("SchemaDescriptionLanguage")
                        .write_inner_content(|w| w.create_element("XMLSCHEMA").write_empty().map(|_| ()))?;
                    dcp_1_0(w, c.endpoint)
                })?;
                w.create_element("GetFeature").write_inner_content(|w| {
                    w.create_element("ResultFormat")
                        .write_inner_content(|w| w.create_element("GML2").write_empty().map(|_| ()))?;
                    dcp_1_0(w, c.endpoint)
                })?;
                Ok(())
            })?;
            Ok(())
        })?;
        w.create_element("FeatureTypeList").write_inner_content(|w| {
            w.create_element("Operations")
                .write_inner_content(|w| w.create_element("Query").write_empty().map(|_| ()))?;
            c.feature_types.iter().try_for_each(|ft| feature_type_1_0(w, c, ft))
        })?;
        filter_capabilities_1_0(w)
    })
}

/// WFS 1.0 repeats `DCPType` per method (GeoServer does the same), which older clients expect.
fn dcp_1_0(w: &mut XmlWriter, endpoint: &str) -> io::Result<()> {
    let get = ows::get_url(endpoint);
    for (method, url) in [("Get", get.as_str()), ("Post", endpoint)] {
        w.create_element("DCPType").write_inner_content(|w| {
            w.create_element("HTTP").write_inner_content(|w| xml::empty_with(w, method, "onlineResource", url))?;
            Ok(())
        })?;
    }
    Ok(())
}

fn feature_type_1_0(w: &mut XmlWriter, c: &Capabilities, ft: &FeatureType) -> io::Result<()> {
    w.create_element("FeatureType").write_inner_content(|w| {
        xml::text(w, "Name", &qualified(c, &ft.name))?;
        xml::text(w, "Title", &ft.title)?;
        if !ft.abstract_.is_empty() {
            xml::text(w, "Abstract", &ft.abstract_)?;
        }
        if !ft.keywords.is_empty() {
            xml::text(w, "Keywords", &ft.keywords.join(", "))?;
        }
        xml::text(w, "SRS", &ft.default_crs.short())?;
        if let Some(b) = &ft.wgs84_bbox {
            w.create_element("LatLongBoundingBox")
                .with_attribute(("minx", xml::number(b.min_x).as_str()))
                .with_attribute(("miny", xml::number(b.min_y).as_str()))
                .with_attribute(("maxx", xml::number(b.max_x).as_str()))
                .with_attribute(("maxy", xml::number(b.max_y).as_str()))
                .write_empty()?;
        }
        if let Some(url) = &ft.metadata_url {
            w.create_element("MetadataURL")
                .with_attribute(("type", "TC211"))
                .with_attribute(("format", "XML"))
                .write_text_content(quick_xml::events::BytesText::new(url))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn filter_capabilities_1_0(w: &mut XmlWriter) -> io::Result<()> {
    w.create_element("ogc:Filter_Capabilities").write_inner_content(|w| {
        w.create_element("ogc:Spatial_Capabilities").write_inner_content(|w| {
            w.create_element("ogc:Spatial_Operators").write_inner_content(|w| {
                // Filter 1.0 spells the capability "Intersect" (the filter element is Intersects).
                SPATIAL
                    .iter()
                    .map(|op| if *op == "Intersects" { "Intersect" } else { op })
                    .try_for_each(|op| w.create_element(format!("ogc:{op}")).write_empty().map(|_| ()))
            })?;
            Ok(())
        })?;
        w.create_element("ogc:Scalar_Capabilities").write_inner_content(|w| {
            w.create_element("ogc:Logical_Operators").write_empty()?;
            w.create_element("ogc:Comparison_Operators").write_inner_content(|w| {
                ["ogc:Simple_Comparisons", "ogc:Like", "ogc:Between", "ogc:NullCheck"]
                    .iter()
                    .try_for_each(|op| w.create_element(*op).write_empty().map(|_| ()))
            })?;
            w.create_element("ogc:Arithmetic_Operators")
                .write_inner_content(|w| w.create_element("ogc:Simple_Arithmetic").write_empty().map(|_| ()))?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ows::schema_check::{validate, well_formed};

    fn service() -> ServiceMetadata {
        ServiceMetadata {
            title: "Données géographiques de l'Agglo & <Cie>".into(),
            abstract_: "Occupation du sol à grande échelle (OCS GE) & limites communales ; x < y".into(),
            keywords: vec!["occupation du sol".into(), "communes".into(), "R&D <test>".into()],
            fees: String::new(),
            access_constraints: "Licence Ouverte 2.0 – Etalab".into(),
            provider_name: "Syndicat mixte d'information géographique".into(),
            provider_url: "https://sig.example.fr/?a=1&b=2".into(),
            contact_name: "Élodie Martin".into(),
            contact_email: "sig@example.fr".into(),
        }
    }

    fn feature_types() -> Vec<FeatureType> {
        vec![
            FeatureType {
                name: "communes".into(),
                title: "Communes".into(),
                abstract_: "Limites administratives des communes (IGN Admin Express)".into(),
                keywords: vec!["limites administratives".into()],
                default_crs: Crs::LAMBERT93,
                other_crs: vec![Crs::WGS84, Crs::WEB_MERCATOR, Crs::LAMBERT93],
                wgs84_bbox: Some(Bbox { min_x: -5.225, min_y: 41.333, max_x: 9.55, max_y: 51.2 }),
                metadata_url: Some("https://sig.example.fr/csw?service=CSW&request=GetRecordById&id=communes".into()),
            },
            FeatureType {
                name: "ocs2d".into(),
                title: "OCS GE 2D".into(),
                abstract_: String::new(),
                keywords: vec![],
                default_crs: Crs::LAMBERT93,
                other_crs: vec![],
                wgs84_bbox: None,
                metadata_url: None,
            },
        ]
    }

    const FORMATS: [&str; 3] = ["application/gml+xml; version=3.2", "application/json", "text/csv"];

    fn with_caps<T>(f: impl FnOnce(&Capabilities) -> T) -> T {
        let service = service();
        let fts = feature_types();
        let caps = Capabilities {
            service: &service,
            endpoint: "https://sig.example.fr/wfs",
            ns_prefix: "sig",
            ns_uri: "https://sig.example.fr/ns",
            feature_types: &fts,
            output_formats: &FORMATS,
            max_features: 5000,
            transactional: false,
        };
        f(&caps)
    }

    /// The document without indentation, so assertions do not depend on nesting depth.
    fn compact(doc: &str) -> String {
        doc.lines().map(str::trim).collect()
    }

    fn count(doc: &str, needle: &str) -> usize {
        doc.matches(needle).count()
    }

    #[test]
    fn wfs_2_0_0_content() {
        let doc = with_caps(wfs_2_0_0);
        well_formed(&doc);
        assert!(doc.contains("<wfs:WFS_Capabilities version=\"2.0.0\""));
        assert!(doc.contains("xmlns:sig=\"https://sig.example.fr/ns\""));
        assert!(doc.contains("<wfs:Name>sig:communes</wfs:Name>"));
        assert!(doc.contains("<wfs:DefaultCRS>urn:ogc:def:crs:EPSG::2154</wfs:DefaultCRS>"));
        // The default CRS is not repeated among the others.
        assert_eq!(count(&doc, "<wfs:OtherCRS>"), 2);
        assert!(doc.contains("<wfs:OtherCRS>urn:ogc:def:crs:EPSG::4326</wfs:OtherCRS>"));
        assert!(doc.contains("<ows:LowerCorner>-5.225 41.333</ows:LowerCorner>"));
        assert!(doc.contains("<ows:UpperCorner>9.55 51.2</ows:UpperCorner>"));
        assert!(doc.contains(
            "xlink:href=\"https://sig.example.fr/csw?service=CSW&amp;request=GetRecordById&amp;id=communes\""
        ));
        assert!(doc.contains("<ows:Get xlink:href=\"https://sig.example.fr/wfs?\"/>"));
        assert!(doc.contains("<ows:Post xlink:href=\"https://sig.example.fr/wfs\"/>"));
        for op in [
            "GetCapabilities",
            "DescribeFeatureType",
            "GetFeature",
            "GetPropertyValue",
            "ListStoredQueries",
            "DescribeStoredQueries",
        ] {
            assert!(doc.contains(&format!("<ows:Operation name=\"{op}\">")), "{op}");
        }
        assert!(!doc.contains("name=\"Transaction\""));
        let flat = compact(&doc);
        assert!(flat.contains(
            "<ows:Constraint name=\"ImplementsBasicWFS\"><ows:NoValues/><ows:DefaultValue>TRUE</ows:DefaultValue>"
        ));
        assert!(flat.contains(
            "<ows:Constraint name=\"CountDefault\"><ows:NoValues/><ows:DefaultValue>5000</ows:DefaultValue>"
        ));
        assert!(flat.contains("<ows:Parameter name=\"resultType\"><ows:AllowedValues><ows:Value>results</ows:Value><ows:Value>hits</ows:Value></ows:AllowedValues>"));
        assert!(doc.contains("<ows:Value>wfs:StoredQuery</ows:Value>"));
        assert!(doc.contains("<fes:ResourceIdentifier name=\"fes:ResourceId\"/>"));
        assert_eq!(count(&doc, "<fes:ComparisonOperator "), 10);
        assert_eq!(count(&doc, "<fes:SpatialOperator "), 11);
        assert_eq!(count(&doc, "<fes:TemporalOperator "), 13);
        assert_eq!(count(&doc, "<fes:Constraint "), 15);
        assert_eq!(count(&doc, "<wfs:FeatureType>"), 2);
    }

    #[test]
    fn service_metadata_is_escaped_everywhere() {
        for doc in [with_caps(wfs_2_0_0), with_caps(wfs_1_1_0), with_caps(wfs_1_0_0)] {
            well_formed(&doc);
            assert!(doc.contains("Données géographiques de l&apos;Agglo &amp; &lt;Cie&gt;"), "{doc}");
            assert!(doc.contains("; x &lt; y"));
            assert!(!doc.contains("<Cie>"));
            assert!(doc.contains("<Fees>NONE</Fees>") || doc.contains("<ows:Fees>NONE</ows:Fees>"));
        }
        let doc = with_caps(wfs_2_0_0);
        assert!(doc.contains("<ows:Keyword>R&amp;D &lt;test&gt;</ows:Keyword>"));
        assert!(doc.contains("<ows:ProviderSite xlink:href=\"https://sig.example.fr/?a=1&amp;b=2\"/>"));
        assert!(doc.contains("<ows:ElectronicMailAddress>sig@example.fr</ows:ElectronicMailAddress>"));
        assert!(doc.contains("<ows:IndividualName>Élodie Martin</ows:IndividualName>"));
    }

    #[test]
    fn wfs_1_1_0_content() {
        let doc = with_caps(wfs_1_1_0);
        well_formed(&doc);
        assert!(doc.contains("<wfs:WFS_Capabilities version=\"1.1.0\""));
        assert!(doc.contains("xmlns:ows=\"http://www.opengis.net/ows\""));
        assert!(doc.contains("<wfs:DefaultSRS>urn:x-ogc:def:crs:EPSG:2154</wfs:DefaultSRS>"));
        assert!(doc.contains("<wfs:OtherSRS>urn:x-ogc:def:crs:EPSG:3857</wfs:OtherSRS>"));
        assert!(doc.contains("<ows:ServiceTypeVersion>1.1.0</ows:ServiceTypeVersion>"));
        assert!(!doc.contains("<ows:ServiceTypeVersion>2.0.0"));
        // OWS 1.0 lists values directly, without AllowedValues.
        assert!(!doc.contains("AllowedValues"));
        assert!(doc.contains("<ows:Value>hits</ows:Value>"));
        assert!(doc.contains("<ogc:SpatialOperator name=\"Intersects\"/>"));
        assert!(doc.contains("<ogc:ComparisonOperator>NullCheck</ogc:ComparisonOperator>"));
        assert!(doc.contains("<wfs:MetadataURL type=\"19139\" format=\"text/xml\">"));
    }

    #[test]
    fn wfs_1_0_0_content() {
        let doc = with_caps(wfs_1_0_0);
        well_formed(&doc);
        assert!(doc.contains("<WFS_Capabilities version=\"1.0.0\" xmlns=\"http://www.opengis.net/wfs\""));
        assert!(doc.contains("<SRS>EPSG:2154</SRS>"));
        assert!(doc.contains("<LatLongBoundingBox minx=\"-5.225\" miny=\"41.333\" maxx=\"9.55\" maxy=\"51.2\"/>"));
        assert!(doc.contains("<Get onlineResource=\"https://sig.example.fr/wfs?\"/>"));
        assert!(doc.contains("<Keywords>occupation du sol, communes, R&amp;D &lt;test&gt;</Keywords>"));
        assert!(doc.contains("<ogc:Intersect/>"));
        assert!(!doc.contains("ows:"));
        assert_eq!(count(&doc, "<FeatureType>"), 2);
    }

    #[test]
    fn crs84_and_query_endpoints() {
        let service = ServiceMetadata { title: "t".into(), provider_name: "p".into(), ..Default::default() };
        let fts = [FeatureType {
            name: "pts".into(),
            title: "Points".into(),
            abstract_: String::new(),
            keywords: vec![],
            default_crs: Crs::Crs84,
            other_crs: vec![],
            wgs84_bbox: Some(Bbox { min_x: 0.0, min_y: 1e-7, max_x: 2.0, max_y: 3.0 }),
            metadata_url: None,
        }];
        let caps = Capabilities {
            service: &service,
            endpoint: "https://h/ows?map=a",
            ns_prefix: "x",
            ns_uri: "urn:x",
            feature_types: &fts,
            output_formats: &[],
            max_features: 10,
            transactional: false,
        };
        let doc = wfs_2_0_0(&caps);
        assert!(doc.contains("<wfs:DefaultCRS>urn:ogc:def:crs:OGC:1.3:CRS84</wfs:DefaultCRS>"));
        assert!(doc.contains("<ows:Get xlink:href=\"https://h/ows?map=a&amp;\"/>"));
        assert!(doc.contains("<ows:LowerCorner>0 0.0000001</ows:LowerCorner>"));
        assert!(!doc.contains("wfs:OutputFormats"));
        assert!(!doc.contains("ows:Keywords"));
        assert!(wfs_1_0_0(&caps).contains("<SRS>CRS:84</SRS>"));
        validate(&doc, "wfs/2.0/wfs.xsd");
        validate(&wfs_1_1_0(&caps), "wfs/1.1.0/wfs.xsd");
    }

    #[test]
    fn validates_against_ogc_schemas() {
        validate(&with_caps(wfs_2_0_0), "wfs/2.0/wfs.xsd");
        validate(&with_caps(wfs_1_1_0), "wfs/1.1.0/wfs.xsd");
    }

    /// The offline folder has no WFS 1.0.0 / Filter 1.0.0 schemas yet: validated only when
    /// they are added, never a CI failure meanwhile.
    #[test]
    fn wfs_1_0_0_validates_when_schema_present() {
        let schema = "wfs/1.0.0/WFS-capabilities.xsd";
        if crate::ows::schema_check::schemas_dir().join(schema).is_file() {
            validate(&with_caps(wfs_1_0_0), schema);
        } else {
            eprintln!("skipping: {schema} is not in the offline schema folder");
        }
    }
}
