//! Tile requests, map and vector, answered before axum's router sees them.
//!
//! A cached tile is a hash lookup, yet through the router it cost about 51,000 instructions
//! (callgrind, release build): the path parameters were percent-decoded into five shared
//! strings, deserialized into five more, and the request went through a boxed, cloned service
//! per router layer, 59 allocations in all. nginx serves the same file in well under half that.
//! Matching the URL shapes of a tile by splitting its path, borrowing every segment from the
//! request, leaves the router to the documents, where its conveniences cost nothing that
//! matters.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, Caller};
use crate::services::{tiles, vtiles};

/// The segments of `/collections/{id}/map/tiles/{tms}/{z}/{row}/{col}`, still percent-encoded.
pub struct MapTilePath<'a> {
    pub collection: &'a str,
    pub tms: &'a str,
    pub z: &'a str,
    pub row: &'a str,
    pub col: &'a str,
}

impl<'a> MapTilePath<'a> {
    pub fn parse(path: &'a str) -> Option<MapTilePath<'a>> {
        let (collection, rest) = path.strip_prefix("/collections/")?.split_once('/')?;
        let [tms, z, row, col] = tile_segments(rest.strip_prefix("map/tiles/")?)?;
        (!collection.is_empty()).then_some(MapTilePath { collection, tms, z, row, col })
    }
}

/// The segments of a vector tile's path, still percent-encoded: `/tiles/{tms}/{z}/{row}/{col}`
/// (the dataset's tiles, `collection` none) or `/collections/{id}/tiles/{tms}/{z}/{row}/{col}`.
pub struct VectorTilePath<'a> {
    pub collection: Option<&'a str>,
    pub tms: &'a str,
    pub z: &'a str,
    pub row: &'a str,
    pub col: &'a str,
}

impl<'a> VectorTilePath<'a> {
    pub fn parse(path: &'a str) -> Option<VectorTilePath<'a>> {
        let (collection, rest) = match path.strip_prefix("/tiles/") {
            Some(rest) => (None, rest),
            None => {
                let (id, rest) = path.strip_prefix("/collections/")?.split_once('/')?;
                (Some(id), rest.strip_prefix("tiles/")?)
            }
        };
        let [tms, z, row, col] = tile_segments(rest)?;
        collection.is_none_or(|c| !c.is_empty()).then_some(VectorTilePath { collection, tms, z, row, col })
    }
}

/// `{tms}/{z}/{row}/{col}`: exactly four segments, none empty.
fn tile_segments(rest: &str) -> Option<[&str; 4]> {
    let mut s = rest.split('/');
    let segments = [s.next()?, s.next()?, s.next()?, s.next()?];
    (s.next().is_none() && segments.iter().all(|x| !x.is_empty())).then_some(segments)
}

/// A segment as the client meant it: borrowed unless it holds escapes.
pub fn decoded(segment: &str) -> Cow<'_, str> {
    if segment.contains('%') { percent_encoding::percent_decode_str(segment).decode_utf8_lossy() } else { Cow::Borrowed(segment) }
}

enum Shape<'a> {
    Map(MapTilePath<'a>),
    Vector(VectorTilePath<'a>),
}

/// A tile request checked against the registry, owning what its future needs.
enum Resolved {
    Map(tiles::MapTileAt),
    Vector(vtiles::VectorTileAt),
}

/// The answer to a tile request, or the request back when it is not one.
pub fn route(state: &AppState, req: Request<Body>) -> Result<impl Future<Output = Response> + Send + 'static, Request<Body>> {
    let path = req.uri().path();
    let Some(shape) = MapTilePath::parse(path).map(Shape::Map).or_else(|| VectorTilePath::parse(path).map(Shape::Vector)) else { return Err(req) };
    let resolved = if req.method() == Method::GET || req.method() == Method::HEAD {
        // The layers the access middleware let this caller see, like every face.
        let caller = Caller::of(state, req.extensions());
        let query = req.uri().query();
        match shape {
            Shape::Map(m) => tiles::resolve(&caller, &m, query, req.headers()).map(Resolved::Map),
            Shape::Vector(v) => vtiles::resolve(&caller, &v, query).map(Resolved::Vector),
        }
        .map_err(IntoResponse::into_response)
    } else {
        Err((StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET,HEAD")]).into_response())
    };
    let state = state.clone();
    let headers = req.into_parts().0.headers;
    Ok(async move {
        match resolved {
            Ok(Resolved::Map(tile)) => tiles::tile(&state, tile, &headers).await.unwrap_or_else(IntoResponse::into_response),
            Ok(Resolved::Vector(tile)) => vtiles::tile(&state, tile, &headers).await.unwrap_or_else(IntoResponse::into_response),
            Err(refused) => refused,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_tile_shape_matches() {
        let p = MapTilePath::parse("/collections/ortho/map/tiles/WebMercatorQuad/18/88180/133300").unwrap();
        assert_eq!((p.collection, p.tms, p.z, p.row, p.col), ("ortho", "WebMercatorQuad", "18", "88180", "133300"));
        for other in [
            "/collections/ortho/map/tiles/WebMercatorQuad",
            "/collections/ortho/map/tiles/WebMercatorQuad/18/1",
            "/collections/ortho/map/tiles/WebMercatorQuad/18/1/2/3",
            "/collections/ortho/tiles/WebMercatorQuad/18/1/2",
            "/collections//map/tiles/WebMercatorQuad/18/1/2",
            "/collections/ortho/map/tiles/WebMercatorQuad/18//2",
            "/tiles/WebMercatorQuad/18/1/2",
        ] {
            assert!(MapTilePath::parse(other).is_none(), "{other}");
        }
        assert!(VectorTilePath::parse("/collections/ortho/map/tiles/WebMercatorQuad/18/88180/133300").is_none());
        assert_eq!(decoded("ortho%20hd"), "ortho hd");
        assert!(matches!(decoded("ortho"), Cow::Borrowed("ortho")));
    }

    #[test]
    fn vector_tile_shapes_of_a_tileset_only() {
        let d = VectorTilePath::parse("/tiles/WebMercatorQuad/14/5510/8330").unwrap();
        assert_eq!((d.collection, d.tms, d.z, d.row, d.col), (None, "WebMercatorQuad", "14", "5510", "8330"));
        let c = VectorTilePath::parse("/collections/ocs2d/tiles/WebMercatorQuad/14/5510/8330").unwrap();
        assert_eq!((c.collection, c.tms, c.z, c.row, c.col), (Some("ocs2d"), "WebMercatorQuad", "14", "5510", "8330"));
        for other in [
            "/tiles",
            "/tiles/WebMercatorQuad",
            "/tiles/WebMercatorQuad/tilejson.json",
            "/tiles/WebMercatorQuad/xyz/metadata.json",
            "/tiles/WebMercatorQuad/xyz/14/8330/5510.pbf",
            "/tiles/WebMercatorQuad/14//8330",
            "/collections/ocs2d/tiles/WebMercatorQuad/style.json",
            "/collections/ocs2d/tiles/WebMercatorQuad/xyz/14/8330/5510",
            "/collections//tiles/WebMercatorQuad/14/5510/8330",
            "/collections/ocs2d/items/WebMercatorQuad/14/5510/8330",
            "/collections/ocs2d/map/tiles/WebMercatorQuad/14/5510/8330",
        ] {
            assert!(VectorTilePath::parse(other).is_none(), "{other}");
        }
    }
}
