//! Features from source rows, encoded with their geometry read in place from WKB and
//! reprojected on the fly: GeoJSON here; other encodings (GML) share the coordinate mapping.

use std::collections::HashMap;

use ogc::crs::Crs;
use ogc::geojson::{GeometryWriter, PropertyKeys, write_feature};

use crate::crs::{CrsError, Transform};
use crate::source::{Feature, Table};

/// Transformed vertices remembered per response. Coverages (land cover, communes) share most
/// vertices between neighbours, so a lookup replaces a large share of the projection math,
/// which dominates the encoding cost.
const MEMO_MAX: usize = 1 << 16;

/// Reprojection and axis order for one response, with its memo of transformed vertices.
pub struct CoordinateMap {
    from: Crs,
    to: Crs,
    /// Whether output follows the authority's axis order (latitude first for EPSG:4326).
    authority_axes: bool,
    /// About a millimetre: 3 decimals in metres, 8 in degrees.
    pub decimals: u32,
    memo: HashMap<(u64, u64), (f64, f64)>,
}

impl CoordinateMap {
    /// Checks the transformation once; `run` rebuilds it from the per-thread cache (the
    /// transformer is not `Send`, and a body stream may move between threads).
    pub fn new(from: Crs, to: Crs, authority_axes: bool) -> Result<CoordinateMap, CrsError> {
        Transform::from_storage(from, to, authority_axes)?;
        let decimals = if crate::crs::is_geographic(to)? { 8 } else { 3 };
        Ok(CoordinateMap { from, to, authority_axes, decimals, memo: HashMap::new() })
    }

    /// Runs `f` with the mapping as a closure.
    pub fn run<T>(&mut self, f: impl FnOnce(&mut dyn FnMut(f64, f64) -> Option<(f64, f64)>) -> T) -> T {
        let transform = Transform::from_storage(self.from, self.to, self.authority_axes).expect("checked in CoordinateMap::new");
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
        f(&mut map)
    }
}

pub struct FeatureEncoder {
    keys: PropertyKeys,
    map: CoordinateMap,
}

impl FeatureEncoder {
    /// GeoJSON in `to`, in the authority's axis order (OGC API Features Part 2).
    pub fn new(table: &Table, to: Crs) -> Result<FeatureEncoder, CrsError> {
        Self::with_axes(table, to, true)
    }

    pub fn with_axes(table: &Table, to: Crs, authority_axes: bool) -> Result<FeatureEncoder, CrsError> {
        Ok(FeatureEncoder {
            keys: PropertyKeys::new(table.fields.iter().map(|f| f.name.as_str())),
            map: CoordinateMap::new(table.crs, to, authority_axes)?,
        })
    }

    pub fn write(&mut self, out: &mut Vec<u8>, feature: &Feature) {
        let (keys, decimals) = (&self.keys, self.map.decimals);
        self.map.run(|map| {
            let mut writer = GeometryWriter::new(map, decimals);
            let geometry = feature.geometry.as_deref().and_then(|b| wkb::reader::read_wkb(b).ok());
            write_feature(out, feature.id.as_ref(), keys, &feature.properties, geometry.as_ref(), &mut writer);
        });
    }
}
