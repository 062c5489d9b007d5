//! The OGC standards Ossature speaks, kept pure: no I/O, no async runtime, no database.
//!
//! Everything here turns request text into typed values or typed values into documents, so it
//! can be unit-tested and fuzzed in isolation and shared by every protocol face of the server.

pub mod bbox;
pub mod crs;
pub mod csw;
pub mod datetime;
pub mod features;
pub mod filter;
pub mod geojson;
pub mod gml;
pub mod link;
mod number;
pub mod ows;
pub mod problem;
pub mod records;
pub mod style;
pub mod tiles;
pub mod tms;
pub mod value;
pub mod wfs;
pub mod wms;
pub mod wmts;
