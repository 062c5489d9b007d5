//! PostGIS through a pooled sqlx connection: `ST_Intersects` on the GiST index, every statement
//! under the configured timeout, broken connections replaced by the pool so the server recovers
//! by itself when the database comes back.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use ogc::crs::Crs;
use ogc::filter::{DistanceOp, Filter, SpatialOp};
use ogc::value::{FieldType, Value};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::query::Query as SqlxQuery;
use sqlx::{AssertSqlSafe, Postgres, Row};

use super::filter_sql::{DialectSql, where_clause};
use super::sql::{Dialect, Param, Sql, quote_ident};
use super::write::Tx;
use super::{Feature, FeatureStream, Field, MvtEncoder, MvtLayer, MvtTile, Order, Query, Result, SourceError, Table, TableRequest, VectorSource};

pub struct PostGis {
    pool: PgPool,
    /// The audit table is created once, at the first edit.
    audit_ready: tokio::sync::OnceCell<()>,
    mvt_encoder: MvtEncoder,
}

impl PostGis {
    /// Connects lazily: the pool opens connections on demand, so a database that is down at a
    /// given moment makes requests fail with 503 rather than the server die.
    pub fn connect(url: &str, pool_size: u32, query_timeout: Duration, mvt_encoder: MvtEncoder) -> Result<PostGis, String> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| format!("invalid PostgreSQL URL: {e}"))?
            .application_name("ossature")
            // UTC sessions: dates and timestamps without zone compare as UTC instants. No JIT: a
            // dense tile's estimated cost passes `jit_above_cost`, and compiling its expressions
            // took 300-650 ms of a 1 s statement, which the one execution never earns back. No
            // parallel workers: a server answers many requests at once, and a tile split over
            // workers cost half as much CPU again (workers' start, gathering) for the same bytes.
            .options([
                ("statement_timeout", query_timeout.as_millis().to_string()),
                ("TimeZone", "UTC".to_string()),
                ("jit", "off".to_string()),
                ("max_parallel_workers_per_gather", "0".to_string()),
            ]);
        let pool = PgPoolOptions::new()
            .max_connections(pool_size)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(3))
            .idle_timeout(Duration::from_secs(300))
            // A connection the database dropped (restart) is tested before reuse.
            .test_before_acquire(true)
            .connect_lazy_with(options);
        Ok(PostGis { pool, audit_ready: tokio::sync::OnceCell::new(), mvt_encoder })
    }
}

/// The PostgreSQL/PostGIS dialect of the filter compiler.
pub struct PgDialect;

impl DialectSql for PgDialect {
    fn spatial(&self, sql: &mut Sql, table: &Table, op: SpatialOp, literal: &geo_types::Geometry<f64>, _conjunctive: bool) -> Result<()> {
        let f = match op {
            SpatialOp::Intersects => "ST_Intersects",
            SpatialOp::Disjoint => "ST_Disjoint",
            SpatialOp::Contains => "ST_Contains",
            SpatialOp::Within => "ST_Within",
            SpatialOp::Touches => "ST_Touches",
            SpatialOp::Crosses => "ST_Crosses",
            SpatialOp::Overlaps => "ST_Overlaps",
            SpatialOp::Equals => "ST_Equals",
        };
        sql.push(f).push("(").ident(&table.geometry_column).push(", ");
        geometry_param(sql, table, literal);
        sql.push(")");
        Ok(())
    }

    fn distance(&self, sql: &mut Sql, table: &Table, op: DistanceOp, literal: &geo_types::Geometry<f64>, metres: f64) -> Result<()> {
        // Distances are in metres: geographic storage is measured on the spheroid.
        let geographic = crate::crs::is_geographic(table.crs).unwrap_or(false);
        let cast = if geographic { "::geography" } else { "" };
        sql.push(if op == DistanceOp::Beyond { "NOT ST_DWithin(" } else { "ST_DWithin(" });
        sql.ident(&table.geometry_column).push(cast).push(", ");
        geometry_param(sql, table, literal);
        sql.push(cast).push(", ").param(Param::Float(metres)).push(")");
        Ok(())
    }

    fn time_column(&self, sql: &mut Sql, column: &str) {
        sql.ident(column).push("::timestamptz");
    }

    fn time_param(&self, sql: &mut Sql, t: DateTime<Utc>) {
        sql.param(Param::DateTime(t));
    }

    fn like(&self, sql: &mut Sql, expr: &mut dyn FnMut(&mut Sql) -> Result<()>, pattern: &str, case_insensitive: bool) -> Result<()> {
        sql.push("(");
        expr(sql)?;
        sql.push(if case_insensitive { " ILIKE " } else { " LIKE " }).param(Param::Text(pattern.to_string())).push(" ESCAPE '\\')");
        Ok(())
    }

    /// `&&` on the GiST index.
    fn envelope(&self, sql: &mut Sql, table: &Table, e: &ogc::bbox::Bbox) {
        sql.ident(&table.geometry_column).push(" && ST_MakeEnvelope(").param(Param::Float(e.min_x)).push(", ").param(Param::Float(e.min_y));
        sql.push(", ").param(Param::Float(e.max_x)).push(", ").param(Param::Float(e.max_y)).push(&format!(", {})", table.crs.epsg_code()));
    }
}

fn geometry_param(sql: &mut Sql, table: &Table, g: &geo_types::Geometry<f64>) {
    let mut wkb = Vec::new();
    wkb::writer::write_geometry(&mut wkb, g, &Default::default()).expect("writing WKB to a Vec cannot fail");
    sql.push("ST_GeomFromWKB(").param(Param::Bytes(wkb)).push(&format!(", {})", table.crs.epsg_code()));
}

pub(crate) fn bind(mut q: SqlxQuery<'static, Postgres, PgArguments>, params: Vec<Param>) -> SqlxQuery<'static, Postgres, PgArguments> {
    for p in params {
        q = match p {
            Param::Bool(b) => q.bind(b),
            Param::Int(i) => q.bind(i),
            Param::Float(f) => q.bind(f),
            Param::Text(s) => q.bind(s),
            Param::Bytes(b) => q.bind(b),
            Param::Date(d) => q.bind(d),
            Param::DateTime(t) => q.bind(t),
        };
    }
    q
}

/// The select-list expression of a field, cast so that one Rust type decodes it.
fn select_expr(f: &Field) -> String {
    let c = quote_ident(&f.name);
    match f.ty {
        FieldType::Integer => format!("{c}::int8"),
        FieldType::Number => format!("{c}::float8"),
        FieldType::Text => format!("{c}::text"),
        FieldType::Boolean => c,
        FieldType::Date => format!("{c}::date"),
        FieldType::DateTime => format!("{c}::timestamptz"),
    }
}

fn decode(f: &Field, row: &PgRow, i: usize) -> Result<Value, sqlx::Error> {
    Ok(match f.ty {
        FieldType::Integer => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
        FieldType::Number => row.try_get::<Option<f64>, _>(i)?.map(Value::Float),
        FieldType::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
        FieldType::Boolean => row.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
        FieldType::Date => row.try_get::<Option<NaiveDate>, _>(i)?.map(Value::Date),
        FieldType::DateTime => row.try_get::<Option<DateTime<Utc>>, _>(i)?.map(Value::DateTime),
    }
    .unwrap_or(Value::Null))
}

fn field_type(udt: &str) -> FieldType {
    match udt {
        "int2" | "int4" | "int8" | "oid" => FieldType::Integer,
        "float4" | "float8" | "numeric" | "money" => FieldType::Number,
        "bool" => FieldType::Boolean,
        "date" => FieldType::Date,
        "timestamp" | "timestamptz" => FieldType::DateTime,
        _ => FieldType::Text,
    }
}

/// SELECT id, fields..., geometry as WKB.
pub(crate) fn select(table: &Table, fields: &[Field]) -> Sql {
    super::sql::select(Dialect::Postgres, table, fields, select_expr, "NULL::text", &format!("ST_AsBinary({})", quote_ident(&table.geometry_column)))
}

pub(crate) fn decode_row(table: &Table, fields: &[Field], row: &PgRow) -> Result<Feature, sqlx::Error> {
    Feature::from_row(table, fields, row, decode, |row, i| row.try_get::<Option<Vec<u8>>, _>(i))
}

fn split_table(name: &str) -> (String, String) {
    match name.split_once('.') {
        Some((s, t)) => (s.to_string(), t.to_string()),
        None => ("public".to_string(), name.to_string()),
    }
}

#[async_trait]
impl VectorSource for PostGis {
    async fn describe(&self, req: &TableRequest) -> Result<Table> {
        let (schema, name) = split_table(&req.table);
        let kind: Option<String> = sqlx::query_scalar(
            "SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
        )
        .bind(&schema)
        .bind(&name)
        .fetch_optional(&self.pool)
        .await?;
        let Some(kind) = kind else {
            return Err(SourceError::Schema { key: "table", message: format!("no table or view '{schema}.{name}' in the database") });
        };
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.attname::text, t.typname::text FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        )
        .bind(&schema)
        .bind(&name)
        .fetch_all(&self.pool)
        .await?;
        let geometry_column = match &req.geometry_column {
            Some(g) if columns.iter().any(|(c, t)| c == g && t == "geometry") => g.clone(),
            Some(g) => return Err(SourceError::Schema { key: "geometry_column", message: format!("'{g}' is not a geometry column of '{}'", req.table) }),
            None => columns
                .iter()
                .find(|(_, t)| t == "geometry")
                .map(|(c, _)| c.clone())
                .ok_or_else(|| SourceError::Schema { key: "table", message: format!("'{}' has no geometry column", req.table) })?,
        };
        let (srid, geometry_type): (Option<i32>, Option<String>) = sqlx::query_as(
            "SELECT srid, type FROM geometry_columns WHERE f_table_schema = $1 AND f_table_name = $2 AND f_geometry_column = $3",
        )
        .bind(&schema)
        .bind(&name)
        .bind(&geometry_column)
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or((None, None));
        let srid = match srid {
            Some(s) if s > 0 => s as u32,
            _ => {
                // Unconstrained column (typical of views): read the SRID of a row.
                let q = format!("SELECT ST_SRID({}) FROM {} LIMIT 1", quote_ident(&geometry_column), quote_ident(&req.table));
                let s: Option<i32> = sqlx::query_scalar(AssertSqlSafe(q)).fetch_optional(&self.pool).await?;
                match s {
                    Some(s) if s > 0 => s as u32,
                    _ => return Err(SourceError::Schema { key: "table", message: format!("cannot tell the SRID of '{}.{}'", req.table, geometry_column) }),
                }
            }
        };
        let pk: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND i.indisprimary",
        )
        .bind(&schema)
        .bind(&name)
        .fetch_all(&self.pool)
        .await?;
        let required: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass \
             AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND NOT a.atthasdef AND a.attidentity = ''",
        )
        .bind(&schema)
        .bind(&name)
        .fetch_all(&self.pool)
        .await?;
        let id_name = match &req.id_column {
            Some(c) => Some(c.clone()),
            None if pk.len() == 1 => Some(pk[0].clone()),
            None => None,
        };
        let id = match &id_name {
            Some(c) => {
                let t = columns
                    .iter()
                    .find(|(n, _)| n == c)
                    .ok_or_else(|| SourceError::Schema { key: "id_column", message: format!("no column '{c}' in '{}'", req.table) })?;
                Some(Field { name: c.clone(), ty: field_type(&t.1) })
            }
            None => None,
        };
        let available: Vec<Field> = columns
            .iter()
            .filter(|(n, t)| n != &geometry_column && Some(n) != id_name.as_ref() && t != "geometry" && t != "geography")
            .map(|(n, t)| Field { name: n.clone(), ty: field_type(t) })
            .collect();
        let fields = super::select_fields(available, req.fields.as_deref(), &req.table)?;
        let temporal = super::temporal_field(&fields, id.as_ref(), req.temporal.as_deref(), &req.table)?;
        let order = match (&id, kind.as_str()) {
            (Some(_), _) => Order::Id,
            (None, "r") => Order::Ctid,
            _ => Order::AllColumns,
        };
        let g = quote_ident(&geometry_column);
        let t = quote_ident(&req.table);
        // The planner's statistics give the extent for free when the table was analyzed.
        let estimated: Option<(Option<f64>, Option<f64>, Option<f64>, Option<f64>)> = if kind == "r" {
            sqlx::query_as("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_EstimatedExtent($1, $2, $3)::geometry AS e) s")
                .bind(&schema)
                .bind(&name)
                .bind(&geometry_column)
                .fetch_optional(&self.pool)
                .await
                .ok()
                .flatten()
        } else {
            None
        };
        let extent = match estimated {
            Some((Some(a), Some(b), Some(c), Some(d))) => Some((a, b, c, d)),
            _ => {
                let q = format!("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({g})::geometry AS e FROM {t}) s");
                let r: (Option<f64>, Option<f64>, Option<f64>, Option<f64>) = sqlx::query_as(AssertSqlSafe(q)).fetch_one(&self.pool).await?;
                match r {
                    (Some(a), Some(b), Some(c), Some(d)) => Some((a, b, c, d)),
                    _ => None,
                }
            }
        }
        .map(|(min_x, min_y, max_x, max_y)| ogc::bbox::Bbox { min_x, min_y, max_x, max_y });
        let q = format!("SELECT ST_AsBinary(ST_ConvexHull(ST_Collect(ST_Envelope({g})))) FROM {t}");
        let hull: Option<Vec<u8>> = sqlx::query_scalar(AssertSqlSafe(q)).fetch_one(&self.pool).await?;
        let footprint = hull
            .as_deref()
            .and_then(|b| wkb::reader::read_wkb(b).ok())
            .map(|w| super::hull_ring(&geo_traits::to_geo::ToGeoGeometry::to_geometry(&w)))
            .unwrap_or_default();
        let temporal_extent = match &temporal {
            Some(f) => {
                let c = quote_ident(&f.name);
                let q = format!("SELECT min({c})::timestamptz, max({c})::timestamptz FROM {t}");
                let r: (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = sqlx::query_as(AssertSqlSafe(q)).fetch_one(&self.pool).await?;
                Some(r)
            }
            None => None,
        };
        Ok(Table {
            name: req.table.clone(),
            geometry_column,
            geometry_type: geometry_type.unwrap_or_else(|| "GEOMETRY".into()),
            crs: Crs::Epsg(srid),
            id,
            fields,
            extent,
            footprint,
            temporal,
            temporal_extent,
            hidden: Vec::new(),
            required,
            order,
            rtree: None,
        })
    }

    fn features(&self, table: Arc<Table>, query: Query) -> FeatureStream {
        let pool = self.pool.clone();
        Box::pin(async_stream::try_stream! {
            let fields = query.fields.as_deref().unwrap_or(&table.fields);
            let mut sql = select(&table, fields);
            where_clause(&mut sql, &table, query.envelope.as_ref(), query.filter.as_ref(), &PgDialect)?;
            sql.order_by(&table, &query);
            // Literals, not parameters: with a parameter the generic plan cannot know the page is
            // small and sorts the whole table instead of walking the key index.
            if let Some(limit) = query.limit {
                sql.push(&format!(" LIMIT {}", limit.min(i64::MAX as u64)));
            }
            if query.offset > 0 {
                sql.push(&format!(" OFFSET {}", query.offset.min(i64::MAX as u64)));
            }
            let Sql { text, params, .. } = sql;
            let mut rows = bind(sqlx::query(AssertSqlSafe(text)), params).fetch(&pool);
            while let Some(row) = rows.try_next().await? {
                yield decode_row(&table, fields, &row)?;
            }
        })
    }

    async fn count(&self, table: &Table, filter: Option<&Filter>, exact_max: u64) -> Result<Option<u64>> {
        if exact_max == 0 {
            return Ok(None);
        }
        if filter.is_none() {
            let (schema, name) = split_table(&table.name);
            let estimate: Option<f32> = sqlx::query_scalar(
                "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            )
            .bind(&schema)
            .bind(&name)
            .fetch_optional(&self.pool)
            .await?;
            // Statistics lag behind: only a clear excess is trusted.
            if estimate.is_some_and(|e| f64::from(e) > exact_max as f64 * 1.2) {
                return Ok(None);
            }
        }
        // Counting stops one past the cap, so the cost is bounded however many rows match.
        let mut sql = Sql::new(Dialect::Postgres);
        sql.push("SELECT count(*) FROM (SELECT 1 FROM ").ident(&table.name);
        where_clause(&mut sql, table, None, filter, &PgDialect)?;
        sql.push(&format!(" LIMIT {}) s", exact_max.min(i64::MAX as u64 - 1) + 1));
        let Sql { text, params, .. } = sql;
        let n: i64 = bind(sqlx::query(AssertSqlSafe(text)), params).fetch_one(&self.pool).await?.try_get(0)?;
        Ok((n as u64 <= exact_max).then_some(n as u64))
    }

    async fn feature(&self, table: Arc<Table>, id: &str) -> Result<Option<Feature>> {
        let Some(Sql { text, params, .. }) = super::sql::by_id(select(&table, &table.fields), &table, id) else { return Ok(None) };
        let row = bind(sqlx::query(AssertSqlSafe(text)), params).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| decode_row(&table, &table.fields, &r)).transpose()?)
    }

    async fn ready(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn begin(&self) -> Result<Tx> {
        // Under an advisory lock: two servers (or sources) creating the table at once make
        // PostgreSQL's IF NOT EXISTS fail on its catalogue's unique index.
        self.audit_ready
            .get_or_try_init(|| async {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext('ossature_audit'))").execute(&mut *tx).await?;
                sqlx::query(AssertSqlSafe(super::write::audit_ddl(Dialect::Postgres))).execute(&mut *tx).await?;
                tx.commit().await
            })
            .await?;
        Ok(Tx::Postgres(self.pool.begin().await?))
    }

    async fn mvt(&self, tile: &MvtTile, layers: &[MvtLayer<'_>]) -> Option<Result<Vec<u8>>> {
        if self.mvt_encoder == MvtEncoder::Server {
            return None;
        }
        Some(self.st_asmvt(tile, layers).await)
    }
}

impl PostGis {
    /// Every layer in one statement: `ST_AsMVT` of each layer's `ST_AsMVTGeom` rows, the layers
    /// concatenated (a tile is the concatenation of its layers' protobuf messages).
    async fn st_asmvt(&self, tile: &MvtTile, layers: &[MvtLayer<'_>]) -> Result<Vec<u8>> {
        let mut sql = Sql::new(Dialect::Postgres);
        sql.push("SELECT ''::bytea");
        let srid = tile.crs.epsg_code();
        for l in layers {
            let t = l.table;
            let id = t.id.as_ref().filter(|f| f.ty == FieldType::Integer);
            sql.push(" || COALESCE((SELECT ST_AsMVT(m.*, ").param(Param::Text(l.name.to_string())).push(&format!(", {}, '__geom'", l.extent));
            if let Some(f) = id {
                sql.push(", ").param(Param::Text(f.name.clone()));
            }
            sql.push(") FROM (SELECT ");
            if let Some(f) = id {
                sql.ident(&f.name).push("::int8 AS ").ident(&f.name).push(", ");
            }
            for f in l.fields {
                sql.push(&mvt_expr(f)).push(" AS ").ident(&f.name).push(", ");
            }
            sql.push("ST_AsMVTGeom(");
            tile_geometry(&mut sql, tile, l);
            sql.push(", ST_MakeEnvelope(");
            for (i, v) in [tile.bbox.min_x, tile.bbox.min_y, tile.bbox.max_x, tile.bbox.max_y].into_iter().enumerate() {
                sql.push(if i == 0 { "" } else { ", " }).param(Param::Float(v));
            }
            sql.push(&format!(", {srid}), {}, {}, true) AS \"__geom\" FROM ", l.extent, l.buffer)).ident(&t.name);
            where_clause(&mut sql, t, Some(&l.envelope), l.filter, &PgDialect)?;
            // No `WHERE __geom IS NOT NULL`: PostgreSQL would evaluate ST_AsMVTGeom twice per
            // row (once in the filter, once in the output), and ST_AsMVT skips null geometries.
            sql.push(") m), ''::bytea)");
        }
        let Sql { text, params, .. } = sql;
        // Planned for this tile's values every time (an unnamed statement): after five runs of a
        // prepared one, PostgreSQL settles on a generic plan, which builds every cell's
        // `ST_MakeEnvelope($..)` of the CASE again for each row, where a plan for the values
        // folds them into constants. Planning costs about a millisecond; the generic plan cost
        // 10-20 % more CPU on the benchmark's tiles (ARCHITECTURE.md, Performance notes).
        let row = bind(sqlx::query(AssertSqlSafe(text)).persistent(false), params).fetch_one(&self.pool).await?;
        Ok(row.try_get::<Vec<u8>, _>(0)?)
    }
}

/// The layer's geometry in the tile's CRS: as stored when the CRSs are the same, else through
/// the affine map of the first cell whose box holds the row's box, and `ST_Transform` for rows
/// no cell holds (a map is within an eighth of a tile unit over its cell only). The `@` test
/// reads the box stored in the row's header, not its vertices.
fn tile_geometry(sql: &mut Sql, tile: &MvtTile, l: &MvtLayer) {
    let (column, storage, srid) = (quote_ident(&l.table.geometry_column), l.table.crs.epsg_code(), tile.crs.epsg_code());
    // ST_AsMVTGeom already drops what is finer than a tile unit.
    let simplify = (l.simplify > 1.0).then(|| l.simplify * (tile.bbox.max_x - tile.bbox.min_x) / f64::from(l.extent));
    if simplify.is_some() {
        sql.push("ST_Simplify(");
    }
    if storage == srid {
        sql.push(&column);
    } else {
        if !l.affine.is_empty() {
            sql.push("CASE");
        }
        for c in l.affine {
            sql.push(" WHEN ").push(&column).push(" @ ST_MakeEnvelope(");
            for (i, v) in c.area.to_array().into_iter().enumerate() {
                sql.push(if i == 0 { "" } else { ", " }).param(Param::Float(v));
            }
            sql.push(&format!(", {storage}) THEN ST_SetSRID(ST_Affine({column}"));
            for v in [c.a, c.b, c.d, c.e, c.xoff, c.yoff] {
                sql.push(", ").param(Param::Float(v));
            }
            sql.push(&format!("), {srid})"));
        }
        sql.push(if l.affine.is_empty() { "" } else { " ELSE " }).push(&format!("ST_Transform({column}, {srid})"));
        if !l.affine.is_empty() {
            sql.push(" END");
        }
    }
    if let Some(tolerance) = simplify {
        sql.push(&format!(", {tolerance}, true)"));
    }
}

/// An attribute as `ST_AsMVT` should type it: numbers and booleans as such, dates as ISO 8601
/// text (the Rust encoder writes them the same way, so both sources give the same tile).
fn mvt_expr(f: &Field) -> String {
    let c = quote_ident(&f.name);
    match f.ty {
        FieldType::Date => format!("to_char({c}, 'YYYY-MM-DD')"),
        FieldType::DateTime => format!("to_char({c}::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"),
        _ => select_expr(f),
    }
}
