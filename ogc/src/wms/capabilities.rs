//! The capabilities documents: WMS 1.3.0 (`WMS_Capabilities`, XSD-valid) and WMS 1.1.1
//! (`WMT_MS_Capabilities`, DTD-valid), written from one [`Capabilities`] value.
//!
//! The SLD WMS profile's GetLegendGraphic is announced in both: in 1.3.0 as
//! `sld:GetLegendGraphic`, which `sld/1.1.0/sld_capabilities.xsd` puts in the
//! `wms:_ExtendedOperation` substitution group, in 1.1.1 as the `GetLegendGraphic` element the
//! DTD already declares. `UserDefinedSymbolization` (SLD and SLD_BODY honoured) is announced the
//! same two ways when the server supports it. No `VendorSpecificCapabilities` is written in
//! 1.1.1, so no internal DTD subset is needed.
//!
//! Differences of 1.1.1 handled here: `SRS` for `CRS`, `LatLonBoundingBox` for
//! `EX_GeographicBoundingBox`, bounding boxes always easting (longitude) first, `Dimension` plus
//! `Extent` for a dimension, `ScaleHint` (the diagonal of a pixel in metres) for the scale
//! denominators, `TC211` for ISO 19115 metadata, the media-type exception formats, and no
//! `CRS:84` (which 1.1.1 does not define).

use std::io;

use quick_xml::events::{BytesStart, BytesText, Event};

use super::format::{ExceptionFormat, InfoFormat, MapFormat};
use super::layer::{BoundingBox, LayerInfo, MetadataUrl, Style};
use super::version::Version;
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::ows::capabilities::{XLINK_NS, XSI_NS, get_url};
use crate::ows::xml::{self, XmlWriter};
use crate::tms::STANDARD_PIXEL_SIZE;

pub use crate::ows::ServiceMetadata;

const WMS_NS: &str = "http://www.opengis.net/wms";
const SLD_NS: &str = "http://www.opengis.net/sld";

/// Limits announced in 1.3.0 `Service` and enforced by the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_width: u32,
    pub max_height: u32,
    /// How many layers one GetMap may draw; `None` for no limit.
    pub layer_limit: Option<u32>,
}

impl Default for Limits {
    /// MapServer's default `MAXSIZE`: a 4096×4096 RGBA image is 64 MiB, already a lot per request.
    fn default() -> Limits {
        Limits { max_width: 4096, max_height: 4096, layer_limit: None }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Capabilities<'a> {
    pub service: &'a ServiceMetadata,
    /// The KVP endpoint without query string (`https://h/wms`, or `https://h/ows?service=WMS`).
    pub endpoint: &'a str,
    /// Changes whenever the document does (a timestamp or a counter).
    pub update_sequence: Option<&'a str>,
    pub limits: Limits,
    /// Whether GetMap honours SLD and SLD_BODY (announced as `UserDefinedSymbolization`).
    pub supports_sld: bool,
    /// The GetMap formats the server encodes; a request for another is `InvalidFormat`.
    pub map_formats: &'a [MapFormat],
    /// The GetFeatureInfo formats the server writes (announced only with a queryable layer).
    pub info_formats: &'a [InfoFormat],
    /// Whether GetLegendGraphic is served (and announced).
    pub legend_graphic: bool,
    /// The single top-level layer WMS requires; usually an unnamed group titled after the
    /// service, holding the CRSs every layer inherits.
    pub root: &'a LayerInfo,
}

/// The document of `version`.
pub fn capabilities(c: &Capabilities, version: Version) -> String {
    match version {
        Version::V1_3_0 => capabilities_1_3_0(c),
        Version::V1_1_1 => capabilities_1_1_1(c),
    }
}

pub fn capabilities_1_3_0(c: &Capabilities) -> String {
    let v = Version::V1_3_0;
    let mut root = BytesStart::new("WMS_Capabilities");
    let location = format!(
        "{WMS_NS} http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd {SLD_NS} http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd"
    );
    root.push_attribute(("version", "1.3.0"));
    if let Some(u) = c.update_sequence {
        root.push_attribute(("updateSequence", u));
    }
    for attr in [
        ("xmlns", WMS_NS),
        ("xmlns:sld", SLD_NS),
        ("xmlns:xlink", XLINK_NS),
        ("xmlns:xsi", XSI_NS),
        ("xsi:schemaLocation", location.as_str()),
    ] {
        root.push_attribute(attr);
    }
    xml::finish(xml::document(), |w| {
        w.write_event(Event::Start(root.borrow()))?;
        service(w, c, v)?;
        capability(w, c, v)?;
        w.write_event(Event::End(root.to_end()))
    })
}

pub fn capabilities_1_1_1(c: &Capabilities) -> String {
    let v = Version::V1_1_1;
    let mut root = BytesStart::new("WMT_MS_Capabilities");
    root.push_attribute(("version", "1.1.1"));
    if let Some(u) = c.update_sequence {
        root.push_attribute(("updateSequence", u));
    }
    xml::finish(xml::document(), |w| {
        w.write_event(Event::DocType(BytesText::from_escaped(
            "WMT_MS_Capabilities SYSTEM \"http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd\"",
        )))?;
        w.write_event(Event::Start(root.borrow()))?;
        service(w, c, v)?;
        capability(w, c, v)?;
        w.write_event(Event::End(root.to_end()))
    })
}

/// `NONE` when the operator left a field empty: an empty `Fees` reads to clients as "unknown"
/// rather than "free".
fn or_none(s: &str) -> &str {
    if s.trim().is_empty() { "NONE" } else { s }
}

/// `OnlineResource`; 1.1.1 declares the xlink namespace on the element itself, where its DTD
/// has it as a fixed attribute (the root element may not carry it).
fn online_resource(w: &mut XmlWriter, v: Version, href: &str) -> io::Result<()> {
    let mut e = w.create_element("OnlineResource");
    if v == Version::V1_1_1 {
        e = e.with_attribute(("xmlns:xlink", XLINK_NS));
    }
    e.with_attribute(("xlink:type", "simple")).with_attribute(("xlink:href", href)).write_empty()?;
    Ok(())
}

fn keyword_list(w: &mut XmlWriter, keywords: &[String]) -> io::Result<()> {
    if keywords.is_empty() {
        return Ok(());
    }
    w.create_element("KeywordList")
        .write_inner_content(|w| keywords.iter().try_for_each(|k| xml::text(w, "Keyword", k)))?;
    Ok(())
}

fn service(w: &mut XmlWriter, c: &Capabilities, v: Version) -> io::Result<()> {
    let m = c.service;
    w.create_element("Service").write_inner_content(|w| {
        xml::text(w, "Name", if v == Version::V1_3_0 { "WMS" } else { "OGC:WMS" })?;
        xml::text(w, "Title", &m.title)?;
        if !m.abstract_.is_empty() {
            xml::text(w, "Abstract", &m.abstract_)?;
        }
        keyword_list(w, &m.keywords)?;
        online_resource(w, v, if m.provider_url.is_empty() { c.endpoint } else { &m.provider_url })?;
        if !(m.contact_name.is_empty() && m.provider_name.is_empty() && m.contact_email.is_empty()) {
            w.create_element("ContactInformation").write_inner_content(|w| {
                if !(m.contact_name.is_empty() && m.provider_name.is_empty()) {
                    w.create_element("ContactPersonPrimary").write_inner_content(|w| {
                        xml::text(w, "ContactPerson", &m.contact_name)?;
                        xml::text(w, "ContactOrganization", &m.provider_name)
                    })?;
                }
                if !m.contact_email.is_empty() {
                    xml::text(w, "ContactElectronicMailAddress", &m.contact_email)?;
                }
                Ok(())
            })?;
        }
        xml::text(w, "Fees", or_none(&m.fees))?;
        xml::text(w, "AccessConstraints", or_none(&m.access_constraints))?;
        if v == Version::V1_3_0 {
            if let Some(limit) = c.limits.layer_limit.filter(|l| *l > 0) {
                xml::text(w, "LayerLimit", &limit.to_string())?;
            }
            xml::text(w, "MaxWidth", &c.limits.max_width.max(1).to_string())?;
            xml::text(w, "MaxHeight", &c.limits.max_height.max(1).to_string())?;
        }
        Ok(())
    })?;
    Ok(())
}

fn operation(w: &mut XmlWriter, v: Version, name: &str, formats: &[&str], endpoint: &str) -> io::Result<()> {
    let get = get_url(endpoint);
    w.create_element(name).write_inner_content(|w| {
        formats.iter().try_for_each(|f| xml::text(w, "Format", f))?;
        w.create_element("DCPType").write_inner_content(|w| {
            w.create_element("HTTP").write_inner_content(|w| {
                w.create_element("Get").write_inner_content(|w| online_resource(w, v, &get))?;
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

fn any_queryable(l: &LayerInfo) -> bool {
    l.queryable || l.children.iter().any(any_queryable)
}

fn capability(w: &mut XmlWriter, c: &Capabilities, v: Version) -> io::Result<()> {
    let map_formats: Vec<&str> = c.map_formats.iter().map(|f| f.media_type()).collect();
    let info_formats: Vec<&str> = c.info_formats.iter().map(|f| f.media_type()).collect();
    let sld = if v == Version::V1_3_0 { "sld:" } else { "" };
    w.create_element("Capability").write_inner_content(|w| {
        w.create_element("Request").write_inner_content(|w| {
            operation(w, v, "GetCapabilities", &[v.capabilities_media_type()], c.endpoint)?;
            operation(w, v, "GetMap", &map_formats, c.endpoint)?;
            if any_queryable(c.root) && !info_formats.is_empty() {
                operation(w, v, "GetFeatureInfo", &info_formats, c.endpoint)?;
            }
            if c.legend_graphic {
                operation(w, v, &format!("{sld}GetLegendGraphic"), &map_formats, c.endpoint)?;
            }
            Ok(())
        })?;
        w.create_element("Exception")
            .write_inner_content(|w| ExceptionFormat::ALL.iter().try_for_each(|f| xml::text(w, "Format", f.name(v))))?;
        if c.supports_sld {
            let mut e = w
                .create_element(format!("{sld}UserDefinedSymbolization"))
                .with_attribute(("SupportSLD", "1"))
                .with_attribute(("UserLayer", "0"))
                .with_attribute(("UserStyle", "1"))
                .with_attribute(("RemoteWFS", "0"));
            if v == Version::V1_3_0 {
                e = e.with_attribute(("InlineFeature", "0")).with_attribute(("RemoteWCS", "0"));
            }
            e.write_empty()?;
        }
        layer(w, v, c.root)
    })?;
    Ok(())
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

/// Clamped to the ranges the 1.3.0 schema gives longitudes and latitudes, so rounding in an
/// extent computed by reprojection cannot make the document invalid.
fn geographic(w: &mut XmlWriter, v: Version, b: &Bbox) -> io::Result<()> {
    let (west, east) = (b.min_x.clamp(-180.0, 180.0), b.max_x.clamp(-180.0, 180.0));
    let (south, north) = (b.min_y.clamp(-90.0, 90.0), b.max_y.clamp(-90.0, 90.0));
    match v {
        Version::V1_3_0 => {
            w.create_element("EX_GeographicBoundingBox").write_inner_content(|w| {
                xml::text(w, "westBoundLongitude", &xml::number(west))?;
                xml::text(w, "eastBoundLongitude", &xml::number(east))?;
                xml::text(w, "southBoundLatitude", &xml::number(south))?;
                xml::text(w, "northBoundLatitude", &xml::number(north))
            })?;
        }
        Version::V1_1_1 => {
            w.create_element("LatLonBoundingBox")
                .with_attribute(("minx", xml::number(west).as_str()))
                .with_attribute(("miny", xml::number(south).as_str()))
                .with_attribute(("maxx", xml::number(east).as_str()))
                .with_attribute(("maxy", xml::number(north).as_str()))
                .write_empty()?;
        }
    }
    Ok(())
}

/// 1.3.0 writes the box in the CRS's axis order (EPSG:4326 latitude first); 1.1.1 always
/// easting first.
fn bounding_box(w: &mut XmlWriter, v: Version, b: &BoundingBox) -> io::Result<()> {
    let swap = v == Version::V1_3_0 && b.axes.northing_first();
    let bbox = if swap { b.bbox.swapped() } else { b.bbox };
    let attr = if v == Version::V1_3_0 { "CRS" } else { "SRS" };
    w.create_element("BoundingBox")
        .with_attribute((attr, b.crs.short().as_str()))
        .with_attribute(("minx", xml::number(bbox.min_x).as_str()))
        .with_attribute(("miny", xml::number(bbox.min_y).as_str()))
        .with_attribute(("maxx", xml::number(bbox.max_x).as_str()))
        .with_attribute(("maxy", xml::number(bbox.max_y).as_str()))
        .write_empty()?;
    Ok(())
}

/// `Format` + `OnlineResource`, the shape of every *URL element.
fn format_and_link(w: &mut XmlWriter, v: Version, format: &str, href: &str) -> io::Result<()> {
    xml::text(w, "Format", format)?;
    online_resource(w, v, href)
}

fn metadata_url(w: &mut XmlWriter, v: Version, m: &MetadataUrl) -> io::Result<()> {
    w.create_element("MetadataURL")
        .with_attribute(("type", m.type_.name(v)))
        .write_inner_content(|w| format_and_link(w, v, &m.format, &m.href))?;
    Ok(())
}

fn style(w: &mut XmlWriter, v: Version, s: &Style) -> io::Result<()> {
    w.create_element("Style").write_inner_content(|w| {
        xml::text(w, "Name", &s.name)?;
        xml::text(w, "Title", if s.title.is_empty() { &s.name } else { &s.title })?;
        if !s.abstract_.is_empty() {
            xml::text(w, "Abstract", &s.abstract_)?;
        }
        if let Some(legend) = &s.legend {
            let mut e = w.create_element("LegendURL");
            let (width, height) = (legend.width.to_string(), legend.height.to_string());
            // Required by the 1.1.1 DTD; positive integers in the 1.3.0 schema.
            if v == Version::V1_1_1 || (legend.width > 0 && legend.height > 0) {
                e = e.with_attribute(("width", width.as_str())).with_attribute(("height", height.as_str()));
            }
            e.write_inner_content(|w| format_and_link(w, v, &legend.format, &legend.href))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The 1.1.1 `ScaleHint` is the ground size of a pixel's diagonal in metres, where 1.3.0 uses
/// the scale denominator with the standard 0.28 mm pixel: hint = denominator × 0.00028 × √2
/// (the conversion GeoServer and MapServer make). A missing bound is 0 or `Infinity`, as
/// GeoServer writes it.
fn scale_hint(min: Option<f64>, max: Option<f64>) -> (String, String) {
    let hint = |d: f64| xml::number(d * STANDARD_PIXEL_SIZE * std::f64::consts::SQRT_2);
    (min.map_or("0".to_string(), hint), max.map_or("Infinity".to_string(), hint))
}

fn layer(w: &mut XmlWriter, v: Version, l: &LayerInfo) -> io::Result<()> {
    let mut e = w.create_element("Layer").with_attribute(("queryable", flag(l.queryable)));
    if l.opaque {
        e = e.with_attribute(("opaque", "1"));
    }
    e.write_inner_content(|w| {
        if let Some(name) = &l.name {
            xml::text(w, "Name", name)?;
        }
        xml::text(w, "Title", &l.title)?;
        if !l.abstract_.is_empty() {
            xml::text(w, "Abstract", &l.abstract_)?;
        }
        keyword_list(w, &l.keywords)?;
        let listed = |crs: &Crs| v == Version::V1_3_0 || *crs != Crs::Crs84;
        for crs in l.crs.iter().filter(|c| listed(c)) {
            xml::text(w, if v == Version::V1_3_0 { "CRS" } else { "SRS" }, &crs.short())?;
        }
        if let Some(b) = &l.geographic_bbox {
            geographic(w, v, b)?;
        }
        for b in l.bboxes.iter().filter(|b| listed(&b.crs)) {
            bounding_box(w, v, b)?;
        }
        if let Some(t) = &l.time {
            let values = t.values.join(",");
            match v {
                Version::V1_3_0 => {
                    let mut d = w
                        .create_element("Dimension")
                        .with_attribute(("name", "time"))
                        .with_attribute(("units", "ISO8601"));
                    if !t.default.is_empty() {
                        d = d.with_attribute(("default", t.default.as_str()));
                    }
                    d = d.with_attribute(("nearestValue", flag(t.nearest_value)));
                    if t.current {
                        d = d.with_attribute(("current", "1"));
                    }
                    d.write_text_content(BytesText::new(&values))?;
                }
                Version::V1_1_1 => {
                    w.create_element("Dimension")
                        .with_attribute(("name", "time"))
                        .with_attribute(("units", "ISO8601"))
                        .write_empty()?;
                    let mut x = w.create_element("Extent").with_attribute(("name", "time"));
                    if !t.default.is_empty() {
                        x = x.with_attribute(("default", t.default.as_str()));
                    }
                    x.with_attribute(("nearestValue", flag(t.nearest_value)))
                        .write_text_content(BytesText::new(&values))?;
                }
            }
        }
        l.metadata_urls.iter().try_for_each(|m| metadata_url(w, v, m))?;
        l.styles.iter().try_for_each(|s| style(w, v, s))?;
        match v {
            Version::V1_3_0 => {
                if let Some(d) = l.min_scale_denominator {
                    xml::text(w, "MinScaleDenominator", &xml::number(d))?;
                }
                if let Some(d) = l.max_scale_denominator {
                    xml::text(w, "MaxScaleDenominator", &xml::number(d))?;
                }
            }
            Version::V1_1_1 => {
                if l.min_scale_denominator.is_some() || l.max_scale_denominator.is_some() {
                    let (min, max) = scale_hint(l.min_scale_denominator, l.max_scale_denominator);
                    w.create_element("ScaleHint")
                        .with_attribute(("min", min.as_str()))
                        .with_attribute(("max", max.as_str()))
                        .write_empty()?;
                }
            }
        }
        l.children.iter().try_for_each(|child| layer(w, v, child))
    })?;
    Ok(())
}
