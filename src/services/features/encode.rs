//! GeoJSON features from source rows: WKB read in place, reprojected on the fly.

use std::collections::HashMap;

use ogc::crs::Crs;
use ogc::geojson::{GeometryWriter, PropertyKeys, write_feature};

use crate::crs::{CrsError, Transform};
use crate::source::{Feature, Table};

/// Transformed vertices remembered per response. Coverages (land cover, communes) share most
/// vertices between neighbours, so a lookup replaces a large share of the projection math,
/// which dominates the encoding cost.
const MEMO_MAX: usize = 1 << 16;

pub struct FeatureEncoder {
    keys: PropertyKeys,
    from: Crs,
    to: Crs,
    decimals: u32,
    memo: HashMap<(u64, u64), (f64, f64)>,
}

impl FeatureEncoder {
    /// Checks the transformation once; later calls rebuild it from the per-thread cache (the
    /// transformer is not `Send`, and the body stream may move between threads).
    pub fn new(table: &Table, to: Crs) -> Result<FeatureEncoder, CrsError> {
        Transform::new(table.crs, to, true)?;
        // About a millimetre: 3 decimals in metres, 8 in degrees.
        let decimals = if crate::crs::is_geographic(to)? { 8 } else { 3 };
        Ok(FeatureEncoder {
            keys: PropertyKeys::new(table.fields.iter().map(|f| f.name.as_str())),
            from: table.crs,
            to,
            decimals,
            memo: HashMap::new(),
        })
    }

    pub fn write(&mut self, out: &mut Vec<u8>, feature: &Feature) {
        let transform = Transform::new(self.from, self.to, true).expect("checked in FeatureEncoder::new");
        if self.memo.len() > MEMO_MAX {
            self.memo.clear();
        }
        let memo = &mut self.memo;
        let identity = transform.is_identity();
        let mut map = |x: f64, y: f64| {
            if identity {
                return Some((x, y));
            }
            let key = (x.to_bits(), y.to_bits());
            if let Some(p) = memo.get(&key) {
                return Some(*p);
            }
            let p = transform.convert(x, y)?;
            memo.insert(key, p);
            Some(p)
        };
        let mut writer = GeometryWriter::new(&mut map, self.decimals);
        let geometry = feature.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok());
        write_feature(out, feature.id.as_ref(), &self.keys, &feature.properties, geometry.as_ref(), &mut writer);
    }
}
