//! The pure-Rust engine: proj4rs with its table of EPSG definitions. Exact for the projections
//! and datums without grid shifts (Lambert-93, CC zones, Web Mercator, WGS 84, ETRS89).

use proj4rs::Proj;

use super::{CrsError, Engine};

pub struct Proj4rsEngine {
    from: Proj,
    to: Proj,
}

fn proj(code: u32) -> Result<Proj, CrsError> {
    u16::try_from(code)
        .ok()
        .and_then(|c| Proj::from_epsg_code(c).ok())
        .ok_or_else(|| CrsError::Unsupported(format!("EPSG:{code}")))
}

impl Engine for Proj4rsEngine {
    fn new(from: u32, to: u32) -> Result<Self, CrsError> {
        Ok(Proj4rsEngine { from: proj(from)?, to: proj(to)? })
    }

    fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        // proj4rs works in radians for geographic CRSs.
        let mut p = if self.from.is_latlong() { (x.to_radians(), y.to_radians(), 0.0) } else { (x, y, 0.0) };
        proj4rs::transform::transform(&self.from, &self.to, &mut p).ok()?;
        let out = if self.to.is_latlong() { (p.0.to_degrees(), p.1.to_degrees()) } else { (p.0, p.1) };
        (out.0.is_finite() && out.1.is_finite()).then_some(out)
    }

    fn is_geographic(code: u32) -> Result<bool, CrsError> {
        Ok(proj(code)?.is_latlong())
    }
}
