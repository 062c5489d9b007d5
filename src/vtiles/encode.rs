//! MVT 2.1 encoding in Rust, for sources that cannot encode tiles themselves (GeoPackage).
//!
//! The steps follow PostGIS's `ST_AsMVTGeom`, so that a layer served from either source gives
//! the same tile: geometries smaller than half a tile unit are dropped, the rest are mapped
//! to tile coordinates (y down), simplified, clipped to the tile plus its buffer, snapped to
//! the integer grid, rid of collapsed parts, and oriented as the specification wants
//! (exterior rings of positive area in tile coordinates, holes negative).

use geo::{BooleanOps, BoundingRect, Orient, Simplify, orient::Direction};
use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Polygon, Rect};
use geozero::ToMvt;
use geozero::mvt::{TagsBuilder, TileValue, tile};
use ogc::bbox::Bbox;
use ogc::value::Value;

use crate::crs::Transform;
use crate::source::Feature;

/// Where a layer's features land: the tile's ground (in the tile matrix set's CRS, easting
/// first) and the grid they are snapped to.
#[derive(Clone, Debug)]
pub struct Frame {
    pub bbox: Bbox,
    pub extent: u32,
    pub buffer: u32,
    /// Douglas-Peucker tolerance in tile units.
    pub simplify: f64,
}

/// The MVT value of an attribute, typed as `ST_AsMVT` types the same column (non-negative
/// integers unsigned, dates as ISO 8601 text); `None` for a null, which MVT leaves out.
pub fn tile_value(v: &Value) -> Option<TileValue> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => TileValue::Bool(*b),
        Value::Int(i) if *i >= 0 => TileValue::Uint(*i as u64),
        Value::Int(i) => TileValue::Sint(*i),
        Value::Float(f) => TileValue::Double(*f),
        Value::Text(s) => TileValue::Str(s.clone()),
        Value::Date(d) => TileValue::Str(d.format("%Y-%m-%d").to_string()),
        Value::DateTime(t) => TileValue::Str(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
    })
}

/// One MVT layer from features read in the storage CRS; `None` when no feature is left in
/// the tile (an empty layer is left out of the tile, as `ST_AsMVT` does).
/// `fields` are the names of the features' properties to keep, with their positions.
pub fn layer(name: &str, features: &[Feature], fields: &[(String, usize)], to_tile_crs: &Transform, frame: &Frame) -> Option<tile::Layer> {
    let mut tags = TagsBuilder::new();
    let mut out = Vec::new();
    for f in features {
        let Some(g) = f.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok()) else { continue };
        let g = geo_traits::to_geo::ToGeoGeometry::to_geometry(&g);
        let Some(g) = to_tile(&g, to_tile_crs, frame) else { continue };
        let Ok(mut feature) = g.to_mvt_unscaled() else { continue };
        feature.id = match &f.id {
            Some(Value::Int(i)) if *i >= 0 => Some(*i as u64),
            _ => None,
        };
        for (key, i) in fields {
            if let Some(v) = f.properties.get(*i).and_then(tile_value) {
                let (k, v) = tags.insert_ref(key, v);
                feature.tags.extend([k, v]);
            }
        }
        out.push(feature);
    }
    if out.is_empty() {
        return None;
    }
    let (keys, values) = tags.into_tags();
    Some(tile::Layer {
        version: 2,
        name: name.to_string(),
        features: out,
        keys,
        values: values.into_iter().map(Into::into).collect(),
        extent: Some(frame.extent),
    })
}

/// A geometry in integer tile coordinates, or `None` when nothing of it shows in the tile.
fn to_tile(g: &Geometry<f64>, t: &Transform, frame: &Frame) -> Option<Geometry<f64>> {
    let sx = f64::from(frame.extent) / (frame.bbox.max_x - frame.bbox.min_x);
    let sy = f64::from(frame.extent) / (frame.bbox.max_y - frame.bbox.min_y);
    let (x0, y1) = (frame.bbox.min_x, frame.bbox.max_y);
    let g = geo::MapCoords::try_map_coords(g, |c| {
        let (x, y) = t.convert(c.x, c.y).ok_or(())?;
        Ok::<_, ()>(Coord { x: (x - x0) * sx, y: (y1 - y) * sy })
    })
    .ok()?;
    let bounds = g.bounding_rect()?;
    let dimension = dimension(&g)?;
    // Smaller than half a unit both ways: it would round to a point.
    if dimension > 0 && bounds.width() < 0.5 && bounds.height() < 0.5 {
        return None;
    }
    let b = f64::from(frame.buffer);
    let e = f64::from(frame.extent);
    let clip = Rect::new((-b, -b), (e + b, e + b));
    let inside = clip.min().x <= bounds.min().x && clip.min().y <= bounds.min().y && bounds.max().x <= clip.max().x && bounds.max().y <= clip.max().y;
    match dimension {
        0 => points(&g, &clip),
        1 => {
            let lines = simplify_lines(lines(&g), frame.simplify);
            let lines = if inside { lines } else { clip.to_polygon().clip(&lines, false) };
            snap_lines(&lines)
        }
        _ => {
            let polygons = polygons(&g).simplify(frame.simplify);
            let polygons = if inside { polygons } else { polygons.intersection(&clip.to_polygon()) };
            snap_polygons(&polygons)
        }
    }
}

/// 0 for points, 1 for lines, 2 for surfaces; `None` for an empty or mixed collection.
fn dimension(g: &Geometry<f64>) -> Option<u8> {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => Some(0),
        Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => Some(1),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => Some(2),
        Geometry::GeometryCollection(c) => {
            let dims: Vec<u8> = c.iter().filter_map(dimension).collect();
            dims.first().copied().filter(|d| dims.iter().all(|x| x == d))
        }
    }
}

fn points(g: &Geometry<f64>, clip: &Rect<f64>) -> Option<Geometry<f64>> {
    let mut kept: Vec<geo_types::Point<f64>> = Vec::new();
    geo::CoordsIter::coords_iter(g).for_each(|c| {
        let p = Coord { x: c.x.round(), y: c.y.round() };
        if p.x >= clip.min().x && p.x <= clip.max().x && p.y >= clip.min().y && p.y <= clip.max().y {
            kept.push(p.into());
        }
    });
    match kept.len() {
        0 => None,
        1 => Some(Geometry::Point(kept[0])),
        _ => Some(Geometry::MultiPoint(MultiPoint(kept))),
    }
}

fn lines(g: &Geometry<f64>) -> MultiLineString<f64> {
    match g {
        Geometry::Line(l) => MultiLineString(vec![LineString::from(vec![l.start, l.end])]),
        Geometry::LineString(l) => MultiLineString(vec![l.clone()]),
        Geometry::MultiLineString(m) => m.clone(),
        Geometry::GeometryCollection(c) => MultiLineString(c.iter().flat_map(|g| lines(g).0).collect()),
        _ => MultiLineString(Vec::new()),
    }
}

fn simplify_lines(m: MultiLineString<f64>, tolerance: f64) -> MultiLineString<f64> {
    if tolerance > 0.0 { m.simplify(tolerance) } else { m }
}

fn polygons(g: &Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        Geometry::MultiPolygon(m) => m.clone(),
        Geometry::Rect(r) => MultiPolygon(vec![r.to_polygon()]),
        Geometry::Triangle(t) => MultiPolygon(vec![t.to_polygon()]),
        Geometry::GeometryCollection(c) => MultiPolygon(c.iter().flat_map(|g| polygons(g).0).collect()),
        _ => MultiPolygon(Vec::new()),
    }
}

/// Rounded to the grid without repeated points.
fn snap(coords: impl Iterator<Item = Coord<f64>>) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::new();
    for c in coords {
        let c = Coord { x: c.x.round(), y: c.y.round() };
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    out
}

fn snap_lines(m: &MultiLineString<f64>) -> Option<Geometry<f64>> {
    let mut kept: Vec<LineString<f64>> = m.iter().map(|l| snap(l.coords().copied())).filter(|l| l.len() >= 2).map(LineString::from).collect();
    match kept.len() {
        0 => None,
        1 => kept.pop().map(Geometry::LineString),
        _ => Some(Geometry::MultiLineString(MultiLineString(kept))),
    }
}

/// A ring snapped to the grid, `None` when it collapsed (fewer than three distinct corners or
/// no area).
fn snap_ring(ring: &LineString<f64>) -> Option<LineString<f64>> {
    let mut coords = snap(ring.coords().copied());
    if coords.len() > 1 && coords.first() == coords.last() {
        coords.pop();
    }
    if coords.len() < 3 {
        return None;
    }
    let ring = LineString::from(coords);
    let ring = LineString::from(ring.coords().chain(ring.coords().take(1)).copied().collect::<Vec<_>>());
    (geo::Area::unsigned_area(&Polygon::new(ring.clone(), Vec::new())) > 0.0).then_some(ring)
}

fn snap_polygons(m: &MultiPolygon<f64>) -> Option<Geometry<f64>> {
    let kept: Vec<Polygon<f64>> = m
        .iter()
        .filter_map(|p| {
            let exterior = snap_ring(p.exterior())?;
            let holes = p.interiors().iter().filter_map(snap_ring).collect();
            // Tile y points down, so the default orientation (exterior counter-clockwise by
            // the numbers) is the positive surveyor's area MVT asks of exteriors.
            Some(Polygon::new(exterior, holes).orient(Direction::Default))
        })
        .collect();
    match kept.len() {
        0 => None,
        1 => Some(Geometry::Polygon(kept.into_iter().next()?)),
        _ => Some(Geometry::MultiPolygon(MultiPolygon(kept))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ogc::crs::Crs;

    fn frame() -> Frame {
        Frame { bbox: Bbox { min_x: 0.0, min_y: 0.0, max_x: 100.0, max_y: 100.0 }, extent: 4096, buffer: 64, simplify: 1.0 }
    }

    fn identity() -> Transform {
        Transform::from_storage(Crs::Epsg(2154), Crs::Epsg(2154), false).unwrap()
    }

    #[test]
    fn polygons_are_clipped_snapped_and_oriented() {
        // Counter-clockwise in map coordinates, half outside the tile.
        let square: Polygon<f64> = Polygon::new(LineString::from(vec![(50.0, 50.0), (150.0, 50.0), (150.0, 150.0), (50.0, 150.0), (50.0, 50.0)]), vec![]);
        let g = to_tile(&Geometry::Polygon(square), &identity(), &frame()).unwrap();
        let Geometry::Polygon(p) = g else { panic!("{g:?}") };
        for c in p.exterior().coords() {
            assert!((-64.0..=4160.0).contains(&c.x) && (-64.0..=4160.0).contains(&c.y), "{c:?} outside the buffer");
            assert_eq!((c.x.fract(), c.y.fract()), (0.0, 0.0));
        }
        // Positive surveyor's area in tile coordinates (y down).
        assert!(geo::Area::signed_area(&p) > 0.0);
        assert_eq!(geo::Area::unsigned_area(&p), (4160.0 - 2048.0) * (2048.0 + 64.0));
    }

    #[test]
    fn specks_and_outside_features_are_dropped() {
        let speck: Polygon<f64> = Polygon::new(LineString::from(vec![(1.0, 1.0), (1.001, 1.0), (1.001, 1.001), (1.0, 1.0)]), vec![]);
        assert!(to_tile(&Geometry::Polygon(speck), &identity(), &frame()).is_none());
        let far = Geometry::Point(geo_types::Point::new(500.0, 500.0));
        assert!(to_tile(&far, &identity(), &frame()).is_none());
        let line = Geometry::LineString(LineString::from(vec![(-50.0, 10.0), (50.0, 10.0)]));
        let Some(Geometry::LineString(l)) = to_tile(&line, &identity(), &frame()) else { panic!() };
        assert_eq!(l.0.first().unwrap().x, -64.0);
    }

    #[test]
    fn values_are_typed_like_st_asmvt() {
        assert_eq!(tile_value(&Value::Int(3)), Some(TileValue::Uint(3)));
        assert_eq!(tile_value(&Value::Int(-3)), Some(TileValue::Sint(-3)));
        assert_eq!(tile_value(&Value::Null), None);
        let d = chrono::NaiveDate::from_ymd_opt(2021, 3, 4).unwrap();
        assert_eq!(tile_value(&Value::Date(d)), Some(TileValue::Str("2021-03-04".into())));
    }
}
