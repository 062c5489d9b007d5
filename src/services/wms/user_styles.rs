//! Styles sent with a GetMap (SLD 1.0 / SLD 1.1 profile of WMS): `SLD_BODY`, the document
//! inline, or `SLD`, the URL of one. A `NamedLayer` gives the style of the layer of that name:
//! its `UserStyle` (checked as the layer's own style files are at start-up, so what the
//! renderer cannot draw is refused with the element named), or a `NamedStyle` naming one of the
//! layer's styles. Without LAYERS the document's named layers are the map's, in its order.
//!
//! `SLD` URLs are fetched with a size limit and a timeout, over http(s) only, and never from a
//! loopback, private or link-local address unless `server.limits.sld_private_addresses` allows it:
//! otherwise any client could make the server read its own network (an SSRF).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use ogc::style::{LayerKind, LayerStyle, StyledLayerDescriptor};
use ogc::wms::{ExceptionCode, GetMap, WmsError};

use super::Failure;
use crate::http::AppState;
use crate::registry::Layer;
use crate::styles::NamedStyle;

/// The largest SLD document fetched.
const MAX_BYTES: usize = 1 << 20;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The document a GetMap sends, parsed; `None` when it sends none. `locator` is the parameter
/// that carried it, for the exceptions it causes.
pub struct UserSld {
    sld: StyledLayerDescriptor,
    locator: &'static str,
}

pub async fn of_request(state: &AppState, m: &GetMap) -> Result<Option<UserSld>, Failure> {
    let (text, locator) = match (&m.map.sld, &m.map.sld_body) {
        (Some(url), _) => (fetch(url, state.limits.sld_private_addresses).await?, "SLD"),
        (None, Some(body)) => (body.clone(), "SLD_BODY"),
        (None, None) => return Ok(None),
    };
    let sld = ogc::style::parse(&text).map_err(|e| WmsError::invalid(locator, e.to_string()))?;
    if let Some(l) = sld.layers.iter().find(|l| l.kind == LayerKind::User) {
        return Err(WmsError::invalid(locator, format!("UserLayer '{}': only NamedLayer is supported (the server's layers, styled)", l.name.as_deref().unwrap_or(""))).into());
    }
    Ok(Some(UserSld { sld, locator }))
}

impl UserSld {
    /// The layers the document names, in its order (the map's layers when LAYERS is absent).
    pub fn layer_names(&self) -> Vec<String> {
        self.sld.layers.iter().filter_map(|l| l.name.clone()).collect()
    }

    /// The style the document gives a vector layer, `None` when it does not name the layer
    /// (the layer is drawn with STYLES then).
    pub fn style_for(&self, layer: &Layer) -> Result<Option<Arc<NamedStyle>>, WmsError> {
        let Some(named) = self.sld.layers.iter().find(|l| l.name.as_deref() == Some(layer.id.as_str())) else { return Ok(None) };
        let at = |m: String| WmsError::invalid(self.locator, format!("NamedLayer '{}': {m}", layer.id));
        match named.styles.first() {
            None => Err(at("no UserStyle or NamedStyle".into())),
            Some(LayerStyle::Named(name)) => layer
                .styles
                .get(name)
                .cloned()
                .map(Some)
                .ok_or_else(|| WmsError::new(ExceptionCode::StyleNotDefined, self.locator, format!("layer '{}' has no style '{name}'", layer.id))),
            Some(LayerStyle::User(user)) => crate::styles::user_style(user.clone(), &layer.table).map(|s| Some(Arc::new(s))).map_err(at),
        }
    }

    /// Whether the document styles `name`, which imagery cannot take.
    pub fn names(&self, name: &str) -> bool {
        self.sld.layers.iter().any(|l| l.name.as_deref() == Some(name))
    }

    pub fn locator(&self) -> &'static str {
        self.locator
    }
}

/// The document at `url`: http(s) only, at most [`MAX_BYTES`], within [`FETCH_TIMEOUT`], from a
/// public address unless `private` (the address is resolved once and the connection pinned to
/// it, so a second DNS answer cannot point elsewhere; redirects are not followed for the same
/// reason).
async fn fetch(url: &str, private: bool) -> Result<String, WmsError> {
    let fail = |m: String| WmsError::invalid("SLD", m);
    let parsed = reqwest::Url::parse(url).map_err(|e| fail(format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(fail(format!("only http and https SLD URLs are read, not {}:", parsed.scheme())));
    }
    let host = parsed.host_str().ok_or_else(|| fail("the URL has no host".into()))?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let lookup = tokio::time::timeout(FETCH_TIMEOUT, tokio::net::lookup_host((host.trim_start_matches('[').trim_end_matches(']'), port)));
    let addresses: Vec<_> = lookup.await.map_err(|_| fail(format!("{host}: name lookup timed out")))?.map_err(|e| fail(format!("{host}: {e}")))?.collect();
    let address = addresses.first().copied().ok_or_else(|| fail(format!("{host}: no address")))?;
    if !private && addresses.iter().any(|a| !is_public(a.ip())) {
        return Err(fail(format!("{host} is a loopback, private or link-local address; SLD documents are read from public servers only")));
    }
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, address)
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let mut response = client.get(parsed).send().await.map_err(|e| fail(format!("could not be read: {e}")))?;
    if !response.status().is_success() {
        return Err(fail(format!("the server answered {}", response.status())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fail(format!("could not be read: {e}")))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err(fail(format!("the document is larger than {MAX_BYTES} bytes")));
        }
    }
    String::from_utf8(body).map_err(|_| fail("the document is not UTF-8 text".into()))
}

/// Whether an address is reachable from the internet at large: not loopback, private,
/// link-local, unique-local, shared (CGNAT), unspecified, broadcast or documentation.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || v4.is_documentation() || a == 0 || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for a in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1"] {
            assert!(!is_public(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "193.51.24.1", "2001:4860:4860::8888"] {
            assert!(is_public(a.parse().unwrap()), "{a}");
        }
    }
}
