//! What one set of groups sees: the layers they may read, each narrowed to its grant (hidden
//! attributes gone from the schema, rows guarded in every query), and the documents built
//! from them. Faces read layers from the caller's view only, so a layer or an attribute a
//! face forgot to check cannot leak: it is not there.

use std::sync::{Arc, OnceLock};

use super::grant::{Grant, Rules};
use super::guard::Guarded;
use super::Principal;
use crate::catalogue::Catalogue;
use crate::raster::RasterLayer;
use crate::registry::{Layer, Registry};

pub struct View {
    pub layers: Vec<Arc<Layer>>,
    /// Imagery layers with the caller's grant (`None`: unrestricted).
    pub raster_grants: Vec<(Arc<RasterLayer>, Option<Arc<Grant>>)>,
    pub catalogue: Arc<Catalogue>,
    pub wmts: OnceLock<crate::services::wmts::Offer>,
    pub wms: OnceLock<crate::services::wms::Offer>,
}

impl View {
    /// Everything, unrestricted: the only view when no `[access]` section is configured.
    pub fn open(registry: &Registry, catalogue: Arc<Catalogue>) -> View {
        View::new(registry.layers.clone(), registry.rasters.iter().map(|r| (r.clone(), None)).collect(), catalogue)
    }

    fn new(layers: Vec<Arc<Layer>>, rasters: Vec<(Arc<RasterLayer>, Option<Arc<Grant>>)>, catalogue: Arc<Catalogue>) -> View {
        View { layers, raster_grants: rasters, catalogue, wmts: OnceLock::new(), wms: OnceLock::new() }
    }

    /// What `principal` may see.
    pub fn of(registry: &Registry, rules: &Rules, principal: &Principal, catalogue: &Catalogue) -> View {
        let (groups, name) = (&principal.groups, principal.name.as_deref());
        let layers: Vec<Arc<Layer>> =
            registry.layers.iter().filter_map(|l| rules.grant(groups, name, &l.id, Some(&l.table)).map(|g| Arc::new(restricted(l, g)))).collect();
        let rasters: Vec<_> =
            registry.rasters.iter().filter_map(|r| rules.grant(groups, name, &r.id, None).map(|g| (r.clone(), Some(Arc::new(g))))).collect();
        let hidden: Vec<&str> = registry
            .layers
            .iter()
            .map(|l| l.id.as_str())
            .chain(registry.rasters.iter().map(|r| r.id.as_str()))
            .filter(|id| !layers.iter().any(|l| l.id == *id) && !rasters.iter().any(|(r, _)| r.id == *id))
            .collect();
        let catalogue = Arc::new(catalogue.for_view(&hidden, groups));
        View::new(layers, rasters, catalogue)
    }

    pub fn layer(&self, id: &str) -> Option<&Arc<Layer>> {
        self.layers.iter().find(|l| l.id == id)
    }

    pub fn raster(&self, id: &str) -> Option<&Arc<RasterLayer>> {
        self.rasters().find(|r| r.id == id)
    }

    pub fn rasters(&self) -> impl Iterator<Item = &Arc<RasterLayer>> {
        self.raster_grants.iter().map(|(r, _)| r)
    }

    /// Whether the view holds a layer of that id, vector or imagery.
    pub fn has(&self, id: &str) -> bool {
        self.layer(id).is_some() || self.raster(id).is_some()
    }
}

/// The layer as a grant lets its holder see it.
fn restricted(l: &Layer, grant: Grant) -> Layer {
    let mut table = (*l.table).clone();
    if !grant.hidden.is_empty() {
        let (hidden, kept) = table.fields.into_iter().partition(|f| grant.hidden.contains(&f.name));
        table.fields = kept;
        table.hidden = hidden;
        if table.temporal.as_ref().is_some_and(|t| grant.hidden.contains(&t.name)) {
            table.temporal = None;
            table.temporal_extent = None;
        }
    }
    let source: Arc<dyn crate::source::VectorSource> = match &grant.read.filter {
        Some(clause) => Arc::new(Guarded { inner: l.source.clone(), clause: clause.clone() }),
        None => l.source.clone(),
    };
    let tiles = l.tiles.restricted_to(&table);
    Layer {
        id: l.id.clone(),
        title: l.title.clone(),
        description: l.description.clone(),
        keywords: l.keywords.clone(),
        source_name: l.source_name.clone(),
        source,
        table: Arc::new(table),
        crs: l.crs.clone(),
        extent: l.extent,
        styles: l.styles.clone(),
        tiles,
        grant: Some(Arc::new(grant)),
        require_if_match: l.require_if_match,
    }
}
