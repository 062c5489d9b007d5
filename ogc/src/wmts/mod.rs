//! WMTS 1.0.0, KVP and RESTful: requests parsed to typed values, the capabilities document,
//! and exception reports with the HTTP status the standard pairs with each code.
//!
//! REST resources hang below the WMTS root (`<base>/wmts`):
//! `1.0.0/WMTSCapabilities.xml`, `{layer}/{style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.{ext}`
//! and `{layer}/{style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}/{J}/{I}.{infoext}`.
//! Tile matrix sets are the ones of [`crate::tms`], including their `@2x` variants.

pub mod capabilities;
mod check;
mod error;
pub mod request;

pub use capabilities::{Capabilities, Layer, LegendUrl, Style, TileMatrixSetLink, wmts_1_0_0};
pub use check::Located;
pub use error::{ExceptionCode, WmtsError};
pub use request::{GetFeatureInfo, GetTile, REST_CAPABILITIES, TileAddress, WmtsRequest, parse_kvp, parse_rest};

#[cfg(test)]
mod tests;
