//! Features as the renderer sees them: geometry in map pixels, properties by name for the style's
//! filters and property-driven values.

use geo::MapCoords;
use geo_traits::to_geo::ToGeoGeometry;
use ogc::filter::eval::{Scalar, Subject};
use ogc::filter::{Expr, SpatialOp};
use ogc::value::Value;

use super::view::View;
use crate::crs::Transform;
use crate::source::{Feature, Table};

/// One feature ready to draw.
pub struct Drawn<'a> {
    pub table: &'a Table,
    pub feature: &'a Feature,
    /// In map pixels (x right, y down).
    pub geometry: geo::Geometry<f64>,
}

impl Drawn<'_> {
    /// A property's value by name (the id column included), for templates and filters.
    pub fn property(&self, name: &str) -> Option<Value> {
        if let Some(id) = &self.table.id
            && id.name == name
        {
            return self.feature.id.clone();
        }
        let i = self.table.fields.iter().position(|f| f.name == name)?;
        self.feature.properties.get(i).cloned()
    }
}

/// The features' geometries in map pixels; features without a geometry, or with one the map's
/// CRS cannot hold, are left out.
pub fn to_pixels<'a>(table: &'a Table, features: &'a [Feature], view: &View) -> Result<Vec<Drawn<'a>>, crate::crs::CrsError> {
    let t = Transform::from_storage(table.crs, view.crs, false)?;
    Ok(features
        .iter()
        .filter_map(|feature| {
            let geometry = wkb::reader::read_wkb(feature.geometry.as_deref()?).ok()?.to_geometry();
            let geometry = geometry
                .try_map_coords(|c| {
                    let (x, y) = t.convert(c.x, c.y).ok_or(())?;
                    let (px, py) = view.to_pixel(x, y);
                    Ok::<_, ()>(geo::Coord { x: px, y: py })
                })
                .ok()?;
            Some(Drawn { table, feature, geometry })
        })
        .collect())
}

impl Subject for Drawn<'_> {
    type Error = String;

    fn values(&self, property: &str) -> Result<Vec<Scalar>, String> {
        Ok(self.property(property).as_ref().and_then(Scalar::of).into_iter().collect())
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
