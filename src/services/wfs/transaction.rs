//! WFS Transaction (2.0.0 and 1.1.0): the actions become the editing core's edits, applied in
//! one database transaction; Update, Replace and Delete select their features by the action's
//! filter through the caller's view first.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::Response;
use futures_util::TryStreamExt;
use ogc::wfs::request::{Version, WfsError};
use ogc::wfs::transaction::{Action, FeatureInput, PropertyValue, Summary, Transaction};

use super::exception::{exception, from_service};
use super::get_feature::strip_id_prefix;
use super::{layer, xml};
use crate::access::Principal;
use crate::edit::{Edit, EditError, Editor, Given, Proposed};
use crate::http::Caller;
use crate::registry::Layer;
use crate::source::Query;

pub async fn transaction(state: &Caller, principal: Option<&Principal>, t: Transaction) -> Response {
    let version = t.version;
    match run(state, principal, t).await {
        Ok(body) => xml(body),
        Err(Refusal::Wfs(e)) => exception(version, &e),
        Err(Refusal::Edit(e)) => refused(state, version, e),
    }
}

enum Refusal {
    Wfs(WfsError),
    Edit(EditError),
}

impl From<WfsError> for Refusal {
    fn from(e: WfsError) -> Self {
        Refusal::Wfs(e)
    }
}

async fn run(state: &Caller, principal: Option<&Principal>, t: Transaction) -> Result<String, Refusal> {
    let (version, declared_1_0) = (t.version, t.declared_1_0);
    let answer = |s: &Summary| match declared_1_0 {
        true => ogc::wfs::transaction::response_1_0(s),
        false => ogc::wfs::transaction::response(version, s),
    };
    let names: Vec<&str> = t.actions.iter().flat_map(action_types).collect();
    let Some(first) = names.first() else { return Ok(answer(&Summary { inserted: &[], updated: 0, replaced: 0, deleted: 0 })) };
    // One database transaction per request: actions on several types could span databases.
    if names.iter().any(|n| n != first) {
        return Err(WfsError::new("OperationNotSupported", "Transaction", "a transaction edits one feature type").into());
    }
    let layer = match layer(state, first) {
        Ok(l) => l.clone(),
        // A layer hidden from an anonymous caller: a login may help (as for reads).
        Err(_) if principal.is_none_or(|p| p.name.is_none()) && matches!(&state.access, crate::access::Access::Ruled(p) if p.hides(&state.view, first)) => {
            return Err(Refusal::Edit(EditError::LoginRequired(format!("log in to edit '{first}'"))));
        }
        Err(e) => return Err(e.into()),
    };
    let mut edits = Vec::new();
    for a in t.actions {
        match a {
            Action::Insert(features) => {
                for f in features {
                    edits.push(Edit::Insert(proposed(&layer, f.properties)?));
                }
            }
            Action::Update { properties, filter, .. } => {
                let with = proposed(&layer, properties)?;
                for (id, version) in selected(&layer, filter).await? {
                    edits.push(Edit::Update { id, with: with.clone(), version: Some(version) });
                }
            }
            Action::Replace { feature, filter } => {
                let with = proposed(&layer, feature.properties)?;
                for (id, version) in selected(&layer, filter).await? {
                    edits.push(Edit::Replace { id, with: with.clone(), version: Some(version) });
                }
            }
            Action::Delete { filter, .. } => {
                for (id, version) in selected(&layer, filter).await? {
                    edits.push(Edit::Delete { id, version: Some(version) });
                }
            }
        }
    }
    let editor = Editor { name: principal.and_then(|p| p.name.as_deref()) };
    let done = crate::edit::apply(&state.registry, &layer, &editor, &edits).await.map_err(Refusal::Edit)?;
    let mut inserted = Vec::new();
    let (mut updated, mut replaced, mut deleted) = (0, 0, 0);
    for (e, d) in edits.iter().zip(&done) {
        match e {
            Edit::Insert(_) => inserted.push(format!("{}.{}", layer.id, d.id)),
            Edit::Update { .. } => updated += 1,
            Edit::Replace { .. } => replaced += 1,
            Edit::Delete { .. } => deleted += 1,
        }
    }
    Ok(answer(&Summary { inserted: &inserted, updated, replaced, deleted }))
}

fn action_types(a: &Action) -> Vec<&str> {
    match a {
        Action::Insert(features) => features.iter().map(|f: &FeatureInput| f.type_name.as_str()).collect(),
        Action::Update { type_name, .. } | Action::Delete { type_name, .. } => vec![type_name.as_str()],
        Action::Replace { feature, .. } => vec![feature.type_name.as_str()],
    }
}

/// Properties read from GML as the core's proposal: the geometry property must be the layer's
/// geometry column; a geometry without `srsName` is in the type's default CRS.
fn proposed(layer: &Layer, properties: Vec<(String, PropertyValue)>) -> Result<Proposed, WfsError> {
    let table = &layer.table;
    let mut p = Proposed { properties: Vec::new(), geometry: None, crs: table.crs, authority_axes: false };
    for (name, value) in properties {
        let is_geometry = name == table.geometry_column;
        match value {
            PropertyValue::Geometry(g) if is_geometry => {
                if let Some(crs) = g.crs {
                    p.crs = crs;
                    p.authority_axes = g.authority_axes;
                }
                p.geometry = Some(Some(g.geometry));
            }
            PropertyValue::Null if is_geometry => p.geometry = Some(None),
            PropertyValue::Geometry(_) => return Err(WfsError::new("InvalidValue", &name, format!("'{name}' is not the geometry property ({})", table.geometry_column))),
            PropertyValue::Text(_) if is_geometry => return Err(WfsError::new("InvalidValue", &name, "the geometry property needs a GML geometry")),
            PropertyValue::Null => p.properties.push((name, Given::Json(serde_json::Value::Null))),
            PropertyValue::Text(t) => p.properties.push((name, Given::Text(t))),
        }
    }
    Ok(p)
}

/// The ids and versions of the features an action's filter selects among those the caller
/// sees. The versions pin the selection: a feature changed by someone else before the
/// transaction writes it no longer has its version, and the transaction is refused (lock-free
/// optimistic concurrency: a filter naming the values the client read is its precondition).
async fn selected(layer: &Arc<Layer>, filter: ogc::filter::Filter) -> Result<Vec<(String, String)>, WfsError> {
    let filter = crate::bind::bind(strip_id_prefix(filter, &layer.id), &layer.table, layer.table.crs)
        .map_err(|e| WfsError::new("InvalidParameterValue", "Filter", e.to_string()))?;
    let query = Query { filter: Some(filter), ..Query::default() };
    let features: Vec<_> = layer.source.features(layer.table.clone(), query).try_collect().await.map_err(|e| from_service(e.into()))?;
    Ok(features.iter().filter_map(|f| f.id.as_ref().map(|id| (crate::edit::id_text(id), crate::edit::version(f)))).collect())
}

/// An edit the core refused, as the version's exception: schema errors are `InvalidValue`,
/// refusals `OperationProcessingFailed` with 403 (401 and the Basic challenge for anonymous
/// callers, so clients prompt for a login), a stale version `OperationProcessingFailed`.
fn refused(state: &Caller, version: Version, e: EditError) -> Response {
    let (code, status) = match &e {
        EditError::Invalid(_) => ("InvalidValue", StatusCode::BAD_REQUEST),
        EditError::Forbidden(_) => ("OperationProcessingFailed", StatusCode::FORBIDDEN),
        EditError::LoginRequired(_) => ("OperationProcessingFailed", StatusCode::UNAUTHORIZED),
        EditError::NotFound(_) => ("NotFound", StatusCode::NOT_FOUND),
        EditError::ReadOnly(_) => ("OperationNotSupported", StatusCode::NOT_IMPLEMENTED),
        EditError::Stale(_) => ("OperationProcessingFailed", StatusCode::CONFLICT),
        EditError::Source(_) => ("", StatusCode::INTERNAL_SERVER_ERROR),
    };
    let e = match e {
        EditError::Source(s) => return exception(version, &from_service(s.into())),
        e => e,
    };
    let mut res = exception(version, &WfsError::new(code, "Transaction", e.to_string()));
    *res.status_mut() = status;
    if let (StatusCode::UNAUTHORIZED, Some(v)) = (status, state.access.challenge()) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    res
}
