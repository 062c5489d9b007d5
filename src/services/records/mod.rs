//! OGC API Records over the catalogue: one collection of records ([`COLLECTION_ID`]) beside the
//! feature and map collections, searched in memory like CSW GetRecords (`ogc::records`).

mod html;

use axum::extract::{Path, RawQuery};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{SecondsFormat, Utc};
use ogc::csw::Record;
use ogc::features::{GEOJSON, JSON};
use ogc::records::documents::{self, CatalogueInfo, CatalogueUrls};
use ogc::records::params::RecordsParams;

use super::features::items::Page;
use super::features::{format_only, json_response, pairs};
use crate::catalogue::COLLECTION_ID;
use crate::error::ServiceError;
use crate::http::{AppState, Caller};
use crate::http::negotiate::{Format, negotiate};

/// Static routes: they take precedence over the feature collections' `/collections/{id}`
/// (a layer cannot take this id, `config` refuses it).
pub fn routes() -> axum::Router<AppState> {
    let base = format!("/collections/{COLLECTION_ID}");
    axum::Router::new()
        .route(&base, get(collection))
        .route(&format!("{base}/queryables"), get(queryables))
        .route(&format!("{base}/sortables"), get(sortables))
        .route(&format!("{base}/items"), get(items))
        .route(&format!("{base}/items/{{id}}"), get(item))
}

fn urls(state: &Caller) -> CatalogueUrls<'_> {
    CatalogueUrls { base: &state.base, collection: COLLECTION_ID }
}

/// What `/collections` and the collection document say of the catalogue.
pub fn info(state: &Caller) -> CatalogueInfo<'_> {
    CatalogueInfo {
        title: TITLE,
        description: "Metadata records of the datasets served here and of those imported into the catalogue; the same records as the CSW at /csw.",
        extent: state.view.catalogue.extent,
    }
}

const TITLE: &str = "Catalogue";

pub fn collection_document(state: &Caller, json_is_self: bool) -> serde_json::Value {
    documents::collection(&urls(state), &info(state), json_is_self)
}

async fn collection(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let doc = collection_document(&state, format == Format::Json);
    Ok(match format {
        Format::Json => json_response(&doc, JSON),
        Format::Html => Html(html::collection(&state, &doc, state.view.catalogue.candidates(None).await?.len())).into_response(),
    })
}

async fn queryables(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let doc = documents::queryables(&urls(&state), TITLE);
    Ok(match format {
        Format::Json => json_response(&doc, "application/schema+json"),
        Format::Html => Html(super::features::html::queryables(&state, COLLECTION_ID, TITLE, "Properties usable in <code>filter</code> (CQL2).", &doc)).into_response(),
    })
}

async fn sortables(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let doc = documents::sortables(&urls(&state), TITLE);
    Ok(match format {
        Format::Json => json_response(&doc, "application/schema+json"),
        Format::Html => Html(super::features::html::queryables(&state, COLLECTION_ID, TITLE, "Properties usable in <code>sortby</code> (a <code>-</code> before a name sorts in descending order).", &doc)).into_response(),
    })
}

async fn items(state: Caller, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let all = pairs(&q);
    let p = RecordsParams::parse(all.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let format = negotiate(p.format.as_deref(), &headers)?;
    if p.filter.as_ref().is_some_and(|f| f.len() > state.limits.filter_bytes) {
        return Err(ServiceError::param("filter", format!("longer than the {} bytes allowed", state.limits.filter_bytes)));
    }
    let filter = p.filter()?;
    let candidates = state.view.catalogue.candidates(filter.as_ref()).await?;
    let mut matched: Vec<&Record> = Vec::new();
    for r in candidates.iter().map(|r| &**r) {
        let selected = match &filter {
            Some(f) => ogc::csw::search::matches(f, r).map_err(|e| ServiceError::param("filter", e.message))?,
            None => true,
        };
        if selected {
            matched.push(r);
        }
    }
    ogc::csw::search::sort(&mut matched, &p.sortby);
    let limit = p.limit.unwrap_or(state.limits.default_limit).min(state.view.catalogue.limits.max_records);
    let skip = usize::try_from(p.offset).unwrap_or(usize::MAX);
    let records: Vec<&Record> = matched.iter().skip(skip).take(usize::try_from(limit).unwrap_or(usize::MAX)).copied().collect();
    let carried: Vec<(String, String)> = all.into_iter().filter(|(k, _)| k != "offset" && k != "f").collect();
    let page = Page {
        collection: (COLLECTION_ID, TITLE),
        carried: &carried,
        offset: p.offset,
        limit,
        has_next: p.offset.saturating_add(limit) < matched.len() as u64,
    };
    let links = page.links(&state, format);
    Ok(match format {
        Format::Json => {
            let stamp = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
            json_response(&documents::items(&records, &urls(&state), matched.len() as u64, &links, &stamp), GEOJSON)
        }
        Format::Html => Html(html::items(&state, &records, matched.len(), &links, &p)).into_response(),
    })
}

async fn item(state: Caller, Path(id): Path<String>, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ServiceError> {
    let format = format_only(&q, &headers)?;
    let found = state.view.catalogue.by_ids(std::slice::from_ref(&id)).await?;
    let record = found.first().ok_or_else(|| ServiceError::NotFound(format!("no record '{id}' in the catalogue")))?;
    let doc = documents::record(record, &urls(&state), format == Format::Json);
    Ok(match format {
        Format::Json => json_response(&doc, GEOJSON),
        Format::Html => Html(html::record(&state, record, &doc)).into_response(),
    })
}
