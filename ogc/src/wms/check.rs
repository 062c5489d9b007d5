//! Parsed requests checked against the layer tree and limits the capabilities advertise, so
//! every refusal gets the exception WMS prescribes: unknown layers `LayerNotDefined`, styles
//! `StyleNotDefined`, CRSs `InvalidCRS`/`InvalidSRS`, TIME `MissingDimensionValue` or
//! `InvalidDimensionValue`, layers without feature info `LayerNotQueryable`, sizes above the
//! advertised maximum `InvalidParameterValue`, update sequences `CurrentUpdateSequence` or
//! `InvalidUpdateSequence`.
//!
//! When a request carries SLD or SLD_BODY, style names are the style document's to resolve
//! (user styles are named there), so they are not checked here.

use std::cmp::Ordering;

use super::capabilities::Capabilities;
use super::error::{ExceptionCode, WmsError};
use super::layer::{Effective, LayerInfo, TimeDimension};
use super::request::{GetCapabilities, GetFeatureInfo, GetLegendGraphic, GetMap, MapRequest};
use super::time::{self, TimeValue};
use crate::crs::Crs;

/// A requested layer found in the tree, with what it inherits and the style to draw it with.
#[derive(Clone, Debug)]
pub struct Resolved<'a> {
    pub layer: &'a LayerInfo,
    /// The style's name with the default resolved; empty when the layer declares no style
    /// (or when the style is left to an SLD).
    pub style: String,
    /// TIME for this layer: the request's, or the dimension's default when it had none. `None`
    /// for a layer without time dimension (a TIME sent for it is ignored, as WMS requires).
    pub time: Option<TimeValue>,
    pub effective: Effective<'a>,
}

/// The style name clients send when they mean "the default" without knowing its name (QGIS
/// and OpenLayers examples write `default`).
const DEFAULT_STYLE: &str = "default";

impl<'c> Capabilities<'c> {
    /// UPDATESEQUENCE against the server's: equal is `CurrentUpdateSequence` (the client has
    /// the current document), greater is `InvalidUpdateSequence`. Values compare as numbers
    /// when both are integers, as text otherwise (ISO 8601 timestamps sort as text).
    pub fn check_capabilities(&self, req: &GetCapabilities) -> Result<(), WmsError> {
        let (Some(asked), Some(current)) = (req.update_sequence.as_deref(), self.update_sequence) else {
            return Ok(());
        };
        let order = match (asked.parse::<u64>(), current.parse::<u64>()) {
            (Ok(a), Ok(c)) => a.cmp(&c),
            _ => asked.cmp(current),
        };
        match order {
            Ordering::Less => Ok(()),
            Ordering::Equal => Err(WmsError::new(
                ExceptionCode::CurrentUpdateSequence,
                "UPDATESEQUENCE",
                format!("update sequence {asked} is the current one"),
            )),
            Ordering::Greater => Err(WmsError::new(
                ExceptionCode::InvalidUpdateSequence,
                "UPDATESEQUENCE",
                format!("update sequence {asked} is ahead of the server's ({current})"),
            )),
        }
    }

    /// Checks a GetMap: format, size, layer count, layers, styles, CRS and TIME.
    pub fn check_get_map(&self, req: &GetMap) -> Result<Vec<Resolved<'c>>, WmsError> {
        if !self.map_formats.contains(&req.format) {
            return Err(not_offered("FORMAT", req.format.media_type()));
        }
        self.check_map(&req.map)
    }

    /// Checks a GetFeatureInfo: the format, the map as for GetMap, then that each query layer
    /// is queryable.
    pub fn check_feature_info(&self, req: &GetFeatureInfo) -> Result<Vec<Resolved<'c>>, WmsError> {
        if !self.info_formats.contains(&req.info_format) {
            return Err(not_offered("INFO_FORMAT", req.info_format.media_type()));
        }
        let resolved = self.check_map(&req.map)?;
        for name in &req.query_layers {
            let layer = resolved.iter().find(|r| r.layer.name.as_deref() == Some(name)).map(|r| r.layer);
            if !layer.is_some_and(|l| l.queryable) {
                return Err(WmsError::new(
                    ExceptionCode::LayerNotQueryable,
                    "QUERY_LAYERS",
                    format!("layer '{name}' cannot be queried"),
                ));
            }
        }
        Ok(resolved)
    }

    /// Checks a GetLegendGraphic: the layer, its style, the size.
    pub fn check_legend(&self, req: &GetLegendGraphic) -> Result<Resolved<'c>, WmsError> {
        for (name, v, max) in
            [("WIDTH", req.width, self.limits.max_width), ("HEIGHT", req.height, self.limits.max_height)]
        {
            if let Some(v) = v {
                too_large(name, v, max)?;
            }
        }
        let path = self.path(&req.layer, "LAYER")?;
        let effective = Effective::of(&path);
        let style = if req.sld.is_some() || req.sld_body.is_some() {
            req.style.clone()
        } else {
            resolve_style(&effective, &req.style, "STYLE")?
        };
        Ok(Resolved { layer: effective.layer, style, time: None, effective })
    }

    fn path(&self, name: &str, locator: &str) -> Result<Vec<&'c LayerInfo>, WmsError> {
        self.root.path_to(name).ok_or_else(|| {
            WmsError::new(ExceptionCode::LayerNotDefined, locator, format!("no layer '{name}' on this server"))
        })
    }

    fn check_map(&self, map: &MapRequest) -> Result<Vec<Resolved<'c>>, WmsError> {
        too_large("WIDTH", map.width, self.limits.max_width)?;
        too_large("HEIGHT", map.height, self.limits.max_height)?;
        if let Some(limit) = self.limits.layer_limit
            && map.layers.len() > limit as usize
        {
            return Err(WmsError::invalid(
                "LAYERS",
                format!("{} layers requested, at most {limit} may be drawn at once", map.layers.len()),
            ));
        }
        let user_styles = map.sld.is_some() || map.sld_body.is_some();
        map.layers
            .iter()
            .zip(&map.styles)
            .map(|(name, style)| {
                let path = self.path(name, "LAYERS")?;
                let effective = Effective::of(&path);
                if !offers(&effective.crs, map.crs) {
                    return Err(WmsError::new(
                        ExceptionCode::InvalidCrs,
                        map.version.crs_parameter(),
                        format!("layer '{name}' is not offered in {}", map.crs.short()),
                    ));
                }
                let style = if user_styles { style.clone() } else { resolve_style(&effective, style, "STYLES")? };
                let time = match effective.time {
                    None => None,
                    Some(dim) => Some(check_time(name, dim, map)?),
                };
                Ok(Resolved { layer: effective.layer, style, time, effective })
            })
            .collect()
    }
}

/// A format the parser knows but this server does not produce (8-bit PNG without a quantiser,
/// GML feature info without a writer).
fn not_offered(locator: &str, media_type: &str) -> WmsError {
    WmsError::new(ExceptionCode::InvalidFormat, locator, format!("{media_type} is not offered by this server"))
}

fn too_large(name: &str, v: u32, max: u32) -> Result<(), WmsError> {
    if v > max {
        return Err(WmsError::invalid(name, format!("{name}={v} is above this server's maximum of {max} pixels")));
    }
    Ok(())
}

/// CRS:84 and EPSG:4326 are the same datum; a layer offered in one is still refused in the
/// other unless listed, because their axis orders differ and clients rely on the list.
fn offers(list: &[Crs], crs: Crs) -> bool {
    list.contains(&crs)
}

fn resolve_style(effective: &Effective, requested: &str, locator: &str) -> Result<String, WmsError> {
    if effective.styles.iter().any(|s| s.name == requested) {
        return Ok(requested.to_string());
    }
    if requested.is_empty() || requested.eq_ignore_ascii_case(DEFAULT_STYLE) {
        return Ok(effective.default_style().to_string());
    }
    let name = effective.layer.name.as_deref().unwrap_or_default();
    Err(WmsError::new(ExceptionCode::StyleNotDefined, locator, format!("layer '{name}' has no style '{requested}'")))
}

fn check_time(name: &str, dim: &TimeDimension, map: &MapRequest) -> Result<TimeValue, WmsError> {
    let Some(value) = &map.time else {
        if dim.default.is_empty() {
            return Err(WmsError::new(
                ExceptionCode::MissingDimensionValue,
                "TIME",
                format!("layer '{name}' needs a TIME value and has no default"),
            ));
        }
        // A default that does not parse is a configuration mistake, not the client's.
        return TimeValue::parse(&dim.default).map_err(|e| {
            WmsError::new(ExceptionCode::NoApplicableCode, "", format!("layer '{name}' has a bad default time: {e}"))
        });
    };
    if !time::admits(value, &dim.values, dim.current, dim.nearest_value) {
        return Err(WmsError::new(
            ExceptionCode::InvalidDimensionValue,
            "TIME",
            format!("layer '{name}' has no data at the requested TIME (offered: {})", dim.values.join(",")),
        ));
    }
    Ok(value.clone())
}
