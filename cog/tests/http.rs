//! Reading COGs over HTTP from a real local server, and the ways HTTP reading fails.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use cog::{BlockCache, Cog, CogError, HttpReader};
use common::*;
use tower_http::services::ServeDir;

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// A server with the fixtures (Range supported), a route that ignores Range, and one that fails.
async fn server(whole: Vec<u8>) -> SocketAddr {
    let dir = fixture("deflate.tif").parent().unwrap().to_path_buf();
    let router = Router::new()
        .route("/whole.tif", get(move || async move { whole.clone() }))
        .route("/down.tif", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .fallback_service(ServeDir::new(dir));
    serve(router).await
}

async fn open_url(url: &str) -> Result<Cog, CogError> {
    let reader = Arc::new(HttpReader::new(url, Duration::from_secs(10))?);
    Cog::open(reader, BlockCache::new(64 << 20)).await
}

#[tokio::test]
async fn http_gives_the_same_pixels_as_the_file() {
    if !gdal() {
        return;
    }
    let addr = server(Vec::new()).await;
    for file in ["deflate.tif", "jpeg_mask.tif"] {
        let path = fixture(file);
        let local = open(&path).await;
        let remote = open_url(&format!("http://{addr}/{file}")).await.unwrap();
        assert_eq!(remote.georef(), local.georef());
        assert_eq!(remote.levels().len(), local.levels().len());
        assert_eq!(remote.name(), format!("http://{addr}/{file}"));
        for (level, col, row) in [(0, 0, 0), (0, 5, 4), (1, 1, 1), (3, 0, 0)] {
            let (a, b) = (remote.block(level, col, row).await.unwrap(), local.block(level, col, row).await.unwrap());
            assert!(a.rgba == b.rgba, "{file} level {level} block ({col}, {row})");
        }
        let tiles = [(0, 2), (1, 2), (2, 2)];
        let (a, b) = (remote.blocks(0, &tiles).await.unwrap(), local.blocks(0, &tiles).await.unwrap());
        assert!(a.iter().zip(&b).all(|(a, b)| a.rgba == b.rgba));
        if file == "jpeg_mask.tif" {
            assert_eq!(remote.jpeg_block(0, 1, 1).await.unwrap(), local.jpeg_block(0, 1, 1).await.unwrap());
        }
    }
}

#[tokio::test]
async fn closed_port_is_unavailable_quickly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let err = open_url(&format!("http://127.0.0.1:{port}/x.tif")).await.err().unwrap();
    assert!(matches!(err, CogError::Unavailable(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn http_errors_are_classified_without_credentials() {
    if !gdal() {
        return;
    }
    let whole = std::fs::read(fixture("deflate.tif")).unwrap();
    let addr = server(whole).await;
    let err = open_url(&format!("http://user:secret@{addr}/missing.tif?token=hidden")).await.err().unwrap();
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("404")), "{err}");
    assert!(!err.to_string().contains("secret") && !err.to_string().contains("hidden"), "{err}");
    let err = open_url(&format!("http://{addr}/whole.tif")).await.err().unwrap();
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("ignores Range")), "{err}");
    let err = open_url(&format!("http://{addr}/down.tif")).await.err().unwrap();
    assert!(matches!(&err, CogError::Unavailable(m) if m.contains("503")), "{err}");
    fixture("truncated.tif");
    let err = open_url(&format!("http://{addr}/truncated.tif")).await.err().unwrap();
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("truncated")), "{err}");
}

#[tokio::test]
async fn slow_server_times_out() {
    let router = Router::new().route(
        "/slow.tif",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::OK
        }),
    );
    let addr = serve(router).await;
    let reader = Arc::new(HttpReader::new(&format!("http://{addr}/slow.tif"), Duration::from_millis(300)).unwrap());
    let started = Instant::now();
    let err = Cog::open(reader, BlockCache::new(1 << 20)).await.err().unwrap();
    assert!(matches!(&err, CogError::Unavailable(m) if m.contains("timed out")), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}
