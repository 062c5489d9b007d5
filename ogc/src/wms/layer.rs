//! The layer tree a WMS publishes: what capabilities describe and what requests are checked
//! against, so that a layer a client can see is exactly a layer it can ask for.
//!
//! WMS layers inherit from their ancestors (1.3.0 §7.2.4.8): CRSs and styles add to the
//! parent's, the geographic box, scale range and dimensions are replaced by the child's own when
//! it has one. The lookups here apply those rules; the writers print each layer's own values
//! only, so a caller states a value once, on the highest layer it holds for.

use super::format::MapFormat;
use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::ows::capabilities::get_url;
use crate::tms::AxisOrder;

/// A legend image, normally a GetLegendGraphic URL. Width and height are required because the
/// 1.1.1 DTD requires them (GeoServer announces 20×20 when it cannot know better).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegendUrl {
    pub href: String,
    /// Media type of the image.
    pub format: String,
    pub width: u32,
    pub height: u32,
}

impl LegendUrl {
    /// The GetLegendGraphic request of this server for a layer's style, the usual legend URL.
    /// Names are percent-encoded, so any layer or style name makes a working URL.
    pub fn get_legend_graphic(
        endpoint: &str,
        layer: &str,
        style: &str,
        format: MapFormat,
        width: u32,
        height: u32,
    ) -> LegendUrl {
        let href = format!(
            "{}SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT={}&LAYER={}&STYLE={}&WIDTH={width}&HEIGHT={height}",
            get_url(endpoint),
            query_value(format.media_type()),
            query_value(layer),
            query_value(style)
        );
        LegendUrl { href, format: format.media_type().to_string(), width, height }
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    pub name: String,
    /// Written as the name when empty: the schemas require a title.
    pub title: String,
    /// Empty for none.
    pub abstract_: String,
    pub legend: Option<LegendUrl>,
}

/// The metadata standard a [`MetadataUrl`] document follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataType {
    /// ISO 19115 (an ISO 19139 record, what the catalogue's CSW serves): `ISO19115:2003` in
    /// 1.3.0, `TC211` in 1.1.1 (the DTD's only two values are `TC211` and `FGDC`).
    Iso19115,
    Fgdc,
}

impl MetadataType {
    pub fn name(self, version: super::Version) -> &'static str {
        match (self, version) {
            (MetadataType::Iso19115, super::Version::V1_3_0) => "ISO19115:2003",
            (MetadataType::Iso19115, super::Version::V1_1_1) => "TC211",
            (MetadataType::Fgdc, _) => "FGDC",
        }
    }
}

/// A link to the layer's metadata record in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataUrl {
    pub type_: MetadataType,
    /// Media type of the record (`text/xml` for a CSW GetRecordById answer, `text/html`...).
    pub format: String,
    pub href: String,
}

/// The time dimension of a layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeDimension {
    /// Advertised values: instants, lists or `start/end/period`, as they are written in the
    /// capabilities (joined with `,`).
    pub values: Vec<String>,
    /// The value used when a request has no TIME; empty when there is none, and TIME is then
    /// required (`MissingDimensionValue`).
    pub default: String,
    /// Whether a request between values is answered with the nearest one.
    pub nearest_value: bool,
    /// Whether `current` is offered.
    pub current: bool,
}

/// A box in a CRS for `BoundingBox` elements. `bbox` is easting first (longitude first for a
/// geographic CRS); `axes` says how the CRS orders its axes, which decides how WMS 1.3.0 writes
/// it. [`BoundingBox::new`] knows CRS84, EPSG:4326/4258 and projected CRSs; a caller with a CRS
/// engine sets `axes` for other geographic CRSs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    pub crs: Crs,
    pub bbox: Bbox,
    pub axes: AxisOrder,
}

impl BoundingBox {
    pub fn new(crs: Crs, bbox: Bbox) -> BoundingBox {
        BoundingBox { crs, bbox, axes: AxisOrder::of(crs) }
    }
}

/// A layer or a group of layers.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LayerInfo {
    /// `None` for a group that only organises the tree and cannot be requested.
    pub name: Option<String>,
    pub title: String,
    /// Empty for none.
    pub abstract_: String,
    pub keywords: Vec<String>,
    /// CRSs offered in addition to the ancestors'.
    pub crs: Vec<Crs>,
    /// Longitude/latitude extent (`EX_GeographicBoundingBox`, 1.1.1 `LatLonBoundingBox`).
    pub geographic_bbox: Option<Bbox>,
    /// The extent in some of the CRSs offered, computed by the caller.
    pub bboxes: Vec<BoundingBox>,
    pub time: Option<TimeDimension>,
    pub metadata_urls: Vec<MetadataUrl>,
    /// Styles in addition to the ancestors'; the first one a layer can use is its default.
    pub styles: Vec<Style>,
    pub min_scale_denominator: Option<f64>,
    pub max_scale_denominator: Option<f64>,
    /// GetFeatureInfo can be asked of it.
    pub queryable: bool,
    /// It hides what is drawn below it (an orthophoto).
    pub opaque: bool,
    pub children: Vec<LayerInfo>,
}

impl LayerInfo {
    /// The named layer `name` and its ancestors, root first, with the layer last.
    pub fn path_to(&self, name: &str) -> Option<Vec<&LayerInfo>> {
        if self.name.as_deref() == Some(name) {
            return Some(vec![self]);
        }
        self.children.iter().find_map(|c| {
            c.path_to(name).map(|mut path| {
                path.insert(0, self);
                path
            })
        })
    }

    /// Every named layer of the tree, depth first.
    pub fn named(&self) -> Vec<&LayerInfo> {
        let mut out = Vec::new();
        self.collect_named(&mut out);
        out
    }

    fn collect_named<'a>(&'a self, out: &mut Vec<&'a LayerInfo>) {
        if self.name.is_some() {
            out.push(self);
        }
        self.children.iter().for_each(|c| c.collect_named(out));
    }
}

/// What a layer has once inheritance is applied.
#[derive(Clone, Debug)]
pub struct Effective<'a> {
    pub layer: &'a LayerInfo,
    pub crs: Vec<Crs>,
    pub styles: Vec<&'a Style>,
    pub time: Option<&'a TimeDimension>,
}

impl<'a> Effective<'a> {
    /// From a path as [`LayerInfo::path_to`] gives it.
    pub fn of(path: &[&'a LayerInfo]) -> Effective<'a> {
        let layer = path.last().expect("a path ends with its layer");
        let mut crs = Vec::new();
        for c in path.iter().flat_map(|l| &l.crs) {
            if !crs.contains(c) {
                crs.push(*c);
            }
        }
        Effective {
            layer,
            crs,
            styles: path.iter().flat_map(|l| &l.styles).collect(),
            time: path.iter().rev().find_map(|l| l.time.as_ref()),
        }
    }

    /// The default style's name; empty when no style is declared (the renderer's default).
    pub fn default_style(&self) -> &'a str {
        self.styles.first().map_or("", |s| s.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(name: &str) -> Style {
        Style { name: name.into(), title: String::new(), abstract_: String::new(), legend: None }
    }

    #[test]
    fn legend_url_of_this_server() {
        let l = LegendUrl::get_legend_graphic("https://h/wms", "occupation du sol", "défaut", MapFormat::Png8, 20, 20);
        assert_eq!(
            l.href,
            "https://h/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image%2Fpng%3B%20mode%3D8bit&LAYER=occupation%20du%20sol&STYLE=d%C3%A9faut&WIDTH=20&HEIGHT=20"
        );
        assert_eq!((l.format.as_str(), l.width, l.height), ("image/png; mode=8bit", 20, 20));
    }

    #[test]
    fn inheritance_of_crs_styles_and_time() {
        let time = TimeDimension {
            values: vec!["2020-01-01".into()],
            default: String::new(),
            nearest_value: false,
            current: false,
        };
        let tree = LayerInfo {
            title: "root".into(),
            crs: vec![Crs::WGS84, Crs::LAMBERT93],
            styles: vec![style("base")],
            time: Some(time.clone()),
            children: vec![LayerInfo {
                name: Some("group".into()),
                title: "group".into(),
                crs: vec![Crs::LAMBERT93, Crs::WEB_MERCATOR],
                children: vec![LayerInfo {
                    name: Some("leaf".into()),
                    title: "leaf".into(),
                    styles: vec![style("own")],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let path = tree.path_to("leaf").unwrap();
        assert_eq!(path.len(), 3);
        let e = Effective::of(&path);
        assert_eq!(e.crs, [Crs::WGS84, Crs::LAMBERT93, Crs::WEB_MERCATOR]);
        assert_eq!(e.styles.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["base", "own"]);
        assert_eq!(e.default_style(), "base");
        assert_eq!(e.time, Some(&time));
        assert!(tree.path_to("nope").is_none());
        assert_eq!(tree.named().iter().map(|l| l.name.as_deref().unwrap()).collect::<Vec<_>>(), ["group", "leaf"]);
    }
}
