//! GeoPackage through sqlx's bundled SQLite: the embedded default, no database server needed.
//!
//! Spatial filters use the table's R-tree as an index prefilter and are evaluated exactly by
//! SQL functions written in Rust with the `geo` crate (`gpkg_functions`), so no SpatiaLite is
//! needed (decided in ARCHITECTURE.md).

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use futures_util::TryStreamExt;
use geo::BoundingRect;
use ogc::bbox::Bbox;
use ogc::crs::Crs;
use ogc::filter::{DistanceOp, Filter, SpatialOp};
use ogc::value::{FieldType, Value};
use sqlx::{AssertSqlSafe, Row};
use sqlx::query::Query as SqlxQuery;
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};

use super::filter_sql::{DialectSql, where_clause};
use super::gpkg_functions::RelateOp;
use super::sql::{Dialect, Param, Sql, quote_ident};
use super::write::Tx;
use super::{Feature, FeatureStream, Field, Order, Query, Result, SourceError, Table, TableRequest, VectorSource};

pub struct GeoPackage {
    pool: SqlitePool,
    path: std::path::PathBuf,
    /// One read-write connection, opened at the first edit: SQLite has one writer at a time,
    /// and a GeoPackage nobody edits is never opened for writing.
    writer: tokio::sync::OnceCell<SqlitePool>,
}

impl GeoPackage {
    pub fn open(path: &Path) -> Result<GeoPackage, String> {
        let options = SqliteConnectOptions::new().filename(path).read_only(true).immutable(false);
        let pool = with_functions(SqlitePoolOptions::new().max_connections(std::thread::available_parallelism().map_or(4, |n| n.get() as u32 * 2)))
            .connect_lazy_with(options);
        Ok(GeoPackage { pool, path: path.to_path_buf(), writer: tokio::sync::OnceCell::new() })
    }

    /// The writing connection, with the audit table in place.
    async fn writer(&self) -> Result<&SqlitePool> {
        self.writer
            .get_or_try_init(|| async {
                let options = SqliteConnectOptions::new().filename(&self.path).read_only(false);
                let pool = with_functions(SqlitePoolOptions::new().max_connections(1)).connect_with(options).await?;
                sqlx::query(AssertSqlSafe(super::write::audit_ddl(Dialect::Sqlite))).execute(&pool).await?;
                Ok(pool)
            })
            .await
    }
}

/// Pool options registering the spatial SQL functions on every connection (filters use
/// them, and the GeoPackage R-tree triggers call `ST_MinX`... on every write).
fn with_functions(options: SqlitePoolOptions) -> SqlitePoolOptions {
    options.after_connect(|conn, _| {
        Box::pin(async move {
            let mut handle = conn.lock_handle().await?;
            // SAFETY: the handle is locked for this connection and open.
            unsafe { super::gpkg_functions::register(handle.as_raw_handle().as_ptr()) }.map_err(|e| sqlx::Error::Configuration(e.into()))
        })
    })
}

/// WKB as a GeoPackage geometry blob: the binary header (version 0, little endian, the
/// envelope of anything but a point, `srs_id`) in front of the WKB.
pub fn gpkg_blob(wkb: &[u8], srs_id: i32) -> Result<Vec<u8>> {
    let g = wkb::reader::read_wkb(wkb).map_err(|e| SourceError::Internal(anyhow::anyhow!("invalid WKB: {e}")))?;
    let g = geo_traits::to_geo::ToGeoGeometry::to_geometry(&g);
    let envelope = match &g {
        geo_types::Geometry::Point(_) => None,
        g => g.bounding_rect(),
    };
    let mut out = Vec::with_capacity(wkb.len() + 40);
    out.extend_from_slice(b"GP");
    out.push(0);
    out.push(if envelope.is_some() { 0b0000_0011 } else { 0b0000_0001 });
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(r) = envelope {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out.extend_from_slice(wkb);
    Ok(out)
}

/// Strips the GeoPackage binary header, leaving standard WKB; `None` for an empty geometry.
pub fn gpkg_to_wkb(blob: &[u8]) -> Option<&[u8]> {
    if blob.len() < 8 || &blob[0..2] != b"GP" {
        // Not a GeoPackage blob: some writers store plain WKB.
        return Some(blob);
    }
    let flags = blob[3];
    if (flags >> 4) & 1 == 1 {
        return None;
    }
    let envelope = [0usize, 32, 48, 48, 64].get(((flags >> 1) & 7) as usize).copied()?;
    blob.get(8 + envelope..)
}

fn field_type(declared: &str) -> Option<FieldType> {
    let t = declared.to_ascii_uppercase();
    Some(if t == "BOOLEAN" {
        FieldType::Boolean
    } else if t.contains("INT") {
        FieldType::Integer
    } else if t == "DATE" {
        FieldType::Date
    } else if t == "DATETIME" || t == "TIMESTAMP" {
        FieldType::DateTime
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") || t.contains("NUMERIC") {
        FieldType::Number
    } else if t.contains("BLOB") {
        return None;
    } else {
        FieldType::Text
    })
}

fn select_expr(f: &Field) -> String {
    let c = quote_ident(&f.name);
    match f.ty {
        FieldType::Integer | FieldType::Boolean => format!("CAST({c} AS INTEGER)"),
        FieldType::Number => format!("CAST({c} AS REAL)"),
        FieldType::Text | FieldType::Date | FieldType::DateTime => format!("CAST({c} AS TEXT)"),
    }
}

fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|d| d.and_utc()))
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok().map(|d| d.and_utc()))
}

fn decode(f: &Field, row: &SqliteRow, i: usize) -> Result<Value, sqlx::Error> {
    Ok(match f.ty {
        FieldType::Integer => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
        FieldType::Boolean => row.try_get::<Option<i64>, _>(i)?.map(|b| Value::Bool(b != 0)),
        FieldType::Number => row.try_get::<Option<f64>, _>(i)?.map(Value::Float),
        FieldType::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
        // A value that is not a valid date is shown as stored rather than dropped.
        FieldType::Date => row
            .try_get::<Option<String>, _>(i)?
            .map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map(Value::Date).unwrap_or(Value::Text(s))),
        FieldType::DateTime => row.try_get::<Option<String>, _>(i)?.map(|s| parse_datetime(&s).map(Value::DateTime).unwrap_or(Value::Text(s))),
    }
    .unwrap_or(Value::Null))
}

pub(crate) fn decode_row(table: &Table, fields: &[Field], row: &SqliteRow) -> Result<Feature, sqlx::Error> {
    Feature::from_row(table, fields, row, decode, |row, i| {
        Ok(row.try_get::<Option<Vec<u8>>, _>(i)?.as_deref().and_then(gpkg_to_wkb).map(<[u8]>::to_vec))
    })
}

pub(crate) fn bind(mut q: SqlxQuery<'static, sqlx::Sqlite, SqliteArguments>, params: Vec<Param>) -> SqlxQuery<'static, sqlx::Sqlite, SqliteArguments> {
    for p in params {
        q = match p {
            Param::Bool(b) => q.bind(b),
            Param::Int(i) => q.bind(i),
            Param::Float(f) => q.bind(f),
            Param::Text(s) => q.bind(s),
            Param::Bytes(b) => q.bind(b),
            Param::Date(d) => q.bind(d.format("%Y-%m-%d").to_string()),
            Param::DateTime(t) => q.bind(sqlite_time(t)),
        };
    }
    q
}

fn sqlite_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The SQLite dialect of the filter compiler.
pub struct GpkgDialect;

impl DialectSql for GpkgDialect {
    /// The registered `ossature_relate` evaluates the predicate exactly; where it only narrows
    /// the result (and implies touching envelopes), the R-tree prefilters first.
    fn spatial(&self, sql: &mut Sql, table: &Table, op: SpatialOp, literal: &geo_types::Geometry<f64>, conjunctive: bool) -> Result<()> {
        let code = match op {
            SpatialOp::Intersects => RelateOp::Intersects,
            SpatialOp::Disjoint => RelateOp::Disjoint,
            SpatialOp::Contains => RelateOp::Contains,
            SpatialOp::Within => RelateOp::Within,
            SpatialOp::Touches => RelateOp::Touches,
            SpatialOp::Crosses => RelateOp::Crosses,
            SpatialOp::Overlaps => RelateOp::Overlaps,
            SpatialOp::Equals => RelateOp::Equals,
        };
        sql.push("(");
        if conjunctive && op != SpatialOp::Disjoint {
            rtree_prefilter(sql, table, literal.bounding_rect(), 0.0);
        }
        sql.push("ossature_relate(").ident(&table.geometry_column).push(", ").param(Param::Bytes(wkb_of(literal)));
        sql.push(", ").param(Param::Int(code as i64)).push(") = 1)");
        Ok(())
    }

    fn distance(&self, sql: &mut Sql, table: &Table, op: DistanceOp, literal: &geo_types::Geometry<f64>, metres: f64) -> Result<()> {
        if crate::crs::is_geographic(table.crs).unwrap_or(true) {
            return Err(SourceError::Unsupported("distances in metres on a GeoPackage layer in geographic coordinates".into()));
        }
        sql.push("(");
        if op == DistanceOp::Within {
            rtree_prefilter(sql, table, literal.bounding_rect(), metres);
        }
        sql.push("ossature_distance(").ident(&table.geometry_column).push(", ").param(Param::Bytes(wkb_of(literal)));
        sql.push(if op == DistanceOp::Within { ") <= " } else { ") > " }).param(Param::Float(metres)).push(")");
        Ok(())
    }

    /// julianday() reads dates and the date-times GeoPackage stores, so both compare as instants.
    fn time_column(&self, sql: &mut Sql, column: &str) {
        sql.push("julianday(").ident(column).push(")");
    }

    fn time_param(&self, sql: &mut Sql, t: DateTime<Utc>) {
        sql.push("julianday(").param(Param::Text(sqlite_time(t))).push(")");
    }

    /// SQLite's LIKE ignores ASCII case, so a case-sensitive match is a GLOB.
    fn like(&self, sql: &mut Sql, expr: &mut dyn FnMut(&mut Sql) -> Result<()>, pattern: &str, case_insensitive: bool) -> Result<()> {
        sql.push("(");
        if case_insensitive {
            sql.push("lower(");
            expr(sql)?;
            sql.push(") LIKE lower(").param(Param::Text(pattern.to_string())).push(") ESCAPE '\\'");
        } else {
            expr(sql)?;
            sql.push(" GLOB ").param(Param::Text(like_to_glob(pattern)));
        }
        sql.push(")");
        Ok(())
    }

    /// The R-tree when there is one; without it every feature passes and clipping decides.
    fn envelope(&self, sql: &mut Sql, table: &Table, e: &Bbox) {
        let rect = geo_types::Rect::new((e.min_x, e.min_y), (e.max_x, e.max_y));
        rtree_prefilter(sql, table, Some(rect), 0.0);
        sql.push("1 = 1");
    }
}

/// A CQL2 LIKE pattern (`%`, `_`, `\` escape) as a GLOB pattern (`*`, `?`, `[x]` for literals).
fn like_to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let literal = match c {
            '%' => {
                out.push('*');
                continue;
            }
            '_' => {
                out.push('?');
                continue;
            }
            '\\' => match chars.next() {
                Some(n) => n,
                None => '\\',
            },
            c => c,
        };
        match literal {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(literal);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// `id IN (ids whose envelope meets the rectangle grown by `margin`) AND `, when the table has
/// an R-tree and the predicate needs the envelopes to meet.
fn rtree_prefilter(sql: &mut Sql, table: &Table, rect: Option<geo_types::Rect<f64>>, margin: f64) {
    let (Some(rtree), Some(id), Some(r)) = (&table.rtree, &table.id, rect) else { return };
    sql.ident(&id.name).push(" IN (SELECT id FROM ").ident(rtree).push(" WHERE minx <= ").param(Param::Float(r.max().x + margin));
    sql.push(" AND maxx >= ").param(Param::Float(r.min().x - margin)).push(" AND miny <= ").param(Param::Float(r.max().y + margin));
    sql.push(" AND maxy >= ").param(Param::Float(r.min().y - margin)).push(") AND ");
}

fn wkb_of(g: &geo_types::Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::new();
    wkb::writer::write_geometry(&mut out, g, &Default::default()).expect("writing WKB to a Vec cannot fail");
    out
}

pub(crate) fn select(table: &Table, fields: &[Field]) -> Sql {
    super::sql::select(Dialect::Sqlite, table, fields, select_expr, "NULL", &quote_ident(&table.geometry_column))
}

#[async_trait]
impl VectorSource for GeoPackage {
    async fn describe(&self, req: &TableRequest) -> Result<Table> {
        let geom: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
        )
        .bind(&req.table)
        .fetch_optional(&self.pool)
        .await?;
        let Some((name, geometry_column, geometry_type, srs_id)) = geom else {
            return Err(SourceError::Schema { key: "table", message: format!("no feature table '{}' in the GeoPackage", req.table) });
        };
        if let Some(g) = &req.geometry_column {
            if !g.eq_ignore_ascii_case(&geometry_column) {
                return Err(SourceError::Schema { key: "geometry_column", message: format!("the geometry column of '{name}' is '{geometry_column}'") });
            }
        }
        let srs: Option<(String, i64)> =
            sqlx::query_as("SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?").bind(srs_id).fetch_optional(&self.pool).await?;
        let code = match srs {
            Some((org, code)) if org.eq_ignore_ascii_case("EPSG") && code > 0 => code as u32,
            _ => return Err(SourceError::Schema { key: "table", message: format!("'{name}' is in srs_id {srs_id}, which has no EPSG code") }),
        };
        let columns: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid").bind(&name).fetch_all(&self.pool).await?;
        let required: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) WHERE \"notnull\" AND dflt_value IS NULL AND pk = 0").bind(&name).fetch_all(&self.pool).await?;
        let pk: Vec<&(String, String, i64)> = columns.iter().filter(|c| c.2 > 0).collect();
        let id_name = match &req.id_column {
            Some(c) => Some(c.clone()),
            None if pk.len() == 1 => Some(pk[0].0.clone()),
            None => None,
        };
        let id = match &id_name {
            Some(c) => {
                let col = columns
                    .iter()
                    .find(|(n, _, _)| n == c)
                    .ok_or_else(|| SourceError::Schema { key: "id_column", message: format!("no column '{c}' in '{name}'") })?;
                Some(Field { name: c.clone(), ty: field_type(&col.1).unwrap_or(FieldType::Text) })
            }
            None => None,
        };
        let available: Vec<Field> = columns
            .iter()
            .filter(|(n, _, _)| !n.eq_ignore_ascii_case(&geometry_column) && Some(n) != id_name.as_ref())
            .filter_map(|(n, t, _)| field_type(t).map(|ty| Field { name: n.clone(), ty }))
            .collect();
        let fields = super::select_fields(available, req.fields.as_deref(), &name)?;
        let temporal = super::temporal_field(&fields, id.as_ref(), req.temporal.as_deref(), &name)?;
        let rtree_name = format!("rtree_{name}_{geometry_column}");
        let has_rtree: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").bind(&rtree_name).fetch_optional(&self.pool).await?;
        let rtree = has_rtree.map(|_| rtree_name);
        let extent_sql = match &rtree {
            Some(r) => format!("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM {}", quote_ident(r)),
            None => "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?".to_string(),
        };
        let e: Option<(Option<f64>, Option<f64>, Option<f64>, Option<f64>)> =
            sqlx::query_as(AssertSqlSafe(extent_sql)).bind(&name).fetch_optional(&self.pool).await?;
        let extent = match e {
            Some((Some(min_x), Some(min_y), Some(max_x), Some(max_y))) => Some(Bbox { min_x, min_y, max_x, max_y }),
            _ => None,
        };
        let footprint = match &rtree {
            Some(r) => {
                let boxes: Vec<(f64, f64, f64, f64)> =
                    sqlx::query_as(AssertSqlSafe(format!("SELECT minx, miny, maxx, maxy FROM {}", quote_ident(r)))).fetch_all(&self.pool).await?;
                let points: Vec<geo_types::Point<f64>> =
                    boxes.iter().flat_map(|&(a, b, c, d)| [(a, b), (c, b), (c, d), (a, d)]).map(geo_types::Point::from).collect();
                super::hull_ring(&geo_types::Geometry::MultiPoint(points.into()))
            }
            None => Vec::new(),
        };
        let temporal_extent = match &temporal {
            Some(f) => {
                let c = quote_ident(&f.name);
                let q = format!("SELECT CAST(min({c}) AS TEXT), CAST(max({c}) AS TEXT) FROM {}", quote_ident(&name));
                let (a, b): (Option<String>, Option<String>) = sqlx::query_as(AssertSqlSafe(q)).fetch_one(&self.pool).await?;
                let instant = |s: Option<String>| s.and_then(|s| parse_datetime(&s).or_else(|| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok().map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())));
                Some((instant(a), instant(b)))
            }
            None => None,
        };
        Ok(Table {
            name,
            geometry_column,
            geometry_type,
            crs: Crs::Epsg(code),
            order: if id.is_some() { Order::Id } else { Order::AllColumns },
            id,
            fields,
            extent,
            footprint,
            temporal,
            temporal_extent,
            hidden: Vec::new(),
            required,
            rtree,
        })
    }

    fn features(&self, table: Arc<Table>, query: Query) -> FeatureStream {
        let pool = self.pool.clone();
        Box::pin(async_stream::try_stream! {
            let fields = query.fields.as_deref().unwrap_or(&table.fields);
            let mut sql = select(&table, fields);
            where_clause(&mut sql, &table, query.envelope.as_ref(), query.filter.as_ref(), &GpkgDialect)?;
            sql.order_by(&table, &query);
            let limit = query.limit.map_or(-1, |l| l.min(i64::MAX as u64) as i64);
            sql.push(&format!(" LIMIT {limit} OFFSET {}", query.offset.min(i64::MAX as u64)));
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
        // Counting stops one past the cap, so the cost is bounded however many rows match.
        let mut sql = Sql::new(Dialect::Sqlite);
        sql.push("SELECT count(*) FROM (SELECT 1 FROM ").ident(&table.name);
        where_clause(&mut sql, table, None, filter, &GpkgDialect)?;
        sql.push(&format!(" LIMIT {})", exact_max.min(i64::MAX as u64 - 1) + 1));
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
        Ok(Tx::Sqlite(self.writer().await?.begin().await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_gpkg_header() {
        // flags 0b0000_0011: little endian, envelope [minx,maxx,miny,maxy] (32 bytes)
        let mut blob = vec![b'G', b'P', 0, 0b0000_0011, 0, 0, 0, 0];
        blob.extend([0u8; 32]);
        blob.extend([1, 1, 0, 0, 0]);
        assert_eq!(gpkg_to_wkb(&blob), Some(&[1u8, 1, 0, 0, 0][..]));
        let empty = [b'G', b'P', 0, 0b0001_0001, 0, 0, 0, 0];
        assert_eq!(gpkg_to_wkb(&empty), None);
    }

    #[test]
    fn translates_like_to_glob() {
        assert_eq!(like_to_glob("Lil%"), "Lil*");
        assert_eq!(like_to_glob("_a\\%b*"), "?a%b[*]");
        assert_eq!(like_to_glob("[x]?"), "[[]x][?]");
    }

    #[test]
    fn maps_declared_types() {
        assert_eq!(field_type("MEDIUMINT"), Some(FieldType::Integer));
        assert_eq!(field_type("TEXT(5)"), Some(FieldType::Text));
        assert_eq!(field_type("DATE"), Some(FieldType::Date));
        assert_eq!(field_type("DOUBLE"), Some(FieldType::Number));
        assert_eq!(field_type("BLOB"), None);
    }
}
