//! Coordinate transformation behind one small interface with two engines: pure-Rust proj4rs
//! (default: no native library) and PROJ (feature `proj`: EPSG database, any code PROJ knows).
//!
//! Engines work in "GIS order" (easting/longitude first, degrees for geographic CRSs); the axis
//! order each standard requires is applied on top by [`Transform`]. Transformers are cached per
//! thread because PROJ objects are not `Send`.

pub mod affine;
pub mod grid;
mod proj4rs_engine;
#[cfg(feature = "proj")]
mod proj_engine;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use ogc::bbox::Bbox;
use ogc::crs::Crs;

pub use proj4rs_engine::Proj4rsEngine;
#[cfg(feature = "proj")]
pub use proj_engine::ProjEngine;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrsError {
    #[error("CRS {0} is not supported by this server")]
    Unsupported(String),
    #[error("coordinates cannot be transformed from {0} to {1}")]
    Failed(String, String),
}

/// A transformation engine between two EPSG codes, coordinates in GIS order.
pub trait Engine: Sized {
    fn new(from: u32, to: u32) -> Result<Self, CrsError>;
    fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)>;
    fn is_geographic(code: u32) -> Result<bool, CrsError>;
}

#[cfg(not(feature = "proj"))]
pub type DefaultEngine = Proj4rsEngine;
#[cfg(feature = "proj")]
pub type DefaultEngine = ProjEngine;

thread_local! {
    static CACHE: RefCell<HashMap<(u32, u32), Rc<DefaultEngine>>> = RefCell::new(HashMap::new());
    static GEOGRAPHIC: RefCell<HashMap<u32, bool>> = RefCell::new(HashMap::new());
}

/// Whether the server can transform to and from `crs`.
pub fn check(crs: Crs) -> Result<(), CrsError> {
    is_geographic(crs).map(|_| ())
}

/// Whether `crs` is geographic (degrees), which decides its authority axis order.
pub fn is_geographic(crs: Crs) -> Result<bool, CrsError> {
    let code = crs.epsg_code();
    if let Some(g) = GEOGRAPHIC.with(|c| c.borrow().get(&code).copied()) {
        return Ok(g);
    }
    let g = DefaultEngine::is_geographic(code)?;
    GEOGRAPHIC.with(|c| c.borrow_mut().insert(code, g));
    Ok(g)
}

/// Whether coordinates in `crs` are written latitude first when the standard follows the
/// authority's axis order (OGC API Features Part 2, WMS 1.3.0, WFS 2.0, GML 3.2).
pub fn authority_lat_lon(crs: Crs) -> Result<bool, CrsError> {
    Ok(crs.is_lat_lon(is_geographic(crs)?))
}

/// A transformation between stored coordinates and a client's. Stored coordinates (PostGIS,
/// GeoPackage, GeoTIFF) are always easting/longitude first; the client's end follows the
/// authority's axis order when the standard says so.
#[derive(Clone)]
pub struct Transform {
    engine: Option<Rc<DefaultEngine>>,
    swap_in: bool,
    swap_out: bool,
}

impl Transform {
    /// From stored coordinates in `storage` to `to`, written in authority axis order when
    /// `authority_axes`.
    pub fn from_storage(storage: Crs, to: Crs, authority_axes: bool) -> Result<Transform, CrsError> {
        Self::build(storage, false, to, authority_axes && authority_lat_lon(to)?)
    }

    /// From `from`, read in authority axis order when `authority_axes`, to stored coordinates
    /// in `storage`.
    pub fn to_storage(from: Crs, authority_axes: bool, storage: Crs) -> Result<Transform, CrsError> {
        Self::build(from, authority_axes && authority_lat_lon(from)?, storage, false)
    }

    fn build(from: Crs, swap_in: bool, to: Crs, swap_out: bool) -> Result<Transform, CrsError> {
        let (a, b) = (from.epsg_code(), to.epsg_code());
        let engine = if a == b {
            None
        } else {
            Some(CACHE.with(|c| -> Result<_, CrsError> {
                if let Some(e) = c.borrow().get(&(a, b)) {
                    return Ok(e.clone());
                }
                let e = Rc::new(DefaultEngine::new(a, b)?);
                c.borrow_mut().insert((a, b), e.clone());
                Ok(e)
            })?)
        };
        Ok(Transform { engine, swap_in, swap_out })
    }

    pub fn is_identity(&self) -> bool {
        self.engine.is_none() && self.swap_in == self.swap_out
    }

    pub fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let (x, y) = if self.swap_in { (y, x) } else { (x, y) };
        let (x, y) = match &self.engine {
            Some(e) => e.convert(x, y)?,
            None => (x, y),
        };
        Some(if self.swap_out { (y, x) } else { (x, y) })
    }

    /// The points of a closed ring after transformation, each edge cut in `steps` so that
    /// the curved image of a straight edge is followed.
    pub fn densify(&self, ring: &[(f64, f64)], steps: usize) -> Option<Vec<(f64, f64)>> {
        let steps = if self.engine.is_none() { 1 } else { steps.max(1) };
        let mut out = Vec::with_capacity(ring.len() * steps + 1);
        for (i, &(ax, ay)) in ring.iter().enumerate() {
            let (bx, by) = ring[(i + 1) % ring.len()];
            for s in 0..steps {
                let f = s as f64 / steps as f64;
                out.push(self.convert(ax + (bx - ax) * f, ay + (by - ay) * f)?);
            }
        }
        Some(out)
    }

    /// The envelope of a ring (or box) after transformation, edges densified.
    pub fn ring_envelope(&self, ring: &[(f64, f64)]) -> Option<Bbox> {
        let points = self.densify(ring, 16)?;
        points.iter().map(|&(x, y)| Bbox { min_x: x, min_y: y, max_x: x, max_y: y }).reduce(|a, b| a.union(&b))
    }

    pub fn envelope(&self, b: &Bbox) -> Option<Bbox> {
        self.ring_envelope(&corners(b))
    }
}

/// The corners of a box, counter-clockwise from the lower left.
pub fn corners(b: &Bbox) -> [(f64, f64); 4] {
    [(b.min_x, b.min_y), (b.max_x, b.min_y), (b.max_x, b.max_y), (b.min_x, b.max_y)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from `cs2cs` (PROJ 9), recorded in shared/notes/crates.md.
    #[test]
    fn lambert93_to_web_mercator() {
        let t = Transform::from_storage(Crs::Epsg(2154), Crs::Epsg(3857), true).unwrap();
        let (x, y) = t.convert(652000.0, 6862000.0).unwrap();
        assert!((x - 261134.5927).abs() < 0.01 && (y - 6250504.8178).abs() < 0.01, "{x} {y}");
    }

    #[test]
    fn cc50_to_wgs84_in_both_axis_orders() {
        let t = Transform::from_storage(Crs::Epsg(3950), Crs::Epsg(4326), true).unwrap();
        let (lat, lon) = t.convert(1650000.0, 9180000.0).unwrap();
        assert!((lon - 2.305160908).abs() < 1e-8 && (lat - 49.818084677).abs() < 1e-8, "{lat} {lon}");
        let t = Transform::from_storage(Crs::Epsg(3950), Crs::Crs84, true).unwrap();
        let (lon2, lat2) = t.convert(1650000.0, 9180000.0).unwrap();
        assert_eq!((lon2, lat2), (lon, lat));
    }

    #[test]
    fn round_trip_and_identity() {
        let fwd = Transform::to_storage(Crs::Crs84, true, Crs::Epsg(2154)).unwrap();
        let back = Transform::from_storage(Crs::Epsg(2154), Crs::Crs84, true).unwrap();
        let (x, y) = fwd.convert(3.06, 50.63).unwrap();
        let (lon, lat) = back.convert(x, y).unwrap();
        assert!((lon - 3.06).abs() < 1e-9 && (lat - 50.63).abs() < 1e-9);
        assert!(Transform::from_storage(Crs::Epsg(2154), Crs::Epsg(2154), true).unwrap().is_identity());
        assert!(!Transform::from_storage(Crs::Crs84, Crs::Epsg(4326), true).unwrap().is_identity());
    }

    #[test]
    fn every_required_crs_is_supported() {
        for code in [2154, 3942, 3943, 3944, 3945, 3946, 3947, 3948, 3949, 3950, 3857, 4326, 4258] {
            check(Crs::Epsg(code)).unwrap_or_else(|e| panic!("{code}: {e}"));
        }
        assert!(authority_lat_lon(Crs::Epsg(4258)).unwrap());
        assert!(!authority_lat_lon(Crs::Epsg(3950)).unwrap());
        assert!(check(Crs::Epsg(999_999)).is_err());
    }

    #[test]
    fn envelope_covers_curved_edges() {
        let t = Transform::from_storage(Crs::Epsg(2154), Crs::Crs84, true).unwrap();
        let b = Bbox { min_x: 600000.0, min_y: 6900000.0, max_x: 800000.0, max_y: 7100000.0 };
        let e = t.envelope(&b).unwrap();
        // The northern edge, a straight line in Lambert-93, bulges north in longitude/latitude:
        // its middle is north of both its corners.
        let (_, corner_lat) = t.convert(b.max_x, b.max_y).unwrap();
        let (_, middle_lat) = t.convert((b.min_x + b.max_x) / 2.0, b.max_y).unwrap();
        assert!(middle_lat > corner_lat + 0.005, "{middle_lat} {corner_lat}");
        assert!((e.max_y - middle_lat).abs() < 1e-9, "{e:?}");
        assert!(e.min_x < 1.6 && e.max_x > 4.4, "{e:?}");
    }

    /// Both engines give the same coordinates (to the centimetre) for the CRSs the platform uses.
    #[cfg(feature = "proj")]
    #[test]
    fn proj_and_proj4rs_agree() {
        let points = [(3.06, 50.63), (2.3, 49.9), (1.6, 50.7), (4.1, 49.1)];
        for code in [2154, 3942, 3943, 3944, 3945, 3946, 3947, 3948, 3949, 3950, 3857, 4258] {
            let a = Proj4rsEngine::new(4326, code).unwrap();
            let b = ProjEngine::new(4326, code).unwrap();
            let back_a = Proj4rsEngine::new(code, 4326).unwrap();
            let back_b = ProjEngine::new(code, 4326).unwrap();
            for (lon, lat) in points {
                let (xa, ya) = a.convert(lon, lat).unwrap();
                let (xb, yb) = b.convert(lon, lat).unwrap();
                let tol = if code == 4258 { 1e-9 } else { 0.01 };
                assert!((xa - xb).abs() < tol && (ya - yb).abs() < tol, "EPSG:{code} {lon},{lat}: proj4rs {xa},{ya} PROJ {xb},{yb}");
                let (la, pa) = back_a.convert(xa, ya).unwrap();
                let (lb, pb) = back_b.convert(xb, yb).unwrap();
                assert!((la - lb).abs() < 1e-9 && (pa - pb).abs() < 1e-9, "EPSG:{code} inverse");
            }
            assert_eq!(Proj4rsEngine::is_geographic(code).unwrap(), ProjEngine::is_geographic(code).unwrap(), "EPSG:{code}");
        }
    }

    /// With PROJ, any EPSG code PROJ knows works (UTM 31N, NTF Lambert II étendu, Swiss LV95,
    /// Belgian Lambert 72).
    #[cfg(feature = "proj")]
    #[test]
    fn proj_knows_any_epsg_code() {
        for code in [32631, 27572, 2056, 31370] {
            ProjEngine::new(4326, code).unwrap_or_else(|e| panic!("{code}: {e}"));
        }
    }
}
