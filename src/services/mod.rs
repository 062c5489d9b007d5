//! Protocol faces: each turns its standard's requests into registry and source calls and encodes
//! the answers. No face reads data or renders by itself.

pub mod csw;
pub mod feature_info;
pub mod features;
pub mod maptiles;
pub mod ows;
pub mod pixel_info;
pub mod records;
pub mod tiles;
pub mod vtiles;
pub mod wfs;
pub mod wms;
pub mod wmts;

/// The service metadata every capabilities document starts with, from the configuration.
pub fn service_metadata(state: &crate::http::AppState) -> ogc::ows::ServiceMetadata {
    let s = &state.service;
    let provider = s.provider.clone().unwrap_or_default();
    ogc::ows::ServiceMetadata {
        title: s.title.clone().unwrap_or_else(|| "Ossature".into()),
        abstract_: s.abstract_.clone().unwrap_or_default(),
        keywords: s.keywords.clone().unwrap_or_default(),
        fees: s.fees.clone().unwrap_or_else(|| "none".into()),
        access_constraints: s.access_constraints.clone().unwrap_or_else(|| "none".into()),
        provider_name: provider.name.unwrap_or_default(),
        provider_url: provider.url.unwrap_or_default(),
        contact_name: provider.contact_name.unwrap_or_default(),
        contact_email: provider.contact_email.unwrap_or_default(),
    }
}
