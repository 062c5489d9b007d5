//! The decoded-block cache shared by every open COG.

use std::sync::Arc;

use moka::future::Cache;

use crate::Block;

/// A block of one open COG ([`crate::Cog::identity`]), level and position.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub(crate) struct BlockKey {
    pub cog: u64,
    pub level: u32,
    pub col: u32,
    pub row: u32,
}

/// Decoded blocks of every open COG, bounded by bytes, shared by the whole server.
#[derive(Clone)]
pub struct BlockCache {
    inner: Cache<BlockKey, Arc<Block>>,
}

impl BlockCache {
    pub fn new(max_bytes: u64) -> BlockCache {
        let inner = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_: &BlockKey, block: &Arc<Block>| {
                u32::try_from(block.rgba.len() + size_of::<Block>()).unwrap_or(u32::MAX)
            })
            .build();
        BlockCache { inner }
    }

    /// Bytes held now (eviction is lazy: pending evictions are applied first), for metrics.
    pub async fn used_bytes(&self) -> u64 {
        self.inner.run_pending_tasks().await;
        self.inner.weighted_size()
    }

    pub(crate) fn inner(&self) -> &Cache<BlockKey, Arc<Block>> {
        &self.inner
    }
}
