//! Prometheus metrics at `/metrics`: requests, latencies and errors per service and collection.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{Request, State};
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
fn labels(state: &AppState, path: &str) -> (&'static str, String) {
    let mut parts = path.trim_start_matches('/').split('/');
    match parts.next().unwrap_or("") {
        "" | "conformance" | "api" | "collections" => {
            let collection = parts.next().filter(|id| state.registry.layer(id).is_some()).unwrap_or("").to_string();
            ("features", collection)
        }
        "wfs" => ("wfs", String::new()),
        "ows" => ("ows", String::new()),
        "health" => ("health", String::new()),
        "metrics" => ("metrics", String::new()),
        "assets" => ("assets", String::new()),
        _ => ("other", String::new()),
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (service, collection) = labels(&state, req.uri().path());
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status();
    let labels = [("service", service.to_string()), ("collection", collection), ("status", status.as_u16().to_string())];
    metrics::counter!("ossature_requests_total", &labels).increment(1);
    metrics::histogram!("ossature_request_duration_seconds", &labels[..2]).record(start.elapsed().as_secs_f64());
    if status.is_client_error() || status.is_server_error() {
        metrics::counter!("ossature_errors_total", &labels).increment(1);
    }
    res
}
