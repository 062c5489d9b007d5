//! The layer registry: built once from the configuration at start-up, read by every face.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ogc::bbox::Bbox;
use ogc::crs::Crs;

use crate::config::{Config, ConfigError, SourceConfig, expand_env};
use crate::crs::Transform;
use crate::raster::RasterLayer;
use crate::tiles::TileCache;
use crate::tiles::disk::DiskTier;
use cog::BlockCache;
use crate::source::gpkg::GeoPackage;
use crate::source::postgis::PostGis;
use crate::source::{SourceError, Table, TableRequest, VectorSource};
use crate::styles::LayerStyles;

pub struct Layer {
    pub id: String,
    pub title: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub source_name: String,
    pub source: Arc<dyn VectorSource>,
    pub table: Arc<Table>,
    /// CRSs features can be requested in: CRS84 (the default) first, then the storage CRS,
    /// EPSG:4326, EPSG:3857 and those the configuration adds.
    pub crs: Vec<Crs>,
    /// Spatial extent in CRS84.
    pub extent: Option<Bbox>,
    /// How WMS draws it, the default first.
    pub styles: Arc<LayerStyles>,
    /// How the layer is cut into vector tiles.
    pub tiles: crate::vtiles::TileSettings,
    /// The caller's rights when the layer is seen through an access view; `None`: unrestricted.
    pub grant: Option<Arc<crate::access::Grant>>,
    /// OGC API Features edits of existing features need `If-Match` (config `require_if_match`).
    pub require_if_match: bool,
}

impl Layer {
    /// 0 for layers every caller sees alike; else what keys the caller's cached tiles apart.
    pub fn grant_hash(&self) -> u64 {
        self.grant.as_ref().map_or(0, |g| g.hash)
    }
}

pub struct Registry {
    pub layers: Vec<Arc<Layer>>,
    pub sources: BTreeMap<String, Arc<dyn VectorSource>>,
    pub rasters: Vec<Arc<RasterLayer>>,
    pub tiles: TileCache,
}

impl Registry {
    pub async fn build(config: &Config) -> Result<Registry, ConfigError> {
        let o = &config.origin;
        let timeout = Duration::from_millis(config.server.limits.query_timeout_ms);
        let mut sources: BTreeMap<String, Arc<dyn VectorSource>> = BTreeMap::new();
        for (name, spanned) in &config.sources {
            let source: Arc<dyn VectorSource> = match spanned.get_ref() {
                SourceConfig::Geopackage { path } => Arc::new(
                    GeoPackage::open(&o.resolve(&expand_env(path))).map_err(|e| o.error(Some(spanned.span()), format!("sources.{name}.path"), e))?,
                ),
                SourceConfig::Postgis { url, pool_size, mvt_encoder } => Arc::new(
                    PostGis::connect(&expand_env(url), *pool_size, timeout, *mvt_encoder).map_err(|e| o.error(Some(spanned.span()), format!("sources.{name}.url"), e))?,
                ),
            };
            sources.insert(name.clone(), source);
        }
        let mut layers = Vec::new();
        for (i, lc) in config.layers.iter().enumerate() {
            let source = sources[lc.source.get_ref()].clone();
            let request = TableRequest {
                table: lc.table.get_ref().clone(),
                id_column: lc.id_column.as_ref().map(|s| s.get_ref().clone()),
                geometry_column: lc.geometry_column.as_ref().map(|s| s.get_ref().clone()),
                fields: lc.fields.as_ref().map(|s| s.get_ref().clone()),
                temporal: lc.temporal.as_ref().map(|s| s.get_ref().clone()),
            };
            let table = source.describe(&request).await.map_err(|e| {
                let (key, span, message) = match &e {
                    SourceError::Schema { key, message } => {
                        let span = match *key {
                            "id_column" => lc.id_column.as_ref().map(|s| s.span()),
                            "geometry_column" => lc.geometry_column.as_ref().map(|s| s.span()),
                            "fields" => lc.fields.as_ref().map(|s| s.span()),
                            "temporal" => lc.temporal.as_ref().map(|s| s.span()),
                            _ => None,
                        };
                        (*key, span.unwrap_or(lc.table.span()), message.clone())
                    }
                    other => ("source", lc.source.span(), format!("cannot read from source '{}': {}", lc.source.get_ref(), error_chain(other))),
                };
                o.error(Some(span), format!("layers[{i}].{key}"), message)
            })?;
            crate::crs::check(table.crs).map_err(|e| o.error(Some(lc.table.span()), format!("layers[{i}].table"), e.to_string()))?;
            let mut crs = vec![Crs::Crs84, table.crs, Crs::WGS84, Crs::WEB_MERCATOR];
            crs.extend(lc.crs.iter().filter_map(|c| Crs::parse(c.get_ref()).ok()));
            let mut seen = std::collections::HashSet::new();
            crs.retain(|c| seen.insert(*c));
            let to_crs84 = Transform::from_storage(table.crs, Crs::Crs84, true).ok();
            let files: Vec<_> = lc.styles.iter().map(|f| o.resolve(&expand_env(f.get_ref()))).collect();
            let styles = crate::styles::load(&files, &table).map_err(|(k, message)| o.error(Some(lc.styles[k].span()), format!("layers[{i}].styles[{k}]"), message))?;
            let extent = to_crs84.and_then(|t| table.extent_through(&t));
            let tiles = crate::vtiles::TileSettings::build(lc.tiles.as_ref(), &table, o, i)?;
            layers.push(Arc::new(Layer {
                id: lc.id.get_ref().clone(),
                title: lc.title.clone().unwrap_or_else(|| lc.id.get_ref().clone()),
                description: lc.abstract_.clone().unwrap_or_default(),
                keywords: lc.keywords.clone(),
                source_name: lc.source.get_ref().clone(),
                source,
                table: Arc::new(table),
                crs,
                extent,
                styles: Arc::new(styles),
                tiles,
                grant: None,
                require_if_match: lc.require_if_match,
            }));
        }
        let tc = &config.tile_cache;
        let blocks = BlockCache::new(tc.blocks_mb << 20);
        let http_timeout = Duration::from_millis(tc.http_timeout_ms);
        let mut rasters = Vec::new();
        for (i, rc) in config.rasters.iter().enumerate() {
            rasters.push(Arc::new(RasterLayer::open(i, rc, o, blocks.clone(), http_timeout).await?));
        }
        let disk = match &tc.disk {
            Some(dir) => {
                let path = o.resolve(&expand_env(dir));
                Some(DiskTier::open(path.clone(), tc.disk_mb << 20).await.map_err(|e| o.error(None, "tile_cache.disk", format!("{}: {e}", path.display())))?)
            }
            None => None,
        };
        Ok(Registry { layers, sources, rasters, tiles: TileCache::new(tc.memory_mb << 20, disk) })
    }

    pub fn layer(&self, id: &str) -> Option<&Arc<Layer>> {
        self.layers.iter().find(|l| l.id == id)
    }

    pub fn raster(&self, id: &str) -> Option<&Arc<RasterLayer>> {
        self.rasters.iter().find(|l| l.id == id)
    }
}

/// An error with its causes, for start-up messages an operator reads.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
