//! Static files the HTML pages need (Leaflet for feature previews, MapLibre GL JS 4.7.1 for
//! vector tiles), embedded in the binary so the
//! pages work without internet access.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

const FILES: &[(&str, &str, &[u8])] = &[
    ("leaflet.js", "text/javascript", include_bytes!("../../assets/leaflet/leaflet.js")),
    ("leaflet.css", "text/css", include_bytes!("../../assets/leaflet/leaflet.css")),
    ("maplibre-gl.js", "text/javascript", include_bytes!("../../assets/maplibre/maplibre-gl.js")),
    ("maplibre-gl.css", "text/css", include_bytes!("../../assets/maplibre/maplibre-gl.css")),
    ("ossature.css", "text/css", include_bytes!("../../assets/ossature.css")),
    ("images/marker-icon.png", "image/png", include_bytes!("../../assets/leaflet/images/marker-icon.png")),
    ("images/marker-icon-2x.png", "image/png", include_bytes!("../../assets/leaflet/images/marker-icon-2x.png")),
    ("images/marker-shadow.png", "image/png", include_bytes!("../../assets/leaflet/images/marker-shadow.png")),
];

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/assets/{*file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, media_type, bytes)) => {
            ([(header::CONTENT_TYPE, *media_type), (header::CACHE_CONTROL, "public, max-age=86400")], *bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
