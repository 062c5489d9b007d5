//! Features as the renderer sees them: geometry in map pixels, properties by name for the style's
//! filters and property-driven values.

use geo_traits::{CoordTrait, GeometryCollectionTrait, GeometryTrait, GeometryType, LineStringTrait, MultiLineStringTrait, MultiPointTrait, MultiPolygonTrait, PointTrait, PolygonTrait};
use ogc::filter::eval::{Scalar, Subject};
use ogc::filter::{Expr, SpatialOp};
use ogc::value::Value;

use super::view::View;
use crate::crs::Transform;
use crate::crs::grid::GridTransform;
use crate::source::{Feature, Table};

/// One feature ready to draw.
pub struct Drawn<'a> {
    pub table: &'a Table,
    pub feature: &'a Feature,
    /// In map pixels (x right, y down).
    pub geometry: geo::Geometry<f64>,
}

impl<'a> Drawn<'a> {
    /// A property's value by name (the id column included), for templates and filters.
    pub fn property(&self, name: &str) -> Option<Value> {
        self.value(name).cloned()
    }

    /// A property's value in place (filters read one per rule and feature).
    pub fn value(&self, name: &str) -> Option<&'a Value> {
        if let Some(id) = &self.table.id
            && id.name == name
        {
            return self.feature.id.as_ref();
        }
        let i = self.table.fields.iter().position(|f| f.name == name)?;
        self.feature.properties.get(i)
    }
}

/// Vertices closer than this to the previous one kept, in pixels, are left out: the
/// anti-aliased fill and stroke cannot show them, and a land-cover map at 16 m per pixel has
/// several vertices per pixel.
const THIN_PX: f64 = 0.25;

/// The features' geometries in map pixels; features without a geometry, or with one the map's
/// CRS cannot hold, are left out. Coordinates go through a transform grid over the map (exact
/// to 1/16 pixel), not the CRS engine per vertex.
pub fn to_pixels<'a>(table: &'a Table, features: &'a [Feature], view: &View) -> Result<Vec<Drawn<'a>>, crate::crs::CrsError> {
    let exact = Transform::from_storage(table.crs, view.crs, false)?;
    // The grid covers the map and as much again around it, where the geometries of the features
    // it draws mostly lie; farther vertices are transformed exactly.
    let around = Transform::to_storage(view.crs, false, table.crs)?.envelope(&view.buffered(f64::from(view.width.max(view.height))));
    let tolerance = view.bbox.width() / f64::from(view.width) / 16.0;
    let grid = around.map(|area| GridTransform::new(exact.clone(), area, tolerance));
    let to_pixel = |x: f64, y: f64| {
        let (x, y) = match &grid {
            Some(g) => g.convert(x, y)?,
            None => exact.convert(x, y)?,
        };
        let (px, py) = view.to_pixel(x, y);
        Some(geo::Coord { x: px, y: py })
    };
    Ok(features
        .iter()
        .filter_map(|feature| {
            let wkb = wkb::reader::read_wkb(feature.geometry.as_deref()?).ok()?;
            Some(Drawn { table, feature, geometry: in_pixels(&wkb, &to_pixel)? })
        })
        .collect())
}

/// A geometry with each coordinate mapped by `px` and lines thinned by [`THIN_PX`]; `None` when a
/// coordinate cannot be mapped.
fn in_pixels(g: &impl GeometryTrait<T = f64>, px: &impl Fn(f64, f64) -> Option<geo::Coord>) -> Option<geo::Geometry<f64>> {
    use geo::Geometry as G;
    Some(match g.as_type() {
        GeometryType::Point(p) => G::Point(geo::Point(p.coord().and_then(|c| px(c.x(), c.y()))?)),
        GeometryType::LineString(l) => G::LineString(line(l, px)?),
        GeometryType::Polygon(p) => G::Polygon(polygon(p, px)?),
        GeometryType::MultiPoint(m) => {
            G::MultiPoint(m.points().filter_map(|p| p.coord().map(|c| (c.x(), c.y()))).map(|(x, y)| px(x, y).map(geo::Point)).collect::<Option<_>>()?)
        }
        GeometryType::MultiLineString(m) => G::MultiLineString(m.line_strings().map(|l| line(&l, px)).collect::<Option<_>>()?),
        GeometryType::MultiPolygon(m) => G::MultiPolygon(m.polygons().map(|p| polygon(&p, px)).collect::<Option<_>>()?),
        GeometryType::GeometryCollection(c) => G::GeometryCollection(c.geometries().map(|g| in_pixels(&g, px)).collect::<Option<_>>()?),
        GeometryType::Rect(_) | GeometryType::Triangle(_) | GeometryType::Line(_) => return None,
    })
}

fn polygon(p: &impl PolygonTrait<T = f64>, px: &impl Fn(f64, f64) -> Option<geo::Coord>) -> Option<geo::Polygon<f64>> {
    let exterior = match p.exterior() {
        Some(r) => line(&r, px)?,
        None => geo::LineString(Vec::new()),
    };
    let interiors = p.interiors().map(|r| line(&r, px)).collect::<Option<_>>()?;
    Some(geo::Polygon::new(exterior, interiors))
}

/// A line or ring mapped, keeping its first and last vertices and those at least [`THIN_PX`]
/// from the previous one kept.
fn line(l: &impl LineStringTrait<T = f64>, px: &impl Fn(f64, f64) -> Option<geo::Coord>) -> Option<geo::LineString<f64>> {
    let n = l.num_coords();
    let mut out: Vec<geo::Coord> = Vec::with_capacity(n);
    for (i, c) in l.coords().enumerate() {
        let p = px(c.x(), c.y())?;
        match out.last() {
            Some(last) if i + 1 < n && (p.x - last.x).abs() < THIN_PX && (p.y - last.y).abs() < THIN_PX => {}
            _ => out.push(p),
        }
    }
    Some(geo::LineString(out))
}

impl Subject for Drawn<'_> {
    type Error = String;

    fn values(&self, property: &str) -> Result<Vec<Scalar>, String> {
        Ok(self.value(property).and_then(Scalar::of).into_iter().collect())
    }

    fn has_id(&self, ids: &[String]) -> bool {
        self.feature.id.as_ref().is_some_and(|id| ids.contains(&id.to_text()))
    }

    fn spatial(&self, _: SpatialOp, _: &Expr, _: &Expr) -> Result<bool, String> {
        Err(Self::unsupported("a spatial operator"))
    }

    fn unsupported(what: &str) -> String {
        format!("{what} is not supported in style rules")
    }

    fn invalid(message: String) -> String {
        message
    }
}
