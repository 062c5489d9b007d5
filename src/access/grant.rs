//! The rules of the `[access]` section, resolved against the layers at start-up, and the grant
//! they give a set of groups on one layer: the one decision every face applies.

use ogc::crs::Crs;
use ogc::filter::{Expr, Filter, SpatialOp};

use std::sync::Arc;

use super::config::{AccessConfig, AreaConfig, ModerationConfig, Right, RuleConfig};
use super::moderation::Moderated;
use crate::config::{ConfigError, Origin};
use crate::registry::Registry;
use crate::source::{Query, Table};

/// What a caller does with a layer; faces name the one they serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// WMS GetMap, WMTS and OGC API map tiles.
    Map,
    /// WMS and WMTS GetFeatureInfo.
    FeatureInfo,
    /// WFS, OGC API Features (items, schemas, queryables).
    Features,
    /// Vector tiles (OGC API Tiles, WMTS).
    VectorTiles,
    Insert,
    Update,
    Delete,
}

impl Operation {
    const ALL: [(Operation, &'static str); 7] = [
        (Operation::Map, "map"),
        (Operation::FeatureInfo, "feature_info"),
        (Operation::Features, "features"),
        (Operation::VectorTiles, "vector_tiles"),
        (Operation::Insert, "insert"),
        (Operation::Update, "update"),
        (Operation::Delete, "delete"),
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    fn is_write(self) -> bool {
        matches!(self, Operation::Insert | Operation::Update | Operation::Delete)
    }
}

/// A set of operations, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Operations(u8);

impl Operations {
    pub fn contains(self, op: Operation) -> bool {
        self.0 & op.bit() != 0
    }

    fn of_right(right: Right) -> Operations {
        Operations(Operation::ALL.iter().filter(|(op, _)| right == Right::Write || !op.is_write()).fold(0, |a, (op, _)| a | op.bit()))
    }
}

/// What a caller may do on the part of a layer a right covers.
#[derive(Debug, Clone)]
pub struct Restriction {
    pub operations: Operations,
    /// Where the right holds, in the layer's storage CRS; `None`: everywhere.
    pub area: Option<geo_types::Geometry<f64>>,
    /// The rows the right covers (area and row filters), bound to the layer's table; `None`:
    /// every row.
    pub filter: Option<Filter>,
}

/// A caller's rights on one layer.
#[derive(Debug, Clone)]
pub struct Grant {
    pub read: Restriction,
    /// `None` when no rule of the caller's groups gives the write right.
    pub write: Option<Restriction>,
    /// Whether a rule of any group gives the write right on the layer: a write no one may make
    /// is refused as not allowed (405), one another login could make as not permitted (401/403).
    pub editable: bool,
    /// Attributes the caller never sees.
    pub hidden: Vec<String>,
    /// Set on a moderated layer.
    pub moderation: Option<Moderated>,
    /// 0 when the grant restricts nothing that is read (every row, every attribute), so open
    /// callers share cached tiles; otherwise a hash of what it restricts, which keys the
    /// tile cache and the ETags.
    pub hash: u64,
}

impl Grant {
    pub fn allows(&self, op: Operation) -> bool {
        match op.is_write() {
            true => self.write.as_ref().is_some_and(|w| w.operations.contains(op)),
            false => self.read.operations.contains(op),
        }
    }
}

/// A rule resolved against the layers: which it covers and its row clause on each.
struct Rule {
    group: String,
    right: Right,
    operations: Operations,
    hidden: Vec<String>,
    area: Option<(geo_types::Geometry<f64>, Crs)>,
    /// Per layer id it covers: its clause (area and row filter) bound to the layer's table.
    layers: Vec<(String, Option<Filter>)>,
}

pub struct Rules {
    rules: Vec<Rule>,
    moderation: Vec<Arc<ModerationConfig>>,
}

impl Rules {
    pub async fn build(c: &AccessConfig, registry: &Registry, o: &Origin) -> Result<Rules, ConfigError> {
        let mut rules = Vec::new();
        for (i, spanned) in c.rules.iter().enumerate() {
            let r = spanned.get_ref();
            let err = |key: &str, m: String| o.error(Some(spanned.span()), format!("access.rules[{i}].{key}"), m);
            let operations = match &r.operations {
                None => Operations::of_right(r.right),
                Some(names) => {
                    let mut ops = Operations::default();
                    for n in names {
                        let Some((op, _)) = Operation::ALL.iter().find(|(_, name)| name == n) else {
                            let known: Vec<&str> = Operation::ALL.iter().map(|(_, n)| *n).collect();
                            return Err(err("operations", format!("unknown operation '{n}' (known: {})", known.join(", "))));
                        };
                        if op.is_write() && r.right != Right::Write {
                            return Err(err("operations", format!("'{n}' needs right = \"write\"")));
                        }
                        ops.0 |= op.bit();
                    }
                    ops
                }
            };
            let area = match &r.area {
                None => None,
                Some(a) => Some(area(a, registry).await.map_err(|m| err("area", m))?),
            };
            let row = match &r.filter {
                Some(text) => Some(ogc::filter::cql2_text::parse(text, None).map_err(|e| err("filter", e.to_string()))?),
                None => None,
            };
            let mut layers = Vec::new();
            let covered = registry.layers.iter().map(|l| (&l.id, &l.keywords, Some(&l.table))).chain(registry.rasters.iter().map(|l| (&l.id, &l.keywords, None)));
            for (id, keywords, table) in covered {
                if !covers(r, id, keywords) {
                    continue;
                }
                let clause = match table {
                    Some(table) => clause(table, area.as_ref(), row.as_ref(), &r.hidden).map_err(|m| err("filter", format!("on layer '{id}': {m}")))?,
                    // Imagery is not masked by areas yet: a restricted rule does not cover it
                    // (named explicitly, it is refused), rather than show more than it says.
                    None if area.is_some() || row.is_some() || !r.hidden.is_empty() => match r.layers.contains(id) {
                        true => return Err(err("area", format!("imagery layer '{id}' takes no area, filter or hidden attributes (not supported yet)"))),
                        false => continue,
                    },
                    None => None,
                };
                layers.push((id.clone(), clause));
            }
            if layers.is_empty() {
                return Err(err("layers", "covers no layer".into()));
            }
            rules.push(Rule { group: r.group.clone(), right: r.right, operations, hidden: r.hidden.clone(), area, layers });
        }
        let mut moderation: Vec<Arc<ModerationConfig>> = Vec::new();
        for (i, spanned) in c.moderation.iter().enumerate() {
            let m = spanned.get_ref();
            m.check(registry).map_err(|(key, m)| o.error(Some(spanned.span()), format!("access.moderation[{i}].{key}"), m))?;
            let err = |m: String| o.error(Some(spanned.span()), format!("access.moderation[{i}].layer"), m);
            if moderation.iter().any(|other| other.layer == m.layer) {
                return Err(err(format!("layer '{}' is moderated twice", m.layer)));
            }
            // Contributions are told apart by their author's login.
            if rules.iter().any(|r| r.group == super::ANONYMOUS && r.right == Right::Write && r.layers.iter().any(|(l, _)| *l == m.layer)) {
                return Err(err(format!("anonymous callers may write moderated layer '{}': its contributors must log in", m.layer)));
            }
            moderation.push(Arc::new(m.clone()));
        }
        Ok(Rules { rules, moderation })
    }

    /// Whether what `groups` see depends on the caller's login too: they read a moderated
    /// layer without moderating it, so they see their own contributions.
    pub fn personal(&self, groups: &[String]) -> bool {
        self.moderation.iter().any(|m| !m.moderates(groups) && self.matching(groups, &m.layer).next().is_some())
    }

    fn matching<'a>(&'a self, groups: &'a [String], id: &'a str) -> impl Iterator<Item = (&'a Rule, &'a Option<Filter>)> {
        self.rules.iter().filter(|r| groups.contains(&r.group)).filter_map(move |r| r.layers.iter().find(|(l, _)| l == id).map(|(_, c)| (r, c)))
    }

    /// The grant of `groups` (logged in as `name`) on layer `id` (of `table` for vector
    /// layers); `None`: the layer is not theirs to see.
    pub fn grant(&self, groups: &[String], name: Option<&str>, id: &str, table: Option<&Table>) -> Option<Grant> {
        let matching: Vec<(&Rule, &Option<Filter>)> = self.matching(groups, id).collect();
        if matching.is_empty() {
            return None;
        }
        let hidden: Vec<String> = matching[0].0.hidden.iter().filter(|h| matching.iter().all(|(r, _)| r.hidden.contains(h))).cloned().collect();
        let mut read = combine(&matching, table.map(|t| t.crs));
        let writers: Vec<_> = matching.iter().copied().filter(|(r, _)| r.right == Right::Write).collect();
        let mut write = (!writers.is_empty()).then(|| combine(&writers, table.map(|t| t.crs)));
        let moderation =
            self.moderation.iter().find(|m| m.layer == id).map(|m| Moderated { rule: m.clone(), moderator: m.moderates(groups) });
        if let (Some(m), Some(table)) = (&moderation, table)
            && !m.moderator
        {
            read.filter = Filter::all(read.filter.take().into_iter().chain([m.rule.visible(table, name)]).collect());
            if let Some(w) = &mut write {
                w.filter = Filter::all(w.filter.take().into_iter().chain([m.rule.writable(table, name)]).collect());
            }
        }
        let hash = match (&read.filter, hidden.is_empty()) {
            (None, true) => 0,
            (filter, _) => xxhash_rust::xxh3::xxh3_64(format!("{filter:?}{hidden:?}{:?}", read.area).as_bytes()) | 1,
        };
        let editable = self.rules.iter().any(|r| r.right == Right::Write && r.layers.iter().any(|(l, _)| l == id));
        Some(Grant { read, write, editable, hidden, moderation, hash })
    }
}

fn covers(r: &RuleConfig, id: &str, keywords: &[String]) -> bool {
    r.layers.iter().any(|l| l == "*" || l == id) || r.keywords.iter().any(|k| keywords.iter().any(|lk| lk.eq_ignore_ascii_case(k)))
}

/// The union of the rules' rights: any operation one allows, rows any covers (a rule without
/// a clause covers them all), anywhere one holds.
fn combine(rules: &[(&Rule, &Option<Filter>)], storage: Option<Crs>) -> Restriction {
    let operations = Operations(rules.iter().fold(0, |a, (r, _)| a | r.operations.0));
    let filter = match rules.iter().map(|(_, c)| (*c).clone()).collect::<Option<Vec<Filter>>>() {
        Some(mut clauses) if clauses.len() == 1 => clauses.pop(),
        Some(clauses) => Some(Filter::Or(clauses)),
        None => None,
    };
    let area = match (storage, rules.iter().map(|(r, _)| r.area.as_ref()).collect::<Option<Vec<_>>>()) {
        (Some(crs), Some(areas)) => union_in(&areas, crs),
        _ => None,
    };
    Restriction { operations, area, filter }
}

/// The areas transformed into `crs` and joined.
fn union_in(areas: &[&(geo_types::Geometry<f64>, Crs)], crs: Crs) -> Option<geo_types::Geometry<f64>> {
    use geo::MapCoords;
    let mut parts = Vec::new();
    for (g, from) in areas {
        let t = crate::crs::Transform::to_storage(*from, false, crs).ok()?;
        let g = g.try_map_coords(|c| t.convert(c.x, c.y).map(|(x, y)| geo_types::coord! { x: x, y: y }).ok_or(())).ok()?;
        parts.push(g);
    }
    Some(join(parts))
}

/// A rule's clause on one table: its area and row filter, bound to the table (hidden columns
/// included, since the rule's own filter may read them).
fn clause(table: &Table, area: Option<&(geo_types::Geometry<f64>, Crs)>, row: Option<&Filter>, hidden: &[String]) -> Result<Option<Filter>, String> {
    for h in hidden {
        if table.field(h).is_none() {
            return Err(format!("hidden attribute '{h}' is not a field of the layer"));
        }
    }
    let mut parts = Vec::new();
    if let Some((g, crs)) = area {
        let f = Filter::Spatial {
            op: SpatialOp::Intersects,
            left: Expr::Property(table.geometry_column.clone()),
            right: Expr::Geometry { geometry: g.clone(), crs: Some(*crs), authority_axes: false },
        };
        parts.push(crate::bind::bind(f, table, *crs).map_err(|e| e.to_string())?);
    }
    if let Some(f) = row {
        parts.push(crate::bind::bind(f.clone(), table, Crs::Crs84).map_err(|e| e.to_string())?);
    }
    Ok(Filter::all(parts))
}

/// An area as a geometry and its CRS: the WKT polygon given, or the features of a layer.
async fn area(a: &AreaConfig, registry: &Registry) -> Result<(geo_types::Geometry<f64>, Crs), String> {
    match a {
        AreaConfig::Wkt { wkt, crs } => {
            let crs = Crs::parse(crs).map_err(|e| e.to_string())?;
            // The CQL2 parser reads WKT literals, with errors that point at the character.
            let parsed = ogc::filter::cql2_text::parse(&format!("S_INTERSECTS(geometry, {wkt})"), Some(crs)).map_err(|e| format!("wkt: {e}"))?;
            match parsed {
                Filter::Spatial { right: Expr::Geometry { geometry, .. }, .. } => Ok((geometry, crs)),
                _ => Err("wkt: not a geometry".into()),
            }
        }
        AreaConfig::Layer { layer, filter } => {
            use futures_util::TryStreamExt;
            let l = registry.layer(layer).ok_or_else(|| format!("no vector layer '{layer}'"))?;
            let filter = match filter {
                Some(text) => {
                    let f = ogc::filter::cql2_text::parse(text, None).map_err(|e| format!("filter: {e}"))?;
                    Some(crate::bind::bind(f, &l.table, Crs::Crs84).map_err(|e| format!("filter: {e}"))?)
                }
                None => None,
            };
            let features: Vec<_> = l.source.features(l.table.clone(), Query { filter, ..Query::default() }).try_collect().await.map_err(|e| format!("layer '{layer}': {e}"))?;
            let mut parts = Vec::new();
            for f in features {
                let Some(wkb) = f.geometry else { continue };
                let g = wkb::reader::read_wkb(&wkb).map_err(|e| e.to_string())?;
                parts.push(geo_traits::to_geo::ToGeoGeometry::to_geometry(&g));
            }
            match parts.is_empty() {
                true => Err(format!("the filter selects no feature of '{layer}'")),
                false => Ok((join(parts), l.table.crs)),
            }
        }
    }
}

/// Polygons joined as one multipolygon (what both SQL dialects test fastest), anything else
/// as a collection.
fn join(mut parts: Vec<geo_types::Geometry<f64>>) -> geo_types::Geometry<f64> {
    use geo_types::Geometry as G;
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let mut polygons = Vec::new();
    for p in &parts {
        match p {
            G::Polygon(p) => polygons.push(p.clone()),
            G::MultiPolygon(m) => polygons.extend(m.0.iter().cloned()),
            _ => return G::GeometryCollection(parts.into()),
        }
    }
    G::MultiPolygon(polygons.into())
}
