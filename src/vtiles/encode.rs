//! MVT 2.1 encoding in Rust, for every source but a PostGIS one whose configuration has the
//! database encode its tiles (`mvt_encoder = "database"`).
//!
//! The steps are `ST_AsMVTGeom`'s, so that a layer gives the same tile from either encoder:
//! geometries are mapped to tile units (y down), clipped to the tile plus its buffer and
//! snapped to the integer grid without repeated or collinear vertices; polygons are made
//! valid on the grid and oriented as the specification wants (exterior rings of positive area
//! in tile coordinates, holes negative), see [`super::surfaces`].

use geo::{BooleanOps, BoundingRect, Simplify};
use geo_traits::{CoordTrait, GeometryTrait, GeometryType, LineStringTrait, MultiPolygonTrait, PolygonTrait};
use geo_types::{Coord, Geometry, LineString, MultiLineString, Rect};
use geozero::mvt::tile::GeomType;
use geozero::mvt::{TagsBuilder, TileValue, tile};
use i_overlay::i_float::int::point::IntPoint;
use ogc::bbox::Bbox;
use ogc::value::Value;

use super::commands::Commands;
use super::surfaces::Surfaces;
use crate::crs::Transform;
use crate::crs::affine::{AffineCell, AffineGrid};
use crate::source::Feature;

/// Where a layer's features land: the tile's ground (in the tile matrix set's CRS, easting
/// first) and the grid they are snapped to.
#[derive(Clone, Debug)]
pub struct Frame {
    pub bbox: Bbox,
    pub extent: u32,
    pub buffer: u32,
    /// Douglas-Peucker tolerance in tile units; at one unit or less, snapping does the work.
    pub simplify: f64,
}

/// Storage coordinates to tile units: through the affine map of the cell holding the vertex
/// where the tile has cells (within [`super::AFFINE_TOLERANCE`] of the projection), else
/// through the projection, which is lent for each batch of rows (it cannot leave its
/// thread). PROJ's arithmetic for every vertex was two thirds of the encoder's time.
struct ToTile {
    /// The cells' maps composed with the tile's scaling.
    grid: Option<AffineGrid>,
    origin: (f64, f64),
    scale: (f64, f64),
}

impl ToTile {
    fn new(grid: Option<&AffineGrid>, frame: &Frame) -> ToTile {
        let origin = (frame.bbox.min_x, frame.bbox.max_y);
        let scale = (f64::from(frame.extent) / frame.bbox.width(), f64::from(frame.extent) / frame.bbox.height());
        let compose = |c: &AffineCell| AffineCell {
            area: c.area,
            a: c.a * scale.0,
            b: c.b * scale.0,
            xoff: (c.xoff - origin.0) * scale.0,
            d: -c.d * scale.1,
            e: -c.e * scale.1,
            yoff: (origin.1 - c.yoff) * scale.1,
        };
        let grid = grid.map(|g| AffineGrid { area: g.area, n: g.n, cells: g.cells.iter().map(compose).collect() });
        ToTile { grid, origin, scale }
    }
}

/// [`ToTile`] with the projection lent to it.
struct Projection<'a> {
    to_tile: &'a ToTile,
    exact: &'a Transform,
}

impl Projection<'_> {
    fn apply(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let t = self.to_tile;
        if let Some(cell) = t.grid.as_ref().and_then(|g| g.at(x, y)) {
            return Some(cell.apply(x, y));
        }
        let (x, y) = self.exact.convert(x, y)?;
        Some(((x - t.origin.0) * t.scale.0, (t.origin.1 - y) * t.scale.1))
    }
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

/// One MVT layer, fed batches of features read in the storage CRS: a tile over a whole
/// table (a low zoom over the land cover, 300,000 rows) never holds all its rows at once,
/// only what it keeps of them.
pub struct LayerEncoder {
    name: String,
    /// The names of the features' properties, which are the attributes kept.
    fields: Vec<String>,
    frame: Frame,
    to_tile: ToTile,
    tags: TagsBuilder,
    features: Vec<tile::Feature>,
    writer: Writer,
}

impl LayerEncoder {
    /// `grid`: the tile's affine cells from the storage CRS to the tile's, if it has them.
    pub fn new(name: String, fields: Vec<String>, frame: Frame, grid: Option<&AffineGrid>) -> LayerEncoder {
        let writer = Writer { surfaces: Surfaces::new(&frame), commands: Commands::default(), coords: Vec::new() };
        LayerEncoder { name, fields, to_tile: ToTile::new(grid, &frame), frame, tags: TagsBuilder::new(), features: Vec::new(), writer }
    }

    /// Encodes `features`; `exact` projects what no cell holds to the tile's CRS.
    pub fn add(&mut self, features: &[Feature], exact: &Transform) {
        let projection = Projection { to_tile: &self.to_tile, exact };
        for f in features {
            let Some(g) = f.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok()) else {
                continue;
            };
            let Some(kind) = self.writer.geometry(&g, &projection, &self.frame) else {
                self.writer.discard();
                continue;
            };
            let mut feature = tile::Feature {
                id: match &f.id {
                    Some(Value::Int(i)) if *i >= 0 => Some(*i as u64),
                    _ => None,
                },
                geometry: self.writer.commands.take(),
                ..Default::default()
            };
            feature.set_type(kind);
            for (key, value) in self.fields.iter().zip(&f.properties) {
                if let Some(v) = tile_value(value) {
                    let (k, v) = self.tags.insert_ref(key, v);
                    feature.tags.extend([k, v]);
                }
            }
            self.features.push(feature);
        }
    }

    /// The layer; `None` when no feature is left in the tile (an empty layer is left out of
    /// the tile, as `ST_AsMVT` does).
    pub fn finish(self) -> Option<tile::Layer> {
        if self.features.is_empty() {
            return None;
        }
        let (keys, values) = self.tags.into_tags();
        Some(tile::Layer {
            version: 2,
            name: self.name,
            features: self.features,
            keys,
            values: values.into_iter().map(Into::into).collect(),
            extent: Some(self.frame.extent),
        })
    }
}

/// One feature's geometry at a time, its buffers kept from feature to feature.
struct Writer {
    surfaces: Surfaces,
    commands: Commands,
    coords: Vec<(f64, f64)>,
}

impl Writer {
    /// Drops what a feature left half written (a ring that did not transform ends it).
    fn discard(&mut self) {
        self.commands.take();
        self.surfaces.discard();
    }

    /// The feature's geometry written to `self.commands`; `None` when nothing of it shows in
    /// the tile or it does not transform. Polygons, most of what tiles hold, go from the WKB
    /// to the grid without an intermediate geometry.
    fn geometry(&mut self, g: &wkb::reader::Wkb, t: &Projection, frame: &Frame) -> Option<GeomType> {
        match g.as_type() {
            GeometryType::Polygon(p) => self.polygon(&p, t, frame)?,
            GeometryType::MultiPolygon(m) => {
                for p in m.polygons() {
                    self.polygon(&p, t, frame)?;
                }
            }
            _ => {
                let g = geo_traits::to_geo::ToGeoGeometry::to_geometry(g);
                let g = geo::MapCoords::try_map_coords(&g, |c| t.apply(c.x, c.y).map(|(x, y)| Coord { x, y }).ok_or(())).ok()?;
                return self.other(&g, frame);
            }
        }
        self.surfaces.write(&mut self.commands).then_some(GeomType::Polygon)
    }

    fn polygon(&mut self, p: &impl PolygonTrait<T = f64>, t: &Projection, frame: &Frame) -> Option<()> {
        for ring in p.exterior().into_iter().chain(p.interiors()) {
            self.coords.clear();
            for c in ring.coords() {
                self.coords.push(t.apply(c.x(), c.y())?);
            }
            self.surface_ring(frame);
        }
        Some(())
    }

    fn surface_ring(&mut self, frame: &Frame) {
        if frame.simplify > 1.0 {
            let simplified = LineString::from(std::mem::take(&mut self.coords)).simplify(frame.simplify);
            self.coords = simplified.0.into_iter().map(|c| (c.x, c.y)).collect();
        }
        self.surfaces.ring(&self.coords);
    }

    /// Points, lines and collections, mapped to tile units already.
    fn other(&mut self, g: &Geometry<f64>, frame: &Frame) -> Option<GeomType> {
        let (b, e) = (f64::from(frame.buffer), f64::from(frame.extent));
        let clip = Rect::new((-b, -b), (e + b, e + b));
        match dimension(g)? {
            0 => {
                let mut kept: Vec<IntPoint> = Vec::new();
                for c in geo::CoordsIter::coords_iter(g) {
                    let (x, y) = (c.x.round(), c.y.round());
                    let p = IntPoint::new(x as i32, y as i32);
                    // A multipoint loses its repeated points, as in ST_AsMVTGeom.
                    if (-b..=e + b).contains(&x) && (-b..=e + b).contains(&y) && !kept.contains(&p) {
                        kept.push(p);
                    }
                }
                self.commands.points(&kept);
                (!kept.is_empty()).then_some(GeomType::Point)
            }
            1 => {
                let lines = lines(g);
                let lines = if frame.simplify > 1.0 { lines.simplify(frame.simplify) } else { lines };
                let inside = lines
                    .bounding_rect()
                    .is_some_and(|r| clip.min().x <= r.min().x && clip.min().y <= r.min().y && r.max().x <= clip.max().x && r.max().y <= clip.max().y);
                let lines = if inside { lines } else { clip.to_polygon().clip(&lines, false) };
                let mut snapped = Vec::new();
                for l in &lines {
                    self.coords.clear();
                    self.coords.extend(l.coords().map(|c| (c.x, c.y)));
                    snapped.clear();
                    snap(&self.coords, &mut snapped);
                    if snapped.len() >= 2 {
                        self.commands.line(&snapped);
                    }
                }
                (!self.commands.stream.is_empty()).then_some(GeomType::Linestring)
            }
            _ => {
                for p in polygons(g) {
                    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                        self.coords.clear();
                        self.coords.extend(ring.coords().map(|c| (c.x, c.y)));
                        self.surface_ring(frame);
                    }
                }
                self.surfaces.write(&mut self.commands).then_some(GeomType::Polygon)
            }
        }
    }
}

/// Coordinates (tile units) rounded to the grid, without repeated vertices and without the
/// middle one of three collinear vertices (PostGIS's zero-tolerance simplification).
pub fn snap(coords: &[(f64, f64)], out: &mut Vec<IntPoint>) {
    for &(x, y) in coords {
        let p = IntPoint::new(x.round() as i32, y.round() as i32);
        while out.len() >= 2 && collinear(out[out.len() - 2], out[out.len() - 1], p) {
            out.pop();
        }
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
}

pub fn collinear(a: IntPoint, b: IntPoint, c: IntPoint) -> bool {
    side(a, b, c) == 0
}

/// The side of line `a`-`b` point `p` is on: -1, 0 (on the line) or 1.
pub fn side(a: IntPoint, b: IntPoint, p: IntPoint) -> i64 {
    ((i64::from(b.x - a.x) * i64::from(p.y - a.y)) - (i64::from(b.y - a.y) * i64::from(p.x - a.x))).signum()
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

fn lines(g: &Geometry<f64>) -> MultiLineString<f64> {
    match g {
        Geometry::Line(l) => MultiLineString(vec![LineString::from(vec![l.start, l.end])]),
        Geometry::LineString(l) => MultiLineString(vec![l.clone()]),
        Geometry::MultiLineString(m) => m.clone(),
        Geometry::GeometryCollection(c) => MultiLineString(c.iter().flat_map(|g| lines(g).0).collect()),
        _ => MultiLineString(Vec::new()),
    }
}

fn polygons(g: &Geometry<f64>) -> Vec<geo_types::Polygon<f64>> {
    match g {
        Geometry::Polygon(p) => vec![p.clone()],
        Geometry::MultiPolygon(m) => m.0.clone(),
        Geometry::Rect(r) => vec![r.to_polygon()],
        Geometry::Triangle(t) => vec![t.to_polygon()],
        Geometry::GeometryCollection(c) => c.iter().flat_map(polygons).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vtiles::commands::decode;
    use geo_types::{Point, Polygon};
    use ogc::crs::Crs;

    fn frame() -> Frame {
        Frame { bbox: Bbox { min_x: 0.0, min_y: 0.0, max_x: 100.0, max_y: 100.0 }, extent: 4096, buffer: 64, simplify: 1.0 }
    }

    /// The tile layer of `geometries` (map coordinates, the tile's CRS), each decoded back.
    fn encoded(geometries: &[Geometry<f64>]) -> Vec<(GeomType, Vec<Vec<(i32, i32)>>)> {
        let features: Vec<Feature> = geometries
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut wkb = Vec::new();
                wkb::writer::write_geometry(&mut wkb, g, &Default::default()).unwrap();
                Feature { id: Some(Value::Int(i as i64)), properties: vec![], geometry: Some(wkb) }
            })
            .collect();
        let identity = Transform::from_storage(Crs::Epsg(2154), Crs::Epsg(2154), false).unwrap();
        let mut encoder = LayerEncoder::new("l".into(), Vec::new(), frame(), None);
        // In two batches, as the server feeds it.
        let (first, second) = features.split_at(features.len() / 2);
        encoder.add(first, &identity);
        encoder.add(second, &identity);
        let Some(layer) = encoder.finish() else { return Vec::new() };
        layer.features.iter().map(|f| (f.r#type(), decode(&f.geometry))).collect()
    }

    fn signed_area(ring: &[(i32, i32)]) -> f64 {
        Polygon::new(LineString::from(ring.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect::<Vec<_>>()), vec![])
            .exterior()
            .0
            .windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn polygons_are_clipped_snapped_and_oriented() {
        // Counter-clockwise in map coordinates, half outside the tile.
        let square: Polygon<f64> = Polygon::new(LineString::from(vec![(50.0, 50.0), (150.0, 50.0), (150.0, 150.0), (50.0, 150.0), (50.0, 50.0)]), vec![]);
        let out = encoded(&[Geometry::Polygon(square)]);
        let [(GeomType::Polygon, rings)] = &out[..] else { panic!("{out:?}") };
        assert_eq!(rings.len(), 1);
        for &(x, y) in &rings[0] {
            assert!((-64..=4160).contains(&x) && (-64..=4160).contains(&y), "{x} {y} outside the buffer");
        }
        // Positive surveyor's area in tile coordinates (y down).
        let mut closed = rings[0].clone();
        closed.push(closed[0]);
        assert_eq!(signed_area(&closed), f64::from((4160 - 2048) * (2048 + 64)));
    }

    #[test]
    fn specks_and_outside_features_are_dropped() {
        let speck: Polygon<f64> = Polygon::new(LineString::from(vec![(1.0, 1.0), (1.001, 1.0), (1.001, 1.001), (1.0, 1.0)]), vec![]);
        let far = Geometry::Point(Point::new(500.0, 500.0));
        assert!(encoded(&[Geometry::Polygon(speck), far]).is_empty());
        let line = Geometry::LineString(LineString::from(vec![(-50.0, 10.0), (0.0, 10.0), (50.0, 10.0), (50.0, 20.0)]));
        let out = encoded(&[line]);
        let [(GeomType::Linestring, lines)] = &out[..] else { panic!("{out:?}") };
        // Clipped at the buffer; the collinear vertex at the tile's edge is gone.
        assert_eq!(lines, &[vec![(-64, 3686), (2048, 3686), (2048, 3277)]]);
        let points = Geometry::MultiPoint(vec![Point::new(10.0, 10.0), Point::new(10.001, 10.0), Point::new(200.0, 10.0)].into());
        assert_eq!(encoded(&[points]), [(GeomType::Point, vec![vec![(410, 3686)]])]);
    }

    #[test]
    fn a_feature_that_does_not_transform_leaves_nothing_to_the_next() {
        let to = || Transform::from_storage(Crs::LAMBERT93, Crs::Epsg(3857), false).unwrap();
        let bbox = to().envelope(&Bbox { min_x: 703_000.0, min_y: 7_058_000.0, max_x: 705_000.0, max_y: 7_060_000.0 }).unwrap();
        let frame = Frame { bbox, ..frame() };
        let square = |x: f64, y: f64| Polygon::new(LineString::from(vec![(x, y), (x + 500.0, y), (x + 500.0, y + 500.0), (x, y + 500.0), (x, y)]), vec![]);
        let broken = Polygon::new(LineString::from(vec![(703_500.0, 7_058_500.0), (f64::NAN, 7_058_500.0), (703_800.0, 7_058_900.0), (703_500.0, 7_058_500.0)]), vec![]);
        let wkb = |g: Geometry<f64>| {
            let mut out = Vec::new();
            wkb::writer::write_geometry(&mut out, &g, &Default::default()).unwrap();
            Some(out)
        };
        let features = [
            Feature { id: Some(Value::Int(1)), properties: vec![], geometry: wkb(Geometry::MultiPolygon(vec![square(703_200.0, 7_058_200.0), broken].into())) },
            Feature { id: Some(Value::Int(2)), properties: vec![], geometry: wkb(Geometry::Polygon(square(704_000.0, 7_059_000.0))) },
        ];
        let mut encoder = LayerEncoder::new("l".into(), Vec::new(), frame, None);
        encoder.add(&features, &to());
        let layer = encoder.finish().unwrap();
        assert_eq!(layer.features.len(), 1);
        assert_eq!((layer.features[0].id, decode(&layer.features[0].geometry).len()), (Some(2), 1), "the next feature holds its own ring only");
    }

    #[test]
    fn cells_stand_for_the_projection_within_a_unit() {
        // A WebMercatorQuad tile of zoom 14 over Lille, from Lambert-93.
        let (bbox, storage) = (Bbox { min_x: 340_000.0, min_y: 6_550_000.0, max_x: 342_445.98, max_y: 6_552_445.98 }, Crs::LAMBERT93);
        let frame = Frame { bbox, ..frame() };
        let envelope = Transform::to_storage(Crs::Epsg(3857), false, storage).unwrap().envelope(&bbox).unwrap();
        let exact = || Transform::from_storage(storage, Crs::Epsg(3857), false).unwrap();
        let grid = crate::crs::affine::affine_cells(&exact(), &envelope, super::super::AFFINE_TOLERANCE * bbox.width() / 4096.0).unwrap();
        let (with_cells, without) = (ToTile::new(Some(&grid), &frame), ToTile::new(None, &frame));
        let exact = exact();
        let (by_cells, by_projection) = (Projection { to_tile: &with_cells, exact: &exact }, Projection { to_tile: &without, exact: &exact });
        for k in 0..100 {
            let (x, y) = (envelope.min_x + envelope.width() * f64::from(k) / 100.0, envelope.min_y + envelope.height() * f64::from(k * 7 % 100) / 100.0);
            let ((ax, ay), (ex, ey)) = (by_cells.apply(x, y).unwrap(), by_projection.apply(x, y).unwrap());
            assert!((ax - ex).hypot(ay - ey) <= super::super::AFFINE_TOLERANCE, "({x}, {y}): {ax} {ay} vs {ex} {ey}");
        }
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
