//! OGC API - Tiles 1.0: tileset documents, the conformance classes, and TileJSON 3.0 for the
//! XYZ clients (MapLibre, Leaflet plug-ins) that read it instead.
//!
//! Tile URLs follow the OGC API path `{tileset}/{tileMatrix}/{tileRow}/{tileCol}` with the
//! format as `?f=png|jpg|webp|mvt`, so one tileset resource serves every format it lists.

pub mod conformance;
pub mod documents;
mod format;
pub mod openapi;
pub mod tilejson;

#[cfg(test)]
mod tests;

pub use documents::{DataType, TileSet, map_collection, tile_template, tileset, tilesets};
pub use format::TileFormat;
pub use tilejson::{TileJson, VectorLayer, tilejson, xyz_template};
