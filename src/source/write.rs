//! Writing to a source: one database transaction, PostgreSQL or SQLite, with the statements
//! the editing core needs (read a row as the read path reads it, test a filter on a row,
//! insert, update, delete, append to the audit table). The rules of editing (schema, rights,
//! versions) live in `crate::edit`, which knows no dialect.

use ogc::filter::Filter;
use ogc::value::Value;
use sqlx::{AssertSqlSafe, Row};

use super::filter_sql::{DialectSql, where_clause};
use super::sql::{Dialect, Param, Sql};
use super::{Feature, Field, Result, SourceError, Table};

/// The table of who changed what, created in the layer's own database so that a change and
/// its record commit together.
pub const AUDIT_TABLE: &str = "ossature_audit";

/// Column values to write, and the geometry as WKB in the storage CRS: outer `None` leaves the
/// geometry as it is, `Some(None)` clears it.
pub struct Values<'a> {
    pub columns: Vec<(&'a Field, Value)>,
    pub geometry: Option<Option<Vec<u8>>>,
}

/// One line of the audit table; `before` and `after` are GeoJSON features.
pub struct AuditEntry<'a> {
    pub who: &'a str,
    pub layer: &'a str,
    pub feature_id: &'a str,
    pub operation: &'a str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An open transaction on a source's database: nothing is visible to others until `commit`,
/// and dropping it rolls everything back.
pub enum Tx {
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
}

impl Tx {
    fn dialect(&self) -> Dialect {
        match self {
            Tx::Postgres(_) => Dialect::Postgres,
            Tx::Sqlite(_) => Dialect::Sqlite,
        }
    }

    fn filter_dialect(&self) -> &'static dyn DialectSql {
        match self {
            Tx::Postgres(_) => &super::postgis::PgDialect,
            Tx::Sqlite(_) => &super::gpkg::GpkgDialect,
        }
    }

    async fn execute(&mut self, sql: Sql) -> Result<u64> {
        let Sql { text, params, .. } = sql;
        Ok(match self {
            Tx::Postgres(tx) => super::postgis::bind(sqlx::query(AssertSqlSafe(text)), params).execute(&mut **tx).await?.rows_affected(),
            Tx::Sqlite(tx) => super::gpkg::bind(sqlx::query(AssertSqlSafe(text)), params).execute(&mut **tx).await?.rows_affected(),
        })
    }

    /// The feature of that id exactly as the read path decodes it (so its version is the one a
    /// client saw), locked until the end of the transaction where the database locks rows.
    pub async fn feature(&mut self, table: &Table, id: &Value) -> Result<Option<Feature>> {
        let fields = &table.fields;
        let mut sql = match self {
            Tx::Postgres(_) => super::postgis::select(table, fields),
            Tx::Sqlite(_) => super::gpkg::select(table, fields),
        };
        key(&mut sql, table, id)?;
        if let Tx::Postgres(_) = self {
            sql.push(" FOR UPDATE");
        }
        let Sql { text, params, .. } = sql;
        Ok(match self {
            Tx::Postgres(tx) => {
                let row = super::postgis::bind(sqlx::query(AssertSqlSafe(text)), params).fetch_optional(&mut **tx).await?;
                row.map(|r| super::postgis::decode_row(table, fields, &r)).transpose()?
            }
            Tx::Sqlite(tx) => {
                let row = super::gpkg::bind(sqlx::query(AssertSqlSafe(text)), params).fetch_optional(&mut **tx).await?;
                row.map(|r| super::gpkg::decode_row(table, fields, &r)).transpose()?
            }
        })
    }

    /// Whether the row of that id meets `filter`, as the table is now inside the transaction.
    pub async fn matches(&mut self, table: &Table, id: &Value, filter: &Filter) -> Result<bool> {
        let mut sql = Sql::new(self.dialect());
        sql.push("SELECT count(*) FROM ").ident(&table.name);
        where_clause(&mut sql, table, None, Some(filter), self.filter_dialect())?;
        sql.push(" AND ");
        key_condition(&mut sql, table, id)?;
        let Sql { text, params, .. } = sql;
        let n: i64 = match self {
            Tx::Postgres(tx) => super::postgis::bind(sqlx::query(AssertSqlSafe(text)), params).fetch_one(&mut **tx).await?.try_get(0)?,
            Tx::Sqlite(tx) => super::gpkg::bind(sqlx::query(AssertSqlSafe(text)), params).fetch_one(&mut **tx).await?.try_get(0)?,
        };
        Ok(n > 0)
    }

    /// Inserts a row and returns the id the database gave it.
    pub async fn insert(&mut self, table: &Table, values: &Values<'_>) -> Result<Value> {
        let id = table.id.as_ref().ok_or_else(|| SourceError::Unsupported("inserting into a table without a primary key".into()))?;
        let mut sql = Sql::new(self.dialect());
        sql.push("INSERT INTO ").ident(&table.name).push(" (");
        let geometry = values.geometry.as_ref().map(|g| g.as_deref());
        for (i, (f, _)) in values.columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.ident(&f.name);
        }
        if geometry.is_some() {
            if !values.columns.is_empty() {
                sql.push(", ");
            }
            sql.ident(&table.geometry_column);
        }
        sql.push(") VALUES (");
        for (i, (_, v)) in values.columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            value(&mut sql, v);
        }
        if let Some(g) = geometry {
            if !values.columns.is_empty() {
                sql.push(", ");
            }
            self.geometry(&mut sql, table, g).await?;
        }
        sql.push(") RETURNING ").ident(&id.name);
        let Sql { text, params, .. } = sql;
        let v = match self {
            Tx::Postgres(tx) => {
                let row = super::postgis::bind(sqlx::query(AssertSqlSafe(format!("{text}::text"))), params).fetch_one(&mut **tx).await?;
                row.try_get::<String, _>(0)?
            }
            Tx::Sqlite(tx) => {
                let row = super::gpkg::bind(sqlx::query(AssertSqlSafe(text)), params).fetch_one(&mut **tx).await?;
                row.try_get::<i64, _>(0).map(|i| i.to_string()).or_else(|_| row.try_get::<String, _>(0))?
            }
        };
        id.ty.parse_literal(&v).ok_or_else(|| SourceError::Internal(anyhow::anyhow!("the database returned id '{v}', not a {:?}", id.ty)))
    }

    /// Updates the given columns (and the geometry when given) of one row; false when there
    /// is no such row.
    pub async fn update(&mut self, table: &Table, id: &Value, values: &Values<'_>) -> Result<bool> {
        if values.columns.is_empty() && values.geometry.is_none() {
            return Ok(true);
        }
        let mut sql = Sql::new(self.dialect());
        sql.push("UPDATE ").ident(&table.name).push(" SET ");
        for (i, (f, v)) in values.columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.ident(&f.name).push(" = ");
            value(&mut sql, v);
        }
        if let Some(g) = &values.geometry {
            if !values.columns.is_empty() {
                sql.push(", ");
            }
            sql.ident(&table.geometry_column).push(" = ");
            self.geometry(&mut sql, table, g.as_deref()).await?;
        }
        key(&mut sql, table, id)?;
        Ok(self.execute(sql).await? > 0)
    }

    /// Deletes one row; false when there is no such row.
    pub async fn delete(&mut self, table: &Table, id: &Value) -> Result<bool> {
        let mut sql = Sql::new(self.dialect());
        sql.push("DELETE FROM ").ident(&table.name);
        key(&mut sql, table, id)?;
        Ok(self.execute(sql).await? > 0)
    }

    pub async fn audit(&mut self, e: &AuditEntry<'_>) -> Result<()> {
        let mut sql = Sql::new(self.dialect());
        sql.push(&format!("INSERT INTO {AUDIT_TABLE} (at, who, layer, feature_id, operation, before, after) VALUES ("));
        sql.param(Param::DateTime(chrono::Utc::now())).push(", ").param(Param::Text(e.who.into())).push(", ").param(Param::Text(e.layer.into()));
        sql.push(", ").param(Param::Text(e.feature_id.into())).push(", ").param(Param::Text(e.operation.into())).push(", ");
        value(&mut sql, &e.before.clone().map_or(Value::Null, Value::Text));
        sql.push(", ");
        value(&mut sql, &e.after.clone().map_or(Value::Null, Value::Text));
        sql.push(")");
        self.execute(sql).await.map(|_| ())
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// The geometry column's value: PostGIS reads WKB with the table's SRID, GeoPackage stores
    /// its own binary header (with the table's `srs_id`) in front of the WKB.
    async fn geometry(&mut self, sql: &mut Sql, table: &Table, wkb: Option<&[u8]>) -> Result<()> {
        let Some(wkb) = wkb else {
            sql.push("NULL");
            return Ok(());
        };
        match self {
            Tx::Postgres(_) => {
                sql.push("ST_GeomFromWKB(").param(Param::Bytes(wkb.to_vec())).push(&format!(", {})", table.crs.epsg_code()));
            }
            Tx::Sqlite(tx) => {
                let srs_id: i64 = sqlx::query_scalar("SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)")
                    .bind(&table.name)
                    .fetch_one(&mut **tx)
                    .await?;
                sql.param(Param::Bytes(super::gpkg::gpkg_blob(wkb, srs_id as i32)?));
            }
        }
        Ok(())
    }
}

/// A value, or NULL (which has no parameter form every column type accepts).
fn value(sql: &mut Sql, v: &Value) {
    match v {
        Value::Null => sql.push("NULL"),
        v => sql.param(Param::from(v)),
    };
}

fn key(sql: &mut Sql, table: &Table, id: &Value) -> Result<()> {
    sql.push(" WHERE ");
    key_condition(sql, table, id)
}

fn key_condition(sql: &mut Sql, table: &Table, id: &Value) -> Result<()> {
    let field = table.id.as_ref().ok_or_else(|| SourceError::Unsupported("editing a table without a primary key".into()))?;
    sql.ident(&field.name).push(" = ").param(Param::from(id));
    Ok(())
}

/// The audit table's definition in each dialect.
pub fn audit_ddl(dialect: Dialect) -> String {
    let (id, at) = match dialect {
        Dialect::Postgres => ("bigserial PRIMARY KEY", "timestamptz"),
        Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "DATETIME"),
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (id {id}, at {at} NOT NULL, who TEXT NOT NULL, layer TEXT NOT NULL, \
         feature_id TEXT NOT NULL, operation TEXT NOT NULL, before TEXT, after TEXT)"
    )
}
