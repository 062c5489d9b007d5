//! HTTP(S) URLs read with `Range` requests.

use std::ops::Range;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::{StatusCode, Url};

use crate::{CogError, RangeReader};

/// An unreachable host must fail fast: the request timeout is for slow transfers.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// An HTTP(S) URL read with `Range` requests, with connect and request timeouts.
///
/// All readers share one client, hence one connection pool: many COGs on one server reuse
/// connections.
pub struct HttpReader {
    client: reqwest::Client,
    url: Url,
    name: String,
    timeout: Duration,
}

static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();

fn client() -> Result<reqwest::Client, CogError> {
    if let Some(client) = CLIENT.get() {
        return Ok(client.clone());
    }
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(true)
        .user_agent(concat!("ossature-cog/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| CogError::Unavailable(format!("HTTP client: {e}")))?;
    Ok(CLIENT.get_or_init(|| client).clone())
}

/// The URL for messages and logs: no user or password, and no query string (presigned URLs
/// carry their secrets there).
fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    // Only fails for URLs that cannot have credentials, which then have none to hide.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    let had_query = shown.query().is_some();
    shown.set_query(None);
    shown.set_fragment(None);
    let mut name = shown.to_string();
    if had_query {
        name.push_str("?…");
    }
    name
}

impl HttpReader {
    pub fn new(url: &str, timeout: std::time::Duration) -> Result<HttpReader, CogError> {
        let url = Url::parse(url).map_err(|e| CogError::Invalid(format!("invalid URL: {e}")))?;
        let name = redacted(&url);
        if !matches!(url.scheme(), "http" | "https") {
            return Err(CogError::Invalid(format!("{name}: only http and https URLs are read")));
        }
        Ok(HttpReader { client: client()?, url, name, timeout })
    }

    fn failed(&self, e: reqwest::Error) -> CogError {
        // Without the URL: it may hold credentials.
        let e = e.without_url();
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        CogError::Unavailable(format!("{}: {what}: {e}", self.name))
    }
}

#[async_trait::async_trait]
impl RangeReader for HttpReader {
    fn name(&self) -> &str {
        &self.name
    }

    async fn read(&self, range: Range<u64>) -> Result<Bytes, CogError> {
        if range.is_empty() {
            return Ok(Bytes::new());
        }
        let response = self
            .client
            .get(self.url.clone())
            .header(RANGE, format!("bytes={}-{}", range.start, range.end - 1))
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| self.failed(e))?;
        let status = response.status();
        match status {
            StatusCode::PARTIAL_CONTENT => {}
            // The range starts at or after the end: nothing there.
            StatusCode::RANGE_NOT_SATISFIABLE => return Ok(Bytes::new()),
            StatusCode::OK => {
                return Err(CogError::Invalid(format!(
                    "{}: the server ignores Range requests (it answered 200 with the whole file)",
                    self.name
                )));
            }
            s if s.is_server_error() => return Err(CogError::Unavailable(format!("{}: HTTP {s}", self.name))),
            s => return Err(CogError::Invalid(format!("{}: HTTP {s}", self.name))),
        }
        let start = response
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes "))
            .and_then(|v| v.split('-').next())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if start != Some(range.start) {
            return Err(CogError::Invalid(format!(
                "{}: the server answered another range than bytes {}-{}",
                self.name,
                range.start,
                range.end - 1
            )));
        }
        let mut body = response.bytes().await.map_err(|e| self.failed(e))?;
        body.truncate((range.end - range.start) as usize);
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hide_credentials_and_queries() {
        let url = Url::parse("https://user:secret@example.org/a/b.tif?X-Amz-Signature=abc").unwrap();
        assert_eq!(redacted(&url), "https://example.org/a/b.tif?…");
        let err = HttpReader::new("ftp://u:p@example.org/x.tif", Duration::from_secs(1)).err().unwrap();
        assert!(!err.to_string().contains("u:p@"), "{err}");
    }
}
