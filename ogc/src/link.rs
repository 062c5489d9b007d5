//! Web links (RFC 8288) as OGC API documents carry them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Link {
    pub href: String,
    pub rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Link {
    pub fn new(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Link {
        Link {
            href: href.into(),
            rel: rel.to_string(),
            media_type: (!media_type.is_empty()).then(|| media_type.to_string()),
            title: (!title.is_empty()).then(|| title.to_string()),
        }
    }
}
