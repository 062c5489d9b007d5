//! OGC API - Tiles for the vector layers: tilesets per collection
//! (`/collections/{id}/tiles/...`) and for the whole dataset (`/tiles/...`, every layer or
//! those of `collections`), their metadata, TileJSON, and the MVT tiles themselves.
//!
//! A tile with no feature is `204 No Content` (OGC API - Tiles allows it, and clients then
//! draw nothing without decoding); a tile outside the matrix, the layers' zooms or their
//! extent is `404`.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ogc::features::JSON;
use ogc::tiles::{DataType, TileFormat, TileJson, TileSet, VectorLayer};
use ogc::tms::TileMatrixSet;

use super::features::json_response;
use super::maptiles::not_modified;
use crate::error::ServiceError;
use crate::http::hot::{VectorTilePath, decoded};
use crate::http::{AppState, Caller};
use crate::registry::Layer;
use crate::vtiles::{self, VectorTile, VectorTileError};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/collections/{id}/tiles", get(collection_tilesets))
        .route("/collections/{id}/tiles/{tms}", get(collection_tileset))
        .route("/collections/{id}/tiles/{tms}/tilejson.json", get(collection_tilejson))
        .route("/collections/{id}/tiles/{tms}/style.json", get(collection_style))
        .route("/tiles", get(dataset_tilesets))
        .route("/tiles/{tms}", get(dataset_tileset))
        .route("/tiles/{tms}/tilejson.json", get(dataset_tilejson))
        // The TileJSON again where a tile directory keeps its metadata (see `xyz_coordinates`).
        .route("/collections/{id}/tiles/{tms}/xyz/metadata.json", get(collection_tilejson))
        .route("/tiles/{tms}/xyz/metadata.json", get(dataset_tilejson))
}


/// The tile directory's tiles, outside the compression layer: they are stored gzipped and
/// sent as stored. The tileset's tiles go past the router (`crate::http::hot`, `resolve`).
pub fn tile_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/collections/{id}/tiles/{tms}/xyz/{z}/{x}/{y}", get(collection_xyz_tile))
        .route("/tiles/{tms}/xyz/{z}/{x}/{y}", get(dataset_xyz_tile))
}

fn set(tms: &str) -> Result<&'static TileMatrixSet, ServiceError> {
    vtiles::tile_matrix_sets().iter().find(|s| s.id == tms).ok_or_else(|| {
        let ids: Vec<&str> = vtiles::tile_matrix_sets().iter().map(|s| s.id.as_str()).collect();
        ServiceError::NotFound(format!("no vector tileset in '{tms}' ({})", ids.join(", ")))
    })
}

fn layer<'a>(state: &'a Caller, id: &str) -> Result<&'a Arc<Layer>, ServiceError> {
    state.view.layer(id).ok_or_else(|| ServiceError::NotFound(format!("no collection '{id}' with vector tiles")))
}

/// The layers a dataset request names in `collections` (all of them when absent), in the
/// registry's order; other parameters are refused.
fn dataset_layers(state: &Caller, query: Option<&str>, allowed: &[&str]) -> Result<Vec<Arc<Layer>>, ServiceError> {
    let mut wanted: Option<Vec<String>> = None;
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "collections" => wanted = Some(v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()),
            k if allowed.contains(&k) => {}
            _ => return Err(ServiceError::param(&k, "unknown parameter")),
        }
    }
    let Some(wanted) = wanted else { return Ok(state.view.layers.clone()) };
    if let Some(bad) = wanted.iter().find(|w| state.view.layer(w).is_none()) {
        return Err(ServiceError::param("collections", format!("no collection '{bad}' with vector tiles")));
    }
    Ok(state.view.layers.iter().filter(|l| wanted.contains(&l.id)).cloned().collect())
}

struct Described {
    href: String,
    geodata: Option<String>,
    layers: Vec<VectorLayer>,
    limits: Vec<ogc::tms::TileMatrixLimits>,
    bbox: Option<ogc::bbox::Bbox>,
}

/// What a tileset document of `layers` on `set` says, at `href`.
fn describe(layers: &[Arc<Layer>], set: &TileMatrixSet, href: String, geodata: Option<String>) -> Described {
    let mut limits: Vec<ogc::tms::TileMatrixLimits> = Vec::new();
    for l in layers {
        for lim in vtiles::limits(l, set) {
            match limits.iter_mut().find(|x| x.tile_matrix == lim.tile_matrix) {
                Some(x) => {
                    x.min_row = x.min_row.min(lim.min_row);
                    x.max_row = x.max_row.max(lim.max_row);
                    x.min_col = x.min_col.min(lim.min_col);
                    x.max_col = x.max_col.max(lim.max_col);
                }
                None => limits.push(lim),
            }
        }
    }
    limits.sort_by_key(|l| set.matrix(&l.tile_matrix).map_or(0, |(z, _)| z));
    let bbox = layers.iter().filter_map(|l| vtiles::extent_in(l, set)).reduce(|a, b| a.union(&b));
    Described { href, geodata, layers: layers.iter().map(|l| vtiles::describe(l, set)).collect(), limits, bbox }
}

fn tileset_of<'a>(title: &'a str, description: &'a str, set: &'a TileMatrixSet, d: &'a Described) -> TileSet<'a> {
    TileSet {
        title,
        description,
        data_type: DataType::Vector,
        tms: set,
        href: &d.href,
        formats: &[TileFormat::Mvt],
        limits: &d.limits,
        bbox: d.bbox,
        geodata: d.geodata.as_deref(),
        attribution: "",
        layers: &d.layers,
    }
}

fn collection_href(state: &Caller, id: &str) -> String {
    format!("{}/collections/{id}/tiles", state.base)
}

async fn collection_tilesets(state: Caller, Path(id): Path<String>) -> Result<Response, ServiceError> {
    let l = layer(&state, &id)?;
    let sets = vtiles::tile_matrix_sets();
    let href = collection_href(&state, &id);
    let described: Vec<Described> = sets.iter().map(|s| describe(std::slice::from_ref(l), s, format!("{href}/{}", s.id), None)).collect();
    let items: Vec<TileSet> = sets.iter().zip(&described).map(|(s, d)| tileset_of(&l.title, &l.description, s, d)).collect();
    Ok(json_response(&ogc::tiles::tilesets(&state.base, &href, &items), JSON))
}

async fn collection_tileset(state: Caller, Path((id, tms)): Path<(String, String)>) -> Result<Response, ServiceError> {
    let l = layer(&state, &id)?;
    let set = set(&tms)?;
    let geodata = format!("{}/collections/{id}", state.base);
    let d = describe(std::slice::from_ref(l), &set, format!("{}/{tms}", collection_href(&state, &id)), Some(geodata));
    Ok(json_response(&ogc::tiles::tileset(&state.base, &tileset_of(&l.title, &l.description, &set, &d)), JSON))
}

async fn dataset_tilesets(state: Caller, RawQuery(q): RawQuery) -> Result<Response, ServiceError> {
    let layers = dataset_layers(&state, q.as_deref(), &["f"])?;
    let sets = vtiles::tile_matrix_sets();
    let href = format!("{}/tiles", state.base);
    let described: Vec<Described> = sets.iter().map(|s| describe(&layers, s, format!("{href}/{}", s.id), None)).collect();
    let title = super::service_metadata(&state).title;
    let items: Vec<TileSet> = sets.iter().zip(&described).map(|(s, d)| tileset_of(&title, "", s, d)).collect();
    Ok(json_response(&ogc::tiles::tilesets(&state.base, &href, &items), JSON))
}

async fn dataset_tileset(state: Caller, Path(tms): Path<String>, RawQuery(q): RawQuery) -> Result<Response, ServiceError> {
    let layers = dataset_layers(&state, q.as_deref(), &["f"])?;
    let set = set(&tms)?;
    let d = describe(&layers, &set, format!("{}/tiles/{tms}", state.base), None);
    let title = super::service_metadata(&state).title;
    Ok(json_response(&ogc::tiles::tileset(&state.base, &tileset_of(&title, "", &set, &d)), JSON))
}

/// TileJSON of a WebMercatorQuad tileset (the only grid XYZ clients know).
fn tilejson(layers: &[Arc<Layer>], tms: &str, name: &str, description: &str, tileset_href: &str, query: &str) -> Result<Response, ServiceError> {
    let set = set(tms)?;
    if set.id != ogc::tms::WEB_MERCATOR_QUAD {
        return Err(ServiceError::NotFound(format!("TileJSON describes XYZ tiles, which are WebMercatorQuad tiles, not {tms}")));
    }
    let d = describe(layers, &set, tileset_href.to_string(), None);
    let tiles = [format!("{}{query}", ogc::tiles::xyz_template(tileset_href, TileFormat::Mvt))];
    let zooms = || d.layers.iter().filter_map(|l| l.minzoom.zip(l.maxzoom));
    let bounds = layers.iter().filter_map(|l| l.extent).reduce(|a, b| a.union(&b));
    let doc = ogc::tiles::tilejson(&TileJson {
        name,
        description,
        attribution: "",
        tiles: &tiles,
        minzoom: zooms().map(|z| z.0).min().unwrap_or(0),
        maxzoom: zooms().map(|z| z.1).max().unwrap_or(0),
        bounds,
        vector_layers: Some(&d.layers),
    });
    Ok(json_response(&doc, "application/json"))
}

async fn collection_tilejson(state: Caller, Path((id, tms)): Path<(String, String)>) -> Result<Response, ServiceError> {
    let l = layer(&state, &id)?;
    let href = format!("{}/{tms}", collection_href(&state, &id));
    tilejson(std::slice::from_ref(l), &tms, &l.title, &l.description, &href, "")
}

async fn dataset_tilejson(state: Caller, Path(tms): Path<String>, RawQuery(q): RawQuery) -> Result<Response, ServiceError> {
    let layers = dataset_layers(&state, q.as_deref(), &["f"])?;
    let href = format!("{}/tiles/{tms}", state.base);
    // The tile URLs keep the layer selection.
    let selection = match q.as_deref().map(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "collections")) {
        Some(Some((_, v))) => format!("&collections={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()),
        _ => String::new(),
    };
    let title = super::service_metadata(&state).title;
    tilejson(&layers, &tms, &title, "", &href, &selection)
}

/// The layer's MapLibre style over its WebMercatorQuad tiles, generated from its default style
/// (its first SLD, else the plain style for its geometry type). A style MapLibre cannot be told
/// (labels, property-driven values...) gives the plain style instead, and the document says why
/// in its `metadata`, so a viewer is never handed a style that draws something else unsaid.
async fn collection_style(state: Caller, Path((id, tms)): Path<(String, String)>) -> Result<Response, ServiceError> {
    let l = layer(&state, &id)?;
    if set(&tms)?.id != ogc::tms::WEB_MERCATOR_QUAD {
        return Err(ServiceError::NotFound(format!("MapLibre styles draw WebMercatorQuad tiles, not {tms}")));
    }
    let tilejson = format!("{}/{tms}/tilejson.json", collection_href(&state, &id));
    let source = ogc::style::maplibre::Source { tilejson: &tilejson, source_layer: &l.id };
    let styled = l.styles.styles.first().map(|s| &s.style);
    let doc = match styled.map(|user| ogc::style::maplibre::style(user, &l.title, &source)) {
        Some(Ok(doc)) => doc,
        refused => {
            let plain = crate::styles::plain(&l.table.geometry_type);
            let mut doc = ogc::style::maplibre::style(&plain.style, &l.title, &source)
                .map_err(|e| ServiceError::Source(crate::source::SourceError::Internal(anyhow::anyhow!("plain style of {id}: {e}"))))?;
            if let Some(Err(why)) = refused {
                doc["metadata"] = serde_json::json!({ "ossature:plain-style-because": format!("the layer's style cannot be written for MapLibre: {why}") });
            }
            doc
        }
    };
    Ok(json_response(&doc, "application/vnd.mapbox.style+json"))
}

/// `f`, when given, must name MVT.
fn check_format(query: Option<&str>, allowed: &[&str]) -> Result<(), ServiceError> {
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "f" if TileFormat::from_extension(&v).or_else(|| TileFormat::from_media_type(&v)) == Some(TileFormat::Mvt) => {}
            "f" => return Err(ServiceError::param("f", format!("'{v}' is not a format of this tileset (mvt)"))),
            k if allowed.contains(&k) => {}
            _ => return Err(ServiceError::param(&k, "unknown parameter")),
        }
    }
    Ok(())
}

fn tile_coordinates(set: &TileMatrixSet, z: &str, row: &str, col: &str) -> Result<(usize, u32, u32), ServiceError> {
    let number = |s: &str, what: &str| s.parse::<u32>().map_err(|_| ServiceError::NotFound(format!("'{s}' is not a tile {what}")));
    let (z, _) = set.matrix(z).ok_or_else(|| ServiceError::NotFound(format!("tile matrix set {} has no tile matrix '{z}'", set.id)))?;
    Ok((z, number(row, "row")?, number(col, "column")?))
}

/// A WebMercatorQuad tileset is also laid out as a tile directory, `xyz/{z}/{x}/{y}.pbf` beside
/// `xyz/metadata.json`: the layout tippecanoe writes and GDAL's MVT driver reads
/// (`MVT:<tileset>/xyz/<z>` opens a zoom level). That driver (3.6) neither opens a TileJSON nor
/// takes a URL template, and the OGC path puts the row (y) before the column (x). These are the
/// coordinates of such a tile (`y` may carry the `.pbf` or `.mvt` extension).
fn xyz_coordinates(tms: &str, z: &str, x: &str, y: &str) -> Result<(&'static TileMatrixSet, (usize, u32, u32)), ServiceError> {
    let set = set(tms)?;
    if set.id != ogc::tms::WEB_MERCATOR_QUAD {
        return Err(ServiceError::NotFound(format!("the xyz tile directory is WebMercatorQuad's, not {tms}")));
    }
    let row = y.strip_suffix(".pbf").or_else(|| y.strip_suffix(".mvt")).unwrap_or(y);
    Ok((set, tile_coordinates(set, z, row, x)?))
}

async fn collection_xyz_tile(state: Caller, Path((id, tms, z, x, y)): Path<(String, String, String, String, String)>, request: Request) -> Result<Response, ServiceError> {
    let l = layer(&state, &id)?;
    check_format(request.uri().query(), &[])?;
    let (set, at) = xyz_coordinates(&tms, &z, &x, &y)?;
    serve(&state, std::slice::from_ref(l), set, at, request.headers(), OutsideData::Empty).await
}

async fn dataset_xyz_tile(state: Caller, Path((tms, z, x, y)): Path<(String, String, String, String)>, request: Request) -> Result<Response, ServiceError> {
    let query = request.uri().query();
    let layers = dataset_layers(&state, query, &["f"])?;
    check_format(query, &["collections"])?;
    let (set, at) = xyz_coordinates(&tms, &z, &x, &y)?;
    serve(&state, &layers, set, at, request.headers(), OutsideData::Empty).await
}

/// How a tile outside the data is answered: `404` in a tileset (it is outside the limits the
/// tileset document gives), `204` in a tile directory, where every tile of a level exists
/// (GDAL computes the tiles of a level from the metadata's bounds, rounded outwards, and stops
/// reading at the first 404).
#[derive(Clone, Copy, PartialEq)]
enum OutsideData {
    NotFound,
    Empty,
}

async fn serve(state: &AppState, layers: &[Arc<Layer>], set: &TileMatrixSet, at: (usize, u32, u32), headers: &HeaderMap, outside: OutsideData) -> Result<Response, ServiceError> {
    match vtiles::tile(&state.registry, layers, set, at).await {
        Ok(tile) => Ok(response(&tile, &state.tile_cache_control, headers)),
        Err(VectorTileError::OutsideData(_)) if outside == OutsideData::Empty => Ok(response(&VectorTile::empty(), &state.tile_cache_control, headers)),
        Err(VectorTileError::OutOfRange(m) | VectorTileError::OutsideData(m)) => Err(ServiceError::NotFound(m)),
        Err(VectorTileError::Source(e)) => Err(ServiceError::Source(e)),
    }
}

/// A tileset's tile request checked against the registry (see `resolve`).
pub struct VectorTileAt {
    layers: Vec<Arc<Layer>>,
    set: &'static TileMatrixSet,
    at: (usize, u32, u32),
}

/// `crate::http::hot` routes the tiles of a collection's or the dataset's tileset here, past the
/// router.
pub fn resolve(state: &Caller, path: &VectorTilePath, query: Option<&str>) -> Result<VectorTileAt, ServiceError> {
    let layers = match path.collection {
        Some(id) => {
            let l = layer(state, &decoded(id))?.clone();
            check_format(query, &[])?;
            vec![l]
        }
        None => {
            let layers = dataset_layers(state, query, &["f"])?;
            check_format(query, &["collections"])?;
            layers
        }
    };
    let set = set(&decoded(path.tms))?;
    let at = tile_coordinates(set, &decoded(path.z), &decoded(path.row), &decoded(path.col))?;
    Ok(VectorTileAt { layers, set, at })
}

pub async fn tile(state: &AppState, t: VectorTileAt, headers: &HeaderMap) -> Result<Response, ServiceError> {
    serve(state, &t.layers, t.set, t.at, headers, OutsideData::NotFound).await
}

/// A vector tile as the client can take it: gzipped when it accepts gzip, as encoded
/// otherwise; `204` for a tile without features; `304` when its copy is current. The two
/// encodings have distinct validators, as RFC 9110 wants of representations that differ.
pub fn response(vector: &VectorTile, cache_control: &HeaderValue, request: &HeaderMap) -> Response {
    let tile = &vector.tile;
    let gzip = accepts_gzip(request);
    let etag = if gzip || tile.bytes.is_empty() {
        tile.etag.clone()
    } else {
        let tag = tile.etag.to_str().unwrap_or("\"\"").trim_end_matches('"');
        HeaderValue::from_str(&format!("{tag}-identity\"")).unwrap_or_else(|_| tile.etag.clone())
    };
    let mut res = if not_modified(&etag, request) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if tile.bytes.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else if gzip {
        let mut res = vector.gzip_body().into_response();
        res.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        res
    } else {
        match vector.identity_body() {
            Ok(raw) => raw.into_response(),
            Err(e) => return ServiceError::Source(crate::source::SourceError::Internal(e.into())).into_response(),
        }
    };
    let ok = res.status() == StatusCode::OK;
    let h = res.headers_mut();
    if ok {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(TileFormat::Mvt.media_type()));
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::ETAG, etag);
    h.insert(header::CACHE_CONTROL, cache_control.clone());
    res
}

/// Whether `Accept-Encoding` admits gzip (listed without `q=0`, or `*`).
fn accepts_gzip(request: &HeaderMap) -> bool {
    request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()) == Some(0.0));
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}
