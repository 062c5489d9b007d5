//! Vector sources behind one trait: GeoPackage (the embedded default) and PostGIS.
//!
//! A source reads its tables' schema, extent and features; filters arrive as the shared
//! [`Filter`] AST and are compiled to parameterized SQL per dialect ([`sql`]). Features leave
//! as a stream so no response ever holds a whole table.

pub mod filter_sql;
pub mod gpkg;
mod gpkg_functions;
pub mod postgis;
pub mod sql;
pub mod write;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::filter::Filter;
use ogc::value::{FieldType, Value};

use crate::crs::affine::AffineCell;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The database cannot be reached or has no free connection: retry later (503).
    #[error("the data source is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// The statement ran past the configured query timeout and was cancelled.
    #[error("the query took longer than the configured limit")]
    Timeout,
    /// A table, column or type the configuration names does not fit the data; raised at start-up.
    #[error("{key}: {message}")]
    Schema { key: &'static str, message: String },
    /// The filter uses something this source cannot evaluate (the client's request is refused,
    /// never approximated).
    #[error("not supported by this collection's source: {0}")]
    Unsupported(String),
    /// Anything else: logged in full, reported without detail.
    #[error("internal data source error")]
    Internal(#[source] anyhow::Error),
}

impl From<sqlx::Error> for SourceError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => SourceError::Unavailable(e),
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // query_canceled (statement_timeout)
                Some("57014") => SourceError::Timeout,
                // admin_shutdown, crash_shutdown, cannot_connect_now, connection failures
                Some("57P01" | "57P02" | "57P03" | "08000" | "08003" | "08006" | "08001" | "08004") => SourceError::Unavailable(e),
                _ => SourceError::Internal(e.into()),
            },
            _ => SourceError::Internal(e.into()),
        }
    }
}

pub type Result<T, E = SourceError> = std::result::Result<T, E>;

/// What the configuration asks of a table.
#[derive(Clone, Debug, Default)]
pub struct TableRequest {
    pub table: String,
    pub id_column: Option<String>,
    pub geometry_column: Option<String>,
    pub fields: Option<Vec<String>>,
    pub temporal: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
}

/// How features are ordered so that offset paging is stable, even without a primary key.
#[derive(Clone, Debug, PartialEq)]
pub enum Order {
    /// By the id column.
    Id,
    /// By the physical row position (PostgreSQL tables without a key).
    Ctid,
    /// By every column, geometry last (views without a key): equal rows are interchangeable.
    AllColumns,
}

/// A table as read from the data: what every query against it needs.
#[derive(Clone, Debug)]
pub struct Table {
    /// As configured (`schema.table` or `table`).
    pub name: String,
    pub geometry_column: String,
    pub geometry_type: String,
    pub crs: Crs,
    pub id: Option<Field>,
    pub fields: Vec<Field>,
    /// Extent in the storage CRS.
    pub extent: Option<Bbox>,
    /// The convex hull of the features' envelopes, in the storage CRS (empty when unknown):
    /// transformed, it gives a tight extent in another CRS where the extent's corners would not.
    pub footprint: Vec<(f64, f64)>,
    pub temporal: Option<Field>,
    /// Columns hidden from the caller (access rules): never selected nor offered, but read by
    /// the rules' own row filters.
    pub hidden: Vec<Field>,
    /// Columns that must be given a value when a feature is written (NOT NULL, no default,
    /// not the key).
    pub required: Vec<String>,
    /// Temporal extent of the temporal field.
    pub temporal_extent: Option<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)>,
    pub order: Order,
    /// The GeoPackage R-tree table of the geometry column, when there is one.
    pub rtree: Option<String>,
}

impl Table {
    /// The data's extent through `t` (from the storage CRS): the footprint's when known,
    /// which stays tight where the extent's transformed corners would not.
    pub fn extent_through(&self, t: &crate::crs::Transform) -> Option<Bbox> {
        match self.footprint.len() {
            0 => t.envelope(&self.extent?),
            _ => t.ring_envelope(&self.footprint),
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name).or_else(|| self.id.as_ref().filter(|f| f.name == name))
    }

    /// A column a compiled filter may read: an exposed field, the id, or a hidden column.
    pub fn column(&self, name: &str) -> Option<&Field> {
        self.field(name).or_else(|| self.hidden.iter().find(|f| f.name == name))
    }
}

/// One feature: id, properties in the order of `Table::fields`, geometry as ISO WKB.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    pub id: Option<Value>,
    pub properties: Vec<Value>,
    pub geometry: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Features whose envelope meets this box (storage CRS) and possibly a few more: the index
    /// prefilter of tiles, which clip exactly afterwards.
    pub envelope: Option<Bbox>,
    pub filter: Option<Filter>,
    /// Sort keys (field, ascending) applied before the stable order.
    pub sort: Vec<(String, bool)>,
    pub limit: Option<u64>,
    pub offset: u64,
    /// Rows in whatever order the database finds them, not the stable order (tiles).
    pub unordered: bool,
    /// The properties read, in this order; `None`: every field of the table. A map reads only
    /// what its style tests and writes, which on land cover is one column of five.
    pub fields: Option<Vec<Field>>,
}

pub type FeatureStream = BoxStream<'static, Result<Feature>>;

/// Who encodes the vector tiles of a PostGIS source's layers: the server, from the rows it
/// reads (the default: the database, which every face and every server shares, does the
/// least work), or the database with `ST_AsMVT` (ARCHITECTURE.md, Vector tiles).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MvtEncoder {
    #[default]
    Server,
    Database,
}

/// One layer of a vector tile, for a source that encodes tiles itself.
pub struct MvtLayer<'a> {
    pub name: &'a str,
    pub table: &'a Table,
    /// The attributes kept.
    pub fields: &'a [Field],
    pub filter: Option<&'a Filter>,
    /// The buffered tile's envelope in the storage CRS (index prefilter).
    pub envelope: Bbox,
    pub extent: u32,
    pub buffer: u32,
    /// Douglas-Peucker tolerance in tile units.
    pub simplify: f64,
    /// The transform from the storage CRS to the tile's as affine maps over cells of
    /// `envelope`; empty when the CRSs are the same or the tile is too large for them to be
    /// within [`crate::vtiles::AFFINE_TOLERANCE`] (the exact transform is used).
    pub affine: &'a [AffineCell],
}

/// The ground of a tile: its box in the tile matrix set's CRS, easting first.
pub struct MvtTile {
    pub crs: Crs,
    pub bbox: Bbox,
}

#[async_trait]
pub trait VectorSource: Send + Sync {
    /// Reads schema, CRS, extent and key of a table; errors name the configuration key at fault.
    async fn describe(&self, request: &TableRequest) -> Result<Table>;

    /// The features matching the query, in the table's stable order.
    fn features(&self, table: Arc<Table>, query: Query) -> FeatureStream;

    /// The number of matching features, exact; `None` when more than `exact_max` match, so
    /// counting would be slow.
    async fn count(&self, table: &Table, filter: Option<&Filter>, exact_max: u64) -> Result<Option<u64>>;

    /// One feature by its id (as given in the URL).
    async fn feature(&self, table: Arc<Table>, id: &str) -> Result<Option<Feature>>;

    /// Whether the source answers now (readiness).
    async fn ready(&self) -> Result<()>;

    /// The layers encoded as MVT by the source itself (PostGIS `ST_AsMVT`, one query for every
    /// layer); `None` when it cannot, and the server encodes the features it reads.
    async fn mvt(&self, _tile: &MvtTile, _layers: &[MvtLayer<'_>]) -> Option<Result<Vec<u8>>> {
        None
    }

    /// A write transaction on the source's database (`crate::edit` applies edits through it).
    async fn begin(&self) -> Result<write::Tx> {
        Err(SourceError::Unsupported("editing".into()))
    }
}

impl Feature {
    /// Assembles a feature from a row of `sql::select`: id in column 0, `fields` next, the
    /// geometry last; `value` and `geometry` read one column of the dialect's row type.
    pub fn from_row<R, E>(
        table: &Table,
        fields: &[Field],
        row: &R,
        value: impl Fn(&Field, &R, usize) -> Result<Value, E>,
        geometry: impl Fn(&R, usize) -> Result<Option<Vec<u8>>, E>,
    ) -> Result<Feature, E> {
        let id = table.id.as_ref().map(|f| value(f, row, 0)).transpose()?;
        let properties = fields.iter().enumerate().map(|(i, f)| value(f, row, i + 1)).collect::<Result<Vec<_>, _>>()?;
        Ok(Feature { id, properties, geometry: geometry(row, fields.len() + 1)? })
    }
}

/// The exposed fields: all of `available` in table order, or those the configuration lists, in
/// its order (each must exist).
pub fn select_fields(available: Vec<Field>, wanted: Option<&[String]>, table: &str) -> Result<Vec<Field>> {
    let Some(wanted) = wanted else { return Ok(available) };
    wanted
        .iter()
        .map(|w| {
            available.iter().find(|f| &f.name == w).cloned().ok_or_else(|| SourceError::Schema {
                key: "fields",
                message: format!(
                    "no field '{w}' in '{table}' (fields: {})",
                    available.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            })
        })
        .collect()
}

/// The temporal field the configuration names, which must be a date or timestamp.
pub fn temporal_field(fields: &[Field], id: Option<&Field>, wanted: Option<&str>, table: &str) -> Result<Option<Field>> {
    let Some(w) = wanted else { return Ok(None) };
    let f = fields
        .iter()
        .chain(id)
        .find(|f| f.name == w)
        .ok_or_else(|| SourceError::Schema { key: "temporal", message: format!("no exposed field '{w}' in '{table}'") })?;
    if !f.ty.is_temporal() {
        return Err(SourceError::Schema { key: "temporal", message: format!("'{w}' is not a date or timestamp field") });
    }
    Ok(Some(f.clone()))
}

/// The convex hull of a geometry as an open ring (empty for an empty geometry).
pub fn hull_ring(g: &geo::Geometry<f64>) -> Vec<(f64, f64)> {
    use geo::ConvexHull;
    let hull = g.convex_hull();
    let mut ring: Vec<(f64, f64)> = hull.exterior().coords().map(|c| (c.x, c.y)).collect();
    ring.pop();
    ring
}
