//! The WMTS 1.0.0 ServiceMetadata document (GetCapabilities, and the REST
//! `1.0.0/WMTSCapabilities.xml`), advertising both the KVP and the RESTful encodings.
//!
//! Only the tile matrix sets given are described, with their origins in each CRS's axis order
//! (CRS84 sets longitude first, EPSG:4326 ones latitude first, projected sets easting first),
//! because that is what `ows:SupportedCRS` as a URN means to GDAL, QGIS and OpenLayers.

use std::io;

use quick_xml::events::{BytesStart, Event};

use super::request::info_format_extension;
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::ows::OwsVersion;
use crate::ows::capabilities::{self as ows, XLINK_NS, XSI_NS};
use crate::ows::xml::{self, XmlWriter};
use crate::tiles::TileFormat;
use crate::tms::{AxisOrder, TileMatrixLimits, TileMatrixSet};

pub use crate::ows::ServiceMetadata;

const WMTS_NS: &str = "http://www.opengis.net/wmts/1.0";
const GML_NS: &str = "http://www.opengis.net/gml";
const OWS: OwsVersion = OwsVersion::V1_1_0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegendUrl {
    pub href: String,
    /// Media type of the legend image.
    pub format: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    pub id: String,
    /// Empty for none.
    pub title: String,
    pub is_default: bool,
    pub legend: Option<LegendUrl>,
}

/// A tile matrix set a layer is offered in, and where its tiles are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileMatrixSetLink {
    pub tile_matrix_set: String,
    /// Empty: every tile of the set.
    pub limits: Vec<TileMatrixLimits>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub id: String,
    pub title: String,
    /// Empty for none.
    pub abstract_: String,
    pub keywords: Vec<String>,
    /// Longitude/latitude extent.
    pub wgs84_bbox: Option<Bbox>,
    /// Extent in the data's own CRS, easting first.
    pub native_bbox: Option<(Crs, Bbox)>,
    /// Without any, the layer is announced with one style named `default`.
    pub styles: Vec<Style>,
    pub formats: Vec<TileFormat>,
    /// FeatureInfo media types; empty when the layer cannot be queried.
    pub info_formats: Vec<String>,
    pub tile_matrix_set_links: Vec<TileMatrixSetLink>,
    /// The layer's ISO 19139 record (typically this server's CSW GetRecordById), written as
    /// `ows:Metadata`, the only metadata link OWS 1.1 gives a dataset summary.
    pub metadata_url: Option<String>,
}

/// The style id used when a layer declares none.
pub const DEFAULT_STYLE: &str = "default";

impl Layer {
    /// The style requests without one (or with an empty one) get: the one marked default, or
    /// the first.
    pub fn default_style(&self) -> &str {
        self.styles.iter().find(|s| s.is_default).or(self.styles.first()).map_or(DEFAULT_STYLE, |s| s.id.as_str())
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Capabilities<'a> {
    pub service: &'a ServiceMetadata,
    /// The KVP endpoint without query string (`https://h/wmts`, or `https://h/ows?service=WMTS`).
    pub endpoint: &'a str,
    /// The root REST paths hang below, without trailing slash (`https://h/wmts`).
    pub rest_root: &'a str,
    pub layers: &'a [Layer],
    /// The sets the layers link to, HiDPI variants included when offered.
    pub tile_matrix_sets: &'a [TileMatrixSet],
}

impl<'c> Capabilities<'c> {
    pub fn layer(&self, id: &str) -> Option<&'c Layer> {
        self.layers.iter().find(|l| l.id == id)
    }

    pub fn tile_matrix_set(&self, id: &str) -> Option<&'c TileMatrixSet> {
        self.tile_matrix_sets.iter().find(|s| s.id == id)
    }
}

fn position([a, b]: [f64; 2]) -> String {
    format!("{} {}", xml::number(a), xml::number(b))
}

/// Percent-encodes what the `URLTemplateType` pattern of the schema does not allow in a path
/// segment (spaces, non-ASCII letters, `%`), so any layer id makes a valid template.
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')'
            | b';'
            | b':'
            | b'@'
            | b'+'
            | b'$'
            | b','
            | b'='
            | b'&' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// WMTS 1.0.0 capabilities.
pub fn wmts_1_0_0(c: &Capabilities) -> String {
    let mut root = BytesStart::new("Capabilities");
    let location = format!("{WMTS_NS} http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd");
    for attr in [
        ("xmlns", WMTS_NS),
        ("xmlns:ows", OWS.namespace()),
        ("xmlns:xlink", XLINK_NS),
        ("xmlns:xsi", XSI_NS),
        ("xmlns:gml", GML_NS),
        ("xsi:schemaLocation", location.as_str()),
        ("version", "1.0.0"),
    ] {
        root.push_attribute(attr);
    }
    xml::finish(xml::document(), |w| {
        w.write_event(Event::Start(root.borrow()))?;
        ows::service_identification(w, c.service, "OGC WMTS", &["1.0.0"])?;
        ows::service_provider(w, c.service)?;
        operations_metadata(w, c)?;
        w.create_element("Contents").write_inner_content(|w| {
            c.layers.iter().try_for_each(|l| layer(w, c, l))?;
            c.tile_matrix_sets.iter().try_for_each(|s| tile_matrix_set(w, s))
        })?;
        let metadata_url = format!("{}/{}", c.rest_root, super::REST_CAPABILITIES);
        w.create_element("ServiceMetadataURL").with_attribute(("xlink:href", metadata_url.as_str())).write_empty()?;
        w.write_event(Event::End(root.to_end()))
    })
}

/// Each operation is reachable by KVP at the endpoint and by REST below the root, told apart
/// by the `GetEncoding` constraint clients (GDAL, QGIS) look for.
fn operations_metadata(w: &mut XmlWriter, c: &Capabilities) -> io::Result<()> {
    let kvp = ows::get_url(c.endpoint);
    let rest = format!("{}/", c.rest_root);
    let queryable = c.layers.iter().any(|l| !l.info_formats.is_empty());
    let operations = ["GetCapabilities", "GetTile", "GetFeatureInfo"];
    w.create_element("ows:OperationsMetadata").write_inner_content(|w| {
        for name in operations.iter().filter(|op| queryable || **op != "GetFeatureInfo") {
            w.create_element("ows:Operation").with_attribute(("name", *name)).write_inner_content(|w| {
                w.create_element("ows:DCP").write_inner_content(|w| {
                    w.create_element("ows:HTTP").write_inner_content(|w| {
                        for (href, encoding) in [(kvp.as_str(), "KVP"), (rest.as_str(), "RESTful")] {
                            w.create_element("ows:Get").with_attribute(("xlink:href", href)).write_inner_content(
                                |w| ows::parameter(w, OWS, "ows:Constraint", "GetEncoding", &[encoding]),
                            )?;
                        }
                        Ok(())
                    })?;
                    Ok(())
                })?;
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn bounding_box(w: &mut XmlWriter, crs: Crs, b: &Bbox) -> io::Result<()> {
    let axes = AxisOrder::of(crs);
    w.create_element("ows:BoundingBox").with_attribute(("crs", crs.urn().as_str())).write_inner_content(|w| {
        xml::text(w, "ows:LowerCorner", &position(axes.ordered([b.min_x, b.min_y])))?;
        xml::text(w, "ows:UpperCorner", &position(axes.ordered([b.max_x, b.max_y])))
    })?;
    Ok(())
}

fn style(w: &mut XmlWriter, s: &Style, is_default: bool) -> io::Result<()> {
    w.create_element("Style")
        .with_attribute(("isDefault", if is_default { "true" } else { "false" }))
        .write_inner_content(|w| {
            if !s.title.is_empty() {
                xml::text(w, "ows:Title", &s.title)?;
            }
            xml::text(w, "ows:Identifier", &s.id)?;
            if let Some(legend) = &s.legend {
                let mut e = w
                    .create_element("LegendURL")
                    .with_attribute(("format", legend.format.as_str()))
                    .with_attribute(("xlink:href", legend.href.as_str()));
                let (width, height) = (legend.width.map(|v| v.to_string()), legend.height.map(|v| v.to_string()));
                if let Some(v) = &width {
                    e = e.with_attribute(("width", v.as_str()));
                }
                if let Some(v) = &height {
                    e = e.with_attribute(("height", v.as_str()));
                }
                e.write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

/// `TileMatrixLimits` whose last row or column is 0 are left out: the WMTS 1.0 schema types
/// `MaxTileRow`/`MaxTileCol` as positive integers (an erratum), and a document failing it is
/// rejected by validating clients. Those are the one- or two-tile levels at the very top of a
/// pyramid, and clients then take the whole matrix there.
fn tile_matrix_set_link(w: &mut XmlWriter, link: &TileMatrixSetLink) -> io::Result<()> {
    let limits: Vec<&TileMatrixLimits> = link.limits.iter().filter(|l| l.max_row > 0 && l.max_col > 0).collect();
    w.create_element("TileMatrixSetLink").write_inner_content(|w| {
        xml::text(w, "TileMatrixSet", &link.tile_matrix_set)?;
        if limits.is_empty() {
            return Ok(());
        }
        w.create_element("TileMatrixSetLimits").write_inner_content(|w| {
            limits.iter().try_for_each(|l| {
                w.create_element("TileMatrixLimits").write_inner_content(|w| {
                    xml::text(w, "TileMatrix", &l.tile_matrix)?;
                    for (name, v) in [
                        ("MinTileRow", l.min_row),
                        ("MaxTileRow", l.max_row),
                        ("MinTileCol", l.min_col),
                        ("MaxTileCol", l.max_col),
                    ] {
                        xml::text(w, name, &v.to_string())?;
                    }
                    Ok(())
                })?;
                Ok(())
            })
        })?;
        Ok(())
    })?;
    Ok(())
}

fn resource_url(w: &mut XmlWriter, format: &str, resource_type: &str, template: &str) -> io::Result<()> {
    w.create_element("ResourceURL")
        .with_attribute(("format", format))
        .with_attribute(("resourceType", resource_type))
        .with_attribute(("template", template))
        .write_empty()?;
    Ok(())
}

fn layer(w: &mut XmlWriter, c: &Capabilities, l: &Layer) -> io::Result<()> {
    w.create_element("Layer").write_inner_content(|w| {
        xml::text(w, "ows:Title", &l.title)?;
        if !l.abstract_.is_empty() {
            xml::text(w, "ows:Abstract", &l.abstract_)?;
        }
        ows::keywords(w, &l.keywords)?;
        if let Some(b) = &l.wgs84_bbox {
            ows::wgs84_bounding_box(w, b)?;
        }
        xml::text(w, "ows:Identifier", &l.id)?;
        if let Some((crs, b)) = &l.native_bbox {
            bounding_box(w, *crs, b)?;
        }
        if let Some(url) = &l.metadata_url {
            w.create_element("ows:Metadata")
                .with_attribute(("xlink:type", "simple"))
                .with_attribute(("xlink:href", url.as_str()))
                .with_attribute(("xlink:title", "ISO 19139 metadata record"))
                .write_empty()?;
        }
        let default = l.default_style();
        if l.styles.is_empty() {
            let implicit =
                Style { id: DEFAULT_STYLE.to_string(), title: String::new(), is_default: true, legend: None };
            style(w, &implicit, true)?;
        }
        l.styles.iter().try_for_each(|s| style(w, s, s.id == default))?;
        for f in &l.formats {
            xml::text(w, "Format", f.media_type())?;
        }
        for f in &l.info_formats {
            xml::text(w, "InfoFormat", f)?;
        }
        l.tile_matrix_set_links.iter().try_for_each(|link| tile_matrix_set_link(w, link))?;
        let tile = format!(
            "{}/{}/{{Style}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}",
            c.rest_root,
            path_segment(&l.id)
        );
        for f in &l.formats {
            resource_url(w, f.media_type(), "tile", &format!("{tile}.{}", f.extension()))?;
        }
        for f in &l.info_formats {
            if let Some(ext) = info_format_extension(f) {
                resource_url(w, f, "FeatureInfo", &format!("{tile}/{{J}}/{{I}}.{ext}"))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn tile_matrix_set(w: &mut XmlWriter, set: &TileMatrixSet) -> io::Result<()> {
    w.create_element("TileMatrixSet").write_inner_content(|w| {
        xml::text(w, "ows:Title", &set.title)?;
        xml::text(w, "ows:Identifier", &set.id)?;
        xml::text(w, "ows:SupportedCRS", &set.crs.urn())?;
        if let Some(wkss) = &set.well_known_scale_set {
            xml::text(w, "WellKnownScaleSet", wkss)?;
        }
        for m in &set.matrices {
            w.create_element("TileMatrix").write_inner_content(|w| {
                xml::text(w, "ows:Identifier", &m.id)?;
                xml::text(w, "ScaleDenominator", &xml::number(m.scale_denominator))?;
                xml::text(w, "TopLeftCorner", &position(set.axes.ordered(m.point_of_origin)))?;
                for (name, v) in [
                    ("TileWidth", m.tile_width),
                    ("TileHeight", m.tile_height),
                    ("MatrixWidth", m.matrix_width),
                    ("MatrixHeight", m.matrix_height),
                ] {
                    xml::text(w, name, &v.to_string())?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}
