//! GeoTIFF tags to a north-up [`Georef`] and an EPSG code.

use crate::{CogError, Georef};

const GT_RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_CS_TYPE: u16 = 3072;
const RASTER_PIXEL_IS_POINT: u16 = 2;
/// "User-defined" in GeoTIFF: the CRS is described by other keys, with no EPSG code.
const USER_DEFINED: u16 = 32767;

/// The georeferencing tags of the full-resolution image, as read.
#[derive(Default)]
pub(crate) struct GeoTags {
    pub pixel_scale: Option<Vec<f64>>,
    pub tiepoint: Option<Vec<f64>>,
    pub transformation: Option<Vec<f64>>,
    pub geokeys: Option<Vec<u16>>,
}

pub(crate) fn georef(tags: &GeoTags) -> Result<Georef, CogError> {
    let (mut origin_x, mut origin_y, pixel_width, pixel_height) =
        match (&tags.pixel_scale, &tags.tiepoint, &tags.transformation) {
            (Some(scale), Some(tie), _) if scale.len() >= 2 && tie.len() >= 6 => {
                let (sx, sy) = (scale[0], scale[1]);
                // The tiepoint ties raster (i, j) to model (x, y); rows go south.
                (tie[3] - tie[0] * sx, tie[4] + tie[1] * sy, sx, sy)
            }
            (_, _, Some(m)) if m.len() >= 16 => {
                if m[1] != 0.0 || m[4] != 0.0 {
                    return Err(CogError::Unsupported("rotated or sheared georeferencing".into()));
                }
                (m[3], m[7], m[0], -m[5])
            }
            _ => {
                return Err(CogError::Invalid(
                    "no georeferencing (ModelPixelScale + ModelTiepoint or ModelTransformation)".into(),
                ));
            }
        };
    let finite = [origin_x, origin_y, pixel_width, pixel_height].iter().all(|v| v.is_finite());
    if !finite || pixel_width == 0.0 || pixel_height == 0.0 {
        return Err(CogError::Invalid(format!(
            "degenerate georeferencing (pixel size {pixel_width} x {pixel_height})"
        )));
    }
    if pixel_width < 0.0 || pixel_height < 0.0 {
        return Err(CogError::Unsupported(format!(
            "georeferencing that is not north-up (pixel size {pixel_width} x {pixel_height})"
        )));
    }
    let keys = geokeys(tags.geokeys.as_deref().unwrap_or(&[]));
    let key = |id: u16| keys.iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
    if key(GT_RASTER_TYPE) == Some(RASTER_PIXEL_IS_POINT) {
        // Tiepoints name pixel centres: move to the outer corner as GDAL does.
        origin_x -= pixel_width / 2.0;
        origin_y += pixel_height / 2.0;
    }
    let code = |id| key(id).filter(|&v| v != 0 && v != USER_DEFINED).map(u32::from);
    let epsg = code(PROJECTED_CS_TYPE).or_else(|| code(GEOGRAPHIC_TYPE));
    Ok(Georef { epsg, origin_x, origin_y, pixel_width, pixel_height })
}

/// The SHORT-valued keys of a GeoKeyDirectory: `[version, revision, minor, count]` then
/// `count` entries of `[key, location, count, value]`, the value inline when location is 0.
fn geokeys(directory: &[u16]) -> Vec<(u16, u16)> {
    let count = directory.get(3).copied().unwrap_or(0) as usize;
    directory.get(4..).unwrap_or(&[]).chunks_exact(4).take(count).filter(|e| e[1] == 0).map(|e| (e[0], e[3])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(keys: Vec<u16>) -> GeoTags {
        GeoTags {
            pixel_scale: Some(vec![0.2, 0.2, 0.0]),
            tiepoint: Some(vec![0.0, 0.0, 0.0, 650000.0, 6862000.0, 0.0]),
            geokeys: Some(keys),
            ..Default::default()
        }
    }

    #[test]
    fn projected_pixel_is_area() {
        let g = georef(&tags(vec![1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 2154])).unwrap();
        assert_eq!(
            g,
            Georef { epsg: Some(2154), origin_x: 650000.0, origin_y: 6862000.0, pixel_width: 0.2, pixel_height: 0.2 }
        );
    }

    #[test]
    fn pixel_is_point_moves_to_the_corner_and_geographic_code() {
        let g = georef(&tags(vec![1, 1, 0, 2, 1025, 0, 1, 2, 2048, 0, 1, 4326])).unwrap();
        assert_eq!(g.epsg, Some(4326));
        assert_eq!((g.origin_x, g.origin_y), (650000.0 - 0.1, 6862000.0 + 0.1));
    }

    #[test]
    fn transformation_matrix_and_refusals() {
        let mut m = vec![0.0; 16];
        (m[0], m[3], m[5], m[7]) = (0.5, 100.0, -0.5, 200.0);
        let t = GeoTags { transformation: Some(m.clone()), ..Default::default() };
        let g = georef(&t).unwrap();
        assert_eq!((g.origin_x, g.origin_y, g.pixel_width, g.pixel_height, g.epsg), (100.0, 200.0, 0.5, 0.5, None));
        m[1] = 0.1;
        assert!(matches!(
            georef(&GeoTags { transformation: Some(m), ..Default::default() }),
            Err(CogError::Unsupported(_))
        ));
        assert!(matches!(georef(&GeoTags::default()), Err(CogError::Invalid(_))));
        // A truncated key directory is read as far as it goes.
        assert_eq!(georef(&tags(vec![1, 1, 0, 9, 3072, 0])).unwrap().epsg, None);
    }
}
