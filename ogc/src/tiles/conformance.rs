//! Conformance class URIs the server adds to `/conformance` for what its tiles faces serve.
//!
//! The draft class `.../ogcapi-tiles-1/1.0/conf/tmxs` that pre-1.0 servers declared is not
//! here: 1.0 dropped it, and tile matrix set limits are declared through the TMS 2.0
//! classes below.

/// Tiles at `{tileset}/{tileMatrix}/{tileRow}/{tileCol}`.
pub const CORE: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core";
/// A tileset metadata document per tileset.
pub const TILESET: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset";
/// Lists of tilesets (`.../tiles`).
pub const TILESETS_LIST: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list";
/// Tilesets per collection (`/collections/{id}/map/tiles`, `/collections/{id}/tiles`).
pub const GEODATA_TILESETS: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets";
/// Tilesets of the whole dataset (`/map/tiles`, `/tiles`).
pub const DATASET_TILESETS: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets";
/// The `collections` parameter on dataset tilesets.
pub const GEODATA_SELECTION: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-selection";
pub const PNG: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png";
pub const JPEG: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/jpeg";
pub const MVT: &str = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt";

/// OGC 2D Tile Matrix Set 2.0: the tile matrix set model and its JSON encoding
/// (`/tileMatrixSets/{id}`).
pub const TMS_TILEMATRIXSET: &str = "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset";
pub const TMS_JSON_TILEMATRIXSET: &str = "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset";
/// TileMatrixSetLimits in tileset metadata, and their JSON encoding.
pub const TMS_TILEMATRIXSETLIMITS: &str = "http://www.opengis.net/spec/tms/2.0/conf/tilematrixsetlimits";
pub const TMS_JSON_TILEMATRIXSETLIMITS: &str = "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixsetlimits";
/// Tileset metadata, and its JSON encoding.
pub const TMS_TILESETMETADATA: &str = "http://www.opengis.net/spec/tms/2.0/conf/tilesetmetadata";
pub const TMS_JSON_TILESETMETADATA: &str = "http://www.opengis.net/spec/tms/2.0/conf/json-tilesetmetadata";

/// Everything the documents of [`super::documents`] and [`crate::tms::json`] conform to, for a
/// server offering raster map tiles per collection.
pub const MAP_TILES: &[&str] = &[
    CORE,
    TILESET,
    TILESETS_LIST,
    GEODATA_TILESETS,
    PNG,
    JPEG,
    TMS_TILEMATRIXSET,
    TMS_JSON_TILEMATRIXSET,
    TMS_TILEMATRIXSETLIMITS,
    TMS_JSON_TILEMATRIXSETLIMITS,
    TMS_TILESETMETADATA,
    TMS_JSON_TILESETMETADATA,
];

/// Everything the vector tilesets conform to: MVT tiles per collection and for the whole
/// dataset (`/tiles`, with the `collections` parameter choosing layers), and the same
/// tileset and tile matrix set documents as [`MAP_TILES`].
pub const VECTOR_TILES: &[&str] = &[
    CORE,
    TILESET,
    TILESETS_LIST,
    GEODATA_TILESETS,
    DATASET_TILESETS,
    GEODATA_SELECTION,
    MVT,
    TMS_TILEMATRIXSET,
    TMS_JSON_TILEMATRIXSET,
    TMS_TILEMATRIXSETLIMITS,
    TMS_JSON_TILEMATRIXSETLIMITS,
    TMS_TILESETMETADATA,
    TMS_JSON_TILESETMETADATA,
];
