//! The imported records, kept as their ISO 19139 documents in an SQLite file: the document is
//! the record (an import replaces it whole), and reading it back gives the same `Record` the
//! import validated.

use std::path::Path;

use ogc::csw::Record;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

pub struct Store {
    pool: SqlitePool,
}

#[derive(Debug, thiserror::Error)]
#[error("catalogue store {path}: {source}")]
pub struct StoreError {
    path: String,
    source: sqlx::Error,
}

impl Store {
    /// Opens the store, creating the file and its table when `create` (imports) and refusing a
    /// missing file otherwise (the server reads it: a typo in the path must not look empty).
    pub async fn open(path: &Path, create: bool) -> Result<Store, StoreError> {
        let err = |source| StoreError { path: path.display().to_string(), source };
        let options = SqliteConnectOptions::new().filename(path).create_if_missing(create).read_only(!create);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(err)?;
        if create {
            sqlx::query("CREATE TABLE IF NOT EXISTS catalogue_records (file_identifier TEXT PRIMARY KEY, document TEXT NOT NULL, imported_at TEXT NOT NULL)")
                .execute(&pool)
                .await
                .map_err(err)?;
        }
        Ok(Store { pool })
    }

    /// Every stored record. A document that no longer reads (written by an older version, or
    /// edited by hand) is logged and left out rather than stopping the server.
    pub async fn load(&self) -> Result<Vec<Record>, sqlx::Error> {
        let rows = sqlx::query("SELECT file_identifier, document FROM catalogue_records ORDER BY file_identifier").fetch_all(&self.pool).await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, document): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            match ogc::csw::iso::read(&document) {
                Ok(r) => records.push(r),
                Err(e) => tracing::warn!(file_identifier = %id, error = %e, "stored catalogue record skipped"),
            }
        }
        Ok(records)
    }

    /// Writes the given records (imported ones: they carry their document) in one transaction.
    pub async fn save<'a>(&self, records: impl IntoIterator<Item = &'a Record>) -> Result<(), sqlx::Error> {
        let now = chrono::Utc::now().to_rfc3339();
        let mut tx = self.pool.begin().await?;
        for r in records {
            let Some(document) = &r.source_xml else { continue };
            sqlx::query("INSERT INTO catalogue_records (file_identifier, document, imported_at) VALUES (?, ?, ?) ON CONFLICT (file_identifier) DO UPDATE SET document = excluded.document, imported_at = excluded.imported_at")
                .bind(&r.file_identifier)
                .bind(document)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }
}
