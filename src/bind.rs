//! Binds a parsed filter to a layer before it reaches a source: property names checked against
//! the schema (errors name them), text literals typed by the property they are compared with,
//! and geometry literals transformed into the storage CRS. Every face (OGC API, WFS, WMS
//! vendor filters) goes through here, so a filter means the same thing everywhere.

use ogc::crs::Crs;
use ogc::filter::{Expr, Filter};
use ogc::value::{FieldType, Value};

use crate::crs::Transform;
use crate::source::Table;

/// Names clients use for the geometry property whatever the column is called.
const GEOMETRY_ALIASES: [&str; 3] = ["geometry", "geom", "the_geom"];

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BindError(pub String);

/// `default_crs` is the CRS of geometry literals that name none (CRS84 for OGC API, the
/// feature type's own CRS for WFS).
pub fn bind(filter: Filter, table: &Table, default_crs: Crs) -> Result<Filter, BindError> {
    Binder { table, default_crs }.filter(filter)
}

/// The features meeting a box given in `crs` (read latitude first when `authority_axes` and the
/// authority says so). The box outline is densified and transformed into the storage CRS, so a
/// box in another CRS selects what it really covers.
pub fn within_box(table: &Table, bbox: &ogc::bbox::Bbox, crs: Crs, authority_axes: bool) -> Result<Filter, BindError> {
    let t = Transform::to_storage(crs, authority_axes, table.crs).map_err(|e| BindError(e.to_string()))?;
    let mut ring = t.densify(&crate::crs::corners(bbox), 8).ok_or_else(|| BindError("the box lies outside the area of its CRS".into()))?;
    ring.push(ring[0]);
    Ok(Filter::Spatial {
        op: ogc::filter::SpatialOp::Intersects,
        left: Expr::Property(table.geometry_column.clone()),
        right: Expr::Geometry { geometry: geo_types::Polygon::new(ring.into(), vec![]).into(), crs: Some(table.crs), authority_axes: false },
    })
}

struct Binder<'a> {
    table: &'a Table,
    default_crs: Crs,
}

impl Binder<'_> {
    fn filter(&self, filter: Filter) -> Result<Filter, BindError> {
        let all = |v: Vec<Filter>| v.into_iter().map(|f| self.filter(f)).collect::<Result<Vec<_>, _>>();
        Ok(match filter {
            Filter::And(v) => Filter::And(all(v)?),
            Filter::Or(v) => Filter::Or(all(v)?),
            Filter::Not(f) => Filter::Not(Box::new(self.filter(*f)?)),
            Filter::Compare { op, left, right } => {
                let (left, right) = self.typed_pair(left, right)?;
                Filter::Compare { op, left, right }
            }
            Filter::Like { expr, pattern, case_insensitive } => Filter::Like { expr: self.expr(expr)?, pattern, case_insensitive },
            Filter::Between { expr, low, high } => {
                let expr = self.expr(expr)?;
                let ty = self.type_of(&expr);
                Filter::Between { low: self.literal_as(low, ty)?, high: self.literal_as(high, ty)?, expr }
            }
            Filter::In { expr, list } => {
                let expr = self.expr(expr)?;
                let ty = self.type_of(&expr);
                Filter::In { list: list.into_iter().map(|e| self.literal_as(e, ty)).collect::<Result<_, _>>()?, expr }
            }
            Filter::IsNull(e) => Filter::IsNull(self.expr(e)?),
            Filter::Spatial { op, left, right } => Filter::Spatial { op, left: self.expr(left)?, right: self.expr(right)? },
            Filter::Distance { op, left, right, distance, units } => {
                Filter::Distance { op, left: self.expr(left)?, right: self.expr(right)?, distance, units }
            }
            Filter::Temporal { op, left, right } => Filter::Temporal { op, left: self.expr(left)?, right: self.expr(right)? },
            f @ (Filter::Bool(_) | Filter::ResourceId(_)) => f,
        })
    }

    /// A comparison's operands, a text literal typed after the property on the other side.
    fn typed_pair(&self, left: Expr, right: Expr) -> Result<(Expr, Expr), BindError> {
        let (left, right) = (self.expr(left)?, self.expr(right)?);
        let (lt, rt) = (self.type_of(&left), self.type_of(&right));
        Ok((self.literal_as(left, rt)?, self.literal_as(right, lt)?))
    }

    fn type_of(&self, e: &Expr) -> Option<FieldType> {
        match e {
            Expr::Property(p) => self.table.field(p).map(|f| f.ty),
            Expr::Function { args, .. } => args.first().and_then(|a| self.type_of(a)),
            _ => None,
        }
    }

    /// A literal converted to the type of the property it meets: `'2021-06-30'` against a
    /// date, `12` against text.
    fn literal_as(&self, e: Expr, ty: Option<FieldType>) -> Result<Expr, BindError> {
        let e = self.expr(e)?;
        let (Expr::Literal(v), Some(ty)) = (&e, ty) else { return Ok(e) };
        let converted = match (v, ty) {
            (Value::Null, _) => return Ok(e),
            (Value::Text(s), FieldType::Text) => Value::Text(s.clone()),
            (other, FieldType::Text) => Value::Text(other.to_text()),
            (Value::Int(i), FieldType::Number) => Value::Float(*i as f64),
            (Value::Date(d), FieldType::DateTime) => Value::DateTime(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()),
            (Value::Text(s), ty) => ty.parse_literal(s).ok_or_else(|| BindError(format!("'{s}' is not a valid {ty:?} value")))?,
            (v, _) => v.clone(),
        };
        Ok(Expr::Literal(converted))
    }

    fn expr(&self, e: Expr) -> Result<Expr, BindError> {
        Ok(match e {
            Expr::Property(p) => Expr::Property(self.property(&p)?),
            Expr::Geometry { geometry, crs, authority_axes } => Expr::Geometry {
                geometry: self.to_storage(geometry, crs.unwrap_or(self.default_crs), authority_axes)?,
                crs: Some(self.table.crs),
                authority_axes: false,
            },
            Expr::Arithmetic { op, left, right } => Expr::Arithmetic { op, left: Box::new(self.expr(*left)?), right: Box::new(self.expr(*right)?) },
            Expr::Function { function, args } => Expr::Function { function, args: args.into_iter().map(|a| self.expr(a)).collect::<Result<_, _>>()? },
            e @ (Expr::Literal(_) | Expr::Interval(_)) => e,
        })
    }

    /// The column a property name refers to: a field, the id, or the geometry (by its column
    /// name, the FES default geometry, or a common alias).
    fn property(&self, name: &str) -> Result<String, BindError> {
        let table = self.table;
        if let Some(f) = table.field(name) {
            return Ok(f.name.clone());
        }
        if name == table.geometry_column || name == ogc::filter::fes::DEFAULT_GEOMETRY || GEOMETRY_ALIASES.contains(&name) {
            return Ok(table.geometry_column.clone());
        }
        let known: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
        Err(BindError(format!("unknown property '{name}' (queryables: {}, {})", known.join(", "), table.geometry_column)))
    }

    /// A geometry literal in `crs` transformed into the storage CRS.
    fn to_storage(&self, g: geo_types::Geometry<f64>, crs: Crs, authority_axes: bool) -> Result<geo_types::Geometry<f64>, BindError> {
        use geo::MapCoords;
        let t = Transform::to_storage(crs, authority_axes, self.table.crs).map_err(|e| BindError(e.to_string()))?;
        if t.is_identity() {
            return Ok(g);
        }
        g.try_map_coords(|c| t.convert(c.x, c.y).map(|(x, y)| geo_types::coord! { x: x, y: y }).ok_or(()))
            .map_err(|_| BindError(format!("a geometry of the filter lies outside the area of {}", crs.uri())))
    }
}
