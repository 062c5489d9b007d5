//! GML geometry writer over any `geo-traits` geometry, mirroring the GeoJSON writer: coordinates
//! pass through the caller's mapping (reprojection and axis order) straight from the source.
//!
//! Multi-geometries are written as `MultiCurve` / `MultiSurface` in both GML 3 versions: they are
//! valid in 3.1.1 and 3.2 alike, where `MultiLineString` / `MultiPolygon` are deprecated in 3.1.1
//! and gone from 3.2, so one property type serves both schemas.
//!
//! GML 2 (WFS 1.0.0) has the same structure with its own vocabulary: one `gml:coordinates`
//! tuple list (`x,y x,y`) instead of `gml:pos`/`gml:posList`, `outerBoundaryIs` /
//! `innerBoundaryIs` rings, `MultiLineString` / `MultiPolygon`, and no `gml:id`.

use geo_traits::{
    CoordTrait, GeometryCollectionTrait, GeometryTrait, GeometryType, LineStringTrait,
    MultiLineStringTrait, MultiPointTrait, MultiPolygonTrait, PointTrait, PolygonTrait,
};

use super::{GmlVersion, NumberFormat};

/// The geometry cannot be written: a coordinate is outside the target CRS (or not finite), or
/// the geometry has no GML form (empty point, Rect, Triangle, Line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unwritable;

type R = Result<(), Unwritable>;

pub(crate) struct GeometryWriter<'a> {
    pub version: GmlVersion,
    pub map: &'a mut dyn FnMut(f64, f64) -> Option<(f64, f64)>,
    pub numbers: NumberFormat,
    /// `gml:id` prefix for this feature's geometries (GML 3.2 makes ids mandatory and they must
    /// be unique in the document, so they derive from the feature id).
    pub id_base: &'a [u8],
    /// Counter suffixed to `id_base` for member geometries.
    pub next_id: u32,
}

impl GeometryWriter<'_> {
    /// Appends the GML geometry element; `srs_attr` is the pre-escaped ` srsName="..."` of the
    /// top-level geometry. On error `out` holds a partial element: the caller truncates it.
    pub fn write(
        &mut self,
        out: &mut Vec<u8>,
        g: &impl GeometryTrait<T = f64>,
        srs_attr: &[u8],
    ) -> R {
        match g.as_type() {
            GeometryType::Point(p) => self.point(out, p, srs_attr),
            GeometryType::LineString(l) => self.line_string(out, l, srs_attr),
            GeometryType::Polygon(p) => self.polygon(out, p, srs_attr),
            GeometryType::MultiPoint(m) => {
                self.open(out, b"MultiPoint", srs_attr);
                for p in m.points() {
                    out.extend_from_slice(b"<gml:pointMember>");
                    self.point(out, &p, b"")?;
                    out.extend_from_slice(b"</gml:pointMember>");
                }
                out.extend_from_slice(b"</gml:MultiPoint>");
                Ok(())
            }
            GeometryType::MultiLineString(m) => {
                let (multi, member) = self.vocabulary().multi_line;
                self.open(out, multi, srs_attr);
                for l in m.line_strings() {
                    element(out, member, true);
                    self.line_string(out, &l, b"")?;
                    element(out, member, false);
                }
                element(out, multi, false);
                Ok(())
            }
            GeometryType::MultiPolygon(m) => {
                let (multi, member) = self.vocabulary().multi_polygon;
                self.open(out, multi, srs_attr);
                for p in m.polygons() {
                    element(out, member, true);
                    self.polygon(out, &p, b"")?;
                    element(out, member, false);
                }
                element(out, multi, false);
                Ok(())
            }
            GeometryType::GeometryCollection(c) => {
                self.open(out, b"MultiGeometry", srs_attr);
                for g in c.geometries() {
                    out.extend_from_slice(b"<gml:geometryMember>");
                    self.write(out, &g, b"")?;
                    out.extend_from_slice(b"</gml:geometryMember>");
                }
                out.extend_from_slice(b"</gml:MultiGeometry>");
                Ok(())
            }
            // WKB has no Rect, Triangle or Line; no source produces them.
            GeometryType::Rect(_) | GeometryType::Triangle(_) | GeometryType::Line(_) => {
                Err(Unwritable)
            }
        }
    }

    fn vocabulary(&self) -> &'static Vocabulary {
        if self.version == GmlVersion::Gml2 { &GML2 } else { &GML3 }
    }

    /// Writes `<gml:{name} gml:id=".." srsName="..">`; ids only in GML 3.2, where they are
    /// mandatory (3.1.1 and 2 clients do not expect them on geometries).
    fn open(&mut self, out: &mut Vec<u8>, name: &[u8], srs_attr: &[u8]) {
        out.extend_from_slice(b"<gml:");
        out.extend_from_slice(name);
        if self.version == GmlVersion::Gml32 {
            out.extend_from_slice(b" gml:id=\"");
            out.extend_from_slice(self.id_base);
            if self.next_id > 0 {
                out.push(b'.');
                out.extend_from_slice(itoa::Buffer::new().format(self.next_id).as_bytes());
            }
            out.push(b'"');
            self.next_id += 1;
        }
        out.extend_from_slice(srs_attr);
        out.push(b'>');
    }

    fn point(&mut self, out: &mut Vec<u8>, p: &impl PointTrait<T = f64>, srs_attr: &[u8]) -> R {
        // GML has no empty point: gml:pos (gml:coordinates in GML 2) is mandatory.
        let c = p.coord().ok_or(Unwritable)?;
        let v = self.vocabulary();
        self.open(out, b"Point", srs_attr);
        out.extend_from_slice(v.position_open);
        self.coord(out, &c)?;
        out.extend_from_slice(v.position_close);
        out.extend_from_slice(b"</gml:Point>");
        Ok(())
    }

    fn line_string(
        &mut self,
        out: &mut Vec<u8>,
        l: &impl LineStringTrait<T = f64>,
        srs_attr: &[u8],
    ) -> R {
        self.open(out, b"LineString", srs_attr);
        self.pos_list(out, l)?;
        out.extend_from_slice(b"</gml:LineString>");
        Ok(())
    }

    fn polygon(&mut self, out: &mut Vec<u8>, p: &impl PolygonTrait<T = f64>, srs_attr: &[u8]) -> R {
        // outerBoundaryIs is mandatory in GML 2: an empty polygon has no GML 2 form.
        if self.version == GmlVersion::Gml2 && p.exterior().is_none() {
            return Err(Unwritable);
        }
        let v = self.vocabulary();
        self.open(out, b"Polygon", srs_attr);
        if let Some(exterior) = p.exterior() {
            self.ring(out, v.exterior, &exterior)?;
            for interior in p.interiors() {
                self.ring(out, v.interior, &interior)?;
            }
        }
        out.extend_from_slice(b"</gml:Polygon>");
        Ok(())
    }

    fn ring(&mut self, out: &mut Vec<u8>, boundary: &[u8], r: &impl LineStringTrait<T = f64>) -> R {
        element(out, boundary, true);
        out.extend_from_slice(b"<gml:LinearRing>");
        self.pos_list(out, r)?;
        out.extend_from_slice(b"</gml:LinearRing>");
        element(out, boundary, false);
        Ok(())
    }

    fn pos_list(&mut self, out: &mut Vec<u8>, l: &impl LineStringTrait<T = f64>) -> R {
        let v = self.vocabulary();
        out.extend_from_slice(v.list_open);
        for (i, c) in l.coords().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            self.coord(out, &c)?;
        }
        out.extend_from_slice(v.list_close);
        Ok(())
    }

    fn coord(&mut self, out: &mut Vec<u8>, c: &impl CoordTrait<T = f64>) -> R {
        let (x, y) = (self.map)(c.x(), c.y()).ok_or(Unwritable)?;
        if !(x.is_finite() && y.is_finite()) {
            return Err(Unwritable);
        }
        self.numbers.write(out, x);
        out.push(self.vocabulary().coordinate_separator);
        self.numbers.write(out, y);
        Ok(())
    }
}

/// What GML 3 and GML 2 call the same parts of a geometry.
struct Vocabulary {
    /// Multi-linestring and its member element.
    multi_line: (&'static [u8], &'static [u8]),
    multi_polygon: (&'static [u8], &'static [u8]),
    exterior: &'static [u8],
    interior: &'static [u8],
    /// Around a point's single position.
    position_open: &'static [u8],
    position_close: &'static [u8],
    /// Around a ring's or line's positions.
    list_open: &'static [u8],
    list_close: &'static [u8],
    /// Between the two numbers of a position.
    coordinate_separator: u8,
}

const GML3: Vocabulary = Vocabulary {
    multi_line: (b"MultiCurve", b"curveMember"),
    multi_polygon: (b"MultiSurface", b"surfaceMember"),
    exterior: b"exterior",
    interior: b"interior",
    position_open: b"<gml:pos>",
    position_close: b"</gml:pos>",
    list_open: b"<gml:posList srsDimension=\"2\">",
    list_close: b"</gml:posList>",
    coordinate_separator: b' ',
};

const GML2_COORDINATES: &[u8] = b"<gml:coordinates decimal=\".\" cs=\",\" ts=\" \">";

const GML2: Vocabulary = Vocabulary {
    multi_line: (b"MultiLineString", b"lineStringMember"),
    multi_polygon: (b"MultiPolygon", b"polygonMember"),
    exterior: b"outerBoundaryIs",
    interior: b"innerBoundaryIs",
    position_open: GML2_COORDINATES,
    position_close: b"</gml:coordinates>",
    list_open: GML2_COORDINATES,
    list_close: b"</gml:coordinates>",
    coordinate_separator: b',',
};

/// `<gml:name>` or `</gml:name>`.
fn element(out: &mut Vec<u8>, name: &[u8], open: bool) {
    out.extend_from_slice(if open { b"<gml:" } else { b"</gml:" });
    out.extend_from_slice(name);
    out.push(b'>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{
        Geometry, LineString, MultiLineString, MultiPoint, Point, Polygon, Rect, coord,
    };

    fn write(version: GmlVersion, g: &Geometry) -> Result<String, Unwritable> {
        let mut id = |x, y| Some((x, y));
        let mut w = GeometryWriter {
            version,
            map: &mut id,
            numbers: NumberFormat::new(2),
            id_base: b"t.1.g",
            next_id: 0,
        };
        let mut out = Vec::new();
        w.write(&mut out, g, b" srsName=\"EPSG:2154\"")?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn writes_point_with_id_in_32_only() {
        let p = Geometry::Point(Point::new(1.005, 2.0));
        assert_eq!(
            write(GmlVersion::Gml32, &p).unwrap(),
            r#"<gml:Point gml:id="t.1.g" srsName="EPSG:2154"><gml:pos>1 2</gml:pos></gml:Point>"#
        );
        assert_eq!(
            write(GmlVersion::Gml311, &p).unwrap(),
            r#"<gml:Point srsName="EPSG:2154"><gml:pos>1 2</gml:pos></gml:Point>"#
        );
    }

    #[test]
    fn writes_polygon_rings() {
        let ring = |c: &[(f64, f64)]| LineString::from(c.to_vec());
        let p = Geometry::Polygon(Polygon::new(
            ring(&[(0., 0.), (10., 0.), (10., 10.), (0., 0.)]),
            vec![ring(&[(1., 1.), (2., 1.), (2., 2.), (1., 1.)])],
        ));
        let gml = write(GmlVersion::Gml32, &p).unwrap();
        assert!(gml.starts_with(r#"<gml:Polygon gml:id="t.1.g" srsName="EPSG:2154"><gml:exterior><gml:LinearRing><gml:posList srsDimension="2">0 0 10 0 10 10 0 0</gml:posList>"#));
        assert!(gml.contains(r#"<gml:interior><gml:LinearRing><gml:posList srsDimension="2">1 1 2 1 2 2 1 1</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>"#));
    }

    #[test]
    fn numbers_member_ids_uniquely() {
        let m = Geometry::MultiPoint(MultiPoint::from(vec![
            Point::new(0., 0.),
            Point::new(1., 1.),
        ]));
        let gml = write(GmlVersion::Gml32, &m).unwrap();
        assert!(gml.starts_with(r#"<gml:MultiPoint gml:id="t.1.g" srsName="EPSG:2154"><gml:pointMember><gml:Point gml:id="t.1.g.1">"#));
        assert!(gml.contains(r#"<gml:Point gml:id="t.1.g.2"><gml:pos>1 1</gml:pos>"#));
        let l = Geometry::MultiLineString(MultiLineString::new(vec![LineString::from(vec![
            (0., 0.),
            (1., 1.),
        ])]));
        let gml = write(GmlVersion::Gml311, &l).unwrap();
        assert_eq!(
            gml,
            r#"<gml:MultiCurve srsName="EPSG:2154"><gml:curveMember><gml:LineString><gml:posList srsDimension="2">0 0 1 1</gml:posList></gml:LineString></gml:curveMember></gml:MultiCurve>"#
        );
    }

    #[test]
    fn refuses_what_gml_cannot_say() {
        assert_eq!(
            write(
                GmlVersion::Gml32,
                &Geometry::Point(Point::new(f64::NAN, 0.))
            ),
            Err(Unwritable)
        );
        let r = Geometry::Rect(Rect::new(coord! {x: 0., y: 0.}, coord! {x: 1., y: 1.}));
        assert_eq!(write(GmlVersion::Gml32, &r), Err(Unwritable));
        let mut none = |_, _| None;
        let mut w = GeometryWriter {
            version: GmlVersion::Gml32,
            map: &mut none,
            numbers: NumberFormat::new(2),
            id_base: b"x",
            next_id: 0,
        };
        assert_eq!(
            w.write(&mut Vec::new(), &Geometry::Point(Point::new(0., 0.)), b""),
            Err(Unwritable)
        );
    }
}
