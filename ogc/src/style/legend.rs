//! What a legend (WMS GetLegendGraphic, a capabilities `LegendURL`) draws for a style: one entry
//! per rule, labelled by the rule's title or name, with the symbolizers to draw a sample with.
//!
//! Kept next to the model, and pure, so that the WMS face and the renderer agree on which rules a
//! legend shows (those applying at the requested scale, in drawing order) without either
//! re-walking the style tree.

use super::model::{Color, ColorMap, Graphic, Rule, Symbolizer, UserStyle};

/// One line of a legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry<'a> {
    /// The rule's title, else its name, else empty (a legend then shows the symbol alone).
    pub label: String,
    pub rule: &'a Rule,
    /// What to draw the sample with, in order.
    pub symbolizers: &'a [Symbolizer],
    /// The rule's `LegendGraphic`, drawn instead of a sample when present.
    pub legend_graphic: Option<&'a Graphic>,
}

/// The legend entries of `style`: every rule of every feature type style in drawing order, or
/// only those applying at `scale_denominator` when one is given (GetLegendGraphic `SCALE`).
pub fn legend_entries(style: &UserStyle, scale_denominator: Option<f64>) -> Vec<LegendEntry<'_>> {
    style
        .feature_type_styles
        .iter()
        .flat_map(|fts| fts.rules.iter())
        .filter(|rule| scale_denominator.is_none_or(|s| rule.applies_at(s)))
        .map(|rule| LegendEntry {
            label: rule.label().unwrap_or_default().to_string(),
            rule,
            symbolizers: &rule.symbolizers,
            legend_graphic: rule.legend_graphic.as_ref(),
        })
        .collect()
}

impl UserStyle {
    /// The rule a GetLegendGraphic `RULE` parameter names.
    pub fn rule_named(&self, name: &str) -> Option<&Rule> {
        self.feature_type_styles.iter().flat_map(|f| f.rules.iter()).find(|r| r.name.as_deref() == Some(name))
    }
}

impl ColorMap {
    /// The classes a raster legend lists, in order: colour and label (the entry's label, else its
    /// value or range). Transparent classes are left out.
    pub fn legend_items(&self) -> Vec<(Color, String)> {
        let number = |v: f64| v.to_string();
        let mut items: Vec<(Color, String)> = match self {
            ColorMap::Ramp(entries) | ColorMap::Values(entries) => {
                entries.iter().map(|e| (e.color, e.label.clone().unwrap_or_else(|| number(e.quantity)))).collect()
            }
            ColorMap::Categorize(c) => {
                let label = |i: usize, fallback: String| c.labels.get(i).cloned().flatten().unwrap_or(fallback);
                let mut items = Vec::with_capacity(c.steps.len() + 1);
                let first = c.steps.first().map_or_else(String::new, |(t, _)| format!("< {}", number(*t)));
                items.push((c.below, label(0, first)));
                for (i, (threshold, color)) in c.steps.iter().enumerate() {
                    let range = match c.steps.get(i + 1) {
                        Some((next, _)) => format!("{} - {}", number(*threshold), number(*next)),
                        None => format!(">= {}", number(*threshold)),
                    };
                    items.push((*color, label(i + 1, range)));
                }
                items
            }
        };
        items.retain(|(color, _)| color.a > 0);
        items
    }
}
