//! `ossature seed`: renders the tiles of an area ahead of use into the disk tier, with a
//! progress bar. A run that stops can be started again: tiles already on disk are skipped.

use std::ops::RangeInclusive;
use std::sync::Arc;

use futures_util::StreamExt;
use geo::{BoundingRect, Intersects, MapCoords};
use geo_traits::to_geo::ToGeoGeometry;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::tiles::TileFormat;
use ogc::tms::TileMatrixSet;
use rstar::{AABB, RTree, RTreeObject};

use crate::crs::Transform;
use crate::raster::RasterLayer;
use crate::registry::Registry;
use crate::services::maptiles::{self, TileError};
use crate::source::Query;

/// Where to seed.
pub enum Area {
    /// The whole imagery.
    Extent,
    /// A longitude/latitude box.
    Bbox(Bbox),
    /// The features of a polygon layer (and an optional CQL2 filter), such as communes.
    Features { layer: String, filter: Option<String> },
}

pub struct Plan {
    pub layer: Arc<RasterLayer>,
    pub set: TileMatrixSet,
    pub zooms: RangeInclusive<usize>,
    pub format: TileFormat,
    pub area: Area,
    pub jobs: usize,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub rendered: u64,
    pub skipped: u64,
    pub out_of_range: u64,
}

struct Shape(geo::Geometry<f64>, AABB<[f64; 2]>);

impl RTreeObject for Shape {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.1
    }
}

/// The tiles of the plan, in seeding order (coarse levels first).
pub async fn tiles(registry: &Registry, plan: &Plan) -> anyhow::Result<Vec<(usize, u32, u32)>> {
    let set = &plan.set;
    let extent = plan.layer.extent_in(set).ok_or_else(|| anyhow::anyhow!("the imagery cannot be expressed in {}", set.crs))?;
    let (area, shapes) = match &plan.area {
        Area::Extent => (extent, None),
        Area::Bbox(b) => {
            let t = Transform::to_storage(Crs::Crs84, false, set.crs)?;
            let b = t.envelope(b).ok_or_else(|| anyhow::anyhow!("the box cannot be expressed in {}", set.crs))?;
            (b.intersection(&extent).ok_or_else(|| anyhow::anyhow!("the box does not meet the imagery"))?, None)
        }
        Area::Features { layer, filter } => {
            let shapes = features_in(registry, layer, filter.as_deref(), set.crs).await?;
            let tree = RTree::bulk_load(shapes);
            (extent, Some(tree))
        }
    };
    let mut out = Vec::new();
    for limits in set.limits(&area, plan.zooms.clone()) {
        let (z, matrix) = set.matrix(&limits.tile_matrix).expect("limits name the set's matrices");
        for row in limits.min_row..=limits.max_row {
            for col in limits.min_col..=limits.max_col {
                if let Some(tree) = &shapes {
                    let b = matrix.tile_bbox(row, col);
                    let rect = geo::Rect::new(geo::coord! { x: b.min_x, y: b.min_y }, geo::coord! { x: b.max_x, y: b.max_y });
                    let env = AABB::from_corners([b.min_x, b.min_y], [b.max_x, b.max_y]);
                    if !tree.locate_in_envelope_intersecting(&env).any(|s| s.0.intersects(&rect)) {
                        continue;
                    }
                }
                out.push((z, row, col));
            }
        }
    }
    Ok(out)
}

/// The geometries of a vector layer's features, in `crs`.
async fn features_in(registry: &Registry, id: &str, filter: Option<&str>, crs: Crs) -> anyhow::Result<Vec<Shape>> {
    let layer = registry.layer(id).ok_or_else(|| anyhow::anyhow!("no vector layer '{id}'"))?;
    let filter = match filter {
        Some(text) => Some(crate::bind::bind(ogc::filter::cql2_text::parse(text, None)?, &layer.table, Crs::Crs84).map_err(|e| anyhow::anyhow!("{}", e.0))?),
        None => None,
    };
    let t = Transform::from_storage(layer.table.crs, crs, false)?;
    let mut stream = layer.source.features(layer.table.clone(), Query { filter, ..Query::default() });
    let mut shapes = Vec::new();
    while let Some(f) = stream.next().await {
        let Some(wkb) = f?.geometry else { continue };
        let Ok(g) = wkb::reader::read_wkb(&wkb) else { continue };
        let Ok(g) = g.to_geometry().try_map_coords(|c| t.convert(c.x, c.y).map(|(x, y)| geo::coord! { x: x, y: y }).ok_or(())) else { continue };
        if let Some(r) = g.bounding_rect() {
            shapes.push(Shape(g, AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])));
        }
    }
    if shapes.is_empty() {
        anyhow::bail!("layer '{id}' has no feature to seed within");
    }
    Ok(shapes)
}

/// Renders every tile of `tiles` that is not on disk yet, `plan.jobs` at a time.
pub async fn run(registry: &Registry, plan: &Plan, tiles: &[(usize, u32, u32)], progress: &indicatif::ProgressBar) -> anyhow::Result<Report> {
    if !registry.tiles.has_disk() {
        anyhow::bail!("seeding needs the disk tier: set tile_cache.disk in the configuration");
    }
    let mut report = Report::default();
    let mut results = futures_util::stream::iter(tiles.iter().copied())
        .map(|(z, row, col)| async move {
            let key = crate::tiles::TileKey { layer: plan.layer.id.as_str().into(), style: "default".into(), tms: plan.set.id.as_str().into(), z: z as u8, row, col, format: plan.format };
            if registry.tiles.on_disk(&key).await {
                return Ok(false);
            }
            maptiles::map_tile(registry, &plan.layer, &plan.set, "default", (z, row, col), plan.format).await.map(|_| true)
        })
        .buffer_unordered(plan.jobs.max(1));
    while let Some(r) = results.next().await {
        match r {
            Ok(true) => report.rendered += 1,
            Ok(false) => report.skipped += 1,
            Err(TileError::OutOfRange(_)) => report.out_of_range += 1,
            Err(TileError::Raster(e)) => anyhow::bail!("{e}"),
        }
        progress.inc(1);
    }
    Ok(report)
}
