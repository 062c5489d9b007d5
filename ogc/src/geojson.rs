//! GeoJSON geometry writer over any `geo-traits` geometry (WKB read in place, geo-types, ...).
//!
//! Coordinates pass through a caller-supplied mapping (the reprojection and axis order of the
//! request), so a feature is written straight from its source bytes, with no intermediate
//! geometry allocated.

use geo_traits::{
    CoordTrait, GeometryCollectionTrait, GeometryTrait, GeometryType, LineStringTrait, MultiLineStringTrait, MultiPointTrait,
    MultiPolygonTrait, PointTrait, PolygonTrait,
};

/// A coordinate could not be mapped (outside the domain of the target CRS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a coordinate could not be transformed to the requested CRS")]
pub struct UnmappableCoordinate;

/// Writes coordinates rounded to a number of decimals, mapped by `map`.
pub struct GeometryWriter<'a> {
    pub map: &'a mut dyn FnMut(f64, f64) -> Option<(f64, f64)>,
    /// Coordinates are rounded to this many decimals (1 mm in metres is 3, about 1 mm in
    /// degrees is 8), which keeps documents small without visible loss.
    decimals: u32,
    /// 10^decimals.
    scale: f64,
}

type R = Result<(), UnmappableCoordinate>;

impl<'a> GeometryWriter<'a> {
    pub fn new(map: &'a mut dyn FnMut(f64, f64) -> Option<(f64, f64)>, decimals: u32) -> Self {
        GeometryWriter { map, decimals, scale: 10f64.powi(decimals as i32) }
    }

    /// Appends `{"type":...,"coordinates":...}`. On error `out` holds a partial geometry: the
    /// caller truncates it back.
    pub fn write(&mut self, out: &mut Vec<u8>, g: &impl GeometryTrait<T = f64>) -> R {
        match g.as_type() {
            GeometryType::Point(p) => {
                out.extend_from_slice(br#"{"type":"Point","coordinates":"#);
                match p.coord() {
                    Some(c) => self.coord(out, &c)?,
                    None => out.extend_from_slice(b"[]"),
                }
            }
            GeometryType::LineString(l) => {
                out.extend_from_slice(br#"{"type":"LineString","coordinates":"#);
                self.line(out, l)?;
            }
            GeometryType::Polygon(p) => {
                out.extend_from_slice(br#"{"type":"Polygon","coordinates":"#);
                self.polygon(out, p)?;
            }
            GeometryType::MultiPoint(m) => {
                out.extend_from_slice(br#"{"type":"MultiPoint","coordinates":["#);
                for (i, p) in m.points().enumerate() {
                    sep(out, i);
                    if let Some(c) = p.coord() {
                        self.coord(out, &c)?;
                    }
                }
                out.push(b']');
            }
            GeometryType::MultiLineString(m) => {
                out.extend_from_slice(br#"{"type":"MultiLineString","coordinates":["#);
                for (i, l) in m.line_strings().enumerate() {
                    sep(out, i);
                    self.line(out, &l)?;
                }
                out.push(b']');
            }
            GeometryType::MultiPolygon(m) => {
                out.extend_from_slice(br#"{"type":"MultiPolygon","coordinates":["#);
                for (i, p) in m.polygons().enumerate() {
                    sep(out, i);
                    self.polygon(out, &p)?;
                }
                out.push(b']');
            }
            GeometryType::GeometryCollection(c) => {
                out.extend_from_slice(br#"{"type":"GeometryCollection","geometries":["#);
                for (i, g) in c.geometries().enumerate() {
                    sep(out, i);
                    self.write(out, &g)?;
                }
                out.extend_from_slice(b"]}");
                return Ok(());
            }
            // WKB has no Rect, Triangle or Line; geo-types values of those kinds are not produced
            // by any source.
            GeometryType::Rect(_) | GeometryType::Triangle(_) | GeometryType::Line(_) => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        Ok(())
    }

    fn coord(&mut self, out: &mut Vec<u8>, c: &impl CoordTrait<T = f64>) -> R {
        let (x, y) = (self.map)(c.x(), c.y()).ok_or(UnmappableCoordinate)?;
        out.push(b'[');
        self.number(out, x);
        out.push(b',');
        self.number(out, y);
        out.push(b']');
        Ok(())
    }

    fn number(&self, out: &mut Vec<u8>, v: f64) {
        if !crate::number::write_fixed(out, v, self.decimals, self.scale) {
            out.extend_from_slice(ryu::Buffer::new().format(v).as_bytes());
        }
    }

    fn line(&mut self, out: &mut Vec<u8>, l: &impl LineStringTrait<T = f64>) -> R {
        out.push(b'[');
        for (i, c) in l.coords().enumerate() {
            sep(out, i);
            self.coord(out, &c)?;
        }
        out.push(b']');
        Ok(())
    }

    fn polygon(&mut self, out: &mut Vec<u8>, p: &impl PolygonTrait<T = f64>) -> R {
        out.push(b'[');
        if let Some(ext) = p.exterior() {
            self.line(out, &ext)?;
            for r in p.interiors() {
                out.push(b',');
                self.line(out, &r)?;
            }
        }
        out.push(b']');
        Ok(())
    }
}

fn sep(out: &mut Vec<u8>, i: usize) {
    if i > 0 {
        out.push(b',');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // A minimal geo-traits implementation would be long; the server tests this writer over WKB.
    // Here: number formatting and mapping failures through a trivial point type.
    struct P(f64, f64);
    impl CoordTrait for P {
        type T = f64;
        fn dim(&self) -> geo_traits::Dimensions {
            geo_traits::Dimensions::Xy
        }
        fn x(&self) -> f64 {
            self.0
        }
        fn y(&self) -> f64 {
            self.1
        }
        fn nth_or_panic(&self, n: usize) -> f64 {
            [self.0, self.1][n]
        }
    }

    #[test]
    fn rounds_and_maps() {
        let mut swap = |x: f64, y: f64| Some((y, x));
        let mut w = GeometryWriter::new(&mut swap, 3);
        let mut out = Vec::new();
        w.coord(&mut out, &P(652000.00049, 6862000.5)).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[6862000.5,652000]");
    }

    #[test]
    fn formats_fixed_point() {
        let mut id = |x, y| Some((x, y));
        let w = GeometryWriter::new(&mut id, 8);
        for (v, expected) in [
            (2.94302126, "2.94302126"),
            (-0.5, "-0.5"),
            (-0.000000001, "0"),
            (-0.00000001, "-0.00000001"),
            (50.0, "50"),
            (50.100000004, "50.1"),
            (0.010203, "0.010203"),
            (6862000.123456789, "6862000.12345679"),
            (1e300, "1e300"),
        ] {
            let mut out = Vec::new();
            w.number(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{v}");
        }
    }

    #[test]
    fn reports_unmappable() {
        let mut fail = |_: f64, _: f64| None;
        let mut w = GeometryWriter::new(&mut fail, 3);
        assert_eq!(w.coord(&mut Vec::new(), &P(0., 0.)), Err(UnmappableCoordinate));
    }

    #[test]
    fn writes_polygon_with_hole() {
        use geo_types::{LineString, Polygon};
        let ring = |c: &[(f64, f64)]| LineString::from(c.to_vec());
        let p = geo_types::Geometry::Polygon(Polygon::new(
            ring(&[(0., 0.), (10., 0.), (10., 10.), (0., 0.)]),
            vec![ring(&[(1., 1.), (2., 1.), (2., 2.), (1., 1.)])],
        ));
        let mut id = |x, y| Some((x, y));
        let mut out = Vec::new();
        GeometryWriter::new(&mut id, 3).write(&mut out, &p).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["type"], "Polygon");
        assert_eq!(v["coordinates"][1][2], serde_json::json!([2, 2]));
    }
}

/// Property names written once as JSON keys (`"name":`), reused for every feature.
pub struct PropertyKeys(Vec<Vec<u8>>);

impl PropertyKeys {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> PropertyKeys {
        PropertyKeys(
            names
                .into_iter()
                .map(|n| {
                    let mut k = Vec::new();
                    crate::value::write_json_string(&mut k, n);
                    k.push(b':');
                    k
                })
                .collect(),
        )
    }
}

/// Appends a GeoJSON Feature. A geometry that cannot be mapped is written as `null` so one
/// bad coordinate does not break a whole collection.
pub fn write_feature(
    out: &mut Vec<u8>,
    id: Option<&crate::value::Value>,
    keys: &PropertyKeys,
    properties: &[crate::value::Value],
    geometry: Option<&impl GeometryTrait<T = f64>>,
    writer: &mut GeometryWriter,
) {
    out.extend_from_slice(br#"{"type":"Feature","#);
    if let Some(id) = id.filter(|v| **v != crate::value::Value::Null) {
        out.extend_from_slice(br#""id":"#);
        id.write_json(out);
        out.push(b',');
    }
    out.extend_from_slice(br#""geometry":"#);
    match geometry {
        Some(g) => {
            let mark = out.len();
            if writer.write(out, g).is_err() {
                out.truncate(mark);
                out.extend_from_slice(b"null");
            }
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","properties":{"#);
    for (i, (k, v)) in keys.0.iter().zip(properties).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(k);
        v.write_json(out);
    }
    out.extend_from_slice(b"}}");
}

#[cfg(test)]
mod feature_tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn writes_a_feature() {
        let keys = PropertyKeys::new(["nom", "pop"]);
        let mut id = |x, y| Some((x, y));
        let mut w = GeometryWriter::new(&mut id, 2);
        let mut out = Vec::new();
        let p = geo_types::Geometry::Point(geo_types::Point::new(1.234, 5.0));
        write_feature(&mut out, Some(&Value::Int(7)), &keys, &[Value::Text("Lille".into()), Value::Null], Some(&p), &mut w);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["geometry"]["coordinates"], serde_json::json!([1.23, 5]));
        assert_eq!(v["properties"]["nom"], "Lille");
        assert!(v["properties"]["pop"].is_null());
    }
}
