//! Tiles: the cache every tile face shares and the image encoders.

pub mod cache;
pub mod disk;
pub mod encode;
pub mod seed;

pub use cache::{Tile, TileCache, TileKey};
