//! The imported records, in the table `catalogue` of an SQLite file (the embedded default,
//! beside the configuration) or of a PostgreSQL database (`[catalogue] store =
//! "postgresql://..."`, which every instance of a deployment shares, so an import is seen by
//! all of them at their next request).
//!
//! A row is one record: its ISO 19139 document as imported (the record itself; an import
//! replaces it whole), the record's AnyText lower-cased and its extent, which the
//! [`Prefilter`] of a search reads through a trigram index: FTS5's `trigram` tokenizer in
//! SQLite, `pg_trgm` GIN in PostgreSQL. Both serve `LIKE '%text%'` on substrings, which is what
//! `csw:AnyText LIKE '%kw%'` means; a word tokenizer would match words, not substrings, and
//! select other records.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use ogc::csw::Record;
use ogc::csw::prefilter::Prefilter;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Row};

use crate::config::Config;
use crate::source::SourceError;
use crate::source::sql::{Dialect, Param, Sql};

/// Where the records are, as `[catalogue] store` names it.
#[derive(Clone, Debug, PartialEq)]
pub enum Location {
    /// An SQLite file (relative paths are relative to the configuration file).
    File(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl Location {
    /// The configuration's store, `${VAR}` expanded; None when it names none.
    pub fn of(config: &Config) -> Option<Location> {
        let text = crate::config::expand_env(config.catalogue.store.as_deref()?);
        Some(if text.starts_with("postgres://") || text.starts_with("postgresql://") { Location::Postgres(text) } else { Location::File(config.origin.resolve(&text)) })
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            // The URL may carry a password: name the database only.
            Location::Postgres(url) => write!(f, "PostgreSQL database {}", url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default()),
        }
    }
}

#[derive(Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A stored record's identifier and the time it was written, which tells a cached copy of
/// its document from a stale one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub file_identifier: String,
    pub imported_at: String,
}

const SQLITE_SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS catalogue (file_identifier TEXT PRIMARY KEY, document TEXT NOT NULL, search_text TEXT NOT NULL, west REAL, south REAL, east REAL, north REAL, imported_at TEXT NOT NULL)",
    // `Store::version` reads the latest write through it.
    "CREATE INDEX IF NOT EXISTS catalogue_imported_at ON catalogue (imported_at)",
    // Same rowid as the record's row; kept in step by `save`, in the record's transaction.
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_text USING fts5(search_text, tokenize = 'trigram')",
];

const POSTGRES_SCHEMA: [&str; 4] = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE IF NOT EXISTS catalogue (file_identifier text PRIMARY KEY, document text NOT NULL, search_text text NOT NULL, west float8, south float8, east float8, north float8, imported_at text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS catalogue_imported_at ON catalogue (imported_at)",
    "CREATE INDEX IF NOT EXISTS catalogue_search_text ON catalogue USING gin (search_text gin_trgm_ops)",
];

/// The upsert of a record's row; each database's statement adds its parameter style.
macro_rules! upsert {
    ($values:literal, $returning:literal) => {
        concat!(
            "INSERT INTO catalogue (file_identifier, document, search_text, west, south, east, north, imported_at) VALUES ",
            $values,
            " ON CONFLICT (file_identifier) DO UPDATE SET document = excluded.document, search_text = excluded.search_text, \
             west = excluded.west, south = excluded.south, east = excluded.east, north = excluded.north, imported_at = excluded.imported_at",
            $returning
        )
    };
}
const SQLITE_UPSERT: &str = upsert!("(?, ?, ?, ?, ?, ?, ?, ?)", " RETURNING rowid");
const POSTGRES_UPSERT: &str = upsert!("($1, $2, $3, $4, $5, $6, $7, $8)", "");

/// A record's row, in the order of the upserts' parameters.
struct RecordRow<'a> {
    file_identifier: &'a str,
    document: &'a str,
    search_text: &'a str,
    bbox: [Option<f64>; 4],
    written_at: &'a str,
}

impl<'a> RecordRow<'a> {
    fn of(r: &'a Record, now: &'a str) -> Result<RecordRow<'a>, SourceError> {
        let Some(document) = &r.source_xml else { return Err(SourceError::Internal(anyhow::anyhow!("record {} has no document to store", r.file_identifier))) };
        let b = r.bbox;
        Ok(RecordRow {
            file_identifier: &r.file_identifier,
            document,
            search_text: r.search_text(),
            bbox: [b.map(|b| b.min_x), b.map(|b| b.min_y), b.map(|b| b.max_x), b.map(|b| b.max_y)],
            written_at: now,
        })
    }
}

/// Binds a [`RecordRow`] to an upsert query of either database (their query types differ, the
/// bind chain does not).
macro_rules! bind_row {
    ($query:expr, $row:expr) => {{
        let row = $row;
        let [w, s, e, n] = row.bbox;
        $query.bind(row.file_identifier).bind(row.document).bind(row.search_text).bind(w).bind(s).bind(e).bind(n).bind(row.written_at)
    }};
}

/// How a store is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The server without publishers: reads only. A missing SQLite file is refused, since a
    /// typo in the path must not look like an empty catalogue.
    Read,
    /// The server with publishers (CSW Transaction): reads and writes, the SQLite file and
    /// table created when missing, as a first publication needs no import before it.
    Publish,
    /// Imports: like `Publish`, one connection.
    Import,
}

impl Store {
    /// Opens the store. PostgreSQL is connected lazily like the PostGIS sources, so a database
    /// that is down gives 503s rather than a server that does not start (its table is created
    /// by imports, and by the first transaction otherwise).
    pub async fn open(location: &Location, mode: Mode) -> anyhow::Result<Store> {
        let context = |e: sqlx::Error| anyhow::anyhow!("catalogue store {location}: {e}");
        match location {
            Location::File(path) => {
                let options = SqliteConnectOptions::new().filename(path).create_if_missing(mode != Mode::Read).read_only(mode == Mode::Read);
                let pool = SqlitePoolOptions::new().max_connections(if mode == Mode::Import { 1 } else { 4 }).connect_with(options).await.map_err(context)?;
                if mode != Mode::Read {
                    for statement in SQLITE_SCHEMA {
                        sqlx::query(statement).execute(&pool).await.map_err(context)?;
                    }
                }
                Ok(Store::Sqlite(pool))
            }
            Location::Postgres(url) => {
                let options = PgConnectOptions::from_str(url).map_err(context)?.application_name("ossature");
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .min_connections(0)
                    .acquire_timeout(Duration::from_secs(3))
                    .test_before_acquire(true)
                    .connect_lazy_with(options);
                if mode == Mode::Import {
                    for statement in POSTGRES_SCHEMA {
                        sqlx::query(statement).execute(&pool).await.map_err(context)?;
                    }
                }
                Ok(Store::Postgres(pool))
            }
        }
    }

    /// Every stored record, by identifier. A document that no longer reads (written by an
    /// older version, or edited by hand) is logged and left out rather than stopping the server.
    pub async fn load(&self) -> Result<Vec<Record>, SourceError> {
        let stamps = self.candidates(&Prefilter::All).await?;
        let mut records: Vec<Record> = self.documents(&stamps).await?.into_iter().map(|(_, r)| r).collect();
        records.sort_by(|a, b| a.file_identifier.cmp(&b.file_identifier));
        Ok(records)
    }

    /// What changes whenever a record is written or removed: the row count and the latest write
    /// time. One indexed lookup, so a search can tell whether what it read before still holds.
    pub async fn version(&self) -> Result<(i64, String), SourceError> {
        const SQL: &str = "SELECT count(*), coalesce(max(imported_at), '') FROM catalogue";
        Ok(match self {
            Store::Sqlite(pool) => sqlx::query_as(SQL).fetch_one(pool).await?,
            Store::Postgres(pool) => sqlx::query_as(SQL).fetch_one(pool).await?,
        })
    }

    /// The records meeting `prefilter`, by identifier (byte order, the same in both databases).
    pub async fn candidates(&self, prefilter: &Prefilter) -> Result<Vec<Stamp>, SourceError> {
        let dialect = match self {
            Store::Sqlite(_) => Dialect::Sqlite,
            Store::Postgres(_) => Dialect::Postgres,
        };
        let mut sql = Sql::new(dialect);
        sql.push("SELECT file_identifier, imported_at FROM catalogue WHERE ");
        condition(&mut sql, prefilter);
        let Sql { text, params, .. } = sql;
        let mut rows = match self {
            Store::Sqlite(pool) => crate::source::gpkg::bind(sqlx::query(AssertSqlSafe(text)), params).fetch_all(pool).await?.into_iter().map(|r| stamp(&r)).collect::<Result<Vec<_>, _>>()?,
            Store::Postgres(pool) => crate::source::postgis::bind(sqlx::query(AssertSqlSafe(text)), params).fetch_all(pool).await?.into_iter().map(|r| stamp(&r)).collect::<Result<Vec<_>, _>>()?,
        };
        rows.sort_by(|a, b| a.file_identifier.cmp(&b.file_identifier));
        Ok(rows)
    }

    /// The documents of `stamps`, read into records (in no particular order).
    pub async fn documents(&self, stamps: &[Stamp]) -> Result<Vec<(Stamp, Record)>, SourceError> {
        if stamps.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = stamps.iter().map(|s| s.file_identifier.as_str()).collect();
        let rows: Vec<(String, String, String)> = match self {
            Store::Sqlite(pool) => {
                let ids = serde_json::to_string(&ids).map_err(|e| SourceError::Internal(e.into()))?;
                sqlx::query_as("SELECT file_identifier, imported_at, document FROM catalogue WHERE file_identifier IN (SELECT value FROM json_each(?))").bind(ids).fetch_all(pool).await?
            }
            Store::Postgres(pool) => sqlx::query_as("SELECT file_identifier, imported_at, document FROM catalogue WHERE file_identifier = ANY($1)").bind(ids).fetch_all(pool).await?,
        };
        let mut out = Vec::with_capacity(rows.len());
        for (file_identifier, imported_at, document) in rows {
            match ogc::csw::iso::read(&document) {
                Ok(r) => out.push((Stamp { file_identifier, imported_at }, r)),
                Err(e) => tracing::warn!(%file_identifier, error = %e, "stored catalogue record skipped"),
            }
        }
        Ok(out)
    }

    /// Writes one imported record (it carries its document) with its index entry, in one
    /// transaction: a record is in the store and its index whole, or not at all.
    pub async fn save(&self, r: &Record) -> Result<(), SourceError> {
        self.write(std::slice::from_ref(r), &[]).await
    }

    /// Writes `records` (new or replacing) and deletes the records of `deleted`, with their
    /// index entries, in one transaction: a CSW Transaction lands whole or not at all.
    pub async fn write(&self, records: &[Record], deleted: &[String]) -> Result<(), SourceError> {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let rows = records.iter().map(|r| RecordRow::of(r, &now)).collect::<Result<Vec<_>, _>>()?;
        match self {
            Store::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                for row in &rows {
                    let rowid: i64 = bind_row!(sqlx::query_scalar(SQLITE_UPSERT), row).fetch_one(&mut *tx).await?;
                    sqlx::query("DELETE FROM catalogue_text WHERE rowid = ?").bind(rowid).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO catalogue_text (rowid, search_text) VALUES (?, ?)").bind(rowid).bind(row.search_text).execute(&mut *tx).await?;
                }
                for id in deleted {
                    sqlx::query("DELETE FROM catalogue_text WHERE rowid IN (SELECT rowid FROM catalogue WHERE file_identifier = ?)").bind(id).execute(&mut *tx).await?;
                    sqlx::query("DELETE FROM catalogue WHERE file_identifier = ?").bind(id).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                if !records.is_empty() {
                    // A first publication into a database no import created the table in.
                    for statement in POSTGRES_SCHEMA {
                        sqlx::query(statement).execute(&mut *tx).await?;
                    }
                }
                for row in &rows {
                    // The GIN index is maintained with the row.
                    bind_row!(sqlx::query(POSTGRES_UPSERT), row).execute(&mut *tx).await?;
                }
                if !deleted.is_empty() {
                    sqlx::query("DELETE FROM catalogue WHERE file_identifier = ANY($1)").bind(deleted).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// The union of the stored records' extents (west, south, east, north).
    pub async fn extent(&self) -> Result<Option<ogc::bbox::Bbox>, SourceError> {
        const SQL: &str = "SELECT min(west), min(south), max(east), max(north) FROM catalogue";
        let (w, s, e, n): (Option<f64>, Option<f64>, Option<f64>, Option<f64>) = match self {
            Store::Sqlite(pool) => sqlx::query_as(SQL).fetch_one(pool).await?,
            Store::Postgres(pool) => sqlx::query_as(SQL).fetch_one(pool).await?,
        };
        Ok(match (w, s, e, n) {
            (Some(min_x), Some(min_y), Some(max_x), Some(max_y)) => Some(ogc::bbox::Bbox { min_x, min_y, max_x, max_y }),
            _ => None,
        })
    }
}

fn stamp<R: Row>(row: &R) -> Result<Stamp, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Stamp { file_identifier: row.try_get(0)?, imported_at: row.try_get(1)? })
}

/// The prefilter as a condition on the `catalogue` row. `Contains` texts have no LIKE special
/// characters ([`Prefilter`]), so they go between `%` as they are; the search text is lower
/// case already, so LIKE compares exactly (no case folding is needed or used).
fn condition(sql: &mut Sql, p: &Prefilter) {
    match p {
        Prefilter::All => {
            sql.push("TRUE");
        }
        Prefilter::Contains(text) => {
            let pattern = Param::Text(format!("%{text}%"));
            match sql.dialect() {
                Dialect::Sqlite => sql.push("rowid IN (SELECT rowid FROM catalogue_text WHERE search_text LIKE ").param(pattern).push(")"),
                Dialect::Postgres => sql.push("search_text LIKE ").param(pattern),
            };
        }
        Prefilter::Meets(b) => {
            sql.push("(west <= ").param(Param::Float(b.max_x)).push(" AND east >= ").param(Param::Float(b.min_x));
            sql.push(" AND south <= ").param(Param::Float(b.max_y)).push(" AND north >= ").param(Param::Float(b.min_y)).push(")");
        }
        Prefilter::Identifiers(ids) if ids.is_empty() => {
            sql.push("FALSE");
        }
        Prefilter::Identifiers(ids) => {
            sql.push("file_identifier IN (");
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.param(Param::Text(id.clone()));
            }
            sql.push(")");
        }
        Prefilter::And(parts) | Prefilter::Or(parts) => {
            let joiner = if matches!(p, Prefilter::And(_)) { " AND " } else { " OR " };
            sql.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    sql.push(joiner);
                }
                condition(sql, part);
            }
            sql.push(")");
        }
    }
}
