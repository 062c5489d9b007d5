//! CSW 2.0.2 at `/csw` (KVP GET and XML POST) and `/ows?SERVICE=CSW`, over the catalogue built
//! at start-up (`crate::catalogue`). The protocol itself is `ogc::csw`.

use axum::body::Bytes;
use axum::extract::{RawQuery};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ogc::csw::request::{CswRequest, ResultType};
use ogc::csw::{CswError, response};

use crate::http::{AppState, Caller};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/csw", get(kvp).post(post))
}

pub async fn kvp(state: Caller, RawQuery(q): RawQuery) -> Response {
    let pairs = super::features::pairs(&q);
    match ogc::csw::request::parse_kvp(&pairs, &state.view.catalogue.limits) {
        Ok(request) => answer(&state, request, None).await,
        Err(e) => exception(&e),
    }
}

pub async fn post(state: Caller, body: Bytes) -> Response {
    let Ok(body) = std::str::from_utf8(&body) else {
        return exception(&CswError::invalid("", "the request body is not UTF-8 text"));
    };
    match ogc::csw::xml_request::parse_xml(body, &state.view.catalogue.limits) {
        Ok(request) => answer(&state, request, Some(body)).await,
        Err(e) => exception(&e),
    }
}

/// `body`: the XML of a POST request, echoed by `resultType=validate`.
async fn answer(state: &Caller, request: CswRequest, body: Option<&str>) -> Response {
    let catalogue = &state.view.catalogue;
    let now = chrono::Utc::now();
    let document = match request {
        CswRequest::GetCapabilities(c) => {
            ogc::csw::capabilities::capabilities(&super::service_metadata(state), &format!("{}/csw", state.base), c.sections.as_deref(), &catalogue.limits)
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
    };
    xml(StatusCode::OK, document)
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
