//! Protocol faces: each turns its standard's requests into registry and source calls and encodes
//! the answers. No face reads data or renders by itself.

pub mod features;
pub mod ows;
pub mod wfs;
