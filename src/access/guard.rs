//! A vector source seen through a grant: every query it answers carries the grant's clause,
//! so features, counts, single features and vector tiles of every face hold only the rows the
//! caller may see, filtered in SQL before any LIMIT.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use ogc::filter::Filter;

use crate::source::{Feature, FeatureStream, MvtLayer, MvtTile, Query, Result, Table, TableRequest, VectorSource};

pub struct Guarded {
    pub inner: Arc<dyn VectorSource>,
    /// The grant's clause, bound to the layer's table.
    pub clause: Filter,
}

impl Guarded {
    fn and(&self, f: Option<&Filter>) -> Filter {
        match f {
            Some(f) => Filter::And(vec![f.clone(), self.clause.clone()]),
            None => self.clause.clone(),
        }
    }
}

#[async_trait]
impl VectorSource for Guarded {
    async fn describe(&self, request: &TableRequest) -> Result<Table> {
        self.inner.describe(request).await
    }

    fn features(&self, table: Arc<Table>, mut query: Query) -> FeatureStream {
        query.filter = Some(self.and(query.filter.as_ref()));
        self.inner.features(table, query)
    }

    async fn count(&self, table: &Table, filter: Option<&Filter>, exact_max: u64) -> Result<Option<u64>> {
        self.inner.count(table, Some(&self.and(filter)), exact_max).await
    }

    async fn feature(&self, table: Arc<Table>, id: &str) -> Result<Option<Feature>> {
        let query = Query { filter: Some(self.and(Some(&Filter::ResourceId(vec![id.to_string()])))), limit: Some(1), ..Query::default() };
        self.inner.features(table, query).next().await.transpose()
    }

    async fn ready(&self) -> Result<()> {
        self.inner.ready().await
    }

    async fn mvt(&self, tile: &MvtTile, layers: &[MvtLayer<'_>]) -> Option<Result<Vec<u8>>> {
        let filters: Vec<Filter> = layers.iter().map(|l| self.and(l.filter)).collect();
        let guarded: Vec<MvtLayer<'_>> = layers.iter().zip(&filters).map(|(l, f)| MvtLayer { filter: Some(f), ..*l }).collect();
        self.inner.mvt(tile, &guarded).await
    }

    /// Writes check the grant's clauses themselves (`crate::edit`), before and after each change.
    async fn begin(&self) -> Result<crate::source::write::Tx> {
        self.inner.begin().await
    }
}
