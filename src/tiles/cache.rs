//! The tile cache every tile face shares: a byte-weighted memory tier with single flight (N
//! concurrent misses of one tile render it once), then an optional disk tier, then the renderer.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::HeaderValue;
use bytes::Bytes;

use super::disk::DiskTier;
use ogc::tiles::TileFormat;

/// What identifies a tile: everything that changes its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub layer: Arc<str>,
    pub style: Arc<str>,
    pub tms: Arc<str>,
    pub z: u8,
    pub row: u32,
    pub col: u32,
    pub format: TileFormat,
}

/// The style segment of a key for a caller whose grant hashes to `grant`: the style itself
/// when the grant restricts nothing (everyone shares those tiles), else suffixed with the hash,
/// so one group never gets another's tile and the disk tier keeps its layout.
pub fn granted_style(style: &str, grant: u64) -> Arc<str> {
    match grant {
        0 => style.into(),
        g => format!("{style}~{g:016x}").into(),
    }
}

/// An encoded tile and its validator, kept as the header value it is sent as (a hit then
/// formats nothing).
#[derive(Clone, Debug)]
pub struct Tile {
    pub bytes: Bytes,
    pub etag: HeaderValue,
}

impl Tile {
    pub fn new(bytes: Bytes) -> Tile {
        let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
        Tile { bytes, etag: HeaderValue::from_str(&etag).expect("quoted hex is a valid header value") }
    }
}

pub struct TileCache {
    memory: moka::future::Cache<TileKey, Tile, foldhash::fast::RandomState>,
    disk: Option<DiskTier>,
    renders: AtomicU64,
}

impl TileCache {
    pub fn new(memory_bytes: u64, disk: Option<DiskTier>) -> TileCache {
        let memory = moka::future::Cache::builder()
            .weigher(|k: &TileKey, t: &Tile| u32::try_from(t.bytes.len() + k.layer.len() + k.style.len() + k.tms.len() + 64).unwrap_or(u32::MAX))
            .max_capacity(memory_bytes)
            .support_invalidation_closures()
            .build_with_hasher(foldhash::fast::RandomState::default());
        TileCache { memory, disk, renders: AtomicU64::new(0) }
    }

    /// The tile from memory, else from disk, else rendered by `render` (once, however many
    /// requests wait for it). Errors are not cached.
    pub async fn get_or_render<E, F, Fut>(&self, key: &TileKey, render: F) -> Result<Tile, Arc<E>>
    where
        E: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Tile, E>>,
    {
        if let Some(t) = self.memory.get(key).await {
            return Ok(t);
        }
        // Boxed: the renderer's state (a warp, an encoder, a database query) would otherwise
        // size every hit's future, which the request's envelope moves several times; copying it
        // measured a fifth of a cached tile's instructions.
        Box::pin(self.memory.try_get_with_by_ref(key, async {
            if let Some(disk) = &self.disk
                && let Some(bytes) = disk.get(key).await
            {
                return Ok(Tile::new(bytes));
            }
            let tile = render().await?;
            self.renders.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("ossature_tiles_rendered_total").increment(1);
            if let Some(disk) = &self.disk {
                disk.put(key, &tile.bytes).await;
            }
            Ok(tile)
        }))
        .await
    }

    /// A tile rendered for one response when the cache keeps nothing (`keeps_tiles`), counted
    /// with the others.
    pub async fn render_unkept<E>(&self, render: impl Future<Output = Result<Tile, E>>) -> Result<Tile, E> {
        let tile = render.await?;
        self.renders.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("ossature_tiles_rendered_total").increment(1);
        Ok(tile)
    }

    /// Whether the tile is on disk already (seeding resumes by skipping those).
    pub async fn on_disk(&self, key: &TileKey) -> bool {
        match &self.disk {
            Some(d) => d.contains(key).await,
            None => false,
        }
    }

    /// Drops the cached tiles `stale` selects from both tiers.
    pub async fn invalidate(&self, stale: impl Fn(&TileKey) -> bool + Send + Sync + 'static) {
        let stale = Arc::new(stale);
        let s = stale.clone();
        if let Err(e) = self.memory.invalidate_entries_if(move |k, _| s(k)) {
            tracing::warn!(error = %e, "memory tile cache invalidation not possible");
        }
        if let Some(disk) = &self.disk {
            disk.remove_if(|k| stale(k)).await;
        }
    }

    /// Tiles rendered since start-up (tests and metrics).
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }

    pub fn has_disk(&self) -> bool {
        self.disk.is_some()
    }

    /// Whether a rendered tile is kept at all (`memory_mb = 0` and no disk tier keep nothing).
    pub fn keeps_tiles(&self) -> bool {
        self.disk.is_some() || self.memory.policy().max_capacity().is_some_and(|c| c > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(row: u32) -> TileKey {
        TileKey { layer: "ortho".into(), style: "default".into(), tms: "WebMercatorQuad".into(), z: 18, row, col: 7, format: TileFormat::Jpeg }
    }

    #[tokio::test]
    async fn concurrent_misses_render_once() {
        let cache = Arc::new(TileCache::new(1 << 20, None));
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move {
                    cache
                        .get_or_render(&key(1), || async {
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            Ok::<_, String>(Tile::new(Bytes::from_static(b"tile")))
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(&t.await.unwrap().bytes[..], b"tile");
        }
        assert_eq!(cache.renders(), 1);
    }

    #[tokio::test]
    async fn errors_are_not_cached_and_invalidation_drops_tiles() {
        let cache = TileCache::new(1 << 20, None);
        let e = cache.get_or_render(&key(2), || async { Err::<Tile, _>("backend down".to_string()) }).await.unwrap_err();
        assert_eq!(*e, "backend down");
        let ok = cache.get_or_render(&key(2), || async { Ok::<_, String>(Tile::new(Bytes::from_static(b"a"))) }).await.unwrap();
        assert_eq!(&ok.bytes[..], b"a");
        cache.invalidate(|k| k.row == 2).await;
        let again = cache.get_or_render(&key(2), || async { Ok::<_, String>(Tile::new(Bytes::from_static(b"b"))) }).await.unwrap();
        assert_eq!(&again.bytes[..], b"b");
        assert_eq!(cache.renders(), 2);
    }

    #[test]
    fn etag_follows_the_bytes() {
        assert_eq!(Tile::new(Bytes::from_static(b"x")).etag, Tile::new(Bytes::from_static(b"x")).etag);
        assert_ne!(Tile::new(Bytes::from_static(b"x")).etag, Tile::new(Bytes::from_static(b"y")).etag);
    }
}
