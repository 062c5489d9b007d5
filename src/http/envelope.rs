//! The envelope of every request: its id, the time limit, panic catching, metrics and the debug
//! trace, in one layer around the router; map tiles go to `hot` instead of the router.
//!
//! These were six layers (tower-http's SetRequestId, Trace, PropagateRequestId, CatchPanic and
//! Timeout, and a `from_fn` metrics layer). Each wrapped the request's future, and some its body,
//! and together they measured about a third of the CPU time of a cached tile on this project's
//! benchmark machine; one future does the same work for the price of one allocation.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use futures_util::FutureExt;
use futures_util::future::Either;
use tower::{Layer, Service};
use tracing::Instrument;

use super::AppState;
use super::metrics::Labels;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
pub struct EnvelopeLayer {
    state: AppState,
    timeout: Duration,
    ids: RequestIds,
}

impl EnvelopeLayer {
    pub fn new(state: AppState, timeout: Duration) -> EnvelopeLayer {
        EnvelopeLayer { state, timeout, ids: RequestIds::new() }
    }
}

impl<S> Layer<S> for EnvelopeLayer {
    type Service = Envelope<S>;
    fn layer(&self, inner: S) -> Envelope<S> {
        Envelope { inner, layer: self.clone() }
    }
}

#[derive(Clone)]
pub struct Envelope<S> {
    inner: S,
    layer: EnvelopeLayer,
}

impl<S, B> Service<Request<B>> for Envelope<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let start = Instant::now();
        let mut req = req.map(Body::new);
        // A client's or proxy's id is kept, so one request can be followed across services.
        let id = match req.headers().get(&REQUEST_ID) {
            Some(id) => id.clone(),
            None => {
                let id = self.layer.ids.next();
                req.headers_mut().insert(REQUEST_ID, id.clone());
                id
            }
        };
        let labels = Labels::of(&self.layer.state, req.uri().path());
        let span = tracing::debug_span!("request", id = ?id, method = %req.method(), uri = %req.uri());
        let handled = match super::hot::route(&self.layer.state, req) {
            Ok(tile) => Either::Left(tile.map(Ok)),
            Err(req) => Either::Right(self.inner.call(req)),
        };
        let handled = AssertUnwindSafe(handled).catch_unwind();
        let (state, timeout) = (self.layer.state.clone(), self.layer.timeout);
        Box::pin(
            async move {
                let mut res = match tokio::time::timeout(timeout, handled).await {
                    Ok(Ok(Ok(res))) => res,
                    Ok(Ok(Err(never))) => match never {},
                    Ok(Err(_)) => {
                        tracing::error!("handler panicked");
                        crate::error::ServiceError::Source(crate::source::SourceError::Internal(anyhow::anyhow!("handler panicked"))).into_response()
                    }
                    Err(_) => {
                        tracing::warn!(limit_ms = timeout.as_millis() as u64, "request timed out");
                        StatusCode::GATEWAY_TIMEOUT.into_response()
                    }
                };
                res.headers_mut().insert(REQUEST_ID, id);
                let elapsed = start.elapsed();
                state.series.record(&state, labels, res.status(), elapsed);
                tracing::debug!(status = res.status().as_u16(), latency_us = elapsed.as_micros() as u64, "response");
                Ok(res)
            }
            .instrument(span),
        )
    }
}

/// Request ids: a per-process prefix and a counter. Random UUIDs cost a `getrandom` system call
/// per request; ids only need to be unique across the logs of running instances.
#[derive(Clone)]
struct RequestIds {
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl RequestIds {
    fn new() -> RequestIds {
        // The start time's low bits tell instances apart; a collision only blurs log grouping.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        RequestIds { prefix: (nanos as u32) ^ std::process::id().rotate_left(16), next: Default::default() }
    }

    fn next(&self) -> HeaderValue {
        let mut buf = [0u8; 25];
        format_id(&mut buf, self.prefix, self.next.fetch_add(1, Ordering::Relaxed));
        HeaderValue::from_bytes(&buf).expect("hex digits and a dash")
    }
}

/// `pppppppp-nnnnnnnnnnnnnnnn` in lower-case hex, written without allocating.
fn format_id(buf: &mut [u8; 25], prefix: u32, n: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in buf[..8].iter_mut().enumerate() {
        *b = HEX[(prefix >> (28 - 4 * i) & 0xf) as usize];
    }
    buf[8] = b'-';
    for (i, b) in buf[9..].iter_mut().enumerate() {
        *b = HEX[(n >> (60 - 4 * i) & 0xf) as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn envelope(timeout_ms: u64) -> axum::Router {
        let config = crate::config::Config::parse(std::path::Path::new("envelope-test.toml"), "[server]\nbind = \"127.0.0.1:0\"\n".to_string()).expect("minimal config");
        let state = super::super::build_state(&config, "127.0.0.1:0".parse().unwrap()).await.expect("empty registry");
        axum::Router::new()
            .route("/ok", get(|| async { "ok" }))
            .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await }))
            .route("/panic", get(|| async { None::<&str>.expect("a handler that panics") }))
            .layer(EnvelopeLayer::new(state, Duration::from_millis(timeout_ms)))
    }

    async fn call(app: &axum::Router, path: &str, id: Option<&str>) -> Response<Body> {
        let mut req = Request::get(path);
        if let Some(id) = id {
            req = req.header(REQUEST_ID, id);
        }
        app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn ids_limits_and_panics() {
        let app = envelope(100).await;
        let res = call(&app, "/ok", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let id = res.headers()[REQUEST_ID].to_str().unwrap().to_string();
        assert!(id.len() == 25 && id.as_bytes()[8] == b'-', "{id}");
        assert_ne!(call(&app, "/ok", None).await.headers()[REQUEST_ID], id.as_str(), "ids differ between requests");
        assert_eq!(call(&app, "/ok", Some("from-the-proxy")).await.headers()[REQUEST_ID], "from-the-proxy");

        let started = Instant::now();
        assert_eq!(call(&app, "/slow", None).await.status(), StatusCode::GATEWAY_TIMEOUT);
        assert!(started.elapsed() < Duration::from_secs(2), "the limit cut the request short");

        let res = call(&app, "/panic", None).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(res.headers().contains_key(REQUEST_ID));
        assert_eq!(call(&app, "/ok", None).await.status(), StatusCode::OK, "still answering after a panic");
    }

    #[test]
    fn ids_are_distinct_hex() {
        let ids = RequestIds::new();
        assert_ne!(ids.next(), ids.clone().next());
        let mut buf = [0; 25];
        format_id(&mut buf, 0xdeadbeef, 0x2a);
        assert_eq!(&buf, b"deadbeef-000000000000002a");
    }
}
