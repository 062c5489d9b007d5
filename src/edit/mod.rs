//! Editing, shared by OGC API Features Part 4 and WFS-T: a request's edits on one layer,
//! checked against the layer's schema and the caller's grant, applied in one database
//! transaction with their audit rows (all or nothing), then the cached tiles of the edited
//! area dropped. Faces only translate their documents into [`Edit`]s and [`EditError`]s into
//! their exceptions.
//!
//! Concurrency is optimistic and lock-free between requests: a feature's version is a hash of
//! the row as the caller reads it (the ETag), and an edit that names a version the row no
//! longer has is refused.

mod check;
mod contribution;

use geo::BoundingRect;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::value::Value;

use crate::access::{Grant, Operation, Restriction};
use crate::registry::{Layer, Registry};
use crate::source::write::{AuditEntry, Tx};
use crate::source::{Feature, SourceError, Table};
use check::{Scope, check};

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The edit does not fit the layer's schema (unknown property, wrong type, wrong geometry
    /// type, missing required value).
    #[error("{0}")]
    Invalid(String),
    /// The caller's grant does not allow it (no write right, hidden attribute, outside the area
    /// or the rows the grant covers).
    #[error("{0}")]
    Forbidden(String),
    /// No one may edit the layer (no access rules, or no rule giving the write right on it).
    #[error("{0}")]
    ReadOnly(String),
    /// The same as `Forbidden`, for a caller who has not logged in: a login may help.
    #[error("{0}")]
    LoginRequired(String),
    #[error("{0}")]
    NotFound(String),
    /// The feature changed since the version the caller named.
    #[error("feature '{0}' has changed since the version given")]
    Stale(String),
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// A property value as a face received it.
#[derive(Clone, Debug)]
pub enum Given {
    /// From JSON: must have the field's JSON type.
    Json(serde_json::Value),
    /// From XML text: parsed as the field's literal.
    Text(String),
}

/// Properties and geometry of a feature to write.
#[derive(Clone, Debug)]
pub struct Proposed {
    pub properties: Vec<(String, Given)>,
    /// `None`: not given; `Some(None)`: no geometry.
    pub geometry: Option<Option<geo::Geometry<f64>>>,
    /// The geometry's CRS, and whether its axes follow the authority's order.
    pub crs: Crs,
    pub authority_axes: bool,
}

#[derive(Clone, Debug)]
pub enum Edit {
    Insert(Proposed),
    /// Every exposed property and the geometry replaced (absent ones cleared).
    Replace { id: String, with: Proposed, version: Option<String> },
    /// The given properties (and geometry, when given) changed.
    Update { id: String, with: Proposed, version: Option<String> },
    Delete { id: String, version: Option<String> },
}

impl Edit {
    fn operation(&self) -> Operation {
        match self {
            Edit::Insert(_) => Operation::Insert,
            Edit::Replace { .. } | Edit::Update { .. } => Operation::Update,
            Edit::Delete { .. } => Operation::Delete,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Edit::Insert(_) => "insert",
            Edit::Replace { .. } => "replace",
            Edit::Update { .. } => "update",
            Edit::Delete { .. } => "delete",
        }
    }
}

/// Who edits: the name written in the audit table; `None` for an anonymous caller, whom a
/// refusal asks to log in.
pub struct Editor<'a> {
    pub name: Option<&'a str>,
}

/// What one edit did: the feature's id and its new version (`None` once deleted).
#[derive(Debug, Clone)]
pub struct Done {
    pub id: String,
    pub version: Option<String>,
}

/// The version of a feature as a caller reads it: its ETag, and the value a write's version
/// must equal.
pub fn version(f: &Feature) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(format!("{:?}{:?}", f.id, f.properties).as_bytes());
    if let Some(g) = &f.geometry {
        h.update(g);
    }
    format!("{:016x}", h.digest())
}

/// Applies `edits` to `layer` (as the caller's view holds it) in one transaction.
pub async fn apply(registry: &Registry, layer: &Layer, editor: &Editor<'_>, edits: &[Edit]) -> Result<Vec<Done>, EditError> {
    let refuse = |m: String| refusal(editor, m);
    let (grant, write) = writable(layer, editor)?;
    let table = &layer.table;
    let moderation = grant.moderation.as_ref();
    let kept = contribution::kept(moderation);
    let mut checked = Vec::with_capacity(edits.len());
    for e in edits {
        if !grant.allows(e.operation()) {
            return Err(refuse(format!("you may not {} features of layer '{}'", e.name(), layer.id)));
        }
        let proposed = |p| contribution::proposal(moderation, p, editor, matches!(e, Edit::Insert(_)));
        checked.push(match e {
            Edit::Insert(p) => Some(check(table, &*proposed(p)?, Scope::Whole, &[], write.area.as_ref())?),
            Edit::Replace { with: p, .. } => Some(check(table, &*proposed(p)?, Scope::Whole, &kept, write.area.as_ref())?),
            Edit::Update { with: p, .. } => Some(check(table, &*proposed(p)?, Scope::Given, &[], write.area.as_ref())?),
            Edit::Delete { .. } => None,
        });
    }
    let mut tx = layer.source.begin().await?;
    let mut done = Vec::with_capacity(edits.len());
    let mut touched: Option<Bbox> = None;
    let mut edited: Vec<Value> = Vec::new();
    let who = editor.name.unwrap_or("anonymous");
    for (e, c) in edits.iter().zip(&checked) {
        let (id, before) = match e {
            Edit::Insert(_) => {
                (tx.insert(table, c.as_ref().expect("inserts are checked")).await?, None)
            }
            Edit::Replace { id, version, .. } | Edit::Update { id, version, .. } | Edit::Delete { id, version } => {
                let id = id_value(table, id, &layer.id)?;
                // Versions name features as they were before the request: one an earlier edit
                // of this request changed is checked no more.
                let expected = version.as_deref().filter(|_| !edited.contains(&id));
                let before = current(&mut tx, layer, &id, expected).await?;
                if let (Some(m), Some(c)) = (moderation, c) {
                    contribution::settle(m, table, c, &before)?;
                }
                match c {
                    Some(c) => tx.update(table, &id, c).await?,
                    None => tx.delete(table, &id).await?,
                };
                (id, Some(before))
            }
        };
        let after = match e {
            Edit::Delete { .. } => None,
            _ => {
                if let Some(f) = &write.filter
                    && !tx.matches(table, &id, f).await?
                {
                    return Err(refuse(format!("the feature would leave the area or rows you may edit in layer '{}'", layer.id)));
                }
                Some(tx.feature(table, &id).await?.ok_or_else(|| EditError::NotFound(format!("feature '{}' vanished", id_text(&id))))?)
            }
        };
        for f in before.iter().chain(&after) {
            touched = grow(touched, f);
        }
        edited.push(id.clone());
        let id_text = id_text(&id);
        let entry = AuditEntry {
            who,
            layer: &layer.id,
            feature_id: &id_text,
            operation: e.name(),
            before: before.as_ref().map(|f| geojson(table, f)),
            after: after.as_ref().map(|f| geojson(table, f)),
        };
        tx.audit(&entry).await?;
        done.push(Done { id: id_text, version: after.as_ref().map(version) });
    }
    tx.commit().await?;
    if let Some(area) = touched {
        crate::vtiles::invalidate_area(registry, &layer.id, area, table.crs).await;
    }
    Ok(done)
}

/// A refusal: 401 for an anonymous caller (a login may help), else 403.
fn refusal(editor: &Editor, m: String) -> EditError {
    if editor.name.is_none() { EditError::LoginRequired(m) } else { EditError::Forbidden(m) }
}

/// The caller's grant and write restriction on the layer, or why it may not edit it at all:
/// faces ask before reading a body, so a caller without the right learns that first.
pub fn writable<'l>(layer: &'l Layer, editor: &Editor) -> Result<(&'l Grant, &'l Restriction), EditError> {
    let grant = layer.grant.as_deref().ok_or_else(|| EditError::ReadOnly(format!("layer '{}' is not editable: no access rules are configured", layer.id)))?;
    match &grant.write {
        Some(write) => Ok((grant, write)),
        None if !grant.editable => Err(EditError::ReadOnly(format!("layer '{}' is not editable: no group may write it", layer.id))),
        None => Err(refusal(editor, format!("you may not edit layer '{}'", layer.id))),
    }
}

/// The feature an update or delete starts from, locked, after checking the caller may see it,
/// may change it, and names its current version.
async fn current(tx: &mut Tx, layer: &Layer, id: &Value, expected: Option<&str>) -> Result<Feature, EditError> {
    let not_found = || EditError::NotFound(format!("no feature '{}' in layer '{}'", id_text(id), layer.id));
    let grant = layer.grant.as_deref().expect("apply checked the grant");
    let before = tx.feature(&layer.table, id).await?.ok_or_else(not_found)?;
    if let Some(f) = &grant.read.filter
        && !tx.matches(&layer.table, id, f).await?
    {
        return Err(not_found());
    }
    if let Some(f) = grant.write.as_ref().and_then(|w| w.filter.as_ref())
        && !tx.matches(&layer.table, id, f).await?
    {
        return Err(EditError::Forbidden(format!("feature '{}' is outside the area or rows you may edit", id_text(id))));
    }
    if expected.is_some_and(|v| v != version(&before)) {
        return Err(EditError::Stale(id_text(id)));
    }
    Ok(before)
}

fn id_value(table: &Table, id: &str, layer: &str) -> Result<Value, EditError> {
    let not_found = || EditError::NotFound(format!("no feature '{id}' in layer '{layer}'"));
    table.id.as_ref().and_then(|f| f.ty.parse_literal(id)).ok_or_else(not_found)
}

/// A feature id as written in URLs and `gml:id`s.
pub fn id_text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

fn grow(acc: Option<Bbox>, f: &Feature) -> Option<Bbox> {
    let g = f.geometry.as_deref().and_then(|w| wkb::reader::read_wkb(w).ok()).map(|g| geo_traits::to_geo::ToGeoGeometry::to_geometry(&g))?;
    let r = g.bounding_rect().map(|r| Bbox { min_x: r.min().x, min_y: r.min().y, max_x: r.max().x, max_y: r.max().y });
    match (acc, r) {
        (Some(a), Some(r)) => Some(Bbox { min_x: a.min_x.min(r.min_x), min_y: a.min_y.min(r.min_y), max_x: a.max_x.max(r.max_x), max_y: a.max_y.max(r.max_y) }),
        (a, r) => a.or(r),
    }
}

/// The feature as a CRS84 GeoJSON Feature, for the audit table.
fn geojson(table: &Table, f: &Feature) -> String {
    let keys = ogc::geojson::PropertyKeys::new(table.fields.iter().map(|f| f.name.as_str()));
    let t = crate::crs::Transform::from_storage(table.crs, Crs::Crs84, false).ok();
    let mut map = |x: f64, y: f64| t.as_ref().and_then(|t| t.convert(x, y));
    let mut writer = ogc::geojson::GeometryWriter::new(&mut map, 8);
    let geometry = f.geometry.as_deref().and_then(|w| wkb::reader::read_wkb(w).ok());
    let mut out = Vec::new();
    ogc::geojson::write_feature(&mut out, f.id.as_ref(), &keys, &f.properties, geometry.as_ref(), &mut writer);
    String::from_utf8(out).unwrap_or_default()
}
