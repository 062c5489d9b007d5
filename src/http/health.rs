//! `/health` (readiness: every source answers) and `/health/live` (the process answers).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::json;

use super::AppState;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/health", get(ready)).route("/health/live", get(live))
}

async fn live() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let checks = state.registry.sources.iter().map(|(name, source)| async move {
        let ok = matches!(tokio::time::timeout(Duration::from_secs(3), source.ready()).await, Ok(Ok(())));
        (name.clone(), ok)
    });
    let results = futures_util::future::join_all(checks).await;
    let all_ok = results.iter().all(|(_, ok)| *ok);
    let sources: serde_json::Map<String, serde_json::Value> =
        results.into_iter().map(|(n, ok)| (n, json!(if ok { "ok" } else { "unavailable" }))).collect();
    let status = if all_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({ "status": if all_ok { "ok" } else { "unavailable" }, "sources": sources })))
}
