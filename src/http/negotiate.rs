//! Content negotiation: the `f` parameter wins, then the Accept header, then JSON.

use axum::http::{HeaderMap, header};

use crate::error::ServiceError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

pub fn negotiate(f: Option<&str>, headers: &HeaderMap) -> Result<Format, ServiceError> {
    if let Some(f) = f {
        return match f.to_ascii_lowercase().as_str() {
            "json" | "geojson" | "application/json" | "application/geo+json" => Ok(Format::Json),
            "html" | "text/html" => Ok(Format::Html),
            _ => Err(ServiceError::param("f", format!("'{f}' is not an available format (json, html)"))),
        };
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    Ok(from_accept(accept))
}

/// Picks HTML only when the client prefers it to every JSON type (browsers), JSON otherwise.
fn from_accept(accept: &str) -> Format {
    let mut html = 0.0f32;
    let mut json = 0.0f32;
    for part in accept.split(',') {
        let mut items = part.split(';');
        let media = items.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = items
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            m if m.ends_with("json") => json = json.max(q),
            _ => {}
        }
    }
    if html > json { Format::Html } else { Format::Json }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_html_clients_get_json() {
        assert_eq!(from_accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), Format::Html);
        assert_eq!(from_accept("application/geo+json, application/json;q=0.9"), Format::Json);
        assert_eq!(from_accept(""), Format::Json);
        assert_eq!(from_accept("*/*"), Format::Json);
        assert_eq!(from_accept("text/html;q=0.5, application/json"), Format::Json);
    }

    #[test]
    fn f_wins_and_is_checked() {
        let h = HeaderMap::new();
        assert_eq!(negotiate(Some("html"), &h).unwrap(), Format::Html);
        assert!(negotiate(Some("xml"), &h).is_err());
    }
}
