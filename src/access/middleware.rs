//! The per-request decision: authenticate, pick the caller's view and hand it to the faces as
//! a request extension. Refusals are answered here, before any face runs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::authenticate::{API_KEY_PARAM, AuthError, Credentials};
use super::{Access, Policy, View};
use crate::http::AppState;

pub async fn authorize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let policy = match &state.access {
        Access::Open(view) => {
            req.extensions_mut().insert(view.clone());
            return next.run(req).await;
        }
        Access::Ruled(p) => p,
    };
    // The key leaves the URI here, so no log line, link or face ever sees it.
    let api_key = take_api_key(&mut req);
    let client = req.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let credentials = Credentials::of(req.headers(), api_key.as_deref());
    let bearer = matches!(credentials, Credentials::Bearer(_));
    let principal = match policy.auth.authenticate(&credentials, client).await {
        Ok(p) => p,
        Err(e) => return refusal(policy, &e, bearer),
    };
    let view = principal.view.0.get_or_init(|| policy.view(&state.registry, &principal)).clone();
    if principal.name.is_none() && names_hidden_layer(policy, &view, req.uri()) {
        // A login can help: say so, so QGIS and browsers prompt for one.
        return refusal(policy, &AuthError::Refused, false);
    }
    req.extensions_mut().insert(view);
    req.extensions_mut().insert(principal);
    next.run(req).await
}

fn refusal(policy: &Policy, e: &AuthError, bearer: bool) -> Response {
    let status = match e {
        AuthError::Refused => StatusCode::UNAUTHORIZED,
        AuthError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AuthError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    let problem = ogc::problem::Problem::new(status.as_u16(), e.to_string());
    let mut res = (status, serde_json::to_string(&problem).unwrap_or_default()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ogc::problem::MEDIA_TYPE));
    match e {
        AuthError::Refused => {
            let challenge = match bearer {
                true => Some(HeaderValue::from_static("Bearer error=\"invalid_token\"")),
                false => policy.basic_challenge(),
            };
            if let Some(v) = challenge {
                h.insert(header::WWW_AUTHENTICATE, v);
            }
        }
        AuthError::Throttled { retry_after } => {
            h.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        AuthError::Unavailable => {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
    }
    res
}

/// Removes the `apikey` parameter from the request's query and returns it.
fn take_api_key(req: &mut Request) -> Option<String> {
    let query = req.uri().query()?;
    // Most requests have no key: tell without an allocation.
    if !query.as_bytes().windows(API_KEY_PARAM.len()).any(|w| w.eq_ignore_ascii_case(API_KEY_PARAM.as_bytes())) {
        return None;
    }
    let mut key = None;
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.eq_ignore_ascii_case(API_KEY_PARAM) {
            true => key = Some(v.into_owned()),
            false => {
                kept.append_pair(&k, &v);
            }
        }
    }
    let kept = kept.finish();
    let path = req.uri().path();
    let pq = if kept.is_empty() { path.to_string() } else { format!("{path}?{kept}") };
    let mut parts = req.uri().clone().into_parts();
    parts.path_and_query = pq.parse().ok();
    if let Ok(uri) = Uri::from_parts(parts) {
        *req.uri_mut() = uri;
    }
    key
}

/// Whether the request names a layer that exists but the view hides: the collection of an OGC
/// API path, or the layer parameters of WMS, WMTS, WFS and dataset tiles.
fn names_hidden_layer(policy: &Policy, view: &View, uri: &Uri) -> bool {
    let mut segments = uri.path().split('/');
    let in_path = segments.by_ref().find(|s| *s == "collections").and_then(|_| segments.next());
    if in_path.is_some_and(|id| policy.hides(view, id)) {
        return true;
    }
    const LAYER_PARAMS: [&str; 6] = ["layers", "layer", "query_layers", "typename", "typenames", "collections"];
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).any(|(k, v)| {
        LAYER_PARAMS.iter().any(|p| k.eq_ignore_ascii_case(p))
            && v.split(',').any(|id| policy.hides(view, id.rsplit(':').next().unwrap_or(id)))
    })
}
