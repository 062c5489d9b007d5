//! GeoJSON features from source rows: WKB read in place, reprojected on the fly.

use ogc::crs::Crs;
use ogc::geojson::{GeometryWriter, PropertyKeys, write_feature};

use crate::crs::{CrsError, Transform};
use crate::source::{Feature, Table};

pub struct FeatureEncoder {
    keys: PropertyKeys,
    from: Crs,
    to: Crs,
    decimals: u32,
}

impl FeatureEncoder {
    /// Checks the transformation once; later calls rebuild it from the per-thread cache (the
    /// transformer is not `Send`, and the body stream may move between threads).
    pub fn new(table: &Table, to: Crs) -> Result<FeatureEncoder, CrsError> {
        Transform::new(table.crs, to, true)?;
        // About a millimetre: 3 decimals in metres, 8 in degrees.
        let decimals = if crate::crs::is_geographic(to)? { 8 } else { 3 };
        Ok(FeatureEncoder { keys: PropertyKeys::new(table.fields.iter().map(|f| f.name.as_str())), from: table.crs, to, decimals })
    }

    pub fn write(&self, out: &mut Vec<u8>, feature: &Feature) {
        let transform = Transform::new(self.from, self.to, true).expect("checked in FeatureEncoder::new");
        let mut map = |x, y| transform.convert(x, y);
        let mut writer = GeometryWriter::new(&mut map, self.decimals);
        let geometry = feature.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok());
        write_feature(out, feature.id.as_ref(), &self.keys, &feature.properties, geometry.as_ref(), &mut writer);
    }
}
