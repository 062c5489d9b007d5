//! A parsed request checked against what the capabilities advertise, so each refusal gets the
//! exception code and locator WMTS 1.0.0 prescribes (unknown names are
//! `InvalidParameterValue`, rows and columns outside the matrix or the layer's limits
//! `TileOutOfRange`, pixels outside the tile `PointIJOutOfRange`).

use super::capabilities::{Capabilities, DEFAULT_STYLE, Layer};
use super::error::{ExceptionCode, WmtsError};
use super::request::{GetFeatureInfo, GetTile, TileAddress};
use crate::tms::{TileMatrix, TileMatrixSet};

/// Where an accepted request points.
#[derive(Clone, Copy, Debug)]
pub struct Located<'a> {
    pub layer: &'a Layer,
    /// The style to render, the default one resolved.
    pub style: &'a str,
    pub set: &'a TileMatrixSet,
    /// The zoom level: the matrix's index in `set`.
    pub z: usize,
    pub matrix: &'a TileMatrix,
}

impl<'c> Capabilities<'c> {
    /// Checks a GetTile request: layer, style, format, tile matrix set, matrix and tile.
    pub fn check_tile(&self, req: &GetTile) -> Result<Located<'c>, WmtsError> {
        let found = self.locate(&req.tile)?;
        if !found.layer.formats.contains(&req.format) {
            return Err(WmtsError::invalid(
                "Format",
                format!("layer '{}' is not offered as {}", found.layer.id, req.format.media_type()),
            ));
        }
        Ok(found)
    }

    /// Checks a GetFeatureInfo request: the tile as for GetTile, then the info format and the
    /// pixel.
    pub fn check_feature_info(&self, req: &GetFeatureInfo) -> Result<Located<'c>, WmtsError> {
        let found = self.locate(&req.tile)?;
        let layer = found.layer;
        if layer.info_formats.is_empty() {
            return Err(WmtsError::new(
                ExceptionCode::OperationNotSupported,
                "GetFeatureInfo",
                format!("layer '{}' cannot be queried", layer.id),
            ));
        }
        if !layer.info_formats.iter().any(|f| f.eq_ignore_ascii_case(&req.info_format)) {
            return Err(WmtsError::invalid(
                "InfoFormat",
                format!(
                    "'{}' is not an info format of layer '{}' ({})",
                    req.info_format,
                    layer.id,
                    layer.info_formats.join(", ")
                ),
            ));
        }
        for (locator, v, size) in [("I", req.i, found.matrix.tile_width), ("J", req.j, found.matrix.tile_height)] {
            if v >= size {
                return Err(WmtsError::new(
                    ExceptionCode::PointIJOutOfRange,
                    locator,
                    format!("{locator} must be below {size}, the tile size"),
                ));
            }
        }
        Ok(found)
    }

    fn locate(&self, t: &TileAddress) -> Result<Located<'c>, WmtsError> {
        let layer =
            self.layer(&t.layer).ok_or_else(|| WmtsError::invalid("Layer", format!("no layer '{}'", t.layer)))?;
        let style = resolve_style(layer, &t.style)?;
        let link =
            layer.tile_matrix_set_links.iter().find(|l| l.tile_matrix_set == t.tile_matrix_set).ok_or_else(|| {
                WmtsError::invalid(
                    "TileMatrixSet",
                    format!("layer '{}' is not offered in tile matrix set '{}'", layer.id, t.tile_matrix_set),
                )
            })?;
        let set = self.tile_matrix_set(&t.tile_matrix_set).ok_or_else(|| {
            WmtsError::invalid("TileMatrixSet", format!("no tile matrix set '{}'", t.tile_matrix_set))
        })?;
        let (z, matrix) = set.matrix(&t.tile_matrix).ok_or_else(|| {
            WmtsError::invalid(
                "TileMatrix",
                format!("tile matrix set '{}' has no tile matrix '{}'", set.id, t.tile_matrix),
            )
        })?;
        let out = |locator: &str, what: &str| {
            WmtsError::new(
                ExceptionCode::TileOutOfRange,
                locator,
                format!("{what} is outside tile matrix '{}' of '{}' for layer '{}'", matrix.id, set.id, layer.id),
            )
        };
        let limits = link.limits.iter().find(|l| l.tile_matrix == matrix.id);
        if !link.limits.is_empty() && limits.is_none() {
            return Err(WmtsError::invalid(
                "TileMatrix",
                format!("layer '{}' has no tiles in tile matrix '{}' of '{}'", layer.id, matrix.id, set.id),
            ));
        }
        let (row_inside, col_inside) = match limits {
            Some(l) => ((l.min_row..=l.max_row).contains(&t.row), (l.min_col..=l.max_col).contains(&t.col)),
            None => (t.row < matrix.matrix_height, t.col < matrix.matrix_width),
        };
        if !row_inside {
            return Err(out("TileRow", &format!("row {}", t.row)));
        }
        if !col_inside {
            return Err(out("TileCol", &format!("column {}", t.col)));
        }
        Ok(Located { layer, style, set, z, matrix })
    }
}

/// An empty style, or `default` when no style has that id, is the layer's default style.
fn resolve_style<'a>(layer: &'a Layer, requested: &str) -> Result<&'a str, WmtsError> {
    if let Some(s) = layer.styles.iter().find(|s| s.id == requested) {
        return Ok(&s.id);
    }
    if requested.is_empty() || requested == DEFAULT_STYLE {
        return Ok(layer.default_style());
    }
    Err(WmtsError::invalid("Style", format!("layer '{}' has no style '{requested}'", layer.id)))
}
