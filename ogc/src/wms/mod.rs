//! WMS 1.3.0 and 1.1.1: KVP requests parsed to typed values, checked against the layer tree the
//! server publishes, the capabilities documents of both versions, and ServiceExceptionReports.
//!
//! Pure protocol: rendering, HTTP wiring and styles live elsewhere. The two versions differ in
//! ways clients notice, and each difference is handled in one place:
//!
//! - the CRS parameter is `CRS` in 1.3.0 and `SRS` in 1.1.1, and the BBOX of a geographic EPSG
//!   CRS (EPSG:4326) is latitude first in 1.3.0 but longitude first in 1.1.1 ([`request`]
//!   normalises every box to easting first, so the renderer never sees the difference);
//! - the pixel of GetFeatureInfo is `I`/`J` in 1.3.0 and `X`/`Y` in 1.1.1;
//! - exception and capabilities formats have different names ([`format`]), the CRS exception
//!   code is `InvalidCRS` or `InvalidSRS` ([`error`]);
//! - 1.3.0 documents are validated by XSD, 1.1.1 documents by DTD ([`capabilities`]).
//!
//! Vendor parameters follow GeoServer, which is what QGIS, MapStore and OpenLayers users send:
//! `DPI`/`MAP_RESOLUTION`/`FORMAT_OPTIONS=dpi:N` for HiDPI maps and `CQL_FILTER` (see
//! [`vendor`]).

pub mod capabilities;
mod check;
pub mod error;
pub mod format;
pub mod layer;
pub mod request;
pub mod time;
pub mod vendor;
pub mod version;

pub use capabilities::{Capabilities, Limits, capabilities, capabilities_1_1_1, capabilities_1_3_0};
pub use check::Resolved;
pub use error::{ExceptionCode, WmsError};
pub use format::{ExceptionFormat, InfoFormat, MapFormat};
pub use layer::{BoundingBox, Effective, LayerInfo, LegendUrl, MetadataType, MetadataUrl, Style, TimeDimension};
pub use request::{
    ErrorContext, GetCapabilities, GetFeatureInfo, GetLegendGraphic, GetMap, MapRequest, WmsRequest, parse_kvp,
    parse_kvp_with_axes,
};
pub use time::TimeValue;
pub use version::Version;

#[cfg(test)]
mod tests;
