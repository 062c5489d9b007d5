//! CSW 2.0.2 at `/csw` (KVP GET and XML POST) and `/ows?SERVICE=CSW`, over the catalogue built
//! at start-up (`crate::catalogue`). The protocol itself is `ogc::csw`. Transaction (POST) is
//! answered to the caller's view when it publishes (`[catalogue] publishers`), with 401 (and a
//! login challenge) to anonymous callers and 403 to others.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ogc::csw::request::{CswRequest, ResultType};
use ogc::csw::error::ExceptionCode;
use ogc::csw::{CswError, response};

use crate::access::Principal;
use crate::catalogue::TransactionError;
use crate::http::{AppState, Caller};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/csw", get(kvp).post(post))
}

/// The authenticated caller, when the access middleware named one (only with `[access]`).
type Who = Option<Extension<Arc<Principal>>>;

/// KVP requests (no Transaction: CSW 2.0.2 defines it in XML only).
pub async fn kvp(state: Caller, RawQuery(q): RawQuery) -> Response {
    let pairs = super::features::pairs(&q);
    match ogc::csw::request::parse_kvp(&pairs, &state.view.catalogue.limits) {
        Ok(request) => answer(&state, None, request, None).await,
        Err(e) => exception(&e),
    }
}

pub async fn post(state: Caller, who: Who, body: Bytes) -> Response {
    let Ok(body) = std::str::from_utf8(&body) else {
        return exception(&CswError::invalid("", "the request body is not UTF-8 text"));
    };
    match ogc::csw::xml_request::parse_xml(body, &state.view.catalogue.limits) {
        Ok(request) => answer(&state, who, request, Some(body)).await,
        Err(e) => exception(&e),
    }
}

/// `body`: the XML of a POST request, echoed by `resultType=validate`.
async fn answer(state: &Caller, who: Who, request: CswRequest, body: Option<&str>) -> Response {
    let catalogue = &state.view.catalogue;
    let now = chrono::Utc::now();
    let document = match request {
        CswRequest::GetCapabilities(c) => {
            ogc::csw::capabilities::capabilities(&super::service_metadata(state), &format!("{}/csw", state.base), c.sections.as_deref(), &catalogue.limits, catalogue.publisher)
        }
        CswRequest::DescribeRecord(d) => response::describe_record(&d.type_names),
        CswRequest::GetRecords(g) if g.result_type == ResultType::Validate => response::acknowledgement(&g, body, &now),
        CswRequest::GetRecords(g) => {
            let records = match catalogue.candidates(g.constraint.as_ref()).await {
                Ok(r) => r,
                Err(e) => return store_failure(&e),
            };
            match ogc::csw::search::search(records.iter().map(|r| &**r), &g) {
                Ok(page) => response::get_records_response(&g, &page, &now),
                Err(e) => return exception(&e),
            }
        }
        CswRequest::GetRecordById(g) => match catalogue.by_ids(&g.ids).await {
            Ok(found) => response::get_record_by_id_response(&found.iter().map(|r| &**r).collect::<Vec<_>>(), g.output_schema, g.element_set),
            Err(e) => return store_failure(&e),
        },
        CswRequest::GetDomain(g) => {
            let records = match catalogue.candidates(None).await {
                Ok(r) => r,
                Err(e) => return store_failure(&e),
            };
            let domains: Vec<_> = g.names.into_iter().map(|name| {
                let values = response::domain_values(&name, records.iter().map(|r| &**r));
                (name, values)
            }).collect();
            response::get_domain_response(&domains)
        }
        CswRequest::Transaction(_) if !catalogue.publisher => return not_publisher(state, who),
        CswRequest::Transaction(t) => {
            let request_id = t.request_id.clone();
            match catalogue.transact(t).await {
                Ok(changes) => {
                    let name = who.as_ref().and_then(|w| w.name.clone()).unwrap_or_default();
                    tracing::info!(publisher = %name, inserted = changes.total_inserted, updated = changes.total_updated, deleted = changes.total_deleted, "catalogue transaction");
                    ogc::csw::transaction::response(&changes, request_id.as_deref())
                }
                Err(TransactionError::Request(e)) => return exception(&e),
                Err(TransactionError::Store(e)) => return store_failure(&e),
            }
        }
    };
    xml(StatusCode::OK, document)
}

/// A Transaction from a caller who may not publish: 401 with a login challenge when anonymous
/// (a publisher's client then sends its credentials), 403 otherwise.
fn not_publisher(state: &Caller, who: Who) -> Response {
    let anonymous = who.is_none_or(|w| w.name.is_none());
    let (status, message) = match anonymous {
        true => (StatusCode::UNAUTHORIZED, "log in as a publisher to change the catalogue"),
        false => (StatusCode::FORBIDDEN, "none of your groups may change the catalogue"),
    };
    let mut res = xml(status, CswError::new(ExceptionCode::NoApplicableCode, "Transaction", message).report());
    if anonymous && let Some(challenge) = state.access.challenge() {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
    }
    res
}

/// A store that cannot answer: logged in full, reported without its detail.
fn store_failure(e: &crate::source::SourceError) -> Response {
    tracing::error!(error = %e, "catalogue store");
    exception(&CswError::internal(format!("the catalogue store cannot answer: {e}")))
}

pub fn exception(e: &CswError) -> Response {
    xml(StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST), e.report())
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    res
}
