//! Ossature: one server for WMS, WMTS, WFS, OGC API and CSW over PostGIS, GeoPackage and COG.
//!
//! Layout: `config` (the TOML file) → `registry` (layers built once) → `source` (data access
//! behind the `VectorSource` trait) and `crs` (transformations); `services` holds one module
//! per protocol face, `edit` the transactions both editing faces share, `http` the server and its middleware, `error` the mapping of failures
//! to the standards' error responses.

pub mod access;
pub mod bind;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod crs;
pub mod edit;
pub mod error;
pub mod http;
pub mod raster;
pub mod registry;
pub mod render;
pub mod services;
pub mod source;
pub mod styles;
pub mod tiles;
pub mod vtiles;
