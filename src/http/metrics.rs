//! Prometheus metrics at `/metrics`: requests, latencies and errors per service and collection.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::AppState;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder once (tests start several servers in one process).
pub fn install() {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
            .expect("static buckets are valid")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (embedding); then metrics go there.
        let _ = metrics::set_global_recorder(recorder);
        handle
    });
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/metrics", get(render))
}

async fn render() -> Response {
    let body = HANDLE.get().map(PrometheusHandle::render).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The service and collection a path belongs to. Collection ids are only taken from the
/// registry so a client cannot grow the label set with made-up names.
fn labels<'a>(state: &'a AppState, path: &str) -> (&'static str, &'a str) {
    let mut parts = path.trim_start_matches('/').split('/');
    let service = match parts.next().unwrap_or("") {
        "" | "conformance" | "api" | "collections" => {
            let registry = &state.registry;
            let collection = parts.next().and_then(|id| registry.layer(id).map(|l| l.id.as_str()).or_else(|| registry.raster(id).map(|r| r.id.as_str())));
            return ("features", collection.unwrap_or(""));
        }
        "tileMatrixSets" => "tiles",
        "wfs" => "wfs",
        "wmts" => "wmts",
        "ows" => "ows",
        "health" => "health",
        "metrics" => "metrics",
        "assets" => "assets",
        _ => "other",
    };
    (service, "")
}

/// The metric handles of one (service, collection, status). Registering labelled metrics with
/// the recorder hashes and compares every label and allocates the key, which measured several
/// microseconds of a cached tile's request; the handles are looked up once and kept here.
#[derive(Default)]
pub struct Series {
    /// By (service, status), then collection: the inner map is looked up with the borrowed id.
    handles: RwLock<HashMap<(&'static str, u16), HashMap<String, Handles>>>,
}

struct Handles {
    requests: metrics::Counter,
    duration: metrics::Histogram,
    errors: Option<metrics::Counter>,
}

impl Series {
    fn record(&self, service: &'static str, collection: &str, status: StatusCode, elapsed: Duration) {
        let code = status.as_u16();
        let map = self.handles.read().unwrap_or_else(|e| e.into_inner());
        if let Some(h) = map.get(&(service, code)).and_then(|by_collection| by_collection.get(collection)) {
            return h.record(elapsed);
        }
        drop(map);
        let labels = [("service", service.to_string()), ("collection", collection.to_string()), ("status", code.to_string())];
        let handles = Handles {
            requests: metrics::counter!("ossature_requests_total", &labels),
            duration: metrics::histogram!("ossature_request_duration_seconds", &labels[..2]),
            errors: (status.is_client_error() || status.is_server_error()).then(|| metrics::counter!("ossature_errors_total", &labels)),
        };
        handles.record(elapsed);
        let mut map = self.handles.write().unwrap_or_else(|e| e.into_inner());
        map.entry((service, code)).or_default().insert(collection.to_string(), handles);
    }
}

impl Handles {
    fn record(&self, elapsed: Duration) {
        self.requests.increment(1);
        self.duration.record(elapsed.as_secs_f64());
        if let Some(errors) = &self.errors {
            errors.increment(1);
        }
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let (service, collection) = labels(&state, req.uri().path());
    let res = next.run(req).await;
    state.series.record(service, collection, res.status(), start.elapsed());
    res
}
