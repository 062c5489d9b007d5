//! Starts the server in-process on an ephemeral port, over the demo GeoPackage and, when
//! `OSSATURE_TEST_PG` names a database loaded by `scripts/load-test-pg`, over PostGIS.

#![allow(dead_code)]

pub mod imagery;

use std::path::Path;

use ossature::config::Config;
use serde_json::Value;

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub state: ossature::http::AppState,
}

pub const GPKG_LAYERS: &str = r#"
[sources.demo]
type = "geopackage"
path = "../demo/demo.gpkg"

[[layers]]
id = "communes"
title = "Communes"
source = "demo"
table = "communes"

[[layers]]
id = "ocs2d"
title = "OCS2D"
source = "demo"
table = "ocs2d"
temporal = "date_maj"
crs = ["EPSG:3950"]
"#;

pub const PG_LAYERS: &str = r#"
[sources.pg]
type = "postgis"
url = "${OSSATURE_TEST_PG}"

[[layers]]
id = "pg_communes"
title = "Communes (PostGIS)"
source = "pg"
table = "communes"

[[layers]]
id = "pg_ocs2d"
title = "OCS2D (PostGIS)"
source = "pg"
table = "ocs2d"
temporal = "date_maj"
crs = ["EPSG:3950"]

[[layers]]
id = "pg_ocs2d_nopk"
title = "OCS2D view without a key (PostGIS)"
source = "pg"
table = "ocs2d_nopk"
"#;

/// Whether the PostGIS test database is configured; in CI it must be.
pub fn has_pg() -> bool {
    let set = std::env::var("OSSATURE_TEST_PG").is_ok_and(|v| !v.is_empty());
    if !set {
        assert!(std::env::var("CI").is_err(), "OSSATURE_TEST_PG must be set in CI: PostGIS tests cannot be skipped there");
        eprintln!("OSSATURE_TEST_PG is not set: PostGIS cases skipped (scripts/test sets it)");
    }
    set
}

/// The test configuration: the demo GeoPackage layers, the PostGIS ones when available.
pub fn config(extra: &str) -> Config {
    let mut text = format!("[server]\nbind = \"127.0.0.1:0\"\n[server.limits]\ndefault_limit = 10\nmax_limit = 1000\nfilter_bytes = 4000\n{GPKG_LAYERS}");
    if has_pg() {
        text.push_str(PG_LAYERS);
    }
    text.push_str(extra);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/test.toml");
    Config::parse(&path, text).expect("test config is valid")
}

pub async fn start_with(extra: &str) -> TestServer {
    serve(config(extra)).await
}

/// The server over `config` (for tests that change settings `config` fixes, such as limits).
pub async fn serve(config: Config) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = ossature::http::build_state(&config, addr).await.expect("registry builds");
    let app = ossature::http::app(state.clone());
    tokio::spawn(async move { axum::serve(listener, tower::make::Shared::new(app)).await.unwrap() });
    TestServer { base: format!("http://{addr}"), client: reqwest::Client::new(), state }
}

pub async fn start() -> TestServer {
    start_with("").await
}

impl TestServer {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{}", self.base, path)).send().await.unwrap()
    }

    /// GET expecting 200 JSON.
    pub async fn json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    }

    pub async fn json_url(&self, url: &str) -> Value {
        let res = self.client.get(url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        res.json().await.unwrap()
    }

    /// Collections served from both sources: (GeoPackage id, PostGIS id).
    pub fn pairs(&self) -> Vec<(&'static str, &'static str)> {
        if has_pg() { vec![("communes", "pg_communes"), ("ocs2d", "pg_ocs2d")] } else { vec![] }
    }

    pub fn collections(&self) -> Vec<&'static str> {
        let mut c = vec!["communes", "ocs2d"];
        if has_pg() {
            c.extend(["pg_communes", "pg_ocs2d", "pg_ocs2d_nopk"]);
        }
        c
    }
}

/// Follows `next` links from `first` and returns every feature.
pub async fn walk(server: &TestServer, first: &str) -> Vec<Value> {
    let mut features = Vec::new();
    let mut page = server.json(first).await;
    loop {
        let got = page["features"].as_array().unwrap().clone();
        assert_eq!(page["numberReturned"].as_u64().unwrap() as usize, got.len());
        features.extend(got);
        let next = page["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next").map(|l| l["href"].as_str().unwrap().to_string());
        match next {
            Some(url) => page = server.json_url(&url).await,
            None => break,
        }
    }
    features
}
