//! The PROJ engine (feature `proj`): the system PROJ library through the `proj` crate, with the
//! EPSG database, so any EPSG code PROJ knows can be served.

use std::ffi::CString;

use proj::Proj;

use super::{CrsError, Engine};

pub struct ProjEngine(Proj);

impl Engine for ProjEngine {
    fn new(from: u32, to: u32) -> Result<Self, CrsError> {
        // new_known_crs normalizes both ends to GIS order (longitude first), as Engine requires.
        Proj::new_known_crs(&format!("EPSG:{from}"), &format!("EPSG:{to}"), None)
            .map(ProjEngine)
            .map_err(|_| CrsError::Failed(format!("EPSG:{from}"), format!("EPSG:{to}")))
    }

    fn convert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        self.0.convert((x, y)).ok().filter(|(x, y): &(f64, f64)| x.is_finite() && y.is_finite())
    }

    fn is_geographic(code: u32) -> Result<bool, CrsError> {
        use proj_sys::*;
        let unsupported = || CrsError::Unsupported(format!("EPSG:{code}"));
        let name = CString::new(format!("EPSG:{code}")).map_err(|_| unsupported())?;
        // SAFETY: a fresh context is created and destroyed here; the PJ is checked for null and
        // destroyed before the context.
        unsafe {
            let ctx = proj_context_create();
            let pj = proj_create(ctx, name.as_ptr());
            let result = if pj.is_null() {
                Err(unsupported())
            } else {
                let t = proj_get_type(pj);
                let geographic = t == PJ_TYPE_PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_PJ_TYPE_GEOGRAPHIC_3D_CRS;
                let is_crs = proj_is_crs(pj) != 0;
                proj_destroy(pj);
                if is_crs { Ok(geographic) } else { Err(unsupported()) }
            };
            proj_context_destroy(ctx);
            result
        }
    }
}
