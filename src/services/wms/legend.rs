//! GetLegendGraphic (SLD WMS profile): an image (any map format) of a layer style's rules, each sample with its
//! label; with RULE, that rule's sample alone at WIDTH × HEIGHT; with SCALE, only the rules
//! drawn at that scale.

use axum::response::{IntoResponse, Response};
use ogc::wms::{Capabilities, ExceptionCode, GetLegendGraphic, WmsError};

use super::{Failure, MapLayer, with_type};
use crate::http::Caller;
use crate::tiles::encode::EncodeOptions;

pub async fn get_legend_graphic(state: &Caller, caps: &Capabilities<'_>, g: &GetLegendGraphic) -> Result<Response, Failure> {
    if g.sld.is_some() || g.sld_body.is_some() {
        return Err(WmsError::invalid(if g.sld.is_some() { "SLD" } else { "SLD_BODY" }, "user styles (SLD, SLD_BODY) are not supported; name a style with STYLE").into());
    }
    let resolved = caps.check_legend(g)?;
    let Some(MapLayer::Vector(layer)) = super::map_layer(state, &g.layer) else {
        return Err(WmsError::invalid("LAYER", format!("layer '{}' is imagery, which has no legend", g.layer)).into());
    };
    let style = layer.styles.get(&resolved.style).cloned().ok_or_else(|| WmsError::new(ExceptionCode::StyleNotDefined, "STYLE", format!("no style '{}'", resolved.style)))?;
    let sample = (g.width.unwrap_or(crate::render::legend::SAMPLE.0), g.height.unwrap_or(crate::render::legend::SAMPLE.1));
    if sample.0 == 0 || sample.1 == 0 {
        return Err(WmsError::invalid("WIDTH", "a legend sample needs at least one pixel").into());
    }
    let graphics = layer.styles.graphics.clone();
    let (rule, scale) = (g.rule.clone(), g.scale);
    if let Some(name) = &rule
        && style.style.rule_named(name).is_none()
    {
        return Err(WmsError::invalid("RULE", format!("style '{}' has no rule '{name}'", style.name)).into());
    }
    let image = crate::raster::on_blocking_pool(move || {
        let entries = ogc::style::legend_entries(&style.style, scale);
        let entries: Vec<_> = entries.into_iter().filter(|e| rule.as_deref().is_none_or(|r| e.rule.name.as_deref() == Some(r))).collect();
        crate::render::legend::draw(&entries, sample, rule.is_none(), &graphics).ok_or_else(|| "the legend is too large to draw".to_string())
    })
    .await?;
    let bytes = super::map::render(image, g.format, true, EncodeOptions { background: [255, 255, 255], ..EncodeOptions::default() }).await?;
    Ok(with_type(bytes.into_response(), g.format.media_type()))
}
