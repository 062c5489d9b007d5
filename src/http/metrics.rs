//! Prometheus metrics at `/metrics`: requests, latencies and errors per service and collection.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
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

/// The service and collection a request is counted under. Collection ids are only taken from
/// the registry so a client cannot grow the label set with made-up names; they are kept as a
/// position in the registry (vector layers, then rasters) so a request allocates nothing.
#[derive(Clone, Copy)]
pub struct Labels {
    service: &'static str,
    collection: Option<u32>,
}

impl Labels {
    pub fn of(state: &AppState, path: &str) -> Labels {
        let mut parts = path.trim_start_matches('/').split('/');
        let service = match parts.next().unwrap_or("") {
            "" | "conformance" | "api" | "collections" => {
                let registry = &state.registry;
                let collection = parts.next().and_then(|id| {
                    let vector = registry.layers.iter().position(|l| l.id == id);
                    vector.or_else(|| registry.rasters.iter().position(|r| r.id == id).map(|i| registry.layers.len() + i))
                });
                return Labels { service: "features", collection: collection.map(|i| i as u32) };
            }
            "tileMatrixSets" => "tiles",
            "wfs" => "wfs",
            "wmts" => "wmts",
            "wms" => "wms",
            "ows" => "ows",
            "health" => "health",
            "metrics" => "metrics",
            "assets" => "assets",
            _ => "other",
        };
        Labels { service, collection: None }
    }

    fn collection<'a>(&self, state: &'a AppState) -> &'a str {
        let registry = &state.registry;
        let Some(i) = self.collection.map(|i| i as usize) else { return "" };
        match registry.layers.get(i) {
            Some(l) => &l.id,
            None => registry.rasters.get(i - registry.layers.len()).map_or("", |r| r.id.as_str()),
        }
    }
}

/// The metric handles of every (service, collection, status) seen. Registering labelled metrics
/// with the recorder hashes and compares every label and allocates the key, which measured
/// several microseconds of a cached tile's request; the handles are looked up once and kept.
#[derive(Default)]
pub struct Series {
    handles: RwLock<HashMap<(&'static str, Option<u32>, u16), Handles, foldhash::fast::RandomState>>,
}

struct Handles {
    requests: metrics::Counter,
    duration: metrics::Histogram,
    errors: Option<metrics::Counter>,
}

impl Series {
    pub fn record(&self, state: &AppState, labels: Labels, status: StatusCode, elapsed: Duration) {
        let key = (labels.service, labels.collection, status.as_u16());
        if let Some(h) = self.handles.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return h.record(elapsed);
        }
        let labels = [("service", labels.service.to_string()), ("collection", labels.collection(state).to_string()), ("status", key.2.to_string())];
        let handles = Handles {
            requests: metrics::counter!("ossature_requests_total", &labels),
            duration: metrics::histogram!("ossature_request_duration_seconds", &labels[..2]),
            errors: (status.is_client_error() || status.is_server_error()).then(|| metrics::counter!("ossature_errors_total", &labels)),
        };
        handles.record(elapsed);
        self.handles.write().unwrap_or_else(|e| e.into_inner()).insert(key, handles);
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
