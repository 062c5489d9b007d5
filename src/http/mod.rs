//! The HTTP server: one router for every face, the shared middleware (compression, CORS,
//! tracing, request ids, limits, panic catching) and graceful shutdown.

pub mod assets;
pub mod envelope;
pub mod health;
pub mod hot;
pub mod metrics;
pub mod negotiate;


use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderName;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::normalize_path::NormalizePathLayer;

use envelope::EnvelopeLayer;

use crate::config::{Config, Limits, ServiceConfig};
use crate::registry::Registry;

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<AppInner>);

pub struct AppInner {
    pub registry: Registry,
    /// Public base URL, without trailing slash.
    pub base: String,
    pub limits: Limits,
    /// The configuration's, with `update_sequence` always set (see [`ServiceConfig::update_sequence`]).
    pub service: ServiceConfig,
    pub series: metrics::Series,
    /// Who may see what; faces read the caller's view, never the registry's layers.
    pub access: crate::access::Access,
    /// `Cache-Control` of tiles, formatted once.
    pub tile_cache_control: axum::http::HeaderValue,
}

impl std::ops::Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// A request's share of the state: everything the server holds, and the caller's view of the
/// layers (attached by the access middleware), which is all a face may read layers from.
#[derive(Clone)]
pub struct Caller {
    pub state: AppState,
    pub view: Arc<crate::access::View>,
}

impl std::ops::Deref for Caller {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.state
    }
}

impl axum::extract::FromRequestParts<AppState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Caller, Self::Rejection> {
        Ok(Caller::of(state, &parts.extensions))
    }
}

impl Caller {
    /// The caller of a request whose extensions the access middleware filled; a router built
    /// without it (unit tests of one face) sees what anonymous callers see.
    pub fn of(state: &AppState, extensions: &axum::http::Extensions) -> Caller {
        let view = match extensions.get::<Arc<crate::access::View>>() {
            Some(v) => v.clone(),
            None => state.access.anonymous_view(),
        };
        Caller { state: state.clone(), view }
    }
}

/// The whole HTTP service: path normalization, CORS, the access decision and the envelope
/// around the router, with the tile hot path inside the envelope (`hot`).
pub fn app(state: AppState) -> impl tower::Service<axum::extract::Request, Response = axum::response::Response, Error = std::convert::Infallible, Future: Send + 'static> + Clone + Send + Sync + 'static {
    let limits = state.limits.clone();
    let envelope = EnvelopeLayer::new(state.clone(), Duration::from_millis(limits.request_timeout_ms));
    let router = Router::new()
        .merge(crate::services::features::routes())
        .merge(crate::services::records::routes())
        .merge(crate::services::wfs::routes())
        .merge(crate::services::wmts::routes())
        .merge(crate::services::wms::routes())
        .merge(crate::services::tiles::routes())
        .merge(crate::services::vtiles::routes())
        .merge(crate::services::ows::routes())
        .merge(crate::services::csw::routes())
        .merge(health::routes())
        .merge(assets::routes())
        .merge(metrics::routes())
        .fallback(|uri: axum::http::Uri| async move { crate::error::ServiceError::NotFound(format!("no resource at {}", uri.path())) })
        .layer(CompressionLayer::new())
        // Image tiles are compressed already, vector tiles are kept gzipped: the compression
        // layer, which only costs them time (about a tenth of a cached tile's), stays off them.
        .merge(crate::services::vtiles::tile_routes())
        .merge(crate::services::wmts::tile_routes())
        // Bodies up to the configured limit reach the handlers, which answer in their standard's
        // terms; RequestBodyLimitLayer refuses anything larger.
        .layer(axum::extract::DefaultBodyLimit::max(limits.request_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.request_body_bytes))
        .with_state(state.clone());
    ServiceBuilder::new()
        .layer(NormalizePathLayer::trim_trailing_slash())
        .layer(CorsLayer::permissive().expose_headers([HeaderName::from_static("content-crs")]))
        // Outside the envelope, so the API key is out of the URI before the request is logged.
        .layer(axum::middleware::from_fn_with_state(state, crate::access::middleware::authorize))
        .layer(envelope)
        .service(router)
}

/// Builds the registry and serves until SIGTERM or Ctrl-C, finishing requests under way.
pub async fn serve(config: Config, bind: Option<SocketAddr>) -> anyhow::Result<()> {
    let addr: SocketAddr = match bind {
        Some(a) => a,
        None => config.server.bind.parse()?,
    };
    let listener = TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let state = build_state(&config, listener.local_addr()?).await?;
    tracing::info!(address = %addr, base = %state.base, layers = state.registry.layers.len(), "serving");
    let app = app(state);
    // Streamed bodies go out in several writes: without TCP_NODELAY, Nagle's algorithm holds
    // the last one until the client's delayed ACK, adding 40 ms to keep-alive requests.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    // The client's address keys the failed-login limiter.
    axum::serve(listener, axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<SocketAddr>(app)).with_graceful_shutdown(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The shared state for a config; the base URL defaults to the address actually bound.
pub async fn build_state(config: &Config, bound: SocketAddr) -> anyhow::Result<AppState> {
    let registry = Registry::build(config).await?;
    let base = match &config.server.public_url {
        Some(_) => config.base_url(),
        None => format!("http://{bound}"),
    };
    metrics::install();
    let store = match crate::catalogue::store::Location::of(config) {
        Some(location) => {
            let mode = if config.catalogue.publishers.is_empty() { crate::catalogue::store::Mode::Read } else { crate::catalogue::store::Mode::Publish };
            Some(crate::catalogue::store::Store::open(&location, mode).await?)
        }
        None => None,
    };
    // The extent only describes the collection: a store that cannot answer now must not stop the
    // server, whose searches will report it.
    let store_extent = match &store {
        Some(s) => s.extent().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "catalogue store: extent of the imported records unknown");
            None
        }),
        None => None,
    };
    let catalogue = crate::catalogue::Catalogue::new(&registry, &base, &config.service, ogc::csw::request::Limits { max_records: config.catalogue.max_records }, store, store_extent)
        .with_publishers(&config.catalogue.publishers);
    let access = crate::access::Access::build(config, &registry, catalogue).await?;
    let mut service = config.service.clone();
    service.update_sequence.get_or_insert_with(|| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    Ok(AppState(Arc::new(AppInner { registry, base, limits: config.server.limits.clone(), service,
        series: metrics::Series::default(),
        access,
        // With access rules a tile may be one group's: shared caches must not keep it.
        tile_cache_control: axum::http::HeaderValue::from_str(&format!("{}, max-age={}", if config.access.is_some() { "private" } else { "public" }, config.tile_cache.max_age_s)).expect("ascii"),
    })))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested, finishing requests under way");
}
