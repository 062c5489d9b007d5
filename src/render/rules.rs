//! Which rules of a feature type style draw a feature.
//!
//! A rule's filter reads a few properties (a land-cover style tests `code_cs` against each class),
//! and a map draws thousands of features sharing a handful of values of them: evaluating every
//! filter for every feature was a fifth of a land-cover map's time. The rules matched are
//! therefore remembered per distinct tuple of the values the filters read (and the id when a
//! filter selects ids), for the first [`REMEMBERED`] tuples; past them (a filter on a
//! continuous value such as a population) each feature is evaluated as before.

use ogc::filter::eval;
use ogc::style::{ActiveRules, Rule, Selector};
use ogc::value::Value;

use super::features::Drawn;

/// Distinct tuples remembered. Looked up by a linear scan, which stays cheaper than evaluating
/// the filters at this length, and bounds the scan when values hardly repeat.
const REMEMBERED: usize = 64;

pub struct RuleResolver<'r, 'f> {
    active: ActiveRules<'r>,
    /// The properties the filters read, each once.
    reads: Vec<&'r str>,
    reads_ids: bool,
    seen: Vec<(Vec<Option<&'f Value>>, Vec<&'r Rule>)>,
    /// The tuple of the feature being resolved, and its rules when they are not remembered.
    key: Vec<Option<&'f Value>>,
    unremembered: Vec<&'r Rule>,
}

impl<'r, 'f> RuleResolver<'r, 'f> {
    pub fn new(active: ActiveRules<'r>) -> Self {
        let filters = || {
            active.filtered.iter().filter_map(|r| match &r.selector {
                Selector::Filter(f) => Some(f),
                Selector::All | Selector::Else => None,
            })
        };
        let mut reads: Vec<&'r str> = filters().flat_map(|f| f.properties()).collect();
        reads.sort_unstable();
        reads.dedup();
        let reads_ids = filters().any(|f| f.selects_ids());
        RuleResolver { reads, reads_ids, active, seen: Vec::new(), key: Vec::new(), unremembered: Vec::new() }
    }

    /// The rules drawing `f`: every filtered rule it matches, else the `ElseFilter` rules.
    pub fn rules(&mut self, f: &Drawn<'f>) -> Result<&[&'r Rule], String> {
        self.key.clear();
        self.key.extend(self.reads.iter().map(|name| f.value(name)));
        if self.reads_ids {
            self.key.push(f.feature.id.as_ref());
        }
        if let Some(i) = self.seen.iter().position(|(k, _)| *k == self.key) {
            return Ok(&self.seen[i].1);
        }
        let rules = self.evaluate(f)?;
        if self.seen.len() < REMEMBERED {
            self.seen.push((self.key.clone(), rules));
            return Ok(&self.seen[self.seen.len() - 1].1);
        }
        self.unremembered = rules;
        Ok(&self.unremembered)
    }

    fn evaluate(&self, f: &Drawn<'f>) -> Result<Vec<&'r Rule>, String> {
        let mut matched = Vec::new();
        for rule in &self.active.filtered {
            let hit = match &rule.selector {
                Selector::Filter(filter) => eval::matches(filter, f)?,
                Selector::All | Selector::Else => true,
            };
            if hit {
                matched.push(*rule);
            }
        }
        Ok(if matched.is_empty() { self.active.else_rules.clone() } else { matched })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Feature, Field, Order, Table};
    use ogc::style::{LayerStyle, Selector};
    use ogc::value::FieldType;

    /// A class rule, an id rule, a rule on a continuous value and an `ElseFilter`.
    const STYLE: &str = r#"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
      <NamedLayer><Name>l</Name><UserStyle><FeatureTypeStyle>
        <Rule><Name>water</Name><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code</ogc:PropertyName><ogc:Literal>W</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <LineSymbolizer><Stroke/></LineSymbolizer></Rule>
        <Rule><Name>second</Name><ogc:Filter><ogc:FeatureId fid="2"/></ogc:Filter><LineSymbolizer><Stroke/></LineSymbolizer></Rule>
        <Rule><Name>big</Name><ogc:Filter><ogc:PropertyIsGreaterThan><ogc:PropertyName>size</ogc:PropertyName><ogc:Literal>150</ogc:Literal></ogc:PropertyIsGreaterThan></ogc:Filter>
          <LineSymbolizer><Stroke/></LineSymbolizer></Rule>
        <Rule><Name>other</Name><ElseFilter/><LineSymbolizer><Stroke/></LineSymbolizer></Rule>
      </FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"#;

    fn table() -> Table {
        let field = |name: &str, ty| Field { name: name.into(), ty };
        Table {
            name: "l".into(),
            geometry_column: "geom".into(),
            geometry_type: "POLYGON".into(),
            crs: ogc::crs::Crs::Epsg(2154),
            id: Some(field("id", FieldType::Integer)),
            fields: vec![field("code", FieldType::Text), field("size", FieldType::Integer)],
            extent: None,
            footprint: Vec::new(),
            temporal: None,
            temporal_extent: None,
            order: Order::Id,
            rtree: None,
            hidden: Vec::new(),
            required: Vec::new(),
        }
    }

    fn names(rules: &[&Rule]) -> Vec<String> {
        rules.iter().map(|r| r.name.clone().unwrap_or_default()).collect()
    }

    /// Remembered or not, each feature gets the rules its own evaluation gives: the id rule is
    /// not answered from another feature of the same code, and past the remembered tuples
    /// (every size differs) the answers stay right.
    #[test]
    fn remembered_rules_are_the_evaluated_ones() {
        let sld = ogc::style::parse(STYLE).unwrap();
        let LayerStyle::User(style) = &sld.layers[0].styles[0] else { panic!("a user style") };
        let fts = &style.feature_type_styles[0];
        assert!(matches!(fts.rules[3].selector, Selector::Else));
        let table = table();
        let features: Vec<Feature> = (0..300)
            .map(|i| Feature {
                id: Some(Value::Int(i % 4)),
                properties: vec![Value::Text(if i % 3 == 0 { "W" } else { "F" }.into()), Value::Int(if i < 200 { i % 2 } else { i })],
                geometry: None,
            })
            .collect();
        let drawn: Vec<Drawn> = features.iter().map(|feature| Drawn { table: &table, feature, geometry: geo::Geometry::Point(geo::Point::new(0.0, 0.0)) }).collect();
        let mut resolver = RuleResolver::new(fts.active_rules(1000.0));
        let fresh = RuleResolver::new(fts.active_rules(1000.0));
        for (i, f) in drawn.iter().enumerate() {
            let got = names(resolver.rules(f).unwrap());
            assert_eq!(got, names(&fresh.evaluate(f).unwrap()), "feature {i}");
            let mut expected = Vec::new();
            if i % 3 == 0 {
                expected.push("water");
            }
            if i % 4 == 2 {
                expected.push("second");
            }
            if i >= 200 {
                expected.push("big");
            }
            if expected.is_empty() {
                expected.push("other");
            }
            assert_eq!(got, expected, "feature {i}");
        }
        assert_eq!(resolver.seen.len(), REMEMBERED);
    }
}
