//! A proposed feature checked against the layer's schema and the editor's area, and turned
//! into the column values and storage-CRS geometry the source writes. Every check runs before
//! the transaction starts, so a batch with one bad feature never reaches the database.

use chrono::{DateTime, NaiveDate, Utc};
use geo::{MapCoords, Relate};
use ogc::crs::Crs;
use ogc::value::{FieldType, Value};

use super::{EditError, Given, Proposed};
use crate::source::write::Values;
use crate::source::{Field, Table};

/// Which columns a write sets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every exposed column (absent ones become NULL) and the geometry: insert and replace.
    Whole,
    /// The given columns, and the geometry when given: a partial update.
    Given,
}

/// The values to write: the proposal typed by the layer's fields, its geometry in the storage
/// CRS and inside `area` (the editor's, when restricted). A whole write leaves the `kept`
/// columns as they are unless given.
pub fn check<'t>(table: &'t Table, p: &Proposed, scope: Scope, kept: &[&str], area: Option<&geo::Geometry<f64>>) -> Result<Values<'t>, EditError> {
    let mut columns: Vec<(&Field, Value)> = Vec::new();
    for (name, given) in &p.properties {
        if table.id.as_ref().is_some_and(|id| &id.name == name) {
            return Err(EditError::Invalid(format!("'{name}' is the feature id, which the server sets")));
        }
        if table.hidden.iter().any(|h| &h.name == name) {
            return Err(EditError::Forbidden(format!("the attribute '{name}' may not be written")));
        }
        let field = table.fields.iter().find(|f| &f.name == name).ok_or_else(|| {
            let known: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
            EditError::Invalid(format!("unknown property '{name}' (properties: {})", known.join(", ")))
        })?;
        if columns.iter().any(|(f, _)| f.name == *name) {
            return Err(EditError::Invalid(format!("property '{name}' given twice")));
        }
        columns.push((field, value(field, given)?));
    }
    if scope == Scope::Whole {
        for f in &table.fields {
            if !columns.iter().any(|(c, _)| c.name == f.name) && !kept.contains(&f.name.as_str()) {
                columns.push((f, Value::Null));
            }
        }
    }
    for (f, v) in &columns {
        if *v == Value::Null && table.required.contains(&f.name) {
            return Err(EditError::Invalid(format!("property '{}' is required", f.name)));
        }
    }
    if scope == Scope::Whole
        && let Some(missing) = table.required.iter().find(|r| table.hidden.iter().any(|h| &&h.name == r))
    {
        return Err(EditError::Forbidden(format!("the attribute '{missing}' is required but may not be written")));
    }
    let geometry = match (&p.geometry, scope) {
        (Some(Some(g)), _) => Some(Some(storage_geometry(table, g, p.crs, p.authority_axes)?)),
        (Some(None), _) | (None, Scope::Whole) => Some(None),
        (None, Scope::Given) => None,
    };
    if let (Some(area), Some(Some(g))) = (area, &geometry)
        && !area.relate(g).is_covers()
    {
        return Err(EditError::Forbidden("the geometry is outside the area you may edit".into()));
    }
    Ok(Values { columns, geometry: geometry.map(|g| g.as_ref().map(wkb_of)) })
}

/// A given value typed by its field: JSON values must have the field's JSON type (numbers for
/// numbers, strings for text and dates); text (GML) is parsed as the field's literal.
fn value(f: &Field, given: &Given) -> Result<Value, EditError> {
    use serde_json::Value as J;
    let wrong = |what: &str| EditError::Invalid(format!("property '{}' must be {what}", f.name));
    let expected = match f.ty {
        FieldType::Integer => "an integer",
        FieldType::Number => "a number",
        FieldType::Boolean => "true or false",
        FieldType::Text => "a string",
        FieldType::Date => "a date (YYYY-MM-DD)",
        FieldType::DateTime => "an RFC 3339 date-time",
    };
    Ok(match (given, f.ty) {
        (Given::Json(J::Null), _) => Value::Null,
        (Given::Json(J::Number(n)), FieldType::Integer) => n.as_i64().map(Value::Int).ok_or_else(|| wrong(expected))?,
        (Given::Json(J::Number(n)), FieldType::Number) => n.as_f64().map(Value::Float).ok_or_else(|| wrong(expected))?,
        (Given::Json(J::Bool(b)), FieldType::Boolean) => Value::Bool(*b),
        (Given::Json(J::String(s)), FieldType::Text) => Value::Text(s.clone()),
        (Given::Json(J::String(s)), FieldType::Date) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Value::Date).map_err(|_| wrong(expected))?,
        (Given::Json(J::String(s)), FieldType::DateTime) => {
            DateTime::parse_from_rfc3339(s).map(|d| Value::DateTime(d.with_timezone(&Utc))).map_err(|_| wrong(expected))?
        }
        (Given::Json(_), _) => return Err(wrong(expected)),
        (Given::Text(s), FieldType::Text) => Value::Text(s.clone()),
        (Given::Text(s), _) => f.ty.parse_literal(s.trim()).ok_or_else(|| wrong(expected))?,
    })
}

/// The geometry in the storage CRS, of the layer's type (a single part becomes a one-part
/// multi-geometry where the layer holds multi-geometries).
fn storage_geometry(table: &Table, g: &geo::Geometry<f64>, crs: Crs, authority_axes: bool) -> Result<geo::Geometry<f64>, EditError> {
    use geo::Geometry as G;
    let declared = table.geometry_type.to_ascii_uppercase();
    let declared = declared.trim_end_matches(['Z', 'M']).trim_end();
    let g = match (declared, g) {
        ("GEOMETRY", g) => g.clone(),
        ("POINT", G::Point(_)) | ("LINESTRING", G::LineString(_)) | ("POLYGON", G::Polygon(_)) => g.clone(),
        ("MULTIPOINT", G::MultiPoint(_)) | ("MULTILINESTRING", G::MultiLineString(_)) | ("MULTIPOLYGON", G::MultiPolygon(_)) => g.clone(),
        ("GEOMETRYCOLLECTION", G::GeometryCollection(_)) => g.clone(),
        ("MULTIPOINT", G::Point(p)) => G::MultiPoint(geo::MultiPoint::new(vec![*p])),
        ("MULTILINESTRING", G::LineString(l)) => G::MultiLineString(geo::MultiLineString::new(vec![l.clone()])),
        ("MULTIPOLYGON", G::Polygon(p)) => G::MultiPolygon(geo::MultiPolygon::new(vec![p.clone()])),
        (_, g) => {
            return Err(EditError::Invalid(format!("the layer holds {} geometries, not {}", declared.to_lowercase(), kind(g))));
        }
    };
    let t = crate::crs::Transform::to_storage(crs, authority_axes, table.crs).map_err(|e| EditError::Invalid(e.to_string()))?;
    g.try_map_coords(|c| match (c.x.is_finite() && c.y.is_finite()).then(|| t.convert(c.x, c.y)).flatten() {
        Some((x, y)) => Ok(geo_types::coord! { x: x, y: y }),
        None => Err(EditError::Invalid(format!("coordinate ({}, {}) cannot be transformed to {}", c.x, c.y, table.crs.uri()))),
    })
}

fn kind(g: &geo::Geometry<f64>) -> &'static str {
    use geo::Geometry as G;
    match g {
        G::Point(_) => "point",
        G::MultiPoint(_) => "multipoint",
        G::LineString(_) | G::Line(_) => "linestring",
        G::MultiLineString(_) => "multilinestring",
        G::Polygon(_) | G::Rect(_) | G::Triangle(_) => "polygon",
        G::MultiPolygon(_) => "multipolygon",
        G::GeometryCollection(_) => "geometrycollection",
    }
}

fn wkb_of(g: &geo::Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::new();
    wkb::writer::write_geometry(&mut out, g, &Default::default()).expect("writing WKB to a Vec cannot fail");
    out
}
