//! The WMS layer tree built from the registry: vector layers (in configuration order) then
//! imagery, each with its CRSs, a BoundingBox per CRS, its styles with their legends, the
//! scale range its default style draws in, and TIME for temporal layers.

use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::wms::{BoundingBox, LayerInfo, LegendUrl, MapFormat, MetadataType, MetadataUrl, Style, TimeDimension};

use super::axes;
use crate::crs::Transform;
use crate::raster::RasterLayer;
use crate::registry::Layer;
use crate::styles::NamedStyle;

/// The CRSs every layer is offered in, besides its own: longitude/latitude in both axis
/// orders, Web Mercator, and the French projections a regional platform's clients use
/// (Lambert-93, the nine conic conformal zones, ETRS89). Kept short: each one is a
/// BoundingBox per layer in the capabilities, and any other can be added here once the CRS
/// engine supports it.
pub const OFFERED_CRS: [Crs; 14] = [
    Crs::Crs84,
    Crs::WGS84,
    Crs::WEB_MERCATOR,
    Crs::LAMBERT93,
    Crs::Epsg(4258),
    Crs::Epsg(3942),
    Crs::Epsg(3943),
    Crs::Epsg(3944),
    Crs::Epsg(3945),
    Crs::Epsg(3946),
    Crs::Epsg(3947),
    Crs::Epsg(3948),
    Crs::Epsg(3949),
    Crs::Epsg(3950),
];

/// The CRSs of `own` not already offered to every layer.
fn own_crs(own: impl IntoIterator<Item = Crs>, common: &[Crs]) -> Vec<Crs> {
    let mut out: Vec<Crs> = Vec::new();
    for c in own {
        if !common.contains(&c) && !out.contains(&c) && crate::crs::check(c).is_ok() {
            out.push(c);
        }
    }
    out
}

/// The names and description of a layer, as every face lists them.
struct Described<'a> {
    id: &'a str,
    title: &'a str,
    abstract_: &'a str,
    keywords: &'a [String],
}

/// What every named layer has: its names, its own CRSs, its extent in each CRS offered to it
/// (`extent_in`, easting first), queryable, and its record in the catalogue (`base`: the
/// server's public URL).
fn named(d: Described, base: &str, own: Vec<Crs>, common: &[Crs], geographic: Option<Bbox>, extent_in: impl Fn(Crs) -> Option<Bbox>) -> LayerInfo {
    let bboxes = own.iter().chain(common).filter_map(|&crs| extent_in(crs).map(|bbox| BoundingBox { crs, bbox, axes: axes(crs) })).collect();
    LayerInfo {
        name: Some(d.id.to_string()),
        title: d.title.to_string(),
        abstract_: d.abstract_.to_string(),
        keywords: d.keywords.to_vec(),
        crs: own,
        geographic_bbox: geographic,
        bboxes,
        queryable: true,
        metadata_urls: vec![MetadataUrl { type_: MetadataType::Iso19115, format: "text/xml".into(), href: crate::catalogue::layer_record_url(base, d.id) }],
        ..Default::default()
    }
}

/// A vector layer in the tree.
pub fn vector(l: &Layer, common: &[Crs], base: &str, endpoint: &str) -> LayerInfo {
    let table = &l.table;
    let extent_in = |crs: Crs| {
        let t = Transform::from_storage(table.crs, crs, false).ok()?;
        table.extent_through(&t)
    };
    let (min_scale_denominator, max_scale_denominator) = l.styles.styles.first().map_or((None, None), |s| s.scale_range());
    LayerInfo {
        time: time_dimension(l),
        styles: l.styles.styles.iter().map(|s| style(endpoint, &l.id, s)).collect(),
        min_scale_denominator,
        max_scale_denominator,
        ..named(Described { id: &l.id, title: &l.title, abstract_: &l.description, keywords: &l.keywords }, base, own_crs(l.crs.iter().copied(), common), common, l.extent, extent_in)
    }
}

/// A style with the GetLegendGraphic URL of its legend. The URL asks for samples of the
/// default size (WIDTH and HEIGHT size each rule's sample, as in GeoServer and QGIS), and the
/// LegendURL announces the size of the whole image that answers it.
fn style(endpoint: &str, layer: &str, s: &NamedStyle) -> Style {
    use crate::render::legend::{SAMPLE, size};
    let (width, height) = size(&ogc::style::legend_entries(&s.style, None), SAMPLE);
    let legend = LegendUrl { width, height, ..LegendUrl::get_legend_graphic(endpoint, layer, &s.name, MapFormat::Png, SAMPLE.0, SAMPLE.1) };
    Style { name: s.name.clone(), title: s.title.clone(), abstract_: s.abstract_.clone(), legend: Some(legend) }
}

/// TIME for a layer with a temporal field: its whole range by day (dates) or as one interval
/// (timestamps), the whole range by default so that a map without TIME shows every feature.
fn time_dimension(l: &Layer) -> Option<TimeDimension> {
    let field = l.table.temporal.as_ref()?;
    let (Some(start), Some(end)) = l.table.temporal_extent? else { return None };
    let range = if field.ty == ogc::value::FieldType::Date {
        format!("{}/{}", start.format("%Y-%m-%d"), end.format("%Y-%m-%d"))
    } else {
        format!("{}/{}", start.format("%Y-%m-%dT%H:%M:%SZ"), end.format("%Y-%m-%dT%H:%M:%SZ"))
    };
    let values = if field.ty == ogc::value::FieldType::Date { format!("{range}/P1D") } else { range.clone() };
    Some(TimeDimension { values: vec![values], default: range, nearest_value: false, current: false })
}

/// An imagery layer in the tree: its own CRS added to the inherited ones, its extent in each.
pub fn raster(l: &RasterLayer, common: &[Crs], base: &str) -> LayerInfo {
    let own = own_crs([l.mosaic.crs], common);
    LayerInfo {
        styles: vec![Style { name: "default".into(), title: "Default".into(), abstract_: String::new(), legend: None }],
        ..named(Described { id: &l.id, title: &l.title, abstract_: &l.description, keywords: &l.keywords }, base, own, common, Some(l.extent), |crs| l.mosaic.extent_in(crs))
    }
}
