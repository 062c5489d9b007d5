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

pub fn bind(filter: Filter, table: &Table) -> Result<Filter, BindError> {
    Ok(match filter {
        Filter::And(all) => Filter::And(all.into_iter().map(|f| bind(f, table)).collect::<Result<_, _>>()?),
        Filter::Or(all) => Filter::Or(all.into_iter().map(|f| bind(f, table)).collect::<Result<_, _>>()?),
        Filter::Not(f) => Filter::Not(Box::new(bind(*f, table)?)),
        Filter::Compare { op, left, right } => {
            let (left, right) = typed_pair(left, right, table)?;
            Filter::Compare { op, left, right }
        }
        Filter::Like { expr, pattern, case_insensitive } => Filter::Like { expr: expr_of(expr, table)?, pattern, case_insensitive },
        Filter::Between { expr, low, high } => {
            let expr = expr_of(expr, table)?;
            let ty = type_of(&expr, table);
            Filter::Between { low: literal_as(low, ty, table)?, high: literal_as(high, ty, table)?, expr }
        }
        Filter::In { expr, list } => {
            let expr = expr_of(expr, table)?;
            let ty = type_of(&expr, table);
            Filter::In { list: list.into_iter().map(|e| literal_as(e, ty, table)).collect::<Result<_, _>>()?, expr }
        }
        Filter::IsNull(e) => Filter::IsNull(expr_of(e, table)?),
        Filter::Spatial { op, left, right } => Filter::Spatial { op, left: expr_of(left, table)?, right: expr_of(right, table)? },
        Filter::Distance { op, left, right, distance, units } => {
            Filter::Distance { op, left: expr_of(left, table)?, right: expr_of(right, table)?, distance, units }
        }
        Filter::Temporal { op, left, right } => Filter::Temporal { op, left: expr_of(left, table)?, right: expr_of(right, table)? },
        f @ (Filter::Bool(_) | Filter::ResourceId(_)) => f,
    })
}

/// A comparison's operands, a text literal typed after the property on the other side.
fn typed_pair(left: Expr, right: Expr, table: &Table) -> Result<(Expr, Expr), BindError> {
    let (left, right) = (expr_of(left, table)?, expr_of(right, table)?);
    let (lt, rt) = (type_of(&left, table), type_of(&right, table));
    Ok((literal_as(left, rt, table)?, literal_as(right, lt, table)?))
}

fn type_of(e: &Expr, table: &Table) -> Option<FieldType> {
    match e {
        Expr::Property(p) => table.field(p).map(|f| f.ty),
        Expr::Function { args, .. } => args.first().and_then(|a| type_of(a, table)),
        _ => None,
    }
}

/// A literal converted to the type of the property it meets: `'2021-06-30'` against a date,
/// `12` against text.
fn literal_as(e: Expr, ty: Option<FieldType>, table: &Table) -> Result<Expr, BindError> {
    let e = expr_of(e, table)?;
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

fn expr_of(e: Expr, table: &Table) -> Result<Expr, BindError> {
    Ok(match e {
        Expr::Property(p) => Expr::Property(property(&p, table)?),
        Expr::Geometry { geometry, crs } => Expr::Geometry { geometry: to_storage(geometry, crs.unwrap_or(Crs::Crs84), table)?, crs: Some(table.crs) },
        Expr::Arithmetic { op, left, right } => Expr::Arithmetic { op, left: Box::new(expr_of(*left, table)?), right: Box::new(expr_of(*right, table)?) },
        Expr::Function { function, args } => Expr::Function { function, args: args.into_iter().map(|a| expr_of(a, table)).collect::<Result<_, _>>()? },
        e @ (Expr::Literal(_) | Expr::Interval(_)) => e,
    })
}

/// The column a property name refers to: a field, the id, or the geometry (by its column name
/// or a common alias).
fn property(name: &str, table: &Table) -> Result<String, BindError> {
    if let Some(f) = table.field(name) {
        return Ok(f.name.clone());
    }
    if name == table.geometry_column || name == ogc::filter::fes::DEFAULT_GEOMETRY || GEOMETRY_ALIASES.contains(&name) {
        return Ok(table.geometry_column.clone());
    }
    let known: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
    Err(BindError(format!("unknown property '{name}' (queryables: {}, {})", known.join(", "), table.geometry_column)))
}

/// A geometry literal in `crs` (authority axis order) transformed into the storage CRS.
fn to_storage(g: geo_types::Geometry<f64>, crs: Crs, table: &Table) -> Result<geo_types::Geometry<f64>, BindError> {
    use geo::MapCoords;
    let t = Transform::new(crs, table.crs, true).map_err(|e| BindError(e.to_string()))?;
    if t.is_identity() {
        return Ok(g);
    }
    g.try_map_coords(|c| t.convert(c.x, c.y).map(|(x, y)| geo_types::coord! { x: x, y: y }).ok_or(()))
        .map_err(|_| BindError(format!("a geometry of the filter lies outside the area of {}", crs.uri())))
}
