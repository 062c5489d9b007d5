//! The disk tier of the tile cache: one file per tile under a root folder, bounded in total
//! size, least recently used tiles removed first.
//!
//! Which tiles exist and when each was last used is kept in memory (the folder is scanned once
//! at start-up, in the background), so a miss costs no file-system call and eviction needs no
//! directory walk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use tokio::sync::Mutex;

use super::cache::TileKey;
use ogc::tiles::TileFormat;

pub struct DiskTier {
    root: PathBuf,
    max_bytes: u64,
    index: Arc<Mutex<Index>>,
    clock: AtomicU64,
}

#[derive(Default)]
struct Index {
    entries: HashMap<TileKey, Entry>,
    total: u64,
}

#[derive(Clone, Copy)]
struct Entry {
    size: u64,
    last_use: u64,
}

impl DiskTier {
    /// Opens (creating it if needed) the folder and indexes the tiles already there.
    pub async fn open(root: PathBuf, max_bytes: u64) -> std::io::Result<DiskTier> {
        tokio::fs::create_dir_all(&root).await?;
        let scan_root = root.clone();
        let index = tokio::task::spawn_blocking(move || scan(&scan_root)).await.map_err(std::io::Error::other)??;
        let clock = index.entries.values().map(|e| e.last_use).max().unwrap_or(0) + 1;
        Ok(DiskTier { root, max_bytes, index: Arc::new(Mutex::new(index)), clock: AtomicU64::new(clock) })
    }

    fn path(&self, key: &TileKey) -> Option<PathBuf> {
        let safe = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0']);
        if !(safe(&key.layer) && safe(&key.style) && safe(&key.tms)) {
            return None;
        }
        Some(self.root.join(&*key.layer).join(&*key.style).join(&*key.tms).join(key.z.to_string()).join(key.row.to_string()).join(format!("{}.{}", key.col, key.format.extension())))
    }

    pub async fn contains(&self, key: &TileKey) -> bool {
        self.index.lock().await.entries.contains_key(key)
    }

    pub async fn get(&self, key: &TileKey) -> Option<Bytes> {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        {
            let mut index = self.index.lock().await;
            index.entries.get_mut(key)?.last_use = tick;
        }
        match tokio::fs::read(self.path(key)?).await {
            Ok(b) => Some(b.into()),
            Err(e) => {
                tracing::warn!(error = %e, "tile missing from the disk cache");
                let mut index = self.index.lock().await;
                if let Some(old) = index.entries.remove(key) {
                    index.total -= old.size;
                }
                None
            }
        }
    }

    /// Stores a tile; a write failure is logged and the tile simply stays uncached on disk.
    pub async fn put(&self, key: &TileKey, bytes: &Bytes) {
        let Some(path) = self.path(key) else { return };
        if let Err(e) = write_atomically(&path, bytes).await {
            tracing::warn!(error = %e, path = %path.display(), "cannot write to the disk tile cache");
            return;
        }
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let evicted = {
            let mut index = self.index.lock().await;
            let size = bytes.len() as u64;
            if let Some(old) = index.entries.insert(key.clone(), Entry { size, last_use: tick }) {
                index.total -= old.size;
            }
            index.total += size;
            if index.total > self.max_bytes { evict(&mut index, self.max_bytes / 10 * 9) } else { Vec::new() }
        };
        self.remove_files(evicted).await;
    }

    pub async fn remove_if(&self, stale: impl Fn(&TileKey) -> bool) {
        let removed: Vec<TileKey> = {
            let mut index = self.index.lock().await;
            let keys: Vec<TileKey> = index.entries.keys().filter(|k| stale(k)).cloned().collect();
            for k in &keys {
                if let Some(e) = index.entries.remove(k) {
                    index.total -= e.size;
                }
            }
            keys
        };
        self.remove_files(removed).await;
    }

    async fn remove_files(&self, keys: Vec<TileKey>) {
        for k in keys {
            if let Some(p) = self.path(&k) {
                let _ = tokio::fs::remove_file(p).await;
            }
        }
    }

    #[cfg(test)]
    async fn total_bytes(&self) -> u64 {
        self.index.lock().await.total
    }
}

/// Removes the least recently used entries until `target` bytes remain.
fn evict(index: &mut Index, target: u64) -> Vec<TileKey> {
    let mut by_age: Vec<(u64, TileKey)> = index.entries.iter().map(|(k, e)| (e.last_use, k.clone())).collect();
    by_age.sort_unstable_by_key(|(t, _)| *t);
    let mut out = Vec::new();
    for (_, k) in by_age {
        if index.total <= target {
            break;
        }
        if let Some(e) = index.entries.remove(&k) {
            index.total -= e.size;
        }
        out.push(k);
    }
    out
}

/// A reader never sees half a tile: write beside, then rename.
async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

/// Indexes `root/layer/style/tms/z/row/col.ext`, oldest modification first; anything else in
/// the folder is ignored.
fn scan(root: &Path) -> std::io::Result<Index> {
    let mut files = Vec::new();
    collect_files(root, 6, &mut files)?;
    let mut found: Vec<(std::time::SystemTime, TileKey, u64)> = Vec::new();
    for path in files {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
        let [layer, style, tms, z, row, file] = parts[..] else { continue };
        let Some((col, ext)) = file.split_once('.') else { continue };
        let (Ok(z), Ok(row), Ok(col), Some(format)) = (z.parse::<u8>(), row.parse::<u32>(), col.parse::<u32>(), TileFormat::from_extension(ext)) else { continue };
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        let key = TileKey { layer: layer.into(), style: style.into(), tms: tms.into(), z, row, col, format };
        found.push((meta.modified().unwrap_or(std::time::UNIX_EPOCH), key, meta.len()));
    }
    found.sort_by_key(|(t, _, _)| *t);
    let mut index = Index::default();
    for (i, (_, key, size)) in found.into_iter().enumerate() {
        index.total += size;
        index.entries.insert(key, Entry { size, last_use: i as u64 });
    }
    Ok(index)
}

/// The files exactly `depth` folders below `dir`.
fn collect_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        match (depth, path.is_dir()) {
            (1, false) => out.push(path),
            // An unreadable subfolder only leaves its tiles unindexed.
            (d, true) if d > 1 => collect_files(&path, d - 1, out).unwrap_or(()),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(col: u32) -> TileKey {
        TileKey { layer: "ortho".into(), style: "default".into(), tms: "PM".into(), z: 3, row: 1, col, format: TileFormat::Png }
    }

    #[tokio::test]
    async fn bounded_least_recently_used_and_persistent() {
        let dir = std::env::temp_dir().join(format!("ossature-disk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let disk = DiskTier::open(dir.clone(), 1000).await.unwrap();
        let tile = Bytes::from(vec![7u8; 300]);
        for col in 0..3 {
            disk.put(&key(col), &tile).await;
        }
        assert!(disk.get(&key(0)).await.is_some()); // 0 is now the most recent
        disk.put(&key(3), &tile).await; // 1200 > 1000: evict to 900 -> drop 1
        assert!(disk.contains(&key(0)).await && !disk.contains(&key(1)).await && disk.contains(&key(3)).await);
        assert!(disk.total_bytes().await <= 1000);
        assert!(!dir.join("ortho/default/PM/3/1/1.png").exists());
        let reopened = DiskTier::open(dir.clone(), 1000).await.unwrap();
        assert_eq!(reopened.get(&key(3)).await.as_deref(), Some(&tile[..]));
        reopened.remove_if(|k| k.col == 3).await;
        assert!(!dir.join("ortho/default/PM/3/1/3.png").exists());
        let bad = TileKey { layer: "..".into(), ..key(9) };
        reopened.put(&bad, &tile).await;
        assert!(!reopened.contains(&bad).await);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
